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

# The same for $stderr.
expect_err() {
	diff -u <(cat) <(printf '%s\n' "$stderr")
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

@test "-l escapes control characters in a name under the safe-text rule" {
	run mimeunpack -l -s 5 hostile.eml
	[ "$status" -eq 0 ]
	expect <<-'E'
	5	application/octet-stream		base64	7	attachment	a\x01b\x1fc.txt
	E
}

@test "-l: a TAB, LF and backslash in a name cannot split the record" {
	printf 'Content-Type: text/plain; name="=?UTF-8?Q?a=09b=0Ac=5Cd?="\n\nx\n' > "$T/t.eml"
	mimeunpack -l "$T/t.eml" > "$T/list"
	printf '1\ttext/plain\t\t\t2\t\ta\\tb\\nc\\\\d\n' | cmp - "$T/list"
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

# A message of $1 parts all named same.txt, part N holding "N".
same_eml() {
	awk -v n="$1" 'BEGIN {
		print "Content-Type: multipart/mixed; boundary=b\n"
		for (i = 1; i <= n; i++)
			printf "--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=same.txt\n\n%d\n", i
		print "--b--"
	}'
}

# same.txt, then same-1.txt ... same-$(($2 - 1)).txt, from variant $1
same_names() {
	awk -v from="$1" -v to="$2" 'BEGIN {
		for (i = from; i < to; i++)
			print i == 0 ? "same.txt" : "same-" i ".txt" }'
}

@test "3000 parts of one name: 3000 files, and 3000 more on a second run (no quadratic search, no limit)" {
	same_eml 3000 > "$T/same.eml"
	timeout 60 mimeunpack -d "$T/out" "$T/same.eml" > "$T/list1"
	timeout 60 mimeunpack -d "$T/out" "$T/same.eml" > "$T/list2"
	same_names 0 3000 | sed "s|^|$T/out/|" | cmp - "$T/list1"
	same_names 3000 6000 | sed "s|^|$T/out/|" | cmp - "$T/list2"
	[ "$(names | wc -l)" -eq 6000 ]
	[ "$(cat "$T/out/same.txt")" = 1 ]
	[ "$(cat "$T/out/same-2999.txt")" = 3000 ]
	[ "$(cat "$T/out/same-3000.txt")" = 1 ]
	[ "$(cat "$T/out/same-5999.txt")" = 3000 ]
}

@test "past 10000 files of one name, the next one is still written" {
	same_eml 1 > "$T/one.eml"
	(cd "$T/out" && touch same.txt && seq -f 'same-%g.txt' 1 10005 | xargs touch)
	run -0 --separate-stderr timeout 60 mimeunpack -d "$T/out" "$T/one.eml"
	[ "$output" = "$T/out/same-10006.txt" ]
	[ "$(cat "$T/out/same-10006.txt")" = 1 ]
}

@test "names taken with a hole among them (an earlier run): new names stay unique, nothing overwritten" {
	same_eml 3 > "$T/three.eml"
	(cd "$T/out" && touch same.txt same-1.txt same-3.txt)
	run -0 --separate-stderr mimeunpack -d "$T/out" "$T/three.eml"
	[ "$(printf '%s\n' "$output" | sort -u | wc -l)" -eq 3 ]
	[ "$(names | wc -l)" -eq 6 ]
	[ ! -s "$T/out/same-1.txt" ]
	[ ! -s "$T/out/same-3.txt" ]
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

@test "a file size limit is a write error, not a kill by SIGXFSZ" {
	# no trap here: mimeunpack itself must ignore the signal
	run bash -c 'o=$( (ulimit -f 0; exec mimeunpack -d "$1" mixed.eml) 2>&1 )
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

@test "base64 is not decoded past its padding" {
	# Python's email gives b'hello' and b'hi' for these two
	run --separate-stderr mimeunpack -O -s 1 b64-afterpad.eml
	[ "$status" -eq 0 ]
	[ "$output" = "hello" ]
	[ "$stderr" = "mimeunpack: b64-afterpad.eml: part 1: data after base64 padding ignored" ]
	mimeunpack -O -s 1 b64-afterpad.eml 2>/dev/null | od -An -c >"$T/od"
	printf '   h   e   l   l   o\n' | cmp - "$T/od"
	run --separate-stderr mimeunpack -O b64-twopads.eml
	[ "$status" -eq 0 ]
	[ "$output" = "hi" ]
	[ "$stderr" = "mimeunpack: b64-twopads.eml: part 1: data after base64 padding ignored" ]
	run -0 --separate-stderr mimeunpack -l b64-twopads.eml
	[ "$output" = "1	application/octet-stream		base64	2		hi.bin" ]
}

@test "a delimiter line with text after the boundary is recognised, and warned" {
	# RFC 2046 5.1.1: the boundary need only appear whole at the line's
	# start ("--b trailing"); munpack agrees, Python's email does not
	# and would fold two.bin into part 1.  "--bc" belongs to the inner
	# multipart, not to "b".
	run --separate-stderr mimeunpack -l delim-trailing.eml
	[ "$status" -eq 0 ]
	expect <<-'E'
	1	text/plain			3		
	2	application/octet-stream			3		two.bin
	3.1	application/octet-stream			5		three.bin
	E
	[ "$stderr" = "mimeunpack: delim-trailing.eml: message: a delimiter line has text after the boundary: taken as a delimiter (RFC 2046 5.1.1)" ]
	run -0 --separate-stderr mimeunpack -O -s 2 delim-trailing.eml
	[ "$output" = "two" ]
	run -0 --separate-stderr mimeunpack -O -s 1 delim-trailing.eml
	[ "$output" = "one" ]
}

@test "Content-Transfer-Encoding: x-uuencode and x-uue are decoded" {
	# Netscape 4 (x-uuencode) and Pine (x-uue); Python's email decodes
	# part 2 to data.bin.uue-expected and part 3 to b'from pine\n'
	run --separate-stderr mimeunpack -l uuencode-cte.eml
	[ "$status" -eq 0 ]
	expect <<-'E'
	1	text/plain	us-ascii		12		
	2	application/octet-stream		x-uuencode	521	attachment	data.bin
	3	text/plain		x-uue	10		pine.txt
	E
	[ "$stderr" = "mimeunpack: uuencode-cte.eml: part 3: text outside the uuencoded block ignored" ]
	mimeunpack -O -s 2 uuencode-cte.eml | cmp - data.bin.uue-expected
	pypart uuencode-cte.eml 1 | cmp - data.bin.uue-expected
	run -0 --separate-stderr mimeunpack -x -d "$T/out" uuencode-cte.eml
	expect <<-E
	$T/out/data.bin
	$T/out/pine.txt
	E
	cmp data.bin.uue-expected "$T/out/data.bin"
	printf 'from pine\n' | cmp - "$T/out/pine.txt"
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
	[ "$output" = "$T/out/x.bin" ]
	[ "$(cat "$T/out/x.bin")" = "in two" ]
	run -0 --separate-stderr mimeunpack -x -s 2.2 -d "$T/out" "$T/nest"
	[ "$output" = "$T/out/x-1.bin" ]
}

@test "a message/rfc822 part in base64 or quoted-printable is opened: -l lists its parts, -s '*.pdf' reaches them" {
	run --separate-stderr mimeunpack -l rfc822-encoded.eml
	[ "$status" -eq 0 ]
	expect <<-'E'
	1	text/plain			22		
	2.1	text/plain			10		
	2.2	application/pdf		base64	14		report.pdf
	3.1	text/plain			11		
	E
	diff -u - <(printf '%s\n' "$stderr") <<-'E'
	mimeunpack: rfc822-encoded.eml: part 2: message/rfc822 with a transfer encoding other than 7bit, 8bit or binary, decoded
	mimeunpack: rfc822-encoded.eml: part 3: message/rfc822 with a transfer encoding other than 7bit, 8bit or binary, decoded
	E
	run -0 --separate-stderr mimeunpack -x -s '*.pdf' -d "$T/out" rfc822-encoded.eml
	[ "$output" = "$T/out/report.pdf" ]
	printf '%%PDF-1.4 fake\n' | cmp - "$T/out/report.pdf"
	# the bytes Python decodes from the message decoded by hand
	pypart rfc822-inner.eml 1 | cmp - "$T/out/report.pdf"
	mimeunpack -O -s 2.1 rfc822-encoded.eml 2>/dev/null >"$T/o"
	pypart rfc822-inner.eml 0 | cmp - "$T/o"
	mimeunpack -O -s 3.1 rfc822-encoded.eml 2>/dev/null >"$T/o"
	printf 'flat body=\n' | cmp - "$T/o"
	# named itself, the part is still taken whole, decoded
	mimeunpack -O -s 2 rfc822-encoded.eml 2>/dev/null | cmp - rfc822-inner.eml
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
2.1|text/plain|||6|||['charset', 'disposition', 'encoding', 'filename', 'part', 'size', 'type']
2.2|application/octet-stream|||6|attachment|x.bin|['charset', 'disposition', 'encoding', 'filename', 'part', 'size', 'type']
3.1|text/plain|||10|||['charset', 'disposition', 'encoding', 'filename', 'part', 'size', 'type']
4.1|text/plain|||4|||['charset', 'disposition', 'encoding', 'filename', 'part', 'size', 'type']" ]
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

@test "a name cannot hide its extension (U+202E), pose as an option, or be blank" {
	{
		printf 'Content-Type: multipart/mixed; boundary=b\n\n'
		for n in '=?UTF-8?Q?invoice=E2=80=AEfdp.exe?=' '-rf' '   ' \
		    '=?UTF-8?Q?=E2=81=A6=C2=9B_a.txt?='; do
			printf -- '--b\nContent-Type: application/octet-stream\n'
			printf 'Content-Disposition: attachment; filename="%s"\n\nx\n' "$n"
		done
		printf -- '--b--\n'
	} > "$T/bidi.eml"
	run -0 --separate-stderr mimeunpack -d "$T/out" "$T/bidi.eml"
	expect <<-E
	$T/out/invoicefdp.exe
	$T/out/_rf
	$T/out/part-3.bin
	$T/out/_ a.txt
	E
	[ "$(names)" = "$(printf '%s\n' '_ a.txt' _rf invoicefdp.exe part-3.bin)" ]
}

@test "an empty message/rfc822 part with -x -s 1 is an empty .eml (no NULL to memcpy)" {
	run -0 --separate-stderr mimeunpack -x -s 1 -d "$T/out" "$YUBIN_TESTS/data/malformed/rfc822-empty.eml"
	[ "$output" = "$T/out/part-1.eml" ]
	[ -z "$stderr" ]
	[ "$(names)" = part-1.eml ]
	[ ! -s "$T/out/part-1.eml" ]
}

@test "-t holds one HTML part, not one per nested multipart/alternative" {
	if ldd "$(command -v mimeunpack)" 2>/dev/null | grep -q asan; then
		skip "sanitizer build: RSS means nothing there"
	fi
	# 8 alternatives, each an HTML part of 4 MB and the next alternative
	python3 -c '
import sys
n, size = 8, 4 << 20
out = sys.stdout
out.write("Content-Type: multipart/alternative; boundary=b0\n\n")
for k in range(n):
    out.write("--b%d\nContent-Type: text/html\n\n<p>level %d</p>\n" % (k, k))
    out.write(("x" * 63 + "\n") * (size // 64))
    out.write("--b%d\n" % k)
    if k + 1 < n:
        out.write("Content-Type: multipart/alternative; boundary=b%d\n\n" % (k + 1))
    else:
        out.write("Content-Type: text/html\n\n<p>innermost</p>\n")
for k in reversed(range(n)):
    out.write("--b%d--\n" % k)
' > "$T/nest.eml"
	/usr/bin/time -f %M -o "$T/rss" mimeunpack -t "$T/nest.eml" > "$T/text"
	printf '<p>innermost</p>\n' | cmp - "$T/text"
	echo "peak RSS $(cat "$T/rss") KiB"
	[ "$(cat "$T/rss")" -lt 20480 ]
}

@test "warnings quote an input name and a charset under the safe-text rule" {
	f=$(printf '%s/a\tb\033[2J' "$T")
	printf 'Content-Type: text/plain; charset="x\033"\n\nhi\n' > "$f"
	run -0 --separate-stderr mimeunpack -t "$f"
	[ "$output" = hi ]
	[ "$stderr" = "mimeunpack: $T/a\\tb\\x1b[2J: part 1: unknown charset x\\x1b, taken as UTF-8" ]
	run -66 --separate-stderr mimeunpack -l "$f.none"
	[ "$stderr" = "mimeunpack: $T/a\\tb\\x1b[2J.none: No such file or directory" ]
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

# ---- headers that end or split unusually: one rule (hdr_line) ----
# Each fixture is read from stdin (so the warnings name "-"), first as
# it is, then with CRLF line ends: the results must be the same bytes.

# The fixture $1 with CRLF line ends, in $T.
crlf() {
	sed 's/$/\r/' "$1" > "$T/crlf-$1"
	printf '%s' "$T/crlf-$1"
}

@test "no silent loss: a header without an empty line keeps its body (LF, CRLF)" {
	for f in noblank.eml "$(crlf noblank.eml)"; do
		run --separate-stderr mimeunpack -t < "$f"
		[ "$status" -eq 0 ]
		[ "$output" = $'the body starts here\nPS: and goes on' ]
		[ "$stderr" = "mimeunpack: -: part 1: header ends without a blank line" ]
		mimeunpack -O -s 1 < "$f" > "$T/o" 2>/dev/null
		printf 'the body starts here\nPS: and goes on\n' | cmp - "$T/o"
		run --separate-stderr mimeunpack -l < "$f"
		[ "$status" -eq 0 ]
		[ "$output" = "1	text/plain			37		" ]
	done
}

@test "-l shows the charset as given: none given is an empty column, not an assumed us-ascii" {
	printf '%s\n' 'Subject: charsets' 'MIME-Version: 1.0' \
	    'Content-Type: multipart/mixed; boundary=b' '' '--b' '' 'no header' \
	    '--b' 'Content-Type: text/plain' '' 'no charset' \
	    '--b' 'Content-Type: text/plain; charset=US-ASCII' '' 'said so' \
	    '--b' 'Content-Type: text/plain; charset="ISO-8859-1"' '' 'latin' \
	    '--b--' >"$T/cs.eml"
	run -0 --separate-stderr mimeunpack -l "$T/cs.eml"
	[ "$output" = "1	text/plain			9		
2	text/plain			10		
3	text/plain	us-ascii		7		
4	text/plain	iso-8859-1		5		" ]
	run -0 --separate-stderr mimeunpack -l -j "$T/cs.eml"
	[ "${lines[0]}" = '{"part":"1","type":"text/plain","charset":"","encoding":"","size":9,"disposition":"","filename":""}' ]
	[ "${lines[2]}" = '{"part":"3","type":"text/plain","charset":"us-ascii","encoding":"","size":7,"disposition":"","filename":""}' ]
	# a message without Content-Type: its one part gives no charset
	printf 'Subject: plain\n\nhello\n' >"$T/plain.eml"
	run -0 --separate-stderr mimeunpack -l "$T/plain.eml"
	[ "$output" = "1	text/plain			6		" ]
}

@test "no silent loss: a part whose header runs into its text keeps that text (LF, CRLF)" {
	for f in noblank-part.eml "$(crlf noblank-part.eml)"; do
		run --separate-stderr mimeunpack -l < "$f"
		[ "$status" -eq 0 ]
		expect <<-'E'
		1	text/plain			34		
		2	text/plain			6		
		E
		[ "$stderr" = "mimeunpack: -: part 1: header ends without a blank line" ]
		mimeunpack -O -s 1 < "$f" > "$T/o" 2>/dev/null
		printf 'and this line is text\nand this one' | cmp - "$T/o"
		run --separate-stderr mimeunpack -t < "$f"
		[ "$status" -eq 0 ]
		[ "$output" = $'and this line is text\nand this one\nsecond' ]
	done
}

@test "a From split from its colon is a field, not the end of the header (LF, CRLF)" {
	for f in split-colon.eml "$(crlf split-colon.eml)"; do
		run --separate-stderr mimeunpack -t < "$f"
		[ "$status" -eq 0 ]
		[ "$output" = body ]
		[ -z "$stderr" ]
	done
}

@test "white space before every colon is still a message (RFC 5322 obs syntax; LF, CRLF)" {
	for f in obs-colon.eml "$(crlf obs-colon.eml)"; do
		run --separate-stderr mimeunpack -l < "$f"
		[ "$status" -eq 0 ]
		[ "$output" = "1	text/plain	utf-8		6		" ]
		[ -z "$stderr" ]
		run -0 --separate-stderr mimeunpack -t < "$f"
		[ "$output" = café ]
	done
}

@test "a byte order mark does not hide the first field (LF, CRLF)" {
	for f in bom.eml "$(crlf bom.eml)"; do
		run --separate-stderr mimeunpack -l < "$f"
		[ "$status" -eq 0 ]
		[ "$output" = "1	text/html			9		" ]
		[ -z "$stderr" ]
	done
}

@test "no silent loss: a body with data that decodes to nothing fails, naming the part" {
	printf 'Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n!!!! ***\n' > "$T/bad.eml"
	run --separate-stderr mimeunpack -O -s 1 "$T/bad.eml"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	expect_err <<-E
	mimeunpack: $T/bad.eml: part 1: characters outside the alphabet skipped
	mimeunpack: $T/bad.eml: part 1: the body decodes to nothing
	E
	# white space alone is no data: nothing to warn about
	printf 'Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n \n\n' > "$T/ws.eml"
	run --separate-stderr mimeunpack -O -s 1 "$T/ws.eml"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "no silent loss, the property: every part with data in tests/data gives data, or a warning and a failure" {
	# Python's email package finds the parts (tests/interop/noloss.py)
	cd "$YUBIN_TESTS/data"
	run python3 -B "$YUBIN_TESTS/interop/noloss.py" "$YUBIN_BIN/mimeunpack" \
	    $(find . -name '*.eml' | LC_ALL=C sort) malformed/garbage.bin
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" == *" parts with data, 0 lost" ]]
}

@test "bad data outranks a missing file: the worst status is 65, not the largest 66" {
	printf 'not a message\n' > "$T/text"
	run --separate-stderr mimeunpack -l "$T/text" "$T/missing.eml"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[ "$stderr" = "mimeunpack: $T/text: not a message
mimeunpack: $T/missing.eml: No such file or directory" ]
}

# ---- Maildirs and mboxes: every message, each line named ----

@test "-l DIR lists the parts of each message of a Maildir, not 'Is a directory'" {
	mkdir -p "$T/md/cur" "$T/md/new" "$T/md/tmp"
	cp mixed.eml "$T/md/cur/1.a:2,S"
	cp obs-colon.eml "$T/md/new/2.b"
	run --separate-stderr mimeunpack -l "$T/md"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	expect <<-E
	$T/md/cur/1.a:2,S	1	text/plain	utf-8	7bit	31		
	$T/md/cur/1.a:2,S	2	application/pdf		base64	272	attachment	report.pdf
	$T/md/cur/1.a:2,S	3.1	text/plain	iso-8859-1	quoted-printable	11		
	$T/md/cur/1.a:2,S	3.2	text/html	utf-8	8bit	25		
	$T/md/cur/1.a:2,S	4	image/png		base64	72	attachment	pic.png
	$T/md/new/2.b	1	text/plain	utf-8		6		
	E
}

@test "an mbox gives every message, named FILE:N, not only the first" {
	run --separate-stderr mimeunpack -l three.mbox
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	expect <<-'E'
	three.mbox:1	1	text/plain			27		
	three.mbox:2	1	text/plain			34		
	three.mbox:3	1	text/plain			12		
	E
	run --separate-stderr mimeunpack -l -j three.mbox
	expect <<-'E'
	{"file":"three.mbox:1","part":"1","type":"text/plain","charset":"","encoding":"","size":27,"disposition":"","filename":""}
	{"file":"three.mbox:2","part":"1","type":"text/plain","charset":"","encoding":"","size":34,"disposition":"","filename":""}
	{"file":"three.mbox:3","part":"1","type":"text/plain","charset":"","encoding":"","size":12,"disposition":"","filename":""}
	E
}

@test "mboxrd: >From lines in an mbox body lose one '>' (not >From:), and no message ends there" {
	run --separate-stderr mimeunpack -t < three.mbox
	[ "$status" -eq 0 ]
	expect <<-'E'
	body one
	From here, quoted
>From: not a field of message two
	>From twice
	E
}

@test "several files: each -l line names its file; one file keeps its 7 columns" {
	run --separate-stderr mimeunpack -l obs-colon.eml obs-colon.eml
	expect <<-'E'
	obs-colon.eml	1	text/plain	utf-8		6		
	obs-colon.eml	1	text/plain	utf-8		6		
	E
	run --separate-stderr mimeunpack -l obs-colon.eml
	[ "$output" = "1	text/plain	utf-8		6		" ]
}

@test "a directory that is not a Maildir: a warning and 66, not a read error" {
	mkdir "$T/plain"
	run --separate-stderr mimeunpack -l "$T/plain" obs-colon.eml
	[ "$status" -eq 66 ]
	[ "$output" = "obs-colon.eml	1	text/plain	utf-8		6		" ]
	[ "$stderr" = "mimeunpack: $T/plain: not a Maildir (no cur/ or new/)" ]
}
