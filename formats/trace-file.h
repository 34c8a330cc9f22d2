/* trace-file: open traces by name, whatever their format. */
#ifndef MASTRACE_TRACE_FILE_H
#define MASTRACE_TRACE_FILE_H

#include "isa.h"

enum trace_format { TRACE_FMT_UNKNOWN, TRACE_FMT_MTR, TRACE_FMT_TEXT };

/* "mtr" or "text"; TRACE_FMT_UNKNOWN otherwise. */
enum trace_format trace_format_named(const char *name);
/* By extension: .mtr is native, .mtt and .txt (and "-") are text. */
enum trace_format trace_format_for_path(const char *path);

/* Open for reading, telling the format from the first bytes; "-" is standard input. */
int trace_open_read(const char *path, struct trace_reader **out, enum trace_format *fmt,
    struct errbuf *e);

/*
 * Open for writing; fmt UNKNOWN means "by extension".  The writer is
 * closed or aborted with trace_close_write() and trace_abort_write().
 */
int trace_open_write(const char *path, enum trace_format fmt, const struct trace_header *h,
    struct trace_writer **out, struct errbuf *e);

#endif
