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

# b64-afterpad.eml, b64-twopads.eml: base64 goes on after its padding
# (Python's email decodes b'hello' and b'hi')
open("b64-afterpad.eml", "wb").write(
    b"From: a@x.test\nMIME-Version: 1.0\nContent-Type: text/plain\n"
    b"Content-Transfer-Encoding: base64\n\n"
    b"aGVsbG8=\nPotentially malicious content\n")
open("b64-twopads.eml", "wb").write(
    b"From: a@x.test\nMIME-Version: 1.0\n"
    b"Content-Type: application/octet-stream; name=hi.bin\n"
    b"Content-Transfer-Encoding: base64\n\naGk=aGk=\n")

# delim-trailing.eml: "--b trailing" (not a delimiter for Python) and a
# nested boundary "bc" that starts with "b"
open("delim-trailing.eml", "wb").write(
    b"From: a@x.test\nMIME-Version: 1.0\n"
    b"Content-Type: multipart/mixed; boundary=b\n\n"
    b"--b\nContent-Type: text/plain\n\none\n"
    b"--b trailing\nContent-Type: application/octet-stream; name=two.bin\n\n"
    b"two\n--b\nContent-Type: multipart/mixed; boundary=bc\n\n"
    b"--bc\nContent-Type: application/octet-stream; name=three.bin\n\n"
    b"three\n--bc--\n--b--\n")

# uuencode-cte.eml: Content-Transfer-Encoding x-uuencode (Netscape 4)
# and x-uue with text after the end line (Pine)
UUE = bytes(range(256)) * 2 + b"netscape\n"
block = b"begin 644 data.bin\n" + b"".join(
    binascii.b2a_uu(UUE[i:i + 45]) for i in range(0, len(UUE), 45)) + \
    b"`\nend\n"
open("uuencode-cte.eml", "wb").write(
    b"From: a@x.test\nMIME-Version: 1.0\nSubject: netscape 4\n"
    b"Content-Type: multipart/mixed; boundary=\"nsb\"\n\n"
    b"--nsb\nContent-Type: text/plain; charset=us-ascii\n\nsee attached\n"
    b"--nsb\nContent-Type: application/octet-stream; name=\"data.bin\"\n"
    b"Content-Transfer-Encoding: x-uuencode\n"
    b"Content-Disposition: attachment; filename=\"data.bin\"\n\n" + block +
    b"--nsb\nContent-Type: text/plain\nContent-Transfer-Encoding: x-uue\n\n"
    b"begin 600 pine.txt\n" + binascii.b2a_uu(b"from pine\n") +
    b"`\nend\nafter the end\n--nsb--\n")
open("data.bin.uue-expected", "wb").write(UUE)

# rfc822-encoded.eml: message/rfc822 parts in base64 (a multipart with a
# PDF) and in quoted-printable; rfc822-inner.eml is the first one decoded
import base64, quopri
INNER = (b"From: c@d.test\nSubject: inner\nMIME-Version: 1.0\n"
         b"Content-Type: multipart/mixed; boundary=\"in\"\n\n"
         b"--in\nContent-Type: text/plain\n\ninner text\n"
         b"--in\nContent-Type: application/pdf; name=\"report.pdf\"\n"
         b"Content-Transfer-Encoding: base64\n\n" +
         base64.encodebytes(b"%PDF-1.4 fake\n") + b"--in--\n")
open("rfc822-inner.eml", "wb").write(INNER)
open("rfc822-encoded.eml", "wb").write(
    b"From: a@x.test\nMIME-Version: 1.0\nSubject: fwd\n"
    b"Content-Type: multipart/mixed; boundary=\"out\"\n\n"
    b"--out\nContent-Type: text/plain\n\nsee the forwarded mail\n"
    b"--out\nContent-Type: message/rfc822\n"
    b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(INNER) +
    b"--out\nContent-Type: message/rfc822\n"
    b"Content-Transfer-Encoding: quoted-printable\n\n" +
    quopri.encodestring(b"Subject: flat\n\nflat body=\n") + b"\n--out--\n")
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
