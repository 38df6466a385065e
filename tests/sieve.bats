#!/usr/bin/env bats
# maildeliver -r: Sieve rules end to end (issue 13).  Every delivery is
# checked by its files; -n by its exact output.  The interpreter's own
# cases are in tests/unit/sieve_test.c.
bats_require_minimum_version 1.5.0

setup() {
	D=$YUBIN_TESTS/data/sieve
	T=$BATS_TEST_TMPDIR
	M=$T/Maildir
	mkdir -p "$M/tmp" "$M/new" "$M/cur" "$T/pipes" "$T/state"
	# a sendmail that records its arguments and the message
	cat > "$T/sendmail" <<-EOS
	#!/bin/sh
	echo "ARGS: \$*" >> "$T/sent"
	cat >> "$T/sent"
	EOS
	chmod +x "$T/sendmail"
}

md() {
	maildeliver --state-dir "$T/state" --sendmail "$T/sendmail" \
	    --pipe-dir "$T/pipes" -f a@x.test -R bob+lists@example.com "$@"
}

rules() {
	printf '%s\n' "$1" > "$T/rules.sieve"
}

# The files under $1, relative, sorted, with the unique part of
# Maildir names cut to "NAME".
tree() {
	(cd "$1" && find . -type f ! -name maildirfolder | sort |
	    sed 's,/[0-9]*\.M[0-9]*P[0-9]*Q[0-9]*\.[^:/]*,/NAME,')
}

@test "a list folder comes from :regex and \${1}, created with :create" {
	run md -r "$D/folders.sieve" "$M" < "$D/list.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./.Lists.yubin/new/NAME" ]
	cmp "$M"/.Lists.yubin/new/* <(printf 'Return-Path: <a@x.test>\n'; cat "$D/list.eml")
}

@test "flags set by the rules are the Maildir info of the file name" {
	run md -r "$D/folders.sieve" "$M" < "$D/spam.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./.Spam/cur/NAME:2,FS" ]
}

@test "keywords set by the rules are Dovecot's: dovecot-keywords and the info letters" {
	rules 'require "imap4flags"; addflag ["$label1", "\\Seen", "Junk", "bad(name"];'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "maildeliver: $M: 1 keyword not stored (past 26, not an IMAP atom, or dovecot-keywords locked)" ]
	[ "$(tree "$M")" = "$(printf './cur/NAME:2,Sab\n./dovecot-keywords')" ]
	[ "$(cat "$M/dovecot-keywords")" = "$(printf '0 $label1\n1 Junk')" ]
	# a keyword known in any case keeps its letter; a new one is added
	rm "$M"/cur/*
	rules 'require "imap4flags"; addflag ["junk", "$label2"];'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(tree "$M")" = "$(printf './cur/NAME:2,bc\n./dovecot-keywords')" ]
	[ "$(cat "$M/dovecot-keywords")" = "$(printf '0 $label1\n1 Junk\n2 $label2')" ]
}

@test "a Shift_JIS, ISO-2022-JP or EUC-JP subject is decoded for the header test, also when linked with musl" {
	# charset.c asks iconv for glibc's supersets (CP932, ISO-2022-JP-2),
	# which musl does not know: it must fall back to the charset named
	rules 'require "fileinto"; if header :contains "subject" "日本語" { fileinto "JP"; }'
	mkdir -p "$M/.JP/tmp" "$M/.JP/new" "$M/.JP/cur"
	for subj in '=?Shift_JIS?B?k/qWe4zq?=' '=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=' \
	    '=?EUC-JP?B?xvzL3Ljs?='; do
		printf 'From: a@x.test\nSubject: %s\n\nbody\n' "$subj" > "$T/jp.eml"
		run md -r "$T/rules.sieve" "$M" < "$T/jp.eml"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	done
	[ "$(tree "$M")" = "$(printf './.JP/new/NAME\n./.JP/new/NAME\n./.JP/new/NAME')" ]
}

@test "a dovecot-keywords.lock held by another leaves the new keyword out, the message delivered" {
	rules 'require "imap4flags"; addflag ["Work", "Later", "\\Flagged"];'
	printf '0 Work\n' > "$M/dovecot-keywords"
	: > "$M/dovecot-keywords.lock"
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "maildeliver: $M: 1 keyword not stored (past 26, not an IMAP atom, or dovecot-keywords locked)" ]
	[ "$(tree "$M")" = "$(printf './cur/NAME:2,Fa\n./dovecot-keywords\n./dovecot-keywords.lock')" ]
	[ "$(cat "$M/dovecot-keywords")" = "0 Work" ]
	[ ! -s "$M/dovecot-keywords.lock" ]
}

@test "a plus address gives its folder from the envelope detail" {
	run maildeliver --state-dir "$T/state" -R Bob+Shop@example.com \
	    -r "$D/folders.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./.plus.shop/new/NAME" ]
}

@test "RECIPIENT from the environment feeds envelope as -R does" {
	RECIPIENT=bob+news@example.com run maildeliver --state-dir "$T/state" \
	    -r "$D/folders.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./.plus.news/new/NAME" ]
}

@test "fileinto :copy keeps the implicit keep: two copies, one commit" {
	rules 'require ["fileinto", "copy", "mailbox"]; fileinto :copy :create "Archive";'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "$(printf './.Archive/new/NAME\n./new/NAME')" ]
	cmp "$M"/new/* "$M"/.Archive/new/*
}

@test "a folder missing without :create delivers nothing anywhere and exits 75" {
	rules 'require ["fileinto", "copy"]; fileinto :copy "Missing";'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 75 ]
	[ "$output" = 'maildeliver: fileinto "Missing": no such folder (and no :create)' ]
	[ -z "$(tree "$M")" ]
}

@test "a duplicate Message-ID is dropped the second time, kept the first" {
	rules 'require "duplicate"; if duplicate { discard; }'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./new/NAME" ]
}

@test "the duplicate memory is not written when the delivery fails" {
	rules 'require ["duplicate", "fileinto"]; if not duplicate { fileinto "Missing"; }'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 75 ]
	[ ! -s "$T/state/duplicate" ]
	mkdir -p "$M/.Missing/new" "$M/.Missing/cur" "$M/.Missing/tmp"
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./.Missing/new/NAME" ]
}

@test "discard delivers nothing and exits 0" {
	rules 'discard;'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ -z "$(tree "$M")" ]
	# and says so where asked (-n), so that silence is not all it does
	run md -n -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'ACTION discard\nRESULT discard')" ]
}

@test "reject exits 69 with the reason on stderr and delivers nothing" {
	rules 'require "reject"; reject "no mail from you";'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 69 ]
	[ "$output" = "maildeliver: no mail from you" ]
	[ -z "$(tree "$M")" ]
}

@test "redirect goes through --sendmail with the envelope sender kept" {
	rules 'redirect "fw@example.net";'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ -z "$(tree "$M")" ]
	cmp "$T/sent" <(echo "ARGS: -i -f a@x.test -- fw@example.net"
	    echo "X-Sieve-Redirected-From: bob+lists@example.com"; cat "$D/plain.eml")
}

@test "a redirected message has the header as it stood at the redirect, stored the final one" {
	rules 'require "editheader"; addheader "X-Tag" "one"; redirect :copy "fw@example.net";
deleteheader "X-Tag"; addheader "X-Late" "two";' 
	sed -i '1s/^/require "copy";\n/' "$T/rules.sieve"
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	cmp "$T/sent" <(echo "ARGS: -i -f a@x.test -- fw@example.net"
	    echo "X-Sieve-Redirected-From: bob+lists@example.com"
	    echo "X-Tag: one"; cat "$D/plain.eml")
	cmp "$M"/new/* <(echo "Return-Path: <a@x.test>"; echo "X-Late: two"; cat "$D/plain.eml")
}

@test "a redirect loop (X-Sieve-Redirected-From naming the user) is kept, not sent" {
	rules 'redirect "fw@example.net";'
	{ echo "X-Sieve-Redirected-From: Bob+Lists@example.com"; cat "$D/plain.eml"; } > "$T/loop.eml"
	run md -r "$T/rules.sieve" "$M" < "$T/loop.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "maildeliver: redirect to fw@example.net: X-Sieve-Redirected-From names this user: a mail loop; the message is kept instead in $M" ]
	[ ! -e "$T/sent" ]
	cmp "$M"/new/* <(echo "Return-Path: <a@x.test>"; cat "$T/loop.eml")
	# --user-email is the user too, and the address the header names
	{ echo "X-Sieve-Redirected-From: me@example.org"; cat "$D/plain.eml"; } > "$T/loop2.eml"
	run md --user-email me@example.org -r "$T/rules.sieve" "$M" < "$T/loop2.eml"
	[ "$status" -eq 0 ]
	[ ! -e "$T/sent" ]
	run md --user-email me@example.org -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(sed -n 2p "$T/sent")" = "X-Sieve-Redirected-From: me@example.org" ]
}

@test "a redirect address with a line end or a control byte does not compile (Pigeonhole's sievec refuses it too)" {
	# RFC 5228 4.2: the address must be valid.  A line end is white
	# space to the address parser (so "Bob<LF> <b@c>" is fine), never
	# glue: "a<LF>b@c" is not "ab@c"
	printf 'redirect "a\nb@example.net";\n' > "$T/r1.sieve"
	printf 'redirect "fw@example.net\nx";\n' > "$T/r2.sieve"
	printf 'redirect "Fw\001 <fw@example.net>";\n' > "$T/r3.sieve"
	printf 'require "encoded-character";\nredirect "fw@example.net${hex:00}x";\n' > "$T/r4.sieve"
	run maildeliver --check -r "$T/r1.sieve"
	[ "$status" -eq 78 ]
	[ "$output" = "$T/r1.sieve:1:1: invalid redirect address \"a\\r\\nb@example.net\"" ]
	run maildeliver --check -r "$T/r2.sieve"
	[ "$status" -eq 78 ]
	[ "$output" = "$T/r2.sieve:1:1: invalid redirect address \"fw@example.net\\r\\nx\"" ]
	run maildeliver --check -r "$T/r3.sieve"
	[ "$status" -eq 78 ]
	[ "$output" = "$T/r3.sieve:1:1: invalid redirect address \"Fw\\x01 <fw@example.net>\"" ]
	run maildeliver --check -r "$T/r4.sieve"
	[ "$status" -eq 78 ]
	[ "$output" = "$T/r4.sieve:2:1: invalid redirect address \"fw@example.net\${hex:00}x\"" ]
	# delivered with such rules: kept, nothing sent
	run md -r "$T/r1.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/r1.sieve:1:1: invalid redirect address \"a\\r\\nb@example.net\"" ]
	[ ! -e "$T/sent" ]
	cmp "$M"/new/* <(printf 'Return-Path: <a@x.test>\n'; cat "$D/plain.eml")
	# folding white space is white space: sent to the one address
	printf 'redirect "Fw\n <fw@example.net>\n";\n' > "$T/r5.sieve"
	rm "$M"/new/*
	run md -r "$T/r5.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ -z "$(tree "$M")" ]
	[ "$(head -n 1 "$T/sent")" = "ARGS: -i -f a@x.test -- fw@example.net" ]
}

@test "a redirect address from a variable with a line end is a runtime error: kept, nothing sent" {
	printf 'require "variables";\nset "to" "a\nb@example.net";\nredirect "${to}";\n' > "$T/rules.sieve"
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "maildeliver: $T/rules.sieve:4:1: invalid redirect address \"a\\x0d\\x0ab@example.net\"; the message is kept in $M" ]
	[ ! -e "$T/sent" ]
	cmp "$M"/new/* <(printf 'Return-Path: <a@x.test>\n'; cat "$D/plain.eml")
}

@test "--redirect-from picks the redirect's envelope sender; a null sender stays null" {
	rules 'redirect "fw@example.net";'
	run md --redirect-from recipient -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	run md --redirect-from '<fwd@example.org>' -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	run md --redirect-from user_email --user-email me@example.org -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	run maildeliver --state-dir "$T/state" --sendmail "$T/sendmail" -f '<>' \
	    -R bob@example.com --redirect-from recipient -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(grep '^ARGS: ' "$T/sent")" = "$(printf '%s\n' \
	    'ARGS: -i -f bob+lists@example.com -- fw@example.net' \
	    'ARGS: -i -f fwd@example.org -- fw@example.net' \
	    'ARGS: -i -f me@example.org -- fw@example.net' \
	    'ARGS: -i -f <> -- fw@example.net')" ]
	run md --redirect-from 'bob@example.com' -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 64 ]
	[ "$output" = "maildeliver: --redirect-from bob@example.com: not sender, recipient, orig_recipient, user_email, <address> or <>" ]
}

@test "a recipient with a line end (-R, \$RECIPIENT, \$SENDER) is refused: it would reach headers and sendmail's argv" {
	rules 'redirect "fw@example.net";'
	run md --redirect-from recipient -R "$(printf 'b@example.com\nBcc: x@example.org')" -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 64 ]
	[ "$output" = "maildeliver: -R: control character in address" ]
	RECIPIENT="$(printf 'b@example.com\rx')" run maildeliver --sendmail "$T/sendmail" -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 64 ]
	[ "$output" = "maildeliver: \$RECIPIENT: control character in address" ]
	SENDER="$(printf 'a@x.test\nx')" run maildeliver --sendmail "$T/sendmail" -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 64 ]
	[ "$output" = "maildeliver: \$SENDER: control character in address" ]
	[ ! -e "$T/sent" ]
	[ -z "$(tree "$M")" ]
}

@test "--user-email must be a bare address" {
	rules 'keep;'
	run md --user-email '<me@example.org>' -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 64 ]
	[ "$output" = "maildeliver: --user-email <me@example.org>: not an address" ]
	[ -z "$(tree "$M")" ]
}

@test "a failed redirect delivers nothing and exits 75" {
	printf '#!/bin/sh\nexit 1\n' > "$T/sendmail"
	rules 'require "copy"; redirect :copy "fw@example.net";'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 75 ]
	[ "$output" = "maildeliver: $T/sendmail: exit 1" ]
	[ -z "$(tree "$M")" ]
}

@test "pipe runs an allow-listed program with its arguments, no shell" {
	printf '#!/bin/sh\ncat > "%s/piped"\nprintf "%%s|" "$@" >> "%s/piped"\n' "$T" "$T" > "$T/pipes/catit"
	chmod +x "$T/pipes/catit"
	rules 'require "vnd.dovecot.pipe"; pipe "catit" ["a b", "$(x)"];'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ -z "$(tree "$M")" ]
	cmp "$T/piped" <(cat "$D/plain.eml"; printf 'a b|$(x)|')
}

@test "a pipe program starts with SIGPIPE and SIGXFSZ at their defaults" {
	# maildeliver ignores both for its own writes; an ignored signal
	# stays ignored across exec unless the child resets it
	printf '#!/bin/sh\nwhile read -r k v; do [ "$k" = SigIgn: ] && echo $(( 0x$v & 0x1001000 )) > "%s/ign"; done < /proc/$$/status\ncat > /dev/null\n' "$T" > "$T/pipes/sigs"
	chmod +x "$T/pipes/sigs"
	rules 'require "vnd.dovecot.pipe"; pipe "sigs";'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/ign")" = 0 ]
}

@test "a pipe to a program outside --pipe-dir is refused and the message kept" {
	rules 'require "vnd.dovecot.pipe"; pipe "sh" ["-c", "touch '"$T"'/pwned"];'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "maildeliver: pipe \"sh\": not an executable program in $T/pipes; runtime error: the message is kept in $M" ]
	[ ! -e "$T/pwned" ]
	[ "$(tree "$M")" = "./new/NAME" ]
}

@test "a pipe program named with a path does not compile: kept in DEST" {
	rules 'require "vnd.dovecot.pipe"; pipe "/bin/sh";'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/rules.sieve:1:29: invalid program name \"/bin/sh\"" ]
	[ "$(tree "$M")" = "./new/NAME" ]
}

@test "a script that does not compile keeps into DEST with FILE:LINE:COL" {
	printf 'require "fileinto";\nif header :is "subject" "x" {\n  fileinto "A"\n}\n' > "$T/rules.sieve"
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/rules.sieve:4:1: expected ';' or '{'" ]
	[ "$(tree "$M")" = "./new/NAME" ]
}

@test "a runtime error keeps into DEST without the other actions, exit 0" {
	rules 'require ["fileinto", "copy", "mailbox"]; fileinto :copy :create "A"; fileinto "../x";'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "maildeliver: $T/rules.sieve:1:70: invalid folder name \"../x\"; the message is kept in $M" ]
	[ "$(tree "$M")" = "./new/NAME" ]
}

@test "--check: 0 for a script that compiles, 78 and the error otherwise" {
	run maildeliver --check -r "$D/folders.sieve"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	printf 'keep;\nstop\n' > "$T/bad.sieve"
	run maildeliver --check -r "$T/bad.sieve"
	[ "$status" -eq 78 ]
	[ "$output" = "$T/bad.sieve:3:1: expected ';' or '{'" ]
}

@test "--check prints every error of a script, not just the first, exit 78" {
	# an unknown command is said once, at its first use
	printf 'require "fileinto";\nkeep 1;\nfileinto;\nif header :is "s" { stop; }\nfrop;\nfrop;\n' > "$T/bad.sieve"
	run maildeliver --check -r "$T/bad.sieve"
	[ "$status" -eq 78 ]
	[ "$output" = "$T/bad.sieve:2:6: too many arguments for keep
$T/bad.sieve:3:1: the fileinto command requires 1 positional argument, but 0 are specified
$T/bad.sieve:4:4: the header test requires 2 positional arguments, but 1 is specified
$T/bad.sieve:5:1: unknown command 'frop'" ]
}

@test "a syntax error does not hide a later one: the parser recovers at ';' and '}'" {
	printf 'if true {\n  keep\n}\nfileinto "a" "b" ];\nif false { stop; }\ndiscard [;\n' > "$T/bad.sieve"
	run maildeliver --check -r "$T/bad.sieve"
	[ "$status" -eq 78 ]
	[ "$output" = "$T/bad.sieve:3:1: expected ';' or '{'
$T/bad.sieve:4:18: expected ';' or '{'
$T/bad.sieve:6:10: a string list holds strings only" ]
	# and the message is still kept in DEST
	run md -r "$T/bad.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./new/NAME" ]
}

@test "a missing require is said at the first use only, and later errors still show" {
	printf 'fileinto "a";\nfileinto "b";\nkeep 1;\n' > "$T/bad.sieve"
	run maildeliver --check -r "$T/bad.sieve"
	[ "$status" -eq 78 ]
	[ "$output" = "$T/bad.sieve:1:1: fileinto needs require \"fileinto\"
$T/bad.sieve:3:6: too many arguments for keep" ]
}

@test "more errors than shown end in a count of the rest" {
	awk 'BEGIN { for (i = 1; i <= 13; i++) print "keep " i ";" }' > "$T/bad.sieve"
	run maildeliver --check -r "$T/bad.sieve"
	[ "$status" -eq 78 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 11 ]
	[ "$(printf '%s\n' "$output" | sed -n 10p)" = "$T/bad.sieve:10:6: too many arguments for keep" ]
	[ "$(printf '%s\n' "$output" | sed -n 11p)" = "$T/bad.sieve: 3 more errors" ]
}

@test "-n prints each test and action, then the result, touching nothing" {
	run md -n -r "$D/folders.sieve" "$M" < "$D/spam.eml"
	[ "$status" -eq 0 ]
	[ "$output" = 'TEST header :regex "list-id" "<([a-z0-9-]+)[.]" -> false
TEST header :is "x-spam-flag" "YES" -> true
ACTION fileinto :create :flags ["\\Seen", "\\Flagged"] "Spam"
ACTION stop
RESULT fileinto "Spam" flags "\\Seen \\Flagged"' ]
	[ -z "$(tree "$M")" ]
	[ ! -e "$M/.Spam" ]
}

@test "-n shows the implicit keep and a compile error's keep" {
	rules 'if size :over 1M { discard; }'
	run md -n -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = 'TEST size :over 1M -> false
RESULT keep' ]
	rules 'if'
	run md -n -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/rules.sieve:2:1: expected ';' or '{'
RESULT keep" ]
}

@test "vacation replies once per :days through sendmail, from <>" {
	rules 'require "vacation"; vacation :days 2 :subject "away" "back monday";'
	run md -R bob@example.com -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./new/NAME" ]
	[ "$(sed -n 1p "$T/sent")" = "ARGS: -i -f <> -- a@x.test" ]
	grep -qx 'To: <a@x.test>' "$T/sent"
	grep -qx 'Subject: away' "$T/sent"
	grep -qx 'Auto-Submitted: auto-replied (vacation)' "$T/sent"
	grep -qx 'In-Reply-To: <p1@y.test>' "$T/sent"
	grep -qx 'back monday' "$T/sent"
	run md -R bob@example.com -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ARGS:' "$T/sent")" -eq 1 ]
}

@test "a vacation reply: its exact header, From the address the message named" {
	rules 'require "vacation"; vacation :addresses "bob@alias.example" :subject "=?utf-8?q?G=C3=BCnter?= away" "back monday";'
	printf '%s\n' 'From: "Carol Q. Doe" <carol@y.test>' 'To: Bob <BOB@alias.example>' \
	    'Subject: lunch?' 'References: <a1@y.test>' ' <a2@y.test>' 'Message-ID: <p1@y.test>' '' 'Shall we?' > "$T/m.eml"
	run md -f carol@y.test -r "$T/rules.sieve" "$M" < "$T/m.eml"
	[ "$status" -eq 0 ]
	diff <(sed '/^Date: /d' "$T/sent") - <<-'EOF'
	ARGS: -i -f <> -- carol@y.test
	From: bob@alias.example
	To: "Carol Q. Doe" <carol@y.test>
	Subject: =?UTF-8?Q?G=C3=BCnter_away?=
	In-Reply-To: <p1@y.test>
	References: <a1@y.test> <a2@y.test> <p1@y.test>
	Auto-Submitted: auto-replied (vacation)
	Precedence: bulk
	MIME-Version: 1.0
	Content-Type: text/plain; charset=utf-8
	Content-Transfer-Encoding: 8bit

	back monday
	EOF
	grep -q '^Date: ' "$T/sent"
}

@test "a reply to a long subject is cut to 256 code points, the last an ellipsis" {
	rules 'require "vacation"; vacation "away";'
	a() { printf "a%.0s" $(seq "$1"); }
	{ printf 'From: carol@y.test\nTo: bob@example.com\nSubject: '; a 300; printf '\n\nx\n'; } > "$T/m.eml"
	run md -R bob@example.com -f carol@y.test -r "$T/rules.sieve" "$M" < "$T/m.eml"
	[ "$status" -eq 0 ]
	diff <(sed -n '/^Subject: /,/^Date: /p' "$T/sent" | sed '$d') - <<-EOF
	Subject: =?UTF-8?Q?Auto=3A_$(a 49)?=
	 =?UTF-8?Q?$(a 63)?=
	 =?UTF-8?Q?$(a 63)?=
	 =?UTF-8?Q?$(a 63)?=
	 =?UTF-8?Q?$(a 11)=E2=80=A6?=
	EOF
}

@test "vacation answers mail to --user-email, from that address" {
	rules 'require "vacation"; vacation "away";'
	printf '%s\n' 'From: carol@y.test' 'To: me@example.org' 'Subject: hi' '' 'x' > "$T/m.eml"
	run md --user-email me@example.org -f carol@y.test -r "$T/rules.sieve" "$M" < "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$(sed -n 1,3p "$T/sent")" = "$(printf 'ARGS: -i -f <> -- carol@y.test\nFrom: me@example.org\nTo: <carol@y.test>')" ]
}

@test "a vacation :from with a line end cannot add a field to the reply" {
	# from a variable: a runtime error, nothing sent
	printf 'require ["vacation", "variables"];\nset "f" "x\nBcc: victim@example.org";\nvacation :from "${f}" "away";\n' > "$T/rules.sieve"
	run md -R bob@example.com -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "maildeliver: $T/rules.sieve:4:1: specified :from address \"x\\x0d\\x0aBcc: victim@example.org\" is invalid for vacation action; the message is kept in $M" ]
	[ ! -e "$T/sent" ]
	cmp "$M"/new/* <(printf 'Return-Path: <a@x.test>\n'; cat "$D/plain.eml")
	# a literal one with folding white space (valid, as Pigeonhole
	# has it): one From line, the header goes on
	rm "$M"/new/*
	printf 'require "vacation";\nvacation :from "Bob\n <bob@example.com>\n" "away";\n' > "$T/rules.sieve"
	run md -R bob@example.com -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(sed -n 1,3p "$T/sent")" = "$(printf 'ARGS: -i -f <> -- a@x.test\nFrom: Bob <bob@example.com>\nTo: <a@x.test>')" ]
}

@test "a pipe argument with a line end does not compile, nor runs from a variable" {
	printf '#!/bin/sh\nprintf "%%s|" "$@" > "%s/piped"\n' "$T" > "$T/pipes/args"
	chmod +x "$T/pipes/args"
	printf 'require "vnd.dovecot.pipe";\npipe "args" ["a\nb"];\n' > "$T/p1.sieve"
	run maildeliver --check -r "$T/p1.sieve"
	[ "$status" -eq 78 ]
	[ "$output" = "$T/p1.sieve:2:1: specified external program argument \"a\\r\\nb\" is invalid" ]
	printf 'require "vnd.dovecot.pipe";\npipe "ar\001gs";\n' > "$T/p2.sieve"
	run maildeliver --check -r "$T/p2.sieve"
	[ "$status" -eq 78 ]
	[ "$output" = "$T/p2.sieve:2:1: invalid program name \"ar\\x01gs\"" ]
	printf 'require ["vnd.dovecot.pipe", "variables"];\nset "v" "a\nb";\npipe "args" ["${v}"];\n' > "$T/p3.sieve"
	run md -r "$T/p3.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "maildeliver: $T/p3.sieve:4:1: specified external program argument \"a\\x0d\\x0ab\" is invalid; the message is kept in $M" ]
	[ ! -e "$T/piped" ]
	cmp "$M"/new/* <(printf 'Return-Path: <a@x.test>\n'; cat "$D/plain.eml")
}

@test "addheader never writes an empty or blank header line, nor a raw control byte" {
	# a line end, with the blanks around it, is one fold, none at the
	# end (Pigeonhole's output for the same values); a control byte
	# makes the value encoded words
	printf 'require "editheader";\naddheader :last "X-A" "x  \n\n\t\ny\n";\naddheader :last "X-B" "\n";\naddheader :last "X-C" "a\001b";\n' > "$T/rules.sieve"
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	cmp "$M"/new/* <(printf 'Return-Path: <a@x.test>\n'; sed '/^$/,$d' "$D/plain.eml"
	    printf 'X-A: x\n\ty\nX-B: \nX-C: =?UTF-8?B?YQFi?=\n\n'; sed '1,/^$/d' "$D/plain.eml")
}

@test "a bare CR inside a string does not compile (RFC 5228 8.1: line ends are CRLF; Pigeonhole refuses it too)" {
	printf 'require "fileinto";\nfileinto "Ju\rnk";\n' > "$T/c1.sieve"
	run maildeliver --check -r "$T/c1.sieve"
	[ "$status" -eq 78 ]
	[ "$output" = "$T/c1.sieve:2:13: found stray carriage-return (CR) character in quoted string started at line 2" ]
	printf 'require "fileinto";\nfileinto text:\nJu\rnk\n.\n;\n' > "$T/c2.sieve"
	run maildeliver --check -r "$T/c2.sieve"
	[ "$status" -eq 78 ]
	[ "$output" = "$T/c2.sieve:3:3: found stray carriage-return (CR) character in multi-line string started at line 2" ]
	# delivered with such rules: kept in DEST, the error said
	mkdir -p "$M/.Ju$(printf '\r')nk/new" "$M/.Ju$(printf '\r')nk/cur" "$M/.Ju$(printf '\r')nk/tmp"
	run md -r "$T/c1.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/c1.sieve:2:13: found stray carriage-return (CR) character in quoted string started at line 2" ]
	[ "$(tree "$M")" = "./new/NAME" ]
	# a CR that ends a line (CRLF) is a line end, outside a string a
	# CR is white space: both still compile
	printf 'require "fileinto";\r\nfileinto "A\r\nB";\rkeep;\r\n' > "$T/c3.sieve"
	run maildeliver --check -r "$T/c3.sieve"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "a field name from a variable that no field can have is a runtime error in deleteheader too" {
	printf 'require ["editheader", "variables"];\nset "v" "X-A\nB";\ndeleteheader "${v}";\n' > "$T/rules.sieve"
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "maildeliver: $T/rules.sieve:4:1: specified field name \"X-A\\x0d\\x0aB\" is invalid; the message is kept in $M" ]
	cmp "$M"/new/* <(printf 'Return-Path: <a@x.test>\n'; cat "$D/plain.eml")
}

@test "addheader lands below Return-Path and the -A fields; deleteheader leaves them (the MDA's, as with Dovecot's LDA)" {
	rules 'require "editheader";
if header :is "return-path" "<a@x.test>" { addheader "X-Saw" "return-path"; }
addheader "X-First" "1";
addheader :last "X-Last" "2";
deleteheader "Return-Path";
deleteheader "X-Env";'
	{ printf 'Return-Path: <old@y.test>\n'; cat "$D/plain.eml"; } > "$T/in.eml"
	run md -A 'X-Env: e' -r "$T/rules.sieve" "$M" < "$T/in.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./new/NAME" ]
	# maildeliver's Return-Path (-f drops the message's own) and -A
	# field stay first
	cmp "$M"/new/* - <<-'EOF'
	Return-Path: <a@x.test>
	X-Env: e
	X-First: 1
	X-Saw: return-path
	From: Carol <carol@y.test>
	To: bob@example.com
	Subject: lunch?
	Message-ID: <p1@y.test>
	X-Last: 2

	Shall we?
	EOF
	# an mbox: the From_ line, then Return-Path
	rules 'require "editheader"; addheader "X-First" "1";'
	run md -m -r "$T/rules.sieve" "$T/mbox" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(sed -n '2,3p' "$T/mbox")" = "$(printf 'Return-Path: <a@x.test>\nX-First: 1')" ]
}

@test "fileinto \"Inbox.Junk\" is the folder INBOX.Junk: INBOX in any case" {
	rules 'require "fileinto"; fileinto "Inbox.Junk";'
	mkdir -p "$M/.INBOX.Junk/new" "$M/.INBOX.Junk/cur" "$M/.INBOX.Junk/tmp"
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./.INBOX.Junk/new/NAME" ]
}

@test "vacation never answers a list, bulk mail or an auto-submitted message" {
	rules 'require "vacation"; vacation "away";'
	run md -r "$T/rules.sieve" "$M" < "$D/list.eml"
	[ "$status" -eq 0 ]
	{ sed 's/^Subject: .*/&\nAuto-Submitted: auto-generated/' "$D/plain.eml"; } > "$T/auto.eml"
	run md -R bob@example.com -r "$T/rules.sieve" "$M" < "$T/auto.eml"
	[ "$status" -eq 0 ]
	run maildeliver --state-dir "$T/state" --sendmail "$T/sendmail" \
	    -f MAILER-DAEMON@x.test -R bob@example.com -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ ! -e "$T/sent" ]
	# the same rules do answer a person: the silence above was chosen
	run md -R bob@example.com -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ARGS: ' "$T/sent")" -eq 1 ]
}

@test "hostile: nesting deeper than the limit is a compile error, not a crash" {
	awk 'BEGIN { for (i = 0; i < 5000; i++) printf "if true {"; for (i = 0; i < 5000; i++) printf "}" }' > "$T/deep.sieve"
	run maildeliver --check -r "$T/deep.sieve"
	[ "$status" -eq 78 ]
	[ "$output" = "$T/deep.sieve:1:297: blocks nested deeper than 32" ]
}

@test "hostile: a 1 MiB string does not compile; the message is kept" {
	awk 'BEGIN { printf "if header :contains \"subject\" \""; for (i = 0; i < 1100000; i++) printf "a"; print "\" { discard; }" }' > "$T/big.sieve"
	run md -r "$T/big.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/big.sieve:1:31: string longer than 1048576 bytes" ]
	[ "$(tree "$M")" = "./new/NAME" ]
}

@test "hostile: a catastrophic :matches pattern is linear, a regex bounded" {
	awk 'BEGIN { printf "require [\"regex\"];\nif anyof(header :matches \"subject\" \""; for (i = 0; i < 200; i++) printf "*a"; printf "b\", header :regex \"subject\" \"(a|aa)*(a|aa)*(a|aa)*c\") { discard; }\n" }' > "$T/cat.sieve"
	{ printf 'Subject: '; awk 'BEGIN { for (i = 0; i < 5000; i++) printf "a"; print "" }'; printf '\nx\n'; } > "$T/cat.eml"
	run timeout 20 maildeliver --state-dir "$T/state" -r "$T/cat.sieve" "$M" < "$T/cat.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./new/NAME" ]
}

@test "hostile: slow regular expressions stop at the CPU limit; the message is kept" {
	# alternations of every run of the alphabet from each letter:
	# glibc takes some 0.2 s per 64 KiB subject to find the groups
	pat=$(awk 'BEGIN { a = "ABCDEFGHIJKLMNOPQR"; p = "^(";
	    for (k = 1; k <= 18; k++) { p = p "(";
	        for (l = 1; k + l - 1 <= 18; l++) p = p (l > 1 ? "|" : "") "(" substr(a, k, l) ")";
	        p = p ")?" }
	    print p ")+$" }')
	{ echo 'require ["variables", "regex"];'
	  printf 'set "re" "%s";\nset "s" "ABCDEFGHIJKLMNOPQR";\n' "$pat"
	  for i in $(seq 12); do echo 'set "s" "${s}${s}";'; done
	  for i in $(seq 200); do echo 'if string :regex "${s}" "${re}" { discard; }'; done
	} > "$T/slow.sieve"
	run md -r "$T/slow.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[[ "$output" == "maildeliver: $T/slow.sieve:"*": more than 5 seconds of CPU; the message is kept in $M" ]]
	[ "$(tree "$M")" = "./new/NAME" ]
}

@test "hostile: \${} doubling stays at the variable limit; past it in a test is a runtime error" {
	{ echo 'require ["variables", "fileinto"]; set "a" "0123456789abcdef";'
	  for i in $(seq 20); do echo 'set "a" "${a}${a}";'; done
	  echo 'if string :is "${a}" "" { stop; }'
	  echo 'if string :is "${a}${a}" "" { stop; }'
	  echo 'fileinto "x";'; } > "$T/loop.sieve"
	run md -r "$T/loop.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "maildeliver: $T/loop.sieve: a string grew longer than 1048576 bytes; the message is kept in $M" ]
	[ "$(tree "$M")" = "./new/NAME" ]
}

@test "an mbox DEST: fileinto is the mbox file of that name beside it" {
	rules 'require ["fileinto", "copy", "mailbox"]; fileinto :copy :create "Lists.yubin";'
	run md -m -r "$T/rules.sieve" "$T/inbox" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^From ' "$T/inbox")" -eq 1 ]
	[ "$(grep -c '^From ' "$T/Lists.yubin")" -eq 1 ]
	cmp <(tail -n +2 "$T/inbox") <(tail -n +2 "$T/Lists.yubin")
}

@test "a second copy over the file size limit leaves no copy anywhere, exit 75" {
	{ echo "From old@x.test Sun Dec  6 00:00:00 2026"; echo "Subject: old"; echo
	  awk 'BEGIN { for (i = 0; i < 1500; i++) printf "old line %d ....................................\n", i }'
	  echo; } > "$T/Big"
	cp "$T/Big" "$T/Big.orig"
	{ cat "$D/plain.eml"; awk 'BEGIN { for (i = 0; i < 400; i++) printf "new line %d ....................................\n", i }'; } > "$T/msg"
	rules 'require ["fileinto", "copy"]; fileinto :copy "Big";'
	size=$(stat -c %s "$T/Big")
	run prlimit --fsize=$((size + 10000)) maildeliver -f a@x.test -m -r "$T/rules.sieve" "$T/inbox" < "$T/msg"
	[ "$status" -eq 75 ]
	[ "$output" = "maildeliver: $T/Big: File too large" ]
	cmp "$T/Big" "$T/Big.orig"
	[ ! -s "$T/inbox" ]
}

@test "a kill -9 while a pipe runs leaves nothing in new/ or cur/" {
	printf '#!/bin/sh\necho $$ > "%s/slow.pid"\ncat > /dev/null\nexec sleep 30\n' "$T" > "$T/pipes/slow"
	chmod +x "$T/pipes/slow"
	rules 'require ["vnd.dovecot.pipe", "fileinto", "copy", "mailbox", "imap4flags"];
fileinto :copy :create :flags "\\Seen" "A"; fileinto :copy :create "B"; pipe :copy "slow";'
	# maildeliver itself in the background, not a function's subshell
	maildeliver --state-dir "$T/state" --pipe-dir "$T/pipes" \
	    -r "$T/rules.sieve" "$M" < "$D/plain.eml" &
	pid=$!
	for i in $(seq 50); do
		[ -s "$T/slow.pid" ] && break
		sleep 0.1
	done
	kill -9 $pid
	wait $pid || true
	kill -9 "$(cat "$T/slow.pid")"
	[ -n "$(ls "$M/tmp")" ] && [ -n "$(ls "$M/.A/tmp")" ]
	[ -z "$(find "$M" -type f \( -path '*/new/*' -o -path '*/cur/*' \))" ]
}

@test "fileinto :create makes the folder, never a missing DEST without -c (73)" {
	rules 'require ["fileinto", "mailbox"]; fileinto :create "F";'
	run md -r "$T/rules.sieve" "$T/none" < "$D/plain.eml"
	[ "$status" -eq 73 ]
	[ ! -e "$T/none" ]
}

@test "a kill -9 at random points leaves every copy whole or absent, never partial" {
	rules 'require ["fileinto", "copy", "mailbox", "imap4flags"];
fileinto :copy :create "A"; fileinto :copy :create :flags "\\Seen" "B";'
	{ cat "$D/plain.eml"; awk 'BEGIN { for (i = 0; i < 20000; i++) printf "line %d of a long body ........................\n", i }'; } > "$T/big"
	for i in $(seq 20); do
		maildeliver --state-dir "$T/state" -f a@x.test -r "$T/rules.sieve" "$M" < "$T/big" &
		pid=$!
		sleep "0.0$((RANDOM % 10))"
		kill -9 $pid 2>/dev/null || true
		wait $pid || true
	done
	# what is visible is the whole message, with its Return-Path
	{ printf 'Return-Path: <a@x.test>\n'; cat "$T/big"; } > "$T/want"
	for f in $(find "$M" -type f \( -path '*/new/*' -o -path '*/cur/*' \)); do
		cmp "$f" "$T/want"
	done
	# one more, not killed, lands in all three
	run maildeliver --state-dir "$T/state" -f a@x.test -r "$T/rules.sieve" "$M" < "$T/big"
	[ "$status" -eq 0 ]
	[ -n "$(ls "$M/new")" ] && [ -n "$(ls "$M/.A/new")" ] && [ -n "$(ls "$M/.B/cur")" ]
	# (a kill between two renames can show one copy of a delivery
	# without the others: deliver.h says so; no file system offers
	# more without a journal)
}

@test "a line break in a quoted string is the CRLF of a text: string (lexer)" {
	rules 'require ["fileinto", "mailbox", "variables"];
set "t" text:
a
..b
.
;
set "q" "a
.b
";
if string :is "${t}" "${q}" { fileinto :create "Same"; }
else { fileinto :create "Differ"; }'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./.Same/new/NAME" ]
}

@test "a variable over its 1 MiB is cut at a character boundary, not a runtime error" {
	# 1.2 MB of U+4E03 (3 octets each): 349525 whole characters fit
	x=$(awk 'BEGIN { for (i = 0; i < 200000; i++) printf "\344\270\203" }')
	rules 'require ["fileinto", "mailbox", "variables"];
set "x" "'"$x"'";
set "b" "${x}${x}";
set :length "n" "${b}";
fileinto :create "L${n}";'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(tree "$M")" = "./.L349525/new/NAME" ]
}

@test ":quotewildcard over the variable limit never keeps half of an escape" {
	# "0" and 600000 "*": 524287 "\*" pairs fit in 1 MiB after the "0"
	x=$(awk 'BEGIN { for (i = 0; i < 600000; i++) printf "*" }')
	rules 'require ["fileinto", "mailbox", "variables"];
set "s" "0'"$x"'";
set :quotewildcard "q" "${s}";
set :length "n" "${q}";
fileinto :create "Q${n}";'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(tree "$M")" = "./.Q1048575/new/NAME" ]
}

@test "body :content multipart searches its prologue and epilogue, not its delimiters" {
	rules 'require ["fileinto", "mailbox", "body", "variables"];
set "f" "";
if body :content "multipart" :contains "prologue of the outer" { set "f" "${f}P"; }
if body :content "multipart" :contains "epilogue of the outer" { set "f" "${f}E"; }
if body :content "multipart" :contains "--outer" { set "f" "${f}D"; }
if body :content "multipart" :contains "Please say" { set "f" "${f}N"; }
fileinto :create "F${f}";'
	run md -r "$T/rules.sieve" "$M" < "$D/prologue.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./.FPE/new/NAME" ]
}

@test "body :content message/rfc822 is the nested header, its lines ending in CRLF as a key's" {
	rules 'require ["fileinto", "mailbox", "body"];
if body :content "message/rfc822" :is text:
From: Someone Else
Subject: Hello, this is an elaborate request
 to say hello
.
{ fileinto :create "Header"; }'
	run md -r "$T/rules.sieve" "$M" < "$D/prologue.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./.Header/new/NAME" ]
}

@test "editheader may add Auto-Submitted, never delete it or Received" {
	rules 'require "editheader";
addheader "Auto-Submitted" "auto-generated";
deleteheader "Received"; deleteheader "auto-submitted";'
	{ echo 'Received: from mx by here; Sun, 6 Dec 2026 10:00:00 +0000'
	  cat "$D/plain.eml"; } > "$T/in.eml"
	run md -r "$T/rules.sieve" "$M" < "$T/in.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./new/NAME" ]
	cmp "$M"/new/* <(printf 'Return-Path: <a@x.test>\nAuto-Submitted: auto-generated\n'; cat "$T/in.eml")
}

@test "a pipe program that hangs is killed after YUBIN_PIPE_TIMEOUT and nothing is delivered (75)" {
	printf '#!/bin/sh\nexec sleep 5\n' > "$T/pipes/hang"
	chmod +x "$T/pipes/hang"
	rules 'require ["vnd.dovecot.pipe", "fileinto", "mailbox"];
fileinto :create "A"; pipe "hang";'
	s=$(date +%s)
	YUBIN_PIPE_TIMEOUT=1 run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 75 ]
	[ "$output" = "maildeliver: $T/pipes/hang: killed after 1 seconds" ]
	[ $(($(date +%s) - s)) -lt 4 ]
	[ -z "$(find "$M" -type f \( -path '*/new/*' -o -path '*/cur/*' \))" ]
}

# A sendmail that never reads and never exits: each child that gets the
# message (pipe, redirect, vacation) has the one deadline of
# YUBIN_PIPE_TIMEOUT.  `timeout 20`: a maildeliver without it fails the
# test instead of hanging it.
hang_sendmail() {
	printf '#!/bin/sh\nexec sleep 30\n' > "$T/sendmail"
}

@test "a redirect whose sendmail hangs is killed after YUBIN_PIPE_TIMEOUT: 75, nothing visible" {
	hang_sendmail
	rules 'require ["copy", "fileinto", "mailbox"]; fileinto :create "A"; redirect :copy "fw@example.net";'
	s=$(date +%s)
	YUBIN_PIPE_TIMEOUT=1 run timeout 20 maildeliver --sendmail "$T/sendmail" \
	    -f a@x.test -R bob@example.com -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 75 ]
	[ "$output" = "maildeliver: $T/sendmail: killed after 1 seconds" ]
	[ $(($(date +%s) - s)) -lt 4 ]
	[ -z "$(find "$M" -type f \( -path '*/new/*' -o -path '*/cur/*' \))" ]
	# a message larger than the pipe holds: the write itself waits
	{ cat "$D/plain.eml"; head -c 300000 /dev/zero | tr '\0' 'x' | fold -w 70; } > "$T/big.eml"
	s=$(date +%s)
	YUBIN_PIPE_TIMEOUT=1 run timeout 20 maildeliver --sendmail "$T/sendmail" \
	    -f a@x.test -R bob@example.com -r "$T/rules.sieve" "$M" < "$T/big.eml"
	[ "$status" -eq 75 ]
	[ "$output" = "maildeliver: $T/sendmail: killed after 1 seconds" ]
	[ $(($(date +%s) - s)) -lt 4 ]
	[ -z "$(find "$M" -type f \( -path '*/new/*' -o -path '*/cur/*' \))" ]
}

@test "a vacation whose sendmail hangs is killed after YUBIN_PIPE_TIMEOUT: delivered, a warning, not remembered" {
	hang_sendmail
	rules 'require "vacation"; vacation :days 2 "back monday";'
	s=$(date +%s)
	YUBIN_PIPE_TIMEOUT=1 run timeout 20 maildeliver --state-dir "$T/state" \
	    --sendmail "$T/sendmail" -f a@x.test -R bob@example.com \
	    -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "maildeliver: vacation reply to a@x.test failed: $T/sendmail: killed after 1 seconds" ]
	[ $(($(date +%s) - s)) -lt 4 ]
	[ "$(tree "$M")" = "./new/NAME" ]
	cmp "$M"/new/* <(printf 'Return-Path: <a@x.test>\n'; cat "$D/plain.eml")
	# not sent, so not remembered: the next message is answered
	printf '#!/bin/sh\necho "ARGS: $*" >> "%s/sent"\ncat > /dev/null\n' "$T" > "$T/sendmail"
	run timeout 20 maildeliver --state-dir "$T/state" \
	    --sendmail "$T/sendmail" -f a@x.test -R bob@example.com \
	    -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/sent")" = "ARGS: -i -f <> -- a@x.test" ]
}

# The fsyncs of one delivery, one line each: "fdatasync tmp/" for the
# message file, "fsync new/" or "fsync cur/" for a directory.
fsyncs() {
	sed -n 's,^[0-9]* *\(f[a-z]*sync\)([0-9]*<[^>]*/\(tmp\|new\|cur\)[/>].*,\1 \2/,p' "$1" | sort
}

@test "a flagged delivery fsyncs cur/, which it changed, and not new/, which it did not" {
	command -v strace >/dev/null || skip "no strace"
	mkdir -p "$M/.Spam/tmp" "$M/.Spam/new" "$M/.Spam/cur"
	ASAN_OPTIONS=detect_leaks=0 run strace -f -qq -y -o "$T/trace" \
	    -e trace=fsync,fdatasync,syncfs maildeliver --state-dir "$T/state" \
	    -r "$D/folders.sieve" "$M" < "$D/spam.eml"
	[ "$status" -eq 0 ]
	[ "$(tree "$M")" = "./.Spam/cur/NAME:2,FS" ]
	[ "$(fsyncs "$T/trace")" = "$(printf 'fdatasync tmp/\nfsync cur/')" ]
	[ "$(grep -c sync "$T/trace")" -eq 2 ]
	# and one without flags: new/ alone
	rules 'keep;'
	ASAN_OPTIONS=detect_leaks=0 run strace -f -qq -y -o "$T/trace" \
	    -e trace=fsync,fdatasync,syncfs maildeliver --state-dir "$T/state" \
	    -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(ls "$M/new" | wc -l)" -eq 1 ]
	[ "$(fsyncs "$T/trace")" = "$(printf 'fdatasync tmp/\nfsync new/')" ]
	[ "$(grep -c sync "$T/trace")" -eq 2 ]
}

@test "a message for the rules is held in memory, with no temporary file; one past 1 MiB is spooled and still whole" {
	command -v strace >/dev/null || skip "no strace"
	rules 'require ["body", "fileinto", "mailbox"];
if body :contains "the last line" { fileinto :create "End"; }'
	ASAN_OPTIONS=detect_leaks=0 run strace -f -qq -o "$T/trace" \
	    -e trace=open,openat,creat maildeliver --state-dir "$T/state" \
	    -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	cmp "$M"/new/* "$D/plain.eml"
	[ -z "$(grep -e O_TMPFILE -e yubin-spool "$T/trace" || true)" ]
	# 2 MiB through a pipe: the rules see its end (the spool's file,
	# mapped), and the copy is byte for byte the input
	{ cat "$D/plain.eml"; awk 'BEGIN { for (i = 0; i < 40000; i++) printf "line %d of a long body ........................\n", i; print "the last line" }'; } > "$T/big"
	[ "$(wc -c < "$T/big")" -gt 2000000 ]
	run bash -c 'cat "$1" | TMPDIR="$2" maildeliver --state-dir "$3" -r "$4" "$5"' \
	    _ "$T/big" "$T" "$T/state" "$T/rules.sieve" "$M"
	[ "$status" -eq 0 ]
	cmp "$M"/.End/new/* "$T/big"
	# and without room for that spool: 75, nothing delivered
	run bash -c 'cat "$1" | TMPDIR=/nonexistent/yubin maildeliver --state-dir "$2" -r "$3" "$4"' \
	    _ "$T/big" "$T/state" "$T/rules.sieve" "$M"
	[ "$status" -eq 75 ]
	[ "$output" = "maildeliver: -r: cannot spool the message" ]
	[ "$(ls "$M/.End/new" | wc -l)" -eq 1 ]
	[ -z "$(ls -A "$M/.End/tmp")" ]
}

@test "the CPU-time limit does not cost a system call per :regex test" {
	command -v strace >/dev/null || skip "no strace"
	{ echo 'require "regex";'
	  for i in $(seq 50); do echo "if header :regex \"subject\" \"^r$i (.*)\$\" { discard; }"; done
	} > "$T/re.sieve"
	ASAN_OPTIONS=detect_leaks=0 run strace -f -qq -o "$T/trace" \
	    -e trace=clock_gettime maildeliver --state-dir "$T/state" \
	    -r "$T/re.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$(ls "$M/new" | wc -l)" -eq 1 ]
	# one read of the CPU clock, at the start of the run (was 1 + 50)
	[ "$(grep -c CLOCK_PROCESS_CPUTIME_ID "$T/trace")" -eq 1 ]
}

@test "addheader with a non-ASCII value writes encoded words, not raw UTF-8 (RFC 5293 4), and tests see it decoded" {
	# Pigeonhole encodes the same span (from the first non-ASCII word
	# to the last) and keeps the words around it and the line-end fold
	rules 'require "editheader";
addheader :last "X-A" "café";
addheader :last "X-B" "日本語のテキスト";
addheader :last "X-C" "hello world café and more words";
addheader :last "X-D" "hello
café ok";
if header :is "X-C" "hello world café and more words" { addheader :last "X-Saw" "decoded"; }
if header :contains "X-D" "é" { addheader :last "X-Saw2" "decoded"; }'
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	cmp "$M"/new/* <(printf 'Return-Path: <a@x.test>\n'; sed '/^$/,$d' "$D/plain.eml"
	    printf '%s\n' 'X-A: =?UTF-8?B?Y2Fmw6k=?=' \
	    'X-B: =?UTF-8?B?5pel5pys6Kqe44Gu44OG44Kt44K544OI?=' \
	    'X-C: hello world =?UTF-8?B?Y2Fmw6k=?= and more words' \
	    'X-D: hello' '	=?UTF-8?B?Y2Fmw6k=?= ok' 'X-Saw: decoded' \
	    'X-Saw2: decoded' ''; sed '1,/^$/d' "$D/plain.eml")
}

@test "a long addheader value is folded at spaces, and a run with no space to fold at goes as encoded words: no header line passes 998 octets" {
	# Pigeonhole folds at spaces too ("\n\t"), but writes the 2000-byte
	# run as it is, a 2005-byte line (RFC 5322 2.1.1 forbids it)
	words=$(seq -f 'word%03g' 0 249 | tr '\n' ' ')
	words=${words% }
	run_=$(printf 'x%.0s' $(seq 2000))
	printf 'require "editheader";\naddheader :last "X-A" "%s";\naddheader :last "X-B" "ab %s cd";\n' "$words" "$run_" > "$T/rules.sieve"
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	f=$(echo "$M"/new/*)
	# every line within 78 columns; unfolded, X-A is the value again
	[ "$(awk 'length > 78' "$f")" = "" ]
	[ "$(sed -n '/^X-A:/,/^X-B:/p' "$f" | sed '$d' | tr -d '\n' | sed 's/\t/ /g')" = "X-A: $words" ]
	cmp "$f" "$D/addheader-long.eml"
}

@test "a vacation reply folds a long References and encodes a non-ASCII :from name: no line past 998 octets, no raw 8-bit" {
	# Pigeonhole writes the same two fields (its folds are tabs)
	rules 'require "vacation"; vacation :from "Jöhn Dœ <bob@example.com>" :subject "Re" "away";'
	refs=$(seq -f '<thread-message-%02g.abcdefghij@lists.example.org>' 1 30 | tr '\n' ' ')
	printf '%s\n' 'From: carol@y.test' 'To: bob@example.com' 'Subject: hi' \
	    'Message-ID: <p1@y.test>' "References: ${refs% }" '' 'Hi' > "$T/m.eml"
	run md -f carol@y.test -r "$T/rules.sieve" "$M" < "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	diff <(sed '/^Date: /d' "$T/sent") <(
	    printf '%s\n' 'ARGS: -i -f <> -- carol@y.test' \
	    'From: =?UTF-8?B?SsO2aG4gRMWT?= <bob@example.com>' \
	    'To: <carol@y.test>' 'Subject: Re' 'In-Reply-To: <p1@y.test>'
	    seq -f ' <thread-message-%02g.abcdefghij@lists.example.org>' 1 30 |
	    sed '1s/^ /References: /; $s/$/ <p1@y.test>/'
	    printf '%s\n' 'Auto-Submitted: auto-replied (vacation)' \
	    'Precedence: bulk' 'MIME-Version: 1.0' \
	    'Content-Type: text/plain; charset=utf-8' \
	    'Content-Transfer-Encoding: 8bit' '' 'away')
}

@test "a control byte in one line of an addheader value encodes only its word and keeps the fold (Pigeonhole's bytes but for the charset's case and B)" {
	printf 'require "editheader";\naddheader :last "X-A" "a\001b\nc  d";\naddheader :last "X-B" "x =?utf-8?q?y?= z";\n' > "$T/rules.sieve"
	run md -r "$T/rules.sieve" "$M" < "$D/plain.eml"
	[ "$status" -eq 0 ]
	cmp "$M"/new/* <(printf 'Return-Path: <a@x.test>\n'; sed '/^$/,$d' "$D/plain.eml"
	    printf 'X-A: =?UTF-8?B?YQFi?=\n\tc  d\nX-B: x =?UTF-8?B?PT91dGYtOD9xP3k/PQ==?= z\n\n'; sed '1,/^$/d' "$D/plain.eml")
}

@test "a vacation reply folds a long In-Reply-To: a Message-ID with a long comment makes no line past 998 octets" {
	rules 'require "vacation"; vacation :subject "Re" "away";'
	cmt=$(seq -f 'c%03g' 1 250 | tr '\n' ' ')
	printf '%s\n' 'From: carol@y.test' 'To: bob+lists@example.com' 'Subject: hi' \
	    "Message-ID: <p1@y.test> (${cmt% })" '' 'Hi' > "$T/m.eml"
	run md -f carol@y.test -r "$T/rules.sieve" "$M" < "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(awk 'length > 78' "$T/sent")" = "" ]
	# unfolded, each field is the Message-ID as the message gave it
	[ "$(sed -n '/^In-Reply-To:/,/^References:/p' "$T/sent" | sed '$d' | tr -d '\n')" = "In-Reply-To: <p1@y.test> (${cmt% })" ]
	[ "$(sed -n '/^References:/,/^Auto-Submitted:/p' "$T/sent" | sed '$d' | tr -d '\n')" = "References: <p1@y.test> (${cmt% })" ]
	[ "$(sed -n '/^In-Reply-To:/,/^References:/p' "$T/sent" | sed -n '1,2p;$p')" = "In-Reply-To: <p1@y.test> (c001 c002 c003 c004 c005 c006 c007 c008 c009 c010
 c011 c012 c013 c014 c015 c016 c017 c018 c019 c020 c021 c022 c023 c024 c025
References: <p1@y.test> (c001 c002 c003 c004 c005 c006 c007 c008 c009 c010" ]
}

@test "a vacation reason with a line past 998 octets goes as quoted-printable, and decodes back to the reason" {
	# an 8bit body may not hold such a line (RFC 5322 2.1.1, RFC 2045
	# 2.8); Pigeonhole sends it as it is
	long=$(printf 'wörd%.0s ' $(seq 300))
	rules "require \"vacation\"; vacation :subject \"Re\" \"short line
${long% }
end\";"
	printf '%s\n' 'From: carol@y.test' 'To: bob+lists@example.com' 'Subject: hi' \
	    'Message-ID: <p1@y.test>' '' 'Hi' > "$T/m.eml"
	run md -f carol@y.test -r "$T/rules.sieve" "$M" < "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	sed '1d' "$T/sent" > "$T/reply"
	grep -qx 'Content-Transfer-Encoding: quoted-printable' "$T/reply"
	[ "$(awk 'length > 76' "$T/reply")" = "" ]
	run python3 -c '
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
sys.stdout.write(m.get_payload(decode=True).decode("utf-8"))' "$T/reply"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'short line\n%s\nend' "${long% }")" ]
	# a reason within the limit stays 8bit, as before
	rules 'require "vacation"; vacation :subject "Re" "away";'
	rm -rf "$T/state"/* "$T/sent"
	run md -f carol@y.test -r "$T/rules.sieve" "$M" < "$T/m.eml"
	[ "$status" -eq 0 ]
	grep -qx 'Content-Transfer-Encoding: 8bit' "$T/sent"
}
