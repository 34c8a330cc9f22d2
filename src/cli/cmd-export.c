/* mastrace export: a trace for Perfetto, chrome://tracing, pandas or a text editor. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "meter.h"
#include "outfile.h"
#include "export.h"

static void
usage(FILE *f)
{
	fputs("Usage: mastrace export [-f perfetto|json|csv|text] [-o OUT] [--planned]\n"
	    "                       [--flows critical|all|none] [--from T] [--to T]\n"
	    "                       [--util-window T] [-q] TRACE\n"
	    "\n"
	    "Write TRACE for a viewer or a script: Perfetto's native protobuf format\n"
	    "(open it at ui.perfetto.dev; the file never leaves your machine), Chrome\n"
	    "JSON, CSV with one row per instruction, or the lossless text trace.  The\n"
	    "format follows OUT's name (.pftrace, .json, .csv, .mtt; add .gz to\n"
	    "compress) unless -f says; without -o, OUT is TRACE's name with the\n"
	    "format's extension.  Replayed times are exported when TRACE has them.\n"
	    "A time T is in cycles, or a number with ns, us, ms or s.\n"
	    "\n"
	    "Options:\n"
	    "  -f, --format FMT       perfetto, json, csv or text, whatever OUT's name\n"
	    "  -o, --output OUT       where to write (- for standard output)\n"
	    "      --planned          export the planned times even if TRACE was replayed\n"
	    "      --flows WHICH      dependencies drawn as arrows: the critical path\n"
	    "                         (default), all, or none\n"
	    "      --from T           export what runs at or after T\n"
	    "      --to T             and before T\n"
	    "      --util-window T    utilisation counters average over T (1us)\n"
	    "  -q, --quiet            no progress line on a terminal\n"
	    "  -h, --help             show this help and exit\n"
	    "\n"
	    "See mastrace-export(1).\n", f);
}

/* TRACE's name with the format's extension instead of its own. */
static char *
default_output(const char *in, enum export_format fmt, bool gzip)
{
	static const char *const ext[] = {
		[EXPORT_FMT_PERFETTO] = ".pftrace", [EXPORT_FMT_JSON] = ".json",
		[EXPORT_FMT_CSV] = ".csv", [EXPORT_FMT_TEXT] = ".mtt",
	};
	const char *slash = strrchr(in, '/'), *dot = strrchr(in, '.');
	size_t stem = dot != NULL && (slash == NULL || dot > slash) ? (size_t)(dot - in) : strlen(in);
	size_t n = stem + strlen(ext[fmt]) + 4;
	char *out = malloc(n);

	if (out != NULL)
		snprintf(out, n, "%.*s%s%s", (int)stem, in, ext[fmt], gzip ? ".gz" : "");
	return out;
}

static int
run(int argc, char **argv)
{
	enum { OPT_PLANNED = 256, OPT_FLOWS, OPT_FROM, OPT_TO, OPT_UTIL };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "planned", no_argument, NULL, OPT_PLANNED },
		{ "flows", required_argument, NULL, OPT_FLOWS },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "util-window", required_argument, NULL, OPT_UTIL },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct meter m;
	const char *out = NULL, *in;
	char *made = NULL, why[256];
	struct export_opts o;
	struct export_counts c;
	struct errbuf e;
	bool named = false, gz, quiet = false;
	int ch, rc;

	export_opts_default(&o);
	while ((ch = cli_getopt(&cmd_export, argc, argv, "hf:o:q", longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return EXIT_OK;
		case 'q': quiet = true; break;
		case 'f':
			if ((o.format = export_format_named(optarg)) == EXPORT_FMT_UNKNOWN)
				return cli_usage_error(&cmd_export, "-f: got '%s', expected perfetto, "
				    "json, csv or text", optarg);
			named = true;
			break;
		case 'o': out = optarg; break;
		case OPT_PLANNED: o.planned = true; break;
		case OPT_FLOWS:
			if (strcmp(optarg, "critical") == 0)
				o.flows = EXPORT_FLOWS_CRITICAL;
			else if (strcmp(optarg, "all") == 0)
				o.flows = EXPORT_FLOWS_ALL;
			else if (strcmp(optarg, "none") == 0)
				o.flows = EXPORT_FLOWS_NONE;
			else
				return cli_usage_error(&cmd_export, "--flows: got '%s', expected "
				    "critical, all or none", optarg);
			break;
		case OPT_FROM:
		case OPT_TO:
		case OPT_UTIL:
			if (export_time_parse(optarg, ch == OPT_FROM ? &o.from : ch == OPT_TO ? &o.to :
			    &o.util_window, why, sizeof why) != 0)
				return cli_usage_error(&cmd_export, "%s: %s", ch == OPT_FROM ? "--from" :
				    ch == OPT_TO ? "--to" : "--util-window", why);
			break;
		default: return EXIT_ERROR;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(&cmd_export, "expected one TRACE");
	in = argv[optind];
	if (out != NULL) {
		enum export_format by_name = export_format_for_path(out, &gz);
		if (!named && by_name == EXPORT_FMT_UNKNOWN && strcmp(out, "-") != 0)
			return cli_usage_error(&cmd_export, "%s: cannot tell the format from the name: "
			    "expected " EXPORT_FORMATS ", optionally with .gz, or -f", out);
		if (!named && by_name != EXPORT_FMT_UNKNOWN)
			o.format = by_name;
		o.gzip = gz;
	} else if (strcmp(in, "-") == 0) {
		out = "-";
	} else if ((out = made = default_output(in, o.format, false)) == NULL) {
		cli_error("out of memory");
		return EXIT_ERROR;
	}
	if (made != NULL && outfile_same_file(made, in)) {
		cli_error("%s: without -o the output would be %s, the input itself; name "
		    "another with -o", in, made);
		free(made);
		return EXIT_ERROR;
	}
	if (cli_refuse_input(out, &in, 1) != 0) {
		free(made);
		return EXIT_ERROR;
	}
	meter_init(&m, "export", "instructions read", quiet);
	o.progress = meter_progress(&m);
	rc = export_file(in, out, &o, &c, &e);
	meter_done(&m);
	if (rc != 0) {
		cli_error("%s", e.msg);
	} else {
		if (strcmp(out, "-") != 0)
			fprintf(stderr, "%s: %" PRIu64 " slices, %" PRIu64 " instants, %" PRIu64
			    " counter values, %" PRIu64 " flows, from %" PRIu64 " instructions read\n",
			    out, c.slices, c.instants, c.counters, c.flows, c.read);
		if (c.flows_lost > 0)
			fprintf(stderr, "mastrace: export: %" PRIu64 " dependencies not drawn: their "
			    "producer was more than 4096 instructions back or had more than 64 "
			    "consumers\n", c.flows_lost);
		if (c.late > 0)
			fprintf(stderr, "mastrace: export: %" PRIu64 " counter changes arrived after "
			    "their time was shown and were shown late (see mastrace-export(1))\n",
			    c.late);
	}
	free(made);
	return rc == 0 ? EXIT_OK : EXIT_ERROR;
}

const struct cmd cmd_export = {
	"export", "write a trace for Perfetto, chrome://tracing, pandas or a text editor", run,
	usage,
};
