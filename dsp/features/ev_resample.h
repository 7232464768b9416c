/* ev_resample: the host rate to the models' rate, in fixed chunks, for the extractor.
 *
 * libsoxr (recipe HQ, one thread), chosen by measurement (docs/features.md, "Resampler
 * choice"; tests/dsp/bench_resamplers.c). soxr works in blocks: in 64-sample calls it hands
 * out nothing for a few dozen calls, then a burst of a few hundred samples. This wrapper turns
 * that into a steady stream: after every chunk it releases exactly the outputs whose input
 * time lies more than a fixed delay back (20-22 per 64-sample chunk at 48/44.1 kHz), so the
 * extractor's stages and the analyser's ticks stay spread evenly over the blocks. Everything is
 * counted in chunks, so the output is bit-identical whatever the host's block sizes.
 *
 * Realtime: ev_resample_new() allocates and primes soxr with zeros until it has made every
 * allocation it makes in a stream (soxr grows its buffers during roughly the first second);
 * ev_resample_chunk() and ev_resample_reset() never allocate, lock or do I/O. The reset does
 * not call soxr_clear() (which frees and reallocates): it feeds zeros until the previous
 * audio has left the filter and starts counting afresh. */
#ifndef EV_RESAMPLE_H
#define EV_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

#define EV_RESAMPLE_CHUNK 64 /* input samples per ev_resample_chunk() call */

typedef struct ev_resample ev_resample;

/* in_rate: 8000..192000 Hz (rounded to an integer), out_rate: the models' rate. NULL and a
 * reason in err on failure. */
ev_resample *ev_resample_new(double in_rate, int out_rate, char *err, size_t errlen);
/* The same for offline use: soxr's default DFT sizes, ~30 % less work, longer bursts and
 * latency (37 ms at 48 kHz) that nobody waits for. The output differs from
 * ev_resample_new()'s only by float rounding (the same filter, convolved in other blocks). */
ev_resample *ev_resample_new_offline(double in_rate, int out_rate, char *err, size_t errlen);
void ev_resample_free(ev_resample *r);

/* Most samples one chunk can produce (the size of out below). */
int ev_resample_max_out(const ev_resample *r);

/* Converts EV_RESAMPLE_CHUNK input samples; writes the released output samples to out and
 * returns how many. Output sample k of a stream corresponds to input time k * in / out (soxr
 * is linear-phase and time-aligned); it is released ev_resample_latency() input samples after
 * that time at most. */
int ev_resample_chunk(ev_resample *r, const float *in, float *out);

/* Start a new stream: the output continues as if the new input followed silence. Bounded work
 * (about the latency's length of zeros through soxr), no allocation. */
void ev_resample_reset(ev_resample *r);
/* Offline only (allocates, frees and primes: never on the audio thread): back to exactly the
 * state of a new instance with the same rates and kind (ev_resample_new or _offline), so that
 * the next stream's output is bit for bit a fresh instance's. ev_resample_reset() cannot give
 * that: soxr keeps its block phase and buffers, and the stream after it equals a fresh one's
 * only to float rounding (~3e-7), which then depends on the audio before. 0, or -1 (out of
 * memory; r is unchanged). */
int ev_resample_reset_exact(ev_resample *r);

/* Delay in input samples from an input sample's time to the release of the output sample at
 * that time (after the chunk that contains it is complete; add EV_RESAMPLE_CHUNK - 1 for the
 * wait for a full chunk). */
double ev_resample_latency(const ev_resample *r);

#endif
