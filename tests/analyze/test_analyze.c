/* Tests of emovox-analyze with the real plugin (loaded into the tool, an instrumented host in
 * sanitized builds). Usage: test_analyze MODE EMOVOX_ANALYZE BUNDLE MODEL, MODE one of
 *   summary   summary rows vs the written time series, vs ev_analyzer run directly, and (with
 *             the shipped default model) vs the plugin's ports read by a second lilv host
 *   jobs      --jobs 2, --shard 0/2 + 1/2 and --skip-existing give byte-identical results
 *   badfiles  broken and odd files: reasons printed, others analysed, exit status 1
 *   plot      --plot writes a PNG whose pixels show the audio and the series, SVG and PDF
 *   stereo    the stereo variant on 2- and 6-channel files agrees with the mono variant
 *   labels    --labels: each summary row is the unrestricted row renormalised over the listed
 *             emotions (streamed, --skip-existing, --session); a bad list is a usage error */
#include "ev_analyzer.h"
#include "ev_model.h"
#include "ev_test.h"
#include "plugin/lv2_host.h"
#include "common/phrase_ref.h"
#include "ta_util.h"

#include <cairo.h>
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <sndfile.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *exe, *bundle, *model;
static char ravdess[4096];

static void need_corpus(void) {
  const char *c = getenv("EMOVOX_CORPORA");
  if (!c)
    EV_SKIP("EMOVOX_CORPORA not set");
  snprintf(ravdess, sizeof ravdess, "%s/RAVDESS/Audio_Speech_Actors_01-24", c);
  struct stat st;
  if (stat(ravdess, &st) != 0)
    EV_SKIP("no RAVDESS in %s", c);
}

static char *speech_file(int actor, const char *name) {
  char *p = malloc(8192);
  snprintf(p, 8192, "%s/Actor_%02d/%s-%02d.flac", ravdess, actor, name, actor);
  return p;
}

/* Reads a mono (or first-channel) file as floats. */
static float *read_audio(const char *path, int64_t *frames, int *rate) {
  SF_INFO info;
  memset(&info, 0, sizeof info);
  SNDFILE *sf = sf_open(path, SFM_READ, &info);
  if (!sf)
    return NULL;
  float *x = malloc((size_t)info.frames * (size_t)info.channels * sizeof *x);
  sf_count_t got = sf_readf_float(sf, x, info.frames);
  sf_close(sf);
  *frames = got;
  *rate = info.samplerate;
  if (info.channels > 1) /* the tool's downmix is the channel mean */
    for (sf_count_t i = 0; i < got; i++) {
      double s = 0;
      for (int c = 0; c < info.channels; c++)
        s += x[i * info.channels + c];
      x[i] = (float)(s / info.channels);
    }
  return x;
}

/* A 16 kHz corpus file (the tests' speech) as floats, checked: NULL (and a failure) otherwise. */
static float *read_speech16(const char *path, int64_t *frames) {
  int rate = 0;
  float *x = read_audio(path, frames, &rate);
  EV_CHECK(x && rate == 16000, "read %s", path);
  if (x && rate != 16000) {
    free(x);
    return NULL;
  }
  return x;
}

static char *path_join(const char *a, const char *b) {
  char *p = malloc(strlen(a) + strlen(b) + 2);
  sprintf(p, "%s/%s", a, b);
  return p;
}

static int find_row(const ta_csv *c, const char *file) {
  for (size_t r = 0; r < c->n_rows; r++)
    if (!strcmp(c->cells[r][0], file))
      return (int)r;
  return -1;
}

/* ---- summary ------------------------------------------------------------------------------ */

static void check_file(const char *file, const ta_csv *sum, const char *outdir) {
  int row = find_row(sum, file);
  EV_CHECK(row >= 0, "%s has a summary row", file);
  if (row < 0)
    return;
  const char *base = strrchr(file, '/') + 1;
  char series_name[512];
  snprintf(series_name, sizeof series_name, "%.*s.csv", (int)(strrchr(base, '.') - base), base);
  char *series_path = path_join(outdir, series_name);
  ta_csv ts;
  EV_CHECK(ta_csv_read(&ts, series_path) == 0, "read %s", series_path);
  free(series_path);
  int col[EV_N_EMOTIONS], dom = ta_csv_col(&ts, "dominant"), voice = ta_csv_col(&ts, "voice");
  for (int e = 0; e < EV_N_EMOTIONS; e++) {
    col[e] = ta_csv_col(&ts, ev_emotion_names[e]);
    EV_CHECK(col[e] > 0, "series has a %s column", ev_emotion_names[e]);
  }
  EV_CHECK(dom > 0 && voice > 0, "series has dominant and voice columns");
  /* The adapted output, appended last (readers of the older columns keep working): each file
   * starts cold and, within it, the share only grows (0 <= a < 1; the test model has no
   * warmup, so it grows from the first speech step). */
  {
    const int ad = ta_csv_col(&ts, "adapted");
    EV_CHECK(ad == ts.n_cols - 1, "%s: adapted is the last column (%d of %d)", file, ad, ts.n_cols);
    int bad = 0;
    for (size_t r = 0; ad > 0 && r < ts.n_rows; r++) {
      const double a = ta_csv_num(&ts, r, ad), prev = r ? ta_csv_num(&ts, r - 1, ad) : 0.0;
      bad += a < prev || !(a >= 0.0 && a < 1.0) || (r == 0 && a != 0.0);
    }
    EV_CHECK(ad > 0 && ts.n_rows && ta_csv_num(&ts, ts.n_rows - 1, ad) > 0.0,
             "%s: the speech moved it", file);
    EV_CHECK(bad == 0, "%s: %d rows of adapted are not a share growing from 0", file, bad);
  }

  /* 1. The summary row is the phrase reading of the written series (phrase_ref.h). */
  double mean[EV_N_EMOTIONS] = {0};
  phrase_rows pr = {0};
  for (size_t r = 0; r < ts.n_rows; r++) {
    double p[EV_N_EMOTIONS];
    for (int e = 0; e < EV_N_EMOTIONS; e++)
      p[e] = ta_csv_num(&ts, r, col[e]);
    phrase_rows_add(&pr, ta_csv_num(&ts, r, dom) != 0, p, EV_N_EMOTIONS);
  }
  size_t speech = phrase_rows_summary(&pr, mean);
  phrase_rows_free(&pr);
  EV_CHECK(speech > 0, "%s: some rows are speech", base);
  int best = 0;
  for (int e = 0; e < EV_N_EMOTIONS; e++) {
    if (mean[e] > mean[best])
      best = e;
    EV_CHECK_NEAR(ta_csv_num(sum, (size_t)row, 4 + e), mean[e], 1e-6, ev_emotion_names[e]);
  }
  EV_CHECK(!strcmp(sum->cells[row][3], ev_emotion_names[best]), "dominant %s vs %s",
           sum->cells[row][3], ev_emotion_names[best]);
  EV_CHECK_NEAR(ta_csv_num(sum, (size_t)row, 2), (double)speech / (double)ts.n_rows, 1e-4,
                "speech_ratio");
  /* 1b. Its arousal and valence are the phrase reading of the series' own arousal and valence
   * columns (the plugin's ports): both are linear in the probabilities, so reading the ports
   * the same way must give the same numbers. */
  {
    const int ca = ta_csv_col(&ts, "arousal"), cv = ta_csv_col(&ts, "valence");
    EV_CHECK(ca > 0 && cv > 0, "series has arousal and valence columns");
    phrase_rows pd = {0};
    for (size_t r = 0; r < ts.n_rows; r++) {
      const double av[2] = {ta_csv_num(&ts, r, ca), ta_csv_num(&ts, r, cv)};
      phrase_rows_add(&pd, ta_csv_num(&ts, r, dom) != 0, av, 2);
    }
    double dims[2] = {0};
    phrase_rows_summary(&pd, dims);
    phrase_rows_free(&pd);
    EV_CHECK_NEAR(ta_csv_num(sum, (size_t)row, 4 + EV_N_EMOTIONS), dims[0], 1e-5,
                  "summary arousal = the reading of the arousal port");
    EV_CHECK_NEAR(ta_csv_num(sum, (size_t)row, 5 + EV_N_EMOTIONS), dims[1], 1e-5,
                  "summary valence = the reading of the valence port");
  }

  /* 2. An independent path: the dsp analyser run directly on the same audio, read at the
   * same 10 ms boundaries (the plugin is ev_analyzer plus port I/O). */
  int64_t frames;
  int rate;
  float *x = read_audio(file, &frames, &rate);
  EV_CHECK(x != NULL, "read %s", file);
  EV_CHECK_NEAR(ta_csv_num(sum, (size_t)row, 1), (double)frames / rate, 1e-3, "duration_s");
  char err[512] = "";
  ev_model *m = ev_model_load_file(model, err, sizeof err);
  ev_analyzer *an = ev_analyzer_new(rate, 512, err, sizeof err);
  EV_CHECK(m && an, "model and analyser: %s", err);
  if (!x || !m || !an)
    goto out;
  ev_model_runtime *rt = ev_analyzer_prepare_model(an, m, err, sizeof err);
  EV_CHECK(rt != NULL, "prepare model: %s", err);
  ev_analyzer_swap_model(an, rt);
  int64_t hop = rate / 100; /* RAVDESS is 16 kHz: 160 samples exactly */
  size_t rows = (size_t)(frames / hop), bad = 0, ev_speech = 0;
  double ev_mean[EV_N_EMOTIONS] = {0};
  EV_CHECK(ts.n_rows == rows, "%s: %zu rows, %zu expected", base, ts.n_rows, rows);
  for (size_t r = 0; r < rows && r < ts.n_rows; r++) {
    ev_analyzer_process(an, x + (int64_t)r * hop, (uint32_t)hop);
    const ev_outputs *o = ev_analyzer_outputs(an);
    int mismatch = fabs(ta_csv_num(&ts, r, 0) - (double)(r + 1) * hop / rate) > 1e-6;
    mismatch |= (int)ta_csv_num(&ts, r, dom) != o->dominant + 1;
    mismatch |= fabs(ta_csv_num(&ts, r, voice) - o->voice_activity) > 2e-6;
    for (int e = 0; e < EV_N_EMOTIONS; e++)
      mismatch |= fabs(ta_csv_num(&ts, r, col[e]) - o->prob[e]) > 2e-6;
    if (mismatch && bad++ < 3)
      fprintf(stderr, "%s row %zu: series dominant %s neutral %s voice %s; analyser %d %.6f %.6f\n",
              base, r, ts.cells[r][dom], ts.cells[r][col[0]], ts.cells[r][voice], o->dominant + 1,
              o->prob[0], o->voice_activity);
    double p[EV_N_EMOTIONS];
    for (int e = 0; e < EV_N_EMOTIONS; e++)
      p[e] = o->prob[e];
    phrase_rows_add(&pr, o->dominant >= 0, p, EV_N_EMOTIONS);
  }
  ev_speech = phrase_rows_summary(&pr, ev_mean);
  phrase_rows_free(&pr);
  EV_CHECK(bad == 0, "%s: %zu of %zu rows differ from ev_analyzer", base, bad, rows);
  EV_CHECK(ev_speech == speech, "speech rows %zu vs analyser %zu", speech, ev_speech);
  for (int e = 0; e < EV_N_EMOTIONS; e++)
    EV_CHECK_NEAR(ta_csv_num(sum, (size_t)row, 4 + e), ev_mean[e], 1e-5,
                  "summary vs the analyser's phrase reading");
  printf("%s: %zu rows, %zu speech, dominant %s, matches the series and ev_analyzer\n", base,
         ts.n_rows, speech, sum->cells[row][3]);
  ev_model_runtime_free(ev_analyzer_swap_model(an, NULL));
out:
  ev_analyzer_free(an);
  ev_model_free(m);
  free(x);
  ta_csv_free(&ts);
}

/* ---- the plugin read directly ------------------------------------------------------------ */

static int same_file(const char *a, const char *b);

/* What a summary row should say, computed here from the plugin's control output ports. */
typedef struct direct_summary {
  size_t rows, speech;
  double duration_s, mean[EV_N_EMOTIONS];
  int dominant; /* emotion index, -1 if no speech row */
} direct_summary;

/* Runs the mono plugin over a file in the test host of tests/plugin (lilv, its own features,
 * its own synchronous worker), with no model message, so the plugin runs the bundle's default
 * model. The outputs are read at every 10 ms boundary, floor(k * rate / 100), as docs/analyze.md
 * defines a row; each hop is given to run() in two pieces of varying size, cut differently from
 * the tool's blocks (the plugin does not depend on block sizes), so only the definition of a row
 * is shared with the tool, not its block loop. 0 on success. */
static int run_plugin_direct(const char *file, direct_summary *d) {
  memset(d, 0, sizeof *d);
  d->dominant = -1;
  int64_t frames;
  int rate;
  float *x = read_audio(file, &frames, &rate);
  EV_CHECK(x != NULL, "read %s", file);
  if (!x)
    return -1;
  lv2_host *h = host_new(EMOVOX_URI_MONO, rate, 4096);
  EV_CHECK(h != NULL, "the test host instantiates the mono plugin at %d Hz", rate);
  if (!h) {
    free(x);
    return -1;
  }
  float *scratch = malloc(4096 * sizeof *scratch);
  int64_t pos = 0, bad_status = 0;
  phrase_rows pr = {0};
  for (int64_t k = 1;; k++) {
    int64_t end = k * rate / 100;
    if (end > frames)
      break;
    int64_t n = end - pos, first = n > 1 ? 1 + (k * 53) % (n - 1) : n;
    const float *in[1] = {x + pos};
    float *out[1] = {scratch};
    host_run(h, in, out, (uint32_t)first);
    if (n > first) {
      in[0] = x + pos + first;
      host_run(h, in, out, (uint32_t)(n - first));
    }
    pos = end;
    d->rows++;
    bad_status += host_output(h, EMOVOX_STATUS) != EMOVOX_STATUS_OK;
    double p[EV_N_EMOTIONS];
    for (int e = 0; e < EV_N_EMOTIONS; e++) /* rounded as the series writes them */
      p[e] = round(host_output(h, (uint32_t)(EMOVOX_PROB_FIRST + e)) * 1e6) / 1e6;
    phrase_rows_add(&pr, lrintf(host_output(h, EMOVOX_DOMINANT)) != 0, p, EV_N_EMOTIONS);
  }
  d->speech = phrase_rows_summary(&pr, d->mean);
  phrase_rows_free(&pr);
  const host_status *st = host_last_status(h);
  const char *slash = strrchr(st->path, '/');
  EV_CHECK(bad_status == 0 && st->seen > 0 && st->code == EMOVOX_STATUS_OK && slash &&
               !strcmp(slash + 1, EMOVOX_DEFAULT_MODEL_FILE),
           "the plugin runs the bundle's default model (%" PRId64 " rows not ok, status %d %s, %s)",
           bad_status, st->code, st->text, st->path);
  for (int e = 0; e < EV_N_EMOTIONS; e++) {
    if (d->speech && (d->dominant < 0 || d->mean[e] > d->mean[d->dominant]))
      d->dominant = e;
  }
  d->duration_s = (double)frames / rate;
  host_free(h);
  free(scratch);
  free(x);
  return 0;
}

static void test_plugin_direct(const char *tmp) {
  /* The test host finds plugins through LV2_PATH: a directory holding only this bundle. */
  char *lv2 = path_join(tmp, "lv2"), *link = path_join(lv2, "emovox.lv2");
  char bundle_abs[4096];
  EV_CHECK(mkdir(lv2, 0777) == 0 && realpath(bundle, bundle_abs) && symlink(bundle_abs, link) == 0,
           "LV2_PATH with the bundle in %s", lv2);
  setenv("LV2_PATH", lv2, 1);
  /* The bundle's default must be the shipped model (when the checkout has one), so that these
   * figures are the ones a user gets. */
  char *bundled = path_join(bundle, EMOVOX_DEFAULT_MODEL_FILE);
  const char *src = getenv("EMOVOX_SOURCE_ROOT");
  char shipped[4096];
  snprintf(shipped, sizeof shipped, "%s/models/%s", src ? src : ".", EMOVOX_DEFAULT_MODEL_FILE);
  struct stat st;
  if (stat(shipped, &st) == 0)
    EV_CHECK(same_file(bundled, shipped), "the bundle's default model is %s", shipped);
  else
    printf("note: no %s, the bundle's default model is the tests' model\n", shipped);

  const char *corpora = getenv("EMOVOX_CORPORA");
  char *files[4] = {speech_file(1, "03-01-05-02-01-01"), speech_file(4, "03-01-04-02-02-01"),
                    speech_file(12, "03-01-02-01-01-02"), malloc(8192)};
  snprintf(files[3], 8192, "%s/TESS/TESS_Toronto_emotional_speech_set_data/OAF_fear/%s", corpora,
           "OAF_raid_fear.flac");
  char *sum_path = path_join(tmp, "direct.csv");
  char *argv[] = {(char *)exe, "--bundle", (char *)bundle, "--summary", sum_path, "-q",
                  files[0],    files[1],   files[2],       files[3],    NULL};
  EV_CHECK(ta_run(argv, NULL, NULL) == 0, "the tool with the bundle's default model");
  ta_csv sum;
  EV_CHECK(ta_csv_read(&sum, sum_path) == 0 && sum.n_rows == 4, "summary of 4 files");
  for (int i = 0; i < 4 && sum.n_rows == 4; i++) {
    int row = find_row(&sum, files[i]);
    direct_summary d;
    EV_CHECK(row >= 0, "summary row for %s", files[i]);
    if (row < 0 || run_plugin_direct(files[i], &d))
      continue;
    /* Tolerances: the tool writes 3 decimals of duration, 4 of speech_ratio and 6 of each
     * mean, and its means are over values rounded to 6 decimals, so a mean may differ by
     * 5e-7 + 5e-7; the speech ratio by 5e-5, a 40th of one row of these ~3 s files: the
     * count of speech rows must be the same. */
    const size_t r = (size_t)row;
    EV_CHECK_NEAR(ta_csv_num(&sum, r, 1), d.duration_s, 5.1e-4, "duration_s vs the file");
    EV_CHECK_NEAR(ta_csv_num(&sum, r, 2), (double)d.speech / (double)d.rows, 5.1e-5,
                  "speech_ratio vs the plugin's dominant port");
    EV_CHECK(d.speech > d.rows / 5, "%s: %zu of %zu rows are speech", files[i], d.speech, d.rows);
    for (int e = 0; e < EV_N_EMOTIONS; e++)
      EV_CHECK_NEAR(ta_csv_num(&sum, r, 4 + e), d.mean[e], 1.1e-6, ev_emotion_names[e]);
    EV_CHECK(d.dominant >= 0 && !strcmp(sum.cells[row][3], ev_emotion_names[d.dominant]),
             "dominant %s vs the ports' %s", sum.cells[row][3],
             d.dominant >= 0 ? ev_emotion_names[d.dominant] : "none");
    printf("%s: plugin ports read directly: %zu rows, %zu speech, dominant %s (%.3f); the "
           "summary row matches\n",
           strrchr(files[i], '/') + 1, d.rows, d.speech,
           d.dominant >= 0 ? ev_emotion_names[d.dominant] : "none",
           d.dominant >= 0 ? d.mean[d.dominant] : 0.0);
  }
  ta_csv_free(&sum);
  for (int i = 0; i < 4; i++)
    free(files[i]);
  free(sum_path);
  free(bundled);
  free(link);
  free(lv2);
}

static void test_summary(const char *tmp) {
  need_corpus();
  char *files[3] = {speech_file(1, "03-01-05-02-01-01"), speech_file(2, "03-01-03-02-02-01"),
                    speech_file(3, "03-01-04-02-01-02")};
  char *outdir = path_join(tmp, "out"), *sum_path = path_join(tmp, "summary.csv");
  char *argv[] = {(char *)exe, "--bundle", (char *)bundle, "--model", (char *)model,
                  "-o",        outdir,     "--summary",    sum_path,  "-q",
                  files[0],    files[1],   files[2],       NULL};
  int rc = ta_run(argv, NULL, NULL);
  EV_CHECK(rc == 0, "exit status %d", rc);
  ta_csv sum;
  EV_CHECK(ta_csv_read(&sum, sum_path) == 0, "read the summary");
  EV_CHECK(sum.n_cols == 14 && sum.n_rows == 3, "%d columns, %zu rows", sum.n_cols, sum.n_rows);
  char *text = ta_read_file(sum_path, NULL);
  EV_CHECK(text && !strncmp(text,
                            "file,duration_s,speech_ratio,dominant,neutral,calm,happy,sad,angry,"
                            "fearful,disgust,surprised,arousal,valence\n",
                            109),
           "summary header");
  free(text);
  for (int i = 0; i < 3; i++)
    if (sum.n_rows == 3)
      check_file(files[i], &sum, outdir);
  ta_csv_free(&sum);

  /* --set reaches the plugin: a gate at 0 dBFS leaves no speech at all. */
  char *gated = path_join(tmp, "gated.csv");
  char *argv2[] = {(char *)exe, "--bundle",  (char *)bundle, "--model", (char *)model, "--set",
                   "gate_db=0", "--summary", gated,          "-q",      files[0],      NULL};
  EV_CHECK(ta_run(argv2, NULL, NULL) == 0, "gated run");
  EV_CHECK(ta_csv_read(&sum, gated) == 0 && sum.n_rows == 1, "gated summary");
  if (sum.n_rows == 1)
    EV_CHECK(ta_csv_num(&sum, 0, 2) == 0.0 && !strcmp(sum.cells[0][3], "none"),
             "--set gate_db=0: speech_ratio %s, dominant %s", sum.cells[0][2], sum.cells[0][3]);
  ta_csv_free(&sum);
  free(gated);
  for (int i = 0; i < 3; i++)
    free(files[i]);
  free(outdir);
  free(sum_path);
  test_plugin_direct(tmp);
}

/* ---- jobs, shards, skip-existing ------------------------------------------------------------ */

static int run_tool(const char *err_path, const char *a1, const char *a2, const char *a3,
                    const char *a4, const char *a5, const char *a6, const char *input) {
  char *argv[16];
  int n = 0;
  argv[n++] = (char *)exe;
  argv[n++] = "--bundle";
  argv[n++] = (char *)bundle;
  argv[n++] = "--model";
  argv[n++] = (char *)model;
  const char *extra[] = {a1, a2, a3, a4, a5, a6};
  for (int i = 0; i < 6; i++)
    if (extra[i])
      argv[n++] = (char *)extra[i];
  argv[n++] = (char *)input;
  argv[n] = NULL;
  return ta_run(argv, NULL, err_path);
}

static char *rows_sorted(const char *const *paths, int n) {
  /* concatenates the data rows of several summaries, sorted */
  char *lines[4096];
  size_t count = 0, total = 1;
  for (int i = 0; i < n; i++) {
    char *text = ta_read_file(paths[i], NULL);
    if (!text)
      continue;
    char *save, *line = strtok_r(text, "\n", &save); /* header skipped */
    while ((line = strtok_r(NULL, "\n", &save)) && count < 4096) {
      lines[count++] = strdup(line);
      total += strlen(line) + 1;
    }
    free(text);
  }
  for (size_t i = 1; i < count; i++) /* insertion sort: a handful of rows */
    for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
      char *t = lines[j];
      lines[j] = lines[j - 1];
      lines[j - 1] = t;
    }
  char *out = malloc(total);
  out[0] = '\0';
  for (size_t i = 0; i < count; i++) {
    strcat(out, lines[i]);
    strcat(out, "\n");
    free(lines[i]);
  }
  return out;
}

static int same_file(const char *a, const char *b) {
  size_t na, nb;
  char *x = ta_read_file(a, &na), *y = ta_read_file(b, &nb);
  int same = x && y && na == nb && !memcmp(x, y, na);
  free(x);
  free(y);
  return same;
}

static float *upsample(const float *x, int64_t n, int factor);
static void write_wav(const char *path, int rate, const float *mono, int64_t frames);

/* At 48 kHz (the plugin's resampler runs) a file reads the same after another file of the same
 * job as alone: every stream gets a new instance. A deactivate/activate reset flushes the
 * resampler with zeros instead of clearing it, and the second file's series then moved in the
 * 6th decimal (208 of 350 rows, by up to 2e-6, measured before this check). */
static void test_jobs_48k(const char *tmp) {
  char *both = path_join(tmp, "in48"), *alone = path_join(tmp, "in48b");
  mkdir(both, 0777);
  mkdir(alone, 0777);
  const char *names[2] = {"03-01-05-02-01-01", "03-01-04-01-02-01"};
  for (int i = 0; i < 2; i++) {
    char *src = speech_file(1, names[i]);
    int64_t frames;
    int rate;
    float *speech = read_audio(src, &frames, &rate);
    EV_CHECK(speech && rate == 16000, "read %s", src);
    float *up = speech ? upsample(speech, frames, 3) : NULL;
    char p[8192];
    snprintf(p, sizeof p, "%s/%c.wav", both, 'a' + i);
    if (up)
      write_wav(p, 48000, up, frames * 3);
    if (up && i == 1) {
      snprintf(p, sizeof p, "%s/b.wav", alone);
      write_wav(p, 48000, up, frames * 3);
    }
    free(up);
    free(speech);
    free(src);
  }
  char *o_both = path_join(tmp, "o48"), *o_alone = path_join(tmp, "o48b");
  EV_CHECK(run_tool(NULL, "-q", "-o", o_both, NULL, NULL, NULL, both) == 0, "48 kHz a, b");
  EV_CHECK(run_tool(NULL, "-q", "-o", o_alone, NULL, NULL, NULL, alone) == 0, "48 kHz b alone");
  char *b1 = path_join(o_both, "b.csv"), *b2 = path_join(o_alone, "b.csv");
  const int same = same_file(b1, b2);
  EV_CHECK(same, "48 kHz: b's series after a is byte-identical to b's alone");
  if (same)
    printf("48 kHz: a file's series after another file equals its series alone\n");
  free(b1);
  free(b2);
  free(o_both);
  free(o_alone);
  free(both);
  free(alone);
}

static void test_jobs(const char *tmp) {
  need_corpus();
  /* A directory of 8 files from two actors, as links (the tool walks it). */
  char *in = path_join(tmp, "in");
  mkdir(in, 0777);
  const char *names[] = {"03-01-01-01-01-01", "03-01-02-02-02-01", "03-01-05-01-01-02",
                         "03-01-06-02-01-01", "03-01-07-01-02-02", "03-01-08-02-01-02"};
  char *series[16];
  int n_series = 0;
  for (int a = 5; a <= 6; a++)
    for (int i = 0; i < 6; i += (a == 5 ? 1 : 2)) {
      char *src = speech_file(a, names[i]);
      char link[8192];
      const char *base = strrchr(src, '/') + 1;
      snprintf(link, sizeof link, "%s/%s", in, base);
      EV_CHECK(symlink(src, link) == 0, "link %s", src);
      char csv[512];
      snprintf(csv, sizeof csv, "%.*s.csv", (int)strlen(base) - 5, base);
      series[n_series++] = strdup(csv);
      free(src);
    }
  char *o1 = path_join(tmp, "o1"), *o2 = path_join(tmp, "o2"), *o3 = path_join(tmp, "o3");
  char *s1 = path_join(tmp, "s1.csv"), *s2 = path_join(tmp, "s2.csv");
  char *s3a = path_join(tmp, "s3a.csv"), *s3b = path_join(tmp, "s3b.csv");
  char *s4 = path_join(tmp, "s4.csv"), *log4 = path_join(tmp, "log4.txt");
  EV_CHECK(run_tool(NULL, "-q", "-o", o1, "-s", s1, NULL, in) == 0, "one job");
  EV_CHECK(run_tool(NULL, "-q", "-o", o2, "-s", s2, "-j2", in) == 0, "two jobs");
  EV_CHECK(run_tool(NULL, "-q", "-o", o3, "-s", s3a, "--shard=0/2", in) == 0, "shard 0/2");
  EV_CHECK(run_tool(NULL, "-q", "-o", o3, "-s", s3b, "--shard=1/2", in) == 0, "shard 1/2");
  /* Other block sizes: the rows are still taken at the same 10 ms boundaries, and the plugin
   * does not depend on how the audio is cut, so the series are the same. */
  char *o6 = path_join(tmp, "o6"), *s6 = path_join(tmp, "s6.csv");
  EV_CHECK(run_tool(NULL, "-q", "-o", o6, "-s", s6, "--block=37", in) == 0, "--block 37");

  char *one = ta_read_file(s1, NULL);
  EV_CHECK(one && strlen(one) > 100, "summary of one job");
  EV_CHECK(same_file(s1, s2), "--jobs 2 summary is byte-identical to one job");
  EV_CHECK(same_file(s1, s6), "--block 37 summary is byte-identical");
  const char *shards[] = {s3a, s3b}, *single[] = {s1};
  char *merged = rows_sorted(shards, 2), *ref = rows_sorted(single, 1);
  EV_CHECK(!strcmp(merged, ref), "shards 0/2 + 1/2 (sorted rows) equal one job:\n%s\nvs\n%s",
           merged, ref);
  size_t n_rows = 0;
  for (char *p = ref; *p; p++)
    n_rows += *p == '\n';
  EV_CHECK(n_rows == (size_t)n_series, "%zu summary rows for %d files", n_rows, n_series);
  for (int i = 0; i < n_series; i++) {
    char *a = path_join(o1, series[i]), *b = path_join(o2, series[i]),
         *c = path_join(o3, series[i]);
    char *d = path_join(o6, series[i]);
    EV_CHECK(same_file(a, b) && same_file(a, c), "time series %s identical in all runs", series[i]);
    EV_CHECK(same_file(a, d), "time series %s identical with --block 37", series[i]);
    free(d);
    free(a);
    free(b);
    free(c);
  }
  /* --skip-existing: nothing is analysed again, the summary is recomputed identically. */
  char *first = path_join(o1, series[0]);
  struct stat before, after;
  stat(first, &before);
  EV_CHECK(run_tool(log4, "--skip-existing", "-o", o1, "-s", s4, NULL, in) == 0,
           "skip-existing run");
  stat(first, &after);
  EV_CHECK(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
               before.st_mtim.tv_nsec == after.st_mtim.tv_nsec,
           "existing series not rewritten");
  EV_CHECK(same_file(s1, s4), "summary from existing outputs is byte-identical");
  char *log = ta_read_file(log4, NULL);
  char expect[64];
  snprintf(expect, sizeof expect, "0 analysed");
  EV_CHECK(log && strstr(log, expect) && strstr(log, "skipped as existing"),
           "log says all skipped: %s", log ? log : "(none)");
  free(log);
  /* Series written before the adapted output was appended (0.4.1 and earlier) still give the
   * summary with --skip-existing: the same series without their last column. */
  for (int i = 0; i < n_series; i++) {
    char *path = path_join(o1, series[i]);
    char *text = ta_read_file(path, NULL);
    EV_REQUIRE(text, "read %s", path);
    char *w = text;
    for (char *r = text; *r;) { /* each line without its last ",field" */
      char *eol = strchr(r, '\n'), *cut = eol ? eol : r + strlen(r);
      char *comma = cut;
      while (comma > r && *comma != ',')
        comma--;
      memmove(w, r, (size_t)(comma - r));
      w += comma - r;
      if (eol)
        *w++ = '\n';
      r = eol ? eol + 1 : cut;
    }
    *w = '\0';
    FILE *f = fopen(path, "w");
    EV_REQUIRE(f && fputs(text, f) >= 0 && fclose(f) == 0, "rewrite %s", path);
    EV_CHECK(!strstr(text, "adapted"), "%s has no adapted column now", path);
    free(text);
    free(path);
  }
  char *s7 = path_join(tmp, "s7.csv");
  EV_CHECK(run_tool(NULL, "-q", "--skip-existing", "-o", o1, "-s", s7, in) == 0,
           "skip-existing over series without the adapted column");
  EV_CHECK(same_file(s1, s7), "their summary is byte-identical");
  free(s7);
  printf("%d files: one job, two jobs, two shards, --block 37 and --skip-existing agree\n",
         n_series);

  /* JSON Lines carries the same rows. */
  char *o5 = path_join(tmp, "o5");
  EV_CHECK(run_tool(NULL, "-q", "-o", o5, "--format=jsonl", NULL, NULL, in) == 0, "jsonl run");
  char *csv_path = path_join(o1, series[0]);
  char jsonl_name[512];
  snprintf(jsonl_name, sizeof jsonl_name, "%.*sjsonl", (int)strlen(series[0]) - 3, series[0]);
  char *jsonl_path = path_join(o5, jsonl_name);
  ta_csv ts;
  EV_CHECK(ta_csv_read(&ts, csv_path) == 0, "read csv");
  char *jl = ta_read_file(jsonl_path, NULL);
  EV_CHECK(jl != NULL, "read %s", jsonl_path);
  size_t lines = 0;
  for (char *p = jl; p && *p; p++)
    lines += *p == '\n';
  EV_CHECK(lines == ts.n_rows, "jsonl %zu lines vs csv %zu rows", lines, ts.n_rows);
  if (jl && ts.n_rows) { /* the last row's neutral value, as text, in both */
    char key[128];
    snprintf(key, sizeof key, "\"neutral\":%s,",
             ts.cells[ts.n_rows - 1][ta_csv_col(&ts, "neutral")]);
    char *last = jl + strlen(jl) - 1;
    while (last > jl && last[-1] != '\n')
      last--;
    EV_CHECK(strstr(last, key) != NULL, "jsonl last row has %s", key);
  }
  free(jl);
  ta_csv_free(&ts);
  free(csv_path);
  free(jsonl_path);
  free(o5);
  test_jobs_48k(tmp);

  free(first);
  free(merged);
  free(ref);
  free(one);
  for (int i = 0; i < n_series; i++)
    free(series[i]);
  free(in);
  free(o1);
  free(o2);
  free(o3);
  free(s1);
  free(s2);
  free(s3a);
  free(s3b);
  free(s4);
  free(log4);
  free(o6);
  free(s6);
}

/* ---- broken and odd files ----------------------------------------------------------------- */

/* channel c of the file is gain[c] * mono (no gain array: mono in every channel) */
static void write_wav_gains(const char *path, int rate, int channels, int subtype,
                            const float *mono, int64_t frames, const float *gain) {
  SF_INFO info = {0};
  info.samplerate = rate;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | subtype;
  SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
  EV_CHECK(sf != NULL, "write %s: %s", path, sf_strerror(NULL));
  if (!sf)
    return;
  float *buf = calloc((size_t)(frames ? frames : 1) * (size_t)channels, sizeof *buf);
  for (int64_t i = 0; i < frames; i++)
    for (int c = 0; c < channels; c++)
      buf[i * channels + c] = mono ? (gain ? gain[c] : 1.0f) * mono[i] : 0.0f;
  sf_writef_float(sf, buf, frames);
  sf_close(sf);
  free(buf);
}

static void write_wav(const char *path, int rate, const float *mono, int64_t frames) {
  write_wav_gains(path, rate, 1, SF_FORMAT_PCM_16, mono, frames, NULL);
}

static void write_bytes(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(data, 1, n, f);
    fclose(f);
  }
}

/* Blackman-windowed sinc, half-width `half` input samples; cutoff `fc` of the Nyquist rate. */
static double windowed_sinc(double t, double fc, int half) {
  if (fabs(t) >= half)
    return 0.0;
  double w = 0.42 + 0.5 * cos(M_PI * t / half) + 0.08 * cos(2 * M_PI * t / half);
  return t == 0.0 ? fc * w : sin(M_PI * fc * t) / (M_PI * t) * w;
}

/* Band-limited interpolation by an integer factor (the full 0-8 kHz band of 16 kHz audio kept:
 * cutoff at the input's Nyquist frequency, 32 input samples either side), one table of 64
 * taps per output phase. */
static float *upsample(const float *x, int64_t n, int factor) {
  float *y = malloc((size_t)(n * factor) * sizeof *y);
  double *taps = malloc((size_t)factor * 64 * sizeof *taps);
  for (int ph = 0; ph < factor; ph++)
    for (int j = 0; j < 64; j++)
      taps[ph * 64 + j] = windowed_sinc((double)ph / factor + 31 - j, 1.0, 32);
  for (int64_t i = 0; i < n * factor; i++) {
    int64_t k0 = i / factor - 31;
    const double *h = taps + (i % factor) * 64;
    double acc = 0.0;
    for (int j = 0; j < 64; j++)
      if (k0 + j >= 0 && k0 + j < n)
        acc += x[k0 + j] * h[j];
    y[i] = (float)acc;
  }
  free(taps);
  return y;
}

/* Low-pass FIR (zero phase, 129 taps) with the cutoff at `fc` of the Nyquist rate. */
static float *lowpass(const float *x, int64_t n, double fc) {
  float *y = malloc((size_t)n * sizeof *y);
  double h[129], sum = 0.0;
  for (int k = 0; k < 129; k++)
    sum += h[k] = windowed_sinc(k - 64, fc, 65);
  for (int64_t i = 0; i < n; i++) {
    double acc = 0.0;
    for (int k = 0; k < 129; k++) {
      int64_t j = i + k - 64;
      if (j >= 0 && j < n)
        acc += h[k] * x[j];
    }
    y[i] = (float)(acc / sum);
  }
  return y;
}

/* The text after "NAME: skipped: " in the tool's log, up to the end of the line (static). */
static const char *reason_for(const char *log, const char *name) {
  static char reason[1024];
  char needle[256];
  snprintf(needle, sizeof needle, "/%s: skipped: ", name);
  const char *at = log ? strstr(log, needle) : NULL;
  if (!at)
    return "(not reported)";
  at += strlen(needle);
  size_t n = strcspn(at, "\n");
  snprintf(reason, sizeof reason, "%.*s", (int)(n < sizeof reason ? n : sizeof reason - 1), at);
  return reason;
}

/* How far two summary rows are apart: the largest difference of the mean probabilities. */
/* The largest difference of a mean probability between row a of sa and row b of sb. */
static double rows_distance(const ta_csv *sa, int a, const ta_csv *sb, int b) {
  double d = 0.0;
  for (int e = 0; e < EV_N_EMOTIONS; e++)
    d = fmax(d, fabs(ta_csv_num(sa, (size_t)a, 4 + e) - ta_csv_num(sb, (size_t)b, 4 + e)));
  return d;
}

static void test_badfiles(const char *tmp) {
  need_corpus();
  char *in = path_join(tmp, "in");
  mkdir(in, 0777);
  char *src = speech_file(1, "03-01-05-02-01-01");
  int64_t frames;
  float *speech = read_speech16(src, &frames);
  if (!speech)
    return;
  char p[8192];
  /* The good but odd ones, each with a 16 kHz mono reference of the same audio, analysed in
   * the same run: the plugin resamples to 16 kHz and the tool averages the channels, so the
   * odd file and its reference should give nearly the same summary. */
  snprintf(p, sizeof p, "%s/ref16k.wav", in);
  write_wav(p, 16000, speech, frames); /* the corpus file's own 16-bit samples */
  /* 8 kHz: the speech low-passed below 3.8 kHz, then every other sample; the reference is the
   * low-passed speech at 16 kHz (an 8 kHz file cannot hold the 4-8 kHz band at all). */
  float *low = lowpass(speech, frames, 0.475);
  snprintf(p, sizeof p, "%s/ref16k_lowpass.wav", in);
  write_wav(p, 16000, low, frames);
  int64_t n8 = frames / 2;
  float *dec = malloc((size_t)n8 * sizeof *dec);
  for (int64_t i = 0; i < n8; i++)
    dec[i] = low[2 * i];
  snprintf(p, sizeof p, "%s/rate8k.wav", in);
  write_wav(p, 8000, dec, n8);
  free(dec);
  free(low);
  float *up = upsample(speech, frames, 12); /* 192 kHz, the same 0-8 kHz content */
  snprintf(p, sizeof p, "%s/rate192k.wav", in);
  write_wav(p, 192000, up, frames * 12);
  free(up);
  up = upsample(speech, frames, 3); /* 48 kHz: a second file that goes through the resampler */
  snprintf(p, sizeof p, "%s/rate48k.wav", in);
  write_wav(p, 48000, up, frames * 3);
  free(up);
  /* 6 channels: silence in channel 0 (reading only the first channel would find no speech),
   * 1.2 x the speech in channels 1-5, so that the mean of the six is the speech itself. Float
   * samples: 16-bit rounding of 1.2 x speech would add noise at -100 dB, which changes the
   * shipped model's means by up to 0.0024 (measured), through the near-silent frames. */
  const float gains[6] = {0.0f, 1.2f, 1.2f, 1.2f, 1.2f, 1.2f};
  snprintf(p, sizeof p, "%s/six_channels.wav", in);
  write_wav_gains(p, 16000, 6, SF_FORMAT_FLOAT, speech, frames, gains);
  snprintf(p, sizeof p, "%s/silence.wav", in);
  write_wav(p, 44100, NULL, 88200);
  /* the broken ones */
  snprintf(p, sizeof p, "%s/empty.wav", in);
  write_bytes(p, "", 0);
  snprintf(p, sizeof p, "%s/text.wav", in);
  const char *text = "This is a text file that only pretends to be a WAV file.\n";
  write_bytes(p, text, strlen(text));
  snprintf(p, sizeof p, "%s/header_only.wav", in);
  write_wav(p, 16000, NULL, 0);
  snprintf(p, sizeof p, "%s/truncated.wav", in);
  write_wav(p, 16000, speech, frames);
  /* A 16-bit mono WAV from libsndfile has a 44-byte header; keep half of the data. */
  EV_CHECK(truncate(p, 44 + frames) == 0, "truncate the wav to half its data");
  size_t flac_len;
  char *flac = ta_read_file(src, &flac_len);
  snprintf(p, sizeof p, "%s/truncated.flac", in);
  write_bytes(p, flac, flac_len / 2);
  free(flac);
  free(speech);

  /* The bundle's default model (the shipped one): the odd files are compared on the model
   * users run. */
  char *sum_path = path_join(tmp, "summary.csv"), *log_path = path_join(tmp, "log.txt");
  /* Missing paths on the command line are bad inputs like the others, not a usage error. */
  char *missing = path_join(tmp, "no_such_file.wav"), *missing_dir = path_join(tmp, "no_such_dir/");
  char *argv[] = {(char *)exe, "--bundle", (char *)bundle, "--summary", sum_path,
                  missing,     in,         missing_dir,    NULL};
  int rc = ta_run(argv, NULL, log_path);
  EV_CHECK(rc == 1, "exit status %d (1: some files failed)", rc);
  char *log = ta_read_file(log_path, NULL);
  printf("--- tool output\n%s---\n", log ? log : "");
  const char *const missing_paths[] = {missing, missing_dir};
  for (int i = 0; i < 2; i++) {
    char needle[8192];
    snprintf(needle, sizeof needle, "%s: skipped: cannot open: No such file or directory\n",
             missing_paths[i]);
    EV_CHECK(log && strstr(log, needle), "the log reports %s as missing", missing_paths[i]);
  }
  /* Each broken file with its own reason. The expectations come from how the files were made:
   * the truncated WAV's header announces 2 bytes per frame of data, the file holds half. */
  char expect_trunc[256];
  snprintf(expect_trunc, sizeof expect_trunc,
           "truncated: the header announces more audio data than the file holds (data : %lld "
           "(should be %lld))",
           (long long)frames * 2, (long long)frames);
  const struct {
    const char *name, *reason;
  } broken[] = {{"empty.wav", "empty file (0 bytes)"},
                {"text.wav", "not readable as audio: Format not recognised."},
                {"header_only.wav", "no audio frames (header only or empty data)"},
                {"truncated.wav", expect_trunc}};
  for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
    const char *got = reason_for(log, broken[i].name);
    EV_CHECK(!strcmp(got, broken[i].reason), "%s: reason \"%s\", expected \"%s\"", broken[i].name,
             got, broken[i].reason);
  }
  /* The truncated FLAC: a decoder error part-way, after some but not all of the frames its
   * header (intact, at the start) announces. */
  const char *got = reason_for(log, "truncated.flac");
  long long done = -1, announced = -1;
  int consumed = 0;
  EV_CHECK(sscanf(got, "decoding error after %lld of %lld frames: %n", &done, &announced,
                  &consumed) == 2 &&
               consumed > 0 && announced == frames && done > 0 && done < frames / 2 + 16384,
           "truncated.flac: reason \"%s\" (a decoding error before frame %lld of %lld)", got,
           (long long)(frames / 2 + 16384), (long long)frames);
  EV_CHECK(log && strstr(log, "7 analysed") && strstr(log, "7 failed"), "tally");

  ta_csv sum;
  EV_CHECK(ta_csv_read(&sum, sum_path) == 0, "summary");
  EV_CHECK(sum.n_rows == 7, "%zu summary rows (the 7 good files)", sum.n_rows);
  enum { R192K, R8K, SILENCE, SIX, REF, REF_LOW, R48K, N_GOOD };
  static const char *const good[N_GOOD] = {"rate192k.wav",     "rate8k.wav", "silence.wav",
                                           "six_channels.wav", "ref16k.wav", "ref16k_lowpass.wav",
                                           "rate48k.wav"};
  const double seconds = (double)frames / 16000;
  const double durations[N_GOOD] = {
      seconds, (double)(frames / 2) / 8000, 2.0, seconds, seconds, seconds, seconds};
  int rows[N_GOOD];
  for (int i = 0; i < N_GOOD; i++) {
    snprintf(p, sizeof p, "%s/%s", in, good[i]);
    int row = rows[i] = find_row(&sum, p);
    EV_CHECK(row >= 0, "row for %s", good[i]);
    if (row < 0)
      continue;
    EV_CHECK_NEAR(ta_csv_num(&sum, (size_t)row, 1), durations[i], 1e-3, good[i]);
    double ratio = ta_csv_num(&sum, (size_t)row, 2);
    if (!strcmp(good[i], "silence.wav")) {
      EV_CHECK(ratio == 0.0 && !strcmp(sum.cells[row][3], "none"), "silence: ratio %g, %s", ratio,
               sum.cells[row][3]);
    } else {
      EV_CHECK(ratio > 0.2 && ratio < 1.0, "%s: speech ratio %g", good[i], ratio);
      double total = 0;
      for (int e = 0; e < 8; e++)
        total += ta_csv_num(&sum, (size_t)row, 4 + e);
      EV_CHECK_NEAR(total, 1.0, 0.02, "mean probabilities sum to 1");
    }
  }
  /* The odd files against their references, with the largest difference of a mean
   * probability and of the speech ratio allowed (tolerances from the measured differences,
   * with the 0.2 model, times 2 to 8; the 0.3 model reads pitch and voice-quality statistics,
   * whose voicing decisions turn float-rounding differences of the audio into larger ones:
   * 1.4e-4 and 0.0053 measured for the first two pairs, hence 3e-4 and 0.01):
   *   6 channels vs 16 kHz mono     the same audio after the channel mean: measured 1.3e-5,
   *                                 the same speech rows; 1e-4, 5.1e-5 (no row differs)
   *   192 kHz vs 48 kHz             both through the plugin's resampler: 6.3e-4, 0; 0.003, 0.005
   *   192 kHz or 48 kHz vs 16 kHz   resampled vs not resampled: 0.061, 1 row (0.0024); 0.1, 0.01.
   *                                 The plugin resamples 48/192 kHz to 16 kHz with speexdsp
   *                                 (quality 4) and the shipped model is sensitive to what this
   *                                 does near 7-8 kHz (a 7 kHz low-pass alone moves "angry" by
   *                                 0.15 on this clip), so this bound is loose by necessity.
   *   8 kHz vs 16 kHz low-passed    upsampled by the plugin, band edge near 4 kHz: 0.031, 1 row;
   *                                 0.06, 0.01
   * The dominant label must be the same in every pair. */
  const struct {
    int odd, ref;
    double tol_prob, tol_ratio;
  } pairs[] = {{SIX, REF, 3e-4, 5.1e-5},
               {R192K, R48K, 0.01, 0.005},
               {R192K, REF, 0.1, 0.01},
               {R48K, REF, 0.1, 0.01},
               {R8K, REF_LOW, 0.06, 0.01}};
  /* The 8 kHz file is read by the bundle's model for that rate (the narrowband one when the
   * bundle has it): so the pair reads it again with the default model (--model), in a run of
   * its own, and compares the resampling path alone, on one model. */
  char wide_model[8192];
  snprintf(wide_model, sizeof wide_model, "%s/%s", bundle, EMOVOX_DEFAULT_MODEL_FILE);
  char *low_sum_path = path_join(tmp, "summary-8k-default.csv"), r8k[8192], rlow[8192];
  snprintf(r8k, sizeof r8k, "%s/%s", in, good[R8K]);
  snprintf(rlow, sizeof rlow, "%s/%s", in, good[REF_LOW]);
  char *low_argv[] = {(char *)exe, "--bundle",   (char *)bundle, "--model", wide_model,
                      "--summary", low_sum_path, "-q",           r8k,       rlow,
                      NULL};
  ta_csv low_sum;
  EV_CHECK(ta_run(low_argv, NULL, NULL) == 0 && ta_csv_read(&low_sum, low_sum_path) == 0 &&
               low_sum.n_rows == 2,
           "the 8 kHz file and its reference read by %s", wide_model);
  /* the reference is telephone audio at 16 kHz, as a 16-bit file: read by the bundle's own
   * choice, the default model's narrowband companion reads it, so the pair compares both read
   * by the default model alone (--model: a model given by hand runs alone) */
  const int low_r8k = find_row(&low_sum, r8k), low_ref = find_row(&low_sum, rlow);
  EV_CHECK(log && strstr(log, "ref16k_lowpass.wav: telephone audio (nothing above 4 kHz at 16000 "
                              "Hz): read by the narrowband model"),
           "the low-passed reference is heard as telephone audio");
  for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
    const int by_default = pairs[i].odd == R8K;
    const ta_csv *odd_sum = by_default ? &low_sum : &sum;
    const ta_csv *ref_sum = by_default ? &low_sum : &sum;
    int a = by_default ? low_r8k : rows[pairs[i].odd],
        b = by_default ? low_ref : rows[pairs[i].ref];
    if (a < 0 || b < 0)
      continue;
    double dp = rows_distance(odd_sum, a, ref_sum, b);
    double dr = fabs(ta_csv_num(odd_sum, (size_t)a, 2) - ta_csv_num(ref_sum, (size_t)b, 2));
    printf("%s vs %s: means differ by <= %.6f, speech ratio by %.4f, dominant %s / %s\n",
           good[pairs[i].odd], good[pairs[i].ref], dp, dr, odd_sum->cells[a][3],
           ref_sum->cells[b][3]);
    EV_CHECK(dp <= pairs[i].tol_prob, "%s: means differ by %g from %s (tol %g)", good[pairs[i].odd],
             dp, good[pairs[i].ref], pairs[i].tol_prob);
    EV_CHECK(dr <= pairs[i].tol_ratio, "%s: speech ratio differs by %g from %s (tol %g)",
             good[pairs[i].odd], dr, good[pairs[i].ref], pairs[i].tol_ratio);
    EV_CHECK(!strcmp(odd_sum->cells[a][3], ref_sum->cells[b][3]), "%s: dominant %s, %s: %s",
             good[pairs[i].odd], odd_sum->cells[a][3], good[pairs[i].ref], ref_sum->cells[b][3]);
  }
  ta_csv_free(&low_sum);
  free(low_sum_path);
  ta_csv_free(&sum);
  free(log);

  /* A model that cannot load is a setup error, with the loader's reason, before any file
   * (test_analyze_inputs early: no file is tried). */
  char *bad_model = path_join(tmp, "broken.safetensors");
  write_bytes(bad_model, "\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":", 13);
  snprintf(p, sizeof p, "%s/silence.wav", in);
  char *argv2[] = {(char *)exe, "--bundle", (char *)bundle, "--model", bad_model, "-q", p, NULL};
  rc = ta_run(argv2, "/dev/null", log_path);
  log = ta_read_file(log_path, NULL);
  printf("--- broken model\n%s---\n", log ? log : "");
  EV_CHECK(rc == 2 && log && strstr(log, "--model") && strstr(log, "truncated"),
           "broken model: status %d", rc);
  free(log);
  /* Only a missing file: still a failed file (exit 1), not a usage error. */
  char *argv5[] = {(char *)exe, "--bundle", (char *)bundle, "-q", missing, NULL};
  rc = ta_run(argv5, "/dev/null", log_path);
  EV_CHECK(rc == 1, "a missing file alone: status %d", rc);
  /* Usage errors: exit status 2. */
  char *argv3[] = {(char *)exe, "--bundle", (char *)bundle, "--set", "no_such_port=1", p, NULL};
  rc = ta_run(argv3, "/dev/null", log_path);
  EV_CHECK(rc == 2, "unknown --set symbol: status %d", rc);
  char *argv4[] = {(char *)exe, "--jobs", "0", p, NULL};
  rc = ta_run(argv4, "/dev/null", log_path);
  EV_CHECK(rc == 2, "--jobs 0: status %d", rc);
  free(bad_model);
  free(missing);
  free(missing_dir);
  free(src);
  free(in);
  free(sum_path);
  free(log_path);
}

/* ---- channels and the stereo variant ------------------------------------------------------ */

/* The summary row of one file (without its file column), run with --plugin VARIANT. */
static char *summary_of(const char *tmp, const char *variant, const char *file) {
  char *sum_path = path_join(tmp, "channels.csv");
  char plugin[64];
  snprintf(plugin, sizeof plugin, "--plugin=%s", variant);
  char *argv[] = {(char *)exe, "--bundle", (char *)bundle, plugin, "--summary",
                  sum_path,    "-q",       (char *)file,   NULL};
  int rc = ta_run(argv, NULL, NULL);
  EV_CHECK(rc == 0, "%s plugin on %s: exit status %d", variant, file, rc);
  char *text = ta_read_file(sum_path, NULL), *row = NULL;
  char *nl = text ? strchr(text, '\n') : NULL;
  char *comma = nl ? strchr(nl + 1 + strlen(file), ',') : NULL;
  if (comma)
    row = strdup(comma + 1);
  free(text);
  free(sum_path);
  EV_CHECK(row != NULL, "a summary row for %s", file);
  return row ? row : strdup("");
}

static void test_stereo(const char *tmp) {
  need_corpus();
  char *src = speech_file(1, "03-01-05-02-01-01");
  int64_t frames;
  int rate;
  float *speech = read_audio(src, &frames, &rate);
  EV_CHECK(speech != NULL, "read %s", src);
  if (!speech)
    return;
  /* A 5.1 file (L R C LFE Ls Rs) with the dialogue in the centre only, as in film mixes, and a
   * 2-channel file with the voice on the left only. Float samples: the tool's mean is then
   * exact enough that both variants see the same values. */
  const float centre[6] = {0, 0, 1, 0, 0, 0}, left[2] = {1, 0};
  char *surround = path_join(tmp, "centre_only_5.1.wav"), *stereo = path_join(tmp, "left.wav");
  write_wav_gains(surround, rate, 6, SF_FORMAT_FLOAT, speech, frames, centre);
  write_wav_gains(stereo, rate, 2, SF_FORMAT_FLOAT, speech, frames, left);
  free(speech);
  /* Expected: the stereo variant analyses (L + R) / 2. For the 5.1 file both of its inputs get
   * the mean of the six channels, so it sees what the mono variant sees (the mean, C / 6); for
   * the 2-channel file it gets L and R, whose mean (L / 2) is again what the mono variant is
   * given. Either way the two rows are the same to the last digit. */
  const char *files[] = {surround, stereo};
  for (int i = 0; i < 2; i++) {
    char *mono_row = summary_of(tmp, "mono", files[i]);
    char *stereo_row = summary_of(tmp, "stereo", files[i]);
    printf("%s\n  mono:   %s  stereo: %s", strrchr(files[i], '/') + 1, mono_row, stereo_row);
    EV_CHECK(!strcmp(mono_row, stereo_row), "%s: the stereo variant's summary equals the mono's",
             files[i]);
    /* Not silence: reading channels 0 and 1 of the 5.1 file would find no speech at all. */
    double ratio = atof(strchr(stereo_row, ',') ? strchr(stereo_row, ',') + 1 : "0");
    EV_CHECK(ratio > 0.2, "%s: speech ratio %g", files[i], ratio);
    free(mono_row);
    free(stereo_row);
  }
  free(surround);
  free(stereo);
  free(src);
}

/* ---- --labels ------------------------------------------------------------------------------ */

/* Each row of lab_path (a summary with --labels angry,sad) is the same file's row of all_path
 * (without --labels) read over angry and sad: those two renormalised (to 1e-4: both are
 * rounded to 6 decimals), the others 0, the dominant the larger of the two, the rest equal. */
static void check_restricted(const char *all_path, const char *lab_path, const char *what) {
  ta_csv all, lab;
  EV_REQUIRE(ta_csv_read(&all, all_path) == 0 && ta_csv_read(&lab, lab_path) == 0,
             "%s: read %s and %s", what, all_path, lab_path);
  EV_CHECK(lab.n_rows > 0 && lab.n_rows == all.n_rows, "%s: %zu rows vs %zu", what, lab.n_rows,
           all.n_rows);
  for (size_t r = 0; r < lab.n_rows; r++) {
    const char *file = lab.cells[r][0];
    const int k = find_row(&all, file);
    EV_CHECK(k >= 0, "%s: %s in both summaries", what, file);
    if (k < 0)
      continue;
    EV_CHECK(!strcmp(lab.cells[r][1], all.cells[k][1]) && !strcmp(lab.cells[r][2], all.cells[k][2]),
             "%s: %s: duration and speech ratio unchanged", what, file);
    const double angry = ta_csv_num(&all, (size_t)k, 4 + EV_ANGRY),
                 sad = ta_csv_num(&all, (size_t)k, 4 + EV_SAD), total = angry + sad;
    EV_CHECK(total > 0.0, "%s: %s: angry or sad read above 0 (%g)", what, file, total);
    if (!(total > 0.0))
      continue;
    for (int e = 0; e < EV_N_EMOTIONS; e++) {
      char name[128];
      snprintf(name, sizeof name, "%s: %s: %s", what, file, ev_emotion_names[e]);
      if (e == EV_ANGRY || e == EV_SAD)
        EV_CHECK_NEAR(ta_csv_num(&lab, r, 4 + e), (e == EV_ANGRY ? angry : sad) / total, 1e-4,
                      name);
      else
        EV_CHECK(!strcmp(lab.cells[r][4 + e], "0.000000"), "%s reads %s, not 0", name,
                 lab.cells[r][4 + e]);
    }
    if (fabs(angry - sad) > 2e-6) /* not a tie in the written digits */
      EV_CHECK(!strcmp(lab.cells[r][3], angry > sad ? "angry" : "sad"),
               "%s: %s: dominant %s (angry %g, sad %g; unrestricted %s)", what, file,
               lab.cells[r][3], angry, sad, all.cells[k][3]);
    printf("%s: %s: unrestricted %s (angry %.6f, sad %.6f) -> %s (%s, %s)\n", what,
           strrchr(file, '/') + 1, all.cells[k][3], angry, sad, lab.cells[r][3],
           lab.cells[r][4 + EV_ANGRY], lab.cells[r][4 + EV_SAD]);
  }
  ta_csv_free(&all);
  ta_csv_free(&lab);
}

static void test_labels(const char *tmp) {
  need_corpus();
  char *file = speech_file(1, "03-01-05-02-01-01");
  char *out_all = path_join(tmp, "all"), *out_lab = path_join(tmp, "lab");
  char *all = path_join(tmp, "all.csv"), *lab = path_join(tmp, "lab.csv");
  char *alias = path_join(tmp, "alias.csv"), *skip = path_join(tmp, "skip.csv");
  char *log = path_join(tmp, "log.txt");

  /* the same file without and with --labels (and a plot, whose subtitle reads the latter) */
  EV_CHECK(run_tool(NULL, "-q", "-o", out_all, "-s", all, NULL, file) == 0, "without --labels");
  EV_CHECK(run_tool(log, "--labels=angry,sad", "--plot", "-o", out_lab, "-s", lab, file) == 0,
           "with --labels angry,sad");
  check_restricted(all, lab, "streamed");
  char *series_all = path_join(out_all, "03-01-05-02-01-01-01.csv"),
       *series_lab = path_join(out_lab, "03-01-05-02-01-01-01.csv");
  EV_CHECK(same_file(series_all, series_lab), "the time series keep the plugin's outputs");
  char *png = path_join(out_lab, "03-01-05-02-01-01-01.png");
  EV_CHECK(access(png, F_OK) == 0, "the plot %s drawn", png);
  free(png);

  /* aliases name the same emotions */
  EV_CHECK(run_tool(NULL, "-q", "--labels", "anger, sadness", "-s", alias, NULL, file) == 0,
           "--labels 'anger, sadness'");
  EV_CHECK(same_file(lab, alias), "--labels 'anger, sadness' is --labels angry,sad");

  /* --skip-existing: the restricted summary from the series written without --labels */
  EV_CHECK(
      run_tool(log, "--skip-existing", "--labels=angry,sad", "-o", out_all, "-s", skip, file) == 0,
      "--skip-existing --labels");
  char *text = ta_read_file(log, NULL);
  EV_CHECK(text && strstr(text, "skipped as existing"), "the file was skipped: %s",
           text ? text : "(no log)");
  free(text);
  EV_CHECK(same_file(lab, skip), "--skip-existing --labels gives the streamed restricted row");

  /* --session: two takes of one speaker as one recording */
  char *in = path_join(tmp, "in"), *sess_all = path_join(tmp, "sess_all.csv"),
       *sess_lab = path_join(tmp, "sess_lab.csv");
  mkdir(in, 0777);
  const char *takes[] = {"03-01-05-02-01-01", "03-01-04-02-01-02"};
  for (int i = 0; i < 2; i++) {
    char *src = speech_file(1, takes[i]), *link = path_join(in, strrchr(src, '/') + 1);
    EV_CHECK(symlink(src, link) == 0, "link %s", src);
    free(src);
    free(link);
  }
  EV_CHECK(run_tool(NULL, "-q", "--session", "-s", sess_all, NULL, NULL, in) == 0, "--session");
  EV_CHECK(run_tool(NULL, "-q", "--session", "--labels=angry,sad", "-s", sess_lab, NULL, in) == 0,
           "--session --labels");
  check_restricted(sess_all, sess_lab, "session");

  /* a bad list: exit 2 before any file, naming the label and the valid ones */
  char *bad = path_join(tmp, "bad.csv");
  const char *lists[] = {"angry,boredom", "angry,,sad", ""};
  const char *says[] = {"--labels angry,boredom: unknown emotion \"boredom\"",
                        "--labels angry,,sad: an empty item", "--labels : an empty list"};
  for (int i = 0; i < 3; i++) {
    int rc = run_tool(log, "--labels", lists[i], "-s", bad, NULL, NULL, file);
    text = ta_read_file(log, NULL);
    EV_CHECK(rc == 2 && text && strstr(text, says[i]), "--labels '%s': status %d, says %s",
             lists[i], rc, text ? text : "(nothing)");
    if (i == 0)
      EV_CHECK(text && strstr(text, "neutral, calm, happy, sad, angry, fearful, disgust, "
                                    "surprised"),
               "the valid names in: %s", text ? text : "(nothing)");
    free(text);
    EV_CHECK(access(bad, F_OK) != 0, "--labels '%s': no summary written", lists[i]);
  }

  free(bad);
  free(in);
  free(sess_all);
  free(sess_lab);
  free(series_all);
  free(series_lab);
  free(file);
  free(out_all);
  free(out_lab);
  free(all);
  free(lab);
  free(alias);
  free(skip);
  free(log);
}

/* ---- plot --------------------------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The plot's pixels, read back with cairo. The panel geometry is the layout of ea_plot.c's
 * draw() for 1600x1000 (margins 90 left, 200 right, 66 top, 56 bottom, gaps of 10 px, heights
 * 17/33/12/38 % of the 848 px left): change both together. The colours are the legend's, one
 * per emotion, which the stacked areas use too. What is checked comes from the audio and the
 * time series, not from the drawing code: the spectrogram is bright where there is speech and
 * dark in the leading silence, the waveform is tall where the audio is loud, each column of
 * the stacked panel has bands of the series' probabilities in label order, non-speech columns
 * are faded, and the legend has a swatch and a text for every emotion. */
static const unsigned char plot_rgb[EV_N_EMOTIONS][3] = {
    {158, 158, 158}, {120, 191, 230}, {252, 204, 46}, {51, 92, 191},
    {217, 38, 38},   {140, 77, 179},  {89, 166, 64},  {250, 140, 38}};
enum { PLOT_LEFT = 90, PLOT_W = 1310 };
static const double plot_spec_y = 220.16, plot_spec_h = 279.84, plot_wave_y = 66,
                    plot_wave_h = 144.16, plot_emo_y = 621.76, plot_emo_h = 322.24;

typedef struct png_image {
  cairo_surface_t *s;
  const unsigned char *data;
  int w, h, stride;
} png_image;

static void pixel(const png_image *im, int x, int y, int rgb[3]) {
  uint32_t v = *(const uint32_t *)(im->data + (size_t)y * (size_t)im->stride + 4 * (size_t)x);
  rgb[0] = (int)(v >> 16 & 255);
  rgb[1] = (int)(v >> 8 & 255);
  rgb[2] = (int)(v & 255);
}

/* The emotion whose colour the pixel has (each channel within 2), or -1. */
static int label_of(const int rgb[3]) {
  for (int e = 0; e < EV_N_EMOTIONS; e++)
    if (abs(rgb[0] - plot_rgb[e][0]) <= 2 && abs(rgb[1] - plot_rgb[e][1]) <= 2 &&
        abs(rgb[2] - plot_rgb[e][2]) <= 2)
      return e;
  return -1;
}

static double luminance(const png_image *im, int x, int y0, int y1) {
  double sum = 0;
  for (int y = y0; y < y1; y++) {
    int c[3];
    pixel(im, x, y, c);
    sum += 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  return sum / (y1 - y0);
}

static int column_of(double t, double duration) {
  return (int)floor(PLOT_LEFT + t / duration * PLOT_W);
}

static void check_png_content(const char *png, const char *csv, double duration) {
  png_image im;
  im.s = cairo_image_surface_create_from_png(png);
  EV_CHECK(cairo_surface_status(im.s) == CAIRO_STATUS_SUCCESS, "cairo reads %s", png);
  ta_csv ts;
  int have_ts = ta_csv_read(&ts, csv) == 0;
  EV_CHECK(have_ts && ts.n_rows > 100, "read the time series %s", csv);
  if (cairo_surface_status(im.s) != CAIRO_STATUS_SUCCESS || !have_ts) {
    cairo_surface_destroy(im.s);
    if (have_ts)
      ta_csv_free(&ts);
    return;
  }
  im.data = cairo_image_surface_get_data(im.s);
  im.w = cairo_image_surface_get_width(im.s);
  im.h = cairo_image_surface_get_height(im.s);
  im.stride = cairo_image_surface_get_stride(im.s);
  int dom = ta_csv_col(&ts, "dominant"), prob[EV_N_EMOTIONS];
  for (int e = 0; e < EV_N_EMOTIONS; e++)
    prob[e] = ta_csv_col(&ts, ev_emotion_names[e]);

  /* Speech: rows inside a run of 7 speech rows; silence: the first 0.5 s (RAVDESS clips start
   * with about 1 s of silence), where the series must say no speech. */
  size_t n_speech = 0, n_checked = 0, worst_row = 0;
  double spec_speech = 0, spec_silence = 0, wave_speech = 0, wave_silence = 0, worst = 0;
  int n_silence = 0, faded_labelled = 0;
  const int spec_y0 = (int)ceil(plot_spec_y) + 2, spec_y1 = (int)(plot_spec_y + plot_spec_h) - 2;
  const int emo_y0 = (int)ceil(plot_emo_y) + 2, emo_y1 = (int)(plot_emo_y + plot_emo_h) - 2;
  for (size_t r = 0; r < ts.n_rows; r++) {
    double t = ta_csv_num(&ts, r, 0);
    int x = column_of(t, duration);
    int wave_top = -1, wave_bottom = -1;
    for (int y = (int)plot_wave_y + 2; y < (int)(plot_wave_y + plot_wave_h) - 2; y++) {
      int c[3];
      pixel(&im, x, y, c);
      if (c[2] > c[0] + 60) { /* the waveform's blue */
        if (wave_top < 0)
          wave_top = y;
        wave_bottom = y;
      }
    }
    double wave_extent = wave_top < 0 ? 0 : wave_bottom - wave_top + 1;
    if (t < 0.5) {
      EV_CHECK(ta_csv_num(&ts, r, dom) == 0, "row %zu (%.2f s) is not speech", r, t);
      n_silence++;
      spec_silence += luminance(&im, x, spec_y0, spec_y1);
      wave_silence += wave_extent;
      for (int y = emo_y0; y < emo_y1; y++) {
        int c[3];
        pixel(&im, x, y, c);
        faded_labelled += label_of(c) >= 0;
      }
      continue;
    }
    int run = r >= 3 && r + 3 < ts.n_rows;
    for (size_t k = r - 3; run && k <= r + 3; k++)
      run = ta_csv_num(&ts, k, dom) != 0;
    if (!run)
      continue;
    n_speech++;
    spec_speech += luminance(&im, x, spec_y0, spec_y1);
    wave_speech += wave_extent;
    if (n_speech % 8) /* every 8th speech row: band heights */
      continue;
    /* Bottom to top: bands in label order, each as tall as its probability (the panel's
     * height x the series' value). The column lies within a pixel of the row, between it and
     * a neighbour (rows are 3.2 px apart), so the height is between theirs; an antialiased
     * pixel at each of a band's two edges matches no colour, so up to 2 px may be missing. */
    int count[EV_N_EMOTIONS] = {0}, last = -1, order_ok = 1, best = 0;
    int x_row = x;
    for (int dx = -1; dx <= 1; dx++) { /* the time axis' grid lines tint a column: avoid it */
      int n = 0;
      for (int y = emo_y0; y < emo_y1; y++) {
        int c[3];
        pixel(&im, x_row + dx, y, c);
        n += label_of(c) >= 0;
      }
      if (n > best) {
        best = n;
        x = x_row + dx;
      }
    }
    for (int y = (int)(plot_emo_y + plot_emo_h) - 1; y > (int)plot_emo_y; y--) {
      int c[3];
      pixel(&im, x, y, c);
      int e = label_of(c);
      if (e < 0)
        continue;
      count[e]++;
      order_ok &= e >= last;
      last = e;
    }
    EV_CHECK(order_ok, "row %zu (x %d): bands are in label order from the bottom", r, x);
    for (int e = 0; e < EV_N_EMOTIONS; e++) {
      double lo = 1.0, hi = 0.0;
      for (size_t k = r - 1; k <= r + 1; k++) {
        lo = fmin(lo, ta_csv_num(&ts, k, prob[e]));
        hi = fmax(hi, ta_csv_num(&ts, k, prob[e]));
      }
      lo = lo * plot_emo_h - 2.5;
      hi = hi * plot_emo_h + 0.5;
      double d = count[e] < lo ? lo - count[e] : count[e] > hi ? count[e] - hi : 0.0;
      if (d > worst) {
        worst = d;
        worst_row = r;
      }
      EV_CHECK(d == 0.0, "row %zu (x %d): %s band %d px, probability %s -> %.1f to %.1f px", r, x,
               ev_emotion_names[e], count[e], ts.cells[r][prob[e]], lo, hi);
    }
    n_checked++;
  }
  EV_CHECK(n_silence > 10 && n_speech > 50 && n_checked > 5, "%d silent, %zu speech columns",
           n_silence, n_speech);
  spec_silence /= n_silence ? n_silence : 1;
  spec_speech /= (double)(n_speech ? n_speech : 1);
  wave_silence /= n_silence ? n_silence : 1;
  wave_speech /= (double)(n_speech ? n_speech : 1);
  printf("PNG content: spectrogram luminance %.1f in speech, %.1f in silence; waveform %.1f px "
         "tall in speech, %.1f in silence; %zu columns of stacked bands match the series "
         "(worst excess %.1f px, row %zu); %d label-coloured pixels where faded\n",
         spec_speech, spec_silence, wave_speech, wave_silence, n_checked, worst, worst_row,
         faded_labelled);
  EV_CHECK(spec_speech > spec_silence + 20 && spec_speech > 40,
           "the spectrogram is brighter in speech (%.1f) than in silence (%.1f)", spec_speech,
           spec_silence);
  EV_CHECK(wave_speech > 4 * wave_silence + 10,
           "the waveform is taller in speech (%.1f px) "
           "than in silence (%.1f px)",
           wave_speech, wave_silence);
  EV_CHECK(faded_labelled == 0, "no label colour at full strength where there is no speech (%d)",
           faded_labelled);

  /* The legend, right of the panels: a solid swatch (at least 14 x 14 px) of every emotion's
   * colour, with dark text pixels (its name and mean) just right of it. */
  for (int e = 0; e < EV_N_EMOTIONS; e++) {
    int found = 0, text = 0;
    for (int y = 0; y + 14 < im.h && !found; y++)
      for (int x = PLOT_LEFT + PLOT_W; x + 14 < im.w && !found; x++) {
        int solid = 1;
        for (int dy = 0; dy < 14 && solid; dy++)
          for (int dx = 0; dx < 14 && solid; dx++) {
            int c[3];
            pixel(&im, x + dx, y + dy, c);
            solid = label_of(c) == e;
          }
        if (!solid)
          continue;
        found = 1;
        for (int dy = -2; dy < 18; dy++)
          for (int dx = 20; dx < 120 && x + dx < im.w; dx++) {
            int c[3];
            pixel(&im, x + dx, y + dy, c);
            text += c[0] + c[1] + c[2] < 3 * 90;
          }
      }
    EV_CHECK(found && text > 20, "legend: a %s swatch (%d) with text (%d dark pixels)",
             ev_emotion_names[e], found, text);
  }
  ta_csv_free(&ts);
  cairo_surface_destroy(im.s);
}

static void test_plot(const char *tmp) {
  need_corpus();
  char *src = speech_file(1, "03-01-05-02-01-01");
  const char *formats[] = {"png", "svg", "pdf"};
  for (int i = 0; i < 3; i++) {
    char outdir[4096], fmt[64];
    snprintf(outdir, sizeof outdir, "%s/%s", tmp, formats[i]);
    snprintf(fmt, sizeof fmt, "--plot-format=%s", formats[i]);
    char *argv[] = {(char *)exe, "--bundle", (char *)bundle, "-q", "-o", outdir, fmt, src, NULL};
    EV_CHECK(ta_run(argv, NULL, NULL) == 0, "--plot %s", formats[i]);
    char path[8192];
    snprintf(path, sizeof path, "%s/03-01-05-02-01-01-01.%s", outdir, formats[i]);
    size_t n = 0;
    unsigned char *d = (unsigned char *)ta_read_file(path, &n);
    EV_CHECK(d != NULL && n > 1000, "%s exists (%zu bytes)", path, n);
    if (!d)
      continue;
    if (i == 0) {
      EV_CHECK(n > 24 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8) && !memcmp(d + 12, "IHDR", 4),
               "PNG signature and IHDR");
      EV_CHECK(be32(d + 16) == 1600 && be32(d + 20) == 1000, "PNG %ux%u", be32(d + 16),
               be32(d + 20));
      printf("PNG %ux%u, %zu bytes\n", be32(d + 16), be32(d + 20), n);
      char csv[8192];
      snprintf(csv, sizeof csv, "%s/03-01-05-02-01-01-01.csv", outdir);
      SF_INFO info = {0};
      SNDFILE *sf = sf_open(src, SFM_READ, &info);
      if (sf)
        sf_close(sf);
      EV_CHECK(sf != NULL, "read %s", src);
      check_png_content(path, csv, (double)info.frames / (info.samplerate ? info.samplerate : 1));
    } else if (i == 1) {
      EV_CHECK(strstr((char *)d, "<svg") && strstr((char *)d, "width=\"1600") &&
                   strstr((char *)d, "</svg>"),
               "SVG document of width 1600");
    } else {
      EV_CHECK(!memcmp(d, "%PDF-", 5), "PDF header");
    }
    free(d);
  }
  free(src);
  cairo_debug_reset_static_data(); /* cairo's PNG reading caches: leak checkers see them */
}

/* A phone call in a 48 kHz session: the same sentence as recorded and low-passed below 3.8 kHz
 * (the FIR above, twice: nothing left above 4.5 kHz), both taken to 48 kHz by the band-limited
 * interpolation above and stored as float, so that no quantisation noise fills the band. Read by
 * the bundle's own choice, the telephone copy is heard as telephone audio (stderr per file and
 * the tally) and read by the default model's narrowband companion (the file's emotion is the one
 * the narrowband model alone names), the wide-band one is not; with --model the chosen model
 * reads alone, and nothing is said. */
static void test_telephone(const char *tmp) {
  need_corpus();
  char *in = path_join(tmp, "tel");
  mkdir(in, 0777);
  char *src = speech_file(1, "03-01-05-02-01-01");
  int64_t frames;
  float *speech = read_speech16(src, &frames);
  if (!speech)
    return;
  float *low1 = lowpass(speech, frames, 0.475), *low = lowpass(low1, frames, 0.475);
  float *wide48 = upsample(speech, frames, 3), *tel48 = upsample(low, frames, 3);
  char wide_path[8192], tel_path[8192];
  snprintf(wide_path, sizeof wide_path, "%s/wide48.wav", in);
  snprintf(tel_path, sizeof tel_path, "%s/tel48.wav", in);
  write_wav_gains(wide_path, 48000, 1, SF_FORMAT_FLOAT, wide48, frames * 3, NULL);
  write_wav_gains(tel_path, 48000, 1, SF_FORMAT_FLOAT, tel48, frames * 3, NULL);
  free(low1);
  free(low);
  free(wide48);
  free(tel48);
  free(speech);
  free(src);

  char *sum_path = path_join(tmp, "tel-summary.csv"), *log_path = path_join(tmp, "tel.log");
  char *argv[] = {(char *)exe, "--bundle", (char *)bundle, "--summary", sum_path, in, NULL};
  EV_CHECK(ta_run(argv, "/dev/null", log_path) == 0, "the bundle's choice");
  char *log = ta_read_file(log_path, NULL);
  printf("%s", log ? log : "(no log)\n");
  EV_CHECK(log && strstr(log, "tel48.wav: telephone audio (nothing above 4 kHz at 48000 Hz): read "
                              "by the narrowband model"),
           "the telephone copy is said to be read by the narrowband model");
  EV_CHECK(log && !strstr(log, "wide48.wav: telephone"), "the wide-band file is not");
  EV_CHECK(log && strstr(log, "2 analysed, 1 of them telephone audio (read by the narrowband "
                              "model)"),
           "the tally counts it");
  free(log);

  char wide_model[8192];
  snprintf(wide_model, sizeof wide_model, "%s/%s", bundle, EMOVOX_DEFAULT_MODEL_FILE);
  char *alone_path = path_join(tmp, "tel-alone.csv");
  char *argv2[] = {(char *)exe, "--bundle", (char *)bundle,
                   "--model",   wide_model, "--summary",
                   alone_path,  in,         NULL};
  EV_CHECK(ta_run(argv2, "/dev/null", log_path) == 0, "the default model alone");
  log = ta_read_file(log_path, NULL);
  EV_CHECK(log && !strstr(log, "telephone audio"), "a model chosen by hand reads alone: %s",
           log ? log : "");
  free(log);

  /* the narrowband model alone on the same files (a model given by hand reads alone) */
  char narrow_model[8192];
  snprintf(narrow_model, sizeof narrow_model, "%s/%s", bundle, EMOVOX_NARROWBAND_MODEL_FILE);
  char *narrow_path = path_join(tmp, "tel-narrow.csv");
  char *argv3[] = {(char *)exe, "--bundle",  (char *)bundle, "--model", narrow_model,
                   "--summary", narrow_path, "-q",           in,        NULL};
  EV_CHECK(ta_run(argv3, "/dev/null", "/dev/null") == 0, "the narrowband model alone");

  ta_csv both, alone, narrow;
  if (ta_csv_read(&both, sum_path) == 0 && ta_csv_read(&alone, alone_path) == 0 &&
      ta_csv_read(&narrow, narrow_path) == 0) {
    int w = find_row(&both, wide_path), t = find_row(&both, tel_path),
        ta = find_row(&alone, tel_path), tn = find_row(&narrow, tel_path);
    EV_CHECK(w >= 0 && t >= 0 && ta >= 0 && tn >= 0, "summary rows");
    if (w >= 0 && t >= 0 && ta >= 0 && tn >= 0) {
      printf("telephone copy: %s with the companion, %s with the narrowband model alone, %s with "
             "the default model alone; wide-band %s\n",
             both.cells[t][3], narrow.cells[tn][3], alone.cells[ta][3], both.cells[w][3]);
      /* the companion answers from the first 0.3 s of speech on: the file reads as the
       * narrowband model reads it */
      EV_CHECK(!strcmp(both.cells[t][3], narrow.cells[tn][3]),
               "the telephone copy reads %s with the companion, %s with the narrowband model",
               both.cells[t][3], narrow.cells[tn][3]);
    }
    ta_csv_free(&both);
    ta_csv_free(&alone);
    ta_csv_free(&narrow);
  } else {
    EV_CHECK(0, "summaries read");
  }
  free(narrow_path);
  free(sum_path);
  free(log_path);
  free(alone_path);
  free(in);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr,
            "usage: %s summary|jobs|badfiles|plot|stereo|labels|telephone EMOVOX_ANALYZE BUNDLE "
            "MODEL\n",
            argv[0]);
    return 2;
  }
  exe = argv[2];
  bundle = argv[3];
  model = argv[4];
  char *tmp = ta_mkdtemp();
  if (!tmp)
    EV_SKIP("no temporary directory");
  if (!strcmp(argv[1], "summary"))
    test_summary(tmp);
  else if (!strcmp(argv[1], "jobs"))
    test_jobs(tmp);
  else if (!strcmp(argv[1], "badfiles"))
    test_badfiles(tmp);
  else if (!strcmp(argv[1], "plot"))
    test_plot(tmp);
  else if (!strcmp(argv[1], "stereo"))
    test_stereo(tmp);
  else if (!strcmp(argv[1], "labels"))
    test_labels(tmp);
  else if (!strcmp(argv[1], "telephone"))
    test_telephone(tmp);
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
