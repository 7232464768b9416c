/* One-pole DC-blocking high-pass (see ev_dc_block.h). */
#include "ev_dc_block.h"

#include <math.h>

#include "ev_sanitize.h" /* dsp/kernels */

void ev_dc_block_init(ev_dc_block *d, double rate, double cutoff_hz) {
  d->r = cutoff_hz > 0.0 ? exp(-2.0 * M_PI * cutoff_hz / rate) : 1.0;
  ev_dc_block_reset(d);
}

void ev_dc_block_reset(ev_dc_block *d) {
  d->x1 = 0.0;
  d->y1 = 0.0;
  d->primed = 0;
}

/* The extractor's own input rules (ev_sanitize.h), applied before the filter's state sees a
 * sample. */
void ev_dc_block_process(ev_dc_block *d, const float *in, float *out, uint32_t n) {
  ev_sanitize_block(out, in, n); /* element by element: in may be out */
  ev_dc_block_run(d, out, n);
}

void ev_dc_block_run(ev_dc_block *d, float *out, uint32_t n) {
  if (d->r == 1.0) /* off: the samples as they are, bit for bit */
    return;
  if (!n)
    return;
  if (!d->primed) {
    d->x1 = out[0];
    d->primed = 1;
  }
  double x1 = d->x1, y1 = d->y1;
  const double r = d->r;
  for (uint32_t i = 0; i < n; i++) {
    const double x = out[i];
    double y = x - x1 + r * y1;
    if (fabs(y) < 1e-30) /* the decaying tail never becomes denormal */
      y = 0.0;
    out[i] = (float)y;
    x1 = x;
    y1 = y;
  }
  d->x1 = x1;
  d->y1 = y1;
}
