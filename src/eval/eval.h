/* eval: plan and replay one candidate in memory, as compare, search and the viewer do. */
#ifndef MASTRACE_EVAL_H
#define MASTRACE_EVAL_H

#include <stdbool.h>

#include "replay.h"
#include "schedule.h"
#include "stats.h"

/* What to evaluate: a dataflow with a tiling on a workload and an NPU. */
struct eval_spec {
	const struct sched *sched;
	const struct npu *npu;		/* planned for, and replayed on unless... */
	const struct npu *replay_npu;	/* ... this is not NULL: replay --npu in memory */
	const struct workload *wl;
	struct tiling tiling;		/* what it leaves unset, eval_prepare() picks */
	bool allow_spill;		/* accept a tiling whose footprint exceeds L1 */
	/* refuse a plan of more instructions (sched_check_size()); 0: SCHED_MAX_INSTRUCTIONS */
	uint64_t max_instructions;
	struct replay_opts replay;
	/* more observers of the replay (a viewer, an exporter); may be NULL */
	const struct replay_observer *observers;
	unsigned nobservers;
};

struct eval_result {
	struct sched_result plan;	/* the tiling chosen, planned makespan and traffic */
	struct stats st;		/* the replay's statistics, finished */
};

/*
 * sched_prepare(), with the choice of the parameters the tiling leaves out
 * refined by the replay: the candidates sched_plan_top() ranks best by
 * planned makespan are each replayed on one head of the workload with
 * every model, and the plan's favourite is taken unless another replays
 * more than 2% faster.  The plan knows neither
 * DRAM nor L1 port sharing, which can reorder candidates whose plans are
 * close.  A tiling given whole is prepared as it is.
 */
int eval_prepare(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct tiling *asked, bool allow_spill, struct sched_result *res, struct errbuf *e);

/* t with every parameter marked as given: a tiling chosen once is not chosen again. */
void eval_tiling_whole(const struct sched *s, const struct tiling *t, struct tiling *out);

/* Defaults: every replay model on, nothing of the tiling asked. */
void eval_spec_init(struct eval_spec *spec, const struct sched *s, const struct npu *n,
    const struct workload *w);

/*
 * Plan, stream the instructions straight into the replay and account them:
 * nothing touches the file system and memory stays flat in the trace's
 * length.  Reentrant: each call owns its context, so threads may run any
 * number at once.  0, or -1 with the reason; either way eval_result_free()
 * releases res.
 */
int eval_run(const struct eval_spec *spec, struct eval_result *res, struct errbuf *e);
void eval_result_free(struct eval_result *res);
/*
 * The replayed makespan of tiling t (taken whole) planned on `plan` and
 * replayed on `on` (which may be `plan`), every model on; UINT64_MAX with
 * the reason in e when it cannot run.
 */
uint64_t eval_replayed(const struct sched *s, const struct npu *plan, const struct npu *on,
    const struct workload *w, const struct tiling *t, struct errbuf *e);

/*
 * Plan (the tiling asked, NULL for none, completed by sched_plan()) and
 * write the trace to `out` with a header naming the scheduler, the tiling
 * and `command`.  On any error nothing is left under `out`.
 */
int eval_schedule_file(const struct sched *s, const struct npu *n, const struct workload *w,
    const struct tiling *asked, bool allow_spill, const char *command, const char *out,
    struct sched_result *res, struct errbuf *e);
/* The header of a trace of the plan res was prepared for, made by `command` (may be NULL). */
void eval_plan_header(struct trace_header *h, const struct sched *s, const struct npu *n,
    const struct workload *w, const struct sched_result *res, const char *command);

/*
 * The second half of eval_schedule_file(): write the plan res was prepared for
 * (sched_prepare()) to `out`, reporting instructions written against
 * `expected` (sched_estimate(), or 0) through p, which may be NULL.
 */
int eval_write_plan(const struct sched *s, const struct npu *n, const struct workload *w,
    const char *command, const char *out, const struct progress *p, uint64_t expected,
    struct sched_result *res, struct errbuf *e);

#endif
