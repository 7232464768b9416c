/* Subharmonic summation (SHS) pitch candidates and voicing as openSMILE's eGeMAPS computes them
 * (cSpecScale to an octave axis, then cPitchShs), from the 60 ms Gaussian-windowed magnitude
 * spectrum that ev_harmonics also reads. eGeMAPS' voicing decision is this one: the best
 * candidate's 1 - mean(SHS) / peak(SHS) above 0.7. Internal to dsp/features; the tables are
 * built once (ev_shs_init), a frame is bounded work with no allocation. */
#ifndef EV_SHS_H
#define EV_SHS_H

#include <stdint.h>

#define EV_SHS_NBINS          513  /* the 1024-point spectrum's bins, 15.625 Hz apart */
#define EV_SHS_NPTS           513  /* points of the octave axis (cSpecScale: as many as bins) */
#define EV_SHS_MIN_HZ         25.0 /* the octave axis: 25 Hz .. 8 kHz */
#define EV_SHS_NHARM          15   /* harmonics summed, each 0.85 times the previous */
#define EV_SHS_NCAND          6
#define EV_SHS_VOICING_CUTOFF 0.7

typedef struct ev_shs {
  double xs[EV_SHS_NBINS];  /* log2 frequency of each bin (bin 0 extrapolated) */
  double sig[EV_SHS_NBINS]; /* the natural spline's fixed coefficients */
  int lo[EV_SHS_NPTS];      /* the bin interval of each octave-axis point */
  double wa[EV_SHS_NPTS], h[EV_SHS_NPTS];
  double audw[EV_SHS_NPTS];    /* cSpecScale's auditory weighting */
  int shift[EV_SHS_NHARM + 1]; /* octave-axis points of harmonic h */
  double ppo, fmin_t, fstep_t;
  /* scratch */
  double y[EV_SHS_NBINS], y2[EV_SHS_NBINS], u[EV_SHS_NBINS], s[EV_SHS_NPTS], ss[EV_SHS_NPTS];
} ev_shs;

typedef struct ev_shs_result {
  int n;                        /* candidates in 55-1000 Hz, the best (highest score) first */
  double f0[EV_SHS_NCAND];      /* Hz */
  double voicing[EV_SHS_NCAND]; /* 1 - mean / score */
} ev_shs_result;

void ev_shs_init(ev_shs *s);
/* mag: |X_k| (any scale) of the 1024-point spectrum of the Gaussian-windowed 60 ms frame */
void ev_shs_frame(ev_shs *s, const float *mag, ev_shs_result *out);
#endif
