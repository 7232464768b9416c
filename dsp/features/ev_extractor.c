/* The streaming feature extractor: sanitise -> resample (ev_resample) -> 16 kHz framing ->
 * per-frame stages spread over the following hop -> delta look-ahead -> on_frame.
 *
 * Block-size independence: the resampler is always fed fixed chunks of EV_CHUNK host
 * samples, and every stage and tick is triggered by the count of resampled samples, so how
 * the host cuts its audio never changes what is computed or in which order. */
#include "ev_features.h"
#include "ev_filters.h"
#include "ev_frame_math.h"
#include "ev_functionals.h"
#include "ev_window_stats.h"
#include "ev_prosody.h"
#include "ev_resample.h"
#include "ev_dc_block.h" /* dsp/kernels */
#include "ev_dot.h"      /* dsp/kernels */
#include "ev_sanitize.h" /* dsp/kernels */
#include "ev_error.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define EV_HAVE_MXCSR 1
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define EV_CHUNK EV_RESAMPLE_CHUNK /* host samples per resampler call (fixed: see above) */
/* Frame t is emitted at frame t + EV_EMIT_LAG's last stage: its deltas need frames up to t + 4,
 * its eGeMAPS pitch, voice quality and formants are done at frame t + EV_PROSODY_LAG's stages
 * (the pitch's look-ahead; ev_prosody.h) */
#define EV_EMIT_LAG EV_PROSODY_LAG
_Static_assert(EV_EMIT_LAG >= EV_DELTA_HALF, "the deltas need EV_DELTA_HALF frames of look-ahead");
#define EV_HIST (EV_EMIT_LAG + EV_DELTA_HALF + 1) /* frames kept: t-11 .. t */
/* mfcc_delta_func: the MFCCs' change over this many frames (20 ms: a phone's transition, where
 * one frame's change is mostly the overlap of the windows) */
#define EV_SPREAD_LAG 2
_Static_assert(EV_SPREAD_LAG <= EV_DELTA_HALF, "frame e - EV_SPREAD_LAG is kept at emission");
/* the window deviations beside the eGeMAPS functionals */
enum { EV_SPREADS = 3 };
static const ev_feature_id kSpreads[EV_SPREADS] = {EV_FEAT_MFCC_FUNC, EV_FEAT_MFCC_DELTA_FUNC,
                                                   EV_FEAT_LOGMEL_FUNC};
#define EV_ROLL_PERCENT 0.85

/* FFTW's planner is not thread-safe: every plan creation/destruction in the process goes
 * through this mutex (never taken on the processing path). */
static pthread_mutex_t ev_fftw_mutex = PTHREAD_MUTEX_INITIALIZER;

struct ev_extractor {
  ev_feature_config cfg;
  int n_bins;
  int flat_bins; /* bins the flatness reads: n_bins, or fewer (ev_extractor_set_flatness_band) */
  double host_rate;
  uint32_t max_block;

  /* resampling (NULL when host rate == model rate) */
  ev_resample *rs;
  float chunk[EV_CHUNK];
  int chunk_fill;
  float *rs_out;
  int rs_out_cap;
  ev_dc_block dc;      /* at the model rate, after the resampler (ev_extractor_set_dc_block) */
  uint64_t host_total; /* host samples received */
  uint64_t rs_total;   /* model-rate samples pushed into the frame path */

  /* framing */
  float *ring;
  uint64_t ring_mask;
  int phase;      /* position in the current hop, counted from the last frame's end */
  int64_t frame;  /* frame whose stages are running (-1: none yet) */
  int next_stage; /* next stage of `frame` to run */
  int stage_off[EV_EXTRACTOR_STAGES];
  int64_t next_emit;

  /* per-frame work buffers */
  float *window, *frame_raw, *fft_in;
  fftwf_complex *fft_out;
  fftwf_plan plan;
  double *power, *mag, *logmel;
  float *dct; /* [n_mfcc][n_mels], DCT-II ortho rounded to float (see stage_mfcc) */
  ev_mel_bank mel;
  float *chroma_w; /* librosa's float32 weights */

  /* history: EV_HIST slots of every per-frame feature (delta look-ahead) */
  int offs[EV_FEAT_COUNT];
  size_t slot_size;
  float *slots;
  double *mfcc_hist; /* [EV_HIST][n_mfcc], double for the delta accuracy */
  float *d1, *d2;

  /* consumer ticks */
  ev_tick_fn tick;
  void *tick_user;
  int n_ticks;
  int *tick_off;
  int tick_next;
  uint64_t tick_base;

  ev_frame_fn on_frame;
  void *on_frame_user;

  /* eGeMAPS descriptors (ev_prosody.c): their own stages and history */
  ev_prosody *pro;
  int pro_on;

  /* feature selection (ev_extractor_set_features): what frames carry, and the work needed */
  uint32_t want;
  /* egemaps_func: the sliding-window functionals and the vector frames carry */
  ev_functionals *func;
  float func_out[EV_EGEMAPS_FUNC_DIMS];
  /* mfcc_func, mfcc_delta_func, logmel_func: deviations over the same window (kSpreads order),
   * the vectors frames carry, and one frame's input to them */
  struct {
    ev_window_stats *w;
    float *out;
  } spread[EV_SPREADS];
  float *spread_in;
  int need_raw, need_fft, need_shape, need_flat, need_mel, need_log, need_mfcc, need_delta,
      need_chroma;
};

static float *slot(ev_extractor *ex, int64_t t, ev_feature_id id) {
  return ex->slots + (size_t)(t % EV_HIST) * ex->slot_size + (size_t)ex->offs[id];
}

/* What frame e adds to the window of spread feature id: MFCC 1..K, their change since frame
 * e - 2 (from frame 0 at a stream's start), or the log-mel bands' pair means. */
static const float *spread_input(ev_extractor *ex, ev_feature_id id, int64_t e) {
  const float *c = slot(ex, e, EV_FEAT_MFCC) + 1;
  float *in = ex->spread_in;
  const int n = ev_feature_dims(&ex->cfg, id);
  if (id == EV_FEAT_MFCC_FUNC)
    return c;
  if (id == EV_FEAT_MFCC_DELTA_FUNC) {
    const float *b = slot(ex, e >= EV_SPREAD_LAG ? e - EV_SPREAD_LAG : 0, EV_FEAT_MFCC) + 1;
    for (int k = 0; k < n; k++)
      in[k] = c[k] - b[k];
    return in;
  }
  const float *lm = slot(ex, e, EV_FEAT_LOGMEL);
  const int bands = ex->cfg.n_mels;
  for (int j = 0; j < n; j++)
    in[j] = 2 * j + 1 < bands ? 0.5f * (lm[2 * j] + lm[2 * j + 1]) : lm[2 * j];
  return in;
}

/* ---- stages ------------------------------------------------------------------------------ */

static int wants(const ev_extractor *ex, ev_feature_id id) {
  return (ex->want >> id) & 1u;
}

static void stage_fft(ev_extractor *ex) {
  if (!ex->need_raw)
    return;
  int n_fft = ex->cfg.n_fft;
  uint64_t start = (uint64_t)ex->frame * (uint64_t)ex->cfg.hop_length;
  size_t ring = (size_t)ex->ring_mask + 1, pos = (size_t)(start & ex->ring_mask);
  size_t first = ring - pos < (size_t)n_fft ? ring - pos : (size_t)n_fft;
  memcpy(ex->frame_raw, ex->ring + pos, first * sizeof(float));
  memcpy(ex->frame_raw + first, ex->ring, ((size_t)n_fft - first) * sizeof(float));
  if (!ex->need_fft)
    return;
  float *restrict in = ex->fft_in;
  const float *restrict raw = ex->frame_raw, *restrict win = ex->window;
  int n = 0;
#if defined(__SSE2__) /* gcc -O2 does not vectorise loops of unknown length */
  for (; n + 4 <= n_fft; n += 4)
    _mm_storeu_ps(in + n, _mm_mul_ps(_mm_loadu_ps(raw + n), _mm_loadu_ps(win + n)));
#endif
  for (; n < n_fft; n++)
    in[n] = raw[n] * win[n];
  fftwf_execute(ex->plan);
}

static void stage_power_shape(ev_extractor *ex) {
  if (!ex->need_fft)
    return;
  const int n_bins = ex->n_bins;
  float *p = slot(ex, ex->frame, EV_FEAT_POWER); /* the float copy (chroma reads it too) */
  double *restrict pw = ex->power;
  int k = 0;
#if defined(__SSE2__)
  /* two bins at a time, the same double arithmetic as below: re*re + im*im */
  const float *bins = &ex->fft_out[0][0];
  for (; k + 2 <= n_bins; k += 2) {
    __m128 v = _mm_loadu_ps(bins + 2 * k); /* re0 im0 re1 im1 */
    __m128d b0 = _mm_cvtps_pd(v), b1 = _mm_cvtps_pd(_mm_movehl_ps(v, v));
    b0 = _mm_mul_pd(b0, b0);
    b1 = _mm_mul_pd(b1, b1);
    __m128d pk = _mm_add_pd(_mm_unpacklo_pd(b0, b1), _mm_unpackhi_pd(b0, b1));
    _mm_storeu_pd(pw + k, pk);
    _mm_storel_pi((__m64 *)(void *)(p + k), _mm_cvtpd_ps(pk));
  }
#endif
  for (; k < n_bins; k++) {
    double re = ex->fft_out[k][0], im = ex->fft_out[k][1];
    pw[k] = re * re + im * im;
    p[k] = (float)pw[k];
  }
  if (!ex->need_shape)
    return;
  ev_spectral sh;
  ev_spectral_shape(ex->power, ex->n_bins, (double)ex->cfg.sample_rate / ex->cfg.n_fft,
                    EV_ROLL_PERCENT, ex->mag, &sh);
  *slot(ex, ex->frame, EV_FEAT_CENTROID) = (float)sh.centroid;
  *slot(ex, ex->frame, EV_FEAT_BANDWIDTH) = (float)sh.bandwidth;
  *slot(ex, ex->frame, EV_FEAT_ROLLOFF) = (float)sh.rolloff;
}

static void stage_flatness_zcr_rms(ev_extractor *ex) {
  if (ex->need_flat)
    *slot(ex, ex->frame, EV_FEAT_FLATNESS) =
        (float)ev_spectral_flatness(ex->power, ex->flat_bins, 1e-10);
  if (wants(ex, EV_FEAT_ZCR))
    *slot(ex, ex->frame, EV_FEAT_ZCR) = (float)ev_zcr(ex->frame_raw, ex->cfg.win_length);
  if (wants(ex, EV_FEAT_RMS))
    *slot(ex, ex->frame, EV_FEAT_RMS) = (float)ev_rms(ex->frame_raw, ex->cfg.win_length);
}

static void stage_mel(ev_extractor *ex) {
  if (!ex->need_mel)
    return;
  const ev_mel_bank *mb = &ex->mel;
  float *mel = slot(ex, ex->frame, EV_FEAT_MEL), *lm = slot(ex, ex->frame, EV_FEAT_LOGMEL);
  const double *w = mb->w;
  for (int i = 0; i < mb->n_mels; i++) {
    double s = ev_dot(w, ex->power + mb->start[i], mb->len[i]);
    w += mb->len[i];
    mel[i] = (float)s;
    if (ex->need_log) {
      ex->logmel[i] = ev_power_to_db(s);
      lm[i] = (float)ex->logmel[i];
    }
  }
}

/* DCT rows [j0, j1) of the current frame's log-mel, in float: the float32 log-mel and the
 * float sums stay ~1e-4 from the double DCT (MFCCs are up to ~800), far inside the 0.1
 * tolerance, at a quarter of the cost. */
static void stage_mfcc(ev_extractor *ex, int j0, int j1) {
  if (!ex->need_mfcc)
    return;
  int n_mels = ex->cfg.n_mels;
  double *c = ex->mfcc_hist + (size_t)(ex->frame % EV_HIST) * (size_t)ex->cfg.n_mfcc;
  float *out = slot(ex, ex->frame, EV_FEAT_MFCC);
  const float *lm = slot(ex, ex->frame, EV_FEAT_LOGMEL);
  for (int j = j0; j < j1; j++)
    out[j] = 0.0f;
  ev_rows_dot_acc(out + j0, ex->dct + (size_t)j0 * (size_t)n_mels, (size_t)n_mels, j1 - j0, lm,
                  n_mels);
  for (int j = j0; j < j1; j++)
    c[j] = out[j];
}

static void stage_chroma(ev_extractor *ex) {
  if (!ex->need_chroma)
    return;
  /* float sums of positive terms (the layers' 16-lane kernel): ~1e-6 relative, inside the
   * 1e-5 tolerance */
  float raw[EV_N_CHROMA] = {0};
  double max = 0.0;
  const float *p = slot(ex, ex->frame, EV_FEAT_POWER);
  ev_rows_dot_acc(raw, ex->chroma_w, (size_t)ex->n_bins, EV_N_CHROMA, p, ex->n_bins);
  for (int c = 0; c < EV_N_CHROMA; c++)
    if (fabs(raw[c]) > max)
      max = fabs(raw[c]);
  float *out = slot(ex, ex->frame, EV_FEAT_CHROMA);
  /* librosa: norm=inf per frame; frames whose max is below tiny are left as they are */
  double scale = max < 2.2250738585072014e-308 ? 1.0 : 1.0 / max;
  for (int c = 0; c < EV_N_CHROMA; c++)
    out[c] = (float)(raw[c] * scale);
}

static void finish_ticks(ev_extractor *ex) {
  while (ex->tick && ex->tick_next < ex->n_ticks)
    ex->tick(ex->tick_user, ex->tick_next++);
}

/* Emit frame e; history is valid for frames max(0, e-4) .. last (at most e + EV_EMIT_LAG), frames
 * outside are replicated from the nearest edge (streaming rule: left edge at the start, right edge
 * at flush). */
static void emit(ev_extractor *ex, int64_t e, int64_t last) {
  finish_ticks(ex); /* never happens in streaming: ticks of the previous frame are done */
  const double *c[EV_DELTA_WIDTH];
  for (int n = 0; n < EV_DELTA_WIDTH; n++) {
    int64_t t = e + n - EV_DELTA_HALF;
    if (t < 0)
      t = 0;
    if (t > last)
      t = last;
    c[n] = ex->mfcc_hist + (size_t)(t % EV_HIST) * (size_t)ex->cfg.n_mfcc;
  }
  if (ex->need_delta)
    ev_delta9(c, ex->cfg.n_mfcc, ex->d1, ex->d2);
  ev_frame fr;
  fr.index = e;
  for (int id = 0; id < EV_FEAT_COUNT; id++)
    fr.feat[id] = wants(ex, (ev_feature_id)id) ? slot(ex, e, (ev_feature_id)id) : NULL;
  fr.feat[EV_FEAT_MFCC_DELTA] = wants(ex, EV_FEAT_MFCC_DELTA) ? ex->d1 : NULL;
  fr.feat[EV_FEAT_MFCC_DELTA2] = wants(ex, EV_FEAT_MFCC_DELTA2) ? ex->d2 : NULL;
  if (ex->pro_on) { /* addition: eGeMAPS groups of frame e */
    float *pro_out[EV_FEAT_COUNT] = {0};
    for (int id = EV_FEAT_PITCH; id <= EV_FEAT_MFCC_EGEMAPS; id++)
      pro_out[id] = wants(ex, (ev_feature_id)id) ? slot(ex, e, (ev_feature_id)id) : NULL;
    ev_stream_view v = {ex->ring, ex->ring_mask, (int64_t)ex->rs_total};
    ev_prosody_emit(ex->pro, e, last, &v, pro_out);
  }
  /* the functionals read frame e's eGeMAPS descriptors, complete from here on */
  fr.feat[EV_FEAT_EGEMAPS_FUNC] = NULL;
  if (wants(ex, EV_FEAT_EGEMAPS_FUNC) && ex->func) {
    float lld[EV_EGEMAPS_N_LLD];
    ev_egemaps_lld(&fr, lld);
    const float rms = fr.feat[EV_FEAT_RMS] ? fr.feat[EV_FEAT_RMS][0] : 0.0f;
    ev_functionals_push(ex->func, lld, rms * rms);
    if (e % EV_FUNC_EVERY == 0) {
      ev_functionals_compute(ex->func, ex->func_out);
      /* the pushes until the next one walk its window ahead: no O(window) spike every 100 ms */
      ev_functionals_schedule(ex->func, EV_FUNC_EVERY);
    }
    fr.feat[EV_FEAT_EGEMAPS_FUNC] = ex->func_out;
  }
  for (int k = 0; k < EV_SPREADS; k++) {
    const ev_feature_id id = kSpreads[k];
    fr.feat[id] = NULL;
    if (!wants(ex, id) || !ex->spread[k].w)
      continue;
    ev_window_stats_push(ex->spread[k].w, spread_input(ex, id, e));
    if (e % EV_FUNC_EVERY == 0) /* updated with the eGeMAPS statistics, held in between */
      ev_window_stats_compute(ex->spread[k].w, NULL, ex->spread[k].out);
    fr.feat[id] = ex->spread[k].out;
  }
  if (ex->on_frame)
    ex->on_frame(ex->on_frame_user, &fr);
  ex->next_emit = e + 1;
  ex->tick_next = 0;
  ex->tick_base = ex->rs_total;
}

static void run_stage(ev_extractor *ex, int k) {
  int half = ex->cfg.n_mfcc / 2;
  switch (k) {
  case 0:
    stage_fft(ex);
    break;
  case 1:
    stage_power_shape(ex);
    break;
  case 2:
    stage_flatness_zcr_rms(ex);
    break;
  case 3:
    stage_mel(ex);
    break;
  case 4:
    stage_mfcc(ex, 0, half);
    break;
  case 5:
    stage_mfcc(ex, half, ex->cfg.n_mfcc);
    break;
  case 6:
    stage_chroma(ex);
    break;
  case 7:
    if (ex->frame >= EV_EMIT_LAG)
      emit(ex, ex->frame - EV_EMIT_LAG, ex->frame);
    break;
  default:
    break;
  }
  if (ex->pro_on) { /* addition: eGeMAPS work of this stage */
    ev_stream_view v = {ex->ring, ex->ring_mask, (int64_t)ex->rs_total};
    ev_prosody_stage(ex->pro, k, ex->frame, &v);
  }
}

/* One model-rate sample into the frame path; runs the stages and ticks due at it. */
static void push_one(ev_extractor *ex, float x) {
  const int n_fft = ex->cfg.n_fft, hop = ex->cfg.hop_length;
  ex->ring[ex->rs_total & ex->ring_mask] = x;
  ex->rs_total++;
  if (ex->rs_total >= (uint64_t)n_fft) {
    if (ex->phase == 0) {
      ex->frame = (int64_t)((ex->rs_total - (uint64_t)n_fft) / (uint64_t)hop);
      ex->next_stage = 0;
    }
    while (ex->next_stage < EV_EXTRACTOR_STAGES && ex->stage_off[ex->next_stage] == ex->phase)
      run_stage(ex, ex->next_stage++);
    ex->phase = ex->phase + 1 == hop ? 0 : ex->phase + 1;
  }
  while (ex->tick && ex->tick_next < ex->n_ticks &&
         ex->rs_total == ex->tick_base + (uint64_t)ex->tick_off[ex->tick_next])
    ex->tick(ex->tick_user, ex->tick_next++);
}

/* How many of the next samples push_one would only store (no stage, frame start or tick is
 * due at any of them): they can be copied in bulk with the same result. */
static uint64_t quiet_samples(const ev_extractor *ex) {
  const uint64_t n_fft = (uint64_t)ex->cfg.n_fft, total = ex->rs_total;
  uint64_t q;
  if (total + 1 < n_fft) /* filling the first frame: the phase does not run yet */
    q = n_fft - 1 - total;
  else if (ex->phase == 0) /* a frame starts at the next sample */
    q = 0;
  else /* up to the next stage, or to the end of the hop */
    q = (uint64_t)((ex->next_stage < EV_EXTRACTOR_STAGES ? ex->stage_off[ex->next_stage]
                                                         : ex->cfg.hop_length) -
                   ex->phase);
  if (ex->tick && ex->tick_next < ex->n_ticks) {
    uint64_t at = ex->tick_base + (uint64_t)ex->tick_off[ex->tick_next];
    if (at > total && at - total - 1 < q)
      q = at - total - 1;
  }
  return q;
}

/* Model-rate samples into the frame path; runs stages and ticks at their positions. The
 * samples between two events are copied into the ring at once. */
static void push_samples(ev_extractor *ex, const float *x, int n) {
  const uint64_t ring = ex->ring_mask + 1;
  int i = 0;
  while (i < n) {
    uint64_t q = quiet_samples(ex), pos = ex->rs_total & ex->ring_mask;
    if (q > (uint64_t)(n - i))
      q = (uint64_t)(n - i);
    if (q > ring - pos)
      q = ring - pos;
    if (q == 0) {
      push_one(ex, x[i++]);
      continue;
    }
    memcpy(ex->ring + pos, x + i, (size_t)q * sizeof(float));
    if (ex->rs_total + 1 >= (uint64_t)ex->cfg.n_fft) { /* the phase runs: no wrap inside q */
      int ph = ex->phase + (int)q;
      ex->phase = ph == ex->cfg.hop_length ? 0 : ph;
    }
    ex->rs_total += q;
    i += (int)q;
  }
}

/* Resample the full staging chunk; push at most `limit` of the outputs. */
static void resample_chunk(ev_extractor *ex, uint64_t limit) {
  int out_len = ev_resample_chunk(ex->rs, ex->chunk, ex->rs_out);
  ex->chunk_fill = 0;
  if ((uint64_t)out_len > limit)
    out_len = (int)limit;
  ev_dc_block_run(&ex->dc, ex->rs_out, (uint32_t)out_len);
  push_samples(ex, ex->rs_out, out_len);
}

/* ---- public API -------------------------------------------------------------------------- */

static void compute_offsets(ev_extractor *ex) {
  int hop = ex->cfg.hop_length;
  for (int k = 0; k < EV_EXTRACTOR_STAGES; k++)
    ex->stage_off[k] = k * hop / EV_EXTRACTOR_STAGES;
}

static ev_extractor *create(const ev_feature_config *cfg, double host_rate, uint32_t max_block,
                            int offline, char *err, size_t errlen) {
  if (!cfg) {
    ev_fail(err, errlen, "no feature configuration given");
    return NULL;
  }
  if (ev_feature_config_check(cfg, err, errlen))
    return NULL;
  if (!(host_rate >= 8000.0 && host_rate <= 192000.0)) {
    ev_fail(err, errlen, "host sample rate %.6g Hz not supported (8000..192000 Hz)", host_rate);
    return NULL;
  }
  ev_extractor *ex = calloc(1, sizeof *ex);
  if (!ex) {
    ev_fail(err, errlen, "out of memory");
    return NULL;
  }
  ex->cfg = *cfg;
  ev_dc_block_init(&ex->dc, cfg->sample_rate, 0.0); /* off until the analyser asks */
  ex->host_rate = host_rate;
  ex->max_block = max_block;
  ex->n_bins = cfg->n_fft / 2 + 1;
  ex->flat_bins = ex->n_bins;
  int n_fft = cfg->n_fft, n_bins = ex->n_bins;
  uint32_t in_rate = (uint32_t)lrint(host_rate);
  int ok = 1;

  if (in_rate != (uint32_t)cfg->sample_rate) {
    ex->rs = offline ? ev_resample_new_offline(host_rate, cfg->sample_rate, NULL, 0)
                     : ev_resample_new(host_rate, cfg->sample_rate, NULL, 0);
    ex->rs_out_cap = ex->rs ? ev_resample_max_out(ex->rs) : 0;
    ex->rs_out = malloc(sizeof(float) * (size_t)(ex->rs_out_cap + 1));
    ok = ex->rs && ex->rs_out;
  }
  uint64_t ring = 1;
  while (ring < (uint64_t)n_fft || ring < EV_PROSODY_RING) /* the pitch windows reach back */
    ring <<= 1;
  ex->ring_mask = ring - 1;
  ex->ring = calloc((size_t)ring, sizeof(float));
  ex->window = malloc(sizeof(float) * (size_t)n_fft);
  ex->frame_raw = calloc((size_t)n_fft, sizeof(float));
  ex->fft_in = fftwf_malloc(sizeof(float) * (size_t)n_fft);
  ex->fft_out = fftwf_malloc(sizeof(fftwf_complex) * (size_t)n_bins);
  ex->power = calloc((size_t)n_bins, sizeof(double));
  ex->mag = calloc((size_t)n_bins, sizeof(double));
  ex->logmel = calloc((size_t)cfg->n_mels, sizeof(double));
  ex->dct = malloc(sizeof(float) * (size_t)cfg->n_mfcc * (size_t)cfg->n_mels);
  ex->chroma_w = malloc(sizeof(float) * EV_N_CHROMA * (size_t)n_bins);
  ex->d1 = calloc((size_t)cfg->n_mfcc, sizeof(float));
  ex->d2 = calloc((size_t)cfg->n_mfcc, sizeof(float));
  ex->mfcc_hist = calloc((size_t)EV_HIST * (size_t)cfg->n_mfcc, sizeof(double));
  ex->tick_off = calloc((size_t)cfg->hop_length, sizeof(int));
  size_t off = 0;
  for (int id = 0; id < EV_FEAT_COUNT; id++) {
    ex->offs[id] = (int)off;
    /* the deltas and the window statistics live in their own buffers (d1/d2, func_out,
     * spread[].out), not in the per-frame history */
    if (id != EV_FEAT_MFCC_DELTA && id != EV_FEAT_MFCC_DELTA2 && !ev_feature_windowed(id))
      off += (size_t)ev_feature_dims(cfg, (ev_feature_id)id);
  }
  ex->slot_size = off;
  ex->slots = calloc((size_t)EV_HIST * off, sizeof(float));
  ok = ok && ex->ring && ex->window && ex->frame_raw && ex->fft_in && ex->fft_out && ex->power &&
       ex->mag && ex->logmel && ex->dct && ex->chroma_w && ex->d1 && ex->d2 && ex->mfcc_hist &&
       ex->tick_off && ex->slots;
  if (ok && ev_mel_bank_init(&ex->mel, cfg))
    ok = 0;
  if (ok) {
    ev_window_fill(ex->window, n_fft, cfg->win_length);
    size_t n_dct = (size_t)cfg->n_mfcc * (size_t)cfg->n_mels;
    double *dct = malloc(sizeof(double) * n_dct);
    if (dct) {
      ev_dct_fill(dct, cfg->n_mfcc, cfg->n_mels);
      for (size_t i = 0; i < n_dct; i++)
        ex->dct[i] = (float)dct[i];
    }
    ok = dct != NULL;
    free(dct);
    ev_chroma_fill(ex->chroma_w, cfg->sample_rate, n_fft, EV_N_CHROMA);
  }
  if (ok) {
    memset(ex->fft_in, 0, sizeof(float) * (size_t)n_fft);
    pthread_mutex_lock(&ev_fftw_mutex);
    ex->plan = fftwf_plan_dft_r2c_1d(n_fft, ex->fft_in, ex->fft_out, FFTW_ESTIMATE);
    ex->pro = ev_prosody_new(cfg); /* FFTW plans: under the same mutex */
    pthread_mutex_unlock(&ev_fftw_mutex);
    ok = ex->plan != NULL && ex->pro != NULL;
  }
  if (ok) {
    ex->func = ev_functionals_new(
        cfg->func_window_s > 0.0f ? cfg->func_window_s : EV_FUNC_WINDOW_DEFAULT_S, NULL, 0);
    ok = ex->func != NULL;
  }
  int widest = 1;
  for (int k = 0; ok && k < EV_SPREADS; k++) {
    const int dims = ev_feature_dims(cfg, kSpreads[k]);
    if (dims < 1) /* mfcc_func and mfcc_delta_func with a single MFCC: none */
      continue;
    widest = dims > widest ? dims : widest;
    ex->spread[k].w = ev_window_stats_new(ev_functionals_capacity(ex->func), dims);
    ex->spread[k].out = calloc((size_t)dims, sizeof(float));
    ok = ex->spread[k].w && ex->spread[k].out;
  }
  if (ok) {
    ex->spread_in = calloc((size_t)widest, sizeof(float));
    ok = ex->spread_in != NULL;
  }
  if (!ok) {
    ev_extractor_free(ex);
    ev_fail(err, errlen, "out of memory while creating the feature extractor");
    return NULL;
  }
  compute_offsets(ex);
  ev_extractor_set_features(ex, EV_FEATURE_MASK_ALL);
  ev_extractor_reset(ex);
  return ex;
}

ev_extractor *ev_extractor_new(const ev_feature_config *cfg, double host_rate, uint32_t max_block,
                               char *err, size_t errlen) {
  return create(cfg, host_rate, max_block, 0, err, errlen);
}

ev_extractor *ev_extractor_new_offline(const ev_feature_config *cfg, double host_rate,
                                       uint32_t max_block, char *err, size_t errlen) {
  return create(cfg, host_rate, max_block, 1, err, errlen);
}

void ev_extractor_free(ev_extractor *ex) {
  if (!ex)
    return;
  ev_functionals_free(ex->func);
  for (int k = 0; k < EV_SPREADS; k++) {
    ev_window_stats_free(ex->spread[k].w);
    free(ex->spread[k].out);
  }
  free(ex->spread_in);
  if (ex->plan || ex->pro) {
    pthread_mutex_lock(&ev_fftw_mutex);
    if (ex->plan)
      fftwf_destroy_plan(ex->plan);
    ev_prosody_free(ex->pro);
    pthread_mutex_unlock(&ev_fftw_mutex);
  }
  ev_resample_free(ex->rs);
  ev_mel_bank_free(&ex->mel);
  fftwf_free(ex->fft_in);
  fftwf_free(ex->fft_out);
  free(ex->rs_out);
  free(ex->ring);
  free(ex->window);
  free(ex->frame_raw);
  free(ex->power);
  free(ex->mag);
  free(ex->logmel);
  free(ex->dct);
  free(ex->chroma_w);
  free(ex->d1);
  free(ex->d2);
  free(ex->mfcc_hist);
  free(ex->tick_off);
  free(ex->slots);
  free(ex);
}

void ev_extractor_reset(ev_extractor *ex) {
  if (ex->rs)
    ev_resample_reset(ex->rs);
  if (ex->func)
    ev_functionals_reset(ex->func);
  memset(ex->func_out, 0, sizeof ex->func_out);
  for (int k = 0; k < EV_SPREADS; k++)
    if (ex->spread[k].w) {
      ev_window_stats_reset(ex->spread[k].w);
      memset(ex->spread[k].out, 0, sizeof(float) * (size_t)ev_feature_dims(&ex->cfg, kSpreads[k]));
    }
  ex->chunk_fill = 0;
  ev_dc_block_reset(&ex->dc);
  ex->host_total = ex->rs_total = 0;
  memset(ex->ring, 0, sizeof(float) * (size_t)(ex->ring_mask + 1));
  ex->phase = 0;
  ex->frame = -1;
  ex->next_stage = EV_EXTRACTOR_STAGES;
  ex->next_emit = 0;
  ex->tick_next = ex->n_ticks; /* no ticks before the first frame is emitted */
  ex->tick_base = 0;
  if (ex->pro)
    ev_prosody_reset(ex->pro);
}

int ev_extractor_reset_exact(ev_extractor *ex) {
  const int rc = ex->rs ? ev_resample_reset_exact(ex->rs) : 0;
  /* then the reset create() ends with, its ev_resample_reset included: a new extractor's
   * resampler has had that one too */
  ev_extractor_reset(ex);
  return rc;
}

/* Dependencies: mfcc needs logmel (in double), logmel the mel sums, deltas the mfcc history;
 * every spectral feature needs the FFT's power; ZCR and RMS only the raw frame. */
void ev_extractor_restart_functionals(ev_extractor *ex) {
  if (ex->func)
    ev_functionals_reset(ex->func);
  for (int k = 0; k < EV_SPREADS; k++)
    if (ex->spread[k].w)
      ev_window_stats_reset(ex->spread[k].w);
}

void ev_extractor_set_dc_block(ev_extractor *ex, double cutoff_hz) {
  ev_dc_block_init(&ex->dc, ex->cfg.sample_rate, cutoff_hz);
}

void ev_extractor_set_flatness_band(ev_extractor *ex, double max_hz) {
  const double bin_hz = (double)ex->cfg.sample_rate / ex->cfg.n_fft;
  int bins = max_hz > 0 ? (int)floor(max_hz / bin_hz) + 1 : ex->n_bins;
  ex->flat_bins = bins < 2 ? 2 : bins > ex->n_bins ? ex->n_bins : bins;
}

void ev_extractor_set_features(ev_extractor *ex, uint32_t mask) {
  mask &= EV_FEATURE_MASK_ALL;
  /* the functionals read the 25 eGeMAPS descriptors and the frame energy of every frame */
  if (mask & EV_FEATURE_BIT(EV_FEAT_EGEMAPS_FUNC))
    mask |= EV_FEATURE_MASK_EGEMAPS | EV_FEATURE_BIT(EV_FEAT_RMS);
#define EV_BIT(id) (1u << (id))
  const uint32_t delta = EV_BIT(EV_FEAT_MFCC_DELTA) | EV_BIT(EV_FEAT_MFCC_DELTA2);
  const uint32_t mfcc =
      EV_BIT(EV_FEAT_MFCC) | delta | EV_BIT(EV_FEAT_MFCC_FUNC) | EV_BIT(EV_FEAT_MFCC_DELTA_FUNC);
  const uint32_t log = EV_BIT(EV_FEAT_LOGMEL) | EV_BIT(EV_FEAT_LOGMEL_FUNC) | mfcc;
  const uint32_t mel = EV_BIT(EV_FEAT_MEL) | log;
  const uint32_t shape =
      EV_BIT(EV_FEAT_CENTROID) | EV_BIT(EV_FEAT_BANDWIDTH) | EV_BIT(EV_FEAT_ROLLOFF);
  const uint32_t fft =
      EV_BIT(EV_FEAT_POWER) | mel | shape | EV_BIT(EV_FEAT_CHROMA) | EV_BIT(EV_FEAT_FLATNESS);
  const uint32_t raw = fft | EV_BIT(EV_FEAT_ZCR) | EV_BIT(EV_FEAT_RMS);
  ex->want = mask;
  ex->need_raw = (mask & raw) != 0;
  ex->need_fft = (mask & fft) != 0;
  ex->need_shape = (mask & shape) != 0;
  ex->need_flat = (mask & EV_BIT(EV_FEAT_FLATNESS)) != 0;
  ex->need_mel = (mask & mel) != 0;
  ex->need_log = (mask & log) != 0;
  ex->need_mfcc = (mask & mfcc) != 0;
  ex->need_delta = (mask & delta) != 0;
  ex->need_chroma = (mask & EV_BIT(EV_FEAT_CHROMA)) != 0;
  if (ex->pro) { /* addition: the eGeMAPS groups */
    ev_prosody_set_features(ex->pro, mask);
    ex->pro_on = ev_prosody_active(ex->pro);
  }
#undef EV_BIT
}

uint32_t ev_extractor_features(const ev_extractor *ex) {
  return ex->want;
}

const ev_feature_config *ev_extractor_config(const ev_extractor *ex) {
  return &ex->cfg;
}

void ev_extractor_set_ticks(ev_extractor *ex, int ticks_per_hop, ev_tick_fn tick, void *user) {
  int hop = ex->cfg.hop_length;
  if (ticks_per_hop < 0 || !tick)
    ticks_per_hop = 0;
  if (ticks_per_hop > hop)
    ticks_per_hop = hop;
  /* midpoints of ticks_per_hop equal parts of the hop that starts at the emission; with 8
   * ticks they fall half-way between the extractor's own stages. With fewer, only the last one
   * stays there (it completes a model step, so the answer appears at the same sample) and the
   * others take midpoints between stages after the emission, in order: with 6 (model 0.5) the
   * second tick, half of the input layer, fell on stage 1 and met stage 2 in one block. The
   * first two midpoints (either side of stage 0; stages 7, 0 and 1 are the dearest, ~22-30k
   * instructions each with the 1024- and 512-point spectra) are used only when the ticks need
   * them: at 44.1 kHz a 64-sample block often holds stages 0 and 1 and the tick between them,
   * and that block met model 0.7's dearest tick (23k) and a libsoxr burst (137k instructions,
   * 4.6 times the median block; issue 16). */
  for (int i = 0; i < ticks_per_hop; i++)
    ex->tick_off[i] = (int)(((int64_t)(2 * i + 1) * hop) / (2 * ticks_per_hop));
  const int skip =
      EV_EXTRACTOR_STAGES - ticks_per_hop < 2 ? EV_EXTRACTOR_STAGES - ticks_per_hop : 2;
  if (ticks_per_hop <= EV_EXTRACTOR_STAGES)
    for (int i = 0; i + 1 < ticks_per_hop; i++)
      ex->tick_off[i] = (int)(((int64_t)(2 * (i + skip) + 1) * hop) / (2 * EV_EXTRACTOR_STAGES));
  ex->tick = tick;
  ex->tick_user = user;
  ex->n_ticks = ticks_per_hop;
  ex->tick_next = ticks_per_hop; /* new schedule starts with the next emitted frame */
}

void ev_extractor_process(ev_extractor *ex, const float *in, uint32_t n, ev_frame_fn on_frame,
                          void *user) {
  if (!ex || !in || !n)
    return;
#ifdef EV_HAVE_MXCSR
  unsigned int csr = _mm_getcsr();
  _mm_setcsr(csr | 0x8040); /* flush-to-zero + denormals-are-zero, restored below */
#endif
  ex->on_frame = on_frame;
  ex->on_frame_user = user;
  ex->host_total += n;
  uint32_t i = 0;
  if (!ex->rs) {
    float buf[EV_CHUNK];
    while (i < n) {
      int m = n - i < EV_CHUNK ? (int)(n - i) : EV_CHUNK;
      ev_sanitize_block(buf, in + i, (uint32_t)m);
      ev_dc_block_run(&ex->dc, buf, (uint32_t)m);
      push_samples(ex, buf, m);
      i += (uint32_t)m;
    }
  } else {
    while (i < n) {
      int m = EV_CHUNK - ex->chunk_fill;
      if ((uint32_t)m > n - i)
        m = (int)(n - i);
      ev_sanitize_block(ex->chunk + ex->chunk_fill, in + i, (uint32_t)m);
      ex->chunk_fill += m;
      i += (uint32_t)m;
      if (ex->chunk_fill == EV_CHUNK)
        resample_chunk(ex, UINT64_MAX);
    }
  }
#ifdef EV_HAVE_MXCSR
  _mm_setcsr(csr);
#endif
}

void ev_extractor_flush(ev_extractor *ex, ev_frame_fn on_frame, void *user) {
  if (!ex)
    return;
#ifdef EV_HAVE_MXCSR
  unsigned int csr = _mm_getcsr();
  _mm_setcsr(csr | 0x8040);
#endif
  ex->on_frame = on_frame;
  ex->on_frame_user = user;
  if (ex->rs) {
    /* Drain: zeros after the end, until the model-rate length ceil(N * sr / rate) is out. */
    uint64_t target = (uint64_t)ceil((double)ex->host_total * ex->cfg.sample_rate / ex->host_rate);
    for (int guard = 0; ex->rs_total < target && guard < 1 << 16; guard++) {
      while (ex->chunk_fill < EV_CHUNK)
        ex->chunk[ex->chunk_fill++] = 0.0f;
      resample_chunk(ex, target - ex->rs_total);
    }
  }
  /* finish the stages of the frame in flight (without its look-ahead frames) */
  while (ex->frame >= 0 && ex->next_stage < EV_EXTRACTOR_STAGES)
    run_stage(ex, ex->next_stage++);
  /* emit what the delta look-ahead held back, replicating the last frame to the right */
  for (int64_t e = ex->next_emit; ex->frame >= 0 && e <= ex->frame; e++) {
    emit(ex, e, ex->frame);
    finish_ticks(ex);
  }
  finish_ticks(ex);
  ex->next_stage = EV_EXTRACTOR_STAGES;
#ifdef EV_HAVE_MXCSR
  _mm_setcsr(csr);
#endif
}

uint32_t ev_extractor_latency(const ev_extractor *ex) {
  double model_samples = EV_EMIT_LAG * ex->cfg.hop_length + ex->stage_off[EV_EXTRACTOR_STAGES - 1];
  double host = model_samples * ex->host_rate / ex->cfg.sample_rate;
  if (ex->rs)
    host += (EV_CHUNK - 1) + ev_resample_latency(ex->rs);
  return (uint32_t)ceil(host);
}
