#!/usr/bin/env bats
# The shape every program shares (DESIGN.md, "Conventions shared by every
# program"): --help prints the usage on stdout and exits 0, --version
# prints "NAME (yubin) VERSION" and exits 0, -h and -V do the same where
# the letter is free, and a wrong option names itself and prints the same
# usage on stderr, stdout empty, exit 64.  mailsend's are in mailsend.bats.

bats_require_minimum_version 1.5.0

setup() {
	VERSION=$(sed -n 's/^#define YUBIN_VERSION "\(.*\)"$/\1/p' \
	    "$YUBIN_TESTS/../common/util.h")
	[ -n "$VERSION" ]
}

# help PROG ARG FIRSTLINE: ARG prints the usage, FIRSTLINE first, on
# stdout only, and exits 0.
help() {
	run -0 --separate-stderr "$1" "$2" </dev/null
	[ "${lines[0]}" = "$3" ]
	[ -z "$stderr" ]
}

# version PROG ARG
version() {
	run -0 --separate-stderr "$1" "$2" </dev/null
	[ "$output" = "$1 (yubin) $VERSION" ]
	[ -z "$stderr" ]
}

# wrong PROG ARG MESSAGE: the message, then the very usage --help
# prints, on stderr; nothing on stdout; 64.
wrong() {
	local usage
	usage=$("$1" --help) || return 1
	run -64 --separate-stderr "$1" "$2" </dev/null
	[ -z "$output" ]
	[ "$stderr" = "$1: $3"$'\n'"$usage" ]
}

@test "mimepack --help is the usage on stdout, not a bad option" {
	help mimepack --help "usage: mimepack [-8] [-s subject] [-f from] [-t to]... [-c cc]... [-b bcc]..."
}

@test "mimepack -h is the usage on stdout with exit 0, not 64" {
	help mimepack -h "usage: mimepack [-8] [-s subject] [-f from] [-t to]... [-c cc]... [-b bcc]..."
}

@test "mimepack --version and -V print the version line" {
	version mimepack --version
	version mimepack -V
}

@test "mimepack: a wrong option prints the usage on stderr, 64" {
	wrong mimepack -Z "unknown option -Z"
	wrong mimepack --bogus "unknown option --bogus"
	wrong mimepack --date "option --date needs an argument"
}

@test "mimeunpack --help is the usage on stdout, not 'unknown option --'" {
	help mimeunpack --help "usage: mimeunpack [-l | -x | -O | -t] [-j] [-s selector]... [-d dir] [file ...]"
}

@test "mimeunpack -h is the usage on stdout with exit 0, not 64" {
	help mimeunpack -h "usage: mimeunpack [-l | -x | -O | -t] [-j] [-s selector]... [-d dir] [file ...]"
}

@test "mimeunpack --version and -V print the version line" {
	version mimeunpack --version
	version mimeunpack -V
}

@test "mimeunpack: a wrong long option is named, not 'unknown option --'" {
	wrong mimeunpack -Z "unknown option -Z"
	wrong mimeunpack --bogus "unknown option --bogus"
	wrong mimeunpack -d "option -d needs an argument"
}

@test "hdrparse --help is the usage on stdout, not 'unknown option --'" {
	help hdrparse --help "usage: hdrparse [-ADHNRjr] [-h field[:field...]] [-p param]"
}

@test "hdrparse -h stays the field list: without a field it is a wrong option" {
	wrong hdrparse -h "option -h needs an argument"
}

@test "hdrparse --version and -V print the version line" {
	version hdrparse --version
	version hdrparse -V
}

@test "hdrparse: a wrong long option is named, not 'unknown option --'" {
	wrong hdrparse -Z "unknown option -Z"
	wrong hdrparse --bogus "unknown option --bogus"
	wrong hdrparse --help=x "option --help takes no argument"
}

@test "mxlookup --help is the usage on stdout, not an unknown option" {
	help mxlookup --help "usage: mxlookup [-aj] [-s server[:port]] [-S service | --txt] [--timeout sec]"
}

@test "mxlookup -h is the usage on stdout with exit 0, not 64" {
	help mxlookup -h "usage: mxlookup [-aj] [-s server[:port]] [-S service | --txt] [--timeout sec]"
}

@test "mxlookup --version and -V print the version line" {
	version mxlookup --version
	version mxlookup -V
}

@test "mxlookup: a wrong option prints the usage on stderr, 64" {
	wrong mxlookup -Z "unknown option -Z"
	wrong mxlookup --bogus "unknown option --bogus"
	wrong mxlookup --timeout "option --timeout needs an argument"
}

@test "maildeliver --help is the usage on stdout as -h is, not getopt's '-- '-''" {
	help maildeliver --help "usage: maildeliver [-cmnsv] [-f sender] [-A 'Field: value']... dest < message"
	help maildeliver -h "usage: maildeliver [-cmnsv] [-f sender] [-A 'Field: value']... dest < message"
}

@test "maildeliver --version and -V print the version line" {
	version maildeliver --version
	version maildeliver -V
}

@test "maildeliver: a wrong option is named by the program, not argv[0]" {
	wrong maildeliver -Z "unknown option -Z"
	wrong maildeliver --bogus "unknown option --bogus"
	wrong maildeliver -f "option -f needs an argument"
}
