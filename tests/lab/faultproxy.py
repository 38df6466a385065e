#!/usr/bin/python3
# Fault proxy for the lab: servers that misbehave, for clients' error paths.
# Usage: faultproxy.py RULE...   with RULE one of
#   reset:PORT             accept, then reset the connection (RST)
#   hang:PORT              accept, send nothing, read and drop; close after
#                          HOLD seconds
#   cut:N:PORT:TARGET      proxy to TARGET, but after N bytes from the server
#                          close both sides (a server dying mid-reply)
#   data:N:PORT:TARGET     proxy to TARGET (SMTP), but once the client has
#                          sent a DATA command line and then N more bytes,
#                          pass those N bytes on and close both sides
#                          without a reply (a connection lost mid-message)
#   auth454:PORT           a fake SMTP server (not Postfix): greeting, EHLO
#                          offering AUTH PLAIN LOGIN, and "454 4.7.0" to
#                          every AUTH, as a server whose password backend
#                          is down answers; 502 to anything else
# Fake servers (not real ones) for faults a real server won't produce:
#   rstlogin:PORT          fake SMTP: greeting, "250" to EHLO (no AUTH, no
#                          STARTTLS), then a TCP RST in place of the next
#                          reply (a connection reset after login)
#   imapalert:PORT         fake IMAP (AUTH=PLAIN AUTH=LOGIN, no SASL-IR):
#                          every "+" of AUTHENTICATE comes after an
#                          untagged "* OK [ALERT] ..." line holding a C1
#                          control (U+009B as UTF-8), a bare 0xff byte
#                          and a valid "é"; any password is accepted
#   smtp554:PORT           fake SMTP greeting "554 5.3.2 ..." (with the
#                          same C1, 0xff and "é"), then closes on QUIT
#   auth334:PORT           fake SMTP: EHLO offers AUTH PLAIN LOGIN; every
#                          challenge is a two-line "334-...", "334 ..."
#                          reply; any password is accepted
#   popdelay:PORT          fake POP3: CAPA offers SASL PLAIN and
#                          RESP-CODES, AUTH gets "-ERR [LOGIN-DELAY] ..."
# A named fault on the way to a real server (not a server itself):
#   popcut:VERB:K:N:PORT:TARGET
#                          proxy to TARGET (POP3 in clear text: no STLS),
#                          whole command lines only; once the client has
#                          sent its K-th VERB command (RETR, DELE, QUIT...),
#                          pass that line on and nothing more from the
#                          client; pass the server's replies up to the
#                          one to that command and N bytes of it (0: none
#                          of it), then close both sides: the connection
#                          lost in the middle of a RETR, or after a DELE
#                          (which the server never commits: it enters
#                          UPDATE only on QUIT)
# Listens on 127.0.0.1 only, connects to 127.0.0.1 only; at most MAXCONN
# connections at once.
import asyncio
import socket
import struct
import sys

MAXCONN = 64
HOLD = 60
conns = 0

async def reset(r, w):
    s = w.get_extra_info('socket')
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    w.transport.abort()

async def hang(r, w):
    try:
        async def drain():
            while await r.read(65536):
                pass
        await asyncio.wait_for(drain(), HOLD)
    except (asyncio.TimeoutError, OSError):
        pass
    w.close()

async def pump(src, dst):
    """Copy src to dst until src ends."""
    while True:
        b = await src.read(65536)
        if not b:
            break
        dst.write(b)
        await dst.drain()

async def cut(r, w, n, target):
    sr, sw = await asyncio.open_connection('127.0.0.1', target)

    async def down():
        left = n
        while left > 0:
            data = await sr.read(min(left, 65536))
            if not data:
                break
            w.write(data)
            await w.drain()
            left -= len(data)

    t = asyncio.ensure_future(pump(r, sw))
    try:
        await asyncio.wait_for(down(), HOLD)
    except asyncio.TimeoutError:
        pass
    finally:
        t.cancel()
        sw.close()
        w.close()

async def data(r, w, n, target):
    sr, sw = await asyncio.open_connection('127.0.0.1', target)

    async def up():
        line = b''         # the current command line, until DATA is seen
        left = None        # bytes of message data still to pass on
        while True:
            b = await r.read(65536)
            if not b:
                return
            if left is None:
                # look for a "DATA" command line in what the client sent
                buf = line + b
                i = 0
                while left is None:
                    j = buf.find(b'\n', i)
                    if j < 0:
                        break
                    if buf[i:j].rstrip(b'\r').upper() == b'DATA':
                        left = n
                        sw.write(b[:len(b) - (len(buf) - j - 1)])
                        b = buf[j + 1:]
                    i = j + 1
                if left is None:
                    line = buf[i:][-1024:]
                    sw.write(b)
                    await sw.drain()
                    continue
            sw.write(b[:left])
            await sw.drain()
            left -= min(left, len(b))
            if left == 0:
                return

    t = asyncio.ensure_future(pump(sr, w))
    try:
        await asyncio.wait_for(up(), HOLD)
    except asyncio.TimeoutError:
        pass
    finally:
        t.cancel()
        sw.close()
        w.close()

async def dialogue(r, w, greeting, answer, bye):
    """The command loop of the fake servers: greet, then answer each
    command line with answer(verb, fields, r, w), which returns the reply
    (None: the client went away); QUIT gets bye."""
    w.write(greeting)
    while True:
        line = await asyncio.wait_for(r.readline(), HOLD)
        if not line:
            break
        f = line.rstrip(b'\r\n').split(b' ')
        verb = f[0].strip().upper()
        if verb == b'QUIT':
            w.write(bye)
            await w.drain()
            break
        reply = await answer(verb, f, r, w)
        if reply is None:
            return
        w.write(reply)
        await w.drain()
    w.close()

FAKE_SMTP = b'220 fake.yubin.test ESMTP faultproxy (not a real server)\r\n'
SMTP_BYE = b'221 2.0.0 Bye\r\n'
EHLO_AUTH = b'250-fake.yubin.test\r\n250 AUTH PLAIN LOGIN\r\n'

async def auth454(r, w):
    async def answer(verb, f, r, w):
        if verb == b'EHLO':
            return EHLO_AUTH
        if verb == b'AUTH':
            return b'454 4.7.0 Temporary authentication failure\r\n'
        return b'502 5.5.2 Error: command not recognized\r\n'
    await dialogue(r, w, FAKE_SMTP, answer, SMTP_BYE)

async def rstlogin(r, w):
    w.write(b'220 fake.yubin.test ESMTP faultproxy (not a real server)\r\n')
    await w.drain()
    line = await asyncio.wait_for(r.readline(), HOLD)
    if line.split(b' ', 1)[0].strip().upper() in (b'EHLO', b'HELO'):
        w.write(b'250 fake.yubin.test\r\n')
        await w.drain()
        await asyncio.wait_for(r.readline(), HOLD)
    await reset(r, w)

ODD = b'\xc2\x9b31m \xff caf\xc3\xa9'

async def imapalert(r, w):
    w.write(b'* OK fake IMAP (faultproxy, not a real server)\r\n')
    while True:
        line = await asyncio.wait_for(r.readline(), HOLD)
        if not line:
            break
        f = line.rstrip(b'\r\n').split(b' ')
        tag, verb = f[0], (f[1].upper() if len(f) > 1 else b'')
        if verb == b'CAPABILITY':
            w.write(b'* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN\r\n' +
                    tag + b' OK done\r\n')
        elif verb == b'AUTHENTICATE':
            mech = f[2].upper() if len(f) > 2 else b''
            chal = [b'VXNlcm5hbWU6', b'UGFzc3dvcmQ6'] if mech == b'LOGIN' \
                else [b'']
            if len(f) > 3:          # an initial response
                chal = chal[1:]
            for c in chal:
                w.write(b'* OK [ALERT] maintenance ' + ODD + b'\r\n' +
                        b'+ ' + c + b'\r\n')
                await w.drain()
                if not await asyncio.wait_for(r.readline(), HOLD):
                    return
            w.write(tag + b' OK logged in\r\n')
        elif verb == b'LOGOUT':
            w.write(b'* BYE fake\r\n' + tag + b' OK bye\r\n')
            await w.drain()
            break
        else:
            w.write(tag + b' BAD fake\r\n')
        await w.drain()
    w.close()

async def smtp554(r, w):
    async def answer(verb, f, r, w):
        return b'503 5.5.1 no service\r\n'
    await dialogue(r, w, b'554 5.3.2 no SMTP service here ' + ODD + b'\r\n',
                   answer, SMTP_BYE)

async def auth334(r, w):
    async def answer(verb, f, r, w):
        if verb == b'EHLO':
            return EHLO_AUTH
        if verb != b'AUTH':
            return b'502 5.5.2 fake\r\n'
        mech = f[1].upper() if len(f) > 1 else b''
        chal = [b'VXNlcm5hbWU6', b'UGFzc3dvcmQ6'] if mech == b'LOGIN' \
            else [b'']
        if len(f) > 2:          # an initial response
            chal = chal[1:]
        for c in chal:
            w.write(b'334-a multi-line challenge\r\n334 ' + c + b'\r\n')
            await w.drain()
            if not await asyncio.wait_for(r.readline(), HOLD):
                return None
        return b'235 2.7.0 fake: any password will do\r\n'
    await dialogue(r, w, FAKE_SMTP, answer, SMTP_BYE)

async def popdelay(r, w):
    async def answer(verb, f, r, w):
        if verb == b'CAPA':
            return b'+OK\r\nSASL PLAIN\r\nRESP-CODES\r\nUSER\r\n.\r\n'
        if verb in (b'AUTH', b'USER', b'PASS', b'APOP'):
            return b'-ERR [LOGIN-DELAY] wait 300 seconds between logins\r\n'
        return b'-ERR fake\r\n'
    await dialogue(r, w, b'+OK fake POP3 (faultproxy, not a real server)\r\n',
                   answer, b'+OK bye\r\n')

async def popcut(r, w, verb, k, n, target):
    """Proxy POP3, following which reply answers which command (replies
    come in command order; a "+ " line is a SASL challenge, and the
    client's next line its answer, not a command)."""
    sr, sw = await asyncio.open_connection('127.0.0.1', target)
    expect = [(b'', False, False)]      # (verb, multi-line, the cut one)
    sasl = [False]

    async def up():
        buf, seen = b'', 0
        while True:
            b = await r.read(65536)
            if not b:
                return 'eof'
            buf += b
            while True:
                j = buf.find(b'\n')
                if j < 0:
                    break
                line, buf = buf[:j + 1], buf[j + 1:]
                sw.write(line)
                if sasl[0]:
                    sasl[0] = False
                    continue
                f = line.rstrip(b'\r\n').split(b' ')
                v = f[0].upper()
                multi = v in (b'RETR', b'TOP', b'CAPA') or \
                    (v in (b'LIST', b'UIDL') and len(f) == 1)
                seen += v == verb
                expect.append((v, multi, v == verb and seen == k))
                if v == verb and seen == k:
                    await sw.drain()
                    return 'armed'
            if len(buf) > 65536:
                return 'eof'        # no line end: not POP3
            await sw.drain()

    async def rest(left):
        while left > 0:
            d = await sr.read(min(left, 65536))
            if not d:
                return
            w.write(d)
            await w.drain()
            left -= len(d)

    async def down():
        buf, multi = b'', False
        while True:
            data = await sr.read(65536)
            if not data:
                return
            buf += data
            out = b''
            while True:
                if not multi and expect and expect[0][2]:
                    w.write(out + buf[:n])
                    await w.drain()
                    await rest(n - len(buf[:n]))
                    return
                j = buf.find(b'\n')
                if j < 0:
                    break
                line, buf = buf[:j + 1], buf[j + 1:]
                out += line
                if multi:
                    multi = line != b'.\r\n'
                elif line.startswith(b'+ ') or line == b'+\r\n':
                    sasl[0] = True
                elif expect:
                    multi = expect.pop(0)[1] and line.startswith(b'+OK')
            w.write(out)
            await w.drain()

    tu, td = asyncio.ensure_future(up()), asyncio.ensure_future(down())
    try:
        await asyncio.wait([tu, td], timeout=HOLD,
                           return_when=asyncio.FIRST_COMPLETED)
        if tu.done() and tu.result() == 'armed':
            await asyncio.wait([td], timeout=HOLD)
    finally:
        tu.cancel()
        td.cancel()
        sw.close()
        w.close()

async def handle(r, w, fn, *args):
    global conns
    if conns >= MAXCONN:
        w.close()
        return
    conns += 1
    try:
        await fn(r, w, *args)
    except OSError:
        w.close()
    finally:
        conns -= 1

async def main():
    for rule in sys.argv[1:]:
        f = rule.split(':')
        if f[0] == 'reset':
            fn, port, args = reset, int(f[1]), ()
        elif f[0] == 'hang':
            fn, port, args = hang, int(f[1]), ()
        elif f[0] == 'cut':
            fn, port, args = cut, int(f[2]), (int(f[1]), int(f[3]))
        elif f[0] == 'auth454':
            fn, port, args = auth454, int(f[1]), ()
        elif f[0] in ('rstlogin', 'imapalert', 'smtp554', 'popdelay',
                      'auth334'):
            fn, port, args = globals()[f[0]], int(f[1]), ()
        elif f[0] == 'popcut':
            fn, port = popcut, int(f[4])
            args = (f[1].upper().encode(), int(f[2]), int(f[3]), int(f[5]))
        elif f[0] == 'data':
            fn, port, args = data, int(f[2]), (int(f[1]), int(f[3]))
        else:
            sys.exit('faultproxy: bad rule %r' % rule)
        await asyncio.start_server(
            lambda r, w, fn=fn, args=args: handle(r, w, fn, *args),
            '127.0.0.1', port, reuse_address=True)
    print('faultproxy: ready', flush=True)
    await asyncio.Event().wait()

if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit('usage: faultproxy.py RULE...')
    asyncio.run(main())
