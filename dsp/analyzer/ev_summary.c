/* Phrase readings of the analyser's output rows (ev_summary.h). */
#include "ev_summary.h"

#include <math.h>
#include <string.h>

void ev_summary_init(ev_summary_acc *a, long window_rows) {
  memset(a, 0, sizeof *a);
  a->window_rows = window_rows > 0 ? window_rows : 0;
}

long ev_summary_window_rows(const ev_input_config *c) {
  for (int i = 0; c && i < c->n_inputs; i++)
    if (ev_feature_windowed(c->inputs[i])) {
      const double s =
          c->features.func_window_s > 0.0f ? c->features.func_window_s : EV_FUNC_WINDOW_DEFAULT_S;
      return lround(s * EV_SUMMARY_ROWS_PER_S);
    }
  return EV_SUMMARY_WINDOW_ROWS;
}

/* The phrase's latest reading stands for the phrase_rows speech rows it has heard. */
static void take_reading(ev_summary_acc *a) {
  if (!a->phrase_rows)
    return;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    a->sum[i] += (double)a->phrase_rows * a->last[i];
  a->weight += (double)a->phrase_rows;
  a->phrase_rows = 0;
}

void ev_summary_add(ev_summary_acc *a, int speech, const double *prob) {
  a->rows++;
  if (!speech) {
    if (++a->gap == EV_SUMMARY_PAUSE_ROWS)
      take_reading(a); /* the phrase ended: its last speech row is its reading */
    return;
  }
  a->gap = 0;
  a->speech_rows++;
  memcpy(a->last, prob, sizeof a->last);
  if (++a->phrase_rows == (a->window_rows > 0 ? a->window_rows : EV_SUMMARY_WINDOW_ROWS))
    take_reading(a); /* a window of speech: its reading covers it */
}

void ev_summary_set_labels(ev_summary_acc *a, unsigned mask) {
  a->labels = mask; /* read through ev_emotion_mask_allowed when the reading is taken */
}

/* The reading conditioned on the allowed emotions (ev_summary.h): the dominant is taken on the
 * readings before they are divided, so that rounding in the division cannot tie two of them. */
static void restrict_to(ev_summary *out, unsigned labels) {
  out->dominant = -1;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    if ((labels & (1u << i)) && (out->dominant < 0 || out->prob[i] > out->prob[out->dominant]))
      out->dominant = i;
  ev_emotion_condition(out->prob, labels);
}

void ev_summary_finish(const ev_summary_acc *a, ev_summary *out) {
  memset(out, 0, sizeof *out);
  out->rows = a->rows;
  out->speech_rows = a->speech_rows;
  out->dominant = -1;
  double w = a->weight + (double)a->phrase_rows; /* the phrase still open ends with the file */
  if (w <= 0.0)
    return;
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    out->prob[i] = (a->sum[i] + (double)a->phrase_rows * a->last[i]) / w;
    if (out->dominant < 0 || out->prob[i] > out->prob[out->dominant])
      out->dominant = i;
  }
  const unsigned labels = ev_emotion_mask_allowed(a->labels);
  if (labels != EV_EMOTION_MASK_ALL) /* all eight: the unrestricted reading */
    restrict_to(out, labels);
  ev_emotion_coords(out->prob, &out->arousal, &out->valence);
}
