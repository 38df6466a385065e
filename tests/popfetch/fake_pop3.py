#!/usr/bin/env python3
# FAKE POP3 server for tests/popfetch.bats: what the lab's Dovecot will
# not do on demand (no PIPELINING, response codes at login, refusals,
# malformed replies).  Not a mail server: it holds three fixed messages,
# and logs each command it got to LOG, one per line, with "EARLY " in
# front of one that arrived before the reply to the previous one was
# sent (a client pipelining when the server did not offer it).
#
# Usage: fake_pop3.py PORT MODE LOG
#   PORT 0 takes a free port; the port is printed on stdout when it listens.
# MODE:
#   lockstep   CAPA without PIPELINING; USER/PASS (any password)
#   in-use     PASS answered -ERR [IN-USE]
#   delay      PASS answered -ERR [LOGIN-DELAY]
#   perm       PASS answered -ERR [SYS/PERM]
#   retr-err   RETR 2 answered -ERR no such message
#   bad        UIDL answered with a malformed status line
#   cut        RETR 2 answered with half the message, then the connection
#              closed (a server dying mid-message)
#   dele-cut   the connection closed instead of the reply to DELE 2
import select
import socket
import sys

port, mode, logf = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(5)
print(s.getsockname()[1], flush=True)
log = open(logf, "ab", buffering=0)

MSGS = [b"Subject: one\r\n\r\nbody one\r\n",
        b"Subject: two\r\n\r\n.dot\r\n",
        b"Subject: three\r\n\r\nthree\r\n"]


def stuffed(m):
    return b"".join((b"." + l if l.startswith(b".") else l)
                    for l in m.splitlines(True))


def lines(c):
    buf = b""
    while True:
        while b"\n" not in buf:
            d = c.recv(4096)
            if not d:
                return
            buf += d
        line, buf = buf.split(b"\n", 1)
        # anything here, or arriving within 50 ms, came before our reply
        early = bool(buf) or bool(select.select([c], [], [], 0.05)[0])
        yield line.rstrip(b"\r"), early


def serve(c):
    c.sendall(b"+OK fake ready\r\n")
    for cmd, early in lines(c):
        log.write((b"EARLY " if early else b"") + cmd + b"\n")
        w = cmd.split(b" ")
        v = w[0].upper()
        if v == b"CAPA":
            c.sendall(b"+OK\r\nUIDL\r\nTOP\r\nUSER\r\nRESP-CODES\r\n.\r\n")
        elif v == b"USER":
            c.sendall(b"+OK\r\n")
        elif v == b"PASS":
            c.sendall({"in-use": b"-ERR [IN-USE] locked by another session\r\n",
                       "delay": b"-ERR [LOGIN-DELAY] wait 300 seconds\r\n",
                       "perm": b"-ERR [SYS/PERM] mailbox broken\r\n"}
                      .get(mode, b"+OK logged in\r\n"))
        elif v == b"UIDL":
            if mode == "bad":
                c.sendall(b"OK \x1b[31mred\r\n")
                continue
            c.sendall(b"+OK\r\n" + b"".join(b"%d uid-%d\r\n" % (i + 1, i + 1)
                                            for i in range(len(MSGS))) + b".\r\n")
        elif v == b"LIST":
            c.sendall(b"+OK\r\n" + b"".join(b"%d %d\r\n" % (i + 1, len(m))
                                            for i, m in enumerate(MSGS)) + b".\r\n")
        elif v == b"RETR":
            n = int(w[1])
            if mode == "retr-err" and n == 2:
                c.sendall(b"-ERR no such message\r\n")
                continue
            if mode == "cut" and n == 2:
                c.sendall(b"+OK\r\n" + MSGS[1][:8])
                return
            c.sendall(b"+OK\r\n" + stuffed(MSGS[n - 1]) + b".\r\n")
        elif v == b"DELE" and mode == "dele-cut" and w[1] == b"2":
            return
        elif v in (b"DELE", b"NOOP", b"RSET"):
            c.sendall(b"+OK\r\n")
        elif v == b"QUIT":
            c.sendall(b"+OK bye\r\n")
            return
        else:
            c.sendall(b"-ERR unknown command\r\n")


while True:
    c, _ = s.accept()
    try:
        serve(c)
    except (OSError, ValueError, IndexError):
        pass
    c.close()
