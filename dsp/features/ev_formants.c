/* LPC formant estimation (see ev_formants.h). Bounded work: Levinson-Durbin is order 11 and the
 * polynomial roots come from a fixed number of Durand-Kerner iterations. */
#include "ev_formants.h"

#include "ev_clones.h" /* dsp/kernels */

#include <complex.h>
#include <math.h>
#include <string.h>

/* cabs(z) > t (strict) or cabs(z) >= t, without the cost of hypot() where a component decides
 * it: the modulus of finite components is at least the larger of their magnitudes (and so is
 * hypot's rounded result, that magnitude being representable), so the answer is the one cabs()
 * gives in every case, NaN and infinities included (they take the cabs() path). */
static int modulus_cmp(double complex z, double t, int or_equal) {
  const double re = fabs(creal(z)), im = fabs(cimag(z));
  if (isfinite(re) && isfinite(im) && (re > t || im > t || (or_equal && (re == t || im == t))))
    return 1;
  const double m = cabs(z);
  return or_equal ? m >= t : m > t;
}

void ev_formants_begin(const double r_in[EV_LPC_ORDER + 1], const ev_formant_roots *warm,
                       ev_formant_work *w) {
  w->state = 0; /* no roots to find (the early returns below) */
  w->it = 0;
  double r[EV_LPC_ORDER + 1];
  memcpy(r, r_in, sizeof r);
  if (!(r[0] > 1e-20))
    return;
  r[0] *= 1.0 + 1e-9; /* tiny white-noise floor keeps Levinson-Durbin stable */
  double *a = w->a, tmp[EV_LPC_ORDER + 1], err = r[0];
  a[0] = 1.0;
  for (int i = 1; i <= EV_LPC_ORDER; i++)
    a[i] = 0.0;
  for (int i = 1; i <= EV_LPC_ORDER; i++) {
    double acc = r[i];
    for (int j = 1; j < i; j++)
      acc += a[j] * r[i - j];
    double k = -acc / err;
    for (int j = 0; j < i; j++)
      tmp[j] = a[j];
    for (int j = 1; j < i; j++)
      a[j] = tmp[j] + k * tmp[i - j];
    a[i] = k;
    err *= 1.0 - k * k;
    if (!(err > 0.0))
      return;
  }
  /* Roots of z^11 - a1 z^10 - ... - a11: openSMILE's cFormantLpc negates the predictor
   * coefficients of cLpc (whose A(z) = 1 + a1/z + ...) when it builds the polynomial, so
   * eGeMAPS' formants are the angles of this polynomial's roots (moved inside the unit circle),
   * not of A(z)'s. Reproduced because the descriptors are defined as eGeMAPS' (with A(z)'s roots
   * the bandwidths were 5-10x below openSMILE's and F1 did not correlate with its F1 frame by
   * frame; docs/features.md). Durand-Kerner, from the previous frame's roots where there are
   * some, else from points on a circle of radius 0.9. */
  double complex z[EV_LPC_ORDER];
  for (int i = 0; i < EV_LPC_ORDER; i++)
    z[i] = warm && warm->valid ? warm->z[i][0] + I * warm->z[i][1]
                               : 0.9 * cexp(I * (2.0 * M_PI * i / EV_LPC_ORDER + 0.4));
  memcpy(w->z, z, sizeof z);
  w->state = 1;
}

/* The polynomial at every root of a sweep at once: num_i = (..((1 z_i - a1) z_i - a2)..) z_i
 * - a11 depends only on z_i as the sweep found it (a root is moved only at its own turn), so
 * the eleven Horner chains are the lanes of generic vectors (three groups of four, the last
 * lane idle), each lane doing the operations of GCC's inline complex product, (ac - bd) +
 * (ad + bc) i, and the real coefficient taken from the real part: the same bits as the complex
 * code, except that the product's NaN recovery (__muldc3, when both parts come out NaN) is
 * missing; a NaN propagates to the end, so the caller redoes a root whose result has one with
 * the complex code. Element-wise without fused multiply-add: the baseline and AVX clones
 * agree. */
#define LANES 12 /* EV_LPC_ORDER rounded up to whole groups of four */
EV_TARGET_CLONES
static void horner_all(const double *a, const double *zr, const double *zi, double *nr,
                       double *ni) {
#if defined(__GNUC__) || defined(__clang__)
  typedef double v4d __attribute__((vector_size(32)));
  for (int g = 0; g < LANES; g += 4) {
    v4d r = {1.0, 1.0, 1.0, 1.0}, m = {0.0, 0.0, 0.0, 0.0}, cr, ci;
    memcpy(&cr, zr + g, sizeof cr);
    memcpy(&ci, zi + g, sizeof ci);
    for (int j = 1; j <= EV_LPC_ORDER; j++) {
      const v4d aj = {a[j], a[j], a[j], a[j]};
      const v4d re = r * cr - m * ci, im = r * ci + m * cr;
      r = re - aj;
      m = im;
    }
    memcpy(nr + g, &r, sizeof r);
    memcpy(ni + g, &m, sizeof m);
  }
#else
  for (int g = 0; g < LANES; g++) {
    double r = 1.0, m = 0.0;
    for (int j = 1; j <= EV_LPC_ORDER; j++) {
      const double re = r * zr[g] - m * zi[g], im = r * zi[g] + m * zr[g];
      r = re - a[j];
      m = im;
    }
    nr[g] = r;
    ni[g] = m;
  }
#endif
}

int ev_formants_sweep(ev_formant_work *w, int max_sweeps) {
  const double *a = w->a;
  double complex z[EV_LPC_ORDER];
  memcpy(z, w->z, sizeof z);
  for (; w->state == 1 && max_sweeps > 0; max_sweeps--) {
    int moved = 0; /* some step's modulus was >= 1e-10 (a NaN modulus does not count) */
    double zr[LANES] = {0}, zi[LANES] = {0}, nr[LANES], ni[LANES];
    for (int i = 0; i < EV_LPC_ORDER; i++) {
      zr[i] = creal(z[i]);
      zi[i] = cimag(z[i]);
    }
    horner_all(a, zr, zi, nr, ni);
    for (int i = 0; i < EV_LPC_ORDER; i++) {
      /* the lane's parts as they are (CMPLX is not in every compiler's complex.h; the layout of
       * double complex is two doubles, real first) */
      const double parts[2] = {nr[i], ni[i]};
      double complex num, den = 1.0;
      memcpy(&num, parts, sizeof num);
      if (isnan(nr[i]) || isnan(ni[i])) { /* the complex code, with its NaN recovery */
        num = 1.0;
        for (int j = 1; j <= EV_LPC_ORDER; j++)
          num = num * z[i] - a[j];
      }
      /* den = prod_{j != i} (z_i - z_j) in j order, each product as GCC's inline complex
       * product computes it, (ac - bd) + (ad + bc) i, without its test for a NaN result (the
       * library's recovery when both parts are NaN): a NaN in any part of a product reaches
       * both parts of every later one, so a chain without NaN at its end had none on the way
       * and is the complex code's, bit for bit; one with a NaN is redone by that code */
      const double zir = creal(z[i]), zii = cimag(z[i]);
      double dr = 1.0, di = 0.0;
      for (int j = 0; j < EV_LPC_ORDER; j++) {
        if (j == i)
          continue;
        const double ar = zir - creal(z[j]), ai = zii - cimag(z[j]);
        const double pr = dr * ar - di * ai, pi = dr * ai + di * ar;
        dr = pr;
        di = pi;
      }
      if (isnan(dr) || isnan(di)) {
        for (int j = 0; j < EV_LPC_ORDER; j++)
          if (j != i)
            den *= z[i] - z[j];
      } else {
        const double dparts[2] = {dr, di};
        memcpy(&den, dparts, sizeof den);
      }
      if (modulus_cmp(den, 1e-300, 0)) {
        /* num / den as num * conj(den) / |den|^2: the library's division guards against
         * overflow at several times the cost; |den| >= 1e-300 here and the roots stay near the
         * unit circle */
        const double d2 = creal(den) * creal(den) + cimag(den) * cimag(den);
        double complex step = d2 > 0.0 && isfinite(d2) ? num * conj(den) / d2 : num / den;
        z[i] -= step;
        if (!moved)
          moved = modulus_cmp(step, 1e-10, 1);
      }
    }
    if (!moved || ++w->it >= EV_DK_ITERS) /* converged (typically after 10-20 sweeps) */
      w->state = 2;
  }
  memcpy(w->z, z, sizeof z);
  return w->state != 1;
}

int ev_formants_end(const ev_formant_work *w, double out[6], ev_formant_roots *warm) {
  for (int i = 0; i < 6; i++)
    out[i] = 0.0;
  if (w->state != 2)
    return 0;
  double complex z[EV_LPC_ORDER];
  memcpy(z, w->z, sizeof z);
  if (warm) { /* the next frame's start, if every root is usable (distinct, finite) */
    int ok = 1;
    for (int i = 0; i < EV_LPC_ORDER; i++)
      ok &= isfinite(creal(z[i])) && isfinite(cimag(z[i]));
    for (int i = 0; i < EV_LPC_ORDER && ok; i++)
      for (int j = 0; j < i && ok; j++)
        ok = z[i] != z[j];
    warm->valid = ok;
    if (ok)
      memcpy(warm->z, z, sizeof z);
  }
  double f[EV_LPC_ORDER], bw[EV_LPC_ORDER];
  int n = 0;
  for (int i = 0; i < EV_LPC_ORDER; i++) {
    if (cimag(z[i]) <= 0.0 || !isfinite(creal(z[i])) || !isfinite(cimag(z[i])))
      continue;
    double fr = carg(z[i]) * EV_LPC_FS / (2.0 * M_PI);
    double mag = cabs(z[i]);
    if (mag > 1.0) /* openSMILE reflects roots outside the circle: same angle, 1/|z| */
      mag = 1.0 / mag;
    /* every pole in 50-5450 Hz whatever its bandwidth, as cFormantLpc */
    if (fr < 50.0 || fr > 5450.0 || !(mag > 0.0))
      continue;
    f[n] = fr;
    bw[n] = -log(mag) * EV_LPC_FS / M_PI;
    n++;
  }
  for (int i = 1; i < n; i++) /* ascending frequency */
    for (int j = i; j > 0 && f[j] < f[j - 1]; j--) {
      double t = f[j];
      f[j] = f[j - 1];
      f[j - 1] = t;
      t = bw[j];
      bw[j] = bw[j - 1];
      bw[j - 1] = t;
    }
  if (n > 3)
    n = 3;
  for (int i = 0; i < n; i++) {
    out[2 * i] = f[i];
    out[2 * i + 1] = bw[i];
  }
  return n;
}

int ev_formants_acf(const double r[EV_LPC_ORDER + 1], double out[6], ev_formant_roots *warm) {
  ev_formant_work w;
  ev_formants_begin(r, warm, &w);
  ev_formants_sweep(&w, EV_DK_ITERS);
  return ev_formants_end(&w, out, warm);
}
