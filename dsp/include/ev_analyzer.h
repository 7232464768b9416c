/* Emovox streaming analyser: extractor -> adaptive normalisation -> classifier -> smoothing.
 * This is everything the plugin's run() does besides port I/O, so the plugin, the batch
 * analyser and the tests all share it.
 *
 * Realtime contract: ev_analyzer_new() and ev_analyzer_prepare_model() allocate;
 * ev_analyzer_process(), ev_analyzer_swap_model(), ev_analyzer_set_params(),
 * ev_analyzer_restart() and ev_analyzer_reset() never allocate, lock or make system calls;
 * ev_analyzer_reset_exact() allocates (offline only). */
#ifndef EV_ANALYZER_H
#define EV_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

#include "ev_emotions.h" /* the canonical emotions: ports, CSV columns, UI in this order */
#include "ev_features.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ev_model ev_model;                 /* immutable weights, see ev_model.h */
typedef struct ev_model_runtime ev_model_runtime; /* per-instance state for one model */

/* The smoothing's default time constant (the plugin's Response port, the batch analyser's and
 * the evaluation's): 250 ms since 0.6.1 (500 before). Half the lag of 500 ms lets a phrase's
 * reading rest on its own, better informed, last steps and a session's file on less of the one
 * before it (models/README.md, "0.19: read with a 250 ms response"), while the hold
 * (EV_ANALYZER_DOMINANT_HOLD) keeps the label steadier than 500 ms without it. */
#define EV_ANALYZER_RESPONSE_DEFAULT_MS 250.0f

/* The dominant's hold: while speech goes on, the dominant emotion shown stays until another
 * allowed one leads it by more than this much probability (since 0.6.1). Two emotions within a
 * few hundredths of each other are a tie for a model this calibrated (ECE about 4 %), and a
 * label or MIDI CC that flips between them every few frames is noise to whoever reads it: on
 * speech at the default response it takes the dominant from 1.29 to 0.93 changes per second
 * (500 ms without the hold: 1.10), and what it shows is the most probable emotion on 93 % of
 * speech frames and otherwise within 0.05 of it. The summary of a file is unaffected (its
 * dominant is the argmax of the mean probabilities). */
#define EV_ANALYZER_DOMINANT_HOLD 0.05f

typedef struct ev_analyzer_params {
  float response_ms; /* smoothing time constant of the probabilities, 0..10000 */
  float gate_db;     /* frames with RMS below this (dBFS) are not speech */
  int adapt;         /* adaptive (per-speaker) feature normalisation on/off */
  /* The emotions that can occur (bit i = ev_emotion i; 0 or EV_EMOTION_MASK_ALL: all eight, the
   * default, bit for bit the unrestricted analysis; bits above the eight are ignored). Each model
   * output is conditioned on them before the smoothing: the others read 0 and the allowed ones
   * are divided by their sum (all 0 when that sum is 0 or not finite), so the probabilities,
   * dominant (the most probable allowed emotion), confidence, arousal and valence read
   * p(e | e allowed), as the evaluation scores a corpus over the emotions it has. A change
   * applies to the smoothing state at once (ev_analyzer_set_params). */
  unsigned labels;
} ev_analyzer_params;
void ev_analyzer_params_default(ev_analyzer_params *p);

typedef struct ev_outputs {
  float prob[EV_N_EMOTIONS]; /* smoothed; labels the model lacks or params.labels leaves out: 0 */
  /* -1: no speech, else an ev_emotion: the most probable allowed one when speech starts, then
   * held until another leads it by more than EV_ANALYZER_DOMINANT_HOLD */
  int dominant;
  float confidence;       /* 0..1: the dominant's probability (0 when no speech) */
  float arousal, valence; /* -1..1 */
  float voice_activity;   /* 0..1 */
  int64_t frames;         /* feature frames analysed since reset */
  /* 1 while the model's output is not finite (its activations overflowed on this input): the
   * outputs are then those of "no model" (probabilities 0, dominant -1), and the smoothing
   * starts afresh once the output is finite again. */
  int model_fault;
  /* 0..1: how far the model's input normalisation has adapted to this voice, read off the
   * normaliser (ev_input_adapted): the share of the voice's own speech in the statistics the
   * current reading is normalised with. 0 is a cold reading (against the training prior only):
   * after a reset or restart, during the model's warmup (its first warmup_frames speech steps),
   * with params.adapt off, without a model or with a model that does not adapt. With the
   * shipped model (prior 50 steps, warmup 10 since 0.23, 0.1 s steps, tau 300 s) it jumps to
   * 11/61 = 0.18 after 1.1 s of speech (31/81 = 0.38 after 3.1 s with 0.22's warmup of 30),
   * reads k/(50+k) after k steps (0.5 at 5 s, 0.98 at 295 s), then nears
   * 1 with a 300 s time constant. A share rather than seconds heard because it is what decides
   * how the reading differs from a cold one; silence and pauses leave it where it is. */
  float adapted;
  /* 1 while the narrowband companion answers (ev_analyzer_attach_narrowband): the audio was
   * heard to hold nothing above the telephone band. */
  int narrowband;
} ev_outputs;

typedef struct ev_analyzer ev_analyzer;

ev_analyzer *ev_analyzer_new(double host_rate, uint32_t max_block, char *err, size_t errlen);
/* What the band of audio at host_rate means for a model whose training audio held model_band_hz
 * (ev_model_audio_band), for a user. Below EV_MODEL_RATE the audio holds nothing above half its
 * rate. The default model, trained on 16 kHz recordings, reads speech up to 7-8 kHz (log-mel to
 * 7 kHz, eGeMAPS' MFCC bands to 8 kHz, alpha ratio and Hammarberg index to 5 kHz), and there its
 * readings move far: on 177 corpus clips (RAVDESS, nEMO, ASED, TurEV-DB) taken down with sox,
 * the file summary named the emotion it names at 16 kHz for 33 % of them at 8 kHz (most read
 * sad or happy), 51 % at 11.025 kHz and 99 % at 22.05 kHz (docs/plugin.md, "Sample rates").
 * Returns, with a one-line note for a user in note (if note_len > 0; "" for EV_BAND_FULL):
 *   EV_BAND_FULL     a full-band model at host_rate >= EV_MODEL_RATE: nothing to say;
 *   EV_BAND_NARROW   narrowband audio read by a model that heard the same band (the narrowband
 *                    model at 8 kHz): fine, but expect a little less than from a wide-band
 *                    recording;
 *   EV_BAND_MISSING  the model reads a band the audio lacks: its readings are unreliable;
 *   EV_BAND_EXCESS   the audio may hold more than the model heard (the narrowband model at
 *                    11.025 kHz or more): unreliable too, unless the audio is narrowband itself
 *                    (unseen RAVDESS at 11.025 kHz: 18.8 % UAR, most clips read angry). */
enum { EV_BAND_FULL = 0, EV_BAND_NARROW, EV_BAND_MISSING, EV_BAND_EXCESS };
int ev_analyzer_band_note(double host_rate, int model_band_hz, char *note, size_t note_len);
/* Does not free the installed runtime (the caller owns runtimes: swap it out or free it with
 * ev_model_runtime_free, before or after). */
void ev_analyzer_free(ev_analyzer *an);
/* Back to the state after ev_analyzer_new (or a swap): everything, at once. The cost grows with
 * the model's streaming state (milliseconds for the largest models): for activate() and offline
 * use. */
void ev_analyzer_reset(ev_analyzer *an);
/* Offline only: it allocates (the resamplers are made anew), so never on the audio thread, where
 * the plugin keeps ev_analyzer_reset. Back to exactly the state of a new analyser given the same
 * params, settings and model (ev_analyzer_new, prepare_model, swap_model), so that what follows
 * is bit for bit a fresh analyser's at every host rate: after ev_analyzer_reset that holds only
 * at 16 kHz, elsewhere the resampler's rounding (~3e-7) depends on the audio before (its reset
 * feeds zeros instead of clearing soxr, which would allocate: docs/features.md). For readings
 * "from a fresh state" that must not depend on what the analyser read earlier (emovox-train's
 * cold figures, whatever the thread count). 0, or -1 out of memory (then reset as
 * ev_analyzer_reset does). */
int ev_analyzer_reset_exact(ev_analyzer *an);
/* The same for the audio thread (analysis switched back on): bounded cost. A model state of
 * more than 64k floats is reset in pieces during the following audio (256 floats per 16 kHz
 * sample, at fixed stream positions, so the outputs still do not depend on the block size);
 * meanwhile the gate and voice activity run and the model's outputs wait (a second for a
 * 16 MB state). Small models are reset at once, exactly as ev_analyzer_reset does. */
void ev_analyzer_restart(ev_analyzer *an);
/* The same, but the model input normaliser's running statistics (and with them the adapted
 * output) carry on: the plugin's "Learn voice" keeps learning one voice across playbacks. */
void ev_analyzer_restart_keep_voice(ev_analyzer *an);
/* A voice profile: the installed model's input normaliser state (ev_input's running mean and
 * variance, dims floats each, its step count and the prior's remaining weight), so that a host
 * can remember a voice and start later readings from it instead of the training prior.
 * ev_analyzer_input_dims: the installed model's input dimensions (0 without a model).
 * get copies it out (mean, var NULL: only the two numbers), set starts the normaliser from it
 * (ev_input_set_voice: no warmup, adapting on from there; the next reset or restart goes back to
 * the prior, so a host that wants the voice after a restart sets it again right after). Both return
 * 0 and do nothing without a model or when dims is not the model's. Allocation-free, O(dims): for
 * the audio thread. */
int ev_analyzer_input_dims(const ev_analyzer *an);
int ev_analyzer_get_voice(const ev_analyzer *an, int dims, float *mean, float *var, double *n_seen,
                          double *prior_w);
int ev_analyzer_set_voice(ev_analyzer *an, int dims, const float *mean, const float *var,
                          double n_seen, double prior_w);
/* The DC blocker's cutoff (default EV_DC_BLOCK_HZ, 20 Hz; 0 = off), for measurements. */
void ev_analyzer_set_dc_cutoff(ev_analyzer *an, double hz);
/* Values are clamped to their ranges. A change of labels is applied to the smoothing state at
 * once (the emotions left out set to 0, the others renormalised; when none of the allowed ones
 * holds any probability the smoothing starts afresh with the next model output) and to the
 * outputs, so ev_analyzer_outputs() never shows an emotion left out after the call. O(1). */
void ev_analyzer_set_params(ev_analyzer *an, const ev_analyzer_params *p);

/* Off the audio thread (instantiate or the LV2 worker): build the runtime state that lets
 * `model` run in this analyser. NULL + err if the model cannot run here. The model must
 * outlive the runtime; the runtime may only be installed in the analyser it was made for. */
ev_model_runtime *ev_analyzer_prepare_model(ev_analyzer *an, const ev_model *model, char *err,
                                            size_t errlen);
/* Off the audio thread, before rt is installed: give the runtime of a full-band model a
 * narrowband companion, a model trained on speech heard through a telephone channel
 * (ev_model_audio_band below 8 kHz) that reads the same inputs. Telephone audio at a host rate
 * that could hold more (a phone call in a 48 kHz session) is read far off by a full-band model:
 * the default model reads 36 % UAR on speakers it never heard at 8 kHz, the narrowband model
 * 53 %. With a companion the analyser listens to the speech's spectrum (the frames that open
 * the speech gate, the last second of them) and, once it has heard 0.3 s of speech holding
 * nothing above the telephone band (4.5-7 kHz more than 70 dB below 2.5-3.4 kHz: the cliff a
 * telephone channel ends in, which dark wide-band recordings do not have; or, over a noise
 * floor, speech that lifts 4.5-7 kHz less than 6 dB above its floor while it lifts 2.5-3.4 kHz
 * 30 dB above it), lets the companion answer from the next model step, until the band returns
 * (dsp/analyzer/ev_analyzer.c, "The band detector"). The companion should have heard noise
 * floors in training (--channel narrow-floor). Both networks' normalisers hear every step, so the
 * one that takes over has heard the voice too. The decision is made frame by frame from the audio
 * alone: the outputs still do not depend on the block size, a reset or restart hears the band anew,
 * and wide-band audio never reaches the companion (its outputs stay bit for bit those without one).
 * The voice profile (ev_analyzer_get_voice / set_voice) remains the runtime's own model's.
 * The companion's model must outlive the runtime, which owns and frees the rest. 0, or -1 and
 * a reason in err (not narrowband, the runtime's model narrowband itself, a host rate whose
 * audio cannot hold more than the companion heard, other inputs, a large streaming state). */
int ev_analyzer_attach_narrowband(ev_analyzer *an, ev_model_runtime *rt, const ev_model *narrow,
                                  char *err, size_t errlen);

/* The band detector's reading: the level above the telephone band relative to its top (dB,
 * averaged over the last second of speech; 0 before any), and in *frames (if not NULL) how many
 * speech frames it has heard since the last reset. Only runs with a companion attached. */
double ev_analyzer_band_db(const ev_analyzer *an, int *frames);

/* On the audio thread: install rt (may be NULL for "no model"), return the previous one
 * so that the worker can free it. O(1). */
ev_model_runtime *ev_analyzer_swap_model(ev_analyzer *an, ev_model_runtime *rt);
void ev_model_runtime_free(ev_model_runtime *rt); /* off the audio thread; frees the runtime only */

/* Feed host-rate mono audio of any length (blocks larger than max_block are split). */
void ev_analyzer_process(ev_analyzer *an, const float *in, uint32_t n);
const ev_outputs *ev_analyzer_outputs(const ev_analyzer *an);
/* Offline end of stream (addition): emits the frames the extractor still holds back and
 * completes the model step in progress, so every frame of the input gets its outputs. Not
 * realtime-safe in cost (bounded by a few frames); call ev_analyzer_reset() before reuse. */
void ev_analyzer_flush(ev_analyzer *an);
/* Work-spreading statistics (addition): the largest number of model units (layers, or parts
 * of heavy layers, see ev_model_step_units) run inside one ev_analyzer_process() call since
 * reset, and the total run. With blocks shorter than a hop, one call runs at most a unit or
 * two, never a whole model step. */
typedef struct ev_analyzer_stats {
  int max_layers_per_call;
  int64_t layers_run;
  size_t max_cleared_per_call; /* floats of model state reset in one call after a restart */
} ev_analyzer_stats;
void ev_analyzer_get_stats(const ev_analyzer *an, ev_analyzer_stats *st);
/* Called once per analysed frame, after the outputs were updated (for per-frame logging in
 * tests and the offline analyser); NULL to disable. Runs on the caller's thread. */
typedef void (*ev_outputs_fn)(void *user, const ev_outputs *out);
void ev_analyzer_set_frame_callback(ev_analyzer *an, ev_outputs_fn fn, void *user);
/* Called once per analysed frame with the model's raw (un-normalised) input vector of that
 * frame (NULL without a model), the frame's RMS and whether the speech gate held the frame as
 * speech: the trainer learns from exactly what the plugin computes and reports
 * (docs/training.md). */
typedef void (*ev_input_tap_fn)(void *user, const float *raw, int dims, float rms, int speech);
void ev_analyzer_set_input_tap(ev_analyzer *an, ev_input_tap_fn fn, void *user);

#ifdef __cplusplus
}
#endif
#endif
