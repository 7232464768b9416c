/* Host rates 8 k .. 192 k: a 1 kHz sine peaks in the mel band the Slaney formula predicts
 * (computed here independently of dsp/features), the frame count follows the resampled
 * length, and every feature is finite (also at 8 kHz, where half the mel range is empty). */
#include "ev_features.h"
#include "ev_test.h"

#include <math.h>
#include <string.h>

/* Slaney mel scale, written from the README formula */
static double mel_of(double f) {
  return f < 1000 ? f * 3 / 200 : 15 + 27 * log(f / 1000) / log(6.4);
}
static double hz_of(double m) {
  return m < 15 ? m * 200 / 3 : 1000 * exp((m - 15) * log(6.4) / 27);
}

static int expected_band(double f, int n_mels, double f_max) {
  int best = -1;
  double best_w = -1;
  for (int i = 0; i < n_mels; i++) {
    double lo = hz_of(mel_of(f_max) * i / (n_mels + 1));
    double c = hz_of(mel_of(f_max) * (i + 1) / (n_mels + 1));
    double hi = hz_of(mel_of(f_max) * (i + 2) / (n_mels + 1));
    double tri = f < c ? (f - lo) / (c - lo) : (hi - f) / (hi - c);
    double w = fmax(0, tri) * 2 / (hi - lo);
    if (w > best_w) {
      best_w = w;
      best = i;
    }
  }
  return best;
}

int main(void) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  const double rates[] = {8000, 11025, 22050, 44100, 48000, 88200, 96000, 192000};
  int band = expected_band(1000.0, cfg.n_mels, cfg.fmax);
  printf("1 kHz: expected mel band %d\n", band);
  for (size_t r = 0; r < sizeof rates / sizeof *rates; r++) {
    size_t n = (size_t)rates[r]; /* 1 s */
    float *x = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++)
      x[i] = (float)(0.5 * sin(2 * M_PI * 1000.0 * i / rates[r]));
    float *out[EV_FEAT_COUNT];
    size_t rows[EV_FEAT_COUNT];
    char err[256];
    int rc = ev_extract_buffer(&cfg, rates[r], x, n, NULL, out, rows, err, sizeof err);
    EV_CHECK(rc == 0, "%.0f Hz: %s", rates[r], err);
    free(x);
    if (rc)
      continue;
    size_t n16 = (size_t)ceil(n * 16000.0 / rates[r]);
    EV_CHECK(rows[EV_FEAT_MEL] == 1 + (n16 - 512) / 160, "%.0f Hz: %zu frames", rates[r],
             rows[EV_FEAT_MEL]);
    int nonfinite = 0, wrong = 0;
    for (int id = 0; id < EV_FEAT_COUNT; id++) {
      size_t cnt = rows[id] * (size_t)ev_feature_dims(&cfg, (ev_feature_id)id);
      for (size_t i = 0; i < cnt; i++)
        nonfinite += !isfinite(out[id][i]);
    }
    /* interior frames (the edges see the resampler's start-up and the zero padding) */
    for (size_t t = 2; t + 2 < rows[EV_FEAT_MEL]; t++) {
      const float *m = out[EV_FEAT_MEL] + t * 64;
      int arg = 0;
      for (int i = 1; i < 64; i++)
        if (m[i] > m[arg])
          arg = i;
      wrong += arg != band;
    }
    EV_CHECK(nonfinite == 0, "%.0f Hz: %d non-finite values", rates[r], nonfinite);
    EV_CHECK(wrong == 0, "%.0f Hz: %d frames peak outside band %d", rates[r], wrong, band);
    printf("%6.0f Hz: %zu frames, all finite, peak band %d in every interior frame%s\n", rates[r],
           rows[EV_FEAT_MEL], band, wrong ? " (NOT)" : "");
    for (int id = 0; id < EV_FEAT_COUNT; id++)
      free(out[id]);
  }
  EV_TEST_END();
}
