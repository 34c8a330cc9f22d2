/* Unit tests for the replay engine and its statistics. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "cost.h"
#include "cunit-main.h"
#include "eval.h"
#include "replay.h"
#include "schedule.h"
#include "stats.h"
#include "synth.h"
#include "timeline.h"
#include "trace-file.h"

static void
schedule(const char *sched, const char *wl_spec, const char *npu_name, const char *tiling,
    const char *file)
{
	struct sched_result res;
	struct workload wl;
	struct tiling t;
	struct errbuf e;
	struct npu n;

	CU_ASSERT_EQUAL_FATAL(wl_parse(wl_spec, &wl, &e), 0);
	CU_ASSERT_EQUAL_FATAL(npu_resolve(npu_name, &n, &e), 0);
	CU_ASSERT_EQUAL_FATAL(sched_parse_tiling(sched_find(sched), tiling ? tiling : "", &t, &e), 0);
	CU_ASSERT_EQUAL_FATAL(eval_schedule_file(sched_find(sched), &n, &wl, &t, true,
	    "test-replay", file, &res, &e), 0);
}

/* Replay in to out; 0, or -1 with e. */
static int
replay(const char *in, const char *out, const char *npu_name, bool ideal, struct stats *st,
    struct npu *n, struct errbuf *e)
{
	struct trace_reader *r;
	struct trace_writer *w = NULL;
	struct replay_opts o;
	enum trace_format fmt;
	int rc;

	replay_opts_default(&o);
	if (ideal)
		o.dram_sharing = o.port_sharing = o.capacity = false;
	CU_ASSERT_EQUAL_FATAL(trace_open_read(in, &r, &fmt, e), 0);
	*n = r->hdr.npu;
	if (npu_name != NULL) {
		CU_ASSERT_EQUAL_FATAL(npu_resolve(npu_name, n, e), 0);
	}
	CU_ASSERT_EQUAL_FATAL(stats_init(st, n), 0);
	if (out != NULL) {
		CU_ASSERT_EQUAL_FATAL(trace_open_write(out, TRACE_FMT_UNKNOWN, &r->hdr, &w, e), 0);
	}
	rc = replay_run(r, in, n, &o, w, st, e);
	trace_close_read(r);
	if (w != NULL && rc == 0) {
		CU_ASSERT_EQUAL_FATAL(trace_close_write(w, e), 0);
	} else if (w != NULL) {
		trace_abort_write(w);
	}
	if (rc == 0) {
		CU_ASSERT_EQUAL(stats_finish(st, e), 0);
	}
	return rc;
}

struct sums {
	uint64_t n, plan_mismatch, dur[ISA_NUNITS], load_store, spill, macs, spills;
};

static void
sum_trace(const char *file, const struct npu *n, struct sums *s)
{
	struct trace_reader *r;
	const struct isa_instr *in;
	enum trace_format fmt;
	struct errbuf e;

	(void)n;
	memset(s, 0, sizeof *s);
	CU_ASSERT_EQUAL_FATAL(trace_open_read(file, &r, &fmt, &e), 0);
	while (trace_next(r, &in, &e) == 1) {
		s->n++;
		CU_ASSERT_TRUE(in->replayed);
		if (in->rep_start != in->plan_start || in->rep_end != in->plan_end)
			s->plan_mismatch++;
		s->dur[in->unit] += in->rep_end - in->rep_start;
		if (in->op == ISA_OP_LOAD || in->op == ISA_OP_STORE)
			s->load_store += in->bytes;
		if (in->op == ISA_OP_SPILL || in->op == ISA_OP_FILL)
			s->spill += in->bytes;
		if (in->op == ISA_OP_SPILL)
			s->spills++;
		if (in->op == ISA_OP_MATMUL)
			s->macs += (uint64_t)in->m * in->n * in->k;
	}
	trace_close_read(r);
}

static void
test_ideal_is_the_plan(void)
{
	static const char *const scheds[] = { "mas", "flat", "layerwise", "flash" };
	static const char *const npus[] = { "edge", "flat-edge", "tileflow-edge" };
	struct stats st;
	struct sums s;
	struct errbuf e;
	struct npu n;
	size_t i, k;

	for (i = 0; i < 4; i++)
		for (k = 0; k < 3; k++) {
			schedule(scheds[i], "b=1,h=2,q=96,k=96,d=16,causal=1", npus[k],
			    "rows=16,cols=32", cunit_path("p.mtr"));
			CU_ASSERT_EQUAL_FATAL(replay(cunit_path("p.mtr"), cunit_path("i.mtr"), NULL, true, &st, &n,
			    &e), 0);
			sum_trace(cunit_path("i.mtr"), &n, &s);
			CU_ASSERT_EQUAL(s.plan_mismatch, 0);
			CU_ASSERT_EQUAL(s.spills, 0);
			stats_free(&st);
		}
}

static void
test_invariants(void)
{
	struct stats st, st2;
	struct sums s;
	struct errbuf e;
	struct npu n;
	uint64_t busy_and_stretch, durations, u, mac_pj_ok;
	unsigned c;
	double total;

	schedule("mas", "bert-small", "edge", "", cunit_path("m.mtr"));
	CU_ASSERT_EQUAL_FATAL(replay(cunit_path("m.mtr"), cunit_path("m.r.mtr"), NULL, false, &st, &n, &e), 0);
	sum_trace(cunit_path("m.r.mtr"), &n, &s);
	/* busy plus the stretch of slowed instructions is the time they ran */
	for (u = 0; u < ISA_NUNITS; u++) {
		busy_and_stretch = st.unit[u].busy + st.unit[u].stalled[ISA_CAUSE_DRAM] +
		    st.unit[u].stalled[ISA_CAUSE_PORT];
		durations = s.dur[u];
		CU_ASSERT_EQUAL(busy_and_stretch, durations);
	}
	CU_ASSERT_EQUAL(st.dram_read + st.dram_write, s.load_store);
	CU_ASSERT_EQUAL(st.spill_bytes + st.fill_bytes, s.spill);
	CU_ASSERT_EQUAL(st.macs, s.macs);
	mac_pj_ok = fabs(st.energy_pj[STATS_E_MAC] - (double)s.macs * n.energy.mac_pj) < 1e-3;
	CU_ASSERT_TRUE(mac_pj_ok);
	for (total = 0, c = 0; c < STATS_NENERGY; c++) {
		CU_ASSERT_TRUE(st.energy_pj[c] >= 0);
		total += st.energy_pj[c];
	}
	CU_ASSERT_TRUE(total > 0);
	CU_ASSERT_TRUE(st.mac_vec_overlap > 0);
	CU_ASSERT_TRUE(st.cp_best_end == st.makespan);
	/* replaying the replayed trace changes nothing */
	CU_ASSERT_EQUAL_FATAL(replay(cunit_path("m.r.mtr"), cunit_path("m.rr.mtr"), NULL, false, &st2, &n,
	    &e), 0);
	CU_ASSERT_EQUAL(st2.makespan, st.makespan);
	{
		struct sums s2;
		sum_trace(cunit_path("m.rr.mtr"), &n, &s2);
		CU_ASSERT_EQUAL(s2.n, s.n);
		CU_ASSERT_EQUAL(memcmp(s2.dur, s.dur, sizeof s.dur), 0);
	}
	stats_free(&st);
	stats_free(&st2);
}

static void
write_text(const char *file, const char *text)
{
	FILE *f = fopen(file, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static void
test_spills(void)
{
	struct stats big, fits, abl, mas;
	struct sums s;
	unsigned k;
	struct errbuf e;
	struct npu n;

	/* planned for flat-edge's 512 KiB, replayed with 128 KiB */
	write_text(cunit_path("fe128.ini"),
	    "[npu]\nbase = flat-edge\nname = flat-edge-128k\n[l1]\ncapacity_kib = 128\n");
	schedule("mas", "bert-base", "flat-edge", "", cunit_path("fe.mtr"));
	CU_ASSERT_EQUAL_FATAL(replay(cunit_path("fe.mtr"), cunit_path("fe.r.mtr"), cunit_path("fe128.ini"), false,
	    &big, &n, &e), 0);
	CU_ASSERT_TRUE(big.spills > 0);
	/* each of the first spills names the instruction it made room for: the next one */
	CU_ASSERT_EQUAL(big.nfirst, 5);
	for (k = 0; k < big.nfirst; k++) {
		CU_ASSERT_TRUE(big.first_spills[k].for_id != UINT64_MAX);
		CU_ASSERT_TRUE(big.first_spills[k].for_id > big.first_spills[k].id);
	}
	sum_trace(cunit_path("fe.r.mtr"), &n, &s);
	CU_ASSERT_EQUAL(s.spills, big.spills);
	/* replaying it again drops its spills and fills, remaps ids, and makes the same ones */
	{
		struct stats again;
		struct sums s2;

		CU_ASSERT_EQUAL_FATAL(replay(cunit_path("fe.r.mtr"), cunit_path("fe.rr.mtr"),
		    cunit_path("fe128.ini"), false, &again, &n, &e), 0);
		CU_ASSERT_EQUAL(again.makespan, big.makespan);
		CU_ASSERT_EQUAL(again.spills, big.spills);
		CU_ASSERT_EQUAL(again.fills, big.fills);
		CU_ASSERT_EQUAL(again.far_deps, 0);
		sum_trace(cunit_path("fe.rr.mtr"), &n, &s2);
		CU_ASSERT_EQUAL(s2.n, s.n);
		CU_ASSERT_EQUAL(memcmp(s2.dur, s.dur, sizeof s.dur), 0);
		stats_free(&again);
	}
	/* a schedule planned for 128 KiB fits it */
	schedule("mas", "bert-base", cunit_path("fe128.ini"), "", cunit_path("f128.mtr"));
	CU_ASSERT_EQUAL_FATAL(replay(cunit_path("f128.mtr"), NULL, NULL, false, &fits, &n, &e), 0);
	CU_ASSERT_EQUAL(fits.spills, 0);
	CU_ASSERT_EQUAL(fits.fills, 0);
	/* the ablation: overwrite off at the tiling MAS picks with it on */
	schedule("mas", "bert-base", "edge", "", cunit_path("on.mtr"));
	schedule("mas", "bert-base", "edge", "rows=80,cols=128,overwrite=off,form=full", cunit_path("off.mtr"));
	CU_ASSERT_EQUAL_FATAL(replay(cunit_path("on.mtr"), NULL, NULL, false, &mas, &n, &e), 0);
	CU_ASSERT_EQUAL_FATAL(replay(cunit_path("off.mtr"), NULL, NULL, false, &abl, &n, &e), 0);
	CU_ASSERT_EQUAL(mas.spills, 0);
	CU_ASSERT_TRUE(abl.spills > 0);
	CU_ASSERT_TRUE(abl.makespan > mas.makespan);
	stats_free(&big);
	stats_free(&fits);
	stats_free(&abl);
	stats_free(&mas);
}

/*
 * A fill in front of an instruction that already has the most dependencies
 * a record holds: the wait is not dropped, a barrier on its unit holds it,
 * and a second replay makes the same barrier again.
 */
static void
test_full_dependencies(void)
{
	const struct isa_instr *in;
	struct trace_reader *r;
	enum trace_format fmt;
	uint64_t fill_end = 0, barrier_end = 0, mm_start = 0, again_start = 0;
	unsigned barriers = 0, i, pass;
	char text[4096], *p = text;
	struct stats st;
	struct errbuf e;
	struct npu n;

	/* 1 KiB of L1 holds two of A, B, C; A is read again first, so B is spilled for C */
	p += sprintf(p, "#!mastrace-trace 1\n#!workload = b=1,h=1,s=16,d=16\n#!npu.base = edge\n"
	    "#!l1.capacity_kib = 1\n#!l0.a_kib = 0\n#!l0.b_kib = 0\n#!l0.c_kib = 0\n"
	    "id=0 unit=vec op=alloc dst=l1:0+512 plan=0-0\n"
	    "id=1 unit=dma0 op=load bytes=512 src=dram:0+512 dst=l1:0+512 deps=0 plan=0-120\n"
	    "id=2 unit=vec op=alloc dst=l1:512+512 plan=0-0\n"
	    "id=3 unit=dma1 op=load bytes=512 src=dram:512+512 dst=l1:512+512 deps=2 plan=0-120\n"
	    "id=4 unit=vec op=alloc dst=l1:1024+512 plan=0-0\n"
	    "id=5 unit=dma0 op=load bytes=512 src=dram:1024+512 dst=l1:1024+512 deps=4 "
	    "plan=120-240\n"
	    "id=6 unit=vec op=vmax m=1 n=16 src=l1:0+32 dst=l1:32+4 deps=1 plan=240-250\n");
	for (i = 7; i < 23; i++)
		p += sprintf(p, "id=%u unit=vec op=barrier plan=250-250\n", i);
	/* B comes back (a fill, after spilling A) for an instruction with 16 dependencies */
	p += sprintf(p, "id=23 unit=mac op=matmul m=16 n=16 k=16 src=l1:512+512 "
	    "dst=l1:1024+512 deps=7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22 plan=250-270\n");
	write_text(cunit_path("full.mtt"), text);
	for (pass = 0; pass < 2; pass++) {
		const char *src = pass ? cunit_path("full.r.mtt") : cunit_path("full.mtt");
		const char *dst = pass ? cunit_path("full.rr.mtt") : cunit_path("full.r.mtt");

		CU_ASSERT_EQUAL_FATAL(replay(src, dst, NULL, false, &st, &n, &e), 0);
		CU_ASSERT_TRUE(st.fills >= 1);
		stats_free(&st);
		CU_ASSERT_EQUAL_FATAL(trace_open_read(dst, &r, &fmt, &e), 0);
		barriers = 0;
		while (trace_next(r, &in, &e) == 1) {
			if (in->op == ISA_OP_FILL)
				fill_end = in->rep_end;
			if (in->op == ISA_OP_BARRIER && (in->flags & ISA_F_INSERTED)) {
				barriers++;
				CU_ASSERT_EQUAL(in->unit, ISA_UNIT_MAC);
				CU_ASSERT_EQUAL(in->cause, ISA_CAUSE_SPACE);
				barrier_end = in->rep_end;
			}
			if (in->op == ISA_OP_MATMUL) {
				CU_ASSERT_EQUAL(in->ndeps, ISA_MAX_DEPS);
				if (pass)
					again_start = in->rep_start;
				else
					mm_start = in->rep_start;
			}
		}
		trace_close_read(r);
		CU_ASSERT_EQUAL(barriers, 1);
		/* the matmul reads what the fill brings: never before it ends */
		CU_ASSERT_TRUE(fill_end > 0);
		CU_ASSERT_TRUE(barrier_end >= fill_end);
		CU_ASSERT_TRUE((pass ? again_start : mm_start) >= fill_end);
	}
	CU_ASSERT_EQUAL(again_start, mm_start);
}

/* An NPU with 64 DMA channels: barriers wait for more units than a record holds. */
static void
test_many_channels(void)
{
	static const char *const scheds[] = { "mas", "flat", "layerwise", "flash" };
	struct stats st;
	struct errbuf e;
	struct npu n;
	unsigned i;

	write_text(cunit_path("ch64.ini"), "[npu]\nbase = edge\nname = edge-64ch\n[dma]\n"
	    "channels = 64\n");
	for (i = 0; i < ARRAY_LEN(scheds); i++) {
		schedule(scheds[i], "bert-base", cunit_path("ch64.ini"), "", cunit_path("ch64.mtr"));
		CU_ASSERT_EQUAL_FATAL(replay(cunit_path("ch64.mtr"), NULL, NULL, false, &st, &n, &e),
		    0);
		CU_ASSERT_TRUE(st.makespan > 0);
		CU_ASSERT_EQUAL(st.spills, 0);
		stats_free(&st);
	}
}

extern unsigned long replay_self_check_calls, replay_self_check_failures;

/*
 * Heavy spilling, with many allocations freed and reused: every next use the
 * replay's index gives for a victim search is what a scan of the window finds.
 */
static void
test_next_use_index(void)
{
	struct stats st;
	struct errbuf e;
	struct npu n;

	write_text(cunit_path("e64.ini"), "[npu]\nbase = edge\nname = edge-64k\n[l1]\ncapacity_kib = 64\n");
	schedule("mas", "bert-base,h=2", "edge", "", cunit_path("bb.mtr"));
	schedule("mas", "llama3-8b,h=1,s=4096", "edge", "rows=16,cols=64,form=full", cunit_path("ll.mtr"));
	replay_self_check_calls = replay_self_check_failures = 0;
	CU_ASSERT_EQUAL_FATAL(replay(cunit_path("bb.mtr"), NULL, cunit_path("e64.ini"), false, &st,
	    &n, &e), 0);
	CU_ASSERT_TRUE(st.spills > 100);
	stats_free(&st);
	CU_ASSERT_EQUAL_FATAL(replay(cunit_path("ll.mtr"), NULL, NULL, false, &st, &n, &e), 0);
	CU_ASSERT_TRUE(st.spills > 1000);
	stats_free(&st);
	CU_ASSERT_TRUE(replay_self_check_calls > 10000);
	CU_ASSERT_EQUAL(replay_self_check_failures, 0);
}

/* What observers are told: L1 resident bytes and DRAM in use, against the stats. */
struct watch {
	uint64_t l1_max, l1_reports, bad_order;
	double dram_bytes, last_t1, rate_max;
};

static void
watch_l1(void *ctx, uint64_t cycle, uint64_t bytes)
{
	struct watch *w = ctx;

	(void)cycle;
	w->l1_reports++;
	if (bytes > w->l1_max)
		w->l1_max = bytes;
}

static void
watch_dram(void *ctx, double t0, double t1, double rate)
{
	struct watch *w = ctx;

	if (t0 < w->last_t1 - 1e-6)
		w->bad_order++;
	w->last_t1 = t1;
	w->dram_bytes += (t1 - t0) * rate;
	if (rate > w->rate_max)
		w->rate_max = rate;
}

static void
test_observers(void)
{
	const struct isa_instr *in;
	struct replay_observer ob;
	struct trace_reader *r;
	struct replay_opts o;
	enum trace_format fmt;
	struct watch w;
	struct replay *rp;
	struct stats st;
	struct errbuf e;
	struct npu n;
	double bursts = 0;

	/* the overwrite-off ablation spills on edge: fills and spills move DRAM bytes too */
	schedule("mas", "bert-base,h=2", "edge", "rows=80,cols=128,overwrite=off,form=full",
	    cunit_path("obs.mtr"));
	CU_ASSERT_EQUAL_FATAL(trace_open_read(cunit_path("obs.mtr"), &r, &fmt, &e), 0);
	n = r->hdr.npu;
	replay_opts_default(&o);
	CU_ASSERT_EQUAL_FATAL(stats_init(&st, &n), 0);
	rp = replay_new(&n, &o, "obs", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rp);
	memset(&w, 0, sizeof w);
	replay_observer_stats(&ob, &st);
	CU_ASSERT_EQUAL(replay_observe(rp, &ob, &e), 0);
	memset(&ob, 0, sizeof ob);
	ob.ctx = &w;
	ob.l1 = watch_l1;
	ob.dram = watch_dram;
	CU_ASSERT_EQUAL(replay_observe(rp, &ob, &e), 0);
	while (trace_next(r, &in, &e) == 1) {
		CU_ASSERT_EQUAL_FATAL(replay_feed(rp, in, &e), 0);
	}
	CU_ASSERT_EQUAL_FATAL(replay_finish(rp, &e), 0);
	trace_close_read(r);
	replay_free(rp);
	CU_ASSERT_EQUAL_FATAL(stats_finish(&st, &e), 0);
	CU_ASSERT_TRUE(st.spills > 0);
	/* resident L1 never exceeds the capacity, and is told as it changes */
	CU_ASSERT_TRUE(w.l1_reports > 100);
	CU_ASSERT_TRUE(w.l1_max <= n.l1.capacity_bytes);
	CU_ASSERT_TRUE(w.l1_max > n.l1.capacity_bytes / 2);
	/* DRAM use comes final, in time order, within the bandwidth, and adds up to every burst */
	CU_ASSERT_EQUAL(w.bad_order, 0);
	CU_ASSERT_TRUE(w.rate_max <= npu_dram_bytes_per_cycle(&n) * (1 + 1e-9));
	bursts = (double)(st.dram_read + st.dram_write + st.spill_bytes + st.fill_bytes);
	CU_ASSERT_DOUBLE_EQUAL(w.dram_bytes, bursts, bursts * 1e-6);
	stats_free(&st);
	/* a fed instruction is checked like a reader's */
	rp = replay_new(&n, &o, "fed", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rp);
	{
		struct isa_instr bad;

		memset(&bad, 0, sizeof bad);
		bad.id = 1;
		bad.unit = ISA_UNIT_VEC;
		bad.op = ISA_OP_BARRIER;
		CU_ASSERT_EQUAL(replay_feed(rp, &bad, &e), -1);
		CU_ASSERT_STRING_EQUAL(e.msg, "fed: instruction id 1, expected 0 (ids count up from 0 "
		    "in order)");
		/* after an error, every call repeats it */
		bad.id = 0;
		CU_ASSERT_EQUAL(replay_feed(rp, &bad, &e), -1);
		CU_ASSERT_EQUAL(replay_finish(rp, &e), -1);
		CU_ASSERT_STRING_EQUAL(e.msg, "fed: instruction id 1, expected 0 (ids count up from 0 "
		    "in order)");
	}
	replay_free(rp);
	rp = replay_new(&n, &o, "fed", &e);
	{
		struct isa_instr big;

		memset(&big, 0, sizeof big);
		big.unit = ISA_UNIT_DMA0;
		big.op = ISA_OP_LOAD;
		big.bytes = UINT64_MAX;
		CU_ASSERT_EQUAL(replay_feed(rp, &big, &e), -1);
		CU_ASSERT_STRING_EQUAL(e.msg, "fed: instruction 0: field 'bytes' is "
		    "18446744073709551615, expected at most 2^48");
	}
	replay_free(rp);
}

static void expect_replay_error(const char *trace, const char *npu_name, const char *message);

/*
 * One region across two allocations (shared/repro/replay-selfcheck-span.mtt):
 * its uses would belong to neither, so it is refused before any victim is
 * chosen, whether or not L1 overflows.
 */
static void
test_region_across_allocations(void)
{
	char trace[1024];

	snprintf(trace, sizeof trace, "%s/tests/repro/replay-selfcheck-span.mtt", cunit_srcdir());
	write_text(cunit_path("e4.ini"), "[npu]\nbase = edge\nname = edge-4k\n[l1]\ncapacity_kib = 4\n"
	    "[l0]\na_kib = 0\nb_kib = 0\nc_kib = 0\n");
	replay_self_check_calls = replay_self_check_failures = 0;
	expect_replay_error(trace, cunit_path("e4.ini"), "instruction 3 uses l1:2040+16, which lies "
	    "across the end of the allocation l1:0+2048; expected a region inside one allocation");
	expect_replay_error(trace, NULL, "instruction 3 uses l1:2040+16, which lies "
	    "across the end of the allocation l1:0+2048; expected a region inside one allocation");
	CU_ASSERT_EQUAL(replay_self_check_failures, 0);
}

/*
 * Buffers allocated, loaded, read and freed in a random order at reused
 * addresses, twice as many as L1 holds: uses of an address must pass from
 * a freed allocation to the next one there.
 */
static void
test_next_use_reuse(void)
{
	enum { SLOT = 16384, NSLOTS = 32, STEPS = 20000 };
	uint64_t last[NSLOTS], rng = 42, id = 0, t;
	bool live[NSLOTS] = { false };
	struct trace_reader *r;
	struct trace_writer *w;
	enum trace_format fmt;
	struct isa_instr in;
	struct stats st;
	struct errbuf e;
	struct npu n;
	char why[256];

	schedule("flat", "b=1,h=1,q=32,k=32,d=16", "edge", "rows=16,cols=16", cunit_path("h.mtr"));
	CU_ASSERT_EQUAL_FATAL(trace_open_read(cunit_path("h.mtr"), &r, &fmt, &e), 0);
	CU_ASSERT_EQUAL_FATAL(trace_open_write(cunit_path("reuse.mtr"), TRACE_FMT_UNKNOWN, &r->hdr,
	    &w, &e), 0);
	trace_close_read(r);
	for (t = 0; t < STEPS; t++) {
		unsigned j = (unsigned)(synth_rand(&rng) % NSLOTS), k = (unsigned)(synth_rand(&rng) % 4);
		struct isa_region slot = { ISA_BUF_L1, ISA_T_S, (uint64_t)j * SLOT, SLOT };

		memset(&in, 0, sizeof in);
		in.id = id;
		if (!live[j]) {			/* allocate it, then load it */
			in.unit = ISA_UNIT_VEC;
			in.op = ISA_OP_ALLOC;
			in.ndst = 1;
			in.dst[0] = slot;
			live[j] = true;
		} else if (k == 0) {		/* free it after its last use */
			in.unit = ISA_UNIT_VEC;
			in.op = ISA_OP_FREE;
			in.nsrc = 1;
			in.src[0] = slot;
			in.deps[in.ndeps++] = last[j];
			live[j] = false;
		} else if (k == 1) {		/* load it */
			in.unit = (uint8_t)(ISA_UNIT_DMA0 + (id & 1));
			in.op = ISA_OP_LOAD;
			in.bytes = SLOT;
			in.nsrc = in.ndst = 1;
			in.src[0] = (struct isa_region){ ISA_BUF_DRAM, ISA_T_S, (uint64_t)j * SLOT, SLOT };
			in.dst[0] = slot;
			in.deps[in.ndeps++] = last[j];
		} else {			/* read it */
			in.unit = ISA_UNIT_VEC;
			in.op = ISA_OP_VMAX;
			in.m = 1;
			in.n = SLOT / 2;
			in.nsrc = in.ndst = 1;
			in.src[0] = slot;
			in.dst[0] = (struct isa_region){ ISA_BUF_L1, ISA_T_M, NSLOTS * SLOT, 4 };
			in.deps[in.ndeps++] = last[j];
		}
		last[j] = id++;
		if (isa_check(&in, why, sizeof why) != 0 || trace_write(w, &in, &e) != 0)
			CU_FAIL_FATAL("the reuse trace could not be written");
	}
	CU_ASSERT_EQUAL_FATAL(trace_close_write(w, &e), 0);
	replay_self_check_calls = replay_self_check_failures = 0;
	CU_ASSERT_EQUAL_FATAL(replay(cunit_path("reuse.mtr"), NULL, NULL, false, &st, &n, &e), 0);
	CU_ASSERT_TRUE(st.spills > 100);
	CU_ASSERT_TRUE(replay_self_check_calls > 1000);
	CU_ASSERT_EQUAL(replay_self_check_failures, 0);
	stats_free(&st);
}

/* Transfers' shares: the histogram counts each once; the most starved are the trace's. */
static void
test_transfer_shares(void)
{
	const struct isa_instr *in;
	struct trace_reader *r;
	enum trace_format fmt;
	struct stats st;
	struct errbuf e;
	struct npu n;
	double req, got, least = 2.0;
	uint64_t sum = 0, least_id = 0;
	unsigned k;

	schedule("mas", "bert-base", "edge", "rows=80,cols=128,overwrite=off,form=full", cunit_path("sh.mtr"));
	CU_ASSERT_EQUAL_FATAL(replay(cunit_path("sh.mtr"), cunit_path("sh.r.mtr"), NULL, false, &st,
	    &n, &e), 0);
	for (k = 0; k < STATS_SHARE_BINS; k++)
		sum += st.share_hist[k];
	CU_ASSERT_EQUAL(sum, st.transfers);
	CU_ASSERT_EQUAL(st.nstarved, STATS_STARVED);
	for (k = 1; k < st.nstarved; k++)
		CU_ASSERT_TRUE(st.starved[k - 1].granted / st.starved[k - 1].requested <=
		    st.starved[k].granted / st.starved[k].requested);
	/* some transfers were slowed by others, so the histogram is not all in its top tenth */
	CU_ASSERT_TRUE(st.share_hist[STATS_SHARE_BINS - 1] < st.transfers);
	CU_ASSERT_EQUAL_FATAL(trace_open_read(cunit_path("sh.r.mtr"), &r, &fmt, &e), 0);
	while (trace_next(r, &in, &e) == 1) {
		if (in->unit < ISA_UNIT_DMA0 || in->bytes == 0)
			continue;
		cost_transfer_rate(&n, in, &req, &got);
		CU_ASSERT_TRUE(got <= req);
		if (got / req < least) {
			least = got / req;
			least_id = in->id;
		}
	}
	trace_close_read(r);
	CU_ASSERT_EQUAL(st.starved[0].id, least_id);
	CU_ASSERT_DOUBLE_EQUAL(st.starved[0].granted / st.starved[0].requested, least, 1e-12);
	/* the mean resident L1 leaves spilled data out, so it stays within the capacity */
	CU_ASSERT_TRUE(st.spills > 0);
	CU_ASSERT_TRUE(st.l1_byte_cycles / (double)st.makespan <= (double)n.l1.capacity_bytes);
	stats_free(&st);
}

/*
 * A dependency further back than the replay keeps ends: its end is bounded
 * and both the replay and the critical path say they approximated.
 */
static void
test_far_dependency(void)
{
	const uint64_t count = REPLAY_ENDS_KEPT + STATS_PATHS_KEPT + 100;
	struct trace_reader *r;
	struct trace_writer *w;
	struct trace_header h;
	enum trace_format fmt;
	struct isa_instr in;
	struct stats st;
	struct errbuf e;
	struct npu n;
	char why[256];
	uint64_t id;

	schedule("flat", "b=1,h=1,q=32,k=32,d=16", "edge", "rows=16,cols=16", cunit_path("hdr.mtr"));
	CU_ASSERT_EQUAL_FATAL(trace_open_read(cunit_path("hdr.mtr"), &r, &fmt, &e), 0);
	h = r->hdr;
	CU_ASSERT_EQUAL_FATAL(trace_open_write(cunit_path("far.mtr"), TRACE_FMT_UNKNOWN, &h, &w,
	    &e), 0);
	for (id = 0; id < count; id++) {
		memset(&in, 0, sizeof in);
		in.id = id;
		in.nsrc = in.ndst = 1;
		if (id == 0 || id == count - 2) {	/* loads on dma0, far apart */
			in.unit = ISA_UNIT_DMA0;
			in.op = ISA_OP_LOAD;
			in.bytes = 64;
			in.src[0] = (struct isa_region){ ISA_BUF_DRAM, ISA_T_Q, 0, 64 };
			in.dst[0] = (struct isa_region){ ISA_BUF_L1, ISA_T_Q, 0, 64 };
		} else if (id == count - 1) {		/* a store that needs the first load */
			in.unit = ISA_UNIT_DMA0 + 1;
			in.op = ISA_OP_STORE;
			in.bytes = 64;
			in.src[0] = (struct isa_region){ ISA_BUF_L1, ISA_T_Q, 0, 64 };
			in.dst[0] = (struct isa_region){ ISA_BUF_DRAM, ISA_T_O, 0, 64 };
			in.deps[in.ndeps++] = 0;
		} else {
			in.unit = ISA_UNIT_VEC;
			in.op = ISA_OP_VMAX;
			in.m = 1;
			in.n = 16;
			in.src[0] = (struct isa_region){ ISA_BUF_L1, ISA_T_S, 64, 64 };
			in.dst[0] = (struct isa_region){ ISA_BUF_L1, ISA_T_M, 128, 4 };
		}
		if (isa_check(&in, why, sizeof why) != 0 || trace_write(w, &in, &e) != 0)
			CU_FAIL_FATAL("the far-dependency trace could not be written");
	}
	trace_close_read(r);
	CU_ASSERT_EQUAL_FATAL(trace_close_write(w, &e), 0);
	CU_ASSERT_EQUAL_FATAL(replay(cunit_path("far.mtr"), NULL, NULL, false, &st, &n, &e), 0);
	CU_ASSERT_EQUAL(st.instructions, count);
	CU_ASSERT_EQUAL(st.far_deps, 1);
	/* the second load follows its unit's first exactly, however far back: only the store */
	CU_ASSERT_EQUAL(st.cp_far, 1);
	/* the store was held to the latest forgotten end: after the load, never before */
	CU_ASSERT_TRUE(st.unit[ISA_UNIT_DMA0 + 1].stalled[ISA_CAUSE_DEP] >= cost_dma(&n, 64));
	stats_free(&st);
}

static void
expect_replay_error(const char *trace, const char *npu_name, const char *message)
{
	char want[ERRBUF_SIZE + 600];
	struct stats st;
	struct errbuf e;
	struct npu n;

	/* the replay's own messages start with the trace's name */
	snprintf(want, sizeof want, "%s: %s", trace, message);
	e.msg[0] = '\0';
	CU_ASSERT_EQUAL(replay(trace, NULL, npu_name, false, &st, &n, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, want);
	if (strcmp(e.msg, want) != 0)
		fprintf(stderr, "\n  got:      %s\n  expected: %s\n", e.msg, want);
	stats_free(&st);
}

static void
test_bad_input(void)
{
	schedule("flat", "b=1,h=1,q=32,k=32,d=16", "edge", "rows=16,cols=16", cunit_path("two.mtr"));
	expect_replay_error(cunit_path("two.mtr"), "tileflow-edge", "instruction 11 runs on unit dma1, "
	    "but npu 'tileflow-edge' has 1 DMA channels (dma0 to dma0)");
	schedule("flat", "b=1,h=1,q=32,k=32,d=16", "edge", "rows=16,cols=16", cunit_path("l0.mtr"));
	write_text(cunit_path("mte.mtt"), "#!mastrace-trace 1\n#!workload = b=1,h=1,s=16,d=16\n"
	    "#!npu.base = flat-edge\nid=0 unit=mte op=move bytes=64 src=l1:0+64 dst=l0a:0+64 "
	    "plan=0-1\n");
	expect_replay_error(cunit_path("mte.mtt"), NULL, "instruction 0 runs on unit mte, but npu "
	    "'flat-edge' has no L0 buffers to move to");
	write_text(cunit_path("free2.mtt"), "#!mastrace-trace 1\n#!workload = b=1,h=1,s=16,d=16\n"
	    "#!npu.base = edge\nid=0 unit=vec op=alloc dst=l1:0+512 plan=0-0\n"
	    "id=1 unit=vec op=free src=l1:0+512 plan=0-0\nid=2 unit=vec op=free src=l1:0+512 "
	    "plan=0-0\n");
	expect_replay_error(cunit_path("free2.mtt"), NULL, "instruction 2 frees l1:0+512, which is not "
	    "allocated (freed twice?)");
	write_text(cunit_path("hazard.mtt"), "#!mastrace-trace 1\n#!workload = b=1,h=1,s=16,d=16\n"
	    "#!npu.base = edge\nid=0 unit=vec op=alloc dst=l1:0+512 plan=0-0\n"
	    "id=1 unit=dma0 op=store bytes=512 src=l1:0+512 dst=dram:0+512 deps=0 plan=0-120\n"
	    "id=2 unit=mac op=overwrite dst=l1:0+512 deps=0 plan=0-0\n");
	expect_replay_error(cunit_path("hazard.mtt"), NULL, "hazard: instruction 2 overwrites "
	    "l1:0+512 at cycle 0 while instruction 1 still reads it until cycle 120");
}

/* One matrix product, accounted alone: the operand accesses of mastrace-npu(5). */
static void
matmul_energy(const char *npu_name, unsigned buf_a, unsigned buf_c, unsigned flags,
    uint64_t *l0, uint64_t *l1)
{
	struct isa_instr in;
	struct stats st;
	struct errbuf e;
	struct npu n;

	CU_ASSERT_EQUAL_FATAL(npu_resolve(npu_name, &n, &e), 0);
	CU_ASSERT_EQUAL_FATAL(stats_init(&st, &n), 0);
	memset(&in, 0, sizeof in);
	in.unit = ISA_UNIT_MAC;
	in.op = ISA_OP_MATMUL;
	in.flags = (uint8_t)flags;
	in.m = 40;
	in.n = 48;
	in.k = 72;
	in.nsrc = 2;
	in.ndst = 1;
	in.src[0] = (struct isa_region){ .buf = (uint8_t)buf_a, .addr = 0, .size = 40 * 72 * 2 };
	in.src[1] = (struct isa_region){ .buf = (uint8_t)(buf_a == ISA_BUF_L1 ? ISA_BUF_L1 :
	    ISA_BUF_L0B), .addr = 8192, .size = 72 * 48 * 2 };
	in.dst[0] = (struct isa_region){ .buf = (uint8_t)buf_c, .addr = 0, .size = 40 * 48 * 4 };
	in.rep_end = 100;
	stats_add(&st, &in, UINT64_MAX, 100);
	CU_ASSERT_EQUAL(stats_finish(&st, &e), 0);
	*l0 = st.l0_bytes;
	*l1 = st.l1_bytes;
	CU_ASSERT_DOUBLE_EQUAL(st.energy_pj[STATS_E_L0], (double)st.l0_bytes * n.energy.l0_byte_pj,
	    1e-6);
	CU_ASSERT_DOUBLE_EQUAL(st.energy_pj[STATS_E_MAC], 40.0 * 48 * 72 * n.energy.mac_pj, 1e-6);
	stats_free(&st);
}

static void
test_operand_energy(void)
{
	uint64_t a = 40 * 72 * 2, b = 72 * 48 * 2, c = 40 * 48 * 4, l0, l1;

	/* 16 x 16 x 16 cube: A once per 3 column blocks, B per 3 row blocks, C over 5 k-steps */
	matmul_energy("edge", ISA_BUF_L0A, ISA_BUF_L0C, 0, &l0, &l1);
	CU_ASSERT_EQUAL(l0, 3 * a + 3 * b + (2 * 5 - 1) * c);
	CU_ASSERT_EQUAL(l1, 0);
	/* accumulating into what C held reads it at the first step too */
	matmul_energy("edge", ISA_BUF_L0A, ISA_BUF_L0C, ISA_F_ACC, &l0, &l1);
	CU_ASSERT_EQUAL(l0, 3 * a + 3 * b + 2 * 5 * c);
	/* a 32 x 32 weight-stationary array on L1: B once, A per 2 column folds, C over 3 folds */
	matmul_energy("flat-edge", ISA_BUF_L1, ISA_BUF_L1, 0, &l0, &l1);
	CU_ASSERT_EQUAL(l1, 2 * a + b + (2 * 3 - 1) * c);
	CU_ASSERT_EQUAL(l0, 0);
}

/*
 * More of a resource never makes the same trace more than 1% slower: the
 * property the replay must keep for "which chip" questions to make sense.
 * Each case plans a dataflow's default tiling for a preset and replays
 * that one trace on the preset and on the preset with one resource
 * doubled.  A larger slowdown is a bug of the model.  More vector lanes
 * are left out: the replay books the shared L1 ports in trace order, and
 * a faster vector unit can take them from the move engine (MAS on edge,
 * up to 2.7% slower with twice the lanes); issue 22 keeps that open.
 */
struct more {
	const char *what;
	void (*grow)(struct npu *n);
};

static void more_dram(struct npu *n) { n->dram.bandwidth_gbs *= 2; }
static void more_ports(struct npu *n)
{
	n->l1.read_bytes_per_cycle *= 2;
	n->l1.write_bytes_per_cycle *= 2;
}
static void more_l1(struct npu *n) { n->l1.capacity_bytes *= 2; }
static void more_l0_rate(struct npu *n) { n->l0.load_bytes_per_cycle *= 2; }
static void more_dma(struct npu *n) { n->dma.channels *= 2; }

static void
test_more_is_never_slower(void)
{
	static const struct more more[] = {
		{ "DRAM bandwidth", more_dram }, { "L1 ports", more_ports },
		{ "L1 capacity", more_l1 }, { "L0 fill rate", more_l0_rate },
		{ "DMA channels", more_dma },
	};
	static const unsigned qs[] = { 64, 100, 256, 512 }, ks[] = { 64, 130, 256, 512 };
	uint32_t seed = 22;
	unsigned c, m, worse = 0, ran = 0;

	for (c = 0; c < 24; c++) {
		const struct sched *s = sched_at(c % sched_count());
		const struct npu_preset *p = npu_preset_at(c / sched_count() % npu_preset_count());
		struct workload w;
		struct sched_result plan;
		struct tiling t;
		struct errbuf e;
		char spec[128];
		uint64_t base, grown;
		unsigned q, k;

		seed = seed * 1103515245u + 12345u;
		q = qs[seed >> 12 & 3];
		k = ks[seed >> 16 & 3];
		/* a causal mask needs every query to see a key: q <= k */
		snprintf(spec, sizeof spec, "b=1,h=%u,q=%u,k=%u,d=64,causal=%u", 1u << (seed >> 8 & 3),
		    q, k, (seed >> 20 & 1) && q <= k);
		CU_ASSERT_EQUAL_FATAL(wl_parse(spec, &w, &e), 0);
		if (eval_prepare(s, &p->npu, &w, NULL, false, &plan, &e) != 0)
			continue;	/* nothing fits: no trace to compare */
		eval_tiling_whole(s, &plan.t, &t);
		ran++;
		base = eval_replayed(s, &p->npu, &p->npu, &w, &t, &e);
		CU_ASSERT_FATAL(base != UINT64_MAX);
		for (m = 0; m < ARRAY_LEN(more); m++) {
			struct npu n = p->npu;
			more[m].grow(&n);
			grown = eval_replayed(s, &p->npu, &n, &w, &t, &e);
			CU_ASSERT(grown != UINT64_MAX);
			if (grown > base + base / 100) {
				fprintf(stderr, "%s (%s) on %s, %s: twice the %s makes it %.2f%% "
				    "slower (%llu -> %llu cycles)\n", s->name, plan.tiling, p->name,
				    spec, more[m].what, 100.0 * ((double)grown / (double)base - 1),
				    (unsigned long long)base, (unsigned long long)grown);
				worse++;
			}
		}
	}
	CU_ASSERT_EQUAL(worse, 0);
	CU_ASSERT(ran >= 20);	/* the cases fit: the property was tried */
}

static void
test_timeline(void)
{
	struct timeline tl;
	double t;

	tl_init(&tl, 10.0);
	t = tl_book(&tl, 0, 100, 10);		/* alone: full rate */
	CU_ASSERT_DOUBLE_EQUAL(t, 10.0, 1e-9);
	t = tl_book(&tl, 0, 100, 10);		/* behind it: starts when the first ends */
	CU_ASSERT_DOUBLE_EQUAL(t, 20.0, 1e-9);
	t = tl_book(&tl, 5, 50, 5);		/* half rate fits after 20 */
	CU_ASSERT_DOUBLE_EQUAL(t, 30.0, 1e-9);
	t = tl_book(&tl, 20, 50, 10);		/* gets the other half of [20,30) */
	CU_ASSERT_DOUBLE_EQUAL(t, 30.0, 1e-9);
	t = tl_book(&tl, 20, 10, 10);		/* nothing left until 30 */
	CU_ASSERT_DOUBLE_EQUAL(t, 31.0, 1e-9);
	tl_prune(&tl, 100, NULL, NULL);
	CU_ASSERT_EQUAL(tl.n, 0);
	tl_free(&tl);
}

int
main(void)
{
	static const struct test_case cases[] = {
		{ "bandwidth timeline", test_timeline },
		{ "energy counts every operand access of a matrix product", test_operand_energy },
		{ "--ideal reproduces every planned time", test_ideal_is_the_plan },
		{ "busy, bytes, energy and a second replay agree", test_invariants },
		{ "spills where L1 is too small, none where it fits", test_spills },
		{ "bad traces and NPUs get one clear error", test_bad_input },
		{ "each transfer's share of DRAM, and resident L1", test_transfer_shares },
		{ "the index of next uses agrees with a scan", test_next_use_index },
		{ "... also where freed addresses are allocated again", test_next_use_reuse },
		{ "a dependency beyond the kept ends is bounded and counted", test_far_dependency },
		{ "a fill before a full dependency list is waited for", test_full_dependencies },
		{ "a region across two allocations is refused", test_region_across_allocations },
		{ "observers see L1 and DRAM as the stats do; fed input is checked", test_observers },
		{ "64 DMA channels schedule and replay with every dataflow", test_many_channels },
		{ "more of a resource never makes a trace more than 1% slower",
		  test_more_is_never_slower },
		{ NULL, NULL },
	};
	return cunit_run_in_tmpdir("replay", cases, "/tmp/mastrace-test-replay.XXXXXX");
}
