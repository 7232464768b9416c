/* Filterbanks from the formulas in the reference README ("Exact semantics"). */
#include "ev_filters.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Slaney: linear below 1 kHz (3f/200), logarithmic above with 27 mels per ln(6.4). */
static const double kMinLogHz = 1000.0;
static const double kMinLogMel = 15.0;

double ev_hz_to_mel(double hz) {
  if (hz < kMinLogHz)
    return 3.0 * hz / 200.0;
  return kMinLogMel + 27.0 * log(hz / kMinLogHz) / log(6.4);
}

double ev_mel_to_hz(double mel) {
  if (mel < kMinLogMel)
    return 200.0 * mel / 3.0;
  return kMinLogHz * exp((mel - kMinLogMel) * log(6.4) / 27.0);
}

/* Weight of band i at bin frequency f, given the n_mels+2 edge frequencies h. */
static double mel_weight(const double *h, int i, double f) {
  double lower = (f - h[i]) / (h[i + 1] - h[i]);
  double upper = (h[i + 2] - f) / (h[i + 2] - h[i + 1]);
  double w = fmin(lower, upper);
  if (!(w > 0.0))
    return 0.0;
  /* librosa keeps the filterbank in float32: the triangle is stored as float32, then
   * multiplied in place by the float64 area normalisation (two roundings) */
  return (double)(float)((double)(float)w * (2.0 / (h[i + 2] - h[i])));
}

int ev_mel_bank_init(ev_mel_bank *mb, const ev_feature_config *cfg) {
  memset(mb, 0, sizeof *mb);
  int n_mels = cfg->n_mels, n_bins = cfg->n_fft / 2 + 1;
  double *h = malloc(sizeof(double) * (size_t)(n_mels + 2));
  mb->start = calloc((size_t)n_mels, sizeof(int));
  mb->len = calloc((size_t)n_mels, sizeof(int));
  if (!h || !mb->start || !mb->len) {
    free(h);
    ev_mel_bank_free(mb);
    return -1;
  }
  double m0 = ev_hz_to_mel(cfg->fmin), m1 = ev_hz_to_mel(cfg->fmax);
  for (int i = 0; i < n_mels + 2; i++) /* np.linspace: m0 + i*step, last point exact */
    h[i] = ev_mel_to_hz(i == n_mels + 1 ? m1 : m0 + (m1 - m0) * i / (double)(n_mels + 1));
  double bin_hz = (double)cfg->sample_rate / cfg->n_fft;
  size_t total = 0;
  for (int i = 0; i < n_mels; i++) {
    int first = -1, last = -2;
    for (int k = 0; k < n_bins; k++) {
      if (mel_weight(h, i, k * bin_hz) != 0.0) {
        if (first < 0)
          first = k;
        last = k;
      }
    }
    mb->start[i] = first < 0 ? 0 : first;
    mb->len[i] = last - first + 1 > 0 ? last - first + 1 : 0;
    total += (size_t)mb->len[i];
  }
  mb->w = calloc(total ? total : 1, sizeof(double));
  if (!mb->w) {
    free(h);
    ev_mel_bank_free(mb);
    return -1;
  }
  size_t pos = 0;
  for (int i = 0; i < n_mels; i++)
    for (int j = 0; j < mb->len[i]; j++)
      mb->w[pos++] = mel_weight(h, i, (mb->start[i] + j) * bin_hz);
  mb->n_mels = n_mels;
  mb->n_bins = n_bins;
  free(h);
  return 0;
}

void ev_mel_bank_free(ev_mel_bank *mb) {
  free(mb->start);
  free(mb->len);
  free(mb->w);
  memset(mb, 0, sizeof *mb);
}

double ev_mel_bank_weight(const ev_mel_bank *mb, int i, int k) {
  size_t pos = 0;
  for (int b = 0; b < i; b++)
    pos += (size_t)mb->len[b];
  if (k < mb->start[i] || k >= mb->start[i] + mb->len[i])
    return 0.0;
  return mb->w[pos + (size_t)(k - mb->start[i])];
}

void ev_window_fill(float *out, int n_fft, int win_length) {
  int lpad = (n_fft - win_length) / 2;
  for (int n = 0; n < n_fft; n++)
    out[n] = 0.0f;
  for (int m = 0; m < win_length; m++) /* periodic ("fftbins") Hann: divide by N, not N-1 */
    out[lpad + m] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * m / win_length));
}

/* floor-modulo like numpy.remainder */
static double remainder_floor(double a, double b) {
  return a - b * floor(a / b);
}

void ev_chroma_fill(float *out, double sr, int n_fft, int n_chroma) {
  int n_bins = n_fft / 2 + 1;
  /* Work over all n_fft bins, as librosa does, then keep the first n_bins columns. */
  double *frq = malloc(sizeof(double) * (size_t)n_fft);
  double *width = malloc(sizeof(double) * (size_t)n_fft);
  double *wts = malloc(sizeof(double) * (size_t)n_chroma * (size_t)n_fft);
  if (!frq || !width || !wts) {
    free(frq);
    free(width);
    free(wts);
    memset(out, 0, sizeof(float) * (size_t)n_chroma * (size_t)n_bins);
    return;
  }
  const double a440_16 = 440.0 / 16.0; /* hz_to_octs reference: A0 at tuning 0 */
  frq[1] = n_chroma * log2((sr / n_fft) / a440_16);
  for (int k = 2; k < n_fft; k++)
    frq[k] = n_chroma * log2((k * sr / n_fft) / a440_16);
  /* bin 0 (0 Hz) gets a made-up value 1.5 octaves below bin 1 */
  frq[0] = frq[1] - 1.5 * n_chroma;
  for (int k = 0; k < n_fft - 1; k++)
    width[k] = fmax(frq[k + 1] - frq[k], 1.0);
  width[n_fft - 1] = 1.0;
  double half = round(n_chroma / 2.0);
  for (int k = 0; k < n_fft; k++) {
    double norm2 = 0.0;
    for (int c = 0; c < n_chroma; c++) {
      double d = remainder_floor(frq[k] - c + half + 10.0 * n_chroma, n_chroma) - half;
      double g = 2.0 * d / width[k];
      double w = exp(-0.5 * g * g);
      wts[(size_t)c * n_fft + k] = w;
      norm2 += w * w;
    }
    double scale = norm2 > 0.0 ? 1.0 / sqrt(norm2) : 1.0;
    /* octave weighting: Gaussian centred at octave 5 with half-width 2 octaves */
    double oct = (frq[k] / n_chroma - 5.0) / 2.0;
    double ow = exp(-0.5 * oct * oct);
    for (int c = 0; c < n_chroma; c++)
      wts[(size_t)c * n_fft + k] = wts[(size_t)c * n_fft + k] * scale * ow;
  }
  /* base_c: roll by -3 so that row 0 is C */
  int shift = 3 * (n_chroma / 12);
  for (int c = 0; c < n_chroma; c++) {
    int src = (c + shift) % n_chroma;
    for (int k = 0; k < n_bins; k++)
      out[(size_t)c * n_bins + k] = (float)wts[(size_t)src * n_fft + k];
  }
  free(frq);
  free(width);
  free(wts);
}

void ev_dct_fill(double *out, int n_out, int n_in) {
  for (int j = 0; j < n_out; j++) {
    double scale = sqrt((j == 0 ? 1.0 : 2.0) / n_in);
    for (int i = 0; i < n_in; i++)
      out[(size_t)j * n_in + i] = scale * cos(M_PI * j * (2 * i + 1) / (2.0 * n_in));
  }
}
