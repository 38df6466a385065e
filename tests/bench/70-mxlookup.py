"""mxlookup: MX lookups of 1000 names through a DNS server 25 ms away,
against adnshost (concurrent, like mxlookup) and dig -f (one query after
the other), like with like: mxlookup against adnshost -t mx- (MX only),
mxlookup -a against adnshost -t mx (MX and the hosts' addresses).

The lab's NSD (tests/lab/lab) serves the names b0000..b0999.yubin.test
of tests/lab/yubin.test.zone; tests/lab/udpdelay.py sits in front of it
and delays every packet by 25 ms each way.  adnshost cannot be told a
port (its --config takes "nameserver ADDR" only), so the proxy listens on
port 53 of a spare loopback address (127.0.0.2, or the next free one up
to 127.0.0.9), which needs root; every tool asks that same proxy.
"""

import os
import re
import socket
import subprocess
import sys

TITLE = "mxlookup: 1000 MX lookups, 25 ms from the server"

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "..", "lab", "lab")
PROXY = os.path.join(HERE, "..", "lab", "udpdelay.py")
DELAY_MS = 25
N = 1000
N_DIG = 100          # dig is sequential: 100 names, times scaled by 10


def free53():
    """A loopback address whose port 53 (UDP and TCP) is free."""
    for last in range(2, 10):
        addr = "127.0.0.%d" % last
        ok = True
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind((addr, 53))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            return addr
    return None


def start_lab(b):
    for base in (3000, 5000, 7000, 9000, 11000):
        p = subprocess.run([LAB, "start"], env=dict(os.environ,
                           LAB_PORT_BASE=str(base)),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        if p.returncode == 3:
            continue
        m = re.search(r"^lab: running in (\S+)", p.stdout, re.M)
        if p.returncode != 0 or not m:
            b.log("lab start failed: %s" % p.stdout.strip()[-300:])
            return None, None
        env = {}
        with open(os.path.join(m.group(1), "env")) as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                env[k] = v
        return m.group(1), env
    return None, None


def start_proxy(addr, port):
    p = subprocess.Popen([sys.executable, PROXY, str(DELAY_MS),
                          "%s:53" % addr, "127.0.0.1:%s" % port, "900"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, start_new_session=True)
    line = p.stdout.readline()
    if line.strip() != "ready":
        p.kill()
        return None
    return p


def mxlookup_set(text):
    """(name, pref, host) of mxlookup output, or (name, pref, host,
    address) with -a."""
    out = set()
    for line in text.splitlines():
        f = line.split("\t")
        out.add((f[0], int(f[1])) + tuple(f[2:]))
    return out


def adns_set(text):
    """The same from adnshost: "NAME MX PREF HOST" with -t mx-, or with
    -t mx "NAME MX PREF HOST ok 0 ok "OK" ( INET A ... )", one tuple per
    address (a host without address gives none)."""
    out = set()
    for line in text.splitlines():
        f = line.split()
        if len(f) < 4 or f[1] != "MX":
            continue
        if len(f) == 4:
            out.add((f[0], int(f[2]), f[3]))
            continue
        for a in re.findall(r"INET6? (\S+)", line):
            out.add((f[0], int(f[2]), f[3], a))
    return out


def dig_set(text):
    out = set()
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 6 and f[3] == "MX":
            out.add((f[0].rstrip("."), int(f[4]), f[5].rstrip(".")))
    return out


def run(b):
    if os.geteuid() != 0:
        b.emit("Not run: the lab and port 53 need root.\n")
        return
    addr = free53()
    if addr is None:
        b.emit("Not run: port 53 is busy on 127.0.0.2 to 127.0.0.9.\n")
        return
    labdir, env = start_lab(b)
    if labdir is None:
        b.failures += 1
        b.emit("**Not run: the lab did not start.**\n")
        return
    proxy = None
    try:
        proxy = start_proxy(addr, env["LAB_DNS_PORT"])
        if proxy is None:
            b.failures += 1
            b.emit("**Not run: the delay proxy did not start.**\n")
            return
        measure(b, addr)
    finally:
        if proxy is not None:
            os.killpg(proxy.pid, 15)
            proxy.wait()
        subprocess.run([LAB, "stop", labdir])
        subprocess.run(["rm", "-rf", labdir])


def measure(b, addr):
    names = ["b%04d.yubin.test" % i for i in range(N)]
    with open(b.path("work", "mx-names"), "w") as f:
        f.write("".join(n + "\n" for n in names))
    with open(b.path("work", "mx-dig"), "w") as f:
        f.write("".join(n + " MX\n" for n in names[:N_DIG]))

    # Like with like (issue 4): mxlookup without -a asks MX only (and an
    # in-bailiwick host's A from the additional section), as adnshost -t
    # mx- (raw MX, no address lookups); mxlookup -a also asks A and AAAA
    # of every MX host, as adnshost -t mx (its default for MX).
    # exit 6: a permanent failure for some names, the 20 whose MX is
    # implicit (adnshost reports "nodata" for them)
    ok6 = " > /dev/null || [ $? -eq 6 ]"
    adns = "adnshost --config 'nameserver %s' -t %s -f < work/mx-names"
    mx_cmd = "mxlookup -s %s < work/mx-names" % addr
    mxa_cmd = "mxlookup -a -s %s < work/mx-names" % addr
    dig_cmd = "dig @%s +noall +answer -f work/mx-dig" % addr

    t1 = b.task("MX of %d names" % N)
    y = b.measure(t1, "yubin mxlookup", mx_cmd + " > /dev/null",
                  ["mxlookup"], yubin=True, shown=mx_cmd, defer=True)
    a = b.measure(t1, "adnshost -t mx-", adns % (addr, "mx-") + ok6,
                  ["adnshost"], shown=adns % (addr, "mx-"),
                  note="raw MX records, no address lookups; the 20 "
                  "names without MX end there, where mxlookup asks A and "
                  "AAAA of each for the implicit MX (one more round trip)",
                  defer=True)
    # BENCH_MX_BEFORE=PATH: an older build's mxlookup in the same rounds,
    # to tell a change of the code from a change of the machine or of
    # the peers (the ratio to adnshost moves with adnshost's own time)
    before = os.environ.get("BENCH_MX_BEFORE")
    if before:
        bcmd = "%s -s %s < work/mx-names" % (before, addr)
        b.measure(t1, "mxlookup of BENCH_MX_BEFORE", bcmd + " > /dev/null",
                  [], shown=bcmd, note="the same work, an older build: "
                  "compare its time with yubin mxlookup's row", defer=True)
    d = b.measure(t1, "dig -f", dig_cmd + " > /dev/null", ["dig"],
                  shown=dig_cmd, scale=N / N_DIG, ratio_target=20,
                  note="dig -f asks one name after the other: %d names, "
                  "the times shown are the measured ones ×%d"
                  % (N_DIG, N // N_DIG), defer=True)
    b.run_task(t1)
    t2 = b.task("MX and addresses of %d names" % N)
    ya = b.measure(t2, "yubin mxlookup -a", mxa_cmd + " > /dev/null",
                   ["mxlookup"], yubin=True, shown=mxa_cmd, defer=True)
    aa = b.measure(t2, "adnshost -t mx", adns % (addr, "mx") + ok6,
                   ["adnshost"], shown=adns % (addr, "mx"),
                   note="A and AAAA of every MX host of every name (adns "
                   "has no cache between queries: about 1300 AAAA "
                   "questions, answered NODATA); mxlookup asks each "
                   "host's AAAA once", defer=True)
    b.run_task(t2)
    b.emit(b.time_table([t1, t2]))
    b.emit("Every packet goes through tests/lab/udpdelay.py on %s:53, "
           "%d ms each way, to the lab's NSD 4.6 with response rate "
           "limiting off (zone tests/lab/yubin.test.zone, names b0000 to "
           "b0999: one or two MXs each on ten hosts, every 50th name an "
           "implicit MX). mxlookup sends up to 1000 queries at once "
           "(its window, capped at what its socket's receive buffer "
           "holds; a lost query halves it); it asks each MX host's "
           "addresses once (additional-section records are used only "
           "in-bailiwick). adnshost sends every query at once.\n"
           % (addr, DELAY_MS))
    checks(b, addr, (y, a, "mxlookup", "adnshost -t mx-"),
           (ya, aa, "mxlookup -a", "adnshost -t mx"))


def checks(b, addr, *pairs):
    res = []
    rc, out, err = b.sh("mxlookup -s %s < work/mx-names" % addr)
    mine = mxlookup_set(out.decode())
    implicit = {n for n, p, h in mine if p == 0 and n == h}
    msg = "mxlookup: exit %d, %d lines, %d implicit MXs" % (
        rc, len(mine), len(implicit))
    res.append(msg if rc == 0 and len(mine) == 1327 and len(implicit) == 20
               else b.check_failed(msg))
    rc, out, err = b.sh("mxlookup -a -s %s < work/mx-names" % addr)
    mine_a = mxlookup_set(out.decode())
    msg = "mxlookup -a: exit %d, %d lines" % (rc, len(mine_a))
    res.append(msg if rc == 0 and len(mine_a) == 1327
               else b.check_failed(msg))

    for t, m in (("mx-", mine), ("mx", mine_a)):
        rc, out, err = b.sh("adnshost --config 'nameserver %s' -t %s -f "
                            "< work/mx-names" % (addr, t))
        theirs = adns_set(out.decode())
        same = {x for x in m if x[0] not in implicit}
        msg = ("adnshost -t %s (exit %d): %d tuples; mxlookup%s's, the "
               "implicit MXs aside, %s"
               % (t, rc, len(theirs), "" if t == "mx-" else " -a",
                  "identical" if same == theirs
                  else "DIFFERENT (%d vs %d)" % (len(same), len(theirs))))
        res.append(msg if same == theirs else b.check_failed(msg))

    rc, out, err = b.sh("dig @%s +noall +answer -f work/mx-dig" % addr)
    dig = dig_set(out.decode())
    first = {"b%04d.yubin.test" % i for i in range(N_DIG)}
    mine3 = {x for x in mine if x[0] in first and x[0] not in implicit}
    msg = ("dig -f (exit %d): %d MX records for the first %d names, "
           "mxlookup's %s" % (rc, len(dig), N_DIG,
                              "identical" if dig == mine3 else "DIFFERENT"))
    res.append(msg if dig == mine3 else b.check_failed(msg))

    for row, peer, what, pname in pairs:
        if row.stats and peer.stats:
            r = row.stats.median / peer.stats.median
            msg = ("target: %s within 1.5× of %s: it takes %.2f× its "
                   "time: %s" % (what, pname, r,
                                 "met" if r <= 1.5 else "NOT MET"))
            res.append(msg if r <= 1.5 else b.check_failed(msg))
    b.checks(res)
