/* emovox-train as a user runs it: a manifest of synthetic tone clips (two classes, six
 * speakers), `train` writes a model file whose metadata carries the provenance (command, date,
 * revision, validation figures) and that the model loader accepts; `evaluate --folds
 * speaker:2` writes per-fold and pooled reports; bad options are refused with exit 2.
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
  snprintf(cmd, sizeof cmd,
           "'%s' train --manifest %s/list.csv --arch %s/arch.json --epochs 2 --val-fraction 0 "
           "--cache %s/cache --out %s/rep2 --output %s/m2.safetensors --evaluation "
           "%s/ev/per_corpus.csv --quiet",
           exe, dir, dir, dir, dir, dir, dir);
  EV_CHECK(run(cmd) == 0, "train --evaluation");
  snprintf(path, sizeof path, "%s/m2.safetensors", dir);
  ev_model *m2 = ev_model_load_file(path, err, sizeof err);
  EV_CHECK(m2 != NULL, "model with evaluation loads");
  if (m2) {
    const char *p = ev_model_provenance(m2);
    EV_CHECK(strstr(p, "\"cross_validation\"") && strstr(p, "\"corpus\":\"all\"") &&
                 strstr(p, "\"uar\""),
             "cross-validation figures in the provenance: %s", p);
    ev_model_free(m2);
  }
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", dir);
  EV_TEST_END();
}
