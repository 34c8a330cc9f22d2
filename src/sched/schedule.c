/* sched: registry, tiling strings, the default-tiling rule, shared emission. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "schedule.h"
#include "trace-progress.h"
#include "trace-text.h"
#include "trace-file.h"

extern const struct sched sched_mas, sched_flat, sched_layerwise, sched_flash;

static const struct sched *const scheds[] = {
	&sched_mas, &sched_flat, &sched_layerwise, &sched_flash,
};

size_t
sched_count(void)
{
	return sizeof scheds / sizeof scheds[0];
}

const struct sched *
sched_at(size_t i)
{
	return i < sched_count() ? scheds[i] : NULL;
}

const struct sched *
sched_find(const char *name)
{
	size_t i;

	for (i = 0; i < sched_count(); i++)
		if (strcmp(scheds[i]->name, name) == 0)
			return scheds[i];
	return NULL;
}

int
sched_param_index(const struct sched *s, const char *name)
{
	unsigned i;

	for (i = 0; i < s->nparams; i++)
		if (strcmp(s->params[i].name, name) == 0)
			return (int)i;
	return -1;
}

int64_t
sched_get(const struct sched *s, const struct tiling *t, const char *name)
{
	int i = sched_param_index(s, name);

	return i < 0 ? 0 : t->v[i];
}

static void
param_expected(const struct sched_tparam *p, char *buf, size_t len)
{
	size_t used = 0;
	unsigned i;

	if (p->choices == NULL) {
		snprintf(buf, len, "an integer from %lld to %lld", (long long)p->min,
		    (long long)p->max);
		return;
	}
	for (i = 0; p->choices[i] != NULL; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? (p->choices[i + 1] ?
		    ", " : " or ") : "", p->choices[i]);
}

int
sched_parse_tiling(const struct sched *s, const char *text, struct tiling *t,
    struct errbuf *e)
{
	char item[128], exp[256], names[256];
	const char *p = text, *comma, *eq;
	size_t len, used = 0;
	uint64_t u;
	unsigned i;
	int k;

	memset(t, 0, sizeof *t);
	names[0] = '\0';
	for (i = 0; i < s->nparams; i++)
		used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
		    s->params[i].name);
	while (*p != '\0') {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		snprintf(item, sizeof item, "%.*s", (int)len, p);
		eq = strchr(item, '=');
		if (eq == NULL || eq == item)
			return errbuf_set(e, "tiling '%s': column %zu: expected key=value, got '%s'",
			    text, (size_t)(p - text) + 1, item);
		*(char *)eq = '\0';
		k = sched_param_index(s, item);
		if (k < 0)
			return errbuf_set(e, "tiling '%s': unknown parameter '%s' for scheduler "
			    "'%s', expected one of %s", text, item, s->name, names);
		if (t->set[k])
			return errbuf_set(e, "tiling '%s': parameter '%s' given twice", text, item);
		param_expected(&s->params[k], exp, sizeof exp);
		if (s->params[k].choices != NULL) {
			for (i = 0; s->params[k].choices[i] != NULL; i++)
				if (strcmp(s->params[k].choices[i], eq + 1) == 0)
					break;
			if (s->params[k].choices[i] == NULL)
				return errbuf_set(e, "tiling '%s': parameter '%s': got '%s', expected "
				    "%s", text, item, eq + 1, exp);
			t->v[k] = i;
		} else {
			if (num_parse_u64(eq + 1, &u) != 0 || (int64_t)u < s->params[k].min ||
			    (int64_t)u > s->params[k].max)
				return errbuf_set(e, "tiling '%s': parameter '%s': got '%s', expected "
				    "%s", text, item, eq + 1, exp);
			t->v[k] = (int64_t)u;
		}
		t->set[k] = true;
		p = comma ? comma + 1 : p + len;
	}
	return 0;
}

void
sched_format_tiling(const struct sched *s, const struct tiling *t, char *buf, size_t len)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < s->nparams && used < len; i++) {
		if (s->params[i].choices != NULL)
			used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", i ? "," : "",
			    s->params[i].name, s->params[i].choices[t->v[i]]);
		else
			used += (size_t)snprintf(buf + used, len - used, "%s%s=%lld", i ? "," : "",
			    s->params[i].name, (long long)t->v[i]);
	}
}

static void
set_default(const struct sched *s, struct tiling *t, const char *name, int64_t v)
{
	int i = sched_param_index(s, name);

	if (i >= 0 && !t->set[i])
		t->v[i] = v;
}

static int
fits(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct tiling *t, struct sched_fit *f)
{
	struct errbuf scratch;

	return s->fit(n, w, t, f, &scratch) == 0 && f->l1_bytes <= n->l1.capacity_bytes;
}

int
sched_plan(const struct sched *s, const struct npu *n, const struct workload *w,
    struct tiling *t, bool allow_spill, struct sched_fit *f, struct errbuf *e)
{
	int rows_i = sched_param_index(s, "rows"), cols_i = sched_param_index(s, "cols");
	int64_t cols, rows, max_rows = ((int64_t)w->q_len + 15) / 16 * 16, max_cols = 16;
	char text[256];
	bool found = false;
	unsigned i;

	/* enumerated parameters default to their first choice */
	for (i = 0; i < s->nparams; i++)
		if (!t->set[i] && s->params[i].choices != NULL)
			t->v[i] = 0;
	while (max_cols < 128 && max_cols < (int64_t)w->k_len)
		max_cols *= 2;
	/* the rule: the widest key blocks, then the tallest row blocks, that fit */
	for (cols = max_cols; cols >= 16 && !found; cols /= 2) {
		if (cols_i >= 0 && t->set[cols_i] && t->v[cols_i] != cols)
			continue;
		for (rows = max_rows; rows >= 16 && !found; rows -= 16) {
			if (rows_i >= 0 && t->set[rows_i] && t->v[rows_i] != rows)
				continue;
			set_default(s, t, "cols", cols);
			set_default(s, t, "rows", rows);
			set_default(s, t, "vrows", rows < 32 ? rows : 32);
			if (fits(s, n, w, t, f))
				found = true;
		}
	}
	if (!found) {
		/* nothing fits: keep what was asked, else the smallest tiles, and say why */
		set_default(s, t, "cols", cols_i >= 0 && t->set[cols_i] ? t->v[cols_i] : 16);
		set_default(s, t, "rows", rows_i >= 0 && t->set[rows_i] ? t->v[rows_i] : 16);
		set_default(s, t, "vrows", sched_get(s, t, "rows") < 32 ? sched_get(s, t, "rows") : 32);
	}
	for (i = 0; i < s->nparams; i++)
		if (sched_param_index(s, "vrows") == (int)i && t->v[i] > sched_get(s, t, "rows"))
			t->v[i] = sched_get(s, t, "rows");
	sched_format_tiling(s, t, text, sizeof text);
	if (s->fit(n, w, t, f, e) != 0)
		return errbuf_prefix(e, "tiling %s", text);
	if (f->l1_bytes > n->l1.capacity_bytes && !allow_spill) {
		char clip[96] = "";
		/* say so when the footprint was computed with smaller tiles than written */
		if (rows_i >= 0 && (uint64_t)t->v[rows_i] > w->q_len)
			snprintf(clip, sizeof clip, ", with rows clipped to the %u queries",
			    (unsigned)w->q_len);
		else if (cols_i >= 0 && (uint64_t)t->v[cols_i] > w->k_len)
			snprintf(clip, sizeof clip, ", with cols clipped to the %u keys",
			    (unsigned)w->k_len);
		return errbuf_set(e, "tiling %s needs %llu bytes of L1 (%s%s), the NPU has %llu "
		    "(l1.capacity_kib = %llu); choose smaller tiles or pass --allow-spill",
		    text, (unsigned long long)f->l1_bytes, f->formula, clip,
		    (unsigned long long)n->l1.capacity_bytes,
		    (unsigned long long)(n->l1.capacity_bytes / 1024));
	}
	return 0;
}

int
sched_emit_to(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct tiling *t, struct trace_writer *wr, struct sched_result *res,
    struct errbuf *e)
{
	struct emit *em;
	void *ctx;
	int rc;

	/* both are large (the emitter's slots, the dataflow's tiles): never on a stack */
	em = malloc(sizeof *em);
	ctx = calloc(1, s->ctx_size);
	if (em == NULL || ctx == NULL) {
		free(em);
		free(ctx);
		return errbuf_set(e, "out of memory");
	}
	emit_init(em, wr, n, e);
	rc = s->emit(ctx, em, w, t);
	res->instructions = em->next_id;
	res->makespan = em->makespan;
	res->macs = em->macs;
	res->dram_read = em->dram_read;
	res->dram_write = em->dram_write;
	free(ctx);
	free(em);
	return rc;
}

int
sched_prepare(const struct sched *s, const struct npu *n, const struct workload *w,
    const char *tiling, bool allow_spill, struct sched_result *res, struct errbuf *e)
{
	memset(res, 0, sizeof *res);
	if (sched_parse_tiling(s, tiling ? tiling : "", &res->t, e) != 0 ||
	    sched_plan(s, n, w, &res->t, allow_spill, &res->fit, e) != 0)
		return -1;
	sched_format_tiling(s, &res->t, res->tiling, sizeof res->tiling);
	return 0;
}

int
sched_write(const struct sched *s, const struct npu *n, const struct workload *w,
    const char *command, const char *out, const struct progress *p, uint64_t expected,
    struct sched_result *res, struct errbuf *e)
{
	struct trace_progress_writer pw;
	struct trace_header h;
	struct trace_writer *wr;

	trace_header_init(&h, n, w);
	snprintf(h.sched, sizeof h.sched, "%s", s->name);
	snprintf(h.tiling, sizeof h.tiling, "%s", res->tiling);
	snprintf(h.command, sizeof h.command, "%s", command ? command : "");
	if (trace_open_write(out, TRACE_FMT_UNKNOWN, &h, &wr, e) != 0)
		return -1;
	wr = trace_progress_writer(&pw, wr, p, expected);
	if (sched_emit_to(s, n, w, &res->t, wr, res, e) != 0) {
		trace_abort_write(wr);
		return -1;
	}
	return trace_close_write(wr, e);
}

int
sched_run(const struct sched *s, const struct npu *n, const struct workload *w,
    const char *tiling, bool allow_spill, const char *command, const char *out,
    struct sched_result *res, struct errbuf *e)
{
	if (sched_prepare(s, n, w, tiling, allow_spill, res, e) != 0)
		return -1;
	return sched_write(s, n, w, command, out, NULL, 0, res, e);
}

/* A writer that keeps nothing: it counts instructions and their text's bytes. */
struct counter {
	struct trace_writer w;
	uint64_t text_bytes;
	char line[4200];
};

static int
count_write(struct trace_writer *w, const struct isa_instr *in, struct errbuf *e)
{
	struct counter *c = (struct counter *)w;

	(void)e;
	text_format_instr(in, c->line, sizeof c->line);
	c->text_bytes += strlen(c->line) + 1;
	w->count++;
	return 0;
}

static int
count_close(struct trace_writer *w, struct errbuf *e)
{
	(void)w;
	(void)e;
	return 0;
}

static void
count_abort(struct trace_writer *w)
{
	(void)w;
}

static const struct trace_writer_ops count_ops = { count_write, count_close, count_abort };

int
sched_estimate(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct sched_result *res, struct sched_estimate *est, struct errbuf *e)
{
	struct workload one = *w;
	struct sched_result r1;
	struct counter *c;
	uint64_t heads = (uint64_t)w->batch * w->heads;
	int rc;

	one.batch = 1;
	one.heads = 1;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return errbuf_set(e, "out of memory");
	c->w.ops = &count_ops;
	r1 = *res;
	rc = sched_emit_to(s, n, &one, &res->t, &c->w, &r1, e);
	if (rc == 0) {	/* absurd workloads saturate instead of wrapping */
		if (__builtin_mul_overflow(r1.instructions, heads, &est->instructions))
			est->instructions = UINT64_MAX;
		if (__builtin_mul_overflow(c->text_bytes, heads, &est->text_bytes))
			est->text_bytes = UINT64_MAX;
		if (__builtin_mul_overflow(r1.makespan, heads, &est->makespan))
			est->makespan = UINT64_MAX;
	}
	free(c);
	return rc;
}

uint64_t
sched_align(uint64_t bytes)
{
	return (bytes + 63) / 64 * 64;
}

int
sched_fit_l0(const struct npu *n, const struct workload *w, uint64_t R, uint64_t C,
    struct errbuf *e)
{
	uint64_t el = w->elem_bytes, a, b, c;

	R = sched_rows(w, (int64_t)R);
	C = sched_cols(w, (int64_t)C);
	if (!npu_has_l0(n))
		return 0;
	a = R * (w->d_qk + C) * el;
	b = C * (w->d_qk + w->d_v) * el;
	c = R * (C + w->d_v) * 4;
	if (a > n->l0.a_bytes)
		return errbuf_set(e, "parameter 'rows' or 'cols': L0A needs %llu bytes (rows x "
		    "(dqk + cols) x %llu, with tiles of %llu rows and %llu cols as used), the NPU "
		    "has %llu (l0.a_kib = %llu)", (unsigned long long)a, (unsigned long long)el,
		    (unsigned long long)R, (unsigned long long)C,
		    (unsigned long long)n->l0.a_bytes, (unsigned long long)(n->l0.a_bytes / 1024));
	if (b > n->l0.b_bytes)
		return errbuf_set(e, "parameter 'cols': L0B needs %llu bytes (cols x (dqk + dv) x "
		    "%llu, with %llu cols as used), the NPU has %llu (l0.b_kib = %llu)",
		    (unsigned long long)b, (unsigned long long)el, (unsigned long long)C,
		    (unsigned long long)n->l0.b_bytes,
		    (unsigned long long)(n->l0.b_bytes / 1024));
	if (c > n->l0.c_bytes)
		return errbuf_set(e, "parameter 'rows' or 'cols': L0C needs %llu bytes (rows x "
		    "(cols + dv) x 4, with tiles of %llu rows and %llu cols as used), the NPU has "
		    "%llu (l0.c_kib = %llu)", (unsigned long long)c, (unsigned long long)R,
		    (unsigned long long)C, (unsigned long long)n->l0.c_bytes, (unsigned long long)(n->l0.c_bytes / 1024));
	return 0;
}

/* ---- shared emission ------------------------------------------------- */

void
sctx_init(struct sctx *sc, struct emit *em, const struct workload *w, uint32_t R, uint32_t C,
    uint32_t VR)
{
	const struct npu *n = em->npu;
	uint64_t e = w->elem_bytes;

	memset(sc, 0, sizeof *sc);
	sc->em = em;
	sc->npu = n;
	sc->wl = w;
	wl_layout(w, &sc->dl);
	sc->e = e;
	sc->R = (uint32_t)sched_rows(w, R);
	sc->C = (uint32_t)sched_cols(w, C);
	sc->VR = VR < sc->R ? VR : sc->R;
	sc->nrb = (w->q_len + sc->R - 1) / sc->R;
	sc->ncb = (w->k_len + sc->C - 1) / sc->C;
	sc->l0 = npu_has_l0(n);
	sc->l0a_q_holds = -1;
	if (sc->l0) {
		/* L0A: Q tile then P tile; L0B: K then V tile; L0C: S tile then O, 4-byte */
		sc->l0a_q = emit_slot(em, ISA_BUF_L0A, 0, (uint64_t)sc->R * w->d_qk * e);
		sc->l0a_p = emit_slot(em, ISA_BUF_L0A, (uint64_t)sc->R * w->d_qk * e,
		    (uint64_t)sc->R * sc->C * e);
		sc->l0b_k = emit_slot(em, ISA_BUF_L0B, 0, (uint64_t)sc->C * w->d_qk * e);
		sc->l0b_v = emit_slot(em, ISA_BUF_L0B, (uint64_t)sc->C * w->d_qk * e,
		    (uint64_t)sc->C * w->d_v * e);
		sc->l0c_s = emit_slot(em, ISA_BUF_L0C, 0, (uint64_t)sc->R * sc->C * 4);
		sc->l0c_o = emit_slot(em, ISA_BUF_L0C, (uint64_t)sc->R * sc->C * 4,
		    (uint64_t)sc->R * w->d_v * 4);
	}
}

int
sctx_l1(struct sctx *sc, uint64_t size, unsigned tensor)
{
	struct isa_instr in;
	int slot;

	slot = emit_slot(sc->em, ISA_BUF_L1, sc->l1_top, size);
	if (slot < 0)
		return -1;
	sc->l1_top += (size + 63) / 64 * 64;	/* keep tiles on 64-byte lines */
	sc->slots[sc->nslots++] = slot;
	emit_begin(sc->em, &in, ISA_UNIT_VEC, ISA_OP_ALLOC, 0);
	emit_write(sc->em, &in, slot, 0, size, tensor);
	emit_issue(sc->em, &in);
	return slot;
}

void
sctx_free_all(struct sctx *sc)
{
	struct isa_instr in;
	unsigned i;

	for (i = 0; i < sc->nslots; i++) {
		emit_begin(sc->em, &in, ISA_UNIT_VEC, ISA_OP_FREE, 0);
		emit_write(sc->em, &in, sc->slots[i], 0, sc->em->slots[sc->slots[i]].size,
		    ISA_T_NONE);
		/* a FREE names what dies as a source, though it waits like a write */
		in.src[0] = in.dst[0];
		in.nsrc = 1;
		in.ndst = 0;
		emit_issue(sc->em, &in);
	}
}

uint32_t
sctx_rows(const struct sctx *sc, uint32_t i)
{
	uint32_t r0 = i * sc->R;

	return sc->wl->q_len - r0 < sc->R ? sc->wl->q_len - r0 : sc->R;
}

uint32_t
sctx_cols(const struct sctx *sc, uint32_t j)
{
	uint32_t c0 = j * sc->C;

	return sc->wl->k_len - c0 < sc->C ? sc->wl->k_len - c0 : sc->C;
}

uint32_t
sctx_visible(const struct sctx *sc, uint32_t i)
{
	uint64_t last_row, last_col;

	if (!sc->wl->causal)
		return sc->ncb;
	last_row = (uint64_t)i * sc->R + sctx_rows(sc, i) - 1;
	last_col = last_row + (sc->wl->k_len - sc->wl->q_len);
	return (uint32_t)(last_col / sc->C + 1 < sc->ncb ? last_col / sc->C + 1 : sc->ncb);
}

bool
sctx_diagonal(const struct sctx *sc, uint32_t i, uint32_t j)
{
	uint64_t first_row = (uint64_t)i * sc->R;
	uint64_t last_col = (uint64_t)j * sc->C + sctx_cols(sc, j) - 1;

	return wl_masked(sc->wl, first_row, last_col);
}

static void
coords(struct isa_instr *in, uint32_t b, uint32_t h, uint64_t r0, uint64_t c0)
{
	in->b = b;
	in->h = h;
	in->rb = (uint32_t)r0;
	in->cb = (uint32_t)c0;
}

void
sctx_load(struct sctx *sc, uint32_t b, uint32_t h, uint32_t rb, uint32_t cb, uint64_t dram,
    int slot, uint64_t bytes, unsigned tensor)
{
	struct isa_instr in;

	emit_begin(sc->em, &in, emit_dma(sc->em), ISA_OP_LOAD, 0);
	coords(&in, b, h, rb, cb);
	in.bytes = bytes;
	emit_read_dram(sc->em, &in, dram, bytes, tensor);
	emit_write(sc->em, &in, slot, 0, bytes, tensor);
	emit_issue(sc->em, &in);
}

void
sctx_store(struct sctx *sc, uint32_t b, uint32_t h, uint32_t rb, uint32_t cb, int slot,
    uint64_t dram, uint64_t bytes, unsigned tensor)
{
	struct isa_instr in;

	emit_begin(sc->em, &in, emit_dma(sc->em), ISA_OP_STORE, 0);
	coords(&in, b, h, rb, cb);
	in.bytes = bytes;
	emit_read(sc->em, &in, slot, 0, bytes, tensor);
	emit_write_dram(sc->em, &in, dram, bytes, tensor);
	emit_issue(sc->em, &in);
}

static void
move(struct sctx *sc, uint32_t b, uint32_t h, uint64_t r0, uint64_t c0, int from,
    uint64_t from_bytes, int to, uint64_t to_bytes, unsigned tensor)
{
	struct isa_instr in;

	emit_begin(sc->em, &in, ISA_UNIT_MTE, ISA_OP_MOVE, 0);
	coords(&in, b, h, r0, c0);
	in.bytes = to_bytes > from_bytes ? to_bytes : from_bytes;
	emit_read(sc->em, &in, from, 0, from_bytes, tensor);
	emit_write(sc->em, &in, to, 0, to_bytes, tensor);
	emit_issue(sc->em, &in);
}

void
sctx_qk(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int q, int k, int s)
{
	const struct workload *w = sc->wl;
	uint64_t rows = sctx_rows(sc, i), cols = sctx_cols(sc, j), e = sc->e;
	uint64_t r0 = (uint64_t)i * sc->R, c0 = (uint64_t)j * sc->C;
	unsigned flags = ISA_F_TRANSB | (sctx_diagonal(sc, i, j) ? ISA_F_MASK : 0);
	struct isa_instr in;

	if (sc->l0) {
		/* Q stays in L0A for every key block of its row block */
		if (sc->l0a_q_holds != q || sc->l0a_q_version != sc->em->slots[q].writer) {
			move(sc, b, h, r0, 0, q, rows * w->d_qk * e, sc->l0a_q, rows * w->d_qk * e,
			    ISA_T_Q);
			sc->l0a_q_holds = q;
			sc->l0a_q_version = sc->em->slots[q].writer;
		}
		move(sc, b, h, r0, c0, k, cols * w->d_qk * e, sc->l0b_k, cols * w->d_qk * e,
		    ISA_T_K);
	}
	emit_begin(sc->em, &in, ISA_UNIT_MAC, ISA_OP_MATMUL, flags);
	coords(&in, b, h, r0, c0);
	in.m = (uint32_t)rows;
	in.n = (uint32_t)cols;
	in.k = w->d_qk;
	if (sc->l0) {
		emit_read(sc->em, &in, sc->l0a_q, 0, rows * w->d_qk * e, ISA_T_Q);
		emit_read(sc->em, &in, sc->l0b_k, 0, cols * w->d_qk * e, ISA_T_K);
		emit_write(sc->em, &in, sc->l0c_s, 0, rows * cols * 4, ISA_T_S);
	} else {
		emit_read(sc->em, &in, q, 0, rows * w->d_qk * e, ISA_T_Q);
		emit_read(sc->em, &in, k, 0, cols * w->d_qk * e, ISA_T_K);
		emit_write(sc->em, &in, s, 0, rows * cols * e, ISA_T_S);
	}
	emit_issue(sc->em, &in);
	if (sc->l0)
		move(sc, b, h, r0, c0, sc->l0c_s, rows * cols * 4, s, rows * cols * e, ISA_T_S);
}

void
sctx_pv(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int p, int v, int o,
    bool first)
{
	const struct workload *w = sc->wl;
	uint64_t rows = sctx_rows(sc, i), cols = sctx_cols(sc, j), e = sc->e;
	uint64_t r0 = (uint64_t)i * sc->R, c0 = (uint64_t)j * sc->C;
	struct isa_instr in;

	if (sc->l0) {
		move(sc, b, h, r0, c0, p, rows * cols * e, sc->l0a_p, rows * cols * e, ISA_T_P);
		move(sc, b, h, r0, c0, v, cols * w->d_v * e, sc->l0b_v, cols * w->d_v * e, ISA_T_V);
	}
	emit_begin(sc->em, &in, ISA_UNIT_MAC, ISA_OP_MATMUL, first ? 0 : ISA_F_ACC);
	coords(&in, b, h, r0, c0);
	in.m = (uint32_t)rows;
	in.n = w->d_v;
	in.k = (uint32_t)cols;
	if (sc->l0) {
		emit_read(sc->em, &in, sc->l0a_p, 0, rows * cols * e, ISA_T_P);
		emit_read(sc->em, &in, sc->l0b_v, 0, cols * w->d_v * e, ISA_T_V);
		emit_write(sc->em, &in, sc->l0c_o, 0, rows * w->d_v * 4, ISA_T_O);
	} else {
		emit_read(sc->em, &in, p, 0, rows * cols * e, ISA_T_P);
		emit_read(sc->em, &in, v, 0, cols * w->d_v * e, ISA_T_V);
		emit_write(sc->em, &in, o, 0, rows * w->d_v * e, ISA_T_O);
	}
	emit_issue(sc->em, &in);
}

void
sctx_o_out(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, int o)
{
	uint64_t rows = sctx_rows(sc, i);

	if (sc->l0)
		move(sc, b, h, (uint64_t)i * sc->R, 0, sc->l0c_o, rows * sc->wl->d_v * 4, o,
		    rows * sc->wl->d_v * sc->e, ISA_T_O);
}

/* One VEC instruction over rows [v0, v0 + vr) of tile j of row block i. */
static void
vec_tile(struct sctx *sc, unsigned op, unsigned flags, uint32_t b, uint32_t h, uint32_t i,
    uint32_t j, uint32_t v0, uint32_t vr, int tile, unsigned tin, int vec1, int vec2,
    int out, unsigned tout)
{
	uint64_t cols = sctx_cols(sc, j), e = sc->e;
	struct isa_instr in;

	emit_begin(sc->em, &in, ISA_UNIT_VEC, op, flags);
	coords(&in, b, h, (uint64_t)i * sc->R + v0, (uint64_t)j * sc->C);
	in.m = vr;
	in.n = (uint32_t)cols;
	emit_read(sc->em, &in, tile, (uint64_t)v0 * cols * e, (uint64_t)vr * cols * e, tin);
	if (vec1 >= 0)
		emit_read(sc->em, &in, vec1, (uint64_t)v0 * e, (uint64_t)vr * e,
		    op == ISA_OP_VSUM || op == ISA_OP_VDIV ? ISA_T_L : ISA_T_M);
	if (vec2 >= 0)
		emit_read(sc->em, &in, vec2, (uint64_t)v0 * e, (uint64_t)vr * e, ISA_T_L);
	if (out == tile)
		emit_write(sc->em, &in, tile, (uint64_t)v0 * cols * e, (uint64_t)vr * cols * e, tout);
	else
		emit_write(sc->em, &in, out, (uint64_t)v0 * e, (uint64_t)vr * e, tout);
	emit_issue(sc->em, &in);
}

void
sctx_softmax(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, const int *s, int m, int l)
{
	uint32_t rows = sctx_rows(sc, i), nvis = sctx_visible(sc, i), v0, vr, j;
	unsigned mask;

	for (v0 = 0; v0 < rows; v0 += sc->VR) {
		vr = rows - v0 < sc->VR ? rows - v0 : sc->VR;
		for (j = 0; j < nvis; j++) {	/* row maxima, merged across key blocks */
			mask = sctx_diagonal(sc, i, j) ? ISA_F_MASK : 0;
			vec_tile(sc, ISA_OP_VMAX, mask | (j == 0 ? ISA_F_FIRST : 0) |
			    (j + 1 == nvis ? ISA_F_LAST : 0), b, h, i, j, v0, vr, s[j], ISA_T_S,
			    j ? m : -1, -1, m, ISA_T_M);
		}
		for (j = 0; j < nvis; j++)	/* P = exp(scale (S - max)), in place */
			vec_tile(sc, ISA_OP_VEXP, sctx_diagonal(sc, i, j) ? ISA_F_MASK : 0, b, h, i,
			    j, v0, vr, s[j], ISA_T_S, m, -1, s[j], ISA_T_P);
		for (j = 0; j < nvis; j++)	/* row sums */
			vec_tile(sc, ISA_OP_VSUM, (j == 0 ? ISA_F_FIRST : 0) |
			    (j + 1 == nvis ? ISA_F_LAST : 0), b, h, i, j, v0, vr, s[j], ISA_T_P,
			    j ? l : -1, -1, l, ISA_T_L);
		for (j = 0; j < nvis; j++)	/* normalize */
			vec_tile(sc, ISA_OP_VDIV, 0, b, h, i, j, v0, vr, s[j], ISA_T_P, l, -1,
			    s[j], ISA_T_P);
	}
}
