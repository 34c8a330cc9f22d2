#!/bin/sh
# make bench: the ablation ladder of mastrace(7), from FLAT as published to
# MAS at its best, one change per step, on the workloads and NPUs in
# LADDER_WORKLOADS and LADDER_NPUS (default bert-base on edge).  Every step
# is replayed with every model.  The steps without a tiling take the default
# (searched by planned makespan); the two "best" steps sweep rows, cols, kv
# and norm by replayed makespan (on one batch element), the same sweep for
# FLAT and for MAS.
set -eu
mastrace=${1:?usage: ladder.sh MASTRACE}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mastrace-ladder.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# replayed cycles of SCHED with TILING on workload W, NPU N, or nothing
cycles() {
	"$mastrace" schedule -q -s "$1" -w "$3" --npu "$4" ${2:+-t "$2"} -o "$dir/c.mtr" \
	    >/dev/null 2>&1 || return 0
	"$mastrace" replay -q "$dir/c.mtr" | tr -d , |
	    sed -n 's/^makespan  *\([0-9]*\) cycles.*/\1/p'
}

# the tiling of SCHED with the fewest replayed cycles on W (one batch element), N
sweep() {
	s=$1 w=$2,b=1 n=$3 best= best_t=
	for kv in stream resident; do
	for norm in p o; do
	for cols in 32 64 128 256; do
	for rows in 16 32 48 64 80 96 128 192 256; do
		t="rows=$rows,cols=$cols,kv=$kv,norm=$norm"
		[ "$s" = flat ] && t="gran=row,$t"
		c=$(cycles "$s" "$t" "$w" "$n")
		[ -n "$c" ] || continue
		if [ -z "$best" ] || [ "$c" -lt "$best" ]; then
			best=$c best_t=$t
		fi
	done
	done
	done
	done
	echo "$best_t"
}

for w in ${LADDER_WORKLOADS:-bert-base}; do
for n in ${LADDER_NPUS:-edge}; do
	echo "== ladder: $w on $n"
	flat_best=$(sweep flat "$w" "$n")
	mas_best=$(sweep mas "$w" "$n")
	printf '%-30s %12s %9s %6s %-8s %7s %7s  %s\n' step cycles energy-uJ eff bound-by \
	    vs-prev vs-first tiling
	first= prev=
	while IFS='|' read -r s t what; do
		[ "$t" = - ] && t=
		if ! "$mastrace" schedule -q -s "$s" -w "$w" --npu "$n" ${t:+-t "$t"} \
		    -o "$dir/s.mtr" >"$dir/sched.txt" 2>"$dir/err.txt"; then
			printf '%-30s %s\n' "$what" "cannot be scheduled: $(cat "$dir/err.txt")"
			continue
		fi
		tiling=$(sed -n 's/.*, tiling //p' "$dir/sched.txt")
		"$mastrace" replay -q "$dir/s.mtr" --stats text | tr -d , >"$dir/stats.txt"
		c=$(sed -n 's/^makespan  *\([0-9]*\) cycles.*/\1/p' "$dir/stats.txt")
		energy=$(sed -n 's/^energy  *\([0-9.]*\) uJ.*/\1/p' "$dir/stats.txt")
		by=$(sed -n 's/^bound .* set by \([a-z0-9-]*\):.*/\1/p' "$dir/stats.txt")
		eff=$(sed -n 's/^bound .* efficiency \([0-9.]*\)%.*/\1/p' "$dir/stats.txt")
		[ -n "$first" ] || first=$c
		[ -n "$prev" ] || prev=$c
		awk -v w="$what" -v c="$c" -v e="$energy" -v f="$eff" -v b="$by" -v p="$prev" \
		    -v s="$first" -v t="$tiling" 'BEGIN {
			printf "%-30s %12d %9.1f %5.1f%% %-8s %6.2fx %6.2fx  %s\n", w, c, e, f, b,
			    p / c, s / c, t }'
		prev=$c
	done <<EOF
flat|prefetch=off,kv=stream,norm=p|FLAT as published
flat|kv=stream,norm=p|+ prefetch
flat|-|+ kv, norm: FLAT by default
flat|${flat_best:--}|FLAT at its best (replayed)
mas|overwrite=off,kv=stream,norm=p|MAS streams, 3 score buffers
mas|kv=stream,norm=p|+ overwrite: MAS as published
mas|-|+ kv, norm: MAS by default
mas|${mas_best:--}|MAS at its best (replayed)
EOF
done
done
