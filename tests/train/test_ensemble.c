/* ev_ensemble: K dense networks merged into one wider network give the mean of their logits,
 * through the trainer's forward pass and through the exported model the plugin runs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ev_ensemble.h"
#include "ev_test.h"

static int parse(const char *layers, ev_arch *a) {
  char json[1024], err[256];
  snprintf(json, sizeof json,
           "{\"name\":\"t\",\"features\":{\"inputs\":[\"rms\"]},\"window\":1,"
           "\"architecture\":%s}",
           layers);
  int rc = ev_arch_parse(json, a, err, sizeof err);
  EV_CHECK(rc == 0, "%s", err);
  return rc;
}

int main(void) {
  enum { D = 7, C = 4, K = 3 };
  char err[256];
  ev_arch a;
  if (parse("[{\"type\":\"dense\",\"out\":6,\"activation\":\"relu\"},"
            "{\"type\":\"dense\",\"out\":5,\"activation\":\"tanh\"},"
            "{\"type\":\"dense\"},{\"type\":\"softmax\"}]",
            &a) != 0)
    EV_TEST_END();
  ev_net members[K], merged;
  for (int k = 0; k < K; k++) {
    EV_REQUIRE(ev_net_build(&members[k], &a, D, C, err, sizeof err) == 0, "%s", err);
    ev_net_init(&members[k], 11 + (uint64_t)k);
    for (size_t i = 0; i < members[k].n_params; i++) /* non-zero biases too */
      members[k].w[i] += 0.05f * (float)sin((double)(i * (k + 2)));
  }
  EV_REQUIRE(ev_ensemble_merge(&merged, &a, members, K, err, sizeof err) == 0, "%s", err);
  EV_CHECK(merged.layers[0].out_dim == 6 * K && merged.layers[1].out_dim == 5 * K &&
               merged.layers[2].out_dim == C,
           "widths %d %d %d", merged.layers[0].out_dim, merged.layers[1].out_dim,
           merged.layers[2].out_dim);
  ev_work wm, w[K];
  EV_REQUIRE(ev_work_init(&wm, &merged, 1) == 0, "workspace");
  for (int k = 0; k < K; k++)
    EV_REQUIRE(ev_work_init(&w[k], &members[k], 1) == 0, "workspace");
  double worst = 0;
  for (int trial = 0; trial < 20; trial++) {
    float x[D];
    for (int d = 0; d < D; d++)
      x[d] = (float)(2.0 * sin(0.37 * (trial * D + d) + 1.0));
    double mean[C] = {0};
    for (int k = 0; k < K; k++) {
      const float *lk = ev_net_forward(&members[k], &w[k], x, 1);
      for (int c = 0; c < C; c++)
        mean[c] += lk[c] / K;
    }
    const float *lm = ev_net_forward(&merged, &wm, x, 1);
    for (int c = 0; c < C; c++)
      worst = fmax(worst, fabs(lm[c] - mean[c]));
  }
  EV_CHECK(worst < 1e-5, "merged logits = mean of the members' logits (largest difference %.3g)",
           worst);
  printf("ensemble of %d: %zu parameters (a member %zu); largest logit difference %.3g\n", K,
         merged.n_params, members[0].n_params, worst);

  /* K = 1 is the member itself */
  ev_net one;
  EV_REQUIRE(ev_ensemble_merge(&one, &a, members, 1, err, sizeof err) == 0, "%s", err);
  EV_CHECK(one.n_params == members[0].n_params &&
               !memcmp(one.w, members[0].w, one.n_params * sizeof *one.w),
           "an ensemble of one is its member, bit for bit");
  ev_net_free(&one);

  /* other layer kinds are refused with a reason */
  ev_arch g;
  if (parse("[{\"type\":\"gru\",\"hidden\":4},{\"type\":\"dense\"}]", &g) == 0) {
    ev_net gm[2], bad;
    EV_REQUIRE(ev_net_build(&gm[0], &g, D, C, err, sizeof err) == 0, "%s", err);
    EV_REQUIRE(ev_net_build(&gm[1], &g, D, C, err, sizeof err) == 0, "%s", err);
    err[0] = 0;
    EV_CHECK(ev_ensemble_merge(&bad, &g, gm, 2, err, sizeof err) != 0 && strstr(err, "gru"),
             "a GRU architecture is refused: %s", err);
    ev_net_free(&gm[0]);
    ev_net_free(&gm[1]);
    ev_arch_free(&g);
  }
  for (int k = 0; k < K; k++) {
    ev_work_free(&w[k], &members[k]);
    ev_net_free(&members[k]);
  }
  ev_work_free(&wm, &merged);
  ev_net_free(&merged);
  ev_arch_free(&a);
  EV_TEST_END();
}
