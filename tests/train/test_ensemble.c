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

/* Random subspaces (ev_train_opts.ensemble_inputs): trained through ev_ensemble_train on a
 * task only inputs 0 and 1 decide, every member's block of the merged first layer reads no
 * input it dropped (its column exactly 0) and every input it kept (a trained, non-zero column);
 * the members drop different inputs; with the share off no column is 0. */
static void subspace_checks(const ev_arch *a) {
  enum { D = 7, C = 4, K = 3, N = 160, H = 6 };
  static float x[N * D];
  ev_item items[N];
  for (int i = 0; i < N; i++) {
    for (int d = 0; d < D; d++)
      x[i * D + d] = (float)sin(1.7 * i + 2.3 * d + 0.1 * i * d);
    items[i] = (ev_item){x + i * D, 1, (x[i * D] > 0) * 2 + (x[i * D + 1] > 0), 0, 0};
  }
  for (int share_on = 0; share_on < 2; share_on++) {
    ev_train_opts o;
    ev_train_opts_default(&o);
    o.epochs = 3;
    o.batch = 16;
    o.threads = 1;
    o.window = 1;
    o.progress = 0;
    o.ensemble = K;
    o.ensemble_inputs = share_on ? 0.5f : 0.0f;
    ev_net merged;
    ev_train_result res = {0};
    char err[256] = "";
    EV_REQUIRE(ev_ensemble_train(&merged, a, D, C, items, N, NULL, 0, &o, &res, err, sizeof err) ==
                   0,
               "%s", err);
    const ev_param *W = ev_layer_param_const(&merged.layers[0], "weight");
    unsigned dropped[K] = {0};
    int zero_cols = 0;
    for (int k = 0; k < K; k++)
      for (int c = 0; c < D; c++) {
        int zeros = 0;
        for (int r = k * H; r < (k + 1) * H; r++)
          zeros += W->data[(size_t)r * D + (size_t)c] == 0.0f;
        EV_CHECK(zeros == 0 || zeros == H, "member %d, input %d: %d of %d weights 0", k, c, zeros,
                 H);
        if (zeros == H)
          dropped[k] |= 1u << c;
        zero_cols += zeros == H;
      }
    if (share_on) {
      for (int k = 0; k < K; k++)
        EV_CHECK(dropped[k] && dropped[k] != (1u << D) - 1, "member %d drops some inputs: %#x", k,
                 dropped[k]);
      EV_CHECK(dropped[0] != dropped[1] || dropped[1] != dropped[2],
               "the members drop different inputs: %#x %#x %#x", dropped[0], dropped[1],
               dropped[2]);
      printf("random subspaces: members drop inputs %#x %#x %#x\n", dropped[0], dropped[1],
             dropped[2]);
    } else {
      EV_CHECK(zero_cols == 0, "without subspaces every member reads every input (%d columns 0)",
               zero_cols);
    }
    ev_train_result_free(&res);
    ev_net_free(&merged);
  }
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
  subspace_checks(&a);
  for (int k = 0; k < K; k++) {
    ev_work_free(&w[k], &members[k]);
    ev_net_free(&members[k]);
  }
  ev_work_free(&wm, &merged);
  ev_net_free(&merged);
  ev_arch_free(&a);
  EV_TEST_END();
}
