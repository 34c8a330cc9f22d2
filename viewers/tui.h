/* tui: the interactive timeline in a terminal; the only code that includes curses. */
#ifndef MASTRACE_TUI_H
#define MASTRACE_TUI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "errbuf.h"
#include "schedule.h"
#include "vsum.h"

struct tui_opts {
	bool color;		/* colours when the terminal has them (off: --no-color, NO_COLOR) */
	bool mouse;
	uint64_t t0, t1;	/* the first window, in cycles; t1 0 for the whole trace */
	/*
	 * --batch: no terminal; these keys are played into a virtual screen of
	 * batch_cols x batch_rows, a frame drawn after each, and the frame
	 * times reported to `report`.
	 */
	const char *batch;
	unsigned batch_cols, batch_rows;
	FILE *report;
};

/*
 * Show one trace, or two stacked on one time axis (A above B), from their
 * summaries and, for what is under the cursor and deep zooms, the traces
 * themselves at `path`.  Curses starts here and always ends before it
 * returns, and on SIGINT, SIGTERM and fatal signals.  0, or -1 with the
 * reason (printed by the caller once the terminal is restored).
 */
int tui_run(struct vsum *const s[], const char *const path[], unsigned n,
    const struct tui_opts *o, struct errbuf *e);

/*
 * --live: plan the dataflow, replay it on a thread (in memory) and draw it
 * as its simulated time goes by: space pauses, [ and ] halve and double
 * the speed, and the view follows the play head until the user moves.
 */
struct tui_live_spec {
	const struct sched *sched;
	const struct npu *npu;
	const struct workload *wl;
	struct tiling tiling;		/* what it leaves unset, eval_prepare() chooses */
	uint64_t max_instructions;	/* refuse a larger plan; 0: SCHED_MAX_INSTRUCTIONS */
};
int tui_live(const struct tui_live_spec *ls, const struct tui_opts *o, struct errbuf *e);

#endif
