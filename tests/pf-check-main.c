/* pf-check: check an exported Perfetto trace (gzip or not) and print what it holds. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf-check.h"

int
main(int argc, char **argv)
{
	struct pfc_report rep;
	uint8_t *buf;
	size_t len;
	char why[512];
	unsigned i;

	if (argc != 2) {
		fprintf(stderr, "usage: pf-check TRACE.pftrace[.gz]\n");
		return 2;
	}
	if ((buf = pfc_read_file(argv[1], &len)) == NULL) {
		fprintf(stderr, "pf-check: %s: cannot read it (missing, or a damaged gzip stream?)\n",
		    argv[1]);
		return 2;
	}
	if (pfc_check(buf, len, &rep, why, sizeof why) != 0) {
		fprintf(stderr, "pf-check: %s: %s\n", argv[1], why);
		free(buf);
		return 1;
	}
	printf("packets %llu events %llu flows %llu spills %llu fills %llu mac_vec_overlap_ns %llu\n",
	    (unsigned long long)rep.packets, (unsigned long long)rep.events,
	    (unsigned long long)rep.flows, (unsigned long long)rep.spills,
	    (unsigned long long)rep.fills, (unsigned long long)rep.mac_vec_overlap_ns);
	for (i = 0; i < rep.ntracks; i++)
		printf("track %s|%s slices %llu instants %llu counters %llu cycles %llu busy %llu area %.0f\n",
		    rep.tracks[i].name, rep.tracks[i].counter ? "counter" : "slices",
		    (unsigned long long)rep.tracks[i].slices, (unsigned long long)rep.tracks[i].instants,
		    (unsigned long long)rep.tracks[i].counters, (unsigned long long)rep.tracks[i].cycles,
		    (unsigned long long)rep.tracks[i].busy_cycles, rep.tracks[i].area);
	free(buf);
	return 0;
}
