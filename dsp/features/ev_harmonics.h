/* HNR, H1-H2, H1-A3 and the formant amplitudes of a voiced frame as openSMILE's eGeMAPS computes
 * them (cHarmonics on the 60 ms Gaussian-windowed magnitude spectrum, gemapsv01b_fftmagG60):
 * harmonic peaks picked near k * F0, HNR from the spectrum's autocorrelation at the period.
 * Note openSMILE's harmonic numbering: "H0" is the fundamental, so its H1-H2 is the level of
 * the 2nd harmonic (2 F0) over the 3rd's, and H1-A3 the 2nd harmonic's over A3 (checked against
 * the analytic truth of the README's synthetic vowels in test_egemaps). Internal to
 * dsp/features; bounded work, no allocation. */
#ifndef EV_HARMONICS_H
#define EV_HARMONICS_H

#define EV_HARM_FRAME                                                                              \
  960                      /* 60 ms at 16 kHz, frame t starts at hop * t (frameCenterSpecial left) \
                            */
#define EV_HARM_NFFT  1024 /* openSMILE zero-pads to the next power of 2 */
#define EV_HARM_NBINS (EV_HARM_NFFT / 2 + 1)

/* Gaussian window, sigma 0.4 (openSMILE's winFunc gauss) */
void ev_harmonics_window(float *win, int n);

/* pw: |X_k|^2 of the windowed frame, EV_HARM_NBINS bins at bin_hz; acf: its inverse real DFT
 * (the frame's circular autocorrelation, any scale), lags 0 .. EV_HARM_NBINS-1; f0 > 0 (Hz);
 * fmt: F1..F3 frequencies (Hz, 0 = none) of the frame. out: hnr (dB), h1_h2, h1_a3 (dB); amp:
 * F1-F3 amplitude relative to the fundamental's peak (dB). */
void ev_harmonics(const float *pw, const float *acf, double bin_hz, double f0, const double fmt[3],
                  float *hnr, float *h1_h2, float *h1_a3, float amp[3]);
#endif
