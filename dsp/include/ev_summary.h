/* One reading for a file (or any stretch of the analyser's output), from its 10 ms output rows.
 *
 * The analyser's reading at a moment comes from the speech heard so far in the current phrase
 * (the eGeMAPS statistics over up to 2 s since 0.9): early in a phrase it rests on a fraction of a
 * second, at the phrase's end on all of it. So a file is not summarised by the mean of every row
 * (which weighs the uninformed early rows as much as the informed late ones) but by its phrase
 * readings: the reading of the last speech row of each phrase, and within a phrase longer than
 * the statistics window one reading per window of speech, each weighted by the speech rows it
 * covers. A phrase ends at EV_SUMMARY_PAUSE_ROWS rows without speech (the analyser's utterance
 * pause) or at the end of the file. Measured on the six corpora (speaker folds, model 0.4):
 * cold-16 UAR +3 points pooled over the mean of all speech rows (docs/model.md).
 *
 * Only the rows themselves are used, in order: a summary is the same whether it is computed
 * while the file streams or afterwards from the written rows.
 *
 * Allowed emotions (ev_summary_set_labels): a user who knows which emotions can occur in the
 * material (a corpus with only neutral, happy, sad and angry) can have the reading conditioned
 * on them: the dominant is the most probable of those, and the probabilities are renormalised
 * over them (p_i / the sum of the allowed p, the others 0). That is how the evaluation tables
 * score a file (the argmax over the emotions its corpus has), whereas the plugin's dominant
 * output, and an unrestricted summary, take the argmax over all eight. */
#ifndef EV_SUMMARY_H
#define EV_SUMMARY_H

#include "ev_emotions.h"
#include "ev_input.h"

#define EV_SUMMARY_ROWS_PER_S  100
#define EV_SUMMARY_PAUSE_ROWS  50  /* 0.5 s without speech ends a phrase */
#define EV_SUMMARY_WINDOW_ROWS 200 /* 2 s of speech: the default, the shipped model's window */

typedef struct ev_summary_acc {
  long window_rows; /* one reading per this many speech rows of a phrase; 0: the default */
  unsigned labels;  /* the allowed emotions, bit i = ev_emotion i; 0 (or all): all eight */
  long rows, speech_rows;
  long phrase_rows; /* speech rows since the last phrase reading */
  long gap;         /* rows without speech since the last speech row */
  double last[EV_N_EMOTIONS];
  double sum[EV_N_EMOTIONS], weight; /* the phrase readings, weighted by their speech rows */
} ev_summary_acc;

typedef struct ev_summary {
  long rows, speech_rows;
  int dominant; /* the canonical emotion with the highest reading, -1 without a speech row */
  double prob[EV_N_EMOTIONS];
  double arousal, valence; /* of prob (ev_emotion_coords); 0 without a speech row */
} ev_summary;

/* window_rows: the model's statistics window in rows (ev_summary_window_rows); <= 0: the
 * default. A zeroed accumulator is one initialised with the default. */
void ev_summary_init(ev_summary_acc *a, long window_rows);
/* The window a model's readings rest on, in rows: its eGeMAPS statistics window when it reads
 * egemaps_func or mfcc_func, else EV_SUMMARY_WINDOW_ROWS (the 2 s pooling of the other designs). */
long ev_summary_window_rows(const ev_input_config *c);
/* One output row: speech (the dominant output is not "no speech") and its probabilities. */
void ev_summary_add(ev_summary_acc *a, int speech, const double *prob);
/* Restricts the reading to the emotions in mask (bit i = ev_emotion i; EV_EMOTION_MASK_ALL or
 * 0: all eight, the unrestricted reading, bit for bit; bits above the eight are ignored). Set
 * after ev_summary_init, which clears it; it applies only in ev_summary_finish, so it may be
 * set at any time before. */
void ev_summary_set_labels(ev_summary_acc *a, unsigned mask);
/* The reading so far (does not change the accumulator). Restricted to allowed emotions, the
 * dominant is the first of the allowed ones with the highest reading and prob[] is renormalised
 * over them (the others 0); when every allowed emotion reads 0 (nothing to renormalise), prob[]
 * stays all 0 and the dominant is the first allowed emotion, as the argmax of equal readings is.
 * Without a speech row the dominant is -1 and prob[] 0, restricted or not. */
void ev_summary_finish(const ev_summary_acc *a, ev_summary *out);

#endif
