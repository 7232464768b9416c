/* LPC formants (F1-F3 frequency and bandwidth) from a power spectrum, as openSMILE's eGeMAPS
 * does it: the (not pre-emphasised) spectrum below 5.5 kHz is taken as that of an 11 kHz signal
 * (cSpecResample), order-11 LPC from its autocorrelation (cLpc, method acf), roots of the
 * polynomial cFormantLpc builds from it (predictor coefficients negated, see ev_formants.c),
 * every root at 50-5450 Hz, the lowest three. Internal to dsp/features; no allocation. */
#ifndef EV_FORMANTS_H
#define EV_FORMANTS_H

#define EV_LPC_ORDER 11
#define EV_DK_ITERS  80 /* at most this many Durand-Kerner sweeps */
#define EV_LPC_FS    11000.0

/* the cosines of the autocorrelation (made once, outside the processing path) */
#define EV_FMT_MAX_TOP 256
typedef struct ev_formant_tables {
  int top; /* bins up to 5.5 kHz */
  double cos[EV_LPC_ORDER + 1][EV_FMT_MAX_TOP + 1];
} ev_formant_tables;
void ev_formants_init(ev_formant_tables *t, int top);

/* p: power spectrum bins 0..n_bins-1 at bin_hz spacing. out: f1, bw1, f2, bw2, f3, bw3
 * (Hz; 0 where fewer than three formants were found). Returns the number found (0..3). */
int ev_formants_lpc(ev_formant_tables *t, const double *p, int n_bins, double bin_hz,
                    double out[6]);

/* The same in steps, so that a streaming caller can spread one frame's root search over
 * several stages (the Durand-Kerner sweeps are most of the cost, 5-6k instructions each): begin
 * (autocorrelation, Levinson-Durbin, starting points), sweeps (at most max_sweeps more; returns
 * 1 once no more are needed: converged, or EV_DK_ITERS done, or nothing to search), end (out as
 * ev_formants_lpc's, which is begin, every sweep, end: the same bits however they are split). */
typedef struct ev_formant_work {
  int state; /* 0: nothing to search, 1: sweeping, 2: done */
  int it;    /* sweeps done */
  double a[EV_LPC_ORDER + 1];
  double z[EV_LPC_ORDER][2]; /* the roots so far (real, imaginary: the layout of double complex,
                              which this header does not use: FFTW's header changes with it) */
} ev_formant_work;
void ev_formants_begin(ev_formant_tables *t, const double *p, int n_bins, double bin_hz,
                       ev_formant_work *w);
int ev_formants_sweep(ev_formant_work *w, int max_sweeps);
int ev_formants_end(const ev_formant_work *w, double out[6]);
#endif
