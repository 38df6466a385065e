"""popfetch against mpop and fetchmail, fetching from the lab's Dovecot
over POP3S into a Maildir and deleting on the server: 300 messages of
5 KB through a delay proxy of 25 ms each way (round trips decide) and
on loopback; and the peak RSS of fetching one 50 MB message against a
small one (the maxrss helper).  After every run the Maildir must hold
each message once, its bytes the server's (the oracle is the server's
own RETR, tests/lab/popbox.py) after the Received field each tool adds,
and the server must be empty.  Starts its own lab (tests/lab/lab, needs
root) and stops it.
"""

import hashlib
import os
import subprocess
import sys
import time

from benchlib import BenchError, start_lab, stop_lab, turns

TITLE = "popfetch: POP3S into a Maildir against mpop and fetchmail " \
    "(lab Dovecot)"

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lab"))
import popbox  # noqa: E402

NMSG = 300
SIZE = 5 * 1024
BIG = 50 * 1000 * 1000
DELAY_MS = 25


def write_messages(b, rel, n, size):
    d = b.path(rel)
    if os.path.isdir(d):
        subprocess.run(["rm", "-rf", d])
    os.makedirs(d)
    line = b"a line of text for the popfetch benchmark, 5 KB a message.\n"
    for i in range(1, n + 1):
        h = (b"From: Alice <alice@yubin.test>\nTo: bob@example.org\n"
             b"Subject: popfetch bench %04d\nMessage-ID: <%d@bench.test>\n"
             b"\n" % (i, i))
        body = b"".join((b"." + line if j % 7 == 3 else line)
                        for j in range(max(1, (size - len(h)) // len(line))))
        with open(os.path.join(d, "%04d.eml" % i), "wb") as f:
            f.write(h + body)
    return d


def body_digests(paths):
    """sha1 of each message after the fields a fetcher adds on top (all
    lines before the message's own first line, "From: Alice"); a message
    without such an added field is an error."""
    out = []
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        i = 0 if data.startswith(b"From: Alice") else \
            data.find(b"\nFrom: Alice") + 1
        if i <= 0 or not data.startswith(b"Received:"):
            raise BenchError("%s: no Received field added on top" % p)
        out.append(hashlib.sha1(data[i:]).hexdigest())
    return sorted(out)


class Box:
    """alice's mailbox on the lab's Dovecot and what it should yield."""

    def __init__(self, b, src):
        self.b, self.src = b, src
        popbox.Pop("alice").quit()      # fails loudly if the lab is amiss
        self.refill()
        exp = src + ".exp"
        subprocess.run(["rm", "-rf", exp])
        popbox.dump("alice", exp)
        self.want = sorted(hashlib.sha1(open(os.path.join(exp, x), "rb")
                                        .read()).hexdigest()
                           for x in os.listdir(exp))

    def refill(self):
        p = popbox.Pop("alice")
        p.dele_all()
        p.quit()
        popbox.fill("alice", [self.src])

    def setup(self, md, *state):
        def f():
            self.refill()
            self.b.fresh_maildir(md)
            for s in state:
                self.b.remove(s)
        return f

    def check(self, md, emptied=True):
        def f():
            got = body_digests(self.b.maildir_files(md))
            if got != self.want:
                raise BenchError("%s: %d messages, not the server's %d "
                                 "(or their bytes differ)" %
                                 (md, len(got), len(self.want)))
            if emptied:
                p = popbox.Pop("alice")
                left = len(p.uidls())
                p.quit()
                if left:
                    raise BenchError("the server still holds %d" % left)
        return f


def run(b):
    d, e = start_lab(b)
    if d is None:
        b.emit("Skipped: the lab could not start (needs root and the "
               "servers of tests/deps).\n")
        b.failures += 1
        return
    saved = dict(os.environ)
    os.environ.update(e)
    proxy = None
    try:
        port = int(e["LAB_POP3_PORT"]) - 110 + 1995
        proxy = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "..", "lab", "delayproxy.py"),
             str(DELAY_MS), "%d:%s" % (port, e["LAB_POP3S_PORT"])],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if b"ready" not in proxy.stdout.readline():
            raise BenchError("the POP3S delay proxy did not start")
        b.env["YUBIN_PASSWORD"] = "alicepw"
        measure(b, e, port)
        measure_rss(b, e)
    except BenchError as x:
        b.emit("**Failed: %s**\n" % x)
        b.failures += 1
    finally:
        if proxy:
            proxy.kill()
            proxy.wait()
        os.environ.clear()
        os.environ.update(saved)
        stop_lab(d)


def commands(b, e, port, md, tag):
    """(popfetch, mpop, fetchmail) command lines fetching alice's mailbox
    from 127.0.0.1:port into md, and their shown forms."""
    ca = e["LAB_CA"]
    pf = ("popfetch -S pop3s://127.0.0.1:%d --cacert %%s -u alice "
          "--state work/pf-%s.state -d %s" % (port, tag, md))
    mp = ("mpop --host=127.0.0.1 --port=%d --tls=on --tls-starttls=off "
          "--tls-trust-file=%%s --auth=user --user=alice "
          "--passwordeval='echo alicepw' --delivery=maildir,%s "
          "--keep=off --only-new=off --uidls-file=%s -q"
          % (port, b.path(md), b.path("work", "mpop-%s.uidls" % tag)))
    rc = b.path("work", "fetchmailrc-" + tag)
    with open(rc, "w") as f:
        # fetchmail matches no IP address in a certificate: localhost
        f.write("# written by tests/bench/90-popfetch.py\nset no syslog\n"
                "poll localhost port %d with proto POP3\n"
                "  user alice there with password alicepw is root here\n"
                "  ssl sslcertck sslcertfile %s\n"
                "  mda \"maildeliver %s\"\n  fetchall nokeep\n"
                % (port, ca, b.path(md + "-fm")))
    os.chmod(rc, 0o600)
    fm = ("fetchmail -f %s --idfile work/fm-%s.ids --pidfile work/fm-%s.pid"
          % (rc, tag, tag))
    return ((pf % ca, pf % "CA"), (mp % ca, mp % "CA"),
            (fm, "fetchmail -f RC --idfile F --pidfile P"))


def measure(b, e, delay_port):
    box = Box(b, write_messages(b, "work/pop300", NMSG, SIZE))
    loop_port = int(e["LAB_POP3S_PORT"])
    tasks = []
    notes = []
    for tag, port, name in (
            ("delay", delay_port, "%d messages of 5 KB, %d ms each way"
             % (NMSG, DELAY_MS)),
            ("loop", loop_port, "%d messages of 5 KB, loopback" % NMSG)):
        md = "work/pop-" + tag
        (pf, pfs), (mp, mps), (fm, fms) = commands(b, e, port, md, tag)
        t = b.task(name, fastest=(tag == "loop"))
        b.measure(t, "yubin popfetch", pf, ["popfetch"], yubin=True,
                  shown=pfs, setup=box.setup(md, "work/pf-%s.state" % tag),
                  check=box.check(md), defer=True)
        b.measure(t, "mpop", mp, ["mpop"], shown=mps,
                  setup=box.setup(md, "work/mpop-%s.uidls" % tag),
                  check=box.check(md), defer=True,
                  ratio_target=1.25 if tag == "delay" else None)
        if tag == "delay":
            if b.yubin("maildeliver"):
                b.measure(t, "fetchmail + maildeliver", fm, ["fetchmail"],
                          shown=fms, setup=box.setup(
                              md + "-fm", "work/fm-delay.ids"),
                          check=box.check(md + "-fm"), defer=True,
                          ratio_target=20)
            else:
                notes.append("fetchmail not measured: its MDA, maildeliver, "
                             "is not built")
        b.run_task(t)
        tasks.append(t)
        if tag == "delay":
            notes.append(round_trips(b, box, md, pf, mp, fm))
    b.emit(b.time_table(tasks))
    b.emit("The lab's Dovecot 2.3 serves alice's Maildir; every run "
           "starts from %d messages of 5 KB on the server (filled by "
           "tests/lab/popbox.py, untimed), fetches them all into an empty "
           "Maildir and deletes them on the server. The delay proxy "
           "(tests/lab/delayproxy.py, %d ms each way) stands in front of "
           "POP3S (implicit TLS) for the first task. CA is the lab's CA; "
           "RC a fetchmailrc polling localhost (fetchmail matches no IP "
           "address in a certificate) with `ssl sslcertck`, `fetchall "
           "nokeep` and `mda \"maildeliver DIR\"`. After each run: every "
           "message in the Maildir once, its bytes the server's after the "
           "added Received field, the server empty.\n" % (NMSG, DELAY_MS))
    b.checks(notes)


def round_trips(b, box, md, pf, mp, fm):
    """Round trips of one run of each tool through the delay proxy, from
    its own trace."""
    out = []
    for tool, cmd, flag, cl, sv, prog, yub in (
            ("popfetch `--trace`", pf, " --trace", "C: ", "S: ",
             "popfetch", True),
            ("mpop `--debug`", mp.replace(" -q", ""), " --debug", "--> ",
             "<-- ", "mpop", False),
            ("fetchmail `-v -v`", fm, " -v -v", "fetchmail: POP3> ",
             "fetchmail: POP3< ", "fetchmail", False)):
        if b.missing([prog], yub):
            out.append("%s: %s" % (tool, b.missing([prog], yub)))
            continue
        dest = md + "-fm" if prog == "fetchmail" else md
        box.setup(dest, "work/pf-delay.state", "work/mpop-delay.uidls",
                  "work/fm-delay.ids")()
        t0 = time.perf_counter()
        rc, so, se = b.sh(cmd + flag)
        t = time.perf_counter() - t0
        text = so.decode(errors="replace") + se.decode(errors="replace")
        if rc != 0:
            out.append(b.check_failed("%s: exit %d" % (tool, rc)))
            continue
        out.append("%s: %d turns in the trace, at most %d round trips "
                   "by the time (%.2f s)" %
                   (tool, turns(text, cl, sv), t / (2 * DELAY_MS / 1000.0),
                    t))
    return ("round trips for %d messages through the delay proxy, from one "
            "traced run of each tool: the turns are the server lines right "
            "after a client line in its trace, plus the greeting (a tool "
            "that traces each line as it goes, while replies stream in "
            "and its window refills, shows more turns than it waits round "
            "trips); the bound is the run's time over the %d ms round "
            "trip, TLS handshake and transfer included: " %
            (NMSG, 2 * DELAY_MS) + "; ".join(out))


def measure_rss(b, e):
    """Peak RSS of one process fetching one message, with -k (keep) so
    the mailbox is filled once per size."""
    port = int(e["LAB_POP3S_PORT"])
    tasks = []
    floor = None
    for size, name in ((300, "300-byte"), (BIG, "50 MB")):
        src = write_messages(b, "work/pop-rss-%d" % size, 1, size)
        box = Box(b, src)
        md = "work/pop-rss"
        t = b.task("Fetch one %s message" % name)
        kept = box.check(md, emptied=False)

        def fresh():
            b.fresh_maildir(md)
            b.remove("work/pf-rss.state")
            b.remove("work/mpop-rss.uidls")
        row = b.measure_rss(
            t, "yubin popfetch",
            ["popfetch", "-S", "pop3s://127.0.0.1:%d" % port, "--cacert",
             e["LAB_CA"], "-u", "alice", "-k", "--state",
             "work/pf-rss.state", "-d", md], ["popfetch"], yubin=True,
            setup=fresh, check=kept,
            rss_target=floor + 1024 if floor and size == BIG else None)
        if size != BIG and row.rss is not None:
            floor = row.rss
        b.measure_rss(
            t, "mpop",
            ["mpop", "--host=127.0.0.1", "--port=%d" % port, "--tls=on",
             "--tls-starttls=off", "--tls-trust-file=" + e["LAB_CA"],
             "--auth=user", "--user=alice", "--passwordeval=echo alicepw",
             "--delivery=maildir," + b.path(md), "--keep=on",
             "--only-new=off", "--uidls-file=" + b.path("work", "mpop-rss.uidls"),
             "-q"],
            ["mpop"], setup=fresh, check=kept)
        tasks.append(t)
    b.emit(b.rss_table(tasks))
    b.emit("Peak RSS is wait4's ru_maxrss of the process (maxrss helper), "
           "the largest of %d runs after a warm-up; POP3S on loopback, "
           "`-k` and `--keep=on` so the one message stays on the server; "
           "after each run the Maildir holds it, its bytes the server's. "
           "The target for the 50 MB message is the 300-byte session's "
           "peak plus 1 MiB.\n" % b.rss_runs)
