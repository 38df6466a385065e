# The helpers of popfetch_safety.bats and popfetch_crash.bats: the lab
# user alice's mailbox (tests/lab/popbox.py), the messages, and the
# kill -9 loop of the crash cases (crash).  Load after lab/labtest.
#
# POPFETCH_CRASH_KILLS (default 50) is the number of kill -9 per crash
# case, POPFETCH_CRASH_SEED (default: random, printed) their delays' seed.

TESTS=${YUBIN_TESTS:-$BATS_TEST_DIRNAME}

setup() {
	lab_env
	T=$BATS_TEST_TMPDIR
	# no accounts file, state or Maildir of the machine's user may interfere
	export XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state HOME=$T
	export YUBIN_PASSWORD=alicepw
	unset MAILDIR
	POP3S=(-S "pop3s://127.0.0.1:$LAB_POP3S_PORT" --cacert "$LAB_CA" -u alice)
	# STLS through the delay proxy: every round trip costs 50 ms
	SLOW=(-S "pop3://127.0.0.1:$LAB_DELAY_POP3_PORT" --cacert "$LAB_CA" -u alice)
	# clear text through the fault proxy (it reads the commands)
	CLEAR=(--starttls=no --allow-plaintext -u alice)
	MOUNTED=
	popbox clear alice
}

teardown() {
	[ -z "$MOUNTED" ] || umount "$MOUNTED" 2>/dev/null || true
}

# popfetch bounded in time: a hang fails the case instead of the suite
pf() {
	timeout -s KILL 300 popfetch "$@"
}

popbox() {
	python3 "$TESTS/lab/popbox.py" "$@"
}

maildir() {
	mkdir -p "$1/cur" "$1/new" "$1/tmp"
}

# msgs NAME N [genmsgs options]: the messages, made once per file, in
# $BATS_FILE_TMPDIR/NAME; and the server's view of them (a dump after a
# fill of exactly these) in $BATS_FILE_TMPDIR/NAME.exp.  The mailbox is
# left empty.
msgs() {
	local d=$BATS_FILE_TMPDIR/$1 n=$2
	shift 2
	if [ ! -d "$d.exp" ]; then
		python3 "$TESTS/data/popfetch/genmsgs.py" "$d" "$n" "$@"
		popbox clear alice
		popbox fill alice "$d"
		popbox dump alice "$d.tmp"
		popbox clear alice
		[ "$(ls "$d.tmp" | wc -l)" -eq "$n" ]
		mv "$d.tmp" "$d.exp"
	fi
	M=$d EXP=$d.exp
}

# the UIDLs the server holds, in $T/NAME
held() {
	popbox uidls alice >"$T/$1"
}

# ---------------------------------------------------------------------
# Crash safety: kill -9 at random instants, then a run to completion

# what the crash destination holds, in short: its file count or size
dest_sig() {
	case $1 in
	m) stat -c %s "$T/dest" ;;
	*) find "$T/dest/new" "$T/dest/cur" -type f | wc -l ;;
	esac
}

# crash KIND [-k]: POPFETCH_CRASH_KILLS kills of popfetch fetching 100
# messages through the delay proxy into a destination of KIND (d
# Maildir, m mbox, p "maildeliver" as the -p command), each kill after
# a random delay within the time of a whole uninterrupted run; after
# each kill the next run starts, until one finishes (exit 0).  Then the
# destination must hold each message exactly once, and the server none
# of them (or, with -k, all of them); a further run fetches nothing.
crash() {
	local kind=$1 keep=${2:-} kills=${POPFETCH_CRASH_KILLS:-50}
	local seed=${POPFETCH_CRASH_SEED:-$RANDOM} n=0 round=0 d rc t0 full= pid sig dups=0
	RANDOM=$seed
	echo "crash $kind $keep: seed $seed (POPFETCH_CRASH_SEED)"
	msgs plain100 100 --plain
	while [ $n -lt "$kills" ] || [ $round -eq 0 ]; do
		round=$((round + 1))
		popbox clear alice
		popbox fill alice "$M"
		held before
		rm -rf "$T/dest" "$T/st" "$T/mda.lock"
		case $kind in
		d) maildir "$T/dest"; DEST=(-d "$T/dest"); CHECK=(maildir "$T/dest") ;;
		m) : >"$T/dest"; DEST=(-m "$T/dest"); CHECK=(mbox "$T/dest") ;;
		p) maildir "$T/dest"; CHECK=(maildir "$T/dest" ${ONCE:-})
		   DEST=(-p "flock -s $T/mda.lock maildeliver $T/dest") ;;
		esac
		t0=$(date +%s%N)
		while :; do
			rc=0
			if [ -z "$full" ]; then
				pf "${SLOW[@]}" $keep --state "$T/st" "${DEST[@]}" 2>"$T/err" || rc=$?
				[ $rc -ne 137 ] || { echo "round $round: hung for 300 s"; return 1; }
			else
				popfetch "${SLOW[@]}" $keep --state "$T/st" "${DEST[@]}" \
					2>"$T/err" 3>&- &
				pid=$!
				d=$((RANDOM * full / 32767))
				sleep "$((d / 1000)).$(printf %03d $((d % 1000)))"
				kill -9 $pid 2>/dev/null || true
				wait $pid || rc=$?
			fi
			# an MDA the killed run left behind finishes first
			flock -x "$T/mda.lock" true
			[ $rc -ne 137 ] || { n=$((n + 1)); echo "round $round: killed after $d ms"; continue; }
			[ $rc -eq 0 ] || { echo "round $round: exit $rc:"; cat "$T/err"; return 1; }
			break
		done
		# the first round is the uninterrupted run that times a whole one
		[ -n "$full" ] || full=$((($(date +%s%N) - t0) / 1000000))
		echo "round $round: finished; $n kills so far; a whole run $full ms"
		popbox check "$EXP" "${CHECK[@]}" >"$T/check" || {
			cat "$T/check"
			echo "round $round: the destination is wrong; the server holds $(popbox uidls alice | wc -l) of 100"
			cp -r "$T/st" "$T/dest" "$BATS_FILE_TMPDIR/" 2>/dev/null
			echo "state file and destination kept in $BATS_FILE_TMPDIR"
			return 1
		}
		dups=$((dups + $(grep -c '^duplicate-allowed' "$T/check" || true)))
		held after
		if [ -n "$keep" ]; then
			cmp "$T/before" "$T/after" || { echo "round $round: -k, yet the server lost messages"; return 1; }
		else
			[ ! -s "$T/after" ] || { echo "round $round: the server still holds:"; cat "$T/after"; return 1; }
		fi
		# nothing more to fetch
		sig=$(dest_sig "$kind")
		run -0 pf "${SLOW[@]}" $keep --state "$T/st" "${DEST[@]}"
		flock -x "$T/mda.lock" true
		[ "$(dest_sig "$kind")" = "$sig" ] || { echo "round $round: a run after the last fetched again"; return 1; }
	done
	echo "# crash $kind $keep: $n kills in $round rounds of 100 messages, $dups duplicates (seed $seed)" >&3
}
