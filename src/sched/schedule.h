/* sched: the dataflows, their tiling parameters and the helpers they share. */
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
 * Plan (tiling text, possibly empty, completed by sched_plan()) and write
 * the trace to `out` with a header naming the scheduler, the tiling and
 * `command`.  On any error nothing is left under `out`.
 */
int sched_run(const struct sched *s, const struct npu *n, const struct workload *w,
    const char *tiling, bool allow_spill, const char *command, const char *out,
    struct sched_result *res, struct errbuf *e);
/* The header of a trace of the plan res was prepared for, made by `command` (may be NULL). */
void sched_header(struct trace_header *h, const struct sched *s, const struct npu *n,
    const struct workload *w, const struct sched_result *res, const char *command);

/*
 * The second half of sched_run(): write the plan res was prepared for
 * (sched_prepare()) to `out`, reporting instructions written against
 * `expected` (sched_estimate(), or 0) through p, which may be NULL.
 */
int sched_write(const struct sched *s, const struct npu *n, const struct workload *w,
    const char *command, const char *out, const struct progress *p, uint64_t expected,
    struct sched_result *res, struct errbuf *e);

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

/* The same into an open writer, for callers that make their own. */
int sched_emit_to(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct tiling *t, struct trace_writer *wr, struct sched_result *res,
    struct errbuf *e);

/* ---- shared by the dataflows ----------------------------------------- */

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

/* Slots are laid out on 64-byte lines. */
uint64_t sched_align(uint64_t bytes);
/* Do rows x cols tiles fit the MAC's L0A/L0B/L0C?  (Always, without L0.) */
int sched_fit_l0(const struct npu *n, const struct workload *w, uint64_t R, uint64_t C,
    struct errbuf *e);

/* Tiles of a head: row block i covers rows [r0, r0 + rows), key block j [c0, c0 + cols). */
struct sctx {
	struct emit *em;
	const struct npu *npu;
	const struct workload *wl;
	struct wl_layout dl;
	uint64_t e;		/* element bytes */
	uint32_t R, C, VR;	/* rows, cols, VEC rows */
	uint32_t nrb, ncb;	/* row and key blocks per head */
	bool l0;
	uint64_t l1_top;	/* L1 bytes laid out so far */
	/*
	 * DRAM from here on is the dataflow's own scratch, which no slot
	 * tracks: transfers of it wait for the last emit_sync().
	 */
	uint64_t scratch;
	/*
	 * L0 tiles: P and S double-buffered when two fit beside the others, K
	 * and V tiles taking turns in a ring of up to 4 buffers when two of the
	 * larger fit L0B (else one K and one V), so that MTE moves the next tile
	 * while the MAC works; uses alternate through the counters.
	 */
	int l0a_q, l0a_p[2], l0b[4], l0c_s[2], l0c_o;
	int l0b_k, l0b_v;		/* without a ring */
	unsigned nl0a, nl0b, nl0c;	/* buffers: 1 or 2; ring of 0 (none), 2, 3 or 4 */
	unsigned up, ub, us;		/* uses so far */
	int l0a_q_holds;	/* L1 slot whose Q tile is in L0A, -1 if none */
	uint64_t l0a_q_version;
	int slots[EMIT_MAX_SLOTS];
	unsigned nslots;
};

void sctx_init(struct sctx *sc, struct emit *em, const struct workload *w, uint32_t R,
    uint32_t C, uint32_t VR);
/* An L1 slot of `size` bytes, laid out after the previous ones, with its ALLOC. */
int sctx_l1(struct sctx *sc, uint64_t size, unsigned tensor);
/* FREE every slot laid out. */
void sctx_free_all(struct sctx *sc);

uint32_t sctx_rows(const struct sctx *sc, uint32_t i);	/* rows of row block i */
uint32_t sctx_cols(const struct sctx *sc, uint32_t j);	/* cols of key block j */
uint32_t sctx_visible(const struct sctx *sc, uint32_t i);	/* key blocks row block i sees */
bool sctx_diagonal(const struct sctx *sc, uint32_t i, uint32_t j);	/* partly masked */

/* DMA between DRAM and an L1 slot. */
void sctx_load(struct sctx *sc, uint32_t b, uint32_t h, uint32_t rb, uint32_t cb,
    uint64_t dram, int slot, uint64_t bytes, unsigned tensor);
void sctx_store(struct sctx *sc, uint32_t b, uint32_t h, uint32_t rb, uint32_t cb,
    int slot, uint64_t dram, uint64_t bytes, unsigned tensor);
struct skv;
/*
 * Every S tile row block i sees, into slots s[], with K tiles from kv
 * (loaded as they are needed): with an L0 ring, the next K tile moves into
 * L0 while this one multiplies.
 */
void sctx_qk_kv(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i, int q,
    const int *s);
void sctx_qk(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int q,
    int k, int s);
/* O (+)= P tile (i, j) x V tile j; acc in L0C, or in L1 slot o without L0. */
void sctx_pv(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int p,
    int v, int o, bool first);
/* Bring an accumulated O out of L0C into L1 slot o (nothing without L0). */
void sctx_o_out(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, int o);
/*
 * Exact two-pass softmax of row block i, tiles in s[0 .. visible), in place;
 * without `divide` the tiles keep the exponentials and l their row sums.
 */
void sctx_softmax(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, const int *s,
    int m, int l, bool divide);
/* Divide the rows of row block i's O (slot o) by their sums in l, in place. */
void sctx_normalize(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, int o, int l);

/*
 * K and V tiles: two of each, loaded in turn for every use (stream), or
 * every tile of a head, each loaded at its first use and kept until the
 * next head (resident).
 */
struct skv {
	bool resident;
	int *k, *v;		/* slots: 2 each, or ncb each */
	/*
	 * Per tensor: stream, uses so far; resident, the head held and its
	 * tiles loaded (K and V apart: a pipeline may start the next head's
	 * QK^T before this head's last PV).
	 */
	struct skv_state { uint32_t n, b, h; } ks, vs;
};

int skv_init(struct sctx *sc, struct skv *kv, bool resident);
/* The slot of K (or V) tile j, loaded for row block i when it must be. */
int skv_k(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i, uint32_t j);
int skv_v(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i, uint32_t j);
void skv_free(struct skv *kv);
/* L1 bytes of the K and V tiles, for fit() */
uint64_t skv_bytes(const struct workload *w, uint64_t cols, bool resident);

#endif
