#!/usr/bin/env bats
# mimeunpack: exact output, exact file names and bytes, exit status.
# Fixtures in data/mimeunpack/ (made by make.py there, with Python's
# email package); every test runs there.

bats_require_minimum_version 1.5.0

setup() {
	cd "$YUBIN_TESTS/data/mimeunpack" || return 1
	T=$BATS_TEST_TMPDIR
	mkdir "$T/out"
}

# Compare $output with the expected text on stdin; show a diff if they
# differ.
expect() {
	diff -u <(cat) <(printf '%s\n' "$output")
}

# The names in $T/out, one a line, sorted bytewise.
names() {
	(cd "$T/out" && LC_ALL=C ls -A)
}

# Python's decoded payload of part index $2 of message $1.
pypart() {
	python3 -c '
import email, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read())
sys.stdout.buffer.write(
    [p for p in m.walk() if not p.is_multipart()][int(sys.argv[2])]
    .get_payload(decode=True))' "$1" "$2"
}

# ---- options ----

@test "-h prints the usage and exits 64" {
	run --separate-stderr mimeunpack -h
	[ "$status" -eq 64 ]
	[ -z "$output" ]
	[[ "$stderr" == "usage: mimeunpack [-l | -x | -O | -t] "* ]]
}

@test "-V prints the version" {
	run mimeunpack -V
	[ "$status" -eq 0 ]
	[[ "$output" == "mimeunpack (yubin) "* ]]
}

@test "an unknown option, a missing argument, two modes exit 64" {
	run --separate-stderr mimeunpack -q mixed.eml
	[ "$status" -eq 64 ]
	[[ "$stderr" == "mimeunpack: unknown option -q"* ]]
	run --separate-stderr mimeunpack -s
	[ "$status" -eq 64 ]
	[[ "$stderr" == "mimeunpack: option -s needs an argument"* ]]
	run --separate-stderr mimeunpack -l -t mixed.eml
	[ "$status" -eq 64 ]
	[ "$stderr" = "mimeunpack: -l, -x, -O and -t exclude each other" ]
}

# ---- -l ----

@test "-l lists the leaf parts" {
	run --separate-stderr mimeunpack -l mixed.eml
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	expect <<-'E'
	1	text/plain	utf-8	7bit	31		
	2	application/pdf		base64	272	attachment	report.pdf
	3.1	text/plain	iso-8859-1	quoted-printable	11		
	3.2	text/html	utf-8	8bit	25		
	4	image/png		base64	72	attachment	pic.png
	E
}

@test "-l from stdin with -s" {
	run mimeunpack -l -s 3 < mixed.eml
	[ "$status" -eq 0 ]
	expect <<-'E'
	3.1	text/plain	iso-8859-1	quoted-printable	11		
	3.2	text/html	utf-8	8bit	25		
	E
}

@test "-l shows control characters in a name as _" {
	run mimeunpack -l -s 5 hostile.eml
	[ "$status" -eq 0 ]
	expect <<-'E'
	5	application/octet-stream		base64	7	attachment	a_b_c.txt
	E
}

# ---- -x ----

@test "-x writes the attachments byte for byte and prints the paths" {
	run --separate-stderr mimeunpack -d "$T/out" mixed.eml
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	expect <<-E
	$T/out/report.pdf
	$T/out/pic.png
	E
	[ "$(names)" = "$(printf 'pic.png\nreport.pdf')" ]
	cmp "$T/out/report.pdf" report.pdf.expected
	pypart mixed.eml 1 > "$T/py.pdf"
	cmp "$T/out/report.pdf" "$T/py.pdf"
	pypart mixed.eml 4 > "$T/py.png"
	cmp "$T/out/pic.png" "$T/py.png"
}

@test "-x writes into . by default" {
	cd "$T/out"
	run mimeunpack -x "$YUBIN_TESTS/data/mimeunpack/mixed.eml"
	[ "$status" -eq 0 ]
	expect <<-'E'
	./report.pdf
	./pic.png
	E
}

@test "-d DIR/ with trailing slashes prints DIR/name" {
	run mimeunpack -d "$T/out//" -s '*.pdf' mixed.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$T/out/report.pdf" ]
}

@test "hostile names stay inside DIR with the exact safe names" {
	mkdir "$T/out/sub"
	(cd "$T/out/sub" && mimeunpack -d . "$YUBIN_TESTS/data/mimeunpack/hostile.eml") > "$T/list"
	e148=$(printf 'é%.0s' $(seq 125))
	run cat "$T/list"
	expect <<-E
	./x
	./x-1
	./y
	./a_b_c.txt
	./part-6.bin
	./part-7.bin
	./part-8.bin
	./_hidden
	./$e148.pdf
	E
	# nothing written beside DIR or in /etc
	[ "$(names)" = sub ]
	[ ! -e /etc/x ] || [ "$(cat /etc/x)" != "data 1" ]
	[ "$(cat "$T/out/sub/x")" = "data 0" ]
	[ "$(cat "$T/out/sub/x-1")" = "data 1" ]
	[ "$(cat "$T/out/sub/y")" = "data 2" ]
	[ "$(cat "$T/out/sub/a_b_c.txt")" = "data 3" ]
	[ "$(cat "$T/out/sub/part-6.bin")" = "data 4" ]
	[ "$(cat "$T/out/sub/part-7.bin")" = "data 5" ]
	[ "$(cat "$T/out/sub/part-8.bin")" = "data 6" ]
	[ "$(cat "$T/out/sub/_hidden")" = "data 7" ]
	[ "$(cat "$T/out/sub/$e148.pdf")" = "data 8" ]
}

@test "a 300-byte name is cut to 254 bytes at a character boundary" {
	run mimeunpack -d "$T/out" -s 10 hostile.eml
	[ "$status" -eq 0 ]
	n=$(names)
	[ "$(printf '%s' "$n" | wc -c)" -eq 254 ]
	printf '%s' "$n" | iconv -f UTF-8 -t UTF-8 > /dev/null
	[[ "$n" == *é.pdf ]]
}

@test "a symlink in DIR is not followed; the next name is used" {
	echo orig > "$T/victim"
	ln -s "$T/victim" "$T/out/report.pdf"
	run mimeunpack -d "$T/out" -s '*.pdf' mixed.eml
	[ "$status" -eq 0 ]
	expect <<-E
	$T/out/report-1.pdf
	E
	[ "$(cat "$T/victim")" = orig ]
	[ -L "$T/out/report.pdf" ]
	cmp "$T/out/report-1.pdf" report.pdf.expected
}

@test "a dangling symlink in DIR is not followed either" {
	ln -s "$T/nowhere" "$T/out/pic.png"
	run mimeunpack -d "$T/out" -s 'image/*' mixed.eml
	[ "$status" -eq 0 ]
	expect <<-E
	$T/out/pic-1.png
	E
	[ ! -e "$T/nowhere" ]
}

@test "name collisions get -1, -2" {
	run mimeunpack -d "$T/out" same.eml
	[ "$status" -eq 0 ]
	expect <<-E
	$T/out/doc.pdf
	$T/out/doc-1.pdf
	E
	run mimeunpack -d "$T/out" -s 2 same.eml
	expect <<-E
	$T/out/doc-2.pdf
	E
	[ "$(cat "$T/out/doc.pdf")" = first ]
	[ "$(cat "$T/out/doc-1.pdf")" = second ]
	[ "$(cat "$T/out/doc-2.pdf")" = first ]
}

@test "-s selects by type glob and by name glob" {
	run mimeunpack -d "$T/out" -s 'IMAGE/*' mixed.eml
	[ "$status" -eq 0 ]
	expect <<-E
	$T/out/pic.png
	E
	run mimeunpack -d "$T/out" -s '*.pdf' mixed.eml
	[ "$status" -eq 0 ]
	expect <<-E
	$T/out/report.pdf
	E
	[ "$(names)" = "$(printf 'pic.png\nreport.pdf')" ]
}

@test "a text part selected by number gets part-N.txt" {
	run mimeunpack -d "$T/out" -s 3.1 mixed.eml
	[ "$status" -eq 0 ]
	expect <<-E
	$T/out/part-3.1.txt
	E
	[ "$(cat "$T/out/part-3.1.txt" | iconv -f latin1)" = "Café plain" ]
}

@test "unwritable DIR exits 73" {
	run --separate-stderr mimeunpack -d /proc/1/nonexistent mixed.eml
	[ "$status" -eq 73 ]
	[ "$stderr" = "mimeunpack: /proc/1/nonexistent: No such file or directory" ]
	run --separate-stderr mimeunpack -d mixed.eml mixed.eml
	[ "$status" -eq 73 ]
	[ "$stderr" = "mimeunpack: mixed.eml: Not a directory" ]
}

@test "a file that cannot be created exits 73" {
	run --separate-stderr mimeunpack -d /proc/self mixed.eml
	[ "$status" -eq 73 ]
	[[ "$stderr" == "mimeunpack: /proc/self/report.pdf: "* ]]
}

# ---- uuencoded blocks in text/plain ----

@test "-x writes a uuencoded block of a text/plain body" {
	run --separate-stderr mimeunpack -d "$T/out" uu.eml
	[ "$status" -eq 0 ]
	# the block's name is ../data.bin: a path, said so
	[ "$stderr" = 'mimeunpack: uu.eml: part 1: unsafe file name "../data.bin" written as "data.bin"' ]
	expect <<-E
	$T/out/data.bin
	E
	[ "$(names)" = data.bin ]
	cmp "$T/out/data.bin" data.bin.expected
}

@test "-O -s selects a uuencoded block by name" {
	mimeunpack -O -s '*.bin' uu.eml > "$T/o"
	cmp "$T/o" data.bin.expected
	run mimeunpack -O -s '*.pdf' uu.eml
	[ "$status" -eq 1 ]
}

@test "a uuencoded block without end warns and keeps what was there" {
	sed '/^end$/d' uu.eml > "$T/noend.eml"
	run --separate-stderr mimeunpack -d "$T/out" "$T/noend.eml"
	[ "$status" -eq 0 ]
	[ "$stderr" = "mimeunpack: $T/noend.eml: part 1: unsafe file name \"../data.bin\" written as \"data.bin\"
mimeunpack: $T/noend.eml: part 1: uuencoded block without an end line" ]
	cmp "$T/out/data.bin" data.bin.expected
}

@test "several files go into one DIR without overwriting" {
	run mimeunpack -d "$T/out" -s '*.pdf' mixed.eml mixed.eml
	[ "$status" -eq 0 ]
	expect <<-E
	$T/out/report.pdf
	$T/out/report-1.pdf
	E
}

@test "a write error removes the partial file and exits 74" {
	# stdout and stderr through a pipe: a file would hit the limit too
	run bash -c 'trap "" XFSZ
	    o=$( (ulimit -f 0; exec mimeunpack -d "$1" mixed.eml) 2>&1 )
	    r=$?; printf "%s\n" "$o"; exit $r' sh "$T/out"
	[ "$status" -eq 74 ]
	[ "$output" = "mimeunpack: $T/out/report.pdf: File too large" ]
	[ -z "$(names)" ]
}

# ---- -O ----

@test "-O -s 2 prints the decoded bytes" {
	mimeunpack -O -s 2 mixed.eml > "$T/o"
	cmp "$T/o" report.pdf.expected
}

@test "-O -s 3.1 prints the part in its own charset" {
	mimeunpack -O -s 3.1 mixed.eml > "$T/o"
	printf 'Caf\351 plain\n' | cmp - "$T/o"
}

@test "-O -s 'image/*' prints the image" {
	mimeunpack -O -s 'image/*' mixed.eml > "$T/o"
	pypart mixed.eml 4 | cmp - "$T/o"
}

@test "nothing matched exits 1" {
	run --separate-stderr mimeunpack -O -s '*.doc' mixed.eml
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	run mimeunpack -d "$T/out" -s 9 mixed.eml
	[ "$status" -eq 1 ]
	[ -z "$(names)" ]
}

# ---- -t ----

@test "-t prints text/plain in UTF-8, plain preferred to html" {
	run mimeunpack -t mixed.eml
	[ "$status" -eq 0 ]
	expect <<-'E'
	Hello,
	the report is attached.
	Café plain
	E
}

@test "-t prints text/html when the alternative has no text/plain" {
	run mimeunpack -t htmlalt.eml
	[ "$status" -eq 0 ]
	expect <<-'E'
	<p>only html</p>
	E
}

# ---- not a message ----

@test "empty input exits 65" {
	run --separate-stderr mimeunpack -l < /dev/null
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[ "$stderr" = "mimeunpack: -: not a message" ]
}

@test "input without a header field exits 65" {
	run --separate-stderr mimeunpack -l <<< "just some text"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
}

@test "a missing file exits 66" {
	run --separate-stderr mimeunpack -l nosuch.eml
	[ "$status" -eq 66 ]
	[ "$stderr" = "mimeunpack: nosuch.eml: No such file or directory" ]
}

# ---- malformed input ----

@test "a missing close delimiter and bad base64 warn once per part" {
	printf 'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nQUJD*RA\n' > "$T/bad.eml"
	run --separate-stderr mimeunpack -O -s 1 "$T/bad.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "ABCD" ]
	diff -u - <(printf '%s\n' "$stderr") <<-E
	mimeunpack: $T/bad.eml: part 1: characters outside the alphabet skipped; base64 data without its '=' padding
	mimeunpack: $T/bad.eml: message: multipart without its close delimiter
	E
}

# ---- message/rfc822 parts whole, as .eml ----

# $T/inner: a multipart message; $T/nest: it forwarded as part 2, a
# base64 one with a file name as part 3 (not allowed, but seen), and one
# with neither Subject nor file name as part 4.
nest_inputs() {
	printf 'From: c@d.test\nSubject: =?UTF-8?B?w6l0w6kgLyByZXBvcnQ=?=\nContent-Type: multipart/mixed; boundary="b"\n\n--b\n\nin one\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="x.bin"\n\nin two\n--b--\n' >"$T/inner"
	printf 'Subject: flat\n\nflat body\n' >"$T/flat"
	{
		printf 'From: a@b.test\nSubject: outer\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="a"\n\n'
		printf -- '--a\nContent-Type: text/plain\n\nbody one\n'
		printf -- '--a\nContent-Type: message/rfc822\n\n'
		cat "$T/inner"
		printf '\n--a\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="fwd.eml"\n\n'
		base64 "$T/flat"
		printf -- '--a\nContent-Type: message/rfc822\n\nX-No-Subject: 1\n\nanon\n--a--\n'
	} >"$T/nest"
}

@test "-s N on a message/rfc822 part: NAME.eml from its Subject, byte for byte" {
	nest_inputs
	run -0 --separate-stderr mimeunpack -x -s 2 -d "$T/out" "$T/nest"
	[ "$output" = "$T/out/été _ report.eml" ]
	cmp "$T/inner" "$T/out/été _ report.eml"
	[ "$(names)" = "été _ report.eml" ]
}

@test "-s 'message/*': every message part whole, named by file name, Subject or number" {
	nest_inputs
	run -0 --separate-stderr mimeunpack -s 'message/*' -d "$T/out" "$T/nest"
	[ "$stderr" = "mimeunpack: $T/nest: part 3: message/rfc822 with a transfer encoding other than 7bit, 8bit or binary, decoded" ]
	[ "$output" = "$T/out/été _ report.eml
$T/out/fwd.eml
$T/out/part-4.eml" ]
	cmp "$T/inner" "$T/out/été _ report.eml"
	cmp "$T/flat" "$T/out/fwd.eml"
	[ "$(cat "$T/out/part-4.eml")" = $'X-No-Subject: 1\n\nanon' ]
}

@test "-O -s N writes the message part's bytes; CRLF input gives LF" {
	nest_inputs
	run -0 --separate-stderr mimeunpack -O -s 2 "$T/nest"
	[ "$output" = "$(cat "$T/inner")" ]
	sed 's/$/\r/' "$T/nest" >"$T/nest.crlf"
	mimeunpack -O -s 2 "$T/nest.crlf" >"$T/o"
	cmp "$T/inner" "$T/o"
}

@test "without a selector the walk goes into the nested message" {
	nest_inputs
	run -0 --separate-stderr mimeunpack -x -d "$T/out" "$T/nest"
	[ "$output" = "$T/out/x.bin
$T/out/fwd.eml" ]
	[ "$(cat "$T/out/x.bin")" = "in two" ]
	run -0 --separate-stderr mimeunpack -x -s 2.2 -d "$T/out" "$T/nest"
	[ "$output" = "$T/out/x-1.bin" ]
}

# ---- -j ----

@test "-l -j: one JSON object per part, as Python reads it" {
	nest_inputs
	run -0 --separate-stderr mimeunpack -l -j "$T/nest"
	printf '%s\n' "$output" >"$T/j"
	run -0 python3 -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(l)
    print(o["part"], o["type"], o["charset"], o["encoding"], o["size"],
          o["disposition"], o["filename"], sorted(o), sep="|")' "$T/j"
	[ "$output" = "1|text/plain|||8|||['charset', 'disposition', 'encoding', 'filename', 'part', 'size', 'type']
2.1|text/plain|us-ascii||6|||['charset', 'disposition', 'encoding', 'filename', 'part', 'size', 'type']
2.2|application/octet-stream|||6|attachment|x.bin|['charset', 'disposition', 'encoding', 'filename', 'part', 'size', 'type']
3|message/rfc822||base64|25|attachment|fwd.eml|['charset', 'disposition', 'encoding', 'filename', 'part', 'size', 'type']
4.1|text/plain|us-ascii||4|||['charset', 'disposition', 'encoding', 'filename', 'part', 'size', 'type']" ]
}

@test "-x -j: one JSON object per file written; control characters escaped" {
	nest_inputs
	run -0 --separate-stderr mimeunpack -x -j -s 2 -s 3 -d "$T/out" "$T/nest"
	[ "$output" = "{\"part\":\"2\",\"path\":\"$T/out/été _ report.eml\",\"type\":\"message/rfc822\",\"size\":$(wc -c <"$T/inner")}
{\"part\":\"3\",\"path\":\"$T/out/fwd.eml\",\"type\":\"message/rfc822\",\"size\":25}" ]
	printf 'Content-Type: text/plain; name="a\\"b.txt"\nContent-Disposition: attachment\n\nq\n' >"$T/q"
	run -0 --separate-stderr mimeunpack -x -j -d "$T/out" "$T/q"
	[ "$output" = "{\"part\":\"1\",\"path\":\"$T/out/a\\\"b.txt\",\"type\":\"text/plain\",\"size\":2}" ]
	python3 -c 'import json, sys; print(json.loads(sys.argv[1])["path"])' "$output"
}

@test "-j with -O or -t is 64" {
	run -64 --separate-stderr mimeunpack -j -O mixed.eml
	[ "$stderr" = "mimeunpack: -j goes with -l or -x" ]
	run -64 --separate-stderr mimeunpack -j -t mixed.eml
}

@test "a boundary that never comes: the body is part 1, with one warning" {
	printf 'Subject: x\nContent-Type: multipart/mixed; boundary="b"\n\n--c\n\ntext\n--c--\n' >"$T/nb.eml"
	run -0 --separate-stderr mimeunpack -l "$T/nb.eml"
	[ "$output" = "1	text/plain			16		" ]
	[ "$stderr" = "mimeunpack: $T/nb.eml: message: multipart boundary never found, body taken as text" ]
	run -0 --separate-stderr mimeunpack -t "$T/nb.eml"
	[ "$output" = $'--c\n\ntext\n--c--' ]
}

@test "a hostile file name is written safely and said so" {
	printf 'Content-Type: application/octet-stream\nContent-Disposition: attachment; filename="../x\\\x1b.sh"\n\nab\n' >"$T/h.eml"
	run -0 --separate-stderr mimeunpack -d "$T/out" "$T/h.eml"
	[ "$output" = "$T/out/x_.sh" ]
	[ "$stderr" = "mimeunpack: $T/h.eml: part 1: unsafe file name \"../x\\x1b.sh\" written as \"x_.sh\"" ]
}

# A message whose file name comes in $1 RFC 2231 sections "a0", "a1", ...
sections_eml() {
	python3 -c '
import sys
print("Content-Type: application/octet-stream")
print("Content-Disposition: attachment;" + ";".join(
    "\n filename*%d=a%d" % (i, i) for i in range(int(sys.argv[1]))))
print("\nab")' "$1"
}

@test "a file name cut by a limit says so: over 100 RFC 2231 sections, a field over 8 KiB" {
	# 101 sections "a0" .. "a100": the first 100 are kept
	sections_eml 101 >"$T/many.eml"
	run -0 --separate-stderr mimeunpack -l "$T/many.eml"
	[ "$output" = "1	application/octet-stream			3	attachment	$(printf 'a%d' $(seq 0 99))" ]
	[ "$stderr" = "mimeunpack: $T/many.eml: part 1: file name too long, cut" ]
	# 100 sections: whole, no warning
	sections_eml 100 >"$T/hundred.eml"
	run -0 --separate-stderr mimeunpack -l "$T/hundred.eml"
	[ "$output" = "1	application/octet-stream			3	attachment	$(printf 'a%d' $(seq 0 99))" ]
	[ -z "$stderr" ]
	# a Content-Disposition of 9 000 bytes: cut at 8 KiB, unterminated
	python3 -c '
print("Content-Type: application/octet-stream")
print("Content-Disposition: attachment; filename=\"" + "n" * 9000 + "\"")
print("\nab")' >"$T/long.eml"
	run -0 --separate-stderr mimeunpack -l "$T/long.eml"
	name=${output##*	}
	[ "${#name}" -gt 8000 ]
	[ "${#name}" -lt 8192 ]
	[ "$stderr" = "mimeunpack: $T/long.eml: part 1: file name too long, cut" ]
}

@test "a malformed file name is warned only if it is the one used" {
	# name= is a fallback: its bad %XX does not count when filename=
	# is there, but it does when it is the name taken
	printf 'Content-Type: application/octet-stream; name*=utf-8'"''"'a%%G1\nContent-Disposition: attachment; filename=ok.bin\n\nab\n' >"$T/f.eml"
	run -0 --separate-stderr mimeunpack -l "$T/f.eml"
	[ "$output" = "1	application/octet-stream			3	attachment	ok.bin" ]
	[ -z "$stderr" ]
	printf 'Content-Type: application/octet-stream; name*=utf-8'"''"'a%%G1\nContent-Disposition: attachment; filename*1=x; filename*0=y; filename*3=z\n\nab\n' >"$T/g.eml"
	run -0 --separate-stderr mimeunpack -l "$T/g.eml"
	[ "$output" = "1	application/octet-stream			3	attachment	yx" ]
	[ "$stderr" = "mimeunpack: $T/g.eml: part 1: RFC 2231 section missing in the file name, name cut there" ]
	printf 'Content-Type: application/octet-stream; name*=no-such'"''"'a%%G1\n\nab\n' >"$T/h.eml"
	run -0 --separate-stderr mimeunpack -l "$T/h.eml"
	[ "$output" = "1	application/octet-stream			3		a%G1" ]
	[ "$stderr" = "mimeunpack: $T/h.eml: part 1: unknown charset in the file name; bad %XX escape in the file name, kept as it is" ]
}
