/* eval: a scheduler's output fed straight into the replay. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "eval.h"
#include "trace-file.h"

void
eval_spec_init(struct eval_spec *spec, const struct sched *s, const struct npu *n,
    const struct workload *w)
{
	memset(spec, 0, sizeof *spec);
	spec->sched = s;
	spec->npu = n;
	spec->wl = w;
	replay_opts_default(&spec->replay);
}

int
eval_run(const struct eval_spec *spec, struct eval_result *res, struct errbuf *e)
{
	struct replay_observer ob;
	struct trace_writer *w = NULL;
	struct replay *r = NULL;
	char name[sizeof res->plan.tiling + 128];
	unsigned i;
	int rc = -1;

	memset(res, 0, sizeof *res);
	if (stats_init(&res->st, spec->npu) != 0)
		return errbuf_set(e, "out of memory");
	replay_opts_to_stats(&spec->replay, &res->st);
	if (sched_prepare(spec->sched, spec->npu, spec->wl, spec->tiling, spec->allow_spill,
	    &res->plan, e) != 0)
		return -1;
	snprintf(name, sizeof name, "%s (%s) on %s", spec->sched->name, res->plan.tiling,
	    spec->npu->name);
	if ((r = replay_new(spec->npu, &spec->replay, name, e)) == NULL)
		return -1;
	replay_observer_stats(&ob, &res->st);
	if (replay_observe(r, &ob, e) != 0)
		goto out;
	for (i = 0; i < spec->nobservers; i++)
		if (replay_observe(r, &spec->observers[i], e) != 0)
			goto out;
	if ((w = replay_writer_new(r, e)) == NULL)
		goto out;
	if (sched_emit_to(spec->sched, spec->npu, spec->wl, &res->plan.t, w, &res->plan, e) != 0) {
		trace_abort_write(w);
		goto out;
	}
	/* closing the writer replays what the look-ahead window still holds */
	if (trace_close_write(w, e) != 0)
		goto out;
	res->st.far_deps = replay_far_deps(r);
	if (stats_finish(&res->st, e) != 0) {
		errbuf_prefix(e, "%s", name);
		goto out;
	}
	rc = 0;
out:
	replay_free(r);
	return rc;
}

void
eval_result_free(struct eval_result *res)
{
	stats_free(&res->st);
}
