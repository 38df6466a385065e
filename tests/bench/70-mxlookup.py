"""mxlookup: MX lookups of 1000 names through a DNS server 25 ms away,
against adnshost (concurrent, like mxlookup) and dig -f (one query after
the other).

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
    for base in (53000, 54000, 55000, 56000, 57000, 58000):
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
    """(name, pref, host, address) of mxlookup -a output."""
    out = set()
    for line in text.splitlines():
        name, pref, host, addr = line.split("\t")
        out.add((name, int(pref), host, addr))
    return out


def adns_set(text):
    """The same from adnshost -t mx: "NAME MX PREF HOST ok 0 ok "OK"
    ( INET A ... )"; a host without address gives no tuple."""
    out = set()
    for line in text.splitlines():
        f = line.split()
        if len(f) < 4 or f[1] != "MX":
            continue
        addrs = re.findall(r"INET6? (\S+)", line)
        for a in addrs or [""]:
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

    t = b.task("MX of %d names" % N)
    mx_cmd = "mxlookup -a -s %s < work/mx-names" % addr
    adns4_shown = ("adnshost --config 'nameserver %s' -A4 -t mx -f "
                   "< work/mx-names" % addr)
    adns_shown = adns4_shown.replace(" -A4", "")
    # exit 6: a permanent failure for some names, the 20 whose MX is
    # implicit (adnshost reports "nodata" for them)
    ok6 = " > /dev/null || [ $? -eq 6 ]"
    dig_cmd = "dig @%s +noall +answer -f work/mx-dig" % addr
    y = b.measure(t, "yubin mxlookup -a", mx_cmd + " > /dev/null",
                  ["mxlookup"], yubin=True, shown=mx_cmd, defer=True)
    w = b.measure(t, "yubin mxlookup -a --window 100",
                  mx_cmd.replace("-a", "-a --window 100") + " > /dev/null",
                  [], shown=mx_cmd.replace("-a", "-a --window 100"),
                  note="at most 100 queries in flight: the window does "
                  "not open", defer=True)
    a = b.measure(t, "adnshost -A4", adns4_shown + ok6, ["adnshost"],
                  shown=adns4_shown, note="IPv4 addresses only: adnshost "
                  "asks A (or takes it from the additional section) for "
                  "each MX host, no AAAA", defer=True)
    b.measure(t, "adnshost", adns_shown + ok6, ["adnshost"],
              shown=adns_shown, note="A and AAAA of every MX host of "
              "every name, with no cache between names: about 1300 AAAA "
              "queries answered NODATA, which NSD's response rate limiting "
              "(on by default in Debian, 200 a second per /24) starts "
              "dropping; each drop costs adns a 2-second retry", defer=True)
    d = b.measure(t, "dig -f", dig_cmd + " > /dev/null", ["dig"],
                  shown=dig_cmd, scale=N / N_DIG, ratio_target=20,
                  note="dig -f asks one name after the other: %d names, "
                  "the times shown are the measured ones ×%d"
                  % (N_DIG, N // N_DIG), defer=True)
    b.run_task(t)
    b.emit(b.time_table([t]))
    b.emit("Every packet goes through tests/lab/udpdelay.py on %s:53, "
           "%d ms each way, to the lab's NSD 4.6 (zone "
           "tests/lab/yubin.test.zone, names b0000 to b0999: one or two "
           "MXs each on ten hosts, every 50th name an implicit MX). "
           "mxlookup starts with 200 queries in flight and opens its "
           "window by one query per answer, to at most 1000 (slow start); "
           "it takes the hosts' A records from the additional "
           "section and asks each host's AAAA once (-a). adnshost sends "
           "every query at once.\n" % (addr, DELAY_MS))
    checks(b, addr, y, w, a, d)


def checks(b, addr, y, w, a, d):
    res = []
    rc, out, err = b.sh("mxlookup -a -s %s < work/mx-names" % addr)
    mine = mxlookup_set(out.decode())
    implicit = {n for n, p, h, _ in mine if p == 0 and n == h}
    msg = "mxlookup -a: exit %d, %d lines, %d implicit MXs" % (
        rc, len(mine), len(implicit))
    res.append(msg if rc == 0 and len(implicit) == 20 else b.check_failed(msg))

    rc, out, err = b.sh("adnshost --config 'nameserver %s' -t mx -f "
                        "< work/mx-names" % addr)
    theirs = adns_set(out.decode())
    same = mine - {x for x in mine if x[0] in implicit}
    msg = ("adnshost (exit %d): %d (name, pref, host, address) tuples; "
           "mxlookup's, the implicit MXs aside, %s"
           % (rc, len(theirs), "identical" if same == theirs
              else "DIFFERENT (%d vs %d)" % (len(same), len(theirs))))
    res.append(msg if same == theirs else b.check_failed(msg))

    rc, out, err = b.sh("dig @%s +noall +answer -f work/mx-dig" % addr)
    dig = dig_set(out.decode())
    first = {"b%04d.yubin.test" % i for i in range(N_DIG)}
    mine3 = {(n, p, h) for n, p, h, _ in mine
             if n in first and n not in implicit}
    msg = ("dig -f (exit %d): %d MX records for the first %d names, "
           "mxlookup's %s" % (rc, len(dig), N_DIG,
                              "identical" if dig == mine3 else "DIFFERENT"))
    res.append(msg if dig == mine3 else b.check_failed(msg))

    for row, what in ((y, "mxlookup -a"),):
        if row.stats and a.stats:
            r = row.stats.median / a.stats.median
            msg = ("target: %s within 1.5× of adnshost -A4 (the faster "
                   "adnshost): it takes %.2f× adnshost's time: %s"
                   % (what, r, "met" if r <= 1.5 else "NOT MET"))
            res.append(msg if r <= 1.5 else b.check_failed(msg))
    b.checks(res)
