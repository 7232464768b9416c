#include "ev_frame_math.h"

#define EV_DELTA9_MAX_DIMS 64

#include <float.h>
#include <math.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void ev_spectral_shape(const double *power, int n_bins, double bin_hz, double roll_percent,
                       double *mag, ev_spectral *out) {
  double sum = 0.0, fsum = 0.0, sum2 = 0.0, fsum2 = 0.0;
  int k = 0;
#if defined(__SSE2__)
  for (; k + 2 <= n_bins; k += 2) /* sqrt without libm's errno path */
    _mm_storeu_pd(mag + k, _mm_sqrt_pd(_mm_loadu_pd(power + k)));
  for (; k < n_bins; k++)
    mag[k] = sqrt(power[k]);
#else
  for (; k < n_bins; k++)
    mag[k] = sqrt(power[k]);
#endif
  for (k = 0; k + 2 <= n_bins; k += 2) {
    sum += mag[k];
    sum2 += mag[k + 1];
    fsum += k * mag[k];
    fsum2 += (k + 1) * mag[k + 1];
  }
  for (; k < n_bins; k++) {
    sum += mag[k];
    fsum += k * mag[k];
  }
  sum += sum2;
  fsum = (fsum + fsum2) * bin_hz;
  if (sum < DBL_MIN) { /* librosa leaves an all-zero column unnormalised: everything is 0 */
    out->centroid = out->bandwidth = out->rolloff = 0.0;
    return;
  }
  double c = fsum / sum, var = 0.0, var2 = 0.0;
  for (k = 0; k + 2 <= n_bins; k += 2) {
    double d = k * bin_hz - c, d2 = (k + 1) * bin_hz - c;
    var += mag[k] * d * d;
    var2 += mag[k + 1] * d2 * d2;
  }
  for (; k < n_bins; k++) {
    double d = k * bin_hz - c;
    var += mag[k] * d * d;
  }
  var = (var + var2) / sum;
  double thr = roll_percent * sum, cum = 0.0;
  int k_roll = n_bins - 1;
  for (k = 0; k < n_bins; k++) {
    cum += mag[k];
    if (cum >= thr) {
      k_roll = k;
      break;
    }
  }
  out->centroid = c;
  out->bandwidth = sqrt(var);
  out->rolloff = k_roll * bin_hz;
}

double ev_spectral_flatness(const double *power, int n_bins, double amin) {
  /* Sum of logs as log of products of 16 terms: each term is in [1e-10, ~1e14], so a product
   * of 16 stays far inside the double range; 1/16 of the log calls. */
  double log_sum = 0.0, mean = 0.0;
  int k = 0;
  while (k < n_bins) {
    double prod = 1.0;
    int end = k + 16 < n_bins ? k + 16 : n_bins;
    for (; k < end; k++) {
      double p = power[k] > amin ? power[k] : amin;
      prod *= p;
      mean += p;
    }
    log_sum += log(prod);
  }
  mean /= n_bins;
  return exp(log_sum / n_bins) / mean;
}

/* The largest float below -1e-10 (in double): for a float x, (double)x < -1e-10 exactly
 * when x <= this, so the comparison can stay in float. */
static float zcr_threshold(void) {
  float t = (float)-1e-10;
  return (double)t < -1e-10 ? t : nextafterf(t, -INFINITY);
}

double ev_zcr(const float *x, int n) {
  /* after librosa's thresholding (|x| <= 1e-10 -> +0, zero counts as positive) a sample is
   * negative exactly when x < -1e-10; a crossing is a sign change between neighbours */
  const float thr = zcr_threshold();
  int count = 0, i = 1;
#if defined(__GNUC__) || defined(__clang__)
  typedef float v4f __attribute__((vector_size(16)));
  typedef int v4i __attribute__((vector_size(16)));
  v4i acc = {0, 0, 0, 0};
  const v4f t4 = {thr, thr, thr, thr};
  for (; i + 4 <= n; i += 4) {
    v4f a, b;
    memcpy(&a, x + i - 1, sizeof a);
    memcpy(&b, x + i, sizeof b);
    acc += (a <= t4) != (b <= t4); /* -1 where the sign changes */
  }
  count = -(acc[0] + acc[1] + acc[2] + acc[3]);
#endif
  for (; i < n; i++)
    count += (x[i - 1] <= thr) != (x[i] <= thr);
  return (double)count / n;
}

double ev_dot(const double *a, const double *b, int n) {
  int i = 0;
#if defined(__SSE2__)
  /* two 2-lane accumulators: four interleaved chains, same order on every run */
  __m128d v0 = _mm_setzero_pd(), v1 = _mm_setzero_pd();
  for (; i + 4 <= n; i += 4) {
    v0 = _mm_add_pd(v0, _mm_mul_pd(_mm_loadu_pd(a + i), _mm_loadu_pd(b + i)));
    v1 = _mm_add_pd(v1, _mm_mul_pd(_mm_loadu_pd(a + i + 2), _mm_loadu_pd(b + i + 2)));
  }
  double lanes[2];
  _mm_storeu_pd(lanes, _mm_add_pd(v0, v1));
  double s0 = lanes[0] + lanes[1];
#else
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  s0 = (s0 + s1) + (s2 + s3);
#endif
  for (; i < n; i++)
    s0 += a[i] * b[i];
  return s0;
}

float ev_dot_f32(const float *a, const float *b, int n) {
  int i = 0;
  float s;
#if defined(__GNUC__) || defined(__clang__)
  /* 16 lanes (i mod 16) in four 4-float vectors, then a fixed tree: same order everywhere */
  typedef float v4f __attribute__((vector_size(16)));
  v4f a0 = {0, 0, 0, 0}, a1 = a0, a2 = a0, a3 = a0, va, vb;
  for (; i + 16 <= n; i += 16) {
    memcpy(&va, a + i, sizeof va);
    memcpy(&vb, b + i, sizeof vb);
    a0 += va * vb;
    memcpy(&va, a + i + 4, sizeof va);
    memcpy(&vb, b + i + 4, sizeof vb);
    a1 += va * vb;
    memcpy(&va, a + i + 8, sizeof va);
    memcpy(&vb, b + i + 8, sizeof vb);
    a2 += va * vb;
    memcpy(&va, a + i + 12, sizeof va);
    memcpy(&vb, b + i + 12, sizeof vb);
    a3 += va * vb;
  }
  for (; i + 4 <= n; i += 4) {
    memcpy(&va, a + i, sizeof va);
    memcpy(&vb, b + i, sizeof vb);
    a0 += va * vb;
  }
  v4f t = (a0 + a1) + (a2 + a3);
  s = (t[0] + t[1]) + (t[2] + t[3]);
#else
  float l[16] = {0};
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; j++)
      l[j] += a[i + j] * b[i + j];
  for (; i + 4 <= n; i += 4)
    for (int j = 0; j < 4; j++)
      l[j] += a[i + j] * b[i + j];
  float t[4];
  for (int j = 0; j < 4; j++)
    t[j] = (l[j] + l[4 + j]) + (l[8 + j] + l[12 + j]);
  s = (t[0] + t[1]) + (t[2] + t[3]);
#endif
  for (; i < n; i++)
    s += a[i] * b[i];
  return s;
}

double ev_rms(const float *x, int n) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += (double)x[i] * x[i];
    s1 += (double)x[i + 1] * x[i + 1];
    s2 += (double)x[i + 2] * x[i + 2];
    s3 += (double)x[i + 3] * x[i + 3];
  }
  for (; i < n; i++)
    s0 += (double)x[i] * x[i];
  return sqrt(((s0 + s1) + (s2 + s3)) / n);
}

double ev_power_to_db(double x) {
  /* logf instead of log10: a third of the cost; the result is within 1e-5 dB of the double
   * 10 log10 (float rounding of a value of at most ~100 dB), far inside the tolerances. The
   * floor stays exact: silence is -100 dB to the bit. */
  if (!(x > 1e-10))
    return -100.0;
  return (double)logf((float)x) * 4.3429448190325182765; /* 10 / ln 10 */
}

void ev_delta9(const double *const c[9], int dims, float *d1, float *d2) {
  /* per output: sum over n = -4..4 in that order (element-wise, so it vectorises) */
  double a[EV_DELTA9_MAX_DIMS], b[EV_DELTA9_MAX_DIMS]; /* distinct from v: no aliasing */
  for (int j0 = 0; j0 < dims; j0 += EV_DELTA9_MAX_DIMS) {
    int m = dims - j0 < EV_DELTA9_MAX_DIMS ? dims - j0 : EV_DELTA9_MAX_DIMS;
    for (int j = 0; j < m; j++)
      a[j] = b[j] = 0.0;
    for (int n = -4; n <= 4; n++) {
      const double *restrict v = c[n + 4] + j0;
      double ca = n, cb = n * n - 20.0 / 3.0;
      int j = 0;
#if defined(__GNUC__) || defined(__clang__)
      typedef double v2d __attribute__((vector_size(16)));
      const v2d ca2 = {ca, ca}, cb2 = {cb, cb};
      for (; j + 2 <= m; j += 2) { /* element-wise: the same arithmetic as the scalar loop */
        v2d vv, va, vb;
        memcpy(&vv, v + j, sizeof vv);
        memcpy(&va, a + j, sizeof va);
        memcpy(&vb, b + j, sizeof vb);
        va += ca2 * vv;
        vb += cb2 * vv;
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
