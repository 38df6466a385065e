"""The shared half of the benchmark: timing loop, peak RSS, scratch
Maildirs and Markdown tables. Sections (NN-name.py) get a Bench object.

Every command runs with the bench directory as its working directory, so
the commands printed in the tables are exactly the ones that ran. Times are
wall-clock seconds of the whole process (or pipeline, or shell loop), from
time.perf_counter() around subprocess.run; one warm-up run comes first and
is not counted, so every figure is a warm-cache figure.
"""

import hashlib
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time


class BenchError(Exception):
    pass


class Stats:
    def __init__(self, times, scale=1.0, cpu=None):
        self.times = [t * scale for t in times]
        self.median = statistics.median(self.times)
        self.lo = min(self.times)
        self.hi = max(self.times)
        self.cpu = statistics.median(cpu) * scale if cpu else None


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def fmt_time(t):
    if t is None:
        return "–"
    if t >= 1:
        return "%.2f s" % t
    if t >= 0.01:
        return "%.0f ms" % (t * 1000)
    return "%.2f ms" % (t * 1000)


def fmt_kib(k):
    return "%.1f MiB" % (k / 1024.0) if k is not None else "–"


def md_code(s, table=True):
    return "`%s`" % (s.replace("|", "\\|") if table else s)


class Row:
    def __init__(self, tool, cmd, shown=None, yubin=False, ratio_target=None,
                 rss_target=None, note="", peer=True):
        self.tool, self.cmd, self.shown = tool, cmd, shown or cmd
        self.yubin = yubin
        self.peer = peer                   # False: a floor, for scale
        self.ratio_target = ratio_target   # peer row: peer/yubin >= this
        self.rss_target = rss_target       # KiB
        self.note = note
        self.stats = None
        self.pending = None
        self.rss = None
        self.status = "ok"


class Task:
    """One thing measured: a yubin row and the peer rows beside it."""

    def __init__(self, bench, name, fastest=False):
        self.b, self.name, self.fastest = bench, name, fastest
        self.rows = []

    def yubin_row(self):
        for r in self.rows:
            if r.yubin:
                return r
        return None


class Bench:
    def __init__(self, bindir, outdir, runs, n, cc_helper):
        self.bin, self.dir, self.runs, self.n = bindir, outdir, runs, n
        self.work = os.path.join(outdir, "work")
        self.maxrss_helper = cc_helper
        self.rss_runs = 3
        path = bindir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")
        self.env = dict(os.environ, PATH=path, LC_ALL="C.UTF-8")
        self.env.pop("MBLAZE", None)
        self.md = []
        self.failures = 0
        os.makedirs(self.work, exist_ok=True)

    # --- programs ---
    def yubin(self, prog):
        p = os.path.join(self.bin, prog)
        return p if os.access(p, os.X_OK) else None

    @staticmethod
    def peer(prog):
        return shutil.which(prog)

    def missing(self, progs, yubin):
        for p in progs:
            if yubin and not self.yubin(p):
                return "not built (%s)" % p
            if not yubin and not self.peer(p):
                return "not installed (%s)" % p
        return None

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def log(self, msg):
        print("bench: " + msg, file=sys.stderr, flush=True)

    # --- scratch folders and checks ---
    def fresh_maildir(self, rel):
        p = self.path(rel)
        if os.path.lexists(p):
            shutil.rmtree(p) if os.path.isdir(p) else os.unlink(p)
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(p, sub))

    def remove(self, rel):
        p = self.path(rel)
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.lexists(p):
            os.unlink(p)

    def maildir_files(self, rel):
        out = []
        for sub in ("new", "cur"):
            d = self.path(rel, sub)
            if os.path.isdir(d):
                out += [os.path.join(d, f) for f in sorted(os.listdir(d))]
        return out

    def expect_count(self, rel, n):
        def check():
            got = len(self.maildir_files(rel))
            if got != n:
                raise BenchError("%s holds %d messages, not %d" % (rel, got, n))
        return check

    def corpus_list(self, n):
        """work/listN: the first n corpus files, one relative path a line."""
        rel = "work/list%d" % n
        with open(self.path("files.txt")) as f:
            names = f.read().split("\n")[:n]
        with open(self.path(rel), "w") as f:
            f.write("".join("maildir/%s\n" % x for x in names if x))
        return rel

    @staticmethod
    def digests(paths, strip=b""):
        out = []
        for p in paths:
            with open(p, "rb") as f:
                data = f.read()
            out.append(hashlib.sha1(data.rstrip(b"\n") if strip else data)
                       .hexdigest())
        return sorted(out)

    # --- running ---
    def sh(self, cmd, stdin=None):
        """Run cmd once, untimed; return its stdout (for the sanity checks)."""
        p = subprocess.run(["bash", "-c", cmd], cwd=self.dir, env=self.env,
                           stdin=stdin or subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return p.returncode, p.stdout, p.stderr

    def _once(self, cmd):
        """Wall-clock and CPU (user + system of every process the command
        ran, as reaped) seconds of one run of cmd."""
        c0 = children_cpu()
        t0 = time.perf_counter()
        p = subprocess.run(["bash", "-c", cmd], cwd=self.dir, env=self.env,
                           stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t = time.perf_counter() - t0
        cpu = children_cpu() - c0
        if p.returncode != 0:
            err = p.stderr.decode(errors="replace").strip().splitlines()
            raise BenchError("exit %d%s" % (p.returncode,
                                            ": " + err[-1] if err else ""))
        return t, cpu

    def timeit(self, cmd, setup=None, check=None, scale=1.0):
        """One warm-up run, then self.runs timed runs; setup and check run
        outside the timed part, before and after each run."""
        times, cpu = [], []
        for i in range(self.runs + 1):
            if setup:
                setup()
            # Write back every dirty page before the clock starts: a tool
            # that syncs (syncfs, fsync) must not pay for the writes that
            # an earlier run or an earlier tool left in the page cache.
            os.sync()
            t, c = self._once(cmd)
            if check:
                check()
            if i:
                times.append(t)
                cpu.append(c)
        return Stats(times, scale, cpu)

    def maxrss(self, argv, stdin=None, setup=None, check=None):
        """Peak RSS in KiB (max over the runs) and wall-clock Stats of argv,
        run directly (no shell) under the maxrss helper."""
        if not self.maxrss_helper:
            raise BenchError("no maxrss helper (no C compiler?)")
        out = self.path("work", "maxrss.out")
        peak, times = 0, []
        for i in range(self.rss_runs + 1):
            if setup:
                setup()
            fin = open(self.path(stdin), "rb") if stdin else subprocess.DEVNULL
            try:
                t0 = time.perf_counter()
                p = subprocess.run([self.maxrss_helper, out] + argv,
                                   cwd=self.dir, env=self.env, stdin=fin,
                                   stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
                t = time.perf_counter() - t0
            finally:
                if stdin:
                    fin.close()
            if p.returncode != 0:
                err = p.stderr.decode(errors="replace").strip().splitlines()
                raise BenchError("exit %d%s" % (p.returncode,
                                                ": " + err[-1] if err else ""))
            if check:
                check()
            with open(out) as f:
                kib = int(f.read())
            if i:
                times.append(t)
                peak = max(peak, kib)
        return peak, Stats(times)

    # --- tasks ---
    def task(self, name, fastest=False):
        return Task(self, name, fastest)

    def measure(self, task, tool, cmd, progs, yubin=False, shown=None,
                setup=None, check=None, scale=1.0, ratio_target=None,
                note="", defer=False, peer=True):
        """Add a row to task and time it now, or, with defer, later in
        run_task() together with the task's other deferred rows.  A row
        with peer=False (a floor such as cp) is not a peer the yubin row
        must beat in a "fastest" task."""
        row = Row(tool, cmd, shown, yubin, ratio_target, note=note,
                  peer=peer)
        task.rows.append(row)
        row.status = self.missing(progs, yubin) or "ok"
        if row.status != "ok":
            self.log("%s / %s: %s" % (task.name, tool, row.status))
            return row
        row.pending = (cmd, setup, check, scale)
        if not defer:
            self.run_task(task)
        return row

    def run_task(self, task):
        """Time the task's pending rows with their runs interleaved
        (A B C, A B C, ...) after one warm-up round: the speed of this
        shared machine and its disk drifts over minutes, and interleaving
        makes the drift fall on every tool alike instead of on whichever
        ran last.  Every run starts after setup() and a sync, as timeit()."""
        rows = [r for r in task.rows if getattr(r, "pending", None)]
        times = {id(r): [] for r in rows}
        cpu = {id(r): [] for r in rows}
        for i in range(self.runs + 1):
            for r in rows:
                if r.status != "ok":
                    continue
                cmd, setup, check, _ = r.pending
                try:
                    if setup:
                        setup()
                    os.sync()
                    t, c = self._once(cmd)
                    if check:
                        check()
                except BenchError as e:
                    r.status = "failed: %s" % e
                    self.failures += 1
                    self.log("%s / %s: FAILED: %s" % (task.name, r.tool, e))
                    continue
                if i:
                    times[id(r)].append(t)
                    cpu[id(r)].append(c)
        for r in rows:
            scale = r.pending[3]
            r.pending = None
            if r.status == "ok":
                r.stats = Stats(times[id(r)], scale, cpu[id(r)])
                self.log("%s / %s: median %s (min %s, max %s)" % (
                    task.name, r.tool, fmt_time(r.stats.median),
                    fmt_time(r.stats.lo), fmt_time(r.stats.hi)))

    def measure_rss(self, task, tool, argv, progs, yubin=False, stdin=None,
                    setup=None, check=None, rss_target=None, note=""):
        shown = " ".join(argv) + (" < " + stdin if stdin else "")
        row = Row(tool, shown, None, yubin, rss_target=rss_target, note=note)
        task.rows.append(row)
        row.status = self.missing(progs, yubin) or "ok"
        if row.status != "ok":
            self.log("%s / %s: %s" % (task.name, tool, row.status))
            return row
        try:
            row.rss, row.stats = self.maxrss(argv, stdin, setup, check)
            self.log("%s / %s: peak RSS %s, median %s" % (
                task.name, tool, fmt_kib(row.rss), fmt_time(row.stats.median)))
        except BenchError as e:
            row.status = "failed: %s" % e
            self.failures += 1
            self.log("%s / %s: FAILED: %s" % (task.name, tool, e))
        return row

    # --- Markdown ---
    def emit(self, text):
        self.md.append(text)

    def time_table(self, tasks):
        out = ["| Task | Program | Command | Median | Min | Max | CPU "
               "| Peer ÷ yubin | Target |",
               "|---|---|---|--:|--:|--:|--:|--:|---|"]
        commands, notes = [], []
        for t in tasks:
            y = t.yubin_row()
            ref = y.stats.median if y and y.stats else None
            peers = [r.stats.median for r in t.rows
                     if not r.yubin and r.peer and r.stats]
            first = True
            for r in t.rows:
                name = "**%s**" % r.tool if r.yubin else r.tool
                if r.note:
                    notes.append(r.note)
                    name += " " + "†" * len(notes)
                ratio = target = ""
                if r.stats is None:
                    med, lo, hi, cpu = r.status, "", "", ""
                else:
                    med, lo, hi, cpu = (
                        fmt_time(r.stats.median), fmt_time(r.stats.lo),
                        fmt_time(r.stats.hi), fmt_time(r.stats.cpu))
                    if r.yubin and ref:
                        ratio = "1.00 (ref.)"
                    elif ref:
                        ratio = "%.2f×" % (r.stats.median / ref)
                if r.ratio_target:
                    rt = r.ratio_target
                    target = ("≥ %.1f×" if round(rt, 1) == rt
                              else "≥ %.2f×") % rt
                    if ref and r.stats:
                        ok = r.stats.median / ref >= r.ratio_target
                        target += ": " + ("met" if ok else "**not met**")
                if r.yubin and t.fastest:
                    target = "≤ fastest peer"
                    if ref and peers:
                        target += ": " + ("met" if ref <= min(peers)
                                          else "**not met**")
                out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |"
                           % (t.name if first else "", name,
                              md_code(r.shown), med, lo, hi, cpu, ratio,
                              target))
                first = False
                if r.shown != r.cmd:
                    commands.append((r.tool, r.cmd))
        self._footer(out, notes, commands)
        return "\n".join(out) + "\n"

    def rss_table(self, tasks):
        out = ["| Task | Program | Command | Peak RSS | Median time "
               "| Target |", "|---|---|---|--:|--:|---|"]
        notes = []
        for t in tasks:
            first = True
            for r in t.rows:
                name = "**%s**" % r.tool if r.yubin else r.tool
                if r.note:
                    notes.append(r.note)
                    name += " " + "†" * len(notes)
                target = ""
                if r.rss_target:
                    target = "≤ %s" % fmt_kib(r.rss_target)
                    if r.rss is not None:
                        target += ": " + ("met" if r.rss <= r.rss_target
                                          else "**not met**")
                rss = fmt_kib(r.rss) if r.rss is not None else r.status
                med = fmt_time(r.stats.median) if r.stats else ""
                out.append("| %s | %s | %s | %s | %s | %s |" % (
                    t.name if first else "", name, md_code(r.shown), rss,
                    med, target))
                first = False
        self._footer(out, notes, [])
        return "\n".join(out) + "\n"

    @staticmethod
    def _footer(out, notes, commands):
        if notes:
            out.append("")
            for i, n in enumerate(notes, 1):
                out.append("%s %s  " % ("†" * i, n))
        if commands:
            out.append("")
            out.append("Commands as run:")
            out.append("")
            for tool, cmd in commands:
                out.append("- %s: %s" % (tool, md_code(cmd, table=False)))

    # --- peer configuration files (absolute paths: both tools chdir) ---
    def procmailrc(self, dest, maildir=True):
        """A procmail -m rcfile that files everything into dest. -m reads
        no /etc/procmailrc; ORGMAIL and SENDMAIL keep a failure from
        touching /var/mail or mailing a bounce."""
        target = self.path(dest) + ("/" if maildir else "")
        rc = self.path("work", "procmailrc-" + os.path.basename(dest))
        with open(rc, "w") as f:
            f.write("# written by tests/bench: everything into one folder\n"
                    "SENDMAIL=/bin/false\nORGMAIL=%s\nDEFAULT=%s\n"
                    % (target, target))
        return rc

    def maildrop_filter(self, dest, maildir=True):
        """A maildrop filter file (mode 600, or maildrop refuses it) that
        delivers everything to dest."""
        target = self.path(dest) + ("/" if maildir else "")
        rc = self.path("work", "maildrop-" + os.path.basename(dest))
        with open(rc, "w") as f:
            f.write("# written by tests/bench: everything into one folder\n"
                    "to \"%s\"\n" % target)
        os.chmod(rc, 0o600)
        return rc

    def checks(self, lines):
        """Append a list of check results under a section's table."""
        if lines:
            self.emit("Checks:\n\n" + "".join("- %s\n" % x for x in lines))

    def check_failed(self, msg):
        self.failures += 1
        self.log("CHECK FAILED: " + msg)
        return "**%s**" % msg


# --- the mail lab (tests/lab/lab, needs root), for the network sections ---
LAB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab",
                   "lab")


def start_lab(b):
    """Start a lab on the first free port base; (its directory, its env
    as a dict), or (None, None) when it cannot start."""
    for base in range(2000, 30001, 2000):
        env = dict(os.environ, LAB_PORT_BASE=str(base))
        p = subprocess.run([LAB, "start"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if p.returncode == 3:
            continue
        if p.returncode != 0:
            b.log("lab start failed: " + p.stdout.strip())
            return None, None
        d = re.search(r"^lab: running in (.*)$", p.stdout, re.M).group(1)
        labenv = {}
        with open(os.path.join(d, "env")) as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                labenv[k] = v
        return d, labenv
    return None, None


def stop_lab(d):
    subprocess.run([LAB, "stop", d], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    subprocess.run(["rm", "-rf", d])


def turns(text, client, server):
    """Round trips seen in a trace: each time the client, having sent,
    waits for the server (a server line right after a client line), plus
    one for the greeting. TLS handshakes do not show in either trace."""
    n, last = 1, None
    for line in text.splitlines():
        if line.startswith(client):
            last = "c"
        elif line.startswith(server):
            if last == "c":
                n += 1
            last = "s"
    return n
