/* sched: the registry of dataflows, tiling text, counting and emitting a plan. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "num.h"
#include "schedule.h"
#include "trace-text.h"

extern const struct sched sched_mas, sched_flat, sched_layerwise, sched_flash;

/* The order of every list: the two dataflows compared, then the other fused one, then none fused. */
static const struct sched *const scheds[] = {
	&sched_mas, &sched_flat, &sched_flash, &sched_layerwise,
};

const char *const sched_on_off[] = { "on", "off", NULL };
const char *const sched_kv_choices[] = { "stream", "resident", NULL };
const char *const sched_norm_choices[] = { "p", "o", NULL };

size_t
sched_count(void)
{
	return ARRAY_LEN(scheds);
}

const struct sched *
sched_at(size_t i)
{
	return i < sched_count() ? scheds[i] : NULL;
}

const struct sched *
sched_find(const char *name)
{
	size_t i;

	for (i = 0; i < sched_count(); i++)
		if (strcmp(scheds[i]->name, name) == 0)
			return scheds[i];
	return NULL;
}

void
sched_names(char *buf, size_t len)
{
	size_t i, used = 0, n = sched_count();

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i == 0 ? "" : i + 1 < n ?
		    ", " : " or ", scheds[i]->name);
}

void
sched_join(char *buf, size_t len, const char *sep)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sched_count() && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? sep : "",
		    scheds[i]->name);
}

int
sched_param_index(const struct sched *s, const char *name)
{
	unsigned i;

	for (i = 0; i < s->nparams; i++)
		if (strcmp(s->params[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
sched_role_index(const struct sched *s, enum sched_role role)
{
	unsigned i;

	for (i = 0; i < s->nparams; i++)
		if (s->params[i].role == role)
			return (int)i;
	return -1;
}

int64_t
sched_role_value(const struct sched *s, const struct tiling *t, enum sched_role role,
    int64_t dflt)
{
	int i = sched_role_index(s, role);

	return i < 0 ? dflt : t->v[i];
}

static uint64_t
mul_sat(uint64_t a, uint64_t b)
{
	uint64_t x;

	return __builtin_mul_overflow(a, b, &x) ? UINT64_MAX : x;
}

/* Key blocks the row blocks of one head see, at least: every one, or under the mask about half. */
static uint64_t
head_tiles(const struct workload *w, uint64_t R, uint64_t C)
{
	uint64_t nrb = (w->q_len + R - 1) / R, ncb = (w->k_len + C - 1) / C;
	double seen;

	if (!w->causal)
		return mul_sat(nrb, ncb);
	/*
	 * Row block i sees at least the key blocks up to its first row, and
	 * never fewer than one: sum over i of max(1, i R / C), bounded below.
	 */
	seen = (double)R / (double)C * (double)nrb * ((double)nrb - 1) / 2;
	if (seen < (double)nrb)
		seen = (double)nrb;
	if (seen > (double)nrb * (double)ncb)
		seen = (double)nrb * (double)ncb;
	return seen >= 1.8e19 ? UINT64_MAX : (uint64_t)seen;
}

uint64_t
sched_min_instructions(const struct sched *s, const struct workload *w, const struct tiling *t)
{
	uint64_t R, C = sched_cols(w, sched_role_value(s, t, SCHED_ROLE_COLS, w->k_len));

	R = s->block_rows != NULL ? s->block_rows(w, t) :
	    sched_rows(w, sched_role_value(s, t, SCHED_ROLE_ROWS, w->q_len));
	if (R == 0 || C == 0)
		return 0;
	return mul_sat(mul_sat(2 * head_tiles(w, R, C), w->batch), w->heads);
}

int
sched_check_size(const struct sched *s, const struct workload *w, const struct tiling *t,
    uint64_t limit, struct errbuf *e)
{
	uint64_t n = sched_min_instructions(s, w, t);
	struct workload one = *w;
	char text[256];

	if (n <= limit)
		return 0;
	one.batch = one.heads = 1;
	sched_format_tiling(s, t, text, sizeof text);
	return errbuf_set(e, "%s with tiling %s makes at least %.3g instructions on %s (%llu "
	    "head%s of at least %.3g), more than the limit of %.3g; choose a smaller workload "
	    "(--seq, b=, h=), larger tiles (-t) or raise the limit (--max-instructions)",
	    s->name, text, (double)n, w->name, (unsigned long long)w->batch * w->heads,
	    (uint64_t)w->batch * w->heads == 1 ? "" : "s",
	    (double)sched_min_instructions(s, &one, t), (double)limit);
}

static void
param_expected(const struct sched_tparam *p, char *buf, size_t len)
{
	size_t used = 0;
	unsigned i;

	if (p->choices == NULL) {
		snprintf(buf, len, "an integer from %lld to %lld", (long long)p->min,
		    (long long)p->max);
		return;
	}
	for (i = 0; p->choices[i] != NULL; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? (p->choices[i + 1] ?
		    ", " : " or ") : "", p->choices[i]);
}

int
sched_parse_tiling(const struct sched *s, const char *text, struct tiling *t,
    struct errbuf *e)
{
	char item[128], exp[256], names[256];
	const char *p = text, *comma, *eq;
	size_t len, used = 0;
	uint64_t u;
	unsigned i;
	int k;

	memset(t, 0, sizeof *t);
	names[0] = '\0';
	for (i = 0; i < s->nparams; i++)
		used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
		    s->params[i].name);
	while (*p != '\0') {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		snprintf(item, sizeof item, "%.*s", (int)len, p);
		eq = strchr(item, '=');
		if (eq == NULL || eq == item)
			return errbuf_set(e, "tiling '%s': column %zu: expected key=value, got '%s'",
			    text, (size_t)(p - text) + 1, item);
		*(char *)eq = '\0';
		k = sched_param_index(s, item);
		if (k < 0)
			return errbuf_set(e, "tiling '%s': unknown parameter '%s' for scheduler "
			    "'%s', expected one of %s", text, item, s->name, names);
		if (t->set[k])
			return errbuf_set(e, "tiling '%s': parameter '%s' given twice", text, item);
		param_expected(&s->params[k], exp, sizeof exp);
		if (s->params[k].choices != NULL) {
			for (i = 0; s->params[k].choices[i] != NULL; i++)
				if (strcmp(s->params[k].choices[i], eq + 1) == 0)
					break;
			if (s->params[k].choices[i] == NULL)
				return errbuf_set(e, "tiling '%s': parameter '%s': got '%s', expected "
				    "%s", text, item, eq + 1, exp);
			t->v[k] = i;
		} else {
			if (num_parse_u64(eq + 1, &u) != 0 || (int64_t)u < s->params[k].min ||
			    (int64_t)u > s->params[k].max)
				return errbuf_set(e, "tiling '%s': parameter '%s': got '%s', expected "
				    "%s", text, item, eq + 1, exp);
			t->v[k] = (int64_t)u;
		}
		t->set[k] = true;
		p = comma ? comma + 1 : p + len;
	}
	return 0;
}

void
sched_format_tiling(const struct sched *s, const struct tiling *t, char *buf, size_t len)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < s->nparams && used < len; i++) {
		if (s->params[i].choices != NULL)
			used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", i ? "," : "",
			    s->params[i].name, s->params[i].choices[t->v[i]]);
		else
			used += (size_t)snprintf(buf + used, len - used, "%s%s=%lld", i ? "," : "",
			    s->params[i].name, (long long)t->v[i]);
	}
}

/*
 * A writer that keeps nothing: it counts instructions and, when asked, the
 * bytes of their text form.
 */
static int
count_write(struct trace_writer *w, const struct isa_instr *in, struct errbuf *e)
{
	struct sched_counter *c = (struct sched_counter *)w;

	(void)e;
	if (c->text) {
		text_format_instr(in, c->line, sizeof c->line);
		c->text_bytes += strlen(c->line) + 1;
	}
	w->count++;
	return 0;
}

static int
count_close(struct trace_writer *w, struct errbuf *e)
{
	(void)w;
	(void)e;
	return 0;
}

static void
count_abort(struct trace_writer *w)
{
	(void)w;
}

static const struct trace_writer_ops count_ops = { count_write, count_close, count_abort };

void
sched_counter_init(struct sched_counter *c, bool text)
{
	memset(&c->w, 0, sizeof c->w);
	c->w.ops = &count_ops;
	c->text = text;
	c->text_bytes = 0;
}

int
sched_emit_to(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct tiling *t, struct trace_writer *wr, struct sched_result *res,
    struct errbuf *e)
{
	struct emit *em;
	void *ctx;
	int rc;

	/* both are large (the emitter's slots, the dataflow's tiles): never on a stack */
	em = malloc(sizeof *em);
	ctx = calloc(1, s->ctx_size);
	if (em == NULL || ctx == NULL) {
		free(em);
		free(ctx);
		return errbuf_set(e, "out of memory");
	}
	emit_init(em, wr, n, e);
	rc = s->emit(ctx, em, w, t);
	res->instructions = em->next_id;
	res->makespan = em->makespan;
	res->macs = em->macs;
	res->dram_read = em->dram_read;
	res->dram_write = em->dram_write;
	free(ctx);
	free(em);
	return rc;
}

int
sched_estimate(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct sched_result *res, struct sched_estimate *est, struct errbuf *e)
{
	struct workload one = *w;
	struct sched_result r1;
	struct sched_counter *c;
	uint64_t heads = (uint64_t)w->batch * w->heads;
	int rc;

	one.batch = 1;
	one.heads = 1;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return errbuf_set(e, "out of memory");
	sched_counter_init(c, true);
	r1 = *res;
	rc = sched_emit_to(s, n, &one, &res->t, &c->w, &r1, e);
	if (rc == 0) {	/* absurd workloads saturate instead of wrapping */
		if (__builtin_mul_overflow(r1.instructions, heads, &est->instructions))
			est->instructions = UINT64_MAX;
		if (__builtin_mul_overflow(c->text_bytes, heads, &est->text_bytes))
			est->text_bytes = UINT64_MAX;
	}
	if (rc == 0)
		rc = sched_plan_whole(s, n, w, &res->t, &est->makespan, &r1.instructions, e);
	free(c);
	return rc;
}

