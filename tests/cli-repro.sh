#!/bin/sh
# The reproducers of defects found from outside (a copy of shared/repro):
# each ends in a correct result or in one clear message with status 1.
. "$TOP_SRCDIR/tests/lib.sh"

R="$TOP_SRCDIR/tests/repro"

run info "$R/mtr-header-tag32.mtr"
expect_status 1 "a header tag from 32 to 63"
expect_err_line "mastrace: info: $R/mtr-header-tag32.mtr: header: byte 18: header entry 32 is required but unknown (written by a newer mastrace?)" "header tag 32"

run replay "$R/replay-selfcheck-span.mtt"
expect_status 1 "a region across two allocations"
expect_err_line "mastrace: replay: $R/replay-selfcheck-span.mtt: instruction 3 uses l1:2040+16, which lies across the end of the allocation l1:0+2048; expected a region inside one allocation" "region across allocations"

run verify "$R/verify-extent-wrap.mtt"
expect_status 1 "a region ending at 2^64-1"
expect_err_line "mastrace: verify: $R/verify-extent-wrap.mtt:21: source region 0: address 0 + size 18446744073709551615, expected an end at most 2^60" "region end"

run replay "$R/replay-dma-castovf.mtt"
expect_status 1 "a load of 2^62 bytes"
expect_err_line "mastrace: replay: $R/replay-dma-castovf.mtt:5: field 'bytes' is 4611686018427387904, expected at most 2^48" "huge load"

run replay "$R/replay-dma-wrap.mtt"
expect_status 1 "a load of 2^64-1 bytes"
expect_err_line "mastrace: replay: $R/replay-dma-wrap.mtt:4: field 'bytes' is 18446744073709551615, expected at most 2^48" "wrapping load"

run replay "$R/replay-matmul-wrap.mtt"
expect_status 1 "a (2^32-1)^3 matmul"
expect_err_line "mastrace: replay: $R/replay-matmul-wrap.mtt:4: field 'm' is 4294967295, expected at most 16777216" "huge matmul"

# the largest legal sizes time without wrapping: a 2^48-byte load on the slowest DRAM
printf '#!mastrace-trace 1\n#!workload = b=1,h=1,s=16,d=16\n#!npu.base = edge\n#!npu.clock_mhz = 100000\n#!dram.bandwidth_gbs = 0.001\nid=0 unit=dma0 op=load bytes=281474976710656 src=dram:0+512 dst=l1:0+512 plan=0-1\n' >"$TMP/slow.mtt"
run replay "$TMP/slow.mtt"
expect_status 1 "a transfer longer than 2^62 cycles"
expect_err_contains "instruction 0 would end after cycle 2^62" "time bound"

for s in mas flat layerwise flash; do
	run schedule -s "$s" --npu "$R/npu-ch16.ini" -o "$TMP/ch16-$s.mtr"
	expect_status 0 "$s on 16 DMA channels"
	run replay "$TMP/ch16-$s.mtr"
	expect_status 0 "replay of $s on 16 DMA channels"
done

# verify's work and memory are bounded by what the trace declares
run verify "$R/verify-dos-huge-seq.mtt"
expect_status 1 "q = k = 2^24 in 135 bytes"
expect_err_line "mastrace: verify: $R/verify-dos-huge-seq.mtt: the workload alone (custom) takes about 1.7e+15 operations to compute plainly, more than the limit of 4.4e+12; verify a smaller workload (--seq, b=, h=) or raise the limit (--max-work)" "huge sequence refused from the header"
run verify "$R/verify-dos-65536-matmuls.mtr"
expect_status 1 "65,536 matmuls of 4096^3"
expect_err_contains "verifying takes about 1.8e+16 operations (4 orders of 4.5e+15 and the plain attention), more than the limit of 4.4e+12" "the estimate"
run verify --max-work 1e11 "$R/verify-dos-one-matmul.mtt"
expect_status 1 "one 4096^3 matmul under a lower limit"
expect_err_contains "more than the limit of 1e+11" "--max-work sets the limit"
run verify --max-work 0 "$R/verify-dos-one-matmul.mtt"
expect_status 1 "--max-work 0"
expect_err_contains "expected a positive count of operations" "a usage error"
run verify "$R/verify-slow-unit.mtt"
expect_status 1 "a region beyond its shape"
expect_err_line "mastrace: verify: $R/verify-slow-unit.mtt: instruction 47 (vdiv): result region holds 406 elements, expected 64 for its shape" "wrong region size"
# a load from 512 MB into DRAM costs what it moves, not what its address spans
# (and the fuzzer's find: 147 bytes that asked for 100 MB)
for f in "$R/verify-2gib-one-load.mtt" "$R/verify-slow-unit.mtt" \
    "$TOP_SRCDIR/tests/replay-seeds/sparse-dram.mtt"; do
	if [ -x /usr/bin/time ] && ! grep -q __asan_init "$MASTRACE" && ! grep -q __tsan_init "$MASTRACE"; then
		checks=$((checks + 1))
		/usr/bin/time -f %M -o "$TMP/rss" "$MASTRACE" verify "$f" >/dev/null 2>&1
		rss=$(tail -n 1 "$TMP/rss")
		[ "$rss" -lt 50000 ] || fail "verify $f took $rss KB"
	fi
done
run verify "$R/verify-2gib-one-load.mtt"
expect_status 1 "one load and no attention"
expect_err_contains "FAILED" "says it is no attention"

# a trace that takes no time at all
A="$R/diff-zero-makespan-A.r.mtr" B="$R/diff-zero-makespan-B.r.mtt"
run diff "$A" "$B"
expect_status 1 "a trace of no time differs"
expect_out_contains "B takes no time, A takes 5,036 cycles" "no 0.000x"
run diff --format json "$A" "$B"
expect_out_contains '"speedup": null,' "JSON has no infinity"
run diff --fail-if-slower 50 "$A" "$B"
expect_status 0 "B taking no time is not slower"
run diff --fail-if-slower 50 "$B" "$A"
expect_status 1 "A taking no time makes B slower"

# only convert takes -f, so only convert suggests it
run convert "$TOP_SRCDIR/traces/examples/tiny.mtt" "$TMP/out.bin"
expect_err_contains ", or -f mtr|text" "convert suggests -f"
run schedule -s mas -w bert-base -o "$TMP/out.bin"
expect_status 1 "schedule to an unknown extension"
case "$err" in *"-f "*) fail "schedule suggests -f, which it does not have" ;; esac

finish
