/* Speaker-grouped splits for training and evaluation (moved out of main.c so they are tested). */
#include "ev_folds.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ev_augment.h"

int ev_speakers_collect(const ev_clip_list *l, ev_speakers *s) {
  memset(s, 0, sizeof *s);
  s->name = malloc((l->n + 1) * sizeof *s->name);
  s->corpus = malloc((l->n + 1) * sizeof *s->corpus);
  s->of_clip = malloc((l->n + 1) * sizeof *s->of_clip);
  if (!s->name || !s->corpus || !s->of_clip) {
    ev_speakers_free(s);
    return -1;
  }
  for (size_t i = 0; i < l->n; i++) {
    int k;
    for (k = s->n - 1; k >= 0; k--) /* clips of a speaker are mostly adjacent */
      if (!strcmp(s->name[k], l->v[i].speaker))
        break;
    if (k < 0) {
      k = s->n++;
      snprintf(s->name[k], sizeof s->name[k], "%s", l->v[i].speaker);
      s->corpus[k] = l->v[i].corpus;
    }
    s->of_clip[i] = k;
  }
  return 0;
}

void ev_speakers_free(ev_speakers *s) {
  free(s->name);
  free(s->corpus);
  free(s->of_clip);
  memset(s, 0, sizeof *s);
}

void ev_pick_validation(const ev_speakers *s, const char *allowed, double fraction, uint64_t seed,
                        char *mark) {
  int *idx = malloc(((size_t)s->n + 1) * sizeof *idx);
  if (!idx)
    return;
  for (int corpus = 0; corpus < EV_CORPUS_KIND_COUNT; corpus++) {
    int n = 0;
    for (int k = 0; k < s->n; k++)
      if (s->corpus[k] == corpus && (!allowed || allowed[k]))
        idx[n++] = k;
    int want = (int)lround(fraction * n);
    if (want >= n)
      want = n - 1;
    ev_rng r;
    ev_rng_seed(&r, ev_hash_u64(seed, (uint64_t)corpus + 77));
    for (int i = n; i > 1; i--) {
      int j = (int)(ev_rng_next(&r) % (uint64_t)i), t = idx[i - 1];
      idx[i - 1] = idx[j];
      idx[j] = t;
    }
    for (int i = 0; i < want; i++)
      mark[idx[i]] = 1;
  }
  free(idx);
}

static int folds_alloc(const ev_speakers *s, ev_folds *f, char *err, size_t errlen) {
  memset(f, 0, sizeof *f);
  f->of_speaker = malloc(((size_t)s->n + 1) * sizeof *f->of_speaker);
  if (!f->of_speaker) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (int k = 0; k < s->n; k++)
    f->of_speaker[k] = -1;
  return 0;
}

void ev_folds_free(ev_folds *f) {
  free(f->of_speaker);
  memset(f, 0, sizeof *f);
}

int ev_folds_speaker(const ev_speakers *s, int k, ev_folds *f, char *err, size_t errlen) {
  if (k < 2 || k > EV_FOLDS_MAX) {
    snprintf(err, errlen, "--folds speaker:K needs 2 <= K <= %d", EV_FOLDS_MAX);
    return -1;
  }
  if (folds_alloc(s, f, err, errlen) != 0)
    return -1;
  int per[EV_CORPUS_KIND_COUNT] = {0};
  for (int i = 0; i < s->n; i++) /* each corpus's speakers dealt round-robin */
    f->of_speaker[i] = per[s->corpus[i]]++ % k;
  f->n = k;
  for (int i = 0; i < k; i++)
    snprintf(f->name[i], sizeof f->name[i], "fold%d", i + 1);
  return 0;
}

int ev_folds_loco(const ev_speakers *s, ev_folds *f, char *err, size_t errlen) {
  if (folds_alloc(s, f, err, errlen) != 0)
    return -1;
  int map[EV_CORPUS_KIND_COUNT];
  for (int c = 0; c < EV_CORPUS_KIND_COUNT; c++)
    map[c] = -1;
  for (int i = 0; i < s->n; i++) {
    int co = s->corpus[i];
    if (map[co] < 0) {
      map[co] = f->n;
      snprintf(f->name[f->n], sizeof f->name[0], "%s", ev_corpus_kind_name((ev_corpus_kind)co));
      f->n++;
    }
    f->of_speaker[i] = map[co];
  }
  if (f->n < 2) {
    snprintf(err, errlen, "--loco needs at least two corpora");
    ev_folds_free(f);
    return -1;
  }
  return 0;
}

int ev_folds_holdout(const ev_speakers *s, const char *speaker, ev_folds *f, char *err,
                     size_t errlen) {
  if (folds_alloc(s, f, err, errlen) != 0)
    return -1;
  int found = 0;
  for (int i = 0; i < s->n; i++) {
    const char *colon = strchr(s->name[i], ':');
    int match = !strcasecmp(s->name[i], speaker) || (colon && !strcasecmp(colon + 1, speaker));
    f->of_speaker[i] = match ? 0 : -1;
    found += match;
  }
  if (!found) {
    snprintf(err, errlen, "no speaker '%s' (run `emovox-train list` to see them)", speaker);
    ev_folds_free(f);
    return -1;
  }
  f->n = 1;
  snprintf(f->name[0], sizeof f->name[0], "%s", speaker);
  return 0;
}

int ev_fold_roles(const ev_speakers *s, const ev_folds *f, int fold, double val_fraction,
                  uint64_t seed, char *role) {
  char *allowed = malloc((size_t)s->n + 1);
  if (!allowed)
    return -1;
  for (int k = 0; k < s->n; k++) {
    role[k] = EV_ROLE_TRAIN;
    allowed[k] = f->of_speaker[k] != fold;
  }
  /* early-stopping speakers come from this fold's training speakers only */
  ev_pick_validation(s, allowed, val_fraction, seed + (uint64_t)fold, role);
  for (int k = 0; k < s->n; k++)
    if (!allowed[k])
      role[k] = EV_ROLE_TEST;
  free(allowed);
  return 0;
}
