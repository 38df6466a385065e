#!/usr/bin/env bats
# tests/run itself: a run passes only if every case passed and every unit
# driver and bats ended well, each with as many results as it planned.
# Each case lays out a copy of tests/run with fake drivers and suites.

bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/tests/unit" "$T/units" "$T/bin"
	cp "$YUBIN_TESTS/run" "$T/tests/run"
	printf '%s\n' '@test "one" { true; }' > "$T/tests/one.bats"
}

# driver NAME BODY: a unit driver that is the shell script BODY
driver() {
	printf '#!/bin/sh\n%s\n' "$2" > "$T/units/$1"
	chmod +x "$T/units/$1"
}

# the whole run: unit drivers from $T/units, programs from $T/bin; in a
# clean environment, as the outer bats's variables, and its libexec
# first in PATH, derail the inner one
runall() {
	local path
	path=$(printf '%s\n' "$PATH" | tr : '\n' | grep -v bats-core | paste -sd:)
	run --separate-stderr env -i PATH="$path" HOME="$HOME" YUBIN_BIN="$T/bin" YUBIN_UNIT="$T/units" "$T/tests/run" "$@"
}

@test "a unit driver that dies of SIGSEGV after two of three cases fails the run" {
	driver crash_test 'echo 1..3; echo ok 1 - a; echo ok 2 - b; kill -SEGV $$'
	runall
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '%s\n' '# unit: crash_test' '1..3' 'ok 1 - a' \
	    'ok 2 - b' 'not ok - unit driver crash_test exited with status 139' \
	    '1..1' 'ok 1 one' '3 passed, 1 failed, 0 skipped')" ]
}

@test "a unit driver that ends early with status 0 fails the run" {
	driver short_test 'echo ok 1 - a; echo 1..3'
	runall
	[ "$status" -eq 1 ]
	[ "${lines[3]}" = "not ok - unit driver short_test planned 3 cases but ran 1" ]
	[ "${lines[-1]}" = "2 passed, 1 failed, 0 skipped" ]
}

@test "a unit driver that prints no plan fails the run" {
	driver noplan_test 'echo ok 1 - a'
	runall
	[ "$status" -eq 1 ]
	[ "${lines[2]}" = "not ok - unit driver noplan_test printed 0 plans instead of one" ]
	[ "${lines[-1]}" = "2 passed, 1 failed, 0 skipped" ]
}

@test "a unit driver whose cases all pass but which exits 1 fails the run" {
	driver exit_test 'echo ok 1 - a; echo 1..1; exit 1'
	runall
	[ "$status" -eq 1 ]
	[ "${lines[3]}" = "not ok - unit driver exit_test exited with status 1" ]
	[ "${lines[-1]}" = "2 passed, 1 failed, 0 skipped" ]
}

@test "bats that ran fewer cases than it planned fails the run, even with status 0" {
	printf '#!/bin/sh\nprintf "1..355\\nok 1 a\\nok 2 b\\n"\n' > "$T/bin/bats"
	chmod +x "$T/bin/bats"
	runall "$T/tests/one.bats"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '%s\n' '1..355' 'ok 1 a' 'ok 2 b' \
	    'not ok - bats planned 355 cases but ran 2' \
	    '2 passed, 1 failed, 0 skipped')" ]
}

@test "bats that exits non-zero fails the run, even if every case passed" {
	printf '#!/bin/sh\nprintf "1..1\\nok 1 a\\n"; exit 2\n' > "$T/bin/bats"
	chmod +x "$T/bin/bats"
	runall "$T/tests/one.bats"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '%s\n' '1..1' 'ok 1 a' \
	    'not ok - bats exited with status 2' '1 passed, 1 failed, 0 skipped')" ]
}

@test "a skipped case and a skipped unit check are counted as skipped, and the run passes" {
	driver skip_test 'echo ok 1 - a; echo "ok 2 - b # SKIP no AVX2"; echo 1..2'
	driver void_test 'echo "1..0 # SKIP no lab"'
	printf '%s\n' '@test "two" { skip "no reason"; }' > "$T/tests/two.bats"
	runall
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "2 passed, 0 failed, 2 skipped" ]
}

@test "a failing case fails the run" {
	printf '%s\n' '@test "two" { false; }' > "$T/tests/two.bats"
	runall
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
}
