/* tiles: the tile vocabulary the dataflows are written in (L1 slots, loads, QK^T, softmax, PV). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tiles.h"

uint64_t
sched_align(uint64_t bytes)
{
	return (bytes + 63) / 64 * 64;
}

/*
 * The cube tile of a row block of R rows by C keys: mr rows of it go
 * through the MAC at a time, the most that L0 holds (all R when they fit,
 * as before), in multiples of the MAC's native height where it can.  O
 * stays in L0C for the whole row block (o_whole) when it fits beside a
 * score tile; otherwise one cube tile of O at a time, which PV then
 * walks cube tile by cube tile (sctx_pv_row()).
 */
static bool
cube_fits(const struct npu *n, const struct workload *w, uint64_t mr, uint64_t C,
    uint64_t o_rows)
{
	return mr * (w->d_qk + C) * w->elem_bytes <= n->l0.a_bytes &&
	    (mr * C + o_rows * w->d_v) * ISA_ACC_BYTES <= n->l0.c_bytes;
}

static void
cube_tile(const struct npu *n, const struct workload *w, uint64_t R, uint64_t C,
    bool need_whole, uint64_t *mr, bool *o_whole)
{
	uint64_t h = n->mac.kind == NPU_MAC_CUBE && n->mac.m > 0 ? n->mac.m : 16;
	uint64_t m, top, step;
	int pass;

	*o_whole = true;
	*mr = R;
	if (!npu_has_l0(n) || cube_fits(n, w, R, C, R))
		return;
	/* whole MAC heights first, O kept whole where it can be; then fewer rows */
	for (pass = 0; pass < 4; pass++) {
		*o_whole = pass % 2 == 0;
		if (need_whole && !*o_whole)
			continue;
		step = pass < 2 ? h : 1;
		top = pass < 2 ? R / h * h : (h - 1 < R ? h - 1 : R);
		for (m = top; m >= step; m -= step)
			if (cube_fits(n, w, m, C, *o_whole ? R : m)) {
				*mr = m;
				return;
			}
	}
	*mr = 0;	/* sched_fit_l0() refuses it */
}

uint64_t
sched_cube_rows(const struct npu *n, const struct workload *w, uint64_t R, uint64_t C)
{
	uint64_t mr;
	bool whole;

	R = sched_rows(w, (int64_t)R);
	C = sched_cols(w, (int64_t)C);
	cube_tile(n, w, R, C, true, &mr, &whole);
	if (mr == 0)
		cube_tile(n, w, R, C, false, &mr, &whole);
	return mr;
}

int
sched_fit_l0(const struct npu *n, const struct workload *w, uint64_t R, uint64_t C,
    bool o_whole, struct errbuf *e)
{
	uint64_t el = w->elem_bytes, a, b, c, mr;
	bool whole;

	R = sched_rows(w, (int64_t)R);
	C = sched_cols(w, (int64_t)C);
	if (!npu_has_l0(n))
		return 0;
	a = (w->d_qk + C) * el;
	b = C * (w->d_qk + w->d_v) * el;
	c = (C + w->d_v) * ISA_ACC_BYTES;
	if (a > n->l0.a_bytes)
		return errbuf_set(e, "parameter 'cols': L0A needs %llu bytes for a cube tile of one "
		    "row ((dqk + cols) x %llu, with %llu cols as used), the NPU has %llu "
		    "(l0.a_kib = %llu)", (unsigned long long)a, (unsigned long long)el,
		    (unsigned long long)C, (unsigned long long)n->l0.a_bytes,
		    (unsigned long long)(n->l0.a_bytes / 1024));
	if (b > n->l0.b_bytes)
		return errbuf_set(e, "parameter 'cols': L0B needs %llu bytes (cols x (dqk + dv) x "
		    "%llu, with %llu cols as used), the NPU has %llu (l0.b_kib = %llu)",
		    (unsigned long long)b, (unsigned long long)el, (unsigned long long)C,
		    (unsigned long long)n->l0.b_bytes,
		    (unsigned long long)(n->l0.b_bytes / 1024));
	if (c > n->l0.c_bytes)
		return errbuf_set(e, "parameter 'cols': L0C needs %llu bytes for a cube tile of one "
		    "row ((cols + dv) x 4, with %llu cols as used), the NPU has %llu (l0.c_kib = "
		    "%llu)", (unsigned long long)c, (unsigned long long)C,
		    (unsigned long long)n->l0.c_bytes, (unsigned long long)(n->l0.c_bytes / 1024));
	cube_tile(n, w, R, C, o_whole, &mr, &whole);
	if (mr == 0)
		return errbuf_set(e, "parameter 'rows': L0C needs %llu bytes to hold O for a row "
		    "block beside a score tile of one row (rows x dv x 4 + cols x 4, with %llu rows "
		    "and %llu cols as used), the NPU has %llu (l0.c_kib = %llu)",
		    (unsigned long long)((R * w->d_v + C) * ISA_ACC_BYTES), (unsigned long long)R,
		    (unsigned long long)C, (unsigned long long)n->l0.c_bytes,
		    (unsigned long long)(n->l0.c_bytes / 1024));
	return 0;
}

/* ---- shared emission ------------------------------------------------- */

void
sctx_init(struct sctx *sc, struct emit *em, const struct workload *w, uint32_t R, uint32_t C,
    uint32_t VR, bool o_whole)
{
	const struct npu *n = em->npu;
	uint64_t e = w->elem_bytes;

	memset(sc, 0, sizeof *sc);
	sc->em = em;
	sc->npu = n;
	sc->wl = w;
	wl_layout(w, &sc->dl);
	sc->e = e;
	sc->R = (uint32_t)sched_rows(w, R);
	sc->C = (uint32_t)sched_cols(w, C);
	sc->VR = VR < sc->R ? VR : sc->R;
	sc->nrb = (w->q_len + sc->R - 1) / sc->R;
	sc->ncb = (w->k_len + sc->C - 1) / sc->C;
	sc->l0 = npu_has_l0(n);
	sc->l0a_q_holds = -1;
	sc->scratch = UINT64_MAX;
	sc->MR = sc->R;
	sc->o_whole = true;
	if (sc->l0) {
		/*
		 * L0A: a cube tile of Q then of P; L0B: K then V tiles; L0C: S
		 * cube tiles then O (the row block's, or a cube tile's), 4-byte
		 */
		uint64_t mr, q, p, k, v, s, o, kv;
		unsigned i;

		cube_tile(n, w, sc->R, sc->C, o_whole, &mr, &sc->o_whole);
		sc->MR = mr > 0 ? (uint32_t)mr : 1;	/* 0 only where fit() refused */
		q = (uint64_t)sc->MR * w->d_qk * e;
		p = (uint64_t)sc->MR * sc->C * e;
		k = (uint64_t)sc->C * w->d_qk * e;
		v = (uint64_t)sc->C * w->d_v * e;
		s = (uint64_t)sc->MR * sc->C * ISA_ACC_BYTES;
		o = (uint64_t)(sc->o_whole ? sc->R : sc->MR) * w->d_v * ISA_ACC_BYTES;
		kv = k > v ? k : v;

		sc->nl0a = q + 2 * p <= n->l0.a_bytes ? 2 : 1;
		sc->nl0b = n->l0.b_bytes / kv >= 2 ? (unsigned)(n->l0.b_bytes / kv < 4 ?
		    n->l0.b_bytes / kv : 4) : 0;
		sc->nl0c = 2 * s + o <= n->l0.c_bytes ? 2 : 1;
		sc->l0a_q = emit_slot(em, ISA_BUF_L0A, 0, q);
		for (i = 0; i < sc->nl0a; i++)
			sc->l0a_p[i] = emit_slot(em, ISA_BUF_L0A, q + i * p, p);
		for (i = 0; i < sc->nl0b; i++)
			sc->l0b[i] = emit_slot(em, ISA_BUF_L0B, i * kv, kv);
		if (sc->nl0b == 0) {
			sc->l0b_k = emit_slot(em, ISA_BUF_L0B, 0, k);
			sc->l0b_v = emit_slot(em, ISA_BUF_L0B, k, v);
		}
		for (i = 0; i < sc->nl0c; i++)
			sc->l0c_s[i] = emit_slot(em, ISA_BUF_L0C, i * s, s);
		sc->l0c_o = emit_slot(em, ISA_BUF_L0C, sc->nl0c * s, o);
	}
}

int
sctx_l1(struct sctx *sc, uint64_t size, unsigned tensor)
{
	struct isa_instr in;
	int slot;

	slot = emit_slot(sc->em, ISA_BUF_L1, sc->l1_top, size);
	if (slot < 0)
		return -1;
	sc->l1_top += (size + 63) / 64 * 64;	/* keep tiles on 64-byte lines */
	sc->slots[sc->nslots++] = slot;
	emit_begin(sc->em, &in, ISA_UNIT_VEC, ISA_OP_ALLOC, 0);
	emit_write(sc->em, &in, slot, 0, size, tensor);
	emit_issue(sc->em, &in);
	return slot;
}

void
sctx_free_all(struct sctx *sc)
{
	struct isa_instr in;
	unsigned i;

	for (i = 0; i < sc->nslots; i++) {
		emit_begin(sc->em, &in, ISA_UNIT_VEC, ISA_OP_FREE, 0);
		emit_write(sc->em, &in, sc->slots[i], 0, sc->em->slots[sc->slots[i]].size,
		    ISA_T_NONE);
		/* a FREE names what dies as a source, though it waits like a write */
		in.src[0] = in.dst[0];
		in.nsrc = 1;
		in.ndst = 0;
		emit_issue(sc->em, &in);
	}
}

uint32_t
sctx_rows(const struct sctx *sc, uint32_t i)
{
	uint32_t r0 = i * sc->R;

	return sc->wl->q_len - r0 < sc->R ? sc->wl->q_len - r0 : sc->R;
}

uint32_t
sctx_cols(const struct sctx *sc, uint32_t j)
{
	uint32_t c0 = j * sc->C;

	return sc->wl->k_len - c0 < sc->C ? sc->wl->k_len - c0 : sc->C;
}

uint32_t
sctx_visible(const struct sctx *sc, uint32_t i)
{
	uint64_t last_row, last_col;

	if (!sc->wl->causal)
		return sc->ncb;
	last_row = (uint64_t)i * sc->R + sctx_rows(sc, i) - 1;
	last_col = last_row + (sc->wl->k_len - sc->wl->q_len);
	return (uint32_t)(last_col / sc->C + 1 < sc->ncb ? last_col / sc->C + 1 : sc->ncb);
}

bool
sctx_diagonal(const struct sctx *sc, uint32_t i, uint32_t j)
{
	uint64_t first_row = (uint64_t)i * sc->R;
	uint64_t last_col = (uint64_t)j * sc->C + sctx_cols(sc, j) - 1;

	return wl_masked(sc->wl, first_row, last_col);
}

static void
coords(struct isa_instr *in, uint32_t b, uint32_t h, uint64_t r0, uint64_t c0)
{
	in->b = b;
	in->h = h;
	in->rb = (uint32_t)r0;
	in->cb = (uint32_t)c0;
}

void
sctx_load(struct sctx *sc, uint32_t b, uint32_t h, uint32_t rb, uint32_t cb, uint64_t dram,
    int slot, uint64_t bytes, unsigned tensor)
{
	struct isa_instr in;

	emit_begin(sc->em, &in, emit_dma(sc->em), ISA_OP_LOAD, 0);
	coords(&in, b, h, rb, cb);
	in.bytes = bytes;
	emit_read_dram(sc->em, &in, dram, bytes, tensor);
	emit_write(sc->em, &in, slot, 0, bytes, tensor);
	if (dram >= sc->scratch)
		emit_after_sync(sc->em, &in);
	emit_issue(sc->em, &in);
}

void
sctx_store(struct sctx *sc, uint32_t b, uint32_t h, uint32_t rb, uint32_t cb, int slot,
    uint64_t dram, uint64_t bytes, unsigned tensor)
{
	struct isa_instr in;

	emit_begin(sc->em, &in, emit_dma(sc->em), ISA_OP_STORE, 0);
	coords(&in, b, h, rb, cb);
	in.bytes = bytes;
	emit_read(sc->em, &in, slot, 0, bytes, tensor);
	emit_write_dram(sc->em, &in, dram, bytes, tensor);
	if (dram >= sc->scratch)
		emit_after_sync(sc->em, &in);
	emit_issue(sc->em, &in);
}

/* MTE: from_bytes at from_off of one slot become to_bytes at to_off of another. */
static void
move_at(struct sctx *sc, uint32_t b, uint32_t h, uint64_t r0, uint64_t c0, int from,
    uint64_t from_off, uint64_t from_bytes, int to, uint64_t to_off, uint64_t to_bytes,
    unsigned tensor)
{
	struct isa_instr in;

	emit_begin(sc->em, &in, ISA_UNIT_MTE, ISA_OP_MOVE, 0);
	coords(&in, b, h, r0, c0);
	in.bytes = to_bytes > from_bytes ? to_bytes : from_bytes;
	emit_read(sc->em, &in, from, from_off, from_bytes, tensor);
	emit_write(sc->em, &in, to, to_off, to_bytes, tensor);
	emit_issue(sc->em, &in);
}

static void
move(struct sctx *sc, uint32_t b, uint32_t h, uint64_t r0, uint64_t c0, int from,
    uint64_t from_bytes, int to, uint64_t to_bytes, unsigned tensor)
{
	move_at(sc, b, h, r0, c0, from, 0, from_bytes, to, 0, to_bytes, tensor);
}

/* Rows of the cube tile of row block i that starts at row u0 of it. */
static uint64_t
cube_rows(const struct sctx *sc, uint32_t i, uint64_t u0)
{
	uint64_t rows = sctx_rows(sc, i);

	return rows - u0 < sc->MR ? rows - u0 : sc->MR;
}

/* The L0B tile for the next K or V: the ring's next, or the fixed one. */
static int
l0b_next(struct sctx *sc, bool v)
{
	return sc->nl0b ? sc->l0b[sc->ub++ % sc->nl0b] : v ? sc->l0b_v : sc->l0b_k;
}

static void
move_k(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int k, int l0k)
{
	uint64_t bytes = (uint64_t)sctx_cols(sc, j) * sc->wl->d_qk * sc->e;

	move(sc, b, h, (uint64_t)i * sc->R, (uint64_t)j * sc->C, k, bytes, l0k, bytes, ISA_T_K);
}

/*
 * Where K tile j comes from: a fixed slot, or the K/V tiles (which load it,
 * so it must be asked for in the order the tiles are used).
 */
struct kfrom {
	int slot;
	struct skv *kv;
	uint32_t b, h, i;
};

static int
k_slot(struct sctx *sc, const struct kfrom *f, uint32_t j)
{
	return f->kv == NULL ? f->slot : skv_k(sc, f->kv, f->b, f->h, f->i, j);
}

/* Q^T of the cube tile at row u0 of row block i in L0A, unless it is there already. */
static void
q_to_l0(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint64_t u0, int q)
{
	uint64_t mr = cube_rows(sc, i, u0), bytes = mr * sc->wl->d_qk * sc->e;

	/* Q stays in L0A for every key block of its row block when it fits whole */
	if (sc->l0a_q_holds == q && sc->l0a_q_version == sc->em->slots[q].writer &&
	    sc->l0a_q_rows == u0)
		return;
	move_at(sc, b, h, (uint64_t)i * sc->R + u0, 0, q, u0 * sc->wl->d_qk * sc->e, bytes,
	    sc->l0a_q, 0, bytes, ISA_T_Q);
	sc->l0a_q_holds = q;
	sc->l0a_q_version = sc->em->slots[q].writer;
	sc->l0a_q_rows = (uint32_t)u0;
}

/* S tile j of row block i = Q K_j^T, a cube tile of rows at a time, with K tile j in l0k. */
static void
qk_tile(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int q, int k,
    int l0k, int s)
{
	const struct workload *w = sc->wl;
	uint64_t e = sc->e, r0 = (uint64_t)i * sc->R, c0 = (uint64_t)j * sc->C;
	uint64_t cols = sctx_cols(sc, j), u0, mr;
	struct isa_instr in;
	int l0s;

	for (u0 = 0; u0 < sctx_rows(sc, i); u0 += mr) {
		mr = cube_rows(sc, i, u0);
		if (sc->l0)
			q_to_l0(sc, b, h, i, u0, q);
		l0s = sc->l0 ? sc->l0c_s[sc->us++ % sc->nl0c] : -1;
		emit_begin(sc->em, &in, ISA_UNIT_MAC, ISA_OP_MATMUL, ISA_F_TRANSB |
		    (wl_masked(w, r0 + u0, c0 + cols - 1) ? ISA_F_MASK : 0));
		coords(&in, b, h, r0 + u0, c0);
		in.m = (uint32_t)mr;
		in.n = (uint32_t)cols;
		in.k = w->d_qk;
		if (sc->l0) {
			emit_read(sc->em, &in, sc->l0a_q, 0, mr * w->d_qk * e, ISA_T_Q);
			emit_read(sc->em, &in, l0k, 0, cols * w->d_qk * e, ISA_T_K);
			emit_write(sc->em, &in, l0s, 0, mr * cols * ISA_ACC_BYTES, ISA_T_S);
		} else {
			emit_read(sc->em, &in, q, u0 * w->d_qk * e, mr * w->d_qk * e, ISA_T_Q);
			emit_read(sc->em, &in, k, 0, cols * w->d_qk * e, ISA_T_K);
			emit_write(sc->em, &in, s, u0 * cols * e, mr * cols * e, ISA_T_S);
		}
		emit_issue(sc->em, &in);
		if (sc->l0)
			move_at(sc, b, h, r0 + u0, c0, l0s, 0, mr * cols * ISA_ACC_BYTES, s,
			    u0 * cols * e, mr * cols * e, ISA_T_S);
	}
}

static void
qk_row(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j0, uint32_t n,
    int q, const struct kfrom *from, const int *s)
{
	/* with a ring, the next K moves in while this tile multiplies */
	bool ahead = sc->l0 && sc->nl0b >= 2;
	int l0k[2] = { -1, -1 }, k[2] = { -1, -1 };
	uint32_t t, j;

	if (n == 0)
		return;
	k[0] = k_slot(sc, from, j0);	/* its load, if any, before the moves */
	/* Q's first cube tile before the K moves: a row block L0 holds keeps its trace */
	if (sc->l0)
		q_to_l0(sc, b, h, i, 0, q);
	for (t = 0; t < n; t++) {
		j = j0 + t;
		if (t == 0 || !ahead) {
			if (t > 0)
				k[t % 2] = k_slot(sc, from, j);
			if (sc->l0) {
				l0k[t % 2] = l0b_next(sc, false);
				move_k(sc, b, h, i, j, k[t % 2], l0k[t % 2]);
			}
		}
		if (ahead && t + 1 < n) {
			k[(t + 1) % 2] = k_slot(sc, from, j + 1);
			l0k[(t + 1) % 2] = l0b_next(sc, false);
			move_k(sc, b, h, i, j + 1, k[(t + 1) % 2], l0k[(t + 1) % 2]);
		}
		qk_tile(sc, b, h, i, j, q, k[t % 2], l0k[t % 2], s[t]);
	}
}

void
sctx_qk(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int q, int k, int s)
{
	struct kfrom f = { k, NULL, 0, 0, 0 };

	qk_row(sc, b, h, i, j, 1, q, &f, &s);
}

void
sctx_qk_kv(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i, uint32_t j0,
    uint32_t n, int q, const int *s)
{
	struct kfrom f = { -1, kv, b, h, i };

	qk_row(sc, b, h, i, j0, n, q, &f, s);
}

/* V tile j into L0B for PV; its L0B tile (-1 without L0). */
static int
v_to_l0(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int v)
{
	uint64_t bytes = (uint64_t)sctx_cols(sc, j) * sc->wl->d_v * sc->e;
	int l0v;

	if (!sc->l0)
		return -1;
	l0v = l0b_next(sc, true);
	move(sc, b, h, (uint64_t)i * sc->R, (uint64_t)j * sc->C, v, bytes, l0v, bytes, ISA_T_V);
	return l0v;
}

/*
 * O (+)= P V for the cube tile at row u0 of row block i, key block j, with
 * V tile j in l0v (or slot v without L0), into O's accumulator at o_off.
 */
static void
pv_cube(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, uint64_t u0, int p,
    int v, int *l0v, int o, uint64_t o_off, bool first)
{
	const struct workload *w = sc->wl;
	uint64_t mr = cube_rows(sc, i, u0), cols = sctx_cols(sc, j), e = sc->e;
	uint64_t r0 = (uint64_t)i * sc->R + u0, c0 = (uint64_t)j * sc->C;
	int l0p = sc->l0 ? sc->l0a_p[sc->up++ % sc->nl0a] : -1;
	struct isa_instr in;

	if (sc->l0)
		move_at(sc, b, h, r0, c0, p, u0 * cols * e, mr * cols * e, l0p, 0, mr * cols * e,
		    ISA_T_P);
	if (sc->l0 && *l0v < 0)
		*l0v = v_to_l0(sc, b, h, i, j, v);
	emit_begin(sc->em, &in, ISA_UNIT_MAC, ISA_OP_MATMUL, first ? 0 : ISA_F_ACC);
	coords(&in, b, h, r0, c0);
	in.m = (uint32_t)mr;
	in.n = w->d_v;
	in.k = (uint32_t)cols;
	if (sc->l0) {
		emit_read(sc->em, &in, l0p, 0, mr * cols * e, ISA_T_P);
		emit_read(sc->em, &in, *l0v, 0, cols * w->d_v * e, ISA_T_V);
		emit_write(sc->em, &in, sc->l0c_o, o_off, mr * w->d_v * ISA_ACC_BYTES, ISA_T_O);
	} else {
		emit_read(sc->em, &in, p, u0 * cols * e, mr * cols * e, ISA_T_P);
		emit_read(sc->em, &in, v, 0, cols * w->d_v * e, ISA_T_V);
		emit_write(sc->em, &in, o, u0 * w->d_v * e, mr * w->d_v * e, ISA_T_O);
	}
	emit_issue(sc->em, &in);
}

/* A cube tile of O, done in L0C (where one is held at a time), out into slot o. */
static void
o_cube_out(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint64_t u0, int o)
{
	uint64_t mr = cube_rows(sc, i, u0), dv = sc->wl->d_v;

	move_at(sc, b, h, (uint64_t)i * sc->R + u0, 0, sc->l0c_o, 0, mr * dv * ISA_ACC_BYTES,
	    o, u0 * dv * sc->e, mr * dv * sc->e, ISA_T_O);
}

void
sctx_pv(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int p, int v, int o,
    bool first)
{
	int l0v = -1;	/* V moves in after the first P */
	uint64_t u0;

	for (u0 = 0; u0 < sctx_rows(sc, i); u0 += sc->MR) {
		pv_cube(sc, b, h, i, j, u0, p, v, &l0v, o, sc->o_whole ? u0 * sc->wl->d_v *
		    ISA_ACC_BYTES : 0, first);
		if (sc->l0 && !sc->o_whole)	/* the next cube tile takes its place */
			o_cube_out(sc, b, h, i, u0, o);
	}
}

void
sctx_o_out(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, int o)
{
	uint64_t rows = sctx_rows(sc, i);

	if (sc->l0 && sc->o_whole)
		move(sc, b, h, (uint64_t)i * sc->R, 0, sc->l0c_o, rows * sc->wl->d_v * ISA_ACC_BYTES, o,
		    rows * sc->wl->d_v * sc->e, ISA_T_O);
}

void
sctx_pv_row(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i, uint32_t j0,
    uint32_t n, const int *p, int o)
{
	uint32_t t;
	uint64_t u0;
	int l0v;

	if (sc->o_whole || n == 1) {
		for (t = 0; t < n; t++)
			sctx_pv(sc, b, h, i, j0 + t, p[t], skv_v(sc, kv, b, h, i, j0 + t), o, t == 0);
		sctx_o_out(sc, b, h, i, o);
		return;
	}
	/* O of a cube tile stays in L0C over every key block; V comes again for each */
	for (u0 = 0; u0 < sctx_rows(sc, i); u0 += sc->MR) {
		for (t = 0; t < n; t++) {
			l0v = -1;
			pv_cube(sc, b, h, i, j0 + t, u0, p[t], skv_v(sc, kv, b, h, i, j0 + t), &l0v, o,
			    0, t == 0);
		}
		o_cube_out(sc, b, h, i, u0, o);
	}
}

/* One VEC instruction over rows [v0, v0 + vr) of tile j of row block i. */
static void
vec_tile(struct sctx *sc, unsigned op, unsigned flags, uint32_t b, uint32_t h, uint32_t i,
    uint32_t j, uint32_t v0, uint32_t vr, int tile, unsigned tin, int vec1, int vec2,
    int out, unsigned tout)
{
	uint64_t cols = sctx_cols(sc, j), e = sc->e;
	struct isa_instr in;

	emit_begin(sc->em, &in, ISA_UNIT_VEC, op, flags);
	coords(&in, b, h, (uint64_t)i * sc->R + v0, (uint64_t)j * sc->C);
	in.m = vr;
	in.n = (uint32_t)cols;
	emit_read(sc->em, &in, tile, (uint64_t)v0 * cols * e, (uint64_t)vr * cols * e, tin);
	if (vec1 >= 0)
		emit_read(sc->em, &in, vec1, (uint64_t)v0 * e, (uint64_t)vr * e,
		    op == ISA_OP_VSUM || op == ISA_OP_VDIV ? ISA_T_L : ISA_T_M);
	if (vec2 >= 0)
		emit_read(sc->em, &in, vec2, (uint64_t)v0 * e, (uint64_t)vr * e, ISA_T_L);
	if (out == tile)
		emit_write(sc->em, &in, tile, (uint64_t)v0 * cols * e, (uint64_t)vr * cols * e, tout);
	else
		emit_write(sc->em, &in, out, (uint64_t)v0 * e, (uint64_t)vr * e, tout);
	emit_issue(sc->em, &in);
}

void
sctx_softmax(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, const int *s, int m, int l,
    bool divide)
{
	uint32_t rows = sctx_rows(sc, i), nvis = sctx_visible(sc, i), v0, vr, j;
	unsigned pass, mask, ends;

	/* maxima; P = exp(scale (S - max)) in place with the row sums; the divide */
	for (pass = 0; pass < (divide ? 3u : 2u); pass++)
		for (j = 0; j < nvis; j++) {
			mask = sctx_diagonal(sc, i, j) ? ISA_F_MASK : 0;
			/* maxima and sums merge across key blocks */
			ends = (j == 0 ? ISA_F_FIRST : 0) | (j + 1 == nvis ? ISA_F_LAST : 0);
			for (v0 = 0; v0 < rows; v0 += sc->VR) {
				vr = rows - v0 < sc->VR ? rows - v0 : sc->VR;
				if (pass == 0) {
					vec_tile(sc, ISA_OP_VMAX, mask | ends, b, h, i, j, v0, vr, s[j],
					    ISA_T_S, j ? m : -1, -1, m, ISA_T_M);
				} else if (pass == 1) {
					vec_tile(sc, ISA_OP_VEXP, mask, b, h, i, j, v0, vr, s[j], ISA_T_S,
					    m, -1, s[j], ISA_T_P);
					vec_tile(sc, ISA_OP_VSUM, ends, b, h, i, j, v0, vr, s[j], ISA_T_P,
					    j ? l : -1, -1, l, ISA_T_L);
				} else {
					vec_tile(sc, ISA_OP_VDIV, 0, b, h, i, j, v0, vr, s[j], ISA_T_P, l,
					    -1, s[j], ISA_T_P);
				}
			}
		}
}

void
sctx_normalize(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, int o, int l)
{
	uint64_t rows = sctx_rows(sc, i), dv = sc->wl->d_v, e = sc->e, v0, vr;
	struct isa_instr in;

	for (v0 = 0; v0 < rows; v0 += sc->VR) {
		vr = rows - v0 < sc->VR ? rows - v0 : sc->VR;
		emit_begin(sc->em, &in, ISA_UNIT_VEC, ISA_OP_VDIV, 0);
		coords(&in, b, h, (uint64_t)i * sc->R + v0, 0);
		in.m = (uint32_t)vr;
		in.n = (uint32_t)dv;
		emit_read(sc->em, &in, o, v0 * dv * e, vr * dv * e, ISA_T_O);
		emit_read(sc->em, &in, l, v0 * e, vr * e, ISA_T_L);
		emit_write(sc->em, &in, o, v0 * dv * e, vr * dv * e, ISA_T_O);
		emit_issue(sc->em, &in);
	}
}

/*
 * One VEC instruction over rows [v0, v0 + vr) of row block i, n wide:
 * operand a (vr x n, or a row vector when n is 1), up to two row vectors
 * x and y, and out, as wide as a when wide.  Key block j only places it.
 */
struct vop {
	unsigned op, flags;
	uint32_t j, n;
	int a, x, y, out;
	unsigned ta, tx, ty, tout;
	bool wide;
};

static void
vec_rows(struct sctx *sc, const struct vop *v, uint32_t b, uint32_t h, uint32_t i,
    uint32_t v0, uint32_t vr)
{
	uint64_t e = sc->e, n = v->n;
	struct isa_instr in;

	emit_begin(sc->em, &in, ISA_UNIT_VEC, v->op, v->flags);
	coords(&in, b, h, (uint64_t)i * sc->R + v0, (uint64_t)v->j * sc->C);
	in.m = vr;
	in.n = v->n;
	emit_read(sc->em, &in, v->a, v0 * n * e, vr * n * e, v->ta);
	if (v->x >= 0)
		emit_read(sc->em, &in, v->x, v0 * e, vr * e, v->tx);
	if (v->y >= 0)
		emit_read(sc->em, &in, v->y, v0 * e, vr * e, v->ty);
	if (v->wide)
		emit_write(sc->em, &in, v->out, v0 * n * e, vr * n * e, v->tout);
	else
		emit_write(sc->em, &in, v->out, v0 * e, vr * e, v->tout);
	emit_issue(sc->em, &in);
}

/* Point v at score tile j of row block i (slot s); a masked op takes the diagonal's flag. */
static void
vop_at(const struct sctx *sc, struct vop *v, uint32_t i, uint32_t j, int s, bool masked)
{
	v->flags = masked && sctx_diagonal(sc, i, j) ? ISA_F_MASK : 0;
	v->j = j;
	v->n = sctx_cols(sc, j);
	v->a = s;
}

void
sctx_online_softmax(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j0, uint32_t n,
    const int *s, int mo, int mn, int l)
{
	uint32_t rows = sctx_rows(sc, i), v0, vr, t;
	struct vop mx = { ISA_OP_VMAX, 0, 0, 0, -1, mo, -1, mn, ISA_T_S, ISA_T_M, 0, ISA_T_M,
	    false };
	struct vop ex = { ISA_OP_VEXP, 0, 0, 0, -1, mn, -1, -1, ISA_T_S, ISA_T_M, 0, ISA_T_P,
	    true };
	struct vop rs = { ISA_OP_VRESCALE, 0, j0, 1, l, mo, mn, l, ISA_T_L, ISA_T_M, ISA_T_M,
	    ISA_T_L, true };
	struct vop sm = { ISA_OP_VSUM, 0, 0, 0, -1, mo >= 0 ? l : -1, -1, l, ISA_T_P, ISA_T_L, 0,
	    ISA_T_L, false };

	/* a strip at a time: its maxima over the tiles, then the exponentials with m_new */
	for (v0 = 0; v0 < rows; v0 += sc->VR) {
		vr = rows - v0 < sc->VR ? rows - v0 : sc->VR;
		for (t = 0; t < n; t++) {
			vop_at(sc, &mx, i, j0 + t, s[t], true);
			mx.x = t == 0 ? mo : mn;	/* the group's maxima merge in m_new */
			vec_rows(sc, &mx, b, h, i, v0, vr);
		}
		for (t = 0; t < n; t++) {
			vop_at(sc, &ex, i, j0 + t, s[t], true);
			ex.out = s[t];
			vec_rows(sc, &ex, b, h, i, v0, vr);
		}
		if (mo >= 0)
			vec_rows(sc, &rs, b, h, i, v0, vr);
		for (t = 0; t < n; t++) {
			vop_at(sc, &sm, i, j0 + t, s[t], false);
			sm.x = mo >= 0 || t > 0 ? l : -1;
			vec_rows(sc, &sm, b, h, i, v0, vr);
		}
	}
}

void
sctx_online_rescale(struct sctx *sc, uint32_t b, uint32_t h, uint32_t i, uint32_t j, int oo,
    int mo, int mn, int on)
{
	uint32_t rows = sctx_rows(sc, i), v0, vr;
	struct vop rs = { ISA_OP_VRESCALE, ISA_F_ACC, j, sc->wl->d_v, oo, mo, mn, on, ISA_T_O,
	    ISA_T_M, ISA_T_M, ISA_T_O, true };

	for (v0 = 0; v0 < rows; v0 += sc->VR) {
		vr = rows - v0 < sc->VR ? rows - v0 : sc->VR;
		vec_rows(sc, &rs, b, h, i, v0, vr);
	}
}

/* ---- K and V tiles ---------------------------------------------------- */

uint64_t
skv_bytes(const struct workload *w, uint64_t cols, bool resident)
{
	uint64_t C = sched_cols(w, (int64_t)cols), el = w->elem_bytes;
	uint64_t n = resident ? (w->k_len + C - 1) / C : 2;

	return n * (sched_align(C * w->d_qk * el) + sched_align(C * w->d_v * el));
}

int
skv_init(struct sctx *sc, struct skv *kv, bool resident)
{
	uint32_t n = resident ? sc->ncb : 2, j;

	memset(kv, 0, sizeof *kv);
	kv->resident = resident;
	kv->ks.b = kv->ks.h = kv->vs.b = kv->vs.h = UINT32_MAX;
	if ((kv->k = calloc(2 * (size_t)n, sizeof *kv->k)) == NULL)
		return errbuf_set(sc->em->e, "out of memory");
	kv->v = kv->k + n;
	for (j = 0; j < n; j++) {
		kv->k[j] = sctx_l1(sc, (uint64_t)sc->C * sc->wl->d_qk * sc->e, ISA_T_K);
		kv->v[j] = sctx_l1(sc, (uint64_t)sc->C * sc->wl->d_v * sc->e, ISA_T_V);
	}
	return 0;
}

void
skv_free(struct skv *kv)
{
	free(kv->k);
	kv->k = kv->v = NULL;
}

static int
kv_tile(struct sctx *sc, struct skv *kv, bool is_v, uint32_t b, uint32_t h, uint32_t i,
    uint32_t j)
{
	const struct workload *w = sc->wl;
	struct skv_state *st = is_v ? &kv->vs : &kv->ks;
	uint64_t d = is_v ? w->d_v : w->d_qk, c0 = (uint64_t)j * sc->C;
	int slot;

	if (kv->resident) {
		if (st->b != b || st->h != h) {
			st->b = b;
			st->h = h;
			st->n = 0;
		}
		slot = (is_v ? kv->v : kv->k)[j];
		/* row blocks see a growing prefix of the key blocks (causal or not) */
		if (j < st->n)
			return slot;
		st->n = j + 1;
	} else {
		slot = (is_v ? kv->v : kv->k)[st->n++ % 2];
	}
	sctx_load(sc, b, h, i * sc->R, (uint32_t)c0, is_v ? wl_v_row(w, &sc->dl, b, h, c0) :
	    wl_k_row(w, &sc->dl, b, h, c0), slot, (uint64_t)sctx_cols(sc, j) * d * sc->e,
	    is_v ? ISA_T_V : ISA_T_K);
	return slot;
}

int
skv_k(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i, uint32_t j)
{
	return kv_tile(sc, kv, false, b, h, i, j);
}

int
skv_v(struct sctx *sc, struct skv *kv, uint32_t b, uint32_t h, uint32_t i, uint32_t j)
{
	return kv_tile(sc, kv, true, b, h, i, j);
}
