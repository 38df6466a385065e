#!/usr/bin/python3
"""Messages for popfetch's tests, made at test time (the big ones must not
be committed):

  genmsgs.py OUTDIR N [--big BYTES] [--seed S] [--plain]

writes OUTDIR/NNN.eml, N messages, each with a distinct Subject and
Message-ID.  Without --plain they cycle through the shapes that break
fetchers: an empty body, no final newline, headers only, lines "." and
"..", "From " and ">From " lines (mbox quoting), long lines (998, 10 000
and 100 000 bytes), 8-bit and control bytes (with one NUL and a bare CR
here and there), CRLF line ends in the file, a folded header, a Received
field of the message's own at the top, sizes from 100 bytes to 200 KB.
--big BYTES makes the last message BYTES long (text with dot lines).
--plain: simple text messages of 1 to 20 KB (for the crash tests).
The same arguments give the same bytes.
"""

import os
import random
import sys


def head(i, seed, extra=b""):
    return (b"Received: from relay.example.org by pop.example.org; "
            b"Sun, 22 Nov 2026 04:59:00 +0000\n" if i % 10 == 9 else b"") + (
        b"From: Alice <alice@yubin.test>\nTo: bob@example.org\n"
        b"Subject: popfetch test %03d\n"
        b"Date: Sun, 22 Nov 2026 05:00:00 +0000\n"
        b"Message-ID: <%03d.%d@popfetch.test>\n" % (i, i, seed)) + extra


def text(rnd, size):
    words = [b"mail", b"pop", b"fetch", b"maildir", b"mbox", b"dot", b"line",
             b"crlf", b"server", b"yubin", b"once", b"crash"]
    out, n = [], 0
    while n < size:
        line = b" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 14)))
        out.append(line + b"\n")
        n += len(line) + 1
    return b"".join(out)


def binaryish(rnd, size, odd):
    ok = bytes(b for b in range(1, 256) if b not in (10, 13))
    out = bytearray()
    while len(out) < size:
        out += bytes(rnd.choice(ok) for _ in range(rnd.randint(0, 120)))
        out += b"\n"
    if odd:
        out[10:10] = b"nul\x00here bare\rcr crlf\r\n"
    return bytes(out)


def shaped(i, rnd, seed):
    k = i % 12
    if k == 0:
        return head(i, seed) + b"\n" + text(rnd, rnd.randint(100, 4000))
    if k == 1:          # empty body
        return head(i, seed) + b"\n"
    if k == 2:          # no final newline
        return head(i, seed) + b"\n" + text(rnd, 300) + b"no final newline"
    if k == 3:          # headers only, not even a final newline
        return head(i, seed).rstrip(b"\n")
    if k == 4:          # dot lines, first and last
        return head(i, seed) + b"\n.\n" + text(rnd, 200) + \
            b"..\n...\n.x\n. \n" + text(rnd, 200) + b".\n..\n."
    if k == 5:          # mbox quoting
        return head(i, seed) + b"\nFrom the start\n\nFrom here\n>From a\n" \
            b">>From b\n From not\nFrom:\n" + text(rnd, 300) + b"\nFrom end\n"
    if k == 6:          # long lines
        n = (998, 10000, 100000)[(i // 12) % 3]
        return head(i, seed) + b"\n" + bytes(
            rnd.choice(b"abcdefghij.") for _ in range(n)) + b"\n" + \
            text(rnd, 200)
    if k == 7:          # 8-bit and control bytes
        return head(i, seed, b"Content-Transfer-Encoding: 8bit\n") + b"\n" + \
            binaryish(rnd, rnd.randint(200, 5000), (i // 12) % 4 == 0)
    if k == 8:          # bigger
        return head(i, seed) + b"\n" + text(rnd, rnd.randint(50000, 200000))
    if k == 9:          # CRLF in the file
        return (head(i, seed) + b"\n" + text(rnd, 1000)).replace(
            b"\n", b"\r\n")
    if k == 10:         # folded header, 8-bit header
        return head(i, seed, b"X-Long: one\n\ttwo\n  three\n"
                    b"X-Utf8: caf\xc3\xa9 \xff\n") + b"\n" + text(rnd, 500)
    return head(i, seed) + b"\n" + text(rnd, rnd.randint(100, 1000))


def big(i, seed, size):
    line = b"0123456789abcdefghijklmnopqrstuvwxyz.ABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
    h = head(i, seed) + b"\n"
    n = (size - len(h)) // len(line)
    body = b"".join(b"." + line[1:] if j % 1000 == 0 else line
                    for j in range(n))
    return h + body + b"x" * (size - len(h) - len(body))


def main(argv):
    args = argv[1:]
    bigsize, seed, plain = 0, 1, False
    while len(args) > 2:
        a = args.pop(2)
        if a == "--big":
            bigsize = int(args.pop(2))
        elif a == "--seed":
            seed = int(args.pop(2))
        elif a == "--plain":
            plain = True
        else:
            sys.exit(__doc__)
    if len(args) != 2:
        sys.exit(__doc__)
    out, n = args[0], int(args[1])
    os.makedirs(out, exist_ok=True)
    rnd = random.Random(seed)
    for i in range(1, n + 1):
        if bigsize and i == n:
            m = big(i, seed, bigsize)
        elif plain:
            m = head(i, seed) + b"\n" + text(rnd, rnd.randint(1000, 20000))
        else:
            m = shaped(i, rnd, seed)
        with open(os.path.join(out, "%03d.eml" % i), "wb") as f:
            f.write(m)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
