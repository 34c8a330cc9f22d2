/* mastrace convert: between the native and the text trace formats. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "meter.h"
#include "trace-file.h"
#include "trace-progress.h"

static void
usage(FILE *f)
{
	fputs("Usage: mastrace convert [-f mtr|text] [-q] IN OUT\n"
	    "\n"
	    "Copy a trace into another format, losslessly.  IN's format is read from\n"
	    "its first bytes; OUT's comes from its extension (.mtr native, .mtt or .txt\n"
	    "text; - writes text to standard output) unless -f says.  OUT appears only\n"
	    "once it is complete: on any error nothing is left under its name.\n"
	    "\n"
	    "Options:\n"
	    "  -f, --format FMT   write OUT as mtr or text, whatever its name\n"
	    "  -q, --quiet        no progress line on a terminal\n"
	    "  -h, --help         show this help and exit\n"
	    "\n"
	    "See mastrace-convert(1) and mastrace-trace(5).\n", f);
}

static int
do_convert(const char *in_path, const char *out_path, enum trace_format fmt, bool quiet)
{
	const struct isa_instr *in;
	struct trace_progress_reader pr;
	struct trace_reader *r, *from;
	struct meter m;
	struct trace_writer *w;
	enum trace_format in_fmt;
	struct errbuf e;
	int rc;

	if (trace_open_read(in_path, &r, &in_fmt, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (trace_open_write(out_path, fmt, &r->hdr, &w, &e) != 0) {
		/* only convert can be told the format */
		cli_error("%s%s", e.msg, fmt == TRACE_FMT_UNKNOWN &&
		    trace_format_for_path(out_path) == TRACE_FMT_UNKNOWN ? ", or -f mtr|text" : "");
		trace_close_read(r);
		return EXIT_ERROR;
	}
	meter_init(&m, "convert", "instructions", quiet);
	from = trace_progress_reader(&pr, r, meter_progress(&m));
	while ((rc = trace_next(from, &in, &e)) == 1)
		if (trace_write(w, in, &e) != 0) {
			rc = -1;
			break;
		}
	meter_done(&m);
	trace_close_read(r);
	if (rc < 0) {
		trace_abort_write(w);
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (trace_close_write(w, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

struct options {
	const char *in, *out;
	enum trace_format fmt;
	bool quiet;
};

static int
parse(int argc, char **argv, void *opts)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct options *o = opts;
	int ch;

	while ((ch = cli_getopt(&cmd_convert, argc, argv, "hf:q", longopts)) != -1) {
		switch (ch) {
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); return CLI_DONE;
		case 'f':
			if ((o->fmt = trace_format_named(optarg)) == TRACE_FMT_UNKNOWN)
				return cli_usage_error(&cmd_convert, "-f: got '%s', expected mtr or "
				    "text", optarg);
			break;
		default: return EXIT_ERROR;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(&cmd_convert, "expected IN and OUT");
	o->in = argv[optind];
	o->out = argv[optind + 1];
	return cli_refuse_input(o->out, &o->in, 1);
}

static int
act(void *opts, const char *command)
{
	const struct options *o = opts;

	(void)command;
	return do_convert(o->in, o->out, o->fmt, o->quiet);
}

const struct cmd cmd_convert = {
	"convert", "convert a trace between the .mtr and text formats", sizeof(struct options),
	parse, act, usage,
};
