/* replay: re-time a trace on an NPU with contention, spills and stall causes. */
#ifndef MASTRACE_REPLAY_H
#define MASTRACE_REPLAY_H

#include <stdbool.h>

#include "isa.h"
#include "stats.h"

/*
 * The replay keeps the ends of this many recent instructions; a dependency
 * further back is bounded by the latest end among those forgotten and
 * counted in stats.far_deps.
 */
#define REPLAY_ENDS_KEPT (1u << 17)

struct replay_opts {
	bool dram_sharing;	/* transfers share DRAM bandwidth */
	bool port_sharing;	/* MAC, VEC, MTE and DMA share L1's read and write ports */
	bool capacity;		/* L1 holds what is allocated; overflow spills */
	unsigned window;	/* look-ahead, in instructions, for choosing spill victims */
#define REPLAY_WINDOW_MAX 65536
};

/* Every model on; --ideal turns all three off. */
void replay_opts_default(struct replay_opts *o);

/*
 * Replay every instruction of `in` on `npu`, writing the retimed trace to
 * `out` (may be NULL) and accounting it in `st` (initialised by the
 * caller).  SPILL and FILL instructions of an earlier replay are dropped and
 * made afresh, so replaying a replayed trace gives it back.
 */
int replay_run(struct trace_reader *in, const struct npu *npu, const struct replay_opts *o,
    struct trace_writer *out, struct stats *st, struct errbuf *e);

#endif
