/* bench-sched: scheduling throughput and memory, with and without writing a file. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench-clock.h"
#include "schedule.h"
#include "trace-file.h"

/* A writer that checks and counts, so the scheduler alone is timed. */
static int
null_write(struct trace_writer *w, const struct isa_instr *in, struct errbuf *e)
{
	char why[256];

	if (isa_check(in, why, sizeof why) != 0)
		return errbuf_set(e, "instruction %llu: %s", (unsigned long long)in->id, why);
	w->count++;
	return 0;
}

static int null_close(struct trace_writer *w, struct errbuf *e) { (void)w; (void)e; return 0; }
static void null_abort(struct trace_writer *w) { (void)w; }
static const struct trace_writer_ops null_ops = { null_write, null_close, null_abort };

int
main(int argc, char **argv)
{
	const struct sched *s;
	struct trace_writer nullw = { &null_ops, 0 }, *w;
	struct trace_header h;
	struct sched_fit fit;
	struct workload wl;
	struct tiling t;
	struct rusage ru;
	struct sched_result res;
	struct errbuf e;
	struct npu n;
	uint64_t seq;
	double t0, dt;
	bool to_file;

	if (argc != 6) {
		fprintf(stderr, "usage: bench-sched SCHED WORKLOAD SEQ TILING OUT|-\n");
		return 2;
	}
	s = sched_find(argv[1]);
	seq = strtoull(argv[3], NULL, 10);
	to_file = strcmp(argv[5], "-") != 0;
	if (s == NULL || wl_parse(argv[2], &wl, &e) != 0 || wl_set_seq(&wl, seq, &e) != 0 ||
	    npu_resolve("edge", &n, &e) != 0 || sched_parse_tiling(s, argv[4], &t, &e) != 0 ||
	    sched_plan(s, &n, &wl, &t, true, &fit, &e) != 0) {
		fprintf(stderr, "bench-sched: %s\n", s ? e.msg : "unknown scheduler");
		return 1;
	}
	trace_header_init(&h, &n, &wl);
	strcpy(h.sched, s->name);
	sched_format_tiling(s, &t, h.tiling, sizeof h.tiling);
	w = &nullw;
	t0 = now();
	if (to_file && trace_open_write(argv[5], TRACE_FMT_MTR, &h, &w, &e) != 0) {
		fprintf(stderr, "bench-sched: %s\n", e.msg);
		return 1;
	}
	if (sched_emit_to(s, &n, &wl, &t, w, &res, &e) != 0 ||
	    (to_file && trace_close_write(w, &e) != 0)) {
		fprintf(stderr, "bench-sched: %s\n", e.msg);
		return 1;
	}
	dt = now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	printf("%-5s %s --seq %llu %s: %llu instructions in %.2f s, %.2f M instructions/s "
	    "%s, peak RSS %ld KiB\n", s->name, argv[2], (unsigned long long)seq, h.tiling,
	    (unsigned long long)res.instructions, dt, (double)res.instructions / dt / 1e6,
	    to_file ? "writing .mtr" : "scheduling only", ru.ru_maxrss);
	return 0;
}
