/* diff: two replayed traces of one computation, side by side and aligned by what they compute. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "export.h"
#include "json.h"
#include "num.h"
#include "table.h"
#include "trace-file.h"
#include "zout.h"

/* Aligned blocks kept at most, over all heads: coarser blocks beyond it. */
#define DIFF_CELLS_MAX (1u << 22)

static unsigned
class_of(unsigned unit)
{
	return unit == ISA_UNIT_MAC ? DIFF_MAC : unit == ISA_UNIT_VEC ? DIFF_VEC :
	    unit == ISA_UNIT_MTE ? DIFF_MTE : DIFF_DMA;
}

static const char *const class_names[DIFF_NCLASSES] = { "mac", "vec", "mte", "dma" };

/* "rows=N" of a tiling text; 0 when it names none. */
static uint32_t
tiling_rows(const char *tiling)
{
	const char *p = tiling;
	uint64_t v;
	char num[24];
	size_t n;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, "rows=", 5) == 0) {
			n = strcspn(p + 5, ",");
			if (n == 0 || n >= sizeof num)
				return 0;
			memcpy(num, p + 5, n);
			num[n] = '\0';
			return num_parse_u64(num, &v) == 0 && v > 0 && v <= UINT32_MAX ?
			    (uint32_t)v : 0;
		}
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return 0;
}

static uint64_t
gcd(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Workloads agree on what is computed (not on the name they were given)? */
static bool
same_computation(const struct workload *a, const struct workload *b)
{
	return a->batch == b->batch && a->heads == b->heads && a->q_len == b->q_len &&
	    a->k_len == b->k_len && a->d_qk == b->d_qk && a->d_v == b->d_v &&
	    a->elem_bytes == b->elem_bytes && a->causal == b->causal;
}

/*
 * The coarsest common granularity: blocks of the least common multiple of
 * the two tilings' rows (a whole head when either names none or it reaches
 * the query length), coarser still if the blocks would not fit in memory.
 */
static void
choose_granularity(struct diff *d)
{
	const struct workload *w = &d->s[0].h.wl;
	uint64_t ra = d->s[0].rows, rb = d->s[1].rows, g;

	g = ra == 0 || rb == 0 ? w->q_len : ra / gcd(ra, rb) * rb;
	if (g == 0 || g > w->q_len)
		g = w->q_len ? w->q_len : 1;
	d->nheads = (uint64_t)w->batch * w->heads;
	for (;;) {
		d->nblk = (uint32_t)((w->q_len + g - 1) / g) + 1;
		if (d->nheads * d->nblk <= DIFF_CELLS_MAX || g >= w->q_len)
			break;
		g = g * 2 > w->q_len ? w->q_len : g * 2;
	}
	d->gran = (uint32_t)g;
}

struct reading {
	struct diff *d;
	unsigned side;
};

/* Sums of cycles and MACs saturate: a hand-written trace may hold anything within the ISA's
 * bounds. */
static inline uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void
curve_add(struct diff_side *s, uint64_t cycle, uint64_t macs)
{
	uint64_t i;

	while (cycle / s->curve_w >= DIFF_CURVE) {	/* twice as wide: pairs merge */
		for (i = 0; i < DIFF_CURVE / 2; i++)
			s->curve[i] = sat_add(s->curve[2 * i], s->curve[2 * i + 1]);
		memset(s->curve + DIFF_CURVE / 2, 0, sizeof s->curve / 2);
		s->curve_w *= 2;
	}
	s->curve[cycle / s->curve_w] = sat_add(s->curve[cycle / s->curve_w], macs);
}

static void
take(void *ctx, const struct isa_instr *in)
{
	struct reading *rd = ctx;
	struct diff *d = rd->d;
	struct diff_side *s = &d->s[rd->side];
	const struct workload *w = &s->h.wl;
	uint64_t len = in->rep_end - in->rep_start, head;
	unsigned c = class_of(in->unit), t;
	uint32_t blk;
	struct diff_cell *cell;

	if (in->op == ISA_OP_ALLOC || in->op == ISA_OP_FREE || in->op == ISA_OP_OVERWRITE ||
	    in->op == ISA_OP_BARRIER)
		return;
	d->op[c][in->op].count[rd->side]++;
	d->op[c][in->op].cycles[rd->side] = sat_add(d->op[c][in->op].cycles[rd->side], len);
	if (in->op == ISA_OP_MATMUL) {
		uint64_t macs = (uint64_t)in->m * in->n * in->k;	/* isa_check() bounds it */
		s->macs = sat_add(s->macs, macs);
		curve_add(s, in->rep_end, macs);
	}
	if (in->b >= w->batch || in->h >= w->heads) {
		s->unaligned++;
		return;
	}
	head = (uint64_t)in->b * w->heads + in->h;
	t = in->ndst > 0 ? in->dst[0].tensor : ISA_T_NONE;
	if ((in->op == ISA_OP_LOAD || in->op == ISA_OP_MOVE || in->op == ISA_OP_FILL) &&
	    (t == ISA_T_K || t == ISA_T_V))
		blk = d->nblk - 1;
	else
		blk = in->rb / d->gran < d->nblk - 1 ? in->rb / d->gran : d->nblk - 2;
	cell = &d->cell[(head * d->nblk + blk) * 2 + rd->side];
	if (in->rep_start < cell->start)
		cell->start = in->rep_start;
	if (in->rep_end > cell->end || cell->start > cell->end)
		cell->end = in->rep_end;
	cell->busy[c] = sat_add(cell->busy[c], len);
}

static int
read_side(struct diff *d, unsigned side, struct trace_reader *r, struct errbuf *e)
{
	struct diff_side *s = &d->s[side];
	struct reading rd = { d, side };
	struct replay_opts o;

	if (stats_init(&s->st, &s->h.npu) != 0)
		return errbuf_set(e, "out of memory");
	replay_opts_of_trace(&s->h, &o);
	replay_opts_to_stats(&o, &s->st);
	if (stats_read_each(&s->st, r, s->path, take, &rd, e) != 0)
		return -1;
	if (s->st.instructions == 0)
		return errbuf_set(e, "%s: the trace holds no instructions", s->path);
	stats_bound(&s->st, &s->bound);
	return 0;
}

int
diff_read(struct diff *d, const char *a, const char *b, struct errbuf *e)
{
	struct trace_reader *r[2] = { NULL, NULL };
	enum trace_format fmt;
	char wa[256], wb[256];
	uint64_t i;
	unsigned k;
	int rc = -1;

	memset(d, 0, sizeof *d);
	d->s[0].path = a;
	d->s[1].path = b;
	for (k = 0; k < 2; k++) {
		if (trace_open_read(d->s[k].path, &r[k], &fmt, e) != 0) {
			r[k] = NULL;
			goto out;
		}
		d->s[k].h = r[k]->hdr;
		d->s[k].rows = tiling_rows(d->s[k].h.tiling);
		d->s[k].curve_w = 1;
	}
	if (!same_computation(&d->s[0].h.wl, &d->s[1].h.wl)) {
		wl_format(&d->s[0].h.wl, wa, sizeof wa);
		wl_format(&d->s[1].h.wl, wb, sizeof wb);
		errbuf_set(e, "%s and %s are schedules of different computations: workload %s "
		    "against %s (diff compares two schedules of one workload)", a, b, wa, wb);
		goto out;
	}
	choose_granularity(d);
	if (d->nheads > DIFF_CELLS_MAX / 2 || d->nheads * d->nblk > DIFF_CELLS_MAX) {
		errbuf_set(e, "%s: %llu heads (batch x heads) are more than diff aligns (%u "
		    "blocks at most)", a, (unsigned long long)d->nheads, DIFF_CELLS_MAX);
		goto out;
	}
	if ((d->cell = calloc(d->nheads * d->nblk * 2, sizeof *d->cell)) == NULL) {
		errbuf_set(e, "out of memory");
		goto out;
	}
	for (i = 0; i < d->nheads * d->nblk * 2; i++)
		d->cell[i].start = UINT64_MAX;
	for (k = 0; k < 2; k++)
		if (read_side(d, k, r[k], e) != 0)
			goto out;
	rc = 0;
out:
	for (k = 0; k < 2; k++)
		if (r[k] != NULL)
			trace_close_read(r[k]);
	return rc;
}

void
diff_free(struct diff *d)
{
	stats_free(&d->s[0].st);
	stats_free(&d->s[1].st);
	free(d->cell);
	d->cell = NULL;
}

/* ---- the figures ------------------------------------------------------ */

static double
seconds(const struct diff_side *s, uint64_t cycles)
{
	return (double)cycles / s->h.npu.clock_mhz * 1e-6;
}

double
diff_speedup(const struct diff *d)
{
	double ta = seconds(&d->s[0], d->s[0].st.makespan);
	double tb = seconds(&d->s[1], d->s[1].st.makespan);

	if (tb > 0)
		return ta / tb;
	return ta > 0 ? INFINITY : 1.0;
}

static double
share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

static struct diff_metric *add(struct diff_metric *m, unsigned *n, const char *section,
    const char *unit, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static struct diff_metric *
add(struct diff_metric *m, unsigned *n, const char *section, const char *unit, const char *fmt,
    ...)
{
	struct diff_metric *x = &m[(*n)++];
	va_list ap;

	x->section = section;
	x->unit = unit;
	va_start(ap, fmt);
	vsnprintf(x->name, sizeof x->name, fmt, ap);
	va_end(ap);
	return x;
}

unsigned
diff_metrics(const struct diff *d, struct diff_metric *m)
{
	static const char *const cause_names[ISA_NCAUSES] = {
		NULL, "dep", "unit", "dram", "dma", "port", "space",
	};
	unsigned n = 0, k, c, u;
	struct diff_metric *x;

	for (k = 0; k < 2; k++) {
		const struct diff_side *sd = &d->s[k];
		const struct stats *s = &sd->st;
		uint64_t span = s->makespan, busy[DIFF_NCLASSES] = { 0 }, stall[ISA_NCAUSES] = { 0 };
		uint64_t stalled[DIFF_NCLASSES] = { 0 };
		uint64_t path = 0, moved;
		unsigned channels = sd->h.npu.dma.channels ? sd->h.npu.dma.channels : 1;
		double total = 0;

		n = 0;
#define PUT(section, unit, fmt, arg, value) \
		(x = add(m, &n, section, unit, fmt, arg), x->v[k] = (value))
		PUT("time", "cycles", "makespan%s", "", (double)span);
		PUT("time", "us", "makespan%s", "", seconds(sd, span) * 1e6);
		for (u = 0; u < ISA_NUNITS; u++) {
			busy[class_of(u)] += s->unit[u].busy;
			for (c = 1; c < ISA_NCAUSES; c++) {
				stall[c] += s->unit[u].stalled[c];
				stalled[class_of(u)] += s->unit[u].stalled[c];
			}
		}
		for (c = 0; c < DIFF_NCLASSES; c++)
			PUT("unit", "cycles", "%s busy", class_names[c], (double)busy[c]);
		for (c = 0; c < DIFF_NCLASSES; c++)
			PUT("unit", "cycles", "%s stalled", class_names[c], (double)stalled[c]);
		for (c = 0; c < DIFF_NCLASSES; c++)
			PUT("unit", "%", "%s utilisation", class_names[c], c == DIFF_DMA ?
			    share(busy[c], span * channels) : share(busy[c], span));
		for (c = 1; c < ISA_NCAUSES; c++)
			PUT("stall", "cycles", "stalled on %s", cause_names[c], (double)stall[c]);
		PUT("time", "cycles", "mac||vec overlap%s", "", (double)s->mac_vec_overlap);
		PUT("time", "%", "mac||vec overlap%s", "", share(s->mac_vec_overlap, span));
		moved = s->dram_read + s->dram_write + s->spill_bytes + s->fill_bytes;
		PUT("dram", "bytes", "dram read%s", "", (double)s->dram_read);
		PUT("dram", "bytes", "dram written%s", "", (double)s->dram_write);
		PUT("dram", "GB/s", "dram achieved%s", "", span ? (double)moved / seconds(sd, span) /
		    1e9 : 0);
		PUT("l1", "bytes", "l1 peak%s", "", (double)s->l1_peak);
		PUT("l1", "bytes", "l1 mean%s", "", span ? s->l1_byte_cycles / (double)span : 0);
		PUT("spill", "count", "spills%s", "", (double)s->spills);
		PUT("spill", "bytes", "spilled%s", "", (double)s->spill_bytes);
		for (c = 0; c < STATS_NENERGY; c++) {
			PUT("energy", "uJ", "energy %s", stats_energy_names[c], s->energy_pj[c] / 1e6);
			total += s->energy_pj[c];
		}
		PUT("energy", "uJ", "energy total%s", "", total / 1e6);
		for (c = 0; c < CP_N; c++)
			path += s->cp_best[c];
		for (c = 0; c < CP_N; c++)
			PUT("path", "%", "critical path %s", stats_cp_names[c],
			    share(s->cp_best[c], path));
		PUT("bound", "cycles", "bound%s", "", (double)sd->bound.cycles);
		PUT("bound", "%", "efficiency%s", "", 100.0 * sd->bound.efficiency);
#undef PUT
	}
	return n;
}

/* a and b differ by more than tol percent of the larger? */
static bool
differs(double a, double b, double tol)
{
	double big = fmax(fabs(a), fabs(b));

	return fabs(a - b) > tol / 100.0 * big;
}

int64_t
diff_first_divergence(const struct diff *d, double tol_pct)
{
	uint64_t h, i;
	uint32_t blk;

	for (h = 0; h < d->nheads; h++)
		for (blk = 0; blk < d->nblk; blk++) {
			const struct diff_cell *a = diff_cell_at(d, h, blk, 0);
			const struct diff_cell *b = diff_cell_at(d, h, blk, 1);
			bool ra = a->start <= a->end, rb = b->start <= b->end;
			if (!ra && !rb)
				continue;
			i = h * d->nblk + blk;
			if (ra != rb || differs((double)seconds(&d->s[0], a->end),
			    (double)seconds(&d->s[1], b->end), tol_pct))
				return (int64_t)i;
		}
	return -1;
}

bool
diff_equivalent(const struct diff *d, double tol_pct)
{
	struct diff_metric m[DIFF_METRICS_MAX];
	unsigned n = diff_metrics(d, m), i;

	for (i = 0; i < n; i++)
		if (differs(m[i].v[0], m[i].v[1], tol_pct))
			return false;
	return diff_first_divergence(d, tol_pct) < 0;
}

/* ---- reports ---------------------------------------------------------- */

/* The per-operation rows, the largest difference in time first. */
struct op_row { unsigned c, op; double delta; };

static int
by_delta(const void *x, const void *y)
{
	const struct op_row *a = x, *b = y;

	if (fabs(a->delta) != fabs(b->delta))
		return fabs(a->delta) < fabs(b->delta) ? 1 : -1;
	return a->c != b->c ? (a->c < b->c ? -1 : 1) : (a->op < b->op ? -1 : a->op > b->op);
}

static unsigned
op_rows(const struct diff *d, struct op_row *rows)
{
	unsigned n = 0, c, op;

	for (c = 0; c < DIFF_NCLASSES; c++)
		for (op = 0; op < ISA_NOPS; op++) {
			const struct diff_op *o = &d->op[c][op];
			if (o->count[0] == 0 && o->count[1] == 0)
				continue;
			rows[n].c = c;
			rows[n].op = op;
			rows[n++].delta = (double)o->cycles[1] - (double)o->cycles[0];
		}
	qsort(rows, n, sizeof *rows, by_delta);
	return n;
}

static void
block_rows(const struct diff *d, uint64_t i, uint64_t *head_b, uint64_t *head_h,
    uint64_t *row0, uint64_t *row1)
{
	uint64_t head = i / d->nblk, blk = i % d->nblk;

	*head_b = head / d->s[0].h.wl.heads;
	*head_h = head % d->s[0].h.wl.heads;
	if (blk == d->nblk - 1) {	/* the head's K and V */
		*row0 = *row1 = UINT64_MAX;
		return;
	}
	*row0 = blk * d->gran;
	*row1 = *row0 + d->gran < d->s[0].h.wl.q_len ? *row0 + d->gran : d->s[0].h.wl.q_len;
}

static const char *
block_name(const struct diff *d, uint64_t i, char *buf, size_t len)
{
	uint64_t b, h, r0, r1;

	block_rows(d, i, &b, &h, &r0, &r1);
	if (r0 == UINT64_MAX)
		snprintf(buf, len, "b%llu h%llu k,v", (unsigned long long)b, (unsigned long long)h);
	else
		snprintf(buf, len, "b%llu h%llu rows %llu-%llu", (unsigned long long)b,
		    (unsigned long long)h, (unsigned long long)r0,
		    (unsigned long long)(r1 - 1));
	return buf;
}

static void
describe_side(const struct diff_side *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s on %s, %s%s%s%s", s->h.sched[0] ? s->h.sched : "trace", s->h.npu.name,
	    s->h.wl.name, s->h.tiling[0] ? " [" : "", s->h.tiling, s->h.tiling[0] ? "]" : "");
}

static const char *
rule_text(const struct diff *d, char *buf, size_t len)
{
	if (d->gran >= d->s[0].h.wl.q_len)
		snprintf(buf, len, "by head (%u query rows)", d->gran);
	else
		snprintf(buf, len, "by blocks of %u query rows (A's row blocks: %u, B's: %u)", d->gran,
		    d->s[0].rows, d->s[1].rows);
	return buf;
}

/* Is a figure in this unit a whole number (grouped digits, not decimals)? */
static bool
whole_unit(const char *unit)
{
	return strcmp(unit, "cycles") == 0 || strcmp(unit, "bytes") == 0 ||
	    strcmp(unit, "count") == 0;
}

/* A figure for scripts: whole units exactly (cycles pass 10^6), the rest to six digits. */
static const char *
figure(const struct diff_metric *m, double v, char buf[32])
{
	snprintf(buf, 32, whole_unit(m->unit) ? "%.0f" : "%.6g", v);
	return buf;
}

/* Every figure of both sides, their difference and their ratio. */
static void
print_metrics(const struct diff_metric *m, unsigned n, FILE *f)
{
	static const char *const keys[] = { "figure", "unit", "a", "b", "diff", "ratio" };
	static const char *const titles[] = { "figure", "unit", "A", "B", "B - A", "B / A" };
	static const unsigned widths[] = { 28, 7, 16, 16, 16, 8 };
	struct table t;
	unsigned i, c;
	int row;

	table_init(&t, 6, keys, titles);
	t.sep = " ";
	for (c = 0; c < 6; c++)
		table_align(&t, c, widths[c], c < 2);
	for (i = 0; i < n && (row = table_add_row(&t)) >= 0; i++) {
		bool whole = whole_unit(m[i].unit);
		double a = m[i].v[0], b = m[i].v[1];
		table_put_str(&t, (unsigned)row, 0, m[i].name);
		table_put_str(&t, (unsigned)row, 1, m[i].unit);
		table_put(&t, (unsigned)row, 2, whole ? TABLE_INT : TABLE_F3, a);
		table_put(&t, (unsigned)row, 3, whole ? TABLE_INT : TABLE_F3, b);
		table_put(&t, (unsigned)row, 4, whole ? TABLE_DELTA : TABLE_F3_DELTA, b - a);
		if (a != 0)
			table_put(&t, (unsigned)row, 5, TABLE_F3, b / a);
	}
	table_print(&t, TABLE_TEXT, f);
	table_free(&t);
}

/* Where the time went: each unit's opcodes, counts and cycles on both sides. */
static void
print_ops(const struct diff *d, FILE *f)
{
	static const char *const keys[] = { "unit", "op", "count_a", "count_b", "cycles_a",
	    "cycles_b", "mean_a", "mean_b", "diff" };
	static const char *const titles[] = { "unit", "op", "count A", "count B", "cycles A",
	    "cycles B", "mean A", "mean B", "B - A" };
	static const unsigned widths[] = { 4, 9, 9, 9, 14, 14, 10, 10, 15 };
	struct op_row rows[DIFF_NCLASSES * ISA_NOPS];
	unsigned n = op_rows(d, rows), i, c, k;
	struct table t;
	int row;

	table_init(&t, 9, keys, titles);
	t.sep = " ";
	for (c = 0; c < 9; c++)
		table_align(&t, c, widths[c], c < 2);
	for (i = 0; i < n && (row = table_add_row(&t)) >= 0; i++) {
		const struct diff_op *o = &d->op[rows[i].c][rows[i].op];
		table_put_str(&t, (unsigned)row, 0, class_names[rows[i].c]);
		table_put_str(&t, (unsigned)row, 1, isa_op_name(rows[i].op));
		for (k = 0; k < 2; k++) {
			table_put(&t, (unsigned)row, 2 + k, TABLE_COUNT, (double)o->count[k]);
			table_put(&t, (unsigned)row, 4 + k, TABLE_INT, (double)o->cycles[k]);
			table_put(&t, (unsigned)row, 6 + k, TABLE_F1, o->count[k] ?
			    (double)o->cycles[k] / (double)o->count[k] : 0.0);
		}
		table_put(&t, (unsigned)row, 8, TABLE_DELTA, rows[i].delta);
	}
	table_print(&t, TABLE_TEXT, f);
	table_free(&t);
}

/* The aligned blocks with their times on both sides, at most max_blocks (0: all). */
static void
print_blocks(const struct diff *d, unsigned max_blocks, FILE *f)
{
	static const char *const keys[] = { "block", "a_start", "a_end", "b_start", "b_end",
	    "a_mac", "b_mac", "a_vec", "b_vec" };
	static const char *const titles[] = { "block", "A start", "A end", "B start", "B end",
	    "A mac", "B mac", "A vec", "B vec" };
	static const unsigned widths[] = { 24, 12, 12, 12, 12, 10, 10, 10, 10 };
	uint64_t blk, shown = 0, total = d->nheads * d->nblk;
	struct table t;
	char name[64];
	unsigned c, k;
	int row;

	table_init(&t, 9, keys, titles);
	t.sep = " ";
	for (c = 0; c < 9; c++)
		table_align(&t, c, widths[c], c == 0);
	for (blk = 0; blk < total; blk++) {
		const struct diff_cell *cell = &d->cell[blk * 2];
		if (cell[0].start > cell[0].end && cell[1].start > cell[1].end)
			continue;
		if ((max_blocks && shown == max_blocks) || (row = table_add_row(&t)) < 0)
			break;
		shown++;
		table_put_str(&t, (unsigned)row, 0, block_name(d, blk, name, sizeof name));
		for (k = 0; k < 2; k++) {
			if (cell[k].start <= cell[k].end) {
				table_put(&t, (unsigned)row, 1 + 2 * k, TABLE_INT, (double)cell[k].start);
				table_put(&t, (unsigned)row, 2 + 2 * k, TABLE_INT, (double)cell[k].end);
			}
			table_put(&t, (unsigned)row, 5 + k, TABLE_COUNT, (double)cell[k].busy[DIFF_MAC]);
			table_put(&t, (unsigned)row, 7 + k, TABLE_COUNT, (double)cell[k].busy[DIFF_VEC]);
		}
	}
	table_print(&t, TABLE_TEXT, f);
	table_free(&t);
	if (blk < total)
		fprintf(f, "... %llu blocks more: --format csv or json lists them all\n",
		    (unsigned long long)(total - blk));
}

void
diff_print_text(const struct diff *d, double tol_pct, unsigned max_blocks, FILE *f)
{
	struct diff_metric m[DIFF_METRICS_MAX];
	unsigned n = diff_metrics(d, m), k;
	char desc[640], g[4][NUM_TEXT_MAX], name[64];
	double sp = diff_speedup(d);
	int64_t first = diff_first_divergence(d, tol_pct);

	for (k = 0; k < 2; k++) {
		describe_side(&d->s[k], desc, sizeof desc);
		fprintf(f, "%c  %s: %s\n", 'A' + k, d->s[k].path, desc);
	}
	if (isinf(sp) || sp == 0)
		fprintf(f, "%c takes no time, %c takes %s cycles\n", sp == 0 ? 'A' : 'B',
		    sp == 0 ? 'B' : 'A', num_group(d->s[sp == 0].st.makespan, g[0]));
	else if (sp >= 1)
		fprintf(f, "B is %.3fx as fast as A (%.1f%% less time)\n", sp, 100.0 * (1 - 1 / sp));
	else
		fprintf(f, "B is %.3fx as fast as A (%.1f%% more time)\n", sp, 100.0 * (1 / sp - 1));
	for (k = 0; k < 2; k++)
		fprintf(f, "%c bound by %s: %s cycles, efficiency %.1f%%\n", 'A' + k,
		    d->s[k].bound.term[d->s[k].bound.by].name, num_group(d->s[k].bound.cycles, g[0]),
		    100.0 * d->s[k].bound.efficiency);
	fputc('\n', f);
	print_metrics(m, n, f);
	fputc('\n', f);
	print_ops(d, f);
	fprintf(f, "\naligned %s; K and V transfers by head\n", rule_text(d, desc, sizeof desc));
	if (first < 0) {
		fprintf(f, "first divergence: none (every block completes within %g%%)\n", tol_pct);
	} else {
		const struct diff_cell *a = &d->cell[first * 2], *b = &d->cell[first * 2 + 1];
		fprintf(f, "first divergence: %s: A runs it %s-%s, B %s-%s\n",
		    block_name(d, (uint64_t)first, name, sizeof name),
		    a->start <= a->end ? num_group(a->start, g[0]) : "-",
		    a->start <= a->end ? num_group(a->end, g[1]) : "-",
		    b->start <= b->end ? num_group(b->start, g[2]) : "-",
		    b->start <= b->end ? num_group(b->end, g[3]) : "-");
	}
	print_blocks(d, max_blocks, f);
	if (d->s[0].unaligned || d->s[1].unaligned)
		fprintf(f, "note: %llu of A's and %llu of B's instructions name a batch "
		    "or head outside the workload and are not aligned\n", (unsigned long long)d->s[0].unaligned,
		    (unsigned long long)d->s[1].unaligned);
	fprintf(f, "\n%s\n", diff_equivalent(d, tol_pct) ? "equivalent" : "different");
}

static void
json_cell(const struct diff_cell *c, FILE *f)
{
	unsigned k;

	if (c->start > c->end) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"start\": %llu, \"end\": %llu", (unsigned long long)c->start,
	    (unsigned long long)c->end);
	for (k = 0; k < DIFF_NCLASSES; k++)
		fprintf(f, ", \"%s\": %llu", class_names[k], (unsigned long long)c->busy[k]);
	fputc('}', f);
}

void
diff_print_json(const struct diff *d, double tol_pct, FILE *f)
{
	struct diff_metric m[DIFF_METRICS_MAX];
	struct op_row rows[DIFF_NCLASSES * ISA_NOPS];
	unsigned n = diff_metrics(d, m), i, k;
	int64_t first = diff_first_divergence(d, tol_pct);
	uint64_t blk, b, h, r0, r1, total = d->nheads * d->nblk;
	char buf[256];
	bool comma = false;

	fputs("{\n", f);
	for (k = 0; k < 2; k++) {
		const struct diff_side *s = &d->s[k];
		fprintf(f, "  \"%c\": {\"path\": ", 'a' + k);
		json_string(f, s->path);
		fputs(", \"scheduler\": ", f);
		json_string(f, s->h.sched);
		fputs(", \"tiling\": ", f);
		json_string(f, s->h.tiling);
		fputs(", \"npu\": ", f);
		json_string(f, s->h.npu.name);
		fputs(", \"workload\": ", f);
		json_string(f, s->h.wl.name);
		fprintf(f, ", \"bound_by\": \"%s\"},\n", s->bound.term[s->bound.by].name);
	}
	/* JSON has no infinity: B taking no time where A takes some is null */
	if (isinf(diff_speedup(d)))
		fputs("  \"speedup\": null,\n", f);
	else
		fprintf(f, "  \"speedup\": %.6f,\n", diff_speedup(d));
	fprintf(f, "  \"equivalent\": %s,\n  \"tolerance\": %g,\n",
	    diff_equivalent(d, tol_pct) ? "true" : "false", tol_pct);
	fputs("  \"metrics\": [\n", f);
	for (i = 0; i < n; i++) {
		char fa[32], fb[32], fc[32];
		fprintf(f, "    {\"section\": \"%s\", \"name\": \"%s\", \"unit\": \"%s\", \"a\": %s, "
		    "\"b\": %s, \"diff\": %s}%s\n", m[i].section, m[i].name, m[i].unit,
		    figure(&m[i], m[i].v[0], fa), figure(&m[i], m[i].v[1], fb),
		    figure(&m[i], m[i].v[1] - m[i].v[0], fc), i + 1 < n ? "," : "");
	}
	fputs("  ],\n  \"ops\": [\n", f);
	k = op_rows(d, rows);
	for (i = 0; i < k; i++) {
		const struct diff_op *o = &d->op[rows[i].c][rows[i].op];
		fprintf(f,
		    "    {\"unit\": \"%s\", \"op\": \"%s\", \"count_a\": %llu, "
		    "\"count_b\": %llu, \"cycles_a\": %llu, \"cycles_b\": %llu}%s\n",
		    class_names[rows[i].c], isa_op_name(rows[i].op),
		    (unsigned long long)o->count[0], (unsigned long long)o->count[1],
		    (unsigned long long)o->cycles[0], (unsigned long long)o->cycles[1],
		    i + 1 < k ? "," : "");
	}
	fprintf(f, "  ],\n  \"alignment\": {\"rows\": %u, \"rule\": ", d->gran);
	json_string(f, rule_text(d, buf, sizeof buf));
	fputs(", \"first_divergence\": ", f);
	if (first < 0)
		fputs("null", f);
	else
		json_string(f, block_name(d, (uint64_t)first, buf, sizeof buf));
	fputs(",\n    \"blocks\": [\n", f);
	for (blk = 0; blk < total; blk++) {
		const struct diff_cell *a = &d->cell[blk * 2], *c = &d->cell[blk * 2 + 1];
		if (a->start > a->end && c->start > c->end)
			continue;
		block_rows(d, blk, &b, &h, &r0, &r1);
		fprintf(f, "%s      {\"batch\": %llu, \"head\": %llu, ", comma ? ",\n" : "",
		    (unsigned long long)b, (unsigned long long)h);
		if (r0 == UINT64_MAX)
			fputs("\"rows\": \"k,v\"", f);
		else
			fprintf(f, "\"row0\": %llu, \"rows\": %llu", (unsigned long long)r0,
			    (unsigned long long)(r1 - r0));
		fputs(", \"a\": ", f);
		json_cell(a, f);
		fputs(", \"b\": ", f);
		json_cell(c, f);
		fputc('}', f);
		comma = true;
	}
	fputs("\n    ]\n  }\n}\n", f);
}

void
diff_print_csv(const struct diff *d, double tol_pct, FILE *f)
{
	struct diff_metric m[DIFF_METRICS_MAX];
	struct op_row rows[DIFF_NCLASSES * ISA_NOPS];
	unsigned n = diff_metrics(d, m), i, k;
	uint64_t blk, total = d->nheads * d->nblk;
	char name[64];

	(void)tol_pct;
	fputs("kind,name,unit,a,b,diff\n", f);
	for (i = 0; i < n; i++) {
		char a[32], b[32], c[32];
		fprintf(f, "%s,%s,%s,%s,%s,%s\n", m[i].section, m[i].name, m[i].unit,
		    figure(&m[i], m[i].v[0], a), figure(&m[i], m[i].v[1], b),
		    figure(&m[i], m[i].v[1] - m[i].v[0], c));
	}
	k = op_rows(d, rows);
	for (i = 0; i < k; i++) {
		const struct diff_op *o = &d->op[rows[i].c][rows[i].op];
		fprintf(f, "op,%s %s,count,%llu,%llu,%.0f\n", class_names[rows[i].c],
		    isa_op_name(rows[i].op), (unsigned long long)o->count[0], (unsigned long long)o->count[1],
		    (double)o->count[1] - (double)o->count[0]);
		fprintf(f, "op,%s %s,cycles,%llu,%llu,%.0f\n", class_names[rows[i].c],
		    isa_op_name(rows[i].op), (unsigned long long)o->cycles[0],
		    (unsigned long long)o->cycles[1], rows[i].delta);
	}
	for (blk = 0; blk < total; blk++) {
		const struct diff_cell *a = &d->cell[blk * 2], *b = &d->cell[blk * 2 + 1];
		if (a->start > a->end && b->start > b->end)
			continue;
		block_name(d, blk, name, sizeof name);
		fprintf(f, "block,%s end,cycles,", name);
		if (a->start <= a->end)
			fprintf(f, "%llu", (unsigned long long)a->end);
		fputc(',', f);
		if (b->start <= b->end)
			fprintf(f, "%llu", (unsigned long long)b->end);
		fputc(',', f);
		if (a->start <= a->end && b->start <= b->end)
			fprintf(f, "%.0f", (double)b->end - (double)a->end);
		fputc('\n', f);
	}
}

/* ---- the combined Perfetto trace --------------------------------------- */

/* Percent of a side's MAC work done by nanosecond t (bucket resolution). */
static double
done_by(const struct diff_side *s, const uint64_t *pre, double t)
{
	double cycle = t * s->h.npu.clock_mhz / 1e3, b = cycle / (double)s->curve_w;
	uint64_t i = b >= DIFF_CURVE ? DIFF_CURVE : (uint64_t)b;

	return s->macs ? 100.0 * (double)pre[i] / (double)s->macs : 100.0;
}

int
diff_write_perfetto(const struct diff *d, const char *out, struct errbuf *e)
{
	struct export_opts o;
	struct export_counts c;
	enum export_format fmt;
	struct zout *z;
	uint64_t ns[DIFF_CURVE], pre[2][DIFF_CURVE + 1];
	double v[DIFF_CURVE], span;
	bool gzip = false;
	unsigned k, i;

	fmt = export_format_for_path(out, &gzip);
	if (fmt != EXPORT_FMT_PERFETTO && fmt != EXPORT_FMT_UNKNOWN)
		return errbuf_set(e, "%s: the combined trace is a Perfetto trace: name it .pftrace "
		    "(or .pftrace.gz)", out);
	if ((z = zout_open(out, gzip, e)) == NULL)
		return -1;
	export_opts_default(&o);
	o.into = z;
	for (k = 0; k < 2; k++) {
		o.part = k;
		o.label = k == 0 ? "A" : "B";
		if (export_file(d->s[k].path, out, &o, &c, e) != 0) {
			zout_abort(z);
			return -1;
		}
	}
	/* the longer makespan, which both exports have shown fits Perfetto's nanoseconds */
	span = fmax(seconds(&d->s[0], d->s[0].st.makespan), seconds(&d->s[1], d->s[1].st.makespan)) *
	    1e9;
	for (k = 0; k < 2; k++) {
		pre[k][0] = 0;
		for (i = 0; i < DIFF_CURVE; i++)
			pre[k][i + 1] = sat_add(pre[k][i], d->s[k].curve[i]);
	}
	for (i = 0; i < DIFF_CURVE; i++) {
		double t = span * (double)(i + 1) / DIFF_CURVE;
		ns[i] = (uint64_t)t;
		v[i] = done_by(&d->s[0], pre[0], t) - done_by(&d->s[1], pre[1], t);
	}
	if (export_perfetto_series(z, 2, "A - B", "MAC work done, A ahead of B", "%", ns, v,
	    DIFF_CURVE, e) != 0) {
		zout_abort(z);
		return -1;
	}
	return zout_close(z, e);
}
