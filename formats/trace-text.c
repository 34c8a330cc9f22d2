/* trace-text: one instruction per line, key=value fields, "#!" header lines. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "outfile.h"
#include "trace-text.h"

#define LINE_MAX_CHARS 4096

/* ---- writing --------------------------------------------------------- */

struct text_writer {
	struct trace_writer base;
	struct outfile out;
	char line[LINE_MAX_CHARS + 64];
};

struct sbuf {
	char *p;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static void
sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = b->len + (size_t)n < b->cap ? b->len + (size_t)n : b->cap;
}

static void
sb_regions(struct sbuf *b, const char *key, const struct isa_region *r, unsigned n)
{
	unsigned i;

	if (n == 0)
		return;
	sb_add(b, " %s=", key);
	for (i = 0; i < n; i++) {
		sb_add(b, "%s%s:%llu+%llu", i ? "," : "", isa_buf_name(r[i].buf),
		    (unsigned long long)r[i].addr, (unsigned long long)r[i].size);
		if (r[i].tensor != ISA_T_NONE)
			sb_add(b, ":%s", isa_tensor_name(r[i].tensor));
	}
}

void
text_format_instr(const struct isa_instr *in, char *buf, size_t len)
{
	struct sbuf b = { buf, 0, len };
	char unit[8];
	unsigned i, sep = 0;

	buf[0] = '\0';
	sb_add(&b, "id=%llu unit=%s op=%s", (unsigned long long)in->id,
	    isa_unit_name(in->unit, unit, sizeof unit), isa_op_name(in->op));
	if (in->flags) {
		sb_add(&b, " flags=");
		for (i = 0; i < ISA_NFLAGS; i++)
			if (in->flags & (1u << i))
				sb_add(&b, "%s%s", sep++ ? "|" : "", isa_flag_name(i));
	}
#define FIELD(name, v) if (v) sb_add(&b, " " name "=%llu", (unsigned long long)(v))
	FIELD("b", in->b); FIELD("h", in->h); FIELD("rb", in->rb); FIELD("cb", in->cb);
	FIELD("st", in->st); FIELD("m", in->m); FIELD("n", in->n); FIELD("k", in->k);
	FIELD("bytes", in->bytes);
	sb_regions(&b, "src", in->src, in->nsrc);
	sb_regions(&b, "dst", in->dst, in->ndst);
	if (in->ndeps) {
		sb_add(&b, " deps=");
		for (i = 0; i < in->ndeps; i++)
			sb_add(&b, "%s%llu", i ? "," : "", (unsigned long long)in->deps[i]);
	}
	sb_add(&b, " plan=%llu-%llu", (unsigned long long)in->plan_start,
	    (unsigned long long)in->plan_end);
	if (in->replayed) {
		sb_add(&b, " rep=%llu-%llu", (unsigned long long)in->rep_start,
		    (unsigned long long)in->rep_end);
		FIELD("stall", in->stall);
		if (in->cause != ISA_CAUSE_NONE)
			sb_add(&b, " cause=%s", isa_cause_name(in->cause));
		if (isa_cause_names_producer(in->cause))
			sb_add(&b, " on=%llu", (unsigned long long)in->stall_on);
	}
#undef FIELD
}

static int
text_write(struct trace_writer *tw, const struct isa_instr *in, struct errbuf *e)
{
	struct text_writer *w = (struct text_writer *)tw;
	const char *name = w->out.path ? w->out.path : "standard output";
	char why[512];

	if (in->id != tw->count)
		return errbuf_set(e, "%s: instruction %llu has id %llu, expected %llu (ids "
		    "count up from 0)", name, (unsigned long long)tw->count,
		    (unsigned long long)in->id, (unsigned long long)tw->count);
	if (isa_check(in, why, sizeof why) != 0)
		return errbuf_set(e, "%s: instruction %llu: %s", name,
		    (unsigned long long)in->id, why);
	text_format_instr(in, w->line, sizeof w->line);
	if (fputs(w->line, w->out.f) == EOF || fputc('\n', w->out.f) == EOF)
		return errbuf_set(e, "%s: write error: %s", name, strerror(errno));
	tw->count++;
	return 0;
}

static void
text_abort(struct trace_writer *tw)
{
	struct text_writer *w = (struct text_writer *)tw;

	outfile_abort(&w->out);
	free(w);
}

static int
text_close(struct trace_writer *tw, struct errbuf *e)
{
	struct text_writer *w = (struct text_writer *)tw;
	int rc = outfile_commit(&w->out, e);

	free(w);
	return rc;
}

static const struct trace_writer_ops text_writer_ops = { text_write, text_close, text_abort };

static void
header_line(FILE *f, const char *key, const char *value)
{
	if (*value)
		fprintf(f, "#!%s = %s\n", key, value);
	else
		fprintf(f, "#!%s =\n", key);
}

/* The preset n is equal to in every key, or NULL. */
static const struct npu_preset *
same_preset(const struct npu *n)
{
	char a[512], b[512];
	const char *section, *name;
	size_t i, k;

	for (i = 0; i < npu_preset_count(); i++) {
		const struct npu_preset *p = npu_preset_at(i);
		for (k = 0; k < npu_key_count(); k++) {
			npu_key_get(n, k, &section, &name, a, sizeof a);
			npu_key_get(&p->npu, k, &section, &name, b, sizeof b);
			if (strcmp(a, b) != 0)
				break;
		}
		if (k == npu_key_count())
			return p;
	}
	return NULL;
}

int
text_writer_open(const char *path, const struct trace_header *h, struct trace_writer **out,
    struct errbuf *e)
{
	const struct npu_preset *preset = same_preset(&h->npu);
	struct text_writer *w;
	char key[128], value[512], spec[WL_SPEC_MAX];
	const char *section, *name;
	size_t i;

	w = calloc(1, sizeof *w);
	if (w == NULL)
		return errbuf_set(e, "%s: out of memory", path);
	w->base.ops = &text_writer_ops;
	if (outfile_open(&w->out, path, e) != 0) {
		free(w);
		return -1;
	}
	fprintf(w->out.f, "%s %d\n", TEXT_TRACE_MAGIC, TEXT_TRACE_VERSION);
	header_line(w->out.f, "tool", h->tool);
	header_line(w->out.f, "workload.name", h->wl.name);
	wl_format(&h->wl, spec, sizeof spec);
	header_line(w->out.f, "workload", spec);
	header_line(w->out.f, "scheduler", h->sched);
	header_line(w->out.f, "tiling", h->tiling);
	header_line(w->out.f, "command", h->command);
	if (h->replay[0] != '\0')
		header_line(w->out.f, "replay", h->replay);
	if (h->models != 0) {
		char models[64];
		trace_models_format(h->models, models, sizeof models);
		header_line(w->out.f, "replay_models", models);
	}
	/* a preset is named rather than spelled out, which keeps headers short */
	if (preset != NULL)
		header_line(w->out.f, "npu.base", preset->name);
	for (i = 0; preset == NULL && i < npu_key_count(); i++) {
		npu_key_get(&h->npu, i, &section, &name, value, sizeof value);
		snprintf(key, sizeof key, "%s.%s", section, name);
		header_line(w->out.f, key, value);
	}
	if (ferror(w->out.f)) {
		text_abort(&w->base);
		return errbuf_set(e, "%s: write error", path);
	}
	*out = &w->base;
	return 0;
}

/* ---- reading --------------------------------------------------------- */

struct text_reader {
	struct trace_reader base;
	FILE *f;
	bool own;
	char *name;
	char *line;
	size_t cap;
	ssize_t len;
	unsigned long lineno;
	bool pending;		/* `line` holds an instruction not yet returned */
	struct isa_instr in;
};

/* Read the next line into r->line; 1 read, 0 at end, -1 on error. */
static int
next_line(struct text_reader *r, struct errbuf *e)
{
	ssize_t i;

	errno = 0;
	r->len = getline(&r->line, &r->cap, r->f);
	if (r->len < 0) {
		if (ferror(r->f))
			return errbuf_set(e, "%s:%lu: read error: %s", r->name, r->lineno + 1,
			    strerror(errno));
		return 0;
	}
	r->lineno++;
	if (r->len > 0 && r->line[r->len - 1] == '\n')
		r->line[--r->len] = '\0';
	if (r->len > 0 && r->line[r->len - 1] == '\r')
		r->line[--r->len] = '\0';
	if (r->len > LINE_MAX_CHARS)
		return errbuf_set(e, "%s:%lu: line is %zd characters long, expected at most %d",
		    r->name, r->lineno, r->len, LINE_MAX_CHARS);
	for (i = 0; i < r->len; i++) {
		unsigned char c = (unsigned char)r->line[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return errbuf_set(e, "%s:%lu:%zd: binary data (byte 0x%02x), expected a "
			    "text trace", r->name, r->lineno, i + 1, c);
	}
	return 1;
}

static bool
blank_or_comment(const char *s)
{
	s += strspn(s, " \t");
	return *s == '\0' || (*s == '#' && s[1] != '!');
}

static char *
trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

static int
copy_value(char *dst, size_t cap, const char *v, const char *key, struct text_reader *r,
    struct errbuf *e)
{
	if (strlen(v) >= cap)
		return errbuf_set(e, "%s:%lu: header '%s' is %zu characters, expected at most %zu",
		    r->name, r->lineno, key, strlen(v), cap - 1);
	strcpy(dst, v);
	return 0;
}

static int
read_header(struct text_reader *r, struct errbuf *e)
{
	struct trace_header *h = &r->base.hdr;
	struct npu_builder nb;
	char *key, *value, *eq, *dot, why[512], spec[WL_SPEC_MAX] = "", name[WL_NAME_MAX] = "";
	unsigned long wl_line = 0;
	uint64_t version;
	int rc;

	npu_builder_init(&nb);
	memset(h, 0, sizeof *h);
	do {
		rc = next_line(r, e);
		if (rc <= 0)
			return rc < 0 ? -1 : errbuf_set(e, "%s: empty file, expected a text trace "
			    "starting with '%s %d'", r->name, TEXT_TRACE_MAGIC, TEXT_TRACE_VERSION);
	} while (r->len == 0);
	if (strncmp(r->line, TEXT_TRACE_MAGIC " ", sizeof TEXT_TRACE_MAGIC) != 0 ||
	    num_parse_u64(trim(r->line + sizeof TEXT_TRACE_MAGIC), &version) != 0)
		return errbuf_set(e, "%s:%lu: expected '%s %d' on the first line", r->name,
		    r->lineno, TEXT_TRACE_MAGIC, TEXT_TRACE_VERSION);
	if (version != TEXT_TRACE_VERSION)
		return errbuf_set(e, "%s:%lu: text trace version %llu, expected %d%s", r->name,
		    r->lineno, (unsigned long long)version, TEXT_TRACE_VERSION,
		    version > TEXT_TRACE_VERSION ? " (written by a newer mastrace?)" : "");
	for (;;) {
		rc = next_line(r, e);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		if (strncmp(r->line, "#!", 2) != 0) {
			if (blank_or_comment(r->line))
				continue;
			r->pending = true;
			break;
		}
		eq = strchr(r->line, '=');
		if (eq == NULL)
			return errbuf_set(e, "%s:%lu: expected '#!key = value' in the header",
			    r->name, r->lineno);
		*eq = '\0';
		key = trim(r->line + 2);
		value = trim(eq + 1);
		if (strcmp(key, "tool") == 0) {
			if (copy_value(h->tool, sizeof h->tool, value, key, r, e))
				return -1;
		} else if (strcmp(key, "workload.name") == 0) {
			if (copy_value(name, sizeof name, value, key, r, e))
				return -1;
		} else if (strcmp(key, "workload") == 0) {
			if (copy_value(spec, sizeof spec, value, key, r, e))
				return -1;
			wl_line = r->lineno;
		} else if (strcmp(key, "scheduler") == 0) {
			if (copy_value(h->sched, sizeof h->sched, value, key, r, e))
				return -1;
		} else if (strcmp(key, "tiling") == 0) {
			if (copy_value(h->tiling, sizeof h->tiling, value, key, r, e))
				return -1;
		} else if (strcmp(key, "command") == 0) {
			if (copy_value(h->command, sizeof h->command, value, key, r, e))
				return -1;
		} else if (strcmp(key, "replay") == 0) {
			if (copy_value(h->replay, sizeof h->replay, value, key, r, e))
				return -1;
		} else if (strcmp(key, "replay_models") == 0) {
			if (trace_models_parse(value, &h->models) != 0)
				return errbuf_set(e, "%s:%lu: replay_models '%s', expected models from "
				    "dram, ports and capacity separated by commas, or none", r->name,
				    r->lineno, value);
		} else if ((dot = strchr(key, '.')) != NULL) {
			*dot = '\0';
			if (npu_builder_set(&nb, key, dot + 1, value, (unsigned)r->lineno, why,
			    sizeof why) != 0)
				return errbuf_set(e, "%s:%lu: %s", r->name, r->lineno, why);
		} else {
			return errbuf_set(e, "%s:%lu: unknown header key '%s', expected tool, "
			    "workload, workload.name, scheduler, tiling, command, replay, replay_models or "
			    "an NPU key "
			    "such as l1.capacity_kib", r->name, r->lineno, key);
		}
	}
	if (wl_line == 0)
		return errbuf_set(e, "%s: missing header line '#!workload = SPEC'", r->name);
	if (nb.first_line == 0)
		return errbuf_set(e, "%s: missing NPU header lines, expected '#!npu.base = "
		    "PRESET' or every NPU key ('#!l1.capacity_kib = 256', ...)", r->name);
	if (npu_builder_finish(&nb, r->name, &h->npu, e) != 0)
		return -1;
	if (wl_parse(spec, &h->wl, e) != 0)
		return errbuf_prefix(e, "%s:%lu", r->name, wl_line);
	if (name[0] != '\0')
		snprintf(h->wl.name, sizeof h->wl.name, "%s", name);
	return 0;
}

/* Field parsers: 0, or -1 with `why` saying what was expected. */
static int
parse_u32(const char *v, uint32_t *out, char *why, size_t len)
{
	uint64_t u;

	if (num_parse_u64(v, &u) != 0 || u > UINT32_MAX) {
		snprintf(why, len, "expected an integer from 0 to %u", UINT32_MAX);
		return -1;
	}
	*out = (uint32_t)u;
	return 0;
}

static int
parse_u64(const char *v, uint64_t *out, char *why, size_t len)
{
	if (num_parse_u64(v, out) != 0) {
		snprintf(why, len, "expected an integer from 0 to %llu",
		    (unsigned long long)UINT64_MAX);
		return -1;
	}
	return 0;
}

static int
parse_span(char *v, uint64_t *start, uint64_t *end, char *why, size_t len)
{
	char *dash = strchr(v, '-');

	if (dash == NULL)
		goto bad;
	*dash = '\0';
	if (num_parse_u64(v, start) != 0 || num_parse_u64(dash + 1, end) != 0) {
		*dash = '-';
		goto bad;
	}
	*dash = '-';
	return 0;
bad:
	snprintf(why, len, "expected START-END in cycles");
	return -1;
}

static int
parse_regions(char *v, struct isa_region *r, uint8_t *n, unsigned max, char *why, size_t len)
{
	char *item, *save = NULL, *c1, *plus, *c2;
	int code;

	*n = 0;
	for (item = strtok_r(v, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (*n == max) {
			snprintf(why, len, "more than %u regions", max);
			return -1;
		}
		c1 = strchr(item, ':');
		plus = c1 ? strchr(c1, '+') : NULL;
		if (c1 == NULL || plus == NULL)
			goto bad;
		*c1 = '\0';
		*plus = '\0';
		c2 = strchr(plus + 1, ':');
		if (c2 != NULL)
			*c2 = '\0';
		code = isa_buf_code(item);
		if (code < 0) {
			snprintf(why, len, "unknown buffer '%s', expected dram, l1, l0a, l0b or l0c",
			    item);
			return -1;
		}
		r[*n].buf = (uint8_t)code;
		r[*n].tensor = ISA_T_NONE;
		if (num_parse_u64(c1 + 1, &r[*n].addr) != 0 ||
		    num_parse_u64(plus + 1, &r[*n].size) != 0)
			goto bad;
		if (c2 != NULL) {
			code = isa_tensor_code(c2 + 1);
			if (code < 0) {
				snprintf(why, len, "unknown tensor '%s', expected q, k, v, s, p, o, "
				    "m, l or none", c2 + 1);
				return -1;
			}
			r[*n].tensor = (uint8_t)code;
		}
		(*n)++;
	}
	if (*n == 0)
		goto bad;
	return 0;
bad:
	snprintf(why, len, "expected BUFFER:ADDRESS+SIZE[:TENSOR], comma-separated");
	return -1;
}

enum {
	K_ID, K_UNIT, K_OP, K_FLAGS, K_B, K_H, K_RB, K_CB, K_ST, K_M, K_N, K_K, K_BYTES,
	K_SRC, K_DST, K_DEPS, K_PLAN, K_REP, K_STALL, K_CAUSE, K_ON, K_COUNT
};

static const char *const field_names[K_COUNT] = {
	"id", "unit", "op", "flags", "b", "h", "rb", "cb", "st", "m", "n", "k", "bytes",
	"src", "dst", "deps", "plan", "rep", "stall", "cause", "on",
};

static int
parse_field(struct text_reader *r, int key, char *v, char *why, size_t len)
{
	struct isa_instr *in = &r->in;
	char *item, *save = NULL;
	int code;

	switch (key) {
	case K_ID:
		if (parse_u64(v, &in->id, why, len) != 0)
			return -1;
		if (in->id != r->base.count) {
			snprintf(why, len, "expected %llu (ids count up from 0 in order)",
			    (unsigned long long)r->base.count);
			return -1;
		}
		return 0;
	case K_UNIT:
		if ((code = isa_unit_code(v)) < 0) {
			snprintf(why, len, "expected mac, vec, mte or dma0 to dma%d",
			    ISA_MAX_DMA - 1);
			return -1;
		}
		in->unit = (uint8_t)code;
		return 0;
	case K_OP:
		if ((code = isa_op_code(v)) < 0) {
			snprintf(why, len, "expected an opcode (load, store, spill, fill, move, "
			    "matmul, vmax, vexp, vsum, vdiv, vscale, vrescale, barrier, alloc, "
			    "free, overwrite)");
			return -1;
		}
		in->op = (uint8_t)code;
		return 0;
	case K_FLAGS:
		for (item = strtok_r(v, "|", &save); item; item = strtok_r(NULL, "|", &save)) {
			if ((code = isa_flag_code(item)) < 0) {
				snprintf(why, len, "unknown flag '%s', expected acc, transb, mask, "
				    "first or last, joined by '|'", item);
				return -1;
			}
			in->flags |= (uint8_t)(1u << code);
		}
		return 0;
	case K_B: return parse_u32(v, &in->b, why, len);
	case K_H: return parse_u32(v, &in->h, why, len);
	case K_RB: return parse_u32(v, &in->rb, why, len);
	case K_CB: return parse_u32(v, &in->cb, why, len);
	case K_ST: return parse_u32(v, &in->st, why, len);
	case K_M: return parse_u32(v, &in->m, why, len);
	case K_N: return parse_u32(v, &in->n, why, len);
	case K_K: return parse_u32(v, &in->k, why, len);
	case K_BYTES: return parse_u64(v, &in->bytes, why, len);
	case K_SRC: return parse_regions(v, in->src, &in->nsrc, ISA_MAX_SRC, why, len);
	case K_DST: return parse_regions(v, in->dst, &in->ndst, ISA_MAX_DST, why, len);
	case K_DEPS:
		for (item = strtok_r(v, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
			if (in->ndeps == ISA_MAX_DEPS) {
				snprintf(why, len, "more than %d dependencies", ISA_MAX_DEPS);
				return -1;
			}
			if (num_parse_u64(item, &in->deps[in->ndeps]) != 0) {
				snprintf(why, len, "expected ids separated by ','");
				return -1;
			}
			in->ndeps++;
		}
		if (in->ndeps == 0) {
			snprintf(why, len, "expected ids separated by ','");
			return -1;
		}
		return 0;
	case K_PLAN: return parse_span(v, &in->plan_start, &in->plan_end, why, len);
	case K_REP:
		in->replayed = true;
		return parse_span(v, &in->rep_start, &in->rep_end, why, len);
	case K_STALL: return parse_u64(v, &in->stall, why, len);
	case K_CAUSE:
		if ((code = isa_cause_code(v)) < 0) {
			snprintf(why, len, "expected none, dep, unit, dram, dma, port or space");
			return -1;
		}
		in->cause = (uint8_t)code;
		return 0;
	case K_ON: return parse_u64(v, &in->stall_on, why, len);
	}
	return -1;
}

static int
parse_instr(struct text_reader *r, struct errbuf *e)
{
	char *p = r->line, *tok, *eq, why[512], value[LINE_MAX_CHARS + 1];
	unsigned long col[K_COUNT] = { 0 };
	size_t tlen;
	int key;

	memset(&r->in, 0, sizeof r->in);
	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		tok = p;
		tlen = strcspn(p, " \t");
		p += tlen;
		if (*p != '\0')
			*p++ = '\0';
		eq = strchr(tok, '=');
		if (eq == NULL || eq == tok)
			return errbuf_set(e, "%s:%lu:%ld: expected key=value, got '%s'", r->name,
			    r->lineno, (long)(tok - r->line) + 1, tok);
		*eq = '\0';
		for (key = 0; key < K_COUNT; key++)
			if (strcmp(tok, field_names[key]) == 0)
				break;
		if (key == K_COUNT)
			return errbuf_set(e, "%s:%lu:%ld: unknown field '%s', expected one of id, "
			    "unit, op, flags, b, h, rb, cb, st, m, n, k, bytes, src, dst, deps, "
			    "plan, rep, stall, cause, on", r->name, r->lineno,
			    (long)(tok - r->line) + 1, tok);
		if (col[key])
			return errbuf_set(e, "%s:%lu:%ld: field '%s' given twice (first at column "
			    "%lu)", r->name, r->lineno, (long)(tok - r->line) + 1, tok, col[key]);
		col[key] = (unsigned long)(tok - r->line) + 1;
		snprintf(value, sizeof value, "%s", eq + 1);	/* parsing cuts it up */
		if (parse_field(r, key, eq + 1, why, sizeof why) != 0)
			return errbuf_set(e, "%s:%lu:%lu: field '%s': got '%s', %s", r->name,
			    r->lineno, col[key], tok, value, why);
	}
	for (key = K_ID; key <= K_OP; key++)
		if (!col[key])
			return errbuf_set(e, "%s:%lu: missing field '%s', expected id, unit, op "
			    "and plan on every instruction", r->name, r->lineno, field_names[key]);
	if (!col[K_PLAN])
		return errbuf_set(e, "%s:%lu: missing field 'plan', expected id, unit, op and "
		    "plan on every instruction", r->name, r->lineno);
	if (!col[K_REP] && (col[K_STALL] || col[K_CAUSE] || col[K_ON]))
		return errbuf_set(e, "%s:%lu:%lu: stall, cause and on need rep=START-END",
		    r->name, r->lineno, col[K_STALL] ? col[K_STALL] : col[K_CAUSE] ?
		    col[K_CAUSE] : col[K_ON]);
	if (isa_check(&r->in, why, sizeof why) != 0)
		return errbuf_set(e, "%s:%lu: %s", r->name, r->lineno, why);
	return 0;
}

static int
text_next(struct trace_reader *tr, const struct isa_instr **out, struct errbuf *e)
{
	struct text_reader *r = (struct text_reader *)tr;
	int rc;

	if (!r->pending) {
		do {
			rc = next_line(r, e);
			if (rc <= 0)
				return rc;
		} while (blank_or_comment(r->line));
		if (strncmp(r->line, "#!", 2) == 0)
			return errbuf_set(e, "%s:%lu: header line after the first instruction, "
			    "expected every '#!' line before it", r->name, r->lineno);
	}
	r->pending = false;
	if (parse_instr(r, e) != 0)
		return -1;
	tr->count++;
	*out = &r->in;
	return 1;
}

static void
text_close_reader(struct trace_reader *tr)
{
	struct text_reader *r = (struct text_reader *)tr;

	if (r == NULL)
		return;
	if (r->own && r->f != NULL)
		fclose(r->f);
	free(r->line);
	free(r->name);
	free(r);
}

static const struct trace_reader_ops text_reader_ops = { text_next, text_close_reader, NULL, NULL, NULL };

int
text_reader_open_stream(FILE *f, const char *name, bool close_f, struct trace_reader **out,
    struct errbuf *e)
{
	struct text_reader *r = calloc(1, sizeof *r);

	if (r == NULL || (r->base.name = r->name = strdup(name)) == NULL) {
		free(r);
		if (close_f)
			fclose(f);
		return errbuf_set(e, "%s: out of memory", name);
	}
	r->base.ops = &text_reader_ops;
	r->f = f;
	r->own = close_f;
	if (read_header(r, e) != 0) {
		text_close_reader(&r->base);
		return -1;
	}
	*out = &r->base;
	return 0;
}
