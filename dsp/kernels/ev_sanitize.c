/* Input sanitising (ev_sanitize.h). */
#include "ev_sanitize.h"

#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ev_features.h" /* EV_SAMPLE_CLAMP, EV_SAMPLE_FLUSH */

float ev_sanitize_sample(float v) {
  if (!isfinite(v))
    return 0.0f;
  if (v > EV_SAMPLE_CLAMP)
    return EV_SAMPLE_CLAMP;
  if (v < -EV_SAMPLE_CLAMP)
    return -EV_SAMPLE_CLAMP;
  return fabsf(v) < EV_SAMPLE_FLUSH ? 0.0f : v;
}

void ev_sanitize_block(float *out, const float *in, uint32_t n) {
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
    out[i] = ev_sanitize_sample(in[i]);
}
