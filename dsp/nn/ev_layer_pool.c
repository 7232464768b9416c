/* Pooling over a sliding window that ends at the current frame: meanpool and attnpool.
 * Right after a reset the window holds only the frames seen so far (no zero padding). */
#include "ev_nn_internal.h"

#define EV_MEAN_MAX_COUNT 16777216.0f /* 2^24: counts stay exact in float */

/* ---- meanpool ----
 * window W >= 1: y_t = mean(x_s..x_t), s = max(0, t - W + 1). The window's sum is kept as a
 * running sum of fixed-point integers (x quantised to 2^-30, clamped to +-2^20; NaN -> 0), so
 * adding the new frame and subtracting the evicted one is exact: no rounding error can
 * accumulate, the cost per frame is O(D) whatever the window, and a huge value leaves no trace
 * once it has left the window. step and forward_seq do the same integer arithmetic, so they
 * agree bit for bit.
 * window 0: y_t = mean(x_0..x_t) as the running mean m_t = m_{t-1} + (x_t - m_{t-1}) / n_t,
 * n_t = min(t + 1, 2^24) (after 2^24 frames, ~46 h at 100 frames/s, it becomes an exponential
 * average with that time constant). The running mean is sanitised (NaN/Inf -> 0). */
#define EV_MEAN_FIX_BITS  30
#define EV_MEAN_FIX_LIMIT 1048576.0f /* 2^20: with W <= 4096 = 2^12 the sum stays < 2^62 */

int64_t ev_mean_fix(float x) {
  if (!(x == x))
    return 0; /* NaN */
  x = x > EV_MEAN_FIX_LIMIT ? EV_MEAN_FIX_LIMIT : x < -EV_MEAN_FIX_LIMIT ? -EV_MEAN_FIX_LIMIT : x;
  return (int64_t)llrint((double)x * (double)(1 << EV_MEAN_FIX_BITS));
}

float ev_mean_unfix(int64_t sum, int n) {
  return (float)((double)sum * (1.0 / (double)(1 << EV_MEAN_FIX_BITS)) / (double)n);
}

static void running_mean_update(int D, float *mean, float n, const float *x) {
  float inv_n = 1.0f / n;
  for (int i = 0; i < D; i++)
    mean[i] = ev_sanitizef(mean[i] + (x[i] - mean[i]) * inv_n);
}

/* state: ring header, W slots of D fixed-point values (int64 as 2 floats each), D sums. */
void ev_meanpool_step(const ev_layer *l, float *state, const float *in, float *out) {
  int D = l->in_dim, W = l->window;
  if (W == 0) {
    float n = state[0] < EV_MEAN_MAX_COUNT ? state[0] + 1.0f : EV_MEAN_MAX_COUNT;
    state[0] = n;
    running_mean_update(D, state + 1, n, in);
    memcpy(out, state + 1, sizeof(float) * (size_t)D);
    return;
  }
  const int full = (int)state[1] == W;
  float *slot = ev_ring_push(state, W, 2 * D, NULL); /* the oldest frame when full */
  float *sums = state + EV_RING_HEADER + (size_t)W * 2 * (size_t)D;
  const int L = (int)state[1];
  for (int i = 0; i < D; i++) {
    int64_t s, old = 0, x = ev_mean_fix(in[i]);
    memcpy(&s, sums + 2 * i, sizeof s); /* memcpy: the state is a float array */
    if (full)
      memcpy(&old, slot + 2 * i, sizeof old);
    s += x - old;
    memcpy(slot + 2 * i, &x, sizeof x);
    memcpy(sums + 2 * i, &s, sizeof s);
    out[i] = ev_mean_unfix(s, L);
  }
}

/* cache: D int64 sums (2 D floats). */
void ev_meanpool_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache) {
  size_t D = (size_t)l->in_dim;
  int W = l->window;
  if (W == 0) {
    for (int t = 0; t < T; t++) {
      float n = (float)t + 1.0f < EV_MEAN_MAX_COUNT ? (float)t + 1.0f : EV_MEAN_MAX_COUNT;
      if (t == 0)
        memset(out, 0, sizeof(float) * D);
      else
        memcpy(out + t * D, out + (t - 1) * D, sizeof(float) * D);
      running_mean_update((int)D, out + t * D, n, in + t * D);
    }
    return;
  }
  memset(cache, 0, 2 * D * sizeof *cache);
  for (int t = 0; t < T; t++) {
    int L = t + 1 < W ? t + 1 : W;
    for (size_t i = 0; i < D; i++) {
      int64_t s;
      memcpy(&s, cache + 2 * i, sizeof s); /* memcpy: the cache is a float array */
      s += ev_mean_fix(in[t * D + i]);
      if (t >= W)
        s -= ev_mean_fix(in[(size_t)(t - W) * D + i]);
      memcpy(cache + 2 * i, &s, sizeof s);
      out[t * D + i] = ev_mean_unfix(s, L);
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
