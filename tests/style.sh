#!/bin/sh
# The shape doc/HACKING.md asks of the code: no function longer than 100
# lines (tables of data aside: they are not functions), and each command's
# file under 400 lines (a command parses its options, then calls the
# library; what is longer belongs in the library).
. "$TOP_SRCDIR/tests/lib.sh"

cd "$TOP_SRCDIR" || exit 99
for f in $(find src formats export viewers -name '*.c' ! -name '*.pb-c.c' | sort); do
	checks=$((checks + 1))
	# a definition starts with its name in column 0 and ends at a '}' in column 0
	long=$(awk '/^[A-Za-z_][A-Za-z_0-9]*\(/ { name = $0; sub(/\(.*/, "", name); start = FNR }
	    /^}/ { if (start && FNR - start > 100) printf "%s (%d lines) ", name, FNR - start; start = 0 }' "$f")
	[ -z "$long" ] || fail "$f: functions over 100 lines: $long"
done
for f in src/cli/cmd-*.c; do
	checks=$((checks + 1))
	n=$(wc -l <"$f")
	[ "$n" -lt 400 ] || fail "$f has $n lines; a command parses, then calls the library (at most 399)"
done

finish
