/* Session items (ev_sessions.h) against the adaptive normaliser's statistics computed by
 * hand: one feature, stride 1, prior mean 0 and std 1 counting as one step, no forgetting
 * (tau 1e6 s). After k speech steps v_1..v_k of a speaker the normaliser holds
 *   mu_k = (v_1 + ... + v_k) / (1 + k),  var_k = (1 + v_1^2 + ... + v_k^2) / (1 + k) - mu_k^2
 * (the prior is one pseudo-step of mean 0 and variance 1), and the step reads
 * (v_k - mu_k) / sqrt(var_k). Speaker B's session must start from the prior again. */
#include <math.h>
#include <string.h>

#include "../ev_test.h"
#include "ev_arch.h"
#include "ev_input.h"
#include "ev_sessions.h"

static const char *arch_json =
    "{\"name\":\"t\",\"features\":{\"inputs\":[\"zcr\"],\"frame_stride\":1},\"window\":1,"
    "\"session_items\":true,\"normalization\":{\"mode\":\"adaptive\",\"tau_s\":1e6,"
    "\"prior_frames\":1},\"architecture\":[{\"type\":\"dense\"},{\"type\":\"softmax\"}]}";

int main(void) {
  char err[256];
  ev_arch a;
  EV_REQUIRE(ev_arch_parse(arch_json, &a, err, sizeof err) == 0, "arch: %s", err);
  EV_CHECK(a.session_items == 1, "session_items parsed");
  ev_clip_list clips;
  memset(&clips, 0, sizeof clips);
  ev_clip_list_add(&clips, "a1", 0, "X:A", 0);
  ev_clip_list_add(&clips, "b1", 3, "X:B", 0);
  ev_clip_list_add(&clips, "a2", 1, "X:A", 0);
  ev_clip_list_add(&clips, "a3", 2, "X:A", 0);
  /* one speech step each (RMS well above the -50 dB gate) */
  float x[4] = {2, 10, 4, 6}, r[4] = {0.1f, 0.1f, 0.1f, 0.1f};
  ev_feat_seq seq[4];
  for (int i = 0; i < 4; i++)
    seq[i] = (ev_feat_seq){1, 1, &x[i], &r[i], NULL};
  char ok[4] = {1, 1, 1, 1};
  ev_dataset ds;
  memset(&ds, 0, sizeof ds);
  ds.clips = &clips;
  ds.seq = seq;
  ds.ok = ok;
  ds.D = 1;
  size_t idx[4] = {0, 1, 2, 3}, order[4];
  /* B acts one emotion: with EV_SESSION_MIN_LABELS (3) only A's three clips make a session */
  size_t kept[4];
  EV_CHECK(ev_session_order(&ds, idx, 4, EV_SESSION_MIN_LABELS, kept) == 3, "A's clips only");
  for (int i = 0; i < 3; i++)
    EV_CHECK(kept[i] != 1, "B's single-emotion clip is not in a session");
  EV_REQUIRE(ev_session_order(&ds, idx, 4, 1, order) == 4, "every clip with min_labels 1");
  /* a permutation with each speaker's clips together */
  int seen[4] = {0};
  for (int i = 0; i < 4; i++)
    seen[order[i]]++;
  EV_CHECK(seen[0] == 1 && seen[1] == 1 && seen[2] == 1 && seen[3] == 1, "a permutation");
  int b_at = 0;
  while (b_at < 4 && order[b_at] != 1)
    b_at++;
  EV_CHECK(b_at == 0 || b_at == 3, "speaker B's clip is not inside A's session (at %d)", b_at);
  size_t again[4];
  ev_session_order(&ds, idx, 4, 1, again);
  EV_CHECK(!memcmp(order, again, sizeof order), "the order is fixed");

  float prior_mean = 0.0f, prior_std = 1.0f;
  ev_input *in = ev_input_new(&a.input, &prior_mean, &prior_std, err, sizeof err);
  EV_REQUIRE(in, "ev_input_new: %s", err);
  ev_steps steps[4];
  EV_REQUIRE(ev_session_steps(&ds, in, order, 4, steps) == 0, "session steps");
  double s1 = 0, s2 = 1; /* the prior's pseudo-step: mean 0, E[x^2] = 1 */
  int k = 0;
  for (int i = 0; i < 4; i++) {
    EV_REQUIRE(steps[i].S == 1 && steps[i].D == 1, "clip %zu: one step", order[i]);
    const double v = x[order[i]];
    if (order[i] == 1) { /* B: a fresh normaliser */
      const double mu = v / 2, var = (1 + v * v) / 2 - mu * mu;
      EV_CHECK_NEAR(steps[i].x[0], (v - mu) / sqrt(var), 1e-5, "B starts from the prior");
      continue;
    }
    k++;
    s1 += v;
    s2 += v * v;
    const double mu = s1 / (1 + k), var = s2 / (1 + k) - mu * mu;
    EV_CHECK(fabs(steps[i].x[0] - (v - mu) / sqrt(var)) < 1e-5, "A's clip %d of the session: %g", k,
             (double)steps[i].x[0]);
  }
  EV_CHECK(k == 3, "three clips of A");
  /* a cold clip (ev_normalise_seq) reads differently from the same clip late in a session */
  const size_t last_a = order[3] == 1 ? order[2] : order[3];
  ev_steps cold;
  EV_REQUIRE(ev_normalise_seq(in, &seq[last_a], &cold) == 0, "cold steps");
  const double v = x[last_a];
  EV_CHECK_NEAR(cold.x[0], (v - v / 2) / sqrt((1 + v * v) / 2 - v * v / 4), 1e-5, "cold clip");
  ev_steps_free(&cold);
  for (int i = 0; i < 4; i++)
    ev_steps_free(&steps[i]);
  ev_input_free(in);
  ev_clip_list_free(&clips);
  ev_arch_free(&a);
  EV_TEST_END();
}
