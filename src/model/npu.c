/* npu: parameters, validation, INI reading (libinih) and writing. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "npu.h"
#include "openin.h"
#include "num.h"

enum key_type {
	KT_STR,		/* char array; max = its size */
	KT_U32,
	KT_KIB,		/* uint64_t bytes, written in KiB */
	KT_F64,
	KT_MAC_KIND,
};

#define KF_POW2      0x1u	/* must be a power of two */
#define KF_ZERO_NONE 0x2u	/* 0 is allowed and means "absent" */
#define KF_OPTIONAL  0x4u	/* may be left out of a file */
#define KF_NAME      0x8u	/* [A-Za-z0-9._-] only */

/*
 * One row per INI key.  Parsing, validation, `npu show` and the error
 * messages are all driven by this table so they cannot disagree about a
 * key's name, unit or range.
 */
struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t off;
	double min, max;
	unsigned flags;
	const char *unit;
	const char *doc;
};

#define F(field) offsetof(struct npu, field)

static const struct key keys[] = {
	{ "npu", "name", KT_STR, F(name), 1, NPU_NAME_MAX, KF_NAME, NULL,
	  "short name used in traces and reports" },
	{ "npu", "description", KT_STR, F(description), 0, NPU_DESC_MAX, KF_OPTIONAL, NULL,
	  "one line of free text" },
	{ "npu", "clock_mhz", KT_U32, F(clock_mhz), 1, 100000, 0, "MHz",
	  "core clock; every unit runs on it" },

	{ "mac", "kind", KT_MAC_KIND, F(mac.kind), 0, 0, 0, NULL,
	  "cube (m x k x n per cycle from L0A/L0B) or systolic (k x n array, m = 1)" },
	{ "mac", "m", KT_U32, F(mac.m), 1, 4096, 0, "rows",
	  "rows of the left operand taken per cycle" },
	{ "mac", "k", KT_U32, F(mac.k), 1, 4096, 0, "elements",
	  "reduction depth per cycle" },
	{ "mac", "n", KT_U32, F(mac.n), 1, 4096, 0, "columns",
	  "columns of the right operand per cycle" },
	{ "mac", "pipeline_cycles", KT_U32, F(mac.pipeline_cycles), 0, 100000, 0, "cycles",
	  "latency from first operand in to first result out (fill and drain)" },

	{ "vec", "lanes", KT_U32, F(vec.lanes), 1, 65536, KF_POW2, "elements",
	  "elements processed per vector instruction" },
	{ "vec", "pipeline_cycles", KT_U32, F(vec.pipeline_cycles), 0, 100000, 0, "cycles",
	  "latency of one vector instruction before its result can be used" },
	{ "vec", "max_cycles", KT_U32, F(vec.max_cycles), 1, 10000, 0, "cycles",
	  "issue cycles of an elementwise max over one vector" },
	{ "vec", "add_cycles", KT_U32, F(vec.add_cycles), 1, 10000, 0, "cycles",
	  "issue cycles of an add or subtract over one vector" },
	{ "vec", "mul_cycles", KT_U32, F(vec.mul_cycles), 1, 10000, 0, "cycles",
	  "issue cycles of a multiply (scaling) over one vector" },
	{ "vec", "exp_cycles", KT_U32, F(vec.exp_cycles), 1, 10000, 0, "cycles",
	  "issue cycles of an exponential over one vector" },
	{ "vec", "div_cycles", KT_U32, F(vec.div_cycles), 1, 10000, 0, "cycles",
	  "issue cycles of a divide over one vector" },

	{ "l1", "capacity_kib", KT_KIB, F(l1.capacity_bytes), 1, 16777216, 0, "KiB",
	  "on-chip (unified) buffer shared by DMA, MAC and VEC" },
	{ "l1", "banks", KT_U32, F(l1.banks), 1, 1024, KF_POW2, "banks",
	  "independent banks; accesses to different banks proceed in parallel" },
	{ "l1", "read_bytes_per_cycle", KT_U32, F(l1.read_bytes_per_cycle), 1, 1048576, 0, "B/cycle",
	  "total read port bandwidth" },
	{ "l1", "write_bytes_per_cycle", KT_U32, F(l1.write_bytes_per_cycle), 1, 1048576, 0, "B/cycle",
	  "total write port bandwidth" },

	{ "l0", "a_kib", KT_KIB, F(l0.a_bytes), 0, 16777216, KF_ZERO_NONE, "KiB",
	  "L0A, the MAC unit's left-operand buffer" },
	{ "l0", "b_kib", KT_KIB, F(l0.b_bytes), 0, 16777216, KF_ZERO_NONE, "KiB",
	  "L0B, the MAC unit's right-operand buffer" },
	{ "l0", "c_kib", KT_KIB, F(l0.c_bytes), 0, 16777216, KF_ZERO_NONE, "KiB",
	  "L0C, the MAC unit's accumulator buffer" },
	{ "l0", "load_bytes_per_cycle", KT_U32, F(l0.load_bytes_per_cycle), 1, 1048576, 0, "B/cycle",
	  "L1 to L0 move engine bandwidth (unused without L0)" },

	{ "dram", "bandwidth_gbs", KT_F64, F(dram.bandwidth_gbs), 0.001, 100000, 0, "GB/s",
	  "peak bandwidth, 10^9 bytes per second, shared by all transfers" },
	{ "dram", "latency_ns", KT_U32, F(dram.latency_ns), 0, 1000000, 0, "ns",
	  "fixed latency of a transfer before its first byte" },
	{ "dram", "burst_bytes", KT_U32, F(dram.burst_bytes), 1, 65536, KF_POW2, "bytes",
	  "transfer granularity; transfers are rounded up to whole bursts" },

	{ "dma", "channels", KT_U32, F(dma.channels), 1, 64, 0, "channels",
	  "transfers that can be in flight at once" },

	{ "energy", "mac_pj", KT_F64, F(energy.mac_pj), 0, 1e6, 0, "pJ",
	  "energy of one multiply-accumulate" },
	{ "energy", "vec_op_pj", KT_F64, F(energy.vec_op_pj), 0, 1e6, 0, "pJ",
	  "energy of one vector operation on one element" },
	{ "energy", "l0_byte_pj", KT_F64, F(energy.l0_byte_pj), 0, 1e6, 0, "pJ",
	  "energy per byte of L0 access: a matrix product's operands once per step that uses them, a move's bytes once" },
	{ "energy", "l1_byte_pj", KT_F64, F(energy.l1_byte_pj), 0, 1e6, 0, "pJ",
	  "energy per byte of L1 access: operands as for L0, a transfer's or vector operand's bytes once" },
	{ "energy", "dram_byte_pj", KT_F64, F(energy.dram_byte_pj), 0, 1e6, 0, "pJ",
	  "energy per byte moved to or from DRAM" },
	{ "energy", "static_mw", KT_F64, F(energy.static_mw), 0, 1e6, 0, "mW",
	  "static (leakage and clock) power of the whole NPU" },
};

#undef F

#define NKEYS ARRAY_LEN(keys)

static const char *const sections[] = {
	"npu", "mac", "vec", "l1", "l0", "dram", "dma", "energy",
};
#define NSECTIONS ARRAY_LEN(sections)

/* inih's line limit (INI_MAX_LINE) includes the newline and the NUL. */
#define LINE_MAX_CHARS 198

const char *
npu_mac_kind_name(enum npu_mac_kind kind)
{
	return kind == NPU_MAC_SYSTOLIC ? "systolic" : "cube";
}

uint64_t
npu_macs_per_cycle(const struct npu *n)
{
	return (uint64_t)n->mac.m * n->mac.k * n->mac.n;
}

double
npu_dram_bytes_per_cycle(const struct npu *n)
{
	return n->dram.bandwidth_gbs * 1e3 / n->clock_mhz;
}

bool
npu_has_l0(const struct npu *n)
{
	return n->l0.a_bytes != 0;
}

void
npu_summary(const struct npu *n, char *buf, size_t len)
{
	char shape[48];

	if (n->mac.kind == NPU_MAC_SYSTOLIC)
		snprintf(shape, sizeof shape, "%ux%u", (unsigned)n->mac.k, (unsigned)n->mac.n);
	else
		snprintf(shape, sizeof shape, "%ux%ux%u", (unsigned)n->mac.m,
		    (unsigned)n->mac.k, (unsigned)n->mac.n);
	snprintf(buf, len, "%s %s, L1 %llu KiB, DRAM %.4g GB/s, %u MHz", shape,
	    npu_mac_kind_name(n->mac.kind), (unsigned long long)(n->l1.capacity_bytes / 1024),
	    n->dram.bandwidth_gbs, (unsigned)n->clock_mhz);
}

static void *
key_ptr(const struct key *k, const struct npu *n)
{
	return (char *)n + k->off;
}

/* "an integer from 1 to 4096, a power of two" and the like. */
static void
key_expected(const struct key *k, char *buf, size_t len)
{
	size_t i, used;

	switch (k->type) {
	case KT_STR:
		if (k->flags & KF_NAME)
			snprintf(buf, len, "1 to %d characters from A-Z a-z 0-9 . _ -",
			    (int)k->max - 1);
		else
			snprintf(buf, len, "at most %d characters of text without ';' or '#'",
			    (int)k->max - 1);
		return;
	case KT_MAC_KIND:
		snprintf(buf, len, "'cube' or 'systolic'");
		return;
	case KT_F64:
		snprintf(buf, len, "a number from %.15g to %.15g", k->min, k->max);
		break;
	case KT_U32:
	case KT_KIB:
		if (k->flags & KF_ZERO_NONE)
			snprintf(buf, len, "0 (none) or an integer from 1 to %.0f", k->max);
		else
			snprintf(buf, len, "an integer from %.0f to %.0f", k->min, k->max);
		if (k->flags & KF_POW2) {
			used = strlen(buf);
			snprintf(buf + used, len - used, ", a power of two");
		}
		break;
	}
	if (k->unit != NULL) {
		i = strlen(buf);
		snprintf(buf + i, len - i, " (%s)", k->unit);
	}
}

static bool
name_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

static bool
in_range(const struct key *k, double v)
{
	if (v < k->min || v > k->max)
		return (k->flags & KF_ZERO_NONE) && v == 0;
	if ((k->flags & KF_POW2) && !num_is_pow2((uint64_t)v))
		return false;
	return true;
}

/*
 * Parse `text` as the value of key k and store it in n.  Returns 0, or -1
 * when the text is not an acceptable value (the caller words the message,
 * since it knows the file and line).
 */
static int
key_set(const struct key *k, struct npu *n, const char *text)
{
	uint64_t u;
	double d;
	size_t len;

	switch (k->type) {
	case KT_STR:
		len = strlen(text);
		if (len < (size_t)k->min || len >= (size_t)k->max)
			return -1;
		if ((k->flags & KF_NAME) ? !name_ok(text) : strpbrk(text, ";#") != NULL)
			return -1;
		memcpy(key_ptr(k, n), text, len + 1);
		return 0;
	case KT_MAC_KIND:
		if (strcmp(text, "cube") == 0)
			*(enum npu_mac_kind *)key_ptr(k, n) = NPU_MAC_CUBE;
		else if (strcmp(text, "systolic") == 0)
			*(enum npu_mac_kind *)key_ptr(k, n) = NPU_MAC_SYSTOLIC;
		else
			return -1;
		return 0;
	case KT_F64:
		if (num_parse_double(text, &d) != 0 || !in_range(k, d))
			return -1;
		*(double *)key_ptr(k, n) = d;
		return 0;
	case KT_U32:
	case KT_KIB:
		if (num_parse_u64(text, &u) != 0 || u > (uint64_t)k->max ||
		    !in_range(k, (double)u))
			return -1;
		if (k->type == KT_U32)
			*(uint32_t *)key_ptr(k, n) = (uint32_t)u;
		else
			*(uint64_t *)key_ptr(k, n) = u * 1024;
		return 0;
	}
	return -1;
}

/* Format key k's current value the way a file would spell it. */
static void
key_format(const struct key *k, const struct npu *n, char *buf, size_t len)
{
	switch (k->type) {
	case KT_STR:
		snprintf(buf, len, "%s", (const char *)key_ptr(k, n));
		break;
	case KT_MAC_KIND:
		snprintf(buf, len, "%s", npu_mac_kind_name(*(enum npu_mac_kind *)key_ptr(k, n)));
		break;
	case KT_F64: {
		/* the short form if it reads back to the same double, else all digits */
		double v = *(double *)key_ptr(k, n), back = 0;
		snprintf(buf, len, "%.15g", v);
		if (num_parse_double(buf, &back) != 0 || back != v)
			snprintf(buf, len, "%.17g", v);
		break;
	}
	case KT_U32:
		snprintf(buf, len, "%u", (unsigned)*(uint32_t *)key_ptr(k, n));
		break;
	case KT_KIB:	/* key_valid() holds capacities to whole KiB */
		snprintf(buf, len, "%llu",
		    (unsigned long long)(*(uint64_t *)key_ptr(k, n) / 1024));
		break;
	}
}

/* Check one key's stored value, for NPUs that did not come from text. */
static bool
key_valid(const struct key *k, const struct npu *n)
{
	const char *s;
	enum npu_mac_kind kind;
	uint64_t b;

	switch (k->type) {
	case KT_STR:
		s = key_ptr(k, n);
		if (memchr(s, '\0', (size_t)k->max) == NULL || strlen(s) < (size_t)k->min)
			return false;
		return (k->flags & KF_NAME) ? name_ok(s) : strpbrk(s, ";#") == NULL;
	case KT_MAC_KIND:
		kind = *(enum npu_mac_kind *)key_ptr(k, n);
		return kind == NPU_MAC_CUBE || kind == NPU_MAC_SYSTOLIC;
	case KT_F64:
		return in_range(k, *(double *)key_ptr(k, n));
	case KT_U32:
		return in_range(k, *(uint32_t *)key_ptr(k, n));
	case KT_KIB:
		b = *(uint64_t *)key_ptr(k, n);
		return b % 1024 == 0 && in_range(k, (double)(b / 1024));
	}
	return false;
}

static const struct key *
key_find(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
key_index(const char *section, const char *name)
{
	return (int)(key_find(section, name) - keys);
}

/*
 * Rules that involve more than one key.  Returns the index of the key at
 * fault and fills why, or -1 if all hold.  *other is a second key the rule
 * involves, so a file that set only that one still gets a line number.
 */
static int
cross_check(const struct npu *n, char *why, size_t len, int *other)
{
	bool a = n->l0.a_bytes != 0, b = n->l0.b_bytes != 0, c = n->l0.c_bytes != 0;
	const char *zero, *nonzero;
	int bad;

	if (n->mac.kind == NPU_MAC_SYSTOLIC && n->mac.m != 1) {
		snprintf(why, len, "got %u, expected 1 for kind = systolic "
		    "(a systolic array takes one row of the left operand per cycle)",
		    (unsigned)n->mac.m);
		*other = key_index("mac", "kind");
		return key_index("mac", "m");
	}
	if (!(a == b && b == c)) {
		zero = !a ? "a_kib" : !b ? "b_kib" : "c_kib";
		nonzero = a ? "a_kib" : b ? "b_kib" : "c_kib";
		snprintf(why, len, "got 0, expected a_kib, b_kib and c_kib to be "
		    "all 0 (no L0 buffers) or all positive");
		*other = key_index("l0", nonzero);
		return key_index("l0", zero);
	}
	if (a && (n->l0.a_bytes > n->l1.capacity_bytes || n->l0.b_bytes > n->l1.capacity_bytes)) {
		bad = key_index("l0", n->l0.a_bytes > n->l1.capacity_bytes ? "a_kib" : "b_kib");
		snprintf(why, len, "got %llu, expected at most l1.capacity_kib (%llu): "
		    "L0 operands are loaded from L1",
		    (unsigned long long)(*(uint64_t *)key_ptr(&keys[bad], n) / 1024),
		    (unsigned long long)(n->l1.capacity_bytes / 1024));
		*other = key_index("l1", "capacity_kib");
		return bad;
	}
	return -1;
}

int
npu_validate(const struct npu *n, struct errbuf *e)
{
	char exp[160], why[256];
	size_t i;
	int bad, other;

	for (i = 0; i < NKEYS; i++) {
		if (!key_valid(&keys[i], n)) {
			key_expected(&keys[i], exp, sizeof exp);
			return errbuf_set(e, "npu '%.*s': key '%s.%s': invalid value, expected %s",
			    NPU_NAME_MAX - 1, n->name, keys[i].section, keys[i].name, exp);
		}
	}
	bad = cross_check(n, why, sizeof why, &other);
	if (bad >= 0)
		return errbuf_set(e, "npu '%s': key '%s.%s': %s", n->name,
		    keys[bad].section, keys[bad].name, why);
	return 0;
}

/* ---- INI loading ---------------------------------------------------- */

_Static_assert(NKEYS <= NPU_MAX_KEYS, "raise NPU_MAX_KEYS");

struct loader {
	FILE *f;
	const char *fname;
	struct npu_builder b;
	struct errbuf *e;
	unsigned lineno;
	char *line;		/* getline() buffer */
	size_t cap;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static void
fail(struct loader *l, const char *fmt, ...)
{
	char msg[ERRBUF_SIZE];
	va_list ap;

	if (l->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	errbuf_set(l->e, "%s:%u: %s", l->fname, l->lineno, msg);
	l->failed = true;
}

/* A "[name]" line: known section, nothing after it but a comment. */
static int
check_section(struct loader *l, const char *p)
{
	const char *close = strchr(p, ']'), *rest;
	char list[128];
	size_t i, used = 0;

	if (close == NULL) {
		fail(l, "expected ']' to close the section header '%s'", p);
		return -1;
	}
	for (rest = close + 1; *rest == ' ' || *rest == '\t'; rest++)
		;
	if (*rest != '\0' && *rest != '#' && *rest != ';') {
		fail(l, "unexpected text '%s' after the section header", rest);
		return -1;
	}
	for (i = 0; i < NSECTIONS; i++)
		if (strlen(sections[i]) == (size_t)(close - p - 1) &&
		    strncmp(sections[i], p + 1, (size_t)(close - p - 1)) == 0)
			return 0;
	list[0] = '\0';
	for (i = 0; i < NSECTIONS; i++)
		used += (size_t)snprintf(list + used, sizeof list - used, " [%s]", sections[i]);
	fail(l, "unknown section %.*s, expected one of%s", (int)(close - p + 1), p, list);
	return -1;
}

/*
 * inih reader callback.  It reads whole lines itself so that it can count
 * them (this libinih is built without INI_HANDLER_LINENO), refuse binary
 * data and over-long lines instead of letting inih split or truncate them,
 * and reject lines inih would silently skip or treat as continuations.
 */
static char *
read_line(char *str, int num, void *stream)
{
	struct loader *l = stream;
	ssize_t len;
	char *p, *end;

	if (l->failed)
		return NULL;
	len = getline(&l->line, &l->cap, l->f);
	if (len < 0) {
		if (ferror(l->f))
			fail(l, "read error: %s", strerror(errno));
		return NULL;
	}
	l->lineno++;
	p = l->line;
	if (l->lineno == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		len -= 3;
	}
	for (end = p; end < p + len; end++) {
		unsigned char c = (unsigned char)*end;
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
			fail(l, "binary data (byte 0x%02x at column %zu), expected a text INI file",
			    c, (size_t)(end - l->line) + 1);
			return NULL;
		}
	}
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		p[--len] = '\0';
	while (*p == ' ' || *p == '\t') {
		p++;
		len--;
	}
	if (len > LINE_MAX_CHARS || len >= num - 1) {
		fail(l, "line is %zd characters long, expected at most %d", len, LINE_MAX_CHARS);
		return NULL;
	}
	if (*p != '\0' && *p != '#' && *p != ';') {
		if (*p == '[') {
			if (check_section(l, p) != 0)
				return NULL;
		} else if (strpbrk(p, "=:") == NULL) {
			/* inih takes ':' for '=' too (mastrace-npu(5)) */
			fail(l, "expected '[section]', 'key = value' or 'key: value', got '%s'", p);
			return NULL;
		} else if (*p == '=' || *p == ':') {
			fail(l, "expected a key name before '%c'", *p);
			return NULL;
		}
	}
	memcpy(str, p, (size_t)len + 1);
	return str;
}

static void
list_keys(const char *section, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < NKEYS && used < len; i++) {
		if (strcmp(keys[i].section, section) != 0)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    used ? ", " : "", keys[i].name);
	}
}

void
npu_builder_init(struct npu_builder *b)
{
	memset(b, 0, sizeof *b);
}

int
npu_builder_set(struct npu_builder *b, const char *section, const char *name,
    const char *value, unsigned line, char *why, size_t len)
{
	const struct npu_preset *p;
	const struct key *k;
	char list[512], exp[160];
	size_t i, idx, used = 0;

	if (b->first_line == 0)
		b->first_line = line;
	if (strcmp(section, "npu") == 0 && strcmp(name, "base") == 0) {
		for (i = 0; i < NKEYS; i++)
			if (b->key_line[i] != 0) {
				snprintf(why, len, "key 'npu.base' must come before every other "
				    "key (line %u sets '%s.%s')", b->key_line[i],
				    keys[i].section, keys[i].name);
				return -1;
			}
		if (b->based) {
			snprintf(why, len, "key 'npu.base' is set twice");
			return -1;
		}
		p = npu_preset_find(value);
		if (p == NULL) {
			list[0] = '\0';
			for (i = 0; i < npu_preset_count(); i++)
				used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
				    i ? ", " : "", npu_preset_at(i)->name);
			snprintf(why, len, "key 'npu.base': got '%s', expected a preset: %s",
			    value, list);
			return -1;
		}
		b->npu = p->npu;
		b->based = true;
		return 0;
	}
	k = key_find(section, name);
	if (k == NULL) {
		list_keys(section, list, sizeof list);
		if (list[0] == '\0')
			snprintf(why, len, "unknown NPU key '%s.%s'", section, name);
		else
			snprintf(why, len, "unknown key '%s' in [%s], expected one of: %s",
			    name, section, list);
		return -1;
	}
	idx = (size_t)(k - keys);
	if (b->key_line[idx] != 0) {
		snprintf(why, len, "key '%s.%s' is set twice (first at line %u)", section, name,
		    b->key_line[idx]);
		return -1;
	}
	if (key_set(k, &b->npu, value) != 0) {
		key_expected(k, exp, sizeof exp);
		snprintf(why, len, "key '%s.%s': got %s%s%s, expected %s", section, name,
		    *value == '\0' ? "nothing" : "'", value, *value == '\0' ? "" : "'", exp);
		return -1;
	}
	b->key_line[idx] = line;
	return 0;
}

int
npu_builder_finish(const struct npu_builder *b, const char *where, struct npu *out,
    struct errbuf *e)
{
	char why[256];
	size_t i, j;
	unsigned line;
	bool seen;
	int bad, other;

	if (!b->based) {
		for (i = 0; i < NSECTIONS; i++) {
			seen = false;
			for (j = 0; j < NKEYS; j++)
				if (strcmp(keys[j].section, sections[i]) == 0 && b->key_line[j])
					seen = true;
			if (!seen)
				return errbuf_set(e, "%s: missing section [%s], expected every "
				    "section unless [npu] starts with 'base = PRESET'",
				    where, sections[i]);
		}
		for (j = 0; j < NKEYS; j++)
			if (b->key_line[j] == 0 && !(keys[j].flags & KF_OPTIONAL))
				return errbuf_set(e, "%s: missing key '%s' in [%s], expected "
				    "every key unless [npu] starts with 'base = PRESET'",
				    where, keys[j].name, keys[j].section);
	}
	bad = cross_check(&b->npu, why, sizeof why, &other);
	if (bad >= 0) {
		line = b->key_line[bad] ? b->key_line[bad] : b->key_line[other];
		return errbuf_set(e, "%s:%u: key '%s.%s': %s", where, line,
		    keys[bad].section, keys[bad].name, why);
	}
	*out = b->npu;
	return 0;
}

size_t
npu_key_count(void)
{
	return NKEYS;
}

void
npu_key_get(const struct npu *n, size_t i, const char **section, const char **name,
    char *value, size_t len)
{
	*section = keys[i].section;
	*name = keys[i].name;
	key_format(&keys[i], n, value, len);
}

static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct loader *l = user;
	char why[ERRBUF_SIZE - 64];

	if (l->failed)
		return 0;
	if (*section == '\0') {
		fail(l, "key '%s' is outside any section, expected a [section] header "
		    "such as [npu] first", name);
		return 0;
	}
	if (npu_builder_set(&l->b, section, name, value, l->lineno, why, sizeof why) != 0) {
		fail(l, "%s", why);
		return 0;
	}
	return 1;
}

int
npu_load_stream(FILE *f, const char *fname, struct npu *out, struct errbuf *e)
{
	struct loader l;
	int rc;

	memset(&l, 0, sizeof l);
	npu_builder_init(&l.b);
	l.f = f;
	l.fname = fname;
	l.e = e;
	rc = ini_parse_stream(read_line, &l, on_key, &l);
	free(l.line);
	if (l.failed)
		return -1;
	if (rc == -2)
		return errbuf_set(e, "%s: out of memory", fname);
	if (rc != 0)	/* read_line() screens every form inih rejects */
		return errbuf_set(e, "%s:%d: malformed line", fname, rc);
	if (l.b.first_line == 0)
		return errbuf_set(e, "%s: no settings found, expected an NPU description "
		    "starting with [npu] (see mastrace-npu(5))", fname);
	return npu_builder_finish(&l.b, fname, out, e);
}

int
npu_load_file(const char *path, struct npu *out, struct errbuf *e)
{
	FILE *f;
	int rc;

	f = openin(path, "an NPU file (INI, see mastrace-npu(5))", e);
	if (f == NULL)
		return -1;
	rc = npu_load_stream(f, path, out, e);
	fclose(f);
	return rc;
}

int
npu_resolve(const char *arg, struct npu *out, struct errbuf *e)
{
	const struct npu_preset *p;
	size_t i, used = 0;
	char list[256];

	p = npu_preset_find(arg);
	if (p != NULL) {
		*out = p->npu;
		return 0;
	}
	if (strpbrk(arg, "/.") == NULL) {
		FILE *f = fopen(arg, "r");
		if (f == NULL) {
			list[0] = '\0';
			for (i = 0; i < npu_preset_count(); i++)
				used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
				    i ? ", " : "", npu_preset_at(i)->name);
			return errbuf_set(e, "npu '%s': no such preset or file, expected "
			    "one of %s or an INI file", arg, list);
		}
		fclose(f);
	}
	return npu_load_file(arg, out, e);
}

/* ---- INI writing ---------------------------------------------------- */

static void
write_comment_block(FILE *f, const char *text)
{
	const char *p = text, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (nl == p)
			fputs("#\n", f);
		else
			fprintf(f, "# %.*s\n", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

int
npu_write_ini(FILE *f, const struct npu *n, const char *sources)
{
	const char *section = NULL;
	char value[128], exp[160];
	size_t i;

	fprintf(f, "# mastrace NPU description '%s' (see mastrace-npu(5)).\n", n->name);
	fputs("# Every key is required, unless [npu] starts with 'base = PRESET':\n"
	    "# then only the keys given replace the preset's.\n", f);
	if (sources != NULL && *sources != '\0') {
		fputs("#\n", f);
		write_comment_block(f, sources);
	}
	for (i = 0; i < NKEYS; i++) {
		if (section == NULL || strcmp(section, keys[i].section) != 0) {
			section = keys[i].section;
			fprintf(f, "\n[%s]\n", section);
		}
		key_format(&keys[i], n, value, sizeof value);
		key_expected(&keys[i], exp, sizeof exp);
		fprintf(f, "# %s; %s\n", keys[i].doc, exp);
		fprintf(f, "%s = %s\n", keys[i].name, value);
	}
	return ferror(f) ? -1 : 0;
}
