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
