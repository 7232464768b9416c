/* Per-frame layers without state: layernorm and softmax (activation is ev_activation_apply). */
#include "ev_nn_internal.h"

/* y = (x - mean) / sqrt(var + eps) * weight + bias over the frame's features; var is the biased
 * (1/D) variance, as in PyTorch's nn.LayerNorm. mean_rstd (optional) receives mean, 1/std. */
void ev_layernorm_frame(const ev_layer *l, const float *x, float *y, float *mean_rstd) {
  int D = l->in_dim;
  const float *w = l->params[EV_P_WEIGHT].data, *b = l->params[EV_P_BIAS].data;
  float mean = 0.0f;
  for (int i = 0; i < D; i++)
    mean += x[i];
  mean /= (float)D;
  float var = 0.0f;
  for (int i = 0; i < D; i++) {
    float d = x[i] - mean;
    var += d * d;
  }
  var /= (float)D;
  float rstd = 1.0f / sqrtf(var + l->eps);
  for (int i = 0; i < D; i++)
    y[i] = (x[i] - mean) * rstd * w[i] + b[i];
  if (mean_rstd) {
    mean_rstd[0] = mean;
    mean_rstd[1] = rstd;
  }
}

/* y = exp(x - max x) / sum exp(x - max x). Arguments of expf are <= 0 and clamped at -80, so
 * nothing overflows and no denormal is produced. */
void ev_softmax_frame(int n, const float *x, float *y) {
  float m = x[0];
  for (int i = 1; i < n; i++)
    if (x[i] > m)
      m = x[i];
  float sum = 0.0f;
  for (int i = 0; i < n; i++) {
    y[i] = expf(fmaxf(x[i] - m, -EV_EXP_CLAMP));
    sum += y[i];
  }
  float inv = 1.0f / sum;
  for (int i = 0; i < n; i++)
    y[i] *= inv;
}
