/*
 * libFuzzer target for the exporters: every text trace the reader accepts
 * exports, in every format and flow mode, windowed or not, to a file or to
 * one explained error that leaves no file; and every Perfetto trace written
 * passes the checker of the rules Perfetto's importer enforces.  With the
 * first byte's top bit, diff instead: a replayed trace against itself is
 * equivalent, and the combined trace of the two passes the checker too.
 * The first byte chooses the options, the rest is the trace.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "export.h"
#include "pf-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* diff of a trace with itself: equivalent, reported three ways, written as one Perfetto trace */
static void
self_diff(const char *in, const char *out)
{
	struct pfc_report rep;
	struct diff d;
	struct errbuf e;
	char why[512];
	uint8_t *buf;
	size_t len;
	FILE *null;

	e.msg[0] = '\0';
	if (diff_read(&d, in, in, &e) != 0) {
		diff_free(&d);
		if (e.msg[0] == '\0')
			__builtin_trap();
		return;
	}
	if (!diff_equivalent(&d, 0) || diff_first_divergence(&d, 0) >= 0)
		__builtin_trap();
	if ((null = fopen("/dev/null", "w")) == NULL)
		abort();
	diff_print_text(&d, 0, 24, null);
	diff_print_json(&d, 0, null);
	diff_print_csv(&d, 0, null);
	fclose(null);
	if (diff_write_perfetto(&d, out, &e) != 0) {
		diff_free(&d);
		if (e.msg[0] == '\0' || access(out, F_OK) == 0)
			__builtin_trap();
		return;
	}
	diff_free(&d);
	buf = (void *)pfc_read_file(out, &len);
	if (pfc_check(buf, len, &rep, why, sizeof why) != 0) {
		fprintf(stderr, "fuzz-export: the checker refuses the combined trace: %s\n", why);
		__builtin_trap();
	}
	free(buf);
}

/* The one process's scratch folder (a fuzz target is a program, not the library). */
static char dir[64];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum export_format formats[] = {
		EXPORT_FMT_PERFETTO, EXPORT_FMT_PERFETTO, EXPORT_FMT_JSON, EXPORT_FMT_CSV,
	};
	char in[96], out[96], why[512];
	struct export_counts c;
	struct export_opts o;
	struct errbuf e;
	uint8_t *buf;
	size_t len;
	FILE *f;
	int rc;

	if (size < 1)
		return 0;
	if (dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/fuzz-export.XXXXXX", tmp != NULL ? tmp : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	snprintf(in, sizeof in, "%s/in.mtt", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	if ((f = fopen(in, "wb")) == NULL)
		abort();
	if (fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f) != 0)
		abort();
	unlink(out);

	if (data[0] & 0x80) {
		snprintf(out, sizeof out, "%s/out.pftrace", dir);
		unlink(out);
		self_diff(in, out);
		return 0;
	}
	export_opts_default(&o);
	o.format = formats[data[0] & 3];
	o.flows = (enum export_flows)((data[0] >> 2) % 3);
	o.planned = (data[0] >> 4) & 1;
	if ((data[0] >> 5) & 1) {	/* a window of a few hundred cycles */
		o.from.set = o.from.cycles = true;
		o.from.n = 50;
		o.to.set = o.to.cycles = true;
		o.to.n = 400;
	}
	if ((data[0] >> 6) & 1) {
		o.util_window.set = o.util_window.cycles = true;
		o.util_window.n = 7;
	}
	e.msg[0] = '\0';
	rc = export_file(in, out, &o, &c, &e);
	if (rc != 0) {
		if (e.msg[0] == '\0')
			__builtin_trap();	/* every failure says why */
		if (access(out, F_OK) == 0)
			__builtin_trap();	/* and leaves nothing behind */
		return 0;
	}
	if (o.format == EXPORT_FMT_PERFETTO) {
		struct pfc_report rep;
		buf = (void *)pfc_read_file(out, &len);
		if (buf == NULL && len == 0 && access(out, F_OK) != 0)
			__builtin_trap();
		if (pfc_check(buf, len, &rep, why, sizeof why) != 0) {
			fprintf(stderr, "fuzz-export: the checker refuses the output: %s\n", why);
			__builtin_trap();
		}
		if (o.flows == EXPORT_FLOWS_CRITICAL && rep.flows != c.flows)
			__builtin_trap();
		free(buf);
	}
	return 0;
}
