/* replay: a streaming list-scheduling engine with shared bandwidths and L1 capacity. */
/*
 * How it works, and what always holds (read this before changing it).
 *
 * Ids.  An instruction fed in has an old id: its place in the input,
 * counting from 0.  One that leaves has a new id: its place in the
 * output.  They differ once the replay drops an earlier replay's spills,
 * fills and inserted barriers (it makes its own afresh) or inserts new
 * ones; `shifted` says whether any has, and until then dependencies keep
 * their ids.  new_id[] maps the last RING old ids to new ones; an old id
 * further back maps to far_end_id, the latest-ending instruction among
 * those forgotten, so a dependency on it never waits less than the truth.
 * end[] keeps the ends of the last RING new ids likewise (evicted_end).
 * A link to an instruction that does not exist is ISA_ID_NONE, never 0.
 *
 * The window.  Instructions wait in a ring of up to `window` before they
 * are replayed, in input order: the eviction policy looks ahead through
 * them.  Old ids [taken, entered) are in the window; taken - 1 is the one
 * being replayed.  Once the first eviction happens (`tracking`), every
 * allocation knows the old ids in the window that touch it (its uses);
 * regions whose allocation does not exist yet wait in pend[] until an
 * ALLOC claims them.
 *
 * Timing.  An instruction starts when its dependencies have ended and its
 * unit is free (units run their instructions in order), and runs for its
 * cost, longer when the DRAM bandwidth or an L1 port it shares is booked
 * (timeline.h); its stall is the time its unit stood on its account, and
 * its cause what set its start or its length.  Observers are told every
 * instruction as it leaves, with its final times.
 *
 * Capacity.  ALLOC and FREE bound what L1 holds.  When an allocation, or
 * a region of a spilled one an instruction touches, does not fit, the
 * resident allocation whose next use in the window is furthest ahead is
 * evicted (never one the instruction itself touches): a SPILL is inserted
 * before the instruction if its data is worth keeping, and the space's
 * new user waits for it; a spilled allocation touched again is brought
 * back by a FILL, inserted likewise.  Inserted transfers run on the DMA
 * channel that frees up first and take no planned time.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "bsearch-u64.h"
#include "cost.h"
#include "replay.h"
#include "timeline.h"

#define RING REPLAY_ENDS_KEPT
#define AL_CACHE_BITS 10

void
replay_opts_default(struct replay_opts *o)
{
	o->dram_sharing = true;
	o->port_sharing = true;
	o->capacity = true;
	o->window = 1024;
}

void
replay_opts_to_stats(const struct replay_opts *o, struct stats *s)
{
	s->dram_shared = o->dram_sharing;
	s->ports_shared = o->port_sharing;
}

unsigned
replay_opts_models(const struct replay_opts *o)
{
	return TRACE_MODELS_RECORDED | (o->dram_sharing ? TRACE_MODEL_DRAM : 0) |
	    (o->port_sharing ? TRACE_MODEL_PORTS : 0) | (o->capacity ? TRACE_MODEL_CAPACITY : 0);
}

/*
 * The long options of mastrace replay when traces recorded only its
 * command line (mastrace 0.1.0 before replay_models): frozen here, so
 * that renaming an option never changes what an old trace says.
 */
static const struct {
	const char *name;
	unsigned off;		/* the models the option turns off */
} legacy_options[] = {
	{ "help", 0 }, { "npu", 0 },
	{ "ideal", TRACE_MODEL_DRAM | TRACE_MODEL_PORTS | TRACE_MODEL_CAPACITY },
	{ "no-dram-sharing", TRACE_MODEL_DRAM }, { "no-port-sharing", TRACE_MODEL_PORTS },
	{ "no-capacity", TRACE_MODEL_CAPACITY },
	{ "window", 0 }, { "output", 0 }, { "stats", 0 }, { "quiet", 0 },
};
#define NLEGACY ARRAY_LEN(legacy_options)

/* The models the last command line of a replay chain ("... | ...") left on. */
static unsigned
legacy_models(const char *chain)
{
	const char *link = chain, *p, *end;
	unsigned models = TRACE_MODEL_DRAM | TRACE_MODEL_PORTS | TRACE_MODEL_CAPACITY;
	char word[64];
	size_t len, i, hits, hit = 0;

	for (p = chain; (p = strstr(p, " | ")) != NULL; p += 3)
		link = p + 3;
	/* the words of the last replay, with getopt_long()'s rule for abbreviations */
	for (p = link; *p != '\0'; p = end) {
		while (*p == ' ')
			p++;
		for (end = p; *end != '\0' && *end != ' '; end++)
			;
		len = (size_t)(end - p);
		if (len == 2 && p[0] == '-' && p[1] == '-')
			break;		/* "--": operands follow */
		if (len < 3 || p[0] != '-' || p[1] != '-' || len >= sizeof word)
			continue;
		memcpy(word, p + 2, len - 2);
		word[len - 2] = '\0';
		word[strcspn(word, "=")] = '\0';
		for (i = 0, hits = 0; i < NLEGACY; i++) {
			if (strcmp(legacy_options[i].name, word) == 0) {
				hits = 1;
				hit = i;
				break;
			}
			if (strncmp(legacy_options[i].name, word, strlen(word)) == 0) {
				hits++;
				hit = i;
			}
		}
		if (hits == 1)
			models &= ~legacy_options[hit].off;
	}
	return models;
}

void
replay_opts_of_trace(const struct trace_header *h, struct replay_opts *o)
{
	unsigned m = h->models & TRACE_MODELS_RECORDED ? h->models : legacy_models(h->replay);

	replay_opts_default(o);
	o->dram_sharing = (m & TRACE_MODEL_DRAM) != 0;
	o->port_sharing = (m & TRACE_MODEL_PORTS) != 0;
	o->capacity = (m & TRACE_MODEL_CAPACITY) != 0;
}

/* A live L1 allocation. */
struct alloc {
	uint64_t addr, size;
	bool resident, valid;		/* in L1; holds data worth keeping */
	uint64_t last_access;		/* new id, or ISA_ID_NONE */
	uint64_t last_read_end;		/* when its last reader finished */
	uint64_t last_reader;		/* new id, or ISA_ID_NONE */
	uint64_t spilled_by;		/* new id of the SPILL that saved it, or ISA_ID_NONE */
	uint64_t spill_addr;
	/* old ids of the instructions in the window that touch it, in order */
	struct uses { uint64_t *v; size_t head, len, cap; } uses;	/* cap: 0 or a power of two */
};

/* A region of a window instruction whose allocation did not exist when it came in. */
struct pending {
	uint64_t old;
	unsigned region;	/* sources, then destinations */
};

struct replay {
	const struct npu *npu;
	struct replay_opts o;
	char name[256];			/* starts the replay's own messages */
	struct replay_observer obs[REPLAY_MAX_OBSERVERS];
	unsigned nobs;
	struct errbuf *e;		/* the current call's */
	struct errbuf err;		/* the first error, repeated by every later call */
	bool failed;
	uint64_t l1_reported;		/* holding as last told to the observers */
	/* look-ahead */
	struct isa_instr *win;
	size_t win_head, win_len, win_max, win_mask;	/* a power-of-two ring */
	uint64_t entered;		/* old ids that have come into the window */
	uint64_t taken;			/* old ids that have left it: the current one is taken - 1 */
	bool tracking;			/* allocations know their uses (since the first eviction) */
	struct pending *pend;		/* regions to bind when their allocation comes */
	size_t npend, pend_alloc;
	uint64_t *claim;		/* scratch for claim_uses() */
	size_t claim_alloc;
	/* ids: the input's (old) and the output's (new), which inserted and dropped spills shift */
	uint64_t next_id;		/* the next new id */
	uint64_t *new_id;		/* by old id % RING: new id, ISA_ID_NONE if dropped */
	bool shifted;			/* some old id's new id differs */
	uint32_t far_mask;		/* the current instruction's deps mapped from far back */
	bool has_far;
	uint64_t far_end, far_end_id;	/* latest end among old ids out of new_id[], and whose */
	/* timing */
	uint64_t *end;			/* by new id % RING */
	uint64_t evicted_end;		/* latest end among new ids out of end[] */
	uint64_t evicted_end_id;
	uint64_t far_deps;		/* dependencies bounded by far_end or evicted_end */
	uint64_t unit_free[ISA_NUNITS];
	uint64_t unit_last[ISA_NUNITS];	/* new id of each unit's last, or ISA_ID_NONE */
	uint8_t spill_made[RING / 8];	/* bit: this new id is an inserted spill or fill */
	struct timeline dram, rd, wr;
	uint64_t latency;
	/* capacity */
	struct alloc *al;
	size_t nal, al_alloc;
	struct alloc_index { uint64_t addr; size_t i; } *by_addr;	/* al[] by address */
	size_t al_cache[1u << AL_CACHE_BITS];	/* by region address: where one was last found */
	/* the current instruction's allocations by region (src, then dst), if found_ok */
	struct alloc *found[ISA_MAX_SRC + ISA_MAX_DST];
	bool found_ok;
	bool has_l0;
	struct cost_memo cost;
	uint64_t occupancy;		/* bytes of resident allocations: what capacity bounds */
	uint64_t holding;		/* of those, bytes written: what the observers are told */
	uint64_t spill_next;
};

__attribute__((format(printf, 2, 3)))
static int
fail(struct replay *r, const char *fmt, ...)
{
	char msg[ERRBUF_SIZE];
	va_list ap;

	if (!r->failed) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		errbuf_set(&r->err, "%s: %s", r->name, msg);
		errbuf_set(r->e, "%s", r->err.msg);
		r->failed = true;
	}
	return -1;
}

/* ---- look-ahead window ---------------------------------------------- */

static struct alloc *find_alloc(struct replay *r, const struct isa_region *g);

static const struct isa_region *
region_of(const struct isa_instr *in, unsigned i)
{
	return i < in->nsrc ? &in->src[i] : &in->dst[i - in->nsrc];
}

/* The window instruction with this old id (which must be in the window). */
static const struct isa_instr *
window_at(const struct replay *r, uint64_t old)
{
	return &r->win[(r->win_head + (old - r->taken)) & r->win_mask];
}

/* Drop the uses already replayed. */
static void
uses_forget(const struct replay *r, struct uses *u)
{
	while (u->len > 0 && u->v[u->head] < r->taken) {
		u->head = (u->head + 1) & (u->cap - 1);
		u->len--;
	}
}

static int
use_push(struct replay *r, struct alloc *a, uint64_t old)
{
	struct uses *u = &a->uses;

	uses_forget(r, u);
	if (u->len > 0 && u->v[(u->head + u->len - 1) & (u->cap - 1)] == old)
		return 0;	/* two regions of one instruction */
	if (u->len == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 8, i;
		uint64_t *v = malloc(cap * sizeof *v);
		if (v == NULL)
			return fail(r, "out of memory");
		for (i = 0; i < u->len; i++)
			v[i] = u->v[(u->head + i) & (u->cap - 1)];
		free(u->v);
		u->v = v;
		u->head = 0;
		u->cap = cap;
	}
	u->v[(u->head + u->len++) & (u->cap - 1)] = old;
	return 0;
}

static int
pend_push(struct replay *r, uint64_t old, unsigned region)
{
	if (r->npend == r->pend_alloc) {
		size_t i, keep = 0;
		struct pending *p;
		/* first forget what has left the window, then grow */
		for (i = 0; i < r->npend; i++)
			if (r->pend[i].old >= r->taken)
				r->pend[keep++] = r->pend[i];
		r->npend = keep;
		if (r->npend * 2 > r->pend_alloc || r->pend_alloc == 0) {
			r->pend_alloc = r->pend_alloc ? r->pend_alloc * 2 : 256;
			p = realloc(r->pend, r->pend_alloc * sizeof *p);
			if (p == NULL)
				return fail(r, "out of memory");
			r->pend = p;
		}
	}
	r->pend[r->npend].old = old;
	r->pend[r->npend].region = region;
	r->npend++;
	return 0;
}

/*
 * Capacity is tracked per allocation: a region that lies across two could
 * not be spilled or filled whole, and its uses would belong to neither.
 */
static int
check_inside(struct replay *r, const struct alloc *a, const struct isa_region *g, uint64_t old)
{
	if (g->addr >= a->addr && g->addr + g->size <= a->addr + a->size)
		return 0;
	return fail(r, "instruction %llu uses l1:%llu+%llu, which lies across the end of the "
	    "allocation l1:%llu+%llu; expected a region inside one allocation",
	    (unsigned long long)old, (unsigned long long)g->addr, (unsigned long long)g->size,
	    (unsigned long long)a->addr, (unsigned long long)a->size);
}

/* An instruction comes into the window: note which allocations it will touch. */
static int
note_uses(struct replay *r, const struct isa_instr *in, uint64_t old)
{
	unsigned i;

	if (in->op == ISA_OP_SPILL || in->op == ISA_OP_FILL)
		return 0;	/* an earlier replay's, to be dropped */
	for (i = 0; i < (unsigned)in->nsrc + in->ndst; i++) {
		const struct isa_region *g = region_of(in, i);
		struct alloc *a;
		if (g->buf != ISA_BUF_L1)
			continue;
		a = find_alloc(r, g);
		if (a != NULL && check_inside(r, a, g, old) != 0)
			return -1;
		if ((a != NULL ? use_push(r, a, old) : pend_push(r, old, i)) != 0)
			return -1;
	}
	return 0;
}

/* An instruction comes into the window (which has room). */
static int
window_push(struct replay *r, const struct isa_instr *in)
{
	isa_copy(&r->win[(r->win_head + r->win_len++) & r->win_mask], in);
	if (r->tracking && note_uses(r, in, r->entered) != 0)
		return -1;
	r->entered++;
	return 0;
}

/* ---- ids ------------------------------------------------------------ */

static uint64_t end_of(struct replay *r, uint64_t id, uint64_t *by);

/*
 * Record the current old id's new id (or that it was dropped).  The old id
 * that leaves new_id[] for it folds its end into far_end, which bounds any
 * later dependency on it.
 */
static void
note_new_id(struct replay *r, bool dropped)
{
	uint64_t cur = r->taken - 1, slot = cur % RING, by, e;

	if (cur >= RING && r->new_id[slot] != ISA_ID_NONE) {
		e = end_of(r, r->new_id[slot], &by);
		if (!r->has_far || e > r->far_end) {
			r->far_end = e;
			r->far_end_id = by;
			r->has_far = true;
		}
	}
	r->new_id[slot] = dropped ? ISA_ID_NONE : r->next_id;
	if (dropped || r->next_id != cur)
		r->shifted = true;
}

/*
 * The new id of an earlier old id: 1 and *new_id, 0 if it was dropped, 2 if
 * it is too far back to know and *new_id is the instruction whose end bounds it.
 */
static int
map_id(const struct replay *r, uint64_t old, uint64_t *new_id)
{
	if (r->taken - 1 - old > RING) {
		if (!r->has_far)
			return 0;	/* everything that far back was dropped */
		*new_id = r->far_end_id;
		return 2;
	}
	if (r->new_id[old % RING] == ISA_ID_NONE)
		return 0;
	*new_id = r->new_id[old % RING];
	return 1;
}

/* ---- timing --------------------------------------------------------- */

/*
 * When a new id ended, and *by which instruction that is known.  Ends are
 * kept for the last RING ids; an older one is taken to end at the latest end
 * among those forgotten, never earlier than the truth.
 */
static uint64_t
end_of(struct replay *r, uint64_t id, uint64_t *by)
{
	if (r->next_id - id <= RING) {
		*by = id;
		return r->end[id % RING];
	}
	*by = r->evicted_end_id;
	return r->evicted_end;
}

/* ceil() for the non-negative times here, without a libm call per instruction */
static uint64_t
up(double t)
{
	uint64_t i;

	if (t >= (double)(ISA_MAX_TIME * 2))
		return ISA_MAX_TIME * 2;	/* past any legal time: execute() says so */
	i = (uint64_t)t;
	return (double)i < t ? i + 1 : i;
}

/* A stretch of DRAM use is final: tell the observers. */
static void
dram_done(void *ctx, const struct tl_seg *g)
{
	struct replay *r = ctx;
	unsigned k;

	for (k = 0; k < r->nobs; k++)
		if (r->obs[k].dram != NULL)
			r->obs[k].dram(r->obs[k].ctx, g->t0, g->t1, g->used);
}

/*
 * When `in`, starting at `earliest` and costing `base` alone, ends once
 * the DRAM bandwidth and the L1 ports it shares are booked; *slow is the
 * resource that made it longer, if one did.
 */
static uint64_t
book(struct replay *r, const struct isa_instr *in, uint64_t earliest, uint64_t base,
    unsigned *slow)
{
	const struct npu *n = r->npu;
	uint64_t end = earliest + base;
	double t_end = (double)end, t;

	*slow = ISA_CAUSE_NONE;
	if (isa_op_is_transfer(in->op) && (r->o.dram_sharing || r->o.port_sharing) && in->bytes > 0) {
		double data = (double)(earliest + r->latency);
		double bursts = (double)(cost_div_up(in->bytes, n->dram.burst_bytes) *
		    n->dram.burst_bytes);
		if (r->o.dram_sharing) {
			t = tl_book(&r->dram, data, bursts, npu_dram_bytes_per_cycle(n));
			if (up(t) > end) {
				t_end = t;
				*slow = ISA_CAUSE_DRAM;
			}
		}
		if (r->o.port_sharing) {
			bool to_l1 = in->op == ISA_OP_LOAD || in->op == ISA_OP_FILL;
			t = tl_book(to_l1 ? &r->wr : &r->rd, data, (double)in->bytes,
			    to_l1 ? n->l1.write_bytes_per_cycle : n->l1.read_bytes_per_cycle);
			if (t > t_end) {
				t_end = t;
				*slow = ISA_CAUSE_PORT;
			}
		}
		return up(t_end) > end ? up(t_end) : end;
	}
	if (!isa_op_is_transfer(in->op) && r->o.port_sharing && base > 0) {
		/* a compute unit streams its L1 operands at its own rate */
		uint64_t rb = isa_l1_bytes(in->src, in->nsrc), wb = isa_l1_bytes(in->dst, in->ndst);
		if (rb && (t = tl_book(&r->rd, (double)earliest, (double)rb, (double)rb / base)) > t_end)
			t_end = t;
		if (wb && (t = tl_book(&r->wr, (double)earliest, (double)wb, (double)wb / base)) > t_end)
			t_end = t;
		if (up(t_end - 1e-9) > end) {
			end = up(t_end - 1e-9);
			*slow = ISA_CAUSE_PORT;
		}
	}
	return end;
}

/*
 * Its data was ready at `ready`: before that it waited for a producer
 * (its unit idle), after it for its unit or DMA channel (busy with earlier
 * work); then it may have run longer than its cost.  Its stall is the
 * unit's stalled time on its account, the idle wait and the slowdown, so
 * that a unit's stalls add up to its stalled cycles in the statistics;
 * time queued behind earlier work is the unit busy, and shows only as the
 * cause when it is all there was.
 */
static void
attribute(struct replay *r, struct isa_instr *in, uint64_t ready, uint64_t prod,
    uint64_t base, unsigned slow)
{
	unsigned u = in->unit;
	uint64_t free_at = r->unit_free[u];
	uint64_t wait = ready > free_at ? ready - free_at : 0;
	uint64_t queued = prod != ISA_ID_NONE && free_at > ready ? free_at - ready : 0;
	uint64_t stretch = in->rep_end - in->rep_start - base;

	in->stall = wait + stretch;
	in->cause = ISA_CAUSE_NONE;
	in->stall_on = 0;
	if (wait > 0 && wait >= stretch) {
		bool space = r->next_id - prod <= RING && (r->spill_made[(prod % RING) / 8] >>
		    (prod % 8) & 1);
		in->cause = space ? ISA_CAUSE_SPACE : ISA_CAUSE_DEP;
		in->stall_on = prod;
	} else if (stretch > 0 && stretch >= queued) {
		in->cause = (uint8_t)slow;
	} else if (queued > 0) {
		in->cause = u >= ISA_UNIT_DMA0 ? ISA_CAUSE_DMA : ISA_CAUSE_UNIT;
	}
}

/*
 * Tell the observers the instruction, and the L1 bytes holding data when
 * they changed: not the occupancy, which counts allocations not yet
 * written that make_room() may give up without an instruction, so that a
 * trace alone (residency.h) accounts exactly what the observers were told.
 */
static int
report(struct replay *r, const struct isa_instr *in, uint64_t base)
{
	uint64_t pred = stats_pred(in, r->unit_last[in->unit]);
	unsigned k;

	for (k = 0; k < r->nobs; k++)
		if (r->obs[k].instr != NULL && r->obs[k].instr(r->obs[k].ctx, in, pred, base, r->e) != 0) {
			errbuf_set(&r->err, "%s", r->e->msg);
			return r->failed = true, -1;
		}
	if (r->holding != r->l1_reported) {
		r->l1_reported = r->holding;
		for (k = 0; k < r->nobs; k++)
			if (r->obs[k].l1 != NULL)
				r->obs[k].l1(r->obs[k].ctx, in->rep_start, r->holding);
	}
	return 0;
}

/* How often (in new ids) bandwidth that no instruction can use any more is forgotten. */
#define PRUNE_EVERY 256

/* The instruction has left: its unit's queue and its end move on. */
static void
retire(struct replay *r, const struct isa_instr *in)
{
	uint64_t id = in->id, low = UINT64_MAX;
	unsigned u;

	if (r->next_id >= RING && r->end[id % RING] > r->evicted_end) {
		r->evicted_end = r->end[id % RING];
		r->evicted_end_id = id - RING;
	}
	r->end[id % RING] = in->rep_end;
	r->spill_made[(id % RING) / 8] &= (uint8_t)~(1u << (id % 8));
	r->unit_free[in->unit] = in->rep_end;
	r->unit_last[in->unit] = id;
	r->next_id++;
	/*
	 * Forget bandwidth used before every unit that has run is free again:
	 * later instructions start after their unit's last one.  (A unit's
	 * first instruction starting earlier than that sees the past as idle.)
	 */
	if (id % PRUNE_EVERY != 0)
		return;
	for (u = 0; u < ISA_NUNITS; u++)
		if (r->unit_last[u] != ISA_ID_NONE && r->unit_free[u] < low)
			low = r->unit_free[u];
	tl_prune(&r->dram, (double)low, dram_done, r);
	tl_prune(&r->rd, (double)low, NULL, NULL);
	tl_prune(&r->wr, (double)low, NULL, NULL);
}

/* Time `in` (its deps already in new ids), fill its replay fields, report it. */
static int
execute(struct replay *r, struct isa_instr *in)
{
	uint64_t base = cost_memo_instr(&r->cost, in), ready = 0, prod = ISA_ID_NONE;
	uint64_t earliest, end, by, e;
	unsigned d, slow;

	for (d = 0; d < in->ndeps; d++) {
		e = end_of(r, in->deps[d], &by);
		if (by != in->deps[d] && !(r->far_mask >> d & 1))
			r->far_deps++;
		if (prod == ISA_ID_NONE || e > ready) {
			ready = e;
			prod = in->deps[d];
		}
	}
	earliest = ready > r->unit_free[in->unit] ? ready : r->unit_free[in->unit];
	end = book(r, in, earliest, base, &slow);
	if (end > ISA_MAX_TIME)
		return fail(r, "instruction %llu would end after cycle 2^62 (at %llu): its sizes "
		    "are too large for npu '%s'", (unsigned long long)(r->taken - 1),
		    (unsigned long long)end, r->npu->name);
	in->replayed = true;
	in->rep_start = earliest;
	in->rep_end = end;
	attribute(r, in, ready, prod, base, slow);
	in->id = r->next_id;
	if (report(r, in, base) != 0)
		return -1;
	retire(r, in);
	return 0;
}

/* ---- capacity ------------------------------------------------------- */

static bool
overlaps(const struct alloc *a, const struct isa_region *g)
{
	return g->addr < a->addr + a->size && a->addr < g->addr + g->size;
}

/* Where addr goes in by_addr: the first entry with a larger address. */
static size_t
by_addr_pos(const struct replay *r, uint64_t addr)
{
	return search_after_u64(r->by_addr, r->nal, sizeof *r->by_addr, addr);
}

/* Allocations are disjoint: the last one starting at or before g, or the next. */
static struct alloc *
find_alloc_search(struct replay *r, const struct isa_region *g, size_t *cached)
{
	size_t p = by_addr_pos(r, g->addr), i;

	if (p > 0 && overlaps(&r->al[r->by_addr[p - 1].i], g))
		i = r->by_addr[p - 1].i;
	else if (p < r->nal && overlaps(&r->al[r->by_addr[p].i], g))
		i = r->by_addr[p].i;
	else
		return NULL;
	*cached = i;
	return &r->al[i];
}

/* Allocation k moves to index to (to == SIZE_MAX: it is removed). */
static void
by_addr_move(struct replay *r, size_t k, size_t to)
{
	size_t p = by_addr_pos(r, r->al[k].addr) - 1;	/* addresses are unique */

	if (to != SIZE_MAX) {
		r->by_addr[p].i = to;
		return;
	}
	memmove(&r->by_addr[p], &r->by_addr[p + 1], (r->nal - p - 1) * sizeof *r->by_addr);
}

/*
 * The allocation a region lies in.  Traces touch the same few addresses
 * over and over, so a small cache by address answers most lookups.
 */
static inline struct alloc *
find_alloc(struct replay *r, const struct isa_region *g)
{
	size_t *cached = &r->al_cache[(g->addr * 0x9E3779B97F4A7C15ull) >> (64 - AL_CACHE_BITS)];

	if (*cached < r->nal && overlaps(&r->al[*cached], g))
		return &r->al[*cached];
	return find_alloc_search(r, g, cached);
}

#ifdef REPLAY_SELF_CHECK
/* The unit tests build this file again with the index checked against a plain scan. */
unsigned long replay_self_check_calls, replay_self_check_failures;

static uint64_t
next_use_by_scan(const struct replay *r, const struct alloc *a)
{
	uint64_t o;
	unsigned i;

	for (o = r->taken; o < r->entered; o++) {
		const struct isa_instr *in = window_at(r, o);
		if (in->op == ISA_OP_SPILL || in->op == ISA_OP_FILL)
			continue;
		for (i = 0; i < (unsigned)in->nsrc + in->ndst; i++)
			if (region_of(in, i)->buf == ISA_BUF_L1 && overlaps(a, region_of(in, i)))
				return o;
	}
	return ISA_ID_NONE;
}
#endif

/* The old id of the next instruction in the window touching a, or ISA_ID_NONE. */
static uint64_t
next_use(struct replay *r, struct alloc *a)
{
	struct uses *u = &a->uses;

	uses_forget(r, u);
#ifdef REPLAY_SELF_CHECK
	replay_self_check_calls++;
	if ((u->len > 0 ? u->v[u->head] : ISA_ID_NONE) != next_use_by_scan(r, a))
		replay_self_check_failures++;
#endif
	return u->len > 0 ? u->v[u->head] : ISA_ID_NONE;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A new allocation claims the window's uses of its range that came in
 * before it existed (pending ones), in order.
 */
static int
claim_uses(struct replay *r, struct alloc *a)
{
	size_t i, keep = 0, n = 0;

	if (r->claim_alloc < r->npend) {
		uint64_t *v = realloc(r->claim, r->npend * sizeof *v);
		if (v == NULL)
			return fail(r, "out of memory");
		r->claim = v;
		r->claim_alloc = r->npend;
	}
	for (i = 0; i < r->npend; i++) {
		const struct pending *p = &r->pend[i];
		const struct isa_region *g;
		if (p->old < r->taken)
			continue;	/* gone from the window */
		g = region_of(window_at(r, p->old), p->region);
		if (overlaps(a, g)) {
			if (check_inside(r, a, g, p->old) != 0)
				return -1;
			r->claim[n++] = p->old;
		} else {
			r->pend[keep++] = *p;
		}
	}
	r->npend = keep;
	if (n > 1)
		qsort(r->claim, n, sizeof *r->claim, cmp_u64);
	for (i = 0; i < n; i++)
		if (use_push(r, a, r->claim[i]) != 0)
			return -1;
	return 0;
}

/* A freed allocation's uses in the window belong to whatever comes next there. */
static int
release_uses(struct replay *r, struct alloc *a)
{
	struct uses *u = &a->uses;
	size_t k;
	unsigned i;

	for (k = 0; k < u->len; k++) {
		uint64_t old = u->v[(u->head + k) & (u->cap - 1)];
		const struct isa_instr *in;
		if (old < r->taken)
			continue;
		in = window_at(r, old);
		for (i = 0; i < (unsigned)in->nsrc + in->ndst; i++)
			if (region_of(in, i)->buf == ISA_BUF_L1 && overlaps(a, region_of(in, i)) &&
			    pend_push(r, old, i) != 0)
				return -1;
	}
	free(u->v);
	memset(u, 0, sizeof *u);
	return 0;
}

/* The DMA channel that frees up first. */
static unsigned
free_channel(const struct replay *r)
{
	unsigned c, best = ISA_UNIT_DMA0;

	for (c = 0; c < r->npu->dma.channels; c++)
		if (r->unit_free[ISA_UNIT_DMA0 + c] < r->unit_free[best])
			best = ISA_UNIT_DMA0 + c;
	return best;
}

/* Insert a SPILL or FILL of a before the current instruction, after dep1 and dep2 (new ids or ISA_ID_NONE). */
static int
transfer(struct replay *r, unsigned op, struct alloc *a, uint64_t dep1, uint64_t dep2)
{
	uint64_t id = r->next_id;
	uint32_t mask = r->far_mask;	/* the current instruction's, not this one's */
	struct isa_instr t;
	struct isa_region l1 = { ISA_BUF_L1, ISA_T_NONE, a->addr, a->size };
	struct isa_region dram = { ISA_BUF_DRAM, ISA_T_NONE, a->spill_addr, a->size };

	memset(&t, 0, sizeof t);
	t.unit = (uint8_t)free_channel(r);
	t.op = (uint8_t)op;
	t.bytes = a->size;
	t.nsrc = t.ndst = 1;
	t.src[0] = op == ISA_OP_SPILL ? l1 : dram;
	t.dst[0] = op == ISA_OP_SPILL ? dram : l1;
	if (dep1 != ISA_ID_NONE)
		t.deps[t.ndeps++] = dep1;
	if (dep2 != ISA_ID_NONE && dep2 != dep1)
		t.deps[t.ndeps++] = dep2;
	/* a transfer takes no planned time: the plan did not know about it */
	t.plan_start = t.plan_end = r->unit_free[t.unit];
	r->far_mask = 0;
	if (execute(r, &t) != 0)
		return -1;
	r->far_mask = mask;
	r->spill_made[(id % RING) / 8] |= (uint8_t)(1u << (id % 8));
	return 0;
}

/*
 * The current instruction must wait for new id `wait_for` (a spill or a
 * fill).  With no dependency slot left, a barrier inserted on its unit
 * waits instead, and unit order holds the instruction behind it: no wait
 * is ever dropped.
 */
static int
attach_wait(struct replay *r, struct isa_instr *cur, uint64_t wait_for)
{
	uint32_t mask = r->far_mask;
	struct isa_instr b;
	unsigned d;

	if (wait_for == ISA_ID_NONE)
		return 0;
	for (d = 0; d < cur->ndeps; d++)
		if (cur->deps[d] == wait_for)
			return 0;
	if (cur->ndeps < ISA_MAX_DEPS) {
		cur->deps[cur->ndeps++] = wait_for;
		return 0;
	}
	memset(&b, 0, sizeof b);
	b.unit = cur->unit;
	b.op = ISA_OP_BARRIER;
	b.flags = ISA_F_INSERTED;
	b.ndeps = 1;
	b.deps[0] = wait_for;
	b.plan_start = b.plan_end = r->unit_free[cur->unit];
	r->far_mask = 0;
	if (execute(r, &b) != 0)
		return -1;
	r->far_mask = mask;
	return 0;
}

/*
 * Make room for `need` bytes: evict resident allocations other than those
 * the current instruction touches, the one used furthest ahead first.
 * Returns the new id + 1 of the last SPILL, which the space's new user
 * must wait for (0 if none was needed).
 */
static int
make_room(struct replay *r, uint64_t need, const struct isa_instr *cur, uint64_t old,
    uint64_t *wait_for)
{
	const uint64_t cap = r->npu->l1.capacity_bytes;

	struct alloc *mine[ISA_MAX_SRC + ISA_MAX_DST];
	unsigned i, nmine = 0;

	*wait_for = ISA_ID_NONE;
	if (r->occupancy + need <= cap)
		return 0;
	if (!r->tracking) {	/* the first eviction: index the window's uses from now on */
		uint64_t o;
		r->tracking = true;
		for (o = r->taken; o < r->entered; o++)
			if (note_uses(r, window_at(r, o), o) != 0)
				return -1;
	}
	for (i = 0; i < (unsigned)cur->nsrc + cur->ndst; i++) {	/* never evicted for itself */
		const struct isa_region *g = region_of(cur, i);
		if (g->buf == ISA_BUF_L1 && (mine[nmine] = find_alloc(r, g)) != NULL)
			nmine++;
	}
	while (r->occupancy + need > cap) {
		struct alloc *victim = NULL;
		uint64_t best = 0;
		size_t k;

		for (k = 0; k < r->nal; k++) {
			struct alloc *a = &r->al[k];
			uint64_t nu;
			bool used = false;
			if (!a->resident)
				continue;
			for (i = 0; i < nmine; i++)
				used |= mine[i] == a;
			if (used)
				continue;
			nu = next_use(r, a);
			if (victim == NULL || nu > best) {
				victim = a;
				best = nu;
			}
			if (nu == ISA_ID_NONE)
				break;	/* not used in the window: nothing comes later, and ties go first */
		}
		if (victim == NULL)
			return fail(r, "instruction %llu needs %llu bytes of L1 at once, more than its "
			    "capacity %llu", (unsigned long long)old,
			    (unsigned long long)(r->occupancy + need), (unsigned long long)cap);
		victim->resident = false;
		r->occupancy -= victim->size;
		if (victim->valid) {
			r->holding -= victim->size;
			if (victim->spill_addr == 0) {
				victim->spill_addr = ISA_SPILL_BASE + r->spill_next;
				r->spill_next += (victim->size + 63) / 64 * 64;
			}
			if (transfer(r, ISA_OP_SPILL, victim, victim->last_access,
			    victim->last_reader) != 0)
				return -1;
			victim->spilled_by = r->next_id - 1;	/* the SPILL's */
			*wait_for = r->next_id - 1;
		}
	}
	return 0;
}

/* Bring the L1 region g back if it was spilled; *found is its allocation, or NULL. */
static int
touch(struct replay *r, struct isa_instr *cur, uint64_t old, const struct isa_region *g,
    bool write, struct alloc **found)
{
	struct alloc *a;
	uint64_t wait_for;

	a = *found = find_alloc(r, g);
	if (a == NULL)
		return 0;	/* traces need not allocate: then nothing is tracked */
	if (check_inside(r, a, g, old) != 0)
		return -1;
	if (!a->resident) {
		if (make_room(r, a->size, cur, old, &wait_for) != 0)
			return -1;
		a->resident = true;
		r->occupancy += a->size;
		if (a->valid) {
			r->holding += a->size;
			if (transfer(r, ISA_OP_FILL, a, a->spilled_by, wait_for) != 0)
				return -1;
			wait_for = r->next_id - 1;	/* the FILL's */
		}
		if (attach_wait(r, cur, wait_for) != 0)
			return -1;
	}
	if (write && !a->valid) {
		a->valid = true;
		r->holding += a->size;
	}
	return 0;
}

/* A new allocation of L1 region g, in al[] and in the index by address. */
static struct alloc *
al_add(struct replay *r, const struct isa_region *g)
{
	struct alloc *a;
	size_t p;

	if (r->nal == r->al_alloc) {
		struct alloc_index *x;
		r->al_alloc = r->al_alloc ? r->al_alloc * 2 : 64;
		if ((a = realloc(r->al, r->al_alloc * sizeof *a)) == NULL)
			return NULL;
		r->al = a;
		if ((x = realloc(r->by_addr, r->al_alloc * sizeof *x)) == NULL)
			return NULL;
		r->by_addr = x;
	}
	p = by_addr_pos(r, g->addr);
	memmove(&r->by_addr[p + 1], &r->by_addr[p], (r->nal - p) * sizeof *r->by_addr);
	r->by_addr[p].addr = g->addr;
	r->by_addr[p].i = r->nal;
	a = &r->al[r->nal++];
	memset(a, 0, sizeof *a);
	a->addr = g->addr;
	a->size = g->size;
	a->last_access = a->last_reader = a->spilled_by = ISA_ID_NONE;
	return a;
}

/* ALLOC of region g by instruction `old`: room is made, then it is resident. */
static int
allocate(struct replay *r, struct isa_instr *cur, uint64_t old, const struct isa_region *g)
{
	const uint64_t cap = r->npu->l1.capacity_bytes;
	struct alloc *a;
	uint64_t wait_for;

	if (find_alloc(r, g) != NULL)
		return fail(r, "instruction %llu allocates l1:%llu+%llu, which is already allocated",
		    (unsigned long long)old, (unsigned long long)g->addr,
		    (unsigned long long)g->size);
	if (g->size > cap)
		return fail(r, "instruction %llu allocates %llu bytes of L1, more than its capacity "
		    "%llu", (unsigned long long)old, (unsigned long long)g->size,
		    (unsigned long long)cap);
	if (make_room(r, g->size, cur, old, &wait_for) != 0 ||
	    attach_wait(r, cur, wait_for) != 0)
		return -1;
	if ((a = al_add(r, g)) == NULL)
		return fail(r, "out of memory");
	a->resident = true;
	r->occupancy += g->size;
	return claim_uses(r, a);
}

/* FREE of region g by instruction `old`: the allocation and its uses go. */
static int
release(struct replay *r, uint64_t old, const struct isa_region *g)
{
	struct alloc *a = find_alloc(r, g);

	if (a == NULL)
		return fail(r, "instruction %llu frees l1:%llu+%llu, which is not allocated (freed "
		    "twice?)", (unsigned long long)old, (unsigned long long)g->addr,
		    (unsigned long long)g->size);
	if (check_inside(r, a, g, old) != 0)
		return -1;
	if (a->resident) {
		r->occupancy -= a->size;
		if (a->valid)
			r->holding -= a->size;
	}
	if (release_uses(r, a) != 0)
		return -1;
	by_addr_move(r, (size_t)(a - r->al), SIZE_MAX);
	r->nal--;
	if (a != &r->al[r->nal]) {
		by_addr_move(r, r->nal, (size_t)(a - r->al));
		*a = r->al[r->nal];
	}
	return 0;
}

/*
 * L1 for the current instruction, old id `old`: its allocations made or
 * freed, or the allocations its regions lie in brought back if spilled
 * (remembered in found[] for after()).
 */
static int
capacity(struct replay *r, struct isa_instr *cur, uint64_t old)
{
	unsigned i;

	r->found_ok = false;
	if (cur->op == ISA_OP_ALLOC || cur->op == ISA_OP_FREE) {
		bool alloc = cur->op == ISA_OP_ALLOC;
		const struct isa_region *g = alloc ? cur->dst : cur->src;
		unsigned n = alloc ? cur->ndst : cur->nsrc;
		for (i = 0; i < n; i++)
			if (g[i].buf == ISA_BUF_L1 && (alloc ? allocate(r, cur, old, &g[i]) :
			    release(r, old, &g[i])) != 0)
				return -1;
		return 0;
	}
	for (i = 0; i < (unsigned)cur->nsrc + cur->ndst; i++) {
		bool dst = i >= cur->nsrc;
		unsigned j = dst ? i - cur->nsrc : i;
		const struct isa_region *g = region_of(cur, i);
		struct alloc **found = &r->found[dst ? ISA_MAX_SRC + j : j];

		*found = NULL;
		if (g->buf == ISA_BUF_L1 && touch(r, cur, old, g, dst && cur->op != ISA_OP_OVERWRITE,
		    found) != 0)
			return -1;
	}
	r->found_ok = true;
	return 0;
}

/* The allocation of a region of `in`, as capacity() found it when it could. */
static struct alloc *
region_alloc(struct replay *r, const struct isa_region *g, unsigned slot)
{
	if (g->buf != ISA_BUF_L1)
		return NULL;
	return r->found_ok ? r->found[slot] : find_alloc(r, g);
}

/* After timing: who last touched each allocation, and overwrite hazards. */
static int
after(struct replay *r, const struct isa_instr *in, uint64_t old)
{
	struct alloc *a;
	unsigned i;

	for (i = 0; i < in->ndst; i++) {
		if ((a = region_alloc(r, &in->dst[i], ISA_MAX_SRC + i)) == NULL)
			continue;
		if (in->op == ISA_OP_OVERWRITE && a->last_reader != ISA_ID_NONE &&
		    a->last_read_end > in->rep_start)
			return fail(r, "hazard: instruction %llu overwrites l1:%llu+%llu at cycle %llu "
			    "while instruction %llu still reads it until cycle %llu",
			    (unsigned long long)old, (unsigned long long)in->dst[i].addr,
			    (unsigned long long)in->dst[i].size, (unsigned long long)in->rep_start,
			    (unsigned long long)a->last_reader,
			    (unsigned long long)a->last_read_end);
		a->last_access = in->id;
		if (in->op == ISA_OP_OVERWRITE)
			a->last_reader = ISA_ID_NONE;
	}
	for (i = 0; i < in->nsrc; i++) {
		if ((a = region_alloc(r, &in->src[i], i)) == NULL)
			continue;
		a->last_access = in->id;
		a->last_reader = in->id;
		if (in->rep_end > a->last_read_end)
			a->last_read_end = in->rep_end;
	}
	return 0;
}

/* ---- the loop ------------------------------------------------------- */

static int
check_units(struct replay *r, const struct isa_instr *in, uint64_t old)
{
	char name[8];
	unsigned i;

	if (in->unit >= ISA_UNIT_DMA0 && (uint32_t)(in->unit - ISA_UNIT_DMA0) >= r->npu->dma.channels)
		return fail(r, "instruction %llu runs on unit %s, but npu '%s' has %u DMA channels "
		    "(dma0 to dma%u)", (unsigned long long)old, isa_unit_name(in->unit, name,
		    sizeof name), r->npu->name, (unsigned)r->npu->dma.channels,
		    (unsigned)r->npu->dma.channels - 1);
	if (!r->has_l0) {
		if (in->unit == ISA_UNIT_MTE)
			return fail(r, "instruction %llu runs on unit mte, but npu '%s' has no L0 "
			    "buffers to move to", (unsigned long long)old, r->npu->name);
		for (i = 0; i < in->nsrc + in->ndst; i++) {
			const struct isa_region *g = region_of(in, i);
			if (g->buf >= ISA_BUF_L0A)
				return fail(r, "instruction %llu uses %s, but npu '%s' has no L0 buffers",
				    (unsigned long long)old, isa_buf_name(g->buf), r->npu->name);
		}
	}
	return 0;
}

/* Replay the instruction at the head of the window. */
static int
step(struct replay *r)
{
	struct isa_instr *cur;
	uint64_t old = r->taken, nd;
	unsigned d, keep;

	/* the slot is refilled only by a later push: work on it in place */
	cur = &r->win[r->win_head];
	r->win_head = (r->win_head + 1) & r->win_mask;
	r->win_len--;
	r->taken = old + 1;
	if (cur->op == ISA_OP_SPILL || cur->op == ISA_OP_FILL ||
	    (cur->op == ISA_OP_BARRIER && (cur->flags & ISA_F_INSERTED))) {
		/* an earlier replay's: made again as this one needs */
		note_new_id(r, true);
		return 0;
	}
	r->far_mask = 0;
	if (r->shifted) {	/* else every dependency keeps its id */
		for (d = 0, keep = 0; d < cur->ndeps; d++) {
			int m = map_id(r, cur->deps[d], &nd);
			if (m == 0)
				continue;
			if (m == 2) {
				r->far_deps++;
				r->far_mask |= 1u << keep;
			}
			cur->deps[keep++] = nd;
		}
		cur->ndeps = (uint8_t)keep;
	}
	if (check_units(r, cur, old) != 0)
		return -1;
	if (r->o.capacity && capacity(r, cur, old) != 0)
		return -1;
	note_new_id(r, false);
	if (execute(r, cur) != 0)
		return -1;
	return after(r, cur, old);
}

struct replay *
replay_new(const struct npu *npu, const struct replay_opts *o, const char *name,
    struct errbuf *e)
{
	struct replay *r;
	size_t i;

	r = calloc(1, sizeof *r);
	if (r == NULL) {
		errbuf_set(e, "out of memory");
		return NULL;
	}
	r->npu = npu;
	r->o = *o;
	snprintf(r->name, sizeof r->name, "%s", name);
	r->win_max = o->window ? o->window : 1;
	if (r->win_max > REPLAY_WINDOW_MAX)
		r->win_max = REPLAY_WINDOW_MAX;
	for (r->win_mask = 1; r->win_mask < r->win_max; r->win_mask *= 2)
		;
	r->win = malloc(r->win_mask * sizeof *r->win);
	r->win_mask--;
	r->end = calloc(RING, sizeof *r->end);
	r->new_id = calloc(RING, sizeof *r->new_id);
	if (r->win == NULL || r->end == NULL || r->new_id == NULL) {
		replay_free(r);
		errbuf_set(e, "out of memory");
		return NULL;
	}
	tl_init(&r->dram, npu_dram_bytes_per_cycle(npu));
	tl_init(&r->rd, npu->l1.read_bytes_per_cycle);
	tl_init(&r->wr, npu->l1.write_bytes_per_cycle);
	r->latency = cost_dram_latency(npu);
	r->has_l0 = npu_has_l0(npu);
	for (i = 0; i < RING; i++)
		r->new_id[i] = ISA_ID_NONE;
	for (i = 0; i < ISA_NUNITS; i++)
		r->unit_last[i] = ISA_ID_NONE;
	cost_memo_init(&r->cost, npu);
	return r;
}

int
replay_observe(struct replay *r, const struct replay_observer *ob, struct errbuf *e)
{
	if (r->nobs == REPLAY_MAX_OBSERVERS)
		return errbuf_set(e, "%s: more than %d observers of one replay", r->name,
		    REPLAY_MAX_OBSERVERS);
	r->obs[r->nobs++] = *ob;
	return 0;
}

/* The first error again, for a call after it. */
static int
failed(struct replay *r, struct errbuf *e)
{
	errbuf_set(e, "%s", r->err.msg);
	return -1;
}

static int
feed(struct replay *r, const struct isa_instr *in, struct errbuf *e)
{
	r->e = e;
	if (r->failed)
		return failed(r, e);
	if (window_push(r, in) != 0)
		return -1;
	return r->win_len == r->win_max ? step(r) : 0;
}

int
replay_feed(struct replay *r, const struct isa_instr *in, struct errbuf *e)
{
	char why[ERRBUF_SIZE - 300];

	if (!r->failed && in->id != r->entered) {
		r->e = e;
		return fail(r, "instruction id %llu, expected %llu (ids count up from 0 in order)",
		    (unsigned long long)in->id, (unsigned long long)r->entered);
	}
	if (!r->failed && isa_check(in, why, sizeof why) != 0) {
		r->e = e;
		return fail(r, "instruction %llu: %s", (unsigned long long)in->id, why);
	}
	return feed(r, in, e);
}

int
replay_finish(struct replay *r, struct errbuf *e)
{
	r->e = e;
	if (r->failed)
		return failed(r, e);
	while (r->win_len > 0)
		if (step(r) != 0)
			return -1;
	tl_prune(&r->dram, HUGE_VAL, dram_done, r);
	if (r->dram.failed || r->rd.failed || r->wr.failed)
		return fail(r, "out of memory");
	return 0;
}

uint64_t
replay_far_deps(const struct replay *r)
{
	return r->far_deps;
}

void
replay_free(struct replay *r)
{
	if (r == NULL)
		return;
	tl_free(&r->dram);
	tl_free(&r->rd);
	tl_free(&r->wr);
	free(r->win);
	free(r->end);
	free(r->new_id);
	while (r->nal > 0)
		free(r->al[--r->nal].uses.v);
	free(r->pend);
	free(r->claim);
	free(r->by_addr);
	free(r->al);
	free(r);
}

/* ---- the common observers and the push writer ------------------------ */

static int
observe_stats(void *ctx, const struct isa_instr *in, uint64_t pred, uint64_t base,
    struct errbuf *e)
{
	(void)e;
	stats_add(ctx, in, pred, base);
	return 0;
}

void
replay_observer_stats(struct replay_observer *ob, struct stats *st)
{
	memset(ob, 0, sizeof *ob);
	ob->ctx = st;
	ob->instr = observe_stats;
}

static int
observe_writer(void *ctx, const struct isa_instr *in, uint64_t pred, uint64_t base,
    struct errbuf *e)
{
	(void)pred;
	(void)base;
	return trace_write(ctx, in, e);
}

void
replay_observer_writer(struct replay_observer *ob, struct trace_writer *w)
{
	memset(ob, 0, sizeof *ob);
	ob->ctx = w;
	ob->instr = observe_writer;
}

struct replay_writer {
	struct trace_writer w;
	struct replay *r;
};

static int
rw_write(struct trace_writer *w, const struct isa_instr *in, struct errbuf *e)
{
	struct replay_writer *rw = (struct replay_writer *)w;
	struct isa_instr copy;

	/* a writer numbers what it is given (schedulers number them already) */
	if (in->id != w->count) {
		isa_copy(&copy, in);
		copy.id = w->count;
		in = &copy;
	}
	if (replay_feed(rw->r, in, e) != 0)
		return -1;
	w->count++;
	return 0;
}

static int
rw_close(struct trace_writer *w, struct errbuf *e)
{
	struct replay_writer *rw = (struct replay_writer *)w;
	int rc = replay_finish(rw->r, e);

	free(rw);
	return rc;
}

static void
rw_abort(struct trace_writer *w)
{
	free(w);
}

static const struct trace_writer_ops replay_writer_ops = { rw_write, rw_close, rw_abort };

struct trace_writer *
replay_writer_new(struct replay *r, struct errbuf *e)
{
	struct replay_writer *rw = calloc(1, sizeof *rw);

	if (rw == NULL) {
		errbuf_set(e, "out of memory");
		return NULL;
	}
	rw->w.ops = &replay_writer_ops;
	rw->r = r;
	return &rw->w;
}

int
replay_run(struct trace_reader *in, const char *name, const struct npu *npu,
    const struct replay_opts *o, struct trace_writer *out, struct stats *st,
    struct errbuf *e)
{
	const struct isa_instr *instr;
	struct replay_observer ob;
	struct replay *r;
	int rc = -1, got;

	if ((r = replay_new(npu, o, name, e)) == NULL)
		return -1;
	if (out != NULL) {
		replay_observer_writer(&ob, out);
		replay_observe(r, &ob, e);
	}
	if (st != NULL) {
		replay_observer_stats(&ob, st);
		replay_observe(r, &ob, e);
	}
	/* the reader has checked what it returns */
	while ((got = trace_next(in, &instr, e)) == 1)
		if (feed(r, instr, e) != 0)
			goto out;
	if (got < 0 || replay_finish(r, e) != 0)
		goto out;
	if (st != NULL)
		st->far_deps = r->far_deps;
	rc = 0;
out:
	replay_free(r);
	return rc;
}
