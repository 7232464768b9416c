/* Speaker-independent splits: the speakers of a clip list, the early-stopping validation
 * speakers, and the evaluation folds (speaker folds, leave one corpus out, one held-out
 * speaker). Every split is by speaker, never by clip, so no speaker is ever on both sides. */
#ifndef EV_FOLDS_H
#define EV_FOLDS_H

#include <stddef.h>
#include <stdint.h>

#include "ev_corpus.h"

typedef struct ev_speakers {
  char (*name)[48]; /* as in ev_clip.speaker, corpus-qualified */
  int *corpus;      /* ev_corpus_kind of each speaker */
  int n;
  int *of_clip; /* clip -> speaker index */
} ev_speakers;

/* The distinct speakers of l, in order of first appearance. 0 or -1 (out of memory). */
int ev_speakers_collect(const ev_clip_list *l, ev_speakers *s);
void ev_speakers_free(ev_speakers *s);

/* Sets mark[spk] = 1 for round(fraction * n) of the n allowed speakers of every corpus (a
 * seeded choice, at most n - 1 so a corpus never gives up all its training speakers);
 * allowed NULL = all. Other marks are left as they are. */
void ev_pick_validation(const ev_speakers *s, const char *allowed, double fraction, uint64_t seed,
                        char *mark);

#define EV_FOLDS_MAX 64
typedef struct ev_folds {
  int n;
  int *of_speaker; /* the fold in which each speaker is tested; -1: never tested */
  char name[EV_FOLDS_MAX][64];
} ev_folds;

/* K folds: each corpus's speakers dealt round-robin (in order of appearance), so every fold
 * gets a share of every corpus. 2 <= K <= EV_FOLDS_MAX. */
int ev_folds_speaker(const ev_speakers *s, int k, ev_folds *f, char *err, size_t errlen);
/* Leave one corpus out: one fold per corpus, named after it; needs two corpora. */
int ev_folds_loco(const ev_speakers *s, ev_folds *f, char *err, size_t errlen);
/* One fold testing the speaker named `speaker`, either in full ("TESS:OAF") or without the
 * corpus ("OAF": every corpus's speaker of that name), case-insensitive. */
int ev_folds_holdout(const ev_speakers *s, const char *speaker, ev_folds *f, char *err,
                     size_t errlen);
void ev_folds_free(ev_folds *f);

/* Role of every speaker in fold `fold`: EV_ROLE_TEST for its test speakers, EV_ROLE_VAL for the
 * early-stopping speakers (ev_pick_validation among the others, seed + fold), else
 * EV_ROLE_TRAIN. role: s->n chars. */
enum { EV_ROLE_TRAIN = 0, EV_ROLE_VAL = 1, EV_ROLE_TEST = 2 };
int ev_fold_roles(const ev_speakers *s, const ev_folds *f, int fold, double val_fraction,
                  uint64_t seed, char *role);

#endif
