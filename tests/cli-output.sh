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

printf "old\n" >"$TMP/real.mtt"
ln -s real.mtt "$TMP/link.mtt"
run convert "$TMP/kept.mtt" "$TMP/link.mtt"
expect_status 0 "convert to a symlink"
[ -L "$TMP/link.mtt" ] || fail "writing through a symlink replaced the link"
cmp -s "$TMP/kept.mtt" "$TMP/real.mtt" || fail "the symlink's target did not get the data"

run convert -f text "$example" /dev/null
expect_status 0 "convert to /dev/null"
[ -c /dev/null ] || fail "/dev/null is no longer a character device"

: >"$TMP/private.mtt"
chmod 600 "$TMP/private.mtt"
run convert "$example" "$TMP/private.mtt"
[ "$(stat -c %a "$TMP/private.mtt")" = 600 ] || fail "a chmod 600 output became $(stat -c %a "$TMP/private.mtt")"

# a hard link is broken: the name written gets the new file, the other name
# keeps the old data (mastrace(1), OUTPUT FILES)
run convert "$example" "$TMP/hard-a.mtt"
ln "$TMP/hard-a.mtt" "$TMP/hard-b.mtt"
run convert -f text "$TMP/kept.mtt" "$TMP/hard-a.mtt"
expect_status 0 "convert over a hard link"
[ "$(stat -c %h "$TMP/hard-b.mtt")" = 1 ] || fail "the hard link was not broken"
cmp -s "$example" "$TMP/hard-b.mtt" || fail "the other name of a hard link changed"

# a character device made for the test (root only): written in place, still a device
if [ "$(id -u)" -eq 0 ] && mknod "$TMP/null" c 1 3 2>/dev/null; then
	run convert -f text "$example" "$TMP/null"
	expect_status 0 "convert to a scratch character device"
	[ -c "$TMP/null" ] || fail "the scratch character device was replaced by a regular file"
else
	echo "not root, or no mknod here: the scratch character device check is skipped"
fi

# a stale temporary of a killed run is never taken for the output, nor touched
: >"$TMP/.stale.mtt.0123456789ab"
run convert "$example" "$TMP/stale.mtt"
expect_status 0 "convert beside a stale temporary"
cmp -s "$example" "$TMP/stale.mtt" || fail "the output beside a stale temporary differs"
[ -f "$TMP/.stale.mtt.0123456789ab" ] || fail "a stale temporary of another run was removed"

mkfifo "$TMP/fifo.mtt"
cat "$TMP/fifo.mtt" >"$TMP/from-fifo.mtt" &
reader=$!
run convert "$example" "$TMP/fifo.mtt"
expect_status 0 "convert to a FIFO"
wait "$reader"
cmp -s "$example" "$TMP/from-fifo.mtt" || fail "the FIFO did not carry the trace"

# killed outright mid-write (a pinned tiling: writing starts at once, with
# no search first): no handler runs, and still no file is left
mkdir "$TMP/kill"
"$MASTRACE" schedule -s flash -t rows=80,cols=64 -w llama3-8b --seq 8192 -o "$TMP/kill/big.mtr" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
checks=$((checks + 1))
left=$(ls -A "$TMP/kill" | grep -v '^big\.mtr$' || true)
[ -z "$left" ] || fail "a killed schedule left: $left"

finish
