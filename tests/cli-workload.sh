#!/bin/sh
# mastrace workload: presets, inline specs, --seq, --npu bounds, bad specs.
. "$TOP_SRCDIR/tests/lib.sh"

run workload list
expect_status 0 "workload list"
list=$out
for p in bert-small bert-base bert-large vit-b14 vit-l14 vit-h14 vit-b16 vit-l16 vit-h16 \
	trxl t5 xlm llama3-8b sd-unet-64 sd-unet-32 sd-unet-16 sd-unet-8; do
	case "$list" in *"$p "*) ;; *) fail "workload list does not show $p" ;; esac
	run workload show "$p"
	expect_status 0 "workload show $p"
done

run workload show
expect_status 0 "workload show (default)"
expect_out_contains "workload bert-base" "default workload"
expect_out_contains "b=1,h=12,q=512,k=512,dqk=64,dv=64,bytes=2,causal=0" "bert-base spec"
expect_out_contains "MACs            402653184" "bert-base MACs"

run workload show bert-base --seq 1024
expect_status 0 "--seq after the spec"
expect_out_contains "q=1024,k=1024" "--seq sets both lengths"

run workload show -w 2>/dev/null
expect_status 1 "unknown option -w"

run workload show "b=1,h=1,q=4,k=4,d=2,causal=1"
expect_status 0 "inline causal spec"
expect_out_contains "scores          10 " "causal pairs 1+2+3+4"

run workload show bert-base --npu edge
expect_status 0 "--npu edge bounds"
expect_out_contains "98304 cycles" "MAC bound = 402653184 / 4096"
expect_out_contains "122880 cycles" "DRAM bound = 3145728 / 25.6"
expect_out_contains "bound by        DRAM" "bert-base on edge is DRAM-bound"

run workload show "b=1,h=1,s=64,d=64" --npu tileflow-edge
expect_status 0 "tiny workload bounds"

run workload show "b=1,h=x,s=4,d=4"
expect_status 1 "bad inline value"
expect_err_line "mastrace: workload: workload 'b=1,h=x,s=4,d=4': column 5: key 'h': got 'x', expected an integer from 1 to 4096" "bad inline value"

run workload show bert-base --seq -5
expect_status 1 "negative --seq"
expect_err_line "mastrace: workload: --seq: got '-5', expected an integer from 1 to 16777216
Try 'mastrace workload --help' for more information." "negative --seq"

run workload show llama3-8b --seq 0
expect_status 1 "zero --seq"

run workload show bert-base --npu ./missing.ini
expect_status 1 "missing --npu file"
expect_err_contains "./missing.ini: cannot open" "missing --npu file"

run workload show gpt9
expect_status 1 "unknown preset"
expect_err_contains "unknown preset 'gpt9'" "unknown preset"

run workload show a b
expect_status 1 "two specs"

run workload
expect_status 1 "no action"

finish
