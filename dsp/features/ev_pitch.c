/* YIN (aubio's, ev_yin.c) on a decimated stream (see ev_pitch.h). The decimation runs incrementally
 * (every stage call decimates what arrived), so each frame pays for one hop of filtering, and the
 * YIN window of frame t is read from the decimated ring. */
#include "ev_pitch.h"
#include "ev_yin.h"

#include "ev_clones.h" /* dsp/kernels */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

struct ev_pitch {
  int sr, dsr;
  double h[EV_PITCH_TAPS];
  float ring[EV_PITCH_DRING]; /* decimated samples, index j & (EV_PITCH_DRING - 1) */
  int64_t next;               /* next decimated sample to produce */
  float win[EV_PITCH_WIN];    /* the window of the frame being tracked */
  float d[EV_PITCH_WIN / 2];  /* YIN's scratch */
  /* octave guard: the last EV_PITCH_HIST voiced F0s (semitones) and the frame they were at */
  float hist[EV_PITCH_HIST];
  int n_hist, hist_pos;
  int64_t last_voiced;
  double prev_st;
};

ev_pitch *ev_pitch_new(int sr) {
  ev_pitch *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  p->sr = sr;
  p->dsr = sr / EV_PITCH_DEC;
  double fc = 1000.0 / sr, sum = 0.0;
  for (int k = 0; k < EV_PITCH_TAPS; k++) {
    double m = k - (EV_PITCH_TAPS - 1) / 2.0;
    double w = 0.54 - 0.46 * cos(2.0 * M_PI * k / (EV_PITCH_TAPS - 1));
    p->h[k] = (m == 0.0 ? 2.0 * fc : sin(2.0 * M_PI * fc * m) / (M_PI * m)) * w;
    sum += p->h[k];
  }
  for (int k = 0; k < EV_PITCH_TAPS; k++)
    p->h[k] /= sum;
  ev_pitch_reset(p);
  return p;
}

void ev_pitch_free(ev_pitch *p) {
  free(p);
}

void ev_pitch_reset(ev_pitch *p) {
  memset(p->ring, 0, sizeof p->ring);
  p->next = 0;
  p->n_hist = p->hist_pos = 0;
  p->last_voiced = -1000000;
  p->prev_st = 0.0;
}

#define FEED_BUF 256 /* input samples fetched at a time (> EV_PITCH_TAPS) */

#if EV_PITCH_DEC != 2
#error "fir8 reads the even and odd input samples as two streams: decimation by 2 only"
#endif

/* Eight consecutive interior outputs: output m is sum_k h[k] * in[base + 2m - k] with
 * in[i] = (i even ? ev[i / 2] : od[i / 2]) (the input samples split into even and odd ones and
 * widened to double, the conversion each product made), each summed from 0.0 in tap order, as
 * the one-output loop does, so the same bits; the eight sums are the lanes of two generic
 * vectors of four doubles (element-wise, no fused multiply-add: the baseline and AVX clones
 * agree), and for a given tap the eight inputs are contiguous in one of the two streams: the
 * even taps read one, the odd taps the other. */
EV_TARGET_CLONES
static void fir8(const double *h, const double *ev, const double *od, int base, float *out) {
  const double *pa = (base & 1 ? od : ev) + (base >> 1);             /* tap 0, then -1 per 2 */
  const double *pb = ((base - 1) & 1 ? od : ev) + ((base - 1) >> 1); /* tap 1 */
#if defined(__GNUC__) || defined(__clang__)
  typedef double v4d __attribute__((vector_size(32)));
  v4d s0 = {0.0, 0.0, 0.0, 0.0}, s1 = s0, a0, a1, b0, b1;
  int k = 0;
  for (; k + 1 < EV_PITCH_TAPS; k += 2) {
    const v4d ha = {h[k], h[k], h[k], h[k]}, hb = {h[k + 1], h[k + 1], h[k + 1], h[k + 1]};
    memcpy(&a0, pa - k / 2, sizeof a0); /* unaligned loads */
    memcpy(&a1, pa - k / 2 + 4, sizeof a1);
    memcpy(&b0, pb - k / 2, sizeof b0);
    memcpy(&b1, pb - k / 2 + 4, sizeof b1);
    s0 += ha * a0;
    s1 += ha * a1;
    s0 += hb * b0;
    s1 += hb * b1;
  }
  for (; k < EV_PITCH_TAPS; k++) { /* the last, even tap */
    const v4d ha = {h[k], h[k], h[k], h[k]};
    memcpy(&a0, pa - k / 2, sizeof a0);
    memcpy(&a1, pa - k / 2 + 4, sizeof a1);
    s0 += ha * a0;
    s1 += ha * a1;
  }
  for (int m = 0; m < 4; m++) {
    out[m] = (float)s0[m];
    out[4 + m] = (float)s1[m];
  }
#else
  for (int m = 0; m < 8; m++) {
    double s = 0.0;
    for (int k = 0; k < EV_PITCH_TAPS; k++)
      s += h[k] * (k & 1 ? pb : pa)[m - k / 2];
    out[m] = (float)s;
  }
#endif
}

/* When buf (input samples [*b0, *b0 + FEED_BUF)) does not reach sample `last`, refills it from
 * `start`: the samples that exist (0 <= i < avail) are read, the rest of buf is left as it is
 * (the filter's edge path never reads them). */
static void refill(const void *src, ev_read_fn read, int64_t avail, int64_t start, int64_t last,
                   int64_t *b0, float *buf) {
  if (last < *b0 + FEED_BUF)
    return;
  *b0 = start;
  const int64_t from = start > 0 ? start : 0,
                to = start + FEED_BUF < avail ? start + FEED_BUF : avail;
  if (to > from)
    read(src, from, (int)(to - from), buf + (from - start));
}

void ev_pitch_feed(ev_pitch *p, const void *src, ev_read_fn read, int64_t avail, int final) {
  const int half = (EV_PITCH_TAPS - 1) / 2;
  float buf[FEED_BUF];
  double ev[FEED_BUF / 2], od[FEED_BUF / 2];
  int64_t b0 = INT64_MIN / 2; /* buf holds input samples [b0, b0 + FEED_BUF): none yet */
  int64_t split = INT64_MIN;  /* the b0 whose buf ev/od hold split into even and odd */
  /* decimated sample j is centred on model-rate sample DEC*j and needs up to DEC*j + half */
  for (;;) {
    int64_t c = (int64_t)EV_PITCH_DEC * p->next;
    if (!final && c + half >= avail)
      break;
    if (final && c >= avail + half)
      break;
    /* the input samples are fetched into buf in runs of FEED_BUF (one read per tap, or per
     * sample, cost more than the filter); the filter's arithmetic is the same either way */
    const int64_t c7 = c + 7 * EV_PITCH_DEC; /* the eighth output from here */
    if (c - half >= 0 && c7 + half < avail) {
      refill(src, read, avail, c - half, c7 + half, &b0, buf);
      if (split != b0) {
        for (int i = 0; i < FEED_BUF / 2; i++) {
          ev[i] = buf[2 * i];
          od[i] = buf[2 * i + 1];
        }
        split = b0;
      }
      float o[8];
      fir8(p->h, ev, od, (int)(c + half - b0), o);
      for (int m = 0; m < 8; m++)
        p->ring[(p->next + m) & (EV_PITCH_DRING - 1)] = o[m];
      p->next += 8;
      continue;
    }
    const int64_t c3 = c + 3 * EV_PITCH_DEC; /* the fourth output from here */
    if (c - half >= 0 && c3 + half < avail) {
      /* four interior outputs at once: each its own sum in tap order, as alone; together
       * their additions overlap instead of waiting on one another */
      refill(src, read, avail, c - half, c3 + half, &b0, buf);
      const float *b = buf + (c + half - b0);
      double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
      for (int k = 0; k < EV_PITCH_TAPS; k++) {
        const double h = p->h[k];
        s0 += h * b[-k];
        s1 += h * b[EV_PITCH_DEC - k];
        s2 += h * b[2 * EV_PITCH_DEC - k];
        s3 += h * b[3 * EV_PITCH_DEC - k];
      }
      p->ring[p->next & (EV_PITCH_DRING - 1)] = (float)s0;
      p->ring[(p->next + 1) & (EV_PITCH_DRING - 1)] = (float)s1;
      p->ring[(p->next + 2) & (EV_PITCH_DRING - 1)] = (float)s2;
      p->ring[(p->next + 3) & (EV_PITCH_DRING - 1)] = (float)s3;
      p->next += 4;
      continue;
    }
    refill(src, read, avail, c - half, c + half, &b0, buf);
    double s = 0.0;
    if (c - half >= 0 && c + half < avail) { /* every tap inside: no test per tap */
      const float *b = buf + (c + half - b0);
      for (int k = 0; k < EV_PITCH_TAPS; k++)
        s += p->h[k] * b[-k];
    } else {
      for (int k = 0; k < EV_PITCH_TAPS; k++) {
        int64_t i = c + half - k;
        if (i >= 0 && i < avail)
          s += p->h[k] * buf[i - b0];
      }
    }
    p->ring[p->next & (EV_PITCH_DRING - 1)] = (float)s;
    p->next++;
  }
}

int64_t ev_pitch_window_end(const ev_pitch *p, int64_t t, int hop) {
  (void)p;
  return (int64_t)hop * t + EV_PITCH_WIN_OFF + (int64_t)EV_PITCH_DEC * EV_PITCH_WIN +
         (EV_PITCH_TAPS - 1) / 2;
}

/* median of n <= EV_PITCH_HIST values (insertion sort on a copy: bounded, no libc qsort) */
static double median_small(const float *v, int n) {
  float tmp[EV_PITCH_HIST];
  for (int i = 0; i < n; i++) {
    float x = v[i];
    int j = i;
    for (; j > 0 && tmp[j - 1] > x; j--)
      tmp[j] = tmp[j - 1];
    tmp[j] = x;
  }
  return n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

/* Octave guard. YIN's errors on speech are picks of half or a third of the period (the
 * harmonics near F1 dominate the 1 kHz band) and, rarer, of two to four periods; openSMILE's
 * SHS + Viterbi does not make them. A frame at least EV_PITCH_GUARD_ST from the median of the
 * last EV_PITCH_HIST voiced frames (if the last one is at most EV_PITCH_GUARD_GAP frames back)
 * is moved by the step among -12, -19, +19, +24 st (x1/2, x1/3, x3, x4) that brings it within
 * EV_PITCH_GUARD_TOL of that median; if it stays more than EV_PITCH_GUARD_FAR away it is called
 * unvoiced (returns 0). No +12 step: a frame an octave below its neighbours is usually creak,
 * which openSMILE also reads an octave down. Causal: no look-ahead, no latency. */
static double octave_guard(ev_pitch *p, int64_t t, double f0) {
  double st = 12.0 * log2(f0 / 27.5), out = st;
  if (p->n_hist >= 3 && t - p->last_voiced <= EV_PITCH_GUARD_GAP) {
    double ref = median_small(p->hist, p->n_hist);
    if (fabs(st - ref) >= EV_PITCH_GUARD_ST) {
      static const double steps[] = {-12.0, -19.0196, 19.0196, 24.0};
      double bd = fabs(st - ref);
      for (int i = 0; i < 4; i++) {
        double c = st + steps[i], d = fabs(c - ref);
        if (d < bd && d <= EV_PITCH_GUARD_TOL) {
          out = c;
          bd = d;
        }
      }
      if (bd > EV_PITCH_GUARD_FAR)
        out = 0.0; /* neither it nor a multiple fits: a stray pick, not a voice */
    }
  }
  /* the reference follows YIN's raw picks (stray ones included), not the guard's output: a
   * voice that really steps up an octave or more moves the median within ~16 frames, where a
   * history of corrected values would keep halving it for as long as it is voiced
   * (test_egemaps, "octave step") */
  p->hist[p->hist_pos] = (float)st;
  p->hist_pos = (p->hist_pos + 1) % EV_PITCH_HIST;
  if (p->n_hist < EV_PITCH_HIST)
    p->n_hist++;
  p->last_voiced = t;
  return out != 0.0 ? 27.5 * exp2(out / 12.0) : 0.0;
}

void ev_pitch_frame(ev_pitch *p, int64_t t, int hop, double *f0_hz, double *voicing) {
  int64_t j0 = ((int64_t)hop * t + EV_PITCH_WIN_OFF) / EV_PITCH_DEC;
  /* the decimated samples j0.. of the window from the ring in at most two runs, 0 from the
   * first not yet decimated on */
  int have = p->next - j0 < 0              ? 0
             : p->next - j0 > EV_PITCH_WIN ? EV_PITCH_WIN
                                           : (int)(p->next - j0);
  for (int i = 0; i < have;) {
    const int at = (int)((j0 + i) & (EV_PITCH_DRING - 1));
    const int run = EV_PITCH_DRING - at < have - i ? EV_PITCH_DRING - at : have - i;
    memcpy(p->win + i, p->ring + at, (size_t)run * sizeof *p->win);
    i += run;
  }
  memset(p->win + have, 0, (size_t)(EV_PITCH_WIN - have) * sizeof *p->win);
  double e = 0.0;
  int i = 0;
#if defined(__SSE2__)
  /* the squares two at a time, the sum in the order of the loop below: the same bits */
  for (; i + 2 <= EV_PITCH_WIN; i += 2) {
    const __m128d x =
        _mm_cvtps_pd(_mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)(const void *)(p->win + i)));
    const __m128d x2 = _mm_mul_pd(x, x);
    e += _mm_cvtsd_f64(x2);
    e += _mm_cvtsd_f64(_mm_unpackhi_pd(x2, x2));
  }
#endif
  for (; i < EV_PITCH_WIN; i++)
    e += (double)p->win[i] * p->win[i];
  *f0_hz = 0.0;
  *voicing = 0.0;
  if (!(sqrt(e / EV_PITCH_WIN) >= EV_PITCH_SILENCE))
    return; /* silence (the low-passed window's RMS): no YIN */
  /* aubio's "yin" with hop == window (its sliding buffer is then exactly this window), its
   * silence gate at -200 dB (never reached past ours) and tolerance 0.1 (fewer octave-up
   * picks than its default 0.15), computed by ev_yin to the same bits */
  float conf_f;
  const double f0 = ev_yin(p->win, EV_PITCH_WIN, 0.1f, (unsigned)p->dsr, p->d, &conf_f);
  const double conf = conf_f;
  /* YIN's confidence (1 - the normalised difference at the chosen lag) mapped so that 0.7,
   * the threshold that best matched openSMILE's voicing on the reference speech, is 0.5 */
  double v = (conf - 0.4) / 0.6;
  v = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
  if (!(f0 >= EV_PITCH_MIN_HZ && f0 <= EV_PITCH_MAX_HZ) && v >= 0.5)
    v = 0.49; /* outside openSMILE's 55-1000 Hz range: unvoiced */
  if (v >= 0.5) {
    *f0_hz = octave_guard(p, t, f0);
    if (!(*f0_hz > 0.0))
      v = 0.49;
  }
  *voicing = v;
}
