#!/usr/bin/env bats
# common/net.c against the lab's real servers, through the unit driver
# tests/unit/net_test.c (its script language is described at its top), and
# tests/unit/conly_test.c, which pins libcurl's CONNECT_ONLY behaviour.
# Needs root and the server packages (tests/deps installs them).

load lab/labtest

FAULTPROXY=${YUBIN_TESTS:-$BATS_TEST_DIRNAME}/lab/faultproxy.py

setup_file() {
	local b
	[ -x "${YUBIN_UNIT:-}/net_test" ] || skip "YUBIN_UNIT/net_test not built"
	lab_start 30000 2000 4000 6000 8000 || return 1
	# fake servers (tests/lab/faultproxy.py) for faults the lab's real
	# servers will not produce, on ports of this lab's range it leaves
	# free.  The bases lie below Linux's ephemeral range (32768-60999),
	# where no outgoing connection takes a port; another program's
	# server still may, so when the proxy cannot bind, the next block of
	# ports is tried.
	local lab off pid
	lab=$(sed -n 's/^LAB_SMTP_PORT=//p' "$LAB_DIR/env")
	for off in 1900 1920 1940 1960 1980; do
		b=$((lab - 25 + off))
		export FAKE_RSTLOGIN_PORT=$((b + 1)) FAKE_IMAPALERT_PORT=$((b + 2)) \
			FAKE_SMTP554_PORT=$((b + 3)) FAKE_POPDELAY_PORT=$((b + 4)) \
			FAKE_AUTH334_PORT=$((b + 5))
		python3 "$FAULTPROXY" "rstlogin:$FAKE_RSTLOGIN_PORT" \
			"imapalert:$FAKE_IMAPALERT_PORT" "smtp554:$FAKE_SMTP554_PORT" \
			"popdelay:$FAKE_POPDELAY_PORT" "auth334:$FAKE_AUTH334_PORT" \
			>"$BATS_FILE_TMPDIR/fake.out" 2>&1 3>&- &
		pid=$!
		echo $pid >"$BATS_FILE_TMPDIR/fake.pid"
		for _ in $(seq 100); do
			grep -q '^faultproxy: ready' "$BATS_FILE_TMPDIR/fake.out" && return 0
			kill -0 $pid 2>/dev/null || break       # gone: a port was busy
			sleep 0.05
		done
		grep -q 'address already in use' "$BATS_FILE_TMPDIR/fake.out" || break
	done
	cat "$BATS_FILE_TMPDIR/fake.out" >&3
	return 1
}

teardown_file() {
	[ -s "$BATS_FILE_TMPDIR/fake.pid" ] && kill "$(cat "$BATS_FILE_TMPDIR/fake.pid")" 2>/dev/null
	lab_stop
}

setup() {
	lab_env
	ERR=$BATS_TEST_TMPDIR/err
	unset NET_TEST_PASS
}

# nt ARGS...: the driver; stdout in $output (with run), stderr in $ERR
nt() {
	"$YUBIN_UNIT/net_test" "$@" 2>"$ERR"
}

# wait for a stored message with this Subject; print its file name
stored() {
	local f
	for _ in $(seq 100); do
		f=$(grep -l "^Subject: $1\$" "$LAB_STORE"/new/* 2>/dev/null || true)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.05
	done
	return 1
}

# base64 of a string, with printf %b escapes ('\0' for NUL)
b64() {
	printf '%b' "$1" | base64 -w0
}

@test "conly_test: libcurl CONNECT_ONLY logs in, leaves TLS up and sends no QUIT (smtp, pop3, imap)" {
	run "$YUBIN_UNIT/conly_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "1..27" ]
	[ "$(grep -c '^ok ' <<<"$output")" -eq 27 ]
}

@test "submission: STARTTLS + AUTH PLAIN, a pipelined transaction delivers" {
	id="net-$$-$RANDOM"
	export NET_TEST_PASS=alicepw
	run nt -c "$LAB_CA" -u alice -H client.test "smtp://127.0.0.1:$LAB_SUBMISSION_PORT" <<EOF
S
> MAIL FROM:<alice@yubin.test>
> RCPT TO:<bob@example.org>
> DATA
< 3
> Subject: $id
>
> .dot
> .
< 1
> QUIT
< 1
EOF
	echo "$output"; cat "$ERR"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "tls=1" ]
	[ "${lines[1]}" = "250 2.1.0 Ok" ]
	[ "${lines[2]}" = "250 2.1.5 Ok" ]
	[ "${lines[3]}" = "354 End data with <CR><LF>.<CR><LF>" ]
	[[ "${lines[4]}" == "250 2.0.0 Ok: queued as "* ]]
	[ "${lines[5]}" = "221 2.0.0 Bye" ]
	[ ! -s "$ERR" ]
	f=$(stored "$id")
	[ "$(cat "$f")" = "$(printf 'Subject: %s\n\ndot' "$id")" ]
	[ "$(cat "$LAB_ENVELOPES/$(basename "$f")")" = "$(printf '%s\n' \
		sender=alice@yubin.test recipient=bob@example.org \
		sasl_username=alice client_helo=client.test)" ]
}

@test "net_banner: the greeting and both EHLO replies, AUTH only after STARTTLS" {
	export NET_TEST_PASS=alicepw
	run nt -c "$LAB_CA" -u alice "smtp://127.0.0.1:$LAB_SUBMISSION_PORT" <<<'B'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "220 lab.yubin.test ESMTP yubin lab" ]
	[ "${lines[1]}" = "250-lab.yubin.test" ]
	# first EHLO: STARTTLS, no AUTH; STARTTLS reply; second EHLO: AUTH
	first=$(sed -n '2,/^250 /p' <<<"$output")
	[[ "$first" == *"250-STARTTLS"* ]]
	[[ "$first" != *AUTH* ]]
	[ "$(grep -c '^220 2.0.0 Ready to start TLS$' <<<"$output")" -eq 1 ]
	second=$(sed -n '/^220 2.0.0/,$p' <<<"$output")
	[[ "$second" == *"250-AUTH PLAIN LOGIN CRAM-MD5"* ]]
	[[ "$second" != *STARTTLS* ]]
	[ "${lines[-2]}" = "250 CHUNKING" ]
	[ "${lines[-1]}" = "235 2.7.0 Authentication successful" ]
}

@test "TLS: self-signed, wrong host and expired certificates are refused with 77, each named" {
	export NET_TEST_PASS=alicepw
	run nt -c "$LAB_CA" -u alice "smtps://127.0.0.1:$LAB_SMTPS_SELFSIGNED_PORT" </dev/null
	[ "$status" -eq 77 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_SMTPS_SELFSIGNED_PORT: TLS certificate verification failed: self-signed certificate" ]
	run nt -c "$LAB_CA" -u alice "smtps://127.0.0.1:$LAB_SMTPS_WRONGHOST_PORT" </dev/null
	[ "$status" -eq 77 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_SMTPS_WRONGHOST_PORT: TLS certificate verification failed: certificate is for another host (wrong host name): it does not match 127.0.0.1" ]
	run nt -c "$LAB_CA" -u alice "smtps://127.0.0.1:$LAB_SMTPS_EXPIRED_PORT" </dev/null
	[ "$status" -eq 77 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_SMTPS_EXPIRED_PORT: TLS certificate verification failed: certificate has expired" ]
	# the lab CA is not the system's: without --cacert the good one fails too
	run nt -u alice "smtps://127.0.0.1:$LAB_SMTPS_PORT" </dev/null
	[ "$status" -eq 77 ]
	grep -q 'TLS certificate verification failed: unable to get local issuer certificate$' "$ERR"
}

@test "TLS: --insecure logs in past each bad certificate" {
	export NET_TEST_PASS=alicepw
	for p in $LAB_SMTPS_SELFSIGNED_PORT $LAB_SMTPS_WRONGHOST_PORT $LAB_SMTPS_EXPIRED_PORT; do
		run nt -k -u alice "smtps://127.0.0.1:$p" <<<$'S\n> MAIL FROM:<alice@yubin.test>\n< 1\n> QUIT\n< 1'
		[ "$status" -eq 0 ]
		[ "$output" = "$(printf 'tls=1\n250 2.1.0 Ok\n221 2.0.0 Bye')" ]
	done
}

@test "TLS: --pin of the right key passes (even unverified); a wrong pin is 77; bad --pin and missing --cacert are 78" {
	export NET_TEST_PASS=alicepw
	pin() { openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64; }
	good=$(pin "$LAB_CERT")
	run nt -c "$LAB_CA" -p "sha256//$good" -u alice "smtps://127.0.0.1:$LAB_SMTPS_PORT" <<<$'> QUIT\n< 1'
	[ "$status" -eq 0 ]
	[ "$output" = "221 2.0.0 Bye" ]
	# several pins, one of them right
	other=$(pin "$LAB_CERT_EXPIRED")
	run nt -c "$LAB_CA" -p "sha256//$other;sha256//$good" -u alice "smtps://127.0.0.1:$LAB_SMTPS_PORT" <<<$'> QUIT\n< 1'
	[ "$status" -eq 0 ]
	# pinning a self-signed server: --insecure plus its pin
	self=$(pin "$LAB_CERT_SELFSIGNED")
	run nt -k -p "sha256//$self" -u alice "smtps://127.0.0.1:$LAB_SMTPS_SELFSIGNED_PORT" <<<$'> QUIT\n< 1'
	[ "$status" -eq 0 ]
	run nt -c "$LAB_CA" -p "sha256//$other" -u alice "smtps://127.0.0.1:$LAB_SMTPS_PORT" </dev/null
	[ "$status" -eq 77 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_SMTPS_PORT: TLS: the server's public key does not match --pin" ]
	run nt -c "$LAB_CA" -p "sha1//$good" -u alice "smtps://127.0.0.1:$LAB_SMTPS_PORT" </dev/null
	[ "$status" -eq 78 ]
	run nt -c "$LAB_DIR/nonexistent.pem" -u alice "smtps://127.0.0.1:$LAB_SMTPS_PORT" </dev/null
	[ "$status" -eq 78 ]
	[ "$(cat "$ERR")" = "net_test: --cacert $LAB_DIR/nonexistent.pem: No such file or directory" ]
}

@test "STARTTLS: required but not offered is 76; a password without TLS is refused before connecting (77)" {
	export NET_TEST_PASS=alicepw
	run nt -c "$LAB_CA" -u alice "smtp://127.0.0.1:$LAB_SMTP_AUTH_PLAIN_PORT" </dev/null
	[ "$status" -eq 76 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_SMTP_AUTH_PLAIN_PORT: STARTTLS not offered (or refused); refusing to continue without TLS" ]
	# "before connecting": the silent port would otherwise time out
	for s in no try; do
		SECONDS=0
		run nt -t 5 -s $s -u alice "smtp://127.0.0.1:$LAB_FAULT_HANG_PORT" </dev/null
		[ "$status" -eq 77 ]
		[ "$SECONDS" -lt 2 ]
		[ "$(cat "$ERR")" = "net_test: smtp://127.0.0.1:$LAB_FAULT_HANG_PORT: refusing to send the password when it may go in clear text (--starttls=$s); use --allow-plaintext to permit it" ]
	done
	# with --allow-plaintext it goes, in clear text
	run nt -T -s no -P -u alice "smtp://127.0.0.1:$LAB_SMTP_AUTH_PLAIN_PORT" <<<$'S\n> QUIT\n< 1'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'tls=0\n221 2.0.0 Bye')" ]
	grep -qx 'C: AUTH PLAIN \*\*\*\*\*\*\*\*' "$ERR"
	grep -qx 'S: 235 2.7.0 Authentication successful' "$ERR"
}

@test "STARTTLS try without a password: TLS where offered, clear text where not" {
	run nt -s try -c "$LAB_CA" "smtp://127.0.0.1:$LAB_SMTP_PORT" <<<$'S\n> QUIT\n< 1'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'tls=1\n221 2.0.0 Bye')" ]
	run nt -s try -c "$LAB_CA" "smtp://127.0.0.1:$LAB_SMTP_AUTH_PLAIN_PORT" <<<$'S\n> QUIT\n< 1'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'tls=0\n221 2.0.0 Bye')" ]
}

@test "opportunistic (--mx): STARTTLS unverified when offered, through CURLOPT_RESOLVE" {
	# no CA given: the lab's certificate is not trusted, and need not be
	run nt -O -R "mx1.yubin.test:$LAB_SMTP_PORT:127.0.0.1" "smtp://mx1.yubin.test:$LAB_SMTP_PORT" <<<$'S\n> QUIT\n< 1'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'tls=1\n221 2.0.0 Bye')" ]
	run nt -O "smtp://127.0.0.1:$LAB_SMTP_AUTH_PLAIN_PORT" <<<$'S\n> QUIT\n< 1'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'tls=0\n221 2.0.0 Bye')" ]
	# never with a password
	NET_TEST_PASS=alicepw run nt -O -u alice "smtp://127.0.0.1:$LAB_SMTP_PORT" </dev/null
	[ "$status" -eq 77 ]
}

@test "a user but no AUTH offered: 76, not a silent anonymous session" {
	export NET_TEST_PASS=alicepw
	run nt -c "$LAB_CA" -u alice "smtp://127.0.0.1:$LAB_SMTP_PORT" </dev/null
	[ "$status" -eq 76 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_SMTP_PORT: the server offers no way to log in" ]
}

@test "wrong password: 77 over SMTP, POP3 and IMAP, with the server's words" {
	export NET_TEST_PASS=wrong
	run nt -c "$LAB_CA" -u alice "smtp://127.0.0.1:$LAB_SUBMISSION_PORT" </dev/null
	[ "$status" -eq 77 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_SUBMISSION_PORT: authentication refused: 535 5.7.8 Error: authentication failed: (reason unavailable)" ]
	run nt -c "$LAB_CA" -u alice "pop3s://127.0.0.1:$LAB_POP3S_PORT" </dev/null
	[ "$status" -eq 77 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_POP3S_PORT: authentication refused: -ERR [AUTH] Authentication failed." ]
	run nt -c "$LAB_CA" -u alice "imap://127.0.0.1:$LAB_IMAP_PORT" </dev/null
	[ "$status" -eq 77 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_IMAP_PORT: authentication refused: A004 NO [AUTHENTICATIONFAILED] Authentication failed." ]
}

@test "a temporary AUTH failure (454, from the fault proxy's fake server) is 75, not 77" {
	export NET_TEST_PASS=alicepw
	run nt -s no -P -u alice "smtp://127.0.0.1:$LAB_FAULT_AUTH454_PORT" </dev/null
	[ "$status" -eq 75 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_FAULT_AUTH454_PORT: authentication failed for now: 454 4.7.0 Temporary authentication failure" ]
}

@test "carol's password (space, quote, backslash) works over IMAP and POP3" {
	export NET_TEST_PASS='c a"r\ol'
	run nt -c "$LAB_CA" -u carol "imap://127.0.0.1:$LAB_IMAP_PORT" <<<$'S\n> t1 STATUS INBOX (MESSAGES)\n< 2\n> t2 LOGOUT\n< 2'
	[ "$status" -eq 0 ]
	# Dovecot's timings "(0.001 + 0.000 secs)" vary
	[ "$(sed 's/ ([0-9.]* + [0-9.]*\( + [0-9.]*\)* secs)//' <<<"$output")" = "$(printf 'tls=1\n* STATUS INBOX (MESSAGES 0)\nt1 OK Status completed.\n* BYE Logging out\nt2 OK Logout completed.')" ]
	run nt -c "$LAB_CA" -u carol "pop3://127.0.0.1:$LAB_POP3_PORT" <<<$'S\n> STAT\n< 1\n> QUIT\n< 1'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'tls=1\n+OK 0 0\n+OK Logging out.')" ]
	# and over POP3 with SASL LOGIN instead of PLAIN
	run nt -a LOGIN -c "$LAB_CA" -u carol "pop3s://127.0.0.1:$LAB_POP3S_PORT" <<<$'> STAT\n< 1\n> QUIT\n< 1'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "+OK 0 0" ]
}

@test "APOP: the digest goes, the password does not; a wrong one is 77" {
	export NET_TEST_PASS=bobpw
	run nt -T -a APOP -c "$LAB_CA" -u bob "pop3://127.0.0.1:$LAB_POP3_PORT" <<<$'> STAT\n< 1\n> QUIT\n< 1'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '+OK 0 0\n+OK Logging out.')" ]
	grep -qx 'C: APOP bob \*\*\*\*\*\*\*\*' "$ERR"
	grep -qx 'S: +OK Logged in.' "$ERR"
	! grep -q bobpw "$ERR" || false
	NET_TEST_PASS=wrong run nt -a APOP -c "$LAB_CA" -u bob "pop3://127.0.0.1:$LAB_POP3_PORT" </dev/null
	[ "$status" -eq 77 ]
}

@test "IMAP: a pipelined APPEND with a literal, then a FETCH read back with net_read" {
	export NET_TEST_PASS=alicepw
	run nt -c "$LAB_CA" -u alice "imaps://127.0.0.1:$LAB_IMAPS_PORT" <<'EOF'
> t1 CREATE nettest
> t2 APPEND nettest {19+}
> Subject: hi
>
> body
F
< 2
EOF
	echo "$output"; cat "$ERR"
	[ "$status" -eq 0 ]
	[ ! -s "$ERR" ]
	[[ "${lines[0]}" == "t1 OK Create completed"* ]]
	[[ "${lines[1]}" == "t2 OK [APPENDUID "*"] Append completed"* ]]
	run nt -c "$LAB_CA" -u alice "imaps://127.0.0.1:$LAB_IMAPS_PORT" <<'EOF'
> t1 EXAMINE nettest
> t2 FETCH 1 BODY.PEEK[]
< 9
R 19
< 2
> t3 LOGOUT
< 2
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	# the literal's 19 bytes, then the rest of the FETCH line: ")"
	[ "$(sed -n '/^\* 1 FETCH/,/^t2 /p' <<<"$output" | sed 's/ ([0-9.]* + [0-9.]*\( + [0-9.]*\)* secs)//' | tr -d '\r')" = \
	  "$(printf '* 1 FETCH (BODY[] {19}\nSubject: hi\n\nbody)\nt2 OK Fetch completed.')" ]
}

@test "timeouts: a silent server during login and after it is 75 within the timeout" {
	SECONDS=0
	run nt -t 2 -s no "smtp://127.0.0.1:$LAB_FAULT_HANG_PORT" </dev/null
	[ "$status" -eq 75 ]
	[ "$SECONDS" -le 4 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_FAULT_HANG_PORT: timed out after 2 s (no greeting)" ]
	# logged in, then we wait for a reply to nothing: net_getline times out
	SECONDS=0
	NET_TEST_PASS=alicepw run nt -t 1 -c "$LAB_CA" -u alice "smtps://127.0.0.1:$LAB_SMTPS_PORT" <<<'< 1'
	[ "$status" -eq 75 ]
	[ "$SECONDS" -le 3 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_SMTPS_PORT: timed out after 1 s waiting for the server" ]
}

@test "connection reset, a greeting cut short, and a cut in the middle of DATA are 75" {
	run nt -t 5 -s no "smtp://127.0.0.1:$LAB_FAULT_RESET_PORT" </dev/null
	[ "$status" -eq 75 ]
	# the reset may come before libcurl counts the connection as made
	[[ "$(cat "$ERR")" == "net_test: 127.0.0.1:$LAB_FAULT_RESET_PORT: connection lost during login: "* ]] ||
	[[ "$(cat "$ERR")" == "net_test: 127.0.0.1:$LAB_FAULT_RESET_PORT: cannot connect: "* ]]
	run nt -t 5 -s no "smtp://127.0.0.1:$LAB_FAULT_CUT_PORT" </dev/null
	[ "$status" -eq 75 ]
	[[ "$(cat "$ERR")" == "net_test: 127.0.0.1:$LAB_FAULT_CUT_PORT: connection lost during login: "* ]]
	run nt -t 5 -s no "smtp://127.0.0.1:$LAB_FAULT_DATA_PORT" <<EOF
> MAIL FROM:<a@client.test>
> RCPT TO:<b@example.org>
> DATA
< 3
D $((LAB_FAULT_DATA_BYTES * 3))
> .
< 1
EOF
	[ "$status" -eq 75 ]
	[ "${lines[2]}" = "354 End data with <CR><LF>.<CR><LF>" ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_FAULT_DATA_PORT: the server closed the connection" ]
}

@test "connection refused is 75; an unknown host is 68; a bad URL is 64" {
	# a port of the lab's range nobody listens on: the lab's own base + 9
	run nt -t 5 -s no "smtp://127.0.0.1:$((LAB_SMTP_PORT - 25 + 9))" </dev/null
	[ "$status" -eq 75 ]
	[[ "$(cat "$ERR")" == "net_test: 127.0.0.1:$((LAB_SMTP_PORT - 25 + 9)): cannot connect: "* ]]
	run nt -t 5 -s no "smtp://nohost.invalid:25" </dev/null
	[ "$status" -eq 68 ]
	[ "$(cat "$ERR")" = "net_test: nohost.invalid:25: host name not found" ]
	run nt "smtp://[bad" </dev/null
	[ "$status" -eq 64 ]
}

@test "trace: PLAIN, LOGIN and CRAM-MD5 are redacted; neither the password nor its base64 appears" {
	export NET_TEST_PASS=alicepw
	for m in PLAIN LOGIN CRAM-MD5; do
		run nt -T -a $m -c "$LAB_CA" -u alice "smtps://127.0.0.1:$LAB_SMTPS_PORT" <<<$'> QUIT\n< 1'
		[ "$status" -eq 0 ]
		grep -q '^S: 235 2.7.0 Authentication successful$' "$ERR"
		! grep -q alicepw "$ERR" || false
		! grep -qF "$(b64 alicepw)" "$ERR" || false
		! grep -qF "$(b64 '\0alice\0alicepw')" "$ERR" || false
		! grep -qF "$(b64 'alice\0alice\0alicepw')" "$ERR" || false
		! grep -qF "$(b64 alice)" "$ERR" || false  # LOGIN's user name step
		# between the AUTH command and the 235, client lines are ********
		sed -n '/^C: AUTH/,/^S: 235/p' "$ERR" >"$BATS_TEST_TMPDIR/auth"
		case $m in
		PLAIN) [ "$(cat "$BATS_TEST_TMPDIR/auth")" = "$(printf 'C: AUTH PLAIN ********\nS: 235 2.7.0 Authentication successful')" ] ;;
		LOGIN) [ "$(cat "$BATS_TEST_TMPDIR/auth")" = "$(printf 'C: AUTH LOGIN ********\nS: 334 UGFzc3dvcmQ6\nC: ********\nS: 235 2.7.0 Authentication successful')" ] ;;
		CRAM-MD5)
			[ "$(sed -n 1p "$BATS_TEST_TMPDIR/auth")" = "C: AUTH CRAM-MD5" ]
			[ "$(sed -n 3p "$BATS_TEST_TMPDIR/auth")" = "C: ********" ]
			# the real response, computed from the challenge, is absent
			chal=$(sed -n 's/^S: 334 //p' "$BATS_TEST_TMPDIR/auth")
			resp=$(python3 -c 'import base64,hmac,sys
c = base64.b64decode(sys.argv[1])
d = hmac.new(b"alicepw", c, "md5").hexdigest()
print(base64.b64encode(b"alice " + d.encode()).decode())' "$chal")
			[ -n "$resp" ]
			! grep -qF "$resp" "$ERR" || false
			;;
		esac
		[ "$(tail -2 "$ERR")" = "$(printf 'C: QUIT\nS: 221 2.0.0 Bye')" ]
	done
}

@test "trace: IMAP AUTHENTICATE and LOGIN sent by the program are redacted" {
	export NET_TEST_PASS=alicepw
	run nt -T -c "$LAB_CA" -u alice "imaps://127.0.0.1:$LAB_IMAPS_PORT" <<<$'> t1 LOGOUT\n< 2'
	[ "$status" -eq 0 ]
	grep -qx 'C: A00[0-9] AUTHENTICATE PLAIN \*\*\*\*\*\*\*\*' "$ERR"
	! grep -qF "$(b64 '\0alice\0alicepw')" "$ERR" || false
	# a program's own LOGIN command (net_open without a user)
	run nt -T -c "$LAB_CA" "imaps://127.0.0.1:$LAB_IMAPS_PORT" <<<$'> t1 LOGIN alice alicepw\n< 2\n> t2 LOGOUT\n< 2'
	[ "$status" -eq 0 ]
	grep -qx 'C: t1 LOGIN \*\*\*\*\*\*\*\*' "$ERR"
	grep -q '^S: t1 OK ' "$ERR"
	! grep -q alicepw "$ERR" || false
	# LOGIN with the password as a literal on its own line
	run nt -T -c "$LAB_CA" "imaps://127.0.0.1:$LAB_IMAPS_PORT" <<'EOF2'
> t1 LOGIN carol {8}
< 1
> c a"r\ol
< 2
> t2 LOGOUT
< 2
EOF2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "+ OK" ]
	[ "${lines[2]}" = "t1 OK Logged in" ]
	[ "$(sed -n '/^C: t1 LOGIN/,/^S: +/p;/^S: + OK/{n;p}' "$ERR")" = "$(printf 'C: t1 LOGIN ********\nS: + OK\nC: ********')" ]
	! grep -qF 'r\ol' "$ERR" || false
	# and POP3 USER/PASS by hand
	run nt -T -c "$LAB_CA" "pop3s://127.0.0.1:$LAB_POP3S_PORT" <<<$'> USER bob\n< 1\n> PASS bobpw\n< 1\n> QUIT\n< 1'
	[ "$status" -eq 0 ]
	grep -qx 'C: USER bob' "$ERR"
	grep -qx 'C: PASS \*\*\*\*\*\*\*\*' "$ERR"
	! grep -q bobpw "$ERR" || false
}

@test "trace: message data is summarised; --explain comments the server lines" {
	export NET_TEST_PASS=alicepw
	run nt -T -c "$LAB_CA" -u alice "smtps://127.0.0.1:$LAB_SMTPS_PORT" <<<$'> MAIL FROM:<alice@yubin.test>\n> RCPT TO:<bob@example.org>\n> DATA\n< 3\nD 200\n> .\n< 1\n> QUIT\n< 1'
	[ "$status" -eq 0 ]
	grep -qx 'C: \[200 bytes of message data\]' "$ERR"
	! grep -q '^C: xxx' "$ERR" || false
	! grep -q '^#' "$ERR" || false
	run nt -E -c "$LAB_CA" -u alice "smtps://127.0.0.1:$LAB_SMTPS_PORT" <<<$'> MAIL FROM:<alice@yubin.test>\n> RCPT TO:<bob@example.org>\n> DATA\n< 3\nD 200\n> .\n< 1\n> QUIT\n< 1'
	[ "$status" -eq 0 ]
	# --explain implies the trace; the comment under each final reply,
	# written out from RFC 5321 4.2.3, RFC 3207 4, RFC 4954 6, RFC 3463 3
	ex() { grep -A1 -x "S: $1" "$ERR" | sed -n 2p; }
	[ "$(ex '220 lab.yubin.test ESMTP yubin lab')" = "#   220: service ready (the greeting; after STARTTLS: start the TLS handshake, RFC 3207 §4) (RFC 5321 §4.2.3)" ]
	[ "$(ex '235 2.7.0 Authentication successful')" = "#   235 2.7.0: authentication succeeded; 2.7.0 other or undefined security status (RFC 4954 §6, RFC 3463 §3.8)" ]
	[ "$(ex '250 2.1.0 Ok')" = "#   250 2.1.0: requested mail action okay, completed; 2.1.0 other address status (RFC 5321 §4.2.3, RFC 3463 §3.2)" ]
	[ "$(ex '250 2.1.5 Ok')" = "#   250 2.1.5: requested mail action okay, completed; 2.1.5 destination address valid (RFC 5321 §4.2.3, RFC 3463 §3.2)" ]
	[ "$(ex '354 End data with <CR><LF>.<CR><LF>')" = "#   354: go ahead, end the data with <CRLF>.<CRLF> (RFC 5321 §4.3.2)" ]
	[ "$(ex '221 2.0.0 Bye')" = "#   221 2.0.0: service closing transmission channel (goodbye); 2.0.0 other undefined status (RFC 5321 §4.2.3, RFC 3463 §3.1)" ]
	[ "$(ex '250 CHUNKING')" = "#   CHUNKING: the message may be sent in BDAT chunks instead of DATA (RFC 3030)" ]
	[ "$(grep -A1 '^S: 250 2.0.0 Ok: queued as ' "$ERR" | sed -n 2p)" = "#   250 2.0.0: requested mail action okay, completed; 2.0.0 other undefined status (RFC 5321 §4.2.3, RFC 3463 §3.1)" ]
	grep -qx 'C: \[200 bytes of message data\]' "$ERR"
}

@test "net_getline: a 65536-byte line is read whole, a longer one is 76" {
	export NET_TEST_PASS=bobpw
	# two messages of one long line each, stored by IMAP APPEND
	run nt -c "$LAB_CA" -u bob "imaps://127.0.0.1:$LAB_IMAPS_PORT" <<'EOF2'
> t1 APPEND INBOX {65538+}
L 65536
>
> t2 APPEND INBOX {65539+}
L 65537
>
< 2
> t3 LOGOUT
< 2
EOF2
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "t2 OK [APPENDUID "* ]]
	# POP3 RETR gives the line back as it is
	run nt -c "$LAB_CA" -u bob "pop3s://127.0.0.1:$LAB_POP3S_PORT" <<<$'> RETR 1\n< 2'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "+OK 65538 octets" ]
	[ "${lines[1]}" = "$(printf 'y%.0s' $(seq 65536))" ]
	run nt -c "$LAB_CA" -u bob "pop3s://127.0.0.1:$LAB_POP3S_PORT" <<<$'> RETR 2\n< 2'
	[ "$status" -eq 76 ]
	[ "$output" = "+OK 65539 octets" ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_POP3S_PORT: a server line longer than 64 KiB" ]
}

@test "a password inside a URL never reaches the messages, even with / ? # or @ in it" {
	run nt -s no -u a 'smtp://alice:secretpw@127.0.0.1:1/' </dev/null
	[ "$status" -eq 64 ]
	[ "$(cat "$ERR")" = "net_test: smtp://***@127.0.0.1:1: no user or password in the URL, please (use -u and a password source)" ]
	NET_TEST_PASS=x run nt -s no -u a 'smtp://alice:secretpw@127.0.0.1:1/' </dev/null
	[ "$status" -eq 77 ]
	[[ "$(cat "$ERR")" == "net_test: smtp://***@127.0.0.1:1: refusing to send the password"* ]]
	run nt 'smtp://alice:secretpw@[bad/' </dev/null
	[ "$status" -eq 64 ]
	[ "$(cat "$ERR")" = "net_test: smtp://***@[bad: no user or password in the URL, please (use -u and a password source)" ]
	# a password holding a URL delimiter: no parser finds its end
	for pw in 's3cr#t' 'pa?ss' 'a/b' '12#x' 'p@ss' 'x:1/y?z#w@v'; do
		run nt -s no -u a "imaps://bob:$pw@127.0.0.1:1/" </dev/null
		[ "$status" -eq 64 ]
		[ "$(cat "$ERR")" = "net_test: imaps://***@127.0.0.1:1: no user or password in the URL, please (use -u and a password source)" ]
		NET_TEST_PASS=x run nt -s try -u a "smtp://bob:$pw@127.0.0.1:1/" </dev/null
		[ "$status" -eq 77 ]
		[ "$(cat "$ERR")" = "net_test: smtp://***@127.0.0.1:1: refusing to send the password when it may go in clear text (--starttls=try); use --allow-plaintext to permit it" ]
	done
	# no user information: scheme://host:port, the path left out
	NET_TEST_PASS=x run nt -s no -u a 'smtp://127.0.0.1:1/some/path?q#f' </dev/null
	[ "$status" -eq 77 ]
	[[ "$(cat "$ERR")" == "net_test: smtp://127.0.0.1:1: refusing to send the password"* ]]
}

@test "a connection reset after login is 75, and libcurl's error buffer is still ours (fake server)" {
	# the fake answers EHLO, then resets the connection: libcurl's
	# curl_easy_recv fails and writes its CURLOPT_ERRORBUFFER, which once
	# pointed into net_open()'s dead stack frame; the sanitizer build
	# reports that as stack-use-after-return (a report would be in $ERR)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_stack_use_after_return=1 \
		run nt -t 5 -s no "smtp://127.0.0.1:$FAKE_RSTLOGIN_PORT" <<<$'> NOOP\n< 1'
	[ "$status" -eq 75 ]
	[ "$output" = "" ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$FAKE_RSTLOGIN_PORT: connection lost: Failure when receiving data from the peer" ]
}

@test "--cacert replaces the system's CAs: a CA only in the CApath is not trusted" {
	command -v unshare >/dev/null || skip "no unshare(1)"
	unshare -m true 2>/dev/null || skip "unshare -m not permitted here"
	[ -d /etc/ssl/certs ] || skip "no /etc/ssl/certs"
	# a private mount namespace in which /etc/ssl/certs (libcurl's
	# built-in CApath on Debian) holds the lab's CA, hashed, and its
	# CAfile bundle is the unrelated self-signed certificate
	d=$BATS_TEST_TMPDIR/capath
	mkdir "$d"
	cp "$LAB_CA" "$d/labca.pem"
	openssl rehash "$d"
	cp "$LAB_CERT_SELFSIGNED" "$d/ca-certificates.crt"
	export NET_TEST_PASS=alicepw
	inns() {
		unshare -m sh -c 'mount --bind "$1" /etc/ssl/certs && shift && exec "$@"' \
			sh "$d" "$YUBIN_UNIT/net_test" "$@" 2>"$ERR"
	}
	# control: with the system defaults the CApath is searched and trusted
	run inns -u alice "smtps://127.0.0.1:$LAB_SMTPS_PORT" <<<'S'
	cat "$ERR"
	[ "$status" -eq 0 ]
	[ "$output" = "tls=1" ]
	# --cacert names another CA: the lab's certificate is refused
	run inns -c "$LAB_CERT_SELFSIGNED" -u alice "smtps://127.0.0.1:$LAB_SMTPS_PORT" <<<'S'
	[ "$status" -eq 77 ]
	[ "$output" = "" ]
	[[ "$(cat "$ERR")" == "net_test: 127.0.0.1:$LAB_SMTPS_PORT: TLS certificate verification failed: "* ]]
}

@test "IMAP: an untagged line before the '+' does not end the redaction (fake server)" {
	export NET_TEST_PASS=secretpw
	# the fake's alert ends in "\xc2\x9b31m \xff caf\xc3\xa9"
	# libcurl's AUTHENTICATE LOGIN: user name inline, password after '+'
	run nt -T -a LOGIN -s no -P -u alice "imap://127.0.0.1:$FAKE_IMAPALERT_PORT" <<<$'> t1 LOGOUT\n< 2'
	[ "$status" -eq 0 ]
	[ "$(sed -n '/AUTHENTICATE/,/^S: A00[0-9] OK/p' "$ERR")" = "$(printf '%s\n' \
		'C: A002 AUTHENTICATE LOGIN ********' \
		'S: * OK [ALERT] maintenance ?31m ? café' \
		'S: + UGFzc3dvcmQ6' \
		'C: ********' \
		'S: A002 OK logged in')" ]
	! grep -qF "$(b64 secretpw)" "$ERR" || false
	! grep -q secretpw "$ERR" || false
	# the program's own AUTHENTICATE through net_send/net_getline
	unset NET_TEST_PASS
	resp=$(b64 '\0alice\0secretpw')
	run nt -T -s no "imap://127.0.0.1:$FAKE_IMAPALERT_PORT" <<<"> t1 AUTHENTICATE PLAIN
< 2
> $resp
< 1
> t2 LOGOUT
< 2"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "t1 OK logged in" ]
	[ "$(sed -n '/^C: t1 /,/^C: t2 /p' "$ERR")" = "$(printf '%s\n' \
		'C: t1 AUTHENTICATE PLAIN' \
		'S: * OK [ALERT] maintenance ?31m ? café' \
		'S: + ' \
		'C: ********' \
		'S: t1 OK logged in' \
		'C: t2 LOGOUT')" ]
	! grep -qF "$resp" "$ERR" || false
}

@test "C1 controls and bad UTF-8 from the server are shown as '?' in the trace and in messages (fake server)" {
	run nt -T -s no "smtp://127.0.0.1:$FAKE_SMTP554_PORT" </dev/null
	# the fake's greeting ends in "\xc2\x9b31m \xff caf\xc3\xa9"
	[ "$(sed -n 1p "$ERR")" = 'S: 554 5.3.2 no SMTP service here ?31m ? café' ]
	[[ "$(sed -n 2p "$ERR")" == *"554 5.3.2 no SMTP service here ?31m ? café" ]]
	[ "$(cat "$ERR")" = "$(printf '%s\n' \
		'S: 554 5.3.2 no SMTP service here ?31m ? café' \
		"net_test: 127.0.0.1:$FAKE_SMTP554_PORT: the server refuses service: 554 5.3.2 no SMTP service here ?31m ? café")" ]
	[ "$status" -eq 69 ]
	! LC_ALL=C grep -q $'[\x80-\x9f]\\|\xff' <(sed 's/é//g' "$ERR") || false
}

@test "a trace line longer than the trace's 1 KiB buffer comes out whole, a character at the seam too" {
	export NET_TEST_PASS=alicepw
	# "C: t1 NOOP " and 1012 x fill 1023 bytes: the two bytes of é no
	# longer fit with the newline and begin the second write; an ESC
	# beyond it must still become '?'
	local x y
	x=$(printf 'x%.0s' $(seq 1012))
	y=$(printf 'y%.0s' $(seq 2000))
	run nt -T -c "$LAB_CA" -u alice "imaps://127.0.0.1:$LAB_IMAPS_PORT" <<EOF
> t1 NOOP ${x}é$(printf '\033')[1m$y
< 1
EOF
	[ "$status" -eq 0 ]
	[ "$(grep '^C: t1 ' "$ERR")" = "C: t1 NOOP ${x}é?[1m$y" ]
	[ "$(grep -c '^C: t1 ' "$ERR")" -eq 1 ]
}

@test "exit codes: an SMTP 5xx greeting is 69; POP3 [LOGIN-DELAY] is 75 (fake servers)" {
	run nt -s no "smtp://127.0.0.1:$FAKE_SMTP554_PORT" </dev/null
	[ "$status" -eq 69 ]
	[[ "$(cat "$ERR")" == "net_test: 127.0.0.1:$FAKE_SMTP554_PORT: the server refuses service: 554 5.3.2 no SMTP service here "* ]]
	NET_TEST_PASS=pw run nt -s no -P -u bob "pop3://127.0.0.1:$FAKE_POPDELAY_PORT" </dev/null
	[ "$status" -eq 75 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$FAKE_POPDELAY_PORT: authentication failed for now: -ERR [LOGIN-DELAY] wait 300 seconds between logins" ]
}

@test "a mechanism the server does not offer: the offered ones are named, and --auth suggested" {
	export NET_TEST_PASS=alicepw
	run nt -a XOAUTH2 -c "$LAB_CA" -u alice "smtp://127.0.0.1:$LAB_SUBMISSION_PORT" </dev/null
	[ "$status" -eq 77 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_SUBMISSION_PORT: the server offers AUTH PLAIN LOGIN CRAM-MD5, not XOAUTH2: choose one of them with --auth" ]
	run nt -a OAUTHBEARER -c "$LAB_CA" -u alice "pop3s://127.0.0.1:$LAB_POP3S_PORT" </dev/null
	[ "$status" -eq 77 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_POP3S_PORT: the server offers AUTH PLAIN LOGIN CRAM-MD5, not OAUTHBEARER: choose one of them with --auth" ]
	run nt -a XOAUTH2 -c "$LAB_CA" -u alice "imaps://127.0.0.1:$LAB_IMAPS_PORT" </dev/null
	[ "$status" -eq 77 ]
	[ "$(cat "$ERR")" = "net_test: 127.0.0.1:$LAB_IMAPS_PORT: the server offers AUTH PLAIN LOGIN CRAM-MD5, not XOAUTH2: choose one of them with --auth" ]
}

@test "SMTP: a multi-line 334- challenge does not end the redaction (fake server)" {
	export NET_TEST_PASS=secretpw
	# libcurl's AUTH LOGIN: user name inline, password after the 334s
	run nt -T -a LOGIN -s no -P -u alice "smtp://127.0.0.1:$FAKE_AUTH334_PORT" <<<$'> QUIT\n< 1'
	[ "$status" -eq 0 ]
	[ "$(sed -n '/^C: AUTH/,/^S: 235/p' "$ERR")" = "$(printf '%s\n' \
		'C: AUTH LOGIN ********' \
		'S: 334-a multi-line challenge' \
		'S: 334 UGFzc3dvcmQ6' \
		'C: ********' \
		'S: 235 2.7.0 fake: any password will do')" ]
	! grep -qF "$(b64 secretpw)" "$ERR" || false
	# the program's own AUTH through net_send/net_getline
	unset NET_TEST_PASS
	resp=$(b64 '\0alice\0secretpw')
	run nt -T -s no "smtp://127.0.0.1:$FAKE_AUTH334_PORT" <<<"> AUTH PLAIN
< 2
> $resp
< 1
> QUIT
< 1"
	[ "$status" -eq 0 ]
	[ "$(sed -n '/^C: AUTH/,/^C: QUIT/p' "$ERR")" = "$(printf '%s\n' \
		'C: AUTH PLAIN' \
		'S: 334-a multi-line challenge' \
		'S: 334 ' \
		'C: ********' \
		'S: 235 2.7.0 fake: any password will do' \
		'C: QUIT')" ]
	! grep -qF "$resp" "$ERR" || false
}
