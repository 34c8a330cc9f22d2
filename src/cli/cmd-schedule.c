/* mastrace schedule: write the instruction trace of a dataflow. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "eval.h"
#include "json.h"
#include "meter.h"
#include "num.h"
#include "schedule.h"
#include "trace-file.h"

static void
usage(FILE *f)
{
	char names[SCHED_NAMES_MAX];

	sched_names(names, sizeof names);
	fprintf(f, "Usage: mastrace schedule [-s SCHED] [-w WORKLOAD] [--seq N] [--npu NAME|FILE]\n"
	    "                         [-t TILING] [--allow-spill] [--force] [-q]\n"
	    "                         [--max-instructions N] [--format text|json] -o OUT\n"
	    "       mastrace schedule [-s SCHED] [-w WORKLOAD] [--seq N] [--npu NAME|FILE]\n"
	    "                         [-t TILING] [--allow-spill] [--max-instructions N]\n"
	    "                         --dry-run\n"
	    "       mastrace schedule --list\n"
	    "\n"
	    "Plan attention as a dataflow on an NPU and write its instruction trace, each\n"
	    "instruction timed by the cost model the replay shares.  SCHED is one of\n"
	    "%s (default mas); TILING is key=value pairs of the\n"
	    "scheduler's parameters (see --list); parameters left out are searched for\n"
	    "the shortest planned makespan that fits.  A tiling that needs more L1 than\n"
	    "the NPU has is refused unless --allow-spill.  OUT ending in .mtr is native, .mtt or - is text.\n"
	    "Before writing, the size of the trace is estimated: a large one is announced\n"
	    "on stderr, and text of more than 10,000 instructions to a terminal is\n"
	    "refused without --force, and a plan of more than --max-instructions is\n"
	    "refused before any of it is made.  A summary follows on stdout (stderr\n"
	    "with -o -).\n"
	    "\n"
	    "Options:\n"
	    "  -s, --sched SCHED      the dataflow (default mas)\n"
	    "  -w, --workload SPEC    the workload (default " WL_DEFAULT_PRESET "); see mastrace-workload(1)\n"
	    "      --seq N            set both sequence lengths to N\n"
	    "      --npu NAME|FILE    the NPU (default " NPU_DEFAULT_PRESET ")\n"
	    "  -t, --tiling TILING    tiling parameters, e.g. rows=64,overwrite=off\n"
	    "      --allow-spill      write a plan whose L1 footprint exceeds the buffer\n"
	    "      --force            write a large text trace to a terminal all the same\n"
	    "      --max-instructions N  refuse a plan of more (default 1.07G; 2e9, 4G)\n"
	    "  -q, --quiet            no progress line and no size warning\n"
	    "      --format FMT       the summary as text (default) or json\n"
	    "  -o, --output OUT       the trace to write\n"
	    "  -n, --dry-run          print the tiling chosen, the estimates and what L1\n"
	    "                         holds; write nothing\n"
	    "      --list             list the schedulers and their tiling parameters\n"
	    "  -h, --help             show this help and exit\n"
	    "\n"
	    "See mastrace-schedule(1) and, for the dataflows, mastrace(7).\n", names);
}

static void
list(void)
{
	const struct sched *s;
	size_t i;
	unsigned p, c;

	for (i = 0; i < sched_count(); i++) {
		s = sched_at(i);
		printf("%-10s %s\n", s->name, s->summary);
		for (p = 0; p < s->nparams; p++) {
			printf("  %-10s %s; ", s->params[p].name, s->params[p].doc);
			if (s->params[p].choices) {
				for (c = 0; s->params[p].choices[c]; c++)
					printf("%s%s", c ? "|" : "", s->params[p].choices[c]);
				printf(" (default %s)\n", s->params[p].choices[0]);
			} else {
				printf("%lld..%lld\n", (long long)s->params[p].min,
				    (long long)s->params[p].max);
			}
		}
	}
}

struct options {
	const struct sched *sched;
	struct workload wl;
	struct tiling tiling;
	const char *npu, *out;
	uint64_t max_instructions;
	bool allow_spill, force, quiet, json, dry_run;
};

/* Warnings and refusals on the size of what would be written. */
#define TERMINAL_TEXT_MAX 10000ull		/* instructions of text to a terminal */
#define LARGE_INSTRUCTIONS (16ull << 20)	/* what verify can still hold */
#define LARGE_BYTES (1ull << 30)

static const char *
bytes_text(uint64_t b, char *buf, size_t len)
{
	if (b >= (1ull << 30))
		snprintf(buf, len, "%.1f GiB", (double)b / (1ull << 30));
	else if (b >= (1ull << 20))
		snprintf(buf, len, "%.1f MiB", (double)b / (1ull << 20));
	else
		snprintf(buf, len, "%.1f KiB", (double)b / 1024);
	return buf;
}

/* 0 to go on, EXIT_ERROR when the output is refused. */
static int
check_size(const struct options *o, const struct sched_estimate *est)
{
	bool text = trace_format_for_path(o->out) == TRACE_FMT_TEXT;
	uint64_t bytes = text ? est->text_bytes : est->text_bytes / 100;
	char n[NUM_TEXT_MAX], b[32];

	if (text && strcmp(o->out, "-") == 0 && isatty(STDOUT_FILENO) && !o->force &&
	    est->instructions > TERMINAL_TEXT_MAX) {
		cli_error("about %s instructions (%s of text) would go to the terminal; write "
		    "them to a file (-o plan.mtr), pipe them, or pass --force",
		    num_group(est->instructions, n), bytes_text(est->text_bytes, b, sizeof b));
		return EXIT_ERROR;
	}
	if (!o->quiet && (est->instructions > LARGE_INSTRUCTIONS || bytes > LARGE_BYTES))
		cli_warning("about %s instructions, %s%s of %s; smaller problems (--seq, b=, h=) "
		    "or larger tiles (-t) make fewer",
		    num_group(est->instructions, n), text ? "" : "about ",
		    bytes_text(bytes, b, sizeof b), text ? "text" : ".mtr");
	return 0;
}

static void
summary_text(FILE *f, const struct options *o, const struct sched *s, const struct npu *npu,
    const struct workload *wl, const struct sched_result *res)
{
	char a[NUM_TEXT_MAX], b[NUM_TEXT_MAX], c[NUM_TEXT_MAX], d[NUM_TEXT_MAX];

	fprintf(f, "%s: %s on %s, %s, tiling %s\n", o->out, s->name, npu->name, wl->name,
	    res->tiling);
	fprintf(f, "  %s instruction%s, planned makespan %s cycles (%s)\n",
	    num_group(res->instructions, a), res->instructions == 1 ? "" : "s",
	    num_group(res->makespan, b), num_duration((double)res->makespan / npu->clock_mhz * 1e-6,
	    c));
	fprintf(f, "  %s MACs, DRAM %s bytes read", num_group(res->macs, a),
	    num_group(res->dram_read, b));
	fprintf(f, " and %s written (compulsory %s), ", num_group(res->dram_write, c),
	    num_group(wl_compulsory_bytes(wl), d));
	fprintf(f, "L1 %s of %s bytes\n", num_group(res->fit.l1_bytes, a),
	    num_group(npu->l1.capacity_bytes, b));
	if (res->fit.note[0] != '\0')
		fprintf(f, "  note: %s\n", res->fit.note);
}

static void
summary_json(FILE *f, const struct options *o, const struct sched *s, const struct npu *npu,
    const struct workload *wl, const struct sched_result *res)
{
	char spec[WL_SPEC_MAX];

	wl_format(wl, spec, sizeof spec);
	fputs("{\"output\": ", f);
	json_string(f, o->out);
	fprintf(f, ", \"scheduler\": \"%s\", \"npu\": ", s->name);
	json_string(f, npu->name);
	fputs(", \"workload\": ", f);
	json_string(f, wl->name);
	fputs(", \"workload_spec\": ", f);
	json_string(f, spec);
	fputs(", \"tiling\": ", f);
	json_string(f, res->tiling);
	fprintf(f, ", \"instructions\": %llu, \"makespan_cycles\": %llu, \"clock_mhz\": %u, "
	    "\"macs\": %llu, \"dram_read_bytes\": %llu, \"dram_write_bytes\": %llu, "
	    "\"compulsory_bytes\": %llu, \"l1_bytes\": %llu, \"l1_capacity_bytes\": %llu",
	    (unsigned long long)res->instructions, (unsigned long long)res->makespan,
	    (unsigned)npu->clock_mhz, (unsigned long long)res->macs,
	    (unsigned long long)res->dram_read, (unsigned long long)res->dram_write,
	    (unsigned long long)wl_compulsory_bytes(wl), (unsigned long long)res->fit.l1_bytes,
	    (unsigned long long)npu->l1.capacity_bytes);
	fputs(", \"note\": ", f);
	json_string(f, res->fit.note);
	fputs("}\n", f);
}

/* Plan the tiling, its size checked before anything long is made. */
static int
prepare(const struct options *o, const struct npu *npu, struct sched_result *res,
    struct sched_estimate *est)
{
	struct errbuf e;

	if (eval_prepare(o->sched, npu, &o->wl, &o->tiling, o->allow_spill, res, &e) != 0 ||
	    sched_check_size(o->sched, &o->wl, &res->t, o->max_instructions, &e) != 0 ||
	    sched_estimate(o->sched, npu, &o->wl, res, est, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	return 0;
}

static int
dry_run(const struct options *o, const struct npu *npu, const struct sched_result *res,
    const struct sched_estimate *est)
{
	char a[NUM_TEXT_MAX], b[NUM_TEXT_MAX], c[NUM_TEXT_MAX], d[NUM_TEXT_MAX];

	printf("%s on %s, %s, tiling %s\n  about %s instructions, planned makespan %s "
	    "cycles, L1 %s of %s bytes\n", o->sched->name, npu->name, o->wl.name, res->tiling,
	    num_group(est->instructions, a), num_group(est->makespan, b),
	    num_group(res->fit.l1_bytes, c), num_group(npu->l1.capacity_bytes, d));
	if (res->fit.formula[0] != '\0')
		printf("  L1 holds %s\n", res->fit.formula);
	if (res->fit.note[0] != '\0')
		printf("  note: %s\n", res->fit.note);
	return EXIT_OK;
}

static int
act(void *opts, const char *command)
{
	const struct options *o = opts;
	struct sched_estimate est;
	struct sched_result res;
	struct meter m;
	struct errbuf e;
	struct npu npu;
	FILE *info = o->out != NULL && strcmp(o->out, "-") == 0 ? stderr : stdout;
	int rc;

	if (cli_npu(o->npu, &npu) != 0 || prepare(o, &npu, &res, &est) != 0)
		return EXIT_ERROR;
	if (o->dry_run)
		return dry_run(o, &npu, &res, &est);
	if ((rc = check_size(o, &est)) != 0)
		return rc;
	meter_init(&m, "schedule", "instructions", o->quiet);
	rc = eval_write_plan(o->sched, &npu, &o->wl, command, o->out, meter_progress(&m),
	    est.instructions, &res, &e);
	meter_done(&m);
	if (rc != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (res.fit.l1_bytes > npu.l1.capacity_bytes)
		cli_warning("tiling %s needs %llu bytes of L1, the NPU has %llu; the plan is written "
		    "as is and a replay shows what the spills cost", res.tiling,
		    (unsigned long long)res.fit.l1_bytes, (unsigned long long)npu.l1.capacity_bytes);
	if (o->json)
		summary_json(info, o, o->sched, &npu, &o->wl, &res);
	else
		summary_text(info, o, o->sched, &npu, &o->wl, &res);
	return EXIT_OK;
}

static int
parse(int argc, char **argv, void *opts)
{
	struct options *o = opts;
	enum { OPT_SEQ = 256, OPT_NPU, OPT_SPILL, OPT_LIST, OPT_FORCE, OPT_FORMAT, OPT_MAX };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "sched", required_argument, NULL, 's' },
		{ "workload", required_argument, NULL, 'w' },
		{ "seq", required_argument, NULL, OPT_SEQ },
		{ "npu", required_argument, NULL, OPT_NPU },
		{ "tiling", required_argument, NULL, 't' },
		{ "allow-spill", no_argument, NULL, OPT_SPILL },
		{ "output", required_argument, NULL, 'o' },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "max-instructions", required_argument, NULL, OPT_MAX },
		{ NULL, 0, NULL, 0 },
	};
	const char *sched = "mas", *workload = WL_DEFAULT_PRESET, *seq = NULL, *tiling = NULL;
	const char *npu_file;
	int ch, rc = 0;

	o->npu = NPU_DEFAULT_PRESET;
	o->max_instructions = SCHED_MAX_INSTRUCTIONS;
	while (rc == 0 && (ch = cli_getopt(&cmd_schedule, argc, argv, "hs:w:t:o:qn",
	    longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return CLI_DONE;
		case 's': sched = optarg; break;
		case 'w': workload = optarg; break;
		case OPT_SEQ: seq = optarg; break;
		case OPT_NPU: o->npu = optarg; break;
		case 't': tiling = optarg; break;
		case OPT_SPILL: o->allow_spill = true; break;
		case 'o': o->out = optarg; break;
		case OPT_LIST: list(); return CLI_DONE;
		case OPT_FORCE: o->force = true; break;
		case 'q': o->quiet = true; break;
		case 'n': o->dry_run = true; break;
		case OPT_MAX:
			rc = cli_parse_count(&cmd_schedule, "--max-instructions", optarg,
			    &o->max_instructions);
			break;
		case OPT_FORMAT:
			rc = cli_report_format(&cmd_schedule, "--format", "text", optarg, &o->json);
			break;
		default: return EXIT_ERROR;
		}
	}
	if (rc != 0)
		return EXIT_ERROR;
	if (optind != argc)
		return cli_usage_error(&cmd_schedule, "unexpected argument '%s'", argv[optind]);
	if (o->out == NULL && !o->dry_run)
		return cli_usage_error(&cmd_schedule, "expected -o OUT (a .mtr or .mtt file, or -)");
	npu_file = cli_npu_file(o->npu);
	if (cli_parse_sched(&cmd_schedule, "-s", sched, &o->sched) != 0 ||
	    cli_parse_tiling(&cmd_schedule, NULL, o->sched, tiling, &o->tiling) != 0 ||
	    cli_refuse_input(o->out, &npu_file, 1) != 0 ||
	    cli_workload(&cmd_schedule, workload, seq, &o->wl) != 0)
		return EXIT_ERROR;
	return 0;
}

const struct cmd cmd_schedule = {
	"schedule", "plan a dataflow on an NPU and write its trace", sizeof(struct options), parse,
	act, usage,
};
