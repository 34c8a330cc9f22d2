#!/bin/sh
# Outputs: a file appears whole or not at all, keeps its mode, a symlink's
# target is written, devices are written directly, and a killed run leaves
# nothing behind.
. "$TOP_SRCDIR/tests/lib.sh"

example="$TOP_SRCDIR/traces/examples/tiny.mtt"

: >"$TMP/kept.mtt"
chmod 640 "$TMP/kept.mtt"
run convert "$example" "$TMP/kept.mtt"
expect_status 0 "convert over an existing file"
[ "$(stat -c %a "$TMP/kept.mtt")" = 640 ] || fail "a rewritten file lost its mode 640: $(stat -c %a "$TMP/kept.mtt")"
cmp -s "$example" "$TMP/kept.mtt" || fail "the rewritten file differs from its source"

run convert "$example" "$TMP/real.mtt"
ln -s real.mtt "$TMP/link.mtt"
run convert "$TMP/kept.mtt" "$TMP/link.mtt"
expect_status 0 "convert to a symlink"
[ -L "$TMP/link.mtt" ] || fail "writing through a symlink replaced the link"

run convert -f text "$example" /dev/null
expect_status 0 "convert to /dev/null"

mkfifo "$TMP/fifo.mtt"
cat "$TMP/fifo.mtt" >"$TMP/from-fifo.mtt" &
reader=$!
run convert "$example" "$TMP/fifo.mtt"
expect_status 0 "convert to a FIFO"
wait "$reader"
cmp -s "$example" "$TMP/from-fifo.mtt" || fail "the FIFO did not carry the trace"

# killed outright mid-write: no handler runs, and still no file is left
mkdir "$TMP/kill"
"$MASTRACE" schedule -s flash -w llama3-8b --seq 8192 -o "$TMP/kill/big.mtr" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
checks=$((checks + 1))
left=$(ls -A "$TMP/kill" | grep -v '^big\.mtr$' || true)
[ -z "$left" ] || fail "a killed schedule left: $left"

finish
