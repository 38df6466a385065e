"""maildeliver as an MDA: one process per message, as an MTA runs it,
against mdeliver, procmail and maildrop delivering to a Maildir."""

import os
from collections import Counter

TITLE = "maildeliver: one process per message into a fresh Maildir"


def run(b):
    m = min(1000, b.n)
    lst = b.corpus_list(m)
    loop = 'while IFS= read -r f; do %s < "$f" || exit; done < ' + lst
    t = b.task("Deliver %d messages" % m, fastest=True)
    cases = [
        ("yubin maildeliver", ["maildeliver"], "work/d-maildeliver",
         "maildeliver work/d-maildeliver", True),
        ("mblaze mdeliver", ["mdeliver"], "work/d-mdeliver",
         "mdeliver work/d-mdeliver", False),
        ("procmail -m", ["procmail"], "work/d-procmail",
         "procmail -m " + b.procmailrc("work/d-procmail"), False),
        ("maildrop", ["maildrop"], "work/d-maildrop",
         "maildrop " + b.maildrop_filter("work/d-maildrop"), False),
    ]
    # BENCH_DELIVER_BEFORE=PATH: an older build's maildeliver in the same
    # rounds (not a peer), to tell a change of the code from one of the
    # machine: the ratio to mdeliver moves with the disk's speed
    before = os.environ.get("BENCH_DELIVER_BEFORE")
    if before:
        cases.append(("maildeliver of BENCH_DELIVER_BEFORE", [],
                      "work/d-before", before + " work/d-before", False))
    rows = []
    for tool, progs, dest, cmd, yub in cases:
        row = b.measure(t, tool, loop % cmd, progs, yubin=yub,
                        shown=cmd + " < MSG",
                        setup=lambda d=dest: b.fresh_maildir(d),
                        check=b.expect_count(dest, m), defer=True,
                        peer=not tool.endswith("_BEFORE"))
        rows.append((row, tool, dest))
    b.run_task(t)
    done = [(tool, dest) for row, tool, dest in rows if row.stats]
    b.emit(b.time_table([t]))
    b.emit("Each run starts from an empty Maildir made before the clock "
           "starts; each command runs once per message from a bash loop "
           "(the loop's cost is in every row). After each run the folder "
           "must hold %d messages.\n" % m)

    src = b.digests([b.path(x) for x in open(b.path(lst)).read().split()])
    res = []
    for tool, dest in done:
        got = b.digests(b.maildir_files(dest))
        same = sum((Counter(got) & Counter(src)).values())
        msg = "%s: %d messages, %d of %d byte-identical to the input" % (
            tool, len(got), same, m)
        res.append(msg if same == m == len(got) else b.check_failed(msg))
    b.checks(res)
