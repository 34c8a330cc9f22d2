#!/bin/sh
# make bench: scheduling throughput (instructions per second) and peak
# memory for llama3-8b, at two lengths to show memory does not grow.
set -eu
bench=${1:?usage: sched.sh BENCH-SCHED-BINARY}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mastrace-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

for seq in 8192 32768; do
	"$bench" flash llama3-8b "$seq" rows=64,cols=64 -
	"$bench" flash llama3-8b "$seq" rows=64,cols=64 "$dir/f.mtr"
done
# MAS cannot hold llama3-8b's score rows on edge: planned with spills allowed
"$bench" mas llama3-8b 32768 rows=16,cols=64 -
"$bench" mas llama3-8b 8192 rows=16,cols=64 "$dir/m.mtr"
