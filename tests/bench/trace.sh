#!/bin/sh
# make bench: the .mtr format's size, speed and memory, on a synthetic
# MAS-like trace and on a real schedule.  Each phase runs in its own
# process so its peak RSS is its own; two lengths show memory stays flat.
set -eu
bench=${1:?usage: trace.sh BENCH-TRACE-BINARY [MASTRACE]}
mastrace=${2:-}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mastrace-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# read_vs_inflate FILE: best of three of each (the machine is shared), and their ratio
read_vs_inflate() {
	best_read=""
	best_inflate=""
	for i in 1 2 3; do
		r=$("$bench" read "$1")
		f=$("$bench" inflate "$1")
		tr=$(echo "$r" | sed 's/.* in \([0-9.]*\) s.*/\1/')
		tf=$(echo "$f" | sed 's/.* in \([0-9.]*\) s.*/\1/')
		if [ -z "$best_read" ] || awk "BEGIN{exit !($tr < $best_read)}"; then best_read=$tr; read_line=$r; fi
		if [ -z "$best_inflate" ] || awk "BEGIN{exit !($tf < $best_inflate)}"; then best_inflate=$tf; inflate_line=$f; fi
	done
	echo "$read_line"
	echo "$inflate_line"
	awk "BEGIN{printf \"ratio    read / bare inflate = %.2f (target <= 3)\n\", $best_read / $best_inflate}"
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
