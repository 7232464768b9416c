/* openSMILE's SHS pitch candidates (see ev_shs.h). The configuration values are eGeMAPS'
 * (GeMAPSv01b_core.lld.conf.inc: cSpecScale scale=octave, minF 25, spline interpolation,
 * specSmooth, specEnhance, auditoryWeighting; cPitchShs nHarmonics 15, compressionFactor 0.85,
 * nCandidates 6, greedyPeakAlgo, minPitch 55, maxPitch 1000); the steps follow its documented
 * behaviour, written here from scratch. */
#include "ev_shs.h"

#include "ev_clones.h" /* dsp/kernels */

#include <math.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
  double scale = 0.85;
  for (int h = 2; h <= EV_SHS_NHARM; h++) {
    const int sh = (int)floor(s->ppo * log2((double)h));
    s->shift[h] = sh < EV_SHS_NPTS ? sh : EV_SHS_NPTS; /* past the end: only padding zeros */
    s->hscale[h] = scale;
    scale *= 0.85;
  }
}

/* The per-frame loops below run as generic vectors of four doubles, each element with its own
 * operations in the order of the plain loop they replace (element-wise, no fused multiply-add:
 * the build passes -ffp-contract=off), so they give the plain loop's bits in the baseline and
 * AVX clones alike; only the spline's two recurrences stay scalar. features_shs_kernels_plain
 * and _baseline compare them with the plain loops and the baseline build bit for bit. Loads and
 * stores are macros, not functions: a 32-byte vector passed to or returned from a function
 * changes the ABI without AVX (clang refuses it in the baseline clone of a debug build). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(EV_SHS_PLAIN) /* the test's reference */
#define SHS_VEC 1
typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));
#define LD(v, p) memcpy(&(v), (p), sizeof(v)) /* unaligned */
#define ST(p, v) memcpy((p), &(v), sizeof(v))
#endif

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

_Static_assert(EV_SHS_NBINS == 513 && EV_SHS_NPTS == 513,
               "the vector loops: 128 vectors of four and one last element");
#define LAST 512 /* the last bin and the last octave-axis point */

/* the magnitudes as doubles after the 0 that stands before the first bin (raw[0]) */
EV_TARGET_CLONES
static void load_mag(double *raw, const float *mag) {
  raw[0] = 0.0;
#ifdef SHS_VEC
  for (int i = 0; i < LAST; i += 4) {
    v4f f;
    LD(f, mag + i);
    const v4d d = __builtin_convertvector(f, v4d); /* exact */
    ST(raw + 1 + i, d);
  }
  raw[1 + LAST] = mag[LAST];
#else
  for (int i = 0; i <= LAST; i++)
    raw[1 + i] = mag[i];
#endif
}

/* y[i] = (y[i-1] + 2 y[i] + y[i+1]) / 4 of the raw values (y[-1] = 0; exact: a power of two),
 * the last bin as it is; then the spline's slopes sl[i] = (y[i+1] - y[i]) / dx[i], its
 * right-hand sides e[i] = (sl[i] - sl[i-1]) * 6 / (x[i+1] - x[i-1]) and the forward sweep
 * u[i] = (e[i] - sig[i] u[i-1]) / p[i], i = 1..511, in i order. The sweep is a chain of
 * dependent operations (its latency, not its instructions, made ev_shs_spectrum ~7 % of
 * run()'s time for 2 % of its instructions): it runs inside the loop that makes e, four
 * steps after each vector of four, so that the next vectors' work overlaps the chain. */
EV_TARGET_CLONES
static void smooth_slopes(ev_shs *s) {
  const double *r = s->raw + 1; /* r[-1] = 0 */
  double *y = s->y, *sl = s->slope, *e = s->e, *u = s->u;
  double uk = 0.0;
#ifdef SHS_VEC
  const v4d two = {2.0, 2.0, 2.0, 2.0}, quarter = {0.25, 0.25, 0.25, 0.25};
  v4d a, b, c, o;
  for (int i = 0; i < LAST; i += 4) {
    LD(a, r + i - 1);
    LD(b, r + i);
    LD(c, r + i + 1);
    o = (a + two * b + c) * quarter;
    ST(y + i, o);
  }
  y[LAST] = r[LAST];
  for (int i = 0; i < LAST; i += 4) {
    LD(a, y + i + 1);
    LD(b, y + i);
    LD(c, s->inv_dx + i);
    o = (a - b) * c;
    ST(sl + i, o);
  }
  /* e[1..511], and e[512] from the padding (sl[512] and six_dx2[512] are 0), never read */
  for (int i = 1; i <= LAST; i += 4) {
    LD(a, sl + i);
    LD(b, sl + i - 1);
    LD(c, s->six_dx2 + i);
    o = (a - b) * c;
    ST(e + i, o);
    for (int k = 0; k < 4 && i + k < LAST; k++) {
      uk = (o[k] - s->sig[i + k] * uk) * s->inv_p[i + k];
      u[i + k] = uk;
    }
  }
#else
  for (int i = 0; i < LAST; i++)
    y[i] = (r[i - 1] + 2.0 * r[i] + r[i + 1]) * 0.25;
  y[LAST] = r[LAST];
  for (int i = 0; i < LAST; i++)
    sl[i] = (y[i + 1] - y[i]) * s->inv_dx[i];
  for (int i = 1; i < LAST; i++)
    e[i] = (sl[i] - sl[i - 1]) * s->six_dx2[i];
  for (int i = 1; i < LAST; i++) {
    uk = (e[i] - s->sig[i] * uk) * s->inv_p[i];
    u[i] = uk;
  }
#endif
}

static double axis_point(const ev_shs *s, int j) {
  const int k = s->lo[j];
  const double *y = s->y, *y2 = s->y2;
  const double v = s->wa[j] * y[k] + s->wb[j] * y[k + 1] + s->wc[j] * y2[k] + s->wd[j] * y2[k + 1];
  return v > 0.0 ? v : 0.0;
}

/* the spline sampled on the octave axis, weighted, clipped at 0 */
EV_TARGET_CLONES
static void sample_axis(ev_shs *s) {
  double *sp = s->s;
#ifdef SHS_VEC
  const double *y = s->y, *y2 = s->y2;
  const v4d z = {0.0, 0.0, 0.0, 0.0};
  for (int j = 0; j < LAST; j += 4) {
    const int *k = s->lo + j;
    const v4d a = {y[k[0]], y[k[1]], y[k[2]], y[k[3]]};
    const v4d b = {y[k[0] + 1], y[k[1] + 1], y[k[2] + 1], y[k[3] + 1]};
    const v4d c = {y2[k[0]], y2[k[1]], y2[k[2]], y2[k[3]]};
    const v4d d = {y2[k[0] + 1], y2[k[1] + 1], y2[k[2] + 1], y2[k[3] + 1]};
    v4d wa, wb, wc, wd;
    LD(wa, s->wa + j);
    LD(wb, s->wb + j);
    LD(wc, s->wc + j);
    LD(wd, s->wd + j);
    const v4d v = wa * a + wb * b + wc * c + wd * d;
    const v4d o = (v4d)((v4l)(v > z) & (v4l)v); /* `v > 0.0 ? v : 0.0`: +0 for NaN too */
    ST(sp + j, o);
  }
  sp[LAST] = axis_point(s, LAST);
#else
  for (int j = 0; j <= LAST; j++)
    sp[j] = axis_point(s, j);
#endif
}

/* The i in [1, n - 1), ascending, with x[i] > x[i-1] and x[i] >= x[i+1] (x[i] > x[i+1] when
 * strict) into idx; returns how many. Four at a time with the same comparisons (false with a
 * NaN either way), so the same list: the four-bit mask picks the ascending offsets of its set
 * bits from a table, stored unconditionally as one vector of four (idx has n + 2 slots; a
 * store reaches c + 3 <= i + 2 < n), and the count advances by the mask's bits. */
#if defined(__SSE2__) && defined(SHS_VEC)
#define O_ 0 /* unused lanes */
static const int32_t maxima_offsets[16][4] __attribute__((aligned(16))) = {
    {O_, O_, O_, O_}, {0, O_, O_, O_}, {1, O_, O_, O_}, {0, 1, O_, O_},
    {2, O_, O_, O_},  {0, 2, O_, O_},  {1, 2, O_, O_},  {0, 1, 2, O_},
    {3, O_, O_, O_},  {0, 3, O_, O_},  {1, 3, O_, O_},  {0, 1, 3, O_},
    {2, 3, O_, O_},   {0, 2, 3, O_},   {1, 2, 3, O_},   {0, 1, 2, 3}};
#undef O_
static const unsigned char maxima_count[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
#endif

static int local_maxima(const double *x, int n, int strict, int *idx) {
  int c = 0, i = 1;
#if defined(__SSE2__) && defined(SHS_VEC)
  /* x[i], x[i+1] against their left (x[i-1], x[i]) and right (x[i+1], x[i+2]) neighbours, and
   * x[i+2], x[i+3] against (x[i+1], x[i+2]) and (x[i+3], x[i+4]) */
  for (; i + 4 <= n - 1; i += 4) {
    const __m128d l = _mm_loadu_pd(x + i - 1), a = _mm_loadu_pd(x + i);
    const __m128d b = _mm_loadu_pd(x + i + 1), d = _mm_loadu_pd(x + i + 2);
    const __m128d e = _mm_loadu_pd(x + i + 3);
    const __m128d r0 = strict ? _mm_cmpgt_pd(a, b) : _mm_cmpge_pd(a, b);
    const __m128d r1 = strict ? _mm_cmpgt_pd(d, e) : _mm_cmpge_pd(d, e);
    const int m = _mm_movemask_pd(_mm_and_pd(_mm_cmpgt_pd(a, l), r0)) |
                  _mm_movemask_pd(_mm_and_pd(_mm_cmpgt_pd(d, b), r1)) << 2;
    const __m128i off = _mm_load_si128((const __m128i *)(const void *)maxima_offsets[m]);
    _mm_storeu_si128((__m128i *)(void *)(idx + c), _mm_add_epi32(_mm_set1_epi32(i), off));
    c += maxima_count[m];
  }
#endif
  for (; i < n - 1; i++)
    if (x[i] > x[i - 1] && (strict ? x[i] > x[i + 1] : x[i] >= x[i + 1]))
      idx[c++] = i;
  return c;
}

void ev_shs_spectrum(ev_shs *s, const float *mag) {
  const int n = EV_SHS_NBINS;
  load_mag(s->raw, mag);
  double *y = s->raw + 1;
  /* peak enhancement: zero what lies 3 or more bins away from every local maximum (the
   * stretches between two maxima). The maxima are those of the unchanged bins: what is zeroed
   * lies 3 or more bins behind the maximum being looked at. The first and last bins are maxima
   * when above their one neighbour. */
  int *mx = s->maxima;
  int nmax = local_maxima(y, n, 0, mx);
  if (y[n - 1] > y[n - 2])
    mx[nmax++] = n - 1;
  int prev = y[0] > y[1] ? 0 : -1;
  for (int m = 0; m < nmax; m++) {
    const int i = mx[m];
    if (prev >= 0)
      for (int j = prev + 3; j <= i - 3; j++)
        y[j] = 0.0;
    prev = i;
  }
  /* smoothing [1 2 1] / 4, then the natural cubic spline through (log2 f, y): its two
   * recurrences (u, in smooth_slopes, then the second derivatives y2) are the only serial
   * parts */
  smooth_slopes(s);
  double *y2 = s->y2;
  const double *u = s->u;
  y2[n - 1] = 0.0;
#pragma GCC unroll 4 /* the loop's own counting was a third of this recurrence's work */
  for (int k = n - 2; k >= 1; k--)
    y2[k] = s->c2[k] * y2[k + 1] + u[k];
  y2[0] = 0.0;
  /* sampled on the octave axis and weighted (cSpecScale's auditory weighting; the weight is
   * positive, so weighting the interpolated value or the interpolation's terms is the same up
   * to rounding) */
  sample_axis(s);
}

/* subharmonic summation: ss[j] = (s[j] + s[j + shift_2] 0.85 + s[j + shift_3] 0.85^2 + ...,
 * added in h order) / 15, clipped at 0. Past the axis' end s holds zeros, and adding an exact
 * +0 changes no sum (every term is +0 or positive), so each point runs all 15 harmonics. */
static double sum_point(const ev_shs *s, int j) {
  double acc = s->s[j];
  for (int h = 2; h <= EV_SHS_NHARM; h++)
    acc += s->s[j + s->shift[h]] * s->hscale[h];
  acc /= EV_SHS_NHARM;
  return acc < 0.0 ? 0.0 : acc;
}

/* ss, and returns sum ss[j] added in j order (the mean's chain of dependent additions runs
 * alongside the vector work instead of after it) */
EV_TARGET_CLONES
static double summation(ev_shs *s) {
  double sum = 0.0;
#ifdef SHS_VEC
  const double *sp = s->s;
  const v4d nh = {EV_SHS_NHARM, EV_SHS_NHARM, EV_SHS_NHARM, EV_SHS_NHARM};
  const v4d z = {0.0, 0.0, 0.0, 0.0};
  v4d wv[EV_SHS_NHARM + 1]; /* the weights and shifts once per frame, not per point */
  int sh[EV_SHS_NHARM + 1];
  for (int h = 2; h <= EV_SHS_NHARM; h++) {
    const double w = s->hscale[h];
    wv[h] = (v4d){w, w, w, w};
    sh[h] = s->shift[h];
  }
  for (int j = 0; j < LAST; j += 4) {
    v4d acc, t;
    LD(acc, sp + j);
#pragma GCC unroll 16
    for (int h = 2; h <= EV_SHS_NHARM; h++) {
      LD(t, sp + j + sh[h]);
      acc += t * wv[h];
    }
    acc /= nh;
    const v4d o = (v4d)(~(v4l)(acc < z) & (v4l)acc); /* as sum_point's clip: NaN stays */
    ST(s->ss + j, o);
    sum += o[0];
    sum += o[1];
    sum += o[2];
    sum += o[3];
  }
  s->ss[LAST] = sum_point(s, LAST);
  sum += s->ss[LAST];
#else
  for (int j = 0; j <= LAST; j++) {
    s->ss[j] = sum_point(s, j);
    sum += s->ss[j];
  }
#endif
  return sum;
}

void ev_shs_candidates(ev_shs *s, ev_shs_result *out) {
  double *ss = s->ss;
  double mean = summation(s);
  mean /= EV_SHS_NPTS;
  /* the highest local maxima, best first */
  int ci[EV_SHS_NCAND];
  double cs[EV_SHS_NCAND];
  int nc = 0;
  const int nmax = local_maxima(ss, EV_SHS_NPTS, 1, s->maxima);
  for (int m = 0; m < nmax; m++) {
    const int j = s->maxima[m];
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
  }
}

void ev_shs_frame(ev_shs *s, const float *mag, ev_shs_result *out) {
  ev_shs_spectrum(s, mag);
  ev_shs_candidates(s, out);
}
