/* The per-frame sums of the feature pipeline (mel, deltas, RMS; the DCT and chroma use the layers'
 * kernel, dsp/kernels/ev_dot.h), in baseline and AVX clones (ev_clones.h). Each keeps the order of
 * additions it has always had: the lanes and summation trees below are written out, so every clone,
 * and the scalar fallback without GCC/clang vectors, computes the same values as the references
 * they were tested against (tests/dsp/test_frame_kernels.c compares the clones bit for bit). */
#include "ev_frame_math.h"

#include <math.h>
#include <string.h>

#include "ev_clones.h" /* dsp/kernels */

#define EV_DELTA9_MAX_DIMS 64

#if defined(__GNUC__) || defined(__clang__)
#define EV_HAVE_VECTORS 1
typedef float v4f __attribute__((vector_size(16)));
typedef double v4d __attribute__((vector_size(32)));
#endif

/* Four lanes (i mod 4), combined as (l0 + l2) + (l1 + l3). */
EV_TARGET_CLONES
static double dot_impl(const double *a, const double *b, int n) {
  int i = 0;
  double l[4] = {0.0, 0.0, 0.0, 0.0};
#ifdef EV_HAVE_VECTORS
  v4d acc = {0.0, 0.0, 0.0, 0.0}, va, vb;
  for (; i + 4 <= n; i += 4) {
    memcpy(&va, a + i, sizeof va);
    memcpy(&vb, b + i, sizeof vb);
    acc += va * vb;
  }
  memcpy(l, &acc, sizeof l);
#else
  for (; i + 4 <= n; i += 4)
    for (int j = 0; j < 4; j++)
      l[j] += a[i + j] * b[i + j];
#endif
  double s = (l[0] + l[2]) + (l[1] + l[3]);
  for (; i < n; i++)
    s += a[i] * b[i];
  return s;
}

/* Element-wise over the dims: per output, the sum over n = -4..4 in that order. */
EV_TARGET_CLONES
static void delta9_impl(const double *const c[9], int dims, float *d1, float *d2) {
  double a[EV_DELTA9_MAX_DIMS], b[EV_DELTA9_MAX_DIMS]; /* distinct from v: no aliasing */
  for (int j0 = 0; j0 < dims; j0 += EV_DELTA9_MAX_DIMS) {
    int m = dims - j0 < EV_DELTA9_MAX_DIMS ? dims - j0 : EV_DELTA9_MAX_DIMS;
    for (int j = 0; j < m; j++)
      a[j] = b[j] = 0.0;
    for (int n = -4; n <= 4; n++) {
      const double *restrict v = c[n + 4] + j0;
      double ca = n, cb = n * n - 20.0 / 3.0;
      int j = 0;
#ifdef EV_HAVE_VECTORS
      const v4d ca4 = {ca, ca, ca, ca}, cb4 = {cb, cb, cb, cb};
      for (; j + 4 <= m; j += 4) {
        v4d vv, va, vb;
        memcpy(&vv, v + j, sizeof vv);
        memcpy(&va, a + j, sizeof va);
        memcpy(&vb, b + j, sizeof vb);
        va += ca4 * vv;
        vb += cb4 * vv;
        memcpy(a + j, &va, sizeof va);
        memcpy(b + j, &vb, sizeof vb);
      }
#endif
      for (; j < m; j++) {
        a[j] += ca * v[j];
        b[j] += cb * v[j];
      }
    }
    for (int j = 0; j < m; j++) {
      d1[j0 + j] = (float)(a[j] / 60.0);
      d2[j0 + j] = (float)(b[j] / 154.0);
    }
  }
}

/* Four lanes of double squares (i mod 4; the tail into lane 0), then (s0 + s1) + (s2 + s3). */
EV_TARGET_CLONES
static double rms_impl(const float *x, int n) {
  double s[4] = {0.0, 0.0, 0.0, 0.0};
  int i = 0;
#ifdef EV_HAVE_VECTORS
  v4d acc = {0.0, 0.0, 0.0, 0.0};
  for (; i + 4 <= n; i += 4) {
    /* the vector built from the scalars: gcc 12 lowers it to one vcvtps2pd in the AVX clone
     * (__builtin_convertvector of a float vector: two halves and an insert); the same exact
     * conversions */
    const v4d xd = {x[i], x[i + 1], x[i + 2], x[i + 3]};
    acc += xd * xd;
  }
  memcpy(s, &acc, sizeof s);
#else
  for (; i + 4 <= n; i += 4)
    for (int j = 0; j < 4; j++)
      s[j] += (double)x[i + j] * x[i + j];
#endif
  for (; i < n; i++)
    s[0] += (double)x[i] * x[i];
  return sqrt(((s[0] + s[1]) + (s[2] + s[3])) / n);
}

/* The public entry points: clang wants a multiversioned function that no header declares. */
double ev_dot(const double *a, const double *b, int n) {
  return dot_impl(a, b, n);
}

void ev_delta9(const double *const c[9], int dims, float *d1, float *d2) {
  delta9_impl(c, dims, d1, d2);
}

double ev_rms(const float *x, int n) {
  return rms_impl(x, n);
}
