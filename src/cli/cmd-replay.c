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

struct options {
	const char *in, *out, *npu;
	struct replay_opts replay;
	bool stats, json, quiet;
};

static int
parse(int argc, char **argv, void *opts)
{
	struct options *o = opts;
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
	uint64_t window;
	int ch;

	replay_opts_default(&o->replay);
	while ((ch = cli_getopt(&cmd_replay, argc, argv, "ho:q", longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return CLI_DONE;
		case 'q': o->quiet = true; break;
		case OPT_NPU: o->npu = optarg; break;
		case OPT_IDEAL:
			o->replay.dram_sharing = o->replay.port_sharing = o->replay.capacity = false;
			break;
		case OPT_NODRAM: o->replay.dram_sharing = false; break;
		case OPT_NOPORT: o->replay.port_sharing = false; break;
		case OPT_NOCAP: o->replay.capacity = false; break;
		case OPT_WINDOW:
			if (num_parse_u64(optarg, &window) != 0 || window < 1 ||
			    window > REPLAY_WINDOW_MAX)
				return cli_usage_error(&cmd_replay, "--window: got '%s', expected a number "
				    "of instructions from 1 to %u", optarg, REPLAY_WINDOW_MAX);
			o->replay.window = (unsigned)window;
			break;
		case 'o': o->out = optarg; break;
		case OPT_STATS:
			if (cli_report_format(&cmd_replay, "--stats", "text", optarg, &o->json) != 0)
				return EXIT_ERROR;
			o->stats = true;
			break;
		default: return EXIT_ERROR;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(&cmd_replay, "expected one IN trace");
	o->in = argv[optind];
	if (o->out == NULL)	/* no trace written: the statistics are the output */
		o->stats = true;
	{
		const char *inputs[] = { o->in, cli_npu_file(o->npu) };
		if (cli_refuse_input(o->out, inputs, 2) != 0)
			return EXIT_ERROR;
	}
	return 0;
}

/* The provenance: a replay of a replay keeps the chain, its oldest links cut if long. */
static void
chain(struct trace_header *h, const char *command, const struct replay_opts *o)
{
	size_t used = strlen(h->replay), len = strlen(command);

	if (used > 0 && used + 3 + len >= sizeof h->replay) {
		memcpy(h->replay, "...", 3);
		used = 3;
	}
	if (used > 0) {
		memcpy(h->replay + used, " | ", 3);
		used += 3;
	}
	if (len >= sizeof h->replay - used)
		len = sizeof h->replay - used - 1;
	memcpy(h->replay + used, command, len);
	h->replay[used + len] = '\0';
	h->models = replay_opts_models(o);
}

/* Replay r into the output (if any) and the statistics. */
static int
replay_into(const struct options *o, struct trace_reader *r, const struct trace_header *h,
    struct stats *st, struct errbuf *e)
{
	struct trace_progress_reader pr;
	struct trace_writer *w = NULL;
	struct meter m;
	int rc;

	meter_init(&m, "replay", "instructions", o->quiet);
	rc = o->out != NULL ? trace_open_write(o->out, TRACE_FMT_UNKNOWN, h, &w, e) : 0;
	if (rc == 0)
		rc = replay_run(trace_progress_reader(&pr, r, meter_progress(&m)), o->in, &h->npu,
		    &o->replay, w, st, e);
	meter_done(&m);
	if (rc != 0) {
		trace_abort_write(w);
		return -1;
	}
	if ((w != NULL && trace_close_write(w, e) != 0) ||
	    (stats_finish(st, e) != 0 && errbuf_prefix(e, "%s", o->in)))
		return -1;
	return 0;
}

static int
act(void *opts, const char *command)
{
	const struct options *o = opts;
	struct trace_reader *r;
	struct trace_header h;
	enum trace_format in_fmt;
	struct stats st;
	struct errbuf e;
	FILE *sf;
	int rc;

	if (trace_open_read(o->in, &r, &in_fmt, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	h = r->hdr;
	if (o->npu != NULL && npu_resolve(o->npu, &h.npu, &e) != 0) {
		trace_close_read(r);
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	chain(&h, command, &o->replay);
	if (stats_init(&st, &h.npu) != 0) {
		trace_close_read(r);
		cli_error("out of memory");
		return EXIT_ERROR;
	}
	replay_opts_to_stats(&o->replay, &st);
	rc = replay_into(o, r, &h, &st, &e);
	trace_close_read(r);
	if (rc != 0) {
		stats_free(&st);
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	sf = o->out != NULL && strcmp(o->out, "-") == 0 ? stderr : stdout;
	if (o->stats && o->json)
		stats_print_json(&st, sf);
	else if (o->stats)
		stats_print_text(&st, sf);
	stats_free(&st);
	return EXIT_OK;
}

const struct cmd cmd_replay = {
	"replay", "re-time a trace with contention and spills, and explain every cycle",
	sizeof(struct options), parse, act, usage,
};
