/* bench-replay: replay throughput and memory, beside reading the same file. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench-clock.h"
#include "replay.h"
#include "trace-file.h"

int
main(int argc, char **argv)
{
	struct trace_reader *r;
	struct replay_opts o;
	enum trace_format fmt;
	struct stats st;
	struct rusage ru;
	struct errbuf e;
	struct npu n;
	double t0, dt;
	uint64_t count;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-replay TRACE\n");
		return 2;
	}
	replay_opts_default(&o);
	t0 = now();
	if (trace_open_read(argv[1], &r, &fmt, &e) != 0) {
		fprintf(stderr, "bench-replay: %s\n", e.msg);
		return 1;
	}
	n = r->hdr.npu;
	if (stats_init(&st, &n) != 0 || replay_run(r, argv[1], &n, &o, NULL, &st, &e) != 0) {
		fprintf(stderr, "bench-replay: %s\n", e.msg);
		return 1;
	}
	count = r->count;
	trace_close_read(r);
	stats_finish(&st, &e);
	dt = now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	printf("replay   %llu instructions in %.3f s: %.2f M instructions/s, makespan %llu "
	    "cycles, %llu spills, peak RSS %ld KiB\n", (unsigned long long)count, dt,
	    (double)count / dt / 1e6, (unsigned long long)st.makespan,
	    (unsigned long long)st.spills, ru.ru_maxrss);
	stats_free(&st);
	return 0;
}
