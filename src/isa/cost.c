/* cost: unit cost functions shared by the schedulers and the replay. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cost.h"

void
cost_memo_init(struct cost_memo *c, const struct npu *n)
{
	memset(c, 0, sizeof *c);
	c->npu = n;
}

uint64_t
cost_matmul(const struct npu *n, uint64_t m, uint64_t nn, uint64_t k)
{
	if (m == 0 || nn == 0 || k == 0)
		return 0;
	if (n->mac.kind == NPU_MAC_SYSTOLIC)	/* k x n folds, m rows streamed through each */
		return cost_div_up(k, n->mac.k) * cost_div_up(nn, n->mac.n) * m +
		    n->mac.pipeline_cycles;
	return cost_div_up(m, n->mac.m) * cost_div_up(nn, n->mac.n) * cost_div_up(k, n->mac.k) +
	    n->mac.pipeline_cycles;
}

uint64_t
cost_vec(const struct npu *n, unsigned op, uint64_t rows, uint64_t cols)
{
	uint64_t vectors = cost_div_up(rows * cols, n->vec.lanes);
	uint64_t per_row = cost_div_up(rows, n->vec.lanes);	/* one value per row */
	uint64_t issue;

	if (rows == 0 || cols == 0)
		return 0;
	switch (op) {
	case ISA_OP_VMAX:
		issue = vectors * n->vec.max_cycles;
		break;
	case ISA_OP_VEXP:	/* subtract the max, scale, exponentiate */
		issue = vectors * (n->vec.add_cycles + n->vec.mul_cycles + n->vec.exp_cycles);
		break;
	case ISA_OP_VSUM:
		issue = vectors * n->vec.add_cycles;
		break;
	case ISA_OP_VDIV:
		issue = vectors * n->vec.div_cycles;
		break;
	case ISA_OP_VSCALE:
		issue = vectors * n->vec.mul_cycles;
		break;
	case ISA_OP_VRESCALE:	/* factor exp(s(m_old - m_new)) per row, then scale */
		issue = per_row * (n->vec.add_cycles + n->vec.mul_cycles + n->vec.exp_cycles) +
		    vectors * (n->vec.mul_cycles + n->vec.add_cycles);
		break;
	default:
		return 0;
	}
	return issue + n->vec.pipeline_cycles;
}

uint64_t
cost_dram_latency(const struct npu *n)
{
	return cost_div_up((uint64_t)n->dram.latency_ns * n->clock_mhz, 1000);
}

uint64_t
cost_dma(const struct npu *n, uint64_t bytes)
{
	uint64_t bursts = cost_div_up(bytes, n->dram.burst_bytes) * n->dram.burst_bytes;

	double t;

	if (bytes == 0)
		return 0;
	/* bytes <= 2^48 over as little as 10^-5 bytes a cycle: more than 64 bits hold */
	t = ceil((double)bursts / npu_dram_bytes_per_cycle(n));
	return cost_dram_latency(n) + (t < (double)ISA_MAX_TIME ? (uint64_t)t : ISA_MAX_TIME);
}

void
cost_transfer_rate(const struct npu *n, const struct isa_instr *in, double *requested,
    double *granted)
{
	uint64_t bursts = cost_div_up(in->bytes, n->dram.burst_bytes) * n->dram.burst_bytes;
	uint64_t len = in->rep_end - in->rep_start, lat = cost_dram_latency(n);

	*requested = npu_dram_bytes_per_cycle(n);
	*granted = (double)bursts / (double)(len > lat ? len - lat : 1);
	if (*granted > *requested)	/* a cycle's rounding, not more than DRAM gives */
		*granted = *requested;
}

uint64_t
cost_move(const struct npu *n, uint64_t bytes)
{
	return cost_div_up(bytes, n->l0.load_bytes_per_cycle);
}

uint64_t
cost_instr(const struct npu *n, const struct isa_instr *in)
{
	uint64_t c;

	switch (in->op) {
	case ISA_OP_LOAD:
	case ISA_OP_STORE:
	case ISA_OP_SPILL:
	case ISA_OP_FILL:
		c = cost_dma(n, in->bytes);
		break;
	case ISA_OP_MOVE:
		c = cost_move(n, in->bytes);
		break;
	case ISA_OP_MATMUL:
		c = cost_matmul(n, in->m, in->n, in->k);
		break;
	case ISA_OP_VMAX:
	case ISA_OP_VEXP:
	case ISA_OP_VSUM:
	case ISA_OP_VDIV:
	case ISA_OP_VSCALE:
	case ISA_OP_VRESCALE:
		c = cost_vec(n, in->op, in->m, in->n);
		break;
	default:
		c = 0;
		break;
	}
	/* within the bounds of isa_check() a cost fits 64 bits, but not always 2^62 */
	return c < ISA_MAX_TIME ? c : ISA_MAX_TIME;
}
