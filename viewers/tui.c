/* tui: the interactive timeline in a terminal; the only code that includes curses. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <pthread.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "eval.h"
#include "num.h"
#include "trace-file.h"
#include "tui.h"
#include "vtext.h"

#define LABEL 14		/* "dma12 100.0% " and a space */
#define MIN_COLS 60
#define SCAN_PAST 2048		/* instructions past a window that end a scan of it */
#define SCAN_MAX (1u << 20)	/* instructions a look-up reads at most */

/* --live: the replay on a thread, its summary built as it goes (see live_step()). */
struct live {
	pthread_mutex_t mu;
	struct vsum sum;		/* built by the replay's observer, under mu */
	bool done, cancel, failed;
	struct errbuf err;
	uint64_t planned;		/* the plan's makespan: the axis until the replay passes it */
	struct eval_spec spec;
	struct eval_result res;
	struct vsum view;		/* the snapshot drawn */
	bool have_view;
	pthread_t thread;
	bool started;
	double last;			/* wall-clock seconds at the last frame */
};

/* One trace on the screen. */
struct tv {
	struct vsum *s;
	const char *path;
	struct trace_reader *r;		/* opened on first use, for look-ups and deep zooms */
	bool no_seek;			/* its format has no index: the summary alone */
	unsigned first_row;		/* of its first lane, in the last frame */
	/* the instructions of the last fine window, kept while the window stays */
	double *fine;
	uint64_t fine_t0, fine_t1;
	unsigned fine_tw;
};

struct ui {
	struct tv tv[2];
	unsigned n;
	uint64_t span, t0, t1, cur;	/* cycles: the longer makespan, the window, the cursor */
	unsigned sel;			/* selected lane, counting A's lanes then B's */
	bool mark_set[2];
	uint64_t mark[2];
	char query[64];
	char msg[ERRBUF_SIZE + 64];
	int popup;			/* 0, POP_HELP, POP_DETAILS */
	bool have;			/* `found` is the instruction under the cursor */
	bool under;			/* it runs at the cursor (else it is the next on its lane) */
	struct isa_instr found;
	unsigned found_tv;
	bool utf8, color, mouse;
	bool quit;
	/* --live: the play head, its speed in cycles per second, and whether the view follows it */
	struct live *live;
	uint64_t head;
	double speed;
	bool paused, follow;
	uint64_t looked_cur;		/* look_up()'s cursor and lane, to skip it when unchanged */
	unsigned looked_sel;
	bool looked;
	unsigned tw;			/* timeline columns in the last frame */
};

enum { POP_HELP = 1, POP_DETAILS };

/* ---- the terminal, restored whatever happens ---------------------------- */

static volatile sig_atomic_t stop_signal;
static struct termios saved_tio;
static int saved_tio_ok;
static const char *leave_seq;		/* rmcup and cnorm, found before curses starts */
static size_t leave_len;
static char leave_buf[128];

static void
on_stop(int sig)
{
	stop_signal = sig;
}

/* A fatal signal: put the terminal back with async-signal-safe calls, then die of it. */
static void
on_fatal(int sig)
{
	if (saved_tio_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	if (leave_len > 0 && write(STDOUT_FILENO, leave_seq, leave_len) < 0)
		leave_len = 0;	/* nothing more to do: the process is dying */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
catch_signals(bool on)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;
	unsigned i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on ? on_stop : SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on ? on_fatal : SIG_DFL;
	for (i = 0; i < ARRAY_LEN(fatal); i++)
		sigaction(fatal[i], &sa, NULL);
}

/* The sequences that leave the alternate screen and show the cursor, for on_fatal(). */
static void
remember_leave(void)
{
	const char *caps[] = { "rmcup", "cnorm", "sgr0" };
	size_t n = 0, k;
	unsigned i;

	for (i = 0; i < 3; i++) {
		char *v = tigetstr((char *)caps[i]);
		if (v == NULL || v == (char *)-1)
			continue;
		k = strlen(v);
		if (n + k >= sizeof leave_buf)
			break;
		memcpy(leave_buf + n, v, k);
		n += k;
	}
	leave_seq = leave_buf;
	leave_len = n;
}

/* ---- times, lanes, columns ------------------------------------------------ */

static unsigned
total_lanes(const struct ui *u)
{
	return u->tv[0].s->nlanes + (u->n > 1 ? u->tv[1].s->nlanes : 0);
}

static void
lane_at(const struct ui *u, unsigned sel, unsigned *t, unsigned *l)
{
	*t = sel < u->tv[0].s->nlanes ? 0 : 1;
	*l = *t == 0 ? sel : sel - u->tv[0].s->nlanes;
}

static uint64_t
col_start(const struct ui *u, unsigned i)
{
	return u->t0 + (uint64_t)((unsigned __int128)(u->t1 - u->t0) * i / u->tw);
}

static unsigned
col_of(const struct ui *u, uint64_t t)
{
	if (t <= u->t0)
		return 0;
	if (t >= u->t1)
		return u->tw - 1;
	return (unsigned)((unsigned __int128)(t - u->t0) * u->tw / (u->t1 - u->t0));
}

static double
us_of(const struct ui *u, uint64_t cycles)
{
	return (double)cycles / u->tv[0].s->h.npu.clock_mhz;
}

/* Keep the window inside [0, span] and at least a cycle per column, the cursor inside it. */
static void
clamp(struct ui *u)
{
	uint64_t w = u->t1 > u->t0 ? u->t1 - u->t0 : 1;

	if (w < u->tw)
		w = u->tw;
	if (w > u->span)
		w = u->span;
	if (u->t0 + w > u->span)
		u->t0 = u->span - w;
	u->t1 = u->t0 + w;
	if (u->cur < u->t0)
		u->cur = u->t0;
	if (u->cur >= u->t1)
		u->cur = u->t1 - 1;
}

/* ---- reading the traces ------------------------------------------------- */

static struct trace_reader *
reader(struct ui *u, unsigned t, struct errbuf *e)
{
	struct tv *v = &u->tv[t];
	enum trace_format fmt;

	if (v->r == NULL && trace_open_read(v->path, &v->r, &fmt, e) != 0) {
		v->r = NULL;
		return NULL;
	}
	return v->r;
}

static uint64_t
start_of(const struct tv *v, const struct isa_instr *in)
{
	return v->s->replayed ? in->rep_start : in->plan_start;
}

static uint64_t
end_of(const struct tv *v, const struct isa_instr *in)
{
	return v->s->replayed ? in->rep_end : in->plan_end;
}

static bool
timed(const struct isa_instr *in)
{
	return in->op != ISA_OP_ALLOC && in->op != ISA_OP_FREE && in->op != ISA_OP_OVERWRITE &&
	    in->op != ISA_OP_BARRIER;
}

/*
 * Position trace t before the instructions that run at `cycle`; false (with
 * a message) when it cannot seek, a text trace having no index.
 */
static bool
seek_time(struct ui *u, unsigned t, uint64_t cycle)
{
	struct errbuf e;
	struct trace_reader *r;

	if (u->tv[t].no_seek)
		return false;
	if ((r = reader(u, t, &e)) == NULL || trace_seek_time(r, cycle, &e) != 0) {
		u->tv[t].no_seek = true;
		snprintf(u->msg, sizeof u->msg, "%s", e.msg);
		return false;
	}
	return true;
}

/* The instruction of lane (t, l) running at the cursor, else the first after it. */
static void
look_up(struct ui *u)
{
	unsigned t, l, past = 0, n = 0;
	struct errbuf e;
	const struct isa_instr *in;
	struct tv *v;
	bool any = false;
	uint64_t best = UINT64_MAX;

	if (u->looked && u->looked_cur == u->cur && u->looked_sel == u->sel)
		return;
	u->looked = true;
	u->looked_cur = u->cur;
	u->looked_sel = u->sel;
	u->have = u->under = false;
	if (u->sel >= total_lanes(u))	/* --live: no lanes yet */
		return;
	lane_at(u, u->sel, &t, &l);
	v = &u->tv[t];
	if (!seek_time(u, t, u->cur))
		return;
	while (n++ < SCAN_MAX && past < SCAN_PAST && trace_next(v->r, &in, &e) == 1) {
		uint64_t a = start_of(v, in), b = end_of(v, in);
		past = a > u->cur ? past + 1 : 0;
		if (in->unit != v->s->lane[l].unit || !timed(in) || b <= u->cur)
			continue;
		if (a <= u->cur) {	/* under the cursor */
			isa_copy(&u->found, in);
			any = u->under = true;
			break;
		}
		if (a < best) {		/* else the next on the lane */
			best = a;
			isa_copy(&u->found, in);
			any = true;
		}
	}
	u->have = any;
	u->found_tv = t;
}

/* Every timed instruction over the window, for zooms finer than the summary's buckets. */
static bool
exact(struct ui *u, unsigned t, double *busy /* [lane][col][class] */)
{
	struct tv *v = &u->tv[t];
	const struct isa_instr *in;
	struct errbuf e;
	int lane_of[ISA_NUNITS];
	unsigned l, past = 0, n = 0, i, c;

	if (!seek_time(u, t, u->t0))
		return false;
	memset(lane_of, 0xff, sizeof lane_of);
	for (l = 0; l < v->s->nlanes; l++)
		lane_of[v->s->lane[l].unit] = (int)l;
	while (n++ < SCAN_MAX && past < SCAN_PAST && trace_next(v->r, &in, &e) == 1) {
		uint64_t a = start_of(v, in), b = end_of(v, in);
		past = a >= u->t1 ? past + 1 : 0;
		if (!timed(in) || b <= u->t0 || a >= u->t1 || lane_of[in->unit] < 0)
			continue;
		c = vsum_class_of(in->op);
		for (i = col_of(u, a); i < u->tw; i++) {
			uint64_t x = col_start(u, i), y = col_start(u, i + 1);
			uint64_t lo = a > x ? a : x, hi = b < y ? b : y;
			if (x >= b)
				break;
			if (hi > lo)
				busy[((size_t)lane_of[in->unit] * u->tw + i) * VSUM_NCLASSES + c] +=
				    (double)(hi - lo) / (double)(y > x ? y - x : 1);
		}
	}
	return true;
}

/* ---- drawing ------------------------------------------------------------- */

enum { PAIR_CLASS = 1, PAIR_TITLE = PAIR_CLASS + VSUM_NCLASSES, PAIR_MARK };

static void
colours(struct ui *u)
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

	for (i = 0; i < u->tw; i++) {
		uint64_t a = col_start(u, i), b = col_start(u, i + 1);
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

	for (k = 0; k < u->tw; k++)	/* not ACS: terminals disagree on it more than on UTF-8 */
		mvaddstr(row, LABEL + (int)k, u->utf8 ? "\xe2\x94\x80" : "-");
	snprintf(a, sizeof a, "%.3f us", us_of(u, u->t0));
	snprintf(b, sizeof b, "%.3f us", us_of(u, u->t1));
	mvaddstr(row, LABEL, a);
	if (strlen(a) + strlen(b) + 2 < u->tw)
		mvaddstr(row, LABEL + (int)(u->tw - strlen(b)), b);
	mvprintw(row, 0, "%-*s", LABEL - 1, num_group(u->t1 - u->t0, g));
	for (k = 0; k < 2; k++)
		if (u->mark_set[k] && u->mark[k] >= u->t0 && u->mark[k] < u->t1) {
			if (u->color)
				attrset(COLOR_PAIR(PAIR_MARK) | A_BOLD);
			mvaddch(row, LABEL + (int)col_of(u, u->mark[k]), k == 0 ? 'A' : 'B');
			attrset(A_NORMAL);
		}
	/* the cursor's column in reverse video, over whatever the ruler has there */
	mvchgat(row, LABEL + (int)col_of(u, u->cur), 1, A_REVERSE, 0, NULL);
}

static int
draw_trace(struct ui *u, unsigned t, int row)
{
	struct tv *v = &u->tv[t];
	const struct vsum *s = v->s;
	const struct npu *np = &s->h.npu;
	size_t cells = (size_t)s->nlanes * u->tw * VSUM_NCLASSES;
	double *busy = NULL;
	unsigned l, i, c, sel_t, sel_l, cur = col_of(u, u->cur);
	char name[8];
	bool fine;

	lane_at(u, u->sel, &sel_t, &sel_l);
	/* finer than the summary's buckets: the instructions themselves, when the trace can seek */
	fine = (u->t1 - u->t0) < (uint64_t)u->tw * s->w / 2 && !v->no_seek;
	if (fine && v->fine != NULL && v->fine_t0 == u->t0 && v->fine_t1 == u->t1 &&
	    v->fine_tw == u->tw) {
		busy = v->fine;		/* the same window as the last frame */
	} else if (fine) {
		free(v->fine);
		v->fine = NULL;
		fine = (busy = calloc(cells, sizeof *busy)) != NULL && exact(u, t, busy);
		if (fine) {
			v->fine = busy;
			v->fine_t0 = u->t0;
			v->fine_t1 = u->t1;
			v->fine_tw = u->tw;
		} else {
			free(busy);
			busy = NULL;
		}
	}
	v->first_row = (unsigned)row;
	for (l = 0; l < s->nlanes; l++, row++) {
		enum vsum_class top;
		uint64_t end = u->live && u->head < u->t1 ? u->head : u->t1;
		double share = end > u->t0 ? vsum_lane_busy(s, l, u->t0, end, &top) : 0;
		bool me = sel_t == t && sel_l == l;
		isa_unit_name(s->lane[l].unit, name, sizeof name);
		if (me)
			attrset(A_REVERSE);
		mvprintw(row, 0, "%c%-5s %5.1f%%", u->n > 1 ? 'A' + (int)t : ' ', name, 100.0 * share);
		attrset(A_NORMAL);
		for (i = 0; i < u->tw; i++) {
			uint64_t a = col_start(u, i), b = col_start(u, i + 1);
			double x = 0, best = 0;
			top = VSUM_NCLASSES;
			if (fine) {
				const double *p = &busy[((size_t)l * u->tw + i) * VSUM_NCLASSES];
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
	for (i = 0; i < u->tw; i++) {
		uint64_t a = col_start(u, i), b = col_start(u, i + 1);
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

static void
draw(struct ui *u)
{
	int rows = LINES, cols = COLS, row = 0, need;
	char buf[512], g[2][NUM_TEXT_MAX];
	unsigned t;

	erase();
	need = 5 + (int)total_lanes(u) + 3 * (int)u->n + (u->n > 1 ? 2 : 0);
	if (cols < MIN_COLS || rows < need) {
		mvprintw(0, 0, "mastrace view: the terminal is %dx%d; it needs %dx%d (q quits)", cols,
		    rows, MIN_COLS, need);
		refresh();
		return;
	}
	u->tw = (unsigned)(cols - LABEL);
	clamp(u);
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
		    done && u->head >= u->span ? " done" : "");
	}
	snprintf(buf, sizeof buf, "cursor %s cycles (%.3f us)  window %s cycles", num_group(u->cur,
	    g[0]), us_of(u, u->cur), num_group(u->t1 - u->t0, g[1]));
	addnstr(buf, cols);
	if (u->tv[0].s->overlap_known)
		printw("  MAC||VEC %.1f%%", 100.0 * vsum_overlap(u->tv[0].s, u->t0, u->live &&
		    u->head < u->t1 ? (u->head > u->t0 ? u->head : u->t0 + 1) : u->t1));
	if (u->n > 1 && u->tv[1].s->overlap_known)
		printw(" (B %.1f%%)", 100.0 * vsum_overlap(u->tv[1].s, u->t0, u->t1));
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

/* ---- keys ------------------------------------------------------------------ */

static bool
matches(const struct ui *u, const struct isa_instr *in)
{
	char q[64], unit[8], *tok, *save = NULL;
	uint64_t v;

	snprintf(q, sizeof q, "%s", u->query);
	isa_unit_name(in->unit, unit, sizeof unit);
	for (tok = strtok_r(q, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		if (eq == NULL) {
			if (strcmp(tok, isa_op_name(in->op)) != 0 && strcmp(tok, unit) != 0)
				return false;
			continue;
		}
		*eq = '\0';
		if (strcmp(tok, "op") == 0) {
			if (strcmp(eq + 1, isa_op_name(in->op)) != 0)
				return false;
			continue;
		}
		if (strcmp(tok, "unit") == 0) {
			if (strcmp(eq + 1, unit) != 0)
				return false;
			continue;
		}
		if (num_parse_u64(eq + 1, &v) != 0)
			return false;
		if ((strcmp(tok, "b") == 0 && in->b != v) || (strcmp(tok, "h") == 0 && in->h != v) ||
		    (strcmp(tok, "rb") == 0 && in->rb != v) || (strcmp(tok, "cb") == 0 && in->cb != v) ||
		    (strcmp(tok, "id") == 0 && in->id != v))
			return false;
	}
	return true;
}

static void
go_to(struct ui *u, unsigned t, const struct isa_instr *in)
{
	struct tv *v = &u->tv[t];
	uint64_t a = start_of(v, in), w = u->t1 - u->t0;
	unsigned l;

	for (l = 0; l < v->s->nlanes; l++)
		if (v->s->lane[l].unit == in->unit)
			u->sel = (t == 0 ? 0 : u->tv[0].s->nlanes) + l;
	u->cur = a;
	if (a < u->t0 || a >= u->t1) {
		u->t0 = a > w / 2 ? a - w / 2 : 0;
		u->t1 = u->t0 + w;
	}
	clamp(u);
}

/* Search the trace of the selected lane, forward from the cursor or backward to it. */
static void
search(struct ui *u, bool forward)
{
	unsigned t, l, past = 0, n = 0;
	const struct isa_instr *in;
	struct isa_instr hit;
	struct errbuf e;
	struct tv *v;
	bool any = false;

	if (u->sel >= total_lanes(u))
		return;
	lane_at(u, u->sel, &t, &l);
	v = &u->tv[t];
	if (u->query[0] == '\0') {
		snprintf(u->msg, sizeof u->msg, "no search yet: / starts one");
		return;
	}
	if (!seek_time(u, t, forward ? u->cur : 0))
		return;
	while (n++ < SCAN_MAX * 8 && past < SCAN_PAST && trace_next(v->r, &in, &e) == 1) {
		uint64_t a = start_of(v, in);
		if (!forward)
			past = a >= u->cur ? past + 1 : 0;
		if (!timed(in) || !matches(u, in))
			continue;
		if (forward && a > u->cur) {
			isa_copy(&hit, in);
			any = true;
			break;
		}
		if (!forward && a < u->cur) {
			isa_copy(&hit, in);	/* the last before the cursor */
			any = true;
		}
	}
	if (!any) {
		snprintf(u->msg, sizeof u->msg, "'%s': none %s the cursor", u->query,
		    forward ? "after" : "before");
		return;
	}
	go_to(u, t, &hit);
}

/* Read instruction `id` of trace t into out. */
static bool
fetch(struct ui *u, unsigned t, uint64_t id, struct isa_instr *out)
{
	struct errbuf e;
	struct trace_reader *r = reader(u, t, &e);
	const struct isa_instr *in;

	if (r == NULL || trace_seek(r, id, &e) != 0 || trace_next(r, &in, &e) != 1) {
		snprintf(u->msg, sizeof u->msg, "%s", r == NULL ? e.msg : "cannot read that "
		    "instruction: the trace has no index");
		return false;
	}
	isa_copy(out, in);
	return true;
}

/* Back along the critical path: what the instruction under the cursor waited for. */
static void
critical(struct ui *u)
{
	const struct tv *v = &u->tv[u->found_tv];
	struct isa_instr p, best;
	unsigned d;
	bool any = false;

	if (!u->have) {
		snprintf(u->msg, sizeof u->msg, "no instruction under the cursor");
		return;
	}
	if (isa_cause_names_producer(u->found.cause)) {	/* the replay says whom it waited for */
		if (!fetch(u, u->found_tv, u->found.stall_on, &best))
			return;
		any = true;
	} else {
		for (d = 0; d < u->found.ndeps; d++)	/* else the producer that ended last */
			if (fetch(u, u->found_tv, u->found.deps[d], &p) &&
			    (!any || end_of(v, &p) > end_of(v, &best))) {
				best = p;
				any = true;
			}
	}
	if (!any) {
		snprintf(u->msg, sizeof u->msg, "id %llu waited for nothing: the path starts "
		    "here", (unsigned long long)u->found.id);
		return;
	}
	snprintf(u->msg, sizeof u->msg, "id %llu waited for id %llu", (unsigned long long)u->found.id,
	    (unsigned long long)best.id);
	go_to(u, u->found_tv, &best);
	if (end_of(v, &best) > 0)
		u->cur = end_of(v, &best) - 1;
	clamp(u);
}

/* The same tile (op, batch, head, rows, cols) in the other trace. */
static void
other(struct ui *u)
{
	unsigned t = 1 - u->found_tv, n = 0;
	const struct isa_instr *in;
	struct errbuf e;
	struct trace_reader *r;

	if (u->n < 2 || !u->have) {
		snprintf(u->msg, sizeof u->msg, u->n < 2 ? "one trace: no other" :
		    "no instruction under the cursor");
		return;
	}
	if ((r = reader(u, t, &e)) == NULL || trace_seek(r, 0, &e) != 0) {
		snprintf(u->msg, sizeof u->msg, "%s", e.msg);
		return;
	}
	while (n++ < SCAN_MAX * 8 && trace_next(r, &in, &e) == 1)
		if (in->op == u->found.op && in->b == u->found.b && in->h == u->found.h &&
		    in->rb <= u->found.rb && u->found.rb < in->rb + (in->m ? in->m : 1) &&
		    in->cb <= u->found.cb && u->found.cb < in->cb + (in->n ? in->n : 1)) {
			struct isa_instr hit;
			isa_copy(&hit, in);
			go_to(u, t, &hit);
			return;
		}
	snprintf(u->msg, sizeof u->msg, "no %s of that tile in %c", isa_op_name(u->found.op),
	    'A' + (int)t);
}

static void
zoom(struct ui *u, bool in)
{
	uint64_t w = u->t1 - u->t0, nw = in ? w / 2 : w * 2, off = u->cur - u->t0;
	uint64_t noff = (uint64_t)((unsigned __int128)off * nw / (w ? w : 1));

	if (nw < u->tw)
		nw = u->tw;
	if (nw > u->span)
		nw = u->span;
	u->t0 = u->cur > noff ? u->cur - noff : 0;
	u->t1 = u->t0 + nw;
	clamp(u);
}

static void
move_cursor(struct ui *u, int cols)
{
	/* clamp() keeps a column at least a cycle wide */
	uint64_t w = u->t1 - u->t0, d = w / u->tw * (uint64_t)(cols < 0 ? -cols : cols);

	/* past an edge, the window moves so that the cursor sits a quarter in from it */
	if (cols < 0) {
		u->cur = u->cur > d ? u->cur - d : 0;
		if (u->cur < u->t0)
			u->t0 = u->cur > w / 4 ? u->cur - w / 4 : 0;
	} else {
		u->cur = u->cur + d < u->span ? u->cur + d : u->span - 1;
		if (u->cur >= u->t1)
			u->t0 = u->cur + w / 4 >= w ? u->cur + w / 4 - w + 1 : 0;
	}
	u->t1 = u->t0 + w;
	clamp(u);
}

static void
pan(struct ui *u, bool left)
{
	uint64_t w = u->t1 - u->t0, d = w / 2;

	if (left) {
		u->t0 = u->t0 > d ? u->t0 - d : 0;
		u->cur = u->cur > d ? u->cur - d : 0;
	} else {
		u->t0 += d;
		u->cur += d;
	}
	u->t1 = u->t0 + w;
	clamp(u);
}

static void
prompt(struct ui *u)
{
	char q[sizeof u->query];

	move(LINES - 1, 0);
	clrtoeol();
	mvaddstr(LINES - 1, 0, "/");
	echo();
	curs_set(1);
	if (getnstr(q, (int)sizeof q - 1) == OK && q[0] != '\0')
		snprintf(u->query, sizeof u->query, "%s", q);
	noecho();
	curs_set(0);
	search(u, true);
}

static void
click(struct ui *u)
{
	MEVENT ev;
	unsigned t, l;

	if (getmouse(&ev) != OK || !(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return;
	for (t = 0; t < u->n; t++)
		for (l = 0; l < u->tv[t].s->nlanes; l++)
			if ((unsigned)ev.y == u->tv[t].first_row + l && ev.x >= LABEL) {
				u->sel = (t == 0 ? 0 : u->tv[0].s->nlanes) + l;
				u->cur = col_start(u, (unsigned)(ev.x - LABEL));
				clamp(u);
			}
}

static void
key(struct ui *u, int ch)
{
	unsigned lanes = total_lanes(u);

	u->msg[0] = '\0';
	if (u->popup) {		/* any key closes it */
		u->popup = 0;
		if (ch != 'q')
			return;
	}
	if (u->live && ch != ' ' && ch != '[' && ch != ']' && ch != '0' && ch != '?' && ch != 'q' &&
	    ch != KEY_RESIZE)
		u->follow = false;	/* the user looks elsewhere: stop following the head */
	switch (ch) {
	case 'q': u->quit = true; break;
	case ' ': u->paused = !u->paused; break;
	case '[': u->speed = u->speed / 2 > 1 ? u->speed / 2 : 1; break;
	case ']': u->speed *= 2; break;
	case KEY_LEFT: case 'h': move_cursor(u, -1); break;
	case KEY_RIGHT: case 'l': move_cursor(u, 1); break;
	case 'H': case KEY_PPAGE: pan(u, true); break;
	case 'L': case KEY_NPAGE: pan(u, false); break;
	case '+': case '=': zoom(u, true); break;
	case '-': case '_': zoom(u, false); break;
	case '0': u->t0 = 0; u->t1 = u->span; u->follow = true; clamp(u); break;
	case 'g': case KEY_HOME: {
		uint64_t w = u->t1 - u->t0;
		u->cur = u->t0 = 0;
		u->t1 = w;
		clamp(u);
		break;
	}
	case 'G': case KEY_END: {
		uint64_t w = u->t1 - u->t0;
		u->t1 = u->span;
		u->t0 = u->span - w;
		u->cur = u->span - 1;
		clamp(u);
		break;
	}
	case '\t': case KEY_DOWN: case 'j': u->sel = lanes ? (u->sel + 1) % lanes : 0; break;
	case KEY_BTAB: case KEY_UP: case 'k': u->sel = lanes ? (u->sel + lanes - 1) % lanes : 0; break;
	case '\n': case '\r': case KEY_ENTER: u->popup = POP_DETAILS; break;
	case '?': u->popup = POP_HELP; break;
	case '/': prompt(u); break;
	case 'n': search(u, true); break;
	case 'N': search(u, false); break;
	case 'c': critical(u); break;
	case 'o': other(u); break;
	case 'm': u->mark_set[0] = true; u->mark[0] = u->cur; break;
	case 'M': u->mark_set[1] = true; u->mark[1] = u->cur; break;
	case KEY_MOUSE: click(u); break;
	case KEY_RESIZE: break;		/* drawn again below at the new size */
	default: break;
	}
}

/* ---- --live: the replay on a thread, drawn as its simulated time goes by ---- */


static int
live_instr(void *ctx, const struct isa_instr *in, uint64_t pred, uint64_t base, struct errbuf *e)
{
	struct live *lv = ctx;
	int rc;

	(void)pred;
	(void)base;
	pthread_mutex_lock(&lv->mu);
	rc = lv->cancel ? errbuf_set(e, "stopped") : vsum_add(&lv->sum, in, e);
	pthread_mutex_unlock(&lv->mu);
	return rc;
}

static void *
live_worker(void *arg)
{
	struct live *lv = arg;
	struct replay_observer ob = { lv, live_instr, NULL, NULL };
	struct errbuf e;
	int rc;

	lv->spec.observers = &ob;
	lv->spec.nobservers = 1;
	rc = eval_run(&lv->spec, &lv->res, &e);
	pthread_mutex_lock(&lv->mu);
	if (rc == 0 && vsum_end(&lv->sum, &e) != 0)
		rc = -1;
	lv->failed = rc != 0;
	if (rc != 0)
		lv->err = e;
	lv->done = true;
	pthread_mutex_unlock(&lv->mu);
	return NULL;
}

static double now(void);

/* Advance the play head and take a fresh snapshot to draw. */
static void
live_step(struct ui *u)
{
	struct live *lv = u->live;
	struct vsum snap;
	struct errbuf e;
	double t = now(), dt = t - lv->last;
	uint64_t front;
	bool done, ok;

	lv->last = t;
	pthread_mutex_lock(&lv->mu);
	done = lv->done;
	ok = (done && lv->failed) ? false : vsum_snapshot(&lv->sum, &snap, &e) == 0;
	if (done && lv->failed)
		snprintf(u->msg, sizeof u->msg, "the replay stopped: %s", lv->err.msg);
	pthread_mutex_unlock(&lv->mu);
	if (!ok)
		return;
	if (lv->have_view)
		vsum_free(&lv->view);
	lv->view = snap;
	lv->have_view = true;
	u->tv[0].s = &lv->view;
	u->span = lv->view.span > lv->planned ? lv->view.span : lv->planned;
	if (u->span == 0)
		u->span = 1;
	front = done ? u->span : lv->view.span;
	if (!u->paused)
		u->head += (uint64_t)(u->speed * (dt > 0.5 ? 0.5 : dt));
	if (u->head > front)
		u->head = front;
	if (u->follow) {
		u->t0 = 0;
		u->t1 = u->span;
		u->cur = u->head > 0 ? u->head - 1 : 0;
	}
	clamp(u);
}

static int
live_start(struct ui *u, const struct tui_live_spec *ls, struct errbuf *e)
{
	struct live *lv = calloc(1, sizeof *lv);
	struct trace_header h;
	struct sched_result plan;
	struct sched_estimate est;
	pthread_t th;
	int err;

	if (lv == NULL)
		return errbuf_set(e, "out of memory");
	u->live = lv;
	pthread_mutex_init(&lv->mu, NULL);
	/* the tiling is chosen here, so that the thread replays exactly it */
	if (eval_prepare(ls->sched, ls->npu, ls->wl, &ls->tiling, false, &plan, e) != 0 ||
	    sched_check_size(ls->sched, ls->wl, &plan.t, ls->max_instructions ?
	    ls->max_instructions : SCHED_MAX_INSTRUCTIONS, e) != 0 ||
	    sched_estimate(ls->sched, ls->npu, ls->wl, &plan, &est, e) != 0)
		return -1;
	lv->planned = est.makespan;
	eval_plan_header(&h, ls->sched, ls->npu, ls->wl, &plan, NULL);
	if (vsum_begin(&lv->sum, &h, e) != 0)
		return -1;
	lv->sum.replayed = true;
	eval_spec_init(&lv->spec, ls->sched, ls->npu, ls->wl);
	eval_tiling_whole(ls->sched, &plan.t, &lv->spec.tiling);
	lv->spec.max_instructions = ls->max_instructions;
	if ((err = pthread_create(&th, NULL, live_worker, lv)) != 0)
		return errbuf_set(e, "cannot start the replay's thread: %s", strerror(err));
	lv->thread = th;
	lv->started = true;
	lv->last = now();
	u->speed = (double)(lv->planned ? lv->planned : 1) / 8;	/* the plan in about 8 s */
	u->follow = true;
	u->tv[0].path = "live";
	u->tv[0].no_seek = true;	/* no file: no look-ups */
	u->n = 1;
	u->span = lv->planned ? lv->planned : 1;
	u->t1 = u->span;
	return 0;
}

static void
live_stop(struct ui *u)
{
	struct live *lv = u->live;

	if (lv == NULL)
		return;
	if (lv->started) {
		pthread_mutex_lock(&lv->mu);
		lv->cancel = true;
		pthread_mutex_unlock(&lv->mu);
		pthread_join(lv->thread, NULL);
	}
	eval_result_free(&lv->res);
	vsum_free(&lv->sum);
	if (lv->have_view)
		vsum_free(&lv->view);
	pthread_mutex_destroy(&lv->mu);
	free(lv);
	u->live = NULL;
}

/* ---- running -------------------------------------------------------------- */

static void
setup(struct ui *u)
{
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	colours(u);
	if (u->mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* --batch: keys played into a screen nobody sees, each frame timed. */
static int
batch(struct ui *u, const struct tui_opts *o, struct errbuf *e)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	const char *term = getenv("TERM");
	SCREEN *sc;
	double t, sum = 0, worst = 0;
	unsigned frames = 0;
	const char *k;

	if (out == NULL || in == NULL) {
		if (out)
			fclose(out);
		if (in)
			fclose(in);
		return errbuf_set(e, "--batch: cannot open /dev/null");
	}
	sc = newterm(term != NULL && term[0] != '\0' && strcmp(term, "dumb") != 0 ? term :
	    "xterm-256color", out, in);
	if (sc == NULL) {
		fclose(out);
		fclose(in);
		return errbuf_set(e, "--batch: no terminal description for xterm-256color");
	}
	set_term(sc);
	resizeterm((int)o->batch_rows, (int)o->batch_cols);
	setup(u);
	for (k = o->batch; ; k++) {
		t = now();
		look_up(u);
		draw(u);
		t = now() - t;
		sum += t;
		if (t > worst)
			worst = t;
		frames++;
		if (*k == '\0' || u->quit)
			break;
		key(u, *k == '\n' ? '\n' : (unsigned char)*k);
	}
	endwin();
	delscreen(sc);
	fclose(out);
	fclose(in);
	if (o->report != NULL)
		fprintf(o->report, "frames %u, mean %.3f ms, worst %.3f ms (%ux%u)\n", frames,
		    1e3 * sum / frames, 1e3 * worst, o->batch_cols, o->batch_rows);
	return 0;
}

/* Curses on the terminal until q or a signal; the terminal restored either way. */
static int
interact(struct ui *u, struct errbuf *e)
{
	int ch;

	if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
		saved_tio_ok = 1;
	stop_signal = 0;
	if (initscr() == NULL)
		return errbuf_set(e, "cannot start curses on this terminal");
	remember_leave();
	catch_signals(true);
	setup(u);
	/* the loop looks at stop_signal between keys, and --live moves on */
	timeout(u->live ? 50 : 250);
	while (!u->quit && !stop_signal) {
		if (u->live)
			live_step(u);
		look_up(u);
		draw(u);
		do
			ch = getch();
		while (ch == ERR && !stop_signal && !u->live);
		if (stop_signal)
			break;
		if (ch != ERR)
			key(u, ch);
	}
	endwin();
	catch_signals(false);
	saved_tio_ok = 0;
	if (stop_signal)
		return errbuf_set(e, "stopped by signal %d", (int)stop_signal);
	return 0;
}

static struct ui *
ui_new(const struct tui_opts *o)
{
	struct ui *u = calloc(1, sizeof *u);

	if (u == NULL)
		return NULL;
	u->color = o->color;
	u->mouse = o->mouse;
	setlocale(LC_ALL, "");
	u->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	u->tw = 80;
	return u;
}

static void
ui_free(struct ui *u)
{
	unsigned t;

	live_stop(u);
	for (t = 0; t < 2; t++) {
		if (u->tv[t].r != NULL)
			trace_close_read(u->tv[t].r);
		free(u->tv[t].fine);
	}
	free(u);
}

int
tui_run(struct vsum *const s[], const char *const path[], unsigned n, const struct tui_opts *o,
    struct errbuf *e)
{
	struct ui *u = ui_new(o);
	unsigned t;
	int rc;

	if (u == NULL)
		return errbuf_set(e, "out of memory");
	u->n = n > 2 ? 2 : n;
	for (t = 0; t < u->n; t++) {
		u->tv[t].s = s[t];
		u->tv[t].path = path[t];
		if (s[t]->span > u->span)
			u->span = s[t]->span;
	}
	if (u->span == 0)
		u->span = 1;
	u->t1 = u->span;
	if (o->t1 > o->t0) {	/* --from and --to; clamp() fits them to the trace */
		u->t0 = o->t0 < u->span ? o->t0 : 0;
		u->t1 = o->t1 < u->span ? o->t1 : u->span;
		u->cur = u->t0;
	}
	rc = o->batch != NULL ? batch(u, o, e) : interact(u, e);
	ui_free(u);
	return rc;
}

int
tui_live(const struct tui_live_spec *ls, const struct tui_opts *o, struct errbuf *e)
{
	struct ui *u = ui_new(o);
	int rc;

	if (u == NULL)
		return errbuf_set(e, "out of memory");
	rc = live_start(u, ls, e);
	if (rc == 0 && o->batch != NULL) {
		/* unseen: let the replay finish, then play the keys over it */
		pthread_mutex_lock(&u->live->mu);
		while (!u->live->done) {
			pthread_mutex_unlock(&u->live->mu);
			usleep(10000);
			pthread_mutex_lock(&u->live->mu);
		}
		pthread_mutex_unlock(&u->live->mu);
		u->paused = true;
		live_step(u);
		u->head = u->span;
		rc = batch(u, o, e);
	} else if (rc == 0) {
		rc = interact(u, e);
	}
	if (rc == 0) {		/* the thread may still run: what it says, under its lock */
		pthread_mutex_lock(&u->live->mu);
		if (u->live->done && u->live->failed)
			rc = errbuf_set(e, "%s", u->live->err.msg);
		pthread_mutex_unlock(&u->live->mu);
	}
	ui_free(u);
	return rc;
}
