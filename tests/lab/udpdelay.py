#!/usr/bin/env python3
"""A DNS delay proxy, UDP and TCP: every packet (and every TCP chunk) is
passed on MS milliseconds later, in each direction, so a query costs one
extra round trip of 2 * MS.  tc netem is missing on these machines (see
/work/shared/notes/lab.md), and the lab's delayproxy.py is TCP only.

    udpdelay.py MS LISTEN_HOST:PORT UPSTREAM_HOST:PORT [LIFETIME_S]

Loopback only: both addresses must be in 127.0.0.0/8 or ::1.  It stops by
itself after LIFETIME_S seconds (default 600) and after 1 000 000 packets,
whichever comes first.  Prints "ready" on stdout once it listens.

UDP answers are matched to their client by the query id and the question
(the bytes after the 12-byte header up to the end of the question), as a
resolver would; one upstream socket carries every query.

A LISTEN port of 0 takes a free port (UDP, and TCP on the same number)
and prints "ready PORT" instead.  With UDPDELAY_DROP=N in the
environment it loses the first copy of every Nth UDP query (counted as
they arrive; a copy sent again with the same id and question passes):
the lost packets a real server will not produce on demand.
"""

import asyncio
import ipaddress
import os
import socket
import sys

MAX_PACKETS = 1_000_000
SO_RCVBUFFORCE, SO_SNDBUFFORCE = 33, 32     # Linux, root only


def big_buffers(transport):
    """A burst of a thousand queries must not overflow the proxy's own
    socket (the default buffer holds about 250 small datagrams): the
    proxy should add delay, not loss."""
    sock = transport.get_extra_info("socket")
    for force, plain in ((SO_RCVBUFFORCE, socket.SO_RCVBUF),
                         (SO_SNDBUFFORCE, socket.SO_SNDBUF)):
        try:
            sock.setsockopt(socket.SOL_SOCKET, force, 8 << 20)
        except OSError:
            sock.setsockopt(socket.SOL_SOCKET, plain, 8 << 20)


def hostport(s):
    host, _, port = s.rpartition(":")
    host = host.strip("[]")
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit("udpdelay: %s is not a loopback address" % host)
    return host, int(port)


def key(pkt):
    # id + question name and type (the question ends 4 bytes after the
    # name's final zero octet; names in queries are never compressed)
    if len(pkt) < 12:
        return None
    end = pkt.find(b"\0", 12)
    return pkt[:2] + pkt[12:end + 5] if end >= 0 else None


class Counter:
    n = 0

    @classmethod
    def tick(cls):
        cls.n += 1
        if cls.n > MAX_PACKETS:
            asyncio.get_event_loop().stop()


class Upstream(asyncio.DatagramProtocol):
    def __init__(self, proxy):
        self.proxy = proxy

    def datagram_received(self, data, addr):
        Counter.tick()
        k = key(data)
        client = self.proxy.pending.pop(k, None)
        if client is not None:
            self.proxy.later(lambda: self.proxy.transport.sendto(data, client))


class Proxy(asyncio.DatagramProtocol):
    def __init__(self, delay, upstream, drop=0):
        self.delay, self.up_addr = delay, upstream
        self.pending = {}
        self.transport = self.up = None
        self.drop, self.queries, self.dropped = drop, 0, set()

    def later(self, fn):
        asyncio.get_event_loop().call_later(self.delay, fn)

    def connection_made(self, transport):
        self.transport = transport
        big_buffers(transport)

    def datagram_received(self, data, addr):
        Counter.tick()
        k = key(data)
        if k is None:
            return
        if len(self.pending) > 10000:
            self.pending.clear()      # lost answers: bounded memory
        self.queries += 1
        if self.drop and self.queries % self.drop == 0 and \
                k not in self.dropped:
            if len(self.dropped) > 10000:
                self.dropped.clear()
            self.dropped.add(k)
            return
        self.pending[k] = addr
        self.later(lambda: self.up.sendto(data, self.up_addr))


async def pipe(reader, writer, delay):
    loop = asyncio.get_event_loop()
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            Counter.tick()
            loop.call_later(delay, writer.write, data)
    finally:
        loop.call_later(delay, writer.close)


async def main(argv):
    if len(argv) not in (4, 5):
        sys.exit(__doc__)
    delay = int(argv[1]) / 1000.0
    listen, upstream = hostport(argv[2]), hostport(argv[3])
    life = float(argv[4]) if len(argv) == 5 else 600.0
    loop = asyncio.get_event_loop()
    proxy = Proxy(delay, upstream,
                  int(os.environ.get("UDPDELAY_DROP", "0") or 0))
    t, _ = await loop.create_datagram_endpoint(lambda: proxy,
                                               local_addr=listen)
    any_port = listen[1] == 0
    if any_port:
        listen = (listen[0], t.get_extra_info("sockname")[1])
    up, _ = await loop.create_datagram_endpoint(
        lambda: Upstream(proxy), remote_addr=None,
        family=6 if ":" in upstream[0] else 2,
        local_addr=("::1" if ":" in upstream[0] else "127.0.0.1", 0))
    big_buffers(up)
    proxy.up = up

    async def tcp(reader, writer):
        try:
            ur, uw = await asyncio.open_connection(*upstream)
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, uw, delay), pipe(ur, writer, delay))

    server = await asyncio.start_server(tcp, listen[0], listen[1],
                                        reuse_address=True)
    print("ready %d" % listen[1] if any_port else "ready", flush=True)
    async with server:
        await asyncio.sleep(life)


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv))
    except (KeyboardInterrupt, RuntimeError):
        pass
