#!/bin/sh
# mastrace view, the plain-text timeline: golden files for a hand-written and
# a scheduled trace (whole and windowed, planned and replayed), the sums it
# prints against mastrace stats, and every bad input.  Run with
# MASTRACE_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate
# change of the timing model or of the layout.
. "$TOP_SRCDIR/tests/lib.sh"

golden="$TOP_SRCDIR/tests/golden"
cd "$TMP" || exit 99

# same NAME ARGS...: "mastrace view ARGS" prints tests/golden/view-NAME.txt
same() {
	name=$1
	shift
	run view -q "$@"
	expect_status 0 "view $*"
	printf '%s\n' "$out" >"view-$name.txt"
	if [ -n "${MASTRACE_UPDATE_GOLDEN:-}" ]; then
		cp "view-$name.txt" "$golden/view-$name.txt"
	elif ! cmp -s "view-$name.txt" "$golden/view-$name.txt"; then
		fail "view $*: differs from tests/golden/view-$name.txt"
		diff -u "$golden/view-$name.txt" "view-$name.txt" | head -20
	fi
}

"$MASTRACE" replay -q "$TOP_SRCDIR/traces/examples/tiny.mtt" -o tiny.r.mtr >/dev/null ||
    { fail "replay tiny"; finish; }
"$MASTRACE" convert "$TOP_SRCDIR/traces/examples/tiny.mtt" tiny.mtr >/dev/null
"$MASTRACE" schedule -q -s mas -w bert-base,b=1,h=1 -o mas.mtr >/dev/null &&
    "$MASTRACE" replay -q mas.mtr -o mas.r.mtr >/dev/null || { fail "schedule mas"; finish; }

same tiny --width 40 tiny.r.mtr
same tiny-planned --width 40 tiny.mtr
same mas --width 80 mas.r.mtr
same mas-window --width 60 --from 5us --to 9000 mas.r.mtr

# a pipe is not a terminal: the same text
"$MASTRACE" view -q --width 40 tiny.r.mtr | cat >piped.txt
cmp -s piped.txt view-tiny.txt || fail "view | cat differs from view"

# the whole window's utilisation is each unit's occupied time over the makespan
run view -q --width 50 mas.r.mtr
span=$(printf '%s\n' "$out" | sed -n 's/.*makespan \([0-9,]*\) cycles.*/\1/p' | tr -d ,)
"$MASTRACE" info --format json mas.r.mtr >info.json 2>/dev/null
if command -v python3 >/dev/null 2>&1; then
	printf '%s\n' "$out" >whole.txt
	python3 - whole.txt mas.r.mtr "$MASTRACE" "$span" <<'PY' || fail "view's utilisation"
import subprocess, sys
text, trace, mastrace, span = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rows = {}
for line in open(text):
    parts = line.split()
    if len(parts) > 2 and parts[1].endswith("%") and "|" in line:
        rows[parts[0]] = float(parts[1][:-1])
conv = subprocess.run([mastrace, "convert", trace, "-"], capture_output=True, text=True).stdout
occupied = {}
for line in conv.splitlines():
    if line.startswith("#"):
        continue
    f = dict(kv.split("=", 1) for kv in line.split())
    if f["op"] in ("alloc", "free", "overwrite", "barrier"):
        continue
    a, b = map(int, f["rep"].split("-"))
    occupied[f["unit"]] = occupied.get(f["unit"], 0) + (b - a)
assert set(rows) == set(occupied), (rows, occupied)
for u, c in occupied.items():
    assert abs(rows[u] - 100.0 * c / span) < 0.06, (u, rows[u], 100.0 * c / span)
PY
fi

# bad input: one message, exit 1
run view
expect_status 1 "view without a trace"
expect_err_contains "expected one TRACE" "view without a trace"
run view absent.mtr
expect_status 1 "view of a missing trace"
expect_err_contains "absent.mtr" "view of a missing trace"
head -c 200 mas.r.mtr >cut.mtr
run view cut.mtr
expect_status 1 "view of a truncated trace"
expect_err_contains "cut.mtr" "view of a truncated trace"
run view --width 5 mas.r.mtr
expect_status 1 "view --width 5"
expect_err_contains "--width: got '5', expected an integer from 10 to 10000" "view --width 5"
run view --from 9000 --to 5000 mas.r.mtr
expect_status 1 "view with an empty window"
expect_err_contains "the window is empty" "view with an empty window"
run view --from 5parsecs mas.r.mtr
expect_status 1 "view --from 5parsecs"
run view --bogus mas.r.mtr
expect_status 1 "view --bogus"
# --live: what to replay is checked before the terminal is touched
run view --live --batch "" -t rows=9999,cols=9999
expect_status 1 "view --live with a tiling that does not fit"
expect_err_contains "L0B needs" "view --live with a tiling that does not fit"
run view --live --batch "" -s foo
expect_status 1 "view --live -s foo"
run view --live mas.r.mtr
expect_status 1 "view --live with a trace"
expect_err_contains "--live replays in memory: it takes no TRACE" "view --live with a trace"
run view -s mas mas.r.mtr
expect_status 1 "view -s without --live"
run view --live
expect_status 1 "view --live in a pipe"
expect_err_contains "--live draws in a terminal" "view --live in a pipe"
run view --live --batch "l+-0]][ " -w bert-base,b=1,h=1
expect_status 0 "view --live --batch"
expect_out_contains "frames 9," "view --live --batch"
run view --batch "l+++hh0GgLH/jjkk?xcmM" mas.r.mtr tiny.r.mtr
expect_status 0 "view --batch with two traces"

for f in "$TOP_SRCDIR"/tests/bad-trace/*.mt?; do
	run view -q "$f"
	[ "$status" -le 1 ] || fail "view $f: exit status $status"
	[ "$status" -eq 0 ] || [ -n "$err" ] || fail "view $f: failed without a message"
done

finish
