/* export-csv: one row per instruction, every field, for pandas and spreadsheets. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "export-sink.h"

/* The columns, in order; mastrace-export(1) documents each. */
static const unsigned columns[] = {
	EK_ID, EK_UNIT, EK_OP, EK_FLAGS, EK_BATCH, EK_HEAD, EK_ROW_BLOCK, EK_COL_BLOCK,
	EK_SUB_TILE, EK_M, EK_N, EK_K, EK_BYTES, EK_MACS, EK_VEC_OPS,
	EK_SRC0, EK_SRC1, EK_SRC2, EK_DST0, EK_DST1, EK_DEPS,
	EK_PLAN_START, EK_PLAN_END, EK_START, EK_END, EK_CYCLES, EK_BUSY,
	EK_STALL, EK_CAUSE, EK_WAITED_FOR, EK_REQUESTED, EK_GRANTED,
};
#define NCOLUMNS ARRAY_LEN(columns)

struct csv {
	struct zout *z;
};

static void *
csv_open(struct zout *z, const struct trace_header *h, const char *title, unsigned part,
    struct errbuf *e)
{
	(void)part;	/* one trace per output in these formats */
	struct csv *c = calloc(1, sizeof *c);
	unsigned i;

	(void)h;
	(void)title;
	if (c == NULL) {
		errbuf_set(e, "out of memory");
		return NULL;
	}
	c->z = z;
	for (i = 0; i < NCOLUMNS; i++)
		zout_printf(z, "%s,", export_key_names[columns[i]]);
	zout_puts(z, "start_ns,end_ns,name\n");
	return c;
}

static void
csv_event(void *s, const struct export_event *ev)
{
	struct csv *c = s;
	const struct export_arg *by_key[EK_N_KEYS];
	unsigned i;

	if (ev->in == NULL)
		return;		/* a spill or fill marker: its instruction has its own row */
	memset(by_key, 0, sizeof by_key);
	for (i = 0; i < ev->nargs; i++)
		by_key[ev->args[i].key] = &ev->args[i];
	for (i = 0; i < NCOLUMNS; i++) {
		const struct export_arg *a = by_key[columns[i]];
		if (a == NULL)
			;
		else if (a->type == EA_U64)
			zout_u64(c->z, a->v.u);
		else if (a->type == EA_DBL)
			zout_printf(c->z, "%.17g", a->v.d);
		else if (a->key == EK_DEPS && strchr(a->v.s, ',') != NULL) {
			zout_puts(c->z, "\"");	/* names and regions hold no quotes */
			zout_puts(c->z, a->v.s);
			zout_puts(c->z, "\"");
		} else {
			zout_puts(c->z, a->v.s);
		}
		zout_puts(c->z, ",");
	}
	zout_u64(c->z, ev->ns0);
	zout_puts(c->z, ",");
	zout_u64(c->z, ev->ns1);
	zout_puts(c->z, ",");
	zout_puts(c->z, ev->name);
	zout_puts(c->z, "\n");
}

static void
csv_counter(void *s, unsigned track, uint64_t cycle, uint64_t ns, double value)
{
	(void)s;
	(void)track;
	(void)cycle;
	(void)ns;
	(void)value;	/* counters belong to timelines, not to instruction rows */
}

static int
csv_close(void *s, struct errbuf *e)
{
	(void)e;
	free(s);
	return 0;
}

static void
csv_abort(void *s)
{
	free(s);
}

const struct export_sink_ops export_sink_csv = {
	csv_open, csv_event, csv_counter, csv_close, csv_abort,
};
