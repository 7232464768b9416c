/* Per-speaker normalisation statistics against values computed by hand: two speakers, one
 * feature (zcr), stride 1; quiet frames (below the -50 dB gate) must not count. */
#include <string.h>

#include "../ev_test.h"
#include "ev_arch.h"
#include "ev_speaker_norm.h"

static const char *arch_json =
    "{\"name\":\"t\",\"features\":{\"inputs\":[\"zcr\"],\"frame_stride\":1},\"window\":4,"
    "\"architecture\":[{\"type\":\"dense\"},{\"type\":\"softmax\"}]}";

int main(void) {
  char err[256];
  ev_arch a;
  EV_CHECK(ev_arch_parse(arch_json, &a, err, sizeof err) == 0, "arch: %s", err);
  ev_clip_list clips;
  memset(&clips, 0, sizeof clips);
  ev_clip_list_add(&clips, "a1", 0, "X:A", 0);
  ev_clip_list_add(&clips, "b1", 1, "X:B", 0);
  ev_clip_list_add(&clips, "a2", 2, "X:A", 0);
  /* speaker A: speech values 1, 3 (clip a1) and 5 (clip a2); 100 is quiet, so ignored.
   * mean = 3, var = ((1-3)^2 + 0 + (5-3)^2) / 3 = 8/3. Speaker B: 2, 2 -> mean 2, var ~0. */
  float xa1[] = {1, 100, 3}, ra1[] = {0.1f, 1e-4f, 0.1f};
  float xb1[] = {2, 2}, rb1[] = {0.1f, 0.1f};
  float xa2[] = {5}, ra2[] = {0.1f};
  ev_feat_seq seq[3] = {{3, 1, xa1, ra1, NULL}, {2, 1, xb1, rb1, NULL}, {1, 1, xa2, ra2, NULL}};
  char ok[3] = {1, 1, 1};
  ev_dataset ds;
  memset(&ds, 0, sizeof ds);
  ds.clips = &clips;
  ds.copies = 0;
  ds.seq = seq;
  ds.ok = ok;
  ds.D = 1;
  size_t idx[3] = {0, 1, 2};
  ev_speaker_stats st;
  EV_CHECK(ev_speaker_stats_compute(&st, &a, &ds, idx, 3, 1, NULL) == 0, "compute");
  EV_CHECK(st.n == 2, "two speakers, got %zu", st.n);
  const float *ma = ev_speaker_stats_mean(&st, "X:A"), *va = ev_speaker_stats_var(&st, "X:A");
  const float *mb = ev_speaker_stats_mean(&st, "X:B"), *vb = ev_speaker_stats_var(&st, "X:B");
  EV_CHECK(ma && va && mb && vb, "both speakers found");
  if (ma && va && mb && vb) {
    EV_CHECK_NEAR(ma[0], 3.0, 1e-6, "mean of A");
    EV_CHECK_NEAR(va[0], 8.0 / 3.0, 1e-5, "variance of A");
    EV_CHECK_NEAR(mb[0], 2.0, 1e-6, "mean of B");
    EV_CHECK(vb[0] <= 1.01e-6f, "variance of B is the floor (std 1e-3), got %g", vb[0]);
  }
  EV_CHECK(ev_speaker_stats_mean(&st, "X:C") == NULL, "unknown speaker gives NULL");
  /* only clip a2 in the set: A's statistics come from it alone */
  ev_speaker_stats_free(&st);
  size_t only[1] = {2};
  EV_CHECK(ev_speaker_stats_compute(&st, &a, &ds, only, 1, 1, NULL) == 0, "compute subset");
  EV_CHECK(st.n == 1, "one speaker in the subset");
  ma = ev_speaker_stats_mean(&st, "X:A");
  EV_CHECK(ma && ma[0] == 5.0f, "subset mean is the single value");
  ev_speaker_stats_free(&st);
  ev_clip_list_free(&clips);
  ev_arch_free(&a);
  EV_TEST_END();
}
