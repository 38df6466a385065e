#!/usr/bin/python3
# Fault proxy for the lab: servers that misbehave, for clients' error paths.
# Usage: faultproxy.py RULE...   with RULE one of
#   reset:PORT             accept, then reset the connection (RST)
#   hang:PORT              accept, send nothing, read and drop; close after
#                          HOLD seconds
#   cut:N:PORT:TARGET      proxy to TARGET, but after N bytes from the server
#                          close both sides (a server dying mid-reply)
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

async def cut(r, w, n, target):
    sr, sw = await asyncio.open_connection('127.0.0.1', target)

    async def up():
        while True:
            data = await r.read(65536)
            if not data:
                break
            sw.write(data)
            await sw.drain()

    async def down():
        left = n
        while left > 0:
            data = await sr.read(min(left, 65536))
            if not data:
                break
            w.write(data)
            await w.drain()
            left -= len(data)

    t = asyncio.ensure_future(up())
    try:
        await asyncio.wait_for(down(), HOLD)
    except asyncio.TimeoutError:
        pass
    finally:
        t.cancel()
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
