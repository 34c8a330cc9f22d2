/* export: the core every output format shares (what is shown, when, where). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "cost.h"
#include "num.h"
#include "export-sink.h"
#include "export.h"
#include "trace-progress.h"
#include "stats.h"
#include "replay.h"
#include "residency.h"
#include "trace-file.h"

/*
 * A unit that has run nothing for this many instructions no longer holds
 * back the counters (see struct tq); a window ends after this many
 * instructions in a row started at or after its end.
 */
#define EXPORT_QUIET (1u << 16)
/* --flows all: instructions kept back so their consumers can add flows to them */
#define FLOW_RING 4096u
/* planned critical paths: ends of this many recent instructions are kept */
#define ENDS_KEPT (1u << 16)

const char *const export_key_names[EK_N_KEYS] = {
	[EK_ID] = "id", [EK_OP] = "op", [EK_UNIT] = "unit", [EK_BATCH] = "batch",
	[EK_HEAD] = "head", [EK_ROW_BLOCK] = "row_block", [EK_COL_BLOCK] = "col_block",
	[EK_SUB_TILE] = "sub_tile", [EK_M] = "m", [EK_N] = "n", [EK_K] = "k",
	[EK_BYTES] = "bytes", [EK_MACS] = "macs", [EK_VEC_OPS] = "vec_ops",
	[EK_FLAGS] = "flags", [EK_SRC0] = "src0", [EK_SRC1] = "src1", [EK_SRC2] = "src2",
	[EK_DST0] = "dst0", [EK_DST1] = "dst1", [EK_DEPS] = "deps",
	[EK_PLAN_START] = "plan_start_cycle", [EK_PLAN_END] = "plan_end_cycle",
	[EK_START] = "start_cycle", [EK_END] = "end_cycle", [EK_CYCLES] = "cycles",
	[EK_BUSY] = "busy_cycles", [EK_STALL] = "stall_cycles", [EK_CAUSE] = "stall_cause",
	[EK_WAITED_FOR] = "waited_for", [EK_REQUESTED] = "requested_bytes_per_cycle",
	[EK_GRANTED] = "granted_bytes_per_cycle", [EK_VICTIM] = "victim",
	[EK_FOR] = "made_room_for",
};

const char *
export_track_name(unsigned t, char *buf, size_t len)
{
	char unit[8];

	if (t == EXPORT_TRK_ROOT)
		return "trace";
	if (t < EXPORT_TRK_SPILLS)
		return isa_unit_name(t - EXPORT_TRK_UNIT0, buf, len);
	if (t == EXPORT_TRK_SPILLS)
		return "spills and fills";
	if (t == EXPORT_TRK_L1)
		return "L1 resident";
	if (t == EXPORT_TRK_DRAM)
		return "DRAM bandwidth";
	if (t < EXPORT_TRK_LANE0)
		snprintf(buf, len, "%s utilisation", isa_unit_name(t - EXPORT_TRK_UTIL0, unit,
		    sizeof unit));
	else
		snprintf(buf, len, "%s #%u", isa_unit_name((t - EXPORT_TRK_LANE0) /
		    (EXPORT_LANES - 1), unit, sizeof unit), (t - EXPORT_TRK_LANE0) % (EXPORT_LANES - 1) + 2);
	return buf;
}

int
export_track_rank(unsigned t)
{
	const int units = ISA_NUNITS * EXPORT_LANES;

	if (t == EXPORT_TRK_ROOT)
		return 0;
	if (t < EXPORT_TRK_SPILLS)
		return 1 + (int)(t - EXPORT_TRK_UNIT0) * EXPORT_LANES;
	if (t >= EXPORT_TRK_LANE0)
		return 1 + (int)((t - EXPORT_TRK_LANE0) / (EXPORT_LANES - 1)) * EXPORT_LANES +
		    (int)((t - EXPORT_TRK_LANE0) % (EXPORT_LANES - 1)) + 1;
	return 1 + units + (int)(t - EXPORT_TRK_SPILLS);
}

const char *
export_track_unit(unsigned t)
{
	if (t == EXPORT_TRK_L1)
		return "bytes";
	if (t == EXPORT_TRK_DRAM)
		return "GB/s";
	return t > EXPORT_TRK_DRAM && t < EXPORT_TRK_LANE0 ? "%" : NULL;
}

void
export_opts_default(struct export_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = EXPORT_FMT_PERFETTO;
	o->flows = EXPORT_FLOWS_CRITICAL;
}

int
export_time_parse(const char *s, struct export_time *t, char *why, size_t len)
{
	static const struct { const char *suffix; double us; } units[] = {
		{ "ns", 1e-3 }, { "us", 1 }, { "ms", 1e3 }, { "s", 1e6 },
	};
	char *end;
	double v;
	size_t i;

	memset(t, 0, sizeof *t);
	if (num_parse_u64(s, &t->n) == 0) {
		t->set = t->cycles = true;
		return 0;
	}
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || !(v >= 0) || v > 1e15) {
		snprintf(why, len, "got '%s', expected cycles or a time such as 150us", s);
		return -1;
	}
	for (i = 0; i < ARRAY_LEN(units); i++)
		if (strcmp(end, units[i].suffix) == 0) {
			t->set = true;
			t->us = v * units[i].us;
			return 0;
		}
	snprintf(why, len, "got '%s', expected cycles or a number with a unit: ns, us, ms or s", s);
	return -1;
}

uint64_t
export_time_cycles(const struct export_time *t, uint32_t clock_mhz, uint64_t dflt)
{
	double c;

	if (!t->set)
		return dflt;
	if (t->cycles)
		return t->n;
	c = t->us * clock_mhz;
	return c >= 1.8e19 ? UINT64_MAX : (uint64_t)(c + 0.5);
}

enum export_format
export_format_named(const char *name)
{
	if (strcmp(name, "perfetto") == 0)
		return EXPORT_FMT_PERFETTO;
	if (strcmp(name, "json") == 0)
		return EXPORT_FMT_JSON;
	if (strcmp(name, "csv") == 0)
		return EXPORT_FMT_CSV;
	if (strcmp(name, "text") == 0)
		return EXPORT_FMT_TEXT;
	return EXPORT_FMT_UNKNOWN;
}

static bool
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && strncmp(s + n - k, suffix, k) == 0;
}

enum export_format
export_format_for_path(const char *path, bool *gzip)
{
	size_t n = strlen(path);

	*gzip = ends_with(path, n, ".gz");
	if (*gzip)
		n -= 3;
	if (ends_with(path, n, ".pftrace") || ends_with(path, n, ".perfetto-trace") ||
	    ends_with(path, n, ".pb"))
		return EXPORT_FMT_PERFETTO;
	if (ends_with(path, n, ".json"))
		return EXPORT_FMT_JSON;
	if (ends_with(path, n, ".csv"))
		return EXPORT_FMT_CSV;
	if (ends_with(path, n, ".mtt") || ends_with(path, n, ".txt"))
		return EXPORT_FMT_TEXT;
	return EXPORT_FMT_UNKNOWN;
}

/* Room for one more of n elements of `size` bytes in *v; -1 when memory ran out. */
static int
grow(void *v, size_t n, size_t *cap, size_t size)
{
	void **p = v, *q;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	if ((q = realloc(*p, c * size)) == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/* ---- counters that must come out in time order ------------------------ */

/*
 * Counter changes arrive in trace order, not time order: each unit runs its
 * instructions in order, but units run ahead of one another.  They wait in
 * a heap until every unit that is still working has started past them (a
 * later instruction on a unit starts no earlier than its last), then leave
 * as absolute values.  A unit quiet for EXPORT_QUIET instructions stops
 * holding them back; a change that arrives behind what has left is shown
 * at the time already reached and counted in `late`.
 */
struct tq_ev {
	uint64_t t;
	uint32_t seq;		/* arrival order, so equal times keep it */
	uint8_t track;		/* EXPORT_TRK_L1 or EXPORT_TRK_DRAM */
	double delta;
};

struct tq {
	struct tq_ev *h;
	size_t n, cap;
	uint32_t seq;
	uint64_t done;		/* everything before this cycle has left */
	double value[2], shown[2];
	bool any[2], started;
	uint64_t late;
};

static bool
tq_less(const struct tq_ev *a, const struct tq_ev *b)
{
	return a->t < b->t || (a->t == b->t && (int32_t)(a->seq - b->seq) < 0);
}

static int
tq_push(struct tq *q, unsigned track, uint64_t t, double delta)
{
	size_t i;

	if (grow(&q->h, q->n, &q->cap, sizeof *q->h) != 0)
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

/* ---- the exporter ----------------------------------------------------- */

struct pending_mark {		/* a spill or fill waiting to learn what it made room for */
	uint64_t id, t, bytes;
	bool fill;
	struct isa_region victim;
};

struct held {			/* --flows all: an instruction kept back for its consumers */
	struct isa_instr in;
	uint64_t base;
	bool present;			/* in the window (else the slot only keeps the count) */
	uint16_t inmask;		/* dependencies drawn as flows */
	unsigned nout;
	uint64_t out[EXPORT_MAX_FLOWS];
};

struct export {
	const struct export_opts *o;
	const struct trace_header *h;
	const struct npu *npu;
	const struct export_sink_ops *ops;
	void *sink;
	struct export_counts *cnt;
	struct cost_memo cost;
	bool replayed;			/* export replayed times */
	uint64_t from, to;		/* the window, in cycles */
	uint64_t max_cycle;		/* the last cycle nanoseconds can hold */
	struct errbuf err;
	bool failed;

	/* counters */
	struct tq q;
	uint64_t unit_start[ISA_NUNITS], unit_seen[ISA_NUNITS];
	bool unit_on[ISA_NUNITS];
	uint64_t seen;			/* instructions given to export_instr() */
	struct residency l1;		/* L1 allocation lifetimes, for its counter */
	uint64_t max_end;		/* the last end so far: what is never freed leaves then */
	/* utilisation: the current sample of each unit */
	uint64_t util_w, bin[ISA_NUNITS], busy[ISA_NUNITS];
	double util_shown[ISA_NUNITS];
	bool util_any[ISA_NUNITS];

	struct trace_header hdr;
	struct zout *z;
	char *out;			/* export_new(): where to write, once the first instruction is seen */
	bool observed;			/* a replay's observer: counters come from it */
	uint64_t l1_level;		/* the last L1 level it reported */

	/* each unit's lanes: the end of the last slice on each */
	uint64_t lane_end[ISA_NUNITS][EXPORT_LANES];
	const char *name;		/* the input, for messages */

	/* spills and fills waiting for the instruction they made room for */
	struct pending_mark *marks;
	size_t nmarks, marks_cap;

	/* flows */
	FILE *path;			/* critical: per instruction, see mark_path() */
	struct held *ring;		/* all: the last FLOW_RING instructions */
	uint64_t ring_first, ring_next;	/* ids held: [first, next) */
};

static uint64_t
t_start(const struct export *x, const struct isa_instr *in)
{
	return x->replayed ? in->rep_start : in->plan_start;
}

static uint64_t
t_end(const struct export *x, const struct isa_instr *in)
{
	return x->replayed ? in->rep_end : in->plan_end;
}

static bool
in_window(const struct export *x, uint64_t t0, uint64_t t1)
{
	if (t0 == t1)
		return t0 >= x->from && t0 < x->to;
	return t1 > x->from && t0 < x->to;
}

static int
xfail(struct export *x, const char *msg)
{
	if (!x->failed)
		errbuf_set(&x->err, "%s", msg);
	x->failed = true;
	return -1;
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
static void
counters_flush(struct export *x, uint64_t upto)
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
		if (in_window(x, t, t))
			counters_show(x, t);
	}
}

/* The earliest start any working unit can still give an instruction. */
static uint64_t
watermark(const struct export *x)
{
	uint64_t w = UINT64_MAX;
	unsigned u;

	for (u = 0; u < ISA_NUNITS; u++)
		if (x->unit_on[u] && x->seen - x->unit_seen[u] <= EXPORT_QUIET && x->unit_start[u] < w)
			w = x->unit_start[u];
	return w;
}

static int
l1_change(struct export *x, uint64_t t, double delta)
{
	if (tq_push(&x->q, EXPORT_TRK_L1, t, delta) != 0)
		return xfail(x, "out of memory");
	return 0;
}

static void
residency_change(void *ctx, uint64_t cycle, int64_t delta)
{
	l1_change(ctx, cycle, (double)delta);
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

static void
util_close_bin(struct export *x, unsigned u)
{
	double pct = 100.0 * (double)x->busy[u] / (double)x->util_w;

	util_show(x, u, x->bin[u], pct < 100 ? pct : 100);
	x->busy[u] = 0;
}

static void
util_add(struct export *x, unsigned u, uint64_t t0, uint64_t t1)
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
			util_close_bin(x, u);
			if (b > x->bin[u] + 1)
				util_show(x, u, x->bin[u] + 1, 0);
			x->bin[u] = b;
		}
		stop = (b + 1) * w < t1 ? (b + 1) * w : t1;
		x->busy[u] += stop - t0;
		t0 = stop;
		whole = (t1 - t0) / w;
		if (whole > 1) {	/* samples it fills: one value says so, however many */
			util_close_bin(x, u);
			util_show(x, u, t0 / w, 100);
			x->bin[u] = t0 / w + whole - 1;
			x->busy[u] = w;
			t0 += whole * w;
		}
	}
}

/* ---- naming and annotations ------------------------------------------- */

static const char *
unit_class(unsigned unit)
{
	switch (unit) {
	case ISA_UNIT_MAC: return "mac";
	case ISA_UNIT_VEC: return "vec";
	case ISA_UNIT_MTE: return "mte";
	default: return "dma";
	}
}

static unsigned
tensor_of(const struct isa_instr *in)
{
	unsigned i;

	for (i = 0; i < in->ndst; i++)
		if (in->dst[i].tensor != ISA_T_NONE && in->op != ISA_OP_STORE)
			return in->dst[i].tensor;
	for (i = 0; i < in->nsrc; i++)
		if (in->src[i].tensor != ISA_T_NONE)
			return in->src[i].tensor;
	return ISA_T_NONE;
}

/* A string built in a fixed buffer, always terminated, cut short rather than overrun. */
struct sb {
	char *p, *end;		/* end: the last byte, kept for the terminator */
};

static struct sb
sb_init(char *buf, size_t len)
{
	return (struct sb){ buf, buf + len - 1 };
}

static void
sb_str(struct sb *b, const char *s)
{
	while (*s != '\0' && b->p < b->end)
		*b->p++ = *s++;
	*b->p = '\0';
}

static void
sb_ch(struct sb *b, char c)
{
	if (b->p < b->end)
		*b->p++ = c;
	*b->p = '\0';
}

static void
sb_u64(struct sb *b, uint64_t v)
{
	if (b->end - b->p >= 20)
		b->p = num_u64_digits(b->p, v);
	*b->p = '\0';
}

/* "QK b0 h3 r5 c2", "load K b0 h3 r0 c7", "exp b0 h3 r5 c2 s1" */
static void
slice_name(const struct isa_instr *in, char *buf, size_t len)
{
	struct sb b = sb_init(buf, len);
	const char *what;
	unsigned t = tensor_of(in);

	switch (in->op) {
	case ISA_OP_MATMUL: what = in->flags & ISA_F_TRANSB ? "QK" : "PV"; break;
	case ISA_OP_VMAX: what = "max"; break;
	case ISA_OP_VEXP: what = "exp"; break;
	case ISA_OP_VSUM: what = "sum"; break;
	case ISA_OP_VDIV: what = "div"; break;
	case ISA_OP_VSCALE: what = "scale"; break;
	case ISA_OP_VRESCALE: what = "rescale"; break;
	default: what = isa_op_name(in->op); break;
	}
	sb_str(&b, what);
	if (t != ISA_T_NONE && (isa_op_is_transfer(in->op) || in->op == ISA_OP_MOVE ||
	    in->op == ISA_OP_ALLOC || in->op == ISA_OP_FREE || in->op == ISA_OP_OVERWRITE)) {
		const char *tn = isa_tensor_name(t);
		sb_ch(&b, ' ');
		while (*tn != '\0')	/* tensors read as in the paper: Q, K, V, S, P, O */
			sb_ch(&b, (char)toupper((unsigned char)*tn++));
	}
	sb_str(&b, " b");
	sb_u64(&b, in->b);
	sb_str(&b, " h");
	sb_u64(&b, in->h);
	sb_str(&b, " r");
	sb_u64(&b, in->rb);
	sb_str(&b, " c");
	sb_u64(&b, in->cb);
	if (in->st) {
		sb_str(&b, " s");
		sb_u64(&b, in->st);
	}
}

/* "l1:20480+20480:s", as the text trace format writes a region */
static void
region_text(const struct isa_region *r, char *buf, size_t len)
{
	struct sb b = sb_init(buf, len);

	sb_str(&b, isa_buf_name(r->buf));
	sb_ch(&b, ':');
	sb_u64(&b, r->addr);
	sb_ch(&b, '+');
	sb_u64(&b, r->size);
	if (r->tensor != ISA_T_NONE) {
		sb_ch(&b, ':');
		sb_str(&b, isa_tensor_name(r->tensor));
	}
}

/* Text that annotations point into, for one event. */
struct argtext {
	char unit[8], flags[64], regions[ISA_MAX_SRC + ISA_MAX_DST][96], deps[ISA_MAX_DEPS * 21 + 1];
};

static void
arg_u(struct export_arg *a, unsigned *n, unsigned key, uint64_t v)
{
	a[*n].key = (uint8_t)key;
	a[*n].type = EA_U64;
	a[(*n)++].v.u = v;
}

static void
arg_d(struct export_arg *a, unsigned *n, unsigned key, double v)
{
	a[*n].key = (uint8_t)key;
	a[*n].type = EA_DBL;
	a[(*n)++].v.d = v;
}

static void
arg_s(struct export_arg *a, unsigned *n, unsigned key, const char *v)
{
	a[*n].key = (uint8_t)key;
	a[*n].type = EA_STR;
	a[(*n)++].v.s = v;
}

static unsigned
build_args(const struct export *x, const struct isa_instr *in, uint64_t base,
    struct export_arg *a, struct argtext *tx)
{
	static const unsigned src_keys[] = { EK_SRC0, EK_SRC1, EK_SRC2 };
	static const unsigned dst_keys[] = { EK_DST0, EK_DST1 };
	uint64_t t0 = t_start(x, in), t1 = t_end(x, in);
	unsigned n = 0, i;

	arg_u(a, &n, EK_ID, in->id);
	arg_s(a, &n, EK_OP, isa_op_name(in->op));
	arg_s(a, &n, EK_UNIT, isa_unit_name(in->unit, tx->unit, sizeof tx->unit));
	arg_u(a, &n, EK_BATCH, in->b);
	arg_u(a, &n, EK_HEAD, in->h);
	arg_u(a, &n, EK_ROW_BLOCK, in->rb);
	arg_u(a, &n, EK_COL_BLOCK, in->cb);
	if (in->st)
		arg_u(a, &n, EK_SUB_TILE, in->st);
	if (in->m | in->n | in->k) {
		arg_u(a, &n, EK_M, in->m);
		arg_u(a, &n, EK_N, in->n);
		arg_u(a, &n, EK_K, in->k);
	}
	if (in->bytes)
		arg_u(a, &n, EK_BYTES, in->bytes);
	if (in->op == ISA_OP_MATMUL)
		arg_u(a, &n, EK_MACS, (uint64_t)in->m * in->n * in->k);
	else if (stats_vec_ops_per_element(in->op))
		arg_u(a, &n, EK_VEC_OPS, (uint64_t)in->m * in->n * stats_vec_ops_per_element(in->op));
	if (in->flags) {
		struct sb b = sb_init(tx->flags, sizeof tx->flags);
		for (i = 0; i < ISA_NFLAGS; i++)
			if (in->flags & (1u << i)) {
				if (b.p != tx->flags)
					sb_ch(&b, '|');
				sb_str(&b, isa_flag_name(i));
			}
		arg_s(a, &n, EK_FLAGS, tx->flags);
	}
	for (i = 0; i < in->nsrc; i++) {
		region_text(&in->src[i], tx->regions[i], sizeof tx->regions[i]);
		arg_s(a, &n, src_keys[i], tx->regions[i]);
	}
	for (i = 0; i < in->ndst; i++) {
		region_text(&in->dst[i], tx->regions[ISA_MAX_SRC + i], sizeof tx->regions[0]);
		arg_s(a, &n, dst_keys[i], tx->regions[ISA_MAX_SRC + i]);
	}
	if (in->ndeps) {
		struct sb b = sb_init(tx->deps, sizeof tx->deps);
		for (i = 0; i < in->ndeps; i++) {
			if (i)
				sb_ch(&b, ',');
			sb_u64(&b, in->deps[i]);
		}
		arg_s(a, &n, EK_DEPS, tx->deps);
	}
	arg_u(a, &n, EK_PLAN_START, in->plan_start);
	arg_u(a, &n, EK_PLAN_END, in->plan_end);
	if (in->replayed) {
		arg_u(a, &n, EK_START, in->rep_start);
		arg_u(a, &n, EK_END, in->rep_end);
	}
	arg_u(a, &n, EK_CYCLES, t1 - t0);
	arg_u(a, &n, EK_BUSY, t1 - t0 < base ? t1 - t0 : base);
	if (in->replayed && x->replayed) {
		arg_u(a, &n, EK_STALL, in->stall);
		arg_s(a, &n, EK_CAUSE, isa_cause_name(in->cause));
		if (isa_cause_names_producer(in->cause))
			arg_u(a, &n, EK_WAITED_FOR, in->stall_on);
	}
	if (isa_op_is_transfer(in->op) && in->replayed && x->replayed) {
		double req, got;
		cost_transfer_rate(x->npu, in, &req, &got);
		arg_d(a, &n, EK_REQUESTED, req);
		arg_d(a, &n, EK_GRANTED, got);
	}
	return n;
}

/* ---- events ----------------------------------------------------------- */

static void
flush_marks(struct export *x, const uint64_t *for_id)
{
	size_t i;

	for (i = 0; i < x->nmarks; i++) {
		const struct pending_mark *m = &x->marks[i];
		struct export_arg a[4];
		struct export_event ev;
		char name[64], victim[96];
		unsigned n = 0;

		struct sb b = sb_init(name, sizeof name);

		sb_str(&b, m->fill ? "fill " : "spill ");
		sb_u64(&b, m->bytes);
		sb_str(&b, " B");
		region_text(&m->victim, victim, sizeof victim);
		arg_u(a, &n, EK_ID, m->id);
		arg_u(a, &n, EK_BYTES, m->bytes);
		arg_s(a, &n, EK_VICTIM, victim);
		if (for_id != NULL)
			arg_u(a, &n, EK_FOR, *for_id);
		memset(&ev, 0, sizeof ev);
		ev.track = EXPORT_TRK_SPILLS;
		ev.t0 = ev.t1 = m->t;
		ev.ns0 = ev.ns1 = export_ns(x->npu->clock_mhz, m->t);
		ev.name = name;
		ev.cat = "replay";
		ev.args = a;
		ev.nargs = n;
		x->ops->event(x->sink, &ev);
		x->cnt->instants++;
	}
	x->nmarks = 0;
}

/* Hand one instruction to the sink, with the flows it starts and ends. */
static int
emit(struct export *x, const struct isa_instr *in, uint64_t base, const uint64_t *out,
    unsigned nout, const uint64_t *inflow, unsigned nin)
{
	struct export_arg a[EXPORT_MAX_ARGS];
	struct argtext tx;
	struct export_event ev;
	char name[96];
	unsigned lane = 0;

	memset(&ev, 0, sizeof ev);
	ev.t0 = t_start(x, in);
	ev.t1 = t_end(x, in);
	if (ev.t1 > ev.t0) {	/* the first lane free by then: a unit's slices never overlap */
		uint64_t *end = x->lane_end[in->unit];
		while (lane < EXPORT_LANES && end[lane] > ev.t0)
			lane++;
		if (lane == EXPORT_LANES) {
			char unit[8];
			errbuf_set(&x->err,
			    "%s: instruction %llu starts at cycle %llu while %u earlier ones "
			    "still run on %s (a unit runs one instruction at a "
			    "time)",
			    x->name, (unsigned long long)in->id, (unsigned long long)ev.t0,
			    EXPORT_LANES, isa_unit_name(in->unit, unit, sizeof unit));
			x->failed = true;
			return -1;
		}
		end[lane] = ev.t1;
	}
	slice_name(in, name, sizeof name);
	ev.track = export_track_lane(in->unit, lane);
	ev.ns0 = export_ns(x->npu->clock_mhz, ev.t0);
	ev.ns1 = export_ns(x->npu->clock_mhz, ev.t1);
	ev.name = name;
	ev.cat = unit_class(in->unit);
	ev.in = in;
	ev.args = a;
	ev.nargs = build_args(x, in, base, a, &tx);
	ev.flow_out = out;
	ev.nflow_out = nout;
	ev.flow_in = inflow;
	ev.nflow_in = nin;
	x->ops->event(x->sink, &ev);
	if (ev.t1 > ev.t0)
		x->cnt->slices++;
	else
		x->cnt->instants++;
	x->cnt->flows += nin;
	return 0;
}

/* --flows all: the oldest held instruction leaves. */
static int
ring_release(struct export *x)
{
	struct held *hd = &x->ring[x->ring_first % FLOW_RING];
	uint64_t inflow[ISA_MAX_DEPS];
	unsigned nin = 0, d;

	if (hd->present) {
		for (d = 0; d < hd->in.ndeps; d++)
			if (hd->inmask & (1u << d))
				inflow[nin++] = hd->in.id * ISA_MAX_DEPS + d + 1;
		if (emit(x, &hd->in, hd->base, hd->out, hd->nout, inflow, nin) != 0)
			return -1;
	}
	x->ring_first++;
	return 0;
}

/* --flows all: hold `in` back, and add a flow to each producer still held. */
static int
ring_hold(struct export *x, const struct isa_instr *in, uint64_t base, bool present)
{
	struct held *hd;
	unsigned d;

	while (x->ring_next - x->ring_first >= FLOW_RING)
		if (ring_release(x) != 0)
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

/*
 * The path is found in a file of one 64-bit entry per instruction, so
 * memory stays flat however long the trace.  The first pass writes each
 * instruction's predecessor (+1; 0 for none) and whether it is in the
 * window; a walk back from the last-ending instruction rewrites the entries
 * on the path as ON_PATH with their successor (+1); the export pass reads
 * them in order beside the trace.
 */
#define CP_ON_PATH (1ull << 63)
#define CP_HAS_IN (1ull << 62)
#define CP_IN_WINDOW (1ull << 61)
#define CP_ID_MASK (CP_IN_WINDOW - 1)
#define CP_BLOCK 65536u

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
		return xfail(x, "out of memory");
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
		return xfail(x, "cannot rewind the critical path's temporary file");
	return 0;
io:
	free(blk);
	errbuf_set(&x->err, "the critical path's temporary file: %s", strerror(errno ? errno : EIO));
	x->failed = true;
	return -1;
}

/* ---- one instruction -------------------------------------------------- */

static int
export_instr(struct export *x, const struct isa_instr *in, uint64_t cp_entry)
{
	uint64_t t0 = t_start(x, in), t1 = t_end(x, in);
	unsigned u = in->unit;
	bool win = in_window(x, t0, t1);
	uint64_t base = win ? cost_memo_instr(&x->cost, in) : 0;	/* only what is shown needs it */

	x->unit_on[u] = true;
	x->unit_start[u] = t0;
	if (t1 > x->max_end)
		x->max_end = t1;
	x->unit_seen[u] = x->seen++;
	if (!x->observed) {	/* L1 resident bytes as mastrace stats counts them */
		const struct residency_cb cb = { x, residency_change, NULL };
		residency_apply(&x->l1, in, t0, t1, &cb);
		if (x->l1.lost > 0)
			return xfail(x, "out of memory");
	}
	if (!x->observed && isa_op_is_transfer(in->op) && in->bytes > 0) {
		uint64_t s = t0 + cost_dram_latency(x->npu);
		if (s < t1) {	/* data moves after the latency, at the rate that fits the rest */
			double rate = (double)in->bytes / (double)(t1 - s);
			if (tq_push(&x->q, EXPORT_TRK_DRAM, s, rate) != 0 ||
			    tq_push(&x->q, EXPORT_TRK_DRAM, t1, -rate) != 0)
				return xfail(x, "out of memory");
		}
	}
	if ((x->seen & 1023) == 0)
		counters_flush(x, watermark(x));

	if (in->op == ISA_OP_SPILL || in->op == ISA_OP_FILL) {
		bool fill = in->op == ISA_OP_FILL;
		if (win) {
			struct pending_mark *m;
			if (grow(&x->marks, x->nmarks, &x->marks_cap, sizeof *x->marks) != 0)
				return xfail(x, "out of memory");
			m = &x->marks[x->nmarks++];
			m->id = in->id;
			m->t = t0;
			m->bytes = in->bytes;
			m->fill = fill;
			memset(&m->victim, 0, sizeof m->victim);
			if (fill ? in->ndst > 0 : in->nsrc > 0)
				m->victim = fill ? in->dst[0] : in->src[0];
			if (fill)
				x->cnt->fills++;
			else
				x->cnt->spills++;
		}
	} else if (x->nmarks > 0) {
		flush_marks(x, &in->id);
	}

	if (win && t1 > t0)
		util_add(x, u, t0 > x->from ? t0 : x->from, t1 < x->to ? t1 : x->to);
	switch (x->o->flows) {
	case EXPORT_FLOWS_NONE:
		if (win)
			return emit(x, in, base, NULL, 0, NULL, 0);
		break;
	case EXPORT_FLOWS_ALL:
		return ring_hold(x, in, base, win);
	case EXPORT_FLOWS_CRITICAL:
		if (win) {
			uint64_t out = cp_entry & CP_ID_MASK, inflow = in->id + 1;
			bool on = (cp_entry & CP_ON_PATH) != 0;
			return emit(x, in, base, &out, on && out != 0, &inflow,
			    on && (cp_entry & CP_HAS_IN) != 0);
		}
		break;
	}
	return x->failed ? -1 : 0;
}

static int
export_end(struct export *x)
{
	unsigned u;

	while (x->ring != NULL && x->ring_first < x->ring_next)
		if (ring_release(x) != 0)
			return -1;
	if (x->nmarks > 0)
		flush_marks(x, NULL);
	if (!x->observed) {
		const struct residency_cb cb = { x, residency_change, NULL };
		residency_finish(&x->l1, x->max_end, &cb);
	}
	counters_flush(x, UINT64_MAX);
	for (u = 0; u < ISA_NUNITS; u++)
		if (x->bin[u] != UINT64_MAX)
			util_close_bin(x, u);
	x->cnt->late = x->q.late;
	return 0;
}

/* ---- the passes over a file ------------------------------------------- */

/* Has the window ended?  After EXPORT_QUIET instructions in a row that start at or after it. */
static bool
window_done(const struct export *x, uint64_t t0, uint64_t *past)
{
	if (x->to == UINT64_MAX)
		return false;
	*past = t0 >= x->to ? *past + 1 : 0;
	return *past >= EXPORT_QUIET;
}

/* The times an export takes from `in`; the first instruction tells replayed from planned. */
static int
check_times(struct export *x, const struct isa_instr *in, bool first, struct errbuf *e)
{
	uint64_t end;

	if (first)
		x->replayed = !x->o->planned && in->replayed;
	else if (x->replayed && !in->replayed)
		return errbuf_set(e, "%s: instruction %llu has no replayed times, unlike "
		    "the ones before it (export --planned shows the plan)", x->name, (unsigned long long)in->id);
	end = t_end(x, in);
	if (end > x->max_cycle)
		return errbuf_set(e,
		    "%s: instruction %llu ends at cycle %llu, later "
		    "than a nanosecond timestamp can hold at %u MHz",
		    x->name, (unsigned long long)in->id, (unsigned long long)end,
		    x->npu->clock_mhz);
	return 0;
}

/* The next instruction, checked for what an export needs; 1, 0 at the end, -1. */
static int
next_instr(struct export *x, struct trace_reader *r, const struct isa_instr **in,
    uint64_t *past, struct errbuf *e)
{
	int rc = trace_next(r, in, e);

	if (rc <= 0)
		return rc;
	if (check_times(x, *in, r->count == 1, e) != 0)
		return -1;
	if (window_done(x, t_start(x, *in), past))
		return 0;
	return 1;
}

/* The first pass, for the critical path: predecessors out, then the walk back. */
static int
critical_pass(struct export *x, struct trace_reader *r, struct errbuf *e)
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
	while ((rc = next_instr(x, r, &in, &past, e)) == 1) {
		uint64_t pred = cp_pred(x, &c, in), t0 = t_start(x, in), t1 = t_end(x, in);
		uint64_t entry = (pred == ISA_ID_NONE ? 0 : pred + 1) |
		    (in_window(x, t0, t1) ? CP_IN_WINDOW : 0);
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

static void
make_title(const struct trace_header *h, bool replayed, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s on %s%s%s%s (%s)", h->sched[0] ? h->sched : "trace", h->wl.name,
	    h->npu.name, h->tiling[0] ? " [" : "", h->tiling, h->tiling[0] ? "]" : "",
	    replayed ? "replayed" : "planned");
}

static const struct export_sink_ops *
sink_for(enum export_format f)
{
	switch (f) {
	case EXPORT_FMT_PERFETTO: return &export_sink_perfetto;
	case EXPORT_FMT_JSON: return &export_sink_json;
	case EXPORT_FMT_CSV: return &export_sink_csv;
	default: return NULL;
	}
}

/* The lossless text format: the trace writer, with the plan alone when asked. */
static int
export_text(struct trace_reader *r, const char *name, const char *out,
    const struct export_opts *o, struct export_counts *c, struct errbuf *e)
{
	struct trace_writer *w;
	const struct isa_instr *in;
	struct isa_instr copy;
	int rc;

	if (trace_open_write(out, TRACE_FMT_TEXT, &r->hdr, &w, e) != 0)
		return -1;
	while ((rc = trace_next(r, &in, e)) == 1) {
		c->read++;
		if (o->planned && in->replayed) {
			if (in->op == ISA_OP_SPILL || in->op == ISA_OP_FILL ||
			    (in->flags & ISA_F_INSERTED)) {
				rc = errbuf_set(e, "%s: instruction %llu was inserted by a replay: "
				    "--planned text needs the trace before its replay", name, (unsigned long long)in->id);
				break;
			}
			isa_copy(&copy, in);
			copy.replayed = false;
			copy.cause = ISA_CAUSE_NONE;
			copy.rep_start = copy.rep_end = copy.stall = copy.stall_on = 0;
			in = &copy;
		}
		if (trace_write(w, in, e) != 0) {
			rc = -1;
			break;
		}
		c->slices++;
	}
	if (rc < 0) {
		trace_abort_write(w);
		return -1;
	}
	return trace_close_write(w, e);
}

/* ---- setting up and finishing --------------------------------------- */

static struct export *
xnew(const struct export_opts *o, struct export_counts *c, const char *name, struct errbuf *e)
{
	struct export *x;

	if (sink_for(o->format) == NULL) {
		errbuf_set(e, "unknown export format: expected " EXPORT_FORMATS);
		return NULL;
	}
	if ((x = calloc(1, sizeof *x)) == NULL ||
	    (o->flows == EXPORT_FLOWS_ALL && (x->ring = calloc(FLOW_RING, sizeof *x->ring)) == NULL)) {
		free(x);
		errbuf_set(e, "out of memory");
		return NULL;
	}
	memset(c, 0, sizeof *c);
	x->o = o;
	x->cnt = c;
	x->name = name;
	x->ops = sink_for(o->format);
	return x;
}

/* The trace's header is known: times, bounds and the cost model follow from its NPU. */
static int
xheader(struct export *x, const struct trace_header *h, struct errbuf *e)
{
	const struct export_opts *o = x->o;
	unsigned __int128 m;

	x->hdr = *h;
	x->h = &x->hdr;
	x->npu = &x->hdr.npu;
	x->from = export_time_cycles(&o->from, x->npu->clock_mhz, 0);
	x->to = export_time_cycles(&o->to, x->npu->clock_mhz, UINT64_MAX);
	if (x->from >= x->to)
		return errbuf_set(e, "the window is empty: --from (cycle %llu) is not before "
		    "--to (cycle %llu)", (unsigned long long)x->from, (unsigned long long)x->to);
	m = (unsigned __int128)INT64_MAX * x->npu->clock_mhz / 1000;
	x->max_cycle = m > UINT64_MAX ? UINT64_MAX : (uint64_t)m;
	cost_memo_init(&x->cost, x->npu);
	x->util_w = export_time_cycles(&o->util_window, x->npu->clock_mhz, x->npu->clock_mhz);
	if (x->util_w == 0)
		return errbuf_set(e, "the utilisation window (--util-window) is shorter than a cycle");
	memset(x->bin, 0xff, sizeof x->bin);
	return 0;
}

/* Open the output, once it is known whether the times are replayed (the title says). */
static int
xopen(struct export *x, const char *out, struct errbuf *e)
{
	char title[512];
	int n = x->o->label != NULL ? snprintf(title, sizeof title, "%s: ", x->o->label) : 0;

	make_title(x->h, x->replayed, title + n, sizeof title - (size_t)n);
	x->z = x->o->into;
	if ((x->z == NULL && (x->z = zout_open(out, x->o->gzip, e)) == NULL) ||
	    (x->sink = x->ops->open(x->z, x->h, title, x->o->part, e)) == NULL)
		return -1;
	return 0;
}

/* Write what is held back and commit the output. */
static int
xclose(struct export *x, struct errbuf *e)
{
	int rc;

	if (export_end(x) != 0) {
		*e = x->err;
		return -1;
	}
	rc = x->ops->close(x->sink, e);
	x->sink = NULL;
	x->cnt->bytes = zout_bytes(x->z);
	if (x->o->into != NULL) {	/* the caller's output: it closes it */
		x->z = NULL;
		return rc == 0 ? zout_check(x->o->into, e) : rc;
	}
	if (rc == 0) {
		rc = zout_close(x->z, e);
		x->z = NULL;
	}
	return rc;
}

/* Release everything; an output not committed is discarded. */
static void
xfree(struct export *x)
{
	if (x == NULL)
		return;
	if (x->sink != NULL)
		x->ops->abort(x->sink);
	if (x->z != x->o->into)
		zout_abort(x->z);
	if (x->path != NULL)
		fclose(x->path);
	free(x->q.h);
	residency_free(&x->l1);
	free(x->marks);
	free(x->ring);
	free(x);
}

/* Progress over several passes through the trace, as one count. */
struct pass_progress {
	const struct progress *outer;
	unsigned passes;
	uint64_t offset, total;
};

static void
pass_report(void *ctx, uint64_t done, uint64_t total)
{
	struct pass_progress *pp = ctx;

	pp->total = total;
	progress_report(pp->outer, pp->offset + done, total * pp->passes);
}

int
export_file(const char *inpath, const char *out, const struct export_opts *o,
    struct export_counts *c, struct errbuf *e)
{
	const char *name = strcmp(inpath, "-") == 0 ? "standard input" : inpath;
	struct trace_reader *r = NULL;
	struct export *x;
	const struct isa_instr *in;
	enum trace_format fmt;
	struct trace_progress_reader pr;
	struct trace_reader *from;
	struct pass_progress pp = { 0 };
	struct progress pass;
	uint64_t past = 0, cp_entry = 0;
	int rc = -1;

	memset(c, 0, sizeof *c);
	if (o->format == EXPORT_FMT_TEXT) {
		if (o->from.set || o->to.set)
			return errbuf_set(e, "a text trace holds every instruction (its ids count up "
			    "from 0): --from and --to need perfetto, json or csv");
		if (o->gzip)
			return errbuf_set(e, "%s: a text trace is not gzip-compressed; write .mtt, or "
			    ".mtr (which is compressed) with mastrace convert", out);
		if (trace_open_read(inpath, &r, &fmt, e) != 0)
			return -1;
		rc = export_text(r, name, out, o, c, e);
		trace_close_read(r);
		return rc;
	}
	if (o->flows == EXPORT_FLOWS_CRITICAL && strcmp(inpath, "-") == 0)
		return errbuf_set(e, "the critical path is found in a first pass over the trace, "
		    "so standard input cannot be used: give a file, or --flows all or none");
	if ((x = xnew(o, c, name, e)) == NULL)
		return -1;
	if (trace_open_read(inpath, &r, &fmt, e) != 0 || xheader(x, &r->hdr, e) != 0)
		goto done;
	pp.outer = o->progress;
	pp.passes = o->flows == EXPORT_FLOWS_CRITICAL ? 2 : 1;
	pass.fn = pass_report;
	pass.ctx = &pp;
	if (o->flows == EXPORT_FLOWS_CRITICAL) {
		if (critical_pass(x, trace_progress_reader(&pr, r, o->progress ? &pass : NULL),
		    e) != 0)
			goto done;
		trace_close_read(r);
		pp.offset = pp.total;
		if (trace_open_read(inpath, &r, &fmt, e) != 0) {
			r = NULL;
			goto done;
		}
	}
	from = trace_progress_reader(&pr, r, o->progress ? &pass : NULL);
	/* the first instruction tells planned from replayed, which the title names */
	if ((rc = next_instr(x, from, &in, &past, e)) < 0 || xopen(x, out, e) != 0) {
		rc = -1;
		goto done;
	}
	for (; rc == 1; rc = next_instr(x, from, &in, &past, e)) {
		c->read++;
		if (x->path != NULL && fread(&cp_entry, sizeof cp_entry, 1, x->path) != 1) {
			rc = errbuf_set(e, "%s: the trace changed while it was exported", name);
			break;
		}
		if (export_instr(x, in, cp_entry) != 0) {
			*e = x->err;
			rc = -1;
			break;
		}
		if ((c->read & 4095) == 0 && zout_check(x->z, e) != 0) {	/* a full disk */
			rc = -1;
			break;
		}
	}
	if (rc == 0)
		rc = xclose(x, e);
done:
	if (r != NULL)
		trace_close_read(r);
	xfree(x);
	return rc < 0 ? -1 : 0;
}

/* ---- exporting as the trace is made ----------------------------------- */

struct export *
export_new(const char *out, const struct trace_header *h, const struct export_opts *o,
    struct export_counts *c, struct errbuf *e)
{
	struct export *x;

	if (o->format == EXPORT_FMT_TEXT) {
		errbuf_set(e, "a text trace is written by a trace writer, not exported");
		return NULL;
	}
	if (o->flows == EXPORT_FLOWS_CRITICAL) {
		errbuf_set(e, "the critical path needs the whole trace first: export the trace "
		    "from a file, or draw all flows or none");
		return NULL;
	}
	if ((x = xnew(o, c, "export", e)) == NULL)
		return NULL;
	if (xheader(x, h, e) != 0) {
		xfree(x);
		return NULL;
	}
	if ((x->out = strdup(out)) == NULL) {
		errbuf_set(e, "out of memory");
		xfree(x);
		return NULL;
	}
	return x;
}

int
export_push(struct export *x, const struct isa_instr *in, struct errbuf *e)
{
	char why[256];

	if (x->failed) {
		*e = x->err;
		return -1;
	}
	if (isa_check(in, why, sizeof why) != 0 || in->id != x->cnt->read) {
		if (in->id != x->cnt->read)
			snprintf(why, sizeof why, "id %llu, expected %llu", (unsigned long long)in->id,
			    (unsigned long long)x->cnt->read);
		errbuf_set(&x->err, "%s: instruction %llu: %s", x->name, (unsigned long long)x->cnt->read, why);
		x->failed = true;
		*e = x->err;
		return -1;
	}
	/* the output opens with the first instruction, which tells replayed from planned */
	if (check_times(x, in, x->sink == NULL, &x->err) != 0 ||
	    (x->sink == NULL && xopen(x, x->out, &x->err) != 0) || export_instr(x, in, 0) != 0) {
		x->failed = true;
		*e = x->err;
		return -1;
	}
	x->cnt->read++;
	return 0;
}

static int
observe_instr(void *ctx, const struct isa_instr *in, uint64_t pred, uint64_t base,
    struct errbuf *e)
{
	(void)pred;
	(void)base;
	return export_push(ctx, in, e);
}

/* The replay's own L1 level and DRAM use, instead of what the trace implies. */
static void
observe_l1(void *ctx, uint64_t cycle, uint64_t bytes)
{
	struct export *x = ctx;

	if (l1_change(x, cycle, (double)bytes - (double)x->l1_level) == 0)
		x->l1_level = bytes;
}

static void
observe_dram(void *ctx, double t0, double t1, double rate)
{
	struct export *x = ctx;
	uint64_t a = (uint64_t)(t0 + 0.5), b = (uint64_t)(t1 + 0.5);

	if (a < b && (tq_push(&x->q, EXPORT_TRK_DRAM, a, rate) != 0 ||
	    tq_push(&x->q, EXPORT_TRK_DRAM, b, -rate) != 0))
		xfail(x, "out of memory");
}

void
export_observer(struct replay_observer *ob, struct export *x)
{
	x->observed = true;
	ob->ctx = x;
	ob->instr = observe_instr;
	ob->l1 = observe_l1;
	ob->dram = observe_dram;
}

int
export_finish(struct export *x, struct errbuf *e)
{
	int rc = -1;

	if (x->failed)
		*e = x->err;
	else if (x->sink == NULL && xopen(x, x->out, e) != 0)
		;
	else
		rc = xclose(x, e);
	free(x->out);
	x->out = NULL;
	xfree(x);
	return rc;
}

void
export_abort(struct export *x)
{
	if (x != NULL)
		free(x->out);
	xfree(x);
}
