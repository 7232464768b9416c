#include "ev_frame_math.h"

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
  /* whole groups of 16 with the steps written out four at a time (the same products and sums
   * in the same order: the loop's counting and tests were three of its seven instructions per
   * bin) */
  for (; k + 16 <= n_bins; k += 16) {
    double prod = 1.0;
    for (int j = k; j < k + 16; j += 4) {
      const double p0 = power[j] > amin ? power[j] : amin;
      const double p1 = power[j + 1] > amin ? power[j + 1] : amin;
      const double p2 = power[j + 2] > amin ? power[j + 2] : amin;
      const double p3 = power[j + 3] > amin ? power[j + 3] : amin;
      prod *= p0;
      mean += p0;
      prod *= p1;
      mean += p1;
      prod *= p2;
      mean += p2;
      prod *= p3;
      mean += p3;
    }
    log_sum += log(prod);
  }
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

double ev_power_to_db(double x) {
  /* logf instead of log10: a third of the cost; the result is within 1e-5 dB of the double
   * 10 log10 (float rounding of a value of at most ~100 dB), far inside the tolerances. The
   * floor stays exact: silence is -100 dB to the bit. */
  if (!(x > 1e-10))
    return -100.0;
  return (double)logf((float)x) * 4.3429448190325182765; /* 10 / ln 10 */
}
