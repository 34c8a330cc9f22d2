/* emit: slots, automatic dependencies and planned times for schedulers. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cost.h"
#include "emit.h"

void
emit_init(struct emit *em, struct trace_writer *w, const struct npu *n, struct errbuf *e)
{
	memset(em, 0, sizeof *em);
	em->w = w;
	em->npu = n;
	em->e = e;
	cost_memo_init(&em->cost, n);
}

__attribute__((format(printf, 2, 3)))
static void
emit_fail(struct emit *em, const char *fmt, ...)
{
	char msg[ERRBUF_SIZE];
	va_list ap;

	if (em->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	errbuf_set(em->e, "scheduler: %s", msg);
	em->failed = true;
}

int
emit_slot(struct emit *em, unsigned buf, uint64_t addr, uint64_t size)
{
	struct emit_slot *s;

	if (em->nslots == EMIT_MAX_SLOTS) {
		emit_fail(em, "more than %d buffer slots", EMIT_MAX_SLOTS);
		return -1;
	}
	s = &em->slots[em->nslots];
	memset(s, 0, sizeof *s);
	s->buf = (uint8_t)buf;
	s->addr = addr;
	s->size = size;
	return (int)em->nslots++;
}

void
emit_begin(struct emit *em, struct isa_instr *in, unsigned unit, unsigned op, unsigned flags)
{
	memset(in, 0, offsetof(struct isa_instr, deps));	/* deps beyond ndeps are never read */
	in->unit = (uint8_t)unit;
	in->op = (uint8_t)op;
	in->flags = (uint8_t)flags;
	(void)em;
}

static void
add_region(struct emit *em, struct isa_instr *in, bool write, int slot, unsigned buf,
    uint64_t addr, uint64_t size, unsigned tensor)
{
	struct isa_region *r;

	if (write ? in->ndst == ISA_MAX_DST : in->nsrc == ISA_MAX_SRC) {
		emit_fail(em, "too many %s regions", write ? "destination" : "source");
		return;
	}
	if (write) {
		em->dst_slot[in->ndst] = slot;
		r = &in->dst[in->ndst++];
	} else {
		em->src_slot[in->nsrc] = slot;
		r = &in->src[in->nsrc++];
	}
	r->buf = (uint8_t)buf;
	r->tensor = (uint8_t)tensor;
	r->addr = addr;
	r->size = size;
}

static void
slot_region(struct emit *em, struct isa_instr *in, bool write, int slot, uint64_t off,
    uint64_t size, unsigned tensor)
{
	const struct emit_slot *s;

	if (slot < 0 || (unsigned)slot >= em->nslots) {
		emit_fail(em, "bad slot %d", slot);
		return;
	}
	s = &em->slots[slot];
	if (off + size > s->size) {
		emit_fail(em, "region %llu+%llu outside its slot of %llu bytes",
		    (unsigned long long)off, (unsigned long long)size, (unsigned long long)s->size);
		return;
	}
	add_region(em, in, write, slot, s->buf, s->addr + off, size, tensor);
}

void
emit_read(struct emit *em, struct isa_instr *in, int slot, uint64_t off, uint64_t size,
    unsigned tensor)
{
	slot_region(em, in, false, slot, off, size, tensor);
}

void
emit_write(struct emit *em, struct isa_instr *in, int slot, uint64_t off, uint64_t size,
    unsigned tensor)
{
	slot_region(em, in, true, slot, off, size, tensor);
}

void
emit_read_dram(struct emit *em, struct isa_instr *in, uint64_t addr, uint64_t size,
    unsigned tensor)
{
	add_region(em, in, false, -1, ISA_BUF_DRAM, addr, size, tensor);
}

void
emit_write_dram(struct emit *em, struct isa_instr *in, uint64_t addr, uint64_t size,
    unsigned tensor)
{
	add_region(em, in, true, -1, ISA_BUF_DRAM, addr, size, tensor);
}

/* A dependency whose unit and planned end are known. */
static void
add_dep(struct emit *em, struct isa_instr *in, uint64_t id, unsigned unit, uint64_t end)
{
	unsigned i;

	for (i = 0; i < in->ndeps; i++)
		if (in->deps[i] == id)
			return;
	if (in->ndeps == ISA_MAX_DEPS) {
		char unit_name[8];
		emit_fail(em, "instruction %llu (%s on %s) would wait for more than %d "
		    "instructions, the most a record holds", (unsigned long long)em->next_id,
		    isa_op_name(in->op), isa_unit_name(in->unit, unit_name, sizeof unit_name),
		    ISA_MAX_DEPS);
		return;
	}
	em->dep_unit[in->ndeps] = (uint8_t)unit;
	em->dep_end[in->ndeps] = end;
	in->deps[in->ndeps++] = id;
}

unsigned
emit_dma(struct emit *em)
{
	return ISA_UNIT_DMA0 + em->dma_next++ % em->npu->dma.channels;
}

uint64_t
emit_issue(struct emit *em, struct isa_instr *in)
{
	struct emit_slot *s;
	uint64_t id = em->next_id, start, end, dep_end;
	unsigned i, j, u = in->unit;

	if (em->failed)
		return 0;
	in->id = id;
	/* read after write; a FREE names what dies as a source but ends every reader too */
	for (i = 0; i < in->nsrc; i++) {
		if (em->src_slot[i] < 0)
			continue;
		s = &em->slots[em->src_slot[i]];
		if (s->writer)
			add_dep(em, in, s->writer - 1, s->writer_unit, s->writer_end);
		for (j = 0; in->op == ISA_OP_FREE && j < s->nreaders; j++)
			add_dep(em, in, s->reader[j] - 1, s->reader_unit[j], s->reader_end[j]);
	}
	/* write after write and after read */
	for (i = 0; i < in->ndst; i++) {
		if (em->dst_slot[i] < 0)
			continue;
		s = &em->slots[em->dst_slot[i]];
		if (s->writer)
			add_dep(em, in, s->writer - 1, s->writer_unit, s->writer_end);
		for (j = 0; j < s->nreaders; j++)
			add_dep(em, in, s->reader[j] - 1, s->reader_unit[j], s->reader_end[j]);
	}
	if (em->fence && !em->fenced[u] && (!em->prefetch || u < ISA_UNIT_DMA0)) {
		add_dep(em, in, em->fence - 1, ISA_UNIT_VEC, em->fence_end);
		em->fenced[u] = true;
	}
	/* program order on the unit already orders same-unit pairs */
	start = em->unit_free[u];
	for (i = 0, j = 0; i < in->ndeps; i++) {
		if (em->dep_unit[i] == u)
			continue;
		dep_end = em->dep_end[i];
		if (dep_end > start)
			start = dep_end;
		em->dep_unit[j] = em->dep_unit[i];
		em->dep_end[j] = em->dep_end[i];
		in->deps[j++] = in->deps[i];
	}
	in->ndeps = (uint8_t)j;
	end = start + cost_memo_instr(&em->cost, in);
	in->plan_start = start;
	in->plan_end = end;
	if (trace_write(em->w, in, em->e) != 0) {
		em->failed = true;
		return 0;
	}
	em->next_id++;
	em->unit_free[u] = end;
	em->last_on_unit[u] = id + 1;
	if (end > em->makespan)
		em->makespan = end;
	if (in->op == ISA_OP_MATMUL)
		em->macs += (uint64_t)in->m * in->n * in->k;
	else if (in->op == ISA_OP_LOAD || in->op == ISA_OP_FILL)
		em->dram_read += in->bytes;
	else if (in->op == ISA_OP_STORE || in->op == ISA_OP_SPILL)
		em->dram_write += in->bytes;

	for (i = 0; i < in->nsrc; i++) {
		if (em->src_slot[i] < 0)
			continue;
		s = &em->slots[em->src_slot[i]];
		for (j = 0; j < s->nreaders && s->reader_unit[j] != u; j++)
			;
		if (j == s->nreaders) {
			if (s->nreaders == 8) {
				emit_fail(em, "a slot read by more than 8 units");
				return 0;
			}
			s->nreaders++;
			s->reader_unit[j] = (uint8_t)u;
		}
		s->reader[j] = id + 1;
		s->reader_end[j] = end;
	}
	for (i = 0; i < in->ndst; i++) {
		if (em->dst_slot[i] < 0)
			continue;
		s = &em->slots[em->dst_slot[i]];
		s->writer = id + 1;
		s->writer_end = end;
		s->writer_unit = (uint8_t)u;
		s->nreaders = 0;
	}
	return id;
}

static uint64_t
barrier(struct emit *em, bool dma)
{
	struct isa_instr in;
	uint64_t id;
	unsigned u;

	emit_begin(em, &in, ISA_UNIT_VEC, ISA_OP_BARRIER, 0);
	for (u = 0; u < ISA_NUNITS; u++) {
		if (!em->last_on_unit[u] || u == ISA_UNIT_VEC ||
		    (u >= ISA_UNIT_DMA0 && !dma) || em->covered[u] == em->last_on_unit[u])
			continue;
		/*
		 * More units than one record's dependencies (many DMA channels):
		 * a barrier per group, all on VEC, whose program order makes the
		 * last one wait for them all at the same cycle.
		 */
		if (in.ndeps == ISA_MAX_DEPS) {
			emit_issue(em, &in);
			emit_begin(em, &in, ISA_UNIT_VEC, ISA_OP_BARRIER, 0);
		}
		add_dep(em, &in, em->last_on_unit[u] - 1, u, em->unit_free[u]);
		/* barriers are all on VEC: a later one waits for what this one did */
		em->covered[u] = em->last_on_unit[u];
	}
	id = emit_issue(em, &in);
	em->fence = id + 1;
	em->fence_end = em->unit_free[ISA_UNIT_VEC];
	memset(em->fenced, 0, sizeof em->fenced);
	em->fenced[ISA_UNIT_VEC] = true;
	return id;
}

uint64_t
emit_barrier(struct emit *em)
{
	return barrier(em, !em->prefetch);
}

uint64_t
emit_sync(struct emit *em)
{
	uint64_t id = barrier(em, true);

	em->sync = id + 1;
	em->sync_end = em->fence_end;
	return id;
}

void
emit_after_sync(struct emit *em, struct isa_instr *in)
{
	if (em->sync)
		add_dep(em, in, em->sync - 1, ISA_UNIT_VEC, em->sync_end);
}

int
emit_finish(struct emit *em)
{
	return em->failed ? -1 : 0;
}
