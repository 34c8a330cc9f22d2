/* replay: re-time a trace on an NPU with contention, spills and stall causes. */
#ifndef MASTRACE_REPLAY_H
#define MASTRACE_REPLAY_H

#include <stdbool.h>

#include "isa.h"
#include "stats.h"

/*
 * The replay keeps the ends of this many recent instructions; a dependency
 * further back is bounded by the latest end among those forgotten and
 * counted in replay_far_deps().
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
/* Tell stats which models ran, for its lower bound. */
void replay_opts_to_stats(const struct replay_opts *o, struct stats *s);
/* The models o runs, as a trace header records them (TRACE_MODEL_* bits). */
unsigned replay_opts_models(const struct replay_opts *o);
/*
 * The models the last replay of a trace ran: its header's record, or for
 * a trace written before there was one, what its recorded command line
 * says (read with the options replay had then, frozen).
 */
void replay_opts_of_trace(const struct trace_header *h, struct replay_opts *o);

/*
 * What the replay decides, reported as it goes; any member may be NULL.
 * Stats, trace writers, exporters and viewers all consume this one stream.
 */
struct replay_observer {
	void *ctx;
	/*
	 * A replayed instruction, renumbered, with its final times, stall and
	 * cause; inserted SPILL and FILL transfers come this way too, just
	 * before the instruction they made room for.  `pred` is the instruction
	 * whose end let it start (the producer it waited for, else its unit's
	 * previous one; UINT64_MAX for none) and `base` its cost alone.
	 * Non-zero stops the replay with the message left in e.
	 */
	int (*instr)(void *ctx, const struct isa_instr *in, uint64_t pred, uint64_t base,
	    struct errbuf *e);
	/*
	 * L1 bytes holding data from `cycle` on: resident allocations written
	 * since they were made (residency.h counts the same from a trace)
	 */
	void (*l1)(void *ctx, uint64_t cycle, uint64_t bytes);
	/* DRAM bandwidth in use over [t0, t1) cycles, in bytes per cycle; final, in time order */
	void (*dram)(void *ctx, double t0, double t1, double bytes_per_cycle);
};
#define REPLAY_MAX_OBSERVERS 4

struct replay;

/*
 * A replay of one trace on `npu` (which must outlive it).  `name` (the
 * trace's file, or a description) starts the replay's own messages.
 * Returns NULL with the reason in e.
 */
struct replay *replay_new(const struct npu *npu, const struct replay_opts *o, const char *name,
    struct errbuf *e);
/* Add an observer (before the first feed); -1 when there are too many. */
int replay_observe(struct replay *r, const struct replay_observer *ob, struct errbuf *e);
/*
 * Push the next instruction (id = number fed so far), checked like a
 * reader's (isa_check()).  Instructions leave through the observers a
 * look-ahead window later.  0, or -1 with the reason in e; after an error
 * every call fails.
 */
int replay_feed(struct replay *r, const struct isa_instr *in, struct errbuf *e);
/* Replay what the window still holds; 0 or -1 with the reason. */
int replay_finish(struct replay *r, struct errbuf *e);
/* Dependencies bounded by a forgotten end instead of their own (see above). */
uint64_t replay_far_deps(const struct replay *r);
/* Release the replay (any time: after an error too); NULL is nothing to free. */
void replay_free(struct replay *r);

/* Observers of the common consumers: accounting into stats, writing a trace. */
void replay_observer_stats(struct replay_observer *ob, struct stats *st);
void replay_observer_writer(struct replay_observer *ob, struct trace_writer *w);

/* A trace writer that feeds the replay: a scheduler's output flows straight in. */
struct trace_writer *replay_writer_new(struct replay *r, struct errbuf *e);

/*
 * Replay every instruction of `in` on `npu`, writing the retimed trace to
 * `out` (may be NULL) and accounting it in `st` (initialised by the caller,
 * may be NULL).  SPILL and FILL instructions of an earlier replay are
 * dropped and made afresh, so replaying a replayed trace gives it back.
 */
int replay_run(struct trace_reader *in, const char *name, const struct npu *npu,
    const struct replay_opts *o, struct trace_writer *out, struct stats *st,
    struct errbuf *e);

#endif
