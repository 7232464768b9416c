/* emovox-analyze's peak memory does not grow with the file's length (issue 16): the time
 * series is written and summed row by row, not kept. A 20 s and a 600 s file (16 kHz, voiced
 * bursts and pauses made here) are analysed with -o and --summary; the peak resident set of the
 * long run may exceed the short one's by at most 2 MiB, where keeping the 60000 rows of the long
 * file took 6.5 MiB more (measured before the change; 0.03 MiB after). The summary row of the long
 * file is still the mean of its written series over the speech rows, computed here.
 * Mode plot: the same with --plot, a 90 s and a 900 s file (both past the 82 s the plot keeps
 * point by point, ea_plot.h): at most 2 MiB more (1.0 MiB measured), where keeping every row
 * for the voice and emotion panels took 15.2 MiB more; the long file's voice panel still covers
 * what the short one's does (its points are means of the rows they stand for). Usage:
 * test_analyze_memory series|plot EMOVOX_ANALYZE BUNDLE */
#include "ev_test.h"
#include "common/phrase_ref.h"
#include "ta_util.h"

#include <cairo.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <string.h>

#define RATE 16000

static const char *exe_path, *bundle_path;

/* Two seconds of a 150 Hz harmonic voice, one of quiet: speech rows and non-speech rows. */
static void write_file(const char *path, int seconds) {
  SF_INFO info = {0};
  info.samplerate = RATE;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
  EV_CHECK(sf != NULL, "write %s: %s", path, sf_strerror(NULL));
  if (!sf)
    return;
  float x[RATE];
  uint32_t noise = 1;
  for (int s = 0; s < seconds; s++) {
    int voiced = s % 3 != 2;
    for (int i = 0; i < RATE; i++) {
      double t = (double)(s * RATE + i) / RATE, v = 0;
      if (voiced)
        for (int h = 1; h <= 10; h++)
          v += 0.08 / h * sin(2 * M_PI * (150.0 + 10 * sin(2 * M_PI * 0.5 * t)) * h * t);
      noise = noise * 1664525u + 1013904223u;
      v += 0.002 * ((double)(noise >> 8) / (1 << 24) - 0.5);
      x[i] = (float)v;
    }
    sf_writef_float(sf, x, RATE);
  }
  sf_close(sf);
}

static long analyse(const char *tmp, const char *name, int seconds, int plot) {
  char wav[4096], out[4096], sum[4096], log[4096];
  snprintf(wav, sizeof wav, "%s/%s.wav", tmp, name);
  snprintf(out, sizeof out, "%s/out", tmp);
  snprintf(sum, sizeof sum, "%s/%s_summary.csv", tmp, name);
  snprintf(log, sizeof log, "%s/%s.log", tmp, name);
  write_file(wav, seconds);
  char *argv[] = {(char *)exe_path,
                  "--bundle",
                  (char *)bundle_path,
                  "-q",
                  "-o",
                  out,
                  "--summary",
                  sum,
                  wav,
                  NULL,
                  NULL};
  if (plot) { /* --plot before the file */
    argv[9] = argv[8];
    argv[8] = "--plot";
  }
  long rss = 0;
  int rc = ta_run_rss(argv, NULL, log, &rss);
  EV_CHECK(rc == 0, "%s: exit %d (see %s)", name, rc, log);
  printf("%s: %d s of audio%s, peak RSS %.1f MiB\n", name, seconds, plot ? " with --plot" : "",
         rss / 1024.0);
  return rss;
}

/* The share of the voice panel (ea_plot.c's layout, as in test_analyze.c) that is not white:
 * the mean voice activity it draws. */
static double voice_cover(const char *png) {
  enum { LEFT = 90, PANEL_W = 1310 };
  const double voice_y = 510.0, voice_h = 101.76;
  cairo_surface_t *s = cairo_image_surface_create_from_png(png);
  EV_CHECK(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, "cairo reads %s", png);
  double cover = -1;
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
    const unsigned char *d = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    double sum = 0;
    long n = 0;
    for (int y = (int)voice_y + 2; y < (int)(voice_y + voice_h) - 1; y++)
      for (int x = LEFT + 2; x < LEFT + PANEL_W - 2; x++, n++) {
        uint32_t v = *(const uint32_t *)(d + (size_t)y * (size_t)stride + 4 * (size_t)x);
        sum += 1.0 - (v >> 16 & 255) / 255.0; /* white: 0; the fill's red is 0.2 of 0.55 */
      }
    cover = sum / (double)n / (1.0 - (0.45 + 0.55 * 0.2)); /* 1: the panel filled */
  }
  cairo_surface_destroy(s);
  return cover;
}

static void test_plot(const char *tmp) {
  long short_rss = analyse(tmp, "short", 90, 1), long_rss = analyse(tmp, "long", 900, 1);
  printf("growth for 10x the audio with --plot: %.2f MiB\n", (long_rss - short_rss) / 1024.0);
  EV_CHECK(long_rss - short_rss <= 2048, "peak RSS grows by %ld KiB for a 900 s file with --plot",
           long_rss - short_rss);
  char png[4096];
  snprintf(png, sizeof png, "%s/out/short.png", tmp);
  double c_short = voice_cover(png);
  snprintf(png, sizeof png, "%s/out/long.png", tmp);
  double c_long = voice_cover(png);
  printf("voice panel covered: %.3f (90 s), %.3f (900 s)\n", c_short, c_long);
  EV_CHECK(c_short > 0.3 && fabs(c_long - c_short) < 0.05,
           "the long file's voice panel covers what the short one's does: %.3f vs %.3f", c_long,
           c_short);
}

static void test_series(const char *tmp) {
  const int long_s = 600;
  long short_rss = analyse(tmp, "short", 20, 0), long_rss = analyse(tmp, "long", long_s, 0);
  printf("growth for 30x the audio: %.2f MiB\n", (long_rss - short_rss) / 1024.0);
  EV_CHECK(long_rss - short_rss <= 2048, "peak RSS grows by %ld KiB for a 600 s file",
           long_rss - short_rss);

  /* the long file's summary is the mean of its written series over its speech rows */
  char series[4096], sum[4096];
  snprintf(series, sizeof series, "%s/out/long.csv", tmp);
  snprintf(sum, sizeof sum, "%s/long_summary.csv", tmp);
  ta_csv s = {0}, r = {0};
  EV_CHECK(ta_csv_read(&s, series) == 0, "read %s", series);
  EV_CHECK(ta_csv_read(&r, sum) == 0 && r.n_rows == 1, "one summary row in %s", sum);
  EV_CHECK(s.n_rows == (size_t)long_s * 100, "%zu rows for %d s at 10 ms", s.n_rows, long_s);
  static const char *const labels[] = {"neutral", "calm",    "happy",   "sad",
                                       "angry",   "fearful", "disgust", "surprised"};
  int dom = ta_csv_col(&s, "dominant");
  EV_CHECK(dom >= 0, "dominant column");
  if (dom >= 0 && r.n_rows == 1 && s.n_rows) {
    double mean[8] = {0};
    phrase_rows pr = {0};
    for (size_t i = 0; i < s.n_rows; i++) {
      double p[8];
      for (int e = 0; e < 8; e++)
        p[e] = ta_csv_num(&s, i, ta_csv_col(&s, labels[e]));
      phrase_rows_add(&pr, ta_csv_num(&s, i, dom) != 0, p, 8);
    }
    size_t speech = phrase_rows_summary(&pr, mean);
    phrase_rows_free(&pr);
    EV_CHECK(speech > 0, "speech rows in the long file");
    EV_CHECK_NEAR(ta_csv_num(&r, 0, ta_csv_col(&r, "speech_ratio")),
                  (double)speech / (double)s.n_rows, 1e-4, "speech_ratio");
    for (int e = 0; e < 8 && speech; e++)
      EV_CHECK_NEAR(ta_csv_num(&r, 0, ta_csv_col(&r, labels[e])), mean[e], 2e-6, labels[e]);
  }
  ta_csv_free(&s);
  ta_csv_free(&r);
}

int main(int argc, char **argv) {
  if (argc != 4 || (strcmp(argv[1], "series") && strcmp(argv[1], "plot"))) {
    fprintf(stderr, "usage: %s series|plot EMOVOX_ANALYZE BUNDLE\n", argv[0]);
    return 2;
  }
  const char *san = getenv("EMOVOX_SANITIZED");
  if (san && !strcmp(san, "1"))
    EV_SKIP("a sanitizer's allocator holds freed memory: peak RSS is not the tool's own");
  exe_path = argv[2];
  bundle_path = argv[3];
  char *tmp = ta_mkdtemp();
  if (!tmp)
    EV_SKIP("no temporary directory");
  if (!strcmp(argv[1], "plot"))
    test_plot(tmp);
  else
    test_series(tmp);
  if (!ev_test_failures)
    ta_rm_rf(tmp);
  else
    fprintf(stderr, "outputs kept in %s\n", tmp);
  free(tmp);
  EV_TEST_END();
}
