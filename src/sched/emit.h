/* emit: how schedulers turn their plan into timed, dependent instructions. */
#ifndef MASTRACE_EMIT_H
#define MASTRACE_EMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "cost.h"
#include "isa.h"

#define EMIT_MAX_SLOTS 4096

/*
 * A slot is a buffer region a scheduler reuses (a score tile, a K tile, the
 * row statistics).  Reads and writes of slots give dependencies by
 * themselves: a read waits for the slot's last writer, a write for its last
 * writer and for the last reader on every other unit.  Program order on a
 * unit covers the rest, so a scheduler only states what no slot can tell,
 * such as a round barrier.
 */
struct emit_slot {
	uint8_t buf;
	uint64_t addr, size;
	uint64_t writer;		/* id + 1; 0 when none */
	uint64_t writer_end;		/* its planned end: it may be far back */
	uint8_t writer_unit;
	uint8_t nreaders;
	uint8_t reader_unit[8];
	uint64_t reader[8];		/* id + 1 */
	uint64_t reader_end[8];
};

struct emit {
	struct trace_writer *w;
	const struct npu *npu;
	struct errbuf *e;
	bool failed;
	uint64_t next_id;
	uint64_t unit_free[ISA_NUNITS];
	uint64_t last_on_unit[ISA_NUNITS];	/* id + 1 */
	/*
	 * With prefetch, barriers order only the compute units (MAC, VEC, MTE):
	 * a transfer waits for nothing but its slots, so a load whose buffer is
	 * free moves at once and a store leaves as soon as its data is final.
	 */
	bool prefetch;
	uint64_t fence;				/* id + 1 of the last barrier */
	uint64_t fence_end;
	uint64_t sync, sync_end;		/* the same for the last emit_sync() */
	uint64_t covered[ISA_NUNITS];		/* last_on_unit a barrier waited for */
	bool fenced[ISA_NUNITS];		/* has the unit waited for it yet */
	struct emit_slot slots[EMIT_MAX_SLOTS];
	unsigned nslots;
	unsigned dma_next;
	/* the pending instruction's slots, and its dependencies' units and ends */
	int src_slot[ISA_MAX_SRC], dst_slot[ISA_MAX_DST];
	uint8_t dep_unit[ISA_MAX_DEPS];
	uint64_t dep_end[ISA_MAX_DEPS];
	/* totals */
	uint64_t macs, dram_read, dram_write, makespan;
	struct cost_memo cost;
};

/* An emitter writing to w, timing with n's cost model; errors of the run go to e. */
void emit_init(struct emit *em, struct trace_writer *w, const struct npu *n, struct errbuf *e);

/* A tracked region of buf; returns its slot number (or -1 and fails the emitter). */
int emit_slot(struct emit *em, unsigned buf, uint64_t addr, uint64_t size);

/* Start an instruction (zeroed, with unit, op and flags). */
void emit_begin(struct emit *em, struct isa_instr *in, unsigned unit, unsigned op,
    unsigned flags);
/* Operands: part [off, off + size) of a slot, or untracked DRAM. */
void emit_read(struct emit *em, struct isa_instr *in, int slot, uint64_t off, uint64_t size,
    unsigned tensor);
void emit_write(struct emit *em, struct isa_instr *in, int slot, uint64_t off, uint64_t size,
    unsigned tensor);
void emit_read_dram(struct emit *em, struct isa_instr *in, uint64_t addr, uint64_t size,
    unsigned tensor);
void emit_write_dram(struct emit *em, struct isa_instr *in, uint64_t addr, uint64_t size,
    unsigned tensor);
/* Number, time and write it; returns its id.  Errors stick in em->failed. */
uint64_t emit_issue(struct emit *em, struct isa_instr *in);

/* The next DMA channel, round robin. */
unsigned emit_dma(struct emit *em);

/*
 * A barrier every compute unit's next instruction waits for (and every DMA
 * channel's, without prefetch); it waits for the same units.
 */
uint64_t emit_barrier(struct emit *em);
/*
 * A barrier that also waits for every DMA channel, for data that travels
 * through DRAM where no slot tracks it (the layer-wise dataflow's scores);
 * the transfers that use such data wait for it with emit_after_sync().
 */
uint64_t emit_sync(struct emit *em);
void emit_after_sync(struct emit *em, struct isa_instr *in);

/* Finish: returns 0, or -1 with the first error. */
int emit_finish(struct emit *em);

#endif
