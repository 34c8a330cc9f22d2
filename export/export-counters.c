/* export-counters: L1, DRAM and utilisation counters, released in time order. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "export-int.h"

static bool
tq_less(const struct tq_ev *a, const struct tq_ev *b)
{
	return a->t < b->t || (a->t == b->t && (int32_t)(a->seq - b->seq) < 0);
}

int
export_tq_push(struct tq *q, unsigned track, uint64_t t, double delta)
{
	size_t i;

	if (export_grow(&q->h, q->n, &q->cap, sizeof *q->h) != 0)
		return -1;
	if (t < q->done) {
		t = q->done;
		q->late++;
	}
	i = q->n++;
	q->h[i] = (struct tq_ev){ t, q->seq++, (uint8_t)track, delta };
	while (i > 0 && tq_less(&q->h[i], &q->h[(i - 1) / 2])) {
		struct tq_ev x = q->h[i];
		q->h[i] = q->h[(i - 1) / 2];
		q->h[(i - 1) / 2] = x;
		i = (i - 1) / 2;
	}
	return 0;
}

static struct tq_ev
tq_pop(struct tq *q)
{
	struct tq_ev top = q->h[0];
	size_t i = 0;

	q->h[0] = q->h[--q->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < q->n && tq_less(&q->h[l], &q->h[m]))
			m = l;
		if (r < q->n && tq_less(&q->h[r], &q->h[m]))
			m = r;
		if (m == i)
			break;
		struct tq_ev x = q->h[i];
		q->h[i] = q->h[m];
		q->h[m] = x;
		i = m;
	}
	return top;
}

/* Show the counters' values at cycle t where they changed. */
static void
counters_show(struct export *x, uint64_t t)
{
	struct tq *q = &x->q;
	unsigned k;

	for (k = 0; k < 2; k++) {
		double v = k == 0 ? q->value[0] : cost_gbs(x->npu, q->value[1]);
		if (q->any[k] && q->shown[k] == v)
			continue;
		q->any[k] = true;
		q->shown[k] = v;
		x->ops->counter(x->sink, k == 0 ? EXPORT_TRK_L1 : EXPORT_TRK_DRAM, t,
		    export_ns(x->npu->clock_mhz, t), v);
		x->cnt->counters++;
	}
}

/* Counter changes before `upto` are final: show them. */
void
export_counters_flush(struct export *x, uint64_t upto)
{
	struct tq *q = &x->q;

	while (q->n > 0 && q->h[0].t < upto) {
		uint64_t t = q->h[0].t;

		if (!q->started && t >= x->from) {	/* the levels the window opens with */
			q->started = true;
			if (x->from > 0 && x->from < x->to)
				counters_show(x, x->from);
		}
		while (q->n > 0 && q->h[0].t == t) {
			struct tq_ev ev = tq_pop(q);
			unsigned i = ev.track == EXPORT_TRK_L1 ? 0 : 1;
			q->value[i] += ev.delta;
			if (q->value[i] < 1e-9 && q->value[i] > -1e-9)
				q->value[i] = 0;
		}
		q->done = t;
		if (export_in_window(x, t, t))
			counters_show(x, t);
	}
}

/* The earliest start any working unit can still give an instruction. */
uint64_t
export_watermark(const struct export *x)
{
	uint64_t w = UINT64_MAX;
	unsigned u;

	for (u = 0; u < ISA_NUNITS; u++)
		if (x->unit_on[u] && x->seen - x->unit_seen[u] <= EXPORT_QUIET && x->unit_start[u] < w)
			w = x->unit_start[u];
	return w;
}

int
export_l1_change(struct export *x, uint64_t t, double delta)
{
	if (export_tq_push(&x->q, EXPORT_TRK_L1, t, delta) != 0)
		return export_fail(x, "out of memory");
	return 0;
}

void
export_residency_change(void *ctx, uint64_t cycle, int64_t delta)
{
	export_l1_change(ctx, cycle, (double)delta);
}

/* A unit's busy share over fixed samples of util_w cycles. */
static void
util_show(struct export *x, unsigned u, uint64_t bin, double pct)
{
	uint64_t t = bin * x->util_w > x->from ? bin * x->util_w : x->from;

	if (x->util_any[u] && x->util_shown[u] == pct)
		return;
	x->util_any[u] = true;
	x->util_shown[u] = pct;
	x->ops->counter(x->sink, EXPORT_TRK_UTIL0 + u, t, export_ns(x->npu->clock_mhz, t), pct);
	x->cnt->counters++;
}

void
export_util_close_bin(struct export *x, unsigned u)
{
	double pct = 100.0 * (double)x->busy[u] / (double)x->util_w;

	util_show(x, u, x->bin[u], pct < 100 ? pct : 100);
	x->busy[u] = 0;
}

void
export_util_add(struct export *x, unsigned u, uint64_t t0, uint64_t t1)
{
	const uint64_t w = x->util_w;

	if (x->bin[u] == UINT64_MAX) {
		x->bin[u] = t0 / w;
		x->busy[u] = 0;
	}
	if (t0 / w < x->bin[u])	/* overlapping instructions: count from the sample reached */
		t0 = x->bin[u] * w < t1 ? x->bin[u] * w : t1;
	while (t0 < t1) {
		uint64_t b = t0 / w, stop, whole;
		if (b != x->bin[u]) {
			export_util_close_bin(x, u);
			if (b > x->bin[u] + 1)
				util_show(x, u, x->bin[u] + 1, 0);
			x->bin[u] = b;
		}
		stop = (b + 1) * w < t1 ? (b + 1) * w : t1;
		x->busy[u] += stop - t0;
		t0 = stop;
		whole = (t1 - t0) / w;
		if (whole > 1) {	/* samples it fills: one value says so, however many */
			export_util_close_bin(x, u);
			util_show(x, u, t0 / w, 100);
			x->bin[u] = t0 / w + whole - 1;
			x->busy[u] = w;
			t0 += whole * w;
		}
	}
}

