#!/bin/sh
# make bench: a scheduler streamed straight into the replay (eval_run, what
# compare and search call), at two lengths to show memory does not grow.
set -eu
bench=${1:?usage: eval.sh BENCH-EVAL-BINARY}

for seq in 8192 16384; do
	"$bench" flash llama3-8b "$seq" rows=64,cols=64
done
"$bench" mas llama3-8b 8192 rows=16,cols=64
