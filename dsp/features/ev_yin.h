/* YIN pitch (de Cheveigné & Kawahara 2002) exactly as aubio 0.4.9's "yin" method computes it:
 * the squared-difference function over win/2 lags, its cumulative-mean normalisation, the
 * first lag whose value is below the tolerance and below its right neighbour (checked three
 * lags behind, as aubio does), else the global minimum, then aubio's parabolic interpolation,
 * F0 = sr / lag in double and the confidence 1 - d'(lag). Every value is the float arithmetic
 * aubio does, in its order, so the results are the same bits (test_yin compares the two);
 * only the difference function is computed 16 lags at a time as generic vectors (each lane is
 * one lag's own sum, in aubio's order; the baseline and AVX clones compute the same bits).
 * aubio's scalar loop was a quarter of the plugin's run() (docs/features.md). Internal to
 * dsp/features; allocation-free. */
#ifndef EV_YIN_H
#define EV_YIN_H

#define EV_YIN_MAX_WIN 1024 /* longest window: win / 2 floats of scratch */

/* x: win samples (win even, 36 <= win <= EV_YIN_MAX_WIN); tol: aubio's tolerance (float, as
 * aubio_pitch_set_tolerance takes it); sr: the rate of x; d: win / 2 floats of scratch (the
 * normalised difference function is left there, up to the lag where the search stopped).
 * Returns F0 in Hz, 0 when aubio returns 0 (no lag below 1); *conf = aubio's confidence. */
float ev_yin(const float *x, int win, float tol, unsigned sr, float *d, float *conf);

#endif
