/* ev_functionals_of_file(): the 88 eGeMAPS statistics of an audio buffer through the real
 * streaming extractor (the plugin's path: resampling to 16 kHz, framing, the eGeMAPS
 * descriptors of ev_egemaps_lld()), then the whole-file functionals; or the same fed block by
 * block (ev_functionals_stream_*: the audio is not kept, only the 26 values of each 10 ms frame,
 * which the whole-file functionals copy at the end: memory grows with the file).
 * Offline only: it allocates. Kept apart from ev_functionals.c, which needs nothing but the LLD
 * rows. */
#include "ev_features.h"
#include "ev_functionals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct collect {
  float *lld, *energy;
  size_t n, cap;
  int oom;
} collect;

static void on_frame(void *user, const ev_frame *fr) {
  collect *c = user;
  if (c->oom)
    return;
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 1024;
    float *l = realloc(c->lld, cap * EV_EGEMAPS_N_LLD * sizeof(float));
    if (l)
      c->lld = l;
    float *e = realloc(c->energy, cap * sizeof(float));
    if (e)
      c->energy = e;
    if (!l || !e) {
      c->oom = 1;
      return;
    }
    c->cap = cap;
  }
  /* the same per-frame values as ev_functionals_push_frame() */
  ev_egemaps_lld(fr, c->lld + c->n * EV_EGEMAPS_N_LLD);
  const float *rms = fr->feat[EV_FEAT_RMS];
  c->energy[c->n] = rms ? rms[0] * rms[0] : 0.0f;
  c->n++;
}

struct ev_functionals_stream {
  ev_extractor *ex;
  collect c;
};

#define STREAM_BLOCK 4096 /* the extractor's largest block (its output does not depend on it) */

ev_functionals_stream *ev_functionals_stream_new(double rate, char *err, size_t errlen) {
  ev_functionals_stream *s = calloc(1, sizeof *s);
  if (!s) {
    if (err && errlen)
      snprintf(err, errlen, "out of memory");
    return NULL;
  }
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  s->ex = ev_extractor_new(&cfg, rate, STREAM_BLOCK, err, errlen);
  if (!s->ex) {
    free(s);
    return NULL;
  }
  ev_extractor_set_features(s->ex, EV_FEATURE_MASK_EGEMAPS | EV_FEATURE_BIT(EV_FEAT_RMS));
  return s;
}

void ev_functionals_stream_feed(ev_functionals_stream *s, const float *x, size_t n) {
  for (size_t i = 0; i < n; i += STREAM_BLOCK) {
    uint32_t b = (uint32_t)(n - i < STREAM_BLOCK ? n - i : STREAM_BLOCK);
    ev_extractor_process(s->ex, x + i, b, on_frame, &s->c);
  }
}

int ev_functionals_stream_end(ev_functionals_stream *s, float out[EV_FUNC_N], char *err,
                              size_t errlen) {
  for (int i = 0; i < EV_FUNC_N; i++)
    out[i] = 0.0f;
  ev_extractor_flush(s->ex, on_frame, &s->c);
  /* ev_egemaps_lld() gives the F0-level columns as measured per frame (see
   * ev_functionals_push_unsmoothed) */
  if (s->c.oom || ev_functionals_of_unsmoothed(s->c.lld, s->c.energy, s->c.n, out)) {
    if (err && errlen)
      snprintf(err, errlen, "out of memory for the functionals of %zu frames", s->c.n);
    return -1;
  }
  return 0;
}

void ev_functionals_stream_free(ev_functionals_stream *s) {
  if (!s)
    return;
  ev_extractor_free(s->ex);
  free(s->c.lld);
  free(s->c.energy);
  free(s);
}

int ev_functionals_of_file(const float *x, size_t n, double rate, float out[EV_FUNC_N], char *err,
                           size_t errlen) {
  for (int i = 0; i < EV_FUNC_N; i++)
    out[i] = 0.0f;
  ev_functionals_stream *s = ev_functionals_stream_new(rate, err, errlen);
  if (!s)
    return -1;
  ev_functionals_stream_feed(s, x, n);
  int rc = ev_functionals_stream_end(s, out, err, errlen);
  ev_functionals_stream_free(s);
  return rc;
}
