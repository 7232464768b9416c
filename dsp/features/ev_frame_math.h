/* Per-frame feature formulas (librosa 0.10 semantics, see the reference README "Exact
 * semantics"). Pure functions on preallocated arrays; the extractor calls them in stages.
 * The sums (ev_rms, ev_dot, ev_delta9) live in ev_frame_kernels.c, built in AVX
 * and baseline clones that return the same bits. */
#ifndef EV_FRAME_MATH_H
#define EV_FRAME_MATH_H

/* Spectral shape from the power spectrum (magnitude M = sqrt(power)); f_k = k * bin_hz. */
typedef struct ev_spectral {
  double centroid, bandwidth, rolloff;
} ev_spectral;
void ev_spectral_shape(const double *power, int n_bins, double bin_hz, double roll_percent,
                       double *mag_scratch, ev_spectral *out);
/* exp(mean ln P') / mean P' with P' = max(amin, power). */
double ev_spectral_flatness(const double *power, int n_bins, double amin);

/* Zero-crossing rate over one frame (threshold 1e-10, zero counts as positive, / n). */
double ev_zcr(const float *x, int n);
double ev_rms(const float *x, int n);

/* sum a[i]*b[i] with four interleaved accumulators (the compiler may not reorder a double
 * reduction itself; one chain would be latency-bound). Deterministic order. */
double ev_dot(const double *a, const double *b, int n);

/* 10 log10(max(1e-10, x)) */
double ev_power_to_db(double x);

/* Savitzky-Golay (width 9) first and second derivative at the centre of c[0..8] (each
 * c[j] a vector of dims values). */
void ev_delta9(const double *const c[9], int dims, float *d1, float *d2);

#endif
