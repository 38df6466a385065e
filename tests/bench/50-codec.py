"""Codec throughput: common/codec's base64 and quoted-printable coders on
data held in memory (tests/bench/codecbench.c), next to coreutils
`base64 -d` decoding the same base64 text from a file."""

import os
import re
import subprocess

from benchlib import BenchError

TITLE = "Codec throughput (common/codec vs coreutils base64)"
MIB = 256


def run(b):
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(os.path.dirname(here))
    exe = b.path("codecbench")
    text = b.path("codec-b64.txt")
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-std=c99", "-D_POSIX_C_SOURCE=200809L", "-O2",
                    "-I" + os.path.join(top, "common"),
                    os.path.join(here, "codecbench.c"),
                    os.path.join(top, "common", "codec.c"),
                    os.path.join(top, "common", "util.c"), "-o", exe],
                   check=True)
    p = subprocess.run([exe, "-m", str(MIB), "-w", text],
                       stdout=subprocess.PIPE, text=True, check=True)
    rows = []
    for line in p.stdout.splitlines():
        m = re.match(r"(\w+ \w+)\s+([\d.]+) MB/s", line)
        if m:
            rows.append((m.group(1), float(m.group(2))))
    if len(rows) != 4:
        raise BenchError("codecbench printed:\n" + p.stdout)
    size = os.path.getsize(text)
    st = b.timeit("base64 -d < codec-b64.txt > /dev/null")
    core = size / st.median / 1e6
    dec = dict(rows)["base64 decode"]
    out = ["| Coder | MB/s of input | vs coreutils `base64 -d` |",
           "|---|--:|--:|"]
    for name, mbs in rows:
        ratio = "%.1f×" % (mbs / core) if name == "base64 decode" else ""
        out.append("| common/codec %s | %.0f | %s |" % (name, mbs, ratio))
    out.append("| coreutils `base64 -d` (whole process, from a file) "
               "| %.0f | 1.0 (ref.) |" % core)
    out.append("")
    out.append("common/codec figures: best of 3 in-memory runs over %d MiB "
               "fed in 64 KiB chunks, CPU time (codecbench). coreutils: "
               "median wall time of `base64 -d < FILE > /dev/null` on the "
               "same %d-byte text. Target for base64 decoding: at least "
               "1 GB/s on one core: %s."
               % (MIB, size, "met" if dec >= 1000 else "**not met**"))
    b.emit("\n".join(out))
    os.unlink(text)
