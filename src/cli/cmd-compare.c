/* mastrace compare: every dataflow at its best on one problem, or a table over many, in one command. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "compare.h"
#include "json.h"
#include "ladder.h"
#include "meter.h"

#define MAX_SCHEDS 8
#define MAX_ROWS 256		/* workloads x sequence lengths */
#define MAX_TILINGS 16

static void
usage(FILE *f)
{
	char names[SCHED_NAMES_MAX];

	sched_join(names, sizeof names, ",");
	fprintf(f, "Usage: mastrace compare [-w WORKLOAD[,...]|all] [--npu NAME|FILE]\n"
	    "                        [-s SCHED[,...]] [--seq N[,...]] [-t SCHED:TILING]...\n"
	    "                        [-o DIR] [--format text|json|csv|markdown] [-j N] [-q]\n"
	    "                        [--max-instructions N]\n"
	    "       mastrace compare --ladder [-w WORKLOAD] [--npu NAME|FILE] [--seq N]\n"
	    "                        [--format text|json|csv|markdown] [-j N] [-q]\n"
	    "                        [--max-instructions N]\n"
	    "\n"
	    "Schedule and replay each dataflow (in memory, every model on) and print one\n"
	    "table: cycles, time, speedup and energy saving against FLAT, MAC and VEC\n"
	    "utilisation, overlap, DRAM traffic, spills, L1 peak, and the resource that\n"
	    "bounds each schedule.  With several workloads, one row per workload and\n"
	    "MAS's speedup and saving against FLAT with their geometric mean and maximum.\n"
	    "--ladder walks from FLAT at its published granularity to MAS at its best.\n"
	    "\n"
	    "Options:\n"
	    "  -w, --workload LIST  presets or shapes, separated by commas (default\n"
	    "                       bert-base); 'all' for every preset\n"
	    "      --npu NPU        NPU preset or INI file (default edge)\n"
	    "  -s, --sched LIST     dataflows (default %s)\n"
	    "      --seq LIST       sequence lengths: each workload at each length\n"
	    "  -t, --tiling S:T     tiling T for dataflow S (repeatable; default: chosen)\n"
	    "  -o, --output DIR     write every plan (.mtr), replayed trace (.r.mtr) and\n"
	    "                       Perfetto trace (.pftrace), and MAS against FLAT in one\n"
	    "                       trace, into DIR (made if missing)\n"
	    "      --format FMT     text (default), json, csv or markdown\n"
	    "  -j, --jobs N         evaluations in parallel (default: the processors)\n"
	    "      --ladder         the ablation ladder of mastrace(7)\n"
	    "      --max-instructions N  a point that makes more is a cell that says so\n"
	    "                       (default 1.07G; 2e9, 4G)\n"
	    "  -q, --quiet          no progress line\n"
	    "  -h, --help           show this help and exit\n"
	    "\n"
	    "See mastrace-compare(1).\n", names);
}

struct options {
	enum table_format fmt;
	const char *npu_arg, *outdir;
	bool ladder, quiet;
	unsigned jobs;
	uint64_t max_instructions;
	struct workload wl[MAX_ROWS];
	unsigned nwl;
	uint64_t seq[MAX_ROWS];
	unsigned nseq;
	const struct sched *sched[MAX_SCHEDS];
	unsigned nsched;
	struct { const struct sched *s; const char *text; struct tiling t; } tiling[MAX_TILINGS];
	unsigned ntiling;
};

/* -t SCHED:TILING, one per dataflow. */
static int
parse_tiling(struct options *o, const char *arg)
{
	const char *colon = strchr(arg, ':');
	char name[64], opt[300];
	size_t n = colon ? (size_t)(colon - arg) : 0;
	unsigned i;

	if (colon == NULL || n == 0 || n >= sizeof name)
		return cli_usage_error(&cmd_compare, "-t: got '%s', expected SCHED:TILING "
		    "(mas:rows=64)", arg);
	memcpy(name, arg, n);
	name[n] = '\0';
	if (o->ntiling == MAX_TILINGS)
		return cli_usage_error(&cmd_compare, "-t: more than %d tilings", MAX_TILINGS);
	if (cli_parse_sched(&cmd_compare, "-t", name, &o->tiling[o->ntiling].s) != 0)
		return EXIT_ERROR;
	for (i = 0; i < o->ntiling; i++)
		if (o->tiling[i].s == o->tiling[o->ntiling].s)
			return cli_usage_error(&cmd_compare, "-t: %s has a tiling already (%s:%s); give "
			    "each dataflow one -t", name, name, o->tiling[i].text);
	snprintf(opt, sizeof opt, "-t %s", arg);
	if (cli_parse_tiling(&cmd_compare, opt, o->tiling[o->ntiling].s, colon + 1,
	    &o->tiling[o->ntiling].t) != 0)
		return EXIT_ERROR;
	o->tiling[o->ntiling++].text = colon + 1;
	return 0;
}

/* After getopt: what the options say together. */
static int
check_options(struct options *o)
{
	char defaults[SCHED_NAMES_MAX];
	unsigned i, k;

	if (o->ladder && (o->outdir != NULL || o->nsched > 0 || o->ntiling > 0))
		return cli_usage_error(&cmd_compare, "--ladder chooses its own dataflows and "
		    "tilings and writes no files: drop -s, -t and -o");
	if (o->nwl == 0 && cli_parse_workload_list(&cmd_compare, WL_DEFAULT_PRESET, o->wl,
	    MAX_ROWS, &o->nwl) != 0)
		return EXIT_ERROR;
	sched_join(defaults, sizeof defaults, ",");
	if (o->nsched == 0 && cli_parse_sched_list(&cmd_compare, defaults, o->sched, MAX_SCHEDS,
	    &o->nsched) != 0)
		return EXIT_ERROR;
	for (i = 0; i < o->ntiling; i++) {
		for (k = 0; k < o->nsched && o->sched[k] != o->tiling[i].s; k++)
			;
		if (k == o->nsched)
			return cli_usage_error(&cmd_compare, "-t: '%s' is not among the dataflows "
			    "compared (-s)", o->tiling[i].s->name);
	}
	if (o->nwl * (o->nseq ? o->nseq : 1) > MAX_ROWS)
		return cli_usage_error(&cmd_compare, "more than %d workloads and lengths", MAX_ROWS);
	return 0;
}

static int
parse(int argc, char **argv, void *opts)
{
	struct options *o = opts;
	enum { OPT_NPU = 256, OPT_SEQ, OPT_FORMAT, OPT_LADDER, OPT_MAX };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "workload", required_argument, NULL, 'w' },
		{ "npu", required_argument, NULL, OPT_NPU },
		{ "sched", required_argument, NULL, 's' },
		{ "seq", required_argument, NULL, OPT_SEQ },
		{ "tiling", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "jobs", required_argument, NULL, 'j' },
		{ "ladder", no_argument, NULL, OPT_LADDER },
		{ "max-instructions", required_argument, NULL, OPT_MAX },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "text", "json", "csv", "markdown", NULL };
	int ch, rc = 0, f;

	o->npu_arg = NPU_DEFAULT_PRESET;
	while (rc == 0 && (ch = cli_getopt(&cmd_compare, argc, argv, "hw:s:t:o:j:q",
	    longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return CLI_DONE;
		case 'w':
			rc = cli_parse_workload_list(&cmd_compare, optarg, o->wl, MAX_ROWS, &o->nwl);
			break;
		case OPT_NPU: o->npu_arg = optarg; break;
		case 's':
			rc = cli_parse_sched_list(&cmd_compare, optarg, o->sched, MAX_SCHEDS,
			    &o->nsched);
			break;
		case OPT_SEQ:
			rc = cli_parse_seq_list(&cmd_compare, optarg, o->seq, MAX_ROWS, &o->nseq);
			break;
		case 't': rc = parse_tiling(o, optarg); break;
		case 'o': o->outdir = optarg; break;
		case OPT_FORMAT:
			rc = cli_parse_choice(&cmd_compare, "--format", optarg, formats, &f);
			o->fmt = (enum table_format)f;
			break;
		case 'j': rc = cli_parse_jobs(&cmd_compare, optarg, &o->jobs); break;
		case OPT_LADDER: o->ladder = true; break;
		case OPT_MAX:
			rc = cli_parse_count(&cmd_compare, "--max-instructions", optarg,
			    &o->max_instructions);
			break;
		case 'q': o->quiet = true; break;
		default: return EXIT_ERROR;
		}
	}
	if (rc != 0)
		return EXIT_ERROR;
	if (optind != argc)
		return cli_usage_error(&cmd_compare, "unexpected operand '%s'", argv[optind]);
	return check_options(o);
}

/* The points: each workload at each length (a row), each dataflow in it. */
static struct compare_point *
make_points(const struct options *o, const struct npu *npu, unsigned *nrows)
{
	struct compare_point *p;
	struct errbuf e;
	char wn[160];
	unsigned r, k, i;

	*nrows = o->nwl * (o->nseq ? o->nseq : 1);
	if ((p = calloc((size_t)*nrows * o->nsched, sizeof *p)) == NULL) {
		cli_error("out of memory");
		return NULL;
	}
	for (r = 0; r < *nrows; r++) {
		struct workload w = o->wl[r / (o->nseq ? o->nseq : 1)];
		if (o->nseq && wl_set_seq(&w, o->seq[r % o->nseq], &e) != 0) {
			cli_usage_error(&cmd_compare, "%s", e.msg);
			free(p);
			return NULL;
		}
		compare_file_name(w.name, wn, sizeof wn);
		for (k = 0; k < o->nsched; k++) {
			struct compare_point *x = &p[r * o->nsched + k];
			x->sched = o->sched[k];
			x->wl = w;
			x->npu = npu;
			for (i = 0; i < o->ntiling; i++)
				if (o->tiling[i].s == o->sched[k])
					x->tiling = o->tiling[i].t;
			snprintf(x->name, sizeof x->name, "%.120s-%.32s", wn, o->sched[k]->name);
		}
	}
	return p;
}

/* The ladder of each row's workload, one table each. */
static int
print_ladders(const struct options *o, const struct compare_point *p, unsigned nrows,
    const struct npu *npu, const struct compare_opts *co)
{
	struct ladder l;
	struct table t;
	struct errbuf e;
	char wl[256];
	unsigned r;

	if (o->fmt == TABLE_JSON)
		fputs("[\n", stdout);
	for (r = 0; r < nrows; r++) {
		const struct workload *w = &p[r * o->nsched].wl;
		if (ladder_run(&l, w, npu, co, &e) != 0 || ladder_table(&l, &t) != 0) {
			ladder_free(&l);
			cli_error("%s", e.msg);
			return EXIT_ERROR;
		}
		wl_format(w, wl, sizeof wl);
		if (o->fmt == TABLE_JSON) {
			fprintf(stdout, "%s  {\"workload\": ", r == 0 ? "" : ",\n");
			json_string(stdout, w->name);
			fputs(", \"npu\": ", stdout);
			json_string(stdout, npu->name);
			fputs(", \"steps\": ", stdout);
			table_print(&t, o->fmt, stdout);
			fputs("}", stdout);
		} else {
			if (o->fmt == TABLE_TEXT)
				printf("%sladder: %s on %s: %s\n\n", r == 0 ? "" : "\n", w->name,
				    npu->name, wl);
			else if (o->fmt == TABLE_MARKDOWN)
				printf("%s**ladder: %s on %s** (%s)\n\n", r == 0 ? "" : "\n", w->name,
				    npu->name, wl);
			table_print(&t, o->fmt, stdout);
		}
		table_free(&t);
		ladder_free(&l);
	}
	if (o->fmt == TABLE_JSON)
		fputs("\n]\n", stdout);
	return EXIT_OK;
}

static void
print_report(const struct options *o, const struct compare_point *p, unsigned nrows,
    const struct npu *npu)
{
	struct table t;

	if (o->fmt == TABLE_JSON) {
		fputs("{\n  \"npu\": ", stdout);
		json_string(stdout, npu->name);
		fputs(",\n  \"points\": ", stdout);
		if (compare_table_points(&t, p, nrows, o->nsched,
		    COMPARE_COL_WL | COMPARE_COL_STATUS | COMPARE_COL_ENERGY) == 0)
			table_print(&t, TABLE_JSON, stdout);
		table_free(&t);
		if (nrows > 1) {
			fputs(",\n", stdout);
			compare_print_rows(p, nrows, o->nsched, TABLE_JSON, stdout);
		}
		fputs("\n}\n", stdout);
	} else if (o->fmt == TABLE_CSV) {
		if (compare_table_points(&t, p, nrows, o->nsched,
		    COMPARE_COL_WL | COMPARE_COL_STATUS | COMPARE_COL_ENERGY) == 0)
			table_print(&t, TABLE_CSV, stdout);
		table_free(&t);
	} else if (nrows == 1) {
		compare_print_points(p, o->nsched, o->fmt, stdout);
	} else {
		if (o->fmt == TABLE_TEXT)
			printf("%u workloads on %s: replayed cycles; MAS against FLAT in time and "
			    "energy\n\n", nrows, npu->name);
		compare_print_rows(p, nrows, o->nsched, o->fmt, stdout);
	}
}

/* Evaluate every point (writing into DIR with -o), then print the report. */
static int
act(void *opts, const char *command)
{
	const struct options *o = opts;
	struct compare_opts co = { 0 };
	struct compare_point *p = NULL;
	struct errbuf e;
	struct npu npu;
	struct meter m;
	const char *npu_file = cli_npu_file(o->npu_arg);
	unsigned nrows = 0, i;
	int rc = EXIT_ERROR, dirfd = -1;

	if (cli_npu(o->npu_arg, &npu) != 0 || (p = make_points(o, &npu, &nrows)) == NULL)
		return EXIT_ERROR;
	if (o->outdir != NULL && compare_outdir_open(o->outdir, &dirfd, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	co.jobs = o->jobs;
	co.outdir = o->outdir;
	co.command = command;
	co.inputs = &npu_file;
	co.ninputs = 1;
	co.max_instructions = o->max_instructions;
	meter_init(&m, "compare", o->ladder ? "evaluations" : "schedules", o->quiet);
	co.progress = meter_progress(&m);
	if (o->ladder) {
		rc = print_ladders(o, p, nrows, &npu, &co);
		meter_done(&m);
		goto out;
	}
	rc = compare_run(p, (size_t)nrows * o->nsched, &co, &e);
	meter_done(&m);
	if (rc != 0) {
		cli_error("%s", e.msg);
		rc = EXIT_ERROR;
		goto out;
	}
	rc = EXIT_ERROR;
	for (i = 0; i < nrows * o->nsched; i++)
		if (p[i].failed_late) {	/* a file not written is an error, not a cell */
			cli_error("%s", p[i].err.msg);
			goto out;
		}
	if (o->outdir != NULL && compare_write_pairs(p, nrows, o->nsched, &co, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	print_report(o, p, nrows, &npu);
	rc = EXIT_OK;
out:
	compare_outdir_close(dirfd);
	compare_free(p, (size_t)nrows * o->nsched);
	free(p);
	return rc;
}

const struct cmd cmd_compare = {
	"compare", "schedule and replay every dataflow and print MAS against FLAT (the main job)",
	sizeof(struct options), parse, act, usage,
};
