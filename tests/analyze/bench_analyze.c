/* Benchmark of emovox-analyze end to end (read, plugin, summary): x realtime with 1 and 2
 * jobs over a deterministic subset of the shared corpora (EMOVOX_BENCH_QUICK=1: 20 files,
 * else 240); then one long 48 kHz file (the speech-like test signal, 16-bit WAV: 10 and 20
 * minutes, quick: 1 and 2) with one job, -o and --summary: x realtime by CPU and peak RSS,
 * which must not grow with the length (target >= 2000x, flat memory). Prints figures only.
 * Usage: bench_analyze EMOVOX_ANALYZE BUNDLE [MODEL]
 * The model is the bundle's default (the shipped model, what users run) unless MODEL or
 * EMOVOX_BENCH_MODEL names another weight file, which is then sent with --model. */
#include "dsp/test_signal.h"
#include "ta_util.h"

#include <dirent.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../common/bench_clock.h"

typedef struct list {
  char **v;
  size_t n, cap;
} list;

static void walk(list *l, const char *dir) {
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat st;
    if (stat(path, &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode))
      walk(l, path);
    else if (strstr(e->d_name, ".flac")) {
      if (l->n == l->cap)
        l->v = realloc(l->v, (l->cap = l->cap ? 2 * l->cap : 1024) * sizeof *l->v);
      l->v[l->n++] = strdup(path);
    }
  }
  closedir(d);
}

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs the tool, returns wall seconds; cpu seconds and peak RSS (KiB) through pointers. */
static double run(char *const *argv, double *cpu, long *rss_kib, int *status) {
  fflush(stdout);
  double t0 = bench_wall_s();
  pid_t pid = fork();
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    execv(argv[0], argv);
    _exit(127);
  }
  int st = 0;
  struct rusage ru;
  wait4(pid, &st, 0, &ru);
  double wall = bench_wall_s() - t0;
  *cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
         (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
  *rss_kib = ru.ru_maxrss;
  *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return wall;
}

/* One long file, one job: the figures the targets name. */
static void bench_long(char *const *argv, const char *model, const char *tmp, int quick) {
  const double rate = 48000;
  const int minutes[2] = {quick ? 1 : 10, quick ? 2 : 20};
  long rss[2] = {0, 0};
  for (int k = 0; k < 2; k++) {
    char wav[4096], out[4096], sum[4096];
    snprintf(wav, sizeof wav, "%s/long%d.wav", tmp, k);
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(sum, sizeof sum, "%s/long%d.csv", tmp, k);
    pid_t pid = fork(); /* the signal is made in a child: this process stays small */
    if (pid == 0) {
      size_t n;
      float *x = test_signal(rate, 60.0 * minutes[k], &n);
      SF_INFO info = {
          .samplerate = (int)rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
      SNDFILE *sf = sf_open(wav, SFM_WRITE, &info);
      if (!sf)
        _exit(1);
      sf_writef_float(sf, x, (sf_count_t)n);
      sf_close(sf);
      _exit(0);
    }
    waitpid(pid, NULL, 0);
    char *args[16];
    int a = 0;
    args[a++] = argv[1];
    args[a++] = "--bundle";
    args[a++] = argv[2];
    if (model) {
      args[a++] = "--model";
      args[a++] = (char *)model;
    }
    args[a++] = "-q";
    args[a++] = "-o";
    args[a++] = out;
    args[a++] = "--summary";
    args[a++] = sum;
    args[a++] = wav;
    args[a] = NULL;
    double cpu;
    int status;
    double wall = run(args, &cpu, &rss[k], &status);
    double audio_s = 60.0 * minutes[k];
    printf("  one %d-min 48 kHz file, 1 job, -o and --summary: %.2f s CPU -> %.0fx realtime by CPU "
           "(%.0fx by wall), peak RSS %.1f MiB%s\n",
           minutes[k], cpu, audio_s / cpu, audio_s / wall, rss[k] / 1024.0,
           status ? " (the tool failed!)" : "");
    unlink(wav);
  }
  printf("  peak RSS for twice the audio: %+.2f MiB (target: flat; >= 2000x realtime)\n",
         (rss[1] - rss[0]) / 1024.0);
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: %s EMOVOX_ANALYZE BUNDLE [MODEL]  (or env EMOVOX_BENCH_MODEL)\n",
            argv[0]);
    return 2;
  }
  const char *model = argc == 4 ? argv[3] : getenv("EMOVOX_BENCH_MODEL");
  if (model && !*model)
    model = NULL;
  const char *corpora = getenv("EMOVOX_CORPORA");
  if (!corpora) {
    printf("SKIP: EMOVOX_CORPORA not set\n");
    return 77;
  }
  int quick = getenv("EMOVOX_BENCH_QUICK") && atoi(getenv("EMOVOX_BENCH_QUICK"));
  size_t want = quick ? 20 : 240;
  list all = {0};
  walk(&all, corpora);
  if (all.n == 0) {
    printf("SKIP: no .flac files in %s\n", corpora);
    return 77;
  }
  qsort(all.v, all.n, sizeof *all.v, cmp);
  /* Every k-th file of the sorted list: all corpora, deterministic. */
  size_t step = all.n / want ? all.n / want : 1, n = 0;
  double audio_s = 0;
  char *tmp = ta_mkdtemp();
  char list_path[4096];
  snprintf(list_path, sizeof list_path, "%s/files.txt", tmp);
  FILE *f = fopen(list_path, "w");
  for (size_t i = 0; i < all.n && n < want; i += step, n++) {
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(all.v[i], SFM_READ, &info);
    if (sf) {
      audio_s += (double)info.frames / info.samplerate;
      sf_close(sf);
    }
    fprintf(f, "%s\n", all.v[i]);
  }
  fclose(f);
  printf("emovox-analyze end to end: %zu files, %.1f s of audio (of %zu corpus files), model %s\n",
         n, audio_s, all.n, model ? model : "the bundle's default");
  for (int jobs = 1; jobs <= 2; jobs++) {
    char jobs_arg[16];
    snprintf(jobs_arg, sizeof jobs_arg, "--jobs=%d", jobs);
    char *args[16];
    int k = 0;
    args[k++] = argv[1];
    args[k++] = "--bundle";
    args[k++] = argv[2];
    if (model) {
      args[k++] = "--model";
      args[k++] = (char *)model;
    }
    args[k++] = "--list";
    args[k++] = list_path;
    args[k++] = "--summary";
    args[k++] = "/dev/null";
    args[k++] = "-q";
    args[k++] = jobs_arg;
    args[k] = NULL;
    double cpu;
    long rss;
    int status;
    double wall = run(args, &cpu, &rss, &status);
    printf("  %d job%s: %.2f s wall, %.2f s CPU -> %.0fx realtime, %.0fx realtime per CPU "
           "second, peak RSS %.1f MiB%s\n",
           jobs, jobs > 1 ? "s" : " ", wall, cpu, audio_s / wall, audio_s / cpu, rss / 1024.0,
           status ? " (the tool failed!)" : "");
  }
  printf("  (the machine's other load counts in wall time)\n");
  bench_long(argv, model, tmp, quick);
  ta_rm_rf(tmp);
  free(tmp);
  for (size_t i = 0; i < all.n; i++)
    free(all.v[i]);
  free(all.v);
  return 0;
}
