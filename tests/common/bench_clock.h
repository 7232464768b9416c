/* The benchmarks' one set of clocks and medians (header only).
 *
 * The machine the benchmarks run on is shared, so they time this thread's CPU (what one core
 * spends on the work) next to the wall clock, and report medians of repeated runs: a single
 * run or the worst one measures the scheduler as much as the code. */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

#include <stdlib.h>
#include <time.h>

static inline double bench_clock_s(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
/* seconds of wall time (monotonic) */
static inline double bench_wall_s(void) {
  return bench_clock_s(CLOCK_MONOTONIC);
}
/* seconds of this thread's CPU time */
static inline double bench_cpu_s(void) {
  return bench_clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static inline int bench_cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
/* the median (the upper one for even n) of v[0..n), which it sorts */
static inline double bench_median(double *v, size_t n) {
  qsort(v, n, sizeof *v, bench_cmp_double);
  return v[n / 2];
}

#endif
