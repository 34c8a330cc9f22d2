#!/bin/sh
# Traces as a user meets them: the manual's example, round trips, info,
# convert's failure modes, and the bad-trace corpus.
. "$TOP_SRCDIR/tests/lib.sh"

example="$TOP_SRCDIR/traces/examples/tiny.mtt"

# The example in mastrace-trace(5) is the shipped file, to the byte.
sed -n '/^\.SH EXAMPLE/,/^\.SH SEE ALSO/p' "$TOP_SRCDIR/man/mastrace-trace.5" |
	sed -n '/^\.EX/,/^\.EE/p' | sed -e '1d' -e '$d' -e 's/\\-/-/g' -e 's/\\e/\\/g' >"$TMP/man-example.mtt"
cmp -s "$TMP/man-example.mtt" "$example" || fail "mastrace-trace(5)'s example differs from traces/examples/tiny.mtt"

# text -> .mtr -> text is byte-identical; .mtr -> text -> .mtr too
run convert "$TMP/man-example.mtt" "$TMP/tiny.mtr"
expect_status 0 "convert text to mtr"
run convert "$TMP/tiny.mtr" "$TMP/back.mtt"
expect_status 0 "convert mtr to text"
cmp -s "$TMP/back.mtt" "$example" || fail "text -> mtr -> text is not byte-identical"
run convert "$TMP/back.mtt" "$TMP/again.mtr"
cmp -s "$TMP/tiny.mtr" "$TMP/again.mtr" || fail "mtr -> text -> mtr is not byte-identical"
run convert -f text "$TMP/tiny.mtr" "$TMP/forced.out"
expect_status 0 "convert -f text"
cmp -s "$TMP/forced.out" "$example" || fail "convert -f text output differs"
run convert "$TMP/tiny.mtr" -
expect_status 0 "convert to standard output"
[ "$out" = "$(cat "$example")" ] || fail "convert to - differs"
# an unnormalized trace (comments, any field order) comes out normalized
{
	echo '#!mastrace-trace 1'
	echo '# a comment, then the header in another order'
	echo '#!npu.base = edge'
	echo '#!workload = b=1,h=1,q=16,k=16,d=16'
	echo
	echo 'plan=0-5 op=barrier unit=vec id=0'
} >"$TMP/loose.mtt"
run convert "$TMP/loose.mtt" -
expect_status 0 "convert an unnormalized trace"
expect_out_contains "id=0 unit=vec op=barrier plan=0-5" "fields come out in order"
expect_out_contains "#!workload.name = custom" "header is completed"

# info: counts and spans, from either format and from standard input
for f in "$example" "$TMP/tiny.mtr"; do
	run info "$f"
	expect_status 0 "info $f"
	expect_out_contains "instructions  12" "info counts instructions"
	expect_out_contains "planned       0 .. 402 cycles" "info planned span"
	expect_out_contains "  load                   3              360" "info counts loads"
	expect_out_contains "  dma0                   2              240" "info busy per unit"
	expect_out_contains "npu           edge: 16x16x16 cube" "info names the NPU"
done
run info - <"$TMP/tiny.mtr"
expect_status 0 "info from standard input"
expect_out_contains "instructions  12" "info - counts"
run info --at 8 "$TMP/tiny.mtr"
expect_status 0 "info --at"
[ "$out" = "$(sed -n 's/^\(id=8 .*\)/\1/p' "$example")" ] || fail "info --at 8 printed '$out'"
run info --at 12 "$TMP/tiny.mtr"
expect_status 1 "info --at past the end"
expect_err_contains "cannot seek to instruction 12, the trace has 12" "info --at 12"
run info --at x "$TMP/tiny.mtr"
expect_status 1 "info --at x"

# convert's failures leave nothing behind
run convert "$TOP_SRCDIR/tests/bad-trace/later-dependency.mtt" "$TMP/out.mtr"
expect_status 1 "convert of a bad trace"
[ ! -e "$TMP/out.mtr" ] || fail "convert left out.mtr after an error"
ls -a "$TMP" | grep -q '^\.out\.mtr\.' && fail "convert left a temporary file"
run convert "$example" "$TMP/out.bin"
expect_status 1 "convert to an unknown extension"
expect_err_contains "cannot tell the trace format" "unknown extension"
run convert -f json "$example" "$TMP/out.mtr"
expect_status 1 "convert -f json"
run convert "$example" "$example"
expect_status 1 "convert onto itself"
run convert "$example" "$TMP/no/such/dir/x.mtr"
expect_status 1 "convert into a missing directory"
run convert "$example" -f mtr -
expect_status 1 "binary to standard output"
run convert "$TMP/missing.mtr" "$TMP/x.mtt"
expect_status 1 "convert of a missing file"
expect_err_line "mastrace: convert: $TMP/missing.mtr: cannot open: No such file or directory" "missing input"
run convert "$example"
expect_status 1 "convert with one operand"

# The bad-trace corpus: each file, its one-line message, exit 1.
cd "$TOP_SRCDIR/tests/bad-trace" || exit 99
n=0
tab=$(printf '\t')
while IFS="$tab" read -r file expected; do
	n=$((n + 1))
	run info "$file"
	expect_status 1 "corpus $file"
	expect_err_line "$expected" "corpus $file"
	[ -z "$out" ] || fail "corpus $file: printed to stdout"
	run convert "$file" "$TMP/corpus.mtr"
	expect_status 1 "convert of corpus $file"
	[ ! -e "$TMP/corpus.mtr" ] || fail "convert of corpus $file left output"
done <EXPECTED
files=$(ls ./*.mtt ./*.mtr | grep -cv tiny-good)
[ "$n" -eq "$files" ] || fail "EXPECTED lists $n files, the corpus has $files"
run info tiny-good.mtr
expect_status 0 "the corpus' good file reads"

finish
