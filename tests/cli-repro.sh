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

# only convert takes -f, so only convert suggests it
run convert "$TOP_SRCDIR/traces/examples/tiny.mtt" "$TMP/out.bin"
expect_err_contains ", or -f mtr|text" "convert suggests -f"
run schedule -s mas -w bert-base -o "$TMP/out.bin"
expect_status 1 "schedule to an unknown extension"
case "$err" in *"-f "*) fail "schedule suggests -f, which it does not have" ;; esac

finish
