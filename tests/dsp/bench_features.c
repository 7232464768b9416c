/* Benchmark (figures only, nothing asserted): x realtime of the whole feature pipeline at
 * 48 kHz (and 16 kHz, no resampling) on one core, per-block cost at block size 64 (worst vs
 * median), and memory per extractor instance. EMOVOX_BENCH_QUICK=1: a few seconds. */
#include "ev_features.h"
#include "ev_resample.h"
#include "rt_guard.h"
#include "test_signal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../common/bench_clock.h"

static void on_frame(void *user, const ev_frame *fr) {
  *(double *)user += fr->feat[EV_FEAT_MFCC][0];
}

static void on_frame_any(void *user, const ev_frame *fr) {
  *(double *)user += (double)fr->index;
}

/* mask: EV_FEATURE_MASK_ALL for the whole pipeline, or a model's inputs */
static double x_realtime(const ev_feature_config *cfg, double rate, const float *x, size_t n,
                         int runs, uint32_t mask) {
  double t[16], sink = 0;
  ev_extractor *ex = ev_extractor_new(cfg, rate, 512, NULL, 0);
  ev_extractor_set_features(ex, mask);
  ev_frame_fn fn = mask == EV_FEATURE_MASK_ALL ? on_frame : on_frame_any;
  for (int r = 0; r < runs; r++) {
    ev_extractor_reset(ex);
    double t0 = bench_cpu_s();
    for (size_t i = 0; i < n; i += 512)
      ev_extractor_process(ex, x + i, (uint32_t)(n - i < 512 ? n - i : 512), fn, &sink);
    t[r] = bench_cpu_s() - t0;
  }
  ev_extractor_free(ex);
  return (n / rate) / bench_median(t, (size_t)runs);
}

/* the extractor's resampler alone (ev_resample: soxr HQ), in its 64-sample chunks */
static double resampler_x_realtime(double rate, const float *x, size_t n, int runs) {
  double t[16];
  float out[256];
  ev_resample *rs = ev_resample_new(rate, 16000, NULL, 0);
  for (int r = 0; r < runs; r++) {
    ev_resample_reset(rs);
    double t0 = bench_cpu_s();
    for (size_t i = 0; i + EV_RESAMPLE_CHUNK <= n; i += EV_RESAMPLE_CHUNK)
      ev_resample_chunk(rs, x + i, out);
    t[r] = bench_cpu_s() - t0;
  }
  ev_resample_free(rs);
  return (n / rate) / bench_median(t, (size_t)runs);
}

int main(void) {
  const char *q = getenv("EMOVOX_BENCH_QUICK");
  int quick = q && strcmp(q, "0") && *q;
  double seconds = quick ? 4.0 : 30.0;
  int runs = quick ? 3 : 7;
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);

  size_t n48, n16, n44;
  float *x48 = test_signal(48000, seconds, &n48);
  float *x44 = test_signal(44100, seconds, &n44);
  float *x16 = test_signal(16000, seconds, &n16);
  const uint32_t model_mask = EV_FEATURE_BIT(EV_FEAT_LOGMEL) | EV_FEATURE_BIT(EV_FEAT_MFCC_DELTA) |
                              EV_FEATURE_BIT(EV_FEAT_ZCR) | EV_FEATURE_BIT(EV_FEAT_RMS);
  double xr48 = x_realtime(&cfg, 48000, x48, n48, runs, EV_FEATURE_MASK_ALL);
  double xr44 = x_realtime(&cfg, 44100, x44, n44, runs, EV_FEATURE_MASK_ALL);
  double xr16 = x_realtime(&cfg, 16000, x16, n16, runs, EV_FEATURE_MASK_ALL);
  double xm48 = x_realtime(&cfg, 48000, x48, n48, runs, model_mask);
  double xm16 = x_realtime(&cfg, 16000, x16, n16, runs, model_mask);
  printf("x realtime (median of %d runs, %.0f s of audio, block 512, thread CPU time):\n", runs,
         seconds);
  printf("  every feature, 48 kHz input (resampled):    %6.0f x realtime\n", xr48);
  printf("  every feature, 44.1 kHz input (resampled):  %6.0f x realtime\n", xr44);
  printf("  every feature, 16 kHz input (no resampling): %5.0f x realtime\n", xr16);
  printf("  logmel+mfcc_delta+zcr+rms (the emovox preset's inputs), 48 kHz: %6.0f x realtime\n",
         xm48);
  printf("  logmel+mfcc_delta+zcr+rms, 16 kHz:                              %6.0f x realtime\n",
         xm16);
  printf("  the resampler alone (ev_resample, soxr HQ, 64-sample chunks): 48 kHz %6.0f x, "
         "44.1 kHz %6.0f x realtime\n",
         resampler_x_realtime(48000, x48, n48, runs), resampler_x_realtime(44100, x44, n44, runs));

  /* Per-block cost at block size 64, 48 kHz. Each pass is timed block by block; the same
   * block index does the same work in every pass (deterministic schedule, and a fresh
   * extractor per pass: a reset moves the resampler's block bursts relative to the stream), so
   * the minimum over passes removes preemption by other processes and leaves the structural
   * cost. */
  size_t blocks = n48 / 64;
  int passes = quick ? 3 : 5;
  double *tmin = malloc(blocks * sizeof(double)), *traw = malloc(blocks * sizeof(double));
  double worst_raw = 0, sink = 0;
  ev_extractor *ex = NULL;
  for (int p = 0; p < passes; p++) {
    ev_extractor_free(ex);
    ex = ev_extractor_new(&cfg, 48000, 64, NULL, 0);
    for (size_t b = 0; b < blocks; b++) {
      double t0 = bench_wall_s();
      ev_extractor_process(ex, x48 + b * 64, 64, on_frame, &sink);
      double dt = bench_wall_s() - t0;
      traw[b] = dt;
      tmin[b] = p == 0 || dt < tmin[b] ? dt : tmin[b];
    }
    for (size_t b = 100; b < blocks; b++) /* skip the start-up (page faults, caches) */
      worst_raw = traw[b] > worst_raw ? traw[b] : worst_raw;
  }
  ev_extractor_free(ex);
  double worst = 0;
  for (size_t b = 100; b < blocks; b++)
    worst = tmin[b] > worst ? tmin[b] : worst;
  double med = bench_median(tmin + 100, blocks - 100);
  printf("block size 64 at 48 kHz (%zu blocks, min over %d passes per block):\n", blocks - 100,
         passes);
  printf("  median %.2f us, worst %.2f us, worst/median %.2f (raw single-pass worst %.1f us, "
         "includes preemption)\n",
         med * 1e6, worst * 1e6, worst / med, worst_raw * 1e6);

  rt_guard_measure_begin();
  ev_extractor *m = ev_extractor_new(&cfg, 48000, 1024, NULL, 0);
  size_t bytes = rt_guard_measure_end();
  long long live = rt_guard_measure_live();
  ev_extractor_free(m);
  if (rt_guard_available())
    printf("memory per instance (48 kHz, second instance, incl. FFTW plan and resampler): "
           "%lld bytes kept (%.1f KiB); %zu bytes requested in total during creation\n",
           live, live / 1024.0, bytes);
  else
    printf("memory per instance: n/a in this build (rt_guard disabled)\n");
  free(tmin);
  free(traw);
  free(x48);
  free(x16);
  return sink == 12345.0; /* keeps the work observable */
}
