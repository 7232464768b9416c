/* Speaker-grouped splits (ev_folds): on a clip list of three corpora whose speakers' clips are
 * interleaved (not adjacent), checked at the level of the clips' own speaker strings, not the
 * module's speaker indices:
 *  - speaker:K: every clip is tested in exactly one fold, all clips of a speaker in the same
 *    fold, no speaker's clips on two sides (train, validation, test) of any fold; with 20
 *    RAVDESS actors and 5 folds fold 1 tests actors 01, 06, 11, 16 (docs/training.md);
 *  - validation: round(0.15 n) of each corpus's n training speakers, never a test speaker, none
 *    for a corpus whose 2 speakers are both training (TESS);
 *  - --loco: one fold per corpus, testing exactly that corpus's clips;
 *  - --holdout-speaker: one speaker by full or short name (case-insensitive), unknown names and
 *    impossible fold counts refused. */
#include <stdio.h>
#include <string.h>

#include "ev_analyzer.h"
#include "ev_corpus.h"
#include "ev_folds.h"
#include "ev_test.h"

#define N_RAV    20
#define RAV_CLIP 4
#define N_TESS   6 /* clips per TESS speaker */
#define N_MAN    3 /* manifest speakers, 5 clips each */

static ev_clip_list clips;

static void build(void) {
  char path[64], spk[48];
  /* round by round, so that every speaker's clips are spread through the list */
  for (int r = 0; r < 6; r++) {
    for (int a = 1; a <= N_RAV && r < RAV_CLIP; a++) {
      snprintf(path, sizeof path, "rav%02d_%d.wav", a, r);
      snprintf(spk, sizeof spk, "RAVDESS:%02d", a);
      ev_clip_list_add(&clips, path, r % 2 ? EV_ANGRY : EV_NEUTRAL, spk, EV_CORPUS_RAVDESS);
    }
    for (int t = 0; t < 2 && r < N_TESS; t++) {
      snprintf(path, sizeof path, "tess%d_%d.wav", t, r);
      ev_clip_list_add(&clips, path, r % 2 ? EV_ANGRY : EV_NEUTRAL, t ? "TESS:YAF" : "TESS:OAF",
                       EV_CORPUS_TESS);
    }
    for (int m = 0; m < N_MAN && r < 5; m++) {
      snprintf(path, sizeof path, "man%d_%d.wav", m, r);
      snprintf(spk, sizeof spk, "m%d", m);
      ev_clip_list_add(&clips, path, r % 2 ? EV_ANGRY : EV_NEUTRAL, spk, EV_CORPUS_MANIFEST);
    }
  }
}

/* role[] per clip, from the speaker roles of a fold */
static void clip_roles(const ev_speakers *s, const char *spk_role, char *role) {
  for (size_t i = 0; i < clips.n; i++)
    role[i] = spk_role[s->of_clip[i]];
}

/* No speaker string occurs with two different roles among the clips of a fold. */
static int speakers_one_side(const char *role) {
  for (size_t i = 0; i < clips.n; i++)
    for (size_t j = i + 1; j < clips.n; j++)
      if (!strcmp(clips.v[i].speaker, clips.v[j].speaker) && role[i] != role[j])
        return 0;
  return 1;
}

static void check_partition(const ev_speakers *s, const ev_folds *f, const char *what) {
  int tested[512] = {0}, fold_of[512];
  char spk_role[64], role[512];
  for (int fo = 0; fo < f->n; fo++) {
    EV_CHECK(ev_fold_roles(s, f, fo, 0.15, 7, spk_role) == 0, "roles");
    clip_roles(s, spk_role, role);
    EV_CHECK(speakers_one_side(role), "%s, %s: a speaker's clips on two sides", what, f->name[fo]);
    size_t n_test = 0, n_train = 0;
    for (size_t i = 0; i < clips.n; i++)
      if (role[i] == EV_ROLE_TEST) {
        tested[i]++;
        fold_of[i] = fo;
        n_test++;
      } else {
        n_train += role[i] == EV_ROLE_TRAIN;
      }
    EV_CHECK(n_test > 0 && n_train > 0, "%s, %s: %zu test and %zu training clips", what,
             f->name[fo], n_test, n_train);
  }
  int once = 1, grouped = 1;
  for (size_t i = 0; i < clips.n; i++) {
    once &= tested[i] == 1;
    for (size_t j = 0; j < i; j++)
      if (!strcmp(clips.v[i].speaker, clips.v[j].speaker))
        grouped &= fold_of[i] == fold_of[j];
  }
  EV_CHECK(once, "%s: every clip tested exactly once", what);
  EV_CHECK(grouped, "%s: all clips of a speaker tested in the same fold", what);
}

int main(void) {
  build();
  const size_t n_clips = (size_t)N_RAV * RAV_CLIP + 2 * N_TESS + N_MAN * 5;
  EV_CHECK(clips.n == n_clips, "%zu clips", clips.n);
  ev_speakers s;
  EV_CHECK(ev_speakers_collect(&clips, &s) == 0, "collect");
  EV_CHECK(s.n == N_RAV + 2 + N_MAN, "%d speakers (expected %d)", s.n, N_RAV + 2 + N_MAN);
  int mapped = 1;
  for (size_t i = 0; i < clips.n; i++)
    mapped &= !strcmp(s.name[s.of_clip[i]], clips.v[i].speaker) &&
              s.corpus[s.of_clip[i]] == clips.v[i].corpus;
  EV_CHECK(mapped, "every clip maps to its own speaker and corpus");

  char err[256];
  ev_folds f;
  /* speaker folds */
  for (int k = 2; k <= 5; k++) {
    if (ev_folds_speaker(&s, k, &f, err, sizeof err) != 0) {
      EV_CHECK(0, "speaker:%d: %s", k, err);
      continue;
    }
    EV_CHECK(f.n == k, "speaker:%d: %d folds", k, f.n);
    char what[32];
    snprintf(what, sizeof what, "speaker:%d", k);
    check_partition(&s, &f, what);
    if (k == 5) {
      /* fold 1 tests actors 01, 06, 11, 16, one TESS speaker (OAF) and manifest speaker m0 */
      char spk_role[64];
      ev_fold_roles(&s, &f, 0, 0.15, 7, spk_role);
      char got[256] = "";
      int n_rav_val = 0, n_tess_val = 0, n_rav_train = 0;
      for (int i = 0; i < s.n; i++) {
        if (spk_role[i] == EV_ROLE_TEST) {
          strcat(got, s.name[i]);
          strcat(got, " ");
        }
        n_rav_val += spk_role[i] == EV_ROLE_VAL && s.corpus[i] == EV_CORPUS_RAVDESS;
        n_rav_train += spk_role[i] == EV_ROLE_TRAIN && s.corpus[i] == EV_CORPUS_RAVDESS;
        n_tess_val += spk_role[i] == EV_ROLE_VAL && s.corpus[i] == EV_CORPUS_TESS;
      }
      EV_CHECK(!strcmp(got, "RAVDESS:01 RAVDESS:06 RAVDESS:11 RAVDESS:16 TESS:OAF m0 "),
               "speaker:5 fold 1 tests '%s'", got);
      /* 16 training actors: round(0.15 * 16) = 2 validation actors; TESS has only YAF left
       * (round(0.15) = 0) */
      EV_CHECK(n_rav_val == 2 && n_rav_train == 14, "fold 1: %d validation, %d training actors",
               n_rav_val, n_rav_train);
      EV_CHECK(n_tess_val == 0, "fold 1: no TESS validation speaker (%d)", n_tess_val);
      /* fold 3 tests no TESS speaker, so both train: even a fraction of 0.8 (round(1.6) = 2)
       * takes only one of them for validation, never a corpus's last training speaker */
      ev_fold_roles(&s, &f, 2, 0.8, 7, spk_role);
      int tess_val = 0, tess_train = 0;
      for (int i = 0; i < s.n; i++)
        if (s.corpus[i] == EV_CORPUS_TESS) {
          tess_val += spk_role[i] == EV_ROLE_VAL;
          tess_train += spk_role[i] == EV_ROLE_TRAIN;
        }
      EV_CHECK(tess_val == 1 && tess_train == 1,
               "fold 3, fraction 0.8: 1 of the 2 TESS speakers validates (%d, %d train)", tess_val,
               tess_train);
    }
    ev_folds_free(&f);
  }
  EV_CHECK(ev_folds_speaker(&s, 1, &f, err, sizeof err) != 0, "speaker:1 refused");
  EV_CHECK(ev_folds_speaker(&s, EV_FOLDS_MAX + 1, &f, err, sizeof err) != 0, "speaker:%d refused",
           EV_FOLDS_MAX + 1);

  /* leave one corpus out */
  if (ev_folds_loco(&s, &f, err, sizeof err) == 0) {
    EV_CHECK(f.n == 3 && !strcmp(f.name[0], "RAVDESS") && !strcmp(f.name[1], "TESS") &&
                 !strcmp(f.name[2], "manifest"),
             "loco: %d folds %s %s %s", f.n, f.name[0], f.name[1], f.name[2]);
    check_partition(&s, &f, "loco");
    for (int fo = 0; fo < f.n; fo++) {
      char spk_role[64], role[512];
      ev_fold_roles(&s, &f, fo, 0.15, 7, spk_role);
      clip_roles(&s, spk_role, role);
      int exact = 1;
      for (size_t i = 0; i < clips.n; i++)
        exact &= (role[i] == EV_ROLE_TEST) ==
                 !strcmp(ev_corpus_kind_name((ev_corpus_kind)clips.v[i].corpus), f.name[fo]);
      EV_CHECK(exact, "loco %s: tests exactly that corpus's clips", f.name[fo]);
    }
    ev_folds_free(&f);
  } else {
    EV_CHECK(0, "loco: %s", err);
  }

  /* held-out speaker */
  const char *names[] = {"TESS:OAF", "oaf", "tess:Oaf"};
  for (int i = 0; i < 3; i++) {
    if (ev_folds_holdout(&s, names[i], &f, err, sizeof err) != 0) {
      EV_CHECK(0, "holdout %s: %s", names[i], err);
      continue;
    }
    char spk_role[64], role[512];
    ev_fold_roles(&s, &f, 0, 0.15, 7, spk_role);
    clip_roles(&s, spk_role, role);
    int exact = 1;
    for (size_t c = 0; c < clips.n; c++)
      exact &= (role[c] == EV_ROLE_TEST) == !strcmp(clips.v[c].speaker, "TESS:OAF");
    EV_CHECK(f.n == 1 && exact, "holdout %s: tests exactly TESS:OAF's clips", names[i]);
    ev_folds_free(&f);
  }
  EV_CHECK(ev_folds_holdout(&s, "nobody", &f, err, sizeof err) != 0 && strstr(err, "nobody"),
           "unknown speaker refused: %s", err);

  /* a single corpus cannot be left out */
  ev_clip_list one = {0};
  ev_clip_list_add(&one, "a.wav", EV_NEUTRAL, "RAVDESS:01", EV_CORPUS_RAVDESS);
  ev_clip_list_add(&one, "b.wav", EV_ANGRY, "RAVDESS:02", EV_CORPUS_RAVDESS);
  ev_speakers s1;
  ev_speakers_collect(&one, &s1);
  EV_CHECK(ev_folds_loco(&s1, &f, err, sizeof err) != 0, "loco with one corpus refused");
  ev_speakers_free(&s1);
  ev_clip_list_free(&one);
  ev_speakers_free(&s);
  ev_clip_list_free(&clips);
  EV_TEST_END();
}
