/* Determinism: the frame sequence (every feature, deltas included) and the tick sequence are
 * bit-identical whatever the block sizes, at 44.1 and 48 kHz (resampled) and 16 kHz. */
#include "ev_features.h"
#include "ev_test.h"
#include "frame_log.h"
#include "test_signal.h"

#include <stdint.h>

static void run(const ev_feature_config *cfg, double rate, const float *x, size_t n,
                const uint32_t *blocks, int n_blocks, uint32_t seed, frame_log *log) {
  char err[256];
  ev_extractor *ex = ev_extractor_new(cfg, rate, 512, err, sizeof err);
  EV_CHECK(ex != NULL, "%s", err);
  if (!ex)
    return;
  frame_log_init(log, cfg);
  ev_extractor_set_ticks(ex, 8, frame_log_on_tick, log);
  size_t i = 0;
  int b = 0;
  uint32_t s = seed;
  while (i < n) {
    uint32_t m;
    if (seed) { /* random mix, including 0 and blocks larger than max_block */
      s = s * 1103515245u + 12345u;
      uint32_t r = (s >> 16) % 100;
      m = r < 5    ? 0
          : r < 50 ? 1 + (s >> 4) % 64
          : r < 95 ? 1 + (s >> 3) % 1024
                   : 4000 + (s >> 2) % 5000;
    } else {
      m = blocks[b++ % n_blocks];
    }
    if (m > n - i)
      m = (uint32_t)(n - i);
    ev_extractor_process(ex, x + i, m, frame_log_on_frame, log);
    i += m;
  }
  ev_extractor_flush(ex, frame_log_on_frame, log);
  ev_extractor_free(ex);
}

static int compare(const frame_log *a, const frame_log *b, const char *what) {
  int same = a->frames == b->frames && a->n_events == b->n_events &&
             !memcmp(a->v, b->v, a->frames * (size_t)a->width * sizeof(float)) &&
             !memcmp(a->events, b->events, a->n_events * sizeof(int));
  EV_CHECK(same, "%s: %zu vs %zu frames, %zu vs %zu events, not bit-identical", what, a->frames,
           b->frames, a->n_events, b->n_events);
  return same;
}

int main(void) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  const double rates[3] = {44100, 48000, 16000};
  const uint32_t sizes[5] = {1, 7, 64, 1000, 8192};
  for (int r = 0; r < 3; r++) {
    size_t n;
    float *x = test_signal(rates[r], 3.0, &n);
    frame_log ref;
    run(&cfg, rates[r], x, n, &sizes[0], 1, 0, &ref);
    /* expected count: 1 + floor((N16 - n_fft)/hop), N16 = ceil(N * 16000 / rate) */
    size_t n16 = (size_t)ceil(n * 16000.0 / rates[r]);
    size_t expect = 1 + (n16 - 512) / 160;
    EV_CHECK(ref.frames == expect && ref.order_ok, "%.0f Hz: %zu frames, expected %zu", rates[r],
             ref.frames, expect);
    /* exactly 8 ticks after every frame, numbered 0..7 */
    int ticks_ok = 1;
    for (size_t e = 0; e < ref.n_events; e++) {
      if (ref.events[e] < 0) {
        for (int k = 0; k < 8; k++)
          if (e + 1 + (size_t)k >= ref.n_events || ref.events[e + 1 + (size_t)k] != k)
            ticks_ok = 0;
      }
    }
    EV_CHECK(ticks_ok && ref.n_events == ref.frames * 9,
             "%.0f Hz: tick sequence wrong (%zu events)", rates[r], ref.n_events);
    for (int k = 1; k <= 5; k++) {
      frame_log other;
      char what[64];
      if (k < 5) {
        run(&cfg, rates[r], x, n, &sizes[k], 1, 0, &other);
        snprintf(what, sizeof what, "%.0f Hz, block %u", rates[r], sizes[k]);
      } else {
        run(&cfg, rates[r], x, n, NULL, 0, 777u + (uint32_t)r, &other);
        snprintf(what, sizeof what, "%.0f Hz, random block mix", rates[r]);
      }
      if (compare(&ref, &other, what))
        printf("%s: %zu frames bit-identical to block size 1\n", what, other.frames);
      frame_log_free(&other);
    }
    frame_log_free(&ref);
    free(x);
  }
  EV_TEST_END();
}
