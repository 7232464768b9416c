/* The streaming analyser: extractor -> input assembly/normalisation -> model (one layer per
 * extractor tick) -> speech gate, smoothing, dominant/confidence, arousal/valence.
 *
 * Every output is computed inside the extractor's callbacks (on_frame and tick), which happen
 * at fixed positions of the resampled stream, so per-frame outputs do not depend on the host
 * block size. */
#include "ev_analyzer.h"

#include <math.h>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_dc_block.h"
#include "ev_filters.h"
#include "ev_error.h"
#include "ev_input.h"
#include "ev_model.h"

#define GATE_HANGOVER_S 0.2 /* speech stays "on" this long after the RMS drops */
/* A frame opens the speech gate only if it is loud enough and tonal: spectral flatness below
 * this. Measured at 16 kHz: voiced speech frames have a median flatness of 0.002-0.01 (RAVDESS,
 * TESS, URDU), while white noise resampled from 48 kHz sits at 0.31-0.38 (the resampler's
 * low-pass lowers it from the textbook exp(-0.5772) = 0.56). Unvoiced consonants (flatness
 * up to ~0.3) are bridged by the hangover. */
#define VOICED_MAX_FLATNESS 0.1f
/* ... and only while its spectrum moves: speech changes its log-mel spectrum by 3-5 dB per
 * 10 ms frame on average (smoothed over GATE_CHANGE_TAU_S; RAVDESS speech frames: 5th
 * percentile 1.7 dB, median 4.3 dB), a steady tone by 0.05 dB and a tremolo tone by 0.3 dB.
 * Only bands within GATE_RANGE_DB of the loudest count, so the noise floor's flicker in empty
 * bands does not look like movement. Music with moving partials can still pass. */
#define GATE_MIN_CHANGE_DB 1.0f
#define GATE_CHANGE_TAU_S  0.25
#define GATE_RANGE_DB      40.0f
#define GATE_BANDS         128 /* bands compared (the first ones when a model has more) */
/* A pause this long (frames below the gate) ends an utterance: the utterance statistics
 * (egemaps_func) start afresh with the next speech, so a clip heard after another one is not
 * judged with the previous clip's statistics (what a session of short takes needs; pauses
 * inside a sentence are shorter). */
#define UTTERANCE_PAUSE_S 0.5
#define VAD_TAU_S         0.08 /* smoothing of voice_activity */
#define DEFAULT_BLOCK     4096u
/* ev_analyzer_restart: model states up to this size are reset at once (~20 us); larger ones in
 * pieces of RESTART_FLOATS_PER_SAMPLE floats per resampled sample, copied during the extractor's
 * ticks, i.e. at fixed stream positions (so the outputs still do not depend on the block size).
 * At 16 kHz that is 4 M floats (16 MB) per second of audio: a 16 ms block copies ~256 KB. */
#define RESTART_IMMEDIATE_FLOATS  65536u
#define RESTART_FLOATS_PER_SAMPLE 256u
/* The band detector (ev_analyzer_attach_narrowband): the spectrum of the frames that open the
 * speech gate, in the log-mel bands centred on 2.5-3.4 kHz (the top of the telephone band) and
 * 4.5-7 kHz (above any telephone channel, below the model's 7 kHz top).
 * A clean telephone channel ends in a cliff: the frame's ratio of the two bands in dB, averaged
 * over the last BAND_MEMORY_FRAMES such frames (over all of them before), never fell below -37 dB
 * in a wide-band recording over 1500 corpus files (250 of each corpus, at 16 kHz; the darkest
 * ones of URDU and ASED included, whose 4.5-7 kHz lies 40-48 dB below their 0.3-3.4 kHz: a
 * ratio to the whole telephone band would call them telephone audio), and always fell below
 * -74 dB once the same files had been through an 8 kHz channel (at 48 kHz, in float).
 * A noise floor fills the cliff (a call stored as a 16-bit file, with dither: half of those 1500
 * never fell below -60 dB): then speech does not lift 4.5-7 kHz above the band's floor (the
 * lowest of any frame's, over the last BAND_FLOOR_BLOCKS blocks of BAND_FLOOR_FRAMES frames),
 * while it lifts 2.5-3.4 kHz far above it; wide-band speech lifts both.
 * Telephone audio is declared when the cliff is below -70 dB or the lift below 6 dB with the
 * telephone band's top 30 dB above the floor, and only after BAND_MIN_FRAMES speech frames, so
 * a single dark vowel decides nothing; wide-band again once the cliff is above -40 dB and the
 * lift above 10 dB (hysteresis). Measured with the shipped models (docs/plugin.md, "Telephone
 * audio at a wide-band rate"): no wide-band file of the 1500 taken for telephone audio, 1497 of
 * their float and 1489 of their dithered telephone copies taken. A track that changes from a
 * studio voice to a phone call or back changes model after about a second of the new speech. */
#define BAND_EDGE_HZ     2500.0
#define BAND_TEL_TOP_HZ  3400.0
#define BAND_HIGH_HZ     4500.0
#define BAND_HIGH_TOP_HZ 7000.0
#define BAND_ENTER_DB    (-70.0)
#define BAND_LEAVE_DB    (-40.0)
/* 15 frames, measured: the call read by the narrowband model sooner (1353 against 1334 of the
 * 1500 float copies named as the wide-band file, TurEV-DB's short clips 223 against 207), but
 * two of URDU's noisy wide-band files taken for telephone audio by the floor test: not taken. */
#define BAND_MIN_FRAMES    30
#define BAND_MEMORY_FRAMES 100
/* ... or, over a noise floor: speech lifts 4.5-7 kHz less than BAND_LIFT_ENTER_DB above its
 * floor (the lowest of any frame's over the last 2-2.5 s) while it lifts 2.5-3.4 kHz more than
 * BAND_TOP_MIN_DB above it; wide-band again once the cliff is gone and the lift above
 * BAND_LIFT_LEAVE_DB */
#define BAND_LIFT_ENTER_DB 6.0
#define BAND_LIFT_LEAVE_DB 10.0
#define BAND_TOP_MIN_DB    30.0
#define BAND_FLOOR_FRAMES  50
#define BAND_FLOOR_BLOCKS  4

/* A second network for telephone-band audio, reading the same inputs as the runtime's model:
 * its own normaliser (prior and adaptation) and state, fed every frame the primary is fed, so
 * that either can answer the next step. */
typedef struct narrow_net {
  const ev_model *model; /* not owned */
  ev_input *input;
  ev_model_state *state;
  int n_labels;
  int canonical[EV_MODEL_MAX_LABELS];
  int units_per_tick;
} narrow_net;

struct ev_model_runtime {
  const ev_model *model; /* not owned: must outlive the runtime */
  ev_extractor *ex;      /* configured as the model's features require */
  ev_input *input;
  ev_model_state *state;
  int n_labels;
  int canonical[EV_MODEL_MAX_LABELS];
  double step_s; /* seconds between model outputs */
  double hop_s;
  int used; /* has run since it was prepared: reset when installed again */
  int units_per_tick;
  int ticks;                      /* the extractor's ticks per hop */
  size_t clear_per_tick;          /* floats of state reset per tick after ev_analyzer_restart */
  narrow_net *narrow;             /* ev_analyzer_attach_narrowband, or NULL */
  int band_top[2], band_above[2]; /* mel bands [first, end) of the band detector: the telephone
                                     band's top and above it */
};

struct ev_analyzer {
  double rate;
  uint32_t max_block;
  ev_extractor *ex_default; /* used when no model is installed (VAD still works) */
  double hop_default_s;
  ev_model_runtime *rt;
  ev_analyzer_params params;
  ev_outputs out;
  float smooth[EV_N_EMOTIONS];
  int smooth_valid;
  int smooth_fresh; /* a pause ended the utterance: the next output replaces, not blends */
  int hang;         /* frames of hangover left */
  float vad;
  /* The frame whose model step is in progress (its outputs are finalised when the step
   * completes, during the ticks of the following hop). */
  int pending;
  float pending_rms;
  int pending_voiced;
  ev_outputs_fn fn;
  void *user;
  ev_input_tap_fn tap;
  void *tap_user;
  int layers_this_call;
  ev_analyzer_stats stats;
  double dc_hz; /* the DC blocker's cutoff, run by each extractor at the model rate */
  /* spectral movement of the speech gate: the previous frame's log-mel and the smoothed
   * mean change */
  float gate_prev[GATE_BANDS];
  int gate_prev_valid;
  float gate_change;
  int64_t quiet_frames; /* consecutive frames below the gate (utterance ends) */
  int clearing;         /* the runtime's model state is being reset in pieces: no model steps yet */
  size_t cleared_this_call;
  /* the band detector: the forgetting sums of the two bands' mel power over gate-opening frames,
   * how many such frames were heard, and whether the narrowband network answers */
  double band_db, band_high_db, band_edge_db;
  int64_t band_frames;
  double floor_cur, floor_blk[BAND_FLOOR_BLOCKS];
  int floor_count, floor_idx, floor_filled;
  int narrow_on;
  int pending_narrow; /* the step in progress is the narrowband network's */
};

void ev_analyzer_params_default(ev_analyzer_params *p) {
  p->response_ms = EV_ANALYZER_RESPONSE_DEFAULT_MS;
  p->gate_db = EV_INPUT_GATE_DEFAULT_DB;
  p->adapt = 1;
  p->labels = EV_EMOTION_MASK_ALL;
}

static float clampf(float v, float lo, float hi) {
  if (!(v >= lo)) /* also NaN */
    return lo;
  return v > hi ? hi : v;
}

static double hop_seconds(const ev_feature_config *c) {
  return (double)c->hop_length / c->sample_rate;
}

/* ---------------------------------------------------------------- per-frame outputs */

/* ev_emotion_condition on the analyser's float probabilities (in double, as the summary does):
 * p(e | e allowed); returns whether there was something to condition on. O(EV_N_EMOTIONS). */
static int restrict_probs(float *p, unsigned allowed) {
  double d[EV_N_EMOTIONS];
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    d[i] = p[i];
  const int ok = ev_emotion_condition(d, allowed);
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    p[i] = (float)d[i];
  return ok;
}

/* The outputs read off the smoothing state: probabilities, arousal/valence and, while `speech`
 * (and a model's finite output is being smoothed), the dominant and its confidence. The dominant
 * is the most probable allowed emotion, so an emotion left out (probability 0) never wins a tie
 * (all allowed at 0: the first allowed one, as ev_summary_finish takes it), unless the one shown
 * on the frame before is still allowed and within EV_ANALYZER_DOMINANT_HOLD of it: then that one
 * stays. Called once per frame (and on a change of the allowed set), so the hold is the same
 * whatever the block size; it starts afresh with every stretch of speech and at a reset. */
static void publish(ev_analyzer *an, int speech) {
  ev_outputs *o = &an->out;
  const unsigned allowed = an->params.labels;
  double p[EV_N_EMOTIONS], arousal, valence;
  int best = -1;
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    o->prob[i] = an->smooth_valid ? an->smooth[i] : 0.0f;
    p[i] = o->prob[i];
    if ((allowed & (1u << i)) && (best < 0 || o->prob[i] > o->prob[best]))
      best = i;
  }
  ev_emotion_coords(p, &arousal, &valence); /* as the file summary and the evaluation read them */
  if (speech && an->rt && an->smooth_valid && !an->out.model_fault) {
    const int shown = o->dominant;
    if (shown >= 0 && (allowed & (1u << shown)) &&
        o->prob[shown] >= o->prob[best] - EV_ANALYZER_DOMINANT_HOLD)
      best = shown;
    o->dominant = best;
    o->confidence = o->prob[best];
  } else {
    o->dominant = -1;
    o->confidence = 0.0f;
  }
  o->arousal = clampf((float)arousal, -1.0f, 1.0f);
  o->valence = clampf((float)valence, -1.0f, 1.0f);
}

/* A frame opens the speech gate when it is above the gate's level and voiced (a tonal spectrum
 * that moves): the one test behind the voice output and the utterance pauses. */
static int opens_gate(const ev_analyzer *an, float rms, int voiced) {
  const float db = 20.0f * log10f(rms > 1e-10f ? rms : 1e-10f); /* rms is finite: sanitised */
  return db > an->params.gate_db && voiced;
}

/* The reading p (canonical order) in a model's label order, to its normaliser when that has class
 * centres; a label without a canonical emotion counts 0. O(labels). */
static void give_reading(ev_input *in, const float *p, const int *canonical, int n_labels) {
  if (!ev_input_n_centres(in))
    return;
  float q[EV_INPUT_MAX_CLASSES];
  const int n = n_labels < EV_INPUT_MAX_CLASSES ? n_labels : EV_INPUT_MAX_CLASSES;
  for (int k = 0; k < n; k++)
    q[k] = canonical[k] >= 0 ? p[canonical[k]] : 0.0f;
  ev_input_set_posterior(in, q, n_labels);
}

/* The input normaliser whose state the outputs report: the narrowband network's while it
 * answers. */
static const ev_input *active_input(const ev_analyzer *an) {
  const ev_model_runtime *rt = an->rt;
  return rt->narrow && an->narrow_on ? rt->narrow->input : rt->input;
}

/* model_out: the model's output for this frame, or NULL (no model, no step completed);
 * fault: the step completed but its output is not finite; nn: the narrowband network when it
 * made model_out (its labels), else NULL. */
static void finalize(ev_analyzer *an, float rms, int voiced, const float *model_out, int fault,
                     const narrow_net *nn) {
  const ev_model_runtime *rt = an->rt;
  const double hop_s = rt ? rt->hop_s : an->hop_default_s;
  const int loud = opens_gate(an, rms, voiced);
  const int hang_frames = (int)lround(GATE_HANGOVER_S / hop_s);
  if (loud)
    an->hang = hang_frames;
  else if (an->hang > 0)
    an->hang--;
  const int speech = loud || an->hang > 0;
  const float a_vad = (float)(1.0 - exp(-hop_s / VAD_TAU_S));
  an->vad += a_vad * ((speech ? 1.0f : 0.0f) - an->vad);
  if (an->vad < 1e-6f)
    an->vad = 0.0f; /* no denormal tail */

  if (fault) { /* "no model" until the output is finite again; then the smoothing restarts */
    an->out.model_fault = 1;
    an->smooth_valid = 0;
    memset(an->smooth, 0, sizeof an->smooth);
  } else if (model_out) {
    an->out.model_fault = 0;
  }
  if (model_out && rt) {
    float p[EV_N_EMOTIONS] = {0};
    const int n_labels = nn ? nn->n_labels : rt->n_labels;
    const int *canonical = nn ? nn->canonical : rt->canonical;
    for (int i = 0; i < n_labels; i++) {
      const int c = canonical[i];
      if (c >= 0 && isfinite(model_out[i]))
        p[c] = model_out[i];
    }
    if (an->params.labels != EV_EMOTION_MASK_ALL) /* all eight: untouched, bit for bit */
      restrict_probs(p, an->params.labels);
    /* what the voice was heard saying, for the normalisers' next speech step (class centres:
     * ev_input.h); both networks' normalisers, so that either hears the voice as it is */
    give_reading(rt->input, p, rt->canonical, rt->n_labels);
    if (rt->narrow)
      give_reading(rt->narrow->input, p, rt->narrow->canonical, rt->narrow->n_labels);
    if (speech) {
      const float tau = an->params.response_ms * 0.001f;
      const float a = tau > 0.0f ? (float)(1.0 - exp(-rt->step_s / tau)) : 1.0f;
      for (int i = 0; i < EV_N_EMOTIONS; i++) {
        float s = an->smooth_valid && !an->smooth_fresh ? an->smooth[i] + a * (p[i] - an->smooth[i])
                                                        : p[i];
        an->smooth[i] = s < 1e-12f ? 0.0f : s; /* no denormals */
      }
      an->smooth_valid = 1;
      an->smooth_fresh = 0;
    }
  }

  publish(an, speech);
  ev_outputs *o = &an->out;
  o->voice_activity = clampf(an->vad, 0.0f, 1.0f);
  /* the normaliser's state after this frame was pushed: the one its reading was made with */
  o->adapted = rt ? ev_input_adapted(active_input(an)) : 0.0f;
  o->narrowband = rt && rt->narrow && an->narrow_on;
  o->frames++;
  if (an->fn)
    an->fn(an->user, o);
  if (an->tap) /* the input of the frame being finalised: no frame was pushed since */
    an->tap(an->tap_user, rt ? ev_input_raw(rt->input) : NULL, rt ? ev_input_dims(rt->input) : 0,
            rms, speech);
}

/* Completes the step in progress (if any) and finalises its frame. */
static void finish_pending(ev_analyzer *an) {
  if (!an->pending)
    return;
  ev_model_runtime *rt = an->rt;
  const float *y = NULL;
  int fault = 0;
  const narrow_net *nn = rt && an->pending_narrow ? rt->narrow : NULL;
  if (rt) {
    ev_model_state *st = nn ? nn->state : rt->state;
    while (ev_model_state_busy(st)) {
      ev_model_state_step_layer(st);
      an->layers_this_call++;
    }
    fault = ev_model_state_fault(st);
    y = fault ? NULL : ev_model_state_output(st);
  }
  an->pending = 0;
  finalize(an, an->pending_rms, an->pending_voiced, y, fault, nn);
}

/* fmaxf(a, b) without the library call: glibc's is maxss (b unless a > b) when both are
 * numbers, and the one that is not NaN otherwise. */
static inline float max_f(float a, float b) {
  return (a > b || b != b) ? a : b;
}

/* Whether the spectrum moves like speech (see GATE_MIN_CHANGE_DB). O(bands), no allocation. */
static int spectrum_moves(ev_analyzer *an, const ev_feature_config *cfg, const float *logmel) {
  if (!logmel)
    return 1;
  const int n = cfg->n_mels < GATE_BANDS ? cfg->n_mels : GATE_BANDS;
  float d = 0.0f;
  if (an->gate_prev_valid) {
    /* Without data-dependent branches (they were mispredicted on speech: 3.5 % of run()'s
     * time for 1 % of its instructions). The band maxima m[b] as max_f gives them; their
     * largest, which only the comparison with top - GATE_RANGE_DB reads, is the same number
     * in any order (max_f skips NaN; equal values differ at most in the sign of a zero, which
     * the subtraction loses); the sum in band order, adding +0 for the bands left out (the
     * sum starts at +0 and adds magnitudes: never -0, so +0 changes nothing). */
    float m[GATE_BANDS], top = -1e30f, sum = 0.0f;
    int count = 0, b = 0;
#if defined(__SSE2__)
    __m128 t4 = _mm_set1_ps(-1e30f);
    for (; b + 4 <= n; b += 4) {
      const __m128 x = _mm_loadu_ps(logmel + b), q = _mm_loadu_ps(an->gate_prev + b);
      /* max_f(x, q) = x where x > q or q is NaN, else q; then max_f(t4, that) likewise */
      const __m128 sx = _mm_or_ps(_mm_cmpgt_ps(x, q), _mm_cmpunord_ps(q, q));
      const __m128 v = _mm_or_ps(_mm_and_ps(sx, x), _mm_andnot_ps(sx, q));
      _mm_storeu_ps(m + b, v);
      const __m128 st = _mm_or_ps(_mm_cmpgt_ps(t4, v), _mm_cmpunord_ps(v, v));
      t4 = _mm_or_ps(_mm_and_ps(st, t4), _mm_andnot_ps(st, v));
    }
    float lanes[4];
    _mm_storeu_ps(lanes, t4);
    for (int k = 0; k < 4; k++)
      top = max_f(top, lanes[k]);
#endif
    for (; b < n; b++) {
      m[b] = max_f(logmel[b], an->gate_prev[b]);
      top = max_f(top, m[b]);
    }
    const float floor_db = top - GATE_RANGE_DB;
    for (b = 0; b < n; b++) {
      const int in = m[b] > floor_db;
      const float diff = fabsf(logmel[b] - an->gate_prev[b]);
      sum += in ? diff : 0.0f;
      count += in;
    }
    d = count ? sum / (float)count : 0.0f;
  }
  memcpy(an->gate_prev, logmel, sizeof(float) * (size_t)n);
  an->gate_prev_valid = 1;
  const double hop_s = (double)cfg->hop_length / cfg->sample_rate;
  const float a = (float)(1.0 - exp(-hop_s / GATE_CHANGE_TAU_S));
  an->gate_change += a * (d - an->gate_change);
  if (!isfinite(an->gate_change)) /* logmel is floored and finite; belt and braces */
    an->gate_change = 0.0f;
  return an->gate_change > GATE_MIN_CHANGE_DB;
}

/* The band detector hears one frame: its mel power (floats, from the runtime's extractor) in the
 * two ranges. Every frame feeds the floor above the telephone band (its minimum over the last
 * BAND_FLOOR_BLOCKS blocks of BAND_FLOOR_FRAMES frames); a frame that opens the speech gate
 * (`speech`) also the averages (over the frames heard so far, then over the last
 * BAND_MEMORY_FRAMES), and decides which network answers from the next step on. O(bands), no
 * allocation. */
static void listen_band(ev_analyzer *an, const float *mel, int speech) {
  const ev_model_runtime *rt = an->rt;
  if (!mel)
    return;
  double edge = 0.0, high = 0.0;
  for (int b = rt->band_top[0]; b < rt->band_top[1]; b++)
    edge += mel[b];
  for (int b = rt->band_above[0]; b < rt->band_above[1]; b++)
    high += mel[b];
  if (!(edge >= 0.0 && high >= 0.0 && edge + high < 1e30)) /* sanitised audio; belt and braces */
    return;
  const double high_db = 10.0 * log10(high > 1e-30 ? high : 1e-30);
  /* the floor: block minima, so that it follows a floor that rises within seconds */
  if (an->floor_count == 0 || high_db < an->floor_cur)
    an->floor_cur = high_db;
  if (++an->floor_count == BAND_FLOOR_FRAMES) {
    an->floor_blk[an->floor_idx] = an->floor_cur;
    an->floor_idx = (an->floor_idx + 1) % BAND_FLOOR_BLOCKS;
    if (an->floor_filled < BAND_FLOOR_BLOCKS)
      an->floor_filled++;
    an->floor_count = 0;
  }
  if (!speech || !(edge > 0.0))
    return;
  double floor_db = an->floor_count ? an->floor_cur : 1e30;
  for (int b = 0; b < an->floor_filled; b++)
    floor_db = an->floor_blk[b] < floor_db ? an->floor_blk[b] : floor_db;
  const double edge_db = 10.0 * log10(edge > 1e-30 ? edge : 1e-30);
  /* the frame's level above the telephone band relative to its top (an empty band: the floor
   * of -120 dB, so that one digital zero does not weigh like a thousand), and each band's level */
  const double cliff = high > edge * 1e-12 ? high_db - edge_db : -120.0;
  an->band_frames++;
  const double a = an->band_frames < BAND_MEMORY_FRAMES ? 1.0 / (double)an->band_frames
                                                        : 1.0 / BAND_MEMORY_FRAMES;
  an->band_db += a * ((cliff < 0.0 ? cliff : 0.0) - an->band_db);
  an->band_high_db += a * (high_db - an->band_high_db);
  an->band_edge_db += a * (edge_db - an->band_edge_db);
  if (an->band_frames < BAND_MIN_FRAMES)
    return;
  /* speech lifts the band above the telephone band out of its floor (wide-band), or it does not
   * while it lifts the telephone band's top far above that floor (telephone audio over a noise
   * floor, such as a 16-bit file's dither) */
  const double lift = an->band_high_db - floor_db, top = an->band_edge_db - floor_db;
  const int cliff_tel = an->band_db < BAND_ENTER_DB;
  const int floor_tel = lift < BAND_LIFT_ENTER_DB && top > BAND_TOP_MIN_DB;
  if (!an->narrow_on && (cliff_tel || floor_tel))
    an->narrow_on = 1;
  else if (an->narrow_on && an->band_db > BAND_LEAVE_DB && lift > BAND_LIFT_LEAVE_DB)
    an->narrow_on = 0;
}

static void on_frame(void *user, const ev_frame *frame) {
  ev_analyzer *an = user;
  finish_pending(an); /* normally already done by the ticks of the previous hop */
  const float rms = frame->feat[EV_FEAT_RMS] ? frame->feat[EV_FEAT_RMS][0] : 0.0f;
  const float *flat = frame->feat[EV_FEAT_FLATNESS];
  const ev_extractor *ex = an->rt ? an->rt->ex : an->ex_default;
  const int moves = spectrum_moves(an, ev_extractor_config(ex), frame->feat[EV_FEAT_LOGMEL]);
  const int voiced = (!flat || flat[0] < VOICED_MAX_FLATNESS) && moves;
  ev_model_runtime *rt = an->rt;
  /* utterance ends: after UTTERANCE_PAUSE_S without a frame that opens the gate (level, tone
   * and movement: a room's noise floor above the gate level is a pause too) */
  an->quiet_frames = opens_gate(an, rms, voiced) ? 0 : an->quiet_frames + 1;
  const ev_feature_config *fc = ev_extractor_config(ex);
  if (rt && an->quiet_frames >= (int64_t)(UTTERANCE_PAUSE_S * fc->sample_rate / fc->hop_length)) {
    /* the window stays empty until speech resumes: every utterance's statistics start at its
     * onset however long the pause was, as in training (analyzer_inputs); the readings hold on
     * the meters through the pause, but the new utterance's first output replaces them */
    ev_extractor_restart_functionals(rt->ex);
    an->smooth_fresh = 1;
  }
  /* while the model's state is reset in pieces the gate runs but the model does not */
  const float *x = rt && !an->clearing ? ev_input_push(rt->input, frame) : NULL;
  if (rt && rt->narrow && !an->clearing) {
    narrow_net *nn = rt->narrow;
    listen_band(an, frame->feat[EV_FEAT_MEL], opens_gate(an, rms, voiced));
    /* the same raw inputs, so that both normalisers have heard the same voice */
    const float *xn = ev_input_push_vector(nn->input, ev_input_raw(rt->input), rms);
    if (an->narrow_on)
      x = xn;
  }
  if (!x) {
    finalize(an, rms, voiced, NULL, 0, NULL);
    return;
  }
  an->pending_narrow = rt->narrow && an->narrow_on;
  ev_model_state_begin(an->pending_narrow ? rt->narrow->state : rt->state, x);
  an->pending = 1;
  an->pending_rms = rms;
  an->pending_voiced = voiced;
}

static void on_tick(void *user, int tick) {
  (void)tick;
  ev_analyzer *an = user;
  if (an->clearing && an->rt) {
    if (ev_model_state_reset_some(an->rt->state, an->rt->clear_per_tick))
      an->clearing = 0;
    an->cleared_this_call += an->rt->clear_per_tick;
    return;
  }
  if (!an->pending || !an->rt)
    return;
  const narrow_net *nn = an->pending_narrow ? an->rt->narrow : NULL;
  ev_model_state *st = nn ? nn->state : an->rt->state;
  const int units = nn ? nn->units_per_tick : an->rt->units_per_tick;
  for (int k = 0; k < units; k++) {
    an->layers_this_call++;
    if (ev_model_state_step_layer(st)) {
      finish_pending(an);
      return;
    }
  }
}

/* ---------------------------------------------------------------- lifecycle */

/* What the notes below say of the narrowband model (models/README.md, its card). */
#define EV_NARROWBAND_MODEL_NOTE                                                                   \
  "the bundle's emovox-narrowband.safetensors, the plugin's default at 8 kHz"
#define EV_NARROWBAND_FIGURES_NOTE                                                                 \
  "on speakers it never heard: 50 %% UAR at 8 kHz, against 52 %% for the default model at 16 kHz"

int ev_analyzer_band_note(double host_rate, int model_band_hz, char *note, size_t note_len) {
  const double nyquist = host_rate / 2.0, full = EV_MODEL_RATE / 2.0;
  int kind = EV_BAND_FULL;
  if (model_band_hz < full) /* a narrowband model: 5 % over its band is its resampler's edge */
    kind = nyquist > 1.05 * model_band_hz ? EV_BAND_EXCESS : EV_BAND_NARROW;
  else if (nyquist < full)
    kind = EV_BAND_MISSING;
  if (note && note_len > 0) {
    note[0] = '\0';
    if (kind == EV_BAND_MISSING)
      snprintf(note, note_len,
               "at %g Hz the audio holds nothing above %g kHz, but the model reads speech up to "
               "%g kHz (it was trained on recordings that held it): treat its readings as "
               "unreliable (the default model at 8 kHz: 28 %% UAR on speakers it never heard, "
               "against 52 %% at 16 kHz); analyse a recording made at 16 kHz or more where you "
               "have one%s",
               host_rate, nyquist / 1000.0, model_band_hz / 1000.0,
               host_rate <= 8000.0 ? ", or load the narrowband model (" EV_NARROWBAND_MODEL_NOTE ")"
                                   : "");
    else if (kind == EV_BAND_EXCESS)
      snprintf(note, note_len,
               "at %g Hz the audio may hold speech up to %g kHz, but the model heard only up to "
               "%g kHz (it was trained on narrowband speech): treat its readings as unreliable "
               "unless the audio is narrowband itself; the default model reads wide-band audio",
               host_rate, fmin(nyquist, full) / 1000.0, model_band_hz / 1000.0);
    else if (kind == EV_BAND_NARROW)
      snprintf(note, note_len,
               "at %g Hz the audio holds nothing above %g kHz: it is read by a model trained on "
               "speech heard through a %g kHz band; expect a little less than from a recording "
               "made at 16 kHz or more (" EV_NARROWBAND_FIGURES_NOTE ")",
               host_rate, nyquist / 1000.0, model_band_hz / 1000.0);
  }
  return kind;
}

ev_analyzer *ev_analyzer_new(double host_rate, uint32_t max_block, char *err, size_t errlen) {
  if (!(host_rate >= 8000.0 && host_rate <= 192000.0)) {
    ev_fail(err, errlen, "sample rate %g Hz is outside 8000..192000 Hz", host_rate);
    return NULL;
  }
  ev_analyzer *an = calloc(1, sizeof *an);
  if (!an) {
    ev_fail(err, errlen, "out of memory");
    return NULL;
  }
  an->rate = host_rate;
  an->max_block = max_block ? max_block : DEFAULT_BLOCK;
  an->dc_hz = EV_DC_BLOCK_HZ;
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  an->hop_default_s = hop_seconds(&cfg);
  an->ex_default = ev_extractor_new(&cfg, host_rate, an->max_block, err, errlen);
  if (!an->ex_default) {
    free(an);
    return NULL;
  }
  /* without a model only the speech gate runs: it needs the RMS and the flatness */
  ev_extractor_set_features(an->ex_default, EV_FEATURE_BIT(EV_FEAT_RMS) |
                                                EV_FEATURE_BIT(EV_FEAT_FLATNESS) |
                                                EV_FEATURE_BIT(EV_FEAT_LOGMEL));
  ev_extractor_set_dc_block(an->ex_default, an->dc_hz);
  ev_analyzer_params_default(&an->params);
  ev_analyzer_reset(an);
  return an;
}

void ev_analyzer_free(ev_analyzer *an) {
  if (!an)
    return;
  ev_extractor_free(an->ex_default);
  free(an); /* the installed runtime belongs to the caller (swap it out and free it) */
}

static void reset_runtime(ev_model_runtime *rt) {
  ev_extractor_reset(rt->ex);
  ev_input_reset(rt->input);
  ev_model_state_reset(rt->state);
  if (rt->narrow) {
    ev_input_reset(rt->narrow->input);
    ev_model_state_reset(rt->narrow->state);
  }
}

/* The band detector as before any audio: the default model answers until it has heard a call. */
static void reset_band(ev_analyzer *an) {
  an->band_db = an->band_high_db = an->band_edge_db = 0.0;
  an->floor_cur = 0.0;
  an->floor_count = an->floor_idx = an->floor_filled = 0;
  an->band_frames = 0;
  an->narrow_on = 0;
}

/* Everything but the runtime's model state. */
static void reset_outputs(ev_analyzer *an) {
  ev_extractor_reset(an->ex_default);
  an->clearing = 0;
  memset(&an->out, 0, sizeof an->out);
  an->out.dominant = -1;
  memset(an->smooth, 0, sizeof an->smooth);
  an->smooth_valid = 0;
  an->smooth_fresh = 0;
  an->hang = 0;
  an->vad = 0.0f;
  an->gate_prev_valid = 0;
  an->gate_change = 0.0f;
  /* A stream does not start as after a pause: a fresh instance's first statistics keep up to
   * 0.5 s of the silence before the speech (the recording's floor). Measured on the six-corpus
   * speaker folds (trainer's figure, folds 1-2): 45.0 / 45.5 % UAR this way, 41.0 / 39.8 % when
   * the window started empty at the first speech; RAVDESS, whose clips open with more than
   * 0.5 s of silence, reads the same either way. */
  an->quiet_frames = 0;
  an->pending = 0;
  an->pending_narrow = 0;
  reset_band(an); /* a replayed passage reads as it did the first time */
  memset(&an->stats, 0, sizeof an->stats);
}

void ev_analyzer_reset(ev_analyzer *an) {
  reset_outputs(an);
  if (an->rt)
    reset_runtime(an->rt);
}

int ev_analyzer_reset_exact(ev_analyzer *an) {
  /* The extractors as ev_extractor_new left them (their resamplers made anew), then
   * ev_analyzer_reset as ev_analyzer_new ends: it reaches ex_default once more, not the
   * runtime's extractor, which prepare_model made afterwards and swap_model leaves alone on its
   * first install. Every other piece of state is reset exactly by ev_analyzer_reset already. */
  int rc = ev_extractor_reset_exact(an->ex_default);
  if (an->rt)
    rc |= ev_extractor_reset_exact(an->rt->ex);
  reset_outputs(an);
  if (an->rt) {
    ev_input_reset(an->rt->input);
    ev_model_state_reset(an->rt->state);
    if (an->rt->narrow) {
      ev_input_reset(an->rt->narrow->input);
      ev_model_state_reset(an->rt->narrow->state);
    }
  }
  return rc ? -1 : 0;
}

static void restart(ev_analyzer *an, int keep_voice) {
  reset_outputs(an);
  ev_model_runtime *rt = an->rt;
  if (!rt)
    return;
  ev_extractor_reset(rt->ex);
  if (keep_voice) {
    ev_input_restart_stride(rt->input);
    an->out.adapted = ev_input_adapted(rt->input); /* the statistics carry on, and so does it */
  } else {
    ev_input_reset(rt->input);
  }
  if (rt->narrow) { /* its state is small (ev_analyzer_attach_narrowband): reset at once */
    if (keep_voice)
      ev_input_restart_stride(rt->narrow->input);
    else
      ev_input_reset(rt->narrow->input);
    ev_model_state_reset(rt->narrow->state);
  }
  if (ev_model_state_floats(rt->state) <= RESTART_IMMEDIATE_FLOATS) {
    ev_model_state_reset(rt->state);
  } else {
    ev_model_state_reset_begin(rt->state);
    an->clearing = 1;
  }
}

int ev_analyzer_input_dims(const ev_analyzer *an) {
  return an->rt ? ev_input_dims(an->rt->input) : 0;
}

int ev_analyzer_get_voice(const ev_analyzer *an, int dims, float *mean, float *var, double *n_seen,
                          double *prior_w) {
  if (!an->rt || dims != ev_input_dims(an->rt->input))
    return 0;
  const ev_input *in = an->rt->input;
  if (mean)
    memcpy(mean, ev_input_mean(in), (size_t)dims * sizeof *mean);
  if (var)
    memcpy(var, ev_input_var(in), (size_t)dims * sizeof *var);
  *n_seen = ev_input_n_seen(in);
  *prior_w = ev_input_prior_weight(in);
  return 1;
}

int ev_analyzer_set_voice(ev_analyzer *an, int dims, const float *mean, const float *var,
                          double n_seen, double prior_w) {
  if (!an->rt || dims != ev_input_dims(an->rt->input))
    return 0;
  ev_input_set_voice(an->rt->input, mean, var, n_seen, prior_w);
  /* said at once: the voice is known from this sample on, not only after the next step */
  an->out.adapted = ev_input_adapted(an->rt->input);
  return 1;
}

void ev_analyzer_restart(ev_analyzer *an) {
  restart(an, 0);
}

void ev_analyzer_restart_keep_voice(ev_analyzer *an) {
  restart(an, 1);
}

void ev_analyzer_set_dc_cutoff(ev_analyzer *an, double hz) {
  an->dc_hz = hz;
  ev_extractor_set_dc_block(an->ex_default, hz);
  if (an->rt)
    ev_extractor_set_dc_block(an->rt->ex, hz);
}

void ev_analyzer_set_params(ev_analyzer *an, const ev_analyzer_params *p) {
  an->params.response_ms = clampf(p->response_ms, 0.0f, 10000.0f);
  an->params.gate_db = clampf(p->gate_db, -140.0f, 0.0f);
  const int adapt_off = an->params.adapt && !p->adapt;
  an->params.adapt = p->adapt != 0;
  if (an->rt) {
    ev_input_set_gate(an->rt->input, an->params.gate_db);
    ev_input_set_adapt(an->rt->input, an->params.adapt);
    if (an->rt->narrow) {
      ev_input_set_gate(an->rt->narrow->input, an->params.gate_db);
      ev_input_set_adapt(an->rt->narrow->input, an->params.adapt);
    }
  }
  /* Adaptation switched off: cold from the next step on, said at once. Only on the change: a
   * step pushed but not yet finalised must not show before its frame (block-size invariance);
   * switched on again, the next frame reads the normaliser. */
  if (adapt_off)
    an->out.adapted = 0.0f;
  const unsigned labels = ev_emotion_mask_allowed(p->labels);
  if (labels != an->params.labels) {
    an->params.labels = labels;
    /* The smoothing state conditioned at once, so that the outputs never show an emotion left
     * out, not even until the next model output (a hop or more away, or a whole pause). When
     * no allowed emotion holds any probability there is no distribution to go on from: the
     * next model output starts the smoothing afresh, as after a model swap. */
    if (an->smooth_valid && !restrict_probs(an->smooth, labels))
      an->smooth_valid = 0;
    /* re-read with the speech state of the last frame (its dominant was set only in speech) */
    publish(an, an->out.dominant >= 0);
  }
}

static void narrow_net_free(narrow_net *nn) {
  if (!nn)
    return;
  ev_input_free(nn->input);
  ev_model_state_free(nn->state);
  free(nn);
}

void ev_model_runtime_free(ev_model_runtime *rt) {
  if (!rt)
    return;
  narrow_net_free(rt->narrow);
  ev_extractor_free(rt->ex);
  ev_input_free(rt->input);
  ev_model_state_free(rt->state);
  free(rt);
}

/* The mel bands whose centres lie in the band detector's two ranges (none when the model's
 * bands do not reach them: the detector then never declares telephone audio). */
static void band_ranges(ev_model_runtime *rt, const ev_feature_config *cfg) {
  const double m0 = ev_hz_to_mel(cfg->fmin), m1 = ev_hz_to_mel(cfg->fmax);
  const double edges[4] = {BAND_EDGE_HZ, BAND_TEL_TOP_HZ, BAND_HIGH_HZ, BAND_HIGH_TOP_HZ};
  int idx[4];
  for (int k = 0; k < 4; k++) {
    idx[k] = cfg->n_mels;
    for (int b = 0; b < cfg->n_mels; b++) {
      if (ev_mel_to_hz(m0 + (m1 - m0) * (b + 1) / (cfg->n_mels + 1)) >= edges[k]) {
        idx[k] = b;
        break;
      }
    }
  }
  rt->band_top[0] = idx[0];
  rt->band_top[1] = idx[1];
  rt->band_above[0] = idx[2];
  rt->band_above[1] = idx[3];
}

ev_model_runtime *ev_analyzer_prepare_model(ev_analyzer *an, const ev_model *model, char *err,
                                            size_t errlen) {
  if (!model) {
    ev_fail(err, errlen, "no model given");
    return NULL;
  }
  if (ev_model_n_labels(model) > EV_MODEL_MAX_LABELS) {
    ev_fail(err, errlen, "too many labels");
    return NULL;
  }
  ev_model_runtime *rt = calloc(1, sizeof *rt);
  if (!rt) {
    ev_fail(err, errlen, "out of memory");
    return NULL;
  }
  rt->model = model;
  const ev_input_config *in = ev_model_input_config(model);
  const ev_feature_config *cfg = &in->features;
  rt->hop_s = hop_seconds(cfg);
  rt->step_s = rt->hop_s * in->frame_stride;
  rt->n_labels = ev_model_n_labels(model);
  for (int i = 0; i < rt->n_labels; i++)
    rt->canonical[i] = ev_model_label_canonical(model, i);
  rt->ex = ev_extractor_new(cfg, an->rate, an->max_block, err, errlen);
  if (!rt->ex)
    goto bad;
  /* compute only what the model reads, plus the RMS, flatness and log-mel of the speech gate */
  ev_extractor_set_features(rt->ex, ev_input_config_features(in) | EV_FEATURE_BIT(EV_FEAT_RMS) |
                                        EV_FEATURE_BIT(EV_FEAT_FLATNESS) |
                                        EV_FEATURE_BIT(EV_FEAT_LOGMEL) |
                                        EV_FEATURE_BIT(EV_FEAT_MEL));
  band_ranges(rt, cfg);
  /* the gate's flatness over the band the model reads: the same frames are speech at 16 kHz
   * and after a host rate's resampler (docs/features.md) */
  ev_extractor_set_flatness_band(rt->ex, cfg->fmax);
  rt->input = ev_model_input_new(model, err, errlen);
  if (!rt->input)
    goto bad;
  rt->state = ev_model_state_new(model, err, errlen);
  if (!rt->state)
    goto bad;
  /* The gate and adapt settings are applied by swap_model on the audio thread, which owns
   * an->params: prepare only reads what never changes (rate, max_block). */
  /* One unit (layer or layer part) per tick: the step of a frame is spread over the
   * following hop. More units than the hop has samples: several per tick. */
  const int units = ev_model_step_units(model);
  int ticks = units < cfg->hop_length ? units : cfg->hop_length;
  if (ticks < 1)
    ticks = 1;
  rt->units_per_tick = (units + ticks - 1) / ticks;
  rt->ticks = ticks;
  rt->clear_per_tick = (size_t)RESTART_FLOATS_PER_SAMPLE * (size_t)cfg->hop_length / (size_t)ticks;
  ev_extractor_set_ticks(rt->ex, ticks, on_tick, an);
  return rt;
bad:
  ev_model_runtime_free(rt);
  return NULL;
}

/* Whether two models read the same inputs: the features, the vector's layout and its stride
 * (their normalisations may differ: each network has its own). */
static int same_inputs(const ev_input_config *a, const ev_input_config *b) {
  const ev_feature_config *fa = &a->features, *fb = &b->features;
  if (fa->sample_rate != fb->sample_rate || fa->n_fft != fb->n_fft ||
      fa->win_length != fb->win_length || fa->hop_length != fb->hop_length ||
      fa->n_mels != fb->n_mels || fa->fmin != fb->fmin || fa->fmax != fb->fmax ||
      fa->n_mfcc != fb->n_mfcc || fa->func_window_s != fb->func_window_s)
    return 0;
  if (a->n_inputs != b->n_inputs || a->frame_stride != b->frame_stride)
    return 0;
  for (int i = 0; i < a->n_inputs; i++)
    if (a->inputs[i] != b->inputs[i])
      return 0;
  return 1;
}

int ev_analyzer_attach_narrowband(ev_analyzer *an, ev_model_runtime *rt, const ev_model *narrow,
                                  char *err, size_t errlen) {
  if (!rt || !narrow) {
    ev_fail(err, errlen, "no runtime or no narrowband model given");
    return -1;
  }
  if (rt->narrow) {
    ev_fail(err, errlen, "the runtime has a narrowband companion already");
    return -1;
  }
  const int band = ev_model_audio_band(narrow);
  if (band >= EV_MODEL_RATE / 2) {
    ev_fail(err, errlen, "the companion heard the full band (audio_band_hz %d): not narrowband",
            band);
    return -1;
  }
  if (ev_model_audio_band(rt->model) < EV_MODEL_RATE / 2) {
    ev_fail(err, errlen, "the runtime's own model is narrowband: it needs no companion");
    return -1;
  }
  if (an->rate <= 2.0 * band * 1.05) {
    ev_fail(err, errlen,
            "at %g Hz the audio holds nothing above %g kHz: load the narrowband model itself",
            an->rate, an->rate / 2000.0);
    return -1;
  }
  if (!same_inputs(ev_model_input_config(rt->model), ev_model_input_config(narrow))) {
    ev_fail(err, errlen, "the narrowband model reads other inputs than the runtime's model");
    return -1;
  }
  if (rt->band_above[0] >= rt->band_above[1] || rt->band_top[0] >= rt->band_top[1]) {
    ev_fail(err, errlen, "the model's mel bands do not reach %g kHz: the band cannot be heard",
            BAND_HIGH_TOP_HZ / 1000.0);
    return -1;
  }
  if (ev_model_n_labels(narrow) > EV_MODEL_MAX_LABELS) {
    ev_fail(err, errlen, "too many labels");
    return -1;
  }
  narrow_net *nn = calloc(1, sizeof *nn);
  if (!nn) {
    ev_fail(err, errlen, "out of memory");
    return -1;
  }
  nn->model = narrow;
  nn->n_labels = ev_model_n_labels(narrow);
  for (int i = 0; i < nn->n_labels; i++)
    nn->canonical[i] = ev_model_label_canonical(narrow, i);
  nn->input = ev_model_input_new(narrow, err, errlen);
  nn->state = nn->input ? ev_model_state_new(narrow, err, errlen) : NULL;
  if (!nn->state) {
    narrow_net_free(nn);
    return -1;
  }
  /* reset at once on a restart (see restart()): only small networks */
  if (ev_model_state_floats(nn->state) > RESTART_IMMEDIATE_FLOATS) {
    ev_fail(err, errlen, "the narrowband model's state is too large for a companion");
    narrow_net_free(nn);
    return -1;
  }
  const int units = ev_model_step_units(narrow);
  nn->units_per_tick = (units + rt->ticks - 1) / rt->ticks;
  rt->narrow = nn;
  return 0;
}

ev_model_runtime *ev_analyzer_swap_model(ev_analyzer *an, ev_model_runtime *rt) {
  ev_model_runtime *old = an->rt;
  if (an->pending) { /* the old model's step in progress is abandoned; its frame still counts */
    an->pending = 0;
    finalize(an, an->pending_rms, an->pending_voiced, NULL, 0, NULL);
  }
  an->rt = rt;
  an->out.model_fault = 0; /* a new model starts without a fault */
  an->clearing = 0;        /* a piecewise reset belonged to the previous runtime */
  an->smooth_valid = 0;    /* the new model's first output starts the smoothing afresh */
  memset(an->smooth, 0, sizeof an->smooth);
  an->pending_narrow = 0;
  reset_band(an); /* the new runtime hears the band anew */
  if (rt) {
    if (rt->used)
      reset_runtime(rt); /* bounded: the runtime was prepared with fixed sizes */
    rt->used = 1;
    ev_extractor_set_dc_block(rt->ex, an->dc_hz); /* owned by the audio thread, like params */
    ev_input_set_gate(rt->input, an->params.gate_db);
    ev_input_set_adapt(rt->input, an->params.adapt);
    if (rt->narrow) {
      ev_input_set_gate(rt->narrow->input, an->params.gate_db);
      ev_input_set_adapt(rt->narrow->input, an->params.adapt);
    }
  } else {
    ev_extractor_reset(an->ex_default);
  }
  an->out.adapted = rt ? ev_input_adapted(rt->input) : 0.0f; /* a new model starts cold */
  return old;
}

void ev_analyzer_process(ev_analyzer *an, const float *in, uint32_t n) {
  if (!in || !n)
    return;
  ev_extractor *ex = an->rt ? an->rt->ex : an->ex_default;
  an->layers_this_call = 0;
  an->cleared_this_call = 0;
  /* the extractor sanitises, resamples and runs the DC blocker at the model rate */
  ev_extractor_process(ex, in, n, on_frame, an);
  if (an->layers_this_call > an->stats.max_layers_per_call)
    an->stats.max_layers_per_call = an->layers_this_call;
  an->stats.layers_run += an->layers_this_call;
  if (an->cleared_this_call > an->stats.max_cleared_per_call)
    an->stats.max_cleared_per_call = an->cleared_this_call;
}

double ev_analyzer_band_db(const ev_analyzer *an, int *frames) {
  if (frames)
    *frames = an->band_frames > INT32_MAX ? INT32_MAX : (int)an->band_frames;
  return an->band_db;
}

void ev_analyzer_get_stats(const ev_analyzer *an, ev_analyzer_stats *st) {
  *st = an->stats;
}

void ev_analyzer_flush(ev_analyzer *an) {
  ev_extractor *ex = an->rt ? an->rt->ex : an->ex_default;
  ev_extractor_flush(ex, on_frame, an);
  finish_pending(an);
}

const ev_outputs *ev_analyzer_outputs(const ev_analyzer *an) {
  return &an->out;
}

void ev_analyzer_set_frame_callback(ev_analyzer *an, ev_outputs_fn fn, void *user) {
  an->fn = fn;
  an->user = user;
}

void ev_analyzer_set_input_tap(ev_analyzer *an, ev_input_tap_fn fn, void *user) {
  an->tap = fn;
  an->tap_user = user;
}
