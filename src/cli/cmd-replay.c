/* mastrace replay: re-time a trace with contention, spills and stall causes. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "meter.h"
#include "num.h"
#include "replay.h"
#include "trace-file.h"
#include "trace-progress.h"

static void
usage(FILE *f)
{
	fputs("Usage: mastrace replay [--npu NAME|FILE] [--ideal] [--no-dram-sharing]\n"
	    "                       [--no-port-sharing] [--no-capacity] [--window N]\n"
	    "                       [-o OUT] [--stats text|json] [-q] IN\n"
	    "\n"
	    "Re-time every instruction of IN on an NPU (the trace's own, or another for\n"
	    "what-if studies): each unit runs its instructions in order, each starts when\n"
	    "its dependencies are done and its unit is free, transfers share DRAM\n"
	    "bandwidth, all units share L1's ports, and an allocation that does not fit\n"
	    "L1 spills a victim (the one used furthest ahead) with the spill and fill\n"
	    "traffic timed too.  Writes the retimed trace to OUT and prints statistics\n"
	    "(by default as text when no OUT is given).\n"
	    "\n"
	    "Options:\n"
	    "      --npu NAME|FILE     replay on this NPU instead of the trace's\n"
	    "      --ideal             no contention at all: reproduces the planned times\n"
	    "      --no-dram-sharing   transfers do not share DRAM bandwidth\n"
	    "      --no-port-sharing   units do not share L1's ports\n"
	    "      --no-capacity       L1 holds everything: no spills\n"
	    "      --window N          look N instructions ahead for spill victims (1024)\n"
	    "  -o, --output OUT        write the retimed trace (.mtr, .mtt or -)\n"
	    "      --stats FMT         print statistics as text or json\n"
	    "  -q, --quiet             no progress line on a terminal\n"
	    "  -h, --help              show this help and exit\n"
	    "\n"
	    "See mastrace-replay(1) and the models in mastrace(7).\n", f);
}

enum { OPT_NPU = 256, OPT_IDEAL, OPT_NODRAM, OPT_NOPORT, OPT_NOCAP, OPT_WINDOW, OPT_STATS };
static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "npu", required_argument, NULL, OPT_NPU },
	{ "ideal", no_argument, NULL, OPT_IDEAL },
	{ "no-dram-sharing", no_argument, NULL, OPT_NODRAM },
	{ "no-port-sharing", no_argument, NULL, OPT_NOPORT },
	{ "no-capacity", no_argument, NULL, OPT_NOCAP },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "output", required_argument, NULL, 'o' },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "quiet", no_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 },
};

/* The models an option turns off (OPT_* of longopts). */
static void
model_off(int opt, struct replay_opts *o)
{
	switch (opt) {
	case OPT_IDEAL: o->dram_sharing = o->port_sharing = o->capacity = false; break;
	case OPT_NODRAM: o->dram_sharing = false; break;
	case OPT_NOPORT: o->port_sharing = false; break;
	case OPT_NOCAP: o->capacity = false; break;
	default: break;
	}
}

static int
run(int argc, char **argv)
{
	const char *npu_arg = NULL, *out_path = NULL, *fmt = NULL;
	struct trace_reader *r;
	struct trace_writer *w = NULL;
	struct trace_header h;
	struct replay_opts o;
	enum trace_format in_fmt;
	struct stats st;
	struct errbuf e;
	struct npu n;
	struct trace_progress_reader pr;
	struct meter m;
	char command[1024];
	uint64_t window;
	bool quiet = false, json = false;
	size_t used, len;
	FILE *sf;
	int ch, rc;

	cli_join_args(argc, argv, command, sizeof command);	/* before getopt reorders argv */
	replay_opts_default(&o);
	while ((ch = cli_getopt(&cmd_replay, argc, argv, "ho:q", longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return EXIT_OK;
		case 'q': quiet = true; break;
		case OPT_NPU: npu_arg = optarg; break;
		case OPT_IDEAL: case OPT_NODRAM: case OPT_NOPORT: case OPT_NOCAP:
			model_off(ch, &o);
			break;
		case OPT_WINDOW:
			if (num_parse_u64(optarg, &window) != 0 || window < 1 ||
			    window > REPLAY_WINDOW_MAX)
				return cli_usage_error(&cmd_replay, "--window: got '%s', expected a number "
				    "of instructions from 1 to %u", optarg, REPLAY_WINDOW_MAX);
			o.window = (unsigned)window;
			break;
		case 'o': out_path = optarg; break;
		case OPT_STATS:
			if (cli_report_format(&cmd_replay, "--stats", "text", optarg, &json) != 0)
				return EXIT_ERROR;
			fmt = optarg;
			break;
		default: return EXIT_ERROR;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(&cmd_replay, "expected one IN trace");
	if (out_path == NULL && fmt == NULL)
		fmt = "text";
	{
		const char *inputs[] = { argv[optind], cli_npu_file(npu_arg) };
		if (cli_refuse_input(out_path, inputs, 2) != 0)
			return EXIT_ERROR;
	}
	if (trace_open_read(argv[optind], &r, &in_fmt, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	h = r->hdr;
	if (npu_arg != NULL && npu_resolve(npu_arg, &h.npu, &e) != 0) {
		trace_close_read(r);
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	/* the provenance: a replay of a replay keeps the chain, its oldest links cut if long */
	used = strlen(h.replay);
	len = strlen(command);
	if (used > 0 && used + 3 + len >= sizeof h.replay) {
		memcpy(h.replay, "...", 3);
		used = 3;
	}
	if (used > 0) {
		memcpy(h.replay + used, " | ", 3);
		used += 3;
	}
	if (len >= sizeof h.replay - used)
		len = sizeof h.replay - used - 1;
	memcpy(h.replay + used, command, len);
	h.replay[used + len] = '\0';
	h.models = replay_opts_models(&o);
	n = h.npu;
	if (stats_init(&st, &n) != 0) {
		trace_close_read(r);
		cli_error("out of memory");
		return EXIT_ERROR;
	}
	replay_opts_to_stats(&o, &st);
	meter_init(&m, "replay", "instructions", quiet);
	rc = out_path != NULL ? trace_open_write(out_path, TRACE_FMT_UNKNOWN, &h, &w, &e) : 0;
	if (rc == 0)
		rc = replay_run(trace_progress_reader(&pr, r, meter_progress(&m)), argv[optind], &n,
		    &o, w, &st, &e);
	meter_done(&m);
	if (rc != 0) {
		trace_abort_write(w);
		trace_close_read(r);
		stats_free(&st);
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	trace_close_read(r);
	if ((w != NULL && trace_close_write(w, &e) != 0) ||
	    (stats_finish(&st, &e) != 0 && errbuf_prefix(&e, "%s", argv[optind]))) {
		stats_free(&st);
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	sf = out_path != NULL && strcmp(out_path, "-") == 0 ? stderr : stdout;
	if (fmt != NULL && json)
		stats_print_json(&st, sf);
	else if (fmt != NULL)
		stats_print_text(&st, sf);
	stats_free(&st);
	return EXIT_OK;
}

const struct cmd cmd_replay = {
	"replay", "re-time a trace with contention and spills, and explain every cycle", run,
	usage,
};
