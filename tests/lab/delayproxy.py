#!/usr/bin/python3
# Delay proxy for the lab: adds latency on loopback, where tc netem is not
# available.  Every chunk read from either side is written to the other side
# MS milliseconds after it was read (order kept; the delay is not cumulative).
# Usage: delayproxy.py MS LISTEN_PORT:TARGET_PORT...
# Listens on 127.0.0.1 only, connects to 127.0.0.1 only; at most MAXCONN
# connections at once and QMAX chunks in flight per direction.
import asyncio
import socket
import sys
import time

MAXCONN = 64
QMAX = 256
conns = 0

async def pump(reader, writer, delay):
    q = asyncio.Queue(QMAX)

    async def sender():
        while True:
            due, data = await q.get()
            d = due - time.monotonic()
            if d > 0:
                await asyncio.sleep(d)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    task = asyncio.ensure_future(sender())
    try:
        while True:
            data = await reader.read(65536)
            await q.put((time.monotonic() + delay, data))
            if not data:
                break
        await task
    finally:
        task.cancel()

def nodelay(w):
    s = w.get_extra_info('socket')
    if s is not None:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

async def handle(cr, cw, target, delay):
    global conns
    if conns >= MAXCONN:
        cw.close()
        return
    conns += 1
    sw = None
    try:
        sr, sw = await asyncio.open_connection('127.0.0.1', target)
        nodelay(cw)
        nodelay(sw)
        await asyncio.gather(pump(cr, sw, delay), pump(sr, cw, delay))
    except (OSError, asyncio.CancelledError):
        pass
    finally:
        conns -= 1
        cw.close()
        if sw is not None:
            sw.close()

async def main():
    delay = int(sys.argv[1]) / 1000.0
    for m in sys.argv[2:]:
        lp, tp = (int(x) for x in m.split(':'))
        await asyncio.start_server(
            lambda r, w, tp=tp: handle(r, w, tp, delay), '127.0.0.1', lp,
            reuse_address=True)
    print('delayproxy: ready', flush=True)
    await asyncio.Event().wait()

if __name__ == '__main__':
    if len(sys.argv) < 3:
        sys.exit('usage: delayproxy.py MS LISTEN_PORT:TARGET_PORT...')
    asyncio.run(main())
