/* ev_polyphase: rational-ratio polyphase FIR resampler (see the header).
 *
 * Output k lies at virtual time v = k * M + c on the grid of the common rate L * in, c the
 * prototype's centre: it is sum_j h[phi + j * L] * x[base - j] with base = floor(v / L),
 * phi = v mod L, j < T. Each phase's taps are stored reversed, so the sum is one dot product
 * over the input x[base - T + 1 .. base], which the input buffer keeps contiguous. */
#include "ev_polyphase.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/ev_clones.h"

/* Stop band: what aliases into the band the descriptors read must vanish; 100 dB is below the
 * float32 FFT's noise floor for speech at any level the plugin sees. Kaiser's length estimate
 * falls short by up to ~0.5 dB (measured at 44.1 kHz), so the design aims 2 dB lower. */
#define EV_POLY_STOP_DB 102.0
/* Transition band from 0.9 to 1.1 times the lower rate's Nyquist (7.2-8.8 kHz for 16 kHz out):
 * centred on the Nyquist, so only 8-8.8 kHz folds back, onto 7.2-8 kHz, above what the models
 * read. A narrower band costs taps in proportion (7.4-8.6 kHz: 1.33 times). */
#define EV_POLY_PASS 0.9
#define EV_POLY_STOP 1.1

struct ev_polyphase {
  uint32_t in_rate;
  int L, M, T;       /* phases, input step per output (in phases), taps per phase */
  int q, r;          /* M = q * L + r: an output advances base by q and phi by r */
  int max_out;       /* outputs of one full call */
  int64_t base;      /* the next output's last input sample (absolute index) */
  int phi;           /* and its phase */
  int c;             /* the prototype's centre (virtual samples) */
  int64_t base0;     /* base of output 0 */
  int64_t buf_first; /* absolute index of buf[0] */
  int fill;          /* samples in buf */
  double latency;    /* c / L input samples */
  float *coef;       /* [L][T], each phase reversed */
  float *buf;        /* [T + EV_POLY_MAX_IN] */
};

static double bessel_i0(double x) {
  double s = 1.0, t = 1.0;
  for (int k = 1; k < 200 && t > 1e-17 * s; k++) {
    const double h = x / (2.0 * k);
    t *= h * h;
    s += t;
  }
  return s;
}

static uint32_t gcd_u32(uint32_t a, uint32_t b) {
  while (b) {
    const uint32_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

#if defined(__GNUC__) || defined(__clang__)
typedef float v8f __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

/* 8 taps into one vector of lanes */
#define EV_POLY_MAC(acc, w, x)                                                                     \
  do {                                                                                             \
    v8f wv_, xv_;                                                                                  \
    memcpy(&wv_, (w), sizeof wv_); /* unaligned loads */                                           \
    memcpy(&xv_, (x), sizeof xv_);                                                                 \
    (acc) += wv_ * xv_;                                                                            \
  } while (0)

/* 8 taps of one phase into two outputs' lanes: one coefficient load */
#define EV_POLY_MAC2(acc, acc2, w, x, x2)                                                          \
  do {                                                                                             \
    v8f wv_, xv_, yv_;                                                                             \
    memcpy(&wv_, (w), sizeof wv_);                                                                 \
    memcpy(&xv_, (x), sizeof xv_);                                                                 \
    memcpy(&yv_, (x2), sizeof yv_);                                                                \
    (acc) += wv_ * xv_;                                                                            \
    (acc2) += wv_ * yv_;                                                                           \
  } while (0)

/* One output's 32 lanes: a[l] lane-wise sums w[j] * x[j] over j = 8 l (mod 32), in j order
 * (the 8, 16 or 24 taps after the last 32 go to the first lanes). Explicit variables: arrays of
 * vectors indexed in loops would live in memory. */
static inline __attribute__((always_inline)) void lanes1(const float *w, const float *x, int T,
                                                         v8f a[4]) {
  v8f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
  int j = 0;
  for (; j + 32 <= T; j += 32) {
    EV_POLY_MAC(a0, w + j, x + j);
    EV_POLY_MAC(a1, w + j + 8, x + j + 8);
    EV_POLY_MAC(a2, w + j + 16, x + j + 16);
    EV_POLY_MAC(a3, w + j + 24, x + j + 24);
  }
  if (j < T)
    EV_POLY_MAC(a0, w + j, x + j);
  if (j + 8 < T)
    EV_POLY_MAC(a1, w + j + 8, x + j + 8);
  if (j + 16 < T)
    EV_POLY_MAC(a2, w + j + 16, x + j + 16);
  a[0] = a0;
  a[1] = a1;
  a[2] = a2;
  a[3] = a3;
}

/* Two outputs' lanes at once, each exactly as lanes1 sums it; the coefficient loads shared when
 * both have the same phase (always when L == 1, e.g. 48 kHz). */
static inline __attribute__((always_inline)) void lanes2(const float *wa, const float *xa,
                                                         const float *wb, const float *xb, int T,
                                                         v8f a[4], v8f b[4]) {
  v8f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, b0 = {0}, b1 = {0}, b2 = {0}, b3 = {0};
  int j = 0;
  if (wa == wb) {
    for (; j + 32 <= T; j += 32) {
      EV_POLY_MAC2(a0, b0, wa + j, xa + j, xb + j);
      EV_POLY_MAC2(a1, b1, wa + j + 8, xa + j + 8, xb + j + 8);
      EV_POLY_MAC2(a2, b2, wa + j + 16, xa + j + 16, xb + j + 16);
      EV_POLY_MAC2(a3, b3, wa + j + 24, xa + j + 24, xb + j + 24);
    }
  } else {
    for (; j + 32 <= T; j += 32) {
      EV_POLY_MAC(a0, wa + j, xa + j);
      EV_POLY_MAC(b0, wb + j, xb + j);
      EV_POLY_MAC(a1, wa + j + 8, xa + j + 8);
      EV_POLY_MAC(b1, wb + j + 8, xb + j + 8);
      EV_POLY_MAC(a2, wa + j + 16, xa + j + 16);
      EV_POLY_MAC(b2, wb + j + 16, xb + j + 16);
      EV_POLY_MAC(a3, wa + j + 24, xa + j + 24);
      EV_POLY_MAC(b3, wb + j + 24, xb + j + 24);
    }
  }
  if (j < T) {
    EV_POLY_MAC(a0, wa + j, xa + j);
    EV_POLY_MAC(b0, wb + j, xb + j);
  }
  if (j + 8 < T) {
    EV_POLY_MAC(a1, wa + j + 8, xa + j + 8);
    EV_POLY_MAC(b1, wb + j + 8, xb + j + 8);
  }
  if (j + 16 < T) {
    EV_POLY_MAC(a2, wa + j + 16, xa + j + 16);
    EV_POLY_MAC(b2, wb + j + 16, xb + j + 16);
  }
  a[0] = a0;
  a[1] = a1;
  a[2] = a2;
  a[3] = a3;
  b[0] = b0;
  b[1] = b1;
  b[2] = b2;
  b[3] = b3;
}

/* The fixed tree over the 32 lanes: s = (a0 + a1) + (a2 + a3), then
 * ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)); for two outputs at once with the same
 * element-wise additions (the shuffles only move values). */
static inline __attribute__((always_inline)) v4f half_sums(const v8f a[4]) {
  const v8f s = (a[0] + a[1]) + (a[2] + a[3]);
  const v4f lo = {s[0], s[1], s[2], s[3]}, hi = {s[4], s[5], s[6], s[7]};
  return lo + hi;
}
static inline __attribute__((always_inline)) float reduce1(const v8f a[4]) {
  const v4f h = half_sums(a);
  return (h[0] + h[1]) + (h[2] + h[3]);
}
static inline __attribute__((always_inline)) void reduce2(const v8f a[4], const v8f b[4],
                                                          float *out) {
  const v4f ha = half_sums(a), hb = half_sums(b);
  const v4f u = __builtin_shufflevector(ha, hb, 0, 2, 4, 6);
  const v4f v = __builtin_shufflevector(ha, hb, 1, 3, 5, 7);
  const v4f t = u + v;
  out[0] = t[0] + t[1];
  out[1] = t[2] + t[3];
}
#endif

/* out[i] = sum of T taps for every output whose input is in buf; 32 lanes (four vectors of
 * eight: four independent chains of additions, so the adder's latency does not bound the loop)
 * in a fixed order, then a fixed tree: the same bits in every clone, and whether an output is
 * computed alone or in a pair. T % 8 == 0. */
EV_TARGET_CLONES
static int run_outputs(ev_polyphase *p, float *out) {
  const int T = p->T, L = p->L, q = p->q, r = p->r;
  const float *coef = p->coef;
  const float *buf = p->buf - p->buf_first - T + 1; /* buf[base] starts base's window */
  const int64_t last = p->buf_first + p->fill - 1;
  int64_t base = p->base; /* locals: out cannot alias them */
  int phi = p->phi, m = 0;
  while (base <= last) {
    int64_t base2 = base + q; /* the next output */
    int phi2 = phi + r;
    if (phi2 >= L) {
      phi2 -= L;
      base2++;
    }
    const float *w = coef + (size_t)phi * (size_t)T;
    const float *x = buf + base;
#if defined(__GNUC__) || defined(__clang__)
    v8f a[4] = {{0}, {0}, {0}, {0}};
    if (base2 <= last) { /* two outputs in one pass: fewer loads and loop steps per output */
      v8f b[4] = {{0}, {0}, {0}, {0}};
      lanes2(w, x, coef + (size_t)phi2 * (size_t)T, buf + base2, T, a, b);
      reduce2(a, b, out + m);
      m += 2;
      base = base2 + q;
      phi = phi2 + r;
      if (phi >= L) {
        phi -= L;
        base++;
      }
      continue;
    }
    lanes1(w, x, T, a);
    out[m++] = reduce1(a);
#else
    float acc[32] = {0};
    int j = 0;
    for (; j + 32 <= T; j += 32)
      for (int l = 0; l < 32; l++)
        acc[l] += w[j + l] * x[j + l];
    for (int l = 0; j < T; j++, l++)
      acc[l] += w[j] * x[j];
    float a[8];
    for (int l = 0; l < 8; l++)
      a[l] = (acc[l] + acc[8 + l]) + (acc[16 + l] + acc[24 + l]);
    out[m++] = ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]));
#endif
    base = base2;
    phi = phi2;
  }
  p->base = base;
  p->phi = phi;
  return m;
}

ev_polyphase *ev_polyphase_new(uint32_t in_rate, uint32_t out_rate) {
  const double ny = 0.5 * (in_rate < out_rate ? in_rate : out_rate);
  return ev_polyphase_new_band(in_rate, out_rate, EV_POLY_PASS * ny, EV_POLY_STOP * ny);
}

ev_polyphase *ev_polyphase_new_band(uint32_t in_rate, uint32_t out_rate, double pass_hz,
                                    double stop_hz) {
  if (!in_rate || !out_rate || !(pass_hz > 0.0 && stop_hz > pass_hz))
    return NULL;
  const uint32_t g = gcd_u32(in_rate, out_rate);
  const int L = (int)(out_rate / g), M = (int)(in_rate / g);
  if (L > EV_POLY_MAX_PHASES)
    return NULL;
  const double U = (double)L * in_rate;                   /* the common rate */
  const double dw = 2.0 * M_PI * (stop_hz - pass_hz) / U; /* rad per U sample */
  /* Kaiser's estimate of the length for the stop-band attenuation and transition width */
  const double n_need = (EV_POLY_STOP_DB - 7.95) / (2.285 * dw) + 1.0;
  int T = (int)ceil(n_need / L);
  T = (T + 7) / 8 * 8;
  if (T > EV_POLY_MAX_TAPS)
    return NULL;
  ev_polyphase *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  p->in_rate = in_rate;
  p->L = L;
  p->M = M;
  p->T = T;
  p->q = M / L;
  p->r = M % L;
  /* 32-byte aligned rows (T % 8 == 0): the coefficient loads never straddle a cache line */
  p->coef = aligned_alloc(32, sizeof(float) * (size_t)L * (size_t)T);
  p->buf = malloc(sizeof(float) * (size_t)(T + EV_POLY_MAX_IN));
  double *h = malloc(sizeof(double) * (size_t)L * (size_t)T);
  if (!p->coef || !p->buf || !h) {
    free(h);
    ev_polyphase_free(p);
    return NULL;
  }
  /* odd length (an integer centre c), the spare tap of an even L * T is zero */
  const int nh = (L * T) % 2 ? L * T : L * T - 1;
  const int c = (nh - 1) / 2;
  const double beta = 0.1102 * (EV_POLY_STOP_DB - 8.7), i0b = bessel_i0(beta);
  const double fc = 0.5 * (pass_hz + stop_hz) / U; /* cycles per U sample: -6 dB there */
  for (int i = 0; i < L * T; i++) {
    if (i >= nh) {
      h[i] = 0.0;
      continue;
    }
    const double t = i - c, u = t / c;
    const double sinc = t == 0 ? 2.0 * fc : sin(2.0 * M_PI * fc * t) / (M_PI * t);
    h[i] = sinc * bessel_i0(beta * sqrt(fmax(0.0, 1.0 - u * u))) / i0b;
  }
  for (int ph = 0; ph < L; ph++) {
    double s = 0.0;
    for (int j = 0; j < T; j++)
      s += h[ph + j * L];
    for (int j = 0; j < T; j++) /* each phase sums to 1: no ripple at DC */
      p->coef[(size_t)ph * T + (size_t)(T - 1 - j)] = (float)(h[ph + j * L] / s);
  }
  free(h);
  p->c = c;
  p->base0 = c / L;
  p->latency = (double)c / L;
  /* one call of EV_POLY_MAX_IN inputs: at most ceil(n * L / M) outputs plus one */
  p->max_out = (int)(((int64_t)EV_POLY_MAX_IN * L + M - 1) / M) + 1;
  ev_polyphase_reset(p);
  return p;
}

void ev_polyphase_free(ev_polyphase *p) {
  if (!p)
    return;
  free(p->coef);
  free(p->buf);
  free(p);
}

void ev_polyphase_reset(ev_polyphase *p) {
  p->base = p->base0;
  p->phi = p->c % p->L; /* output 0 at virtual time c */
  /* the inputs before the stream are zeros: output 0 reaches back to base0 - T + 1 */
  p->buf_first = p->base0 - p->T + 1;
  p->fill = (int)(-p->buf_first);
  memset(p->buf, 0, sizeof(float) * (size_t)(p->T + EV_POLY_MAX_IN));
}

int ev_polyphase_max_out(const ev_polyphase *p) {
  return p->max_out;
}

int ev_polyphase_process(ev_polyphase *p, const float *in, int n, float *out) {
  if (n > EV_POLY_MAX_IN)
    n = EV_POLY_MAX_IN;
  if (n <= 0)
    return 0;
  memcpy(p->buf + p->fill, in, sizeof(float) * (size_t)n);
  p->fill += n;
  const int m = run_outputs(p, out);
  /* drop what no later output reaches (it starts at base - T + 1): at most T - 1 samples stay */
  const int keep_from = (int)(p->base - p->T + 1 - p->buf_first);
  if (keep_from > 0) {
    p->fill -= keep_from;
    memmove(p->buf, p->buf + keep_from, sizeof(float) * (size_t)p->fill);
    p->buf_first += keep_from;
  }
  return m;
}

double ev_polyphase_latency(const ev_polyphase *p) {
  return p->latency;
}

int ev_polyphase_taps(const ev_polyphase *p) {
  return p->T;
}

int ev_polyphase_phases(const ev_polyphase *p) {
  return p->L;
}

uint32_t ev_polyphase_in_rate(const ev_polyphase *p) {
  return p->in_rate;
}
