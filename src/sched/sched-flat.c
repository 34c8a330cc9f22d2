/* sched-flat: FLAT, QK^T -> softmax -> PV fused per block, one step after another. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "schedule.h"

static const char *const grans[] = { "row", "head", "batch", NULL };
enum { G_ROW, G_HEAD, G_BATCH };

static const struct sched_tparam params[] = {
	{ "gran", "fusion granularity: a row block, a whole head, or all heads of a batch", 0, 2,
	  grans },
	{ "rows", "query rows per row block (gran=row)", 1, 1 << 24, NULL },
	{ "cols", "keys per key block (MAC sub-tile)", 1, 1 << 24, NULL },
	{ "vrows", "rows per VEC instruction", 1, 1 << 24, NULL },
};

/* Rows fused at once and heads fused at once. */
static void
shape(const struct workload *w, const struct tiling *t, uint64_t *R, uint64_t *heads)
{
	*R = t->v[0] == G_ROW ? sched_rows(w, t->v[1]) : w->q_len;
	*heads = t->v[0] == G_BATCH ? w->heads : 1;
}

static int
fit(const struct npu *n, const struct workload *w, const struct tiling *t,
    struct sched_fit *f, struct errbuf *e)
{
	uint64_t R, H, el = w->elem_bytes;
	uint64_t C = sched_cols(w, t->v[2]);
	uint64_t ncb = (w->k_len + C - 1) / C;

	shape(w, t, &R, &H);
	if (sched_fit_l0(n, w, R, C, e) != 0)
		return -1;
	f->l1_bytes = H * (sched_align(R * w->d_qk * el) + ncb * sched_align(R * C * el) +
	    sched_align(R * w->d_v * el) + 2 * sched_align(R * el)) +
	    2 * sched_align(C * w->d_qk * el) + 2 * sched_align(C * w->d_v * el);
	snprintf(f->formula, sizeof f->formula, "%llu head(s) x (Q + rows x k scores + O + row "
	    "max and sum) + 2 K and 2 V tiles", (unsigned long long)H);
	return 0;
}

static int
emit(void *ctx, struct emit *em, const struct workload *w, const struct tiling *t)
{
	struct sctx *sc = ctx;
	uint64_t R, H, el = w->elem_bytes, C;
	uint32_t b, h0, hh, i, j, nvis, kv = 0;
	int *q, *o, *m, *l, *s, k[2], v[2];

	shape(w, t, &R, &H);
	sctx_init(sc, em, w, (uint32_t)R, (uint32_t)t->v[2], (uint32_t)t->v[3]);
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
	for (j = 0; j < 2; j++) {
		k[j] = sctx_l1(sc, C * w->d_qk * el, ISA_T_K);
		v[j] = sctx_l1(sc, C * w->d_v * el, ISA_T_V);
	}
	for (b = 0; b < w->batch && !em->failed; b++)
	for (h0 = 0; h0 < w->heads && !em->failed; h0 += (uint32_t)H)
	for (i = 0; i < sc->nrb && !em->failed; i++) {
		nvis = sctx_visible(sc, i);
		/* step 1: QK^T for every fused head */
		for (hh = 0; hh < H; hh++) {
			sctx_load(sc, b, h0 + hh, i * sc->R, 0, wl_q_row(w, &sc->dl, b, h0 + hh,
			    (uint64_t)i * sc->R), q[hh], (uint64_t)sctx_rows(sc, i) * w->d_qk * el,
			    ISA_T_Q);
			for (j = 0; j < nvis; j++) {
				int kt = k[kv++ % 2];
				sctx_load(sc, b, h0 + hh, i * sc->R, j * sc->C, wl_k_row(w, &sc->dl, b,
				    h0 + hh, (uint64_t)j * sc->C), kt,
				    (uint64_t)sctx_cols(sc, j) * w->d_qk * el, ISA_T_K);
				sctx_qk(sc, b, h0 + hh, i, j, q[hh], kt, s[hh * sc->ncb + j]);
			}
		}
		emit_barrier(em);
		/* step 2: softmax; the MAC waits */
		for (hh = 0; hh < H; hh++)
			sctx_softmax(sc, b, h0 + hh, i, &s[hh * sc->ncb], m[hh], l[hh]);
		emit_barrier(em);
		/* step 3: PV; the VEC waits */
		for (hh = 0; hh < H; hh++) {
			for (j = 0; j < nvis; j++) {
				int vt = v[kv++ % 2];
				sctx_load(sc, b, h0 + hh, i * sc->R, j * sc->C, wl_v_row(w, &sc->dl, b,
				    h0 + hh, (uint64_t)j * sc->C), vt,
				    (uint64_t)sctx_cols(sc, j) * w->d_v * el, ISA_T_V);
				sctx_pv(sc, b, h0 + hh, i, j, s[hh * sc->ncb + j], vt, o[hh], j == 0);
			}
			sctx_o_out(sc, b, h0 + hh, i, o[hh]);
			sctx_store(sc, b, h0 + hh, i * sc->R, 0, o[hh], wl_o_row(w, &sc->dl, b,
			    h0 + hh, (uint64_t)i * sc->R), (uint64_t)sctx_rows(sc, i) * w->d_v * el,
			    ISA_T_O);
		}
		emit_barrier(em);
	}
	sctx_free_all(sc);
	free(q);
	return emit_finish(em);
}

const struct sched sched_flat = {
	"flat", "FLAT: QK^T, softmax and PV fused per row block, head or batch, in sequence",
	params, sizeof params / sizeof params[0], sizeof(struct sctx), fit, emit,
};
