/* See ev_voice.h. */
#include "ev_voice.h"

#include <math.h>
#include <string.h>

#include "ev_clones.h" /* dsp/kernels */

#define EV_SEARCH_REL  0.1 /* openSMILE searchRangeRel: periods within +-10 % of 1/F0 */
#define EV_MIN_CC      0.5 /* openSMILE minCC: a period is kept when its match is above it */
#define EV_JIT_LAGS    128 /* candidate lags of one period (61 at 55 Hz and 16 kHz) */
#define EV_F0_JUMP_OCT 0.5 /* an F0 step above this (octaves) restarts the differences */

void ev_jitter_reset(ev_jitter *j) {
  j->phase = 0; /* the caller staggers its walks after the reset (ev_prosody.c) */
  j->next_t = 0;
  j->mis = 0;
  j->last_t0 = j->last_f0 = j->last_jit = j->last_shim = 0.0;
}

static int frame_len(double sr) {
  const int n = (int)lrint(0.06 * sr);
  return n < EV_JIT_FRAME ? n : EV_JIT_FRAME;
}

void ev_jitter_span(ev_jitter *j, int64_t t, int hop, double sr, double f0, int64_t *start,
                    int *len) {
  if (j->next_t != t) { /* a frame was skipped (or the stream restarted): walk afresh */
    j->mis = 0;
    j->last_t0 = j->last_f0 = j->last_jit = j->last_shim = 0.0;
  }
  if (j->mis > EV_JIT_MAX_MIS)
    j->mis = 0; /* (only at F0 near 55 Hz) read from the frame's start, as openSMILE does
                   when its read position and the frame disagree */
  if (t % EV_JIT_PERIOD == j->phase)
    j->mis = 0; /* the read position re-anchored at the frame's start: see EV_JIT_PERIOD */
  *start = (int64_t)hop * t - j->mis;
  *len = f0 > 0.0 ? j->mis + frame_len(sr) : 0;
}

/* sum u[i] v[i] over i < n in double: four running sums (lane i mod 4; the tail into lane 0),
 * then (s0 + s1) + (s2 + s3). The lanes as one generic vector (one AVX register in the AVX
 * clone, SSE pairs in the baseline), each conversion, product and sum element-wise as the
 * scalar lanes had them: the same bits. The vectors are built from the scalars (gcc 12 lowers
 * that to one vcvtps2pd per operand in the AVX clone, __builtin_convertvector of a float
 * vector to two halves and an insert): 8 instructions per 4 products against the 14 of gcc's
 * SSE code for the scalar loop; the correlations are most of the jitter walks' cost. (Only a
 * NaN's payload could differ, with the operands' order: the walks read sanitised, finite
 * samples.) */
EV_TARGET_CLONES
static double cross_lanes(const float *u, const float *v, int n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int i = 0;
#if defined(__GNUC__) || defined(__clang__)
  typedef double v4d __attribute__((vector_size(32)));
  v4d acc = {0.0, 0.0, 0.0, 0.0};
  for (; i + 3 < n; i += 4) {
    const v4d ud = {u[i], u[i + 1], u[i + 2], u[i + 3]}, vd = {v[i], v[i + 1], v[i + 2], v[i + 3]};
    acc += ud * vd;
  }
  s0 = acc[0];
  s1 = acc[1];
  s2 = acc[2];
  s3 = acc[3];
#else
  for (; i + 3 < n; i += 4) {
    s0 += (double)u[i] * v[i];
    s1 += (double)u[i + 1] * v[i + 1];
    s2 += (double)u[i + 2] * v[i + 2];
    s3 += (double)u[i + 3] * v[i + 3];
  }
#endif
  for (; i < n; i++)
    s0 += (double)u[i] * v[i];
  return (s0 + s1) + (s2 + s3);
}

/* Pearson correlation of x[a, a + n) with x[a + n, a + 2n) (means removed, as openSMILE's
 * crossCorr), the sums of x and x^2 from the prefix sums ps, ps2, the cross products in four
 * running sums (cross_lanes) */
static double pearson(const float *x, const double *ps, const double *ps2, int a, int n) {
  const double sxy = cross_lanes(x + a, x + a + n, n);
  const double sx = ps[a + n] - ps[a], sy = ps[a + 2 * n] - ps[a + n];
  const double sxx = ps2[a + n] - ps2[a], syy = ps2[a + 2 * n] - ps2[a + n];
  const double vx = sxx - sx * sx / n, vy = syy - sy * sy / n, c = sxy - sx * sy / n;
  return vx > 0.0 && vy > 0.0 ? c / sqrt(vx * vy) : 0.0;
}

/* peak-to-peak amplitude of one period (its interior samples 1..n-2, as openSMILE reads it) */
static double peak_to_peak(const float *x, int n) {
  float hi = x[1], lo = x[1];
  for (int i = 1; i < n - 1; i++) {
    hi = x[i] > hi ? x[i] : hi;
    lo = x[i] < lo ? x[i] : lo;
  }
  return (double)hi - lo;
}

void ev_jitter_frame(ev_jitter *j, int64_t t, int hop, double sr, double f0, const float *x,
                     int len, float vq[EV_VQ_DIMS]) {
  for (int i = 0; i < EV_VQ_DIMS; i++)
    vq[i] = 0.0f;
  j->next_t = t + 1;
  if (!(f0 > 0.0)) { /* unvoiced: the next voiced frame starts a new walk at its own start */
    j->mis = 0;
    j->last_t0 = j->last_f0 = j->last_jit = j->last_shim = 0.0;
    return;
  }
  /* F0 more than half an octave from the last frame's is a jump of the tracker (rare since the
   * pitch is openSMILE's Viterbi-smoothed SHS; the YIN tracker before made octave picks), not a
   * glottal period change: the period differences start afresh rather than measure the jump as
   * jitter */
  if (j->last_f0 > 0.0 && fabs(log2(f0 / j->last_f0)) > EV_F0_JUMP_OCT)
    j->last_t0 = 0.0;
  j->last_f0 = f0;
  const double tf = sr / f0;
  const int t0 = (int)lrint(tf), lo = (int)floor((1.0 - EV_SEARCH_REL) * tf),
            hi = (int)ceil((1.0 + EV_SEARCH_REL) * tf), nl = hi - lo + 1;
  /* what this frame reads: its own hop plus what the last frame left, but at least two of the
   * longest periods (openSMILE's minNumPeriods 2), at most what the span holds */
  const int read0 = hop + j->mis;
  int read = read0 > 2 * hi + 2 ? read0 : 2 * hi + 2;
  read = read < len ? read : len;
  double cc[EV_JIT_LAGS];
  j->ps[0] = j->ps2[0] = 0.0;
  for (int i = 0; i < read; i++) {
    j->ps[i + 1] = j->ps[i] + x[i];
    j->ps2[i + 1] = j->ps2[i] + (double)x[i] * x[i];
  }
  double sum_t = 0, sum_dt = 0, sum_amp = 0, sum_damp = 0;
  int nper = 0, nloc = 0, start = 0, last_end = 0;
  while (lo >= 2 && nl <= EV_JIT_LAGS && start < read - 2 * hi - 1) {
    for (int k = 0; k < nl; k++)
      cc[k] = pearson(x, j->ps, j->ps2, start, lo + k);
    int best = -1; /* the highest local maximum of the correlation over the lags */
    for (int k = 1; k < nl - 2; k++)
      if (cc[k - 1] < cc[k] && cc[k] > cc[k + 1] && (best < 0 || cc[k] > cc[best]))
        best = k;
    if (best < 0) {
      start += t0; /* no period found here: step one expected period on */
    } else {
      const int pp = lo + best, os = start;
      start += pp;
      const double a0 = peak_to_peak(x + os, pp), a1 = peak_to_peak(x + start, pp);
      /* the correlation peak's parabolic vertex: the period (sub-sample) and its match */
      const double y0 = cc[best - 1], y1 = cc[best], y2 = cc[best + 1], den = y0 - 2.0 * y1 + y2;
      const double off = den < 0.0 ? 0.5 * (y0 - y2) / den : 0.0,
                   peak = y1 - 0.25 * (y0 - y2) * off;
      if (peak > EV_MIN_CC) {
        const double period = pp + off;
        sum_t += period;
        nper++;
        if (j->last_t0 > 0.0) { /* the previous period may be the last frame's */
          sum_dt += fabs(j->last_t0 - period);
          nloc++;
        }
        j->last_t0 = period;
        sum_amp += 0.5 * (a0 + a1);
        sum_damp += fabs(a0 - a1);
      }
    }
    if (start < read0 - 1)
      last_end = start;
  }
  j->mis = read0 - last_end;
  /* a frame without a period holds the last values; one with periods but no difference yet
   * (the first of a voiced stretch) has no jitter */
  double jit = 0.0;
  if (nper > 0 && nloc > 0)
    j->last_jit = (sum_dt / nloc) / (sum_t / nper);
  if (j->last_jit > 1.0)
    j->last_jit = 1.0;
  if (nper == 0 || nloc > 0)
    jit = j->last_jit;
  if (nper > 0)
    j->last_shim = sum_amp > 0.0 ? sum_damp / sum_amp : 0.0;
  if (j->last_shim > 1.0)
    j->last_shim = 1.0;
  vq[EV_VQ_JITTER] = (float)jit;
  vq[EV_VQ_SHIMMER] = (float)(20.0 * log10(1.0 + j->last_shim));
}
