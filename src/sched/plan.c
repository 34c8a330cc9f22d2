/* plan: the default-tiling rule, a search of the candidates by planned makespan. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "schedule.h"
#include "tiles.h"

static void
set_default(const struct sched *s, struct tiling *t, enum sched_role role, int64_t v)
{
	int i = sched_role_index(s, role);

	if (i >= 0 && !t->set[i])
		t->v[i] = v;
}

/*
 * The search plans this many instructions at most (the whole workload, or
 * two heads and four: sched_plan_whole()): a deterministic limit (a few
 * seconds), reached only by long sequences with small tiles, which are
 * tried last.  A candidate of which one head alone makes more than a
 * sixth of it is not planned at all.
 */
#define SEARCH_BUDGET (72u * 1000 * 1000)
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
	/*
	 * Candidates that fit but take too long to plan: the one with the
	 * fewest instructions, taken when nothing else fits.
	 */
	struct tiling big;
	uint64_t big_instr, too_long;
	/*
	 * Per choice of the form (when searched): the best planned makespan
	 * (0: none planned) and the least footprint seen (0: none fit L0).
	 */
	int form_i;
	uint64_t form_ms[SCHED_MAX_CHOICES], form_least[SCHED_MAX_CHOICES];
	struct errbuf e;
};

uint64_t
sched_proxy(const struct workload *w, uint64_t units, struct workload *out)
{
	*out = *w;
	if (units <= w->heads) {
		out->batch = 1;
		out->heads = (uint32_t)units;
	} else {
		units = (units + w->heads - 1) / w->heads;
		out->batch = (uint32_t)(units < w->batch ? units : w->batch);
	}
	return (uint64_t)out->batch * out->heads;
}

uint64_t
sched_extrapolate(uint64_t ma, uint64_t a, uint64_t mb, uint64_t b, uint64_t units)
{
	double step, est;

	if (units <= a || b <= a)
		return ma;
	step = mb > ma ? (double)(mb - ma) / (double)(b - a) : 0;
	est = (double)ma + step * (double)(units - a);
	return est >= 0x1p64 ? UINT64_MAX : (uint64_t)(est + 0.5);
}

bool
sched_judge_whole(const struct sched *s, const struct workload *w, const struct tiling *t)
{
	return (uint64_t)w->batch * w->heads <= 4 ||
	    sched_min_instructions(s, w, t) <= SCHED_WHOLE_INSTRUCTIONS;
}

int
sched_plan_whole(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct tiling *t, uint64_t *makespan, uint64_t *instr, struct errbuf *e)
{
	uint64_t units = (uint64_t)w->batch * w->heads, a, b;
	struct sched_counter c;
	struct sched_result ra, rb;
	struct workload wa, wb;

	if (sched_judge_whole(s, w, t)) {
		sched_counter_init(&c, false);
		if (sched_emit_to(s, n, w, t, &c.w, &ra, e) != 0)
			return -1;
		*makespan = ra.makespan;
		*instr = ra.instructions;
		return 0;
	}
	a = sched_proxy(w, 2, &wa);
	b = sched_proxy(w, 4, &wb);
	sched_counter_init(&c, false);
	if (sched_emit_to(s, n, &wa, t, &c.w, &ra, e) != 0)
		return -1;
	sched_counter_init(&c, false);
	if (sched_emit_to(s, n, &wb, t, &c.w, &rb, e) != 0)
		return -1;
	*makespan = sched_extrapolate(ra.makespan, a, rb.makespan, b, units);
	*instr = ra.instructions + rb.instructions;
	return 0;
}

/*
 * What planning a head of t costs, at least: its instructions, with every
 * matrix step as many times as a row block has cube tiles (a bound on the
 * high side, as not every instruction is one).
 */
static uint64_t
head_size(const struct search *sr, const struct tiling *t)
{
	const struct sched *s = sr->s;
	uint64_t n = sched_min_instructions(s, sr->one, t), R, mr, x;

	if (sr->rows_i < 0 || sr->cols_i < 0)
		return n;
	R = s->block_rows ? s->block_rows(sr->w, t) : sched_rows(sr->w, t->v[sr->rows_i]);
	mr = sched_cube_rows(sr->n, sr->w, R, (uint64_t)t->v[sr->cols_i]);
	if (mr == 0 || mr >= R)
		return n;
	return __builtin_mul_overflow(n, (R + mr - 1) / mr, &x) ? UINT64_MAX : x;
}

static void
try_tiling(struct search *sr, struct tiling *t)
{
	struct sched_fit f;
	struct errbuf e;
	uint64_t ms, ni;
	unsigned i;

	if (sr->vrows_i >= 0 && !t->set[sr->vrows_i]) {
		int64_t rows = sched_role_value(sr->s, t, SCHED_ROLE_ROWS, SCHED_VEC_ROWS);
		t->v[sr->vrows_i] = rows < SCHED_VEC_ROWS ? rows : SCHED_VEC_ROWS;
	}
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
	if (sr->form_i >= 0 && (sr->form_least[t->v[sr->form_i]] == 0 ||
	    f.l1_bytes < sr->form_least[t->v[sr->form_i]]))
		sr->form_least[t->v[sr->form_i]] = f.l1_bytes;
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
	/* planning costs what a head makes: a candidate past the budget is kept by size alone */
	if ((ni = head_size(sr, t)) > SEARCH_BUDGET / 6) {
		if (sr->too_long++ == 0 || ni < sr->big_instr) {
			sr->big = *t;
			sr->big_instr = ni;
		}
		return;
	}
	if (sched_plan_whole(sr->s, sr->n, sr->w, t, &ms, &ni, &sr->e) != 0)
		return;
	sr->planned += ni;
	if (sr->form_i >= 0 && (sr->form_ms[t->v[sr->form_i]] == 0 ||
	    ms < sr->form_ms[t->v[sr->form_i]]))
		sr->form_ms[t->v[sr->form_i]] = ms;
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

/* Every combination of the unset searched choices from parameter k on. */
static void
search_choices(struct search *sr, struct tiling *t, unsigned k)
{
	const struct sched_tparam *p = NULL;
	unsigned i;

	for (; k < sr->s->nparams; k++) {
		p = &sr->s->params[k];
		if (!t->set[k] && sched_role_searched(p->role))
			break;
	}
	if (k == sr->s->nparams) {
		try_tiling(sr, t);
		return;
	}
	for (i = 0; p->choices[i] != NULL; i++) {
		t->v[k] = i;
		search_choices(sr, t, k + 1);
	}
	t->v[k] = 0;
}

/*
 * Rows and cols, largest first, each with every choice: when the budget
 * runs out it cuts the smallest tiles of every form alike.
 */
static void
search_from(struct search *sr, struct tiling *t)
{
	unsigned r, c;

	for (c = 0; c < sr->ncols; c++)
		for (r = 0; r < sr->nrows; r++) {
			if (sr->cols_i >= 0)
				t->v[sr->cols_i] = sr->cols[c];
			if (sr->rows_i >= 0)
				t->v[sr->rows_i] = sr->rows[r];
			search_choices(sr, t, 0);
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
 * Why the form: each choice's best planned makespan, or what
 * kept it out; appended to note.
 */
static void
form_note(const struct search *sr, char *note, size_t len)
{
	const struct sched_tparam *p = &sr->s->params[sr->form_i];
	size_t used = strlen(note);
	char n1[NUM_TEXT_MAX], n2[NUM_TEXT_MAX];
	unsigned i;

	used += (size_t)snprintf(note + used, len > used ? len - used : 0, "%s%s by planned "
	    "cycles:", used ? "; " : "", p->name);
	for (i = 0; p->choices[i] != NULL && used < len; i++) {
		used += (size_t)snprintf(note + used, len - used, "%s %s ", i ? "," : "",
		    p->choices[i]);
		if (used >= len)
			break;
		if (sr->form_ms[i] != 0)
			used += (size_t)snprintf(note + used, len - used, "%s",
			    num_group(sr->form_ms[i], n1));
		else if (sr->form_least[i] > sr->n->l1.capacity_bytes)
			used += (size_t)snprintf(note + used, len - used, "needs %s bytes of L1 "
			    "(has %s)", num_group(sr->form_least[i], n1),
			    num_group(sr->n->l1.capacity_bytes, n2));
		else if (sr->form_least[i] == 0)
			used += (size_t)snprintf(note + used, len - used, "fits no candidate");
		else
			used += (size_t)snprintf(note + used, len - used, "not planned");
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
	struct workload one;
	int64_t h = native_rows(n);
	unsigned i;

	sr->s = s;
	sr->n = n;
	sr->w = w;
	sr->fit_only = fit_only;
	sr->rows_i = sched_role_index(s, SCHED_ROLE_ROWS);
	sr->cols_i = sched_role_index(s, SCHED_ROLE_COLS);
	sr->vrows_i = sched_role_index(s, SCHED_ROLE_VROWS);
	sr->form_i = sched_role_index(s, SCHED_ROLE_FORM);
	if (sr->form_i >= 0 && t->set[sr->form_i])
		sr->form_i = -1;	/* asked for: nothing to explain */
	/* ablation knobs and fixed choices start from their first value */
	for (i = 0; i < s->nparams; i++)
		if (!t->set[i] && s->params[i].choices != NULL)
			t->v[i] = 0;
	sched_proxy(w, 1, &one);
	sr->one = &one;
	candidates(sr, t, false);
	sr->single = sr->nrows == 1 && sr->ncols == 1;
	for (i = 0; i < s->nparams; i++)
		if (!t->set[i] && sched_role_searched(s->params[i].role))
			sr->single = false;
	search_from(sr, t);
	if (!sr->found && sr->too_long > 0) {
		/* every candidate that fits is too long to plan: the one with the fewest instructions */
		sr->top[0] = sr->big;
		sr->ntop = 1;
		sr->found = true;
		snprintf(note, len, "one head makes at least %.3g instructions with every tiling that "
		    "fits: chosen by size alone, without planning", (double)sr->big_instr);
	} else if (!sr->found && !(sr->rows_i >= 0 && t->set[sr->rows_i] && sr->cols_i >= 0 &&
	    t->set[sr->cols_i])) {
		/* below the native height: the array runs partly empty, but it runs */
		sr->small = true;
		candidates(sr, t, true);
		search_from(sr, t);
		if (sr->found && n->mac.kind == NPU_MAC_CUBE && sr->rows_i >= 0 &&
		    sr->top[0].v[sr->rows_i] < h &&
		    (uint64_t)sr->top[0].v[sr->rows_i] < w->q_len)
			snprintf(note, len, "rows=%lld is below the MAC's native height of %lld: "
			    "no taller row block fits L1", (long long)sr->top[0].v[sr->rows_i],
			    (long long)h);
	}
	if (sr->found && sr->form_i >= 0 && !fit_only && sr->ntop > 1)
		form_note(sr, note, len);
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
		set_default(s, t, SCHED_ROLE_ROWS, 16);
		set_default(s, t, SCHED_ROLE_COLS, 16);
		set_default(s, t, SCHED_ROLE_VROWS, 16);
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
sched_prepare(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct tiling *asked, bool allow_spill, struct sched_result *res, struct errbuf *e)
{
	memset(res, 0, sizeof *res);
	if (asked != NULL)
		res->t = *asked;
	if (sched_plan(s, n, w, &res->t, allow_spill, &res->fit, e) != 0)
		return -1;
	sched_format_tiling(s, &res->t, res->tiling, sizeof res->tiling);
	return 0;
}
