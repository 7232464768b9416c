#include "test_audio.h"

#include "emovox_config.h" /* EMOVOX_NARROWBAND_MODEL_FILE */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>
#include <speex/speex_resampler.h>

#define SPEECH_FILE "RAVDESS/Audio_Speech_Actors_01-24/Actor_01/03-01-05-02-01-01-01.flac"

float *test_speech(double rate, double lead_s, double tail_s, size_t *n, size_t *speech_start,
                   size_t *speech_end) {
  const char *root = getenv("EMOVOX_CORPORA");
  if (!root) {
    fprintf(stderr, "EMOVOX_CORPORA is not set\n");
    return NULL;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", root, SPEECH_FILE);
  SF_INFO info = {0};
  SNDFILE *f = sf_open(path, SFM_READ, &info);
  if (!f) {
    fprintf(stderr, "cannot open %s: %s\n", path, sf_strerror(NULL));
    return NULL;
  }
  float *src = malloc(sizeof(float) * (size_t)info.frames * (size_t)info.channels);
  sf_count_t got = sf_readf_float(f, src, info.frames);
  sf_close(f);
  size_t in_len = (size_t)got;
  if (info.channels > 1) /* keep the first channel */
    for (size_t i = 0; i < in_len; i++)
      src[i] = src[i * (size_t)info.channels];

  size_t out_cap = (size_t)((double)in_len * rate / info.samplerate) + 1024;
  float *speech = calloc(out_cap, sizeof(float));
  int err = 0;
  SpeexResamplerState *rs =
      speex_resampler_init(1, (spx_uint32_t)info.samplerate, (spx_uint32_t)rate, 5, &err);
  spx_uint32_t il = (spx_uint32_t)in_len, ol = (spx_uint32_t)out_cap;
  speex_resampler_process_float(rs, 0, src, &il, speech, &ol);
  speex_resampler_destroy(rs);
  free(src);

  size_t lead = (size_t)(lead_s * rate), tail = (size_t)(tail_s * rate);
  *n = lead + ol + tail;
  float *out = calloc(*n, sizeof(float));
  memcpy(out + lead, speech, ol * sizeof(float));
  free(speech);
  *speech_start = lead;
  *speech_end = lead + ol;
  return out;
}

/* speexdsp quality 10 from `from` to `to` Hz: a calloc'd buffer of *n_out samples. */
static float *resample(const float *x, size_t n, int from, int to, size_t *n_out) {
  size_t cap = (size_t)((double)n * to / from) + 1024;
  float *y = calloc(cap, sizeof(float));
  int err = 0;
  SpeexResamplerState *rs = speex_resampler_init(1, (spx_uint32_t)from, (spx_uint32_t)to, 10, &err);
  if (!y || !rs) {
    free(y);
    if (rs)
      speex_resampler_destroy(rs);
    return NULL;
  }
  spx_uint32_t il = (spx_uint32_t)n, ol = (spx_uint32_t)cap;
  speex_resampler_process_float(rs, 0, x, &il, y, &ol);
  speex_resampler_destroy(rs);
  *n_out = ol;
  return y;
}

float *test_telephone_speech(double rate, double lead_s, size_t *n) {
  size_t n16, s0, s1, n8;
  float *x = test_speech(16000, lead_s, 0.0, &n16, &s0, &s1);
  float *narrow = x ? resample(x, n16, 16000, 8000, &n8) : NULL;
  float *y = narrow ? resample(narrow, n8, 8000, (int)rate, n) : NULL;
  free(x);
  free(narrow);
  return y;
}

const char *test_default_model_path(void) {
  static char path[4096];
  const char *root = getenv("EMOVOX_BUILD_ROOT");
  snprintf(path, sizeof path, "%s/emovox.lv2/emovox-default.safetensors", root ? root : ".");
  return path;
}

const char *test_narrowband_model_path(void) {
  static char path[4096];
  const char *root = getenv("EMOVOX_BUILD_ROOT");
  snprintf(path, sizeof path, "%s/emovox.lv2/%s", root ? root : ".", EMOVOX_NARROWBAND_MODEL_FILE);
  return path;
}
