/* emovox-analyze's peak memory does not grow with the file's length (issue 16): the time
 * series is written and summed row by row, not kept. A 20 s and a 600 s file (16 kHz, voiced
 * bursts and pauses made here) are analysed with -o and --summary; the peak resident set of the
 * long run may exceed the short one's by at most 2 MiB, where keeping the 60000 rows of the long
 * file took 6.5 MiB more (measured before the change; 0.03 MiB after). The summary row of the long
 * file is still the mean of its written series over the speech rows, computed here. Usage:
 * test_analyze_memory EMOVOX_ANALYZE BUNDLE */
#include "ev_test.h"
#include "common/phrase_ref.h"
#include "ta_util.h"

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

static long analyse(const char *tmp, const char *name, int seconds) {
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
                  NULL};
  long rss = 0;
  int rc = ta_run_rss(argv, NULL, log, &rss);
  EV_CHECK(rc == 0, "%s: exit %d (see %s)", name, rc, log);
  printf("%s: %d s of audio, peak RSS %.1f MiB\n", name, seconds, rss / 1024.0);
  return rss;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s EMOVOX_ANALYZE BUNDLE\n", argv[0]);
    return 2;
  }
  const char *san = getenv("EMOVOX_SANITIZED");
  if (san && !strcmp(san, "1"))
    EV_SKIP("a sanitizer's allocator holds freed memory: peak RSS is not the tool's own");
  exe_path = argv[1];
  bundle_path = argv[2];
  char *tmp = ta_mkdtemp();
  if (!tmp)
    EV_SKIP("no temporary directory");
  const int long_s = 600;
  long short_rss = analyse(tmp, "short", 20), long_rss = analyse(tmp, "long", long_s);
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
  if (!ev_test_failures)
    ta_rm_rf(tmp);
  else
    fprintf(stderr, "outputs kept in %s\n", tmp);
  free(tmp);
  EV_TEST_END();
}
