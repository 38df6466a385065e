#!/usr/bin/env bats
# popfetch against the mail lab's Dovecot (tests/lab/lab): what lands in
# a Maildir, an mbox or a -p command is what the server holds, and every
# message lands exactly once, also when popfetch is killed at any
# instant, the disk fills up, the connection drops in the middle of a
# RETR or after a DELE, or a second run starts beside the first.
#
# The oracle is the server itself: tests/lab/popbox.py dumps each message
# the server holds (its own RETR, dot-unstuffed, CRLF->LF) and compares a
# destination with that dump, message by message, after stripping the one
# Received field popfetch adds at the top.  Messages come from
# tests/data/popfetch/genmsgs.py, made at test time.
#
# The crash case of -p is in popfetch_crash.bats, so that it runs beside
# these (tests/run -j); POPFETCH_CRASH_KILLS and
# POPFETCH_CRASH_SEED: see tests/popfetch/safety.bash.
# Needs root and the server packages (tests/deps installs them).

# tests/run: start first
bats_require_minimum_version 1.5.0

load lab/labtest
load popfetch/safety

setup_file() {
	lab_start 12000 14000 16000 18000 20000 22000 24000 26000 28000 || return 1
	# a fault proxy of this file's own (tests/lab/faultproxy.py popcut),
	# on ports of the lab's range that the lab leaves free
	local lab off b pid
	lab=$(sed -n 's/^LAB_POP3_PORT=//p' "$LAB_DIR/env")
	for off in 1800 1820 1840 1860 1880; do
		b=$((lab - 110 + off))
		export CUT_RETR_PORT=$((b + 1)) CUT_DELE_PORT=$((b + 2)) \
			CUT_QUIT_PORT=$((b + 3)) CUT_DELE1_PORT=$((b + 4))
		python3 "$TESTS/lab/faultproxy.py" \
			"popcut:RETR:3:500:$CUT_RETR_PORT:$lab" \
			"popcut:DELE:2:0:$CUT_DELE_PORT:$lab" \
			"popcut:QUIT:1:0:$CUT_QUIT_PORT:$lab" \
			"popcut:DELE:1:0:$CUT_DELE1_PORT:$lab" \
			>"$BATS_FILE_TMPDIR/cut.out" 2>&1 3>&- &
		pid=$!
		echo $pid >"$BATS_FILE_TMPDIR/cut.pid"
		for _ in $(seq 100); do
			grep -q '^faultproxy: ready' "$BATS_FILE_TMPDIR/cut.out" && return 0
			kill -0 $pid 2>/dev/null || break
			sleep 0.05
		done
		grep -q 'address already in use' "$BATS_FILE_TMPDIR/cut.out" || break
	done
	cat "$BATS_FILE_TMPDIR/cut.out" >&3
	return 1
}

teardown_file() {
	[ -s "$BATS_FILE_TMPDIR/cut.pid" ] && kill "$(cat "$BATS_FILE_TMPDIR/cut.pid")" 2>/dev/null
	lab_stop
}

# ---------------------------------------------------------------------
# Bytes: what lands is what the server holds

# The 200 messages: an empty body, no final newline, headers only, lines
# "." and "..", "From " and ">From " lines, lines of 998, 10 000 and
# 100 000 bytes, 8-bit and control bytes with a NUL and a bare CR, CRLF
# in the stored file, and one of 20 MB.
two_hundred() {
	msgs m200 200 --big 20000000
	popbox fill alice "$M"
	held before
	[ "$(wc -l <"$T/before")" -eq 200 ]
}

@test "200 odd messages (dot lines, From lines, no final newline, 8-bit, 20 MB) land in a Maildir byte for byte, each with one Received field" {
	two_hundred
	maildir "$T/md"
	run -0 pf "${POP3S[@]}" -k --state "$T/st.k" -d "$T/md"
	[ -z "$output" ]        # quiet by default: cron mails any output
	popbox check "$EXP" maildir "$T/md" --tmp-empty \
		--received '^Received: .*(127\.0\.0\.1|localhost).*with POP3S\b.*;\s*[A-Z][a-z][a-z], [ 0-9]?[0-9] [A-Z][a-z][a-z] 20[0-9][0-9] [0-9:]{8} [-+][0-9]{4}'
	# hdrparse -R shows the fetch as the newest hop, with POP3S, after
	# the message's own Received field
	f=$(grep -rl '^Subject: popfetch test 019$' "$T/md/new" "$T/md/cur")
	run -0 hdrparse -R "$f"
	echo "$output"
	[ ${#lines[@]} -eq 2 ]
	[ "$(echo "${lines[0]}" | cut -f 2,3)" = "relay.example.org	pop.example.org" ]
	[ "$(echo "${lines[1]}" | cut -f 4)" = POP3S ]
	# -k: the server still holds every message
	held after
	cmp "$T/before" "$T/after"
}

@test "200 odd messages land in an mboxrd file byte for byte (From lines quoted), each with one Received field" {
	two_hundred
	: >"$T/mbox"
	run -0 pf "${POP3S[@]}" -k --state "$T/st.m" -m "$T/mbox"
	[ -z "$output" ]
	popbox check "$EXP" mbox "$T/mbox" --received 'with POP3S'
	# the mboxrd quoting: a body line "From here" is stored as ">From here"
	grep -q '^>From here$' "$T/mbox"
	grep -q '^>>From a$' "$T/mbox"
	grep -q '^>>>From b$' "$T/mbox"
}

@test "200 odd messages reach a -p command byte for byte, one command per message, each with one Received field" {
	two_hundred
	mkdir "$T/out"
	printf '#!/bin/sh\nf=$(mktemp "%s/out/m.XXXXXX") && cat >"$f"\n' "$T" >"$T/deliver"
	chmod +x "$T/deliver"
	run -0 pf "${POP3S[@]}" -k --state "$T/st.p" -p "$T/deliver"
	[ -z "$output" ]
	[ "$(ls "$T/out" | wc -l)" -eq 200 ]
	popbox check "$EXP" dir "$T/out" --received 'with POP3S'
}

@test "-v prints one UIDL<TAB>SIZE<TAB>ACTION<TAB>DESTINATION record per message, each UIDL once" {
	msgs plain20 20 --plain
	popbox fill alice "$M"
	held before
	maildir "$T/md"
	pf "${POP3S[@]}" -v -d "$T/md" >"$T/v" 2>"$T/err"
	[ ! -s "$T/err" ]
	[ "$(wc -l <"$T/v")" -eq 20 ]
	awk -F '\t' 'NF != 4 || $2 !~ /^[0-9]+$/ { print "bad record: " $0; bad = 1 } END { exit bad }' "$T/v"
	cut -f 1 "$T/v" | sort >"$T/vu"
	cmp "$T/before" "$T/vu"
	popbox check "$EXP" maildir "$T/md"
	held after
	[ ! -s "$T/after" ]
}

# ---------------------------------------------------------------------
# Memory: the RETR stream goes straight to the store

# rss KIND N: peak RSS (KiB) of one fetch of what the mailbox holds into
# a fresh destination $T/rssN of KIND (d Maildir, m mbox, p a command)
rss() {
	local dest
	case $1 in
	d) maildir "$T/rss$2"; dest=(-d "$T/rss$2") ;;
	m) dest=(-m "$T/rss$2") ;;
	p) dest=(-p "cat >/dev/null") ;;
	esac
	timeout -s KILL 300 /usr/bin/time -f %M -o "$T/rss.$2" popfetch "${POP3S[@]}" -k \
		--state "$T/rss.state$2" "${dest[@]}"
	cat "$T/rss.$2"
}

@test "a 20 MB message streams: peak RSS within 1 MiB of a small message's, into a Maildir and a -p command" {
	msgs big1 1 --big 20000000
	python3 "$TESTS/data/popfetch/genmsgs.py" "$T/small" 1 --plain
	popbox fill alice "$T/small"
	local d0 p0 d1 p1
	d0=$(rss d 1); p0=$(rss p 2)
	popbox clear alice
	popbox fill alice "$M"
	d1=$(rss d 3); p1=$(rss p 4)
	echo "# peak RSS KiB, small -> 20 MB: Maildir $d0 -> $d1, -p $p0 -> $p1" >&3
	popbox check "$EXP" maildir "$T/rss3"
	if ldd "$(command -v popfetch)" | grep -q libasan; then
		skip "sanitizer build: its allocator keeps freed memory, peak RSS not checked"
	fi
	[ "$d1" -le $((d0 + 1024)) ]
	[ "$p1" -le $((p0 + 1024)) ]
}

# An mbox batch is spooled before the append, in memory up to a bound
# (common/store.c), then in a file: that bound is what the 20 MB message
# may cost over a small one here.
@test "a 20 MB message streams into an mbox: peak RSS within 1 MiB of a small message's" {
	msgs big1 1 --big 20000000
	python3 "$TESTS/data/popfetch/genmsgs.py" "$T/small" 1 --plain
	popbox fill alice "$T/small"
	local m0 m1
	m0=$(rss m 1)
	popbox clear alice
	popbox fill alice "$M"
	m1=$(rss m 2)
	echo "# peak RSS KiB, small -> 20 MB: mbox $m0 -> $m1" >&3
	popbox check "$EXP" mbox "$T/rss2"
	if ldd "$(command -v popfetch)" | grep -q libasan; then
		skip "sanitizer build: its allocator keeps freed memory, peak RSS not checked"
	fi
	[ "$m1" -le $((m0 + 1024)) ]
}

# ---------------------------------------------------------------------
# Crash safety: kill -9 at random instants, then a run to completion

@test "kill -9 at random instants, then a rerun: the Maildir holds each of 100 messages exactly once, the server none" {
	crash d
}

@test "kill -9 at random instants with -k: the Maildir holds each message exactly once, the server all of them" {
	crash d -k
}

@test "kill -9 at random instants into an mbox: each message exactly once, no partial message, the server none" {
	crash m
}

# ---------------------------------------------------------------------
# A full disk: 75, and nothing deleted that is not delivered

# a tmpfs of SIZE on $T/disk, unmounted by teardown
small_disk() {
	mkdir -p "$T/disk"
	mount -t tmpfs -o "size=$1" tmpfs "$T/disk"
	MOUNTED=$T/disk
}

# a 300 KB message (the 4th) among six of 30 KB
sizes() {
	local i
	mkdir -p "$T/sz"
	for i in 1 2 3 4 5 6 7; do
		python3 -c '
import sys
i, n = int(sys.argv[1]), int(sys.argv[2])
sys.stdout.write("Subject: disk %d\nMessage-ID: <%d@disk.test>\n\n" % (i, i))
sys.stdout.write(("%d line of text to fill the message up\n" % i) * (n // 40))' \
			"$i" $([ $i = 4 ] && echo 300000 || echo 30000) >"$T/sz/$i.eml"
	done
	popbox fill alice "$T/sz"
	popbox dump alice "$T/sz.exp"
	# the UIDL of the one that cannot fit
	BIG4=$(basename "$(grep -l '^Subject: disk 4$' "$T"/sz.exp/*)")
}

@test "a full disk before the first message: exit 75, nothing delivered, nothing deleted on the server" {
	msgs plain20 20 --plain
	popbox fill alice "$M"
	held before
	small_disk 8k
	maildir "$T/disk/md"
	# the directories take what there is: no message fits
	head -c 100000 /dev/zero >"$T/disk/fill" 2>/dev/null || true
	run -75 pf "${POP3S[@]}" -d "$T/disk/md"
	echo "$output"
	[ -n "$output" ]
	[ -z "$(find "$T/disk/md" -type f)" ]
	held after
	cmp "$T/before" "$T/after"
}

@test "a full disk in the middle: exit 75, the message that did not fit stays on the server, nothing half-delivered; after space is freed a rerun completes exactly once" {
	sizes
	held before
	small_disk 200k
	maildir "$T/disk/md"
	run -75 pf "${POP3S[@]}" --state "$T/st" -d "$T/disk/md"
	echo "$output"
	# delivered ones whole and once, no partial file left in tmp/
	popbox check "$T/sz.exp" maildir "$T/disk/md" --at-most-once \
		--tmp-empty --missing-out "$T/missing"
	echo "$output"
	# the 300 KB message did not fit: still on the server
	grep -qx "$BIG4" "$T/missing"
	# every message not delivered is still on the server
	held after
	[ -z "$(comm -23 "$T/missing" "$T/after")" ]
	mount -o remount,size=10m "$T/disk"
	run -0 pf "${POP3S[@]}" --state "$T/st" -d "$T/disk/md"
	popbox check "$T/sz.exp" maildir "$T/disk/md" --tmp-empty
	held after
	[ ! -s "$T/after" ]
}

@test "a full disk under an mbox: exit 75, the mbox keeps its old bytes exactly, nothing deleted on the server" {
	sizes
	held before
	small_disk 100k
	printf 'From a@b Sun Nov 22 05:00:00 2026\nSubject: old\n\nold mail\n\n' >"$T/disk/mbox"
	cp "$T/disk/mbox" "$T/mbox.old"
	# what is left after 80 KB of filler: room for one 30 KB message
	head -c 40000 /dev/zero >"$T/disk/fill"
	run -75 pf "${POP3S[@]}" --state "$T/st" -m "$T/disk/mbox"
	echo "$output"
	held after
	# whatever was appended is whole; the message that did not fit is not
	# there in part: the mbox is the old one plus whole messages
	head -c "$(stat -c %s "$T/mbox.old")" "$T/disk/mbox" | cmp - "$T/mbox.old"
	tail -c +"$(($(stat -c %s "$T/mbox.old") + 1))" "$T/disk/mbox" >"$T/appended"
	popbox check "$T/sz.exp" mbox "$T/appended" --at-most-once --missing-out "$T/missing"
	grep -qx "$BIG4" "$T/missing"
	[ -z "$(comm -23 "$T/missing" "$T/after")" ]
}

@test "a file size limit (prlimit --fsize) is a full disk: exit 75, nothing deleted on the server" {
	sizes
	held before
	maildir "$T/md"
	run -75 prlimit --fsize=100000 timeout -s KILL 300 popfetch "${POP3S[@]}" --state "$T/st" -d "$T/md"
	echo "$output"
	popbox check "$T/sz.exp" maildir "$T/md" --at-most-once --tmp-empty --missing-out "$T/missing"
	grep -qx "$BIG4" "$T/missing"
	held after
	[ -z "$(comm -23 "$T/missing" "$T/after")" ]
}

@test "a full disk under the state file: exit 75, nothing deleted that is not recorded; after space is freed a rerun completes exactly once" {
	msgs plain100 100 --plain
	popbox fill alice "$M"
	# this fill's UIDLs name the messages
	popbox dump alice "$T/exp"
	EXP=$T/exp
	small_disk 8k
	# one page left: the state file fills it after some dozens of records
	head -c 4096 /dev/zero >"$T/disk/filler"
	maildir "$T/md"
	run -75 pf "${POP3S[@]}" --state "$T/disk/st" -d "$T/md"
	echo "$output"
	popbox check "$EXP" maildir "$T/md" --at-most-once --missing-out "$T/missing"
	echo "$output"
	held after
	[ -z "$(comm -23 "$T/missing" "$T/after")" ]
	rm "$T/disk/filler"
	mount -o remount,size=10m "$T/disk"
	run -0 pf "${POP3S[@]}" --state "$T/disk/st" -d "$T/md"
	popbox check "$EXP" maildir "$T/md"
	held after
	[ ! -s "$T/after" ]
}

# ---------------------------------------------------------------------
# The connection lost

# lost PORT: a run through the fault proxy's PORT exits 75, delivering
# each message at most once and none in part; the server, which never
# got to UPDATE, still holds all; then a run straight to Dovecot
# delivers the rest, none twice, and empties the server.
lost() {
	msgs plain20 20 --plain
	popbox fill alice "$M"
	held before
	maildir "$T/md"
	run -75 pf -S "pop3://127.0.0.1:$1" "${CLEAR[@]}" --state "$T/st" -d "$T/md"
	echo "$output"
	popbox check "$EXP" maildir "$T/md" --at-most-once --missing-out "$T/missing"
	echo "$output"
	held after
	cmp "$T/before" "$T/after"
	run -0 pf "${POP3S[@]}" --state "$T/st" -d "$T/md"
	popbox check "$EXP" maildir "$T/md"
	held after
	[ ! -s "$T/after" ]
}

@test "the connection lost in the middle of a RETR: exit 75, no partial message, nothing lost or fetched twice after a rerun" {
	lost "$CUT_RETR_PORT"
	# the cut one and those after it were not delivered
	[ -s "$T/missing" ]
}

@test "the connection lost after the first DELE reached the server: exit 75; the rerun deletes without fetching again" {
	lost "$CUT_DELE1_PORT"
}

@test "the connection lost after the second DELE: exit 75; the rerun fetches nothing twice" {
	lost "$CUT_DELE_PORT"
}

@test "the reply to QUIT lost: the server deleted what was delivered; a rerun fetches nothing again" {
	msgs plain20 20 --plain
	popbox fill alice "$M"
	maildir "$T/md"
	run pf -S "pop3://127.0.0.1:$CUT_QUIT_PORT" "${CLEAR[@]}" --state "$T/st" -d "$T/md"
	echo "exit $status: $output"
	popbox check "$EXP" maildir "$T/md"
	run -0 pf "${POP3S[@]}" --state "$T/st" -d "$T/md"
	popbox check "$EXP" maildir "$T/md"
	held after
	[ ! -s "$T/after" ]
}

# ---------------------------------------------------------------------
# Two runs at once

# slow_first STATE...: a first run that takes seconds (its -p command
# sleeps), into $T/md1; waits until it has delivered a message
slow_first() {
	msgs plain100 100 --plain
	popbox fill alice "$M"
	maildir "$T/md1"
	maildir "$T/md2"
	popfetch "${POP3S[@]}" "$@" -p "sleep 0.05; maildeliver $T/md1" \
		>"$T/out1" 2>"$T/err1" 3>&- &
	P1=$!
	for _ in $(seq 200); do
		[ -n "$(ls "$T/md1/new")" ] && break
		sleep 0.05
	done
	[ -n "$(ls "$T/md1/new")" ]
}

@test "two runs at once: the second exits 75 at once naming the first's PID; no message fetched twice" {
	slow_first
	local t0=$SECONDS
	run -75 pf "${POP3S[@]}" -d "$T/md2"
	echo "$output"
	[ $((SECONDS - t0)) -le 3 ]
	[[ $output == *"$P1"* ]]
	kill -0 "$P1"           # the first was still running
	wait "$P1"
	[ -z "$(find "$T/md2" -type f)" ]
	popbox check "$EXP" maildir "$T/md1"
	held after
	[ ! -s "$T/after" ]
}

@test "two runs at once for one mailbox with different state files: the mailbox lock still stops the second" {
	slow_first --state "$T/st1"
	run -75 pf "${POP3S[@]}" --state "$T/st2" -d "$T/md2"
	echo "$output"
	[[ $output == *"$P1"* ]]
	wait "$P1"
	[ -z "$(find "$T/md2" -type f)" ]
	popbox check "$EXP" maildir "$T/md1"
}
