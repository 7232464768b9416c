/* emovox-features streams (offline/features/stream_features.c): its output must be the rows of
 * ev_extract_buffer() on the same samples, bit for bit (f32) and value for value (CSV), for
 * files of every length around the delta and hold-back edges (8 to 14 frames and longer), at
 * 16 and 48 kHz, mono and stereo, for features with one and many columns, deltas, ZCR/RMS and
 * a single column of a group. `--functionals egemaps`, which reads the file block by block too,
 * must print ev_functionals_of_file() of the same samples, value for value.
 * argv[1]: the built emovox-features. */
#include "ev_features.h"
#include "ev_functionals.h"
#include "ev_test.h"

#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *exe;
static char dir[256];

/* A float WAV (exact samples) of n frames, channels ch; returns its mono mix as the CLI
 * computes it (double sum / ch, rounded to float). */
static float *make_wav(const char *path, int rate, int ch, size_t n) {
  SF_INFO info = {.samplerate = rate, .channels = ch, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
  SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
  float *inter = malloc(sizeof(float) * n * (size_t)ch), *mono = malloc(sizeof(float) * n + 1);
  uint32_t s = 4242u + (uint32_t)n;
  for (size_t i = 0; i < n; i++) {
    double sum = 0;
    for (int c = 0; c < ch; c++) {
      s = s * 1664525u + 1013904223u;
      float v = (float)(0.3 * sin(2 * M_PI * (220.0 + 30 * c) * (double)i / rate) +
                        ((s >> 8) / 16777216.0 - 0.5) * 0.05);
      inter[i * (size_t)ch + (size_t)c] = v;
      sum += v;
    }
    mono[i] = (float)(sum / ch);
  }
  if (sf) {
    sf_writef_float(sf, inter, (sf_count_t)n);
    sf_close(sf);
  }
  free(inter);
  return mono;
}

static float *read_all(const char *path, size_t *bytes) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    *bytes = 0;
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  float *v = malloc((size_t)len + 4);
  *bytes = fread(v, 1, (size_t)len, f);
  fclose(f);
  return v;
}

static int run(const char *args) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' %s 2>'%s/err.txt'", exe, args, dir);
  int rc = system(cmd);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* --functionals egemaps: the CSV's value row against ev_functionals_of_file() on the mix */
static void check_functionals(const char *wav, const float *x, size_t n, int rate) {
  char args[2048], out[512];
  snprintf(out, sizeof out, "%s/func.csv", dir);
  snprintf(args, sizeof args, "--functionals egemaps -o '%s' '%s'", out, wav);
  int rc = run(args);
  float want[EV_FUNC_N];
  char err[256];
  EV_CHECK(ev_functionals_of_file(x, n, rate, want, err, sizeof err) == 0, "%s", err);
  FILE *f = fopen(out, "r");
  int c, same = f != NULL, vals = 0;
  while (f && (c = fgetc(f)) != EOF && c != '\n') { /* the header row */
  }
  float v;
  char sep;
  while (f && vals < EV_FUNC_N && fscanf(f, "%f%c", &v, &sep) == 2)
    same &= !memcmp(&v, &want[vals++], sizeof v) || (isnan(v) && isnan(want[vals - 1]));
  if (f)
    fclose(f);
  EV_CHECK(rc == 0 && same && vals == EV_FUNC_N,
           "--functionals egemaps, %zu samples at %d Hz: exit %d, %d values, %s", n, rate, rc, vals,
           same ? "equal" : "values differ");
  unlink(out);
}

/* one case: `name` (a feature, or a descriptor with its group id and column) */
static void check(const char *wav, const float *x, size_t n, int rate, const char *name, int id,
                  int column) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  char args[2048], out[512];
  snprintf(out, sizeof out, "%s/out.f32", dir);
  unlink(out);
  snprintf(args, sizeof args, "--feature %s --format f32 -o '%s' '%s'", name, out, wav);
  int rc = run(args);
  int want[EV_FEAT_COUNT] = {0};
  want[id] = 1;
  float *ref[EV_FEAT_COUNT];
  size_t rows[EV_FEAT_COUNT];
  char err[256];
  int rrc = ev_extract_buffer(&cfg, rate, x, n, want, ref, rows, err, sizeof err);
  EV_CHECK(rrc == 0, "ev_extract_buffer: %s", err);
  size_t dims = (size_t)ev_feature_dims(&cfg, (ev_feature_id)id), cols = column >= 0 ? 1 : dims;
  size_t bytes = 0;
  float *ours = read_all(out, &bytes);
  if (!rows[id]) {
    EV_CHECK(rc == 1 && !ours, "%s, %zu samples at %d Hz: too short, exit %d, file %s", name, n,
             rate, rc, ours ? "written" : "none");
  } else {
    int same = rc == 0 && bytes == rows[id] * cols * sizeof(float);
    for (size_t t = 0; same && t < rows[id]; t++)
      for (size_t c = 0; c < cols; c++)
        same &= !memcmp(&ours[t * cols + c],
                        &ref[id][t * dims + (column >= 0 ? (size_t)column : c)], sizeof(float));
    EV_CHECK(same, "%s, %zu samples at %d Hz: exit %d, %zu bytes for %zu rows x %zu, %s", name, n,
             rate, rc, bytes, rows[id], cols, same ? "" : "values differ");
  }
  free(ours);
  free(ref[id]);
}

int main(int argc, char **argv) {
  if (argc < 2)
    EV_SKIP("usage: test_cli_stream EMOVOX_FEATURES");
  exe = argv[1];
  snprintf(dir, sizeof dir, "/tmp/ev_cli_stream_XXXXXX");
  EV_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  /* 16 kHz lengths giving 8..14 STFT frames (the delta minimum of 9 and the hold-back of 12
   * rows), an odd length, and 3 s; 48 kHz stereo of 9, 13 frames and 3 s */
  const struct {
    int rate, ch;
    size_t n;
  } files[] = {{16000, 1, 512 + 7 * 160},
               {16000, 1, 512 + 8 * 160},
               {16000, 1, 512 + 9 * 160},
               {16000, 1, 512 + 11 * 160},
               {16000, 1, 512 + 12 * 160},
               {16000, 1, 512 + 13 * 160},
               {16000, 1, 512 + 13 * 160 + 99},
               {16000, 1, 48000},
               {48000, 2, 3 * (512 + 8 * 160)},
               {48000, 2, 3 * (512 + 12 * 160) + 5},
               {48000, 2, 144000}};
  const struct {
    const char *name;
    int id, column;
  } feats[] = {{"mfcc_delta", EV_FEAT_MFCC_DELTA, -1},
               {"mfcc_delta2", EV_FEAT_MFCC_DELTA2, -1},
               {"logmel", EV_FEAT_LOGMEL, -1},
               {"zcr", EV_FEAT_ZCR, -1},
               {"rms", EV_FEAT_RMS, -1},
               {"chroma", EV_FEAT_CHROMA, -1},
               {"f0", EV_FEAT_PITCH, EV_PITCH_F0}};
  for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
    char wav[512];
    snprintf(wav, sizeof wav, "%s/in%zu.wav", dir, f);
    float *x = make_wav(wav, files[f].rate, files[f].ch, files[f].n);
    for (size_t k = 0; k < sizeof feats / sizeof feats[0]; k++)
      check(wav, x, files[f].n, files[f].rate, feats[k].name, feats[k].id, feats[k].column);
    if (files[f].n >= 48000) /* the 3 s files, 16 kHz mono and 48 kHz stereo */
      check_functionals(wav, x, files[f].n, files[f].rate);
    free(x);
    unlink(wav);
  }
  /* CSV: the same values, printed with %.9g (round trip exact) */
  char wav[512], args[2048], csv[512];
  snprintf(wav, sizeof wav, "%s/csv.wav", dir);
  snprintf(csv, sizeof csv, "%s/out.csv", dir);
  float *x = make_wav(wav, 48000, 1, 48000);
  snprintf(args, sizeof args, "--feature mfcc -o '%s' '%s'", csv, wav);
  EV_CHECK(run(args) == 0, "csv run");
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  int want[EV_FEAT_COUNT] = {0};
  want[EV_FEAT_MFCC] = 1;
  float *ref[EV_FEAT_COUNT];
  size_t rows[EV_FEAT_COUNT];
  char err[256];
  ev_extract_buffer(&cfg, 48000, x, 48000, want, ref, rows, err, sizeof err);
  FILE *f = fopen(csv, "r");
  size_t vals = 0, bad = 0;
  float v;
  char sep;
  while (f && fscanf(f, "%f%c", &v, &sep) == 2) {
    if (vals >= rows[EV_FEAT_MFCC] * 40 || v != ref[EV_FEAT_MFCC][vals])
      bad++;
    vals++;
  }
  if (f)
    fclose(f);
  EV_CHECK(vals == rows[EV_FEAT_MFCC] * 40 && bad == 0,
           "CSV: %zu values (%zu expected), %zu differ", vals, rows[EV_FEAT_MFCC] * 40, bad);
  free(ref[EV_FEAT_MFCC]);
  free(x);
  unlink(wav);
  unlink(csv);
  char path[512];
  snprintf(path, sizeof path, "%s/err.txt", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/out.f32", dir);
  unlink(path);
  rmdir(dir);
  EV_TEST_END();
}
