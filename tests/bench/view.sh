#!/bin/sh
# make bench: mastrace view on a trace of 10 million instructions (the
# synthetic MAS-like trace of bench-trace): the time to open it (its summary
# built in one pass) and to print the plain-text timeline, and the time per
# frame of a scripted session (--batch) zooming from the whole trace down to
# single instructions and panning, with the peak memory of each.
set -eu
bench=${1:?usage: view.sh BENCH-TRACE-BINARY MASTRACE}
mastrace=${2:?usage: view.sh BENCH-TRACE-BINARY MASTRACE}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mastrace-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

"$bench" write 10000000 "$dir/big.mtr" >/dev/null
echo "== view, 10,000,000 instructions"
/usr/bin/time -f "open and print the text timeline: %e s, peak RSS %M KiB" \
    "$mastrace" view -q --width 100 "$dir/big.mtr" 2>&1 >/dev/null
keys='llll++++++++++++++++hhhhllll----------------0GgLLLLHHHHjjjjkkkk'
/usr/bin/time -f "open and play ${#keys} keys: %e s, peak RSS %M KiB" \
    "$mastrace" view -q --batch "$keys" "$dir/big.mtr" 2>&1
