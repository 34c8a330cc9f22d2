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

static inline uint64_t
cost_div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

#endif
