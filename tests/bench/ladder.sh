#!/bin/sh
# make bench: the ablation ladder of mastrace(7), from FLAT as published to
# MAS at its best, one change per step, on workloads and NPUs given as
# LADDER_WORKLOADS and LADDER_NPUS (default bert-base on edge).  Each step is
# scheduled with its own searched rows and cols and replayed with every model.
set -eu
mastrace=${1:?usage: ladder.sh MASTRACE}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mastrace-ladder.XXXXXX")
trap 'rm -rf "$dir"' EXIT

steps='flat prefetch=off,kv=stream,norm=p|FLAT as published
flat kv=stream,norm=p|+ prefetch
flat -|+ its best kv and norm
mas overwrite=off,kv=stream,norm=p|MAS streams, 3 score buffers
mas kv=stream,norm=p|+ overwrite: MAS as published
mas -|+ its best kv and norm'

for w in ${LADDER_WORKLOADS:-bert-base}; do
for n in ${LADDER_NPUS:-edge}; do
	echo "== ladder: $w on $n"
	printf '%-30s %12s %9s %6s %-8s %7s %7s  %s\n' step cycles energy-uJ eff bound-by \
	    vs-prev vs-first tiling
	first= prev=
	printf '%s\n' "$steps" | while IFS='|' read -r spec what; do
		s=${spec%% *} t=${spec#* }
		[ "$t" = - ] && t=
		if ! "$mastrace" schedule -q -s "$s" -w "$w" --npu "$n" ${t:+-t "$t"} \
		    -o "$dir/s.mtr" >"$dir/sched.txt" 2>"$dir/err.txt"; then
			printf '%-30s %s\n' "$what" "cannot be scheduled: $(cat "$dir/err.txt")"
			continue
		fi
		tiling=$(sed -n 's/.*, tiling //p' "$dir/sched.txt")
		"$mastrace" replay -q "$dir/s.mtr" --stats text | tr -d , >"$dir/stats.txt"
		cycles=$(sed -n 's/^makespan  *\([0-9]*\) cycles.*/\1/p' "$dir/stats.txt")
		energy=$(sed -n 's/^energy  *\([0-9.]*\) uJ.*/\1/p' "$dir/stats.txt")
		by=$(sed -n 's/^bound .* set by \([a-z0-9-]*\):.*/\1/p' "$dir/stats.txt")
		eff=$(sed -n 's/^bound .* efficiency \([0-9.]*\)%.*/\1/p' "$dir/stats.txt")
		[ -n "$first" ] || first=$cycles
		[ -n "$prev" ] || prev=$cycles
		awk -v w="$what" -v c="$cycles" -v e="$energy" -v f="$eff" -v b="$by" -v p="$prev" \
		    -v s="$first" -v t="$tiling" 'BEGIN {
			printf "%-30s %12d %9.1f %5.1f%% %-8s %6.2fx %6.2fx  %s\n", w, c, e, f, b,
			    p / c, s / c, t }'
		prev=$cycles
	done
done
done
