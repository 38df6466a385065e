#!/usr/bin/env bats
# mimeunpack on malformed input: for every file of data/malformed/ (see
# its README for what is wrong in each) the exact exit status in every
# mode, the exact warnings, and the bytes of the best-effort output.  A
# signal would show as a status of 128 or more and fail the exact
# comparisons; files are written only into the target directory.

bats_require_minimum_version 1.5.0

setup() {
	cd "$YUBIN_TESTS/data/malformed" || return 1
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/w/cwd" "$T/w/out"
	O=$T/w/out
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

# Files and directories under $T other than out/ and its contents, the
# two directories setup made and bats's own files: must be none (../../x
# from out/ would be $T/x).
strays() {
	(cd "$T" && find . -path ./w/out -prune -o ! -path . ! -path ./w \
	    ! -path ./w/cwd ! -name 'separate-stderr-*' -print)
}

# mimeunpack MODE FILE with -d $O, run from $T/w/cwd (so that a name
# that escaped -d would land in cwd or in $T/w), stderr apart.
xun() {
	run --separate-stderr bash -c 'cd "$1/w/cwd" && shift && exec mimeunpack "$@"' \
	    sh "$T" -x -d "$O" "$YUBIN_TESTS/data/malformed/$1"
}

@test "every file, every mode: the exact exit status, never a signal" {
	# file  -l  -x  -O  -t
	while read -r f l x o t; do
		for m in "-l $l" "-x $x" "-O $o" "-t $t"; do
			run mimeunpack ${m% *} -d "$O" "$f"
			if [ "$status" -ne "${m#* }" ]; then
				echo "$f ${m% *}: status $status, want ${m#* }"
				return 1
			fi
		done
	done <<-'E'
	b64-afterpad.eml       0  0  0  1
	b64-junk.eml           0  0  0  1
	b64-nopad.eml          0  0  0  1
	b64-truncated.eml      0  0  0  1
	boundary-long.eml      0  1  1  0
	charset-bad.eml        0  1  1  0
	crlf-mixed.eml         0  0  0  0
	cte-unknown.eml        0  0  0  1
	ctype-bad.eml          0  0  0  0
	ctype-dup.eml          0  0  0  1
	deep40.eml             0  1  1  0
	empty.eml              65 65 65 65
	ew-garbage.eml         0  0  0  1
	garbage.bin            65 65 65 65
	hdr-nocolon.eml        0  1  1  0
	hdr-truncated.eml      0  1  1  1
	headers-only.eml       0  1  1  1
	multipart-noparam.eml  0  1  1  0
	names-hostile.eml      0  0  0  1
	nested-noend.eml       0  0  0  0
	noboundary.eml         0  1  1  0
	noend.eml              0  0  0  0
	nul.eml                0  0  0  0
	part-nobody.eml        0  0  0  0
	qp-bad.eml             0  1  1  0
	rfc2231-broken.eml     0  0  0  1
	rfc822-base64.eml      0  1  1  0
	rfc822-empty.eml       0  1  1  0
	same-boundary.eml      0  1  1  0
	uu-broken.eml          0  0  0  0
	E
	[ "$(ls | grep -cv -e '\.eml$' -e '\.bin$' -e '^README$' -e '^make\.py$')" -eq 0 ]
	[ -z "$(strays)" ]
}

# ---- boundaries ----

@test "noend: a multipart without its close delimiter keeps its last part" {
	run --separate-stderr mimeunpack -l noend.eml
	[ "$status" -eq 0 ]
	expect <<-'E'
	1	text/plain			5		
	2	application/octet-stream			30	attachment	tail.bin
	E
	[ "$stderr" = "mimeunpack: noend.eml: message: multipart without its close delimiter" ]
	xun noend.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$O/tail.bin" ]
	[ "$(cat "$O/tail.bin")" = "last part, no close delimiter" ]
	[ -z "$(strays)" ]
}

@test "nested-noend: both missing delimiters warned, inner and outer parts kept" {
	run --separate-stderr mimeunpack -l nested-noend.eml
	[ "$status" -eq 0 ]
	expect <<-'E'
	1.1	text/plain			9		
	1.2	text/html			16		
	2	application/octet-stream		base64	3		a.bin
	E
	expect_err <<-'E'
	mimeunpack: nested-noend.eml: part 1: multipart without its close delimiter
	mimeunpack: nested-noend.eml: message: multipart without its close delimiter
	E
	run -0 --separate-stderr mimeunpack -t nested-noend.eml
	[ "$output" = "inner one" ]
	run -0 --separate-stderr mimeunpack -O -s 2 nested-noend.eml
	[ "$output" = ABC ]
}

@test "noboundary: a boundary that never appears leaves the body as text" {
	# as Python does (StartBoundaryNotFoundDefect, the body kept as text)
	run --separate-stderr mimeunpack -l noboundary.eml
	[ "$status" -eq 0 ]
	[ "$output" = "1	text/plain			80		" ]
	[ "$stderr" = "mimeunpack: noboundary.eml: message: multipart boundary never found, body taken as text" ]
	run -0 --separate-stderr mimeunpack -t noboundary.eml
	[ "$output" = "$(sed '1,2d' noboundary.eml)" ]
	sed '1,2d' noboundary.eml | cmp - <(mimeunpack -O -s 1 noboundary.eml 2>/dev/null)
}

@test "boundary-long: delimiters longer than the parser holds are text" {
	# a delimiter line over MIME_LINEMAX (1024) is never recognised
	run --separate-stderr mimeunpack -l boundary-long.eml
	[ "$status" -eq 0 ]
	[ "$output" = "1	text/plain			2236		" ]
	[ "$stderr" = "mimeunpack: boundary-long.eml: message: multipart boundary never found, body taken as text" ]
	sed '1,2d' boundary-long.eml | cmp - <(mimeunpack -O -s 1 boundary-long.eml 2>/dev/null)
}

@test "same-boundary: an inner multipart reusing the boundary takes it first" {
	# RFC 2046 §5.1.2 forbids it; delimiters match innermost first, so
	# the inner one ends at the first close delimiter and the outer
	# goes on.  Nothing is lost, so nothing to warn about.
	run --separate-stderr mimeunpack -l same-boundary.eml
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	expect <<-'E'
	1.1	text/plain			16		
	2	text/plain			4		
	E
	run -0 --separate-stderr mimeunpack -t same-boundary.eml
	[ "$output" = $'which level am I\nlast' ]
}

@test "part-nobody: a part whose header meets the next delimiter is empty" {
	run --separate-stderr mimeunpack -l part-nobody.eml
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	expect <<-'E'
	1	application/octet-stream			0		h.bin
	2	text/plain			6		
	E
	xun part-nobody.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$O/h.bin" ]
	[ ! -s "$O/h.bin" ]
}

@test "multipart-noparam: multipart without boundary is read as text" {
	run --separate-stderr mimeunpack -l multipart-noparam.eml
	[ "$status" -eq 0 ]
	[ "$output" = "1	text/plain			58		" ]
	[ "$stderr" = "mimeunpack: multipart-noparam.eml: part 1: multipart without boundary, taken as text" ]
	run -0 --separate-stderr mimeunpack -t multipart-noparam.eml
	[ "$output" = "$(sed '1,2d' multipart-noparam.eml)" ]
}

@test "deep40: 40 levels stop at 32, the rest is text" {
	sec=$(printf '1.%.0s' $(seq 32))
	sec=${sec%.}
	run --separate-stderr mimeunpack -l deep40.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$sec	text/plain			457		" ]
	[ "$stderr" = "mimeunpack: deep40.eml: part $sec: nesting too deep, container taken as text" ]
	mimeunpack -t deep40.eml 2>/dev/null > "$T/t"
	sed -n '/^--d32$/,/^--d32--$/p' deep40.eml | cmp - "$T/t"
}

@test "100 000 tiny parts: parsing stops at 10 000 entities, with a warning" {
	python3 -c '
import sys
o = [b"Content-Type: multipart/mixed; boundary=p\n\n"]
o += [b"--p\n\n%d\n" % i for i in range(100000)]
sys.stdout.buffer.write(b"".join(o) + b"--p--\n")' > "$T/many.eml"
	run --separate-stderr mimeunpack -l "$T/many.eml"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 9999 ]
	[ "${lines[0]}" = "1	text/plain			1		" ]
	[ "${lines[9998]}" = "9999	text/plain			4		" ]
	[ "$stderr" = "mimeunpack: $T/many.eml: message: too many parts, parsing stopped" ]
	run -0 --separate-stderr mimeunpack -t "$T/many.eml"
	[ "$output" = "$(seq 0 9998)" ]
}

# ---- transfer encodings ----

@test "b64-junk: characters outside the alphabet are skipped" {
	run --separate-stderr mimeunpack -O b64-junk.eml
	[ "$status" -eq 0 ]
	[ "$output" = "Hello world!" ]
	[ "$stderr" = "mimeunpack: b64-junk.eml: part 1: characters outside the alphabet skipped" ]
	run -0 --separate-stderr mimeunpack -l b64-junk.eml
	[ "$output" = "1	application/octet-stream		base64	12		junk.bin" ]
}

@test "b64-truncated: the whole bytes are kept, the odd bits warned" {
	run --separate-stderr mimeunpack -O b64-truncated.eml
	[ "$status" -eq 0 ]
	[ "$output" = "Hello world!" ]
	[ "$stderr" = "mimeunpack: b64-truncated.eml: part 1: base64 data ends in the middle of a byte" ]
}

@test "b64-nopad: base64 without padding decodes, with a warning" {
	run --separate-stderr mimeunpack -O b64-nopad.eml
	[ "$status" -eq 0 ]
	[ "$output" = "Hello world" ]
	[ "$stderr" = "mimeunpack: b64-nopad.eml: part 1: base64 data without its '=' padding" ]
}

@test "b64-afterpad: data after the padding are not decoded, with a warning" {
	run --separate-stderr mimeunpack -O b64-afterpad.eml
	[ "$status" -eq 0 ]
	[ "$output" = "Hi" ]
	[ "$stderr" = "mimeunpack: b64-afterpad.eml: part 1: data after base64 padding ignored" ]
}

@test "qp-bad: bad escapes are kept as they are, lower-case hex decoded" {
	mimeunpack -O -s 1 qp-bad.eml > "$T/o" 2> "$T/e"
	printf 'a = b, bad hex =G1 and =4x, lower \303\251\nsoftbreak, bare at the end ' |
	    cmp - "$T/o"
	[ "$(cat "$T/e")" = "mimeunpack: qp-bad.eml: part 1: '=' not followed by two hex digits" ]
	run -0 --separate-stderr mimeunpack -l qp-bad.eml
	[ "$output" = "1	text/plain	utf-8	quoted-printable	64		" ]
}

@test "cte-unknown: an unknown transfer encoding is taken as binary" {
	run --separate-stderr mimeunpack -O cte-unknown.eml
	[ "$status" -eq 0 ]
	[ "$output" = nopqrs ]
	[ "$stderr" = "mimeunpack: cte-unknown.eml: part 1: unknown transfer encoding, taken as binary" ]
	run -0 --separate-stderr mimeunpack -l cte-unknown.eml
	[ "$output" = "1	application/octet-stream		x-rot13	7		x.bin" ]
}

@test "uu-broken: short uuencoded lines and a missing end line" {
	xun uu-broken.eml
	[ "$status" -eq 0 ]
	expect <<-E
	$O/short.bin
	$O/noend.bin
	E
	expect_err <<-E
	mimeunpack: $YUBIN_TESTS/data/malformed/uu-broken.eml: part 1: uuencoded line shorter than its length
	mimeunpack: $YUBIN_TESTS/data/malformed/uu-broken.eml: part 1: uuencoded block without an end line
	E
	[ "$(cat "$O/short.bin")" = Hello ]
	[ "$(cat "$O/noend.bin")" = ABC ]
	[ -z "$(strays)" ]
}

# ---- header fields ----

@test "hdr-truncated: a file that ends inside a field" {
	run --separate-stderr mimeunpack -l hdr-truncated.eml
	[ "$status" -eq 0 ]
	[ "$output" = "1	text/plain			0		" ]
	[ "$stderr" = "mimeunpack: hdr-truncated.eml: part 1: multipart without boundary, taken as text" ]
	run --separate-stderr mimeunpack -t hdr-truncated.eml
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "hdr-nocolon: a line without a colon ends the header, the text after it is body" {
	run --separate-stderr mimeunpack -l hdr-nocolon.eml
	[ "$status" -eq 0 ]
	[ "$output" = "1	text/plain			120		" ]
	[ "$stderr" = "mimeunpack: hdr-nocolon.eml: part 1: header ends without a blank line" ]
	run -0 --separate-stderr mimeunpack -t hdr-nocolon.eml
	expect <<-'E'
	this line has no colon
	Content-Type: text/plain; charset=iso-8859-1
	Content-Transfer-Encoding: quoted-printable

	caf=E9
	E
}

@test "1 MB header line: cut at 64 KiB with a warning, the body still read" {
	python3 -c '
import sys
sys.stdout.buffer.write(b"Subject: " + b"x" * 1048576 +
    b"\nContent-Type: text/html\n\nbody after a long header\n")' > "$T/long.eml"
	run --separate-stderr mimeunpack -l "$T/long.eml"
	[ "$status" -eq 0 ]
	# the Content-Type came after the cut: the default type is used
	[ "$output" = "1	text/plain			25		" ]
	[ "$stderr" = "mimeunpack: $T/long.eml: part 1: header too long, cut" ]
	run -0 --separate-stderr mimeunpack -t "$T/long.eml"
	[ "$output" = "body after a long header" ]
}

@test "headers-only: a message without a body has one empty part" {
	# RFC 5322 §3.5: the body (and the empty line) may be absent
	run --separate-stderr mimeunpack -l headers-only.eml
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "1	text/plain	us-ascii		0		" ]
}

@test "ctype-bad: an unparsable Content-Type falls back to text/plain" {
	run --separate-stderr mimeunpack -l ctype-bad.eml
	[ "$status" -eq 0 ]
	[ "$output" = "1	text/plain			16		t.txt" ]
	[ "$stderr" = "mimeunpack: ctype-bad.eml: part 1: unparsable Content-Type, default used" ]
	xun ctype-bad.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$O/t.txt" ]
	[ "$(cat "$O/t.txt")" = "unparsable type" ]
}

@test "ctype-dup: of two Content-Type fields the first counts, as in Python" {
	run --separate-stderr mimeunpack -l ctype-dup.eml
	[ "$status" -eq 0 ]
	[ "$stderr" = "mimeunpack: ctype-dup.eml: message: a Content- field given twice, the first used" ]
	[ "$output" = "1	application/octet-stream			3		d.bin" ]
	run -0 python3 -c '
import email, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read())
print(m.get_content_type(), len(m.get_payload()))' ctype-dup.eml
	[ "$output" = "multipart/mixed 1" ]
}

@test "nul: NUL bytes in a field, a name and a body" {
	run --separate-stderr mimeunpack -l nul.eml
	[ "$status" -eq 0 ]
	# a NUL ends the decoded file name (mime.h); NUL in a body is data
	expect <<-'E'
	1	text/plain			12		
	2	application/octet-stream			3		n
	E
	expect_err <<-'E'
	mimeunpack: nul.eml: part 2: NUL byte in the header
	mimeunpack: nul.eml: message: NUL byte in the header
	E
	mimeunpack -O -s 1 nul.eml | cmp - <(printf 'before\0after')
	xun nul.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$O/n" ]
	printf '\0\0\0' | cmp - "$O/n"
}

@test "crlf-mixed: CRLF and LF both end lines, a bare CR is data" {
	run --separate-stderr mimeunpack -l crlf-mixed.eml
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	expect <<-'E'
	1	text/plain			25		
	2	application/octet-stream		base64	6		m.bin
	E
	mimeunpack -t crlf-mixed.eml | cmp - <(printf 'crlf line\nlf line\nbare\rcr\n')
	run -0 --separate-stderr mimeunpack -O crlf-mixed.eml
	[ "$output" = ABCDEF ]
}

# ---- charsets and names ----

@test "charset-bad: unknown charsets are taken as UTF-8, bad bytes as U+FFFD" {
	run --separate-stderr mimeunpack -t charset-bad.eml
	[ "$status" -eq 0 ]
	expect <<-'E'
	café one
	café two
	bad utf-8 �� three
	E
	expect_err <<-'E'
	mimeunpack: charset-bad.eml: part 1: unknown charset x-no-such-charset, taken as UTF-8
	mimeunpack: charset-bad.eml: part 2: unknown charset utf-8//ignore, taken as UTF-8
	E
	run -0 --separate-stderr mimeunpack -l charset-bad.eml
	expect <<-'E'
	1	text/plain	x-no-such-charset		9		
	2	text/plain	utf-8//ignore		9		
	3	text/plain	utf-8		18		
	E
}

@test "names-hostile: paths and control characters never leave DIR" {
	sum=$(sha256sum /etc/passwd)
	xun names-hostile.eml
	[ "$status" -eq 0 ]
	expect <<-E
	$O/passwd
	$O/x
	$O/win.ini
	$O/_[31mred_line_.txt
	$O/part-5.bin
	E
	expect_err <<-E
	mimeunpack: $YUBIN_TESTS/data/malformed/names-hostile.eml: part 1: unsafe file name "../../etc/passwd" written as "passwd"
	mimeunpack: $YUBIN_TESTS/data/malformed/names-hostile.eml: part 2: unsafe file name "../../tmp/x" written as "x"
	mimeunpack: $YUBIN_TESTS/data/malformed/names-hostile.eml: part 3: unsafe file name "C:\\\\Windows\\\\win.ini" written as "win.ini"
	mimeunpack: $YUBIN_TESTS/data/malformed/names-hostile.eml: part 4: unsafe file name "\x1b[31mred\nline\x7f.txt" written as "_[31mred_line_.txt"
	mimeunpack: $YUBIN_TESTS/data/malformed/names-hostile.eml: part 5: unsafe file name "/" written as "part-5.bin"
	E
	[ "$(cd "$O" && LC_ALL=C ls -A | tr '\n' ' ')" = "_[31mred_line_.txt part-5.bin passwd win.ini x " ]
	for i in 1 2 3 4 5; do
		f=$(sed -n "${i}p" <<< "$output")
		[ "$(cat "$f")" = "p$i" ]
	done
	[ -z "$(strays)" ]
	[ "$(sha256sum /etc/passwd)" = "$sum" ]
	run -0 --separate-stderr mimeunpack -l names-hostile.eml
	expect <<-'E'
	1	application/octet-stream			2	attachment	../../etc/passwd
	2	application/octet-stream			2	attachment	../../tmp/x
	3	application/octet-stream			2	attachment	C:\\Windows\\win.ini
	4	application/octet-stream			2	attachment	\x1b[31mred\nline\x7f.txt
	5	application/octet-stream			2	attachment	/
	E
}

@test "rfc2231-broken: sections sorted, a gap ends the name, as in Python" {
	# The names are Python's; unlike Python (no defect for any of the
	# four), the missing section, the bad %XX and the unknown charset are
	# warned, one line per part; out of order alone is not wrong.
	run --separate-stderr mimeunpack -l rfc2231-broken.eml
	[ "$status" -eq 0 ]
	[ "$stderr" = "mimeunpack: rfc2231-broken.eml: part 2: RFC 2231 section missing in the file name, name cut there
mimeunpack: rfc2231-broken.eml: part 3: bad %XX escape in the file name, kept as it is
mimeunpack: rfc2231-broken.eml: part 4: unknown charset in the file name" ]
	expect <<-'E'
	1	application/octet-stream			5	attachment	part-one-two.txt
	2	application/octet-stream			3	attachment	zero-
	3	application/octet-stream			6	attachment	café%ZZ.txt
	4	application/octet-stream			5	attachment	abc�.txt
	E
	# Python 3.11 reads the four names the same way, without a defect
	run -0 python3 -c '
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(),
                             policy=email.policy.default)
for p in m.iter_attachments():
    assert not p.defects
    print(p.get_filename())' rfc2231-broken.eml
	expect <<-'E'
	part-one-two.txt
	zero-
	café%ZZ.txt
	abc�.txt
	E
	xun rfc2231-broken.eml
	[ "$status" -eq 0 ]
	[ "${stderr%%$'\n'*}" = "mimeunpack: $YUBIN_TESTS/data/malformed/rfc2231-broken.eml: part 2: RFC 2231 section missing in the file name, name cut there" ]
	[ "$(cat "$O/part-one-two.txt")" = order ]
	[ "$(cat "$O/abc�.txt")" = badcs ]
}

@test "ew-garbage: encoded words that do not decode are kept as they are" {
	# RFC 2047 §6.3: a word that cannot be decoded is shown as it is.
	# (Python drops the bad word and the unknown charset's word instead.)
	# Each is warned: bad base64, unknown charset, encoding X, no "?=",
	# and a UTF-8 word whose byte is not UTF-8 (shown as U+FFFD).
	run --separate-stderr mimeunpack -l ew-garbage.eml
	[ "$status" -eq 0 ]
	[ "$stderr" = "mimeunpack: ew-garbage.eml: part 1: undecodable encoded word in the file name
mimeunpack: ew-garbage.eml: part 2: unknown charset in the file name
mimeunpack: ew-garbage.eml: part 3: undecodable encoded word in the file name
mimeunpack: ew-garbage.eml: part 4: undecodable encoded word in the file name
mimeunpack: ew-garbage.eml: part 5: undecodable encoded word in the file name" ]
	expect <<-'E'
	1	application/octet-stream			2	attachment	=?utf-8?B?!!!?=.bin
	2	application/octet-stream			2	attachment	=?no-such?Q?abc?=.bin
	3	application/octet-stream			2	attachment	=?utf-8?X?abc?=.bin
	4	application/octet-stream			2	attachment	=?utf-8?Q?unterminated.bin
	5	application/octet-stream			2	attachment	�.bin
	E
	xun ew-garbage.eml
	[ "$status" -eq 0 ]
	[ "$(cat "$O/=?utf-8?B?!!!?=.bin")" = e1 ]
	[ "$(cat "$O/�.bin")" = e5 ]
	[ -z "$(strays)" ]
}

# ---- message/rfc822 ----

@test "rfc822-empty: an empty message/rfc822 gives an empty part, warned" {
	run --separate-stderr mimeunpack -l rfc822-empty.eml
	[ "$status" -eq 0 ]
	expect <<-'E'
	1.1	text/plain			0		
	2	text/plain			5		
	E
	[ "$stderr" = "mimeunpack: rfc822-empty.eml: part 1: message/rfc822 part without a header" ]
	run -0 --separate-stderr mimeunpack -t rfc822-empty.eml
	[ "$output" = after ]
}

@test "rfc822-base64: a base64 message/rfc822 is decoded and walked, or written whole when selected" {
	# RFC 2046 §5.2.1 allows only 7bit, 8bit and binary here; the part
	# is walked like any nested message, or written as one file named
	# after its Subject when a selector names it (mimeunpack(1))
	run -0 --separate-stderr mimeunpack -l rfc822-base64.eml
	[ "$output" = "1.1	text/plain			11		" ]
	[ "$stderr" = "mimeunpack: rfc822-base64.eml: part 1: message/rfc822 with a transfer encoding other than 7bit, 8bit or binary, decoded" ]
	run -0 --separate-stderr mimeunpack -O -s 1.1 rfc822-base64.eml
	[ "$output" = "inner body" ]
	run -0 --separate-stderr mimeunpack -x -s 1 -d "$O" rfc822-base64.eml
	[ "$output" = "$O/inner.eml" ]
	printf 'Subject: inner\n\ninner body\n' | cmp - "$O/inner.eml"
}

# ---- not messages ----

@test "empty file and binary garbage are not messages: 65, nothing written" {
	for f in empty.eml garbage.bin; do
		xun "$f"
		[ "$status" -eq 65 ]
		[ -z "$output" ]
		[ "$stderr" = "mimeunpack: $YUBIN_TESTS/data/malformed/$f: not a message" ]
		run --separate-stderr mimeunpack -t "$f"
		[ "$status" -eq 65 ]
		[ -z "$output" ]
	done
	[ -z "$(ls -A "$O")" ]
	[ -z "$(strays)" ]
}

@test "a malformed file among good ones: the others are still read" {
	run --separate-stderr mimeunpack -l empty.eml noend.eml
	[ "$status" -eq 65 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" = "noend.eml	2	application/octet-stream			30	attachment	tail.bin" ]
}
