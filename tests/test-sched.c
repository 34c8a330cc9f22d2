/* Unit tests for the schedulers: exactness, invariants, hazards, tilings. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "cunit-main.h"
#include "eval.h"
#include "schedule.h"
#include "trace-file.h"
#include "verify.h"

struct outcome {
	uint64_t makespan, macs, dram, instructions, footprint;
};

/* Schedule into file; 0 or -1 with e set. */
static int
schedule(const char *sched, const char *wl_spec, const char *npu_name, const char *tiling,
    bool spill, const char *file, struct outcome *out, struct errbuf *e)
{
	const struct sched *s = sched_find(sched);
	struct sched_result res;
	struct workload wl;
	struct tiling t;
	struct npu n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	if (wl_parse(wl_spec, &wl, e) != 0 || npu_resolve(npu_name, &n, e) != 0 ||
	    sched_parse_tiling(s, tiling ? tiling : "", &t, e) != 0 ||
	    eval_schedule_file(s, &n, &wl, &t, spill, "test-sched", file, &res, e) != 0)
		return -1;
	if (out != NULL) {
		out->makespan = res.makespan;
		out->macs = res.macs;
		out->dram = res.dram_read + res.dram_write;
		out->instructions = res.instructions;
		out->footprint = res.fit.l1_bytes;
	}
	return 0;
}

/* Largest extent of every buffer's regions, and peak L1 held by ALLOC minus FREE. */
static void
extents(const char *file, uint64_t *ext, uint64_t *alloc_peak)
{
	struct trace_reader *r;
	const struct isa_instr *in;
	enum trace_format fmt;
	struct errbuf e;
	uint64_t held = 0;
	unsigned i;

	memset(ext, 0, ISA_NBUFS * sizeof *ext);
	*alloc_peak = 0;
	CU_ASSERT_EQUAL_FATAL(trace_open_read(file, &r, &fmt, &e), 0);
	while (trace_next(r, &in, &e) == 1) {
		for (i = 0; i < in->nsrc; i++)
			if (in->src[i].addr + in->src[i].size > ext[in->src[i].buf])
				ext[in->src[i].buf] = in->src[i].addr + in->src[i].size;
		for (i = 0; i < in->ndst; i++)
			if (in->dst[i].addr + in->dst[i].size > ext[in->dst[i].buf])
				ext[in->dst[i].buf] = in->dst[i].addr + in->dst[i].size;
		if (in->op == ISA_OP_ALLOC)
			for (i = 0; i < in->ndst; i++)
				held += in->dst[i].buf == ISA_BUF_L1 ? in->dst[i].size : 0;
		if (in->op == ISA_OP_FREE)
			for (i = 0; i < in->nsrc; i++)
				held -= in->src[i].buf == ISA_BUF_L1 ? in->src[i].size : 0;
		if (held > *alloc_peak)
			*alloc_peak = held;
	}
	CU_ASSERT_EQUAL(held, 0);	/* everything allocated is freed */
	trace_close_read(r);
}

static void
check_one(const char *sched, const char *wl_spec, const char *npu_name, const char *tiling)
{
	struct verify_result vr;
	struct outcome o;
	struct workload wl;
	struct errbuf e;
	struct npu n;
	uint64_t ext[ISA_NBUFS], peak, exact;
	const char *file = cunit_path("t.mtr");

	CU_ASSERT_EQUAL_FATAL(wl_parse(wl_spec, &wl, &e), 0);
	CU_ASSERT_EQUAL_FATAL(npu_resolve(npu_name, &n, &e), 0);
	if (schedule(sched, wl_spec, npu_name, tiling, false, file, &o, &e) != 0) {
		fprintf(stderr, "\n  %s %s %s '%s': %s\n", sched, wl_spec, npu_name, tiling, e.msg);
		CU_FAIL("schedule failed");
		return;
	}
	if (verify_trace(file, &(struct verify_opts){ .seed = 3, .orders = 3 }, &vr, &e) != 0 ||
	    !(vr.max_err <= 1e-4)) {
		fprintf(stderr, "\n  %s %s %s '%s': %s\n", sched, wl_spec, npu_name, tiling,
		    vr.max_err > 1e-4 ? vr.where : e.msg);
		CU_FAIL("verify failed");
	}
	exact = wl_macs_qk(&wl) + wl_macs_pv(&wl);
	if (wl.causal) {
		/* whole tiles run on the diagonal: at least the exact work, at most double */
		CU_ASSERT_TRUE(o.macs >= exact);
		CU_ASSERT_TRUE(o.macs <= 2 * exact);
	} else {
		CU_ASSERT_EQUAL(o.macs, exact);
	}
	CU_ASSERT_TRUE(o.dram >= wl_compulsory_bytes(&wl));
	extents(file, ext, &peak);
	CU_ASSERT_TRUE(ext[ISA_BUF_L1] <= n.l1.capacity_bytes);
	CU_ASSERT_TRUE(peak <= n.l1.capacity_bytes);
	CU_ASSERT_TRUE(o.footprint <= n.l1.capacity_bytes);
	if (npu_has_l0(&n)) {
		CU_ASSERT_TRUE(ext[ISA_BUF_L0A] <= n.l0.a_bytes);
		CU_ASSERT_TRUE(ext[ISA_BUF_L0B] <= n.l0.b_bytes);
		CU_ASSERT_TRUE(ext[ISA_BUF_L0C] <= n.l0.c_bytes);
	} else {
		CU_ASSERT_EQUAL(ext[ISA_BUF_L0A] + ext[ISA_BUF_L0B] + ext[ISA_BUF_L0C], 0);
	}
}

static const char *const workloads[] = {
	"b=1,h=2,q=64,k=64,d=16",
	"b=2,h=1,q=100,k=130,dqk=16,dv=24",
	"b=1,h=2,q=96,k=96,d=16,causal=1",
	"b=1,h=1,q=40,k=100,d=32,causal=1",
};
static const char *const npus[] = { "edge", "flat-edge", "flat-cloud", "tileflow-edge" };

/* One tiling on every shape and NPU. */
static void
every_tiling(const char *sched, const char *tiling)
{
	size_t wi, ni;

	for (wi = 0; wi < ARRAY_LEN(workloads); wi++)
		for (ni = 0; ni < ARRAY_LEN(npus); ni++)
			check_one(sched, workloads[wi], npus[ni], tiling);
}

static void
every(const char *sched, const char *small_tiling)
{
	size_t wi, ni;

	for (wi = 0; wi < ARRAY_LEN(workloads); wi++)
		for (ni = 0; ni < ARRAY_LEN(npus); ni++) {
			check_one(sched, workloads[wi], npus[ni], "");
			check_one(sched, workloads[wi], npus[ni], small_tiling);
		}
}

/*
 * Every dataflow the registry holds, a new one included: exact under
 * verify with its default tiling and with small tiles (16 rows, 16 keys,
 * named by their roles), on odd and causal shapes and every NPU preset.
 */
static void
test_every_dataflow(void)
{
	char small[128];
	size_t i;

	for (i = 0; i < sched_count(); i++) {
		const struct sched *d = sched_at(i);
		snprintf(small, sizeof small, "%s=16,%s=16",
		    d->params[sched_role_index(d, SCHED_ROLE_ROWS)].name,
		    d->params[sched_role_index(d, SCHED_ROLE_COLS)].name);
		every(d->name, small);
	}
}

/* The planned makespan of tiling text on workload w and NPU npu, by a counter. */
static uint64_t
planned(const char *sched, const struct workload *w, const char *npu, const char *tiling)
{
	const struct sched *s = sched_find(sched);
	struct sched_counter c;
	struct sched_result r;
	struct errbuf e;
	struct tiling t;
	struct npu n;

	CU_ASSERT_EQUAL_FATAL(npu_resolve(npu, &n, &e), 0);
	CU_ASSERT_EQUAL_FATAL(sched_parse_tiling(s, tiling, &t, &e), 0);
	for (unsigned i = 0; i < s->nparams; i++)
		t.set[i] = true;
	sched_counter_init(&c, false);
	CU_ASSERT_EQUAL_FATAL(sched_emit_to(s, &n, w, &t, &c.w, &r, &e), 0);
	return r.makespan;
}

/*
 * The search ranks big workloads by two heads and four (sched_proxy(),
 * sched_extrapolate()): the extrapolation must come within 0.5% of every
 * whole workload's planned makespan, and rank tilings as the whole
 * workloads do, where one head and two would not (the last workload).
 */
static void
test_proxy(void)
{
	static const char *const wls[][2] = { { "b=1,h=6,q=256,k=256,d=64", "edge" },
	    { "b=3,h=2,q=200,k=300,d=32,causal=1", "edge" }, { "b=5,h=1,q=512,k=512,d=64", "edge" },
	    { "vit-b14", "flat-edge" } };
	static const char *const tilings[][2] = {
		{ "mas", "rows=32,cols=64,vrows=32,overwrite=on,prefetch=on,kv=stream,norm=p,form=full" },
		{ "mas", "rows=256,cols=256,vrows=32,overwrite=on,prefetch=on,kv=resident,norm=o,form=online" },
		{ "mas", "rows=16,cols=256,vrows=16,overwrite=on,prefetch=on,kv=resident,norm=o,form=full" },
		{ "mas", "rows=48,cols=128,vrows=32,overwrite=on,prefetch=on,kv=stream,norm=o,form=serial" },
		{ "flat", "gran=row,rows=64,cols=64,vrows=32,prefetch=on,kv=stream,norm=p" },
		{ "flash", "rows=64,cols=64,prefetch=on,kv=resident" },
		{ "layerwise", "rows=64,cols=64,vrows=32,prefetch=on" },
	};
	uint64_t whole[ARRAY_LEN(tilings)], est[ARRAY_LEN(tilings)], units, a, b;
	struct workload w, wa, wb;
	struct errbuf e;

	for (size_t i = 0; i < ARRAY_LEN(wls); i++) {
		CU_ASSERT_EQUAL_FATAL(wl_parse(wls[i][0], &w, &e), 0);
		units = (uint64_t)w.batch * w.heads;
		CU_ASSERT_EQUAL(sched_proxy(&w, units, &wa), units);	/* the whole */
		a = sched_proxy(&w, 2, &wa);
		b = sched_proxy(&w, 4, &wb);
		CU_ASSERT_EQUAL(a, 2);
		CU_ASSERT_EQUAL(b, 4);
		for (size_t k = 0; k < ARRAY_LEN(tilings); k++) {
			whole[k] = planned(tilings[k][0], &w, wls[i][1], tilings[k][1]);
			est[k] = sched_extrapolate(planned(tilings[k][0], &wa, wls[i][1],
			    tilings[k][1]), a, planned(tilings[k][0], &wb, wls[i][1], tilings[k][1]),
			    b, units);
			if (fabs((double)est[k] - (double)whole[k]) > 0.005 * (double)whole[k])
				fprintf(stderr, "\n  %s %s on %s: whole %llu, extrapolated %llu\n",
				    tilings[k][0], tilings[k][1], wls[i][0],
				    (unsigned long long)whole[k], (unsigned long long)est[k]);
			CU_ASSERT(fabs((double)est[k] - (double)whole[k]) <= 0.005 * (double)whole[k]);
		}
		for (size_t k = 0; k < ARRAY_LEN(tilings); k++)
			for (size_t j = 0; j < ARRAY_LEN(tilings); j++)
				if (whole[k] < 0.99 * (double)whole[j])
					CU_ASSERT(est[k] < est[j]);
	}
	CU_ASSERT_EQUAL(sched_extrapolate(10, 1, 25, 2, 1), 10);
	CU_ASSERT_EQUAL(sched_extrapolate(10, 1, 9, 2, 4), 10);	/* never below its start */
	CU_ASSERT_EQUAL(sched_extrapolate(10, 2, 30, 4, 8), 70);
	CU_ASSERT_EQUAL(sched_extrapolate(10, 1, UINT64_MAX / 2, 2, 4), UINT64_MAX);
	CU_ASSERT_EQUAL_FATAL(wl_parse("b=3,h=4,q=8,k=8,d=8", &w, &e), 0);
	CU_ASSERT_EQUAL(sched_proxy(&w, 6, &wa), 8);	/* whole batch elements */
	CU_ASSERT_EQUAL(wa.batch, 2);
	CU_ASSERT_EQUAL(sched_proxy(&w, 100, &wa), 12);
}

static void test_mas(void) { every("mas", "rows=16,cols=32,vrows=8"); }
static void test_mas_no_overwrite(void) { every("mas", "rows=16,cols=32,overwrite=off"); }

/* MAS's memory-aware forms, each with its own tiling and small tiles */
static void
test_mas_online(void)
{
	every_tiling("mas", "form=online");
	every_tiling("mas", "form=online,rows=16,cols=32,vrows=8");
	every_tiling("mas", "form=online,rows=16,cols=16,overwrite=off,kv=resident");
}

/* the middle ground: on the presets a group is most often a whole row (cli-fair.sh has less L1) */
static void
test_mas_group(void)
{
	every_tiling("mas", "form=group,norm=o");
	every_tiling("mas", "form=group,norm=o,rows=16,cols=32,vrows=8");
	every_tiling("mas", "form=group,norm=o,rows=16,cols=16,overwrite=off,kv=resident");
}

static void
test_mas_serial(void)
{
	every_tiling("mas", "form=serial");
	every_tiling("mas", "form=serial,rows=16,cols=32,vrows=8,norm=o");
}

static void test_flat(void) { every("flat", "rows=16,cols=32,vrows=16"); }
static void test_flat_head(void) { every("flat", "gran=head,cols=16"); }
static void test_flat_batch(void) { every("flat", "gran=batch,cols=32,vrows=8"); }
static void test_layerwise(void) { every("layerwise", "rows=16,cols=16"); }
static void test_flash(void) { every("flash", "rows=16,cols=32"); }

static void
test_mas_beats_flat(void)
{
	static const char *const cases[][3] = {
		{ "bert-base", "edge", "rows=64,cols=128" },
		{ "vit-b16", "edge", "rows=32,cols=64" },
		{ "bert-small", "flat-edge", "rows=64,cols=128" },
		{ "b=1,h=2,q=96,k=96,d=16,causal=1", "tileflow-edge", "rows=16,cols=32" },
		{ "t5,b=2", "flat-cloud", "rows=128,cols=128" },
	};
	/*
	 * With K and V resident the units bound both and MAS's overlap must
	 * pay.  Streamed, small problems are bound by DMA, where MAS's round
	 * (V of PV(r-1), then K of QK(r+1), on the same channels) can trail
	 * FLAT by a few percent (t5 on flat-cloud, a causal toy on
	 * tileflow-edge): that is a finding the ladder reports, not a rule.
	 */
	static const char *const same[] = { "kv=resident,norm=o", "kv=resident,norm=p" };
	struct outcome mas, flat;
	struct errbuf e;
	char t[128];
	size_t i, k;

	/* the same tiling, K/V residency and normalization for both */
	for (i = 0; i < ARRAY_LEN(cases); i++)
	for (k = 0; k < 2; k++) {
		snprintf(t, sizeof t, "%s,%s", cases[i][2], same[k]);
		CU_ASSERT_EQUAL_FATAL(schedule("mas", cases[i][0], cases[i][1], t, true,
		    cunit_path("mas.mtr"), &mas, &e), 0);
		CU_ASSERT_EQUAL_FATAL(schedule("flat", cases[i][0], cases[i][1], t, true,
		    cunit_path("flat.mtr"), &flat, &e), 0);
		CU_ASSERT_TRUE(mas.makespan <= flat.makespan);
		if (mas.makespan > flat.makespan)
			fprintf(stderr, "\n  %s on %s (%s): mas %llu > flat %llu", cases[i][0],
			    cases[i][1], t, (unsigned long long)mas.makespan,
			    (unsigned long long)flat.makespan);
	}
}

/* Read a whole trace into memory. */
static struct isa_instr *
slurp(const char *file, uint64_t *n, struct trace_header *h)
{
	struct trace_reader *r;
	const struct isa_instr *in;
	struct isa_instr *v = NULL;
	enum trace_format fmt;
	struct errbuf e;
	uint64_t cap = 0;

	*n = 0;
	CU_ASSERT_EQUAL_FATAL(trace_open_read(file, &r, &fmt, &e), 0);
	*h = r->hdr;
	while (trace_next(r, &in, &e) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = realloc(v, cap * sizeof *v);
			CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		}
		v[(*n)++] = *in;
	}
	trace_close_read(r);
	return v;
}

static void
spit(const char *file, const struct isa_instr *v, uint64_t n, const struct trace_header *h)
{
	struct trace_writer *w;
	struct errbuf e;
	uint64_t i;

	CU_ASSERT_EQUAL_FATAL(trace_open_write(file, TRACE_FMT_UNKNOWN, h, &w, &e), 0);
	for (i = 0; i < n; i++)
		if (trace_write(w, &v[i], &e) != 0) {
			fprintf(stderr, "\n%s\n", e.msg);
			CU_FAIL_FATAL("write");
		}
	CU_ASSERT_EQUAL_FATAL(trace_close_write(w, &e), 0);
}

static bool
overlaps(const struct isa_region *a, const struct isa_region *b)
{
	return a->buf == b->buf && a->addr < b->addr + b->size && b->addr < a->addr + a->size;
}

static void
expect_verify_fails(const char *file, const char *what)
{
	struct verify_result vr;
	struct errbuf e;

	CU_ASSERT_EQUAL_FATAL(verify_trace(file, &(struct verify_opts){ .seed = 1, .orders = 16 },
	    &vr, &e), 0);
	CU_ASSERT_TRUE(!(vr.max_err <= 1e-4));
	if (vr.max_err <= 1e-4)
		fprintf(stderr, "\n  %s: verify still passes\n", what);
}

/* Drop the dependency of a PV matmul on the instruction that produced its V. */
static void
test_missing_dependency_fails(void)
{
	static const char *const on[] = { "edge", "flat-edge" };
	struct trace_header h;
	struct isa_instr *v;
	struct errbuf e;
	uint64_t n, i;
	unsigned d, s, k, found;

	for (k = 0; k < 2; k++) {
		/* streamed K and V, DMA at barriers: the V load comes late, as the test needs */
		CU_ASSERT_EQUAL_FATAL(schedule("flat", "b=1,h=2,q=64,k=64,d=16", on[k],
		    "rows=16,cols=16,kv=stream,prefetch=off", false, cunit_path("good.mtr"), NULL, &e), 0);
		v = slurp(cunit_path("good.mtr"), &n, &h);
		found = 0;
		for (i = 0; i < n && !found; i++) {
			struct isa_instr *in = &v[i];
			if (in->op != ISA_OP_MATMUL || (in->flags & ISA_F_TRANSB))
				continue;
			for (d = 0; d < in->ndeps && !found; d++) {
				const struct isa_instr *p = &v[in->deps[d]];
				for (s = 0; s < p->ndst && !found; s++)
					if (overlaps(&p->dst[s], &in->src[1])) {
						in->deps[d] = in->deps[--in->ndeps];
						found = 1;
					}
			}
		}
		CU_ASSERT_EQUAL_FATAL(found, 1);
		spit(cunit_path("nodep.mtr"), v, n, &h);
		expect_verify_fails(cunit_path("nodep.mtr"), on[k]);
		free(v);
	}
}

/* Move MAS's first proactive overwrite before the last read of what it destroys. */
static void
test_early_overwrite_fails(void)
{
	struct trace_header h;
	struct isa_instr *v, *moved;
	struct errbuf e;
	uint64_t n, i, x = UINT64_MAX, y = UINT64_MAX, *map, j;
	unsigned s, d, keep;

	CU_ASSERT_EQUAL_FATAL(schedule("mas", "b=1,h=1,q=64,k=64,d=16", "edge",
	    "rows=16,cols=32", false, cunit_path("mas.mtr"), NULL, &e), 0);
	v = slurp(cunit_path("mas.mtr"), &n, &h);
	for (i = 0; i < n && x == UINT64_MAX; i++)
		if (v[i].op == ISA_OP_OVERWRITE)
			x = i;
	CU_ASSERT_NOT_EQUAL_FATAL(x, UINT64_MAX);
	for (i = 0; i < x; i++)
		for (s = 0; s < v[i].nsrc; s++)
			if (overlaps(&v[i].src[s], &v[x].dst[0]))
				y = i;
	CU_ASSERT_NOT_EQUAL_FATAL(y, UINT64_MAX);
	/* new order: 0..y-1, x, y..x-1, x+1..; ids follow positions */
	moved = malloc(n * sizeof *moved);
	map = malloc(n * sizeof *map);
	CU_ASSERT_PTR_NOT_NULL_FATAL(moved);
	CU_ASSERT_PTR_NOT_NULL_FATAL(map);
	for (i = 0; i < n; i++)
		map[i] = i < y || i > x ? i : i == x ? y : i + 1;
	for (i = 0; i < n; i++) {
		struct isa_instr in = v[i];
		in.id = map[i];
		for (d = 0, keep = 0; d < in.ndeps; d++)
			if (map[in.deps[d]] < in.id)
				in.deps[keep++] = map[in.deps[d]];
		in.ndeps = (uint8_t)keep;
		moved[map[i]] = in;
	}
	for (j = 0; j < n; j++)
		CU_ASSERT_EQUAL(moved[j].id, j);
	spit(cunit_path("early.mtr"), moved, n, &h);
	expect_verify_fails(cunit_path("early.mtr"), "early overwrite");
	free(v);
	free(moved);
	free(map);
}

/*
 * The dataflows a message says fit, cut after the last of the four these
 * tests know: one added to the registry later is listed after them.
 */
static void
known_dataflows_only(char *msg)
{
	char *list = strstr(msg, "fits ("), *last, *close;

	if (list == NULL || (close = strchr(list, ')')) == NULL)
		return;
	last = strstr(list, "layerwise");
	if (last != NULL && last < close)
		memmove(last + strlen("layerwise"), close, strlen(close) + 1);
}

static void
expect_plan_error(const char *sched, const char *wl, const char *npu, const char *tiling,
    const char *message)
{
	struct errbuf e;

	e.msg[0] = '\0';
	CU_ASSERT_EQUAL(schedule(sched, wl, npu, tiling, false, cunit_path("x.mtr"), NULL, &e), -1);
	known_dataflows_only(e.msg);
	CU_ASSERT_STRING_EQUAL(e.msg, message);
	if (strcmp(e.msg, message) != 0)
		fprintf(stderr, "\n  got:      %s\n  expected: %s\n", e.msg, message);
	CU_ASSERT_NOT_EQUAL(access(cunit_path("x.mtr"), F_OK), 0);
}

static void
test_tiling_errors(void)
{
	struct outcome o;
	struct errbuf e;
	struct npu n;

	expect_plan_error("mas", "bert-base", "edge", "rows=64,tile=3", "tiling 'rows=64,tile=3': "
	    "unknown parameter 'tile' for scheduler 'mas', expected one of rows, cols, vrows, "
	    "overwrite, prefetch, kv, norm, form");
	expect_plan_error("mas", "bert-base", "edge", "overwrite=maybe", "tiling "
	    "'overwrite=maybe': parameter 'overwrite': got 'maybe', expected on or off");
	expect_plan_error("flat", "bert-base", "edge", "gran=tile", "tiling 'gran=tile': "
	    "parameter 'gran': got 'tile', expected row, head or batch");
	expect_plan_error("mas", "bert-base", "edge", "rows=0", "tiling 'rows=0': parameter "
	    "'rows': got '0', expected an integer from 1 to 16777216");
	/* a key tile past L0B; a value larger than the problem is clipped, and said so */
	expect_plan_error("flash", "bert-base", "edge", "rows=16,cols=1000000", "tiling "
	    "rows=16,cols=1000000,prefetch=on,kv=stream: parameter 'cols': L0B needs 131072 "
	    "bytes (cols x (dqk + dv) x 2, with 512 cols as used), the NPU has 32768 "
	    "(l0.b_kib = 32)");
	/* a row block past L0 goes through in cube tiles: L1 is what it must fit */
	expect_plan_error("mas", "bert-base", "edge", "rows=1000000,cols=16", "tiling "
	    "rows=1000000,cols=16,vrows=32,overwrite=on,prefetch=on,kv=stream,norm=o,form=online "
	    "needs 308224 bytes of L1 (2 Q tiles + 2 score tiles of rows x cols + 2 K and 2 V "
	    "tiles + 2 O tiles + 3 running maxima + 2 running sums, with rows clipped to the 512 "
	    "queries), the NPU has 262144 (l1.capacity_kib = 256), the smallest footprint of "
	    "this dataflow with the parameters given; use a dataflow that fits (flat, flash, "
	    "layerwise) or pass --allow-spill");
	/* nothing fits: the smallest footprint, and the dataflows that do fit */
	expect_plan_error("mas", "bert-base", "edge", "rows=80,overwrite=off,form=full", "tiling "
	    "rows=80,cols=2,vrows=32,overwrite=off,prefetch=on,kv=stream,norm=p,form=full needs 277888 "
	    "bytes of L1 (2 Q tiles + 3 score buffers of rows x k + 2 K and 2 V tiles + O + row "
	    "sum + row max), the NPU has 262144 (l1.capacity_kib = 256), the smallest footprint "
	    "of this dataflow with the parameters given; use a dataflow that fits (flat, "
	    "flash, layerwise) or pass --allow-spill");
	expect_plan_error("mas", "b=1,h=1,q=64,k=1000000,d=64", "edge", "form=full", "tiling rows=1,"
	    "cols=32,vrows=1,overwrite=on,prefetch=on,kv=stream,norm=p,form=full needs 4016896 bytes of "
	    "L1 (2 Q tiles + 2 score buffers of rows x k + 2 K and 2 V tiles + O + row sum + row "
	    "max), the NPU has 262144 (l1.capacity_kib = 256), the smallest footprint of this "
	    "dataflow with the parameters given; use a dataflow that fits (flash) or pass "
	    "--allow-spill");
	/* the online form holds rows x cols scores: the same workload fits */
	CU_ASSERT_EQUAL(schedule("mas", "b=1,h=1,q=64,k=1000000,d=64", "edge", "", false,
	    cunit_path("online.mtr"), &o, &e), 0);
	CU_ASSERT_TRUE(o.footprint <= 262144);
	/* and it divides O once, so it refuses norm=p */
	expect_plan_error("mas", "bert-base", "edge", "form=online,norm=p", "tiling rows=16,"
	    "cols=16,vrows=16,overwrite=on,prefetch=on,kv=stream,norm=p,form=online: parameter "
	    "'norm': form=online needs norm=o (a key block's probabilities are final only when "
	    "the row is)");
	/* the ablation: MAS's own tiling without the overwrite needs --allow-spill */
	CU_ASSERT_EQUAL(npu_resolve("edge", &n, &e), 0);
	CU_ASSERT_EQUAL(schedule("mas", "bert-base", "edge", "rows=80,overwrite=off,form=full", true,
	    cunit_path("spill.mtr"), &o, &e), 0);
	CU_ASSERT_TRUE(o.footprint > n.l1.capacity_bytes);
	/* left to itself, overwrite=off picks smaller blocks that fit */
	CU_ASSERT_EQUAL(schedule("mas", "bert-base", "edge", "overwrite=off", false,
	    cunit_path("fits.mtr"), &o, &e), 0);
	CU_ASSERT_TRUE(o.footprint <= n.l1.capacity_bytes);
}

static void
test_registry(void)
{
	const struct sched *s;
	struct tiling t;
	struct errbuf e;
	char buf[256];

	CU_ASSERT(sched_count() >= 4);
	for (size_t i = 0; i < sched_count(); i++)	/* names are unique, and found */
		CU_ASSERT_PTR_EQUAL(sched_find(sched_at(i)->name), sched_at(i));
	CU_ASSERT_PTR_NULL(sched_find("tileflow"));
	s = sched_find("mas");
	CU_ASSERT_EQUAL_FATAL(sched_parse_tiling(s, "overwrite=off,rows=32", &t, &e), 0);
	CU_ASSERT_EQUAL(sched_role_value(s, &t, SCHED_ROLE_ROWS, 0), 32);
	CU_ASSERT_EQUAL(t.v[sched_param_index(s, "overwrite")], 1);
	CU_ASSERT_EQUAL(sched_role_value(s, &t, SCHED_ROLE_ABLATION, -1), 1);
	CU_ASSERT_EQUAL(sched_role_index(s, SCHED_ROLE_VROWS), 2);
	/* every dataflow has a row and a key tile, and no role is unknown */
	for (size_t i = 0; i < sched_count(); i++) {
		const struct sched *d = sched_at(i);
		CU_ASSERT(sched_role_index(d, SCHED_ROLE_ROWS) >= 0);
		CU_ASSERT(sched_role_index(d, SCHED_ROLE_COLS) >= 0);
		for (unsigned k = 0; k < d->nparams; k++)
			CU_ASSERT((d->params[k].choices != NULL) ==
			    (sched_role_searched(d->params[k].role) ||
			    d->params[k].role == SCHED_ROLE_ABLATION));
	}
	t.v[1] = 64;
	t.v[2] = 16;
	sched_format_tiling(s, &t, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "rows=32,cols=64,vrows=16,overwrite=off,prefetch=on,"
	    "kv=stream,norm=p,form=full");
	CU_ASSERT_EQUAL(sched_parse_tiling(s, "rows=32,rows=16", &t, &e), -1);
	CU_ASSERT_EQUAL(sched_parse_tiling(s, "rows", &t, &e), -1);
}

/* The size of a plan is known from its shape, and bounds what is planned at all. */
static void
test_size_bound(void)
{
	const struct sched *flash = sched_find("flash"), *flat = sched_find("flat");
	struct sched_fit f;
	struct workload w;
	struct tiling t;
	struct errbuf e;
	struct npu n;
	uint64_t least;

	CU_ASSERT_EQUAL_FATAL(npu_resolve("edge", &n, &e), 0);
	/* 4 x 4 key blocks a head, 2 matmuls each, 3 heads */
	CU_ASSERT_EQUAL_FATAL(wl_parse("b=1,h=3,s=256,d=16", &w, &e), 0);
	CU_ASSERT_EQUAL_FATAL(sched_parse_tiling(flash, "rows=64,cols=64", &t, &e), 0);
	CU_ASSERT_EQUAL(sched_min_instructions(flash, &w, &t), 2 * 16 * 3);
	/* and it is a lower bound: the plan makes more */
	{
		struct sched_result r;
		struct sched_counter c;
		sched_counter_init(&c, false);
		CU_ASSERT_EQUAL_FATAL(sched_plan(flash, &n, &w, &t, false, &f, &e), 0);
		CU_ASSERT_EQUAL_FATAL(sched_emit_to(flash, &n, &w, &t, &c.w, &r, &e), 0);
		CU_ASSERT(r.instructions >= sched_min_instructions(flash, &w, &t));
	}
	/* causal: about half the blocks, never fewer than one per row block */
	CU_ASSERT_EQUAL_FATAL(wl_parse("b=1,h=1,s=256,d=16,causal=1", &w, &e), 0);
	least = sched_min_instructions(flash, &w, &t);
	CU_ASSERT(least >= 2 * 4 && least <= 2 * 10);
	/* FLAT fusing a head has one row block, whatever rows says */
	CU_ASSERT_EQUAL_FATAL(sched_parse_tiling(flat, "gran=head,rows=16,cols=64", &t, &e), 0);
	CU_ASSERT_EQUAL_FATAL(wl_parse("b=1,h=1,s=256,d=16", &w, &e), 0);
	CU_ASSERT_EQUAL(sched_min_instructions(flat, &w, &t), 2 * 4);
	/* past the limit: refused with the count and the option */
	CU_ASSERT_EQUAL_FATAL(wl_parse("b=1,h=1,s=16777216,d=16", &w, &e), 0);
	CU_ASSERT_EQUAL_FATAL(sched_parse_tiling(flash, "rows=112,cols=128", &t, &e), 0);
	CU_ASSERT_EQUAL(sched_check_size(flash, &w, &t, SCHED_MAX_INSTRUCTIONS, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "makes at least 3.93e+10 instructions"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "--max-instructions"));
	/* a head too long to plan: the tiling is taken by size alone, and quickly */
	CU_ASSERT_EQUAL_FATAL(wl_parse("b=1,h=1,s=524288,d=16", &w, &e), 0);
	memset(&t, 0, sizeof t);
	CU_ASSERT_EQUAL_FATAL(sched_plan(flash, &n, &w, &t, false, &f, &e), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.note, "chosen by size alone"));
}

int
main(void)
{
	static const struct test_case cases[] = {
		{ "registry and tiling strings", test_registry },
		{ "every registered dataflow: exact, default and small tiles", test_every_dataflow },
		{ "mas: exact on every NPU and shape, invariants hold", test_mas },
		{ "mas without the overwrite", test_mas_no_overwrite },
		{ "mas, online form (key blocks, online softmax)", test_mas_online },
		{ "mas, group form (groups of key blocks, online softmax)", test_mas_group },
		{ "mas, serial form (one score buffer)", test_mas_serial },
		{ "flat by rows", test_flat },
		{ "flat by heads", test_flat_head },
		{ "flat by batch", test_flat_batch },
		{ "layerwise", test_layerwise },
		{ "flash", test_flash },
		{ "mas is never slower than flat at the same tiling", test_mas_beats_flat },
		{ "a missing dependency fails verification", test_missing_dependency_fails },
		{ "an early overwrite fails verification", test_early_overwrite_fails },
		{ "bad and impossible tilings are refused", test_tiling_errors },
		{ "a plan's size is bounded before it is made", test_size_bound },
		{ "two heads and four rank tilings as the whole workload", test_proxy },
		{ NULL, NULL },
	};
	return cunit_run_in_tmpdir("sched", cases, "/tmp/mastrace-test-sched.XXXXXX");
}
