/* overlap: cycles two units are busy at the same time, from streams of intervals. */
#ifndef MASTRACE_OVERLAP_H
#define MASTRACE_OVERLAP_H

#include <stddef.h>
#include <stdint.h>

struct interval {
	uint64_t start, end;
};

struct ivqueue {
	struct interval *v;
	size_t head, len, cap;
};

/*
 * Each side's intervals must come in time order without overlapping each
 * other, as one unit's instructions do; the two sides may interleave in any
 * way.  Memory is what one side runs ahead of the other.
 */
struct overlap {
	struct ivqueue side[2];
	uint64_t both;		/* cycles counted so far */
	int failed;		/* 0, OVERLAP_OOM or OVERLAP_ORDER: intervals broke the rules */
	/* optional, set after overlap_init(): each stretch [lo, hi) both are busy, as found */
	void (*piece)(void *ctx, uint64_t lo, uint64_t hi);
	void *ctx;
};

enum { OVERLAP_OOM = 1, OVERLAP_ORDER = 2 };

/* An empty count (piece unset). */
void overlap_init(struct overlap *o);
/* The next busy interval [start, end) of side 0 or 1. */
void overlap_add(struct overlap *o, int side, uint64_t start, uint64_t end);
/* The total; frees the queues.  -1 if the input broke the rules above. */
int overlap_finish(struct overlap *o, uint64_t *both);
/* Free the queues without a total (after an error); safe after overlap_finish(). */
void overlap_free(struct overlap *o);

#endif
