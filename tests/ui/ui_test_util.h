/* Pixel helpers for the UI tests: read ARGB32 pixels, compare colours, write PNGs into the
 * build directory, and the view states the tests draw. */
#ifndef UI_TEST_UTIL_H
#define UI_TEST_UTIL_H

#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emovox_protocol.h"
#include "emovox_view.h"

typedef struct rgb {
  int r, g, b;
} rgb;

/* Pixel (x, y) of an ARGB32 surface, un-premultiplied (the UI paints opaque pixels). */
static inline rgb pixel_at(cairo_surface_t *sf, int x, int y) {
  const unsigned char *d = cairo_image_surface_get_data(sf);
  int stride = cairo_image_surface_get_stride(sf);
  unsigned v = *(const unsigned *)(d + (size_t)y * stride + 4 * (size_t)x);
  int a = (int)(v >> 24);
  rgb c = {(int)(v >> 16) & 255, (int)(v >> 8) & 255, (int)v & 255};
  if (a > 0 && a < 255) {
    c.r = c.r * 255 / a;
    c.g = c.g * 255 / a;
    c.b = c.b * 255 / a;
  }
  return c;
}

static inline int colour_dist(rgb c, const unsigned char ref[3]) {
  return abs(c.r - ref[0]) + abs(c.g - ref[1]) + abs(c.b - ref[2]);
}

/* Where test images go: <build>/tests/ui (or the working directory). */
static inline void out_path(char *buf, size_t cap, const char *name) {
  const char *root = getenv("EMOVOX_BUILD_ROOT");
  if (root)
    snprintf(buf, cap, "%s/tests/ui/%s", root, name);
  else
    snprintf(buf, cap, "%s", name);
}

static inline void write_png(cairo_surface_t *sf, const char *name) {
  char path[1024];
  out_path(path, sizeof path, name);
  if (cairo_surface_write_to_png(sf, path) != CAIRO_STATUS_SUCCESS)
    fprintf(stderr, "note: could not write %s\n", path);
}

/* ---------------------------------------------------------------- states */

enum { ST_NO_MODEL, ST_LOAD_ERROR, ST_SILENCE, ST_ANGER, ST_RAMP, ST_HISTORY, N_STATES };
static const char *const state_names[N_STATES] = {"no_model", "load_error", "silence",
                                                  "anger",    "ramp",       "history"};

static inline void set_probs(emovox_view_state *s, const float p[8]) {
  for (int i = 0; i < 8; i++)
    emovox_view_update(s, EMOVOX_PROB_FIRST + (uint32_t)i, p[i]);
}

/* The history state: 3 s segments cycling through the emotions, confidence 0.9. */
static inline int history_emotion(int tick) {
  return (tick / 30) % 8;
}
#define HISTORY_TICKS 330

static inline void make_state(emovox_view_state *s, int which) {
  emovox_view_init(s);
  if (which == ST_NO_MODEL)
    return;
  if (which == ST_LOAD_ERROR) {
    emovox_view_set_model(s, EMOVOX_VIEW_LOAD_ERROR, "", "",
                          "broken.safetensors: tensor layers.3.weight has shape [64,40] but the "
                          "architecture needs [64,39]; re-export the model with the trainer.");
    emovox_view_update(s, EMOVOX_STATUS, EMOVOX_STATUS_LOAD_ERROR);
    return;
  }
  emovox_view_set_model(s, EMOVOX_VIEW_OK, "emovox-default",
                        "neutral, calm, happy, sad, angry, fearful, disgust, surprised", "");
  emovox_view_update(s, EMOVOX_STATUS, EMOVOX_STATUS_OK);
  if (which == ST_SILENCE) {
    emovox_view_update(s, EMOVOX_DOMINANT, 0);
    return;
  }
  if (which == ST_ANGER) {
    float p[8];
    for (int i = 0; i < 8; i++)
      p[i] = i == 4 ? 0.9f : 0.1f / 7.0f;
    set_probs(s, p);
    emovox_view_update(s, EMOVOX_DOMINANT, 1 + 4);
    emovox_view_update(s, EMOVOX_CONFIDENCE, 0.9f);
    emovox_view_update(s, EMOVOX_AROUSAL, 0.7f);
    emovox_view_update(s, EMOVOX_VALENCE, -0.6f);
    emovox_view_update(s, EMOVOX_VOICE, 0.95f);
    return;
  }
  if (which == ST_RAMP) {
    float p[8];
    for (int i = 0; i < 8; i++)
      p[i] = (float)(i + 1) / 9.0f;
    set_probs(s, p);
    emovox_view_update(s, EMOVOX_DOMINANT, 1 + 7);
    emovox_view_update(s, EMOVOX_CONFIDENCE, 8.0f / 9.0f);
    emovox_view_update(s, EMOVOX_VOICE, 0.5f);
    return;
  }
  /* ST_HISTORY */
  for (int t = 0; t < HISTORY_TICKS; t++) {
    int e = history_emotion(t);
    float p[8];
    for (int i = 0; i < 8; i++)
      p[i] = i == e ? 0.9f : 0.1f / 7.0f;
    set_probs(s, p);
    emovox_view_update(s, EMOVOX_DOMINANT, (float)(1 + e));
    emovox_view_update(s, EMOVOX_CONFIDENCE, 0.9f);
    emovox_view_update(s, EMOVOX_AROUSAL, 0.8f * (float)((t % 40) - 20) / 20.0f);
    emovox_view_update(s, EMOVOX_VALENCE, 0.5f);
    emovox_view_update(s, EMOVOX_VOICE, 0.8f);
    emovox_view_tick(s);
  }
}

#endif
