"""mailsend against msmtp, both submitting to the lab's Postfix (STARTTLS,
AUTH PLAIN as alice): many small messages, one process each; and one
message to 50 recipients through the lab's delay proxy, where round
trips decide; and the peak RSS of each sending a 10 MB and a 300-byte
message (the maxrss helper), each message checked to have arrived.
Starts its own lab (tests/lab/lab, needs root) and stops it.
"""

import os
import time

from benchlib import BenchError, start_lab, stop_lab, turns

TITLE = "mailsend: SMTP submission against msmtp (lab Postfix, STARTTLS + AUTH)"

NMSG = 200
NRCPT = 50


def write_msmtprc(b, e, port, auth=True):
    rc = b.path("work", "msmtprc-%d" % port)
    with open(rc, "w") as f:
        f.write("# written by tests/bench/80-mailsend.py\n"
                "account lab\nhost 127.0.0.1\nport %d\n"
                "tls on\ntls_starttls on\ntls_trust_file %s\n"
                "%s"
                "from alice@yubin.test\n" % (port, e["LAB_CA"],
                    "auth plain\nuser alice\npassword alicepw\n" if auth
                    else "auth off\n"))
    os.chmod(rc, 0o600)
    return rc


def write_message(b, size, subject="bench"):
    rel = "work/ms-%d.eml" % size
    body = []
    n = 0
    i = 0
    while n < size:
        line = "line %05d of a message for the mailsend benchmark, " \
               "some text to fill it up.\n" % i
        body.append(line)
        n += len(line)
        i += 1
    with open(b.path(rel), "w") as f:
        f.write("From: alice@yubin.test\nTo: bob@example.org\n"
                "Subject: %s\nDate: Sun, 22 Nov 2026 05:00:00 +0000\n"
                "Message-ID: <bench@yubin.test>\n\n" % subject +
                "".join(body))
    return rel


def run(b):
    if b.missing(["mailsend"], True) or b.missing(["msmtp"], False):
        b.emit("Skipped: %s\n" % (b.missing(["mailsend"], True) or
                                  b.missing(["msmtp"], False)))
        return
    d, e = start_lab(b)
    if d is None:
        b.emit("Skipped: the lab could not start (needs root and the "
               "servers of tests/deps).\n")
        b.failures += 1
        return
    try:
        measure(b, e)
        measure_rss(b, e)
    finally:
        stop_lab(d)


def measure(b, e):
    sub = int(e["LAB_SUBMISSION_PORT"])
    delay = int(e["LAB_DELAY_SUBMISSION_PORT"])
    msg = write_message(b, 10 * 1024)
    rc_sub = write_msmtprc(b, e, sub)
    rc_delay = write_msmtprc(b, e, delay)
    ms = ("YUBIN_PASSWORD=alicepw mailsend -S smtp://127.0.0.1:%d "
          "--cacert %s -u alice --auth PLAIN")
    mm = "msmtp -C %s -a lab"

    t = b.task("%d messages of 10 KB, one process each" % NMSG,
               fastest=True)
    loop = "for i in $(seq %d); do %%s bob@example.org < %s || exit; done" \
        % (NMSG, msg)
    b.measure(t, "yubin mailsend", loop % (ms % (sub, e["LAB_CA"])),
              ["mailsend"], yubin=True,
              shown=(ms % (sub, "CA")) + " bob@example.org < MSG",
              defer=True)
    b.measure(t, "msmtp", loop % (mm % rc_sub), ["msmtp"],
              shown=(mm % "RC") + " bob@example.org < MSG", defer=True)
    b.run_task(t)

    rcpts = " ".join("r%02d@example.org" % i for i in range(NRCPT))
    t2 = b.task("1 message to %d recipients, %s ms each way" %
                (NRCPT, e["LAB_DELAY_MS"]), fastest=True)
    b.measure(t2, "yubin mailsend",
              (ms % (delay, e["LAB_CA"])) + " %s < %s" % (rcpts, msg),
              ["mailsend"], yubin=True,
              shown=(ms % (delay, "CA")) + " r00@... r49@... < MSG",
              defer=True)
    b.measure(t2, "msmtp", (mm % rc_delay) + " %s < %s" % (rcpts, msg),
              ["msmtp"], shown=(mm % "RC") + " r00@... r49@... < MSG",
              defer=True)
    b.run_task(t2)
    b.emit(b.time_table([t, t2]))

    # round trips, from each tool's own trace of the 50-recipient send
    _, _, yt = b.sh((ms % (delay, e["LAB_CA"])) + " --trace %s < %s" %
                    (rcpts, msg))
    _, mt, merr = b.sh((mm % rc_delay) + " --debug %s < %s" % (rcpts, msg))
    yt = yt.decode(errors="replace")
    mt = mt.decode(errors="replace") + merr.decode(errors="replace")
    y, m = turns(yt, "C: ", "S: "), turns(mt, "--> ", "<-- ")
    b.emit("The lab (Postfix 3.7, Dovecot SASL) is started by the section "
           "itself; RC is an msmtprc with the same settings (tls on, "
           "tls_starttls on, tls_trust_file = the lab CA, auth plain, user "
           "alice, password in the file), CA the lab's CA file. MSG is a "
           "10 KB message. Each command of the first task runs %d times "
           "from a bash loop (the loop is in both rows).\n" % NMSG)
    res = ["round trips for the %d-recipient send, counted in the traces "
           "(a server line right after a client line, plus the greeting; "
           "TLS handshakes not shown in either): mailsend `--trace` %d, "
           "msmtp `--debug` %d" % (NRCPT, y, m)]
    b.checks(res)


def measure_rss(b, e):
    """Peak RSS of one process sending one message, mailsend against
    msmtp, over STARTTLS to the lab's port for big messages (no AUTH
    there; the submission port takes at most 1 MiB)."""
    port = int(e["LAB_SMTP_BIG_PORT"])
    rc = write_msmtprc(b, e, port, auth=False)
    new = os.path.join(e["LAB_STORE"], "new")
    subject = [None]
    looked = set()

    def fresh(size):
        # each run sends a message of its own subject, so that the check
        # finds that one and not one queued by an earlier task
        def setup():
            subject[0] = "rss-%d-%d" % (size, time.time_ns())
            write_message(b, size, subject[0])
        return setup

    def arrived():
        want = ("\nSubject: %s\n" % subject[0]).encode()
        for _ in range(400):        # 20 s: Postfix stores it after the client
            for f in os.listdir(new):
                if f in looked:
                    continue
                with open(os.path.join(new, f), "rb") as m:
                    head = m.read(4096)
                if want in head:
                    looked.add(f)
                    return
                if b"\nSubject: rss-" not in head:
                    looked.add(f)   # an earlier task's: never ours
            time.sleep(0.05)
        raise BenchError("no message with Subject %s in %s"
                         % (subject[0], new))

    tasks = []
    for size, name in ((10 * 1000 * 1000, "10 MB"), (300, "300-byte")):
        msg = write_message(b, size)
        t = b.task("Send one %s message" % name)
        b.measure_rss(t, "yubin mailsend",
                      ["mailsend", "-S", "smtp://127.0.0.1:%d" % port,
                       "--cacert", e["LAB_CA"], "bob@example.org"],
                      ["mailsend"], yubin=True, stdin=msg,
                      setup=fresh(size), check=arrived,
                      rss_target=8 * 1024 if size > 300 else None)
        b.measure_rss(t, "msmtp", ["msmtp", "-C", rc, "-a", "lab",
                                   "bob@example.org"], ["msmtp"],
                      stdin=msg, setup=fresh(size), check=arrived)
        tasks.append(t)
    b.emit(b.rss_table(tasks))
    b.emit("Peak RSS is wait4's ru_maxrss of the process (maxrss helper), "
           "the largest of %d runs after a warm-up; after each run the "
           "message must be in the lab's store. Both tools use STARTTLS "
           "with the lab's CA, no AUTH (port LAB_SMTP_BIG_PORT, whose "
           "size limit admits 10 MB).\n" % b.rss_runs)
