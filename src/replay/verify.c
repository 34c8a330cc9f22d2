/* verify: functional execution of traces against a reference attention. */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "linalg.h"
#include "num.h"
#include "trace-file.h"
#include "verify.h"

/*
 * The program is kept compact, without the times verify never reads:
 * regions and dependencies live in flat arrays, so a 16 M-instruction
 * trace takes a few hundred bytes per instruction less than isa_instr.
 * Spilled data (DRAM addresses from ISA_SPILL_BASE up) is its own memory
 * area, slot SPILL, so that its addresses do not size the tensors' memory.
 */
enum { SPILL = ISA_NBUFS, NSLOTS };

struct vreg {
	uint64_t off;		/* bytes from the start of the slot's memory */
	uint64_t size;
	uint64_t addr;		/* as the trace wrote it, for messages */
	uint8_t buf;		/* enum isa_buf, for messages */
	uint8_t slot;
};

struct vins {
	uint8_t unit, op, flags, nsrc, ndst, ndeps;
	uint32_t rb, cb, m, n, k;
	uint32_t reg;		/* first region: sources, then destinations */
	uint32_t dep;		/* first dependency */
};

struct program {
	struct vins *in;
	struct vreg *reg;
	uint32_t *dep;
	uint64_t n, cap, nreg, regcap, ndep, depcap;
	uint64_t extent[NSLOTS];	/* bytes each slot needs */
	uint64_t touched[NSLOTS];	/* the sizes of its regions, added up (saturating) */
	uint64_t work;			/* operations of one order (verify_work()) */
};

/* One order's machine: memory, and where the reason for a failure goes. */
struct machine {
	const struct workload *wl;
	const struct program *pg;
	float *mem[NSLOTS];
	uint64_t elems[NSLOTS];		/* floats in each slot */
	unsigned esize[NSLOTS];		/* bytes per element */
	float scale;
	char why[ERRBUF_SIZE - 64];
};

static uint64_t
rng(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545F4914F6CDD1Dull;
}

static float
uniform(uint64_t *x)
{
	return (float)((double)(rng(x) >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static uint64_t
data_seed(uint64_t seed)
{
	return seed * 0x9E3779B97F4A7C15ull + 1;
}

/* Each order draws from its own stream, so that orders can run in any thread. */
static uint64_t
order_seed(uint64_t seed, unsigned order)
{
	uint64_t x = data_seed(seed) ^ ((uint64_t)order * 0xD1B54A32D192ED03ull);

	return x ? x : 1;
}


/* Elements of a region, checked against the slot and the element size. */
static float *
elems(struct machine *mc, uint64_t id, unsigned ri, uint64_t want, const char *what)
{
	const struct vins *in = &mc->pg->in[id];
	const struct vreg *r = &mc->pg->reg[in->reg + ri];
	unsigned es = mc->esize[r->slot];

	if (r->off % es || r->size % es) {
		snprintf(mc->why, sizeof mc->why, "instruction %llu: %s region %s:%llu+%llu is "
		    "not made of whole %u-byte elements", (unsigned long long)id, what,
		    isa_buf_name(r->buf), (unsigned long long)r->addr,
		    (unsigned long long)r->size, es);
		return NULL;
	}
	if (want != 0 && r->size / es != want) {
		snprintf(mc->why, sizeof mc->why, "instruction %llu (%s): %s region holds %llu "
		    "elements, expected %llu for its shape", (unsigned long long)id,
		    isa_op_name(in->op), what, (unsigned long long)(r->size / es),
		    (unsigned long long)want);
		return NULL;
	}
	return mc->mem[r->slot] + r->off / es;
}

#define SRC(i) (i)
#define DST(i) (in->nsrc + (i))

static bool
masked(const struct machine *mc, const struct vins *in, uint64_t i, uint64_t j)
{
	return (in->flags & ISA_F_MASK) && wl_masked(mc->wl, (uint64_t)in->rb + i,
	    (uint64_t)in->cb + j);
}

static int
need(struct machine *mc, uint64_t id, unsigned nsrc, unsigned ndst)
{
	const struct vins *in = &mc->pg->in[id];

	if (in->nsrc < nsrc || in->ndst < ndst) {
		snprintf(mc->why, sizeof mc->why, "instruction %llu (%s): %u sources and %u "
		    "destinations, expected %u and %u", (unsigned long long)id,
		    isa_op_name(in->op), in->nsrc, in->ndst, nsrc, ndst);
		return -1;
	}
	return 0;
}

/* What was there is dead: anyone who still reads it gets NaN. */
static int
poison(struct machine *mc, uint64_t id, unsigned ri, const char *what)
{
	const struct vreg *r = &mc->pg->reg[mc->pg->in[id].reg + ri];
	float *p = elems(mc, id, ri, 0, what);
	uint64_t n = r->size / mc->esize[r->slot], i;

	if (p == NULL)
		return -1;
	for (i = 0; i < n; i++)
		p[i] = NAN;
	return 0;
}

static int
execute(struct machine *mc, uint64_t id)
{
	const struct vins *in = &mc->pg->in[id];
	uint64_t m = in->m, n = in->n, k = in->k, i, j, cnt;
	float *a, *b = NULL, *c, *d;
	double acc;

	switch (in->op) {
	case ISA_OP_LOAD: case ISA_OP_STORE: case ISA_OP_SPILL: case ISA_OP_FILL:
	case ISA_OP_MOVE:
		if (need(mc, id, 1, 1))
			return -1;
		cnt = mc->pg->reg[in->reg].size / mc->esize[mc->pg->reg[in->reg].slot];
		if ((a = elems(mc, id, SRC(0), 0, "source")) == NULL ||
		    (c = elems(mc, id, DST(0), cnt, "destination")) == NULL)
			return -1;
		memmove(c, a, cnt * sizeof *c);
		return 0;
	case ISA_OP_MATMUL:
		if (need(mc, id, 2, 1) || (a = elems(mc, id, SRC(0), m * k, "A")) == NULL ||
		    (b = elems(mc, id, SRC(1), k * n, "B")) == NULL ||
		    (c = elems(mc, id, DST(0), m * n, "C")) == NULL)
			return -1;
		linalg_sgemm(in->flags & ISA_F_TRANSB, m, n, k, a, b, c, in->flags & ISA_F_ACC);
		return 0;
	case ISA_OP_VMAX:
		if (need(mc, id, 1, 1) || (a = elems(mc, id, SRC(0), m * n, "scores")) == NULL ||
		    (in->nsrc > 1 && (b = elems(mc, id, SRC(1), m, "running max")) == NULL) ||
		    (c = elems(mc, id, DST(0), m, "max")) == NULL)
			return -1;
		for (i = 0; i < m; i++) {
			float mx = in->nsrc > 1 ? b[i] : -INFINITY;
			for (j = 0; j < n; j++)
				if (!masked(mc, in, i, j) && a[i * n + j] > mx)
					mx = a[i * n + j];
				else if (!masked(mc, in, i, j) && isnan(a[i * n + j]))
					mx = NAN;
			c[i] = mx;
		}
		return 0;
	case ISA_OP_VEXP:
		if (need(mc, id, 2, 1) || (a = elems(mc, id, SRC(0), m * n, "scores")) == NULL ||
		    (b = elems(mc, id, SRC(1), m, "max")) == NULL ||
		    (c = elems(mc, id, DST(0), m * n, "probabilities")) == NULL)
			return -1;
		for (i = 0; i < m; i++)
			for (j = 0; j < n; j++)
				c[i * n + j] = masked(mc, in, i, j) ? 0.0f :
				    expf(mc->scale * (a[i * n + j] - b[i]));
		return 0;
	case ISA_OP_VSUM:
		if (need(mc, id, 1, 1) || (a = elems(mc, id, SRC(0), m * n, "values")) == NULL ||
		    (in->nsrc > 1 && (b = elems(mc, id, SRC(1), m, "running sum")) == NULL) ||
		    (c = elems(mc, id, DST(0), m, "sum")) == NULL)
			return -1;
		for (i = 0; i < m; i++) {
			acc = in->nsrc > 1 ? b[i] : 0.0;
			for (j = 0; j < n; j++)
				acc += a[i * n + j];
			c[i] = (float)acc;
		}
		return 0;
	case ISA_OP_VDIV:
	case ISA_OP_VSCALE:
		if (need(mc, id, 2, 1) || (a = elems(mc, id, SRC(0), m * n, "values")) == NULL ||
		    (b = elems(mc, id, SRC(1), m, "row factors")) == NULL ||
		    (c = elems(mc, id, DST(0), m * n, "result")) == NULL)
			return -1;
		for (i = 0; i < m; i++)
			for (j = 0; j < n; j++)
				c[i * n + j] = in->op == ISA_OP_VDIV ? a[i * n + j] / b[i] :
				    a[i * n + j] * b[i];
		return 0;
	case ISA_OP_VRESCALE:
		if (need(mc, id, 3, 1) || (a = elems(mc, id, SRC(0), m * n, "values")) == NULL ||
		    (b = elems(mc, id, SRC(1), m, "old max")) == NULL ||
		    (d = elems(mc, id, SRC(2), m, "new max")) == NULL ||
		    (c = elems(mc, id, DST(0), m * n, "result")) == NULL)
			return -1;
		for (i = 0; i < m; i++) {
			float f = expf(mc->scale * (b[i] - d[i]));
			for (j = 0; j < n; j++)
				c[i * n + j] = ((in->flags & ISA_F_ACC) ? c[i * n + j] : 0.0f) +
				    a[i * n + j] * f;
		}
		return 0;
	case ISA_OP_ALLOC:
	case ISA_OP_OVERWRITE:
		for (i = 0; i < in->ndst; i++)
			if (poison(mc, id, DST(i), "destination") != 0)
				return -1;
		return 0;
	case ISA_OP_FREE:
		for (i = 0; i < in->nsrc; i++)
			if (poison(mc, id, SRC(i), "source") != 0)
				return -1;
		return 0;
	default:
		return 0;
	}
}

/* ---- the reference ---------------------------------------------------- */

#define REF_ROWS 64		/* query rows per reference product, at most */
#define REF_SCORES (1u << 22)	/* and at most this many scores (32 MiB) */

struct reference {
	uint64_t rows;
	const struct workload *w;
	const struct wl_layout *lay;
	const float *dram;
	double *q, *k, *v, *s, *o;
};

static void
gather(double *dst, const float *dram, const struct workload *w, const struct wl_layout *l,
    uint64_t (*row_addr)(const struct workload *, const struct wl_layout *, uint32_t, uint32_t,
    uint64_t), uint32_t b, uint32_t h, uint64_t row0, uint64_t rows, uint64_t cols)
{
	uint64_t r, c;

	for (r = 0; r < rows; r++) {
		const float *src = dram + row_addr(w, l, b, h, row0 + r) / w->elem_bytes;
		for (c = 0; c < cols; c++)
			dst[r * cols + c] = src[c];
	}
}

/*
 * Plain attention in double precision for one head, REF_ROWS query rows at
 * a time: S = Q K^T over the keys the last row of the block sees (the mask
 * only hides later keys), softmax by rows, O = P V.
 */
static void
reference_head(struct reference *rf, uint32_t b, uint32_t h, float *expect)
{
	const struct workload *w = rf->w;
	double scale = 1.0 / sqrt((double)w->d_qk);
	uint64_t row0, rows, r, j, t, kend;

	gather(rf->k, rf->dram, w, rf->lay, wl_k_row, b, h, 0, w->k_len, w->d_qk);
	gather(rf->v, rf->dram, w, rf->lay, wl_v_row, b, h, 0, w->k_len, w->d_v);
	for (row0 = 0; row0 < w->q_len; row0 += rows) {
		rows = w->q_len - row0 < rf->rows ? w->q_len - row0 : rf->rows;
		for (kend = w->k_len; kend > 0 && wl_masked(w, row0 + rows - 1, kend - 1); kend--)
			;
		gather(rf->q, rf->dram, w, rf->lay, wl_q_row, b, h, row0, rows, w->d_qk);
		linalg_dgemm(true, rows, kend, w->d_qk, rf->q, rf->k, rf->s, false);
		for (r = 0; r < rows; r++) {
			double *p = rf->s + r * kend, mx = -INFINITY, sum = 0;
			for (j = 0; j < kend; j++) {
				p[j] = wl_masked(w, row0 + r, j) ? -INFINITY : p[j] * scale;
				if (p[j] > mx)
					mx = p[j];
			}
			for (j = 0; j < kend; j++) {
				p[j] = p[j] == -INFINITY ? 0 : exp(p[j] - mx);
				sum += p[j];
			}
			for (j = 0; j < kend; j++)
				p[j] /= sum;
		}
		linalg_dgemm(false, rows, w->d_v, kend, rf->s, rf->v, rf->o, false);
		for (r = 0; r < rows; r++)
			for (t = 0; t < w->d_v; t++)
				*expect++ = (float)rf->o[r * w->d_v + t];
	}
}

/* ---- loading ---------------------------------------------------------- */

static int
grow(void **p, uint64_t *cap, uint64_t need, size_t size)
{
	uint64_t c = *cap ? *cap : 4096;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if ((q = realloc(*p, c * size)) == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

static void
add_region(struct program *pg, const struct isa_region *r)
{
	struct vreg *v = &pg->reg[pg->nreg++];
	uint64_t end;

	v->buf = r->buf;
	v->slot = r->buf;
	v->off = r->addr;
	v->addr = r->addr;
	v->size = r->size;
	if (r->buf == ISA_BUF_DRAM && r->addr >= ISA_SPILL_BASE) {
		v->slot = SPILL;
		v->off = r->addr - ISA_SPILL_BASE;
	}
	end = v->off + v->size;
	if (end > pg->extent[v->slot])
		pg->extent[v->slot] = end;
	num_add_sat(&pg->touched[v->slot], v->size);
}

/* What one instruction costs an order: its multiply-adds, or the elements it steps or moves. */
static uint64_t
instr_work(const struct isa_instr *in, unsigned es)
{
	switch (in->op) {
	case ISA_OP_MATMUL:
		return num_mul_sat(num_mul_sat(in->m, in->n), in->k);
	case ISA_OP_VMAX: case ISA_OP_VEXP: case ISA_OP_VSUM: case ISA_OP_VDIV:
	case ISA_OP_VSCALE: case ISA_OP_VRESCALE:
		return num_mul_sat(in->m, in->n);
	default:	/* moves, allocations and frees touch their first region */
		if (in->nsrc > 0)
			return in->src[0].size / es;
		return in->ndst > 0 ? in->dst[0].size / es : 0;
	}
}

uint64_t
verify_reference_work(const struct workload *w)
{
	/* Q K^T and P V, and a few steps of softmax per score */
	return num_mul_sat(num_mul_sat(num_mul_sat((uint64_t)w->batch * w->heads, w->q_len), w->k_len),
	    (uint64_t)w->d_qk + w->d_v + 4);
}

static int
load_program(struct trace_reader *r, const char *path, struct program *pg,
    const struct progress *pr, uint64_t total, unsigned orders, struct errbuf *e)
{
	const struct isa_instr *in;
	struct vins *v;
	unsigned i;
	int rc;

	while ((rc = trace_next(r, &in, e)) == 1) {
		if (pg->n == VERIFY_MAX_INSTRS)
			return errbuf_set(e, "%s: more than %llu instructions, too many to verify in "
			    "memory; verify a smaller workload (--seq, b=, h=)", path,
			    (unsigned long long)VERIFY_MAX_INSTRS);
		if (grow((void **)&pg->in, &pg->cap, pg->n + 1, sizeof *pg->in) != 0 ||
		    grow((void **)&pg->reg, &pg->regcap, pg->nreg + ISA_MAX_SRC + ISA_MAX_DST,
		    sizeof *pg->reg) != 0 ||
		    grow((void **)&pg->dep, &pg->depcap, pg->ndep + ISA_MAX_DEPS, sizeof *pg->dep) != 0)
			return errbuf_set(e, "%s: out of memory", path);
		v = &pg->in[pg->n];
		v->unit = in->unit;
		v->op = in->op;
		v->flags = in->flags;
		v->nsrc = in->nsrc;
		v->ndst = in->ndst;
		v->ndeps = in->ndeps;
		v->rb = in->rb;
		v->cb = in->cb;
		v->m = in->m;
		v->n = in->n;
		v->k = in->k;
		v->reg = (uint32_t)pg->nreg;
		v->dep = (uint32_t)pg->ndep;
		num_add_sat(&pg->work, instr_work(in, r->hdr.wl.elem_bytes));
		for (i = 0; i < in->nsrc; i++)
			add_region(pg, &in->src[i]);
		for (i = 0; i < in->ndst; i++)
			add_region(pg, &in->dst[i]);
		for (i = 0; i < in->ndeps; i++) {
			if (in->deps[i] >= pg->n)	/* readers check this; a program must not rely on it */
				return errbuf_set(e, "%s: instruction %llu depends on %llu, expected an "
				    "earlier instruction", path, (unsigned long long)pg->n,
				    (unsigned long long)in->deps[i]);
			pg->dep[pg->ndep++] = (uint32_t)in->deps[i];
		}
		pg->n++;
		if ((pg->n & 0xffff) == 0)	/* loading is worth one order */
			progress_report(pr, pg->n, total * (orders + 2));
	}
	return rc;
}

/* ---- sparse memory ---------------------------------------------------- */

/*
 * A slot is packed when its addresses spread wider than twice what its
 * regions add up to, and this much more: a real trace touches its
 * buffers over and over and is never packed, while a few regions far
 * apart (147 bytes asking for 100 MB) are.
 */
#define SPARSE_SLACK (1ull << 20)

struct span {
	uint64_t start, end, base;
};

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The span holding off: the last one starting at or before it. */
static const struct span *
span_of(const struct span *sp, size_t n, uint64_t off)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (sp[mid].start <= off)
			lo = mid;
		else
			hi = mid;
	}
	return &sp[lo];
}

/*
 * Pack a slot whose regions spread far wider than they cover (one load
 * from a DRAM offset of 512 MB must not cost verify 2 GiB per order): the
 * intervals the regions touch, merged, are laid end to end, each keeping
 * its offset modulo the element size es, so that what overlaps still
 * overlaps and nothing else does; [0, keep) (DRAM's tensors) stays where
 * it is.
 */
static int
compact(struct program *pg, unsigned slot, uint64_t keep, unsigned es)
{
	struct span *sp;
	uint64_t i, n = 0, m, top = 0;

	for (i = 0; i < pg->nreg; i++)
		n += pg->reg[i].slot == slot;
	if ((sp = malloc((n + 1) * sizeof *sp)) == NULL)
		return -1;
	n = 0;
	if (keep > 0)
		sp[n++] = (struct span){ 0, (keep + es - 1) / es * es, 0 };
	for (i = 0; i < pg->nreg; i++)
		if (pg->reg[i].slot == slot && pg->reg[i].size > 0) {
			const struct vreg *r = &pg->reg[i];
			sp[n].start = r->off / es * es;
			sp[n++].end = (r->off + r->size + es - 1) / es * es;
		}
	qsort(sp, n, sizeof *sp, span_cmp);
	for (i = 0, m = 0; i < n; i++) {
		if (m > 0 && sp[i].start <= sp[m - 1].end) {
			if (sp[i].end > sp[m - 1].end)
				sp[m - 1].end = sp[i].end;
			continue;
		}
		sp[m++] = sp[i];
	}
	for (i = 0; i < m; i++) {
		sp[i].base = top;
		top += sp[i].end - sp[i].start;
	}
	for (i = 0; i < pg->nreg; i++)
		if (pg->reg[i].slot == slot) {
			const struct span *s = span_of(sp, m, pg->reg[i].off);
			/* an empty region holds nothing: anywhere inside will do */
			pg->reg[i].off = pg->reg[i].size == 0 ? 0 :
			    s->base + (pg->reg[i].off - s->start);
		}
	pg->extent[slot] = top;
	free(sp);
	return 0;
}

static int
compact_sparse(struct program *pg, uint64_t tensors, unsigned elem_bytes)
{
	unsigned s;

	for (s = 0; s < NSLOTS; s++) {
		uint64_t keep = s == ISA_BUF_DRAM ? tensors : 0;
		uint64_t dense = keep;
		num_add_sat(&dense, pg->touched[s]);
		num_add_sat(&dense, pg->touched[s]);
		num_add_sat(&dense, SPARSE_SLACK);
		if (pg->extent[s] > dense &&
		    compact(pg, s, keep, s == ISA_BUF_L0C ? ISA_ACC_BYTES : elem_bytes) != 0)
			return -1;
	}
	return 0;
}

/* ---- the orders ------------------------------------------------------- */

struct verify_run {
	const struct workload *w;
	const struct wl_layout *lay;
	const struct program *pg;
	float *expect;
	uint64_t seed;
	unsigned orders, threads;
	uint64_t *next_on_unit, *queue_next;
	atomic_uint_fast64_t executed;	/* instructions, over every order */
	atomic_bool stop;		/* an order failed: the others need not go on */
	pthread_mutex_t mu;		/* guards finished */
	pthread_cond_t done;		/* signalled as each thread finishes */
	unsigned finished;		/* threads done */
	const struct progress *progress;	/* reported by the calling thread only */
	uint64_t total_work;
	/* each order's outcome, filled by the thread that ran it */
	struct order_result {
		int rc;			/* 0 ran, -1 failed, 1 not run (stopped) */
		double max_err;
		char where[160];
		char why[ERRBUF_SIZE - 64];
	} *res;
};

struct worker {
	struct verify_run *run;
	unsigned index;
	bool reports;		/* runs on the calling thread: may report progress */
	struct machine mc;
	struct reference rf;
	uint8_t *done;
	pthread_t tid;
};

#define STEP 4096	/* instructions between looks at the counter and the stop flag */

static void
count(struct worker *wk, uint64_t *pending)
{
	struct verify_run *run = wk->run;
	uint64_t now = atomic_fetch_add(&run->executed, *pending) + *pending;

	*pending = 0;
	if (wk->reports)
		progress_report(run->progress, now, run->total_work);
}

/* One order: trace order (0), or each step a random ready unit's next instruction. */
static int
run_order(struct worker *wk, unsigned order)
{
	struct verify_run *run = wk->run;
	const struct program *pg = run->pg;
	struct machine *mc = &wk->mc;
	uint64_t i, executed = 0, head[ISA_NUNITS], pending = 0, x = order_seed(run->seed, order);
	unsigned u, ready[ISA_NUNITS], nready, d;

	if (order == 0) {
		for (i = 0; i < pg->n; i++) {
			if (execute(mc, i) != 0)
				return -1;
			if (++pending == STEP) {
				count(wk, &pending);
				if (atomic_load(&run->stop))
					return 1;
			}
		}
		count(wk, &pending);
		return 0;
	}
	memset(wk->done, 0, pg->n);
	for (u = 0; u < ISA_NUNITS; u++)
		head[u] = run->next_on_unit[u];
	while (executed < pg->n) {
		nready = 0;
		for (u = 0; u < ISA_NUNITS; u++) {
			const struct vins *in;
			if (head[u] == UINT64_MAX)
				continue;
			in = &pg->in[head[u]];
			for (d = 0; d < in->ndeps && wk->done[pg->dep[in->dep + d]]; d++)
				;
			if (d == in->ndeps)
				ready[nready++] = u;
		}
		if (nready == 0) {
			snprintf(mc->why, sizeof mc->why, "no instruction can run after %llu of %llu: "
			    "the dependencies and unit orders deadlock", (unsigned long long)executed,
			    (unsigned long long)pg->n);
			return -1;
		}
		u = ready[rng(&x) % nready];
		if (execute(mc, head[u]) != 0)
			return -1;
		wk->done[head[u]] = 1;
		head[u] = run->queue_next[head[u]];
		executed++;
		if (++pending == STEP) {
			count(wk, &pending);
			if (atomic_load(&run->stop))
				return 1;
		}
	}
	count(wk, &pending);
	return 0;
}

static void
compare(struct worker *wk, unsigned order)
{
	struct verify_run *run = wk->run;
	const struct workload *w = run->w;
	struct order_result *res = &run->res[order];
	uint64_t row, t, k = 0;
	uint32_t b, h;
	double err;

	for (b = 0; b < w->batch; b++)
		for (h = 0; h < w->heads; h++)
			for (row = 0; row < w->q_len; row++) {
				const float *o = wk->mc.mem[ISA_BUF_DRAM] + wl_o_row(w, run->lay, b, h, row) /
				    w->elem_bytes;
				for (t = 0; t < w->d_v; t++, k++) {
					err = fabs((double)o[t] - (double)run->expect[k]);
					if (isnan(o[t]))
						err = INFINITY;
					if (err > res->max_err || k == 0) {
						res->max_err = err;
						snprintf(res->where, sizeof res->where,
						    "O[b=%u,h=%u,row=%llu,col=%llu] = %g, expected %g",
						    b, h, (unsigned long long)row, (unsigned long long)t,
						    (double)o[t], (double)run->expect[k]);
					}
				}
			}
}

static void
inputs(struct machine *mc, const struct workload *w, const struct wl_layout *lay, uint64_t seed)
{
	uint64_t xs = data_seed(seed), i;
	unsigned s;

	for (s = 0; s < NSLOTS; s++)
		for (i = 0; i < mc->elems[s]; i++)
			mc->mem[s][i] = NAN;
	for (i = 0; i < lay->o / w->elem_bytes; i++)
		mc->mem[ISA_BUF_DRAM][i] = uniform(&xs);
}

static void
finished(struct verify_run *run)
{
	pthread_mutex_lock(&run->mu);
	run->finished++;
	pthread_cond_signal(&run->done);
	pthread_mutex_unlock(&run->mu);
}

static void *
worker_main(void *arg)
{
	struct worker *wk = arg;
	struct verify_run *run = wk->run;
	unsigned order;
	int rc;

	for (order = wk->index; order < run->orders; order += run->threads) {
		struct order_result *res = &run->res[order];
		if (atomic_load(&run->stop)) {
			res->rc = 1;
			continue;
		}
		inputs(&wk->mc, run->w, run->lay, run->seed);
		rc = run_order(wk, order);
		res->rc = rc;
		if (rc < 0) {
			memcpy(res->why, wk->mc.why, sizeof res->why);
			atomic_store(&run->stop, true);
		} else if (rc == 0) {
			compare(wk, order);
		}
	}
	finished(run);
	return NULL;
}

/* The expected O of the heads index, index + threads, ... */
static void *
reference_main(void *arg)
{
	struct worker *wk = arg;
	struct verify_run *run = wk->run;
	const struct workload *w = run->w;
	uint64_t heads = (uint64_t)w->batch * w->heads, head, pending;

	for (head = wk->index; head < heads; head += run->threads) {
		reference_head(&wk->rf, (uint32_t)(head / w->heads), (uint32_t)(head % w->heads),
		    run->expect + head * w->q_len * w->d_v);
		/* a head is worth its share of one order's instructions */
		pending = run->pg->n * (head + 1) / heads - run->pg->n * head / heads;
		count(wk, &pending);
	}
	finished(run);
	return NULL;
}

static int
machine_init(struct machine *mc, const struct workload *w, const struct program *pg)
{
	unsigned s;

	memset(mc, 0, sizeof *mc);
	mc->wl = w;
	mc->pg = pg;
	mc->scale = (float)(1.0 / sqrt((double)w->d_qk));
	for (s = 0; s < NSLOTS; s++) {
		mc->esize[s] = s == ISA_BUF_L0C ? ISA_ACC_BYTES : w->elem_bytes;
		mc->elems[s] = (pg->extent[s] + mc->esize[s] - 1) / mc->esize[s];
		if ((mc->mem[s] = malloc((mc->elems[s] ? mc->elems[s] : 1) * sizeof(float))) == NULL)
			return -1;
	}
	return 0;
}

static void
machine_free(struct machine *mc)
{
	unsigned s;

	for (s = 0; s < NSLOTS; s++)
		free(mc->mem[s]);
}

static unsigned
online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/*
 * Run fn on every worker, each on a thread of its own, while the calling
 * thread reports progress; a worker whose thread cannot start runs its share
 * here instead, so the outcome never depends on how many threads there were.
 */
#define PROGRESS_TICK_NS (200 * 1000 * 1000)

static void
run_threads(struct verify_run *run, struct worker *wk, unsigned nw, void *(*fn)(void *))
{
	bool *started = calloc(nw, sizeof *started);
	struct timespec until;
	unsigned i, running = 0;

	run->finished = 0;
	for (i = 0; nw > 1 && started != NULL && i < nw; i++)
		if (pthread_create(&wk[i].tid, NULL, fn, &wk[i]) == 0) {
			started[i] = true;
			running++;
		}
	for (i = 0; i < nw; i++)
		if (started == NULL || !started[i]) {
			wk[i].reports = true;
			fn(&wk[i]);
			wk[i].reports = false;
		}
	/* woken as each thread ends, and between times to report progress */
	pthread_mutex_lock(&run->mu);
	while (running > 0 && run->finished < nw) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += PROGRESS_TICK_NS;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&run->done, &run->mu, &until);
		progress_report(run->progress, atomic_load(&run->executed), run->total_work);
	}
	pthread_mutex_unlock(&run->mu);
	for (i = 0; i < nw; i++)
		if (started != NULL && started[i])
			pthread_join(wk[i].tid, NULL);
	free(started);
	/* once more at the end, so that a run too quick for a tick still reports */
	progress_report(run->progress, atomic_load(&run->executed), run->total_work);
}

/* ---- the entry points ------------------------------------------------- */

int
verify_trace(const char *path, const struct verify_opts *o, struct verify_result *res,
    struct errbuf *e)
{
	struct trace_reader *r;
	enum trace_format fmt;
	int rc;

	memset(res, 0, sizeof *res);
	if (trace_open_read(path, &r, &fmt, e) != 0)
		return -1;
	rc = verify_reader(r, path, o, res, e);
	trace_close_read(r);
	return rc;
}

/* What the header alone says verify will need, checked before reading any instruction. */
static int
check_size(struct trace_reader *rd, const char *path, const struct wl_layout *lay,
    uint64_t limit, uint64_t *total, struct errbuf *e)
{
	const struct trace_header *h = &rd->hdr;
	const struct workload *w = &h->wl;
	struct errbuf ignored;
	uint64_t floats;

	*total = 0;
	if (trace_total(rd, total, &ignored) == 0 && *total > VERIFY_MAX_INSTRS)
		return errbuf_set(e, "%s: %llu instructions, more than the %llu verify can hold "
		    "in memory; verify a smaller workload (--seq, b=, h=)", path,
		    (unsigned long long)*total, (unsigned long long)VERIFY_MAX_INSTRS);
	if (verify_reference_work(w) > limit)
		return errbuf_set(e, "%s: the workload alone (%s) takes about %.2g operations to "
		    "compute plainly, more than the limit of %.2g; verify a smaller workload "
		    "(--seq, b=, h=) or raise the limit (--max-work)", path, h->wl.name,
		    (double)verify_reference_work(w), (double)limit);
	floats = lay->end / w->elem_bytes + (uint64_t)w->batch * w->heads * w->q_len * w->d_v;
	if (floats > VERIFY_MAX_FLOATS)
		return errbuf_set(e, "%s: the workload's Q, K, V, O and the expected O take %.1f GiB "
		    "as fp32, the limit is %.1f GiB; verify a smaller workload (--seq, b=, h=)",
		    path, (double)floats * 4 / (1 << 30), (double)VERIFY_MAX_FLOATS * 4 / (1 << 30));
	return 0;
}

/* Elements of a slot's memory. */
static uint64_t
slot_floats(const struct program *pg, const struct workload *w, unsigned s)
{
	unsigned es = s == ISA_BUF_L0C ? ISA_ACC_BYTES : w->elem_bytes;

	return (pg->extent[s] + es - 1) / es;
}

/*
 * Read the program, its work and memory checked against the limits
 * before anything runs; *machine_floats is one order's memory.
 */
static int
load(struct trace_reader *rd, const char *path, const struct verify_opts *o,
    const struct wl_layout *lay, struct program *pg, uint64_t *machine_floats,
    struct errbuf *e)
{
	const struct workload *w = &rd->hdr.wl;
	uint64_t limit = o->max_work ? o->max_work : VERIFY_MAX_WORK, total = 0, work, nref;
	unsigned s, orders = o->orders ? o->orders : 1;

	if (check_size(rd, path, lay, limit, &total, e) != 0)
		return -1;
	/* the tensors' memory exists whatever the instructions touch */
	pg->extent[ISA_BUF_DRAM] = lay->end;
	if (load_program(rd, path, pg, o->progress, total, orders, e) != 0)
		return -1;
	work = verify_reference_work(w);
	num_add_sat(&work, num_mul_sat(pg->work, orders));
	if (work > limit)
		return errbuf_set(e, "%s: verifying takes about %.2g operations (%u order%s of %.2g "
		    "and the plain attention), more than the limit of %.2g; verify a smaller "
		    "workload (--seq, b=, h=), run fewer --orders or raise the limit (--max-work)",
		    path, (double)work, orders, orders == 1 ? "" : "s", (double)pg->work,
		    (double)limit);
	if (compact_sparse(pg, lay->end, w->elem_bytes) != 0)
		return errbuf_set(e, "%s: out of memory", path);
	for (*machine_floats = 0, s = 0; s < NSLOTS; s++)
		*machine_floats += slot_floats(pg, w, s);
	nref = (uint64_t)w->batch * w->heads * w->q_len * w->d_v;
	if (*machine_floats + nref > VERIFY_MAX_FLOATS)
		return errbuf_set(e, "%s: verifying needs %.1f GiB of fp32 memory, the limit is %.1f "
		    "GiB; verify a smaller workload (--seq, b=, h=)", path,
		    (double)(*machine_floats + nref) * 4 / (1 << 30),
		    (double)VERIFY_MAX_FLOATS * 4 / (1 << 30));
	return 0;
}

/* Each unit's program order: its first instruction and, for each, the next on its unit. */
static void
unit_queues(struct verify_run *run, const struct program *pg)
{
	uint64_t i, last[ISA_NUNITS];
	unsigned u;

	for (u = 0; u < ISA_NUNITS; u++)
		run->next_on_unit[u] = last[u] = UINT64_MAX;
	for (i = 0; i < pg->n; i++) {
		u = pg->in[i].unit;
		run->queue_next[i] = UINT64_MAX;
		if (last[u] == UINT64_MAX)
			run->next_on_unit[u] = i;
		else
			run->queue_next[last[u]] = i;
		last[u] = i;
	}
}

/* A worker's machine, its memory for the reference and its done flags; -1 when memory ran out. */
static int
worker_init(struct worker *wk, struct verify_run *run, unsigned index, uint64_t ref_rows)
{
	const struct workload *w = run->w;
	struct reference *rf = &wk->rf;

	wk->run = run;
	wk->index = index;
	rf->rows = ref_rows;
	rf->w = w;
	rf->lay = run->lay;
	rf->q = malloc((size_t)ref_rows * w->d_qk * sizeof *rf->q);
	rf->k = malloc((size_t)w->k_len * w->d_qk * sizeof *rf->k);
	rf->v = malloc((size_t)w->k_len * w->d_v * sizeof *rf->v);
	rf->s = malloc((size_t)ref_rows * w->k_len * sizeof *rf->s);
	rf->o = malloc((size_t)ref_rows * w->d_v * sizeof *rf->o);
	if (machine_init(&wk->mc, w, run->pg) != 0 ||
	    (wk->done = malloc(run->pg->n ? run->pg->n : 1)) == NULL ||
	    !rf->q || !rf->k || !rf->v || !rf->s || !rf->o)
		return -1;
	return 0;
}

static void
worker_free(struct worker *wk)
{
	machine_free(&wk->mc);
	free(wk->done);
	free(wk->rf.q);
	free(wk->rf.k);
	free(wk->rf.v);
	free(wk->rf.s);
	free(wk->rf.o);
}

/* Threads: as asked, at most one per order, and as many machines as 2 GiB hold. */
static unsigned
thread_count(const struct verify_opts *o, unsigned orders, uint64_t machine_floats)
{
	unsigned n = o->threads ? o->threads : online_cpus();

	if (n > orders)
		n = orders;
	if (n > 1 && machine_floats * n > (VERIFY_MAX_FLOATS << 1)) {
		n = (unsigned)((VERIFY_MAX_FLOATS << 1) / machine_floats);
		n = n ? n : 1;
	}
	return n;
}

/* The outcome of every order, in order, so that it does not depend on the threads. */
static int
outcome(const struct verify_run *run, const char *path, struct verify_result *res,
    struct errbuf *e)
{
	unsigned order;

	for (order = 0; order < run->orders; order++)
		if (run->res[order].rc < 0)
			return errbuf_set(e, "%s: %s", path, run->res[order].why);
	for (order = 0; order < run->orders; order++)
		if (run->res[order].max_err > res->max_err || order == 0) {
			res->max_err = run->res[order].max_err;
			res->worst_order = order;
			memcpy(res->where, run->res[order].where, sizeof res->where);
		}
	return 0;
}

int
verify_reader(struct trace_reader *rd, const char *path, const struct verify_opts *o,
    struct verify_result *res, struct errbuf *e)
{
	struct verify_run run;
	struct program pg = { 0 };
	struct worker *wk = NULL;
	struct wl_layout lay;
	const struct workload *w = &rd->hdr.wl;
	uint64_t machine_floats = 0, ref_rows;
	float *expect = NULL;
	unsigned nw = 0, u;
	int rc = -1;

	memset(res, 0, sizeof *res);
	memset(&run, 0, sizeof run);
	pthread_mutex_init(&run.mu, NULL);
	pthread_cond_init(&run.done, NULL);
	wl_layout(w, &lay);
	if (load(rd, path, o, &lay, &pg, &machine_floats, e) != 0)
		goto out;
	run.w = w;
	run.lay = &lay;
	run.pg = &pg;
	run.seed = o->seed;
	run.orders = o->orders ? o->orders : 1;
	run.progress = o->progress;
	/* loading and the reference are each about one order's worth of work */
	run.total_work = pg.n * (uint64_t)(run.orders + 2);
	atomic_store(&run.executed, pg.n);
	run.threads = thread_count(o, run.orders, machine_floats);
	run.next_on_unit = malloc(ISA_NUNITS * sizeof *run.next_on_unit);
	run.queue_next = malloc((pg.n ? pg.n : 1) * sizeof *run.queue_next);
	run.res = calloc(run.orders, sizeof *run.res);
	expect = malloc(((uint64_t)w->batch * w->heads * w->q_len * w->d_v + 1) * sizeof *expect);
	wk = calloc(run.threads, sizeof *wk);
	if (!run.next_on_unit || !run.queue_next || !run.res || !expect || !wk)
		goto oom;
	ref_rows = REF_SCORES / w->k_len;
	ref_rows = ref_rows < 1 ? 1 : ref_rows > REF_ROWS ? REF_ROWS : ref_rows;
	for (nw = 0; nw < run.threads; nw++)
		if (worker_init(&wk[nw], &run, nw, ref_rows) != 0) {
			nw++;
			goto oom;
		}
	unit_queues(&run, &pg);
	/*
	 * The expected O, from the inputs before any order runs (a trace may
	 * write over Q, K or V), once rather than once per order.
	 */
	inputs(&wk[0].mc, w, &lay, o->seed);
	for (u = 0; u < nw; u++)
		wk[u].rf.dram = wk[0].mc.mem[ISA_BUF_DRAM];
	run.expect = expect;
	run_threads(&run, wk, nw, reference_main);
	atomic_store(&run.executed, 2 * pg.n);
	res->instructions = pg.n;
	res->orders = run.orders;
	res->threads = run.threads;
	run_threads(&run, wk, nw, worker_main);
	rc = outcome(&run, path, res, e);
	goto out;
oom:
	errbuf_set(e, "%s: out of memory", path);
out:
	for (u = 0; u < nw; u++)
		worker_free(&wk[u]);
	free(wk);
	free(pg.in);
	free(pg.reg);
	free(pg.dep);
	free(run.next_on_unit);
	free(run.queue_next);
	free(run.res);
	free(expect);
	pthread_mutex_destroy(&run.mu);
	pthread_cond_destroy(&run.done);
	return rc;
}
