/* vtext: the plain-text timeline, for pipes, logs and CI. */
#include "config.h"

#include <string.h>

#include "num.h"
#include "vtext.h"

#define LABEL 12	/* "dma12 100.0%" */

/* The first cycle of column i of `width` over [t0, t1). */
static uint64_t
col_start(uint64_t t0, uint64_t t1, unsigned width, unsigned i)
{
	return t0 + (uint64_t)((unsigned __int128)(t1 - t0) * i / width);
}

/*
 * 0-9 for tenths of a level, '*' above the whole when `over` (L1 beyond its
 * capacity means spills); DRAM rates spread evenly over each transfer can
 * pass the peak where the replay shared it unevenly, so they stop at 9.
 */
char
vtext_tenths(double v, double whole, bool over)
{
	double x = whole > 0 ? v / whole : 0;

	if (x <= 0)
		return ' ';
	if (x > 1.0 + 1e-9 && over)
		return '*';
	return (char)('0' + (x >= 1 ? 9 : (int)(x * 10)));
}

static void
ruler(const struct vsum *s, unsigned width, uint64_t t0, uint64_t t1, FILE *f)
{
	char a[NUM_TEXT_MAX], b[NUM_TEXT_MAX], m[NUM_TEXT_MAX], line[10200];
	uint64_t mid = t0 + (t1 - t0) / 2;
	size_t la, lb, lm;

	(void)s;
	num_group(t0, a);
	num_group(t1, b);
	num_group(mid, m);
	la = strlen(a);
	lb = strlen(b);
	lm = strlen(m);
	memset(line, ' ', width);
	line[width] = '\0';
	if (la <= width)
		memcpy(line, a, la);
	if (lb + la + 1 <= width)
		memcpy(line + width - lb, b, lb);
	if (la + lm + lb + 4 <= width)
		memcpy(line + width / 2 - lm / 2, m, lm);
	fprintf(f, "%-*s |%s| cycles\n", LABEL, "", line);
}

void
vtext_print(const struct vsum *s, const char *name, unsigned width, uint64_t t0, uint64_t t1,
    FILE *f)
{
	const struct npu *n = &s->h.npu;
	double dram_peak = n->dram.bandwidth_gbs * 1e3 / n->clock_mhz;	/* bytes per cycle */
	char row[10200], unit[8], g[4][NUM_TEXT_MAX];
	enum vsum_class top;
	unsigned l, i, c;
	bool seen[VSUM_NCLASSES] = { false };

	if (width > sizeof row - 1)
		width = sizeof row - 1;
	if (t1 <= t0)
		t1 = t0 + 1;
	fprintf(f, "%s: %s on %s, %s%s%s%s (%s)\n", name, s->h.sched[0] ? s->h.sched : "trace",
	    n->name, s->h.wl.name, s->h.tiling[0] ? " [" : "", s->h.tiling, s->h.tiling[0] ? "]" : "",
	    s->replayed ? "replayed" : "planned");
	fprintf(f, "%s instructions, makespan %s cycles (%.3f us at %u MHz); window %s-%s, "
	    "%.1f cycles per column\n\n", num_group(s->instructions, g[0]), num_group(s->span, g[1]),
	    (double)s->span / n->clock_mhz, (unsigned)n->clock_mhz, num_group(t0, g[2]),
	    num_group(t1, g[3]), (double)(t1 - t0) / width);
	ruler(s, width, t0, t1, f);
	for (l = 0; l < s->nlanes; l++) {
		double busy = vsum_lane_busy(s, l, t0, t1, &top);
		for (i = 0; i < width; i++) {
			uint64_t a = col_start(t0, t1, width, i), b = col_start(t0, t1, width, i + 1);
			double x = b > a ? vsum_lane_busy(s, l, a, b, &top) : 0;
			char ch = vsum_class_letter(top);
			if (x <= 1e-9 || top == VSUM_NCLASSES) {
				row[i] = ' ';
				continue;
			}
			seen[top] = true;
			/* capitals: busy at least half the column */
			row[i] = x >= 0.5 || ch < 'A' ? ch : (char)(ch - 'A' + 'a');
		}
		row[width] = '\0';
		isa_unit_name(s->lane[l].unit, unit, sizeof unit);
		fprintf(f, "%-5s %5.1f%% |%s|\n", unit, 100.0 * busy, row);
	}
	for (i = 0; i < width; i++) {
		uint64_t a = col_start(t0, t1, width, i), b = col_start(t0, t1, width, i + 1);
		row[i] = vsum_marked(s, VSUM_MARK_SPILL, a, b > a ? b : a + 1) ? '!' :
		    vsum_marked(s, VSUM_MARK_BARRIER, a, b > a ? b : a + 1) ? '|' : ' ';
	}
	row[width] = '\0';
	fprintf(f, "%-*s |%s| ! spill or fill, | barrier\n", LABEL, "marks", row);
	for (i = 0; i < width; i++) {
		uint64_t a = col_start(t0, t1, width, i), b = col_start(t0, t1, width, i + 1);
		row[i] = b > a ? vtext_tenths(vsum_l1(s, a, b), (double)s->l1_capacity, true) : ' ';
	}
	row[width] = '\0';
	fprintf(f, "%-*s |%s| L1 resident, tenths of %s bytes\n", LABEL, "l1", row,
	    num_group(s->l1_capacity, g[0]));
	for (i = 0; i < width; i++) {
		uint64_t a = col_start(t0, t1, width, i), b = col_start(t0, t1, width, i + 1);
		row[i] = b > a ? vtext_tenths(vsum_dram(s, a, b), dram_peak, false) : ' ';
	}
	row[width] = '\0';
	fprintf(f, "%-*s |%s| DRAM bandwidth, tenths of %.4g GB/s\n", LABEL, "dram", row,
	    n->dram.bandwidth_gbs);
	if (s->overlap_known)
		fprintf(f, "\nMAC and VEC both busy %.1f%% of the window", 100.0 * vsum_overlap(s, t0,
		    t1));
	else
		fprintf(f, "\nMAC and VEC overlap unknown (a unit's instructions overlap in time)");
	fprintf(f, "; %s spills, %s fills\n", num_group(s->spills, g[0]), num_group(s->fills, g[1]));
	fputs("legend:", f);
	for (c = 0; c < VSUM_NCLASSES; c++)
		if (seen[c])
			fprintf(f, " %c %s", vsum_class_letter((enum vsum_class)c),
			    vsum_class_name((enum vsum_class)c));
	fputs("; lower case: busy under half the column; L1 and DRAM rows: tenths of the "
	    "capacity, * L1 above it\n", f);
}
