/* Voice quality (dsp/features/ev_voice.c) computes its correlations several lags at a time as
 * vectors: its outputs (jitter, shimmer; HNR and the harmonics are ev_harmonics.c's since they
 * follow openSMILE's cHarmonics) of the library's build (AVX clone where the CPU has it) must
 * be the same bits as the x86-64 baseline of the same source compiled into this test, on voiced
 * segments with jitter, shimmer and noise. */
#include <stdint.h>
#include <string.h>

#include "ev_test.h"

#ifndef EV_NO_CLONES /* -Dclones=false defines it for the whole build */
#define EV_NO_CLONES
#endif
#define ev_voice_quality base_voice_quality
#include "../../dsp/features/ev_voice.c"
#undef ev_voice_quality
void ev_voice_quality(const float *seg, int n, double sr, double f0, float vq[EV_VQ_DIMS]);

static uint32_t rng = 97531u;
static double uniform(void) { /* xorshift32 in [-1, 1) */
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return (double)(rng >> 8) / 8388608.0 - 1.0;
}

int main(void) {
  enum { N = EV_VOICE_SEG };
  static float seg[N];
  int cases = 0, differ = 0, jitter_found = 0;
  for (double f0 = 60.0; f0 < 500.0; f0 *= 1.05) {
    for (int v = 0; v < 6; v++) {
      /* glottal-like pulses through one resonance; jitter up to 4 %, shimmer, noise */
      const double jit = 0.008 * v, shim = 0.05 * v, noise = 0.002 * v * v;
      double next = 5.0 * uniform() + 5.0, a = 1.0, y1 = 0, y2 = 0;
      const double r = 0.97, w = 2.0 * M_PI * 700.0 / 16000.0;
      for (int i = 0; i < N; i++) {
        double e = 0.0;
        if (i >= next) {
          e = a;
          next += 16000.0 / f0 * (1.0 + jit * uniform());
          a = 1.0 + shim * uniform();
        }
        const double y = e + 2.0 * r * cos(w) * y1 - r * r * y2;
        y2 = y1;
        y1 = y;
        seg[i] = (float)(0.05 * y + noise * uniform());
      }
      float vq[EV_VQ_DIMS], vq_b[EV_VQ_DIMS];
      ev_voice_quality(seg, N, 16000.0, f0, vq);
      base_voice_quality(seg, N, 16000.0, f0, vq_b);
      cases++;
      differ += memcmp(vq, vq_b, sizeof vq) != 0;
      jitter_found += vq[0] > 0.0f;
    }
  }
  printf("%d segments: the clones differ in %d; jitter measured in %d\n", cases, differ,
         jitter_found);
  EV_CHECK(differ == 0, "the clones differ on %d segments", differ);
  EV_CHECK(jitter_found > cases / 2, "the jitter walk ran on only %d segments", jitter_found);
  EV_TEST_END();
}
