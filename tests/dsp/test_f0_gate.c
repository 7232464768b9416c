/* eGeMAPS' F0 gate as ev_prosody.c decides it (gate_closed: the energy of the Gaussian-windowed
 * 60 ms frame summed in four lanes, the ordered sum deciding within 1e-9 of the threshold)
 * against the decision of the ordered sum alone, sqrt(sum in i order / 960) >= 0.001, the
 * definition it replaces: the same on noise and vowel-like frames at levels from 40 dB under
 * to 40 dB over the gate, and on frames scaled to the last float steps around the threshold,
 * where the lanes' sum falls inside the margin and the ordered sum must decide. */
#include "../common/test_rng.h"
#include <stdint.h>
#include <string.h>

#include "ev_test.h"

#ifndef EV_NO_CLONES /* -Dclones=false defines it for the whole build; the baseline here (clang */
#define EV_NO_CLONES /* gives a static target_clones function a global resolver: a clash) */
#endif
#define ev_prosody_new          base_prosody_new
#define ev_prosody_free         base_prosody_free
#define ev_prosody_reset        base_prosody_reset
#define ev_prosody_set_features base_prosody_set_features
#define ev_prosody_active       base_prosody_active
#define ev_prosody_stage        base_prosody_stage
#define ev_prosody_emit         base_prosody_emit
#include "../../dsp/features/ev_prosody.c"

static uint32_t rng = 13579u;
static double uniform(void) {
  return test_uniform_pm1(&rng);
}

static int ordered_closed(const float *x, const double *g) {
  double e = 0.0;
  for (int i = 0; i < EV_HARM_FRAME; i++) {
    const double w = (double)x[i] * g[i];
    e += w * w;
  }
  return !(sqrt(e / EV_HARM_FRAME) >= E60_GATE);
}

int main(void) {
  static float win[EV_HARM_FRAME], base[EV_HARM_FRAME], x[EV_HARM_FRAME];
  static double g[EV_HARM_FRAME];
  ev_harmonics_window(win, EV_HARM_FRAME);
  for (int i = 0; i < EV_HARM_FRAME; i++)
    g[i] = win[i];
  int frames = 0, differ = 0, in_margin = 0;
  for (int n = 0; n < 200; n++) {
    const double f0 = 80.0 + 3.0 * n;
    for (int i = 0; i < EV_HARM_FRAME; i++) /* a vowel-like wave (odd n) or noise (even n) */
      base[i] = (float)(n & 1 ? sin(2.0 * M_PI * f0 * i / 16000.0) +
                                    0.5 * sin(4.0 * M_PI * f0 * i / 16000.0) + 0.05 * uniform()
                              : uniform());
    /* the scale where the ordered decision flips, by bisection on the scale factor */
    double lo = 1e-6, hi = 1.0;
    for (int it = 0; it < 200; it++) {
      const double mid = 0.5 * (lo + hi);
      for (int i = 0; i < EV_HARM_FRAME; i++)
        x[i] = (float)(base[i] * mid);
      if (ordered_closed(x, g))
        lo = mid;
      else
        hi = mid;
    }
    for (int k = -40; k <= 40; k++) { /* levels 40 dB under to 40 dB over, and the float steps
                                       * around the flip */
      const double sc =
          abs(k) > 20 ? hi * pow(10.0, (k > 0 ? k - 20 : k + 20) / 20.0) : hi * (1.0 + k * 1e-8);
      for (int i = 0; i < EV_HARM_FRAME; i++)
        x[i] = (float)(base[i] * sc);
      const double fast = gate_energy_lanes(x, g);
      in_margin += fabs(fast / E60_SUM_GATE - 1.0) <= E60_SUM_MARGIN;
      const int a = gate_closed(x, g), b = ordered_closed(x, g);
      if (a != b && differ++ < 5)
        fprintf(stderr, "frame %d, scale %.12g: gate %d, ordered sum %d\n", n, sc, a, b);
      frames++;
    }
  }
  printf("F0 gate: %d frames, %d inside the margin (decided by the ordered sum), %d differ\n",
         frames, in_margin, differ);
  EV_CHECK(differ == 0, "%d of %d gate decisions differ from the ordered sum's", differ, frames);
  EV_CHECK(in_margin >= 100, "only %d frames reached the margin: the test misses the fallback",
           in_margin);
  EV_TEST_END();
}
