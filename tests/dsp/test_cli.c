/* emovox-features end to end: the installed command on the reference WAVs with --format f32
 * against librosa's files, the CSV layout and frame count on a 48 kHz stereo file, and the
 * error paths (exit status and message). argv[1]: the built emovox-features. */
#include "ev_ref.h"
#include "ev_test.h"

#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *exe;
static char dir[256];

static int run(const char *args, const char *out_name) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "'%s' %s > '%s/%s' 2>&1", exe, args, dir, out_name);
  int rc = system(cmd);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *slurp(const char *name, size_t *len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *buf = calloc(1, 1 << 22);
  *len = fread(buf, 1, (1 << 22) - 1, f);
  fclose(f);
  return buf;
}

/* max |ours - librosa| over the file, -1 if the sizes differ */
static double compare_f32(const char *feature, const char *extra, const char *input,
                          const char *ref_name) {
  char args[1024], out[64], ref[128];
  snprintf(out, sizeof out, "%s.%s.f32", input, ref_name);
  snprintf(args, sizeof args, "%s --feature %s --format f32 -o '%s/%s' '%s'", extra, feature, dir,
           out, ev_ref_path(input));
  int rc = run(args, "log.txt");
  EV_CHECK(rc == 0, "emovox-features %s failed (%d)", args, rc);
  size_t n_ours = 0, n_ref = 0;
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, out);
  float *ours = ev_ref_read_f32(path, &n_ours);
  snprintf(ref, sizeof ref, "%.*s.%s.f32", (int)(strlen(input) - 4), input, ref_name);
  float *lib = ev_ref_read_f32(ev_ref_path(ref), &n_ref);
  double worst = -1;
  if (ours && lib && n_ours == n_ref) {
    worst = 0;
    for (size_t i = 0; i < n_ref; i++)
      worst = fmax(worst, fabs((double)ours[i] - lib[i]));
  }
  EV_CHECK(worst >= 0, "%s: %zu values, librosa %zu", ref, n_ours, n_ref);
  printf("%-28s max |diff| %.3g over %zu values\n", ref, worst, n_ref);
  free(ours);
  free(lib);
  return worst;
}

int main(int argc, char **argv) {
  if (argc < 2)
    EV_SKIP("usage: test_cli PATH/emovox-features");
  if (!ev_ref_path("x"))
    EV_SKIP("EMOVOX_REFERENCE not set");
  exe = argv[1];
  snprintf(dir, sizeof dir, "/tmp/emovox-cli-XXXXXX");
  EV_CHECK(mkdtemp(dir) != NULL, "mkdtemp");

  /* parity through the command (README float32-C tolerances) */
  EV_CHECK(compare_f32("zcr", "", "speech.wav", "zcr") == 0, "zcr must be exact");
  EV_CHECK(compare_f32("rolloff", "", "speech.wav", "rolloff") == 0, "rolloff must be exact");
  EV_CHECK(compare_f32("mfcc_delta2", "", "speech.wav", "mfcc_delta2") <= 1e-2, "delta2");
  EV_CHECK(compare_f32("mfcc", "", "chirp.wav", "mfcc") <= 0.1, "mfcc");
  EV_CHECK(compare_f32("rms", "", "noise.wav", "rms") <= 1e-6, "rms");
  EV_CHECK(compare_f32("chroma", "--n-fft 2048 --win 2048", "speech.wav", "chroma_nfft2048") <=
               1e-5,
           "chroma at n_fft 2048");
  EV_CHECK(compare_f32("logmel", "--sr 16000 --n-mels 64 --fmin 0 --fmax 8000", "sine1k.wav",
                       "logmel") <= 0.2,
           "logmel");

  /* 48 kHz stereo: downmix + resampling; CSV with one row per frame, n_mels columns */
  char path[512];
  snprintf(path, sizeof path, "%s/stereo48k.wav", dir);
  SF_INFO info = {.samplerate = 48000, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
  SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
  EV_CHECK(sf != NULL, "cannot write %s", path);
  const int n = 48000;
  short *pcm = malloc(sizeof(short) * 2 * n);
  for (int i = 0; i < n; i++)
    pcm[2 * i] = pcm[2 * i + 1] = (short)(8000 * sin(2 * M_PI * 440.0 * i / 48000));
  if (sf) {
    sf_writef_short(sf, pcm, n);
    sf_close(sf);
  }
  free(pcm);
  char args[1024];
  snprintf(args, sizeof args, "--feature mel '%s'", path);
  EV_CHECK(run(args, "mel.csv") == 0, "mel of a 48 kHz stereo file");
  size_t len = 0;
  char *csv = slurp("mel.csv", &len);
  int rows = 0, commas = 0;
  for (size_t i = 0; csv && i < len; i++) {
    rows += csv[i] == '\n';
    commas += csv[i] == ',';
  }
  /* 16000 samples after resampling: T = 1 + (16000 - 512) / 160 = 97 */
  EV_CHECK(rows == 97 && commas == 97 * 63, "CSV has %d rows, %d commas", rows, commas);
  free(csv);

  /* one eGeMAPS descriptor by its openSMILE-table name: one column, one row per frame; a
   * 440 Hz tone is 12 log2(440 / 27.5) = 48 semitones */
  snprintf(args, sizeof args, "--feature f0 '%s'", path);
  EV_CHECK(run(args, "f0.csv") == 0, "f0 of a 48 kHz stereo file");
  csv = slurp("f0.csv", &len);
  rows = commas = 0;
  int near48 = 0;
  for (char *line = csv; csv && line && *line;
       line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    rows++;
    near48 += fabs(atof(line) - 48.0) < 0.05;
  }
  for (size_t i = 0; csv && i < len; i++)
    commas += csv[i] == ',';
  EV_CHECK(rows == 97 && commas == 0 && near48 >= 80, "f0 CSV: %d rows, %d commas, %d near 48 st",
           rows, commas, near48);
  free(csv);
  snprintf(args, sizeof args, "--feature formants '%s'", path);
  EV_CHECK(run(args, "fmt.csv") == 0, "formants group");
  csv = slurp("fmt.csv", &len);
  commas = 0;
  for (size_t i = 0; csv && i < len; i++)
    commas += csv[i] == ',';
  EV_CHECK(commas == 97 * 8, "formants CSV has %d commas (9 columns)", commas);
  free(csv);

  /* errors: exit status and a message that says what to do */
  EV_CHECK(run("--help", "help.txt") == 0, "--help");
  csv = slurp("help.txt", &len);
  EV_CHECK(csv && strstr(csv, "--feature"), "--help text");
  free(csv);
  snprintf(args, sizeof args, "--feature nope '%s'", ev_ref_path("speech.wav"));
  EV_CHECK(run(args, "err.txt") == 2, "unknown feature must exit 2");
  csv = slurp("err.txt", &len);
  EV_CHECK(csv && strstr(csv, "unknown feature"), "message for unknown feature");
  free(csv);
  EV_CHECK(run("--feature mfcc /nonexistent.wav", "err.txt") == 1, "missing file must exit 1");
  EV_CHECK(run("--n-fft abc --feature mfcc x.wav", "err.txt") == 2, "bad number must exit 2");
  snprintf(args, sizeof args, "--win 600 --feature mfcc '%s'", ev_ref_path("speech.wav"));
  EV_CHECK(run(args, "err.txt") == 2, "win > n_fft must exit 2");
  /* too short for deltas: silence.wav (8000 samples) gives 1 + (8000 - 4096) / 512 = 8 frames */
  snprintf(args, sizeof args, "--hop 512 --n-fft 4096 --win 4096 --feature mfcc_delta '%s'",
           ev_ref_path("silence.wav"));
  EV_CHECK(run(args, "err.txt") == 1, "deltas of < 9 frames must fail");
  csv = slurp("err.txt", &len);
  EV_CHECK(csv && strstr(csv, "at least 9 frames"), "message for short file");
  free(csv);

  /* a folder and a 0-byte file: the reason, as emovox-analyze gives it, not libsndfile's
   * "Format not recognised" */
  snprintf(path, sizeof path, "%s/empty.wav", dir);
  FILE *empty = fopen(path, "w");
  if (empty)
    fclose(empty);
  const char *not_audio[][2] = {{path, "empty file (0 bytes)"}, {dir, "is a directory"}};
  for (int f = 0; f < 2; f++)
    for (int k = 0; k < 2; k++) {
      snprintf(args, sizeof args, "%s '%s'", k ? "--functionals egemaps" : "--feature rms",
               not_audio[f][0]);
      int rc = run(args, "err.txt");
      csv = slurp("err.txt", &len);
      EV_CHECK(rc == 1 && csv && strstr(csv, not_audio[f][1]) && !strstr(csv, "not recognised"),
               "%s on %s: exit %d, %s", k ? "--functionals" : "--feature", not_audio[f][1], rc,
               csv ? csv : "");
      free(csv);
    }

  /* rates the extractor does not take (8-192 kHz): refused with the range and how to convert
   * the file, for a frame feature and for the functionals alike (it said "host sample rate") */
  const int odd_rates[] = {200000, 4000};
  for (int r = 0; r < 2; r++) {
    snprintf(path, sizeof path, "%s/rate%d.wav", dir, odd_rates[r]);
    SF_INFO oi = {
        .samplerate = odd_rates[r], .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *osf = sf_open(path, SFM_WRITE, &oi);
    short zeros[4000] = {0};
    if (osf) {
      sf_writef_short(osf, zeros, 4000);
      sf_close(osf);
    }
    for (int k = 0; k < 2; k++) {
      snprintf(args, sizeof args, "%s '%s'", k ? "--functionals egemaps" : "--feature rms", path);
      int rc = run(args, "err.txt");
      csv = slurp("err.txt", &len);
      EV_CHECK(rc == 1 && csv && strstr(csv, "8000-192000 Hz") && strstr(csv, "sox ") &&
                   !strstr(csv, "host"),
               "%s at %d Hz: exit %d, %s", k ? "--functionals" : "--feature", odd_rates[r], rc,
               csv ? csv : "");
      free(csv);
    }
  }

  /* a full disk: the output is lost, so the exit status says so, on standard output too */
  const char *to_full[] = {"--functionals egemaps", "--feature rms"};
  for (int k = 0; k < 2; k++) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' %s '%s' > /dev/full 2> '%s/err.txt'", exe, to_full[k],
             ev_ref_path("speech.wav"), dir);
    int rc = system(cmd);
    csv = slurp("err.txt", &len);
    EV_CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 1 && csv && strstr(csv, "write error"),
             "%s > /dev/full: exit %d, %s", to_full[k], WIFEXITED(rc) ? WEXITSTATUS(rc) : -1,
             csv ? csv : "");
    free(csv);
  }
  /* -o on a full disk: the reading stops at the failed write, and the file is not to blame
   * (it was reported as truncated) */
  snprintf(args, sizeof args, "--feature logmel -o /dev/full '%s'", ev_ref_path("speech.wav"));
  EV_CHECK(run(args, "err.txt") == 1, "-o /dev/full must exit 1");
  csv = slurp("err.txt", &len);
  EV_CHECK(csv && strstr(csv, "write error") && !strstr(csv, "truncated"),
           "-o /dev/full: a write error, not a truncated input: %s", csv ? csv : "");
  free(csv);
  /* -o to a regular file that fills up (a file size limit of a few KiB; SIGXFSZ ignored: the write
   * fails with EFBIG as on a full disk): no shortened file that reads like a result, no .part,
   * and the previous output is kept */
  for (int k = 0; k < 2; k++) {
    char cmd[2048], path[512];
    snprintf(path, sizeof path, "%s/full.csv", dir);
    FILE *prev = fopen(path, "w");
    if (prev) {
      fputs("previous\n", prev);
      fclose(prev);
    }
    snprintf(cmd, sizeof cmd, "trap '' XFSZ; ulimit -f 8; '%s' %s -o '%s' '%s' 2> '%s/err.txt'",
             exe, k ? "--feature logmel" : "--feature logmel --format f32", path,
             ev_ref_path("speech.wav"), dir);
    int rc = system(cmd);
    csv = slurp("full.csv", &len);
    char *part = slurp("full.csv.part", &len);
    EV_CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 1 && csv && !strcmp(csv, "previous\n") && !part,
             "%s to a full disk: exit %d, the previous file %s, %s", k ? "CSV" : "f32",
             WIFEXITED(rc) ? WEXITSTATUS(rc) : -1,
             csv && !strcmp(csv, "previous\n") ? "kept" : "lost",
             part ? "a .part left" : "no .part");
    free(csv);
    free(part);
  }
  /* a device is written in place, not renamed over */
  snprintf(args, sizeof args, "--feature rms -o /dev/null '%s'", ev_ref_path("speech.wav"));
  struct stat st;
  EV_CHECK(run(args, "err.txt") == 0 && stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode),
           "-o /dev/null");

  snprintf(args, sizeof args, "rm -rf '%s'", dir);
  if (system(args) != 0)
    fprintf(stderr, "could not remove %s\n", dir);
  EV_TEST_END();
}
