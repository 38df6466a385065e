#!/usr/bin/env bats
# maildeliver's Sieve against Pigeonhole's sieve-test (Debian's
# dovecot-sieve, in tests/deps), pair by pair: interop/sievediff.py runs
# every script x message pair through both and compares the actions
# (folders, flags, redirect targets, discard, keep, reject, vacation,
# pipe).  Its docstring says how sieve-test is run and what the
# normalisation drops; its KNOWN list holds each intended difference
# with its reason.

bats_require_minimum_version 1.5.0

setup() {
	command -v sieve-test >/dev/null ||
		skip "sieve-test not installed (dovecot-sieve; run tests/deps)"
	D=$YUBIN_TESTS/interop/sievediff.py
}

@test "sievediff covers at least 200 pairs and every extension of issue 13" {
	run -0 python3 "$D" --list
	n=$(printf '%s\n' "$output" | tail -n 1 | cut -d' ' -f1)
	[ "$n" -ge 200 ]
	for ext in fileinto envelope mailbox copy variables regex subaddress \
	    relational comparator-i\;ascii-numeric imap4flags body editheader \
	    duplicate vacation reject vnd.dovecot.pipe encoded-character; do
		grep -q "\"$ext\"" "$D" || { echo "no script requires $ext"; false; }
	done
}

@test "the oracle half: sieve-test's dry run of fixed pairs turns into these RESULT lines" {
	run -0 python3 "$D" --oracle-only --only flags-keep 1
	[ "${lines[1]}" = '  RESULT keep flags "\\Flagged \\Seen"' ]
	run -0 python3 "$D" --oracle-only --only pipe 1
	[ "${lines[1]}" = '  RESULT pipe "catit"' ]
	[ "${lines[2]}" = '# 1 pairs, 0 sieve-test failures' ]
	run -0 python3 "$D" --oracle-only --only subaddress-detail
	printf '%s\n' "$output" | grep -A1 '^== subaddress-detail x plus ' |
		grep -qx '  RESULT fileinto "Plus.shopping"'
	run -0 python3 "$D" --oracle-only --only too-many-redirects 1
	[ "${lines[0]}" = '== too-many-redirects x auto (sieve-test exit 1)' ]
	[ "${lines[1]}" = '  RESULT keep' ]
}

@test "maildeliver -n agrees with sieve-test on every script x message pair" {
	run python3 "$D" "$YUBIN_BIN/maildeliver"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | tail -n 1 | grep -q ' 0 unexplained differences$'
}
