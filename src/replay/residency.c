/* residency: allocation lifetimes in L1, shared by the statistics and the exporters' counter. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bsearch-u64.h"
#include "residency.h"

void
residency_init(struct residency *r)
{
	memset(r, 0, sizeof *r);
}

void
residency_free(struct residency *r)
{
	free(r->live);
	memset(r, 0, sizeof *r);
}

static size_t
pos_after(const struct residency *r, uint64_t addr)
{
	return search_after_u64(r->live, r->n, sizeof *r->live, addr);
}

/* The live allocation holding addr, or NULL. */
static struct residency_alloc *
find(struct residency *r, uint64_t addr)
{
	size_t p = pos_after(r, addr);

	if (p > 0 && addr - r->live[p - 1].addr < r->live[p - 1].size)
		return &r->live[p - 1];
	return NULL;
}

static void
arrive(struct residency_alloc *a, uint64_t t, const struct residency_cb *cb)
{
	a->resident = true;
	a->since = t;
	if (cb->change != NULL)
		cb->change(cb->ctx, t, (int64_t)a->size);
}

/* It leaves L1 at t; it stays allocated, resident or not. */
static void
leave(struct residency_alloc *a, uint64_t t, const struct residency_cb *cb)
{
	if (!a->resident)
		return;
	a->resident = false;
	if (cb->stay != NULL && t > a->since)
		cb->stay(cb->ctx, a->size, a->since, t);
	if (cb->change != NULL)
		cb->change(cb->ctx, t, -(int64_t)a->size);
}

static void
drop(struct residency *r, struct residency_alloc *a, uint64_t t, const struct residency_cb *cb)
{
	leave(a, t, cb);
	memmove(a, a + 1, (size_t)(&r->live[--r->n] - a) * sizeof *a);
}

/* An allocation, not yet resident: it holds nothing until it is first written. */
static void
add(struct residency *r, const struct isa_region *g)
{
	size_t p;

	if (r->n == r->cap) {
		/* the count grows only with the memory, so a failure leaves it consistent */
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct residency_alloc *v = realloc(r->live, cap * sizeof *v);
		if (v == NULL) {
			r->lost++;
			return;
		}
		r->live = v;
		r->cap = cap;
	}
	/* sorted by address for find(); allocations are few beside lookups */
	p = pos_after(r, g->addr);
	memmove(&r->live[p + 1], &r->live[p], (r->n - p) * sizeof *r->live);
	r->live[p].addr = g->addr;
	r->live[p].size = g->size;
	r->live[p].resident = false;
	r->n++;
}

/* Does op write data into its L1 destinations (as the replay's capacity model counts it)? */
static bool
writes_data(unsigned op)
{
	return op != ISA_OP_ALLOC && op != ISA_OP_FREE && op != ISA_OP_OVERWRITE &&
	    op != ISA_OP_BARRIER && op != ISA_OP_SPILL;
}

void
residency_apply(struct residency *r, const struct isa_instr *in, uint64_t start, uint64_t end,
    const struct residency_cb *cb)
{
	struct residency_alloc *a;
	unsigned k;

	switch (in->op) {
	case ISA_OP_ALLOC:
		for (k = 0; k < in->ndst; k++)
			if (in->dst[k].buf == ISA_BUF_L1 && in->dst[k].size > 0)
				add(r, &in->dst[k]);
		break;
	case ISA_OP_FREE:
		for (k = 0; k < in->nsrc; k++)
			if (in->src[k].buf == ISA_BUF_L1 && (a = find(r, in->src[k].addr)) != NULL)
				drop(r, a, end, cb);
		break;
	case ISA_OP_SPILL:	/* what is spilled leaves L1 until it is filled back */
		if (in->nsrc > 0 && in->src[0].buf == ISA_BUF_L1 && (a = find(r, in->src[0].addr)) != NULL)
			leave(a, end, cb);
		break;
	default:	/* a fill, or the first write since the allocation or a spill */
		if (!writes_data(in->op))
			break;
		for (k = 0; k < in->ndst; k++)
			if (in->dst[k].buf == ISA_BUF_L1 && (a = find(r, in->dst[k].addr)) != NULL &&
			    !a->resident)
				arrive(a, start, cb);
		break;
	}
}

void
residency_finish(struct residency *r, uint64_t end, const struct residency_cb *cb)
{
	while (r->n > 0)
		drop(r, &r->live[0], end, cb);
}
