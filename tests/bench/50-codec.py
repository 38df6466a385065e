"""Codec throughput: common/codec's base64 and quoted-printable coders on
data held in memory (tests/bench/codecbench.c), next to a reference coder
run on the very same data from a file: coreutils `base64 -d` and
`base64 -w 76` for base64, Python's binascii (a C implementation) for
quoted-printable, which coreutils lacks. Each reference's output is
checked once against codecbench's data."""

import binascii
import hashlib
import os
import re
import subprocess

from benchlib import BenchError

TITLE = "Codec throughput (common/codec vs coreutils base64, Python binascii)"
MIB = 64

PY_QP = ("python3 -c 'import sys, binascii; sys.stdout.buffer.write("
         "binascii.%s(sys.stdin.buffer.read()))'")

# coder (as codecbench names it), reference, its command, its input file
REFS = [
    ("base64 encode", "coreutils `base64 -w 76`",
     "base64 -w 76 < codec-raw.bin", "codec-raw.bin"),
    ("base64 decode", "coreutils `base64 -d`",
     "base64 -d < codec-b64.txt", "codec-b64.txt"),
    ("qp encode", "Python `binascii.b2a_qp`",
     PY_QP % "b2a_qp" + " < codec-text.txt", "codec-text.txt"),
    ("qp decode", "Python `binascii.a2b_qp`",
     PY_QP % "a2b_qp" + " < codec-qp.txt", "codec-qp.txt"),
]


def sha(data):
    return hashlib.sha256(data).hexdigest()


def run(b):
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(os.path.dirname(here))
    exe = b.path("codecbench")
    files = {k: b.path("codec-" + k) for k in
             ("b64.txt", "raw.bin", "text.txt", "qp.txt")}
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-std=c99", "-D_POSIX_C_SOURCE=200809L", "-O2",
                    "-I" + os.path.join(top, "common"),
                    os.path.join(here, "codecbench.c"),
                    os.path.join(top, "common", "codec.c"),
                    os.path.join(top, "common", "util.c"), "-o", exe],
                   check=True)
    p = subprocess.run([exe, "-m", str(MIB), "-w", files["b64.txt"],
                        "-R", files["raw.bin"], "-T", files["text.txt"],
                        "-Q", files["qp.txt"]],
                       stdout=subprocess.PIPE, text=True, check=True)
    rows = []
    for line in p.stdout.splitlines():
        m = re.match(r"(\w+ \w+)\s+([\d.]+) MB/s", line)
        if m:
            rows.append((m.group(1), float(m.group(2))))
    if len(rows) != 4:
        raise BenchError("codecbench printed:\n" + p.stdout)
    ours = dict(rows)

    def want(name):
        with open(files[name], "rb") as f:
            return f.read()

    # Each reference's output, once, untimed: a reference that codes
    # differently would make its figure meaningless.
    expect = {
        "base64 encode": ("byte-identical to common/codec's encoding",
                          lambda out: out == want("b64.txt")),
        "base64 decode": ("byte-identical to the random data",
                          lambda out: out == want("raw.bin")),
        "qp encode": ("decodes (binascii.a2b_qp) back to the text",
                      lambda out: binascii.a2b_qp(out) == want("text.txt")),
        "qp decode": ("byte-identical to the text",
                      lambda out: out == want("text.txt")),
    }
    checks = []
    for coder, ref, cmd, _ in REFS:
        rc, out, err = b.sh(cmd)
        what, ok = expect[coder]
        msg = "%s on codecbench's data: exit %d, %d bytes out, %s" % (
            ref, rc, len(out), what)
        if rc != 0 or not ok(out):
            msg = b.check_failed(msg + ": NO (sha256 %s)" % sha(out)[:16])
        checks.append(msg)

    out = ["| Coder | common/codec MB/s | Reference | Reference MB/s "
           "| codec ÷ reference |", "|---|--:|---|--:|--:|"]
    summary = []
    for coder, ref, cmd, src in REFS:
        st = b.timeit(cmd + " > /dev/null")
        mbs = os.path.getsize(b.path(src)) / st.median / 1e6
        ratio = ours[coder] / mbs
        out.append("| %s | %.0f | %s | %.0f | %.1f× |"
                   % (coder, ours[coder], ref, mbs, ratio))
        summary.append("%s: %.0f MB/s, %.2fx vs %s (%.0f MB/s)"
                       % (coder, ours[coder], ratio, ref, mbs))
    dec = ours["base64 decode"]
    summary[1] += " (target >= 1000 MB/s: %s)" % (
        "met" if dec >= 1000 else "MISSED")
    for x in summary:
        b.log(x)
    out.append("")
    out.append("common/codec figures: best of 3 in-memory runs over %d MiB "
               "fed in 64 KiB chunks, CPU time (codecbench: random bytes for "
               "base64, UTF-8 text with long lines, `=`, tabs and trailing "
               "blanks for quoted-printable). References: median wall time "
               "of the whole process on the same data, from a file to "
               "/dev/null (`CMD < FILE > /dev/null`; Python's times include "
               "starting the interpreter and reading the file into memory). "
               "MB/s count the coder's input bytes. Target for base64 "
               "decoding: at least 1 GB/s on one core: %s."
               % (MIB, "met" if dec >= 1000 else "**not met**"))
    b.emit("\n".join(out))
    b.emit("\nTargets:\n\n" + "".join("- %s\n" % x for x in summary))
    b.checks(checks)
    b.emit("References as run:\n\n" + "".join(
        "- %s: `%s > /dev/null`\n" % (ref, cmd) for _, ref, cmd, _ in REFS))
    for f in files.values():
        os.unlink(f)
