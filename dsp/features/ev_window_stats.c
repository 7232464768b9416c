/* Sliding-window mean and standard deviation (ev_window_stats.h). */
#include "ev_window_stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

/* The sums are exact integers of the values in fixed point (1/4096 steps, clamped to +-2048:
 * MFCCs of dB log-mel stay within about +-1150): a frame that leaves takes out exactly what it
 * brought, so the statistics are a function of the frames in the window alone. Float sums
 * would carry the rounding of every frame ever pushed: after a burst of clipping the readings
 * would stay a few ulps off a clean run's for as long as the sums live. The squares stay below
 * 2^47 per frame, so the window may hold up to 2^16 frames (10 minutes). */
#define EV_WS_SCALE      4096.0
#define EV_WS_LIMIT      2048.0
#define EV_WS_MAX_FRAMES 65536

struct ev_window_stats {
  size_t capacity, count, next; /* next: the ring slot the next frame goes to */
  int dims;
  int32_t *ring; /* [capacity][dims], the frames in the window in fixed point */
  int64_t *sum;  /* [dims] */
  int64_t *sum2; /* [dims] */
};

ev_window_stats *ev_window_stats_new(size_t capacity, int dims) {
  if (capacity < 1 || capacity > EV_WS_MAX_FRAMES || dims < 1)
    return NULL;
  ev_window_stats *w = calloc(1, sizeof *w);
  if (!w)
    return NULL;
  w->capacity = capacity;
  w->dims = dims;
  w->ring = calloc(capacity * (size_t)dims, sizeof(int32_t));
  w->sum = calloc((size_t)dims, sizeof(int64_t));
  w->sum2 = calloc((size_t)dims, sizeof(int64_t));
  if (!w->ring || !w->sum || !w->sum2) {
    ev_window_stats_free(w);
    return NULL;
  }
  return w;
}

void ev_window_stats_free(ev_window_stats *w) {
  if (!w)
    return;
  free(w->ring);
  free(w->sum);
  free(w->sum2);
  free(w);
}

void ev_window_stats_reset(ev_window_stats *w) {
  w->count = w->next = 0;
  memset(w->sum, 0, sizeof(int64_t) * (size_t)w->dims);
  memset(w->sum2, 0, sizeof(int64_t) * (size_t)w->dims);
}

/* x in fixed point: 0 if not finite, clamped to +-EV_WS_LIMIT, rounded to the nearest step
 * (lrint: the current rounding mode, to even). On x86-64 glibc's lrint is the one instruction
 * cvtsd2si, called: here it is inlined, the same instruction on the same double. */
static inline int64_t quantize(float xf) {
  double v = isfinite(xf) ? xf : 0.0;
  v = v > EV_WS_LIMIT ? EV_WS_LIMIT : v < -EV_WS_LIMIT ? -EV_WS_LIMIT : v;
#if defined(__x86_64__)
  return _mm_cvtsd_si64(_mm_set_sd(v * EV_WS_SCALE));
#else
  return (int64_t)lrint(v * EV_WS_SCALE);
#endif
}

void ev_window_stats_push(ev_window_stats *w, const float *x) {
  int32_t *restrict slot = w->ring + w->next * (size_t)w->dims;
  int64_t *restrict sum = w->sum, *restrict sum2 = w->sum2;
  const int dims = w->dims;
  /* Integer sums: taking the oldest frame out in a pass of its own, before the new one goes in,
   * gives the same sums as per dimension (exact), without a test per dimension. */
  if (w->count == w->capacity) { /* the oldest frame leaves from the slot the new one takes */
    for (int d = 0; d < dims; d++) {
      const int64_t old = slot[d];
      sum[d] -= old;
      sum2[d] -= old * old;
    }
  } else {
    w->count++;
  }
  for (int d = 0; d < dims; d++) {
    const int64_t q = quantize(x[d]);
    slot[d] = (int32_t)q;
    sum[d] += q;
    sum2[d] += q * q;
  }
  if (++w->next == w->capacity)
    w->next = 0;
}

size_t ev_window_stats_frames(const ev_window_stats *w) {
  return w->count;
}

void ev_window_stats_compute(const ev_window_stats *w, float *mean, float *sd) {
  const int D = w->dims;
  const double n = w->count ? (double)w->count : 1.0;
  for (int d = 0; d < D; d++) {
    const double m = (double)w->sum[d] / n;
    const double var = (double)w->sum2[d] / n - m * m; /* may round a hair below 0 */
    if (mean)
      mean[d] = (float)(m / EV_WS_SCALE);
    if (sd)
      sd[d] = (float)(var > 0.0 ? sqrt(var) / EV_WS_SCALE : 0.0);
  }
}
