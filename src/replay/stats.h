/* stats: what a replayed trace says about the schedule, accumulated as a stream. */
#ifndef MASTRACE_STATS_H
#define MASTRACE_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "isa.h"

/* Critical-path shares: the MAC, VEC, MTE and DMA time on the path, and its waits. */
enum { CP_MAC, CP_VEC, CP_MTE, CP_DMA, CP_WAIT, CP_N };

/* Critical paths of this many recent instructions are kept for their consumers. */
#define STATS_PATHS_KEPT (1u << 16)

struct stats_unit {
	uint64_t instructions, busy, stalled[ISA_NCAUSES];
};

/* Energy by component, in energy_pj[] order. */
enum stats_energy {
	STATS_E_MAC, STATS_E_VEC, STATS_E_L0, STATS_E_L1, STATS_E_DRAM, STATS_E_STATIC,
	STATS_NENERGY
};
#define STATS_SHARE_BINS 10		/* share_hist[]: tenths of the bandwidth */
#define STATS_STARVED 5			/* starved[]: the most starved transfers kept */
#define STATS_FIRST_SPILLS 5		/* first_spills[]: the first spills kept */

struct stats {
	const struct npu *npu;
	uint64_t instructions;
	uint64_t start, makespan;		/* first start, last end */
	struct stats_unit unit[ISA_NUNITS];
	uint64_t mac_vec_overlap;
	uint64_t dram_read, dram_write;		/* schedule traffic */
	uint64_t spill_bytes, fill_bytes, spills, fills, spill_cycles;
	uint64_t macs, vec_ops, l1_bytes, l0_bytes;
	uint64_t l1_peak;			/* bytes allocated in L1, in trace order */
	double l1_byte_cycles;			/* resident bytes x cycles, for the mean */
	/* transfers: bandwidth they got against what DRAM could give one alone */
	double granted_sum;
	uint64_t transfers;
	uint64_t share_hist[STATS_SHARE_BINS];	/* transfers by tenths of that share */
	struct stats_starved {
		uint64_t id, bytes;
		double requested, granted;
	} starved[STATS_STARVED];
	unsigned nstarved;			/* the most starved, least share first */
	/* the first spills: what was spilled and which instruction needed the room */
	struct stats_spill { uint64_t id, cycle, bytes, addr, for_id; } first_spills[STATS_FIRST_SPILLS];
	unsigned nfirst;
	double energy_pj[STATS_NENERGY];	/* by enum stats_energy */
	/*
	 * Critical path, through the last-ending instruction: its shares, its
	 * instruction count, and how often a producer was too far back to
	 * follow (cp_far: its consumer continued its unit's path instead).
	 */
	uint64_t cp_best_id, cp_best_end, cp_best[CP_N + 1];
	uint64_t cp_far;
	uint64_t far_deps;			/* set by the replay: see replay_far_deps() */
	uint64_t lost_live;			/* allocation records memory could not hold */
	/*
	 * What the replay modelled (stats_init() says all): the lower bound
	 * counts DRAM and the L1 ports only when transfers shared them.
	 */
	bool dram_shared, ports_shared;
	uint64_t dram_burst_bytes;		/* transfers' bytes in whole bursts */
	uint64_t l1_read_bytes, l1_write_bytes;	/* through L1's two ports */
	/* the accumulator's working state, until stats_finish() or stats_free() */
	struct stats_work *work;
};

/*
 * Empty statistics for a replay on NPU n (which must outlive them), every
 * model counted as on; -1 when memory ran out.  stats_free() releases them.
 */
int stats_init(struct stats *s, const struct npu *n);
/*
 * Account one replayed instruction.  `pred` is the instruction whose end
 * let it start (its unit's previous instruction or a producer), or
 * ISA_ID_NONE; `base` is its cost_instr(), what it would take alone.
 */
void stats_add(struct stats *s, const struct isa_instr *in, uint64_t pred, uint64_t base);
/*
 * What let an instruction start: the producer it waited for (causes dep and
 * space), else its unit's previous instruction (`unit_last`, ISA_ID_NONE
 * for none).  The replay and a replayed trace's reader apply the same rule.
 */
/*
 * The cycles a replayed instruction ran beyond its cost at full speed
 * (base, from the cost model), slowed by DRAM bandwidth or an L1 port; the
 * rest of its time is busy.  stats and summary (info) split time by this
 * one rule, so that their busy cycles agree.
 */
static inline uint64_t
stats_stretch(const struct isa_instr *in, uint64_t base)
{
	uint64_t len = in->rep_end - in->rep_start;

	return len > base ? len - base : 0;
}

static inline uint64_t
stats_pred(const struct isa_instr *in, uint64_t unit_last)
{
	if (isa_cause_names_producer(in->cause))
		return in->stall_on;
	return unit_last;
}

/* Vector operations per element of a vector instruction (0 for other opcodes). */
static inline unsigned
stats_vec_ops_per_element(unsigned op)
{
	switch (op) {
	case ISA_OP_VEXP: return 3;	/* subtract, scale, exponentiate */
	case ISA_OP_VRESCALE: return 2;	/* scale and add */
	case ISA_OP_VMAX: case ISA_OP_VSUM: case ISA_OP_VDIV: case ISA_OP_VSCALE: return 1;
	default: return 0;
	}
}

/*
 * Finish totals (energy, overlap) and release the working state: nothing
 * is added after it.  -1 with the reason when the intervals were
 * inconsistent or memory ran out; the totals are still readable.
 */
int stats_finish(struct stats *s, struct errbuf *e);
/* Account a replayed trace read back, and finish; `name` starts messages. */
int stats_read(struct stats *s, struct trace_reader *r, const char *name, struct errbuf *e);
/* The same, handing each instruction to each() after it is accounted. */
int stats_read_each(struct stats *s, struct trace_reader *r, const char *name,
    void (*each)(void *ctx, const struct isa_instr *in), void *ctx, struct errbuf *e);
/* Names of energy_pj[] and of the critical path's shares, as the reports print them. */
extern const char *const stats_energy_names[STATS_NENERGY];
/* The total energy, every component, in pJ. */
double stats_energy_total(const struct stats *s);
extern const char *const stats_cp_names[CP_N];
/* Release the working state (the totals stay readable); safe twice. */
void stats_free(struct stats *s);

/*
 * The schedule's lower bound: the busiest resource's time, which no replay
 * of the same instructions under the same models can beat (each unit and
 * DMA channel runs one instruction at a time; DRAM and each L1 port move
 * at most their bandwidth).  `by` indexes the term that sets it.
 */
#define STATS_BOUND_MAX (3 + ISA_MAX_DMA + 3)
struct stats_bound {
	unsigned n, by;
	struct { char name[12]; uint64_t cycles; } term[STATS_BOUND_MAX];
	uint64_t cycles;
	double efficiency;			/* cycles / makespan; 0 for no makespan */
};
void stats_bound(const struct stats *s, struct stats_bound *b);

/* The finished statistics as mastrace-stats(1) shows them: text for people, or one JSON object. */
void stats_print_text(const struct stats *s, FILE *f);
void stats_print_json(const struct stats *s, FILE *f);

#endif
