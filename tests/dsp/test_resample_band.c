/* Host-rate resampling and the mel range. The same speech-like signal is analysed at 16 kHz
 * and, taken to 44.1 and 48 kHz by an independent high-quality resampler (speexdsp quality 10),
 * through the extractor's own resampler. With fmax 7 kHz (the shipped model's range) every
 * log-mel band must match the 16 kHz analysis: what the model reads does not depend on the
 * host rate. With the default 8 kHz range the bands below 6.8 kHz must match, while the top
 * bands show the resampler's roll-off (documented in docs/features.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ev_features.h"
#include "ev_test.h"
#include "test_resample.h"
#include "test_signal.h"

/* Mean |difference| in dB per band over frames where the 16 kHz band is within 60 dB of its
 * frame's loudest band (below that the float FFT's noise floor decides, not the resampler). */
static void band_errors(const float *a, const float *b, size_t T, int B, double *err) {
  for (int i = 0; i < B; i++) {
    double sum = 0;
    int cnt = 0;
    for (size_t t = 0; t < T; t++) {
      float mx = -1e9f;
      for (int k = 0; k < B; k++)
        mx = fmaxf(mx, a[t * B + k]);
      if (a[t * B + i] < mx - 60.0f)
        continue;
      sum += fabs((double)a[t * B + i] - (double)b[t * B + i]);
      cnt++;
    }
    err[i] = cnt ? sum / cnt : 0.0;
  }
}

static float *logmel(const ev_feature_config *cfg, double rate, const float *x, size_t n,
                     size_t *T) {
  int want[EV_FEAT_COUNT] = {0};
  want[EV_FEAT_LOGMEL] = 1;
  float *out[EV_FEAT_COUNT] = {0};
  size_t frames[EV_FEAT_COUNT] = {0};
  char err[256];
  if (ev_extract_buffer(cfg, rate, x, n, want, out, frames, err, sizeof err) != 0) {
    fprintf(stderr, "extract: %s\n", err);
    exit(1);
  }
  *T = frames[EV_FEAT_LOGMEL];
  return out[EV_FEAT_LOGMEL];
}

int main(void) {
  size_t n16;
  float *x16 = test_signal(16000, 4.0, &n16);
  ev_feature_config c7, c8;
  ev_feature_config_default(&c8);
  c7 = c8;
  c7.fmax = 7000.0f;
  const int rates[] = {44100, 48000};
  for (int r = 0; r < 2; r++) {
    size_t nh = 0;
    float *xh = test_resample_from_16k(x16, n16, rates[r], &nh);
    if (!xh) {
      fprintf(stderr, "out of memory\n");
      return 1;
    }
    for (int k = 0; k < 2; k++) {
      const ev_feature_config *cfg = k ? &c8 : &c7;
      size_t Ta, Tb;
      float *a = logmel(cfg, 16000, x16, n16, &Ta), *b = logmel(cfg, rates[r], xh, nh, &Tb);
      EV_CHECK(Ta == Tb, "%d Hz: %zu frames vs %zu", rates[r], Tb, Ta);
      double e[64] = {0};
      band_errors(a, b, Ta < Tb ? Ta : Tb, cfg->n_mels, e);
      double worst = 0, worst_low = 0;
      for (int i = 0; i < cfg->n_mels; i++) {
        worst = fmax(worst, e[i]);
        if (i < 58) /* every band of the 8 kHz range whose upper edge is below 6.8 kHz */
          worst_low = fmax(worst_low, e[i]);
      }
      printf("%d Hz, fmax %.0f: worst band %.3f dB, bands 0-57 %.3f dB, top band %.2f dB\n",
             rates[r], (double)cfg->fmax, worst, worst_low, e[cfg->n_mels - 1]);
      if (k == 0)
        EV_CHECK(worst < 0.1, "%d Hz, fmax 7 kHz: every band within 0.1 dB (%.3f)", rates[r],
                 worst);
      else
        EV_CHECK(worst_low < 0.1, "%d Hz, fmax 8 kHz: bands 0-57 within 0.1 dB (%.3f)", rates[r],
                 worst_low);
      free(a);
      free(b);
    }
    free(xh);
  }
  free(x16);
  EV_TEST_END();
}
