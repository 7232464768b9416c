/* ev_shs's vector loops (dsp/features/ev_shs.c) against the same source built here as plain
 * per-element loops (EV_SHS_PLAIN, the formulation openSMILE's cSpecScale and cPitchShs
 * describe) or, in the second build of this test (EV_NO_CLONES), as the x86-64 baseline of the
 * vector code: the library (its AVX clone where the CPU has AVX) must give the same bits, octave
 * axis, subharmonic sums and candidates, on spectra of every kind: harmonic frames with noise,
 * Rayleigh-distributed noise, random peaks, flat, zero, single-bin and extreme magnitudes.
 * Both builds here have no clones (EV_NO_CLONES: clang gives a static target_clones function a
 * global resolver, which would clash with the library's). */
#include "../common/test_rng.h"
#include <stdint.h>
#include <string.h>

#include "ev_test.h"

#define ev_shs_init       base_shs_init
#define ev_shs_frame      base_shs_frame
#define ev_shs_spectrum   base_shs_spectrum
#define ev_shs_candidates base_shs_candidates
#include "../../dsp/features/ev_shs.c"
#undef ev_shs_init
#undef ev_shs_frame
#undef ev_shs_spectrum
#undef ev_shs_candidates
void ev_shs_init(ev_shs *s, double sr);
void ev_shs_spectrum(ev_shs *s, const float *mag);
void ev_shs_candidates(ev_shs *s, ev_shs_result *out);

static uint32_t rng = 24681u;
static double uniform(void) {
  return test_uniform01(&rng);
}

static void make(int kind, float *mag) {
  const double f0 = 60.0 + 600.0 * uniform(), level = pow(10.0, 6.0 * uniform() - 4.0);
  for (int b = 0; b < EV_SHS_NBINS; b++) {
    const double g = sqrt(-2.0 * log(1.0 - uniform())); /* Rayleigh */
    double v = 0.0;
    switch (kind) {
    case 0: { /* harmonics (Gaussian lobes, 1/k) over a noise floor */
      const double hz = b * 15.625;
      for (int k = 1; k * f0 < 8000.0; k++) {
        const double d = (hz - k * f0) / 20.0;
        v += exp(-0.5 * d * d) / k;
      }
      v += 0.01 * g;
      break;
    }
    case 1:
      v = g;
      break;
    case 2:
      v = uniform() < 0.05 ? uniform() : 0.0;
      break;
    case 3:
      v = 1.0;
      break;
    case 4:
      v = 0.0;
      break;
    case 5:
      v = b == (int)(uniform() * EV_SHS_NBINS) ? 1.0 : 0.0;
      break;
    default:
      v = g * (b & 1 ? 1e-30 : 1e30) * 1e-8;
      break;
    }
    mag[b] = (float)(v * level);
  }
}

int main(void) {
  static ev_shs lib, ref;
  ev_shs_init(&lib, 16000.0);
  base_shs_init(&ref, 16000.0);
  static float mag[EV_SHS_NBINS];
  int frames = 0, differ = 0, voiced = 0;
  for (int n = 0; n < 3000; n++) {
    const int kind = n % 7;
    make(kind, mag);
    ev_shs_spectrum(&lib, mag);
    base_shs_spectrum(&ref, mag);
    ev_shs_result a, b;
    ev_shs_candidates(&lib, &a);
    base_shs_candidates(&ref, &b);
    int same = !memcmp(lib.s, ref.s, sizeof(double) * EV_SHS_NPTS) &&
               !memcmp(lib.ss, ref.ss, sizeof(double) * EV_SHS_NPTS) && a.n == b.n;
    for (int c = 0; same && c < a.n; c++)
      same = !memcmp(&a.f0[c], &b.f0[c], sizeof(double)) &&
             !memcmp(&a.voicing[c], &b.voicing[c], sizeof(double));
    if (!same && differ++ < 5)
      fprintf(stderr, "frame %d (kind %d): the library differs from the reference\n", n, kind);
    frames++;
    voiced += a.n > 0 && a.voicing[0] > EV_SHS_VOICING_CUTOFF;
  }
  printf("%s: %d spectra (%d voiced), %d differ\n",
#ifdef EV_SHS_PLAIN
         "library vs plain loops",
#else
         "library vs the baseline build",
#endif
         frames, voiced, differ);
  EV_CHECK(differ == 0, "%d of %d spectra differ", differ, frames);
  EV_CHECK(voiced > 100, "only %d voiced spectra: the harmonic frames do not reach SHS' voicing",
           voiced);
  EV_TEST_END();
}
