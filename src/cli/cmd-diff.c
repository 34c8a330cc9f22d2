/* mastrace diff: two schedules of one computation, side by side, with exit status like diff(1). */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "diff.h"
#include "num.h"

/* Aligned blocks the text report lists; the other formats list all. */
#define TEXT_BLOCKS 24

static void
usage(FILE *f)
{
	fputs("Usage: mastrace diff [--format text|json|csv] [-o COMBINED.pftrace]\n"
	    "                     [--tolerance PCT] [--fail-if-slower PCT] A B\n"
	    "\n"
	    "Compare two replayed traces of one workload (typically MAS against FLAT):\n"
	    "every summary figure of each with the difference and the ratio, the time of\n"
	    "each unit and opcode, and the schedules aligned by the query rows of each\n"
	    "head they compute, with the first block where they diverge.\n"
	    "\n"
	    "Options:\n"
	    "      --format FMT          text (default), json or csv\n"
	    "  -o, --output FILE         also write one Perfetto trace with both schedules\n"
	    "                            on one time axis and the running difference in\n"
	    "                            MAC work done (.pftrace, .pftrace.gz)\n"
	    "      --tolerance PCT       figures within PCT percent are equal (default 0)\n"
	    "      --fail-if-slower PCT  exit 1 only when B takes more than PCT percent\n"
	    "                            longer than A\n"
	    "  -h, --help                show this help and exit\n"
	    "\n"
	    "Exit status: 0 when the schedules are equivalent within the tolerance, 1 when\n"
	    "they differ, 2 on trouble (a trace that cannot be read, two workloads).\n"
	    "\n"
	    "See mastrace-diff(1).\n", f);
}

static int
percent(const char *opt, const char *arg, double *v)
{
	if (num_parse_double(arg, v) != 0 || !isfinite(*v) || *v < 0) {
		cli_usage_error(&cmd_diff, "%s: got '%s', expected a percentage of at least 0", opt,
		    arg);
		return -1;
	}
	return 0;
}

struct options {
	const char *a, *b, *out;
	int fmt;		/* text, json, csv */
	double tol, slower;
	bool gate;
};

static int
parse(int argc, char **argv, void *opts)
{
	enum { OPT_FORMAT = 256, OPT_TOL, OPT_SLOWER };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "tolerance", required_argument, NULL, OPT_TOL },
		{ "fail-if-slower", required_argument, NULL, OPT_SLOWER },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "text", "json", "csv", NULL };
	struct options *o = opts;
	int ch;

	while ((ch = cli_getopt(&cmd_diff, argc, argv, "ho:", longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return CLI_DONE;
		case 'o': o->out = optarg; break;
		case OPT_FORMAT:
			if (cli_parse_choice(&cmd_diff, "--format", optarg, formats, &o->fmt) != 0)
				return EXIT_TROUBLE;
			break;
		case OPT_TOL:
			if (percent("--tolerance", optarg, &o->tol) != 0)
				return EXIT_TROUBLE;
			break;
		case OPT_SLOWER:
			if (percent("--fail-if-slower", optarg, &o->slower) != 0)
				return EXIT_TROUBLE;
			o->gate = true;
			break;
		default: return EXIT_TROUBLE;
		}
	}
	if (argc - optind != 2) {
		cli_usage_error(&cmd_diff, "expected two traces, A and B");
		return EXIT_TROUBLE;
	}
	o->a = argv[optind];
	o->b = argv[optind + 1];
	if (cli_refuse_input(o->out, (const char *const *)argv + optind, 2) != 0)
		return EXIT_TROUBLE;
	return 0;
}

static int
act(void *opts, const char *command)
{
	const struct options *o = opts;
	struct diff d;
	struct errbuf e;
	int status;

	(void)command;
	if (diff_read(&d, o->a, o->b, &e) != 0 ||
	    (o->out != NULL && diff_write_perfetto(&d, o->out, &e) != 0)) {
		diff_free(&d);
		cli_error("%s", e.msg);
		return EXIT_TROUBLE;
	}
	if (o->fmt == 1)
		diff_print_json(&d, o->tol, stdout);
	else if (o->fmt == 2)
		diff_print_csv(&d, o->tol, stdout);
	else
		diff_print_text(&d, o->tol, TEXT_BLOCKS, stdout);
	if (o->gate)	/* B's time over A's, against the allowance */
		status = 1.0 / diff_speedup(&d) > 1.0 + o->slower / 100.0 ? EXIT_ERROR : EXIT_OK;
	else
		status = diff_equivalent(&d, o->tol) ? EXIT_OK : EXIT_ERROR;
	diff_free(&d);
	/* a report lost to a full disk or a closed pipe is trouble, not a difference */
	if (cli_flush_stdout() != 0)
		return EXIT_TROUBLE;
	return status;
}

const struct cmd cmd_diff = {
	"diff", "compare two schedules of one workload: figures, operations, aligned blocks",
	sizeof(struct options), parse, act, usage,
};
