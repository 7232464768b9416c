/* Small models built in memory for the model tests. */
#ifndef MODEL_FIXTURE_H
#define MODEL_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ev_analyzer.h"
#include "ev_model.h"

static uint64_t fixture_rng = 12345;
static float fixture_uniform(void) { /* deterministic, in [-1, 1) */
  fixture_rng = fixture_rng * 6364136223846793005ULL + 1442695040888963407ULL;
  return (float)((double)(fixture_rng >> 11) / 4503599627370496.0 - 1.0);
}

/* Fills every weight and the prior with deterministic pseudo-random values. */
static void fixture_randomize(ev_model *m, float scale) {
  float *w = ev_model_params(m);
  for (size_t i = 0; i < ev_model_n_params(m); i++)
    w[i] = scale * fixture_uniform();
  for (int i = 0; i < ev_model_input_dims(m); i++) {
    ev_model_norm_mean(m)[i] = fixture_uniform();
    ev_model_norm_std(m)[i] = 0.5f + 0.5f * (fixture_uniform() + 1.0f);
  }
}

/* A model from an architecture JSON text with the canonical labels, the given inputs and
 * normalisation (NULL: ev_norm_config_default in `mode`). */
static ev_model *fixture_model_norm(const char *arch, const char *inputs, int stride,
                                    ev_norm_mode mode, const ev_norm_config *norm) {
  char err[512];
  ev_layer_config layers[EV_MODEL_MAX_LAYERS];
  int n = ev_model_parse_architecture(arch, layers, EV_MODEL_MAX_LAYERS, EV_N_EMOTIONS, err,
                                      sizeof err);
  if (n < 0) {
    fprintf(stderr, "fixture architecture: %s\n", err);
    return NULL;
  }
  ev_model_desc d;
  memset(&d, 0, sizeof d);
  d.name = "fixture";
  ev_feature_config_default(&d.input.features);
  d.input.n_inputs = ev_model_parse_inputs(inputs, d.input.inputs, EV_FEAT_COUNT, err, sizeof err);
  if (d.input.n_inputs < 0) {
    fprintf(stderr, "fixture inputs: %s\n", err);
    return NULL;
  }
  d.input.frame_stride = stride;
  d.n_layers = n;
  d.layers = layers;
  d.n_labels = EV_N_EMOTIONS;
  d.labels = (const char *const *)ev_emotion_names;
  ev_norm_config_default(&d.input.norm);
  d.input.norm.mode = mode;
  if (norm)
    d.input.norm = *norm;
  d.provenance = "{\"corpora\":[\"fixture\"]}";
  ev_model *m = ev_model_create(&d, err, sizeof err);
  if (!m)
    fprintf(stderr, "fixture model: %s\n", err);
  return m;
}

/* The same with the default normalisation in `mode`. */
static ev_model *fixture_model(const char *arch, const char *inputs, int stride,
                               ev_norm_mode mode) {
  return fixture_model_norm(arch, inputs, stride, mode, NULL);
}

#endif
