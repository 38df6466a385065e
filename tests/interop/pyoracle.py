#!/usr/bin/env python3
"""What mimeunpack should print, as Python's email package reads a message.

    pyoracle.py list FILE         the lines mimeunpack -l should print
    pyoracle.py files FILE DIR    write the files mimeunpack -x should
                                  write into DIR, print their names
    pyoracle.py text FILE         what mimeunpack -t should print
    pyoracle.py check [--json] MIMEUNPACK FILE...
                                  run MIMEUNPACK -l, -x and -t on every
                                  FILE (with --json: -l -j and -x -j),
                                  print each difference, end with a
                                  summary line, exit 1 on any difference

The message is parsed with email.policy.default after CRLF is turned
into LF: mimeunpack reads CRLF as a line end everywhere (mime.h), so the
two then see the same bytes.  Python decides the part tree, the types,
charsets, encodings, dispositions, decoded file names and decoded bytes.
What Python has no notion of is taken from mimeunpack(1), written here
from the manual page and not from the C code: IMAP part numbers, which
parts -x writes and under what safe name, uuencoded blocks in text, and
which parts -t prints.
"""
import binascii
import json
import email
import email.policy
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

EXT = {"text/plain": "txt", "text/html": "html", "application/pdf": "pdf",
       "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
       "application/zip": "zip", "message/rfc822": "eml",
       "message/global": "eml"}


def load(path):
    raw = open(path, "rb").read().replace(b"\r\n", b"\n")
    return email.message_from_bytes(raw, policy=email.policy.default)


def join(base, i):
    return "%s.%d" % (base, i) if base else str(i)


def is_message(p):
    return p.get_content_type() in ("message/rfc822", "message/global")


def entity(p, sec):
    """(section, part) of every leaf of entity p, numbered as IMAP."""
    if p.is_multipart() and p.get_content_maintype() == "multipart":
        for i, k in enumerate(p.get_payload(), 1):
            yield from entity(k, join(sec, i))
    elif is_message(p) and p.is_multipart():
        yield from body(p.get_payload(0), sec)
    else:
        yield sec, p


def body(m, base):
    """A message's body: a multipart's children are base.1, ...; any
    other body is base.1 (base "" for the top-level message)."""
    if m.is_multipart() and m.get_content_maintype() == "multipart":
        yield from entity(m, base)
    else:
        yield from entity(m, join(base, 1))


def leaves(msg):
    return list(body(msg, ""))


def info(p):
    """The fields of one -l line, as Python sees them."""
    if p.get("content-type") is None:
        cs = "us-ascii"         # RFC 2045 §5.2 default, as mimeunpack
    else:
        cs = p.get_content_charset() or ""
    fn = p.get_filename() or ""
    return {
        "type": p.get_content_type(),
        "charset": cs,
        "encoding": str(p.get("content-transfer-encoding", "")).strip()
        .lower(),
        "disposition": p.get_content_disposition() or "",
        "filename": fn,
        "data": p.get_payload(decode=True) or b"",
    }


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from safetext import safe as shown  # noqa: E402


def expected_list(msg):
    out = []
    for sec, p in leaves(msg):
        i = info(p)
        out.append("\t".join([sec, i["type"], shown(i["charset"]),
                              shown(i["encoding"]), str(len(i["data"])),
                              shown(i["disposition"]),
                              shown(i["filename"])]))
    return out


# ---- -x: names as mimeunpack(1) FILE NAMES says ----

BIDI = {0x061C, 0x200E, 0x200F} | set(range(0x202A, 0x202F)) | \
    set(range(0x2066, 0x206A))


def safe_base(name, sec, ctype):
    name = re.split(r"[/\\]", name)[-1]
    name = "".join("" if ord(c) in BIDI else
                   "_" if ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 else c
                   for c in name)
    if name in ("", ".", "..") or name.strip(" ") == "":
        return "part-%s.%s" % (sec or "0", EXT.get(ctype, "bin"))
    stripped = name.lstrip(".")
    name = "_" * (len(name) - len(stripped)) + stripped
    return "_" + name[1:] if name.startswith("-") else name


def safe_name(base, n):
    b = base.encode()
    dot = b.rfind(b".")
    e = len(b) if dot <= 0 or len(b) - dot > 17 else dot
    suffix = b"-%d" % n if n else b""
    room = 255 - (len(b) - e) - len(suffix)
    stem = b[:e]
    if len(stem) > room:
        stem = stem[:room]
        while stem and (b[len(stem)] & 0xc0) == 0x80:
            stem = stem[:-1]
    return (stem + suffix + b[e:]).decode()


def uu_blocks(data):
    """(name, bytes) of every uuencoded block in text."""
    out, cur, name = [], None, None
    for line in data.split(b"\n"):
        if cur is None:
            mo = re.match(rb"^begin [0-7]{3,4} (.+)$", line)
            if mo:
                cur, name = [], mo.group(1).decode("utf-8", "replace")
            continue
        if line == b"end":
            out.append((name, b"".join(cur)))
            cur = None
        elif line and (line[0] - 32) & 63:
            cur.append(binascii.a2b_uu(line))
    return out


def escaped(s):
    return shown(s)


def expected_files(msg, path="-"):
    """([(name, bytes)] in the order -x writes them, the warnings): a
    name that had to change is told on stderr."""
    used, out, warns = set(), [], []

    def put(given, sec, ctype, data):
        base = safe_base(given, sec, ctype)
        n = 0
        while safe_name(base, n) in used:
            n += 1
        name = safe_name(base, n)
        used.add(name)
        out.append((name, data, sec, ctype))
        if given and safe_name(base, 0) != given:
            warns.append('mimeunpack: %s: part %s: unsafe file name "%s" '
                         'written as "%s"' % (path, sec, escaped(given),
                                              safe_name(base, 0)))

    for sec, p in leaves(msg):
        i = info(p)
        if i["filename"] or i["disposition"] == "attachment" or \
                not i["type"].startswith("text/"):
            put(i["filename"], sec, i["type"], i["data"])
        elif i["type"] == "text/plain":
            for name, data in uu_blocks(i["data"]):
                put(name, sec, "application/octet-stream", data)
    return out, warns


# ---- -t: mimeunpack(1) -t ----

PYCS = {"": "utf-8", "us-ascii": "ascii"}


def text_out(acc, b):
    if b:
        acc.append(b if b.endswith(b"\n") else b + b"\n")


def expected_text(msg):
    """(bytes -t prints, the parts it prints)."""
    acc, used, boxes = [], [], []

    def walk(p):
        if p.is_multipart():
            boxes.append({"alt": p.get_content_type() ==
                          "multipart/alternative", "plain": False,
                          "html": None})
            for k in p.get_payload():
                walk(k)
            b = boxes.pop()
            if b["alt"] and not b["plain"] and b["html"] is not None:
                text_out(acc, b["html"][1])
                if b["html"][1]:
                    used.append(b["html"][0])
            return
        i = info(p)
        alt = next((b for b in reversed(boxes) if b["alt"]), None)
        if i["disposition"] == "attachment":
            return

        def drop_outer():
            # a later part of an alternative is the better one: once a
            # nested alternative gave text, the HTML held around it goes
            for b in boxes[:next(k for k, b in enumerate(boxes)
                                 if b is alt)]:
                b["html"] = None

        if i["type"] == "text/plain":
            if alt:
                alt["plain"] = True
                drop_outer()
            cs = PYCS.get(i["charset"], i["charset"])
            text_out(acc, i["data"].decode(cs, "replace").encode())
            if i["data"]:
                used.append(p)
        elif i["type"] == "text/html":
            if alt is None:
                text_out(acc, i["data"])
                if i["data"]:
                    used.append(p)
            elif not alt["plain"]:
                alt["html"] = (p, i["data"])
                drop_outer()

    walk(msg)
    return b"".join(acc), used


def get_body_text(msg, used):
    """Python's get_body(('plain', 'html')) text, where that is what -t
    should print: -t prints exactly that one part, and an HTML part is in
    UTF-8 (-t prints HTML as it is, get_content() decodes it)."""
    b = msg.get_body(preferencelist=("plain", "html"))
    if b is None or len(used) != 1 or used[0] is not b:
        return None
    if b.get_content_subtype() == "html" and \
            (b.get_content_charset() or "us-ascii") not in ("utf-8",
                                                            "us-ascii"):
        return None
    t = b.get_content().encode()
    return t if t.endswith(b"\n") else t + b"\n"


# ---- check ----

def jsonlines(b):
    """The objects of JSON lines; a line that is not JSON stays bytes."""
    out = []
    for line in b.split(b"\n")[:-1]:
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append(line)
    return out


class Check:
    """Runs one mimeunpack on one message at a time; diff() collects."""

    def __init__(self, prog, js=False):
        self.prog = prog
        self.json = js
        self.out = []

    def diff(self, path, what, want, got):
        self.out.append("DIFF %s: %s\n  python:     %r\n  mimeunpack: %r" %
                        (path, what, want[:300], got[:300]))

    def run(self, *args):
        return subprocess.run([self.prog] + list(args), capture_output=True)

    def one(self, path):
        """Check one message; returns (parts, files, texts compared with
        get_body, the differences)."""
        self.out = []
        msg = load(path)
        if self.json:
            return self.one_json(path, msg)
        want = expected_list(msg)
        r = self.run("-l", path)
        got = r.stdout.decode("utf-8", "replace").split("\n")[:-1]
        if (r.returncode, r.stderr) != (0, b""):
            self.diff(path, "-l status, stderr", (0, b""),
                      (r.returncode, r.stderr))
        for k in range(max(len(want), len(got))):
            w = want[k] if k < len(want) else None
            g = got[k] if k < len(got) else None
            if w != g:
                self.diff(path, "-l line %d" % (k + 1), w, g)
        nf = self.files(path, msg)
        nb = self.text(path, msg)
        return len(want), nf, nb, self.out

    def files(self, path, msg):
        want, warns = expected_files(msg, path)
        err = "".join(w + "\n" for w in warns).encode()
        with tempfile.TemporaryDirectory() as d:
            r = self.run("-x", "-d", d, path)
            st = 0 if want else 1
            if (r.returncode, r.stderr) != (st, err):
                self.diff(path, "-x status, stderr", (st, err),
                          (r.returncode, r.stderr))
            names = [d + "/" + n for n, _, _, _ in want]
            got = r.stdout.decode("utf-8", "replace").split("\n")[:-1]
            if names != got:
                self.diff(path, "-x paths", names, got)
            have = sorted(os.listdir(d))
            if have != sorted(n for n, _, _, _ in want):
                self.diff(path, "-x files in DIR", sorted(
                    n for n, _, _, _ in want), have)
            for n, data, _, _ in want:
                f = os.path.join(d, n)
                got = open(f, "rb").read() if os.path.exists(f) else None
                if got != data:
                    self.diff(path, "-x bytes of " + n, data, got)
        return len(want)

    def one_json(self, path, msg):
        """-l -j and -x -j: the same facts as JSON lines (mimeunpack(1))."""
        want = []
        for sec, p in leaves(msg):
            i = info(p)
            want.append({"part": sec, "type": i["type"],
                         "charset": i["charset"], "encoding": i["encoding"],
                         "size": len(i["data"]),
                         "disposition": i["disposition"],
                         "filename": i["filename"]})
        r = self.run("-l", "-j", path)
        got = jsonlines(r.stdout)
        if (r.returncode, r.stderr, got) != (0, b"", want):
            self.diff(path, "-l -j", (0, b"", want),
                      (r.returncode, r.stderr, got))
        files, warns = expected_files(msg, path)
        with tempfile.TemporaryDirectory() as d:
            want = [{"part": sec, "path": d + "/" + n, "type": t,
                     "size": len(data)} for n, data, sec, t in files]
            r = self.run("-x", "-j", "-d", d, path)
            got = jsonlines(r.stdout)
            err = "".join(w + "\n" for w in warns).encode()
            st = 0 if files else 1
            if (r.returncode, r.stderr, got) != (st, err, want):
                self.diff(path, "-x -j", (st, err, want),
                          (r.returncode, r.stderr, got))
        return len(leaves(msg)), len(files), 0, self.out

    def text(self, path, msg):
        want, used = expected_text(msg)
        r = self.run("-t", path)
        st = 0 if want else 1
        if (r.returncode, r.stderr, r.stdout) != (st, b"", want):
            self.diff(path, "-t", (st, b"", want),
                      (r.returncode, r.stderr, r.stdout))
        gb = get_body_text(msg, used)
        if gb is not None and gb != r.stdout:
            self.diff(path, "-t against get_body", gb, r.stdout)
        return gb is not None


def main():
    cmd = sys.argv[1]
    out = sys.stdout.buffer
    if cmd == "list":
        for line in expected_list(load(sys.argv[2])):
            out.write(line.encode() + b"\n")
    elif cmd == "files":
        for n, data, _, _ in expected_files(load(sys.argv[2]))[0]:
            with open(os.path.join(sys.argv[3], n), "xb") as f:
                f.write(data)
            out.write(n.encode() + b"\n")
    elif cmd == "text":
        out.write(expected_text(load(sys.argv[2]))[0])
    elif cmd == "check":
        js = sys.argv[2] == "--json"
        prog, files = sys.argv[2 + js], sys.argv[3 + js:]
        # two at a time: most of the time is spent waiting for processes
        with ThreadPoolExecutor(2) as ex:
            res = list(ex.map(lambda p: Check(prog, js).one(p), files))
        for _, _, _, lines in res:
            for line in lines:
                print(line)
        n = [sum(x[k] for x in res) for k in range(3)]
        nd = sum(len(x[3]) for x in res)
        if js:
            print("%d messages, %d parts, %d files, %d differences" %
                  (len(res), n[0], n[1], nd))
        else:
            print("%d messages, %d parts, %d files, %d texts (%d also as "
                  "get_body), %d differences" % (len(res), n[0], n[1],
                                                 len(res), n[2], nd))
        sys.exit(1 if nd else 0)
    else:
        sys.exit("usage: pyoracle.py list|files|text|check ...")


if __name__ == "__main__":
    main()
