/* The arousal term (--arousal-loss W, ev_net_train_crop_aux), against answers known without it:
 *  - its gradient: with the cross-entropy weighted 0, what a crop adds to every weight equals
 *    W times the finite difference of (sum_k p_k c_k - c_label)^2, the squared error of the
 *    expected coordinate under the softmax over every class;
 *  - off is off: coord NULL or weight 0 adds exactly what ev_net_train_crop adds;
 *  - what it does: where the network can represent the posterior, cross-entropy alone already
 *    gives the expected arousal with the least squared error (the posterior mean), so the term
 *    can only matter where it cannot. A linear softmax on one input, with the classes laid out
 *    non-monotonically (arousal +1 around x = 0, 0 around |x| = 1, -1 around |x| = 2), cannot;
 *    there the term lowers the expected arousal's squared error against the cross-entropy
 *    alone, at some cost in cross-entropy. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ev_arch.h"
#include "ev_augment.h"
#include "ev_net.h"
#include "ev_test.h"
#include "ev_trainer.h"
#include "train_test_net.h"

static const char *linear_json = "{\"name\":\"lin\",\"features\":{\"inputs\":[\"rms\"]},"
                                 "\"window\":1,\"architecture\":[{\"type\":\"dense\"}]}";
static const char *arch_json = "{\"name\":\"coord\",\"features\":{\"inputs\":[\"rms\"]},"
                               "\"window\":1,\"architecture\":[{\"type\":\"dense\",\"out\":5,"
                               "\"activation\":\"tanh\"},{\"type\":\"dense\"}]}";

static void build(ev_net *net, int in_dim, int classes, uint64_t seed) {
  train_test_build_net(net, arch_json, in_dim, classes, seed);
}

static double coord_loss(const ev_net *net, ev_work *w, const float *x, const float *c, int label,
                         int C) {
  const float *z = ev_net_forward(net, w, x, 1);
  double zmax = z[0], sum = 0.0, m = 0.0;
  for (int k = 1; k < C; k++)
    zmax = z[k] > zmax ? z[k] : zmax;
  for (int k = 0; k < C; k++)
    sum += exp(z[k] - zmax);
  for (int k = 0; k < C; k++)
    m += exp(z[k] - zmax) / sum * c[k];
  return (m - c[label]) * (m - c[label]);
}

static void test_gradient(void) {
  enum { D = 3, C = 4 };
  ev_net net;
  build(&net, D, C, 9);
  ev_work w;
  EV_REQUIRE(ev_work_init(&w, &net, 1) == 0, "workspace");
  const float x[D] = {0.7f, -0.4f, 1.2f}, c[C] = {0.0f, -0.6f, 0.8f, 0.35f};
  const int label = 1;
  const float W = 2.5f;
  memset(w.grad, 0, net.n_params * sizeof *w.grad);
  ev_net_train_crop_aux(&net, &w, x, 1, label, 0u, 0.0f, 0.0f, c, W, NULL);
  static float g[1024];
  EV_REQUIRE(net.n_params < 1024, "size");
  memcpy(g, w.grad, net.n_params * sizeof *g);
  double worst = 0.0;
  for (size_t k = 0; k < net.n_params; k++) {
    const float keep = net.w[k];
    const double eps = 1e-3;
    net.w[k] = keep + (float)eps;
    const double lp = coord_loss(&net, &w, x, c, label, C);
    net.w[k] = keep - (float)eps;
    const double lm = coord_loss(&net, &w, x, c, label, C);
    net.w[k] = keep;
    const double want = W * (lp - lm) / (2 * eps), e = fabs(g[k] - want);
    worst = e > worst ? e : worst;
    EV_CHECK(e < 1e-3 + 2e-2 * fabs(want), "weight %zu: %.6f, W * fd %.6f", k, g[k], want);
  }
  printf("gradient: worst |analytic - finite difference| %.2e\n", worst);
  /* off is off */
  static float g0[1024], g1[1024];
  memset(w.grad, 0, net.n_params * sizeof *w.grad);
  ev_net_train_crop(&net, &w, x, 1, label, 0u, 1.0f, 0.1f, NULL);
  memcpy(g0, w.grad, net.n_params * sizeof *g0);
  memset(w.grad, 0, net.n_params * sizeof *w.grad);
  ev_net_train_crop_aux(&net, &w, x, 1, label, 0u, 1.0f, 0.1f, c, 0.0f, NULL);
  memcpy(g1, w.grad, net.n_params * sizeof *g1);
  EV_CHECK(!memcmp(g0, g1, net.n_params * sizeof *g0), "weight 0 adds nothing, bit for bit");
  ev_work_free(&w, &net);
  ev_net_free(&net);
}

/* Three classes: arousal +1 at x ~ 0, 0 at x ~ +-1, -1 at x ~ +-2 (sd 0.3), through a linear
 * softmax. Returns the mean squared error of the expected arousal over the training draws. */
static double train_three(float W, double *acc) {
  enum { N = 600 };
  static float xs[N];
  static const float centre[3] = {2.0f, 1.0f, 0.0f}; /* |x| of labels 0 (-1), 1 (0), 2 (+1) */
  ev_item items[N];
  ev_rng r;
  ev_rng_seed(&r, 21);
  for (int i = 0; i < N; i++) {
    const int label = i % 3, side = (i / 3) % 2 ? 1 : -1;
    xs[i] = (float)(side * centre[label] + 0.3 * ev_rng_gauss(&r));
    items[i] = (ev_item){&xs[i], 1, label, 0u, 0};
  }
  ev_net net;
  train_test_build_net(&net, linear_json, 1, 3, 4);
  ev_train_opts o;
  train_test_opts(&o, 1);
  o.epochs = 100;
  o.lr = 0.02f;
  o.cosine = 1;
  o.smoothing = 0.0f;
  o.weight_decay = 0.0f;
  o.arousal_loss = W;
  o.class_arousal[0] = -1.0f;
  o.class_arousal[1] = 0.0f;
  o.class_arousal[2] = 1.0f;
  train_test_fit(&net, items, N, &o);
  ev_work w;
  EV_REQUIRE(ev_work_init(&w, &net, 1) == 0, "workspace");
  double se = 0.0;
  int right = 0;
  for (int i = 0; i < N; i++) {
    const int label = i % 3;
    const float *z = ev_net_forward(&net, &w, &xs[i], 1);
    double zmax = fmax(z[0], fmax(z[1], z[2])), p[3], s = 0.0;
    for (int k = 0; k < 3; k++)
      s += p[k] = exp(z[k] - zmax);
    const double m = (p[2] - p[0]) / s;
    se += (m - (label - 1)) * (m - (label - 1));
    right += (z[label] >= z[0] && z[label] >= z[1] && z[label] >= z[2]);
  }
  *acc = (double)right / N;
  ev_work_free(&w, &net);
  ev_net_free(&net);
  return se / N;
}

static void test_effect(void) {
  double acc0, acc1;
  const double e0 = train_three(0.0f, &acc0), e1 = train_three(5.0f, &acc1);
  printf("expected arousal's squared error: %.4f with the cross-entropy alone, %.4f with the "
         "arousal term; accuracy %.3f, %.3f\n",
         e0, e1, acc0, acc1);
  EV_CHECK(e1 < 0.9 * e0, "the term lowers the expected arousal's error (%.4f -> %.4f)", e0, e1);
  ev_train_opts d;
  ev_train_opts_default(&d);
  EV_CHECK(d.arousal_loss == 0.0f, "off by default (%g)", d.arousal_loss);
}

int main(void) {
  test_gradient();
  test_effect();
  EV_TEST_END();
}
