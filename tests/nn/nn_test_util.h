/* Helpers for the layer tests: deterministic random numbers, layers with random weights, and a
 * small stack of layers (forward by steps or by sequence). Header-only, test code only. */
#ifndef NN_TEST_UTIL_H
#define NN_TEST_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ev_layers.h"
#include "ev_test.h"

static uint64_t nn_rng_state = 0x9E3779B97F4A7C15ull;
static inline void nn_seed(uint64_t s) {
  nn_rng_state = s * 0x9E3779B97F4A7C15ull + 1;
}
/* uniform in [-1, 1) (xorshift64*) */
static inline float nn_rand(void) {
  nn_rng_state ^= nn_rng_state >> 12;
  nn_rng_state ^= nn_rng_state << 25;
  nn_rng_state ^= nn_rng_state >> 27;
  uint64_t r = nn_rng_state * 2685821657736338717ull;
  return (float)((double)(r >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}
static inline void nn_fill(float *x, size_t n, float scale) {
  for (size_t i = 0; i < n; i++)
    x[i] = scale * nn_rand();
}

static inline void *nn_xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  return p;
}

/* A layer owning its weight arena (tests only; real models share one arena). */
typedef struct nn_layer {
  ev_layer l;
  float *weights;
} nn_layer;

static inline void nn_layer_make(nn_layer *nl, const ev_layer_config *cfg, float scale) {
  char err[200];
  if (ev_layer_init(&nl->l, cfg, err, sizeof err)) {
    fprintf(stderr, "ev_layer_init(%s) failed: %s\n", ev_layer_kind_name(cfg->kind), err);
    exit(1);
  }
  size_t n = ev_layer_n_weights(&nl->l);
  nl->weights = nn_xcalloc(n, sizeof(float));
  ev_layer_bind(&nl->l, nl->weights);
  nn_fill(nl->weights, n, scale);
  /* layernorm gains near 1 as in a trained model */
  if (cfg->kind == EV_LAYER_LAYERNORM)
    for (int i = 0; i < nl->l.in_dim; i++)
      nl->l.params[0].data[i] += 1.0f;
}
static inline void nn_layer_free(nn_layer *nl) {
  free(nl->weights);
}

/* Runs T frames through the layer one ev_layer_step at a time from a reset state. */
static inline void nn_step_seq(const ev_layer *l, int T, const float *in, float *out) {
  float *state = nn_xcalloc(ev_layer_state_floats(l), sizeof(float));
  float *scratch = nn_xcalloc(ev_layer_scratch_floats(l), sizeof(float));
  ev_layer_state_reset(l, state);
  for (int t = 0; t < T; t++)
    ev_layer_step(l, state, in + (size_t)t * l->in_dim, out + (size_t)t * l->out_dim, scratch);
  free(state);
  free(scratch);
}

/* forward_seq with a freshly allocated cache (returned; caller frees). */
static inline float *nn_forward(const ev_layer *l, int T, const float *in, float *out) {
  float *cache = nn_xcalloc(ev_layer_cache_floats(l, T), sizeof(float));
  ev_layer_forward_seq(l, T, in, out, cache);
  return cache;
}

/* Largest |a - b| / (atol + |b|) ratio style comparison: returns max |a-b| - rtol*|b|. */
static inline double nn_max_err(const float *a, const float *b, size_t n, double rtol,
                                size_t *where) {
  double worst = 0.0;
  for (size_t i = 0; i < n; i++) {
    double e = fabs((double)a[i] - (double)b[i]) - rtol * fabs((double)b[i]);
    if (!(e <= worst)) { /* also catches NaN */
      worst = isnan(e) ? INFINITY : e;
      if (where)
        *where = i;
    }
  }
  return worst;
}

static inline ev_layer_config nn_cfg(ev_layer_kind kind, int in_dim) {
  ev_layer_config c;
  ev_layer_config_default(&c, kind);
  c.in_dim = in_dim;
  return c;
}

/* Every layer kind with a spread of attributes, including windows longer than the test
 * sequences (T < window) and windows of 1. */
typedef struct nn_case {
  char what[64];
  ev_layer_config cfg;
} nn_case;

#define NN_MAX_CASES 40
static inline int nn_cases(nn_case *cases, int D) {
  int n = 0;
#define NN_ADD(KIND, ...)                                                                          \
  do {                                                                                             \
    ev_layer_config c = nn_cfg(KIND, D);                                                           \
    __VA_ARGS__;                                                                                   \
    cases[n].cfg = c;                                                                              \
    snprintf(cases[n].what, sizeof cases[n].what, "%s in %d out %d act %s k%d d%d H%d W%d",        \
             ev_layer_kind_name(KIND), D, c.out_dim, ev_activation_name(c.activation), c.kernel,   \
             c.dilation, c.hidden, c.window);                                                      \
    n++;                                                                                           \
  } while (0)
  for (int a = 0; a < EV_ACT_COUNT; a++)
    NN_ADD(EV_LAYER_DENSE, c.out_dim = 4, c.activation = (ev_activation)a);
  NN_ADD(EV_LAYER_CONV1D, c.out_dim = 4, c.kernel = 3, c.dilation = 2, c.activation = EV_ACT_TANH);
  NN_ADD(EV_LAYER_CONV1D, c.out_dim = 2, c.kernel = 1, c.dilation = 1);
  NN_ADD(EV_LAYER_CONV1D, c.out_dim = 3, c.kernel = 2, c.dilation = 3, c.activation = EV_ACT_GELU);
  NN_ADD(EV_LAYER_CONV1D, c.out_dim = 3, c.kernel = 4, c.dilation = 1, c.activation = EV_ACT_RELU);
  NN_ADD(EV_LAYER_GRU, c.hidden = 3);
  NN_ADD(EV_LAYER_GRU, c.hidden = 1);
  NN_ADD(EV_LAYER_LSTM, c.hidden = 3);
  NN_ADD(EV_LAYER_LSTM, c.hidden = 1);
  NN_ADD(EV_LAYER_BILSTM, c.hidden = 3, c.window = 3);
  NN_ADD(EV_LAYER_BILSTM, c.hidden = 2, c.window = 1);
  NN_ADD(EV_LAYER_BILSTM, c.hidden = 2, c.window = 50);
  NN_ADD(EV_LAYER_BIGRU, c.hidden = 3, c.window = 3);
  NN_ADD(EV_LAYER_BIGRU, c.hidden = 2, c.window = 1);
  NN_ADD(EV_LAYER_BIGRU, c.hidden = 2, c.window = 50);
  NN_ADD(EV_LAYER_LAYERNORM, (void)0);
  for (int a = 0; a < EV_ACT_COUNT; a++)
    NN_ADD(EV_LAYER_ACTIVATION, c.activation = (ev_activation)a);
  NN_ADD(EV_LAYER_MEANPOOL, c.window = 0);
  NN_ADD(EV_LAYER_MEANPOOL, c.window = 1);
  NN_ADD(EV_LAYER_MEANPOOL, c.window = 3);
  NN_ADD(EV_LAYER_MEANPOOL, c.window = 50);
  NN_ADD(EV_LAYER_ATTNPOOL, c.window = 1);
  NN_ADD(EV_LAYER_ATTNPOOL, c.window = 3);
  NN_ADD(EV_LAYER_ATTNPOOL, c.window = 50);
  NN_ADD(EV_LAYER_SOFTMAX, (void)0);
#undef NN_ADD
  return n;
}

#endif
