/* sched-flat: FLAT, QK^T -> softmax -> PV fused per block, one step after another. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "array.h"
#include "tiles.h"

static const char *const grans[] = { "row", "head", "batch", NULL };
enum { G_ROW, G_HEAD, G_BATCH };

static const struct sched_tparam params[] = {
	{ "gran", "fusion granularity: a row block, a whole head, or all heads of a batch",
	  SCHED_ROLE_FORM, 0, 2, grans },
	{ "rows", "query rows per row block (gran=row)", SCHED_ROLE_ROWS, 1, 1 << 24, NULL },
	{ "cols", "keys per key block (MAC sub-tile)", SCHED_ROLE_COLS, 1, 1 << 24, NULL },
	{ "vrows", "rows per VEC instruction", SCHED_ROLE_VROWS, 1, 1 << 24, NULL },
	{ "prefetch", SCHED_PREFETCH_DOC, SCHED_ROLE_ABLATION, 0, 1, sched_on_off },
	{ "kv", SCHED_KV_DOC " (gran=row)", SCHED_ROLE_CHOICE, 0, 1, sched_kv_choices },
	{ "norm", SCHED_NORM_DOC, SCHED_ROLE_CHOICE, 0, 1, sched_norm_choices },
};
enum { P_GRAN, P_ROWS, P_COLS, P_VROWS, P_PREFETCH, P_KV, P_NORM };

/* Rows fused at once and heads fused at once. */
static void
shape(const struct workload *w, const struct tiling *t, uint64_t *R, uint64_t *heads)
{
	*R = t->v[P_GRAN] == G_ROW ? sched_rows(w, t->v[P_ROWS]) : w->q_len;
	*heads = t->v[P_GRAN] == G_BATCH ? w->heads : 1;
}

static int
fit(const struct npu *n, const struct workload *w, const struct tiling *t,
    struct sched_fit *f, struct errbuf *e)
{
	uint64_t R, H, el = w->elem_bytes;
	uint64_t C = sched_cols(w, t->v[P_COLS]);
	uint64_t ncb = (w->k_len + C - 1) / C;
	bool resident = t->v[P_KV] == SCHED_KV_RESIDENT;

	if (resident && t->v[P_GRAN] != G_ROW)
		return errbuf_set(e, "parameter 'kv': resident needs gran=row (a fused head "
		    "or batch reads K and V once already)");
	shape(w, t, &R, &H);
	if (sched_fit_l0(n, w, R, C, false, e) != 0)
		return -1;
	f->l1_bytes = H * (sched_align(R * w->d_qk * el) + ncb * sched_align(R * C * el) +
	    sched_align(R * w->d_v * el) + 2 * sched_align(R * el)) + skv_bytes(w, C, resident);
	snprintf(f->formula, sizeof f->formula, "%llu head(s) x (Q + rows x k scores + O + row "
	    "max and sum) + %s", (unsigned long long)H,
	    resident ? "a head's K and V" : "2 K and 2 V tiles");
	return 0;
}

static int
emit(void *ctx, struct emit *em, const struct workload *w, const struct tiling *t)
{
	struct sctx *sc = ctx;
	struct skv kv;
	uint64_t R, H, el = w->elem_bytes, C;
	uint32_t b, h0, hh, i, j;
	int *q, *o, *m, *l, *s;
	bool divide = t->v[P_NORM] == SCHED_NORM_P;

	shape(w, t, &R, &H);
	sctx_init(sc, em, w, (uint32_t)R, (uint32_t)t->v[P_COLS], (uint32_t)t->v[P_VROWS],
	    false);
	em->prefetch = t->v[P_PREFETCH] == 0;
	R = sc->R;
	C = sc->C;
	q = calloc(H * 4 + H * sc->ncb, sizeof *q);
	if (q == NULL)
		return errbuf_set(em->e, "out of memory");
	o = q + H;
	m = o + H;
	l = m + H;
	s = l + H;
	for (hh = 0; hh < H; hh++) {
		q[hh] = sctx_l1(sc, R * w->d_qk * el, ISA_T_Q);
		for (j = 0; j < sc->ncb; j++)
			s[hh * sc->ncb + j] = sctx_l1(sc, R * C * el, ISA_T_S);
		o[hh] = sctx_l1(sc, R * w->d_v * el, ISA_T_O);
		m[hh] = sctx_l1(sc, R * el, ISA_T_M);
		l[hh] = sctx_l1(sc, R * el, ISA_T_L);
	}
	if (skv_init(sc, &kv, t->v[P_KV] == SCHED_KV_RESIDENT) != 0) {
		free(q);
		return -1;
	}
	for (b = 0; b < w->batch && !em->failed; b++)
	for (h0 = 0; h0 < w->heads && !em->failed; h0 += (uint32_t)H)
	for (i = 0; i < sc->nrb && !em->failed; i++) {
		/* step 1: QK^T for every fused head */
		for (hh = 0; hh < H; hh++) {
			sctx_load(sc, b, h0 + hh, i * sc->R, 0, wl_q_row(w, &sc->dl, b, h0 + hh,
			    (uint64_t)i * sc->R), q[hh], (uint64_t)sctx_rows(sc, i) * w->d_qk * el,
			    ISA_T_Q);
			sctx_qk_kv(sc, &kv, b, h0 + hh, i, 0, sctx_visible(sc, i), q[hh],
			    &s[hh * sc->ncb]);
		}
		emit_barrier(em);
		/* step 2: softmax; the MAC waits */
		for (hh = 0; hh < H; hh++)
			sctx_softmax(sc, b, h0 + hh, i, &s[hh * sc->ncb], m[hh], l[hh], divide);
		emit_barrier(em);
		/* step 3: PV; the VEC waits (but for the division of O, with norm=o) */
		for (hh = 0; hh < H; hh++) {
			sctx_pv_row(sc, &kv, b, h0 + hh, i, 0, sctx_visible(sc, i), &s[hh * sc->ncb],
			    o[hh]);
			if (!divide)
				sctx_normalize(sc, b, h0 + hh, i, o[hh], l[hh]);
			sctx_store(sc, b, h0 + hh, i * sc->R, 0, o[hh], wl_o_row(w, &sc->dl, b,
			    h0 + hh, (uint64_t)i * sc->R), (uint64_t)sctx_rows(sc, i) * w->d_v * el,
			    ISA_T_O);
		}
		emit_barrier(em);
	}
	sctx_free_all(sc);
	skv_free(&kv);
	free(q);
	return emit_finish(em);
}

/* A fused head or batch is one row block of all the queries. */
static uint64_t
block_rows(const struct workload *w, const struct tiling *t)
{
	uint64_t R, heads;

	shape(w, t, &R, &heads);
	return R;
}

const struct sched sched_flat = {
	"flat", "FLAT: QK^T, softmax and PV fused per row block, head or batch, in sequence",
	params, ARRAY_LEN(params), sizeof(struct sctx), fit, emit, block_rows,
};
