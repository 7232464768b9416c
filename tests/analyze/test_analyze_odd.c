/* emovox-analyze on odd inputs (issue 17 item 12, and the model-fault warning of item 4).
 * Usage: test_analyze_odd EMOVOX_ANALYZE BUNDLE
 *   - a directory with two symbolic links to itself: each real file analysed once, and the
 *     walk ends (it branched at every level and never ended; one link gave 41 analyses);
 *   - a 2-channel float file whose first channel is all NaN and whose second holds speech:
 *     the speech is found, as in the same file with a silent first channel (the NaN used to
 *     turn the downmix into NaN), with the mono and the stereo plugin;
 *   - a float file all NaN (mono) or all infinite (stereo): "none", exit 0, and a note that
 *     its samples are not finite (it said nothing); a clean file gets no such note;
 *   - --set gate_db=nan and =inf: refused (usage error), not silently the default;
 *   - a WAV whose data size is 0xFFFFFFFF (streaming writers): analysed in full;
 *   - a model whose activations overflow on loud input: a warning names the rows;
 *   - speech 55 dB down (peaks near -73 dBFS, below the -60 dBFS gate): the summary says
 *     "none" and a note says the file may only be quiet, with a gate that lets it through;
 *     that gate finds the speech; digital silence and the same speech at full level get no note;
 *   - a summary that does not fit on the disk: exit 1, no shortened summary, the earlier kept. */
#include <math.h>
#include <signal.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ev_test.h"
#include "model/overflow_model.h"
#include "ta_util.h"

static const char *exe, *bundle;

static char *join(const char *a, const char *b) {
  char *p = malloc(strlen(a) + strlen(b) + 2);
  sprintf(p, "%s/%s", a, b);
  return p;
}

/* A voiced, speech-like signal: harmonics of a moving pitch, syllable-rate envelope. */
static float *voiced(int rate, double seconds, size_t *n) {
  *n = (size_t)(seconds * rate);
  float *x = calloc(*n, sizeof *x);
  double phase = 0;
  for (size_t i = 0; i < *n; i++) {
    const double t = (double)i / rate, f0 = 140 + 40 * sin(2 * M_PI * 1.1 * t);
    phase += 2 * M_PI * f0 / rate;
    double v = 0;
    for (int h = 1; h <= 10; h++)
      v += sin(h * phase) / h;
    const double env = t > 0.3 && t < seconds - 0.3 ? 0.5 + 0.5 * sin(2 * M_PI * 3 * t) : 0;
    x[i] = (float)(0.2 * env * v);
  }
  return x;
}

static void write_float(const char *path, int rate, int channels, const float *interleaved,
                        size_t frames) {
  SF_INFO info = {0};
  info.samplerate = rate;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
  EV_CHECK(sf != NULL, "write %s", path);
  if (sf) {
    sf_writef_float(sf, interleaved, (sf_count_t)frames);
    sf_close(sf);
  }
}

/* The summary of one run (-s FILE): rows, and speech_ratio / duration of row `i`. */
static int summary(char *const *argv, const char *sum_path, size_t *rows, double *speech,
                   double *duration) {
  int rc = ta_run(argv, NULL, NULL);
  ta_csv c;
  *rows = 0;
  if (ta_csv_read(&c, sum_path) == 0) {
    *rows = c.n_rows;
    if (c.n_rows) {
      *speech = ta_csv_num(&c, 0, ta_csv_col(&c, "speech_ratio"));
      *duration = ta_csv_num(&c, 0, ta_csv_col(&c, "duration_s"));
    }
    ta_csv_free(&c);
  }
  return rc;
}

static void symlink_loops(const char *tmp) {
  char *in = join(tmp, "loops"), *wav = join(in, "a.wav"), *l1 = join(in, "self"),
       *l2 = join(in, "again"), *sum = join(tmp, "loops.csv");
  mkdir(in, 0777);
  size_t n;
  float *x = voiced(16000, 1.0, &n);
  write_float(wav, 16000, 1, x, n);
  EV_CHECK(symlink(".", l1) == 0 && symlink(".", l2) == 0, "symbolic links to the folder");
  char *argv[] = {(char *)exe, "--bundle", (char *)bundle, "-q", "-s", sum, in, NULL};
  size_t rows;
  double sp, dur;
  int rc = summary(argv, sum, &rows, &sp, &dur);
  printf("two self-links: exit %d, %zu summary rows\n", rc, rows);
  EV_CHECK(rc == 0 && rows == 1, "the one real file is analysed once (exit %d, %zu rows)", rc,
           rows);
  free(x);
  free(in);
  free(wav);
  free(l1);
  free(l2);
  free(sum);
}

static void nan_channel(const char *tmp) {
  size_t n;
  float *x = voiced(16000, 2.0, &n);
  float *st = malloc(2 * n * sizeof *st);
  char *nanf = join(tmp, "nan_left.wav"), *zerof = join(tmp, "zero_left.wav");
  for (size_t i = 0; i < n; i++) {
    st[2 * i] = NAN;
    st[2 * i + 1] = x[i];
  }
  write_float(nanf, 16000, 2, st, n);
  for (size_t i = 0; i < n; i++)
    st[2 * i] = 0.0f;
  write_float(zerof, 16000, 2, st, n);
  const char *plugins[2] = {NULL, "stereo"};
  for (int p = 0; p < 2; p++) {
    double sp_nan = 0, sp_zero = 0, dur;
    size_t rows;
    char *sum = join(tmp, p ? "nan_stereo.csv" : "nan_mono.csv");
    char *a1[] = {(char *)exe, "--bundle", (char *)bundle, "-q", "-s", sum, nanf, NULL, NULL, NULL};
    char *a2[] = {(char *)exe, "--bundle", (char *)bundle, "-q", "-s",
                  sum,         zerof,      NULL,           NULL, NULL};
    if (plugins[p]) {
      a1[6] = "--plugin";
      a1[7] = (char *)plugins[p];
      a1[8] = nanf;
      a2[6] = "--plugin";
      a2[7] = (char *)plugins[p];
      a2[8] = zerof;
    }
    summary(a1, sum, &rows, &sp_nan, &dur);
    summary(a2, sum, &rows, &sp_zero, &dur);
    printf("%s plugin: speech ratio %.3f with a NaN channel, %.3f with a silent one\n",
           p ? "stereo" : "mono", sp_nan, sp_zero);
    EV_CHECK(sp_zero > 0.3, "premise: the speech is found beside a silent channel (%.3f)", sp_zero);
    EV_CHECK(fabs(sp_nan - sp_zero) <= 0.02,
             "%s: a NaN channel does not hide the other's speech (%.3f vs %.3f)",
             p ? "stereo" : "mono", sp_nan, sp_zero);
    free(sum);
  }
  free(x);
  free(st);
  free(nanf);
  free(zerof);
}

/* A float file whose samples are all NaN, or all infinite: read as silence, so its summary is
 * "none", which said nothing more; a note says the samples were not finite (exit 0, as for the
 * note on quiet files). A clean file gets no such note. Mono through the mono plugin, stereo
 * through the stereo one (the two read paths). */
/* The speech_ratio of a summary CSV's one row, -1 when it has not exactly one. */
static double summary_speech_ratio(const char *sum) {
  double ratio = -1;
  ta_csv c;
  if (ta_csv_read(&c, sum) == 0) {
    if (c.n_rows == 1)
      ratio = ta_csv_num(&c, 0, ta_csv_col(&c, "speech_ratio"));
    ta_csv_free(&c);
  }
  return ratio;
}

static void nonfinite_file(const char *tmp) {
  size_t n;
  float *x = voiced(16000, 2.0, &n);
  float *st = malloc(2 * n * sizeof *st);
  char *nanf = join(tmp, "all_nan.wav"), *inff = join(tmp, "all_inf.wav"),
       *clean = join(tmp, "clean.wav"), *sum = join(tmp, "nonfinite.csv"),
       *err_path = join(tmp, "nonfinite.err");
  for (size_t i = 0; i < 2 * n; i++)
    st[i] = i % 2 ? -INFINITY : INFINITY;
  write_float(inff, 16000, 2, st, n);
  for (size_t i = 0; i < n; i++)
    st[i] = NAN;
  write_float(nanf, 16000, 1, st, n);
  write_float(clean, 16000, 1, x, n);
  struct {
    char *wav;
    const char *plugin, *note; /* note: NULL, none expected */
  } runs[] = {{nanf, "mono", "32000 of 32000 samples are not finite (NaN or infinity)"},
              {inff, "stereo", "64000 of 64000 samples are not finite (NaN or infinity)"},
              {clean, "mono", NULL}};
  for (int k = 0; k < 3; k++) {
    char *argv[] = {(char *)exe, "--bundle", (char *)bundle,         "-q",        "-s",
                    sum,         "--plugin", (char *)runs[k].plugin, runs[k].wav, NULL};
    int rc = ta_run(argv, NULL, err_path);
    char *text = ta_read_file(err_path, NULL);
    double ratio = summary_speech_ratio(sum);
    printf("%s (%s plugin): exit %d, speech ratio %g, stderr: %s\n", runs[k].wav, runs[k].plugin,
           rc, ratio, text ? text : "");
    if (!runs[k].note)
      EV_CHECK(rc == 0 && ratio > 0.3 && text && !strstr(text, "not finite"),
               "a clean file: speech, no note");
    else
      EV_CHECK(rc == 0 && ratio == 0.0 && text && strstr(text, runs[k].note),
               "%s: exit 0, no speech, and the note '%s'", runs[k].wav, runs[k].note);
    free(text);
  }
  free(x);
  free(st);
  free(nanf);
  free(inff);
  free(clean);
  free(sum);
  free(err_path);
}

static void set_nan(const char *tmp) {
  const char *bad[] = {"gate_db=nan", "gate_db=inf", "gate_db=-inf"};
  char *err_path = join(tmp, "set.err"), *wav = join(tmp, "set.wav");
  size_t n;
  float *x = voiced(16000, 1.0, &n);
  write_float(wav, 16000, 1, x, n);
  for (int i = 0; i < 3; i++) {
    char *argv[] = {(char *)exe, "--bundle", (char *)bundle, "--set", (char *)bad[i], wav, NULL};
    int rc = ta_run(argv, NULL, err_path);
    char *text = ta_read_file(err_path, NULL);
    EV_CHECK(rc == 2 && text && strstr(text, "finite"), "--set %s is refused (exit %d: %s)", bad[i],
             rc, text ? text : "");
    free(text);
  }
  free(x);
  free(err_path);
  free(wav);
}

static void streaming_wav(const char *tmp) {
  char *wav = join(tmp, "stream.wav"), *sum = join(tmp, "stream.csv");
  size_t n;
  float *x = voiced(16000, 2.0, &n);
  SF_INFO info = {0};
  info.samplerate = 16000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE *sf = sf_open(wav, SFM_WRITE, &info);
  sf_writef_float(sf, x, (sf_count_t)n);
  sf_close(sf);
  /* the data chunk's size as a streaming writer leaves it */
  FILE *f = fopen(wav, "r+b");
  unsigned char head[64];
  size_t got = fread(head, 1, sizeof head, f);
  int patched = 0;
  for (size_t k = 12; k + 8 <= got; k++)
    if (!memcmp(head + k, "data", 4)) {
      fseek(f, (long)k + 4, SEEK_SET);
      fwrite("\xff\xff\xff\xff", 1, 4, f);
      patched = 1;
      break;
    }
  fclose(f);
  EV_CHECK(patched, "data chunk found");
  char *argv[] = {(char *)exe, "--bundle", (char *)bundle, "-q", "-s", sum, wav, NULL};
  size_t rows;
  double sp = 0, dur = 0;
  int rc = summary(argv, sum, &rows, &sp, &dur);
  printf("data size 0xFFFFFFFF: exit %d, %zu rows, %.3f s, speech %.3f\n", rc, rows, dur, sp);
  EV_CHECK(rc == 0 && rows == 1 && fabs(dur - 2.0) < 0.01,
           "analysed in full (exit %d, %.3f s of 2.000)", rc, dur);
  free(x);
  free(wav);
  free(sum);
}

static void model_fault(const char *tmp) {
  char *model = join(tmp, "overflow.safetensors"), *wav = join(tmp, "tones.wav"),
       *err_path = join(tmp, "fault.err"), *sum = join(tmp, "fault.csv");
  char err[256];
  ev_model *m = overflow_model();
  EV_CHECK(m && ev_model_save(m, model, err, sizeof err) == 0, "overflow model saved");
  ev_model_free(m);
  const size_t seg = 48000;
  float *x = malloc(3 * seg * sizeof *x);
  overflow_tone(x, seg, 48000, 0.01f, 0);
  overflow_tone(x + seg, seg, 48000, 0.5f, seg);
  overflow_tone(x + 2 * seg, seg, 48000, 0.01f, 2 * seg);
  write_float(wav, 48000, 1, x, 3 * seg);
  char *argv[] = {(char *)exe, "--bundle", (char *)bundle, "-q", "-m", model, "-s", sum, wav, NULL};
  int rc = ta_run(argv, NULL, err_path);
  char *text = ta_read_file(err_path, NULL);
  printf("overflow model: exit %d, stderr: %s\n", rc, text ? text : "");
  EV_CHECK(rc == 0 && text && strstr(text, "not finite") && strstr(text, "from 1."),
           "the analyser says where the model's output was not finite");
  free(text);
  free(x);
  free(model);
  free(wav);
  free(err_path);
  free(sum);
}

/* Runs the tool on wav with an optional --set: the summary's speech ratio (-1 without a
 * row), and its stderr in *err_text. */
static double speech_ratio(const char *tmp, const char *wav, const char *set, char **err_text) {
  char *sum = join(tmp, "quiet.csv"), *err_path = join(tmp, "quiet.err");
  char *argv[] = {(char *)exe, "--bundle",  (char *)bundle, "-q", "-s",
                  sum,         (char *)wav, NULL,           NULL, NULL};
  if (set) {
    argv[6] = "--set";
    argv[7] = (char *)set;
    argv[8] = (char *)wav;
  }
  ta_run(argv, NULL, err_path);
  *err_text = ta_read_file(err_path, NULL);
  double ratio = summary_speech_ratio(sum);
  remove(sum);
  free(sum);
  free(err_path);
  return ratio;
}

static void quiet_speech(const char *tmp) {
  size_t n;
  float *x = voiced(16000, 3.0, &n);
  char *loud = join(tmp, "loud.wav"), *quiet = join(tmp, "quiet.wav"),
       *zero = join(tmp, "zero.wav");
  write_float(loud, 16000, 1, x, n);
  const float g = powf(10.0f, -55.0f / 20.0f);
  for (size_t i = 0; i < n; i++)
    x[i] *= g;
  write_float(quiet, 16000, 1, x, n);
  memset(x, 0, n * sizeof *x);
  write_float(zero, 16000, 1, x, n);
  char *text = NULL;
  double r = speech_ratio(tmp, quiet, NULL, &text);
  const char *hint = text ? strstr(text, "--set gate_db=") : NULL;
  EV_CHECK(r == 0.0 && hint && strstr(text, "no speech above the gate (-60 dBFS)"),
           "speech 55 dB down: no speech, and a note (ratio %g: %s)", r, text ? text : "");
  char set[64] = "";
  if (hint) {
    double gate = strtod(hint + strlen("--set gate_db="), NULL);
    EV_CHECK(gate < -60.0 && gate >= -90.0, "the suggested gate %g is below -60", gate);
    snprintf(set, sizeof set, "gate_db=%g", gate);
  }
  free(text);
  if (set[0]) {
    r = speech_ratio(tmp, quiet, set, &text);
    EV_CHECK(r > 0.3 && text && !strstr(text, "no speech above"),
             "with %s the quiet speech is found (ratio %g)", set, r);
    free(text);
  }
  r = speech_ratio(tmp, zero, NULL, &text);
  EV_CHECK(r == 0.0 && text && !strstr(text, "no speech above"), "silence: no note (%s)",
           text ? text : "");
  free(text);
  r = speech_ratio(tmp, loud, NULL, &text);
  EV_CHECK(r > 0.3 && text && !strstr(text, "no speech above"), "full level: speech, no note");
  free(text);
  free(x);
  free(loud);
  free(quiet);
  free(zero);
}

/* A summary that does not fit on the disk (a file size limit of 1 KiB, SIGXFSZ ignored: the
 * write fails with EFBIG as on a full disk): exit 1 with the reason, and neither a shortened
 * summary that reads like the whole run (it was cut at the failure) nor a lost earlier one. */
static void summary_full(const char *tmp) {
  char *in = join(tmp, "full"), *sum = join(tmp, "full.csv"), *part = join(tmp, "full.csv.part"),
       *err_path = join(tmp, "full.err");
  mkdir(in, 0777);
  size_t n;
  float *x = voiced(16000, 0.5, &n);
  for (int k = 0; k < 12; k++) { /* 12 rows of about 150 bytes */
    char name[32];
    snprintf(name, sizeof name, "clip%02d.wav", k);
    char *wav = join(in, name);
    write_float(wav, 16000, 1, x, n);
    free(wav);
  }
  FILE *f = fopen(sum, "w");
  if (f) {
    fputs("previous\n", f);
    fclose(f);
  }
  char *argv[] = {(char *)exe, "--bundle", (char *)bundle, "-q", "-s", sum, in, NULL};
  struct rlimit old, small;
  getrlimit(RLIMIT_FSIZE, &old);
  small = old;
  small.rlim_cur = 1024;
  signal(SIGXFSZ, SIG_IGN);
  setrlimit(RLIMIT_FSIZE, &small); /* the child inherits it */
  int rc = ta_run(argv, NULL, err_path);
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, SIG_DFL);
  char *text = ta_read_file(err_path, NULL), *kept = ta_read_file(sum, NULL);
  printf("summary on a full disk: exit %d: %s", rc, text ? text : "");
  EV_CHECK(rc == 1 && text && strstr(text, "cannot write the summary"),
           "exit 1 and the reason (exit %d)", rc);
  EV_CHECK(kept && !strcmp(kept, "previous\n"), "the earlier summary is kept (%.40s)",
           kept ? kept : "(none)");
  EV_CHECK(access(part, F_OK) != 0, "no %s left", part);
  free(text);
  free(kept);
  free(x);
  free(in);
  free(sum);
  free(part);
  free(err_path);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s EMOVOX_ANALYZE BUNDLE\n", argv[0]);
    return 2;
  }
  exe = argv[1];
  bundle = argv[2];
  char *tmp = ta_mkdtemp();
  symlink_loops(tmp);
  nan_channel(tmp);
  nonfinite_file(tmp);
  set_nan(tmp);
  streaming_wav(tmp);
  model_fault(tmp);
  quiet_speech(tmp);
  summary_full(tmp);
  ta_rm_rf(tmp);
  free(tmp);
  EV_TEST_END();
}
