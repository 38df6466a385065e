#!/usr/bin/env python3
"""No silent loss: every part with data in its body gives data, or a
warning that names it and a failing exit status.

    noloss.py MIMEUNPACK FILE...

Python's email package decides the parts and their raw bodies (the part
tree and IMAP numbers of pyoracle.py).  For each leaf whose raw body
holds a byte other than white space, mimeunpack -O -s PART must print
something, or else exit non-zero with a warning on that part (or on a
part that holds it: a container taken as text, a message/rfc822 in
base64, which mimeunpack does not walk) or on the whole file ("not a
message").  Python's tree and mimeunpack's may differ where the two
read a header differently (Python takes "Subject : x" and a field name
split from its colon as the body's start); the rule still holds then.
Prints each loss and a summary line; exits 1 on any loss.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyoracle  # noqa: E402


def raw_body(p):
    b = p.get_payload(decode=False)
    if isinstance(b, str):
        b = b.encode("utf-8", "surrogateescape")
    return b if isinstance(b, bytes) else b""


def covers(err, name, sec):
    """Is there a warning on part sec, on a part that holds it, or on
    the message?"""
    for line in err.splitlines():
        line = line.split(": ", 1)[-1]      # the program's name
        pre = "%s: part " % name
        if line.startswith("%s: message: " % name):
            return True
        if not line.startswith(pre):
            continue
        w = line[len(pre):].split(":", 1)[0]
        if sec == w or sec.startswith(w + "."):
            return True
    return False


def check(prog, path):
    """The number of parts with data in one file, and the losses."""
    n, lost = 0, []
    for sec, p in pyoracle.leaves(pyoracle.load(path)):
        raw = raw_body(p)
        if not raw.strip():
            continue
        n += 1
        r = subprocess.run([prog, "-O", "-s", sec, path],
                           capture_output=True)
        err = r.stderr.decode("utf-8", "replace")
        if r.stdout:
            continue
        if r.returncode != 0 and (covers(err, path, sec) or
                                  "%s: not a message" % path in err):
            continue
        lost.append("%s: part %s: %d raw bytes, no output, exit %d%s" % (
            path, sec, len(raw), r.returncode,
            ", a warning" if err else ", no warning"))
    return n, lost


def main():
    prog, files = sys.argv[1], sys.argv[2:]
    parts, losses = 0, []
    for f in files:
        n, lost = check(prog, f)
        parts += n
        losses += lost
    for s in losses:
        print(s)
    print("%d files, %d parts with data, %d lost" % (
        len(files), parts, len(losses)))
    return 1 if losses else 0


if __name__ == "__main__":
    sys.exit(main())
