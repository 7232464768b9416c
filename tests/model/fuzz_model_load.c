/* libFuzzer target: ev_model_load_memory on arbitrary bytes must never crash, leak or hit
 * undefined behaviour, and every refusal says why. A file that loads must also:
 *  - fit the resource limits the loader promises (docs/model.md);
 *  - save and load again (a model the loader accepts but cannot save was issue 17 item 10),
 *    giving bit-identical outputs;
 *  - run steps whose outputs are probabilities (finite, in [0, 1], summing to 1) unless the
 *    model reports a fault (activations overflowed: ev_model_state_fault).
 * Also built without libFuzzer (fuzz_replay.c) to run over the seed corpus in every build. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond, ...)                                                                         \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "fuzz property failed: %s: ", #cond);                                        \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fprintf(stderr, "\n");                                                                       \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

/* Runs three steps (zeros, a ramp, the normaliser's clamp) and checks the property; out gets
 * the last step's outputs (n_labels floats). */
static void run_steps(const ev_model *m, float *out) {
  char err[512];
  ev_model_state *s = ev_model_state_new(m, err, sizeof err);
  REQUIRE(s != NULL, "a loaded model gets a state: %s", err);
  const int d = ev_model_input_dims(m), n = ev_model_n_labels(m);
  float *x = calloc((size_t)d, sizeof(float));
  REQUIRE(x != NULL, "memory");
  for (int step = 0; step < 3; step++) {
    for (int i = 0; i < d; i++)
      x[i] = step == 0 ? 0.0f : step == 1 ? (float)(i % 7) - 3.0f : (i % 2 ? 1000.0f : -1000.0f);
    ev_model_state_run(s, x, out);
    if (ev_model_state_fault(s))
      continue; /* reported: the analyser shows "no model" */
    double sum = 0;
    for (int k = 0; k < n; k++) {
      REQUIRE(isfinite(out[k]) && out[k] >= 0.0f && out[k] <= 1.0f,
              "output %d of step %d is %g without a fault", k, step, (double)out[k]);
      sum += out[k];
    }
    REQUIRE(fabs(sum - 1.0) < 1e-3, "step %d: probabilities sum to %g", step, sum);
  }
  free(x);
  ev_model_state_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512] = "";
  ev_model *m = ev_model_load_memory(data, size, err, sizeof err);
  if (!m) {
    REQUIRE(err[0], "every refusal says why");
    return 0;
  }
  ev_model_cost c;
  ev_model_get_cost(m, &c);
  REQUIRE(c.weight_bytes + c.runtime_bytes <= EV_MODEL_MAX_BYTES &&
              c.feature_macs_per_s + c.model_macs_per_s <= EV_MODEL_MAX_MACS_PER_S,
          "a loaded model is within the limits (%g bytes, %g MAC/s)",
          c.weight_bytes + c.runtime_bytes, c.feature_macs_per_s + c.model_macs_per_s);
  /* save what was loaded, and load it again */
  uint8_t *buf = NULL;
  size_t len = 0;
  REQUIRE(ev_model_serialize(m, &buf, &len, err, sizeof err) == 0, "a loaded model saves: %s", err);
  ev_model *r = ev_model_load_memory(buf, len, err, sizeof err);
  REQUIRE(r != NULL, "the saved model loads again: %s", err);
  REQUIRE(ev_model_n_layers(r) == ev_model_n_layers(m) &&
              ev_model_n_params(r) == ev_model_n_params(m) &&
              !memcmp(ev_model_params(r), ev_model_params(m), ev_model_n_params(m) * sizeof(float)),
          "the reloaded model has the same layers and weights");
  const int n = ev_model_n_labels(m);
  float *a = calloc((size_t)n, sizeof(float)), *b = calloc((size_t)n, sizeof(float));
  REQUIRE(a && b, "memory");
  run_steps(m, a);
  run_steps(r, b);
  REQUIRE(!memcmp(a, b, (size_t)n * sizeof(float)), "the reloaded model computes the same");
  free(a);
  free(b);
  free(buf);
  ev_model_free(r);
  ev_model_free(m);
  return 0;
}
