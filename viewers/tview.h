/* tview: the timeline's view without curses: its window in time, the cursor and how keys move them. */
#ifndef MASTRACE_TVIEW_H
#define MASTRACE_TVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "isa.h"

/*
 * What the screen shows of [0, span) cycles: the window [t0, t1) over tw
 * columns and a cursor inside it.  tview_clamp() restores the rules every
 * move keeps: the window inside [0, span] and at least a cycle per column
 * (or the whole span, if shorter), the cursor inside the window.
 */
struct tview {
	uint64_t span;		/* the longer makespan; at least 1 */
	uint64_t t0, t1;
	uint64_t cur;
	unsigned tw;		/* columns of timeline; at least 1 */
};

/* Restore the rules after the fields were set by hand. */
void tview_clamp(struct tview *v);
/* The first cycle column i shows, and the column cycle t falls in. */
uint64_t tview_col_start(const struct tview *v, unsigned i);
unsigned tview_col_of(const struct tview *v, uint64_t t);
/* Halve (in) or double the window about the cursor, which stays in its column. */
void tview_zoom(struct tview *v, bool in);
/*
 * Move the cursor by `cols` columns (negative: left); past an edge of the
 * window, the window moves so that the cursor sits a quarter in from it.
 */
void tview_move_cursor(struct tview *v, int cols);
/* Move the window and the cursor by half a window. */
void tview_pan(struct tview *v, bool left);
/* The window of the same width at the start or end of the span, the cursor at that end. */
void tview_home(struct tview *v);
void tview_end(struct tview *v);
/* The cursor to cycle t, and the window centred on it if it was outside. */
void tview_go(struct tview *v, uint64_t t);

/*
 * Does an instruction match a search query: words separated by blanks, each
 * an opcode or unit name ("vexp", "dma1") or key=value with key op, unit,
 * b, h, rb, cb or id; every word must match.
 */
bool tview_matches(const char *query, const struct isa_instr *in);

#endif
