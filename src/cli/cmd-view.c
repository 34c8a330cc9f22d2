/* mastrace view: a trace's timeline, lane by lane. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "export.h"
#include "meter.h"
#include "num.h"
#include "schedule.h"
#include "vsum.h"
#include "tui.h"
#include "vtext.h"

#define DEFAULT_WIDTH 100
#define MAX_WIDTH 10000
/* an unseen --batch screen costs about 80 bytes a cell: at most 1000 x 1000 */
#define MAX_SCREEN_SIDE 1000

static void
usage(FILE *f)
{
	fputs("Usage: mastrace view [--width N] [--from TIME] [--to TIME] [--no-color]\n"
	    "                     [--no-mouse] [-q] TRACE [TRACE2]\n"
	    "       mastrace view --live [-s SCHED] [-w WORKLOAD] [--npu NAME|FILE]\n"
	    "                     [-t TILING] [--max-instructions N] [--no-color]\n"
	    "                     [--no-mouse]\n"
	    "       mastrace view --batch KEYS [--width N] [--height N] TRACE [TRACE2]\n"
	    "\n"
	    "Show a trace's timeline: a lane per unit (MAC, VEC, MTE, each DMA channel)\n"
	    "coloured by the work running, L1 occupancy and DRAM bandwidth beneath, each\n"
	    "lane's utilisation and MAC and VEC overlap over the window, and the\n"
	    "instruction under the cursor with its stall and cause.  A second trace is\n"
	    "drawn below the first on the same time axis.  In a terminal the view is\n"
	    "interactive (? lists the keys); otherwise a plain-text timeline is printed.\n"
	    "--live plans a dataflow and replays it in memory, drawing the timeline as\n"
	    "simulated time goes by.\n"
	    "\n"
	    "Options:\n"
	    "      --width N      text: characters of timeline (default 100, at most\n"
	    "                     10000); --batch: the screen's columns (default 120,\n"
	    "                     at most 1000)\n"
	    "      --height N     --batch: the screen's rows (default 40, at most 1000)\n"
	    "      --from TIME    the window's start: cycles, or 1.5us, 200ns, 3ms\n"
	    "      --to TIME      the window's end (default: the makespan)\n"
	    "      --no-color     no colours (also when NO_COLOR is set)\n"
	    "      --no-mouse     do not take mouse clicks\n"
	    "      --batch KEYS   play KEYS into an unseen screen and print the time of\n"
	    "                     each frame (for benchmarks)\n"
	    "      --live         schedule and replay in memory and draw it as it runs\n"
	    "  -s, --sched NAME   --live: the dataflow (default mas)\n"
	    "  -w, --workload W   --live: preset or shape (default bert-base)\n"
	    "      --npu NPU      --live: NPU preset or INI file (default edge)\n"
	    "  -t, --tiling T     --live: the tiling (default: chosen)\n"
	    "      --max-instructions N  --live: refuse a larger plan (default 1.07G)\n"
	    "  -q, --quiet        no progress line\n"
	    "  -h, --help         show this help and exit\n"
	    "\n"
	    "See mastrace-view(1).\n", f);
}

struct options {
	struct tui_opts ui;
	struct export_time from, to;
	uint64_t width, height;
	bool quiet, live;
	/* --live */
	const char *sched, *workload, *npu, *tiling;
	uint64_t max_instructions;
	/* the traces */
	const char *paths[2];
	unsigned n;
};

/* view --live: plan and replay in memory, drawn as it goes. */
static int
act_live(struct options *o)
{
	struct tui_live_spec ls;
	struct workload wl;
	struct errbuf e;
	struct npu npu;

	if (o->ui.batch == NULL && (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))) {
		cli_error("--live draws in a terminal, and this is not one: schedule and replay to a "
		    "file and view that, or give --batch");
		return EXIT_ERROR;
	}
	if (cli_parse_sched(&cmd_view, "-s", o->sched ? o->sched : "mas", &ls.sched) != 0 ||
	    cli_parse_tiling(&cmd_view, NULL, ls.sched, o->tiling, &ls.tiling) != 0 ||
	    cli_workload(&cmd_view, o->workload ? o->workload : WL_DEFAULT_PRESET, NULL,
	    &wl) != 0 || cli_npu(o->npu ? o->npu : NPU_DEFAULT_PRESET, &npu) != 0)
		return EXIT_ERROR;
	ls.npu = &npu;
	ls.wl = &wl;
	ls.max_instructions = o->max_instructions;
	o->ui.batch_cols = o->width ? (unsigned)o->width : 120;
	o->ui.batch_rows = o->height ? (unsigned)o->height : 40;
	o->ui.report = stdout;
	if (tui_live(&ls, &o->ui, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static int
parse_size(int ch, const char *arg, struct options *o)
{
	bool w = ch == 'W';
	uint64_t *v = w ? &o->width : &o->height;
	unsigned lo = w ? 10 : 5, hi = w ? MAX_WIDTH : MAX_SCREEN_SIDE;

	if (num_parse_u64(arg, v) != 0 || *v < lo || *v > hi)
		return cli_usage_error(&cmd_view, "%s: got '%s', expected an integer from %u to %u",
		    w ? "--width" : "--height", arg, lo, hi);
	return 0;
}

/* After getopt: what the options say together. */
static int
check_options(int operands, struct options *o)
{
	const char *no_color = getenv("NO_COLOR");

	if (no_color != NULL && no_color[0] != '\0')
		o->ui.color = false;
	if ((o->ui.batch != NULL || o->live) && o->width > MAX_SCREEN_SIDE)
		return cli_usage_error(&cmd_view, "--width: got %llu, expected at most %d columns "
		    "for a screen (the text timeline takes up to %d)", (unsigned long long)o->width,
		    MAX_SCREEN_SIDE, MAX_WIDTH);
	if (o->live)
		return operands != 0 ? cli_usage_error(&cmd_view, "--live replays in memory: it "
		    "takes no TRACE") : 0;
	if (o->sched != NULL || o->workload != NULL || o->npu != NULL || o->tiling != NULL ||
	    o->max_instructions != 0)
		return cli_usage_error(&cmd_view, "-s, -w, --npu, -t and --max-instructions choose "
		    "what --live replays");
	if (operands < 1 || operands > 2)
		return cli_usage_error(&cmd_view, "expected one TRACE, or two to compare");
	return 0;
}

static int
parse(int argc, char **argv, void *opts)
{
	struct options *o = opts;
	enum { OPT_FROM = 256, OPT_TO, OPT_NOCOLOR, OPT_NOMOUSE, OPT_BATCH, OPT_LIVE, OPT_NPU,
	    OPT_MAX };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "width", required_argument, NULL, 'W' },
		{ "height", required_argument, NULL, 'H' },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "no-color", no_argument, NULL, OPT_NOCOLOR },
		{ "no-mouse", no_argument, NULL, OPT_NOMOUSE },
		{ "batch", required_argument, NULL, OPT_BATCH },
		{ "live", no_argument, NULL, OPT_LIVE },
		{ "sched", required_argument, NULL, 's' },
		{ "workload", required_argument, NULL, 'w' },
		{ "npu", required_argument, NULL, OPT_NPU },
		{ "tiling", required_argument, NULL, 't' },
		{ "max-instructions", required_argument, NULL, OPT_MAX },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	char why[256];
	int ch, rc = 0, k;

	o->ui.color = o->ui.mouse = true;
	o->ui.batch_cols = 120;
	o->ui.batch_rows = 40;
	/* -W and -H are not short options: getopt takes only "hqs:w:t:" */
	while (rc == 0 && (ch = cli_getopt(&cmd_view, argc, argv, "hqs:w:t:", longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return CLI_DONE;
		case 'q': o->quiet = true; break;
		case 'W': case 'H': rc = parse_size(ch, optarg, o); break;
		case OPT_FROM: case OPT_TO:
			if (export_time_parse(optarg, ch == OPT_FROM ? &o->from : &o->to, why,
			    sizeof why) != 0)
				rc = cli_usage_error(&cmd_view, "%s: %s", ch == OPT_FROM ? "--from" :
				    "--to", why);
			break;
		case OPT_NOCOLOR: o->ui.color = false; break;
		case OPT_NOMOUSE: o->ui.mouse = false; break;
		case OPT_BATCH: o->ui.batch = optarg; break;
		case OPT_LIVE: o->live = true; break;
		case 's': o->sched = optarg; break;
		case 'w': o->workload = optarg; break;
		case OPT_NPU: o->npu = optarg; break;
		case 't': o->tiling = optarg; break;
		case OPT_MAX:
			rc = cli_parse_count(&cmd_view, "--max-instructions", optarg,
			    &o->max_instructions);
			break;
		default: return EXIT_ERROR;
		}
	}
	if (rc != 0 || check_options(argc - optind, o) != 0)
		return EXIT_ERROR;
	for (k = 0; k < argc - optind && k < 2; k++)
		o->paths[o->n++] = argv[optind + k];
	return 0;
}

/* Summarise every trace, refused if bad, before curses starts. */
static int
summarise(const struct options *o, struct vsum *s, unsigned *built, uint64_t *span)
{
	struct errbuf e;
	struct meter m;
	unsigned k;

	*span = 0;
	meter_init(&m, "view", "instructions", o->quiet);
	for (k = 0; k < o->n; k++) {
		*built = k + 1;		/* vsum_free() after vsum_build(), whatever it returns */
		if (vsum_build(&s[k], o->paths[k], meter_progress(&m), &e) != 0) {
			meter_done(&m);
			cli_error("%s", e.msg);
			return EXIT_ERROR;
		}
		if (s[k].span > *span)
			*span = s[k].span;
	}
	meter_done(&m);
	return 0;
}

/* Not a terminal: the plain-text timeline of each trace. */
static void
print_text(const struct options *o, struct vsum *s)
{
	unsigned k;

	for (k = 0; k < o->n; k++) {
		if (k > 0)
			putchar('\n');
		vtext_print(&s[k], o->paths[k], o->width ? (unsigned)o->width : DEFAULT_WIDTH,
		    o->ui.t0, o->ui.t1, stdout);
	}
	if (o->n == 2)
		printf("\nB / A makespan: %.3f\n", (double)s[1].span / s[1].h.npu.clock_mhz /
		    ((double)s[0].span / s[0].h.npu.clock_mhz));
}

static int
act(void *opts, const char *command)
{
	struct options *o = opts;
	struct vsum s[2], *sp[2] = { &s[0], &s[1] };
	struct errbuf e;
	uint64_t span;
	unsigned k, built = 0;
	int rc = EXIT_ERROR;

	(void)command;
	if (o->live)
		return act_live(o);
	if (summarise(o, s, &built, &span) != 0)
		goto out;
	o->ui.t0 = export_time_cycles(&o->from, s[0].h.npu.clock_mhz, 0);
	o->ui.t1 = export_time_cycles(&o->to, s[0].h.npu.clock_mhz, span);
	if (o->ui.t0 >= o->ui.t1) {
		cli_error("the window is empty: --from (cycle %llu) is not before --to (cycle %llu)",
		    (unsigned long long)o->ui.t0, (unsigned long long)o->ui.t1);
		goto out;
	}
	if (o->ui.batch != NULL) {
		o->ui.batch_cols = o->width ? (unsigned)o->width : 120;
		o->ui.batch_rows = o->height ? (unsigned)o->height : 40;
		o->ui.report = stdout;
	} else if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		print_text(o, s);
		rc = EXIT_OK;
		goto out;
	}
	if (tui_run(sp, o->paths, o->n, &o->ui, &e) != 0) {
		cli_error("%s", e.msg);	/* curses has ended: the message lands on a clean screen */
		goto out;
	}
	rc = EXIT_OK;
out:
	for (k = 0; k < built; k++)
		vsum_free(&s[k]);
	return rc;
}

const struct cmd cmd_view = {
	"view", "draw a trace's timeline: a lane per unit, L1 and DRAM beneath",
	sizeof(struct options), parse, act, usage,
};
