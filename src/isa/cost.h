/* cost: how many cycles an instruction takes on an NPU, contention aside. */
#ifndef MASTRACE_COST_H
#define MASTRACE_COST_H

#include <stdint.h>

#include "isa.h"
#include "npu.h"

/*
 * The one timing model: schedulers plan with it and the replay starts from
 * it before adding contention, so planned and replayed times cannot drift
 * apart.  The equations are in mastrace(7).
 */
uint64_t cost_instr(const struct npu *n, const struct isa_instr *in);

/* An m x k by k x nn product on the MAC: its tiles at the array's shape, plus the pipeline. */
uint64_t cost_matmul(const struct npu *n, uint64_t m, uint64_t nn, uint64_t k);
/* A vector step `op` over rows x cols elements: lanes at a time, plus the pipeline. */
uint64_t cost_vec(const struct npu *n, unsigned op, uint64_t rows, uint64_t cols);
/* A DMA transfer of `bytes`: DRAM latency, then whole bursts at DRAM's bandwidth. */
uint64_t cost_dma(const struct npu *n, uint64_t bytes);
/* A move between L1 and L0 of `bytes` at the L0 load bandwidth. */
uint64_t cost_move(const struct npu *n, uint64_t bytes);
/* DRAM latency in cycles at the NPU clock */
uint64_t cost_dram_latency(const struct npu *n);
/*
 * A replayed transfer's bandwidth in bytes per cycle: what it asked for (all
 * of DRAM's, as the cost model gives one transfer alone) and what it got
 * (its bursts over the cycles it moved data, after the latency).
 */
void cost_transfer_rate(const struct npu *n, const struct isa_instr *in, double *requested,
    double *granted);

/* Bytes per cycle at the NPU clock in 10^9 bytes per second. */
static inline double
cost_gbs(const struct npu *n, double bytes_per_cycle)
{
	return bytes_per_cycle * n->clock_mhz / 1e3;
}

/*
 * Traces repeat a few shapes millions of times, and the cost functions
 * divide: a small direct-mapped memo of cost_instr() for one NPU.
 */
#define COST_MEMO_SIZE 256
struct cost_memo {
	const struct npu *npu;
	struct cost_memo_entry {
		uint64_t bytes, cycles;
		uint32_t m, n, k;
		uint8_t op, valid;
	} e[COST_MEMO_SIZE];
};

/* An empty memo for NPU n (which must outlive it). */
void cost_memo_init(struct cost_memo *c, const struct npu *n);

/* cost_instr(), remembered by shape. */
static inline uint64_t
cost_memo_instr(struct cost_memo *c, const struct isa_instr *in)
{
	uint64_t h = in->op + in->m * 0x9E3779B1ull + in->n * 0x85EBCA77ull + in->k * 0xC2B2AE3Dull +
	    in->bytes * 0x27D4EB2Full;
	struct cost_memo_entry *e = &c->e[(h ^ h >> 29) % COST_MEMO_SIZE];

	if (!e->valid || e->op != in->op || e->m != in->m || e->n != in->n || e->k != in->k ||
	    e->bytes != in->bytes) {
		e->op = in->op;
		e->m = in->m;
		e->n = in->n;
		e->k = in->k;
		e->bytes = in->bytes;
		e->cycles = cost_instr(c->npu, in);
		e->valid = 1;
	}
	return e->cycles;
}

/* a / b rounded up; b must not be 0. */
static inline uint64_t
cost_div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

#endif
