/* ladder: from FLAT as published to MAS at its best, one change at a time. */
#ifndef MASTRACE_LADDER_H
#define MASTRACE_LADDER_H

#include <stdbool.h>

#include "compare.h"
#include "table.h"

/*
 * A step: a dataflow (the baseline or the candidate of compare.h) with
 * some parameters set as its authors published them, some of its
 * ablation knobs weakened (their second choice) and some of its choices
 * pinned to their first (the published form), the rest chosen by the
 * default-tiling rule; or the best of a sweep.
 */
struct ladder_step {
	const char *what;		/* "FLAT as published" */
	bool candidate;			/* COMPARE_CANDIDATE's step, else COMPARE_BASELINE's */
	const char *set;		/* a tiling, "gran=head"; "" for none */
	const char *weaken;		/* ablation knobs by name, "a,b"; "" for none */
	const char *pin;		/* choices by name, "a,b"; "" for none */
	bool spill;			/* a footprint past L1 is replayed with spills */
	bool swept;			/* the sweep's best instead */
};

extern const struct ladder_step ladder_steps[];
#define LADDER_NSTEPS 10

/* Tilings of each sweep evaluated on the whole workload, beside the default. */
#define LADDER_TOP 3

struct ladder {
	const struct workload *wl;
	const struct npu *npu;
	struct compare_point p[LADDER_NSTEPS];
	/* the runners-up of the swept steps and their defaults: p[extra_of[k]] won */
	struct compare_point extra[2 * LADDER_TOP];
	unsigned extra_of[2 * LADDER_TOP], nextra;
};

/*
 * Sweep the baseline and the candidate (every combination of the row
 * and key tiles of the sweep and of every choice, by replayed makespan
 * of the whole workload, or of two heads and four extrapolated when it is
 * large; rows below 16 when nothing else fits), then evaluate every step
 * on the whole workload; a swept step is the fastest of the sweep's
 * LADDER_TOP best and the dataflow by default, so never slower than it.
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
