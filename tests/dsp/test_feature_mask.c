/* Feature selection (ev_extractor_set_features): for single features, their dependency
 * chains and a model's typical inputs, every selected feature is bit-identical to the same
 * feature of an extractor computing everything, every other one is NULL, and the frame and
 * tick sequence is unchanged; at 16 kHz and 48 kHz, with random block sizes. Also checks
 * ev_extract_buffer with `want` against the full extraction. */
#include "ev_features.h"
#include "ev_test.h"
#include "test_signal.h"

#include <stdint.h>
#include <string.h>

#define MAX_FRAMES 800
#define MAX_EVENTS (MAX_FRAMES * 9)

typedef struct run_log {
  const ev_feature_config *cfg;
  uint32_t mask;
  float *v[EV_FEAT_COUNT]; /* [MAX_FRAMES][dims] */
  int present[EV_FEAT_COUNT];
  int nulls_ok;
  size_t frames;
  int events[MAX_EVENTS]; /* -1 for a frame, else the tick index */
  size_t n_events;
} run_log;

static void on_frame(void *user, const ev_frame *fr) {
  run_log *l = user;
  EV_CHECK((size_t)fr->index == l->frames, "frame %lld after %zu", (long long)fr->index, l->frames);
  if (l->n_events < MAX_EVENTS)
    l->events[l->n_events++] = -1;
  if (l->frames >= MAX_FRAMES)
    return;
  for (int id = 0; id < EV_FEAT_COUNT; id++) {
    int want = (l->mask >> id) & 1u;
    if (want != (fr->feat[id] != NULL))
      l->nulls_ok = 0;
    if (fr->feat[id]) {
      size_t d = (size_t)ev_feature_dims(l->cfg, (ev_feature_id)id);
      memcpy(l->v[id] + l->frames * d, fr->feat[id], d * sizeof(float));
      l->present[id] = 1;
    }
  }
  l->frames++;
}

static void on_tick(void *user, int tick) {
  run_log *l = user;
  if (l->n_events < MAX_EVENTS)
    l->events[l->n_events++] = tick;
}

static void run(const ev_feature_config *cfg, double rate, const float *x, size_t n, uint32_t mask,
                int set_mask, uint32_t seed, run_log *l) {
  memset(l, 0, sizeof *l);
  l->cfg = cfg;
  l->mask = mask;
  l->nulls_ok = 1;
  for (int id = 0; id < EV_FEAT_COUNT; id++)
    l->v[id] =
        calloc((size_t)MAX_FRAMES * (size_t)ev_feature_dims(cfg, (ev_feature_id)id), sizeof(float));
  char err[256];
  ev_extractor *ex = ev_extractor_new(cfg, rate, 512, err, sizeof err);
  EV_CHECK(ex != NULL, "%s", err);
  if (!ex)
    return;
  EV_CHECK(ev_extractor_features(ex) == EV_FEATURE_MASK_ALL, "default mask %#x",
           ev_extractor_features(ex));
  if (set_mask)
    ev_extractor_set_features(ex, mask);
  EV_CHECK(ev_extractor_features(ex) == mask, "mask %#x, set %#x", ev_extractor_features(ex), mask);
  ev_extractor_set_ticks(ex, 5, on_tick, l);
  size_t i = 0;
  uint32_t s = seed;
  while (i < n) {
    s = s * 1103515245u + 12345u;
    uint32_t m = (s >> 16) % 1500;
    if (m > n - i)
      m = (uint32_t)(n - i);
    ev_extractor_process(ex, x + i, m, on_frame, l);
    i += m;
  }
  ev_extractor_flush(ex, on_frame, l);
  ev_extractor_free(ex);
}

static void free_log(run_log *l) {
  for (int id = 0; id < EV_FEAT_COUNT; id++)
    free(l->v[id]);
}

static void check_mask(const ev_feature_config *cfg, double rate, const float *x, size_t n,
                       const run_log *full, uint32_t mask, const char *what) {
  run_log *l = malloc(sizeof *l);
  run(cfg, rate, x, n, mask, 1, 7u, l);
  EV_CHECK(l->frames == full->frames, "%s at %g Hz: %zu vs %zu frames", what, rate, l->frames,
           full->frames);
  EV_CHECK(l->n_events == full->n_events &&
               !memcmp(l->events, full->events, l->n_events * sizeof(int)),
           "%s at %g Hz: frame/tick sequence differs", what, rate);
  EV_CHECK(l->nulls_ok, "%s at %g Hz: a feature outside the mask is not NULL (or one inside is)",
           what, rate);
  size_t frames = l->frames < MAX_FRAMES ? l->frames : MAX_FRAMES;
  for (int id = 0; id < EV_FEAT_COUNT; id++) {
    if (!((mask >> id) & 1u))
      continue;
    size_t d = (size_t)ev_feature_dims(cfg, (ev_feature_id)id);
    EV_CHECK(l->present[id] && !memcmp(l->v[id], full->v[id], frames * d * sizeof(float)),
             "%s at %g Hz: %s differs from the full extraction", what, rate,
             ev_feature_name((ev_feature_id)id));
  }
  free_log(l);
  free(l);
}

#define B(id) EV_FEATURE_BIT(id)

int main(void) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  const uint32_t masks[] = {
      B(EV_FEAT_RMS),
      B(EV_FEAT_ZCR),
      B(EV_FEAT_POWER),
      B(EV_FEAT_MEL),
      B(EV_FEAT_LOGMEL),
      B(EV_FEAT_MFCC),
      B(EV_FEAT_MFCC_DELTA),
      B(EV_FEAT_MFCC_DELTA2),
      B(EV_FEAT_CHROMA),
      B(EV_FEAT_CENTROID),
      B(EV_FEAT_BANDWIDTH) | B(EV_FEAT_ROLLOFF),
      B(EV_FEAT_FLATNESS),
      B(EV_FEAT_MFCC) | B(EV_FEAT_RMS),                                            /* test model */
      B(EV_FEAT_LOGMEL) | B(EV_FEAT_MFCC_DELTA) | B(EV_FEAT_ZCR) | B(EV_FEAT_RMS), /* emovox */
      0u,
  };
  const double rates[] = {16000, 48000};
  for (int r = 0; r < 2; r++) {
    size_t n;
    float *x = test_signal(rates[r], 4.0, &n);
    run_log *full = malloc(sizeof *full);
    run(&cfg, rates[r], x, n, EV_FEATURE_MASK_ALL, 0, 7u, full);
    printf("%g Hz: %zu frames, %zu frame/tick events\n", rates[r], full->frames, full->n_events);
    EV_CHECK(full->frames > 300 && full->nulls_ok, "full extraction: %zu frames", full->frames);
    for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++) {
      char what[64];
      snprintf(what, sizeof what, "mask %#x", masks[m]);
      check_mask(&cfg, rates[r], x, n, full, masks[m], what);
    }
    /* out-of-range bits are ignored */
    run_log *l = malloc(sizeof *l);
    run(&cfg, rates[r], x, n, EV_FEATURE_MASK_ALL, 0, 7u, l);
    ev_extractor *ex = ev_extractor_new(&cfg, rates[r], 64, NULL, 0);
    ev_extractor_set_features(ex, 0xffffffffu);
    EV_CHECK(ev_extractor_features(ex) == EV_FEATURE_MASK_ALL, "mask %#x",
             ev_extractor_features(ex));
    ev_extractor_free(ex);
    free_log(l);
    free(l);

    /* offline: want = {mfcc_delta} gives the same deltas as want = NULL */
    float *all[EV_FEAT_COUNT], *one[EV_FEAT_COUNT];
    size_t fa[EV_FEAT_COUNT], fo[EV_FEAT_COUNT];
    int want[EV_FEAT_COUNT] = {0};
    want[EV_FEAT_MFCC_DELTA] = 1;
    char err[256];
    EV_CHECK(!ev_extract_buffer(&cfg, rates[r], x, n, NULL, all, fa, err, sizeof err), "%s", err);
    EV_CHECK(!ev_extract_buffer(&cfg, rates[r], x, n, want, one, fo, err, sizeof err), "%s", err);
    EV_CHECK(fo[EV_FEAT_MFCC_DELTA] == fa[EV_FEAT_MFCC_DELTA] && fo[EV_FEAT_MFCC_DELTA] > 0 &&
                 !memcmp(one[EV_FEAT_MFCC_DELTA], all[EV_FEAT_MFCC_DELTA],
                         fo[EV_FEAT_MFCC_DELTA] * (size_t)cfg.n_mfcc * sizeof(float)),
             "ev_extract_buffer: deltas with want differ from the full extraction");
    EV_CHECK(one[EV_FEAT_MFCC] == NULL && fo[EV_FEAT_MFCC] == 0, "unwanted mfcc returned");
    for (int id = 0; id < EV_FEAT_COUNT; id++) {
      free(all[id]);
      free(one[id]);
    }
    free_log(full);
    free(full);
    free(x);
  }
  EV_TEST_END();
}
