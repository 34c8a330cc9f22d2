/*
 * Golden numbers: the planned and replayed makespan, the stalls by cause and
 * the DRAM traffic of every dataflow on three small fixed problems.  Any
 * change to the timing model shows up here as a diff, to be explained in
 * its commit; MASTRACE_UPDATE_GOLDEN=1 writes the new numbers instead.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "cunit-main.h"
#include "eval.h"

static const char *const problems[][2] = {
	{ "b=1,h=2,q=128,k=128,d=64", "edge" },
	{ "b=1,h=1,q=256,k=512,d=64,causal=1", "edge" },
	{ "b=1,h=2,q=512,k=512,d=64", "flat-edge" },
};
static const char *const dataflows[] = { "mas", "flat", "layerwise", "flash" };

/* One line: what the timing model gives one dataflow with one tiling on one problem. */
static size_t
line(char *buf, size_t len, const char *df, const char *problem, const char *npu,
    const char *tiling)
{
	uint64_t stalled[ISA_NCAUSES] = { 0 };
	struct eval_result res;
	struct eval_spec spec;
	struct workload wl;
	struct errbuf e;
	struct npu n;
	size_t at = 0;
	unsigned u, c;

	CU_ASSERT_EQUAL_FATAL(wl_parse(problem, &wl, &e), 0);
	CU_ASSERT_EQUAL_FATAL(npu_resolve(npu, &n, &e), 0);
	eval_spec_init(&spec, sched_find(df), &n, &wl);
	CU_ASSERT_EQUAL_FATAL(sched_parse_tiling(spec.sched, tiling, &spec.tiling, &e), 0);
	spec.allow_spill = true;
	CU_ASSERT_EQUAL_FATAL(eval_run(&spec, &res, &e), 0);
	for (u = 0; u < ISA_NUNITS; u++)
		for (c = 0; c < ISA_NCAUSES; c++)
			stalled[c] += res.st.unit[u].stalled[c];
	at += (size_t)snprintf(buf + at, len - at, "%s %s on %s (%s): planned %llu replayed %llu; "
	    "stalls", df, problem, npu, res.plan.tiling, (unsigned long long)res.plan.makespan,
	    (unsigned long long)res.st.makespan);
	for (c = 1; c < ISA_NCAUSES; c++)
		at += (size_t)snprintf(buf + at, len - at, " %s=%llu", isa_cause_name(c),
		    (unsigned long long)stalled[c]);
	at += (size_t)snprintf(buf + at, len - at, "; dram read %llu write %llu spill %llu "
	    "fill %llu (%llu spills)\n", (unsigned long long)res.st.dram_read,
	    (unsigned long long)res.st.dram_write, (unsigned long long)res.st.spill_bytes,
	    (unsigned long long)res.st.fill_bytes, (unsigned long long)res.st.spills);
	eval_result_free(&res);
	CU_ASSERT_FATAL(at < len);
	return at;
}

static void
numbers(char *buf, size_t len)
{
	size_t p, d, at = 0;

	for (p = 0; p < ARRAY_LEN(problems); p++)
		for (d = 0; d < ARRAY_LEN(dataflows); d++)
			at += line(buf + at, len - at, dataflows[d], problems[p][0], problems[p][1], "");
	/* and the spill model: MAS without the proactive overwrite, at MAS's own tiling */
	line(buf + at, len - at, "mas", problems[2][0], "edge", "rows=80,cols=128,overwrite=off,kv=stream,norm=p,form=full");
}

static void
test_golden(void)
{
	static char got[16384], want[16384];
	char path[1024];
	size_t n;
	FILE *f;

	numbers(got, sizeof got);
	snprintf(path, sizeof path, "%s/tests/golden/numbers.txt", cunit_srcdir());
	if (getenv("MASTRACE_UPDATE_GOLDEN") != NULL) {
		f = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs(got, f);
		CU_ASSERT_EQUAL(fclose(f), 0);
		return;
	}
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(want, 1, sizeof want - 1, f);
	want[n] = '\0';
	fclose(f);
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\nthe timing model changed; now:\n%s\nwas (%s):\n%s\n"
		    "explain the change in the commit and run with MASTRACE_UPDATE_GOLDEN=1\n",
		    got, path, want);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "every dataflow's numbers on three fixed problems", test_golden },
		{ NULL, NULL },
	};

	return cunit_run_in_tmpdir("golden", tests, "/tmp/mastrace-test-golden.XXXXXX");
}
