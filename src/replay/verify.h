/* verify: run a trace on real numbers and compare with attention computed plainly. */
#ifndef MASTRACE_VERIFY_H
#define MASTRACE_VERIFY_H

#include <stdint.h>

#include "errbuf.h"
#include "isa.h"
#include "progress.h"

#define VERIFY_MAX_FLOATS (1ull << 28)	/* 1 GiB of fp32 working memory */
#define VERIFY_MAX_INSTRS (1ull << 24)
/*
 * Operations (multiply-adds, elements stepped or moved) a run may take
 * by default, about ten times Llama 3 8B's (a few minutes on two cores).
 */
#define VERIFY_MAX_WORK (1ull << 42)

struct verify_opts {
	uint64_t seed;			/* of the data and the orders */
	unsigned orders;		/* 1 = trace order only */
	unsigned threads;		/* orders run at once; 0 = one per online processor */
	uint64_t max_work;		/* refuse a run of more operations; 0 = VERIFY_MAX_WORK */
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
/*
 * The operations of computing the workload's attention plainly (the
 * reference; each order of a trace costs about as much again): what the
 * header alone says a run will take, checked against max_work before any
 * instruction is read.  Saturates at UINT64_MAX.
 */
uint64_t verify_reference_work(const struct workload *w);

/* The same from any reader (a file, a pipe, an in-memory stream); path names it in messages. */
int verify_reader(struct trace_reader *r, const char *path, const struct verify_opts *o,
    struct verify_result *res, struct errbuf *e);

#endif
