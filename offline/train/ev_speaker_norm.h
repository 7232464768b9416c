/* Per-speaker normalisation statistics for training and evaluation.
 *
 * The plugin's adaptive normaliser (dsp/model/ev_input.h) converges, after some seconds of a
 * speaker's speech, to that speaker's mean and variance of the model input. Training clips are
 * only a few seconds long, so the trainer reproduces that converged state directly: for every
 * speaker in a set of clips it computes the statistics over all of the speaker's speech steps
 * (labels are never used), and each clip of that speaker is normalised starting from them.
 * Evaluation does the same on the test speakers' own clips, which is what the plugin sees
 * after it has listened to a speaker for a while. */
#ifndef EV_SPEAKER_NORM_H
#define EV_SPEAKER_NORM_H

#include <stddef.h>

#include "ev_dataset.h"

typedef struct ev_speaker_stats {
  size_t n; /* speakers */
  int D;
  char (*name)[48];
  float *mean, *var; /* [n, D] */
} ev_speaker_stats;

/* Statistics of each speaker's clips among idx (copy 0 only). vectors(): one row per clip of
 * D values (e.g. utterance functionals), or NULL to use the stride-averaged speech steps of
 * the raw features (ev_prior_stats). 0 or -1 (out of memory). */
typedef int (*ev_clip_vector_fn)(const ev_feat_seq *s, float *out);
int ev_speaker_stats_compute(ev_speaker_stats *st, const ev_arch *a, const ev_dataset *ds,
                             const size_t *idx, size_t n, int D, ev_clip_vector_fn vectors);
/* The speaker's row, or NULL if the speaker was not in the set. */
const float *ev_speaker_stats_mean(const ev_speaker_stats *st, const char *speaker);
const float *ev_speaker_stats_var(const ev_speaker_stats *st, const char *speaker);
void ev_speaker_stats_free(ev_speaker_stats *st);

#endif
