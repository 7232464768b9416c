/* Voice quality (dsp/features/ev_voice.c: jitter and shimmer; HNR and the harmonics are
 * ev_harmonics.c's since they follow openSMILE's cHarmonics): the library's build must give the
 * same bits as the x86-64 baseline of the same source compiled into this test, on voiced
 * stretches with jitter, shimmer and noise walked frame by frame, and the walk must find
 * periods on most of them. Known answer: the local jitter of the periods made (pulses sit on
 * whole samples, so even an unperturbed stretch has some: mean |T_i - T_i-1| / mean T of the
 * pulse train itself); up to 300 Hz every stretch's mean frame jitter within 1 point of it
 * (0.9 measured) and the perturbed ones 0.85-1.15 times it on average (0.94), above 300 Hz
 * (periods of 53 samples and less, the resonance's ringing overlapping the next pulse) within
 * 2 points (1.65); unperturbed stretches up to 200 Hz read under 0.1 dB of shimmer. */
#include "../common/test_rng.h"
#include <stdint.h>
#include <string.h>

#include "ev_test.h"

#ifndef EV_NO_CLONES /* -Dclones=false defines it for the whole build */
#define EV_NO_CLONES
#endif
#define ev_jitter_reset base_jitter_reset
#define ev_jitter_span  base_jitter_span
#define ev_jitter_frame base_jitter_frame
#include "../../dsp/features/ev_voice.c"
#undef ev_jitter_reset
#undef ev_jitter_span
#undef ev_jitter_frame
void ev_jitter_reset(ev_jitter *j);
void ev_jitter_span(ev_jitter *j, int64_t t, int hop, double sr, double f0, int64_t *start,
                    int *len);
void ev_jitter_frame(ev_jitter *j, int64_t t, int hop, double sr, double f0, const float *x,
                     int len, float vq[EV_VQ_DIMS]);

static uint32_t rng = 97531u;
static double uniform(void) {
  return test_uniform_pm1(&rng);
}

int main(void) {
  enum { N = 16000, FRAMES = (N - EV_JIT_BUF) / 160 };
  static float sig[N];
  int cases = 0, differ = 0, jitter_found = 0;
  double worst_low = 0, worst_high = 0, worst_clean_shim = 0, sum_ratio = 0;
  int n_ratio = 0;
  for (double f0 = 60.0; f0 < 500.0; f0 *= 1.05) {
    for (int v = 0; v < 6; v++) {
      /* glottal-like pulses through one resonance; jitter up to 4 %, shimmer, noise */
      const double jit = 0.008 * v, shim = 0.05 * v, noise = 0.002 * v * v;
      double next = 5.0 * uniform() + 5.0, a = 1.0, y1 = 0, y2 = 0, last_pulse = -1, last_per = 0;
      double true_dt = 0, true_t = 0;
      int n_dt = 0, n_t = 0;
      const double r = 0.97, w = 2.0 * M_PI * 700.0 / 16000.0;
      for (int i = 0; i < N; i++) {
        double e = 0.0;
        if (i >= next) {
          e = a;
          if (last_pulse >= 0) { /* the periods made: pulses sit on whole samples */
            const double per = i - last_pulse;
            true_t += per;
            n_t++;
            if (last_per > 0) {
              true_dt += fabs(per - last_per);
              n_dt++;
            }
            last_per = per;
          }
          last_pulse = i;
          next += 16000.0 / f0 * (1.0 + jit * uniform());
          a = 1.0 + shim * uniform();
        }
        const double y = e + 2.0 * r * cos(w) * y1 - r * r * y2;
        y2 = y1;
        y1 = y;
        sig[i] = (float)(0.05 * y + noise * uniform());
      }
      ev_jitter ja, jb;
      ev_jitter_reset(&ja);
      base_jitter_reset(&jb);
      int found = 0, nj = 0;
      double sj = 0, ss = 0;
      for (int t = 0; t < FRAMES; t++) {
        /* every 9th frame unvoiced: the walk restarts there */
        const double f = t % 9 == 8 ? 0.0 : f0;
        int64_t sa, sb;
        int na, nb;
        ev_jitter_span(&ja, t, 160, 16000.0, f, &sa, &na);
        base_jitter_span(&jb, t, 160, 16000.0, f, &sb, &nb);
        float vq[EV_VQ_DIMS], vq_b[EV_VQ_DIMS];
        const int64_t s0 = sa < 0 ? 0 : sa;
        ev_jitter_frame(&ja, t, 160, 16000.0, f, sig + s0, na, vq);
        base_jitter_frame(&jb, t, 160, 16000.0, f, sig + s0, nb, vq_b);
        differ += sa != sb || na != nb || memcmp(vq, vq_b, sizeof vq) != 0;
        found += vq[0] > 0.0f;
        if (vq[0] > 0.0f) {
          sj += vq[0];
          ss += vq[1];
          nj++;
        }
      }
      const double truth = (true_dt / n_dt) / (true_t / n_t), got = nj ? sj / nj : 0.0;
      if (f0 <= 300.0) {
        worst_low = fmax(worst_low, fabs(got - truth));
        if (v > 0) {
          sum_ratio += got / truth;
          n_ratio++;
        }
      } else
        worst_high = fmax(worst_high, fabs(got - truth));
      if (v == 0 && f0 <= 200.0)
        worst_clean_shim = fmax(worst_clean_shim, nj ? ss / nj : 0.0);
      cases++;
      jitter_found += found > FRAMES / 2;
    }
  }
  printf("%d stretches of %d frames: the builds differ on %d frames; jitter measured on most "
         "frames of %d\n",
         cases, FRAMES, differ, jitter_found);
  printf("jitter vs the periods made: within %.4f up to 300 Hz (perturbed: %.3f times on "
         "average), within %.4f above; unperturbed shimmer up to 200 Hz <= %.3f dB\n",
         worst_low, sum_ratio / n_ratio, worst_high, worst_clean_shim);
  EV_CHECK(differ == 0, "the builds differ on %d frames", differ);
  EV_CHECK(jitter_found > cases / 2, "the jitter walk ran on only %d stretches", jitter_found);
  EV_CHECK(worst_low <= 0.01 && worst_high <= 0.02, "jitter off the truth by %.4f / %.4f",
           worst_low, worst_high);
  EV_CHECK(fabs(sum_ratio / n_ratio - 1.0) <= 0.15, "jitter %.3f times the truth on average",
           sum_ratio / n_ratio);
  EV_CHECK(worst_clean_shim <= 0.1, "shimmer %.3f dB on unperturbed pulses", worst_clean_shim);
  EV_TEST_END();
}
