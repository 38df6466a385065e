"""hdrparse against mblaze's mhdr (mlist | mhdr) on the whole corpus
Maildir, and against formail (one process per message) on the same first
2 000 messages, both raw, with formail's output checked against
hdrparse's."""

import os
import shutil
import subprocess

TITLE = "hdrparse: header fields of the corpus Maildir"


def run(b):
    n = b.n
    sub = min(2000, n)
    lst = b.corpus_list(sub)
    small = sub_maildir(b, lst, sub)

    def m(*args, **kw):             # timed later, interleaved per task
        return b.measure(*args, defer=True, **kw)

    subj = b.task("Subject of %d messages" % n)
    m(subj, "yubin hdrparse", "hdrparse -h subject maildir",
      ["hdrparse"], yubin=True)
    m(subj, "mblaze mhdr", "mlist maildir | mhdr -h subject",
      ["mlist", "mhdr"], ratio_target=1.5,
      note="mhdr without -d prints the raw (undecoded) value.")
    m(subj, "mblaze mhdr -d", "mlist maildir | mhdr -d -h subject",
      ["mlist", "mhdr"], ratio_target=1.5)
    # formail gets a task of its own: its 2 000-process loop would
    # otherwise sit between the fast runs it is interleaved with.  Both
    # sides read the same messages (a Maildir of the first 2 000) and
    # print them raw: formail -x does not decode, so neither does
    # hdrparse -r.
    form = b.task("Subject, raw, of the same %d messages" % sub)
    m(form, "yubin hdrparse -r", "hdrparse -r -h subject " + small,
      ["hdrparse"], yubin=True)
    m(form, "formail", 'while IFS= read -r f; do formail -c -x Subject:'
      ' < "$f"; done < ' + lst, ["formail"],
      shown="formail -c -x Subject: < MSG",
      note="formail has no directory mode: one process per message,"
      " run by a bash loop over the %d messages of %s (the loop's cost "
      "is formail's); hdrparse reads the same messages, as a Maildir "
      "of hard links." % (sub, small))

    raw = b.task("Subject, raw (no decoding)")
    m(raw, "yubin hdrparse -r", "hdrparse -r -h subject maildir",
      ["hdrparse"], yubin=True)
    m(raw, "mblaze mhdr", "mlist maildir | mhdr -h subject",
      ["mlist", "mhdr"], ratio_target=1.5)

    frm = b.task("From addresses, decoded")
    m(frm, "yubin hdrparse", "hdrparse -A -h from maildir",
      ["hdrparse"], yubin=True)
    m(frm, "mblaze mhdr", "mlist maildir | mhdr -d -A -h from",
      ["mlist", "mhdr"], ratio_target=1.5)

    for task in (subj, form, raw, frm):
        b.run_task(task)
    b.emit(b.time_table([subj, form, raw, frm]))
    if b.yubin("hdrparse"):
        b.checks(check_subjects(b) + check_formail(b, lst, small) +
                 check_from(b))


def sub_maildir(b, lst, sub):
    """work/maildirN: a Maildir of hard links to the messages of lst."""
    rel = "work/maildir%d" % sub
    b.fresh_maildir(rel)
    with open(b.path(lst)) as f:
        for line in f:
            src = b.path(line.strip())
            dst = b.path(rel, "cur", os.path.basename(src))
            try:
                os.link(src, dst)
            except OSError:
                shutil.copyfile(src, dst)
    return rel


def check_formail(b, lst, small):
    """formail's Subject of each message of lst against hdrparse -r's, white
    space collapsed (formail -c joins folded lines with their white
    space)."""
    if not b.peer("formail"):
        return []
    _, out, _ = b.sh("hdrparse -H -r -h subject " + small)
    h = by_file(out)
    same = total = 0
    with open(b.path(lst)) as f:
        for line in f:
            rel = line.strip()
            with open(b.path(rel), "rb") as msg:
                p = subprocess.run(["formail", "-c", "-x", "Subject:"],
                                   stdin=msg, stdout=subprocess.PIPE,
                                   env=b.env)
            got = [norm(v) for v in p.stdout.decode("utf-8", "replace")
                   .splitlines()]
            want = [norm(v) for v in h.get(os.path.basename(rel), [])]
            total += 1
            if got == want:
                same += 1
            elif total - same <= 5:
                b.log("formail differs in %s:\n  hdrparse -r: %r\n"
                      "  formail:     %r" % (rel, want, got))
    msg = ("formail -c -x Subject: equal to `hdrparse -r`'s (whitespace "
           "collapsed) for %d of %d messages" % (same, total))
    return [msg if same == total else b.check_failed(msg)]


def by_file(out):
    d = {}
    for line in out.decode("utf-8", "replace").splitlines():
        path, _, val = line.partition("\t")
        d.setdefault(os.path.basename(path), []).append(val)
    return d


def norm(s):
    return " ".join(s.split())


def check_subjects(b):
    res = []
    rc, out, err = b.sh("hdrparse -h subject maildir")
    rc2, out2, _ = b.sh("mlist maildir | mhdr -h subject")
    n1, n2 = out.count(b"\n"), out2.count(b"\n")
    msg = "`hdrparse -h subject maildir` printed %d lines (exit %d), " \
          "`mhdr -h subject` %d" % (n1, rc, n2)
    res.append(msg if n1 == n2 and rc == 0 else b.check_failed(msg))
    rc, out, _ = b.sh("hdrparse -H -h subject maildir")
    _, out2, _ = b.sh("mlist maildir | mhdr -H -d -h subject")
    h, m = by_file(out), by_file(out2)
    same = sum(1 for k in m if [norm(v) for v in h.get(k, [])]
               == [norm(v) for v in m[k]])
    diffs = [k for k in m if [norm(v) for v in h.get(k, [])]
             != [norm(v) for v in m[k]]]
    for k in diffs[:5]:
        b.log("subject differs in %s:\n  hdrparse: %r\n  mhdr -d:  %r"
              % (k, h.get(k), m[k]))
    msg = ("decoded subjects (`-H`, whitespace collapsed) equal to "
           "`mhdr -d`'s for %d of %d messages" % (same, len(m)))
    res.append(msg if same == len(m) else b.check_failed(msg))
    return res


def addr_of_mhdr(v):
    v = v.strip()
    if v.endswith(">") and "<" in v:
        return v[v.rindex("<") + 1:-1].lower()
    return v.lower()


def check_from(b):
    res = []
    rc, out, _ = b.sh("hdrparse -A -h from maildir")
    _, out2, _ = b.sh("mlist maildir | mhdr -d -A -h from")
    n1, n2 = out.count(b"\n"), out2.count(b"\n")
    msg = "`hdrparse -A -h from maildir` printed %d addresses (exit %d), " \
          "`mhdr -d -A -h from` %d" % (n1, rc, n2)
    res.append(msg if n1 == n2 and rc == 0 else b.check_failed(msg))
    _, out, _ = b.sh("hdrparse -H -A -h from maildir")
    _, out2, _ = b.sh("mlist maildir | mhdr -H -d -A -h from")
    h, m = by_file(out), by_file(out2)
    same = bad = 0
    for k in m:
        ha = [v.split("\t")[0].strip().lower() for v in h.get(k, [])]
        if ha == [addr_of_mhdr(v) for v in m[k]]:
            same += 1
            continue
        bad += 1
        if bad <= 5:
            b.log("From differs in %s:\n  hdrparse: %r\n  mhdr -d -A: %r"
                  % (k, h.get(k), m[k]))
    msg = ("From addresses equal to `mhdr -d -A`'s for %d of %d messages"
           % (same, len(m)))
    res.append(msg if same == len(m) else b.check_failed(msg))
    return res
