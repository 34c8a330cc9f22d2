#!/bin/sh
# schedule and verify as a user runs them: the commands, overlap
# in info, the overwrite ablation, and every way a tiling can be refused.
. "$TOP_SRCDIR/tests/lib.sh"

for s in mas flat layerwise flash; do
	run schedule -s $s -w bert-base --npu edge -o "$TMP/$s.mtr"
	expect_status 0 "schedule $s"
	expect_out_contains "402,653,184 MACs" "$s does every MAC of bert-base"
	run verify "$TMP/$s.mtr"
	expect_status 0 "verify $s"
	expect_out_contains "$TMP/$s.mtr: ok:" "verify $s says ok"
done
run schedule -s mas -t overwrite=off -w bert-base --npu edge -o "$TMP/noow.mtr"
expect_status 0 "schedule mas overwrite=off"
run verify "$TMP/noow.mtr"
expect_status 0 "verify mas overwrite=off"
for n in edge flat-edge flat-cloud tileflow-edge; do
	for s in mas flat layerwise flash; do
		run schedule -s $s -w b=1,h=2,q=48,k=80,d=16,causal=1 --npu $n -o "$TMP/small.mtt"
		expect_status 0 "schedule $s on $n"
		run verify --orders 3 "$TMP/small.mtt"
		expect_status 0 "verify $s on $n"
	done
done

# MAC and VEC overlap in MAS's plan, never in FLAT's
run info "$TMP/mas.mtr"
case "$out" in
*"overlap       0 cycles"*) fail "mas shows no MAC/VEC overlap" ;;
*"overlap       "*) ;;
*) fail "info prints no overlap line" ;;
esac
run info "$TMP/flat.mtr"
expect_out_contains "overlap       0 cycles MAC and VEC both busy" "flat never overlaps"
mas_span=$("$MASTRACE" info "$TMP/mas.mtr" | sed -n 's/^planned  *0 \.\. \([0-9,]*\) cycles.*/\1/p' | tr -d ,)
flat_span=$("$MASTRACE" info "$TMP/flat.mtr" | sed -n 's/^planned  *0 \.\. \([0-9,]*\) cycles.*/\1/p' | tr -d ,)
[ "$mas_span" -lt "$flat_span" ] || fail "mas ($mas_span) is not faster than flat ($flat_span)"

# the trace says how it was made
run info "$TMP/mas.mtr"
expect_out_contains "scheduler     mas" "header scheduler"
expect_out_contains "tiling        rows=48,cols=128,vrows=32,overwrite=on,prefetch=on,kv=resident,norm=o,form=group" "header tiling"
expect_out_contains "command       mastrace schedule -s mas -w bert-base --npu edge -o" "header command"

# the ablation at MAS's own tiling spills, and says so
run schedule -s mas -t rows=80,overwrite=off,form=full -o "$TMP/abl.mtr"
expect_status 1 "overwrite=off at rows=80 without --allow-spill"
expect_err_contains "needs 277888 bytes of L1" "ablation footprint"
expect_err_contains "the smallest footprint of this dataflow with the parameters given" "ablation: smallest"
expect_err_contains "use a dataflow that fits (flat, flash, layerwise" "ablation: what fits"
expect_err_contains "pass --allow-spill" "ablation hint"
[ ! -e "$TMP/abl.mtr" ] || fail "a refused plan left a file"
run schedule -s mas -t rows=80,cols=128,overwrite=off,kv=stream,norm=p,form=full --allow-spill -o "$TMP/abl.mtr"
expect_status 0 "ablation with --allow-spill"
expect_err_contains "warning: tiling rows=80,cols=128,vrows=32,overwrite=off,prefetch=on,kv=stream,norm=p,form=full needs 342400 bytes of L1, the NPU has 262144" "spill warning"
run verify "$TMP/abl.mtr"
expect_status 0 "the spilling plan still computes attention"

# refusals: one line each, exit 1, nothing written
run schedule -s mas -t rows=64,tile=3 -o "$TMP/x.mtr"
expect_status 1 "unknown tiling parameter"
expect_err_line "mastrace: schedule: tiling 'rows=64,tile=3': unknown parameter 'tile' for scheduler 'mas', expected one of rows, cols, vrows, overwrite, prefetch, kv, norm, form
Try 'mastrace schedule --help' for more information." "unknown tiling parameter"
run schedule -s flash -t rows=16,cols=1000 -o "$TMP/x.mtr"
expect_status 1 "key tile larger than L0"
expect_err_line "mastrace: schedule: tiling rows=16,cols=1000,prefetch=on,kv=stream: parameter 'cols': L0B needs 131072 bytes (cols x (dqk + dv) x 2, with 512 cols as used), the NPU has 32768 (l0.b_kib = 32)" "L0 limit"
# a row block larger than L0 holds goes through the MAC in cube tiles
run schedule -s flash -t rows=192,cols=128 -o "$TMP/big.mtr"
expect_status 0 "a row block larger than L0"
# a long sequence: the published form goes below the MAC's native height,
# and says so; left to choose, MAS takes a memory-aware form at full
# height (groups of two key blocks: the online form's rescaling halved)
run schedule -s mas -w sd-unet-64 -t form=full -o "$TMP/long.mtr"
expect_status 0 "MAS as published on a long sequence fits"
expect_out_contains "note: rows=8 is below the MAC's native height of 16" "below native height"
run replay "$TMP/long.mtr"
expect_status 0 "and replays"
expect_out_contains "spills        0 spills" "without spills"
run schedule -s mas -w sd-unet-64 -n
expect_status 0 "MAS on a long sequence fits by default"
expect_out_contains "rows=128,cols=128,vrows=32,overwrite=on,prefetch=on,kv=stream,norm=o,form=group" \
    "the memory-aware form on a long sequence"
expect_out_contains "L1 holds 2 Q tiles + 2 groups of 2 score tiles" "schedule -n says the group size"
expect_out_contains "note: form by planned cycles: full " "schedule -n says why the form"
# nothing fits at all: the smallest footprint, and what to do
run schedule -s mas -w b=1,h=1,q=64,k=1000000,d=64 -t form=full -o "$TMP/x.mtr"
expect_status 1 "a million keys cannot fit MAS as published on edge"
expect_err_contains "the smallest footprint of this dataflow with the parameters given; use a dataflow that fits (flash) or pass --allow-spill" "a million keys"
run schedule -s mas -w b=1,h=1,q=64,k=1000000,d=64 -n
expect_status 0 "a million keys fit MAS's online form"
expect_out_contains "full needs 64,014,464 bytes of L1 (has 262,144), online " "why the online form"
# a form that cannot hold its normalization says which parameter
run schedule -s mas -t form=online,norm=p -o "$TMP/x.mtr"
expect_status 1 "form=online,norm=p"
expect_err_contains "parameter 'norm': form=online needs norm=o" "online needs norm=o"
run schedule -s tpu -o "$TMP/x.mtr"
expect_status 1 "unknown scheduler"
expect_err_line "mastrace: schedule: -s: unknown scheduler 'tpu', expected $(dataflows_sentence)
Try 'mastrace schedule --help' for more information." "unknown scheduler"
run schedule -s mas
expect_status 1 "no output"
expect_err_contains "expected -o OUT" "no output"
run schedule -s mas -w gpt9 -o "$TMP/x.mtr"
expect_status 1 "bad workload"
run schedule -s mas --npu ./nope.ini -o "$TMP/x.mtr"
expect_status 1 "bad npu"
run schedule -s mas --seq 0 -o "$TMP/x.mtr"
expect_status 1 "bad --seq"
[ ! -e "$TMP/x.mtr" ] || fail "a failed schedule left x.mtr"
run schedule --list
expect_status 0 "--list"
expect_out_contains "overwrite  proactive overwrite" "--list documents overwrite"

# verify's own errors
run verify --orders 0 "$TMP/mas.mtr"
expect_status 1 "--orders 0"
run verify "$TMP/missing.mtr"
expect_status 1 "verify a missing file"
run verify "$TOP_SRCDIR/tests/bad-trace/later-dependency.mtt"
expect_status 1 "verify a bad trace"
run schedule -s flash -w xlm -o "$TMP/big.mtr"
expect_status 0 "schedule a large flash"
run verify "$TMP/big.mtr"
expect_status 1 "verify refuses what does not fit in memory"
expect_err_contains "the limit is 1.0 GiB" "verify memory limit"

finish
