#!/bin/sh
# Every workload preset, dataflow and NPU preset has a default tiling that
# fits, or a refusal that names the smallest footprint and what to do.  The
# default is searched on the whole workload (seconds for the long ones):
# the points run two at a time, and a sanitizer build, 5 to 15 times
# slower and there to find memory and thread errors rather than to re-rank
# tilings, walks the small presets only.
. "$TOP_SRCDIR/tests/lib.sh"

# point W NPU S: one default tiling; prints "ok" or one FAIL line (xargs
# runs the points through this script: "--point W NPU S")
point() {
	o=$("$MASTRACE" schedule -n -s "$3" -w "$1" --npu "$2" 2>"$TMP/err.$1.$2.$3")
	st=$?
	e=$(cat "$TMP/err.$1.$2.$3")
	case $st in
	0)
		set -- "$@" $(printf '%s\n' "$o" | ungroup |
		    sed -n 's/.*L1 \([0-9]*\) of \([0-9]*\) bytes.*/\1 \2/p')
		if [ -n "$5" ] && [ "$4" -le "$5" ]; then
			echo ok
		else
			echo "FAIL: $3 on $1, $2: the default tiling does not fit: $o"
		fi
		;;
	1)
		case $e in
		*"the smallest footprint of this dataflow"*"--allow-spill"*) echo ok ;;
		*) echo "FAIL: $3 on $1, $2: refused without the smallest footprint: $e" ;;
		esac
		;;
	*) echo "FAIL: $3 on $1, $2: exit status $st: $e" ;;
	esac
}

if [ "$1" = --point ]; then
	shift
	point "$@"
	exit 0
fi

workloads=$("$MASTRACE" workload list | awk '/^[a-z]/ { print $1 }')
npus=$("$MASTRACE" npu list | awk '/^[a-z]/ { print $1 }')
[ -n "$workloads" ] && [ -n "$npus" ] ||
	{ echo "FAIL: workload list or npu list printed no preset"; exit 1; }
if [ "${MASTRACE_SANITIZED:-no}" = yes ]; then
	workloads="bert-base vit-b16"
fi
for w in $workloads; do
	for n in $npus; do
		dataflows | while read -r s; do echo "$w $n $s"; done
	done
done >"$TMP/points"
n_points=$(wc -l <"$TMP/points")
xargs -P 2 -L 1 sh "$0" --point <"$TMP/points" >"$TMP/results"
checks=$((checks + n_points))
[ "$(grep -c '^ok$' "$TMP/results")" -eq "$n_points" ] || {
	grep '^FAIL' "$TMP/results"
	failures=$((failures + $(grep -c -v '^ok$' "$TMP/results") + 0))
	[ "$(wc -l <"$TMP/results")" -eq "$n_points" ] ||
		fail "$(wc -l <"$TMP/results") results for $n_points points"
}

finish
