/* Pooling over a sliding window that ends at the current frame: meanpool and attnpool.
 * Right after a reset the window holds only the frames seen so far (no zero padding). */
#include "ev_nn_internal.h"

#define EV_MEAN_MAX_COUNT 16777216.0f /* 2^24: counts stay exact in float */

/* ---- meanpool ----
 * window W >= 1: y_t = mean(x_s..x_t), s = max(0, t - W + 1); the sum is recomputed from the
 * window every frame (oldest first) so no rounding error accumulates.
 * window 0: y_t = mean(x_0..x_t) as the running mean m_t = m_{t-1} + (x_t - m_{t-1}) / n_t,
 * n_t = min(t + 1, 2^24) (after 2^24 frames, ~46 h at 100 frames/s, it becomes an exponential
 * average with that time constant). The running mean is sanitised (NaN/Inf -> 0). */
static void mean_of_window(int D, int L, const float *x, size_t stride, int start, int cap,
                           float *out) {
  for (int i = 0; i < D; i++)
    out[i] = 0.0f;
  for (int k = 0; k < L; k++) {
    ev_vadd(out, x + (size_t)((start + k) % cap) * stride, D); /* out never overlaps x */
  }
  float inv_n = 1.0f / (float)L;
  for (int i = 0; i < D; i++)
    out[i] *= inv_n;
}

static void running_mean_update(int D, float *mean, float n, const float *x) {
  float inv_n = 1.0f / n;
  for (int i = 0; i < D; i++)
    mean[i] = ev_sanitizef(mean[i] + (x[i] - mean[i]) * inv_n);
}

void ev_meanpool_step(const ev_layer *l, float *state, const float *in, float *out) {
  int D = l->in_dim, W = l->window;
  if (W == 0) {
    float n = state[0] < EV_MEAN_MAX_COUNT ? state[0] + 1.0f : EV_MEAN_MAX_COUNT;
    state[0] = n;
    running_mean_update(D, state + 1, n, in);
    memcpy(out, state + 1, sizeof(float) * (size_t)D);
    return;
  }
  ev_ring_push(state, W, D, in);
  int L = (int)state[1], start = L < W ? 0 : (int)state[0];
  mean_of_window(D, L, state + EV_RING_HEADER, (size_t)D, start, W, out);
}

void ev_meanpool_forward_seq(const ev_layer *l, int T, const float *in, float *out) {
  size_t D = (size_t)l->in_dim;
  int W = l->window;
  for (int t = 0; t < T; t++) {
    if (W == 0) {
      float n = (float)t + 1.0f < EV_MEAN_MAX_COUNT ? (float)t + 1.0f : EV_MEAN_MAX_COUNT;
      if (t == 0)
        memset(out, 0, sizeof(float) * D);
      else
        memcpy(out + t * D, out + (t - 1) * D, sizeof(float) * D);
      running_mean_update((int)D, out + t * D, n, in + t * D);
    } else {
      int s = t - W + 1 < 0 ? 0 : t - W + 1;
      mean_of_window((int)D, t - s + 1, in + s * D, D, 0, T, out + t * D);
    }
  }
}

/* ---- attnpool ----
 * score_j = weight . x_j + bias; a = softmax(scores of the window); y_t = sum_j a_j x_j. */
float ev_attn_score(const ev_layer *l, const float *x) {
  const float *w = l->params[EV_P_WEIGHT].data;
  return ev_dotf(w, x, l->in_dim) + l->params[EV_P_BIAS].data[0];
}

void ev_attn_pool(int D, int L, int start, int cap, const float *x, size_t x_stride, const float *s,
                  size_t s_stride, float *a, float *out) {
  float m = -INFINITY;
  for (int k = 0; k < L; k++) {
    float sk = s[(size_t)((start + k) % cap) * s_stride];
    if (sk > m)
      m = sk;
  }
  float sum = 0.0f;
  for (int k = 0; k < L; k++) {
    float sk = s[(size_t)((start + k) % cap) * s_stride];
    a[k] = expf(fmaxf(sk - m, -EV_EXP_CLAMP));
    sum += a[k];
  }
  float inv = 1.0f / sum;
  for (int i = 0; i < D; i++)
    out[i] = 0.0f;
  for (int k = 0; k < L; k++) {
    a[k] *= inv;
    ev_axpy(out, a[k], x + (size_t)((start + k) % cap) * x_stride, D); /* out never overlaps x */
  }
}

/* state: ring of W slots [x (D), score]; scratch: W attention weights. */
void ev_attnpool_step(const ev_layer *l, float *state, const float *in, float *out,
                      float *scratch) {
  int D = l->in_dim, W = l->window;
  float *slot = ev_ring_push(state, W, D + 1, NULL); /* slot is [x, score]: D + 1 floats */
  memcpy(slot, in, sizeof(float) * (size_t)D);
  slot[D] = ev_attn_score(l, in);
  int L = (int)state[1], start = L < W ? 0 : (int)state[0];
  const float *base = state + EV_RING_HEADER;
  ev_attn_pool(D, L, start, W, base, (size_t)D + 1, base + D, (size_t)D + 1, scratch, out);
}

/* cache: T scores, then W attention weights. */
void ev_attnpool_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache) {
  size_t D = (size_t)l->in_dim;
  int W = l->window;
  for (int t = 0; t < T; t++)
    cache[t] = ev_attn_score(l, in + t * D);
  for (int t = 0; t < T; t++) {
    int s = t - W + 1 < 0 ? 0 : t - W + 1;
    ev_attn_pool((int)D, t - s + 1, 0, T, in + s * D, D, cache + s, 1, cache + T, out + t * D);
  }
}
