#!/bin/sh
# mastrace npu: presets round-trip through files; bad files get one clear line.
. "$TOP_SRCDIR/tests/lib.sh"

presets="edge flat-edge flat-cloud tileflow-edge"

run npu list
expect_status 0 "npu list"
for p in $presets; do
	expect_out_contains "$p" "npu list shows $p"
done

for p in $presets; do
	run npu show "$p"
	expect_status 0 "npu show $p"
	printf '%s\n' "$out" >"$TMP/$p.ini"
	# the shipped example files are exactly what the presets print
	cmp -s "$TMP/$p.ini" "$TOP_SRCDIR/traces/npu/$p.ini" ||
		fail "traces/npu/$p.ini differs from 'mastrace npu show $p' (regenerate it)"
	run npu check "$TMP/$p.ini"
	expect_status 0 "npu check of 'npu show $p'"
	expect_out_contains "$TMP/$p.ini: ok: '$p'" "npu check $p"
	# a file shows back as the same settings (only the provenance comment goes)
	run npu show "$TMP/$p.ini"
	expect_status 0 "npu show FILE for $p"
	printf '%s\n' "$out" | grep -v '^#' >"$TMP/$p.again"
	grep -v '^#' "$TMP/$p.ini" >"$TMP/$p.settings"
	cmp -s "$TMP/$p.again" "$TMP/$p.settings" || fail "npu show FILE changed $p's settings"
done

# The issue's own scenario: one capacity set to -4.
sed 's/^capacity_kib = .*/capacity_kib = -4/' "$TMP/edge.ini" >"$TMP/e.ini"
line=$(grep -n '^capacity_kib = -4' "$TMP/e.ini" | cut -d: -f1)
run npu check "$TMP/e.ini"
expect_status 1 "negative capacity"
expect_err_line "mastrace: npu: $TMP/e.ini:$line: key 'l1.capacity_kib': got '-4', expected an integer from 1 to 16777216 (KiB)" "negative capacity"
[ -z "$out" ] || fail "negative capacity: printed '$out' on stdout"

# Several files: each is reported, and any failure fails the run.
run npu check "$TMP/edge.ini" "$TMP/e.ini" "$TMP/flat-edge.ini"
expect_status 1 "check of good, bad, good"
expect_out_contains "$TMP/flat-edge.ini: ok" "check continues after a bad file"

run npu check "$TMP/does-not-exist.ini"
expect_status 1 "missing file"
expect_err_line "mastrace: npu: $TMP/does-not-exist.ini: cannot open: No such file or directory" "missing file"

run npu show no-such-npu
expect_status 1 "npu show of an unknown name"
expect_err_contains "npu 'no-such-npu': no such preset or file" "unknown npu name"

run npu show
expect_status 1 "npu show without a name"
run npu check
expect_status 1 "npu check without a file"
run npu list extra
expect_status 1 "npu list with an argument"

# The bad-config corpus: each file, its exact one-line message, exit 1.
cd "$TOP_SRCDIR/tests/bad-npu" || exit 99
n=0
tab=$(printf '\t')
while IFS="$tab" read -r file expected; do
	n=$((n + 1))
	run npu check "$file"
	expect_status 1 "corpus $file"
	expect_err_line "$expected" "corpus $file"
done <EXPECTED
[ "$n" -eq "$(ls ./*.ini | wc -l)" ] || fail "EXPECTED lists $n files, the corpus has $(ls ./*.ini | wc -l)"

# the longest description fits its line, written back and read again
d=$(printf '%0184d' 0)
printf '[npu]\nbase = edge\nname = long\ndescription = %s\n' "$d" >"$TMP/desc.ini"
run npu show "$TMP/desc.ini"
expect_status 0 "a 184-character description"
printf '%s\n' "$out" >"$TMP/desc2.ini"
run npu check "$TMP/desc2.ini"
expect_status 0 "npu show's output of a 184-character description reads back"
printf '[npu]\nbase = edge\nname = long\ndescription =%s0\n' "$d" >"$TMP/desc3.ini"
run npu check "$TMP/desc3.ini"
expect_status 1 "a 185-character description"
expect_err_contains "at most 184 characters" "a 185-character description"

finish
