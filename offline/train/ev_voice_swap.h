/* --voice-swap: training clips heard as if another training speaker had said them.
 *
 * The plugin's normaliser learns a voice as its offset from the class centres (the mean over
 * its speech of input - the centre of the emotion heard; docs/model.md, "Class centres"). Such
 * an offset carries the voice, the microphone and the room together, and a corpus the model
 * never heard arrives with one it never saw. A cold training item of speaker A moved by
 * S (o_B - o_A), with B a training speaker drawn per (seed, clip, copy), is the clip as the
 * normaliser would see it from B's voice and recording, to the first order: the network learns
 * which differences between voices do not tell the emotion. */
#ifndef EV_VOICE_SWAP_H
#define EV_VOICE_SWAP_H

#include <stddef.h>
#include <stdint.h>

#include "ev_dataset.h"

typedef struct ev_voices {
  size_t n;             /* training speakers */
  int D;                /* inputs */
  const char **speaker; /* [n], borrowed from the clip list */
  float *offset;        /* [n, D]: each speaker's offset from the class centres */
} ev_voices;

/* Each speaker's offset over the speech frames (all frames of a sequence without a gate) of the
 * original (copy 0) clips idx[0..n) whose label_of[clip] (0..31) >= 0, from
 * centres[label * D ..]; a frame with a non-finite input is skipped, and each offset is limited
 * to +-3 spread[d] so that a speaker with few frames cannot throw an input far. Only speakers
 * heard in at least min_labels emotions are kept: the offset of a voice heard in one emotion
 * is that emotion as much as the voice (URDU's speakers), and would teach the network to
 * overlook it. 0, or -1 (out of memory). */
int ev_voices_compute(ev_voices *v, const ev_dataset *ds, const int *label_of, const size_t *idx,
                      size_t n, const float *centres, const float *spread, int D, int min_labels);
/* The shift of a training item of `speaker` (clip, copy): share * (o_B - o_A) written to buf
 * (D floats), B drawn from the training speakers by (seed, clip, copy) alone. NULL when the
 * speaker has no offset or there are fewer than two speakers (nothing to move). */
const float *ev_voices_delta(const ev_voices *v, const char *speaker, uint64_t seed, size_t clip,
                             int copy, float share, float *buf);
void ev_voices_free(ev_voices *v);

#endif
