#!/bin/sh
# export as a user runs it: Perfetto output passes the checker of every rule
# Perfetto's importer enforces, shows MAC||VEC overlap, stalls with causes,
# spills and the critical path, agrees with stats; gzip, JSON, CSV, text and
# windows work; bad input is one line and leaves no file.
. "$TOP_SRCDIR/tests/lib.sh"

CHECK="$TOP_BUILDDIR/tests/pf-check"

# stat_of NAME: a field of the text stats in $TMP/stats
unit_busy() {
	awk -v u="$1" '$1 == u && NF >= 6 { print $3 }' "$TMP/stats"
}

run schedule -s mas -w bert-base --npu edge -o "$TMP/mas.mtr"
expect_status 0 "schedule"
run replay "$TMP/mas.mtr" -o "$TMP/mas.r.mtr" --stats text
expect_status 0 "replay"
printf '%s\n' "$out" | ungroup >"$TMP/stats"
"$MASTRACE" stats --format json "$TMP/mas.r.mtr" >"$TMP/stats.json"

run export "$TMP/mas.r.mtr" -o "$TMP/mas.pftrace"
expect_status 0 "export perfetto"
expect_err_contains "from 7770 instructions read" "export says what it wrote"
"$CHECK" "$TMP/mas.pftrace" >"$TMP/report" 2>&1 || fail "the checker rejects the export: $(cat "$TMP/report")"
checks=$((checks + 1))

overlap=$(sed -n 's/.*mac_vec_overlap_ns \([0-9]*\).*/\1/p' "$TMP/report")
[ "${overlap:-0}" -gt 0 ] || fail "MAC and VEC slices do not overlap in the export"
stats_overlap=$(sed -n 's/^overlap       MAC and VEC both busy \([0-9]*\) cycles.*/\1/p' "$TMP/stats")
# edge runs at 1000 MHz: a cycle is a nanosecond, so the two agree exactly
[ "$overlap" = "$stats_overlap" ] || fail "export overlap $overlap ns, stats $stats_overlap cycles"
for u in mac vec mte dma0 dma1; do
	got=$(awk -v u="$u" '$1 == "track" && $2 == u "|slices" { print $12 }' "$TMP/report")
	want=$(unit_busy "$u")
	[ -n "$want" ] && [ "$got" = "$want" ] ||
		fail "$u: busy_cycles annotations sum to '$got', stats says '$want'"
done
cp_len=$(sed -n 's/^critical path \([0-9]*\) instructions.*/\1/p' "$TMP/stats")
flows=$(sed -n 's/.*flows \([0-9]*\) spills.*/\1/p' "$TMP/report")
[ "$flows" -eq $((cp_len - 1)) ] || fail "critical path of $cp_len instructions drawn as $flows flows"
# the counters: GB/s is bytes per nanosecond, so the DRAM counter's area is
# every byte moved; the L1 counter's area over the makespan is the mean
counters_agree() {	# REPORT STATS-JSON WHAT
	awk -v what="$3" '
	function num(key,   s) {	# the integer after "key": on this line
		s = $0
		if (!sub(".*\"" key "\": ", "", s)) return 0
		return s + 0
	}
	FNR == NR && /^track DRAM bandwidth\|counter/ { dram = $NF }
	FNR == NR && /^track L1 resident\|counter/ { l1 = $NF }
	FNR != NR && /"makespan_cycles"/ { cycles = num("makespan_cycles") }
	FNR != NR && /"clock_mhz"/ { mhz = num("clock_mhz") }
	FNR != NR && /^  "dram"/ { bytes = num("read") + num("written") + num("spilled") + num("filled") }
	FNR != NR && /"l1_mean_bytes"/ { mean = num("l1_mean_bytes") }
	END {
		span = cycles * 1000 / mhz	# ns
		if (bytes == 0 || dram < bytes * 0.99999 || dram > bytes * 1.00001) {
			printf "%s: DRAM counter area %s, bytes moved %s\n", what, dram, bytes; exit 1
		}
		d = l1 / span - mean
		if (span == 0 || d > 1 || d < -1) {
			printf "%s: L1 counter mean %s, stats %s\n", what, l1 / span, mean; exit 1
		}
	}' "$1" "$2" || fail "counters disagree with stats ($3)"
}
counters_agree "$TMP/report" "$TMP/stats.json" "mas"
for track in "L1 resident|counter" "DRAM bandwidth|counter" "mac utilisation|counter"; do
	grep -q "^track $track " "$TMP/report" || fail "no '$track' track"
done

# stalls carry their causes; the slices their cycles
if command -v protoc >/dev/null 2>&1; then
	protoc --proto_path="$TOP_SRCDIR/export" --decode=perfetto.protos.Trace perfetto_trace.proto \
	    <"$TMP/mas.pftrace" >"$TMP/decoded" || fail "protoc cannot decode the export"
	grep -q 'string_value: "dep"' "$TMP/decoded" || fail "no stall cause in the export"
	grep -q 'name: "QK b0 h0 r0 c0"' "$TMP/decoded" || fail "no QK slice named by its tile"
	grep -q 'name: "stall_cause"' "$TMP/decoded" || fail "stall_cause not interned"
	grep -q 'name: "granted_bytes_per_cycle"' "$TMP/decoded" || fail "no granted bandwidth"
fi

# spills: MAS planned for flat-edge's 512 KiB, replayed with 128 KiB
printf '[npu]\nbase = flat-edge\nname = fe128\n[l1]\ncapacity_kib = 128\n' >"$TMP/fe128.ini"
run schedule -s mas --npu flat-edge -o "$TMP/fe.mtr"
run replay "$TMP/fe.mtr" --npu "$TMP/fe128.ini" -o "$TMP/fe.r.mtr" --stats text
expect_status 0 "replay with spills"
fe_out=$(printf '%s\n' "$out" | ungroup)
spills=$(printf '%s\n' "$fe_out" | sed -n 's/^spills        \([0-9]*\) spills.*and \([0-9]*\) fills.*/\1/p')
fills=$(printf '%s\n' "$fe_out" | sed -n 's/^spills        \([0-9]*\) spills.*and \([0-9]*\) fills.*/\2/p')
[ "${spills:-0}" -gt 0 ] || fail "no spills to export"
run export "$TMP/fe.r.mtr" -o "$TMP/fe.pftrace.gz"
expect_status 0 "export gzip"
[ "$(od -An -tx1 -N2 "$TMP/fe.pftrace.gz" | tr -d ' ')" = 1f8b ] || fail ".gz output is not gzip"
"$CHECK" "$TMP/fe.pftrace.gz" >"$TMP/report" 2>&1 || fail "the checker rejects the spilling export: $(cat "$TMP/report")"
got=$(sed -n 's/.* spills \([0-9]*\) fills \([0-9]*\).*/\1 \2/p' "$TMP/report")
[ "$got" = "$spills $fills" ] || fail "exported spills and fills '$got', stats '$spills $fills'"
"$MASTRACE" stats --format json "$TMP/fe.r.mtr" >"$TMP/fe.stats.json"
counters_agree "$TMP/report" "$TMP/fe.stats.json" "spilling mas"

# every dataflow, every kind of flow, planned and replayed: all pass the checker
for s in mas flat layerwise flash; do
	run schedule -s $s -w bert-small -o "$TMP/each-$s.mtr"
	expect_status 0 "schedule $s"
	run replay "$TMP/each-$s.mtr" -o "$TMP/each-$s.r.mtr"
	for flows in critical all none; do
		for t in "each-$s.mtr" "each-$s.r.mtr"; do
			run export "$TMP/$t" --flows $flows -o "$TMP/each.pftrace"
			expect_status 0 "export $t --flows $flows"
			"$CHECK" "$TMP/each.pftrace" >"$TMP/report" 2>&1 ||
				fail "the checker rejects $t --flows $flows: $(cat "$TMP/report")"
		done
	done
done

# a window
run export "$TMP/mas.r.mtr" --from 100us --to 200us -o "$TMP/win.pftrace"
expect_status 0 "export a window"
"$CHECK" "$TMP/win.pftrace" >"$TMP/report" 2>&1 || fail "the checker rejects the window: $(cat "$TMP/report")"
run export "$TMP/mas.r.mtr" --from 100us --to 200us --flows all -o "$TMP/win.json"
expect_status 0 "export a window as JSON"

# JSON and CSV, read by real parsers
run export "$TMP/mas.r.mtr" -o "$TMP/mas.json"
expect_status 0 "export json"
run export "$TMP/mas.r.mtr" -o "$TMP/mas.csv"
expect_status 0 "export csv"
run stats --format json "$TMP/mas.r.mtr"
printf '%s\n' "$out" >"$TMP/stats.json"
if command -v python3 >/dev/null 2>&1; then
	python3 - "$TMP/mas.json" "$TMP/win.json" "$TMP/mas.csv" "$TMP/stats.json" <<'PY' || fail "JSON or CSV checks failed"
import csv, json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
threads = {e["args"]["name"] for e in ev if e.get("ph") == "M" and e["name"] == "thread_name"}
for u in ("mac", "vec", "mte", "dma0", "dma1"):
    assert u in threads, "unit %s is not a thread" % u
assert sum(1 for e in ev if e["ph"] in "Xi" and "id" in e.get("args", {})) == 7770, "not one event per instruction"
assert any(e["ph"] == "C" for e in ev), "no counters"
assert any(e["ph"] == "s" for e in ev) and any(e["ph"] == "f" for e in ev), "no flows"
w = json.load(open(sys.argv[2]))["traceEvents"]
xs = [e for e in w if e["ph"] == "X"]
assert xs, "the window is empty"
for e in xs:
    assert e["ts"] + e["dur"] > 100 and e["ts"] < 200, "slice outside the window: %r" % e
for e in w:
    if e["ph"] == "C":
        assert 100 <= e["ts"] < 200, "counter outside the window: %r" % e
rows = list(csv.DictReader(open(sys.argv[3])))
assert len(rows) == 7770, "%d CSV rows" % len(rows)
assert [r["id"] for r in rows] == [str(i) for i in range(7770)], "CSV ids out of order"
assert all(r["stall_cause"] for r in rows), "a row without a stall cause"
st = json.load(open(sys.argv[4]))
for u, v in st["units"].items():
    busy = sum(int(r["busy_cycles"]) for r in rows if r["unit"] == u)
    assert busy == v["busy"], "%s: CSV busy %d, stats %d" % (u, busy, v["busy"])
    assert sum(1 for r in rows if r["unit"] == u) == v["instructions"], u
moved = sum(int(r["bytes"]) for r in rows if r["op"] in ("load", "store", "spill", "fill"))
assert moved == sum(st["dram"].values()), "CSV bytes moved %d, stats %r" % (moved, st["dram"])
print("mac busy", sum(int(r["busy_cycles"]) for r in rows if r["unit"] == "mac"))
PY
	checks=$((checks + 1))
fi

# text: the lossless format, the same as convert's
run export "$TMP/mas.r.mtr" -o "$TMP/mas.mtt"
expect_status 0 "export text"
run convert "$TMP/mas.r.mtr" "$TMP/conv.mtt"
cmp -s "$TMP/mas.mtt" "$TMP/conv.mtt" || fail "export -f text differs from convert"
run export "$TMP/mas.mtr" -f text -o - --planned
expect_status 0 "export a planned trace as text"

# planned traces, standard output, default names
run export "$TMP/mas.mtr" -o "$TMP/plan.pftrace"
expect_status 0 "export a planned trace"
"$CHECK" "$TMP/plan.pftrace" >/dev/null 2>&1 || fail "the checker rejects the planned export"
run export "$TMP/mas.r.mtr" --planned --flows none -f csv -o -
expect_status 0 "csv to standard output"
case "$out" in id,unit,op,*) ;; *) fail "csv on standard output has no header" ;; esac
cp "$TMP/mas.r.mtr" "$TMP/named.mtr"
run export "$TMP/named.mtr"
expect_status 0 "export without -o"
[ -s "$TMP/named.pftrace" ] || fail "without -o the output is not TRACE's name with .pftrace"

# a hand-made trace whose instructions overlap on a unit: extra lanes, still valid
cat >"$TMP/overlap.mtt" <<'MTT'
#!mastrace-trace 1
#!workload = b=1,h=1,s=16,d=16
#!npu.base = edge
id=0 unit=dma0 op=load bytes=2048 src=dram:0+2048:q dst=l1:0+2048:q plan=0-180
id=1 unit=dma0 op=load bytes=2048 src=dram:4096+2048:k dst=l1:4096+2048:k plan=100-280
id=2 unit=dma0 op=load bytes=2048 src=dram:8192+2048:v dst=l1:8192+2048:v plan=50-90
id=3 unit=dma0 op=load bytes=2048 src=dram:9192+2048:v dst=l1:9192+2048:v plan=60-90
MTT
run export "$TMP/overlap.mtt" -o "$TMP/overlap.pftrace"
expect_status 0 "overlapping instructions on one unit"
"$CHECK" "$TMP/overlap.pftrace" >"$TMP/report" 2>&1 || fail "the checker rejects the overlap: $(cat "$TMP/report")"
grep -q '^track dma0 #3|slices slices 1 ' "$TMP/report" || fail "overlapping slices not on lanes"
printf 'id=4 unit=dma0 op=load bytes=2048 src=dram:0+2048:q dst=l1:0+2048:q plan=70-90\n' >>"$TMP/overlap.mtt"
run export "$TMP/overlap.mtt" -o "$TMP/overlap5.pftrace"
expect_status 1 "five instructions at once on one unit"
expect_err_contains "overlap.mtt: instruction 4 starts at cycle 70 while 4 earlier ones still run on dma0" "the overlap is explained"
[ -e "$TMP/overlap5.pftrace" ] && fail "a refused overlap left a file"

# an instruction over a hundred billion cycles, sampled every 7: one value
# stands for all the samples it fills (this took hours, one sample at a time)
cat >"$TMP/long.mtt" <<'MTT'
#!mastrace-trace 1
#!workload = b=1,h=1,s=16,d=16
#!npu.base = edge
id=0 unit=dma0 op=load bytes=2048 src=dram:0+2048:q dst=l1:0+2048:q plan=0-100000000000
MTT
checks=$((checks + 1))
timeout 120 "$MASTRACE" export "$TMP/long.mtt" --util-window 7 -o "$TMP/long.pftrace" 2>/dev/null ||
	fail "a long instruction with a short utilisation window did not export in time"
"$CHECK" "$TMP/long.pftrace" >"$TMP/report" 2>&1 || fail "the checker rejects the long instruction"

# bad input: one line, exit 1, nothing left behind
head -c 6000 "$TMP/mas.r.mtr" >"$TMP/cut.mtr"
for flows in critical none; do
	run export "$TMP/cut.mtr" --flows $flows -o "$TMP/cut.pftrace"
	expect_status 1 "a cut-short trace ($flows)"
	[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "cut-short trace: not one line: $err"
	expect_err_contains "cut.mtr" "the message names the file"
	[ -e "$TMP/cut.pftrace" ] && fail "a cut-short trace left $TMP/cut.pftrace"
done
run export "$TMP/mas.r.mtr" -o "$TMP/mas.pdf"
expect_status 1 "unknown extension"
expect_err_contains "perfetto (.pftrace), json (.json), csv (.csv) or text (.mtt)" "the formats are listed"
[ -e "$TMP/mas.pdf" ] && fail "an unknown extension left a file"
run export "$TMP/mas.r.mtr" -f xml -o "$TMP/x"
expect_status 1 "unknown format"
expect_err_contains "expected perfetto, json, csv or text" "-f lists the formats"
run export "$TMP/mas.r.mtr" --from 2ms --to 1ms -o "$TMP/e.pftrace"
expect_status 1 "an empty window"
expect_err_contains "window is empty" "empty window explained"
run export "$TMP/mas.r.mtr" --from 10parsecs -o "$TMP/e.pftrace"
expect_status 1 "a bad time"
expect_err_contains "ns, us, ms or s" "time units listed"
run export "$TMP/mas.r.mtr" --from -5 -o "$TMP/e.pftrace"
expect_status 1 "a negative time"
run export "$TMP/mas.r.mtr" --to 1ms -o "$TMP/e.mtt"
expect_status 1 "a text window"
run export - -o "$TMP/e.pftrace" <"$TMP/mas.r.mtr"
expect_status 1 "critical path from standard input"
expect_err_contains "standard input" "says why"
run export --flows none - -o "$TMP/stdin.pftrace" <"$TMP/mas.r.mtr"
expect_status 0 "standard input without the critical path"
run export "$TMP/mas.r.mtr" -o "$TMP/mas.r.mtr"
expect_status 1 "TRACE and OUT the same file"
run export --bogus "$TMP/mas.r.mtr"
expect_status 1 "unknown option"
run export "$TMP/mas.r.mtr" --util-window 0.1ns -o "$TMP/e.pftrace"
expect_status 1 "a utilisation window under a cycle"
expect_err_contains "shorter than a cycle" "says why"
if [ -w /dev/full ]; then
	run export "$TMP/mas.r.mtr" -f json -o /dev/full
	expect_status 1 "a full device"
	expect_err_line "mastrace: export: /dev/full: No space left on device" "a full device is one line"
	checks=$((checks + 1))
	status=0
	"$MASTRACE" export "$TMP/mas.r.mtr" -f csv -o - >/dev/full 2>"$TMP/err" || status=$?
	[ "$status" -eq 1 ] || fail "a full standard output: status $status"
fi
run export "$TMP/nonexistent.mtr" -o "$TMP/n.pftrace"
expect_status 1 "a missing trace"
expect_err_contains "nonexistent.mtr" "names the missing file"
[ -e "$TMP/e.pftrace" ] && fail "a failed export left e.pftrace"

finish
