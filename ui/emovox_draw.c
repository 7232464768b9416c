#include "emovox_draw.h"

#include "ev_emotions.h" /* names, short names and the circumplex coordinates */

#include <math.h>
#include <stdio.h>
#include <string.h>

#define FONT "DejaVu Sans"

static double clampd(double v, double lo, double hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

static emovox_rect rect(double x, double y, double w, double h) {
  emovox_rect r = {x, y, w > 0 ? w : 0, h > 0 ? h : 0};
  return r;
}

/* ---------------------------------------------------------------- layout */

enum { BAR_TEXT_NONE, BAR_TEXT_SHORT, BAR_TEXT_FULL };

/* Bars in eight rows of `area`. FULL: name left, value right; SHORT: a narrow column with the
 * abbreviation (strip layouts, where rows are a few pixels high), so that a bar is never just a
 * colour. */
static void layout_bars(emovox_layout *l, emovox_rect area, int text) {
  double s = l->scale;
  double row = area.h / EV_N_EMOTIONS;
  double label_w = 0, value_w = 0, gap = 0;
  if (text == BAR_TEXT_FULL) {
    label_w = clampd(row * 4.6, 48 * s, 86 * s);
    value_w = clampd(row * 2.4, 28 * s, 44 * s);
    gap = 6 * s;
    l->label_font = l->font;
  } else if (text == BAR_TEXT_SHORT) {
    /* Text as tall as the row allows: three capitals of DejaVu Sans are about 2.1 em wide. */
    l->label_font = fmin(l->font, row * 1.05);
    label_w = ceil(l->label_font * 2.2);
    gap = 3 * s;
    l->short_labels = 1;
  }
  double bar_w = area.w - label_w - value_w - 2 * gap;
  double bar_h = row >= 8 * s ? row * 0.68 : row * 0.8;
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    double y = area.y + i * row;
    double by = floor(y + (row - bar_h) / 2);
    l->labels[i] = rect(area.x, y, label_w, row);
    l->bars[i] = rect(floor(area.x + label_w + gap), by, floor(bar_w), floor(bar_h));
    l->values[i] = rect(area.x + area.w - value_w, y, value_w, row);
  }
}

void emovox_layout_compute(emovox_layout *l, int w, int h, double scale) {
  memset(l, 0, sizeof *l);
  double s = scale > 0.25 ? scale : 1.0;
  l->scale = s;
  double pad = (h < 80 * s ? 3 : 8) * s;
  double W = w - 2 * pad, H = h - 2 * pad;
  if (W < 8 || H < 8)
    return; /* too small for anything: only the background is drawn */

  if (w < 300 * s || h < 130 * s) {
    /* Strip: dominant name on the left, eight thin bars on the right. */
    l->mode = EMOVOX_LAYOUT_STRIP;
    double left = floor(W * 0.46);
    double meter_h = clampd(H * 0.12, 2 * s, 6 * s);
    l->font = clampd(H * 0.16, 7 * s, 12 * s);
    l->dominant = rect(pad, pad, left, H - 2 * meter_h - 4 * s);
    l->confidence = rect(pad, pad + H - 2 * meter_h - 2 * s, left, meter_h);
    l->voice = rect(pad, pad + H - meter_h, left, meter_h);
    double row = H / EV_N_EMOTIONS;
    emovox_rect area = rect(pad + left + 6 * s, pad, W - left - 6 * s, H);
    int text = row >= 11 * s && area.w >= 150 * s ? BAR_TEXT_FULL
               : row >= 5 * s                     ? BAR_TEXT_SHORT
                                                  : BAR_TEXT_NONE;
    layout_bars(l, area, text);
    return;
  }

  int full = w >= 560 * s && h >= 330 * s;
  l->mode = full ? EMOVOX_LAYOUT_FULL : EMOVOX_LAYOUT_MEDIUM;
  double header_h = clampd(H * 0.15, 34 * s, 80 * s);
  double status_h = full ? 34 * s : (h >= 170 * s ? 17 * s : 0);
  double sliders_h = full ? 34 * s : 0;
  double history_h = h >= 230 * s ? clampd(H * 0.17, 30 * s, 130 * s) : 0;
  double gap = 8 * s;

  double y = pad;
  double dom_w = floor(W * 0.52);
  l->dominant = rect(pad, y, dom_w, header_h);
  double meters_x = pad + dom_w + gap, meters_w = W - dom_w - gap;
  double meter_h = clampd(header_h * 0.16, 4 * s, 10 * s);
  /* Each meter: a caption line, then the bar. */
  l->confidence = rect(meters_x, y + header_h * 0.5 - meter_h - 2 * s, meters_w, meter_h);
  l->voice = rect(meters_x, y + header_h - meter_h, meters_w, meter_h);
  /* the voice meter's caption line, shared: the voice on the left, adaptation on the right
   * (a reading's trust in the voice's own statistics sits next to how much voice there is) */
  double cap_h = fmin(l->confidence.y - l->dominant.y, 16 * s);
  l->adapted = rect(meters_x, l->voice.y - cap_h - 1 * s, meters_w, cap_h);
  y += header_h + gap;

  double bottom = pad + H;
  if (status_h > 0) {
    l->status = rect(pad, bottom - status_h, W, status_h);
    bottom -= status_h + gap * 0.5;
  }
  if (sliders_h > 0) {
    double half = (W - 3 * gap) / 2;
    for (int c = 0; c < EMOVOX_N_CTRLS; c++) {
      double x = pad + c * (half + 3 * gap);
      l->slider_labels[c] = rect(x, bottom - sliders_h, half, sliders_h * 0.5);
      l->sliders[c] = rect(x + 7 * s, bottom - sliders_h * 0.42, half - 14 * s, 6 * s);
    }
    bottom -= sliders_h + gap;
  }
  if (history_h > 0) {
    l->history = rect(pad, bottom - history_h, W, history_h);
    bottom -= history_h + gap;
  }
  double body_h = bottom - y;
  double bars_w = W;
  if (full || (w >= 480 * s && body_h >= 120 * s)) {
    double side = floor(fmin(body_h, W * 0.42));
    l->plane = rect(pad + W - side, y, side, side);
    bars_w = W - side - 2 * gap;
  }
  double row = body_h / EV_N_EMOTIONS;
  l->font = clampd(row * 0.5, 8 * s, 15 * s);
  layout_bars(l, rect(pad, y, bars_w, body_h), BAR_TEXT_FULL);
}

int emovox_layout_hit_control(const emovox_layout *l, double x, double y) {
  for (int c = 0; c < EMOVOX_N_CTRLS; c++) {
    emovox_rect r = l->sliders[c];
    double m = 8 * l->scale; /* a thin track is hard to hit: accept a margin around it */
    if (r.w > 0 && x >= r.x - m && x <= r.x + r.w + m && y >= r.y - 2 * m && y <= r.y + r.h + m)
      return c;
  }
  return -1;
}

double emovox_layout_control_pos(const emovox_layout *l, int ctrl, double x) {
  if (ctrl < 0 || ctrl >= EMOVOX_N_CTRLS || l->sliders[ctrl].w <= 0)
    return 0.0;
  return clampd((x - l->sliders[ctrl].x) / l->sliders[ctrl].w, 0.0, 1.0);
}

/* ---------------------------------------------------------------- drawing helpers */

static void set_rgb(cairo_t *cr, const unsigned char c[3], double alpha) {
  cairo_set_source_rgba(cr, c[0] / 255.0, c[1] / 255.0, c[2] / 255.0, alpha);
}

static void set_grey(cairo_t *cr, double v, double alpha) {
  cairo_set_source_rgba(cr, v, v, v, alpha);
}

static void fill_rect(cairo_t *cr, emovox_rect r) {
  cairo_rectangle(cr, r.x, r.y, r.w, r.h);
  cairo_fill(cr);
}

/* A full circle as its own sub-path: never joined to a previous current point. */
static void circle(cairo_t *cr, double x, double y, double r) {
  cairo_new_sub_path(cr);
  cairo_arc(cr, x, y, r, 0, 2 * M_PI);
}

static void rounded(cairo_t *cr, emovox_rect r, double rad) {
  rad = fmin(rad, fmin(r.w, r.h) / 2);
  cairo_new_sub_path(cr);
  cairo_arc(cr, r.x + r.w - rad, r.y + rad, rad, -M_PI / 2, 0);
  cairo_arc(cr, r.x + r.w - rad, r.y + r.h - rad, rad, 0, M_PI / 2);
  cairo_arc(cr, r.x + rad, r.y + r.h - rad, rad, M_PI / 2, M_PI);
  cairo_arc(cr, r.x + rad, r.y + rad, rad, M_PI, 1.5 * M_PI);
  cairo_close_path(cr);
}

enum { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

/* Writes text vertically centred in r, clipped to r. With `shrink`, the font shrinks (down to
 * 40 %) to fit the width first: single labels stay whole in narrow layouts. */
static void text_core(cairo_t *cr, emovox_rect r, const char *text, double size, int bold,
                      int align, int shrink) {
  if (r.w <= 0 || r.h <= 0 || !text || !*text)
    return;
  cairo_save(cr);
  cairo_rectangle(cr, r.x, r.y, r.w, r.h);
  cairo_clip(cr);
  cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  size = fmin(size, r.h);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t te;
  cairo_text_extents(cr, text, &te);
  if (shrink && te.x_advance > r.w && te.x_advance > 0) {
    size = fmax(size * 0.4, size * r.w / te.x_advance);
    cairo_set_font_size(cr, size);
    cairo_text_extents(cr, text, &te);
  }
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  double x = r.x;
  if (align == ALIGN_CENTER)
    x = r.x + (r.w - te.x_advance) / 2;
  else if (align == ALIGN_RIGHT)
    x = r.x + r.w - te.x_advance;
  double y = r.y + r.h / 2 + (fe.ascent - fe.descent) / 2;
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, text);
  cairo_new_path(cr); /* show_text leaves a current point that the next arc would join */
  cairo_restore(cr);
}

static void text_in(cairo_t *cr, emovox_rect r, const char *text, double size, int bold,
                    int align) {
  text_core(cr, r, text, size, bold, align, 1);
}

static double text_width(cairo_t *cr, const char *text, size_t n) {
  char buf[1024];
  if (n >= sizeof buf)
    n = sizeof buf - 1;
  memcpy(buf, text, n);
  buf[n] = 0;
  cairo_text_extents_t te;
  cairo_text_extents(cr, buf, &te);
  return te.x_advance;
}

/* How many bytes of text fit on one line of width w: whole words if possible, else as many
 * characters as fit (long paths have no spaces); never splits a UTF-8 sequence. */
static size_t line_fit(cairo_t *cr, const char *text, double w) {
  size_t len = strlen(text), best = 0;
  for (size_t i = 0; i <= len; i++) {
    if (text[i] != ' ' && text[i] != 0)
      continue;
    if (text_width(cr, text, i) > w)
      break;
    best = i;
  }
  if (best > 0)
    return best;
  size_t n = 0;
  for (size_t i = 1; i <= len; i++) {
    if ((text[i] & 0xc0) == 0x80)
      continue; /* inside a UTF-8 sequence */
    if (text_width(cr, text, i) > w)
      break;
    n = i;
  }
  return n > 0 ? n : 1;
}

/* Word-wraps text into as many lines of `size` as fit in r (the last one clipped). */
static void text_wrapped(cairo_t *cr, emovox_rect r, const char *text, double size) {
  if (r.w <= 0 || r.h <= 0 || !text)
    return;
  double line_h = size * 1.25;
  int lines = (int)fmax(1, floor(r.h / line_h));
  cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  const char *p = text;
  for (int li = 0; li < lines && *p; li++) {
    size_t n = li < lines - 1 ? line_fit(cr, p, r.w) : strlen(p);
    char buf[1024];
    snprintf(buf, sizeof buf, "%.*s", (int)n, p);
    text_core(cr, rect(r.x, r.y + li * line_h, r.w, line_h), buf, size, 0, ALIGN_LEFT, 0);
    p += n;
    while (*p == ' ')
      p++;
  }
}

static void meter(cairo_t *cr, emovox_rect r, double v, const unsigned char *rgb) {
  if (r.w <= 0 || r.h <= 0)
    return;
  set_grey(cr, 1, 0.08);
  fill_rect(cr, r);
  if (rgb)
    set_rgb(cr, rgb, 1);
  else
    set_grey(cr, 0.85, 1);
  fill_rect(cr, rect(r.x, r.y, r.w * clampd(v, 0, 1), r.h));
}

static const unsigned char amber[3] = {0xe6, 0x9f, 0x00};
static const unsigned char alarm[3] = {0xff, 0x6a, 0x3d};

/* ---------------------------------------------------------------- parts */

/* The forget button's word, and its font next to the caption's (l->adapted.h * 0.8, as
 * draw_header writes the voice caption): smaller, so that it sits inside its frame. */
#define FORGET_TEXT "forget"
static double forget_font(const emovox_layout *l) {
  return l->adapted.h * 0.7;
}

int emovox_forget_button(cairo_t *cr, const emovox_layout *l, const emovox_view_state *s,
                         emovox_rect *out) {
  *out = rect(0, 0, 0, 0);
  if (l->adapted.w <= 0 || !emovox_view_offers_forget(s))
    return 0;
  /* The widest captions of this mode (fully learned, a full voice meter), so that the button
   * stays put while the readings move: a button that flickers away cannot be clicked. */
  emovox_view_state widest = *s;
  widest.adapted = 1.0f;
  char cap[32];
  emovox_view_adapt_caption(&widest, cap, sizeof cap);
  const double sc = l->scale, gap = 6 * sc, pad = 4 * sc;
  cairo_save(cr);
  cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, forget_font(l));
  const double bw = ceil(text_width(cr, FORGET_TEXT, strlen(FORGET_TEXT)) + 2 * pad);
  cairo_set_font_size(cr, l->adapted.h * 0.8);
  const double need =
      text_width(cr, "voice 100 %", strlen("voice 100 %")) + text_width(cr, cap, strlen(cap));
  cairo_restore(cr);
  if (need + 2 * gap + bw > l->adapted.w)
    return 0;
  /* on whole pixels, inside the line: a crisp frame, and a click area that is what shows */
  const double x1 = floor(l->adapted.x + l->adapted.w), y0 = ceil(l->adapted.y);
  *out = rect(x1 - bw, y0, bw, floor(l->adapted.y + l->adapted.h) - y0);
  return 1;
}

int emovox_forget_hit(const emovox_layout *l, emovox_rect b, double x, double y) {
  const double m = 3 * l->scale; /* the meters around it take no clicks: a margin is free */
  return b.w > 0 && x >= b.x - m && x <= b.x + b.w + m && y >= b.y - m && y <= b.y + b.h + m;
}

/* A framed word, brighter under the pointer: the one thing on the caption line that clicks. */
static void draw_forget(cairo_t *cr, const emovox_layout *l, const emovox_view_state *s,
                        emovox_rect b) {
  const int hot = s->hover == EMOVOX_HOVER_FORGET;
  const double lw = fmax(1.0, floor(l->scale));
  rounded(cr, rect(b.x + lw / 2, b.y + lw / 2, b.w - lw, b.h - lw), 3 * l->scale);
  set_grey(cr, 1, hot ? 0.16 : 0.05);
  cairo_fill_preserve(cr);
  set_grey(cr, hot ? 0.9 : 0.5, 1);
  cairo_set_line_width(cr, lw);
  cairo_stroke(cr);
  set_grey(cr, hot ? 1.0 : 0.8, 1);
  text_core(cr, b, FORGET_TEXT, forget_font(l), 0, ALIGN_CENTER, 0);
}

/* How far the analysis has adapted to the voice, right-aligned on the voice caption line
 * (whose left part, `voice_text`, it must not touch: left out when both do not fit), left of
 * the forget button when there is one. Dimmer while cold, so that the adapted state is the one
 * that stands out. */
static void draw_adapted(cairo_t *cr, const emovox_layout *l, const emovox_view_state *s,
                         const char *voice_text, double size) {
  if (l->adapted.w <= 0 || s->status != EMOVOX_VIEW_OK)
    return; /* without a running model there is no normalisation to speak of */
  const double gap = 6 * l->scale;
  emovox_rect line = l->adapted, button;
  if (emovox_forget_button(cr, l, s, &button)) {
    draw_forget(cr, l, s, button);
    line.w -= button.w + gap;
  }
  char buf[32];
  emovox_view_adapt_caption(s, buf, sizeof buf);
  cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, fmin(size, line.h));
  if (text_width(cr, voice_text, strlen(voice_text)) + gap + text_width(cr, buf, strlen(buf)) >
      line.w)
    return;
  set_grey(cr, s->adapted > 0.0f ? 0.8 : 0.55, 1);
  text_core(cr, line, buf, size, 0, ALIGN_RIGHT, 0);
}

static void draw_header(cairo_t *cr, const emovox_layout *l, const emovox_view_state *s) {
  double sc = l->scale;
  float head_conf = 0.0f;
  const int head = s->status == EMOVOX_VIEW_OK ? emovox_view_headline(s, &head_conf) : -1;
  const char *word = "no speech";
  const unsigned char *rgb = NULL;
  if (s->status == EMOVOX_VIEW_NO_MODEL) {
    word = "no model";
    rgb = amber;
  } else if (s->status == EMOVOX_VIEW_LOAD_ERROR) {
    word = "load error";
    rgb = alarm;
  } else if (s->status == EMOVOX_VIEW_MODEL_FAULT) {
    word = "model fault";
    rgb = alarm;
  } else if (head >= 0) {
    word = ev_emotion_names[head];
    rgb = emovox_palette[head];
  }
  if (rgb)
    set_rgb(cr, rgb, 1);
  else
    set_grey(cr, 0.55, 1);
  text_in(cr, l->dominant, word, l->dominant.h * (l->mode == EMOVOX_LAYOUT_STRIP ? 0.8 : 0.72), 1,
          ALIGN_LEFT);

  int ok = s->status == EMOVOX_VIEW_OK && head >= 0;
  const unsigned char *conf_rgb = ok ? emovox_palette[head] : NULL;
  meter(cr, l->confidence, ok ? head_conf : 0, conf_rgb);
  meter(cr, l->voice, s->voice, NULL);
  /* the speech mark: the headline names an emotion while the meter stands at or above it */
  set_grey(cr, 0.85, 0.9);
  fill_rect(cr, rect(floor(l->voice.x + EMOVOX_VIEW_SPEECH_VOICE * l->voice.w), l->voice.y,
                     fmax(1.0, sc), l->voice.h));
  if (l->mode != EMOVOX_LAYOUT_STRIP) {
    char buf[64];
    double cap_h = fmin(l->confidence.y - l->dominant.y, 16 * sc);
    snprintf(buf, sizeof buf, "confidence %d %%", ok ? (int)lrint(head_conf * 100) : 0);
    set_grey(cr, 0.8, 1);
    text_in(cr, rect(l->confidence.x, l->confidence.y - cap_h - 1 * sc, l->confidence.w, cap_h),
            buf, cap_h * 0.8, 0, ALIGN_LEFT);
    snprintf(buf, sizeof buf, "voice %d %%", (int)lrint(s->voice * 100));
    text_in(cr, rect(l->voice.x, l->voice.y - cap_h - 1 * sc, l->voice.w, cap_h), buf, cap_h * 0.8,
            0, ALIGN_LEFT);
    draw_adapted(cr, l, s, buf, cap_h * 0.8);
  }
}

/* Grey of what the Emotions control leaves out: darker than any other text, lighter than the
 * empty tracks, so it reads as switched off rather than as a low value. */
#define LEFT_OUT_GREY 0.4

static void draw_bars(cairo_t *cr, const emovox_layout *l, const emovox_view_state *s) {
  double sc = l->scale;
  int dim = s->status != EMOVOX_VIEW_OK;
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    emovox_rect b = l->bars[i];
    if (b.w <= 0)
      continue;
    const int considered = emovox_view_considers(s, i);
    if (considered) {
      set_grey(cr, 1, 0.07);
      fill_rect(cr, b);
      set_rgb(cr, emovox_palette[i], dim ? 0.35 : 1);
      fill_rect(cr, rect(b.x, b.y, b.w * s->prob[i], b.h));
      if (s->peak[i] > s->prob[i] + 0.004) { /* peak hold: a tick where the bar was highest */
        double px = b.x + b.w * s->peak[i];
        set_rgb(cr, emovox_palette[i], 0.9);
        fill_rect(cr, rect(px - 1.0 * sc, b.y, 2.0 * sc, b.h));
      }
    } else {
      /* Left out by the Emotions control: no track to fill (an empty track would say
       * "unlikely"), only a thin line through where it would be; no peak hold either, as one
       * from before the set changed would suggest the emotion still counts. */
      double t = fmax(1.0, floor(sc));
      set_grey(cr, 1, EMOVOX_LEFT_OUT_LINE_ALPHA);
      fill_rect(cr, rect(b.x, floor(b.y + (b.h - t) / 2), b.w, t));
    }
    if (l->labels[i].w > 0) {
      int is_dom = s->dominant == i && s->status == EMOVOX_VIEW_OK;
      set_rgb(cr, emovox_palette[i], 1);
      if (!considered)
        set_grey(cr, LEFT_OUT_GREY, 1);
      else if (!is_dom)
        set_grey(cr, 0.82, 1);
      const char *name = l->short_labels ? ev_emotion_short[i] : ev_emotion_names[i];
      text_in(cr, l->labels[i], name, l->label_font, is_dom, ALIGN_LEFT);
      if (l->values[i].w <= 0)
        continue;
      char buf[16];
      snprintf(buf, sizeof buf, "%.2f", s->prob[i]);
      set_grey(cr, considered ? 0.7 : LEFT_OUT_GREY, 1);
      text_in(cr, l->values[i], considered ? buf : "off", l->font * 0.9, 0, ALIGN_RIGHT);
    }
  }
}

static double plane_label_font(const emovox_layout *l);

static void draw_plane(cairo_t *cr, const emovox_layout *l, const emovox_view_state *s) {
  emovox_rect r = l->plane;
  if (r.w <= 0)
    return;
  double sc = l->scale;
  set_grey(cr, 1, 0.05);
  rounded(cr, r, 6 * sc);
  cairo_fill(cr);
  double cx = r.x + r.w / 2, cy = r.y + r.h / 2, rad = r.w / 2 - 10 * sc;
  set_grey(cr, 1, 0.18);
  cairo_set_line_width(cr, 1 * sc);
  cairo_move_to(cr, r.x + 6 * sc, cy);
  cairo_line_to(cr, r.x + r.w - 6 * sc, cy);
  cairo_move_to(cr, cx, r.y + 6 * sc);
  cairo_line_to(cr, cx, r.y + r.h - 6 * sc);
  cairo_stroke(cr);
  circle(cr, cx, cy, rad);
  cairo_stroke(cr);
  double fs = clampd(r.w * 0.055, 8 * sc, 13 * sc);
  set_grey(cr, 0.6, 1);
  text_in(cr, rect(cx + 4 * sc, r.y + 2 * sc, r.w / 2 - 6 * sc, fs * 1.3), "aroused", fs, 0,
          ALIGN_LEFT);
  text_in(cr, rect(cx + 4 * sc, r.y + r.h - fs * 1.3 - 2 * sc, r.w / 2 - 6 * sc, fs * 1.3), "calm",
          fs, 0, ALIGN_LEFT);
  text_in(cr, rect(r.x + 6 * sc, cy + 2 * sc, r.w / 2 - 8 * sc, fs * 1.3), "negative", fs, 0,
          ALIGN_LEFT);
  text_in(cr, rect(cx + 2 * sc, cy + 2 * sc, r.w / 2 - 8 * sc, fs * 1.3), "positive", fs, 0,
          ALIGN_RIGHT);

  /* Where each emotion sits (the coordinates the analyser's arousal/valence use), so the dot
   * can be read against them; the names are written last, over the trail and the dot. */
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    double mx = cx + ev_emotion_valence[i] * rad, my = cy - ev_emotion_arousal[i] * rad;
    if (emovox_view_considers(s, i))
      set_rgb(cr, emovox_palette[i], 0.75);
    else
      set_grey(cr, LEFT_OUT_GREY, 0.75);
    circle(cr, mx, my, 2.5 * sc);
    cairo_fill(cr);
  }

  /* Trail: older points smaller and fainter. */
  float a, v;
  for (int age = s->trail_count - 1; age >= 0; age--) {
    if (!emovox_view_trail(s, age, &a, &v))
      continue;
    double k = 1.0 - (double)age / EMOVOX_TRAIL_LEN;
    set_grey(cr, 0.9, 0.5 * k * k);
    circle(cr, cx + v * rad, cy - a * rad, (1.0 + 2.0 * k) * sc);
    cairo_fill(cr);
  }
  if (s->status == EMOVOX_VIEW_OK) {
    const unsigned char *rgb = s->dominant >= 0 ? emovox_palette[s->dominant] : NULL;
    if (rgb)
      set_rgb(cr, rgb, 1);
    else
      set_grey(cr, 0.6, 1);
    circle(cr, cx + s->valence * rad, cy - s->arousal * rad, 6 * sc);
    cairo_fill_preserve(cr);
    set_grey(cr, 1, 0.9);
    cairo_set_line_width(cr, 1.5 * sc);
    cairo_stroke(cr);
  }
  /* The names, each with a halo of the panel's colour so that the dot and the trail never hide
   * one (the dot of an angry voice sits right on angry's and fearful's markers). */
  emovox_rect lr[EV_N_EMOTIONS];
  emovox_plane_labels(cr, l, lr);
  double mfs = plane_label_font(l);
  cairo_save(cr);
  cairo_rectangle(cr, r.x, r.y, r.w, r.h);
  cairo_clip(cr);
  cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, mfs);
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  cairo_set_line_width(cr, 3 * sc);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    cairo_move_to(cr, lr[i].x + 1, lr[i].y + lr[i].h / 2 + (fe.ascent - fe.descent) / 2);
    cairo_text_path(cr, ev_emotion_names[i]);
    set_rgb(cr, emovox_background, 0.85);
    cairo_stroke_preserve(cr);
    if (emovox_view_considers(s, i))
      set_rgb(cr, emovox_palette[i], 0.9);
    else
      set_grey(cr, LEFT_OUT_GREY, 0.9);
    cairo_fill(cr);
  }
  cairo_restore(cr);
}

static double plane_label_font(const emovox_layout *l) {
  return clampd(l->plane.w * 0.055, 8 * l->scale, 13 * l->scale) * 0.85;
}

static int overlaps(emovox_rect a, emovox_rect b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

void emovox_plane_labels(cairo_t *cr, const emovox_layout *l, emovox_rect out[EV_N_EMOTIONS]) {
  emovox_rect r = l->plane;
  double sc = l->scale, cx = r.x + r.w / 2, cy = r.y + r.h / 2, rad = r.w / 2 - 10 * sc;
  double mfs = plane_label_font(l), lh = mfs * 1.3;
  cairo_save(cr);
  cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, mfs);
  /* Placed from the top of the plane down: a name that would overlap one placed before moves
   * below it, or above it if that is where its marker is. */
  int order[EV_N_EMOTIONS];
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    order[i] = i;
  for (int i = 1; i < EV_N_EMOTIONS; i++)
    for (int j = i; j > 0 && ev_emotion_arousal[order[j]] > ev_emotion_arousal[order[j - 1]]; j--) {
      int t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  for (int k = 0; k < EV_N_EMOTIONS; k++) {
    int i = order[k];
    double mx = cx + ev_emotion_valence[i] * rad, my = cy - ev_emotion_arousal[i] * rad;
    cairo_text_extents_t te;
    cairo_text_extents(cr, ev_emotion_names[i], &te);
    double lw = te.x_advance + 2;
    /* Names point towards the centre when the marker is near the rim, outwards otherwise. */
    double v = ev_emotion_valence[i];
    int left = v > 0.5 || (v < 0 && v >= -0.5);
    emovox_rect a = rect(left ? mx - 5 * sc - lw : mx + 5 * sc, my - lh / 2, lw, lh);
    for (int tries = 0; tries < EV_N_EMOTIONS; tries++) {
      int hit = -1;
      for (int q = 0; q < k && hit < 0; q++)
        if (overlaps(a, out[order[q]]))
          hit = order[q];
      if (hit < 0)
        break;
      a.y = my >= out[hit].y + out[hit].h / 2 ? out[hit].y + out[hit].h : out[hit].y - a.h;
    }
    out[i] = a;
  }
  cairo_restore(cr);
}

/* Without a running model the history is empty: its space explains the problem instead. */
static void draw_problem(cairo_t *cr, const emovox_layout *l, const emovox_view_state *s) {
  emovox_rect r = l->history;
  double sc = l->scale, pad = 8 * sc;
  char buf[768];
  if (s->status == EMOVOX_VIEW_LOAD_ERROR) {
    snprintf(buf, sizeof buf, "The model could not be loaded: %s",
             s->error[0] ? s->error : "(no details from the plugin)");
    set_rgb(cr, alarm, 1);
  } else if (s->status == EMOVOX_VIEW_MODEL_FAULT) {
    snprintf(buf, sizeof buf, "Model fault: %s",
             s->error[0] ? s->error : "the model's output is not finite");
    set_rgb(cr, alarm, 1);
  } else {
    snprintf(buf, sizeof buf,
             "No model is running. Choose a .safetensors model file in the "
             "plugin's \"model\" parameter (host: plugin properties / files).");
    set_rgb(cr, amber, 1);
  }
  double fs = clampd((r.h - pad) / 5.0, 8 * sc, 14 * sc); /* four lines */
  text_wrapped(cr, rect(r.x + pad, r.y + pad * 0.5, r.w - 2 * pad, r.h - pad), buf, fs);
}

/* The history's caption band (title, legend, time labels) and its plot below. */
static double history_caption_font(const emovox_layout *l) {
  return clampd(l->history.h * 0.2, 7 * l->scale, 11 * l->scale);
}

void emovox_history_areas(const emovox_layout *l, emovox_rect *caption, emovox_rect *plot) {
  emovox_rect r = l->history;
  double cap = r.w > 0 ? ceil(history_caption_font(l) * 1.35) : 0;
  *caption = rect(r.x, r.y, r.w, cap);
  *plot = rect(r.x, r.y + cap, r.w, r.h - cap);
}

/* Every column of speech is at least this tall, so a segment's name written in this band sits
 * on its colour whatever the confidence. */
double emovox_history_name_band(const emovox_layout *l) {
  emovox_rect caption, plot;
  emovox_history_areas(l, &caption, &plot);
  return floor(fmin(plot.h * 0.5, fmax(plot.h * 0.2, 11 * l->scale)));
}

/* Dark or light text, whichever contrasts more with the colour (WCAG relative luminance). */
static void set_text_on(cairo_t *cr, const unsigned char c[3]) {
  double lum = 0;
  const double weight[3] = {0.2126, 0.7152, 0.0722};
  for (int k = 0; k < 3; k++) {
    double v = c[k] / 255.0;
    lum += weight[k] * (v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4));
  }
  /* contrast with black (L + 0.05) / 0.05 vs with white 1.05 / (L + 0.05): equal at L = 0.179 */
  if (lum > 0.179)
    set_rgb(cr, emovox_background, 1);
  else
    set_grey(cr, 1, 1);
}

static double text_w(cairo_t *cr, const char *text, double size) {
  cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t te;
  cairo_text_extents(cr, text, &te);
  return te.x_advance;
}

/* Each run of one emotion gets its name (or abbreviation) where it fits, in the name band. */
static void draw_segment_names(cairo_t *cr, const emovox_layout *l, const emovox_view_state *s,
                               emovox_rect plot, double col) {
  double sc = l->scale, band = emovox_history_name_band(l);
  double fs = fmin(band * 0.85, 11 * sc);
  if (fs < 6 * sc)
    return;
  int d, run_d = -1, run_start = 0;
  float c;
  for (int age = 0; age <= s->hist_count; age++) {
    if (age < s->hist_count && emovox_view_history(s, age, &d, &c) && d == run_d)
      continue;
    if (age == s->hist_count)
      d = -1;
    if (run_d >= 0) { /* the run of ages [run_start, age) ends here */
      double x1 = plot.x + plot.w - run_start * col, x0 = plot.x + plot.w - age * col;
      double room = x1 - x0 - 4 * sc;
      const char *name = ev_emotion_names[run_d];
      if (text_w(cr, name, fs) > room)
        name = ev_emotion_short[run_d];
      if (text_w(cr, name, fs) <= room) {
        set_text_on(cr, emovox_palette[run_d]);
        text_core(cr, rect(x0, plot.y + plot.h - band, x1 - x0, band), name, fs, 0, ALIGN_CENTER,
                  0);
      }
    }
    run_d = d;
    run_start = age;
  }
}

/* The colours present in the history, each as a swatch and its name (abbreviated with
 * `short_names`), placed in order into the free spans [x0, x1) of the caption band, an entry
 * never straddling two. Returns how many entries fit; draws them if `draw`. */
typedef struct span {
  double x0, x1;
} span;
static int legend(cairo_t *cr, const emovox_layout *l, const int present[EV_N_EMOTIONS],
                  emovox_rect caption, const span *spans, int n_spans, double fs, int short_names,
                  int draw) {
  double sc = l->scale, sw = floor(fs * 0.75);
  int k = 0, placed = 0;
  double x = n_spans > 0 ? spans[0].x0 : 0;
  for (int i = 0; i < EV_N_EMOTIONS && k < n_spans; i++) {
    if (!present[i])
      continue;
    const char *name = short_names ? ev_emotion_short[i] : ev_emotion_names[i];
    double w = sw + 3 * sc + text_w(cr, name, fs);
    while (k < n_spans && x + w > spans[k].x1)
      if (++k < n_spans)
        x = fmax(x, spans[k].x0);
    if (k == n_spans)
      break;
    if (draw) {
      set_rgb(cr, emovox_palette[i], 1);
      fill_rect(cr, rect(floor(x), floor(caption.y + (caption.h - sw) / 2), sw, sw));
      set_grey(cr, 0.6, 1);
      text_core(cr, rect(x + sw + 3 * sc, caption.y, w - sw - 3 * sc + 1, caption.h), name, fs, 0,
                ALIGN_LEFT, 0);
    }
    placed++;
    x += w + 8 * sc;
  }
  return placed;
}

static void draw_history(cairo_t *cr, const emovox_layout *l, const emovox_view_state *s) {
  emovox_rect r = l->history;
  if (r.w <= 0)
    return;
  double sc = l->scale;
  set_grey(cr, 1, 0.05);
  fill_rect(cr, r);
  if (s->status != EMOVOX_VIEW_OK) {
    draw_problem(cr, l, s);
    return;
  }
  /* A caption band on top for the title, the legend and the time labels; the columns below. */
  double fs = history_caption_font(l);
  emovox_rect caption, plot;
  emovox_history_areas(l, &caption, &plot);
  double band = emovox_history_name_band(l);
  double col = r.w / EMOVOX_HISTORY_LEN;
  int d, present[EV_N_EMOTIONS] = {0};
  float c;
  /* Columns are narrower than a pixel on small screens: without antialiasing abutting columns
   * cover each pixel exactly once, so there are no blended seams between them. */
  cairo_save(cr);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  for (int age = 0; age < EMOVOX_HISTORY_LEN; age++) {
    if (!emovox_view_history(s, age, &d, &c))
      break;
    if (d < 0)
      continue;
    present[d] = 1;
    double hh = band + (plot.h - band) * clampd(c, 0, 1); /* speech always shows */
    double x = r.x + r.w - (age + 1) * col;
    set_rgb(cr, emovox_palette[d], 1);
    fill_rect(cr, rect(x, plot.y + plot.h - hh, col, hh));
  }
  cairo_restore(cr);
  /* Grid every 5 s, labelled every 10 s. */
  double label_x[3] = {0}; /* centres of the "-10 s" and "-20 s" labels */
  for (int t = 5; t < 30; t += 5) {
    double x = floor(r.x + r.w - t * EMOVOX_HISTORY_HZ * col) + 0.5;
    set_grey(cr, 0, t % 10 ? 0.25 : 0.45);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, x, plot.y);
    cairo_line_to(cr, x, plot.y + plot.h - band); /* not through the segment names */
    cairo_stroke(cr);
    if (t % 10 == 0)
      label_x[t / 10] = x;
  }
  draw_segment_names(cr, l, s, plot, col);

  /* Legend of the colours in view, in the caption's free spans between the title and the time
   * labels: full names if all fit, else abbreviations, else the "-20 s" label gives way (the
   * grid still marks it); what fits then. The title is short: the time labels say how far back
   * the history goes. */
  const char *title = "history";
  int n_present = 0;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    n_present += present[i];
  double half10 = text_w(cr, "-10 s", fs) / 2, half20 = text_w(cr, "-20 s", fs) / 2;
  double m = 8 * sc, start_x = r.x + 3 * sc + text_w(cr, title, fs) + 12 * sc;
  double now_x = r.x + r.w - 3 * sc - text_w(cr, "now", fs);
  span with20[3] = {{start_x, label_x[2] - half20 - m},
                    {label_x[2] + half20 + m, label_x[1] - half10 - m},
                    {label_x[1] + half10 + m, now_x - m}};
  span without20[2] = {{start_x, label_x[1] - half10 - m}, {label_x[1] + half10 + m, now_x - m}};
  int drop20 = 0, short_names = 0;
  if (legend(cr, l, present, caption, with20, 3, fs, 0, 0) < n_present) {
    short_names = 1;
    if (legend(cr, l, present, caption, with20, 3, fs, 1, 0) < n_present) {
      drop20 = 1;
      short_names = legend(cr, l, present, caption, without20, 2, fs, 0, 0) < n_present;
    }
  }
  legend(cr, l, present, caption, drop20 ? without20 : with20, drop20 ? 2 : 3, fs, short_names, 1);
  set_grey(cr, 0.6, 1);
  text_in(cr, rect(r.x + 3 * sc, r.y, 90 * sc, caption.h), title, fs, 0, ALIGN_LEFT);
  for (int t = 10; t < 30; t += 10) {
    if (t == 20 && drop20)
      continue;
    char buf[16];
    snprintf(buf, sizeof buf, "-%d s", t);
    text_in(cr, rect(label_x[t / 10] - 20 * sc, r.y, 40 * sc, caption.h), buf, fs, 0, ALIGN_CENTER);
  }
  text_in(cr, rect(r.x + r.w - 43 * sc, r.y, 40 * sc, caption.h), "now", fs, 0, ALIGN_RIGHT);
}

static void draw_sliders(cairo_t *cr, const emovox_layout *l, const emovox_view_state *s) {
  double sc = l->scale;
  for (int c = 0; c < EMOVOX_N_CTRLS; c++) {
    emovox_rect r = l->sliders[c];
    if (r.w <= 0)
      continue;
    float value = c == EMOVOX_CTRL_RESPONSE ? s->response_ms : s->gate_db;
    double pos = emovox_ctrl_to_pos(c, value);
    int hot = s->hover == c || s->drag == c;
    char buf[64];
    if (c == EMOVOX_CTRL_RESPONSE)
      snprintf(buf, sizeof buf, "response  %.0f ms", value);
    else
      snprintf(buf, sizeof buf, "speech gate  %.0f dBFS", value);
    set_grey(cr, hot ? 0.95 : 0.75, 1);
    text_in(cr, l->slider_labels[c], buf, l->slider_labels[c].h * 0.8, 0, ALIGN_LEFT);
    set_grey(cr, 1, 0.12);
    rounded(cr, r, r.h / 2);
    cairo_fill(cr);
    set_grey(cr, hot ? 0.85 : 0.6, 1);
    rounded(cr, rect(r.x, r.y, r.w * pos, r.h), r.h / 2);
    cairo_fill(cr);
    double kx = r.x + r.w * pos, ky = r.y + r.h / 2;
    circle(cr, kx, ky, (s->drag == c ? 8 : 7) * sc);
    set_grey(cr, s->drag == c ? 1.0 : 0.88, 1);
    cairo_fill(cr);
  }
}

static void draw_status(cairo_t *cr, const emovox_layout *l, const emovox_view_state *s) {
  emovox_rect r = l->status;
  if (r.w <= 0)
    return;
  double fs = fmin(12 * l->scale, r.h * 0.8);
  char buf[768];
  if (s->status != EMOVOX_VIEW_OK && l->history.w > 0) { /* the details are shown above */
    snprintf(buf, sizeof buf, "%s",
             s->status == EMOVOX_VIEW_LOAD_ERROR
                 ? "Model: load error (details above); the previous model, "
                   "if any, keeps running."
             : s->status == EMOVOX_VIEW_MODEL_FAULT
                 ? "Model: output not finite (details above); no emotions until it recovers."
                 : "Model: none loaded.");
    set_grey(cr, 0.65, 1);
  } else if (s->status == EMOVOX_VIEW_LOAD_ERROR) {
    snprintf(buf, sizeof buf, "Model failed to load: %s",
             s->error[0] ? s->error : "(no details from the plugin)");
    set_rgb(cr, alarm, 1);
  } else if (s->status == EMOVOX_VIEW_MODEL_FAULT) {
    snprintf(buf, sizeof buf, "Model fault: %s",
             s->error[0] ? s->error : "the model's output is not finite");
    set_rgb(cr, alarm, 1);
  } else if (s->status == EMOVOX_VIEW_NO_MODEL) {
    snprintf(buf, sizeof buf,
             "No model loaded: choose a .safetensors model in the plugin's "
             "\"model\" file parameter.");
    set_rgb(cr, amber, 1);
  } else {
    const char *name = s->model_name[0] ? s->model_name : "(unnamed)";
    /* a restricted set is said in words too: the dimmed bars alone could be missed */
    char set[32] = "";
    const int n_set = __builtin_popcount(s->emotions);
    if (n_set < EV_N_EMOTIONS)
      snprintf(set, sizeof set, "  \xc2\xb7  %d of %d emotions", n_set, EV_N_EMOTIONS);
    /* while the plugin hands a call to the default model's narrowband companion */
    const char *tel = s->telephone ? "  \xc2\xb7  telephone audio: the narrowband model reads" : "";
    snprintf(buf, sizeof buf, "model %s%s%s%s%s", name, tel, set,
             s->model_labels[0] ? "  \xc2\xb7  labels: " : "", s->model_labels);
    /* Where the labels do not fit on the status line (they would be cut mid-word), their
     * count stands in for them; the bars name every emotion anyway. */
    cairo_text_extents_t te;
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, fs);
    cairo_text_extents(cr, buf, &te);
    if (s->model_labels[0] && te.x_advance > r.w && r.h < 2.2 * fs) {
      int n = 1;
      for (const char *c = s->model_labels; *c; c++)
        n += *c == ',';
      snprintf(buf, sizeof buf, "model %s%s%s  \xc2\xb7  %d labels", name, tel, set, n);
      cairo_text_extents(cr, buf, &te);
      if (s->telephone && te.x_advance > r.w) /* the call said first, in fewer words */
        snprintf(buf, sizeof buf, "model %s  \xc2\xb7  telephone audio%s", name, set);
    }
    set_grey(cr, 0.65, 1);
  }
  text_wrapped(cr, r, buf, fs);
}

void emovox_draw(cairo_t *cr, int w, int h, double scale, const emovox_view_state *s) {
  if (w <= 0 || h <= 0)
    return;
  cairo_save(cr);
  cairo_rectangle(cr, 0, 0, w, h);
  cairo_clip(cr);
  set_rgb(cr, emovox_background, 1);
  cairo_paint(cr);

  emovox_layout l;
  emovox_layout_compute(&l, w, h, scale);
  draw_header(cr, &l, s);
  draw_bars(cr, &l, s);
  draw_plane(cr, &l, s);
  draw_history(cr, &l, s);
  draw_sliders(cr, &l, s);
  draw_status(cr, &l, s);
  cairo_restore(cr);
}
