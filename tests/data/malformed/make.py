#!/usr/bin/env python3
# Regenerate the malformed corpus of tests/malformed.bats: python3 make.py
# Every file is small and written byte for byte here, so that CR, NUL and
# other bytes an editor would lose are kept.  README says what is wrong
# in each.  The big cases (a 1 MB header line, 100 000 parts) are made by
# the tests themselves, not kept here.
import base64

F = {}

F["noend.eml"] = b"""\
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain

first
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename=tail.bin

last part, no close delimiter
"""

F["noboundary.eml"] = b"""\
Content-Type: multipart/mixed; boundary=never

--other
Content-Type: text/plain

the declared boundary never appears
--other--
"""

F["nested-noend.eml"] = b"""\
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain

inner one
--inner
Content-Type: text/html

<p>inner two</p>
--outer
Content-Type: application/octet-stream; name=a.bin
Content-Transfer-Encoding: base64

QUJD
"""

F["b64-junk.eml"] = b"""\
Content-Type: application/octet-stream; name=junk.bin
Content-Transfer-Encoding: base64

SGVs*bG8g!d29y
bGQ@@h
"""

F["b64-truncated.eml"] = b"""\
Content-Type: application/octet-stream; name=trunc.bin
Content-Transfer-Encoding: base64

SGVsbG8gd29ybGQhI
"""

F["b64-nopad.eml"] = b"""\
Content-Type: application/octet-stream; name=nopad.bin
Content-Transfer-Encoding: base64

SGVsbG8gd29ybGQ
"""

F["b64-afterpad.eml"] = b"""\
Content-Type: application/octet-stream; name=pad.bin
Content-Transfer-Encoding: base64

SGk=IHRoZXJl
"""

F["qp-bad.eml"] = b"""\
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

a = b, bad hex =G1 and =4x, lower =c3=a9
soft=
break, bare at the end =
"""

F["hdr-truncated.eml"] = b"""\
From: a@example.test
Subject: cut short
Content-Type: multipart/mixed; bound"""

F["hdr-nocolon.eml"] = b"""\
From: a@example.test
this line has no colon
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

caf=E9
"""

F["nul.eml"] = (b"Subject: nul\0here\n"
                b"Content-Type: multipart/mixed; boundary=b\n\n"
                b"--b\nContent-Type: text/plain\n\nbefore\0after\n"
                b"--b\nContent-Type: application/octet-stream;"
                b" name=\"n\0ul.bin\"\n\n\0\0\0\n--b--\n")

F["deep40.eml"] = (
    b"".join(b"Content-Type: multipart/mixed; boundary=d%d\n\n--d%d\n"
             % (i, i) for i in range(40)) +
    b"Content-Type: text/plain\n\ndeep\n" +
    b"".join(b"--d%d--\n" % i for i in reversed(range(40))))

F["rfc822-empty.eml"] = b"""\
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: message/rfc822

--b
Content-Type: text/plain

after
--b--
"""

F["multipart-noparam.eml"] = b"""\
Content-Type: multipart/mixed

--b
Content-Type: text/plain

no boundary parameter
--b--
"""

F["charset-bad.eml"] = b"""\
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain; charset=x-no-such-charset

caf\xc3\xa9 one
--b
Content-Type: text/plain; charset="utf-8//IGNORE"

caf\xc3\xa9 two
--b
Content-Type: text/plain; charset=utf-8

bad utf-8 \xff\xc3 three
--b--
"""

F["names-hostile.eml"] = b"""\
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="../../etc/passwd"

p1
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*=utf-8''..%2F..%2Ftmp%2Fx%00y.sh

p2
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="C:\\\\Windows\\\\win.ini"

p3
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*=utf-8''%1B%5B31mred%0Aline%7F.txt

p4
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="/"

p5
--b--
"""

F["rfc2231-broken.eml"] = b"""\
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*1="two.txt";
 filename*0="part-one-"

order
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*0="zero-"; filename*2="two.txt"

gap
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*0*=utf-8''caf%C3%A9;
 filename*1*=%ZZ.txt

badpct
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*=no-such-cs''abc%E9.txt

badcs
--b--
"""

F["ew-garbage.eml"] = b"""\
Subject: =?utf-8?B?!!!?= =?bogus?Q?x?=
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="=?utf-8?B?!!!?=.bin"

e1
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="=?no-such?Q?abc?=.bin"

e2
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="=?utf-8?X?abc?=.bin"

e3
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="=?utf-8?Q?unterminated.bin"

e4
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="=?utf-8?B?/w==?=.bin"

e5
--b--
"""

F["crlf-mixed.eml"] = (
    b"Content-Type: multipart/mixed; boundary=b\r\n"
    b"Subject: mixed\n\r\n"
    b"--b\n"
    b"Content-Type: text/plain\r\n\n"
    b"crlf line\r\nlf line\nbare\rcr\r\n"
    b"--b\r\n"
    b"Content-Type: application/octet-stream; name=m.bin\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    b"QUJD\r\nREVG\n"
    b"--b--\r\n")

# random-looking bytes without a colon or a newline: not a message
F["garbage.bin"] = bytes((i * 167 + 13) % 256 for i in range(2048)) \
    .replace(b":", b".").replace(b"\n", b" ")

F["empty.eml"] = b""

F["headers-only.eml"] = b"""\
From: a@example.test
Subject: no body, no empty line
Content-Type: text/plain; charset=us-ascii"""

F["cte-unknown.eml"] = b"""\
Content-Type: application/octet-stream; name=x.bin
Content-Transfer-Encoding: x-rot13

nopqrs
"""

F["ctype-bad.eml"] = b"""\
Content-Type: text; charset=utf-8; name=t.txt

unparsable type
"""

F["same-boundary.eml"] = b"""\
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain

which level am I
--b--
after inner
--b
Content-Type: text/plain

last
--b--
"""

F["part-nobody.eml"] = b"""\
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: application/octet-stream; name=h.bin
--b
Content-Type: text/plain

second
--b--
"""

F["uu-broken.eml"] = b"""\
Content-Type: text/plain

text before
begin 644 short.bin
)2&5L;&\\
M
end
begin 644 noend.bin
#04)#
"""

F["rfc822-base64.eml"] = b"""\
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: message/rfc822
Content-Transfer-Encoding: base64

""" + base64.encodebytes(b"Subject: inner\n\ninner body\n") + b"""\
--b--
"""

F["boundary-long.eml"] = (
    b"Content-Type: multipart/mixed; boundary=\"" + b"L" * 1100 +
    b"\"\n\n--" + b"L" * 1100 + b"\nContent-Type: text/plain\n\nx\n--" +
    b"L" * 1100 + b"--\n")

F["ctype-dup.eml"] = b"""\
Content-Type: multipart/mixed; boundary=b
Content-Type: text/plain

--b
Content-Type: application/octet-stream; name=d.bin

dup
--b--
"""

for name, data in F.items():
    with open(name, "wb") as f:
        f.write(data)
