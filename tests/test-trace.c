/* Unit tests for the instruction set and both trace formats. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "cunit-main.h"
#include "isa.h"
#include "mtr.h"
#include "replay.h"
#include "synth.h"
#include "trace-file.h"
#include "trace-text.h"

static void
header(struct trace_header *h)
{
	struct workload w;
	struct errbuf e;

	CU_ASSERT_EQUAL_FATAL(wl_parse("bert-base", &w, &e), 0);
	trace_header_init(h, &npu_preset_find("flat-edge")->npu, &w);
	strcpy(h->sched, "synthetic");
	strcpy(h->tiling, "rows=64,overwrite=on");
	strcpy(h->command, "test-trace --with 'quotes' and = signs");
}

static bool
regions_same(const struct isa_region *a, const struct isa_region *b, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (a[i].buf != b[i].buf || a[i].tensor != b[i].tensor || a[i].addr != b[i].addr ||
		    a[i].size != b[i].size)
			return false;
	return true;
}

static bool
instr_same(const struct isa_instr *a, const struct isa_instr *b)
{
	if (a->id != b->id || a->unit != b->unit || a->op != b->op || a->flags != b->flags ||
	    a->b != b->b || a->h != b->h || a->rb != b->rb || a->cb != b->cb || a->st != b->st ||
	    a->m != b->m || a->n != b->n || a->k != b->k || a->bytes != b->bytes ||
	    a->nsrc != b->nsrc || a->ndst != b->ndst || a->ndeps != b->ndeps ||
	    !regions_same(a->src, b->src, a->nsrc) || !regions_same(a->dst, b->dst, a->ndst) ||
	    memcmp(a->deps, b->deps, a->ndeps * sizeof a->deps[0]) != 0 ||
	    a->plan_start != b->plan_start || a->plan_end != b->plan_end ||
	    a->replayed != b->replayed)
		return false;
	if (a->replayed && (a->rep_start != b->rep_start || a->rep_end != b->rep_end ||
	    a->stall != b->stall || a->cause != b->cause || a->stall_on != b->stall_on))
		return false;
	return true;
}

static void
test_names(void)
{
	char buf[8];
	unsigned i;

	for (i = 0; i < ISA_NOPS; i++)
		CU_ASSERT_EQUAL(isa_op_code(isa_op_name(i)), (int)i);
	for (i = 0; i < ISA_NUNITS; i++)
		CU_ASSERT_EQUAL(isa_unit_code(isa_unit_name(i, buf, sizeof buf)), (int)i);
	for (i = 0; i < ISA_NBUFS; i++)
		CU_ASSERT_EQUAL(isa_buf_code(isa_buf_name(i)), (int)i);
	for (i = 0; i < ISA_NTENSORS; i++)
		CU_ASSERT_EQUAL(isa_tensor_code(isa_tensor_name(i)), (int)i);
	for (i = 0; i < ISA_NCAUSES; i++)
		CU_ASSERT_EQUAL(isa_cause_code(isa_cause_name(i)), (int)i);
	for (i = 0; i < ISA_NFLAGS; i++)
		CU_ASSERT_EQUAL(isa_flag_code(isa_flag_name(i)), (int)i);
	CU_ASSERT_EQUAL(isa_unit_code("dma63"), ISA_UNIT_DMA0 + 63);
	CU_ASSERT_EQUAL(isa_unit_code("dma64"), -1);
	CU_ASSERT_EQUAL(isa_unit_code("dma01"), -1);
	CU_ASSERT_EQUAL(isa_unit_code("dma"), -1);
	CU_ASSERT_EQUAL(isa_unit_code("dma1x"), -1);
	CU_ASSERT_EQUAL(isa_unit_code("gpu"), -1);
	CU_ASSERT_PTR_NULL(isa_op_name(ISA_NOPS));
	CU_ASSERT_PTR_NULL(isa_unit_name(ISA_NUNITS, buf, sizeof buf));
}

static void
expect_check(const struct isa_instr *in, const char *message)
{
	char why[512] = "";

	CU_ASSERT_EQUAL(isa_check(in, why, sizeof why), -1);
	CU_ASSERT_STRING_EQUAL(why, message);
}

static void
test_check(void)
{
	struct isa_instr in;
	char why[512];

	memset(&in, 0, sizeof in);
	in.id = 5;
	in.unit = ISA_UNIT_MAC;
	in.op = ISA_OP_MATMUL;
	in.plan_start = 10;
	in.plan_end = 20;
	CU_ASSERT_EQUAL(isa_check(&in, why, sizeof why), 0);
	in.op = ISA_OP_LOAD;
	expect_check(&in, "op 'load' cannot run on unit 'mac'");
	in.unit = ISA_UNIT_DMA0 + 2;
	CU_ASSERT_EQUAL(isa_check(&in, why, sizeof why), 0);
	in.ndeps = 1;
	in.deps[0] = 5;
	expect_check(&in, "dependency on id 5, expected an earlier id (below 5)");
	in.deps[0] = 4;
	in.plan_end = 9;
	expect_check(&in, "planned end 9 before its start 10");
	in.plan_end = 20;
	in.nsrc = 1;
	in.src[0].addr = UINT64_MAX;
	in.src[0].size = 2;
	expect_check(&in, "source region 0: address 18446744073709551615 + size 2, expected an "
	    "end at most 2^60");
	in.src[0].addr = ISA_MAX_END - 2;
	CU_ASSERT_EQUAL(isa_check(&in, why, sizeof why), 0);
	in.src[0].addr = 0;
	/* every field that enters a product or a total is bounded, and named */
	in.m = (uint32_t)ISA_MAX_DIM + 1;
	expect_check(&in, "field 'm' is 16777217, expected at most 16777216");
	in.m = in.n = (uint32_t)ISA_MAX_DIM;
	in.k = 1;
	CU_ASSERT_EQUAL(isa_check(&in, why, sizeof why), 0);
	in.k = 1u << 6;
	expect_check(&in, "m*n*k is 1.801e+16 MACs, expected at most 2^53");
	in.m = in.n = in.k = 0;
	in.bytes = ISA_MAX_BYTES + 1;
	expect_check(&in, "field 'bytes' is 281474976710657, expected at most 2^48");
	in.bytes = 0;
	in.plan_end = ISA_MAX_TIME + 1;
	expect_check(&in, "planned end 4611686018427387905, expected at most 2^62 cycles");
	in.plan_end = 20;
	in.replayed = true;
	in.rep_start = 3;
	in.rep_end = 2;
	expect_check(&in, "replayed end 2 before its start 3");
	in.rep_end = 30;
	in.cause = ISA_CAUSE_DRAM;
	in.stall_on = 2;
	expect_check(&in, "stalled on id 2 with cause 'dram', expected a producer only with "
	    "cause 'dep' or 'space'");
	in.cause = ISA_CAUSE_DEP;
	CU_ASSERT_EQUAL(isa_check(&in, why, sizeof why), 0);
	in.flags = 0x80;
	expect_check(&in, "flags 0x80, expected bits below 0x40");
}

/* Write n instructions from gen to path, then read them back and compare. */
static void
round_trip(const char *file, uint64_t n, bool random, bool replayed)
{
	struct trace_header h;
	struct trace_writer *w;
	struct trace_reader *r;
	struct isa_instr in;
	const struct isa_instr *got;
	enum trace_format fmt;
	struct synth s;
	struct errbuf e;
	uint64_t i, x = 42, x2 = 42, mismatches = 0;
	int rc;

	header(&h);
	if (replayed) {
		strcpy(h.replay, "mastrace replay --no-dram in.mtr -o out.mtr");
		h.models = TRACE_MODELS_RECORDED | TRACE_MODEL_PORTS;
	}
	CU_ASSERT_EQUAL_FATAL(trace_open_write(file, TRACE_FMT_UNKNOWN, &h, &w, &e), 0);
	synth_init(&s, 8, replayed);
	for (i = 0; i < n; i++) {
		if (random)
			synth_random(&x, i, &in);
		else
			synth_next(&s, &in);
		if (trace_write(w, &in, &e) != 0) {
			fprintf(stderr, "\n%s\n", e.msg);
			CU_FAIL_FATAL("write failed");
		}
	}
	CU_ASSERT_EQUAL_FATAL(trace_close_write(w, &e), 0);

	CU_ASSERT_EQUAL_FATAL(trace_open_read(file, &r, &fmt, &e), 0);
	CU_ASSERT_STRING_EQUAL(r->hdr.sched, "synthetic");
	CU_ASSERT_STRING_EQUAL(r->hdr.tiling, "rows=64,overwrite=on");
	CU_ASSERT_STRING_EQUAL(r->hdr.command, h.command);
	CU_ASSERT_STRING_EQUAL(r->hdr.replay, h.replay);
	CU_ASSERT_EQUAL(r->hdr.models, h.models);
	CU_ASSERT_STRING_EQUAL(r->hdr.npu.name, "flat-edge");
	CU_ASSERT_TRUE(r->hdr.npu.dram.bandwidth_gbs == h.npu.dram.bandwidth_gbs);
	CU_ASSERT_STRING_EQUAL(r->hdr.wl.name, "bert-base");
	CU_ASSERT_EQUAL(r->hdr.wl.heads, 12);
	synth_init(&s, 8, replayed);
	for (i = 0; i < n; i++) {
		rc = trace_next(r, &got, &e);
		if (rc != 1) {
			fprintf(stderr, "\n%s\n", rc < 0 ? e.msg : "early end");
			CU_FAIL_FATAL("read failed");
		}
		if (random)
			synth_random(&x2, i, &in);
		else
			synth_next(&s, &in);
		if (!instr_same(got, &in) && mismatches++ < 3) {
			char a[4200], b[4200];
			text_format_instr(&in, a, sizeof a);
			text_format_instr(got, b, sizeof b);
			fprintf(stderr, "\n  wrote %s\n  read  %s\n", a, b);
		}
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	CU_ASSERT_EQUAL(trace_next(r, &got, &e), 0);
	CU_ASSERT_EQUAL(r->count, n);
	trace_close_read(r);
}

/* The replay models: a recorded field, or for older traces their command line. */
static void
test_models(void)
{
	static const char *const ok[] = { "dram,ports,capacity", "none", "ports", "capacity,dram" };
	static const char *const bad[] = { "", "dram,", ",dram", "dram,dram", "cache", "none,dram" };
	struct trace_header h;
	struct replay_opts o;
	unsigned m, i;
	char buf[64];

	for (i = 0; i < ARRAY_LEN(ok); i++) {
		CU_ASSERT_EQUAL_FATAL(trace_models_parse(ok[i], &m), 0);
		CU_ASSERT(m & TRACE_MODELS_RECORDED);
		trace_models_format(m, buf, sizeof buf);
		CU_ASSERT_EQUAL(trace_models_parse(buf, &m), 0);
	}
	CU_ASSERT_EQUAL(trace_models_parse("capacity,dram", &m), 0);
	trace_models_format(m, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "dram,capacity");
	for (i = 0; i < ARRAY_LEN(bad); i++)
		CU_ASSERT_EQUAL(trace_models_parse(bad[i], &m), -1);
	header(&h);
	/* recorded: the command line does not count */
	strcpy(h.replay, "mastrace replay --ideal a.mtr -o b.mtr");
	h.models = TRACE_MODELS_RECORDED | TRACE_MODEL_DRAM;
	replay_opts_of_trace(&h, &o);
	CU_ASSERT(o.dram_sharing && !o.port_sharing && !o.capacity);
	/* an older trace: the last replay's options, abbreviated as getopt allows */
	h.models = 0;
	strcpy(h.replay, "mastrace replay --ideal a.mtr | mastrace replay --no-dram b.mtr -o c.mtr");
	replay_opts_of_trace(&h, &o);
	CU_ASSERT(!o.dram_sharing && o.port_sharing && o.capacity);
	strcpy(h.replay, "mastrace replay --no a.mtr");	/* ambiguous: nothing */
	replay_opts_of_trace(&h, &o);
	CU_ASSERT(o.dram_sharing && o.port_sharing && o.capacity);
	strcpy(h.replay, "mastrace replay -- --ideal");	/* an operand */
	replay_opts_of_trace(&h, &o);
	CU_ASSERT(o.dram_sharing && o.port_sharing && o.capacity);
}

static void
test_round_trips(void)
{
	round_trip(cunit_path("a.mtr"), 20000, true, false);
	round_trip(cunit_path("a.mtt"), 5000, true, false);
	round_trip(cunit_path("b.mtr"), 300000, false, false);	/* several blocks */
	round_trip(cunit_path("c.mtr"), 100000, false, true);
	round_trip(cunit_path("c.mtt"), 2000, false, true);
	round_trip(cunit_path("empty.mtr"), 0, false, false);
	round_trip(cunit_path("empty.mtt"), 0, false, false);
}

static void
test_seek(void)
{
	static const uint64_t targets[] = { 0, 1, 65535, 65536, 65537, 150001, 299999, 123 };
	struct trace_reader *r;
	const struct isa_instr *got;
	struct isa_instr want;
	enum trace_format fmt;
	struct synth s;
	struct errbuf e;
	uint64_t i;
	size_t t;
	int rc;

	for (t = 0; t < ARRAY_LEN(targets); t++) {
		CU_ASSERT_EQUAL_FATAL(trace_open_read(cunit_path("b.mtr"), &r, &fmt, &e), 0);
		CU_ASSERT_EQUAL_FATAL(trace_seek(r, targets[t], &e), 0);
		CU_ASSERT_EQUAL_FATAL(trace_next(r, &got, &e), 1);
		synth_init(&s, 8, 0);
		for (i = 0; i <= targets[t]; i++)
			synth_next(&s, &want);
		CU_ASSERT_TRUE(instr_same(got, &want));
		/* and it reads on to the end, checking the index and footer */
		while (trace_next(r, &got, &e) == 1)
			;
		CU_ASSERT_EQUAL(r->count, 300000);
		trace_close_read(r);
	}
	CU_ASSERT_EQUAL_FATAL(trace_open_read(cunit_path("b.mtr"), &r, &fmt, &e), 0);
	CU_ASSERT_EQUAL(trace_seek(r, 300000, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cannot seek to instruction 300000, the trace "
	    "has 300000"));
	/* a failed seek leaves the reader where it was: it reads on, checksums and all */
	CU_ASSERT_EQUAL(trace_next(r, &got, &e), 1);
	CU_ASSERT_EQUAL(got->id, 0);
	while ((rc = trace_next(r, &got, &e)) == 1)
		;
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(r->count, 300000);
	trace_close_read(r);
}

/* Without checksums, a damaged file decodes as far as its structure allows. */
static void
test_unchecked(void)
{
	static const char *const files[] = { "flipped-block.mtr", "bad-footer.mtr" };
	const struct isa_instr *in;
	struct trace_reader *r;
	char path[1024], why[512];
	struct errbuf e;
	unsigned i;
	FILE *f;
	int rc;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/tests/bad-trace/%s", cunit_srcdir(), files[i]);
		f = fopen(path, "rb");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL_FATAL(mtr_reader_open_unchecked(f, path, true, &r, &e), 0);
		while ((rc = trace_next(r, &in, &e)) == 1)
			CU_ASSERT_EQUAL(isa_check(in, why, sizeof why), 0);
		/* whatever stops it, it is not a checksum */
		if (rc < 0)
			CU_ASSERT_PTR_NULL(strstr(e.msg, "checksum"));
		trace_close_read(r);
	}
	/* the flipped footer bit is in the index's offset, which the structure still checks */
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "footer says"));
}

/* Seek by time through the index's spans, and the count without reading. */
static void
test_seek_time(void)
{
	struct trace_reader *r;
	const struct isa_instr *got;
	enum trace_format fmt;
	uint64_t *end, total = 0, i, first, latest, maxend = 0, cycles[5];
	char path[1024];
	struct errbuf e;
	unsigned c;
	int rc;

	/* the ends of every instruction, read in order */
	end = malloc(300000 * sizeof *end);
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	CU_ASSERT_EQUAL_FATAL(trace_open_read(cunit_path("b.mtr"), &r, &fmt, &e), 0);
	CU_ASSERT_EQUAL(trace_total(r, &total, &e), 0);
	CU_ASSERT_EQUAL(total, 300000);
	for (i = 0; (rc = trace_next(r, &got, &e)) == 1; i++) {
		end[i] = got->replayed ? got->rep_end : got->plan_end;
		if (end[i] > maxend)
			maxend = end[i];
	}
	/* counting moved nothing: the read ends with every checksum checked */
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL_FATAL(i, 300000);
	trace_close_read(r);
	cycles[0] = 0;
	cycles[1] = maxend / 3;
	cycles[2] = maxend / 2;
	cycles[3] = maxend - 1;
	cycles[4] = maxend;
	for (c = 0; c < 5; c++) {
		CU_ASSERT_EQUAL_FATAL(trace_open_read(cunit_path("b.mtr"), &r, &fmt, &e), 0);
		CU_ASSERT_EQUAL_FATAL(trace_seek_time(r, cycles[c], &e), 0);
		first = r->count;
		/* nothing skipped runs past the cycle ... */
		for (i = 0, latest = 0; i < first; i++)
			if (end[i] > latest)
				latest = end[i];
		CU_ASSERT_TRUE(latest <= cycles[c]);
		/* ... and the block it starts at does, unless nothing does */
		if (cycles[c] >= maxend) {
			CU_ASSERT_EQUAL(first, 300000);
			CU_ASSERT_EQUAL(trace_next(r, &got, &e), 0);
		} else {
			for (i = first, latest = 0; i < first + 65536 && i < 300000; i++)
				if (end[i] > latest)
					latest = end[i];
			CU_ASSERT_TRUE(latest > cycles[c]);
			CU_ASSERT_EQUAL(trace_next(r, &got, &e), 1);
			CU_ASSERT_EQUAL(got->id, first);
		}
		trace_close_read(r);
	}
	free(end);
	/* a format 1.0 file seeks by number but has no spans to seek by time */
	snprintf(path, sizeof path, "%s/tests/bad-trace/tiny-good.mtr", cunit_srcdir());
	CU_ASSERT_EQUAL_FATAL(trace_open_read(path, &r, &fmt, &e), 0);
	CU_ASSERT_EQUAL(trace_seek(r, 3, &e), 0);
	CU_ASSERT_EQUAL(trace_seek_time(r, 100, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "the index of a format 1.0 file has no time spans"));
	trace_close_read(r);
	/* a text trace has no index, and says so */
	snprintf(path, sizeof path, "%s/traces/examples/tiny.mtt", cunit_srcdir());
	CU_ASSERT_EQUAL_FATAL(trace_open_read(path, &r, &fmt, &e), 0);
	CU_ASSERT_EQUAL(trace_seek(r, 3, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "tiny.mtt: cannot seek: a text trace has no index"));
	CU_ASSERT_EQUAL(trace_total(r, &total, &e), -1);
	CU_ASSERT_EQUAL(trace_seek_time(r, 0, &e), -1);
	trace_close_read(r);
}

static unsigned char *
slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	unsigned char *buf;
	long n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	CU_ASSERT_EQUAL_FATAL(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Read a whole trace from memory; 0 if it reads cleanly, -1 with e set. */
static int
read_all(const unsigned char *data, size_t len, struct errbuf *e)
{
	struct trace_reader *r;
	const struct isa_instr *in;
	FILE *f = fmemopen((void *)data, len, "rb");
	int rc;

	if (f == NULL)
		return errbuf_set(e, "empty");
	if (data[0] == 0x89)
		rc = mtr_reader_open_stream(f, "mem", true, &r, e);
	else
		rc = text_reader_open_stream(f, "mem", true, &r, e);
	if (rc != 0)
		return -1;
	while ((rc = trace_next(r, &in, e)) == 1)
		;
	trace_close_read(r);
	return rc;
}

static void
test_corruption(void)
{
	struct trace_header h;
	struct trace_writer *w;
	struct isa_instr in;
	struct synth s;
	struct errbuf e;
	unsigned char *data;
	size_t len, i, undetected = 0, bit;
	uint64_t k;

	header(&h);
	CU_ASSERT_EQUAL_FATAL(mtr_writer_open(cunit_path("small.mtr"), &h, &w, &e), 0);
	synth_init(&s, 4, 1);
	for (k = 0; k < 200; k++) {
		synth_next(&s, &in);
		CU_ASSERT_EQUAL_FATAL(trace_write(w, &in, &e), 0);
	}
	CU_ASSERT_EQUAL_FATAL(trace_close_write(w, &e), 0);
	data = slurp(cunit_path("small.mtr"), &len);
	CU_ASSERT_EQUAL(read_all(data, len, &e), 0);
	/* every truncation is an error, never a crash or a silent short read */
	for (i = 1; i < len; i++)
		if (read_all(data, i, &e) == 0)
			undetected++;
	CU_ASSERT_EQUAL(undetected, 0);
	/* every flipped bit is caught by a magic, a limit or a checksum */
	for (i = 0; i < len; i++) {
		bit = (i * 7) % 8;
		data[i] ^= (unsigned char)(1u << bit);
		if (read_all(data, len, &e) == 0) {
			undetected++;
			fprintf(stderr, "\n  flip of bit %zu at byte %zu not detected", bit, i);
		}
		data[i] ^= (unsigned char)(1u << bit);
	}
	CU_ASSERT_EQUAL(undetected, 0);
	free(data);
}

static void
test_writer_refuses(void)
{
	struct trace_header h;
	struct trace_writer *w;
	struct isa_instr in;
	struct errbuf e;
	struct stat st;

	header(&h);
	CU_ASSERT_EQUAL_FATAL(trace_open_write(cunit_path("refused.mtr"), TRACE_FMT_UNKNOWN, &h, &w, &e), 0);
	memset(&in, 0, sizeof in);
	in.id = 1;
	in.unit = ISA_UNIT_VEC;
	in.op = ISA_OP_BARRIER;
	CU_ASSERT_EQUAL(trace_write(w, &in, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "instruction 0 has id 1, expected 0"));
	in.id = 0;
	in.op = ISA_OP_MATMUL;
	CU_ASSERT_EQUAL(trace_write(w, &in, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "op 'matmul' cannot run on unit 'vec'"));
	trace_abort_write(w);
	/* nothing is left behind, under the name or beside it */
	CU_ASSERT_NOT_EQUAL(stat(cunit_path("refused.mtr"), &st), 0);
	CU_ASSERT_EQUAL(trace_open_write(cunit_path("x.bin"), TRACE_FMT_UNKNOWN, &h, &w, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cannot tell the trace format"));
	CU_ASSERT_EQUAL(trace_open_write("/nonexistent-dir/x.mtr", TRACE_FMT_UNKNOWN, &h, &w, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/nonexistent-dir/x.mtr: cannot create"));
}

static void
expect_text_error(const char *text, const char *message)
{
	struct errbuf e;

	e.msg[0] = '\0';
	CU_ASSERT_EQUAL(read_all((const unsigned char *)text, strlen(text), &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, message);
	if (strcmp(e.msg, message) != 0)
		fprintf(stderr, "\n  got:      %s\n  expected: %s\n", e.msg, message);
}

#define HDR "#!mastrace-trace 1\n#!workload = bert-base\n#!npu.base = edge\n"

static void
test_text_errors(void)
{
	expect_text_error("#!mastrace-trace 2\n", "mem:1: text trace version 2, expected 1 "
	    "(written by a newer mastrace?)");
	expect_text_error("id=0 unit=mac op=matmul plan=0-1\n", "mem:1: expected "
	    "'#!mastrace-trace 1' on the first line");
	expect_text_error("#!mastrace-trace 1\n#!npu.base = edge\n", "mem: missing header line "
	    "'#!workload = SPEC'");
	expect_text_error("#!mastrace-trace 1\n#!workload = bert-base\n", "mem: missing NPU "
	    "header lines, expected '#!npu.base = PRESET' or every NPU key "
	    "('#!l1.capacity_kib = 256', ...)");
	expect_text_error(HDR "#!l1.capacity_kib = -4\n", "mem:4: key 'l1.capacity_kib': got "
	    "'-4', expected an integer from 1 to 16777216 (KiB)");
	expect_text_error(HDR "#!colour = red\n", "mem:4: unknown header key 'colour', expected "
	    "tool, workload, workload.name, scheduler, tiling, command, replay, replay_models or an NPU key such as "
	    "l1.capacity_kib");
	expect_text_error(HDR "id=0 unit=gpu op=matmul plan=0-1\n", "mem:4:6: field 'unit': got "
	    "'gpu', expected mac, vec, mte or dma0 to dma63");
	expect_text_error(HDR "id=0 unit=mac op=conv plan=0-1\n", "mem:4:15: field 'op': got "
	    "'conv', expected an opcode (load, store, spill, fill, move, matmul, vmax, vexp, vsum, "
	    "vdiv, vscale, vrescale, barrier, alloc, free, overwrite)");
	expect_text_error(HDR "id=1 unit=mac op=matmul plan=0-1\n", "mem:4:1: field 'id': got "
	    "'1', expected 0 (ids count up from 0 in order)");
	expect_text_error(HDR "id=0 unit=mac op=matmul deps=0 plan=0-1\n", "mem:4: dependency "
	    "on id 0, expected an earlier id (below 0)");
	expect_text_error(HDR "id=0 unit=vec op=barrier plan=0-1\nid=1 unit=vec op=barrier "
	    "deps=7 plan=0-1\n", "mem:5: dependency on id 7, expected an earlier id (below 1)");
	expect_text_error(HDR "id=0 unit=mac op=matmul plan=5-1\n", "mem:4: planned end 1 "
	    "before its start 5");
	expect_text_error(HDR "id=0 unit=mac op=matmul plan=1\n", "mem:4:25: field 'plan': got "
	    "'1', expected START-END in cycles");
	expect_text_error(HDR "id=0 unit=mac op=matmul plan=0-1 plan=0-2\n", "mem:4:34: field "
	    "'plan' given twice (first at column 25)");
	expect_text_error(HDR "id=0 unit=mac op=matmul plan=0-1 colour=red\n", "mem:4:34: "
	    "unknown field 'colour', expected one of id, unit, op, flags, b, h, rb, cb, st, m, "
	    "n, k, bytes, src, dst, deps, plan, rep, stall, cause, on");
	expect_text_error(HDR "id=0 unit=mac op=matmul\n", "mem:4: missing field 'plan', "
	    "expected id, unit, op and plan on every instruction");
	expect_text_error(HDR "id=0 unit=mac op=matmul plan=0-1 src=l2:0+4\n", "mem:4:34: field "
	    "'src': got 'l2:0+4', unknown buffer 'l2', expected dram, l1, l0a, l0b or l0c");
	expect_text_error(HDR "id=0 unit=mac op=matmul plan=0-1 src=l1:0\n", "mem:4:34: field "
	    "'src': got 'l1:0', expected BUFFER:ADDRESS+SIZE[:TENSOR], comma-separated");
	expect_text_error(HDR "id=0 unit=mac op=matmul plan=0-1 m=-3\n", "mem:4:34: field 'm': "
	    "got '-3', expected an integer from 0 to 4294967295");
	expect_text_error(HDR "id=0 unit=mac op=matmul plan=0-1 stall=3\n", "mem:4:34: stall, "
	    "cause and on need rep=START-END");
	expect_text_error(HDR "id=0 unit=mac op=matmul plan=0-1\n#!tool = late\n", "mem:5: "
	    "header line after the first instruction, expected every '#!' line before it");
	expect_text_error(HDR "id=0 unit=mac op=matmul plan=0-1 junk\n", "mem:4:34: expected "
	    "key=value, got 'junk'");
	expect_text_error(HDR "id=0 unit=mac\x01 op=matmul plan=0-1\n", "mem:4:14: binary data "
	    "(byte 0x01), expected a text trace");
}

int
main(void)
{
	static const struct test_case cases[] = {
		{ "names and codes map both ways", test_names },
		{ "structural checks", test_check },
		{ "random and synthetic streams survive both formats", test_round_trips },
		{ "seeking through the index", test_seek },
		{ "seeking by time and counting through the index", test_seek_time },
		{ "a damaged file read without checksums", test_unchecked },
		{ "replay models: recorded, or read from old command lines", test_models },
		{ "every truncation and bit flip is detected", test_corruption },
		{ "writers refuse bad input and leave nothing", test_writer_refuses },
		{ "text errors name line, column, field", test_text_errors },
		{ NULL, NULL },
	};
	return cunit_run_in_tmpdir("trace", cases, "/tmp/mastrace-test-trace.XXXXXX");
}
