/* sched-mas: MAS-Attention, matrix and vector streams in semi-synchronous rounds. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "array.h"
#include "tiles.h"

static const char *const forms[] = { "full", "online", "serial", "group", NULL };
enum { F_FULL, F_ONLINE, F_SERIAL, F_GROUP };

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
	{ "form", "full: each stream holds rows x k scores, as published; online: rows x "
	  "cols scores with an online softmax (norm=o), for long sequences; serial: one "
	  "score buffer, MAC and VEC in turn (FLAT's order, the smallest footprint); group: "
	  "online over groups of as many key blocks as L1 holds, between online and full",
	  SCHED_ROLE_FORM, 0, 3, forms },
};
enum { P_ROWS, P_COLS, P_VROWS, P_OVERWRITE, P_PREFETCH, P_KV, P_NORM, P_FORM };

/*
 * Score buffers: block r (with form=online or group, key group r of the
 * stream) uses buffer r mod nbuf.
 */
static unsigned
nbuf(const struct tiling *t)
{
	if (t->v[P_FORM] == F_SERIAL)
		return 1;
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

/* Does the stream run over groups of key blocks with an online softmax? */
static bool
is_online(const struct tiling *t)
{
	return t->v[P_FORM] == F_ONLINE || t->v[P_FORM] == F_GROUP;
}

/* L1 bytes of the online forms beside their score tiles, and of one tile. */
static uint64_t
online_rest(const struct workload *w, const struct tiling *t, uint64_t *tile)
{
	uint64_t R = sched_rows(w, t->v[P_ROWS]), C = sched_cols(w, t->v[P_COLS]);
	uint64_t el = w->elem_bytes;

	*tile = sched_align(R * C * el);
	return 2 * sched_align(R * w->d_qk * el) + skv_bytes(w, C, t->v[P_KV] ==
	    SCHED_KV_RESIDENT) + 2 * sched_align(R * w->d_v * el) + 5 * sched_align(R * el);
}

/*
 * Key blocks per group of the online forms: 1 with form=online; with
 * form=group as many as L1 holds beside the rest, up to a row's, and at
 * least two (which then may not fit: fit() says so).
 */
static uint64_t
group_blocks(const struct npu *n, const struct workload *w, const struct tiling *t)
{
	uint64_t C = sched_cols(w, t->v[P_COLS]), ncb = (w->k_len + C - 1) / C, tile, rest, g;

	if (t->v[P_FORM] != F_GROUP)
		return 1;
	rest = online_rest(w, t, &tile);
	g = n->l1.capacity_bytes > rest ? (n->l1.capacity_bytes - rest) / (nbuf(t) * tile) : 0;
	if (g > ncb)
		g = ncb;
	return g >= 2 ? g : ncb < 2 ? ncb : 2;
}

static int
fit(const struct npu *n, const struct workload *w, const struct tiling *t,
    struct sched_fit *f, struct errbuf *e)
{
	uint64_t R = sched_rows(w, t->v[P_ROWS]), C = sched_cols(w, t->v[P_COLS]);
	uint64_t el = w->elem_bytes, ncb = (w->k_len + C - 1) / C;
	uint64_t q = sched_align(R * w->d_qk * el), o = sched_align(R * w->d_v * el);
	uint64_t v = sched_align(R * el), kv;
	bool resident = t->v[P_KV] == SCHED_KV_RESIDENT;
	const char *kvs = resident ? "a head's K and V" : "2 K and 2 V tiles";

	if (sched_fit_l0(n, w, R, C, false, e) != 0)
		return -1;
	kv = skv_bytes(w, C, resident);
	if (is_online(t)) {
		uint64_t tile, rest = online_rest(w, t, &tile), g = group_blocks(n, w, t);
		if (t->v[P_NORM] != SCHED_NORM_O)
			return errbuf_set(e, "parameter 'norm': form=%s needs norm=o (a key "
			    "block's probabilities are final only when the row is)",
			    forms[t->v[P_FORM]]);
		f->l1_bytes = rest + nbuf(t) * g * tile;
		if (g == 1)
			snprintf(f->formula, sizeof f->formula, "2 Q tiles + %u score tiles of rows x "
			    "cols + %s + 2 O tiles + 3 running maxima + 2 running sums", nbuf(t), kvs);
		else
			snprintf(f->formula, sizeof f->formula, "2 Q tiles + %u groups of %llu score "
			    "tiles of rows x cols + %s + 2 O tiles + 3 running maxima + 2 running sums",
			    nbuf(t), (unsigned long long)g, kvs);
		return 0;
	}
	f->l1_bytes = 2 * q + nbuf(t) * ncb * sched_align(R * C * el) + kv +
	    nbuf_o(t) * (o + v) + v;
	snprintf(f->formula, sizeof f->formula, "2 Q tiles + %u score buffer%s of rows x k + "
	    "%s + %s + row max", nbuf(t), nbuf(t) == 1 ? "" : "s", kvs,
	    nbuf_o(t) == 2 ? "2 O tiles and row sums" : "O + row sum");
	return 0;
}

struct mas {
	struct sctx sc;
	struct skv kv;
	int q[2], o[2], m, l[2];
	int mo[3];		/* online forms: running maxima, key group u uses u mod 3 */
	int *s[3];		/* score tiles per buffer */
	int *tiles;
	uint32_t G;		/* online forms: key blocks per group */
	bool divide;		/* norm=p */
};

/*
 * With an online form, a stream of key groups: group j (key blocks
 * [j G, j G + n)) of block x (row block r of b, h).
 */
struct unit {
	uint64_t x;
	uint32_t b, h, r, j, n;
	bool last;		/* the last group its row block sees */
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

/*
 * With two score buffers, new scores of key blocks [j0, j0 + n) take the
 * place of probabilities PV has finished with (slots s[0 .. n)).
 */
static void
overwrite(struct sctx *sc, uint32_t b, uint32_t h, uint32_t r, uint32_t j0, uint32_t n,
    const int *s)
{
	struct isa_instr in;
	uint32_t k;

	for (k = 0; k < n; k++) {
		emit_begin(sc->em, &in, ISA_UNIT_MAC, ISA_OP_OVERWRITE, 0);
		in.b = b;
		in.h = h;
		in.rb = r * sc->R;
		in.cb = (j0 + k) * sc->C;
		emit_write(sc->em, &in, s[k], 0, sc->em->slots[s[k]].size, ISA_T_S);
		emit_issue(sc->em, &in);
	}
}

/* The matrix stream's QK^T of block x into its buffer. */
static void
qk_block(struct mas *a, const struct tiling *t, uint64_t x)
{
	struct sctx *sc = &a->sc;
	int *s = a->s[x % nbuf(t)], q = a->q[x % 2];
	uint32_t b, h, r, nvis;

	block_of(sc, x, &b, &h, &r);
	nvis = sctx_visible(sc, r);
	sctx_load(sc, b, h, r * sc->R, 0, wl_q_row(sc->wl, &sc->dl, b, h, (uint64_t)r * sc->R),
	    q, (uint64_t)sctx_rows(sc, r) * sc->wl->d_qk * sc->e, ISA_T_Q);
	if (nbuf(t) == 2 && x >= 2)
		overwrite(sc, b, h, r, 0, nvis, s);
	sctx_qk_kv(sc, &a->kv, b, h, r, 0, nvis, q, s);
}

/* PV of block x; its O leaves with store_block() (divided first, with norm=o). */
static void
pv_block(struct mas *a, const struct tiling *t, uint64_t x)
{
	struct sctx *sc = &a->sc;
	uint32_t b, h, r;

	block_of(sc, x, &b, &h, &r);
	sctx_pv_row(sc, &a->kv, b, h, r, 0, sctx_visible(sc, r), a->s[x % nbuf(t)],
	    a->o[x % nbuf_o(t)]);
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

/* The next key group of the stream after u (u->x = UINT64_MAX: the first). */
static void
unit_next(const struct mas *a, struct unit *u)
{
	const struct sctx *sc = &a->sc;
	uint32_t nvis;

	if (u->x != UINT64_MAX && !u->last) {
		u->j++;
	} else {
		u->x = u->x == UINT64_MAX ? 0 : u->x + 1;
		u->j = 0;
		block_of(sc, u->x, &u->b, &u->h, &u->r);
	}
	nvis = sctx_visible(sc, u->r);
	u->n = nvis - u->j * a->G < a->G ? nvis - u->j * a->G : a->G;
	u->last = u->j * a->G + u->n == nvis;
}

/* The matrix stream's QK^T of key group u (number n of the stream). */
static void
online_qk(struct mas *a, const struct tiling *t, const struct unit *u, uint64_t n)
{
	struct sctx *sc = &a->sc;
	const int *s = a->s[n % nbuf(t)];
	int q = a->q[u->x % 2];

	if (u->j == 0)
		sctx_load(sc, u->b, u->h, u->r * sc->R, 0, wl_q_row(sc->wl, &sc->dl, u->b, u->h,
		    (uint64_t)u->r * sc->R), q, (uint64_t)sctx_rows(sc, u->r) * sc->wl->d_qk *
		    sc->e, ISA_T_Q);
	if (nbuf(t) == 2 && n >= 2)
		overwrite(sc, u->b, u->h, u->r, u->j * a->G, u->n, s);
	sctx_qk_kv(sc, &a->kv, u->b, u->h, u->r, u->j * a->G, u->n, q, s);
}

/*
 * PV of key group u (number n), then on VEC the running output rescaled
 * into it and, after the row block's last group, O divided and stored.
 */
static void
online_pv(struct mas *a, const struct tiling *t, const struct unit *u, uint64_t n)
{
	struct sctx *sc = &a->sc;
	uint32_t j0 = u->j * a->G;
	int on = a->o[n % 2];

	sctx_pv_row(sc, &a->kv, u->b, u->h, u->r, j0, u->n, a->s[n % nbuf(t)], on);
	if (u->j > 0)
		sctx_online_rescale(sc, u->b, u->h, u->r, j0, a->o[(n + 1) % 2], a->mo[(n + 2) % 3],
		    a->mo[n % 3], on);
	if (u->last) {
		sctx_normalize(sc, u->b, u->h, u->r, on, a->l[u->x % 2]);
		sctx_store(sc, u->b, u->h, u->r * sc->R, 0, on, wl_o_row(sc->wl, &sc->dl, u->b,
		    u->h, (uint64_t)u->r * sc->R), (uint64_t)sctx_rows(sc, u->r) * sc->wl->d_v *
		    sc->e, ISA_T_O);
	}
}

/*
 * form=online and group: the stream runs over groups of key blocks instead
 * of row blocks.  In round n VEC takes the online softmax of group n while
 * MAC multiplies P V of group n - 1 (VEC then rescales the running output
 * with it) and Q K^T of group n + 1, so each stream holds G rows x cols
 * tiles whatever the sequence length, and the output is rescaled once a
 * group: G = 1 (online) keeps the least, G as L1 holds (group) rescales
 * least.
 */
static void
stream_online(struct mas *a, const struct tiling *t, const struct workload *w)
{
	struct sctx *sc = &a->sc;
	struct unit prev, cur, next;
	uint64_t n, blocks = (uint64_t)w->batch * w->heads * sc->nrb;

	cur.x = UINT64_MAX;
	unit_next(a, &cur);
	next = cur;
	online_qk(a, t, &cur, 0);
	emit_barrier(sc->em);
	for (n = 0; !sc->em->failed; n++) {
		sctx_online_softmax(sc, cur.b, cur.h, cur.r, cur.j * a->G, cur.n, a->s[n % nbuf(t)],
		    cur.j ? a->mo[(n + 2) % 3] : -1, a->mo[n % 3], a->l[cur.x % 2]);
		if (n >= 1)
			online_pv(a, t, &prev, n - 1);
		if (cur.last && cur.x + 1 == blocks)
			break;
		unit_next(a, &next);
		online_qk(a, t, &next, n + 1);
		emit_barrier(sc->em);
		prev = cur;
		cur = next;
	}
	online_pv(a, t, &cur, n);
}

/* form=serial: QK^T, softmax and PV of a block in turn, in one score buffer. */
static void
stream_serial(struct mas *a, const struct tiling *t, const struct workload *w)
{
	uint64_t x, total = (uint64_t)w->batch * w->heads * a->sc.nrb;
	uint32_t b, h, r;

	/* the barriers only order what the slots already do, but hold DMA with prefetch=off */
	for (x = 0; x < total && !a->sc.em->failed; x++) {
		block_of(&a->sc, x, &b, &h, &r);
		qk_block(a, t, x);
		emit_barrier(a->sc.em);
		sctx_softmax(&a->sc, b, h, r, a->s[0], a->m, a->l[x % nbuf_o(t)], a->divide);
		emit_barrier(a->sc.em);
		pv_block(a, t, x);
		store_block(a, t, x);
		emit_barrier(a->sc.em);
	}
}

/*
 * form=full, as published: semi-synchronous rounds over row blocks, one
 * stream over every row block of every head, so the next head's first
 * QK^T runs beside this head's last softmax and the pipeline fills once.
 */
static void
stream_full(struct mas *a, const struct tiling *t, const struct workload *w)
{
	struct sctx *sc = &a->sc;
	uint64_t x, total = (uint64_t)w->batch * w->heads * sc->nrb;
	unsigned nb = nbuf(t);
	uint32_t b, h, r;

	/* round -1: the first scores */
	qk_block(a, t, 0);
	emit_barrier(sc->em);
	for (x = 0; x < total && !sc->em->failed; x++) {
		/* round x: VEC softmax(x) while MAC does PV(x-1), QK(x+1) */
		block_of(sc, x, &b, &h, &r);
		sctx_softmax(sc, b, h, r, a->s[x % nb], a->m, a->l[x % nbuf_o(t)], a->divide);
		if (x >= 1) {
			pv_block(a, t, x - 1);
			store_block(a, t, x - 1);
		}
		if (x + 1 < total)
			qk_block(a, t, x + 1);
		emit_barrier(sc->em);
	}
	pv_block(a, t, total - 1);
	store_block(a, t, total - 1);
}

/* The L1 slots of tiling t, in the order fit() counts them. */
static int
lay_out(struct mas *a, const struct workload *w, const struct tiling *t)
{
	struct sctx *sc = &a->sc;
	uint64_t el = w->elem_bytes, R = sc->R, C = sc->C;
	uint32_t ncb = is_online(t) ? a->G : sc->ncb, r, j;
	unsigned nb = nbuf(t), no = is_online(t) ? 2 : nbuf_o(t);

	a->tiles = calloc((size_t)nb * ncb, sizeof *a->tiles);
	if (a->tiles == NULL)
		return errbuf_set(sc->em->e, "out of memory");
	for (j = 0; j < 2; j++)
		a->q[j] = sctx_l1(sc, R * w->d_qk * el, ISA_T_Q);
	for (r = 0; r < nb; r++) {
		a->s[r] = a->tiles + (size_t)r * ncb;
		for (j = 0; j < ncb; j++)
			a->s[r][j] = sctx_l1(sc, R * C * el, ISA_T_S);
	}
	if (skv_init(sc, &a->kv, t->v[P_KV] == SCHED_KV_RESIDENT) != 0)
		return -1;
	for (j = 0; j < no; j++) {
		a->o[j] = sctx_l1(sc, R * w->d_v * el, ISA_T_O);
		a->l[j] = sctx_l1(sc, R * el, ISA_T_L);
	}
	if (!is_online(t))
		a->m = sctx_l1(sc, R * el, ISA_T_M);
	else
		for (j = 0; j < 3; j++)
			a->mo[j] = sctx_l1(sc, R * el, ISA_T_M);
	return 0;
}

static int
emit(void *ctx, struct emit *em, const struct workload *w, const struct tiling *t)
{
	struct mas *a = ctx;
	struct sctx *sc = &a->sc;
	int rc = 0;

	sctx_init(sc, em, w, (uint32_t)t->v[P_ROWS], (uint32_t)t->v[P_COLS],
	    (uint32_t)t->v[P_VROWS], false);
	em->prefetch = t->v[P_PREFETCH] == 0;
	a->divide = t->v[P_NORM] == SCHED_NORM_P;
	a->G = (uint32_t)group_blocks(sc->npu, w, t);
	if (lay_out(a, w, t) != 0) {
		rc = -1;
	} else {
		if (is_online(t))
			stream_online(a, t, w);
		else if (t->v[P_FORM] == F_SERIAL)
			stream_serial(a, t, w);
		else
			stream_full(a, t, w);
		sctx_free_all(sc);
		rc = emit_finish(em);
	}
	skv_free(&a->kv);
	free(a->tiles);
	return rc;
}

const struct sched sched_mas = {
	"mas", "MAS-Attention: QK^T and PV on MAC stream beside softmax on VEC, in rounds",
	params, ARRAY_LEN(params), sizeof(struct mas), fit, emit, NULL,
};
