/* LPC formants (F1-F3 frequency and bandwidth) from a power spectrum, as openSMILE's eGeMAPS
 * does it: the spectrum below 5.5 kHz is taken as that of an 11 kHz signal (cSpecResample),
 * order-11 LPC from its autocorrelation (cLpc, method acf), roots of the predictor polynomial
 * (cFormantLpc, 50-5450 Hz). Internal to dsp/features; no allocation. */
#ifndef EV_FORMANTS_H
#define EV_FORMANTS_H

#define EV_LPC_ORDER 11
#define EV_LPC_FS    11000.0

/* p: power spectrum bins 0..n_bins-1 at bin_hz spacing. out: f1, bw1, f2, bw2, f3, bw3
 * (Hz; 0 where fewer than three formants were found). Returns the number found (0..3). */
int ev_formants_lpc(const double *p, int n_bins, double bin_hz, double out[6]);
#endif
