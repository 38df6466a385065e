#!/usr/bin/env bats
# popfetch against the mail lab's Dovecot (tests/lab/lab): messages are
# put straight into the user's Maildir on the server ($LAB_MAIL/USER),
# fetched, and compared byte for byte; what the server still holds is
# read from the same directory.  Needs root and the server packages.

bats_require_minimum_version 1.5.0

load lab/labtest

setup_file() {
	lab_start 20500 21500 22500 23500 24500 25500 26500 27500 28500
}

teardown_file() {
	lab_stop
}

setup() {
	lab_env
	T=$BATS_TEST_TMPDIR
	export YUBIN_PASSWORD=bobpw XDG_CONFIG_HOME=$T/config HOME=$T
	export XDG_STATE_HOME=$T/state
	unset MAILDIR
	BOX=$LAB_MAIL/bob
	# a fresh mailbox: Dovecot numbers its UIDLs from 1 again
	rm -rf "$BOX"
	mkdir -p "$BOX/new" "$BOX/cur" "$BOX/tmp"
	chown -R nobody:nogroup "$BOX"
	STLS=(-S "pop3://127.0.0.1:$LAB_POP3_PORT" --cacert "$LAB_CA" -u bob)
	POPS=(-S "pop3s://127.0.0.1:$LAB_POP3S_PORT" --cacert "$LAB_CA" -u bob)
	STATE=$T/state/yubin/popfetch/bob@127.0.0.1
}

teardown() {
	[ -z "${FAKE_PID:-}" ] || kill "$FAKE_PID" 2>/dev/null || true
}

# fake MODE: start tests/popfetch/fake_pop3.py (faults Dovecot will not
# produce); FAKE is the options to reach it, $T/fake.log its commands.
fake() {
	: >"$T/fake.log"
	# the old port file must not be read before the new one is written
	rm -f "$T/fake.port"
	python3 "$YUBIN_TESTS/popfetch/fake_pop3.py" 0 "$1" "$T/fake.log" \
		>"$T/fake.port" 2>"$T/fake.err" 3>&- &
	FAKE_PID=$!
	for _ in $(seq 100); do
		[ -s "$T/fake.port" ] && break
		sleep 0.05
	done
	FAKE=(-S "pop3://127.0.0.1:$(cat "$T/fake.port")" --starttls=no
	    --allow-plaintext --auth USER -u u)
}

# put NAME CONTENT: a message on the server (LF line ends, as Dovecot
# stores them; it sends CRLF)
put() {
	printf '%b' "$2" >"$BOX/new/$1"
	chown nobody:nogroup "$BOX/new/$1"
}

# what the server still holds: the file names (without Dovecot's
# flags), sorted
held() {
	find "$BOX/new" "$BOX/cur" -type f | sed 's,.*/,,; s/:2,.*//' | sort
}

# the Maildir's messages with the Received field popfetch added cut off
# (its first 4 lines), in delivery order (the Q counter of one run's
# Maildir names: mtimes tie)
bodies() {
	local f
	for f in $(ls "$1"/new | sort -t Q -k 2 -n); do
		sed 1,4d "$1/new/$f"
		echo "=="
	done
}

three() {
	put 1.lab 'From: a@x\nSubject: one\n\nline\n.\n..two\n.x\n'
	put 2.lab 'Subject: two\n\nno final newline'
	put 3.lab 'Subject: three\n\n'
}

@test "USER/PASS over STLS: the Maildir gets the server's bytes, dots unstuffed, CRLF as LF" {
	three
	run -0 popfetch "${STLS[@]}" --auth USER -d "$T/md"
	[ -z "$output" ]
	run -0 bodies "$T/md"
	[ "$output" = "$(printf 'From: a@x\nSubject: one\n\nline\n.\n..two\n.x\n==\nSubject: two\n\nno final newline\n==\nSubject: three\n\n==')" ]
	[ -z "$(held)" ]
}

@test "the trace shows the states and USER/PASS with the password hidden" {
	put 1.lab 'Subject: one\n\nx\n'
	run -0 popfetch "${STLS[@]}" --auth USER -d "$T/md" --trace
	[[ "$output" == *"* state: STLS"*"* state: AUTH"*"C: USER bob"*"C: PASS ********"*"* state: TRANSACTION"*"C: RETR 1"*"S: [16 bytes of message data]"*"C: DELE 1"*"* state: UPDATE"* ]]
	[[ "$output" != *bobpw* ]]
}

@test "POP3S with SASL PLAIN: fetched, deleted, and the hop is a Received field with POP3S" {
	three
	run -0 popfetch "${POPS[@]}" --auth PLAIN -v -d "$T/md"
	[ "${#lines[@]}" = 3 ]
	[[ "${lines[0]}" =~ ^00000001[0-9a-f]{8}$'\t'47$'\t'fetched$'\t'$T/md/new/[^/]+$ ]]
	[[ "${lines[2]}" =~ ^00000003[0-9a-f]{8}$'\t'18$'\t'fetched$'\t' ]]
	[ -z "$(held)" ]
	f=$(ls "$T/md/new" | head -1)
	run -0 hdrparse -R "$T/md/new/$f"
	[[ "$output" =~ ^[0-9T:Z-]+$'\t'127\.0\.0\.1$'\t'[^$'\t']+$'\t'POP3S$'\t'$ ]]
}

@test "APOP (-A) logs in with the greeting's timestamp" {
	put 1.lab 'Subject: one\n\nx\n'
	run -0 popfetch "${STLS[@]}" -A -d "$T/md" --trace
	[[ "$output" == *"C: APOP bob ********"* ]]
	[ "$(ls "$T/md/new" | wc -l)" = 1 ]
}

@test "a wrong password is 77 and nothing is fetched or deleted" {
	put 1.lab 'Subject: one\n\nx\n'
	YUBIN_PASSWORD=wrong run -77 popfetch "${POPS[@]}" -d "$T/md"
	[[ "$output" == *"[AUTH] Authentication failed."* ]]
	YUBIN_PASSWORD=wrong run -77 popfetch "${STLS[@]}" --auth USER -d "$T/md"
	[ "$(held)" = 1.lab ]
	[ ! -e "$T/md/new" ] || [ -z "$(ls "$T/md/new")" ]
}

@test "the password never goes in clear text without --allow-plaintext" {
	put 1.lab 'Subject: one\n\nx\n'
	run -77 popfetch "${STLS[@]}" --starttls=no -d "$T/md"
	[[ "$output" == *"clear text"*"--allow-plaintext"* ]]
	run -77 popfetch "${STLS[@]}" --starttls=no --auth USER -d "$T/md"
	[[ "$output" == *"--allow-plaintext"* ]]
	[ "$(held)" = 1.lab ]
	# Dovecot takes loopback for secure: with the option it logs in
	run -0 popfetch "${STLS[@]}" --starttls=no --allow-plaintext --auth USER -d "$T/md" -v
	[[ "$output" == *$'\t'fetched$'\t'* ]]
}

@test "-k twice: the second run fetches nothing, a new message is fetched alone" {
	three
	run -0 popfetch "${POPS[@]}" -k -d "$T/md"
	[ "$(ls "$T/md/new" | wc -l)" = 3 ]
	[ "$(held | wc -l)" = 3 ]
	run -0 popfetch "${POPS[@]}" -k -d "$T/md" -v
	[ "$(printf '%s\n' "${lines[@]}" | cut -f3,4 | sort | uniq -c | tr -s ' ')" = $' 3 kept\t-' ]
	[ "$(ls "$T/md/new" | wc -l)" = 3 ]
	put 4.lab 'Subject: four\n\nnew\n'
	run -0 popfetch "${POPS[@]}" -k -d "$T/md" -v
	[ "$(printf '%s\n' "${lines[@]}" | grep -c fetched)" = 1 ]
	[[ "${lines[3]}" =~ ^00000004[0-9a-f]{8}$'\t'22$'\t'fetched ]]
	[ "$(ls "$T/md/new" | wc -l)" = 4 ]
	[ "$(held | wc -l)" = 4 ]
}

@test "--delete-after deletes only the messages first seen more than DAYS ago" {
	three
	run -0 popfetch "${POPS[@]}" -k -d "$T/md"
	# message 1 was first seen 10 days ago, message 2 two days ago
	now=$(date +%s)
	awk -v old=$((now - 10 * 86400)) -v mid=$((now - 2 * 86400)) -F '\t' \
	    'BEGIN { OFS = "\t" } $1 == "D" && $2 ~ /^00000001/ { $3 = old }
	     $1 == "D" && $2 ~ /^00000002/ { $3 = mid } { print }' \
	    "$STATE" >"$T/s" && cat "$T/s" >"$STATE"
	run -0 popfetch "${POPS[@]}" -k --delete-after 5 -d "$T/md" -v
	[ "$(printf '%s\n' "${lines[@]}" | cut -f3)" = "$(printf 'deleted\nkept\nkept')" ]
	[ "$(held)" = "$(printf '2.lab\n3.lab')" ]
	[ "$(ls "$T/md/new" | wc -l)" = 3 ]
	run -64 popfetch "${POPS[@]}" --delete-after 5 -d "$T/md"
}

@test "--filter: exit 0 fetches, 1 deletes without fetching, 2 skips (with hdrparse -m)" {
	put 1.lab 'Subject: [spam] buy\n\nx\n'
	put 2.lab 'Subject: hello\n\nx\n'
	put 3.lab 'Subject: later\n\nx\n'
	cat >"$T/f" <<'EOF'
#!/bin/sh
h=$(cat)
case $h in *later*) exit 2;; esac
printf '%s\n' "$h" | hdrparse -m 'Subject~^\[spam\]' && exit 1
exit 0
EOF
	chmod +x "$T/f"
	run -0 popfetch "${POPS[@]}" --filter "$T/f" -d "$T/md" -v
	[ "$(printf '%s\n' "${lines[@]}" | cut -f3)" = "$(printf 'filtered\nfetched\nskipped')" ]
	[ "$(ls "$T/md/new" | wc -l)" = 1 ]
	grep -q '^Subject: hello$' "$T/md/new/"*
	[ "$(held)" = 3.lab ]
}

@test "--max-size skips larger messages and keeps them on the server" {
	put 1.lab 'Subject: small\n\nx\n'
	put 2.lab "Subject: big\n\n$(head -c 3000 /dev/zero | tr '\0' x)\n"
	run -0 popfetch "${POPS[@]}" --max-size 1000 -d "$T/md" -v
	[ "$(printf '%s\n' "${lines[@]}" | cut -f3,4)" = "$(printf 'fetched\t%s\nskipped\t-' "$T/md/new/$(ls "$T/md/new")")" ]
	[ "$(held)" = 2.lab ]
}

@test "-l lists NUMBER SIZE UIDL and fetches nothing" {
	three
	run -0 popfetch "${POPS[@]}" -l
	[ "${#lines[@]}" = 3 ]
	[[ "${lines[0]}" =~ ^1$'\t'47$'\t'00000001[0-9a-f]{8}$ ]]
	[[ "${lines[1]}" =~ ^2$'\t'32$'\t'00000002[0-9a-f]{8}$ ]]
	[[ "${lines[2]}" =~ ^3$'\t'18$'\t'00000003[0-9a-f]{8}$ ]]
	[ "$(held | wc -l)" = 3 ]
}

@test "--check is 0 with new mail and 1 without, and fetches nothing; no new mail is exit 0" {
	run -1 popfetch "${POPS[@]}" --check
	run -0 popfetch "${POPS[@]}" -d "$T/md"
	[ -z "$output" ]
	put 1.lab 'Subject: one\n\nx\n'
	run -0 popfetch "${POPS[@]}" --check -k
	[ "$(held)" = 1.lab ]
	run -0 popfetch "${POPS[@]}" -k -d "$T/md"
	run -1 popfetch "${POPS[@]}" --check -k
}

@test "a second run for the same mailbox exits 75 at once naming the holder's PID" {
	put 1.lab 'Subject: one\n\nx\n'
	put 2.lab 'Subject: two\n\nx\n'
	popfetch "${POPS[@]}" -p "sleep 1; cat >>$T/out" 2>"$T/err1" &
	pid=$!
	for _ in $(seq 50); do
		[ -e "$STATE" ] && break
		sleep 0.02
	done
	run -75 popfetch "${POPS[@]}" -d "$T/md"
	[[ "$output" == *"bob@127.0.0.1 is being fetched by process $pid "* ]]
	wait "$pid"
	[ "$(grep -c '^Subject:' "$T/out")" = 2 ]
	[ ! -e "$T/md/new" ] || [ -z "$(ls "$T/md/new")" ]
}

@test "an mbox gets mboxrd From_ lines; -p gets each message on stdin" {
	put 1.lab 'Subject: one\n\nFrom here\n>From there\n'
	put 2.lab 'Subject: two\n\nx\n'
	run -0 popfetch "${POPS[@]}" -k -m "$T/mbox"
	[ "$(grep -c '^From MAILER-DAEMON ' "$T/mbox")" = 2 ]
	grep -q '^>From here$' "$T/mbox"
	grep -q '^>>From there$' "$T/mbox"
	rm -rf "$XDG_STATE_HOME"
	run -0 popfetch "${POPS[@]}" -p "sed 1,4d >>$T/piped; echo == >>$T/piped"
	[ "$(cat "$T/piped")" = "$(printf 'Subject: one\n\nFrom here\n>From there\n==\nSubject: two\n\nx\n==')" ]
	[ -z "$(held)" ]
}

@test "-p exit 75 keeps the message and stops with 75; another failure goes on and ends non-zero" {
	put 1.lab 'Subject: one\n\nx\n'
	put 2.lab 'Subject: two\n\nx\n'
	run -75 popfetch "${POPS[@]}" -p 'cat >/dev/null; exit 75' -v
	[ "$(held | wc -l)" = 2 ]
	run -69 popfetch "${POPS[@]}" -p "h=\$(cat); case \$h in *one*) exit 1;; esac; printf '%s' \"\$h\" >$T/two"
	[[ "$output" == *"the command exited 1"* ]]
	[ "$(held)" = 1.lab ]
	grep -q '^Subject: two$' "$T/two"
}

@test "an intent left by a crash after the Maildir commit is not delivered twice" {
	put 1.lab 'Subject: one\n\nx\n'
	put 2.lab 'Subject: two\n\nx\n'
	run -0 popfetch "${POPS[@]}" -k -d "$T/md"
	# as if killed between the commit and the D record: message 1's
	# intent names its file, message 2's intent names none delivered
	f=$(grep -l '^Subject: one' "$T/md/new/"*)
	rm "$(grep -l '^Subject: two' "$T/md/new/"*)"
	u1=$(sed -n 's/^D\t\(00000001[^\t]*\)\t.*/\1/p' "$STATE")
	u2=$(sed -n 's/^D\t\(00000002[^\t]*\)\t.*/\1/p' "$STATE")
	printf '# yubin popfetch state 1\nI\t%s\t%s\t0\nI\t%s\t%s\t0\n' \
	    "$u1" "${f##*/}" "$u2" "1.M1P1Q1.gone" >"$STATE"
	run -0 popfetch "${POPS[@]}" -k -d "$T/md" -v
	[ "$(printf '%s\n' "${lines[@]}" | cut -f3)" = "$(printf 'kept\nfetched')" ]
	[ "$(grep -l '^Subject: one' "$T/md/new/"* | wc -l)" = 1 ]
	[ "$(grep -l '^Subject: two' "$T/md/new/"* | wc -l)" = 1 ]
	# the state is compacted: one D record each
	[ "$(grep -c '^D' "$STATE")" = 2 ]
	[ "$(grep -c '^I' "$STATE")" = 1 ]
}

@test "a state file torn by a crash is read up to its last whole line" {
	put 1.lab 'Subject: one\n\nx\n'
	run -0 popfetch "${POPS[@]}" -k -d "$T/md"
	printf 'D\t0000' >>"$STATE"
	put 2.lab 'Subject: two\n\nx\n'
	run -0 popfetch "${POPS[@]}" -k -d "$T/md" -v
	[ "$(printf '%s\n' "${lines[@]}" | cut -f3)" = "$(printf 'kept\nfetched')" ]
	[ "$(tail -c 1 "$STATE" | od -An -c | tr -d ' ')" = '\n' ]
	run -0 grep -c $'^D\t' "$STATE"
	[ "$output" = 2 ]
}

@test "--help, --version and a wrong option have the shape of every program" {
	run -0 --separate-stderr popfetch --help
	[ "${lines[0]}" = "usage: popfetch [-S url | -a account] [-u user] [-kAlqv] [-d maildir | -m mbox |" ]
	[ -z "$stderr" ]
	run -0 popfetch -V
	[[ "$output" =~ ^popfetch\ \(yubin\)\ [0-9.]+$ ]]
	run -64 --separate-stderr popfetch -x
	[ -z "$output" ]
	[[ "$stderr" == "popfetch: "*"-x"*$'\n'"usage: popfetch "* ]]
	run -64 popfetch "${POPS[@]}" -d "$T/md" -m "$T/mbox"
	[ "$output" = "popfetch: -d, -m and -p exclude each other" ]
	run -64 popfetch "${POPS[@]}" --limit 0
}

@test "mailsend --pop-before-smtp logs in to the account's POP3 server before the SMTP greeting" {
	mkdir -p "$T/config/yubin"
	cat >"$T/config/yubin/accounts" <<EOF2
account lab
    smtp smtp://127.0.0.1:$LAB_SUBMISSION_PORT
    pop3 pop3s://127.0.0.1:$LAB_POP3S_PORT
    user bob
    cacert $LAB_CA
default lab
EOF2
	printf 'From: bob@yubin.test\nSubject: pbs\n\nhi\n' >"$T/m"
	run -0 mailsend --pop-before-smtp --trace x@yubin.test <"$T/m"
	pop=$(printf '%s\n' "$output" | grep -n '^C: QUIT' | head -1 | cut -d: -f1)
	smtp=$(printf '%s\n' "$output" | grep -n '^S: 220 ' | head -1 | cut -d: -f1)
	[ -n "$pop" ] && [ -n "$smtp" ] && [ "$pop" -lt "$smtp" ]
	[[ "$output" == *"S: +OK Dovecot"*"C: AUTH PLAIN ********"*"* state: UPDATE"*"S: 220 "* ]]
	# the account's key does the same; a refused POP3 login sends nothing
	printf '    pop_before_smtp yes\n' >>"$T/config/yubin/accounts"
	YUBIN_PASSWORD=wrong run -77 mailsend --trace x@yubin.test <"$T/m"
	[[ "$output" == *"S: -ERR [AUTH]"* ]]
	[[ "$output" != *"S: 220 "* ]]
	# without an account's pop3 there is nothing to log in to
	run -78 mailsend --pop-before-smtp -S "smtp://127.0.0.1:$LAB_SUBMISSION_PORT" --cacert "$LAB_CA" -u bob x@yubin.test <"$T/m"
	[[ "$output" == *"needs an account with a pop3 URL"* ]]
}

@test "--limit fetches at most N messages a run; the next run takes the rest" {
	three
	run -0 popfetch "${POPS[@]}" --limit 2 -d "$T/md" -v
	[ "$(printf '%s\n' "${lines[@]}" | cut -f3)" = "$(printf 'fetched\nfetched')" ]
	[ "$(held)" = 3.lab ]
	run -0 popfetch "${POPS[@]}" --limit 2 -d "$T/md" -v
	[[ "$output" =~ ^00000003[0-9a-f]{8}$'\t'18$'\t'fetched$'\t' ]]
	[ "${#lines[@]}" = 1 ]
	[ "$(ls "$T/md/new" | wc -l)" = 3 ]
}

@test "an account gives the pop3 server, the user, the password and the Maildir" {
	mkdir -p "$T/config/yubin"
	cat >"$T/config/yubin/accounts" <<EOF2
account lab
    pop3 pop3s://127.0.0.1:$LAB_POP3S_PORT
    user bob
    passwordeval echo bobpw
    cacert $LAB_CA
    maildir ~/Mail
default lab
EOF2
	put 1.lab 'Subject: one\n\nx\n'
	YUBIN_PASSWORD= run -0 popfetch -v
	[[ "$output" =~ ^00000001[0-9a-f]{8}$'\t'19$'\t'fetched$'\t'$HOME/Mail/new/[^/]+$ ]]
	[ -z "$(held)" ]
}

@test "without PIPELINING each command waits for the previous reply" {
	fake lockstep
	run -0 popfetch "${FAKE[@]}" -d "$T/md" -v
	[ "${#lines[@]}" = 3 ]
	[ "$(cat "$T/fake.log")" = "$(printf 'CAPA\nUSER u\nPASS bobpw\nUIDL\nLIST\nRETR 1\nRETR 2\nRETR 3\nDELE 1\nDELE 2\nDELE 3\nQUIT')" ]
	[ "$(sed 1,4d "$(grep -l '^Subject: two' "$T/md/new/"*)")" = "$(printf 'Subject: two\n\n.dot')" ]
}

@test "[IN-USE] and [LOGIN-DELAY] at login are 75, [SYS/PERM] 69, and nothing is fetched" {
	fake in-use
	run -75 popfetch "${FAKE[@]}" -d "$T/md"
	[[ "$output" == *"[IN-USE] locked by another session"* ]]
	kill "$FAKE_PID"
	fake delay
	run -75 popfetch "${FAKE[@]}" -d "$T/md"
	kill "$FAKE_PID"
	fake perm
	run -69 popfetch "${FAKE[@]}" -d "$T/md"
	[ ! -e "$T/md/new" ] || [ -z "$(ls "$T/md/new")" ]
}

@test "a refused RETR keeps that message, fetches the others, and ends 69" {
	fake retr-err
	run -69 popfetch "${FAKE[@]}" -d "$T/md" -v
	[ "$(printf '%s\n' "${lines[@]}" | grep -v '^popfetch:' | cut -f1,3)" = "$(printf 'uid-1\tfetched\nuid-2\tkept\nuid-3\tfetched')" ]
	[[ "$output" == *"message 2 (uid-2): RETR refused: no such message"* ]]
	grep -qx 'DELE 1' "$T/fake.log"
	! grep -qx 'DELE 2' "$T/fake.log"
}

@test "a malformed reply is 76, and its text reaches the terminal made harmless" {
	fake bad
	run -76 popfetch "${FAKE[@]}" -d "$T/md" --trace
	[[ "$output" == *"S: OK ?[31mred"* ]]
	[[ "$output" != *$'\e'* ]]
}

@test "a full disk (a file size limit) exits 75 and deletes nothing on the server" {
	command -v prlimit >/dev/null || skip "no prlimit"
	put 1.lab 'Subject: small\n\nx\n'
	put 2.lab "Subject: big\n\n$(head -c 20000 /dev/zero | tr '\0' x)\n"
	put 3.lab 'Subject: small too\n\nx\n'
	# the state file is made first, so the limit bites the message only
	run -0 popfetch "${POPS[@]}" --check
	run -75 prlimit --fsize=10000 popfetch "${POPS[@]}" -d "$T/md" -v
	[[ "$output" == *"File too large"* ]]
	[ "$(held)" = "$(printf '1.lab\n2.lab\n3.lab')" ]
	# the next run, without the limit, takes them all, once
	run -0 popfetch "${POPS[@]}" -d "$T/md"
	[ -z "$(held)" ]
	[ "$(grep -h '^Subject:' "$T/md/new/"* | sort | uniq -c | awk '{print $1}' | sort -u)" = 1 ]
	[ "$(ls "$T/md/new" | wc -l)" = 3 ]
}

@test "a connection lost during RETR or DELE loses nothing and duplicates nothing after a rerun" {
	for m in cut dele-cut; do
		rm -rf "$T/md" "$XDG_STATE_HOME"
		fake $m
		run -75 popfetch "${FAKE[@]}" -d "$T/md"
		[[ "$output" == *"the server closed the connection"* ]]
		kill "$FAKE_PID"
		# the server deleted nothing (no QUIT); the rerun takes the rest
		fake lockstep
		run -0 popfetch "${FAKE[@]}" -d "$T/md" -v
		kill "$FAKE_PID"
		[ "$(grep -h '^Subject:' "$T/md/new/"* | sort)" = "$(printf 'Subject: one\nSubject: three\nSubject: two')" ]
	done
}

@test "SASL LOGIN and CRAM-MD5 log in too, the secret never in the trace" {
	put 1.lab 'Subject: one\n\nx\n'
	for m in LOGIN CRAM-MD5; do
		run -0 popfetch "${STLS[@]}" --auth $m -l --trace
		[[ "$output" == *"C: AUTH $m"* ]]
		[[ "$output" == *"* state: TRANSACTION"* ]]
		[[ "$output" != *bobpw* && "$output" != *Ym9icHc* ]]
		[[ "$output" =~ $'\n'1$'\t'19$'\t'00000001 ]] || [[ "$output" =~ ^1$'\t'19$'\t'00000001 ]]
	done
}

@test "an intent left by a crash after the mbox append is not delivered twice" {
	put 1.lab 'Subject: one\n\nx\n'
	put 2.lab 'Subject: two\n\nx\n'
	run -0 popfetch "${POPS[@]}" -k -m "$T/mbox"
	# message 1's id is in the mbox; message 2 is cut from it, as an
	# append undone would leave it
	id1=$(sed -n 's/^\tid \(.*\);$/\1/p' "$T/mbox" | head -1)
	n=$(grep -n '^From MAILER-DAEMON' "$T/mbox" | sed -n 2p | cut -d: -f1)
	head -n $((n - 1)) "$T/mbox" >"$T/m1" && cat "$T/m1" >"$T/mbox"
	u1=$(sed -n 's/^D\t\(00000001[^\t]*\)\t.*/\1/p' "$STATE")
	u2=$(sed -n 's/^D\t\(00000002[^\t]*\)\t.*/\1/p' "$STATE")
	printf '# yubin popfetch state 1\nI\t%s\t%s\t0\nI\t%s\t%s\t0\n' \
	    "$u1" "$id1" "$u2" "1.M1P1Q1.gone" >"$STATE"
	run -0 popfetch "${POPS[@]}" -k -m "$T/mbox" -v
	[ "$(printf '%s\n' "${lines[@]}" | cut -f3)" = "$(printf 'kept\nfetched')" ]
	[ "$(grep -c '^Subject: one$' "$T/mbox")" = 1 ]
	[ "$(grep -c '^Subject: two$' "$T/mbox")" = 1 ]
}
