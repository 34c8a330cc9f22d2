#!/bin/sh
# The command line itself: help, version, exit statuses, usage errors.
. "$TOP_SRCDIR/tests/lib.sh"

run --version
expect_status 0 "--version"
[ "$(echo "$out" | head -n 1)" = "mastrace $PACKAGE_VERSION" ] ||
	fail "--version: first line is '$(echo "$out" | head -n 1)', expected 'mastrace $PACKAGE_VERSION'"
[ -z "$err" ] || fail "--version wrote to stderr"
run -V
expect_status 0 "-V"

for h in --help -h help; do
	run $h
	expect_status 0 "$h"
	expect_out_contains "Usage: mastrace" "$h"
	expect_out_contains "npu" "$h lists npu"
	expect_out_contains "workload" "$h lists workload"
	[ -z "$err" ] || fail "$h wrote to stderr"
done

for c in npu workload; do
	run help $c
	expect_status 0 "help $c"
	expect_out_contains "Usage: mastrace $c" "help $c"
	help_text=$out
	run $c --help
	expect_status 0 "$c --help"
	[ "$out" = "$help_text" ] || fail "'mastrace $c --help' differs from 'mastrace help $c'"
	run $c -h
	expect_status 0 "$c -h"
done

run
expect_status 1 "no command"
expect_err_contains "no command given" "no command"
[ -z "$out" ] || fail "no command: usage went to stdout"

run bogus
expect_status 1 "unknown command"
expect_err_contains "mastrace: unknown command 'bogus'" "unknown command"
expect_err_contains "Try 'mastrace --help'" "unknown command"

run --bogus
expect_status 1 "unknown global option"
expect_err_contains "unknown option '--bogus'" "unknown global option"

run -x
expect_status 1 "unknown short option"
expect_err_contains "unknown option '-x'" "unknown short option"

run help bogus
expect_status 1 "help on an unknown command"
expect_err_contains "help: unknown command 'bogus'" "help bogus"

run help npu workload
expect_status 1 "help with two names"

run npu --bogus
expect_status 1 "unknown subcommand option"
expect_err_contains "mastrace: npu: unknown option '--bogus'" "npu --bogus"
expect_err_contains "Try 'mastrace npu --help'" "npu --bogus"

run npu -q
expect_status 1 "unknown short subcommand option"
expect_err_contains "mastrace: npu: unknown option '-q'" "npu -q"

run workload show --seq
expect_status 1 "option without its value"
expect_err_contains "option '--seq' needs a value" "--seq without value"

run npu
expect_status 1 "npu without action"
expect_err_contains "expected an action" "npu without action"

run npu frobnicate
expect_status 1 "npu unknown action"
expect_err_contains "unknown action 'frobnicate'" "npu unknown action"

finish
