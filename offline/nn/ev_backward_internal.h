/* Internal to offline/nn: the per-family backward passes the dispatcher calls. Each gets
 * din already zeroed (a private buffer when the caller passed NULL) and accumulates into it;
 * dp[i] is the gradient of params[i] or NULL; scratch holds the family's share of
 * ev_layer_backward_scratch_floats() (sized there, next to the dispatcher). None allocates or
 * fails. */
#ifndef EV_BACKWARD_INTERNAL_H
#define EV_BACKWARD_INTERNAL_H

#include "ev_nn_internal.h"

void ev_dense_backward(const ev_layer *l, int T, const float *in, const float *cache,
                       const float *dout, float *din, float *const *dp, float *scratch);
void ev_conv1d_backward(const ev_layer *l, int T, const float *in, const float *cache,
                        const float *dout, float *din, float *const *dp, float *scratch);
void ev_gru_backward(const ev_layer *l, int T, const float *in, const float *cache,
                     const float *dout, float *din, float *const *dp, float *scratch);
void ev_lstm_backward(const ev_layer *l, int T, const float *in, const float *cache,
                      const float *dout, float *din, float *const *dp, float *scratch);
void ev_bilstm_backward(const ev_layer *l, int T, const float *in, const float *cache,
                        const float *dout, float *din, float *const *dp, float *scratch);
void ev_bigru_backward(const ev_layer *l, int T, const float *in, const float *cache,
                       const float *dout, float *din, float *const *dp, float *scratch);
void ev_layernorm_backward(const ev_layer *l, int T, const float *in, const float *cache,
                           const float *dout, float *din, float *const *dp);
void ev_activation_backward(const ev_layer *l, int T, const float *in, const float *dout,
                            float *din);
void ev_softmax_backward(const ev_layer *l, int T, const float *in, const float *dout, float *din);
void ev_meanpool_backward(const ev_layer *l, int T, const float *dout, float *din);
void ev_attnpool_backward(const ev_layer *l, int T, const float *in, const float *cache,
                          const float *dout, float *din, float *const *dp, float *scratch);

/* dst[i] += src[i] when dst is not NULL. */
static inline void ev_grad_add(float *dst, const float *src, int n) {
  if (!dst)
    return;
  for (int i = 0; i < n; i++)
    dst[i] += src[i];
}

#endif
