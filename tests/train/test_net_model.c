/* The trainer's network and the model it exports are one layer stack (ev_layer_stack.h), so the
 * export hands the weight arena over as it is (ev_model_desc.weights). Checked on a design with
 * every kind that has parameters, against the network itself as the expectation:
 *  - the model has the network's layers, parameter names, shapes and arena offsets;
 *  - every parameter of every layer holds the network's values bit for bit, found by name in
 *    the model (the check the old tensor-by-name copy made), and the same after a file round
 *    trip;
 *  - a stack the labels do not fit is refused with the model's message. */
#include <stdlib.h>
#include <string.h>

#include "ev_arch.h"
#include "ev_emotions.h"
#include "ev_model.h"
#include "ev_net.h"
#include "ev_test.h"

static const char *arch_json =
    "{\"name\":\"kinds\",\"features\":{\"inputs\":[\"mfcc\",\"rms\"],\"frame_stride\":2},"
    "\"window\":20,\"architecture\":["
    "{\"type\":\"conv1d\",\"out\":6,\"kernel\":3,\"dilation\":2,\"activation\":\"relu\"},"
    "{\"type\":\"layernorm\"},{\"type\":\"gru\",\"hidden\":5},{\"type\":\"lstm\",\"hidden\":4},"
    "{\"type\":\"bilstm\",\"hidden\":3,\"window\":4},{\"type\":\"bigru\",\"hidden\":3,"
    "\"window\":4},{\"type\":\"attnpool\",\"window\":5},{\"type\":\"meanpool\",\"window\":3},"
    "{\"type\":\"dense\",\"out\":7,\"activation\":\"tanh\"},{\"type\":\"dense\"}]}";

/* Every parameter of m's layers equals the network's, found by name. */
static void expect_same_weights(const ev_net *net, const ev_model *m, const char *when) {
  EV_REQUIRE(ev_model_n_layers(m) == net->n_layers, "%s: %d layers, network %d", when,
             ev_model_n_layers(m), net->n_layers);
  for (int i = 0; i < net->n_layers; i++) {
    const ev_layer *nl = &net->layers[i], *ml = ev_model_layer(m, i);
    EV_CHECK(ml->kind == nl->kind && ml->n_params == nl->n_params, "%s: layer %d differs", when, i);
    for (int p = 0; p < nl->n_params; p++) {
      const ev_param *mp = ev_layer_param_const(ml, nl->params[p].name);
      EV_CHECK(mp && mp->size == nl->params[p].size &&
                   !memcmp(mp->data, nl->params[p].data, mp->size * sizeof(float)),
               "%s: layer %d %s not the network's", when, i, nl->params[p].name);
    }
  }
}

int main(void) {
  char err[512];
  ev_arch a;
  EV_REQUIRE(ev_arch_parse(arch_json, &a, err, sizeof err) == 0, "%s", err);
  const int D = ev_arch_input_dims(&a), C = EV_N_EMOTIONS;
  ev_net net;
  EV_REQUIRE(ev_net_build(&net, &a, D, C, err, sizeof err) == 0, "%s", err);
  ev_net_init(&net, 7);
  EV_CHECK(net.softmax_appended && net.layers[net.n_layers - 1].kind == EV_LAYER_SOFTMAX,
           "a softmax is appended");

  ev_model_desc d = {.name = "kinds",
                     .input = a.input,
                     .n_layers = net.n_layers,
                     .layers = net.configs,
                     .weights = net.w,
                     .n_labels = C,
                     .labels = ev_emotion_names};
  ev_model *m = ev_model_create(&d, err, sizeof err);
  EV_REQUIRE(m != NULL, "create: %s", err);
  EV_CHECK(ev_model_n_params(m) == net.n_params, "%zu parameters, network %zu",
           ev_model_n_params(m), net.n_params);
  EV_CHECK(ev_model_input_dims(m) == D, "input dims %d vs %d", ev_model_input_dims(m), D);
  float *arena = ev_model_params(m);
  for (int i = 0; i < net.n_layers; i++)
    if (net.layers[i].n_params)
      EV_CHECK(ev_model_layer(m, i)->params[0].data == arena + net.offset[i],
               "layer %d starts at the network's offset %zu", i, net.offset[i]);
  expect_same_weights(&net, m, "created");

  uint8_t *buf = NULL;
  size_t len = 0;
  EV_REQUIRE(ev_model_serialize(m, &buf, &len, err, sizeof err) == 0, "serialise: %s", err);
  ev_model *r = ev_model_load_memory(buf, len, err, sizeof err);
  EV_REQUIRE(r != NULL, "load: %s", err);
  expect_same_weights(&net, r, "reloaded");

  /* 8 labels for a stack that ends with 7 outputs */
  ev_net bad;
  ev_arch b;
  EV_REQUIRE(ev_arch_parse("{\"features\":{\"inputs\":[\"rms\"]},\"architecture\":[{\"type\":"
                           "\"dense\",\"out\":7}]}",
                           &b, err, sizeof err) == 0,
             "%s", err);
  err[0] = 0;
  EV_CHECK(ev_net_build(&bad, &b, 1, C, err, sizeof err) != 0, "7 outputs for 8 labels refused");
  EV_CHECK(strstr(err, "7 outputs") && strstr(err, "8 labels"), "the message says why: %s", err);
  ev_net_free(&bad);

  ev_arch_free(&b);
  ev_model_free(r);
  free(buf);
  ev_model_free(m);
  ev_net_free(&net);
  ev_arch_free(&a);
  EV_TEST_END();
}
