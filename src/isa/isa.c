/* isa: instruction names, codes and structural checks. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "array.h"
#include "isa.h"

static const char *const op_names[ISA_NOPS] = {
	"load", "store", "spill", "fill", "move", "matmul", "vmax", "vexp", "vsum",
	"vdiv", "vscale", "vrescale", "barrier", "alloc", "free", "overwrite",
};
static const char *const buf_names[ISA_NBUFS] = { "dram", "l1", "l0a", "l0b", "l0c" };
static const char *const tensor_names[ISA_NTENSORS] = {
	"none", "q", "k", "v", "s", "p", "o", "m", "l",
};
static const char *const cause_names[ISA_NCAUSES] = {
	"none", "dep", "unit", "dram", "dma", "port", "space",
};
static const char *const flag_names[ISA_NFLAGS] = { "acc", "transb", "mask", "first", "last",
	"inserted" };

#define NAME_AT(table, i) ((i) < ARRAY_LEN(table) ? table[i] : NULL)

const char *isa_op_name(unsigned op) { return NAME_AT(op_names, op); }
const char *isa_buf_name(unsigned buf) { return NAME_AT(buf_names, buf); }
const char *isa_tensor_name(unsigned t) { return NAME_AT(tensor_names, t); }
const char *isa_cause_name(unsigned c) { return NAME_AT(cause_names, c); }
const char *isa_flag_name(unsigned bit) { return NAME_AT(flag_names, bit); }

static int
lookup(const char *const *table, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(table[i], name) == 0)
			return (int)i;
	return -1;
}

#define LOOKUP(table, name) lookup(table, ARRAY_LEN(table), name)

int isa_op_code(const char *name) { return LOOKUP(op_names, name); }
int isa_buf_code(const char *name) { return LOOKUP(buf_names, name); }
int isa_tensor_code(const char *name) { return LOOKUP(tensor_names, name); }
int isa_cause_code(const char *name) { return LOOKUP(cause_names, name); }
int isa_flag_code(const char *name) { return LOOKUP(flag_names, name); }

const char *
isa_unit_name(unsigned unit, char *buf, size_t len)
{
	if (unit == ISA_UNIT_MAC)
		snprintf(buf, len, "mac");
	else if (unit == ISA_UNIT_VEC)
		snprintf(buf, len, "vec");
	else if (unit == ISA_UNIT_MTE)
		snprintf(buf, len, "mte");
	else if (unit < ISA_NUNITS)
		snprintf(buf, len, "dma%u", unit - ISA_UNIT_DMA0);
	else
		return NULL;
	return buf;
}

int
isa_unit_code(const char *name)
{
	unsigned ch = 0;
	size_t i;

	if (strcmp(name, "mac") == 0)
		return ISA_UNIT_MAC;
	if (strcmp(name, "vec") == 0)
		return ISA_UNIT_VEC;
	if (strcmp(name, "mte") == 0)
		return ISA_UNIT_MTE;
	if (strncmp(name, "dma", 3) != 0 || name[3] == '\0' || strlen(name) > 5 ||
	    (name[3] == '0' && name[4] != '\0'))
		return -1;
	for (i = 3; name[i]; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		ch = ch * 10 + (unsigned)(name[i] - '0');
	}
	return ch < ISA_MAX_DMA ? (int)(ISA_UNIT_DMA0 + ch) : -1;
}

bool
isa_op_fits_unit(unsigned op, unsigned unit)
{
	switch (op) {
	case ISA_OP_LOAD:
	case ISA_OP_STORE:
	case ISA_OP_SPILL:
	case ISA_OP_FILL:
		return unit >= ISA_UNIT_DMA0 && unit < ISA_NUNITS;
	case ISA_OP_MOVE:
		return unit == ISA_UNIT_MTE;
	case ISA_OP_MATMUL:
		return unit == ISA_UNIT_MAC;
	case ISA_OP_VMAX:
	case ISA_OP_VEXP:
	case ISA_OP_VSUM:
	case ISA_OP_VDIV:
	case ISA_OP_VSCALE:
	case ISA_OP_VRESCALE:
		return unit == ISA_UNIT_VEC;
	default:
		return op < ISA_NOPS && unit < ISA_NUNITS;
	}
}

static int
check_regions(const struct isa_region *r, unsigned n, const char *what, char *why, size_t len)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (r[i].buf >= ISA_NBUFS) {
			snprintf(why, len, "%s region %u: buffer code %u, expected 0 to %d", what,
			    i, r[i].buf, ISA_NBUFS - 1);
			return -1;
		}
		if (r[i].tensor >= ISA_NTENSORS) {
			snprintf(why, len, "%s region %u: tensor code %u, expected 0 to %d", what,
			    i, r[i].tensor, ISA_NTENSORS - 1);
			return -1;
		}
	}
	return 0;
}

int
isa_check_bounds(const struct isa_instr *in, char *why, size_t len)
{
	static const char *const names[] = { "m", "n", "k" };
	const uint32_t dim[] = { in->m, in->n, in->k };
	unsigned i;

	for (i = 0; i < 3; i++)
		if (dim[i] > ISA_MAX_DIM) {
			snprintf(why, len, "field '%s' is %u, expected at most %llu", names[i],
			    (unsigned)dim[i], (unsigned long long)ISA_MAX_DIM);
			return -1;
		}
	if ((uint64_t)in->m * in->n > ISA_MAX_ELEMS) {
		snprintf(why, len, "m*n is %llu elements, expected at most 2^48",
		    (unsigned long long)((uint64_t)in->m * in->n));
		return -1;
	}
	if (in->k != 0 && (uint64_t)in->m * in->n > ISA_MAX_MACS / in->k) {
		snprintf(why, len, "m*n*k is %.4g MACs, expected at most 2^53",
		    (double)in->m * in->n * in->k);
		return -1;
	}
	if (in->bytes > ISA_MAX_BYTES) {
		snprintf(why, len, "field 'bytes' is %llu, expected at most 2^48",
		    (unsigned long long)in->bytes);
		return -1;
	}
	for (i = 0; i < (unsigned)in->nsrc + in->ndst && i < ISA_MAX_SRC + ISA_MAX_DST; i++) {
		bool dst = i >= in->nsrc;
		const struct isa_region *r = dst ? &in->dst[i - in->nsrc] : &in->src[i];
		if (r->addr > ISA_MAX_END || r->size > ISA_MAX_END - r->addr) {
			snprintf(why, len, "%s region %u: address %llu + size %llu, expected an "
			    "end at most 2^60", dst ? "destination" : "source",
			    dst ? i - in->nsrc : i, (unsigned long long)r->addr,
			    (unsigned long long)r->size);
			return -1;
		}
	}
	if (in->plan_end > ISA_MAX_TIME || (in->replayed && in->rep_end > ISA_MAX_TIME)) {
		snprintf(why, len, "%s end %llu, expected at most 2^62 cycles",
		    in->plan_end > ISA_MAX_TIME ? "planned" : "replayed",
		    (unsigned long long)(in->plan_end > ISA_MAX_TIME ? in->plan_end : in->rep_end));
		return -1;
	}
	return 0;
}

int
isa_check(const struct isa_instr *in, char *why, size_t len)
{
	char unit[8];
	unsigned i;

	if (in->unit >= ISA_NUNITS) {
		snprintf(why, len, "unit code %u, expected 0 to %d", in->unit, ISA_NUNITS - 1);
		return -1;
	}
	if (in->op >= ISA_NOPS) {
		snprintf(why, len, "opcode %u, expected 0 to %d", in->op, ISA_NOPS - 1);
		return -1;
	}
	if (!isa_op_fits_unit(in->op, in->unit)) {
		snprintf(why, len, "op '%s' cannot run on unit '%s'", isa_op_name(in->op),
		    isa_unit_name(in->unit, unit, sizeof unit));
		return -1;
	}
	if (in->flags >> ISA_NFLAGS) {
		snprintf(why, len, "flags 0x%x, expected bits below 0x%x", in->flags,
		    1u << ISA_NFLAGS);
		return -1;
	}
	if (in->nsrc > ISA_MAX_SRC || in->ndst > ISA_MAX_DST || in->ndeps > ISA_MAX_DEPS) {
		snprintf(why, len, "%u sources, %u destinations, %u dependencies; expected at "
		    "most %d, %d and %d", in->nsrc, in->ndst, in->ndeps, ISA_MAX_SRC,
		    ISA_MAX_DST, ISA_MAX_DEPS);
		return -1;
	}
	if (check_regions(in->src, in->nsrc, "source", why, len) != 0 ||
	    check_regions(in->dst, in->ndst, "destination", why, len) != 0)
		return -1;
	if (isa_check_bounds(in, why, len) != 0)
		return -1;
	for (i = 0; i < in->ndeps; i++) {
		if (in->deps[i] >= in->id) {
			snprintf(why, len, "dependency on id %llu, expected an earlier id "
			    "(below %llu)", (unsigned long long)in->deps[i],
			    (unsigned long long)in->id);
			return -1;
		}
	}
	if (in->plan_end < in->plan_start) {
		snprintf(why, len, "planned end %llu before its start %llu",
		    (unsigned long long)in->plan_end, (unsigned long long)in->plan_start);
		return -1;
	}
	if (in->replayed) {
		if (in->rep_end < in->rep_start) {
			snprintf(why, len, "replayed end %llu before its start %llu",
			    (unsigned long long)in->rep_end, (unsigned long long)in->rep_start);
			return -1;
		}
		if (in->cause >= ISA_NCAUSES) {
			snprintf(why, len, "stall cause code %u, expected 0 to %d", in->cause,
			    ISA_NCAUSES - 1);
			return -1;
		}
		if (isa_cause_names_producer(in->cause) && in->stall_on >= in->id) {
			snprintf(why, len, "stalled on id %llu, expected an earlier id",
			    (unsigned long long)in->stall_on);
			return -1;
		}
		if (!isa_cause_names_producer(in->cause) && in->stall_on != 0) {
			snprintf(why, len, "stalled on id %llu with cause '%s', expected a "
			    "producer only with cause 'dep' or 'space'",
			    (unsigned long long)in->stall_on, isa_cause_name(in->cause));
			return -1;
		}
	}
	return 0;
}

static int
not_seekable(const struct trace_reader *r, const char *what, struct errbuf *e)
{
	return errbuf_set(e, "%s: cannot %s: a text trace has no index and is read in order; "
	    "'mastrace convert' makes an indexed .mtr", r->name ? r->name : "trace", what);
}

int
trace_seek(struct trace_reader *r, uint64_t index, struct errbuf *e)
{
	return r->ops->seek ? r->ops->seek(r, index, e) : not_seekable(r, "seek", e);
}

int
trace_seek_time(struct trace_reader *r, uint64_t cycle, struct errbuf *e)
{
	return r->ops->seek_time ? r->ops->seek_time(r, cycle, e) :
	    not_seekable(r, "seek by time", e);
}

int
trace_total(struct trace_reader *r, uint64_t *count, struct errbuf *e)
{
	return r->ops->total ? r->ops->total(r, count, e) : not_seekable(r, "count its instructions", e);
}

void
trace_header_init(struct trace_header *h, const struct npu *n, const struct workload *w)
{
	memset(h, 0, sizeof *h);
	snprintf(h->tool, sizeof h->tool, "mastrace %s", PACKAGE_VERSION);
	h->npu = *n;
	h->wl = *w;
}

static const char *const model_names[] = { "dram", "ports", "capacity" };
#define NMODELS ARRAY_LEN(model_names)

void
trace_models_format(unsigned models, char *buf, size_t len)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	if (!(models & TRACE_MODELS_RECORDED))
		return;
	for (i = 0; i < NMODELS; i++)
		if (models & (1u << i))
			used += (size_t)snprintf(buf + used, len > used ? len - used : 0, "%s%s",
			    used ? "," : "", model_names[i]);
	if (used == 0)
		snprintf(buf, len, "none");
}

int
trace_models_parse(const char *text, unsigned *models)
{
	const char *p = text;
	size_t n;
	unsigned i, m = TRACE_MODELS_RECORDED;

	if (strcmp(text, "none") == 0) {
		*models = m;
		return 0;
	}
	while (*p != '\0') {
		n = strcspn(p, ",");
		for (i = 0; i < NMODELS; i++)
			if (strlen(model_names[i]) == n && strncmp(p, model_names[i], n) == 0)
				break;
		if (i == NMODELS || (m & (1u << i)))
			return -1;
		m |= 1u << i;
		p += n;
		if (*p == ',' && *++p == '\0')
			return -1;
	}
	if (m == TRACE_MODELS_RECORDED)
		return -1;
	*models = m;
	return 0;
}
