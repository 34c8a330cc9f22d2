#!/bin/sh
# verify at scale: spilling replays verify, limits come from the header,
# threads do not change the outcome, progress only on a terminal.
. "$TOP_SRCDIR/tests/lib.sh"

run schedule -s mas -w b=1,h=2,q=256,k=256,d=64 -o "$TMP/mas.mtr"
expect_status 0 "schedule a small MAS"
run npu show edge
printf '%s\n' "$out" | sed 's/^capacity_kib = .*/capacity_kib = 32/' >"$TMP/small-l1.ini"
run replay "$TMP/mas.mtr" --npu "$TMP/small-l1.ini" -o "$TMP/spilled.mtt" --stats text
expect_status 0 "replay on a small L1"
case "$out" in
*"spills        0 spills"*) fail "the small L1 made no spills: the test needs them: $out" ;;
esac
run verify "$TMP/spilled.mtt"
expect_status 0 "a spilling replay verifies"
expect_out_contains "$TMP/spilled.mtt: ok:" "a spilling replay verifies"

# a fill that reads another spill's slot computes the wrong thing, and fails
first=$(grep -m1 ' op=fill ' "$TMP/spilled.mtt" | sed 's/.* src=dram:\([0-9]*\)+.*/\1/')
other=$(grep ' op=spill ' "$TMP/spilled.mtt" | sed 's/.* dst=dram:\([0-9]*\)+.*/\1/' | grep -v "^$first\$" | head -n 1)
[ -n "$first" ] && [ -n "$other" ] || fail "no fill or no second spill slot in the replay"
awk -v a="src=dram:$first+" -v b="src=dram:$other+" '
	!done && / op=fill / { i = index($0, a); if (i) { $0 = substr($0, 1, i - 1) b substr($0, i + length(a)); done = 1 } }
	{ print }' "$TMP/spilled.mtt" >"$TMP/wrong-fill.mtt"
run verify "$TMP/wrong-fill.mtt"
checks=$((checks + 1))
case "$status:$err" in
1:*"FAILED"*|1:*"region holds"*) ;;
*) fail "a fill from the wrong spill slot was not caught (status $status): $err" ;;
esac

# the outcome does not depend on the number of threads
run verify --threads 1 --orders 5 "$TMP/spilled.mtt"
one="$out"
run verify --threads 3 --orders 5 "$TMP/spilled.mtt"
[ "$out" = "$one" ] || fail "verify with 1 and 3 threads differ: '$one' vs '$out'"
run verify --threads 0 "$TMP/mas.mtr"
expect_err_line "mastrace: verify: --threads: got '0', expected an integer from 1 to 64
Try 'mastrace verify --help' for more information." "--threads 0"

# a workload too big for memory is refused from the header, before the instructions
sed 's/^#!workload = .*/#!workload = b=64,h=64,q=65536,k=65536,dqk=128,dv=128,bytes=2,causal=0/' \
    "$TOP_SRCDIR/traces/examples/tiny.mtt" >"$TMP/huge.mtt"
printf 'this line is not an instruction\n' >>"$TMP/huge.mtt"
run verify --max-work 1E "$TMP/huge.mtt"
expect_status 1 "a huge workload"
expect_err_contains "as fp32, the limit is 1.0 GiB" "a huge workload is refused from its header"
case "$err" in
*"not an instruction"*|*":10:"*) fail "verify read the instructions before refusing: $err" ;;
esac

# progress: a line on a terminal, none when stderr is a file or with -q
run verify "$TMP/mas.mtr"
[ -z "$err" ] || fail "verify wrote to stderr that is not a terminal: $err"
if command -v script >/dev/null 2>&1; then
	checks=$((checks + 1))
	MASTRACE_PROGRESS_DELAY=0 script -qec "'$MASTRACE' verify --orders 2 '$TMP/mas.mtr'" /dev/null \
	    >"$TMP/tty" 2>&1 </dev/null || true
	grep -q "mastrace: verify: .* instructions executed" "$TMP/tty" ||
	    fail "no progress line on a terminal: $(cat "$TMP/tty")"
	grep -q "ok:" "$TMP/tty" || fail "verify on a terminal did not finish: $(cat "$TMP/tty")"
	MASTRACE_PROGRESS_DELAY=0 script -qec "'$MASTRACE' verify -q --orders 2 '$TMP/mas.mtr'" /dev/null \
	    >"$TMP/tty" 2>&1 </dev/null || true
	! grep -q "instructions executed" "$TMP/tty" || fail "verify -q showed progress"
else
	echo "no script(1): the terminal checks are skipped"
fi

finish
