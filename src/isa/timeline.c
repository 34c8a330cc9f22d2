/* timeline: piecewise-constant bandwidth reservations. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "timeline.h"

void
tl_init(struct timeline *tl, double cap)
{
	memset(tl, 0, sizeof *tl);
	tl->cap = cap;
}

void
tl_free(struct timeline *tl)
{
	free(tl->v);
	free(tl->pieces);
	tl->v = tl->pieces = NULL;
	tl->n = tl->alloc = tl->pieces_alloc = 0;
}

static int
reserve(struct timeline *tl, size_t extra)
{
	struct tl_seg *v;
	size_t alloc;

	if (tl->n + extra <= tl->alloc)
		return 0;
	alloc = tl->alloc ? tl->alloc * 2 : 64;
	while (alloc < tl->n + extra)
		alloc *= 2;
	v = realloc(tl->v, alloc * sizeof *v);
	if (v == NULL) {
		tl->failed = 1;
		return -1;
	}
	tl->v = v;
	tl->alloc = alloc;
	return 0;
}

/*
 * The first segment that ends after t (segments are sorted and disjoint).
 * Bookings come in trace order and land near the end: look there first.
 */
static size_t
first_after(const struct timeline *tl, double t)
{
	size_t lo = 0, hi = tl->n, j;

	for (j = 0; j < 8 && hi > 0; j++, hi--)
		if (tl->v[hi - 1].t1 <= t)
			return hi;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (tl->v[mid].t1 <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Append [t0, t1) at `used` to the scratch list, merging with an equal neighbour. */
static void
emit(struct tl_seg *out, size_t *k, double t0, double t1, double used)
{
	if (t1 <= t0)
		return;
	if (*k > 0 && out[*k - 1].t1 == t0 && out[*k - 1].used == used) {
		out[*k - 1].t1 = t1;
		return;
	}
	out[*k].t0 = t0;
	out[*k].t1 = t1;
	out[*k].used = used;
	(*k)++;
}

/*
 * One pass from the first segment the booking reaches: the segments it
 * crosses and the gaps between them are rewritten into scratch with its
 * rate added, then spliced back with a single move of the tail.
 */
double
tl_book(struct timeline *tl, double start, double bytes, double max_rate)
{
	double t = start, left = bytes, rate, until, take;
	size_t i0, i, k = 0;
	struct tl_seg *out;

	if (bytes <= 0)
		return start;
	i0 = i = first_after(tl, t);
	if (i0 == tl->n) {	/* after every booking so far: one segment at the full rate */
		rate = tl->cap < max_rate ? tl->cap : max_rate;
		until = t + bytes / rate;
		if (tl->n > 0 && tl->v[tl->n - 1].t1 == t && tl->v[tl->n - 1].used == rate) {
			tl->v[tl->n - 1].t1 = until;
			return until;
		}
		if (reserve(tl, 1) != 0)
			return until;
		tl->v[tl->n].t0 = t;
		tl->v[tl->n].t1 = until;
		tl->v[tl->n].used = rate;
		tl->n++;
		return until;
	}
	/* the booking rewrites each segment it crosses into at most three, plus a gap each */
	if (tl->pieces_alloc < 3 * (tl->n - i0) + 4) {
		struct tl_seg *p = realloc(tl->pieces, (3 * (tl->n - i0) + 4) * sizeof *p);
		if (p == NULL) {
			tl->failed = 1;
			return start + bytes / max_rate;
		}
		tl->pieces = p;
		tl->pieces_alloc = 3 * (tl->n - i0) + 4;
	}
	out = tl->pieces;
	if (i < tl->n && tl->v[i].t0 < t)
		emit(out, &k, tl->v[i].t0, t, tl->v[i].used);
	while (left > 1e-9) {
		if (i < tl->n && tl->v[i].t0 <= t) {
			const struct tl_seg *g = &tl->v[i];
			rate = tl->cap - g->used;
			if (rate > max_rate)
				rate = max_rate;
			if (rate <= 1e-12) {
				emit(out, &k, t, g->t1, g->used);
				t = g->t1;
				i++;
				continue;
			}
			take = rate * (g->t1 - t);
			if (take >= left) {
				until = t + left / rate;
				emit(out, &k, t, until, g->used + rate);
				emit(out, &k, until, g->t1, g->used);
				t = until;
				i++;
				break;
			}
			emit(out, &k, t, g->t1, g->used + rate);
			left -= take;
			t = g->t1;
			i++;
			continue;
		}
		/* a gap before the next segment, or the open end */
		until = i < tl->n ? tl->v[i].t0 : 1e300;
		rate = tl->cap < max_rate ? tl->cap : max_rate;
		take = rate * (until - t);
		if (take >= left) {
			until = t + left / rate;
			left = 0;
		} else {
			left -= take;
		}
		emit(out, &k, t, until, rate);
		t = until;
	}
	/* splice out[0, k) in place of v[i0, i) */
	if (k > i - i0 && reserve(tl, k - (i - i0)) != 0)
		return t;
	if (k != i - i0)
		memmove(&tl->v[i0 + k], &tl->v[i], (tl->n - i) * sizeof *tl->v);
	memcpy(&tl->v[i0], out, k * sizeof *out);
	tl->n = tl->n - (i - i0) + k;
	return t;
}

void
tl_prune(struct timeline *tl, double t, tl_done_fn *done, void *ctx)
{
	size_t i = first_after(tl, t), k;

	if (done != NULL)
		for (k = 0; k < i; k++)
			done(ctx, &tl->v[k]);
	if (i > 0) {
		memmove(tl->v, tl->v + i, (tl->n - i) * sizeof *tl->v);
		tl->n -= i;
	}
}
