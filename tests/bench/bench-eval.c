/* bench-eval: plan and replay in memory (eval_run): throughput and peak memory. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "bench-clock.h"
#include "eval.h"

int
main(int argc, char **argv)
{
	struct eval_result res;
	struct eval_spec spec;
	const struct sched *s;
	struct workload wl;
	struct rusage ru;
	struct errbuf e;
	struct npu n;
	double t0, dt;

	if (argc != 5) {
		fprintf(stderr, "usage: bench-eval SCHED WORKLOAD SEQ TILING\n");
		return 2;
	}
	s = sched_find(argv[1]);
	if (s == NULL || wl_parse(argv[2], &wl, &e) != 0 ||
	    wl_set_seq(&wl, strtoull(argv[3], NULL, 10), &e) != 0 ||
	    npu_resolve("edge", &n, &e) != 0) {
		fprintf(stderr, "bench-eval: %s\n", s ? e.msg : "unknown scheduler");
		return 1;
	}
	eval_spec_init(&spec, s, &n, &wl);
	if (sched_parse_tiling(s, argv[4], &spec.tiling, &e) != 0) {
		fprintf(stderr, "bench-eval: %s\n", e.msg);
		return 1;
	}
	spec.allow_spill = true;
	t0 = now();
	if (eval_run(&spec, &res, &e) != 0) {
		fprintf(stderr, "bench-eval: %s\n", e.msg);
		eval_result_free(&res);
		return 1;
	}
	dt = now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	printf("eval %-6s %s --seq %s: %llu instructions (%llu spills), plan + replay in memory "
	    "%.2f s = %.1f M/s, peak RSS %.1f MB\n", s->name, argv[2], argv[3],
	    (unsigned long long)res.st.instructions, (unsigned long long)res.st.spills, dt,
	    (double)res.st.instructions / dt / 1e6, (double)ru.ru_maxrss / 1024.0);
	eval_result_free(&res);
	return 0;
}
