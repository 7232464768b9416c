/* Offline whole-signal extraction: the streaming extractor plus flush, re-cut to librosa's
 * frame counts and delta edges. The CLI, the trainer and the tests all use this. */
#include "ev_features.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct collect {
  const ev_feature_config *cfg;
  float **out;
  size_t rows[EV_FEAT_COUNT]; /* rows wanted per feature */
  int64_t seen;               /* frames received */
} collect;

static void on_frame(void *user, const ev_frame *fr) {
  collect *c = user;
  c->seen = fr->index + 1;
  for (int id = 0; id < EV_FEAT_COUNT; id++) {
    if (!c->out[id])
      continue;
    int64_t row = fr->index;
    if (id == EV_FEAT_MFCC_DELTA || id == EV_FEAT_MFCC_DELTA2) {
      /* librosa 'interp' edges are filled afterwards from d[4] and d[T-5] */
      if (row < EV_DELTA_HALF || row >= (int64_t)c->rows[id] - EV_DELTA_HALF)
        continue;
    }
    if (row >= (int64_t)c->rows[id])
      continue;
    size_t d = (size_t)ev_feature_dims(c->cfg, (ev_feature_id)id);
    memcpy(c->out[id] + (size_t)row * d, fr->feat[id], d * sizeof(float));
  }
}

int ev_extract_buffer(const ev_feature_config *cfg, double rate, const float *x, size_t n,
                      const int *want, float *out[EV_FEAT_COUNT], size_t frames[EV_FEAT_COUNT],
                      char *err, size_t errlen) {
  for (int id = 0; id < EV_FEAT_COUNT; id++) {
    out[id] = NULL;
    frames[id] = 0;
  }
  ev_extractor *ex = ev_extractor_new_offline(cfg, rate, 4096, err, errlen);
  if (!ex)
    return -1;
  int resampling = lrint(rate) != cfg->sample_rate;
  size_t n16 = resampling ? (size_t)ceil((double)n * cfg->sample_rate / rate) : n;
  size_t t_stft =
      n16 >= (size_t)cfg->n_fft ? 1 + (n16 - (size_t)cfg->n_fft) / (size_t)cfg->hop_length : 0;
  size_t t_win = n16 >= (size_t)cfg->win_length
                     ? 1 + (n16 - (size_t)cfg->win_length) / (size_t)cfg->hop_length
                     : 0;
  uint32_t mask = 0;
  for (int id = 0; id < EV_FEAT_COUNT; id++)
    if (!want || want[id])
      mask |= EV_FEATURE_BIT(id);
  ev_extractor_set_features(ex, mask);
  collect c = {.cfg = cfg, .out = out, .seen = 0};
  int fail = 0;
  for (int id = 0; id < EV_FEAT_COUNT && !fail; id++) {
    if (want && !want[id])
      continue;
    size_t rows = (id == EV_FEAT_ZCR || id == EV_FEAT_RMS) ? t_win : t_stft;
    if ((id == EV_FEAT_MFCC_DELTA || id == EV_FEAT_MFCC_DELTA2) && rows < EV_DELTA_WIDTH)
      rows = 0; /* librosa refuses deltas of fewer than 9 frames */
    c.rows[id] = rows;
    if (!rows)
      continue;
    out[id] = calloc(rows * (size_t)ev_feature_dims(cfg, (ev_feature_id)id), sizeof(float));
    fail = !out[id];
  }
  /* ZCR/RMS frames need win_length samples, STFT frames n_fft: pad with zeros so that the
   * extractor also produces the last ZCR/RMS frames (zeros after the end are exactly what
   * the resampler is drained with, so the frames inside the signal do not change). */
  size_t pad16 = (size_t)(cfg->n_fft - cfg->win_length);
  size_t pad = resampling ? (size_t)ceil(pad16 * rate / cfg->sample_rate) + 1 : pad16;
  static const float zeros[1024];
  for (size_t i = 0; i < n && !fail; i += 4096)
    ev_extractor_process(ex, x + i, (uint32_t)(n - i < 4096 ? n - i : 4096), on_frame, &c);
  for (size_t i = 0; i < pad && !fail; i += 1024)
    ev_extractor_process(ex, zeros, (uint32_t)(pad - i < 1024 ? pad - i : 1024), on_frame, &c);
  if (!fail)
    ev_extractor_flush(ex, on_frame, &c);
  ev_extractor_free(ex);
  size_t need = t_stft > t_win ? t_stft : t_win;
  if (fail) {
    if (err && errlen)
      snprintf(err, errlen, "out of memory for %zu frames", need);
  } else if ((size_t)c.seen < need) {
    fail = 1;
    if (err && errlen)
      snprintf(err, errlen, "internal error: %lld frames produced, %zu expected", (long long)c.seen,
               need);
  }
  if (fail) {
    for (int id = 0; id < EV_FEAT_COUNT; id++) {
      free(out[id]);
      out[id] = NULL;
    }
    return -1;
  }
  for (int id = EV_FEAT_MFCC_DELTA; id <= EV_FEAT_MFCC_DELTA2; id++) {
    if (!out[id])
      continue;
    size_t d = (size_t)cfg->n_mfcc, rows = c.rows[id];
    for (size_t t = 0; t < EV_DELTA_HALF; t++) {
      memcpy(out[id] + t * d, out[id] + EV_DELTA_HALF * d, d * sizeof(float));
      memcpy(out[id] + (rows - 1 - t) * d, out[id] + (rows - 1 - EV_DELTA_HALF) * d,
             d * sizeof(float));
    }
  }
  for (int id = 0; id < EV_FEAT_COUNT; id++)
    frames[id] = out[id] ? c.rows[id] : 0;
  return 0;
}
