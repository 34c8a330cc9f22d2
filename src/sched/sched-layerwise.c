/* sched-layerwise: no fusion; scores and probabilities go through DRAM. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "array.h"
#include "tiles.h"

static const struct sched_tparam params[] = {
	{ "rows", "query rows per row block", SCHED_ROLE_ROWS, 1, 1 << 24, NULL },
	{ "cols", "keys per key block", SCHED_ROLE_COLS, 1, 1 << 24, NULL },
	{ "vrows", "rows per VEC instruction", SCHED_ROLE_VROWS, 1, 1 << 24, NULL },
	{ "prefetch", SCHED_PREFETCH_DOC, SCHED_ROLE_ABLATION, 0, 1, sched_on_off },
};
enum { P_ROWS, P_COLS, P_VROWS, P_PREFETCH };

static int
fit(const struct npu *n, const struct workload *w, const struct tiling *t,
    struct sched_fit *f, struct errbuf *e)
{
	uint64_t R = sched_rows(w, t->v[P_ROWS]), C = sched_cols(w, t->v[P_COLS]);
	uint64_t el = w->elem_bytes, ncb = (w->k_len + C - 1) / C;

	if (sched_fit_l0(n, w, R, C, true, e) != 0)
		return -1;
	f->l1_bytes = sched_align(R * w->d_qk * el) + 2 * sched_align(C * w->d_qk * el) +
	    2 * sched_align(R * C * el) + ncb * sched_align(R * C * el) + 2 * sched_align(R * el) +
	    2 * sched_align(C * w->d_v * el) + sched_align(R * w->d_v * el);
	snprintf(f->formula, sizeof f->formula, "Q + 2 K tiles + 2 score tiles + rows x k "
	    "scores + row max and sum + 2 V tiles + O");
	return 0;
}

static int
emit(void *ctx, struct emit *em, const struct workload *w, const struct tiling *t)
{
	struct sctx *sc = ctx;
	uint64_t el = w->elem_bytes, R, C, tile, scratch;
	uint32_t b, h, i, j, nvis, kv = 0;
	int q, k[2], st[2], *srow, m, l, v[2], o;

	sctx_init(sc, em, w, (uint32_t)t->v[P_ROWS], (uint32_t)t->v[P_COLS],
	    (uint32_t)t->v[P_VROWS], true);
	em->prefetch = t->v[P_PREFETCH] == 0;
	R = sc->R;
	C = sc->C;
	tile = R * C * el;
	scratch = sc->dl.end;	/* one head's scores, reused head after head */
	sc->scratch = scratch;
	srow = calloc(sc->ncb, sizeof *srow);
	if (srow == NULL)
		return errbuf_set(em->e, "out of memory");
	q = sctx_l1(sc, R * w->d_qk * el, ISA_T_Q);
	for (j = 0; j < 2; j++) {
		k[j] = sctx_l1(sc, C * w->d_qk * el, ISA_T_K);
		st[j] = sctx_l1(sc, tile, ISA_T_S);
	}
	for (j = 0; j < sc->ncb; j++)
		srow[j] = sctx_l1(sc, tile, ISA_T_S);
	m = sctx_l1(sc, R * el, ISA_T_M);
	l = sctx_l1(sc, R * el, ISA_T_L);
	for (j = 0; j < 2; j++)
		v[j] = sctx_l1(sc, C * w->d_v * el, ISA_T_V);
	o = sctx_l1(sc, R * w->d_v * el, ISA_T_O);
#define SCRATCH(i, j) (scratch + ((uint64_t)(i) * sc->ncb + (j)) * tile)
	for (b = 0; b < w->batch && !em->failed; b++)
	for (h = 0; h < w->heads && !em->failed; h++) {
		/* layer 1: every score to DRAM */
		for (i = 0; i < sc->nrb; i++) {
			nvis = sctx_visible(sc, i);
			sctx_load(sc, b, h, i * sc->R, 0, wl_q_row(w, &sc->dl, b, h,
			    (uint64_t)i * sc->R), q, (uint64_t)sctx_rows(sc, i) * w->d_qk * el, ISA_T_Q);
			for (j = 0; j < nvis; j++) {
				int kt = k[kv % 2], s = st[kv % 2];
				uint64_t bytes = (uint64_t)sctx_rows(sc, i) * sctx_cols(sc, j) * el;
				kv++;
				sctx_load(sc, b, h, i * sc->R, j * sc->C, wl_k_row(w, &sc->dl, b, h,
				    (uint64_t)j * sc->C), kt, (uint64_t)sctx_cols(sc, j) * w->d_qk * el,
				    ISA_T_K);
				sctx_qk(sc, b, h, i, j, q, kt, s);
				sctx_store(sc, b, h, i * sc->R, j * sc->C, s, SCRATCH(i, j), bytes, ISA_T_S);
			}
		}
		emit_sync(em);
		/* layer 2: softmax from DRAM to DRAM */
		for (i = 0; i < sc->nrb; i++) {
			nvis = sctx_visible(sc, i);
			for (j = 0; j < nvis; j++)
				sctx_load(sc, b, h, i * sc->R, j * sc->C, SCRATCH(i, j), srow[j],
				    (uint64_t)sctx_rows(sc, i) * sctx_cols(sc, j) * el, ISA_T_S);
			sctx_softmax(sc, b, h, i, srow, m, l, true);
			for (j = 0; j < nvis; j++)
				sctx_store(sc, b, h, i * sc->R, j * sc->C, srow[j], SCRATCH(i, j),
				    (uint64_t)sctx_rows(sc, i) * sctx_cols(sc, j) * el, ISA_T_P);
		}
		emit_sync(em);
		/* layer 3: PV */
		for (i = 0; i < sc->nrb; i++) {
			nvis = sctx_visible(sc, i);
			for (j = 0; j < nvis; j++) {
				int pt = st[kv % 2], vt = v[kv % 2];
				kv++;
				sctx_load(sc, b, h, i * sc->R, j * sc->C, SCRATCH(i, j), pt,
				    (uint64_t)sctx_rows(sc, i) * sctx_cols(sc, j) * el, ISA_T_P);
				sctx_load(sc, b, h, i * sc->R, j * sc->C, wl_v_row(w, &sc->dl, b, h,
				    (uint64_t)j * sc->C), vt, (uint64_t)sctx_cols(sc, j) * w->d_v * el,
				    ISA_T_V);
				sctx_pv(sc, b, h, i, j, pt, vt, o, j == 0);
			}
			sctx_o_out(sc, b, h, i, o);
			sctx_store(sc, b, h, i * sc->R, 0, o, wl_o_row(w, &sc->dl, b, h,
			    (uint64_t)i * sc->R), (uint64_t)sctx_rows(sc, i) * w->d_v * el, ISA_T_O);
		}
		emit_sync(em);		/* the next head reuses the scratch */
	}
#undef SCRATCH
	sctx_free_all(sc);
	free(srow);
	return emit_finish(em);
}

const struct sched sched_layerwise = {
	"layerwise", "no fusion: all QK^T to DRAM, softmax DRAM to DRAM, then PV",
	params, ARRAY_LEN(params), sizeof(struct sctx), fit, emit, NULL,
};
