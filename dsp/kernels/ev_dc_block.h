/* DC blocker of the analyser's stream: a one-pole high-pass (y = x - x1 + r*y1) with a cutoff
 * of a few tens of Hz, so that a constant offset or a slow drift is not taken for voiced speech
 * by the gate (its RMS is above the gate and its spectrum is "tonal") and does not reach the
 * features. Samples are sanitised first with the extractor's rules (non-finite -> 0, clamped,
 * denormals flushed), so NaN never enters the filter's state. Realtime-safe, no allocation;
 * per-sample, so the output does not depend on the block size. The analyser runs it at the model
 * rate, inside the extractor after the resampler (ev_extractor_set_dc_block). */
#ifndef EV_DC_BLOCK_H
#define EV_DC_BLOCK_H

#include <stdint.h>

#define EV_DC_BLOCK_HZ 20.0 /* -3 dB; -0.27 dB at 80 Hz, the lowest voice fundamentals */

typedef struct ev_dc_block {
  double r;      /* pole, exp(-2 pi fc / rate); 1 = pass-through */
  double x1, y1; /* previous input and output */
  int primed;    /* x1 holds a sample: the first one after a reset starts the filter there, so
                  * an offset present from the start gives no step (no click at the start) */
} ev_dc_block;

/* cutoff_hz <= 0: pass-through (the samples are still sanitised). */
void ev_dc_block_init(ev_dc_block *d, double rate, double cutoff_hz);
void ev_dc_block_reset(ev_dc_block *d);
void ev_dc_block_process(ev_dc_block *d, const float *in, float *out, uint32_t n);
/* The filter alone, in place, on samples that already follow the sanitising rules (the
 * extractor's stream after ev_sanitize_block and the resampler: finite, and the resampler runs
 * with denormals flushed). */
void ev_dc_block_run(ev_dc_block *d, float *out, uint32_t n);

#endif
