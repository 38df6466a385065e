#!/usr/bin/env bats
# hdrparse: exact output and exit status.  Fixtures in data/hdrparse/;
# every test runs there, so file names in the output are relative.

bats_require_minimum_version 1.5.0

setup() {
	cd "$YUBIN_TESTS/data/hdrparse" || return 1
	T=$BATS_TEST_TMPDIR
}

# Compare $output with the expected text on stdin; show a diff if they
# differ.
expect() {
	diff -u <(cat) <(printf '%s\n' "$output")
}

# The same message with CRLF line ends.
crlf() {
	sed 's/$/\r/' "$1" > "$T/$1"
	printf '%s' "$T/$1"
}

# ---- options and usage ----

@test "-? prints the usage and exits 64" {
	run --separate-stderr hdrparse '-?'
	[ "$status" -eq 64 ]
	[ -z "$output" ]
	[[ "$stderr" == "usage: hdrparse "* ]]
}

@test "an unknown option or a missing argument exits 64" {
	run --separate-stderr hdrparse -x ja.eml
	[ "$status" -eq 64 ]
	[[ "$stderr" == "hdrparse: unknown option -x"* ]]
	run --separate-stderr hdrparse -h
	[ "$status" -eq 64 ]
	[[ "$stderr" == "hdrparse: option -h needs an argument"* ]]
}

@test "-V prints the version" {
	run hdrparse -V
	[ "$status" -eq 0 ]
	[[ "$output" == "hdrparse (yubin) "[0-9]* ]]
}

@test "conflicting modes exit 64" {
	run hdrparse -A -D ja.eml
	[ "$status" -eq 64 ]
	run hdrparse -R -j ja.eml
	[ "$status" -eq 64 ]
	run hdrparse -R -h received ja.eml
	[ "$status" -eq 64 ]
	run hdrparse -r -A -h from ja.eml
	[ "$status" -eq 64 ]
	run hdrparse -h : ja.eml
	[ "$status" -eq 64 ]
}

# ---- the Japanese textbook message (ISO-2022-JP) ----

@test "no options: every field, unfolded and decoded" {
	run hdrparse ja.eml
	[ "$status" -eq 0 ]
	expect <<-'EOF'
	Return-Path: <taro@example.jp>
	Received: from mx.example.net (mx.example.net [192.0.2.25])\tby mail.example.ac.jp (Postfix) with ESMTPS id 4ZBc1x2Y3z\tfor <hanako@example.ac.jp>; Mon,  7 Apr 2025 10:00:09 +0900 (JST)
	Received: from smtp.example.jp (smtp.example.jp [198.51.100.7])\tby mx.example.net (8.17.1/8.17.1) with ESMTP id 537106G0012345\tfor <hanako@example.ac.jp>; Mon, 07 Apr 2025 10:00:06 +0900
	Received: from [192.168.1.10] (pc01.example.jp [192.168.1.10])\tby smtp.example.jp (Postfix) with ESMTPSA id 1F2E3D4C5B;\tMon, 7 Apr 2025 10:00:00 JST
	Date: Mon, 7 Apr 2025 09:59:58 +0900
	From: 山田太郎 <taro@example.jp>
	To: 鈴木花子 <hanako@example.ac.jp>
	Subject: 会議のお知らせ
	Message-ID: <20250407095958.1234@example.jp>
	MIME-Version: 1.0
	Content-Type: text/plain; charset=ISO-2022-JP
	Content-Transfer-Encoding: 7bit
	EOF
}

@test "-h subject: the ISO-2022-JP subject in UTF-8" {
	run hdrparse -h subject ja.eml
	[ "$status" -eq 0 ]
	[ "$output" = "会議のお知らせ" ]
}

@test "-h reads stdin when no file is given" {
	run hdrparse -h Subject < ja.eml
	[ "$status" -eq 0 ]
	[ "$output" = "会議のお知らせ" ]
}

@test "-A -h from: the ISO-2022-JP display name" {
	run hdrparse -A -h from ja.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'taro@example.jp\t山田太郎')" ]
}

@test "-N -h subject:from:to names the fields, in header order" {
	run hdrparse -N -h subject:from:to ja.eml
	[ "$status" -eq 0 ]
	expect <<-'EOF'
	From: 山田太郎 <taro@example.jp>
	To: 鈴木花子 <hanako@example.ac.jp>
	Subject: 会議のお知らせ
	EOF
}

@test "-R: the route, oldest hop first, with delays (JST and +0900)" {
	run hdrparse -R ja.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
	    '2025-04-07T01:00:00Z	[192.168.1.10]	smtp.example.jp	ESMTPSA	' \
	    '2025-04-07T01:00:06Z	smtp.example.jp	mx.example.net	ESMTP	6' \
	    '2025-04-07T01:00:09Z	mx.example.net	mail.example.ac.jp	ESMTPS	3')" ]
}

@test "-R: negative delays, a hop without a date, keywords in any case" {
	run hdrparse -R route.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
	    '2025-04-01T12:00:05Z	x	a.test	HTTP	' \
	    '2025-04-01T12:00:00Z	a.test	b.test	SMTP	-5' \
	    '	b.test	c.test	local	' \
	    '2025-04-01T12:00:30Z		mail.test		')" ]
}

@test "-R without Received fields exits 1" {
	run hdrparse -R dates.eml
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "-D: the Date in UTC" {
	run hdrparse -D ja.eml
	[ "$status" -eq 0 ]
	[ "$output" = "2025-04-07T00:59:58Z" ]
}

@test "-r: raw values, unfolded but not decoded" {
	run hdrparse -r -h subject:from ja.eml
	[ "$status" -eq 0 ]
	expect <<-'EOF'
	=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?= <taro@example.jp>
	=?ISO-2022-JP?B?GyRCMnE1RCROJCpDTiRpJDsbKEI=?=
	EOF
}

# ---- Russian ----

@test "KOI8-R subject and name" {
	run hdrparse -h subject ru-koi8.eml
	[ "$status" -eq 0 ]
	[ "$output" = "Привет, мир" ]
	run hdrparse -A -h from ru-koi8.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'ivan@example.ru\tИван Петров')" ]
}

@test "windows-1251 subject and name (Q encoding)" {
	run hdrparse -h subject ru-1251.eml
	[ "$status" -eq 0 ]
	[ "$output" = "Отчёт за квартал" ]
	run hdrparse -A -h from ru-1251.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'petr@example.ru\tПётр')" ]
}

# ---- addresses ----

@test "-A: an encoded comma stays inside the display name" {
	run hdrparse -A -h from addr.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'h@x.test\tMüller, Hans')" ]
}

@test "-A: a quoted comma, a group flattened, an empty group" {
	run hdrparse -A -h to addr.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' 'j@x.test	Doe, John' 'a@x.test	' \
	    'b@x.test	Bob')" ]
}

@test "-A: comments" {
	run hdrparse -A -h cc addr.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' 'c@x.test	Carol Comment' \
	    'd@x.test	Dave')" ]
}

@test "-A: an unterminated encoded word is kept as it is" {
	run hdrparse -A -h bcc addr.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'e@x.test\t=?UTF-8?B?broken')" ]
	run hdrparse -h subject addr.eml
	[ "$output" = "=?UTF-8?Q?unterminated" ]
}

@test "-A: only an empty group prints nothing and exits 1" {
	run hdrparse -A -h reply-to addr.eml
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "-A without -h: From, Sender, Reply-To, To, Cc, Bcc in header order" {
	run hdrparse -N -A addr.eml
	[ "$status" -eq 0 ]
	expect <<-'EOF'
	From: h@x.test	Müller, Hans
	To: j@x.test	Doe, John
	To: a@x.test	
	To: b@x.test	Bob
	Cc: c@x.test	Carol Comment
	Cc: d@x.test	Dave
	Bcc: e@x.test	=?UTF-8?B?broken
	EOF
}

# ---- dates ----

@test "-D: the obsolete date forms" {
	run --separate-stderr hdrparse -N -D -h 'date:x-two-digit:x-two-digit-99:x-two-digit-50:x-three-digit:x-est:x-gmt:x-ut:x-jst:x-no-seconds:x-no-weekday:x-minus-zero:x-comment:x-folded:x-bad' dates.eml
	[ "$status" -eq 0 ]
	expect <<-'EOF'
	Date: 2005-11-18T02:00:41Z
	X-Two-Digit: 2005-11-18T02:00:41Z
	X-Two-Digit-99: 1999-11-18T02:00:41Z
	X-Two-Digit-50: 1950-01-01T00:00:00Z
	X-Three-Digit: 2005-11-18T02:00:41Z
	X-EST: 2005-11-18T02:00:41Z
	X-GMT: 2005-11-18T02:00:41Z
	X-UT: 2005-11-18T02:00:41Z
	X-JST: 2005-11-18T02:00:41Z
	X-No-Seconds: 2005-11-18T02:00:00Z
	X-No-Weekday: 2005-11-18T02:00:41Z
	X-Minus-Zero: 2005-11-18T02:00:41Z
	X-Comment: 2005-11-18T02:00:41Z
	X-Folded: 2005-11-18T02:00:41Z
	EOF
	[ "$stderr" = "hdrparse: dates.eml: X-Bad: not a date: next Tuesday" ]
}

@test "-D: only an unparsable date prints nothing, warns, exits 1" {
	run --separate-stderr hdrparse -D -h x-bad dates.eml
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "hdrparse: dates.eml: X-Bad: not a date: next Tuesday" ]
}

# ---- line ends and odd input ----

@test "LF and CRLF give the same output" {
	local f
	# both against the expected output, so that two empty outputs fail
	for f in ja.eml addr.eml dates.eml route.eml odd.eml mime.eml; do
		for o in "" "-A" "-R" "-j -h subject" "-D -h date" \
		    "-p filename -h content-disposition"; do
			echo "## $f $o"
			hdrparse $o "$f" 2>&1 | sed "s|$f|F|"
			echo "status ${PIPESTATUS[0]}"
		done
	done > "$T/lf"
	for f in ja.eml addr.eml dates.eml route.eml odd.eml mime.eml; do
		for o in "" "-A" "-R" "-j -h subject" "-D -h date" \
		    "-p filename -h content-disposition"; do
			echo "## $f $o"
			hdrparse $o "$(crlf "$f")" 2>&1 | sed "s|$T/$f|F|"
			echo "status ${PIPESTATUS[0]}"
		done
	done > "$T/crlf"
	diff -u lf-crlf.want "$T/lf"
	diff -u lf-crlf.want "$T/crlf"
}

@test "folds, a NUL, controls, a 5000-byte line; a line without a colon ends the header" {
	run hdrparse odd.eml
	[ "$status" -eq 0 ]
	long=$(head -c 5000 /dev/zero | tr '\0' x)
	[ "$output" = "$(printf '%s\n' 'Subject: folded over three\tlines' \
	    'X-Nul: a\x00b' 'X-Ctl: a x\r\ny\tz b' "X-Long: $long" \
	    'From: a@x.test')" ]
}

@test "a TAB in a display name is escaped, not a column (-A)" {
	printf 'To: "a\tb" <x@y.test>\n\n' > "$T/tab.eml"
	run hdrparse -A "$T/tab.eml"
	[ "$status" -eq 0 ]
	[ "$output" = 'x@y.test	a\tb' ]
}

@test "a file name with TAB and LF cannot split the -H record" {
	f=$(printf '%s/a\tb\nc' "$T")
	printf 'Subject: s\n\n' > "$f"
	run hdrparse -H -h subject "$f"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/a\\tb\\nc	s" ]
	run hdrparse -H -m 'subject~s' "$f"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/a\\tb\\nc" ]
}

@test "an encoded TAB (=09) in a decoded Subject cannot add a column" {
	printf 'Subject: =?UTF-8?Q?a=09b=0Ac=5Cd=1B?= \\ \n\n' > "$T/q.eml"
	hdrparse -H -h subject "$T/q.eml" > "$T/out"
	printf '%s\t%s\n' "$T/q.eml" 'a\tb\nc\\d\x1b \\' | cmp - "$T/out"
	hdrparse -h subject -r "$T/q.eml" > "$T/out"
	printf '%s\n' '=?UTF-8?Q?a=09b=0Ac=5Cd=1B?= \\' | cmp - "$T/out"
}

@test "invalid UTF-8 in a raw value is U+FFFD in the record" {
	printf 'Subject: caf\351\n\n' > "$T/l1.eml"
	hdrparse -r -h subject "$T/l1.eml" > "$T/out"
	printf 'caf\357\277\275\n' | cmp - "$T/out"
}

@test "a character split across two encoded words; raw UTF-8 (RFC 6532)" {
	run hdrparse split.eml
	[ "$status" -eq 0 ]
	expect <<-'EOF'
	Subject: 会議 split
	X-Raw-UTF8: 会議 raw
	EOF
}

@test "where Python differs: adjacent encoded words in a name, trailing space" {
	printf 'To: =?UTF-8?B?0J/RgNC4?= =?UTF-8?B?0LLQtdGC?= <p@x.test>\nSubject: =?UTF-8?Q?a?=   \n\n' > "$T/py.eml"
	run hdrparse -A -h to "$T/py.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'p@x.test\tПривет')" ]
	run hdrparse -h subject "$T/py.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "a" ]
}

@test "an mbox From_ line before the header is skipped" {
	run hdrparse fromline.eml
	[ "$status" -eq 0 ]
	[ "$output" = "Subject: after the From_ line" ]
}

@test "a header without a body, and empty input" {
	printf 'Subject: only a header' > "$T/nobody.eml"
	run hdrparse -h subject "$T/nobody.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "only a header" ]
	run hdrparse -h subject < /dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	run hdrparse < /dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

# ---- -h and exit status ----

@test "-h: a missing field exits 1 and prints nothing" {
	run hdrparse -h x-nothing:x-none ja.eml
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "-h: every occurrence, in header order" {
	run hdrparse -h received:return-path route.eml
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[2]}" = "FROM a.test (helo=a) BY b.test (Exim 4.96)\tWith SMTP (TLS1.3) id 1tz; Tue, 01 Apr 2025 12:00:00 +0000" ]
}

# ---- MIME parameters ----

@test "-p charset" {
	run hdrparse -h content-type -p charset mime.eml
	[ "$status" -eq 0 ]
	[ "$output" = "ISO-2022-JP" ]
	run hdrparse -p charset mime.eml
	[ "$output" = "ISO-2022-JP" ]
}

@test "-p filename with RFC 2231 continuations and charset" {
	run hdrparse -h content-disposition -p filename mime.eml
	[ "$status" -eq 0 ]
	[ "$output" = "会議資料.pdf" ]
}

@test "-p: a missing parameter exits 1" {
	run hdrparse -h content-type -p boundary mime.eml
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

# ---- -m ----

@test "-m: true, false, negated, several" {
	run hdrparse -m 'subject~会議' ja.eml
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run hdrparse -m 'Subject~^会議の' -m 'from~TARO@example' ja.eml
	[ "$status" -eq 0 ]
	run hdrparse -m 'subject~会議' -m 'from~hanako' ja.eml
	[ "$status" -eq 1 ]
	run hdrparse -m 'subject!~会議' ja.eml
	[ "$status" -eq 1 ]
	run hdrparse -m 'x-spam!~yes' ja.eml
	[ "$status" -eq 0 ]
	run hdrparse -m 'x-spam~.*' ja.eml
	[ "$status" -eq 1 ]
}

@test "-m: any occurrence of the field may match" {
	# the second and the third Received field, not the first
	run --separate-stderr hdrparse -m 'received~by mx\.example\.net' ja.eml
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	run --separate-stderr hdrparse -m 'received~by smtp\.example\.jp' ja.eml
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	# and none of them
	run --separate-stderr hdrparse -m 'received~by smtp\.example\.net' ja.eml
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "-m: a bad regex or a missing ~ exits 64" {
	run --separate-stderr hdrparse -m 'subject~(' ja.eml
	[ "$status" -eq 64 ]
	[[ "$stderr" == "hdrparse: -m (: "* ]]
	run hdrparse -m 'subject' ja.eml
	[ "$status" -eq 64 ]
	run hdrparse -m '~x' ja.eml
	[ "$status" -eq 64 ]
}

@test "-m with -h prints the fields of matching messages only" {
	run hdrparse -m 'list-id~yubin' -h subject Maildir
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' 'first' 'third ✓')" ]
	run hdrparse -m 'list-id~nomatch' -h subject Maildir
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "-m alone prints nothing; with -H, the matching file names" {
	run hdrparse -m 'from~^(alice|bob)@' Maildir
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run hdrparse -H -m 'from~^(alice|bob)@' Maildir
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' 'Maildir/new/1700000000.M1P100.host' \
	    'Maildir/cur/1700000001.M2P100.host:2,S')" ]
}

# ---- inputs ----

@test "a Maildir with -H: cur/ and new/ in file-name order, dot files skipped" {
	run hdrparse -H -h subject Maildir/
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' \
	    'Maildir/new/1700000000.M1P100.host	first' \
	    'Maildir/cur/1700000001.M2P100.host:2,S	second' \
	    'Maildir/new/1700000002.M3P100.host	third ✓')" ]
}

@test "a Maildir without -H: the values alone, as mhdr prints them" {
	run hdrparse -h subject Maildir
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' first second 'third ✓')" ]
}

@test "-H with one file; several files get names without -H" {
	run hdrparse -H -h subject ja.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'ja.eml\t会議のお知らせ')" ]
	run hdrparse -h subject ru-koi8.eml ru-1251.eml
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' 'ru-koi8.eml	Привет, мир' \
	    'ru-1251.eml	Отчёт за квартал')" ]
}

@test "a missing file: a warning, the others read, exit 66" {
	run --separate-stderr hdrparse -h subject nonexistent.eml ru-koi8.eml
	[ "$status" -eq 66 ]
	[ "$output" = "$(printf 'ru-koi8.eml\tПривет, мир')" ]
	[ "$stderr" = "hdrparse: nonexistent.eml: No such file or directory" ]
}

@test "a big Maildir comes out whole and in order" {
	mkdir -p "$T/md/cur" "$T/md/new"
	for i in $(seq 1000 1299); do
		printf 'Subject: m%s\n\nBody.\n' "$i" > "$T/md/$( [ $((i % 3)) = 0 ] && echo cur || echo new)/$i.x"
	done
	run hdrparse -h subject "$T/md"
	[ "$status" -eq 0 ]
	[ "$output" = "$(seq -f 'm%g' 1000 1299)" ]
}

@test "a Maildir entry that cannot be opened: a warning, the rest, 66" {
	mkdir -p "$T/md2/cur" "$T/md2/new"
	printf 'Subject: one\n\n' > "$T/md2/new/1"
	ln -s nowhere "$T/md2/new/2"
	printf 'Subject: three\n\n' > "$T/md2/cur/3"
	run --separate-stderr hdrparse -h subject "$T/md2"
	[ "$status" -eq 66 ]
	[ "$output" = "$(printf '%s\n' one three)" ]
	[ "$stderr" = "hdrparse: $T/md2/new/2: No such file or directory" ]
}

@test "a FIFO, a symlink to /dev/zero and a directory in a Maildir are skipped, not read" {
	mkdir -p "$T/md3/cur/sub" "$T/md3/new"
	printf 'Subject: one\n\n' > "$T/md3/new/1"
	mkfifo "$T/md3/new/2"
	ln -s /dev/zero "$T/md3/new/3"
	ln -s ../new/1 "$T/md3/cur/4"
	printf 'Subject: five\n\n' > "$T/md3/cur/5"
	run --separate-stderr timeout 60 hdrparse -H -h subject "$T/md3"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\tone\n' "$T/md3/new/1" "$T/md3/cur/4"; printf '%s\tfive' "$T/md3/cur/5")" ]
	[ -z "$stderr" ]
}

@test "a Maildir's messages are not stat'ed one by one: d_type lists them, a header ending in its blank line needs no fstat" {
	command -v strace >/dev/null || skip "no strace"
	mkdir -p "$T/md4/cur" "$T/md4/new"
	# 40 messages of 999 bytes each: a size nothing else here has
	for i in $(seq 10 49); do
		{ printf 'Subject: s%s\n\n' "$i"; head -c 985 /dev/zero | tr '\0' b; } > "$T/md4/cur/m$i"
	done
	[ "$(wc -c < "$T/md4/cur/m10")" -eq 999 ]
	# a header that ends at EOF is checked (fstat) and read all the same
	printf 'Subject: s50' > "$T/md4/new/m50"
	# LeakSanitizer cannot run under ptrace: the sanitizer build's leak
	# check is off for this one run
	ASAN_OPTIONS=detect_leaks=0 run --separate-stderr strace -f -qq \
	    -o "$T/trace" -e trace=%stat,%fstat hdrparse -h subject "$T/md4"
	[ "$status" -eq 0 ]
	[ "$output" = "$(seq -f 's%g' 10 50)" ]
	[ -z "$stderr" ]
	run grep -c 'st_size=999,' "$T/trace"
	[ "$output" = 0 ]
}

@test "endless input ends: /dev/zero is a body at once (1), endless fields pass the 1 MiB cap (65)" {
	# a line of NULs is no field: the header ends before it (hdr_line)
	run --separate-stderr timeout 60 hdrparse -h subject /dev/zero
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	run --separate-stderr timeout 60 hdrparse -h subject < /dev/zero
	[ "$status" -eq 1 ]
	run --separate-stderr timeout 60 sh -c "yes 'X-A: b' | hdrparse -h subject"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[ "$stderr" = "hdrparse: -: header longer than 1048576 bytes" ]
	{ printf 'From '; head -c 2000000 /dev/zero; } > "$T/from"
	run --separate-stderr timeout 60 hdrparse "$T/from"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
}

@test "a header over 1 MiB: nothing printed for it, the other files read, exit 65" {
	{ printf 'Subject: big\nX-Big: '; head -c 1100000 /dev/zero | tr '\0' x; printf '\n\nbody\n'; } > "$T/big.eml"
	run --separate-stderr hdrparse -h subject "$T/big.eml" ru-koi8.eml
	[ "$status" -eq 65 ]
	[ "$output" = "$(printf 'ru-koi8.eml\tПривет, мир')" ]
	[ "$stderr" = "hdrparse: $T/big.eml: header longer than 1048576 bytes" ]
}

@test "warnings quote a file name under the safe-text rule" {
	f=$(printf '%s/a\tb\033[2J' "$T")
	run -66 --separate-stderr hdrparse -h subject "$f"
	[ "$stderr" = "hdrparse: $T/a\\tb\\x1b[2J: No such file or directory" ]
}

@test "a directory that is not a Maildir exits 66" {
	mkdir "$T/empty"
	run --separate-stderr hdrparse -h subject "$T/empty"
	[ "$status" -eq 66 ]
	[[ "$stderr" == *"not a Maildir"* ]]
}

@test "a read error exits 74" {
	[ -r /proc/self/mem ] || skip "no /proc"
	run hdrparse /proc/self/mem
	[ "$status" -eq 74 ]
}

@test "a write error on stdout exits 74" {
	[ -w /dev/full ] || skip "no /dev/full"
	run sh -c 'hdrparse ja.eml > /dev/full'
	[ "$status" -eq 74 ]
}

# ---- JSON ----

@test "-j: one exact JSON object per message" {
	run hdrparse -j json.eml
	[ "$status" -eq 0 ]
	expect <<-'EOF'
	{"file":"json.eml","fields":[{"name":"From","raw":"=?UTF-8?B?5bGx55Sw?= <taro@example.jp>","value":"山田 <taro@example.jp>"},{"name":"Subject","raw":"say \"hi\" \\ =?UTF-8?Q?caf=C3=A9?=","value":"say \"hi\" \\ café"},{"name":"X-Raw","raw":"caf� ok","value":"caf� ok"},{"name":"X-Tab","raw":"a\u0009b","value":"a\u0009b"}]}
	EOF
}

@test "-j -h: only those fields; stdin is named -" {
	run hdrparse -j -h subject < ja.eml
	[ "$status" -eq 0 ]
	[ "$output" = '{"file":"-","fields":[{"name":"Subject","raw":"=?ISO-2022-JP?B?GyRCMnE1RCROJCpDTiRpJDsbKEI=?=","value":"会議のお知らせ"}]}' ]
}

@test "-j output is valid JSON for python" {
	hdrparse -j ja.eml odd.eml json.eml split.eml > "$T/out.json"
	python3 -c 'import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    json.loads(line); n += 1
assert n == 4, n' "$T/out.json"
}

@test "-A: an address list that does not parse whole is warned about, not cut silently" {
	printf 'To: c@z.test, a@x.test b@y.test, <>\nCc: d@w.test (open\n\n' >"$BATS_TEST_TMPDIR/m"
	run -0 --separate-stderr hdrparse -A "$BATS_TEST_TMPDIR/m"
	[ "$output" = "$(printf 'c@z.test\t\na@x.test\t\nd@w.test\topen')" ]
	[ "$stderr" = "$(printf "hdrparse: %s: To: 2 address(es) not read whole, the first: 'a@x.test b@y.test'\nhdrparse: %s: Cc: 1 address(es) not read whole, the first: 'd@w.test (open'" "$BATS_TEST_TMPDIR/m" "$BATS_TEST_TMPDIR/m")" ]
}

# ---- where the header ends: the rule of every reader (hdr_line) ----

@test "a From split from its colon is read as From, by every option (LF, CRLF)" {
	for f in split-colon.eml "$(crlf split-colon.eml)"; do
		run --separate-stderr hdrparse "$f"
		[ "$status" -eq 0 ]
		expect <<-'EOF'
		From: <any@attack.com>
		To: b@x.test
		Subject: hi
		EOF
		[ -z "$stderr" ]
		run --separate-stderr hdrparse -A -h from "$f"
		[ "$status" -eq 0 ]
		[ "$output" = "any@attack.com	" ]
		run -0 hdrparse -m 'from~attack' "$f"
	done
}

@test "a header without an empty line: its fields, never a body line as a field (LF, CRLF)" {
	for f in noblank.eml "$(crlf noblank.eml)"; do
		run --separate-stderr hdrparse "$f"
		[ "$status" -eq 0 ]
		expect <<-'EOF'
		From: a@x.test
		Subject: s
		EOF
		[ -z "$stderr" ]
		run --separate-stderr hdrparse -h ps "$f"
		[ "$status" -eq 1 ]
		[ -z "$output" ]
	done
}

@test "a byte order mark does not hide the first field (LF, CRLF)" {
	for f in bom.eml "$(crlf bom.eml)"; do
		run --separate-stderr hdrparse "$f"
		[ "$status" -eq 0 ]
		expect <<-'EOF'
		Content-Type: text/html
		Subject: bom
		EOF
		run -0 hdrparse -h content-type "$f"
		[ "$output" = text/html ]
	done
}

@test "the same rule in a Maildir, read ahead on threads (hdrq)" {
	mkdir -p "$T/md/new" "$T/md/cur" "$T/md/tmp"
	cp split-colon.eml "$T/md/new/1"
	cp noblank.eml "$T/md/new/2"
	cp bom.eml "$T/md/new/3"
	run --separate-stderr hdrparse -H -h from:content-type:ps "$T/md"
	[ "$status" -eq 0 ]
	expect <<-EOF
	$T/md/new/1	<any@attack.com>
	$T/md/new/2	a@x.test
	$T/md/new/3	text/html
	EOF
}

@test "bad data outranks a missing file: the worst status is 65, not the largest 66" {
	{ printf 'Subject: '; head -c 1100000 /dev/zero | tr '\0' a; } > "$T/long.eml"
	run --separate-stderr hdrparse -h subject "$T/long.eml" "$T/missing.eml"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	run --separate-stderr hdrparse -h subject "$T/missing.eml" "$T/long.eml"
	[ "$status" -eq 65 ]
}

# ---- mboxes: every message, named FILE:N ----

@test "an mbox gives every message, not only the first" {
	run --separate-stderr hdrparse -h subject three.mbox
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	expect <<-'E'
	one
	two
	three
	E
}

@test "an mbox's messages are named FILE:N with -H and -j" {
	run --separate-stderr hdrparse -H -h subject three.mbox json.eml
	[ "$status" -eq 0 ]
	expect <<-'E'
	three.mbox:1	one
	three.mbox:2	two
	three.mbox:3	three
	json.eml	say "hi" \\ café
	E
	run --separate-stderr hdrparse -j -h subject three.mbox
	expect <<-'E'
	{"file":"three.mbox:1","fields":[{"name":"Subject","raw":"one","value":"one"}]}
	{"file":"three.mbox:2","fields":[{"name":"Subject","raw":"two","value":"two"}]}
	{"file":"three.mbox:3","fields":[{"name":"Subject","raw":"three","value":"three"}]}
	E
}

@test "a >From line in an mbox body is no message and no field; stdin is an mbox too" {
	run --separate-stderr hdrparse -H -h from - < three.mbox
	[ "$status" -eq 0 ]
	expect <<-'E'
	-:1	alice@example.com
	-:2	bob@example.com
	E
}

@test "a field 'From : x' of the obsolete syntax is a field, not an mbox From_ line" {
	printf 'From : a@x.test\nSubject: s\n\nFrom me\n' > "$T/obs.eml"
	run --separate-stderr hdrparse -H -h from:subject "$T/obs.eml"
	[ "$status" -eq 0 ]
	expect <<-E
	$T/obs.eml	a@x.test
	$T/obs.eml	s
	E
}
