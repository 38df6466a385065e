#!/usr/bin/env bats
# maildeliver's Sieve against Pigeonhole's sieve-test (Debian's
# dovecot-sieve, in tests/deps), pair by pair: interop/sievediff.py runs
# every script x message pair through both and compares the actions
# (folders, flags, redirect targets, discard, keep, reject, vacation,
# pipe).  Its docstring says how sieve-test is run and what the
# normalisation drops; its KNOWN list holds each intended difference
# with its reason.

# tests/run: start first
bats_require_minimum_version 1.5.0

setup() {
	command -v sieve-test >/dev/null ||
		skip "sieve-test not installed (dovecot-sieve; run tests/deps)"
	D=$YUBIN_TESTS/interop/sievediff.py
	# sieve-test's answers, once for both full runs below (or for a
	# whole CI run: .ci/run sets it); see sievediff.py
	export SIEVEDIFF_CACHE=${SIEVEDIFF_CACHE:-$BATS_FILE_TMPDIR/oracle}
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

# The recipes of yubin(7) (each Sieve block after a `.\" sieve-recipe
# NAME` line) must stay valid Sieve for both.
recipes() {
	R=$BATS_TEST_TMPDIR/rec
	mkdir "$R"
	run -0 "$YUBIN_TESTS/interop/manrecipes.sh" "$YUBIN_TESTS/../man/yubin.7" "$R"
	[ "$output" = "$(printf '%s\n' lists spam plus forward vacation dedupe pipe)" ]
}

@test "every Sieve recipe of yubin(7) compiles with Pigeonhole's sievec" {
	recipes
	printf 'plugin {\n sieve_plugins = sieve_extprograms\n sieve_extensions = +vnd.dovecot.pipe\n sieve_pipe_bin_dir = %s\n}\n' \
		"$R" > "$BATS_TEST_TMPDIR/sieve.conf"
	for f in "$R"/*.sieve; do
		run -0 sievec -c "$BATS_TEST_TMPDIR/sieve.conf" "$f" "$f.svbin"
	done
}

@test "every Sieve recipe of yubin(7) passes maildeliver --check -r" {
	recipes
	for f in "$R"/*.sieve; do
		run -0 maildeliver --check -r "$f"
		[ "$output" = "" ]
	done
	# the check checks: a recipe with its require taken out is refused
	f=$(ls "$R"/*.sieve | head -n 1)
	grep -v '^require' "$f" > "$R/norequire.txt"
	run -78 maildeliver --check -r "$R/norequire.txt"
	case $output in "$R/norequire.txt:"*"needs require"*) ;; *) false ;; esac
}

@test "the interpreter alone (sieven, on sieve_run) agrees with sieve-test on every pair" {
	S=${YUBIN_UNIT:?set YUBIN_UNIT (make units builds ../test/sieven)}/../test/sieven
	run python3 "$D" "$S"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | tail -n 1 | grep -q ' 0 unexplained differences$'
}
