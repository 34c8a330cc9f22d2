/* mtr-codec: record and header coding for the native .mtr format. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "mtr-codec.h"

/* Field bits of a record's mask, in the order their values follow. */
enum {
	B_B, B_H, B_RB, B_CB, B_ST, B_M, B_N, B_K, B_BYTES, B_SRC, B_DST, B_DEPS,
	B_START, B_DUR, B_REPLAYED, B_RSTART, B_RDUR, B_STALL, B_CAUSE, B_ON,
	B_SRC_ALT, B_DST_ALT, B_COUNT
};

void
mtr_ctx_reset(struct mtr_ctx *c)
{
	memset(c->valid, 0, sizeof c->valid);
}

static struct mtr_slot *
slot_get(struct mtr_ctx *c, unsigned unit, unsigned op, unsigned flags)
{
	unsigned i = ((unit * 31u + op) * 37u + flags) % MTR_SLOTS;
	struct mtr_slot *s = &c->slot[i];

	if (!c->valid[i]) {
		memset(s, 0, sizeof *s);
		c->valid[i] = 1;
	}
	return s;
}

static inline uint8_t *
put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* zigzag: small negative and positive differences both become small */
static inline uint8_t *
put_delta(uint8_t *p, uint64_t now, uint64_t before)
{
	int64_t d = (int64_t)(now - before);

	return put_varint(p, ((uint64_t)d << 1) ^ (uint64_t)(d >> 63));
}

static inline int
get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	unsigned shift = 0;

	while (p < end) {
		uint8_t b = *p++;
		if (shift == 63 && b > 1)
			return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*out = v;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return -1;
	}
	return -1;
}

static inline int
get_delta(const uint8_t **pp, const uint8_t *end, uint64_t before, uint64_t *out)
{
	uint64_t z;

	if (get_varint(pp, end, &z) != 0)
		return -1;
	*out = before + ((z >> 1) ^ (0 - (z & 1)));
	return 0;
}

static bool
regions_equal(const struct isa_region *a, unsigned na, const struct isa_region *b, unsigned nb)
{
	unsigned i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].buf != b[i].buf || a[i].tensor != b[i].tensor ||
		    a[i].addr != b[i].addr || a[i].size != b[i].size)
			return false;
	return true;
}

static uint8_t *
put_regions(uint8_t *p, const struct isa_region *r, unsigned n, const struct isa_region *last,
    unsigned nlast)
{
	unsigned i;

	*p++ = (uint8_t)n;
	for (i = 0; i < n; i++) {
		*p++ = (uint8_t)(r[i].buf | r[i].tensor << 3);
		p = put_delta(p, r[i].addr, i < nlast ? last[i].addr : 0);
		p = put_delta(p, r[i].size, i < nlast ? last[i].size : 0);
	}
	return p;
}

/*
 * Code a region list: nothing if it is P's, one bit if it is the alternate
 * (what P's kind had before), else in full.  The alternate then becomes P's.
 */
static uint8_t *
encode_regions(uint8_t *p, uint64_t *mask, unsigned bit, unsigned alt_bit,
    const struct isa_region *r, unsigned n, const struct isa_region *last, unsigned nlast,
    struct isa_region *alt, uint8_t *nalt, size_t size)
{
	if (regions_equal(r, n, last, nlast))
		return p;
	if (regions_equal(r, n, alt, *nalt)) {
		*mask |= 1u << alt_bit;
	} else {
		*mask |= 1u << bit;
		p = put_regions(p, r, n, last, nlast);
	}
	memcpy(alt, last, size);
	*nalt = (uint8_t)nlast;
	return p;
}

static void
clear_replay(struct isa_instr *in)
{
	in->rep_start = in->rep_end = in->stall = in->stall_on = 0;
	in->cause = ISA_CAUSE_NONE;
}

size_t
mtr_encode(struct mtr_ctx *c, const struct isa_instr *in, uint8_t *out)
{
	struct mtr_slot *s = slot_get(c, in->unit, in->op, in->flags);
	struct isa_instr *l = &s->last;
	uint64_t dist[ISA_MAX_DEPS], mask = 0, dur = in->plan_end - in->plan_start;
	uint64_t delay = 0, on_dist = 0;
	uint8_t body[MTR_RECORD_MAX], *p = body, *o;
	bool deps_same;
	unsigned i;

#define U32_FIELD(bit, f) \
	if (in->f != l->f) { mask |= 1u << bit; p = put_delta(p, in->f, l->f); }
	U32_FIELD(B_B, b) U32_FIELD(B_H, h) U32_FIELD(B_RB, rb) U32_FIELD(B_CB, cb)
	U32_FIELD(B_ST, st) U32_FIELD(B_M, m) U32_FIELD(B_N, n) U32_FIELD(B_K, k)
	U32_FIELD(B_BYTES, bytes)
#undef U32_FIELD
	p = encode_regions(p, &mask, B_SRC, B_SRC_ALT, in->src, in->nsrc, l->src, l->nsrc,
	    s->src2, &s->nsrc2, sizeof s->src2);
	p = encode_regions(p, &mask, B_DST, B_DST_ALT, in->dst, in->ndst, l->dst, l->ndst,
	    s->dst2, &s->ndst2, sizeof s->dst2);
	deps_same = in->ndeps == l->ndeps;
	for (i = 0; i < in->ndeps; i++) {
		dist[i] = in->id - 1 - in->deps[i];
		if (deps_same && dist[i] != s->dist[i])
			deps_same = false;
	}
	if (!deps_same) {
		mask |= 1u << B_DEPS;
		*p++ = in->ndeps;
		for (i = 0; i < in->ndeps; i++)
			p = put_varint(p, dist[i]);
	}
	if (in->plan_start != l->plan_start + s->period) {
		mask |= 1u << B_START;
		p = put_delta(p, in->plan_start, l->plan_start + s->period);
	}
	if (dur != l->plan_end - l->plan_start) {
		mask |= 1u << B_DUR;
		p = put_delta(p, dur, l->plan_end - l->plan_start);
	}
	if (in->replayed != l->replayed)
		mask |= 1u << B_REPLAYED;
	if (in->replayed) {
		delay = in->rep_start - in->plan_start;
		/* only a dependency stall names a producer */
		on_dist = isa_cause_names_producer(in->cause) ? in->id - in->stall_on : s->on_dist;
		if (delay != s->rep_delay) {
			mask |= 1u << B_RSTART;
			p = put_delta(p, delay, s->rep_delay);
		}
		if (in->rep_end - in->rep_start != l->rep_end - l->rep_start) {
			mask |= 1u << B_RDUR;
			p = put_delta(p, in->rep_end - in->rep_start, l->rep_end - l->rep_start);
		}
		if (in->stall != l->stall) { mask |= 1u << B_STALL; p = put_delta(p, in->stall, l->stall); }
		if (in->cause != l->cause) { mask |= 1u << B_CAUSE; *p++ = in->cause; }
		if (on_dist != s->on_dist) { mask |= 1u << B_ON; p = put_delta(p, on_dist, s->on_dist); }
	}

	o = out;
	*o++ = in->unit;
	*o++ = in->op;
	*o++ = in->flags;
	o = put_varint(o, mask);
	memcpy(o, body, (size_t)(p - body));
	o += p - body;

	s->period = in->plan_start - l->plan_start;
	memcpy(s->dist, dist, in->ndeps * sizeof dist[0]);
	if (in->replayed) {
		s->rep_delay = delay;
		s->on_dist = on_dist;
	}
	isa_copy(l, in);	/* the dependencies are compared as distances (s->dist) */
	if (!in->replayed)	/* the reader sees zeros there; predict from the same */
		clear_replay(l);
	return (size_t)(o - out);
}

/* Decode a region list in place: region i's deltas are against r[i] itself. */
static int
get_regions(const uint8_t **pp, const uint8_t *end, const struct mtr_maps *m,
    struct isa_region *r, uint8_t *n, unsigned max, const char *what, char *why, size_t len)
{
	unsigned i, nprev = *n;
	uint8_t code;

	if (*pp >= end)
		goto short_record;
	*n = *(*pp)++;
	if (*n > max) {
		snprintf(why, len, "%u %s regions, expected at most %u", *n, what, max);
		return -1;
	}
	for (i = 0; i < *n; i++) {
		if (*pp >= end)
			goto short_record;
		code = *(*pp)++;
		r[i].buf = m->buf[code & 7];
		r[i].tensor = m->tensor[code >> 3];
		if (r[i].buf == 0xff || r[i].tensor == 0xff) {
			snprintf(why, len, "%s region %u: buffer or tensor code 0x%02x not in the "
			    "header's string tables", what, i, code);
			return -1;
		}
		if (get_delta(pp, end, i < nprev ? r[i].addr : 0, &r[i].addr) != 0 ||
		    get_delta(pp, end, i < nprev ? r[i].size : 0, &r[i].size) != 0)
			goto short_record;
		if (r[i].addr + r[i].size < r[i].addr) {
			snprintf(why, len, "%s region %u: address %llu + size %llu wraps around",
			    what, i, (unsigned long long)r[i].addr, (unsigned long long)r[i].size);
			return -1;
		}
	}
	return 0;
short_record:
	snprintf(why, len, "%s regions run past the end of the record data", what);
	return -1;
}

/* The alternate region list becomes current and the current one the alternate. */
static inline __attribute__((always_inline)) void
swap_regions(struct isa_region *a, uint8_t *na, struct isa_region *b, uint8_t *nb, size_t size)
{
	struct isa_region t[ISA_MAX_DST > ISA_MAX_SRC ? ISA_MAX_DST : ISA_MAX_SRC];
	uint8_t n = *na;

	memcpy(t, a, size);
	memcpy(a, b, size);
	memcpy(b, t, size);
	*na = *nb;
	*nb = n;
}

/* The reader's half of encode_regions(); inlined so the sizes are constants. */
static inline __attribute__((always_inline)) int
decode_regions(const uint8_t **pp, const uint8_t *end, const struct mtr_maps *m,
    uint64_t mask, unsigned bit, unsigned alt_bit, struct isa_region *r, uint8_t *n,
    struct isa_region *alt, uint8_t *nalt, unsigned max, const char *what, char *why,
    size_t len)
{
	size_t size = max * sizeof *r;

	if ((mask & (1u << bit)) && (mask & (1u << alt_bit))) {
		snprintf(why, len, "%s regions both given and taken from the alternate", what);
		return -1;
	}
	if (mask & (1u << bit)) {
		memcpy(alt, r, size);
		*nalt = *n;
		return get_regions(pp, end, m, r, n, max, what, why, len);
	}
	if (mask & (1u << alt_bit))
		swap_regions(r, n, alt, nalt, size);
	return 0;
}

/* What a decoding step can end in: the record is fine, wrong (why says), or cut short. */
enum { DEC_OK = 0, DEC_BAD = -1, DEC_SHORT = -2 };

/* Unit, opcode and flags through the header's tables, checked against each other. */
static inline int
decode_kind(const struct mtr_maps *m, const uint8_t *p, unsigned *unit, unsigned *op,
    unsigned *flags, char *why, size_t len)
{
	unsigned i;

	*unit = m->unit[p[0]];
	*op = m->op[p[1]];
	if (*unit == 0xff || *op == 0xff) {
		snprintf(why, len, "%s code %u is not in the header's string table",
		    *unit == 0xff ? "unit" : "opcode", *unit == 0xff ? p[0] : p[1]);
		return DEC_BAD;
	}
	*flags = p[2];
	if (!m->flags_identity) {
		*flags = 0;
		for (i = 0; i < 8; i++)
			if (p[2] & (1u << i))
				*flags |= m->flag[i] == 0xff ? 0x80u : 1u << m->flag[i];
	}
	if (!isa_op_fits_unit(*op, *unit) || (*flags >> ISA_NFLAGS)) {
		struct isa_instr probe = { .unit = (uint8_t)*unit, .op = (uint8_t)*op,
		    .flags = (uint8_t)*flags };
		isa_check(&probe, why, len);	/* for its wording */
		return DEC_BAD;
	}
	return DEC_OK;
}

/* Dependencies as distances back from id. */
static inline int
decode_deps(const uint8_t **pp, const uint8_t *end, uint64_t mask, struct mtr_slot *s,
    uint64_t id, char *why, size_t len)
{
	struct isa_instr *l = &s->last;
	unsigned i;

	if (mask & (1u << B_DEPS)) {
		if (*pp >= end)
			return DEC_SHORT;
		l->ndeps = *(*pp)++;
		if (l->ndeps > ISA_MAX_DEPS) {
			snprintf(why, len, "%u dependencies, expected at most %d", l->ndeps,
			    ISA_MAX_DEPS);
			return DEC_BAD;
		}
		for (i = 0; i < l->ndeps; i++)
			if (get_varint(pp, end, &s->dist[i]) != 0)
				return DEC_SHORT;
	}
	for (i = 0; i < l->ndeps; i++) {
		if (s->dist[i] >= id) {
			snprintf(why, len, "dependency %llu back from id %llu, expected an id of this "
			    "trace", (unsigned long long)s->dist[i] + 1, (unsigned long long)id);
			return DEC_BAD;
		}
		l->deps[i] = id - 1 - s->dist[i];
	}
	return DEC_OK;
}

/* The replayed start, end, stall and cause, coded against the plan and P. */
static inline int
decode_replay(const uint8_t **pp, const uint8_t *end, const struct mtr_maps *m, uint64_t mask,
    struct mtr_slot *s, uint64_t id, char *why, size_t len)
{
	struct isa_instr *l = &s->last;
	uint64_t dur = l->rep_end - l->rep_start;

	if ((mask & (1u << B_RSTART)) && get_delta(pp, end, s->rep_delay, &s->rep_delay) != 0)
		return DEC_SHORT;
	l->rep_start = l->plan_start + s->rep_delay;
	if ((mask & (1u << B_RDUR)) && get_delta(pp, end, dur, &dur) != 0)
		return DEC_SHORT;
	l->rep_end = l->rep_start + dur;
	if (l->rep_end < l->rep_start) {
		snprintf(why, len, "replayed duration %llu overflows the cycle counter",
		    (unsigned long long)dur);
		return DEC_BAD;
	}
	if ((mask & (1u << B_STALL)) && get_delta(pp, end, l->stall, &l->stall) != 0)
		return DEC_SHORT;
	if (mask & (1u << B_CAUSE)) {
		if (*pp >= end)
			return DEC_SHORT;
		l->cause = m->cause[*(*pp)++];
	}
	if ((mask & (1u << B_ON)) && get_delta(pp, end, s->on_dist, &s->on_dist) != 0)
		return DEC_SHORT;
	if (l->cause >= ISA_NCAUSES) {
		snprintf(why, len, "stall cause code not in the header's string table");
		return DEC_BAD;
	}
	if (isa_cause_names_producer(l->cause) && (s->on_dist == 0 || s->on_dist > id)) {
		snprintf(why, len, "stalled on an id %llu back, expected an earlier id",
		    (unsigned long long)s->on_dist);
		return DEC_BAD;
	}
	l->stall_on = isa_cause_names_producer(l->cause) ? id - s->on_dist : 0;
	return DEC_OK;
}

/* Planned start (coded against P's start and period) and duration, then the replay's. */
static inline int
decode_times(const uint8_t **pp, const uint8_t *end, const struct mtr_maps *m, uint64_t mask,
    struct mtr_slot *s, uint64_t id, char *why, size_t len)
{
	struct isa_instr *l = &s->last;
	uint64_t dur = l->plan_end - l->plan_start, v = l->plan_start + s->period;

	if ((mask & (1u << B_START)) && get_delta(pp, end, v, &v) != 0)
		return DEC_SHORT;
	s->period = v - l->plan_start;
	l->plan_start = v;
	if ((mask & (1u << B_DUR)) && get_delta(pp, end, dur, &dur) != 0)
		return DEC_SHORT;
	l->plan_end = l->plan_start + dur;
	if (l->plan_end < l->plan_start) {
		snprintf(why, len, "planned duration %llu overflows the cycle counter",
		    (unsigned long long)dur);
		return DEC_BAD;
	}
	if (mask & (1u << B_REPLAYED))
		l->replayed = !l->replayed;
	if (l->replayed)
		return decode_replay(pp, end, m, mask, s, id, why, len);
	if (mask & ((1u << B_RSTART) | (1u << B_RDUR) | (1u << B_STALL) | (1u << B_CAUSE) |
	    (1u << B_ON))) {
		snprintf(why, len, "replay fields in a record that is not replayed");
		return DEC_BAD;
	}
	clear_replay(l);
	return DEC_OK;
}

const struct isa_instr *
mtr_decode(struct mtr_ctx *c, const struct mtr_maps *m, const uint8_t **pp,
    const uint8_t *end, uint64_t id, char *why, size_t len)
{
	const uint8_t *p = *pp;
	struct mtr_slot *s;
	struct isa_instr *l;
	uint64_t mask, v;
	unsigned unit, op, flags;
	int rc;

	if (end - p < 4) {
		snprintf(why, len, "record cut short, expected unit, opcode, flags and field mask");
		return NULL;
	}
	if (decode_kind(m, p, &unit, &op, &flags, why, len) != DEC_OK)
		return NULL;
	p += 3;
	if (get_varint(&p, end, &mask) != 0)
		goto short_record;
	if (mask >> B_COUNT) {
		snprintf(why, len, "field mask 0x%llx has unknown bits, expected bits below 0x%x",
		    (unsigned long long)mask, 1u << B_COUNT);
		return NULL;
	}
	s = slot_get(c, unit, op, flags);
	l = &s->last;
	l->id = id;
	l->unit = (uint8_t)unit;
	l->op = (uint8_t)op;
	l->flags = (uint8_t)flags;
#define U32_FIELD(bit, f) \
	if (mask & (1u << bit)) { \
		if (get_delta(&p, end, l->f, &v) != 0) \
			goto short_record; \
		if (v > UINT32_MAX) { \
			snprintf(why, len, "field '" #f "' is %llu, expected at most %u", \
			    (unsigned long long)v, UINT32_MAX); \
			return NULL; \
		} \
		l->f = (uint32_t)v; \
	}
	U32_FIELD(B_B, b) U32_FIELD(B_H, h) U32_FIELD(B_RB, rb) U32_FIELD(B_CB, cb)
	U32_FIELD(B_ST, st) U32_FIELD(B_M, m) U32_FIELD(B_N, n) U32_FIELD(B_K, k)
#undef U32_FIELD
	if ((mask & (1u << B_BYTES)) && get_delta(&p, end, l->bytes, &l->bytes) != 0)
		goto short_record;
	if (decode_regions(&p, end, m, mask, B_SRC, B_SRC_ALT, l->src, &l->nsrc, s->src2,
	    &s->nsrc2, ISA_MAX_SRC, "source", why, len) != 0 ||
	    decode_regions(&p, end, m, mask, B_DST, B_DST_ALT, l->dst, &l->ndst, s->dst2,
	    &s->ndst2, ISA_MAX_DST, "destination", why, len) != 0)
		return NULL;
	if ((rc = decode_deps(&p, end, mask, s, id, why, len)) == DEC_OK)
		rc = decode_times(&p, end, m, mask, s, id, why, len);
	if (rc == DEC_SHORT)
		goto short_record;
	if (rc != DEC_OK)
		return NULL;
	/* every other rule of isa_check() has been applied above, field by field */
	if (!isa_surely_in_bounds(l) && isa_check_bounds(l, why, len) != 0)
		return NULL;
	*pp = p;
	return l;
short_record:
	snprintf(why, len, "record cut short or a number longer than 64 bits");
	return NULL;
}

/* ---- header ---------------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void
buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		uint8_t *q;
		while (cap < b->len + n)
			cap *= 2;
		q = realloc(b->p, cap);
		if (q == NULL) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void
entry(struct buf *b, unsigned tag, const void *data, size_t n)
{
	uint8_t hdr[20], *p = hdr;

	p = put_varint(p, tag);
	p = put_varint(p, n);
	buf_add(b, hdr, (size_t)(p - hdr));
	buf_add(b, data, n);
}

static void
entry_str(struct buf *b, unsigned tag, const char *s)
{
	entry(b, tag, s, strlen(s));
}

/* The name of code i in the string table of `tag`; unit names are made in scratch. */
static const char *
table_name(unsigned tag, unsigned i, char *scratch, size_t len)
{
	switch (tag) {
	case MTR_TAG_UNITS: return isa_unit_name(i, scratch, len);
	case MTR_TAG_OPS: return isa_op_name(i);
	case MTR_TAG_BUFS: return isa_buf_name(i);
	case MTR_TAG_TENSORS: return isa_tensor_name(i);
	case MTR_TAG_CAUSES: return isa_cause_name(i);
	default: return isa_flag_name(i);
	}
}

/* A string table: the names of codes 0 .. n-1, each ended by a NUL. */
static void
entry_table(struct buf *b, unsigned tag, unsigned n)
{
	struct buf t = { 0 };
	char scratch[8];
	const char *name;
	unsigned i;

	for (i = 0; i < n; i++) {
		name = table_name(tag, i, scratch, sizeof scratch);
		buf_add(&t, name, strlen(name) + 1);
	}
	if (t.oom)
		b->oom = true;
	else
		entry(b, tag, t.p, t.len);
	free(t.p);
}


int
mtr_header_encode(const struct trace_header *h, uint8_t **out, size_t *len)
{
	struct buf b = { 0 };
	char line[600], value[512], spec[WL_SPEC_MAX];
	const char *section, *name;
	size_t i;

	entry_str(&b, MTR_TAG_TOOL, h->tool);
	for (i = 0; i < npu_key_count(); i++) {
		npu_key_get(&h->npu, i, &section, &name, value, sizeof value);
		snprintf(line, sizeof line, "%s.%s=%s", section, name, value);
		entry_str(&b, MTR_TAG_NPU_KEY, line);
	}
	wl_format(&h->wl, spec, sizeof spec);
	entry_str(&b, MTR_TAG_WL_NAME, h->wl.name);
	entry_str(&b, MTR_TAG_WL_SPEC, spec);
	entry_str(&b, MTR_TAG_SCHED, h->sched);
	entry_str(&b, MTR_TAG_TILING, h->tiling);
	entry_str(&b, MTR_TAG_COMMAND, h->command);
	if (h->replay[0] != '\0')
		entry_str(&b, MTR_TAG_REPLAY, h->replay);
	if (h->models != 0) {
		trace_models_format(h->models, value, sizeof value);
		entry_str(&b, MTR_TAG_MODELS, value);
	}
	entry_table(&b, MTR_TAG_UNITS, ISA_NUNITS);
	entry_table(&b, MTR_TAG_OPS, ISA_NOPS);
	entry_table(&b, MTR_TAG_BUFS, ISA_NBUFS);
	entry_table(&b, MTR_TAG_TENSORS, ISA_NTENSORS);
	entry_table(&b, MTR_TAG_CAUSES, ISA_NCAUSES);
	entry_table(&b, MTR_TAG_FLAGS, ISA_NFLAGS);
	if (b.oom) {
		free(b.p);
		return -1;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

static int
unit_code_of(const char *name)
{
	return isa_unit_code(name);
}

/* Fill map[file code] from a string table; every name must be known here. */
static int
read_table(const uint8_t *p, size_t n, uint8_t *map, size_t map_size,
    int (*code)(const char *), const char *what, const char *where, size_t off,
    struct errbuf *e)
{
	size_t i = 0, start, count = 0;
	int c;

	memset(map, 0xff, map_size);
	while (i < n) {
		start = i;
		while (i < n && p[i] != '\0')
			i++;
		if (i == n)
			return errbuf_set(e, "%s: byte %zu: %s table entry not ended by NUL",
			    where, off + start, what);
		c = code((const char *)p + start);
		if (c < 0)
			return errbuf_set(e, "%s: byte %zu: unknown %s '%.*s' in the string table "
			    "(written by a newer mastrace?)", where, off + start, what,
			    (int)(i - start) > 32 ? 32 : (int)(i - start), (const char *)p + start);
		if (count >= map_size)
			return errbuf_set(e, "%s: byte %zu: more than %zu %s names", where,
			    off + start, map_size, what);
		map[count++] = (uint8_t)c;
		i++;
	}
	return 0;
}

static int
copy_str(char *dst, size_t cap, const uint8_t *p, size_t n, const char *what,
    const char *where, size_t off, struct errbuf *e)
{
	if (n >= cap || memchr(p, '\0', n) != NULL)
		return errbuf_set(e, "%s: byte %zu: %s is %zu bytes or holds a NUL, expected "
		    "text of at most %zu bytes", where, off, what, n, cap - 1);
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

/* The header being decoded. */
struct hdr_dec {
	struct trace_header *h;
	struct mtr_maps *m;
	struct npu_builder nb;
	char spec[WL_SPEC_MAX], name[WL_NAME_MAX];
	unsigned npu_keys;
	const char *where;
};

/* A string table entry (tags 8 to 13): the file's codes mapped to this program's. */
static int
header_table(struct hdr_dec *d, uint64_t tag, const uint8_t *q, size_t n, size_t off,
    struct errbuf *e)
{
	struct mtr_maps *m = d->m;

	switch (tag) {
	case MTR_TAG_UNITS:
		return read_table(q, n, m->unit, sizeof m->unit, unit_code_of, "unit", d->where, off, e);
	case MTR_TAG_OPS:
		return read_table(q, n, m->op, sizeof m->op, isa_op_code, "opcode", d->where, off, e);
	case MTR_TAG_BUFS:
		return read_table(q, n, m->buf, 8, isa_buf_code, "buffer", d->where, off, e);
	case MTR_TAG_TENSORS:
		return read_table(q, n, m->tensor, 32, isa_tensor_code, "tensor", d->where, off, e);
	case MTR_TAG_CAUSES:
		return read_table(q, n, m->cause, sizeof m->cause, isa_cause_code, "stall cause",
		    d->where, off, e);
	default:
		return read_table(q, n, m->flag, sizeof m->flag, isa_flag_code, "flag", d->where,
		    off, e);
	}
}

/* An NPU key entry: "section.key=value". */
static int
header_npu_key(struct hdr_dec *d, const uint8_t *q, size_t n, size_t off, struct errbuf *e)
{
	char kv[600], why[512], *dot, *eq;

	if (copy_str(kv, sizeof kv, q, n, "NPU key", d->where, off, e))
		return -1;
	dot = strchr(kv, '.');
	eq = strchr(kv, '=');
	if (dot == NULL || eq == NULL || dot > eq)
		return errbuf_set(e, "%s: byte %zu: NPU entry '%s', expected section.key=value",
		    d->where, off, kv);
	*dot = *eq = '\0';
	if (npu_builder_set(&d->nb, kv, dot + 1, eq + 1, ++d->npu_keys, why, sizeof why))
		return errbuf_set(e, "%s: byte %zu: %s", d->where, off, why);
	return 0;
}

static int
header_entry(struct hdr_dec *d, uint64_t tag, const uint8_t *q, size_t n, size_t off,
    struct errbuf *e)
{
	struct trace_header *h = d->h;
	char models[64];

	switch (tag) {
	case MTR_TAG_TOOL: return copy_str(h->tool, sizeof h->tool, q, n, "tool", d->where, off, e);
	case MTR_TAG_NPU_KEY: return header_npu_key(d, q, n, off, e);
	case MTR_TAG_WL_NAME:
		return copy_str(d->name, sizeof d->name, q, n, "workload name", d->where, off, e);
	case MTR_TAG_WL_SPEC:
		return copy_str(d->spec, sizeof d->spec, q, n, "workload", d->where, off, e);
	case MTR_TAG_SCHED:
		return copy_str(h->sched, sizeof h->sched, q, n, "scheduler", d->where, off, e);
	case MTR_TAG_TILING:
		return copy_str(h->tiling, sizeof h->tiling, q, n, "tiling", d->where, off, e);
	case MTR_TAG_COMMAND:
		return copy_str(h->command, sizeof h->command, q, n, "command", d->where, off, e);
	case MTR_TAG_REPLAY:
		return copy_str(h->replay, sizeof h->replay, q, n, "replay", d->where, off, e);
	case MTR_TAG_MODELS:
		if (copy_str(models, sizeof models, q, n, "replay models", d->where, off, e))
			return -1;
		if (trace_models_parse(models, &h->models) != 0)
			return errbuf_set(e, "%s: byte %zu: replay models '%s', expected models "
			    "from dram, ports and capacity separated by commas, or none", d->where, off,
			    models);
		return 0;
	case MTR_TAG_UNITS: case MTR_TAG_OPS: case MTR_TAG_BUFS: case MTR_TAG_TENSORS:
	case MTR_TAG_CAUSES: case MTR_TAG_FLAGS:
		return header_table(d, tag, q, n, off, e);
	default:
		if (tag < MTR_TAG_OPTIONAL)
			return errbuf_set(e, "%s: byte %zu: header entry %llu is required but unknown "
			    "(written by a newer mastrace?)", d->where, off, (unsigned long long)tag);
		return 0;	/* optional: skip */
	}
}

int
mtr_header_decode(const uint8_t *p, size_t len, const char *fname, size_t base,
    struct trace_header *h, struct mtr_maps *m, struct errbuf *e)
{
	const uint8_t *q = p, *end = p + len;
	struct hdr_dec d;
	char where[600];
	uint64_t tag, n;
	uint64_t seen = 0;	/* a bit per tag below 64 */
	size_t off;

	memset(h, 0, sizeof *h);
	memset(m, 0xff, sizeof *m);
	memset(&d, 0, sizeof d);
	d.h = h;
	d.m = m;
	d.where = where;
	npu_builder_init(&d.nb);
	snprintf(where, sizeof where, "%s: header", fname);
	while (q < end) {
		off = base + (size_t)(q - p);
		if (get_varint(&q, end, &tag) != 0 || get_varint(&q, end, &n) != 0 ||
		    n > (uint64_t)(end - q))
			return errbuf_set(e, "%s: byte %zu: header entry runs past the header's "
			    "end", where, off);
		off = base + (size_t)(q - p);
		if (tag < 64)
			seen |= 1ull << tag;
		if (header_entry(&d, tag, q, (size_t)n, off, e) != 0)
			return -1;
		q += n;
	}
	for (tag = MTR_TAG_TOOL; tag <= MTR_TAG_FLAGS; tag++)
		if (!(seen & (1ull << tag)))
			return errbuf_set(e, "%s: header entry %llu is missing, expected entries "
			    "1 to %d", where, (unsigned long long)tag, MTR_TAG_FLAGS);
	if (npu_builder_finish(&d.nb, where, &h->npu, e) != 0)
		return -1;
	if (wl_parse(d.spec, &h->wl, e) != 0)
		return errbuf_prefix(e, "%s", where);
	snprintf(h->wl.name, sizeof h->wl.name, "%s", d.name);
	m->flags_identity = true;
	for (n = 0; n < 8; n++)
		if (m->flag[n] != (n < ISA_NFLAGS ? n : 0xff))
			m->flags_identity = false;
	return 0;
}
