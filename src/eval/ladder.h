/* ladder: from FLAT as published to MAS at its best, one change at a time. */
#ifndef MASTRACE_LADDER_H
#define MASTRACE_LADDER_H

#include <stdbool.h>

#include "compare.h"
#include "table.h"

/*
 * A step: a dataflow (the baseline or the candidate of compare.h) with
 * some of its ablation knobs weakened (their second choice) and some of
 * its choices pinned to their first (the published form), the rest
 * chosen by the default-tiling rule; or the best of a sweep.
 */
struct ladder_step {
	const char *what;		/* "FLAT as published" */
	bool candidate;			/* COMPARE_CANDIDATE's step, else COMPARE_BASELINE's */
	const char *weaken;		/* ablation knobs by name, "a,b"; "" for none */
	const char *pin;		/* choices by name, "a,b"; "" for none */
	bool swept;			/* the sweep's best instead */
};

extern const struct ladder_step ladder_steps[];
#define LADDER_NSTEPS 9

struct ladder {
	const struct workload *wl;
	const struct npu *npu;
	struct compare_point p[LADDER_NSTEPS];
};

/*
 * Sweep the baseline and the candidate (every combination of the row
 * and key tiles of the sweep and of every choice, one batch element, by
 * replayed makespan), then evaluate every step on the whole workload.
 * -1 with the reason when a dataflow has no tiling that fits or threads
 * cannot start; a step that cannot run is a point with its reason.
 * ladder_free() releases it either way.
 */
int ladder_run(struct ladder *l, const struct workload *w, const struct npu *n,
    const struct compare_opts *co, struct errbuf *e);
void ladder_free(struct ladder *l);

/* The ladder as a table: step, dataflow, cycles, energy, efficiency, bound, speedups, tiling. */
int ladder_table(const struct ladder *l, struct table *t);

#endif
