/* Subharmonic summation (SHS) pitch candidates and voicing as openSMILE's eGeMAPS computes them
 * (cSpecScale to an octave axis, then cPitchShs), from the 60 ms Gaussian-windowed magnitude
 * spectrum that ev_harmonics also reads. eGeMAPS' voicing decision is this one: the best
 * candidate's 1 - mean(SHS) / peak(SHS) above 0.7. Internal to dsp/features; the tables are
 * built once (ev_shs_init), a frame is bounded work with no allocation. */
#ifndef EV_SHS_H
#define EV_SHS_H

#include <stdint.h>

#define EV_SHS_NBINS          513  /* the 1024-point spectrum's bins (15.625 Hz apart at 16 kHz) */
#define EV_SHS_NPTS           513  /* points of the octave axis (cSpecScale: as many as bins) */
#define EV_SHS_MIN_HZ         25.0 /* the octave axis: 25 Hz .. Nyquist */
#define EV_SHS_NHARM          15   /* harmonics summed, each 0.85 times the previous */
#define EV_SHS_NCAND          6
#define EV_SHS_VOICING_CUTOFF 0.7

typedef struct ev_shs {
  /* the natural cubic spline through the bins (their log2 frequencies are fixed, so everything
   * but the magnitudes is precomputed): forward-sweep factors of the tridiagonal system */
  double inv_dx[EV_SHS_NBINS];  /* 1 / (x[i+1] - x[i]) */
  double six_dx2[EV_SHS_NBINS]; /* 6 / (x[i+1] - x[i-1]) */
  double sig[EV_SHS_NBINS], inv_p[EV_SHS_NBINS], c2[EV_SHS_NBINS];
  /* each octave-axis point: its bin interval and the four weights of y[k], y[k+1], y2[k],
   * y2[k+1], times the auditory weighting */
  int lo[EV_SHS_NPTS];
  double wa[EV_SHS_NPTS], wb[EV_SHS_NPTS], wc[EV_SHS_NPTS], wd[EV_SHS_NPTS];
  int shift[EV_SHS_NHARM + 1];     /* octave-axis points of harmonic h (at most EV_SHS_NPTS) */
  double hscale[EV_SHS_NHARM + 1]; /* 0.85^(h-1), as repeated products */
  double ppo, fmin_t, fstep_t;
  /* scratch, padded so that the loops run in whole vectors of four: raw[0] is the 0 before the
   * first bin, s is followed by zeros (harmonics shifted past the axis' end add exact zeros) */
  double raw[EV_SHS_NBINS + 4], y[EV_SHS_NBINS + 4], y2[EV_SHS_NBINS + 4];
  double slope[EV_SHS_NBINS + 4], e[EV_SHS_NBINS + 4], u[EV_SHS_NBINS];
  double s[2 * EV_SHS_NPTS + 4], ss[EV_SHS_NPTS + 4];
  int maxima[EV_SHS_NBINS + 2]; /* local maxima found by a pass over the bins or points */
} ev_shs;

typedef struct ev_shs_result {
  int n;                        /* candidates in 55-1000 Hz, the best (highest score) first */
  double f0[EV_SHS_NCAND];      /* Hz */
  double voicing[EV_SHS_NCAND]; /* 1 - mean / score */
} ev_shs_result;

/* sr: the model rate (the spectrum's bins are sr / 1024 apart) */
void ev_shs_init(ev_shs *s, double sr);
/* mag: |X_k| (any scale) of the 1024-point spectrum of the Gaussian-windowed 60 ms frame */
void ev_shs_frame(ev_shs *s, const float *mag, ev_shs_result *out);
/* the same in two steps of similar cost (the extractor runs them at different stages): the
 * octave-axis spectrum into s, then the summation and the candidates from it */
void ev_shs_spectrum(ev_shs *s, const float *mag);
void ev_shs_candidates(ev_shs *s, ev_shs_result *out);
#endif
