/* export-flows: dependencies drawn as flows, and the critical path found in a first pass. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export-int.h"
#include "stats.h"

/* --flows all: the oldest held instruction leaves. */
int
export_ring_release(struct export *x)
{
	struct held *hd = &x->ring[x->ring_first % FLOW_RING];
	uint64_t inflow[ISA_MAX_DEPS];
	unsigned nin = 0, d;

	if (hd->present) {
		for (d = 0; d < hd->in.ndeps; d++)
			if (hd->inmask & (1u << d))
				inflow[nin++] = hd->in.id * ISA_MAX_DEPS + d + 1;
		if (export_emit(x, &hd->in, hd->base, hd->out, hd->nout, inflow, nin) != 0)
			return -1;
	}
	x->ring_first++;
	return 0;
}

/* --flows all: hold `in` back, and add a flow to each producer still held. */
int
export_ring_hold(struct export *x, const struct isa_instr *in, uint64_t base, bool present)
{
	struct held *hd;
	unsigned d;

	while (x->ring_next - x->ring_first >= FLOW_RING)
		if (export_ring_release(x) != 0)
			return -1;
	hd = &x->ring[x->ring_next % FLOW_RING];
	x->ring_next++;
	hd->present = present;
	hd->nout = 0;
	hd->inmask = 0;
	if (!present)
		return 0;
	isa_copy(&hd->in, in);
	hd->base = base;
	for (d = 0; d < in->ndeps; d++) {
		uint64_t p = in->deps[d];
		struct held *ph = &x->ring[p % FLOW_RING];
		if (p >= x->ring_first && !ph->present)
			continue;	/* outside the window: nothing to draw */
		if (p < x->ring_first || ph->nout == EXPORT_MAX_FLOWS) {
			x->cnt->flows_lost++;
			continue;
		}
		ph->out[ph->nout++] = in->id * ISA_MAX_DEPS + d + 1;
		hd->inmask |= (uint16_t)(1u << d);
	}
	return 0;
}

/* ---- the critical path ------------------------------------------------ */

struct cp_pass {
	uint64_t unit_last[ISA_NUNITS];	/* each unit's last instruction, or ISA_ID_NONE */
	uint64_t unit_end[ISA_NUNITS];
	uint64_t *ends;			/* planned: recent ends, ENDS_KEPT of them */
	uint64_t best, best_end;	/* the last-ending instruction in the window */
	bool any;
};

/* What let `in` start: the replay's rule, or for a plan the latest-ending input. */
static uint64_t
cp_pred(const struct export *x, struct cp_pass *c, const struct isa_instr *in)
{
	uint64_t last = c->unit_last[in->unit], pred, best;
	unsigned d;

	if (x->replayed)
		return stats_pred(in, last);
	pred = last;
	best = last != ISA_ID_NONE ? c->unit_end[in->unit] : 0;
	for (d = 0; d < in->ndeps; d++) {
		uint64_t p = in->deps[d];
		if (in->id - p <= ENDS_KEPT && (pred == ISA_ID_NONE ||
		    c->ends[p % ENDS_KEPT] >= best)) {
			pred = p;
			best = c->ends[p % ENDS_KEPT];
		}
	}
	return pred;
}

static int
cp_walk(struct export *x, const struct cp_pass *c, uint64_t count)
{
	int fd = fileno(x->path);
	uint64_t cur = c->best, succ = UINT64_MAX;
	uint64_t *blk = malloc(CP_BLOCK * sizeof *blk);

	if (blk == NULL)
		return export_fail(x, "out of memory");
	if (fflush(x->path) != 0)
		goto io;
	while (cur != UINT64_MAX) {
		uint64_t lo = cur / CP_BLOCK * CP_BLOCK, n = count - lo < CP_BLOCK ? count - lo : CP_BLOCK;
		size_t bytes = (size_t)n * sizeof *blk;

		if (pread(fd, blk, bytes, (off_t)(lo * sizeof *blk)) != (ssize_t)bytes)
			goto io;
		while (cur != UINT64_MAX && cur >= lo) {
			uint64_t e = blk[cur - lo], pred = (e & CP_ID_MASK) - 1;
			bool go_on = (e & CP_ID_MASK) != 0 && pred < cur;
			if (go_on) {	/* is the predecessor in the window? its entry says */
				uint64_t pe;
				if (pred >= lo)
					pe = blk[pred - lo];
				else if (pread(fd, &pe, sizeof pe, (off_t)(pred * sizeof pe)) !=
				    (ssize_t)sizeof pe)
					goto io;
				go_on = (pe & CP_IN_WINDOW) != 0;
			}
			blk[cur - lo] = CP_ON_PATH | (go_on ? CP_HAS_IN : 0) |
			    (succ == UINT64_MAX ? 0 : succ + 1);
			succ = cur;
			cur = go_on ? pred : UINT64_MAX;
		}
		if (pwrite(fd, blk, bytes, (off_t)(lo * sizeof *blk)) != (ssize_t)bytes)
			goto io;
	}
	free(blk);
	if (fseeko(x->path, 0, SEEK_SET) != 0)
		return export_fail(x, "cannot rewind the critical path's temporary file");
	return 0;
io:
	free(blk);
	errbuf_set(&x->err, "the critical path's temporary file: %s", strerror(errno ? errno : EIO));
	x->failed = true;
	return -1;
}

/* The first pass, for the critical path: predecessors out, then the walk back. */
int
export_critical_pass(struct export *x, struct trace_reader *r, struct errbuf *e)
{
	struct cp_pass c;
	const struct isa_instr *in;
	uint64_t past = 0, n = 0;
	unsigned k;
	int rc;

	memset(&c, 0, sizeof c);
	for (k = 0; k < ISA_NUNITS; k++)
		c.unit_last[k] = ISA_ID_NONE;
	c.best = UINT64_MAX;
	c.ends = calloc(ENDS_KEPT, sizeof *c.ends);
	x->path = tmpfile();
	if (c.ends == NULL || x->path == NULL) {
		free(c.ends);
		return errbuf_set(e, "%s", x->path == NULL ? "cannot make a temporary file for the "
		    "critical path" : "out of memory");
	}
	while ((rc = export_next_instr(x, r, &in, &past, e)) == 1) {
		uint64_t pred = cp_pred(x, &c, in), t0 = export_t_start(x, in), t1 = export_t_end(x, in);
		uint64_t entry = (pred == ISA_ID_NONE ? 0 : pred + 1) |
		    (export_in_window(x, t0, t1) ? CP_IN_WINDOW : 0);
		if (fwrite(&entry, sizeof entry, 1, x->path) != 1) {
			free(c.ends);
			return errbuf_set(e, "the critical path's temporary file: %s", strerror(errno));
		}
		if ((entry & CP_IN_WINDOW) && (!c.any || t1 >= c.best_end)) {
			c.any = true;
			c.best = in->id;
			c.best_end = t1;
		}
		c.unit_last[in->unit] = in->id;
		c.unit_end[in->unit] = t1;
		c.ends[in->id % ENDS_KEPT] = t1;
		n++;
	}
	free(c.ends);
	if (rc < 0)
		return -1;
	if (cp_walk(x, &c, n) != 0) {
		*e = x->err;
		return -1;
	}
	return 0;
}
