/* Realtime proof: 10^6 samples at 48 kHz in mixed block sizes (0 .. 3x max_block) through
 * ev_extractor_process (+ reset, set_ticks and flush) with rt_guard armed: no allocation,
 * lock, I/O or sleep may happen. The guard itself is checked first so this cannot pass
 * vacuously. */
#include "ev_features.h"
#include "ev_test.h"
#include "rt_guard.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

typedef struct sink {
  int64_t frames, ticks;
  double checksum;
} sink;

static void on_frame(void *user, const ev_frame *fr) {
  sink *s = user;
  s->frames++;
  s->checksum += fr->feat[EV_FEAT_LOGMEL][10] + fr->feat[EV_FEAT_MFCC_DELTA][1];
}
static void on_tick(void *user, int tick) {
  (void)tick;
  ((sink *)user)->ticks++;
}

int main(void) {
  const char *san = getenv("EMOVOX_SANITIZED");
  if ((san && !strcmp(san, "1")) || !rt_guard_available())
    EV_SKIP("rt_guard does not run in sanitized builds");

  /* 1. the guard catches what it should */
  void *(*volatile do_malloc)(size_t) = malloc;
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  rt_guard_reset();
  rt_guard_arm();
  void *p = do_malloc(64);
  free(p);
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  ssize_t w = write(1, "", 0);
  rt_guard_disarm();
  (void)w;
  EV_CHECK(rt_guard_count(RT_GUARD_MALLOC) == 1 && rt_guard_count(RT_GUARD_FREE) == 1 &&
               rt_guard_count(RT_GUARD_MUTEX) == 1 && rt_guard_count(RT_GUARD_WRITE) == 1,
           "guard self-test: malloc %lu free %lu mutex %lu write %lu",
           rt_guard_count(RT_GUARD_MALLOC), rt_guard_count(RT_GUARD_FREE),
           rt_guard_count(RT_GUARD_MUTEX), rt_guard_count(RT_GUARD_WRITE));
  rt_guard_reset();

  /* 2. the extractor, including creation outside the armed region */
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  char err[256];
  rt_guard_measure_begin();
  ev_extractor *ex = ev_extractor_new(&cfg, 48000, 1024, err, sizeof err);
  size_t bytes = rt_guard_measure_end();
  EV_CHECK(ex != NULL, "%s", err);
  if (!ex)
    EV_TEST_END();
  const size_t n = 1000000;
  float *x = malloc(n * sizeof(float));
  uint32_t s = 99u;
  for (size_t i = 0; i < n; i++) {
    s = s * 1664525u + 1013904223u;
    x[i] = (float)(((s >> 8) / 16777216.0 - 0.5) * 0.5);
    if (i % 100000 == 50000) /* some poison, which must not cost anything either */
      x[i] = NAN;
  }
  sink out = {0, 0, 0};
  rt_guard_arm();
  ev_extractor_set_ticks(ex, 8, on_tick, &out);
  size_t i = 0;
  while (i < n) {
    s = s * 1103515245u + 12345u;
    uint32_t b = (s >> 16) % 3072;
    if (b > n - i)
      b = (uint32_t)(n - i);
    ev_extractor_process(ex, x + i, b, on_frame, &out);
    i += b;
    if (i > n / 2 && i - b <= n / 2) /* a reset in the middle */
      ev_extractor_reset(ex);
  }
  ev_extractor_flush(ex, on_frame, &out);
  rt_guard_disarm();
  unsigned long total = rt_guard_total();
  if (total)
    rt_guard_print(stderr);
  EV_CHECK(total == 0, "%lu forbidden calls while processing", total);
  /* 8 ticks per frame; the reset drops the ticks still pending for the last frame before it */
  EV_CHECK(out.frames > 2000 && out.ticks <= 8 * out.frames && out.ticks >= 8 * out.frames - 7 &&
               isfinite(out.checksum),
           "%lld frames, %lld ticks", (long long)out.frames, (long long)out.ticks);
  printf("%zu samples at 48 kHz in mixed blocks: %lld frames, %lld ticks, 0 forbidden calls; "
         "extractor allocates %zu bytes at creation\n",
         n, (long long)out.frames, (long long)out.ticks, bytes);
  ev_extractor_free(ex);
  free(x);
  EV_TEST_END();
}
