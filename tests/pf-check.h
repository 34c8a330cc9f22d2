/* pf-check: the rules Perfetto's importer enforces, checked on an exported trace. */
#ifndef MASTRACE_PF_CHECK_H
#define MASTRACE_PF_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* What a valid trace holds, for tests to compare with mastrace stats. */
struct pfc_track {
	char name[64];
	uint64_t uuid;
	int counter;
	uint64_t slices, instants, counters;
	uint64_t cycles, busy_cycles;	/* sums of the slices' annotations */
	double area;			/* counters: the sum of value x nanoseconds it held */
};

struct pfc_report {
	uint64_t packets, events, flows;
	struct pfc_track tracks[256];
	unsigned ntracks;
	uint64_t mac_vec_overlap_ns;	/* time the "mac" and "vec" tracks both run a slice */
	uint64_t spills, fills;		/* instants named "spill ..." and "fill ..." */
};

/*
 * Check a whole trace (Trace message bytes).  0 when every rule holds, else
 * -1 with the first broken rule, and the packet it is in, in why.
 */
int pfc_check(const uint8_t *buf, size_t len, struct pfc_report *rep, char *why, size_t wlen);

/* A whole file, gunzipped if it is gzip; NULL when it cannot be read.  Free it. */
uint8_t *pfc_read_file(const char *path, size_t *len);

#endif
