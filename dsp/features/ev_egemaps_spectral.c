/* eGeMAPS spectral descriptors. Definitions from openSMILE's eGeMAPSv02 configuration
 * (GeMAPSv01b_core.lld.conf.inc, eGeMAPSv02_core.lld.conf.inc: 20 ms Hamming frames, power
 * spectrum, 26 mel bands 20-8000 Hz, auditory weighting with compression 0.33, alpha ratio
 * 0-1000 vs 1000-5000 Hz (cSpectral sums from DC), Hammarberg 0-2000 vs 2000-5000 Hz, slopes of the
 * log power spectrum, flux over 0-5000 Hz, HTK-style MFCC 1-4 with lifter 22). The two scale
 * constants that the configuration does not state (loudness and flux) were measured on the
 * openSMILE reference files: both ratios are constant across the five speech files to 1 %. */
#include "ev_egemaps_spectral.h"

#include <math.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* openSMILE's loudness is the sum over bands of (E_b * eql_b)^0.33 of its own power scale,
 * which is ours (|X|^2 / N^2) times 64: measured ratio 0.2545 = 64^-0.33 on all 5 files */
#define EV_EG_LOUD_SCALE 64.0
/* openSMILE's flux is the RMS over the 160 bins below 5 kHz of the change of the unnormalised
 * FFT magnitude: sqrt(sum (d|X|/N)^2 * N^2 / 160) (measured ratio 40.45, N^2/160 = 1638.4) */
#define EV_EG_FLUX_SCALE 1638.4
/* HTK-compatible MFCC input: samples scaled to 16-bit, power not divided by N^2 */
#define EV_EG_HTK_SCALE (32768.0 * 32768.0 * EV_EG_NFFT * EV_EG_NFFT)

/* 10 log10(q) as 10 / ln(10) * ln(q): glibc's log is a third of the cost of its log10, which
 * the slopes' ~50 bins per frame call (issue 16; the values differ by a few ulps of double). */
#define EV_EG_DB_PER_NEPER 4.3429448190325182765

static double hz_to_mel(double f) {
  return 1127.0 * log(1.0 + f / 700.0);
}
static double mel_to_hz(double m) {
  return 700.0 * (exp(m / 1127.0) - 1.0);
}

void ev_eg_slope_band(double bin_hz, int r, int *k0, int *k1, double *sx, double *sxx) {
  static const double edges[2][2] = {{0.0, 500.0}, {500.0, 1500.0}};
  int k = (int)ceil(edges[r][0] / bin_hz);
  double a = 0.0, b = 0.0;
  *k0 = k;
  for (; k < EV_EG_NBINS && k * bin_hz <= edges[r][1]; k++) {
    double f = k * bin_hz;
    a += f;
    b += f * f;
  }
  *k1 = k;
  *sx = a;
  *sxx = b;
}

double ev_eg_slope_gain_coef(int sr, int r) {
  int k0, k1;
  double sx, sxx;
  ev_eg_slope_band((double)sr / EV_EG_NFFT, r, &k0, &k1, &sx, &sxx);
  const double n = k1 - k0 - 1, den = n * sxx - sx * sx; /* log_slope's regression */
  return k1 - k0 > 1 && den != 0.0 ? sx / den : 0.0;
}

void ev_eg_spectral_init(ev_eg_spectral *s, int sr) {
  memset(s, 0, sizeof *s);
  s->bin_hz = (double)sr / EV_EG_NFFT;
  s->flux_bins = (int)floor(5000.0 / s->bin_hz) + 1;
  if (s->flux_bins > EV_EG_NBINS)
    s->flux_bins = EV_EG_NBINS;
  double top = sr / 2.0 < 8000.0 ? sr / 2.0 : 8000.0;
  double m0 = hz_to_mel(20.0), m1 = hz_to_mel(top);
  for (int b = 0; b < EV_EG_NMEL; b++) {
    double lo = mel_to_hz(m0 + (m1 - m0) * b / (EV_EG_NMEL + 1));
    double c = mel_to_hz(m0 + (m1 - m0) * (b + 1) / (EV_EG_NMEL + 1));
    double hi = mel_to_hz(m0 + (m1 - m0) * (b + 2) / (EV_EG_NMEL + 1));
    int first = -1, last = -1;
    for (int k = 0; k < EV_EG_NBINS; k++) {
      double f = k * s->bin_hz, w = 0.0;
      if (f > lo && f <= c)
        w = (f - lo) / (c - lo);
      else if (f > c && f < hi)
        w = (hi - f) / (hi - c);
      if (w > 0.0) {
        if (first < 0)
          first = k;
        last = k;
      }
    }
    if (first < 0)
      first = last = 0;
    s->start[b] = first;
    s->len[b] = last - first + 1;
    for (int k = first; k <= last; k++) {
      double f = k * s->bin_hz;
      s->w[b][k - first] = f > lo && f <= c  ? (f - lo) / (c - lo)
                           : f > c && f < hi ? (hi - f) / (hi - c)
                                             : 0.0;
    }
    /* Hermansky (1990) equal-loudness curve at the band centre, as openSMILE's cPlp */
    double w2 = (2.0 * M_PI * c) * (2.0 * M_PI * c);
    s->eql[b] = ((w2 + 56.8e6) * w2 * w2) / ((w2 + 6.3e6) * (w2 + 6.3e6) * (w2 + 0.38e9));
  }
  s->k1000 = s->k2000 = s->k5000 = EV_EG_NBINS;
  for (int k = EV_EG_NBINS - 1; k >= 0; k--) {
    double f = k * s->bin_hz;
    if (f >= 1000.0)
      s->k1000 = k;
    if (f >= 2000.0)
      s->k2000 = k;
    if (f > 5000.0)
      s->k5000 = k;
  }
  for (int r = 0; r < 2; r++)
    ev_eg_slope_band(s->bin_hz, r, &s->slope_k0[r], &s->slope_k1[r], &s->slope_sx[r],
                     &s->slope_sxx[r]);
  for (int i = 0; i < 4; i++) {
    double lifter = 1.0 + 11.0 * sin(M_PI * (i + 1) / 22.0);
    for (int b = 0; b < EV_EG_NMEL; b++)
      s->dct[i][b] = sqrt(2.0 / EV_EG_NMEL) * cos(M_PI * (i + 1) / EV_EG_NMEL * (b + 0.5)) * lifter;
  }
}

/* The largest of 0 and p[k0, k1) as `if (p[k] > m) m = p[k]` finds it: two lanes with maxpd
 * (p > m ? p : m lane by lane: a NaN is passed over as by the comparison, and a lane starting
 * at +0 only ever takes a strictly larger value, never -0), then the larger lane and the odd
 * bin. No NaN and no -0 in the lanes: the largest value is the same in any order and equal
 * values are the same bits, so the same result as the loop (the loop was a compare and branch
 * per bin over the 160 bins below 5 kHz). */
static double max_from0(const double *p, int k0, int k1) {
  double m = 0.0;
  int k = k0;
#if defined(__SSE2__)
  __m128d m2 = _mm_setzero_pd();
  for (; k + 2 <= k1; k += 2)
    m2 = _mm_max_pd(_mm_loadu_pd(p + k), m2);
  const double l0 = _mm_cvtsd_f64(m2), l1 = _mm_cvtsd_f64(_mm_unpackhi_pd(m2, m2));
  m = l1 > l0 ? l1 : l0;
#endif
  for (; k < k1; k++)
    if (p[k] > m)
      m = p[k];
  return m;
}

static double db_ratio(double num, double den) {
  return num > 0.0 && den > 0.0 ? 10.0 * log10(num / den) : 0.0;
}

/* openSMILE's log-spectral slope (cSpectral, useLogSpectrum, oldSlopeScale = 0) of the bins in
 * [f0, f1]: its log spectrum is 10 log10 of the unnormalised |X|^2 (p NFFT^2 in our terms), floored
 * at -140 dB (specFloor 1e-7, squared), and its regression divides by the number of bin intervals
 * (idxR - idxL = m - 1), not of bins (m). That is not a least-squares slope: the result also
 * carries a term proportional to the band's mean level, which is why the dB reference matters.
 * With both, our slopes correlate with openSMILE's at r = 1.000 on the reference speech (0.79 to
 * 0.99 with a true least-squares slope of 10 log10 p). */
static double log_slope(const ev_eg_spectral *s, const double *p, int r) {
  const double ref = (double)EV_EG_NFFT * EV_EG_NFFT;
  double sy = 0, sxy = 0;
  const int k0 = s->slope_k0[r], k1 = s->slope_k1[r], m = k1 - k0;
  for (int k = k0; k < k1; k++) {
    double f = k * s->bin_hz, q = p[k] * ref, y = q <= 1e-14 ? -140.0 : EV_EG_DB_PER_NEPER * log(q);
    sy += y;
    sxy += f * y;
  }
  const double sx = s->slope_sx[r], sxx = s->slope_sxx[r];
  double n = m - 1, den = n * sxx - sx * sx;
  return m > 1 && den != 0.0 ? (n * sxy - sx * sy) / den : 0.0;
}

void ev_eg_spectral_frame(const ev_eg_spectral *s, const double *p, const float *mag,
                          const float *prev_mag, float out[EV_EG_N_OUT]) {
  double loud = 0.0, lm[EV_EG_NMEL];
  for (int b = 0; b < EV_EG_NMEL; b++) {
    double e = 0.0;
    const double *w = s->w[b], *pb = p + s->start[b];
    const int len = s->len[b];
    int k = 0;
#if defined(__SSE2__)
    for (; k + 2 <= len; k += 2) { /* products two at a time, the sum in order */
      const __m128d m = _mm_mul_pd(_mm_loadu_pd(w + k), _mm_loadu_pd(pb + k));
      e += _mm_cvtsd_f64(m);
      e += _mm_cvtsd_f64(_mm_unpackhi_pd(m, m));
    }
#endif
    for (; k < len; k++)
      e += w[k] * pb[k];
    const double a = EV_EG_LOUD_SCALE * e * s->eql[b];
    loud += a > 0.0 ? exp(EV_EG_LOUD_POW * log(a)) : 0.0; /* pow() at a third of its cost */
    double h = e * EV_EG_HTK_SCALE;
    lm[b] = log(h > 1e-8 ? h : 1e-8);
  }
  /* openSMILE sums from DC (the eGeMAPS paper says 50 Hz): [0, 1000) and [1000, 5000] Hz; the
   * peaks below 2000 and in [2000, 5000] Hz (bin ranges from ev_eg_spectral_init) */
  double lo = 0, hi = 0;
  for (int k = 0; k < s->k1000; k++)
    lo += p[k];
  for (int k = s->k1000; k < s->k5000; k++)
    hi += p[k];
  const double max_lo = max_from0(p, 0, s->k2000), max_hi = max_from0(p, s->k2000, s->k5000);
  double flux = 0.0;
  if (prev_mag) {
    int k = 0;
#if defined(__SSE2__)
    /* the differences and squares two at a time, the sum in the loop's order: the same bits */
    for (; k + 2 <= s->flux_bins; k += 2) {
      const __m128 z = _mm_setzero_ps();
      const __m128d a = _mm_cvtps_pd(_mm_loadl_pi(z, (const __m64 *)(const void *)(mag + k)));
      const __m128d b = _mm_cvtps_pd(_mm_loadl_pi(z, (const __m64 *)(const void *)(prev_mag + k)));
      const __m128d d = _mm_sub_pd(a, b), d2 = _mm_mul_pd(d, d);
      flux += _mm_cvtsd_f64(d2);
      flux += _mm_cvtsd_f64(_mm_unpackhi_pd(d2, d2));
    }
#endif
    for (; k < s->flux_bins; k++) {
      double d = (double)mag[k] - prev_mag[k];
      flux += d * d;
    }
  }
  out[0] = (float)loud;
  out[1] = (float)db_ratio(hi, lo); /* openSMILE's sign: negative when the low band dominates */
  out[2] = (float)db_ratio(max_lo, max_hi);
  out[3] = (float)log_slope(s, p, 0); /* 0-500 Hz */
  out[4] = (float)log_slope(s, p, 1); /* 500-1500 Hz */
  out[5] = (float)sqrt(flux * EV_EG_FLUX_SCALE);
  for (int i = 0; i < 4; i++) {
    double c = 0.0;
    for (int b = 0; b < EV_EG_NMEL; b++)
      c += s->dct[i][b] * lm[b];
    out[6 + i] = (float)c;
  }
  out[10] = 0.0f;
}
