#!/usr/bin/env bats
# maildeliver -r against the mail lab (tests/lab/lab): a redirect and a
# vacation reply really go out through mailsend to the lab's Postfix,
# and what it stored says who sent them.  Needs root and the servers.

bats_require_minimum_version 1.5.0

load lab/labtest

setup_file() {
	lab_start 20400 21400 22400 23400 24400 25400 26400 27400 28400 29400
}

teardown_file() {
	lab_stop
}

setup() {
	lab_env
	T=$BATS_TEST_TMPDIR
	M=$T/Maildir
	mkdir -p "$M/tmp" "$M/new" "$M/cur"
	ID="sv-$BATS_TEST_NUMBER-$$-$RANDOM"
	export HOME=$T XDG_CONFIG_HOME=$T/config
	# the sendmail interface, as maildeliver runs it, sending to the lab
	cat > "$T/sendmail" <<-EOS
	#!/bin/sh
	exec mailsend -S smtp://127.0.0.1:$LAB_SMTP_PORT --cacert $LAB_CA "\$@"
	EOS
	chmod +x "$T/sendmail"
}

envelope() {
	cat "$LAB_ENVELOPES/$(basename "$1")"
}

@test "lab: a redirect arrives with the original envelope sender" {
	printf 'From: carol@example.org\nTo: alice@yubin.test\nSubject: %s\nDate: Sun, 06 Dec 2026 10:00:00 +0000\nMessage-ID: <%s@x>\n\nhi\n' "$ID" "$ID" > "$T/m"
	printf 'redirect "bob@example.org";\n' > "$T/r.sieve"
	run maildeliver --sendmail "$T/sendmail" -f carol@example.org \
	    -R alice@yubin.test -r "$T/r.sieve" "$M" < "$T/m"
	[ "$status" -eq 0 ]
	f=$(wait_for 1)
	[ -n "$f" ]
	[ "$(envelope "$f" | sed -n 1,2p)" = "$(printf '%s\n' sender=carol@example.org recipient=bob@example.org)" ]
	# the message as it came, below the loop-detection field
	[ "$(cat "$f")" = "$(printf 'X-Sieve-Redirected-From: alice@yubin.test\n'; cat "$T/m")" ]
	[ -z "$(ls "$M/new")" ]
}

# (the lab's store records the null sender as MAILER-DAEMON)
@test "lab: a vacation reply arrives from <> once per :days" {
	printf 'From: bob@example.org\nTo: alice@yubin.test\nSubject: hello\nMessage-ID: <%s@x>\n\nhi\n' "$ID" > "$T/m"
	printf 'require "vacation";\nvacation :days 1 :subject "%s" "away until monday";\n' "$ID" > "$T/r.sieve"
	run maildeliver --sendmail "$T/sendmail" -f bob@example.org \
	    -R alice@yubin.test -r "$T/r.sieve" "$M" < "$T/m"
	[ "$status" -eq 0 ]
	f=$(wait_for 1)
	[ -n "$f" ]
	[ "$(envelope "$f" | sed -n 1,2p)" = "$(printf '%s\n' sender=MAILER-DAEMON recipient=bob@example.org)" ]
	# the exact reply as it arrived, its Date and mailsend's Message-ID aside
	grep -q '^Date: ' "$f"
	diff <(sed '/^Date: /d; s/^Message-ID: <.*@.*>$/Message-ID: <ID>/' "$f") - <<-EOF
	From: alice@yubin.test
	To: <bob@example.org>
	Subject: $ID
	In-Reply-To: <$ID@x>
	References: <$ID@x>
	Auto-Submitted: auto-replied (vacation)
	Precedence: bulk
	MIME-Version: 1.0
	Content-Type: text/plain; charset=utf-8
	Content-Transfer-Encoding: 8bit
	Message-ID: <ID>

	away until monday
	EOF
	[ "$(ls "$M/new" | wc -l)" -eq 1 ]
	run maildeliver --sendmail "$T/sendmail" -f bob@example.org \
	    -R alice@yubin.test -r "$T/r.sieve" "$M" < "$T/m"
	[ "$status" -eq 0 ]
	# maildeliver waited for its sendmail: a second reply would be queued
	# or stored by now, and wait_for waits for the queue
	[ "$(wait_for 2 | wc -l)" -eq 1 ]
	[ "$(ls "$M/new" | wc -l)" -eq 2 ]
}
