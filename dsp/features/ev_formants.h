/* LPC formants (F1-F3 frequency and bandwidth) from a power spectrum, as openSMILE's eGeMAPS
 * does it: the (not pre-emphasised) spectrum below 5.5 kHz is taken as that of an 11 kHz signal
 * (cSpecResample), order-11 LPC from its autocorrelation (cLpc, method acf), roots of the
 * polynomial cFormantLpc builds from it (predictor coefficients negated, see ev_formants.c),
 * every root at 50-5450 Hz, the lowest three. Internal to dsp/features; no allocation. */
#ifndef EV_FORMANTS_H
#define EV_FORMANTS_H

#define EV_LPC_ORDER 11
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
#endif
