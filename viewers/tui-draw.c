/* tui-draw: a frame of the timeline: lanes, counters, ruler, marks, legend, the detail line, pop-ups. */
#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "num.h"
#include "tui-int.h"
#include "vtext.h"

enum { PAIR_CLASS = 1, PAIR_TITLE = PAIR_CLASS + VSUM_NCLASSES, PAIR_MARK };

void
tui_colours(struct ui *u)
{
	static const short fg[VSUM_NCLASSES] = {
		COLOR_BLUE, COLOR_CYAN, COLOR_RED, COLOR_YELLOW, COLOR_GREEN, COLOR_MAGENTA,
		COLOR_WHITE,
	};
	unsigned c;

	if (!u->color || !has_colors()) {
		u->color = false;
		return;
	}
	start_color();
	use_default_colors();
	for (c = 0; c < VSUM_NCLASSES; c++)
		init_pair((short)(PAIR_CLASS + c), fg[c], -1);
	init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_MARK, COLOR_YELLOW, -1);
}

/* One cell of a lane: busy share x of class c. */
static void
cell(struct ui *u, int row, int col, double x, enum vsum_class c, bool cursor)
{
	char ch[8] = " ";
	attr_t a = cursor ? A_REVERSE : A_NORMAL;

	if (x > 1e-9 && c < VSUM_NCLASSES) {
		if (u->color && u->utf8)
			snprintf(ch, sizeof ch, "%s", x >= 0.5 ? "\xe2\x96\x88" : "\xe2\x96\x84");
		else
			ch[0] = x >= 0.5 ? vsum_class_letter(c) : (char)(vsum_class_letter(c) |
			    (vsum_class_letter(c) >= 'A' ? 0x20 : 0));
		if (u->color)
			a |= COLOR_PAIR(PAIR_CLASS + c) | (x >= 0.5 ? A_BOLD : A_NORMAL);
	}
	attrset(a);
	mvaddstr(row, col, ch);
	attrset(A_NORMAL);
}

/* A counter row: levels of v / whole as eighths (UTF-8) or tenths (ASCII). */
static void
spark(struct ui *u, int row, const struct vsum *s, bool l1, double whole)
{
	static const char *const bars[] = {
		" ", "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84", "\xe2\x96\x85",
		"\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
	};
	unsigned i;

	for (i = 0; i < u->v.tw; i++) {
		uint64_t a = tview_col_start(&u->v, i), b = tview_col_start(&u->v, i + 1);
		double v = b > a && !(u->live && a >= u->head) ? (l1 ? vsum_l1(s, a, b) :
		    vsum_dram(s, a, b)) : 0;
		double x = whole > 0 ? v / whole : 0;
		/* L1 beyond capacity means spills: '*'; DRAM stops at full */
		char ch[8] = { vtext_tenths(v, whole, l1), '\0' };
		if (u->utf8 && ch[0] >= '0' && ch[0] <= '9')
			snprintf(ch, sizeof ch, "%s", bars[1 + (x >= 1 ? 7 : (int)(x * 8))]);
		mvaddstr(row, LABEL + (int)i, ch);
	}
}

static void
title_of(const struct vsum *s, const char *path, char *buf, size_t len)
{
	char g[NUM_TEXT_MAX];

	snprintf(buf, len, "%s: %s on %s, %s [%s] %s, %s cycles", path, s->h.sched[0] ?
	    s->h.sched : "trace", s->h.npu.name, s->h.wl.name, s->h.tiling,
	    s->replayed ? "replayed" : "planned", num_group(s->span, g));
}

static void
draw_ruler(struct ui *u, int row)
{
	char a[48], b[48], g[NUM_TEXT_MAX];
	unsigned k;

	for (k = 0; k < u->v.tw; k++)	/* not ACS: terminals disagree on it more than on UTF-8 */
		mvaddstr(row, LABEL + (int)k, u->utf8 ? "\xe2\x94\x80" : "-");
	snprintf(a, sizeof a, "%.3f us", tui_us_of(u, u->v.t0));
	snprintf(b, sizeof b, "%.3f us", tui_us_of(u, u->v.t1));
	mvaddstr(row, LABEL, a);
	if (strlen(a) + strlen(b) + 2 < u->v.tw)
		mvaddstr(row, LABEL + (int)(u->v.tw - strlen(b)), b);
	mvprintw(row, 0, "%-*s", LABEL - 1, num_group(u->v.t1 - u->v.t0, g));
	for (k = 0; k < 2; k++)
		if (u->mark_set[k] && u->mark[k] >= u->v.t0 && u->mark[k] < u->v.t1) {
			if (u->color)
				attrset(COLOR_PAIR(PAIR_MARK) | A_BOLD);
			mvaddch(row, LABEL + (int)tview_col_of(&u->v, u->mark[k]), k == 0 ? 'A' : 'B');
			attrset(A_NORMAL);
		}
	/* the cursor's column in reverse video, over whatever the ruler has there */
	mvchgat(row, LABEL + (int)tview_col_of(&u->v, u->v.cur), 1, A_REVERSE, 0, NULL);
}

static int
draw_trace(struct ui *u, unsigned t, int row)
{
	struct tv *v = &u->tv[t];
	const struct vsum *s = v->s;
	const struct npu *np = &s->h.npu;
	size_t cells = (size_t)s->nlanes * u->v.tw * VSUM_NCLASSES;
	double *busy = NULL;
	unsigned l, i, c, sel_t, sel_l, cur = tview_col_of(&u->v, u->v.cur);
	char name[8];
	bool fine;

	tui_lane_at(u, u->sel, &sel_t, &sel_l);
	/* finer than the summary's buckets: the instructions themselves, when the trace can seek */
	fine = (u->v.t1 - u->v.t0) < (uint64_t)u->v.tw * s->w / 2 && !v->no_seek;
	if (fine && v->fine != NULL && v->fine_t0 == u->v.t0 && v->fine_t1 == u->v.t1 &&
	    v->fine_tw == u->v.tw) {
		busy = v->fine;		/* the same window as the last frame */
	} else if (fine) {
		free(v->fine);
		v->fine = NULL;
		fine = (busy = calloc(cells, sizeof *busy)) != NULL && tui_exact(u, t, busy);
		if (fine) {
			v->fine = busy;
			v->fine_t0 = u->v.t0;
			v->fine_t1 = u->v.t1;
			v->fine_tw = u->v.tw;
		} else {
			free(busy);
			busy = NULL;
		}
	}
	v->first_row = (unsigned)row;
	for (l = 0; l < s->nlanes; l++, row++) {
		enum vsum_class top;
		uint64_t end = u->live && u->head < u->v.t1 ? u->head : u->v.t1;
		double share = end > u->v.t0 ? vsum_lane_busy(s, l, u->v.t0, end, &top) : 0;
		bool me = sel_t == t && sel_l == l;
		isa_unit_name(s->lane[l].unit, name, sizeof name);
		if (me)
			attrset(A_REVERSE);
		mvprintw(row, 0, "%c%-5s %5.1f%%", u->n > 1 ? 'A' + (int)t : ' ', name, 100.0 * share);
		attrset(A_NORMAL);
		for (i = 0; i < u->v.tw; i++) {
			uint64_t a = tview_col_start(&u->v, i), b = tview_col_start(&u->v, i + 1);
			double x = 0, best = 0;
			top = VSUM_NCLASSES;
			if (fine) {
				const double *p = &busy[((size_t)l * u->v.tw + i) * VSUM_NCLASSES];
				for (c = 0; c < VSUM_NCLASSES; c++) {
					x += p[c];
					if (p[c] > best) {
						best = p[c];
						top = (enum vsum_class)c;
					}
				}
			} else if (b > a && !(u->live && a >= u->head)) {
				x = vsum_lane_busy(s, l, a, b, &top);	/* --live: nothing past the head */
			}
			cell(u, row, LABEL + (int)i, x, top, i == cur && me);
		}
	}
	mvaddstr(row, 0, " marks");
	for (i = 0; i < u->v.tw; i++) {
		uint64_t a = tview_col_start(&u->v, i), b = tview_col_start(&u->v, i + 1);
		bool spill, barrier;
		if (u->live && a >= u->head)
			break;
		if (b <= a)
			b = a + 1;
		spill = vsum_marked(s, VSUM_MARK_SPILL, a, b);
		barrier = !spill && vsum_marked(s, VSUM_MARK_BARRIER, a, b);
		if (spill && u->color)
			attrset(COLOR_PAIR(PAIR_CLASS + VSUM_SPILL) | A_BOLD);
		if (spill || barrier)
			mvaddch(row, LABEL + (int)i, spill ? '!' : '|');
		attrset(A_NORMAL);
	}
	row++;
	mvaddstr(row, 0, " l1");
	spark(u, row++, s, true, (double)s->l1_capacity);
	mvaddstr(row, 0, " dram");
	spark(u, row++, s, false, np->dram.bandwidth_gbs * 1e3 / np->clock_mhz);
	return row;
}

static void
draw_detail(struct ui *u, int row)
{
	const struct isa_instr *in = &u->found;
	const struct tv *v = &u->tv[u->found_tv];
	char unit[8];

	move(row, 0);
	clrtoeol();
	move(row + 1, 0);
	clrtoeol();
	if (!u->have) {
		mvaddstr(row, 0, u->live ? "live: instructions are looked up in a trace file "
		    "(mastrace schedule, replay, then view it)" : u->tv[0].no_seek ?
		    "no instruction look-up: the trace has no index (convert it to .mtr)" :
		    "nothing on this lane at or after the cursor");
		return;
	}
	isa_unit_name(in->unit, unit, sizeof unit);
	mvprintw(row, 0, "%sid %llu %s %s b%u h%u rows %u+ cols %u+ m=%u n=%u k=%u bytes %llu",
	    u->under ? "" : "next: ", (unsigned long long)in->id, unit, isa_op_name(in->op), in->b,
	    in->h, in->rb, in->cb, in->m, in->n, in->k, (unsigned long long)in->bytes);
	if (v->s->replayed) {
		mvprintw(row + 1, 0,
		    "plan %llu-%llu  replayed %llu-%llu  stall %llu cycles, cause %s",
		    (unsigned long long)in->plan_start, (unsigned long long)in->plan_end,
		    (unsigned long long)in->rep_start, (unsigned long long)in->rep_end,
		    (unsigned long long)in->stall, isa_cause_name(in->cause));
		if (isa_cause_names_producer(in->cause))
			printw(" (waited for id %llu)", (unsigned long long)in->stall_on);
		printw("  deps %u", in->ndeps);
	} else
		mvprintw(row + 1, 0, "plan %llu-%llu  deps %u", (unsigned long long)in->plan_start,
		    (unsigned long long)in->plan_end, in->ndeps);
}

static void
popup(struct ui *u, int rows, int cols)
{
	static const char *const help[] = {
		"Left/Right h/l   move the cursor (the window follows)",
		"H/L PgUp/PgDn    pan half a window",
		"+ -              zoom in and out around the cursor",
		"0                fit the whole trace",
		"g G              start / end",
		"Tab Down / Up    next / previous lane",
		"Enter            the instruction under the cursor",
		"/ n N            search (op, unit, b=, h=, rb=, cb=); next, previous",
		"c                along the critical path: what it waited for",
		"o                the same tile in the other trace",
		"m M              set marker A, marker B (time between them below)",
		"space [ ]        --live: pause and resume; slower, faster",
		"?                this help;  q  quit",
		"mouse            click a lane to put the cursor there",
	};
	char line[256], unit[8];
	int h, w = cols - 4, r0, i, n = 0;
	const struct isa_instr *in = &u->found;

	h = u->popup == POP_HELP ? (int)ARRAY_LEN(help) + 4 : 12;
	if (h > rows - 2)
		h = rows - 2;
	r0 = (rows - h) / 2;
	for (i = 0; i < h; i++) {
		move(r0 + i, 2);
		hline(' ', w);
	}
	attrset(A_BOLD);
	mvaddstr(r0, 4, u->popup == POP_HELP ? "keys (any key closes)" : "instruction (any key closes)");
	attrset(A_NORMAL);
	if (u->popup == POP_HELP) {
		for (i = 0; i < (int)ARRAY_LEN(help) && i + 2 < h - 1; i++)
			mvaddnstr(r0 + 2 + i, 4, help[i], w - 4);
		return;
	}
	if (!u->have) {
		mvaddstr(r0 + 2, 4, "no instruction under the cursor");
		return;
	}
	isa_unit_name(in->unit, unit, sizeof unit);
#define LINE(...) do { snprintf(line, sizeof line, __VA_ARGS__); \
	if (2 + n < h - 1) mvaddnstr(r0 + 2 + n++, 4, line, w - 4); } while (0)
	LINE("id %llu  unit %s  op %s  flags 0x%x", (unsigned long long)in->id, unit, isa_op_name(in->op),
	    in->flags);
	LINE("tile: batch %u head %u rows from %u cols from %u sub-tile %u", in->b, in->h, in->rb,
	    in->cb, in->st);
	LINE("shape m=%u n=%u k=%u  bytes %llu", in->m, in->n, in->k, (unsigned long long)in->bytes);
	LINE("planned %llu-%llu (%llu cycles)", (unsigned long long)in->plan_start,
	    (unsigned long long)in->plan_end,
	    (unsigned long long)(in->plan_end - in->plan_start));
	if (in->replayed)
		LINE("replayed %llu-%llu (%llu cycles), stall %llu cycles, cause %s",
		    (unsigned long long)in->rep_start, (unsigned long long)in->rep_end,
		    (unsigned long long)(in->rep_end - in->rep_start),
		    (unsigned long long)in->stall, isa_cause_name(in->cause));
	if (in->replayed && isa_cause_names_producer(in->cause))
		LINE("it waited for id %llu (c goes there)", (unsigned long long)in->stall_on);
	{
		char deps[200];
		size_t k = 0;
		unsigned d;
		deps[0] = '\0';
		for (d = 0; d < in->ndeps && k + 24 < sizeof deps; d++)
			k += (size_t)snprintf(deps + k, sizeof deps - k, "%s%llu", d ? "," : "",
			    (unsigned long long)in->deps[d]);
		LINE("dependencies: %s", in->ndeps ? deps : "none");
	}
	for (i = 0; i < in->nsrc; i++)
		LINE("src %s:%llu+%llu (%s)", isa_buf_name(in->src[i].buf),
		    (unsigned long long)in->src[i].addr, (unsigned long long)in->src[i].size,
		    isa_tensor_name(in->src[i].tensor));
	for (i = 0; i < in->ndst; i++)
		LINE("dst %s:%llu+%llu (%s)", isa_buf_name(in->dst[i].buf),
		    (unsigned long long)in->dst[i].addr, (unsigned long long)in->dst[i].size,
		    isa_tensor_name(in->dst[i].tensor));
#undef LINE
}

/* What the colours (or letters) of the lanes mean, where the screen has a row for it. */
static void
legend(struct ui *u, int row)
{
	unsigned c;

	move(row, 0);
	for (c = 0; c < VSUM_NCLASSES; c++) {
		if (u->color)
			attrset(COLOR_PAIR(PAIR_CLASS + c) | A_BOLD);
		if (u->color && u->utf8)
			addstr("\xe2\x96\x88");
		else
			addch((chtype)(unsigned char)vsum_class_letter((enum vsum_class)c));
		attrset(A_NORMAL);
		printw(" %s  ", vsum_class_name((enum vsum_class)c));
	}
	addstr("| barrier  ! spill");
}

void
tui_draw(struct ui *u)
{
	int rows = LINES, cols = COLS, row = 0, need;
	char buf[512], g[2][NUM_TEXT_MAX];
	unsigned t;

	erase();
	need = 5 + (int)tui_total_lanes(u) + 3 * (int)u->n + (u->n > 1 ? 2 : 0);
	if (cols < MIN_COLS || rows < need) {
		mvprintw(0, 0, "mastrace view: the terminal is %dx%d; it needs %dx%d (q quits)", cols,
		    rows, MIN_COLS, need);
		refresh();
		return;
	}
	u->v.tw = (unsigned)(cols - LABEL);
	tview_clamp(&u->v);
	if (u->color)
		attrset(COLOR_PAIR(PAIR_TITLE));
	move(0, 0);
	hline(' ', cols);
	if (u->n == 1) {
		title_of(u->tv[0].s, u->tv[0].path, buf, sizeof buf);
	} else {
		double ra = (double)u->tv[0].s->span / u->tv[0].s->h.npu.clock_mhz;
		double rb = (double)u->tv[1].s->span / u->tv[1].s->h.npu.clock_mhz;
		snprintf(buf, sizeof buf, "A %s (%s cycles) against B %s (%s cycles): B/A = %.3f",
		    u->tv[0].s->h.sched, num_group(u->tv[0].s->span, g[0]), u->tv[1].s->h.sched,
		    num_group(u->tv[1].s->span, g[1]), ra > 0 ? rb / ra : 0);
	}
	mvaddnstr(0, 0, buf, cols);
	attrset(A_NORMAL);
	row = 1;
	draw_ruler(u, row++);
	for (t = 0; t < u->n; t++) {
		if (u->n > 1) {
			title_of(u->tv[t].s, u->tv[t].path, buf, sizeof buf);
			attrset(A_BOLD);
			mvprintw(row, 0, "%c ", 'A' + (int)t);
			addnstr(buf, cols - 2);
			attrset(A_NORMAL);
			row++;
		}
		row = draw_trace(u, t, row);
	}
	/* the window's figures, --live's play head first */
	move(row, 0);
	if (u->live) {
		bool done;
		pthread_mutex_lock(&u->live->mu);
		done = u->live->done;
		pthread_mutex_unlock(&u->live->mu);
		printw("live %s at %s/s%s  ", num_group(u->head, g[0]),
		    num_group((uint64_t)u->speed, g[1]), u->paused ? " paused" :
		    done && u->head >= u->v.span ? " done" : "");
	}
	snprintf(buf, sizeof buf, "cursor %s cycles (%.3f us)  window %s cycles", num_group(u->v.cur,
	    g[0]), tui_us_of(u, u->v.cur), num_group(u->v.t1 - u->v.t0, g[1]));
	addnstr(buf, cols);
	if (u->tv[0].s->overlap_known)
		printw("  MAC||VEC %.1f%%", 100.0 * vsum_overlap(u->tv[0].s, u->v.t0, u->live &&
		    u->head < u->v.t1 ? (u->head > u->v.t0 ? u->head : u->v.t0 + 1) : u->v.t1));
	if (u->n > 1 && u->tv[1].s->overlap_known)
		printw(" (B %.1f%%)", 100.0 * vsum_overlap(u->tv[1].s, u->v.t0, u->v.t1));
	if (u->mark_set[0] && u->mark_set[1])
		printw("  B-A %s cycles", num_group(u->mark[1] > u->mark[0] ? u->mark[1] - u->mark[0] :
		    u->mark[0] - u->mark[1], g[0]));
	row++;
	draw_detail(u, row);
	row += 2;
	if (row < rows - 1)
		legend(u, row);
	move(rows - 1, 0);
	clrtoeol();
	if (u->msg[0] != '\0')
		mvaddnstr(rows - 1, 0, u->msg, cols);
	else
		mvaddnstr(rows - 1, 0, "h/l move  +/- zoom  0 fit  Tab lane  Enter details  / search  "
		    "c path  m/M marks  ? help  q quit", cols);
	if (u->popup)
		popup(u, rows, cols);
	refresh();
}

