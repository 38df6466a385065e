#!/usr/bin/env python3
# Regenerate the fixtures of tests/mimeunpack.bats: python3 make.py
from email.message import EmailMessage
from email.policy import SMTP
import email

def base(subject):
    m = EmailMessage()
    m["From"] = "a@example.org"
    m["To"] = "b@example.org"
    m["Subject"] = subject
    return m

PDF = b"%PDF-1.4\n" + bytes(range(256)) + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))

# mixed.eml: text, a PDF, a nested alternative, an image
m = base("mixed")
m.set_content("Hello,\nthe report is attached.\n")
alt = EmailMessage()
alt.set_content("Caf\u00e9 plain\n", charset="iso-8859-1", cte="quoted-printable")
alt.add_alternative("<p>Caf\u00e9 <b>html</b></p>\n", subtype="html")
m.add_attachment(PDF, maintype="application", subtype="pdf",
                 filename="report.pdf")
m.attach(alt)
m.add_attachment(PNG, maintype="image", subtype="png", filename="pic.png")
open("mixed.eml", "wb").write(m.as_bytes(policy=SMTP))
open("report.pdf.expected", "wb").write(
    email.message_from_bytes(open("mixed.eml", "rb").read())
    .get_payload()[1].get_payload(decode=True))

# html.eml: an alternative without text/plain
m = base("html only")
m.set_content("<p>only html</p>\n", subtype="html")
m.make_alternative()
open("htmlalt.eml", "wb").write(m.as_bytes(policy=SMTP))

# hostile.eml: names that try to leave DIR or hide
names = ["../x", "/etc/x", "..\\y", "a\x01b\x1fc.txt", ".", "..", "",
         ".hidden", "\u00e9" * 148 + ".pdf"]
m = base("hostile")
m.set_content("body\n")
for i, n in enumerate(names):
    m.add_attachment(b"data %d\n" % i, maintype="application",
                     subtype="octet-stream", filename=n)
raw = m.as_bytes(policy=SMTP)
# Python writes a bare "filename" for the empty name
raw = raw.replace(b"attachment; filename\r\n", b'attachment; filename=""\r\n')
open("hostile.eml", "wb").write(raw)

# same.eml: two attachments of the same name
m = base("same")
m.set_content("body\n")
m.add_attachment(b"first\n", maintype="application", subtype="pdf",
                 filename="doc.pdf")
m.add_attachment(b"second\n", maintype="application", subtype="pdf",
                 filename="doc.pdf")
open("same.eml", "wb").write(m.as_bytes(policy=SMTP))

# uu.eml: a uuencoded block inside a text/plain body
import binascii
UU = bytes(range(100))
lines = [binascii.b2a_uu(UU[i:i + 45]) for i in range(0, len(UU), 45)]
body = (b"See the file below.\n\nbegin 644 ../data.bin\n" + b"".join(lines) +
        b"`\nend\n\nBye.\n")
open("uu.eml", "wb").write(
    b"From: a@example.org\nSubject: uu\nContent-Type: text/plain\n\n" + body)
open("data.bin.expected", "wb").write(UU)

# Headers that end or split unusually, written byte for byte (the
# mistakes are the point), named after the fault each one once caused:
#   noblank.eml       no empty line: the body starts at a line that is
#                     not a field (its text was lost, and "PS: ..."
#                     after it was taken for a field)
#   noblank-part.eml  the same inside a multipart's part
#   split-colon.eml   "From" with its colon on the next line (an
#                     anti-phishing test: the From was invisible)
#   obs-colon.eml     white space before every colon (RFC 5322 §4.5.3;
#                     "not a message")
#   bom.eml           a UTF-8 byte order mark before the first field
#                     (that field was lost)
# The same files are in ../hdrparse, and as seeds for the fuzz harnesses
# in ../msg (msg-*.eml) and ../mime.
ODD = {
    "noblank.eml": b"From: a@x.test\nSubject: s\nthe body starts here\n"
                   b"PS: and goes on\n",
    "noblank-part.eml": b"From: a@x.test\nSubject: parts\n"
                        b"Content-Type: multipart/mixed; boundary=b\n\n"
                        b"--b\nContent-Type: text/plain\n"
                        b"and this line is text\nand this one\n"
                        b"--b\nContent-Type: text/plain\n\nsecond\n"
                        b"--b--\n",
    "split-colon.eml": b"From\n : <any@attack.com>\nTo: b@x.test\n"
                       b"Subject: hi\n\nbody\n",
    "obs-colon.eml": b"From : a@x.test\nSubject : old style\n"
                     b"Content-Type : text/plain; charset=utf-8\n\n"
                     b"caf\xc3\xa9\n",
    "bom.eml": b"\xef\xbb\xbfContent-Type: text/html\nSubject: bom\n\n"
               b"<p>x</p>\n",
}
for name, raw in ODD.items():
    open(name, "wb").write(raw)
    open("../hdrparse/" + name, "wb").write(raw)
    open("../mime/" + name, "wb").write(raw)
import os
os.makedirs("../msg", exist_ok=True)
for name in ("noblank.eml", "split-colon.eml", "obs-colon.eml", "bom.eml"):
    seed = {"noblank.eml": "no-blank-line.eml"}.get(name, name)
    open("../msg/msg-" + seed, "wb").write(ODD[name])
