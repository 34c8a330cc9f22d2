#!/bin/sh
# mastrace compare: its figures are those of schedule + replay for every
# dataflow, -j does not change a byte, -o writes what it says (MAS against
# FLAT passes the Perfetto checker), the formats parse, a dataflow that does
# not fit is a cell, and every usage error is one message and exit 1.
. "$TOP_SRCDIR/tests/lib.sh"

CHECK="$TOP_BUILDDIR/tests/pf-check"
w=bert-base,b=1,h=2

# the default: bert-base on edge, four dataflows, MAS against FLAT and why
run compare -q
expect_status 0 "compare"
for s in mas flat flash layerwise; do
	printf '%s\n' "$out" | grep -q "^$s " || fail "compare: no row for $s"
done
expect_out_contains "MAS is 1.48x as fast as FLAT" "compare on the defaults"
expect_out_contains "Both are bound by vec" "compare says why"
expect_out_contains "energy by component:" "compare shows the energy by component"
# the sentence names the component that differs most, with both figures from the table
line=$(printf '%s\n' "$out" | sed -n 's/.*most of the difference in \([a-z0-9]*\) (\([0-9.]*\) uJ against \([0-9.]*\)).*/\1 \2 \3/p')
set -- $line
checks=$((checks + 1))
[ -n "$3" ] && printf '%s\n' "$out" | grep -q "^mas .* $2 " &&
    printf '%s\n' "$out" | grep -q "^flat .* $3 " ||
	fail "compare: the energy difference is not named from the table: '$line'"
expect_out_contains "scheduler  mac uJ  vec uJ  l0 uJ  l1 uJ  dram uJ  static uJ  total uJ" \
    "the components of the energy"

# the figures are schedule + replay's, for every dataflow
run compare -q -w "$w" --format csv
expect_status 0 "compare --format csv"
printf '%s\n' "$out" >"$TMP/c.csv"
n=$(dataflows | wc -l)
[ "$(wc -l <"$TMP/c.csv")" -eq $((n + 1)) ] || fail "compare csv: a header and a row per dataflow ($n) expected"
for s in mas flat flash layerwise; do
	"$MASTRACE" schedule -q -s "$s" -w "$w" -o "$TMP/$s.mtr" >"$TMP/$s.sched" ||
	    { fail "schedule $s"; continue; }
	"$MASTRACE" replay -q "$TMP/$s.mtr" -o "$TMP/$s.r.mtr" --stats text | ungroup >"$TMP/$s.stats"
	cycles=$(sed -n 's/^makespan  *\([0-9]*\) cycles.*/\1/p' "$TMP/$s.stats")
	by=$(sed -n 's/^bound .* set by \([a-z0-9-]*\):.*/\1/p' "$TMP/$s.stats")
	eff=$(sed -n 's/^bound .* efficiency \([0-9.]*\)%.*/\1/p' "$TMP/$s.stats")
	energy=$(sed -n 's/^energy  *\([0-9.]*\) uJ.*/\1/p' "$TMP/$s.stats")
	tiling=$(sed -n 's/.*, tiling //p' "$TMP/$s.sched")
	command -v python3 >/dev/null 2>&1 || { echo "python3 absent: $s not compared"; continue; }
	python3 - "$TMP/c.csv" "$s" "$cycles" "$by" "$eff" "$energy" "$tiling" <<'PY' ||
import csv, sys
f, s, cycles, by, eff, energy, tiling = sys.argv[1:]
row = [r for r in csv.DictReader(open(f)) if r["scheduler"] == s][0]
assert row["status"] == "ok", row
assert row["cycles"] == cycles, (row["cycles"], cycles)
assert row["bound_by"] == by, (row["bound_by"], by)
assert abs(float(row["efficiency"]) - float(eff)) < 0.06, (row["efficiency"], eff)
assert abs(float(row["energy_uj"]) - float(energy)) < 0.06, (row["energy_uj"], energy)
assert row["tiling"] == tiling, (row["tiling"], tiling)
PY
	    fail "compare's $s differs from schedule + replay"
done

# -j 2 and -j 1 print the same bytes, in every format
for f in text csv json markdown; do
	"$MASTRACE" compare -q -j 1 -w "$w,vit-b16,b=1,h=1" --seq 128,192 -s mas,flat,flash \
	    --format $f >"$TMP/j1" || fail "compare -j 1 --format $f"
	"$MASTRACE" compare -q -j 2 -w "$w,vit-b16,b=1,h=1" --seq 128,192 -s mas,flat,flash \
	    --format $f >"$TMP/j2" || fail "compare -j 2 --format $f"
	cmp -s "$TMP/j1" "$TMP/j2" || fail "compare -j 2 differs from -j 1 in $f"
done
# several workloads: a row each, the geometric mean and the maximum
run compare -q -w "$w,vit-b16,b=1,h=1" --seq 128,192 -s mas,flat
expect_status 0 "compare with several workloads"
[ "$(printf '%s\n' "$out" | grep -c '^\(bert-base\|vit-b16\),')" -eq 4 ] || fail "expected 4 workload rows"
expect_out_contains "geometric mean" "compare with several workloads"
expect_out_contains "maximum" "compare with several workloads"
if command -v python3 >/dev/null 2>&1; then
	"$MASTRACE" compare -q -w "$w,vit-b16,b=1,h=1" --seq 128,192 -s mas,flat --format json \
	    >"$TMP/c.json"
	python3 - "$TMP/c.json" <<'PY' || fail "compare's JSON"
import json, math, sys
d = json.load(open(sys.argv[1]))
pts = d["points"]
assert len(pts) == 8
sp = [p["speedup_vs_flat"] for p in pts if p["scheduler"] == "mas"]
gm = math.exp(sum(math.log(x) for x in sp) / len(sp))
assert abs(d["summary"]["geomean_speedup"] - gm) < 1e-3, (d["summary"], gm)
assert abs(d["summary"]["max_speedup"] - max(sp)) < 1e-3
assert len(d["table"]) == 4
PY
fi
# a bound column per dataflow, and where MAS loses, a line saying why
run compare -q -w "bert-base,b=1,h=1,vit-b16,b=1,h=1" -s mas,flat -t mas:form=serial,rows=16,cols=32
expect_status 0 "compare where MAS loses"
expect_out_contains "mas  bound" "a bound column beside each dataflow"
expect_out_contains "bert-base,b=1,h=1: MAS is 0.64x as fast as FLAT. Both are bound by vec" "why MAS loses"
expect_out_contains "MAS ran its serial form" "the form MAS ran"
if command -v python3 >/dev/null 2>&1; then
	"$MASTRACE" compare -q -w "bert-base,b=1,h=1,vit-b16,b=1,h=1" -s mas,flat \
	    -t mas:form=serial,rows=16,cols=32 --format json >"$TMP/l.json"
	python3 - "$TMP/l.json" <<'PY' || fail "compare's JSON losses"
import json, sys
d = json.load(open(sys.argv[1]))
assert [l["workload"] for l in d["losses"]] == ["bert-base,b=1,h=1", "vit-b16,b=1,h=1"]
assert all(l["speedup"] < 1 and "bound by" in l["why"] for l in d["losses"])
assert d["table"][0]["mas_bound"] == "vec"
PY
fi
run compare -q -w "$w" -s mas,flat --format markdown
expect_status 0 "compare --format markdown"
printf '%s\n' "$out" | grep -q '^|:-' || fail "markdown: no alignment row"

# a dataflow that cannot be scheduled is a cell, not an abort
run compare -q -w "$w" -s mas,flat -t flat:gran=row,rows=512,cols=512
expect_status 0 "compare with a tiling that does not fit"
expect_out_contains "flat: cannot be scheduled:" "a tiling that does not fit"
printf '%s\n' "$out" | grep -q "^mas .* ok " || fail "the other dataflows still ran"
run compare -q -w "$w,vit-b16,b=1,h=1" -s mas,flat -t flat:gran=row,rows=512,cols=512
expect_status 0 "compare: several workloads, one that does not fit"
expect_out_contains "does not fit" "several workloads, one that does not fit"

# -o: the traces compare ran, the same as schedule + replay; MAS against FLAT
run compare -q -w "$w" -s mas,flat -o "$TMP/dir"
expect_status 0 "compare -o"
b=bert-base_b_1_h_2
for f in mas.mtr mas.r.mtr mas.pftrace flat.mtr flat.r.mtr flat.pftrace mas-vs-flat.pftrace; do
	[ -s "$TMP/dir/$b-$f" ] || fail "compare -o did not write $b-$f"
done
run diff "$TMP/dir/$b-mas.r.mtr" "$TMP/mas.r.mtr"
expect_status 0 "compare's replayed MAS equals schedule + replay's"
run diff "$TMP/dir/$b-flat.r.mtr" "$TMP/flat.r.mtr"
expect_status 0 "compare's replayed FLAT equals schedule + replay's"
if [ -x "$CHECK" ]; then
	for f in mas.pftrace mas-vs-flat.pftrace; do
		"$CHECK" "$TMP/dir/$b-$f" >"$TMP/check" 2>&1 || fail "$f: $(cat "$TMP/check")"
	done
	grep -q "^track B: flat " "$TMP/check" || fail "mas-vs-flat.pftrace lacks FLAT"
fi
: >"$TMP/file"
run compare -q -w "$w" -s mas -o "$TMP/file"
expect_status 1 "compare -o onto a file"
expect_err_contains "$TMP/file" "compare -o onto a file"

# the ladder: ten steps, each against the one before and the first
run compare -q --ladder -w "$w" --seq 128 --format csv
expect_status 0 "compare --ladder"
printf '%s\n' "$out" >"$TMP/l.csv"
[ "$(wc -l <"$TMP/l.csv")" -eq 11 ] || fail "the ladder: a header and 10 steps expected"
grep -q '^FLAT at its published granularity,flat,[0-9]*,[0-9.]*,[0-9.]*,[a-z0-9-]*,1.0000,1.0000,"gran=head,.*prefetch=off,kv=stream,norm=p"$' "$TMP/l.csv" ||
    fail "the ladder's first step is FLAT at gran=head, its own base"
grep -q '^FLAT as published,flat,[0-9]*,.*prefetch=off,kv=stream,norm=p"$' "$TMP/l.csv" ||
    fail "the ladder's second step is FLAT as published"
# where a head's scores overflow L1 the published granularity spills, and says so where L0 cannot
run compare -q --ladder -w b=1,h=1,q=512,k=512,d=64 --npu flat-edge --format csv
expect_status 0 "the ladder with FLAT's head past L1"
printf '%s\n' "$out" >"$TMP/l.csv"
grep -q '^FLAT at its published granularity,flat,[0-9][0-9]*,.*gran=head,rows=512,' "$TMP/l.csv" ||
    fail "FLAT at gran=head did not run with spills on flat-edge"
# on edge, whose L0A holds 512 x (64 + 16) x 2 bytes no more, in cube tiles
run compare -q --ladder -w b=1,h=1,q=512,k=512,d=64 --npu edge --format csv
expect_status 0 "the ladder where FLAT's head is more rows than L0 holds"
printf '%s\n' "$out" | grep -q '^FLAT at its published granularity,flat,[0-9][0-9]*,.*gran=head,rows=512,' ||
    fail "FLAT at gran=head did not run on edge"
grep -q '^MAS at its best (swept),mas,' "$TMP/l.csv" || fail "the ladder ends with MAS at its best"
awk -F, 'NR > 1 && $3 == "" { bad = 1 } END { exit bad }' "$TMP/l.csv" ||
    fail "a ladder step did not run"
# at its best is never slower than by default, for either dataflow
step_cycles() {	# CSV FILE STEP: the cycles of that step (its name may be quoted)
	awk -v s="$2" 'index($0, s ",") == 1 || index($0, "\"" s "\",") == 1' "$1" |
	    sed 's/^"[^"]*",//; t; s/^[^,]*,//' | cut -d, -f2
}
at_best() {
	d=$(step_cycles "$1" "$2") b=$(step_cycles "$1" "$3")
	[ -n "$d" ] && [ -n "$b" ] && [ "$b" -le "$d" ]
}
at_best "$TMP/l.csv" "+ kv, norm: FLAT by default" "FLAT at its best (swept)" ||
    fail "FLAT at its best is slower than FLAT by default"
at_best "$TMP/l.csv" "+ form: MAS by default" "MAS at its best (swept)" ||
    fail "MAS at its best is slower than MAS by default"
# where FLAT's scores fit only below 16 rows, the sweep goes there and MAS's online form runs
run compare -q --ladder -w b=1,h=1,q=32,k=60000,d=64 --format csv
expect_status 0 "the ladder where only small rows fit"
printf '%s\n' "$out" >"$TMP/l.csv"
grep -q '^FLAT at its best (swept),flat,[0-9]*,.*gran=row,rows=[1-8],' "$TMP/l.csv" ||
    fail "the sweep did not go below 16 rows for FLAT"
grep -q '^+ form: MAS by default,mas,[0-9]*,.*form=online' "$TMP/l.csv" ||
    fail "the ladder's form step is not MAS's online form"
at_best "$TMP/l.csv" "+ form: MAS by default" "MAS at its best (swept)" ||
    fail "MAS at its best is slower than MAS by default (long keys)"

# usage errors: one message, exit 1
for args in "-s foo" "-s mas,mas" "-w nosuch" "--seq 0" "--seq x" "-t rows=64" "-t mas:rows=x" \
    "-s mas -t flat:rows=64" "--format xml" "-j 0" "-j 999" "extra" "--ladder -o $TMP/x" \
    "--ladder -s mas" "--bogus" "--npu nosuch"; do
	# shellcheck disable=SC2086
	run compare -q $args
	expect_status 1 "compare $args"
	[ -n "$err" ] || fail "compare $args: no message"
done
run compare -s foo
expect_err_contains "-s: unknown scheduler 'foo', expected $(dataflows_sentence)" "-s foo"
run compare -t mas:rows=x
expect_err_contains "-t mas:rows=x" "a bad tiling names itself"

finish
