/* --voice-swap (ev_voice_swap.h) against offsets worked out by hand. Two inputs, two labels with
 * centres (0, 0) and (10, 10), three speakers:
 *   A: label 0 frames (1, 2) and (3, 2), label 1 frame (11, 14)  -> offset (5/3, 8/3)
 *      plus a frame outside the speech gate (100, 100) and one with a NaN: both ignored;
 *   B: label 1 frame (7, 40)                                      -> (-3, 30), limited to
 *      3 spreads of the second input (spread 4: 12)               -> (-3, 12);
 *   C: one clip without a label (-1)                              -> no offset at all.
 * Required to have been heard in two emotions, B (one) has none either.
 * A delta is share * (o_other - o_own), the other speaker drawn from (seed, clip, copy) alone. */
#include <math.h>
#include <string.h>

#include "../ev_test.h"
#include "ev_voice_swap.h"

int main(void) {
  ev_clip_list clips;
  memset(&clips, 0, sizeof clips);
  ev_clip_list_add(&clips, "a0", 0, "X:A", 0);
  ev_clip_list_add(&clips, "b1", 0, "X:B", 0);
  ev_clip_list_add(&clips, "a1", 0, "X:A", 0);
  ev_clip_list_add(&clips, "c", 0, "X:C", 0);
  const int label_of[4] = {0, 1, 1, -1};
  float xa0[4 * 2] = {1, 2, 100, 100, 3, 2, NAN, 5}, ra0[4] = {1, 1, 1, 1};
  unsigned char sa0[4] = {1, 0, 1, 1};
  float xb1[2] = {7, 40}, xa1[2] = {11, 14}, xc[2] = {50, 50}, r1[1] = {1};
  ev_feat_seq seq[4] = {
      {4, 2, xa0, ra0, sa0}, {1, 2, xb1, r1, NULL}, {1, 2, xa1, r1, NULL}, {1, 2, xc, r1, NULL}};
  char ok[4] = {1, 1, 1, 1};
  const ev_dataset ds = {.clips = &clips, .seq = seq, .ok = ok, .D = 2};
  const float centres[2 * 2] = {0, 0, 10, 10}, spread[2] = {10, 4};
  const size_t idx[4] = {0, 1, 2, 3};
  ev_voices v;
  EV_REQUIRE(ev_voices_compute(&v, &ds, label_of, idx, 4, centres, spread, 2, 1) == 0, "offsets");
  EV_REQUIRE(v.n == 2, "two speakers with a labelled clip (%zu)", v.n);
  const int a = strcmp(v.speaker[0], "X:A") ? 1 : 0, b = 1 - a;
  EV_CHECK(!strcmp(v.speaker[a], "X:A") && !strcmp(v.speaker[b], "X:B"), "A and B");
  EV_CHECK_NEAR(v.offset[a * 2 + 0], 5.0 / 3.0, 1e-6, "A, first input: (1 + 3 + 1) / 3");
  EV_CHECK_NEAR(v.offset[a * 2 + 1], 8.0 / 3.0, 1e-6, "A, second input: (2 + 2 + 4) / 3");
  EV_CHECK_NEAR(v.offset[b * 2 + 0], -3.0, 1e-6, "B, first input");
  EV_CHECK_NEAR(v.offset[b * 2 + 1], 12.0, 1e-6, "B, second input limited to 3 spreads");

  float buf[2];
  EV_CHECK(ev_voices_delta(&v, "X:C", 1, 3, 0, 1.0f, buf) == NULL, "C has no offset: no move");
  int drew_other = 0, drew_self = 0;
  for (size_t clip = 0; clip < 64; clip++) {
    const float *d = ev_voices_delta(&v, "X:A", 7, clip, 1, 0.5f, buf);
    EV_REQUIRE(d == buf, "A moves");
    const float d0 = d[0], d1 = d[1];
    if (d0 == 0.0f && d1 == 0.0f) {
      drew_self++;
    } else {
      drew_other++;
      EV_CHECK_NEAR(d0, 0.5 * (-3.0 - 5.0 / 3.0), 1e-6, "half of B - A, first input");
      EV_CHECK_NEAR(d1, 0.5 * (12.0 - 8.0 / 3.0), 1e-6, "half of B - A, second input");
    }
    const float *again = ev_voices_delta(&v, "X:A", 7, clip, 1, 0.5f, buf);
    EV_CHECK(again[0] == d0 && again[1] == d1, "clip %zu: the same draw again", clip);
  }
  EV_CHECK(drew_other > 16 && drew_self > 16, "both speakers drawn (%d other, %d self)", drew_other,
           drew_self);

  ev_voices one;
  const size_t only_a[2] = {0, 2};
  EV_REQUIRE(ev_voices_compute(&one, &ds, label_of, only_a, 2, centres, spread, 2, 1) == 0,
             "A alone");
  EV_CHECK(ev_voices_delta(&one, "X:A", 1, 0, 0, 1.0f, buf) == NULL, "one voice: nothing to swap");
  ev_voices_free(&one);

  /* B was heard in one emotion only: with two required, A stands alone and nothing moves */
  ev_voices two;
  EV_REQUIRE(ev_voices_compute(&two, &ds, label_of, idx, 4, centres, spread, 2, 2) == 0, "two");
  EV_CHECK(two.n == 1 && !strcmp(two.speaker[0], "X:A"), "only A is heard in two emotions");
  EV_CHECK_NEAR(two.offset[0], 5.0 / 3.0, 1e-6, "A's offset as before");
  EV_CHECK(ev_voices_delta(&two, "X:B", 1, 1, 0, 1.0f, buf) == NULL, "B does not move");
  EV_CHECK(ev_voices_delta(&two, "X:A", 1, 0, 0, 1.0f, buf) == NULL, "nor A, alone");
  ev_voices_free(&two);
  ev_voices_free(&v);
  ev_clip_list_free(&clips);
  EV_TEST_END();
}
