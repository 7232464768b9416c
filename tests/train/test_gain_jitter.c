/* The trainer's gain augmentation (--gain-jitter, ev_feat_seq_gained): a clip's frames as if its
 * audio had been recorded louder. Against independent expectations: the speech gate's RMS
 * scales with the amplitude ratio, the MFCC deviations (mfcc_func) do not move, and the eGeMAPS
 * statistics move as ev_func_level_gain says (whose agreement with really scaled speech is
 * test_functionals_level's); a gain of 0 dB changes nothing. */
#include "ev_dataset.h"
#include "ev_functionals.h"
#include "ev_input.h"
#include "ev_test.h"

#include <math.h>
#include <string.h>

int main(void) {
  ev_input_config c;
  memset(&c, 0, sizeof c);
  ev_feature_config_default(&c.features);
  c.n_inputs = 2;
  c.inputs[0] = EV_FEAT_MFCC_FUNC; /* first, so that the eGeMAPS block is found at its offset */
  c.inputs[1] = EV_FEAT_EGEMAPS_FUNC;
  c.frame_stride = 10;
  const int D = ev_feature_dims(&c.features, EV_FEAT_MFCC_FUNC) + EV_FUNC_N;
  const int at = ev_input_config_offset(&c, EV_FEAT_EGEMAPS_FUNC);
  EV_REQUIRE(at > 0 && at + EV_FUNC_N == D, "eGeMAPS at %d of %d", at, D);
  enum { T = 3 };
  float x[T * 200], rms[T] = {0.1f, 0.01f, 0.0f};
  unsigned char speech[T] = {1, 0, 1};
  EV_REQUIRE(D <= 200, "%d dims", D);
  for (int i = 0; i < T * D; i++)
    x[i] = 0.3f + 0.01f * (float)(i % 97);
  ev_feat_seq raw = {T, D, x, rms, speech}, g;
  ev_func_level lv;
  EV_REQUIRE(ev_func_level_init(&lv, c.features.sample_rate) == 0, "level tables");
  for (int k = 0; k < 2; k++) {
    const float gain_db = k ? 6.0f : 0.0f;
    EV_REQUIRE(ev_feat_seq_gained(&c, &raw, gain_db, &g) == 0, "gained copy");
    EV_CHECK(g.T == T && g.D == D && g.x != x && g.speech != speech, "a copy");
    int same_mfcc = 1, as_model = 1, same_all = 1;
    for (int t = 0; t < T; t++) {
      EV_CHECK_NEAR(g.rms[t], rms[t] * pow(10.0, gain_db / 20.0), 1e-6, "RMS scales");
      EV_CHECK(g.speech[t] == speech[t], "speech flags kept");
      float want[EV_FUNC_N];
      memcpy(want, x + t * D + at, sizeof want);
      ev_func_level_gain(&lv, want, gain_db);
      for (int d = 0; d < at; d++)
        same_mfcc &= g.x[t * D + d] == x[t * D + d];
      for (int i = 0; i < EV_FUNC_N; i++)
        as_model &= fabsf(g.x[t * D + at + i] - want[i]) <= 1e-6f * (1.0f + fabsf(want[i]));
      for (int d = 0; d < D; d++)
        same_all &= g.x[t * D + d] == x[t * D + d];
    }
    EV_CHECK(same_mfcc, "%+g dB: the MFCC deviations do not move", gain_db);
    EV_CHECK(as_model, "%+g dB: the eGeMAPS statistics move as the gain model says", gain_db);
    EV_CHECK(k ? !same_all : same_all, "%+g dB: %s", gain_db,
             k ? "something moved" : "nothing moved");
    ev_feat_seq_free(&g);
  }
  EV_TEST_END();
}
