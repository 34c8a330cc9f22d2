/* export-json: the Chrome trace-event JSON format (chrome://tracing, Perfetto's JSON importer). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "export-sink.h"

/*
 * One process (the trace), one thread per unit and one for the spills,
 * named and sorted by metadata events the first time they are used;
 * counters are process counters.  Times are microseconds with three
 * decimals, printed from the whole nanoseconds so nothing is rounded twice.
 */
struct js {
	struct zout *z;
	uint8_t named[EXPORT_NTRACKS];
	bool first;
};

static void
put_str(struct zout *z, const char *s)
{
	const char *p, *run = s;

	zout_write(z, "\"", 1);
	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		zout_write(z, run, (size_t)(p - run));	/* the plain run before it */
		run = p + 1;
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			zout_write(z, esc, 2);
		} else {
			zout_printf(z, "\\u%04x", c);
		}
	}
	zout_write(z, run, (size_t)(p - run));
	zout_write(z, "\"", 1);
}

static void
put_us(struct zout *z, uint64_t ns)
{
	char frac[4] = { '.', (char)('0' + ns / 100 % 10), (char)('0' + ns / 10 % 10),
	    (char)('0' + ns % 10) };

	zout_u64(z, ns / 1000);
	zout_write(z, frac, sizeof frac);
}

static void
sep(struct js *j)
{
	zout_puts(j->z, j->first ? "\n" : ",\n");
	j->first = false;
}

static void
name_thread(struct js *j, unsigned track)
{
	char name[64];

	if (j->named[track] || export_track_is_counter(track))
		return;
	j->named[track] = 1;
	sep(j);
	zout_printf(j->z, "{\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"name\":\"thread_name\",\"args\":"
	    "{\"name\":", track);
	put_str(j->z, export_track_name(track, name, sizeof name));
	zout_puts(j->z, "}}");
	sep(j);
	zout_printf(j->z, "{\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"name\":\"thread_sort_index\","
	    "\"args\":{\"sort_index\":%d}}", track, export_track_rank(track));
}

static void *
js_open(struct zout *z, const struct trace_header *h, const char *title, unsigned part,
    struct errbuf *e)
{
	(void)part;	/* one trace per output in these formats */
	struct js *j = calloc(1, sizeof *j);

	if (j == NULL) {
		errbuf_set(e, "out of memory");
		return NULL;
	}
	j->z = z;
	j->first = true;
	zout_puts(z, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"title\":");
	put_str(z, title);
	zout_puts(z, ",\"tool\":");
	put_str(z, h->tool);
	zout_puts(z, ",\"command\":");
	put_str(z, h->command);
	zout_printf(z, ",\"clock_mhz\":%u},\n\"traceEvents\":[", h->npu.clock_mhz);
	sep(j);
	zout_puts(z, "{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":");
	put_str(z, title);
	zout_puts(z, "}}");
	return j;
}

static void
put_args(struct zout *z, const struct export_arg *a, unsigned n)
{
	unsigned i;

	zout_puts(z, "\"args\":{");
	for (i = 0; i < n; i++) {
		zout_puts(z, i ? ",\"" : "\"");
		zout_puts(z, export_key_names[a[i].key]);
		zout_puts(z, "\":");
		if (a[i].type == EA_U64)
			zout_u64(z, a[i].v.u);
		else if (a[i].type == EA_DBL)
			zout_printf(z, "%.17g", a[i].v.d);
		else
			put_str(z, a[i].v.s);
	}
	zout_puts(z, "}");
}

static void
put_flow(struct js *j, const struct export_event *ev, const char *ph, uint64_t id)
{
	sep(j);
	zout_printf(j->z,
	    "{\"ph\":\"%s\",%s\"id\":%llu,\"pid\":1,\"tid\":%u,\"name\":"
	    "\"dependency\",\"cat\":\"flow\",\"ts\":",
	    ph, ph[0] == 'f' ? "\"bp\":\"e\"," : "", (unsigned long long)id, ev->track);
	put_us(j->z, ev->ns0 + (ev->ns1 - ev->ns0) / 2);	/* inside the slice it binds to */
	zout_puts(j->z, "}");
}

static void
js_event(void *s, const struct export_event *ev)
{
	struct js *j = s;
	unsigned i;

	name_thread(j, ev->track);
	sep(j);
	zout_puts(j->z, ev->t1 > ev->t0 ? "{\"ph\":\"X\",\"pid\":1,\"tid\":" :
	    "{\"ph\":\"i\",\"pid\":1,\"tid\":");
	zout_u64(j->z, ev->track);
	zout_puts(j->z, ",\"name\":");
	put_str(j->z, ev->name);
	zout_puts(j->z, ",\"cat\":\"");
	zout_puts(j->z, ev->cat);
	zout_puts(j->z, "\",\"ts\":");
	put_us(j->z, ev->ns0);
	if (ev->t1 > ev->t0) {
		zout_puts(j->z, ",\"dur\":");
		put_us(j->z, ev->ns1 - ev->ns0);
	} else {
		zout_puts(j->z, ",\"s\":\"t\"");
	}
	zout_puts(j->z, ",");
	put_args(j->z, ev->args, ev->nargs);
	zout_puts(j->z, "}");
	for (i = 0; i < ev->nflow_out; i++)
		put_flow(j, ev, "s", ev->flow_out[i]);
	for (i = 0; i < ev->nflow_in; i++)
		put_flow(j, ev, "f", ev->flow_in[i]);
}

static void
js_counter(void *s, unsigned track, uint64_t cycle, uint64_t ns, double value)
{
	struct js *j = s;
	char name[64];

	(void)cycle;	/* each series of a counter is one of its args: the cycle would be one */
	sep(j);
	zout_puts(j->z, "{\"ph\":\"C\",\"pid\":1,\"name\":");
	put_str(j->z, export_track_name(track, name, sizeof name));
	zout_puts(j->z, ",\"ts\":");
	put_us(j->z, ns);
	zout_printf(j->z, ",\"args\":{\"%s\":%.17g}}", export_track_unit(track), value);
}

static int
js_close(void *s, struct errbuf *e)
{
	struct js *j = s;

	(void)e;
	zout_puts(j->z, "\n]}\n");
	free(j);
	return 0;
}

static void
js_abort(void *s)
{
	free(s);
}

const struct export_sink_ops export_sink_json = {
	js_open, js_event, js_counter, js_close, js_abort,
};
