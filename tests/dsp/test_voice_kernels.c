/* Voice quality (dsp/features/ev_voice.c) computes its correlations several lags at a time as
 * vectors: the HNR must be exactly the direct formula written out here (the best of the
 * normalised autocorrelations at the period's three nearest lags, each a plain double loop),
 * and every output (jitter, shimmer, HNR, H1-H2, H1-A3, formant amplitudes) of the library's
 * build (AVX clone where the CPU has it) must be the same bits as the x86-64 baseline of the
 * same source compiled into this test, on voiced segments with jitter, shimmer and noise. */
#include <stdint.h>
#include <string.h>

#include "ev_test.h"

#ifndef EV_NO_CLONES /* -Dclones=false defines it for the whole build */
#define EV_NO_CLONES
#endif
#define ev_voice_quality base_voice_quality
#define ev_voice_hann    base_voice_hann
#include "../../dsp/features/ev_voice.c"
#undef ev_voice_quality
#undef ev_voice_hann
void ev_voice_quality(const float *seg, const float *win, int n, double sr, double f0,
                      const double fmt[6], float vq[5], float amp[3]);

static uint32_t rng = 97531u;
static double uniform(void) { /* xorshift32 in [-1, 1) */
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return (double)(rng >> 8) / 8388608.0 - 1.0;
}

static float direct_hnr(const float *x, int n, double t0) {
  int l0 = (int)lrint(t0);
  double r = 0.0;
  for (int l = l0 - 1; l <= l0 + 1; l++) {
    if (l <= 0 || l >= n / 2)
      continue;
    double xy = 0, xx = 0, yy = 0;
    for (int i = 0; i < n - l; i++) {
      xy += (double)x[i] * x[l + i];
      xx += (double)x[i] * x[i];
      yy += (double)x[l + i] * x[l + i];
    }
    double c = xx > 0 && yy > 0 ? xy / sqrt(xx * yy) : 0.0;
    r = c > r ? c : r;
  }
  if (!(r > 0.0))
    return -100.0f;
  r = r > 0.999999 ? 0.999999 : r;
  return (float)(10.0 * log10(r / (1.0 - r)));
}

int main(void) {
  enum { N = EV_VOICE_SEG };
  static float seg[N], win[N];
  base_voice_hann(win, N);
  int cases = 0, hnr_off = 0, differ = 0, jitter_found = 0;
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
      const double fmt[6] = {700.0, 90.0, 1200.0 + 10 * v, 110.0, 2600.0, 160.0};
      float vq[5], amp[3], vq_b[5], amp_b[3];
      ev_voice_quality(seg, win, N, 16000.0, f0, fmt, vq, amp);
      base_voice_quality(seg, win, N, 16000.0, f0, fmt, vq_b, amp_b);
      const float h = direct_hnr(seg, N, 16000.0 / f0);
      cases++;
      hnr_off += memcmp(&h, &vq[2], sizeof h) != 0;
      differ += memcmp(vq, vq_b, sizeof vq) != 0 || memcmp(amp, amp_b, sizeof amp) != 0;
      jitter_found += vq[0] > 0.0f;
    }
  }
  printf("%d segments: HNR differs from the direct formula in %d, the clones differ in %d; "
         "jitter measured in %d\n",
         cases, hnr_off, differ, jitter_found);
  EV_CHECK(hnr_off == 0 && differ == 0, "%d / %d", hnr_off, differ);
  EV_CHECK(jitter_found > cases / 2, "the jitter walk ran on only %d segments", jitter_found);
  EV_TEST_END();
}
