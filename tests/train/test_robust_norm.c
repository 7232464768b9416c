/* The robust prior (emovox-train --robust-norm, ev_prior_stats_robust) against order statistics
 * known in closed form: steps 0, 1, ..., 999 of one input and ten steps far out (as an eGeMAPS
 * coefficient of variation whose mean came near zero) have the median 504 and the quartiles
 * 252 and 756 (the 1010 sorted values at (c - 1) / 4, / 2 and 3 (c - 1) / 4), where the mean
 * and standard deviation are pulled far out by the ten; an input that is one value in its
 * middle half keeps the plain figures; steps the plugin does not read (below the gate, not
 * speech) count in neither; more steps than EV_PRIOR_ROBUST_STEPS are taken evenly spread. */
#include "ev_arch.h"
#include "ev_dataset.h"
#include "ev_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const ARCH =
    "{\"name\":\"robust\",\"features\":{\"inputs\":[\"rms\",\"zcr\"],\"frame_stride\":2},"
    "\"window\":1,\"architecture\":[{\"type\":\"dense\"},{\"type\":\"softmax\"}]}";

/* One sequence of n steps (stride 2): step i holds value(i) in input 0 and 5 in input 1; with
 * `quiet`, every step after the first n_loud has an RMS below the gate. */
static ev_feat_seq make_seq(int n, double (*value)(int), int n_loud) {
  ev_feat_seq s = {2 * n, 2, malloc(sizeof(float) * 4 * (size_t)n),
                   malloc(sizeof(float) * 2 * (size_t)n), NULL};
  EV_REQUIRE(s.x && s.rms, "memory");
  for (int t = 0; t < 2 * n; t++) {
    s.x[2 * t] = (float)value(t / 2);
    s.x[2 * t + 1] = 5.0f;
    s.rms[t] = t / 2 < n_loud ? 0.1f : 1e-5f;
  }
  return s;
}

static double ramp_with_outliers(int i) {
  return i < 1000 ? (double)i : 1e6;
}
static double ramp(int i) {
  return (double)i;
}

int main(void) {
  ev_arch a;
  char err[256];
  EV_REQUIRE(ev_arch_parse(ARCH, &a, err, sizeof err) == 0, "arch: %s", err);
  EV_REQUIRE(ev_arch_input_dims(&a) == 2, "two inputs");

  /* 1010 loud steps and 40 quiet ones (which would move the quantiles if they counted) */
  ev_feat_seq s = make_seq(1050, ramp_with_outliers, 1010);
  ev_feat_seq *seqs[] = {&s};
  float mean[2], sd[2], rmean[2], rsd[2];
  EV_CHECK(ev_prior_stats(&a, seqs, 1, mean, sd) == 1010, "1010 steps read");
  EV_CHECK(ev_prior_stats_robust(&a, seqs, 1, rmean, rsd) == 1010, "the same steps");
  const double plain_mean = (999.0 * 1000.0 / 2.0 + 10.0 * 1e6) / 1010.0;
  EV_CHECK_NEAR(mean[0], plain_mean, 1e-3 * plain_mean, "the plain mean is pulled out");
  EV_CHECK(rmean[0] == 504.0f, "median 504 (%g)", rmean[0]);
  EV_CHECK_NEAR(rsd[0], (756.0 - 252.0) / 1.349, 1e-3, "IQR / 1.349");
  EV_CHECK(sd[0] > 50.0f * rsd[0], "the plain std is %g times the robust one", sd[0] / rsd[0]);
  EV_CHECK(rmean[1] == 5.0f && rsd[1] == sd[1], "a constant input keeps its figures (%g, %g)",
           rmean[1], rsd[1]);
  ev_feat_seq_free(&s);

  /* twice the cap: every second step, whose quantiles are those of the whole ramp within a step */
  const int n = 2 * EV_PRIOR_ROBUST_STEPS;
  s = make_seq(n, ramp, n);
  EV_CHECK(ev_prior_stats_robust(&a, seqs, 1, rmean, rsd) == (double)n, "%d steps read", n);
  EV_CHECK_NEAR(rmean[0], (n - 1) / 2.0, 2.0, "median of the spread");
  EV_CHECK_NEAR(rsd[0], (n / 2.0) / 1.349, 2.0, "IQR of the spread");
  ev_feat_seq_free(&s);
  ev_arch_free(&a);
  EV_TEST_END();
}
