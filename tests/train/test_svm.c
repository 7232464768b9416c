/* The SVM baseline's parts on synthetic problems whose answers are known:
 *  - standardisation: the mean and population std of the chosen rows only, constant dims kept;
 *  - three concentric rings (not linearly separable): the RBF SVM classifies held-out points
 *    exactly as the nearest-ring rule, with probabilities near 1 that sum to 1;
 *  - class balance: 900 rows N(0,1) against 100 rows N(2,1) in one dimension; the Bayes
 *    boundary is at 1 for equal priors and at 1 + ln(9)/2 = 2.10 for the 9:1 priors, so a point
 *    at 1.6 goes to the small class with balanced weights and to the large one without;
 *  - the grouped search picks the gamma that works on the rings over one that underfits, and
 *    gives the same scores on 1 and 2 threads;
 *  - the whole split (its search capped at 150 of 240 rows): the test rows influence nothing
 * (adding far-away test rows leaves the other rows' probabilities bit-identical), and training rows
 * in other units (x 50 + 100) give the same answers, as standardisation with training statistics
 * should. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_svm.h"
#include "ev_test.h"

static uint64_t rng_state = 88172645463325252ull;
static double uniform(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void) {
  return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

static void check_standardizer(void) {
  /* rows 0..3 are the training rows: dim 0 = 1,3,1,3 (mean 2, std 1), dim 1 constant 5;
   * rows 4, 5 are wild and must not count */
  const float X[] = {1, 5, 3, 5, 1, 5, 3, 5, 1000, -7, -1000, 9};
  const size_t rows[] = {0, 1, 2, 3};
  ev_standardizer s;
  EV_CHECK(ev_standardizer_fit(&s, X, 2, rows, 4) == 0, "fit");
  EV_CHECK(fabs(s.mean[0] - 2) < 1e-12 && fabs(s.std[0] - 1) < 1e-12, "dim 0: mean %g std %g",
           s.mean[0], s.std[0]);
  EV_CHECK(fabs(s.mean[1] - 5) < 1e-12 && s.std[1] == 1.0, "constant dim: mean %g std %g",
           s.mean[1], s.std[1]);
  float out[2];
  ev_standardizer_apply(&s, X + 8, out);
  EV_CHECK(fabs(out[0] - 998) < 1e-3 && fabs(out[1] + 12) < 1e-6, "applied %g %g", out[0], out[1]);
  ev_standardizer_free(&s);
}

/* n points per ring of radius 1, 2, 3 (label 0, 1, 2), radial noise +-0.15, in 2 dims scaled
 * by `scale` and shifted by `shift`; rows interleaved so any prefix has every class. */
static void rings(float *X, int *y, int n_per, double scale, double shift) {
  for (int i = 0; i < 3 * n_per; i++) {
    const int c = i % 3;
    const double r = (c + 1) + 0.3 * (uniform() - 0.5), a = 6.283185307179586 * uniform();
    X[2 * i] = (float)(r * cos(a) * scale + shift);
    X[2 * i + 1] = (float)(r * sin(a) * scale + shift);
    y[i] = c;
  }
}

static void check_rings(void) {
  enum { N = 300, T = 150 };
  float X[2 * N], Xt[2 * T];
  int y[N], yt[T];
  rings(X, y, N / 3, 1, 0);
  rings(Xt, yt, T / 3, 1, 0);
  char err[256] = "";
  ev_svm_opts o = {10, 0.5, 1, 1, 7, 0};
  ev_svm *m = ev_svm_train(X, y, N, 2, 3, &o, err, sizeof err);
  EV_CHECK(m != NULL, "train: %s", err);
  if (!m)
    return;
  int wrong = 0;
  double min_p = 1, max_sum_err = 0;
  for (int i = 0; i < T; i++) {
    float p[3];
    const int c = ev_svm_predict(m, Xt + 2 * i, p);
    wrong += c != yt[i];
    min_p = fmin(min_p, p[yt[i]]);
    max_sum_err = fmax(max_sum_err, fabs(p[0] + p[1] + p[2] - 1.0));
  }
  EV_CHECK(wrong == 0, "rings: %d of %d held-out points misclassified", wrong, T);
  EV_CHECK(min_p > 0.5, "rings: smallest probability of the true ring %.3f", min_p);
  EV_CHECK(max_sum_err < 1e-5, "probabilities sum to 1 within %.2g", max_sum_err);
  printf("rings: %d support vectors, all %d held-out points right, min p(true) %.3f\n",
         ev_svm_n_support(m), T, min_p);
  ev_svm_free(m);

  /* a class without rows is never predicted and gets probability 0 */
  o.probability = 1;
  int y4[N];
  for (int i = 0; i < N; i++)
    y4[i] = y[i] == 2 ? 3 : y[i]; /* classes 0, 1, 3 of 4 */
  m = ev_svm_train(X, y4, N, 2, 4, &o, err, sizeof err);
  EV_CHECK(m != NULL, "train 4: %s", err);
  if (m) {
    float p[4];
    int c = ev_svm_predict(m, Xt + 2 * 2, p); /* a ring-3 point */
    EV_CHECK(c == 3 && p[2] == 0.0f, "absent class: predicted %d, p(absent) %g", c, p[2]);
    ev_svm_free(m);
  }
}

static void check_balance(void) {
  enum { N = 1000 };
  float X[N];
  int y[N];
  for (int i = 0; i < N; i++) {
    y[i] = i % 10 == 9; /* 100 rows of class 1 */
    X[i] = (float)(gauss() + (y[i] ? 2.0 : 0.0));
  }
  char err[256];
  const float probe[3] = {0.3f, 1.6f, 3.2f};
  int got[2][3];
  for (int balance = 0; balance < 2; balance++) {
    ev_svm_opts o = {1, 1, balance, 0, 1, 0};
    ev_svm *m = ev_svm_train(X, y, N, 1, 2, &o, err, sizeof err);
    EV_CHECK(m != NULL, "train: %s", err);
    if (!m)
      return;
    for (int k = 0; k < 3; k++)
      got[balance][k] = ev_svm_predict(m, &probe[k], NULL);
    ev_svm_free(m);
  }
  EV_CHECK(got[0][0] == 0 && got[0][1] == 0 && got[0][2] == 1,
           "unbalanced: 0.3 -> %d, 1.6 -> %d, 3.2 -> %d (expected 0 0 1)", got[0][0], got[0][1],
           got[0][2]);
  EV_CHECK(got[1][0] == 0 && got[1][1] == 1 && got[1][2] == 1,
           "balanced: 0.3 -> %d, 1.6 -> %d, 3.2 -> %d (expected 0 1 1)", got[1][0], got[1][1],
           got[1][2]);
}

static void check_select(void) {
  enum { N = 240 };
  float X[2 * N];
  int y[N], group[N];
  rings(X, y, N / 3, 1, 0);
  for (int i = 0; i < N; i++)
    group[i] = (i / 3) % 3;
  /* gamma 1e-4 makes the kernel nearly linear at this scale: rings cannot be told apart */
  ev_svm_grid grid = {2, 2, {1, 10}, {1e-4, 1}, 0};
  double c1 = 0, g1 = 0, c2 = 0, g2 = 0, s1[4], s2[4];
  char err[256] = "";
  EV_CHECK(ev_svm_select(X, y, group, N, 2, 3, 3, &grid, 1, &c1, &g1, s1, NULL, err, sizeof err) ==
               0,
           "select: %s", err);
  EV_CHECK(ev_svm_select(X, y, group, N, 2, 3, 3, &grid, 2, &c2, &g2, s2, NULL, err, sizeof err) ==
               0,
           "select 2 threads: %s", err);
  EV_CHECK(g1 == 1.0, "chosen gamma %g (scores %.3f %.3f %.3f %.3f)", g1, s1[0], s1[1], s1[2],
           s1[3]);
  EV_CHECK(s1[1] > 0.95 && s1[0] < 0.6, "UAR with gamma 1: %.3f, with 1e-4: %.3f", s1[1], s1[0]);
  EV_CHECK(c1 == c2 && g1 == g2 && !memcmp(s1, s2, sizeof s1), "threads change the search");
}

static void check_split(void) {
  enum { N = 240, T = 60, F = 20 };
  float X[2 * (N + T + F)], Xb[2 * (N + T + F)];
  int y[N + T + F], group[N];
  rings(X, y, N / 3, 1, 0);
  rings(X + 2 * N, y + N, T / 3, 1, 0);
  for (int i = N + T; i < N + T + F; i++) { /* far-away test rows */
    X[2 * i] = 1e4f + (float)i;
    X[2 * i + 1] = -1e4f;
    y[i] = 0;
  }
  for (int i = 0; i < 2 * (N + T + F); i++) /* the same problem in other units */
    Xb[i] = X[i] * 50.0f + 100.0f;
  size_t train[N], test[T + F];
  for (int i = 0; i < N; i++) {
    train[i] = (size_t)i;
    group[i] = (i / 3) % 3;
  }
  for (int i = 0; i < T + F; i++)
    test[i] = (size_t)(N + i);
  ev_svm_grid grid = {2, 2, {1, 10}, {0.1, 1}, 150}; /* the search on 150 of the 240 rows */
  float pa[3 * T], pb[3 * (T + F)], pc[3 * T];
  ev_svm_split_result ra, rb, rc;
  char err[256] = "";
  int ok = ev_svm_baseline_split(X, y, 2, 3, train, N, group, 3, test, T, &grid, 2, 5, pa, &ra, err,
                                 sizeof err) == 0;
  ok &= ev_svm_baseline_split(X, y, 2, 3, train, N, group, 3, test, T + F, &grid, 2, 5, pb, &rb,
                              err, sizeof err) == 0;
  ok &= ev_svm_baseline_split(Xb, y, 2, 3, train, N, group, 3, test, T, &grid, 2, 5, pc, &rc, err,
                              sizeof err) == 0;
  EV_CHECK(ok, "split: %s", err);
  if (!ok)
    return;
  EV_CHECK(!memcmp(pa, pb, sizeof pa), "extra test rows changed the other test rows' output");
  EV_CHECK(ra.C == rb.C && ra.gamma == rb.gamma, "extra test rows changed the chosen C/gamma");
  int wrong = 0, differ = 0;
  double max_d = 0;
  for (int i = 0; i < T; i++) {
    int best = 0, best_c = 0;
    for (int k = 1; k < 3; k++) {
      best = pa[3 * i + k] > pa[3 * i + best] ? k : best;
      best_c = pc[3 * i + k] > pc[3 * i + best_c] ? k : best_c;
    }
    wrong += best != y[N + i];
    differ += best != best_c;
    for (int k = 0; k < 3; k++)
      max_d = fmax(max_d, fabs(pa[3 * i + k] - pc[3 * i + k]));
  }
  EV_CHECK(wrong == 0, "split: %d of %d test rows wrong", wrong, T);
  EV_CHECK(differ == 0 && max_d < 1e-3 && ra.C == rc.C && ra.gamma == rc.gamma,
           "other units: %d decisions differ, probabilities by %.2g", differ, max_d);
  printf("split: C %g gamma %g chosen, %d support vectors; other units: max |dp| %.2g\n", ra.C,
         ra.gamma, ra.n_support, max_d);
}

int main(void) {
  check_standardizer();
  check_rings();
  check_balance();
  check_select();
  check_split();
  EV_TEST_END();
}
