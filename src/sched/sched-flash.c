/* sched-flash: FlashAttention-2 on the NPU, online softmax over key blocks. */
#include "config.h"

#include <stdio.h>

#include "array.h"
#include "tiles.h"

static const struct sched_tparam params[] = {
	{ "rows", "query rows per row block", SCHED_ROLE_ROWS, 1, 1 << 24, NULL },
	{ "cols", "keys per key block", SCHED_ROLE_COLS, 1, 1 << 24, NULL },
	{ "prefetch", SCHED_PREFETCH_DOC, SCHED_ROLE_ABLATION, 0, 1, sched_on_off },
	{ "kv", SCHED_KV_DOC, SCHED_ROLE_CHOICE, 0, 1, sched_kv_choices },
};
enum { P_ROWS, P_COLS, P_PREFETCH, P_KV };

static int
fit(const struct npu *n, const struct workload *w, const struct tiling *t,
    struct sched_fit *f, struct errbuf *e)
{
	uint64_t R = sched_rows(w, t->v[P_ROWS]), C = sched_cols(w, t->v[P_COLS]);
	uint64_t el = w->elem_bytes;

	if (sched_fit_l0(n, w, R, C, false, e) != 0)
		return -1;
	bool resident = t->v[P_KV] == SCHED_KV_RESIDENT;

	f->l1_bytes = 2 * sched_align(R * w->d_qk * el) + skv_bytes(w, C, resident) +
	    sched_align(R * C * el) + 2 * sched_align(R * w->d_v * el) + 3 * sched_align(R * el);
	snprintf(f->formula, sizeof f->formula, "2 Q tiles + %s + one score tile + "
	    "2 O tiles + 2 running maxima + running sum",
	    resident ? "a head's K and V" : "2 K and 2 V tiles");
	return 0;
}

static int
emit(void *ctx, struct emit *em, const struct workload *w, const struct tiling *t)
{
	struct sctx *sc = ctx;
	uint64_t el = w->elem_bytes, R, rows;
	uint32_t b, h, i, j, nvis, mo, oo, blocks = 0;
	int q[2], s, o[2], m[2], l;
	struct skv kv;

	sctx_init(sc, em, w, (uint32_t)t->v[P_ROWS], (uint32_t)t->v[P_COLS],
	    (uint32_t)t->v[P_ROWS], false);
	em->prefetch = t->v[P_PREFETCH] == 0;
	R = sc->R;
	/* two Q tiles: the next row block's arrives while this one runs */
	for (j = 0; j < 2; j++)
		q[j] = sctx_l1(sc, R * w->d_qk * el, ISA_T_Q);
	if (skv_init(sc, &kv, t->v[P_KV] == SCHED_KV_RESIDENT) != 0)
		return -1;
	s = sctx_l1(sc, R * sc->C * el, ISA_T_S);
	for (j = 0; j < 2; j++) {
		o[j] = sctx_l1(sc, R * w->d_v * el, ISA_T_O);
		m[j] = sctx_l1(sc, R * el, ISA_T_M);
	}
	l = sctx_l1(sc, R * el, ISA_T_L);
	for (b = 0; b < w->batch && !em->failed; b++)
	for (h = 0; h < w->heads && !em->failed; h++)
	for (i = 0; i < sc->nrb && !em->failed; i++) {
		int qt = q[blocks++ % 2];
		rows = sctx_rows(sc, i);
		nvis = sctx_visible(sc, i);
		sctx_load(sc, b, h, i * sc->R, 0, wl_q_row(w, &sc->dl, b, h, (uint64_t)i * sc->R),
		    qt, rows * w->d_qk * el, ISA_T_Q);
		mo = 0;		/* which m holds the running max */
		oo = 0;		/* which O holds the running output */
		for (j = 0; j < nvis; j++) {
			int kt = skv_k(sc, &kv, b, h, i, j), vt = skv_v(sc, &kv, b, h, i, j);
			uint32_t mn = j == 0 ? mo : 1 - mo;
			sctx_qk(sc, b, h, i, j, qt, kt, s);
			/* m_new = max(m_old, rowmax S); P = exp(scale (S - m_new)); l */
			sctx_online_softmax(sc, b, h, i, j, 1, &s, j ? m[mo] : -1, m[mn], l);
			/* T = P V; then T += O exp(scale (m_old - m_new)), and T is the new O */
			sctx_pv(sc, b, h, i, j, s, vt, j == 0 ? o[oo] : o[1 - oo], true);
			sctx_o_out(sc, b, h, i, j == 0 ? o[oo] : o[1 - oo]);
			if (j > 0) {
				sctx_online_rescale(sc, b, h, i, j, o[oo], m[mo], m[mn], o[1 - oo]);
				oo = 1 - oo;
			}
			mo = mn;
		}
		sctx_normalize(sc, b, h, i, o[oo], l);
		sctx_store(sc, b, h, i * sc->R, 0, o[oo], wl_o_row(w, &sc->dl, b, h,
		    (uint64_t)i * sc->R), rows * w->d_v * el, ISA_T_O);
	}
	sctx_free_all(sc);
	skv_free(&kv);
	return emit_finish(em);
}

const struct sched sched_flash = {
	"flash", "FlashAttention-2 style: online softmax over key blocks, MAC and VEC in turn",
	params, ARRAY_LEN(params), sizeof(struct sctx), fit, emit, NULL,
};
