/* verify: functional execution of traces against a reference attention. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace-file.h"
#include "verify.h"

struct machine {
	const struct workload *wl;
	float *mem[ISA_NBUFS];
	uint64_t elems[ISA_NBUFS];	/* floats in each buffer */
	unsigned esize[ISA_NBUFS];	/* bytes per element */
	float scale;
	char *why;
	size_t why_len;
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

/* Elements of a region, checked against the buffer and the element size. */
static float *
elems(struct machine *mc, const struct isa_region *r, uint64_t want, const char *what,
    const struct isa_instr *in)
{
	unsigned es = mc->esize[r->buf];

	if (r->addr % es || r->size % es) {
		snprintf(mc->why, mc->why_len, "instruction %llu: %s region %s:%llu+%llu is not "
		    "made of whole %u-byte elements", (unsigned long long)in->id, what,
		    isa_buf_name(r->buf), (unsigned long long)r->addr, (unsigned long long)r->size,
		    es);
		return NULL;
	}
	if (want != 0 && r->size / es != want) {
		snprintf(mc->why, mc->why_len, "instruction %llu (%s): %s region holds %llu "
		    "elements, expected %llu for its shape", (unsigned long long)in->id,
		    isa_op_name(in->op), what, (unsigned long long)(r->size / es),
		    (unsigned long long)want);
		return NULL;
	}
	return mc->mem[r->buf] + r->addr / es;
}

static bool
masked(const struct machine *mc, const struct isa_instr *in, uint64_t i, uint64_t j)
{
	return (in->flags & ISA_F_MASK) && wl_masked(mc->wl, (uint64_t)in->rb + i,
	    (uint64_t)in->cb + j);
}

static int
need(struct machine *mc, const struct isa_instr *in, unsigned nsrc, unsigned ndst)
{
	if (in->nsrc < nsrc || in->ndst < ndst) {
		snprintf(mc->why, mc->why_len, "instruction %llu (%s): %u sources and %u "
		    "destinations, expected %u and %u", (unsigned long long)in->id,
		    isa_op_name(in->op), in->nsrc, in->ndst, nsrc, ndst);
		return -1;
	}
	return 0;
}

static void
poison(struct machine *mc, const struct isa_region *r)
{
	float *p = mc->mem[r->buf] + r->addr / mc->esize[r->buf];
	uint64_t n = r->size / mc->esize[r->buf], i;

	for (i = 0; i < n; i++)
		p[i] = NAN;
}

static int
execute(struct machine *mc, const struct isa_instr *in)
{
	uint64_t m = in->m, n = in->n, k = in->k, i, j, t, cnt;
	float *a, *b = NULL, *c, *d;
	double acc;

	switch (in->op) {
	case ISA_OP_LOAD: case ISA_OP_STORE: case ISA_OP_SPILL: case ISA_OP_FILL:
	case ISA_OP_MOVE:
		if (need(mc, in, 1, 1))
			return -1;
		cnt = in->src[0].size / mc->esize[in->src[0].buf];
		if ((a = elems(mc, &in->src[0], 0, "source", in)) == NULL ||
		    (c = elems(mc, &in->dst[0], cnt, "destination", in)) == NULL)
			return -1;
		memmove(c, a, cnt * sizeof *c);
		return 0;
	case ISA_OP_MATMUL:
		if (need(mc, in, 2, 1) || (a = elems(mc, &in->src[0], m * k, "A", in)) == NULL ||
		    (b = elems(mc, &in->src[1], k * n, "B", in)) == NULL ||
		    (c = elems(mc, &in->dst[0], m * n, "C", in)) == NULL)
			return -1;
		for (i = 0; i < m; i++)
			for (j = 0; j < n; j++) {
				acc = (in->flags & ISA_F_ACC) ? c[i * n + j] : 0.0;
				for (t = 0; t < k; t++)
					acc += (double)a[i * k + t] * ((in->flags & ISA_F_TRANSB) ?
					    b[j * k + t] : b[t * n + j]);
				c[i * n + j] = (float)acc;
			}
		return 0;
	case ISA_OP_VMAX:
		if (need(mc, in, 1, 1) || (a = elems(mc, &in->src[0], m * n, "scores", in)) == NULL ||
		    (in->nsrc > 1 && (b = elems(mc, &in->src[1], m, "running max", in)) == NULL) ||
		    (c = elems(mc, &in->dst[0], m, "max", in)) == NULL)
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
		if (need(mc, in, 2, 1) || (a = elems(mc, &in->src[0], m * n, "scores", in)) == NULL ||
		    (b = elems(mc, &in->src[1], m, "max", in)) == NULL ||
		    (c = elems(mc, &in->dst[0], m * n, "probabilities", in)) == NULL)
			return -1;
		for (i = 0; i < m; i++)
			for (j = 0; j < n; j++)
				c[i * n + j] = masked(mc, in, i, j) ? 0.0f :
				    expf(mc->scale * (a[i * n + j] - b[i]));
		return 0;
	case ISA_OP_VSUM:
		if (need(mc, in, 1, 1) || (a = elems(mc, &in->src[0], m * n, "values", in)) == NULL ||
		    (in->nsrc > 1 && (b = elems(mc, &in->src[1], m, "running sum", in)) == NULL) ||
		    (c = elems(mc, &in->dst[0], m, "sum", in)) == NULL)
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
		if (need(mc, in, 2, 1) || (a = elems(mc, &in->src[0], m * n, "values", in)) == NULL ||
		    (b = elems(mc, &in->src[1], m, "row factors", in)) == NULL ||
		    (c = elems(mc, &in->dst[0], m * n, "result", in)) == NULL)
			return -1;
		for (i = 0; i < m; i++)
			for (j = 0; j < n; j++)
				c[i * n + j] = in->op == ISA_OP_VDIV ? a[i * n + j] / b[i] :
				    a[i * n + j] * b[i];
		return 0;
	case ISA_OP_VRESCALE:
		if (need(mc, in, 3, 1) || (a = elems(mc, &in->src[0], m * n, "values", in)) == NULL ||
		    (b = elems(mc, &in->src[1], m, "old max", in)) == NULL ||
		    (d = elems(mc, &in->src[2], m, "new max", in)) == NULL ||
		    (c = elems(mc, &in->dst[0], m * n, "result", in)) == NULL)
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
		/* what was there is dead: anyone who still reads it gets NaN */
		for (i = 0; i < in->ndst; i++)
			if (elems(mc, &in->dst[i], 0, "destination", in) != NULL)
				poison(mc, &in->dst[i]);
			else
				return -1;
		return 0;
	case ISA_OP_FREE:
		for (i = 0; i < in->nsrc; i++)
			if (elems(mc, &in->src[i], 0, "source", in) != NULL)
				poison(mc, &in->src[i]);
			else
				return -1;
		return 0;
	default:
		return 0;
	}
}

/* Plain attention in double precision, for one output element row. */
static void
reference_row(const struct workload *w, const struct wl_layout *l, const float *dram,
    uint32_t b, uint32_t h, uint64_t row, double *out, double *p)
{
	uint64_t es = w->elem_bytes, j, t;
	const float *q = dram + wl_q_row(w, l, b, h, row) / es;
	const float *k = dram + wl_k_row(w, l, b, h, 0) / es;
	const float *v = dram + wl_v_row(w, l, b, h, 0) / es;
	double mx = -INFINITY, sum = 0, s, scale = 1.0 / sqrt((double)w->d_qk);

	for (j = 0; j < w->k_len; j++) {
		if (wl_masked(w, row, j)) {
			p[j] = -INFINITY;
			continue;
		}
		for (s = 0, t = 0; t < w->d_qk; t++)
			s += (double)q[t] * k[j * w->d_qk + t];
		p[j] = s * scale;
		if (p[j] > mx)
			mx = p[j];
	}
	for (j = 0; j < w->k_len; j++) {
		p[j] = p[j] == -INFINITY ? 0 : exp(p[j] - mx);
		sum += p[j];
	}
	for (t = 0; t < w->d_v; t++)
		out[t] = 0;
	for (j = 0; j < w->k_len; j++)
		for (t = 0; t < w->d_v; t++)
			out[t] += p[j] / sum * v[j * w->d_v + t];
}

struct program {
	struct isa_instr *in;
	uint64_t n, cap;
};

static int
load_program(struct trace_reader *r, const char *path, struct program *pg, struct errbuf *e)
{
	const struct isa_instr *in;
	struct isa_instr *grown;
	int rc;

	while ((rc = trace_next(r, &in, e)) == 1) {
		if (pg->n == VERIFY_MAX_INSTRS)
			return errbuf_set(e, "%s: more than %llu instructions, too many to verify in "
			    "memory; verify a smaller workload (--seq, b=, h=)", path,
			    (unsigned long long)VERIFY_MAX_INSTRS);
		if (pg->n == pg->cap) {
			size_t cap = pg->cap ? pg->cap * 2 : 4096;
			grown = realloc(pg->in, cap * sizeof *grown);
			if (grown == NULL)
				return errbuf_set(e, "%s: out of memory", path);
			pg->in = grown;
			pg->cap = cap;
		}
		pg->in[pg->n++] = *in;
	}
	return rc;
}

/* The next instruction to run: trace order, or a random ready unit head. */
static int
run_order(struct machine *mc, const struct program *pg, unsigned order, uint64_t *rs,
    uint64_t *next_on_unit, uint64_t *queue_next, uint8_t *done, struct errbuf *e,
    const char *path)
{
	uint64_t i, executed = 0, head[ISA_NUNITS];
	unsigned u, ready[ISA_NUNITS], nready, d;

	if (order == 0) {
		for (i = 0; i < pg->n; i++)
			if (execute(mc, &pg->in[i]) != 0)
				return errbuf_set(e, "%s: %s", path, mc->why);
		return 0;
	}
	memset(done, 0, pg->n);
	for (u = 0; u < ISA_NUNITS; u++)
		head[u] = next_on_unit[u];
	while (executed < pg->n) {
		nready = 0;
		for (u = 0; u < ISA_NUNITS; u++) {
			const struct isa_instr *in;
			if (head[u] == UINT64_MAX)
				continue;
			in = &pg->in[head[u]];
			for (d = 0; d < in->ndeps && done[in->deps[d]]; d++)
				;
			if (d == in->ndeps)
				ready[nready++] = u;
		}
		if (nready == 0)
			return errbuf_set(e, "%s: no instruction can run after %llu of %llu: the "
			    "dependencies and unit orders deadlock", path,
			    (unsigned long long)executed, (unsigned long long)pg->n);
		u = ready[rng(rs) % nready];
		if (execute(mc, &pg->in[head[u]]) != 0)
			return errbuf_set(e, "%s: %s", path, mc->why);
		done[head[u]] = 1;
		head[u] = queue_next[head[u]];
		executed++;
	}
	return 0;
}

int
verify_trace(const char *path, uint64_t seed, unsigned orders, struct verify_result *res,
    struct errbuf *e)
{
	struct trace_reader *r;
	enum trace_format fmt;
	int rc;

	memset(res, 0, sizeof *res);
	if (trace_open_read(path, &r, &fmt, e) != 0)
		return -1;
	rc = verify_reader(r, path, seed, orders, res, e);
	trace_close_read(r);
	return rc;
}

int
verify_reader(struct trace_reader *rd, const char *path, uint64_t seed, unsigned orders,
    struct verify_result *res, struct errbuf *e)
{
	struct program pg = { 0 };
	struct trace_header hdr;
	struct machine mc;
	struct wl_layout lay;
	const struct workload *w;
	uint64_t extent[ISA_NBUFS] = { 0 }, total = 0, i, x, row, t, last[ISA_NUNITS], nref;
	float *expect = NULL;
	uint64_t *next_on_unit = NULL, *queue_next = NULL;
	uint8_t *done = NULL;
	double *ref = NULL, *p = NULL, err;
	char why[ERRBUF_SIZE - 64];
	unsigned bufi, order, r;
	uint32_t b, h;
	int rc = -1;

	memset(res, 0, sizeof *res);
	memset(&mc, 0, sizeof mc);
	hdr = rd->hdr;
	if (load_program(rd, path, &pg, e) != 0)
		goto out;
	w = &hdr.wl;
	mc.wl = w;
	mc.why = why;
	mc.why_len = sizeof why;
	mc.scale = (float)(1.0 / sqrt((double)w->d_qk));
	wl_layout(w, &lay);
	for (bufi = 0; bufi < ISA_NBUFS; bufi++)
		mc.esize[bufi] = bufi == ISA_BUF_L0C ? 4 : w->elem_bytes;
	extent[ISA_BUF_DRAM] = lay.end;
	for (i = 0; i < pg.n; i++) {
		for (r = 0; r < pg.in[i].nsrc; r++)
			if (pg.in[i].src[r].addr + pg.in[i].src[r].size > extent[pg.in[i].src[r].buf])
				extent[pg.in[i].src[r].buf] = pg.in[i].src[r].addr + pg.in[i].src[r].size;
		for (r = 0; r < pg.in[i].ndst; r++)
			if (pg.in[i].dst[r].addr + pg.in[i].dst[r].size > extent[pg.in[i].dst[r].buf])
				extent[pg.in[i].dst[r].buf] = pg.in[i].dst[r].addr + pg.in[i].dst[r].size;
	}
	for (bufi = 0; bufi < ISA_NBUFS; bufi++) {
		mc.elems[bufi] = (extent[bufi] + mc.esize[bufi] - 1) / mc.esize[bufi];
		total += mc.elems[bufi];
	}
	/* the expected O, computed once from the inputs before any order runs */
	nref = (uint64_t)w->batch * w->heads * w->q_len * w->d_v;
	total += nref;
	if (total > VERIFY_MAX_FLOATS) {
		errbuf_set(e, "%s: verifying needs %.1f GiB of fp32 memory, the limit is %.1f GiB; "
		    "verify a smaller workload (--seq, b=, h=)", path, (double)total * 4 / (1 << 30),
		    (double)VERIFY_MAX_FLOATS * 4 / (1 << 30));
		goto out;
	}
	for (bufi = 0; bufi < ISA_NBUFS; bufi++)
		if ((mc.mem[bufi] = malloc((mc.elems[bufi] ? mc.elems[bufi] : 1) * sizeof(float))) == NULL) {
			errbuf_set(e, "%s: out of memory", path);
			goto out;
		}
	/* each unit's instructions, in program order */
	next_on_unit = malloc(ISA_NUNITS * sizeof *next_on_unit);
	queue_next = malloc((pg.n ? pg.n : 1) * sizeof *queue_next);
	done = malloc(pg.n ? pg.n : 1);
	ref = malloc((w->d_v + 1) * sizeof *ref);
	p = malloc(w->k_len * sizeof *p);
	expect = malloc((nref ? nref : 1) * sizeof *expect);
	if (!next_on_unit || !queue_next || !done || !ref || !p || !expect) {
		errbuf_set(e, "%s: out of memory", path);
		goto out;
	}
	for (r = 0; r < ISA_NUNITS; r++)
		next_on_unit[r] = last[r] = UINT64_MAX;
	for (i = 0; i < pg.n; i++) {
		unsigned u = pg.in[i].unit;
		queue_next[i] = UINT64_MAX;
		if (last[u] == UINT64_MAX)
			next_on_unit[u] = i;
		else
			queue_next[last[u]] = i;
		last[u] = i;
	}
	x = seed * 0x9E3779B97F4A7C15ull + 1;
	res->instructions = pg.n;
	res->orders = orders;
	/*
	 * Q, K and V are the same every order; the reference reads them before
	 * a trace can write over them, and once rather than once per order.
	 */
	{
		uint64_t xs = seed * 0x9E3779B97F4A7C15ull + 1, k = 0;
		for (i = 0; i < lay.o / w->elem_bytes; i++)
			mc.mem[ISA_BUF_DRAM][i] = uniform(&xs);
		for (b = 0; b < w->batch; b++)
			for (h = 0; h < w->heads; h++)
				for (row = 0; row < w->q_len; row++) {
					reference_row(w, &lay, mc.mem[ISA_BUF_DRAM], b, h, row, ref, p);
					for (t = 0; t < w->d_v; t++)
						expect[k++] = (float)ref[t];
				}
	}
	for (order = 0; order < orders; order++) {
		uint64_t xs = seed * 0x9E3779B97F4A7C15ull + 1, k = 0;
		for (bufi = 0; bufi < ISA_NBUFS; bufi++)
			for (i = 0; i < mc.elems[bufi]; i++)
				mc.mem[bufi][i] = NAN;
		for (i = 0; i < lay.o / w->elem_bytes; i++)
			mc.mem[ISA_BUF_DRAM][i] = uniform(&xs);
		if (run_order(&mc, &pg, order, &x, next_on_unit, queue_next, done, e, path) != 0)
			goto out;
		for (b = 0; b < w->batch; b++)
			for (h = 0; h < w->heads; h++)
				for (row = 0; row < w->q_len; row++) {
					const float *o = mc.mem[ISA_BUF_DRAM] + wl_o_row(w, &lay, b, h, row) /
					    w->elem_bytes;
					for (t = 0; t < w->d_v; t++, k++) {
						err = fabs((double)o[t] - (double)expect[k]);
						if (isnan(o[t]))
							err = INFINITY;
						if (err > res->max_err || (order == 0 && k == 0)) {
							res->max_err = err;
							res->worst_order = order;
							snprintf(res->where, sizeof res->where,
							    "O[b=%u,h=%u,row=%llu,col=%llu] = %g, expected %g",
							    b, h, (unsigned long long)row, (unsigned long long)t,
							    (double)o[t], (double)expect[k]);
						}
					}
				}
	}
	rc = 0;
out:
	for (bufi = 0; bufi < ISA_NBUFS; bufi++)
		free(mc.mem[bufi]);
	free(pg.in);
	free(next_on_unit);
	free(queue_next);
	free(done);
	free(ref);
	free(expect);
	free(p);
	return rc;
}
