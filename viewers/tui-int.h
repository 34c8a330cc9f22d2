/* tui-int: what the parts of the terminal viewer share (tui.c, tui-draw.c, tui-live.c, tui-term.c). */
#ifndef MASTRACE_TUI_INT_H
#define MASTRACE_TUI_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "eval.h"
#include "tui.h"
#include "tview.h"
#include "vsum.h"

#define LABEL 14		/* "dma12 100.0% " and a space */
#define MIN_COLS 60
#define SCAN_PAST 2048		/* instructions past a window that end a scan of it */
#define SCAN_MAX (1u << 20)	/* instructions a look-up reads at most */

/* --live: the replay on a thread, its summary built as it goes (see live_step()). */
struct live {
	pthread_mutex_t mu;
	pthread_cond_t ended;		/* signalled when done is set */
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
	struct tview v;			/* the window, the cursor, the columns of the last frame */
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
	int delay;			/* ms the loop waits for a key before it draws again */
};

enum { POP_HELP = 1, POP_DETAILS };

/* ---- reading the traces and what is under the cursor (tui.c) ---- */
unsigned tui_total_lanes(const struct ui *u);
/* Lane `sel` (counting A's lanes, then B's) is lane *l of trace *t. */
void tui_lane_at(const struct ui *u, unsigned sel, unsigned *t, unsigned *l);
double tui_us_of(const struct ui *u, uint64_t cycles);
/* Trace t's reader, opened on first use; NULL with the reason. */
struct trace_reader *tui_reader(struct ui *u, unsigned t, struct errbuf *e);
/* An instruction's start and end as the view shows them: replayed, else planned. */
uint64_t tui_start_of(const struct tv *v, const struct isa_instr *in);
uint64_t tui_end_of(const struct tv *v, const struct isa_instr *in);
/* The instruction under the cursor on the selected lane, into u->found. */
void tui_look_up(struct ui *u);
/*
 * Busy shares of trace t's lanes by column and class of work, read from
 * the trace itself when the window is narrow enough; false to use the
 * summary.
 */
bool tui_exact(struct ui *u, unsigned t, double *busy /* [lane][col][class] */);

/* ---- drawing (tui-draw.c) ---- */
void tui_colours(struct ui *u);
void tui_draw(struct ui *u);

/* ---- --live (tui-live.c) ---- */
int tui_live_start(struct ui *u, const struct tui_live_spec *ls, struct errbuf *e);
/* Move the play head and take a fresh snapshot of the replay to draw. */
void tui_live_step(struct ui *u);
/* Wait (without a timeout) until the replay has ended. */
void tui_live_wait(struct ui *u);
void tui_live_stop(struct ui *u);
double tui_now(void);

/* ---- the terminal (tui-term.c): one per process, so its state is the process's ---- */
/* Before curses starts: the terminal's modes, to restore them from a fatal signal. */
void tui_term_save(void);
/*
 * Once curses runs: catch SIGINT, SIGTERM and SIGHUP (the loop then ends)
 * and fatal signals (the terminal is put back before dying), keeping the
 * actions they had, which tui_term_release() restores.
 */
void tui_term_catch(void);
void tui_term_release(void);
/* The signal that asked the loop to end, or 0. */
int tui_term_signal(void);

#endif
