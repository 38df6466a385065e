# For the bats files that run against the mail lab (tests/lab/lab):
#
#	load lab/labtest
#	setup_file()    { lab_start 20000 21000 22000; }
#	teardown_file() { lab_stop; }
#	setup()         { lab_env; ... }
#
# Each BASE holds the lab's ports, BASE+25 to BASE+1999 (tests/lab/lab
# ports()).  Keep the bases below 30768, out of Linux's ephemeral range
# (32768-60999): an outgoing connection may take any port there between
# lab start's check and the servers' bind.
#
# One lab per file.  Needs root and the server packages (tests/deps
# installs them); without them every case is skipped and says why.

LAB=${YUBIN_TESTS:-$BATS_TEST_DIRNAME}/lab/lab

# lab_start BASE...: start a lab on the first port base whose ports are
# all free (lab start exits 3 when one is busy: another lab may be
# running), and export LAB_DIR.
lab_start() {
	local b rc=3
	for b in dovecot postfix nsd; do
		[ -x /usr/sbin/$b ] || skip "lab: /usr/sbin/$b missing (run tests/deps as root)"
	done
	[ "$(id -u)" = 0 ] || skip "lab: needs root"
	# the run's own record of the labs it starts: a "lab stop" without
	# DIR elsewhere must never find them
	export LAB_STATE=$BATS_FILE_TMPDIR/lab.state
	for b in "$@"; do
		rc=0
		LAB_PORT_BASE=$b "$LAB" start >"$BATS_FILE_TMPDIR/start.out" 2>&1 || rc=$?
		[ $rc = 3 ] || break
	done
	[ $rc = 0 ] || { cat "$BATS_FILE_TMPDIR/start.out" >&3; return 1; }
	LAB_DIR=$(sed -n 's/^lab: running in //p' "$BATS_FILE_TMPDIR/start.out")
	export LAB_DIR
}

lab_stop() {
	[ -n "${LAB_DIR:-}" ] || return 0
	"$LAB" stop "$LAB_DIR"
	rm -rf "$LAB_DIR"
}

# The lab's ports and paths (LAB_*) into the test's environment.
lab_env() {
	set -a
	. "$LAB_DIR/env"
	set +a
}

# wait_for N: wait until N messages with Subject $ID are stored in the
# lab; print their paths, sorted.  Call it after the sender (mailsend,
# maildeliver's sendmail) has ended: what it sent has had its 250, so it
# is in Postfix's queue or, stored before it leaves the queue, in the
# store.  So once the queue is seen empty, one more look at the store is
# the last: a sender that sent nothing costs no 10 s wait (with mail
# left in the queue, 10 s as before).
wait_for() {
	local n=$1 f empty
	for _ in $(seq 200); do
		empty=
		queued >/dev/null || empty=1
		f=$(grep -l "^Subject: $ID\$" "$LAB_STORE"/new/* 2>/dev/null | sort || true)
		[ -n "$f" ] && [ "$(echo "$f" | wc -l)" -ge "$n" ] && break
		[ -z "$empty" ] || break
		sleep 0.05
	done
	echo "$f"
}

# queued: a file of Postfix's queue, if there is one (status 0)
queued() {
	local q=$LAB_DIR/postfix/queue
	find "$q/maildrop" "$q/incoming" "$q/active" "$q/deferred" "$q/hold" \
		-type f -print -quit 2>/dev/null | grep .
}
