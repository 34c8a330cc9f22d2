/* residency: the L1 bytes holding a trace's data, from its allocations, writes, frees, spills and fills. */
#ifndef MASTRACE_RESIDENCY_H
#define MASTRACE_RESIDENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa.h"

/*
 * What becomes of resident bytes, reported as it is found (in trace order,
 * not time order); either member may be NULL.
 */
struct residency_cb {
	void *ctx;
	/* resident bytes change by delta from `cycle` on */
	void (*change)(void *ctx, uint64_t cycle, int64_t delta);
	/* `size` bytes were resident over [since, until) */
	void (*stay)(void *ctx, uint64_t size, uint64_t since, uint64_t until);
};

struct residency_alloc {
	uint64_t addr, size, since;	/* addr first: the array is searched by it */
	bool resident;
};

/* The live L1 allocations of a trace, sorted by address. */
struct residency {
	struct residency_alloc *live;
	size_t n, cap;
	uint64_t lost;			/* allocations memory could not hold (not tracked) */
};

/* An empty account; residency_free() releases what it grew to. */
void residency_init(struct residency *r);
void residency_free(struct residency *r);
/*
 * Apply an instruction that runs over [start, end).  An allocation is
 * resident (holds data) from the start of the first instruction that
 * writes it, or of a fill; a spill's data stays until the spill ends (it is
 * being copied out); a free takes effect at its end.  Allocated bytes not
 * yet written are not counted: a replay gives them up without a spill
 * when it needs the room, so only their writes say when they hold L1.  A
 * region no allocation holds is ignored (traces need not allocate).
 */
void residency_apply(struct residency *r, const struct isa_instr *in, uint64_t start,
    uint64_t end, const struct residency_cb *cb);
/* Whatever is still allocated leaves at `end` (the makespan). */
void residency_finish(struct residency *r, uint64_t end, const struct residency_cb *cb);

#endif
