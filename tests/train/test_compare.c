/* emovox-train compare as a user runs it, on two made-up reports whose figures are known: the
 * table on stdout carries each corpus's UAR, the mean over the corpora (computed here) and the
 * pooled figure; in the picture each report's bars cover an area in proportion to the sum of
 * its figures (counted in its colour's pixels); a missing file, a figure the file does not
 * have and a malformed argument are refused with a message and exit 1 / 1 / 2.
 * argv[1]: the emovox-train executable. */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ev_test.h"

static int run(const char *cmd) {
  printf("$ %s\n", cmd);
  fflush(stdout);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f)
    return NULL;
  static char buf[8192];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* Pixels of this colour (the plots' palette) within 2 of 255 per channel: Cairo's rounding
 * to 8 bits is its own. */
static long count_colour(cairo_surface_t *s, double r, double g, double b) {
  const int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char *d = cairo_image_surface_get_data(s);
  const double want[3] = {r * 255, g * 255, b * 255};
  long n = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      unsigned px;
      memcpy(&px, d + (size_t)y * (size_t)stride + 4 * (size_t)x, 4);
      const double got[3] = {(double)(px >> 16 & 255), (double)(px >> 8 & 255), (double)(px & 255)};
      n +=
          fabs(got[0] - want[0]) <= 2 && fabs(got[1] - want[1]) <= 2 && fabs(got[2] - want[2]) <= 2;
    }
  return n;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_compare EMOVOX_TRAIN\n");
    return 2;
  }
  char dir[] = "/tmp/emovox-compare-XXXXXX";
  EV_CHECK(mkdtemp(dir) != NULL, "temporary folder");
  char a[256], b[256], png[300], out[300], err[300], cmd[2048];
  snprintf(a, sizeof a, "%s/a.csv", dir);
  snprintf(b, sizeof b, "%s/b.csv", dir);
  snprintf(png, sizeof png, "%s/cmp.png", dir);
  snprintf(out, sizeof out, "%s/out.txt", dir);
  snprintf(err, sizeof err, "%s/err.txt", dir);
  /* a: cold 60/40/80 %, pooled 55 %; session rows too. b (the SVM baseline's columns): 30/20/40. */
  FILE *f = fopen(a, "w");
  fprintf(f, "mode,corpus,files,no_speech,accuracy,uar,macro_f1,ece_10_bins\n"
             "cold-16,all,30,0,0.5,0.55,0.5,0.03\n"
             "cold-16,X,10,0,0.6,0.60,0.6,0.03\n"
             "cold-16,Y,10,0,0.4,0.40,0.4,0.03\n"
             "cold-16,Z,10,0,0.8,0.80,0.8,0.03\n"
             "session,all,30,0,0.5,0.25,0.5,0.03\n"
             "session,X,10,0,0.6,0.10,0.6,0.03\n"
             "session,Y,10,0,0.4,0.20,0.4,0.03\n"
             "session,Z,10,0,0.8,0.30,0.8,0.03\n");
  fclose(f);
  f = fopen(b, "w");
  fprintf(f, "mode,corpus,files,no_speech,accuracy,uar,macro_f1,ece_10_bins\n"
             "cold-16,all,30,0,0.3,0.275,0.3,0.03\n"
             "cold-16,X,10,0,0.3,0.30,0.3,0.03\n"
             "cold-16,Y,10,0,0.2,0.20,0.2,0.03\n"
             "cold-16,Z,10,0,0.4,0.40,0.4,0.03\n");
  fclose(f);

  snprintf(cmd, sizeof cmd, "'%s' compare -o '%s' 'model=%s' 'svm=%s' >'%s' 2>'%s'", argv[1], png,
           a, b, out, err);
  EV_CHECK(run(cmd) == 0, "compare exits 0: %s", slurp(err));
  const char *text = slurp(out);
  printf("%s", text ? text : "");
  /* the mean of 60, 40, 80 is 60.0; of 30, 20, 40 it is 30.0; then the pooled figure */
  EV_CHECK(text && strstr(text, "60.0      40.0      80.0      60.0      55.0"),
           "the model's row: corpora, mean, pooled");
  EV_CHECK(text && strstr(text, "30.0      20.0      40.0      30.0      27.5"),
           "the baseline's row");
  cairo_surface_t *s = cairo_image_surface_create_from_png(png);
  EV_CHECK(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, "the picture is a PNG");
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
    /* the first two colours of the palette (ev_plots.c); the legend's squares are equal */
    const long blue = count_colour(s, 0.12, 0.47, 0.71), orange = count_colour(s, 1.00, 0.50, 0.05);
    const double ratio = (double)(blue - 120) / (double)(orange - 120);
    printf("bar pixels: model %ld, baseline %ld, ratio %.3f (figures: 295 / 147.5 = 2)\n", blue,
           orange, ratio);
    EV_CHECK(fabs(ratio - 2.0) < 0.05, "bar areas follow the figures (ratio %.3f)", ratio);
  }
  cairo_surface_destroy(s);

  snprintf(cmd, sizeof cmd, "'%s' compare -o '%s' 'a=%s@session' >'%s' 2>'%s'", argv[1], png, a,
           out, err);
  EV_CHECK(run(cmd) == 0, "@session");
  text = slurp(out);
  EV_CHECK(text && strstr(text, "10.0      20.0      30.0      20.0      25.0"),
           "@session reads the session rows");

  snprintf(cmd, sizeof cmd, "'%s' compare -o '%s' 'a=%s/missing.csv' >'%s' 2>'%s'", argv[1], png,
           dir, out, err);
  EV_CHECK(run(cmd) == 1, "a missing report: exit 1");
  text = slurp(err);
  EV_CHECK(text && strstr(text, "missing.csv"), "the message names the file: %s", text);
  snprintf(cmd, sizeof cmd, "'%s' compare -o '%s' 'svm=%s@session' >'%s' 2>'%s'", argv[1], png, b,
           out, err);
  EV_CHECK(run(cmd) == 1, "a figure the file does not have: exit 1");
  text = slurp(err);
  EV_CHECK(text && strstr(text, "no rows of the figure 'session'"), "says which: %s", text);
  snprintf(cmd, sizeof cmd, "'%s' compare -o '%s' '%s' >'%s' 2>'%s'", argv[1], png, a, out, err);
  EV_CHECK(run(cmd) == 2, "an argument without NAME=: exit 2");
  snprintf(cmd, sizeof cmd, "'%s' compare 'a=%s' >'%s' 2>'%s'", argv[1], a, out, err);
  EV_CHECK(run(cmd) == 2, "no -o: exit 2");
  snprintf(cmd, sizeof cmd, "'%s' compare --help >'%s' 2>'%s'", argv[1], out, err);
  EV_CHECK(run(cmd) == 0 && strstr(slurp(out), "NAME=FIGURES.csv"), "--help");

  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  run(cmd);
  EV_TEST_END();
}
