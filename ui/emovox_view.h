/* What the Emovox UI shows, as plain data: the plugin's control outputs, a peak hold per
 * emotion, a fading arousal/valence trail, a 30 s history of the dominant emotion, the model's
 * status and the two user controls. No Cairo, no X11: the X11 UI, the inline display and the
 * tests all feed and read this same structure. */
#ifndef EMOVOX_VIEW_H
#define EMOVOX_VIEW_H

#include <stdint.h>

#include "ev_emotions.h" /* EV_N_EMOTIONS and the names, in port order */

#ifdef __cplusplus
extern "C" {
#endif

#define EMOVOX_HISTORY_HZ  10    /* emovox_view_tick() rate */
#define EMOVOX_HISTORY_LEN 300   /* 30 s at 10 Hz */
#define EMOVOX_TRAIL_LEN   40    /* 4 s of arousal/valence trail */
#define EMOVOX_PEAK_HOLD   15    /* ticks a peak stays before it falls */
#define EMOVOX_PEAK_FALL   0.02f /* per tick once the hold is over */
#define EMOVOX_NAME_MAX    128
#define EMOVOX_ERROR_MAX   256
#define EMOVOX_LABELS_MAX  256

/* User controls drawn as sliders (indices into emovox_view_state.ctrl_*). */
enum { EMOVOX_CTRL_RESPONSE = 0, EMOVOX_CTRL_GATE = 1, EMOVOX_N_CTRLS = 2 };
/* emovox_view_state.hover of the "forget" button: after the sliders' indices, so that a slider
 * never reads it as its own. */
enum { EMOVOX_HOVER_FORGET = EMOVOX_N_CTRLS };

/* Model status, same values as the plugin's EMOVOX_STATUS port. */
/* MODEL_FAULT: the model runs but its output is not finite (overflow); the plugin shows no
 * emotions until it is finite again (status 3, protocol/emovox_protocol.h). */
enum {
  EMOVOX_VIEW_OK = 0,
  EMOVOX_VIEW_NO_MODEL = 1,
  EMOVOX_VIEW_LOAD_ERROR = 2,
  EMOVOX_VIEW_MODEL_FAULT = 3
};

typedef struct emovox_view_state {
  float prob[EV_N_EMOTIONS];   /* 0..1 */
  float peak[EV_N_EMOTIONS];   /* peak hold, >= prob */
  int peak_age[EV_N_EMOTIONS]; /* ticks since the peak was set */
  int dominant;                /* -1 no speech, else an emotion index */
  float confidence;            /* 0..1 */
  int last_dominant;           /* the last emotion the plugin named (-1 none yet) */
  float last_confidence;       /* and its confidence then */
  float voice;                 /* voice activity 0..1 */
  float arousal, valence;      /* -1..1 */

  /* Arousal/valence trail, oldest first once full: ring with head = next write. */
  float trail_arousal[EMOVOX_TRAIL_LEN], trail_valence[EMOVOX_TRAIL_LEN];
  int trail_count, trail_head;

  /* History ring (10 Hz x 30 s): dominant (-1 = no speech) and its confidence. */
  int8_t hist_dominant[EMOVOX_HISTORY_LEN];
  float hist_confidence[EMOVOX_HISTORY_LEN];
  int hist_count, hist_head;

  int status;                           /* EMOVOX_VIEW_OK / NO_MODEL / LOAD_ERROR / MODEL_FAULT */
  char model_name[EMOVOX_NAME_MAX];     /* "" when unknown */
  char model_labels[EMOVOX_LABELS_MAX]; /* e.g. "neutral, calm, happy, ..." */
  char error[EMOVOX_ERROR_MAX];         /* why loading failed ("" otherwise) */

  /* The emotions the plugin's Emotions control lets occur (bit i: emotion i, 1..255, all eight
   * by default): the others read 0 because they are left out, not because they are unlikely,
   * and are drawn as such. */
  uint32_t emotions;
  /* How far the analysis has adapted to the voice (the plugin's adapted output, 0..1): 0 a cold
   * reading against the training prior, rising with the speech heard. */
  float adapted;
  /* The adapt control (EMOVOX_ADAPT_*: off, follow, learn voice, use learned voice) and whether
   * the plugin holds a learned voice (its status message): the caption says which. */
  int adapt_mode;
  int voice_learned;
  /* the plugin reads telephone audio with the default model's narrowband companion (its status
   * text says so while it does) */
  int telephone;

  float response_ms; /* 10..5000 */
  float gate_db;     /* -90..0 */
  int hover;         /* control under the pointer (or EMOVOX_HOVER_FORGET), -1 none */
  int drag;          /* control being dragged, -1 none */
} emovox_view_state;

void emovox_view_init(emovox_view_state *s);
/* A control port's value (port index from protocol/emovox_protocol.h). NaN/Inf are ignored and
 * values clamped to the port's range. Returns 1 if something visible changed. */
int emovox_view_update(emovox_view_state *s, uint32_t port, float value);
/* The Emotions control's value: emovox_view_update() cannot take it by index, which differs
 * between the mono and stereo variants (emovox_emotions_port), so the UI, which knows its
 * variant, passes it here. Read as the plugin reads it (emovox_emotions_mask: 1..255, NaN/Inf
 * all eight). Returns 1 if the set changed. */
int emovox_view_set_emotions(emovox_view_state *s, float value);
/* The adapted output's value (its index differs between the variants, emovox_adapted_port),
 * clamped to 0..1 (NaN/Inf ignored). Returns 1 if what is shown of it changed. */
int emovox_view_set_adapted(emovox_view_state *s, float value);
/* What the meter writes for an adapted value: "cold" (0), "adapting N %" (N the rounded
 * percentage, at least 1), or "adapted" from EMOVOX_VIEW_ADAPTED_PCT on (95 %: the voice's own
 * statistics outweigh the prior 19 to 1; about 95 s of speech with the shipped model). */
#define EMOVOX_VIEW_ADAPTED_PCT 95
const char *emovox_view_adapted_text(float adapted, char *buf, unsigned size);
/* The caption the meter shows: emovox_view_adapted_text, except "learning voice N %" in Learn
 * voice and, in Use learned voice, "learned voice", or "no voice learned" (the plugin then
 * follows the voice as in Follow). */
const char *emovox_view_adapt_caption(const emovox_view_state *s, char *buf, unsigned size);
/* 1 if the UI offers to forget the learned voice: a running model holds one (the status message
 * says so) and the adapt control is Learn voice or Use learned voice, the modes whose caption
 * speaks of it. In Off and Follow the voice is not in use, and a button there would clear
 * something the meter does not show. */
int emovox_view_offers_forget(const emovox_view_state *s);
/* 1 if the Emotions control lets emotion i occur. */
static inline int emovox_view_considers(const emovox_view_state *s, int i) {
  return (int)((s->emotions >> i) & 1u);
}
/* Called EMOVOX_HISTORY_HZ times per second: pushes the history and the trail, ages peaks. */
void emovox_view_tick(emovox_view_state *s);
/* Model information from the plugin's notify message; NULL strings leave the field alone. */
void emovox_view_set_model(emovox_view_state *s, int status, const char *name, const char *labels,
                           const char *error);

/* The i-th newest history entry (0 = newest); returns 0 when there is none. */
/* The voice meter's speech mark: the headline says "no speech" only below it. */
#define EMOVOX_VIEW_SPEECH_VOICE 0.5f
/* The headline's emotion (-1: "no speech") and its confidence. The plugin's `dominant` drops to
 * no speech between syllables while its smoothed voice activity is still high; the headline
 * then keeps the last emotion as long as the voice meter stands at or above
 * EMOVOX_VIEW_SPEECH_VOICE, so that "no speech" never stands next to a voice meter showing
 * speech. */
int emovox_view_headline(const emovox_view_state *s, float *confidence);
int emovox_view_history(const emovox_view_state *s, int age, int *dominant, float *confidence);
/* The i-th newest trail point (0 = newest); returns 0 when there is none. */
int emovox_view_trail(const emovox_view_state *s, int age, float *arousal, float *valence);

/* Control ranges, shared by the sliders and emovox_view_update(). */
float emovox_ctrl_min(int ctrl);
float emovox_ctrl_max(int ctrl);
float emovox_ctrl_default(int ctrl); /* the plugin's port defaults: 250 ms, -60 dBFS */
/* Slider position 0..1 <-> value (the response time is on a log scale). */
float emovox_ctrl_to_pos(int ctrl, float value);
float emovox_ctrl_from_pos(int ctrl, float pos);

#ifdef __cplusplus
}
#endif

#endif
