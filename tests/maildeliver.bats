#!/usr/bin/env bats
# maildeliver: Maildir and mbox delivery, mboxrd, locking, failures.
# Runs as root in CI: "read-only" is a read-only bind mount in a private
# mount namespace (unshare -m), "full" is a file size limit (prlimit).

setup() {
	D=$YUBIN_TESTS/data/maildeliver
	T=$BATS_TEST_TMPDIR
	M=$T/Maildir
}

# A world-writable sticky directory, like /var/mail, that user nobody
# can reach (the test's own directory is private).
STICKY=
mksticky() {
	STICKY=$(mktemp -d /tmp/yubin-sticky.XXXXXX)
	chmod 1777 "$STICKY"
}

teardown() {
	[ -z "$STICKY" ] || rm -rf "$STICKY"
}

mkmd() {
	mkdir -p "$1/tmp" "$1/new" "$1/cur"
}

# Nothing in the Maildir's new/ and tmp/.
md_empty() {
	[ -z "$(ls -A "$1/new")" ] && [ -z "$(ls -A "$1/tmp")" ]
}

# The one file in $1/new (fails unless there is exactly one).
one_new() {
	local n
	n=$(ls "$1/new" | wc -l)
	[ "$n" -eq 1 ] || { echo "expected 1 file in $1/new, found $n" >&2; return 1; }
	echo "$1/new/$(ls "$1/new")"
}

# A test message with a unique id, a distinct body of about $2 lines,
# and lines that mbox quoting must survive.
mkmsg() {
	awk -v i="$1" -v n="${2:-20}" 'BEGIN {
		printf "From: sender%d@example.org\nTo: bob@example.org\n", i
		printf "Subject: message %d\nX-Id: %d\n\n", i, i
		for (j = 0; j < n; j++)
			printf "message %d line %d %d\n", i, j, i * 7919 + j
		printf "From %d\n>From %d\n>>From %d\nend of %d\n", i, i, i, i
	}'
}

# Check every file of the Maildir $1 against $T/src.ID; print the ids.
check_maildir_against_sources() {
	local f id
	for f in "$1"/new/*; do
		[ -e "$f" ] || continue
		id=$(sed -n 's/^X-Id: //p' "$f")
		[ -n "$id" ] || { echo "no X-Id in $f" >&2; return 1; }
		cmp "$f" "$T/src.$id" >&2 || return 1
		echo "$id"
	done
}

@test "-h prints the usage and -V the version" {
	run maildeliver -h
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: maildeliver [-cmnsv] "* ]]
	run maildeliver -V
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^maildeliver\ \(yubin\)\ [0-9] ]]
	run maildeliver -x "$M"
	[ "$status" -eq 64 ]
	run maildeliver
	[ "$status" -eq 64 ]
}

@test "Maildir: one file in new/, byte-identical, -v prints its path" {
	mkmd "$M"
	run maildeliver -v "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	f=$(one_new "$M")
	[ "$output" = "$f" ]
	[[ "$f" =~ /new/[0-9]+\.M[0-9]+P[0-9]+Q1\.[^/]+$ ]]
	cmp "$D/plain.eml" "$f"
	[ -z "$(ls "$M/tmp")" ]
	[ "$(stat -c %a "$f")" = 600 ]
}

@test "-v: a TAB or LF in DEST cannot split the printed path" {
	M=$(printf '%s/a\tb\nc' "$T")
	mkmd "$M"
	maildeliver -v "$M" < "$D/plain.eml" > "$T/out"
	f=$(ls "$M/new")
	printf '%s/a\\tb\\nc/new/%s\n' "$T" "$f" | cmp - "$T/out"
	cmp "$D/plain.eml" "$M/new/$f"
}

@test "Maildir: CRLF input is stored with LF" {
	mkmd "$M"
	sed 's/$/\r/' "$D/plain.eml" > "$T/crlf.eml"
	grep -q $'\r' "$T/crlf.eml"
	maildeliver "$M" < "$T/crlf.eml"
	cmp "$D/plain.eml" "$(one_new "$M")"
}

@test "Maildir: a leading From line is not stored" {
	mkmd "$M"
	{ echo "From alice@example.org Sat Nov 18 10:00:00 2023"; cat "$D/plain.eml"; } |
	    maildeliver "$M"
	cmp "$D/plain.eml" "$(one_new "$M")"
}

@test "-A adds fields at the top, in order" {
	mkmd "$M"
	maildeliver -A 'X-Filter: yubin' -A 'Delivered-To:bob@example.org' "$M" < "$D/plain.eml"
	{ printf 'X-Filter: yubin\nDelivered-To:bob@example.org\n'; cat "$D/plain.eml"; } > "$T/want"
	cmp "$T/want" "$(one_new "$M")"
}

@test "-A refuses line ends and bad field names with 64" {
	mkmd "$M"
	run maildeliver -A $'X-A: 1\nBcc: evil@example.org' "$M" < "$D/plain.eml"
	[ "$status" -eq 64 ]
	run maildeliver -A $'X-A: 1\r' "$M" < "$D/plain.eml"
	[ "$status" -eq 64 ]
	run maildeliver -A 'Bad Name: x' "$M" < "$D/plain.eml"
	[ "$status" -eq 64 ]
	run maildeliver -A 'no colon' "$M" < "$D/plain.eml"
	[ "$status" -eq 64 ]
	run maildeliver -A ': empty name' "$M" < "$D/plain.eml"
	[ "$status" -eq 64 ]
	md_empty "$M"
}

@test "-f adds Return-Path on top and replaces the old ones" {
	mkmd "$M"
	maildeliver -f '<bob@example.org>' "$M" < "$D/returnpath.eml"
	{ echo 'Return-Path: <bob@example.org>'
	  grep -v -e '^Return-Path: <old' -e '^return-path :' -e '^  <folded' "$D/returnpath.eml"
	} > "$T/want"
	grep -q 'in-the-body' "$T/want"
	cmp "$T/want" "$(one_new "$M")"
}

@test "-f '' gives Return-Path: <> and a MAILER-DAEMON From line" {
	maildeliver -m -f '' "$T/mbox" < "$D/plain.eml"
	run sed -n 1,2p "$T/mbox"
	[[ "${lines[0]}" =~ ^From\ MAILER-DAEMON\  ]]
	[ "${lines[1]}" = "Return-Path: <>" ]
	run maildeliver -f $'a\nb' -m "$T/mbox" < "$D/plain.eml"
	[ "$status" -eq 64 ]
}

@test "missing Maildir: 73 without -c, created with -c" {
	run maildeliver "$M" < "$D/plain.eml"
	[ "$status" -eq 73 ]
	[ "$output" = "maildeliver: $M: not a Maildir (no tmp/ and new/; -c creates one)" ]
	[ ! -e "$M" ]
	maildeliver -c "$M/" < "$D/plain.eml"
	[ -d "$M/tmp" ]
	[ -d "$M/new" ]
	[ -d "$M/cur" ]
	[ "$(stat -c %a "$M" "$M/tmp" "$M/new" "$M/cur" | sort -u)" = 700 ]
	cmp "$D/plain.eml" "$(one_new "$M")"
}

@test "-c creates a Maildir++ folder, its parent and maildirfolder" {
	maildeliver -c -v "$M/.Lists.yubin" < "$D/plain.eml"
	for d in "$M" "$M/.Lists.yubin"; do
		[ -d "$d/tmp" ]
		[ -d "$d/new" ]
		[ -d "$d/cur" ]
	done
	[ -f "$M/.Lists.yubin/maildirfolder" ]
	[ ! -e "$M/maildirfolder" ]
	[ -z "$(ls "$M/new")" ]
	cmp "$D/plain.eml" "$(one_new "$M/.Lists.yubin")"
}

@test "a dot directory under a non-Maildir is an ordinary Maildir" {
	mkdir -p "$T/home"
	touch "$T/home/.profile"
	maildeliver -c "$T/home/.maildir" < "$D/plain.eml"
	[ ! -e "$T/home/.maildir/maildirfolder" ]
	[ ! -e "$T/home/new" ]
	cmp "$D/plain.eml" "$(one_new "$T/home/.maildir")"
}

@test "a file as a Maildir is 73" {
	echo x > "$T/file"
	run maildeliver "$T/file" < "$D/plain.eml"
	[ "$status" -eq 73 ]
	[ "$output" = "maildeliver: $T/file: not a directory (-m delivers to an mbox file)" ]
	run maildeliver -m "$T" < "$D/plain.eml"
	[ "$status" -eq 73 ]
}

@test "empty input is 65, and nothing is written" {
	mkmd "$M"
	run maildeliver "$M" < /dev/null
	[ "$status" -eq 65 ]
	[ "$output" = "maildeliver: stdin: empty message" ]
	run maildeliver "$M" <<< "From alice@example.org Sat Nov 18 10:00:00 2023"
	[ "$status" -eq 65 ]
	run maildeliver -m "$T/mbox" < /dev/null
	[ "$status" -eq 65 ]
	[ ! -s "$T/mbox" ]
	run maildeliver -s "$M" < /dev/null
	[ "$status" -eq 65 ]
	run maildeliver -s "$M" < "$D/plain.eml"
	[ "$status" -eq 65 ]
	md_empty "$M"
}

@test "a read error on stdin is 74" {
	mkmd "$M"
	run maildeliver "$M" < /
	[ "$status" -eq 74 ]
	[[ "$output" == "maildeliver: stdin: "* ]]
	md_empty "$M"
}

@test "-r with rules that cannot be read: 78, nothing delivered" {
	mkmd "$M"
	run maildeliver -r "$T/rules" "$M" < "$D/plain.eml"
	[ "$status" -eq 78 ]
	[ "$output" = "maildeliver: $T/rules: No such file or directory" ]
	[ -z "$(ls "$M/new")" ]
}

@test "-n says what would be done and writes nothing" {
	run maildeliver -n -c -f bob@example.org "$M/.Lists" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	size=$(( $(wc -c < "$D/plain.eml") + 31 ))
	[ "$output" = "would deliver $size bytes from bob@example.org to Maildir++ folder .Lists of $M (would be created)" ]
	[ ! -e "$M" ]
	run maildeliver -n "$M" < "$D/plain.eml"
	[ "$status" -eq 73 ]
	run maildeliver -n -m -s "$T/mbox" < "$D/three.mbox"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[1]}" =~ ^would\ deliver\ [0-9]+\ bytes\ from\ carol@example.org\ to\ mbox\ $T/mbox\ \(would\ be\ created\)$ ]]
	[ ! -e "$T/mbox" ]
}

@test "mbox: From line, quoting, empty line after each message" {
	maildeliver -m -f alice@example.org "$T/mbox" < "$D/fromlines.eml"
	maildeliver -m -v "$T/mbox" < "$D/plain.eml" > "$T/out"
	[ "$(cat "$T/out")" = "$T/mbox" ]
	run grep -n '^From ' "$T/mbox"
	[ "${#lines[@]}" -eq 2 ]
	date='(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] [0-9]{4}$'
	[[ "${lines[0]}" =~ ^1:From\ alice@example\.org\ $date ]]
	[[ "${lines[1]}" =~ ^[0-9]+:From\ MAILER-DAEMON\ $date ]]
	{ echo "Return-Path: <alice@example.org>"
	  sed -E 's/^(>*From )/>\1/' "$D/fromlines.eml"; echo; } > "$T/want1"
	n1=$(wc -l < "$T/want1")
	sed -n "2,$((n1 + 1))p" "$T/mbox" | cmp "$T/want1" -
	{ cat "$D/plain.eml"; echo; } > "$T/want2"
	tail -n +$((n1 + 3)) "$T/mbox" | cmp "$T/want2" -
	[ ! -e "$T/mbox.lock" ]
	[ "$(stat -c %a "$T/mbox")" = 600 ]
}

@test "mbox: a message without a final newline gets one, then the empty line" {
	printf 'Subject: x\n\nno newline' | maildeliver -m "$T/mbox"
	tail -n +2 "$T/mbox" > "$T/got"
	printf 'Subject: x\n\nno newline\n\n' | cmp - "$T/got"
}

@test "mbox: a message ending in a bare CR keeps the CR through -m and -s" {
	printf 'Subject: x\n\nends in CR\r' | maildeliver -m "$T/mbox"
	tail -n +2 "$T/mbox" > "$T/got"
	printf 'Subject: x\n\nends in CR\r\r\n\n' | cmp - "$T/got"
	run maildeliver -s -c -v "$M" < "$T/mbox"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	printf 'Subject: x\n\nends in CR\r\n' | cmp - "${lines[0]}"
}

@test "mbox: appending to an mbox that ends in a bare CR keeps the CR" {
	printf 'From a Sat Nov 18 10:00:00 2023\nSubject: a\n\nbody\r' > "$T/mbox"
	maildeliver -m "$T/mbox" < "$D/plain.eml"
	head -c 57 "$T/mbox" > "$T/got"
	printf 'From a Sat Nov 18 10:00:00 2023\nSubject: a\n\nbody\r\r\n\nFrom ' |
	    cmp - "$T/got"
	maildeliver -s -c -v "$M" < "$T/mbox" > "$T/paths"
	[ "$(wc -l < "$T/paths")" -eq 2 ]
	printf 'Subject: a\n\nbody\r\n' | cmp - "$(sed -n 1p "$T/paths")"
	cmp "$D/plain.eml" "$(sed -n 2p "$T/paths")"
}

@test "mboxrd: a >>>From line longer than the read buffer loses exactly one '>'" {
	{
		printf 'Subject: x\n\n'
		head -c 70000 /dev/zero | tr '\0' '>'
		printf 'From x\nend\n'
	} > "$T/msg"
	maildeliver -m "$T/mbox" < "$T/msg"
	{
		sed -n 1p "$T/mbox"
		printf 'Subject: x\n\n>'
		head -c 70000 /dev/zero | tr '\0' '>'
		printf 'From x\nend\n\n'
	} | cmp - "$T/mbox"
	run maildeliver -s -c -v "$M" < "$T/mbox"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	cmp "$T/msg" "${lines[0]}"
}

@test "mbox: appending to an mbox without a final empty line keeps messages apart" {
	printf 'From a Sat Nov 18 10:00:00 2023\nSubject: a\n\nbody' > "$T/mbox"
	maildeliver -m "$T/mbox" < "$D/plain.eml"
	maildeliver -s -c -v "$M" < "$T/mbox" > "$T/paths"
	[ "$(wc -l < "$T/paths")" -eq 2 ]
	printf 'Subject: a\n\nbody\n' | cmp - "$(sed -n 1p "$T/paths")"
	cmp "$D/plain.eml" "$(sed -n 2p "$T/paths")"
}

@test "an mbox cannot be its own input" {
	maildeliver -m "$T/mbox" < "$D/plain.eml"
	cp "$T/mbox" "$T/before"
	run maildeliver -s -m "$T/mbox" < "$T/mbox"
	[ "$status" -eq 64 ]
	[ "$output" = "maildeliver: $T/mbox: the destination is also the input" ]
	cmp "$T/before" "$T/mbox"
}

@test "mboxrd both ways: -m then -s gives the original bytes" {
	for f in fromlines plain returnpath fromlines; do
		maildeliver -m "$T/mbox" < "$D/$f.eml"
	done
	grep -q '^>>>From x$' "$T/mbox"
	run maildeliver -s -c -v "$M" < "$T/mbox"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	i=0
	for f in fromlines plain returnpath fromlines; do
		cmp "$D/$f.eml" "${lines[$i]}"
		i=$((i + 1))
	done
}

@test "-s splits an mbox fixture, unquoting, into a Maildir" {
	run maildeliver -s -c -v "$M" < "$D/three.mbox"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(ls "$M/new" | wc -l)" -eq 3 ]
	cmp "$D/plain.eml" "${lines[0]}"
	cmp "$D/fromlines.eml" "${lines[1]}"
	cmp "$D/returnpath.eml" "${lines[2]}"
}

@test "-s into an mbox keeps each sender; -f overrides it" {
	maildeliver -s -m "$T/mbox" < "$D/three.mbox"
	run sed -n 's/^From \([^ ]*\) .*/\1/p' "$T/mbox"
	[ "$output" = $'alice@example.org\ncarol@example.org\nMAILER-DAEMON' ]
	maildeliver -s -m -f x@example.org "$T/mbox2" < "$D/three.mbox"
	[ "$(grep -c '^From x@example.org ' "$T/mbox2")" -eq 3 ]
	[ "$(grep -c '^Return-Path: <x@example.org>$' "$T/mbox2")" -eq 3 ]
	[ "$(grep -ci '^return-path' "$T/mbox2")" -eq 4 ]   # one in a body
	! grep -q -e old@ -e folded@ "$T/mbox2"
	# the same stream split again gives the same messages
	maildeliver -s -c "$M" < "$T/mbox"
	[ "$(ls "$M/new" | wc -l)" -eq 3 ]
}

@test "200 concurrent deliveries into one mbox and one Maildir" {
	mkmd "$M"
	for i in $(seq 200); do mkmsg "$i" $((i % 37 * 5)) > "$T/src.$i"; done
	pids=()
	for i in $(seq 200); do
		maildeliver -m "$T/mbox" < "$T/src.$i" & pids+=($!)
		maildeliver "$M" < "$T/src.$i" & pids+=($!)
	done
	failed=0
	for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
	[ "$failed" -eq 0 ]
	[ -z "$(ls "$M/tmp")" ]
	run check_maildir_against_sources "$M"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -n | uniq | wc -l)" -eq 200 ]
	[ "${#lines[@]}" -eq 200 ]
	[ "$(grep -c '^From MAILER-DAEMON ' "$T/mbox")" -eq 200 ]
	maildeliver -s -c "$T/split" < "$T/mbox"
	run check_maildir_against_sources "$T/split"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -n | uniq | wc -l)" -eq 200 ]
	[ "${#lines[@]}" -eq 200 ]
	[ ! -e "$T/mbox.lock" ]
}

@test "full: EFBIG in the middle of a message leaves the mbox as it was" {
	maildeliver -m "$T/mbox" < "$D/plain.eml"
	cp "$T/mbox" "$T/before"
	mkmsg 1 5000 > "$T/big"
	size=$(stat -c %s "$T/mbox")
	run prlimit --fsize=$((size + 70000)) maildeliver -m "$T/mbox" < "$T/big"
	[ "$status" -eq 75 ]
	[[ "$output" == "maildeliver: $T/mbox: File too large" ]]
	cmp "$T/before" "$T/mbox"
	[ ! -e "$T/mbox.lock" ]
	maildeliver -m "$T/mbox" < "$D/plain.eml"
	[ "$(grep -c '^From ' "$T/mbox")" -eq 2 ]
}

@test "full: EFBIG in a Maildir removes the tmp file" {
	mkmd "$M"
	mkmsg 1 5000 > "$T/big"
	run prlimit --fsize=100000 maildeliver "$M" < "$T/big"
	[ "$status" -eq 75 ]
	[[ "$output" =~ ^maildeliver:\ $M/tmp/[^/]+:\ File\ too\ large$ ]]
	md_empty "$M"
	run prlimit --fsize=100000 maildeliver -s "$M" < "$D/three.mbox"
	[ "$status" -eq 0 ]
}

@test "-s: a failure undoes its batch and says what was delivered" {
	mkmd "$M"
	{ for i in 1 2 3; do echo "From s$i Sat Nov 18 10:00:00 2023"; mkmsg "$i" $((i * 3000)); echo; done; } > "$T/in.mbox"
	run prlimit --fsize=150000 maildeliver -s -v "$M" < "$T/in.mbox"
	[ "$status" -eq 75 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" =~ ^maildeliver:\ $M/tmp/.*File\ too\ large$ ]]
	md_empty "$M"
}

@test "read-only destination: 73 and nothing changed" {
	unshare -m true 2>/dev/null || skip "no mount namespaces here"
	mkmd "$M"
	maildeliver -m "$T/mbox" < "$D/plain.eml"
	cp "$T/mbox" "$T/before"
	run unshare -m sh -c '
		mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" &&
		mount --bind "$2" "$2" && mount -o remount,ro,bind "$2" "$2" || exit 99
		maildeliver "$1" < "$3"; a=$?
		maildeliver -m "$2" < "$3"; echo "$a $?"' sh "$M" "$T/mbox" "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "73 73" ]
	[[ "${lines[0]}" =~ ^maildeliver:\ $M/tmp/.*:\ Read-only\ file\ system$ ]]
	[ "${lines[1]}" = "maildeliver: $T/mbox: Read-only file system" ]
	md_empty "$M"
	cmp "$T/before" "$T/mbox"
}

@test "lock timeout: a held dot-lock gives 75" {
	maildeliver -m "$T/mbox" < "$D/plain.eml"
	cp "$T/mbox" "$T/before"
	echo $$ > "$T/mbox.lock"
	YUBIN_LOCK_TIMEOUT=1 run maildeliver -m "$T/mbox" < "$D/plain.eml"
	[ "$status" -eq 75 ]
	[ "$output" = "maildeliver: $T/mbox: lock timeout ($T/mbox.lock exists)" ]
	cmp "$T/before" "$T/mbox"
	[ "$(cat "$T/mbox.lock")" = $$ ]
}

@test "lock timeout: a held fcntl lock gives 75" {
	maildeliver -m "$T/mbox" < "$D/plain.eml"
	cp "$T/mbox" "$T/before"
	python3 -c '
import fcntl, os, sys, time
f = open(sys.argv[1], "a")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(20)' "$T/mbox" "$T/locked" 3>&- &
	holder=$!
	for i in $(seq 100); do [ -e "$T/locked" ] && break; sleep 0.05; done
	YUBIN_LOCK_TIMEOUT=0.5 run maildeliver -m "$T/mbox" < "$D/plain.eml"
	kill "$holder"
	[ "$status" -eq 75 ]
	[ "$output" = "maildeliver: $T/mbox: lock timeout (locked by another process)" ]
	cmp "$T/before" "$T/mbox"
	[ ! -e "$T/mbox.lock" ]
	run env YUBIN_LOCK_TIMEOUT=soon maildeliver -m "$T/mbox" < "$D/plain.eml"
	[ "$status" -eq 78 ]
}

@test "a stale dot-lock of a dead delivery is removed and its tail cut off" {
	maildeliver -m "$T/mbox" < "$D/plain.eml"
	cp "$T/mbox" "$T/before"
	size=$(stat -c %s "$T/mbox")
	sh -c 'exit 0' & dead=$!
	wait "$dead"
	printf 'yubin %d %s %s %s\n' "$dead" "$(hostname | sed 's,/,\\057,g; s,:,\\072,g')" \
	    "$(stat -c '%d %i' "$T/mbox")" "$size" > "$T/mbox.lock"
	printf 'From half Sat Nov 18 10:00:00 2023\nSubject: half a mess' >> "$T/mbox"
	YUBIN_LOCK_TIMEOUT=2 maildeliver -m "$T/mbox" < "$D/fromlines.eml"
	[ ! -e "$T/mbox.lock" ]
	head -c "$size" "$T/mbox" | cmp "$T/before" -
	! grep -q 'half' "$T/mbox"
	maildeliver -s -c -v "$M" < "$T/mbox" > "$T/paths"
	cmp "$D/fromlines.eml" "$(sed -n 2p "$T/paths")"
}

@test "a dead delivery after a bare CR at the end of the mbox is cut off too" {
	printf 'From a Sat Nov 18 10:00:00 2023\nSubject: a\n\nbody\r' > "$T/mbox"
	cp "$T/mbox" "$T/before"
	size=$(stat -c %s "$T/mbox")
	sh -c 'exit 0' & dead=$!
	wait "$dead"
	printf 'yubin %d %s %s %s\n' "$dead" "$(hostname | sed 's,/,\\057,g; s,:,\\072,g')" \
	    "$(stat -c '%d %i' "$T/mbox")" "$size" > "$T/mbox.lock"
	printf '\r\n\nFrom half Sat Nov 18 10:00:00 2023\nSubject: half a mess' >> "$T/mbox"
	YUBIN_LOCK_TIMEOUT=2 maildeliver -m "$T/mbox" < "$D/fromlines.eml"
	[ ! -e "$T/mbox.lock" ]
	head -c "$size" "$T/mbox" | cmp "$T/before" -
	! grep -q 'half' "$T/mbox"
	maildeliver -s -c -v "$M" < "$T/mbox" > "$T/paths"
	printf 'Subject: a\n\nbody\r\n' | cmp - "$(sed -n 1p "$T/paths")"
	cmp "$D/fromlines.eml" "$(sed -n 2p "$T/paths")"
}

@test "a foreign dot-lock older than 5 minutes is broken" {
	maildeliver -m "$T/mbox" < "$D/plain.eml"
	echo 1 > "$T/mbox.lock"
	touch -d '10 minutes ago' "$T/mbox.lock"
	YUBIN_LOCK_TIMEOUT=2 maildeliver -m "$T/mbox" < "$D/plain.eml"
	[ "$(grep -c '^From ' "$T/mbox")" -eq 2 ]
	[ ! -e "$T/mbox.lock" ]
}

@test "kill -9 during 200 deliveries leaves only whole messages" {
	mkmd "$M"
	for i in $(seq 200); do mkmsg "$i" 2500 > "$T/src.$i"; done
	: > "$T/ok.mbox"
	: > "$T/ok.md"
	for i in $(seq 200); do
		# standard output in a file: bats would print all 400 runs' of
		# it (tens of MB from a stand-in) line by line for minutes
		{ head -c 90000 "$T/src.$i"; sleep 0.02; tail -c +90001 "$T/src.$i"; } |
		    maildeliver -m "$T/mbox" >>"$T/stdout" 2>/dev/null &
		p=$!
		{ head -c 90000 "$T/src.$i"; sleep 0.02; tail -c +90001 "$T/src.$i"; } |
		    maildeliver "$M" >>"$T/stdout" 2>/dev/null &
		q=$!
		sleep "0.0$((RANDOM % 8))"
		kill -9 "$p" "$q" 2>/dev/null || true
		wait "$p" && echo "$i" >> "$T/ok.mbox" || true
		wait "$q" && echo "$i" >> "$T/ok.md" || true
	done
	# a delivery prints nothing on standard output
	[ ! -s "$T/stdout" ]
	# the next delivery repairs what the last killed one left
	mkmsg 201 3 > "$T/src.201"
	maildeliver -m "$T/mbox" < "$T/src.201"
	echo 201 >> "$T/ok.mbox"

	run check_maildir_against_sources "$M"
	[ "$status" -eq 0 ]
	printf '%s\n' "${lines[@]}" | sort -n > "$T/found.md"
	[ -z "$(sort -n "$T/found.md" | uniq -d)" ]
	[ -z "$(comm -23 <(sort "$T/ok.md") <(sort "$T/found.md"))" ]

	maildeliver -s -c "$T/split" < "$T/mbox"
	run check_maildir_against_sources "$T/split"
	[ "$status" -eq 0 ]
	printf '%s\n' "${lines[@]}" | sort -n > "$T/found.mbox"
	[ "$(wc -l < "$T/found.mbox")" -eq "$(grep -c '^From MAILER-DAEMON ' "$T/mbox")" ]
	[ -z "$(comm -23 <(sort "$T/ok.mbox") <(sort "$T/found.mbox"))" ]
	# some were killed, some got through
	[ "$(wc -l < "$T/ok.mbox")" -lt 201 ]
	[ "$(wc -l < "$T/found.mbox")" -gt 1 ]
	[ ! -e "$T/mbox.lock" ]
}

@test "streaming: a 100 MB body is delivered within 8 MiB of address space" {
	if ldd "$(command -v maildeliver)" 2>/dev/null | grep -q asan; then
		skip "sanitizer build: the shadow memory needs terabytes"
	fi
	mkmd "$M"
	{ cat "$D/plain.eml"; yes 'From a line of the body that goes on and on' |
	    head -c 100000000; } > "$T/big"
	# RLIMIT_AS bounds every mapping (RSS can only be smaller)
	prlimit --as=8388608 maildeliver "$M" < "$T/big"
	prlimit --as=8388608 maildeliver -m "$T/mbox" < "$T/big"
	cmp "$T/big" "$(one_new "$M")"
	[ "$(grep -c '^>From a line' "$T/mbox")" -gt 2000000 ]
	[ "$(stat -c %s "$T/mbox")" -gt 100000000 ]
}

@test "a dangling symlink as the mbox is 73, not an endless loop" {
	ln -s nonexist "$T/dangling"
	ln -s nodir/box "$T/intonowhere"
	for dest in "$T/dangling" "$T/intonowhere"; do
		for opt in -m -mc -mn -mcn; do
			run timeout 10 maildeliver "$opt" "$dest" < "$D/plain.eml"
			[ "$status" -eq 73 ]
			[ "$output" = "maildeliver: $dest: a symbolic link to a missing file (not followed to create the mbox)" ]
		done
	done
	[ ! -e "$T/nonexist" ] && [ ! -e "$T/nodir" ]
	[ "$(ls "$T")" = $'dangling\nintonowhere' ]
}

@test "errors are told in the same words as every other program's, also when linked with musl" {
	# maildeliver may be linked with musl (Makefile), whose strerror()
	# says "Symbolic link loop" and "Filename too long"; errtext() keeps
	# glibc's words, the ones hdrparse or mailsend print
	ln -s loop1 "$T/loop2"
	ln -s loop2 "$T/loop1"
	run maildeliver -m "$T/loop1" < "$D/plain.eml"
	[ "$status" -eq 73 ]
	[ "$output" = "maildeliver: $T/loop1: Too many levels of symbolic links" ]
	long=$T/$(printf 'x%.0s' $(seq 300))
	run maildeliver "$long" < "$D/plain.eml"
	[ "$status" -eq 73 ]
	[ "$output" = "maildeliver: $long: File name too long" ]
}

@test "a dangling symlink as the Maildir is 73, also with -c and -n" {
	ln -s nowhere "$T/link"
	for dest in "$T/link" "$T/link/.Sub"; do
		for opt in -c -cn; do
			run timeout 10 maildeliver "$opt" "$dest" < "$D/plain.eml"
			[ "$status" -eq 73 ]
			[ "$output" = "maildeliver: $T/link: a symbolic link to a missing directory (not followed to create the Maildir)" ]
		done
	done
	[ ! -e "$T/nowhere" ]
}

@test "a delivery into a Maildir that opens asks the host name once and lstats nothing" {
	command -v strace >/dev/null || skip "no strace"
	mkmd "$M"
	# LeakSanitizer cannot run under ptrace
	ASAN_OPTIONS=detect_leaks=0 run strace -f -qq -o "$T/trace" \
	    -e trace=uname,lstat,newfstatat,statx maildeliver "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(ls "$M/new" | wc -l)" -eq 1 ]
	cat "$T/trace"
	# strace pads a PID of fewer than five digits with more blanks
	[ "$(grep -c -E '^[0-9]+ +uname\(' "$T/trace")" = 1 ]
	[ "$(grep -c -E -e 'AT_SYMLINK_NOFOLLOW' -e '^[0-9]+ +lstat\(' "$T/trace")" = 0 ]
}

@test "a stale dot-lock we may not remove times out instead of spinning" {
	mksticky
	touch "$STICKY/box"
	chown nobody "$STICKY/box"
	echo 1 > "$STICKY/box.lock"
	touch -d '10 minutes ago' "$STICKY/box.lock"
	run timeout 10 env YUBIN_LOCK_TIMEOUT=1 setpriv --reuid=nobody \
	    --regid=nogroup --clear-groups maildeliver -m "$STICKY/box" < "$D/plain.eml"
	[ "$status" -eq 75 ]
	[ "$output" = "maildeliver: $STICKY/box: lock timeout ($STICKY/box.lock exists)" ]
	[ ! -s "$STICKY/box" ]
	[ "$(cat "$STICKY/box.lock")" = 1 ]
}

@test "-s under a low open-file limit delivers every message" {
	mkmd "$M"
	for i in $(seq 10); do
		mkmsg "$i" 3 > "$T/src.$i"
		{ echo "From s$i Sat Nov 18 10:00:00 2023"
		  sed -E 's/^(>*From )/>\1/' "$T/src.$i"; echo; } >> "$T/in.mbox"
	done
	# a descriptor inherited from the caller counts against the limit
	# too (bats' own 3 and 4 are closed: only 0 1 2 5 are open)
	for n in 9 8 7; do
		run prlimit --nofile=$n maildeliver -s "$M" < "$T/in.mbox" 3>&- 4>&- 5</dev/null
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	done
	run check_maildir_against_sources "$M"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 30 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -n | uniq -c | awk '$1 != 3' | wc -l)" -eq 0 ]
	[ -z "$(ls -A "$M/tmp")" ]
	# below the floor (0 1 2 5, tmp/, new/: no room for a message) 75
	# (a sanitizer build's leak check at exit would need a descriptor)
	run env ASAN_OPTIONS=detect_leaks=0 prlimit --nofile=6 maildeliver -s "$M" < "$T/in.mbox" 3>&- 4>&- 5</dev/null
	[ "$status" -eq 75 ]
	[[ "$output" =~ ^maildeliver:\ $M/tmp/[^/]+:\ Too\ many\ open\ files$ ]]
	[ "$(ls "$M/new" | wc -l)" -eq 30 ]
	[ -z "$(ls -A "$M/tmp")" ]
}

# The content of a dot-lock naming $T/mbox: pid, host, offset.
fake_lock() {
	printf 'yubin %s %s %s %s\n' "$1" "$2" "$(stat -c '%d %i' "$T/mbox")" "$3" > "$T/mbox.lock"
}

@test "a fake lock file cannot cut the mbox short" {
	for i in 1 2 3; do maildeliver -m "$T/mbox" < "$D/plain.eml"; done
	host=$(hostname | sed 's,/,\\057,g; s,:,\\072,g')
	# another user's lock naming a dead pid on this host, offset 0
	cp "$T/mbox" "$T/before"
	fake_lock 999999 "$host" 0
	chown nobody "$T/mbox.lock"
	YUBIN_LOCK_TIMEOUT=2 maildeliver -m "$T/mbox" < "$D/plain.eml"
	[ ! -e "$T/mbox.lock" ]
	head -c "$(stat -c %s "$T/before")" "$T/mbox" | cmp "$T/before" -
	[ "$(grep -c '^From ' "$T/mbox")" -eq 4 ]
	# our own lock, 10 minutes old, another host, offset 70: mid-message
	cp "$T/mbox" "$T/before"
	fake_lock 1 other.host 70
	touch -d '10 minutes ago' "$T/mbox.lock"
	YUBIN_LOCK_TIMEOUT=2 maildeliver -m "$T/mbox" < "$D/plain.eml"
	[ ! -e "$T/mbox.lock" ]
	head -c "$(stat -c %s "$T/before")" "$T/mbox" | cmp "$T/before" -
	[ "$(grep -c '^From ' "$T/mbox")" -eq 5 ]
	# our own lock at a message boundary, but with a second name
	cp "$T/mbox" "$T/before"
	fake_lock 999999 "$host" 0
	ln "$T/mbox.lock" "$T/other-name"
	YUBIN_LOCK_TIMEOUT=2 maildeliver -m "$T/mbox" < "$D/plain.eml"
	head -c "$(stat -c %s "$T/before")" "$T/mbox" | cmp "$T/before" -
	[ "$(grep -c '^From ' "$T/mbox")" -eq 6 ]
	# a FIFO as the lock, 10 minutes old: broken, no hang
	cp "$T/mbox" "$T/before"
	mkfifo "$T/mbox.lock"
	touch -d '10 minutes ago' "$T/mbox.lock"
	timeout 10 env YUBIN_LOCK_TIMEOUT=2 maildeliver -m "$T/mbox" < "$D/plain.eml"
	head -c "$(stat -c %s "$T/before")" "$T/mbox" | cmp "$T/before" -
	[ "$(grep -c '^From ' "$T/mbox")" -eq 7 ]
	[ ! -e "$T/mbox.lock" ]
}

# Start "maildeliver $@" reading the FIFO $T/fifo, held open on fd 5,
# and send it $1 first; its pid is in $first.
start_stalled() {
	local first_bytes=$1
	shift
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	maildeliver "$@" < "$T/fifo" 3>&- 4>&- &
	first=$!
	exec 5>"$T/fifo"
	printf '%b' "$first_bytes" >&5
	# the old code took its lock here: give it the time to
	for i in $(seq 20); do [ -e "$T/mbox.lock" ] && break; sleep 0.05; done
}

@test "a stalled producer does not hold the mbox lock" {
	start_stalled 'Subject: first\n\nfirst\n' -m "$T/mbox"
	SECONDS=0
	YUBIN_LOCK_TIMEOUT=3 maildeliver -m "$T/mbox" < "$D/plain.eml" && second=0 || second=$?
	took=$SECONDS
	printf 'more\n' >&5
	exec 5>&-
	wait "$first" && first=0 || first=$?
	[ "$second" -eq 0 ]
	[ "$took" -le 2 ]
	[ "$first" -eq 0 ]
	[ "$(grep -c '^From MAILER-DAEMON ' "$T/mbox")" -eq 2 ]
	{ cat "$D/plain.eml"; printf '\nSubject: first\n\nfirst\nmore\n\n'; } > "$T/want"
	grep -v '^From MAILER-DAEMON ' "$T/mbox" | cmp "$T/want" -
	[ ! -e "$T/mbox.lock" ]
}

@test "a stalled producer of an mbox stream does not hold the mbox lock" {
	start_stalled 'From a Sat Nov 18 10:00:00 2023\nSubject: one\n\n1\n\n' -s -m "$T/mbox"
	SECONDS=0
	YUBIN_LOCK_TIMEOUT=3 maildeliver -m "$T/mbox" < "$D/plain.eml" && second=0 || second=$?
	took=$SECONDS
	printf 'From b Sat Nov 18 10:00:00 2023\nSubject: two\n\n2\n' >&5
	exec 5>&-
	wait "$first" && first=0 || first=$?
	[ "$second" -eq 0 ]
	[ "$took" -le 2 ]
	[ "$first" -eq 0 ]
	run sed -n 's/^From \([^ ]*\) .*/\1/p' "$T/mbox"
	[ "$output" = $'MAILER-DAEMON\na\nb' ]
}

@test "a message too big for memory is spooled in TMPDIR, and nothing stays there" {
	mkdir "$T/tmp"
	maildeliver -m "$T/mbox" < "$D/plain.eml"
	cp "$T/mbox" "$T/before"
	{ cat "$D/plain.eml"; yes 'From the body of a big message' | head -c 3000000; echo; } > "$T/big"
	TMPDIR=$T/tmp maildeliver -m "$T/mbox" < "$T/big"
	[ -z "$(ls -A "$T/tmp")" ]
	tail -n +"$(($(wc -l < "$T/before") + 2))" "$T/mbox" > "$T/tail"
	{ sed 's/^From />From /' "$T/big"; echo; } | cmp - "$T/tail"
	cmp "$T/before" <(head -c "$(stat -c %s "$T/before")" "$T/mbox")
	# no room to spool: 75, and the mbox as it was
	cp "$T/mbox" "$T/before"
	run env TMPDIR=$T/missing maildeliver -m "$T/mbox" < "$T/big"
	[ "$status" -eq 75 ]
	[ "$output" = "maildeliver: $T/mbox: spooling the message: No such file or directory" ]
	cmp "$T/before" "$T/mbox"
	# a small message needs no file
	TMPDIR=$T/missing maildeliver -m "$T/mbox" < "$D/plain.eml"
	[ "$(grep -c '^From MAILER-DAEMON ' "$T/mbox")" -eq 3 ]
}

@test "input that is not an mbox or a message leaves no new mbox or Maildir" {
	run maildeliver -m -s "$T/new.mbox" <<< "not an mbox"
	[ "$status" -eq 65 ]
	[ "$output" = 'maildeliver: stdin: not an mbox (no "From " line first)' ]
	run maildeliver -m -s -c "$T/a/b/new.mbox" <<< "not an mbox"
	[ "$status" -eq 65 ]
	run maildeliver -m "$T/empty.mbox" < /dev/null
	[ "$status" -eq 65 ]
	run maildeliver -s -c "$M/.Sub" <<< "not an mbox"
	[ "$status" -eq 65 ]
	run maildeliver -c "$M" < /dev/null
	[ "$status" -eq 65 ]
	[ -z "$(ls -A "$T")" ]
}

@test "a planted name for the dot-lock cannot overwrite another file" {
	printf 'precious\n' > "$T/victim"
	# the private name is DEST.lock.PID.yubin: exec keeps the shell's pid
	sh -c 'ln "$1" "$2.lock.$$.yubin"; exec maildeliver -m "$2" < "$3"' sh \
	    "$T/victim" "$T/mbox" "$D/plain.eml"
	[ "$(cat "$T/victim")" = precious ]
	[ "$(stat -c %h "$T/victim")" -eq 1 ]
	[ "$(ls "$T")" = $'mbox\nvictim' ]
	[ "$(grep -c '^From MAILER-DAEMON ' "$T/mbox")" -eq 1 ]
}

@test "a hard link planted as the mbox is not delivered into" {
	printf 'precious\n' > "$T/victim"
	ln "$T/victim" "$T/mbox"
	for opt in -m -mn -ms; do
		run maildeliver "$opt" "$T/mbox" < "$D/three.mbox"
		[ "$status" -eq 73 ]
		[ "$output" = "maildeliver: $T/mbox: has 2 names (hard links); not delivering into it" ]
	done
	[ "$(cat "$T/victim")" = precious ]
	[ ! -e "$T/mbox.lock" ]
}

# ---- where the header ends: the rule of every reader (hdr_line) ----

@test "-f replaces a Return-Path split from its colon, keeps one in a body after no empty line (LF, CRLF)" {
	for crlf in '' '\r'; do
		rm -rf "$M"
		mkmd "$M"
		sed "s/\$/$crlf/" "$D/rp-odd.eml" |
		    maildeliver -f '<bob@example.org>' "$M"
		printf '%s\n' 'Return-Path: <bob@example.org>' 'From: a@x.test' \
		    'Subject: s' 'the body starts here' \
		    'Return-Path: <kept-in-the-body@x.test>' > "$T/want"
		cmp "$T/want" "$(one_new "$M")"
	done
}

@test "a byte order mark is not delivered, and does not hide the first field (LF, CRLF)" {
	for crlf in '' '\r'; do
		rm -rf "$M"
		mkmd "$M"
		sed "s/\$/$crlf/" "$D/bom.eml" |
		    maildeliver -f '<bob@example.org>' "$M"
		printf '%s\n' 'Return-Path: <bob@example.org>' 'From: a@x.test' \
		    'Subject: bom' '' 'body' > "$T/want"
		cmp "$T/want" "$(one_new "$M")"
	done
}
