/* ev_functionals_of_file(): the 88 eGeMAPS statistics of an audio buffer through the real
 * streaming extractor (the plugin's path: resampling to 16 kHz, framing, the eGeMAPS
 * descriptors of ev_egemaps_lld()), then the whole-file functionals. Offline only: it
 * allocates. Kept apart from ev_functionals.c, which needs nothing but the LLD rows. */
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

int ev_functionals_of_file(const float *x, size_t n, double rate, float out[EV_FUNC_N], char *err,
                           size_t errlen) {
  for (int i = 0; i < EV_FUNC_N; i++)
    out[i] = 0.0f;
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  const uint32_t block = 4096;
  ev_extractor *ex = ev_extractor_new(&cfg, rate, block, err, errlen);
  if (!ex)
    return -1;
  ev_extractor_set_features(ex, EV_FEATURE_MASK_EGEMAPS | EV_FEATURE_BIT(EV_FEAT_RMS));
  collect c;
  memset(&c, 0, sizeof c);
  for (size_t i = 0; i < n; i += block) {
    uint32_t b = (uint32_t)(n - i < block ? n - i : block);
    ev_extractor_process(ex, x + i, b, on_frame, &c);
  }
  ev_extractor_flush(ex, on_frame, &c);
  ev_extractor_free(ex);
  int rc = 0;
  /* ev_egemaps_lld() gives the F0-level columns as measured per frame (see
   * ev_functionals_push_unsmoothed) */
  if (c.oom || ev_functionals_of_unsmoothed(c.lld, c.energy, c.n, out)) {
    if (err && errlen)
      snprintf(err, errlen, "out of memory for the functionals of %zu frames", c.n);
    rc = -1;
  }
  free(c.lld);
  free(c.energy);
  return rc;
}
