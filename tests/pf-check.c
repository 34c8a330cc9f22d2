/* pf-check: walk a Perfetto trace and fail on any rule its importer enforces. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "perfetto_trace.pb-c.h"
#include "pf-check.h"

/*
 * The rules, each with the failure Perfetto shows when it breaks:
 *  1. every packet has a trusted sequence id, and it is not 0 (packets are
 *     dropped as from an unknown producer); several sequences (diff's
 *     combined trace) come one whole sequence after another, never
 *     interleaved, which is how mastrace writes them;
 *  2. the first packet of the sequence clears incremental state, and no
 *     interned data is defined or used before that (the importer skips
 *     packets whose incremental state is not valid);
 *  3. interned ids are at least 1, defined before use, never redefined
 *     with another name (names show as "unknown" or wrong);
 *  4. every track uuid an event names was described earlier (the event
 *     lands on a phantom track or is dropped);
 *  5. counter values only on counter tracks, slices and instants never on
 *     them (the importer rejects the event);
 *  6. per track, begin and end balance: no end without an open slice,
 *     none left open (an end closes the innermost open slice, so with
 *     rule 7 the slices nest or are disjoint);
 *  7. per track, slice begins and ends and counter values come in time
 *     order (the sorter keeps equal times in arrival order, so a slice
 *     whose end comes before a later begin in time must arrive first);
 *  8. a flow ends only while it is open (started by an event's flow ids,
 *     not yet ended; an id may start again after it ended), and id 0 is
 *     invalid (the importer counts such flows as errors and drops them).
 */

struct ev {
	uint64_t ts;
	int type;
	uint64_t packet;
	double value;			/* counters */
};

struct trk {
	uint64_t uuid;
	bool counter;
	struct ev *ev;
	size_t n, cap;
	uint64_t last_ts;
	bool any_ts;
};

struct ck {
	struct pfc_report *rep;
	char *why;
	size_t wlen;
	uint64_t packet;
	uint32_t seq;
	uint32_t seen[8];		/* sequences finished */
	size_t nseen;
	bool cleared;
	char **cat, **ann, **evn;	/* interned names by iid */
	size_t ncat, nann, nevn;
	struct trk *trk;
	size_t ntrk, trk_cap;
	uint64_t *open;			/* flows started and not yet ended */
	size_t nopen, open_cap;
};

__attribute__((format(printf, 2, 3)))
static int
bad(struct ck *c, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->why, c->wlen, "packet %llu: ", (unsigned long long)c->packet);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < c->wlen)
		vsnprintf(c->why + n, c->wlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
intern(struct ck *c, char ***tab, size_t *n, uint64_t iid, const char *name, const char *what)
{
	if (iid == 0)
		return bad(c, "%s interned with iid 0 (iids start at 1)", what);
	if (iid > 100000)
		return bad(c, "%s iid %llu is implausibly large", what, (unsigned long long)iid);
	if (iid >= *n) {
		char **t = realloc(*tab, (iid + 1) * sizeof *t);
		if (t == NULL)
			return bad(c, "out of memory");
		memset(t + *n, 0, (iid + 1 - *n) * sizeof *t);
		*tab = t;
		*n = iid + 1;
	}
	if ((*tab)[iid] != NULL && strcmp((*tab)[iid], name ? name : "") != 0)
		return bad(c, "%s iid %llu redefined from '%s' to '%s'", what,
		    (unsigned long long)iid, (*tab)[iid], name ? name : "");
	if ((*tab)[iid] == NULL && ((*tab)[iid] = strdup(name ? name : "")) == NULL)
		return bad(c, "out of memory");
	return 0;
}

static int
use(struct ck *c, char **tab, size_t n, uint64_t iid, const char *what)
{
	if (!c->cleared)
		return bad(c, "%s iid %llu used before incremental state was cleared", what,
		    (unsigned long long)iid);
	if (iid == 0 || iid >= n || tab[iid] == NULL)
		return bad(c, "%s iid %llu used but never defined", what, (unsigned long long)iid);
	return 0;
}

static struct trk *
find_track(struct ck *c, uint64_t uuid)
{
	size_t i;

	for (i = 0; i < c->ntrk; i++)
		if (c->trk[i].uuid == uuid)
			return &c->trk[i];
	return NULL;
}

static struct pfc_track *
rep_track(struct ck *c, uint64_t uuid)
{
	unsigned i;

	for (i = 0; i < c->rep->ntracks; i++)
		if (c->rep->tracks[i].uuid == uuid)
			return &c->rep->tracks[i];
	return NULL;
}

static int
push_u64(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		uint64_t *p = realloc(*v, nc * sizeof *p);
		if (p == NULL)
			return -1;
		*v = p;
		*cap = nc;
	}
	(*v)[(*n)++] = x;
	return 0;
}

/* Where x is in v, SIZE_MAX if nowhere; recent first, where flows end. */
static size_t
find_u64(const uint64_t *v, size_t n, uint64_t x)
{
	size_t i;

	for (i = n; i > 0; i--)
		if (v[i - 1] == x)
			return i - 1;
	return SIZE_MAX;
}

static int
descriptor(struct ck *c, const Perfetto__Protos__TrackDescriptor *td)
{
	struct pfc_track *rt;
	struct trk *t;

	if (!td->has_uuid || td->uuid == 0)
		return bad(c, "track descriptor without a uuid");
	if ((t = find_track(c, td->uuid)) != NULL) {
		if (t->counter != (td->counter != NULL))
			return bad(c, "track %llu described again as another kind",
			    (unsigned long long)td->uuid);
		return 0;
	}
	if (td->has_parent_uuid && find_track(c, td->parent_uuid) == NULL)
		return bad(c, "track %llu names parent %llu before it is described",
		    (unsigned long long)td->uuid, (unsigned long long)td->parent_uuid);
	if (c->ntrk == c->trk_cap) {
		size_t nc = c->trk_cap ? c->trk_cap * 2 : 64;
		struct trk *p = realloc(c->trk, nc * sizeof *p);
		if (p == NULL)
			return bad(c, "out of memory");
		c->trk = p;
		c->trk_cap = nc;
	}
	t = &c->trk[c->ntrk++];
	memset(t, 0, sizeof *t);
	t->uuid = td->uuid;
	t->counter = td->counter != NULL;
	if (c->rep->ntracks < sizeof c->rep->tracks / sizeof c->rep->tracks[0]) {
		rt = &c->rep->tracks[c->rep->ntracks++];
		memset(rt, 0, sizeof *rt);
		rt->uuid = td->uuid;
		rt->counter = t->counter;
		snprintf(rt->name, sizeof rt->name, "%s", td->name ? td->name : "");
	}
	return 0;
}

static const char *
ann_name(const struct ck *c, const Perfetto__Protos__DebugAnnotation *a)
{
	return a->has_name_iid && a->name_iid < c->nann ? c->ann[a->name_iid] : NULL;
}

static int
event(struct ck *c, const Perfetto__Protos__TracePacket *p)
{
	const Perfetto__Protos__TrackEvent *te = p->track_event;
	struct pfc_track *rt;
	struct trk *t;
	size_t i;
	int type = te->has_type ? (int)te->type : 0;

	if (!p->has_timestamp)
		return bad(c, "track event without a timestamp");
	if (!te->has_track_uuid)
		return bad(c, "track event without a track uuid");
	if ((t = find_track(c, te->track_uuid)) == NULL)
		return bad(c, "track %llu used before it is described",
		    (unsigned long long)te->track_uuid);
	if (te->has_name_iid && use(c, c->evn, c->nevn, te->name_iid, "event name") != 0)
		return -1;
	for (i = 0; i < te->n_category_iids; i++)
		if (use(c, c->cat, c->ncat, te->category_iids[i], "category") != 0)
			return -1;
	for (i = 0; i < te->n_debug_annotations; i++) {
		const Perfetto__Protos__DebugAnnotation *a = te->debug_annotations[i];
		if (!a->has_name_iid)
			return bad(c, "debug annotation without an interned name");
		if (use(c, c->ann, c->nann, a->name_iid, "annotation name") != 0)
			return -1;
	}
	if (type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_COUNTER) {
		if (!t->counter)
			return bad(c, "counter value on track %llu, which is not a counter track",
			    (unsigned long long)t->uuid);
		if (!te->has_counter_value && !te->has_double_counter_value)
			return bad(c, "counter event without a value");
	} else if (type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN ||
	    type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END ||
	    type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_INSTANT) {
		if (t->counter)
			return bad(c, "slice or instant on counter track %llu",
			    (unsigned long long)t->uuid);
		if (type != PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END && te->name == NULL &&
		    !te->has_name_iid)
			return bad(c, "slice or instant without a name");
	} else {
		return bad(c, "track event of unknown type %d", type);
	}
	if (type != PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_INSTANT) {
		if (t->any_ts && p->timestamp < t->last_ts)
			return bad(c, "track %llu goes back in time from %llu to %llu ns",
			    (unsigned long long)t->uuid, (unsigned long long)t->last_ts,
			    (unsigned long long)p->timestamp);
		t->any_ts = true;
		t->last_ts = p->timestamp;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 1024;
		struct ev *v = realloc(t->ev, nc * sizeof *v);
		if (v == NULL)
			return bad(c, "out of memory");
		t->ev = v;
		t->cap = nc;
	}
	t->ev[t->n++] = (struct ev){ p->timestamp, type, c->packet,
	    te->has_double_counter_value ? te->double_counter_value : (double)te->counter_value };
	for (i = 0; i < te->n_flow_ids; i++) {	/* a flow starts, or steps on if open */
		if (te->flow_ids[i] == 0)
			return bad(c, "flow id 0 (the importer drops it)");
		if (find_u64(c->open, c->nopen, te->flow_ids[i]) == SIZE_MAX &&
		    push_u64(&c->open, &c->nopen, &c->open_cap, te->flow_ids[i]) != 0)
			return bad(c, "out of memory");
	}
	for (i = 0; i < te->n_terminating_flow_ids; i++) {
		uint64_t f = te->terminating_flow_ids[i];
		size_t k = find_u64(c->open, c->nopen, f);
		if (k == SIZE_MAX)
			return bad(c, "flow %llu ends but is not open (it never started, or ended "
			    "already)", (unsigned long long)f);
		c->open[k] = c->open[--c->nopen];
		c->rep->flows++;
	}
	c->rep->events++;
	rt = rep_track(c, t->uuid);
	if (rt == NULL)
		return 0;
	if (type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_COUNTER) {
		rt->counters++;
	} else if (type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_INSTANT) {
		rt->instants++;
		if (te->name != NULL && strncmp(te->name, "spill ", 6) == 0)
			c->rep->spills++;
		if (te->name != NULL && strncmp(te->name, "fill ", 5) == 0)
			c->rep->fills++;
	} else if (type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN) {
		rt->slices++;
		for (i = 0; i < te->n_debug_annotations; i++) {
			const Perfetto__Protos__DebugAnnotation *a = te->debug_annotations[i];
			const char *n = ann_name(c, a);
			if (n != NULL && strcmp(n, "cycles") == 0)
				rt->cycles += a->uint_value;
			if (n != NULL && strcmp(n, "busy_cycles") == 0)
				rt->busy_cycles += a->uint_value;
		}
	}
	return 0;
}

static void
forget_interned(struct ck *c)
{
	size_t i;

	for (i = 0; i < c->ncat; i++)
		free(c->cat[i]), c->cat[i] = NULL;
	for (i = 0; i < c->nann; i++)
		free(c->ann[i]), c->ann[i] = NULL;
	for (i = 0; i < c->nevn; i++)
		free(c->evn[i]), c->evn[i] = NULL;
}

/*
 * Several traces in one file (diff's combined trace) come one sequence
 * after another: a new sequence has its own incremental state, which its
 * first packet must clear (rule 2), and an earlier one never resumes.
 */
static int
next_sequence(struct ck *c, uint32_t seq)
{
	size_t i;

	for (i = 0; i < c->nseen; i++)
		if (c->seen[i] == seq)
			return bad(c, "sequence %u resumes after sequence %u began", seq, c->seq);
	if (c->nseen == sizeof c->seen / sizeof c->seen[0])
		return bad(c, "more than %zu packet sequences", c->nseen);
	c->seen[c->nseen++] = c->seq;
	c->seq = seq;
	c->cleared = false;
	forget_interned(c);
	return 0;
}

static int
packet(struct ck *c, const Perfetto__Protos__TracePacket *p)
{
	const Perfetto__Protos__InternedData *id = p->interned_data;
	uint32_t flags = p->has_sequence_flags ? p->sequence_flags : 0;
	size_t i;

	if (!p->has_trusted_packet_sequence_id || p->trusted_packet_sequence_id == 0)
		return bad(c, "no trusted packet sequence id");
	if (c->packet == 0)
		c->seq = p->trusted_packet_sequence_id;
	if (flags & PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_INCREMENTAL_STATE_CLEARED) {
		c->cleared = true;
		forget_interned(c);
	}
	if ((flags & PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_NEEDS_INCREMENTAL_STATE) &&
	    !c->cleared)
		return bad(c, "needs incremental state before any packet cleared it");
	if (id != NULL) {
		if (!c->cleared)
			return bad(c, "interned data before incremental state was cleared");
		for (i = 0; i < id->n_event_categories; i++)
			if (intern(c, &c->cat, &c->ncat, id->event_categories[i]->iid,
			    id->event_categories[i]->name, "category") != 0)
				return -1;
		for (i = 0; i < id->n_debug_annotation_names; i++)
			if (intern(c, &c->ann, &c->nann, id->debug_annotation_names[i]->iid,
			    id->debug_annotation_names[i]->name, "annotation name") != 0)
				return -1;
		for (i = 0; i < id->n_event_names; i++)
			if (intern(c, &c->evn, &c->nevn, id->event_names[i]->iid,
			    id->event_names[i]->name, "event name") != 0)
				return -1;
	}
	if (p->track_descriptor != NULL && descriptor(c, p->track_descriptor) != 0)
		return -1;
	if (p->track_event != NULL && event(c, p) != 0)
		return -1;
	return 0;
}

/*
 * Rule 6 on one track: each end closes the latest open begin, none is left
 * open.  Rule 7 already holds, so the importer's sort keeps this order and
 * the slices so formed nest or are disjoint.
 */
static int
nesting(struct ck *c, const struct trk *t)
{
	size_t depth = 0, i;

	for (i = 0; i < t->n; i++) {
		const struct ev *e = &t->ev[i];
		c->packet = e->packet;
		if (e->type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN)
			depth++;
		else if (e->type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END && depth-- == 0)
			return bad(c, "slice end on track %llu with no slice open",
			    (unsigned long long)t->uuid);
	}
	if (depth > 0)
		return bad(c, "%zu slice(s) left open on track %llu at the end of the trace", depth,
		    (unsigned long long)t->uuid);
	return 0;
}

/* Time the two sorted, disjoint slice lists run together. */
static uint64_t
overlap(const struct trk *a, const struct trk *b)
{
	uint64_t sum = 0;
	size_t i = 0, j = 0;
	int da = 0, db = 0;
	uint64_t last = 0;

	while (i < a->n || j < b->n) {
		const struct ev *e;
		bool from_a = j >= b->n || (i < a->n && a->ev[i].ts <= b->ev[j].ts);
		e = from_a ? &a->ev[i++] : &b->ev[j++];
		if (da > 0 && db > 0)
			sum += e->ts - last;
		last = e->ts;
		if (e->type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN)
			from_a ? da++ : db++;
		else if (e->type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END)
			from_a ? da-- : db--;
	}
	return sum;
}

static int
read_varint(const uint8_t *p, size_t len, size_t *at, uint64_t *v)
{
	unsigned shift = 0;

	*v = 0;
	while (*at < len && shift < 64) {
		uint8_t b = p[(*at)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
		shift += 7;
	}
	return -1;
}

int
pfc_check(const uint8_t *buf, size_t len, struct pfc_report *rep, char *why, size_t wlen)
{
	struct ck c;
	size_t at = 0, i;
	int rc = 0;

	memset(&c, 0, sizeof c);
	memset(rep, 0, sizeof *rep);
	c.rep = rep;
	c.why = why;
	c.wlen = wlen;
	while (at < len && rc == 0) {
		Perfetto__Protos__TracePacket *p;
		uint64_t tag, n;
		if (read_varint(buf, len, &at, &tag) != 0 || tag != 0x0a) {
			rc = bad(&c, "byte %zu: expected a packet (field 1, length-delimited)", at);
			break;
		}
		if (read_varint(buf, len, &at, &n) != 0 || n > len - at) {
			rc = bad(&c, "byte %zu: packet length runs past the end", at);
			break;
		}
		p = perfetto__protos__trace_packet__unpack(NULL, (size_t)n, buf + at);
		if (p == NULL) {
			rc = bad(&c, "byte %zu: the packet does not decode", at);
			break;
		}
		at += (size_t)n;
		if (c.packet > 0 && p->has_trusted_packet_sequence_id &&
		    p->trusted_packet_sequence_id != 0 && p->trusted_packet_sequence_id != c.seq)
			rc = next_sequence(&c, p->trusted_packet_sequence_id);
		if (rc == 0)
			rc = packet(&c, p);
		perfetto__protos__trace_packet__free_unpacked(p, NULL);
		c.packet++;
		rep->packets++;
	}
	for (i = 0; i < c.ntrk && rc == 0; i++) {
		const struct trk *t = &c.trk[i];
		struct pfc_track *rt = rep_track(&c, t->uuid);
		size_t k;
		rc = nesting(&c, t);
		for (k = 0; rt != NULL && t->counter && k + 1 < t->n; k++)	/* in time order: rule 7 */
			rt->area += t->ev[k].value * (double)(t->ev[k + 1].ts - t->ev[k].ts);
	}
	if (rc == 0) {
		struct pfc_track *mac = NULL, *vec = NULL;
		for (i = 0; i < rep->ntracks; i++) {
			if (strcmp(rep->tracks[i].name, "mac") == 0)
				mac = &rep->tracks[i];
			if (strcmp(rep->tracks[i].name, "vec") == 0)
				vec = &rep->tracks[i];
		}
		if (mac != NULL && vec != NULL)
			rep->mac_vec_overlap_ns = overlap(find_track(&c, mac->uuid),
			    find_track(&c, vec->uuid));
	}
	for (i = 0; i < c.ncat; i++)
		free(c.cat[i]);
	for (i = 0; i < c.nann; i++)
		free(c.ann[i]);
	for (i = 0; i < c.nevn; i++)
		free(c.evn[i]);
	free(c.evn);
	for (i = 0; i < c.ntrk; i++)
		free(c.trk[i].ev);
	free(c.cat);
	free(c.ann);
	free(c.trk);
	free(c.open);
	return rc;
}

uint8_t *
pfc_read_file(const char *path, size_t *len)
{
	uint8_t *buf = NULL, *b;
	size_t cap = 0;
	gzFile f;
	int n;

	*len = 0;
	if ((f = gzopen(path, "rb")) == NULL)
		return NULL;
	do {
		if (*len == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			if ((b = realloc(buf, cap)) == NULL) {
				free(buf);
				gzclose(f);
				return NULL;
			}
			buf = b;
		}
		n = gzread(f, buf + *len, (unsigned)(cap - *len));
		if (n > 0)
			*len += (size_t)n;
	} while (n > 0);
	gzclose(f);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
