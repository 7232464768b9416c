/* Benchmark (figures only, nothing asserted): cost of the eGeMAPS functionals on one core.
 * Streaming: push() of every 10 ms frame and compute() after every frame (the worst use: the
 * plugin needs far fewer), for windows of 1, 3, 5 and 10 s: mean and worst per call. Whole
 * file: ev_functionals_of_lld() over 10 minutes of frames. The frames are synthetic but
 * speech-like (60 % voiced in runs, wandering F0 and loudness), so the extremum thinning and
 * the sorted buffers do real work. EMOVOX_BENCH_QUICK=1: fewer frames. */
#include "ev_functionals.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "../common/bench_clock.h"

/* 99.9th percentile: the single worst call on a shared machine measures the scheduler */
static double p999(double *v, size_t n) {
  qsort(v, n, sizeof *v, bench_cmp_double);
  return v[(size_t)(0.999 * (double)(n - 1))];
}

static uint32_t rng = 12345u;
static double urand(void) {
  rng = rng * 1664525u + 1013904223u;
  return (rng >> 8) / 16777216.0;
}

static void make_frames(float *lld, size_t T) {
  double f0 = 40.0, loud = 0.5;
  int voiced = 0, run = 0;
  for (size_t t = 0; t < T; t++) {
    float *v = lld + t * EV_EGEMAPS_N_LLD;
    if (run-- <= 0) { /* voiced runs of 50-300 ms, pauses of 30-200 ms */
      voiced = !voiced;
      run = voiced ? 5 + (int)(urand() * 25) : 3 + (int)(urand() * 17);
    }
    f0 += (urand() - 0.5) * 0.8;
    f0 = f0 < 30 ? 30 : f0 > 55 ? 55 : f0;
    loud += (urand() - 0.5) * 0.3;
    loud = loud < 0.01 ? 0.01 : loud > 3 ? 3 : loud;
    for (int i = 0; i < EV_EGEMAPS_N_LLD; i++)
      v[i] = (float)(urand() * 10.0 - 5.0);
    v[EV_LLD_LOUDNESS] = (float)(voiced ? loud : loud * 0.1);
    v[EV_LLD_F0] = voiced ? (float)f0 : 0.0f;
    for (int i = EV_LLD_JITTER; i <= EV_LLD_H1_A3; i++)
      if (!voiced)
        v[i] = 0.0f;
    if (!voiced)
      v[EV_LLD_F1_AMP] = v[EV_LLD_F2_AMP] = v[EV_LLD_F3_AMP] = -201.0f;
  }
}

int main(void) {
  const char *q = getenv("EMOVOX_BENCH_QUICK");
  size_t T = (q && q[0] == '1') ? 6000 : 60000; /* 1 or 10 minutes */
  float *lld = malloc(T * EV_EGEMAPS_N_LLD * sizeof(float));
  float *energy = malloc(T * sizeof(float));
  if (!lld || !energy)
    return 1;
  make_frames(lld, T);
  for (size_t t = 0; t < T; t++)
    energy[t] = 1e-3f;
  float out[EV_FUNC_N];
  double sink = 0;
  printf("eGeMAPS functionals, %zu frames (%.0f s of speech-like LLDs)\n", T, T * 0.01);
  const double windows[] = {1.0, 3.0, 5.0, 10.0};
  for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
    ev_functionals *f = ev_functionals_new(windows[w], NULL, 0);
    double tp = 0, tc = 0;
    double *dp = malloc(T * sizeof(double)), *dc = malloc(T * sizeof(double));
    size_t m = 0;
    for (size_t t = 0; t < T; t++) {
      double t0 = bench_cpu_s();
      ev_functionals_push(f, lld + t * EV_EGEMAPS_N_LLD, energy[t]);
      double t1 = bench_cpu_s();
      ev_functionals_compute(f, out);
      double t2 = bench_cpu_s();
      sink += out[0];
      if (t > ev_functionals_capacity(f)) { /* steady state: the window is full */
        tp += t1 - t0;
        tc += t2 - t1;
        dp[m] = t1 - t0;
        dc[m++] = t2 - t1;
      }
    }
    printf("window %4.1f s: push %.2f us mean (99.9 %% %.1f), compute %.2f us mean (99.9 %% "
           "%.1f); push + compute every frame = %.3f %% of one core\n",
           windows[w], 1e6 * tp / m, 1e6 * p999(dp, m), 1e6 * tc / m, 1e6 * p999(dc, m),
           100.0 * (tp + tc) / (m * 0.01));
    free(dp);
    free(dc);
    ev_functionals_free(f);
  }
  /* The plugin's use (egemaps_func): a 4 s window, compute() every EV_FUNC_EVERY (10) frames,
   * with and without ev_functionals_schedule(): the worst frame (push, plus compute on every
   * 10th) is what lands in one audio block. */
  for (int sched = 0; sched < 2; sched++) {
    ev_functionals *f = ev_functionals_new(4.0, NULL, 0);
    double *d = malloc(T * sizeof(double)), tot = 0;
    size_t m = 0;
    for (size_t t = 0; t < T; t++) {
      double a = bench_cpu_s();
      ev_functionals_push(f, lld + t * EV_EGEMAPS_N_LLD, energy[t]);
      if (t % 10 == 0) {
        ev_functionals_compute(f, out);
        if (sched)
          ev_functionals_schedule(f, 10);
      }
      double b = bench_cpu_s();
      sink += out[0];
      if (t > ev_functionals_capacity(f)) {
        tot += b - a;
        d[m++] = b - a;
      }
    }
    double mean = tot / m;
    qsort(d, m, sizeof *d, bench_cmp_double);
    printf("window 4 s, compute every 10th frame%s: %.2f us per frame mean, median %.2f, 99th %% "
           "%.2f, 99.9th %% %.2f (the compute frames are the top 10 %%)\n",
           sched ? ", scheduled (the walk spread over the pushes)" : " (whole walk in compute)",
           1e6 * mean, 1e6 * d[m / 2], 1e6 * d[(size_t)(0.99 * (m - 1))],
           1e6 * d[(size_t)(0.999 * (m - 1))]);
    free(d);
    ev_functionals_free(f);
  }
  double t0 = bench_cpu_s();
  ev_functionals_of_lld(lld, energy, T, out);
  double t1 = bench_cpu_s();
  printf("whole file (%zu frames): %.2f ms\n", T, 1e3 * (t1 - t0));
  printf("(checksum %g)\n", sink + out[0]);
  free(lld);
  free(energy);
  return 0;
}
