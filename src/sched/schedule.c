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

const char *const sched_on_off[] = { "on", "off", NULL };
const char *const sched_kv_choices[] = { "stream", "resident", NULL };
const char *const sched_norm_choices[] = { "p", "o", NULL };

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

/* A writer that keeps nothing and counts. */
static int
null_write(struct trace_writer *w, const struct isa_instr *in, struct errbuf *e)
{
	(void)in;
	(void)e;
	w->count++;
	return 0;
}

static int
null_close(struct trace_writer *w, struct errbuf *e)
{
	(void)w;
	(void)e;
	return 0;
}

static void
null_abort(struct trace_writer *w)
{
	(void)w;
}

static const struct trace_writer_ops null_ops = { null_write, null_close, null_abort };

/*
 * The search plans this many instructions at most: a deterministic limit
 * (a few seconds), reached only by long sequences with small tiles, which
 * are tried last.
 */
#define SEARCH_BUDGET (12u * 1000 * 1000)
#define MAX_CAND 40

struct search {
	const struct sched *s;
	const struct npu *n;
	const struct workload *w, *one;
	int rows_i, cols_i, vrows_i;
	int64_t rows[MAX_CAND], cols[MAX_CAND];
	unsigned nrows, ncols;
	uint64_t planned;		/* instructions planned so far */
	bool found, exhausted, fit_only, single;
	/* the best candidates by planned makespan, best first; best is top[0] */
	struct tiling top[SCHED_TOP];
	uint64_t top_makespan[SCHED_TOP], top_instr[SCHED_TOP];
	unsigned ntop;
	/*
	 * The smallest footprint seen, fitting or not: among the usual
	 * candidates (what --allow-spill takes) and among all (for messages).
	 */
	struct tiling least, least_all;
	uint64_t least_bytes, least_all_bytes;
	bool any, any_all, small;
	struct errbuf e;
};

/* Planned makespan of one head (every head is planned alike). */
static int
plan_one(struct search *sr, const struct tiling *t, uint64_t *makespan, uint64_t *instr)
{
	struct trace_writer wr;
	struct sched_result r;

	memset(&wr, 0, sizeof wr);
	wr.ops = &null_ops;
	if (sched_emit_to(sr->s, sr->n, sr->one, t, &wr, &r, &sr->e) != 0)
		return -1;
	*makespan = r.makespan;
	*instr = r.instructions;
	return 0;
}

static void
try_tiling(struct search *sr, struct tiling *t)
{
	struct sched_fit f;
	struct errbuf e;
	uint64_t ms, ni;
	unsigned i;

	if (sr->vrows_i >= 0 && !t->set[sr->vrows_i])
		t->v[sr->vrows_i] = sched_get(sr->s, t, "rows") < 32 ? sched_get(sr->s, t, "rows") : 32;
	if (sr->s->fit(sr->n, sr->w, t, &f, &e) != 0)
		return;		/* L0 or a rule of the dataflow */
	if (!sr->small && (!sr->any || f.l1_bytes < sr->least_bytes)) {
		sr->least = *t;
		sr->least_bytes = f.l1_bytes;
		sr->any = true;
	}
	if (!sr->any_all || f.l1_bytes < sr->least_all_bytes) {
		sr->least_all = *t;
		sr->least_all_bytes = f.l1_bytes;
		sr->any_all = true;
	}
	if (f.l1_bytes > sr->n->l1.capacity_bytes || sr->exhausted)
		return;
	if (sr->fit_only || sr->single) {
		/* one is enough, or the only one: nothing to compare it with */
		sr->top[0] = *t;
		sr->ntop = 1;
		sr->found = sr->exhausted = true;
		return;
	}
	if (sr->found && sr->planned >= SEARCH_BUDGET) {
		sr->exhausted = true;
		return;
	}
	if (plan_one(sr, t, &ms, &ni) != 0)
		return;
	sr->planned += ni;
	/* into the ranking: shorter makespan first, then fewer instructions */
	for (i = sr->ntop; i > 0 && (ms < sr->top_makespan[i - 1] ||
	    (ms == sr->top_makespan[i - 1] && ni < sr->top_instr[i - 1])); i--)
		if (i < SCHED_TOP) {
			sr->top[i] = sr->top[i - 1];
			sr->top_makespan[i] = sr->top_makespan[i - 1];
			sr->top_instr[i] = sr->top_instr[i - 1];
		}
	if (i < SCHED_TOP) {
		sr->top[i] = *t;
		sr->top_makespan[i] = ms;
		sr->top_instr[i] = ni;
		if (sr->ntop < SCHED_TOP)
			sr->ntop++;
	}
	sr->found = true;
}

/* Every unset searchable choice from parameter k on, then rows and cols. */
static void
search_from(struct search *sr, struct tiling *t, unsigned k)
{
	const struct sched_tparam *p;
	unsigned r, c, i;

	for (; k < sr->s->nparams; k++) {
		p = &sr->s->params[k];
		if (!t->set[k] && p->choices != NULL && !p->ablation)
			break;
	}
	if (k < sr->s->nparams) {
		for (i = 0; p->choices[i] != NULL; i++) {
			t->v[k] = i;
			search_from(sr, t, k + 1);
		}
		t->v[k] = 0;
		return;
	}
	for (c = 0; c < sr->ncols; c++)
		for (r = 0; r < sr->nrows; r++) {
			if (sr->cols_i >= 0)
				t->v[sr->cols_i] = sr->cols[c];
			if (sr->rows_i >= 0)
				t->v[sr->rows_i] = sr->rows[r];
			try_tiling(sr, t);
		}
}

/*
 * The row granularity of the MAC: a cube's m; a systolic array streams rows
 * one a cycle, so any count runs it full, and 16 keeps the candidates few.
 */
static int64_t
native_rows(const struct npu *n)
{
	return n->mac.kind == NPU_MAC_CUBE && n->mac.m > 0 ? n->mac.m : 16;
}

static void
add_cand(int64_t *v, unsigned *n, int64_t x)
{
	unsigned i;

	for (i = 0; i < *n; i++)
		if (v[i] == x)
			return;
	if (*n < MAX_CAND)
		v[(*n)++] = x;
}

/*
 * Candidates, largest first: rows in multiples of the native height h (h to
 * 8h, then doubling) up to the queries, or (small) h/2, h/4 ... 1; cols in
 * powers of two from 16 to 256, and (small) 8 ... 1 after them.
 */
static void
candidates(struct search *sr, struct tiling *t, bool small)
{
	int64_t h = native_rows(sr->n), top, x, tmp;
	unsigned i, j;

	sr->nrows = sr->ncols = 0;
	if (sr->rows_i >= 0 && t->set[sr->rows_i])
		add_cand(sr->rows, &sr->nrows, t->v[sr->rows_i]);
	else if (!small) {
		top = ((int64_t)sr->w->q_len + h - 1) / h * h;
		for (x = h; x <= 8 * h && x <= top; x += h)
			add_cand(sr->rows, &sr->nrows, x);
		for (x = 16 * h; x <= top; x *= 2)
			add_cand(sr->rows, &sr->nrows, x);
		add_cand(sr->rows, &sr->nrows, top);
	} else {
		for (x = h / 2; x >= 1; x /= 2)
			add_cand(sr->rows, &sr->nrows, x);
	}
	if (sr->cols_i >= 0 && t->set[sr->cols_i])
		add_cand(sr->cols, &sr->ncols, t->v[sr->cols_i]);
	else {
		for (x = 16; x <= 256; x *= 2) {
			add_cand(sr->cols, &sr->ncols, x);
			if (x >= (int64_t)sr->w->k_len)
				break;
		}
		for (x = 8; small && x >= 1; x /= 2)
			add_cand(sr->cols, &sr->ncols, x);
	}
	/* largest first: they plan fastest, and the budget cuts the small ones */
	for (i = 0; i < sr->nrows; i++)
		for (j = i + 1; j < sr->nrows; j++)
			if (sr->rows[j] > sr->rows[i]) {
				tmp = sr->rows[i];
				sr->rows[i] = sr->rows[j];
				sr->rows[j] = tmp;
			}
	for (i = 0; i < sr->ncols; i++)
		for (j = i + 1; j < sr->ncols; j++)
			if (sr->cols[j] > sr->cols[i]) {
				tmp = sr->cols[i];
				sr->cols[i] = sr->cols[j];
				sr->cols[j] = tmp;
			}
}

/*
 * Search the candidates for t's unset parameters (all of them when
 * fit_only: does any fit?), going below the native height when nothing
 * else fits.  The result is in sr.
 */
static void
search_run(struct search *sr, const struct sched *s, const struct npu *n,
    const struct workload *w, struct tiling *t, bool fit_only, char *note, size_t len)
{
	struct workload one = *w;
	int64_t h = native_rows(n);
	unsigned i;

	sr->s = s;
	sr->n = n;
	sr->w = w;
	sr->fit_only = fit_only;
	sr->rows_i = sched_param_index(s, "rows");
	sr->cols_i = sched_param_index(s, "cols");
	sr->vrows_i = sched_param_index(s, "vrows");
	/* ablation knobs and fixed choices start from their first value */
	for (i = 0; i < s->nparams; i++)
		if (!t->set[i] && s->params[i].choices != NULL)
			t->v[i] = 0;
	one.batch = 1;
	one.heads = 1;
	sr->one = &one;
	candidates(sr, t, false);
	sr->single = sr->nrows == 1 && sr->ncols == 1;
	for (i = 0; i < s->nparams; i++)
		if (!t->set[i] && s->params[i].choices != NULL && !s->params[i].ablation)
			sr->single = false;
	search_from(sr, t, 0);
	if (!sr->found && !(sr->rows_i >= 0 && t->set[sr->rows_i] && sr->cols_i >= 0 &&
	    t->set[sr->cols_i])) {
		/* below the native height: the array runs partly empty, but it runs */
		sr->small = true;
		candidates(sr, t, true);
		search_from(sr, t, 0);
		if (sr->found && n->mac.kind == NPU_MAC_CUBE && sr->rows_i >= 0 &&
		    sr->top[0].v[sr->rows_i] < h &&
		    (uint64_t)sr->top[0].v[sr->rows_i] < w->q_len)
			snprintf(note, len, "rows=%lld is below the MAC's native height of %lld: "
			    "no taller row block fits L1", (long long)sr->top[0].v[sr->rows_i],
			    (long long)h);
	}
	sr->one = NULL;
}

/* The other dataflows with a tiling that fits, for the message. */
static void
others_that_fit(const struct sched *s, const struct npu *n, const struct workload *w,
    char *buf, size_t len)
{
	size_t used = 0, i;
	struct search *sr;
	struct tiling t;
	char note[8];

	buf[0] = '\0';
	for (i = 0; i < sched_count(); i++) {
		const struct sched *o = sched_at(i);
		if (o == s || (sr = calloc(1, sizeof *sr)) == NULL)
			continue;
		memset(&t, 0, sizeof t);
		search_run(sr, o, n, w, &t, true, note, sizeof note);
		if (sr->found)
			used += (size_t)snprintf(buf + used, len > used ? len - used : 0, "%s%s",
			    used ? ", " : "", o->name);
		free(sr);
	}
}

int
sched_plan_top(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct tiling *asked, struct tiling *top, unsigned *ntop, char *note, size_t len)
{
	struct search *sr;
	struct tiling t = *asked;
	unsigned i;

	*ntop = 0;
	note[0] = '\0';
	if ((sr = calloc(1, sizeof *sr)) == NULL)
		return -1;
	search_run(sr, s, n, w, &t, false, note, len);
	for (i = 0; i < sr->ntop; i++)
		top[i] = sr->top[i];
	*ntop = sr->ntop;
	free(sr);
	return 0;
}

int
sched_plan(const struct sched *s, const struct npu *n, const struct workload *w,
    struct tiling *t, bool allow_spill, struct sched_fit *f, struct errbuf *e)
{
	struct search *sr;
	struct tiling asked = *t;
	char text[256], clip[96] = "", others[128], advice[256], note[sizeof f->note] = "";
	bool smallest, given;
	unsigned i;
	int rc = 0;

	if ((sr = calloc(1, sizeof *sr)) == NULL)
		return errbuf_set(e, "out of memory");
	search_run(sr, s, n, w, t, false, note, sizeof note);
	if (sr->found) {
		*t = sr->top[0];
	} else if (allow_spill && sr->any) {
		*t = sr->least;
	} else if (sr->any_all) {
		*t = sr->least_all;
	} else {
		/* not even L0 takes a candidate: let fit() say why for the asked tiling */
		*t = asked;
		set_default(s, t, "rows", 16);
		set_default(s, t, "cols", 16);
		set_default(s, t, "vrows", 16);
	}
	sched_format_tiling(s, t, text, sizeof text);
	if (s->fit(n, w, t, f, e) != 0) {
		rc = errbuf_prefix(e, "tiling %s", text);
		goto out;
	}
	snprintf(f->note, sizeof f->note, "%s", sr->found ? note : "");
	if (f->l1_bytes > n->l1.capacity_bytes && !allow_spill) {
		/* say so when the footprint was computed with smaller tiles than written */
		if (sr->rows_i >= 0 && (uint64_t)t->v[sr->rows_i] > w->q_len)
			snprintf(clip, sizeof clip, ", with rows clipped to the %u queries",
			    (unsigned)w->q_len);
		else if (sr->cols_i >= 0 && (uint64_t)t->v[sr->cols_i] > w->k_len)
			snprintf(clip, sizeof clip, ", with cols clipped to the %u keys",
			    (unsigned)w->k_len);
		smallest = sr->any_all && sr->least_all_bytes == f->l1_bytes;
		for (i = 0, given = false; i < s->nparams; i++)
			given |= asked.set[i];
		others_that_fit(s, n, w, others, sizeof others);
		if (others[0] != '\0')
			snprintf(advice, sizeof advice, "%suse a dataflow that fits (%s) or pass "
			    "--allow-spill", smallest ? "" : "choose smaller tiles, ", others);
		else
			snprintf(advice, sizeof advice, "%spass --allow-spill", smallest ? "" :
			    "choose smaller tiles or ");
		rc = errbuf_set(e, "tiling %s needs %llu bytes of L1 (%s%s), the NPU has %llu "
		    "(l1.capacity_kib = %llu)%s; %s", text, (unsigned long long)f->l1_bytes,
		    f->formula, clip, (unsigned long long)n->l1.capacity_bytes,
		    (unsigned long long)(n->l1.capacity_bytes / 1024), !smallest ? "" : given ?
		    ", the smallest footprint of this dataflow with the parameters given" :
		    ", the smallest footprint of this dataflow", advice);
	}
out:
	free(sr);
	return rc;
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

void
sched_header(struct trace_header *h, const struct sched *s, const struct npu *n,
    const struct workload *w, const struct sched_result *res, const char *command)
{
	trace_header_init(h, n, w);
	snprintf(h->sched, sizeof h->sched, "%s", s->name);
	snprintf(h->tiling, sizeof h->tiling, "%s", res->tiling);
	snprintf(h->command, sizeof h->command, "%s", command ? command : "");
}

int
sched_write(const struct sched *s, const struct npu *n, const struct workload *w,
    const char *command, const char *out, const struct progress *p, uint64_t expected,
    struct sched_result *res, struct errbuf *e)
{
	struct trace_progress_writer pw;
	struct trace_header h;
	struct trace_writer *wr;

	sched_header(&h, s, n, w, res, command);
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

static const struct trace_writer_ops count_ops = { count_write, null_close, null_abort };

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
	sc->scratch = UINT64_MAX;
	if (sc->l0) {
		/* L0A: Q tile then P tiles; L0B: K then V tiles; L0C: S tiles then O, 4-byte */
		uint64_t q = (uint64_t)sc->R * w->d_qk * e, p = (uint64_t)sc->R * sc->C * e;
		uint64_t k = (uint64_t)sc->C * w->d_qk * e, v = (uint64_t)sc->C * w->d_v * e;
		uint64_t s = (uint64_t)sc->R * sc->C * 4, o = (uint64_t)sc->R * w->d_v * 4;
		unsigned i;

		uint64_t kv = k > v ? k : v;

		sc->nl0a = q + 2 * p <= n->l0.a_bytes ? 2 : 1;
		sc->nl0b = n->l0.b_bytes / kv >= 2 ? (unsigned)(n->l0.b_bytes / kv < 4 ?
		    n->l0.b_bytes / kv : 4) : 0;
		sc->nl0c = 2 * s + o <= n->l0.c_bytes ? 2 : 1;
		sc->l0a_q = emit_slot(em, ISA_BUF_L0A, 0, q);
		for (i = 0; i < sc->nl0a; i++)
			sc->l0a_p[i] = emit_slot(em, ISA_BUF_L0A, q + i * p, p);
		for (i = 0; i < sc->nl0b; i++)
			sc->l0b[i] = emit_slot(em, ISA_BUF_L0B, i * kv, kv);
		if (sc->nl0b == 0) {
			sc->l0b_k = emit_slot(em, ISA_BUF_L0B, 0, k);
			sc->l0b_v = emit_slot(em, ISA_BUF_L0B, k, v);
		}
		for (i = 0; i < sc->nl0c; i++)
			sc->l0c_s[i] = emit_slot(em, ISA_BUF_L0C, i * s, s);
		sc->l0c_o = emit_slot(em, ISA_BUF_L0C, sc->nl0c * s, o);
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
	if (dram >= sc->scratch)
		emit_after_sync(sc->em, &in);
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
	if (dram >= sc->scratch)
		emit_after_sync(sc->em, &in);
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

/* The L0B tile for the next K or V: the ring's next, or the fixed one. */
static int
l0b_next(struct sctx *sc, bool v)
{
	return sc->nl0b ? sc->l0b[sc->ub++ % sc->nl0b] : v ? sc->l0b_v : sc->l0b_k;
}

static void
move_k(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int k, int l0k)
{
	uint64_t bytes = (uint64_t)sctx_cols(sc, j) * sc->wl->d_qk * sc->e;

	move(sc, b, h, (uint64_t)i * sc->R, (uint64_t)j * sc->C, k, bytes, l0k, bytes, ISA_T_K);
}

/*
 * Where K tile j comes from: a fixed slot, or the K/V tiles (which load it,
 * so it must be asked for in the order the tiles are used).
 */
struct kfrom {
	int slot;
	struct skv *kv;
	uint32_t b, h, i;
};

static int
k_slot(struct sctx *sc, const struct kfrom *f, uint32_t j)
{
	return f->kv == NULL ? f->slot : skv_k(sc, f->kv, f->b, f->h, f->i, j);
}

static void
qk_row(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j0, uint32_t n,
    int q, const struct kfrom *from, const int *s)
{
	const struct workload *w = sc->wl;
	uint64_t rows = sctx_rows(sc, i), e = sc->e, r0 = (uint64_t)i * sc->R, cols, c0;
	/* with a ring, the next K moves in while this tile multiplies */
	bool ahead = sc->l0 && sc->nl0b >= 2;
	int l0k[2] = { -1, -1 }, k[2] = { -1, -1 }, l0s;
	uint32_t t, j;
	struct isa_instr in;

	if (n == 0)
		return;
	k[0] = k_slot(sc, from, j0);	/* its load, if any, before the moves */
	if (sc->l0) {
		/* Q stays in L0A for every key block of its row block */
		if (sc->l0a_q_holds != q || sc->l0a_q_version != sc->em->slots[q].writer) {
			move(sc, b, h, r0, 0, q, rows * w->d_qk * e, sc->l0a_q, rows * w->d_qk * e,
			    ISA_T_Q);
			sc->l0a_q_holds = q;
			sc->l0a_q_version = sc->em->slots[q].writer;
		}
	}
	for (t = 0; t < n; t++) {
		j = j0 + t;
		cols = sctx_cols(sc, j);
		c0 = (uint64_t)j * sc->C;
		if (t == 0 || !ahead) {
			if (t > 0)
				k[t % 2] = k_slot(sc, from, j);
			if (sc->l0) {
				l0k[t % 2] = l0b_next(sc, false);
				move_k(sc, b, h, i, j, k[t % 2], l0k[t % 2]);
			}
		}
		if (ahead && t + 1 < n) {
			k[(t + 1) % 2] = k_slot(sc, from, j + 1);
			l0k[(t + 1) % 2] = l0b_next(sc, false);
			move_k(sc, b, h, i, j + 1, k[(t + 1) % 2], l0k[(t + 1) % 2]);
		}
		l0s = sc->l0 ? sc->l0c_s[sc->us++ % sc->nl0c] : -1;
		emit_begin(sc->em, &in, ISA_UNIT_MAC, ISA_OP_MATMUL, ISA_F_TRANSB |
		    (sctx_diagonal(sc, i, j) ? ISA_F_MASK : 0));
		coords(&in, b, h, r0, c0);
		in.m = (uint32_t)rows;
		in.n = (uint32_t)cols;
		in.k = w->d_qk;
		if (sc->l0) {
			emit_read(sc->em, &in, sc->l0a_q, 0, rows * w->d_qk * e, ISA_T_Q);
			emit_read(sc->em, &in, l0k[t % 2], 0, cols * w->d_qk * e, ISA_T_K);
			emit_write(sc->em, &in, l0s, 0, rows * cols * 4, ISA_T_S);
		} else {
			emit_read(sc->em, &in, q, 0, rows * w->d_qk * e, ISA_T_Q);
			emit_read(sc->em, &in, k[t % 2], 0, cols * w->d_qk * e, ISA_T_K);
			emit_write(sc->em, &in, s[t], 0, rows * cols * e, ISA_T_S);
		}
		emit_issue(sc->em, &in);
		if (sc->l0)
			move(sc, b, h, r0, c0, l0s, rows * cols * 4, s[t], rows * cols * e, ISA_T_S);
	}
}

void
sctx_qk(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int q, int k, int s)
{
	struct kfrom f = { k, NULL, 0, 0, 0 };

	qk_row(sc, b, h, i, j, 1, q, &f, &s);
}

void
sctx_qk_kv(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i, int q,
    const int *s)
{
	struct kfrom f = { -1, kv, b, h, i };

	qk_row(sc, b, h, i, 0, sctx_visible(sc, i), q, &f, s);
}

void
sctx_pv(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int p, int v, int o,
    bool first)
{
	const struct workload *w = sc->wl;
	uint64_t rows = sctx_rows(sc, i), cols = sctx_cols(sc, j), e = sc->e;
	uint64_t r0 = (uint64_t)i * sc->R, c0 = (uint64_t)j * sc->C;
	int l0p = sc->l0 ? sc->l0a_p[sc->up++ % sc->nl0a] : -1;
	int l0v = sc->l0 ? l0b_next(sc, true) : -1;
	struct isa_instr in;

	if (sc->l0) {
		move(sc, b, h, r0, c0, p, rows * cols * e, l0p, rows * cols * e, ISA_T_P);
		move(sc, b, h, r0, c0, v, cols * w->d_v * e, l0v, cols * w->d_v * e, ISA_T_V);
	}
	emit_begin(sc->em, &in, ISA_UNIT_MAC, ISA_OP_MATMUL, first ? 0 : ISA_F_ACC);
	coords(&in, b, h, r0, c0);
	in.m = (uint32_t)rows;
	in.n = w->d_v;
	in.k = (uint32_t)cols;
	if (sc->l0) {
		emit_read(sc->em, &in, l0p, 0, rows * cols * e, ISA_T_P);
		emit_read(sc->em, &in, l0v, 0, cols * w->d_v * e, ISA_T_V);
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
sctx_softmax(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, const int *s, int m, int l,
    bool divide)
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
		for (j = 0; j < nvis && divide; j++)	/* normalize */
			vec_tile(sc, ISA_OP_VDIV, 0, b, h, i, j, v0, vr, s[j], ISA_T_P, l, -1,
			    s[j], ISA_T_P);
	}
}

void
sctx_normalize(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, int o, int l)
{
	uint64_t rows = sctx_rows(sc, i), dv = sc->wl->d_v, e = sc->e, v0, vr;
	struct isa_instr in;

	for (v0 = 0; v0 < rows; v0 += sc->VR) {
		vr = rows - v0 < sc->VR ? rows - v0 : sc->VR;
		emit_begin(sc->em, &in, ISA_UNIT_VEC, ISA_OP_VDIV, 0);
		coords(&in, b, h, (uint64_t)i * sc->R + v0, 0);
		in.m = (uint32_t)vr;
		in.n = (uint32_t)dv;
		emit_read(sc->em, &in, o, v0 * dv * e, vr * dv * e, ISA_T_O);
		emit_read(sc->em, &in, l, v0 * e, vr * e, ISA_T_L);
		emit_write(sc->em, &in, o, v0 * dv * e, vr * dv * e, ISA_T_O);
		emit_issue(sc->em, &in);
	}
}

/* ---- K and V tiles ---------------------------------------------------- */

uint64_t
skv_bytes(const struct workload *w, uint64_t cols, bool resident)
{
	uint64_t C = sched_cols(w, (int64_t)cols), el = w->elem_bytes;
	uint64_t n = resident ? (w->k_len + C - 1) / C : 2;

	return n * (sched_align(C * w->d_qk * el) + sched_align(C * w->d_v * el));
}

int
skv_init(struct sctx *sc, struct skv *kv, bool resident)
{
	uint32_t n = resident ? sc->ncb : 2, j;

	memset(kv, 0, sizeof *kv);
	kv->resident = resident;
	kv->ks.b = kv->ks.h = kv->vs.b = kv->vs.h = UINT32_MAX;
	if ((kv->k = calloc(2 * (size_t)n, sizeof *kv->k)) == NULL)
		return errbuf_set(sc->em->e, "out of memory");
	kv->v = kv->k + n;
	for (j = 0; j < n; j++) {
		kv->k[j] = sctx_l1(sc, (uint64_t)sc->C * sc->wl->d_qk * sc->e, ISA_T_K);
		kv->v[j] = sctx_l1(sc, (uint64_t)sc->C * sc->wl->d_v * sc->e, ISA_T_V);
	}
	return 0;
}

void
skv_free(struct skv *kv)
{
	free(kv->k);
	kv->k = kv->v = NULL;
}

static int
kv_tile(struct sctx *sc, struct skv *kv, bool is_v, uint32_t b, uint32_t h, uint32_t i,
    uint32_t j)
{
	const struct workload *w = sc->wl;
	struct skv_state *st = is_v ? &kv->vs : &kv->ks;
	uint64_t d = is_v ? w->d_v : w->d_qk, c0 = (uint64_t)j * sc->C;
	int slot;

	if (kv->resident) {
		if (st->b != b || st->h != h) {
			st->b = b;
			st->h = h;
			st->n = 0;
		}
		slot = (is_v ? kv->v : kv->k)[j];
		/* row blocks see a growing prefix of the key blocks (causal or not) */
		if (j < st->n)
			return slot;
		st->n = j + 1;
	} else {
		slot = (is_v ? kv->v : kv->k)[st->n++ % 2];
	}
	sctx_load(sc, b, h, i * sc->R, (uint32_t)c0, is_v ? wl_v_row(w, &sc->dl, b, h, c0) :
	    wl_k_row(w, &sc->dl, b, h, c0), slot, (uint64_t)sctx_cols(sc, j) * d * sc->e,
	    is_v ? ISA_T_V : ISA_T_K);
	return slot;
}

int
skv_k(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i, uint32_t j)
{
	return kv_tile(sc, kv, false, b, h, i, j);
}

int
skv_v(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i, uint32_t j)
{
	return kv_tile(sc, kv, true, b, h, i, j);
}
