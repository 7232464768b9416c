/* Dropout while training (--dropout P, ev_work.dropout), against answers known without it:
 *  - the mask: every hidden dense unit's output is either 0 or its value without dropout times
 *    1 / (1 - P), exactly; about P of them are 0 (over many seeds); the logits are not dropped;
 *  - its gradient: with a fixed mask seed the loss is a function of the weights, and what a crop
 *    adds to every weight equals the finite difference of that loss;
 *  - one seed, one network: two passes with a seed give the same logits, another seed others,
 *    and P = 0 gives bit for bit what a workspace that never heard of dropout gives;
 *  - training with it: a network trained with P = 0.3 still separates three clusters (>= 95 %),
 *    and the run is the same with one thread or two. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ev_arch.h"
#include "ev_augment.h"
#include "ev_net.h"
#include "ev_test.h"
#include "ev_trainer.h"
#include "train_test_net.h"

static const char *arch_json = "{\"name\":\"drop\",\"features\":{\"inputs\":[\"rms\"]},"
                               "\"window\":1,\"architecture\":["
                               "{\"type\":\"dense\",\"out\":24,\"activation\":\"relu\"},"
                               "{\"type\":\"dense\",\"out\":12,\"activation\":\"relu\"},"
                               "{\"type\":\"dense\"}]}";

static void build(ev_net *net, int in_dim, int classes, uint64_t seed) {
  train_test_build_net(net, arch_json, in_dim, classes, seed);
}

enum { D = 4, C = 3, H1 = 24 };
static const float x0[D] = {0.7f, -0.4f, 1.2f, 0.3f};

static void test_mask(void) {
  ev_net net;
  build(&net, D, C, 5);
  ev_work w;
  EV_REQUIRE(ev_work_init(&w, &net, 1) == 0, "workspace");
  float plain[H1], logits0[C];
  const float *z = ev_net_forward(&net, &w, x0, 1);
  memcpy(logits0, z, sizeof logits0);
  memcpy(plain, w.act[1], sizeof plain);
  int positive = 0;
  for (int k = 0; k < H1; k++)
    positive += plain[k] > 0.0f;
  EV_REQUIRE(positive >= 6, "enough active units to measure (%d)", positive);
  const float p = 0.3f, s = 1.0f / (1.0f - p);
  long zeroed = 0, active = 0, wrong = 0;
  for (uint64_t seed = 1; seed <= 400; seed++) {
    w.dropout = p;
    w.dropout_seed = seed;
    ev_net_forward(&net, &w, x0, 1);
    for (int k = 0; k < H1; k++) {
      if (plain[k] <= 0.0f) {
        wrong += w.act[1][k] != 0.0f;
        continue;
      }
      active++;
      if (w.act[1][k] == 0.0f)
        zeroed++;
      else
        wrong += w.act[1][k] != plain[k] * s;
    }
  }
  EV_CHECK(wrong == 0, "%ld units neither 0 nor their value times 1/(1-P)", wrong);
  const double rate = (double)zeroed / (double)active;
  printf("mask: %.4f of %ld active units zeroed at P = %.1f\n", rate, active, (double)p);
  EV_CHECK(fabs(rate - p) < 0.03, "zeroed share %.4f, P %.2f", rate, (double)p);
  /* one seed, one network; another seed, another */
  float a[C], b[C], c[C];
  w.dropout_seed = 77;
  memcpy(a, ev_net_forward(&net, &w, x0, 1), sizeof a);
  memcpy(b, ev_net_forward(&net, &w, x0, 1), sizeof b);
  w.dropout_seed = 78;
  memcpy(c, ev_net_forward(&net, &w, x0, 1), sizeof c);
  EV_CHECK(!memcmp(a, b, sizeof a), "the same seed gives the same logits");
  EV_CHECK(memcmp(a, c, sizeof a) != 0, "another seed gives other logits");
  /* off is off */
  w.dropout = 0.0f;
  EV_CHECK(!memcmp(ev_net_forward(&net, &w, x0, 1), logits0, sizeof logits0),
           "P = 0 gives the logits of a network without dropout, bit for bit");
  ev_work_free(&w, &net);
  ev_net_free(&net);
}

static void test_gradient(void) {
  ev_net net;
  build(&net, D, C, 9);
  ev_work w;
  EV_REQUIRE(ev_work_init(&w, &net, 1) == 0, "workspace");
  static float g[4096];
  EV_REQUIRE(net.n_params < 4096, "size");
  const int label = 2;
  w.dropout = 0.4f;
  w.dropout_seed = 12345;
  memset(w.grad, 0, net.n_params * sizeof *w.grad);
  ev_net_train_crop(&net, &w, x0, 1, label, 0u, 1.0f, 0.0f, NULL);
  memcpy(g, w.grad, net.n_params * sizeof *g);
  int dropped = 0;
  for (int k = 0; k < H1; k++)
    dropped += w.drop[1][k] == 0.0f;
  EV_CHECK(dropped > 0 && dropped < H1, "the seed drops some units (%d of %d)", dropped, H1);
  double worst = 0.0;
  int zero_grad_rows = 0;
  for (size_t k = 0; k < net.n_params; k++) {
    const float keep = net.w[k];
    const double eps = 1e-3;
    net.w[k] = keep + (float)eps;
    const double lp = ev_net_train_crop(&net, &w, x0, 1, label, 0u, 1.0f, 0.0f, NULL);
    net.w[k] = keep - (float)eps;
    const double lm = ev_net_train_crop(&net, &w, x0, 1, label, 0u, 1.0f, 0.0f, NULL);
    net.w[k] = keep;
    const double want = (lp - lm) / (2 * eps), e = fabs(g[k] - want);
    worst = e > worst ? e : worst;
    zero_grad_rows += g[k] == 0.0f;
    EV_CHECK(e < 1e-3 + 2e-2 * fabs(want), "weight %zu: %.6f, finite difference %.6f", k, g[k],
             want);
  }
  printf("gradient: worst |analytic - finite difference| %.2e over %zu weights (%d exactly 0)\n",
         worst, net.n_params, zero_grad_rows);
  ev_work_free(&w, &net);
  ev_net_free(&net);
}

/* Three clusters in D dimensions, trained with dropout P on `threads` threads; returns the
 * training accuracy and leaves the weights in out. */
static double train_clusters(float p, int threads, float *out, size_t *n_out) {
  enum { N = 600 };
  static float xs[N][D];
  ev_item items[N];
  ev_rng r;
  ev_rng_seed(&r, 21);
  for (int i = 0; i < N; i++) {
    const int label = i % C;
    for (int d = 0; d < D; d++)
      xs[i][d] = (float)((d == label ? 2.0 : 0.0) + 0.4 * ev_rng_gauss(&r));
    items[i] = (ev_item){xs[i], 1, label, 0u, 0};
  }
  ev_net net;
  build(&net, D, C, 4);
  ev_train_opts o;
  train_test_opts(&o, threads);
  o.epochs = 20;
  o.lr = 0.01f;
  o.cosine = 1;
  o.dropout = p;
  train_test_fit(&net, items, N, &o);
  ev_work w;
  EV_REQUIRE(ev_work_init(&w, &net, 1) == 0, "workspace");
  int right = 0;
  for (int i = 0; i < N; i++) {
    const float *z = ev_net_forward(&net, &w, xs[i], 1);
    int best = 0;
    for (int k = 1; k < C; k++)
      best = z[k] > z[best] ? k : best;
    right += best == i % C;
  }
  memcpy(out, net.w, net.n_params * sizeof *out);
  *n_out = net.n_params;
  ev_work_free(&w, &net);
  ev_net_free(&net);
  return (double)right / N;
}

static void test_training(void) {
  static float w1[4096], w2[4096];
  size_t n1 = 0, n2 = 0;
  const double acc = train_clusters(0.3f, 1, w1, &n1);
  printf("trained with P = 0.3: accuracy %.3f\n", acc);
  EV_CHECK(acc >= 0.95, "a network trained with dropout separates the clusters: %.3f", acc);
  train_clusters(0.3f, 2, w2, &n2);
  EV_CHECK(n1 == n2 && !memcmp(w1, w2, n1 * sizeof *w1),
           "the same weights with one thread and with two");
}

int main(void) {
  test_mask();
  test_gradient();
  test_training();
  EV_TEST_END();
}
