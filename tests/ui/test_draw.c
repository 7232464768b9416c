/* Renders the meter at several sizes and states into image surfaces and checks pixels against
 * the layout: bar lengths against the probabilities, the dominant label's colour, the history's
 * colours against the ticks fed in, that nothing is drawn outside the given area, and that
 * states that should look different do. Writes every image as PNG into <build>/tests/ui. */
#include <fontconfig/fontconfig.h>
#include <math.h>

#include "emovox_draw.h"
#include "ev_test.h"
#include "ui_test_util.h"

typedef struct size_case {
  int w, h;
  double scale;
} size_case;

static const size_case sizes[] = {
    {200, 60, 1.0}, {480, 320, 1.0}, {640, 420, 1.0}, {1200, 800, 1.0}, {960, 640, 2.0}};
#define N_SIZES ((int)(sizeof sizes / sizeof sizes[0]))

#define MARGIN 24
static const unsigned char magenta[3] = {255, 0, 255};

/* Draws into a surface MARGIN px larger on every side, filled with magenta, through a
 * translation: whatever lands outside [0,w)x[0,h) would show up in the margin. */
static cairo_surface_t *render_framed(const size_case *sc, const emovox_view_state *s) {
  cairo_surface_t *sf =
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, sc->w + 2 * MARGIN, sc->h + 2 * MARGIN);
  cairo_t *cr = cairo_create(sf);
  cairo_set_source_rgb(cr, 1, 0, 1);
  cairo_paint(cr);
  cairo_translate(cr, MARGIN, MARGIN);
  emovox_draw(cr, sc->w, sc->h, sc->scale, s);
  cairo_destroy(cr);
  cairo_surface_flush(sf);
  return sf;
}

/* The meter alone (a view of the framed surface without the margin). */
static cairo_surface_t *inner(cairo_surface_t *framed, const size_case *sc) {
  cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, sc->w, sc->h);
  cairo_t *cr = cairo_create(sf);
  cairo_set_source_surface(cr, framed, -MARGIN, -MARGIN);
  cairo_paint(cr);
  cairo_destroy(cr);
  cairo_surface_flush(sf);
  return sf;
}

static void check_margin(cairo_surface_t *framed, const size_case *sc, const char *what) {
  int W = sc->w + 2 * MARGIN, H = sc->h + 2 * MARGIN, touched = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      int in = x >= MARGIN && x < MARGIN + sc->w && y >= MARGIN && y < MARGIN + sc->h;
      if (!in && colour_dist(pixel_at(framed, x, y), magenta) != 0)
        touched++;
    }
  EV_CHECK(touched == 0, "%s: %d pixels drawn outside the area", what, touched);
  /* and the area itself is fully painted (its corners show the background) */
  EV_CHECK(colour_dist(pixel_at(framed, MARGIN, MARGIN), emovox_background) <= 3 &&
               colour_dist(pixel_at(framed, MARGIN + sc->w - 1, MARGIN + sc->h - 1),
                           emovox_background) <= 3,
           "%s: corners are not the background", what);
}

/* Length of the run of the emotion's colour along the bar's middle row, from its left end. */
static double clampd_t(double v, double lo, double hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

static int bar_run(cairo_surface_t *sf, const emovox_rect *b, int emotion) {
  int y = (int)(b->y + b->h / 2), run = 0;
  for (int x = (int)ceil(b->x); x < (int)(b->x + b->w); x++) {
    if (colour_dist(pixel_at(sf, x, y), emovox_palette[emotion]) > 60)
      break;
    run++;
  }
  return run;
}

static void check_bars(cairo_surface_t *sf, const emovox_layout *l, const emovox_view_state *s,
                       const char *what) {
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    const emovox_rect *b = &l->bars[i];
    EV_CHECK(b->w >= 20 && b->h >= 2, "%s: bar %d has a usable size (%gx%g)", what, i, b->w, b->h);
    double expect = b->w * s->prob[i];
    int run = bar_run(sf, b, i);
    EV_CHECK(fabs(run - expect) <= 2.0, "%s: bar %d (%s) run %d px vs %.1f px expected", what, i,
             ev_emotion_names[i], run, expect);
  }
}

/* Pixels within the rectangle close to the colour. */
static int count_colour(cairo_surface_t *sf, emovox_rect r, const unsigned char c[3], int tol) {
  int n = 0;
  for (int y = (int)r.y; y < (int)(r.y + r.h); y++)
    for (int x = (int)r.x; x < (int)(r.x + r.w); x++)
      if (colour_dist(pixel_at(sf, x, y), c) <= tol)
        n++;
  return n;
}

static int count_diff(cairo_surface_t *a, cairo_surface_t *b, emovox_rect r) {
  int n = 0;
  for (int y = (int)r.y; y < (int)(r.y + r.h); y++)
    for (int x = (int)r.x; x < (int)(r.x + r.w); x++) {
      rgb p = pixel_at(a, x, y), q = pixel_at(b, x, y);
      if (abs(p.r - q.r) + abs(p.g - q.g) + abs(p.b - q.b) > 30)
        n++;
    }
  return n;
}

static void check_layout(const emovox_layout *l, const size_case *sc, const char *what) {
  const emovox_rect *all[] = {&l->dominant,   &l->confidence, &l->voice,   &l->plane,
                              &l->history,    &l->status,     &l->bars[0], &l->bars[7],
                              &l->sliders[0], &l->sliders[1]};
  for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
    const emovox_rect *r = all[k];
    if (r->w <= 0)
      continue;
    EV_CHECK(r->x >= 0 && r->y >= 0 && r->x + r->w <= sc->w && r->y + r->h <= sc->h,
             "%s: rect %zu (%g,%g %gx%g) inside %dx%d", what, k, r->x, r->y, r->w, r->h, sc->w,
             sc->h);
  }
  for (int i = 1; i < EV_N_EMOTIONS; i++)
    EV_CHECK(l->bars[i].y >= l->bars[i - 1].y + l->bars[i - 1].h, "%s: bars %d/%d overlap", what,
             i - 1, i);
  EV_CHECK(l->dominant.w > 0 && l->dominant.h >= 10 * sc->scale, "%s: dominant label %gx%g", what,
           l->dominant.w, l->dominant.h);
}

/* The history's columns, sampled near their bottom at ages that avoid the 5 s grid lines. */
static void check_history(cairo_surface_t *sf, const emovox_layout *l, const char *what) {
  const emovox_rect *r = &l->history;
  double col = r->w / EMOVOX_HISTORY_LEN;
  const int ages[] = {0, 15, 45, 105, 165, 230, 285, 299};
  for (size_t k = 0; k < sizeof ages / sizeof ages[0]; k++) {
    int age = ages[k];
    int tick = HISTORY_TICKS - 1 - age;
    int e = history_emotion(tick);
    int x = (int)(r->x + r->w - (age + 0.5) * col);
    int y = (int)(r->y + r->h - emovox_history_name_band(l) - 3); /* above the segment names */
    rgb p = pixel_at(sf, x, y);
    EV_CHECK(colour_dist(p, emovox_palette[e]) <= 30,
             "%s: history %d ticks ago at x=%d shows (%d,%d,%d), expected %s", what, age, x, p.r,
             p.g, p.b, ev_emotion_names[e]);
  }
}

/* Pixels of "ink" (text drawn in light grey or an emotion colour on the dark background). */
static int count_ink(cairo_surface_t *sf, emovox_rect r) {
  int n = 0;
  for (int y = (int)r.y; y < (int)(r.y + r.h); y++)
    for (int x = (int)r.x; x < (int)(r.x + r.w); x++) {
      rgb c = pixel_at(sf, x, y);
      n += c.r + c.g + c.b > 330;
    }
  return n;
}

/* Pixels that differ between two equally sized rectangles of a surface. */
static int count_diff_at(cairo_surface_t *sf, emovox_rect a, emovox_rect b) {
  int n = 0;
  for (int y = 0; y < (int)a.h; y++)
    for (int x = 0; x < (int)a.w; x++) {
      rgb p = pixel_at(sf, (int)a.x + x, (int)a.y + y),
          q = pixel_at(sf, (int)b.x + x, (int)b.y + y);
      n += abs(p.r - q.r) + abs(p.g - q.g) + abs(p.b - q.b) > 90;
    }
  return n;
}

static cairo_surface_t *render(int w, int h, double scale, const emovox_view_state *s) {
  cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create(sf);
  emovox_draw(cr, w, h, scale, s);
  cairo_destroy(cr);
  cairo_surface_flush(sf);
  return sf;
}

/* Pixels of r nearer to emotion e's colour than to the background, to white (the dot's rim)
 * and to every other emotion's colour (the dot's fill): text written in e's colour, even
 * anti-aliased. */
static int count_nearest(cairo_surface_t *sf, emovox_rect r, int e) {
  static const unsigned char white[3] = {230, 230, 230};
  int n = 0;
  for (int y = (int)ceil(r.y); y < (int)(r.y + r.h); y++)
    for (int x = (int)ceil(r.x); x < (int)(r.x + r.w); x++) {
      rgb c = pixel_at(sf, x, y);
      int d = colour_dist(c, emovox_palette[e]),
          near = d < colour_dist(c, emovox_background) && d < colour_dist(c, white);
      for (int k = 0; k < EV_N_EMOTIONS && near; k++)
        near = k == e || d < colour_dist(c, emovox_palette[k]);
      n += near;
    }
  return n;
}

/* Length of the run of colour c along the middle row of r, from its left end. */
static int run_of(cairo_surface_t *sf, emovox_rect r, const unsigned char c[3], int tol) {
  int y = (int)(r.y + r.h / 2), run = 0;
  for (int x = (int)ceil(r.x); x < (int)(r.x + r.w); x++) {
    if (colour_dist(pixel_at(sf, x, y), c) > tol)
      break;
    run++;
  }
  return run;
}

/* Strip layouts: every bar has its (abbreviated) name, and no two names look alike. */
static void check_strip_labels(int w, int h) {
  emovox_view_state s;
  make_state(&s, ST_RAMP);
  emovox_view_update(&s, EMOVOX_DOMINANT, 0); /* all names in the same grey: only text differs */
  emovox_layout l;
  emovox_layout_compute(&l, w, h, 1.0);
  cairo_surface_t *sf = render(w, h, 1.0, &s);
  char name[64];
  snprintf(name, sizeof name, "ui_strip_labels_%dx%d.png", w, h);
  write_png(sf, name);
  EV_CHECK(l.mode == EMOVOX_LAYOUT_STRIP, "%dx%d is a strip", w, h);
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    EV_CHECK(l.labels[i].w >= 8 && l.labels[i].x + l.labels[i].w <= l.bars[i].x,
             "%dx%d: bar %d has a name left of it (%gx%g)", w, h, i, l.labels[i].w, l.labels[i].h);
    int ink = count_ink(sf, l.labels[i]);
    EV_CHECK(ink >= 6, "%dx%d: the name of bar %d (%s) is written (%d px)", w, h, i,
             l.short_labels ? ev_emotion_short[i] : ev_emotion_names[i], ink);
    for (int j = 0; j < i; j++) {
      int d = count_diff_at(sf, l.labels[i], l.labels[j]);
      EV_CHECK(d >= 4, "%dx%d: names of bars %d and %d differ (%d px)", w, h, j, i, d);
    }
  }
  cairo_surface_destroy(sf);
}

/* Ticks of history: `n` ticks of emotion e (-1: pause) at confidence 0.9. */
static void feed(emovox_view_state *s, int e, int n) {
  for (int t = 0; t < n; t++) {
    float p[8];
    for (int i = 0; i < 8; i++)
      p[i] = e < 0 ? 0.0f : (i == e ? 0.9f : 0.1f / 7.0f);
    set_probs(s, p);
    emovox_view_update(s, EMOVOX_DOMINANT, (float)(1 + e));
    emovox_view_update(s, EMOVOX_CONFIDENCE, e < 0 ? 0.0f : 0.9f);
    emovox_view_tick(s);
  }
}

/* The history's legend names exactly the colours in view, and each segment wide enough for a
 * name carries one (a blip too narrow for any stays plain colour). */
static void check_history_names(const size_case *sc) {
  emovox_layout l;
  emovox_layout_compute(&l, sc->w, sc->h, sc->scale);
  if (l.history.w <= 0)
    return;
  char what[64];
  snprintf(what, sizeof what, "%dx%d@%g", sc->w, sc->h, sc->scale);
  emovox_rect caption, plot;
  emovox_history_areas(&l, &caption, &plot);
  double band = emovox_history_name_band(&l), col = l.history.w / EMOVOX_HISTORY_LEN;
  double sw = floor(clampd_t(l.history.h * 0.2, 7 * sc->scale, 11 * sc->scale) * 0.75);

  /* All eight in view (the history state cycles through them). */
  emovox_view_state all;
  make_state(&all, ST_HISTORY);
  cairo_surface_t *sf = render(sc->w, sc->h, sc->scale, &all);
  for (int e = 0; e < EV_N_EMOTIONS; e++) {
    int n = count_colour(sf, caption, emovox_palette[e], 20);
    EV_CHECK(n >= sw * sw * 0.8, "%s: the legend shows %s (%d px of a %gx%g swatch)", what,
             ev_emotion_names[e], n, sw, sw);
  }
  /* Segments are 30 ticks, newest first from tick HISTORY_TICKS - 1; check the whole ones. */
  for (int seg_end = HISTORY_TICKS % 30; seg_end + 30 <= EMOVOX_HISTORY_LEN; seg_end += 30) {
    int e = history_emotion(HISTORY_TICKS - 1 - seg_end);
    emovox_rect cell = {plot.x + plot.w - (seg_end + 30) * col + 2, plot.y + plot.h - band,
                        30 * col - 4, band};
    int text = 0;
    for (int y = (int)cell.y; y < (int)(cell.y + cell.h); y++)
      for (int x = (int)ceil(cell.x); x < (int)(cell.x + cell.w); x++)
        text += colour_dist(pixel_at(sf, x, y), emovox_palette[e]) > 90;
    EV_CHECK(text >= 8, "%s: the %s segment %d ticks ago carries its name (%d px)", what,
             ev_emotion_names[e], seg_end, text);
  }
  cairo_surface_destroy(sf);

  /* Only sad and happy in view, with a 3-tick blip of anger: those three in the legend, no
   * other colour; the blip is too narrow for a name. */
  emovox_view_state two;
  make_state(&two, ST_SILENCE);
  feed(&two, 3, 60);
  feed(&two, -1, 20);
  feed(&two, 2, 50);
  feed(&two, 4, 3);
  feed(&two, 2, 40);
  sf = render(sc->w, sc->h, sc->scale, &two);
  char name[96];
  snprintf(name, sizeof name, "ui_history_names_%dx%d_s%g.png", sc->w, sc->h, sc->scale);
  write_png(sf, name);
  for (int e = 0; e < EV_N_EMOTIONS; e++) {
    int n = count_colour(sf, caption, emovox_palette[e], 20);
    int expect = e == 2 || e == 3 || e == 4;
    EV_CHECK(expect ? n >= sw * sw * 0.8 : n == 0, "%s: legend %s %s (%d px)", what,
             expect ? "shows" : "leaves out", ev_emotion_names[e], n);
  }
  double bx = plot.x + plot.w - (40 + 3) * col; /* the blip: ages 40..42 */
  int plain = 1;
  for (int y = (int)(plot.y + plot.h - band); y < (int)(plot.y + plot.h); y++)
    for (int x = (int)ceil(bx + 1); x < (int)(bx + 3 * col - 1); x++)
      plain &= colour_dist(pixel_at(sf, x, y), emovox_palette[4]) <= 30;
  EV_CHECK(plain, "%s: a 3-tick segment has no text over it", what);
  cairo_surface_destroy(sf);
}

/* Peak hold: a tick in the bar's colour where the value was highest, held 1.5 s (15 ticks at
 * 10 Hz) and then falling at 0.2 per second, while the bar itself shows the present value. */
static void check_peak_hold(const size_case *sc) {
  emovox_layout l;
  emovox_layout_compute(&l, sc->w, sc->h, sc->scale);
  char what[64];
  snprintf(what, sizeof what, "%dx%d@%g peak", sc->w, sc->h, sc->scale);
  const int e = 3; /* sad */
  emovox_view_state s;
  make_state(&s, ST_SILENCE);
  emovox_view_update(&s, EMOVOX_PROB_FIRST + e, 0.8f);
  emovox_view_update(&s, EMOVOX_PROB_FIRST + e, 0.3f);
  const struct {
    int ticks;
    double peak; /* the documented behaviour, not the view's constants */
  } steps[] = {{0, 0.8}, {15, 0.8}, {25, 0.8 - 0.2 * 1.0}, {100, -1}};
  int done = 0;
  for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
    for (; done < steps[k].ticks; done++)
      emovox_view_tick(&s);
    cairo_surface_t *sf = render(sc->w, sc->h, sc->scale, &s);
    emovox_rect b = l.bars[e];
    int y = (int)(b.y + b.h / 2);
    /* Where the bar's colour is, right of the bar's own fill (0.3). */
    int from = (int)ceil(b.x + b.w * 0.3) + 2, first = -1, last = -1;
    for (int x = from; x < (int)(b.x + b.w); x++)
      if (colour_dist(pixel_at(sf, x, y), emovox_palette[e]) <= 60) {
        if (first < 0)
          first = x;
        last = x;
      }
    if (steps[k].peak < 0) {
      EV_CHECK(first < 0, "%s: after %d ticks the peak has fallen to the bar (tick at %d)", what,
               steps[k].ticks, first);
    } else {
      double expect = b.x + b.w * steps[k].peak;
      EV_CHECK(first >= 0 && fabs((first + last + 1) / 2.0 - expect) <= 1.5 &&
                   last - first + 1 <= 2 * sc->scale + 1,
               "%s: after %d ticks the tick is at x %d..%d, expected around %.1f", what,
               steps[k].ticks, first, last, expect);
    }
    EV_CHECK(abs(run_of(sf, b, emovox_palette[e], 60) - (int)lrint(b.w * 0.3)) <= 2,
             "%s: the bar shows 0.3 under its peak", what);
    cairo_surface_destroy(sf);
  }
}

/* Confidence and voice meters: filled from the left in proportion, the confidence in the
 * dominant emotion's colour and the voice activity in light grey. */
static void check_meters(cairo_surface_t *sf, const emovox_layout *l, const emovox_view_state *s,
                         const char *what) {
  static const unsigned char light[3] = {217, 217, 217}; /* grey 0.85 */
  EV_CHECK(l->confidence.w >= 20 && l->voice.w >= 20, "%s: meters have a size", what);
  int conf = run_of(sf, l->confidence, emovox_palette[s->dominant], 40);
  int voice = run_of(sf, l->voice, light, 20);
  EV_CHECK(fabs(conf - l->confidence.w * s->confidence) <= 2, "%s: confidence %d px vs %.1f", what,
           conf, l->confidence.w * s->confidence);
  EV_CHECK(fabs(voice - l->voice.w * s->voice) <= 2, "%s: voice %d px vs %.1f", what, voice,
           l->voice.w * s->voice);
}

/* The model line writes the model's name: another name changes its pixels, the same does not. */
static void check_model_line(const size_case *sc) {
  emovox_layout l;
  emovox_layout_compute(&l, sc->w, sc->h, sc->scale);
  if (l.status.w <= 0)
    return;
  char what[64];
  snprintf(what, sizeof what, "%dx%d@%g model line", sc->w, sc->h, sc->scale);
  emovox_view_state a, b, c;
  make_state(&a, ST_ANGER);
  b = a;
  c = a;
  snprintf(b.model_name, sizeof b.model_name, "%s", "speaker-xyz-2024");
  cairo_surface_t *sa = render(sc->w, sc->h, sc->scale, &a);
  cairo_surface_t *sb = render(sc->w, sc->h, sc->scale, &b);
  cairo_surface_t *scc = render(sc->w, sc->h, sc->scale, &c);
  int ink = count_ink(sa, l.status);
  EV_CHECK(ink >= 40, "%s: text is drawn (%d px)", what, ink);
  EV_CHECK(count_diff(sa, sb, l.status) > 30, "%s: another model name shows", what);
  EV_CHECK(count_diff(sa, scc, l.status) == 0, "%s: same state, same pixels", what);
  cairo_surface_destroy(sa);
  cairo_surface_destroy(sb);
  cairo_surface_destroy(scc);
}

/* Pixels of r with a colour rather than a grey (channels more than 40 apart). */
static int count_chroma(cairo_surface_t *sf, emovox_rect r) {
  int n = 0;
  for (int y = (int)ceil(r.y); y < (int)(r.y + r.h); y++)
    for (int x = (int)ceil(r.x); x < (int)(r.x + r.w); x++) {
      rgb c = pixel_at(sf, x, y);
      int hi = c.r > c.g ? (c.r > c.b ? c.r : c.b) : (c.g > c.b ? c.g : c.b);
      int lo = c.r < c.g ? (c.r < c.b ? c.r : c.b) : (c.g < c.b ? c.g : c.b);
      n += hi - lo > 40;
    }
  return n;
}

static int same_pixels(cairo_surface_t *a, cairo_surface_t *b) {
  int h = cairo_image_surface_get_height(a), stride = cairo_image_surface_get_stride(a);
  return h == cairo_image_surface_get_height(b) && stride == cairo_image_surface_get_stride(b) &&
         !memcmp(cairo_image_surface_get_data(a), cairo_image_surface_get_data(b),
                 (size_t)h * (size_t)stride);
}

/* The Emotions control: an emotion it leaves out must not look like one that is merely
 * unlikely, and with all eight (the default) the meter draws exactly as it did before. */
static void check_emotions_set(const size_case *sc) {
  emovox_layout l;
  emovox_layout_compute(&l, sc->w, sc->h, sc->scale);
  char what[64];
  snprintf(what, sizeof what, "%dx%d@%g emotions", sc->w, sc->h, sc->scale);

  /* Default: no event, 255, NaN, and a set then 255 again are all the same pixels. */
  const int states[] = {ST_NO_MODEL, ST_ANGER, ST_HISTORY};
  for (size_t k = 0; k < sizeof states / sizeof states[0]; k++) {
    emovox_view_state none, all, nan_set, back;
    make_state(&none, states[k]);
    all = nan_set = back = none;
    emovox_view_set_emotions(&all, 255.0f);
    emovox_view_set_emotions(&nan_set, NAN);
    emovox_view_set_emotions(&back, 29.0f);
    emovox_view_set_emotions(&back, 255.0f);
    cairo_surface_t *a = render(sc->w, sc->h, sc->scale, &none);
    const emovox_view_state *same[] = {&all, &nan_set, &back};
    for (int j = 0; j < 3; j++) {
      cairo_surface_t *b = render(sc->w, sc->h, sc->scale, same[j]);
      EV_CHECK(same_pixels(a, b), "%s: %s with all eight (case %d) draws as without the event",
               what, state_names[states[k]], j);
      cairo_surface_destroy(b);
    }
    cairo_surface_destroy(a);
  }

  /* 29 = neutral, happy, sad, angry. Sad is allowed at 0, calm is left out (and 0, as the
   * plugin makes it): the two bars and names must differ. */
  const int allowed = 3, left_out = 1;
  emovox_view_state s, open;
  make_state(&s, ST_ANGER);
  const float p[8] = {0.1f, 0, 0, 0, 0.9f, 0, 0, 0};
  set_probs(&s, p);
  open = s;
  emovox_view_set_emotions(&s, 29.0f);
  cairo_surface_t *sf = render(sc->w, sc->h, sc->scale, &s);
  cairo_surface_t *so = render(sc->w, sc->h, sc->scale, &open);
  char name[96];
  snprintf(name, sizeof name, "ui_emotions_29_%dx%d@%g.png", sc->w, sc->h, sc->scale);
  write_png(sf, name);
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    /* An allowed bar's empty track covers its rectangle; a left-out one leaves it background
     * but for a thin line through its middle. */
    emovox_rect b = l.bars[i];
    int bg = count_colour(sf, b, emovox_background, 3), area = (int)b.w * (int)b.h;
    if (emovox_view_considers(&s, i))
      EV_CHECK(bg == 0, "%s: allowed bar %d (%s) shows its track (%d background px)", what, i,
               ev_emotion_names[i], bg);
    else
      EV_CHECK(bg >= area / 2, "%s: left-out bar %d (%s) has no track (%d of %d px background)",
               what, i, ev_emotion_names[i], bg, area);
  }
  int y = (int)(l.bars[allowed].y + l.bars[allowed].h / 4),
      x = (int)(l.bars[allowed].x + l.bars[allowed].w / 2);
  int y2 = (int)(l.bars[left_out].y + l.bars[left_out].h / 4);
  EV_CHECK(colour_dist(pixel_at(sf, x, y), emovox_background) >= 30 &&
               colour_dist(pixel_at(sf, x, y2), emovox_background) <= 3,
           "%s: sad at 0 (allowed) and calm (left out) differ at the same place in their bars",
           what);
  if (l.labels[0].w > 0) {
    int ink_allowed = count_ink(sf, l.labels[allowed]), ink_out = count_ink(sf, l.labels[left_out]);
    EV_CHECK(ink_allowed >= 8 && ink_out * 4 < ink_allowed,
             "%s: the left-out name is dimmed (%d light px vs %d for an allowed one)", what,
             ink_out, ink_allowed);
    EV_CHECK(count_ink(so, l.labels[left_out]) >= 8, "%s: calm's name is light when allowed", what);
  }
  if (l.plane.w > 0) { /* the left-out emotion's name in the plane loses its colour */
    emovox_rect lr[EV_N_EMOTIONS];
    cairo_t *cr = cairo_create(sf);
    emovox_plane_labels(cr, &l, lr);
    cairo_destroy(cr);
    int open_px = count_chroma(so, lr[left_out]), out_px = count_chroma(sf, lr[left_out]);
    EV_CHECK(open_px >= 10 && out_px * 5 < open_px,
             "%s: the plane writes calm in its colour only when allowed (%d vs %d px)", what,
             out_px, open_px);
  }
  if (l.status.w > 0) /* "4 of 8 emotions" on the model line */
    EV_CHECK(count_diff(sf, so, l.status) > 30, "%s: the model line says the set", what);
  EV_CHECK(count_diff(sf, so, l.dominant) == 0, "%s: the headline does not change", what);
  cairo_surface_destroy(sf);
  cairo_surface_destroy(so);
}

/* A lively state for the README's picture: mixed probabilities and a history of speech turns
 * with pauses between them. */
static void write_showcase(void) {
  emovox_view_state s;
  make_state(&s, ST_SILENCE);
  const int turns[] = {0, 1, 2, 2, 7, 4, 4, 3, 5, 6};
  for (int t = 0; t < EMOVOX_HISTORY_LEN; t++) {
    int turn = t / 30, in_turn = t % 30;
    int e = turns[turn % 10];
    int speaking = in_turn >= 4;
    float conf = 0.45f + 0.4f * (float)sin(0.3 * t + turn) * 0.5f + 0.2f;
    float p[8];
    for (int i = 0; i < 8; i++)
      p[i] = i == e ? conf : (1.0f - conf) / 7.0f;
    set_probs(&s, p);
    emovox_view_update(&s, EMOVOX_DOMINANT, speaking ? (float)(1 + e) : 0.0f);
    emovox_view_update(&s, EMOVOX_CONFIDENCE, conf);
    emovox_view_update(&s, EMOVOX_AROUSAL, 0.55f * (float)sin(0.05 * t));
    emovox_view_update(&s, EMOVOX_VALENCE, -0.5f + 0.3f * (float)cos(0.07 * t));
    emovox_view_tick(&s);
  }
  const float now[8] = {0.05f, 0.02f, 0.04f, 0.09f, 0.58f, 0.13f, 0.06f, 0.03f};
  set_probs(&s, now);
  emovox_view_update(&s, EMOVOX_DOMINANT, 1 + 4);
  emovox_view_update(&s, EMOVOX_CONFIDENCE, 0.58f);
  emovox_view_update(&s, EMOVOX_VOICE, 0.92f);
  emovox_view_update(&s, EMOVOX_AROUSAL, 0.62f);
  emovox_view_update(&s, EMOVOX_VALENCE, -0.48f);
  s.hover = EMOVOX_CTRL_RESPONSE;
  cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 640, 420);
  cairo_t *cr = cairo_create(sf);
  emovox_draw(cr, 640, 420, 1.0, &s);
  cairo_destroy(cr);
  write_png(sf, "ui_showcase_640x420.png");
  cairo_surface_destroy(sf);
}

/* The adaptation label, right on the voice meter's caption line in the medium and full
 * layouts (none in the strip): a different word for cold, adapting and adapted, the voice's
 * caption on the left untouched, nothing without a running model. */
static void check_adapted(const size_case *sc) {
  emovox_layout l;
  emovox_layout_compute(&l, sc->w, sc->h, sc->scale);
  char what[64];
  snprintf(what, sizeof what, "%dx%d@%g adapted", sc->w, sc->h, sc->scale);
  if (l.mode == EMOVOX_LAYOUT_STRIP) {
    EV_CHECK(l.adapted.w == 0, "%s: no label in the strip", what);
    return;
  }
  EV_CHECK(l.adapted.w > 0 && l.adapted.y + l.adapted.h <= l.voice.y &&
               l.adapted.y >= l.confidence.y + l.confidence.h && l.adapted.x == l.voice.x,
           "%s: on the voice meter's caption line", what);
  const float shares[3] = {0.0f, 0.4f, 1.0f};
  cairo_surface_t *img[3], *none[2];
  for (int k = 0; k < 3; k++) {
    emovox_view_state st;
    make_state(&st, ST_ANGER);
    emovox_view_set_adapted(&st, shares[k]);
    img[k] = render(sc->w, sc->h, sc->scale, &st);
    if (k != 1) {
      emovox_view_update(&st, EMOVOX_STATUS, EMOVOX_STATUS_NO_MODEL);
      none[k / 2] = render(sc->w, sc->h, sc->scale, &st);
    }
  }
  const double half = floor(l.adapted.w / 2);
  emovox_rect right = {l.adapted.x + half, l.adapted.y, l.adapted.w - half, l.adapted.h};
  emovox_rect left = {l.adapted.x, l.adapted.y, floor(l.adapted.w * 0.4), l.adapted.h};
  const int ink0 = count_ink(img[0], right), ink1 = count_ink(img[1], right),
            ink2 = count_ink(img[2], right);
  printf("%s: label ink cold %d, adapting %d, adapted %d px\n", what, ink0, ink1, ink2);
  EV_CHECK(ink0 >= 10 && ink1 >= 10 && ink2 >= 10, "%s: the label is drawn (%d, %d, %d px)", what,
           ink0, ink1, ink2);
  EV_CHECK(count_diff(img[0], img[1], right) > 20 && count_diff(img[1], img[2], right) > 20,
           "%s: cold, adapting and adapted read differently", what);
  EV_CHECK(count_diff(img[0], img[1], left) == 0 && count_diff(img[0], img[2], left) == 0,
           "%s: the voice caption is untouched", what);
  emovox_rect whole = {0, 0, sc->w, sc->h};
  EV_CHECK(count_diff(none[0], none[1], whole) == 0, "%s: no label without a running model", what);
  for (int k = 0; k < 3; k++)
    cairo_surface_destroy(img[k]);
  cairo_surface_destroy(none[0]);
  cairo_surface_destroy(none[1]);
}

/* Where the button would be and whether it is drawn: the button is the only part the hover
 * mark EMOVOX_HOVER_FORGET changes, so an image that hovering leaves bit for bit alone has no
 * button, and one it changes has it, inside the rectangle the UI hit-tests. */
static int forget_drawn(const size_case *sc, const emovox_view_state *st, emovox_rect *where) {
  cairo_surface_t *probe = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create(probe);
  emovox_layout l;
  emovox_layout_compute(&l, sc->w, sc->h, sc->scale);
  const int placed = emovox_forget_button(cr, &l, st, where);
  cairo_destroy(cr);
  cairo_surface_destroy(probe);
  emovox_view_state hot = *st;
  hot.hover = EMOVOX_HOVER_FORGET;
  cairo_surface_t *a = render(sc->w, sc->h, sc->scale, st),
                  *b = render(sc->w, sc->h, sc->scale, &hot);
  const emovox_rect whole = {0, 0, sc->w, sc->h};
  const int all = count_diff(a, b, whole), inside = placed ? count_diff(a, b, *where) : 0;
  EV_CHECK(all == inside, "%dx%d@%g: hovering the button changes it only (%d of %d px inside)",
           sc->w, sc->h, sc->scale, inside, all);
  EV_CHECK(placed == (all > 0), "%dx%d@%g: the button is %s where emovox_forget_button says %d",
           sc->w, sc->h, sc->scale, all > 0 ? "drawn" : "not drawn", placed);
  cairo_surface_destroy(a);
  cairo_surface_destroy(b);
  return placed && all > 0;
}

/* The forget button: only with a voice learned, in Learn voice and Use learned voice, with a
 * running model, never in the strip; right-aligned on the voice caption line with the caption
 * left of it, not over it. */
static void check_forget(const size_case *sc) {
  emovox_layout l;
  emovox_layout_compute(&l, sc->w, sc->h, sc->scale);
  char what[64];
  snprintf(what, sizeof what, "%dx%d@%g forget", sc->w, sc->h, sc->scale);
  emovox_view_state st;
  make_state(&st, ST_ANGER);
  emovox_view_set_adapted(&st, 0.97f);
  emovox_rect b;
  for (int mode = EMOVOX_ADAPT_OFF; mode <= EMOVOX_ADAPT_USE; mode++)
    for (int learned = 0; learned < 2; learned++) {
      emovox_view_update(&st, EMOVOX_ADAPT, (float)mode);
      st.voice_learned = learned;
      const int drawn = forget_drawn(sc, &st, &b);
      const int offered = learned && mode >= EMOVOX_ADAPT_LEARN;
      if (l.mode == EMOVOX_LAYOUT_STRIP || !offered)
        EV_CHECK(!drawn, "%s: adapt %d, learned %d: no button", what, mode, learned);
      else if (mode == EMOVOX_ADAPT_USE) /* every layout but the strip has room beside it */
        EV_CHECK(drawn, "%s: use, learned: the button is drawn", what);
      if (!drawn)
        continue;
      EV_CHECK(b.x >= l.adapted.x && b.y >= l.adapted.y && b.y + b.h <= l.adapted.y + l.adapted.h &&
                   b.h >= l.adapted.h - 2 && l.adapted.x + l.adapted.w - (b.x + b.w) < 1,
               "%s: adapt %d: right-aligned on the caption line", what, mode);
      /* the caption ends before the button (a background gap between them) and is drawn */
      cairo_surface_t *img = render(sc->w, sc->h, sc->scale, &st);
      const double gap = 6 * sc->scale;
      const emovox_rect between = {b.x - gap + 1, b.y, gap - 2, b.h};
      const emovox_rect caption = {b.x - 0.5 * l.adapted.w, b.y, 0.5 * l.adapted.w - gap, b.h};
      EV_CHECK(count_ink(img, between) == 0, "%s: adapt %d: nothing between caption and button",
               what, mode);
      EV_CHECK(count_ink(img, caption) >= 10, "%s: adapt %d: the caption is still written", what,
               mode);
      EV_CHECK(count_ink(img, b) >= 10, "%s: adapt %d: the word is written", what, mode);
      char png[64];
      snprintf(png, sizeof png, "ui_forget_%d_%dx%d@%g.png", mode, sc->w, sc->h, sc->scale);
      write_png(img, png);
      printf("%s: adapt %d: button at %.0f,%.0f %.0fx%.0f\n", what, mode, b.x, b.y, b.w, b.h);
      cairo_surface_destroy(img);
    }
  /* No running model: no caption, no button. */
  st.voice_learned = 1;
  emovox_view_update(&st, EMOVOX_ADAPT, (float)EMOVOX_ADAPT_USE);
  emovox_view_update(&st, EMOVOX_STATUS, EMOVOX_STATUS_NO_MODEL);
  EV_CHECK(!forget_drawn(sc, &st, &b), "%s: no button without a model", what);
  /* hit-testing: its centre hits, the caption and the voice meter below do not */
  emovox_view_update(&st, EMOVOX_STATUS, EMOVOX_STATUS_OK);
  if (forget_drawn(sc, &st, &b)) {
    EV_CHECK(emovox_forget_hit(&l, b, b.x + b.w / 2, b.y + b.h / 2), "%s: centre hits", what);
    EV_CHECK(!emovox_forget_hit(&l, b, b.x - 10 * sc->scale, b.y + b.h / 2),
             "%s: the caption left of it does not", what);
    EV_CHECK(!emovox_forget_hit(&l, b, b.x + b.w / 2, l.voice.y + l.voice.h),
             "%s: the voice meter does not", what);
  }
  const emovox_rect none = {0, 0, 0, 0};
  EV_CHECK(!emovox_forget_hit(&l, none, 0, 0), "%s: no button, no hit", what);
}

int main(void) {
  write_showcase();
  for (int z = 0; z < N_SIZES; z++) {
    const size_case *sc = &sizes[z];
    emovox_layout l;
    emovox_layout_compute(&l, sc->w, sc->h, sc->scale);
    char what[128];
    snprintf(what, sizeof what, "%dx%d@%g", sc->w, sc->h, sc->scale);
    check_layout(&l, sc, what);

    cairo_surface_t *img[N_STATES];
    emovox_view_state st[N_STATES];
    for (int k = 0; k < N_STATES; k++) {
      make_state(&st[k], k);
      cairo_surface_t *framed = render_framed(sc, &st[k]);
      snprintf(what, sizeof what, "%dx%d@%g %s", sc->w, sc->h, sc->scale, state_names[k]);
      check_margin(framed, sc, what);
      img[k] = inner(framed, sc);
      cairo_surface_destroy(framed);
      char name[128];
      snprintf(name, sizeof name, "ui_%dx%d_s%g_%s.png", sc->w, sc->h, sc->scale, state_names[k]);
      write_png(img[k], name);
      if (k == ST_ANGER || k == ST_RAMP || k == ST_SILENCE)
        check_bars(img[k], &l, &st[k], what);
      if (k == ST_ANGER || k == ST_RAMP)
        check_meters(img[k], &l, &st[k], what);
    }

    snprintf(what, sizeof what, "%dx%d@%g", sc->w, sc->h, sc->scale);
    /* The dominant label is written in the emotion's colour (angry: vermillion). */
    int area = (int)(l.dominant.w * l.dominant.h);
    int anger_px = count_colour(img[ST_ANGER], l.dominant, emovox_palette[4], 40);
    EV_CHECK(anger_px >= 20 && anger_px >= area / 200, "%s: %d vermillion text pixels of %d", what,
             anger_px, area);
    EV_CHECK(count_colour(img[ST_SILENCE], l.dominant, emovox_palette[4], 40) == 0,
             "%s: no vermillion in the label in silence", what);
    EV_CHECK(count_colour(img[ST_RAMP], l.dominant, emovox_palette[7], 40) >= 20,
             "%s: the ramp's dominant (surprised) is written in orange", what);

    /* The headline and the voice meter agree: between syllables the plugin's dominant output
     * drops to "no speech" while its smoothed voice activity still shows 60 %; the headline
     * keeps the emotion (vermillion) until the meter falls below its speech mark (50 %), then
     * says "no speech" (grey, no vermillion). */
    {
      emovox_view_state h;
      make_state(&h, ST_ANGER);
      emovox_view_update(&h, EMOVOX_VOICE, 0.95f);
      emovox_view_update(&h, EMOVOX_DOMINANT, 0.0f);
      emovox_view_update(&h, EMOVOX_VOICE, 0.6f);
      cairo_surface_t *between = render(sc->w, sc->h, sc->scale, &h);
      int kept = count_colour(between, l.dominant, emovox_palette[4], 40);
      emovox_view_update(&h, EMOVOX_VOICE, 0.3f);
      cairo_surface_t *after = render(sc->w, sc->h, sc->scale, &h);
      int gone = count_colour(after, l.dominant, emovox_palette[4], 40);
      printf("%s: headline between syllables (voice 60 %%): %d vermillion px; voice 30 %%: %d\n",
             what, kept, gone);
      EV_CHECK(kept >= 20, "%s: voice at 60 %% keeps the emotion in the headline (%d px)", what,
               kept);
      EV_CHECK(gone == 0, "%s: voice at 30 %%: the headline says no speech (%d px)", what, gone);
      cairo_surface_destroy(between);
      cairo_surface_destroy(after);
    }

    /* The plane's names: none overlaps another, all inside the plane, and none is hidden by
     * the dot: with the dot on the name "fearful" (where an angry voice puts it) the name keeps
     * at least 80 % of the ink it has with the dot far away. */
    if (l.plane.w > 0) {
      emovox_rect lr[EV_N_EMOTIONS];
      cairo_surface_t *m = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 4, 4);
      cairo_t *mc = cairo_create(m);
      emovox_plane_labels(mc, &l, lr);
      cairo_destroy(mc);
      cairo_surface_destroy(m);
      for (int i = 0; i < EV_N_EMOTIONS; i++) {
        EV_CHECK(lr[i].x >= l.plane.x && lr[i].y >= l.plane.y &&
                     lr[i].x + lr[i].w <= l.plane.x + l.plane.w &&
                     lr[i].y + lr[i].h <= l.plane.y + l.plane.h,
                 "%s: the name of %d is inside the plane", what, i);
        for (int j = 0; j < i; j++)
          EV_CHECK(lr[i].x >= lr[j].x + lr[j].w || lr[j].x >= lr[i].x + lr[i].w ||
                       lr[i].y >= lr[j].y + lr[j].h || lr[j].y >= lr[i].y + lr[i].h,
                   "%s: the names of %d and %d do not overlap", what, i, j);
      }
      emovox_view_state a;
      make_state(&a, ST_ANGER);
      /* the dot right on the start of the name (plane geometry of emovox_draw.c) */
      double pcx = l.plane.x + l.plane.w / 2, pcy = l.plane.y + l.plane.h / 2,
             prad = l.plane.w / 2 - 10 * sc->scale;
      emovox_view_update(&a, EMOVOX_VALENCE, (float)((lr[5].x + lr[5].h - pcx) / prad));
      emovox_view_update(&a, EMOVOX_AROUSAL, (float)((pcy - (lr[5].y + lr[5].h / 2)) / prad));
      cairo_surface_t *on = render(sc->w, sc->h, sc->scale, &a);
      emovox_view_update(&a, EMOVOX_VALENCE, 0.9f);
      emovox_view_update(&a, EMOVOX_AROUSAL, -0.9f);
      cairo_surface_t *off = render(sc->w, sc->h, sc->scale, &a);
      int ink_on = count_nearest(on, lr[5], 5), ink_off = count_nearest(off, lr[5], 5);
      printf("%s: \"fearful\" ink with the dot on the name %d, away %d\n", what, ink_on, ink_off);
      EV_CHECK(ink_off >= 10 && ink_on >= ink_off * 8 / 10,
               "%s: the dot does not hide \"fearful\" (%d vs %d px)", what, ink_on, ink_off);
      cairo_surface_destroy(on);
      cairo_surface_destroy(off);
    }

    /* States that must look different. */
    emovox_rect whole = {0, 0, sc->w, sc->h};
    EV_CHECK(count_diff(img[ST_NO_MODEL], img[ST_LOAD_ERROR], l.dominant) > 20,
             "%s: no model and load error show different words", what);
    EV_CHECK(count_diff(img[ST_SILENCE], img[ST_ANGER], whole) > 200,
             "%s: silence and anger differ", what);
    if (l.status.w > 0) /* the error text is there */
      EV_CHECK(count_diff(img[ST_NO_MODEL], img[ST_LOAD_ERROR], l.status) > 50,
               "%s: the status line shows the error", what);
    if (l.history.w > 0) {
      check_history(img[ST_HISTORY], &l, what);
      int coloured = 0;
      for (int e = 0; e < EV_N_EMOTIONS; e++)
        coloured += count_colour(img[ST_SILENCE], l.history, emovox_palette[e], 20);
      EV_CHECK(coloured == 0, "%s: silence leaves the history empty (%d px)", what, coloured);
    }
    if (l.plane.w > 0) { /* the anger dot sits up-left, in vermillion (beyond the markers) */
      emovox_rect ul = {l.plane.x, l.plane.y, l.plane.w / 2, l.plane.h / 2};
      int dot = count_colour(img[ST_ANGER], ul, emovox_palette[4], 40);
      int markers = count_colour(img[ST_SILENCE], ul, emovox_palette[4], 40);
      EV_CHECK(dot > markers + 40, "%s: arousal/valence dot in the upper-left quadrant (%d vs %d)",
               what, dot, markers);
      /* The dot's white outline is the only white in the plane (no stray path segments). */
      double rad = l.plane.w / 2 - 10 * sc->scale;
      double dx0 = l.plane.x + l.plane.w / 2 + st[ST_ANGER].valence * rad;
      double dy0 = l.plane.y + l.plane.h / 2 - st[ST_ANGER].arousal * rad;
      int stray = 0;
      for (int y = (int)l.plane.y; y < (int)(l.plane.y + l.plane.h); y++)
        for (int x = (int)l.plane.x; x < (int)(l.plane.x + l.plane.w); x++) {
          rgb c = pixel_at(img[ST_ANGER], x, y);
          double d = hypot(x + 0.5 - dx0, y + 0.5 - dy0);
          if (c.r >= 235 && c.g >= 235 && c.b >= 235 && d > 10 * sc->scale)
            stray++;
        }
      EV_CHECK(stray == 0, "%s: %d white pixels away from the dot", what, stray);
    }

    /* Sliders: hit-testing, positions, and hover/drag visibly change them. */
    for (int c = 0; c < EMOVOX_N_CTRLS; c++) {
      emovox_rect r = l.sliders[c];
      if (r.w <= 0)
        continue;
      EV_CHECK(emovox_layout_hit_control(&l, r.x + r.w / 2, r.y + r.h / 2) == c,
               "%s: slider %d is hit at its centre", what, c);
      EV_CHECK_NEAR(emovox_layout_control_pos(&l, c, r.x + r.w / 4), 0.25, 1e-9, "slider pos");
      emovox_view_state hot = st[ST_ANGER];
      hot.hover = c;
      hot.drag = c;
      cairo_surface_t *framed = render_framed(sc, &hot);
      cairo_surface_t *h = inner(framed, sc);
      emovox_rect around = {r.x - 10, l.slider_labels[c].y, r.w + 20,
                            r.y + r.h + 10 - l.slider_labels[c].y};
      EV_CHECK(count_diff(img[ST_ANGER], h, around) > 10, "%s: dragging slider %d shows", what, c);
      cairo_surface_destroy(h);
      cairo_surface_destroy(framed);
    }
    EV_CHECK(emovox_layout_hit_control(&l, 1, 1) == -1, "%s: no slider at the corner", what);
    for (int k = 0; k < N_STATES; k++)
      cairo_surface_destroy(img[k]);
  }

  for (int z = 0; z < N_SIZES; z++) {
    check_history_names(&sizes[z]);
    check_peak_hold(&sizes[z]);
    check_model_line(&sizes[z]);
    check_emotions_set(&sizes[z]);
    check_adapted(&sizes[z]);
    check_forget(&sizes[z]);
  }
  check_strip_labels(200, 60);
  check_strip_labels(260, 120);

  /* HiDPI: 960x640 at scale 2 has the layout of 480x320 at scale 1, doubled. */
  emovox_layout a, b;
  emovox_layout_compute(&a, 480, 320, 1.0);
  emovox_layout_compute(&b, 960, 640, 2.0);
  EV_CHECK(a.mode == b.mode, "same layout mode at scale 2 (%d vs %d)", a.mode, b.mode);
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    EV_CHECK(fabs(b.bars[i].w - 2 * a.bars[i].w) <= 2 && fabs(b.bars[i].y - 2 * a.bars[i].y) <= 2,
             "bar %d scales with the HiDPI factor", i);
  EV_CHECK_NEAR(b.font, 2 * a.font, 1e-9, "font size at scale 2");
  cairo_debug_reset_static_data();
  FcFini();
  EV_TEST_END();
}
