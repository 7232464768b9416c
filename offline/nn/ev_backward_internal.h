/* Internal to offline/nn: the per-family backward passes the dispatcher calls. Each gets
 * din already zeroed (a private buffer when the caller passed NULL) and accumulates into it;
 * dp[i] is the gradient of params[i] or NULL. Return 0, or -1 when out of memory. */
#ifndef EV_BACKWARD_INTERNAL_H
#define EV_BACKWARD_INTERNAL_H

#include "ev_nn_internal.h"

int ev_dense_backward(const ev_layer *l, int T, const float *in, const float *cache,
                      const float *dout, float *din, float *const *dp);
int ev_conv1d_backward(const ev_layer *l, int T, const float *in, const float *cache,
                       const float *dout, float *din, float *const *dp);
int ev_gru_backward(const ev_layer *l, int T, const float *in, const float *cache,
                    const float *dout, float *din, float *const *dp);
int ev_lstm_backward(const ev_layer *l, int T, const float *in, const float *cache,
                     const float *dout, float *din, float *const *dp);
int ev_bilstm_backward(const ev_layer *l, int T, const float *in, const float *cache,
                       const float *dout, float *din, float *const *dp);
int ev_bigru_backward(const ev_layer *l, int T, const float *in, const float *cache,
                      const float *dout, float *din, float *const *dp);
int ev_layernorm_backward(const ev_layer *l, int T, const float *in, const float *cache,
                          const float *dout, float *din, float *const *dp);
void ev_activation_backward(const ev_layer *l, int T, const float *in, const float *dout,
                            float *din);
void ev_softmax_backward(const ev_layer *l, int T, const float *in, const float *dout, float *din);
void ev_meanpool_backward(const ev_layer *l, int T, const float *dout, float *din);
int ev_attnpool_backward(const ev_layer *l, int T, const float *in, const float *cache,
                         const float *dout, float *din, float *const *dp);

/* dst[i] += src[i] when dst is not NULL. */
static inline void ev_grad_add(float *dst, const float *src, int n) {
  if (!dst)
    return;
  for (int i = 0; i < n; i++)
    dst[i] += src[i];
}

#endif
