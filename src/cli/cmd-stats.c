/* mastrace stats: the statistics of a replayed trace. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cost.h"
#include "replay.h"
#include "stats.h"
#include "trace-file.h"

static void
usage(FILE *f)
{
	fputs("Usage: mastrace stats [--format text|json] TRACE\n"
	    "\n"
	    "Print the statistics of a replayed trace (see mastrace replay): makespan,\n"
	    "each unit's busy, stalled (by cause) and idle cycles, MAC and VEC overlap,\n"
	    "DRAM traffic and achieved bandwidth, L1 occupancy, spills, energy by\n"
	    "component and the critical path.\n"
	    "\n"
	    "Options:\n"
	    "      --format FMT   text (default) or json\n"
	    "  -h, --help         show this help and exit\n"
	    "\n"
	    "See mastrace-stats(1).\n", f);
}

struct options {
	const char *path;
	bool json;
};

static int
parse(int argc, char **argv, void *opts)
{
	enum { OPT_FORMAT = 256 };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ NULL, 0, NULL, 0 },
	};
	struct options *o = opts;
	int ch;

	while ((ch = cli_getopt(&cmd_stats, argc, argv, "h", longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return CLI_DONE;
		case OPT_FORMAT:
			if (cli_report_format(&cmd_stats, "--format", "text", optarg, &o->json) != 0)
				return EXIT_ERROR;
			break;
		default: return EXIT_ERROR;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(&cmd_stats, "expected one TRACE");
	o->path = argv[optind];
	return 0;
}

static int
act(void *opts, const char *command)
{
	const struct options *o = opts;
	struct trace_reader *r;
	enum trace_format tf;
	struct replay_opts ro;
	struct stats st;
	struct errbuf e;
	struct npu n;
	int rc;

	(void)command;
	if (trace_open_read(o->path, &r, &tf, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	n = r->hdr.npu;
	if (stats_init(&st, &n) != 0) {
		trace_close_read(r);
		cli_error("out of memory");
		return EXIT_ERROR;
	}
	replay_opts_of_trace(&r->hdr, &ro);
	replay_opts_to_stats(&ro, &st);
	rc = stats_read(&st, r, o->path, &e);
	trace_close_read(r);
	if (rc != 0) {
		stats_free(&st);
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (o->json)
		stats_print_json(&st, stdout);
	else
		stats_print_text(&st, stdout);
	stats_free(&st);
	return EXIT_OK;
}

const struct cmd cmd_stats = {
	"stats", "print the statistics of a replayed trace", sizeof(struct options), parse, act,
	usage,
};
