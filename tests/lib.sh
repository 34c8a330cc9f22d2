# lib.sh: helpers the shell tests source.  Each test is a plain sh script
# run by automake's harness: exit 0 passes, 77 skips, anything else fails.

: "${MASTRACE:?run this through make check}"
: "${TOP_SRCDIR:?run this through make check}"

failures=0
checks=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mastrace-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

fail() {
	failures=$((failures + 1))
	echo "FAIL: $*"
}

# run ARGS...: run mastrace, leaving $out, $err (file contents) and $status.
run() {
	checks=$((checks + 1))
	status=0
	"$MASTRACE" "$@" >"$TMP/out" 2>"$TMP/err" || status=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}

# expect_status N DESCRIPTION
expect_status() {
	[ "$status" -eq "$1" ] || fail "$2: exit status $status, expected $1 (stderr: $err)"
}

# expect_out_contains TEXT DESCRIPTION
expect_out_contains() {
	case "$out" in
	*"$1"*) ;;
	*) fail "$2: stdout lacks '$1'" ;;
	esac
}

# expect_err_line TEXT DESCRIPTION: stderr is exactly this one line
expect_err_line() {
	if [ "$err" != "$1" ]; then
		fail "$2: stderr is not the expected line"
		echo "  got:      $err"
		echo "  expected: $1"
	fi
}

# expect_err_contains TEXT DESCRIPTION
expect_err_contains() {
	case "$err" in
	*"$1"*) ;;
	*) fail "$2: stderr lacks '$1' (got: $err)" ;;
	esac
}

# ungroup: copy stdin to stdout with thousands separators taken out of numbers
ungroup() {
	sed -e ':a' -e 's/\([0-9]\),\([0-9]\{3\}\)/\1\2/' -e 'ta'
}

# dataflows: the registry's dataflows, one per line, as `schedule --list` names them
dataflows() {
	"$MASTRACE" schedule --list | awk '/^[a-z]/ { print $1 }'
}

# dataflows_sentence: "mas, flat, flash or layerwise", as messages list them
dataflows_sentence() {
	dataflows | awk '{ a[NR] = $1 } END { for (i = 1; i <= NR; i++) printf "%s%s", a[i], i == NR ? "" : i == NR - 1 ? " or " : ", " }'
}

finish() {
	echo "$checks checks, $failures failed"
	[ "$failures" -eq 0 ]
}
