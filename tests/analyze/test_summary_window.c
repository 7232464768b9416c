/* emovox-analyze takes the summary's phrase readings at the running model's statistics window.
 * Usage: test_summary_window EMOVOX_ANALYZE BUNDLE.
 *
 * The reading a file's summary gives (ev_summary.h) rests on one reading per window of speech
 * within a long phrase; the window is the model's (its eGeMAPS statistics window). The test
 * makes a copy of the bundle's default model (2 s) whose statistics window says 4 s (2 s if
 * the bundle's says 4 s), analyses a file with each, replaces the written series by rows with
 * a known answer (one 5 s phrase whose emotion changes at 2 s and 4 s of speech) and lets
 * --skip-existing recompute each summary from those rows. Expected: the independent phrase
 * reading (phrase_ref.h) at 200 rows for a 2 s model and at 400 rows for a 4 s one, which differ
 * by far more than the written digits. */
#include "ev_test.h"
#include "common/phrase_ref.h"
#include "ta_util.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROWS       600 /* 6 s of 10 ms rows */
#define N_EMOTIONS 8

static const char *const labels[N_EMOTIONS] = {"neutral", "calm",    "happy",   "sad",
                                               "angry",   "fearful", "disgust", "surprised"};

static char *join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = malloc(n);
  snprintf(p, n, "%s/%s", a, b);
  return p;
}

/* The known rows: 0.5 s of silence, 5 s of speech (2 s of emotion 0, 2 s of 1, 1 s of 2, each
 * at 0.7 with the rest spread evenly), 0.5 s of silence. */
static int row_speech(int r) {
  return r >= 50 && r < 550;
}
static void row_prob(int r, double *p) {
  const int e = r < 250 ? 0 : r < 450 ? 1 : 2;
  for (int i = 0; i < N_EMOTIONS; i++)
    p[i] = row_speech(r) ? (i == e ? 0.7 : 0.3 / (N_EMOTIONS - 1)) : 0.0;
}

/* A copy of the model with another statistics window in its header: the number after
 * `func_window_s\":` (the bundle's model's window, `a`.0 seconds) becomes `b`.0, the same
 * length, so the header's size and the tensors' offsets stay. Returns 0 and sets *a, or -1 when
 * the header does not hold one such three-character number. */
static int write_window_copy(const char *src, const char *dst, int b, int *a) {
  size_t len = 0;
  char *buf = ta_read_file(src, &len);
  if (!buf)
    return -1;
  static const char key[] = "func_window_s\\\":";
  char *at = NULL;
  int found = 0;
  for (char *p = buf; p + sizeof key - 1 + 3 <= buf + len; p++)
    if (!memcmp(p, key, sizeof key - 1)) {
      at = p + sizeof key - 1;
      found++;
    }
  int ok = found == 1 && at[0] >= '1' && at[0] <= '9' && at[1] == '.' && at[2] == '0';
  if (ok) {
    *a = at[0] - '0';
    at[0] = (char)('0' + b);
  }
  FILE *f = ok ? fopen(dst, "wb") : NULL;
  ok = f && fwrite(buf, 1, len, f) == len;
  if (f)
    ok = (fclose(f) == 0) && ok;
  free(buf);
  return ok ? 0 : -1;
}

/* Rewrites the series at path: its header and every column as written, except the dominant
 * output and the eight probabilities, which take the known rows. */
static int fabricate_series(const char *path) {
  ta_csv c;
  if (ta_csv_read(&c, path) || c.n_rows < ROWS)
    return -1;
  int dom = ta_csv_col(&c, "dominant"), col[N_EMOTIONS];
  for (int e = 0; e < N_EMOTIONS; e++)
    col[e] = ta_csv_col(&c, labels[e]);
  FILE *f = fopen(path, "w");
  if (!f || dom < 0) {
    if (f)
      fclose(f);
    ta_csv_free(&c);
    return -1;
  }
  for (int k = 0; k < c.n_cols; k++)
    fprintf(f, "%s%s", k ? "," : "", c.names[k]);
  fputc('\n', f);
  for (size_t r = 0; r < c.n_rows; r++) {
    double p[N_EMOTIONS];
    row_prob((int)r, p);
    for (int k = 0; k < c.n_cols; k++) {
      fputs(k ? "," : "", f);
      int e = -1;
      for (int i = 0; i < N_EMOTIONS; i++)
        if (col[i] == k)
          e = i;
      if (k == dom)
        fprintf(f, "%d", row_speech((int)r) ? 5 : 0);
      else if (e >= 0)
        fprintf(f, "%.6f", p[e]);
      else
        fputs(c.cells[r][k], f);
    }
    fputc('\n', f);
  }
  ta_csv_free(&c);
  return fclose(f);
}

/* Analyses wav with the model, fabricates its series, recomputes the summary with
 * --skip-existing and compares it with the phrase reading at `window` rows (and checks that the
 * other window would read differently). */
static void check_model(const char *exe, const char *bundle, const char *model, const char *tmp,
                        const char *wav, const char *tag, int window, int other_window) {
  char *out = join(tmp, tag), *sum_path = join(tmp, "summary.csv");
  char *args[] = {(char *)exe, "--bundle", (char *)bundle, "--model",   (char *)model, "-o", out,
                  "-s",        sum_path,   "-q",           (char *)wav, NULL,          NULL, NULL};
  EV_CHECK(ta_run(args, NULL, NULL) == 0, "%s: first run", tag);
  char *series = join(out, "tone.csv");
  EV_CHECK(fabricate_series(series) == 0, "%s: rewrite %s", tag, series);
  args[10] = "--skip-existing";
  args[11] = (char *)wav;
  EV_CHECK(ta_run(args, NULL, NULL) == 0, "%s: --skip-existing run", tag);
  ta_csv sum;
  EV_REQUIRE(ta_csv_read(&sum, sum_path) == 0 && sum.n_rows == 1, "%s: the summary", tag);

  int speech[ROWS];
  double prob[ROWS * N_EMOTIONS], want[N_EMOTIONS], other[N_EMOTIONS];
  for (int r = 0; r < ROWS; r++) {
    speech[r] = row_speech(r);
    row_prob(r, prob + (size_t)r * N_EMOTIONS);
  }
  phrase_ref_summary(speech, prob, ROWS, N_EMOTIONS, PHRASE_REF_PAUSE, window, want);
  phrase_ref_summary(speech, prob, ROWS, N_EMOTIONS, PHRASE_REF_PAUSE, other_window, other);
  double diff = 0.0;
  for (int e = 0; e < N_EMOTIONS; e++) {
    const int k = ta_csv_col(&sum, labels[e]);
    char what[96];
    snprintf(what, sizeof what, "%s: %s at a %d-row window", tag, labels[e], window);
    EV_CHECK_NEAR(ta_csv_num(&sum, 0, k), want[e], 2e-6, what);
    diff = fmax(diff, fabs(want[e] - other[e]));
  }
  EV_CHECK(diff > 0.05, "%s: the windows %d and %d read apart (%.3f)", tag, window, other_window,
           diff);
  printf("%s: summary = the phrase reading at %d rows (%d rows would differ by %.3f)\n", tag,
         window, other_window, diff);
  ta_csv_free(&sum);
  free(series);
  free(out);
  free(sum_path);
}

int main(int argc, char **argv) {
  EV_REQUIRE(argc == 3, "usage: test_summary_window EMOVOX_ANALYZE BUNDLE");
  const char *exe = argv[1], *bundle = argv[2];
  char *tmp = ta_mkdtemp();
  EV_REQUIRE(tmp != NULL, "temp dir");

  /* any audio of 6 s: its rows are replaced */
  char *wav = join(tmp, "tone.wav");
  SF_INFO info = {.samplerate = 16000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
  SNDFILE *sf = sf_open(wav, SFM_WRITE, &info);
  EV_REQUIRE(sf != NULL, "write %s", wav);
  float x[16000];
  for (int s = 0; s < 6; s++) {
    for (int i = 0; i < 16000; i++)
      x[i] = 0.1f * sinf(2.0f * (float)M_PI * 200.0f * (float)i / 16000.0f);
    sf_writef_float(sf, x, 16000);
  }
  sf_close(sf);

  char *model_a = join(bundle, "emovox-default.safetensors"),
       *model_b = join(tmp, "other.safetensors");
  int a = 0;
  EV_REQUIRE(write_window_copy(model_a, model_b, 4, &a) == 0,
             "%s: one whole-second \"func_window_s\" in its header", model_a);
  const int b = a == 4 ? 2 : 4; /* the copy's window: 4 s, or 2 s if the bundle's is 4 s */
  if (b != 4)
    EV_REQUIRE(write_window_copy(model_a, model_b, b, &a) == 0, "%s: the copy", model_a);
  check_model(exe, bundle, model_a, tmp, wav, "bundle", 100 * a, 100 * b);
  check_model(exe, bundle, model_b, tmp, wav, "copy", 100 * b, 100 * a);

  ta_rm_rf(tmp);
  free(tmp);
  free(wav);
  free(model_a);
  free(model_b);
  EV_TEST_END();
}
