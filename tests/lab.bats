#!/usr/bin/env bats
# The mail lab (tests/lab/lab): real Dovecot, Postfix and NSD on loopback.
# One lab for the whole file; each case checks exact protocol answers.
# Needs root and the server packages (tests/deps installs them).

load lab/labtest

setup_file() {
	command -v dig >/dev/null || skip "lab: dig missing (bind9-dnsutils; run tests/deps)"
	lab_start 20000 21000 22000 23000 24000 25000 26000 27000
}

teardown_file() {
	[ -n "${LAB_DIR:-}" ] || return 0
	local g groups="" f s
	for f in "$LAB_DIR"/*.pgid; do
		[ -f "$f" ] && groups="$groups $(cat "$f")"
	done
	"$LAB" stop "$LAB_DIR"
	# Nothing of the lab may be left (zombies awaiting a slow reaper aside).
	for f in /proc/[0-9]*/stat; do
		{ read -r s <"$f"; } 2>/dev/null || continue
		s=${s##*) }
		set -- $s
		for g in $groups; do
			if [ "$3" = "$g" ] && [ "$1" != Z ]; then
				echo "lab process left: $f: $s" >&3
				return 1
			fi
		done
	done
	rm -rf "$LAB_DIR"
}

setup() {
	lab_env
}

# dig against the lab's NSD
q() {
	dig @127.0.0.1 -p "$LAB_DNS_PORT" +time=2 +tries=1 "$@"
}
# the rcode of a query
rcode() {
	q "$@" +noall +comments | sed -n 's/.*status: \([A-Z]*\).*/\1/p'
}

@test "lab status: the three servers and two proxies run; lab env names the ports" {
	run "$LAB" status "$LAB_DIR"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "dovecot: running (process group $(cat "$LAB_DIR/dovecot.pgid"))" ]
	[ "${#lines[@]}" -eq 5 ]
	run "$LAB" env "$LAB_DIR"
	[ "$status" -eq 0 ]
	[[ "$output" == *"LAB_SUBMISSION_PORT=$LAB_SUBMISSION_PORT"* ]]
}

# The second lab of "lab stop without DIR ...", if a failure left it.
teardown() {
	[ -n "${LAB2:-}" ] && [ -d "$LAB2" ] || return 0
	"$LAB" stop "$LAB2"
	rm -rf "$LAB2"
}

@test "lab stop without DIR stops the lab lab start made, removes its directory, and nothing else" {
	local b rc f g s groups=""
	export LAB_STATE=$BATS_TEST_TMPDIR/labs
	# setup()'s ports are the file's lab's: this one takes a base's
	unset $(compgen -v | grep -x 'LAB_.*_PORT')
	for b in 28000 29000 30000 21000 22000 23000 24000 25000 26000 27000; do
		rc=0
		LAB_PORT_BASE=$b "$LAB" start >"$BATS_TEST_TMPDIR/start.out" 2>&1 || rc=$?
		[ $rc = 3 ] || break
	done
	[ $rc = 0 ] || { cat "$BATS_TEST_TMPDIR/start.out"; return 1; }
	LAB2=$(sed -n 's/^lab: running in //p' "$BATS_TEST_TMPDIR/start.out")
	[ -d "$LAB2" ]
	[ "$(cat "$LAB_STATE")" = "$LAB2" ]
	for f in "$LAB2"/*.pgid; do groups="$groups $(cat "$f")"; done
	[ -n "$groups" ]
	run env -u LAB_DIR "$LAB" stop
	[ "$status" -eq 0 ]
	[ "$output" = "lab: stopped and removed $LAB2" ]
	[ ! -e "$LAB2" ]
	[ ! -s "$LAB_STATE" ]
	for f in /proc/[0-9]*/stat; do
		{ read -r s <"$f"; } 2>/dev/null || continue
		s=${s##*) }
		set -- $s
		for g in $groups; do
			[ "$3" != "$g" ] || [ "$1" = Z ] || { echo "left: $f: $s"; return 1; }
		done
	done
	# nothing more remembered: the file's own lab is not touched
	run env -u LAB_DIR "$LAB" stop
	[ "$status" -eq 1 ]
	[ "$output" = "lab: no lab directory given (and LAB_DIR unset)" ]
	run "$LAB" status "$LAB_DIR"
	[ "$status" -eq 0 ]
}

@test "lab start refuses a busy port and starts nothing" {
	run "$LAB" start  # the ports from $LAB_DIR/env, all in use
	[ "$status" -eq 3 ]
	[[ "$output" == *"port(s) busy on 127.0.0.1: $LAB_SMTP_PORT/tcp"* ]]
}

@test "submission: STARTTLS + AUTH PLAIN as alice delivers, with its envelope" {
	id="lab-$$-$RANDOM"
	run python3 - "$id" <<'EOF'
import os, smtplib, ssl, sys
E = os.environ
ctx = ssl.create_default_context(cafile=E['LAB_CA'])
s = smtplib.SMTP('127.0.0.1', int(E['LAB_SUBMISSION_PORT']), 'client.test')
s.starttls(context=ctx)
code, msg = s.ehlo('client.test')
assert b'\nAUTH PLAIN LOGIN CRAM-MD5\n' in msg, msg
s.user, s.password = 'alice', 'alicepw'
print(s.auth('PLAIN', s.auth_plain))
print(s.mail('alice@yubin.test'))
print(s.rcpt('bob@example.org'))
print(s.data(('Subject: %s\r\n\r\nbody\r\n.dot\r\n' % sys.argv[1]).encode()))
s.quit()
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "(235, b'2.7.0 Authentication successful')" ]
	[ "${lines[1]}" = "(250, b'2.1.0 Ok')" ]
	[ "${lines[2]}" = "(250, b'2.1.5 Ok')" ]
	[[ "${lines[3]}" == "(250, b'2.0.0 Ok: queued as "* ]]
	f=
	for _ in $(seq 100); do
		f=$(grep -l "^Subject: $id\$" "$LAB_STORE"/new/* 2>/dev/null || true)
		[ -n "$f" ] && break
		sleep 0.05
	done
	[ -n "$f" ]
	# the client's bytes, LF line ends, dot-unstuffed, no Received by Postfix
	[ "$(cat "$f")" = "$(printf 'Subject: %s\n\nbody\n.dot' "$id")" ]
	[ "$(cat "$LAB_ENVELOPES/$(basename "$f")")" = "$(printf '%s\n' \
		sender=alice@yubin.test recipient=bob@example.org \
		sasl_username=alice client_helo=client.test)" ]
}

@test "submission: before STARTTLS no AUTH, and MAIL gets 530" {
	run python3 <<'EOF'
import os, smtplib
s = smtplib.SMTP('127.0.0.1', int(os.environ['LAB_SUBMISSION_PORT']))
code, msg = s.ehlo()
print(code, b'AUTH' in msg, b'STARTTLS' in msg)
print(s.mail('alice@yubin.test'))
EOF
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "250 False True" ]
	[ "${lines[1]}" = "(530, b'5.7.0 Must issue a STARTTLS command first')" ]
}

@test "SMTP+AUTH port advertises AUTH without TLS" {
	run python3 <<'EOF'
import os, smtplib
s = smtplib.SMTP('127.0.0.1', int(os.environ['LAB_SMTP_AUTH_PLAIN_PORT']))
code, msg = s.ehlo()
ext = msg.decode().split('\n')[1:]
print('AUTH PLAIN LOGIN CRAM-MD5' in ext, 'STARTTLS' in ext)
EOF
	[ "$status" -eq 0 ]
	[ "$output" = "True False" ]
}

@test "SMTPS: implicit TLS, AUTH as bob" {
	run python3 <<'EOF'
import os, smtplib, ssl
E = os.environ
ctx = ssl.create_default_context(cafile=E['LAB_CA'])
s = smtplib.SMTP_SSL('127.0.0.1', int(E['LAB_SMTPS_PORT']), context=ctx)
s.ehlo()
s.user, s.password = 'bob', 'bobpw'
print(s.auth('PLAIN', s.auth_plain))
s.quit()
EOF
	[ "$status" -eq 0 ]
	[ "$output" = "(235, b'2.7.0 Authentication successful')" ]
}

@test "SMTP: reject550 gets 550, defer450 gets 450, SIZE over the limit 552" {
	run python3 <<'EOF'
import os, smtplib
s = smtplib.SMTP('127.0.0.1', int(os.environ['LAB_SMTP_PORT']))
s.ehlo()
print(s.mail('x@client.test'))
print(s.rcpt('reject550@yubin.test'))
print(s.rcpt('defer450@example.com'))
s.rset()
print(s.mail('x@client.test', ['SIZE=2000000']))
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "(250, b'2.1.0 Ok')" ]
	[ "${lines[1]}" = "(550, b'5.1.1 <reject550@yubin.test>: Recipient address rejected: lab: rejected recipient')" ]
	[ "${lines[2]}" = "(450, b'4.2.0 <defer450@example.com>: Recipient address rejected: lab: deferred recipient')" ]
	[ "${lines[3]}" = "(552, b'5.3.4 Message size exceeds fixed limit')" ]
}

@test "IMAPS: login as carol, whose password has a space, a quote and a backslash" {
	run python3 <<'EOF'
import imaplib, os, ssl
E = os.environ
ctx = ssl.create_default_context(cafile=E['LAB_CA'])
i = imaplib.IMAP4_SSL('127.0.0.1', int(E['LAB_IMAPS_PORT']), ssl_context=ctx)
print(i.login('carol', 'c a"r\\ol'))
print(i.select('INBOX'))
i.logout()
i = imaplib.IMAP4_SSL('127.0.0.1', int(E['LAB_IMAPS_PORT']), ssl_context=ctx)
try:
    i.login('carol', 'wrong')
except imaplib.IMAP4.error as e:
    print(e)
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "('OK', [b'Logged in'])" ]
	[ "${lines[1]}" = "('OK', [b'0'])" ]
	[ "${lines[2]}" = "b'[AUTHENTICATIONFAILED] Authentication failed.'" ]
}

@test "POP3: STLS then USER/PASS; APOP" {
	run python3 <<'EOF'
import os, poplib, re, ssl
E = os.environ
ctx = ssl.create_default_context(cafile=E['LAB_CA'])
p = poplib.POP3('127.0.0.1', int(E['LAB_POP3_PORT']))
print(bool(re.match(rb'\+OK .*<[^<>]+@[^<>]+>$', p.getwelcome())))
print(p.stls(context=ctx))
print(p.user('alice'))
print(p.pass_('alicepw'))
print(p.stat())
p.quit()
p = poplib.POP3('127.0.0.1', int(E['LAB_POP3_PORT']))
print(p.apop('bob', 'bobpw'))
p.quit()
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = True ]
	[ "${lines[1]}" = "b'+OK Begin TLS negotiation now.'" ]
	[ "${lines[2]}" = "b'+OK'" ]
	[ "${lines[3]}" = "b'+OK Logged in.'" ]
	[ "${lines[4]}" = "(0, 0)" ]
	[ "${lines[5]}" = "b'+OK Logged in.'" ]
}

@test "POP3S and IMAP STARTTLS verify against the lab CA as localhost" {
	run openssl s_client -connect "127.0.0.1:$LAB_POP3S_PORT" -CAfile "$LAB_CA" \
		-verify_hostname localhost -verify_return_error </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"Verify return code: 0 (ok)"* ]]
	run python3 -c '
import os, poplib, ssl
E = os.environ
ctx = ssl.create_default_context(cafile=E["LAB_CA"])
p = poplib.POP3_SSL("127.0.0.1", int(E["LAB_POP3S_PORT"]), context=ctx)
print(p.getwelcome().split(b" <")[0])
p.quit()'
	[ "$status" -eq 0 ]
	[ "$output" = "b'+OK Dovecot (Debian) ready.'" ]
	run openssl s_client -starttls imap -connect "127.0.0.1:$LAB_IMAP_PORT" \
		-CAfile "$LAB_CA" -verify_ip 127.0.0.1 -verify_return_error </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"Verify return code: 0 (ok)"* ]]
}

@test "DNS: equal-preference MXs, implicit MX, null MX" {
	[ "$(q +short yubin.test MX | sort)" = "$(printf '10 mx1.yubin.test.\n10 mx2.yubin.test.')" ]
	[ "$(q +short implicit.yubin.test MX)" = "" ]
	[ "$(rcode implicit.yubin.test MX)" = NOERROR ]
	[ "$(q +short implicit.yubin.test A)" = 127.0.0.1 ]
	[ "$(q +short nullmx.yubin.test MX)" = "0 ." ]
}

@test "DNS: NXDOMAIN and NODATA" {
	[ "$(rcode nxdomain.yubin.test MX)" = NXDOMAIN ]
	[ "$(rcode nodata.yubin.test MX)" = NOERROR ]
	[ "$(q +short nodata.yubin.test MX)" = "" ]
	[ "$(q +short nodata.yubin.test A)" = "" ]
}

@test "DNS: an MX that is a CNAME, an MX host that does not exist" {
	[ "$(q +short cnamemx.yubin.test MX)" = "10 alias.yubin.test." ]
	[ "$(q +short alias.yubin.test A)" = "$(printf 'mx1.yubin.test.\n127.0.0.1')" ]
	[ "$(q +short badmx.yubin.test MX)" = "10 nohost.yubin.test." ]
	[ "$(rcode nohost.yubin.test A)" = NXDOMAIN ]
}

@test "DNS: an answer over 512 bytes is truncated over UDP, whole over TCP" {
	run q +noedns +ignore +noall +comments big.yubin.test MX
	[[ "$output" == *"flags: qr aa tc "* ]]
	[[ "$output" == *"ANSWER: 0,"* ]]
	[ "$(q +tcp +short big.yubin.test MX | wc -l)" -eq 12 ]
	size=$(q +tcp big.yubin.test MX | sed -n 's/^;; MSG SIZE  rcvd: //p')
	[ "$size" -gt 512 ]
}

@test "DNS: RFC 6186 SRV records and TXT" {
	[ "$(q +short _submission._tcp.yubin.test SRV)" = "0 1 $LAB_SUBMISSION_PORT lab.yubin.test." ]
	[ "$(q +short _imaps._tcp.yubin.test SRV)" = "0 1 $LAB_IMAPS_PORT lab.yubin.test." ]
	[ "$(q +short _imap._tcp.yubin.test SRV)" = "0 0 0 ." ]
	[ "$(q +short txt.yubin.test TXT)" = '"yubin lab" "second string"' ]
}

@test "certificates: good, wrong-host, expired and self-signed are what they say" {
	T=$LAB_DIR/tls
	run openssl verify -CAfile "$LAB_CA" "$LAB_CERT"
	[ "$status" -eq 0 ]
	for h in localhost yubin.test mx1.yubin.test; do
		openssl x509 -in "$LAB_CERT" -noout -checkhost "$h" | grep -q ' does match certificate$'
	done
	openssl x509 -in "$LAB_CERT" -noout -checkip 127.0.0.1 | grep -q ' does match certificate$'
	openssl x509 -in "$LAB_CERT" -noout -checkip ::1 | grep -q ' does match certificate$'
	openssl x509 -in "$LAB_CERT" -noout -checkend 86400

	run openssl verify -CAfile "$LAB_CA" "$LAB_CERT_WRONGHOST"
	[ "$status" -eq 0 ]
	openssl x509 -in "$LAB_CERT_WRONGHOST" -noout -checkhost localhost | grep -q 'does NOT match certificate$'

	run openssl x509 -in "$LAB_CERT_EXPIRED" -noout -checkend 0
	[ "$status" -eq 1 ]
	[ "$output" = "Certificate will expire" ]
	openssl x509 -in "$LAB_CERT_EXPIRED" -noout -checkhost localhost | grep -q ' does match certificate$'
	run openssl verify -CAfile "$LAB_CA" "$LAB_CERT_EXPIRED"
	[ "$status" -ne 0 ]
	[[ "$output" == *"certificate has expired"* ]]

	run openssl verify -CAfile "$LAB_CA" "$LAB_CERT_SELFSIGNED"
	[ "$status" -ne 0 ]
	[[ "$output" == *"self-signed certificate"* ]]
	[ "$(openssl x509 -in "$LAB_CERT_SELFSIGNED" -noout -subject | sed 's/^subject=//')" = \
	  "$(openssl x509 -in "$LAB_CERT_SELFSIGNED" -noout -issuer | sed 's/^issuer=//')" ]
	[ -r "$T/selfsigned.key" ]
	[ -r "$T/wronghost.key" ]
	[ -r "$T/expired.key" ]
}

@test "delay proxy: EHLO takes two delays; submission works through it" {
	run python3 <<'EOF2'
import os, smtplib, ssl, time
E = os.environ
ctx = ssl.create_default_context(cafile=E['LAB_CA'])
s = smtplib.SMTP('127.0.0.1', int(E['LAB_DELAY_SUBMISSION_PORT']))
t = time.monotonic()
s.ehlo()
rtt = (time.monotonic() - t) * 1000
print(rtt >= 2 * int(E['LAB_DELAY_MS']), rtt < 2000)
s.starttls(context=ctx)
s.ehlo()
s.user, s.password = 'alice', 'alicepw'
print(s.auth('PLAIN', s.auth_plain))
s.quit()
EOF2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "True True" ]
	[ "${lines[1]}" = "(235, b'2.7.0 Authentication successful')" ]
}

@test "fault proxy: reset, silence, and an SMTP greeting cut short" {
	run python3 <<'EOF2'
import os, socket
E = os.environ
s = socket.create_connection(('127.0.0.1', int(E['LAB_FAULT_RESET_PORT'])))
try:
    print(s.recv(100))
except OSError as e:
    print(type(e).__name__)
s = socket.create_connection(('127.0.0.1', int(E['LAB_FAULT_HANG_PORT'])))
s.settimeout(0.3)
try:
    print(s.recv(100))
except socket.timeout:
    print('timeout')
s.close()
s = socket.create_connection(('127.0.0.1', int(E['LAB_FAULT_CUT_PORT'])))
got = b''
while True:
    b = s.recv(100)
    if not b:
        break
    got += b
print(got)
EOF2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = ConnectionResetError ]
	[ "${lines[1]}" = timeout ]
	[ "${lines[2]}" = "b'220 lab.yu'" ]
}

@test "bad-certificate SMTPS ports: each presents its certificate and fails to verify for its reason" {
	for kind in SELFSIGNED WRONGHOST EXPIRED; do
		port=$(eval echo "\$LAB_SMTPS_${kind}_PORT")
		cert=$(eval echo "\$LAB_CERT_${kind}")
		run openssl s_client -connect "127.0.0.1:$port" -CAfile "$LAB_CA" \
			-verify_hostname localhost -verify_return_error </dev/null
		echo "$kind: $output" | grep -i verify
		[ "$status" -ne 0 ]
		case $kind in
		SELFSIGNED) [[ "$output" == *"self-signed certificate"* ]] ;;
		WRONGHOST) [[ "$output" == *"hostname mismatch"* ]] ;;
		EXPIRED) [[ "$output" == *"certificate has expired"* ]] ;;
		esac
		# the certificate served is the file named in env
		got=$(openssl s_client -connect "127.0.0.1:$port" </dev/null 2>/dev/null |
			openssl x509 -noout -fingerprint -sha256)
		[ "$got" = "$(openssl x509 -in "$cert" -noout -fingerprint -sha256)" ]
	done
}

@test "bad-certificate SMTPS ports: implicit TLS and AUTH as alice when not verifying" {
	run python3 <<'EOF2'
import os, smtplib, ssl
E = os.environ
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
for k in ('SELFSIGNED', 'WRONGHOST', 'EXPIRED'):
    s = smtplib.SMTP_SSL('127.0.0.1', int(E['LAB_SMTPS_%s_PORT' % k]), context=ctx)
    s.ehlo()
    s.user, s.password = 'alice', 'alicepw'
    print(k, s.auth('PLAIN', s.auth_plain))
    s.quit()
EOF2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "SELFSIGNED (235, b'2.7.0 Authentication successful')" ]
	[ "${lines[1]}" = "WRONGHOST (235, b'2.7.0 Authentication successful')" ]
	[ "${lines[2]}" = "EXPIRED (235, b'2.7.0 Authentication successful')" ]
}

@test "SMTP big port: SIZE 32 MB, a 10 MB message is stored; the plain SMTP port logs what the client sent" {
	run python3 <<'EOF2'
import os, smtplib
E = os.environ
s = smtplib.SMTP('127.0.0.1', int(E['LAB_SMTP_BIG_PORT']))
s.ehlo()
print(s.esmtp_features['size'])
print(s.mail('x@client.test', ['SIZE=20000000']))
s.rset()
# 10 MB gets through cleanup(8) too, and is stored
body = ('Subject: big-%d\r\n\r\n' % os.getpid()).encode() + (b'x' * 78 + b'\r\n') * ((10 << 20) // 80)
print(s.sendmail('x@client.test', ['b@example.org'], body))
s.quit()
s = smtplib.SMTP('127.0.0.1', int(E['LAB_SMTP_PORT']))
s.ehlo()
print(s.mail('logged-%s@client.test' % os.getpid(), ['BODY=8BITMIME']))
s.quit()
print(os.getpid())
EOF2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 33554432 ]
	[ "${lines[1]}" = "(250, b'2.1.0 Ok')" ]
	[ "${lines[2]}" = "{}" ]
	[ "${lines[3]}" = "(250, b'2.1.0 Ok')" ]
	f=
	for _ in $(seq 200); do
		f=$(grep -l "^Subject: big-${lines[4]}\$" "$LAB_STORE"/new/* 2>/dev/null || true)
		[ -n "$f" ] && break
		sleep 0.05
	done
	[ -n "$f" ]
	# stored with LF line ends: every line of x arrived
	[ "$(grep -c '^x\{78\}$' "$f")" -eq $(((10 << 20) / 80)) ]
	# postlogd writes the log asynchronously
	pat=": < localhost\[127\.0\.0\.1\]: MAIL FROM:<logged-${lines[4]}@client\.test> BODY=8BITMIME\$"
	for _ in $(seq 100); do
		grep -qi "$pat" "$LAB_POSTFIX_LOG" && break
		sleep 0.05
	done
	grep -qi "$pat" "$LAB_POSTFIX_LOG"
}

@test "fault proxy: SMTP cut after DATA and N bytes of message data, with no reply" {
	run python3 <<'EOF2'
import os, socket
E = os.environ
n = int(E['LAB_FAULT_DATA_BYTES'])
s = socket.create_connection(('127.0.0.1', int(E['LAB_FAULT_DATA_PORT'])))
f = s.makefile('rb')
def reply():
    while True:
        l = f.readline()
        if l[3:4] != b'-':
            return l.rstrip(b'\r\n')
print(reply()[:3])
s.sendall(b'EHLO client.test\r\n'); reply()
s.sendall(b'MAIL FROM:<a@client.test>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n')
print(reply(), reply(), reply()[:3])
s.sendall(b'x' * (n - 1))
s.settimeout(0.3)
try:
    print(s.recv(100))
except socket.timeout:
    print('still open')
s.settimeout(5)
s.sendall(b'yz\r\n.\r\n')
print(f.read())
EOF2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "b'220'" ]
	[ "${lines[1]}" = "b'250 2.1.0 Ok' b'250 2.1.5 Ok' b'354'" ]
	[ "${lines[2]}" = "still open" ]
	[ "${lines[3]}" = "b''" ]
}

@test "SMTP bare port: no PIPELINING, 8BITMIME, SMTPUTF8, DSN or CHUNKING; recipient rules as on SMTP" {
	run python3 <<'EOF2'
import os, smtplib
s = smtplib.SMTP('127.0.0.1', int(os.environ['LAB_SMTP_BARE_PORT']))
code, msg = s.ehlo()
print(msg.decode().split('\n')[1:])
print(s.mail('x@client.test'))
print(s.rcpt('reject550@yubin.test'))
s.quit()
EOF2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "['SIZE 1048576', 'VRFY', 'ETRN', 'STARTTLS', 'ENHANCEDSTATUSCODES']" ]
	[ "${lines[1]}" = "(250, b'2.1.0 Ok')" ]
	[ "${lines[2]}" = "(550, b'5.1.1 <reject550@yubin.test>: Recipient address rejected: lab: rejected recipient')" ]
}

@test "fault proxy: the fake SMTP server answers AUTH with 454" {
	run python3 <<'EOF2'
import os, smtplib
s = smtplib.SMTP('127.0.0.1', int(os.environ['LAB_FAULT_AUTH454_PORT']))
print(s.ehlo())
print(s.docmd('AUTH', 'PLAIN AGFsaWNlAGFsaWNlcHc='))
print(s.quit())
EOF2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "(250, b'fake.yubin.test\\nAUTH PLAIN LOGIN')" ]
	[ "${lines[1]}" = "(454, b'4.7.0 Temporary authentication failure')" ]
	[ "${lines[2]}" = "(221, b'2.0.0 Bye')" ]
}
