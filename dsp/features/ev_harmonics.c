/* See ev_harmonics.h. Follows openSMILE 3.0's cHarmonics (findHarmonicPeaks for a spectrum with
 * a frequency axis, postProcessHarmonics, getFormantAmplitudeIndices, the ACF HNR) step by step,
 * including its tie rules, so that the descriptors are eGeMAPS'. */
#include "ev_harmonics.h"

#include <math.h>

#define MAX_HARM 100 /* eGeMAPS' nHarmonics */

void ev_harmonics_window(float *win, int n) {
  const double half = (n - 1.0) / 2.0;
  for (int i = 0; i < n; i++) {
    const double u = (i - half) / (0.4 * half);
    win[i] = (float)exp(-0.5 * u * u);
  }
}

/* the bin nearest to freq at or above start - 1 (cHarmonics::freqToBin: it walks up from start
 * to the first bin above freq and takes it or the one below, the upper on a tie; 0 when freq is
 * at or above the last bin), in closed form */
static int freq_to_bin(double freq, int start, double bin_hz) {
  if (start < 1)
    start = 1;
  int k = (int)floor(freq / bin_hz) + 1; /* the first bin above freq */
  if (k < start)
    k = start;
  if (k >= EV_HARM_NBINS)
    return 0;
  return k * bin_hz - freq > freq - (k - 1) * bin_hz ? k - 1 : k;
}

static int is_peak(const float *x, int n) {
  if (n < 0 || n >= EV_HARM_NBINS)
    return 0;
  if (n + 1 < EV_HARM_NBINS)
    return n > 0 ? x[n] > x[n - 1] && x[n] > x[n + 1] : x[0] > x[1];
  return n > 0 && x[n] > x[n - 1];
}

typedef struct harm {
  int bin, dup;
  double mag, mag_interp, freq_interp;
} harm;

/* cHarmonics::postProcessHarmonics' level of harmonic i (dB re the fundamental's peak) */
static double log_rel(const harm *hs, int i, int rel, double m0) {
  if (i == 0)
    return 0.0;
  if (hs[i].dup || !rel)
    return -201.0;
  return hs[i].mag_interp > 0.0 ? fmax(20.0 * (log10(hs[i].mag_interp) - m0), -200.0) : -200.0;
}

/* |acf[i]|: taken where the peak search reads it (a few bins around the lag, and both ends)
 * instead of over all 513 bins first */
static float acf_abs(const float *acf, int i) {
  return fabsf(acf[i]);
}

static int acf_peak(const float *acf, int i) {
  const int n = EV_HARM_NBINS;
  const float ai = acf_abs(acf, i);
  if (i + 1 < n)
    return i > 0 ? ai > acf_abs(acf, i - 1) && ai > acf_abs(acf, i + 1) : ai > acf_abs(acf, 1);
  return i > 0 && ai > acf_abs(acf, i - 1);
}

/* HNR from the autocorrelation (absolute value, bins 0 .. EV_HARM_NBINS-1 as cHarmonics keeps
 * them) at the peak closest to lag floor(fs / f0) (getClosestPeak: left before right, then its
 * edge rules), 10 log10(a[T] / (a[0] - a[T])) clipped as openSMILE clips it */
static float acf_hnr(const float *acf, double bin_hz, double f0) {
  const double fs = (EV_HARM_NBINS - 1) * bin_hz * 2.0;
  const int n = EV_HARM_NBINS, idx = (int)floor(fs / f0);
  if (idx <= 0 || idx >= n)
    return 0.0f;
  int t = -1;
  if (acf_peak(acf, idx))
    t = idx;
  for (int o = 1; t < 0 && (idx - o > 0 || idx + o < n - 1); o++) {
    if (idx - o > 0 && acf_peak(acf, idx - o))
      t = idx - o;
    else if (idx + o < n - 1 && acf_peak(acf, idx + o))
      t = idx + o;
  }
  const float a0 = acf_abs(acf, 0), an = acf_abs(acf, n - 1), ai = acf_abs(acf, idx);
  if (t < 0) {
    if (a0 > ai && an <= ai)
      t = 0;
    else if (a0 <= ai && an > ai)
      t = n - 1;
    else if (a0 > ai && an > ai)
      t = idx < n / 2 ? 0 : n - 1;
    else
      t = idx;
  }
  if (t <= 0)
    return 0.0f;
  const float at = acf_abs(acf, t);
  double h = (double)a0 - at;
  h = h == 0.0 ? 10e10 : at / h;
  if (h > 10e10)
    return (float)(10.0 * log10(10e10));
  if (h < 10e-10)
    return (float)(10.0 * log10(10e-10));
  return (float)(10.0 * log10(h));
}

void ev_harmonics(const float *pw, const float *acf, double bin_hz, double f0, const double fmt[3],
                  float *hnr, float *h1_h2, float *h1_a3, float amp[3]) {
  *hnr = acf_hnr(acf, bin_hz, f0);
  /* harmonics up to the highest frequency read: the third (H2) and 1.2 x F3 (the formant
   * amplitudes), at most eGeMAPS' 100 */
  double f_top = 3.0 * f0;
  for (int k = 0; k < 3; k++)
    if (1.2 * fmt[k] > f_top)
      f_top = 1.2 * fmt[k];
  int nh = (int)ceil(f_top / f0) + 1;
  if (nh > MAX_HARM)
    nh = MAX_HARM;
  harm hs[MAX_HARM];
  hs[0].mag = 0.0; /* (nh >= 4: set below; this keeps the compiler's flow analysis quiet) */
  int last = freq_to_bin(0.5 * f0, 1, bin_hz);
  const int first = freq_to_bin(0.5 * f0, last, bin_hz);
  for (int i = 0; i < nh; i++) {
    harm *h = &hs[i];
    const int cand = freq_to_bin((i + 1) * f0, last, bin_hz);
    int peak = -1;
    if (is_peak(pw, cand))
      peak = cand;
    else { /* widen the search, right before left, within (i + 0.5 .. i + 1.5) f0 */
      int l = cand - 1, r = cand + 1;
      const int lo = freq_to_bin((i + 0.5) * f0, last, bin_hz);
      const int hi = freq_to_bin((i + 1.5) * f0, cand, bin_hz);
      while ((l >= lo || r <= hi) && peak == -1) {
        if (r <= hi) {
          if (is_peak(pw, r)) {
            peak = r;
            break;
          }
          r++;
        }
        if (l >= lo) {
          if (is_peak(pw, l)) {
            peak = l;
            break;
          }
          l--;
        }
      }
    }
    h->dup = 0;
    if (peak >= first && peak < EV_HARM_NBINS - 1) {
      /* magnitudes (openSMILE's spectrum) of the peak and its neighbours */
      const double y1 = sqrtf(pw[peak - 1]), y2 = sqrtf(pw[peak]), y3 = sqrtf(pw[peak + 1]);
      const double den = y1 - 2.0 * y2 + y3; /* < 0 at a strict peak */
      const double p = den != 0.0 ? 0.5 * (y1 - y3) / den : 0.0;
      h->bin = peak;
      h->mag = y2;
      h->mag_interp = den != 0.0 ? y2 - 0.25 * (y1 - y3) * p : y2;
      h->freq_interp = (peak + p) * bin_hz;
    } else {
      h->bin = cand;
      h->mag = h->mag_interp = h->freq_interp = 0.0;
    }
    last = cand;
  }
  /* duplicates (a bin already taken by the harmonic below) removed; the levels relative to the
   * fundamental's uninterpolated peak are taken below for the harmonics read */
  const int rel = hs[0].mag != 0.0;
  const double m0 = rel ? log10(hs[0].mag) : 0.0;
  for (int i = 1; i < nh; i++)
    if (hs[i].bin == hs[i - 1].bin) {
      hs[i].bin = 0;
      hs[i].mag = hs[i].mag_interp = hs[i].freq_interp = 0.0;
      hs[i].dup = 1;
    }
  /* the strongest harmonic within 0.8 .. 1.2 of each formant (first of equals) */
  int fa[3];
  for (int k = 0; k < 3; k++) {
    const double fl = 0.8 * fmt[k], fr = 1.2 * fmt[k];
    double best = 0.0;
    fa[k] = -1;
    for (int i = 0; i < nh; i++)
      if (hs[i].freq_interp >= fl && hs[i].freq_interp <= fr && hs[i].mag > best) {
        fa[k] = i;
        best = hs[i].mag;
      }
    amp[k] = fa[k] >= 0 ? (float)log_rel(hs, fa[k], rel, m0) : 0.0f;
  }
  const double l1 = log_rel(hs, 1, rel, m0);
  const double d12 = l1 - log_rel(hs, 2, rel, m0);
  *h1_h2 = (float)fmin(fmax(d12, -201.0), 201.0);
  const double d13 = fa[2] >= 0 ? l1 - log_rel(hs, fa[2], rel, m0) : l1 - 201.0;
  *h1_a3 = (float)fmin(fmax(d13, -201.0), 201.0);
}
