/* dense and conv1d (causal, dilated): affine maps of the current (and past) input frames,
 * followed by the layer's activation. */
#include "ev_nn_internal.h"

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

/* ---- dense: y = act(W x + b), W [out, in]. ---- */

#define EV_SPAN_LANES 16 /* ev_rows_dot_acc's lanes: column c goes to lane c % 16 */

size_t ev_dense_find_spans(const ev_layer *l, int *span) {
  const float *W = l->params[EV_P_WEIGHT].data;
  const int in = l->in_dim;
  size_t kept = 0;
  for (int o = 0; o < l->out_dim; o++) {
    const float *w = W + (size_t)o * (size_t)in;
    int first = in, last = -1;
    for (int c = 0; c < in; c++)
      if (w[c] != 0.0f) { /* +-0: a zero product, which leaves a lane's sum as it is */
        if (first == in)
          first = c;
        last = c;
      }
    int lo = first == in ? 0 : first / EV_SPAN_LANES * EV_SPAN_LANES;
    int hi = last < 0 ? 0 : (last / EV_SPAN_LANES + 1) * EV_SPAN_LANES;
    if (hi > in)
      hi = in;
    span[2 * o] = lo;
    span[2 * o + 1] = hi;
    kept += (size_t)(hi - lo);
  }
  return kept;
}

static int all_finite(const float *x, int n) {
  int c = 0, ok = 1;
#if defined(__SSE2__)
  /* x - x is 0 for a finite x and NaN otherwise; a NaN in the sum stays */
  __m128 acc = _mm_setzero_ps();
  for (; c + 4 <= n; c += 4) {
    __m128 v = _mm_loadu_ps(x + c);
    acc = _mm_add_ps(acc, _mm_sub_ps(v, v));
  }
  ok = _mm_movemask_ps(_mm_cmpunord_ps(acc, acc)) == 0;
#endif
  for (; c < n; c++)
    ok &= isfinite(x[c]) != 0;
  return ok;
}

/* Rows [o0, o1) of W x + b. With column spans, each run of rows sharing a span is summed over
 * that span alone: the skipped products are +-0 (zero weights times finite inputs), which
 * change no lane of ev_rows_dot_acc (a lane starts at +0 and +0 + -0 = +0), and the span keeps
 * every column in its lane, so the bits are those of the whole rows. A non-finite input (whose
 * product with a zero weight is NaN) takes the whole rows, as before. */
static void dense_rows(const ev_layer *l, const float *x, float *z, int o0, int o1) {
  const float *W = l->params[EV_P_WEIGHT].data, *b = l->params[EV_P_BIAS].data;
  const size_t in = (size_t)l->in_dim;
  for (int o = o0; o < o1; o++)
    z[o] = b[o];
  const int *sp = l->col_span;
  if (!sp || !all_finite(x, l->in_dim)) {
    ev_matvec_acc(z + o0, W + (size_t)o0 * in, o1 - o0, l->in_dim, x);
    return;
  }
  for (int o = o0; o < o1;) {
    const int lo = sp[2 * o], hi = sp[2 * o + 1];
    int e = o + 1;
    while (e < o1 && sp[2 * e] == lo && sp[2 * e + 1] == hi)
      e++;
    ev_rows_dot_acc(z + o, W + (size_t)o * in + (size_t)lo, in, e - o, x + lo, hi - lo);
    o = e;
  }
}

static void dense_affine(const ev_layer *l, const float *x, float *z) {
  dense_rows(l, x, z, 0, l->out_dim);
}

/* Step in two parts (ev_layer_step_parts): the first half of the rows, then the rest and the
 * activation; bit-identical to ev_dense_step (each row is computed the same way). */
void ev_dense_step_part(const ev_layer *l, const float *in, float *out, int part) {
  int half = l->out_dim / 2;
  if (part == 0) {
    dense_rows(l, in, out, 0, half);
  } else {
    dense_rows(l, in, out, half, l->out_dim);
    ev_activation_apply(l->activation, out, l->out_dim);
  }
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

/* Output frame from the history of inputs (have = frames that exist, the rest is zero
 * padding). The weight row of output o, W[o, i, k] at o*D*K + i*K + k, is contiguous, so the
 * taps' inputs are gathered in the same interleaved order X[i*K + k] (a stack chunk at a time)
 * and each chunk is one contiguous, vectorised dot product per output (the strided
 * per-tap loop this replaces ran at a quarter of the speed). Step and forward_seq share this
 * function, so they agree to the last bit. */
#define EV_CONV_CHUNK 1024 /* floats of gathered input per pass (4 KiB of stack) */
#define EV_CONV_TAPS  16   /* taps whose frame pointers are cached (kernel is rarely larger) */

/* The frame tap k reads, or NULL for the zero padding before the first frame. */
static const float *conv_tap(const ev_layer *l, const float *hist, int slot_now, int slots,
                             int have, int k) {
  int back = (l->kernel - 1 - k) * l->dilation; /* tap K-1 is the current frame */
  if (back >= have)
    return NULL;
  return hist + (size_t)(((slot_now - back) % slots + slots) % slots) * (size_t)l->in_dim;
}

static void conv_rows(const ev_layer *l, const float *hist, int slot_now, int slots, int have,
                      float *z, int o0, int o1) {
  const float *W = l->params[EV_P_WEIGHT].data, *b = l->params[EV_P_BIAS].data;
  const int K = l->kernel;
  const size_t row = (size_t)l->in_dim * (size_t)K;
  const float *tap[EV_CONV_TAPS];
  float X[EV_CONV_CHUNK];
  for (int k = 0; k < K && k < EV_CONV_TAPS; k++)
    tap[k] = conv_tap(l, hist, slot_now, slots, have, k);
  for (int o = o0; o < o1; o++)
    z[o] = 0.0f;
  for (size_t j0 = 0; j0 < row; j0 += EV_CONV_CHUNK) {
    int n = row - j0 < EV_CONV_CHUNK ? (int)(row - j0) : EV_CONV_CHUNK;
    int i = (int)(j0 / (size_t)K), k = (int)(j0 % (size_t)K);
    if (row <= EV_CONV_CHUNK && K <= EV_CONV_TAPS) {
      /* the usual case, the whole row in one chunk: gather tap by tap (a strided copy each,
       * a third of the per-element bookkeeping below; X is the same) */
      for (k = 0; k < K; k++) {
        const float *x = tap[k];
        float *dst = X + k;
        if (x)
          for (i = 0; i < l->in_dim; i++)
            dst[(size_t)i * K] = x[i];
        else
          for (i = 0; i < l->in_dim; i++)
            dst[(size_t)i * K] = 0.0f;
      }
      n = (int)row;
    } else {
      for (int j = 0; j < n; j++) {
        const float *x = k < EV_CONV_TAPS ? tap[k] : conv_tap(l, hist, slot_now, slots, have, k);
        X[j] = x ? x[i] : 0.0f;
        if (++k == K) {
          k = 0;
          i++;
        }
      }
    }
    ev_rows_dot_acc(z + o0, W + (size_t)o0 * row + j0, row, o1 - o0, X, n);
  }
  for (int o = o0; o < o1; o++)
    z[o] += b[o];
}

static void conv_frame(const ev_layer *l, const float *hist, int slot_now, int slots, int have,
                       float *z) {
  conv_rows(l, hist, slot_now, slots, have, z, 0, l->out_dim);
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

/* Step in two parts: part 0 stores the input frame and computes the first half of the rows,
 * part 1 the rest, then advances the history and applies the activation. The history slot
 * and count are only updated at the end, so both parts see the same frames; bit-identical to
 * ev_conv1d_step. */
void ev_conv1d_step_part(const ev_layer *l, float *state, const float *in, float *out, int part) {
  int D = l->in_dim, span = (l->kernel - 1) * l->dilation + 1, half = l->out_dim / 2;
  int pos = (int)state[0], have = (int)state[1];
  float *hist = state + 2;
  have = have < span ? have + 1 : span;
  if (part == 0) {
    memcpy(hist + (size_t)pos * D, in, sizeof(float) * (size_t)D);
    conv_rows(l, hist, pos, span, have, out, 0, half);
    return;
  }
  conv_rows(l, hist, pos, span, have, out, half, l->out_dim);
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
