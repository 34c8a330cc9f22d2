/* tui-live: --live, the replay on a thread, drawn as its simulated time goes by. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

static int
live_instr(void *ctx, const struct isa_instr *in, uint64_t pred, uint64_t base, struct errbuf *e)
{
	struct live *lv = ctx;
	int rc;

	(void)pred;
	(void)base;
	pthread_mutex_lock(&lv->mu);
	rc = lv->cancel ? errbuf_set(e, "stopped") : vsum_add(&lv->sum, in, e);
	pthread_mutex_unlock(&lv->mu);
	return rc;
}

static void *
live_worker(void *arg)
{
	struct live *lv = arg;
	struct replay_observer ob = { lv, live_instr, NULL, NULL };
	struct errbuf e;
	int rc;

	lv->spec.observers = &ob;
	lv->spec.nobservers = 1;
	rc = eval_run(&lv->spec, &lv->res, &e);
	pthread_mutex_lock(&lv->mu);
	if (rc == 0 && vsum_end(&lv->sum, &e) != 0)
		rc = -1;
	lv->failed = rc != 0;
	if (rc != 0)
		lv->err = e;
	lv->done = true;
	pthread_cond_broadcast(&lv->ended);
	pthread_mutex_unlock(&lv->mu);
	return NULL;
}

void
tui_live_wait(struct ui *u)
{
	struct live *lv = u->live;

	pthread_mutex_lock(&lv->mu);
	while (!lv->done)
		pthread_cond_wait(&lv->ended, &lv->mu);
	pthread_mutex_unlock(&lv->mu);
}


/* Advance the play head and take a fresh snapshot to draw. */
void
tui_live_step(struct ui *u)
{
	struct live *lv = u->live;
	struct vsum snap;
	struct errbuf e;
	double t = tui_now(), dt = t - lv->last;
	uint64_t front;
	bool done, ok;

	lv->last = t;
	pthread_mutex_lock(&lv->mu);
	done = lv->done;
	ok = (done && lv->failed) ? false : vsum_snapshot(&lv->sum, &snap, &e) == 0;
	if (done && lv->failed)
		snprintf(u->msg, sizeof u->msg, "the replay stopped: %s", lv->err.msg);
	pthread_mutex_unlock(&lv->mu);
	if (!ok)
		return;
	if (lv->have_view)
		vsum_free(&lv->view);
	lv->view = snap;
	lv->have_view = true;
	u->tv[0].s = &lv->view;
	u->v.span = lv->view.span > lv->planned ? lv->view.span : lv->planned;
	if (u->v.span == 0)
		u->v.span = 1;
	front = done ? u->v.span : lv->view.span;
	if (!u->paused)
		u->head += (uint64_t)(u->speed * (dt > 0.5 ? 0.5 : dt));
	if (u->head > front)
		u->head = front;
	if (u->follow) {
		u->v.t0 = 0;
		u->v.t1 = u->v.span;
		u->v.cur = u->head > 0 ? u->head - 1 : 0;
	}
	tview_clamp(&u->v);
}

int
tui_live_start(struct ui *u, const struct tui_live_spec *ls, struct errbuf *e)
{
	struct live *lv = calloc(1, sizeof *lv);
	struct trace_header h;
	struct sched_result plan;
	struct sched_estimate est;
	pthread_t th;
	int err;

	if (lv == NULL)
		return errbuf_set(e, "out of memory");
	u->live = lv;
	pthread_mutex_init(&lv->mu, NULL);
	pthread_cond_init(&lv->ended, NULL);
	/* the tiling is chosen here, so that the thread replays exactly it */
	if (eval_prepare(ls->sched, ls->npu, ls->wl, &ls->tiling, false, &plan, e) != 0 ||
	    sched_check_size(ls->sched, ls->wl, &plan.t, ls->max_instructions ?
	    ls->max_instructions : SCHED_MAX_INSTRUCTIONS, e) != 0 ||
	    sched_estimate(ls->sched, ls->npu, ls->wl, &plan, &est, e) != 0)
		return -1;
	lv->planned = est.makespan;
	eval_plan_header(&h, ls->sched, ls->npu, ls->wl, &plan, NULL);
	if (vsum_begin(&lv->sum, &h, e) != 0)
		return -1;
	lv->sum.replayed = true;
	eval_spec_init(&lv->spec, ls->sched, ls->npu, ls->wl);
	eval_tiling_whole(ls->sched, &plan.t, &lv->spec.tiling);
	lv->spec.max_instructions = ls->max_instructions;
	if ((err = pthread_create(&th, NULL, live_worker, lv)) != 0)
		return errbuf_set(e, "cannot start the replay's thread: %s", strerror(err));
	lv->thread = th;
	lv->started = true;
	lv->last = tui_now();
	u->speed = (double)(lv->planned ? lv->planned : 1) / 8;	/* the plan in about 8 s */
	u->follow = true;
	u->tv[0].path = "live";
	u->tv[0].no_seek = true;	/* no file: no look-ups */
	u->n = 1;
	u->v.span = lv->planned ? lv->planned : 1;
	u->v.t1 = u->v.span;
	return 0;
}

void
tui_live_stop(struct ui *u)
{
	struct live *lv = u->live;

	if (lv == NULL)
		return;
	if (lv->started) {
		pthread_mutex_lock(&lv->mu);
		lv->cancel = true;
		pthread_mutex_unlock(&lv->mu);
		pthread_join(lv->thread, NULL);
	}
	eval_result_free(&lv->res);
	vsum_free(&lv->sum);
	if (lv->have_view)
		vsum_free(&lv->view);
	pthread_mutex_destroy(&lv->mu);
	pthread_cond_destroy(&lv->ended);
	free(lv);
	u->live = NULL;
}

