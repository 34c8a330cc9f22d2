#!/bin/sh
# Every dataflow at its best: the new parameters stay exact, prefetch never
# holds a load at a barrier, resident K and V are read once per head, the
# long-sequence defaults, and the lower bound holds (every preset's default
# tiling: cli-defaults.sh).
. "$TOP_SRCDIR/tests/lib.sh"

# exact with every new parameter value, on odd shapes and causal masks
for wl in b=1,h=2,q=100,k=77,d=24 b=2,h=1,q=37,k=130,d=8,causal=1; do
	for npu in edge flat-edge; do
		for st in "mas:rows=16,cols=16,vrows=8" "mas:rows=24,cols=32,overwrite=off" \
		    "flat:rows=16,cols=16" "flat:gran=head,cols=32" "flash:rows=16,cols=16" \
		    "layerwise:rows=16,cols=32"; do
			s=${st%%:*} t=${st#*:}
			extra="prefetch=on prefetch=off"
			case $s:$t in
			mas:*) extra="$extra kv=stream kv=stream,norm=o kv=resident norm=o"
			       extra="$extra kv=resident,norm=o,prefetch=off form=online,norm=o"
			       extra="$extra form=online,kv=resident,prefetch=off form=serial"
			       extra="$extra form=serial,norm=o,kv=resident form=group,norm=o"
			       extra="$extra form=group,norm=o,prefetch=off,kv=resident" ;;
			flat:gran=head*) extra="$extra norm=o" ;;
			flat:*) extra="$extra kv=stream kv=stream,norm=o kv=resident norm=o"
				extra="$extra kv=resident,norm=o" ;;
			flash:*) extra="$extra kv=stream kv=resident" ;;
			esac
			for x in $extra; do
				run schedule -q -s "$s" -w "$wl" --npu "$npu" -t "$t,$x" -o "$TMP/v.mtr"
				expect_status 0 "schedule $s $t,$x on $wl, $npu"
				run verify -q --orders 3 "$TMP/v.mtr"
				expect_status 0 "verify $s $t,$x on $wl, $npu"
			done
		done
	done
done

# MAS's group form with groups shorter than a row (L1 of 22 KiB holds 2
# or 3 key blocks of 16 beside 48 rows' Q, O, K and V), O a cube tile at a time
# in a 4 KiB L0C: every group accumulates its key blocks, the last short
printf '[npu]\nbase = edge\nname = tiny\n[l1]\ncapacity_kib = 22\n[l0]\na_kib = 4\n' \
    >"$TMP/tiny-l1.ini"
printf 'b_kib = 4\nc_kib = 4\n' >>"$TMP/tiny-l1.ini"
for wl in b=1,h=2,q=100,k=77,d=24 b=2,h=1,q=37,k=130,d=24,causal=1; do
	for x in "" ,overwrite=off ,prefetch=off ,kv=stream ,vrows=8; do
		t="rows=48,cols=16,norm=o,form=group$x"
		run schedule -n -s mas -w "$wl" --npu "$TMP/tiny-l1.ini" -t "$t"
		g=$(printf '%s\n' "$out" | sed -n 's/.* groups of \([0-9]*\) score tiles .*/\1/p')
		checks=$((checks + 1))
		[ -n "$g" ] && [ "$g" -ge 2 ] && [ "$g" -lt 5 ] ||
			fail "form=group$x on $wl: '$g' key blocks a group, expected 2 to 4 of 5 or more"
		run schedule -q -s mas -w "$wl" --npu "$TMP/tiny-l1.ini" -t "$t" -o "$TMP/v.mtr"
		expect_status 0 "schedule mas $t on $wl, tiny"
		run verify -q --orders 3 "$TMP/v.mtr"
		expect_status 0 "verify mas $t on $wl, tiny"
	done
done
# a group holds at least two key blocks: below that it says how much L1 it needs
run schedule -s mas -w b=1,h=1,q=100,k=77,d=24 --npu "$TMP/tiny-l1.ini" \
    -t rows=96,cols=16,form=group,norm=o -o "$TMP/g.mtr"
expect_status 1 "form=group where two key blocks do not fit"
expect_err_contains "2 groups of 2 score tiles of rows x cols" "form=group says what it needs"
expect_err_contains "the NPU has 22528 (l1.capacity_kib = 22)" "and what the NPU has"
[ ! -e "$TMP/g.mtr" ] || fail "a tiling that does not fit left $TMP/g.mtr"

# a row block larger than L0 holds goes through the MAC a cube tile at a
# time, exact, with O whole in L0C (rows=32) or a cube tile at a time
# (rows=96, whose O does not fit beside a score tile): an NPU with an
# 8 KiB L0A and a 16 KiB L0C takes 48 of rows=96 (96 x (40 + 32) x 2 > 8 KiB)
printf '[npu]\nbase = edge\nname = small-l0\n[l0]\na_kib = 8\nb_kib = 16\nc_kib = 16\n' \
    >"$TMP/small-l0.ini"
for wl in b=1,h=2,q=131,k=201,d=40,causal=1 b=2,h=1,q=100,k=77,d=40; do
	for st in "mas:rows=96,cols=32,kv=stream" "mas:rows=96,cols=32,norm=p,form=serial" \
	    "mas:rows=128,cols=32,form=online" "mas:rows=32,cols=32,overwrite=off,norm=p" \
	    "flat:gran=head,cols=32,norm=p" "flat:rows=96,cols=32,kv=resident" \
	    "flash:rows=128,cols=32" "layerwise:rows=96,cols=32"; do
		s=${st%%:*} t=${st#*:}
		run schedule -q -s "$s" -w "$wl" --npu "$TMP/small-l0.ini" -t "$t" --allow-spill \
		    -o "$TMP/v.mtr"
		expect_status 0 "schedule $s $t on $wl, small L0"
		run verify -q --orders 3 "$TMP/v.mtr"
		expect_status 0 "verify $s $t on $wl, small L0"
	done
done
# MAS's row block of 96 in cube tiles of 48; layerwise, which keeps O
# whole in L0C (96 x 40 x 4 of 16 KiB), in cube tiles of 8
cube_rows() {	# SCHED TILING: the row counts of its matmuls
	run schedule -q -s "$1" -w b=1,h=1,q=96,k=77,d=40 --npu "$TMP/small-l0.ini" -t "$2" \
	    -o "$TMP/v.mtr"
	run convert "$TMP/v.mtr" -
	printf '%s\n' "$out" | sed -n 's/.* op=matmul .* m=\([0-9]*\) .*/\1/p' | sort -u | tr '\n' ' '
}
checks=$((checks + 2))
[ "$(cube_rows mas rows=96,cols=32,kv=stream)" = "48 " ] ||
	fail "mas rows=96 on an 8 KiB L0A: cube tiles of $(cube_rows mas rows=96,cols=32,kv=stream)"
[ "$(cube_rows layerwise rows=96,cols=32)" = "8 " ] ||
	fail "layerwise rows=96 on a 16 KiB L0C: cube tiles of $(cube_rows layerwise rows=96,cols=32)"
run schedule -q -s mas -w b=1,h=1,q=64,k=300,d=40 --npu "$TMP/small-l0.ini" -t cols=256 \
    -o "$TMP/v.mtr"
expect_status 1 "cols past L0B"
expect_err_contains "parameter 'cols': L0B needs 40960 bytes" "cols past L0B names it"
printf '[npu]\nbase = edge\nname = tiny-l0a\n[l0]\na_kib = 1\n' >"$TMP/tiny.ini"
run schedule -q -s mas -w b=1,h=1,q=64,k=300,d=400 --npu "$TMP/tiny.ini" -t cols=256 \
    -o "$TMP/v.mtr"
expect_status 1 "not one row past L0A"
expect_err_contains "parameter 'cols': L0A needs 1312 bytes for a cube tile of one row" \
    "not one row past L0A says what one row needs"

# loads that wait for a barrier, by their trace: layer-wise scores (tensors s
# and p) come back from DRAM after the barrier that ends their layer, as
# they must; no other load has reason to
barrier_loads() {
	awk '
	/ op=barrier / { split($1, a, "="); bar[a[2]] = 1; next }
	/ op=load / {
		if ($0 ~ /src=dram:[0-9]*\+[0-9]*:[sp]( |,)/) next
		for (i = 1; i <= NF; i++) if ($i ~ /^deps=/) {
			n = split(substr($i, 6), d, ",")
			for (k = 1; k <= n; k++) if (d[k] in bar) { c++; break }
		}
	}
	END { print c + 0 }' "$1"
}
for s in mas flat flash layerwise; do
	for p in on off; do
		run schedule -q -s "$s" -w b=1,h=2,q=96,k=96,d=16,causal=1 \
		    -t "rows=16,cols=32,prefetch=$p" -o "$TMP/p.mtt"
		expect_status 0 "schedule $s prefetch=$p"
		n=$(barrier_loads "$TMP/p.mtt")
		checks=$((checks + 1))
		case $p:$n in
		on:0) ;;
		on:*) fail "$s prefetch=on: $n loads wait for a barrier" ;;
		off:0)	# flash has no barriers: nothing ever held its loads back
			[ "$s" = flash ] ||
				fail "$s prefetch=off: no load waits for a barrier, so the check sees nothing" ;;
		esac
	done
done

# resident K and V: DRAM reads are Q once and K and V once per (batch, head)
json_num() { printf '%s\n' "$out" | sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p"; }
for wl in "2 3 100 130 24 0" "1 2 96 96 16 1"; do
	set -- $wl
	spec="b=$1,h=$2,q=$3,k=$4,d=$5,causal=$6"
	want=$(( $1 * $2 * ($3 * $5 + $4 * 2 * $5) * 2 ))
	for s in mas flat flash; do
		g=; [ "$s" = flat ] && g=gran=row,	# a fused head reads K and V once anyway
		run schedule -q -s "$s" -w "$spec" -t ${g}rows=16,cols=16,kv=resident --format json \
		    -o "$TMP/kv.mtr"
		expect_status 0 "schedule $s kv=resident on $spec"
		got=$(json_num dram_read_bytes)
		checks=$((checks + 1))
		[ "$got" = "$want" ] ||
			fail "$s kv=resident on $spec reads $got bytes from DRAM, expected $want"
		run schedule -q -s "$s" -w "$spec" -t ${g}rows=16,cols=16,kv=stream --format json \
		    -o "$TMP/kv.mtr"
		checks=$((checks + 1))
		[ "$(json_num dram_read_bytes)" -gt "$want" ] ||
			fail "$s kv=stream on $spec reads no more than resident"
	done
done

# the cases: long sequences and a huge head dimension
run schedule -s mas -w llama3-8b --seq 8192 -t form=full -n
expect_status 0 "MAS on llama3-8b at 8192"
expect_out_contains "below the MAC's native height" "the note on llama3-8b"
run schedule -s mas -w b=1,h=1,q=64,k=64,d=4096 -n
expect_status 0 "MAS with a head dimension of 4096"

# the bound never exceeds the makespan, and names what sets it
bound_of() { printf '%s\n' "$out" | ungroup | sed -n 's/^bound  *\([0-9]*\) cycles.*/\1/p'; }
span_of() { printf '%s\n' "$out" | ungroup | sed -n 's/^makespan  *\([0-9]*\) cycles.*/\1/p'; }
for s in mas flat flash layerwise; do
	for r in "" --ideal --no-dram-sharing; do
		run schedule -q -s "$s" -w b=1,h=2,q=128,k=128,d=64 -o "$TMP/b.mtr"
		run replay $r "$TMP/b.mtr" -o "$TMP/b.r.mtr" --stats text
		expect_status 0 "replay $r $s"
		expect_out_contains "set by " "replay $r $s names the binding resource"
		checks=$((checks + 1))
		[ "$(bound_of)" -le "$(span_of)" ] ||
			fail "replay $r $s: bound $(bound_of) above the makespan $(span_of)"
		# stats reads the same models from the header
		b=$(bound_of)
		run stats "$TMP/b.r.mtr"
		checks=$((checks + 1))
		[ "$(bound_of)" = "$b" ] || fail "stats of replay $r $s: bound $(bound_of), replay said $b"
	done
done
run stats --format json "$TMP/b.r.mtr"
expect_out_contains '"bound": {"cycles": ' "JSON bound"
expect_out_contains '"resources": {"mac": ' "JSON resources"
# a single-unit trace under --ideal runs at its bound
{ grep '^#' "$TMP/p.mtt"
  for i in 0 1 2 3 4; do
	echo "id=$i unit=mac op=matmul flags=transb m=16 n=16 k=64 src=l0a:0+2048:q,l0b:0+2048:k dst=l0c:0+1024:s plan=0-0"
  done; } >"$TMP/mac.mtt"
run replay --ideal "$TMP/mac.mtt"
expect_status 0 "replay a MAC-only trace"
expect_out_contains "set by mac: efficiency 100.0%" "a MAC-only trace is at its bound"
expect_out_contains "(dram and ports not modelled)" "--ideal says what the bound leaves out"

finish
