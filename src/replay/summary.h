/* summary: what a trace holds, read in one pass (mastrace info, diff, view). */
#ifndef MASTRACE_SUMMARY_H
#define MASTRACE_SUMMARY_H

#include <stdint.h>

#include "isa.h"

struct summary_tally {
	uint64_t count;
	uint64_t busy;			/* planned cycles */
	uint64_t rep_busy;		/* replayed cycles at full speed (as stats counts busy) */
	uint64_t rep_slowed;		/* replayed cycles beyond that: DRAM or port contention */
};

struct summary {
	uint64_t instructions, replayed;	/* replayed: how many carry replay times */
	uint64_t plan_lo, plan_hi;		/* planned span; lo > hi when empty */
	uint64_t rep_lo, rep_hi;		/* replayed span; lo > hi when none */
	uint64_t overlap, rep_overlap;		/* cycles MAC and VEC are both busy */
	struct summary_tally unit[ISA_NUNITS], op[ISA_NOPS];
};

/*
 * Read every instruction left in r into s.  -1 with the reason when the
 * reader fails or when MAC or VEC instructions overlap on their unit
 * (`name` starts that message).
 */
int summary_read(struct summary *s, struct trace_reader *r, const char *name, struct errbuf *e);

#endif
