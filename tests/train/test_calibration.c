/* Temperature scaling: crop probabilities against hand-computed softmax means, the fit recovers
 * the temperature that generated synthetic labels, and folding T into the last layer divides
 * the network's logits by T exactly (and is refused when the last layer is not linear). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_augment.h"
#include "ev_calibration.h"
#include "ev_test.h"

static void check_probs(void) {
  /* two crops of 3 classes: softmax(1,0,0) and softmax(0,0,2), averaged */
  const float lg[6] = {1, 0, 0, 0, 0, 2};
  float p[3];
  ev_crop_probs(lg, 2, 3, 1.0f, p);
  double e1 = exp(1.0), e2 = exp(2.0);
  double want[3] = {(e1 / (e1 + 2) + 1 / (e2 + 2)) / 2, (1 / (e1 + 2) + 1 / (e2 + 2)) / 2,
                    (1 / (e1 + 2) + e2 / (e2 + 2)) / 2};
  for (int k = 0; k < 3; k++)
    EV_CHECK_NEAR(p[k], want[k], 1e-6, "mean of the crops' softmax");
  ev_crop_probs(lg, 2, 3, 2.0f, p); /* T = 2: softmax of halved logits */
  double h1 = exp(0.5), h2 = exp(1.0);
  EV_CHECK_NEAR(p[2], (1 / (h1 + 2) + h2 / (h2 + 2)) / 2, 1e-6, "T = 2");
  ev_crop_probs(lg, 0, 3, 1.0f, p);
  EV_CHECK_NEAR(p[0], 1.0 / 3, 1e-7, "no crop: uniform");
}

/* labels drawn from softmax(z / T0): the fitted T must come back near T0 */
static void check_fit(float T0) {
  enum { N = 6000, C = 4, M = 2 };
  float *lg = calloc((size_t)N * M * C, sizeof *lg);
  int *nc = malloc(N * sizeof *nc), *lab = malloc(N * sizeof *lab);
  ev_rng rng;
  ev_rng_seed(&rng, 7);
  for (int i = 0; i < N; i++) {
    nc[i] = 1;
    double pr[C], s = 0;
    for (int k = 0; k < C; k++) {
      lg[(size_t)i * M * C + k] = (float)(3.0 * ev_rng_gauss(&rng));
      pr[k] = exp(lg[(size_t)i * M * C + k] / T0);
      s += pr[k];
    }
    double u = ev_rng_uniform(&rng) * s, acc = 0;
    lab[i] = C - 1;
    for (int k = 0; k < C; k++)
      if ((acc += pr[k]) >= u) {
        lab[i] = k;
        break;
      }
  }
  double nll_t, nll_1;
  float T = ev_temperature_fit(lg, nc, lab, N, C, M, &nll_t, &nll_1);
  printf("labels from T0 = %.2f: fitted T = %.3f, NLL %.4f at 1, %.4f at T\n", (double)T0,
         (double)T, nll_1, nll_t);
  EV_CHECK(fabs(T - T0) < 0.12 * T0, "fitted T %.3f vs %.3f", (double)T, (double)T0);
  EV_CHECK(nll_t <= nll_1, "the fit never does worse than T = 1");
  free(lg);
  free(nc);
  free(lab);
}

static void check_fold(const char *layers, int expect_ok) {
  char json[1024], err[256];
  snprintf(json, sizeof json,
           "{\"name\":\"t\",\"features\":{\"inputs\":[\"rms\"]},\"window\":4,"
           "\"architecture\":%s}",
           layers);
  ev_arch a;
  EV_CHECK(ev_arch_parse(json, &a, err, sizeof err) == 0, "%s", err);
  ev_net net;
  EV_CHECK(ev_net_build(&net, &a, 5, 3, err, sizeof err) == 0, "%s", err);
  ev_net_init(&net, 3);
  ev_work w;
  EV_CHECK(ev_work_init(&w, &net, 4) == 0, "workspace");
  float x[20];
  for (int i = 0; i < 20; i++)
    x[i] = (float)sin(i * 0.7);
  float before[3], after[3];
  memcpy(before, ev_net_forward(&net, &w, x, 4), sizeof before);
  int rc = ev_net_fold_temperature(&net, 2.5f);
  EV_CHECK((rc == 0) == expect_ok, "fold %s for %s", expect_ok ? "accepted" : "refused", layers);
  memcpy(after, ev_net_forward(&net, &w, x, 4), sizeof after);
  for (int k = 0; k < 3; k++)
    EV_CHECK_NEAR(after[k], expect_ok ? before[k] / 2.5 : before[k], 1e-5 * (1 + fabs(before[k])),
                  "logits after the fold");
  ev_work_free(&w, &net);
  ev_net_free(&net);
  ev_arch_free(&a);
}

int main(void) {
  check_probs();
  check_fit(2.0f);
  check_fit(0.6f);
  check_fold("[{\"type\":\"dense\",\"out\":8,\"activation\":\"relu\"},{\"type\":\"dense\"}]", 1);
  check_fold("[{\"type\":\"dense\",\"out\":3,\"activation\":\"relu\"}]", 0);
  EV_TEST_END();
}
