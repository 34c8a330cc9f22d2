/* meter: a progress line on a terminal for long runs. */
#ifndef MASTRACE_METER_H
#define MASTRACE_METER_H

#include <stdbool.h>
#include <stdint.h>

#include "progress.h"

/*
 * A line on stderr with the work done, the rate and the time left, shown
 * only when stderr is a terminal, not before a run has lasted a second
 * (MASTRACE_PROGRESS_DELAY seconds), at most a few times a second, and
 * never with --quiet.  meter_done() erases it, so that what follows starts
 * on a clean line.
 */
struct meter {
	const char *cmd;	/* "verify" */
	const char *unit;	/* "instructions" */
	bool on;		/* a terminal, and not quiet */
	bool shown;
	double start, last, delay;
	struct progress p;
};

/* A meter for command cmd counting `unit`; off when quiet or stderr is no terminal. */
void meter_init(struct meter *m, const char *cmd, const char *unit, bool quiet);
/* The progress to hand to a library call; NULL when nothing would be shown. */
const struct progress *meter_progress(struct meter *m);
/* done of total units so far (total 0: unknown). */
void meter_update(struct meter *m, uint64_t done, uint64_t total);
/* Erase the line, if it was shown. */
void meter_done(struct meter *m);

#endif
