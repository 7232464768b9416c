/* Model input assembly and normalisation, shared by the analyser and the trainer so that
 * training and serving compute exactly the same vectors.
 *
 * Per model step: the model's `inputs` features of frame_stride consecutive frames are
 * concatenated (in the model's order) and averaged over the stride, then normalised:
 *  - global:   y = (x - prior_mean) / prior_std
 *  - adaptive: per-dimension running mean mu and variance v over the steps judged speech
 *    (mean RMS of the stride above the gate), started from the prior as if prior_frames
 *    steps of prior statistics had been seen. Each speech step, with n the number of steps
 *    seen (prior included) and a_min = 1 - exp(-step_seconds / tau_s):
 *        n += 1;  a = max(1/n, a_min);  d = x - mu;  mu += a*d;  v = (1-a)*(v + a*d*d)
 *    (a cumulative mean while few steps were seen, an exponential one with time constant
 *    tau_s afterwards), then y = (x - mu) / max(sqrt(v), 0.1 * prior_std). During the first
 *    warmup_frames speech steps after a reset the statistics already update but y uses the
 *    prior, as in global mode: a clip of a few seconds is read as a fresh instance reads it,
 *    not normalised by its own emotion, and adaptation starts once there is enough speech.
 *    Dimensions a model keeps off adaptation (ev_input_set_adapt_dims) always read the prior.
 * With level_relative each frame's egemaps_func statistics go through ev_func_level_apply
 * before the stride average (ev_input_raw still returns them as the extractor gave them).
 * prior_std is floored at 1e-6. A non-finite input value yields y = 0 for that dimension and
 * does not update its statistics; |y| is clamped to norm.clamp (1000 unless the model says).
 * A model that clamps lower (a robust prior, emovox-train --robust-norm K) also winsorises the
 * adaptive update: d is first clamped to +-K * max(sqrt(v), floor), so that a step far out moves
 * mu and v as a step K deviations out would.
 *
 * Class centres (a model's norm.centres, ev_input_set_centres): a voice heard for minutes in
 * one emotion (an angry caller, an actor who plays one part) would otherwise become "this
 * voice as usual", and its emotion would be normalised away. With centres C_c (per class c:
 * the training steps' median of that class) the running mean tracks the voice's offset from
 * the centre of what the model heard it say instead: mu = prior_mean + o, and each adaptive
 * speech step, with p the model's last reading (ev_input_set_posterior, normalised; the prior
 * mean stands for the centre before the first reading after a reset or restart)
 *     e = sum_c p_c C_c;  o += a * w * clamp((x - e) - o, +-lim)   (lim as d's, else unbounded)
 * while v is updated with d = x - mu as above. w is 1 unless the model sets
 * norm.centre_confidence c: then w = clamp((max_c p_c - c) / (1 - c), 0, 1), so that the offset
 * learns from the steps the model reads with confidence and not from those it cannot place
 * (with c = 1/K for K classes, a reading at chance teaches nothing). Without it, a step read as
 * "anything" puts e near the centres' mean and the offset takes up the step's emotion as the
 * voice's; a confident reading names the centre the step should be measured from. A speaker whose
 * emotions are spread as the training's reads as before (the centres average to about the prior);
 * one who keeps to an emotion the model recognises keeps it. Models without centres: the formulas
 * above, bit for bit.
 *
 * Realtime contract: ev_input_new() allocates; everything else never allocates. */
#ifndef EV_INPUT_H
#define EV_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "ev_features.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ev_norm_mode { EV_NORM_GLOBAL = 0, EV_NORM_ADAPTIVE = 1 } ev_norm_mode;

typedef struct ev_norm_config {
  ev_norm_mode mode;
  float tau_s;         /* adaptive: time constant in seconds (> 0) */
  float prior_frames;  /* adaptive: weight of the prior, in model steps (>= 0) */
  float warmup_frames; /* adaptive: speech steps read with the prior before adapting (>= 0) */
  int level_relative;  /* 1: the eGeMAPS statistics a recording's gain moves are made relative
                        * to the window's own level first (ev_func_level_apply); needs
                        * egemaps_func among the inputs */
  float clamp; /* |y| is clamped to this (0 < clamp <= EV_INPUT_CLAMP; 0, as in a zeroed config,
                * means EV_INPUT_CLAMP). A model whose prior is
                * the training steps' median and interquartile range (emovox-train
                * --robust-norm) clamps low, so that the few steps where an eGeMAPS coefficient
                * of variation divides by a mean near zero stay inside the range the network
                * was trained on */
  float centre_confidence; /* with class centres: a speech step moves the voice's offset by
                            * a * w, w = clamp((p_max - c) / (1 - c), 0, 1) with p_max the
                            * largest probability of the model's last reading and c this value,
                            * 0 <= c < 1; 0 (a zeroed config, files without it): w = 1 */
} ev_norm_config;
/* adaptive, tau 10 s, prior 100, no warmup, absolute level, clamp EV_INPUT_CLAMP */
void ev_norm_config_default(ev_norm_config *c);
const char *ev_norm_mode_name(ev_norm_mode mode); /* "global" / "adaptive" */

/* The speech gate's default level (the plugin's gate_db, the trainer's speech steps). -60 dBFS,
 * not -50: the gate also asks for a tonal, moving spectrum, which keeps room tone, hiss and
 * steady tones out; the level only has to keep out what is near digital silence. At -50 a
 * quietly recorded voice was no speech: RAVDESS's actor 20 peaks at -51 to -54 dBFS in 10 ms
 * frames (10 files heard as no speech; 61 files 6 dB quieter). */
#define EV_INPUT_GATE_DEFAULT_DB (-60.0f)
#define EV_INPUT_SIGMA_FLOOR     0.1f /* of prior_std */
#define EV_INPUT_STD_MIN         1e-6f
#define EV_INPUT_CLAMP           1000.0f

/* What a model reads and how: the extractor's configuration, the features a step concatenates
 * (in order), how many frames a step averages and the normalisation. One struct for the model
 * file (ev_model), this assembler and the trainer's architectures, so that none of them can
 * forget a field the others carry. */
typedef struct ev_input_config {
  ev_feature_config features;
  int n_inputs;
  int inputs[EV_FEAT_COUNT]; /* ev_feature_id, in concatenation order, each at most once */
  int frame_stride;          /* >= 1 */
  ev_norm_config norm;
} ev_input_config;

/* Total dimensions of the assembled vector, or -1 if the config is invalid (err says why). */
int ev_input_config_dims(const ev_input_config *c, char *err, size_t errlen);
/* Where feature `id` starts in the assembled vector, -1 if the model does not read it. */
int ev_input_config_offset(const ev_input_config *c, int id);
/* The features it reads, as an extractor mask (EV_FEATURE_BIT of each input). */
uint32_t ev_input_config_features(const ev_input_config *c);

typedef struct ev_input ev_input;

/* prior_mean, prior_std: the normalisation prior, dims values each (copied; std > 0 after
 * flooring). */
ev_input *ev_input_new(const ev_input_config *c, const float *prior_mean, const float *prior_std,
                       char *err, size_t errlen);
void ev_input_free(ev_input *in);
void ev_input_reset(ev_input *in); /* statistics back to the prior, stride restarts */
/* The stride restarts (a new stream begins) but the running statistics carry on: what a host
 * that keeps learning one voice across several playbacks needs. */
void ev_input_restart_stride(ev_input *in);
int ev_input_dims(const ev_input *in);
int ev_input_stride(const ev_input *in);
void ev_input_set_gate(ev_input *in, float gate_db);
/* Which dimensions adapt (adaptive mode): mask[i] == 0 keeps dimension i on the prior for good
 * (y = (x - prior_mean) / prior_std), anything else lets it follow the voice; NULL: all follow
 * (the default). A model chooses it (norm.adapt): a voice's pitch level and formants are who
 * speaks, its loudness range how they feel. Not for the hot path, but allocation-free. */
void ev_input_set_adapt_dims(ev_input *in, const float *mask);
/* adapt = 0 uses the prior statistics (as global mode does); only matters in adaptive mode. */
void ev_input_set_adapt(ev_input *in, int adapt);

#define EV_INPUT_MAX_CLASSES 32
/* Class centres, n_classes x dims floats (copied; all finite, 1 <= n_classes <= 32), in the
 * model's label order; NULL removes them. The voice's offset starts where the statistics are
 * (mu - prior_mean). Allocates: set it up with the model, not on the audio thread. 0, or -1
 * with err. */
int ev_input_set_centres(ev_input *in, const float *centres, int n_classes, char *err,
                         size_t errlen);
int ev_input_n_centres(const ev_input *in); /* 0: none */
/* The model's reading of the last step (n_classes probabilities in the centres' order), for the
 * next speech step's update. Ignored without centres, for another n_classes, or when no entry
 * is a probability (NaN, Inf, negative count as 0; the rest is renormalised). O(n_classes),
 * allocation-free: for the audio thread. */
void ev_input_set_posterior(ev_input *in, const float *p, int n_classes);

/* Push one extractor frame. Returns the normalised vector (ev_input_dims floats, valid until
 * the next call) when this frame completes a stride, else NULL. */
const float *ev_input_push(ev_input *in, const ev_frame *frame);
/* The same from an already assembled raw vector (dims floats) and the frame's RMS. */
const float *ev_input_push_vector(ev_input *in, const float *raw, float rms);
/* The raw vector of the last pushed frame (dims floats, as assembled before normalisation). */
const float *ev_input_raw(const ev_input *in);
/* Whether the last completed step was judged speech (its mean RMS above the gate). */
int ev_input_last_speech(const ev_input *in);
/* Warm start: set the running statistics as if `n_seen` steps (>= 0) with this mean and
 * variance (dims floats each) had been heard. The trainer uses it to train and evaluate with
 * the statistics the normaliser converges to after listening to a speaker for a while
 * (per-speaker normalisation); the plugin never needs it. Non-finite or negative values fall
 * back to the prior for that dimension. Not for the audio thread's hot path, but allocation-
 * free. */
void ev_input_set_state(ev_input *in, const float *mean, const float *var, double n_seen);
/* Start from a voice heard before (the plugin's learned voice profile): ev_input_set_state,
 * then the prior's remaining weight prior_w (0..1, as ev_input_prior_weight returned when the
 * statistics were taken; anything else reads as 1) and no warmup: the output reads these
 * statistics from the next step on, and they adapt on from there. ev_input_reset clears it.
 * Allocation-free, O(dims): for the audio thread at a restart. */
void ev_input_set_voice(ev_input *in, const float *mean, const float *var, double n_seen,
                        double prior_w);
/* The statistics' step count (prior included) and the prior's remaining weight in them (1
 * after a reset, 0 after ev_input_set_state): with ev_input_mean/var, what ev_input_set_voice
 * takes. */
double ev_input_n_seen(const ev_input *in);
double ev_input_prior_weight(const ev_input *in);
/* How far the normalisation has adapted to the voice, 0..1: the share of the voice's own speech
 * steps in the running statistics the output is normalised with, i.e. 1 - prod(1 - a) over the
 * speech steps since the reset (the prior's remaining weight is that product: each update keeps
 * (1 - a) of mu and of v). With prior_frames P it is k / (P + k) after k speech steps while
 * the mean is cumulative (n = P + k <= 1 / a_min), then it approaches 1 with time constant
 * tau_s. 0 whenever the output reads the prior: global mode, adaptation off, every dimension
 * kept on the prior, or the first warmup_frames speech steps (it then jumps to W+1 / (P+W+1),
 * the share the statistics already hold). After ev_input_set_state the statistics are the
 * voice's (no prior share); after ev_input_set_voice it is 1 - prior_w at once (no warmup). Steps
 * below the gate do not move it. O(1). */
float ev_input_adapted(const ev_input *in);
/* Speech steps (above the gate, in adaptive mode with adaptation on) since the last reset. */
double ev_input_speech_steps(const ev_input *in);
/* Current running statistics (dims floats each): for tests and inspection. */
const float *ev_input_mean(const ev_input *in);
const float *ev_input_var(const ev_input *in);

#ifdef __cplusplus
}
#endif
#endif
