/* Training clips as the plugin hears them in a session (arch "session_items").
 *
 * A DAW or a podcast plays one voice for minutes through one plugin instance, whose adaptive
 * normaliser (dsp/include/ev_input.h) moves from the training prior toward that speaker's
 * statistics. A clip taken alone shows the network only a fresh instance's inputs; the
 * trainer therefore also plays each speaker's training clips one after another through one
 * normaliser, in a fixed pseudo-random order, and trains on the inputs every clip gets at its
 * place in that session. Unlike ev_speaker_norm (the statistics of all of a speaker's clips
 * at once, which the plugin never has), every state here is one the plugin reaches. */
#ifndef EV_SESSIONS_H
#define EV_SESSIONS_H

#include <stddef.h>

#include "ev_dataset.h"

/* A speaker's clips make a session only when they show at least this many emotions: the
 * normaliser learns "this voice as usual" from the session, which is what a voice heard for
 * minutes gives and what a corpus whose speakers each act one emotion (URDU: 26 of 29) cannot
 * show; their clips are trained cold only. */
#define EV_SESSION_MIN_LABELS 3

/* order: the clips of idx whose speaker has at least min_labels labels among them, grouped by
 * speaker, each speaker's clips in a fixed pseudo-random order (the same for the same clip
 * indices). Returns how many (<= n) were written. */
size_t ev_session_order(const ev_dataset *ds, const size_t *idx, size_t n, int min_labels,
                        size_t *order);

/* out[i]: the model steps of clip order[i] (copy 0) as heard after the clips before it of the
 * same speaker; `in` (adaptive normalisation) is reset at each speaker's first clip.
 * 0, or -1 when out of memory (out[0..i) are then filled, the rest zeroed). */
int ev_session_steps(const ev_dataset *ds, ev_input *in, const size_t *order, size_t n,
                     ev_steps *out);

#endif
