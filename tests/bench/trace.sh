#!/bin/sh
# make bench: the .mtr format's size, speed and memory on a synthetic
# MAS-like trace.  Each phase runs in its own process so its peak RSS is
# its own; 1 M and 10 M instructions show whether memory stays flat.
set -eu
bench=${1:?usage: trace.sh BENCH-TRACE-BINARY}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mastrace-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

for n in 1000000 10000000; do
	echo "== $n instructions"
	"$bench" write "$n" "$dir/t.mtr"
	# best of three, since the machine is shared
	best_read=""
	best_inflate=""
	for i in 1 2 3; do
		r=$("$bench" read "$dir/t.mtr")
		f=$("$bench" inflate "$dir/t.mtr")
		tr=$(echo "$r" | sed 's/.* in \([0-9.]*\) s.*/\1/')
		tf=$(echo "$f" | sed 's/.* in \([0-9.]*\) s.*/\1/')
		if [ -z "$best_read" ] || awk "BEGIN{exit !($tr < $best_read)}"; then best_read=$tr; read_line=$r; fi
		if [ -z "$best_inflate" ] || awk "BEGIN{exit !($tf < $best_inflate)}"; then best_inflate=$tf; inflate_line=$f; fi
	done
	echo "$read_line"
	echo "$inflate_line"
	awk "BEGIN{printf \"ratio    read / bare inflate = %.2f (target <= 3)\n\", $best_read / $best_inflate}"
done

# A real schedule, not a synthetic stream: FlashAttention-style llama3-8b.
mastrace=${2:-}
if [ -n "$mastrace" ]; then
	echo "== a real trace: flash, llama3-8b --seq 16384, on edge"
	"$mastrace" schedule -s flash -w llama3-8b --seq 16384 -t rows=64,cols=64 -o "$dir/real.mtr" | sed -n 2p
	ls -l "$dir/real.mtr" | awk '{print "size     " $5 " bytes"}'
	best_read=""
	best_inflate=""
	for i in 1 2 3; do
		r=$("$bench" read "$dir/real.mtr")
		f=$("$bench" inflate "$dir/real.mtr")
		tr=$(echo "$r" | sed 's/.* in \([0-9.]*\) s.*/\1/')
		tf=$(echo "$f" | sed 's/.* in \([0-9.]*\) s.*/\1/')
		if [ -z "$best_read" ] || awk "BEGIN{exit !($tr < $best_read)}"; then best_read=$tr; read_line=$r; fi
		if [ -z "$best_inflate" ] || awk "BEGIN{exit !($tf < $best_inflate)}"; then best_inflate=$tf; inflate_line=$f; fi
	done
	echo "$read_line"
	echo "$inflate_line"
	awk "BEGIN{printf \"ratio    read / bare inflate = %.2f (target <= 3)\n\", $best_read / $best_inflate}"
fi
