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
#define SCHED_MAX_CHOICES 8	/* choices of one parameter */

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

/*
 * What a tiling parameter means to the plan search, the size estimate and
 * the ladder, whatever the dataflow calls it.
 */
enum sched_role {
	SCHED_ROLE_ROWS,	/* query rows per row block (the L1 tier): searched */
	SCHED_ROLE_COLS,	/* keys per key block (the MAC's sub-tile): searched */
	SCHED_ROLE_VROWS,	/* rows per VEC instruction: SCHED_VEC_ROWS at most, unless given */
	SCHED_ROLE_CHOICE,	/* a variant of the dataflow: each choice is searched */
	/*
	 * The dataflow's form (its loop structure, what it holds on chip):
	 * searched like a choice, explained in the plan's note, and a step of
	 * its own in the ladder.  A dataflow has one at most.
	 */
	SCHED_ROLE_FORM,
	/*
	 * An ablation knob (overwrite, prefetch): left unset it keeps its
	 * first choice, the dataflow at its best, instead of being searched.
	 */
	SCHED_ROLE_ABLATION,
};

/*
 * Rows per VEC instruction when the tiling leaves them out: a row block's
 * rows, at most this many.  On the presets a VEC instruction over 32 rows
 * of a key block holds thousands of elements, so its pipeline fill is a
 * small share of it, while the softmax of a row block still splits into
 * steps that MAC work can interleave with.
 */
#define SCHED_VEC_ROWS 32

/* Is a parameter of this role searched over its choices by the plan? */
static inline bool
sched_role_searched(enum sched_role role)
{
	return role == SCHED_ROLE_CHOICE || role == SCHED_ROLE_FORM;
}

/* A tiling parameter: an integer in [min, max], or one of `choices` (stored as its index). */
struct sched_tparam {
	const char *name;
	const char *doc;
	enum sched_role role;
	int64_t min, max;
	const char *const *choices;	/* NULL-terminated; NULL for integers */
};

struct tiling {
	int64_t v[SCHED_MAX_PARAMS];
	bool set[SCHED_MAX_PARAMS];
};

/* What a tiling needs on chip. */
struct sched_fit {
	uint64_t l1_bytes;		/* peak L1 footprint */
	char formula[160];		/* how l1_bytes is made up, for messages */
	char note[320];			/* sched_plan(): what a user should know of its choice */
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
	/*
	 * Query rows per row block under tiling t where they are not the ROWS
	 * parameter (FLAT fusing a whole head); NULL: the ROWS parameter,
	 * clipped to the queries.  For sched_min_instructions().
	 */
	uint64_t (*block_rows)(const struct workload *w, const struct tiling *t);
};

/* The registry: every dataflow, in the order lists and tables show them. */
const struct sched *sched_find(const char *name);
size_t sched_count(void);
const struct sched *sched_at(size_t i);
/* "mas, flat, flash or layerwise", for messages and usage text. */
void sched_names(char *buf, size_t len);
/* The same joined by sep: "mas,flat,flash,layerwise". */
void sched_join(char *buf, size_t len, const char *sep);
#define SCHED_NAMES_MAX 256

/* A tiling's rows and cols, clipped to the workload's query and key lengths. */
static inline uint64_t
sched_rows(const struct workload *w, int64_t rows)
{
	return (uint64_t)rows < w->q_len ? (uint64_t)rows : w->q_len;
}

static inline uint64_t
sched_cols(const struct workload *w, int64_t cols)
{
	return (uint64_t)cols < w->k_len ? (uint64_t)cols : w->k_len;
}

/* The index of the parameter of that name, or of the first with that role; -1 if none. */
int sched_param_index(const struct sched *s, const char *name);
int sched_role_index(const struct sched *s, enum sched_role role);
/* The value of the parameter with that role in t, or dflt when the dataflow has none. */
int64_t sched_role_value(const struct sched *s, const struct tiling *t, enum sched_role role,
    int64_t dflt);

/*
 * The fewest instructions tiling t can make for workload w: a matmul of
 * QK^T and one of PV for every key block each row block sees, in every
 * head (every dataflow emits at least those), saturating at UINT64_MAX.
 * It costs a few operations, where counting exactly means planning.
 */
uint64_t sched_min_instructions(const struct sched *s, const struct workload *w,
    const struct tiling *t);

/*
 * Planning or replaying more than this many instructions takes minutes
 * (the default of --max-instructions): a larger run is refused up front.
 */
#define SCHED_MAX_INSTRUCTIONS (1ull << 30)

/*
 * Refuse (-1, with the estimate and what to change in e) a tiling whose
 * sched_min_instructions() passes limit.
 */
int sched_check_size(const struct sched *s, const struct workload *w, const struct tiling *t,
    uint64_t limit, struct errbuf *e);

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
 * Every head runs alike, so once the pipelines are full each head adds
 * the same time: sched_proxy() makes the workload of the first `units`
 * heads (heads of one batch element, then whole batch elements; out) and
 * returns how many it holds; sched_extrapolate() gives the whole's
 * makespan from those of a and b heads, ma + (units - a)(mb - ma)/(b - a),
 * saturating.  One head and two are not enough: DMA and the next head's
 * loads reach their steady state from the third (MAS online on vit-b14
 * and flat-edge plans 27,956 cycles for one head, 44,436 for two and
 * 284,996 for twelve), so two and four stand for the whole.
 */
uint64_t sched_proxy(const struct workload *w, uint64_t units, struct workload *out);
uint64_t sched_extrapolate(uint64_t ma, uint64_t a, uint64_t mb, uint64_t b, uint64_t units);

/*
 * The planned makespan of tiling t on the whole of w, by which the search
 * ranks candidates: planned whole below SCHED_WHOLE_INSTRUCTIONS (at
 * least, sched_min_instructions()) or for at most 4 heads, else
 * extrapolated from two heads and four.  instr: instructions planned.
 */
#define SCHED_WHOLE_INSTRUCTIONS (16u * 1024)
/* That rule: is w judged whole under t, rather than by two heads and four? */
bool sched_judge_whole(const struct sched *s, const struct workload *w, const struct tiling *t);
int sched_plan_whole(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct tiling *t, uint64_t *makespan, uint64_t *instr, struct errbuf *e);

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
 * Complete the tiling asked (NULL: nothing asked) by the plan alone
 * (sched_plan()) into res; eval_prepare() refines the choice with the
 * replay, as the command line does.
 */
int sched_prepare(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct tiling *asked, bool allow_spill, struct sched_result *res, struct errbuf *e);

/*
 * What writing the plan res was prepared for would produce, without
 * writing it: every head of every batch is planned the same way, so one
 * head is planned into a counter and its instructions and bytes
 * multiplied (exact for the dataflows here, which treat heads alike), and
 * the makespan is sched_plan_whole()'s (heads overlap in a pipeline).
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
