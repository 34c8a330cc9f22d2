#!/bin/sh
# One meaning per number: info and stats agree on busy and overlap; a
# replay records its own command in the header and info shows the chain;
# text groups digits and gets plurals right; JSON keeps raw integers.
. "$TOP_SRCDIR/tests/lib.sh"

run schedule -s mas -w b=1,h=4,q=256,k=256,d=64 -o "$TMP/p.mtr"
expect_status 0 "schedule"
run npu show edge
printf '%s\n' "$out" | sed 's/^capacity_kib = .*/capacity_kib = 96/' >"$TMP/small.ini"
run replay "$TMP/p.mtr" --npu "$TMP/small.ini" --window 64 -o "$TMP/r.mtr"
expect_status 0 "replay on a smaller L1"
run replay "$TMP/r.mtr" --no-port-sharing -o "$TMP/rr.mtt"
expect_status 0 "replay the replay"

# busy per unit: info's replayed busy is stats' busy, unit by unit
run info --format json "$TMP/r.mtr"
info_json="$out"
run stats --format json "$TMP/r.mtr"
stats_json="$out"
for u in mac vec mte dma0 dma1; do
	a=$(printf '%s\n' "$info_json" | sed -n "s/.*\"$u\": {\"instructions\": [0-9]*, \"planned_busy\": [0-9]*, \"replayed_busy\": \([0-9]*\).*/\1/p")
	b=$(printf '%s\n' "$stats_json" | sed -n "s/.*\"$u\": {\"instructions\": [0-9]*, \"busy\": \([0-9]*\).*/\1/p")
	checks=$((checks + 1))
	[ -n "$a" ] && [ "$a" = "$b" ] || fail "$u busy: info says '$a', stats '$b'"
done
a=$(printf '%s\n' "$info_json" | sed -n '/"replayed"/s/.*"mac_vec_overlap": \([0-9]*\).*/\1/p')
b=$(printf '%s\n' "$stats_json" | sed -n 's/.*"mac_vec_overlap_cycles": \([0-9]*\).*/\1/p')
checks=$((checks + 1))
[ -n "$a" ] && [ "$a" = "$b" ] || fail "overlap: info says '$a', stats '$b'"

# provenance: the plan's command, then each replay with its options
run info "$TMP/rr.mtt"
expect_out_contains "command       mastrace schedule -s mas -w b=1,h=4,q=256,k=256,d=64 -o $TMP/p.mtr" "the plan's command"
expect_out_contains "replayed by   mastrace replay $TMP/p.mtr --npu $TMP/small.ini --window 64 -o $TMP/r.mtr
replayed by   mastrace replay $TMP/r.mtr --no-port-sharing -o $TMP/rr.mtt" "the chain of replays"
run info "$TMP/p.mtr"
case "$out" in
*"replayed by"*) fail "a plan claims to be replayed" ;;
esac
run info --format json "$TMP/rr.mtt"
expect_out_contains "\"replayed_by\": [\"mastrace replay $TMP/p.mtr --npu $TMP/small.ini --window 64 -o $TMP/r.mtr\", \"mastrace replay $TMP/r.mtr --no-port-sharing -o $TMP/rr.mtt\"]" "the chain in JSON"
# a plan written before this header entry existed still reads: the entry is optional
run convert "$TMP/rr.mtt" "$TMP/rr.mtr"
run info "$TMP/rr.mtr"
expect_out_contains "replayed by   mastrace replay $TMP/r.mtr --no-port-sharing" "the chain survives .mtr"

# digits grouped, plurals right, raw integers in JSON
run info "$TMP/p.mtr"
expect_out_contains "(native .mtr, format 1.1, 1 block)" "one block, singular"
printf '%s\n' "$out" | grep -q '^instructions  [0-9]\{1,3\}\(,[0-9]\{3\}\)*$' ||
    fail "info's instruction count is not grouped: $(printf '%s\n' "$out" | grep '^instructions')"
printf '%s\n' "$info_json" | grep -q '"instructions": [0-9]*,' || fail "info's JSON count is not a raw integer"
run stats "$TMP/r.mtr"
printf '%s\n' "$out" | grep -q '^makespan      [0-9,]* cycles, [0-9.]* \(ns\|us\|ms\|s\) at 1000 MHz' ||
    fail "stats' makespan line: $(printf '%s\n' "$out" | head -n 1)"

# workload show and npu show for scripts
run workload show llama3-8b --npu edge --format json
expect_status 0 "workload show --format json"
expect_out_contains '"macs_qk": 34368126976' "workload JSON has raw MACs"
expect_out_contains '"bound_by": "mac"' "workload JSON has the bound"
run npu show --format json edge
expect_status 0 "npu show --format json"
expect_out_contains '"capacity_kib": 256' "npu JSON has L1 as a number"
expect_out_contains '"kind": "cube"' "npu JSON has the MAC kind as a string"
run npu list --format json
expect_status 1 "npu list --format"
run workload show --format yaml
expect_err_line "mastrace: workload: --format: got 'yaml', expected text or json
Try 'mastrace workload --help' for more information." "workload --format yaml"
if command -v python3 >/dev/null 2>&1; then
	for args in "workload show bert-base --format json" "npu show flat-cloud --format json" \
	    "info --format json $TMP/rr.mtt" "stats --format json $TMP/r.mtr"; do
		checks=$((checks + 1))
		# shellcheck disable=SC2086
		"$MASTRACE" $args | python3 -c 'import json, sys; json.load(sys.stdin)' ||
		    fail "'$args' is not valid JSON"
	done
fi

# per-instruction stalls are an attribution: on each unit they add up to
# the unit's stalled cycles in the statistics, spills or not
for t in r.mtr rr.mtt; do
	"$MASTRACE" convert "$TMP/$t" - | awk '
		/^id=/ {
			u = ""; st = 0
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^unit=/) u = substr($i, 6)
				if ($i ~ /^stall=/) st = substr($i, 7)
			}
			sum[u] += st
		}
		END { for (u in sum) print u, sum[u] }' | sort >"$TMP/sums"
	"$MASTRACE" stats --format json "$TMP/$t" | awk '
		/^    "[a-z0-9]*": {"instructions"/ {
			u = $1; gsub(/[":]/, "", u)
			s = $0; sub(/.*"stalled": {/, "", s); sub(/}.*/, "", s)
			n = split(s, kv, ", "); tot = 0
			for (i = 1; i <= n; i++) { split(kv[i], p, ": "); tot += p[2] }
			print u, tot
		}' | sort >"$TMP/stalled"
	checks=$((checks + 1))
	[ -s "$TMP/sums" ] && cmp -s "$TMP/sums" "$TMP/stalled" ||
	    fail "$t: stalls per instruction by unit ($(tr '\n' ' ' <"$TMP/sums")) differ from stats' stalled ($(tr '\n' ' ' <"$TMP/stalled"))"
done

finish
