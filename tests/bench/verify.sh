#!/bin/sh
# make bench: verify of flash and MAS on llama3-8b at its preset length,
# the issue's target (at most 60 s on a two-core machine), and peak memory.
set -eu
mastrace=${1:?usage: verify.sh MASTRACE}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mastrace-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

. "$(dirname "$0")/best.sh"

# bench TITLE SCHEDULE-ARGS...: schedule, then time one verify of 4 orders
bench() {
	echo "== verify: $1, on edge ($(nproc) processors)"
	shift
	"$mastrace" schedule "$@" -o "$dir/t.mtr" | sed -n 2p
	/usr/bin/env time -f "%e %M" -o "$dir/time" "$mastrace" verify -q "$dir/t.mtr"
	read -r secs kb <"$dir/time"
	echo "verify   $secs s (target <= 60 s)$(verdict "$secs" "<=" 60), peak RSS $((kb / 1024)) MB"
}

bench "flash, llama3-8b" -s flash -w llama3-8b
# MAS's default tiling does not fit llama3-8b on edge; the smallest rows that fit
bench "mas, llama3-8b, rows=8,cols=64" -s mas -w llama3-8b -t rows=8,cols=64
