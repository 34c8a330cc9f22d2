/* progress: how a long library call says how far it got. */
#ifndef MASTRACE_PROGRESS_H
#define MASTRACE_PROGRESS_H

#include <stdint.h>

/*
 * The library never prints: a caller that wants to show progress passes
 * one of these, and fn is called (from the calling thread only, a few
 * times a second at most, or on every call for cheap reporters) with the
 * work done so far and the total, in the callee's unit of work.  A NULL
 * progress or fn reports nothing.
 */
struct progress {
	void (*fn)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
};

static inline void
progress_report(const struct progress *p, uint64_t done, uint64_t total)
{
	if (p != NULL && p->fn != NULL)
		p->fn(p->ctx, done, total);
}

#endif
