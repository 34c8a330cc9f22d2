/* tui: the interactive timeline: what is under the cursor, the keys, and the loop. */
#include "config.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "num.h"
#include "trace-file.h"
#include "tui-int.h"

/* ---- times, lanes, columns ------------------------------------------------ */

unsigned
tui_total_lanes(const struct ui *u)
{
	return u->tv[0].s->nlanes + (u->n > 1 ? u->tv[1].s->nlanes : 0);
}

void
tui_lane_at(const struct ui *u, unsigned sel, unsigned *t, unsigned *l)
{
	*t = sel < u->tv[0].s->nlanes ? 0 : 1;
	*l = *t == 0 ? sel : sel - u->tv[0].s->nlanes;
}



double
tui_us_of(const struct ui *u, uint64_t cycles)
{
	return (double)cycles / u->tv[0].s->h.npu.clock_mhz;
}


/* ---- reading the traces ------------------------------------------------- */

struct trace_reader *
tui_reader(struct ui *u, unsigned t, struct errbuf *e)
{
	struct tv *v = &u->tv[t];
	enum trace_format fmt;

	if (v->r == NULL && trace_open_read(v->path, &v->r, &fmt, e) != 0) {
		v->r = NULL;
		return NULL;
	}
	return v->r;
}

uint64_t
tui_start_of(const struct tv *v, const struct isa_instr *in)
{
	return v->s->replayed ? in->rep_start : in->plan_start;
}

uint64_t
tui_end_of(const struct tv *v, const struct isa_instr *in)
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
	if ((r = tui_reader(u, t, &e)) == NULL || trace_seek_time(r, cycle, &e) != 0) {
		u->tv[t].no_seek = true;
		snprintf(u->msg, sizeof u->msg, "%s", e.msg);
		return false;
	}
	return true;
}

/* The instruction of lane (t, l) running at the cursor, else the first after it. */
void
tui_look_up(struct ui *u)
{
	unsigned t, l, past = 0, n = 0;
	struct errbuf e;
	const struct isa_instr *in;
	struct tv *v;
	bool any = false;
	uint64_t best = UINT64_MAX;

	if (u->looked && u->looked_cur == u->v.cur && u->looked_sel == u->sel)
		return;
	u->looked = true;
	u->looked_cur = u->v.cur;
	u->looked_sel = u->sel;
	u->have = u->under = false;
	if (u->sel >= tui_total_lanes(u))	/* --live: no lanes yet */
		return;
	tui_lane_at(u, u->sel, &t, &l);
	v = &u->tv[t];
	if (!seek_time(u, t, u->v.cur))
		return;
	while (n++ < SCAN_MAX && past < SCAN_PAST && trace_next(v->r, &in, &e) == 1) {
		uint64_t a = tui_start_of(v, in), b = tui_end_of(v, in);
		past = a > u->v.cur ? past + 1 : 0;
		if (in->unit != v->s->lane[l].unit || !timed(in) || b <= u->v.cur)
			continue;
		if (a <= u->v.cur) {	/* under the cursor */
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
bool
tui_exact(struct ui *u, unsigned t, double *busy /* [lane][col][class] */)
{
	struct tv *v = &u->tv[t];
	const struct isa_instr *in;
	struct errbuf e;
	int lane_of[ISA_NUNITS];
	unsigned l, past = 0, n = 0, i, c;

	if (!seek_time(u, t, u->v.t0))
		return false;
	memset(lane_of, 0xff, sizeof lane_of);
	for (l = 0; l < v->s->nlanes; l++)
		lane_of[v->s->lane[l].unit] = (int)l;
	while (n++ < SCAN_MAX && past < SCAN_PAST && trace_next(v->r, &in, &e) == 1) {
		uint64_t a = tui_start_of(v, in), b = tui_end_of(v, in);
		past = a >= u->v.t1 ? past + 1 : 0;
		if (!timed(in) || b <= u->v.t0 || a >= u->v.t1 || lane_of[in->unit] < 0)
			continue;
		c = vsum_class_of(in->op);
		for (i = tview_col_of(&u->v, a); i < u->v.tw; i++) {
			uint64_t x = tview_col_start(&u->v, i), y = tview_col_start(&u->v, i + 1);
			uint64_t lo = a > x ? a : x, hi = b < y ? b : y;
			if (x >= b)
				break;
			if (hi > lo)
				busy[((size_t)lane_of[in->unit] * u->v.tw + i) * VSUM_NCLASSES + c] +=
				    (double)(hi - lo) / (double)(y > x ? y - x : 1);
		}
	}
	return true;
}

/* ---- keys ------------------------------------------------------------------ */


static void
go_to(struct ui *u, unsigned t, const struct isa_instr *in)
{
	struct tv *v = &u->tv[t];
	unsigned l;

	for (l = 0; l < v->s->nlanes; l++)
		if (v->s->lane[l].unit == in->unit)
			u->sel = (t == 0 ? 0 : u->tv[0].s->nlanes) + l;
	tview_go(&u->v, tui_start_of(v, in));
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

	if (u->sel >= tui_total_lanes(u))
		return;
	tui_lane_at(u, u->sel, &t, &l);
	v = &u->tv[t];
	if (u->query[0] == '\0') {
		snprintf(u->msg, sizeof u->msg, "no search yet: / starts one");
		return;
	}
	if (!seek_time(u, t, forward ? u->v.cur : 0))
		return;
	while (n++ < SCAN_MAX * 8 && past < SCAN_PAST && trace_next(v->r, &in, &e) == 1) {
		uint64_t a = tui_start_of(v, in);
		if (!forward)
			past = a >= u->v.cur ? past + 1 : 0;
		if (!timed(in) || !tview_matches(u->query, in))
			continue;
		if (forward && a > u->v.cur) {
			isa_copy(&hit, in);
			any = true;
			break;
		}
		if (!forward && a < u->v.cur) {
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
	struct trace_reader *r = tui_reader(u, t, &e);
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
			    (!any || tui_end_of(v, &p) > tui_end_of(v, &best))) {
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
	if (tui_end_of(v, &best) > 0)
		u->v.cur = tui_end_of(v, &best) - 1;
	tview_clamp(&u->v);
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
	if ((r = tui_reader(u, t, &e)) == NULL || trace_seek(r, 0, &e) != 0) {
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
prompt(struct ui *u)
{
	char q[sizeof u->query];

	move(LINES - 1, 0);
	clrtoeol();
	mvaddstr(LINES - 1, 0, "/");
	echo();
	curs_set(1);
	/* the prompt waits for the person, however long the loop's own timeout */
	timeout(-1);
	if (getnstr(q, (int)sizeof q - 1) == OK && q[0] != '\0')
		snprintf(u->query, sizeof u->query, "%s", q);
	timeout(u->delay);
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
				u->v.cur = tview_col_start(&u->v, (unsigned)(ev.x - LABEL));
				tview_clamp(&u->v);
			}
}

static void
key(struct ui *u, int ch)
{
	unsigned lanes = tui_total_lanes(u);

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
	case KEY_LEFT: case 'h': tview_move_cursor(&u->v, -1); break;
	case KEY_RIGHT: case 'l': tview_move_cursor(&u->v, 1); break;
	case 'H': case KEY_PPAGE: tview_pan(&u->v, true); break;
	case 'L': case KEY_NPAGE: tview_pan(&u->v, false); break;
	case '+': case '=': tview_zoom(&u->v, true); break;
	case '-': case '_': tview_zoom(&u->v, false); break;
	case '0': u->v.t0 = 0; u->v.t1 = u->v.span; u->follow = true; tview_clamp(&u->v); break;
	case 'g': case KEY_HOME: tview_home(&u->v); break;
	case 'G': case KEY_END: tview_end(&u->v); break;
	case '\t': case KEY_DOWN: case 'j': u->sel = lanes ? (u->sel + 1) % lanes : 0; break;
	case KEY_BTAB: case KEY_UP: case 'k': u->sel = lanes ? (u->sel + lanes - 1) % lanes : 0; break;
	case '\n': case '\r': case KEY_ENTER: u->popup = POP_DETAILS; break;
	case '?': u->popup = POP_HELP; break;
	case '/': prompt(u); break;
	case 'n': search(u, true); break;
	case 'N': search(u, false); break;
	case 'c': critical(u); break;
	case 'o': other(u); break;
	case 'm': u->mark_set[0] = true; u->mark[0] = u->v.cur; break;
	case 'M': u->mark_set[1] = true; u->mark[1] = u->v.cur; break;
	case KEY_MOUSE: click(u); break;
	case KEY_RESIZE: break;		/* drawn again below at the new size */
	default: break;
	}
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
	tui_colours(u);
	if (u->mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
}

double
tui_now(void)
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
		t = tui_now();
		tui_look_up(u);
		tui_draw(u);
		t = tui_now() - t;
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

	tui_term_save();
	if (initscr() == NULL)
		return errbuf_set(e, "cannot start curses on this terminal");
	tui_term_catch();
	setup(u);
	/* the loop looks at stop_signal between keys, and --live moves on */
	u->delay = u->live ? 50 : 250;
	timeout(u->delay);
	while (!u->quit && !tui_term_signal()) {
		if (u->live)
			tui_live_step(u);
		tui_look_up(u);
		tui_draw(u);
		do
			ch = getch();
		while (ch == ERR && !tui_term_signal() && !u->live);
		if (tui_term_signal())
			break;
		if (ch != ERR)
			key(u, ch);
	}
	endwin();
	tui_term_release();
	if (tui_term_signal())
		return errbuf_set(e, "stopped by signal %d", tui_term_signal());
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
	u->v.tw = 80;
	return u;
}

static void
ui_free(struct ui *u)
{
	unsigned t;

	tui_live_stop(u);
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
		if (s[t]->span > u->v.span)
			u->v.span = s[t]->span;
	}
	if (u->v.span == 0)
		u->v.span = 1;
	u->v.t1 = u->v.span;
	if (o->t1 > o->t0) {	/* --from and --to; clamp() fits them to the trace */
		u->v.t0 = o->t0 < u->v.span ? o->t0 : 0;
		u->v.t1 = o->t1 < u->v.span ? o->t1 : u->v.span;
		u->v.cur = u->v.t0;
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
	rc = tui_live_start(u, ls, e);
	if (rc == 0 && o->batch != NULL) {
		/* unseen: let the replay finish, then play the keys over it */
		tui_live_wait(u);
		u->paused = true;
		tui_live_step(u);
		u->head = u->v.span;
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
