/* Benchmark (figures only, nothing asserted): the cost of the eGeMAPS frame descriptors at
 * 48 kHz, alone and on top of the librosa feature set (the whole pipeline before issue 12),
 * per group, on the speech-like test signal (chirp + noise, 20 % digital silence) and on real
 * speech (the five openSMILE reference utterances, taken to 48 kHz by linear interpolation:
 * the cost, not the values, is what is measured). Thread CPU time, median of runs.
 * EMOVOX_BENCH_QUICK=1: a few seconds. */
#include "ev_features.h"
#include "ev_ref.h"
#include "test_signal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../common/bench_clock.h"

static void on_frame(void *user, const ev_frame *fr) {
  *(double *)user += (double)fr->index;
}

/* seconds of CPU per second of audio */
static double cost(double rate, const float *x, size_t n, int runs, uint32_t mask) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  ev_extractor *ex = ev_extractor_new(&cfg, rate, 512, NULL, 0);
  ev_extractor_set_features(ex, mask);
  double t[16], sink = 0;
  for (int r = 0; r < runs; r++) {
    ev_extractor_reset(ex);
    double t0 = bench_cpu_s();
    for (size_t i = 0; i < n; i += 512)
      ev_extractor_process(ex, x + i, (uint32_t)(n - i < 512 ? n - i : 512), on_frame, &sink);
    t[r] = bench_cpu_s() - t0;
  }
  ev_extractor_free(ex);
  qsort(t, (size_t)runs, sizeof *t, bench_cmp_double);
  return t[runs / 2] / (n / rate);
}

static void report(const char *what, double rate, const float *x, size_t n, int runs) {
  const uint32_t librosa = EV_FEATURE_BIT(EV_FEAT_PITCH) - 1u, eg = EV_FEATURE_MASK_EGEMAPS;
  const uint32_t spec = EV_FEATURE_BIT(EV_FEAT_LOUDNESS) |
                        EV_FEATURE_BIT(EV_FEAT_SPECTRAL_BALANCE) |
                        EV_FEATURE_BIT(EV_FEAT_MFCC_EGEMAPS);
  const uint32_t pitch = EV_FEATURE_BIT(EV_FEAT_PITCH);
  const uint32_t fmt = pitch | EV_FEATURE_BIT(EV_FEAT_FORMANTS);
  double c_lib = cost(rate, x, n, runs, librosa), c_all = cost(rate, x, n, runs, librosa | eg);
  double c_eg = cost(rate, x, n, runs, eg),
         c_rms = cost(rate, x, n, runs, EV_FEATURE_BIT(EV_FEAT_RMS));
  double c_spec = cost(rate, x, n, runs, spec), c_pitch = cost(rate, x, n, runs, pitch);
  double c_fmt = cost(rate, x, n, runs, fmt);
  printf("%s (%.0f s at %.0f Hz, block 512, median of %d runs), x realtime:\n", what, n / rate,
         rate, runs);
  printf("  librosa set (the pipeline before issue 12):  %6.0f x\n", 1 / c_lib);
  printf("  librosa set + every eGeMAPS descriptor:      %6.0f x\n", 1 / c_all);
  printf("  eGeMAPS descriptors alone (with resampling): %6.0f x\n", 1 / c_eg);
  printf("  RMS alone (resampling + framing only):       %6.0f x\n", 1 / c_rms);
  printf("  added cost of the eGeMAPS descriptors: %.1f %% of the librosa set (target <= 33 %%)\n",
         100 * (c_all - c_lib) / c_lib);
  printf("  per group, above the RMS-only baseline: loudness+spectral balance+mfcc %.1f us/s, "
         "pitch %.1f us/s, +formants %.1f us/s, +voice quality %.1f us/s (all eGeMAPS %.1f us/s)\n",
         1e6 * (c_spec - c_rms), 1e6 * (c_pitch - c_rms), 1e6 * (c_fmt - c_pitch),
         1e6 * (c_eg - c_fmt - (c_spec - c_rms)), 1e6 * (c_eg - c_rms));
}

/* the reference utterances, concatenated, linearly interpolated to 48 kHz */
static float *speech48(size_t *n_out) {
  static const char *const files[] = {"speech_ravdess_a01_angry", "speech_ravdess_a02_sad",
                                      "speech_tess_yaf_happy", "speech_turev_1984_calm",
                                      "speech_urdu_sm4_angry"};
  const char *lib = getenv("EMOVOX_REFERENCE");
  if (!lib)
    return NULL;
  float *out = NULL;
  size_t n = 0;
  for (int f = 0; f < 5; f++) {
    char p[1024];
    snprintf(p, sizeof p, "%s/../opensmile/%s.wav", lib, files[f]);
    size_t m = 0;
    double rate = 0;
    float *x = ev_ref_read_audio(p, &m, &rate);
    if (!x || m < 2)
      return out;
    float *grown = realloc(out, (n + 3 * m) * sizeof(float));
    if (!grown)
      return out;
    out = grown;
    for (size_t i = 0; i < 3 * (m - 1); i++) {
      double pos = i / 3.0;
      size_t k = (size_t)pos;
      out[n + i] = (float)(x[k] + (pos - k) * (x[k + 1] - x[k]));
    }
    n += 3 * (m - 1);
    free(x);
  }
  *n_out = n;
  return out;
}

int main(void) {
  const char *q = getenv("EMOVOX_BENCH_QUICK");
  int quick = q && strcmp(q, "0") && *q;
  int runs = quick ? 3 : 5;
  size_t n = 0;
  float *x = test_signal(48000, quick ? 4.0 : 20.0, &n);
  report("speech-like test signal", 48000, x, n, runs);
  free(x);
  x = speech48(&n);
  if (x) {
    report("real speech (5 utterances, 15 s)", 48000, x, n, runs);
    free(x);
  }
  return 0;
}
