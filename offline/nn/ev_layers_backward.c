/* Dispatch of the backward pass through the training half of the kind table, a row per kind:
 * whether it needs a private input gradient, its scratch size and its backward function (the
 * size next to the function that uses it, so they cannot drift apart). */
#include <stdlib.h>
#include <string.h>

#include "ev_backward_internal.h"
#include "ev_layers_backward.h"

/* The family's own scratch for T frames, L of them in one window (see each family's function
 * for the layout). */
static size_t affine_scratch(const ev_layer *l, size_t t, size_t L) {
  (void)t;
  (void)L;
  return (size_t)l->out_dim;
}
static size_t cell_scratch(const ev_layer *l, size_t t, size_t L) {
  (void)t;
  (void)L;
  return 9 * (size_t)l->hidden;
}
static size_t bilstm_scratch(const ev_layer *l, size_t t, size_t L) {
  size_t H = (size_t)l->hidden;
  return t * 8 * H + 8 * H + L * 6 * H;
}
static size_t bigru_scratch(const ev_layer *l, size_t t, size_t L) {
  size_t H = (size_t)l->hidden;
  return t * 6 * H + 12 * H + L * 5 * H;
}
static size_t attnpool_scratch(const ev_layer *l, size_t t, size_t L) {
  (void)t;
  return 2 * L + (size_t)l->in_dim;
}

/* The training half of the kind table (dsp/nn/ev_layer_kinds.c holds the forward half). */
typedef struct backward_row {
  /* needs an input gradient even when the caller wants none: recurrent layers carry their
   * state gradient through it; the other kinds with parameters accumulate into it */
  int private_din;
  size_t (*scratch)(const ev_layer *l, size_t t, size_t L); /* NULL: none */
  void (*backward)(const ev_layer *l, int T, const float *in, const float *cache, const float *dout,
                   float *din, float *const *dp, float *scratch);
} backward_row;

static const backward_row rows[EV_LAYER_KIND_COUNT] = {
    [EV_LAYER_DENSE] = {1, affine_scratch, ev_dense_backward},
    [EV_LAYER_CONV1D] = {1, affine_scratch, ev_conv1d_backward},
    [EV_LAYER_GRU] = {1, cell_scratch, ev_gru_backward},
    [EV_LAYER_LSTM] = {1, cell_scratch, ev_lstm_backward},
    [EV_LAYER_BILSTM] = {1, bilstm_scratch, ev_bilstm_backward},
    [EV_LAYER_LAYERNORM] = {1, NULL, ev_layernorm_backward},
    [EV_LAYER_ACTIVATION] = {0, NULL, ev_activation_backward},
    [EV_LAYER_MEANPOOL] = {0, NULL, ev_meanpool_backward},
    [EV_LAYER_ATTNPOOL] = {1, attnpool_scratch, ev_attnpool_backward},
    [EV_LAYER_SOFTMAX] = {0, NULL, ev_softmax_backward},
    [EV_LAYER_BIGRU] = {1, bigru_scratch, ev_bigru_backward},
};

static const backward_row *row_of(const ev_layer *l) {
  return ((int)l->kind >= 0 && l->kind < EV_LAYER_KIND_COUNT) ? &rows[l->kind] : NULL;
}

size_t ev_layer_backward_scratch_floats(const ev_layer *l, int T) {
  if (T <= 0)
    return 0;
  const backward_row *r = row_of(l);
  if (!r)
    return 0;
  size_t t = (size_t)T, L = (size_t)(l->window < T ? l->window : T); /* frames in one window */
  size_t own = r->private_din ? t * (size_t)l->in_dim : 0;
  return own + (r->scratch ? r->scratch(l, t, L) : 0);
}

void ev_layer_backward_seq_scratch(const ev_layer *l, int T, const float *in, const float *cache,
                                   const float *dout, float *din, float *const *dparams,
                                   float *scratch) {
  const backward_row *r = row_of(l);
  if (T <= 0 || !r)
    return;
  size_t n_in = (size_t)T * (size_t)l->in_dim;
  /* Families accumulate into din; give them a zeroed one (a private one if none was given,
   * because recurrent layers need the input gradient path anyway). */
  float *dx = din, *own = scratch;
  if (r->private_din) {
    if (!dx)
      dx = scratch;
    own = scratch + n_in;
  }
  if (!dx) /* a kind without parameters whose caller wants no din: nothing to compute */
    return;
  memset(dx, 0, sizeof(float) * n_in);
  float *const none[EV_LAYER_MAX_PARAMS] = {0};
  float *const *dp = dparams ? dparams : none;
  r->backward(l, T, in, cache, dout, dx, dp, own);
}

int ev_layer_backward_seq(const ev_layer *l, int T, const float *in, const float *cache,
                          const float *dout, float *din, float *const *dparams) {
  size_t n = ev_layer_backward_scratch_floats(l, T);
  float *scratch = malloc(sizeof(float) * (n ? n : 1));
  if (!scratch)
    return -1;
  ev_layer_backward_seq_scratch(l, T, in, cache, dout, din, dparams, scratch);
  free(scratch);
  return 0;
}
