/*
 * Out of memory inside the statistics: with an allocator that fails on its
 * Nth call, for every N, stats either refuses to start or keeps counting
 * and says at the end that memory ran out, with no access outside what it
 * holds (ASan runs this in CI).  Built with -Wl,--wrap for the allocator.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cunit-main.h"
#include "stats.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static unsigned long calls, fail_at;	/* fail_at 0: never */

static int
fails(void)
{
	return fail_at != 0 && ++calls == fail_at;
}

void *
__wrap_malloc(size_t n)
{
	return fails() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return fails() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return fails() ? NULL : __real_realloc(p, n);
}

#define NALLOC 300

/*
 * A replayed stream with many L1 allocations alive at once (the live list
 * grows several times) and MAC and VEC running side by side (the overlap
 * queues grow).
 */
static void
stream(struct isa_instr *v, size_t *n)
{
	size_t k = 0, i;

	memset(v, 0, sizeof *v * (2 * NALLOC + 2000));
	for (i = 0; i < NALLOC; i++, k++) {
		v[k].id = k;
		v[k].unit = ISA_UNIT_VEC;
		v[k].op = ISA_OP_ALLOC;
		v[k].ndst = 1;
		v[k].dst[0] = (struct isa_region){ ISA_BUF_L1, ISA_T_S, i * 128, 64 };
		v[k].replayed = true;
	}
	for (i = 0; i < 2000; i++, k++) {
		v[k].id = k;
		v[k].unit = i % 2 ? ISA_UNIT_MAC : ISA_UNIT_VEC;
		v[k].op = i % 2 ? ISA_OP_MATMUL : ISA_OP_VMAX;
		v[k].m = v[k].n = v[k].k = 16;
		v[k].replayed = true;
		/* MAC runs far ahead of VEC, so VEC's queue holds many intervals */
		v[k].rep_start = i % 2 ? i * 10 : i * 1000;
		v[k].rep_end = v[k].rep_start + 5;
	}
	for (i = 0; i < NALLOC; i++, k++) {
		v[k].id = k;
		v[k].unit = ISA_UNIT_VEC;
		v[k].op = ISA_OP_FREE;
		v[k].nsrc = 1;
		v[k].src[0] = (struct isa_region){ ISA_BUF_L1, ISA_T_S, i * 128, 64 };
		v[k].replayed = true;
		v[k].rep_start = v[k].rep_end = 2000000 + i;
	}
	*n = k;
}

static void
test_every_failure(void)
{
	static struct isa_instr v[2 * NALLOC + 2000];
	struct stats ref, st;
	unsigned long n, needed;
	struct errbuf e;
	struct npu npu;
	size_t count, i;
	unsigned failed = 0;

	stream(v, &count);
	CU_ASSERT_EQUAL_FATAL(npu_resolve("edge", &npu, &e), 0);
	/* a clean run, counting the allocator's calls */
	fail_at = 0;
	calls = 0;
	CU_ASSERT_EQUAL_FATAL(stats_init(&ref, &npu), 0);
	for (i = 0; i < count; i++)
		stats_add(&ref, &v[i], UINT64_MAX, 0);
	CU_ASSERT_EQUAL_FATAL(stats_finish(&ref, &e), 0);
	CU_ASSERT_EQUAL(ref.l1_peak, NALLOC * 64);
	/* count them now: fails() counts only while armed */
	fail_at = ~0ul;
	calls = 0;
	CU_ASSERT_EQUAL_FATAL(stats_init(&st, &npu), 0);
	for (i = 0; i < count; i++)
		stats_add(&st, &v[i], UINT64_MAX, 0);
	stats_finish(&st, &e);
	needed = calls;
	CU_ASSERT_TRUE(needed >= 6);	/* init, the live list and the overlap queues grew */
	for (n = 1; n <= needed; n++) {
		calls = 0;
		fail_at = n;
		if (stats_init(&st, &npu) != 0) {
			fail_at = 0;
			CU_ASSERT_PTR_NULL(st.work);
			continue;
		}
		for (i = 0; i < count; i++)
			stats_add(&st, &v[i], UINT64_MAX, 0);
		e.msg[0] = '\0';
		if (stats_finish(&st, &e) != 0) {
			failed++;
			CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "out of memory"));
		}
		fail_at = 0;
		/* whatever failed, the counts are whole */
		CU_ASSERT_EQUAL(st.instructions, ref.instructions);
		CU_ASSERT_EQUAL(st.makespan, ref.makespan);
		CU_ASSERT_EQUAL(st.macs, ref.macs);
		stats_free(&st);
	}
	CU_ASSERT_TRUE(failed > 0);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "every allocation that can fail leaves stats consistent", test_every_failure },
		{ NULL, NULL },
	};

	return cunit_run_in_tmpdir("oom", tests, "/tmp/mastrace-test-oom.XXXXXX");
}
