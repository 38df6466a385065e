#!/usr/bin/env python3
"""FAKE DNS server for tests/mxlookup.bats: faults NSD will not produce.

A fault-injecting fake, over UDP only, on 127.0.0.1 (port 0: the kernel
picks it; the first line printed is "ready PORT").  Nothing listens on
TCP, so a client that asks again over TCP gets no answer.  It answers,
TTL 300:

  big.fake.test   MX  12 records, a UDP answer of more than 512 bytes
                      WITHOUT the TC bit (a server that ignores the 512
                      limit of RFC 1035 4.2.1, or a forwarder passing on
                      an EDNS answer; NSD truncates and sets TC instead)
  huge.fake.test  MX  100 records, a UDP answer of 8832 bytes without TC
                      (past the 4097 that c-ares itself reads of a datagram)
  dup.fake.test   MX  10 mx1.fake.test twice, 10 MX1.FAKE.TEST (the same
                      name in other letters), 20 mx2.fake.test twice,
                      30 mx1.fake.test (NSD drops duplicates when it loads
                      a zone; a broken server or a forwarder merging
                      answers does not)
                  TXT "v=spf1 -all" twice
  _submission._tcp.dup.fake.test  SRV 0 1 587 mx1.fake.test twice
  bigtxt.fake.test  TXT one record of 200 strings of 255 bytes 0x01 (rdata
                    of 51 000 bytes, 204 000 once printed as \001 each)
  mx1.fake.test   A   127.0.0.1 twice, 127.0.0.2
  mx2.fake.test   A   127.0.0.3
  dup2.fake.test  MX  10 mx.dup2.fake.test, with A 127.0.0.4 twice in
                      the additional section
  nullmx.fake.test  MX 0 .
  silent.fake.test  no answer at all (for a batch whose worst outcome
                    is a timeout beside a permanent failure)
  anything else: NOERROR, no record.

usage: fake_dns_faults.py [SECONDS]   (exits after SECONDS, default 30)
"""
import socket
import struct
import sys
import time


def wire(name):
    out = b""
    for label in name.split(".") if name else []:
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def record(owner, rtype, rdata):
    return wire(owner) + struct.pack(">HHIH", rtype, 1, 300,
                                     len(rdata)) + rdata


def mx(owner, pref, host):
    return record(owner, MX, struct.pack(">H", pref) + wire(host))


def a(owner, addr):
    return record(owner, A, socket.inet_aton(addr))


def txt(owner, s):
    return record(owner, TXT, bytes([len(s)]) + s.encode())


def bigtxt(owner):
    return record(owner, TXT, (bytes([255]) + b"\1" * 255) * 200)


def srv(owner, prio, weight, port, host):
    return record(owner, SRV,
                  struct.pack(">HHH", prio, weight, port) + wire(host))


A, MX, TXT, SRV = 1, 15, 16, 33
LONG = "-a-rather-long-label-to-make-the-answer-big.fake.test"
SUB = "_submission._tcp.dup.fake.test"
ANSWERS = {
    ("big.fake.test", MX): (
        [mx("big.fake.test", 10, "mx%02d%s" % (i, LONG))
         for i in range(1, 13)], []),
    ("huge.fake.test", MX): (
        [mx("huge.fake.test", 10, "mx%03d%s" % (i, LONG))
         for i in range(1, 101)], []),
    ("dup.fake.test", MX): (
        [mx("dup.fake.test", 10, "mx1.fake.test"),
         mx("dup.fake.test", 20, "mx2.fake.test"),
         mx("dup.fake.test", 10, "mx1.fake.test"),
         mx("dup.fake.test", 30, "mx1.fake.test"),
         mx("dup.fake.test", 10, "MX1.FAKE.TEST"),
         mx("dup.fake.test", 20, "mx2.fake.test")], []),
    ("bigtxt.fake.test", TXT): ([bigtxt("bigtxt.fake.test")], []),
    ("dup.fake.test", TXT): (
        [txt("dup.fake.test", "v=spf1 -all"),
         txt("dup.fake.test", "v=spf1 -all")], []),
    (SUB.lower(), SRV): (
        [srv(SUB, 0, 1, 587, "mx1.fake.test"),
         srv(SUB, 0, 1, 587, "mx1.fake.test")], []),
    ("mx1.fake.test", A): (
        [a("mx1.fake.test", "127.0.0.1"), a("mx1.fake.test", "127.0.0.2"),
         a("mx1.fake.test", "127.0.0.1")], []),
    ("mx2.fake.test", A): ([a("mx2.fake.test", "127.0.0.3")], []),
    ("nullmx.fake.test", MX): ([mx("nullmx.fake.test", 0, "")], []),
    ("dup2.fake.test", MX): (
        [mx("dup2.fake.test", 10, "mx.dup2.fake.test")],
        [a("mx.dup2.fake.test", "127.0.0.4"),
         a("mx.dup2.fake.test", "127.0.0.4")]),
}


def answer(pkt):
    i, labels = 12, []
    while pkt[i]:
        labels.append(pkt[i + 1:i + 1 + pkt[i]].decode().lower())
        i += 1 + pkt[i]
    qtype, = struct.unpack(">H", pkt[i + 1:i + 3])
    if ".".join(labels) == "silent.fake.test":
        return None
    question = pkt[12:i + 5]
    an, ar = ANSWERS.get((".".join(labels), qtype), ([], []))
    # QR, RD, RA; never TC, whatever the size
    head = pkt[:2] + struct.pack(">HHHHH", 0x8180, 1, len(an), 0, len(ar))
    return head + question + b"".join(an) + b"".join(ar)


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
        out = answer(pkt)
        if out is not None:
            sock.sendto(out, peer)


main()
