/* Benchmark (meson benchmark): for the shipped design (emovox-egemaps-spread, one of the three
 * networks the shipped model merges), the 0.2 default and the seeds, the streaming inference
 * cost per second of audio and the training throughput in clips per second (crops
 * of the arch's window) on 2 threads. Inference is measured in parts and whole, because the
 * architectures differ as much in their features (128 mels for seed-cnn-mel, MFCC only for
 * seed-lstm, ...) as in their layers:
 *  - layers: the model's layers stepped one model step at a time, as the plugin does;
 *  - features: the streaming extractor with the arch's feature configuration, computing only
 *    the arch's inputs plus the RMS and flatness of the speech gate, as the analyser sets it;
 *  - whole: the analyser (extractor, adaptive normalisation, layers, smoothing: everything the
 *    plugin's run() does besides port I/O) at 16 kHz, and at 48 kHz with the resampler.
 * The input is a synthetic voiced signal (harmonics, moving pitch, syllable-rate envelope).
 * EMOVOX_BENCH_QUICK=1 keeps it to a few seconds. Prints figures, asserts nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_analyzer.h"
#include "ev_arch.h"
#include "ev_augment.h"
#include "ev_model.h"
#include "ev_net.h"
#include "ev_progress.h"
#include "ev_trainer.h"

/* 1 s of a voiced, speech-like signal at `rate` (always above the speech gate). */
static float *voice(double rate, size_t *n) {
  *n = (size_t)rate;
  float *x = malloc(*n * sizeof *x);
  double phase = 0;
  for (size_t i = 0; x && i < *n; i++) {
    const double t = (double)i / rate, f0 = 150.0 + 50.0 * sin(2.0 * M_PI * 1.3 * t);
    phase += 2.0 * M_PI * f0 / rate;
    double v = 0;
    for (int h = 1; h <= 12; h++)
      v += sin(h * phase) / h;
    x[i] = (float)(0.15 * (0.55 + 0.45 * sin(2.0 * M_PI * 4.0 * t)) * v);
  }
  return x;
}

static void no_frame(void *user, const ev_frame *f) {
  (void)f;
  ++*(long *)user;
}

/* Microseconds per second of audio of the extractor with the arch's features and inputs. */
static double features_us(const ev_arch *a, const float *x, size_t n, double budget) {
  char err[256];
  ev_extractor *ex = ev_extractor_new(&a->input.features, 16000, 256, err, sizeof err);
  if (!ex) {
    printf("%s: extractor: %s\n", a->name, err);
    return 0;
  }
  ev_extractor_set_features(ex, ev_input_config_features(&a->input) | EV_FEATURE_BIT(EV_FEAT_RMS) |
                                    EV_FEATURE_BIT(EV_FEAT_FLATNESS));
  long frames = 0, seconds = 0;
  double t0 = ev_now(), t;
  do {
    for (size_t i = 0; i < n; i += 256)
      ev_extractor_process(ex, x + i, (uint32_t)(n - i < 256 ? n - i : 256), no_frame, &frames);
    seconds++;
    t = ev_now() - t0;
  } while (t < budget);
  ev_extractor_free(ex);
  return 1e6 * t / (double)seconds;
}

/* Microseconds per second of audio of the whole analyser running model m at `rate`. */
static double analyser_us(const ev_model *m, double rate, double budget) {
  char err[256];
  size_t n;
  float *x = voice(rate, &n);
  ev_analyzer *an = x ? ev_analyzer_new(rate, 256, err, sizeof err) : NULL;
  ev_model_runtime *rt = an ? ev_analyzer_prepare_model(an, m, err, sizeof err) : NULL;
  double us = 0;
  if (rt) {
    ev_analyzer_swap_model(an, rt);
    long seconds = 0;
    double t0 = ev_now(), t;
    do {
      for (size_t i = 0; i < n; i += 256)
        ev_analyzer_process(an, x + i, (uint32_t)(n - i < 256 ? n - i : 256));
      seconds++;
      t = ev_now() - t0;
    } while (t < budget);
    us = 1e6 * t / (double)seconds;
    ev_model_runtime_free(ev_analyzer_swap_model(an, NULL));
  } else {
    printf("analyser at %.0f Hz: %s\n", rate, err);
  }
  if (an)
    ev_analyzer_free(an);
  free(x);
  return us;
}

static const char *const archs[] = {"emovox-egemaps-spread", "emovox-conv",  "emovox",
                                    "emovox-small",          "seed-bilstm",  "seed-lstm",
                                    "seed-cnn-mel",          "seed-cnn-mfcc"};

int main(void) {
  int quick = getenv("EMOVOX_BENCH_QUICK") && atoi(getenv("EMOVOX_BENCH_QUICK"));
  double budget = quick ? 0.15 : 3.0; /* seconds per measurement */
  size_t n16;
  float *x16 = voice(16000, &n16);
  if (!x16)
    return 1;
  printf("%-21s %8s %8s | %9s %9s %9s | %9s %9s %9s | %12s\n", "arch", "params", "MFLOP/s",
         "layers", "features", "sum", "whole 16k", "whole 48k", "x rt 48k", "train clip/s");
  for (size_t k = 0; k < sizeof archs / sizeof archs[0]; k++) {
    ev_arch a;
    char err[256];
    if (ev_arch_load(archs[k], &a, err, sizeof err) != 0) {
      printf("%s: %s\n", archs[k], err);
      continue;
    }
    const int C = EV_N_EMOTIONS, D = ev_arch_input_dims(&a);
    ev_net net;
    if (ev_net_build(&net, &a, D, C, err, sizeof err) != 0) {
      printf("%s: %s\n", archs[k], err);
      ev_arch_free(&a);
      continue;
    }
    ev_net_init(&net, 1);
    /* streaming: an ev_model with these weights, stepped */
    ev_model_desc d;
    memset(&d, 0, sizeof d);
    d.name = a.name;
    d.input = a.input;
    d.n_layers = net.n_layers;
    d.layers = net.configs;
    d.weights = net.w;
    d.n_labels = C;
    d.labels = ev_emotion_names;
    ev_model *m = ev_model_create(&d, err, sizeof err);
    ev_model_state *st = m ? ev_model_state_new(m, err, sizeof err) : NULL;
    double us_per_s = 0, steps_per_s = 100.0 / a.input.frame_stride; /* hop 10 ms */
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
      items[i] = (ev_item){data + (size_t)i * (size_t)W * (size_t)D, W, i % C, 0u, 0};
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
    const double feat_us = features_us(&a, x16, n16, budget);
    const double whole16 = m ? analyser_us(m, 16000, budget) : 0;
    const double whole48 = m ? analyser_us(m, 48000, budget) : 0;
    printf("%-21s %8zu %8.1f | %9.0f %9.0f %9.0f | %9.0f %9.0f %9.0f | %12.1f\n", a.name,
           net.n_params, ev_layer_stack_step_flops(&net) * steps_per_s / 1e6, us_per_s, feat_us,
           us_per_s + feat_us, whole16, whole48, whole48 > 0 ? 1e6 / whole48 : 0.0, cps);
    fflush(stdout);
    free(items);
    free(data);
    ev_model_state_free(st);
    ev_model_free(m);
    ev_net_free(&net);
    ev_arch_free(&a);
  }
  free(x16);
  printf("(microseconds per second of audio: layers = the model stepped alone; features = the "
         "extractor with the arch's\n features and inputs at 16 kHz; sum = the two; whole = the "
         "analyser (extractor, normalisation,\n layers, smoothing) fed 16 kHz, or 48 kHz through "
         "the resampler; x rt 48k = realtime factor of whole 48k.\n train clip/s: crops of the "
         "arch window, forward+backward+AdamW, 2 threads)\n");
  return 0;
}
