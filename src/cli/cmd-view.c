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
	    "                     [-t TILING] [--no-color] [--no-mouse]\n"
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
	    "  -q, --quiet        no progress line\n"
	    "  -h, --help         show this help and exit\n"
	    "\n"
	    "See mastrace-view(1).\n", f);
}

/* view --live: plan and replay in memory, drawn as it goes. */
static int
run_live(struct tui_opts *o, int operands, const char *sched, const char *workload,
    const char *npu_arg, const char *tiling, uint64_t width, uint64_t height)
{
	struct tui_live_spec ls;
	struct workload wl;
	struct errbuf e;
	struct npu npu;

	if (operands != 0)
		return cli_usage_error(&cmd_view, "--live replays in memory: it takes no TRACE");
	if (o->batch == NULL && (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))) {
		cli_error("--live draws in a terminal, and this is not one: schedule and replay to a "
		    "file and view that, or give --batch");
		return EXIT_ERROR;
	}
	if ((ls.sched = sched_find(sched ? sched : "mas")) == NULL)
		return cli_usage_error(&cmd_view, "-s: unknown scheduler '%s', expected mas, flat, "
		    "layerwise or flash", sched);
	if (wl_parse(workload ? workload : WL_DEFAULT_PRESET, &wl, &e) != 0 ||
	    npu_resolve(npu_arg ? npu_arg : "edge", &npu, &e) != 0 ||
	    sched_parse_tiling(ls.sched, tiling ? tiling : "", &ls.tiling, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	ls.npu = &npu;
	ls.wl = &wl;
	o->batch_cols = width ? (unsigned)width : 120;
	o->batch_rows = height ? (unsigned)height : 40;
	o->report = stdout;
	if (tui_live(&ls, o, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static int
run(int argc, char **argv)
{
	enum {
		OPT_WIDTH = 256, OPT_HEIGHT, OPT_FROM, OPT_TO, OPT_NOCOLOR, OPT_NOMOUSE, OPT_BATCH,
		OPT_LIVE, OPT_NPU
	};
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "width", required_argument, NULL, OPT_WIDTH },
		{ "height", required_argument, NULL, OPT_HEIGHT },
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
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct export_time from = { 0 }, to = { 0 };
	struct tui_opts to_ui = { .color = true, .mouse = true, .batch_cols = 120, .batch_rows = 40 };
	struct vsum s[2], *sp[2] = { &s[0], &s[1] };
	const char *paths[2];
	const char *no_color = getenv("NO_COLOR");
	struct errbuf e;
	struct meter m;
	uint64_t width = 0, height = 0, t0, t1, span = 0;
	char why[256];
	bool quiet = false, live = false;
	const char *sched = NULL, *workload = NULL, *npu_arg = NULL, *tiling = NULL;
	unsigned n, k, built = 0;
	int ch, rc = EXIT_ERROR;

	while ((ch = cli_getopt(&cmd_view, argc, argv, "hqs:w:t:", longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return EXIT_OK;
		case 'q': quiet = true; break;
		case OPT_WIDTH: case OPT_HEIGHT: {
			uint64_t *v = ch == OPT_WIDTH ? &width : &height;
			unsigned lo = ch == OPT_WIDTH ? 10 : 5;
			unsigned hi = ch == OPT_WIDTH ? MAX_WIDTH : MAX_SCREEN_SIDE;
			if (num_parse_u64(optarg, v) != 0 || *v < lo || *v > hi)
				return cli_usage_error(&cmd_view, "%s: got '%s', expected an integer "
				    "from %u to %u", ch == OPT_WIDTH ? "--width" : "--height", optarg, lo,
				    hi);
			break;
		}
		case OPT_FROM: case OPT_TO:
			if (export_time_parse(optarg, ch == OPT_FROM ? &from : &to, why, sizeof why) != 0)
				return cli_usage_error(&cmd_view, "%s: %s", ch == OPT_FROM ? "--from" :
				    "--to", why);
			break;
		case OPT_NOCOLOR: to_ui.color = false; break;
		case OPT_NOMOUSE: to_ui.mouse = false; break;
		case OPT_BATCH: to_ui.batch = optarg; break;
		case OPT_LIVE: live = true; break;
		case 's': sched = optarg; break;
		case 'w': workload = optarg; break;
		case OPT_NPU: npu_arg = optarg; break;
		case 't': tiling = optarg; break;
		default: return EXIT_ERROR;
		}
	}
	if (no_color != NULL && no_color[0] != '\0')
		to_ui.color = false;
	if ((to_ui.batch != NULL || live) && width > MAX_SCREEN_SIDE)
		return cli_usage_error(&cmd_view, "--width: got %llu, expected at most %d columns "
		    "for a screen (the text timeline takes up to %d)", (unsigned long long)width,
		    MAX_SCREEN_SIDE, MAX_WIDTH);
	if (live)
		return run_live(&to_ui, argc - optind, sched, workload, npu_arg, tiling, width, height);
	if (sched != NULL || workload != NULL || npu_arg != NULL || tiling != NULL)
		return cli_usage_error(&cmd_view, "-s, -w, --npu and -t choose what --live replays");
	n = (unsigned)(argc - optind);
	if (n < 1 || n > 2)
		return cli_usage_error(&cmd_view, "expected one TRACE, or two to compare");
	/* every trace is read, and refused if bad, before curses starts */
	meter_init(&m, "view", "instructions", quiet);
	for (k = 0; k < n; k++) {
		paths[k] = argv[optind + k];
		built = k + 1;		/* vsum_free() after vsum_build(), whatever it returns */
		if (vsum_build(&s[k], paths[k], meter_progress(&m), &e) != 0) {
			meter_done(&m);
			cli_error("%s", e.msg);
			goto out;
		}
		if (s[k].span > span)
			span = s[k].span;
	}
	meter_done(&m);
	t0 = export_time_cycles(&from, s[0].h.npu.clock_mhz, 0);
	t1 = export_time_cycles(&to, s[0].h.npu.clock_mhz, span);
	if (t0 >= t1) {
		cli_error("the window is empty: --from (cycle %llu) is not before --to (cycle %llu)",
		    (unsigned long long)t0, (unsigned long long)t1);
		goto out;
	}
	to_ui.t0 = t0;
	to_ui.t1 = t1;
	if (to_ui.batch != NULL) {
		to_ui.batch_cols = width ? (unsigned)width : 120;
		to_ui.batch_rows = height ? (unsigned)height : 40;
		to_ui.report = stdout;
	} else if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		for (k = 0; k < n; k++) {
			if (k > 0)
				putchar('\n');
			vtext_print(&s[k], paths[k], width ? (unsigned)width : DEFAULT_WIDTH, t0, t1,
			    stdout);
		}
		if (n == 2)
			printf("\nB / A makespan: %.3f\n", (double)s[1].span / s[1].h.npu.clock_mhz /
			    ((double)s[0].span / s[0].h.npu.clock_mhz));
		rc = EXIT_OK;
		goto out;
	}
	if (tui_run(sp, paths, n, &to_ui, &e) != 0) {
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
	"view", "draw a trace's timeline: a lane per unit, L1 and DRAM beneath", run, usage,
};
