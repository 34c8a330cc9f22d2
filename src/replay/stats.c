/* stats: utilisation, stalls, traffic, energy and the critical path of a replay. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "json.h"
#include "num.h"
#include "overlap.h"
#include "residency.h"
#include "stats.h"
#include "table.h"

#define CP_RING STATS_PATHS_KEPT

/*
 * Paths of recent ids are in a ring; the paths of each unit's last
 * instruction and of the best so far are saved as they leave it, so those
 * are always at hand.
 */
struct stats_work {
	struct overlap ov;
	uint64_t unit_end[ISA_NUNITS];		/* end of each unit's last instruction */
	uint64_t l1_now;			/* bytes allocated in L1, in trace order */
	struct residency l1;			/* allocation lifetimes, for the mean */
	uint64_t *cp_end;			/* ring: end of each recent id */
	uint64_t (*cp)[CP_N + 1];		/* ring: shares and instruction count */
	uint8_t *cp_unit_of;			/* ring: the unit of each recent id */
	uint64_t cp_unit[ISA_NUNITS][CP_N + 1], cp_unit_end[ISA_NUNITS], cp_unit_id[ISA_NUNITS];
};

int
stats_init(struct stats *s, const struct npu *n)
{
	struct stats_work *w;

	memset(s, 0, sizeof *s);
	s->npu = n;
	s->start = UINT64_MAX;
	s->cp_best_id = UINT64_MAX;
	s->dram_shared = s->ports_shared = true;
	if ((w = s->work = calloc(1, sizeof *w)) == NULL)
		return -1;
	memset(w->cp_unit_id, 0xff, sizeof w->cp_unit_id);
	overlap_init(&w->ov);
	residency_init(&w->l1);
	w->cp_end = calloc(CP_RING, sizeof *w->cp_end);
	w->cp = calloc(CP_RING, sizeof *w->cp);
	w->cp_unit_of = calloc(CP_RING, sizeof *w->cp_unit_of);
	if (w->cp_end == NULL || w->cp == NULL || w->cp_unit_of == NULL) {
		stats_free(s);
		return -1;
	}
	return 0;
}

void
stats_free(struct stats *s)
{
	struct stats_work *w = s->work;

	if (w == NULL)
		return;
	free(w->cp_end);
	free(w->cp);
	free(w->cp_unit_of);
	residency_free(&w->l1);
	overlap_free(&w->ov);
	free(w);
	s->work = NULL;
}

/* A stretch of L1 residency, for the mean occupancy. */
static void
l1_stay(void *ctx, uint64_t size, uint64_t since, uint64_t until)
{
	struct stats *s = ctx;

	s->l1_byte_cycles += (double)size * (double)(until - since);
}

/* Keep the five transfers given the least share of DRAM, least first. */
static void
note_transfer(struct stats *s, const struct isa_instr *in)
{
	double req, got, share;
	unsigned k;

	cost_transfer_rate(s->npu, in, &req, &got);
	share = got / req;
	s->granted_sum += share;
	s->transfers++;
	s->share_hist[share >= 1.0 ? STATS_SHARE_BINS - 1 :
	    (unsigned)(share * STATS_SHARE_BINS)]++;
	for (k = s->nstarved; k > 0 && share < s->starved[k - 1].granted / s->starved[k - 1].requested;
	    k--)
		if (k < STATS_STARVED)
			s->starved[k] = s->starved[k - 1];
	if (k < STATS_STARVED) {
		s->starved[k].id = in->id;
		s->starved[k].bytes = in->bytes;
		s->starved[k].requested = req;
		s->starved[k].granted = got;
		if (s->nstarved < STATS_STARVED)
			s->nstarved++;
	}
}

/* The critical-path class of a unit. */
static unsigned
cp_class(unsigned unit)
{
	return unit == ISA_UNIT_MAC ? CP_MAC : unit == ISA_UNIT_VEC ? CP_VEC :
	    unit == ISA_UNIT_MTE ? CP_MTE : CP_DMA;
}

/* Save the paths that must outlive the ring before id's slot is reused. */
static void
cp_leave(struct stats *s, uint64_t id)
{
	unsigned slot = id % CP_RING, u = s->work->cp_unit_of[slot];

	if (s->work->cp_unit_id[u] == id) {
		memcpy(s->work->cp_unit[u], s->work->cp[slot], sizeof s->work->cp[0]);
		s->work->cp_unit_end[u] = s->work->cp_end[slot];
	}
	if (s->cp_best_id == id)
		memcpy(s->cp_best, s->work->cp[slot], sizeof s->work->cp[0]);
}

/* The path to an earlier instruction on `unit`, or NULL if it is no longer kept. */
static const uint64_t *
cp_path(const struct stats *s, uint64_t id, unsigned unit, uint64_t *end)
{
	if (s->instructions - id <= CP_RING) {
		*end = s->work->cp_end[id % CP_RING];
		return s->work->cp[id % CP_RING];
	}
	if (s->work->cp_unit_id[unit] == id) {
		*end = s->work->cp_unit_end[unit];
		return s->work->cp_unit[unit];
	}
	return NULL;
}

/*
 * The operand accesses of a matrix product C (+)= A B of m x k by k x n,
 * by buffer, as Timeloop and Accelergy count them: the array reads its
 * operands once per step that uses them, not once per instruction.  A
 * cube of M x K x N reads each A element once per block of N columns and
 * each B element once per block of M rows; a weight-stationary array
 * holds a K x N fold of B and streams every row of A through it, so B is
 * read once and A once per block of N.  C is written at every block of K
 * and read back at each one but the first (or at every one, when the
 * product accumulates into what C held).
 */
static void
matmul_bytes(const struct stats *s, const struct isa_instr *in, uint64_t *by)
{
	const struct npu *n = s->npu;
	bool cube = n->mac.kind == NPU_MAC_CUBE;
	uint64_t kf = cost_div_up(in->k, n->mac.k), c = in->dst[0].size;

	by[in->src[0].buf] = num_sat_add(by[in->src[0].buf],
	    num_mul_sat(cost_div_up(in->n, n->mac.n), in->src[0].size));
	by[in->src[1].buf] = num_sat_add(by[in->src[1].buf],
	    num_mul_sat(cube ? cost_div_up(in->m, n->mac.m) : 1, in->src[1].size));
	by[in->dst[0].buf] = num_sat_add(by[in->dst[0].buf],
	    num_mul_sat(2 * kf - ((in->flags & ISA_F_ACC) ? 0 : 1), c));
}

/*
 * Bytes read or written in L1 and in L0, for their energy: every operand
 * access of a matrix product, every region of the rest (a vector
 * instruction reads and writes each element of its regions once, a
 * transfer each byte it moves).
 */
static inline void
buffer_bytes(struct stats *s, const struct isa_instr *in)
{
	uint64_t by[ISA_NBUFS] = { 0 };
	unsigned i;

	if (in->op == ISA_OP_MATMUL && in->nsrc >= 2 && in->ndst >= 1 && in->m && in->n &&
	    in->k) {
		matmul_bytes(s, in, by);
	} else {
		for (i = 0; i < in->nsrc; i++)
			by[in->src[i].buf] = num_sat_add(by[in->src[i].buf], in->src[i].size);
		for (i = 0; i < in->ndst; i++)
			by[in->dst[i].buf] = num_sat_add(by[in->dst[i].buf], in->dst[i].size);
	}
	num_add_sat(&s->l1_bytes, by[ISA_BUF_L1]);
	num_add_sat(&s->l0_bytes, num_sat_add(num_sat_add(by[ISA_BUF_L0A], by[ISA_BUF_L0B]),
	    by[ISA_BUF_L0C]));
}

static uint64_t
region_bytes(const struct isa_region *r, unsigned n, unsigned buf_lo, unsigned buf_hi)
{
	uint64_t b = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		if (r[i].buf >= buf_lo && r[i].buf <= buf_hi)
			num_add_sat(&b, r[i].size);
	return b;
}

int
stats_read(struct stats *s, struct trace_reader *r, const char *name, struct errbuf *e)
{
	return stats_read_each(s, r, name, NULL, NULL, e);
}

int
stats_read_each(struct stats *s, struct trace_reader *r, const char *name,
    void (*each)(void *ctx, const struct isa_instr *in), void *ctx, struct errbuf *e)
{
	const struct isa_instr *in;
	struct cost_memo memo;
	uint64_t last[ISA_NUNITS];	/* each unit's last instruction, or ISA_ID_NONE */
	unsigned u;
	int rc;

	for (u = 0; u < ISA_NUNITS; u++)
		last[u] = ISA_ID_NONE;
	cost_memo_init(&memo, s->npu);
	while ((rc = trace_next(r, &in, e)) == 1) {
		if (!in->replayed)
			return errbuf_set(e, "%s: instruction %llu is not replayed; run 'mastrace "
			    "replay' first", name, (unsigned long long)in->id);
		stats_add(s, in, stats_pred(in, last[in->unit]), cost_memo_instr(&memo, in));
		last[in->unit] = in->id;
		if (each != NULL)
			each(ctx, in);
	}
	if (rc < 0)
		return -1;
	if (stats_finish(s, e) != 0)
		return errbuf_prefix(e, "%s", name);
	return 0;
}

/*
 * A unit is stalled while it sits idle before an instruction that waited
 * for a producer or for buffer space (the gap since its last instruction),
 * and while an instruction runs beyond its cost because of DRAM or a
 * port: the two parts of the instruction's stall, which the replay records
 * the same way.  The wait counts under the instruction's cause when that
 * names what it waited for, else (the slowdown was the larger part) as
 * dep.  Waiting behind earlier work on a busy unit is no stall: the unit
 * was busy.
 */
static void
add_time(struct stats *s, const struct isa_instr *in, uint64_t base)
{
	struct stats_unit *u = &s->unit[in->unit];
	uint64_t start = in->rep_start, end = in->rep_end, stretch = stats_stretch(in, base);
	uint64_t wait = start > s->work->unit_end[in->unit] ? start - s->work->unit_end[in->unit] : 0;
	bool slow_cause = in->cause == ISA_CAUSE_DRAM || in->cause == ISA_CAUSE_PORT;

	s->instructions++;
	u->instructions++;
	num_add_sat(&u->busy, end - start - stretch);
	if (wait)
		num_add_sat(&u->stalled[isa_cause_names_producer(in->cause) ? in->cause :
		    ISA_CAUSE_DEP], wait);
	if (stretch)
		num_add_sat(&u->stalled[slow_cause ? in->cause : in->unit >= ISA_UNIT_DMA0 ?
		    ISA_CAUSE_DRAM : ISA_CAUSE_PORT], stretch);
	if (end > s->work->unit_end[in->unit])
		s->work->unit_end[in->unit] = end;
	if (start < s->start)
		s->start = start;
	if (end > s->makespan)
		s->makespan = end;
	if (in->unit == ISA_UNIT_MAC || in->unit == ISA_UNIT_VEC)
		overlap_add(&s->work->ov, in->unit == ISA_UNIT_VEC, start, end);
}

/* What the replay books on DRAM and the ports, by its rules. */
static void
add_ports(struct stats *s, const struct isa_instr *in, uint64_t base)
{
	if (isa_op_is_transfer(in->op) && in->bytes > 0) {
		bool to_l1 = in->op == ISA_OP_LOAD || in->op == ISA_OP_FILL;
		num_add_sat(&s->dram_burst_bytes, cost_div_up(in->bytes, s->npu->dram.burst_bytes) *
		    s->npu->dram.burst_bytes);
		num_add_sat(to_l1 ? &s->l1_write_bytes : &s->l1_read_bytes, in->bytes);
	} else if (!isa_op_is_transfer(in->op) && base > 0) {
		num_add_sat(&s->l1_read_bytes, isa_l1_bytes(in->src, in->nsrc));
		num_add_sat(&s->l1_write_bytes, isa_l1_bytes(in->dst, in->ndst));
	}
}

static void
l1_grow(struct stats *s, uint64_t bytes)
{
	num_add_sat(&s->work->l1_now, bytes);
	if (s->work->l1_now > s->l1_peak)
		s->l1_peak = s->work->l1_now;
}

static void
l1_shrink(struct stats *s, uint64_t bytes)
{
	s->work->l1_now = s->work->l1_now > bytes ? s->work->l1_now - bytes : 0;
}

/* Traffic, spills and fills, MACs and L1 allocation by opcode. */
static void
add_op(struct stats *s, const struct isa_instr *in)
{
	uint64_t len = in->rep_end - in->rep_start;

	switch (in->op) {
	case ISA_OP_LOAD: num_add_sat(&s->dram_read, in->bytes); break;
	case ISA_OP_STORE: num_add_sat(&s->dram_write, in->bytes); break;
	case ISA_OP_SPILL:
		if (s->nfirst < STATS_FIRST_SPILLS) {
			s->first_spills[s->nfirst].id = in->id;
			s->first_spills[s->nfirst].cycle = in->rep_start;
			s->first_spills[s->nfirst].bytes = in->bytes;
			s->first_spills[s->nfirst].addr = in->src[0].addr;
			s->first_spills[s->nfirst].for_id = ISA_ID_NONE;
			s->nfirst++;
		}
		s->spills++;
		num_add_sat(&s->spill_bytes, in->bytes);
		num_add_sat(&s->spill_cycles, len);
		l1_shrink(s, in->bytes);
		break;
	case ISA_OP_FILL:
		s->fills++;
		num_add_sat(&s->fill_bytes, in->bytes);
		num_add_sat(&s->spill_cycles, len);
		l1_grow(s, in->bytes);
		break;
	case ISA_OP_MATMUL: num_add_sat(&s->macs, (uint64_t)in->m * in->n * in->k); break;
	case ISA_OP_ALLOC: l1_grow(s, region_bytes(in->dst, in->ndst, ISA_BUF_L1, ISA_BUF_L1)); break;
	case ISA_OP_FREE: l1_shrink(s, region_bytes(in->src, in->nsrc, ISA_BUF_L1, ISA_BUF_L1)); break;
	default: break;
	}
}

/* The path to this instruction: its predecessor's, then the wait, then itself. */
static void
add_path(struct stats *s, const struct isa_instr *in, uint64_t pred)
{
	uint64_t *cp = s->work->cp[in->id % CP_RING], pend = 0;
	const uint64_t *pp;

	if (in->id >= CP_RING)
		cp_leave(s, in->id - CP_RING);
	pp = pred == ISA_ID_NONE ? NULL : cp_path(s, pred, in->unit, &pend);
	if (pp == NULL && pred != ISA_ID_NONE) {
		s->cp_far++;
		if (s->work->cp_unit_id[in->unit] != UINT64_MAX)
			pp = cp_path(s, s->work->cp_unit_id[in->unit], in->unit, &pend);
	}
	if (pp != NULL) {
		memcpy(cp, pp, sizeof s->work->cp[0]);
		num_add_sat(&cp[CP_WAIT], in->rep_start > pend ? in->rep_start - pend : 0);
	} else {
		memset(cp, 0, sizeof s->work->cp[0]);
		cp[CP_WAIT] = in->rep_start;
	}
	num_add_sat(&cp[cp_class(in->unit)], in->rep_end - in->rep_start);
	cp[CP_N]++;
	s->work->cp_end[in->id % CP_RING] = in->rep_end;
	s->work->cp_unit_of[in->id % CP_RING] = in->unit;
	s->work->cp_unit_id[in->unit] = in->id;
	if (in->rep_end >= s->cp_best_end) {
		s->cp_best_end = in->rep_end;
		s->cp_best_id = in->id;
	}
}

void
stats_add(struct stats *s, const struct isa_instr *in, uint64_t pred, uint64_t base)
{
	unsigned k;

	add_time(s, in, base);
	add_ports(s, in, base);
	add_op(s, in);
	{
		const struct residency_cb cb = { s, NULL, l1_stay };
		residency_apply(&s->work->l1, in, in->rep_start, in->rep_end, &cb);
	}
	/*
	 * The replay writes spills and fills just before the instruction that
	 * needed the room: the first instruction after a spill that is neither
	 * is the one it was made for.
	 */
	if (in->op != ISA_OP_SPILL && in->op != ISA_OP_FILL && s->nfirst > 0 &&
	    s->first_spills[s->nfirst - 1].for_id == ISA_ID_NONE)
		for (k = 0; k < s->nfirst; k++)
			if (s->first_spills[k].for_id == ISA_ID_NONE)
				s->first_spills[k].for_id = in->id;
	if (isa_op_is_transfer(in->op) && in->bytes > 0)
		note_transfer(s, in);
	if (stats_vec_ops_per_element(in->op))
		num_add_sat(&s->vec_ops, (uint64_t)in->m * in->n * stats_vec_ops_per_element(in->op));
	if (in->op != ISA_OP_ALLOC && in->op != ISA_OP_FREE && in->op != ISA_OP_OVERWRITE)
		buffer_bytes(s, in);
	add_path(s, in, pred);
}

int
stats_finish(struct stats *s, struct errbuf *e)
{
	const struct npu *n = s->npu;
	double us;
	int rc = 0;

	if (overlap_finish(&s->work->ov, &s->mac_vec_overlap) != 0)
		rc = errbuf_set(e, s->work->ov.failed == OVERLAP_OOM ? "out of memory" :
		    "MAC or VEC instructions overlap earlier ones on their unit in time, expected "
		    "each unit to run one instruction at a time");
	if (s->cp_best_id != UINT64_MAX && s->instructions - s->cp_best_id <= CP_RING)
		memcpy(s->cp_best, s->work->cp[s->cp_best_id % CP_RING], sizeof s->work->cp[0]);
	s->lost_live = s->work->l1.lost;
	if (s->lost_live > 0 && rc == 0)	/* an allocation record could not be kept */
		rc = errbuf_set(e, "out of memory: %llu L1 allocation records lost",
		    (unsigned long long)s->lost_live);
	if (s->start == UINT64_MAX)
		s->start = 0;
	{
		const struct residency_cb cb = { s, NULL, l1_stay };
		residency_finish(&s->work->l1, s->makespan, &cb);	/* never freed: alive to the end */
	}
	us = (double)s->makespan / n->clock_mhz;
	s->energy_pj[STATS_E_MAC] = (double)s->macs * n->energy.mac_pj;
	s->energy_pj[STATS_E_VEC] = (double)s->vec_ops * n->energy.vec_op_pj;
	s->energy_pj[STATS_E_L0] = (double)s->l0_bytes * n->energy.l0_byte_pj;
	s->energy_pj[STATS_E_L1] = (double)s->l1_bytes * n->energy.l1_byte_pj;
	s->energy_pj[STATS_E_DRAM] = (double)(s->dram_read + s->dram_write + s->spill_bytes + s->fill_bytes) *
	    n->energy.dram_byte_pj;
	s->energy_pj[STATS_E_STATIC] = n->energy.static_mw * us * 1e3;	/* mW x us = nJ */
	stats_free(s);	/* what is left is the plain result */
	return rc;
}

static void
bound_term(struct stats_bound *b, const char *name, uint64_t cycles)
{
	snprintf(b->term[b->n].name, sizeof b->term[b->n].name, "%s", name);
	b->term[b->n].cycles = cycles;
	if (b->n == 0 || cycles > b->cycles) {
		b->cycles = cycles;
		b->by = b->n;
	}
	b->n++;
}

static uint64_t
cycles_for(uint64_t bytes, double per_cycle)
{
	/* less a hair, so that rounding never lifts a saturated resource past the makespan */
	double t = (double)bytes / per_cycle * (1.0 - 1e-12);
	uint64_t c = (uint64_t)t;

	return (double)c < t ? c + 1 : c;
}

void
stats_bound(const struct stats *s, struct stats_bound *b)
{
	const struct npu *n = s->npu;
	char name[8];
	unsigned u;

	memset(b, 0, sizeof *b);
	for (u = 0; u < ISA_NUNITS; u++)
		if (s->unit[u].instructions > 0 || u < ISA_UNIT_DMA0)
			bound_term(b, isa_unit_name(u, name, sizeof name), s->unit[u].busy);
	if (s->dram_shared)
		bound_term(b, "dram", cycles_for(s->dram_burst_bytes, npu_dram_bytes_per_cycle(n)));
	if (s->ports_shared) {
		bound_term(b, "l1-read", cycles_for(s->l1_read_bytes, n->l1.read_bytes_per_cycle));
		bound_term(b, "l1-write", cycles_for(s->l1_write_bytes, n->l1.write_bytes_per_cycle));
	}
	b->efficiency = s->makespan ? (double)b->cycles / (double)s->makespan : 0.0;
}

const char *const stats_energy_names[STATS_NENERGY] = { "mac", "vec", "l0", "l1", "dram", "static" };

double
stats_energy_total(const struct stats *s)
{
	double total = 0;
	unsigned k;

	for (k = 0; k < STATS_NENERGY; k++)
		total += s->energy_pj[k];
	return total;
}
const char *const stats_cp_names[CP_N] = { "mac", "vec", "mte", "dma", "wait" };

static double
pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* A row per unit: instructions, busy, stalled and idle cycles, utilisation, stalls by cause. */
static void
print_units(const struct stats *s, FILE *f)
{
	static const char *const keys[] = { "unit", "instructions", "busy", "stalled", "idle",
	    "util", "stalled_by_cause" };
	/* the causes' heading and cells start with a blank: two before it, one before a cause */
	static const char *const titles[] = { "unit", "instructions", "busy", "stalled", "idle",
	    "util", " stalled by cause" };
	static const unsigned widths[] = { 7, 12, 13, 13, 13, 7, 1 };
	uint64_t stalled, idle, span = s->makespan;
	char name[8], causes[256], g[NUM_TEXT_MAX];
	struct table t;
	unsigned u, c, k;
	size_t used;
	int row;

	table_init(&t, 7, keys, titles);
	t.sep = " ";
	for (k = 0; k < 7; k++)
		table_align(&t, k, widths[k], k == 0 || k == 6);
	for (u = 0; u < ISA_NUNITS; u++) {
		const struct stats_unit *su = &s->unit[u];
		if (su->instructions == 0 || (row = table_add_row(&t)) < 0)
			continue;
		for (stalled = 0, c = 0; c < ISA_NCAUSES; c++)
			stalled += su->stalled[c];
		idle = span > su->busy + stalled ? span - su->busy - stalled : 0;
		table_put_str(&t, (unsigned)row, 0, isa_unit_name(u, name, sizeof name));
		table_put(&t, (unsigned)row, 1, TABLE_INT, (double)su->instructions);
		table_put(&t, (unsigned)row, 2, TABLE_INT, (double)su->busy);
		table_put(&t, (unsigned)row, 3, TABLE_INT, (double)stalled);
		table_put(&t, (unsigned)row, 4, TABLE_INT, (double)idle);
		table_put(&t, (unsigned)row, 5, TABLE_PCT, pct(su->busy, span));
		for (used = 0, causes[0] = '\0', c = 1; c < ISA_NCAUSES; c++)
			if (su->stalled[c])
				used += (size_t)snprintf(causes + used, used < sizeof causes ?
				    sizeof causes - used : 0, " %s=%s", isa_cause_name(c),
				    num_group(su->stalled[c], g));
		table_put_str(&t, (unsigned)row, 6, causes);
	}
	table_print(&t, TABLE_TEXT, f);
	table_free(&t);
}

void
stats_print_text(const struct stats *s, FILE *f)
{
	const struct npu *n = s->npu;
	uint64_t span = s->makespan;
	struct stats_bound bd;
	char b[5][NUM_TEXT_MAX];
	unsigned k;

#define G(i, v) num_group((v), b[i])	/* up to five grouped numbers per line */

	fprintf(f, "makespan      %s cycles, %s at %u MHz\n", G(0, span),
	    num_duration((double)span / n->clock_mhz * 1e-6, b[1]), (unsigned)n->clock_mhz);
	fprintf(f, "instructions  %s\n", G(0, s->instructions));
	fprintf(f, "overlap       MAC and VEC both busy %s cycles, %.1f%% of the makespan\n",
	    G(0, s->mac_vec_overlap), pct(s->mac_vec_overlap, span));
	stats_bound(s, &bd);
	fprintf(f, "bound         %s cycles, set by %s: efficiency %.1f%% (bound / makespan)\n",
	    G(0, bd.cycles), bd.term[bd.by].name, 100.0 * bd.efficiency);
	fprintf(f, "  resources  ");
	for (k = 0; k < bd.n; k++)
		fprintf(f, " %s %s", bd.term[k].name, G(0, bd.term[k].cycles));
	if (!s->dram_shared || !s->ports_shared)
		fprintf(f, " (%s not modelled)", !s->dram_shared && !s->ports_shared ?
		    "dram and ports" : !s->dram_shared ? "dram" : "ports");
	fputc('\n', f);
	fputc('\n', f);
	print_units(s, f);
	/* the plan's traffic, then what spills added; the bandwidth counts both */
	fprintf(f, "\ndram          read %s bytes and written %s by the plan", G(0, s->dram_read),
	    G(1, s->dram_write));
	if (s->spills || s->fills)
		fprintf(f, ", and %s by spills and %s by fills", G(0, s->spill_bytes),
		    G(1, s->fill_bytes));
	fprintf(f, "; achieved %.3f GB/s of %.4g%s\n",
	    span ? (double)(s->dram_read + s->dram_write + s->spill_bytes + s->fill_bytes) /
	    ((double)span / n->clock_mhz) / 1e3 : 0.0, n->dram.bandwidth_gbs,
	    s->spills || s->fills ? ", spill traffic included" : "");
	fprintf(f, "transfers     %s, given %.1f%% of the DRAM bandwidth they could use alone, "
	    "on average\n", G(0, s->transfers),
	    s->transfers ? 100.0 * s->granted_sum / (double)s->transfers : 0.0);
	if (s->transfers) {
		fprintf(f, "  by share   ");
		for (k = 0; k < STATS_SHARE_BINS; k++)
			fprintf(f, " %u%%+ %s", k * (100 / STATS_SHARE_BINS), G(0, s->share_hist[k]));
		fputc('\n', f);
	}
	for (k = 0; k < s->nstarved; k++)
		fprintf(f, "  starved     id %llu: %s bytes at %.3f GB/s of the %.3f it asked for "
		    "(%.1f%%)\n", (unsigned long long)s->starved[k].id, G(0, s->starved[k].bytes),
		    cost_gbs(n, s->starved[k].granted), cost_gbs(n, s->starved[k].requested),
		    100.0 * s->starved[k].granted / s->starved[k].requested);
	fprintf(f, "l1            capacity %s bytes: %s resident on average; ",
	    G(0, n->l1.capacity_bytes), G(1, span ? (uint64_t)(s->l1_byte_cycles / (double)span +
	    0.5) : 0));
	if (s->l1_peak > n->l1.capacity_bytes)
		fprintf(f, "the plan allocates %s at its peak, the excess kept in DRAM by spills\n",
		    G(0, s->l1_peak));
	else
		fprintf(f, "%s allocated at the peak\n", G(0, s->l1_peak));
	fprintf(f, "spills        %s spill%s (%s bytes) and %s fill%s (%s bytes), %s DMA cycles\n",
	    G(0, s->spills), s->spills == 1 ? "" : "s", G(1, s->spill_bytes), G(2, s->fills),
	    s->fills == 1 ? "" : "s", G(3, s->fill_bytes), G(4, s->spill_cycles));
	/* what the spills cost against what forced them: a policy that thrashes shows here */
	if (s->spill_bytes > 0 && s->l1_peak > n->l1.capacity_bytes)
		fprintf(f, "  spilled     %.1fx the overflow, %s bytes allocated past the capacity at "
		    "the peak\n", (double)s->spill_bytes /
		    (double)(s->l1_peak - n->l1.capacity_bytes),
		    G(0, s->l1_peak - n->l1.capacity_bytes));
	for (k = 0; k < s->nfirst; k++) {
		fprintf(f, "  spill id %llu at cycle %llu: %llu bytes of l1:%llu", (unsigned long long)
		    s->first_spills[k].id, (unsigned long long)s->first_spills[k].cycle,
		    (unsigned long long)s->first_spills[k].bytes,
		    (unsigned long long)s->first_spills[k].addr);
		if (s->first_spills[k].for_id != ISA_ID_NONE)
			fprintf(f, ", making room for instruction %llu",
			    (unsigned long long)s->first_spills[k].for_id);
		fputc('\n', f);
	}
	fprintf(f, "energy        %.3f uJ:", stats_energy_total(s) / 1e6);
	for (k = 0; k < STATS_NENERGY; k++)
		fprintf(f, " %s %.3f", stats_energy_names[k], s->energy_pj[k] / 1e6);
	fputc('\n', f);
	fprintf(f, "critical path %s instruction%s ending at cycle %s:", G(0, s->cp_best[CP_N]),
	    s->cp_best[CP_N] == 1 ? "" : "s", G(1, s->cp_best_end));
	for (k = 0; k < CP_N; k++)
		fprintf(f, " %s %.1f%%", stats_cp_names[k], pct(s->cp_best[k], s->cp_best_end));
	fputc('\n', f);
	if (s->cp_far)
		fprintf(f, "  approximate: %llu instructions waited for a producer more than %u "
		    "instructions back, whose path is no longer kept\n",
		    (unsigned long long)s->cp_far, CP_RING);
	if (s->far_deps)
		fprintf(f, "note          %llu dependencies reached further back than the replay keeps "
		    "ends; each was taken to end no later than the latest end there\n",
		    (unsigned long long)s->far_deps);
}

#undef G

void
stats_print_json(const struct stats *s, FILE *f)
{
	const struct npu *n = s->npu;
	struct stats_bound bd;
	char name[8];
	unsigned u, c, k;
	int first = 1;

	fputs("{\n  \"npu\": ", f);
	json_string(f, n->name);
	fprintf(f, ",\n  \"clock_mhz\": %u,\n  \"makespan_cycles\": %llu,\n"
	    "  \"instructions\": %llu,\n  \"mac_vec_overlap_cycles\": %llu,\n  \"units\": {",
	    (unsigned)n->clock_mhz, (unsigned long long)s->makespan,
	    (unsigned long long)s->instructions, (unsigned long long)s->mac_vec_overlap);
	for (u = 0; u < ISA_NUNITS; u++) {
		const struct stats_unit *su = &s->unit[u];
		if (su->instructions == 0)
			continue;
		fprintf(f, "%s\n    \"%s\": {\"instructions\": %llu, \"busy\": %llu, \"stalled\": {",
		    first ? "" : ",", isa_unit_name(u, name, sizeof name),
		    (unsigned long long)su->instructions, (unsigned long long)su->busy);
		for (c = 1; c < ISA_NCAUSES; c++)
			fprintf(f, "%s\"%s\": %llu", c > 1 ? ", " : "", isa_cause_name(c),
			    (unsigned long long)su->stalled[c]);
		fprintf(f, "}}");
		first = 0;
	}
	stats_bound(s, &bd);
	fprintf(f, "\n  },\n  \"bound\": {\"cycles\": %llu, \"by\": \"%s\", \"efficiency\": %.4f, "
	    "\"resources\": {", (unsigned long long)bd.cycles, bd.term[bd.by].name, bd.efficiency);
	for (k = 0; k < bd.n; k++)
		fprintf(f, "%s\"%s\": %llu", k ? ", " : "", bd.term[k].name,
		    (unsigned long long)bd.term[k].cycles);
	fprintf(f, "}}");
	fprintf(f, ",\n  \"dram\": {\"read\": %llu, \"written\": %llu, \"spilled\": %llu, "
	    "\"filled\": %llu},\n  \"spills\": %llu,\n  \"fills\": %llu,\n"
	    "  \"spill_cycles\": %llu,\n  \"l1_peak_bytes\": %llu,\n"
	    "  \"l1_mean_bytes\": %.0f,\n  \"transfers\": %llu,\n"
	    "  \"mean_granted_bandwidth_share\": %.4f,\n  ",
	    (unsigned long long)s->dram_read, (unsigned long long)s->dram_write,
	    (unsigned long long)s->spill_bytes, (unsigned long long)s->fill_bytes,
	    (unsigned long long)s->spills, (unsigned long long)s->fills,
	    (unsigned long long)s->spill_cycles, (unsigned long long)s->l1_peak,
	    s->makespan ? s->l1_byte_cycles / (double)s->makespan : 0.0,
	    (unsigned long long)s->transfers,
	    s->transfers ? s->granted_sum / (double)s->transfers : 0.0);
	for (k = 0; k < STATS_SHARE_BINS; k++)
		fprintf(f, "%s%llu", k ? ", " : "\"transfers_by_share_tenth\": [",
		    (unsigned long long)s->share_hist[k]);
	fprintf(f, "],\n  \"most_starved_transfers\": [");
	for (k = 0; k < s->nstarved; k++)
		fprintf(f, "%s{\"id\": %llu, \"bytes\": %llu, \"requested_gbs\": %.3f, "
		    "\"granted_gbs\": %.3f}", k ? ", " : "", (unsigned long long)s->starved[k].id,
		    (unsigned long long)s->starved[k].bytes, cost_gbs(n, s->starved[k].requested),
		    cost_gbs(n, s->starved[k].granted));
	fprintf(f, "],\n  \"far_dependencies\": %llu,\n  \"energy_pj\": {",
	    (unsigned long long)s->far_deps);
	for (k = 0; k < STATS_NENERGY; k++)
		fprintf(f, "%s\"%s\": %.3f", k ? ", " : "", stats_energy_names[k], s->energy_pj[k]);
	fprintf(f, "},\n  \"critical_path\": {\"instructions\": %llu, \"end\": %llu",
	    (unsigned long long)s->cp_best[CP_N], (unsigned long long)s->cp_best_end);
	for (k = 0; k < CP_N; k++)
		fprintf(f, ", \"%s\": %llu", stats_cp_names[k], (unsigned long long)s->cp_best[k]);
	fprintf(f, ", \"approximate_links\": %llu}\n}\n", (unsigned long long)s->cp_far);
}
