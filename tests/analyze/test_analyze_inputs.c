/* Tests of emovox-analyze on what users feed it (issue 14). Usage:
 * test_analyze_inputs MODE EMOVOX_ANALYZE BUNDLE, MODE one of
 *   longplot  --plot of a 400 s file (wider than a cairo image at 100 columns per second) is
 *             drawn, the spectrogram's columns follow the audio to the end; a silent file's
 *             spectrogram is dark (dB scale); a plot that cannot be written is reported and
 *             the analysis is kept */
#include "ev_test.h"
#include "ta_util.h"

#include <cairo.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *exe, *bundle;

static void write_wav(const char *path, int rate, int channels, const float *x, int64_t frames) {
  SF_INFO info = {0};
  info.samplerate = rate;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
  EV_CHECK(sf != NULL, "write %s: %s", path, sf_strerror(NULL));
  if (!sf)
    return;
  sf_writef_float(sf, x, frames);
  sf_close(sf);
}

static int run(const char *err_path, char *const *args) {
  char *argv[32];
  int n = 0;
  argv[n++] = (char *)exe;
  argv[n++] = "--bundle";
  argv[n++] = (char *)bundle;
  for (int i = 0; args[i] && n < 31; i++)
    argv[n++] = args[i];
  argv[n] = NULL;
  return ta_run(argv, NULL, err_path);
}

/* ---- plots --------------------------------------------------------------------------------- */

/* The spectrogram panel of the 1600x1000 plot (ea_plot.c's layout, as in test_analyze.c). */
enum { PLOT_LEFT = 90, PLOT_PANEL_W = 1310 };
static const double spec_y = 220.16, spec_h = 279.84;

/* Mean luminance of the spectrogram panel's column x (inside its frame). */
static double spec_luminance(cairo_surface_t *s, int x) {
  const unsigned char *d = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  double sum = 0;
  int n = 0;
  for (int y = (int)spec_y + 3; y < (int)(spec_y + spec_h) - 3; y++, n++) {
    uint32_t v = *(const uint32_t *)(d + (size_t)y * (size_t)stride + 4 * (size_t)x);
    sum += 0.2126 * (v >> 16 & 255) + 0.7152 * (v >> 8 & 255) + 0.0722 * (v & 255);
  }
  return sum / n;
}

static void test_longplot(const char *tmp) {
  /* 400 s at 8 kHz: digital silence, then a loud harmonic tone from 380 s to the end. Before,
   * the spectrogram was an image of one column per 10 ms (40000 px), which cairo cannot make:
   * the tool crashed (exit 139). */
  const int rate = 8000;
  const int64_t n = (int64_t)400 * rate, tone_at = (int64_t)380 * rate;
  float *x = calloc((size_t)n, sizeof *x);
  for (int64_t i = tone_at; i < n; i++)
    for (int h = 1; h <= 8; h++)
      x[i] += 0.05f * (float)sin(2 * M_PI * 180.0 * h * (double)i / rate);
  char wav[4096], sil[4096], outdir[2048], log[4096], png[4096], silpng[4096], csv[4096];
  snprintf(wav, sizeof wav, "%s/long.wav", tmp);
  snprintf(sil, sizeof sil, "%s/silent.wav", tmp);
  snprintf(outdir, sizeof outdir, "%s/out", tmp);
  snprintf(log, sizeof log, "%s/long.log", tmp);
  write_wav(wav, rate, 1, x, n);
  write_wav(sil, rate, 1, x, (int64_t)3 * rate); /* the first 3 s: silence */
  free(x);
  char *args[] = {"-q", "-o", outdir, "--plot", wav, sil, NULL};
  int rc = run(log, args);
  EV_CHECK(rc == 0, "--plot of a 400 s file and a silent one: exit %d (139: the crash)", rc);

  snprintf(png, sizeof png, "%s/long.png", outdir);
  cairo_surface_t *s = cairo_image_surface_create_from_png(png);
  EV_CHECK(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, "cairo reads %s", png);
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
    EV_CHECK(cairo_image_surface_get_width(s) == 1600 && cairo_image_surface_get_height(s) == 1000,
             "1600x1000");
    /* the tone's last 20 s are bright, the silence before it dark, across the whole width */
    int x_silence = PLOT_LEFT + (int)(200.0 / 400 * PLOT_PANEL_W);
    int x_tone = PLOT_LEFT + (int)(390.0 / 400 * PLOT_PANEL_W);
    double l_sil = spec_luminance(s, x_silence), l_tone = spec_luminance(s, x_tone);
    printf("long file: spectrogram luminance %.1f at 200 s (silence), %.1f at 390 s (tone)\n",
           l_sil, l_tone);
    EV_CHECK(l_sil < 15, "silence dark: %.1f", l_sil);
    EV_CHECK(l_tone > l_sil + 20, "the tone at 390 s shows: %.1f vs %.1f", l_tone, l_sil);
  }
  cairo_surface_destroy(s);

  /* A file of digital silence alone: before, its spectrogram was scaled to its own maximum
   * and drawn in the brightest colour. */
  snprintf(silpng, sizeof silpng, "%s/silent.png", outdir);
  s = cairo_image_surface_create_from_png(silpng);
  EV_CHECK(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, "cairo reads %s", silpng);
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
    double l = spec_luminance(s, PLOT_LEFT + PLOT_PANEL_W / 2);
    printf("silent file: spectrogram luminance %.1f\n", l);
    EV_CHECK(l < 15, "a silent file's spectrogram is dark: %.1f", l);
  }
  cairo_surface_destroy(s);

  /* A plot that cannot be written (a directory stands where the PNG goes): reported, the
   * time series and summary row kept, exit status 1. */
  char outdir2[2048], summary[4096], blocker[4096];
  snprintf(outdir2, sizeof outdir2, "%s/out2", tmp);
  snprintf(summary, sizeof summary, "%s/s2.csv", tmp);
  snprintf(blocker, sizeof blocker, "%s/silent.png", outdir2);
  mkdir(outdir2, 0777);
  mkdir(blocker, 0777);
  char *args2[] = {"-q", "-o", outdir2, "--summary", summary, "--plot", sil, NULL};
  rc = run(log, args2);
  char *text = ta_read_file(log, NULL);
  EV_CHECK(rc == 1, "unwritable plot: exit %d", rc);
  EV_CHECK(text && strstr(text, "silent.wav: plot not drawn"), "reported: %s", text ? text : "");
  snprintf(csv, sizeof csv, "%s/silent.csv", outdir2);
  EV_CHECK(access(csv, F_OK) == 0, "the time series is written all the same");
  ta_csv sum;
  EV_CHECK(ta_csv_read(&sum, summary) == 0 && sum.n_rows == 1, "the summary has the file's row");
  if (sum.n_rows)
    ta_csv_free(&sum);
  free(text);
  cairo_debug_reset_static_data();
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s longplot EMOVOX_ANALYZE BUNDLE\n", argv[0]);
    return 2;
  }
  exe = argv[2];
  bundle = argv[3];
  char *tmp = ta_mkdtemp();
  if (!tmp)
    EV_SKIP("no temporary directory");
  if (!strcmp(argv[1], "longplot"))
    test_longplot(tmp);
  else {
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
  }
  if (!ev_test_failures)
    ta_rm_rf(tmp);
  else
    fprintf(stderr, "outputs kept in %s\n", tmp);
  free(tmp);
  EV_TEST_END();
}
