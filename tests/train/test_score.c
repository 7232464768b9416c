/* `emovox-train score` as a user runs it: synthetic voices (neutral low and soft, angry high and
 * loud, sad lower still) of six speakers in a manifest; `train` makes a model of neutral and
 * angry from four speakers, and `score` runs it over every clip of all six. Its cold-16 figures
 * must be those of per-file summaries computed here independently (ev_analyzer with the
 * plugin's default controls, fed by ev_stream_feed, argmax over the labels the model and the
 * clips share), the sad clips (a label the model lacks) are left out and counted, a corrupt or
 * missing model file exits 2 with a message (and so do `--plugin-figure off` and `--model`
 * given to another command), `--help` documents the command, `--quiet`
 * silences the progress and `--plugin-figure quick` leaves out the 48 kHz run. Every mode's
 * per-file summaries (the learned voice's among them) are the same with 1 and 2 threads.
 * `evaluate --temperature T` reads its fold models as `train --temperature T`'s file is read.
 * argv[1]: the emovox-train executable. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../analyze/ta_util.h"
#include "ev_analyzer.h"
#include "ev_model.h"
#include "ev_stream_eval.h"
#include "ev_test.h"
#include "train_test_voice.h"

#define N_SPK  6
#define PER    3 /* clips per speaker of neutral and of angry */
#define N_SAD  2 /* sad clips per speaker: a label the model will not have */
#define CLIP_N (16000 * 5 / 2 + 71)

static int write_wav(const char *path, const float *x, size_t n) {
  SF_INFO info = {.samplerate = 16000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
  SNDFILE *f = sf_open(path, SFM_WRITE, &info);
  if (!f)
    return -1;
  sf_count_t w = sf_writef_float(f, x, (sf_count_t)n);
  sf_close(f);
  return w == (sf_count_t)n ? 0 : -1;
}

/* emovox-train ARGS... > dir/out.txt 2> dir/err.txt: the exit status. */
static int train_cmd(const char *dir, char **args) {
  char out[4200], err[4200];
  snprintf(out, sizeof out, "%s/out.txt", dir);
  snprintf(err, sizeof err, "%s/err.txt", dir);
  printf("$ emovox-train");
  for (int i = 1; args[i]; i++)
    printf(" %s", args[i]);
  printf("\n");
  return ta_run(args, out, err);
}

static char *read_text(const char *dir, const char *name) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *t = ta_read_file(path, NULL);
  return t ? t : calloc(1, 1);
}

/* The label (ev_emotion) and file of clip k of speaker s: neutral, angry, then sad. */
static int clip_label(int k) {
  return k < PER ? EV_NEUTRAL : k < 2 * PER ? EV_ANGRY : EV_SAD;
}

/* Speaker 5, whom the model never heard, has an angry clip in a neutral voice, a neutral clip
 * in an angry voice and a silent one (noise only: no speech, counted wrong), so that the
 * figures compared are not all 1. */
static float *clip_audio(int s, int k) {
  int l = clip_label(k);
  if (s == 5 && (k == 1 || k == PER))
    l = k == PER ? EV_NEUTRAL : EV_ANGRY;
  if (s == 5 && k == 2)
    return train_test_voice(100.0, 0.0, 2.0, 0.0, 99u, CLIP_N);
  const double f0 = (l == EV_ANGRY ? 240.0 : l == EV_NEUTRAL ? 120.0 : 95.0) + 8.0 * s + 3.0 * k;
  const double amp = l == EV_ANGRY ? 0.22 : l == EV_NEUTRAL ? 0.07 : 0.04;
  const double syll = l == EV_ANGRY ? 3.1 : l == EV_NEUTRAL ? 2.3 : 1.8;
  return train_test_voice(f0, amp, syll, 0.3 * s + k, 1000u + 37u * (unsigned)(s * 16 + k), CLIP_N);
}

/* A file's cold summary by hand: a fresh analyser with the plugin's default controls. */
static int summary_by_hand(const char *model_path, int s, int k, ev_stream_summary *sum) {
  char e[512];
  ev_model *m = ev_model_load_file(model_path, e, sizeof e);
  ev_analyzer *an = m ? ev_analyzer_new(16000.0, EV_STREAM_BLOCK, e, sizeof e) : NULL;
  ev_model_runtime *rt = an ? ev_analyzer_prepare_model(an, m, e, sizeof e) : NULL;
  float *x = clip_audio(s, k);
  int rc = -1;
  if (rt && x) {
    ev_analyzer_params p;
    ev_analyzer_params_default(&p);
    ev_analyzer_set_params(an, &p);
    ev_analyzer_swap_model(an, rt);
    ev_stream_feed(an, x, CLIP_N, 16000, ev_summary_window_rows(ev_model_input_config(m)), sum);
    ev_analyzer_swap_model(an, NULL);
    rc = 0;
  } else {
    fprintf(stderr, "by hand: %s\n", e);
  }
  free(x);
  ev_model_runtime_free(rt);
  ev_analyzer_free(an);
  ev_model_free(m);
  return rc;
}

/* `evaluate --temperature T` reads each fold's model at T, as the shipped file (trained with
 * `train --temperature T`) is read: holding out speaker 5, the fold's model is the one `train`
 * makes of the other speakers, so evaluate's cold-16 summaries of speaker 5 must be those of
 * `train --temperature 3`'s file read by hand, and without the option those of the plain file. */
static void evaluate_temperature(char *exe, const char *dir, const char *train_csv,
                                 const char *arch, const char *model) {
  char csv[4200], m3[4200], out[2][4200], path[8600];
  snprintf(csv, sizeof csv, "%s/holdout.csv", dir);
  char *tr = read_text(dir, "train.csv");
  FILE *f = fopen(csv, "w");
  EV_REQUIRE(f && tr, "%s", csv);
  fputs(tr, f);
  free(tr);
  for (int k = 0; k < 2 * PER; k++)
    fprintf(f, "s5_%d.wav,%s,spk5\n", k, ev_emotion_names[clip_label(k)]);
  fclose(f);
  snprintf(m3, sizeof m3, "%s/m3.safetensors", dir);
  snprintf(path, sizeof path, "%s/trainrep3", dir);
  char *train[] = {exe,        "train",      "--manifest",     (char *)train_csv,
                   "--arch",   (char *)arch, "--epochs",       "15",
                   "--lr",     "0.01",       "--val-fraction", "0",
                   "--cache",  "none",       "--out",          path,
                   "--output", m3,           "--temperature",  "3",
                   "--quiet",  NULL};
  EV_REQUIRE(train_cmd(dir, train) == 0, "train --temperature 3: %s", read_text(dir, "err.txt"));
  const char *temps[2] = {"1", "3"};
  const char *models[2] = {model, m3};
  double spread[2] = {0};
  for (int t = 0; t < 2; t++) {
    snprintf(out[t], sizeof out[t], "%s/holdout-T%s", dir, temps[t]);
    char *ev[] = {exe,
                  "evaluate",
                  "--holdout-speaker",
                  "spk5",
                  "--manifest",
                  csv,
                  "--arch",
                  (char *)arch,
                  "--epochs",
                  "15",
                  "--lr",
                  "0.01",
                  "--val-fraction",
                  "0",
                  "--cache",
                  "none",
                  "--temperature",
                  (char *)temps[t],
                  "--plugin-figure",
                  "quick",
                  "--out",
                  out[t],
                  "--quiet",
                  NULL};
    EV_REQUIRE(train_cmd(dir, ev) == 0, "evaluate --temperature %s: %s", temps[t],
               read_text(dir, "err.txt"));
    ta_csv files;
    snprintf(path, sizeof path, "%s/plugin_files.csv", out[t]);
    EV_REQUIRE(ta_csv_read(&files, path) == 0, "%s", path);
    const int c_file = ta_csv_col(&files, "file"), c_prob = ta_csv_col(&files, "cold-16_neutral");
    EV_REQUIRE(c_file >= 0 && c_prob >= 0 && files.n_rows == 2 * PER, "%zu rows", files.n_rows);
    double worst = 0.0;
    for (size_t r = 0; r < files.n_rows; r++) {
      int k = -1;
      const char *name = strrchr(files.cells[r][c_file], '/');
      EV_REQUIRE(name && sscanf(name, "/s5_%d.wav", &k) == 1, "%s", files.cells[r][c_file]);
      ev_stream_summary sum;
      EV_REQUIRE(summary_by_hand(models[t], 5, k, &sum) == 0, "s5_%d by hand", k);
      for (int c = 0; c < EV_N_EMOTIONS; c++)
        worst = fmax(worst, fabs(ta_csv_num(&files, r, c_prob + c) - sum.prob[c]));
      spread[t] += fabs(sum.prob[EV_ANGRY] - sum.prob[EV_NEUTRAL]) / (double)files.n_rows;
    }
    EV_CHECK(worst <= 1e-5,
             "evaluate --temperature %s: speaker 5's cold-16 summaries differ from %s's read by "
             "hand by %.3g",
             temps[t], models[t], worst);
    printf("evaluate --temperature %s: speaker 5 read as the file trained with it (within %.2g); "
           "mean |p(angry) - p(neutral)| %.3f\n",
           temps[t], worst, spread[t]);
    ta_csv_free(&files);
  }
  /* and the temperature is felt: the same network's readings, three times softer */
  EV_CHECK(spread[1] < 0.8 * spread[0], "T = 3 reads softer: %.3f against %.3f", spread[1],
           spread[0]);
}

int main(int argc, char **argv) {
  if (argc < 2)
    EV_SKIP("usage: test_score EMOVOX_TRAIN");
  char *exe = argv[1];
  char *dir = ta_mkdtemp();
  EV_REQUIRE(dir != NULL, "a temporary folder");
  char path[8600], train_csv[4200], all_csv[4200], arch[4200], model[4200], rep[4200], quick[4200],
      bad[4200], missing[4200], rep1[4200];
  snprintf(train_csv, sizeof train_csv, "%s/train.csv", dir);
  snprintf(all_csv, sizeof all_csv, "%s/all.csv", dir);
  FILE *ft = fopen(train_csv, "w"), *fa = fopen(all_csv, "w");
  EV_REQUIRE(ft && fa, "manifests in %s", dir);
  for (int s = 0; s < N_SPK; s++)
    for (int k = 0; k < 2 * PER + N_SAD; k++) {
      snprintf(path, sizeof path, "%s/s%d_%d.wav", dir, s, k);
      float *x = clip_audio(s, k);
      EV_REQUIRE(x && write_wav(path, x, CLIP_N) == 0, "write %s", path);
      free(x);
      const char *label = ev_emotion_names[clip_label(k)];
      fprintf(fa, "s%d_%d.wav,%s,spk%d\n", s, k, label, s);
      if (s < 4 && clip_label(k) != EV_SAD) /* the model: neutral and angry of 4 speakers */
        fprintf(ft, "s%d_%d.wav,%s,spk%d\n", s, k, label, s);
    }
  fclose(ft);
  fclose(fa);
  /* a small network on the analyser's log-mel inputs (test_cli's) */
  snprintf(arch, sizeof arch, "%s/arch.json", dir);
  FILE *af = fopen(arch, "w");
  EV_REQUIRE(af != NULL, "%s", arch);
  fprintf(af,
          "{\"name\":\"score\",\"features\":{\"n_mels\":32,\"n_mfcc\":13,\"inputs\":[\"logmel\"],"
          "\"frame_stride\":2},\"window\":30,\"architecture\":[{\"type\":\"conv1d\",\"out\":6,"
          "\"kernel\":3,\"activation\":\"relu\"},{\"type\":\"meanpool\",\"window\":30},"
          "{\"type\":\"dense\"}]}");
  fclose(af);
  snprintf(model, sizeof model, "%s/m.safetensors", dir);
  snprintf(path, sizeof path, "%s/trainrep", dir);
  char *train[] = {exe,        "train", "--manifest", train_csv, "--arch",         arch,
                   "--epochs", "15",    "--lr",       "0.01",    "--val-fraction", "0",
                   "--cache",  "none",  "--out",      path,      "--output",       model,
                   "--quiet",  NULL};
  EV_REQUIRE(train_cmd(dir, train) == 0, "train: %s", read_text(dir, "err.txt"));

  /* --help documents the command and its option */
  char *help[] = {exe, "score", "--help", NULL};
  EV_CHECK(train_cmd(dir, help) == 0, "score --help exits 0");
  char *text = read_text(dir, "out.txt");
  EV_CHECK(strstr(text, "score") && strstr(text, "--model FILE"), "--help shows score, --model");
  free(text);

  /* a corrupt and a missing model file: exit 2, one line that names the file */
  snprintf(bad, sizeof bad, "%s/bad.safetensors", dir);
  FILE *fb = fopen(bad, "w");
  EV_REQUIRE(fb != NULL, "%s", bad);
  fprintf(fb, "this is not a model\n");
  fclose(fb);
  snprintf(missing, sizeof missing, "%s/none.safetensors", dir);
  snprintf(rep, sizeof rep, "%s/rep", dir);
  const char *wrong[2] = {bad, missing};
  for (int i = 0; i < 2; i++) {
    char *cmd[] = {exe,     "score", "--model", (char *)wrong[i], "--manifest", all_csv,
                   "--out", rep,     NULL};
    EV_CHECK(train_cmd(dir, cmd) == 2, "score of %s exits 2", wrong[i]);
    char *e = read_text(dir, "err.txt");
    EV_CHECK(strstr(e, "cannot load the model") && strstr(e, wrong[i]) &&
                 strchr(e, '\n') == e + strlen(e) - 1,
             "one line naming the file: %s", e);
    free(e);
  }
  char *nomodel[] = {exe, "score", "--manifest", all_csv, "--out", rep, NULL};
  EV_CHECK(train_cmd(dir, nomodel) == 2, "score without --model exits 2");
  char *off[] = {exe,   "score", "--model", model, "--manifest", all_csv, "--plugin-figure",
                 "off", "--out", rep,       NULL};
  EV_CHECK(train_cmd(dir, off) == 2, "score --plugin-figure off exits 2 (there is nothing else)");
  char *misplaced[] = {exe,     "evaluate", "--model", model, "--manifest",
                       all_csv, "--out",    rep,       NULL};
  EV_CHECK(train_cmd(dir, misplaced) == 2, "evaluate --model exits 2 (not silently ignored)");
  char *tempered[] = {exe,     "score", "--model",       model, "--manifest", all_csv,
                      "--out", rep,     "--temperature", "2",   NULL};
  EV_CHECK(train_cmd(dir, tempered) == 2,
           "score --temperature exits 2 (the file carries its temperature)");

  char *score[] = {exe,     "score", "--model",   model, "--manifest", all_csv,
                   "--out", rep,     "--threads", "2",   "--quiet",    NULL};
  EV_REQUIRE(train_cmd(dir, score) == 0, "score: %s", read_text(dir, "err.txt"));
  char *err = read_text(dir, "err.txt");
  const int n_sad = N_SPK * N_SAD, n_tested = N_SPK * 2 * PER;
  char want[128];
  snprintf(want, sizeof want, "no label sad: its %d clip(s) left out", n_sad);
  EV_CHECK(strstr(err, want) != NULL, "the warning says '%s': %s", want, err);
  EV_CHECK(strstr(err, "plugin figure") == NULL, "--quiet: no progress lines: %s", err);
  free(err);
  text = read_text(dir, "out.txt");
  snprintf(want, sizeof want, "%d file(s) left out: their label is not one of the model's", n_sad);
  EV_CHECK(strstr(text, want) != NULL, "stdout says '%s'", want);
  free(text);
  snprintf(path, sizeof path, "%s/plugin_figures.json", rep);
  json_error_t je;
  json_t *root = json_load_file(path, 0, &je);
  EV_CHECK(root != NULL, "%s: %s", path, je.text);
  EV_CHECK(json_integer_value(json_object_get(root, "files_tested")) == n_tested &&
               json_integer_value(json_object_get(root, "files_skipped_label_not_in_model")) ==
                   n_sad,
           "the report: %d files tested, %d skipped", n_tested, n_sad);
  /* every speaker has six files: all read from a voice learned on three others */
  EV_CHECK(json_integer_value(json_object_get(root, "learned_fallback_cold")) == 0 &&
               json_integer_value(json_object_get(root, "learned_no_voice_cold")) == 0,
           "no file of the learned mode read cold");
  json_decref(root);

  /* one thread: the same summaries in every mode (the sessions and learned voices are per
   * speaker, whichever thread takes them) */
  snprintf(rep1, sizeof rep1, "%s/rep1", dir);
  char *score1[] = {exe,     "score", "--model",   model, "--manifest", all_csv,
                    "--out", rep1,    "--threads", "1",   "--quiet",    NULL};
  EV_REQUIRE(train_cmd(dir, score1) == 0, "score --threads 1: %s", read_text(dir, "err.txt"));
  /* every mode, cold-48 included, bit for bit: each file is read from exactly a new analyser's
   * state (ev_analyzer_reset_exact: the 48 kHz resampler made anew), so a summary does not
   * depend on the files its worker read first (ev_analyzer_reset, which flushes soxr with zeros
   * instead, moved cold-48 cells in the 6th decimal between 1 and 2 threads) */
  ta_csv pf[2];
  snprintf(path, sizeof path, "%s/plugin_files.csv", rep);
  EV_REQUIRE(ta_csv_read(&pf[0], path) == 0, "%s", path);
  snprintf(path, sizeof path, "%s/plugin_files.csv", rep1);
  EV_REQUIRE(ta_csv_read(&pf[1], path) == 0, "%s", path);
  EV_REQUIRE(pf[0].n_rows == pf[1].n_rows && pf[0].n_cols == pf[1].n_cols,
             "plugin_files.csv: the same shape with 1 and 2 threads");
  int differ = 0, differ48 = 0;
  for (size_t r = 0; r < pf[0].n_rows; r++)
    for (int c = 0; c < pf[0].n_cols; c++)
      if (strcmp(pf[0].cells[r][c], pf[1].cells[r][c])) {
        differ++;
        differ48 += !strncmp(pf[0].names[c], "cold-48_", 8);
      }
  EV_CHECK(differ == 0, "plugin_files.csv with 1 and 2 threads: %d cells differ (%d of cold-48)",
           differ, differ48);
  const int c_from = ta_csv_col(&pf[0], "learned_from");
  EV_CHECK(ta_csv_col(&pf[0], "learned_neutral") >= 0 && c_from >= 0,
           "plugin_files.csv has the learned mode");
  for (size_t r = 0; c_from >= 0 && r < pf[0].n_rows; r++)
    EV_CHECK(!strcmp(pf[0].cells[r][c_from], "voice"), "row %zu read from a learned voice", r);
  printf("1 and 2 threads: every cell of plugin_files.csv the same, cold-48 included\n");
  ta_csv_free(&pf[0]);
  ta_csv_free(&pf[1]);

  /* the per-file summaries, independently: the plugin's analyser, fresh for every file */
  char e2[512];
  ev_model *m = ev_model_load_file(model, e2, sizeof e2);
  EV_REQUIRE(m != NULL, "%s", e2);
  ev_analyzer *an = ev_analyzer_new(16000.0, EV_STREAM_BLOCK, e2, sizeof e2);
  EV_REQUIRE(an != NULL, "%s", e2);
  ev_analyzer_params p;
  ev_analyzer_params_default(&p);
  ev_analyzer_set_params(an, &p);
  ev_model_runtime *rt = ev_analyzer_prepare_model(an, m, e2, sizeof e2);
  EV_REQUIRE(rt != NULL, "%s", e2);
  ev_analyzer_swap_model(an, rt);
  const long window = ev_summary_window_rows(ev_model_input_config(m));
  ta_csv files;
  snprintf(path, sizeof path, "%s/plugin_files.csv", rep);
  EV_REQUIRE(ta_csv_read(&files, path) == 0, "%s", path);
  EV_CHECK(files.n_rows == (size_t)n_tested, "plugin_files.csv: %zu rows", files.n_rows);
  const int c_file = ta_csv_col(&files, "file"), c_pred = ta_csv_col(&files, "cold-16_pred"),
            c_conf = ta_csv_col(&files, "cold-16_confidence"),
            c_prob = ta_csv_col(&files, "cold-16_neutral"), c_label = ta_csv_col(&files, "label");
  EV_REQUIRE(c_file >= 0 && c_pred >= 0 && c_conf >= 0 && c_prob >= 0 && c_label >= 0,
             "plugin_files.csv columns");
  int right[2] = {0}, count[2] = {0}, matched = 0, seen[N_SPK][2 * PER] = {{0}};
  double worst = 0.0;
  for (int s = 0; s < N_SPK; s++)
    for (int k = 0; k < 2 * PER; k++) {
      float *x = clip_audio(s, k);
      ev_stream_summary sum;
      ev_analyzer_reset(an);
      ev_stream_feed(an, x, CLIP_N, 16000, window, &sum);
      free(x);
      /* argmax over neutral and angry (the shared labels); no speech: wrong */
      if (!sum.speech_rows)
        printf("s%d_%d: no speech\n", s, k);
      const int truth = clip_label(k);
      int pred = -1;
      if (sum.speech_rows)
        pred = sum.prob[EV_ANGRY] > sum.prob[EV_NEUTRAL] ? EV_ANGRY : EV_NEUTRAL;
      const int t = truth == EV_ANGRY;
      count[t]++;
      right[t] += pred == truth;
      char name[64];
      snprintf(name, sizeof name, "/s%d_%d.wav", s, k);
      for (size_t r = 0; r < files.n_rows; r++) {
        const char *f = files.cells[r][c_file];
        if (strlen(f) < strlen(name) || strcmp(f + strlen(f) - strlen(name), name))
          continue;
        seen[s][k]++;
        const char *pname = pred < 0 ? "none" : ev_emotion_names[pred];
        matched += !strcmp(files.cells[r][c_pred], pname);
        EV_CHECK(!strcmp(files.cells[r][c_pred], pname) &&
                     !strcmp(files.cells[r][c_label], ev_emotion_names[truth]),
                 "s%d_%d: score says %s (label %s), by hand %s", s, k, files.cells[r][c_pred],
                 files.cells[r][c_label], pname);
        for (int c = 0; c < EV_N_EMOTIONS; c++)
          worst = fmax(worst, fabs(ta_csv_num(&files, r, c_prob + c) - sum.prob[c]));
        if (pred >= 0) {
          const double conf = sum.prob[pred] / (sum.prob[EV_ANGRY] + sum.prob[EV_NEUTRAL]);
          EV_CHECK_NEAR(ta_csv_num(&files, r, c_conf), conf, 2e-6, "confidence");
        }
      }
    }
  for (int s = 0; s < N_SPK; s++)
    for (int k = 0; k < 2 * PER; k++)
      EV_CHECK(seen[s][k] == 1, "s%d_%d: %d rows in plugin_files.csv", s, k, seen[s][k]);
  EV_CHECK(worst <= 1e-5, "cold-16 probabilities differ from the independent ones by %.3g", worst);
  printf("cold-16: %d of %d predictions as computed here (%d right), probabilities within %.2g\n",
         matched, n_tested, right[0] + right[1], worst);
  ta_csv_free(&files);

  /* plugin_figures.csv: the cold-16 accuracy and UAR of those predictions */
  const double uar = 0.5 * ((double)right[0] / count[0] + (double)right[1] / count[1]);
  const double acc = (double)(right[0] + right[1]) / (count[0] + count[1]);
  ta_csv fig;
  snprintf(path, sizeof path, "%s/plugin_figures.csv", rep);
  EV_REQUIRE(ta_csv_read(&fig, path) == 0, "%s", path);
  const int c_mode = ta_csv_col(&fig, "mode"), c_corpus = ta_csv_col(&fig, "corpus"),
            c_files = ta_csv_col(&fig, "files"), c_uar = ta_csv_col(&fig, "uar"),
            c_acc = ta_csv_col(&fig, "accuracy");
  int rows48 = 0, found = 0;
  for (size_t r = 0; r < fig.n_rows; r++) {
    rows48 += !strcmp(fig.cells[r][c_mode], "cold-48");
    if (strcmp(fig.cells[r][c_mode], "cold-16") || strcmp(fig.cells[r][c_corpus], "all"))
      continue;
    found++;
    EV_CHECK(ta_csv_num(&fig, r, c_files) == n_tested, "cold-16 files");
    EV_CHECK_NEAR(ta_csv_num(&fig, r, c_uar), uar, 1e-6, "cold-16 UAR");
    EV_CHECK_NEAR(ta_csv_num(&fig, r, c_acc), acc, 1e-6, "cold-16 accuracy");
  }
  EV_CHECK(found == 1 && rows48 == 2, "cold-16 all row (%d), cold-48 rows (%d)", found, rows48);
  printf("cold-16 by hand: UAR %.4f, accuracy %.4f\n", uar, acc);
  ta_csv_free(&fig);

  /* --plugin-figure quick: no 48 kHz rows; without --quiet the progress is on stderr */
  snprintf(quick, sizeof quick, "%s/quick", dir);
  char *q[] = {exe,     "score", "--model",         model,   "--manifest", all_csv,
               "--out", quick,   "--plugin-figure", "quick", NULL};
  EV_CHECK(train_cmd(dir, q) == 0, "score --plugin-figure quick");
  err = read_text(dir, "err.txt");
  EV_CHECK(strstr(err, "plugin figure, each file cold") && strstr(err, "plugin figure, sessions"),
           "progress on stderr: %s", err);
  free(err);
  snprintf(path, sizeof path, "%s/plugin_figures.csv", quick);
  EV_REQUIRE(ta_csv_read(&fig, path) == 0, "%s", path);
  rows48 = 0;
  for (size_t r = 0; r < fig.n_rows; r++)
    rows48 += !strcmp(fig.cells[r][ta_csv_col(&fig, "mode")], "cold-48");
  EV_CHECK(rows48 == 0 && fig.n_rows == 2 * (EV_STREAM_MODES - 1), "quick: %zu rows, %d cold-48",
           fig.n_rows, rows48);
  ta_csv_free(&fig);

  evaluate_temperature(exe, dir, train_csv, arch, model);

  ev_analyzer_swap_model(an, NULL);
  ev_model_runtime_free(rt);
  ev_analyzer_free(an);
  ev_model_free(m);
  ta_rm_rf(dir);
  free(dir);
  EV_TEST_END();
}
