#!/usr/bin/env bats
# popfetch killed at random instants against the mail lab's Dovecot,
# into a -p command: the longest crash case of popfetch_safety.bats
# (which says what is checked and how; a kill costs a round of 100
# messages here, 52 rounds where the Maildir took 8), in a file and a
# lab of its own so that it runs beside the others (tests/run -j).
# POPFETCH_CRASH_KILLS, POPFETCH_CRASH_SEED: tests/popfetch/safety.bash.
# Needs root and the server packages (tests/deps installs them).

# tests/run: start first
bats_require_minimum_version 1.5.0

load lab/labtest
load popfetch/safety

setup_file() {
	lab_start 12500 14500 16500 18500 20500 22500 24500 26500 28500
}

teardown_file() {
	lab_stop
}

# With -p, popfetch cannot ask the command whether it delivered: the man
# page (EXACTLY ONCE) states the window, a kill after the command took
# the message and before the done record, as at least once.  So this
# case holds -p to that: never lost, never cut short, each duplicate
# counted and printed (duplicate-allowed).
@test "kill -9 at random instants with -p maildeliver: every message delivered, none cut short, none lost (duplicates only in the man page's window, counted)" {
	ONCE=--at-least-once crash p
}
