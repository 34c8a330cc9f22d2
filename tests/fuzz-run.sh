#!/bin/sh
# A bounded libFuzzer run of each target (the readers, the NPU parser, the
# replay, verify, the exporters, the viewer's summary and the replay's
# monotonicity) from its seeds, with its dictionary; skipped (77) unless
# the tree was configured with --enable-fuzzing.  FUZZ_SECONDS (default 30)
# is each target's time; `make fuzz FUZZ_SECONDS=600` runs them for longer,
# keeping what they find in FUZZ_CORPUS (default: a temporary folder).
. "$TOP_SRCDIR/tests/lib.sh"

[ -n "$FUZZ_TARGETS" ] || { echo "fuzzing not configured (--enable-fuzzing)"; exit 77; }
seconds=${FUZZ_SECONDS:-30}
corpus=${FUZZ_CORPUS:-$TMP/corpus}

T="$TOP_SRCDIR/tests"
for t in $FUZZ_TARGETS; do
	name=${t##*/}
	case "$name" in
	fuzz-npu) seeds="$TOP_SRCDIR/traces/npu $T/bad-npu $T/repro" dict=npu ;;
	fuzz-mtr) seeds="$T/mtr-seeds $T/bad-trace $T/repro" dict=mtr ;;
	fuzz-text) seeds="$TOP_SRCDIR/traces/examples $T/bad-trace $T/repro" dict=text ;;
	fuzz-replay) seeds="$TOP_SRCDIR/traces/examples $T/replay-seeds $T/repro" dict=text ;;
	fuzz-verify) seeds="$TOP_SRCDIR/traces/examples $T/replay-seeds $T/repro" dict=text ;;
	fuzz-export) seeds="$T/export-seeds" dict=text ;;
	fuzz-view) seeds="$T/export-seeds" dict=text ;;
	fuzz-monotone) seeds="" dict="" ;;	# its bytes are choices: no seed says more
	*) seeds="" dict="" ;;
	esac
	mkdir -p "$corpus/$name"
	checks=$((checks + 1))
	# a fixed seed keeps a short run repeatable
	"$TOP_BUILDDIR/$t" -seed=1 -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
		${dict:+-dict="$T/fuzz/$dict.dict"} "$corpus/$name" $seeds \
		>"$TMP/$name.log" 2>&1 || { fail "$name found a crash:"; tail -n 40 "$TMP/$name.log"; }
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/$name.log")
	cov=$(grep -o 'cov: [0-9]*' "$TMP/$name.log" | tail -n 1)
	echo "$name: ${execs:-?} executions in ${seconds}s, ${cov:-cov: ?}, corpus $(ls "$corpus/$name" | wc -l)"
done

finish
