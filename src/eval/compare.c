/* compare: many schedule-and-replay evaluations at once, on threads, for tables and ladders. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compare.h"
#include "diff.h"
#include "export.h"
#include "outfile.h"
#include "trace-file.h"

#define COMPARE_MAX_JOBS 256

double
compare_seconds(const struct compare_point *p)
{
	return (double)p->res.st.makespan / p->npu->clock_mhz * 1e-6;
}

const struct compare_point *
compare_find(const struct compare_point *p, unsigned row, unsigned nsched, const char *name)
{
	unsigned k;

	for (k = 0; k < nsched; k++)
		if (strcmp(p[row * nsched + k].sched->name, name) == 0 &&
		    p[row * nsched + k].status == 0)
			return &p[row * nsched + k];
	return NULL;
}

void
compare_file_name(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < len; i++) {
		char c = in[i];
		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' ? c : '_';
	}
	if (len > 0)
		out[i] = '\0';
}

int
compare_outdir_open(const char *dir, int *fd, struct errbuf *e)
{
	struct stat sb;

	*fd = -1;
	if (mkdir(dir, 0777) != 0 && (errno != EEXIST || stat(dir, &sb) != 0 ||
	    !S_ISDIR(sb.st_mode)))
		return errbuf_set(e, "%s: cannot make the directory: %s", dir, errno == EEXIST ?
		    "a file of that name is in the way" : strerror(errno));
	if ((*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errbuf_set(e, "%s: cannot open the directory: %s", dir, strerror(errno));
	/* the lock goes with the descriptor, so a killed run never leaves it held */
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		int err = errno;
		close(*fd);
		*fd = -1;
		if (err == EWOULDBLOCK)
			return errbuf_set(e, "%s: another mastrace compare is writing into this "
			    "directory; wait for it to finish or choose another -o DIR", dir);
		return errbuf_set(e, "%s: cannot lock the directory: %s", dir, strerror(err));
	}
	return 0;
}

void
compare_outdir_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* DIR/NAME.EXT into buf; -1 (with the reason) when it does not fit. */
static int
out_path(const struct compare_opts *o, const struct compare_point *p, const char *ext,
    char *buf, size_t len, struct errbuf *e)
{
	int n = snprintf(buf, len, "%s/%s%s", o->outdir, p->name, ext);
	size_t i;

	if (n < 0 || (size_t)n >= len)
		return errbuf_set(e, "%s: the output directory's name is too long", o->outdir);
	for (i = 0; i < o->ninputs; i++)
		if (o->inputs[i] != NULL && outfile_same_file(buf, o->inputs[i]))
			return errbuf_set(e, "%s: is the input %s; write the outputs into another "
			    "directory", buf, o->inputs[i]);
	return 0;
}

/* Plan, write the plan, replay it in memory (writing the replayed trace), export it. */
static int
evaluate(struct compare_point *p, const struct compare_opts *o, struct errbuf *e)
{
	struct sched_result plan;
	struct eval_spec spec;
	struct replay_observer ob;
	struct trace_writer *w = NULL;
	struct trace_header h;
	struct export_opts xo;
	struct export_counts xc;
	char path[4096], rpath[4096];

	if (eval_prepare(p->sched, p->npu, &p->wl, &p->tiling, p->allow_spill, &plan, e) != 0 ||
	    sched_check_size(p->sched, &p->wl, &plan.t, o->max_instructions ?
	    o->max_instructions : SCHED_MAX_INSTRUCTIONS, e) != 0)
		return -1;
	p->failed_late = true;	/* until everything is written */
	eval_spec_init(&spec, p->sched, p->npu, &p->wl);
	eval_tiling_whole(p->sched, &plan.t, &spec.tiling);	/* not chosen twice */
	spec.allow_spill = p->allow_spill;
	spec.max_instructions = o->max_instructions;
	if (o->outdir != NULL) {
		if (out_path(o, p, ".mtr", path, sizeof path, e) != 0 ||
		    out_path(o, p, ".r.mtr", rpath, sizeof rpath, e) != 0 ||
		    eval_write_plan(p->sched, p->npu, &p->wl, o->command, path, NULL, 0, &plan, e) != 0)
			return -1;
		eval_plan_header(&h, p->sched, p->npu, &p->wl, &plan, o->command);
		snprintf(h.replay, sizeof h.replay, "%s", o->command ? o->command : "mastrace compare");
		h.models = replay_opts_models(&spec.replay);
		if (trace_open_write(rpath, TRACE_FMT_UNKNOWN, &h, &w, e) != 0)
			return -1;
		replay_observer_writer(&ob, w);
		spec.observers = &ob;
		spec.nobservers = 1;
	}
	if (eval_run(&spec, &p->res, e) != 0) {
		trace_abort_write(w);
		return -1;
	}
	p->res.plan.fit = plan.fit;	/* the search's note */
	stats_bound(&p->res.st, &p->bound);
	p->energy_uj = stats_energy_total(&p->res.st) / 1e6;
	if (w == NULL) {
		p->failed_late = false;
		return 0;
	}
	if (trace_close_write(w, e) != 0 || out_path(o, p, ".pftrace", path, sizeof path, e) != 0)
		return -1;
	export_opts_default(&xo);
	if (export_file(rpath, path, &xo, &xc, e) != 0)
		return -1;
	p->failed_late = false;
	return 0;
}

struct pool {
	struct compare_point *p;
	size_t n, next, done;
	const struct compare_opts *o;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *
worker(void *arg)
{
	struct pool *pl = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&pl->mu);
		i = pl->next < pl->n ? pl->next++ : pl->n;
		pthread_mutex_unlock(&pl->mu);
		if (i == pl->n)
			return NULL;
		pl->p[i].status = evaluate(&pl->p[i], pl->o, &pl->p[i].err);
		pthread_mutex_lock(&pl->mu);
		pl->done++;
		pthread_cond_signal(&pl->cv);
		pthread_mutex_unlock(&pl->mu);
	}
}

int
compare_run(struct compare_point *p, size_t n, const struct compare_opts *o, struct errbuf *e)
{
	struct pool pl = { p, n, 0, 0, o, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };
	pthread_t th[COMPARE_MAX_JOBS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned jobs = o->jobs ? o->jobs : cpus > 0 ? (unsigned)cpus : 1, started, i;
	struct timespec until;
	int rc = 0;

	for (i = 0; i < n; i++) {
		memset(&p[i].res, 0, sizeof p[i].res);
		p[i].status = -1;
		p[i].err.msg[0] = '\0';
		p[i].failed_late = false;
	}
	if (jobs > COMPARE_MAX_JOBS)
		jobs = COMPARE_MAX_JOBS;
	if (jobs > n)
		jobs = n ? (unsigned)n : 1;
	for (started = 0; started < jobs; started++) {
		int err = pthread_create(&th[started], NULL, worker, &pl);
		if (err != 0) {
			rc = errbuf_set(e, "cannot start a thread: %s", strerror(err));
			break;
		}
	}
	/* progress from this thread only, as the library promises */
	pthread_mutex_lock(&pl.mu);
	while (started > 0 && pl.done < n) {
		progress_report(o->progress, pl.done, n);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&pl.cv, &pl.mu, &until);
	}
	pthread_mutex_unlock(&pl.mu);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	progress_report(o->progress, pl.done, n);
	pthread_mutex_destroy(&pl.mu);
	pthread_cond_destroy(&pl.cv);
	return started == 0 ? rc : 0;	/* fewer threads than asked still finish the work */
}

void
compare_free(struct compare_point *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		eval_result_free(&p[i].res);
}

int
compare_write_pairs(const struct compare_point *p, unsigned nrows, unsigned nsched,
    const struct compare_opts *o, struct errbuf *e)
{
	char a[4096], b[4096], out[4096], name[160];
	struct diff d;
	unsigned r;
	size_t i;
	int rc;

	for (r = 0; r < nrows; r++) {
		const struct compare_point *cand = compare_find(p, r, nsched, COMPARE_CANDIDATE);
		const struct compare_point *base = compare_find(p, r, nsched, COMPARE_BASELINE);
		if (cand == NULL || base == NULL)
			continue;
		compare_file_name(cand->wl.name, name, sizeof name);
		snprintf(a, sizeof a, "%s/%s.r.mtr", o->outdir, cand->name);
		snprintf(b, sizeof b, "%s/%s.r.mtr", o->outdir, base->name);
		snprintf(out, sizeof out, "%s/%s-%s-vs-%s.pftrace", o->outdir, name,
		    COMPARE_CANDIDATE, COMPARE_BASELINE);
		for (i = 0; i < o->ninputs; i++)
			if (o->inputs[i] != NULL && outfile_same_file(out, o->inputs[i]))
				return errbuf_set(e, "%s: is the input %s; write the outputs into "
				    "another directory", out, o->inputs[i]);
		rc = diff_read(&d, a, b, e);
		if (rc == 0)
			rc = diff_write_perfetto(&d, out, e);
		diff_free(&d);
		if (rc != 0)
			return -1;
	}
	return 0;
}
