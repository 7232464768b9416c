/* One-pole DC-blocking high-pass (see ev_dc_block.h). */
#include "ev_dc_block.h"

#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/* sanitize() over n samples, four at a time where SSE2 is there (the extractor's
 * sanitize_block: exactly the same values), before the serial recursion, which is then left
 * with nothing but its own arithmetic. */
static void sanitize_block(float *out, const float *in, uint32_t n) {
  uint32_t i = 0;
#if defined(__SSE2__)
  const __m128 sign = _mm_set1_ps(-0.0f), fmax = _mm_set1_ps(3.40282347e38f);
  const __m128 clamp = _mm_set1_ps(EV_SAMPLE_CLAMP), flush = _mm_set1_ps(EV_SAMPLE_FLUSH);
  for (; i + 4 <= n; i += 4) {
    __m128 v = _mm_loadu_ps(in + i), a = _mm_andnot_ps(sign, v);
    __m128 finite = _mm_cmple_ps(a, fmax); /* false for NaN and +-Inf */
    __m128 big = _mm_cmpgt_ps(a, clamp), keep = _mm_andnot_ps(_mm_cmplt_ps(a, flush), finite);
    __m128 clamped = _mm_or_ps(_mm_and_ps(v, sign), clamp); /* +-EV_SAMPLE_CLAMP */
    v = _mm_or_ps(_mm_and_ps(big, clamped), _mm_andnot_ps(big, v));
    _mm_storeu_ps(out + i, _mm_and_ps(v, keep));
  }
#endif
  for (; i < n; i++)
    out[i] = sanitize(in[i]);
}

void ev_dc_block_process(ev_dc_block *d, const float *in, float *out, uint32_t n) {
  sanitize_block(out, in, n); /* element by element: in may be out */
  if (d->r == 1.0)            /* off: sanitised samples, bit for bit */
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
