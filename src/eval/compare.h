/* compare: many schedule-and-replay evaluations at once, on threads, for tables and ladders. */
#ifndef MASTRACE_COMPARE_H
#define MASTRACE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "errbuf.h"
#include "eval.h"
#include "progress.h"
#include "table.h"

/*
 * The dataflow under study and the one it is measured against: every
 * "vs" column, speedup, saving and ladder step names them here only.
 */
#define COMPARE_CANDIDATE "mas"
#define COMPARE_CANDIDATE_TITLE "MAS"
#define COMPARE_BASELINE "flat"
#define COMPARE_BASELINE_TITLE "FLAT"

/*
 * One point: a dataflow with a tiling (possibly partial; eval_prepare()
 * completes it) on a workload and an NPU, replayed with every model.
 * With `outdir` set, its plan, the replayed trace and a Perfetto export
 * are written there as NAME.mtr, NAME.r.mtr and NAME.pftrace.
 */
struct compare_point {
	const struct sched *sched;
	struct workload wl;
	const struct npu *npu;
	struct tiling tiling;		/* what it leaves unset, eval_prepare() chooses */
	bool allow_spill;		/* a footprint past L1 is replayed with spills */
	char name[160];			/* file names in outdir: letters, digits, '-', '.', '_' */
	/* results */
	int status;			/* 0, or -1 with the reason in err */
	/*
	 * It failed after its tiling was chosen (a file not written, the
	 * replay stopped): an error, where failing to fit is a result.
	 */
	bool failed_late;
	struct errbuf err;
	struct eval_result res;
	struct stats_bound bound;
	double energy_uj;
};

struct compare_opts {
	unsigned jobs;			/* threads; 0: the number of processors */
	const char *outdir;		/* NULL: nothing written */
	const char *command;		/* recorded in the headers of what is written */
	uint64_t max_instructions;	/* per point; 0: SCHED_MAX_INSTRUCTIONS */
	/* files no output may replace (an NPU file), refused by name, link or inode */
	const char *const *inputs;
	size_t ninputs;
	const struct progress *progress;	/* points done, from the calling thread */
};

/*
 * Evaluate every point; each owns its result (compare_free() releases
 * them).  A point that fails (it does not fit, a write fails) says why in
 * its err and the others go on.  -1 only when threads cannot be started.
 */
int compare_run(struct compare_point *p, size_t n, const struct compare_opts *o, struct errbuf *e);
void compare_free(struct compare_point *p, size_t n);

/*
 * Make (if missing) and lock the output directory of a run: the files a
 * run writes there, and the combined traces it reads back from them, are
 * one run's set only if no other run writes there at the same time.  A
 * second run is refused with a message; the lock ends with the descriptor
 * (compare_outdir_close(), or the process ending any way).
 */
int compare_outdir_open(const char *dir, int *fd, struct errbuf *e);
void compare_outdir_close(int fd);

/* A point's replayed makespan in seconds. */
double compare_seconds(const struct compare_point *p);
/*
 * In points laid out nsched to a row, the point of dataflow `name` in row
 * `row` if it ran, else NULL.
 */
const struct compare_point *compare_find(const struct compare_point *p, unsigned row,
    unsigned nsched, const char *name);

/*
 * With outdir set: for each row where both ran, the candidate against the
 * baseline in one Perfetto trace, DIR/WORKLOAD-mas-vs-flat.pftrace, made
 * from the replayed traces the run wrote (the directory is the run's own:
 * compare_outdir_open()).
 */
int compare_write_pairs(const struct compare_point *p, unsigned nrows, unsigned nsched,
    const struct compare_opts *o, struct errbuf *e);

/* ---- reports (compare-report.c) ---- */

/*
 * One row per point (cycles, time, speedup and saving against the
 * baseline, utilisation, overlap, traffic, spills, L1 peak, bound,
 * efficiency, tiling), with the columns of `cols` besides: a workload, a
 * status, the energy of each component.
 */
#define COMPARE_COL_WL 1u
#define COMPARE_COL_STATUS 2u
#define COMPARE_COL_ENERGY 4u
int compare_table_points(struct table *t, const struct compare_point *p, unsigned nrows,
    unsigned nsched, unsigned cols);
/*
 * One workload: a heading, its table of points, what bounds each and why
 * the candidate wins or loses against the baseline (text or Markdown).
 */
void compare_print_points(const struct compare_point *p, unsigned nsched,
    enum table_format fmt, FILE *f);
/*
 * Several workloads: a row each with every dataflow's cycles and the
 * candidate against the baseline, then their geometric mean and maximum
 * (JSON: a "table" and a "summary" member).
 */
int compare_print_rows(const struct compare_point *p, unsigned nrows, unsigned nsched,
    enum table_format fmt, FILE *f);

/* A name fit for a file: the characters a shell and a file system take as they are. */
void compare_file_name(const char *in, char *out, size_t len);

#endif
