/* mastrace info: what a trace holds. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "json.h"
#include "cost.h"
#include "mtr.h"
#include "num.h"
#include "summary.h"
#include "trace-file.h"
#include "trace-text.h"

static void
usage(FILE *f)
{
	fputs("Usage: mastrace info [--at N] [--format text|json] TRACE\n"
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
	    "      --format FMT  text (default) or json\n"
	    "  -h, --help     show this help and exit\n"
	    "\n"
	    "See mastrace-info(1) and mastrace-trace(5).\n", f);
}

static void
span_line(const char *what, uint64_t lo, uint64_t hi, const struct npu *n)
{
	char a[NUM_TEXT_MAX], b[NUM_TEXT_MAX], c[NUM_TEXT_MAX], d[NUM_TEXT_MAX];

	printf("%-13s %s .. %s cycles (%s cycles, %s at %u MHz)\n", what, num_group(lo, a),
	    num_group(hi, b), num_group(hi - lo, c),
	    num_duration((double)(hi - lo) / n->clock_mhz * 1e-6, d), (unsigned)n->clock_mhz);
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

/* The next link of a header's chain of replays (" | " between) into buf; its length, 0 at the end. */
static size_t
next_replay(const char **p, char *buf, size_t len)
{
	const char *bar = strstr(*p, " | ");
	size_t n = bar ? (size_t)(bar - *p) : strlen(*p);

	snprintf(buf, len, "%.*s", (int)n, *p);
	*p += bar ? n + 3 : n;
	return n;
}

static void
tally_row(const char *name, const struct summary_tally *t, bool replayed)
{
	char a[NUM_TEXT_MAX], b[NUM_TEXT_MAX], c[NUM_TEXT_MAX], d[NUM_TEXT_MAX];

	printf("  %-11s %12s %16s", name, num_group(t->count, a), num_group(t->busy, b));
	if (replayed)
		printf(" %16s %12s", num_group(t->rep_busy, c), num_group(t->rep_slowed, d));
	printf("\n");
}

static void
print_text(const char *path, enum trace_format fmt, const struct mtr_stats *ms, long long size,
    const struct trace_header *h, uint64_t count, const struct summary *sum)
{
	char buf[256], spec[WL_SPEC_MAX], a[NUM_TEXT_MAX];
	char link[sizeof h->replay];
	const char *p;
	unsigned i;

	printf("%-13s %s (%s", "file", path, fmt == TRACE_FMT_MTR ? "native .mtr" : "text");
	if (ms != NULL)
		printf(", format %u.%u, %s block%s", ms->major, ms->minor, num_group(ms->blocks, a),
		    ms->blocks == 1 ? "" : "s");
	printf(")\n");
	if (size >= 0)
		printf("%-13s %s bytes, %.2f bytes per instruction\n", "size",
		    num_group((uint64_t)size, a), count ? (double)size / (double)count : 0.0);
	printf("%-13s %s\n", "tool", h->tool[0] ? h->tool : "(not recorded)");
	if (h->command[0])
		printf("%-13s %s\n", "command", h->command);
	/* the chain of replays, oldest first, one per line */
	for (p = h->replay; next_replay(&p, link, sizeof link) > 0;)
		printf("%-13s %s\n", "replayed by", link);
	npu_summary(&h->npu, buf, sizeof buf);
	printf("%-13s %s: %s\n", "npu", h->npu.name, buf);
	wl_format(&h->wl, spec, sizeof spec);
	printf("%-13s %s (%s)\n", "workload", h->wl.name, spec);
	printf("%-13s %s\n", "scheduler", h->sched[0] ? h->sched : "(not recorded)");
	printf("%-13s %s\n", "tiling", h->tiling[0] ? h->tiling : "(none)");
	printf("%-13s %s\n", "instructions", num_group(count, a));
	if (count > 0) {
		span_line("planned", sum->plan_lo, sum->plan_hi, &h->npu);
		printf("%-13s %s cycles MAC and VEC both busy (%.1f%% of the planned span)\n",
		    "overlap", num_group(sum->overlap, a), sum->plan_hi > sum->plan_lo ?
		    100.0 * (double)sum->overlap / (double)(sum->plan_hi - sum->plan_lo) : 0.0);
	}
	if (sum->replayed > 0) {
		span_line("replayed", sum->rep_lo, sum->rep_hi, &h->npu);
		printf("%-13s %s cycles MAC and VEC both busy (%.1f%% of the replayed span)\n",
		    "overlap", num_group(sum->rep_overlap, a), sum->rep_hi > sum->rep_lo ?
		    100.0 * (double)sum->rep_overlap / (double)(sum->rep_hi - sum->rep_lo) : 0.0);
	} else {
		printf("%-13s no\n", "replayed");
	}
	/* replayed busy is counted as stats counts it: the cost at full speed */
	printf("\n%-13s %12s %16s%s\n", "unit", "instructions", "planned busy",
	    sum->replayed ? "    replayed busy       slowed" : "");
	for (i = 0; i < ISA_NUNITS; i++)
		if (sum->unit[i].count > 0)
			tally_row(isa_unit_name(i, buf, sizeof buf), &sum->unit[i], sum->replayed);
	printf("\n%-13s %12s %16s%s\n", "opcode", "instructions", "planned cycles",
	    sum->replayed ? "  replayed cycles       slowed" : "");
	for (i = 0; i < ISA_NOPS; i++)
		if (sum->op[i].count > 0)
			tally_row(isa_op_name(i), &sum->op[i], sum->replayed);
}

static void
json_tallies(const char *key, const struct summary_tally *t, unsigned n, bool units)
{
	char buf[16];
	unsigned i;
	bool first = true;

	printf(",\n  \"%s\": {", key);
	for (i = 0; i < n; i++) {
		if (t[i].count == 0)
			continue;
		printf("%s\n    \"%s\": {\"instructions\": %llu, \"planned_busy\": %llu, "
		    "\"replayed_busy\": %llu, \"replayed_slowed\": %llu}", first ? "" : ",",
		    units ? isa_unit_name(i, buf, sizeof buf) : isa_op_name(i),
		    (unsigned long long)t[i].count, (unsigned long long)t[i].busy,
		    (unsigned long long)t[i].rep_busy, (unsigned long long)t[i].rep_slowed);
		first = false;
	}
	printf("\n  }");
}

static void
print_json(const char *path, enum trace_format fmt, const struct mtr_stats *ms, long long size,
    const struct trace_header *h, uint64_t count, const struct summary *sum)
{
	char spec[WL_SPEC_MAX];
	char link[sizeof h->replay];
	const char *p;
	bool first = true;

	printf("{\n  \"file\": ");
	json_string(stdout, path);
	printf(",\n  \"format\": \"%s\"", fmt == TRACE_FMT_MTR ? "mtr" : "text");
	if (ms != NULL)
		printf(",\n  \"mtr_version\": \"%u.%u\",\n  \"blocks\": %llu", ms->major,
		    ms->minor, (unsigned long long)ms->blocks);
	if (size >= 0)
		printf(",\n  \"bytes\": %lld", size);
	printf(",\n  \"tool\": ");
	json_string(stdout, h->tool);
	printf(",\n  \"command\": ");
	json_string(stdout, h->command);
	printf(",\n  \"replayed_by\": [");
	for (p = h->replay; next_replay(&p, link, sizeof link) > 0; first = false) {
		printf("%s", first ? "" : ", ");
		json_string(stdout, link);
	}
	printf("],\n  \"npu\": ");
	json_string(stdout, h->npu.name);
	printf(",\n  \"clock_mhz\": %u,\n  \"workload\": ", (unsigned)h->npu.clock_mhz);
	json_string(stdout, h->wl.name);
	wl_format(&h->wl, spec, sizeof spec);
	printf(",\n  \"workload_spec\": ");
	json_string(stdout, spec);
	printf(",\n  \"scheduler\": ");
	json_string(stdout, h->sched);
	printf(",\n  \"tiling\": ");
	json_string(stdout, h->tiling);
	printf(",\n  \"instructions\": %llu,\n  \"replayed_instructions\": %llu",
	    (unsigned long long)count, (unsigned long long)sum->replayed);
	if (count > 0)
		printf(",\n  \"planned\": {\"start\": %llu, \"end\": %llu, "
		    "\"mac_vec_overlap\": %llu}", (unsigned long long)sum->plan_lo,
		    (unsigned long long)sum->plan_hi, (unsigned long long)sum->overlap);
	if (sum->replayed > 0)
		printf(",\n  \"replayed\": {\"start\": %llu, \"end\": %llu, "
		    "\"mac_vec_overlap\": %llu}", (unsigned long long)sum->rep_lo,
		    (unsigned long long)sum->rep_hi, (unsigned long long)sum->rep_overlap);
	json_tallies("units", sum->unit, ISA_NUNITS, true);
	json_tallies("opcodes", sum->op, ISA_NOPS, false);
	printf("\n}\n");
}

static int
do_info(const char *path, bool at_given, uint64_t at, bool json)
{
	const struct trace_header *h;
	struct summary sum;
	struct trace_reader *r;
	enum trace_format fmt;
	struct mtr_stats ms;
	struct errbuf e;
	struct stat st;
	long long size;
	int rc;

	if (trace_open_read(path, &r, &fmt, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (at_given) {
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
	if (fmt == TRACE_FMT_MTR)
		mtr_reader_stats(r, &ms);
	size = strcmp(path, "-") != 0 && stat(path, &st) == 0 ? (long long)st.st_size : -1;
	if (json)
		print_json(path, fmt, fmt == TRACE_FMT_MTR ? &ms : NULL, size, h, r->count, &sum);
	else
		print_text(path, fmt, fmt == TRACE_FMT_MTR ? &ms : NULL, size, h, r->count, &sum);
	trace_close_read(r);
	return EXIT_OK;
}

struct options {
	const char *path;
	bool at_given, json;
	uint64_t at;
};

static int
parse(int argc, char **argv, void *opts)
{
	enum { OPT_AT = 256, OPT_FORMAT };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "at", required_argument, NULL, OPT_AT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ NULL, 0, NULL, 0 },
	};
	struct options *o = opts;
	int ch;

	while ((ch = cli_getopt(&cmd_info, argc, argv, "h", longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return CLI_DONE;
		case OPT_AT:
			if (num_parse_u64(optarg, &o->at) != 0)
				return cli_usage_error(&cmd_info, "--at: got '%s', expected an "
				    "instruction number", optarg);
			o->at_given = true;
			break;
		case OPT_FORMAT:
			if (cli_report_format(&cmd_info, "--format", "text", optarg, &o->json) != 0)
				return EXIT_ERROR;
			break;
		default: return EXIT_ERROR;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(&cmd_info, "expected one TRACE");
	o->path = argv[optind];
	return 0;
}

static int
act(void *opts, const char *command)
{
	const struct options *o = opts;

	(void)command;
	return do_info(o->path, o->at_given, o->at, o->json);
}

const struct cmd cmd_info = {
	"info", "show what a trace holds: header, counts, time spans", sizeof(struct options),
	parse, act, usage,
};
