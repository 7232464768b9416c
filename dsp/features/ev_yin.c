/* aubio's YIN, bit for bit, with a vectorised difference function (see ev_yin.h). */
#include "ev_yin.h"

#include <string.h>

#include "../kernels/ev_clones.h"

#define LAGS 16 /* lags per pass over the window */

/* d[k] = sum_{j < len} (x[j] - x[j + t0 + k])^2 for k < LAGS, each lane summed in j order as
 * aubio sums one lag (float, no fused multiply-add: the build passes -ffp-contract=off). */
EV_TARGET_CLONES
static void diff_lags(const float *x, int len, int t0, float *d) {
#if defined(__GNUC__) || defined(__clang__)
  typedef float v8f __attribute__((vector_size(32)));
  v8f a0 = {0}, a1 = {0};
  const float *y = x + t0;
  for (int j = 0; j < len; j++) {
    const float s = x[j];
    const v8f b = {s, s, s, s, s, s, s, s};
    v8f y0, y1;
    memcpy(&y0, y + j, sizeof y0); /* unaligned loads */
    memcpy(&y1, y + j + 8, sizeof y1);
    const v8f e0 = b - y0, e1 = b - y1;
    a0 += e0 * e0;
    a1 += e1 * e1;
  }
  memcpy(d, &a0, sizeof a0);
  memcpy(d + 8, &a1, sizeof a1);
#else
  for (int k = 0; k < LAGS; k++) {
    float a = 0.0f;
    for (int j = 0; j < len; j++) {
      const float e = x[j] - x[j + t0 + k];
      a += e * e;
    }
    d[k] = a;
  }
#endif
}

/* aubio's fvec_quadratic_peak_pos on d[0..len) */
static float peak_pos(const float *d, int len, int pos) {
  if (pos == 0 || pos == len - 1)
    return (float)pos;
  const float half = 0.5f, two = 2.0f, s0 = d[pos - 1], s1 = d[pos], s2 = d[pos + 1];
  return (float)pos + half * (s0 - s2) / (s0 - two * s1 + s2);
}

float ev_yin(const float *x, int win, float tol, unsigned sr, float *d, float *conf) {
  const int len = win / 2;
  float raw[LAGS], cum = 0.0f;
  int peak = -1;
  d[0] = 1.0f;
  for (int t0 = 1; t0 < len && peak < 0; t0 += LAGS) {
    /* the last pass starts early enough to stay inside the window (x[0..win)): the lags it
     * repeats come out the same and are not used twice */
    const int s = t0 + LAGS <= len ? t0 : len - LAGS;
    diff_lags(x, len, s, raw);
    const int end = t0 + LAGS < len ? t0 + LAGS : len;
    for (int tau = t0; tau < end; tau++) {
      const float v = raw[tau - s];
      cum += v;
      d[tau] = cum != 0.0f ? v * ((float)tau / cum) : 1.0f;
      const int period = tau - 3;
      if (tau > 4 && d[period] < tol && d[period] < d[period + 1]) {
        peak = period;
        break;
      }
    }
  }
  if (peak < 0) { /* aubio's fvec_min_elem: the last of equal minima */
    float m = d[0];
    peak = 0;
    for (int j = 0; j < len; j++) {
      peak = m < d[j] ? peak : j;
      m = m < d[j] ? m : d[j];
    }
  }
  const float lag = peak_pos(d, len, peak);
  *conf = (float)(1.0 - (double)d[peak]);
  return lag > 0.0f ? (float)((double)sr / ((double)lag + 0.0)) : 0.0f;
}
