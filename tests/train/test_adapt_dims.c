/* Which dimensions adapt (ev_adapt_dims) on constructed clips whose spreads are worked out by
 * hand. Labels 0 and 1, one clip per (speaker, label) cell, two dimensions:
 *   dim 0 = speaker offset (A 0, B 10, C 20, D 30) + label offset (0 / 1): who speaks;
 *   dim 1 = speaker offset (0, 0.1, 0.2, 0.3) + label offset (0 / 5): what they feel.
 * Speakers A, B, C are one corpus; D is another and shows only label 0 (it adds to the speaker
 * spread across corpora, not to the emotion spread). Across corpora:
 * dim 0: label 0 speakers {0, 10, 20, 30}: sum of squares 500 (3 df), label 1 {1, 11, 21}: 200
 *   (2 df): speaker spread 700 / 5 = 140; each of A, B, C shows {x, x + 1}: 0.5 (1 df) each:
 *   emotion spread 0.5.
 * dim 1: {0, .1, .2, .3}: .05, {0, .1, .2}: .02: speaker spread .07 / 5 = .014; {x, x + 5}:
 *   12.5 each: emotion spread 12.5.
 * So ratio 1 adapts dim 0 only, ratio 300 (140 < 300 x 0.5) neither. Within each corpus D has
 * nobody to be compared with: speaker spreads (200 + 200) / 4 = 100 and (.02 + .02) / 4 = .01. Each
 * clip also has a quiet step holding 1000 (below the gate: must not count) and a pitch-shifted copy
 * holding 500 (copies are not speakers: must not count); a clip whose label the model lacks and a
 * clip with no speech step are left out. */
#include <string.h>

#include "../ev_test.h"
#include "ev_adapt_dims.h"
#include "ev_arch.h"

static const char *arch_json =
    "{\"name\":\"t\",\"features\":{\"inputs\":[\"zcr\",\"rms\"],\"frame_stride\":1},"
    "\"window\":4,\"architecture\":[{\"type\":\"dense\"},{\"type\":\"softmax\"}]}";

enum { N_CLIPS = 9, D = 2, T = 2 };

int main(void) {
  char err[256];
  ev_arch a;
  EV_CHECK(ev_arch_parse(arch_json, &a, err, sizeof err) == 0, "arch: %s", err);
  static const char *const spk[N_CLIPS] = {"X:A", "X:A", "X:B", "X:B", "X:C",
                                           "X:C", "X:D", "X:A", "X:B"};
  static const int label[N_CLIPS] = {0, 1, 0, 1, 0, 1, 0, 5, 0};
  static const float off0[4] = {0, 10, 20, 30}, off1[4] = {0, 0.1f, 0.2f, 0.3f};
  ev_clip_list clips;
  memset(&clips, 0, sizeof clips);
  static float x[N_CLIPS][2][T * D], rms[N_CLIPS][2][T];
  ev_feat_seq seq[N_CLIPS * 2];
  char ok[N_CLIPS];
  for (int c = 0; c < N_CLIPS; c++) {
    ev_clip_list_add(&clips, "clip", label[c], spk[c], spk[c][2] == 'D');
    const int s = spk[c][2] - 'A', l = label[c] == 1;
    for (int k = 0; k < 2; k++) {
      x[c][k][0] = k ? 500.0f : off0[s] + (float)l; /* step 0: speech */
      x[c][k][1] = k ? 500.0f : off1[s] + 5.0f * (float)l;
      x[c][k][2] = x[c][k][3] = 1000.0f;    /* step 1: quiet */
      rms[c][k][0] = c == 8 ? 1e-4f : 0.1f; /* the last clip: no speech at all */
      rms[c][k][1] = 1e-4f;
      seq[c * 2 + k] = (ev_feat_seq){T, D, x[c][k], rms[c][k], NULL};
    }
    ok[c] = 1;
  }
  ev_dataset ds;
  memset(&ds, 0, sizeof ds);
  ds.clips = &clips;
  ds.copies = 1;
  ds.seq = seq;
  ds.ok = ok;
  ds.D = D;
  ev_labelset ls;
  memset(&ls, 0, sizeof ls);
  ls.n = 2;
  for (int e = 0; e < EV_METRICS_MAX_CLASSES; e++)
    ls.index_of[e] = e < 2 ? e : -1;
  size_t idx[N_CLIPS];
  for (int c = 0; c < N_CLIPS; c++)
    idx[c] = (size_t)c;
  float adapt[D];
  ev_adapt_spread sp[D];
  EV_CHECK(ev_adapt_dims(&a, &ds, &ls, idx, N_CLIPS, 1.0, 0, adapt, sp) == 0, "within corpora");
  EV_CHECK_NEAR(sp[0].speaker, 100.0, 1e-3, "dim 0 speaker spread within corpora");
  EV_CHECK_NEAR(sp[1].speaker, 0.01, 1e-6, "dim 1 speaker spread within corpora");
  EV_CHECK_NEAR(sp[0].emotion, 0.5, 1e-5, "dim 0 emotion spread within corpora");
  EV_CHECK(ev_adapt_dims(&a, &ds, &ls, idx, N_CLIPS, 1.0, 1, adapt, sp) == 0, "ratio 1");
  EV_CHECK_NEAR(sp[0].speaker, 140.0, 1e-3, "dim 0 speaker spread");
  EV_CHECK_NEAR(sp[0].emotion, 0.5, 1e-5, "dim 0 emotion spread");
  EV_CHECK_NEAR(sp[1].speaker, 0.014, 1e-6, "dim 1 speaker spread");
  EV_CHECK_NEAR(sp[1].emotion, 12.5, 1e-4, "dim 1 emotion spread");
  EV_CHECK(adapt[0] == 1.0f && adapt[1] == 0.0f, "ratio 1: dim 0 adapts, dim 1 does not (%g %g)",
           adapt[0], adapt[1]);
  EV_CHECK(ev_adapt_dims(&a, &ds, &ls, idx, N_CLIPS, 300.0, 1, adapt, NULL) == 0, "ratio 300");
  EV_CHECK(adapt[0] == 0.0f && adapt[1] == 0.0f, "ratio 300: neither adapts (%g %g)", adapt[0],
           adapt[1]);
  /* speakers A and B with label 0 only: no speaker shows two labels, nothing to weigh */
  size_t two[2] = {0, 2};
  EV_CHECK(ev_adapt_dims(&a, &ds, &ls, two, 2, 1.0, 0, adapt, NULL) == 0, "two clips");
  EV_CHECK(adapt[0] == 1.0f && adapt[1] == 1.0f, "no emotion spread: every dimension adapts");
  ev_clip_list_free(&clips);
  ev_arch_free(&a);
  EV_TEST_END();
}
