/* Flatness over a band (the speech gate's, ev_extractor_set_flatness_band): equal to the
 * geometric over the arithmetic mean of the frame's own power bins 0..floor(max_hz / bin)
 * computed here in double, and librosa's full-band value (the default) when unset or <= 0. */
#include <math.h>
#include <string.h>

#include "ev_features.h"
#include "ev_test.h"
#include "test_signal.h"

typedef struct check {
  int bins, frames;
  double worst;
} check;

static double flatness_of(const float *p, int bins) {
  double ls = 0, mean = 0;
  for (int k = 0; k < bins; k++) {
    double v = p[k] > 1e-10f ? (double)p[k] : 1e-10;
    ls += log(v);
    mean += v;
  }
  return exp(ls / bins) / (mean / bins);
}

static void on_frame(void *user, const ev_frame *fr) {
  check *c = user;
  const float *p = fr->feat[EV_FEAT_POWER], *f = fr->feat[EV_FEAT_FLATNESS];
  if (!p || !f)
    return;
  double want = flatness_of(p, c->bins);
  c->worst = fmax(c->worst, fabs((double)f[0] - want) / want);
  c->frames++;
}

static void run(double max_hz, int bins) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  char err[256];
  ev_extractor *ex = ev_extractor_new(&cfg, 16000, 512, err, sizeof err);
  EV_CHECK(ex != NULL, "%s", err);
  if (max_hz != 0)
    ev_extractor_set_flatness_band(ex, max_hz);
  size_t n;
  float *x = test_signal(16000, 2.0, &n);
  check c = {bins, 0, 0};
  ev_extractor_process(ex, x, (uint32_t)n, on_frame, &c);
  ev_extractor_flush(ex, on_frame, &c);
  printf("band %.0f Hz (%d bins): %d frames, worst relative error %.3g\n", max_hz, bins, c.frames,
         c.worst);
  EV_CHECK(c.frames > 150, "frames analysed: %d", c.frames);
  /* float power in the frame vs double sums here: relative 1e-5 */
  EV_CHECK(c.worst < 1e-5, "band %.0f Hz: flatness off by %.3g", max_hz, c.worst);
  free(x);
  ev_extractor_free(ex);
}

int main(void) {
  run(0, 257);     /* default: every bin */
  run(7000, 225);  /* 7000 / 31.25 = 224: bins 0..224 */
  run(-1, 257);    /* <= 0: back to every bin */
  run(20000, 257); /* above Nyquist: every bin */
  run(10, 2);      /* at least two bins */
  EV_TEST_END();
}
