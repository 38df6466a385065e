"""MIME attachments (issue 3): mimeunpack -x against munpack, ripmime and
mblaze's mshow -x, taking apart one 64 MiB base64 attachment and a message
of 200 attachments (half base64 binary, half quoted-printable text);
mimepack against mpack, attaching the 64 MiB file. Every run's output is
checked: each extracted file byte for byte against its source, each packed
message decoded back (by Python, not by a tool under test) and compared.

The inputs are gencorpus.py's mime/ directory. Every extraction run starts
in an empty directory made before the clock starts; the outputs of earlier
runs are deleted only after the timed runs (see fresh_dir()).  The 200
attachments are extracted twice: onto the disk of the bench directory, and
into $YUBIN_BENCH_TMPFS (default /dev/shm, a tmpfs), where the time is the
tools' own and not the file system's; point it at another file system to
measure there."""

import binascii
import hashlib
import os
import re
import shutil
import subprocess
import tempfile

from benchlib import BenchError, fmt_kib, fmt_time

TITLE = "MIME attachments: mimeunpack and mimepack against munpack, " \
        "ripmime, mshow and mpack"
RSS_TARGET = 8 * 1024           # KiB
BIG_RATIO = 3.0                 # 64 MiB extraction and attaching
MULTI_RATIO = 2.0               # 200 attachments
SHM = os.environ.get("YUBIN_BENCH_TMPFS", "/dev/shm")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def packed_attachment(path, name):
    """The decoded body of the part of the message in path whose
    Content-Disposition or Content-Type names the file name: a small
    reader of RFC 2046 multipart/mixed written for this check, so that
    no program under test checks itself."""
    with open(path, "rb") as f:
        data = f.read().replace(b"\r\n", b"\n")
    head, sep, body = data.partition(b"\n\n")
    if not sep:
        raise BenchError("%s: no end of header" % path)
    head = re.sub(rb"\n[ \t]+", b" ", head)          # unfold
    m = re.search(rb'(?im)^content-type:[^\n]*boundary="?([^";\n]+)"?', head)
    if not m:
        raise BenchError("%s: no multipart boundary" % path)
    delim = b"\n--" + m.group(1).strip()
    found = None
    for part in (b"\n" + body).split(delim)[1:]:
        if part.startswith(b"--"):
            break
        phead, _, pbody = part.partition(b"\n\n")
        phead = re.sub(rb"\n[ \t]+", b" ", phead)
        if not re.search(rb'(?i)name="?' + re.escape(name.encode()),
                         phead):
            continue
        if found is not None:
            raise BenchError("%s: two parts named %s" % (path, name))
        if not re.search(rb"(?im)^content-transfer-encoding:\s*base64\s*$",
                         phead):
            raise BenchError("%s: %s is not base64" % (path, name))
        found = binascii.a2b_base64(pbody)   # skips line ends
    if found is None:
        raise BenchError("%s: no part named %s" % (path, name))
    return found


def versions():
    out = []
    for pkg in ("mpack", "ripmime", "mblaze"):
        try:
            v = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True).stdout
        except OSError:
            v = ""
        out.append("%s %s" % (pkg, v.strip() or "(version unknown)"))
    return ", ".join(out)


def run(b):
    mime = b.path("mime")
    big_src = os.path.join(mime, "att64.bin")
    big_eml = os.path.join(mime, "att64.eml")
    multi_eml = os.path.join(mime, "multi.eml")
    srcdir = os.path.join(mime, "src")
    big_sum = sha256_file(big_src)
    big_size = os.path.getsize(big_src)
    srcs = sorted(os.listdir(srcdir))
    src_data = {}
    for f in srcs:
        with open(os.path.join(srcdir, f), "rb") as fh:
            src_data[f] = fh.read()

    def m(*args, **kw):             # timed later, interleaved per task
        return b.measure(*args, defer=True, **kw)

    # The last run's output is renamed aside, not deleted, and all of it
    # is deleted after the timed runs.  This disk's ext4 has no journal,
    # and there every file created skips each inode freed in the last
    # 60 s (360 s while its inode table block is dirty) with one buffer
    # lookup (fs/ext4/ialloc.c, recently_deleted()): deleting the 200
    # files of the last run just before the next made each open(O_CREAT)
    # take ~130 us, for every tool alike, and file creation swamped what
    # the tools themselves do.  No one unpacking mail deletes thousands
    # of files a second before.
    aside = []

    def fresh_dir(rel):
        def setup():
            p = b.path(rel)
            if os.path.lexists(p):
                q = os.path.join(os.path.dirname(p), "aside-%d-%d" % (
                    os.getpid(), len(aside)))
                os.rename(p, q)
                aside.append(q)
            os.makedirs(p)
        return setup

    def big_check(rel):
        def check():
            p = b.path(rel, "att64.bin")
            if not os.path.exists(p):
                raise BenchError("%s: no att64.bin (%s)" % (
                    rel, " ".join(sorted(os.listdir(b.path(rel))))))
            if os.path.getsize(p) != big_size or sha256_file(p) != big_sum:
                raise BenchError("%s/att64.bin: %d bytes, not the source's"
                                 " %d (or its sha256 differs)"
                                 % (rel, os.path.getsize(p), big_size))
        return check

    def multi_check(rel, extra_lf=False):
        """Every source file, byte for byte. ripmime keeps the LF before
        a delimiter in text parts (extra_lf): its .txt files must be the
        source plus exactly one LF."""
        def check():
            bad = []
            for f in srcs:
                p = b.path(rel, f)
                want = src_data[f]
                if extra_lf and f.endswith(".txt"):
                    want += b"\n"
                try:
                    with open(p, "rb") as fh:
                        got = fh.read()
                except OSError:
                    got = None
                if got != want:
                    bad.append(f)
            if bad:
                raise BenchError("%s: %d of %d files missing or different "
                                 "(first: %s)" % (rel, len(bad), len(srcs),
                                                  bad[0]))
        return check

    def pack_check(rel):
        def check():
            got = packed_attachment(b.path(rel), "att64.bin")
            if hashlib.sha256(got).hexdigest() != big_sum:
                raise BenchError("%s: att64.bin decodes to %d bytes that "
                                 "differ from the source's %d"
                                 % (rel, len(got), big_size))
        return check

    def extractors(eml, tag, base="work"):
        """(tool, progs, dir, command, shown, yubin) for one message,
        extracting into directories under base."""
        rel = os.path.relpath(eml, b.dir)
        out = []
        for tool, progs, yub, cmd in [
                ("yubin mimeunpack -x", ["mimeunpack"], True,
                 "mimeunpack -x -d {d} {m}"),
                ("munpack", ["munpack"], False, "munpack -q -C {D} {M}"),
                ("ripmime", ["ripmime"], False, "ripmime -i {m} -d {d}"),
                ("mblaze mshow -x", ["mshow"], False,
                 "cd {d} && mshow -x {M}")]:
            d = "%s/%s-%s" % (base, tag, progs[0])
            out.append((tool, progs, d, cmd.format(
                d=d, D=b.path(d), m=rel, M=eml), yub))
        return out

    # --- one 64 MiB attachment ---
    big = b.task("Extract a 64 MiB base64 attachment")
    for tool, progs, d, cmd, yub in extractors(big_eml, "xb"):
        m(big, tool, cmd, progs, yubin=yub, setup=fresh_dir(d),
          check=big_check(d), ratio_target=None if yub else BIG_RATIO)
    m(big, "floor: cp (not a peer)", "cp mime/att64.bin work/xb-cp/",
      ["cp"], setup=fresh_dir("work/xb-cp"), check=big_check("work/xb-cp"),
      note="cp copies the decoded file: the cost of writing 64 MiB "
      "alone, for scale; not counted as a peer.")

    # --- 200 attachments ---
    multi = b.task("Extract 200 attachments (100 base64, 100 QP)")
    for tool, progs, d, cmd, yub in extractors(multi_eml, "xm"):
        m(multi, tool, cmd, progs, yubin=yub, setup=fresh_dir(d),
          check=multi_check(d, extra_lf=progs[0] == "ripmime"),
          ratio_target=None if yub else MULTI_RATIO,
          note="ripmime writes each quoted-printable text with one LF "
          "more at the end than the part holds (it keeps the line break "
          "that belongs to the delimiter, RFC 2046 5.1.1); the check "
          "expects exactly that." if progs[0] == "ripmime" else "")
    m(multi, "floor: cp (not a peer)", "cp mime/src/* work/xm-cp/", ["cp"],
      setup=fresh_dir("work/xm-cp"), check=multi_check("work/xm-cp"),
      note="cp copies the 200 decoded files: the cost of creating and "
      "writing them alone, for scale; not counted as a peer.")

    # --- the same into tmpfs ---
    # On this disk (ext4 without a journal, see fresh_dir()) the time to
    # create a file depends on how many files anything deleted in the
    # last minutes: two runs of the same binaries minutes apart gave
    # 2.35x and 1.76x.  In memory the figure is the tools' own work.
    multi_shm = None
    if os.path.isdir(SHM):
        shm = tempfile.mkdtemp(prefix="yubin-bench-", dir=SHM)
        multi_shm = b.task("Extract 200 attachments, into %s" % SHM)
        for tool, progs, d, cmd, yub in extractors(multi_eml, "xm", shm):
            m(multi_shm, tool, cmd, progs, yubin=yub, setup=fresh_dir(d),
              check=multi_check(d, extra_lf=progs[0] == "ripmime"),
              ratio_target=None if yub else MULTI_RATIO)
        m(multi_shm, "floor: cp (not a peer)", "cp mime/src/* %s/xm-cp/"
          % shm, ["cp"], setup=fresh_dir(shm + "/xm-cp"),
          check=multi_check(shm + "/xm-cp"))

    # --- attaching the 64 MiB file ---
    pack = b.task("Attach a 64 MiB file")
    m(pack, "yubin mimepack", "mimepack -s att64 -T mime/body.txt"
      " -a mime/att64.bin:application/octet-stream > work/p-mimepack.eml",
      ["mimepack"], yubin=True, setup=lambda: b.remove("work/p-mimepack.eml"),
      check=pack_check("work/p-mimepack.eml"))
    m(pack, "mpack", "mpack -s att64 -d mime/body.txt -c "
      "application/octet-stream -o work/p-mpack.eml mime/att64.bin",
      ["mpack"], setup=lambda: b.remove("work/p-mpack.eml"),
      check=pack_check("work/p-mpack.eml"), ratio_target=BIG_RATIO)

    tasks = [t for t in (big, multi, multi_shm, pack) if t]
    for t in tasks:
        b.run_task(t)
    for q in aside:
        shutil.rmtree(q)
    del aside[:]
    if multi_shm:
        shutil.rmtree(shm)
    b.emit(b.time_table(tasks))

    # --- peak RSS ---
    rss_big = b.task("Extract a 64 MiB base64 attachment")
    for tool, progs, d, cmd, yub in extractors(big_eml, "rb"):
        argv = {"mimeunpack": ["mimeunpack", "-x", "-d", d, big_eml],
                "munpack": ["munpack", "-q", "-C", b.path(d), big_eml],
                "ripmime": ["ripmime", "-i", big_eml, "-d", d],
                "mshow": ["env", "-C", d, "mshow", "-x", big_eml]}[progs[0]]
        b.measure_rss(rss_big, tool, argv, progs, yubin=yub,
                      setup=fresh_dir(d), check=big_check(d),
                      rss_target=RSS_TARGET if yub else None,
                      note="run as `env -C DIR mshow -x FILE` (mshow "
                      "extracts into the current directory); env execs "
                      "mshow." if progs[0] == "mshow" else "")
    rss_pack = b.task("Attach a 64 MiB file")
    b.measure_rss(rss_pack, "yubin mimepack", [
        "mimepack", "-s", "att64", "-T", "mime/body.txt", "-a",
        "mime/att64.bin:application/octet-stream"], ["mimepack"],
        yubin=True, rss_target=RSS_TARGET,
        note="mimepack's output goes to /dev/null here (the timed runs "
        "above check it).")
    b.measure_rss(rss_pack, "mpack", [
        "mpack", "-s", "att64", "-d", "mime/body.txt", "-c",
        "application/octet-stream", "-o", "work/r-mpack.eml",
        "mime/att64.bin"], ["mpack"],
        setup=lambda: b.remove("work/r-mpack.eml"),
        check=pack_check("work/r-mpack.eml"))
    b.emit(b.rss_table([rss_big, rss_pack]))
    for q in aside:
        shutil.rmtree(q)

    # The outputs are checked; about 1 GB of them need not stay around.
    for d in sorted(os.listdir(b.path("work"))):
        if re.match(r"(xb|xm|rb)-|(p|r)-m(ime)?pack", d):
            b.remove(os.path.join("work", d))

    # --- the targets, one line each ---
    lines = []
    for t, target in ((big, BIG_RATIO), (multi, MULTI_RATIO),
                      (multi_shm, MULTI_RATIO), (pack, BIG_RATIO)):
        if t is None:
            continue
        y = t.yubin_row()
        peers = [r for r in t.rows if not r.yubin and r.stats
                 and not r.tool.startswith("floor")]
        if not (y and y.stats and peers):
            lines.append(b.check_failed("%s: not measured" % t.name))
            continue
        best = min(peers, key=lambda r: r.stats.median)
        ratio = best.stats.median / y.stats.median
        cpu = ""
        if best.stats.cpu and y.stats.cpu:
            cpu = "; CPU %s vs %s, %.2fx" % (
                fmt_time(y.stats.cpu), fmt_time(best.stats.cpu),
                best.stats.cpu / y.stats.cpu)
        lines.append("%s (%s): %.2fx vs %s, the fastest peer (target >= %g: "
                     "%s) [median %s vs %s%s]" % (
                         y.tool, t.name, ratio, best.tool, target,
                         "met" if ratio >= target else "MISSED",
                         fmt_time(y.stats.median), fmt_time(best.stats.median),
                         cpu))
    for t in (rss_big, rss_pack):
        y = t.yubin_row()
        if y and y.rss is not None:
            lines.append("%s (%s): peak RSS %s (target <= %s: %s)" % (
                y.tool, t.name, fmt_kib(y.rss), fmt_kib(RSS_TARGET),
                "met" if y.rss <= RSS_TARGET else "MISSED"))
    for x in lines:
        b.log(x)
    b.emit("Targets:\n\n" + "".join("- %s\n" % x for x in lines))
    b.emit("Inputs (`gencorpus.py`, mime/): att64.eml is %d bytes and "
           "carries att64.bin (%d random bytes) as one base64 part; "
           "multi.eml is %d bytes with %d attachments, 100 random binary "
           "files of 16-192 KiB in base64 and 100 UTF-8 texts of 4-64 KiB "
           "in quoted-printable (lines up to 200 bytes, `=`, tabs, trailing "
           "blanks), %d bytes decoded. Each extraction run starts in an "
           "empty directory; after each run every file is compared with its "
           "source (sha256 for att64.bin, bytes for the 200); each packed "
           "message is decoded by a small Python reader and compared with "
           "att64.bin. Extra files (munpack's .desc, ripmime's textfileN "
           "for the body) are allowed. Ratios are the fastest peer's median "
           "wall time over mimeunpack's or mimepack's. Peers: %s (munpack "
           "and mpack are the mpack package).\n"
           % (os.path.getsize(big_eml), big_size, os.path.getsize(multi_eml),
              len(srcs), sum(len(v) for v in src_data.values()), versions()))
