#!/bin/sh
# The official Perfetto schema decodes what export writes (protoc needed).
. "$TOP_SRCDIR/tests/lib.sh"

command -v protoc >/dev/null 2>&1 || { echo "protoc not found: install protobuf-compiler"; exit 77; }
ref="$TOP_SRCDIR/tests/reference"	# the official schema, verbatim

run schedule -s mas -o "$TMP/mas.mtr"
run replay "$TMP/mas.mtr" -o "$TMP/mas.r.mtr"
for f in "--flows critical" "--flows all" "--planned" "--from 100us --to 200us"; do
	# shellcheck disable=SC2086
	run export "$TMP/mas.r.mtr" $f -o "$TMP/t.pftrace"
	expect_status 0 "export $f"
	checks=$((checks + 1))
	protoc --proto_path="$ref" --decode=perfetto.protos.Trace perfetto_trace.proto \
	    <"$TMP/t.pftrace" >"$TMP/decoded" 2>"$TMP/perr" ||
		fail "the official schema does not decode export $f: $(cat "$TMP/perr")"
	grep -q "track_event" "$TMP/decoded" || fail "no track events decoded ($f)"
done
finish
