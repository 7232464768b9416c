/* Benchmark (figures only, nothing asserted): emovox-features end to end next to the extractor
 * alone, on the same 48 kHz file: MFCC with deltas (the comparison with openSMILE's
 * MFCC12_0_D_A; target >= 2000x) and every eGeMAPS descriptor with the 88 functionals
 * (`--functionals egemaps`, openSMILE's eGeMAPSv02; target >= 420x). A 10-minute
 * (EMOVOX_BENCH_QUICK=1: 1-minute) 16-bit WAV of the speech-like test signal is written to a
 * temporary folder; then, in turns (median of 3 each):
 *   - the extractor alone: the decoded samples already in memory, ev_extractor_process in
 *     blocks of 4096 + flush, mfcc_delta only (thread CPU time); for eGeMAPS,
 *     ev_functionals_of_file() on the samples in memory;
 *   - the whole process: emovox-features --feature mfcc_delta --format f32 (and csv), and
 *     emovox-features --functionals egemaps: CPU time (user + system, from wait4), wall time
 *     and peak RSS.
 * argv[1]: the built emovox-features. */
#include "ev_functionals.h"
#include "ev_features.h"
#include "test_signal.h"

#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../common/bench_clock.h"

static void on_frame(void *user, const ev_frame *fr) {
  *(double *)user += fr->feat[EV_FEAT_MFCC_DELTA][0];
}

/* The extractor alone on the file's samples, decoded into memory first (in a child process);
 * thread CPU seconds of the extraction. */
static double extractor_alone(const ev_feature_config *cfg, const char *wav, double rate,
                              int egemaps) {
  int fd[2];
  double t = -1;
  if (pipe(fd))
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(wav, SFM_READ, &info);
    size_t n = sf ? (size_t)info.frames : 0;
    float *x = malloc(sizeof(float) * n + 1);
    if (sf)
      sf_readf_float(sf, x, (sf_count_t)n);
    sf_close(sf);
    double sink = 0, t0 = bench_cpu_s();
    if (egemaps) {
      float v[EV_FUNC_N];
      if (ev_functionals_of_file(x, n, rate, v, NULL, 0) == 0)
        sink = v[0];
    } else {
      ev_extractor *ex = ev_extractor_new_offline(cfg, rate, 4096, NULL, 0);
      ev_extractor_set_features(ex, EV_FEATURE_BIT(EV_FEAT_MFCC_DELTA));
      for (size_t i = 0; i < n; i += 4096)
        ev_extractor_process(ex, x + i, (uint32_t)(n - i < 4096 ? n - i : 4096), on_frame, &sink);
      ev_extractor_flush(ex, on_frame, &sink);
      ev_extractor_free(ex);
    }
    t = sink == 12345.0 ? 0 : bench_cpu_s() - t0; /* keeps the work observable */
    ssize_t w = write(fd[1], &t, sizeof t);
    _exit(w == sizeof t ? 0 : 1);
  }
  close(fd[1]);
  if (pid < 0 || read(fd[0], &t, sizeof t) != sizeof t)
    t = -1;
  close(fd[0]);
  waitpid(pid, NULL, 0);
  return t;
}

/* the whole process: CPU s (user + sys), wall s, peak RSS KiB */
/* fmt: f32 or csv for --feature mfcc_delta, NULL for --functionals egemaps */
static int run_cli(const char *exe, const char *wav, const char *fmt, const char *out, double *cpu,
                   double *wall, long *rss) {
  double t0 = bench_wall_s();
  pid_t pid = fork();
  if (pid == 0) {
    if (fmt)
      execl(exe, exe, "--feature", "mfcc_delta", "--format", fmt, "-o", out, wav, (char *)NULL);
    else
      execl(exe, exe, "--functionals", "egemaps", "-o", out, wav, (char *)NULL);
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  if (pid < 0 || wait4(pid, &status, 0, &ru) != pid)
    return -1;
  *wall = bench_wall_s() - t0;
  *cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec * 1e-6;
  *rss = ru.ru_maxrss;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    printf("usage: bench_features_cli EMOVOX_FEATURES\n");
    return 77;
  }
  const char *q = getenv("EMOVOX_BENCH_QUICK");
  int quick = q && strcmp(q, "0") && *q;
  const double rate = 48000, seconds = quick ? 60.0 : 600.0;
  char dir[] = "/tmp/ev_bench_cli_XXXXXX", wav[64], out[64];
  if (!mkdtemp(dir))
    return 1;
  snprintf(wav, sizeof wav, "%s/in.wav", dir);
  snprintf(out, sizeof out, "%s/out", dir);
  /* The file and the extractor's runs are made in child processes, so that this process
   * stays small: a child's peak RSS (wait4) includes what it inherited before its exec. */
  pid_t pid = fork();
  if (pid == 0) {
    size_t n;
    float *x = test_signal(rate, seconds, &n);
    SF_INFO info = {
        .samplerate = (int)rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *sf = sf_open(wav, SFM_WRITE, &info);
    if (!sf)
      _exit(1);
    sf_writef_float(sf, x, (sf_count_t)n);
    sf_close(sf);
    _exit(0);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
    return 1;
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  double t_ex[3], c_f32[3], w_f32[3], c_csv[3], w_csv[3], t_eg[3], c_eg[3], w_eg[3];
  long rss_f32 = 0, rss_csv = 0, rss_eg = 0;
  int fails = 0;
  for (int r = 0; r < 3; r++) { /* in turns, so that the machine's load hits all alike */
    t_ex[r] = extractor_alone(&cfg, wav, rate, 0);
    fails += run_cli(argv[1], wav, "f32", out, &c_f32[r], &w_f32[r], &rss_f32) != 0;
    fails += run_cli(argv[1], wav, "csv", out, &c_csv[r], &w_csv[r], &rss_csv) != 0;
    t_eg[r] = extractor_alone(&cfg, wav, rate, 1);
    fails += run_cli(argv[1], wav, NULL, out, &c_eg[r], &w_eg[r], &rss_eg) != 0;
  }
  double ex_x = seconds / bench_median(t_ex, 3);
  printf("MFCC with deltas of %.0f s of 48 kHz speech-like audio (16-bit WAV), median of 3, in "
         "turns%s:\n",
         seconds, fails ? " (SOME CLI RUNS FAILED)" : "");
  printf("  extractor alone (samples in memory, thread CPU): %6.0f x realtime (%.3f s)\n", ex_x,
         seconds / ex_x);
  printf("  emovox-features, whole process, --format f32:   %6.0f x realtime by CPU (%.3f s "
         "user+sys), %6.0f x by wall time; peak RSS %ld KiB\n",
         seconds / bench_median(c_f32, 3), bench_median(c_f32, 3), seconds / bench_median(w_f32, 3),
         rss_f32);
  printf("  emovox-features, whole process, --format csv:   %6.0f x realtime by CPU (%.3f s "
         "user+sys), %6.0f x by wall time; peak RSS %ld KiB\n",
         seconds / bench_median(c_csv, 3), bench_median(c_csv, 3), seconds / bench_median(w_csv, 3),
         rss_csv);
  printf("every eGeMAPS descriptor + the 88 functionals of the same file (target >= 420x):\n");
  printf("  ev_functionals_of_file (samples in memory, thread CPU): %6.0f x realtime (%.3f s)\n",
         seconds / bench_median(t_eg, 3), bench_median(t_eg, 3));
  printf("  emovox-features --functionals egemaps, whole process: %6.0f x realtime by CPU (%.3f s "
         "user+sys), %6.0f x by wall time; peak RSS %ld KiB\n",
         seconds / bench_median(c_eg, 3), bench_median(c_eg, 3), seconds / bench_median(w_eg, 3),
         rss_eg);
  unlink(wav);
  unlink(out);
  rmdir(dir);
  return 0;
}
