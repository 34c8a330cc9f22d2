/* sched: the dataflows' registry, their tiling parameters, planning and emission. */
#ifndef MASTRACE_SCHEDULE_H
#define MASTRACE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emit.h"
#include "progress.h"
#include "npu.h"
#include "workload.h"

#define SCHED_MAX_PARAMS 8

/* Choices shared by the dataflows' parameters. */
extern const char *const sched_on_off[];	/* "on", "off" */
extern const char *const sched_kv_choices[];	/* "stream", "resident" */
extern const char *const sched_norm_choices[];	/* "p", "o" */
enum { SCHED_KV_STREAM, SCHED_KV_RESIDENT };
enum { SCHED_NORM_P, SCHED_NORM_O };
#define SCHED_KV_DOC "stream: K and V tiles are loaded for every row block; resident: a " \
	"head's K and V are loaded once and kept in L1"
#define SCHED_NORM_DOC "p: the softmax divides the probabilities; o: PV runs on the " \
	"exponentials and the rows of O are divided once"
#define SCHED_PREFETCH_DOC "on: a transfer waits only for its buffer, not for round barriers; " \
	"off: DMA waits at every barrier, as published"

/* A tiling parameter: an integer in [min, max], or one of `choices` (stored as its index). */
struct sched_tparam {
	const char *name;
	const char *doc;
	int64_t min, max;
	const char *const *choices;	/* NULL-terminated; NULL for integers */
	/*
	 * An ablation knob (overwrite, prefetch): left unset it keeps its
	 * first choice, the dataflow at its best, instead of being searched.
	 */
	bool ablation;
};

struct tiling {
	int64_t v[SCHED_MAX_PARAMS];
	bool set[SCHED_MAX_PARAMS];
};

/* What a tiling needs on chip. */
struct sched_fit {
	uint64_t l1_bytes;		/* peak L1 footprint */
	char formula[160];		/* how l1_bytes is made up, for messages */
	char note[160];			/* sched_plan(): what a user should know of its choice */
};

struct sched {
	const char *name;
	const char *summary;
	const struct sched_tparam *params;
	unsigned nparams;
	size_t ctx_size;	/* its emit()'s context, zeroed on the heap for each run */
	/*
	 * Check a complete tiling against the workload and the NPU's local
	 * buffers (errors name the parameter and the limit) and compute its
	 * L1 footprint.
	 */
	int (*fit)(const struct npu *n, const struct workload *w, const struct tiling *t,
	    struct sched_fit *f, struct errbuf *e);
	int (*emit)(void *ctx, struct emit *em, const struct workload *w, const struct tiling *t);
};

const struct sched *sched_find(const char *name);
size_t sched_count(void);
const struct sched *sched_at(size_t i);

int sched_param_index(const struct sched *s, const char *name);
int64_t sched_get(const struct sched *s, const struct tiling *t, const char *name);

/* "rows=64,overwrite=off": names, values and ranges checked. */
int sched_parse_tiling(const struct sched *s, const char *text, struct tiling *t,
    struct errbuf *e);
void sched_format_tiling(const struct sched *s, const struct tiling *t, char *buf, size_t len);

/*
 * Complete a tiling by the rule in mastrace(7): among the candidates for
 * the parameters the user left unset (rows in multiples of the MAC's
 * native height, cols in powers of two, every choice but the ablation
 * knobs), the one that fits L0 and L1 with the shortest planned makespan;
 * rows and cols go below the native height only when nothing else fits
 * (f->note says so).  When nothing fits, allow_spill takes the smallest
 * footprint (f says by how much it overflows); without it the error names
 * the smallest footprint and the dataflows that do fit.
 */
int sched_plan(const struct sched *s, const struct npu *n, const struct workload *w,
    struct tiling *t, bool allow_spill, struct sched_fit *f, struct errbuf *e);

/*
 * sched_plan()'s ranking: the SCHED_TOP candidates that fit with the
 * shortest planned makespans, best first, in top[0 .. *ntop) (none when
 * nothing fits; one when the tiling asked leaves nothing to choose), and
 * the note of the search.  -1 when memory ran out.
 */
#define SCHED_TOP 4
int sched_plan_top(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct tiling *asked, struct tiling *top, unsigned *ntop, char *note, size_t len);

/* What a run of a scheduler produced. */
struct sched_result {
	struct tiling t;
	struct sched_fit fit;
	char tiling[256];
	uint64_t instructions, makespan, macs, dram_read, dram_write;
};

/*
 * Parse the tiling text (NULL or "" for none) and complete it (sched_plan(),
 * by the plan alone) into res; eval_prepare() refines the choice with the
 * replay, as the command line does.
 */
int sched_prepare(const struct sched *s, const struct npu *n, const struct workload *w,
    const char *tiling, bool allow_spill, struct sched_result *res, struct errbuf *e);

/*
 * What writing the plan res was prepared for would produce, without
 * writing it: every head of every batch is planned the same way, so one
 * head is planned into a counter and multiplied (exact for the dataflows
 * here, which treat heads alike; an estimate for any that would not).
 * text_bytes is the size of the text trace; a .mtr takes about a hundredth.
 */
struct sched_estimate {
	uint64_t instructions;
	uint64_t text_bytes;
	uint64_t makespan;	/* planned, cycles */
};
int sched_estimate(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct sched_result *res, struct sched_estimate *est, struct errbuf *e);

/*
 * A writer that keeps nothing: it counts the instructions written to it
 * (w.count) and, with text, the bytes of their text form (text_bytes).
 */
struct sched_counter {
	struct trace_writer w;
	bool text;
	uint64_t text_bytes;
	char line[4200];
};
void sched_counter_init(struct sched_counter *c, bool text);

/* The same into an open writer, for callers that make their own. */
int sched_emit_to(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct tiling *t, struct trace_writer *wr, struct sched_result *res,
    struct errbuf *e);

#endif
