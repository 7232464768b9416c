/* Voice quality of one voiced frame, the eGeMAPS way: jitter (local) and shimmer (local, dB)
 * from period-by-period waveform matching (openSMILE cPitchJitter: each next period is searched
 * within +-10 % of the F0 estimate by normalised cross-correlation, minimum 0.5), HNR from the
 * normalised autocorrelation at the period (cHarmonics' ACF HNR), H1-H2, H1-A3 and the formant
 * amplitudes relative to H1 from harmonic magnitudes (windowed DFT at the harmonics).
 * Internal to dsp/features; bounded work, no allocation. */
#ifndef EV_VOICE_H
#define EV_VOICE_H

#define EV_VOICE_SEG 640 /* 40 ms at 16 kHz, centred on the pitch window */

/* seg: n <= EV_VOICE_SEG samples at sr; f0 > 0 in Hz; fmt: f1, bw1, f2, bw2, f3, bw3 (0 = none).
 * vq: jitter, shimmer, hnr, h1_h2, h1_a3; amp: F1-F3 amplitude relative to H1 (dB). */
void ev_voice_quality(const float *seg, const float *win, int n, double sr, double f0,
                      const double fmt[6], float vq[5], float amp[3]);
/* win: the Hann window of n points the harmonic magnitudes use (fill once) */
void ev_voice_hann(float *win, int n);
#endif
