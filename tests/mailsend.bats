#!/usr/bin/env bats
# mailsend against the mail lab (tests/lab/lab): real Postfix, Dovecot and
# NSD on loopback; one lab for the whole file.  Each case checks what the
# server stored (message bytes and envelope), exit codes and messages.
# Needs root and the server packages (tests/deps installs them).

bats_require_minimum_version 1.5.0

load lab/labtest

setup_file() {
	lab_start 20000 21000 22000 23000 24000 25000 26000 27000 28000 29000
}

teardown_file() {
	lab_stop
}

setup() {
	lab_env
	T=$BATS_TEST_TMPDIR
	ID="ms-$BATS_TEST_NUMBER-$$-$RANDOM"
	SUB=(-S "smtp://127.0.0.1:$LAB_SUBMISSION_PORT" --cacert "$LAB_CA" -u alice)
	SMTP=(-S "smtp://127.0.0.1:$LAB_SMTP_PORT" --cacert "$LAB_CA")
	export YUBIN_PASSWORD=alicepw
	# no accounts file of the machine's user may interfere
	export XDG_CONFIG_HOME=$T/config HOME=$T
	unset MAILSEND_TEST_UNUSED
	FAKE_PID=
	# --mx to fallback.yubin.test: MX 10 mx2 (127.0.0.2, where a fake
	# may listen), MX 20 mx1 (127.0.0.1, the lab's Postfix)
	MX=(--mx --mx-port "$LAB_SMTP_PORT")
}

teardown() {
	[ -z "$FAKE_PID" ] || kill "$FAKE_PID" 2>/dev/null || true
}

# fake HOST PORT MODE: start the fake SMTP server (tests/mailsend/
# fake_smtp.py, for faults Postfix will not produce); FAKE_PORT is its
# port, $T/fake.log the commands it got.  One per test.
fake() {
	: >"$T/fake.log"
	python3 "$YUBIN_TESTS/mailsend/fake_smtp.py" "$@" "$T/fake.log" \
		>"$T/fake.port" 2>"$T/fake.err" 3>&- &
	FAKE_PID=$!
	for _ in $(seq 100); do
		[ -s "$T/fake.port" ] && break
		sleep 0.05
	done
	FAKE_PORT=$(cat "$T/fake.port")
	[ -n "$FAKE_PORT" ] || { cat "$T/fake.err"; return 1; }
	FAKE=(-S "smtp://$1:$FAKE_PORT" --starttls=no)
}


# the envelope file of a stored message
envelope() {
	cat "$LAB_ENVELOPES/$(basename "$1")"
}

# a message with Subject $ID, Date and Message-ID fixed: what arrives
# must be these bytes exactly
msg() {
	printf 'From: Alice <alice@yubin.test>\nTo: bob@example.org\nSubject: %s\nDate: Sun, 22 Nov 2026 05:00:00 +0000\nMessage-ID: <%s@yubin.test>\n\n' "$ID" "$ID"
}

# the SIZE of a file as mailsend declares it: CRLF line ends, bare CR
# dropped, a final line end added, no dot-stuffing
crlf_size() {
	python3 -c '
import sys
d = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n").replace(b"\r", b"")
if d and not d.endswith(b"\n"):
    d += b"\n"
print(len(d) + d.count(b"\n"))' "$1"
}

@test "--dry-run prints the envelope and the message, exact bytes, connects nowhere" {
	{ msg; printf 'Bcc: not a header here\n.\n..\n.x\r\nbare\rCR\nlast'; } >"$T/m"
	run -0 mailsend --dry-run -f '<a@x.test>' -N failure,delay -R hdrs -V 'e+1 é' \
		bob@example.org 'Carol <carol@example.org>' <"$T/m"
	{
		printf '%s\n' \
		"MAIL FROM:<a@x.test> SIZE=$(crlf_size "$T/m") RET=HDRS ENVID=e+2B1+20+C3+A9" \
		"RCPT TO:<bob@example.org> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@example.org" \
		"RCPT TO:<carol@example.org> NOTIFY=FAILURE,DELAY ORCPT=rfc822;carol@example.org" \
		"DATA"
		msg
		printf 'Bcc: not a header here\n..\n...\n..x\nbareCR\nlast\n.\n'
	} >"$T/want"
	mailsend --dry-run -f '<a@x.test>' -N failure,delay -R hdrs -V 'e+1 é' \
		bob@example.org 'Carol <carol@example.org>' <"$T/m" >"$T/got"
	cmp "$T/got" "$T/want"
}

@test "--dry-run: Bcc removed, Date, Message-ID and From (-F) added, sender from \$USER" {
	printf 'To: bob@example.org\nBcc: eve@example.org\nSubject: x\n\nbody\n' >"$T/m"
	USER=jo run -0 --keep-empty-lines mailsend --dry-run -t -F 'Jo Q. Public' <"$T/m"
	host=$(hostname)
	[ "${lines[0]}" = "MAIL FROM:<jo@$host> SIZE=${lines[0]##*SIZE=}" ]
	[ "${lines[1]}" = "RCPT TO:<bob@example.org>" ]
	[ "${lines[2]}" = "RCPT TO:<eve@example.org>" ]
	[ "${lines[3]}" = "DATA" ]
	[ "${lines[4]}" = "To: bob@example.org" ]
	[ "${lines[5]}" = "Subject: x" ]
	[[ "${lines[6]}" =~ ^Date:\ [A-Z][a-z][a-z],\ [0-9]{2}\ [A-Z][a-z][a-z]\ 20[0-9]{2}\ [0-9:]{8}\ [-+][0-9]{4}$ ]]
	[[ "${lines[7]}" =~ ^Message-ID:\ \<[0-9]{14}\.[0-9]+\.[0-9a-f]+@.+\>$ ]]
	[ "${lines[8]}" = "From: \"Jo Q. Public\" <jo@$host>" ]
	[ "${lines[9]}" = "" ]
	[ "${lines[10]}" = "body" ]
	[ "${lines[11]}" = "." ]
	[ "$(USER=jo mailsend --dry-run -t <"$T/m" | wc -l)" -eq 12 ]
	[[ "$output" != *Bcc:* ]]
}

@test "--dry-run: text without a header is a body; an 8-bit body and a UTF-8 address" {
	printf 'hello: no\n.\n' | {
		run -0 mailsend --dry-run -f a@x.test 'bø@example.org'
		[ "${lines[0]}" = "MAIL FROM:<a@x.test> SMTPUTF8 SIZE=${lines[0]##*SIZE=}" ]
	}
	printf 'hello there\n' >"$T/m"
	run -0 --keep-empty-lines mailsend --dry-run -f a@x.test b@x.test <"$T/m"
	[ "${lines[4]}" = "Message-ID: ${lines[4]#Message-ID: }" ]
	[ "${lines[6]}" = "" ]
	[ "${lines[7]}" = "hello there" ]
	printf 'Subject: s\n\ncaf\xc3\xa9\n' >"$T/m"
	run -0 mailsend --dry-run -f a@x.test b@x.test <"$T/m"
	[ "${lines[0]}" = "MAIL FROM:<a@x.test> BODY=8BITMIME SIZE=${lines[0]##*SIZE=}" ]
}

@test "usage errors: no recipients, -S with --mx, bad -N, -R; --version" {
	run -64 mailsend --dry-run </dev/null
	[ "$output" = "mailsend: no recipients (give them as arguments, or -t)" ]
	run -64 mailsend -S smtp://x --mx a@b </dev/null
	run -64 mailsend -N sometimes a@b </dev/null
	[ "$output" = "mailsend: -N sometimes: want never or a list of success, failure, delay" ]
	run -64 mailsend -N never,success a@b </dev/null
	run -64 mailsend -R all a@b </dev/null
	run -0 mailsend --version
	[ "$output" = "mailsend (yubin) 0.1.0" ]
	run -65 mailsend --dry-run -f '<a<b@c>' x@y </dev/null
	[ "$output" = "mailsend: a<b@c: not a usable sender address" ]
}

@test "conventions: --help on stdout and 0, a wrong option's usage on stderr and 64, -V stays the DSN envid" {
	run -0 --separate-stderr mailsend --help
	[ "${lines[0]}" = "usage: mailsend [-tiv] [-f from] [-F name] [-S url | -a account | --mx] [-u user]" ]
	[ "$stderr" = "" ]
	run -64 --separate-stderr mailsend --no-such-option a@b
	[ "$output" = "" ]
	[ "${stderr_lines[0]}" = "mailsend: unknown or incomplete option --no-such-option" ]
	[ "${stderr_lines[1]}" = "usage: mailsend [-tiv] [-f from] [-F name] [-S url | -a account | --mx] [-u user]" ]
	run -0 mailsend --dry-run -N failure -V env-1 -f a@x.test b@y.test </dev/null
	[ "${lines[0]}" = "MAIL FROM:<a@x.test> SIZE=${lines[0]##*SIZE=}" ]
	[[ "${lines[0]}" == *" ENVID=env-1" ]]
}

# $T/m arrived as it was, from alice (authenticated) to bob
arrived_from_alice() {
	f=$(wait_for 1)
	[ -n "$f" ]
	[ "$(cat "$f")" = "$(cat "$T/m")" ]
	[ "$(envelope "$f" | sed -n 1,3p)" = "$(printf '%s\n' sender=alice@yubin.test \
		recipient=bob@example.org sasl_username=alice)" ]
}

# submit with mechanism $1 and check the stored bytes and the envelope
submit_auth() {
	{ msg; printf 'line\n.\n..\n.x\nno final newline'; } >"$T/m"
	run -0 mailsend "${SUB[@]}" --auth "$1" --trace bob@example.org <"$T/m"
	arrived_from_alice
	[[ "$output" == *"C: STARTTLS"* ]]
	[[ "$output" == *"C: AUTH $1"* ]]
	# never the password, nor its base64 (PLAIN's or LOGIN's)
	[[ "$output" != *alicepw* ]]
	[[ "$output" != *"$(printf '\0alice\0alicepw' | base64)"* ]]
	[[ "$output" != *"$(printf 'alicepw' | base64)"* ]]
	[[ "$output" != *"$(printf 'alice' | base64)"* ]] || [ "$1" = CRAM-MD5 ]
}

@test "submission, STARTTLS + AUTH PLAIN: the bytes and envelope arrive; trace hides the secret" {
	submit_auth PLAIN
}

@test "submission, STARTTLS + AUTH LOGIN" {
	submit_auth LOGIN
}

@test "submission, STARTTLS + AUTH CRAM-MD5" {
	submit_auth CRAM-MD5
}

@test "SMTPS (implicit TLS) as bob, password from --netrc-file" {
	printf 'machine 127.0.0.1 login bob password bobpw\n' >"$T/netrc"
	chmod 600 "$T/netrc"
	msg >"$T/m"
	echo body >>"$T/m"
	YUBIN_PASSWORD= run -0 mailsend -S "smtps://127.0.0.1:$LAB_SMTPS_PORT" --cacert "$LAB_CA" \
		-u bob --netrc-file "$T/netrc" carol@example.org <"$T/m"
	f=$(wait_for 1)
	[ "$(cat "$f")" = "$(cat "$T/m")" ]
	[ "$(envelope "$f" | sed -n 3p)" = sasl_username=bob ]
}

@test "-t: To, Cc and Bcc all receive it; Bcc is not in what arrives" {
	printf 'From: alice@yubin.test\nTo: to1@example.org\nCc: Cee <cc1@example.org>\nBcc: bcc1@example.org\nSubject: %s\nDate: Sun, 22 Nov 2026 05:00:00 +0000\nMessage-ID: <%s@x>\n\nbody\n' "$ID" "$ID" >"$T/m"
	run -0 mailsend "${SUB[@]}" -t -v <"$T/m"
	[ "${lines[0]}" = "to1@example.org	250	2.1.5	Ok" ]
	[ "${lines[1]}" = "cc1@example.org	250	2.1.5	Ok" ]
	[ "${lines[2]}" = "bcc1@example.org	250	2.1.5	Ok" ]
	[[ "${lines[3]}" == "DATA	250	2.0.0	Ok: queued as "* ]]
	f=$(wait_for 3)
	[ "$(echo "$f" | wc -l)" -eq 3 ]
	got=$(for x in $f; do envelope "$x" | sed -n 2p; done | sort)
	[ "$got" = "$(printf 'recipient=%s\n' bcc1@example.org cc1@example.org to1@example.org)" ]
	for x in $f; do
		[ "$(cat "$x")" = "$(grep -v '^Bcc:' "$T/m")" ]
	done
}

@test "8-bit body: BODY=8BITMIME on the wire and in the server's log; bytes intact" {
	{ msg; printf 'Gr\xc3\xbc\xc3\x9fe \xe6\x97\xa5\xe6\x9c\xac\n'; } >"$T/m"
	run -0 mailsend -S "smtp://127.0.0.1:$LAB_SMTP_PORT" --cacert "$LAB_CA" \
		-f "8bit-$ID@yubin.test" bob@example.org <"$T/m"
	f=$(wait_for 1)
	cmp "$f" "$T/m"
	pat=": < localhost\[127\.0\.0\.1\]: MAIL FROM:<8bit-$ID@yubin\.test> BODY=8BITMIME SIZE="
	for _ in $(seq 100); do
		grep -q "$pat" "$LAB_POSTFIX_LOG" && break
		sleep 0.05
	done
	grep -q "$pat" "$LAB_POSTFIX_LOG"
}

@test "a non-ASCII address goes with SMTPUTF8" {
	msg >"$T/m"
	echo body >>"$T/m"
	run -0 mailsend -S "smtp://127.0.0.1:$LAB_SMTP_PORT" --cacert "$LAB_CA" \
		-f "u-$ID@yubin.test" 'jürgen@bücher.example' <"$T/m"
	f=$(wait_for 1)
	[ "$(envelope "$f" | sed -n 2p)" = 'recipient=jürgen@bücher.example' ]
	pat=": < localhost\[127\.0\.0\.1\]: MAIL FROM:<u-$ID@yubin\.test> SMTPUTF8 SIZE="
	for _ in $(seq 100); do
		grep -q "$pat" "$LAB_POSTFIX_LOG" && break
		sleep 0.05
	done
	grep -q "$pat" "$LAB_POSTFIX_LOG"
}

@test "a 10 MB message streams (peak RSS within 1 MiB of a 300-byte one's) and arrives whole" {
	msg >"$T/m"
	python3 -c '
import sys
line = b"0123456789abcdefghijklmnopqrstuvwxyz.ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789\n"
out = sys.stdout.buffer
for i in range(10 * 1024 * 1024 // len(line)):
    out.write(b"." + line if i % 1000 == 0 else line)
' >>"$T/m"
	[ "$(stat -c %s "$T/m")" -gt 10000000 ]
	# the floor: the same session with a 300-byte message
	printf 'Subject: floor\n\n%300s\n' . >"$T/small"
	run -0 /usr/bin/time -f %M -o "$T/rss0" mailsend \
		-S "smtp://127.0.0.1:$LAB_SMTP_BIG_PORT" --cacert "$LAB_CA" nobody@example.org <"$T/small"
	run -0 /usr/bin/time -f %M -o "$T/rss" mailsend -S "smtp://127.0.0.1:$LAB_SMTP_BIG_PORT" \
		--cacert "$LAB_CA" bob@example.org <"$T/m"
	# and from a pipe (spooled to a temporary file)
	cat "$T/m" | /usr/bin/time -f %M -o "$T/rss2" mailsend \
		-S "smtp://127.0.0.1:$LAB_SMTP_BIG_PORT" --cacert "$LAB_CA" bob@example.org
	echo "peak RSS: 300 B $(cat "$T/rss0") KiB, 10 MB $(cat "$T/rss") KiB, piped $(cat "$T/rss2") KiB"
	# The message costs at most 1 MiB over the floor.  The floor itself
	# is about 12 MiB here, over the 8 MiB issue 4 asks for: 10 MiB of it
	# are pages of shared libraries (libcrypto 4.1, libc 1.6, GnuTLS 1.1
	# through librtmp, which Debian's libcurl links, never used), 2 MiB
	# mailsend's own memory (/proc/PID/smaps at exit).
	f=$(wait_for 2)
	[ "$(echo "$f" | wc -l)" -eq 2 ]
	for x in $f; do cmp "$x" "$T/m"; done
	# a sanitizer build's allocator keeps freed memory: not measured,
	# and said so
	if ldd "$(command -v mailsend)" | grep -q libasan; then
		skip "sanitizer build: its allocator keeps freed memory, peak RSS not checked"
	fi
	[ "$(cat "$T/rss")" -le $(($(cat "$T/rss0") + 1024)) ]
	[ "$(cat "$T/rss2")" -le $(($(cat "$T/rss0") + 1024)) ]
}

@test "wrong password: 77" {
	msg >"$T/m"
	YUBIN_PASSWORD=wrong run -77 mailsend "${SUB[@]}" bob@example.org <"$T/m"
	[ "$output" = "mailsend: 127.0.0.1:$LAB_SUBMISSION_PORT: authentication refused: 535 5.7.8 Error: authentication failed: (reason unavailable)" ]
}

@test "self-signed, wrong-host and expired certificates: 77, each named" {
	msg >"$T/m"
	run -77 mailsend -S "smtps://127.0.0.1:$LAB_SMTPS_SELFSIGNED_PORT" --cacert "$LAB_CA" -u alice bob@example.org <"$T/m"
	[[ "$output" == *"self-signed certificate"* ]]
	run -77 mailsend -S "smtps://127.0.0.1:$LAB_SMTPS_WRONGHOST_PORT" --cacert "$LAB_CA" -u alice bob@example.org <"$T/m"
	[[ "$output" == *"wrong host name"* ]]
	run -77 mailsend -S "smtps://127.0.0.1:$LAB_SMTPS_EXPIRED_PORT" --cacert "$LAB_CA" -u alice bob@example.org <"$T/m"
	[[ "$output" == *"certificate has expired"* ]]
}

@test "the clear-text AUTH port: refused without --allow-plaintext, works with it" {
	msg >"$T/m"
	run -77 mailsend -S "smtp://127.0.0.1:$LAB_SMTP_AUTH_PLAIN_PORT" --starttls=no -u alice bob@example.org <"$T/m"
	[[ "$output" == *"--allow-plaintext"* ]]
	run -76 mailsend -S "smtp://127.0.0.1:$LAB_SMTP_AUTH_PLAIN_PORT" -u alice bob@example.org <"$T/m"
	[ "$output" = "mailsend: 127.0.0.1:$LAB_SMTP_AUTH_PLAIN_PORT: STARTTLS not offered (or refused); refusing to continue without TLS" ]
	run -0 mailsend -S "smtp://127.0.0.1:$LAB_SMTP_AUTH_PLAIN_PORT" --starttls=no \
		--allow-plaintext -u alice bob@example.org <"$T/m"
	f=$(wait_for 1)
	[ "$(envelope "$f" | sed -n 3p)" = sasl_username=alice ]
}

@test "a 550 recipient: 67, the others' -v lines printed and delivered" {
	msg >"$T/m"
	run -67 mailsend "${SMTP[@]}" -v a1@example.org reject550@example.org a2@example.org <"$T/m"
	[ "${lines[0]}" = "a1@example.org	250	2.1.5	Ok" ]
	[ "${lines[1]}" = "reject550@example.org	550	5.1.1	<reject550@example.org>: Recipient address rejected: lab: rejected recipient" ]
	[ "${lines[2]}" = "a2@example.org	250	2.1.5	Ok" ]
	[[ "${lines[3]}" == "DATA	250	2.0.0	Ok: queued as "* ]]
	f=$(wait_for 2)
	[ "$(echo "$f" | wc -l)" -eq 2 ]
}

@test "a 450 recipient: 75; without -v the refusal is a message" {
	msg >"$T/m"
	run -75 mailsend "${SMTP[@]}" -v defer450@example.org a1@example.org <"$T/m"
	[ "${lines[0]}" = "defer450@example.org	450	4.2.0	<defer450@example.org>: Recipient address rejected: lab: deferred recipient" ]
	[ "${lines[1]}" = "a1@example.org	250	2.1.5	Ok" ]
	run -75 mailsend "${SMTP[@]}" defer450@example.org <"$T/m"
	[ "$output" = "mailsend: <defer450@example.org>: 450 4.2.0 <defer450@example.org>: Recipient address rejected: lab: deferred recipient" ]
}

@test "over the server's SIZE: 69 before any data is sent" {
	{ msg; head -c 1200000 /dev/zero | tr '\0' 'x' | fold -w 70; } >"$T/m"
	run -69 mailsend "${SUB[@]}" --trace bob@example.org <"$T/m"
	[[ "$output" == *"mailsend: the message is "*" bytes, smtp://127.0.0.1:$LAB_SUBMISSION_PORT accepts at most 1048576"* ]]
	[[ "$output" != *"C: MAIL"* ]]
}

@test "the connection dropped during DATA: 75 and nothing claimed sent" {
	{ msg; seq 1 2000; } >"$T/m"
	run -75 mailsend -S "smtp://127.0.0.1:$LAB_FAULT_DATA_PORT" --starttls=no -v bob@example.org <"$T/m"
	[ "${lines[0]}" = "bob@example.org	250	2.1.5	Ok" ]
	[[ "$output" == *"the message was not sent"* ]]
	[[ "$output" != *"DATA	250"* ]]
	[[ "$output" != *queued* ]]
}

@test "PIPELINING: MAIL, every RCPT and DATA go out before the first reply" {
	msg >"$T/m"
	run -0 mailsend "${SUB[@]}" --trace r1@example.org r2@example.org r3@example.org <"$T/m"
	after=$(echo "$output" | sed -n '/^C: MAIL FROM:/,$p' | grep -E '^(C|S): ' | head -6)
	[ "$after" = "$(printf '%s\n' "C: MAIL FROM:<alice@yubin.test> SIZE=${after#*SIZE=}" |
		head -1)
C: RCPT TO:<r1@example.org>
C: RCPT TO:<r2@example.org>
C: RCPT TO:<r3@example.org>
C: DATA
S: 250 2.1.0 Ok" ]
}

@test "--trace names the SMTP client's states: pipelined and lockstep" {
	msg >"$T/m"
	run -0 mailsend "${SUB[@]}" --trace r1@example.org <"$T/m"
	got=$(echo "$output" | grep -E '^\* state: ' | tr '\n' ' ')
	[ "$got" = "* state: READY * state: MAIL * state: RCPT * state: DATA * state: BODY * state: QUIT * state: CLOSED " ]
	# the state comes before the command that enters it
	[[ "$(echo "$output" | grep -A1 '^\* state: MAIL$' | tail -1)" == "C: MAIL FROM:<alice@yubin.test> SIZE="* ]]
	run -0 mailsend $(BARE) --trace r1@example.org <"$T/m"
	got=$(echo "$output" | grep -E '^\* state: ' | tr '\n' ' ')
	[ "$got" = "* state: READY * state: MAIL * state: RCPT * state: DATA * state: BODY * state: READY * state: QUIT * state: CLOSED " ]
}

@test "DSN parameters reach the server and are accepted" {
	msg >"$T/m"
	run -0 mailsend "${SUB[@]}" --trace -N success,failure -R full -V "env-$ID" bob@example.org <"$T/m"
	[[ "$output" == *"C: MAIL FROM:<alice@yubin.test> SIZE="*" RET=FULL ENVID=env-$ID"* ]]
	[[ "$output" == *"C: RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.org"* ]]
	[[ "$output" == *"S: 250 2.0.0 Ok: queued as"* ]]
}

@test "--explain comments the server's replies" {
	msg >"$T/m"
	run -0 mailsend "${SUB[@]}" --explain bob@example.org <"$T/m"
	[[ "$output" == *"S: 354 "*"
#   354"* ]]
	# every reply line, and nothing else, has its comment right after it
	[ "$(echo "$output" | grep -c '^S: ')" -ge 20 ]
	[ "$(echo "$output" | grep -A1 '^S: ' | grep -c '^#   ')" -eq "$(echo "$output" | grep -c '^S: ')" ]
	[ "$(echo "$output" | grep -c '^#   ')" -eq "$(echo "$output" | grep -c '^S: ')" ]
	[[ "$output" == *"
S: 235 2.7.0 Authentication successful
#   235 2.7.0: authentication succeeded; 2.7.0 other or undefined security status (RFC 4954 §6, RFC 3463 §3.8)
"* ]]
	[[ "$output" == *"
S: 354 End data with <CR><LF>.<CR><LF>
#   354: go ahead, end the data with <CRLF>.<CRLF> (RFC 5321 §4.3.2)
"* ]]
}

@test "--mx: each domain's MX through the lab's DNS; a dead MX is skipped; implicit MX" {
	msg >"$T/m"
	run -0 mailsend --mx --dns "127.0.0.1:$LAB_DNS_PORT" --mx-port "$LAB_SMTP_PORT" -v \
		-f "mx-$ID@client.test" a@yubin.test b@implicit.yubin.test <"$T/m"
	# equal preference: mx2 (nothing listening) may be tried first; then
	# one message naming it comes before the -v lines
	[ "${#lines[@]}" -eq 4 ] ||
	    { [ "${#lines[@]}" -eq 5 ] && [[ "${lines[0]}" == "mailsend: "*mx2.yubin.test* ]]; }
	n=$((${#lines[@]} - 4))
	[ "${lines[n]}" = "a@yubin.test	250	2.1.5	Ok" ]
	[[ "${lines[n + 1]}" == "DATA	250	2.0.0	Ok: queued as "* ]]
	[ "${lines[n + 2]}" = "b@implicit.yubin.test	250	2.1.5	Ok" ]
	[[ "${lines[n + 3]}" == "DATA	250	2.0.0	Ok: queued as "* ]]
	[[ "$output" == *"a@yubin.test	250	2.1.5	Ok"* ]]
	[[ "$output" == *"b@implicit.yubin.test	250	2.1.5	Ok"* ]]
	f=$(wait_for 2)
	got=$(for x in $f; do envelope "$x" | sed -n 2p; done | sort)
	[ "$got" = "$(printf 'recipient=%s\n' a@yubin.test b@implicit.yubin.test)" ]
}

@test "--mx: a null MX is 69, a missing domain 68" {
	msg >"$T/m"
	run -69 mailsend --mx --dns "127.0.0.1:$LAB_DNS_PORT" --mx-port "$LAB_SMTP_PORT" a@nullmx.yubin.test <"$T/m"
	[ "$output" = "mailsend: nullmx.yubin.test accepts no mail (null MX, RFC 7505)" ]
	run -68 mailsend --mx --dns "127.0.0.1:$LAB_DNS_PORT" --mx-port "$LAB_SMTP_PORT" a@nxdomain.yubin.test <"$T/m"
	[ "$output" = "mailsend: nxdomain.yubin.test: no such domain" ]
}

@test "--mx: a null MX (69) beats a missing domain (68) in one run: DESIGN.md's order" {
	msg >"$T/m"
	run -69 mailsend --mx --dns "127.0.0.1:$LAB_DNS_PORT" --mx-port "$LAB_SMTP_PORT" b@nxdomain.yubin.test a@nullmx.yubin.test <"$T/m"
	[ "$output" = "mailsend: nxdomain.yubin.test: no such domain
mailsend: nullmx.yubin.test accepts no mail (null MX, RFC 7505)" ]
}

@test "a sender the server refuses is reported once, not once per recipient" {
	msg >"$T/m"
	run -69 mailsend "${SMTP[@]}" -f '<a b>' r1@example.org r2@example.org <"$T/m"
	[ "$output" = "mailsend: MAIL FROM:<a b> refused: 501 5.1.7 Bad sender address syntax" ]
}

@test "--explain says a refused login once: no repeated text, no repeated section" {
	msg >"$T/m"
	YUBIN_PASSWORD=wrong-password run -77 mailsend "${SUB[@]}" --explain bob@example.org <"$T/m"
	line=$(echo "$output" | grep -A1 '^S: 535 ' | tail -1)
	[ "$line" = "#   535 5.7.8: authentication credentials invalid (RFC 4954 §6)" ]
}

@test "sendmail mode through a symlink: -t -i -oi -oem -odi and the default account" {
	ln -s "$(command -v mailsend)" "$T/sendmail"
	mkdir -p "$T/config/yubin"
	cat >"$T/config/yubin/accounts" <<EOF
account lab
    smtp smtp://127.0.0.1:$LAB_SUBMISSION_PORT
    user alice
    from Alice <alice@yubin.test>
    cacert $LAB_CA
default lab
EOF
	chmod 600 "$T/config/yubin/accounts"
	printf 'To: bob@example.org\nSubject: %s\n\nvia sendmail\n' "$ID" >"$T/m"
	run -0 "$T/sendmail" -t -i -oi -oem -odi -FCronDaemon -B8BITMIME <"$T/m"
	f=$(wait_for 1)
	[ "$(envelope "$f" | sed -n 1,2p)" = "$(printf 'sender=alice@yubin.test\nrecipient=bob@example.org')" ]
	grep -q '^From: CronDaemon <alice@yubin.test>$' "$f"
	run -64 "$T/sendmail" -bs </dev/null
	[ "$output" = "sendmail: -bs: not supported (only -bm, deliver a message); mailsend has no queue, daemon or SMTP-on-stdin mode" ]
	run -64 "$T/sendmail" -bp </dev/null
	[ "$output" = "sendmail: -bp: not supported (only -bm, deliver a message); mailsend has no queue, daemon or SMTP-on-stdin mode" ]
}

# an accounts file with a default account whose from has a display name
acct_file() {
	mkdir -p "$T/config/yubin"
	printf 'account lab\n    smtp smtp://127.0.0.1:1\n    from Alice Example <alice@acct.test>\ndefault lab\n' >"$T/config/yubin/accounts"
	chmod 600 "$T/config/yubin/accounts"
}

@test "--dry-run uses the account: MAIL FROM is the account's from, as in the real run" {
	acct_file
	printf 'Subject: s\n\nbody\n' >"$T/m"
	run -0 mailsend --dry-run b@example.org <"$T/m"
	[ "${lines[0]}" = "MAIL FROM:<alice@acct.test> SIZE=${lines[0]##*SIZE=}" ]
	# -S names a server by hand: no account applies, dry run or not
	run -0 env USER=jo mailsend --dry-run -S smtp://127.0.0.1:1 b@example.org <"$T/m"
	[ "${lines[0]}" = "MAIL FROM:<jo@$(hostname)> SIZE=${lines[0]##*SIZE=}" ]
}

@test "the account's from keeps its display name in the From field mailsend adds" {
	acct_file
	printf 'Subject: s\n\nbody\n' >"$T/m"
	run -0 mailsend --dry-run b@example.org <"$T/m"
	[ "$(echo "$output" | grep '^From:')" = "From: Alice Example <alice@acct.test>" ]
	# -F still names the sender
	run -0 mailsend --dry-run -F 'Cron Daemon' b@example.org <"$T/m"
	[ "$(echo "$output" | grep '^From:')" = "From: Cron Daemon <alice@acct.test>" ]
	# the same for a name given with -f
	run -0 mailsend --dry-run -f 'Jo Doe <jo@x.test>' b@example.org <"$T/m"
	[ "$(echo "$output" | grep '^From:')" = "From: Jo Doe <jo@x.test>" ]
}

@test "a user and no password: 78 before connecting, naming user, host and the sources" {
	printf 'Subject: s\n\nbody\n' >"$T/m"
	run -78 env -u YUBIN_PASSWORD HOME="$T" mailsend -S smtp://127.0.0.1:1 -u alice b@example.org <"$T/m"
	[ "$output" = "mailsend: no password for alice at 127.0.0.1: none from passwordeval, ~/.netrc or --netrc-file, or YUBIN_PASSWORD; nothing sent" ]
}

# the message of a --dry-run: the lines after DATA, without the final
# dot, unstuffed
dry_message() {
	sed '1,/^DATA$/d;$d' | sed 's/^\.//'
}

@test "-t: a To split from its colon is a recipient, as hdrparse reads it" {
	printf 'To\n : b@example.org\nSubject: split\n\nbody\n' >"$T/m"
	run -0 mailsend --dry-run -t -f a@x.test <"$T/m"
	[ "${lines[1]}" = "RCPT TO:<b@example.org>" ]
	[ "$(hdrparse -h to "$T/m")" != "" ]
	[ "$(printf '%s\n' "$output" | dry_message | sed -n 1,3p)" = "$(printf 'To\n : b@example.org\nSubject: split')" ]
}

@test "-t: a byte order mark before the header does not turn the header into body" {
	printf '\357\273\277To: c@example.org\nSubject: bom\n\nbody\n' >"$T/m"
	run -0 mailsend --dry-run -t -f a@x.test <"$T/m"
	[ "${lines[1]}" = "RCPT TO:<c@example.org>" ]
	# the mark is dropped, as every yubin reader drops it
	[ "$(printf '%s\n' "$output" | dry_message | sed -n 1p)" = "To: c@example.org" ]
	[ "$(printf '%s\n' "$output" | dry_message | tail -1)" = "body" ]
}


@test "--dry-run --downgrade: 8-bit parts of a multipart become quoted-printable, the rest untouched" {
	D=$YUBIN_TESTS/data/mailsend
	mailsend --dry-run --downgrade -f a@x.test b@y.test <"$D/multipart8.eml" >"$T/out"
	[ "$(head -1 "$T/out")" = "MAIL FROM:<a@x.test> SIZE=$(dry_message <"$T/out" >"$T/m"; crlf_size "$T/m")" ]
	# 7-bit only, and every part decodes to what it was
	run ! LC_ALL=C grep -q '[^ -~]' "$T/m"
	run -0 python3 - "$D/multipart8.eml" "$T/m" <<'PY'
import email, email.policy, sys
a, b = (email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
        for f in sys.argv[1:])
pa = [p for p in a.walk() if not p.is_multipart()]
pb = [p for p in b.walk() if not p.is_multipart()]
assert len(pa) == len(pb) == 4, (len(pa), len(pb))
for x, y in zip(pa, pb):
    assert x.get_content_type() == y.get_content_type()
    assert x.get_payload(decode=True) == y.get_payload(decode=True), (x, y)
    print(y["content-transfer-encoding"])
print(b["content-transfer-encoding"])
PY
	[ "$output" = "$(printf '%s\n' quoted-printable None quoted-printable base64 7bit)" ]
	grep -qx 'Gr=C3=BC=C3=9Fe =3D 1' "$T/m"
	grep -qx 'ascii only' "$T/m"
	grep -qx 'AAAA' "$T/m"
}

@test "--dry-run --downgrade: single text part; 8-bit inside message/rfc822 cannot be: 65" {
	printf 'Subject: s\n\ncaf\xc3\xa9 = ok\n' >"$T/m"
	run -0 --keep-empty-lines mailsend --dry-run --downgrade -f a@x.test b@y.test <"$T/m"
	[ "${lines[0]}" = "MAIL FROM:<a@x.test> SIZE=${lines[0]##*SIZE=}" ]
	[ "$(printf '%s\n' "$output" | sed -n '/^From: a@x.test$/,$p')" = "$(printf '%s\n' \
		'From: a@x.test' 'MIME-Version: 1.0' 'Content-Type: text/plain; charset=UTF-8' \
		'Content-Transfer-Encoding: quoted-printable' '' 'caf=C3=A9 =3D ok' '.' '')" ]
	run -65 mailsend --dry-run --downgrade -f a@x.test b@y.test <"$YUBIN_TESTS/data/mailsend/rfc822-8bit.eml"
	[ "$output" = "mailsend: the server does not offer 8BITMIME, and --downgrade cannot re-encode this message: 8-bit data in a message/* part or one with a binary or unknown encoding" ]
}

BARE() {
	echo -S "smtp://127.0.0.1:$LAB_SMTP_BARE_PORT" --cacert "$LAB_CA"
}

@test "no PIPELINING: lockstep, and no DATA when every recipient is refused" {
	msg >"$T/m"
	run -0 mailsend $(BARE) --trace r1@example.org r2@example.org <"$T/m"
	got=$(echo "$output" | sed -n '/^C: MAIL FROM:/,$p' | grep -E '^(C|S): ' | head -5 |
		sed 's/ SIZE=[0-9]*$//')
	[ "$got" = "$(printf '%s\n' 'C: MAIL FROM:<alice@yubin.test>' 'S: 250 2.1.0 Ok' \
		'C: RCPT TO:<r1@example.org>' 'S: 250 2.1.5 Ok' 'C: RCPT TO:<r2@example.org>')" ]
	run -67 mailsend $(BARE) --trace reject550@example.org <"$T/m"
	[[ "$output" == *"S: 550 5.1.1 <reject550@example.org>"* ]]
	[[ "$output" != *"C: DATA"* ]]
}

@test "no 8BITMIME: 65 naming the problem; --downgrade sends quoted-printable that decodes back" {
	{ msg; printf 'Gr\xc3\xbc\xc3\x9fe = 1\n.\n'; } >"$T/m"
	run -65 mailsend $(BARE) -f "dg-$ID@yubin.test" bob@example.org <"$T/m"
	[ "$output" = "mailsend: smtp://127.0.0.1:$LAB_SMTP_BARE_PORT does not offer 8BITMIME and the body has 8-bit data; --downgrade re-encodes it" ]
	run -0 mailsend $(BARE) --downgrade -f "dg-$ID@yubin.test" bob@example.org <"$T/m"
	f=$(wait_for 1)
	[ "$(sed '/^$/,$d' "$f")" = "$(sed '/^$/,$d' "$T/m"; printf '%s\n' 'MIME-Version: 1.0' \
		'Content-Type: text/plain; charset=UTF-8' 'Content-Transfer-Encoding: quoted-printable')" ]
	[ "$(sed '1,/^$/d' "$f")" = "$(printf 'Gr=C3=BC=C3=9Fe =3D 1\n=2E')" ]
	run -0 python3 -c '
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
sys.stdout.buffer.write(m.get_payload(decode=True))' "$f"
	[ "$output" = "$(printf 'Gr\xc3\xbc\xc3\x9fe = 1\n.')" ]
	# and no BODY= parameter went to this server
	grep -qi ": < localhost\[127\.0\.0\.1\]: MAIL FROM:<dg-$ID@yubin\.test> SIZE=[0-9]*\$" "$LAB_POSTFIX_LOG"
}

@test "no SMTPUTF8: a non-ASCII address is 65; no DSN: a warning, and it is sent" {
	msg >"$T/m"
	run -65 mailsend $(BARE) 'jürgen@example.org' <"$T/m"
	[ "$output" = "mailsend: smtp://127.0.0.1:$LAB_SMTP_BARE_PORT does not offer SMTPUTF8, needed for non-ASCII addresses or header fields" ]
	run -0 mailsend $(BARE) --trace -N failure -R hdrs bob@example.org <"$T/m"
	[[ "$output" == *"mailsend: smtp://127.0.0.1:$LAB_SMTP_BARE_PORT does not offer DSN: -N, -R and -V ignored"* ]]
	[[ "$output" == *"C: RCPT TO:<bob@example.org>"$'\n'* ]]
	f=$(wait_for 1)
	[ -n "$f" ]
}

@test "on a terminal a big message shows its progress; in a pipe it does not" {
	command -v script >/dev/null || skip "script(1) missing (util-linux)"
	{ msg; head -c 2000000 /dev/zero | tr '\0' y | fold -w 76; } >"$T/m"
	run -0 script -qec "mailsend -S smtp://127.0.0.1:$LAB_SMTP_BIG_PORT --cacert $LAB_CA bob@example.org < $T/m" /dev/null
	[[ "$output" == *"mailsend: sending 100% of 2.1 MB"* ]]
	run -0 mailsend -S "smtp://127.0.0.1:$LAB_SMTP_BIG_PORT" --cacert "$LAB_CA" bob@example.org <"$T/m"
	[ "$output" = "" ]
	f=$(wait_for 2)
	[ "$(echo "$f" | wc -l)" -eq 2 ]
}

@test "AUTH answered 454 (temporary, a fake server of the fault proxy): 75, not 77" {
	[ -n "${LAB_FAULT_AUTH454_PORT:-}" ] || skip "lab without LAB_FAULT_AUTH454_PORT"
	msg >"$T/m"
	run -75 mailsend -S "smtp://127.0.0.1:$LAB_FAULT_AUTH454_PORT" --starttls=no \
		--allow-plaintext -u alice bob@example.org <"$T/m"
	[ "$output" = "mailsend: 127.0.0.1:$LAB_FAULT_AUTH454_PORT: authentication failed for now: 454 4.7.0 Temporary authentication failure" ]
}

@test "--mx: the first MX refuses the connection, the next one takes the message" {
	msg >"$T/m"
	run -0 mailsend --mx --dns "127.0.0.1:$LAB_DNS_PORT" --mx-port "$LAB_SMTP_PORT" -v \
		-f "fb-$ID@client.test" a@fallback.yubin.test <"$T/m"
	# mx2 (127.0.0.2) was tried first and refused: a message, no -v line
	[[ "$output" == *"mx2.yubin.test"* ]]
	[ "$(echo "$output" | grep -c '	250	')" -eq 2 ]
	[[ "$output" == *"a@fallback.yubin.test	250	2.1.5	Ok"* ]]
	f=$(wait_for 1)
	[ "$(envelope "$f" | sed -n 1,2p)" = "$(printf 'sender=fb-%s@client.test\nrecipient=a@fallback.yubin.test' "$ID")" ]
}

@test "--mx: 451 to the data at the first MX: the next MX gets it; 75 if none takes it" {
	msg >"$T/m"
	fake 127.0.0.2 "$LAB_SMTP_PORT" 451
	run -0 mailsend "${MX[@]}" --dns "127.0.0.1:$LAB_DNS_PORT" -v -f "d451-$ID@client.test" a@fallback.yubin.test <"$T/m"
	[ "${lines[0]}" = "a@fallback.yubin.test	250	2.1.5	ok" ]
	[ "${lines[1]}" = "DATA	451	4.3.0	fake: try again later" ]
	[ "${lines[2]}" = "a@fallback.yubin.test	250	2.1.5	Ok" ]
	[[ "${lines[3]}" == "DATA	250	2.0.0	Ok: queued as "* ]]
	[ "$(grep -c END-OF-DATA "$T/fake.log")" = 1 ]
	f=$(wait_for 1)
	[ "$(envelope "$f" | sed -n 1,2p)" = "$(printf 'sender=d451-%s@client.test\nrecipient=a@fallback.yubin.test' "$ID")" ]
	# relay mode, one server: the 451 is the recipient's, 75
	run -75 mailsend "${FAKE[@]}" -f x@client.test b@example.org <"$T/m"
	[ "$output" = "mailsend: message refused: 451 4.3.0 fake: try again later" ]
}

@test "--mx: the connection lost after the data: the next MX gets it" {
	msg >"$T/m"
	fake 127.0.0.2 "$LAB_SMTP_PORT" drop
	run -0 mailsend "${MX[@]}" --dns "127.0.0.1:$LAB_DNS_PORT" -v -f "drop-$ID@client.test" a@fallback.yubin.test <"$T/m"
	[[ "$output" == *"the connection was lost during DATA: the message was not sent"* ]]
	[[ "$output" == *"DATA	250	2.0.0	Ok: queued as "* ]]
	f=$(wait_for 1)
	[ "$(envelope "$f" | sed -n 2p)" = "recipient=a@fallback.yubin.test" ]
}

@test "150 recipients: two transactions in one session, each recipient stored once" {
	msg >"$T/m"
	rc=(); for i in $(seq -w 1 150); do rc+=("r$i@example.org"); done
	run -0 mailsend "${SMTP[@]}" --trace -f "many-$ID@client.test" "${rc[@]}" <"$T/m"
	[ "$(echo "$output" | grep -c '^C: MAIL FROM:')" = 2 ]
	[ "$(echo "$output" | grep -c '^C: RCPT TO:')" = 150 ]
	[ "$(echo "$output" | grep -c '^S: 250 2.0.0 Ok: queued as')" = 2 ]
	# the 101st recipient starts the second transaction
	[ "$(echo "$output" | grep -E '^C: (MAIL|RCPT)' | sed -n 102,103p)" = "$(printf 'C: MAIL FROM:<many-%s@client.test> SIZE=%s\nC: RCPT TO:<r101@example.org>' "$ID" \
		"$(echo "$output" | sed -n 's/^C: MAIL FROM:.* SIZE=//p' | head -1)")" ]
	# the lab stores one file per recipient
	f=$(wait_for 150)
	[ "$(echo "$f" | wc -l)" = 150 ]
	got=$(for x in $f; do envelope "$x"; done | sed -n 's/^recipient=//p' | sort)
	[ "$got" = "$(printf '%s\n' "${rc[@]}")" ]
}

@test "452 too many recipients: the rest go in the next transaction; a 421 mid-session is 75 for those not accepted" {
	msg >"$T/m"
	fake 127.0.0.1 0 limit=2
	run -0 mailsend "${FAKE[@]}" -f s@client.test r1@x.test r2@x.test r3@x.test r4@x.test r5@x.test <"$T/m"
	[ "$output" = "" ]
	[ "$(grep -E '^(MAIL|RCPT|END)' "$T/fake.log" | sed 's/ SIZE=.*//')" = "$(printf '%s\n' \
		'MAIL FROM:<s@client.test>' 'RCPT TO:<r1@x.test>' 'RCPT TO:<r2@x.test>' 'RCPT TO:<r3@x.test>' \
		'RCPT TO:<r4@x.test>' 'RCPT TO:<r5@x.test>' END-OF-DATA \
		'MAIL FROM:<s@client.test>' 'RCPT TO:<r3@x.test>' 'RCPT TO:<r4@x.test>' 'RCPT TO:<r5@x.test>' END-OF-DATA \
		'MAIL FROM:<s@client.test>' 'RCPT TO:<r5@x.test>' END-OF-DATA)" ]
	kill "$FAKE_PID"
	fake 127.0.0.1 0 421=2
	run -75 mailsend "${FAKE[@]}" -v -f s@client.test r1@x.test r2@x.test r3@x.test r4@x.test <"$T/m"
	[ "$output" = "$(printf '%s\n' 'r1@x.test	250	2.1.5	ok' 'r2@x.test	250	2.1.5	ok' \
		'r3@x.test	421	4.7.0	fake: closing')" ]
	run ! grep -q END-OF-DATA "$T/fake.log"
}

@test "RCPT 550: 5.1.x is 67, other enhanced codes 69, a bare 550 67; control bytes in a reply become '?'" {
	msg >"$T/m"
	fake 127.0.0.1 0 policy
	run -69 mailsend "${FAKE[@]}" -f s@client.test relay@x.test ok@x.test <"$T/m"
	[ "$output" = "mailsend: <relay@x.test>: 550 5.7.1 fake: relaying denied" ]
	run -67 mailsend "${FAKE[@]}" -f s@client.test nouser@x.test ok@x.test <"$T/m"
	[ "$output" = "mailsend: <nouser@x.test>: 550 fake: no such user here" ]
	run -67 mailsend "${FAKE[@]}" -v -f s@client.test ctrl@x.test ok@x.test <"$T/m"
	[ "${lines[0]}" = "$(printf 'ctrl@x.test\t550\t5.1.1\ta?b?[2Jc?d??e?caf\xc3\xa9')" ]
	run -67 mailsend "${FAKE[@]}" -f s@client.test ctrl@x.test <"$T/m"
	[ "$output" = "$(printf 'mailsend: <ctrl@x.test>: 550 5.1.1 a?b?[2Jc?d??e?caf\xc3\xa9')" ]
	kill "$FAKE_PID"
	fake 127.0.0.1 0 bad
	run -76 mailsend "${FAKE[@]}" -f s@client.test a@x.test <"$T/m"
	[ "$output" = "mailsend: malformed reply from the server: 25?[2J?x" ]
}

@test "-v: a backslash in a reply is doubled in the record (the safe-text rule)" {
	msg >"$T/m"
	fake 127.0.0.1 0 policy
	run -67 --separate-stderr mailsend "${FAKE[@]}" -v -f s@client.test bslash@x.test <"$T/m"
	[ "${stderr_lines[0]}" = "$(printf 'bslash@x.test\t550\t5.1.1\tback\\\\slash')" ]
	kill "$FAKE_PID"
}

@test "--mx: an MX without 8BITMIME is passed over for the next; an error only if every MX fails" {
	{ msg; printf 'Gr\xc3\xbc\xc3\x9fe\n'; } >"$T/m"
	fake 127.0.0.2 "$LAB_SMTP_PORT" no8bit
	run -0 mailsend "${MX[@]}" --dns "127.0.0.1:$LAB_DNS_PORT" -f "n8-$ID@client.test" a@fallback.yubin.test <"$T/m"
	[ "$output" = "mailsend: smtp://mx2.yubin.test:$LAB_SMTP_PORT does not offer 8BITMIME and the body has 8-bit data; --downgrade re-encodes it" ]
	f=$(wait_for 1)
	[ "$(envelope "$f" | sed -n 2p)" = "recipient=a@fallback.yubin.test" ]
	# over the SIZE of the next MX as well: both named, and the worst in
	# DESIGN.md's order: 69 (too big, refused) over 65 (8-bit data)
	{ msg; printf 'Gr\xc3\xbc\xc3\x9fe\n'; head -c 1200000 /dev/zero | tr '\0' x | fold -w 70; } >"$T/big"
	run -69 mailsend "${MX[@]}" --dns "127.0.0.1:$LAB_DNS_PORT" -f "n8-$ID@client.test" a@fallback.yubin.test <"$T/big"
	[[ "${lines[0]}" == "mailsend: smtp://mx2.yubin.test:$LAB_SMTP_PORT does not offer 8BITMIME"* ]]
	[[ "${lines[1]}" == "mailsend: the message is "*" bytes, smtp://mx1.yubin.test:$LAB_SMTP_PORT accepts at most "* ]]
}

@test "a NUL byte in the message: 65 naming the line, nothing sent" {
	{ msg; printf 'one\ntw\0o\n'; } >"$T/m"
	run -65 mailsend --dry-run b@example.org <"$T/m"
	[ "$output" = "mailsend: NUL byte in the message, line 8" ]
	printf 'Subject: a\0b\n\nx\n' >"$T/m"
	run -65 mailsend "${SMTP[@]}" --trace b@example.org <"$T/m"
	[ "$output" = "mailsend: NUL byte in the message, line 1" ]
}

@test "-N with long addresses: every RCPT line whole, none cut (40 x 700-byte domains)" {
	rc=(); for i in $(seq 1 40); do rc+=("u$i@$(printf 'a%.0s' $(seq 60)).$(head -c 640 /dev/zero | tr '\0' b)"); done
	printf 'Subject: s\n\nx\n' >"$T/m"
	run -0 mailsend --dry-run -N success,failure,delay -f s@x.test "${rc[@]}" <"$T/m"
	[ "$(echo "$output" | grep -c '^RCPT TO:<u[0-9]*@a*\.b*> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;u[0-9]*@a*\.b*$')" = 40 ]
	[ "$(echo "$output" | grep -c '^ NOTIFY')" = 0 ]
	[ "${lines[41]}" = DATA ]
}

# --- OAuth bearer tokens (XOAUTH2, OAUTHBEARER) -------------------------
# The lab's LAB_SUBMISSION_OAUTH_PORT is a submission port (STARTTLS
# required) whose Dovecot checks JWTs signed with the lab's key; mkjwt.py
# makes more (for another user, expired, or signed with a wrong key).

OAUTH() {
	printf '%s\n' -S "smtp://127.0.0.1:$LAB_SUBMISSION_OAUTH_PORT" --cacert "$LAB_CA" -u alice
}

# submit with bearer mechanism $1, the token as the password, and check
# the stored bytes, the envelope and the trace
submit_bearer() {
	local tok
	tok=$(cat "$LAB_OAUTH_TOKEN_FILE")
	[ -n "$tok" ]
	{ msg; printf 'token line\n.\n..\nno final newline'; } >"$T/m"
	YUBIN_PASSWORD=$tok run -0 mailsend $(OAUTH) --auth "$1" --trace bob@example.org <"$T/m"
	arrived_from_alice
	[[ "$output" == *"C: STARTTLS"* ]]
	[[ "$output" == *"S: 250-AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER"* ]]
	[[ "$output" == *"C: AUTH $1 ********"* ]]
	[[ "$output" == *"S: 235 2.7.0 Authentication successful"* ]]
}

@test "submission, STARTTLS + AUTH XOAUTH2 with a bearer token: the bytes and envelope arrive" {
	submit_bearer XOAUTH2
}

@test "submission, STARTTLS + AUTH OAUTHBEARER with a bearer token: the bytes and envelope arrive" {
	submit_bearer OAUTHBEARER
}

@test "bearer tokens: a wrong key, an expired token or a password is refused, 77, nothing sent" {
	msg >"$T/m"
	echo refused >>"$T/m"
	for m in XOAUTH2 OAUTHBEARER; do
		for tok in "$(python3 "$LAB_MKJWT" "$LAB_DIR" alice --wrong-key)" \
			"$(python3 "$LAB_MKJWT" "$LAB_DIR" alice --expired)" alicepw; do
			[ ${#tok} -gt 6 ]
			YUBIN_PASSWORD=$tok run -77 mailsend $(OAUTH) --auth "$m" --trace bob@example.org <"$T/m"
			[[ "$output" == *"C: AUTH $m ********"* ]]
			[[ "$output" != *"S: 235 "* ]]
			[[ "$output" != *"MAIL FROM"* ]]
			[[ "$output" == *"mailsend: 127.0.0.1:$LAB_SUBMISSION_OAUTH_PORT: authentication refused: "* ]]
			# XOAUTH2's refusal is a challenge holding a JSON error,
			# which libcurl leaves unanswered: it is decoded, not
			# quoted as base64
			if [ "$m" = XOAUTH2 ]; then
				[[ "$output" == *"refused: the server did not accept the XOAUTH2 token: {\"status\":\"401\","* ]]
			fi
		done
	done
	# the same message with a good token: the only one with this Subject
	# that arrives
	msg >"$T/ok"
	echo accepted >>"$T/ok"
	YUBIN_PASSWORD=$(cat "$LAB_OAUTH_TOKEN_FILE") run -0 mailsend $(OAUTH) --auth XOAUTH2 bob@example.org <"$T/ok"
	f=$(wait_for 1)
	sleep 0.3
	f=$(wait_for 1)
	[ "$(echo "$f" | wc -l)" -eq 1 ]
	cmp "$f" "$T/ok"
}

@test "--trace of an XOAUTH2 and an OAUTHBEARER session never shows the token, nor any base64 of it" {
	tok=$(cat "$LAB_OAUTH_TOKEN_FILE")
	msg >"$T/m"
	for m in XOAUTH2 OAUTHBEARER; do
		YUBIN_PASSWORD=$tok run -0 mailsend $(OAUTH) --auth "$m" --trace bob@example.org <"$T/m"
		[[ "$output" == *"C: AUTH $m ********"* ]]
		[[ "$output" != *"$tok"* ]]
		# the token's signature, its parts, and the initial responses as
		# libcurl builds them (RFC 7628; Google's XOAUTH2)
		[[ "$output" != *"${tok##*.}"* ]]
		[[ "$output" != *"$(printf 'user=alice\001auth=Bearer %s\001\001' "$tok" | base64 -w0)"* ]]
		[[ "$output" != *"$(printf 'n,a=alice,\001host=127.0.0.1\001port=%s\001auth=Bearer %s\001\001' \
			"$LAB_SUBMISSION_OAUTH_PORT" "$tok" | base64 -w0)"* ]]
		# nor base64 of it at any alignment: decode every base64-looking
		# run of the trace from each of its first four offsets
		printf '%s' "$output" >"$T/trace"
		run -0 python3 - "$T/trace" "$tok" <<'PY'
import base64, re, sys
out = open(sys.argv[1], 'rb').read()
sig = sys.argv[2].rsplit('.', 1)[1].encode()
for run_ in re.findall(rb'[A-Za-z0-9+/]{16,}={0,2}', out):
    for off in range(4):
        s = run_[off:]
        s = s[:len(s) - len(s) % 4]
        try:
            d = base64.b64decode(s)
        except ValueError:
            continue
        if sig[4:-4] in d or b'Bearer' in d:
            print('leak:', run_[:40])
            sys.exit(1)
print('clean')
PY
		[ "$output" = clean ]
	done
	f=$(wait_for 2)
	[ "$(echo "$f" | wc -l)" -eq 2 ]
}

# in_log TEXT: wait until the Postfix log of the plain SMTP port holds
# TEXT (fixed string); fail if it never does
in_log() {
	for _ in $(seq 100); do
		grep -qF "$1" "$LAB_POSTFIX_LOG" && return 0
		sleep 0.05
	done
	return 1
}

# nothing_sent: no session of this test reached the lab.  A message
# sent after the refused ones arrives (so the log is written that far)
# and is the only one of this test; the log holds no RCPT TO of the
# refused ones (their addresses are a-$ID@x.test, b-$ID@y.test).
nothing_sent() {
	msg >"$T/after"
	mailsend "${SMTP[@]}" -f "after-$ID@client.test" "after-$ID@example.org" <"$T/after"
	in_log "RCPT TO:<after-$ID@example.org>"
	[ "$(wait_for 1 | wc -l)" = 1 ]
	[ "$(grep -cF -e "<a-$ID@x.test>" -e "<b-$ID@y.test>" -e "<nc-$ID@client.test>" "$LAB_POSTFIX_LOG")" = 0 ]
}

@test "a recipient list without its comma is refused (65), not cut to its first address; nothing sent" {
	{ printf 'To: a-%s@x.test b-%s@y.test\n' "$ID" "$ID"; msg | sed 2d; } >"$T/m"
	sed -n 1p "$T/m" | grep -qx "To: a-$ID@x.test b-$ID@y.test"
	run -65 --separate-stderr mailsend "${SMTP[@]}" -t -f "nc-$ID@client.test" <"$T/m"
	[ "$stderr" = "mailsend: To: bad address 'a-$ID@x.test b-$ID@y.test'; nothing sent" ]
	run -65 --separate-stderr mailsend "${SMTP[@]}" -f "nc-$ID@client.test" "a-$ID@x.test b-$ID@y.test" <"$T/m"
	[ "$stderr" = "mailsend: argument: bad address 'a-$ID@x.test b-$ID@y.test'; nothing sent" ]
	{ printf 'Cc: a-%s@x.test (unclosed, b-%s@y.test\n' "$ID" "$ID"; msg; } >"$T/m2"
	run -65 --separate-stderr mailsend "${SMTP[@]}" -t -f "nc-$ID@client.test" <"$T/m2"
	[ "$stderr" = "mailsend: Cc: bad address 'a-$ID@x.test (unclosed, b-$ID@y.test'; nothing sent" ]
	run -65 --separate-stderr mailsend "${SMTP[@]}" -f "nc-$ID@client.test" "a-$ID@x.test (unclosed, b-$ID@y.test" <"$T/m"
	[ "$stderr" = "mailsend: argument: bad address 'a-$ID@x.test (unclosed, b-$ID@y.test'; nothing sent" ]
	# the sender too: -f takes one address, whole
	run -65 --separate-stderr mailsend "${SMTP[@]}" -f "nc-$ID@client.test b-$ID@y.test" "a-$ID@x.test" <"$T/m"
	[ "$stderr" = "mailsend: -f: bad address 'nc-$ID@client.test b-$ID@y.test'; nothing sent" ]
	nothing_sent
}

@test "a bad address is named under the safe-text rule: controls escaped, bad UTF-8 replaced" {
	{ printf 'To: a-%s@x.test \x1b[2J\xff\n' "$ID"; msg | sed 2d; } >"$T/m"
	run -65 --separate-stderr mailsend "${SMTP[@]}" -t -f "nc-$ID@client.test" <"$T/m"
	[ "$stderr" = "mailsend: To: bad address 'a-$ID@x.test \\x1b[2J�'; nothing sent" ]
	nothing_sent
}

@test "one To: of 10005 addresses is refused (65), not cut to 10000; nothing sent" {
	{ printf 'To: a-%s@x.test' "$ID"; python3 -c 'print("".join(",\n r%d@example.org" % i for i in range(10004)))'; msg | sed 2d; } >"$T/m"
	run -65 --separate-stderr mailsend "${SMTP[@]}" -t -f "nc-$ID@client.test" <"$T/m"
	[ "$stderr" = "mailsend: To: more than 10000 addresses; nothing sent" ]
	nothing_sent
}

# an accounts file whose default account is alice's on the submission
# port; its passwordeval leaves $T/alice-eval-ran behind when it runs
alice_default() {
	mkdir -p "$T/config/yubin"
	cat >"$T/config/yubin/accounts" <<EOF
account alice
    smtp smtp://127.0.0.1:$LAB_SUBMISSION_PORT
    user alice
    from Alice <alice-$ID@yubin.test>
    passwordeval touch $T/alice-eval-ran; echo alicepw
    cacert $LAB_CA
default alice
EOF
	chmod 600 "$T/config/yubin/accounts"
}

@test "with -S, the default account's password never goes to that server: bob's password is used, alice's passwordeval never runs" {
	alice_default
	printf 'To: bob@example.org\nSubject: %s\n\nfrom bob\n' "$ID" >"$T/m"
	YUBIN_PASSWORD=bobpw run -0 --separate-stderr mailsend \
		-S "smtps://localhost:$LAB_SMTPS_PORT" --cacert "$LAB_CA" -u bob \
		-f "bob-$ID@yubin.test" bob@example.org <"$T/m"
	[ "$stderr" = "" ]
	[ ! -e "$T/alice-eval-ran" ]
	f=$(wait_for 1)
	[ "$(envelope "$f" | sed -n 1,3p)" = "$(printf 'sender=bob-%s@yubin.test\nrecipient=bob@example.org\nsasl_username=bob' "$ID")" ]
}

@test "with -S, the default account's user, CA file and From do not apply either" {
	alice_default
	printf 'To: bob@example.org\nSubject: %s\n\nno account\n' "$ID" >"$T/m"
	# no --cacert: the account's CA file is not used, so the lab's
	# certificate cannot be verified
	run -77 --separate-stderr mailsend -S "smtps://localhost:$LAB_SMTPS_PORT" bob@example.org <"$T/m"
	[ ! -e "$T/alice-eval-ran" ]
	# no -u: no user, so no AUTH, which the port requires for relaying;
	# the sender is $USER@host, not the account's From
	USER=nobody run -69 --separate-stderr mailsend --trace \
		-S "smtps://localhost:$LAB_SMTPS_PORT" --cacert "$LAB_CA" bob@example.org <"$T/m"
	[ ! -e "$T/alice-eval-ran" ]
	[[ "$stderr" != *"C: AUTH"* ]]
	[[ "$stderr" == *"C: MAIL FROM:<nobody@$(hostname)> "* ]]
}

@test "--downgrade: a quoted-printable soft break never puts the multipart's delimiter at a line start" {
	a69=$(printf 'a%.0s' $(seq 69))
	{ printf 'From: a@x.test\nTo: b@y.test\nSubject: s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n'
	  printf '\xc3\xa9%s--B tail\n--B--\n' "$a69"; } >"$T/m"
	mailsend --dry-run --downgrade -f a@x.test b@y.test <"$T/m" | dry_message >"$T/out"
	[ "$(sed -n '/^Content-Transfer-Encoding: quoted-printable$/,$p' "$T/out")" = "$(printf 'Content-Transfer-Encoding: quoted-printable\n\n=C3=A9%s=\n=2D-B tail\n--B--' "$a69")" ]
	[ "$(grep -c '^--B' "$T/out")" = 2 ]
}
