/* bench-export: export throughput and memory, beside reading the same file. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "bench-clock.h"
#include "export.h"

int
main(int argc, char **argv)
{
	struct export_counts c;
	struct export_opts o;
	struct rusage ru;
	struct errbuf e;
	double t0, dt;

	if (argc != 5) {
		fprintf(stderr, "usage: bench-export TRACE OUT FORMAT FLOWS\n");
		return 2;
	}
	export_opts_default(&o);
	o.format = export_format_named(argv[3]);
	export_format_for_path(argv[2], &o.gzip);
	o.flows = strcmp(argv[4], "none") == 0 ? EXPORT_FLOWS_NONE :
	    strcmp(argv[4], "all") == 0 ? EXPORT_FLOWS_ALL : EXPORT_FLOWS_CRITICAL;
	t0 = now();
	if (export_file(argv[1], argv[2], &o, &c, &e) != 0) {
		fprintf(stderr, "bench-export: %s\n", e.msg);
		return 1;
	}
	dt = now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	printf("export   %s, flows %s: %llu instructions in %.3f s: %.2f M instructions/s, "
	    "%.1f bytes/instruction before compression, peak RSS %ld KiB\n", argv[3], argv[4],
	    (unsigned long long)c.read, dt, (double)c.read / dt / 1e6,
	    (double)c.bytes / (double)c.read, ru.ru_maxrss);
	return 0;
}
