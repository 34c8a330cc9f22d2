#!/bin/sh
# Nothing lost, nothing unbounded: no output replaces an input under any
# name, a dangling symlink is followed, a signal leaves no temporary, two
# compare runs never mix their files, and a few bytes of input or command
# line never buy days of work or gigabytes of memory without a refusal
# that states the estimate (shared/repro/README.md, "from outside").
. "$TOP_SRCDIR/tests/lib.sh"

example="$TOP_SRCDIR/traces/examples/tiny.mtt"
cd "$TMP" || exit 99
run convert "$example" a.mtr
run replay a.mtr -o a.r.mtr
expect_status 0 "the replayed input"
cp a.r.mtr keep.r.mtr

# ---- an output is never an input, under any name ----
# unchanged NAME DESCRIPTION: NAME still holds the replayed input
unchanged() {
	checks=$((checks + 1))
	cmp -s keep.r.mtr "$1" || fail "$2: the input $1 was replaced"
}

run export a.r.mtr -o ./a.r.mtr -f json
expect_status 1 "export onto ./INPUT"
expect_err_line "mastrace: export: ./a.r.mtr: is the input a.r.mtr under another name; write the output under another name" "export onto ./INPUT"
unchanged a.r.mtr "export onto ./INPUT"

ln -s a.r.mtr alias.json
run export a.r.mtr -o alias.json
expect_status 1 "export onto a symlink to the input"
unchanged a.r.mtr "export onto a symlink"

ln a.r.mtr hard.r.mtr
run diff -o hard.r.mtr a.r.mtr a.r.mtr
expect_status 2 "diff -o onto a hard link of A"
expect_err_contains "hard.r.mtr: is the input a.r.mtr under another name" "diff -o names both"
unchanged a.r.mtr "diff -o onto a hard link"
run diff -o a.r.mtr a.r.mtr a.r.mtr
expect_status 2 "diff -o onto A itself"
expect_err_line "mastrace: diff: a.r.mtr: is an input of this command; write the output under another name" "diff -o onto A"
unchanged a.r.mtr "diff -o onto A"

run convert a.r.mtr a.r.mtt
run export a.r.mtt -f text
expect_status 1 "export without -o onto its own input"
expect_err_line "mastrace: export: a.r.mtt: without -o the output would be a.r.mtt, the input itself; name another with -o" "default output"
run convert a.r.mtr ./a.r.mtr
expect_status 1 "convert onto ./IN"
unchanged a.r.mtr "convert onto ./IN"
run replay a.r.mtr -o "$TMP/a.r.mtr"
expect_status 1 "replay onto IN by an absolute name"
unchanged a.r.mtr "replay onto IN"

"$MASTRACE" npu show edge >edge.ini
cp edge.ini edge-kept.ini
run schedule --npu edge.ini -o ./edge.ini
expect_status 1 "schedule onto its NPU file"
cmp -s edge.ini edge-kept.ini || fail "schedule replaced its NPU file"
run replay a.r.mtr --npu edge.ini -o edge.ini
expect_status 1 "replay onto its NPU file"
cmp -s edge.ini edge-kept.ini || fail "replay replaced its NPU file"

# ---- a dangling symlink is followed: the link stays, its target appears ----
ln -s target.mtt dangling.mtt
run convert a.mtr dangling.mtt
expect_status 0 "convert to a dangling symlink"
[ -L dangling.mtt ] || fail "the dangling symlink was replaced by a file"
[ -f target.mtt ] || fail "the dangling symlink's target was not written"
mkdir sub
ln -s ../sub/deep.mtt sub/link.mtt
run convert a.mtr sub/link.mtt
expect_status 0 "convert to a relative dangling symlink in a folder"
[ -L sub/link.mtt ] && [ -f sub/deep.mtt ] || fail "a relative dangling link was not followed"

# ---- a signal leaves no temporary (named temporaries: no O_TMPFILE) ----
for sig in INT TERM HUP; do
	mkdir "sig$sig"
	# a shell's background job ignores SIGINT: give it back its default;
	# a pinned tiling, so the file opens at once even under TSan
	MASTRACE_NO_TMPFILE=1 env --default-signal=INT "$MASTRACE" schedule -q -s flash -t rows=80,cols=64 \
		-w llama3-8b --seq 16384 -o "sig$sig/big.mtr" >/dev/null 2>&1 &
	pid=$!
	# wait (up to a minute) for the temporary to appear, then signal
	n=0
	while [ -z "$(ls -A "sig$sig")" ] && [ "$n" -lt 600 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	checks=$((checks + 1))
	[ -n "$(ls -A "sig$sig")" ] || fail "SIG$sig: no temporary appeared in a minute"
	kill "-$sig" "$pid"
	wait "$pid" 2>/dev/null
	checks=$((checks + 1))
	left=$(ls -A "sig$sig")
	[ -z "$left" ] || fail "SIG$sig left: $left"
done

# ---- one compare writes into a folder at a time ----
mkdir dir
if command -v flock >/dev/null 2>&1; then
	checks=$((checks + 1))
	st=0
	flock dir "$MASTRACE" compare -q -w vit-b16 -s mas,flat -o dir >/dev/null 2>locked || st=$?
	[ "$st" -eq 1 ] || fail "compare into a locked folder: exit $st"
	grep -q "dir: another mastrace compare is writing into this directory" locked ||
		fail "compare into a locked folder: $(cat locked)"
else
	echo "no flock(1): the folder lock is not checked"
fi
"$MASTRACE" npu show flat-edge >dir/bert-base-mas.mtr
cp dir/bert-base-mas.mtr fe.ini
run compare -q -w bert-base -s mas,flat --npu dir/bert-base-mas.mtr -o dir
expect_status 1 "compare writing over its NPU file"
expect_err_contains "is the input dir/bert-base-mas.mtr" "names the NPU file"
cmp -s dir/bert-base-mas.mtr fe.ini || fail "compare replaced its NPU file"

# ---- duplicates and messages of compare's lists ----
run compare -w bert-small,bert-small
expect_status 1 "a workload twice"
expect_err_contains "is the workload 'bert-small' again" "names the duplicate"
run compare --seq 64,64
expect_status 1 "a length twice"
expect_err_contains "--seq: 64 is given twice" "names the duplicate length"
run compare -t mas:rows=32 -t mas:rows=16
expect_status 1 "a dataflow's tiling twice"
expect_err_contains "-t: mas has a tiling already (mas:rows=32)" "names the first tiling"
run compare --seq 1000000000
expect_status 1 "--seq beyond the limit"
expect_err_contains "mastrace: compare: --seq: got '1000000000', expected an integer from 1 to 16777216" "names --seq once"
expect_err_contains "Try 'mastrace compare --help'" "a usage error"

# ---- a plan of days is refused from its shape, with the count ----
run schedule -s flash -w b=1,h=1,s=16777216,d=16 -n
expect_status 1 "schedule -n of 2^24 keys"
expect_err_contains "makes at least 3.93e+10 instructions on custom (1 head of at least 3.93e+10), more than the limit of 1.07e+09" "the estimate"
expect_err_contains "raise the limit (--max-instructions)" "the option"
run schedule -s flash -w b=1,h=1,s=16384,d=16 --max-instructions 1000 -o x.mtr
expect_status 1 "--max-instructions lowers the limit"
expect_err_contains "more than the limit of 1e+03" "the limit given"
[ -e x.mtr ] && fail "a refused plan left x.mtr"
run schedule --max-instructions 0 -n
expect_status 1 "--max-instructions 0"
expect_err_contains "--max-instructions: got '0', expected a positive count" "a usage error"
run compare -q -s flash,mas -w b=1,h=1,s=16777216,d=16
expect_status 0 "compare of 2^24 keys answers"
expect_out_contains "flash: cannot be scheduled: flash with tiling rows=112,cols=128,prefetch=on,kv=stream makes at least 3.93e+10 instructions" "a cell with the count"

# ---- a screen of 10^8 cells is refused, not drawn ----
run view --batch q --width 10000 --height 10000 a.r.mtr
expect_status 1 "a 10000x10000 batch screen"
expect_err_contains "--height: got '10000', expected an integer from 5 to 1000" "the height bound"
run view --batch q --width 10000 a.r.mtr
expect_status 1 "a 10000-column batch screen"
expect_err_contains "expected at most 1000 columns for a screen" "the width bound"

finish
