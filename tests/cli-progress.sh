#!/bin/sh
# Long runs: a progress line on a terminal for schedule, replay, convert,
# export and verify (none in a pipe or with -q); schedule's size estimate,
# its warning, and text to a terminal refused without --force.
. "$TOP_SRCDIR/tests/lib.sh"

if ! command -v script >/dev/null 2>&1; then
	echo "no script(1) to make a terminal: skipped"
	exit 77
fi

# on_tty FILE ARGS...: run mastrace with a terminal as stdout and stderr
on_tty() {
	f=$1
	shift
	# shellcheck disable=SC2145
	MASTRACE_PROGRESS_DELAY=0 script -qec "'$MASTRACE' $*" /dev/null >"$f" 2>&1 </dev/null || true
}

run schedule -s flash -w llama3-8b -t rows=80,cols=64,kv=stream -q -o "$TMP/f.mtr"
expect_status 0 "schedule a trace of 783 k instructions"
[ -z "$err" ] || fail "schedule -q wrote to stderr: $err"

on_tty "$TMP/tty" schedule -s flash -w llama3-8b -t rows=80,cols=64,kv=stream -o "'$TMP/g.mtr'"
grep -q "mastrace: schedule: .* of 78[0-9],[0-9]* instructions" "$TMP/tty" ||
    fail "schedule: no progress line with the estimated total: $(tr '\r' '\n' <"$TMP/tty" | head -3)"
"$MASTRACE" convert "$TMP/f.mtr" - | grep -v '^#!command' >"$TMP/f.txt"
"$MASTRACE" convert "$TMP/g.mtr" - | grep -v '^#!command' >"$TMP/g.txt"
cmp -s "$TMP/f.txt" "$TMP/g.txt" || fail "schedule on a terminal wrote a different trace"
on_tty "$TMP/tty" replay "'$TMP/f.mtr'" -o "'$TMP/r.mtr'"
grep -q "mastrace: replay: .* of 783,320 instructions" "$TMP/tty" || fail "replay: no progress line"
on_tty "$TMP/tty" convert "'$TMP/r.mtr'" "'$TMP/r.mtt'"
grep -q "mastrace: convert: .* of 783,320 instructions" "$TMP/tty" || fail "convert: no progress line"
on_tty "$TMP/tty" export "'$TMP/r.mtr'" -o "'$TMP/r.csv'"
grep -q "mastrace: export: .* of 1,566,640 instructions read" "$TMP/tty" ||
    fail "export: no progress line over both passes"
on_tty "$TMP/tty" export -q "'$TMP/r.mtr'" -o "'$TMP/r2.csv'"
! grep -q "mastrace: export: .* instructions read (" "$TMP/tty" || fail "export -q showed progress"
cmp -s "$TMP/r.csv" "$TMP/r2.csv" || fail "progress changed the export"
# the line is erased before the summary, which starts a line of its own
tr '\r' '\n' <"$TMP/tty" | grep -q '^.*r2.csv: .* slices' || fail "export's summary is not on a line of its own"

# not a terminal: nothing but the summary
run replay "$TMP/f.mtr" -o "$TMP/r3.mtr"
[ -z "$err" ] || fail "replay in a pipe wrote to stderr: $err"

# text to a terminal is refused above 10,000 instructions, written with --force
on_tty "$TMP/tty" schedule -w b=1,h=24,q=512,k=512,d=64 -o -
grep -q "mastrace: schedule: about 1[0-9],[0-9]* instructions (.* of text) would go to the terminal; write them to a file (-o plan.mtr), pipe them, or pass --force" "$TMP/tty" ||
    fail "large text to a terminal was not refused: $(head -c 300 "$TMP/tty")"
! grep -q "^id=" "$TMP/tty" || fail "the refused text was written anyway"
on_tty "$TMP/tty" schedule -w b=1,h=24,q=512,k=512,d=64 -o - --force
[ "$(grep -c "^id=" "$TMP/tty")" -gt 10000 ] || fail "--force did not write the text"
run schedule -w b=1,h=24,q=512,k=512,d=64 -o -
expect_status 0 "large text to a pipe"

# a trace past what verify can hold is announced before it is written: the
# run is stopped once the warning is out (or, if it never comes, after ten
# minutes), so that a slow sanitizer build takes as long as it needs
"$MASTRACE" schedule -s flash -w llama3-8b --seq 32768 -t rows=80,cols=64,kv=stream -o "$TMP/big.mtr" \
    >/dev/null 2>"$TMP/err" &
big=$!
i=0
while [ $i -lt 6000 ] && kill -0 "$big" 2>/dev/null && ! grep -q "warning:" "$TMP/err"; do
	sleep 0.1
	i=$((i + 1))
done
kill "$big" 2>/dev/null
wait "$big" 2>/dev/null
checks=$((checks + 1))
grep -q "mastrace: schedule: warning: about 47,27[0-9],[0-9]* instructions, about [0-9.]* MiB of .mtr" "$TMP/err" ||
    fail "no warning before a 47 M-instruction trace: $(cat "$TMP/err")"
rm -f "$TMP/big.mtr"

# schedule's summary as JSON
run schedule -s flat -w bert-base --format json -o "$TMP/j.mtr"
expect_out_contains '"scheduler": "flat"' "schedule --format json"
if command -v python3 >/dev/null 2>&1; then
	printf '%s\n' "$out" | python3 -c 'import json, sys; d = json.load(sys.stdin); assert d["instructions"] > 0' ||
	    fail "schedule --format json is not JSON with instructions"
fi

finish
