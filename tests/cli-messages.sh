#!/bin/sh
# One message convention (mastrace(1), DIAGNOSTICS): "mastrace: COMMAND: ...",
# once; the --help pointer for usage errors only; standard output checked.
. "$TOP_SRCDIR/tests/lib.sh"

example="$TOP_SRCDIR/traces/examples/tiny.mtt"
run schedule -s mas -w b=1,h=1,q=64,k=64,d=64 -o "$TMP/p.mtr"
expect_status 0 "schedule a small plan"
run replay "$TMP/p.mtr" -o "$TMP/r.mtr"
expect_status 0 "replay it"

# a directory is named as one, by every command that reads a trace
mkdir "$TMP/dir"
for c in info stats verify replay export; do
	run $c "$TMP/dir"
	expect_status 1 "$c of a directory"
	expect_err_line "mastrace: $c: $TMP/dir: is a directory, expected a trace (.mtr or text)" "$c of a directory"
done
run convert "$TMP/dir" "$TMP/x.mtt"
expect_err_line "mastrace: convert: $TMP/dir: is a directory, expected a trace (.mtr or text)" "convert of a directory"
run npu check "$TMP/dir"
expect_err_line "mastrace: npu: $TMP/dir: is a directory, expected an NPU file (INI, see mastrace-npu(5))" "npu check of a directory"
run schedule --npu "$TMP/dir" -o "$TMP/x.mtr"
expect_err_line "mastrace: schedule: $TMP/dir: is a directory, expected an NPU file (INI, see mastrace-npu(5))" "--npu of a directory"

# usage errors carry the pointer to --help; errors in the data do not
run replay --window 0 "$TMP/p.mtr"
expect_err_line "mastrace: replay: --window: got '0', expected a number of instructions from 1 to 65536
Try 'mastrace replay --help' for more information." "a bad option value"
head -c 200 "$TMP/r.mtr" >"$TMP/cut.mtr"
run stats "$TMP/cut.mtr"
expect_status 1 "stats of a truncated trace"
case "$err" in
"mastrace: stats: $TMP/cut.mtr: "*) ;;
*) fail "truncated trace: message does not start with the command and the file: $err" ;;
esac
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "truncated trace: more than one line: $err"

# an ambiguous abbreviation is called ambiguous, an exact one works
run replay --no "$TMP/p.mtr"
expect_status 1 "replay --no"
expect_err_contains "mastrace: replay: option '--no' is ambiguous; it could be '--no-dram-sharing', '--no-port-sharing', '--no-capacity'" "ambiguous option"
run replay --no-c "$TMP/p.mtr" -o "$TMP/nc.mtr"
expect_status 0 "an unambiguous abbreviation"
run replay --bogus "$TMP/p.mtr"
expect_err_line "mastrace: replay: unknown option '--bogus'
Try 'mastrace replay --help' for more information." "unknown long option"

run help --help
expect_status 0 "help --help"
expect_out_contains "Usage: mastrace [--help]" "help --help"

# info --at on a corrupt block names the corruption, wherever it seeks
cp "$TMP/r.mtr" "$TMP/flip.mtr"
size=$(wc -c <"$TMP/flip.mtr")
printf '\125\125\125\125' | dd of="$TMP/flip.mtr" bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
run info --at 0 "$TMP/flip.mtr"
first="$err"
run info --at 30 "$TMP/flip.mtr"
expect_status 1 "info --at 30 of a corrupt trace"
case "$err" in
*"not found after seeking"*) fail "info --at 30 hides the corruption: $err" ;;
esac
[ "$err" = "$first" ] || fail "info --at 0 and --at 30 disagree on the corruption: '$first' vs '$err'"

# standard output is checked: a full disk is an error, not a success
if [ -w /dev/full ]; then
	for args in "stats $TMP/r.mtr" "stats --format json $TMP/r.mtr" "info $TMP/r.mtr" \
	    "npu list" "npu show edge" "workload list" "workload show bert-base" "--help" "--version" \
	    "help replay" "schedule --list" "replay $TMP/p.mtr -o $TMP/r2.mtr --stats text" "replay $TMP/p.mtr" "verify $TMP/p.mtr" \
	    "convert -f text $TMP/p.mtr -" "export -f csv -o - $TMP/r.mtr"; do
		checks=$((checks + 1))
		st=0
		# shellcheck disable=SC2086
		"$MASTRACE" $args >/dev/full 2>"$TMP/err" || st=$?
		[ "$st" -eq 1 ] || fail "'$args' to /dev/full: exit $st, expected 1"
		grep -q "No space left on device" "$TMP/err" || fail "'$args' to /dev/full: no message: $(cat "$TMP/err")"
		[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "'$args' to /dev/full: not one line: $(cat "$TMP/err")"
	done
	# diff's trouble is status 2, and one line too
	checks=$((checks + 1))
	st=0
	"$MASTRACE" diff "$TMP/r.mtr" "$TMP/r.mtr" >/dev/full 2>"$TMP/err" || st=$?
	[ "$st" -eq 2 ] || fail "diff to /dev/full: exit $st, expected 2"
	[ "$(cat "$TMP/err")" = "mastrace: diff: standard output: write error: No space left on device" ] ||
		fail "diff to /dev/full: $(cat "$TMP/err")"
else
	echo "no writable /dev/full: standard output checks skipped"
fi

# a tiling value beyond the problem is clipped, and the message says so
printf '[npu]\nbase = edge\nname = nol0\n[l0]\na_kib = 0\nb_kib = 0\nc_kib = 0\n' >"$TMP/nol0.ini"
run schedule --npu "$TMP/nol0.ini" -t rows=1000000 -o "$TMP/x.mtr"
expect_status 1 "rows=1000000 without L0"
expect_err_contains "with rows clipped to the 512 queries), the NPU has 262144" "the L1 message names the clipping"
run schedule -t cols=1000000 -o "$TMP/x.mtr"
expect_err_contains "with 512 cols as used" "the L0 message gives the tiles used"

# replay names a corrupt input once
head -c 300 "$TMP/r.mtr" >"$TMP/cut2.mtr"
run replay "$TMP/cut2.mtr" -o "$TMP/x.mtr"
expect_status 1 "replay of a truncated trace"
[ "$(printf '%s\n' "$err" | grep -o "cut2.mtr" | wc -l)" -eq 1 ] || fail "replay names the file more than once: $err"
[ ! -e "$TMP/x.mtr" ] || fail "a failed replay left its output"

finish
