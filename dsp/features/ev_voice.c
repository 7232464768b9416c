/* See ev_voice.h. */
#include "ev_voice.h"

#include <math.h>
#include <string.h>

#define EV_MIN_CC    0.5  /* openSMILE minCC */
#define EV_PEAK_FLIP 0.05 /* period change (of the F0 period) taken as a peak on the wrong lobe */

static double ncc(const float *x, int a, int b, int len) {
  double xy = 0, xx = 0, yy = 0;
  for (int i = 0; i < len; i++) {
    xy += (double)x[a + i] * x[b + i];
    xx += (double)x[a + i] * x[a + i];
    yy += (double)x[b + i] * x[b + i];
  }
  return xx > 0 && yy > 0 ? xy / sqrt(xx * yy) : 0.0;
}

/* jitter (ratio) and shimmer (dB) over the periods found in x[0, n): each cycle ends at the
 * next cycle's peak, searched within +-10 % of the F0 period after the current one (parabolic
 * sub-sample position), and is kept while the two cycles' waveforms match (normalised
 * cross-correlation >= 0.5 at that lag, openSMILE's minCC). A correlation search over every lag
 * would cost 20 times more and, averaging over a whole cycle, smooths the jitter away. */
static void jitter_shimmer(const float *x, int n, double t0, double *jit, double *shim) {
  *jit = *shim = 0.0;
  int len = (int)lrint(t0), reach = (int)ceil(0.1 * t0);
  if (len < 4 || 2 * len + reach + 2 > n)
    return;
  int p = 1; /* start at the largest positive peak of the first period */
  for (int i = 2; i < len; i++)
    if (x[i] > x[p])
      p = i;
  double pos = p, per[32], amp[32];
  int np = 0;
  while (np < 32) {
    int q0 = p + len - reach, q1 = p + len + reach, q = q0;
    if (q1 + 1 >= n || q1 + len >= n)
      break;
    for (int i = q0 + 1; i <= q1; i++)
      if (x[i] > x[q])
        q = i;
    if (ncc(x, p, q, len) < EV_MIN_CC)
      break;
    double den = x[q - 1] - 2.0 * x[q] + x[q + 1];
    double frac = den < 0.0 ? 0.5 * (x[q - 1] - x[q + 1]) / den : 0.0;
    if (frac > 0.5 || frac < -0.5)
      frac = 0.0;
    per[np] = (q + frac) - pos;
    if (np > 0 && fabs(per[np] - per[np - 1]) > EV_PEAK_FLIP * t0) {
      /* The peak moved to a neighbouring lobe of the formant ringing (a period change of
       * 5-15 %, where real jitter is ~1 %): take the period from the waveform match over
       * the +-10 % range instead (openSMILE's way, which is used only here because it
       * averages real cycle-to-cycle jitter away: 0.74 % for 1.13 % on the synthetic vowel):
       * the cycle ends at the largest peak within 2 samples of the best-matching lag. */
      int lo = len - reach, hi = len + reach, best = len;
      double cb = -2.0;
      if (p + hi + len < n) {
        for (int l = lo; l <= hi; l++) {
          double c = ncc(x, p, p + l, len);
          if (c > cb) {
            cb = c;
            best = l;
          }
        }
        int m = p + best;
        q = m;
        for (int i = m - 2; i <= m + 2; i++)
          if (x[i] > x[q])
            q = i;
        den = x[q - 1] - 2.0 * x[q] + x[q + 1];
        frac = den < 0.0 ? 0.5 * (x[q - 1] - x[q + 1]) / den : 0.0;
        if (frac > 0.5 || frac < -0.5)
          frac = 0.0;
        per[np] = (q + frac) - pos;
      }
    }
    double a = 0.0; /* the cycle's peak amplitude */
    for (int i = p; i < q; i++)
      if (fabs(x[i]) > a)
        a = fabs(x[i]);
    amp[np] = a;
    np++;
    pos = q + frac;
    p = q;
  }
  if (np < 2)
    return;
  double sum_t = 0, sum_dt = 0, sum_da = 0;
  int nda = 0;
  for (int i = 0; i < np; i++)
    sum_t += per[i];
  for (int i = 1; i < np; i++) {
    sum_dt += fabs(per[i] - per[i - 1]);
    if (amp[i] > 0 && amp[i - 1] > 0) {
      sum_da += fabs(20.0 * log10(amp[i] / amp[i - 1]));
      nda++;
    }
  }
  *jit = (sum_dt / (np - 1)) / (sum_t / np);
  *shim = nda ? sum_da / nda : 0.0;
}

void ev_voice_quality(const float *seg, int n, double sr, double f0, float vq[EV_VQ_DIMS]) {
  for (int i = 0; i < EV_VQ_DIMS; i++)
    vq[i] = 0.0f;
  if (!(f0 > 0.0))
    return;
  double jit, shim;
  jitter_shimmer(seg, n, sr / f0, &jit, &shim);
  vq[EV_VQ_JITTER] = (float)jit;
  vq[EV_VQ_SHIMMER] = (float)shim;
}
