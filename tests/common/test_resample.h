/* Tests' own high-quality resampler (speexdsp quality 10, independent of the extractor's
 * libsoxr path): audio taken to another rate (test_resample_rate) or 16 kHz audio with the filter
 * delay skipped, so that frames stay aligned with the 16 kHz original. Returns a calloc'd buffer of
 * the original duration (*n_out samples); NULL if out of memory. */
#ifndef TEST_RESAMPLE_H
#define TEST_RESAMPLE_H

#include <speex/speex_resampler.h>
#include <stdlib.h>
#include <string.h>

static inline float *test_resample_rate(const float *x, size_t n, int from, int rate,
                                        size_t *n_out) {
  int err = 0;
  SpeexResamplerState *rs =
      speex_resampler_init(1, (spx_uint32_t)from, (spx_uint32_t)rate, 10, &err);
  size_t cap = (size_t)((double)n * rate / from) + 4096;
  float *y = calloc(cap, sizeof *y), *pad = calloc(n + 4096, sizeof *pad);
  if (!rs || !y || !pad) {
    if (rs)
      speex_resampler_destroy(rs);
    free(y);
    free(pad);
    return NULL;
  }
  memcpy(pad, x, n * sizeof *x); /* zeros after the end flush the filter */
  speex_resampler_skip_zeros(rs);
  spx_uint32_t in_len = (spx_uint32_t)(n + 4096), out_len = (spx_uint32_t)cap;
  speex_resampler_process_float(rs, 0, pad, &in_len, y, &out_len);
  speex_resampler_destroy(rs);
  free(pad);
  *n_out = (size_t)((double)n * rate / from);
  return y;
}

static inline float *test_resample_from_16k(const float *x, size_t n, int rate, size_t *n_out) {
  return test_resample_rate(x, n, 16000, rate, n_out);
}

/* Telephone audio in a session at `rate`: 16 kHz speech through an 8 kHz channel (nothing left
 * above 4 kHz), then taken to the session's rate, as a phone call recorded into a DAW is. */
static inline float *test_telephone_from_16k(const float *x, size_t n, int rate, size_t *n_out) {
  size_t m = 0;
  float *narrow = test_resample_rate(x, n, 16000, 8000, &m);
  if (!narrow)
    return NULL;
  float *y = test_resample_rate(narrow, m, 8000, rate, n_out);
  free(narrow);
  return y;
}

#endif
