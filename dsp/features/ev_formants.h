/* LPC formants (F1-F3 frequency and bandwidth) as openSMILE's eGeMAPS computes them, from the
 * autocorrelation of its 11 kHz resynthesis of the frame (cSpecResample, made in ev_prosody.c):
 * order-11 LPC (cLpc, method acf), roots of the polynomial cFormantLpc builds from it (predictor
 * coefficients negated, see ev_formants.c), every root at 50-5450 Hz, the lowest three.
 * Internal to dsp/features; no allocation. */
#ifndef EV_FORMANTS_H
#define EV_FORMANTS_H

#define EV_LPC_ORDER 11
#define EV_DK_ITERS  80 /* at most this many Durand-Kerner sweeps */
#define EV_LPC_FS    11000.0

/* The last frame's polynomial roots, the next frame's starting point (valid 0: none): the
 * polynomials of consecutive frames are close, so a search started there needs a few sweeps
 * instead of 20-40. Real and imaginary parts apart: this header does not use <complex.h>, which
 * changes fftw3.h's fftwf_complex in its includers. */
typedef struct ev_formant_roots {
  int valid;
  double z[EV_LPC_ORDER][2];
} ev_formant_roots;

/* In steps, so that a streaming caller can spread one frame's root search over several stages
 * (the Durand-Kerner sweeps are most of the cost, 5-6k instructions each): begin (Levinson-Durbin
 * on r, lags 0..EV_LPC_ORDER of the 11 kHz signal; starting points from warm if valid, NULL
 * allowed), sweeps (at most max_sweeps more; returns 1 once no more are needed: converged, or
 * EV_DK_ITERS done, or nothing to search), end (out: f1, bw1, f2, bw2, f3, bw3 in Hz, 0 where
 * fewer than three were found; returns the number found; stores the roots in warm if not NULL).
 * However the sweeps are split, the same bits. */
typedef struct ev_formant_work {
  int state; /* 0: nothing to search, 1: sweeping, 2: done */
  int it;    /* sweeps done */
  double a[EV_LPC_ORDER + 1];
  double z[EV_LPC_ORDER][2]; /* the roots so far (real, imaginary: the layout of double complex) */
} ev_formant_work;
void ev_formants_begin(const double r[EV_LPC_ORDER + 1], const ev_formant_roots *warm,
                       ev_formant_work *w);
int ev_formants_sweep(ev_formant_work *w, int max_sweeps);
int ev_formants_end(const ev_formant_work *w, double out[6], ev_formant_roots *warm);
/* begin, every sweep, end */
int ev_formants_acf(const double r[EV_LPC_ORDER + 1], double out[6], ev_formant_roots *warm);
#endif
