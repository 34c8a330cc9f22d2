/* diff: two replayed traces of one computation, side by side and aligned by what they compute. */
#ifndef MASTRACE_DIFF_H
#define MASTRACE_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "errbuf.h"
#include "isa.h"
#include "replay.h"
#include "stats.h"

/* The unit classes of the per-operation table and of the alignment. */
enum { DIFF_MAC, DIFF_VEC, DIFF_MTE, DIFF_DMA, DIFF_NCLASSES };

/* MAC work done over time, in DIFF_CURVE buckets of a width that doubles as the trace goes on. */
#define DIFF_CURVE 1024

struct diff_side {
	const char *path;
	struct trace_header h;
	struct stats st;
	struct stats_bound bound;
	uint32_t rows;			/* query rows per block of its tiling; 0 when it names none */
	uint64_t macs;			/* MACs of its matmuls */
	uint64_t curve_w;		/* cycles per bucket, a power of two */
	uint64_t curve[DIFF_CURVE];	/* MACs of the matmuls ending in each bucket */
	uint64_t unaligned;		/* timed instructions outside the workload's heads */
};

struct diff_op {
	uint64_t count[2], cycles[2];
};

/*
 * What one schedule did for one aligned block: rows [row0, row0 + rows) of
 * a head, or (the last block of each head) the head's K and V transfers,
 * which serve all its rows.
 */
struct diff_cell {
	uint64_t start, end;		/* cycles; start > end when nothing ran */
	uint64_t busy[DIFF_NCLASSES];
};

struct diff {
	struct diff_side s[2];
	struct diff_op op[DIFF_NCLASSES][ISA_NOPS];
	uint32_t gran;			/* rows per aligned block */
	uint32_t nblk;			/* aligned blocks per head, the K and V block included */
	uint64_t nheads;		/* batch x heads */
	struct diff_cell *cell;		/* [head][block][side] */
};

/*
 * Read two replayed traces into d, each schedule's lower bound with the
 * models its header says its replay ran (replay_opts_of_trace()).  -1
 * with the reason when either cannot be read or they are not schedules of
 * one computation (the message says what differs); diff_free() releases d
 * either way.
 */
int diff_read(struct diff *d, const char *a, const char *b, struct errbuf *e);
void diff_free(struct diff *d);

/* The cell of side `side` for aligned block `blk` of head `head`. */
static inline const struct diff_cell *
diff_cell_at(const struct diff *d, uint64_t head, uint32_t blk, unsigned side)
{
	return &d->cell[(head * d->nblk + blk) * 2 + side];
}

/* A line of the summary: one figure of each schedule. */
struct diff_metric {
	const char *section;		/* time, unit, stall, dram, l1, spill, energy, path, bound */
	char name[48];
	const char *unit;		/* cycles, us, %, bytes, GB/s, uJ, count */
	double v[2];
};
#define DIFF_METRICS_MAX 64
unsigned diff_metrics(const struct diff *d, struct diff_metric *m);

/*
 * B's speedup over A: A's makespan over B's, in time (the clocks may
 * differ).  A trace may take no time at all: B taking none is infinitely
 * fast (INFINITY, or 1 when A takes none either), A taking none makes B
 * infinitely slow (0).
 */
double diff_speedup(const struct diff *d);

/*
 * The first aligned block, in the order of the computation (batch, head,
 * rows), whose completion differs by more than tol_pct percent of A's; -1
 * when none does, else the block index head * nblk + blk.
 */
int64_t diff_first_divergence(const struct diff *d, double tol_pct);

/* Every summary figure and every block's completion within tol_pct percent? */
bool diff_equivalent(const struct diff *d, double tol_pct);

/* The reports.  Text prints at most `max_blocks` aligned blocks (0: all). */
void diff_print_text(const struct diff *d, double tol_pct, unsigned max_blocks, FILE *f);
void diff_print_json(const struct diff *d, double tol_pct, FILE *f);
void diff_print_csv(const struct diff *d, double tol_pct, FILE *f);

/*
 * One Perfetto trace (.pftrace, .gz to compress) with both schedules on one
 * time axis, each under its own root track, and a counter track of the
 * running difference in completed MAC work (A's share done minus B's, in
 * percent).  On failure nothing is left under `out`.
 */
int diff_write_perfetto(const struct diff *d, const char *out, struct errbuf *e);

#endif
