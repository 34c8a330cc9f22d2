/* meter: a progress line on a terminal for long runs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "meter.h"
#include "num.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
update(void *ctx, uint64_t done, uint64_t total)
{
	meter_update(ctx, done, total);
}

void
meter_init(struct meter *m, const char *cmd, const char *unit, bool quiet)
{
	const char *d = getenv("MASTRACE_PROGRESS_DELAY");

	m->cmd = cmd;
	m->unit = unit;
	m->on = !quiet && isatty(STDERR_FILENO);
	m->shown = false;
	m->start = now();
	m->last = 0;
	m->delay = 1.0;
	if (d != NULL && num_parse_double(d, &m->delay) != 0)
		m->delay = 1.0;
	m->p.fn = update;
	m->p.ctx = m;
}

const struct progress *
meter_progress(struct meter *m)
{
	return m->on ? &m->p : NULL;
}

static void
clock_text(double s, char *buf, size_t len)
{
	unsigned long t = (unsigned long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%lu:%02lu", t / 60, t % 60);
}

void
meter_update(struct meter *m, uint64_t done, uint64_t total)
{
	char a[NUM_TEXT_MAX], b[NUM_TEXT_MAX], left[32] = "";
	double t = now(), el = t - m->start, rate;

	if (!m->on || el < m->delay || (m->shown && t - m->last < 0.2))
		return;
	m->last = t;
	m->shown = true;
	rate = el > 0 ? (double)done / el : 0;
	fprintf(stderr, "\rmastrace: %s: %s", m->cmd, num_group(done, a));
	if (total > 0 && done <= total) {
		fprintf(stderr, " of %s %s (%.0f%%)", num_group(total, b), m->unit,
		    100.0 * (double)done / (double)total);
		if (rate > 0)
			clock_text((double)(total - done) / rate, left, sizeof left);
	} else {
		fprintf(stderr, " %s", m->unit);
	}
	if (rate >= 1e6)
		fprintf(stderr, ", %.1f M/s", rate / 1e6);
	else if (rate >= 1e3)
		fprintf(stderr, ", %.1f k/s", rate / 1e3);
	else
		fprintf(stderr, ", %.0f/s", rate);
	if (left[0])
		fprintf(stderr, ", %s left", left);
	fputs("\033[K", stderr);	/* the rest of a longer line before */
	fflush(stderr);
}

void
meter_done(struct meter *m)
{
	if (m->shown)
		fputs("\r\033[K", stderr);
	m->shown = false;
}
