#!/usr/bin/env python3
"""Seeded generator of varied MIME messages for tests/interop.bats.

    gen.py SEED COUNT DIR

writes DIR/m0000.eml ... with random.Random(SEED): the same seed gives the
same bytes on every machine (no clock, no network, no os.urandom).

The messages are written by hand rather than by email.generator so that
they cover what real mailers send and Python's generator never makes:
binary and 8bit parts in legacy charsets, RFC 2231 names in several
charsets and in out-of-the-ordinary continuations, RFC 2047 words inside
quoted file names, uuencoded blocks in text bodies, odd but legal
boundaries (one the prefix of another), preambles, epilogues, folded
fields, CRLF line ends.  About one message in six is made by Python's
own email package (EmailMessage, policy SMTP) instead.

They are well formed: Python's parser is the oracle (pyoracle.py), so
nothing here may be ambiguous.  Two rules keep it so:
  - binary content never holds "\\r-": Python also ends lines at a bare
    CR, mimeunpack (by design, as RFC 2046) does not, so "\\r--boundary"
    would be read differently for a reason that is not a bug;
  - text in a charset is made only of characters that glibc's iconv and
    Python's codecs map alike.
"""
import base64
import binascii
import quopri
import random
import sys
from email import encoders
from email.message import EmailMessage
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import SMTP
from urllib.parse import quote

CHARSETS = ["utf-8", "iso-8859-1", "iso-2022-jp", "koi8-r", "windows-1251",
            "shift_jis", "euc-jp", "us-ascii"]
POOL = {
    "ja": "あいうえおかきくけこさしすせそアイウエオカキクケコ日本語漢字"
          "東京大阪月火水木金土、。「」ー",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
          "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
    "fr": "àâäçéèêëîïôöùûüÿÀÂÇÉÈÊËÎÏÔÖÙÛÜßæøå«»°±",
    "mix": "àé日本語абвг€✓ßΩ",
}
CSPOOL = {"utf-8": "mix", "iso-8859-1": "fr", "iso-2022-jp": "ja",
          "koi8-r": "ru", "windows-1251": "ru", "shift_jis": "ja",
          "euc-jp": "ja", "us-ascii": None}
WORDS = ("alpha beta gamma delta report invoice meeting notes draft final "
         "from From . .. - -- = =? ?= begin end Mail").split()
BINTYPES = ["application/octet-stream", "application/pdf", "image/png",
            "image/jpeg", "application/zip", "application/x-thing",
            "audio/basic"]
EXTS = ["pdf", "png", "bin", "dat", "zip", "jpg", "csv", "txt", "tar.gz"]
BCHARS = ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
          "'()+_,-./:=?")


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.nnames = 0
        self.bounds = []

    # ---- content ----

    def text(self, cs, nlines=None):
        """Text (str) of lines of words, non-ASCII from the charset's pool."""
        r = self.r
        pool = POOL[CSPOOL[cs]] if CSPOOL[cs] else ""
        lines = []
        for _ in range(nlines or r.randint(1, 12)):
            ws = []
            for _ in range(r.randint(0, 12)):
                w = r.choice(WORDS)
                if pool and r.random() < 0.5:
                    w = "".join(r.choice(pool) for _ in range(r.randint(1, 6)))
                ws.append(w)
            line = " ".join(ws)
            if r.random() < 0.1:
                line += " " * r.randint(1, 3)   # trailing white space
            if r.random() < 0.05:
                line = "x" * r.randint(100, 900)  # long (QP soft breaks)
            lines.append(line)
        s = "\n".join(lines)
        if r.random() < 0.8:
            s += "\n"
        return s

    def binary(self):
        r = self.r
        n = r.choice([0, 1, 2, 3, 57, 58, 76, 100, 1000, 4095, 4096, 5000,
                      r.randint(0, 20000)])
        b = bytes(r.getrandbits(8) for _ in range(n))
        if r.random() < 0.2:
            b += b"\n" * r.randint(1, 3)   # trailing line ends
        return b.replace(b"\r-", b"\r_")

    def uutext(self):
        """ASCII text with uuencoded blocks; returns (str, [(name, data)])."""
        r = self.r
        parts, blocks = [self.text("us-ascii")], []
        for _ in range(r.randint(1, 2)):
            data = self.binary()
            name = "uu%d_%s.%s" % (self.nnames, r.choice(["a", "b"]),
                                   r.choice(["bin", "gz", "dat"]))
            self.nnames += 1
            lines = ["begin %s %s" % (r.choice(["644", "600", "0755"]), name)]
            for i in range(0, len(data), 45):
                lines.append(binascii.b2a_uu(data[i:i + 45]).decode()
                             .rstrip("\n"))
            lines += ["`", "end"]
            if not parts[-1].endswith("\n"):
                parts[-1] += "\n"
            parts.append("\n".join(lines) + "\n")
            parts.append(self.text("us-ascii"))
            blocks.append((name, data))
        return "".join(parts), blocks

    # ---- names ----

    def fname(self):
        """A file name and how to write it: (kind, name, charset)."""
        r = self.r
        self.nnames += 1
        ext = r.choice(EXTS)
        k = r.choice(["ascii", "ascii", "space", "2231", "2231", "2231cont",
                      "2231plain", "2047", "2047q", "latin", "koi",
                      "jis2047", "long"])
        base = "file%d" % self.nnames
        if k == "ascii":
            return ("quoted", "%s-%s.%s" % (base, r.choice(WORDS[:10]), ext),
                    None)
        if k == "space":
            return ("quoted", "%s with (parens) and, comma.%s" % (base, ext),
                    None)
        if k == "latin":
            return ("2231", "café-%s.%s" % (base, ext), "iso-8859-1")
        if k == "koi":
            return ("2231", "отчёт-%s.%s" % (base, ext), "koi8-r")
        if k == "jis2047":
            return ("2047b", "日本語%s.%s" % (base, ext), "iso-2022-jp")
        if k == "long":
            return ("2231cont", "%s-%s.%s" % (
                base, "長い名前" * r.randint(10, 30), ext), "utf-8")
        pool = POOL[r.choice(["ja", "ru", "fr", "mix"])]
        name = "%s-%s.%s" % (
            "".join(r.choice(pool) for _ in range(r.randint(1, 8))), base, ext)
        return {"2231": "2231", "2231cont": "2231cont",
                "2231plain": "2231plain", "2047": "2047b",
                "2047q": "2047q"}[k], name, "utf-8"

    def name_params(self, pname, kind, name, cs):
        """The parameter text for one name: '; filename="x"' and so on."""
        r = self.r
        if kind == "quoted":
            return '; %s="%s"' % (pname, name)
        if kind == "2047b":
            return '; %s="=?%s?B?%s?="' % (
                pname, cs.upper() if r.random() < .5 else cs,
                base64.b64encode(name.encode(cs)).decode())
        if kind == "2047q":
            q = "".join(c if c.isascii() and c.isalnum() else
                        "".join("=%02X" % b for b in c.encode(cs))
                        for c in name)
            return '; %s="=?%s?Q?%s?="' % (pname, cs, q)
        enc = quote(name.encode(cs), safe="")
        if kind == "2231":
            return "; %s*=%s''%s" % (pname, cs, enc)
        if kind == "2231plain":
            # continuations of a plain (not %-encoded) value: ASCII only
            a = name.encode("ascii", "replace").decode().replace("?", "q")
            cut = max(1, len(a) // 2)
            secs = [a[:cut], a[cut:]]
            return "".join('; %s*%d="%s"' % (pname, i, s)
                           for i, s in enumerate(secs))
        # 2231cont: sections of 7 to 15 characters or %XX, never splitting a
        # %XX, sometimes in reverse order (the numbers give the order)
        toks, i = [], 0
        while i < len(enc):
            n = 3 if enc[i] == "%" else 1
            toks.append(enc[i:i + n])
            i += n
        secs = []
        while toks:
            n = r.randint(7, 15)
            secs.append("".join(toks[:n]))
            toks = toks[n:]
        items = ["%s*%d*=%s%s" % (pname, n, (cs + "''") if n == 0 else "", s)
                 for n, s in enumerate(secs)]
        if len(items) > 1 and r.random() < 0.3:
            items.reverse()
        return "".join(";\n " + it for it in items)

    def boundary(self):
        r = self.r
        if self.bounds and r.random() < 0.15:
            b = self.bounds[-1] + r.choice(["1", "-x", "=_"])
        else:
            b = "=_" + "".join(r.choice(BCHARS) for _ in range(r.randint(8, 40)))
            b = b.rstrip(" ")
        self.bounds.append(b)
        return b

    # ---- entities (header lines + body, LF line ends) ----

    def header(self, fields):
        return "".join("%s: %s\n" % f for f in fields)

    def textleaf(self, subtype="plain", disp=None):
        r = self.r
        cs = r.choice(CHARSETS)
        uu = []
        if subtype == "plain" and cs == "us-ascii" and r.random() < 0.8:
            s, uu = self.uutext()
        else:
            s = self.text(cs)
            if subtype == "html":
                s = "<html><body><p>%s</p></body></html>\n" % s.replace(
                    "\n", "<br>\n")
        raw = s.encode(cs)
        if cs in ("us-ascii", "iso-2022-jp"):
            cte = r.choice(["7bit", "7bit", None, "quoted-printable",
                            "base64"])
        else:
            cte = r.choice(["8bit", "quoted-printable", "quoted-printable",
                            "base64", "binary"])
        if any(len(line) > 998 for line in raw.split(b"\n")) and \
                cte in ("7bit", "8bit", None):
            cte = "quoted-printable"
        ct = "text/%s; charset=%s" % (subtype, r.choice(
            [cs, cs.upper(), '"%s"' % cs]))
        fields = [("Content-Type", ct)]
        if r.random() < 0.15:
            fields = [("Content-Type", "Text/%s;\n\tcharset=\"%s\"" %
                       (subtype.upper() if r.random() < .5 else subtype, cs))]
        if disp:
            fields.append(("Content-Disposition", disp))
        return fields, raw, cte

    def binleaf(self):
        r = self.r
        t = r.choice(BINTYPES)
        data = self.binary()
        cte = r.choice(["base64", "base64", "base64", "quoted-printable",
                        "binary"])
        if t == "text/csv":
            cte = "7bit"
        fields = [("Content-Type", t)]
        how = r.choice(["disp", "disp", "disp", "ctname", "both", "none",
                        "dispnoname", "inline", "empty"])
        if how == "none":
            return fields, data, cte
        if how == "empty":
            fields.append(("Content-Disposition", 'attachment; filename=""'))
            return fields, data, cte
        if how == "dispnoname":
            fields.append(("Content-Disposition", "attachment"))
            return fields, data, cte
        kind, name, cs = self.fname()
        if how in ("ctname", "both"):
            other = name if how == "ctname" else "decoy%d.xyz" % self.nnames
            k2 = kind if how == "ctname" else "quoted"
            fields[0] = ("Content-Type",
                         t + self.name_params("name", k2, other, cs))
        if how in ("disp", "both", "inline"):
            d = "inline" if how == "inline" else r.choice(
                ["attachment", "Attachment", "ATTACHMENT"])
            fields.append(("Content-Disposition",
                           d + self.name_params("filename", kind, name, cs)))
        return fields, data, cte

    def encode(self, raw, cte):
        r = self.r
        if cte == "base64":
            w = r.choice([76, 76, 64, 72, 4, 996])
            b = base64.b64encode(raw)
            lines = [b[i:i + w] for i in range(0, len(b), w)]
            out = b"\n".join(lines)
            if lines and r.random() < 0.8:
                out += b"\n"
            return out
        if cte == "quoted-printable":
            k = r.choice(["quopri", "quopri-tabs", "b2a", "b2a-binary"])
            if k == "b2a-binary" or (k == "b2a" and b"\r" in raw):
                return binascii.b2a_qp(raw, istext=False)
            if k == "b2a":
                return binascii.b2a_qp(raw)
            return quopri.encodestring(raw, quotetabs=(k == "quopri-tabs"))
        return raw

    def leaf(self, fields, raw, cte):
        if cte is not None:
            c = cte if self.r.random() < 0.8 else cte.upper()
            fields = fields + [("Content-Transfer-Encoding", c)]
        body = self.encode(raw, cte)
        return self.header(fields).encode() + b"\n" + body

    def multipart(self, sub, kids):
        r = self.r
        b = self.boundary()
        q = '"%s"' % b if r.random() < 0.5 or any(
            c in b for c in "'()+,/:=?") else b
        fields = [("Content-Type", "multipart/%s;%sboundary=%s" % (
            sub, r.choice([" ", "\n ", "\n\t"]), q))]
        out = self.header(fields).encode() + b"\n"
        if r.random() < 0.4:
            out += self.text("us-ascii").encode() + b"\n"
        for k in kids:
            out += b"--" + b.encode() + b"\n" + k + b"\n"
        out += b"--" + b.encode() + b"--"
        if r.random() < 0.3:
            out += b"  "
        out += b"\n"
        if r.random() < 0.3:
            out += self.text("us-ascii").encode()
        self.bounds.pop()
        return out

    def entity(self, depth):
        r = self.r
        if depth >= 4:
            w = ["text", "bin"]
        elif depth == 0:
            w = ["text", "bin", "mixed", "mixed", "mixed", "alt", "related",
                 "rfc822"]
        else:
            w = ["text", "bin", "bin", "mixed", "alt", "related", "rfc822"]
        k = r.choice(w)
        if k == "text":
            disp = r.choice([None, None, "inline", "attachment"])
            f, raw, cte = self.textleaf(r.choice(["plain", "plain", "html"]),
                                        disp)
            return self.leaf(f, raw, cte)
        if k == "bin":
            return self.leaf(*self.binleaf())
        if k == "mixed":
            return self.multipart("mixed", [self.entity(depth + 1) for _ in
                                            range(r.randint(1, 6))])
        if k == "alt":
            return self.alternative(depth)
        if k == "related":
            return self.related(depth)
        inner = self.message(depth + 1)
        f = [("Content-Type", "message/rfc822")]
        if r.random() < 0.3:
            f.append(("Content-Disposition", "attachment"))
        return self.header(f).encode() + b"\n" + inner

    def alternative(self, depth):
        r = self.r
        kids = []
        if r.random() < 0.85:
            kids.append(self.leaf(*self.textleaf("plain")))
        if r.random() < 0.3 and depth < 4:
            kids.append(self.related(depth + 1))
        else:
            kids.append(self.leaf(*self.textleaf("html")))
        return self.multipart("alternative", kids)

    def related(self, depth):
        r = self.r
        kids = [self.leaf(*self.textleaf("html"))]
        for i in range(r.randint(1, 3)):
            f, data, cte = self.binleaf()
            f = f + [("Content-ID", "<img%d.%d@gen.test>" % (depth, i))]
            kids.append(self.leaf(f, data, cte))
        return self.multipart("related", kids)

    def message(self, depth=0):
        r = self.r
        subj = r.choice(["plain subject", "Grüße",
                         "=?UTF-8?B?5pel5pys6Kqe?=", "=?koi8-r?Q?=F4=C5?="])
        head = self.header([("From", "gen@example.test"),
                            ("To", "you@example.test"),
                            ("Subject", subj),
                            ("Date", "Sun, 22 Nov 2026 05:00:00 +0000")])
        if depth == 0:
            head = "Message-ID: <%d@gen.test>\n" % r.getrandbits(32) + head
        if r.random() < 0.9:
            head += "MIME-Version: 1.0\n"
        body = self.entity(depth) if r.random() < 0.85 else \
            self.leaf(*self.textleaf("plain"))
        return head.encode() + body


def python_made(g):
    """A message built by Python's email package: half with the modern
    API (EmailMessage, policy SMTP: CRLF), half with the classic one
    (email.mime, compat32: LF), as older scripts still make them."""
    if g.r.random() < 0.5:
        return python_classic(g)
    r = g.r
    m = EmailMessage()
    m["From"] = "Py Thon <py@example.test>"
    m["To"] = "you@example.test"
    m["Subject"] = r.choice(["python", "Пайтон", "日本語の件名"])
    cs = r.choice(["utf-8", "iso-8859-1", "koi8-r", "iso-2022-jp",
                   "shift_jis", "euc-jp", "windows-1251"])
    t = g.text(cs)
    if not t.endswith("\n"):
        t += "\n"
    m.set_content(t, charset=cs, cte=r.choice(
        ["quoted-printable", "base64"] + (["7bit"] if cs == "iso-2022-jp"
                                          else ["8bit"])))
    if r.random() < 0.5:
        m.add_alternative("<p>%s</p>\n" % g.text("utf-8"), subtype="html")
    for _ in range(r.randint(0, 3)):
        kind, name, _cs = g.fname()
        mt, st = r.choice(BINTYPES).split("/")
        m.add_attachment(g.binary(), maintype=mt, subtype=st, filename=name)
    if r.random() < 0.3:
        inner = EmailMessage()
        inner["Subject"] = "inner"
        inner.set_content(g.text("utf-8"))
        m.add_attachment(inner)
    fix_boundaries(g, m)
    return m.as_bytes(policy=SMTP)


def fix_boundaries(g, m):
    """Python draws boundaries from the global random state: draw them
    from the seeded one instead, as Python's generator would write them."""
    for p in m.walk():
        if p.is_multipart() and p.get_content_maintype() == "multipart":
            p.set_boundary("=" * 15 + "%019d" % g.r.getrandbits(63) + "==")


def python_classic(g):
    r = g.r
    m = MIMEMultipart(r.choice(["mixed", "related"]))
    m["Subject"] = "classic"
    cs = r.choice(["utf-8", "iso-8859-1", "koi8-r", "iso-2022-jp", "euc-jp",
                   "shift_jis", "windows-1251"])
    m.attach(MIMEText(g.text(cs), "plain", cs))
    for _ in range(r.randint(0, 3)):
        kind, name, _cs = g.fname()
        mt, st = r.choice(BINTYPES).split("/")
        a = MIMEBase(mt, st)
        a.set_payload(g.binary())
        encoders.encode_base64(a)
        fn = name if name.isascii() else ("utf-8", "", name)
        a.add_header("Content-Disposition", "attachment", filename=fn)
        m.attach(a)
    if r.random() < 0.3:
        m.attach(MIMEMessage(MIMEText(g.text("utf-8"), "plain", "utf-8")))
    fix_boundaries(g, m)
    return m.as_bytes()


def main():
    seed, count, outdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    g = Gen(seed)
    for i in range(count):
        if g.r.random() < 1 / 6:
            raw = python_made(g)        # CRLF already (policy SMTP)
        else:
            raw = g.message()
            if g.r.random() < 0.2:
                raw = raw.replace(b"\n", b"\r\n")
        with open("%s/m%04d.eml" % (outdir, i), "wb") as f:
            f.write(raw)


if __name__ == "__main__":
    main()
