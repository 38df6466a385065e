"""Codec throughput: common/codec's base64 and quoted-printable coders as a
whole process (`codecbench -p CODER < FILE > /dev/null`, a filter that
streams stdin to stdout 64 KiB at a time, tests/bench/codecbench.c) against
a reference coder, also a whole process, on the very same file: coreutils
`base64 -d` and `base64 -w 76` for base64, Python's binascii (a C
implementation) for quoted-printable, which coreutils lacks. Both sides'
outputs are checked once against codecbench's data. The library's
in-memory CPU-time figure is shown apart and compared with nothing."""

import binascii
import hashlib
import os
import re
import subprocess

from benchlib import BenchError, Stats

TITLE = ("Codec throughput, process against process (common/codec vs "
         "coreutils base64, Python binascii)")
MIB = 64

PY_QP = ("python3 -c 'import sys, binascii; sys.stdout.buffer.write("
         "binascii.%s(sys.stdin.buffer.read()))'")

# coder (as codecbench names it), reference, its command, its input file,
# codecbench -p's name of the coder
REFS = [
    ("base64 encode", "coreutils `base64 -w 76`",
     "base64 -w 76 < codec-raw.bin", "codec-raw.bin", "b64e"),
    ("base64 decode", "coreutils `base64 -d`",
     "base64 -d < codec-b64.txt", "codec-b64.txt", "b64d"),
    ("qp encode", "Python `binascii.b2a_qp`",
     PY_QP % "b2a_qp" + " < codec-text.txt", "codec-text.txt", "qpe"),
    ("qp decode", "Python `binascii.a2b_qp`",
     PY_QP % "a2b_qp" + " < codec-qp.txt", "codec-qp.txt", "qpd"),
]


def timeit_pair(b, one, other):
    """One warm-up run of each, then b.runs timed runs of each, taking
    turns; their Stats."""
    times = ([], [], [], [])
    for i in range(b.runs + 1):
        for k, cmd in enumerate((one, other)):
            os.sync()
            t, c = b._once(cmd)
            if i:
                times[2 * k].append(t)
                times[2 * k + 1].append(c)
    return (Stats(times[0], 1.0, times[1]), Stats(times[2], 1.0, times[3]))


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

    # Each process's output, once, untimed: a coder that codes
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
    def ourcmd(name, src):
        return "%s -p %s < %s" % (exe, name, src)

    checks = []
    for coder, ref, cmd, src, name in REFS:
        what, ok = expect[coder]
        for who, c in (("codecbench -p %s" % name, ourcmd(name, src)),
                       (ref, cmd)):
            rc, out, err = b.sh(c)
            msg = "%s on codecbench's data: exit %d, %d bytes out, %s" % (
                who, rc, len(out), what)
            if rc != 0 or not ok(out):
                msg = b.check_failed(msg + ": NO (sha256 %s)"
                                     % sha(out)[:16])
            checks.append(msg)

    out = ["| Coder | common/codec, process MB/s | Reference | Reference, "
           "process MB/s | codec ÷ reference | common/codec in memory, "
           "CPU time MB/s (library only, not comparable) |",
           "|---|--:|---|--:|--:|--:|"]
    summary = []
    for coder, ref, cmd, src, name in REFS:
        size = os.path.getsize(b.path(src))
        # interleaved, as every task of the bench: drift falls on both
        ost, rst = timeit_pair(b, ourcmd(name, src) + " > /dev/null",
                               cmd + " > /dev/null")
        mine, mbs = size / ost.median / 1e6, size / rst.median / 1e6
        ratio = mine / mbs
        out.append("| %s | %.0f | %s | %.0f | %.1f× | %.0f |"
                   % (coder, mine, ref, mbs, ratio, ours[coder]))
        summary.append("%s: %.0f MB/s as a process, %.2fx vs %s (%.0f "
                       "MB/s); the library alone %.0f MB/s of CPU time"
                       % (coder, mine, ratio, ref, mbs, ours[coder]))
    dec = ours["base64 decode"]
    summary[1] += " (target >= 1000 MB/s on one core, library CPU time: " \
        "%s)" % ("met" if dec >= 1000 else "MISSED")
    for x in summary:
        b.log(x)
    out.append("")
    out.append("Process columns: median wall time of the whole process, "
               "`CMD < FILE > /dev/null`, on the same file for both sides "
               "(codecbench -p streams it 64 KiB at a time, as mimeunpack "
               "does; Python's times include starting the interpreter and "
               "reading the file into memory); the ratio compares these "
               "two only. Last column: best of 3 in-memory runs of the "
               "library over %d MiB fed in 64 KiB chunks, CPU time, no I/O "
               "and no process start (codecbench: random bytes for base64, "
               "UTF-8 text with long lines, `=`, tabs and trailing blanks "
               "for quoted-printable). MB/s count the coder's input bytes. "
               "Target for base64 decoding, at least 1 GB/s on one core "
               "(library CPU time): %s."
               % (MIB, "met" if dec >= 1000 else "**not met**"))
    b.emit("\n".join(out))
    b.emit("\nTargets:\n\n" + "".join("- %s\n" % x for x in summary))
    b.checks(checks)
    b.emit("Commands as run:\n\n" + "".join(
        "- %s: `codecbench -p %s < %s > /dev/null`; %s: `%s > /dev/null`\n"
        % (coder, name, src, ref, cmd) for coder, ref, cmd, src, name in REFS))
    for f in files.values():
        os.unlink(f)
