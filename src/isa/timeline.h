/* timeline: a bandwidth that transfers share over time, booked first come first served. */
#ifndef MASTRACE_TIMELINE_H
#define MASTRACE_TIMELINE_H

#include <stddef.h>

/* Rate used during [t0, t1); times are cycles, rates bytes per cycle. */
struct tl_seg {
	double t0, t1, used;
};

struct timeline {
	double cap;		/* bytes per cycle */
	struct tl_seg *v;
	size_t n, alloc;
	struct tl_seg *pieces;	/* scratch for a booking */
	size_t pieces_alloc;
	int failed;		/* out of memory */
};

/* An empty timeline of `cap` bytes per cycle. */
void tl_init(struct timeline *tl, double cap);
void tl_free(struct timeline *tl);
/*
 * Move `bytes` starting at `start`, at most `max_rate` bytes per cycle and
 * only what earlier bookings left; returns when the last byte moves.
 */
double tl_book(struct timeline *tl, double start, double bytes, double max_rate);
/*
 * Forget usage before `t`: nothing will be booked earlier.  The segments
 * forgotten are final and go to `done` (if not NULL) in time order; t =
 * HUGE_VAL forgets, and so reports, everything.
 */
typedef void tl_done_fn(void *ctx, const struct tl_seg *s);
void tl_prune(struct timeline *tl, double t, tl_done_fn *done, void *ctx);

#endif
