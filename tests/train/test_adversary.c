/* The corpus adversary (--adversary LAMBDA, ev_adversary.h), against answers known without it:
 *  - gradients: for one crop the head's gradient equals the finite difference of its loss
 *    (cross-entropy of the clip's corpus) in each head weight; the layers below the hidden layer
 *    get lambda times the finite difference of the confusion loss (the head's cross-entropy
 *    against every corpus alike), computed here from the forward pass and the head's weights;
 *    the output layer gets nothing;
 *  - a label that only one corpus has trains no head (the loss is 0 and nothing moves);
 *  - the ramp: 0 at the start, 2 / (1 + e^-10) - 1 of lambda at the end;
 *  - what it does: two corpora whose clips differ by a large offset in one input that carries
 *    no emotion. Trained without the adversary, the hidden layer keeps the corpus (the corpus
 *    means of each label lie far apart against the spread within a corpus); with it, that
 *    separation falls several-fold while the emotion is still learnt. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ev_adversary.h"
#include "ev_arch.h"
#include "ev_augment.h"
#include "ev_net.h"
#include "ev_test.h"
#include "ev_trainer.h"
#include "train_test_net.h"

static const char *arch_json = "{\"name\":\"adv\",\"features\":{\"inputs\":[\"rms\"]},"
                               "\"window\":1,\"architecture\":[{\"type\":\"dense\",\"out\":6,"
                               "\"activation\":\"tanh\"},{\"type\":\"dense\"}]}";

static void build(ev_net *net, int in_dim, int classes, uint64_t seed) {
  train_test_build_net(net, arch_json, in_dim, classes, seed);
}

/* The head's loss for one crop with the current weights (no gradient kept). */
static double head_loss(ev_adversary *a, const ev_net *net, ev_work *w, const float *x, int label,
                        int group) {
  const double l = ev_adversary_crop(a, 0, net, w, x, 1, label, group, 1.0f, 0.0f);
  memset(a->g, 0, a->n * sizeof *a->g);
  memset(w->grad, 0, net->n_params * sizeof *w->grad);
  return l;
}

/* The confusion loss, from the net's forward pass and the head's weights alone: the mean over
 * the label's corpora of -log p(corpus). */
static double confusion_loss(const ev_adversary *a, const ev_net *net, ev_work *w, const float *x,
                             int label) {
  ev_net_forward(net, w, x, 1);
  const float *h = w->act[a->top];
  double z[16], zmax = -1e300, sum = 0;
  int n = 0;
  for (int g = 0; g < a->G; g++) {
    if (!(a->has[label] & (1u << g)))
      continue;
    const float *wg = a->w + ((size_t)label * a->G + g) * (size_t)(a->H + 1);
    z[g] = wg[a->H];
    for (int k = 0; k < a->H; k++)
      z[g] += (double)wg[k] * h[k];
    zmax = z[g] > zmax ? z[g] : zmax;
  }
  for (int g = 0; g < a->G; g++)
    if (a->has[label] & (1u << g))
      sum += exp(z[g] - zmax);
  double l = 0;
  for (int g = 0; g < a->G; g++)
    if (a->has[label] & (1u << g)) {
      l += log(sum) + zmax - z[g];
      n++;
    }
  return l / n;
}

static void test_gradients(void) {
  enum { D = 4, C = 3 };
  ev_net net;
  build(&net, D, C, 7);
  ev_work w;
  EV_REQUIRE(ev_work_init(&w, &net, 1) == 0, "workspace");
  const unsigned has[C] = {0x7u, 0x3u, 0x1u}; /* label 2: one corpus only */
  ev_adversary a;
  char err[256];
  EV_REQUIRE(ev_adversary_init(&a, &net, has, 1, err, sizeof err) == 0, "init: %s", err);
  EV_CHECK(a.G == 3 && a.H == 6 && a.C == C, "head: %d corpora, width %d, %d labels", a.G, a.H,
           a.C);
  ev_rng r;
  ev_rng_seed(&r, 11);
  for (size_t k = 0; k < a.n; k++)
    a.w[k] = (float)ev_rng_range(&r, -1.0, 1.0);
  const float x[D] = {0.3f, -0.8f, 0.5f, 1.1f};
  const int label = 0, group = 1;
  const float lambda = 0.7f, weight = 1.5f;
  memset(w.grad, 0, net.n_params * sizeof *w.grad);
  ev_adversary_crop(&a, 0, &net, &w, x, 1, label, group, weight, lambda);
  static float gnet[4096], ghead[4096];
  EV_REQUIRE(net.n_params < 4096 && a.n < 4096, "sizes");
  memcpy(gnet, w.grad, net.n_params * sizeof *gnet);
  memcpy(ghead, a.g, a.n * sizeof *ghead);
  memset(a.g, 0, a.n * sizeof *a.g);
  const double eps = 1e-3;
  double worst_net = 0, worst_head = 0;
  const size_t top_off = net.offset[a.top];
  for (size_t k = 0; k < net.n_params; k++) {
    const float keep = net.w[k];
    net.w[k] = keep + (float)eps;
    const double lp = confusion_loss(&a, &net, &w, x, label);
    net.w[k] = keep - (float)eps;
    const double lm = confusion_loss(&a, &net, &w, x, label);
    net.w[k] = keep;
    const double fd = (lp - lm) / (2 * eps);
    if (k >= top_off) { /* the output layer: the head does not read it */
      EV_CHECK(gnet[k] == 0.0f, "output layer weight %zu gets no adversary gradient (%g)", k,
               gnet[k]);
      continue;
    }
    const double want = lambda * weight * fd, err_k = fabs(gnet[k] - want);
    worst_net = err_k > worst_net ? err_k : worst_net;
    EV_CHECK(err_k < 2e-3 + 2e-2 * fabs(want), "layer weight %zu: %.6f, lambda * fd %.6f", k,
             gnet[k], want);
  }
  for (size_t k = 0; k < a.n; k++) {
    const float keep = a.w[k];
    a.w[k] = keep + (float)eps;
    const double lp = head_loss(&a, &net, &w, x, label, group);
    a.w[k] = keep - (float)eps;
    const double lm = head_loss(&a, &net, &w, x, label, group);
    a.w[k] = keep;
    const double want = weight * (lp - lm) / (2 * eps), err_k = fabs(ghead[k] - want);
    worst_head = err_k > worst_head ? err_k : worst_head;
    EV_CHECK(err_k < 2e-3 + 2e-2 * fabs(want), "head weight %zu: %.6f, fd %.6f", k, ghead[k], want);
  }
  printf("gradients: worst |analytic - finite difference| %.2e (layers), %.2e (head)\n", worst_net,
         worst_head);
  /* label 2 is in one corpus only: nothing to learn, nothing moves */
  memset(w.grad, 0, net.n_params * sizeof *w.grad);
  const float l2 = ev_adversary_crop(&a, 0, &net, &w, x, 1, 2, 0, 1.0f, 1.0f);
  double moved = 0;
  for (size_t k = 0; k < net.n_params; k++)
    moved += fabs(w.grad[k]);
  for (size_t k = 0; k < a.n; k++)
    moved += fabs(a.g[k]);
  EV_CHECK(l2 == 0.0f && moved == 0.0, "a label of one corpus trains no head (loss %g, %g)", l2,
           moved);
  ev_adversary_free(&a);
  ev_work_free(&w, &net);
  ev_net_free(&net);
}

static void test_ramp(void) {
  EV_CHECK(ev_adversary_ramp(0.5, 0.0) == 0.0, "ramp starts at 0");
  const double end = 0.5 * (2.0 / (1.0 + exp(-10.0)) - 1.0);
  EV_CHECK(fabs(ev_adversary_ramp(0.5, 1.0) - end) < 1e-12, "ramp ends at %.6f", end);
  EV_CHECK(ev_adversary_ramp(0.5, 0.2) < ev_adversary_ramp(0.5, 0.4), "ramp rises");
}

/* Two corpora, two labels: x0 = +-1 (the emotion) + noise, x1 = +-2 (the corpus) + noise. Returns
 * the hidden layer's corpus separation: per label, the squared distance between the two
 * corpora's mean hidden vectors over the mean within-corpus variance, averaged over the labels;
 * and the training accuracy of the emotion. */
static void train_two_corpora(float lambda, double *separation, double *acc) {
  enum { N = 256, D = 2 };
  static float xs[N][D];
  ev_item items[N];
  ev_rng r;
  ev_rng_seed(&r, 3);
  for (int i = 0; i < N; i++) {
    const int label = i % 2, group = (i / 2) % 2;
    xs[i][0] = (label ? 1.0f : -1.0f) + 0.5f * (float)ev_rng_gauss(&r);
    xs[i][1] = (group ? 2.0f : -2.0f) + 0.5f * (float)ev_rng_gauss(&r);
    items[i] = (ev_item){xs[i], 1, label, 0u, group};
  }
  ev_net net;
  build(&net, D, 2, 5);
  ev_train_opts o;
  train_test_opts(&o, 1);
  o.epochs = 150;
  o.lr = 0.01f;
  o.cosine = 1;
  o.adversary = lambda;
  ev_train_result res;
  char err[256];
  EV_REQUIRE(ev_train(&net, items, N, NULL, 0, &o, &res, err, sizeof err) == 0, "train: %s", err);
  if (lambda > 0.0f) /* the confusion's optimum: the head at chance, ln 2 */
    EV_CHECK(fabs(res.hist[res.n_hist - 1].adv_loss - log(2.0)) < 0.05,
             "the head ends near chance: loss %.4f, ln 2 = %.4f", res.hist[res.n_hist - 1].adv_loss,
             log(2.0));
  ev_train_result_free(&res);
  ev_work w;
  EV_REQUIRE(ev_work_init(&w, &net, 1) == 0, "workspace");
  const int top = net.n_layers - 2, H = net.layers[top].in_dim;
  double mean[2][2][8] = {{{0}}}, sq[2][2] = {{0}};
  int n[2][2] = {{0}}, right = 0;
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < N; i++) {
      const int label = i % 2, group = (i / 2) % 2;
      const float *logits = ev_net_forward(&net, &w, xs[i], 1);
      const float *h = w.act[top];
      if (pass == 0) {
        right += (logits[1] > logits[0]) == label;
        n[label][group]++;
        for (int k = 0; k < H; k++)
          mean[label][group][k] += h[k];
      } else {
        for (int k = 0; k < H; k++) {
          const double d = h[k] - mean[label][group][k] / n[label][group];
          sq[label][group] += d * d;
        }
      }
    }
  double sep = 0;
  for (int label = 0; label < 2; label++) {
    double between = 0;
    for (int k = 0; k < H; k++) {
      const double d = mean[label][1][k] / n[label][1] - mean[label][0][k] / n[label][0];
      between += d * d;
    }
    const double within = 0.5 * (sq[label][0] / n[label][0] + sq[label][1] / n[label][1]) + 1e-12;
    sep += 0.5 * between / within;
  }
  *separation = sep;
  *acc = (double)right / N;
  ev_work_free(&w, &net);
  ev_net_free(&net);
}

static void test_effect(void) {
  double sep0, acc0, sep1, acc1;
  train_two_corpora(0.0f, &sep0, &acc0);
  train_two_corpora(1.0f, &sep1, &acc1);
  printf("hidden corpus separation: %.3f without the adversary, %.3f with it; emotion accuracy "
         "%.3f, %.3f (Bayes about 0.977)\n",
         sep0, sep1, acc0, acc1);
  EV_CHECK(sep1 < sep0 / 4.0,
           "the adversary removes the corpus from the hidden layer (%.3f -> %.3f)", sep0, sep1);
  EV_CHECK(acc1 > 0.93 && acc0 > 0.93, "the emotion is still learnt (%.3f, %.3f)", acc0, acc1);
  ev_train_opts d;
  ev_train_opts_default(&d);
  EV_CHECK(d.adversary == 0.0f, "off by default (%g)", d.adversary);
}

int main(void) {
  test_gradients();
  test_ramp();
  test_effect();
  EV_TEST_END();
}
