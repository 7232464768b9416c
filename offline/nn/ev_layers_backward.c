/* Dispatch of ev_layer_backward_seq to the per-family backward passes. */
#include <stdlib.h>
#include <string.h>

#include "ev_backward_internal.h"
#include "ev_layers_backward.h"

int ev_layer_backward_seq(const ev_layer *l, int T, const float *in, const float *cache,
                          const float *dout, float *din, float *const *dparams) {
  if (T <= 0)
    return 0;
  size_t n_in = (size_t)T * (size_t)l->in_dim;
  /* Families accumulate into din; give them a zeroed one (a private one if none was given,
   * because recurrent layers need the input gradient path anyway). */
  float *dx = din;
  if (!dx &&
      (l->kind == EV_LAYER_GRU || l->kind == EV_LAYER_LSTM || l->kind == EV_LAYER_BILSTM ||
       l->kind == EV_LAYER_BIGRU || l->kind == EV_LAYER_ATTNPOOL || l->kind == EV_LAYER_LAYERNORM ||
       l->kind == EV_LAYER_DENSE || l->kind == EV_LAYER_CONV1D)) {
    dx = malloc(sizeof(float) * n_in);
    if (!dx)
      return -1;
  }
  if (dx)
    memset(dx, 0, sizeof(float) * n_in);
  float *const none[EV_LAYER_MAX_PARAMS] = {0};
  float *const *dp = dparams ? dparams : none;
  int rc = 0;
  switch (l->kind) {
  case EV_LAYER_DENSE:
    rc = ev_dense_backward(l, T, in, cache, dout, dx, dp);
    break;
  case EV_LAYER_CONV1D:
    rc = ev_conv1d_backward(l, T, in, cache, dout, dx, dp);
    break;
  case EV_LAYER_GRU:
    rc = ev_gru_backward(l, T, in, cache, dout, dx, dp);
    break;
  case EV_LAYER_LSTM:
    rc = ev_lstm_backward(l, T, in, cache, dout, dx, dp);
    break;
  case EV_LAYER_BILSTM:
    rc = ev_bilstm_backward(l, T, in, cache, dout, dx, dp);
    break;
  case EV_LAYER_BIGRU:
    rc = ev_bigru_backward(l, T, in, cache, dout, dx, dp);
    break;
  case EV_LAYER_LAYERNORM:
    rc = ev_layernorm_backward(l, T, in, cache, dout, dx, dp);
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
    rc = ev_attnpool_backward(l, T, in, cache, dout, dx, dp);
    break;
  default:
    break;
  }
  if (dx != din)
    free(dx);
  return rc;
}
