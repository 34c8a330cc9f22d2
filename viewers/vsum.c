/* vsum: a replayed trace summarised once, so that drawing costs the screen's width, not the trace's length. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "overlap.h"
#include "residency.h"
#include "trace-file.h"
#include "vsum.h"

/*
 * An accumulator of a piecewise-constant quantity (busy units, resident
 * bytes, a transfer rate) integrated per bucket, fed changes in any order:
 * a change of `delta` at cycle c in bucket b adds delta to step[b] and
 * delta * (end of b - c) to part[b], so that bucket b's integral is
 * part[b] + w * (the steps of the buckets before it).  When a change falls
 * beyond the last bucket, pairs of buckets merge and w doubles; the
 * integrals stay exact.
 */
struct acc {
	double *part, *step;
};

struct vsum_work {
	struct acc cls[ISA_NUNITS][VSUM_NCLASSES];
	struct acc l1, dram, both;
	struct acc marks[VSUM_NMARKS];	/* counts in part[]; their steps stay 0 */
	int lane_of[ISA_NUNITS];	/* -1 until the unit shows up */
	struct residency res;
	struct overlap ov;
	bool oom;
};

enum vsum_class
vsum_class_of(unsigned op)
{
	switch (op) {
	case ISA_OP_LOAD: return VSUM_LOAD;
	case ISA_OP_STORE: return VSUM_STORE;
	case ISA_OP_SPILL: case ISA_OP_FILL: return VSUM_SPILL;
	case ISA_OP_MOVE: return VSUM_MOVE;
	case ISA_OP_MATMUL: return VSUM_MATMUL;
	case ISA_OP_VEXP: return VSUM_EXP;
	default: return VSUM_VEC;
	}
}

const char *
vsum_class_name(enum vsum_class c)
{
	static const char *const names[VSUM_NCLASSES] = {
		"load", "store", "spill/fill", "move", "matmul", "exp", "vector",
	};
	return c < VSUM_NCLASSES ? names[c] : "idle";
}

char
vsum_class_letter(enum vsum_class c)
{
	static const char letters[VSUM_NCLASSES] = { 'L', 'S', '!', 'M', 'X', 'E', 'V' };

	return c < VSUM_NCLASSES ? letters[c] : ' ';
}

/* ---- accumulators ------------------------------------------------------- */

static int
acc_alloc(struct acc *a)
{
	if (a->part != NULL)
		return 0;
	a->part = calloc(VSUM_BUCKETS, sizeof *a->part);
	a->step = calloc(VSUM_BUCKETS, sizeof *a->step);
	return a->part != NULL && a->step != NULL ? 0 : -1;
}

static void
acc_free(struct acc *a)
{
	free(a->part);
	free(a->step);
	a->part = a->step = NULL;
}

static void
acc_merge(struct acc *a, uint64_t w)
{
	unsigned j;

	if (a->part == NULL)
		return;
	for (j = 0; j < VSUM_BUCKETS / 2; j++) {
		double p = a->part[2 * j] + (double)w * a->step[2 * j] + a->part[2 * j + 1];
		double st = a->step[2 * j] + a->step[2 * j + 1];
		a->part[j] = p;
		a->step[j] = st;
	}
	memset(a->part + VSUM_BUCKETS / 2, 0, VSUM_BUCKETS / 2 * sizeof *a->part);
	memset(a->step + VSUM_BUCKETS / 2, 0, VSUM_BUCKETS / 2 * sizeof *a->step);
}

/* Every accumulator at twice the width. */
static void
widen(struct vsum *s)
{
	struct vsum_work *k = s->work;
	unsigned u, c;

	for (u = 0; u < ISA_NUNITS; u++)
		for (c = 0; c < VSUM_NCLASSES; c++)
			acc_merge(&k->cls[u][c], s->w);
	acc_merge(&k->l1, s->w);
	acc_merge(&k->dram, s->w);
	acc_merge(&k->both, s->w);
	acc_merge(&k->marks[0], s->w);
	acc_merge(&k->marks[1], s->w);
	s->w *= 2;
}

static void
change(struct vsum *s, struct acc *a, uint64_t cycle, double delta)
{
	uint64_t b;

	while (cycle / s->w >= VSUM_BUCKETS)
		widen(s);
	b = cycle / s->w;
	a->step[b] += delta;
	a->part[b] += delta * (double)((b + 1) * s->w - cycle);
}

/* An event at `cycle`: counted in its bucket. */
static void
mark(struct vsum *s, struct acc *a, uint64_t cycle)
{
	while (cycle / s->w >= VSUM_BUCKETS)
		widen(s);
	a->part[cycle / s->w] += 1;
}

/* Bucket integrals, in part[] (the prefix of the steps folded in). */
static void
acc_settle(struct acc *a, uint64_t w, unsigned n)
{
	double level = 0;
	unsigned b;

	if (a->part == NULL)
		return;
	for (b = 0; b < n; b++) {
		a->part[b] += level * (double)w;
		level += a->step[b];
	}
	free(a->step);
	a->step = NULL;
}

/* ---- building ----------------------------------------------------------- */

static void vsum_free_work(struct vsum *s);
static void order_lanes(struct vsum *s);

static void
on_l1(void *ctx, uint64_t cycle, int64_t delta)
{
	struct vsum *s = ctx;

	change(s, &s->work->l1, cycle, (double)delta);
}

static void
on_both(void *ctx, uint64_t lo, uint64_t hi)
{
	struct vsum *s = ctx;

	change(s, &s->work->both, lo, 1);
	change(s, &s->work->both, hi, -1);
}

static int
lane_for(struct vsum *s, unsigned unit)
{
	struct vsum_work *k = s->work;

	if (k->lane_of[unit] < 0) {
		k->lane_of[unit] = (int)s->nlanes;
		s->lane[s->nlanes].unit = unit;
		s->nlanes++;
	}
	return k->lane_of[unit];
}

static void
take(struct vsum *s, const struct isa_instr *in)
{
	struct vsum_work *k = s->work;
	uint64_t t0 = s->replayed ? in->rep_start : in->plan_start;
	uint64_t t1 = s->replayed ? in->rep_end : in->plan_end;
	const struct residency_cb cb = { s, on_l1, NULL };
	enum vsum_class c = vsum_class_of(in->op);
	struct acc *a;

	s->instructions++;
	if (t1 > s->span)
		s->span = t1;
	residency_apply(&k->res, in, t0, t1, &cb);
	if (in->op == ISA_OP_SPILL)
		s->spills++;
	if (in->op == ISA_OP_FILL)
		s->fills++;
	if (in->op == ISA_OP_BARRIER)
		s->barriers++;
	if (in->op == ISA_OP_SPILL || in->op == ISA_OP_FILL || in->op == ISA_OP_BARRIER)
		mark(s, &k->marks[in->op == ISA_OP_BARRIER ? VSUM_MARK_BARRIER : VSUM_MARK_SPILL],
		    t0);
	if (t1 <= t0 || in->op == ISA_OP_BARRIER || in->op == ISA_OP_ALLOC ||
	    in->op == ISA_OP_FREE || in->op == ISA_OP_OVERWRITE)
		return;
	lane_for(s, in->unit);
	a = &k->cls[in->unit][c];
	if (acc_alloc(a) != 0) {
		k->oom = true;
		return;
	}
	s->lane[k->lane_of[in->unit]].instructions++;
	s->lane[k->lane_of[in->unit]].busy += t1 - t0;
	change(s, a, t0, 1);
	change(s, a, t1, -1);
	if (isa_op_is_transfer(in->op) && in->bytes > 0) {
		/* as the exporter: data moves after the latency, at the rate that fits the rest */
		uint64_t moving = t0 + cost_dram_latency(&s->h.npu);
		if (moving < t1) {
			double rate = (double)in->bytes / (double)(t1 - moving);
			change(s, &k->dram, moving, rate);
			change(s, &k->dram, t1, -rate);
		}
	}
	if (in->unit == ISA_UNIT_MAC || in->unit == ISA_UNIT_VEC)
		overlap_add(&k->ov, in->unit == ISA_UNIT_VEC, t0, t1);
}

/* Lanes in the order of the units: mac, vec, mte, dma0, dma1 ... */
static void
order_lanes(struct vsum *s)
{
	struct vsum_lane tmp;
	unsigned i, j;

	for (i = 1; i < s->nlanes; i++)
		for (j = i; j > 0 && s->lane[j - 1].unit > s->lane[j].unit; j--) {
			tmp = s->lane[j - 1];
			s->lane[j - 1] = s->lane[j];
			s->lane[j] = tmp;
		}
}

int
vsum_begin(struct vsum *s, const struct trace_header *h, struct errbuf *e)
{
	struct vsum_work *k;

	memset(s, 0, sizeof *s);
	s->w = 1;
	s->h = *h;
	s->l1_capacity = s->h.npu.l1.capacity_bytes;
	if ((k = s->work = calloc(1, sizeof *k)) == NULL)
		return errbuf_set(e, "out of memory");
	memset(k->lane_of, 0xff, sizeof k->lane_of);
	residency_init(&k->res);
	overlap_init(&k->ov);
	k->ov.piece = on_both;
	k->ov.ctx = s;
	if (acc_alloc(&k->l1) != 0 || acc_alloc(&k->dram) != 0 || acc_alloc(&k->both) != 0 ||
	    acc_alloc(&k->marks[0]) != 0 || acc_alloc(&k->marks[1]) != 0)
		return errbuf_set(e, "out of memory");
	return 0;
}

int
vsum_add(struct vsum *s, const struct isa_instr *in, struct errbuf *e)
{
	if (s->instructions == 0)
		s->replayed = in->replayed;
	take(s, in);
	return s->work->oom ? errbuf_set(e, "out of memory") : 0;
}

/* Settled copies of a's buckets [0, n) into *out (a copy of a finished one as is). */
static int
settled(const struct acc *a, uint64_t w, unsigned n, double **out)
{
	double level = 0;
	unsigned b;

	*out = NULL;
	if (a->part == NULL)
		return 0;
	if ((*out = malloc(VSUM_BUCKETS * sizeof **out)) == NULL)
		return -1;
	memcpy(*out, a->part, VSUM_BUCKETS * sizeof **out);
	for (b = 0; a->step != NULL && b < n; b++) {
		(*out)[b] += level * (double)w;
		level += a->step[b];
	}
	return 0;
}

int
vsum_snapshot(const struct vsum *s, struct vsum *out, struct errbuf *e)
{
	const struct vsum_work *k = s->work;
	unsigned u, c;
	int rc = 0;

	*out = *s;
	out->work = NULL;
	out->n = (unsigned)(s->span / s->w) + 1;
	if (out->n > VSUM_BUCKETS)
		out->n = VSUM_BUCKETS;
	out->l1 = out->dram = out->both = NULL;
	out->marks[0] = out->marks[1] = NULL;
	for (u = 0; u < out->nlanes; u++)
		for (c = 0; c < VSUM_NCLASSES; c++)
			out->lane[u].cls[c] = NULL;
	if (k == NULL) {	/* finished: its arrays are settled */
		const struct acc l1 = { s->l1, NULL }, dram = { s->dram, NULL }, both = { s->both, NULL };
		rc |= settled(&l1, s->w, out->n, &out->l1);
		rc |= settled(&dram, s->w, out->n, &out->dram);
		rc |= settled(&both, s->w, out->n, &out->both);
		for (c = 0; c < VSUM_NMARKS; c++) {
			const struct acc m = { s->marks[c], NULL };
			rc |= settled(&m, s->w, out->n, &out->marks[c]);
		}
		for (u = 0; u < s->nlanes; u++)
			for (c = 0; c < VSUM_NCLASSES; c++) {
				const struct acc a = { s->lane[u].cls[c], NULL };
				rc |= settled(&a, s->w, out->n, &out->lane[u].cls[c]);
			}
	} else {
		rc |= settled(&k->l1, s->w, out->n, &out->l1);
		rc |= settled(&k->dram, s->w, out->n, &out->dram);
		rc |= settled(&k->both, s->w, out->n, &out->both);
		for (c = 0; c < VSUM_NMARKS; c++)
			rc |= settled(&k->marks[c], s->w, out->n, &out->marks[c]);
		for (u = 0; u < s->nlanes; u++)
			for (c = 0; c < VSUM_NCLASSES; c++)
				rc |= settled(&k->cls[s->lane[u].unit][c], s->w, out->n,
				    &out->lane[u].cls[c]);
		out->overlap_known = k->ov.failed == 0;
		order_lanes(out);
	}
	if (rc != 0) {
		vsum_free(out);
		return errbuf_set(e, "out of memory");
	}
	return 0;
}

int
vsum_end(struct vsum *s, struct errbuf *e)
{
	struct vsum_work *k = s->work;
	uint64_t both;
	unsigned u, c;

	residency_finish(&k->res, s->span, &(const struct residency_cb){ s, on_l1, NULL });
	/* a hand-written trace may run one unit's instructions at once: no overlap then */
	s->overlap_known = overlap_finish(&k->ov, &both) == 0;
	if (k->ov.failed == OVERLAP_OOM)
		return errbuf_set(e, "out of memory");
	/* buckets up to the span */
	while (s->span / s->w >= VSUM_BUCKETS)
		widen(s);
	s->n = (unsigned)(s->span / s->w) + 1;
	for (u = 0; u < ISA_NUNITS; u++)
		for (c = 0; c < VSUM_NCLASSES; c++)
			acc_settle(&k->cls[u][c], s->w, s->n);
	acc_settle(&k->l1, s->w, s->n);
	acc_settle(&k->dram, s->w, s->n);
	acc_settle(&k->both, s->w, s->n);
	for (c = 0; c < VSUM_NMARKS; c++) {
		acc_settle(&k->marks[c], s->w, s->n);
		s->marks[c] = k->marks[c].part;
		k->marks[c].part = NULL;
	}
	for (u = 0; u < s->nlanes; u++)
		for (c = 0; c < VSUM_NCLASSES; c++) {
			s->lane[u].cls[c] = k->cls[s->lane[u].unit][c].part;
			k->cls[s->lane[u].unit][c].part = NULL;
		}
	s->l1 = k->l1.part;
	s->dram = k->dram.part;
	s->both = k->both.part;
	k->l1.part = k->dram.part = k->both.part = NULL;
	order_lanes(s);
	vsum_free_work(s);
	return 0;
}

int
vsum_build(struct vsum *s, const char *path, const struct progress *p, struct errbuf *e)
{
	struct trace_reader *r;
	enum trace_format fmt;
	const struct isa_instr *in;
	uint64_t total = 0;
	int rc;

	memset(s, 0, sizeof *s);
	if (trace_open_read(path, &r, &fmt, e) != 0)
		return -1;
	if (vsum_begin(s, &r->hdr, e) != 0) {
		trace_close_read(r);
		return -1;
	}
	if (trace_total(r, &total, e) != 0)
		total = 0;	/* no index (a text trace): progress without a total */
	while ((rc = trace_next(r, &in, e)) == 1) {
		if (vsum_add(s, in, e) != 0) {
			rc = -1;
			break;
		}
		if ((s->instructions & 0xffff) == 0)
			progress_report(p, s->instructions, total);
	}
	trace_close_read(r);
	if (rc < 0)
		return -1;
	progress_report(p, s->instructions, total);
	if (s->instructions == 0)
		return errbuf_set(e, "%s: the trace holds no instructions", path);
	return vsum_end(s, e);
}

static void
vsum_free_work(struct vsum *s)
{
	struct vsum_work *k = s->work;
	unsigned u, c;

	if (k == NULL)
		return;
	for (u = 0; u < ISA_NUNITS; u++)
		for (c = 0; c < VSUM_NCLASSES; c++)
			acc_free(&k->cls[u][c]);
	acc_free(&k->l1);
	acc_free(&k->dram);
	acc_free(&k->both);
	acc_free(&k->marks[0]);
	acc_free(&k->marks[1]);
	residency_free(&k->res);
	overlap_free(&k->ov);
	free(k);
	s->work = NULL;
}

void
vsum_free(struct vsum *s)
{
	unsigned u, c;

	vsum_free_work(s);
	for (u = 0; u < s->nlanes; u++)
		for (c = 0; c < VSUM_NCLASSES; c++)
			free(s->lane[u].cls[c]);
	free(s->l1);
	free(s->dram);
	free(s->both);
	free(s->marks[0]);
	free(s->marks[1]);
	s->l1 = s->dram = s->both = s->marks[0] = s->marks[1] = NULL;
	s->nlanes = 0;
}

/* ---- reading it back ---------------------------------------------------- */

/* The integral of bucket values v over [t0, t1), buckets taken as uniform inside. */
static double
integral(const struct vsum *s, const double *v, uint64_t t0, uint64_t t1)
{
	uint64_t b0, b1, b;
	double sum = 0;

	if (v == NULL || t1 <= t0 || t0 >= (uint64_t)s->n * s->w)
		return 0;
	if (t1 > (uint64_t)s->n * s->w)
		t1 = (uint64_t)s->n * s->w;
	b0 = t0 / s->w;
	b1 = (t1 - 1) / s->w;
	if (b0 == b1)
		return v[b0] * (double)(t1 - t0) / (double)s->w;
	sum += v[b0] * (double)((b0 + 1) * s->w - t0) / (double)s->w;
	for (b = b0 + 1; b < b1; b++)
		sum += v[b];
	sum += v[b1] * (double)(t1 - b1 * s->w) / (double)s->w;
	return sum;
}

double
vsum_lane_busy(const struct vsum *s, unsigned lane, uint64_t t0, uint64_t t1,
    enum vsum_class *top)
{
	double best = 0, sum = 0, x;
	unsigned c;

	*top = VSUM_NCLASSES;
	if (t1 <= t0 || lane >= s->nlanes)
		return 0;
	for (c = 0; c < VSUM_NCLASSES; c++) {
		x = integral(s, s->lane[lane].cls[c], t0, t1);
		sum += x;
		if (x > best) {
			best = x;
			*top = (enum vsum_class)c;
		}
	}
	x = sum / (double)(t1 - t0);
	return x > 1 ? 1 : x < 0 ? 0 : x;
}

double
vsum_overlap(const struct vsum *s, uint64_t t0, uint64_t t1)
{
	double x = t1 > t0 && s->overlap_known ? integral(s, s->both, t0, t1) / (double)(t1 - t0) :
	    0;

	return x > 1 ? 1 : x < 0 ? 0 : x;
}

bool
vsum_marked(const struct vsum *s, int which, uint64_t t0, uint64_t t1)
{
	uint64_t b0, b1, b;

	if (s->marks[which] == NULL || t1 <= t0 || t0 >= (uint64_t)s->n * s->w)
		return false;
	b0 = t0 / s->w;
	b1 = (t1 - 1) / s->w;
	if (b1 >= s->n)
		b1 = s->n - 1;
	for (b = b0; b <= b1; b++)	/* a bucket's events may fall anywhere in it */
		if (s->marks[which][b] > 0)
			return true;
	return false;
}

double
vsum_l1(const struct vsum *s, uint64_t t0, uint64_t t1)
{
	return t1 > t0 ? integral(s, s->l1, t0, t1) / (double)(t1 - t0) : 0;
}

double
vsum_dram(const struct vsum *s, uint64_t t0, uint64_t t1)
{
	return t1 > t0 ? integral(s, s->dram, t0, t1) / (double)(t1 - t0) : 0;
}
