#!/bin/sh
# The manual pages match the program: every command has a page, and each
# page's OPTIONS section lists exactly the long options --help shows.
. "$TOP_SRCDIR/tests/lib.sh"

man="$TOP_SRCDIR/man"

# long options mentioned in text on stdin, one per line, sorted
long_opts() {
	sed 's/\\-/-/g' | grep -o -- '--[a-z][a-z-]*' | sort -u
}

# the OPTIONS section of a man page
options_section() {
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$1"
}

run --help
commands=$(printf '%s\n' "$out" | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 && $1 != "Commands:" {print $1}')
[ -n "$commands" ] || fail "could not read the command list from --help"

printf '%s\n' "$out" | sed -n '/^Options:/,/^$/p' | long_opts >"$TMP/help"
options_section "$man/mastrace.1" | long_opts >"$TMP/man"
cmp -s "$TMP/help" "$TMP/man" || { fail "mastrace(1) OPTIONS differ from --help:"; diff "$TMP/help" "$TMP/man"; }

for c in $commands; do
	[ "$c" = help ] && continue
	page="$man/mastrace-$c.1"
	if [ ! -f "$page" ]; then
		fail "command '$c' has no manual page mastrace-$c.1"
		continue
	fi
	grep -q "mastrace\\\\-$c" "$man/mastrace.1" || fail "mastrace(1) does not mention mastrace-$c(1)"
	run "$c" --help
	printf '%s\n' "$out" | sed -n '/^Options:/,/^$/p' | long_opts >"$TMP/help"
	options_section "$page" | long_opts >"$TMP/man"
	cmp -s "$TMP/help" "$TMP/man" || { fail "mastrace-$c(1) OPTIONS differ from --help:"; diff "$TMP/help" "$TMP/man"; }
	# the synopsis lines of --help appear in the page's SYNOPSIS
	printf '%s\n' "$out" | sed -n 's/^ *\(Usage: \)\{0,1\}mastrace '"$c"' \([a-z]*\).*/\2/p' | while read -r action; do
		[ -z "$action" ] && continue
		sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$page" | grep -q "^\.B $c$\|$action" ||
			echo "FAIL: mastrace-$c(1) SYNOPSIS lacks '$action'"
	done >"$TMP/syn"
	[ -s "$TMP/syn" ] && { cat "$TMP/syn"; failures=$((failures + 1)); }
done

# every key npu show prints is documented in mastrace-npu(5)
run npu show edge
for key in $(printf '%s\n' "$out" | sed -n 's/^\([a-z0-9_]*\) = .*/\1/p'); do
	checks=$((checks + 1))
	grep -q "^\.B $key\$\|^\.BR $key " "$man/mastrace-npu.5" || fail "mastrace-npu(5) does not document key '$key'"
done

# every dataflow of the registry has its section in mastrace(7) and is named
# where mastrace-schedule(1) lists them, in the registry's order
names=$(dataflows)
[ -n "$names" ] || fail "schedule --list names no dataflow"
for s in $names; do
	checks=$((checks + 1))
	grep -qF ".SS $s \\(em" "$man/mastrace.7" || fail "mastrace(7) has no section for the dataflow $s"
done
list=$(dataflows_sentence)
checks=$((checks + 1))
grep -q "The dataflow: $list (default mas)" "$man/mastrace-schedule.1" ||
	fail "mastrace-schedule(1) does not list the dataflows as the registry does: $list"

finish
