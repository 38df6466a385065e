#!/usr/bin/env bats
# Pigeonhole's own conformance suite (its tests/*.svtest, LGPL, fetched
# at test time by conformance/fetch-pigeonhole through a private apt
# source list into a cache outside the tree) run through our Sieve
# interpreter by conformance/run and the svtest binary (make units).
# Issue 13's target: at least 90 % of the blocks of the files in
# conformance/FILES pass.

bats_require_minimum_version 1.5.0

setup_file() {
	if ! command -v apt-get >/dev/null; then
		return
	fi
	PH=$("$YUBIN_TESTS/conformance/fetch-pigeonhole" 2>"$BATS_FILE_TMPDIR/fetch.err") || PH=
	export PH
}

setup() {
	[ -n "${PH:-}" ] ||
		skip "Pigeonhole's tests could not be fetched: $(tail -n 1 "$BATS_FILE_TMPDIR/fetch.err" 2>/dev/null)"
	SVTEST=${YUBIN_UNIT:?set YUBIN_UNIT (make units builds ../test/svtest)}/../test/svtest
}

@test "fetch-pigeonhole gives the 80 files of FILES, and leaves them outside the tree" {
	while IFS="$(printf '\t')" read -r f ext; do
		case $f in '#'*|'') continue ;; esac
		[ -f "$PH/$f" ] || { echo "missing: $f ($ext)"; false; }
	done < "$YUBIN_TESTS/conformance/FILES"
	case $PH in "$(cd "$YUBIN_TESTS/.." && pwd)"/*) false ;; esac
}

# Issue 13's target: at least 90 % of the blocks pass (93.8 %, 392 of
# 418, when it was first met; the run exits 1 below it), and every
# failure has an accepted reason in the runner's CAUSES.
@test "Pigeonhole's conformance suite: at least 90 % of the 418 test blocks pass, every failure explained" {
	run "$YUBIN_TESTS/conformance/run" "$SVTEST" "$PH"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | tail -n 1 | grep -q '^conformance: 80 files, 418 blocks, [0-9]* passed, [0-9]* failed (0 not accepted): '
}
