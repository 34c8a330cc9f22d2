#!/bin/sh
# replay and stats as a user runs them: MAS overlaps where FLAT does not,
# spills when L1 shrinks, --ideal gives the plan back, errors are one line.
. "$TOP_SRCDIR/tests/lib.sh"

for s in mas flat; do
	run schedule -s $s -w bert-base --npu edge -o "$TMP/$s.mtr"
	expect_status 0 "schedule $s"
	run replay "$TMP/$s.mtr" -o "$TMP/$s.r.mtr" --stats text
	expect_status 0 "replay $s"
	for what in "makespan" "overlap" "stalled by cause" "dram          read" "spills" "energy" "critical path"; do
		expect_out_contains "$what" "replay $s prints $what"
	done
	printf '%s\n' "$out" >"$TMP/$s.stats"
	run stats "$TMP/$s.r.mtr"
	expect_status 0 "stats $s"
	[ "$out" = "$(cat "$TMP/$s.stats")" ] || fail "stats of $s.r.mtr differs from what replay printed"
done
grep -q '^overlap       MAC and VEC both busy 0 cycles' "$TMP/mas.stats" && fail "mas shows no overlap"
grep -q '^overlap       MAC and VEC both busy 0 cycles' "$TMP/flat.stats" || fail "flat overlaps"
run stats --format json "$TMP/mas.r.mtr"
expect_status 0 "stats json"
expect_out_contains '"mac_vec_overlap_cycles"' "json has overlap"
expect_out_contains '"energy_pj"' "json has energy"

# --ideal replays to the plan
run replay --ideal "$TMP/mas.mtr" -o "$TMP/ideal.mtt"
expect_status 0 "replay --ideal"
# the header records the models that ran, for stats and diff, whatever the options were called
grep -q '^#!replay_models = none$' "$TMP/ideal.mtt" || fail "--ideal: replay_models is not none"
run replay --no-port "$TMP/mas.mtr" -o "$TMP/noport.mtt"
grep -q '^#!replay_models = dram,capacity$' "$TMP/noport.mtt" || fail "--no-port: replay_models"
run stats "$TMP/noport.mtt"
expect_out_contains "(ports not modelled)" "stats reads the models from the header"
awk '/^id=/ { p = ""; r = ""; for (i = 1; i <= NF; i++) { if ($i ~ /^plan=/) p = substr($i, 6); if ($i ~ /^rep=/) r = substr($i, 5) } if (p != r) bad++ } END { exit bad > 0 }' "$TMP/ideal.mtt" ||
	fail "--ideal did not reproduce the planned times"

# MAS planned for flat-edge's 512 KiB, replayed with 128 KiB, spills
printf '[npu]\nbase = flat-edge\nname = fe128\n[l1]\ncapacity_kib = 128\n' >"$TMP/fe128.ini"
# the tiling made for 512 KiB, as it stood before K and V could stay resident
run schedule -s mas --npu flat-edge -t rows=176,cols=128,kv=stream,norm=p -o "$TMP/fe.mtr"
run replay "$TMP/fe.mtr" --npu "$TMP/fe128.ini" -o "$TMP/fe.r.mtr"
expect_status 0 "replay on 128 KiB"
run stats "$TMP/fe.r.mtr"
case "$out" in *"spills        0 spills"*) fail "no spills on 128 KiB" ;; esac
expect_out_contains ", making room for instruction " "a spill names the instruction it made room for"
# the spill traffic beside the overflow that forced it, each from its own line
sp=$(printf '%s\n' "$out" | ungroup | sed -n 's/^spills  *[0-9]* spills* (\([0-9]*\) bytes).*/\1/p')
pk=$(printf '%s\n' "$out" | ungroup | sed -n 's/.*the plan allocates \([0-9]*\) at its peak.*/\1/p')
ov=$(printf '%s\n' "$out" | ungroup | sed -n 's/^  spilled  *[0-9.]*x the overflow, \([0-9]*\) bytes.*/\1/p')
x=$(printf '%s\n' "$out" | sed -n 's/^  spilled  *\([0-9.]*\)x the overflow.*/\1/p')
checks=$((checks + 1))
[ -n "$sp" ] && [ -n "$pk" ] && [ "$ov" = $((pk - 131072)) ] &&
    [ "$(awk -v s="$sp" -v o="$ov" 'BEGIN { printf "%.1f", s / o }')" = "$x" ] ||
	fail "spills beside the overflow: spilled $sp, peak $pk, overflow '$ov', ratio '$x'"
expect_out_contains "starved     id " "the most starved transfers"
expect_out_contains "  by share    0%+ " "transfers by share of DRAM"
# the most starved transfer, looked up by id, was granted the share stats printed
id=$(printf '%s\n' "$out" | sed -n 's/^  starved     id \([0-9]*\):.*(\(.*%\))$/\1/p' | head -n 1)
share=$(printf '%s\n' "$out" | sed -n 's/^  starved     id [0-9]*:.*(\(.*%\))$/\1/p' | head -n 1)
run info --at "$id" "$TMP/fe.r.mtr"
expect_status 0 "info --at a transfer"
expect_out_contains "requested ($share)" "info --at gives the transfer's granted share"
run replay "$TMP/fe.r.mtr" --npu "$TMP/fe128.ini" -o "$TMP/fe.rr.mtr"
expect_status 0 "replay of the replayed trace"
"$MASTRACE" convert "$TMP/fe.rr.mtr" - | grep -v '^#' >"$TMP/fe.rr.txt"
run convert "$TMP/fe.r.mtr" -
printf '%s\n' "$out" | grep -v '^#' | cmp -s - "$TMP/fe.rr.txt" ||
	fail "replaying a replayed trace with spills changed its instructions"
expect_out_contains "op=spill" "spill instructions in the trace"
expect_out_contains "cause=space" "stalls for buffer space"
# FLAT at the head granularity its authors published, on flat-edge, keeps
# 665,600 bytes of scores for 524,288 of L1: 1.27x.  The softmax passes
# over the score tiles three times (maxima, exponentials with their sums,
# the divide) a tile at a time, and furthest-next-use eviction spills at
# most the overflow on each pass: at most 3x the overflow, where a
# strip-by-strip order once spilled 10x.
run schedule -s flat -w b=1,h=1,q=512,k=512,d=64 --npu flat-edge -t gran=head --allow-spill \
    -o "$TMP/fh.mtr"
expect_status 0 "schedule flat gran=head past the buffer"
run replay "$TMP/fh.mtr" -o "$TMP/fh.r.mtr"
expect_status 0 "replay flat gran=head"
run stats "$TMP/fh.r.mtr"
ov=$(printf '%s\n' "$out" | ungroup | sed -n 's/^  spilled  *[0-9.]*x the overflow, \([0-9]*\) bytes.*/\1/p')
sp=$(printf '%s\n' "$out" | ungroup | sed -n 's/^spills  *[0-9]* spills* (\([0-9]*\) bytes) and [0-9]* fills* (\([0-9]*\) bytes).*/\1 \2/p')
checks=$((checks + 1))
[ "$ov" = 141312 ] && [ -n "$sp" ] && awk -v o="$ov" -v s="$sp" 'BEGIN { split(s, v, " ");
    exit !(v[1] > 0 && v[1] <= 3 * o && v[2] <= 3 * o) }' ||
	fail "flat gran=head at 1.27x the buffer: overflow '$ov', spilled and filled '$sp'"
# bytes holding data never exceed the capacity once spills are replayed
# (allocations the replay gave up before they were written once counted)
res=$(printf '%s\n' "$out" | ungroup |
    sed -n 's/^l1  *capacity \([0-9]*\) bytes: \([0-9]*\) resident on average.*/\1 \2/p')
checks=$((checks + 1))
[ -n "$res" ] && awk -v r="$res" 'BEGIN { split(r, v, " "); exit !(v[2] > 0 && v[2] <= v[1]) }' ||
	fail "flat gran=head at 1.27x the buffer: capacity and mean residency '$res'"
# and the exporters' L1 counter, from the same account, stays within it too
run export -q "$TMP/fh.r.mtr" -f json -o "$TMP/fh.json"
expect_status 0 "export the spilling replay"
peak=$(grep -o '"name":"L1 resident"[^}]*' "$TMP/fh.json" | sed -n 's/.*"bytes":\([0-9]*\).*/\1/p' |
    sort -n | tail -n 1)
checks=$((checks + 1))
[ -n "$peak" ] && [ "$peak" -gt 0 ] && [ "$peak" -le 524288 ] ||
	fail "flat gran=head at 1.27x the buffer: the L1 counter peaks at '$peak' of 524288"

# a one-instruction look-ahead chooses worse victims than the default 1024
spills_of() {
	printf '%s\n' "$out" | ungroup | sed -n 's/^spills        \([0-9]*\) spills.*/\1/p'
}
run stats "$TMP/fe.r.mtr"
default_spills=$(spills_of)
run replay --window 1 "$TMP/fe.mtr" --npu "$TMP/fe128.ini"
expect_status 0 "replay --window 1"
[ "$(spills_of)" -gt "$default_spills" ] ||
	fail "--window 1 spilled $(spills_of) times, not more than the default's $default_spills"
for bad in 0 65537 x -1; do
	run replay --window "$bad" "$TMP/fe.mtr"
	expect_status 1 "--window $bad"
	expect_err_contains "mastrace: replay: --window: got '$bad', expected a number of instructions from 1 to 65536" "--window $bad"
done
run schedule -s mas --npu "$TMP/fe128.ini" -o "$TMP/f128.mtr"
run replay "$TMP/f128.mtr"
expect_out_contains "spills        0 spills" "a plan that fits does not spill"

# bad input
run replay "$TMP/mas.mtr" --npu tileflow-edge
expect_status 1 "a DMA channel the NPU lacks"
expect_err_contains "runs on unit dma1, but npu 'tileflow-edge' has 1 DMA channels" "channel error"
run replay "$TMP/mas.mtr" --npu flat-edge
expect_status 1 "the move engine without L0"
expect_err_contains "has no L0 buffers" "mte error"
printf '#!mastrace-trace 1\n#!workload = b=1,h=1,s=16,d=16\n#!npu.base = edge\nid=0 unit=vec op=alloc dst=l1:0+512 plan=0-0\nid=1 unit=vec op=free src=l1:0+512 plan=0-0\nid=2 unit=vec op=free src=l1:0+512 plan=0-0\n' >"$TMP/free2.mtt"
run replay "$TMP/free2.mtt" -o "$TMP/free2.r.mtt"
expect_status 1 "freed twice"
expect_err_line "mastrace: replay: $TMP/free2.mtt: instruction 2 frees l1:0+512, which is not allocated (freed twice?)" "freed twice"
[ ! -e "$TMP/free2.r.mtt" ] || fail "a failed replay left its output"
printf '#!mastrace-trace 1\n#!workload = b=1,h=1,s=16,d=16\n#!npu.base = edge\nid=0 unit=vec op=barrier deps=1 plan=0-0\nid=1 unit=vec op=barrier deps=0 plan=0-0\n' >"$TMP/cycle.mtt"
run replay "$TMP/cycle.mtt"
expect_status 1 "a dependency cycle"
expect_err_contains "dependency on id 1, expected an earlier id" "cycle"
printf '#!mastrace-trace 1\n#!workload = b=1,h=1,s=16,d=16\n#!npu.base = edge\nid=0 unit=vec op=barrier deps=7 plan=0-0\n' >"$TMP/missing.mtt"
run replay "$TMP/missing.mtt"
expect_status 1 "a dependency on a missing id"
run stats "$TMP/mas.mtr"
expect_status 1 "stats of a trace not replayed"
expect_err_contains "is not replayed; run 'mastrace replay' first" "stats of a plan"
# a replayed trace whose MAC instructions overlap: stats says so, not "out of memory"
printf '#!mastrace-trace 1\n#!workload = b=1,h=1,s=16,d=16\n#!npu.base = edge\nid=0 unit=mac op=matmul m=16 n=16 k=16 plan=0-20 rep=0-20\nid=1 unit=mac op=matmul m=16 n=16 k=16 plan=20-40 rep=10-30\n' >"$TMP/overlap.mtt"
run stats "$TMP/overlap.mtt"
expect_status 1 "stats of overlapping MAC instructions"
expect_err_line "mastrace: stats: $TMP/overlap.mtt: MAC or VEC instructions overlap earlier ones on their unit in time, expected each unit to run one instruction at a time" "overlap message"
run replay --stats xml "$TMP/mas.mtr"
expect_status 1 "--stats xml"

finish
