/* test-export: the exporter's names and times, and the Perfetto checker catching each rule. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "cunit-main.h"
#include "eval.h"
#include "export-sink.h"
#include "export.h"
#include "trace-file.h"
#include "perfetto_trace.pb-c.h"
#include "pf-check.h"

/* ---- hand-made traces ------------------------------------------------- */

struct tb {
	uint8_t buf[1 << 16];
	size_t len;
};

static void
tb_packet(struct tb *t, const Perfetto__Protos__TracePacket *p)
{
	size_t n = protobuf_c_message_get_packed_size(&p->base), v = n;

	t->buf[t->len++] = 0x0a;
	do {
		t->buf[t->len++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	t->len += protobuf_c_message_pack(&p->base, t->buf + t->len);
}

/* What to plant in the otherwise valid trace good() writes. */
enum plant {
	P_NONE, P_NO_SEQ, P_SEQ_ZERO, P_SECOND_SEQ, P_NOT_CLEARED, P_NEEDS_BEFORE_CLEAR,
	P_IID_ZERO, P_IID_UNDEFINED, P_IID_REDEFINED, P_TRACK_UNDESCRIBED, P_COUNTER_ON_SLICE,
	P_SLICE_ON_COUNTER, P_END_WITHOUT_BEGIN, P_LEFT_OPEN, P_BACK_IN_TIME, P_FLOW_NOT_STARTED,
	P_FLOW_ENDS_TWICE, P_FLOW_ZERO, P_GARBAGE,
};

static void
base_packet(Perfetto__Protos__TracePacket *p, enum plant pl, bool first)
{
	perfetto__protos__trace_packet__init(p);
	if (pl == P_NO_SEQ && !first)
		return;
	p->has_trusted_packet_sequence_id = 1;
	p->trusted_packet_sequence_id = pl == P_SEQ_ZERO && !first ? 0 : 7;
}

static void
ev(struct tb *t, enum plant pl, uint64_t ts, int type, uint64_t track, const char *name,
    uint64_t ann_iid, const uint64_t *flow, const uint64_t *term)
{
	Perfetto__Protos__TracePacket p;
	Perfetto__Protos__TrackEvent te = PERFETTO__PROTOS__TRACK_EVENT__INIT;
	Perfetto__Protos__DebugAnnotation da = PERFETTO__PROTOS__DEBUG_ANNOTATION__INIT;
	Perfetto__Protos__DebugAnnotation *dap = &da;
	uint64_t cat = 1;

	base_packet(&p, pl, false);
	p.has_timestamp = 1;
	p.timestamp = ts;
	p.has_sequence_flags = 1;
	p.sequence_flags = PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_NEEDS_INCREMENTAL_STATE;
	p.track_event = &te;
	te.has_type = 1;
	te.type = (Perfetto__Protos__TrackEvent__Type)type;
	te.has_track_uuid = 1;
	te.track_uuid = track;
	te.name = (char *)name;
	if (type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_COUNTER) {
		te.has_counter_value = 1;
		te.counter_value = 42;
	} else if (type != PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END) {
		te.n_category_iids = 1;
		te.category_iids = &cat;
		da.has_name_iid = 1;
		da.name_iid = ann_iid;
		da.has_uint_value = 1;
		da.uint_value = 3;
		te.n_debug_annotations = 1;
		te.debug_annotations = &dap;
	}
	if (flow != NULL) {
		te.n_flow_ids = 1;
		te.flow_ids = (uint64_t *)flow;
	}
	if (term != NULL) {
		te.n_terminating_flow_ids = 1;
		te.terminating_flow_ids = (uint64_t *)term;
	}
	tb_packet(t, &p);
}

static void
track(struct tb *t, enum plant pl, uint64_t uuid, uint64_t parent, const char *name, bool counter)
{
	Perfetto__Protos__TracePacket p;
	Perfetto__Protos__TrackDescriptor td = PERFETTO__PROTOS__TRACK_DESCRIPTOR__INIT;
	Perfetto__Protos__CounterDescriptor cd = PERFETTO__PROTOS__COUNTER_DESCRIPTOR__INIT;

	base_packet(&p, pl, false);
	if (pl == P_SECOND_SEQ && uuid == 3)
		p.trusted_packet_sequence_id = 8;
	p.track_descriptor = &td;
	td.has_uuid = 1;
	td.uuid = uuid;
	td.name = (char *)name;
	if (parent) {
		td.has_parent_uuid = 1;
		td.parent_uuid = parent;
	}
	if (counter)
		td.counter = &cd;
	tb_packet(t, &p);
}

/* A small valid trace (two slices joined by a flow, a counter), with one rule broken. */
static void
build(struct tb *t, enum plant pl)
{
	Perfetto__Protos__TracePacket p;
	Perfetto__Protos__InternedData id = PERFETTO__PROTOS__INTERNED_DATA__INIT;
	Perfetto__Protos__EventCategory cat = PERFETTO__PROTOS__EVENT_CATEGORY__INIT, *catp = &cat;
	Perfetto__Protos__DebugAnnotationName an[2], *anp[2] = { &an[0], &an[1] };
	const uint64_t f5 = 5, f6 = 6, f0 = 0;
	enum { B = PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN,
	       E = PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END,
	       C = PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_COUNTER };

	t->len = 0;
	if (pl == P_NEEDS_BEFORE_CLEAR) {
		base_packet(&p, pl, true);
		p.has_sequence_flags = 1;
		p.sequence_flags = PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_NEEDS_INCREMENTAL_STATE;
		tb_packet(t, &p);
	}
	base_packet(&p, pl, true);
	if (pl != P_NOT_CLEARED) {
		p.has_sequence_flags = 1;
		p.sequence_flags = PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_INCREMENTAL_STATE_CLEARED;
	}
	cat.has_iid = 1;
	cat.iid = pl == P_IID_ZERO ? 0 : 1;
	cat.name = "mac";
	perfetto__protos__debug_annotation_name__init(&an[0]);
	perfetto__protos__debug_annotation_name__init(&an[1]);
	an[0].has_iid = an[1].has_iid = 1;
	an[0].iid = 1;
	an[0].name = "cycles";
	an[1].iid = pl == P_IID_REDEFINED ? 1 : 2;
	an[1].name = "busy_cycles";
	id.n_event_categories = 1;
	id.event_categories = &catp;
	id.n_debug_annotation_names = 2;
	id.debug_annotation_names = anp;
	p.interned_data = &id;
	tb_packet(t, &p);

	track(t, pl, 1, 0, "root", false);
	if (pl != P_TRACK_UNDESCRIBED)
		track(t, pl, 2, 1, "mac", false);
	track(t, pl, 3, 1, "L1 resident", true);
	if (pl == P_END_WITHOUT_BEGIN)
		ev(t, pl, 5, E, 2, NULL, 0, NULL, NULL);
	ev(t, pl, 10, B, 2, "QK b0 h0 r0 c0", pl == P_IID_UNDEFINED ? 9 : 1,
	    pl == P_FLOW_ZERO ? &f0 : &f5, NULL);
	ev(t, pl, 20, E, 2, NULL, 0, NULL, NULL);
	ev(t, pl, pl == P_BACK_IN_TIME ? 15 : 20, B, 2, "PV b0 h0 r0 c0", 2, NULL,
	    pl == P_FLOW_NOT_STARTED ? &f6 : &f5);
	if (pl != P_LEFT_OPEN)
		ev(t, pl, 30, E, 2, NULL, 0, NULL, NULL);
	if (pl == P_FLOW_ENDS_TWICE) {
		ev(t, pl, 30, B, 2, "exp b0 h0 r0 c0", 2, NULL, &f5);
		ev(t, pl, 40, E, 2, NULL, 0, NULL, NULL);
	}
	if (pl == P_COUNTER_ON_SLICE)
		ev(t, pl, 10, C, 2, NULL, 0, NULL, NULL);
	else if (pl == P_SLICE_ON_COUNTER)
		ev(t, pl, 10, B, 3, "x", 1, NULL, NULL);
	else
		ev(t, pl, 10, C, 3, NULL, 0, NULL, NULL);
	if (pl == P_GARBAGE) {
		t->buf[t->len++] = 0x12;	/* field 2: not a packet */
		t->buf[t->len++] = 0x00;
	}
}

static int
check(enum plant pl, char *why, size_t len)
{
	static struct tb t;
	struct pfc_report rep;

	build(&t, pl);
	return pfc_check(t.buf, t.len, &rep, why, len);
}

static void
test_checker_accepts_good(void)
{
	static struct tb t;
	struct pfc_report rep;
	char why[512] = "";

	build(&t, P_NONE);
	CU_ASSERT_EQUAL(pfc_check(t.buf, t.len, &rep, why, sizeof why), 0);
	if (why[0] != '\0')
		fprintf(stderr, "the valid trace was refused: %s\n", why);
	CU_ASSERT_EQUAL(rep.flows, 1);
	CU_ASSERT_EQUAL(rep.ntracks, 3);
	CU_ASSERT_STRING_EQUAL(rep.tracks[1].name, "mac");
	CU_ASSERT_EQUAL(rep.tracks[1].slices, 2);
	CU_ASSERT_EQUAL(rep.tracks[1].cycles, 3);	/* the first slice's "cycles" */
	CU_ASSERT_EQUAL(rep.tracks[1].busy_cycles, 3);
	CU_ASSERT_EQUAL(rep.tracks[2].counters, 1);
}

static void
test_checker_catches_each_rule(void)
{
	static const struct { enum plant pl; const char *says; } cases[] = {
		{ P_NO_SEQ, "no trusted packet sequence id" },
		{ P_SEQ_ZERO, "no trusted packet sequence id" },
		{ P_SECOND_SEQ, "sequence 7 resumes after sequence 8 began" },
		{ P_NOT_CLEARED, "interned data before incremental state was cleared" },
		{ P_NEEDS_BEFORE_CLEAR, "needs incremental state before" },
		{ P_IID_ZERO, "iid 0" },
		{ P_IID_UNDEFINED, "annotation name iid 9 used but never defined" },
		{ P_IID_REDEFINED, "redefined" },
		{ P_TRACK_UNDESCRIBED, "track 2 used before it is described" },
		{ P_COUNTER_ON_SLICE, "not a counter track" },
		{ P_SLICE_ON_COUNTER, "on counter track 3" },
		{ P_END_WITHOUT_BEGIN, "no slice open" },
		{ P_LEFT_OPEN, "left open" },
		{ P_BACK_IN_TIME, "goes back in time" },
		{ P_FLOW_NOT_STARTED, "flow 6 ends but is not open" },
		{ P_FLOW_ENDS_TWICE, "flow 5 ends but is not open" },
		{ P_FLOW_ZERO, "flow id 0" },
		{ P_GARBAGE, "expected a packet" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char why[512] = "";
		int rc = check(cases[i].pl, why, sizeof why);
		CU_ASSERT_EQUAL(rc, -1);
		if (strstr(why, cases[i].says) == NULL) {
			fprintf(stderr, "plant %d: expected '%s', got '%s'\n", (int)cases[i].pl,
			    cases[i].says, why);
			CU_FAIL("the checker missed a planted violation");
		}
	}
}

/* ---- the exporter's own pieces ---------------------------------------- */

static void
test_format_by_name(void)
{
	bool gz;

	CU_ASSERT_EQUAL(export_format_for_path("a.pftrace", &gz), EXPORT_FMT_PERFETTO);
	CU_ASSERT_FALSE(gz);
	CU_ASSERT_EQUAL(export_format_for_path("dir.x/a.pftrace.gz", &gz), EXPORT_FMT_PERFETTO);
	CU_ASSERT_TRUE(gz);
	CU_ASSERT_EQUAL(export_format_for_path("a.perfetto-trace", &gz), EXPORT_FMT_PERFETTO);
	CU_ASSERT_EQUAL(export_format_for_path("a.json.gz", &gz), EXPORT_FMT_JSON);
	CU_ASSERT_TRUE(gz);
	CU_ASSERT_EQUAL(export_format_for_path("a.csv", &gz), EXPORT_FMT_CSV);
	CU_ASSERT_EQUAL(export_format_for_path("a.mtt", &gz), EXPORT_FMT_TEXT);
	CU_ASSERT_EQUAL(export_format_for_path("a.gz", &gz), EXPORT_FMT_UNKNOWN);
	CU_ASSERT_EQUAL(export_format_for_path("json", &gz), EXPORT_FMT_UNKNOWN);
	CU_ASSERT_EQUAL(export_format_for_path("", &gz), EXPORT_FMT_UNKNOWN);
	CU_ASSERT_EQUAL(export_format_named("perfetto"), EXPORT_FMT_PERFETTO);
	CU_ASSERT_EQUAL(export_format_named("Perfetto"), EXPORT_FMT_UNKNOWN);
}

static void
test_time_parse(void)
{
	struct export_time t;
	char why[128];

	CU_ASSERT_EQUAL(export_time_parse("1200", &t, why, sizeof why), 0);
	CU_ASSERT_TRUE(t.set && t.cycles && t.n == 1200);
	CU_ASSERT_EQUAL(export_time_parse("1.5us", &t, why, sizeof why), 0);
	CU_ASSERT_TRUE(t.set && !t.cycles && t.us == 1.5);
	CU_ASSERT_EQUAL(export_time_parse("250ns", &t, why, sizeof why), 0);
	CU_ASSERT_DOUBLE_EQUAL(t.us, 0.25, 1e-12);
	CU_ASSERT_EQUAL(export_time_parse("2ms", &t, why, sizeof why), 0);
	CU_ASSERT_DOUBLE_EQUAL(t.us, 2000, 1e-9);
	CU_ASSERT_EQUAL(export_time_parse("1s", &t, why, sizeof why), 0);
	CU_ASSERT_DOUBLE_EQUAL(t.us, 1e6, 1e-6);
	CU_ASSERT_EQUAL(export_time_parse("-5", &t, why, sizeof why), -1);
	CU_ASSERT_EQUAL(export_time_parse("-5us", &t, why, sizeof why), -1);
	CU_ASSERT_EQUAL(export_time_parse("5 us", &t, why, sizeof why), -1);
	CU_ASSERT_EQUAL(export_time_parse("us", &t, why, sizeof why), -1);
	CU_ASSERT_EQUAL(export_time_parse("nan", &t, why, sizeof why), -1);
	CU_ASSERT_EQUAL(export_time_parse("1e300us", &t, why, sizeof why), -1);
	CU_ASSERT_EQUAL(export_time_parse("", &t, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "expected"));
}

static void
test_nanoseconds(void)
{
	/* rounded once from the absolute cycle: no drift over a long trace */
	CU_ASSERT_EQUAL(export_ns(1000, 123456789), 123456789);
	CU_ASSERT_EQUAL(export_ns(500, 3), 6);
	CU_ASSERT_EQUAL(export_ns(800, 1), 1);		/* 1.25 */
	CU_ASSERT_EQUAL(export_ns(800, 2), 3);		/* 2.5 rounds up */
	CU_ASSERT_EQUAL(export_ns(800, 800000000000ull), 1000000000000ull);
	CU_ASSERT_EQUAL(export_ns(3, 1ull << 62), (uint64_t)(((unsigned __int128)1 << 62) * 1000 / 3));
	CU_ASSERT_EQUAL(export_ns(1000, 0), 0);
}

/*
 * Export straight from a replay (its observer), beside the replayed trace
 * it writes: the CSV of the two is the same, byte for byte, and the
 * Perfetto trace made in memory passes the checker with the replay's own
 * L1 and DRAM counters.
 */
static void
test_export_from_replay(void)
{
	static const enum export_format fmts[] = { EXPORT_FMT_CSV, EXPORT_FMT_PERFETTO };
	struct trace_header h;
	struct workload wl;
	struct npu n;
	struct errbuf e;
	unsigned f;

	CU_ASSERT_FATAL(npu_resolve("edge", &n, &e) == 0);
	CU_ASSERT_FATAL(wl_parse("bert-small", &wl, &e) == 0);
	trace_header_init(&h, &n, &wl);
	snprintf(h.sched, sizeof h.sched, "mas");
	for (f = 0; f < 2; f++) {
		struct replay_observer ob[2];
		struct export_counts c, c2;
		struct export_opts o;
		struct eval_spec spec;
		struct eval_result res;
		struct trace_writer *w;
		struct export *x;
		char *a, *b;
		size_t alen, blen;
		const char *mem = cunit_path(f ? "mem.pftrace" : "mem.csv");
		const char *file = cunit_path(f ? "file.pftrace" : "file.csv");

		export_opts_default(&o);
		o.format = fmts[f];
		o.flows = f ? EXPORT_FLOWS_ALL : EXPORT_FLOWS_NONE;
		x = export_new(mem, &h, &o, &c, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		CU_ASSERT_FATAL(trace_open_write(cunit_path("r.mtr"), TRACE_FMT_MTR, &h, &w, &e) == 0);
		export_observer(&ob[0], x);
		replay_observer_writer(&ob[1], w);
		eval_spec_init(&spec, sched_find("mas"), &n, &wl);
		spec.observers = ob;
		spec.nobservers = 2;
		CU_ASSERT_EQUAL(eval_run(&spec, &res, &e), 0);
		eval_result_free(&res);
		CU_ASSERT_EQUAL(trace_close_write(w, &e), 0);
		CU_ASSERT_EQUAL(export_finish(x, &e), 0);
		CU_ASSERT(c.read > 1000);
		CU_ASSERT(c.counters > 0);
		CU_ASSERT_EQUAL(export_file(cunit_path("r.mtr"), file, &o, &c2, &e), 0);
		CU_ASSERT_EQUAL(c.read, c2.read);
		CU_ASSERT_EQUAL(c.slices, c2.slices);
		CU_ASSERT_EQUAL(c.flows, c2.flows);
		a = (void *)pfc_read_file(mem, &alen);
		b = (void *)pfc_read_file(file, &blen);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		if (o.format == EXPORT_FMT_CSV) {
			CU_ASSERT(alen == blen && memcmp(a, b, alen) == 0);
		} else {
			struct pfc_report rep;
			char why[512] = "";
			CU_ASSERT_EQUAL(pfc_check((const uint8_t *)a, alen, &rep, why, sizeof why), 0);
			if (why[0] != '\0')
				fprintf(stderr, "in-memory export refused: %s\n", why);
			CU_ASSERT_EQUAL(rep.flows, c.flows);
		}
		free(a);
		free(b);
	}
}

/* What export_new() refuses, and an instruction out of order. */
static void
test_export_new_errors(void)
{
	struct trace_header h;
	struct export_counts c;
	struct export_opts o;
	struct isa_instr in;
	struct workload wl;
	struct export *x;
	struct errbuf e;
	struct npu n;

	CU_ASSERT_FATAL(npu_resolve("edge", &n, &e) == 0);
	CU_ASSERT_FATAL(wl_parse("bert-small", &wl, &e) == 0);
	trace_header_init(&h, &n, &wl);
	export_opts_default(&o);
	CU_ASSERT_PTR_NULL(export_new(cunit_path("x.pftrace"), &h, &o, &c, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "critical path"));
	o.flows = EXPORT_FLOWS_NONE;
	o.format = EXPORT_FMT_TEXT;
	CU_ASSERT_PTR_NULL(export_new(cunit_path("x.mtt"), &h, &o, &c, &e));
	o.format = EXPORT_FMT_PERFETTO;
	x = export_new(cunit_path("x.pftrace"), &h, &o, &c, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	memset(&in, 0, sizeof in);
	in.id = 1;	/* the first must be 0 */
	in.unit = ISA_UNIT_VEC;
	in.op = ISA_OP_BARRIER;
	CU_ASSERT_EQUAL(export_push(x, &in, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "expected 0"));
	CU_ASSERT_EQUAL(export_finish(x, &e), -1);
	CU_ASSERT_EQUAL(access(cunit_path("x.pftrace"), F_OK), -1);	/* nothing left */
}

int
main(void)
{
	static const struct test_case cases[] = {
		{ "the checker accepts a valid hand-made trace", test_checker_accepts_good },
		{ "the checker catches each rule broken in a hand-made trace", test_checker_catches_each_rule },
		{ "formats by name and extension, with .gz", test_format_by_name },
		{ "times: cycles or a number with a unit", test_time_parse },
		{ "nanoseconds from absolute cycles", test_nanoseconds },
		{ "export from a replay's observer equals export of its trace", test_export_from_replay },
		{ "export_new refuses what needs a file; pushes are checked", test_export_new_errors },
		{ NULL, NULL },
	};

	return cunit_run_in_tmpdir("export", cases, "/tmp/mastrace-test-export.XXXXXX");
}
