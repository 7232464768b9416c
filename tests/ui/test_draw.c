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
  for (int i = 0; i < EMOVOX_VIEW_N; i++) {
    const emovox_rect *b = &l->bars[i];
    EV_CHECK(b->w >= 20 && b->h >= 2, "%s: bar %d has a usable size (%gx%g)", what, i, b->w, b->h);
    double expect = b->w * s->prob[i];
    int run = bar_run(sf, b, i);
    EV_CHECK(fabs(run - expect) <= 2.0, "%s: bar %d (%s) run %d px vs %.1f px expected", what, i,
             emovox_emotion_names[i], run, expect);
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
  for (int i = 1; i < EMOVOX_VIEW_N; i++)
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
    int y = (int)(r->y + r->h - 3);
    rgb p = pixel_at(sf, x, y);
    EV_CHECK(colour_dist(p, emovox_palette[e]) <= 30,
             "%s: history %d ticks ago at x=%d shows (%d,%d,%d), expected %s", what, age, x, p.r,
             p.g, p.b, emovox_emotion_names[e]);
  }
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
      for (int e = 0; e < EMOVOX_VIEW_N; e++)
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

  /* HiDPI: 960x640 at scale 2 has the layout of 480x320 at scale 1, doubled. */
  emovox_layout a, b;
  emovox_layout_compute(&a, 480, 320, 1.0);
  emovox_layout_compute(&b, 960, 640, 2.0);
  EV_CHECK(a.mode == b.mode, "same layout mode at scale 2 (%d vs %d)", a.mode, b.mode);
  for (int i = 0; i < EMOVOX_VIEW_N; i++)
    EV_CHECK(fabs(b.bars[i].w - 2 * a.bars[i].w) <= 2 && fabs(b.bars[i].y - 2 * a.bars[i].y) <= 2,
             "bar %d scales with the HiDPI factor", i);
  EV_CHECK_NEAR(b.font, 2 * a.font, 1e-9, "font size at scale 2");
  cairo_debug_reset_static_data();
  FcFini();
  EV_TEST_END();
}
