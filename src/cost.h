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

uint64_t cost_matmul(const struct npu *n, uint64_t m, uint64_t nn, uint64_t k);
uint64_t cost_vec(const struct npu *n, unsigned op, uint64_t rows, uint64_t cols);
uint64_t cost_dma(const struct npu *n, uint64_t bytes);
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

static inline uint64_t
cost_div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

#endif
