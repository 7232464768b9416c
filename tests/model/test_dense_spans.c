/* Dense layers that skip their zero blocks (ev_dense_find_spans, issue 16) compute the bits of
 * the whole rows. Synthetic layers: block-diagonal with blocks of 64, 72 and 20 columns (the
 * middle ones not on a 16-column boundary), scattered -0 weights inside the blocks, a row of
 * zeros, an input width that is not a multiple of 16 and inputs with negatives, +-0 and huge
 * values; then inputs holding Inf and NaN, where a zero weight's product is NaN. Each case is
 * stepped with the spans and without (in one go and in the two parts), compared bit for bit,
 * and the spans are checked against the blocks the test built. Then the shipped model
 * (three networks merged block-diagonally): its hidden layer must get spans that keep a third
 * of the weights, and ev_model_state_run must give the same bits as the same file loaded and
 * put back on whole rows (ev_model_params drops the spans) on 2000 random inputs. */
#include "../common/test_rng.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_layers.h"
#include "ev_model.h"
#include "ev_test.h"

static uint32_t rng = 2024u;
static float uniform(void) {
  return (float)test_uniform_pm1(&rng); /* exact: 24 significant bits */
}

static int same_bits(const float *a, const float *b, int n) {
  return memcmp(a, b, sizeof(float) * (size_t)n) == 0;
}

enum { IN = 156, OUT = 75 };

/* Column block of row o: three groups of rows, one row (OUT - 1) all zeros. */
static void block_of(int o, int *c0, int *c1) {
  static const int edges[4] = {0, 64, 136, IN};
  int g = o * 3 / OUT;
  *c0 = o == OUT - 1 ? 0 : edges[g];
  *c1 = o == OUT - 1 ? 0 : edges[g + 1];
}

static int synthetic(void) {
  ev_layer_config cfg;
  ev_layer_config_default(&cfg, EV_LAYER_DENSE);
  cfg.in_dim = IN;
  cfg.out_dim = OUT;
  cfg.activation = EV_ACT_LINEAR; /* NaN outputs stay visible (ReLU would hide them) */
  ev_layer l;
  char err[200];
  EV_REQUIRE(ev_layer_init(&l, &cfg, err, sizeof err) == 0, "dense init: %s", err);
  float *arena = calloc(ev_layer_n_weights(&l), sizeof(float));
  ev_layer_bind(&l, arena);
  float *W = l.params[0].data, *b = l.params[1].data;
  for (int o = 0; o < OUT; o++) {
    int c0, c1;
    block_of(o, &c0, &c1);
    for (int c = c0; c < c1; c++)
      W[(size_t)o * IN + (size_t)c] = (c % 11 == 3) ? -0.0f : uniform();
    b[o] = o == OUT - 1 ? -0.0f : uniform() * 0.1f;
  }
  static int span[2 * OUT];
  size_t kept = ev_dense_find_spans(&l, span), want_kept = 0;
  int bad_span = 0;
  for (int o = 0; o < OUT; o++) {
    int c0, c1;
    block_of(o, &c0, &c1);
    /* the test's own rounding: the block widened to 16-column lanes, clipped to IN */
    int lo = c1 > c0 ? c0 / 16 * 16 : 0, hi = c1 > c0 ? (c1 + 15) / 16 * 16 : 0;
    hi = hi > IN ? IN : hi;
    bad_span += span[2 * o] != lo || span[2 * o + 1] != hi;
    want_kept += (size_t)(hi - lo);
  }
  printf("synthetic %dx%d: spans keep %zu of %d weights (%d rows differ from the blocks)\n", OUT,
         IN, kept, OUT * IN, bad_span);
  EV_CHECK(bad_span == 0 && kept == want_kept, "spans: %d rows wrong, kept %zu vs %zu", bad_span,
           kept, want_kept);

  int differ = 0, cases = 0, nonfinite_nan = 0;
  for (int t = 0; t < 400; t++) {
    float x[IN], whole[OUT], skip[OUT], parts[OUT];
    for (int c = 0; c < IN; c++) {
      float v = uniform();
      x[c] = t % 4 == 0 ? v * 1e30f : t % 4 == 1 ? (v < 0 ? -0.0f : v) : v;
    }
    if (t >= 300) /* non-finite inputs: the zero weights' NaN products must stay */
      x[(t * 37) % IN] = t % 2 ? INFINITY : NAN;
    l.col_span = NULL;
    ev_layer_step(&l, NULL, x, whole, NULL);
    l.col_span = span;
    ev_layer_step(&l, NULL, x, skip, NULL);
    for (int p = 0; p < ev_layer_step_parts(&l); p++)
      ev_layer_step_part(&l, NULL, x, parts, NULL, p);
    differ += !same_bits(whole, skip, OUT) || !same_bits(whole, parts, OUT);
    if (t >= 300)
      for (int o = 0; o < OUT; o++)
        nonfinite_nan += isnan(whole[o]);
    cases++;
  }
  printf("synthetic: %d of %d inputs give other bits with the spans (NaN outputs in the "
         "non-finite cases: %d)\n",
         differ, cases, nonfinite_nan);
  EV_CHECK(differ == 0, "%d inputs differ", differ);
  EV_CHECK(nonfinite_nan > 0, "the non-finite cases never reached a zero weight's NaN");
  free(arena);
  return 0;
}

static int shipped(void) {
  const char *root = getenv("EMOVOX_SOURCE_ROOT");
  if (!root) {
    printf("EMOVOX_SOURCE_ROOT not set: shipped model not checked\n");
    return 0;
  }
  char path[1024], err[256];
  snprintf(path, sizeof path, "%s/models/emovox-default.safetensors", root);
  ev_model *a = ev_model_load_file(path, err, sizeof err);
  ev_model *b = ev_model_load_file(path, err, sizeof err);
  EV_REQUIRE(a && b, "cannot load %s: %s", path, err);
  (void)ev_model_params(b); /* b: whole rows */
  int with_spans = 0;
  for (int i = 0; i < ev_model_n_layers(a); i++) {
    const ev_layer *l = ev_model_layer(a, i);
    if (l->kind != EV_LAYER_DENSE || !l->col_span)
      continue;
    size_t kept = 0;
    for (int o = 0; o < l->out_dim; o++)
      kept += (size_t)(l->col_span[2 * o + 1] - l->col_span[2 * o]);
    printf("shipped model, layer %d (%dx%d): spans keep %zu of %d weights\n", i, l->out_dim,
           l->in_dim, kept, l->out_dim * l->in_dim);
    EV_CHECK(kept * 3 == (size_t)l->out_dim * (size_t)l->in_dim,
             "layer %d: expected a third kept (three merged networks)", i);
    with_spans++;
    EV_CHECK(!ev_model_layer(b, i)->col_span, "ev_model_params left the spans on");
  }
  EV_CHECK(with_spans == 1, "%d layers with spans, expected the hidden layer alone", with_spans);
  ev_model_state *sa = ev_model_state_new(a, err, sizeof err);
  ev_model_state *sb = ev_model_state_new(b, err, sizeof err);
  EV_REQUIRE(sa && sb, "state: %s", err);
  const int dims = ev_model_input_dims(a), nl = ev_model_n_labels(a);
  float *x = malloc(sizeof(float) * (size_t)dims), ya[64], yb[64];
  int differ = 0;
  for (int t = 0; t < 2000; t++) {
    for (int d = 0; d < dims; d++)
      x[d] = uniform() * (t % 3 == 0 ? 5.0f : 1.5f);
    ev_model_state_run(sa, x, ya);
    ev_model_state_run(sb, x, yb);
    differ += !same_bits(ya, yb, nl);
  }
  printf("shipped model: %d of 2000 random inputs give other bits with the spans\n", differ);
  EV_CHECK(differ == 0, "%d inputs differ", differ);
  free(x);
  ev_model_state_free(sa);
  ev_model_state_free(sb);
  ev_model_free(a);
  ev_model_free(b);
  return 0;
}

int main(void) {
  if (synthetic() || shipped())
    return 1;
  EV_TEST_END();
}
