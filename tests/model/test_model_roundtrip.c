/* save -> load -> run gives identical weights, metadata and outputs, for every layer kind;
 * the written file has the documented layout (sorted, contiguous, data 8-byte aligned); the
 * adaptive normaliser's per-dimension mask (norm.adapt) survives the trip, is left out when
 * every dimension adapts, and a value other than 0 or 1 in a file is refused. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../ev_test.h"
#include "ev_safetensors.h"
#include "model_fixture.h"

static const char *const archs[] = {
    "[{\"type\":\"dense\",\"out\":12,\"activation\":\"relu\"},{\"type\":\"dense\"}]",
    "[{\"type\":\"layernorm\"},{\"type\":\"conv1d\",\"out\":6,\"kernel\":3,\"dilation\":2,"
    "\"activation\":\"gelu\"},{\"type\":\"gru\",\"hidden\":7},{\"type\":\"dense\","
    "\"activation\":\"tanh\"},{\"type\":\"softmax\"}]",
    "[{\"type\":\"lstm\",\"hidden\":5},{\"type\":\"activation\",\"activation\":\"sigmoid\"},"
    "{\"type\":\"meanpool\",\"window\":4},{\"type\":\"dense\"}]",
    "[{\"type\":\"bilstm\",\"hidden\":3,\"window\":5},{\"type\":\"attnpool\",\"window\":6},"
    "{\"type\":\"dense\"}]",
    "[{\"type\":\"dense\",\"out\":4},{\"type\":\"meanpool\",\"window\":0},{\"type\":\"dense\"}]",
    "[{\"type\":\"bigru\",\"hidden\":4,\"window\":6},{\"type\":\"meanpool\",\"window\":3},"
    "{\"type\":\"dense\"}]",
};

/* A bigru's tensors carry PyTorch's bidirectional nn.GRU names (layer suffix dropped) and shapes:
 * [3H, in], [3H, H], [3H], [3H], then the same with _reverse. */
static void check_bigru_tensors(const ev_st_file *f, const ev_model *m) {
  static const char *const names[4] = {"weight_ih", "weight_hh", "bias_ih", "bias_hh"};
  for (int i = 0; i < ev_model_n_layers(m); i++) {
    const ev_layer *l = ev_model_layer(m, i);
    if (l->kind != EV_LAYER_BIGRU)
      continue;
    for (int k = 0; k < 8; k++) {
      char name[64];
      snprintf(name, sizeof name, "layers.%d.%s%s", i, names[k % 4], k < 4 ? "" : "_reverse");
      const ev_st_tensor *t = ev_st_find(f, name);
      int ndim = k % 4 < 2 ? 2 : 1, cols = k % 4 == 0 ? l->in_dim : l->hidden;
      EV_CHECK(t && t->ndim == ndim && t->shape[0] == 3 * l->hidden &&
                   (ndim == 1 || t->shape[1] == cols),
               "bigru tensor %s with PyTorch's shape", name);
    }
  }
}

static void check_layout(const uint8_t *buf, size_t len, const ev_model *m) {
  uint64_t n = 0;
  for (int i = 7; i >= 0; i--)
    n = (n << 8) | buf[i];
  EV_CHECK((8 + n) % 8 == 0, "data section starts 8-byte aligned (header %llu)",
           (unsigned long long)n);
  ev_st_file *f;
  char err[256];
  EV_CHECK(ev_st_parse(buf, len, &f, err, sizeof err) == 0, "reparse: %s", err);
  if (!f)
    return;
  for (size_t i = 1; i < f->n_tensors; i++) /* tensors come back in offset order */
    EV_CHECK(strcmp(f->tensors[i - 1].name, f->tensors[i].name) < 0,
             "offsets follow name order: %s before %s", f->tensors[i - 1].name, f->tensors[i].name);
  EV_CHECK(!strcmp(ev_st_meta(f, "format"), "emovox-model"), "format metadata");
  EV_CHECK(!strcmp(ev_st_meta(f, "format_version"), "1"), "format_version metadata");
  check_bigru_tensors(f, m);
  ev_st_free(f);
}

/* norm.adapt: the round trip, the all-ones case and a corrupt value in a file. */
static void check_adapt_mask(void) {
  ev_model *m = fixture_model(archs[0], "[\"chroma\"]", 1, EV_NORM_ADAPTIVE);
  EV_CHECK(m && ev_model_input_dims(m) == 12, "a 12-dimensional fixture");
  if (!m)
    return;
  char err[512];
  EV_CHECK(ev_model_norm_adapt(m) == NULL, "a new model adapts every dimension");
  const float ones[12] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  const float mask[12] = {1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1};
  EV_CHECK(ev_model_set_norm_adapt(m, ones, err, sizeof err) == 0 && !ev_model_norm_adapt(m),
           "all ones store no mask");
  const float half[12] = {1, 0.5f};
  EV_CHECK(ev_model_set_norm_adapt(m, half, err, sizeof err) != 0 && strstr(err, "0 or 1"),
           "0.5 refused: %s", err);
  EV_CHECK(ev_model_set_norm_adapt(m, mask, err, sizeof err) == 0, "set: %s", err);
  uint8_t *buf = NULL;
  size_t len = 0;
  EV_CHECK(ev_model_serialize(m, &buf, &len, err, sizeof err) == 0, "serialize: %s", err);
  ev_model *r = buf ? ev_model_load_memory(buf, len, err, sizeof err) : NULL;
  EV_CHECK(r && ev_model_norm_adapt(r) && !memcmp(ev_model_norm_adapt(r), mask, sizeof mask),
           "norm.adapt round trip: %s", r ? "" : err);
  ev_model_free(r);
  /* the same bytes with one 0 turned into 0.5 */
  uint8_t *at = NULL;
  for (size_t i = 0; buf && !at && i + sizeof mask <= len; i++)
    if (!memcmp(buf + i, mask, sizeof mask))
      at = buf + i;
  EV_CHECK(at != NULL, "the mask's bytes are in the file");
  if (at) {
    const float bad = 0.5f;
    memcpy(at + sizeof(float), &bad, sizeof bad);
    r = ev_model_load_memory(buf, len, err, sizeof err);
    EV_CHECK(!r && strstr(err, "norm.adapt[1]") && strstr(err, "corrupt"), "0.5 in a file: %s",
             err);
    ev_model_free(r);
  }
  free(buf);
  /* every dimension adapting again: the file has no norm.adapt (as files before it) */
  ev_model_set_norm_adapt(m, NULL, err, sizeof err);
  buf = NULL;
  if (ev_model_serialize(m, &buf, &len, err, sizeof err) == 0) {
    ev_st_file *f = NULL;
    EV_CHECK(ev_st_parse(buf, len, &f, err, sizeof err) == 0 && !ev_st_find(f, "norm.adapt"),
             "no norm.adapt tensor when all adapt");
    ev_st_free(f);
  }
  free(buf);
  ev_model_free(m);
}

/* norm.centres: absent by default, the round trip to the bit, the normaliser it builds takes
 * them, and a file whose centres hold a NaN or have the wrong shape is refused by name. */
static void check_centres(void) {
  ev_model *m = fixture_model(archs[0], "[\"chroma\"]", 1, EV_NORM_ADAPTIVE);
  EV_REQUIRE(m, "fixture");
  const int L = ev_model_n_labels(m), D = ev_model_input_dims(m);
  char err[512];
  EV_CHECK(ev_model_norm_centres(m) == NULL, "a new model has no class centres");
  float c[64 * 12];
  for (int i = 0; i < L * D; i++)
    c[i] = 0.25f * (float)i - 3.0f;
  const float saved = c[5];
  c[5] = NAN;
  EV_CHECK(ev_model_set_norm_centres(m, c, err, sizeof err) != 0 && strstr(err, "finite"),
           "a NaN centre refused: %s", err);
  c[5] = saved;
  EV_CHECK(ev_model_set_norm_centres(m, c, err, sizeof err) == 0, "set: %s", err);
  uint8_t *buf = NULL;
  size_t len = 0;
  EV_CHECK(ev_model_serialize(m, &buf, &len, err, sizeof err) == 0, "serialize: %s", err);
  ev_model *r = buf ? ev_model_load_memory(buf, len, err, sizeof err) : NULL;
  EV_CHECK(r && ev_model_norm_centres(r) &&
               !memcmp(ev_model_norm_centres(r), c, (size_t)(L * D) * sizeof(float)),
           "norm.centres round trip: %s", r ? "" : err);
  ev_input *in = r ? ev_model_input_new(r, err, sizeof err) : NULL;
  EV_CHECK(in && ev_input_n_centres(in) == L, "the model's normaliser has its %d centres", L);
  ev_input_free(in);
  ev_model_free(r);
  /* the same bytes with one centre turned into NaN */
  uint8_t *at = NULL;
  for (size_t i = 0; buf && !at && i + (size_t)(L * D) * sizeof(float) <= len; i++)
    if (!memcmp(buf + i, c, (size_t)(L * D) * sizeof(float)))
      at = buf + i;
  EV_CHECK(at != NULL, "the centres' bytes are in the file");
  if (at) {
    const float bad = NAN;
    memcpy(at + 7 * sizeof(float), &bad, sizeof bad);
    r = ev_model_load_memory(buf, len, err, sizeof err);
    EV_CHECK(!r && strstr(err, "norm.centres") && strstr(err, "corrupt"), "NaN in a file: %s", err);
    ev_model_free(r);
  }
  free(buf);
  ev_model_set_norm_centres(m, NULL, err, sizeof err);
  buf = NULL;
  if (ev_model_serialize(m, &buf, &len, err, sizeof err) == 0) {
    ev_st_file *f = NULL;
    EV_CHECK(ev_st_parse(buf, len, &f, err, sizeof err) == 0 && !ev_st_find(f, "norm.centres"),
             "no norm.centres tensor when there are none");
    ev_st_free(f);
  }
  free(buf);
  ev_model_free(m);
}

int main(void) {
  check_adapt_mask();
  check_centres();
  char path[256];
  snprintf(path, sizeof path, "/tmp/emovox-roundtrip-%d.safetensors", (int)getpid());
  for (size_t a = 0; a < sizeof archs / sizeof archs[0]; a++) {
    const int stride = 1 + (int)(a % 3);
    ev_model *m = fixture_model(archs[a], "[\"mfcc\",\"rms\",\"chroma\"]", stride,
                                a % 2 ? EV_NORM_GLOBAL : EV_NORM_ADAPTIVE);
    EV_CHECK(m != NULL, "architecture %zu builds", a);
    if (!m)
      continue;
    fixture_randomize(m, 0.4f);
    char err[1024];
    EV_CHECK(ev_model_set_provenance(m, "{\"corpora\":[\"x\"],\"date\":\"today\"}", err,
                                     sizeof err) == 0,
             "provenance: %s", err);
    EV_CHECK(ev_model_save(m, path, err, sizeof err) == 0, "save: %s", err);
    ev_model *r = ev_model_load_file(path, err, sizeof err);
    EV_CHECK(r != NULL, "load %zu: %s", a, err);
    if (!r) {
      ev_model_free(m);
      continue;
    }
    uint8_t *buf;
    size_t len;
    if (ev_st_read_file(path, &buf, &len, err, sizeof err) == 0) {
      check_layout(buf, len, r);
      free(buf);
    }
    EV_CHECK(!strcmp(ev_model_name(r), ev_model_name(m)), "name");
    EV_CHECK(!strcmp(ev_model_provenance(r), ev_model_provenance(m)), "provenance");
    EV_CHECK(!strcmp(ev_model_architecture(r), ev_model_architecture(m)), "architecture %s vs %s",
             ev_model_architecture(r), ev_model_architecture(m));
    EV_CHECK(ev_model_n_layers(r) == ev_model_n_layers(m), "layers");
    EV_CHECK(!ev_model_softmax_appended(r), "the saved file holds the softmax");
    const ev_input_config *ri = ev_model_input_config(r), *mi = ev_model_input_config(m);
    EV_CHECK(ri->frame_stride == stride, "stride");
    EV_CHECK(ri->norm.mode == mi->norm.mode, "norm mode");
    EV_CHECK(!memcmp(&ri->features, &mi->features, sizeof(ev_feature_config)), "feature config");
    EV_CHECK(ev_model_n_params(r) == ev_model_n_params(m), "n_params");
    EV_CHECK(!memcmp(ev_model_params(r), ev_model_params(m), ev_model_n_params(m) * sizeof(float)),
             "weights bit-identical");
    EV_CHECK(!memcmp(ev_model_norm_mean(r), ev_model_norm_mean(m),
                     (size_t)ev_model_input_dims(m) * sizeof(float)) &&
                 !memcmp(ev_model_norm_std(r), ev_model_norm_std(m),
                         (size_t)ev_model_input_dims(m) * sizeof(float)),
             "prior bit-identical");
    for (int i = 0; i < EV_N_EMOTIONS; i++)
      EV_CHECK(ev_model_label_canonical(r, i) == i, "label %d", i);

    ev_model_state *s1 = ev_model_state_new(m, err, sizeof err);
    ev_model_state *s2 = ev_model_state_new(r, err, sizeof err);
    const int d = ev_model_input_dims(m);
    float *x = malloc((size_t)d * sizeof(float));
    float y1[EV_N_EMOTIONS], y2[EV_N_EMOTIONS];
    int identical = 1, sums_ok = 1, varied = 0;
    float first = -1.0f;
    for (int t = 0; t < 60; t++) {
      for (int i = 0; i < d; i++)
        x[i] = 2.0f * fixture_uniform();
      ev_model_state_run(s1, x, y1);
      /* the other one layer at a time, as the analyser does */
      ev_model_state_begin(s2, x);
      while (!ev_model_state_step_layer(s2)) {
      }
      memcpy(y2, ev_model_state_output(s2), sizeof y2);
      identical &= !memcmp(y1, y2, sizeof y1);
      double sum = 0;
      for (int i = 0; i < EV_N_EMOTIONS; i++)
        sum += y1[i];
      sums_ok &= fabs(sum - 1.0) < 1e-5;
      if (t == 0)
        first = y1[0];
      else if (y1[0] != first)
        varied = 1;
    }
    EV_CHECK(identical, "architecture %zu: outputs bit-identical after the round trip", a);
    EV_CHECK(sums_ok, "architecture %zu: probabilities sum to 1", a);
    EV_CHECK(varied, "architecture %zu: outputs depend on the input", a);
    printf("architecture %zu: %zu params, %d layers, round trip identical\n", a,
           ev_model_n_params(m), ev_model_n_layers(m));
    free(x);
    ev_model_state_free(s1);
    ev_model_state_free(s2);
    ev_model_free(r);

    /* A non-finite weight is refused at save time and nothing is written. */
    ev_model_params(m)[0] = NAN;
    remove(path);
    EV_CHECK(ev_model_save(m, path, err, sizeof err) == -1 && strstr(err, "non-finite"),
             "NaN weight refused at save: %s", err);
    EV_CHECK(access(path, F_OK) != 0, "nothing written");
    ev_model_free(m);
  }
  remove(path);

  /* Streaming through ev_model_state (ping-pong buffers, unit by unit) equals the layer
   * API's whole-sequence forward chained layer by layer (an independent path). */
  const char *seq_archs[] = {
      archs[1], archs[2], archs[3],
      "[{\"type\":\"dense\",\"out\":16,\"activation\":\"tanh\"},{\"type\":\"bilstm\","
      "\"hidden\":16,\"window\":30},{\"type\":\"dense\"}]",
      archs[5],
      /* cut into 7 parts (9 cells of 3 * 24^2 multiply-adds per part) */
      "[{\"type\":\"dense\",\"out\":16,\"activation\":\"tanh\"},{\"type\":\"bigru\","
      "\"hidden\":24,\"window\":30},{\"type\":\"dense\"}]"};
  const int n_seq = (int)(sizeof seq_archs / sizeof seq_archs[0]);
  for (int a = 0; a < n_seq; a++) {
    ev_model *m = fixture_model(seq_archs[a], "[\"mfcc\",\"rms\"]", 1, EV_NORM_GLOBAL);
    if (!m)
      continue;
    fixture_randomize(m, 0.4f);
    const int T = 40, D = ev_model_input_dims(m);
    int width = D;
    for (int i = 0; i < ev_model_n_layers(m); i++)
      if (ev_model_layer(m, i)->out_dim > width)
        width = ev_model_layer(m, i)->out_dim;
    float *cur = malloc((size_t)T * (size_t)width * sizeof(float));
    float *nxt = malloc((size_t)T * (size_t)width * sizeof(float));
    for (int i = 0; i < T * D; i++)
      cur[i] = fixture_uniform();
    float *inputs = malloc((size_t)T * (size_t)D * sizeof(float));
    memcpy(inputs, cur, (size_t)T * (size_t)D * sizeof(float));
    for (int i = 0; i < ev_model_n_layers(m); i++) {
      const ev_layer *l = ev_model_layer(m, i);
      float *cache = calloc(ev_layer_cache_floats(l, T) + 1, sizeof(float));
      ev_layer_forward_seq(l, T, cur, nxt, cache);
      free(cache);
      float *t = cur;
      cur = nxt;
      nxt = t;
    }
    char err[256];
    ev_model_state *st = ev_model_state_new(m, err, sizeof err);
    double maxdiff = 0;
    for (int t = 0; t < T; t++) {
      ev_model_state_begin(st, inputs + (size_t)t * (size_t)D);
      int units = 0;
      while (!ev_model_state_step_layer(st))
        units++;
      EV_CHECK(units + 1 == ev_model_step_units(m), "units per step %d vs %d", units + 1,
               ev_model_step_units(m));
      for (int k = 0; k < EV_N_EMOTIONS; k++) {
        double d = fabs(ev_model_state_output(st)[k] - cur[t * EV_N_EMOTIONS + k]);
        maxdiff = d > maxdiff ? d : maxdiff;
      }
    }
    EV_CHECK(maxdiff < 1e-5, "streaming vs sequence forward: max difference %g", maxdiff);
    printf(
        "sequence check %d: %d units/step, streaming = chained sequence forward (max diff %.2g)\n",
        a, ev_model_step_units(m), maxdiff);
    ev_model_state_free(st);
    free(inputs);
    free(cur);
    free(nxt);
    ev_model_free(m);
  }

  /* The builder refuses label/architecture mismatches. */
  char err[512];
  ev_layer_config l;
  ev_layer_config_default(&l, EV_LAYER_DENSE);
  l.out_dim = 3;
  ev_model_desc d;
  memset(&d, 0, sizeof d);
  ev_feature_config_default(&d.input.features);
  d.input.n_inputs = 1;
  d.input.inputs[0] = EV_FEAT_RMS;
  d.input.frame_stride = 1;
  d.n_layers = 1;
  d.layers = &l;
  d.n_labels = 2;
  const char *labels[2] = {"happy", "sad"};
  d.labels = labels;
  ev_norm_config_default(&d.input.norm);
  { /* a robust-norm model's clamp survives the file (the default is not written) */
    ev_model_desc dc = d;
    ev_layer_config l2 = l;
    l2.out_dim = 2;
    dc.layers = &l2;
    dc.input.norm.clamp = 10.0f;
    ev_model *cm = ev_model_create(&dc, err, sizeof err);
    uint8_t *buf = NULL;
    size_t len = 0;
    EV_REQUIRE(cm && ev_model_serialize(cm, &buf, &len, err, sizeof err) == 0, "clamp model: %s",
               err);
    ev_model *back = ev_model_load_memory(buf, len, err, sizeof err);
    EV_CHECK(back && ev_model_input_config(back)->norm.clamp == 10.0f, "clamp 10 read back: %s",
             back ? "" : err);
    ev_model_free(back);
    free(buf);
    ev_model_free(cm);
  }
  ev_model *bad = ev_model_create(&d, err, sizeof err);
  EV_CHECK(bad == NULL && strstr(err, "labels"), "3 outputs for 2 labels refused: %s", err);
  ev_model_free(bad);
  EV_TEST_END();
}
