/* dense and conv1d (causal, dilated): affine maps of the current (and past) input frames,
 * followed by the layer's activation. */
#include "ev_nn_internal.h"

/* ---- dense: y = act(W x + b), W [out, in]. ---- */

static void dense_affine(const ev_layer *l, const float *x, float *z) {
  const float *W = l->params[EV_P_WEIGHT].data, *b = l->params[EV_P_BIAS].data;
  for (int o = 0; o < l->out_dim; o++)
    z[o] = b[o];
  ev_matvec_acc(z, W, l->out_dim, l->in_dim, x);
}

void ev_dense_step(const ev_layer *l, const float *in, float *out) {
  dense_affine(l, in, out);
  ev_activation_apply(l->activation, out, l->out_dim);
}

/* cache: the pre-activations z [T, out] when the activation is not linear. */
void ev_dense_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache) {
  size_t D = (size_t)l->in_dim, O = (size_t)l->out_dim;
  for (int t = 0; t < T; t++) {
    dense_affine(l, in + t * D, out + t * O);
    if (l->activation != EV_ACT_LINEAR) {
      memcpy(cache + t * O, out + t * O, sizeof(float) * O);
      ev_activation_apply(l->activation, out + t * O, (int)O);
    }
  }
}

/* ---- conv1d: y_t[o] = act(b[o] + sum_k sum_i W[o, i, k] * x_{t - (K-1-k)*d}[i]), with
 * x_s = 0 for s < 0 (PyTorch Conv1d with left padding (K-1)*d: tap K-1 is the current
 * frame, tap 0 the oldest). ---- */

/* Output frame from the history of inputs: frame_at(k) is the frame tap k reads (NULL = zero
 * padding). Step and forward_seq sum in the same order, so they agree to the last bit. */
static void conv_frame(const ev_layer *l, const float *hist, int slot_now, int slots, int have,
                       float *z) {
  const float *W = l->params[EV_P_WEIGHT].data, *b = l->params[EV_P_BIAS].data;
  int D = l->in_dim, K = l->kernel, d = l->dilation;
  for (int o = 0; o < l->out_dim; o++) {
    float s = 0.0f;
    for (int k = 0; k < K; k++) {
      int back = (K - 1 - k) * d; /* tap K-1 is the current frame */
      if (back >= have)
        continue; /* before the first frame: zero padding */
      int slot = ((slot_now - back) % slots + slots) % slots;
      const float *x = hist + (size_t)slot * D;
      const float *w = W + (size_t)o * D * K + k;
      for (int i = 0; i < D; i++)
        s += w[(size_t)i * K] * x[i];
    }
    z[o] = s + b[o];
  }
}

/* state: [write slot, frames seen (saturating at span), span input frames]. */
void ev_conv1d_step(const ev_layer *l, float *state, const float *in, float *out) {
  int D = l->in_dim, span = (l->kernel - 1) * l->dilation + 1;
  int pos = (int)state[0], have = (int)state[1];
  float *hist = state + 2;
  memcpy(hist + (size_t)pos * D, in, sizeof(float) * (size_t)D);
  have = have < span ? have + 1 : span;
  conv_frame(l, hist, pos, span, have, out);
  state[0] = (float)((pos + 1) % span);
  state[1] = (float)have;
  ev_activation_apply(l->activation, out, l->out_dim);
}

/* cache: the pre-activations z [T, out] when the activation is not linear. */
void ev_conv1d_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache) {
  size_t O = (size_t)l->out_dim;
  for (int t = 0; t < T; t++) {
    /* the whole input is the history: slot t is frame t, t+1 frames exist */
    conv_frame(l, in, t, T, t + 1, out + t * O);
    if (l->activation != EV_ACT_LINEAR) {
      memcpy(cache + t * O, out + t * O, sizeof(float) * O);
      ev_activation_apply(l->activation, out + t * O, (int)O);
    }
  }
}
