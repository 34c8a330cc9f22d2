/* bench-trace: speed, size and memory of the .mtr writer and reader. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "bench-clock.h"
#include "mtr.h"
#include "../synth.h"

static long
peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int
die(const struct errbuf *e)
{
	fprintf(stderr, "bench-trace: %s\n", e->msg);
	return 1;
}

static int
do_write(uint64_t n, const char *path)
{
	struct trace_header h;
	struct trace_writer *w;
	struct workload wl;
	struct isa_instr in;
	struct synth s;
	struct errbuf e;
	struct stat st;
	double t0, t;
	uint64_t i;

	if (wl_parse("llama3-8b", &wl, &e) != 0)
		return die(&e);
	trace_header_init(&h, &npu_preset_find("edge")->npu, &wl);
	strcpy(h.sched, "synthetic-mas");
	synth_init(&s, 64, 0);
	t0 = now();
	if (mtr_writer_open(path, &h, &w, &e) != 0)
		return die(&e);
	for (i = 0; i < n; i++) {
		synth_next(&s, &in);
		if (trace_write(w, &in, &e) != 0)
			return die(&e);
	}
	if (w->ops->close(w, &e) != 0)
		return die(&e);
	t = now() - t0;
	if (stat(path, &st) != 0)
		return 1;
	printf("write    %llu instructions in %.3f s: %.2f M instructions/s, %lld bytes, "
	    "%.3f bytes per instruction, peak RSS %ld KiB\n", (unsigned long long)n, t,
	    (double)n / t / 1e6, (long long)st.st_size, (double)st.st_size / (double)n,
	    peak_rss_kib());
	return 0;
}

static int
do_read(const char *path)
{
	struct trace_reader *r;
	const struct isa_instr *in;
	struct errbuf e;
	uint64_t sum = 0;
	double t0, t;
	int rc;

	t0 = now();
	if (mtr_reader_open(path, &r, &e) != 0)
		return die(&e);
	while ((rc = trace_next(r, &in, &e)) == 1)
		sum += in->plan_end;	/* touch what was decoded */
	if (rc < 0)
		return die(&e);
	t = now() - t0;
	printf("read     %llu instructions in %.3f s: %.2f M instructions/s, peak RSS %ld KiB "
	    "(checksum %llu)\n", (unsigned long long)r->count, t, (double)r->count / t / 1e6,
	    peak_rss_kib(), (unsigned long long)(sum & 0xffff));
	r->ops->close(r);
	return 0;
}

static int
do_inflate(const char *path)
{
	struct errbuf e;
	uint64_t raw;
	double t0, t;

	t0 = now();
	if (mtr_inflate_only(path, &raw, &e) != 0)
		return die(&e);
	t = now() - t0;
	printf("inflate  %llu raw bytes in %.3f s (zlib alone, no decoding), peak RSS %ld KiB\n",
	    (unsigned long long)raw, t, peak_rss_kib());
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "write") == 0)
		return do_write(strtoull(argv[2], NULL, 10), argv[3]);
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return do_read(argv[2]);
	if (argc == 3 && strcmp(argv[1], "inflate") == 0)
		return do_inflate(argv[2]);
	fprintf(stderr, "usage: bench-trace write N FILE | read FILE | inflate FILE\n");
	return 2;
}
