#!/bin/sh
# make bench: export throughput on one core (reading the .mtr included) at
# two trace lengths, peak memory (it should stay flat), and the size of a
# gzip-compressed Perfetto trace per instruction.
set -eu
mastrace=${1:?usage: export.sh MASTRACE BENCH-EXPORT BENCH-TRACE}
export=${2:?}
reader=${3:?}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mastrace-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

. "$(dirname "$0")/best.sh"

for seq in 4096 16384; do
	echo "== export: flash, llama3-8b --seq $seq, replayed, on edge"
	"$mastrace" schedule -s flash -w llama3-8b --seq "$seq" -t rows=64,cols=64 -o "$dir/t.mtr" 2>/dev/null | sed -n 2p
	"$mastrace" replay "$dir/t.mtr" -o "$dir/r.mtr" >/dev/null
	rm "$dir/t.mtr"
	best_of_three '"$reader" read "$dir/r.mtr"' '"$export" "$dir/r.mtr" /dev/null perfetto critical'
	echo "$line_a"
	rate_line "$line_b" 2
	if [ "$seq" = 4096 ]; then
		"$export" "$dir/r.mtr" /dev/null perfetto none
		"$export" "$dir/r.mtr" /dev/null json none
		"$export" "$dir/r.mtr" /dev/null csv none
		"$export" "$dir/r.mtr" "$dir/t.pftrace.gz" perfetto critical >/dev/null
		n=$("$reader" read "$dir/r.mtr" | sed 's/^read *\([0-9]*\) .*/\1/')
		awk -v b="$(wc -c <"$dir/t.pftrace.gz")" -v n="$n" \
		    'BEGIN { printf "pftrace.gz %d bytes: %.1f bytes/instruction\n", b, b / n }'
		rm "$dir/t.pftrace.gz"
	fi
done
