/* mastrace export: a trace for Perfetto, chrome://tracing, pandas or a text editor. */
#include "config.h"

#include <getopt.h>
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

enum { OPT_PLANNED = 256, OPT_FLOWS, OPT_FROM, OPT_TO, OPT_UTIL };

struct options {
	const char *in, *out;
	char *made;		/* out when no -o named it, on the heap */
	struct export_opts x;
	bool named, quiet;
};

static int
parse_option(int ch, const char *arg, struct options *o)
{
	static const char *const flows[] = { "critical", "all", "none", NULL };
	char why[256];
	int f;

	switch (ch) {
	case 'q': o->quiet = true; return 0;
	case 'f':
		if ((o->x.format = export_format_named(arg)) == EXPORT_FMT_UNKNOWN)
			return cli_usage_error(&cmd_export, "-f: got '%s', expected perfetto, json, csv "
			    "or text", arg);
		o->named = true;
		return 0;
	case 'o': o->out = arg; return 0;
	case OPT_PLANNED: o->x.planned = true; return 0;
	case OPT_FLOWS:
		if (cli_parse_choice(&cmd_export, "--flows", arg, flows, &f) != 0)
			return EXIT_ERROR;
		o->x.flows = f == 0 ? EXPORT_FLOWS_CRITICAL : f == 1 ? EXPORT_FLOWS_ALL :
		    EXPORT_FLOWS_NONE;
		return 0;
	case OPT_FROM: case OPT_TO: case OPT_UTIL:
		if (export_time_parse(arg, ch == OPT_FROM ? &o->x.from : ch == OPT_TO ? &o->x.to :
		    &o->x.util_window, why, sizeof why) != 0)
			return cli_usage_error(&cmd_export, "%s: %s", ch == OPT_FROM ? "--from" :
			    ch == OPT_TO ? "--to" : "--util-window", why);
		return 0;
	default: return EXIT_ERROR;
	}
}

/* OUT and its format: -o's name, or TRACE's name with the format's extension. */
static int
output(struct options *o)
{
	enum export_format by_name;
	bool gz;

	if (o->out != NULL) {
		by_name = export_format_for_path(o->out, &gz);
		if (!o->named && by_name == EXPORT_FMT_UNKNOWN && strcmp(o->out, "-") != 0)
			return cli_usage_error(&cmd_export, "%s: cannot tell the format from the name: "
			    "expected " EXPORT_FORMATS ", optionally with .gz, or -f", o->out);
		if (!o->named && by_name != EXPORT_FMT_UNKNOWN)
			o->x.format = by_name;
		o->x.gzip = gz;
	} else if (strcmp(o->in, "-") == 0) {
		o->out = "-";
	} else if ((o->out = o->made = default_output(o->in, o->x.format, false)) == NULL) {
		cli_error("out of memory");
		return EXIT_ERROR;
	} else if (outfile_same_file(o->made, o->in)) {
		cli_error("%s: without -o the output would be %s, the input itself; name "
		    "another with -o", o->in, o->made);
		return EXIT_ERROR;
	}
	return cli_refuse_input(o->out, &o->in, 1);
}

static int
parse(int argc, char **argv, void *opts)
{
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
	struct options *o = opts;
	int ch;

	export_opts_default(&o->x);
	while ((ch = cli_getopt(&cmd_export, argc, argv, "hf:o:q", longopts)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return CLI_DONE;
		}
		if (parse_option(ch, optarg, o) != 0)
			return EXIT_ERROR;
	}
	if (argc - optind != 1)
		return cli_usage_error(&cmd_export, "expected one TRACE");
	o->in = argv[optind];
	if (output(o) != 0) {
		free(o->made);
		o->made = NULL;
		return EXIT_ERROR;
	}
	return 0;
}

static void
report(const char *out, const struct export_counts *c)
{
	if (strcmp(out, "-") != 0)
		fprintf(stderr,
		    "%s: %llu slices, %llu instants, %llu counter values, %llu flows, from "
		    "%llu instructions read\n",
		    out, (unsigned long long)c->slices, (unsigned long long)c->instants,
		    (unsigned long long)c->counters, (unsigned long long)c->flows,
		    (unsigned long long)c->read);
	if (c->flows_lost > 0)
		cli_warning("%llu dependencies not drawn: their producer was more than 4096 "
		    "instructions back or had more than 64 consumers", (unsigned long long)c->flows_lost);
	if (c->late > 0)
		cli_warning("%llu counter changes arrived after their time was shown and "
		    "were shown late (see mastrace-export(1))", (unsigned long long)c->late);
}

static int
act(void *opts, const char *command)
{
	struct options *o = opts;
	struct export_counts c;
	struct errbuf e;
	struct meter m;
	int rc;

	(void)command;
	meter_init(&m, "export", "instructions read", o->quiet);
	o->x.progress = meter_progress(&m);
	rc = export_file(o->in, o->out, &o->x, &c, &e);
	meter_done(&m);
	if (rc != 0)
		cli_error("%s", e.msg);
	else
		report(o->out, &c);
	free(o->made);
	return rc == 0 ? EXIT_OK : EXIT_ERROR;
}

const struct cmd cmd_export = {
	"export", "write a trace for Perfetto, chrome://tracing, pandas or a text editor",
	sizeof(struct options), parse, act, usage,
};
