#!/usr/bin/env bats
# mxlookup against the lab's NSD (tests/lab/lab, zone tests/lab/yubin.test.zone):
# every case of the zone is compared with what dig says for the same query
# to the same server, plus exact messages and exit codes.
# Needs root and nsd, dig (tests/deps installs them).

bats_require_minimum_version 1.5.0

load lab/labtest

setup_file() {
	command -v dig >/dev/null || skip "dig missing (bind9-dnsutils; run tests/deps)"
	lab_start 12000 13000 14000 15000 16000 17000 18000 19000
}

teardown_file() {
	lab_stop
}

setup() {
	lab_env
	S=127.0.0.1:$LAB_DNS_PORT
	T=$BATS_TEST_TMPDIR
}

# dig against the lab's NSD
q() {
	dig @127.0.0.1 -p "$LAB_DNS_PORT" +time=2 +tries=1 "$@"
}
rcode() {
	q "$@" +noall +comments | sed -n 's/.*status: \([A-Z]*\).*/\1/p'
}
# dig's MX answer as mxlookup prints it: by preference, then name;
# "PREF HOST." becomes "PREF<TAB>HOST"
digmx() {
	q +short "$@" MX | sort -k1,1n -k2,2 | sed 's/ /\t/; s/\.$//'
}
# Compare $output with the expected text on stdin; show a diff if they
# differ.
expect() {
	diff -u <(cat) <(printf '%s\n' "$output")
}

# ---- options ----

@test "bad options exit 64; a bad server 78" {
	run --separate-stderr mxlookup -q x
	[ "$status" -eq 64 ]
	[[ "$stderr" == "mxlookup: unknown option -q"* ]]
	run --separate-stderr mxlookup -S smtp x
	[ "$status" -eq 64 ]
	[ "$stderr" = "mxlookup: -S smtp: not one of submission, submissions, imap, imaps, pop3, pop3s" ]
	run --separate-stderr mxlookup --timeout 0 x
	[ "$status" -eq 64 ]
	[ "$stderr" = "mxlookup: --timeout 0: not a number of seconds (0.01 to 3600)" ]
	run --separate-stderr mxlookup --timeout
	[ "$status" -eq 64 ]
	[[ "$stderr" == "mxlookup: option --timeout needs an argument"* ]]
	run --separate-stderr mxlookup -a --txt x
	[ "$status" -eq 64 ]
	run --separate-stderr mxlookup --window 0 x
	[ "$status" -eq 64 ]
	[ "$stderr" = "mxlookup: --window 0: not a number from 1 to 10000" ]
	for s in 127.0.0.1:0 127.0.0.1:65536 '[::1' '[::1]x' ':53' 127.0.0.1:5x; do
		run --separate-stderr mxlookup -s "$s" yubin.test
		[ "$status" -eq 78 ]
		[ "$stderr" = "mxlookup: $s: not HOST[:PORT] or [IPV6]:PORT" ]
	done
}

# ---- the zone's cases, each against dig ----

@test "equal preferences: by preference then name, as dig's answer" {
	run --separate-stderr mxlookup -s "$S" yubin.test
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$(digmx yubin.test)" ]
	[ "$output" = "$(printf '10\tmx1.yubin.test\n10\tmx2.yubin.test')" ]
}

@test "different preferences: the lowest first, as dig's answer" {
	run --separate-stderr mxlookup -a -s "$S" fallback.yubin.test
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f1,2)" = "$(digmx fallback.yubin.test)" ]
	[ "$output" = "$(printf '10\tmx2.yubin.test\t127.0.0.2\n20\tmx1.yubin.test\t127.0.0.1')" ]
}

@test "-a: one line per address of each host, as dig's A answers" {
	run --separate-stderr mxlookup -a -s "$S" yubin.test
	[ "$status" -eq 0 ]
	want=$(digmx yubin.test | while IFS=$'\t' read -r p h; do
		for a in $(q +short "$h" A; q +short "$h" AAAA); do
			printf '%s\t%s\t%s\n' "$p" "$h" "$a"
		done
	done)
	[ "$output" = "$want" ]
	[ "${lines[0]}" = "$(printf '10\tmx1.yubin.test\t127.0.0.1')" ]
}

@test "implicit MX: no MX (dig: NOERROR, empty) but an A record: 0 NAME" {
	[ "$(q +short implicit.yubin.test MX)" = "" ]
	[ "$(rcode implicit.yubin.test MX)" = NOERROR ]
	run --separate-stderr mxlookup -s "$S" implicit.yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '0\timplicit.yubin.test')" ]
	run mxlookup -a -s "$S" implicit.yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '0\timplicit.yubin.test\t%s' "$(q +short implicit.yubin.test A)")" ]
}

@test "null MX: dig says '0 .'; nothing printed, a message, exit 69" {
	[ "$(q +short nullmx.yubin.test MX)" = "0 ." ]
	run --separate-stderr mxlookup -s "$S" nullmx.yubin.test
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	[ "$stderr" = "mxlookup: nullmx.yubin.test: null MX (MX 0 .): the domain accepts no mail (RFC 7505)" ]
}

@test "every MX is '.' (dig: '0 .' and '10 .'): a null MX all the same, exit 69" {
	[ "$(q +short nullmx2.yubin.test MX | sort -n | tr '\n' ,)" = "0 .,10 .," ]
	run --separate-stderr mxlookup -a -s "$S" nullmx2.yubin.test
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	[ "$stderr" = "mxlookup: nullmx2.yubin.test: null MX (MX 0 .): the domain accepts no mail (RFC 7505)" ]
	run --separate-stderr mxlookup -j -s "$S" nullmx2.yubin.test
	[ "$status" -eq 69 ]
	[ "$output" = '{"name":"nullmx2.yubin.test","domain":"nullmx2.yubin.test","error":"nullmx","message":"null MX (MX 0 .): the domain accepts no mail (RFC 7505)","status":69}' ]
}

@test "NXDOMAIN: exit 68" {
	[ "$(rcode nxdomain.yubin.test MX)" = NXDOMAIN ]
	run --separate-stderr mxlookup -s "$S" nxdomain.yubin.test
	[ "$status" -eq 68 ]
	[ -z "$output" ]
	[ "$stderr" = "mxlookup: nxdomain.yubin.test: no such domain (NXDOMAIN)" ]
}

@test "NODATA: no MX and no address: exit 68, said so" {
	[ "$(rcode nodata.yubin.test MX)" = NOERROR ]
	[ "$(q +short nodata.yubin.test MX)$(q +short nodata.yubin.test A)$(q +short nodata.yubin.test AAAA)" = "" ]
	run --separate-stderr mxlookup -s "$S" nodata.yubin.test
	[ "$status" -eq 68 ]
	[ -z "$output" ]
	[ "$stderr" = "mxlookup: nodata.yubin.test: no MX and no address record (NODATA): no mail can be delivered there" ]
}

@test "an MX that is a CNAME: printed as dig gives it, with a warning" {
	[ "$(q +short alias.yubin.test A | head -1)" = "mx1.yubin.test." ]
	run --separate-stderr mxlookup -s "$S" cnamemx.yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(digmx cnamemx.yubin.test)" ]
	[ "$output" = "$(printf '10\talias.yubin.test')" ]
	[ "$stderr" = "mxlookup: cnamemx.yubin.test: MX host alias.yubin.test is an alias (CNAME); RFC 5321 5.1 and RFC 2181 10.3 want the canonical name" ]
	run --separate-stderr mxlookup -a -s "$S" cnamemx.yubin.test
	[ "$output" = "$(printf '10\talias.yubin.test\t%s' "$(q +short mx1.yubin.test A)")" ]
}

@test "an MX host that does not exist: printed, warned, no address with -a" {
	[ "$(rcode nohost.yubin.test A)" = NXDOMAIN ]
	run --separate-stderr mxlookup -s "$S" badmx.yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(digmx badmx.yubin.test)" ]
	[ "$stderr" = "mxlookup: badmx.yubin.test: MX host nohost.yubin.test does not exist (NXDOMAIN)" ]
	run --separate-stderr mxlookup -a -s "$S" badmx.yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '10\tnohost.yubin.test\t')" ]
}

@test "an answer over 512 bytes: the TCP retry shows in --trace; 12 MXs as dig +tcp" {
	run --separate-stderr mxlookup --trace -s "$S" big.yubin.test
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 12 ]
	[ "$output" = "$(digmx +tcp big.yubin.test)" ]
	trace=$(printf '%s\n' "$stderr" | grep -v '^mxlookup: ')
	[ "$(printf '%s\n' "$trace" | sed -n 2,4p)" = "Q: big.yubin.test MX
A: big.yubin.test MX: truncated (TC=1, 32 bytes, 0 records over UDP): asking again over TCP
Q: big.yubin.test MX (over TCP)" ]
	[ "$(printf '%s\n' "$trace" | grep -c '^A: big.yubin.test MX 10 mx.*-a-rather-long-label-to-make-the-answer-big.yubin.test (ttl 300)$')" -eq 12 ]
}

@test "SRV (RFC 6186): submission and imaps as dig; '.' means not offered" {
	run --separate-stderr mxlookup -s "$S" -S submission yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(q +short _submission._tcp.yubin.test SRV | sed 's/ /\t/g; s/\.$//')" ]
	[ "$output" = "$(printf '0\t1\t%s\tlab.yubin.test' "$LAB_SUBMISSION_PORT")" ]
	run --separate-stderr mxlookup -a -s "$S" -S imaps alice@yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '0\t1\t%s\tlab.yubin.test\t127.0.0.1' "$LAB_IMAPS_PORT")" ]
	[ "$(q +short _imap._tcp.yubin.test SRV)" = "0 0 0 ." ]
	run --separate-stderr mxlookup -s "$S" -S imap yubin.test
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	[ "$stderr" = 'mxlookup: yubin.test: _imap._tcp.yubin.test: SRV target ".": the service is not offered (RFC 2782, RFC 6186)' ]
	run --separate-stderr mxlookup -s "$S" -S pop3s yubin.test
	[ "$status" -eq 1 ]
	[ "$stderr" = "mxlookup: yubin.test: no SRV record at _pop3s._tcp.yubin.test: no such domain (NXDOMAIN)" ]
}

@test "an SRV target '.' beside a real one is ignored, not printed as an empty host" {
	# dig shows both records; "." only says "not offered" when alone
	[ "$(q +short _pop3._tcp.yubin.test SRV | sort | tr '\n' ,)" = "0 0 0 .,10 1 110 lab.yubin.test.," ]
	run --separate-stderr mxlookup -s "$S" -S pop3 yubin.test
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$(printf '10\t1\t110\tlab.yubin.test')" ]
	run --separate-stderr mxlookup -j -s "$S" -S pop3 yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = '{"name":"yubin.test","domain":"yubin.test","service":"pop3","priority":10,"weight":1,"port":110,"host":"lab.yubin.test","cname":false}' ]
}

@test "every SRV target '.' (dig: two records): not offered all the same, exit 69" {
	[ "$(q +short _submissions._tcp.yubin.test SRV | sort | tr '\n' ,)" = "0 0 0 .,10 0 0 .," ]
	run --separate-stderr mxlookup -a -s "$S" -S submissions yubin.test
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	[ "$stderr" = 'mxlookup: yubin.test: _submissions._tcp.yubin.test: SRV target ".": the service is not offered (RFC 2782, RFC 6186)' ]
}

@test "--txt: each record's strings joined, as dig's quoted strings" {
	run --separate-stderr mxlookup -s "$S" --txt txt.yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(q +short txt.yubin.test TXT | sed 's/" "//g; s/^"//; s/"$//')" ]
	[ "$output" = "yubin labsecond string" ]
	run mxlookup -s "$S" --txt yubin.test nodata.yubin.test
	[ "$output" = "$(printf 'yubin.test\tv=spf1 -all\nnodata.yubin.test\tno mail here')" ]
	# a record of one empty string: an empty line, or NAME and a tab
	[ "$(q +short emptytxt.yubin.test TXT)" = '""' ]
	run --separate-stderr mxlookup -s "$S" --txt emptytxt.yubin.test
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "" ]
	run --separate-stderr mxlookup -s "$S" --txt emptytxt.yubin.test txt.yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'emptytxt.yubin.test\t\ntxt.yubin.test\tyubin labsecond string')" ]
	# no string at all (rdata of length 0, which dig calls malformed):
	# read as one empty string, where it once crashed mxlookup
	run --separate-stderr mxlookup --trace -s "$S" --txt nordtxt.yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(sed -n 3p <<<"$stderr")" = 'A: nordtxt.yubin.test TXT "" (ttl 300)' ]
	run --separate-stderr mxlookup -s "$S" --txt nordtxt.yubin.test emptytxt.yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'nordtxt.yubin.test\t\nemptytxt.yubin.test\t')" ]
	run --separate-stderr mxlookup -s "$S" --txt mx1.yubin.test
	[ "$status" -eq 1 ]
	[ "$stderr" = "mxlookup: mx1.yubin.test: no TXT record at mx1.yubin.test: no record of that type (NODATA)" ]
}

@test "--txt: a TAB, backslash or CR in a record is escaped by the safe-text rule" {
	run --separate-stderr mxlookup -s "$S" --txt ctltxt.yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = 'tab\there\\back\rend' ]
	run --separate-stderr mxlookup -s "$S" --txt ctltxt.yubin.test yubin.test
	[ "$output" = "$(printf '%s\t%s\n' ctltxt.yubin.test 'tab\there\\back\rend' yubin.test 'v=spf1 -all')" ]
}

# ---- input ----

@test "an address as NAME: the part after the last @" {
	run --separate-stderr mxlookup -s "$S" alice@yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(digmx yubin.test)" ]
	run mxlookup -s "$S" '"odd@name"@implicit.yubin.test' yubin.test.
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '"odd@name"@implicit.yubin.test\t0\timplicit.yubin.test\nyubin.test.\t10\tmx1.yubin.test\nyubin.test.\t10\tmx2.yubin.test')" ]
}

@test "bad names exit 65 and are not asked" {
	run --separate-stderr mxlookup --trace -s "$S" alice@
	[ "$status" -eq 65 ]
	[ "$stderr" = "# DNS server $S
mxlookup: alice@: empty domain" ]
	run --separate-stderr mxlookup -s "$S" 'bob@[127.0.0.1]'
	[ "$status" -eq 65 ]
	[ "$stderr" = "mxlookup: bob@[127.0.0.1]: an address literal has no MX" ]
	run --separate-stderr mxlookup -s "$S" a..yubin.test
	[ "$status" -eq 65 ]
	[ "$stderr" = "mxlookup: a..yubin.test: empty label" ]
	run --separate-stderr mxlookup -s "$S" "$(printf 'x%.0s' $(seq 64)).yubin.test"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *": label longer than 63 bytes" ]]
}

@test "several names: NAME first on every line; the worst exit status" {
	run --separate-stderr mxlookup -s "$S" implicit.yubin.test nxdomain.yubin.test nullmx.yubin.test yubin.test
	[ "$status" -eq 69 ]
	[ "$output" = "$(printf 'implicit.yubin.test\t0\timplicit.yubin.test\nyubin.test\t10\tmx1.yubin.test\nyubin.test\t10\tmx2.yubin.test')" ]
	[ "$stderr" = "mxlookup: nxdomain.yubin.test: no such domain (NXDOMAIN)
mxlookup: nullmx.yubin.test: null MX (MX 0 .): the domain accepts no mail (RFC 7505)" ]
}

@test "names from stdin: comments and blank lines skipped, always NAME first" {
	run --separate-stderr mxlookup -s "$S" <<-'EOF'
	# a comment

	  implicit.yubin.test  
	nxdomain.yubin.test
	EOF
	[ "$status" -eq 68 ]
	[ "$output" = "$(printf 'implicit.yubin.test\t0\timplicit.yubin.test')" ]
}

@test "a stdin line over 4094 bytes is reported and skipped; the batch goes on, exit 65" {
	# 4094 bytes is the most a line may hold: an address of that length
	# is looked up; 4095 bytes, or a NUL byte, cost their own line only
	local4094=$(printf 'x%.0s' $(seq 4083))@yubin.test
	{
		echo yubin.test
		printf 'y%.0s' $(seq 4095); echo
		echo "$local4094"
		printf 'nul\0@yubin.test\n'
		printf '# a long comment %s\n' "$(printf 'z%.0s' $(seq 5000))"
		echo implicit.yubin.test
	} >"$T/names"
	[ "${#local4094}" -eq 4094 ]
	run --separate-stderr mxlookup -s "$S" <"$T/names"
	[ "$status" -eq 65 ]
	[ "$output" = "$(printf 'yubin.test\t10\tmx1.yubin.test\nyubin.test\t10\tmx2.yubin.test\n%s\t10\tmx1.yubin.test\n%s\t10\tmx2.yubin.test\nimplicit.yubin.test\t0\timplicit.yubin.test' "$local4094" "$local4094")" ]
	[ "$stderr" = "mxlookup: stdin:2: line longer than 4094 bytes: skipped
mxlookup: stdin:4: NUL byte in the line: skipped" ]
	run --separate-stderr mxlookup -j -s "$S" <"$T/names"
	[ "$status" -eq 65 ]
	[ "${lines[2]}" = '{"line":2,"error":"badline","message":"line longer than 4094 bytes","status":65}' ]
	[ "${lines[5]}" = '{"line":4,"error":"badline","message":"NUL byte in the line","status":65}' ]
	[ "${#lines[@]}" -eq 7 ]
	# a worse outcome in the same batch decides the status: 68
	printf 'nxdomain.yubin.test\n' >>"$T/names"
	run --separate-stderr mxlookup -s "$S" <"$T/names"
	[ "$status" -eq 68 ]
}

@test "a NAME argument over 4094 bytes is refused (65), not printed with its NAME field empty" {
	long=$(printf 'x%.0s' $(seq 70000))@yubin.test
	run --separate-stderr mxlookup -s "$S" "$long" implicit.yubin.test
	[ "$status" -eq 65 ]
	[ "$output" = "$(printf 'implicit.yubin.test\t0\timplicit.yubin.test')" ]
	[ "$stderr" = "mxlookup: $long: name longer than 4094 bytes" ]
}

@test "-j: JSON lines, one object per MX, one per failed name" {
	run --separate-stderr mxlookup -j -a -s "$S" alice@yubin.test implicit.yubin.test nxdomain.yubin.test nullmx.yubin.test
	[ "$status" -eq 69 ]
	printf '%s\n' "$output" >"$T/out.json"
	run python3 - "$T/out.json" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    print(o["name"], o["domain"], o.get("pref"), o.get("host"),
          ",".join(o.get("addrs", [])), o.get("implicit"), o.get("cname"),
          o.get("error"), o.get("status"))
EOF
	[ "$status" -eq 0 ]
	expect <<-'EOF'
	alice@yubin.test yubin.test 10 mx1.yubin.test 127.0.0.1 False False None None
	alice@yubin.test yubin.test 10 mx2.yubin.test 127.0.0.2 False False None None
	implicit.yubin.test implicit.yubin.test 0 implicit.yubin.test 127.0.0.1 True False None None
	nxdomain.yubin.test nxdomain.yubin.test None None  None None nxdomain 68
	nullmx.yubin.test nullmx.yubin.test None None  None None nullmx 69
	EOF
	run mxlookup -j -s "$S" -S submission yubin.test
	[ "$output" = "{\"name\":\"yubin.test\",\"domain\":\"yubin.test\",\"service\":\"submission\",\"priority\":0,\"weight\":1,\"port\":$LAB_SUBMISSION_PORT,\"host\":\"lab.yubin.test\",\"cname\":false}" ]
}

# ---- the trace ----

@test "--trace: each query and answer, TTLs, NXDOMAIN, the implicit MX" {
	run --separate-stderr mxlookup --trace -s "$S" yubin.test
	[ "$status" -eq 0 ]
	[ "$stderr" = "# DNS server $S
Q: yubin.test MX
A: yubin.test MX 10 mx1.yubin.test (ttl 300)
A: yubin.test MX 10 mx2.yubin.test (ttl 300)
A: mx1.yubin.test A 127.0.0.1 (ttl 300) (additional)
A: mx2.yubin.test A 127.0.0.2 (ttl 300) (additional)
A: ns.yubin.test A 127.0.0.1 (ttl 300) (additional)" ]
	run --separate-stderr mxlookup --trace -s "$S" nxdomain.yubin.test
	[ "$status" -eq 68 ]
	[ "$stderr" = "# DNS server $S
Q: nxdomain.yubin.test MX
A: NXDOMAIN (nxdomain.yubin.test MX does not exist)
mxlookup: nxdomain.yubin.test: no such domain (NXDOMAIN)" ]
	run --separate-stderr mxlookup --trace -s "$S" implicit.yubin.test
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$stderr" | sed -n '3,5p')" = "# no MX record: the domain itself is the implicit MX if it has an address (RFC 5321 5.1)
Q: implicit.yubin.test A
Q: implicit.yubin.test AAAA" ]
	[[ "$stderr" == *"
A: implicit.yubin.test A 127.0.0.1 (ttl 300)"* ]]
}

# ---- the batch, the timeout ----

# What mxlookup should print for the names in file $1, from one dig -f
# run asking MX and A of every name: "NAME<TAB>PREF<TAB>HOST" lines.
digwant() {
	sed 's/$/ MX/; p; s/ MX$/ A/' "$1" >"$T/dig.in"
	q +noall +answer -f "$T/dig.in" >"$T/dig.out"
	python3 - "$1" "$T/dig.out" <<'EOF'
import sys
mx, a = {}, {}
for line in open(sys.argv[2]):
    f = line.split()
    name = f[0].rstrip(".")
    if f[3] == "MX":
        mx.setdefault(name, []).append((int(f[4]), f[5].rstrip(".")))
    elif f[3] == "A":
        a.setdefault(name, []).append(f[4])
for name in open(sys.argv[1]).read().split():
    if name in mx:
        for p, h in sorted(mx[name]):
            print("%s\t%d\t%s" % (name, p, h))
    elif name in a:         # the implicit MX
        print("%s\t0\t%s" % (name, name))
EOF
}

@test "1000 names from stdin: line by line what one dig -f run answers" {
	seq -f 'b%04g.yubin.test' 0 999 >"$T/names"
	digwant "$T/names" >"$T/want"
	[ "$(wc -l <"$T/want")" -eq 1327 ]
	run --separate-stderr mxlookup -s "$S" <"$T/names"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" | diff -u "$T/want" -
	# a narrow window and a wide one: the same lines, in input order
	for w in 7 1000; do
		run --separate-stderr mxlookup --window $w -s "$S" <"$T/names"
		[ "$status" -eq 0 ]
		printf '%s\n' "$output" | diff -u "$T/want" -
	done
}

@test "lost queries (udpdelay.py drops the first copy of every 5th): the same answers; the window halves" {
	# the fault a real server will not produce on demand: lost packets
	seq -f 'b%04g.yubin.test' 0 199 >"$T/names"
	digwant "$T/names" >"$T/want"
	[ "$(wc -l <"$T/want")" -eq 266 ]
	UDPDELAY_DROP=5 python3 "$BATS_TEST_DIRNAME/lab/udpdelay.py" 0 \
	    127.0.0.1:0 "127.0.0.1:$LAB_DNS_PORT" 60 >"$T/proxy" &
	pid=$!
	for _ in $(seq 50); do [ -s "$T/proxy" ] && break; sleep 0.1; done
	port=$(sed -n 's/^ready //p' "$T/proxy")
	run --separate-stderr mxlookup --trace --timeout 0.2 --window 64 -s "127.0.0.1:$port" <"$T/names"
	kill "$pid"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | diff -u "$T/want" -
	printf '%s\n' "$stderr" >"$T/trace"
	# every lost query was asked again and answered: none timed out
	# (`run !`: a bare `! cmd` before the end of a test never fails it)
	run ! grep -q 'Timeout' "$T/trace"
	# the window starts full (64): the first loss halves it, and the
	# other queries lost with it do not halve it again
	grep '^# a query was lost' "$T/trace" >"$T/lost"
	[ "$(head -1 "$T/lost")" = "# a query was lost: window 64 -> 32" ]
	[ "$(wc -l <"$T/lost")" -lt 10 ]
}

@test "a server that never answers (a fake: a bound UDP socket): exit 75 after the timeouts" {
	# the fault a real server will not produce on demand: silence
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(20)' >"$T/port" &
	pid=$!
	for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
	port=$(cat "$T/port")
	start=$(date +%s%N)
	run --separate-stderr mxlookup --trace --timeout 0.2 --window 64 -s "127.0.0.1:$port" yubin.test
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	kill "$pid"
	[ "$status" -eq 75 ]
	[ -z "$output" ]
	# two tries: 0.2 s, then 0.4 s (c-ares doubles the wait); the loss
	# halves the window
	[ "$ms" -ge 550 ]
	[ "$ms" -lt 3000 ]
	[ "$stderr" = "# DNS server 127.0.0.1:$port
Q: yubin.test MX
# a query was lost: window 64 -> 32
A: yubin.test MX: Timeout while contacting DNS servers
mxlookup: yubin.test: no answer from the DNS server (timed out)" ]
}

@test "additional data (a fake forwarder) serves only its own lookup, only in its bailiwick" {
	# the fault NSD will not produce: an answer whose additional section
	# speaks for another zone's host, as a verbatim forwarder passes on
	python3 "$BATS_TEST_DIRNAME/mxlookup/fake_dns_additional.py" 20 >"$T/fake" &
	pid=$!
	for _ in $(seq 50); do [ -s "$T/fake" ] && break; sleep 0.1; done
	port=$(sed -n 's/^ready //p' "$T/fake")
	# evil.test's answer (read first) says mx1.yubin.test is 127.0.0.9:
	# not evil.test's to say, so asked; good.test, naming the same host,
	# gets its true address.  evil2.test may say where its own
	# mx.evil2.test is, for its own lookup: good2.test asks.
	run --separate-stderr mxlookup -a --trace -s "127.0.0.1:$port" evil.test good.test evil2.test good2.test
	kill "$pid"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\t10\t%s\t%s\n' \
	    evil.test mx1.yubin.test 127.0.0.1 \
	    good.test mx1.yubin.test 127.0.0.1 \
	    evil2.test mx.evil2.test 127.0.0.9 \
	    good2.test mx.evil2.test 127.0.0.1)" ]
	# each true address was asked once, mx1.yubin.test for both lookups
	[ "$(grep -c '^Q: mx1.yubin.test A$' <<<"$stderr")" -eq 1 ]
	[ "$(grep -c '^Q: mx.evil2.test A$' <<<"$stderr")" -eq 1 ]
}

@test "-s accepts a host name and [IPV6]:PORT; nothing on ::1 exits 75" {
	run --separate-stderr mxlookup -s "localhost:$LAB_DNS_PORT" yubin.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(digmx yubin.test)" ]
	run --separate-stderr mxlookup --trace --timeout 0.1 -s "[::1]:$LAB_DNS_PORT" yubin.test
	[ "$status" -eq 75 ]
	[ "${stderr%%$'\n'*}" = "# DNS server [::1]:$LAB_DNS_PORT" ]
}

# ---- faults only a fake server produces (tests/mxlookup/fake_dns_faults.py) ----

# Start the fault-injecting fake DNS server; $FAKE is its HOST:PORT.
fake_start() {
	rm -f "$T/fake"
	python3 "$BATS_TEST_DIRNAME/mxlookup/fake_dns_faults.py" 20 >"$T/fake" &
	FAKEPID=$!
	for _ in $(seq 50); do [ -s "$T/fake" ] && break; sleep 0.1; done
	FAKE=127.0.0.1:$(sed -n 's/^ready //p' "$T/fake")
}
fdig() {
	dig @127.0.0.1 -p "${FAKE#*:}" +time=2 +tries=1 +notcp +noedns "$@"
}

@test "a UDP answer over 512 bytes without TC (fault-injecting fake) is taken whole, as dig does" {
	fake_start
	# what dig takes over UDP: 12 MXs in 1063 bytes, no TC bit
	[ "$(fdig big.fake.test MX | grep -c 'MSG SIZE  rcvd: 1063')" -eq 1 ]
	want=$(fdig +short big.fake.test MX | sort -k1,1n -k2,2 | sed 's/ /\t/; s/\.$//')
	[ "$(wc -l <<<"$want")" -eq 12 ]
	# the fake has no TCP: asking again over TCP would fail
	run --separate-stderr mxlookup --trace --timeout 0.5 -s "$FAKE" big.fake.test
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	[ "$(sed -n 2,3p <<<"$stderr")" = "Q: big.fake.test MX
# a UDP answer of 1063 bytes without TC, over the 512 of RFC 1035: taken whole, as dig does" ]
	# and past the 4097 bytes c-ares reads of a datagram: 8832 bytes
	want=$(fdig +short huge.fake.test MX | sort -k1,1n -k2,2 | sed 's/ /\t/; s/\.$//')
	[ "$(wc -l <<<"$want")" -eq 100 ]
	run --separate-stderr mxlookup --timeout 0.5 -s "$FAKE" huge.fake.test
	kill "$FAKEPID"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
}

@test "duplicate MX records (fault-injecting fake) are printed once per (preference, host)" {
	fake_start
	# dig prints every copy: 6 records for 3 distinct ones
	[ "$(fdig +short dup.fake.test MX | wc -l)" -eq 6 ]
	run --separate-stderr mxlookup -s "$FAKE" dup.fake.test
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# MX1.FAKE.TEST is mx1.fake.test: one of the copies is printed
	[ "$output" = "$(printf '10\tMX1.FAKE.TEST\n20\tmx2.fake.test\n30\tmx1.fake.test')" ]
	# -a: a repeated A record, in an answer or in the additional
	# section, is one address
	[ "$(fdig +short mx1.fake.test A | wc -l)" -eq 3 ]
	run --separate-stderr mxlookup -a -s "$FAKE" dup.fake.test dup2.fake.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'dup.fake.test\t10\tMX1.FAKE.TEST\t127.0.0.1
dup.fake.test\t10\tMX1.FAKE.TEST\t127.0.0.2
dup.fake.test\t20\tmx2.fake.test\t127.0.0.3
dup.fake.test\t30\tmx1.fake.test\t127.0.0.1
dup.fake.test\t30\tmx1.fake.test\t127.0.0.2
dup2.fake.test\t10\tmx.dup2.fake.test\t127.0.0.4')" ]
	# the same for SRV and TXT records
	run --separate-stderr mxlookup -s "$FAKE" -S submission dup.fake.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '0\t1\t587\tmx1.fake.test')" ]
	run --separate-stderr mxlookup -s "$FAKE" --txt dup.fake.test
	kill "$FAKEPID"
	[ "$status" -eq 0 ]
	[ "$output" = "v=spf1 -all" ]
}

@test "a batch exits with DESIGN's worst outcome: a null MX (69) beats a timeout (75)" {
	fake_start
	run --separate-stderr mxlookup --timeout 0.2 -s "$FAKE" nullmx.fake.test silent.fake.test
	kill "$FAKEPID"
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	[ "$stderr" = "mxlookup: nullmx.fake.test: null MX (MX 0 .): the domain accepts no mail (RFC 7505)
mxlookup: silent.fake.test: no answer from the DNS server (timed out)" ]
}

@test "a TXT record of 204 000 bytes once escaped (fault-injecting fake) is printed whole, not cut at 64 KiB" {
	fake_start
	[ "$(fdig +short bigtxt.fake.test TXT | wc -c)" -gt 200000 ]
	run --separate-stderr mxlookup --txt -s "$FAKE" bigtxt.fake.test
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#output}" -eq 204000 ]
	[ "$output" = "$(printf '\\x01%.0s' $(seq 51000))" ]
	# the trace too: 200 quoted strings of 255 "\001" each
	run --separate-stderr mxlookup --trace --txt -s "$FAKE" bigtxt.fake.test
	[ "$(grep '^A: bigtxt' <<<"$stderr")" = "A: bigtxt.fake.test TXT $(for i in $(seq 200); do printf '"%s"' "$(printf '\\001%.0s' $(seq 255))"; [ $i -lt 200 ] && printf ' '; done) (ttl 300)" ]
	run --separate-stderr mxlookup -j --txt -s "$FAKE" bigtxt.fake.test
	kill "$FAKEPID"
	[ "$status" -eq 0 ]
	[ "$output" = "{\"name\":\"bigtxt.fake.test\",\"domain\":\"bigtxt.fake.test\",\"txt\":\"$(printf '\\u0001%.0s' $(seq 51000))\"}" ]
}
