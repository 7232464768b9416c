/* Scheduling and history of the eGeMAPS descriptors (see ev_prosody.h). */
#include "ev_prosody.h"
#include "ev_egemaps_spectral.h"
#include "ev_formants.h"
#include "ev_harmonics.h"
#include "ev_pitch_viterbi.h"
#include "ev_shs.h"
#include "ev_voice.h"

#include "ev_clones.h" /* dsp/kernels */

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define H 16 /* frames of history (t & 15): the prosody lag plus the smoothing */
_Static_assert(H >= EV_PROSODY_LAG + 2, "the smoothing reads frame e - 1, EV_PROSODY_LAG + 1 back");
#define FRAME_20MS 320
#define SPEC60     8 /* 60 ms spectra kept: the decided frame and its look-ahead */
_Static_assert(SPEC60 > EV_PVIT_LAG, "the decided frame's spectrum is kept");
/* eGeMAPS' formant input (cSpecResample to 11 kHz): the 512-point spectrum of the 20 ms frame
 * resynthesised by an inverse DFT of period 512 * 11000 / 16000 = 352 samples, of which 220 (the
 * 20 ms) are kept, from the bins below min(512, 220) / 2 = 110 only (its "anti-aliasing" keeps
 * bins by output length, so the band ends at 3.4 kHz, not 5.5) */
#define RS_N     352
#define RS_KEEP  220
#define RS_BINS  110
#define RS_SHIFT 66

struct ev_prosody {
  ev_feature_config cfg;
  int hop, win20;
  int need_spec, need_pitch, need_vq, need_fmt;
  uint32_t want;
  ev_eg_spectral sp;
  float *fft_in;
  fftwf_complex *fft_out;
  fftwf_plan plan;
  float hamming[FRAME_20MS];
  double pw[EV_EG_NBINS];
  float mag[2][EV_EG_NBINS]; /* this and the previous frame's |X|/N (flux) */
  int64_t mag_t[2];
  float spec[H][EV_EG_N_OUT];     /* raw spectral descriptors */
  fftwf_complex lowc[H][RS_BINS]; /* complex bins below the resynthesis' cut (formants) */
  fftwf_complex *rs_in;
  float *rs_out;
  fftwf_plan plan_rs;
  ev_formant_roots roots; /* Durand-Kerner's start, carried from voiced frame to frame */
  ev_formant_work fw;     /* the root search of frame fw_t, spread over stages 3-6 */
  int64_t fw_t;
  double f0[H], voicing[H];
  ev_shs shs;     /* SHS tables and scratch */
  ev_pvit vit;    /* the Viterbi over SHS candidates, EV_PVIT_LAG frames ahead of f0[] */
  int gated[H];   /* eGeMAPS' F0 gate closed on the frame (60 ms RMS < 0.001) */
  int64_t shs_t;  /* the frame whose 60 ms magnitudes mag60 hold (pitch_spectrum) */
  int64_t axis_t; /* the frame whose octave-axis spectrum p->shs holds (pitch_axis) */
  /* the 60 ms spectra of the last frames the pitch read (slot t % SPEC60, frame spec60_t[slot]):
   * the voice-quality stages of a voiced frame, EV_PVIT_LAG frames later, reuse its spectrum
   * instead of computing it again */
  fftwf_complex spec60[SPEC60][EV_HARM_NBINS];
  int64_t spec60_t[SPEC60];
  float mag60[EV_HARM_NBINS];
  int64_t raw_next; /* next frame whose raw pitch is to be tracked */
  float vq[H][EV_VQ_DIMS], fmt[H][EV_FMT_DIMS];
  int64_t pitch_next;          /* next frame whose pitch/voice work is to be done */
  ev_jitter jit[EV_JIT_WALKS]; /* the staggered period walks (ev_voice.h: EV_JIT_WALKS) */
  float seg[EV_JIT_BUF];
  /* the 60 ms Gaussian-windowed spectrum of a voiced frame (HNR, harmonics: ev_harmonics.c) */
  float *fft60_in;
  fftwf_complex *fft60_out;
  fftwf_plan plan60;
  fftwf_plan plan_acf; /* |X|^2 -> autocorrelation (inverse real DFT) */
  fftwf_complex *pc60;
  float *acf60;
  float gauss[EV_HARM_FRAME], pow60[EV_HARM_NBINS];
  double gauss_d[EV_HARM_FRAME]; /* the same window as doubles (exact), for the F0 gate */
};

/* Samples [i0, i0 + n) of the stream into dst: the ones the ring still holds (the last
 * mask + 1 before avail) copied in at most two runs, 0 for the others (before the stream,
 * overwritten, not yet arrived). */
static void view_read(const void *src, int64_t i0, int n, float *dst) {
  const ev_stream_view *v = src;
  int64_t lo = v->avail - (int64_t)(v->mask + 1), hi = v->avail;
  lo = lo > i0 ? lo : i0;
  lo = lo > 0 ? lo : 0;
  hi = hi < i0 + n ? hi : i0 + n;
  if (hi <= lo) {
    memset(dst, 0, (size_t)n * sizeof *dst);
    return;
  }
  memset(dst, 0, (size_t)(lo - i0) * sizeof *dst);
  for (int64_t i = lo; i < hi;) { /* up to the ring's end, then from its start */
    const uint64_t at = (uint64_t)i & v->mask;
    int64_t run = (int64_t)(v->mask + 1 - at);
    run = run < hi - i ? run : hi - i;
    memcpy(dst + (i - i0), v->ring + at, (size_t)run * sizeof *dst);
    i += run;
  }
  memset(dst + (hi - i0), 0, (size_t)(i0 + n - hi) * sizeof *dst);
}

ev_prosody *ev_prosody_new(const ev_feature_config *cfg) {
  ev_prosody *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  p->cfg = *cfg;
  p->hop = cfg->hop_length;
  p->win20 = cfg->sample_rate / 50 < FRAME_20MS ? cfg->sample_rate / 50 : FRAME_20MS;
  ev_eg_spectral_init(&p->sp, cfg->sample_rate);
  p->fft_in = fftwf_malloc(sizeof(float) * EV_EG_NFFT);
  p->fft_out = fftwf_malloc(sizeof(fftwf_complex) * EV_EG_NBINS);
  p->fft60_in = fftwf_malloc(sizeof(float) * EV_HARM_NFFT);
  p->fft60_out = fftwf_malloc(sizeof(fftwf_complex) * EV_HARM_NBINS);
  p->pc60 = fftwf_malloc(sizeof(fftwf_complex) * EV_HARM_NBINS);
  p->acf60 = fftwf_malloc(sizeof(float) * EV_HARM_NFFT);
  if (!p->fft_in || !p->fft_out || !p->fft60_in || !p->fft60_out || !p->pc60 || !p->acf60) {
    ev_prosody_free(p);
    return NULL;
  }
  memset(p->fft_in, 0, sizeof(float) * EV_EG_NFFT);
  p->plan = fftwf_plan_dft_r2c_1d(EV_EG_NFFT, p->fft_in, p->fft_out, FFTW_ESTIMATE);
  memset(p->fft60_in, 0, sizeof(float) * EV_HARM_NFFT); /* the zero padding stays */
  p->plan60 = fftwf_plan_dft_r2c_1d(EV_HARM_NFFT, p->fft60_in, p->fft60_out, FFTW_ESTIMATE);
  p->plan_acf = fftwf_plan_dft_c2r_1d(EV_HARM_NFFT, p->pc60, p->acf60, FFTW_ESTIMATE);
  p->rs_in = fftwf_malloc(sizeof(fftwf_complex) * (RS_N / 2 + 1));
  p->rs_out = fftwf_malloc(sizeof(float) * RS_N);
  p->plan_rs = p->rs_in && p->rs_out
                   ? fftwf_plan_dft_c2r_1d(RS_N, p->rs_in, p->rs_out, FFTW_ESTIMATE)
                   : NULL;
  if (!p->plan || !p->plan60 || !p->plan_acf || !p->plan_rs) {
    ev_prosody_free(p);
    return NULL;
  }
  ev_harmonics_window(p->gauss, EV_HARM_FRAME);
  for (int i = 0; i < EV_HARM_FRAME; i++)
    p->gauss_d[i] = p->gauss[i];
  ev_shs_init(&p->shs, cfg->sample_rate);
  for (int i = 0; i < p->win20; i++) /* openSMILE's Hamming */
    p->hamming[i] = (float)(0.54 - 0.46 * cos(2.0 * M_PI * i / (p->win20 - 1)));
  ev_prosody_set_features(p, 0);
  ev_prosody_reset(p);
  return p;
}

void ev_prosody_free(ev_prosody *p) {
  if (!p)
    return;
  if (p->plan)
    fftwf_destroy_plan(p->plan);
  if (p->plan60)
    fftwf_destroy_plan(p->plan60);
  if (p->plan_acf)
    fftwf_destroy_plan(p->plan_acf);
  if (p->plan_rs)
    fftwf_destroy_plan(p->plan_rs);
  fftwf_free(p->rs_in);
  fftwf_free(p->rs_out);
  fftwf_free(p->fft_in);
  fftwf_free(p->fft_out);
  fftwf_free(p->fft60_in);
  fftwf_free(p->fft60_out);
  fftwf_free(p->pc60);
  fftwf_free(p->acf60);
  free(p);
}

void ev_prosody_reset(ev_prosody *p) {
  p->mag_t[0] = p->mag_t[1] = -10;
  p->pitch_next = 0;
  p->raw_next = 0;
  p->shs_t = p->axis_t = -1;
  for (int i = 0; i < SPEC60; i++)
    p->spec60_t[i] = -1;
  p->fw.state = 0;
  p->fw_t = -1;
  p->roots.valid = 0;
  for (int k = 0; k < EV_JIT_WALKS; k++) {
    ev_jitter_reset(&p->jit[k]);
    p->jit[k].phase = k * (EV_JIT_PERIOD / EV_JIT_WALKS);
  }
  memset(p->spec, 0, sizeof p->spec);
  memset(p->f0, 0, sizeof p->f0);
  memset(p->voicing, 0, sizeof p->voicing);
  memset(p->gated, 0, sizeof p->gated);
  ev_pvit_reset(&p->vit);
  memset(p->vq, 0, sizeof p->vq);
  memset(p->fmt, 0, sizeof p->fmt);
}

void ev_prosody_set_features(ev_prosody *p, uint32_t mask) {
  p->want = mask;
  p->need_spec =
      (mask & (EV_FEATURE_BIT(EV_FEAT_LOUDNESS) | EV_FEATURE_BIT(EV_FEAT_SPECTRAL_BALANCE) |
               EV_FEATURE_BIT(EV_FEAT_MFCC_EGEMAPS))) != 0;
  p->need_vq = (mask & EV_FEATURE_BIT(EV_FEAT_VOICE_QUALITY)) != 0;
  /* H1-A3 needs F3, so voice quality needs the formants too */
  p->need_fmt = p->need_vq || (mask & EV_FEATURE_BIT(EV_FEAT_FORMANTS)) != 0;
  p->need_pitch = p->need_fmt || (mask & EV_FEATURE_BIT(EV_FEAT_PITCH)) != 0;
}

int ev_prosody_active(const ev_prosody *p) {
  return p->need_spec || p->need_pitch;
}

/* x[i] *= w[i]: four at a time (gcc -O2 does not vectorise loops of unknown length) */
static void window_mul(float *restrict x, const float *restrict w, int n) {
  int i = 0;
#if defined(__SSE2__)
  for (; i + 4 <= n; i += 4)
    _mm_storeu_ps(x + i, _mm_mul_ps(_mm_loadu_ps(x + i), _mm_loadu_ps(w + i)));
#endif
  for (; i < n; i++)
    x[i] *= w[i];
}

/* frame t's 20 ms Hamming frame [hop t, hop t + 320): power spectrum, spectral descriptors */
static void spectral_frame(ev_prosody *p, int64_t t, const ev_stream_view *v) {
  int64_t s0 = (int64_t)p->hop * t;
  view_read(v, s0, p->win20, p->fft_in);
  window_mul(p->fft_in, p->hamming, p->win20);
  fftwf_execute(p->plan);
  const double norm = 1.0 / ((double)EV_EG_NFFT * EV_EG_NFFT);
  int cur = (int)(t & 1);
  int k = 0;
#if defined(__SSE2__)
  /* two bins at a time, the arithmetic of the loop below (element-wise, correctly rounded
   * square root): the same bits, a third of the instructions (gcc -O2 leaves it scalar) */
  const float *bins = &p->fft_out[0][0];
  const __m128d vnorm = _mm_set1_pd(norm);
  for (; k + 2 <= EV_EG_NBINS; k += 2) {
    __m128 x = _mm_loadu_ps(bins + 2 * k); /* re0 im0 re1 im1 */
    __m128d b0 = _mm_cvtps_pd(x), b1 = _mm_cvtps_pd(_mm_movehl_ps(x, x));
    b0 = _mm_mul_pd(b0, b0);
    b1 = _mm_mul_pd(b1, b1);
    __m128d pk = _mm_mul_pd(_mm_add_pd(_mm_unpacklo_pd(b0, b1), _mm_unpackhi_pd(b0, b1)), vnorm);
    _mm_storeu_pd(p->pw + k, pk);
    _mm_storel_pi((__m64 *)(void *)(p->mag[cur] + k), _mm_cvtpd_ps(_mm_sqrt_pd(pk)));
  }
#endif
  for (; k < EV_EG_NBINS; k++) {
    double re = p->fft_out[k][0], im = p->fft_out[k][1];
    p->pw[k] = (re * re + im * im) * norm;
    p->mag[cur][k] = (float)sqrt(p->pw[k]);
  }
  p->mag_t[cur] = t;
  const float *prev = p->mag_t[cur ^ 1] == t - 1 ? p->mag[cur ^ 1] : NULL;
  if (p->need_spec)
    ev_eg_spectral_frame(&p->sp, p->pw, p->mag[cur], prev, p->spec[t & (H - 1)]);
  if (p->need_fmt) /* the formants read this spectrum 4 frames later (not pre-emphasised:
                    * eGeMAPS' chain, cSpecResample -> cLpc, has no pre-emphasis) */
    memcpy(p->lowc[t & (H - 1)], p->fft_out, sizeof p->lowc[0]);
}

#define E60_GATE 0.001 /* eGeMAPS' F0 gate: the 60 ms frame's RMS, as cValbasedSelector's */

/* eGeMAPS' F0 gate is sqrt(E / 960) >= 0.001 with E = sum (x[i] g[i])^2 added in i order (each
 * product exact in double, each square rounded). Only the decision leaves this file, so E is
 * summed in four interleaved lanes (a quarter of the serial chain) and the ordered sum is
 * computed only when the two could decide differently: any two summation orders of these 960
 * positive terms differ by at most 2 * 959 * 2^-53 (2.2e-13) of the sum, far inside the 1e-9
 * margin kept around the threshold, where the ordered sum decides. */
#define E60_SUM_GATE   (EV_HARM_FRAME * E60_GATE * E60_GATE)
#define E60_SUM_MARGIN 1e-9
EV_TARGET_CLONES
static double gate_energy_lanes(const float *x, const double *g) {
  double e = 0.0;
  int i = 0;
#if defined(__GNUC__) || defined(__clang__)
  typedef double v4d __attribute__((vector_size(32)));
  v4d acc = {0.0, 0.0, 0.0, 0.0};
  for (; i + 4 <= EV_HARM_FRAME; i += 4) {
    /* the vector built from the scalars: gcc 12 lowers it to one vcvtps2pd in the AVX clone
     * (__builtin_convertvector of a float vector: two halves and an insert); the same exact
     * conversions */
    const v4d xd = {x[i], x[i + 1], x[i + 2], x[i + 3]};
    v4d gv;
    memcpy(&gv, g + i, sizeof gv);
    const v4d w = xd * gv;
    acc += w * w;
  }
  e = (acc[0] + acc[1]) + (acc[2] + acc[3]);
#endif
  for (; i < EV_HARM_FRAME; i++) {
    const double w = (double)x[i] * g[i];
    e += w * w;
  }
  return e;
}

static int gate_closed(const float *x, const double *g) {
  const double fast = gate_energy_lanes(x, g);
  if (fast > E60_SUM_GATE * (1.0 + E60_SUM_MARGIN) && fast < INFINITY)
    return 0;
  if (fast < E60_SUM_GATE * (1.0 - E60_SUM_MARGIN))
    return 1;
  double e = 0.0; /* near the threshold (or not finite): the sum in i order decides */
  for (int i = 0; i < EV_HARM_FRAME; i++) {
    const double w = (double)x[i] * g[i];
    e += w * w;
  }
  return !(sqrt(e / EV_HARM_FRAME) >= E60_GATE);
}

/* |X_k| in float for k < EV_HARM_NBINS: four at a time, the scalar loop's float arithmetic
 * (element-wise, correctly rounded square root: the same bits) */
static void magnitudes60(const fftwf_complex *X, float *mag) {
  int k = 0;
#if defined(__SSE2__)
  const float *bins = &X[0][0];
  for (; k + 4 <= EV_HARM_NBINS; k += 4) {
    __m128 a = _mm_loadu_ps(bins + 2 * k), b = _mm_loadu_ps(bins + 2 * k + 4);
    a = _mm_mul_ps(a, a);
    b = _mm_mul_ps(b, b);
    const __m128 pk = _mm_add_ps(_mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)),
                                 _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
    _mm_storeu_ps(mag + k, _mm_sqrt_ps(pk));
  }
#endif
  for (; k < EV_HARM_NBINS; k++) {
    const float re = X[k][0], im = X[k][1];
    mag[k] = sqrtf(re * re + im * im);
  }
}

/* Frame t's 60 ms frame [hop t, hop t + 960) under the Gaussian window, as eGeMAPS' pitch
 * reads it: its F0 gate, then (above the gate) the 1024-point magnitude spectrum for SHS's
 * octave axis (mag60, read by pitch_axis). */
static void pitch_spectrum(ev_prosody *p, int64_t t, const ev_stream_view *view) {
  /* read straight into the FFT's input (its zero padding after 960 stays): under the gate it
   * is left as it is, every user refills the 960 samples first */
  view_read(view, (int64_t)p->hop * t, EV_HARM_FRAME, p->fft60_in);
  const int gated = gate_closed(p->fft60_in, p->gauss_d);
  p->gated[t & (H - 1)] = gated;
  p->shs_t = t;
  if (gated)
    return;
  window_mul(p->fft60_in, p->gauss, EV_HARM_FRAME);
  fftwf_execute(p->plan60);
  memcpy(p->spec60[t & (SPEC60 - 1)], p->fft60_out, sizeof p->spec60[0]);
  p->spec60_t[t & (SPEC60 - 1)] = t;
  magnitudes60(p->fft60_out, p->mag60);
}

/* The magnitudes of frame t on SHS's octave axis (ev_shs_spectrum; its own stage: see
 * ev_prosody_stage). */
static void pitch_axis(ev_prosody *p, int64_t t, const ev_stream_view *view) {
  if (p->shs_t != t)
    pitch_spectrum(p, t, view);
  if (!p->gated[t & (H - 1)])
    ev_shs_spectrum(&p->shs, p->mag60);
  p->axis_t = t;
}

/* Frame t's SHS candidates into the Viterbi (none under eGeMAPS' F0 gate: its F0 is zeroed
 * after the smoothing anyway; measured: the same choices elsewhere, and no SHS work on
 * silence). The spectrum is pitch_spectrum's and pitch_axis', computed here unless stages 0 and 1
 * did. */
static void pitch_raw(ev_prosody *p, int64_t t, const ev_stream_view *view) {
  if (p->axis_t != t)
    pitch_axis(p, t, view);
  if (p->gated[t & (H - 1)]) {
    ev_pvit_push(&p->vit, NULL);
  } else {
    ev_shs_result r;
    ev_shs_candidates(&p->shs, &r);
    ev_pvit_push(&p->vit, &r);
  }
  p->raw_next = t + 1;
}

/* Frame t's F0 and voicing: the Viterbi's state for it on the best path to frame t + lag, the
 * last pushed (EV_PVIT_LAG, or fewer at the end of a stream); then eGeMAPS' F0 gate. The
 * voicing output maps the SHS voicing so that its cutoff 0.7 is 0.5 for the chosen state:
 * voiced frames 0.5-1, unvoiced ones below 0.5. */
static void pitch_final(ev_prosody *p, int64_t t, int lag) {
  const int s = (int)(t & (H - 1));
  double f0, pv;
  ev_pvit_decide(&p->vit, lag, &f0, &pv);
  if (p->gated[s])
    f0 = 0.0;
  double v;
  if (f0 > 0.0) {
    v = 0.5 + 0.5 * (pv - EV_SHS_VOICING_CUTOFF) / (1.0 - EV_SHS_VOICING_CUTOFF);
    v = v < 0.5 ? 0.5 : v > 1.0 ? 1.0 : v;
  } else {
    v = 0.49 * pv / EV_SHS_VOICING_CUTOFF;
    v = v < 0.0 ? 0.0 : v > 0.49 ? 0.49 : v;
  }
  p->f0[s] = f0;
  p->voicing[s] = v;
  memset(p->fmt[s], 0, sizeof p->fmt[0]);
  memset(p->vq[s], 0, sizeof p->vq[0]);
}

/* Formants of a voiced frame (openSMILE writes them on every frame; eGeMAPS uses voiced ones),
 * in steps: the LPC and the first Durand-Kerner sweeps at stage 3, more at stage 5 (with the
 * 60 ms spectrum), the rest and the roots at stage 6, before the harmonics that read them. In
 * one call a frame's search was up to ~160k instructions in one block, the worst block of
 * run() by far; the sweeps are the same whatever their split (ev_formants.h). A frame takes 8
 * sweeps on average, 17 at the 98th percentile, 27 at most on 3525 voiced frames of corpus
 * and reference speech. Stage 4 has none: it holds the jitter walks (issue 13's staggered
 * walks: 82k instructions with six, ~28k with two), the dearest stage of a voiced frame
 * (issue 16, sixth round: 2 / 4 / 6 -> 3 / 0 / 7 took the worst 64-sample block at 44.1 kHz
 * from 165k to 157k instructions with six walks, from 110k to 105k with two; 48 kHz 159k ->
 * 145k, 99k unchanged). Earlier splits: 5 / 1 / 10, then 2 / 4 / 6 (worst block 118k -> 105k
 * at 44.1 kHz, 102k -> 84k at 48 kHz, with the ticks' placement). */
#define SWEEPS_3 3 /* a sweep is 3.4-6k instructions, the LPC and its resynthesis ~16k */
#define SWEEPS_5 7

/* r[m] = sum_{EV_LPC_ORDER <= i < n} y[i] y[i - m] for the twelve lags at once: lane m of three
 * generic vectors sums in i order, as the one-lag loop does (element-wise, no fused
 * multiply-add: the same bits in the baseline and AVX clones). yr is y reversed, so that the
 * twelve y[i - m] of one i are contiguous. */
_Static_assert(EV_LPC_ORDER + 1 == 12, "acf_lags: the lags as three vectors of four");
EV_TARGET_CLONES
static void acf_lags(const double *y, const double *yr, int n, double r[EV_LPC_ORDER + 1]) {
#if defined(__GNUC__) || defined(__clang__)
  typedef double v4d __attribute__((vector_size(32)));
  v4d s0 = {0.0, 0.0, 0.0, 0.0}, s1 = s0, s2 = s0, c0, c1, c2;
  for (int i = EV_LPC_ORDER; i < n; i++) {
    const double *q = yr + (n - 1 - i); /* q[m] = y[i - m] */
    const v4d b = {y[i], y[i], y[i], y[i]};
    memcpy(&c0, q, sizeof c0);
    memcpy(&c1, q + 4, sizeof c1);
    memcpy(&c2, q + 8, sizeof c2);
    s0 += b * c0;
    s1 += b * c1;
    s2 += b * c2;
  }
  memcpy(r, &s0, sizeof s0);
  memcpy(r + 4, &s1, sizeof s1);
  memcpy(r + 8, &s2, sizeof s2);
#else
  (void)yr;
  for (int m = 0; m <= EV_LPC_ORDER; m++)
    r[m] = 0.0;
  for (int i = EV_LPC_ORDER; i < n; i++)
    for (int m = 0; m <= EV_LPC_ORDER; m++)
      r[m] += y[i] * y[i - m];
#endif
}

/* openSMILE's cSpecResample output for frame t and its autocorrelation (cLpc's input) */
static void resynth_acf(ev_prosody *p, int64_t t, double r[EV_LPC_ORDER + 1]) {
  /* its inverse DFT: out[i] = (X0 + sum_k Re X_k cos + I_k sin) / 256 with Ooura's I_k = -Im of
   * FFTW's X_k, i.e. FFTW's c2r of (2 X0, X_1 .. X_109), up to a common factor */
  memcpy(p->rs_in, p->lowc[t & (H - 1)], sizeof p->lowc[0]);
  memset(p->rs_in + RS_BINS, 0, sizeof(fftwf_complex) * (RS_N / 2 + 1 - RS_BINS));
  p->rs_in[0][0] *= 2.0f;
  p->rs_in[0][1] = 0.0f;
  fftwf_execute(p->plan_rs); /* c2r overwrites rs_in: refilled every time */
  /* cTransformFFT centres the 320-sample frame in its 512 points (zeroPadSymmetric, 96 zeros
   * first): the kept 220 samples start 96 * 352 / 512 = 66 samples before our frame's start,
   * i.e. at RS_N - 66 of the period. y holds them after EV_LPC_ORDER zeros, so that every lag
   * of the autocorrelation runs over the same index range (one pass, all lags together). */
  double y[EV_LPC_ORDER + RS_KEEP] = {0};
  for (int i = 0; i < RS_SHIFT; i++)
    y[EV_LPC_ORDER + i] = p->rs_out[RS_N - RS_SHIFT + i];
  for (int i = RS_SHIFT; i < RS_KEEP; i++)
    y[EV_LPC_ORDER + i] = p->rs_out[i - RS_SHIFT];
  double yr[EV_LPC_ORDER + RS_KEEP];
  for (int i = 0; i < EV_LPC_ORDER + RS_KEEP; i++)
    yr[i] = y[EV_LPC_ORDER + RS_KEEP - 1 - i];
  acf_lags(y, yr, EV_LPC_ORDER + RS_KEEP, r);
}

static void formant_begin(ev_prosody *p, int64_t t) {
  p->fw_t = t;
  p->fw.state = 0;
  if (p->f0[t & (H - 1)] > 0.0) {
    double r[EV_LPC_ORDER + 1];
    resynth_acf(p, t, r);
    ev_formants_begin(r, &p->roots, &p->fw);
  }
}

static void formant_sweeps(ev_prosody *p, int64_t t, int max_sweeps) {
  if (p->fw_t == t)
    ev_formants_sweep(&p->fw, max_sweeps);
}

static void formant_end(ev_prosody *p, int64_t t) {
  if (p->fw_t != t || p->fw.state == 0)
    return; /* unvoiced (or no LPC): fmt stays as pitch_final cleared it */
  ev_formants_sweep(&p->fw, EV_DK_ITERS);
  double o[6];
  ev_formants_end(&p->fw, o, &p->roots);
  p->fw_t = -1;
  float *f = p->fmt[t & (H - 1)];
  for (int i = 0; i < 3; i++) {
    f[3 * i] = (float)o[2 * i];
    f[3 * i + 1] = (float)o[2 * i + 1];
  }
}

static void formant_frame(ev_prosody *p, int64_t t) {
  formant_begin(p, t);
  formant_end(p, t);
}

/* The fields of a walk that ev_jitter_frame reads (with the span, which follows from mis),
 * packed without padding so that memcmp compares their bits. */
typedef struct jit_state {
  double last_t0, last_f0, last_jit, last_shim;
  int64_t mis;
} jit_state;

static jit_state jit_state_of(const ev_jitter *j) {
  jit_state st;
  st.last_t0 = j->last_t0;
  st.last_f0 = j->last_f0;
  st.last_jit = j->last_jit;
  st.last_shim = j->last_shim;
  st.mis = j->mis;
  return st;
}

/* Voice quality of a voiced frame in three stages of similar cost: jitter and shimmer (stage 4),
 * the 60 ms spectrum (stage 5), the harmonics (stage 6), which need the frame's formants. */
static void voice_jitter(ev_prosody *p, int64_t t, const ev_stream_view *v) {
  /* every frame, voiced or not, in order: the walk goes on from the last frame's periods */
  const double f0 = p->f0[t & (H - 1)];
  int64_t s0;
  int n;
  /* every walk advances every frame; frame t reads the one whose anchor is oldest (ev_voice.h) */
  int oldest = 0, oldest_age = -1;
  for (int k = 0; k < EV_JIT_WALKS; k++) {
    const int age = (int)((t - p->jit[k].phase) % EV_JIT_PERIOD);
    if (age > oldest_age) {
      oldest_age = age;
      oldest = k;
    }
  }
  float vq[EV_JIT_WALKS][EV_VQ_DIMS];
  /* A walk whose state after ev_jitter_span is the same bits as an earlier walk's was at that
   * point (both restarted by an unvoiced frame and neither re-anchored since: a voiced
   * stretch's first frames) reads the same span and makes the same periods: it takes that
   * walk's result instead of walking again. ev_jitter_frame reads only these fields and the
   * span (phase is ev_jitter_span's; ps and ps2 are its scratch). */
  jit_state before[EV_JIT_WALKS];
  for (int k = 0; k < EV_JIT_WALKS; k++) {
    ev_jitter *j = &p->jit[k];
    ev_jitter_span(j, t, p->hop, p->cfg.sample_rate, f0, &s0, &n);
    before[k] = jit_state_of(j);
    int same = -1;
    for (int m = 0; m < k && same < 0; m++)
      if (memcmp(&before[m], &before[k], sizeof before[k]) == 0)
        same = m;
    if (same >= 0) {
      const ev_jitter *o = &p->jit[same];
      j->next_t = o->next_t;
      j->mis = o->mis;
      j->last_t0 = o->last_t0;
      j->last_f0 = o->last_f0;
      j->last_jit = o->last_jit;
      j->last_shim = o->last_shim;
      memcpy(vq[k], vq[same], sizeof vq[k]);
      continue;
    }
    if (n > 0)
      view_read(v, s0, n, p->seg);
    ev_jitter_frame(j, t, p->hop, p->cfg.sample_rate, f0, p->seg, n, vq[k]);
  }
  memcpy(p->vq[t & (H - 1)], vq[oldest], sizeof vq[oldest]);
}

/* The 60 ms spectrum (stage 5: it does not need the formants; the two FFTs of 1024 points
 * were half of the harmonics stage, the worst block by time) and, with acf, its
 * autocorrelation (voice_acf60: stage 6, before the harmonics, to halve stage 5). */
static void voice_acf60(ev_prosody *p, int64_t t) {
  if (p->f0[t & (H - 1)] > 0.0)
    fftwf_execute(p->plan_acf); /* pc60 holds frame t's power from voice_spectrum60 */
}

static void voice_spectrum60(ev_prosody *p, int64_t t, const ev_stream_view *v, int acf) {
  if (!(p->f0[t & (H - 1)] > 0.0))
    return;
  /* openSMILE's 60 ms frame t: [hop t, hop t + 960), Gaussian window, 1024-point spectrum; the
   * frame's own (unsmoothed) formants, as cHarmonics reads them */
  if (p->spec60_t[t & (SPEC60 - 1)] == t) { /* the pitch computed it (same input, same plan) */
    memcpy(p->fft60_out, p->spec60[t & (SPEC60 - 1)], sizeof p->spec60[0]);
  } else {
    int64_t g0 = (int64_t)p->hop * t;
    view_read(v, g0, EV_HARM_FRAME, p->fft60_in);
    window_mul(p->fft60_in, p->gauss, EV_HARM_FRAME);
    fftwf_execute(p->plan60);
  }
  /* power spectrum; its inverse real DFT is the frame's circular autocorrelation (cHarmonics'
   * ACF; c2r overwrites its input, so it gets a copy) */
  int k = 0;
#if defined(__SSE2__)
  /* four bins at a time, the same float arithmetic as below */
  const float *bins = &p->fft60_out[0][0];
  float *pc = &p->pc60[0][0];
  for (; k + 4 <= EV_HARM_NBINS; k += 4) {
    __m128 a = _mm_loadu_ps(bins + 2 * k), b = _mm_loadu_ps(bins + 2 * k + 4);
    a = _mm_mul_ps(a, a);
    b = _mm_mul_ps(b, b);
    __m128 pk = _mm_add_ps(_mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)),
                           _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
    _mm_storeu_ps(p->pow60 + k, pk);
    _mm_storeu_ps(pc + 2 * k, _mm_unpacklo_ps(pk, _mm_setzero_ps()));
    _mm_storeu_ps(pc + 2 * k + 4, _mm_unpackhi_ps(pk, _mm_setzero_ps()));
  }
#endif
  for (; k < EV_HARM_NBINS; k++) {
    const float re = p->fft60_out[k][0], im = p->fft60_out[k][1];
    p->pow60[k] = re * re + im * im;
    p->pc60[k][0] = p->pow60[k];
    p->pc60[k][1] = 0.0f;
  }
  if (acf)
    voice_acf60(p, t);
}

static void voice_harmonics(ev_prosody *p, int64_t t) {
  double f0 = p->f0[t & (H - 1)];
  if (!(f0 > 0.0))
    return;
  float *vq = p->vq[t & (H - 1)], *f = p->fmt[t & (H - 1)];
  const double fm[3] = {f[0], f[3], f[6]};
  float amp[3];
  ev_harmonics(p->pow60, p->acf60, (double)p->cfg.sample_rate / EV_HARM_NFFT, f0, fm,
               &vq[EV_VQ_HNR], &vq[EV_VQ_H1_H2], &vq[EV_VQ_H1_A3], amp);
  for (int i = 0; i < 3; i++)
    f[3 * i + 2] = amp[i];
}

void ev_prosody_stage(ev_prosody *p, int k, int64_t t, const ev_stream_view *v) {
  const int64_t tp = t - EV_PROSODY_LAG; /* the frame whose pitch is decided, and its voice work */
  const int64_t ta = tp + EV_PVIT_LAG;   /* the frame whose raw pitch is due (look-ahead) */
  switch (k) {
  case 0:
    /* frame ta = tp + EV_PVIT_LAG's pitch in three parts of similar cost (its 60 ms frame
     * ended at hop ta + 960, before this frame's samples did): the spectrum here, the octave
     * axis at stage 1, the summation, candidates and Viterbi at stage 2 */
    if (p->need_pitch && ta >= 0 && p->raw_next == ta)
      pitch_spectrum(p, ta, v);
    break;
  case 1:
    if (p->need_pitch && ta >= 0 && p->raw_next == ta)
      pitch_axis(p, ta, v);
    break;
  case 2:
    /* frame ta's 60 ms pitch frame ends at hop ta + 960, not after the end hop t + 512 of this
     * frame's samples: EV_PVIT_LAG frames of look-ahead for the Viterbi's decision of frame tp
     * (pitch_final). One frame is pushed per frame from the stream's start on, so the first
     * decision has no burst; the catch-up is bounded (a mask changed without a reset, which
     * ev_extractor_set_features does not allow, cannot make it loop). */
    if (p->need_pitch && ta >= 0 && p->raw_next >= ta - EV_PVIT_LAG)
      while (p->raw_next <= ta)
        pitch_raw(p, p->raw_next, v);
    if (p->need_pitch && tp >= 0 && tp == p->pitch_next && p->raw_next == ta + 1) {
      pitch_final(p, tp, EV_PVIT_LAG);
      p->pitch_next = tp + 1;
    }
    break;
  case 3:
    if (p->need_fmt && tp >= 0 && tp < p->pitch_next) {
      formant_begin(p, tp);
      formant_sweeps(p, tp, SWEEPS_3);
    }
    break;
  case 4: /* no formant sweeps here: see SWEEPS_3 */
    if (p->need_vq && tp >= 0 && tp < p->pitch_next)
      voice_jitter(p, tp, v);
    break;
  case 5:
    if (p->need_fmt && tp >= 0 && tp < p->pitch_next)
      formant_sweeps(p, tp, SWEEPS_5);
    if (p->need_vq && tp >= 0 && tp < p->pitch_next)
      voice_spectrum60(p, tp, v, 0);
    break;
  case 6:
    if (p->need_fmt && tp >= 0 && tp < p->pitch_next)
      formant_end(p, tp);
    if (p->need_vq && tp >= 0 && tp < p->pitch_next) {
      voice_acf60(p, tp);
      voice_harmonics(p, tp);
    }
    break;
  case 7:
    /* the 20 ms spectrum and its descriptors (~22k instructions) here, with the emission
     * (~8k), not at stage 1 with the octave axis (~25k): stage 1 was the dearest stage (51k,
     * every frame) and met stage 0 and the model's dearest tick in one 64-sample block at
     * 44.1 kHz. Nothing reads frame t's spectrum before this: its descriptors are emitted 4
     * frames later, the formants read it 4 frames later, the flux of frame t + 1 next. */
    if (p->need_spec || p->need_fmt)
      spectral_frame(p, t, v);
    break;
  default:
    break;
  }
}

static void put_spec(const ev_prosody *p, int64_t e, int64_t last, int from, int n, float *out) {
  /* openSMILE's _sma3: mean of frames e-1, e, e+1 (edges replicated) */
  int64_t a = e > 0 ? e - 1 : 0, c = e < last ? e + 1 : last;
  for (int i = 0; i < n; i++)
    out[i] = (p->spec[a & (H - 1)][from + i] + p->spec[e & (H - 1)][from + i] +
              p->spec[c & (H - 1)][from + i]) /
             3.0f;
}

void ev_prosody_emit(ev_prosody *p, int64_t e, int64_t last, const ev_stream_view *v,
                     float *const out[EV_FEAT_COUNT]) {
  if (p->need_pitch && p->pitch_next <= e) { /* flush: no more look-ahead will come */
    for (int64_t t = p->pitch_next; t <= e; t++) {
      const int64_t ahead = t + EV_PVIT_LAG < last ? t + EV_PVIT_LAG : last;
      while (p->raw_next <= ahead)
        pitch_raw(p, p->raw_next, v);
      pitch_final(p, t, (int)(p->raw_next - 1 - t));
      if (p->need_fmt)
        formant_frame(p, t);
      if (p->need_vq) {
        voice_jitter(p, t, v);
        voice_spectrum60(p, t, v, 1);
        voice_harmonics(p, t);
      }
    }
    p->pitch_next = e + 1;
  }
  int s = (int)(e & (H - 1));
  if (out[EV_FEAT_LOUDNESS])
    put_spec(p, e, last, 0, 1, out[EV_FEAT_LOUDNESS]);
  if (out[EV_FEAT_SPECTRAL_BALANCE])
    put_spec(p, e, last, 1, EV_SB_DIMS, out[EV_FEAT_SPECTRAL_BALANCE]);
  if (out[EV_FEAT_MFCC_EGEMAPS])
    put_spec(p, e, last, 6, EV_MFCC_EGEMAPS_DIMS, out[EV_FEAT_MFCC_EGEMAPS]);
  if (out[EV_FEAT_PITCH]) {
    double f0 = p->f0[s];
    out[EV_FEAT_PITCH][EV_PITCH_F0] = f0 > 0.0 ? (float)(12.0 * log2(f0 / 27.5)) : 0.0f;
    out[EV_FEAT_PITCH][EV_PITCH_F0_HZ] = (float)f0;
    out[EV_FEAT_PITCH][EV_PITCH_VOICING] = (float)p->voicing[s];
  }
  if (out[EV_FEAT_VOICE_QUALITY])
    memcpy(out[EV_FEAT_VOICE_QUALITY], p->vq[s], sizeof p->vq[0]);
  if (out[EV_FEAT_FORMANTS])
    memcpy(out[EV_FEAT_FORMANTS], p->fmt[s], sizeof p->fmt[0]);
}
