/* Test helper: records every emitted frame (all features, deltas included) and every tick
 * into growing arrays, so whole runs can be compared bit for bit. */
#ifndef FRAME_LOG_H
#define FRAME_LOG_H

#include "ev_features.h"

#include <stdlib.h>
#include <string.h>

typedef struct frame_log {
  const ev_feature_config *cfg;
  int width; /* floats per frame */
  float *v;  /* [frames][width] */
  size_t frames, cap;
  int *events; /* -1 - frame index for a frame, tick number for a tick */
  size_t n_events, ev_cap;
  int order_ok; /* frames arrive in order 0, 1, 2, ... */
} frame_log;

static inline void frame_log_init(frame_log *l, const ev_feature_config *cfg) {
  memset(l, 0, sizeof *l);
  l->cfg = cfg;
  for (int id = 0; id < EV_FEAT_COUNT; id++)
    l->width += ev_feature_dims(cfg, (ev_feature_id)id);
  l->order_ok = 1;
}

static inline void frame_log_event(frame_log *l, int e) {
  if (l->n_events == l->ev_cap) {
    l->ev_cap = l->ev_cap ? 2 * l->ev_cap : 1024;
    l->events = realloc(l->events, l->ev_cap * sizeof(int));
  }
  l->events[l->n_events++] = e;
}

static inline void frame_log_on_frame(void *user, const ev_frame *fr) {
  frame_log *l = user;
  if (fr->index != (int64_t)l->frames)
    l->order_ok = 0;
  if (l->frames == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 256;
    l->v = realloc(l->v, l->cap * (size_t)l->width * sizeof(float));
  }
  float *dst = l->v + l->frames * (size_t)l->width;
  for (int id = 0; id < EV_FEAT_COUNT; id++) {
    int d = ev_feature_dims(l->cfg, (ev_feature_id)id);
    memcpy(dst, fr->feat[id], (size_t)d * sizeof(float));
    dst += d;
  }
  l->frames++;
  frame_log_event(l, -1 - (int)fr->index);
}

static inline void frame_log_on_tick(void *user, int tick) {
  frame_log_event(user, tick);
}

static inline void frame_log_free(frame_log *l) {
  free(l->v);
  free(l->events);
}

/* Offset of feature id inside a logged frame. */
static inline int frame_log_offset(const frame_log *l, ev_feature_id id) {
  int o = 0;
  for (int i = 0; i < (int)id; i++)
    o += ev_feature_dims(l->cfg, (ev_feature_id)i);
  return o;
}

#endif
