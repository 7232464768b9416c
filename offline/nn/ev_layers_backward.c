/* Dispatch of the backward pass to the per-family functions, and the size of the scratch
 * memory each needs (kept side by side so they cannot drift apart). */
#include <stdlib.h>
#include <string.h>

#include "ev_backward_internal.h"
#include "ev_layers_backward.h"

/* Kinds whose backward needs an input gradient even when the caller wants none (recurrent
 * layers carry their state gradient through it; the others accumulate into it). */
static int needs_private_din(ev_layer_kind k) {
  return k == EV_LAYER_GRU || k == EV_LAYER_LSTM || k == EV_LAYER_BILSTM || k == EV_LAYER_BIGRU ||
         k == EV_LAYER_ATTNPOOL || k == EV_LAYER_LAYERNORM || k == EV_LAYER_DENSE ||
         k == EV_LAYER_CONV1D;
}

/* The family's own scratch for T frames (see each family's function for the layout). */
static size_t family_scratch_floats(const ev_layer *l, int T) {
  size_t H = (size_t)l->hidden, t = (size_t)T;
  size_t L = (size_t)(l->window < T ? l->window : T); /* frames in one window */
  switch (l->kind) {
  case EV_LAYER_DENSE:
  case EV_LAYER_CONV1D:
    return (size_t)l->out_dim;
  case EV_LAYER_GRU:
  case EV_LAYER_LSTM:
    return 9 * H;
  case EV_LAYER_BILSTM:
    return t * 8 * H + 8 * H + L * 6 * H;
  case EV_LAYER_BIGRU:
    return t * 6 * H + 12 * H + L * 5 * H;
  case EV_LAYER_ATTNPOOL:
    return 2 * L + (size_t)l->in_dim;
  default:
    return 0;
  }
}

size_t ev_layer_backward_scratch_floats(const ev_layer *l, int T) {
  if (T <= 0)
    return 0;
  size_t own = needs_private_din(l->kind) ? (size_t)T * (size_t)l->in_dim : 0;
  return own + family_scratch_floats(l, T);
}

void ev_layer_backward_seq_scratch(const ev_layer *l, int T, const float *in, const float *cache,
                                   const float *dout, float *din, float *const *dparams,
                                   float *scratch) {
  if (T <= 0)
    return;
  size_t n_in = (size_t)T * (size_t)l->in_dim;
  /* Families accumulate into din; give them a zeroed one (a private one if none was given,
   * because recurrent layers need the input gradient path anyway). */
  float *dx = din, *own = scratch;
  if (needs_private_din(l->kind)) {
    if (!dx)
      dx = scratch;
    own = scratch + n_in;
  }
  if (dx)
    memset(dx, 0, sizeof(float) * n_in);
  float *const none[EV_LAYER_MAX_PARAMS] = {0};
  float *const *dp = dparams ? dparams : none;
  switch (l->kind) {
  case EV_LAYER_DENSE:
    ev_dense_backward(l, T, in, cache, dout, dx, dp, own);
    break;
  case EV_LAYER_CONV1D:
    ev_conv1d_backward(l, T, in, cache, dout, dx, dp, own);
    break;
  case EV_LAYER_GRU:
    ev_gru_backward(l, T, in, cache, dout, dx, dp, own);
    break;
  case EV_LAYER_LSTM:
    ev_lstm_backward(l, T, in, cache, dout, dx, dp, own);
    break;
  case EV_LAYER_BILSTM:
    ev_bilstm_backward(l, T, in, cache, dout, dx, dp, own);
    break;
  case EV_LAYER_BIGRU:
    ev_bigru_backward(l, T, in, cache, dout, dx, dp, own);
    break;
  case EV_LAYER_LAYERNORM:
    ev_layernorm_backward(l, T, in, cache, dout, dx, dp);
    break;
  case EV_LAYER_ACTIVATION:
    if (dx)
      ev_activation_backward(l, T, in, dout, dx);
    break;
  case EV_LAYER_SOFTMAX:
    if (dx)
      ev_softmax_backward(l, T, in, dout, dx);
    break;
  case EV_LAYER_MEANPOOL:
    if (dx)
      ev_meanpool_backward(l, T, dout, dx);
    break;
  case EV_LAYER_ATTNPOOL:
    ev_attnpool_backward(l, T, in, cache, dout, dx, dp, own);
    break;
  default:
    break;
  }
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
