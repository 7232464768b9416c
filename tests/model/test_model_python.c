/* A model written by an independent writer (tests/model/write_safetensors.py: struct + json,
 * unsorted keys, no padding, F16/BF16/F64 tensors) loads, and its output equals a forward
 * pass computed here by hand from the constants the script wrote. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../ev_test.h"
#include "ev_model.h"

int main(int argc, char **argv) {
  if (argc != 2)
    EV_SKIP("usage: test_model_python FILE (the file is written by write_safetensors.py)");
  char err[1024];
  ev_model *m = ev_model_load_file(argv[1], err, sizeof err);
  EV_CHECK(m != NULL, "load: %s", err);
  if (!m)
    EV_TEST_END();
  EV_CHECK(!strcmp(ev_model_name(m), "python-dense"), "name %s", ev_model_name(m));
  EV_CHECK(ev_model_n_labels(m) == 3, "labels %d", ev_model_n_labels(m));
  EV_CHECK(ev_model_label_canonical(m, 0) == 0, "neutral -> neutral");
  EV_CHECK(ev_model_label_canonical(m, 1) == 5, "fear -> fearful (5), got %d",
           ev_model_label_canonical(m, 1));
  EV_CHECK(ev_model_label_canonical(m, 2) == -1, "boredom has no canonical slot");
  EV_CHECK(ev_model_n_params(m) == 9, "params %zu", ev_model_n_params(m));
  EV_CHECK(ev_model_input_dims(m) == 2, "input dims %d", ev_model_input_dims(m));
  EV_CHECK(ev_model_input_config(m)->norm.mode == EV_NORM_GLOBAL, "global normalisation");
  EV_CHECK(!ev_model_softmax_appended(m), "the file's softmax is used");

  /* Hand computation: x = (zcr, rms) = (0.3, 0.2); normalised with mean (0.1, 0.05) and std
   * (0.25, 0.125): n = (0.8, 1.2). Logits W n + b with W = [[1.5,-2],[0.5,0.25],[-1,3]],
   * b = (0.5, -0.25, 0.125): (-0.7, 0.45, 2.925). Then softmax. */
  const double logits[3] = {-0.7, 0.45, 2.925};
  double z = 0, expect[3];
  for (int i = 0; i < 3; i++)
    z += exp(logits[i]);
  for (int i = 0; i < 3; i++)
    expect[i] = exp(logits[i]) / z;

  ev_input *in = ev_model_input_new(m, err, sizeof err);
  EV_CHECK(in != NULL, "input: %s", err);
  ev_model_state *st = ev_model_state_new(m, err, sizeof err);
  EV_CHECK(st != NULL, "state: %s", err);
  if (in && st) {
    const float raw[2] = {0.3f, 0.2f};
    const float *x = ev_input_push_vector(in, raw, 0.2f);
    EV_CHECK(x != NULL, "stride 1 gives a vector every frame");
    EV_CHECK_NEAR(x[0], 0.8, 1e-6, "normalised zcr");
    EV_CHECK_NEAR(x[1], 1.2, 1e-6, "normalised rms");
    float y[3];
    ev_model_state_run(st, x, y);
    for (int i = 0; i < 3; i++)
      EV_CHECK_NEAR(y[i], expect[i], 2e-6, "probability");
    printf("p = %.6f %.6f %.6f (expected %.6f %.6f %.6f)\n", y[0], y[1], y[2], expect[0], expect[1],
           expect[2]);
  }
  ev_input_free(in);
  ev_model_state_free(st);
  ev_model_free(m);
  EV_TEST_END();
}
