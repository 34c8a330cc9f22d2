/* trace-file: format detection and dispatch to the .mtr and text codecs. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "mtr.h"
#include "openin.h"
#include "trace-file.h"
#include "trace-text.h"

enum trace_format
trace_format_named(const char *name)
{
	if (strcmp(name, "mtr") == 0)
		return TRACE_FMT_MTR;
	if (strcmp(name, "text") == 0)
		return TRACE_FMT_TEXT;
	return TRACE_FMT_UNKNOWN;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum trace_format
trace_format_for_path(const char *path)
{
	if (ends_with(path, ".mtr"))
		return TRACE_FMT_MTR;
	if (strcmp(path, "-") == 0 || ends_with(path, ".mtt") || ends_with(path, ".txt"))
		return TRACE_FMT_TEXT;
	return TRACE_FMT_UNKNOWN;
}

int
trace_open_read(const char *path, struct trace_reader **out, enum trace_format *fmt,
    struct errbuf *e)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "standard input" : path;
	FILE *f = is_stdin ? stdin : openin(path, "a trace (.mtr or text)", e);
	int c;

	if (f == NULL)
		return -1;
	/* one byte of look-ahead is all ungetc() promises, and all we need */
	c = getc(f);
	if (c == EOF) {
		if (!is_stdin)
			fclose(f);
		return errbuf_set(e, "%s: empty file, expected a trace (.mtr or text)", name);
	}
	ungetc(c, f);
	if (c == 0x89) {
		*fmt = TRACE_FMT_MTR;
		return mtr_reader_open_stream(f, name, !is_stdin, out, e);
	}
	*fmt = TRACE_FMT_TEXT;
	return text_reader_open_stream(f, name, !is_stdin, out, e);
}

int
trace_open_write(const char *path, enum trace_format fmt, const struct trace_header *h,
    struct trace_writer **out, struct errbuf *e)
{
	if (fmt == TRACE_FMT_UNKNOWN)
		fmt = trace_format_for_path(path);
	switch (fmt) {
	case TRACE_FMT_MTR:
		if (strcmp(path, "-") == 0)
			return errbuf_set(e, "-: the binary .mtr format is not written to standard "
			    "output, expected a file name");
		return mtr_writer_open(path, h, out, e);
	case TRACE_FMT_TEXT:
		return text_writer_open(path, h, out, e);
	default:
		return errbuf_set(e, "%s: cannot tell the trace format from the name, expected "
		    "a name ending in .mtr (native) or .mtt or .txt (text)", path);
	}
}

