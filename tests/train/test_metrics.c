/* Metrics against hand-computed values. */
#include <math.h>
#include <stdio.h>

#include "ev_metrics.h"
#include "ev_test.h"

int main(void) {
  /* 3 classes, rows = truth:
   *   A: 5 -> A, 2 -> B, 3 -> C   (support 10, recall 0.5)
   *   B: 1 -> A, 8 -> B, 1 -> C   (support 10, recall 0.8)
   *   C: 0 -> A, 0 -> B, 0 -> C ... plus 20 samples: 4 -> A, 6 -> B, 10 -> C (recall 0.5)
   * column sums: A 10, B 16, C 14; precision A 5/10, B 8/16, C 10/14.
   * accuracy 23/40 = 0.575; UAR (0.5 + 0.8 + 0.5) / 3 = 0.6.
   * F1 A = 2*.5*.5/1 = 0.5; F1 B = 2*.5*.8/1.3 = 0.615384615; F1 C = 2*(5/7)*.5/(5/7+.5)
   * = 0.588235294. */
  ev_confusion c;
  ev_confusion_init(&c, 3);
  int rows[3][3] = {{5, 2, 3}, {1, 8, 1}, {4, 6, 10}};
  for (int t = 0; t < 3; t++)
    for (int p = 0; p < 3; p++)
      for (int k = 0; k < rows[t][p]; k++)
        ev_confusion_add(&c, t, p);
  ev_metrics m;
  ev_metrics_compute(&c, &m);
  EV_CHECK_NEAR(m.accuracy, 0.575, 1e-12, "accuracy");
  EV_CHECK_NEAR(m.uar, 0.6, 1e-12, "UAR");
  EV_CHECK_NEAR(m.precision[0], 0.5, 1e-12, "precision A");
  EV_CHECK_NEAR(m.precision[1], 0.5, 1e-12, "precision B");
  EV_CHECK_NEAR(m.precision[2], 10.0 / 14.0, 1e-12, "precision C");
  EV_CHECK_NEAR(m.f1[0], 0.5, 1e-12, "F1 A");
  EV_CHECK_NEAR(m.f1[1], 0.615384615384, 1e-9, "F1 B");
  EV_CHECK_NEAR(m.f1[2], 0.588235294118, 1e-9, "F1 C");
  EV_CHECK_NEAR(m.macro_f1, (0.5 + 0.615384615384 + 0.588235294118) / 3, 1e-9, "macro F1");
  EV_CHECK(m.total == 40 && m.support[2] == 20, "support");

  /* A class absent from the truth does not count in UAR; a never-predicted class has 0
   * precision. Truth: 3 x class 0 (2 right, 1 -> class 2), class 1 absent. */
  ev_confusion d;
  ev_confusion_init(&d, 3);
  ev_confusion_add(&d, 0, 0);
  ev_confusion_add(&d, 0, 0);
  ev_confusion_add(&d, 0, 2);
  ev_confusion_add(&d, 2, 2);
  ev_confusion_add(&d, 7, 0); /* out of range: ignored */
  ev_metrics_compute(&d, &m);
  EV_CHECK_NEAR(m.uar, (2.0 / 3.0 + 1.0) / 2.0, 1e-12, "UAR ignores absent class");
  EV_CHECK_NEAR(m.precision[1], 0.0, 0, "never predicted");
  EV_CHECK_NEAR(m.precision[2], 0.5, 1e-12, "precision 2");
  EV_CHECK(m.total == 4, "total %ld", m.total);

  ev_confusion e;
  ev_confusion_init(&e, 3);
  ev_confusion_merge(&e, &c);
  ev_confusion_merge(&e, &d);
  EV_CHECK(e.m[0][0] == 7 && e.m[2][2] == 11, "merge");

  const char *names[3] = {"a", "b", "c"};
  EV_CHECK(ev_metrics_write_csv("/tmp/evtrain_metrics_test", &c, &m, names) == 0, "csv");
  FILE *f = fopen("/tmp/evtrain_metrics_test_confusion.csv", "r");
  char line[256] = "";
  if (f) {
    fgets(line, sizeof line, f);
    fgets(line, sizeof line, f);
    fclose(f);
  }
  EV_CHECK(line[0] == 'a' && line[1] == ',' && line[2] == '5', "confusion csv row: %s", line);
  remove("/tmp/evtrain_metrics_test_confusion.csv");
  remove("/tmp/evtrain_metrics_test_metrics.csv");
  /* ECE by hand: bin 9 holds conf .95 twice with one right (|.5 - .95| * 2/4 = .225), bin 5
   * holds conf .55 twice, both right (|1 - .55| * 2/4 = .225): ECE = .45. Perfect calibration
   * (conf 1, all right) gives 0. */
  {
    const float conf[4] = {0.95f, 0.95f, 0.55f, 0.55f};
    const int right[4] = {1, 0, 1, 1};
    EV_CHECK_NEAR(ev_ece(conf, right, 4, 10), 0.45, 1e-6, "hand-computed ECE");
    const float one[2] = {1.0f, 1.0f};
    const int yes[2] = {1, 1};
    EV_CHECK_NEAR(ev_ece(one, yes, 2, 10), 0.0, 1e-9, "perfectly calibrated");
    EV_CHECK_NEAR(ev_ece(conf, right, 0, 10), 0.0, 0.0, "no clips");
  }
  /* Concordance: x = 1, 2, 3 (mean 2, variance 2/3). y = x: 1. y = 2x (mean 4, variance 8/3,
   * covariance 4/3): 2 (4/3) / (2/3 + 8/3 + (2 - 4)^2) = 8/22, though r = 1. y = -x
   * (covariance -2/3): -(4/3) / (4/3 + 16) = -1/13, r = -1. A constant: undefined. */
  {
    const double x[3] = {1, 2, 3}, twice[3] = {2, 4, 6}, neg[3] = {-1, -2, -3}, flat[3] = {5, 5, 5};
    double r;
    EV_CHECK_NEAR(ev_ccc(x, x, 3, &r), 1.0, 1e-12, "CCC of x with itself");
    EV_CHECK_NEAR(ev_ccc(x, twice, 3, &r), 8.0 / 22.0, 1e-12, "CCC of x and 2x");
    EV_CHECK_NEAR(r, 1.0, 1e-12, "r of x and 2x");
    EV_CHECK_NEAR(ev_ccc(x, neg, 3, &r), -1.0 / 13.0, 1e-12, "CCC of x and -x");
    EV_CHECK_NEAR(r, -1.0, 1e-12, "r of x and -x");
    EV_CHECK(isnan(ev_ccc(x, flat, 3, &r)) && isnan(r), "a constant has no concordance");
    EV_CHECK(isnan(ev_ccc(x, x, 1, NULL)), "one point has no concordance");
  }
  EV_TEST_END();
}
