/* emovox-train as a user runs it: a manifest of synthetic tone clips (two classes, six
 * speakers), `train` writes a model file whose metadata carries the provenance (command, date,
 * revision, validation figures) and that the model loader accepts; `evaluate --folds
 * speaker:2` writes per-fold and pooled reports; bad options are refused with exit 2. Then a
 * corpora folder in two corpora's naming schemes (RAVDESS actors, TESS speakers): `--loco`
 * tests each corpus once, on exactly its clips, and `--folds speaker:3` tests every speaker in
 * exactly one fold and every clip once.
 * argv[1]: the emovox-train executable. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ev_augment.h"
#include "ev_model.h"
#include "ev_test.h"

static int run(const char *cmd) {
  printf("$ %s\n", cmd);
  fflush(stdout);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A 0.6 s tone at 16 kHz: low for neutral, high for angry (the two classes to learn). */
static void write_clip(const char *path, int angry, ev_rng *r) {
  SF_INFO info = {0};
  info.samplerate = 16000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
  if (!sf) {
    fprintf(stderr, "cannot write %s\n", path);
    return;
  }
  double f = angry ? ev_rng_range(r, 1500, 2500) : ev_rng_range(r, 200, 400);
  float x[9600];
  for (int k = 0; k < 9600; k++)
    x[k] = (float)(0.3 * sin(2 * M_PI * f * k / 16000) + 0.01 * ev_rng_gauss(r));
  sf_writef_float(sf, x, 9600);
  sf_close(sf);
}

/* The rows of a folds.csv: fold, test speakers (space-separated), test clips. */
typedef struct fold_row {
  char fold[64], speakers[512];
  long clips;
} fold_row;

/* The clips of per_corpus.csv's row `name` (and its accuracy into *acc), -1 without that row. */
static long per_corpus_row(const char *path, const char *name, double *acc) {
  FILE *f = fopen(path, "r");
  char line[512], got[64];
  long clips = -1, n;
  double a;
  while (f && clips < 0 && fgets(line, sizeof line, f))
    if (sscanf(line, "%63[^,],%ld,%lf", got, &n, &a) == 3 && !strcmp(got, name)) {
      clips = n;
      if (acc)
        *acc = a;
    }
  if (f)
    fclose(f);
  return clips;
}

static int read_folds(const char *path, fold_row *rows, int max) {
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  char line[1024];
  int n = 0;
  if (!fgets(line, sizeof line, f)) { /* header */
    fclose(f);
    return -1;
  }
  while (n < max && fgets(line, sizeof line, f))
    if (sscanf(line, "%63[^,],%511[^,],%ld", rows[n].fold, rows[n].speakers, &rows[n].clips) == 3)
      n++;
  fclose(f);
  return n;
}

/* How many times the token spk occurs in a space-separated list. */
static int count_token(const char *list, const char *spk) {
  int n = 0;
  size_t len = strlen(spk);
  for (const char *p = list; (p = strstr(p, spk)); p += len)
    n += (p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == 0);
  return n;
}

static int count_lines(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  int n = 0, c;
  while ((c = fgetc(f)) != EOF)
    n += c == '\n';
  fclose(f);
  return n;
}

/* Trains the manifest's small model for 2 epochs with the options `extra` into m<k>.safetensors
 * and loads it (NULL, with a failed check, if either step fails). */
static ev_model *train_small(const char *exe, const char *dir, const char *extra, int k) {
  char cmd[4096], path[512], err[256] = "";
  snprintf(cmd, sizeof cmd,
           "'%s' train --manifest %s/list.csv --arch %s/arch.json --epochs 2 --val-fraction 0 %s "
           "--cache %s/cache --out %s/rep%d --output %s/m%d.safetensors --quiet",
           exe, dir, dir, extra, dir, dir, k, dir, k);
  EV_CHECK(run(cmd) == 0, "train %s", extra);
  snprintf(path, sizeof path, "%s/m%d.safetensors", dir, k);
  ev_model *m = ev_model_load_file(path, err, sizeof err);
  EV_CHECK(m != NULL, "the model of train %s loads: %s", extra, err);
  return m;
}

int main(int argc, char **argv) {
  if (argc < 2)
    EV_SKIP("usage: test_cli EMOVOX_TRAIN");
  const char *exe = argv[1];
  char dir[] = "/tmp/evtrain_cliXXXXXX";
  if (!mkdtemp(dir))
    EV_SKIP("no temporary folder");
  char path[512], cmd[4096];
  snprintf(path, sizeof path, "%s/list.csv", dir);
  FILE *mf = fopen(path, "w");
  ev_rng r;
  ev_rng_seed(&r, 9);
  for (int i = 0; i < 36; i++) {
    char wav[512];
    snprintf(wav, sizeof wav, "%s/c%02d.wav", dir, i);
    SF_INFO info = {0};
    info.samplerate = 16000;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE *sf = sf_open(wav, SFM_WRITE, &info);
    double f = ((i / 6) % 2) ? ev_rng_range(&r, 1500, 2500) : ev_rng_range(&r, 200, 400);
    float x[9600];
    for (int k = 0; k < 9600; k++)
      x[k] = (float)(0.3 * sin(2 * M_PI * f * k / 16000) + 0.01 * ev_rng_gauss(&r));
    sf_writef_float(sf, x, 9600);
    sf_close(sf);
    fprintf(mf, "c%02d.wav,%s,s%d\n", i, ((i / 6) % 2) ? "angry" : "neutral", i % 6);
  }
  fclose(mf);
  snprintf(path, sizeof path, "%s/arch.json", dir);
  FILE *af = fopen(path, "w");
  fprintf(af, "{\"name\":\"cli\",\"features\":{\"n_mels\":32,\"n_mfcc\":13,\"inputs\":[\"logmel\"],"
              "\"frame_stride\":2},\"window\":30,\"architecture\":[{\"type\":\"conv1d\",\"out\":6,"
              "\"kernel\":3,\"activation\":\"relu\"},{\"type\":\"meanpool\",\"window\":30},"
              "{\"type\":\"dense\"}]}");
  fclose(af);

  snprintf(cmd, sizeof cmd, "'%s' --help > /dev/null", exe);
  EV_CHECK(run(cmd) == 0, "--help");
  snprintf(cmd, sizeof cmd, "'%s' train --epochs 0 --manifest %s/list.csv 2>/dev/null", exe, dir);
  EV_CHECK(run(cmd) == 2, "--epochs 0 refused");
  snprintf(cmd, sizeof cmd, "'%s' frobnicate 2>/dev/null", exe);
  EV_CHECK(run(cmd) == 2, "unknown command refused");
  snprintf(cmd, sizeof cmd, "'%s' train --arch nosuch --manifest %s/list.csv 2>/dev/null", exe,
           dir);
  EV_CHECK(run(cmd) == 2, "unknown arch refused");
  const char *bad_values[] = {"--adversary -1",    "--adversary abc",  "--adversary 11",
                              "--arousal-loss -1", "--arousal-loss x", "--arousal-loss 101",
                              "--gain-jitter -3",  "--gain-jitter 41", "--robust-norm -1",
                              "--robust-norm 1001"};
  for (int i = 0; i < 10; i++) {
    snprintf(cmd, sizeof cmd, "'%s' train %s --manifest %s/list.csv 2>/dev/null", exe,
             bad_values[i], dir);
    EV_CHECK(run(cmd) == 2, "%s refused", bad_values[i]);
  }

  snprintf(cmd, sizeof cmd,
           "'%s' train --manifest %s/list.csv --arch %s/arch.json --epochs 15 --lr 0.01 "
           "--val-fraction 0.2 --cache %s/cache --out %s/rep --output %s/m.safetensors --quiet",
           exe, dir, dir, dir, dir, dir);
  EV_CHECK(run(cmd) == 0, "train");
  char err[256];
  snprintf(path, sizeof path, "%s/m.safetensors", dir);
  ev_model *m = ev_model_load_file(path, err, sizeof err);
  EV_CHECK(m != NULL, "trained model loads: %s", m ? "" : err);
  if (m) {
    EV_CHECK(ev_model_n_labels(m) == 2 && !strcmp(ev_model_label(m, 0), "neutral") &&
                 !strcmp(ev_model_label(m, 1), "angry"),
             "labels in canonical order");
    const char *p = ev_model_provenance(m);
    EV_CHECK(strstr(p, "\"command\"") && strstr(p, "\"date\"") && strstr(p, "\"revision\"") &&
                 strstr(p, "\"validation\"") && strstr(p, "\"corpora\"") &&
                 strstr(p, "--epochs 15"),
             "provenance: %s", p);
    ev_model_free(m);
  }
  snprintf(path, sizeof path, "%s/rep/history.csv", dir);
  EV_CHECK(count_lines(path) >= 2, "history.csv");
  snprintf(path, sizeof path, "%s/rep/learning_curves.png", dir);
  EV_CHECK(access(path, R_OK) == 0, "learning_curves.png");
  snprintf(path, sizeof path, "%s/rep/label_distribution.png", dir);
  EV_CHECK(access(path, R_OK) == 0, "label_distribution.png");

  snprintf(cmd, sizeof cmd,
           "'%s' evaluate --folds speaker:2 --manifest %s/list.csv --arch %s/arch.json "
           "--epochs 25 --lr 0.02 --cache %s/cache --out %s/ev --quiet",
           exe, dir, dir, dir, dir);
  EV_CHECK(run(cmd) == 0, "evaluate");
  snprintf(path, sizeof path, "%s/ev/folds.csv", dir);
  EV_CHECK(count_lines(path) == 3, "folds.csv: header + 2 folds (%d lines)", count_lines(path));
  snprintf(path, sizeof path, "%s/ev/overall_confusion.csv", dir);
  EV_CHECK(count_lines(path) == 3, "overall_confusion.csv");
  snprintf(path, sizeof path, "%s/ev/overall_confusion.png", dir);
  EV_CHECK(access(path, R_OK) == 0, "overall_confusion.png");
  /* pooled over both folds every clip is tested exactly once, and the tones are separable */
  snprintf(path, sizeof path, "%s/ev/overall_metrics.csv", dir);
  FILE *f = fopen(path, "r");
  char line[256];
  long total = -1;
  double acc = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "accuracy,,,%lf,%ld", &acc, &total) == 2)
      break;
  if (f)
    fclose(f);
  EV_CHECK(total == 36, "clips tested over the folds: %ld", total);
  EV_CHECK(acc >= 0.9, "pooled accuracy %.3f", acc);

  /* evaluate also writes per-corpus figures and the calibration error, and train keeps an
   * evaluate run's per-corpus figures in the model's provenance (--evaluation) */
  snprintf(path, sizeof path, "%s/ev/per_corpus.csv", dir);
  EV_CHECK(count_lines(path) == 3, "per_corpus.csv: header, the manifest corpus, all");
  snprintf(path, sizeof path, "%s/ev/calibration.csv", dir);
  EV_CHECK(count_lines(path) == 2, "calibration.csv");
  char extra[600];
  snprintf(extra, sizeof extra, "--evaluation %s/ev/per_corpus.csv", dir);
  ev_model *m2 = train_small(exe, dir, extra, 2);
  if (m2) {
    const char *p = ev_model_provenance(m2);
    EV_CHECK(strstr(p, "\"cross_validation\"") && strstr(p, "\"corpus\":\"all\"") &&
                 strstr(p, "\"uar\""),
             "cross-validation figures in the provenance: %s", p);
    ev_model_free(m2);
  }
  /* --robust-norm K: the model carries the clamp (the plugin reads it) and the provenance K */
  ev_model *m3 = train_small(exe, dir, "--robust-norm 10", 3);
  EV_CHECK(m3 && ev_model_input_config(m3)->norm.clamp == 10.0f &&
               strstr(ev_model_provenance(m3), "\"robust_norm\":10"),
           "a robust model: clamp %g", m3 ? (double)ev_model_input_config(m3)->norm.clamp : -1.0);
  ev_model_free(m3);
  /* --read-warmup N: the file's normaliser starts adapting after N speech steps, and nothing
   * else changes (the training items are made as before: the same weights as m2's run) */
  ev_model *m4 = train_small(exe, dir, "--read-warmup 7", 4);
  snprintf(path, sizeof path, "%s/m2.safetensors", dir);
  ev_model *m2b = ev_model_load_file(path, err, sizeof err);
  EV_CHECK(m4 && m2b && ev_model_input_config(m4)->norm.warmup_frames == 7.0f &&
               ev_model_input_config(m2b)->norm.warmup_frames != 7.0f &&
               strstr(ev_model_provenance(m4), "\"read_warmup\":7"),
           "--read-warmup 7: warmup_frames %g (without: %g), in the provenance",
           m4 ? (double)ev_model_input_config(m4)->norm.warmup_frames : -1.0,
           m2b ? (double)ev_model_input_config(m2b)->norm.warmup_frames : -1.0);
  EV_CHECK(
      m4 && m2b && ev_model_n_params(m4) == ev_model_n_params(m2b) &&
          !memcmp(ev_model_params(m4), ev_model_params(m2b), ev_model_n_params(m4) * sizeof(float)),
      "--read-warmup changes the file's normaliser, not the weights");
  ev_model_free(m4);
  ev_model_free(m2b);
  snprintf(cmd, sizeof cmd, "'%s' train --manifest %s/list.csv --read-warmup -1 2>/dev/null", exe,
           dir);
  EV_CHECK(run(cmd) == 2, "--read-warmup -1 refused");
  /* --centre-confidence C: the file's normaliser weighs the class centres' offset by the
   * reading's confidence; the weights stay m2's (the training items never use it) */
  ev_model *m5 = train_small(exe, dir, "--class-centres --centre-confidence 0.125", 5);
  m2b = ev_model_load_file(path, err, sizeof err);
  EV_CHECK(m5 && ev_model_input_config(m5)->norm.centre_confidence == 0.125f &&
               ev_model_norm_centres(m5) &&
               strstr(ev_model_provenance(m5), "\"centre_confidence\":0.125"),
           "--centre-confidence 0.125: %g in the file, in the provenance",
           m5 ? (double)ev_model_input_config(m5)->norm.centre_confidence : -1.0);
  EV_CHECK(m2b && ev_model_input_config(m2b)->norm.centre_confidence == 0.0f,
           "without it: 0 (every step moves the offset fully)");
  EV_CHECK(
      m5 && m2b && ev_model_n_params(m5) == ev_model_n_params(m2b) &&
          !memcmp(ev_model_params(m5), ev_model_params(m2b), ev_model_n_params(m5) * sizeof(float)),
      "--centre-confidence changes the file's normaliser, not the weights");
  ev_model_free(m5);
  ev_model_free(m2b);
  snprintf(cmd, sizeof cmd, "'%s' train --manifest %s/list.csv --centre-confidence 0.2 2>/dev/null",
           exe, dir);
  EV_CHECK(run(cmd) == 2, "--centre-confidence without --class-centres refused");
  snprintf(cmd, sizeof cmd,
           "'%s' train --manifest %s/list.csv --class-centres --centre-confidence 1 2>/dev/null",
           exe, dir);
  EV_CHECK(run(cmd) == 2, "--centre-confidence 1 refused");
  snprintf(cmd, sizeof cmd, "'%s' train --manifest %s/list.csv --voice-swap 0.5 2>/dev/null", exe,
           dir);
  EV_CHECK(run(cmd) == 2, "--voice-swap without --class-centres refused");
  snprintf(cmd, sizeof cmd,
           "'%s' train --manifest %s/list.csv --class-centres --voice-swap 3 2>/dev/null", exe,
           dir);
  EV_CHECK(run(cmd) == 2, "--voice-swap 3 refused");
  /* a corpora folder: RAVDESS (4 actors x 2 neutral + 2 angry) and TESS (OAF, YAF x 4 words
   * x neutral, angry), found and labelled by their naming schemes */
  static const char *spk[6] = {"RAVDESS:01", "RAVDESS:02", "RAVDESS:03",
                               "RAVDESS:04", "TESS:OAF",   "TESS:YAF"};
  static const char *sub[8] = {"RAVDESS/Actor_01", "RAVDESS/Actor_02", "RAVDESS/Actor_03",
                               "RAVDESS/Actor_04", "TESS/OAF_neutral", "TESS/OAF_angry",
                               "TESS/YAF_neutral", "TESS/YAF_angry"};
  for (int i = 0; i < 8; i++) {
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/corpora/%s'", dir, sub[i]);
    EV_CHECK(system(cmd) == 0, "%s", cmd);
  }
  for (int a = 1; a <= 4; a++)
    for (int e = 0; e < 2; e++)
      for (int st = 1; st <= 2; st++) {
        snprintf(path, sizeof path, "%s/corpora/RAVDESS/Actor_%02d/03-01-%s-01-%02d-01-%02d.wav",
                 dir, a, e ? "05" : "01", st, a);
        write_clip(path, e, &r);
      }
  static const char *words[4] = {"back", "bar", "base", "bath"};
  for (int t = 0; t < 2; t++)
    for (int e = 0; e < 2; e++)
      for (int w = 0; w < 4; w++) {
        const char *who = t ? "YAF" : "OAF", *emo = e ? "angry" : "neutral";
        snprintf(path, sizeof path, "%s/corpora/TESS/%s_%s/%s_%s_%s.wav", dir, who, emo, who,
                 words[w], emo);
        write_clip(path, e, &r);
      }
  fold_row rows[8];
  snprintf(cmd, sizeof cmd,
           "'%s' evaluate --loco --corpora %s/corpora --arch %s/arch.json --epochs 25 --lr 0.02 "
           "--cache %s/cache --out %s/loco --quiet",
           exe, dir, dir, dir, dir);
  EV_CHECK(run(cmd) == 0, "evaluate --loco");
  snprintf(path, sizeof path, "%s/loco/folds.csv", dir);
  int nf = read_folds(path, rows, 8);
  EV_CHECK(nf == 2, "--loco: one fold per corpus (%d)", nf);
  if (nf == 2) {
    EV_CHECK(!strcmp(rows[0].fold, "RAVDESS") && rows[0].clips == 16 &&
                 !strcmp(rows[0].speakers, "RAVDESS:01 RAVDESS:02 RAVDESS:03 RAVDESS:04 "),
             "--loco fold RAVDESS tests its 16 clips, its 4 actors: %s, %ld, '%s'", rows[0].fold,
             rows[0].clips, rows[0].speakers);
    EV_CHECK(!strcmp(rows[1].fold, "TESS") && rows[1].clips == 16 &&
                 !strcmp(rows[1].speakers, "TESS:OAF TESS:YAF "),
             "--loco fold TESS tests its 16 clips, its 2 speakers: %s, %ld, '%s'", rows[1].fold,
             rows[1].clips, rows[1].speakers);
  }
  snprintf(path, sizeof path, "%s/loco/per_corpus.csv", dir);
  double acc_all = -1;
  long rav = per_corpus_row(path, "RAVDESS", NULL), tess = per_corpus_row(path, "TESS", NULL),
       all = per_corpus_row(path, "all", &acc_all);
  EV_CHECK(rav == 16 && tess == 16 && all == 32, "--loco per corpus: %ld + %ld = %ld clips", rav,
           tess, all);
  /* the same tones in both corpora: a model trained on one corpus recognises the other */
  EV_CHECK(acc_all >= 0.9, "--loco pooled accuracy %.3f", acc_all);

  snprintf(cmd, sizeof cmd,
           "'%s' evaluate --folds speaker:3 --corpora %s/corpora --arch %s/arch.json --epochs 5 "
           "--cache %s/cache --out %s/sf --quiet",
           exe, dir, dir, dir, dir);
  EV_CHECK(run(cmd) == 0, "evaluate --folds speaker:3 over the corpora");
  snprintf(path, sizeof path, "%s/sf/folds.csv", dir);
  nf = read_folds(path, rows, 8);
  EV_CHECK(nf == 3, "speaker:3: 3 folds (%d)", nf);
  long tested = 0;
  for (int i = 0; i < nf; i++)
    tested += rows[i].clips;
  EV_CHECK(tested == 32, "speaker:3: every clip tested once (%ld tests of 32 clips)", tested);
  for (int k = 0; k < 6; k++) {
    int times = 0;
    for (int i = 0; i < nf; i++)
      times += count_token(rows[i].speakers, spk[k]);
    EV_CHECK(times == 1, "speaker:3: %s tested in %d folds (expected exactly 1)", spk[k], times);
  }
  /* both corpora are dealt round-robin: fold 1 gets actors 01, 04 and OAF (8 + 8 clips) */
  EV_CHECK(nf == 3 && !strcmp(rows[0].speakers, "RAVDESS:01 RAVDESS:04 TESS:OAF ") &&
               rows[0].clips == 16,
           "speaker:3 fold 1: '%s' (%ld clips)", nf > 0 ? rows[0].speakers : "",
           nf > 0 ? rows[0].clips : 0);

  /* --only-folds: the folds named run and no other, the reports cover their clips only; a
   * name that is no fold is refused before any training */
  snprintf(cmd, sizeof cmd,
           "'%s' evaluate --loco --only-folds tess --corpora %s/corpora --arch %s/arch.json "
           "--epochs 25 --lr 0.02 --cache %s/cache --out %s/loco1 --quiet",
           exe, dir, dir, dir, dir);
  EV_CHECK(run(cmd) == 0, "evaluate --loco --only-folds tess");
  snprintf(path, sizeof path, "%s/loco1/folds.csv", dir);
  nf = read_folds(path, rows, 8);
  EV_CHECK(nf == 1 && !strcmp(rows[0].fold, "TESS") && rows[0].clips == 16,
           "--only-folds tess: the TESS fold alone (%d folds, first '%s')", nf,
           nf > 0 ? rows[0].fold : "");
  snprintf(path, sizeof path, "%s/loco1/per_corpus.csv", dir);
  rav = per_corpus_row(path, "RAVDESS", NULL);
  tess = per_corpus_row(path, "TESS", NULL);
  all = per_corpus_row(path, "all", NULL);
  EV_CHECK(rav == -1 && tess == 16 && all == 16,
           "--only-folds tess: per corpus TESS %ld, RAVDESS %ld (none), all %ld", tess, rav, all);
  snprintf(cmd, sizeof cmd,
           "'%s' evaluate --folds speaker:3 --only-folds 3,2 --corpora %s/corpora --arch "
           "%s/arch.json --epochs 5 --cache %s/cache --out %s/sf23 --quiet",
           exe, dir, dir, dir, dir);
  EV_CHECK(run(cmd) == 0, "evaluate --folds speaker:3 --only-folds 3,2");
  snprintf(path, sizeof path, "%s/sf23/folds.csv", dir);
  nf = read_folds(path, rows, 8);
  EV_CHECK(nf == 2 && !strcmp(rows[0].fold, "fold2") && !strcmp(rows[1].fold, "fold3"),
           "--only-folds 3,2: folds 2 and 3 in order (%d folds, '%s', '%s')", nf,
           nf > 0 ? rows[0].fold : "", nf > 1 ? rows[1].fold : "");
  snprintf(cmd, sizeof cmd,
           "'%s' evaluate --loco --only-folds EmoDB --corpora %s/corpora --arch %s/arch.json "
           "--epochs 1 --cache %s/cache --out %s/bad --quiet 2>%s/bad.err",
           exe, dir, dir, dir, dir, dir);
  EV_CHECK(run(cmd) != 0, "--only-folds EmoDB (no such fold) refused");
  snprintf(path, sizeof path, "%s/bad.err", dir);
  f = fopen(path, "r");
  line[0] = 0;
  if (f) {
    if (!fgets(line, sizeof line, f))
      line[0] = 0;
    fclose(f);
  }
  EV_CHECK(strstr(line, "'EmoDB' is no fold") && strstr(line, "RAVDESS, TESS"),
           "the refusal names the folds: %s", line);

  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", dir);
  EV_TEST_END();
}
