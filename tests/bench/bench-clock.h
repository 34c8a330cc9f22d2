/* bench-clock: the wall clock the benchmarks read. */
#ifndef MASTRACE_BENCH_CLOCK_H
#define MASTRACE_BENCH_CLOCK_H

#include <time.h>

/* Seconds on a monotonic clock. */
static inline double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
