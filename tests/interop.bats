#!/usr/bin/env bats
# Interoperability: mimepack's messages as Python, munpack, ripmime and
# mblaze read them; messages made by Python, mpack and s-nail as
# mimeunpack reads them.  The scripts are in interop/: gen.py (a seeded
# generator of varied messages), pyoracle.py (what mimeunpack should
# print, as Python's email package reads a message), packcheck.py
# (seeded mimepack runs read back by Python).  Generated files go under
# $BATS_FILE_TMPDIR or $BATS_TEST_TMPDIR, never into the tree.

bats_require_minimum_version 1.5.0

setup_file() {
	G=$BATS_FILE_TMPDIR/gen
	mkdir "$G"
	python3 "$YUBIN_TESTS/interop/gen.py" 1 300 "$G"
}

setup() {
	I=$YUBIN_TESTS/interop
	G=$BATS_FILE_TMPDIR/gen
	T=$BATS_TEST_TMPDIR
	mkdir "$T/in" "$T/out"
	FIX=(--date 'Sun, 22 Nov 2026 04:30:09 +0000'
	    --message-id 'fixed@yubin.test' --boundary '=_yubin_fixed')
}

# Compare $output with the expected text on stdin; show a diff if they
# differ.
expect() {
	diff -u <(cat) <(printf '%s\n' "$output")
}

# The names in DIR $1, one a line, sorted bytewise.
names() {
	(cd "$1" && LC_ALL=C ls -A)
}

# Python's -x files of message $1 into a new directory $2; then the
# same names and bytes as mimeunpack -x writes into $3.
same_as_python() {
	mkdir "$2"
	python3 "$I/pyoracle.py" files "$1" "$2" > "$2.list" || return 1
	[ "$(names "$2")" = "$(names "$3")" ] || return 1
	diff -r "$2" "$3"
}

# ---- the seeded corpus ----

@test "gen.py is deterministic: the same seed gives the same bytes" {
	mkdir "$T/again"
	python3 "$I/gen.py" 1 300 "$T/again"
	diff -r "$G" "$T/again"
	[ "$(ls "$G" | wc -l)" -eq 300 ]
	mkdir "$T/other"
	python3 "$I/gen.py" 2 3 "$T/other"
	run -1 cmp -s "$G/m0000.eml" "$T/other/m0000.eml"
}

@test "the corpus has every structure, encoding, charset and name form asked for" {
	cd "$G"
	# count the messages holding each; every count must be above 0
	while read -r what re; do
		n=$(grep -lai -E -e "$re" -- *.eml | wc -l)
		echo "$n $what"
		[ "$n" -gt 0 ]
	done <<-'E'
	mixed            ^Content-Type: multipart/mixed
	alternative      ^Content-Type: multipart/alternative
	related          ^Content-Type: multipart/related
	rfc822           ^Content-Type: message/rfc822
	7bit             ^Content-Transfer-Encoding: 7bit
	8bit             ^Content-Transfer-Encoding: 8bit
	binary           ^Content-Transfer-Encoding: binary
	qp               ^Content-Transfer-Encoding: quoted-printable
	base64           ^Content-Transfer-Encoding: base64
	uuencode         ^begin [0-7]{3,4} uu
	utf-8            charset="?utf-8
	iso-8859-1       charset="?iso-8859-1
	iso-2022-jp      charset="?iso-2022-jp
	koi8-r           charset="?koi8-r
	windows-1251     charset="?windows-1251
	shift_jis        charset="?shift_jis
	euc-jp           charset="?euc-jp
	rfc2231          filename\*=
	rfc2231-cont     filename\*1\*=
	rfc2231-noenc    filename\*1="
	rfc2231-latin1   filename\*=iso-8859-1''
	rfc2047-name     filename="=\?
	rfc2047-jis      name="=\?iso-2022-jp\?B\?
	ct-name-only     ^Content-Type: [a-z/-]+; name
	no-filename      ^Content-Disposition: attachment$
	empty-filename   filename=""
	E
	n=$(grep -la $'\r$' -- *.eml | wc -l)
	echo "$n crlf"
	[ "$n" -gt 0 ]
	# and 746 of the 1178 parts have no file name at all
	run -0 python3 -B -c '
import glob, sys
sys.path.insert(0, sys.argv[1])
import pyoracle
n = sum(1 for f in glob.glob("*.eml") for s, p in
        pyoracle.leaves(pyoracle.load(f)) if not p.get_filename())
print(n)' "$I"
	[ "$output" -eq 746 ]
}

@test "300 generated messages: -l, -x and -t agree with Python, 0 differences" {
	# Per message: mimeunpack -l against Python's part tree (numbers,
	# types, charsets, encodings, decoded sizes, dispositions, names);
	# -x against Python's decoded bytes and names (and the uuencoded
	# blocks binascii decodes); -t against the text rule of
	# mimeunpack(1) with Python decoding the charsets, and against
	# get_body(('plain', 'html')) where that picks the one part -t prints.
	# Exit status 0 (1 when nothing is written or printed), empty stderr.
	run -0 python3 "$I/pyoracle.py" check "$YUBIN_BIN/mimeunpack" "$G"/*.eml
	[ "$output" = "300 messages, 1178 parts, 641 files, 300 texts (129 also as get_body), 0 differences" ]
}

@test "300 generated messages: -l -j and -x -j agree with Python too" {
	# the same facts as JSON lines; file names whole, not with _ for
	# control characters; -x -j gives part, path, type and size
	run -0 python3 "$I/pyoracle.py" check --json "$YUBIN_BIN/mimeunpack" "$G"/*.eml
	[ "$output" = "300 messages, 1178 parts, 641 files, 0 differences" ]
}

@test "the CRLF form of each message gives the same output as its LF form" {
	n=0
	mkdir "$T/crlf"
	for f in "$G"/m00[0-4]?.eml; do
		grep -q $'\r$' "$f" && continue
		sed 's/$/\r/' "$f" > "$T/crlf/${f##*/}"
		a=$(mimeunpack -l "$f") b=$(mimeunpack -l "$T/crlf/${f##*/}")
		[ "$a" = "$b" ] || { echo "$f: -l differs"; return 1; }
		a=$(mimeunpack -t "$f" | od -c) b=$(mimeunpack -t "$T/crlf/${f##*/}" | od -c)
		[ "$a" = "$b" ] || { echo "$f: -t differs"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -eq 32 ]
	# and not the same nothing: the CRLF forms against Python (which
	# reads them with LF line ends)
	run -0 python3 "$I/pyoracle.py" check "$YUBIN_BIN/mimeunpack" "$T"/crlf/*.eml
	[ "$output" = "32 messages, 125 parts, 71 files, 32 texts (16 also as get_body), 0 differences" ]
}

@test "the checker sees a wrong byte, a wrong size and a wrong text" {
	# The same check against a mimeunpack that lies in each mode: proof
	# that "0 differences" above means something.
	cat > "$T/liar" <<-E
	#!/bin/sh
	case "\$1" in
	-l) "$YUBIN_BIN/mimeunpack" "\$@" |
	    sed -e '1s/\t\([0-9]*\)\t/\t1\1\t/' -e '1s/"size":/"size":1/' ;;
	-x) if [ "\$2" = -j ]; then
		"$YUBIN_BIN/mimeunpack" "\$@" | sed '1s/"size":/"size":1/'
		exit
	    fi
	    out=\$("$YUBIN_BIN/mimeunpack" "\$@"); r=\$?
	    [ -n "\$out" ] && printf '%s\n' "\$out"
	    f=\$(printf '%s\n' "\$out" | head -n 1)
	    [ -n "\$f" ] && printf x >> "\$f"
	    exit \$r ;;
	-t) "$YUBIN_BIN/mimeunpack" "\$@" | tr e E ;;
	esac
	E
	chmod +x "$T/liar"
	run -1 python3 "$I/pyoracle.py" check "$T/liar" "$G"/m000?.eml
	[ "$(grep -c '^DIFF .*: -l line 1$' <<< "$output")" -eq 10 ]
	[ "$(grep -c '^DIFF .*: -x bytes of ' <<< "$output")" -ge 5 ]
	[ "$(grep -c '^DIFF .*: -t$' <<< "$output")" -ge 5 ]
	run -1 python3 "$I/pyoracle.py" check --json "$T/liar" "$G"/m000?.eml
	[ "$(grep -c '^DIFF .*: -l -j$' <<< "$output")" -eq 10 ]
	[ "$(grep -c '^DIFF .*: -x -j$' <<< "$output")" -ge 5 ]
}

# ---- mimepack read by Python ----

@test "200 seeded mimepack runs: Python finds no defect and the same content" {
	# Subjects and names in several scripts, long ones, quotes and
	# semicolons, -M, -i (Content-IDs as mimepack(1) says), -a
	# FILE:TYPE:NAME, attachments added later with -w, -C in legacy
	# charsets, --crlf, -8; and pyoracle.py's check of mimeunpack -l, -x
	# and -t on each message.  See packcheck.py.
	mkdir "$T/pk"
	run -0 python3 -B "$I/packcheck.py" 1 200 "$T/pk" "$YUBIN_BIN"
	[ "$output" = "200 messages, 433 attachments, 43 inline parts, 76 with -w, 20 with -C, 0 differences" ]
}

@test "mimepack -w adds a part to each of the 300 generated messages" {
	# Python finds the old parts unchanged (types, names, bytes), the new
	# one last, no defect that was not there, the line ends kept
	run -0 python3 -B "$I/packcheck.py" wrap "$YUBIN_BIN" "$T" "$G"/*.eml
	[ "$output" = "300 messages, 0 differences" ]
	# the check fails when nothing is added
	mkdir "$T/fake"
	printf '#!/bin/sh\ncat\n' > "$T/fake/mimepack"
	chmod +x "$T/fake/mimepack"
	run -1 python3 -B "$I/packcheck.py" wrap "$T/fake" "$T" "$G"/m0000.eml
	[ "${lines[0]}" = "DIFF $G/m0000.eml: old parts changed" ]
}

# ---- mimepack read by other unpackers ----

# One message with a text body, an HTML alternative, binary and text
# attachments, RFC 2231 names (one split in sections), a name with a space.
peer_msg() {
	python3 -c '
import random, sys
sys.stdout.buffer.write(bytes(range(256)) * 4)' > "$T/in/bytes.bin"
	python3 -c '
import random, sys
sys.stdout.buffer.write(random.Random(5).randbytes(5000))' > "$T/in/Отчёт за год.pdf"
	printf 'alpha\nbeta\n' > "$T/in/notes.txt"
	printf 'Grüße\n日本語\n' > "$T/in/日本語のファイル名.txt"
	printf 'x' > "$T/in/with space.dat"
	printf '<p>hi</p>\n' > "$T/h.html"
	printf 'Body text\nGrüße\n' | mimepack -s Peers -f a@x.test -t b@y.test \
	    "${FIX[@]}" -M "$T/h.html" \
	    -a "$T/in/bytes.bin:application/octet-stream" \
	    -a "$T/in/notes.txt:text/plain" \
	    -a "$T/in/日本語のファイル名.txt:text/plain" \
	    -a "$T/in/Отчёт за год.pdf:application/pdf" \
	    -a "$T/in/with space.dat:application/octet-stream" > "$T/m.eml"
	grep -q "^ filename\*1\*=" "$T/m.eml"
}

@test "mimeunpack and Python agree on the peer message" {
	peer_msg
	run -0 mimeunpack -x -d "$T/out" "$T/m.eml"
	diff -r "$T/in" "$T/out"
	same_as_python "$T/m.eml" "$T/py" "$T/out"
}

@test "munpack finds the same bytes; names: no RFC 2231, space as X" {
	peer_msg
	cd "$T/out"
	run -0 munpack -t "$T/m.eml"
	# munpack 1.6 does not read RFC 2231 parameters (filename*0*=...), so
	# those parts get its own partN names; it turns a space into X.
	expect <<-'E'
	part1 (text/plain)
	part2 (text/html)
	bytes.bin (application/octet-stream)
	notes.txt (text/plain)
	part3 (text/plain)
	part4 (application/pdf)
	withXspace.dat (application/octet-stream)
	E
	cmp bytes.bin "$T/in/bytes.bin"
	cmp notes.txt "$T/in/notes.txt"
	cmp part3 "$T/in/日本語のファイル名.txt"
	cmp part4 "$T/in/Отчёт за год.pdf"
	cmp withXspace.dat "$T/in/with space.dat"
	printf 'Body text\nGrüße\n' | cmp - part1
	cmp part2 "$T/h.html"
	[ "$(names .)" = "$(printf '%s\n' bytes.bin notes.txt part1 part2 part3 part4 withXspace.dat)" ]
}

@test "ripmime finds the same names; text parts gain the delimiter's line end" {
	peer_msg
	run -0 ripmime --no-nameless -i "$T/m.eml" -d "$T/out"
	[ -z "$output" ]
	[ "$(names "$T/out")" = "$(names "$T/in")" ]
	# base64 parts come out byte for byte
	cmp "$T/out/bytes.bin" "$T/in/bytes.bin"
	cmp "$T/out/Отчёт за год.pdf" "$T/in/Отчёт за год.pdf"
	# ripmime 1.4 keeps the line end before a delimiter in 7bit and
	# quoted-printable parts, which RFC 2046 §5.1.1 gives to the
	# delimiter: one LF more than was sent (mimeunpack and Python drop it)
	for f in notes.txt 日本語のファイル名.txt 'with space.dat'; do
		{ cat "$T/in/$f"; echo; } | cmp - "$T/out/$f"
	done
	grep -qx 'Content-Transfer-Encoding: quoted-printable' "$T/m.eml"
}

@test "mblaze mshow -t lists the same parts, types, sizes and names" {
	peer_msg
	mkdir "$T/mblaze"
	: > "$T/mblaze/seq"
	export MBLAZE=$T/mblaze
	mshow -t "$T/m.eml" > "$T/list"
	# mshow numbers the parts in order; a container's size is its raw
	# size, which depends on the encoding, not on the content: N here
	run -0 sed '/multipart/s/size=[0-9]*$/size=N/' "$T/list"
	expect <<-E
	$T/m.eml
	  1: multipart/mixed size=N
	    2: multipart/alternative size=N
	      3: text/plain size=18
	      4: text/html size=10
	    5: application/octet-stream size=1024 name="bytes.bin"
	    6: text/plain size=11 name="notes.txt"
	    7: text/plain size=18 name="日本語のファイル名.txt"
	    8: application/pdf size=5000 name="Отчёт за год.pdf"
	    9: application/octet-stream size=1 name="with space.dat"
	E
}

@test "mblaze mshow -x writes the same names and bytes as mimeunpack -x" {
	peer_msg
	mkdir "$T/mblaze" "$T/mx"
	: > "$T/mblaze/seq"
	export MBLAZE=$T/mblaze
	cd "$T/mx"
	run -0 mshow -x "$T/m.eml"
	diff -r "$T/in" "$T/mx"
	run -0 mimeunpack -l "$T/m.eml"
	expect <<-'E'
	1.1	text/plain	utf-8	quoted-printable	18		
	1.2	text/html	us-ascii	7bit	10		
	2	application/octet-stream		base64	1024	attachment	bytes.bin
	3	text/plain	us-ascii	7bit	11	attachment	notes.txt
	4	text/plain	utf-8	quoted-printable	18	attachment	日本語のファイル名.txt
	5	application/pdf		base64	5000	attachment	Отчёт за год.pdf
	6	application/octet-stream		7bit	1	attachment	with space.dat
	E
}

@test "--crlf message: base64 exact in every peer; CRLF text stays CRLF in them" {
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4)' > "$T/in/bytes.bin"
	printf 'alpha\nbeta\n' > "$T/in/notes.txt"
	printf 'Grüße\n' > "$T/in/Grüße.txt"
	printf 'Body\n' | mimepack --crlf "${FIX[@]}" \
	    -a "$T/in/bytes.bin:application/octet-stream" \
	    -a "$T/in/notes.txt:text/plain" -a "$T/in/Grüße.txt:text/plain" \
	    > "$T/m.eml"
	# mimeunpack makes the line ends LF again
	run -0 mimeunpack -x -d "$T/out" "$T/m.eml"
	diff -r "$T/in" "$T/out"
	# the peers write text with the CRLF of the message
	mkdir "$T/mu" "$T/rm" "$T/ms" "$T/mblaze"
	: > "$T/mblaze/seq"
	(cd "$T/mu" && munpack -q -t "$T/m.eml" > /dev/null)
	ripmime --no-nameless -i "$T/m.eml" -d "$T/rm"
	(cd "$T/ms" && MBLAZE=$T/mblaze mshow -x "$T/m.eml" > /dev/null)
	for d in mu rm ms; do
		cmp "$T/in/bytes.bin" "$T/$d/bytes.bin"
	done
	printf 'alpha\r\nbeta\r\n' | cmp - "$T/ms/notes.txt"
	printf 'Grüße\r\n' | cmp - "$T/ms/Grüße.txt"
	# ripmime: the delimiter's CRLF as well (see above)
	printf 'alpha\r\nbeta\r\n\r\n' | cmp - "$T/rm/notes.txt"
	printf 'Grüße\r\n\r\n' | cmp - "$T/rm/Grüße.txt"
	# munpack 1.6 takes the CR of the empty line after the part header
	# for text, and keeps the CR of the delimiter's line end
	printf '\r\nalpha\r\nbeta\r\n\r' | cmp - "$T/mu/notes.txt"
	[ "$(names "$T/mu")" = "$(printf '%s\n' bytes.bin notes.txt part1 part2)" ]
}

# ---- other packers read by mimeunpack ----

@test "mpack: a binary file comes back byte for byte, Content-MD5 matches" {
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 40)' > "$T/in/all.bin"
	mpack -s 'mpack test' -o "$T/m.eml" "$T/in/all.bin"
	run -0 mimeunpack -l "$T/m.eml"
	[ "$output" = "1	application/octet-stream		base64	10240	inline	all.bin" ]
	run -0 mimeunpack -x -d "$T/out" "$T/m.eml"
	[ "$output" = "$T/out/all.bin" ]
	cmp "$T/in/all.bin" "$T/out/all.bin"
	same_as_python "$T/m.eml" "$T/py" "$T/out"
	md5=$(python3 -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.md5(open(sys.argv[1], "rb").read()).digest()).decode())' "$T/out/all.bin")
	grep -qx "Content-MD5: $md5" "$T/m.eml"
}

@test "mpack: a text file, a UTF-8 name, -d description and -c type" {
	printf 'line one\n\ttab and trailing \nGrüße\n' > "$T/in/Grüße.txt"
	printf 'About the file.\n' > "$T/desc"
	# mpack refuses text/* for -c: it sends every file as base64
	mpack -s subj -d "$T/desc" -c application/pdf -o "$T/m.eml" "$T/in/Grüße.txt"
	run -0 mimeunpack -l "$T/m.eml"
	expect <<-'E'
	1	text/plain			16		
	2	application/pdf		base64	36	inline	Grüße.txt
	E
	run -0 mimeunpack -x -d "$T/out" "$T/m.eml"
	[ "$output" = "$T/out/Grüße.txt" ]
	cmp "$T/in/Grüße.txt" "$T/out/Grüße.txt"
	same_as_python "$T/m.eml" "$T/py" "$T/out"
	run -0 mimeunpack -t "$T/m.eml"
	[ "$output" = "About the file." ]
	# mpack writes the name as raw UTF-8 in a quoted string (RFC 6532)
	grep -q 'filename="Grüße.txt"' "$T/m.eml"
}

# s-nail in send mode with a "sendmail" that writes the message to a
# file: no network, no MTA.  -:/ reads no resource files; -. ends options.
snail() {
	printf '#!/bin/sh\ncat > "%s"\n' "$T/sent.eml" > "$T/mta"
	chmod +x "$T/mta"
	env -i PATH="$PATH" HOME="$T" LC_ALL=C.UTF-8 \
	    s-nail -:/ -S mta="$T/mta" -S sendwait -S ttycharset=utf-8 "$@"
}

@test "s-nail: body, binary, UTF-8 text and RFC 2231 names come back" {
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4)' > "$T/in/bytes.bin"
	printf 'Grüße\n日本語\n' > "$T/in/Отчёт.txt"
	printf 'trailing  \nno newline' > "$T/in/plain.txt"
	cd "$T/in"
	printf 'Body Grüße\n' | snail -s 'Тема' -a bytes.bin -a Отчёт.txt \
	    -a plain.txt -. rcpt@x.test
	grep -q "filename\*=utf-8''%D0%9E%D1%82%D1%87%D1%91%D1%82.txt" "$T/sent.eml"
	run -0 mimeunpack -l "$T/sent.eml"
	expect <<-'E'
	1	text/plain	utf-8	quoted-printable	13	inline	
	2	application/octet-stream		base64	1024	attachment	bytes.bin
	3	text/plain	utf-8	quoted-printable	18	attachment	Отчёт.txt
	4	text/plain	us-ascii	quoted-printable	21	attachment	plain.txt
	E
	run -0 mimeunpack -x -d "$T/out" "$T/sent.eml"
	diff -r "$T/in" "$T/out"
	same_as_python "$T/sent.eml" "$T/py" "$T/out"
	run -0 mimeunpack -t "$T/sent.eml"
	[ "$output" = "Body Grüße" ]
	run -0 hdrparse -h subject "$T/sent.eml"
	[ "$output" = "Тема" ]
}

@test "s-nail: 20 random binary attachments in one message" {
	python3 -c '
import random, sys
r = random.Random(20)
for i in range(1, 21):
    open("%s/r%d.bin" % (sys.argv[1], i), "wb").write(r.randbytes(i * 997))' "$T/in"
	cd "$T/in"
	args=()
	for i in $(seq 1 20); do args+=(-a "r$i.bin"); done
	snail -s many "${args[@]}" -. rcpt@x.test < /dev/null
	run -0 mimeunpack -x -d "$T/out" "$T/sent.eml"
	[ "${#lines[@]}" -eq 20 ]
	diff -r "$T/in" "$T/out"
	same_as_python "$T/sent.eml" "$T/py" "$T/out"
}
