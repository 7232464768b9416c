#include "emovox_inline.h"

#include <cairo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "emovox_draw.h" /* palette and background */
#include "ev_emotions.h" /* emotion names, ev_emotion_mask_allowed */

/* Text is drawn with Cairo once, in emovox_inline_new(), into alpha masks ("sprites") at a few
 * sizes; render() only blends those masks, because Cairo's text and path code allocates. */
#define N_SIZES  3
#define SPRITE_W 112
#define SPRITE_H 18
enum {
  SPR_NAMES = 0, /* the emotion names */
  SPR_NO_SPEECH = EV_N_EMOTIONS,
  SPR_NO_MODEL,
  SPR_LOAD_ERROR,
  SPR_MODEL_FAULT,
  SPR_DIGITS, /* '0'..'9' */
  SPR_PERCENT = SPR_DIGITS + 10,
  N_SPRITES
};
static const double sprite_px[N_SIZES] = {8.0, 10.0, 12.5};

typedef struct sprite {
  int w, h; /* used part of the SPRITE_W x SPRITE_H mask */
  int baseline;
  unsigned char mask[SPRITE_H][SPRITE_W];
} sprite;

struct emovox_inline {
  cairo_surface_t *image; /* EMOVOX_INLINE_MAX_W x MAX_H ARGB32 */
  unsigned char *pixels;
  int stride;
  LV2_Inline_Display_Image_Surface out;
  sprite sprites[N_SIZES][N_SPRITES];
};

static const char *sprite_text(int i, char *buf) {
  if (i < SPR_NO_SPEECH)
    return ev_emotion_names[i];
  if (i == SPR_NO_SPEECH)
    return "no speech";
  if (i == SPR_NO_MODEL)
    return "no model";
  if (i == SPR_LOAD_ERROR)
    return "load error";
  if (i == SPR_MODEL_FAULT)
    return "model fault";
  if (i < SPR_PERCENT) {
    buf[0] = (char)('0' + i - SPR_DIGITS);
    buf[1] = 0;
    return buf;
  }
  return "%";
}

static int make_sprites(emovox_inline *d) {
  cairo_surface_t *a8 = cairo_image_surface_create(CAIRO_FORMAT_A8, SPRITE_W, SPRITE_H);
  if (cairo_surface_status(a8) != CAIRO_STATUS_SUCCESS)
    return 0;
  cairo_t *cr = cairo_create(a8);
  for (int z = 0; z < N_SIZES; z++) {
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, sprite_px[z]);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    for (int i = 0; i < N_SPRITES; i++) {
      char buf[2];
      const char *text = sprite_text(i, buf);
      cairo_text_extents_t te;
      cairo_text_extents(cr, text, &te);
      cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
      cairo_paint(cr);
      cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
      cairo_set_source_rgba(cr, 0, 0, 0, 1);
      double baseline = ceil(fe.ascent);
      cairo_move_to(cr, 0, baseline);
      cairo_show_text(cr, text);
      cairo_surface_flush(a8);
      sprite *sp = &d->sprites[z][i];
      sp->w = (int)fmin(SPRITE_W, ceil(te.x_advance));
      sp->h = (int)fmin(SPRITE_H, ceil(fe.ascent + fe.descent));
      sp->baseline = (int)baseline;
      const unsigned char *src = cairo_image_surface_get_data(a8);
      int stride = cairo_image_surface_get_stride(a8);
      for (int y = 0; y < SPRITE_H; y++)
        memcpy(sp->mask[y], src + y * stride, SPRITE_W);
    }
  }
  cairo_destroy(cr);
  cairo_surface_destroy(a8);
  return 1;
}

emovox_inline *emovox_inline_new(void) {
  emovox_inline *d = calloc(1, sizeof *d);
  if (!d)
    return NULL;
  d->image =
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, EMOVOX_INLINE_MAX_W, EMOVOX_INLINE_MAX_H);
  if (cairo_surface_status(d->image) != CAIRO_STATUS_SUCCESS || !make_sprites(d)) {
    emovox_inline_free(d);
    return NULL;
  }
  cairo_surface_flush(d->image);
  d->pixels = cairo_image_surface_get_data(d->image);
  d->stride = cairo_image_surface_get_stride(d->image);
  return d;
}

void emovox_inline_free(emovox_inline *d) {
  if (!d)
    return;
  if (d->image)
    cairo_surface_destroy(d->image);
  free(d);
}

/* ---------------------------------------------------------------- layout */

static int clampi(int v, int lo, int hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

static int text_size_for(int h) {
  return h >= 64 ? 2 : (h >= 40 ? 1 : 0);
}

void emovox_inline_layout_compute(emovox_inline_layout *l, uint32_t w, uint32_t max_h) {
  memset(l, 0, sizeof *l);
  int W = (int)(w > EMOVOX_INLINE_MAX_W ? EMOVOX_INLINE_MAX_W : w);
  int MH = (int)(max_h > EMOVOX_INLINE_MAX_H ? EMOVOX_INLINE_MAX_H : max_h);
  if (W < 16 || MH < 8)
    return;
  /* Ardour's strips are narrow: a 2:1 box looks balanced; never taller than 100 px. */
  int H = clampi(W / 2, 8, 100);
  if (H > MH)
    H = MH;
  l->width = W;
  l->height = H;
  int pad = H >= 30 ? 3 : 1;
  if (H >= 24) {
    int z = text_size_for(H);
    l->text_x = pad;
    l->text_y = pad;
    l->text_w = W - 2 * pad;
    l->text_h = (int)ceil(sprite_px[z] * 1.25);
  }
  l->bar_top = l->text_h ? l->text_y + l->text_h + 2 : pad;
  /* 3: below the bars, the adaptation line (row H - 4, above the pad's last row of the bars'
   * track) and the voice activity line (rows H - 2, H - 1) */
  l->bar_h = H - pad - l->bar_top - 3;
  int col = (W - 2 * pad) / EV_N_EMOTIONS;
  l->bar_w = col > 2 ? col - 1 : col;
  int x0 = pad + (W - 2 * pad - EV_N_EMOTIONS * col) / 2;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    l->bar_x[i] = x0 + i * col;
}

/* ---------------------------------------------------------------- rasterising */

static uint32_t argb(const unsigned char rgb[3], int alpha) {
  /* premultiplied */
  return (uint32_t)alpha << 24 | (uint32_t)(rgb[0] * alpha / 255) << 16 |
         (uint32_t)(rgb[1] * alpha / 255) << 8 | (uint32_t)(rgb[2] * alpha / 255);
}

static void fill(emovox_inline *d, int x, int y, int w, int h, uint32_t colour, int W, int H) {
  int x1 = clampi(x + w, 0, W), y1 = clampi(y + h, 0, H);
  x = clampi(x, 0, W);
  y = clampi(y, 0, H);
  for (int j = y; j < y1; j++) {
    uint32_t *row = (uint32_t *)(d->pixels + (size_t)j * d->stride);
    for (int i = x; i < x1; i++)
      row[i] = colour;
  }
}

/* Blends a text mask in an opaque colour over the (opaque) image; returns the advance. */
static int blit(emovox_inline *d, const sprite *sp, int x, int y, int max_w,
                const unsigned char rgb[3], int W, int H) {
  int w = sp->w < max_w ? sp->w : max_w;
  for (int j = 0; j < sp->h; j++) {
    int py = y + j;
    if (py < 0 || py >= H)
      continue;
    uint32_t *row = (uint32_t *)(d->pixels + (size_t)py * d->stride);
    for (int i = 0; i < w; i++) {
      int px = x + i, a = sp->mask[j][i];
      if (px < 0 || px >= W || a == 0)
        continue;
      uint32_t dst = row[px];
      uint32_t out = 0xff000000u;
      for (int c = 0; c < 3; c++) {
        int sh = 16 - 8 * c;
        int dv = (int)(dst >> sh) & 0xff;
        out |= (uint32_t)((rgb[c] * a + dv * (255 - a) + 127) / 255) << sh;
      }
      row[px] = out;
    }
  }
  return w;
}

static const unsigned char amber[3] = {0xe6, 0x9f, 0x00};
static const unsigned char alarm[3] = {0xff, 0x6a, 0x3d};
static const unsigned char grey[3] = {0x8c, 0x8c, 0x8c};
static const unsigned char light[3] = {0xdc, 0xdc, 0xdc};

/* The meter's line for a left-out emotion (white at EMOVOX_LEFT_OUT_LINE_ALPHA over the
 * background), made opaque: the image is opaque and fill() does not blend. */
static uint32_t left_out_line(void) {
  unsigned char rgb[3];
  for (int c = 0; c < 3; c++)
    rgb[c] = (unsigned char)(emovox_background[c] +
                             (255 - emovox_background[c]) * EMOVOX_LEFT_OUT_LINE_ALPHA + 0.5);
  return argb(rgb, 255);
}

LV2_Inline_Display_Image_Surface *
emovox_inline_render(emovox_inline *d, const emovox_inline_data *data, uint32_t w, uint32_t max_h) {
  emovox_inline_layout l;
  emovox_inline_layout_compute(&l, w, max_h);
  if (!d || !data || l.width == 0)
    return NULL;
  int W = l.width, H = l.height;
  fill(d, 0, 0, W, H, argb(emovox_background, 255), W, H);

  int ok = data->status == 0;
  int dom = ok && data->dominant >= 0 && data->dominant < EV_N_EMOTIONS ? data->dominant : -1;
  if (l.text_h) {
    const sprite *set = d->sprites[text_size_for(H)];
    int word = dom >= 0 ? SPR_NAMES + dom
                        : (data->status == 1   ? SPR_NO_MODEL
                           : data->status == 2 ? SPR_LOAD_ERROR
                           : data->status == 3 ? SPR_MODEL_FAULT
                                               : SPR_NO_SPEECH);
    const unsigned char *rgb = dom >= 0            ? emovox_palette[dom]
                               : data->status == 1 ? amber
                               : data->status >= 2 ? alarm
                                                   : grey;
    /* Confidence as "87%", right-aligned, when there is a dominant emotion. */
    int pct_w = 0;
    if (dom >= 0) {
      float c = isfinite(data->confidence) ? data->confidence : 0.0f;
      int pct = clampi((int)lrintf(c * 100.0f), 0, 100);
      int digits[3], n = 0;
      do {
        digits[n++] = pct % 10;
        pct /= 10;
      } while (pct && n < 3);
      for (int i = 0; i < n; i++)
        pct_w += set[SPR_DIGITS + digits[i]].w;
      pct_w += set[SPR_PERCENT].w;
      if (pct_w + set[word].w + 4 <= l.text_w) {
        int x = l.text_x + l.text_w - pct_w;
        for (int i = n - 1; i >= 0; i--)
          x += blit(d, &set[SPR_DIGITS + digits[i]], x, l.text_y, W, light, W, H);
        blit(d, &set[SPR_PERCENT], x, l.text_y, W, light, W, H);
      } else {
        pct_w = 0;
      }
    }
    blit(d, &set[word], l.text_x, l.text_y, l.text_w - (pct_w ? pct_w + 4 : 0), rgb, W, H);
  }

  int bottom = l.bar_top + l.bar_h;
  const unsigned allowed = ev_emotion_mask_allowed(data->emotions);
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    if (!((allowed >> i) & 1u)) {
      /* Left out by the Emotions control: as in the meter (emovox_draw.c), no track to fill
       * and only a thin line through the middle of the column, so it reads as switched off. */
      fill(d, l.bar_x[i] + (l.bar_w - 1) / 2, l.bar_top, 1, l.bar_h, left_out_line(), W, H);
      continue;
    }
    float p = isfinite(data->prob[i]) ? data->prob[i] / EMOVOX_INLINE_FULL_SCALE : 0.0f;
    p = p < 0 ? 0 : (p > 1 ? 1 : p);
    int bh = (int)lrintf(p * (float)l.bar_h);
    fill(d, l.bar_x[i], l.bar_top, l.bar_w, l.bar_h, 0xff25282e, W, H); /* track */
    fill(d, l.bar_x[i], bottom - bh, l.bar_w, bh, argb(emovox_palette[i], ok ? 255 : 90), W, H);
  }
  float v = isfinite(data->voice) ? data->voice : 0.0f;
  v = v < 0 ? 0 : (v > 1 ? 1 : v);
  fill(d, l.bar_x[0], H - 2,
       (int)lrintf(v * (float)(l.bar_x[EV_N_EMOTIONS - 1] + l.bar_w - l.bar_x[0])), 2,
       argb(light, 255), W, H);

  /* adaptation: one row, grey (the voice line is light), as long as the share adapted; none
   * while cold or without a running model */
  float a = ok && isfinite(data->adapted) ? data->adapted : 0.0f;
  a = a < 0 ? 0 : (a > 1 ? 1 : a);
  fill(d, l.bar_x[0], H - 4,
       (int)lrintf(a * (float)(l.bar_x[EV_N_EMOTIONS - 1] + l.bar_w - l.bar_x[0])), 1,
       argb(grey, 255), W, H);

  d->out.data = d->pixels;
  d->out.width = W;
  d->out.height = H;
  d->out.stride = d->stride;
  return &d->out;
}
