#!/usr/bin/env python3
# FAKE SMTP server for tests/mailsend.bats: the faults the lab's real
# Postfix will not produce on demand.  Not a mail server: it stores
# nothing, it logs each command it got to LOG, one per line.
#
# Usage: fake_smtp.py HOST PORT MODE LOG
#   PORT 0 takes a free port; the port is printed on stdout when it listens.
# MODE:
#   451       the end of DATA is answered 451 4.3.0
#   drop      the connection is closed after the data, no reply
#   limit=N   N recipients per transaction; the next get 452 4.5.3
#   421=N     the recipient after the N-th of the session gets 421, then close
#   no8bit    EHLO without 8BITMIME
#   policy    RCPT: relay* 550 5.7.1, nouser* 550 with no enhanced code,
#             ctrl* 550 5.1.1 with TAB, ESC, DEL, C1 and bad UTF-8 in the text,
#             bslash* 550 5.1.1 with a backslash in the text
#   bad       RCPT: a malformed reply with an escape sequence in it
#   ok        a plain server
import socket
import sys

host, port, mode, logf = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((host, port))
s.listen(5)
print(s.getsockname()[1], flush=True)
log = open(logf, "ab", buffering=0)
arg = int(mode.split("=")[1]) if "=" in mode else 0


def serve(c):
    f = c.makefile("rb")
    c.sendall(b"220 fake.test ESMTP fake\r\n")
    indata = False
    nrcpt = 0          # in this transaction
    nsess = 0          # in this session
    while True:
        line = f.readline()
        if not line:
            return
        if indata:
            if line == b".\r\n":
                indata = False
                log.write(b"END-OF-DATA\n")
                if mode == "drop":
                    return
                if mode == "451":
                    c.sendall(b"451 4.3.0 fake: try again later\r\n")
                else:
                    c.sendall(b"250 2.0.0 fake: queued\r\n")
            continue
        log.write(line.rstrip(b"\r\n") + b"\n")
        u = line.upper()
        if u.startswith(b"EHLO"):
            c.sendall(b"250-fake.test\r\n250-PIPELINING\r\n" +
                      (b"" if mode == "no8bit" else b"250-8BITMIME\r\n") +
                      b"250-ENHANCEDSTATUSCODES\r\n250 SIZE 10000000\r\n")
        elif u.startswith(b"MAIL"):
            nrcpt = 0
            c.sendall(b"250 2.1.0 ok\r\n")
        elif u.startswith(b"RCPT"):
            a = line[9:].split(b">")[0].lower()
            nsess += 1
            if mode.startswith("421=") and nsess > arg:
                c.sendall(b"421 4.7.0 fake: closing\r\n")
                return
            if mode.startswith("limit=") and nrcpt >= arg:
                c.sendall(b"452 4.5.3 fake: too many recipients\r\n")
                continue
            if mode == "bad":
                c.sendall(b"25\x1b[2J\tx\r\n")
                continue
            if mode == "policy" and a.startswith(b"relay"):
                c.sendall(b"550 5.7.1 fake: relaying denied\r\n")
            elif mode == "policy" and a.startswith(b"nouser"):
                c.sendall(b"550 fake: no such user here\r\n")
            elif mode == "policy" and a.startswith(b"bslash"):
                c.sendall(b"550 5.1.1 back\\slash\r\n")
            elif mode == "policy" and a.startswith(b"ctrl"):
                c.sendall(b"550 5.1.1 a\tb\x1b[2Jc\x7fd\xc2\x9be\xffcaf\xc3\xa9\r\n")
            else:
                nrcpt += 1
                c.sendall(b"250 2.1.5 ok\r\n")
        elif u.startswith(b"DATA"):
            if nrcpt == 0:
                c.sendall(b"554 5.5.1 fake: no valid recipients\r\n")
            else:
                c.sendall(b"354 go ahead\r\n")
                indata = True
        elif u.startswith(b"QUIT"):
            c.sendall(b"221 2.0.0 bye\r\n")
            return
        else:
            c.sendall(b"250 2.0.0 ok\r\n")


while True:
    c, _ = s.accept()
    try:
        serve(c)
    except OSError:
        pass
    c.close()
