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
#include "export-int.h"
#include "trace-progress.h"
#include "stats.h"
#include "replay.h"
#include "residency.h"
#include "trace-file.h"

/* Room for one more of n elements of `size` bytes in *v; -1 when memory ran out. */
int
export_grow(void *v, size_t n, size_t *cap, size_t size)
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

int
export_fail(struct export *x, const char *msg)
{
	if (!x->failed)
		errbuf_set(&x->err, "%s", msg);
	x->failed = true;
	return -1;
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
	uint64_t t0 = export_t_start(x, in), t1 = export_t_end(x, in);
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
int
export_emit(struct export *x, const struct isa_instr *in, uint64_t base, const uint64_t *out,
    unsigned nout, const uint64_t *inflow, unsigned nin)
{
	struct export_arg a[EXPORT_MAX_ARGS];
	struct argtext tx;
	struct export_event ev;
	char name[96];
	unsigned lane = 0;

	memset(&ev, 0, sizeof ev);
	ev.t0 = export_t_start(x, in);
	ev.t1 = export_t_end(x, in);
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

/* ---- one instruction -------------------------------------------------- */

static int
export_instr(struct export *x, const struct isa_instr *in, uint64_t cp_entry)
{
	uint64_t t0 = export_t_start(x, in), t1 = export_t_end(x, in);
	unsigned u = in->unit;
	bool win = export_in_window(x, t0, t1);
	uint64_t base = win ? cost_memo_instr(&x->cost, in) : 0;	/* only what is shown needs it */

	x->unit_on[u] = true;
	x->unit_start[u] = t0;
	if (t1 > x->max_end)
		x->max_end = t1;
	x->unit_seen[u] = x->seen++;
	if (!x->observed) {	/* L1 resident bytes as mastrace stats counts them */
		const struct residency_cb cb = { x, export_residency_change, NULL };
		residency_apply(&x->l1, in, t0, t1, &cb);
		if (x->l1.lost > 0)
			return export_fail(x, "out of memory");
	}
	if (!x->observed && isa_op_is_transfer(in->op) && in->bytes > 0) {
		uint64_t s = t0 + cost_dram_latency(x->npu);
		if (s < t1) {	/* data moves after the latency, at the rate that fits the rest */
			double rate = (double)in->bytes / (double)(t1 - s);
			if (export_tq_push(&x->q, EXPORT_TRK_DRAM, s, rate) != 0 ||
			    export_tq_push(&x->q, EXPORT_TRK_DRAM, t1, -rate) != 0)
				return export_fail(x, "out of memory");
		}
	}
	if ((x->seen & 1023) == 0)
		export_counters_flush(x, export_watermark(x));

	if (in->op == ISA_OP_SPILL || in->op == ISA_OP_FILL) {
		bool fill = in->op == ISA_OP_FILL;
		if (win) {
			struct pending_mark *m;
			if (export_grow(&x->marks, x->nmarks, &x->marks_cap, sizeof *x->marks) != 0)
				return export_fail(x, "out of memory");
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
		export_util_add(x, u, t0 > x->from ? t0 : x->from, t1 < x->to ? t1 : x->to);
	switch (x->o->flows) {
	case EXPORT_FLOWS_NONE:
		if (win)
			return export_emit(x, in, base, NULL, 0, NULL, 0);
		break;
	case EXPORT_FLOWS_ALL:
		return export_ring_hold(x, in, base, win);
	case EXPORT_FLOWS_CRITICAL:
		if (win) {
			uint64_t out = cp_entry & CP_ID_MASK, inflow = in->id + 1;
			bool on = (cp_entry & CP_ON_PATH) != 0;
			return export_emit(x, in, base, &out, on && out != 0, &inflow,
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
		if (export_ring_release(x) != 0)
			return -1;
	if (x->nmarks > 0)
		flush_marks(x, NULL);
	if (!x->observed) {
		const struct residency_cb cb = { x, export_residency_change, NULL };
		residency_finish(&x->l1, x->max_end, &cb);
	}
	export_counters_flush(x, UINT64_MAX);
	for (u = 0; u < ISA_NUNITS; u++)
		if (x->bin[u] != UINT64_MAX)
			export_util_close_bin(x, u);
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
	end = export_t_end(x, in);
	if (end > x->max_cycle)
		return errbuf_set(e,
		    "%s: instruction %llu ends at cycle %llu, later "
		    "than a nanosecond timestamp can hold at %u MHz",
		    x->name, (unsigned long long)in->id, (unsigned long long)end,
		    x->npu->clock_mhz);
	return 0;
}

/* The next instruction, checked for what an export needs; 1, 0 at the end, -1. */
int
export_next_instr(struct export *x, struct trace_reader *r, const struct isa_instr **in,
    uint64_t *past, struct errbuf *e)
{
	int rc = trace_next(r, in, e);

	if (rc <= 0)
		return rc;
	if (check_times(x, *in, r->count == 1, e) != 0)
		return -1;
	if (window_done(x, export_t_start(x, *in), past))
		return 0;
	return 1;
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
		if (export_critical_pass(x, trace_progress_reader(&pr, r, o->progress ? &pass : NULL),
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
	if ((rc = export_next_instr(x, from, &in, &past, e)) < 0 || xopen(x, out, e) != 0) {
		rc = -1;
		goto done;
	}
	for (; rc == 1; rc = export_next_instr(x, from, &in, &past, e)) {
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

	if (export_l1_change(x, cycle, (double)bytes - (double)x->l1_level) == 0)
		x->l1_level = bytes;
}

static void
observe_dram(void *ctx, double t0, double t1, double rate)
{
	struct export *x = ctx;
	uint64_t a = (uint64_t)(t0 + 0.5), b = (uint64_t)(t1 + 0.5);

	if (a < b && (export_tq_push(&x->q, EXPORT_TRK_DRAM, a, rate) != 0 ||
	    export_tq_push(&x->q, EXPORT_TRK_DRAM, b, -rate) != 0))
		export_fail(x, "out of memory");
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
