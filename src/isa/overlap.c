/* overlap: a streaming intersection of two sorted interval lists. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "overlap.h"

void
overlap_init(struct overlap *o)
{
	memset(o, 0, sizeof *o);
}

static void
drain(struct overlap *o)
{
	struct ivqueue *a = &o->side[0], *b = &o->side[1];

	while (a->head < a->len && b->head < b->len) {
		const struct interval *x = &a->v[a->head], *y = &b->v[b->head];
		uint64_t lo = x->start > y->start ? x->start : y->start;
		uint64_t hi = x->end < y->end ? x->end : y->end;

		if (hi > lo) {
			o->both += hi - lo;
			if (o->piece != NULL)
				o->piece(o->ctx, lo, hi);
		}
		if (x->end <= y->end)
			a->head++;
		else
			b->head++;
	}
}

void
overlap_add(struct overlap *o, int side, uint64_t start, uint64_t end)
{
	struct ivqueue *q = &o->side[side];
	struct interval *grown;

	if (end <= start || o->failed)
		return;
	if (q->len > q->head && start < q->v[q->len - 1].end) {
		o->failed = OVERLAP_ORDER;
		return;
	}
	if (q->len > q->head && start == q->v[q->len - 1].end) {
		/* back to back: one longer interval (the other side has none left to meet it) */
		q->v[q->len - 1].end = end;
		drain(o);
		return;
	}
	if (q->head > 0 && q->head == q->len)
		q->head = q->len = 0;
	if (q->len == q->cap) {
		if (q->head > q->cap / 2) {	/* slide down rather than grow */
			memmove(q->v, q->v + q->head, (q->len - q->head) * sizeof *q->v);
			q->len -= q->head;
			q->head = 0;
		} else {
			size_t cap = q->cap ? q->cap * 2 : 256;
			grown = realloc(q->v, cap * sizeof *grown);
			if (grown == NULL) {
				o->failed = OVERLAP_OOM;
				return;
			}
			q->v = grown;
			q->cap = cap;
		}
	}
	q->v[q->len].start = start;
	q->v[q->len].end = end;
	q->len++;
	drain(o);
}

int
overlap_finish(struct overlap *o, uint64_t *both)
{
	drain(o);
	*both = o->both;
	overlap_free(o);
	return o->failed ? -1 : 0;
}

void
overlap_free(struct overlap *o)
{
	free(o->side[0].v);
	free(o->side[1].v);
	memset(o->side, 0, sizeof o->side);
}
