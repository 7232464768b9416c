/* mixup (--mixup ALPHA), each part against an answer known without the trainer:
 *  - the weight lam = max(l, 1 - l), l ~ Beta(a, a): |l - 1/2| has E[(lam - 1/2)^2] = the
 *    Beta's variance 1 / (4 (2a + 1)) for every a, E[lam] = 3/4 at a = 1 (uniform) and
 *    11/16 at a = 2 (density 6 l (1 - l)); every draw within [1/2, 1];
 *  - what training converges to: two classes at x = -1 and x = +1 (equal counts, one batch an
 *    epoch, so a crop's partner is any clip of the batch alike). Without mixup the classes are
 *    separable and the logit slope grows without bound; with mixup a crop paired with the
 *    other class sits at x = (2 lam - 1) x_a with soft target lam, so the expected loss has a
 *    finite optimum w*: 0 = (sigma(w) - 1) / 2 + E_u[(sigma(w u) - (1 + u) / 2) u] / 2 with
 *    u = 2 lam - 1, uniform on [0, 1] at a = 1. The test finds w* by bisection with a
 *    midpoint rule and checks the trained net's p(x) = sigma(w* x);
 *  - off is off: --mixup 0 trains bit for bit as before (its draws come from a stream of their
 *    own, so the crops do not change either). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ev_arch.h"
#include "ev_augment.h"
#include "ev_net.h"
#include "ev_test.h"
#include "ev_trainer.h"

static void test_lambda(double a, double want_mean) {
  ev_rng r;
  ev_rng_seed(&r, 1234);
  enum { N = 200000 };
  double s1 = 0, s2 = 0, lo = 1, hi = 0;
  for (int i = 0; i < N; i++) {
    const double l = ev_mixup_lambda(&r, a);
    s1 += l;
    s2 += (l - 0.5) * (l - 0.5);
    lo = fmin(lo, l);
    hi = fmax(hi, l);
  }
  const double m2 = s2 / N, want_m2 = 1.0 / (4.0 * (2.0 * a + 1.0));
  EV_CHECK(lo >= 0.5 && hi <= 1.0, "a = %g: draws within [0.5, 1] (%.6f .. %.6f)", a, lo, hi);
  EV_CHECK(fabs(m2 - want_m2) < 0.002, "a = %g: E[(lam - 1/2)^2] %.5f, Beta variance %.5f", a, m2,
           want_m2);
  if (want_mean > 0)
    EV_CHECK(fabs(s1 / N - want_mean) < 0.002, "a = %g: E[lam] %.5f, expected %.5f", a, s1 / N,
             want_mean);
  printf("lambda a = %g: E[(lam - 1/2)^2] %.5f (expected %.5f), mean %.5f\n", a, m2, want_m2,
         s1 / N);
}

static double sigmoid(double z) {
  return 1.0 / (1.0 + exp(-z));
}

/* The derivative of the expected mixup loss in the logit slope w (see the top). */
static double mixup_gradient(double w) {
  enum { M = 20000 };
  double e = 0;
  for (int k = 0; k < M; k++) {
    const double u = (k + 0.5) / M;
    e += (sigmoid(w * u) - 0.5 * (1.0 + u)) * u;
  }
  return 0.5 * (sigmoid(w) - 1.0) + 0.5 * e / M;
}

static double mixup_optimum(void) {
  double lo = 0.0, hi = 50.0; /* the gradient is < 0 at 0 and > 0 at 50 */
  for (int i = 0; i < 100; i++) {
    const double mid = 0.5 * (lo + hi);
    if (mixup_gradient(mid) < 0)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

#define S 4 /* steps per item (= the window) */
static const char *arch_json = "{\"name\":\"lin\",\"features\":{\"inputs\":[\"rms\"]},"
                               "\"window\":4,\"architecture\":[{\"type\":\"dense\"}]}";

/* p(class 1) at x after training on N clips at -1 and +1 with mixup alpha (0: off). */
static int train_two_points(float alpha, const float *xs, int nx, float *p1, ev_net *out) {
  enum { N = 64 };
  static float minus[S], plus[S];
  for (int s = 0; s < S; s++) {
    minus[s] = -1.0f;
    plus[s] = 1.0f;
  }
  ev_item items[N];
  for (int i = 0; i < N; i++)
    items[i] = (ev_item){i % 2 ? plus : minus, S, i % 2, 0u, 0};
  char err[256];
  ev_arch arch;
  EV_REQUIRE(ev_arch_parse(arch_json, &arch, err, sizeof err) == 0, "arch: %s", err);
  EV_REQUIRE(ev_net_build(out, &arch, 1, 2, err, sizeof err) == 0, "build: %s", err);
  ev_net_init(out, 5);
  ev_train_opts o;
  ev_train_opts_default(&o);
  o.window = S;
  o.progress = 0;
  o.smoothing = 0;
  o.weight_decay = 0;
  o.balance = EV_BALANCE_NONE;
  o.epochs = 800;
  o.batch = N; /* one batch an epoch: partners drawn from every clip */
  o.lr = 0.05f;
  o.cosine = 1;
  o.mixup = alpha;
  ev_train_result res;
  EV_REQUIRE(ev_train(out, items, N, NULL, 0, &o, &res, err, sizeof err) == 0, "train: %s", err);
  ev_train_result_free(&res);
  for (int k = 0; k < nx; k++) {
    float x[S], p[2];
    int pred;
    for (int s = 0; s < S; s++)
      x[s] = xs[k];
    ev_item it = {x, S, 0, 0u, 0};
    ev_predict(out, &it, 1, S, 1, &pred, p, NULL);
    p1[k] = p[1];
  }
  ev_arch_free(&arch);
  return 0;
}

static void test_optimum(void) {
  const double w = mixup_optimum();
  static const float xs[3] = {0.25f, 0.5f, 1.0f};
  float mix[3], plain[3];
  ev_net a, b;
  train_two_points(1.0f, xs, 3, mix, &a);
  train_two_points(0.0f, xs, 3, plain, &b);
  for (int k = 0; k < 3; k++) {
    const double want = sigmoid(w * xs[k]);
    EV_CHECK(fabs(mix[k] - want) < 0.02, "mixup 1: p(x = %.2f) = %.4f, the optimum's %.4f", xs[k],
             mix[k], want);
    printf("x = %.2f: mixup p %.4f (optimum %.4f, slope %.3f), without %.4f\n", xs[k], mix[k], want,
           w, plain[k]);
  }
  const double slope = log(plain[2] / (1.0 - plain[2]));
  EV_CHECK(slope > 1.5 * w,
           "without mixup the separable classes are learnt with a far steeper "
           "logit: slope %.3f against the mixup optimum's %.3f",
           slope, w);
  ev_net_free(&a);
  ev_net_free(&b);
}

/* --mixup 0 against the options' default: the same weights, bit for bit. */
static void test_off_is_off(void) {
  static const float xs[1] = {0.5f};
  float p0[1], p1[1];
  ev_net a, b;
  train_two_points(0.0f, xs, 1, p0, &a);
  ev_train_opts d;
  ev_train_opts_default(&d);
  EV_CHECK(d.mixup == 0.0f, "mixup is off by default (%g)", d.mixup);
  train_two_points(d.mixup, xs, 1, p1, &b);
  EV_CHECK(a.n_params == b.n_params && !memcmp(a.w, b.w, a.n_params * sizeof *a.w),
           "the default trains as --mixup 0, bit for bit");
  ev_net_free(&a);
  ev_net_free(&b);
}

int main(void) {
  test_lambda(1.0, 0.75);
  test_lambda(2.0, 11.0 / 16.0);
  test_lambda(0.4, 0.0);
  test_optimum();
  test_off_is_off();
  EV_TEST_END();
}
