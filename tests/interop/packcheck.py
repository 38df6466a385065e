#!/usr/bin/env python3
"""Seeded mimepack runs, each message read back by Python and mimeunpack.

    packcheck.py SEED COUNT DIR BINDIR
    packcheck.py wrap BINDIR TMPDIR FILE...

The second form runs BINDIR/mimepack -w -a on each FILE and checks that
Python finds the old parts unchanged and the new one at the end.


For each of COUNT runs, makes a body, an HTML part (sometimes) and
attachments in DIR/NNNN/ with random.Random(SEED), runs BINDIR/mimepack
with random options (subjects and names in several scripts, long ones,
names with quotes, semicolons, spaces, :TYPE:NAME, --crlf, -8), then
checks, printing every difference:
  - email.policy.default finds no defect in any part;
  - Subject, From's display name, To's address come back as given;
  - get_body(('plain',)) is the body text, get_body(('html',)) the HTML;
  - the attachments come back in order with their names and bytes;
  - BINDIR/mimeunpack -x writes the same names and bytes.
Ends with a summary line and exits 1 on any difference.
"""
import email
import email.policy
import os
import random
import subprocess
import sys

sys.dont_write_bytecode = True         # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyoracle  # noqa: E402

SCRIPTS = ["Grüße aus Köln", "日本語の件名です", "Отчёт за квартал",
           "Ελληνικά", "emoji 🎉 ok", "a =?x?= lookalike", "tab\there",
           "plain ascii words"]
NAMES = ["report.pdf", "日本語のファイル名.txt", "Отчёт за год.bin",
         "with space; semi \"quoted\".dat", "a,b(c)d.csv", "café.txt",
         "x" * 90 + ".bin", "とても長い名前" * 11 + ".txt", "no-extension",
         "émoji 🎉.png", "it's.txt", "percent%20not.txt", "back\\slash.txt"]


def body_text(r):
    lines = []
    for _ in range(r.randint(0, 8)):
        k = r.random()
        if k < 0.3:
            lines.append(r.choice(SCRIPTS))
        elif k < 0.4:
            lines.append("trailing space ")
        elif k < 0.5:
            lines.append("From the start")
        elif k < 0.55:
            lines.append(".")
        elif k < 0.6:
            lines.append("y" * r.randint(77, 1200))
        else:
            lines.append("line %d" % r.randint(0, 999))
    s = "\n".join(lines)
    if lines and r.random() < 0.8:
        s += "\n"
    return s


def attachment(r, d, i):
    k = r.choice(["bin", "bin", "utf8", "latin1", "crlf", "empty", "nul",
                  "ascii"])
    data = {
        "bin": lambda: bytes(r.getrandbits(8) for _ in
                             range(r.choice([1, 3, 57, 1000, 30000]))),
        "utf8": lambda: body_text(r).encode(),
        "latin1": lambda: "café crème\nà la carte\n".encode("latin-1"),
        "crlf": lambda: b"one\r\ntwo\r\n",
        "empty": lambda: b"",
        "nul": lambda: b"text\0with nul\n",
        "ascii": lambda: b"plain ascii\n",
    }[k]()
    name = r.choice(NAMES)
    stem, dot, ext = name.rpartition(".")
    name = "%s-%d.%s" % (stem, i, ext) if dot else "%s-%d" % (name, i)
    path = os.path.join(d, "f%d" % i)
    with open(path, "wb") as f:
        f.write(data)
    how = r.choice(["rename", "rename", "type", "plain"])
    if how == "plain":
        real = os.path.join(d, name.replace("/", "_"))
        os.rename(path, real)
        return real, name, data
    if how == "type":
        return "%s:%s:%s" % (path, r.choice(["application/octet-stream",
                                             "application/x-test",
                                             "image/png"]), name), name, data
    return "%s:application/octet-stream:%s" % (path, name), name, data


CHARSETS = ["ISO-2022-JP", "ISO-8859-1", "KOI8-R", "windows-1251",
            "Shift_JIS", "EUC-JP", "UTF-8"]


def cid_of(name, domain):
    """The Content-ID of an inline part, as mimepack(1) Inline parts says."""
    c = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_"
                for ch in name)
    c = "".join("_" if ch == "." and (i == 0 or i == len(c) - 1 or
                                      c[i - 1] == ".") else ch
                for i, ch in enumerate(c))
    return "<%s@%s>" % (c, domain)


class Run:
    def __init__(self, r, d, bindir, n):
        self.r, self.d, self.bindir = r, d, bindir
        self.subject = " ".join(r.choice(SCRIPTS) for _ in
                                range(r.randint(1, 6)))
        self.fromname = r.choice(["Alice Example", "山田 太郎", "Жанна",
                                  "O'Brien, Pat"])
        quoted = '"%s"' % self.fromname if "," in self.fromname else \
            self.fromname
        self.text = body_text(r)
        self.html = None
        self.atts, self.inline, self.later = [], [], []
        self.charset = None
        args = ["-s", self.subject, "-f", "%s <a@x.test>" % quoted,
                "-t", "b@y.test", "--message-id", "m%d@pack.test" % n]
        if r.random() < 0.3:
            self.html = "<p>%s</p>\n" % r.choice(SCRIPTS)
            with open(os.path.join(d, "h.html"), "w") as f:
                f.write(self.html)
            args += ["-M", os.path.join(d, "h.html")]
            for i in range(r.choice([0, 0, 1, 2])):
                data = bytes(r.getrandbits(8) for _ in range(r.randint(1, 300)))
                name = r.choice(["logo.png", "my pic.png", "日本.gif",
                                 ".dot..name.png"]).replace(".", "%d." % i, 1)
                path = os.path.join(d, "i%d" % i)
                with open(path, "wb") as f:
                    f.write(data)
                self.inline.append((name, cid_of(name, "pack.test"), data))
                args += ["-i", "%s:image/png:%s" % (path, name)]
        later = []
        for i in range(r.randint(0, 4)):
            arg, name, data = attachment(r, d, i)
            if r.random() < 0.25:
                self.later += ["-a", arg]       # added by mimepack -w
                later.append((name, data))
            else:
                args += ["-a", arg]
                self.atts.append((name, data))
        self.atts += later                      # -w adds them at the end
        if r.random() < 0.5:
            cs = r.choice(CHARSETS)
            try:
                for t in (self.text, self.subject, self.fromname,
                          self.html or ""):
                    t.encode(cs)
                self.charset = cs
                args += ["-C", cs]
            except UnicodeEncodeError:
                pass
        if r.random() < 0.2:
            args.append("--crlf")
        if r.random() < 0.2:
            args.append("-8")
        self.args = args

    def make(self):
        mp = os.path.join(self.bindir, "mimepack")
        p = subprocess.run([mp] + self.args, input=self.text.encode(),
                           capture_output=True)
        self.first = p.stdout
        if p.returncode == 0 and self.later:
            p = subprocess.run([mp, "-w"] + self.later, input=p.stdout,
                               capture_output=True)
        self.msg = os.path.join(self.d, "msg.eml")
        with open(self.msg, "wb") as f:
            f.write(p.stdout)
        return p.returncode, p.stderr


def related(m):
    """(filename, Content-ID, disposition, bytes) of each part after the
    first of the message's multipart/related."""
    for p in m.walk():
        if p.get_content_type() == "multipart/related":
            return [(k.get_filename(), k["content-id"],
                     k.get_content_disposition(), k.get_payload(decode=True))
                    for k in p.get_payload()[1:]]
    return []


def check(run):
    """Differences between what was given and what came back."""
    bad = []
    st, err = run.make()
    if (st, err) != (0, b""):
        return ["mimepack exit %d: %r" % (st, err)]
    raw = open(run.msg, "rb").read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    for p in m.walk():
        if p.defects:
            bad.append("defects in %s: %r" % (p.get_content_type(),
                                              p.defects))
    # Python keeps CRLF in what it decodes; the text was given with LF
    m = email.message_from_bytes(raw.replace(b"\r\n", b"\n"),
                                 policy=email.policy.default)
    if m["subject"] != run.subject:
        bad.append("subject %r" % m["subject"])
    if m["from"].addresses[0].display_name != run.fromname:
        bad.append("from %r" % m["from"].addresses[0].display_name)
    if m["to"].addresses[0].addr_spec != "b@y.test":
        bad.append("to %r" % str(m["to"]))
    b = m.get_body(("plain",))
    want = run.text
    m1 = email.message_from_bytes(run.first, policy=email.policy.default)
    if not m1.is_multipart() and want and not want.endswith("\n") and \
            m1["content-transfer-encoding"] in ("7bit", "8bit"):
        # A message ends with a line end: a 7bit or 8bit body alone in
        # its message gets one (quoted-printable ends in a soft break,
        # and in a multipart the delimiter's line end is not text).
        # -w keeps that body as it is.
        want += "\n"
    if want == "" and "-a" in run.args and not run.html:
        # an empty body beside attachments is left out (but -w keeps the
        # empty body of the message it is given)
        if b is not None:
            bad.append("an empty body is there")
    elif b is None or b.get_content() != want:
        bad.append("body %r, want %r" % (b and b.get_content()[:200],
                                         want[:200]))
    elif run.charset and b.get_content_charset() != run.charset.lower():
        bad.append("charset %r, want %r" % (b.get_content_charset(),
                                            run.charset))
    h = m.get_body(("html",))
    if run.html and (h is None or h.get_content() != run.html):
        bad.append("html %r" % (h and h.get_content()))
    want = [(n, c, "inline", data) for n, c, data in run.inline]
    if related(m) != want:
        bad.append("inline parts %r, want %r" % (related(m), want))
    got = [(a.get_filename(), a.get_payload(decode=True))
           for a in m.iter_attachments() if a["content-id"] is None]
    if got != run.atts:
        bad.append("attachments %r, want %r" % (
            [(n, d[:20]) for n, d in got], [(n, d[:20]) for n, d in
                                            run.atts]))
    # and mimeunpack reads it as Python does
    np, nf, nb, out = pyoracle.Check(
        os.path.join(run.bindir, "mimeunpack")).one(run.msg)
    bad += out
    return bad


def leafs(raw):
    m = email.message_from_bytes(raw.replace(b"\r\n", b"\n"),
                                 policy=email.policy.default)
    out = []
    for _, p in pyoracle.leaves(m):
        i = pyoracle.info(p)
        out.append((i["type"], i["filename"], i["data"]))
    return out, sum(len(p.defects) for p in m.walk())


def wrap(bindir, tmp, files):
    """mimepack -w -a on each message: Python must find the old parts
    unchanged, the new one last, no defect that was not there, and the
    line ends of the input kept."""
    add = os.path.join(tmp, "add")
    data = bytes(range(256)) * 3
    with open(add, "wb") as f:
        f.write(data)
    nbad = 0
    for path in files:
        raw = open(path, "rb").read()
        p = subprocess.run([os.path.join(bindir, "mimepack"), "-w", "-a",
                            add + ":application/octet-stream:added.bin"],
                           input=raw, capture_output=True)
        bad = []
        if p.returncode or p.stderr:
            bad.append("mimepack -w exit %d %r" % (p.returncode, p.stderr))
        else:
            old, d0 = leafs(raw)
            new, d1 = leafs(p.stdout)
            if new[:-1] != old:
                bad.append("old parts changed")
            if new[-1:] != [("application/octet-stream", "added.bin", data)]:
                bad.append("added part %r" % (new[-1:],))
            if d1 != d0:
                bad.append("defects %d, were %d" % (d1, d0))
            crlf = raw.split(b"\n", 1)[0].endswith(b"\r")
            if crlf != (p.stdout.count(b"\n") == p.stdout.count(b"\r\n")):
                bad.append("line ends not kept")
        for b in bad:
            print("DIFF %s: %s" % (path, b))
        nbad += len(bad)
    print("%d messages, %d differences" % (len(files), nbad))
    sys.exit(1 if nbad else 0)


def main():
    if sys.argv[1] == "wrap":
        wrap(sys.argv[2], sys.argv[3], sys.argv[4:])
    seed, count, top, bindir = (int(sys.argv[1]), int(sys.argv[2]),
                                sys.argv[3], sys.argv[4])
    r = random.Random(seed)
    nbad = natt = ninl = nw = ncs = 0
    for i in range(count):
        d = os.path.join(top, "%04d" % i)
        os.mkdir(d)
        run = Run(r, d, bindir, i)
        natt += len(run.atts)
        ninl += len(run.inline)
        nw += bool(run.later)
        ncs += bool(run.charset)
        for b in check(run):
            nbad += 1
            print("DIFF %s: %s" % (d, b))
    print("%d messages, %d attachments, %d inline parts, %d with -w, "
          "%d with -C, %d differences" % (count, natt, ninl, nw, ncs, nbad))
    sys.exit(1 if nbad else 0)


if __name__ == "__main__":
    main()
