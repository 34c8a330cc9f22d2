/* sched-mas: MAS-Attention, matrix and vector streams in semi-synchronous rounds. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "array.h"
#include "tiles.h"

static const struct sched_tparam params[] = {
	{ "rows", "query rows per row block (L1 tier)", SCHED_ROLE_ROWS, 1, 1 << 24, NULL },
	{ "cols", "keys per key block (MAC sub-tile, L0 tier)", SCHED_ROLE_COLS, 1, 1 << 24,
	  NULL },
	{ "vrows", "rows per VEC instruction (VEC tier)", SCHED_ROLE_VROWS, 1, 1 << 24, NULL },
	{ "overwrite", "proactive overwrite: two score buffers instead of three",
	  SCHED_ROLE_ABLATION, 0, 1, sched_on_off },
	{ "prefetch", SCHED_PREFETCH_DOC, SCHED_ROLE_ABLATION, 0, 1, sched_on_off },
	{ "kv", SCHED_KV_DOC, SCHED_ROLE_CHOICE, 0, 1, sched_kv_choices },
	{ "norm", SCHED_NORM_DOC, SCHED_ROLE_CHOICE, 0, 1, sched_norm_choices },
};
enum { P_ROWS, P_COLS, P_VROWS, P_OVERWRITE, P_PREFETCH, P_KV, P_NORM };

/* Score buffers: block r uses buffer r mod nbuf. */
static unsigned
nbuf(const struct tiling *t)
{
	return t->v[P_OVERWRITE] == 0 ? 2 : 3;
}

/*
 * With norm=o the rows of O(r) are divided on VEC after softmax(r + 1), so
 * O and the row sums are double-buffered: PV(r + 1) and softmax(r + 2)
 * need not wait for that division and O(r)'s store.
 */
static unsigned
nbuf_o(const struct tiling *t)
{
	return t->v[P_NORM] == SCHED_NORM_O ? 2 : 1;
}

static int
fit(const struct npu *n, const struct workload *w, const struct tiling *t,
    struct sched_fit *f, struct errbuf *e)
{
	uint64_t R = sched_rows(w, t->v[P_ROWS]), C = sched_cols(w, t->v[P_COLS]);
	uint64_t el = w->elem_bytes, ncb = (w->k_len + C - 1) / C;
	bool resident = t->v[P_KV] == SCHED_KV_RESIDENT;

	if (sched_fit_l0(n, w, R, C, e) != 0)
		return -1;
	f->l1_bytes = 2 * sched_align(R * w->d_qk * el) + nbuf(t) * ncb * sched_align(R * C * el) +
	    skv_bytes(w, C, resident) + nbuf_o(t) * (sched_align(R * w->d_v * el) +
	    sched_align(R * el)) + sched_align(R * el);
	snprintf(f->formula, sizeof f->formula, "2 Q tiles + %u score buffers of rows x k + "
	    "%s + %s + row max", nbuf(t), resident ? "a head's K and V" : "2 K and 2 V tiles",
	    nbuf_o(t) == 2 ? "2 O tiles and row sums" : "O + row sum");
	return 0;
}

struct mas {
	struct sctx sc;
	struct skv kv;
	int q[2], o[2], m, l[2];
	int *s[3];		/* score tiles per buffer */
	bool divide;		/* norm=p */
};

/* Block x of the stream: every row block of every head, in order. */
static void
block_of(const struct sctx *sc, uint64_t x, uint32_t *b, uint32_t *h, uint32_t *r)
{
	*r = (uint32_t)(x % sc->nrb);
	x /= sc->nrb;
	*h = (uint32_t)(x % sc->wl->heads);
	*b = (uint32_t)(x / sc->wl->heads);
}

/* The matrix stream's QK^T of block x into its buffer. */
static void
qk_block(struct mas *a, const struct tiling *t, uint64_t x)
{
	struct sctx *sc = &a->sc;
	int *s = a->s[x % nbuf(t)], q = a->q[x % 2];
	uint32_t b, h, r;
	uint32_t j, nvis;
	struct isa_instr in;

	block_of(sc, x, &b, &h, &r);
	nvis = sctx_visible(sc, r);
	sctx_load(sc, b, h, r * sc->R, 0, wl_q_row(sc->wl, &sc->dl, b, h, (uint64_t)r * sc->R),
	    q, (uint64_t)sctx_rows(sc, r) * sc->wl->d_qk * sc->e, ISA_T_Q);
	for (j = 0; j < nvis; j++) {
		if (nbuf(t) == 2 && x >= 2) {
			/* new scores take the place of probabilities PV has finished with */
			emit_begin(sc->em, &in, ISA_UNIT_MAC, ISA_OP_OVERWRITE, 0);
			in.b = b;
			in.h = h;
			in.rb = r * sc->R;
			in.cb = j * sc->C;
			emit_write(sc->em, &in, s[j], 0, sc->em->slots[s[j]].size, ISA_T_S);
			emit_issue(sc->em, &in);
		}
	}
	sctx_qk_kv(sc, &a->kv, b, h, r, q, s);
}

/* PV of block x; its O leaves with store_block() (divided first, with norm=o). */
static void
pv_block(struct mas *a, const struct tiling *t, uint64_t x)
{
	struct sctx *sc = &a->sc;
	int *s = a->s[x % nbuf(t)], o = a->o[x % nbuf_o(t)];
	uint32_t j, nvis, b, h, r;

	block_of(sc, x, &b, &h, &r);
	nvis = sctx_visible(sc, r);
	for (j = 0; j < nvis; j++)
		sctx_pv(sc, b, h, r, j, s[j], skv_v(sc, &a->kv, b, h, r, j), o, j == 0);
	sctx_o_out(sc, b, h, r, o);
}

static void
store_block(struct mas *a, const struct tiling *t, uint64_t x)
{
	struct sctx *sc = &a->sc;
	int o = a->o[x % nbuf_o(t)];
	uint32_t b, h, r;

	block_of(sc, x, &b, &h, &r);
	if (!a->divide)
		sctx_normalize(sc, b, h, r, o, a->l[x % nbuf_o(t)]);
	sctx_store(sc, b, h, r * sc->R, 0, o, wl_o_row(sc->wl, &sc->dl, b, h,
	    (uint64_t)r * sc->R), (uint64_t)sctx_rows(sc, r) * sc->wl->d_v * sc->e, ISA_T_O);
}

static int
emit(void *ctx, struct emit *em, const struct workload *w, const struct tiling *t)
{
	struct mas *a = ctx;
	struct sctx *sc = &a->sc;
	uint64_t el = w->elem_bytes, R, C;
	uint32_t b, h, r, j, nb;
	uint64_t x, total;
	int *tiles;

	sctx_init(sc, em, w, (uint32_t)t->v[P_ROWS], (uint32_t)t->v[P_COLS],
	    (uint32_t)t->v[P_VROWS]);
	em->prefetch = t->v[P_PREFETCH] == 0;
	a->divide = t->v[P_NORM] == SCHED_NORM_P;
	R = sc->R;
	C = sc->C;
	nb = nbuf(t);
	tiles = calloc((size_t)nb * sc->ncb, sizeof *tiles);
	if (tiles == NULL)
		return errbuf_set(em->e, "out of memory");
	for (j = 0; j < 2; j++)
		a->q[j] = sctx_l1(sc, R * w->d_qk * el, ISA_T_Q);
	for (r = 0; r < nb; r++) {
		a->s[r] = tiles + (size_t)r * sc->ncb;
		for (j = 0; j < sc->ncb; j++)
			a->s[r][j] = sctx_l1(sc, R * C * el, ISA_T_S);
	}
	if (skv_init(sc, &a->kv, t->v[P_KV] == SCHED_KV_RESIDENT) != 0) {
		free(tiles);
		return -1;
	}
	for (j = 0; j < nbuf_o(t); j++) {
		a->o[j] = sctx_l1(sc, R * w->d_v * el, ISA_T_O);
		a->l[j] = sctx_l1(sc, R * el, ISA_T_L);
	}
	a->m = sctx_l1(sc, R * el, ISA_T_M);
	/*
	 * One stream over every row block of every head: the next head's first
	 * QK^T runs beside this head's last softmax, so the pipeline fills once.
	 */
	total = (uint64_t)w->batch * w->heads * sc->nrb;
	/* round -1: the first scores */
	qk_block(a, t, 0);
	emit_barrier(em);
	for (x = 0; x < total && !em->failed; x++) {
		/* round x: VEC softmax(x) while MAC does PV(x-1), QK(x+1) */
		block_of(sc, x, &b, &h, &r);
		sctx_softmax(sc, b, h, r, a->s[x % nb], a->m, a->l[x % nbuf_o(t)], a->divide);
		if (x >= 1) {
			pv_block(a, t, x - 1);
			store_block(a, t, x - 1);
		}
		if (x + 1 < total)
			qk_block(a, t, x + 1);
		emit_barrier(em);
	}
	pv_block(a, t, total - 1);
	store_block(a, t, total - 1);
	sctx_free_all(sc);
	skv_free(&a->kv);
	free(tiles);
	return emit_finish(em);
}

const struct sched sched_mas = {
	"mas", "MAS-Attention: QK^T and PV on MAC stream beside softmax on VEC, in rounds",
	params, ARRAY_LEN(params), sizeof(struct mas), fit, emit, NULL,
};
