/* trace-text: the line-oriented text trace format (see mastrace-trace(5)). */
#ifndef MASTRACE_TRACE_TEXT_H
#define MASTRACE_TRACE_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "isa.h"

#define TEXT_TRACE_VERSION 1
#define TEXT_TRACE_MAGIC "#!mastrace-trace"

/* Start a text trace ("-" is standard output). */
int text_writer_open(const char *path, const struct trace_header *h,
    struct trace_writer **out, struct errbuf *e);

/* Read a text trace from an open stream; the header is read here. */
int text_reader_open_stream(FILE *f, const char *name, bool close_f,
    struct trace_reader **out, struct errbuf *e);

/* Format one instruction as its normalized line, without the newline. */
void text_format_instr(const struct isa_instr *in, char *buf, size_t len);

#endif
