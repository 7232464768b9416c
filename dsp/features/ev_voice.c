/* See ev_voice.h. */
#include "ev_voice.h"

#include <math.h>
#include <string.h>

#include "ev_clones.h" /* dsp/kernels */

#define EV_MIN_CC    0.5  /* openSMILE minCC */
#define EV_PEAK_FLIP 0.05 /* period change (of the F0 period) taken as a peak on the wrong lobe */

/* The normalised cross-correlations below all read the segment widened to double once (x:
 * each product took the same conversion) and sum in i order from 0, in double, so every sum is
 * the one the direct loop makes; where several lags are wanted, their sums are the lanes of
 * generic vectors (element-wise, no fused multiply-add: the baseline and AVX clones agree). */
static double ncc_of(double xy, double xx, double yy) {
  return xx > 0 && yy > 0 ? xy / sqrt(xx * yy) : 0.0;
}

/* xy, xx, yy of x[a..a+len) against x[b..b+len) continued from the given sums over i < from */
static void ncc_sums(const double *x, int a, int b, int from, int len, double *xy, double *xx,
                     double *yy) {
  double sxy = *xy, sxx = *xx, syy = *yy;
  for (int i = from; i < len; i++) {
    sxy += x[a + i] * x[b + i];
    sxx += x[a + i] * x[a + i];
    syy += x[b + i] * x[b + i];
  }
  *xy = sxy;
  *xx = sxx;
  *yy = syy;
}

/* The sums of four lags at once: x[a..a+len) against x[b+k..b+k+len) for k < 4 (reads up to
 * x[b + len + 2]); xx, the same for every lag, once. */
EV_TARGET_CLONES
static void ncc_lags4(const double *x, int a, int b, int len, double xy[4], double yy[4],
                      double *xx) {
#if defined(__GNUC__) || defined(__clang__)
  typedef double v4d __attribute__((vector_size(32)));
  v4d sxy = {0.0, 0.0, 0.0, 0.0}, syy = sxy, y;
  double sxx = 0.0;
  for (int i = 0; i < len; i++) {
    const double xa = x[a + i];
    const v4d av = {xa, xa, xa, xa};
    memcpy(&y, x + b + i, sizeof y); /* unaligned load */
    sxy += av * y;
    syy += y * y;
    sxx += xa * xa;
  }
  memcpy(xy, &sxy, sizeof sxy);
  memcpy(yy, &syy, sizeof syy);
  *xx = sxx;
#else
  for (int k = 0; k < 4; k++) {
    xy[k] = yy[k] = *xx = 0.0;
    ncc_sums(x, a, b + k, 0, len, &xy[k], xx, &yy[k]);
  }
#endif
}

/* ncc of x[a..) against x[b..) over len; *memo holds the sum of squares of the block at
 * *memo_at (the last call's second block, which the jitter walk's next call starts from) */
static double ncc_walk(const double *x, int a, int b, int len, int *memo_at, double *memo) {
  double xy = 0.0, xx = 0.0, yy = 0.0;
  if (a == *memo_at) {
    for (int i = 0; i < len; i++) {
      xy += x[a + i] * x[b + i];
      yy += x[b + i] * x[b + i];
    }
    xx = *memo;
  } else
    ncc_sums(x, a, b, 0, len, &xy, &xx, &yy);
  *memo_at = b;
  *memo = yy;
  return ncc_of(xy, xx, yy);
}

/* jitter (ratio) and shimmer (dB) over the periods found in x[0, n): each cycle ends at the
 * next cycle's peak, searched within +-10 % of the F0 period after the current one (parabolic
 * sub-sample position), and is kept while the two cycles' waveforms match (normalised
 * cross-correlation >= 0.5 at that lag, openSMILE's minCC). A correlation search over every lag
 * would cost 20 times more and, averaging over a whole cycle, smooths the jitter away. */
static void jitter_shimmer(const float *x, const double *xd, int n, double t0, double *jit,
                           double *shim) {
  *jit = *shim = 0.0;
  int memo_at = -1;
  double memo = 0.0;
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
    if (ncc_walk(xd, p, q, len, &memo_at, &memo) < EV_MIN_CC)
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
        for (int l = lo; l <= hi; l += 4) {
          double xy[4], yy[4], xx = 0.0;
          const int nl = hi - l + 1 < 4 ? hi - l + 1 : 4;
          if (nl == 4)
            ncc_lags4(xd, p, p + l, len, xy, yy, &xx);
          else
            for (int k = 0; k < nl; k++) {
              xy[k] = yy[k] = xx = 0.0;
              ncc_sums(xd, p, p + l + k, 0, len, &xy[k], &xx, &yy[k]);
            }
          for (int k = 0; k < nl; k++) {
            double c = ncc_of(xy[k], xx, yy[k]);
            if (c > cb) {
              cb = c;
              best = l + k;
            }
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
  double xd[EV_VOICE_SEG]; /* the segment in double, as every correlation product reads it */
  if (n > EV_VOICE_SEG)
    n = EV_VOICE_SEG; /* the bound ev_voice.h states */
  for (int i = 0; i < n; i++)
    xd[i] = seg[i];
  double jit, shim;
  jitter_shimmer(seg, xd, n, sr / f0, &jit, &shim);
  vq[EV_VQ_JITTER] = (float)jit;
  vq[EV_VQ_SHIMMER] = (float)shim;
}
