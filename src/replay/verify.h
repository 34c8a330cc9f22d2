/* verify: run a trace on real numbers and compare with attention computed plainly. */
#ifndef MASTRACE_VERIFY_H
#define MASTRACE_VERIFY_H

#include <stdint.h>

#include "errbuf.h"
#include "isa.h"
#include "progress.h"

#define VERIFY_MAX_FLOATS (1ull << 28)	/* 1 GiB of fp32 working memory */
#define VERIFY_MAX_INSTRS (1ull << 24)

struct verify_opts {
	uint64_t seed;			/* of the data and the orders */
	unsigned orders;		/* 1 = trace order only */
	unsigned threads;		/* orders run at once; 0 = one per online processor */
	const struct progress *progress;	/* in instructions executed, all orders */
};

struct verify_result {
	uint64_t instructions;
	unsigned orders;
	unsigned threads;		/* the threads that ran them */
	double max_err;			/* worst over every order */
	unsigned worst_order;
	char where[160];		/* the worst element, "O[b=0,h=3,row=17,col=5]" */
};

/*
 * Execute every instruction of the trace on fp32 data (random Q, K, V from
 * the seed), in trace order and in orders-1 random orders that keep each
 * unit's program order and every dependency, and compare O with a plain
 * double-precision attention.  Spill and fill traffic runs like any other
 * transfer, in a memory area of its own.  The orders run on threads, each
 * with its own memory; the result does not depend on how many.  Returns 0
 * when it ran (r says how close), -1 when it could not (bad trace, too
 * large: what the header says is checked before any instruction is read),
 * with the reason.
 */
int verify_trace(const char *path, const struct verify_opts *o, struct verify_result *r,
    struct errbuf *e);
/* The same from any reader (a file, a pipe, an in-memory stream); path names it in messages. */
int verify_reader(struct trace_reader *r, const char *path, const struct verify_opts *o,
    struct verify_result *res, struct errbuf *e);

#endif
