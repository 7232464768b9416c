/* Benchmark (meson benchmark): for the shipped design and the four seeds, the streaming
 * inference cost per second of audio (the model's layers stepped one model step at a time, as
 * the plugin does; features excluded, they are benchmarked by the feature pipeline) and the
 * training throughput in clips per second (crops of the arch's window) on 2 threads.
 * EMOVOX_BENCH_QUICK=1 keeps it to a few seconds. Prints figures, asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_arch.h"
#include "ev_augment.h"
#include "ev_model.h"
#include "ev_net.h"
#include "ev_progress.h"
#include "ev_trainer.h"

static const char *const archs[] = {"emovox-conv", "emovox",       "emovox-small", "seed-bilstm",
                                    "seed-lstm",   "seed-cnn-mel", "seed-cnn-mfcc"};

int main(void) {
  int quick = getenv("EMOVOX_BENCH_QUICK") && atoi(getenv("EMOVOX_BENCH_QUICK"));
  double budget = quick ? 0.15 : 3.0; /* seconds per measurement */
  printf("%-14s %8s %10s %12s %10s %12s\n", "arch", "params", "MFLOP/s", "us/s audio", "x realtime",
         "train clip/s");
  for (size_t k = 0; k < sizeof archs / sizeof archs[0]; k++) {
    ev_arch a;
    char err[256];
    if (ev_arch_load(archs[k], &a, err, sizeof err) != 0) {
      printf("%s: %s\n", archs[k], err);
      continue;
    }
    const int C = 8, D = ev_arch_input_dims(&a);
    ev_net net;
    if (ev_net_build(&net, &a, D, C, err, sizeof err) != 0) {
      printf("%s: %s\n", archs[k], err);
      ev_arch_free(&a);
      continue;
    }
    ev_net_init(&net, 1);
    /* streaming: an ev_model with these weights, stepped */
    const char *labels[8] = {"neutral", "calm",    "happy",   "sad",
                             "angry",   "fearful", "disgust", "surprised"};
    ev_model_desc d;
    memset(&d, 0, sizeof d);
    d.name = a.name;
    d.features = a.features;
    d.n_inputs = a.n_inputs;
    memcpy(d.inputs, a.inputs, sizeof d.inputs);
    d.frame_stride = a.frame_stride;
    d.n_layers = net.n_layers;
    d.layers = net.configs;
    d.n_labels = C;
    d.labels = labels;
    d.norm = a.norm;
    ev_model *m = ev_model_create(&d, err, sizeof err);
    ev_model_state *st = m ? ev_model_state_new(m, err, sizeof err) : NULL;
    double us_per_s = 0, steps_per_s = 100.0 / a.frame_stride; /* hop 10 ms */
    if (st) {
      float *x = malloc((size_t)D * sizeof *x), out[8];
      ev_rng r;
      ev_rng_seed(&r, 2);
      for (int i = 0; i < D; i++)
        x[i] = (float)ev_rng_gauss(&r);
      long steps = 0;
      double t0 = ev_now(), t;
      do {
        for (int i = 0; i < 50; i++)
          ev_model_state_run(st, x, out);
        steps += 50;
        t = ev_now() - t0;
      } while (t < budget);
      us_per_s = 1e6 * t / (double)steps * steps_per_s;
      free(x);
    } else {
      printf("%s: cannot step the model: %s\n", a.name, err);
    }
    /* training throughput: random crops of the arch's window */
    /* bilstm training is O(T * window) per layer: fewer crops for it */
    int slow = strstr(a.layers_json, "bilstm") != NULL;
    int n_items = quick ? (slow ? 4 : 16) : (slow ? 32 : 256), W = a.window;
    ev_item *items = malloc((size_t)n_items * sizeof *items);
    float *data = malloc((size_t)n_items * (size_t)W * (size_t)D * sizeof *data);
    ev_rng r;
    ev_rng_seed(&r, 3);
    for (size_t i = 0; i < (size_t)n_items * (size_t)W * (size_t)D; i++)
      data[i] = (float)ev_rng_gauss(&r);
    for (int i = 0; i < n_items; i++)
      items[i] = (ev_item){data + (size_t)i * (size_t)W * (size_t)D, W, i % C};
    ev_train_opts o;
    ev_train_opts_default(&o);
    o.epochs = 1;
    o.window = W;
    o.threads = 2;
    o.progress = 0;
    ev_train_result res;
    double cps = 0;
    if (ev_train(&net, items, (size_t)n_items, NULL, 0, &o, &res, err, sizeof err) == 0) {
      cps = res.clips_per_second;
      ev_train_result_free(&res);
    }
    printf("%-14s %8zu %10.1f %12.0f %10.0f %12.1f\n", a.name, net.n_params,
           ev_net_step_flops(&net) * steps_per_s / 1e6, us_per_s,
           us_per_s > 0 ? 1e6 / us_per_s : 0.0, cps);
    fflush(stdout);
    free(items);
    free(data);
    ev_model_state_free(st);
    ev_model_free(m);
    ev_net_free(&net);
    ev_arch_free(&a);
  }
  printf("(us/s audio: layer time per second of audio, features excluded; train clip/s: crops "
         "of the arch window, forward+backward+AdamW, 2 threads)\n");
  return 0;
}
