/* Benchmark: analyser cost at 48 kHz for block sizes 64/256/1024 with a given model file
 * (x realtime, median and worst block, worst/median; CPU time of the calling thread). Prints
 * figures, asserts nothing.
 * usage: bench_analyzer [MODEL]   (EMOVOX_BENCH_QUICK=1: a few seconds in total) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analyzer_signal.h"
#include "ev_analyzer.h"
#include "ev_model.h"
#include "rt_guard.h"
#include "../common/bench_clock.h"

/* Thread CPU time: a shared machine's preemptions (multiples of the 4 ms scheduler tick)
 * would otherwise dominate the worst block. */
static void bench(const ev_model *model, double rate, uint32_t block, double seconds) {
  char err[512];
  ev_analyzer *an = ev_analyzer_new(rate, block, err, sizeof err);
  if (!an) {
    fprintf(stderr, "%s\n", err);
    return;
  }
  ev_model_runtime *rt = model ? ev_analyzer_prepare_model(an, model, err, sizeof err) : NULL;
  if (model && !rt) {
    fprintf(stderr, "%s\n", err);
    ev_analyzer_free(an);
    return;
  }
  ev_analyzer_swap_model(an, rt);
  size_t n;
  float *x = make_signal(rate, &n); /* 3.5 s, looped */
  size_t total = (size_t)(seconds * rate) / block;
  double *t = malloc(total * sizeof(double));
  size_t pos = 0;
  double t_all = 0.0;
  for (size_t b = 0; b < total; b++) {
    if (pos + block > n)
      pos = 0;
    double t0 = bench_cpu_s();
    ev_analyzer_process(an, x + pos, block);
    t[b] = bench_cpu_s() - t0;
    t_all += t[b];
    pos += block;
  }
  qsort(t, total, sizeof(double), bench_cmp_double);
  const double audio = (double)total * block / rate;
  const double median = t[total / 2], p99 = t[total * 99 / 100], worst = t[total - 1];
  printf("%-9s %6.0f Hz block %5u: %7.1f x realtime, median %7.2f us, p99 %7.2f us, worst %8.2f "
         "us (worst/median %5.1f; block budget %.0f us)\n",
         model ? "model" : "no model", rate, block, audio / t_all, median * 1e6, p99 * 1e6,
         worst * 1e6, worst / median, block / rate * 1e6);
  free(t);
  free(x);
  ev_model_runtime_free(ev_analyzer_swap_model(an, NULL));
  ev_analyzer_free(an);
}

/* Structural per-block cost: the same audio is run `passes` times from a reset, block by block;
 * the schedule is deterministic, so block b does the same work in every pass and the minimum
 * over the passes removes preemption and cache misses caused by other processes. */
static void bench_structural(const ev_model *model, double rate, uint32_t block, int passes) {
  char err[512];
  ev_analyzer *an = ev_analyzer_new(rate, block, err, sizeof err);
  ev_model_runtime *rt = an && model ? ev_analyzer_prepare_model(an, model, err, sizeof err) : NULL;
  if (!an || (model && !rt)) {
    fprintf(stderr, "%s\n", err);
    ev_analyzer_free(an);
    return;
  }
  ev_analyzer_swap_model(an, rt);
  size_t n;
  float *x = make_signal(rate, &n);
  size_t total = n / block;
  double *t = malloc(total * sizeof(double));
  for (int p = 0; p < passes; p++) {
    ev_analyzer_reset(an);
    for (size_t b = 0; b < total; b++) {
      double t0 = bench_cpu_s();
      ev_analyzer_process(an, x + b * block, block);
      double dt = bench_cpu_s() - t0;
      t[b] = p == 0 || dt < t[b] ? dt : t[b];
    }
  }
  const size_t skip = total / 20; /* start-up: first frames, page faults */
  double worst = 0.0;
  for (size_t b = skip; b < total; b++)
    worst = t[b] > worst ? t[b] : worst;
  qsort(t + skip, total - skip, sizeof(double), bench_cmp_double);
  const double median = t[skip + (total - skip) / 2];
  printf("%-9s %6.0f Hz block %5u, min over %d passes per block: median %7.2f us, worst %7.2f "
         "us (worst/median %5.1f)\n",
         model ? "model" : "no model", rate, block, passes, median * 1e6, worst * 1e6,
         worst / median);
  free(t);
  free(x);
  ev_model_runtime_free(ev_analyzer_swap_model(an, NULL));
  ev_analyzer_free(an);
}

int main(int argc, char **argv) {
  const char *path = getenv("EMOVOX_BENCH_MODEL");
  if (!path && argc > 1)
    path = argv[1];
  if (argc > 1 && !strcmp(argv[1], "--help")) {
    printf("usage: bench_analyzer [MODEL]  (or env EMOVOX_BENCH_MODEL; EMOVOX_BENCH_QUICK=1)\n");
    return 0;
  }
  const int quick = getenv("EMOVOX_BENCH_QUICK") && !strcmp(getenv("EMOVOX_BENCH_QUICK"), "1");
  const double seconds = quick ? 3.0 : 30.0;
  char err[1024];
  ev_model *model = NULL;
  if (path) {
    model = ev_model_load_file(path, err, sizeof err);
    if (!model) {
      fprintf(stderr, "bench_analyzer: %s\n", err);
      return 1;
    }
    struct stat st;
    printf("model %s: %s, %zu parameters, %lld bytes, %d layers, %.0f multiply-adds per step\n",
           path, ev_model_name(model), ev_model_n_params(model),
           stat(path, &st) ? -1LL : (long long)st.st_size, ev_model_n_layers(model),
           ev_model_step_flops(model));
  }
  if (rt_guard_available()) { /* heap bytes requested per instance */
    char e[256];
    rt_guard_measure_begin();
    ev_analyzer *an = ev_analyzer_new(48000.0, 1024, e, sizeof e);
    size_t an_bytes = rt_guard_measure_end();
    rt_guard_measure_begin();
    ev_model_runtime *rt = model && an ? ev_analyzer_prepare_model(an, model, e, sizeof e) : NULL;
    size_t rt_bytes = rt_guard_measure_end();
    printf("memory: analyser %.1f KiB, model runtime %.1f KiB (48 kHz, max block 1024)\n",
           an_bytes / 1024.0, rt_bytes / 1024.0);
    ev_model_runtime_free(rt);
    ev_analyzer_free(an);
  }
  const uint32_t blocks[] = {64, 256, 1024};
  for (int i = 0; i < 3; i++)
    bench(NULL, 48000.0, blocks[i], seconds);
  if (model)
    for (int i = 0; i < 3; i++)
      bench(model, 48000.0, blocks[i], seconds);
  bench_structural(NULL, 48000.0, 64, quick ? 3 : 7);
  if (model)
    for (int i = 0; i < 2; i++)
      bench_structural(model, 48000.0, blocks[i], quick ? 3 : 7);
  ev_model_free(model);
  return 0;
}
