/* tiles: what the dataflows share: tile shapes, L1 slots and the steps of attention. */
#ifndef MASTRACE_TILES_H
#define MASTRACE_TILES_H

#include <stdbool.h>
#include <stdint.h>

#include "emit.h"
#include "schedule.h"


/* Slots are laid out on 64-byte lines. */
uint64_t sched_align(uint64_t bytes);
/*
 * Rows of the cube tile of a row block of R rows by C keys, the fewest a
 * dataflow may take (with O whole in L0C where that is possible): R when
 * L0 holds them all or there is no L0, 0 when not even one row fits.
 */
uint64_t sched_cube_rows(const struct npu *n, const struct workload *w, uint64_t R, uint64_t C);
/*
 * Does L0 hold a cube tile of a row block of R rows by C keys?  The MAC
 * takes a row block a cube tile of rows at a time, as many as L0A and L0C
 * hold, so only one row must fit; with o_whole, O of the whole row block
 * must also stay in L0C (a dataflow whose PV cannot walk cube tile by
 * cube tile).  Always, without L0.
 */
int sched_fit_l0(const struct npu *n, const struct workload *w, uint64_t R, uint64_t C,
    bool o_whole, struct errbuf *e);

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
	/*
	 * The cube tile: MR rows of a row block per MAC step (R when L0 holds
	 * them); O of the whole row block in L0C (o_whole), or of a cube tile.
	 */
	uint32_t MR;
	bool o_whole;
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
	uint32_t l0a_q_rows;	/* the first row in it, of that slot */
	int slots[EMIT_MAX_SLOTS];
	unsigned nslots;
};

/*
 * The tiles of w at R rows by C keys (clipped to the problem), VEC rows
 * VR, and L0's buffers laid out if the NPU has them: the cube tile as
 * sched_fit_l0() found it fits, with O of a row block kept whole in L0C
 * when o_whole (a PV that accumulates without sctx_pv_row()).
 */
void sctx_init(struct sctx *sc, struct emit *em, const struct workload *w, uint32_t R,
    uint32_t C, uint32_t VR, bool o_whole);
/* An L1 slot of `size` bytes, laid out after the previous ones, with its ALLOC. */
int sctx_l1(struct sctx *sc, uint64_t size, unsigned tensor);
/* FREE every slot laid out. */
void sctx_free_all(struct sctx *sc);

/* The shapes of blocks: the last row and key blocks may be short. */
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
 * S tiles [j0, j0 + n) of row block i, into slots s[0 .. n), with K tiles
 * from kv (loaded as they are needed): with an L0 ring, the next K tile
 * moves into L0 while this one multiplies.
 */
void sctx_qk_kv(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i,
    uint32_t j0, uint32_t n, int q, const int *s);
void sctx_qk(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int q,
    int k, int s);
/*
 * O (+)= P tile (i, j) x V tile j; acc in L0C, or in L1 slot o without L0.
 * Without o_whole, only a first (not accumulating) PV, whose cube tiles
 * leave for slot o as they are done.
 */
void sctx_pv(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int p,
    int v, int o, bool first);
/* Bring an accumulated O out of L0C into L1 slot o (nothing without L0, or done). */
void sctx_o_out(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, int o);
/*
 * O = P V over key blocks [j0, j0 + n) of row block i, P tile j0 + t in
 * slot p[t], V tiles from kv, and O into slot o: key block by key block
 * (sctx_pv(), sctx_o_out()), or, without o_whole and with more than one
 * key block, cube tile by cube tile, each accumulated over the key blocks
 * in L0C (V tiles asked again for each).
 */
void sctx_pv_row(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i,
    uint32_t j0, uint32_t n, const int *p, int o);
/*
 * Exact two-pass softmax of row block i, tiles in s[0 .. visible), in place;
 * without `divide` the tiles keep the exponentials and l their row sums.
 */
void sctx_softmax(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, const int *s,
    int m, int l, bool divide);
/* Divide the rows of row block i's O (slot o) by their sums in l, in place. */
void sctx_normalize(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, int o, int l);

/*
 * The online softmax of score tiles [j0, j0 + n) of row block i (slots
 * s[0 .. n)), in place: m_new = max(m_old, the tiles' row maxima),
 * P = exp(scale (S - m_new)), l = l exp(scale (m_old - m_new)) + row sums
 * of P.  mo is the slot of m_old, or -1 for a row block's first key block
 * (l starts there).
 */
void sctx_online_softmax(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j0,
    uint32_t n, const int *s, int mo, int mn, int l);
/*
 * O += O_old exp(scale (m_old - m_new)): slot on holds key block j's P V
 * and becomes the running output; oo holds the previous one.
 */
void sctx_online_rescale(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int oo,
    int mo, int mn, int on);

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

/* Lay out the K and V slots (two each, or a head's); -1 when memory ran out. */
int skv_init(struct sctx *sc, struct skv *kv, bool resident);
/* The slot of K (or V) tile j, loaded for row block i when it must be. */
int skv_k(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i, uint32_t j);
int skv_v(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i, uint32_t j);
void skv_free(struct skv *kv);
/* L1 bytes of the K and V tiles, for fit() */
uint64_t skv_bytes(const struct workload *w, uint64_t cols, bool resident);

#endif
