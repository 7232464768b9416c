/* One-pole DC-blocking high-pass (see ev_dc_block.h). */
#include "ev_dc_block.h"

#include <math.h>

#include "ev_features.h"

void ev_dc_block_init(ev_dc_block *d, double rate, double cutoff_hz) {
  d->r = cutoff_hz > 0.0 ? exp(-2.0 * M_PI * cutoff_hz / rate) : 1.0;
  ev_dc_block_reset(d);
}

void ev_dc_block_reset(ev_dc_block *d) {
  d->x1 = 0.0;
  d->y1 = 0.0;
  d->primed = 0;
}

/* The extractor's own rules (ev_features.h), applied before the filter's state sees a sample. */
static float sanitize(float v) {
  if (!isfinite(v))
    return 0.0f;
  if (v > EV_SAMPLE_CLAMP)
    return EV_SAMPLE_CLAMP;
  if (v < -EV_SAMPLE_CLAMP)
    return -EV_SAMPLE_CLAMP;
  return fabsf(v) < EV_SAMPLE_FLUSH ? 0.0f : v;
}

void ev_dc_block_process(ev_dc_block *d, const float *in, float *out, uint32_t n) {
  if (d->r == 1.0) { /* off: sanitised samples, bit for bit */
    for (uint32_t i = 0; i < n; i++)
      out[i] = sanitize(in[i]);
    return;
  }
  if (!n)
    return;
  if (!d->primed) {
    d->x1 = sanitize(in[0]);
    d->primed = 1;
  }
  double x1 = d->x1, y1 = d->y1;
  const double r = d->r;
  for (uint32_t i = 0; i < n; i++) {
    const double x = sanitize(in[i]);
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
