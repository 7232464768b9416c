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

/* Harmonic magnitudes: |Hann-windowed DFT of x| at h * f0 Hz for the harmonic numbers h of a
 * frame (H1, H2 and the two harmonics on either side of each formant: at most 8, several of
 * them shared). Each is a phasor e^{-j w i} advanced by rotation, a serial recursion whose
 * latency bound the cost when the harmonics were taken one after another; here all of a
 * frame's harmonics advance together in one pass over x, each with exactly the arithmetic it
 * had alone (same operations, same order, no fused multiply-add), so the magnitudes are the
 * same bits and the independent recursions overlap. */
#define MAX_HARM 8

typedef struct harm_set {
  int n;
  int h[MAX_HARM];
  double mag[MAX_HARM];
} harm_set;

/* Index of harmonic h in the set, added if new. */
static int harm_want(harm_set *s, int h) {
  for (int i = 0; i < s->n; i++)
    if (s->h[i] == h)
      return i;
  s->h[s->n] = h;
  return s->n++;
}

#if defined(__GNUC__) || defined(__clang__)
typedef double v4d_h __attribute__((vector_size(32)));
#endif

/* The recursions of up to MAX_HARM harmonics, lane by lane: as generic vectors of four (the
 * lanes are independent and element-wise, without fused multiply-add, so the baseline and AVX
 * clones and the scalar fallback compute the same bits). */
EV_TARGET_CLONES
static void harm_run(const float *x, const float *win, int n, const double *c, const double *sn,
                     double *re, double *im) {
#if defined(__GNUC__) || defined(__clang__)
  v4d_h c0, c1, s0, s1, r0 = {0}, r1 = {0}, i0 = {0}, i1 = {0};
  v4d_h p0 = {1.0, 1.0, 1.0, 1.0}, p1 = p0, q0 = {0}, q1 = {0}; /* phasors: real, imaginary */
  memcpy(&c0, c, sizeof c0);
  memcpy(&c1, c + 4, sizeof c1);
  memcpy(&s0, sn, sizeof s0);
  memcpy(&s1, sn + 4, sizeof s1);
  for (int i = 0; i < n; i++) {
    const double xw = x[i] * win[i]; /* the float product, as each harmonic took it */
    const v4d_h w = {xw, xw, xw, xw};
    r0 += w * p0;
    i0 += w * q0;
    r1 += w * p1;
    i1 += w * q1;
    const v4d_h n0 = p0 * c0 + q0 * s0, m0 = q0 * c0 - p0 * s0;
    const v4d_h n1 = p1 * c1 + q1 * s1, m1 = q1 * c1 - p1 * s1;
    p0 = n0;
    q0 = m0;
    p1 = n1;
    q1 = m1;
  }
  memcpy(re, &r0, sizeof r0);
  memcpy(re + 4, &r1, sizeof r1);
  memcpy(im, &i0, sizeof i0);
  memcpy(im + 4, &i1, sizeof i1);
#else
  double pr[MAX_HARM], pi[MAX_HARM];
  for (int j = 0; j < MAX_HARM; j++) {
    re[j] = im[j] = pi[j] = 0.0;
    pr[j] = 1.0;
  }
  for (int i = 0; i < n; i++) {
    const float xw = x[i] * win[i];
    for (int j = 0; j < MAX_HARM; j++) {
      re[j] += xw * pr[j];
      im[j] += xw * pi[j];
      const double nr = pr[j] * c[j] + pi[j] * sn[j], ni = pi[j] * c[j] - pr[j] * sn[j];
      pr[j] = nr;
      pi[j] = ni;
    }
  }
#endif
}

static void harm_compute(harm_set *s, const float *x, const float *win, int n, double sr,
                         double f0) {
  /* unused lanes turn a phasor of frequency 0 and are not read */
  double c[MAX_HARM], sn[MAX_HARM], re[MAX_HARM], im[MAX_HARM];
  int idx[MAX_HARM], m = 0;
  for (int k = 0; k < MAX_HARM; k++) {
    c[k] = 1.0;
    sn[k] = 0.0;
  }
  for (int k = 0; k < s->n; k++) {
    const double f = (double)s->h[k] * f0; /* h * f0 as the harmonic frequencies always were */
    s->mag[k] = 0.0;
    if (!(f > 0.0 && f < sr / 2.0))
      continue;
    const double w = 2.0 * M_PI * f / sr;
    c[m] = cos(w);
    sn[m] = sin(w);
    idx[m++] = k;
  }
  if (!m)
    return;
  harm_run(x, win, n, c, sn, re, im);
  for (int j = 0; j < m; j++)
    s->mag[idx[j]] = sqrt(re[j] * re[j] + im[j] * im[j]);
}

/* The two harmonics next to frequency f (below: none if f < f0), in the set. */
typedef struct harm_pair {
  int lo, hi; /* indices in the set, lo -1 if none */
} harm_pair;

static harm_pair harm_near_want(harm_set *s, double f0, double f) {
  double h = floor(f / f0);
  if (!(h < 1e6)) /* an absurd formant: its harmonics lie above sr / 2 (magnitude 0) either way */
    h = 1e6;
  harm_pair p = {-1, -1};
  if (h >= 1)
    p.lo = harm_want(s, (int)h);
  p.hi = harm_want(s, (int)h + 1);
  return p;
}

/* the strongest of the harmonics next to a frequency */
static double harm_near(const harm_set *s, harm_pair p) {
  double a = p.lo >= 0 ? s->mag[p.lo] : 0.0, b = s->mag[p.hi];
  return a > b ? a : b;
}

static float db(double a, double b) {
  return a > 0 && b > 0 ? (float)(20.0 * log10(a / b)) : 0.0f;
}

void ev_voice_hann(float *win, int n) {
  for (int i = 0; i < n; i++)
    win[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * (i + 0.5) / n));
}

void ev_voice_quality(const float *seg, const float *win, int n, double sr, double f0,
                      const double fmt[6], float vq[5], float amp[3]) {
  for (int i = 0; i < 5; i++)
    vq[i] = 0.0f;
  for (int i = 0; i < 3; i++)
    amp[i] = 0.0f;
  if (!(f0 > 0.0))
    return;
  double xd[EV_VOICE_SEG]; /* the segment in double, as every correlation product reads it */
  if (n > EV_VOICE_SEG)
    n = EV_VOICE_SEG; /* the bound ev_voice.h states */
  for (int i = 0; i < n; i++)
    xd[i] = seg[i];
  double t0 = sr / f0, jit, shim;
  jitter_shimmer(seg, xd, n, t0, &jit, &shim);
  vq[0] = (float)jit;
  vq[1] = (float)shim;
  /* HNR: normalised autocorrelation at the best lag within one sample of the period */
  int l0 = (int)lrint(t0);
  double r = 0.0;
  double xy[4], yy[4], xx[4];
  if (l0 - 1 > 0 && l0 + 1 < n / 2) {
    /* the three lags together over the shortest one's length less one (the fourth lane reads
     * one sample further), then each continues alone to its own length n - l */
    const int common = n - (l0 + 1) - 1;
    ncc_lags4(xd, 0, l0 - 1, common, xy, yy, &xx[0]);
    xx[1] = xx[2] = xx[0];
    for (int k = 0; k < 3; k++)
      ncc_sums(xd, 0, l0 - 1 + k, common, n - (l0 - 1 + k), &xy[k], &xx[k], &yy[k]);
  } else
    for (int k = 0; k < 3; k++) {
      const int l = l0 - 1 + k;
      xy[k] = xx[k] = yy[k] = 0.0;
      if (l > 0 && l < n / 2)
        ncc_sums(xd, 0, l, 0, n - l, &xy[k], &xx[k], &yy[k]);
    }
  for (int k = 0; k < 3; k++) {
    const int l = l0 - 1 + k;
    if (l > 0 && l < n / 2) {
      double c = ncc_of(xy[k], xx[k], yy[k]);
      if (c > r)
        r = c;
    }
  }
  if (r > 0.0) {
    if (r > 0.999999)
      r = 0.999999;
    vq[2] = (float)(10.0 * log10(r / (1.0 - r)));
  } else
    vq[2] = -100.0f; /* openSMILE's floor for aperiodic frames */
  harm_set hs;
  hs.n = 0;
  const int i1 = harm_want(&hs, 1), i2 = harm_want(&hs, 2);
  harm_pair near[3];
  for (int k = 0; k < 3; k++)
    if (fmt && fmt[2 * k] > 0.0)
      near[k] = harm_near_want(&hs, f0, fmt[2 * k]);
  harm_compute(&hs, seg, win, n, sr, f0);
  const double h1 = hs.mag[i1];
  vq[3] = db(h1, hs.mag[i2]);
  if (fmt && fmt[4] > 0.0)
    vq[4] = db(h1, harm_near(&hs, near[2]));
  for (int k = 0; k < 3 && fmt; k++)
    if (fmt[2 * k] > 0.0)
      amp[k] = db(harm_near(&hs, near[k]), h1);
}
