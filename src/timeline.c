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

/* The first segment that ends after t (segments are sorted and disjoint). */
static size_t
first_after(const struct timeline *tl, double t)
{
	size_t lo = 0, hi = tl->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (tl->v[mid].t1 <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Make t a segment boundary (splitting the segment that contains it). */
static size_t
split_at(struct timeline *tl, double t)
{
	size_t i = first_after(tl, t);

	if (i < tl->n && tl->v[i].t0 < t) {
		if (reserve(tl, 1) != 0)
			return i;
		memmove(&tl->v[i + 1], &tl->v[i], (tl->n - i) * sizeof *tl->v);
		tl->n++;
		tl->v[i].t1 = t;
		tl->v[i + 1].t0 = t;
		i++;
	}
	return i;
}

/* Add `rate` over [a, b), creating segments over gaps. */
static void
add(struct timeline *tl, double a, double b, double rate)
{
	size_t i;
	double t = a;

	if (b <= a || rate <= 0)
		return;
	split_at(tl, a);
	split_at(tl, b);
	i = first_after(tl, a);
	while (t < b && !tl->failed) {
		if (i < tl->n && tl->v[i].t0 <= t) {
			tl->v[i].used += rate;
			t = tl->v[i].t1;
			i++;
			continue;
		}
		/* a gap: [t, next segment start or b) */
		double end = i < tl->n && tl->v[i].t0 < b ? tl->v[i].t0 : b;
		if (reserve(tl, 1) != 0)
			return;
		memmove(&tl->v[i + 1], &tl->v[i], (tl->n - i) * sizeof *tl->v);
		tl->n++;
		tl->v[i].t0 = t;
		tl->v[i].t1 = end;
		tl->v[i].used = rate;
		t = end;
		i++;
	}
}

double
tl_book(struct timeline *tl, double start, double bytes, double max_rate)
{
	double t = start, left = bytes, rate, until, take;
	size_t i = 0, np = 0, k;

	if (bytes <= 0)
		return start;
	/* a booking crosses at most every segment and every gap once */
	if (tl->pieces_alloc < 2 * tl->n + 2) {
		struct tl_seg *p = realloc(tl->pieces, (2 * tl->n + 2) * sizeof *p);
		if (p == NULL) {
			tl->failed = 1;
			return start + bytes / max_rate;
		}
		tl->pieces = p;
		tl->pieces_alloc = 2 * tl->n + 2;
	}
	i = first_after(tl, t);
	while (left > 1e-9) {
		double used = 0;
		if (i < tl->n && tl->v[i].t0 <= t) {
			used = tl->v[i].used;
			until = tl->v[i].t1;
		} else {
			until = i < tl->n ? tl->v[i].t0 : 1e300;
		}
		rate = tl->cap - used;
		if (rate > max_rate)
			rate = max_rate;
		if (rate > 1e-12) {
			take = rate * (until - t);
			if (take >= left) {
				until = t + left / rate;
				take = left;
			}
			tl->pieces[np].t0 = t;
			tl->pieces[np].t1 = until;
			tl->pieces[np].used = rate;
			np++;
			left -= take;
		}
		t = until;
		if (i < tl->n && tl->v[i].t1 <= t)
			i++;
	}
	for (k = 0; k < np; k++)
		add(tl, tl->pieces[k].t0, tl->pieces[k].t1, tl->pieces[k].used);
	return t;
}

void
tl_prune(struct timeline *tl, double t)
{
	size_t i = first_after(tl, t);

	if (i > 0) {
		memmove(tl->v, tl->v + i, (tl->n - i) * sizeof *tl->v);
		tl->n -= i;
	}
}
