/* openSMILE's SHS pitch candidates (see ev_shs.h). The configuration values are eGeMAPS'
 * (GeMAPSv01b_core.lld.conf.inc: cSpecScale scale=octave, minF 25, spline interpolation,
 * specSmooth, specEnhance, auditoryWeighting; cPitchShs nHarmonics 15, compressionFactor 0.85,
 * nCandidates 6, greedyPeakAlgo, minPitch 55, maxPitch 1000); the steps follow its documented
 * behaviour, written here from scratch. */
#include "ev_shs.h"

#include "ev_clones.h" /* dsp/kernels */

#include <math.h>
#include <string.h>

void ev_shs_init(ev_shs *s, double sr) {
  memset(s, 0, sizeof *s);
  const double bin_hz = sr / (2.0 * (EV_SHS_NBINS - 1));
  double xs[EV_SHS_NBINS];
  for (int i = 1; i < EV_SHS_NBINS; i++)
    xs[i] = log2(i * bin_hz);
  xs[0] = 2.0 * xs[1] - xs[2]; /* cSpecScale's stand-in for DC on a log axis */
  /* the natural spline's forward sweep: y2[i] = c2[i] y2[i+1] + u[i], with c2 and the
   * divisions depending on the abscissae only */
  double c2prev = 0.0;
  for (int i = 0; i < EV_SHS_NBINS - 1; i++)
    s->inv_dx[i] = 1.0 / (xs[i + 1] - xs[i]);
  for (int i = 1; i < EV_SHS_NBINS - 1; i++) {
    s->sig[i] = (xs[i] - xs[i - 1]) / (xs[i + 1] - xs[i - 1]);
    s->six_dx2[i] = 6.0 / (xs[i + 1] - xs[i - 1]);
    const double p = s->sig[i] * c2prev + 2.0;
    s->inv_p[i] = 1.0 / p;
    s->c2[i] = (s->sig[i] - 1.0) / p;
    c2prev = s->c2[i];
  }
  const double max_hz = bin_hz * (EV_SHS_NBINS - 1); /* cSpecScale's maxF -1: Nyquist */
  s->fmin_t = log2(EV_SHS_MIN_HZ);
  s->fstep_t = (log2(max_hz) - s->fmin_t) / (EV_SHS_NPTS - 1);
  s->ppo = EV_SHS_NPTS / log2(max_hz / EV_SHS_MIN_HZ);
  const double atan_s = s->ppo * log2(65.0 / 50.0) - 1.0;
  int k = 0;
  for (int j = 0; j < EV_SHS_NPTS; j++) {
    const double x = s->fmin_t + j * s->fstep_t;
    while (k < EV_SHS_NBINS - 2 && xs[k + 1] <= x)
      k++;
    const double h = xs[k + 1] - xs[k], a = (xs[k + 1] - x) / h, b = 1.0 - a;
    const double audw = 0.5 + atan(3.0 * (j + 1 - atan_s) / s->ppo) / M_PI;
    s->lo[j] = k;
    s->wa[j] = a * audw;
    s->wb[j] = b * audw;
    s->wc[j] = (a * a * a - a) * (h * h) / 6.0 * audw;
    s->wd[j] = (b * b * b - b) * (h * h) / 6.0 * audw;
  }
  for (int h = 2; h <= EV_SHS_NHARM; h++)
    s->shift[h] = (int)floor(s->ppo * log2((double)h));
}

/* dst[i] += src[i] * w for i < n: each element its own product and sum, so four at a time
 * (generic vectors, no fused multiply-add: the baseline and AVX clones agree) gives the same
 * bits as one at a time */
EV_TARGET_CLONES
static void axpy(double *dst, const double *src, double w, int n) {
  int i = 0;
#if defined(__GNUC__) || defined(__clang__)
  typedef double v4d __attribute__((vector_size(32)));
  const v4d wv = {w, w, w, w};
  for (; i + 4 <= n; i += 4) {
    v4d a, b;
    memcpy(&a, dst + i, sizeof a); /* unaligned loads */
    memcpy(&b, src + i, sizeof b);
    a += b * wv;
    memcpy(dst + i, &a, sizeof a);
  }
#endif
  for (; i < n; i++)
    dst[i] += src[i] * w;
}

/* the vertex (x, value) of the parabola through (x0, y0), (x1, y1), (x2, y2), x equally spaced */
static double vertex(double x1, double dx, double y0, double y1, double y2, double *val) {
  const double den = y0 - 2.0 * y1 + y2;
  if (den == 0.0) {
    *val = y1;
    return x1;
  }
  const double d = 0.5 * (y0 - y2) / den; /* in steps from x1 */
  *val = y1 - 0.25 * (y0 - y2) * d;
  return x1 + d * dx;
}

void ev_shs_spectrum(ev_shs *s, const float *mag) {
  const int n = EV_SHS_NBINS;
  double *y = s->y;
  for (int i = 0; i < n; i++)
    y[i] = mag[i];
  /* peak enhancement: zero what lies 3 or more bins away from every local maximum (the
   * stretches between two maxima) */
  int prev = -1;
  if (y[0] > y[1])
    prev = 0;
  for (int i = 1; i < n; i++) {
    const int is_max = i < n - 1 ? (y[i] > y[i - 1] && y[i] >= y[i + 1]) : (y[i] > y[i - 1]);
    if (!is_max)
      continue;
    if (prev >= 0)
      for (int j = prev + 3; j <= i - 3; j++)
        y[j] = 0.0;
    prev = i;
  }
  /* smoothing [1 2 1] / 4 (the last bin as it is) */
  double aim1 = 0.0;
  for (int i = 0; i < n - 1; i++) {
    const double ai = y[i];
    y[i] = (aim1 + 2.0 * ai + y[i + 1]) * 0.25; /* exact: a power of two */
    aim1 = ai;
  }
  /* natural cubic spline through (log2 f, y), sampled on the octave axis and weighted
   * (cSpecScale's auditory weighting; the weight is positive, so weighting the interpolated
   * value or the interpolation's terms is the same up to rounding) */
  double *y2 = s->y2, *u = s->u;
  u[0] = 0.0;
  for (int i = 1; i < n - 1; i++) {
    const double d = (y[i + 1] - y[i]) * s->inv_dx[i] - (y[i] - y[i - 1]) * s->inv_dx[i - 1];
    u[i] = (d * s->six_dx2[i] - s->sig[i] * u[i - 1]) * s->inv_p[i];
  }
  y2[n - 1] = 0.0;
  for (int k = n - 2; k >= 1; k--)
    y2[k] = s->c2[k] * y2[k + 1] + u[k];
  y2[0] = 0.0;
  double *sp = s->s;
  for (int j = 0; j < EV_SHS_NPTS; j++) {
    const int k = s->lo[j];
    const double v =
        s->wa[j] * y[k] + s->wb[j] * y[k + 1] + s->wc[j] * y2[k] + s->wd[j] * y2[k + 1];
    sp[j] = v > 0.0 ? v : 0.0;
  }
}

void ev_shs_candidates(ev_shs *s, ev_shs_result *out) {
  const double *sp = s->s;
  /* subharmonic summation */
  double *ss = s->ss;
  memcpy(ss, sp, sizeof s->ss);
  double scale = 0.85;
  for (int h = 2; h <= EV_SHS_NHARM; h++) {
    const int sh = s->shift[h];
    axpy(ss, sp + sh, scale, EV_SHS_NPTS - sh);
    scale *= 0.85;
  }
  double mean = 0.0;
  for (int j = 0; j < EV_SHS_NPTS; j++) {
    ss[j] /= EV_SHS_NHARM;
    if (ss[j] < 0.0)
      ss[j] = 0.0;
    mean += ss[j];
  }
  mean /= EV_SHS_NPTS;
  /* the highest local maxima, best first */
  int ci[EV_SHS_NCAND];
  double cs[EV_SHS_NCAND];
  int nc = 0;
  for (int j = 1; j < EV_SHS_NPTS - 1; j++) {
    if (!(ss[j - 1] < ss[j] && ss[j] > ss[j + 1]))
      continue;
    int at = nc;
    while (at > 0 && cs[at - 1] < ss[j])
      at--;
    if (at >= EV_SHS_NCAND)
      continue;
    for (int m = (nc < EV_SHS_NCAND ? nc : EV_SHS_NCAND - 1); m > at; m--) {
      cs[m] = cs[m - 1];
      ci[m] = ci[m - 1];
    }
    cs[at] = ss[j];
    ci[at] = j;
    if (nc < EV_SHS_NCAND)
      nc++;
  }
  /* interpolated frequency and score, the voicing of each; those in 55-1000 Hz kept, the
   * highest interpolated score first */
  out->n = 0;
  double best = -1.0;
  int best_i = 0;
  double sc_kept[EV_SHS_NCAND];
  for (int c = 0; c < nc; c++) {
    const int j = ci[c];
    double sc;
    const double x =
        vertex(s->fmin_t + j * s->fstep_t, s->fstep_t, ss[j - 1], ss[j], ss[j + 1], &sc);
    const double f = exp2(x);
    if (f < 55.0 || f > 1000.0)
      continue;
    const int m = out->n++;
    out->f0[m] = f;
    out->voicing[m] = sc > 0.0 && sc > mean ? 1.0 - mean / sc : 0.0;
    sc_kept[m] = sc;
    if (sc > best) {
      best = sc;
      best_i = m;
    }
  }
  if (best_i > 0) {
    double t = out->f0[0];
    out->f0[0] = out->f0[best_i];
    out->f0[best_i] = t;
    t = out->voicing[0];
    out->voicing[0] = out->voicing[best_i];
    out->voicing[best_i] = t;
    (void)sc_kept;
  }
}

void ev_shs_frame(ev_shs *s, const float *mag, ev_shs_result *out) {
  ev_shs_spectrum(s, mag);
  ev_shs_candidates(s, out);
}
