#!/bin/sh
# make bench: the .mtr format's size, speed and memory, on a synthetic
# MAS-like trace and on a real schedule.  Each phase runs in its own
# process so its peak RSS is its own; two lengths show memory stays flat.
set -eu
bench=${1:?usage: trace.sh BENCH-TRACE-BINARY [MASTRACE]}
mastrace=${2:-}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mastrace-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

. "$(dirname "$0")/best.sh"

# read_vs_inflate FILE: best of three of each, and their ratio
read_vs_inflate() {
	file=$1
	best_of_three '"$bench" read "$file"' '"$bench" inflate "$file"'
	echo "$line_a"
	echo "$line_b"
	ratio_line "read / bare inflate" "$best_a" "$best_b" 3
}

for n in 1000000 10000000; do
	echo "== synthetic, $n instructions"
	"$bench" write "$n" "$dir/t.mtr"
	read_vs_inflate "$dir/t.mtr"
done

if [ -n "$mastrace" ]; then
	echo "== a real trace: flash, llama3-8b --seq 16384, on edge"
	"$mastrace" schedule -s flash -w llama3-8b --seq 16384 -t rows=64,cols=64 -o "$dir/real.mtr" | sed -n 2p
	ls -l "$dir/real.mtr" | awk '{print "size     " $5 " bytes"}'
	read_vs_inflate "$dir/real.mtr"
fi
