#!/bin/sh
# make bench: replay throughput on one core, as a ratio to reading the same
# file, and peak memory at two trace lengths (memory should stay flat).
set -eu
mastrace=${1:?usage: replay.sh MASTRACE BENCH-REPLAY BENCH-TRACE}
replay=${2:?}
reader=${3:?}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mastrace-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

. "$(dirname "$0")/best.sh"

# bench TITLE SCHEDULE-ARGS...: schedule, then the best of three reads and replays
bench() {
	echo "== replay: $1, on edge"
	shift
	"$mastrace" schedule "$@" -o "$dir/t.mtr" 2>/dev/null | sed -n 2p
	best_of_three '"$reader" read "$dir/t.mtr"' '"$replay" "$dir/t.mtr"'
	echo "$line_a"
	rate_line "$line_b" 10
	ratio_line "replay / read" "$best_b" "$best_a" 3
}

for seq in 8192 16384; do
	bench "flash, llama3-8b --seq $seq" -s flash -w llama3-8b --seq "$seq" -t rows=64,cols=64
done
# a row of scores does not fit L1 at this tiling: about one spill per 16 instructions
bench "mas, llama3-8b --seq 8192, spilling" -s mas -w llama3-8b --seq 8192 -t rows=16,cols=64 \
    --allow-spill
