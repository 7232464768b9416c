/* The shared numeric kernels (dsp/kernels, the floor below features and nn): ev_dotf, one dot
 * product in a fixed summation order, and ev_rows_dot_acc, the same sums for many rows in the
 * CPU's widest clone (ev_dot.c): the one float dot product of the layers and of the feature
 * pipeline's DCT and chroma projection. Then the vector helpers the layers' forward and
 * backward passes share. All inline or allocation-free: realtime-safe. Not a public API. */
#ifndef EV_DOT_H
#define EV_DOT_H

#include <stddef.h>
#include <string.h>

/* ev_rows_dot_acc: y[r] += W_r . x for r < rows, W_r = W + r * stride (n floats each), with
 * ev_dotf's sums (16 lanes, fixed tree), two rows per pass over x. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((visibility("hidden"))) /* internal to the library that links dsp/ */
#endif
void ev_rows_dot_acc(float *y, const float *W, size_t stride, int rows, const float *x, int n);

/* sum_c w[c] * x[c] in a fixed order: 16 lanes (four 4-float vectors) accumulate
 * c = 16m + j into lane j, then a fixed tree adds the lanes. Independent chains keep the adder
 * busy (one chain is latency-bound) and need no -ffast-math; the order is the same on every
 * run and with every compiler (GCC/clang vector extensions map to SSE on x86-64, to NEON on
 * ARM, to scalar code elsewhere), so the trainer and the plugin compute identical values. */
#if defined(__GNUC__) || defined(__clang__)
typedef float ev_v4f __attribute__((vector_size(16)));
static inline ev_v4f ev_load4f(const float *p) {
  ev_v4f v;
  memcpy(&v, p, sizeof v); /* unaligned load */
  return v;
}
static inline float ev_dotf(const float *w, const float *x, int n) {
  ev_v4f a0 = {0.0f, 0.0f, 0.0f, 0.0f}, a1 = a0, a2 = a0, a3 = a0;
  int c = 0;
  for (; c + 16 <= n; c += 16) {
    a0 += ev_load4f(w + c) * ev_load4f(x + c);
    a1 += ev_load4f(w + c + 4) * ev_load4f(x + c + 4);
    a2 += ev_load4f(w + c + 8) * ev_load4f(x + c + 8);
    a3 += ev_load4f(w + c + 12) * ev_load4f(x + c + 12);
  }
  for (; c + 4 <= n; c += 4)
    a0 += ev_load4f(w + c) * ev_load4f(x + c);
  ev_v4f a = (a0 + a1) + (a2 + a3);
  float s = (a[0] + a[1]) + (a[2] + a[3]);
  for (; c < n; c++)
    s += w[c] * x[c];
  return s;
}
#else
static inline float ev_dotf(const float *w, const float *x, int n) {
  float a[16] = {0};
  int c = 0;
  for (; c + 16 <= n; c += 16)
    for (int j = 0; j < 16; j++)
      a[j] += w[c + j] * x[c + j];
  for (; c + 4 <= n; c += 4)
    for (int j = 0; j < 4; j++)
      a[j] += w[c + j] * x[c + j];
  float l[4];
  for (int j = 0; j < 4; j++)
    l[j] = (a[j] + a[4 + j]) + (a[8 + j] + a[12 + j]);
  float s = (l[0] + l[1]) + (l[2] + l[3]);
  for (; c < n; c++)
    s += w[c] * x[c];
  return s;
}
#endif

/* y[r] += sum_c W[r, c] * x[c] for a row-major rows x cols matrix. */
static inline void ev_matvec_acc(float *y, const float *W, int rows, int cols, const float *x) {
  ev_rows_dot_acc(y, W, (size_t)cols, rows, x, cols);
}
/* y[0..n) += a * x[0..n), unrolled by four so that gcc -O2 (whose "very cheap" vectoriser
 * skips loops of unknown length) still combines the four statements into one SIMD op. */
static inline void ev_axpy(float *restrict y, float a, const float *restrict x, int n) {
  int c = 0;
  for (; c + 4 <= n; c += 4) {
    y[c] += a * x[c];
    y[c + 1] += a * x[c + 1];
    y[c + 2] += a * x[c + 2];
    y[c + 3] += a * x[c + 3];
  }
  for (; c < n; c++)
    y[c] += a * x[c];
}
/* x[c] += sum_r W[r, c] * y[r] (transpose product, for backward). x must not overlap W. */
static inline void ev_matvec_t_acc(float *x, const float *W, int rows, int cols, const float *y) {
  for (int r = 0; r < rows; r++)
    if (y[r] != 0.0f)
      ev_axpy(x, y[r], W + (size_t)r * cols, cols);
}
/* G[r, c] += y[r] * x[c] (outer product, for weight gradients). G must not overlap x. */
static inline void ev_outer_acc(float *G, int rows, int cols, const float *y, const float *x) {
  for (int r = 0; r < rows; r++)
    if (y[r] != 0.0f)
      ev_axpy(G + (size_t)r * cols, y[r], x, cols);
}

#endif
