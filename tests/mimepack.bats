#!/usr/bin/env bats
# mimepack: exact bytes of deterministic messages, round trips through
# mimeunpack and Python's email package, exit status.
# Fixtures in data/mimepack/: *.txt and alt.html are inputs, *.eml what
# mimepack must make of them with the fixed options of $FIX (written by
# mimepack, checked by hand and with Python; the tests give the options).

bats_require_minimum_version 1.5.0

setup() {
	cd "$YUBIN_TESTS/data/mimepack" || return 1
	T=$BATS_TEST_TMPDIR
	mkdir "$T/in" "$T/out"
	FIX=(--date 'Sun, 22 Nov 2026 04:30:09 +0000'
	    --message-id 'fixed@yubin.test' --boundary '=_yubin_fixed')
	unset SOURCE_DATE_EPOCH
}

# Python, policy.default: fail on any defect; print the subject, then
# per part "filename<TAB>content type", and write attachment i to $2/i.
pycheck() {
	python3 - "$1" "$2" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(),
                             policy=email.policy.default)
bad = [(p.get_content_type(), p.defects) for p in m.walk() if p.defects]
if bad:
    sys.exit("defects: %r" % bad)
print(m["subject"])
i = 0
for p in m.walk():
    if p.is_multipart():
        continue
    print("%s\t%s" % (p.get_filename(), p.get_content_type()))
    if p.get_filename() is not None:
        open("%s/%d" % (sys.argv[2], i), "wb").write(
            p.get_payload(decode=True))
        i += 1
    else:
        sys.stdout.write(p.get_content())
PY
}

# Attach every file of $T/in (in ls order), unpack, compare byte for byte
# through mimeunpack and through Python.
roundtrip() {
	local f args=() n=0
	for f in "$T"/in/*; do args+=(-a "$f"); done
	run -0 mimepack -s rt -t a@b.test "$@" "${args[@]}" </dev/null
	printf '%s\n' "$output" >"$T/msg"
	run -0 mimeunpack -x -d "$T/out" "$T/msg"
	mkdir "$T/py"
	run -0 pycheck "$T/msg" "$T/py"
	[ "${lines[0]}" = rt ] || return 1
	for f in "$T"/in/*; do
		cmp "$f" "$T/out/$(basename "$f")" || return 1
		cmp "$f" "$T/py/$n" || return 1
		n=$((n + 1))
		# Python's file name for the part, before the TAB
		[ "${lines[n]%%	*}" = "$(basename "$f")" ] || return 1
	done
	[ "$(ls "$T/out" | wc -l)" -eq "$n" ]
}

# No line of file $1 is longer than $2 characters (CR not counted).
maxline() {
	awk -v m="$2" '{ sub(/\r$/, "") } length($0) > m { print NR": "length($0); bad = 1 } END { exit bad }' "$1"
}

@test "plain ASCII body: exact bytes, 7bit" {
	mimepack -s 'Plain test' -f 'Alice Example <alice@example.test>' \
	    -t bob@example.test "${FIX[@]}" <ascii.txt >"$T/m"
	cmp "$T/m" ascii.eml
}

@test "UTF-8 body: exact bytes, quoted-printable" {
	mimepack -s 'UTF-8 test' -f alice@example.test -t bob@example.test \
	    "${FIX[@]}" <utf8.txt >"$T/m"
	cmp "$T/m" utf8.eml
}

@test "Japanese subject and names: exact bytes, encoded words" {
	mimepack -s '日本語の件名です' -f '山田 太郎 <taro@example.jp>' \
	    -t 'Иван Петров <ivan@example.ru>' "${FIX[@]}" \
	    <ascii.txt >"$T/m"
	cmp "$T/m" japanese.eml
	run -0 hdrparse -h subject "$T/m"
	[ "$output" = '日本語の件名です' ]
	run -0 hdrparse -h from "$T/m"
	[ "$output" = '山田 太郎 <taro@example.jp>' ]
	run -0 python3 -c '
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(),
                             policy=email.policy.default)
assert not m.defects, m.defects
print(m["subject"]); print(m["from"].addresses[0].display_name)
print(m["to"].addresses[0].display_name, m["to"].addresses[0].addr_spec)' "$T/m"
	[ "$output" = $'日本語の件名です\n山田 太郎\nИван Петров ivan@example.ru' ]
}

@test "the UTF-8 body comes back from Python" {
	mimepack -s 'UTF-8 test' -f alice@example.test -t bob@example.test \
	    "${FIX[@]}" <utf8.txt >"$T/m"
	run -0 pycheck "$T/m" "$T/out"
	[ "$output" = "UTF-8 test"$'\n'"None	text/plain"$'\n'"$(cat utf8.txt)" ]
}

@test "a long Japanese subject folds at 78 columns, characters whole" {
	s=$(printf '日本語のとても長い件名%.0s' 1 2 3 4 5 6 7 8 9 10)
	mimepack -s "$s" "${FIX[@]}" </dev/null >"$T/m"
	maxline "$T/m" 78
	[ "$(grep -c '^ =?UTF-8?' "$T/m")" -ge 3 ]
	run -0 hdrparse -h subject "$T/m"
	[ "$output" = "$s" ]
	run -0 pycheck "$T/m" "$T/out"
	[ "${lines[0]}" = "$s" ]
}

@test "a long ASCII subject folds at spaces and unfolds the same" {
	s=$(printf 'word%d ' $(seq 1 40))x
	mimepack -s "$s" "${FIX[@]}" </dev/null >"$T/m"
	maxline "$T/m" 78
	run -0 hdrparse -h subject "$T/m"
	[ "$output" = "$s" ]
}

@test "Q or B, whichever is shorter" {
	mimepack -s 'Café au lait' "${FIX[@]}" </dev/null >"$T/m"
	grep -qx 'Subject: =?UTF-8?Q?Caf=C3=A9_au_lait?=' "$T/m"
	mimepack -s 'Жизнь' "${FIX[@]}" </dev/null >"$T/m"
	grep -qx 'Subject: =?UTF-8?B?0JbQuNC30L3RjA==?=' "$T/m"
}

@test "ASCII display names are quoted when they must be, addr-specs untouched" {
	mimepack -t '"Bob, Jr." <bob@x.test>' -t 'a@x.test, Carol <c@x.test>' \
	    -c 'Dée <d@x.test>' -b secret@x.test "${FIX[@]}" </dev/null >"$T/m"
	grep -qx 'To: "Bob, Jr." <bob@x.test>, a@x.test, Carol <c@x.test>' "$T/m"
	grep -qx 'Cc: =?UTF-8?Q?D=C3=A9e?= <d@x.test>' "$T/m"
	grep -qx 'Bcc: secret@x.test' "$T/m"
}

@test "-H fields are kept and may replace Date and Message-ID" {
	mimepack -H 'X-Mailer: test' -H 'Date: Mon, 1 Jan 2024 00:00:00 +0000' \
	    -H 'Message-ID: <own@x.test>' </dev/null >"$T/m"
	grep -qx 'X-Mailer: test' "$T/m"
	[ "$(grep -c '^Date:' "$T/m")" -eq 1 ]
	grep -qx 'Date: Mon, 1 Jan 2024 00:00:00 +0000' "$T/m"
	[ "$(grep -c '^Message-ID:' "$T/m")" -eq 1 ]
}

@test "SOURCE_DATE_EPOCH gives the Date; a Message-ID is made up" {
	SOURCE_DATE_EPOCH=1700000000 mimepack </dev/null >"$T/m"
	grep -qx 'Date: Tue, 14 Nov 2023 22:13:20 +0000' "$T/m"
	grep -Eqx 'Message-ID: <[0-9a-f]{32}@[^>]+>' "$T/m"
	grep -qx 'MIME-Version: 1.0' "$T/m"
}

@test "a random boundary is =_yubin_ and hex" {
	run -0 mimepack -a ascii.txt </dev/null
	[[ "$output" =~ boundary=\"=_yubin_[0-9a-f]{24}\" ]]
}

@test "attachments with a text body: exact structure" {
	printf 'x' >"$T/in/one"
	mimepack -s s -t a@b.test -a "$T/in/one:application/x-test:one.bin" \
	    "${FIX[@]}" <ascii.txt >"$T/m"
	sed -n '/^--=_yubin_fixed$/,$p' "$T/m" >"$T/parts"
	diff -u - "$T/parts" <<'EOF2'
--=_yubin_fixed
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Hello,

this is a plain ASCII body.
.
From here on.

--=_yubin_fixed
Content-Type: application/x-test
Content-Transfer-Encoding: 7bit
Content-Disposition: attachment; filename="one.bin"

x
--=_yubin_fixed--
EOF2
}

@test "round trip: every byte value, empty, one byte" {
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 3)' >"$T/in/allbytes"
	: >"$T/in/empty"
	printf 'z' >"$T/in/onebyte"
	roundtrip
}

@test "round trip: CRLF, trailing spaces, a lone dot, a 2000-character line" {
	printf 'line one\r\nline two\r\n' >"$T/in/crlf.txt"
	printf 'trailing   \nspaces\t\n  \n' >"$T/in/trail.txt"
	printf 'before\n.\nafter\n.' >"$T/in/dot.txt"
	{ head -c 2000 /dev/zero | tr '\0' a; echo; } >"$T/in/long.txt"
	printf 'From me\nno newline at the end' >"$T/in/from.txt"
	printf 'Grüße\n日本語\n' >"$T/in/utf8.txt"
	roundtrip
	grep -q 'filename="crlf.txt"' "$T/msg"
}

@test "round trip: 20 MB of random data" {
	head -c 20000000 /dev/urandom >"$T/in/random.bin"
	roundtrip
	maxline "$T/msg" 76
}

@test "round trip: names in Japanese, Russian, with spaces, quotes and semicolons" {
	printf 'a\n' >"$T/in/日本語のファイル名.txt"
	printf 'e\n' >"$T/in/日本.txt"
	printf 'b\n' >"$T/in/Отчёт за год.txt"
	printf 'c\n' >"$T/in/with space; semi \"quoted\".txt"
	printf 'd\n' >"$T/in/$(printf 'とても長い名前%.0s' 1 2 3 4 5 6 7 8).txt"
	roundtrip
	grep -qxF "Content-Disposition: attachment; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt" "$T/msg"
	grep -q 'filename="with space; semi \\"quoted\\".txt"' "$T/msg"
	grep -q "filename\*0\*=UTF-8''" "$T/msg"
	maxline "$T/msg" 78
}

@test "round trip: a name that holds \"=?...?=\" is escaped, or decoders would take it for an encoded word" {
	printf 'a\n' >"$T/in/=?utf-8?q?a?=.txt"
	printf 'b\n' >"$T/in/=?UTF-8?B?w6k=?= x.pdf"
	roundtrip
	grep -qxF " filename*=UTF-8''%3D%3Futf-8%3Fq%3Fa%3F%3D.txt" "$T/msg"
	! grep -q 'filename="=?' "$T/msg" || false
}

@test "a name too long for one line per section gets longer sections; one too long for those is 65" {
	printf 'x\n' >"$T/in/data"
	name=$(python3 -c 'print("é" * 10000 + ".txt")')
	run -0 mimepack -a "$T/in/data:text/plain:$name" "${FIX[@]}" </dev/null
	printf '%s\n' "$output" >"$T/msg"
	# at most 100 sections (what decoders keep), no line over 998
	n=$(grep -c '^ filename\*[0-9]*\*=' "$T/msg")
	[ "$n" -gt 1 ]
	[ "$n" -le 100 ]
	maxline "$T/msg" 998
	run -0 python3 -c '
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print([p.get_filename() for p in m.walk() if p.get_filename()][0] == sys.argv[2])' "$T/msg" "$name"
	[ "$output" = True ]
	# mimeunpack reads 8 KiB of a field: it says the name was cut (here
	# inside a %XX escape, which it names too)
	run -0 --separate-stderr mimeunpack -l "$T/msg"
	[ "$stderr" = "mimeunpack: $T/msg: part 1: bad %XX escape in the file name, kept as it is; file name too long, cut" ]
	name=$(python3 -c 'print("é" * 40000)')
	run --separate-stderr mimepack -a "$T/in/data:text/plain:$name" "${FIX[@]}" </dev/null
	[ "$status" -eq 65 ]
	[ "$stderr" = "mimepack: attachment name of 80000 bytes: too long for a MIME header" ]
	[ -z "$output" ]
}

@test "round trip in --crlf mode" {
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)))' >"$T/in/bytes"
	printf 'a\r\nb\n' >"$T/in/mixed.txt"
	roundtrip --crlf
	[ "$(tr -cd '\n' <"$T/msg" | wc -c)" -eq "$(grep -c $'\r$' "$T/msg")" ]
}

@test "-a FILE:TYPE:NAME forces the type and renames" {
	printf 'x,y\n' >"$T/in/data"
	run -0 mimepack -a "$T/in/data:text/csv:report.csv" "${FIX[@]}" </dev/null
	[[ "$output" == *$'Content-Type: text/csv; charset=us-ascii\nContent-Transfer-Encoding: 7bit\nContent-Disposition: attachment; filename="report.csv"'* ]]
}

@test "types from libmagic; text attachments carry their charset" {
	printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\6\0\0\0' >"$T/in/p"
	printf 'Grüße\n' >"$T/in/t"
	run -0 mimepack -a "$T/in/p" -a "$T/in/t" "${FIX[@]}" </dev/null
	[[ "$output" == *$'Content-Type: image/png\nContent-Transfer-Encoding: base64'* ]]
	[[ "$output" == *$'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable'* ]]
	printf 'caf\xe9 au lait\n' >"$T/in/l"
	run -0 mimepack -a "$T/in/l" "${FIX[@]}" </dev/null
	[[ "$output" == *$'Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable'* ]]
	[[ "$output" == *$'\ncaf=E9 au lait\n'* ]]
}

@test "-a - attaches stdin; the body comes from -T" {
	printf 'from stdin\n' >"$T/in/expect"
	run -0 mimepack -T ascii.txt -a -:text/plain:in.txt "${FIX[@]}" <"$T/in/expect"
	printf '%s\n' "$output" >"$T/m"
	run -0 mimeunpack -x -d "$T/out" "$T/m"
	cmp "$T/in/expect" "$T/out/in.txt"
	mkdir "$T/py"
	run -0 pycheck "$T/m" "$T/py"
	[ "${lines[1]}" = "None	text/plain" ]
	[ "${lines[2]}" = "Hello," ]
}

@test "-8 writes UTF-8 text as 8bit" {
	run -0 mimepack -8 "${FIX[@]}" <utf8.txt
	[[ "$output" == *$'charset=utf-8\nContent-Transfer-Encoding: quoted-printable'* ]]
	printf 'Grüße\n' | mimepack -8 "${FIX[@]}" >"$T/m"
	grep -qx 'Content-Transfer-Encoding: 8bit' "$T/m"
	grep -qx 'Grüße' "$T/m"
}

@test "body lines over 998 characters go quoted-printable" {
	{ head -c 1200 /dev/zero | tr '\0' a; echo; } >"$T/long"
	mimepack "${FIX[@]}" <"$T/long" >"$T/m"
	grep -qx 'Content-Transfer-Encoding: quoted-printable' "$T/m"
	maxline "$T/m" 76
}

@test "header injection is refused with 65 and no output" {
	run -65 --separate-stderr mimepack -s $'a\nBcc: x@evil.test' </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: -s: line break in a header value" ]
	run -65 --separate-stderr mimepack -H $'X-A: b\r\nBcc: x' </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: -H: line break in a header value" ]
	run -65 --separate-stderr mimepack -t $'a@b.test\nBcc: x@evil.test' </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: -t: line break in a header value" ]
	run -65 --separate-stderr mimepack -f $'a@b.test\rX: y' </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: -f: line break in a header value" ]
	run -65 --separate-stderr mimepack -a "ascii.txt:text/plain:a"$'\n'"b" </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: -a: line break in a header value" ]
}

@test "a missing attachment is 66, with no output" {
	run -66 --separate-stderr mimepack -a "$T/nonexistent" </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: $T/nonexistent: No such file or directory" ]
	run -66 --separate-stderr mimepack -a "$T" </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: $T: is a directory" ]
	run -66 --separate-stderr mimepack -T "$T/nonexistent" </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: $T/nonexistent: No such file or directory" ]
}

@test "usage errors are 64" {
	run -64 --separate-stderr mimepack -Z
	[ "${stderr_lines[0]}" = "mimepack: unknown option -Z" ]
	run -64 --separate-stderr mimepack --bogus
	[ "${stderr_lines[0]}" = "mimepack: unknown option --bogus" ]
	run -64 --separate-stderr mimepack --date
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "mimepack: option --date needs an argument" ]
	run -64 --separate-stderr mimepack extra-arg </dev/null
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "usage: mimepack [-8] [-s subject] [-f from] [-t to]... [-c cc]... [-b bcc]..." ]
	run -64 --separate-stderr mimepack --boundary 'bad"boundary' </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: --boundary: not a valid boundary" ]
	run -64 --separate-stderr mimepack -H 'no colon here' </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: -H no colon here: not 'Field: value'" ]
	run -64 --separate-stderr mimepack -H 'Content-Type: text/html' </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: -H Content-Type: text/html: mimepack writes that field" ]
	run -64 --separate-stderr mimepack -a - -a - </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: standard input can be used only once" ]
	run -65 --separate-stderr mimepack -t '<>' </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: To: bad address '<>'" ]
}

@test "-V prints the version" {
	run -0 mimepack -V
	[[ "$output" == "mimepack (yubin) "* ]]
}

@test "long address lists fold at 78 and parse back" {
	to=$(for i in $(seq 1 8); do printf 'Person %d <p%d@example.test>, ' $i $i; done)
	mimepack -t "${to}x@y.test" "${FIX[@]}" \
	    -c 'Жанна Иванова-Петрова-Сидорова-Кузнецова <zh@example.ru>' \
	    </dev/null >"$T/m"
	maxline "$T/m" 78
	run -0 python3 -c '
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(),
                             policy=email.policy.default)
assert not m.defects, m.defects
for a in m["to"].addresses + m["cc"].addresses:
    print(a.display_name + "|" + a.addr_spec)' "$T/m"
	[ "${#lines[@]}" -eq 10 ]
	[ "${lines[7]}" = "Person 8|p8@example.test" ]
	[ "${lines[8]}" = "|x@y.test" ]
	# Python 3.11 puts a space where the name was cut between two encoded
	# words (it writes the same words itself); hdrparse follows RFC 2047.
	# So Python's reading is compared with the spaces taken out.
	want='Жанна Иванова-Петрова-Сидорова-Кузнецова|zh@example.ru'
	[ "${lines[9]// /}" = "${want// /}" ]
	run -0 hdrparse -h cc "$T/m"
	[ "$output" = "Жанна Иванова-Петрова-Сидорова-Кузнецова <zh@example.ru>" ]
}

@test "-M: multipart/alternative, exact bytes" {
	mimepack -s Alt -f a@x.test -t b@x.test -M alt.html "${FIX[@]}" \
	    <ascii.txt >"$T/m"
	cmp "$T/m" alt.eml
	run -0 pycheck "$T/m" "$T/out"
	[ "${lines[1]}" = "None	text/plain" ]
	[ "${lines[6]}" = "None	text/html" ]
	[ "${lines[7]}" = "$(cat alt.html)" ]
}

@test "-M with attachments: the alternative nests in multipart/mixed" {
	printf '%s' "$(cat alt.html)" >"$T/in/x.html"
	run -0 mimepack -M alt.html -a "$T/in/x.html" "${FIX[@]}" <utf8.txt
	printf '%s\n' "$output" >"$T/m"
	grep -qx ' boundary="alt=_yubin_fixed"' "$T/m"
	mkdir "$T/py"
	run -0 python3 -c '
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(),
                             policy=email.policy.default)
assert all(not p.defects for p in m.walk())
print(" ".join(p.get_content_type() for p in m.walk()))
print(m.get_body(("html",)).get_content(), end="")
print(m.get_body(("plain",)).get_content(), end="")
print([a.get_filename() for a in m.iter_attachments()])' "$T/m"
	[ "${lines[0]}" = "multipart/mixed multipart/alternative text/plain text/html text/html" ]
	[ "${lines[1]}" = "$(cat alt.html)" ]
	[ "${lines[2]}" = "Grüße aus Köln," ]
	[ "${lines[5]}" = "['x.html']" ]
	run -0 mimeunpack -x -d "$T/out" "$T/m"
	cmp "$T/in/x.html" "$T/out/x.html"
}

@test "-M with a missing file is 66" {
	run -66 --separate-stderr mimepack -M "$T/nonexistent" </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: $T/nonexistent: No such file or directory" ]
}

@test "-8 with attachments: the multipart is declared 8bit" {
	printf 'Grüße\n' >"$T/in/g.txt"
	run -0 mimepack -8 -a "$T/in/g.txt" "${FIX[@]}" <utf8.txt
	[[ "$output" == *$'boundary="=_yubin_fixed"\nContent-Transfer-Encoding: 8bit\n'* ]]
	[[ "$output" == *$'filename="g.txt"\n\nGrüße\n'* ]]
	printf '%s\n' "$output" >"$T/m"
	run -0 mimeunpack -x -d "$T/out" "$T/m"
	cmp "$T/in/g.txt" "$T/out/g.txt"
}

# ---- -i: inline parts in multipart/related ----

# The inputs of the -i tests: an HTML body that refers to two inline
# parts by cid:, one attachment.
inline_inputs() {
	printf '<p>Logo: <img src="cid:logo.png@yubin.test">\n<img src="cid:my_photo.jpg@yubin.test"></p>\n' >"$T/in/page.html"
	printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$T/in/logo.png"
	printf '\xff\xd8\xff\xe0\0\x10JFIF' >"$T/in/my photo.jpg"
	printf 'notes\n' >"$T/in/notes.txt"
}

@test "-i: mixed [related [alternative, inline parts], attachment], exact bytes" {
	inline_inputs
	run -0 mimepack -s Inline -M "$T/in/page.html" \
	    -i "$T/in/logo.png:image/png" -i "$T/in/my photo.jpg:image/jpeg" \
	    -a "$T/in/notes.txt" "${FIX[@]}" <ascii.txt
	printf '%s\n' "$output" >"$T/m"
	diff -u - "$T/m" <<EXP
Date: Sun, 22 Nov 2026 04:30:09 +0000
Subject: Inline
Message-ID: <fixed@yubin.test>
MIME-Version: 1.0
Content-Type: multipart/mixed;
 boundary="=_yubin_fixed"

--=_yubin_fixed
Content-Type: multipart/related; type="multipart/alternative";
 boundary="rel=_yubin_fixed"

--rel=_yubin_fixed
Content-Type: multipart/alternative;
 boundary="altrel=_yubin_fixed"

--altrel=_yubin_fixed
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

$(cat ascii.txt)

--altrel=_yubin_fixed
Content-Type: text/html; charset=us-ascii
Content-Transfer-Encoding: 7bit

$(cat "$T/in/page.html")

--altrel=_yubin_fixed--
--rel=_yubin_fixed
Content-Type: image/png
Content-Transfer-Encoding: base64
Content-ID: <logo.png@yubin.test>
Content-Disposition: inline; filename="logo.png"

iVBORw0KGgoAAAANSUhEUg==

--rel=_yubin_fixed
Content-Type: image/jpeg
Content-Transfer-Encoding: base64
Content-ID: <my_photo.jpg@yubin.test>
Content-Disposition: inline; filename="my photo.jpg"

/9j/4AAQSkZJRg==

--rel=_yubin_fixed--
--=_yubin_fixed
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit
Content-Disposition: attachment; filename="notes.txt"

notes

--=_yubin_fixed--
EXP
}

@test "-i: Python sees no defect and every cid: of the HTML resolves" {
	inline_inputs
	run -0 mimepack -M "$T/in/page.html" -i "$T/in/logo.png:image/png" \
	    -i "$T/in/my photo.jpg" "${FIX[@]}" <ascii.txt
	printf '%s\n' "$output" >"$T/m"
	run -0 python3 - "$T/m" "$T/in" <<'PY'
import email, email.policy, re, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(),
                             policy=email.policy.default)
assert all(not p.defects for p in m.walk()), [p.defects for p in m.walk()]
print(" ".join(p.get_content_type() for p in m.walk()))
rel = [p for p in m.walk() if p.get_content_type() == "multipart/related"][0]
print(rel.get_param("type"))
ids = {p["content-id"].strip("<>"): p for p in m.walk() if p["content-id"]}
html = m.get_body(("html",)).get_content()
for cid in re.findall(r'cid:([^"]+)', html):
    p = ids.pop(cid)
    data = open(sys.argv[2] + "/" + p.get_filename(), "rb").read()
    print(cid, p.get_content_disposition(), p.get_payload(decode=True) == data)
print(ids)
PY
	[ "$output" = "multipart/related multipart/alternative text/plain text/html image/png image/jpeg
multipart/alternative
logo.png@yubin.test inline True
my_photo.jpg@yubin.test inline True
{}" ]
}

@test "-i: without attachments multipart/related is the top; NAME names the part" {
	inline_inputs
	run -0 mimepack -M "$T/in/page.html" \
	    -i "$T/in/logo.png:image/png:Company logo.png" -H 'Message-ID: <a@h.example>' \
	    --date x --boundary B </dev/null
	[[ "$output" == *$'\nContent-Type: multipart/related; type="multipart/alternative";\n boundary="B"\n'* ]]
	[[ "$output" == *$'\nContent-ID: <Company_logo.png@h.example>\nContent-Disposition: inline; filename="Company logo.png"\n'* ]]
	printf '%s\n' "$output" >"$T/m"
	run -0 mimeunpack -l "$T/m"
	[ "$output" = "1.1	text/plain	us-ascii	7bit	0		
1.2	text/html	us-ascii	7bit	89		
2	image/png		base64	16	inline	Company logo.png" ]
}

@test "-i: no -M, a name taken twice, stdin without a name: 64" {
	inline_inputs
	run -64 --separate-stderr mimepack -i "$T/in/logo.png" </dev/null
	[ "$stderr" = "mimepack: -i needs -M: only HTML can refer to an inline part" ]
	run -64 --separate-stderr mimepack -M "$T/in/page.html" -i "$T/in/logo.png" \
	    -i "$T/in/logo.png" --message-id x@y </dev/null
	[ "$stderr" = "mimepack: -i $T/in/logo.png: Content-ID <logo.png@y> taken already" ]
	[ -z "$output" ]
	run -64 --separate-stderr mimepack -M "$T/in/page.html" -i - </dev/null
	[ "$stderr" = "mimepack: -i -: give it a name (-i -:TYPE:NAME)" ]
}

# ---- -w: parts added to a message ----

@test "-w on a plain message: its body and Content- fields become part 1" {
	printf 'From: a@x.test\nContent-Type: text/plain; charset=utf-8\nSubject: hi\nContent-Transfer-Encoding: 8bit\nX-Keep: 1\n\nGrüße\n\nlast line\n' >"$T/plain"
	printf 'notes\n' >"$T/in/notes.txt"
	run -0 mimepack -w --boundary B -a "$T/in/notes.txt" <"$T/plain"
	printf '%s\n' "$output" >"$T/m"
	diff -u - "$T/m" <<'EXP'
From: a@x.test
Subject: hi
X-Keep: 1
MIME-Version: 1.0
Content-Type: multipart/mixed;
 boundary="B"
Content-Transfer-Encoding: 8bit

--B
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Grüße

last line

--B
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit
Content-Disposition: attachment; filename="notes.txt"

notes

--B--
EXP
	run -0 python3 -c '
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(),
                             policy=email.policy.default)
assert all(not p.defects for p in m.walk())
print(repr(m.get_body(("plain",)).get_content()))' "$T/m"
	[ "$output" = "'Grüße\n\nlast line\n'" ]
}

@test "-w on multipart/mixed: parts go before the close delimiter, the rest is kept" {
	printf 'Subject: m\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="x"\n\npreamble\n--x\n\none\n--x--\nepilogue\n' >"$T/mixed"
	printf 'notes\n' >"$T/in/notes.txt"
	run -0 mimepack -w -a "$T/in/notes.txt" <"$T/mixed"
	printf '%s\n' "$output" >"$T/m"
	diff -u - "$T/m" <<'EXP'
Subject: m
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="x"

preamble
--x

one
--x
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit
Content-Disposition: attachment; filename="notes.txt"

notes

--x--
epilogue
EXP
	run -0 mimeunpack -l "$T/m"
	[ "$output" = "1	text/plain			3		
2	text/plain	us-ascii	7bit	6	attachment	notes.txt" ]
}

@test "-w: CRLF input stays CRLF; -i parts take the message's domain" {
	printf 'Message-ID: <q@dom.example>\r\nSubject: c\r\n\r\nbody\r\n' >"$T/crlf"
	printf 'GIF89a' >"$T/in/a.gif"
	mimepack -w --boundary B -i "$T/in/a.gif:image/gif" <"$T/crlf" >"$T/m"
	[ "$(wc -l <"$T/m")" -eq 18 ]
	[ "$(grep -c $'\r$' "$T/m")" -eq 18 ]
	grep -q $'^Content-ID: <a.gif@dom.example>\r$' "$T/m"
	grep -q $'^body\r$' "$T/m"
	grep -q $'^MIME-Version: 1.0\r$' "$T/m"
}

@test "-w with header options or nothing to add: 64" {
	run -64 --separate-stderr mimepack -w -s x -a ascii.txt </dev/null
	[ "$stderr" = "mimepack: -w takes only -8, -a, -i, --boundary and --crlf" ]
	run -64 --separate-stderr mimepack -w </dev/null
	[ "$stderr" = "mimepack: -w: nothing to add (no -a or -i)" ]
}

# ---- -C: another charset ----

@test "-C ISO-2022-JP: 7bit body, words that decode alone, Python reads the input back" {
	printf '日本語のテキストです。\nASCII line\n漢字とかな、カタカナ\n' >"$T/jp.txt"
	s=$(printf '日本語の長い件名%.0s' 1 2 3 4 5 6)
	run -0 mimepack -C ISO-2022-JP -s "$s" -f '山田 太郎 <taro@example.jp>' \
	    "${FIX[@]}" <"$T/jp.txt"
	printf '%s\n' "$output" >"$T/m"
	grep -qx 'Content-Type: text/plain; charset=ISO-2022-JP' "$T/m"
	grep -qx 'Content-Transfer-Encoding: 7bit' "$T/m"
	maxline "$T/m" 78
	run -0 python3 - "$T/m" "$T/jp.txt" "$s" <<'PY'
import base64, email, email.policy, re, sys
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.default)
assert not m.defects, m.defects
assert m["subject"] == sys.argv[3], m["subject"]
assert m["from"].addresses[0].display_name == "山田 太郎"
assert m.get_content() == open(sys.argv[2], encoding="utf-8").read()
words = re.findall(rb"=\?ISO-2022-JP\?B\?([^?]*)\?=", raw)
for w in words:
    b = base64.b64decode(w)
    b.decode("iso-2022-jp")         # each word decodes on its own
    assert b.endswith(b"\x1b(B"), b  # and ends in ASCII
body = raw.split(b"\n\n", 1)[1]
assert all(l.endswith(b"\x1b(B") or not b"\x1b" in l for l in body.split(b"\n"))
print(len(words))
PY
	[ "$output" -ge 3 ]
}

@test "-C KOI8-R: exact bytes" {
	run -0 mimepack -C KOI8-R -s 'Тема' --date x --message-id x@y <<<'Привет мир'
	[ "$output" = 'Date: x
Subject: =?KOI8-R?B?9MXNwQ==?=
Message-ID: <x@y>
MIME-Version: 1.0
Content-Type: text/plain; charset=KOI8-R
Content-Transfer-Encoding: quoted-printable

=F0=D2=C9=D7=C5=D4 =CD=C9=D2' ]
}

@test "-C: text the charset cannot hold, or not UTF-8, is 65 with nothing written" {
	run -65 --separate-stderr mimepack -C ISO-8859-1 --date x <<<$'ok\n€ x'
	[ -z "$output" ]
	[ "$stderr" = "mimepack: body: line 2: a character not representable in ISO-8859-1" ]
	run -65 --separate-stderr mimepack -C ISO-8859-1 --date x <<<$'caf\xe9'
	[ "$stderr" = "mimepack: body: line 1: not UTF-8" ]
	run -65 --separate-stderr mimepack -C ISO-8859-1 -s '€' --date x </dev/null
	[ -z "$output" ]
	[ "$stderr" = "mimepack: header text not UTF-8 or not representable in ISO-8859-1" ]
	run -64 --separate-stderr mimepack -C NO-SUCH-CHARSET </dev/null
	[ "$stderr" = "mimepack: -C NO-SUCH-CHARSET: charset unknown to iconv" ]
}

@test "-w -8: a new 8bit part makes the new multipart 8bit" {
	printf 'Grüße\n' >"$T/in/g.txt"
	run -0 mimepack -w -8 --boundary B -a "$T/in/g.txt" <<<$'Subject: a\n\nbody'
	[ "$output" = 'Subject: a
MIME-Version: 1.0
Content-Type: multipart/mixed;
 boundary="B"
Content-Transfer-Encoding: 8bit

--B

body

--B
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
Content-Disposition: attachment; filename="g.txt"

Grüße

--B--' ]
}

@test "-i: a non-ASCII name gives one '_' per character in the Content-ID" {
	printf '<img src="cid:__.gif@h.test">\n' >"$T/in/p.html"
	printf 'GIF89a\0' >"$T/in/日本.gif"
	run -0 mimepack -M "$T/in/p.html" -i "$T/in/日本.gif" --message-id x@h.test --date x </dev/null
	[[ "$output" == *$'\nContent-ID: <__.gif@h.test>\nContent-Disposition: inline;'* ]]
}

@test "an address list that does not parse whole is 65, naming the text; nothing written (not cut to its first address)" {
	run -65 --separate-stderr mimepack -s x -t 'a@x.test b@y.test' </dev/null
	[ "$output" = "" ]
	[ "$stderr" = "mimepack: To: bad address 'a@x.test b@y.test'" ]
	run -65 --separate-stderr mimepack -s x -t c@z.test -c $'a@x.test (unclosed, b@y.test\x01' </dev/null
	[ "$output" = "" ]
	[ "$stderr" = "mimepack: Cc: bad address 'a@x.test (unclosed, b@y.test\\x01'" ]
	run -65 --separate-stderr mimepack -s x -t 'c@z.test, Joe <j@x.test, b@y.test' </dev/null
	[ "$output" = "" ]
	[ "$stderr" = "mimepack: To: bad address 'Joe <j@x.test'" ]
}

@test "an address option over 10000 addresses is 65, not cut to 10000" {
	to=$(python3 -c 'print(",".join("%d@x" % i for i in range(10005)))')
	run -65 --separate-stderr mimepack -s x -t "$to" </dev/null
	[ "$output" = "" ]
	[ "$stderr" = "mimepack: To: more than 10000 addresses" ]
}

@test "--boundary found in an attachment is refused (65) before a byte is written, not split into an injected text/html part" {
	printf 'hello\n--XYZ\nContent-Type: text/html\n\n<b>injected</b>\n--XYZ--\n' >"$T/in/evil.txt"
	run -65 --separate-stderr mimepack "${FIX[@]/=_yubin_fixed/XYZ}" -a "$T/in/evil.txt" <<<body
	[ "$output" = "" ]
	[ "$stderr" = "mimepack: $T/in/evil.txt: a line starts like the delimiter --XYZ (RFC 2046 5.1.1): choose another --boundary" ]
	# any other boundary will do, and the part comes back whole
	run -0 mimepack "${FIX[@]}" -a "$T/in/evil.txt" <<<body
	printf '%s\n' "$output" >"$T/m"
	run -0 pycheck "$T/m" "$T/out"
	cmp "$T/out/0" "$T/in/evil.txt"
}

@test "--boundary: quoted-printable text is checked as encoded (a soft break puts --XYZ at a line start), nested delimiters too" {
	# "é", 69 a's and "--XYZ tail": the soft break falls just before --XYZ
	printf '\xc3\xa9%s--XYZ tail\n' "$(printf 'a%.0s' $(seq 69))" >"$T/in/qp.txt"
	run -65 --separate-stderr mimepack "${FIX[@]/=_yubin_fixed/XYZ}" -a "$T/in/qp.txt" </dev/null
	[ "$output" = "" ]
	[ "$stderr" = "mimepack: $T/in/qp.txt: a line starts like the delimiter --XYZ (RFC 2046 5.1.1): choose another --boundary" ]
	# the body (stdin) against multipart/alternative's "altXYZ"
	printf '<p>x</p>\n' >"$T/in/a.html"
	run -65 --separate-stderr mimepack "${FIX[@]/=_yubin_fixed/XYZ}" -M "$T/in/a.html" <<<$'text\n--altXYZ--'
	[ "$output" = "" ]
	[ "$stderr" = "mimepack: stdin: a line starts like the delimiter --XYZ (RFC 2046 5.1.1): choose another --boundary" ]
}

@test "-w: an attachment holding the message's own boundary goes base64, not split into parts" {
	printf 'Subject: m\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="x"\n\n--x\n\none\n--x--\n' >"$T/mixed"
	printf 'a\n--x\nContent-Type: text/html\n\nevil\n' >"$T/in/e.txt"
	run -0 mimepack -w -a "$T/in/e.txt" <"$T/mixed"
	[ "$output" = "$(printf 'Subject: m\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="x"\n\n--x\n\none\n--x\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="e.txt"\n\nYQotLXgKQ29udGVudC1UeXBlOiB0ZXh0L2h0bWwKCmV2aWwK\n\n--x--')" ]
}

@test "-w: a header without a blank line keeps its body text, not dropped (LF, CRLF)" {
	printf 'notes\n' >"$T/in/notes.txt"
	cat >"$T/want" <<'EXP'
From: a@x.test
Subject: s
MIME-Version: 1.0
Content-Type: multipart/mixed;
 boundary="B"

--B

the body starts here
and goes on

--B
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit
Content-Disposition: attachment; filename="notes.txt"

notes

--B--
EXP
	printf 'From: a@x.test\nSubject: s\nthe body starts here\nand goes on\n' >"$T/lf"
	run -0 --separate-stderr mimepack -w --boundary B -a "$T/in/notes.txt" <"$T/lf"
	[ "$stderr" = "mimepack: stdin: header ends without a blank line" ]
	printf '%s\n' "$output" | cmp - "$T/want"
	sed 's/$/\r/' "$T/lf" >"$T/crlf"
	run -0 --separate-stderr mimepack -w --boundary B -a "$T/in/notes.txt" <"$T/crlf"
	[ "$stderr" = "mimepack: stdin: header ends without a blank line" ]
	printf '%s\n' "$output" | tr -d '\r' | cmp - "$T/want"
	[ "$(printf '%s\n' "$output" | grep -vc $'\r$')" -eq 0 ]   # CRLF stays
}

@test "-w: a From split from its colon, after a byte order mark, stays in the header" {
	printf 'notes\n' >"$T/in/notes.txt"
	printf '\357\273\277From\n : <a@b.test>\nSubject: s\n\nbody\n' >"$T/m"
	run -0 --separate-stderr mimepack -w --boundary B -a "$T/in/notes.txt" <"$T/m"
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | head -n 3)" = "$(printf 'From\n : <a@b.test>\nSubject: s')" ]
	[ "$(printf '%s\n' "$output" | sed -n 10p)" = "body" ]
}

@test "-w: new parts go before the close delimiter mimeunpack reads ('--x-- text'), not after the epilogue" {
	printf 'Subject: m\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="x"\n\npre --x--\n--x\n\none --x--\n--x--x\n--x-- (end)\nepilogue\n' >"$T/mixed"
	printf 'notes\n' >"$T/in/notes.txt"
	run -0 mimepack -w -a "$T/in/notes.txt" <"$T/mixed"
	printf '%s\n' "$output" >"$T/m"
	diff -u - "$T/m" <<'EXP'
Subject: m
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="x"

pre --x--
--x

one --x--
--x--x
--x
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit
Content-Disposition: attachment; filename="notes.txt"

notes

--x-- (end)
epilogue
EXP
	run -0 --separate-stderr mimeunpack -l "$T/m"
	[ "$output" = "1	text/plain			16		
2	text/plain	us-ascii	7bit	6	attachment	notes.txt" ]
}

@test "-w: a nested multipart's close delimiter with the outer boundary does not take the new parts" {
	printf 'Subject: m\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="x"\n\n--x\nContent-Type: multipart/alternative; boundary="x"\n\n--x\n\ninner\n--x--\ninner epilogue\n--x--\n' >"$T/mixed"
	printf 'notes\n' >"$T/in/notes.txt"
	run -0 mimepack -w -a "$T/in/notes.txt" <"$T/mixed"
	printf '%s\n' "$output" >"$T/m"
	diff -u - "$T/m" <<'EXP'
Subject: m
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="x"

--x
Content-Type: multipart/alternative; boundary="x"

--x

inner
--x--
inner epilogue
--x
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit
Content-Disposition: attachment; filename="notes.txt"

notes

--x--
EXP
	run -0 mimeunpack -l "$T/m"
	[ "$output" = "1.1	text/plain			5		
2	text/plain	us-ascii	7bit	6	attachment	notes.txt" ]
}
