#!/usr/bin/env python3
"""FAKE DNS server for tests/mxlookup.bats: additional data that lies.

A forwarder that passes on an upstream answer verbatim (dnsmasq does) can
hand mxlookup an MX answer whose additional section gives addresses for
hosts the answering zone does not own.  NSD will not produce that, so
this fake does, over UDP on 127.0.0.1 (port 0: the kernel picks it; the
first line printed is "ready PORT").  It answers, TTL 300:

  evil.test  MX 10 mx1.yubin.test, additional mx1.yubin.test A 127.0.0.9
             (another zone's host: out of evil.test's bailiwick)
  evil2.test MX 10 mx.evil2.test, additional mx.evil2.test A 127.0.0.9
             (its own host: usable for evil2.test's lookup only)
  good.test  MX 10 mx1.yubin.test     } 300 ms late, so that the evil
  good2.test MX 10 mx.evil2.test      } answers are read first
  mx1.yubin.test, mx.evil2.test  A 127.0.0.1 (the truth)
  anything else: NOERROR, no record.

usage: fake_dns_additional.py [SECONDS]   (exits after SECONDS, default 30)
"""
import socket
import struct
import sys
import threading
import time


def wire(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def record(owner, rtype, rdata):
    return wire(owner) + struct.pack(">HHIH", rtype, 1, 300,
                                     len(rdata)) + rdata


def mx(owner, host):
    return record(owner, 15, struct.pack(">H", 10) + wire(host))


def a(owner, addr):
    return record(owner, 1, socket.inet_aton(addr))


MX, A = 15, 1
ANSWERS = {
    ("evil.test", MX): ([mx("evil.test", "mx1.yubin.test")],
                        [a("mx1.yubin.test", "127.0.0.9")], 0),
    ("evil2.test", MX): ([mx("evil2.test", "mx.evil2.test")],
                         [a("mx.evil2.test", "127.0.0.9")], 0),
    ("good.test", MX): ([mx("good.test", "mx1.yubin.test")], [], 0.3),
    ("good2.test", MX): ([mx("good2.test", "mx.evil2.test")], [], 0.3),
    ("mx1.yubin.test", A): ([a("mx1.yubin.test", "127.0.0.1")], [], 0),
    ("mx.evil2.test", A): ([a("mx.evil2.test", "127.0.0.1")], [], 0),
}


def serve(sock, pkt, peer):
    i, labels = 12, []
    while pkt[i]:
        labels.append(pkt[i + 1:i + 1 + pkt[i]].decode().lower())
        i += 1 + pkt[i]
    qtype, = struct.unpack(">H", pkt[i + 1:i + 3])
    question = pkt[12:i + 5]
    an, ar, delay = ANSWERS.get((".".join(labels), qtype), ([], [], 0))
    time.sleep(delay)
    head = pkt[:2] + struct.pack(">HHHHH", 0x8180, 1, len(an), 0, len(ar))
    sock.sendto(head + question + b"".join(an) + b"".join(ar), peer)


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    print("ready %d" % sock.getsockname()[1], flush=True)
    end = time.time() + float(sys.argv[1] if len(sys.argv) > 1 else 30)
    while time.time() < end:
        sock.settimeout(max(0.01, end - time.time()))
        try:
            pkt, peer = sock.recvfrom(4096)
        except socket.timeout:
            break
        threading.Thread(target=serve, args=(sock, pkt, peer),
                         daemon=True).start()


main()
