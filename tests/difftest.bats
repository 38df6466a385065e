#!/usr/bin/env bats
# Differential test: hdrparse against Python's email package
# (email.policy.default) on messages from a seeded generator.
#   DIFFTEST_SEED, DIFFTEST_N   try other seeds or sizes (default 20250407, 600)
# What is generated, and which shapes are left out because Python gets them
# wrong, is in difftest/gen.py; those shapes are tested in hdrparse.bats.

bats_require_minimum_version 1.5.0

setup() {
	D=$BATS_TEST_TMPDIR/msgs
	python3 "$YUBIN_TESTS/difftest/gen.py" "${DIFFTEST_SEED:-20250407}" \
	    "${DIFFTEST_N:-600}" "$D"
}

@test "difftest: Subject, To/Cc addresses and Date agree with Python" {
	python3 "$YUBIN_TESTS/difftest/oracle.py" "$D" > "$D.want"
	{
		echo '# subject'
		hdrparse -H -h subject "$D"/*.eml
		echo '# addr'
		hdrparse -H -A -h to:cc "$D"/*.eml
		echo '# date'
		hdrparse -H -D -h date "$D"/*.eml
	} > "$D.got"
	# the comparison must have something to compare
	[ "$(grep -c . "$D.want")" -gt 2000 ]
	if ! cmp -s "$D.want" "$D.got"; then
		echo "hdrparse (>) differs from Python (<):"
		diff "$D.want" "$D.got" | head -30
		echo "($(diff "$D.want" "$D.got" | grep -c '^<') lines differ)"
		return 1
	fi
}
