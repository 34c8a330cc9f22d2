/* export-perfetto: Perfetto's native protobuf TrackEvent format, through protobuf-c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "export-sink.h"
#include "perfetto_trace.pb-c.h"

/*
 * One packet sequence with a constant id.  The first packet clears the
 * sequence's incremental state and interns every category and annotation
 * name (a fixed list, so the table never grows); tracks are described the
 * first time they are used.  Perfetto sorts events by time itself, so each
 * instruction's begin and end are written together.
 */
#define PF_SEQUENCE_ID 0x6d74u		/* "mt" */
#define PF_UUID_BASE 0x6d61737472616365ull	/* "mastrace" */
/*
 * The traces of one output (export_opts.part) each take their own packet
 * sequence, a block of track uuids and a range of flow ids (an
 * instruction's flows stay far below 2^56).
 */
#define PF_PART_TRACKS 0x10000ull
#define PF_PART_FLOWS 56

enum { CAT_MAC = 1, CAT_VEC, CAT_MTE, CAT_DMA, CAT_REPLAY, CAT_N = CAT_REPLAY };
static const char *const cat_names[CAT_N + 1] = {
	NULL, "mac", "vec", "mte", "dma", "replay",
};

struct pf {
	struct zout *z;
	const struct trace_header *h;
	const char *title;
	unsigned part;
	uint32_t seq;
	uint8_t described[EXPORT_NTRACKS];
	uint8_t *buf;
	size_t cap;
	bool oom;
	/* initialised once: an event sets only the value it carries */
	Perfetto__Protos__DebugAnnotation da[EXPORT_MAX_ARGS], *dap[EXPORT_MAX_ARGS];
};

/*
 * Instruction events are bounded (EXPORT_MAX_ARGS annotations of short
 * strings, EXPORT_MAX_FLOWS flows): packed into a buffer this size they
 * need no sizing pass first, which is a third of protobuf-c's work here.
 */
#define PF_EVENT_MAX 65536

static void
put_packet(struct pf *p, const Perfetto__Protos__TracePacket *pkt, bool bounded)
{
	size_t n = bounded ? PF_EVENT_MAX : protobuf_c_message_get_packed_size(&pkt->base);
	uint8_t head[11];
	size_t k = 0, v;

	if (n > p->cap) {
		size_t cap = n * 2;
		uint8_t *b = realloc(p->buf, cap);
		if (b == NULL) {
			p->oom = true;
			return;
		}
		p->buf = b;
		p->cap = cap;
	}
	n = protobuf_c_message_pack(&pkt->base, p->buf);
	head[k++] = 0x0a;	/* Trace.packet: field 1, length-delimited */
	v = n;
	do {
		head[k++] = (uint8_t)(v & 0x7f) | (v > 0x7f ? 0x80 : 0);
		v >>= 7;
	} while (v != 0);
	zout_write(p->z, head, k);
	zout_write(p->z, p->buf, n);
}

static uint64_t
uuid_of(const struct pf *p, unsigned track)
{
	return PF_UUID_BASE + p->part * PF_PART_TRACKS + track;
}

static void
describe(struct pf *p, unsigned track)
{
	Perfetto__Protos__TracePacket pkt = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	Perfetto__Protos__TrackDescriptor td = PERFETTO__PROTOS__TRACK_DESCRIPTOR__INIT;
	Perfetto__Protos__CounterDescriptor cd = PERFETTO__PROTOS__COUNTER_DESCRIPTOR__INIT;
	char name[64];

	if (p->described[track])
		return;
	p->described[track] = 1;
	pkt.has_trusted_packet_sequence_id = 1;
	pkt.trusted_packet_sequence_id = p->seq;
	pkt.track_descriptor = &td;
	td.has_uuid = 1;
	td.uuid = uuid_of(p, track);
	if (track == EXPORT_TRK_ROOT) {
		td.name = (char *)p->title;
		td.description = (char *)p->h->command;
		td.has_child_ordering = 1;
		td.child_ordering = PERFETTO__PROTOS__TRACK_DESCRIPTOR__CHILD_TRACKS_ORDERING__EXPLICIT;
		put_packet(p, &pkt, false);
		return;
	}
	describe(p, EXPORT_TRK_ROOT);
	td.has_parent_uuid = 1;
	td.parent_uuid = uuid_of(p, EXPORT_TRK_ROOT);
	td.name = (char *)export_track_name(track, name, sizeof name);
	td.has_sibling_order_rank = 1;
	td.sibling_order_rank = export_track_rank(track);
	if (export_track_is_counter(track)) {
		td.counter = &cd;
		if (track == EXPORT_TRK_L1) {
			cd.has_unit = 1;
			cd.unit = PERFETTO__PROTOS__COUNTER_DESCRIPTOR__UNIT__UNIT_SIZE_BYTES;
		} else {
			cd.unit_name = (char *)export_track_unit(track);
		}
	}
	put_packet(p, &pkt, false);
}

static void *
pf_open(struct zout *z, const struct trace_header *h, const char *title, unsigned part,
    struct errbuf *e)
{
	Perfetto__Protos__TracePacket pkt = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	Perfetto__Protos__InternedData id = PERFETTO__PROTOS__INTERNED_DATA__INIT;
	Perfetto__Protos__EventCategory cats[CAT_N], *catp[CAT_N];
	Perfetto__Protos__DebugAnnotationName keys[EK_N_KEYS], *keyp[EK_N_KEYS];
	struct pf *p = calloc(1, sizeof *p);
	unsigned i;

	if (p == NULL) {
		errbuf_set(e, "out of memory");
		return NULL;
	}
	p->z = z;
	p->h = h;
	p->title = title;
	p->part = part;
	p->seq = PF_SEQUENCE_ID + part;
	for (i = 0; i < EXPORT_MAX_ARGS; i++) {
		perfetto__protos__debug_annotation__init(&p->da[i]);
		p->da[i].has_name_iid = 1;
		p->dap[i] = &p->da[i];
	}
	for (i = 0; i < CAT_N; i++) {
		perfetto__protos__event_category__init(&cats[i]);
		cats[i].has_iid = 1;
		cats[i].iid = i + 1;
		cats[i].name = (char *)cat_names[i + 1];
		catp[i] = &cats[i];
	}
	for (i = 0; i < EK_N_KEYS; i++) {
		perfetto__protos__debug_annotation_name__init(&keys[i]);
		keys[i].has_iid = 1;
		keys[i].iid = i + 1;
		keys[i].name = (char *)export_key_names[i];
		keyp[i] = &keys[i];
	}
	id.n_event_categories = CAT_N;
	id.event_categories = catp;
	id.n_debug_annotation_names = EK_N_KEYS;
	id.debug_annotation_names = keyp;
	pkt.has_trusted_packet_sequence_id = 1;
	pkt.trusted_packet_sequence_id = p->seq;
	pkt.has_first_packet_on_sequence = 1;
	pkt.first_packet_on_sequence = 1;
	pkt.has_sequence_flags = 1;
	pkt.sequence_flags = PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_INCREMENTAL_STATE_CLEARED;
	pkt.interned_data = &id;
	put_packet(p, &pkt, false);
	describe(p, EXPORT_TRK_ROOT);
	return p;
}

static uint64_t
cat_of(const char *cat)
{
	unsigned i;

	for (i = 1; i <= CAT_N; i++)
		if (strcmp(cat, cat_names[i]) == 0)
			return i;
	return CAT_REPLAY;
}

/* A packet of the sequence carrying a track event at `ns`. */
static void
event_packet(Perfetto__Protos__TracePacket *pkt, Perfetto__Protos__TrackEvent *te, uint32_t seq,
    uint64_t ns, int type, uint64_t track_uuid)
{
	perfetto__protos__trace_packet__init(pkt);
	pkt->has_timestamp = 1;
	pkt->timestamp = ns;
	pkt->has_trusted_packet_sequence_id = 1;
	pkt->trusted_packet_sequence_id = seq;
	pkt->track_event = te;
	te->has_type = 1;
	te->type = (Perfetto__Protos__TrackEvent__Type)type;
	te->has_track_uuid = 1;
	te->track_uuid = track_uuid;
}

static void
pf_event(void *s, const struct export_event *ev)
{
	struct pf *p = s;
	Perfetto__Protos__TracePacket pkt;
	Perfetto__Protos__TrackEvent te = PERFETTO__PROTOS__TRACK_EVENT__INIT;
	Perfetto__Protos__DebugAnnotation *da = p->da;
	uint64_t cat = cat_of(ev->cat), fout[EXPORT_MAX_FLOWS], fin[EXPORT_MAX_FLOWS];
	unsigned i;

	describe(p, ev->track);
	for (i = 0; i < ev->nargs; i++) {
		const struct export_arg *a = &ev->args[i];
		da[i].name_iid = (uint64_t)a->key + 1;
		da[i].has_uint_value = a->type == EA_U64;
		da[i].has_double_value = a->type == EA_DBL;
		da[i].string_value = NULL;
		switch (a->type) {
		case EA_U64: da[i].uint_value = a->v.u; break;
		case EA_DBL: da[i].double_value = a->v.d; break;
		default: da[i].string_value = (char *)a->v.s; break;
		}
	}
	event_packet(&pkt, &te, p->seq, ev->ns0, ev->t1 > ev->t0 ?
	    PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN :
	    PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_INSTANT, uuid_of(p, ev->track));
	/* the sequence's interned names: categories and annotation keys */
	pkt.has_sequence_flags = 1;
	pkt.sequence_flags = PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_NEEDS_INCREMENTAL_STATE;
	te.name = (char *)ev->name;
	te.n_category_iids = 1;
	te.category_iids = &cat;
	te.n_debug_annotations = ev->nargs;
	te.debug_annotations = p->dap;
	te.n_flow_ids = ev->nflow_out;
	te.flow_ids = (uint64_t *)ev->flow_out;
	te.n_terminating_flow_ids = ev->nflow_in;
	te.terminating_flow_ids = (uint64_t *)ev->flow_in;
	if (p->part != 0) {
		for (i = 0; i < ev->nflow_out && i < EXPORT_MAX_FLOWS; i++)
			fout[i] = ev->flow_out[i] + ((uint64_t)p->part << PF_PART_FLOWS);
		for (i = 0; i < ev->nflow_in && i < EXPORT_MAX_FLOWS; i++)
			fin[i] = ev->flow_in[i] + ((uint64_t)p->part << PF_PART_FLOWS);
		te.flow_ids = fout;
		te.terminating_flow_ids = fin;
	}
	put_packet(p, &pkt, true);
	if (ev->t1 > ev->t0) {
		Perfetto__Protos__TrackEvent end = PERFETTO__PROTOS__TRACK_EVENT__INIT;
		event_packet(&pkt, &end, p->seq, ev->ns1, PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END,
		    te.track_uuid);
		put_packet(p, &pkt, true);
	}
}

static void
pf_counter(void *s, unsigned track, uint64_t cycle, uint64_t ns, double value)
{
	struct pf *p = s;
	Perfetto__Protos__TracePacket pkt;
	Perfetto__Protos__TrackEvent te = PERFETTO__PROTOS__TRACK_EVENT__INIT;

	(void)cycle;
	describe(p, track);
	event_packet(&pkt, &te, p->seq, ns, PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_COUNTER, uuid_of(p, track));
	if (track == EXPORT_TRK_L1) {
		te.has_counter_value = 1;
		te.counter_value = (int64_t)value;
	} else {
		te.has_double_counter_value = 1;
		te.double_counter_value = value;
	}
	put_packet(p, &pkt, true);
}

static int
pf_close(void *s, struct errbuf *e)
{
	struct pf *p = s;
	bool oom = p->oom;

	free(p->buf);
	free(p);
	return oom ? errbuf_set(e, "out of memory") : 0;
}

static void
pf_abort(void *s)
{
	struct pf *p = s;

	free(p->buf);
	free(p);
}

int
export_perfetto_series(struct zout *z, unsigned part, const char *root, const char *name,
    const char *unit, const uint64_t *ns, const double *v, size_t n, struct errbuf *e)
{
	Perfetto__Protos__TracePacket pkt = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	Perfetto__Protos__TrackDescriptor td = PERFETTO__PROTOS__TRACK_DESCRIPTOR__INIT;
	Perfetto__Protos__CounterDescriptor cd = PERFETTO__PROTOS__COUNTER_DESCRIPTOR__INIT;
	struct pf p = { .z = z, .part = part, .seq = PF_SEQUENCE_ID + part };
	size_t i;
	int rc;

	pkt.has_trusted_packet_sequence_id = 1;
	pkt.trusted_packet_sequence_id = p.seq;
	pkt.has_first_packet_on_sequence = 1;
	pkt.first_packet_on_sequence = 1;
	pkt.has_sequence_flags = 1;
	pkt.sequence_flags = PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_INCREMENTAL_STATE_CLEARED;
	pkt.track_descriptor = &td;
	td.has_uuid = 1;
	td.uuid = uuid_of(&p, EXPORT_TRK_ROOT);
	td.name = (char *)root;
	put_packet(&p, &pkt, false);
	perfetto__protos__trace_packet__init(&pkt);
	perfetto__protos__track_descriptor__init(&td);
	pkt.has_trusted_packet_sequence_id = 1;
	pkt.trusted_packet_sequence_id = p.seq;
	pkt.track_descriptor = &td;
	td.has_uuid = 1;
	td.uuid = uuid_of(&p, EXPORT_TRK_ROOT + 1);
	td.has_parent_uuid = 1;
	td.parent_uuid = uuid_of(&p, EXPORT_TRK_ROOT);
	td.name = (char *)name;
	td.counter = &cd;
	cd.unit_name = (char *)unit;
	put_packet(&p, &pkt, false);
	for (i = 0; i < n; i++) {
		Perfetto__Protos__TrackEvent te = PERFETTO__PROTOS__TRACK_EVENT__INIT;
		event_packet(&pkt, &te, p.seq, ns[i], PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_COUNTER,
		    td.uuid);
		te.has_double_counter_value = 1;
		te.double_counter_value = v[i];
		put_packet(&p, &pkt, true);
	}
	rc = p.oom ? errbuf_set(e, "out of memory") : zout_check(z, e);
	free(p.buf);
	return rc;
}

const struct export_sink_ops export_sink_perfetto = {
	pf_open, pf_event, pf_counter, pf_close, pf_abort,
};
