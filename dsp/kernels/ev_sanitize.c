/* Input sanitising (ev_sanitize.h). */
#include "ev_sanitize.h"

#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ev_clones.h"   /* dsp/kernels */
#include "ev_features.h" /* EV_SAMPLE_CLAMP, EV_SAMPLE_FLUSH */

#include <string.h>

float ev_sanitize_sample(float v) {
  if (!isfinite(v))
    return 0.0f;
  if (v > EV_SAMPLE_CLAMP)
    return EV_SAMPLE_CLAMP;
  if (v < -EV_SAMPLE_CLAMP)
    return -EV_SAMPLE_CLAMP;
  return fabsf(v) < EV_SAMPLE_FLUSH ? 0.0f : v;
}

#if defined(__GNUC__) || defined(__clang__)
typedef float ev_sv8f __attribute__((vector_size(32)));
typedef int32_t ev_sv8i __attribute__((vector_size(32)));

/* Eight samples at a time as generic vectors (one AVX register in the AVX clone, two SSE
 * registers in the baseline): the bit operations and comparisons of the SSE2 loop below,
 * element by element, so the same values. n is a multiple of 8. */
EV_TARGET_CLONES
static void sanitize_v8(float *out, const float *in, uint32_t n) {
  const ev_sv8i sign = {INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN,
                        INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN};
  const ev_sv8f fmax = {3.40282347e38f, 3.40282347e38f, 3.40282347e38f, 3.40282347e38f,
                        3.40282347e38f, 3.40282347e38f, 3.40282347e38f, 3.40282347e38f};
  const ev_sv8f clamp = {EV_SAMPLE_CLAMP, EV_SAMPLE_CLAMP, EV_SAMPLE_CLAMP, EV_SAMPLE_CLAMP,
                         EV_SAMPLE_CLAMP, EV_SAMPLE_CLAMP, EV_SAMPLE_CLAMP, EV_SAMPLE_CLAMP};
  const ev_sv8f flush = {EV_SAMPLE_FLUSH, EV_SAMPLE_FLUSH, EV_SAMPLE_FLUSH, EV_SAMPLE_FLUSH,
                         EV_SAMPLE_FLUSH, EV_SAMPLE_FLUSH, EV_SAMPLE_FLUSH, EV_SAMPLE_FLUSH};
  ev_sv8i clamp_bits;
  memcpy(&clamp_bits, &clamp, sizeof clamp_bits);
  for (uint32_t i = 0; i < n; i += 8) {
    ev_sv8i v;
    ev_sv8f a;
    memcpy(&v, in + i, sizeof v);
    const ev_sv8i abits = v & ~sign;
    memcpy(&a, &abits, sizeof a);
    const ev_sv8i finite = a <= fmax; /* false for NaN and +-Inf */
    const ev_sv8i big = a > clamp, keep = ~(a < flush) & finite;
    const ev_sv8i clamped = (v & sign) | clamp_bits; /* +-EV_SAMPLE_CLAMP */
    const ev_sv8i r = ((big & clamped) | (~big & v)) & keep;
    memcpy(out + i, &r, sizeof r);
  }
}
#endif

void ev_sanitize_block(float *out, const float *in, uint32_t n) {
  uint32_t i = 0;
#if defined(__GNUC__) || defined(__clang__)
  i = n & ~7u;
  sanitize_v8(out, in, i);
#endif
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
