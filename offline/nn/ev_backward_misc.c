/* Backward of the per-frame layers (layernorm, activation, softmax) and of the pools. */
#include "ev_backward_internal.h"

/* cache per frame: mean, 1/std. With xh = (x - mean) / std:
 * dx = (dxh - mean(dxh) - xh * mean(dxh * xh)) / std, dxh = dy * weight. */
void ev_layernorm_backward(const ev_layer *l, int T, const float *in, const float *cache,
                           const float *dout, float *din, float *const *dp, float *scratch) {
  (void)scratch;
  int D = l->in_dim;
  const float *w = l->params[EV_P_WEIGHT].data;
  float *dw = dp[EV_P_WEIGHT], *db = dp[EV_P_BIAS];
  for (int t = 0; t < T; t++) {
    const float *x = in + (size_t)t * D, *dy = dout + (size_t)t * D;
    float mean = cache[2 * t], rstd = cache[2 * t + 1];
    float m1 = 0.0f, m2 = 0.0f;
    for (int i = 0; i < D; i++) {
      float xh = (x[i] - mean) * rstd, dxh = dy[i] * w[i];
      m1 += dxh;
      m2 += dxh * xh;
      if (dw)
        dw[i] += dy[i] * xh;
      if (db)
        db[i] += dy[i];
    }
    m1 /= (float)D;
    m2 /= (float)D;
    float *dx = din + (size_t)t * D;
    for (int i = 0; i < D; i++) {
      float xh = (x[i] - mean) * rstd;
      dx[i] += (dy[i] * w[i] - m1 - xh * m2) * rstd;
    }
  }
}

/* The layers without parameters only pass the gradient on (the dispatcher calls them only when
 * the caller wants din). */
void ev_activation_backward(const ev_layer *l, int T, const float *in, const float *cache,
                            const float *dout, float *din, float *const *dp, float *scratch) {
  (void)cache;
  (void)dp;
  (void)scratch;
  size_t n = (size_t)T * (size_t)l->in_dim;
  for (size_t i = 0; i < n; i++)
    din[i] += dout[i] * ev_act_deriv(l->activation, in[i]);
}

/* dx = y * (dy - sum(y * dy)), y recomputed from x. */
void ev_softmax_backward(const ev_layer *l, int T, const float *in, const float *cache,
                         const float *dout, float *din, float *const *dp, float *scratch) {
  (void)cache;
  (void)dp;
  (void)scratch;
  int D = l->in_dim;
  for (int t = 0; t < T; t++) {
    float *dx = din + (size_t)t * D;
    const float *dy = dout + (size_t)t * D;
    ev_softmax_frame(D, in + (size_t)t * D, dx); /* y, temporarily in dx (zeroed on entry) */
    float dot = 0.0f;
    for (int i = 0; i < D; i++)
      dot += dx[i] * dy[i];
    for (int i = 0; i < D; i++)
      dx[i] = dx[i] * (dy[i] - dot);
  }
}

/* window W: y_t = mean of the L_t = t - s + 1 frames s..t, so each gets dy_t / L_t.
 * window 0: y_t = mean of frames 0..t, so dx_j = sum_{t >= j} dy_t / (t + 1) (a suffix sum;
 * exact for T < 2^24, where the running-mean recurrence equals the mean). */
void ev_meanpool_backward(const ev_layer *l, int T, const float *in, const float *cache,
                          const float *dout, float *din, float *const *dp, float *scratch) {
  (void)in;
  (void)cache;
  (void)dp;
  (void)scratch;
  int D = l->in_dim, W = l->window;
  if (W == 0) {
    for (int t = T - 1; t >= 0; t--) {
      float *dx = din + (size_t)t * D;
      const float *dy = dout + (size_t)t * D;
      float inv = 1.0f / (float)(t + 1);
      for (int i = 0; i < D; i++)
        dx[i] = (t + 1 < T ? dx[i + D] : 0.0f) + dy[i] * inv;
    }
    return;
  }
  for (int t = 0; t < T; t++) {
    int s = t - W + 1 < 0 ? 0 : t - W + 1;
    float inv = 1.0f / (float)(t - s + 1);
    const float *dy = dout + (size_t)t * D;
    for (int j = s; j <= t; j++)
      for (int i = 0; i < D; i++)
        din[(size_t)j * D + i] += dy[i] * inv;
  }
}

/* y = sum_k a_k x_k, a = softmax(s), s_k = w . x_k + b. With g_k = dy . x_k:
 * ds_k = a_k (g_k - sum_m a_m g_m); dx_k = a_k dy + ds_k w; dw = sum ds_k x_k; db = sum ds_k.
 * cache: T scores (from the forward). */
void ev_attnpool_backward(const ev_layer *l, int T, const float *in, const float *cache,
                          const float *dout, float *din, float *const *dp, float *scratch) {
  int D = l->in_dim, W = l->window;
  int Lmax = W < T ? W : T;
  float *a = scratch; /* 2 Lmax + D */
  float *g = a + Lmax, *y = g + Lmax;
  const float *w = l->params[EV_P_WEIGHT].data;
  float *dw = dp[EV_P_WEIGHT], *db = dp[EV_P_BIAS];
  for (int t = 0; t < T; t++) {
    int s = t - W + 1 < 0 ? 0 : t - W + 1, L = t - s + 1;
    const float *x = in + (size_t)s * D, *dy = dout + (size_t)t * D;
    ev_attn_pool(D, L, 0, T, x, (size_t)D, cache + s, 1, a, y);
    float gbar = 0.0f;
    for (int k = 0; k < L; k++) {
      float gk = 0.0f;
      for (int i = 0; i < D; i++)
        gk += dy[i] * x[(size_t)k * D + i];
      g[k] = gk;
      gbar += a[k] * gk;
    }
    for (int k = 0; k < L; k++) {
      float ds = a[k] * (g[k] - gbar);
      const float *xk = x + (size_t)k * D;
      float *dx = din + (size_t)(s + k) * D;
      for (int i = 0; i < D; i++) {
        dx[i] += a[k] * dy[i] + ds * w[i];
        if (dw)
          dw[i] += ds * xk[i];
      }
      if (db)
        db[0] += ds;
    }
  }
}
