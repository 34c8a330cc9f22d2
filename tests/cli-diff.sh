#!/bin/sh
# mastrace diff: exit statuses like diff(1), the signs of MAS against FLAT,
# the alignment, the three report formats, the combined Perfetto trace and
# every kind of trouble.
. "$TOP_SRCDIR/tests/lib.sh"

CHECK="$TOP_BUILDDIR/tests/pf-check"
w=bert-base,b=1,h=2

# replayed SCHED [TILING]: plan and replay on $w into $TMP/SCHED.r.mtr
replayed() {
	"$MASTRACE" schedule -q -s "$1" -w "$w" ${2:+-t "$2"} -o "$TMP/$1.mtr" >/dev/null &&
	    "$MASTRACE" replay -q "$TMP/$1.mtr" -o "$TMP/$1.r.mtr" >/dev/null ||
	    { fail "cannot schedule and replay $1"; finish; }
}
replayed mas rows=48
replayed flat rows=80

# a trace against itself: equivalent, every block the same
run diff "$TMP/mas.r.mtr" "$TMP/mas.r.mtr"
expect_status 0 "diff of a trace with itself"
expect_out_contains "first divergence: none" "diff of a trace with itself"
case "$out" in *"
equivalent") ;; *) fail "diff of a trace with itself does not end with 'equivalent'" ;; esac

# MAS against FLAT: they differ; FLAT is slower and overlaps nothing
run diff "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 1 "diff MAS FLAT"
expect_out_contains "aligned by blocks of 240 query rows (A's row blocks: 48, B's: 80)" \
    "the coarsest common granularity of rows 48 and 80"
expect_out_contains "first divergence: b0 h0 rows 0-239" "the first divergence"
expect_out_contains "b0 h1 k,v" "K and V transfers by head"
run diff --format csv "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 1 "diff --format csv"
printf '%s\n' "$out" >"$TMP/d.csv"
# figure A B: a summary figure's two values
fig() {
	awk -F, -v n="$1" -v u="$2" '$2 == n && $3 == u { print $4, $5 }' "$TMP/d.csv"
}
set -- $(fig makespan cycles)
[ $# -eq 2 ] && [ "$2" -gt "$1" ] || fail "FLAT's makespan is not above MAS's: $*"
set -- $(fig "mac||vec overlap" cycles)
[ $# -eq 2 ] && [ "$1" -gt 0 ] && [ "$2" -eq 0 ] ||
    fail "MAS overlaps MAC and VEC and FLAT does not: got $*"
# the same work: matmul MACs, DRAM traffic, the count of row blocks' stores
set -- $(fig "dram read" bytes)
[ $# -eq 2 ] && [ "$1" -eq "$2" ] || fail "resident K and V read the same bytes in both: $*"
# the figures agree with mastrace stats of each trace
for s in mas flat; do
	"$MASTRACE" stats "$TMP/$s.r.mtr" | ungroup >"$TMP/$s.stats"
done
a=$(sed -n 's/^makespan  *\([0-9]*\) cycles.*/\1/p' "$TMP/mas.stats")
b=$(sed -n 's/^makespan  *\([0-9]*\) cycles.*/\1/p' "$TMP/flat.stats")
set -- $(fig makespan cycles)
[ "$1" = "$a" ] && [ "$2" = "$b" ] || fail "diff's makespans $* are not stats' $a $b"
# the per-operation table: the op rows add up to each trace's busy + stretched time
awk -F, '$1 == "op" && $3 == "count" { split($2, k, " "); if (k[1] == "mac") n += $4 }
    END { if (n == 0) exit 1 }' "$TMP/d.csv" || fail "no MAC operations in the table"
# every block's rows lie inside the query length and blocks cover each head
awk -F, '$1 == "block" { n++ } END { if (n != 2 * 4) exit 1 }' "$TMP/d.csv" ||
    fail "expected 4 aligned blocks per head (3 of rows, 1 of K and V) for 2 heads"

# JSON parses and says the same
run diff --format json "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 1 "diff --format json"
printf '%s\n' "$out" >"$TMP/d.json"
# whole units are whole numbers, never rounded to six digits (6 heads read 1.2 MB)
"$MASTRACE" schedule -q -s mas -w bert-base,h=6 -o "$TMP/h6.mtr" >/dev/null &&
	"$MASTRACE" replay -q "$TMP/h6.mtr" -o "$TMP/h6.r.mtr" >/dev/null
run diff --format json "$TMP/h6.r.mtr" "$TMP/h6.r.mtr"
case "$out" in
*'"name": "dram read", "unit": "bytes", "a": 1179648, "b": 1179648, "diff": 0}'*) ;;
*) fail "diff's JSON: the DRAM bytes read are not 1179648: $(printf '%s\n' "$out" | grep 'dram read')" ;;
esac
grep '"unit": "\(cycles\|bytes\|count\)"' "$TMP/d.json" | grep -q 'e+' &&
	fail "diff's JSON rounds cycles or bytes: $(grep 'e+' "$TMP/d.json" | head -n 1)"
grep '^\(time\|unit\|stall\|dram\|l1\|spill\),[^,]*,\(cycles\|bytes\|count\),' "$TMP/d.csv" | grep -q 'e+' &&
	fail "diff's CSV rounds cycles or bytes"
if command -v python3 >/dev/null 2>&1; then
	python3 - "$TMP/d.json" <<'PY' || fail "diff's JSON"
import json, sys
d = json.load(open(sys.argv[1]))
m = {(x["name"], x["unit"]): x for x in d["metrics"]}
assert d["equivalent"] is False
assert d["speedup"] < 1, d["speedup"]
mk = m[("makespan", "cycles")]
assert abs(d["speedup"] - mk["a"] / mk["b"]) < 1e-3
assert d["a"]["scheduler"] == "mas" and d["b"]["scheduler"] == "flat"
assert d["alignment"]["rows"] == 240
assert d["alignment"]["first_divergence"] == "b0 h0 rows 0-239"
assert len(d["alignment"]["blocks"]) == 8
for b in d["alignment"]["blocks"]:
    for s in "ab":
        assert b[s]["start"] <= b[s]["end"] <= mk[s]
assert sum(o["count_a"] for o in d["ops"] if o["op"] == "matmul") > 0
PY
fi

# tolerance: 100% makes any two schedules of one workload equivalent
run diff --tolerance 100 "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 0 "--tolerance 100"

# --fail-if-slower gates on B's time only, in both directions
run diff --fail-if-slower 10 "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 1 "FLAT more than 10% slower than MAS"
run diff --fail-if-slower 1000 "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 0 "FLAT within 1000% of MAS"
run diff --fail-if-slower 0 "$TMP/flat.r.mtr" "$TMP/mas.r.mtr"
expect_status 0 "MAS no slower than FLAT"
run diff --fail-if-slower 0 "$TMP/mas.r.mtr" "$TMP/mas.r.mtr"
expect_status 0 "a trace is not slower than itself"

# the combined Perfetto trace: both schedules, one axis, passes the checker
run diff -o "$TMP/both.pftrace" "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 1 "diff -o"
if [ -x "$CHECK" ]; then
	"$CHECK" "$TMP/both.pftrace" >"$TMP/check" 2>&1 || fail "combined trace: $(cat "$TMP/check")"
	grep -q "^track A: mas " "$TMP/check" || fail "combined trace lacks A's root track"
	grep -q "^track B: flat " "$TMP/check" || fail "combined trace lacks B's root track"
	grep -q "^track MAC work done, A ahead of B|counter .* counters 1024 " "$TMP/check" ||
	    fail "combined trace lacks the running difference"
	[ "$(grep -c '^track mac|slices' "$TMP/check")" -eq 2 ] || fail "combined trace: two mac tracks"
fi
run diff -o "$TMP/both.pftrace.gz" "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 1 "diff -o .gz"
if [ -x "$CHECK" ]; then
	"$CHECK" "$TMP/both.pftrace.gz" >"$TMP/check" 2>&1 ||
	    fail "compressed combined trace: $(cat "$TMP/check")"
fi

# trouble: exit 2, one line, nothing left behind
"$MASTRACE" schedule -q -s mas -w bert-base,b=1,h=1 -o "$TMP/one.mtr" >/dev/null
"$MASTRACE" replay -q "$TMP/one.mtr" -o "$TMP/one.r.mtr" >/dev/null
run diff "$TMP/mas.r.mtr" "$TMP/one.r.mtr"
expect_status 2 "two workloads"
expect_err_contains "are schedules of different computations: workload b=1,h=2," "two workloads"
expect_err_contains "against b=1,h=1," "two workloads"
run diff "$TMP/mas.r.mtr" "$TMP/mas.mtr"
expect_status 2 "a plan, not replayed"
expect_err_line "mastrace: diff: $TMP/mas.mtr: instruction 0 is not replayed; run 'mastrace replay' first" \
    "a plan, not replayed"
run diff "$TMP/mas.r.mtr" "$TMP/absent.mtr"
expect_status 2 "a missing trace"
expect_err_contains "$TMP/absent.mtr" "a missing trace"
head -c 300 "$TMP/flat.r.mtr" >"$TMP/cut.mtr"
run diff "$TMP/mas.r.mtr" "$TMP/cut.mtr"
expect_status 2 "a truncated trace"
expect_err_contains "$TMP/cut.mtr" "a truncated trace"
run diff "$TMP/mas.r.mtr"
expect_status 2 "one trace"
expect_err_contains "expected two traces, A and B" "one trace"
run diff --tolerance -1 "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 2 "a negative tolerance"
expect_err_contains "--tolerance: got '-1', expected a percentage of at least 0" "a negative tolerance"
run diff --fail-if-slower x "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 2 "a bad --fail-if-slower"
run diff --format xml "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 2 "an unknown format"
run diff --bogus "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 2 "an unknown option"
run diff -o "$TMP/no/such/dir/both.pftrace" "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 2 "an output that cannot be written"
run diff -o "$TMP/both.json" "$TMP/mas.r.mtr" "$TMP/flat.r.mtr"
expect_status 2 "a combined trace named .json"
expect_err_contains "the combined trace is a Perfetto trace" "a combined trace named .json"
[ -e "$TMP/both.json" ] && fail "a refused combined trace was left behind"
run diff -o "$TMP/late.pftrace" "$TMP/mas.r.mtr" "$TMP/cut.mtr"
expect_status 2 "a truncated B with -o"
[ -e "$TMP/late.pftrace" ] && fail "a combined trace was left behind after an error"

finish
