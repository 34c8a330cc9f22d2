/* trace-progress: a reader or writer that reports how far it got. */
#ifndef MASTRACE_TRACE_PROGRESS_H
#define MASTRACE_TRACE_PROGRESS_H

#include "isa.h"
#include "progress.h"

/*
 * Wrappers that pass every call through to the reader or writer they wrap
 * and report the instructions so far, every 65536, against the total (the
 * reader's index, or what the caller expects to write; 0 when unknown).
 * They own nothing: closing the wrapped reader stays the caller's job, and
 * closing or aborting the writer wrapper closes or aborts the one inside.
 */
struct trace_progress_reader {
	struct trace_reader r;
	struct trace_reader *in;
	const struct progress *p;
	uint64_t total;
};

struct trace_progress_writer {
	struct trace_writer w;
	struct trace_writer *out;
	const struct progress *p;
	uint64_t total;
};

/* Returns the reader to use: the wrapper, or `in` itself when p reports nothing. */
struct trace_reader *trace_progress_reader(struct trace_progress_reader *pr,
    struct trace_reader *in, const struct progress *p);
struct trace_writer *trace_progress_writer(struct trace_progress_writer *pw,
    struct trace_writer *out, const struct progress *p, uint64_t total);

#endif
