#include "emovox_view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "emovox_protocol.h"

static float clampf(float v, float lo, float hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

void emovox_view_init(emovox_view_state *s) {
  memset(s, 0, sizeof *s);
  s->dominant = -1;
  s->last_dominant = -1;
  s->status = EMOVOX_VIEW_NO_MODEL;
  s->emotions = EMOVOX_EMOTIONS_ALL;
  s->adapt_mode = EMOVOX_ADAPT_FOLLOW;
  s->response_ms = emovox_ctrl_default(EMOVOX_CTRL_RESPONSE);
  s->gate_db = emovox_ctrl_default(EMOVOX_CTRL_GATE);
  s->hover = -1;
  s->drag = -1;
}

float emovox_ctrl_min(int ctrl) {
  return ctrl == EMOVOX_CTRL_RESPONSE ? 10.0f : -90.0f;
}
float emovox_ctrl_max(int ctrl) {
  return ctrl == EMOVOX_CTRL_RESPONSE ? 5000.0f : 0.0f;
}

float emovox_ctrl_default(int ctrl) {
  /* the TTL defaults (ttl/control_ports.ttl): EV_ANALYZER_RESPONSE_DEFAULT_MS and
   * EV_INPUT_GATE_DEFAULT_DB */
  return ctrl == EMOVOX_CTRL_RESPONSE ? 250.0f : -60.0f;
}

float emovox_ctrl_to_pos(int ctrl, float value) {
  float lo = emovox_ctrl_min(ctrl), hi = emovox_ctrl_max(ctrl);
  if (!isfinite(value))
    return 0.0f;
  value = clampf(value, lo, hi);
  if (ctrl == EMOVOX_CTRL_RESPONSE) /* 10 ms .. 5 s spans 2.7 decades: log is the useful scale */
    return logf(value / lo) / logf(hi / lo);
  return (value - lo) / (hi - lo);
}

float emovox_ctrl_from_pos(int ctrl, float pos) {
  float lo = emovox_ctrl_min(ctrl), hi = emovox_ctrl_max(ctrl);
  pos = isfinite(pos) ? clampf(pos, 0.0f, 1.0f) : 0.0f;
  if (ctrl == EMOVOX_CTRL_RESPONSE)
    return clampf(lo * expf(pos * logf(hi / lo)), lo, hi);
  return lo + pos * (hi - lo);
}

static int set_if_changed(float *dst, float v) {
  if (*dst == v)
    return 0;
  *dst = v;
  return 1;
}

int emovox_view_update(emovox_view_state *s, uint32_t port, float value) {
  if (!isfinite(value))
    return 0;
  if (port >= EMOVOX_PROB_FIRST && port < EMOVOX_PROB_FIRST + EV_N_EMOTIONS) {
    int i = (int)(port - EMOVOX_PROB_FIRST);
    float v = clampf(value, 0.0f, 1.0f);
    if (v >= s->peak[i]) {
      s->peak[i] = v;
      s->peak_age[i] = 0;
    }
    return set_if_changed(&s->prob[i], v);
  }
  switch (port) {
  case EMOVOX_ADAPT: {
    const int mode = (int)lrintf(clampf(value, 0.0f, 3.0f));
    const int changed = mode != s->adapt_mode;
    s->adapt_mode = mode;
    return changed;
  }
  case EMOVOX_DOMINANT: {
    int d = (int)lrintf(value) - 1; /* port: 0 = no speech, 1 + emotion */
    if (d < -1 || d >= EV_N_EMOTIONS)
      d = -1;
    if (d == s->dominant)
      return 0;
    s->dominant = d;
    if (d >= 0) {
      s->last_dominant = d;
      s->last_confidence = s->confidence;
    }
    return 1;
  }
  case EMOVOX_CONFIDENCE:
    if (s->dominant >= 0)
      s->last_confidence = clampf(value, 0.0f, 1.0f);
    return set_if_changed(&s->confidence, clampf(value, 0.0f, 1.0f));
  case EMOVOX_AROUSAL:
    return set_if_changed(&s->arousal, clampf(value, -1.0f, 1.0f));
  case EMOVOX_VALENCE:
    return set_if_changed(&s->valence, clampf(value, -1.0f, 1.0f));
  case EMOVOX_VOICE:
    return set_if_changed(&s->voice, clampf(value, 0.0f, 1.0f));
  case EMOVOX_STATUS: {
    int st = (int)lrintf(value);
    if (st < EMOVOX_VIEW_OK || st > EMOVOX_VIEW_MODEL_FAULT)
      st = EMOVOX_VIEW_LOAD_ERROR;
    if (st == s->status)
      return 0;
    s->status = st;
    return 1;
  }
  case EMOVOX_RESPONSE_MS:
    return set_if_changed(&s->response_ms, clampf(value, emovox_ctrl_min(EMOVOX_CTRL_RESPONSE),
                                                  emovox_ctrl_max(EMOVOX_CTRL_RESPONSE)));
  case EMOVOX_GATE_DB:
    return set_if_changed(&s->gate_db, clampf(value, emovox_ctrl_min(EMOVOX_CTRL_GATE),
                                              emovox_ctrl_max(EMOVOX_CTRL_GATE)));
  default:
    return 0;
  }
}

int emovox_view_set_emotions(emovox_view_state *s, float value) {
  const uint32_t mask = emovox_emotions_mask(value);
  if (mask == s->emotions)
    return 0;
  s->emotions = mask;
  return 1;
}

/* The label's percentage steps (what the meter and the inline display can show). */
static int adapted_step(float a) {
  if (!(a > 0.0f))
    return -1;
  const int pct = (int)lrintf(a * 100.0f);
  return pct >= EMOVOX_VIEW_ADAPTED_PCT ? 101 : pct < 1 ? 1 : pct; /* above 0: not cold */
}

int emovox_view_set_adapted(emovox_view_state *s, float value) {
  if (!isfinite(value))
    return 0;
  const float v = clampf(value, 0.0f, 1.0f);
  const int shown = adapted_step(v) != adapted_step(s->adapted);
  s->adapted = v;
  return shown;
}

const char *emovox_view_adapted_text(float adapted, char *buf, unsigned size) {
  const int step = adapted_step(isfinite(adapted) ? adapted : 0.0f);
  if (step < 0)
    snprintf(buf, size, "cold");
  else if (step > 100)
    snprintf(buf, size, "adapted");
  else
    snprintf(buf, size, "adapting %d %%", step);
  return buf;
}

const char *emovox_view_adapt_caption(const emovox_view_state *s, char *buf, unsigned size) {
  if (s->adapt_mode == EMOVOX_ADAPT_LEARN) {
    const float a = isfinite(s->adapted) ? clampf(s->adapted, 0.0f, 1.0f) : 0.0f;
    snprintf(buf, size, "learning voice %d %%", (int)lrintf(a * 100.0f));
  } else if (s->adapt_mode == EMOVOX_ADAPT_USE) {
    snprintf(buf, size, "%s", s->voice_learned ? "learned voice" : "no voice learned");
  } else {
    emovox_view_adapted_text(s->adapted, buf, size);
  }
  return buf;
}

int emovox_view_offers_forget(const emovox_view_state *s) {
  return s->status == EMOVOX_VIEW_OK && s->voice_learned &&
         (s->adapt_mode == EMOVOX_ADAPT_LEARN || s->adapt_mode == EMOVOX_ADAPT_USE);
}

void emovox_view_tick(emovox_view_state *s) {
  s->hist_dominant[s->hist_head] = (int8_t)s->dominant;
  s->hist_confidence[s->hist_head] = s->dominant < 0 ? 0.0f : s->confidence;
  s->hist_head = (s->hist_head + 1) % EMOVOX_HISTORY_LEN;
  if (s->hist_count < EMOVOX_HISTORY_LEN)
    s->hist_count++;

  s->trail_arousal[s->trail_head] = s->arousal;
  s->trail_valence[s->trail_head] = s->valence;
  s->trail_head = (s->trail_head + 1) % EMOVOX_TRAIL_LEN;
  if (s->trail_count < EMOVOX_TRAIL_LEN)
    s->trail_count++;

  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    if (s->peak_age[i] < EMOVOX_PEAK_HOLD) {
      s->peak_age[i]++;
      continue;
    }
    s->peak[i] -= EMOVOX_PEAK_FALL;
    if (s->peak[i] < s->prob[i])
      s->peak[i] = s->prob[i];
  }
}

static void copy_text(char *dst, size_t cap, const char *src) {
  if (src)
    snprintf(dst, cap, "%s", src);
}

void emovox_view_set_model(emovox_view_state *s, int status, const char *name, const char *labels,
                           const char *error) {
  if (status >= EMOVOX_VIEW_OK && status <= EMOVOX_VIEW_MODEL_FAULT)
    s->status = status;
  copy_text(s->model_name, sizeof s->model_name, name);
  copy_text(s->model_labels, sizeof s->model_labels, labels);
  copy_text(s->error, sizeof s->error, error);
}

int emovox_view_headline(const emovox_view_state *s, float *confidence) {
  if (s->dominant >= 0) {
    *confidence = s->confidence;
    return s->dominant;
  }
  if (s->voice >= EMOVOX_VIEW_SPEECH_VOICE && s->last_dominant >= 0) {
    *confidence = s->last_confidence;
    return s->last_dominant;
  }
  *confidence = 0.0f;
  return -1;
}

int emovox_view_history(const emovox_view_state *s, int age, int *dominant, float *confidence) {
  if (age < 0 || age >= s->hist_count)
    return 0;
  int i = (s->hist_head - 1 - age + 2 * EMOVOX_HISTORY_LEN) % EMOVOX_HISTORY_LEN;
  *dominant = s->hist_dominant[i];
  *confidence = s->hist_confidence[i];
  return 1;
}

int emovox_view_trail(const emovox_view_state *s, int age, float *arousal, float *valence) {
  if (age < 0 || age >= s->trail_count)
    return 0;
  int i = (s->trail_head - 1 - age + 2 * EMOVOX_TRAIL_LEN) % EMOVOX_TRAIL_LEN;
  *arousal = s->trail_arousal[i];
  *valence = s->trail_valence[i];
  return 1;
}
