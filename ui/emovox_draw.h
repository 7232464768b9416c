/* Drawing the Emovox meter: a pure function of an emovox_view_state onto a cairo_t, and the
 * layout it uses (so that tests and the pointer handling know where everything is).
 *
 * Sizes are in surface pixels; `scale` is the HiDPI factor (2 on a 200 % screen): fonts, margins
 * and the size thresholds between the strip, medium and full layouts are multiplied by it. */
#ifndef EMOVOX_DRAW_H
#define EMOVOX_DRAW_H

#include <cairo.h>

#include "emovox_view.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct emovox_rect {
  double x, y, w, h;
} emovox_rect;

enum { EMOVOX_LAYOUT_STRIP = 0, EMOVOX_LAYOUT_MEDIUM = 1, EMOVOX_LAYOUT_FULL = 2 };

/* Rectangles with w or h == 0 are not drawn in this layout. */
typedef struct emovox_layout {
  int mode;
  double scale;
  double font;            /* base font size in pixels */
  emovox_rect dominant;   /* the dominant emotion's name (or the status word) */
  emovox_rect confidence; /* confidence meter */
  emovox_rect voice;      /* voice activity meter */
  emovox_rect adapted;    /* "cold" / "adapting N %" / "adapted", right of the voice caption */
  emovox_rect labels[EV_N_EMOTIONS];         /* emotion names next to the bars */
  int short_labels;                          /* labels are 3-letter abbreviations (strip) */
  double label_font;                         /* their font size in pixels */
  emovox_rect bars[EV_N_EMOTIONS];           /* bar tracks: a value v fills [x, x + w * v] */
  emovox_rect values[EV_N_EMOTIONS];         /* the numbers right of the bars */
  emovox_rect plane;                         /* arousal (up) / valence (right) plane */
  emovox_rect history;                       /* 30 s history, newest at the right */
  emovox_rect status;                        /* model name and labels, or the error text */
  emovox_rect sliders[EMOVOX_N_CTRLS];       /* slider tracks */
  emovox_rect slider_labels[EMOVOX_N_CTRLS]; /* "response 250 ms" ... */
} emovox_layout;

void emovox_layout_compute(emovox_layout *l, int w, int h, double scale);

/* Which slider (EMOVOX_CTRL_*) is under the pointer, -1 if none. */
int emovox_layout_hit_control(const emovox_layout *l, double x, double y);
/* Slider position 0..1 for a pointer at x (clamped). */
double emovox_layout_control_pos(const emovox_layout *l, int ctrl, double x);

/* The "forget" button that clears the learned voice (emovox_view_offers_forget), right-aligned
 * on the voice meter's caption line with the adaptation caption moved left of it; none in the
 * strip. Its rectangle in a frame drawn with this layout and state (cr only measures text), or
 * 0 and an empty rectangle where it is not drawn: not offered, or the line too narrow for the
 * voice caption at its widest, the adaptation caption and the button. Measured at the widest
 * readings, so that it does not come and go while the voice meter or the learning moves. */
int emovox_forget_button(cairo_t *cr, const emovox_layout *l, const emovox_view_state *s,
                         emovox_rect *out);
/* 1 if (x, y) clicks the button (with a margin: it is only a text line high). */
int emovox_forget_hit(const emovox_layout *l, emovox_rect button, double x, double y);

/* The colour-blind safe palette (Okabe & Ito 2008; black replaced by grey on the dark
 * background), indexed by emotion. Components 0..255. */
extern const unsigned char emovox_palette[EV_N_EMOTIONS][3];
/* Background colour (components 0..255), for tests. */
extern const unsigned char emovox_background[3];
/* An emotion the Emotions control leaves out has no bar track (an empty one would say
 * "unlikely"), only a thin line of white at this opacity through where the bar would be. Shared
 * so that the meter (emovox_draw) and Ardour's inline display (emovox_inline) look the same. */
#define EMOVOX_LEFT_OUT_LINE_ALPHA 0.12

/* What the history draws, for tests: its caption band (title, legend, time labels) and plot. */
void emovox_history_areas(const emovox_layout *l, emovox_rect *caption, emovox_rect *plot);
/* Height of the band at the bottom of the history's plot where segment names are written (every
 * column of speech covers it, whatever its confidence). */
double emovox_history_name_band(const emovox_layout *l);

/* Where the plane writes the emotions' names (cr only measures text): beside each marker,
 * moved up or down until no two overlap (angry and fearful nearly coincide). For tests. */
void emovox_plane_labels(cairo_t *cr, const emovox_layout *l, emovox_rect out[EV_N_EMOTIONS]);

/* Draws the whole meter into [0, w) x [0, h) of cr's user space, never outside. */
void emovox_draw(cairo_t *cr, int w, int h, double scale, const emovox_view_state *s);

#ifdef __cplusplus
}
#endif

#endif
