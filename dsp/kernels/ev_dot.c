/* The layers' matrix-vector products (dense, conv1d, GRU/LSTM gates): y[r] += W_r . x.
 *
 * This is most of the classifier's cost in the plugin, so the function is compiled twice
 * (GCC/clang target_clones): for the x86-64 baseline (SSE) and for AVX; the dynamic loader
 * picks the clone once, from the CPU, when the library is loaded (never in run()). Both clones
 * run ev_dotf's exact sums: 16 lanes (lane j takes c = 16m + j), the 4-float tail into lanes
 * 0-3, the same lane tree. GCC/clang generic vectors are element-wise, so an 8-float vector is
 * the same arithmetic whether it becomes one AVX register or two SSE registers, and AVX alone
 * has no fused multiply-add to change a rounding: every clone gives bit-identical values
 * (tested against ev_dotf), so a model trained on one machine answers the same on another. */
#include "ev_dot.h"

#include "ev_clones.h"

#if defined(__GNUC__) || defined(__clang__)
typedef float ev_v8f __attribute__((vector_size(32)));

static inline ev_v8f load8(const float *p) {
  ev_v8f v;
  memcpy(&v, p, sizeof v); /* unaligned load */
  return v;
}

/* Lanes 0-3 and 4-7 of an 8-lane accumulator, as ev_dotf's separate 4-lane vectors. */
static inline void split8(ev_v8f v, ev_v4f *lo, ev_v4f *hi) {
  memcpy(lo, &v, sizeof *lo);
  memcpy(hi, (const char *)&v + sizeof *lo, sizeof *hi);
}

/* ev_dotf of two rows in one pass over x (each x vector loaded once for both rows), the 16
 * lanes held as two 8-lane vectors (lanes 0-7, 8-15). */
static inline void dot2_v8(const float *w0, const float *w1, const float *x, int n, float *s0,
                           float *s1) {
  ev_v8f a01 = {0}, a23 = a01, b01 = a01, b23 = a01;
  int c = 0;
  for (; c + 16 <= n; c += 16) {
    ev_v8f x0 = load8(x + c), x1 = load8(x + c + 8);
    a01 += load8(w0 + c) * x0;
    a23 += load8(w0 + c + 8) * x1;
    b01 += load8(w1 + c) * x0;
    b23 += load8(w1 + c + 8) * x1;
  }
  ev_v4f a0, a1, a2, a3, b0, b1, b2, b3;
  split8(a01, &a0, &a1);
  split8(a23, &a2, &a3);
  split8(b01, &b0, &b1);
  split8(b23, &b2, &b3);
  for (; c + 4 <= n; c += 4) {
    ev_v4f xc = ev_load4f(x + c);
    a0 += ev_load4f(w0 + c) * xc;
    b0 += ev_load4f(w1 + c) * xc;
  }
  ev_v4f a = (a0 + a1) + (a2 + a3), b = (b0 + b1) + (b2 + b3);
  float sa = (a[0] + a[1]) + (a[2] + a[3]), sb = (b[0] + b[1]) + (b[2] + b[3]);
  for (; c < n; c++) {
    sa += w0[c] * x[c];
    sb += w1[c] * x[c];
  }
  *s0 = sa;
  *s1 = sb;
}
#else
static inline void dot2_v8(const float *w0, const float *w1, const float *x, int n, float *s0,
                           float *s1) {
  *s0 = ev_dotf(w0, x, n);
  *s1 = ev_dotf(w1, x, n);
}
#endif

/* The clones; clang wants a multiversioned function declared nowhere else (the header's inline
 * ev_matvec_acc uses ev_rows_dot_acc), hence the wrapper below. */
EV_TARGET_CLONES
static void rows_dot_acc(float *y, const float *W, size_t stride, int rows, const float *x, int n) {
  int r = 0;
  for (; r + 2 <= rows; r += 2) {
    float s0, s1;
    dot2_v8(W + (size_t)r * stride, W + (size_t)(r + 1) * stride, x, n, &s0, &s1);
    y[r] += s0;
    y[r + 1] += s1;
  }
  for (; r < rows; r++) {
    float s0, s1;
    dot2_v8(W + (size_t)r * stride, W + (size_t)r * stride, x, n, &s0, &s1);
    y[r] += s0;
  }
}

void ev_rows_dot_acc(float *y, const float *W, size_t stride, int rows, const float *x, int n) {
  rows_dot_acc(y, W, stride, rows, x, n);
}
