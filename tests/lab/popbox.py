#!/usr/bin/python3
"""A lab user's POP3 mailbox, for popfetch's tests and benchmark.

  popbox.py fill USER FILE|DIR...   put each FILE (each file of DIR, in
                                    name order) as one message into USER's
                                    Maildir, the one the lab's Dovecot serves
  popbox.py uidls USER              the UIDLs the server holds, sorted, one
                                    a line (asked over POP3)
  popbox.py dump USER DIR           each message the server holds as
                                    DIR/UIDL: RETR, dot-unstuffed, CRLF->LF
  popbox.py clear USER              DELE every message, QUIT
  popbox.py check EXPECT KIND PATH [options]
                                    does PATH hold each message of the
                                    directory EXPECT (a dump) exactly once?

check KIND is maildir (the files of new/ and cur/), mbox (mboxrd) or dir
(every file of PATH is one message).  Each delivered message must begin
with one added Received field (its first line "Received:" and the
continuation lines after it): check strips that field and compares the
rest with EXPECT's files, byte for byte.  It prints one line per problem
(missing NAME, duplicate NAME xN, unexpected SIZE BYTES SHA1 FIRST-BYTES,
no-received FILE, received-mismatch, tmp-leftover FILE) and exits 1 if
there is any.  Options:
  --at-most-once        messages of EXPECT may be missing (not reported)
  --missing-out FILE    write the names of EXPECT not delivered, sorted
  --received RE         every added Received field (unfolded) matches RE
  --tmp-empty           a Maildir's tmp/ must be empty
  --no-received         delivered messages carry no added field
  --at-least-once       a duplicate is not a problem; each is still
                        printed, as "duplicate-allowed NAME xN"

The lab's environment (LAB_MAIL, LAB_POP3_PORT, LAB_DIR) comes from
lab_env; passwords from the lab's Dovecot passwd-file.  POP3 goes to the
plain port in clear text (Dovecot counts loopback as secure).
Messages are written to tmp/ and renamed into new/, owned by
nobody:nogroup (Dovecot's mail processes run as nobody).
"""

import hashlib
import os
import pwd
import grp
import re
import socket
import sys
import time


def env(name):
    v = os.environ.get(name)
    if not v:
        sys.exit("popbox: %s unset (run lab_env first)" % name)
    return v


def password(user):
    with open(os.path.join(env("LAB_DIR"), "dovecot", "passwd")) as f:
        for line in f:
            u, _, rest = line.rstrip("\n").partition(":")
            if u == user:
                return rest.split("}", 1)[1]
    sys.exit("popbox: no lab user %s" % user)


class Pop:
    """Just enough of a POP3 client: USER/PASS, one command at a time,
    except for DELE, which it sends in batches (Dovecot pipelines)."""

    def __init__(self, user):
        port = int(env("LAB_POP3_PORT"))
        self.s = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.f = self.s.makefile("rwb")
        self.ok(self.line())
        self.cmd(b"USER " + user.encode())
        self.cmd(b"PASS " + password(user).encode())

    def line(self):
        l = self.f.readline()
        if not l.endswith(b"\r\n"):
            sys.exit("popbox: connection lost (%r)" % l[:80])
        return l[:-2]

    @staticmethod
    def ok(l):
        if not l.startswith(b"+OK"):
            sys.exit("popbox: server said %r" % l[:200])
        return l

    def send(self, c):
        self.f.write(c + b"\r\n")
        self.f.flush()

    def cmd(self, c):
        self.send(c)
        return self.ok(self.line())

    def multi(self, c):
        """The lines of a multi-line reply, dot-unstuffed, without ends."""
        self.cmd(c)
        out = []
        while True:
            l = self.line()
            if l == b".":
                return out
            out.append(l[1:] if l.startswith(b".") else l)

    def uidls(self):
        return [tuple(l.split(b" ", 1)) for l in self.multi(b"UIDL")]

    def retr(self, n):
        return b"".join(l + b"\n" for l in self.multi(b"RETR " + n))

    def dele_all(self):
        nums = [n for n, _ in self.uidls()]
        for i in range(0, len(nums), 50):
            batch = nums[i:i + 50]
            self.f.write(b"".join(b"DELE " + n + b"\r\n" for n in batch))
            self.f.flush()
            for _ in batch:
                self.ok(self.line())

    def quit(self):
        self.cmd(b"QUIT")
        self.s.close()


def fill(user, paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += [os.path.join(p, x) for x in sorted(os.listdir(p))]
        else:
            files.append(p)
    md = os.path.join(env("LAB_MAIL"), user)
    uid, gid = pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid
    for d in ("", "tmp", "new", "cur"):
        os.makedirs(os.path.join(md, d), exist_ok=True)
        os.chown(os.path.join(md, d), uid, gid)
    t = int(time.time())
    for i, src in enumerate(files):
        name = "%d.M%06dP%dQ%06d.popbox" % (t, i, os.getpid(), i)
        tmp = os.path.join(md, "tmp", name)
        with open(src, "rb") as fi, open(tmp, "wb") as fo:
            while True:
                b = fi.read(1 << 20)
                if not b:
                    break
                fo.write(b)
        os.chown(tmp, uid, gid)
        os.chmod(tmp, 0o600)
        os.rename(tmp, os.path.join(md, "new", name))


def dump(user, out):
    os.makedirs(out, exist_ok=True)
    p = Pop(user)
    for n, u in p.uidls():
        with open(os.path.join(out, u.decode()), "wb") as f:
            f.write(p.retr(n))
    p.quit()


def strip_received(m):
    """(the added Received field unfolded or None, the rest)"""
    if not m[:9].lower() == b"received:":
        return None, m
    end = 0
    while True:
        i = m.find(b"\n", end)
        if i < 0:
            return m, b""
        end = i + 1
        if m[end:end + 1] not in (b" ", b"\t"):
            break
    field = m[:end].replace(b"\n", b"").replace(b"\r", b"")
    return field, m[end:]


def mbox_messages(path):
    """The messages of an mboxrd file; a malformed file is a problem."""
    with open(path, "rb") as f:
        data = f.read()
    if not data:
        return [], []
    if not data.startswith(b"From "):
        return [], ["mbox-malformed does not begin with a From line"]
    msgs, cur, problems = [], None, []
    for line in data.splitlines(keepends=True):
        if line.startswith(b"From "):
            if cur is not None:
                msgs.append(cur)
            cur = []
            continue
        if re.match(rb">+From ", line):
            line = line[1:]
        cur.append(line)
    msgs.append(cur)
    out = []
    for i, m in enumerate(msgs):
        if not m or m[-1] != b"\n":
            problems.append("mbox-malformed message %d is not followed "
                            "by an empty line" % (i + 1))
        else:
            m = m[:-1]
        out.append(b"".join(m))
    return out, problems


def delivered(kind, path, tmp_empty):
    """[(label, bytes)] and problems."""
    problems, out = [], []
    if kind == "maildir":
        for sub in ("new", "cur"):
            d = os.path.join(path, sub)
            for x in sorted(os.listdir(d)):
                with open(os.path.join(d, x), "rb") as f:
                    out.append((sub + "/" + x, f.read()))
        if tmp_empty:
            for x in sorted(os.listdir(os.path.join(path, "tmp"))):
                problems.append("tmp-leftover tmp/%s" % x)
    elif kind == "mbox":
        if os.path.exists(path):
            msgs, problems = mbox_messages(path)
            out = [("message %d" % (i + 1), m) for i, m in enumerate(msgs)]
    elif kind == "dir":
        for x in sorted(os.listdir(path)):
            with open(os.path.join(path, x), "rb") as f:
                out.append((x, f.read()))
    else:
        sys.exit("popbox: check: KIND is maildir, mbox or dir")
    return out, problems


def check(args):
    expect, kind, path = args[:3]
    opts = args[3:]
    at_most_once = "--at-most-once" in opts
    tmp_empty = "--tmp-empty" in opts
    no_received = "--no-received" in opts
    at_least_once = "--at-least-once" in opts
    missing_out = received_re = None
    if "--missing-out" in opts:
        missing_out = opts[opts.index("--missing-out") + 1]
    if "--received" in opts:
        received_re = re.compile(opts[opts.index("--received") + 1].encode())
    want = {}
    for x in sorted(os.listdir(expect)):
        with open(os.path.join(expect, x), "rb") as f:
            want.setdefault(hashlib.sha1(f.read()).hexdigest(), []).append(x)
    got, problems = delivered(kind, path, tmp_empty)
    seen = {}
    for label, m in got:
        field, rest = strip_received(m)
        if no_received:
            field, rest = None, m
        elif field is None:
            problems.append("no-received %s" % label)
        elif received_re and not received_re.search(field):
            problems.append("received-mismatch %s %r" % (label, field))
        h = hashlib.sha1(rest).hexdigest()
        if h in want:
            seen[h] = seen.get(h, 0) + 1
        else:
            problems.append("unexpected %s %d bytes sha1 %s %r" %
                            (label, len(rest), h, rest[:60]))
    missing = []
    for h, names in want.items():
        n = seen.get(h, 0)
        if n == 0:
            missing += names
        elif n > len(names) and at_least_once:
            print("duplicate-allowed %s x%d" % (names[0], n))
        elif n > len(names):
            problems.append("duplicate %s x%d" % (names[0], n))
    if missing and not at_most_once:
        problems += ["missing %s" % x for x in sorted(missing)]
    if missing_out:
        with open(missing_out, "w") as f:
            f.write("".join(x + "\n" for x in sorted(missing)))
    for p in problems:
        print(p)
    if problems:
        return 1
    print("ok: %d messages delivered; %d of %d missing" %
          (len(got), len(missing), sum(len(v) for v in want.values())))
    return 0


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    op, args = argv[1], argv[2:]
    if op == "fill" and len(args) >= 2:
        fill(args[0], args[1:])
    elif op == "uidls" and len(args) == 1:
        p = Pop(args[0])
        for u in sorted(u for _, u in p.uidls()):
            print(u.decode())
        p.quit()
    elif op == "dump" and len(args) == 2:
        dump(args[0], args[1])
    elif op == "clear" and len(args) == 1:
        p = Pop(args[0])
        p.dele_all()
        p.quit()
    elif op == "check" and len(args) >= 3:
        return check(args)
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
