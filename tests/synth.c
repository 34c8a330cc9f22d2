/* synth: synthetic instruction streams for tests and benchmarks. */
#include "config.h"

#include <string.h>

#include "synth.h"

enum {
	P_LOAD_K, P_LOAD_V, P_MOVE, P_QK, P_MAX, P_EXP, P_SUM, P_PV, P_STEPS,
	P_LOAD_Q = P_STEPS, P_MOVE_Q, P_PRO_STEPS,
	P_DIV = P_PRO_STEPS, P_STORE, P_ALL
};

void
synth_init(struct synth *s, uint32_t key_blocks, int replayed)
{
	memset(s, 0, sizeof *s);
	s->key_blocks = key_blocks;
	s->replayed = replayed;
}

static void
region(struct isa_region *r, unsigned buf, unsigned tensor, uint64_t addr, uint64_t size)
{
	r->buf = (uint8_t)buf;
	r->tensor = (uint8_t)tensor;
	r->addr = addr;
	r->size = size;
}

static void
dep(struct isa_instr *in, uint64_t id)
{
	if (id < in->id && in->ndeps < ISA_MAX_DEPS)
		in->deps[in->ndeps++] = id;
}

void
synth_next(struct synth *s, struct isa_instr *in)
{
	static const uint32_t cost[P_ALL] = { 160, 160, 32, 64, 8, 32, 8, 64, 160, 32, 16, 160 };
	uint64_t kv = (uint64_t)s->cb % 2 * 8192, head = (uint64_t)s->h << 24, start;
	unsigned i, step;
	bool diag = s->cb == s->rb;

	step = s->phase == 0 ? P_LOAD_Q + s->step : s->phase == 2 ? P_DIV + s->step : s->step;
	memset(in, 0, sizeof *in);
	in->id = s->id;
	in->b = s->b;
	in->h = s->h;
	in->rb = s->rb;
	in->cb = s->phase == 1 ? s->cb : 0;
	in->m = 64;
	in->n = 64;
	in->k = 64;
	switch (step) {
	case P_LOAD_Q:
	case P_LOAD_K:
	case P_LOAD_V:
		in->unit = step == P_LOAD_V ? ISA_UNIT_DMA0 + 1 : ISA_UNIT_DMA0;
		in->op = ISA_OP_LOAD;
		in->bytes = 8192;
		region(&in->src[0], ISA_BUF_DRAM, step == P_LOAD_Q ? ISA_T_Q : step == P_LOAD_K ?
		    ISA_T_K : ISA_T_V, head + (step == P_LOAD_Q ? 0 : step == P_LOAD_K ? 1 : 2) *
		    (1u << 22) + (uint64_t)(step == P_LOAD_Q ? s->rb : s->cb) * 8192, 8192);
		region(&in->dst[0], ISA_BUF_L1, in->src[0].tensor, step == P_LOAD_Q ? 0 :
		    (step == P_LOAD_K ? 16384 : 32768) + kv, 8192);
		in->nsrc = in->ndst = 1;
		dep(in, s->last_id[step == P_LOAD_V ? P_PV : P_MOVE]);
		break;
	case P_MOVE:
	case P_MOVE_Q:
		in->unit = ISA_UNIT_MTE;
		in->op = ISA_OP_MOVE;
		in->bytes = 8192;
		region(&in->src[0], ISA_BUF_L1, step == P_MOVE ? ISA_T_K : ISA_T_Q,
		    step == P_MOVE ? 16384 + kv : 0, 8192);
		region(&in->dst[0], step == P_MOVE ? ISA_BUF_L0B : ISA_BUF_L0A,
		    in->src[0].tensor, step == P_MOVE ? kv : 0, 8192);
		in->nsrc = in->ndst = 1;
		dep(in, s->last_id[step == P_MOVE ? P_LOAD_K : P_LOAD_Q]);
		break;
	case P_QK:
		in->unit = ISA_UNIT_MAC;
		in->op = ISA_OP_MATMUL;
		in->flags = ISA_F_TRANSB | (diag ? ISA_F_MASK : 0);
		region(&in->src[0], ISA_BUF_L0A, ISA_T_Q, 0, 8192);
		region(&in->src[1], ISA_BUF_L0B, ISA_T_K, kv, 8192);
		region(&in->dst[0], ISA_BUF_L1, ISA_T_S, 49152 + kv, 8192);
		in->nsrc = 2;
		in->ndst = 1;
		dep(in, s->last_id[P_MOVE]);
		dep(in, s->last_id[P_EXP]);
		break;
	case P_MAX:
	case P_EXP:
	case P_SUM:
		in->unit = ISA_UNIT_VEC;
		in->op = step == P_MAX ? ISA_OP_VMAX : step == P_EXP ? ISA_OP_VEXP : ISA_OP_VSUM;
		in->flags = (s->cb ? ISA_F_ACC : ISA_F_FIRST) | (diag ? ISA_F_MASK | ISA_F_LAST : 0);
		region(&in->src[0], ISA_BUF_L1, step == P_SUM ? ISA_T_P : ISA_T_S, 49152 + kv, 8192);
		region(&in->dst[0], ISA_BUF_L1, step == P_MAX ? ISA_T_M : step == P_EXP ? ISA_T_P :
		    ISA_T_L, step == P_EXP ? 49152 + kv : 65536 + (step == P_SUM) * 128, 128);
		in->nsrc = in->ndst = 1;
		dep(in, s->last_id[step - 1]);
		break;
	case P_PV:
		in->unit = ISA_UNIT_MAC;
		in->op = ISA_OP_MATMUL;
		in->flags = s->cb ? ISA_F_ACC : 0;
		region(&in->src[0], ISA_BUF_L1, ISA_T_P, 49152 + kv, 8192);
		region(&in->src[1], ISA_BUF_L1, ISA_T_V, 32768 + kv, 8192);
		region(&in->dst[0], ISA_BUF_L0C, ISA_T_O, 0, 16384);
		in->nsrc = 2;
		in->ndst = 1;
		dep(in, s->last_id[P_EXP]);
		dep(in, s->last_id[P_LOAD_V]);
		break;
	case P_DIV:
		in->unit = ISA_UNIT_VEC;
		in->op = ISA_OP_VDIV;
		region(&in->src[0], ISA_BUF_L0C, ISA_T_O, 0, 16384);
		region(&in->src[1], ISA_BUF_L1, ISA_T_L, 65664, 128);
		region(&in->dst[0], ISA_BUF_L1, ISA_T_O, 81920, 16384);
		in->nsrc = 2;
		in->ndst = 1;
		dep(in, s->last_id[P_PV]);
		dep(in, s->last_id[P_SUM]);
		break;
	case P_STORE:
		in->unit = ISA_UNIT_DMA0 + 1;
		in->op = ISA_OP_STORE;
		in->bytes = 16384;
		region(&in->src[0], ISA_BUF_L1, ISA_T_O, 81920, 16384);
		region(&in->dst[0], ISA_BUF_DRAM, ISA_T_O, head + 3 * (1u << 22) +
		    (uint64_t)s->rb * 16384, 16384);
		in->nsrc = in->ndst = 1;
		dep(in, s->last_id[P_DIV]);
		break;
	}
	start = s->unit_free[in->unit];
	for (i = 0; i < in->ndeps; i++)
		if (s->end[in->deps[i] % 256] > start)
			start = s->end[in->deps[i] % 256];
	in->plan_start = start;
	/* the masked diagonal tile costs more on VEC; DRAM pays for page changes */
	in->plan_end = start + cost[step] + (diag && in->unit == ISA_UNIT_VEC ? 4 : 0) +
	    (in->op == ISA_OP_LOAD && (in->src[0].addr & 0xffff) == 0 ? 24 : 0);
	if (s->replayed) {
		in->replayed = true;
		in->rep_start = start + start / 16;
		in->rep_end = in->rep_start + (in->plan_end - start) + (step == P_LOAD_K ? 20 : 0);
		in->stall = in->rep_start - start;
		in->cause = in->ndeps ? ISA_CAUSE_DEP : ISA_CAUSE_UNIT;
		in->stall_on = in->ndeps ? in->deps[0] : 0;
	}
	s->unit_free[in->unit] = in->plan_end;
	s->end[in->id % 256] = in->plan_end;
	s->last_id[step] = in->id;
	s->id++;
	s->step++;
	if (s->phase == 0 && s->step == P_PRO_STEPS - P_STEPS) {
		s->phase = 1;
		s->step = 0;
		s->cb = 0;
	} else if (s->phase == 1 && s->step == P_STEPS) {
		s->step = 0;
		if (++s->cb > s->rb) {		/* causal: key blocks up to the diagonal */
			s->phase = 2;
		}
	} else if (s->phase == 2 && s->step == P_ALL - P_DIV) {
		s->phase = 0;
		s->step = 0;
		if (++s->rb == s->key_blocks) {
			s->rb = 0;
			s->h++;
		}
	}
}

uint64_t
synth_rand(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545F4914F6CDD1Dull;
}

static uint64_t
pick(uint64_t *x, uint64_t n)
{
	return synth_rand(x) % n;
}

/* Values that stress the varints: small, mid, and near the top of the range. */
static uint64_t
wide(uint64_t *x, uint64_t max)
{
	switch (pick(x, 4)) {
	case 0: return pick(x, 4);
	case 1: return pick(x, 70000);
	case 2: return max - pick(x, 3);
	default: return synth_rand(x) % (max == UINT64_MAX ? max : max + 1);
	}
}

void
synth_random(uint64_t *x, uint64_t id, struct isa_instr *in)
{
	unsigned i;

	memset(in, 0, sizeof *in);
	in->id = id;
	do {
		in->op = (uint8_t)pick(x, ISA_NOPS);
		in->unit = (uint8_t)pick(x, ISA_NUNITS);
	} while (!isa_op_fits_unit(in->op, in->unit));
	in->flags = (uint8_t)pick(x, 1u << ISA_NFLAGS);
	in->b = (uint32_t)wide(x, UINT32_MAX);
	in->h = (uint32_t)wide(x, UINT32_MAX);
	in->rb = (uint32_t)wide(x, UINT32_MAX);
	in->cb = (uint32_t)wide(x, UINT32_MAX);
	in->st = (uint32_t)wide(x, UINT32_MAX);
	in->m = (uint32_t)wide(x, ISA_MAX_DIM);
	in->n = (uint32_t)wide(x, ISA_MAX_DIM);
	/* within isa_check()'s bounds: at most 2^53 MACs */
	in->k = (uint32_t)wide(x, ISA_MAX_DIM);
	if (in->k && (uint64_t)in->m * in->n > ISA_MAX_MACS / in->k)
		in->k = (uint32_t)(ISA_MAX_MACS / ((uint64_t)in->m * in->n));
	in->bytes = wide(x, ISA_MAX_BYTES);
	in->nsrc = (uint8_t)pick(x, ISA_MAX_SRC + 1);
	in->ndst = (uint8_t)pick(x, ISA_MAX_DST + 1);
	for (i = 0; i < in->nsrc; i++) {
		in->src[i].buf = (uint8_t)pick(x, ISA_NBUFS);
		in->src[i].tensor = (uint8_t)pick(x, ISA_NTENSORS);
		in->src[i].addr = wide(x, UINT32_MAX);
		in->src[i].size = wide(x, UINT32_MAX);
	}
	for (i = 0; i < in->ndst; i++) {
		in->dst[i].buf = (uint8_t)pick(x, ISA_NBUFS);
		in->dst[i].tensor = (uint8_t)pick(x, ISA_NTENSORS);
		in->dst[i].addr = wide(x, UINT32_MAX);
		in->dst[i].size = wide(x, UINT32_MAX);
	}
	in->ndeps = id ? (uint8_t)pick(x, ISA_MAX_DEPS + 1) : 0;
	for (i = 0; i < in->ndeps; i++)
		in->deps[i] = pick(x, id);
	in->plan_start = wide(x, ISA_MAX_TIME / 2);
	in->plan_end = in->plan_start + wide(x, UINT32_MAX);
	if (pick(x, 2)) {
		in->replayed = true;
		in->rep_start = wide(x, ISA_MAX_TIME / 2);
		in->rep_end = in->rep_start + wide(x, UINT32_MAX);
		in->stall = wide(x, UINT64_MAX);
		in->cause = (uint8_t)pick(x, ISA_NCAUSES);
		if (isa_cause_names_producer(in->cause) && id > 0)
			in->stall_on = pick(x, id);
		else if (isa_cause_names_producer(in->cause))
			in->cause = ISA_CAUSE_UNIT;
	}
}
