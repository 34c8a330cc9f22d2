/* compare-report: the tables and sentences compare prints, from its points. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "json.h"
#include "num.h"

enum {
	C_WL, C_SCHED, C_STATUS, C_CYCLES, C_TIME, C_SPEEDUP, C_ENERGY, C_SAVING, C_MAC, C_VEC,
	C_OVERLAP, C_DRAM, C_SPILLS, C_L1, C_BOUND, C_EFF, C_TILING,
	C_E0,	/* the energy of each component, STATS_NENERGY of them */
	C_N = C_E0 + STATS_NENERGY
};

static const char *const point_keys[C_N] = {
	"workload", "scheduler", "status", "cycles", "time_us", ("speedup_vs_" COMPARE_BASELINE),
	"energy_uj", ("energy_saving_vs_" COMPARE_BASELINE), "mac_util", "vec_util", "overlap", "dram_bytes", "spills",
	"l1_peak", "bound_by", "efficiency", "tiling", "energy_mac_uj", "energy_vec_uj",
	"energy_l0_uj", "energy_l1_uj", "energy_dram_uj", "energy_static_uj",
};
static const char *const point_titles[C_N] = {
	"workload", "scheduler", "status", "cycles", "time us", ("vs " COMPARE_BASELINE), "energy uJ",
	"saving",
	"mac", "vec", "overlap", "dram bytes", "spills", "l1 peak", "bound", "eff", "tiling",
	"mac uJ", "vec uJ", "l0 uJ", "l1 uJ", "dram uJ", "static uJ",
};

static double
pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}


/* One row per point: what compare prints for one workload, and JSON and CSV for all. */
int
compare_table_points(struct table *t, const struct compare_point *p, unsigned nrows,
    unsigned nsched, unsigned cols)
{
	const char *keys[C_N], *titles[C_N];
	unsigned r, k, c, n, at[C_N];
	int row;

	for (n = 0, c = 0; c < C_N; c++) {
		if ((c == C_WL && !(cols & COMPARE_COL_WL)) ||
		    (c == C_STATUS && !(cols & COMPARE_COL_STATUS)) ||
		    (c >= C_E0 && !(cols & COMPARE_COL_ENERGY))) {
			at[c] = C_N;
			continue;
		}
		at[c] = n;
		keys[n] = point_keys[c];
		titles[n++] = point_titles[c];
	}
	table_init(t, n, keys, titles);
#define PUT(col, k_, v) do { if (at[col] < C_N) table_put(t, (unsigned)row, at[col], (k_), (v)); } while (0)
#define PUT_S(col, s) do { if (at[col] < C_N) table_put_str(t, (unsigned)row, at[col], (s)); } while (0)
	for (r = 0; r < nrows; r++) {
		const struct compare_point *flat = compare_find(p, r, nsched, COMPARE_BASELINE);
		for (k = 0; k < nsched; k++) {
			const struct compare_point *x = &p[r * nsched + k];
			const struct stats *s = &x->res.st;
			if ((row = table_add_row(t)) < 0)
				return -1;
			PUT_S(C_WL, x->wl.name);
			PUT_S(C_SCHED, x->sched->name);
			if (x->status != 0) {
				PUT_S(C_STATUS, x->err.msg);
				continue;
			}
			PUT_S(C_STATUS, "ok");
			PUT(C_CYCLES, TABLE_INT, (double)s->makespan);
			PUT(C_TIME, TABLE_F1, compare_seconds(x) * 1e6);
			if (flat != NULL) {
				PUT(C_SPEEDUP, TABLE_X, compare_seconds(flat) / compare_seconds(x));
				PUT(C_SAVING, TABLE_PCT, 100.0 * (1 - x->energy_uj / flat->energy_uj));
			}
			PUT(C_ENERGY, TABLE_F1, x->energy_uj);
			PUT(C_MAC, TABLE_PCT, pct(s->unit[ISA_UNIT_MAC].busy, s->makespan));
			PUT(C_VEC, TABLE_PCT, pct(s->unit[ISA_UNIT_VEC].busy, s->makespan));
			PUT(C_OVERLAP, TABLE_PCT, pct(s->mac_vec_overlap, s->makespan));
			PUT(C_DRAM, TABLE_INT, (double)(s->dram_read + s->dram_write + s->spill_bytes +
			    s->fill_bytes));
			PUT(C_SPILLS, TABLE_INT, (double)s->spills);
			PUT(C_L1, TABLE_INT, (double)s->l1_peak);
			PUT_S(C_BOUND, x->bound.term[x->bound.by].name);
			PUT(C_EFF, TABLE_PCT, 100.0 * x->bound.efficiency);
			PUT_S(C_TILING, x->res.plan.tiling);
			for (c = 0; c < STATS_NENERGY; c++)
				PUT(C_E0 + c, TABLE_F1, s->energy_pj[c] / 1e6);
		}
	}
#undef PUT
#undef PUT_S
	return 0;
}

/* The choice of the candidate's form in its tiling ("online"), or NULL if it has none. */
static const char *
form_of(const struct compare_point *x)
{
	int k = sched_role_index(x->sched, SCHED_ROLE_FORM);

	return k < 0 ? NULL : x->sched->params[k].choices[x->res.plan.t.v[k]];
}

/*
 * Why MAS wins or loses, in a sentence: the resource that bounds each,
 * how close each comes to it, their overlap, and the form MAS ran.
 */
static void
why(const struct compare_point *mas, const struct compare_point *flat, char *buf, size_t len)
{
	const char *bm = mas->bound.term[mas->bound.by].name;
	const char *bf = flat->bound.term[flat->bound.by].name;
	const char *form = form_of(mas);
	double om = pct(mas->res.st.mac_vec_overlap, mas->res.st.makespan);
	double of = pct(flat->res.st.mac_vec_overlap, flat->res.st.makespan);
	int n;

	if (strcmp(bm, bf) == 0)
		n = snprintf(buf, len, "Both are bound by %s: " COMPARE_CANDIDATE_TITLE " reaches "
		    "%.1f%% of its bound and " COMPARE_BASELINE_TITLE " %.1f%%, with MAC and VEC "
		    "busy together %.1f%% and %.1f%% of the time", bm,
		    100.0 * mas->bound.efficiency, 100.0 * flat->bound.efficiency, om, of);
	else
		n = snprintf(buf, len, COMPARE_CANDIDATE_TITLE " is bound by %s (%.1f%% reached), "
		    COMPARE_BASELINE_TITLE " by %s (%.1f%% reached); MAC and VEC are busy together "
		    "%.1f%% and %.1f%% of the time", bm, 100.0 * mas->bound.efficiency, bf,
		    100.0 * flat->bound.efficiency, om, of);
	if (form != NULL && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; " COMPARE_CANDIDATE_TITLE " ran its "
		    "%s form", form);
}

/* A row per dataflow that ran: its energy by component (stats_energy_names), and the total. */
static int
energy_table(struct table *t, const struct compare_point *p, unsigned nsched)
{
	/* the table keeps the strings, not copies: the point columns' own, which live on */
	const char *keys[STATS_NENERGY + 2], *titles[STATS_NENERGY + 2];
	unsigned k, c;
	int row;

	keys[0] = titles[0] = "scheduler";
	for (c = 0; c < STATS_NENERGY; c++) {
		keys[c + 1] = point_keys[C_E0 + c];
		titles[c + 1] = point_titles[C_E0 + c];
	}
	keys[STATS_NENERGY + 1] = "energy_uj";
	titles[STATS_NENERGY + 1] = "total uJ";
	table_init(t, STATS_NENERGY + 2, keys, titles);
	for (k = 0; k < nsched; k++) {
		if (p[k].status != 0)
			continue;
		if ((row = table_add_row(t)) < 0)
			return -1;
		table_put_str(t, (unsigned)row, 0, p[k].sched->name);
		for (c = 0; c < STATS_NENERGY; c++)
			table_put(t, (unsigned)row, c + 1, TABLE_F1, p[k].res.st.energy_pj[c] / 1e6);
		table_put(t, (unsigned)row, STATS_NENERGY + 1, TABLE_F1, p[k].energy_uj);
	}
	return 0;
}

/* The one-workload table, without the status column when everything ran. */
void
compare_print_points(const struct compare_point *p, unsigned nsched, enum table_format fmt,
    FILE *f)
{
	struct table t = { 0 };
	char wl[256];
	unsigned k;
	bool failed = false;

	wl_format(&p[0].wl, wl, sizeof wl);
	if (fmt == TABLE_TEXT)
		fprintf(f, "%s on %s: %s\n\n", p[0].wl.name, p[0].npu->name, wl);
	else
		fprintf(f, "**%s** on **%s** (%s)\n\n", p[0].wl.name, p[0].npu->name, wl);
	for (k = 0; k < nsched; k++)
		failed |= p[k].status != 0;
	/* the status column only when a dataflow could not run */
	if (compare_table_points(&t, p, 1, nsched, failed ? COMPARE_COL_STATUS : 0) == 0)
		table_print(&t, fmt, f);
	table_free(&t);
	/* where the energy goes */
	fprintf(f, "\nenergy by component:\n\n");
	if (energy_table(&t, p, nsched) == 0)
		table_print(&t, fmt, f);
	table_free(&t);
	/* why: what bounds each schedule, and how much of it overlaps */
	fputc('\n', f);
	for (k = 0; k < nsched; k++) {
		const struct compare_point *x = &p[k];
		char g[NUM_TEXT_MAX];
		if (x->status != 0) {
			fprintf(f, "%s%s: cannot be scheduled: %s\n", fmt == TABLE_MARKDOWN ? "- " : "",
			    x->sched->name, x->err.msg);
			continue;
		}
		fprintf(f, "%s%s: bound by %s (%s cycles), efficiency %.1f%%; MAC and VEC overlap "
		    "%.1f%% of the time%s%s\n", fmt == TABLE_MARKDOWN ? "- " : "", x->sched->name,
		    x->bound.term[x->bound.by].name, num_group(x->bound.cycles, g),
		    100.0 * x->bound.efficiency, pct(x->res.st.mac_vec_overlap, x->res.st.makespan),
		    x->res.plan.fit.note[0] ? "; " : "", x->res.plan.fit.note);
	}
	{
		const struct compare_point *mas = compare_find(p, 0, nsched, COMPARE_CANDIDATE);
		const struct compare_point *flat = compare_find(p, 0, nsched, COMPARE_BASELINE);
		if (mas != NULL && flat != NULL) {
			double sp = compare_seconds(flat) / compare_seconds(mas);
			double sv = 100.0 * (1 - mas->energy_uj / flat->energy_uj);
			const double *em = mas->res.st.energy_pj, *ef = flat->res.st.energy_pj;
			unsigned c, most = 0;
			char w[512];
			/* where the energy differs most: the component a reader should look at */
			for (c = 1; c < STATS_NENERGY; c++)
				if (fabs(em[c] - ef[c]) > fabs(em[most] - ef[most]))
					most = c;
			fprintf(f, "\n" COMPARE_CANDIDATE_TITLE " is %.2fx as fast as "
			    COMPARE_BASELINE_TITLE " and uses %.1f%% %s energy, most of the "
			    "difference in %s (%.1f uJ against %.1f).\n", sp, fabs(sv),
			    sv >= 0 ? "less" : "more", stats_energy_names[most], em[most] / 1e6,
			    ef[most] / 1e6);
			why(mas, flat, w, sizeof w);
			fprintf(f, "%s.\n", w);
		}
	}
}

/* The columns of compare_print_rows(): workload, cycles and bound per dataflow, MAS vs FLAT. */
static void
rows_columns(struct table *t, const struct compare_point *p, unsigned nsched,
    char kbuf[][48])
{
	const char *keys[TABLE_MAX_COLS], *titles[TABLE_MAX_COLS];
	unsigned k;

	keys[0] = titles[0] = "workload";
	for (k = 0; k < nsched; k++) {
		snprintf(kbuf[2 * k], 48, "%s_cycles", p[k].sched->name);
		snprintf(kbuf[2 * k + 1], 48, "%s_bound", p[k].sched->name);
		keys[2 * k + 1] = kbuf[2 * k];
		titles[2 * k + 1] = p[k].sched->name;
		keys[2 * k + 2] = kbuf[2 * k + 1];
		titles[2 * k + 2] = "bound";
	}
	keys[2 * nsched + 1] = COMPARE_CANDIDATE "_speedup_vs_" COMPARE_BASELINE;
	titles[2 * nsched + 1] = COMPARE_CANDIDATE_TITLE " vs " COMPARE_BASELINE_TITLE;
	keys[2 * nsched + 2] = COMPARE_CANDIDATE "_energy_saving_vs_" COMPARE_BASELINE;
	titles[2 * nsched + 2] = "energy saving";
	table_init(t, 2 * nsched + 3, keys, titles);
}

/*
 * Where the candidate loses: a line per workload saying why (text and
 * Markdown), or a JSON "losses" member.
 */
static void
print_losses(const struct compare_point *p, unsigned nrows, unsigned nsched,
    enum table_format fmt, FILE *f)
{
	char w[512];
	unsigned r, n = 0;

	for (r = 0; r < nrows; r++) {
		const struct compare_point *mas = compare_find(p, r, nsched, COMPARE_CANDIDATE);
		const struct compare_point *flat = compare_find(p, r, nsched, COMPARE_BASELINE);
		double sp;
		if (mas == NULL || flat == NULL ||
		    (sp = compare_seconds(flat) / compare_seconds(mas)) >= 1.0)
			continue;
		why(mas, flat, w, sizeof w);
		if (fmt == TABLE_JSON) {
			fprintf(f, "%s{\"workload\": ", n++ ? ", " : ",\n  \"losses\": [");
			json_string(f, p[r * nsched].wl.name);
			fprintf(f, ", \"speedup\": %.4f, \"why\": ", sp);
			json_string(f, w);
			fputc('}', f);
		} else if (fmt == TABLE_TEXT || fmt == TABLE_MARKDOWN) {
			fprintf(f, "%s%s%s: " COMPARE_CANDIDATE_TITLE " is %.2fx as fast as "
			    COMPARE_BASELINE_TITLE ". %s.\n", n++ ? "" : "\n",
			    fmt == TABLE_MARKDOWN ? "- " : "", p[r * nsched].wl.name, sp, w);
		}
	}
	if (fmt == TABLE_JSON && n > 0)
		fputc(']', f);
}

/*
 * Several workloads: a row each, the cycles of every dataflow and the
 * resource bounding it, MAS against FLAT, then where MAS loses and why.
 */
int
compare_print_rows(const struct compare_point *p, unsigned nrows, unsigned nsched,
    enum table_format fmt, FILE *f)
{
	struct table t;
	char kbuf[TABLE_MAX_COLS][48];
	double lsp = 0, lsv = 0, maxsp = 0, maxsv = -INFINITY;
	unsigned r, k, n = 0, last;
	int row;

	if (2 * nsched + 3 > TABLE_MAX_COLS)
		nsched = (TABLE_MAX_COLS - 3) / 2;
	rows_columns(&t, p, nsched, kbuf);
	last = 2 * nsched + 1;
	for (r = 0; r < nrows; r++) {
		const struct compare_point *mas = compare_find(p, r, nsched, COMPARE_CANDIDATE);
		const struct compare_point *flat = compare_find(p, r, nsched, COMPARE_BASELINE);
		if ((row = table_add_row(&t)) < 0)
			return -1;
		table_put_str(&t, (unsigned)row, 0, p[r * nsched].wl.name);
		for (k = 0; k < nsched; k++) {
			const struct compare_point *x = &p[r * nsched + k];
			if (x->status == 0) {
				table_put(&t, (unsigned)row, 2 * k + 1, TABLE_INT,
				    (double)x->res.st.makespan);
				table_put_str(&t, (unsigned)row, 2 * k + 2,
				    x->bound.term[x->bound.by].name);
			} else {
				table_put_str(&t, (unsigned)row, 2 * k + 1, "does not fit");
			}
		}
		if (mas != NULL && flat != NULL) {
			double sp = compare_seconds(flat) / compare_seconds(mas), er = mas->energy_uj / flat->energy_uj;
			table_put(&t, (unsigned)row, last, TABLE_X, sp);
			table_put(&t, (unsigned)row, last + 1, TABLE_PCT, 100.0 * (1 - er));
			lsp += log(sp);
			lsv += log(er);
			maxsp = fmax(maxsp, sp);
			maxsv = fmax(maxsv, 100.0 * (1 - er));
			n++;
		}
	}
	if (fmt == TABLE_JSON) {
		fputs("  \"table\": ", f);
		table_print(&t, fmt, f);
		if (n > 0)
			fprintf(f, ",\n  \"summary\": {\"points\": %u, \"geomean_speedup\": %.4f, "
			    "\"max_speedup\": %.4f, \"geomean_energy_saving\": %.2f, "
			    "\"max_energy_saving\": %.2f}", n, exp(lsp / n), maxsp,
			    100.0 * (1 - exp(lsv / n)), maxsv);
		print_losses(p, nrows, nsched, fmt, f);
		table_free(&t);
		return 0;
	}
	if (n > 0) {
		row = table_add_row(&t);
		if (row >= 0) {
			table_put_str(&t, (unsigned)row, 0, "geometric mean");
			table_put(&t, (unsigned)row, last, TABLE_X, exp(lsp / n));
			table_put(&t, (unsigned)row, last + 1, TABLE_PCT, 100.0 * (1 - exp(lsv / n)));
		}
		row = table_add_row(&t);
		if (row >= 0) {
			table_put_str(&t, (unsigned)row, 0, "maximum");
			table_put(&t, (unsigned)row, last, TABLE_X, maxsp);
			table_put(&t, (unsigned)row, last + 1, TABLE_PCT, maxsv);
		}
	}
	table_print(&t, fmt, f);
	table_free(&t);
	print_losses(p, nrows, nsched, fmt, f);
	return 0;
}
