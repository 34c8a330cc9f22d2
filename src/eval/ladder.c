/* ladder: the ablation ladder of mastrace(7), driven by the dataflows' parameter roles. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "ladder.h"

const struct ladder_step ladder_steps[LADDER_NSTEPS] = {
	{ "FLAT at its published granularity", false, "gran=head", "prefetch", "kv,norm", true,
	  false },
	{ "FLAT as published", false, "", "prefetch", "kv,norm", false, false },
	{ "+ prefetch", false, "", "", "kv,norm", false, false },
	{ "+ kv, norm: FLAT by default", false, "", "", "", false, false },
	{ "FLAT at its best (swept)", false, "", "", "", false, true },
	{ "MAS streams, 3 score buffers", true, "", "overwrite", "kv,norm,form", false, false },
	{ "+ overwrite: MAS as published", true, "", "", "kv,norm,form", false, false },
	{ "+ kv, norm", true, "", "", "form", false, false },
	{ "+ form: MAS by default", true, "", "", "", false, false },
	{ "MAS at its best (swept)", true, "", "", "", false, true },
};

/*
 * The row and key tiles of the sweep, beside every choice of the
 * dataflow; the small ones only where none of the others fits.
 */
static const int64_t sweep_rows[] = { 16, 32, 48, 64, 80, 96, 128, 192, 256 };
static const int64_t sweep_cols[] = { 16, 32, 64, 128, 256 };
static const int64_t small_rows[] = { 8, 4, 2, 1 };
static const int64_t small_cols[] = { 16, 8 };
#define SWEEP_MAX 4096

/*
 * Set the parameters named in list ("a,b") to `value`: ablation knobs, or
 * searched choices and forms; a name the dataflow lacks, or of another
 * role, is an error of the table above.
 */
static int
set_named(const struct sched *s, const char *list, bool ablation, int64_t value,
    struct tiling *t, struct errbuf *e)
{
	char name[64];
	size_t n;
	int k;

	while (*list != '\0') {
		n = strcspn(list, ",");
		snprintf(name, sizeof name, "%.*s", (int)n, list);
		k = sched_param_index(s, name);
		if (k < 0 || (ablation ? s->params[k].role != SCHED_ROLE_ABLATION :
		    !sched_role_searched(s->params[k].role)))
			return errbuf_set(e, "ladder: %s has no %s '%s'", s->name, ablation ?
			    "ablation knob" : "choice", name);
		t->v[k] = value;
		t->set[k] = true;
		list += n + (list[n] == ',');
	}
	return 0;
}

static int
step_tiling(const struct sched *s, const struct ladder_step *st, struct tiling *t,
    struct errbuf *e)
{
	memset(t, 0, sizeof *t);
	if (*st->set != '\0' && sched_parse_tiling(s, st->set, t, e) != 0)
		return errbuf_prefix(e, "ladder");
	/* a weakened knob is its second choice, a pinned choice its first */
	if (set_named(s, st->weaken, true, 1, t, e) != 0 ||
	    set_named(s, st->pin, false, 0, t, e) != 0)
		return -1;
	return 0;
}

struct sweep {
	const struct sched *s;
	const struct workload *w;
	const struct npu *n;
	struct compare_point *p;
	unsigned np;
	int rows_i, cols_i;
	const int64_t *rows, *cols;
	unsigned nrows, ncols;
	/* the whole workload, or two heads and four (sched_proxy()) */
	struct workload wa, wb;
	uint64_t a, b, units;
	bool whole;
};

/* Does an earlier candidate run the same tiles with the same choices (rows clipped, a fused head)? */
static bool
seen(const struct sweep *sw, const struct tiling *t)
{
	const struct sched *s = sw->s;
	uint64_t r = s->block_rows ? s->block_rows(sw->w, t) : sched_rows(sw->w, t->v[sw->rows_i]);
	uint64_t c = sched_cols(sw->w, t->v[sw->cols_i]);
	unsigned i, k;

	for (i = 0; i < sw->np; i++) {
		const struct tiling *o = &sw->p[i].tiling;
		if ((s->block_rows ? s->block_rows(sw->w, o) : sched_rows(sw->w,
		    o->v[sw->rows_i])) != r || sched_cols(sw->w, o->v[sw->cols_i]) != c)
			continue;
		for (k = 0; k < s->nparams; k++)
			if (sched_role_searched(s->params[k].role) && o->v[k] != t->v[k])
				break;
		if (k == s->nparams)
			return true;
	}
	return false;
}

static void
add_point(struct sweep *sw, const struct workload *w, const struct tiling *t)
{
	sw->p[sw->np].sched = sw->s;
	sw->p[sw->np].wl = *w;
	sw->p[sw->np].npu = sw->n;
	sw->p[sw->np++].tiling = *t;
}

/* Every choice from parameter k on, in declared order, then cols and rows. */
static void
enumerate(struct sweep *sw, struct tiling *t, unsigned k)
{
	const struct sched *s = sw->s;
	unsigned r, c, i;

	for (; k < s->nparams && !sched_role_searched(s->params[k].role); k++)
		;
	if (k < s->nparams) {
		for (i = 0; s->params[k].choices[i] != NULL; i++) {
			t->v[k] = i;
			t->set[k] = true;
			enumerate(sw, t, k + 1);
		}
		return;
	}
	for (c = 0; c < sw->ncols; c++)
		for (r = 0; r < sw->nrows && sw->np + 2 <= SWEEP_MAX; r++) {
			t->v[sw->cols_i] = sw->cols[c];
			t->v[sw->rows_i] = sw->rows[r];
			t->set[sw->cols_i] = t->set[sw->rows_i] = true;
			if (seen(sw, t))
				continue;
			/* the points of a tiling are consecutive: one, or two and four heads */
			add_point(sw, sw->whole ? sw->w : &sw->wa, t);
			if (!sw->whole)
				add_point(sw, &sw->wb, t);
		}
}

/* Replay every tiling of the sweep; the LADDER_TOP fastest in best[], by whole-workload makespan. */
static int
sweep_rank(struct sweep *sw, const struct compare_opts *co, struct tiling *best,
    unsigned *nbest, struct errbuf *e)
{
	uint64_t ms[LADDER_TOP], m;
	unsigned i, j, step = sw->whole ? 1 : 2;
	struct tiling t;

	memset(&t, 0, sizeof t);
	sw->np = 0;
	enumerate(sw, &t, 0);
	if (compare_run(sw->p, sw->np, co, e) != 0)
		return -1;
	*nbest = 0;
	for (i = 0; i + step <= sw->np; i += step) {
		if (sw->p[i].status != 0 || sw->p[i + step - 1].status != 0)
			continue;
		m = sw->whole ? sw->p[i].res.st.makespan : sched_extrapolate(
		    sw->p[i].res.st.makespan, sw->a, sw->p[i + 1].res.st.makespan, sw->b, sw->units);
		for (j = *nbest; j > 0 && m < ms[j - 1]; j--)
			if (j < LADDER_TOP) {
				ms[j] = ms[j - 1];
				best[j] = best[j - 1];
			}
		if (j < LADDER_TOP) {
			ms[j] = m;
			eval_tiling_whole(sw->s, &sw->p[i].res.plan.t, &best[j]);
			if (*nbest < LADDER_TOP)
				(*nbest)++;
		}
	}
	compare_free(sw->p, sw->np);
	return 0;
}

/*
 * The LADDER_TOP best tilings of a dataflow by the replayed makespan of
 * the whole workload (or of two heads and four, extrapolated, when it is
 * large), over the sweep; rows and cols below the sweep's when nothing
 * else fits.
 */
static int
sweep(const struct sched *s, const struct workload *w, const struct npu *n,
    const struct compare_opts *co, struct tiling *best, unsigned *nbest, struct errbuf *e)
{
	struct sweep sw = { .s = s, .w = w, .n = n, .rows_i = sched_role_index(s, SCHED_ROLE_ROWS),
	    .cols_i = sched_role_index(s, SCHED_ROLE_COLS), .rows = sweep_rows,
	    .cols = sweep_cols, .nrows = ARRAY_LEN(sweep_rows), .ncols = ARRAY_LEN(sweep_cols) };
	int rc;

	if (sw.rows_i < 0 || sw.cols_i < 0)
		return errbuf_set(e, "ladder: %s has no row or key tile to sweep", s->name);
	sw.units = (uint64_t)w->batch * w->heads;
	sw.a = sched_proxy(w, 2, &sw.wa);
	sw.b = sched_proxy(w, 4, &sw.wb);
	sw.whole = sw.units <= 4;
	if ((sw.p = calloc(SWEEP_MAX, sizeof *sw.p)) == NULL)
		return errbuf_set(e, "out of memory");
	rc = sweep_rank(&sw, co, best, nbest, e);
	if (rc == 0 && *nbest == 0) {
		sw.rows = small_rows;
		sw.nrows = ARRAY_LEN(small_rows);
		sw.cols = small_cols;
		sw.ncols = ARRAY_LEN(small_cols);
		rc = sweep_rank(&sw, co, best, nbest, e);
	}
	free(sw.p);
	if (rc == 0 && *nbest == 0)
		rc = errbuf_set(e, "no tiling of %s fits %s on %s", s->name, w->name, n->name);
	return rc;
}

/* The step of the ladder that is a dataflow by default (its last step before the sweep). */
static unsigned
default_step(unsigned swept)
{
	return swept - 1;
}

int
ladder_run(struct ladder *l, const struct workload *w, const struct npu *n,
    const struct compare_opts *co, struct errbuf *e)
{
	const struct sched *s[2] = { sched_find(COMPARE_BASELINE), sched_find(COMPARE_CANDIDATE) };
	struct tiling best[2][LADDER_TOP];
	unsigned nbest[2], i, k, x = 0;

	memset(l, 0, sizeof *l);
	l->wl = w;
	l->npu = n;
	if (sweep(s[0], w, n, co, best[0], &nbest[0], e) != 0 ||
	    sweep(s[1], w, n, co, best[1], &nbest[1], e) != 0)
		return -1;
	for (i = 0; i < LADDER_NSTEPS; i++) {
		const struct ladder_step *st = &ladder_steps[i];
		l->p[i].sched = s[st->candidate];
		l->p[i].wl = *w;
		l->p[i].npu = n;
		l->p[i].allow_spill = st->spill;
		if (!st->swept) {
			if (step_tiling(l->p[i].sched, st, &l->p[i].tiling, e) != 0)
				return -1;
			continue;
		}
		/* the sweep's best, its runners-up and the default, all on the whole workload */
		l->p[i].tiling = best[st->candidate][0];
		for (k = 1; k <= nbest[st->candidate]; k++) {
			l->extra[x] = l->p[i];
			if (k < nbest[st->candidate])
				l->extra[x].tiling = best[st->candidate][k];
			else
				l->extra[x].tiling = l->p[default_step(i)].tiling;
			l->extra_of[x++] = i;
		}
	}
	l->nextra = x;
	if (compare_run(l->p, LADDER_NSTEPS, co, e) != 0 ||
	    compare_run(l->extra, l->nextra, co, e) != 0)
		return -1;
	/* at its best is the fastest of them, so never slower than by default */
	for (k = 0; k < l->nextra; k++) {
		struct compare_point *sp = &l->p[l->extra_of[k]], tmp;
		if (l->extra[k].status == 0 && (sp->status != 0 ||
		    l->extra[k].res.st.makespan < sp->res.st.makespan)) {
			tmp = *sp;
			*sp = l->extra[k];
			l->extra[k] = tmp;
		}
	}
	return 0;
}

void
ladder_free(struct ladder *l)
{
	compare_free(l->p, LADDER_NSTEPS);
	compare_free(l->extra, l->nextra);
}

int
ladder_table(const struct ladder *l, struct table *t)
{
	static const char *const keys[] = { "step", "scheduler", "cycles", "energy_uj",
	    "efficiency", "bound_by", "vs_previous", "vs_first", "tiling" };
	static const char *const titles[] = { "step", "dataflow", "cycles", "energy uJ", "eff",
	    "bound", "vs prev", "vs first", "tiling" };
	double prev = 0, base = 0;
	unsigned i;
	int row;

	table_init(t, 9, keys, titles);
	for (i = 0; i < LADDER_NSTEPS; i++) {
		const struct compare_point *p = &l->p[i];
		if ((row = table_add_row(t)) < 0)
			return -1;
		table_put_str(t, (unsigned)row, 0, ladder_steps[i].what);
		table_put_str(t, (unsigned)row, 1, p->sched->name);
		if (p->status != 0) {
			table_put_str(t, (unsigned)row, 8, p->err.msg);
			continue;
		}
		table_put(t, (unsigned)row, 2, TABLE_INT, (double)p->res.st.makespan);
		table_put(t, (unsigned)row, 3, TABLE_F1, p->energy_uj);
		table_put(t, (unsigned)row, 4, TABLE_PCT, 100.0 * p->bound.efficiency);
		table_put_str(t, (unsigned)row, 5, p->bound.term[p->bound.by].name);
		if (base == 0)
			base = prev = compare_seconds(p);
		table_put(t, (unsigned)row, 6, TABLE_X, prev / compare_seconds(p));
		table_put(t, (unsigned)row, 7, TABLE_X, base / compare_seconds(p));
		table_put_str(t, (unsigned)row, 8, p->res.plan.tiling);
		prev = compare_seconds(p);
	}
	return 0;
}
