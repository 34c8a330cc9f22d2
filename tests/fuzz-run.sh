#!/bin/sh
# A short, bounded libFuzzer run of each reader and of the replay; skipped
# (77) unless the tree was configured with --enable-fuzzing.
. "$TOP_SRCDIR/tests/lib.sh"

[ -n "$FUZZ_TARGETS" ] || { echo "fuzzing not configured (--enable-fuzzing)"; exit 77; }

for t in $FUZZ_TARGETS; do
	name=${t##*/}
	case "$name" in
	fuzz-npu) seeds="$TOP_SRCDIR/traces/npu $TOP_SRCDIR/tests/bad-npu $TOP_SRCDIR/tests/repro" ;;
	fuzz-mtr) seeds="$TOP_SRCDIR/tests/bad-trace $TOP_SRCDIR/tests/repro" ;;
	fuzz-text) seeds="$TOP_SRCDIR/traces/examples $TOP_SRCDIR/tests/bad-trace $TOP_SRCDIR/tests/repro" ;;
	fuzz-replay) seeds="$TOP_SRCDIR/traces/examples $TOP_SRCDIR/tests/replay-seeds $TOP_SRCDIR/tests/repro" ;;
	*) seeds="" ;;
	esac
	mkdir -p "$TMP/$name"
	checks=$((checks + 1))
	# a fixed seed and run count keep the run bounded and repeatable
	"$TOP_BUILDDIR/$t" -seed=1 -runs=200000 -max_total_time=30 -max_len=4096 "$TMP/$name" $seeds \
		>"$TMP/$name.log" 2>&1 || { fail "$name found a crash:"; tail -n 30 "$TMP/$name.log"; }
done

finish
