/* Ardour's inline display: renders at the sizes a mixer strip asks for, checks the returned
 * image's size and stride, the bar heights against the probabilities and the dominant name's
 * colour; built with COUNT_ALLOCS it runs render() under tests/common/rt_guard (counting
 * allocations, locks, file I/O and sleeps) and requires zero. */
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "emovox_draw.h"
#include "emovox_inline.h"
#include "ev_test.h"
#include "ui_test_util.h"

#ifdef COUNT_ALLOCS
#include "common/rt_guard.h"
#endif

#ifndef COUNT_ALLOCS
static uint32_t px(const LV2_Inline_Display_Image_Surface *img, int x, int y) {
  return *(const uint32_t *)(img->data + (size_t)y * img->stride + 4 * (size_t)x);
}
static int dist(uint32_t v, const unsigned char c[3]) {
  return abs((int)(v >> 16 & 255) - c[0]) + abs((int)(v >> 8 & 255) - c[1]) +
         abs((int)(v & 255) - c[2]);
}

#endif

static void ramp(emovox_inline_data *d) {
  for (int i = 0; i < 8; i++)
    d->prob[i] = (float)(i + 1) / 9.0f;
  d->dominant = 4;
  d->confidence = 0.87f;
  d->voice = 0.6f;
  d->status = 0;
  d->emotions = EV_EMOTION_MASK_ALL;
}

int main(void) {
#if defined(SKIP_ALLOC_TEST)
  EV_SKIP("sanitized build: allocations cannot be counted");
#elif defined(COUNT_ALLOCS)
  const char *san = getenv("EMOVOX_SANITIZED");
  if ((san && !strcmp(san, "1")) || !rt_guard_available())
    EV_SKIP("sanitized build: allocations cannot be counted");
#endif
  emovox_inline *disp = emovox_inline_new();
  EV_CHECK(disp != NULL, "emovox_inline_new");
  if (!disp)
    EV_TEST_END();
  emovox_inline_data data;
  ramp(&data);
  const uint32_t asks[][2] = {{80, 40}, {120, 80},  {160, 60},   {200, 100},
                              {64, 20}, {300, 200}, {1000, 1000}};
  const int n_asks = (int)(sizeof asks / sizeof asks[0]);
#ifdef COUNT_ALLOCS
  /* The guard works: an allocation while armed is seen. */
  rt_guard_reset();
  rt_guard_arm();
  void *volatile probe = malloc(32);
  rt_guard_disarm();
  free(probe);
  EV_CHECK(rt_guard_count(RT_GUARD_MALLOC) >= 1, "rt_guard counts malloc");
  rt_guard_reset();
  rt_guard_arm();
  for (int rep = 0; rep < 50; rep++)
    for (int k = 0; k < n_asks; k++) {
      data.dominant = rep % 9 - 1;
      data.status = rep % 7 == 0 ? 1 : (rep % 11 == 0 ? 2 : 0);
      data.confidence = (float)(rep % 100) / 100.0f;
      emovox_inline_render(disp, &data, asks[k][0], asks[k][1]);
    }
  rt_guard_disarm();
  EV_CHECK(rt_guard_total() == 0, "render() made %lu non-realtime calls in %d renders",
           rt_guard_total(), 50 * n_asks);
  if (rt_guard_total())
    rt_guard_print(stderr);
#else
  for (int k = 0; k < n_asks; k++) {
    ramp(&data);
    uint32_t w = asks[k][0], h = asks[k][1];
    LV2_Inline_Display_Image_Surface *img = emovox_inline_render(disp, &data, w, h);
    EV_CHECK(img != NULL, "render %ux%u", w, h);
    if (!img)
      continue;
    uint32_t ew = w > EMOVOX_INLINE_MAX_W ? EMOVOX_INLINE_MAX_W : w;
    EV_CHECK(img->width == (int)ew, "%ux%u: width %d", w, h, img->width);
    EV_CHECK(img->height > 0 && img->height <= (int)h && img->height <= EMOVOX_INLINE_MAX_H,
             "%ux%u: height %d fits", w, h, img->height);
    EV_CHECK(img->stride >= 4 * img->width, "stride %d", img->stride);
    emovox_inline_layout l;
    emovox_inline_layout_compute(&l, w, h);
    EV_CHECK(l.width == img->width && l.height == img->height, "layout matches the image");
    /* Bar heights: count the emotion's colour up the middle of each column. */
    int bottom = l.bar_top + l.bar_h;
    for (int i = 0; i < 8; i++) {
      int x = l.bar_x[i] + l.bar_w / 2, run = 0;
      for (int y = bottom - 1; y >= l.bar_top; y--) {
        if (dist(px(img, x, y), emovox_palette[i]) > 12)
          break;
        run++;
      }
      /* full at probability 0.5, so that the usual 0.1-0.4 fill most of the strip */
      float want = fminf(data.prob[i] / 0.5f, 1.0f) * (float)l.bar_h;
      EV_CHECK(abs(run - (int)lrintf(want)) <= 1, "%ux%u: bar %d height %d vs %.1f", w, h, i, run,
               want);
    }
    if (l.text_h) { /* "angry" in vermillion in the text row */
      int n = 0;
      for (int y = l.text_y; y < l.text_y + l.text_h; y++)
        for (int x = l.text_x; x < l.text_x + l.text_w; x++)
          n += dist(px(img, x, y), emovox_palette[4]) <= 40;
      EV_CHECK(n >= 8, "%ux%u: %d vermillion text pixels", w, h, n);
    }
    cairo_surface_t *sf = cairo_image_surface_create_for_data(img->data, CAIRO_FORMAT_ARGB32,
                                                              img->width, img->height, img->stride);
    char name[64];
    snprintf(name, sizeof name, "inline_%ux%u.png", w, h);
    write_png(sf, name);
    cairo_surface_destroy(sf);
  }
  { /* The adaptation line: row H - 4, from the first bar's left edge, as long as the share
     * adapted of the bars' span; nothing while cold or without a model; the bars untouched. */
    const uint32_t sizes[][2] = {{80, 40}, {200, 100}, {64, 20}};
    for (int k = 0; k < 3; k++) {
      emovox_inline_layout l;
      emovox_inline_layout_compute(&l, sizes[k][0], sizes[k][1]);
      const int span = l.bar_x[EV_N_EMOTIONS - 1] + l.bar_w - l.bar_x[0];
      int lengths[3];
      const float shares[3] = {0.0f, 0.5f, 1.0f};
      for (int c = 0; c < 3; c++) {
        emovox_inline_data a;
        ramp(&a);
        a.adapted = shares[c];
        LV2_Inline_Display_Image_Surface *im =
            emovox_inline_render(disp, &a, sizes[k][0], sizes[k][1]);
        EV_REQUIRE(im && im->height == l.height, "render %ux%u", sizes[k][0], sizes[k][1]);
        const uint32_t *row = (const uint32_t *)(im->data + (size_t)(im->height - 4) * im->stride);
        const uint32_t bg = row[0];
        lengths[c] = 0;
        for (int x = l.bar_x[0]; x < im->width && row[x] != bg; x++)
          lengths[c]++;
        EV_CHECK(im->height - 4 >= l.bar_top + l.bar_h,
                 "%ux%u: the line is below the bars (row %d, bars end at %d)", sizes[k][0],
                 sizes[k][1], im->height - 4, l.bar_top + l.bar_h);
      }
      EV_CHECK(lengths[0] == 0, "%ux%u: cold draws no line (%d px)", sizes[k][0], sizes[k][1],
               lengths[0]);
      EV_CHECK(abs(lengths[1] - span / 2) <= 1 && lengths[2] == span,
               "%ux%u: half and full lines of %d and %d px over %d", sizes[k][0], sizes[k][1],
               lengths[1], lengths[2], span);
    }
    emovox_inline_data a;
    ramp(&a);
    a.adapted = 1.0f;
    a.status = 1; /* no model */
    LV2_Inline_Display_Image_Surface *im = emovox_inline_render(disp, &a, 200, 100);
    const uint32_t *row = (const uint32_t *)(im->data + (size_t)(im->height - 4) * im->stride);
    int drawn = 0;
    for (int x = 1; x < im->width; x++)
      drawn += row[x] != row[0];
    EV_CHECK(drawn == 0, "no line without a running model (%d px)", drawn);
  }
  { /* the picture in docs/ui.md: a typical angry moment (no emotion above 0.4) */
    emovox_inline_data doc = {{0.06f, 0.04f, 0.05f, 0.12f, 0.38f, 0.18f, 0.09f, 0.08f},
                              4,
                              0.38f,
                              0.9f,
                              0,
                              EV_EMOTION_MASK_ALL,
                              0.6f};
    LV2_Inline_Display_Image_Surface *im = emovox_inline_render(disp, &doc, 200, 100);
    if (im) {
      cairo_surface_t *sf = cairo_image_surface_create_for_data(im->data, CAIRO_FORMAT_ARGB32,
                                                                im->width, im->height, im->stride);
      write_png(sf, "inline_doc_200x100.png");
      cairo_surface_destroy(sf);
    }
  }
  { /* The Emotions control leaves angry..surprised out: their columns are drawn as the meter
     * draws them (no track, a thin line of white at EMOVOX_LEFT_OUT_LINE_ALPHA through the
     * middle), unlike calm, allowed at probability 0 (an empty track); nothing else changes. A
     * zero set reads as all eight, as every mask does (ev_emotion_mask_allowed). */
    static unsigned char all[4 * EMOVOX_INLINE_MAX_W * EMOVOX_INLINE_MAX_H];
    const uint32_t w = 200, h = 100;
    emovox_inline_layout l;
    emovox_inline_layout_compute(&l, w, h);
    ramp(&data);
    data.prob[1] = 0.0f;
    data.dominant = 2;
    LV2_Inline_Display_Image_Surface *im = emovox_inline_render(disp, &data, w, h);
    const size_t bytes = im ? (size_t)im->stride * (size_t)im->height : 0;
    if (im)
      memcpy(all, im->data, bytes);
    data.emotions = 0;
    im = emovox_inline_render(disp, &data, w, h);
    EV_CHECK(im && !memcmp(all, im->data, bytes), "an empty set draws as all eight");
    data.emotions = 0x0fu; /* neutral, calm, happy, sad */
    for (int i = 4; i < 8; i++)
      data.prob[i] = 0.0f; /* the plugin's outputs for left-out emotions */
    im = emovox_inline_render(disp, &data, w, h);
    EV_CHECK(im != NULL, "restricted set renders");
    if (im) {
      unsigned char line[3];
      for (int c = 0; c < 3; c++)
        line[c] = (unsigned char)lrint(emovox_background[c] +
                                       (255 - emovox_background[c]) * EMOVOX_LEFT_OUT_LINE_ALPHA);
      const int mid = (l.bar_w - 1) / 2, bottom = l.bar_top + l.bar_h;
      const uint32_t track = px(im, l.bar_x[1], l.bar_top);
      int calm_track = 1, off_bg = 1, off_line = 1, others_same = 1;
      for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++) {
          const uint32_t v = px(im, x, y);
          int col = -1;
          for (int i = 0; i < 8; i++)
            if (x >= l.bar_x[i] && x < l.bar_x[i] + l.bar_w && y >= l.bar_top && y < bottom)
              col = i;
          if (col == 1)
            calm_track &= v == track;
          else if (col >= 4 && x == l.bar_x[col] + mid)
            off_line &= dist(v, line) <= 3;
          else if (col >= 4)
            off_bg &= dist(v, emovox_background) == 0;
          else
            others_same &= v == *(const uint32_t *)(all + (size_t)y * im->stride + 4 * (size_t)x);
        }
      EV_CHECK(calm_track && dist(track, emovox_background) > 12,
               "an allowed emotion at 0 shows its empty track");
      EV_CHECK(off_bg && off_line, "left-out emotions: no track, a thin line through the middle");
      EV_CHECK(others_same, "outside the left-out columns the image is the same as with all eight");
      cairo_surface_t *sf = cairo_image_surface_create_for_data(im->data, CAIRO_FORMAT_ARGB32,
                                                                im->width, im->height, im->stride);
      write_png(sf, "inline_set_200x100.png");
      cairo_surface_destroy(sf);
    }
  }
  /* Too small to draw: NULL, not a crash. NaN input: drawn as 0. */
  EV_CHECK(emovox_inline_render(disp, &data, 8, 4) == NULL, "tiny area gives NULL");
  for (int i = 0; i < 8; i++)
    data.prob[i] = NAN;
  data.confidence = NAN;
  data.voice = INFINITY;
  EV_CHECK(emovox_inline_render(disp, &data, 120, 60) != NULL, "NaN data still renders");
  /* A status without a model writes "no model" in amber, not an emotion colour. */
  ramp(&data);
  data.status = 1;
  LV2_Inline_Display_Image_Surface *img = emovox_inline_render(disp, &data, 160, 80);
  emovox_inline_layout l;
  emovox_inline_layout_compute(&l, 160, 80);
  int verm = 0;
  for (int y = l.text_y; y < l.text_y + l.text_h; y++)
    for (int x = l.text_x; x < l.text_x + l.text_w; x++)
      verm += dist(px(img, x, y), emovox_palette[4]) <= 40;
  EV_CHECK(verm == 0, "no emotion name without a model (%d px)", verm);
#endif
  emovox_inline_free(disp);
  cairo_debug_reset_static_data();
  FcFini();
  EV_TEST_END();
}
