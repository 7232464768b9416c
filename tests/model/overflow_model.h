/* A model whose finite weights overflow only on loud input (issue 17 item 4): global
 * normalisation of the RMS (prior mean 0, std 1), then dense 1e18 -> dense 1e18 -> dense with
 * the "neutral" row at 1e4. A tone of amplitude 0.01 (RMS 0.007) gives a neutral logit of
 * 7e37, finite, so the output is neutral = 1; amplitude 0.5 (RMS 0.35) gives 3.5e39 = Inf, and
 * the softmax NaN. Every weight is below the loader's 1e19 limit, so it also loads from a file. */
#ifndef OVERFLOW_MODEL_H
#define OVERFLOW_MODEL_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ev_analyzer.h"
#include "ev_model.h"

static inline ev_model *overflow_model(void) {
  ev_layer_config cfg[3];
  char err[256];
  int n =
      ev_model_parse_architecture("[{\"type\":\"dense\",\"out\":1},{\"type\":\"dense\",\"out\":1},"
                                  "{\"type\":\"dense\"}]",
                                  cfg, 3, EV_N_EMOTIONS, err, sizeof err);
  if (n != 3)
    return NULL;
  ev_model_desc d;
  memset(&d, 0, sizeof d);
  d.name = "overflow";
  ev_feature_config_default(&d.input.features);
  d.input.n_inputs = 1;
  d.input.inputs[0] = EV_FEAT_RMS;
  d.input.frame_stride = 1;
  d.n_layers = 3;
  d.layers = cfg;
  d.n_labels = EV_N_EMOTIONS;
  d.labels = (const char *const *)ev_emotion_names;
  ev_norm_config_default(&d.input.norm);
  d.input.norm.mode = EV_NORM_GLOBAL;
  ev_model *m = ev_model_create(&d, err, sizeof err);
  if (!m) {
    fprintf(stderr, "overflow model: %s\n", err);
    return NULL;
  }
  ev_model_layer_mut(m, 0)->params[0].data[0] = 1e18f; /* weights; biases stay 0 */
  ev_model_layer_mut(m, 1)->params[0].data[0] = 1e18f;
  ev_model_layer_mut(m, 2)->params[0].data[EV_NEUTRAL] = 1e4f; /* [8,1]: neutral's row */
  return m;
}

/* A 200 Hz tone of the given amplitude into x[0..n). */
/* A voiced, speech-like tone at amplitude amp: 200 Hz with 5 Hz vibrato of +-20 Hz, three
 * harmonics and a 4 Hz syllable-rate envelope, so the speech gate (which refuses a steady tone)
 * opens on it. The phase is a closed form of the absolute sample index, so consecutive calls
 * with offsets continue one signal. */
static inline void overflow_tone(float *x, size_t n, double rate, float amp, size_t offset) {
  for (size_t i = 0; i < n; i++) {
    const double t = (double)(i + offset) / rate;
    const double ph = 2.0 * M_PI * 200.0 * t - (20.0 / 5.0) * cos(2.0 * M_PI * 5.0 * t);
    const double env = 0.75 + 0.25 * sin(2.0 * M_PI * 4.0 * t);
    x[i] = amp * (float)(env * (0.7 * sin(ph) + 0.2 * sin(2.0 * ph) + 0.1 * sin(3.0 * ph)));
  }
}

#endif
