/*
 * The library is reentrant: different evaluations (plan, replay, stats) run
 * on several threads at once, in memory and through files (schedule, replay
 * and verify), and each gives exactly what it gives alone.  CI runs this under ThreadSanitizer too.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "array.h"
#include "cunit-main.h"
#include "eval.h"
#include "replay.h"
#include "trace-file.h"
#include "verify.h"

#define THREADS 4

struct eval_case {
	const char *sched, *wl, *npu, *tiling;
	bool allow_spill;
};

static const struct eval_case cases[] = {
	{ "mas", "bert-base,h=4", "edge", "", false },
	{ "flat", "bert-base,h=4", "edge", "", false },
	{ "layerwise", "b=1,h=2,q=256,k=256,d=64", "edge", "", false },
	{ "flash", "b=1,h=2,q=512,k=512,d=64,causal=1", "flat-edge", "", false },
	/* the ablation spills: victims, fills and their waits */
	{ "mas", "bert-base,h=2", "edge", "rows=80,cols=128,overwrite=off,form=full", true },
	{ "flat", "b=1,h=2,q=256,k=256,d=64", "tileflow-edge", "gran=head", true },
};
#define NCASES ARRAY_LEN(cases)

/* What must come out the same. */
struct outcome {
	int rc;
	uint64_t planned, instructions, makespan, spills, fills, dram_read, dram_write;
	uint64_t overlap, busy[ISA_NUNITS], stalled[ISA_NUNITS][ISA_NCAUSES];
	double energy;
};

static void
outcome_of(const struct eval_result *r, struct outcome *o)
{
	unsigned u;

	memset(o, 0, sizeof *o);
	o->planned = r->plan.makespan;
	o->instructions = r->st.instructions;
	o->makespan = r->st.makespan;
	o->spills = r->st.spills;
	o->fills = r->st.fills;
	o->dram_read = r->st.dram_read;
	o->dram_write = r->st.dram_write;
	o->overlap = r->st.mac_vec_overlap;
	for (u = 0; u < ISA_NUNITS; u++) {
		o->busy[u] = r->st.unit[u].busy;
		memcpy(o->stalled[u], r->st.unit[u].stalled, sizeof o->stalled[u]);
	}
	for (u = 0; u < 6; u++)
		o->energy += r->st.energy_pj[u];
}

static int
evaluate(const struct eval_case *c, struct outcome *o)
{
	struct eval_result res;
	struct eval_spec spec;
	struct workload wl;
	struct errbuf e;
	struct npu n;

	if (wl_parse(c->wl, &wl, &e) != 0 || npu_resolve(c->npu, &n, &e) != 0)
		return -1;
	eval_spec_init(&spec, sched_find(c->sched), &n, &wl);
	if (sched_parse_tiling(spec.sched, c->tiling, &spec.tiling, &e) != 0)
		return -1;
	spec.allow_spill = c->allow_spill;
	o->rc = eval_run(&spec, &res, &e);
	if (o->rc == 0)
		outcome_of(&res, o);
	else
		fprintf(stderr, "eval: %s\n", e.msg);
	eval_result_free(&res);
	return o->rc;
}

/* The same through a file: schedule to .mtr, read it back, replay with stats. */
static int
through_file(const struct eval_case *c, const char *path, struct outcome *o)
{
	struct eval_result res;
	struct trace_reader *r;
	struct replay_opts ro;
	enum trace_format fmt;
	struct workload wl;
	struct tiling t;
	struct errbuf e;
	struct npu n;
	int rc;

	memset(&res, 0, sizeof res);
	if (wl_parse(c->wl, &wl, &e) != 0 || npu_resolve(c->npu, &n, &e) != 0 ||
	    sched_parse_tiling(sched_find(c->sched), c->tiling, &t, &e) != 0 ||
	    eval_prepare(sched_find(c->sched), &n, &wl, &t, c->allow_spill, &res.plan,
	    &e) != 0 || eval_write_plan(sched_find(c->sched), &n, &wl, "test-threads", path, NULL, 0,
	    &res.plan, &e) != 0 || trace_open_read(path, &r, &fmt, &e) != 0) {
		fprintf(stderr, "file: %s\n", e.msg);
		return -1;
	}
	replay_opts_default(&ro);
	rc = stats_init(&res.st, &n);
	if (rc == 0)
		rc = replay_run(r, path, &n, &ro, NULL, &res.st, &e);
	trace_close_read(r);
	if (rc == 0)
		rc = stats_finish(&res.st, &e);
	if (rc == 0)
		outcome_of(&res, o);
	else
		fprintf(stderr, "file: %s\n", e.msg);
	/* and it computes attention, whatever the other threads do */
	if (rc == 0 && !c->allow_spill) {
		struct verify_result vr;
		rc = verify_trace(path, &(struct verify_opts){ .seed = 7, .orders = 2, .threads = 1 },
		    &vr, &e);
		if (rc != 0 || !(vr.max_err <= 1e-4)) {
			fprintf(stderr, "verify: %s (max error %g)\n", rc ? e.msg : "inexact",
			    vr.max_err);
			rc = -1;
		}
	}
	eval_result_free(&res);
	return rc;
}

static struct outcome alone[NCASES];

struct job {
	unsigned thread;
	struct outcome mem[NCASES], file[NCASES];
	int rc;
};

static void *
worker(void *arg)
{
	struct job *j = arg;
	char path[300];
	unsigned k, i;

	/* each thread walks the cases from a different start, so different work overlaps */
	for (k = 0; k < NCASES; k++) {
		i = (k + j->thread * 2) % NCASES;
		if (evaluate(&cases[i], &j->mem[i]) != 0)
			j->rc = -1;
		snprintf(path, sizeof path, "%s/t%u-c%u.mtr", cunit_dir, j->thread, i);
		if (through_file(&cases[i], path, &j->file[i]) != 0)
			j->rc = -1;
	}
	return NULL;
}

static void
test_alone(void)
{
	unsigned i;

	for (i = 0; i < NCASES; i++) {
		CU_ASSERT_EQUAL_FATAL(evaluate(&cases[i], &alone[i]), 0);
		CU_ASSERT_TRUE(alone[i].makespan >= alone[i].planned);
	}
	/* the ablation does spill: the test covers fills and their waits */
	CU_ASSERT_TRUE(alone[4].spills > 0);
}

static void
test_threads(void)
{
	static struct job jobs[THREADS];
	pthread_t tid[THREADS];
	unsigned t, i;

	for (t = 0; t < THREADS; t++) {
		memset(&jobs[t], 0, sizeof jobs[t]);
		jobs[t].thread = t;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&tid[t], NULL, worker, &jobs[t]), 0);
	}
	for (t = 0; t < THREADS; t++)
		CU_ASSERT_EQUAL(pthread_join(tid[t], NULL), 0);
	for (t = 0; t < THREADS; t++) {
		CU_ASSERT_EQUAL(jobs[t].rc, 0);
		for (i = 0; i < NCASES; i++) {
			CU_ASSERT_EQUAL(memcmp(&jobs[t].mem[i], &alone[i], sizeof alone[i]), 0);
			/* in memory or through a file, the replay sees the same stream */
			CU_ASSERT_EQUAL(memcmp(&jobs[t].file[i], &alone[i], sizeof alone[i]), 0);
			if (memcmp(&jobs[t].file[i], &alone[i], sizeof alone[i]) != 0)
				fprintf(stderr, "\n  case %u thread %u: makespan %llu, alone %llu\n", i,
				    t, (unsigned long long)jobs[t].file[i].makespan,
				    (unsigned long long)alone[i].makespan);
		}
	}
}

/* Sixteen threads in the schedulers at once, writing to a counting writer each. */
struct emit_job {
	const struct eval_case *c;
	struct sched_result res;
	uint64_t sum;		/* a checksum of every planned time */
	int rc;
};

struct sum_writer {
	struct trace_writer w;
	uint64_t sum;
};

static int
sum_write(struct trace_writer *w, const struct isa_instr *in, struct errbuf *e)
{
	struct sum_writer *s = (struct sum_writer *)w;

	(void)e;
	s->sum = s->sum * 31 + in->plan_start * 7 + in->plan_end + in->ndeps;
	w->count++;
	return 0;
}

static int sum_close(struct trace_writer *w, struct errbuf *e) { (void)w; (void)e; return 0; }
static void sum_abort(struct trace_writer *w) { (void)w; }
static const struct trace_writer_ops sum_ops = { sum_write, sum_close, sum_abort };

static void *
emit_worker(void *arg)
{
	struct emit_job *j = arg;
	struct sum_writer sw = { { &sum_ops, 0 }, 0 };
	struct workload wl;
	struct tiling t;
	struct errbuf e;
	struct npu n;

	j->rc = -1;
	if (wl_parse(j->c->wl, &wl, &e) != 0 || npu_resolve(j->c->npu, &n, &e) != 0 ||
	    sched_parse_tiling(sched_find(j->c->sched), j->c->tiling, &t, &e) != 0 ||
	    sched_prepare(sched_find(j->c->sched), &n, &wl, &t, j->c->allow_spill,
	    &j->res, &e) != 0)
		return NULL;
	j->rc = sched_emit_to(sched_find(j->c->sched), &n, &wl, &j->res.t, &sw.w, &j->res, &e);
	j->sum = sw.sum;
	return NULL;
}

static void
test_sixteen_schedulers(void)
{
	static struct emit_job jobs[16], alone_job[NCASES];
	pthread_t tid[16];
	unsigned t, i;

	for (i = 0; i < NCASES; i++) {
		alone_job[i].c = &cases[i];
		emit_worker(&alone_job[i]);
		CU_ASSERT_EQUAL_FATAL(alone_job[i].rc, 0);
	}
	for (t = 0; t < 16; t++) {
		memset(&jobs[t], 0, sizeof jobs[t]);
		jobs[t].c = &cases[t % NCASES];
		CU_ASSERT_EQUAL_FATAL(pthread_create(&tid[t], NULL, emit_worker, &jobs[t]), 0);
	}
	for (t = 0; t < 16; t++) {
		CU_ASSERT_EQUAL(pthread_join(tid[t], NULL), 0);
		i = t % NCASES;
		CU_ASSERT_EQUAL(jobs[t].rc, 0);
		CU_ASSERT_EQUAL(jobs[t].sum, alone_job[i].sum);
		CU_ASSERT_EQUAL(jobs[t].res.instructions, alone_job[i].res.instructions);
		CU_ASSERT_EQUAL(jobs[t].res.makespan, alone_job[i].res.makespan);
	}
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "each evaluation alone", test_alone },
		{ "the same on 4 threads at once, in memory and through files", test_threads },
		{ "16 threads in the schedulers at once", test_sixteen_schedulers },
		{ NULL, NULL },
	};

	return cunit_run_in_tmpdir("threads", tests, "/tmp/mastrace-test-threads.XXXXXX");
}
