/* Internal to offline/nn: the per-family backward passes the dispatcher calls, all with one
 * signature (ev_backward_fn), so the kind table names them directly. Each gets
 * din already zeroed (a private buffer when the caller passed NULL) and accumulates into it;
 * dp[i] is the gradient of params[i] or NULL; scratch holds the family's share of
 * ev_layer_backward_scratch_floats() (sized there, next to the dispatcher). None allocates or
 * fails. */
#ifndef EV_BACKWARD_INTERNAL_H
#define EV_BACKWARD_INTERNAL_H

#include "ev_nn_internal.h"

typedef void ev_backward_fn(const ev_layer *l, int T, const float *in, const float *cache,
                            const float *dout, float *din, float *const *dp, float *scratch);
ev_backward_fn ev_dense_backward, ev_conv1d_backward, ev_gru_backward, ev_lstm_backward,
    ev_bilstm_backward, ev_bigru_backward, ev_layernorm_backward, ev_attnpool_backward;
/* the kinds without parameters: called only with a din */
ev_backward_fn ev_activation_backward, ev_softmax_backward, ev_meanpool_backward;

/* dst[i] += src[i] when dst is not NULL. */
static inline void ev_grad_add(float *dst, const float *src, int n) {
  if (!dst)
    return;
  for (int i = 0; i < n; i++)
    dst[i] += src[i];
}

#endif
