/* vsum: a replayed trace summarised once, so that drawing costs the screen's width, not the trace's length. */
#ifndef MASTRACE_VSUM_H
#define MASTRACE_VSUM_H

#include <stdbool.h>
#include <stdint.h>

#include "errbuf.h"
#include "isa.h"
#include "progress.h"

/* What a slice is coloured by: an opcode's family. */
enum vsum_class {
	VSUM_LOAD, VSUM_STORE, VSUM_SPILL, VSUM_MOVE, VSUM_MATMUL, VSUM_EXP, VSUM_VEC,
	VSUM_NCLASSES
};

/*
 * Time over [0, span) is cut into `n` buckets of `w` cycles (w a power of
 * two, n at most VSUM_BUCKETS); each lane keeps, per bucket and class, the
 * cycles its instructions ran there, and the trace the L1 bytes resident
 * and the DRAM bytes moved.  Built in one streaming pass in which the
 * buckets widen as the trace goes on; memory is fixed by n and the lanes.
 */
#define VSUM_BUCKETS 16384

/* Events marked beneath the lanes. */
enum { VSUM_MARK_SPILL, VSUM_MARK_BARRIER, VSUM_NMARKS };

struct vsum_lane {
	unsigned unit;
	uint64_t instructions;
	uint64_t busy;				/* cycles, over the whole trace */
	double *cls[VSUM_NCLASSES];		/* cycles per bucket */
};

struct vsum {
	struct trace_header h;
	bool replayed;				/* else planned times are shown */
	uint64_t instructions, span;		/* span: the last end */
	uint64_t w;				/* cycles per bucket */
	unsigned n;				/* buckets in use */
	unsigned nlanes;
	struct vsum_lane lane[ISA_NUNITS];	/* mac, vec, mte, then DMA channels, as present */
	double *l1;				/* resident bytes x cycles per bucket */
	double *dram;				/* bytes moved per bucket */
	double *both;				/* cycles MAC and VEC both run, per bucket */
	double *marks[VSUM_NMARKS];		/* spills and fills, barriers: events per bucket */
	bool overlap_known;			/* false when a unit's instructions overlap */
	uint64_t spills, fills, barriers;
	uint64_t l1_capacity;
	/* building state */
	struct vsum_work *work;
};

/* Summarise the trace at `path`; 0, or -1 with the reason.  vsum_free() either way. */
int vsum_build(struct vsum *s, const char *path, const struct progress *p, struct errbuf *e);
/*
 * The same from instructions handed over one by one (a replay's observer,
 * for view --live): begin with the trace's header, add each, end; each
 * returns 0 or -1 with the reason, and vsum_free() releases s either way.
 */
int vsum_begin(struct vsum *s, const struct trace_header *h, struct errbuf *e);
int vsum_add(struct vsum *s, const struct isa_instr *in, struct errbuf *e);
int vsum_end(struct vsum *s, struct errbuf *e);
/*
 * A summary to draw from, of one still being built (or of a finished one):
 * its own settled copy, which vsum_free() releases.  The caller keeps
 * anyone from adding to s meanwhile.
 */
int vsum_snapshot(const struct vsum *s, struct vsum *out, struct errbuf *e);
void vsum_free(struct vsum *s);

/* The class of work an opcode is drawn as, its name in the legend and its letter without colour. */
enum vsum_class vsum_class_of(unsigned op);
const char *vsum_class_name(enum vsum_class c);
char vsum_class_letter(enum vsum_class c);

/*
 * A lane over [t0, t1): the share of the time it was busy (0 to 1) and
 * the class that took most of it (VSUM_NCLASSES when idle).  Cost: the
 * buckets the window covers, at most VSUM_BUCKETS.
 */
double vsum_lane_busy(const struct vsum *s, unsigned lane, uint64_t t0, uint64_t t1,
    enum vsum_class *top);
/*
 * Shares of [t0, t1) MAC and VEC are both busy; mean L1 resident bytes;
 * DRAM bandwidth in bytes per cycle.
 */
double vsum_overlap(const struct vsum *s, uint64_t t0, uint64_t t1);
/* Any spill or fill (VSUM_MARK_SPILL), any barrier, in the buckets [t0, t1) touches? */
bool vsum_marked(const struct vsum *s, int which, uint64_t t0, uint64_t t1);
double vsum_l1(const struct vsum *s, uint64_t t0, uint64_t t1);
double vsum_dram(const struct vsum *s, uint64_t t0, uint64_t t1);

#endif
