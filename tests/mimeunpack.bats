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
	[ -z "$stderr" ]
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
	[ "$stderr" = "mimeunpack: $T/noend.eml: part 1: uuencoded block without an end line" ]
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
	mimeunpack: $T/bad.eml: part 1: characters outside the alphabet skipped
	mimeunpack: $T/bad.eml: message: multipart without its close delimiter
	E
}
