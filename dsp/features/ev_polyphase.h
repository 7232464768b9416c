/* ev_polyphase: a rational-ratio polyphase FIR resampler (the host rate to the models' rate for
 * ev_resample, chosen by measurement: docs/features.md, "Resampler choice").
 *
 * One Kaiser-windowed sinc designed at the common multiple of the two rates (L = out/g phases,
 * M = in/g, g = gcd), cut per phase, each phase's coefficients summing to 1. For a 16 kHz output
 * the pass band is flat to 7.2 kHz and every input above 8.8 kHz is at least 100 dB down: what
 * can alias into the band the descriptors read (up to 7 kHz; the eGeMAPS set to 5.5 kHz) is
 * removed, 8-8.8 kHz may fold into 7.2-8 kHz attenuated by 6 dB or more. Output k is the input
 * at time k * M / L (linear phase, time-aligned), computed as soon as the filter's half-length
 * of input has arrived: a steady stream (no blocks), the same samples whatever the input's
 * split into calls, a reset that equals a fresh instance bit for bit.
 *
 * Each output is one dot product of T taps (T a multiple of 8, 32 lanes in a fixed order, the
 * AVX clone and the baseline compute the same bits). ev_polyphase_new() refuses (NULL) ratios
 * that would need more than EV_POLY_MAX_PHASES phases or EV_POLY_MAX_TAPS taps per phase
 * (rates above ~64 kHz, odd rates such as 44099 Hz): the caller uses another resampler there.
 *
 * Realtime: ev_polyphase_new() allocates; process and reset never allocate, lock or do I/O. */
#ifndef EV_POLYPHASE_H
#define EV_POLYPHASE_H

#include <stddef.h>
#include <stdint.h>

#define EV_POLY_MAX_PHASES 1024
#define EV_POLY_MAX_TAPS   256
#define EV_POLY_MAX_IN     64 /* input samples per ev_polyphase_process() call, at most */

typedef struct ev_polyphase ev_polyphase;

ev_polyphase *ev_polyphase_new(uint32_t in_rate, uint32_t out_rate);
/* The same with the transition band given (pass_hz < stop_hz): a decimation stage before
 * ev_polyphase_new() for high rates needs only to keep what the second stage passes. */
ev_polyphase *ev_polyphase_new_band(uint32_t in_rate, uint32_t out_rate, double pass_hz,
                                    double stop_hz);
void ev_polyphase_free(ev_polyphase *p);

/* Most outputs one call of n <= EV_POLY_MAX_IN inputs can return. */
int ev_polyphase_max_out(const ev_polyphase *p);

/* n <= EV_POLY_MAX_IN input samples; writes every output whose input window is complete to out
 * and returns how many. */
int ev_polyphase_process(ev_polyphase *p, const float *in, int n, float *out);

/* A new stream after silence; afterwards the output is a fresh instance's, bit for bit. */
void ev_polyphase_reset(ev_polyphase *p);

/* Input samples from an output's time to the arrival of the last input it needs (the filter's
 * half-length): the release delay. */
double ev_polyphase_latency(const ev_polyphase *p);

/* Taps per phase and phases (for the benchmarks and docs). */
int ev_polyphase_taps(const ev_polyphase *p);
int ev_polyphase_phases(const ev_polyphase *p);
uint32_t ev_polyphase_in_rate(const ev_polyphase *p);

#endif
