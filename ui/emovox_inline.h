/* Ardour's inline display (a small non-interactive meter in the mixer strip) for Emovox.
 *
 * The plugin links the static library `emovox_inline` (meson: emovox_inline_dep), creates one
 * emovox_inline per instance in instantiate(), and answers extension_data() for
 * LV2_INLINEDISPLAY__interface with an LV2_Inline_Display_Interface whose render() takes a
 * snapshot of its outputs and calls emovox_inline_render(). When the host provides the
 * LV2_INLINEDISPLAY__queue_draw feature, run() calls queue_draw() when the outputs changed.
 *
 * emovox_inline_render() never allocates, locks or makes system calls: the image (the largest
 * size it draws) and the pre-rendered text are made in emovox_inline_new(), and each call
 * rasterises rectangles and text masks straight into a sub-rectangle of that image. */
#ifndef EMOVOX_INLINE_H
#define EMOVOX_INLINE_H

#include <stdint.h>

#include "ev_emotions.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Ardour's LV2 extension (http://harrisonconsoles.com/lv2/inlinedisplay). Its header is not
 * part of Debian's lv2-dev, so the few types are declared here as documented. */
#ifndef LV2_INLINE_DISPLAY_H
#define LV2_INLINE_DISPLAY_H
#define LV2_INLINEDISPLAY_URI         "http://harrisonconsoles.com/lv2/inlinedisplay"
#define LV2_INLINEDISPLAY_PREFIX      LV2_INLINEDISPLAY_URI "#"
#define LV2_INLINEDISPLAY__interface  LV2_INLINEDISPLAY_PREFIX "interface"
#define LV2_INLINEDISPLAY__queue_draw LV2_INLINEDISPLAY_PREFIX "queue_draw"
#define LV2_INLINEDISPLAY__in_gui     LV2_INLINEDISPLAY_PREFIX "in_gui"

typedef void *LV2_Inline_Display_Handle;

/* ARGB32 (premultiplied, native endian), owned by the plugin. */
typedef struct {
  unsigned char *data;
  int width;
  int height;
  int stride;
} LV2_Inline_Display_Image_Surface;

/* Feature from the host: run() may call queue_draw() to ask for a render() soon. */
typedef struct {
  LV2_Inline_Display_Handle handle;
  void (*queue_draw)(LV2_Inline_Display_Handle handle);
} LV2_Inline_Display;

/* Extension data of the plugin; render() is called in the host's GUI thread with the space
 * available (w, max_h) and returns the image actually drawn (or NULL). */
typedef struct {
  LV2_Inline_Display_Image_Surface *(*render)(void *instance, uint32_t w, uint32_t max_h);
} LV2_Inline_Display_Interface;
#endif

/* A bar is full at this probability (and clipped above it): eight emotions share 1, so even a
 * clear one rarely passes 0.4, and bars on 0..1 would all look low in a 40 px strip. */
#define EMOVOX_INLINE_FULL_SCALE 0.5f

#define EMOVOX_INLINE_MAX_W 512
#define EMOVOX_INLINE_MAX_H 256

/* What the inline display shows: a copy of the plugin's outputs. */
typedef struct emovox_inline_data {
  float prob[EV_N_EMOTIONS]; /* ev_emotion order */
  int dominant;              /* -1 no speech, else an emotion */
  float confidence;          /* 0..1 */
  float voice;               /* 0..1 */
  int status;                /* EMOVOX_STATUS_* (0 ok, 1 no model, 2 load error, 3 model fault) */
  /* The Emotions control's set (bit i: emotion i); the others read 0 because they are left out,
   * not because they are unlikely, and are drawn as the meter draws them. Read through
   * ev_emotion_mask_allowed like every mask, so 0 (a zeroed struct) is all eight. */
  unsigned emotions;
  /* How far the analysis has adapted to the voice (0 cold .. 1), drawn as a thin grey line
   * above the voice activity line. */
  float adapted;
} emovox_inline_data;

typedef struct emovox_inline emovox_inline;

emovox_inline *emovox_inline_new(void); /* NULL if out of memory */
void emovox_inline_free(emovox_inline *d);

/* Draws d into the preallocated image: width min(w, MAX_W), height chosen from the width and
 * at most max_h (and MAX_H). Returns NULL if w or max_h is too small to draw anything. */
LV2_Inline_Display_Image_Surface *
emovox_inline_render(emovox_inline *d, const emovox_inline_data *data, uint32_t w, uint32_t max_h);

/* Layout, for tests: the bar column of emotion i spans [x, x + w) and grows up from
 * y + h (full height h = probability 1); the name sits in the text row. */
typedef struct emovox_inline_layout {
  int width, height;
  int bar_x[EV_N_EMOTIONS], bar_w, bar_top, bar_h;
  int text_x, text_y, text_w, text_h; /* text row (h = 0 when there is none) */
} emovox_inline_layout;
void emovox_inline_layout_compute(emovox_inline_layout *l, uint32_t w, uint32_t max_h);

#ifdef __cplusplus
}
#endif

#endif
