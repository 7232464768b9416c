/* Backward of dense and conv1d. */
#include <string.h>

#include "ev_backward_internal.h"

/* dz = dout * act'(z) for frame t (z from the cache when the activation is not linear). */
static void pre_activation_grad(const ev_layer *l, int t, const float *cache, const float *dout,
                                float *dz) {
  int O = l->out_dim;
  const float *dy = dout + (size_t)t * O;
  if (l->activation == EV_ACT_LINEAR) {
    memcpy(dz, dy, sizeof(float) * (size_t)O);
    return;
  }
  const float *z = cache + (size_t)t * O;
  for (int o = 0; o < O; o++)
    dz[o] = dy[o] * ev_act_deriv(l->activation, z[o]);
}

void ev_dense_backward(const ev_layer *l, int T, const float *in, const float *cache,
                       const float *dout, float *din, float *const *dp, float *scratch) {
  int D = l->in_dim, O = l->out_dim;
  float *dz = scratch; /* O */
  const float *W = l->params[EV_P_WEIGHT].data;
  for (int t = 0; t < T; t++) {
    const float *x = in + (size_t)t * D;
    pre_activation_grad(l, t, cache, dout, dz);
    if (dp[EV_P_WEIGHT])
      ev_outer_acc(dp[EV_P_WEIGHT], O, D, dz, x);
    ev_grad_add(dp[EV_P_BIAS], dz, O);
    ev_matvec_t_acc(din + (size_t)t * D, W, O, D, dz);
  }
}

/* y_t = act(b + sum_k W[:, :, k] x_{t - (K-1-k) d}): every tap that read a real frame sends
 * gradient to that frame and to its weight slice. */
void ev_conv1d_backward(const ev_layer *l, int T, const float *in, const float *cache,
                        const float *dout, float *din, float *const *dp, float *scratch) {
  int D = l->in_dim, O = l->out_dim, K = l->kernel, d = l->dilation;
  float *dz = scratch; /* O */
  const float *W = l->params[EV_P_WEIGHT].data;
  float *dW = dp[EV_P_WEIGHT];
  for (int t = 0; t < T; t++) {
    pre_activation_grad(l, t, cache, dout, dz);
    ev_grad_add(dp[EV_P_BIAS], dz, O);
    for (int k = 0; k < K; k++) {
      int s = t - (K - 1 - k) * d;
      if (s < 0)
        continue;
      const float *x = in + (size_t)s * D;
      float *dx = din + (size_t)s * D;
      for (int o = 0; o < O; o++) {
        float g = dz[o];
        if (g == 0.0f)
          continue;
        size_t base = (size_t)o * D * K + k;
        for (int i = 0; i < D; i++) {
          dx[i] += W[base + (size_t)i * K] * g;
          if (dW)
            dW[base + (size_t)i * K] += g * x[i];
        }
      }
    }
  }
}
