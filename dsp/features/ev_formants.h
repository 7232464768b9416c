/* LPC formants (F1-F3 frequency and bandwidth) as openSMILE's eGeMAPS computes them, from the
 * autocorrelation of its 11 kHz resynthesis of the frame (cSpecResample, made in ev_prosody.c):
 * order-11 LPC (cLpc, method acf), roots of the polynomial cFormantLpc builds from it (predictor
 * coefficients negated, see ev_formants.c), every root at 50-5450 Hz, the lowest three.
 * Internal to dsp/features; no allocation. */
#ifndef EV_FORMANTS_H
#define EV_FORMANTS_H

#define EV_LPC_ORDER 11
#define EV_LPC_FS    11000.0

/* the last frame's polynomial roots, the next frame's starting point (valid = 0: none); real
 * and imaginary parts apart, so that this header does not bring <complex.h> (which changes
 * fftw3.h's fftwf_complex) into its includers */
typedef struct ev_formant_roots {
  int valid;
  double re[EV_LPC_ORDER], im[EV_LPC_ORDER];
} ev_formant_roots;

/* r: autocorrelation lags 0..EV_LPC_ORDER of the 11 kHz signal (r[0] is modified). out: f1,
 * bw1, f2, bw2, f3, bw3 (Hz; 0 where fewer than three were found). warm: NULL, or the roots
 * carried from frame to frame (updated). Returns the number found. */
int ev_formants_acf(double r[EV_LPC_ORDER + 1], double out[6], ev_formant_roots *warm);
#endif
