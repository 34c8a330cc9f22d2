/* export-int: what the parts of the exporter share (export.c, export-counters.c, export-flows.c). */
#ifndef MASTRACE_EXPORT_INT_H
#define MASTRACE_EXPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cost.h"
#include "export-sink.h"
#include "export.h"
#include "residency.h"

/*
 * A unit that has run nothing for this many instructions no longer holds
 * back the counters (see struct tq); a window ends after this many
 * instructions in a row started at or after its end.
 */
#define EXPORT_QUIET (1u << 16)
/* --flows all: instructions kept back so their consumers can add flows to them */
#define FLOW_RING 4096u
/* planned critical paths: ends of this many recent instructions are kept */
#define ENDS_KEPT (1u << 16)

/*
 * The path is found in a file of one 64-bit entry per instruction, so
 * memory stays flat however long the trace.  The first pass writes each
 * instruction's predecessor (+1; 0 for none) and whether it is in the
 * window; a walk back from the last-ending instruction rewrites the entries
 * on the path as ON_PATH with their successor (+1); the export pass reads
 * them in order beside the trace.
 */
#define CP_ON_PATH (1ull << 63)
#define CP_HAS_IN (1ull << 62)
#define CP_IN_WINDOW (1ull << 61)
#define CP_ID_MASK (CP_IN_WINDOW - 1)
#define CP_BLOCK 65536u

/* ---- counters that must come out in time order ------------------------ */

/*
 * Counter changes arrive in trace order, not time order: each unit runs its
 * instructions in order, but units run ahead of one another.  They wait in
 * a heap until every unit that is still working has started past them (a
 * later instruction on a unit starts no earlier than its last), then leave
 * as absolute values.  A unit quiet for EXPORT_QUIET instructions stops
 * holding them back; a change that arrives behind what has left is shown
 * at the time already reached and counted in `late`.
 */
struct tq_ev {
	uint64_t t;
	uint32_t seq;		/* arrival order, so equal times keep it */
	uint8_t track;		/* EXPORT_TRK_L1 or EXPORT_TRK_DRAM */
	double delta;
};

struct tq {
	struct tq_ev *h;
	size_t n, cap;
	uint32_t seq;
	uint64_t done;		/* everything before this cycle has left */
	double value[2], shown[2];
	bool any[2], started;
	uint64_t late;
};

struct pending_mark {		/* a spill or fill waiting to learn what it made room for */
	uint64_t id, t, bytes;
	bool fill;
	struct isa_region victim;
};

struct held {			/* --flows all: an instruction kept back for its consumers */
	struct isa_instr in;
	uint64_t base;
	bool present;			/* in the window (else the slot only keeps the count) */
	uint16_t inmask;		/* dependencies drawn as flows */
	unsigned nout;
	uint64_t out[EXPORT_MAX_FLOWS];
};

struct export {
	const struct export_opts *o;
	const struct trace_header *h;
	const struct npu *npu;
	const struct export_sink_ops *ops;
	void *sink;
	struct export_counts *cnt;
	struct cost_memo cost;
	bool replayed;			/* export replayed times */
	uint64_t from, to;		/* the window, in cycles */
	uint64_t max_cycle;		/* the last cycle nanoseconds can hold */
	struct errbuf err;
	bool failed;

	/* counters */
	struct tq q;
	uint64_t unit_start[ISA_NUNITS], unit_seen[ISA_NUNITS];
	bool unit_on[ISA_NUNITS];
	uint64_t seen;			/* instructions given to export_instr() */
	struct residency l1;		/* L1 allocation lifetimes, for its counter */
	uint64_t max_end;		/* the last end so far: what is never freed leaves then */
	/* utilisation: the current sample of each unit */
	uint64_t util_w, bin[ISA_NUNITS], busy[ISA_NUNITS];
	double util_shown[ISA_NUNITS];
	bool util_any[ISA_NUNITS];

	struct trace_header hdr;
	struct zout *z;
	char *out;			/* export_new(): where to write, once the first instruction is seen */
	bool observed;			/* a replay's observer: counters come from it */
	uint64_t l1_level;		/* the last L1 level it reported */

	/* each unit's lanes: the end of the last slice on each */
	uint64_t lane_end[ISA_NUNITS][EXPORT_LANES];
	const char *name;		/* the input, for messages */

	/* spills and fills waiting for the instruction they made room for */
	struct pending_mark *marks;
	size_t nmarks, marks_cap;

	/* flows */
	FILE *path;			/* critical: per instruction, see mark_path() */
	struct held *ring;		/* all: the last FLOW_RING instructions */
	uint64_t ring_first, ring_next;	/* ids held: [first, next) */
};

static inline uint64_t
export_t_start(const struct export *x, const struct isa_instr *in)
{
	return x->replayed ? in->rep_start : in->plan_start;
}

static inline uint64_t
export_t_end(const struct export *x, const struct isa_instr *in)
{
	return x->replayed ? in->rep_end : in->plan_end;
}

static inline bool
export_in_window(const struct export *x, uint64_t t0, uint64_t t1)
{
	if (t0 == t1)
		return t0 >= x->from && t0 < x->to;
	return t1 > x->from && t0 < x->to;
}

/* The first error stands; later calls only return -1. */
int export_fail(struct export *x, const char *msg);
/* Room for one more of n elements of `size` bytes in *v; -1 when memory ran out. */
int export_grow(void *v, size_t n, size_t *cap, size_t size);
/* Write one slice (and its flows and instants) to the sink. */
int export_emit(struct export *x, const struct isa_instr *in, uint64_t base, const uint64_t *out,
    unsigned nout, const uint64_t *in_flows, unsigned nin);
/* The next instruction of a file pass, counting what was read; 1, 0 at the end, -1. */
int export_next_instr(struct export *x, struct trace_reader *r, const struct isa_instr **in,
    uint64_t *past, struct errbuf *e);

/* ---- counters in time order (export-counters.c) ---- */
int export_tq_push(struct tq *q, unsigned track, uint64_t t, double delta);
/* Show every counter change up to cycle upto, in time order. */
void export_counters_flush(struct export *x, uint64_t upto);
/* The cycle before which no counter can change any more. */
uint64_t export_watermark(const struct export *x);
int export_l1_change(struct export *x, uint64_t t, double delta);
void export_residency_change(void *ctx, uint64_t cycle, int64_t delta);
void export_util_close_bin(struct export *x, unsigned u);
void export_util_add(struct export *x, unsigned u, uint64_t t0, uint64_t t1);

/* ---- flows and the critical path (export-flows.c) ---- */
/* --flows all: the oldest held instruction leaves; hold one more. */
int export_ring_release(struct export *x);
int export_ring_hold(struct export *x, const struct isa_instr *in, uint64_t base, bool present);
/* The first pass over a file: the critical path, into x->path. */
int export_critical_pass(struct export *x, struct trace_reader *r, struct errbuf *e);

#endif
