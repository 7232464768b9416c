/* Figures for the UI's drawing cost: milliseconds per emovox_draw() frame at several sizes
 * (image surfaces, so without the X server's share) and microseconds per inline-display
 * render(). Prints figures only; EMOVOX_BENCH_QUICK=1 makes it take well under a second. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "emovox_draw.h"
#include "emovox_inline.h"
#include "ui_test_util.h"
#include "../common/bench_clock.h"

int main(int argc, char **argv) {
  if (argc > 1 && argv[1]) {
    printf("usage: bench_draw\nPrints the time per UI frame and per inline-display render.\n");
    return 0;
  }
  int quick = getenv("EMOVOX_BENCH_QUICK") != NULL;
  emovox_view_state s;
  make_state(&s, ST_HISTORY);
  const struct {
    int w, h;
    double scale;
  } sizes[] = {{200, 60, 1}, {640, 420, 1}, {1200, 800, 1}, {1280, 840, 2}};
  printf("%-16s %10s %10s\n", "meter size", "ms/frame", "max fps");
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, sizes[k].w, sizes[k].h);
    int frames = quick ? 10 : 100;
    double t0 = bench_wall_s();
    for (int i = 0; i < frames; i++) {
      cairo_t *cr = cairo_create(sf);
      emovox_draw(cr, sizes[k].w, sizes[k].h, sizes[k].scale, &s);
      cairo_destroy(cr);
      emovox_view_tick(&s);
    }
    double ms = (bench_wall_s() - t0) * 1000.0 / frames;
    char name[32];
    snprintf(name, sizeof name, "%dx%d@%g", sizes[k].w, sizes[k].h, sizes[k].scale);
    printf("%-16s %10.2f %10.0f\n", name, ms, 1000.0 / ms);
    cairo_surface_destroy(sf);
  }
  emovox_inline *d = emovox_inline_new();
  emovox_inline_data data = {{0.05f, 0.02f, 0.04f, 0.09f, 0.58f, 0.13f, 0.06f, 0.03f},
                             4,
                             0.58f,
                             0.9f,
                             0,
                             EV_EMOTION_MASK_ALL,
                             0.6f};
  const unsigned asks[][2] = {{80, 40}, {200, 100}, {512, 256}};
  printf("%-16s %10s\n", "inline size", "us/render");
  for (size_t k = 0; d && k < sizeof asks / sizeof asks[0]; k++) {
    int n = quick ? 200 : 2000;
    double t0 = bench_wall_s();
    for (int i = 0; i < n; i++)
      emovox_inline_render(d, &data, asks[k][0], asks[k][1]);
    char name[32];
    snprintf(name, sizeof name, "%ux%u", asks[k][0], asks[k][1]);
    printf("%-16s %10.1f\n", name, (bench_wall_s() - t0) * 1e6 / n);
  }
  emovox_inline_free(d);
  return 0;
}
