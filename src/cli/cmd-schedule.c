/* mastrace schedule: write the instruction trace of a dataflow. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "num.h"
#include "schedule.h"
#include "trace-file.h"

static void
usage(FILE *f)
{
	fputs("Usage: mastrace schedule [-s SCHED] [-w WORKLOAD] [--seq N] [--npu NAME|FILE]\n"
	    "                         [-t TILING] [--allow-spill] -o OUT\n"
	    "       mastrace schedule --list\n"
	    "\n"
	    "Plan attention as a dataflow on an NPU and write its instruction trace, each\n"
	    "instruction timed by the cost model the replay shares.  SCHED is mas\n"
	    "(default), flat, layerwise or flash; TILING is key=value pairs of the\n"
	    "scheduler's parameters (see --list); parameters left out take the largest\n"
	    "legal value.  A tiling that needs more L1 than the NPU has is refused\n"
	    "unless --allow-spill.  OUT ending in .mtr is native, .mtt or - is text.\n"
	    "\n"
	    "Options:\n"
	    "  -s, --sched SCHED      the dataflow (default mas)\n"
	    "  -w, --workload SPEC    the workload (default " WL_DEFAULT_PRESET "); see mastrace-workload(1)\n"
	    "      --seq N            set both sequence lengths to N\n"
	    "      --npu NAME|FILE    the NPU (default " NPU_DEFAULT_PRESET ")\n"
	    "  -t, --tiling TILING    tiling parameters, e.g. rows=64,overwrite=off\n"
	    "      --allow-spill      write a plan whose L1 footprint exceeds the buffer\n"
	    "  -o, --output OUT       the trace to write\n"
	    "      --list             list the schedulers and their tiling parameters\n"
	    "  -h, --help             show this help and exit\n"
	    "\n"
	    "See mastrace-schedule(1) and, for the dataflows, mastrace(7).\n", f);
}

static int
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
	return EXIT_OK;
}

struct options {
	const char *sched, *workload, *seq, *npu, *tiling, *out;
	bool allow_spill;
};

static void
join_args(int argc, char **argv, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "mastrace");
	int i;

	for (i = 0; i < argc && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, " %s", argv[i]);
}

static int
do_schedule(const struct options *o, const char *command)
{
	const struct sched *s = sched_find(o->sched);
	struct sched_result res;
	struct workload wl;
	struct errbuf e;
	struct npu npu;
	FILE *info = strcmp(o->out, "-") == 0 ? stderr : stdout;
	uint64_t seq;

	if (s == NULL)
		return cli_usage_error(&cmd_schedule, "-s: unknown scheduler '%s', expected mas, "
		    "flat, layerwise or flash", o->sched);
	if (wl_parse(o->workload, &wl, &e) != 0 ||
	    (o->seq != NULL && (num_parse_u64(o->seq, &seq) != 0 ?
	    errbuf_set(&e, "--seq: got '%s', expected an integer from 1 to 16777216", o->seq) :
	    wl_set_seq(&wl, seq, &e)) != 0) ||
	    npu_resolve(o->npu, &npu, &e) != 0 ||
	    sched_run(s, &npu, &wl, o->tiling ? o->tiling : "", o->allow_spill, command, o->out,
	    &res, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (res.fit.l1_bytes > npu.l1.capacity_bytes)
		fprintf(stderr, "mastrace: warning: tiling %s needs %llu bytes of L1, the NPU has "
		    "%llu; the plan is written as is and a replay shows what the spills cost\n",
		    res.tiling, (unsigned long long)res.fit.l1_bytes,
		    (unsigned long long)npu.l1.capacity_bytes);
	fprintf(info, "%s: %s on %s, %s, tiling %s\n", o->out, s->name, npu.name, wl.name,
	    res.tiling);
	fprintf(info, "  %llu instructions, planned makespan %llu cycles (%.1f us)\n",
	    (unsigned long long)res.instructions, (unsigned long long)res.makespan,
	    (double)res.makespan / npu.clock_mhz);
	fprintf(info, "  %llu MACs, DRAM %llu bytes read and %llu written (compulsory %llu), "
	    "L1 %llu of %llu bytes\n", (unsigned long long)res.macs,
	    (unsigned long long)res.dram_read, (unsigned long long)res.dram_write,
	    (unsigned long long)wl_compulsory_bytes(&wl), (unsigned long long)res.fit.l1_bytes,
	    (unsigned long long)npu.l1.capacity_bytes);
	return EXIT_OK;
}

static int
run(int argc, char **argv)
{
	enum { OPT_SEQ = 256, OPT_NPU, OPT_SPILL, OPT_LIST };
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
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { "mas", WL_DEFAULT_PRESET, NULL, NPU_DEFAULT_PRESET, NULL, NULL, false };
	char command[1024];
	int ch;

	join_args(argc, argv, command, sizeof command);	/* before getopt reorders argv */
	while ((ch = cli_getopt(&cmd_schedule, argc, argv, "hs:w:t:o:", longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return EXIT_OK;
		case 's': o.sched = optarg; break;
		case 'w': o.workload = optarg; break;
		case OPT_SEQ: o.seq = optarg; break;
		case OPT_NPU: o.npu = optarg; break;
		case 't': o.tiling = optarg; break;
		case OPT_SPILL: o.allow_spill = true; break;
		case 'o': o.out = optarg; break;
		case OPT_LIST: return list();
		default: return EXIT_ERROR;
		}
	}
	if (optind != argc)
		return cli_usage_error(&cmd_schedule, "unexpected argument '%s'", argv[optind]);
	if (o.out == NULL)
		return cli_usage_error(&cmd_schedule, "expected -o OUT (a .mtr or .mtt file, or -)");
	return do_schedule(&o, command);
}

const struct cmd cmd_schedule = {
	"schedule", "plan a dataflow on an NPU and write its trace", run, usage,
};
