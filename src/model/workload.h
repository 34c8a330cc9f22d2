/* workload: the attention problem a schedule computes. */
#ifndef MASTRACE_WORKLOAD_H
#define MASTRACE_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"

#define WL_NAME_MAX 64
#define WL_SPEC_MAX 160
/* the longest sequence a workload may have (--seq, q=, k=) */
#define WL_MAX_SEQ 16777216u

/*
 * softmax(Q K^T / sqrt(d_qk)) V for `batch` x `heads` independent heads,
 * Q: q_len x d_qk, K: k_len x d_qk, V: k_len x d_v, elements of elem_bytes.
 * A causal mask is aligned to the bottom right (query i sees keys
 * j <= i + k_len - q_len), which is what decoding with a KV cache needs.
 */
struct workload {
	char name[WL_NAME_MAX];
	uint32_t batch, heads;
	uint32_t q_len, k_len;
	uint32_t d_qk, d_v;
	uint32_t elem_bytes;
	bool causal;
};

struct wl_preset {
	const char *name;
	const char *summary;	/* what model and layer this is, and the source */
	struct workload wl;
};

/* The presets, in the order `workload list` shows; NULL past the end or for no such name. */
size_t wl_preset_count(void);
const struct wl_preset *wl_preset_at(size_t i);
const struct wl_preset *wl_preset_find(const char *name);
#define WL_DEFAULT_PRESET "bert-base"

/*
 * Parse "NAME", "NAME,key=value,..." or "key=value,...".  Keys: b, h, q,
 * k, s (q and k), d (d_qk and d_v), dqk, dv, bytes, causal.  Without a
 * NAME every shape key must be given.  Errors name the spec and column.
 */
int wl_parse(const char *spec, struct workload *out, struct errbuf *e);

/* --seq N: set both lengths, then revalidate. */
int wl_set_seq(struct workload *w, uint64_t seq, struct errbuf *e);

/* Every field within its range (as a spec's keys are); -1 naming the key that is not. */
int wl_validate(const struct workload *w, struct errbuf *e);

/* The canonical key=value spelling that wl_parse() reads back. */
void wl_format(const struct workload *w, char *buf, size_t len);

/* Unmasked (query, key) pairs over the whole batch and all heads. */
uint64_t wl_score_pairs(const struct workload *w);
/* MACs of Q K^T and of P V, masked pairs skipped. */
uint64_t wl_macs_qk(const struct workload *w);
uint64_t wl_macs_pv(const struct workload *w);
/* Bytes every dataflow must move: Q, K, V read once, O written once. */
uint64_t wl_compulsory_bytes(const struct workload *w);

/*
 * Where the tensors live in DRAM, in bytes, every trace of this workload
 * agrees on: Q [b][h][q][dqk], then K [b][h][k][dqk], V [b][h][k][dv] and
 * O [b][h][q][dv], each row-major and packed.  Scratch space (scores a
 * layer-wise schedule spills) starts at `end`.
 */
struct wl_layout {
	uint64_t q, k, v, o, end;
	uint64_t q_head, k_head, v_head, o_head;	/* bytes per (b, h) */
};
void wl_layout(const struct workload *w, struct wl_layout *l);
/* Byte address of row `row` of head (b, h) of a tensor. */
uint64_t wl_q_row(const struct workload *w, const struct wl_layout *l, uint32_t b, uint32_t h, uint64_t row);
uint64_t wl_k_row(const struct workload *w, const struct wl_layout *l, uint32_t b, uint32_t h, uint64_t row);
uint64_t wl_v_row(const struct workload *w, const struct wl_layout *l, uint32_t b, uint32_t h, uint64_t row);
uint64_t wl_o_row(const struct workload *w, const struct wl_layout *l, uint32_t b, uint32_t h, uint64_t row);
/* Is key `col` hidden from query `row` by the causal mask? */
static inline bool
wl_masked(const struct workload *w, uint64_t row, uint64_t col)
{
	return w->causal && col > row + (w->k_len - w->q_len);
}

#endif
