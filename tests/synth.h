/* synth: synthetic instruction streams for tests and benchmarks. */
#ifndef MASTRACE_SYNTH_H
#define MASTRACE_SYNTH_H

#include <stdint.h>

#include "isa.h"

/*
 * A MAS-like stream of causal attention: per head and row block a Q load
 * and L0 move, then per key block up to the diagonal K and V loads on two
 * DMA channels, an L0 move, QK^T on MAC, max/exp/sum on VEC and an
 * accumulating PV on MAC (the diagonal tile masked and costlier), then a
 * divide and an O store.  DRAM addresses follow the head, row and column;
 * start times follow dependencies and unit availability, so the stream
 * has the structure and irregularities of a real schedule.
 */
struct synth {
	uint64_t id;
	uint32_t b, h, rb, cb, step;
	uint32_t key_blocks;
	uint32_t phase;			/* 0 prologue, 1 key blocks, 2 epilogue */
	uint64_t unit_free[ISA_NUNITS];
	uint64_t end[256];		/* planned end of recent ids, by id % 256 */
	uint64_t last_id[16];		/* ids of the pattern's previous instructions */
	int replayed;			/* also fill replay fields */
};

void synth_init(struct synth *s, uint32_t key_blocks, int replayed);
void synth_next(struct synth *s, struct isa_instr *in);

/* A deterministic random generator (xorshift64*) and random valid instructions. */
uint64_t synth_rand(uint64_t *state);
void synth_random(uint64_t *state, uint64_t id, struct isa_instr *in);

#endif
