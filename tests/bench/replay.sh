#!/bin/sh
# make bench: replay throughput on one core, as a ratio to reading the same
# file, and peak memory at two trace lengths.
set -eu
mastrace=${1:?usage: replay.sh MASTRACE BENCH-REPLAY BENCH-TRACE}
replay=${2:?}
reader=${3:?}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mastrace-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

for seq in 8192 16384; do
	echo "== replay: flash, llama3-8b --seq $seq, on edge"
	"$mastrace" schedule -s flash -w llama3-8b --seq "$seq" -t rows=64,cols=64 -o "$dir/t.mtr" | sed -n 2p
	r=$("$reader" read "$dir/t.mtr")
	p=$("$replay" "$dir/t.mtr")
	echo "$r"
	echo "$p"
	tr=$(echo "$r" | sed 's/.* in \([0-9.]*\) s.*/\1/')
	tp=$(echo "$p" | sed 's/.* in \([0-9.]*\) s.*/\1/')
	awk "BEGIN{printf \"ratio    replay / read = %.2f (target <= 3)\n\", $tp / $tr}"
done
