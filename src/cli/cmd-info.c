/* mastrace info: what a trace holds. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "cost.h"
#include "mtr.h"
#include "num.h"
#include "summary.h"
#include "trace-file.h"
#include "trace-text.h"

static void
usage(FILE *f)
{
	fputs("Usage: mastrace info [--at N] TRACE\n"
	    "\n"
	    "Print a trace's header (tool, NPU, workload, scheduler, tiling, command),\n"
	    "its instruction counts by unit and by opcode, the busy cycles of each unit,\n"
	    "the planned and replayed time spans, and its size per instruction.  The\n"
	    "whole file is read and checked.  TRACE is a .mtr or text trace; - reads\n"
	    "standard input.\n"
	    "\n"
	    "Options:\n"
	    "      --at N     print instruction N (counting from 0) as a text line\n"
	    "                 instead; a .mtr file seeks to it through its index\n"
	    "  -h, --help     show this help and exit\n"
	    "\n"
	    "See mastrace-info(1) and mastrace-trace(5).\n", f);
}

static void
span_line(const char *what, uint64_t lo, uint64_t hi, const struct npu *n)
{
	printf("%-13s %llu .. %llu cycles (%llu cycles, %.3f us at %u MHz)\n", what,
	    (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)(hi - lo),
	    (double)(hi - lo) / n->clock_mhz, (unsigned)n->clock_mhz);
}

static int
show_at(struct trace_reader *r, enum trace_format fmt, const char *path, uint64_t at)
{
	const struct isa_instr *in = NULL;
	struct errbuf e;
	char line[4200];
	int rc = 1;

	if (fmt == TRACE_FMT_MTR && strcmp(path, "-") != 0) {
		if (trace_seek(r, at, &e) != 0) {
			cli_error("%s", e.msg);
			return EXIT_ERROR;
		}
	}
	while (r->count <= at && (rc = trace_next(r, &in, &e)) == 1)
		;
	if (rc < 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (rc == 0 || in == NULL || in->id != at) {
		cli_error("%s: no instruction %llu, the trace has %llu", path,
		    (unsigned long long)at, (unsigned long long)r->count);
		return EXIT_ERROR;
	}
	text_format_instr(in, line, sizeof line);
	printf("%s\n", line);
	if (in->replayed && in->unit >= ISA_UNIT_DMA0 && in->bytes > 0) {
		double req, got;
		cost_transfer_rate(&r->hdr.npu, in, &req, &got);
		printf("bandwidth %.3f GB/s granted of %.3f requested (%.1f%%)\n",
		    cost_gbs(&r->hdr.npu, got), cost_gbs(&r->hdr.npu, req), 100.0 * got / req);
	}
	return EXIT_OK;
}

static int
do_info(const char *path, const char *at_arg)
{
	const struct trace_header *h;
	struct summary sum;
	struct trace_reader *r;
	enum trace_format fmt;
	struct mtr_stats ms;
	struct errbuf e;
	struct stat st;
	char buf[256], spec[WL_SPEC_MAX];
	uint64_t at = 0;
	unsigned i;
	int rc;

	if (at_arg != NULL && num_parse_u64(at_arg, &at) != 0) {
		cli_error("--at: got '%s', expected an instruction number", at_arg);
		return EXIT_ERROR;
	}
	if (trace_open_read(path, &r, &fmt, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (at_arg != NULL) {
		rc = show_at(r, fmt, path, at);
		trace_close_read(r);
		return rc;
	}
	if (summary_read(&sum, r, path, &e) != 0) {
		cli_error("%s", e.msg);
		trace_close_read(r);
		return EXIT_ERROR;
	}
	h = &r->hdr;
	printf("%-13s %s (%s", "file", path, fmt == TRACE_FMT_MTR ? "native .mtr" : "text");
	if (fmt == TRACE_FMT_MTR) {
		mtr_reader_stats(r, &ms);
		printf(", format %u.%u, %llu blocks", ms.major, ms.minor,
		    (unsigned long long)ms.blocks);
	}
	printf(")\n");
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0)
		printf("%-13s %lld bytes, %.2f bytes per instruction\n", "size",
		    (long long)st.st_size, r->count ? (double)st.st_size / (double)r->count : 0.0);
	printf("%-13s %s\n", "tool", h->tool[0] ? h->tool : "(not recorded)");
	if (h->command[0])
		printf("%-13s %s\n", "command", h->command);
	npu_summary(&h->npu, buf, sizeof buf);
	printf("%-13s %s: %s\n", "npu", h->npu.name, buf);
	wl_format(&h->wl, spec, sizeof spec);
	printf("%-13s %s (%s)\n", "workload", h->wl.name, spec);
	printf("%-13s %s\n", "scheduler", h->sched[0] ? h->sched : "(not recorded)");
	printf("%-13s %s\n", "tiling", h->tiling[0] ? h->tiling : "(none)");
	printf("%-13s %llu\n", "instructions", (unsigned long long)r->count);
	if (r->count > 0) {
		span_line("planned", sum.plan_lo, sum.plan_hi, &h->npu);
		printf("%-13s %llu cycles MAC and VEC both busy (%.1f%% of the planned span)\n",
		    "overlap", (unsigned long long)sum.overlap, sum.plan_hi > sum.plan_lo ?
		    100.0 * (double)sum.overlap / (double)(sum.plan_hi - sum.plan_lo) : 0.0);
	}
	if (sum.replayed > 0) {
		span_line("replayed", sum.rep_lo, sum.rep_hi, &h->npu);
		printf("%-13s %llu cycles MAC and VEC both busy (%.1f%% of the replayed span)\n",
		    "overlap", (unsigned long long)sum.rep_overlap, sum.rep_hi > sum.rep_lo ?
		    100.0 * (double)sum.rep_overlap / (double)(sum.rep_hi - sum.rep_lo) : 0.0);
	} else {
		printf("%-13s no\n", "replayed");
	}
	printf("\n%-13s %12s %16s%s\n", "unit", "instructions", "planned busy",
	    sum.replayed ? "    replayed busy" : "");
	for (i = 0; i < ISA_NUNITS; i++) {
		if (sum.unit[i].count == 0)
			continue;
		printf("  %-11s %12llu %16llu", isa_unit_name(i, buf, sizeof buf),
		    (unsigned long long)sum.unit[i].count, (unsigned long long)sum.unit[i].busy);
		if (sum.replayed)
			printf(" %16llu", (unsigned long long)sum.unit[i].rep_busy);
		printf("\n");
	}
	printf("\n%-13s %12s %16s%s\n", "opcode", "instructions", "planned cycles",
	    sum.replayed ? "  replayed cycles" : "");
	for (i = 0; i < ISA_NOPS; i++) {
		if (sum.op[i].count == 0)
			continue;
		printf("  %-11s %12llu %16llu", isa_op_name(i), (unsigned long long)sum.op[i].count,
		    (unsigned long long)sum.op[i].busy);
		if (sum.replayed)
			printf(" %16llu", (unsigned long long)sum.op[i].rep_busy);
		printf("\n");
	}
	trace_close_read(r);
	return EXIT_OK;
}

static int
run(int argc, char **argv)
{
	enum { OPT_AT = 256 };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "at", required_argument, NULL, OPT_AT },
		{ NULL, 0, NULL, 0 },
	};
	const char *at = NULL;
	int ch;

	while ((ch = cli_getopt(&cmd_info, argc, argv, "h", longopts)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case OPT_AT:
			at = optarg;
			break;
		default:
			return EXIT_ERROR;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(&cmd_info, "expected one TRACE");
	return do_info(argv[optind], at);
}

const struct cmd cmd_info = {
	"info", "show what a trace holds: header, counts, time spans", run, usage,
};
