/* eGeMAPS v02 spectral frame descriptors (loudness, alpha ratio, Hammarberg index, spectral
 * slopes, spectral flux, mfcc1-4) from the power spectrum of one 20 ms Hamming frame, with
 * openSMILE's definitions and scales (see docs/features.md). Internal to dsp/features. */
#ifndef EV_EGEMAPS_SPECTRAL_H
#define EV_EGEMAPS_SPECTRAL_H

#define EV_EG_NFFT     512 /* the 20 ms frame (320 samples at 16 kHz) zero-padded */
#define EV_EG_NBINS    (EV_EG_NFFT / 2 + 1)
#define EV_EG_NMEL     26
#define EV_EG_FLUX_MAX 161  /* bins at or below 5 kHz (16 kHz, 512 points) */
#define EV_EG_N_OUT    11   /* loudness, 5 spectral balance, 4 mfcc, (spare) */
#define EV_EG_LOUD_POW 0.33 /* openSMILE's loudness: the bands' weighted powers to this power */

typedef struct ev_eg_spectral {
  double bin_hz;
  int flux_bins;
  /* 26 triangular mel bands 20-8000 Hz (openSMILE cMelspec), stored dense over their bins */
  int start[EV_EG_NMEL], len[EV_EG_NMEL];
  double w[EV_EG_NMEL][EV_EG_NBINS];
  double eql[EV_EG_NMEL]; /* Hermansky's equal-loudness weight at each band's centre */
  double dct[4][EV_EG_NMEL];
  /* bin ranges of the band sums (f = k bin_hz): f < 1000 is k < k1000, f < 2000 is k < k2000,
   * f <= 5000 is k < k5000 */
  int k1000, k2000, k5000;
  /* the two slopes: bins [k0, k1) and their frequency sums, which do not depend on the frame
   * (the same additions in the same order as the frame's own) */
  int slope_k0[2], slope_k1[2];
  double slope_sx[2], slope_sxx[2];
} ev_eg_spectral;

/* The bins [k0, k1) of slope band r (0: 0-500 Hz, 1: 500-1500 Hz) at bin_hz, and the sums of
 * their frequencies and squared frequencies. */
void ev_eg_slope_band(double bin_hz, int r, int *k0, int *k1, double *sx, double *sxx);
/* How slope r moves with the level: a gain of G dB changes openSMILE's slope by -G times this
 * (its regression divides by the bin intervals, not the bins; log_slope), at sample rate sr. */
double ev_eg_slope_gain_coef(int sr, int r);
/* Set up for sample rate sr (the bands and ranges are in Hz). */
void ev_eg_spectral_init(ev_eg_spectral *s, int sr);
/* p: |X|^2 / NFFT^2 of the frame (EV_EG_NBINS values); mag: sqrt of it (stored by the caller
 * for the next frame's flux), prev_mag: the previous frame's (NULL at the first frame).
 * out[0] loudness, out[1..5] alpha ratio, Hammarberg, slope 0-500, slope 500-1500, flux,
 * out[6..9] mfcc1-4, all before openSMILE's 3-frame smoothing. */
void ev_eg_spectral_frame(const ev_eg_spectral *s, const double *p, const float *mag,
                          const float *prev_mag, float out[EV_EG_N_OUT]);
#endif
