"""maildeliver -s (mbox stream in, one message out per entry) against
mblaze's mdeliver -M, both into a fresh Maildir."""

from collections import Counter

TITLE = "maildeliver -s: an mboxrd file into a fresh Maildir"


def run(b):
    m = min(2000, b.n)
    t = b.task("Split mbox2000 (%d messages)" % m)
    cases = [
        ("yubin maildeliver -s", ["maildeliver"], "work/s-maildeliver",
         "maildeliver -s work/s-maildeliver < mbox2000", True, None),
        ("mblaze mdeliver -M", ["mdeliver"], "work/s-mdeliver",
         "mdeliver -M work/s-mdeliver < mbox2000", False, 1.5),
    ]
    rows = []
    for tool, progs, dest, cmd, yub, target in cases:
        row = b.measure(t, tool, cmd, progs, yubin=yub, ratio_target=target,
                        setup=lambda d=dest: b.fresh_maildir(d),
                        check=b.expect_count(dest, m), defer=True)
        rows.append((row, tool, dest))
    b.run_task(t)
    done = [(tool, dest) for row, tool, dest in rows if row.stats]
    b.emit(b.time_table([t]))

    names = open(b.path("files.txt")).read().split()[:m]
    paths = [b.path("maildir", x) for x in names]
    src, src_s = b.digests(paths), b.digests(paths, strip=True)
    res = []
    for tool, dest in done:
        files = b.maildir_files(dest)
        exact = sum((Counter(b.digests(files)) & Counter(src)).values())
        loose = sum((Counter(b.digests(files, strip=True)) &
                     Counter(src_s)).values())
        msg = ("%s: %d messages; %d byte-identical to the original, %d when "
               "trailing newlines are ignored" % (tool, len(files), exact,
                                                   loose))
        # yubin must give the original bytes back; mdeliver -M keeps the
        # mbox's separator line, so it is held to the loose comparison
        want = exact if tool.startswith("yubin") else loose
        ok = want == m == len(files)
        res.append(msg if ok else b.check_failed(msg))
    b.checks(res)
