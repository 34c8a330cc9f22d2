/* mastrace compare: every dataflow at its best on one problem, or a table over many, in one command. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "compare.h"
#include "diff.h"
#include "json.h"
#include "meter.h"
#include "num.h"
#include "outfile.h"

#define MAX_SCHEDS 8
#define MAX_ROWS 256		/* workloads x sequence lengths */
#define MAX_TILINGS 16

static void
usage(FILE *f)
{
	fputs("Usage: mastrace compare [-w WORKLOAD[,...]|all] [--npu NAME|FILE]\n"
	    "                        [-s SCHED[,...]] [--seq N[,...]] [-t SCHED:TILING]...\n"
	    "                        [-o DIR] [--format text|json|csv|markdown] [-j N] [-q]\n"
	    "                        [--max-instructions N]\n"
	    "       mastrace compare --ladder [-w WORKLOAD] [--npu NAME|FILE] [--seq N]\n"
	    "                        [--format text|json|csv|markdown] [-j N] [-q]\n"
	    "                        [--max-instructions N]\n"
	    "\n"
	    "Schedule and replay each dataflow (in memory, every model on) and print one\n"
	    "table: cycles, time, speedup and energy saving against FLAT, MAC and VEC\n"
	    "utilisation, overlap, DRAM traffic, spills, L1 peak, and the resource that\n"
	    "bounds each schedule.  With several workloads, one row per workload and\n"
	    "MAS's speedup and saving against FLAT with their geometric mean and maximum.\n"
	    "--ladder walks from FLAT as published to MAS at its best, one step at a time.\n"
	    "\n"
	    "Options:\n"
	    "  -w, --workload LIST  presets or shapes, separated by commas (default\n"
	    "                       bert-base); 'all' for every preset\n"
	    "      --npu NPU        NPU preset or INI file (default edge)\n"
	    "  -s, --sched LIST     dataflows (default mas,flat,flash,layerwise)\n"
	    "      --seq LIST       sequence lengths: each workload at each length\n"
	    "  -t, --tiling S:T     tiling T for dataflow S (repeatable; default: chosen)\n"
	    "  -o, --output DIR     write every plan (.mtr), replayed trace (.r.mtr) and\n"
	    "                       Perfetto trace (.pftrace), and MAS against FLAT in one\n"
	    "                       trace, into DIR (made if missing)\n"
	    "      --format FMT     text (default), json, csv or markdown\n"
	    "  -j, --jobs N         evaluations in parallel (default: the processors)\n"
	    "      --ladder         the ablation ladder of mastrace(7)\n"
	    "      --max-instructions N  a point that makes more is a cell that says so\n"
	    "                       (default 1.07G; 2e9, 4G)\n"
	    "  -q, --quiet          no progress line\n"
	    "  -h, --help           show this help and exit\n"
	    "\n"
	    "See mastrace-compare(1).\n", f);
}

enum fmt { F_TEXT, F_JSON, F_CSV, F_MD };

/* ---- a small table, printed in four formats --------------------------- */

enum kind { K_NONE, K_STR, K_INT, K_F1, K_PCT, K_X };

struct cell {
	enum kind kind;
	double v;
	char s[1100];			/* room for a whole error message */
};

struct table {
	unsigned ncols, nrows;
	const char *key[24];		/* JSON and CSV names */
	const char *title[24];		/* text and markdown headings */
	struct cell *c;			/* [row][col] */
	unsigned cap;
};

static struct cell *
cell(struct table *t, unsigned row, unsigned col)
{
	return &t->c[row * t->ncols + col];
}

static int
add_row(struct table *t)
{
	if (t->nrows == t->cap) {
		unsigned cap = t->cap ? t->cap * 2 : 16;
		struct cell *c = realloc(t->c, (size_t)cap * t->ncols * sizeof *c);
		if (c == NULL)
			return -1;
		t->c = c;
		t->cap = cap;
	}
	memset(&t->c[t->nrows * t->ncols], 0, t->ncols * sizeof *t->c);
	return (int)t->nrows++;
}

static void
put(struct table *t, unsigned row, unsigned col, enum kind k, double v)
{
	cell(t, row, col)->kind = k;
	cell(t, row, col)->v = v;
}

static void
put_s(struct table *t, unsigned row, unsigned col, const char *s)
{
	struct cell *c = cell(t, row, col);
	size_t n = strlen(s);

	c->kind = K_STR;
	if (n >= sizeof c->s)
		n = sizeof c->s - 1;
	memcpy(c->s, s, n);
	c->s[n] = '\0';
}

/* The text of a cell: for people (grouped digits, units) or for scripts. */
static const char *
show(const struct cell *c, bool people, char *buf, size_t len)
{
	char g[NUM_TEXT_MAX];

	switch (c->kind) {
	case K_NONE: snprintf(buf, len, "%s", people ? "-" : ""); break;
	case K_STR: snprintf(buf, len, "%s", c->s); break;
	case K_INT:
		snprintf(buf, len, "%s", people ? num_group((uint64_t)c->v, g) : "");
		if (!people)
			snprintf(buf, len, "%.0f", c->v);
		break;
	case K_F1: snprintf(buf, len, "%.1f", c->v); break;
	case K_PCT: snprintf(buf, len, people ? "%.1f%%" : "%.2f", c->v); break;
	case K_X: snprintf(buf, len, people ? "%.2fx" : "%.4f", c->v); break;
	}
	return buf;
}

static void
csv_field(const char *s, FILE *f)
{
	if (strpbrk(s, ",\"\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
print_table(const struct table *t, enum fmt fmt, FILE *f)
{
	unsigned r, c, w[24];
	char buf[1200];

	if (fmt == F_CSV) {
		for (c = 0; c < t->ncols; c++)
			fprintf(f, "%s%s", c ? "," : "", t->key[c]);
		fputc('\n', f);
		for (r = 0; r < t->nrows; r++) {
			for (c = 0; c < t->ncols; c++) {
				if (c)
					fputc(',', f);
				csv_field(show(cell((struct table *)t, r, c), false, buf, sizeof buf), f);
			}
			fputc('\n', f);
		}
		return;
	}
	if (fmt == F_JSON) {
		fputs("[\n", f);
		for (r = 0; r < t->nrows; r++) {
			fputs("    {", f);
			for (c = 0; c < t->ncols; c++) {
				const struct cell *x = cell((struct table *)t, r, c);
				fprintf(f, "%s\"%s\": ", c ? ", " : "", t->key[c]);
				if (x->kind == K_NONE)
					fputs("null", f);
				else if (x->kind == K_STR)
					json_string(f, x->s);
				else
					fputs(show(x, false, buf, sizeof buf), f);
			}
			fprintf(f, "}%s\n", r + 1 < t->nrows ? "," : "");
		}
		fputs("  ]", f);
		return;
	}
	for (c = 0; c < t->ncols; c++) {
		w[c] = (unsigned)strlen(t->title[c]);
		for (r = 0; r < t->nrows; r++) {
			unsigned n = (unsigned)strlen(show(cell((struct table *)t, r, c), true, buf,
			    sizeof buf));
			if (n > w[c])
				w[c] = n;
		}
	}
	/* text: numbers right, words left; markdown: pipes, the same alignment */
	for (c = 0; c < t->ncols; c++) {
		bool left = c == 0 || cell((struct table *)t, 0, c)->kind == K_STR;
		if (fmt == F_MD)
			fprintf(f, "| %*s ", left ? -(int)w[c] : (int)w[c], t->title[c]);
		else
			fprintf(f, "%s%*s", c ? "  " : "", c + 1 == t->ncols && left ? 0 :
			    left ? -(int)w[c] : (int)w[c], t->title[c]);
	}
	fputs(fmt == F_MD ? "|\n" : "\n", f);
	if (fmt == F_MD) {
		for (c = 0; c < t->ncols; c++) {
			bool left = c == 0 || cell((struct table *)t, 0, c)->kind == K_STR;
			fputs(left ? "|:" : "|-", f);
			for (r = 0; r < w[c]; r++)
				fputc('-', f);
			fputs(left ? "-" : ":", f);
		}
		fputs("|\n", f);
	}
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const struct cell *x = cell((struct table *)t, r, c);
			bool left = c == 0 || x->kind == K_STR;
			show(x, true, buf, sizeof buf);
			if (fmt == F_MD)
				fprintf(f, "| %*s ", left ? -(int)w[c] : (int)w[c], buf);
			else if (c + 1 == t->ncols && left)
				fprintf(f, "%s%s", c ? "  " : "", buf);	/* no trailing blanks */
			else
				fprintf(f, "%s%*s", c ? "  " : "", left ? -(int)w[c] : (int)w[c], buf);
		}
		fputs(fmt == F_MD ? "|\n" : "\n", f);
	}
}

/* ---- the options ---------------------------------------------------- */

struct opts {
	enum fmt fmt;
	const char *npu_arg, *outdir;
	bool ladder, quiet;
	unsigned jobs;
	struct workload wl[MAX_ROWS];
	unsigned nwl;
	uint64_t seq[MAX_ROWS];
	unsigned nseq;
	const struct sched *sched[MAX_SCHEDS];
	unsigned nsched;
	struct { const struct sched *s; const char *text; struct tiling t; } tiling[MAX_TILINGS];
	unsigned ntiling;
};

static int
add_workload(struct opts *o, const char *spec, struct errbuf *e)
{
	char a[WL_SPEC_MAX], b[WL_SPEC_MAX];
	unsigned i;

	if (o->nwl == MAX_ROWS)
		return errbuf_set(e, "-w: more than %d workloads", MAX_ROWS);
	if (wl_parse(spec, &o->wl[o->nwl], e) != 0)
		return -1;
	/* a row twice would weigh twice in the means */
	wl_format(&o->wl[o->nwl], a, sizeof a);
	for (i = 0; i < o->nwl; i++) {
		wl_format(&o->wl[i], b, sizeof b);
		if (strcmp(a, b) == 0)
			return errbuf_set(e, "-w: '%s' is the workload '%s' again (%s); name each "
			    "once", spec, o->wl[i].name, a);
	}
	o->nwl++;
	return 0;
}

/*
 * The next comma-separated piece of *p into buf: 1 with *p past it, 0 at
 * the end, -1 for an empty piece or one longer than len - 1.
 */
static int
next_piece(const char **p, char *buf, size_t len)
{
	size_t n;

	if (*p == NULL)
		return 0;
	n = strcspn(*p, ",");
	if (n == 0 || n >= len)
		return -1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = (*p)[n] == '\0' ? NULL : *p + n + 1;
	return 1;
}

/*
 * "-w bert-base,vit-b16,b=2,h=4": names split at commas, and a piece with
 * '=' belongs to the workload before it, so shapes keep their commas.
 */
static int
parse_workloads(struct opts *o, const char *arg, struct errbuf *e)
{
	char spec[512], piece[512];
	const char *p = arg;
	size_t n, used = 0;
	size_t i;
	int rc;

	if (strcmp(arg, "all") == 0) {
		for (i = 0; i < wl_preset_count(); i++)
			if (add_workload(o, wl_preset_at(i)->name, e) != 0)
				return -1;
		return 0;
	}
	spec[0] = '\0';
	while ((rc = next_piece(&p, piece, sizeof piece)) == 1) {
		n = strlen(piece);
		if (strchr(piece, '=') == NULL && used > 0) {
			if (add_workload(o, spec, e) != 0)
				return -1;
			used = 0;
		}
		if (used + n + 2 > sizeof spec)
			return errbuf_set(e, "-w: '%s' is too long", arg);
		used += (size_t)snprintf(spec + used, sizeof spec - used, "%s%s", used ? "," : "",
		    piece);
	}
	if (rc < 0)
		return errbuf_set(e, "-w: got '%s', expected workloads separated by single "
		    "commas", arg);
	return add_workload(o, spec, e);
}

static int
parse_scheds(struct opts *o, const char *arg, struct errbuf *e)
{
	char name[64];
	const char *p = arg;
	unsigned i;
	int rc;

	o->nsched = 0;
	while ((rc = next_piece(&p, name, sizeof name)) == 1) {
		if (sched_find(name) == NULL)
			return errbuf_set(e, "-s: unknown scheduler '%s', expected mas, flat, "
			    "layerwise or flash", name);
		for (i = 0; i < o->nsched; i++)
			if (o->sched[i] == sched_find(name))
				return errbuf_set(e, "-s: '%s' is named twice", name);
		if (o->nsched == MAX_SCHEDS)
			return errbuf_set(e, "-s: more than %d dataflows", MAX_SCHEDS);
		o->sched[o->nsched++] = sched_find(name);
	}
	return rc < 0 ? errbuf_set(e, "-s: got '%s', expected dataflows separated by commas",
	    arg) : 0;
}

static int
parse_seqs(struct opts *o, const char *arg, struct errbuf *e)
{
	char num[32];
	const char *p = arg;
	unsigned i;
	int rc;

	o->nseq = 0;
	while ((rc = next_piece(&p, num, sizeof num)) == 1) {
		if (o->nseq == MAX_ROWS)
			return errbuf_set(e, "--seq: more than %d lengths", MAX_ROWS);
		if (num_parse_u64(num, &o->seq[o->nseq]) != 0 || o->seq[o->nseq] == 0 ||
		    o->seq[o->nseq] > WL_MAX_SEQ)
			return errbuf_set(e, "--seq: got '%s', expected an integer from 1 to %u",
			    num, WL_MAX_SEQ);
		for (i = 0; i < o->nseq; i++)
			if (o->seq[i] == o->seq[o->nseq])
				return errbuf_set(e, "--seq: %s is given twice", num);
		o->nseq++;
	}
	return rc < 0 ? errbuf_set(e, "--seq: got '%s', expected lengths separated by commas",
	    arg) : 0;
}

static int
parse_tiling(struct opts *o, const char *arg, struct errbuf *e)
{
	const char *colon = strchr(arg, ':');
	char name[64];
	size_t n = colon ? (size_t)(colon - arg) : 0;
	unsigned i;

	if (colon == NULL || n == 0 || n >= sizeof name)
		return errbuf_set(e, "-t: got '%s', expected SCHED:TILING (mas:rows=64)", arg);
	memcpy(name, arg, n);
	name[n] = '\0';
	if (o->ntiling == MAX_TILINGS)
		return errbuf_set(e, "-t: more than %d tilings", MAX_TILINGS);
	if ((o->tiling[o->ntiling].s = sched_find(name)) == NULL)
		return errbuf_set(e, "-t: unknown scheduler '%s', expected mas, flat, layerwise or "
		    "flash", name);
	for (i = 0; i < o->ntiling; i++)
		if (o->tiling[i].s == o->tiling[o->ntiling].s)
			return errbuf_set(e, "-t: %s has a tiling already (%s:%s); give each dataflow "
			    "one -t", name, name, o->tiling[i].text);
	if (sched_parse_tiling(o->tiling[o->ntiling].s, colon + 1, &o->tiling[o->ntiling].t, e) != 0)
		return errbuf_prefix(e, "-t %s", arg);
	o->tiling[o->ntiling++].text = colon + 1;
	return 0;
}

/* The tiling asked for s: what -t gave, or nothing. */
static struct tiling
tiling_for(const struct opts *o, const struct sched *s)
{
	struct tiling none;
	unsigned i;

	for (i = 0; i < o->ntiling; i++)
		if (o->tiling[i].s == s)
			return o->tiling[i].t;
	memset(&none, 0, sizeof none);
	return none;
}

/* ---- the table of dataflows ------------------------------------------ */

enum {
	C_WL, C_SCHED, C_STATUS, C_CYCLES, C_TIME, C_SPEEDUP, C_ENERGY, C_SAVING, C_MAC, C_VEC,
	C_OVERLAP, C_DRAM, C_SPILLS, C_L1, C_BOUND, C_EFF, C_TILING, C_N
};

static const char *const point_keys[C_N] = {
	"workload", "scheduler", "status", "cycles", "time_us", "speedup_vs_flat", "energy_uj",
	"energy_saving_vs_flat", "mac_util", "vec_util", "overlap", "dram_bytes", "spills",
	"l1_peak", "bound_by", "efficiency", "tiling",
};
static const char *const point_titles[C_N] = {
	"workload", "scheduler", "status", "cycles", "time us", "vs flat", "energy uJ", "saving",
	"mac", "vec", "overlap", "dram bytes", "spills", "l1 peak", "bound", "eff", "tiling",
};

static double
pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

static const struct compare_point *
find_point(const struct compare_point *p, unsigned row, unsigned nsched, const char *name)
{
	unsigned k;

	for (k = 0; k < nsched; k++)
		if (strcmp(p[row * nsched + k].sched->name, name) == 0 && p[row * nsched + k].status == 0)
			return &p[row * nsched + k];
	return NULL;
}

static double
seconds(const struct compare_point *p)
{
	return (double)p->res.st.makespan / p->npu->clock_mhz * 1e-6;
}

/* One row per point: what compare prints for one workload, and JSON and CSV for all. */
static int
point_table(struct table *t, const struct compare_point *p, unsigned nrows, unsigned nsched,
    bool with_wl, bool with_status)
{
	unsigned r, k, c, at[C_N];
	int row;

	for (t->ncols = 0, c = 0; c < C_N; c++) {
		if ((c == C_WL && !with_wl) || (c == C_STATUS && !with_status)) {
			at[c] = C_N;
			continue;
		}
		at[c] = t->ncols;
		t->key[t->ncols] = point_keys[c];
		t->title[t->ncols++] = point_titles[c];
	}
#define PUT(col, k_, v) do { if (at[col] < C_N) put(t, (unsigned)row, at[col], (k_), (v)); } while (0)
#define PUT_S(col, s) do { if (at[col] < C_N) put_s(t, (unsigned)row, at[col], (s)); } while (0)
	for (r = 0; r < nrows; r++) {
		const struct compare_point *flat = find_point(p, r, nsched, "flat");
		for (k = 0; k < nsched; k++) {
			const struct compare_point *x = &p[r * nsched + k];
			const struct stats *s = &x->res.st;
			if ((row = add_row(t)) < 0)
				return -1;
			PUT_S(C_WL, x->wl.name);
			PUT_S(C_SCHED, x->sched->name);
			if (x->status != 0) {
				PUT_S(C_STATUS, x->err.msg);
				continue;
			}
			PUT_S(C_STATUS, "ok");
			PUT(C_CYCLES, K_INT, (double)s->makespan);
			PUT(C_TIME, K_F1, seconds(x) * 1e6);
			if (flat != NULL) {
				PUT(C_SPEEDUP, K_X, seconds(flat) / seconds(x));
				PUT(C_SAVING, K_PCT, 100.0 * (1 - x->energy_uj / flat->energy_uj));
			}
			PUT(C_ENERGY, K_F1, x->energy_uj);
			PUT(C_MAC, K_PCT, pct(s->unit[ISA_UNIT_MAC].busy, s->makespan));
			PUT(C_VEC, K_PCT, pct(s->unit[ISA_UNIT_VEC].busy, s->makespan));
			PUT(C_OVERLAP, K_PCT, pct(s->mac_vec_overlap, s->makespan));
			PUT(C_DRAM, K_INT, (double)(s->dram_read + s->dram_write + s->spill_bytes +
			    s->fill_bytes));
			PUT(C_SPILLS, K_INT, (double)s->spills);
			PUT(C_L1, K_INT, (double)s->l1_peak);
			PUT_S(C_BOUND, x->bound.term[x->bound.by].name);
			PUT(C_EFF, K_PCT, 100.0 * x->bound.efficiency);
			PUT_S(C_TILING, x->res.plan.tiling);
		}
	}
#undef PUT
#undef PUT_S
	return 0;
}

/* Why MAS wins or loses: the resource that bounds each, and how close each comes to it. */
static void
why(const struct compare_point *mas, const struct compare_point *flat, FILE *f)
{
	const char *bm = mas->bound.term[mas->bound.by].name;
	const char *bf = flat->bound.term[flat->bound.by].name;
	double om = pct(mas->res.st.mac_vec_overlap, mas->res.st.makespan);
	double of = pct(flat->res.st.mac_vec_overlap, flat->res.st.makespan);

	if (strcmp(bm, bf) == 0)
		fprintf(f, "Both are bound by %s: MAS reaches %.1f%% of its bound and FLAT %.1f%%, "
		    "with MAC and VEC busy together %.1f%% and %.1f%% of the time.\n", bm,
		    100.0 * mas->bound.efficiency, 100.0 * flat->bound.efficiency, om, of);
	else
		fprintf(f, "MAS is bound by %s (%.1f%% reached), FLAT by %s (%.1f%% reached); MAC "
		    "and VEC are busy together %.1f%% and %.1f%% of the time.\n", bm,
		    100.0 * mas->bound.efficiency, bf, 100.0 * flat->bound.efficiency, om, of);
}

/* The one-workload table, without the status column when everything ran. */
static void
print_points_text(const struct compare_point *p, unsigned nsched, enum fmt fmt, FILE *f)
{
	struct table t = { 0 };
	char wl[256];
	unsigned k;
	bool failed = false;

	wl_format(&p[0].wl, wl, sizeof wl);
	if (fmt == F_TEXT)
		fprintf(f, "%s on %s: %s\n\n", p[0].wl.name, p[0].npu->name, wl);
	else
		fprintf(f, "**%s** on **%s** (%s)\n\n", p[0].wl.name, p[0].npu->name, wl);
	for (k = 0; k < nsched; k++)
		failed |= p[k].status != 0;
	/* the status column only when a dataflow could not run */
	if (point_table(&t, p, 1, nsched, false, failed) != 0) {
		free(t.c);
		return;
	}
	print_table(&t, fmt, f);
	free(t.c);
	/* why: what bounds each schedule, and how much of it overlaps */
	fputc('\n', f);
	for (k = 0; k < nsched; k++) {
		const struct compare_point *x = &p[k];
		char g[NUM_TEXT_MAX];
		if (x->status != 0) {
			fprintf(f, "%s%s: cannot be scheduled: %s\n", fmt == F_MD ? "- " : "",
			    x->sched->name, x->err.msg);
			continue;
		}
		fprintf(f, "%s%s: bound by %s (%s cycles), efficiency %.1f%%; MAC and VEC overlap "
		    "%.1f%% of the time%s%s\n", fmt == F_MD ? "- " : "", x->sched->name,
		    x->bound.term[x->bound.by].name, num_group(x->bound.cycles, g),
		    100.0 * x->bound.efficiency, pct(x->res.st.mac_vec_overlap, x->res.st.makespan),
		    x->res.plan.fit.note[0] ? "; " : "", x->res.plan.fit.note);
	}
	{
		const struct compare_point *mas = find_point(p, 0, nsched, "mas");
		const struct compare_point *flat = find_point(p, 0, nsched, "flat");
		if (mas != NULL && flat != NULL) {
			double sp = seconds(flat) / seconds(mas);
			double sv = 100.0 * (1 - mas->energy_uj / flat->energy_uj);
			fprintf(f, "\nMAS is %.2fx as fast as FLAT and uses %.1f%% %s energy.\n", sp,
			    fabs(sv), sv >= 0 ? "less" : "more");
			why(mas, flat, f);
		}
	}
}

/* Several workloads: a row each, a column of cycles per dataflow, MAS against FLAT. */
static int
print_rows(const struct compare_point *p, unsigned nrows, unsigned nsched, enum fmt fmt,
    FILE *f)
{
	struct table t = { 0 };
	const char *keys[MAX_SCHEDS + 3], *titles[MAX_SCHEDS + 3];
	char kbuf[MAX_SCHEDS][48];
	double lsp = 0, lsv = 0, maxsp = 0, maxsv = -INFINITY;
	unsigned r, k, n = 0;
	int row;

	t.ncols = nsched + 3;
	keys[0] = titles[0] = "workload";
	for (k = 0; k < nsched; k++) {
		snprintf(kbuf[k], sizeof kbuf[k], "%s_cycles", p[k].sched->name);
		keys[k + 1] = kbuf[k];
		titles[k + 1] = p[k].sched->name;
	}
	keys[nsched + 1] = "mas_speedup_vs_flat";
	titles[nsched + 1] = "MAS vs FLAT";
	keys[nsched + 2] = "mas_energy_saving_vs_flat";
	titles[nsched + 2] = "energy saving";
	memcpy(t.key, keys, sizeof keys);
	memcpy(t.title, titles, sizeof titles);
	for (r = 0; r < nrows; r++) {
		const struct compare_point *mas = find_point(p, r, nsched, "mas");
		const struct compare_point *flat = find_point(p, r, nsched, "flat");
		if ((row = add_row(&t)) < 0)
			return -1;
		put_s(&t, (unsigned)row, 0, p[r * nsched].wl.name);
		for (k = 0; k < nsched; k++) {
			const struct compare_point *x = &p[r * nsched + k];
			if (x->status == 0)
				put(&t, (unsigned)row, k + 1, K_INT, (double)x->res.st.makespan);
			else
				put_s(&t, (unsigned)row, k + 1, "does not fit");
		}
		if (mas != NULL && flat != NULL) {
			double sp = seconds(flat) / seconds(mas), er = mas->energy_uj / flat->energy_uj;
			put(&t, (unsigned)row, nsched + 1, K_X, sp);
			put(&t, (unsigned)row, nsched + 2, K_PCT, 100.0 * (1 - er));
			lsp += log(sp);
			lsv += log(er);
			maxsp = fmax(maxsp, sp);
			maxsv = fmax(maxsv, 100.0 * (1 - er));
			n++;
		}
	}
	if (fmt == F_JSON) {
		fputs("  \"table\": ", f);
		print_table(&t, fmt, f);
		if (n > 0)
			fprintf(f, ",\n  \"summary\": {\"points\": %u, \"geomean_speedup\": %.4f, "
			    "\"max_speedup\": %.4f, \"geomean_energy_saving\": %.2f, "
			    "\"max_energy_saving\": %.2f}", n, exp(lsp / n), maxsp,
			    100.0 * (1 - exp(lsv / n)), maxsv);
		free(t.c);
		return 0;
	}
	if (n > 0) {
		row = add_row(&t);
		if (row >= 0) {
			put_s(&t, (unsigned)row, 0, "geometric mean");
			put(&t, (unsigned)row, nsched + 1, K_X, exp(lsp / n));
			put(&t, (unsigned)row, nsched + 2, K_PCT, 100.0 * (1 - exp(lsv / n)));
		}
		row = add_row(&t);
		if (row >= 0) {
			put_s(&t, (unsigned)row, 0, "maximum");
			put(&t, (unsigned)row, nsched + 1, K_X, maxsp);
			put(&t, (unsigned)row, nsched + 2, K_PCT, maxsv);
		}
	}
	print_table(&t, fmt, f);
	free(t.c);
	return 0;
}

/* ---- the ladder -------------------------------------------------------- */

static const struct {
	const char *sched, *tiling, *what;
} ladder_steps[] = {
	{ "flat", "prefetch=off,kv=stream,norm=p", "FLAT as published" },
	{ "flat", "kv=stream,norm=p", "+ prefetch" },
	{ "flat", "", "+ kv, norm: FLAT by default" },
	{ "flat", NULL, "FLAT at its best (swept)" },
	{ "mas", "overwrite=off,kv=stream,norm=p", "MAS streams, 3 score buffers" },
	{ "mas", "kv=stream,norm=p", "+ overwrite: MAS as published" },
	{ "mas", "", "+ kv, norm: MAS by default" },
	{ "mas", NULL, "MAS at its best (swept)" },
};
#define NSTEPS (sizeof ladder_steps / sizeof ladder_steps[0])

static const unsigned sweep_rows[] = { 16, 32, 48, 64, 80, 96, 128, 192, 256 };
static const unsigned sweep_cols[] = { 32, 64, 128, 256 };
#define NSWEEP (2 * 2 * 4 * 9)

/*
 * The best tiling of a dataflow by replayed makespan over rows, cols, kv
 * and norm, on one batch element (the heads of one are scheduled alike).
 */
static int
sweep(const struct sched *s, const struct workload *w, const struct npu *n,
    const struct compare_opts *co, struct tiling *best, struct errbuf *e)
{
	struct compare_point *p = calloc(NSWEEP, sizeof *p);
	unsigned i = 0, kv, norm, c, r, b = NSWEEP;
	char text[256];

	if (p == NULL)
		return errbuf_set(e, "out of memory");
	for (kv = 0; kv < 2; kv++)
		for (norm = 0; norm < 2; norm++)
			for (c = 0; c < 4; c++)
				for (r = 0; r < 9; r++, i++) {
					p[i].sched = s;
					p[i].wl = *w;
					p[i].wl.batch = 1;
					p[i].npu = n;
					snprintf(text, sizeof text,
					    "%srows=%u,cols=%u,kv=%s,norm=%s",
					    strcmp(s->name, "flat") == 0 ? "gran=row," : "",
					    sweep_rows[r], sweep_cols[c], kv ? "resident" : "stream",
					    norm ? "o" : "p");
					sched_parse_tiling(s, text, &p[i].tiling, e);
				}
	if (compare_run(p, NSWEEP, co, e) != 0) {
		compare_free(p, NSWEEP);
		free(p);
		return -1;
	}
	for (i = 0; i < NSWEEP; i++)
		if (p[i].status == 0 && (b == NSWEEP || p[i].res.st.makespan < p[b].res.st.makespan))
			b = i;
	if (b < NSWEEP)
		eval_tiling_whole(s, &p[b].res.plan.t, best);
	compare_free(p, NSWEEP);
	free(p);
	return b < NSWEEP ? 0 : errbuf_set(e, "no tiling of %s fits %s on %s", s->name, w->name,
	    n->name);
}

static int
ladder(const struct opts *o, const struct workload *w, const struct npu *n,
    const struct compare_opts *co, bool first, FILE *f, struct errbuf *e)
{
	struct compare_point p[NSTEPS];
	struct table t = { 0 };
	static const char *const keys[] = { "step", "scheduler", "cycles", "energy_uj",
	    "efficiency", "bound_by", "vs_previous", "vs_first", "tiling" };
	static const char *const titles[] = { "step", "dataflow", "cycles", "energy uJ", "eff",
	    "bound", "vs prev", "vs first", "tiling" };
	struct tiling best[2];
	char wl[256];
	double prev = 0, base = 0;
	unsigned i;
	int row;

	if (sweep(sched_find("flat"), w, n, co, &best[0], e) != 0 ||
	    sweep(sched_find("mas"), w, n, co, &best[1], e) != 0)
		return -1;
	memset(p, 0, sizeof p);
	for (i = 0; i < NSTEPS; i++) {
		p[i].sched = sched_find(ladder_steps[i].sched);
		p[i].wl = *w;
		p[i].npu = n;
		if (ladder_steps[i].tiling != NULL)
			sched_parse_tiling(p[i].sched, ladder_steps[i].tiling, &p[i].tiling, e);
		else
			p[i].tiling = best[p[i].sched == sched_find("mas")];
	}
	if (compare_run(p, NSTEPS, co, e) != 0) {
		compare_free(p, NSTEPS);
		return -1;
	}
	t.ncols = 9;
	memcpy(t.key, keys, sizeof keys);
	memcpy(t.title, titles, sizeof titles);
	for (i = 0; i < NSTEPS; i++) {
		if ((row = add_row(&t)) < 0)
			break;
		put_s(&t, (unsigned)row, 0, ladder_steps[i].what);
		put_s(&t, (unsigned)row, 1, p[i].sched->name);
		if (p[i].status != 0) {
			put_s(&t, (unsigned)row, 8, p[i].err.msg);
			continue;
		}
		put(&t, (unsigned)row, 2, K_INT, (double)p[i].res.st.makespan);
		put(&t, (unsigned)row, 3, K_F1, p[i].energy_uj);
		put(&t, (unsigned)row, 4, K_PCT, 100.0 * p[i].bound.efficiency);
		put_s(&t, (unsigned)row, 5, p[i].bound.term[p[i].bound.by].name);
		if (base == 0)
			base = prev = seconds(&p[i]);
		put(&t, (unsigned)row, 6, K_X, prev / seconds(&p[i]));
		put(&t, (unsigned)row, 7, K_X, base / seconds(&p[i]));
		put_s(&t, (unsigned)row, 8, p[i].res.plan.tiling);
		prev = seconds(&p[i]);
	}
	wl_format(w, wl, sizeof wl);
	if (o->fmt == F_JSON) {
		fprintf(f, "%s  {\"workload\": ", first ? "" : ",\n");
		json_string(f, w->name);
		fputs(", \"npu\": ", f);
		json_string(f, n->name);
		fputs(", \"steps\": ", f);
		print_table(&t, o->fmt, f);
		fputs("}", f);
	} else {
		if (o->fmt == F_TEXT)
			fprintf(f, "%sladder: %s on %s: %s\n\n", first ? "" : "\n", w->name, n->name, wl);
		else if (o->fmt == F_MD)
			fprintf(f, "%s**ladder: %s on %s** (%s)\n\n", first ? "" : "\n", w->name, n->name,
			    wl);
		print_table(&t, o->fmt, f);
	}
	free(t.c);
	compare_free(p, NSTEPS);
	return 0;
}

/* ---- the command ------------------------------------------------------- */

/* MAS against FLAT in one Perfetto trace, for each row where both ran. */
static int
write_diffs(const struct compare_point *p, unsigned nrows, unsigned nsched, const char *dir,
    const char *npu_file, struct errbuf *e)
{
	char a[4096], b[4096], out[4096], name[160];
	struct diff d;
	unsigned r;
	int rc;

	for (r = 0; r < nrows; r++) {
		const struct compare_point *mas = find_point(p, r, nsched, "mas");
		const struct compare_point *flat = find_point(p, r, nsched, "flat");
		if (mas == NULL || flat == NULL)
			continue;
		compare_file_name(mas->wl.name, name, sizeof name);
		snprintf(a, sizeof a, "%s/%s.r.mtr", dir, mas->name);
		snprintf(b, sizeof b, "%s/%s.r.mtr", dir, flat->name);
		snprintf(out, sizeof out, "%s/%s-mas-vs-flat.pftrace", dir, name);
		if (npu_file != NULL && outfile_same_file(out, npu_file))
			return errbuf_set(e, "%s: is the input %s; write the outputs into another "
			    "directory", out, npu_file);
		rc = diff_read(&d, a, b, cmd_replay_models, e);
		if (rc == 0)
			rc = diff_write_perfetto(&d, out, e);
		diff_free(&d);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int
run(int argc, char **argv)
{
	enum { OPT_NPU = 256, OPT_SEQ, OPT_FORMAT, OPT_LADDER, OPT_MAX };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "workload", required_argument, NULL, 'w' },
		{ "npu", required_argument, NULL, OPT_NPU },
		{ "sched", required_argument, NULL, 's' },
		{ "seq", required_argument, NULL, OPT_SEQ },
		{ "tiling", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "jobs", required_argument, NULL, 'j' },
		{ "ladder", no_argument, NULL, OPT_LADDER },
		{ "max-instructions", required_argument, NULL, OPT_MAX },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o;
	struct compare_opts co = { 0 };
	struct compare_point *p = NULL;
	struct errbuf e;
	struct npu npu;
	struct meter m;
	char command[1024], wn[160];
	unsigned nrows, r, k, i;
	uint64_t jobs;
	const char *npu_file;
	int ch, rc = EXIT_ERROR, dirfd = -1;

	cli_join_args(argc, argv, command, sizeof command);
	memset(&o, 0, sizeof o);
	o.npu_arg = "edge";
	while ((ch = cli_getopt(&cmd_compare, argc, argv, "hw:s:t:o:j:q", longopts)) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return EXIT_OK;
		case 'w':
			if (parse_workloads(&o, optarg, &e) != 0)
				return cli_usage_error(&cmd_compare, "%s", e.msg);
			break;
		case OPT_NPU: o.npu_arg = optarg; break;
		case 's':
			if (parse_scheds(&o, optarg, &e) != 0)
				return cli_usage_error(&cmd_compare, "%s", e.msg);
			break;
		case OPT_SEQ:
			if (parse_seqs(&o, optarg, &e) != 0)
				return cli_usage_error(&cmd_compare, "%s", e.msg);
			break;
		case 't':
			if (parse_tiling(&o, optarg, &e) != 0)
				return cli_usage_error(&cmd_compare, "%s", e.msg);
			break;
		case 'o': o.outdir = optarg; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				o.fmt = F_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o.fmt = F_JSON;
			else if (strcmp(optarg, "csv") == 0)
				o.fmt = F_CSV;
			else if (strcmp(optarg, "markdown") == 0)
				o.fmt = F_MD;
			else
				return cli_usage_error(&cmd_compare, "--format: got '%s', expected text, "
				    "json, csv or markdown", optarg);
			break;
		case 'j':
			if (num_parse_u64(optarg, &jobs) != 0 || jobs < 1 || jobs > 256)
				return cli_usage_error(&cmd_compare, "-j: got '%s', expected a number of "
				    "threads from 1 to 256", optarg);
			o.jobs = (unsigned)jobs;
			break;
		case OPT_LADDER: o.ladder = true; break;
		case OPT_MAX:
			if (cli_parse_count(&cmd_compare, "--max-instructions", optarg,
			    &co.max_instructions) != 0)
				return EXIT_ERROR;
			break;
		case 'q': o.quiet = true; break;
		default: return EXIT_ERROR;
		}
	}
	if (optind != argc)
		return cli_usage_error(&cmd_compare, "unexpected operand '%s'", argv[optind]);
	if (o.ladder && (o.outdir != NULL || o.nsched > 0 || o.ntiling > 0))
		return cli_usage_error(&cmd_compare, "--ladder chooses its own dataflows and "
		    "tilings and writes no files: drop -s, -t and -o");
	if (o.nwl == 0 && add_workload(&o, WL_DEFAULT_PRESET, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	if (o.nsched == 0)
		parse_scheds(&o, "mas,flat,flash,layerwise", &e);
	for (i = 0; i < o.ntiling; i++) {
		for (k = 0; k < o.nsched && o.sched[k] != o.tiling[i].s; k++)
			;
		if (k == o.nsched)
			return cli_usage_error(&cmd_compare, "-t: '%s' is not among the dataflows "
			    "compared (-s)", o.tiling[i].s->name);
	}
	if (npu_resolve(o.npu_arg, &npu, &e) != 0) {
		cli_error("%s", e.msg);
		return EXIT_ERROR;
	}
	npu_file = cli_npu_file(o.npu_arg);
	/* rows: each workload at each length */
	nrows = o.nwl * (o.nseq ? o.nseq : 1);
	if (nrows > MAX_ROWS)
		return cli_usage_error(&cmd_compare, "more than %d workloads and lengths", MAX_ROWS);
	if ((p = calloc((size_t)nrows * o.nsched, sizeof *p)) == NULL) {
		cli_error("out of memory");
		return EXIT_ERROR;
	}
	for (r = 0; r < nrows; r++) {
		struct workload w = o.wl[r / (o.nseq ? o.nseq : 1)];
		if (o.nseq) {
			uint64_t seq = o.seq[r % o.nseq];
			if (wl_set_seq(&w, seq, &e) != 0) {
				cli_usage_error(&cmd_compare, "%s", e.msg);
				goto out;
			}
		}
		compare_file_name(w.name, wn, sizeof wn);
		for (k = 0; k < o.nsched; k++) {
			struct compare_point *x = &p[r * o.nsched + k];
			x->sched = o.sched[k];
			x->wl = w;
			x->npu = &npu;
			x->tiling = tiling_for(&o, o.sched[k]);
			snprintf(x->name, sizeof x->name, "%.120s-%.32s", wn, o.sched[k]->name);
		}
	}
	if (o.outdir != NULL && compare_outdir_open(o.outdir, &dirfd, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	meter_init(&m, "compare", o.ladder ? "evaluations" : "schedules", o.quiet);
	co.jobs = o.jobs;
	co.outdir = o.outdir;
	co.command = command;
	co.inputs = &npu_file;
	co.ninputs = 1;
	co.progress = meter_progress(&m);
	if (o.ladder) {
		if (o.fmt == F_JSON)
			fputs("[\n", stdout);
		for (r = 0; r < nrows; r++)
			if (ladder(&o, &p[r * o.nsched].wl, &npu, &co, r == 0, stdout, &e) != 0) {
				meter_done(&m);
				cli_error("%s", e.msg);
				goto out;
			}
		if (o.fmt == F_JSON)
			fputs("\n]\n", stdout);
		meter_done(&m);
		rc = EXIT_OK;
		goto out;
	}
	if (compare_run(p, (size_t)nrows * o.nsched, &co, &e) != 0) {
		meter_done(&m);
		cli_error("%s", e.msg);
		goto out;
	}
	meter_done(&m);
	for (i = 0; i < nrows * o.nsched; i++)
		if (p[i].failed_late) {	/* a file not written is an error, not a cell */
			cli_error("%s", p[i].err.msg);
			goto out;
		}
	if (o.outdir != NULL && write_diffs(p, nrows, o.nsched, o.outdir, npu_file, &e) != 0) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (o.fmt == F_JSON) {
		struct table t = { 0 };
		fputs("{\n  \"npu\": ", stdout);
		json_string(stdout, npu.name);
		fputs(",\n  \"points\": ", stdout);
		if (point_table(&t, p, nrows, o.nsched, true, true) == 0)
			print_table(&t, F_JSON, stdout);
		free(t.c);
		if (nrows > 1) {
			fputs(",\n", stdout);
			print_rows(p, nrows, o.nsched, F_JSON, stdout);
		}
		fputs("\n}\n", stdout);
	} else if (o.fmt == F_CSV) {
		struct table t = { 0 };
		if (point_table(&t, p, nrows, o.nsched, true, true) == 0)
			print_table(&t, F_CSV, stdout);
		free(t.c);
	} else if (nrows == 1) {
		print_points_text(p, o.nsched, o.fmt, stdout);
	} else {
		if (o.fmt == F_TEXT)
			printf("%u workloads on %s: replayed cycles; MAS against FLAT in time and "
			    "energy\n\n", nrows, npu.name);
		print_rows(p, nrows, o.nsched, o.fmt, stdout);
	}
	rc = EXIT_OK;
out:
	compare_outdir_close(dirfd);
	compare_free(p, (size_t)nrows * o.nsched);
	free(p);
	return rc;
}

const struct cmd cmd_compare = {
	"compare", "schedule and replay every dataflow and print MAS against FLAT (the main job)",
	run, usage,
};
