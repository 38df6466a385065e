"""maildeliver -r (Sieve, issue 13): one process per message through a
40-rule script, against procmail, maildrop and Pigeonhole's sieve-test
with the same rules; then the compile time of a 2 000-rule script.

The section writes its own 1 000 messages (work/sieve/msg, seeded): the
shared corpus has no List-Id, spam score or plus address to sort on.
The rules, in the order every tool applies them:
  4 flag rules   (Sieve addflag; procmail and maildrop have no flags, so
                 only the folders are compared, not the file names)
  2 spam rules   X-Spam-Flag: YES, or an X-Spam-Score of 10 or more -> Junk
 24 list rules   List-Id <listNN.lists.example.org> -> Lists.listNN
  6 plus rules   Delivered-To: bob+DETAIL@ -> Plus.DETAIL
  4 other rules  sender domain, subject word, size -> a folder
The first rule that files a message ends the filtering (Sieve: stop),
as a procmail delivering recipe and a maildrop `to` do; the rest goes to
the inbox.  Every folder is made before the clock starts (maildrop and
Pigeonhole do not create a missing one).  After each run, every tool's
folders must hold exactly the messages (by Message-ID) that the Python
model of the rules (expect()) puts there.

Every tool runs twice: into Maildirs on the disk of the bench directory,
and into Maildirs in $YUBIN_BENCH_TMPFS (default /dev/shm, a tmpfs;
skipped when missing).  On the disk the figure includes what each tool
asks of the file system: maildeliver fsyncs the file and then the
directory it renamed it into (DESIGN.md), procmail and maildrop fsync
the file only; on tmpfs an fsync costs nothing, and the figure is the
tools' own work (process start, rules, writing).
"""

import os
import random
import shutil
import tempfile

from benchlib import BenchError

TITLE = "maildeliver -r: Sieve filtering, one process per message"

N = 1000
SHM = os.environ.get("YUBIN_BENCH_TMPFS", "/dev/shm")
LISTS = ["list%02d" % i for i in range(24)]
DETAILS = ["shop", "bank", "news", "travel", "dev", "family"]
OTHER_LISTS = ["other%d" % i for i in range(6)]   # in no rule
SENDERS = ["boss@example.com", "alerts@bank.example",
           "friend@socialnet.example", "ann@example.org",
           "noreply@shop.example", "dave@example.net", "eve@example.org"]
SUBJECTS = ["[urgent] call me", "your receipt 17", "lunch?",
            "weekly report", "meeting notes", "re: plans",
            "FYI receipt attached", "hello"]


def corpus(b):
    """N messages in work/sieve/msg, the same bytes on every run."""
    d = b.path("work", "sieve", "msg")
    if os.path.isdir(d) and len(os.listdir(d)) == N:
        return d
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    r = random.Random(95)
    for i in range(N):
        h = ["Return-Path: <sender@example.net>",
             "From: %s" % r.choice(SENDERS),
             "To: bob@example.com"]
        det = r.choice(DETAILS + [None] * 6)
        h.append("Delivered-To: bob%s@example.com" %
                 ("+" + det if det else ""))
        h.append("Subject: %s" % r.choice(SUBJECTS))
        if r.random() < 0.45:
            h.append("List-Id: The list <%s.lists.example.org>" %
                     r.choice(LISTS + OTHER_LISTS))
        score = r.choice([0, 0, 1, 2, 3, 5, 7, 9, 10, 12, 15, 20])
        h.append("X-Spam-Score: %d" % score)
        if score >= 15 and r.random() < 0.7:
            h.append("X-Spam-Flag: YES")
        h.append("Message-ID: <m%04d@bench.example>" % i)
        h.append("Date: Sun, 22 Nov 2026 04:30:09 +0000")
        size = r.choice([200, 800, 3000, 30000])
        body = "".join("body line %d of message %d, some words here\n"
                       % (k, i) for k in range(size // 44 + 1))
        with open(os.path.join(d, "m%04d.eml" % i), "w") as f:
            f.write("\n".join(h) + "\n\n" + body)
    return d


def headers(path):
    out = {}
    size = os.path.getsize(path)
    with open(path) as f:
        for line in f:
            if line == "\n":
                break
            k, _, v = line.partition(":")
            out[k.lower()] = v.strip()
    return out, size


def expect(path):
    """The folder (None: the inbox) the 40 rules give one message."""
    h, size = headers(path)
    if h.get("x-spam-flag") == "YES":
        return "Junk"
    if int(h.get("x-spam-score", "0")) >= 10:
        return "Junk"
    for n in LISTS:
        if "<%s.lists.example.org>" % n in h.get("list-id", ""):
            return "Lists." + n
    for d in DETAILS:
        if h.get("delivered-to", "").startswith("bob+%s@" % d):
            return "Plus." + d
    frm = h.get("from", "")
    if frm.endswith("@bank.example"):
        return "Bank"
    if frm.endswith("@socialnet.example"):
        return "Social"
    if "receipt" in h.get("subject", "").lower():
        return "Receipts"
    if size > 20000:
        return "Big"
    return None


FOLDERS = (["Junk", "Bank", "Social", "Receipts", "Big"] +
           ["Lists." + n for n in LISTS] + ["Plus." + d for d in DETAILS])


def sieve_script():
    s = ['require ["fileinto", "imap4flags", "relational",',
         '  "comparator-i;ascii-numeric", "subaddress"];',
         'if address :is "from" "boss@example.com" { addflag "\\\\Flagged"; }',
         'if header :contains "subject" "[urgent]" { addflag "\\\\Flagged"; }',
         'if header :contains "from" "noreply@" { addflag "\\\\Seen"; }',
         'if header :contains "subject" "re:" { addflag "\\\\Answered"; }',
         'if header :is "x-spam-flag" "YES" { fileinto "Junk"; stop; }',
         'if header :value "ge" :comparator "i;ascii-numeric" '
         '"x-spam-score" "10" { fileinto "Junk"; stop; }']
    for n in LISTS:
        s.append('if header :contains "list-id" "<%s.lists.example.org>" '
                 '{ fileinto "Lists.%s"; stop; }' % (n, n))
    for d in DETAILS:
        s.append('if address :detail :is "delivered-to" "%s" '
                 '{ fileinto "Plus.%s"; stop; }' % (d, d))
    s += ['if address :domain :is "from" "bank.example" '
          '{ fileinto "Bank"; stop; }',
          'if address :domain :is "from" "socialnet.example" '
          '{ fileinto "Social"; stop; }',
          'if header :contains "subject" "receipt" '
          '{ fileinto "Receipts"; stop; }',
          'if size :over 20000 { fileinto "Big"; stop; }']
    return "\n".join(s) + "\n"


def procmailrc(dest):
    d = dest + "/"
    s = ["SENDMAIL=/bin/false", "ORGMAIL=" + d, "DEFAULT=" + d,
         ":0", "* ^X-Spam-Flag: YES", d + ".Junk/",
         ":0", "* ^X-Spam-Score: *[1-9][0-9]", d + ".Junk/"]
    for n in LISTS:
        s += [":0", "* ^List-Id:.*<%s\\.lists\\.example\\.org>" % n,
              d + ".Lists.%s/" % n]
    for det in DETAILS:
        s += [":0", "* ^Delivered-To: *bob\\+%s@" % det, d + ".Plus.%s/" % det]
    s += [":0", "* ^From:.*@bank\\.example$", d + ".Bank/",
          ":0", "* ^From:.*@socialnet\\.example$", d + ".Social/",
          ":0", "* ^Subject:.*receipt", d + ".Receipts/",
          ":0", "* > 20000", d + ".Big/"]
    return "\n".join(s) + "\n"


def mailfilter(dest):
    d = dest + "/"
    s = ['if (/^X-Spam-Flag: YES/)', '  to "%s.Junk/"' % d,
         'if (/^X-Spam-Score: *[1-9][0-9]/)', '  to "%s.Junk/"' % d]
    for n in LISTS:
        s += ['if (/^List-Id:.*<%s\\.lists\\.example\\.org>/)' % n,
              '  to "%s.Lists.%s/"' % (d, n)]
    for det in DETAILS:
        s += ['if (/^Delivered-To: *bob\\+%s@/)' % det,
              '  to "%s.Plus.%s/"' % (d, det)]
    s += ['if (/^From:.*@bank\\.example$/)', '  to "%s.Bank/"' % d,
          'if (/^From:.*@socialnet\\.example$/)', '  to "%s.Social/"' % d,
          'if (/^Subject:.*receipt/)', '  to "%s.Receipts/"' % d,
          'if ($SIZE > 20000)', '  to "%s.Big/"' % d,
          'to "%s"' % d]
    return "\n".join(s) + "\n"


def big_script(n):
    """n rules of the kinds above, for the compile time."""
    s = ['require ["fileinto", "imap4flags", "relational", "regex",',
         '  "comparator-i;ascii-numeric", "subaddress", "variables"];']
    for i in range(n):
        k = i % 5
        if k == 0:
            s.append('if header :contains "list-id" "<l%d.lists.example.org>" '
                     '{ fileinto "Lists.l%d"; stop; }' % (i, i))
        elif k == 1:
            s.append('if address :detail :is "delivered-to" "d%d" '
                     '{ fileinto "Plus.d%d"; }' % (i, i))
        elif k == 2:
            s.append('if header :value "ge" :comparator "i;ascii-numeric" '
                     '"x-spam-score" "%d" { addflag "\\\\Seen"; }' % i)
        elif k == 3:
            s.append('if header :regex "subject" "^\\\\[r%d\\\\] (.*)$" '
                     '{ set "s" "${1}"; fileinto "R.%d"; }' % (i, i))
        else:
            s.append('if anyof (address :domain :is "from" "d%d.example", '
                     'header :matches "subject" "*w%d*") '
                     '{ addflag "k%d"; keep; }' % (i, i, i))
    return "\n".join(s) + "\n"


def flags(top):
    """Message-ID -> the info flags of its file name, in every folder."""
    out = {}
    for r, ds, fs in os.walk(top):
        if os.path.basename(r) not in ("cur", "new"):
            continue
        for x in fs:
            h, _ = headers(os.path.join(r, x))
            out[h["message-id"]] = x.partition(":2,")[2] if ":2," in x else ""
    return out


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def run(b):
    work = b.path("work", "sieve")
    msgs = corpus(b)
    names = sorted(os.listdir(msgs))
    lst = os.path.join(work, "list")
    write(lst, "".join(os.path.join(msgs, x) + "\n" for x in names))
    want = {}
    for x in names:
        want.setdefault(expect(os.path.join(msgs, x)), set()).add(
            "<%s@bench.example>" % x[:-4])

    root = os.getuid() == 0
    nobody = ["setpriv", "--reuid=65534", "--regid=65534",
              "--clear-groups"] if root else []
    sdir = os.path.join(work, "script")
    os.makedirs(sdir, exist_ok=True)
    script = os.path.join(sdir, "rules.sieve")
    write(script, sieve_script())
    home = os.path.join(work, "home")
    os.makedirs(home, exist_ok=True)
    conf = os.path.join(work, "sieve.conf")
    write(conf, "mail_location = maildir:~/Maildir\n"
          "recipient_delimiter = +\n")
    pmrc = os.path.join(work, "procmailrc")
    mfil = os.path.join(work, "mailfilter")

    def setup(dest, own=False):
        def f():
            p = b.path(dest)
            shutil.rmtree(p, ignore_errors=True)
            for sub in [""] + ["." + x for x in FOLDERS]:
                for c in ("cur", "new", "tmp"):
                    os.makedirs(os.path.join(p, sub, c))
            if own and root:
                for top in (p, home, sdir):
                    for r, ds, fs in os.walk(top):
                        for x in [r] + [os.path.join(r, y) for y in fs]:
                            os.chown(x, 65534, 65534)
        return f

    def check(dest):
        def f():
            got = {}
            p = b.path(dest)
            for folder in [None] + FOLDERS:
                sub = os.path.join(p, "." + folder) if folder else p
                for c in ("new", "cur"):
                    for x in os.listdir(os.path.join(sub, c)):
                        h, _ = headers(os.path.join(sub, c, x))
                        got.setdefault(folder, set()).add(h["message-id"])
            if got != want:
                bad = sorted(k or "INBOX" for k in set(got) | set(want)
                             if got.get(k) != want.get(k))
                raise BenchError("folders differ from the rules' model: %s"
                                 % " ".join(bad))
        return f

    loop = 'while IFS= read -r f; do %s || exit; done < ' + lst
    cases = [
        ("yubin maildeliver -r", ["maildeliver"], "s-maildeliver",
         'maildeliver -r %s %s < "$f"', "maildeliver -r rules.sieve DIR < MSG",
         True),
        ("procmail -m", ["procmail"], "s-procmail",
         'procmail -m %s < "$f"', "procmail -m procmailrc < MSG", False),
        ("maildrop", ["maildrop"], "s-maildrop",
         'maildrop %s < "$f"', "maildrop mailfilter < MSG", False),
        ("Pigeonhole sieve-test -e", ["sieve-test"], "s-sievetest",
         'HOME=' + home + ' ' + " ".join(nobody) +
         ' sieve-test -c ' + conf + ' -e -l maildir:%s %s "$f" >/dev/null',
         "sieve-test -e -l maildir:DIR rules.sieve MSG", False),
    ]
    # BENCH_SIEVE_BEFORE=PATH: an older build's maildeliver in the same
    # rounds (not a peer), to tell a change of the code (or of its
    # linking) from one of the machine
    before = os.environ.get("BENCH_SIEVE_BEFORE")
    if before:
        cases.append(("maildeliver of BENCH_SIEVE_BEFORE", [], "s-before",
                      before + ' -r %s %s < "$f"',
                      "BEFORE -r rules.sieve DIR < MSG", True))

    def rows_in(t, top, tag):
        """The four tools into Maildirs under top (a directory of the
        bench, or of the tmpfs); their rc files end in tag."""
        rows = []
        for tool, progs, sub, tmpl, shown, yub in cases:
            dest = os.path.join(top, sub)
            d = b.path(dest)
            old = tool.endswith("_BEFORE")
            if tool == "procmail -m":
                write(pmrc + tag, procmailrc(d))
                cmd = tmpl % (pmrc + tag)
            elif tool == "maildrop":
                write(mfil + tag, mailfilter(d), 0o600)
                cmd = tmpl % (mfil + tag)
            elif yub:
                cmd = tmpl % (script, d)
            else:
                cmd = tmpl % (d, script)
            row = b.measure(t, tool, loop % cmd, progs,
                            yubin=yub and not old, shown=shown,
                            setup=setup(dest, own=not yub and
                                        "sieve" in tool),
                            check=check(dest), defer=True,
                            ratio_target=None if yub else 1.5,
                            peer=not old)
            rows.append((row, dest))
        # the loop with nothing delivered: what every row pays before
        # its tool does anything (a fork and an exec per message)
        b.measure(t, "floor: /bin/true (not a peer)",
                  loop % '/bin/true < "$f"', ["true"],
                  shown="/bin/true < MSG", defer=True, peer=False)
        return rows

    t = b.task("Filter %d messages, 40 rules" % N, fastest=True)
    rows = rows_in(t, "work", "")
    shm = tshm = None
    rows_shm = []
    if os.path.isdir(SHM):
        shm = tempfile.mkdtemp(prefix="yubin-bench-", dir=SHM)
        os.chmod(shm, 0o755)        # sieve-test runs as nobody
        tshm = b.task("Filter %d messages, 40 rules, into %s" % (N, SHM),
                      fastest=True)
        rows_shm = rows_in(tshm, shm, "-shm")
    tasks = [x for x in (t, tshm) if x]
    for x in tasks:
        b.run_task(x)
    b.emit(b.time_table(tasks))
    b.emit("Each run starts from fresh Maildirs with every folder made "
           "before the clock starts; each command runs once per message "
           "from a bash loop (the loop's cost, a fork and an exec per "
           "message, is in every row). The scripts are in %s "
           "(rules.sieve, procmailrc, mailfilter; -shm for the tmpfs "
           "rows). The second task is the same into %s, a tmpfs, where "
           "an fsync costs nothing: the tools' own work without the "
           "disk's. After each run every folder must hold exactly the "
           "Message-IDs that the rules give (section docstring: the "
           "Python model); a row that fails this says so instead of a "
           "time.\n" % (work, SHM))
    res = []
    for x, rs in ((t, rows), (tshm, rows_shm)):
        where = "" if x is t else " (%s)" % SHM
        for row, _ in rs:
            if row.stats:
                res.append("%s%s: every folder holds the messages of the "
                           "model (%d folders used, %d messages)" % (
                               row.tool, where, len(want), N))
        # The two Sieve tools also set flags: the last run's file names
        # must carry the same Maildir info flags for every message.
        fl = [(row.tool, flags(b.path(dest))) for row, dest in rs
              if row.stats and (row.yubin or
                                row.tool.startswith("Pigeonhole"))]
        if len(fl) == 2:
            (ta, fa), (tb, fb) = fl
            nf = sum(1 for v in fa.values() if v)
            msg = "%s and %s%s: the same flags in every file name (%d " \
                "of %d messages flagged)" % (ta, tb, where, nf, N)
            res.append(msg if fa == fb else b.check_failed(
                msg.replace("the same", "different") + ": " + " ".join(
                    sorted(k for k in fa if fa.get(k) != fb.get(k))[:5])))
    b.checks(res)
    if shm:
        shutil.rmtree(shm)

    # --- compile time of a 2 000-rule script ---
    big = os.path.join(sdir, "big.sieve")
    write(big, big_script(2000))
    c = b.task("Compile a 2 000-rule script (%d KiB)" %
               (os.path.getsize(big) // 1024))
    b.measure(c, "yubin maildeliver --check -r", "maildeliver --check -r " + big,
              ["maildeliver"], yubin=True,
              shown="maildeliver --check -r big.sieve")
    svbin = os.path.join(work, "big.svbin")
    b.measure(c, "Pigeonhole sievec", "sievec -c %s %s %s" % (conf, big, svbin),
              ["sievec"], shown="sievec big.sieve big.svbin")
    b.emit(b.time_table([c]))
    b.emit("Whole processes (start-up included): compiling is all they do. "
           "Target: maildeliver under 10 ms.\n")
    y = c.yubin_row()
    if y and y.stats:
        ok = y.stats.median < 0.010
        msg = "maildeliver --check: median %.2f ms, target < 10 ms: %s" % (
            y.stats.median * 1000, "met" if ok else "not met")
        b.checks([msg if ok else "**%s**" % msg])

