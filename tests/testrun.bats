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
runpath() {
	printf '%s\n' "$PATH" | tr : '\n' | grep -v bats-core | paste -sd:
}
runall() {
	run --separate-stderr env -i PATH="$(runpath)" HOME="$HOME" YUBIN_BIN="$T/bin" YUBIN_UNIT="$T/units" "$T/tests/run" "$@"
}

@test "a unit driver that dies of SIGSEGV after two of three cases fails the run" {
	driver crash_test 'echo 1..3; echo ok 1 - a; echo ok 2 - b; kill -SEGV $$'
	runall
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '%s\n' '# unit: crash_test' '1..3' 'ok 1 - a' \
	    'ok 2 - b' 'not ok - unit driver crash_test exited with status 139' \
	    '# bats: one.bats' '1..1' 'ok 1 one' '# failed:' \
	    '#   not ok - unit driver crash_test exited with status 139' \
	    '3 passed, 1 failed, 0 skipped')" ]
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
	[ "$output" = "$(printf '%s\n' '# bats: one.bats' '1..355' 'ok 1 a' 'ok 2 b' \
	    'not ok - bats one.bats planned 355 cases but ran 2' '# failed:' \
	    '#   not ok - bats one.bats planned 355 cases but ran 2' \
	    '2 passed, 1 failed, 0 skipped')" ]
}

@test "bats that exits non-zero fails the run, even if every case passed" {
	printf '#!/bin/sh\nprintf "1..1\\nok 1 a\\n"; exit 2\n' > "$T/bin/bats"
	chmod +x "$T/bin/bats"
	runall "$T/tests/one.bats"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '%s\n' '# bats: one.bats' '1..1' 'ok 1 a' \
	    'not ok - bats one.bats exited with status 2' '# failed:' \
	    '#   not ok - bats one.bats exited with status 2' \
	    '1 passed, 1 failed, 0 skipped')" ]
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

@test "two suites run at once: the TAP of each comes out in one piece, under its name" {
	# each case of a.bats waits for b.bats to start a case, so the two
	# files do run at the same time, and their cases end interleaved
	printf '%s\n' '@test "a1" { touch "$W/a1"; for _ in $(seq 100); do [ -e "$W/b1" ] && break; sleep 0.05; done; [ -e "$W/b1" ]; }' \
	    '@test "a2" { sleep 0.2; }' >"$T/tests/a.bats"
	printf '%s\n' '@test "b1" { touch "$W/b1"; for _ in $(seq 100); do [ -e "$W/a1" ] && break; sleep 0.05; done; [ -e "$W/a1" ]; }' \
	    '@test "b2" { sleep 0.2; }' >"$T/tests/b.bats"
	run --separate-stderr env -i PATH="$(runpath)" W="$T" HOME="$HOME" \
	    YUBIN_BIN="$T/bin" "$T/tests/run" -j 2 "$T/tests/a.bats" "$T/tests/b.bats"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "4 passed, 0 failed, 0 skipped" ]
	a=$(printf '%s\n' '# bats: a.bats' '1..2' 'ok 1 a1' 'ok 2 a2')
	b=$(printf '%s\n' '# bats: b.bats' '1..2' 'ok 1 b1' 'ok 2 b2')
	[ "${output%$'\n'*}" = "$a"$'\n'"$b" ] || [ "${output%$'\n'*}" = "$b"$'\n'"$a" ]
}

@test "a failed case of one suite among several is named again at the end, with its file" {
	printf '%s\n' '@test "two" { false; }' >"$T/tests/two.bats"
	printf '%s\n' '@test "three" { true; }' >"$T/tests/three.bats"
	runall
	[ "$status" -eq 1 ]
	[ "${lines[-3]}" = "# failed:" ]
	[ "${lines[-2]}" = "#   bats two.bats: not ok 1 two" ]
	[ "${lines[-1]}" = "2 passed, 1 failed, 0 skipped" ]
}

@test "a suite does not share the caller's \$HOME: it starts in an empty one of its own" {
	printf '%s\n' '@test "home" { [ "$HOME" != "$OUTER" ]; [ -d "$HOME" ]; [ -z "$(ls -A "$HOME")" ]; touch "$HOME/mine"; }' >"$T/tests/h1.bats"
	cp "$T/tests/h1.bats" "$T/tests/h2.bats"
	run --separate-stderr env -i PATH="$(runpath)" OUTER="$T" HOME="$T" \
	    YUBIN_BIN="$T/bin" "$T/tests/run" -j 2 "$T/tests/h1.bats" "$T/tests/h2.bats"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "2 passed, 0 failed, 0 skipped" ]
	[ ! -e "$T/mine" ]
}
