/* The formant search in steps (ev_formants_begin, any split of the Durand-Kerner sweeps,
 * ev_formants_end), as the streaming extractor spreads it over stages, must give the same
 * bits as in one call, on the autocorrelations of vowel-like spectra (three resonances,
 * harmonic combs, noise); started from the previous case's roots (as the extractor starts from
 * the previous frame's) it must find the same formants (to 1e-6) as from the fixed start; what
 * is found must be formants at all: ascending, within cFormantLpc's 50-5450 Hz, positive
 * bandwidths, three on most. (How near they are to openSMILE's is test_egemaps' business.)
 * The roots must be the bits of the plain complex Durand-Kerner loop written out here (the
 * library evaluates the polynomial at all roots of a sweep at once, as vectors). */
#include "../common/test_rng.h"
#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "ev_formants.h"
#include "ev_test.h"

enum { NB = 257 }; /* 512-point spectrum at 16 kHz */

/* the textbook sweeps from the same start: the polynomial z^11 - a1 z^10 - ... - a11, each root
 * moved in turn by num / den (as num conj(den) / |den|^2 where that is finite, the library's
 * rule), until no step reaches 1e-10 or EV_DK_ITERS sweeps */
static void plain_dk(const double *a, double complex *z) {
  for (int it = 0; it < EV_DK_ITERS; it++) {
    int moved = 0;
    for (int i = 0; i < EV_LPC_ORDER; i++) {
      double complex num = 1.0, den = 1.0;
      for (int j = 1; j <= EV_LPC_ORDER; j++)
        num = num * z[i] - a[j];
      for (int j = 0; j < EV_LPC_ORDER; j++)
        if (j != i)
          den *= z[i] - z[j];
      if (cabs(den) > 1e-300) {
        const double d2 = creal(den) * creal(den) + cimag(den) * cimag(den);
        double complex step = d2 > 0.0 && isfinite(d2) ? num * conj(den) / d2 : num / den;
        z[i] -= step;
        moved = moved || cabs(step) >= 1e-10;
      }
    }
    if (!moved)
      break;
  }
}

static uint32_t rng = 11235u;
static double uniform(void) {
  return test_uniform01(&rng);
}

int main(void) {
  const double bin_hz = 16000.0 / 512.0;
  const int top = (int)(EV_LPC_FS / 2.0 / bin_hz);
  double p[NB];
  ev_formant_roots warm = {0};
  int cases = 0, differ = 0, roots_differ = 0, bad = 0, three = 0, searched = 0, warm_differ = 0;
  for (int c = 0; c < 300; c++) {
    /* three resonances (all-pole magnitude), a harmonic comb at f0, noise */
    const double F[3] = {300 + 600 * uniform(), 900 + 1400 * uniform(), 2300 + 1000 * uniform()};
    const double B[3] = {60 + 100 * uniform(), 80 + 120 * uniform(), 100 + 150 * uniform()};
    const double f0 = 90 + 200 * uniform();
    for (int k = 0; k < NB; k++) {
      const double f = k * bin_hz;
      double g = 1.0;
      for (int i = 0; i < 3; i++)
        g *= 1.0 / (1.0 + ((f - F[i]) / B[i]) * ((f - F[i]) / B[i]));
      const double h = fmod(f, f0) / f0, comb = c % 3 ? exp(-40.0 * fmin(h, 1.0 - h)) : 1.0;
      p[k] = 1e-3 * g * comb * (0.8 + 0.4 * uniform()) + 1e-9;
    }
    /* the bins below 5.5 kHz as an 11 kHz signal: its autocorrelation */
    double r[EV_LPC_ORDER + 1];
    for (int m = 0; m <= EV_LPC_ORDER; m++) {
      r[m] = 2.0 * p[0];
      for (int j = 1; j < top; j++)
        r[m] += p[j] * cos(M_PI * j * m / top);
    }
    double whole[6], steps[6], warmed[6];
    const int n_whole = ev_formants_acf(r, whole, NULL);
    const int n_warm = ev_formants_acf(r, warmed, &warm);
    int same = n_warm == n_whole;
    for (int i = 0; i < 6 && same; i++)
      same = fabs(warmed[i] - whole[i]) <= 1e-6 * fabs(whole[i]) + 1e-9;
    warm_differ += !same;
    ev_formant_work w;
    ev_formants_begin(r, NULL, &w);
    double complex zp[EV_LPC_ORDER];
    memcpy(zp, w.z, sizeof zp);
    plain_dk(w.a, zp);
    int done = 0;
    for (int s = 0; !done; s++)
      done = ev_formants_sweep(&w, s == 0 ? (int)(uniform() * 7) : 1 + (int)(uniform() * 9));
    EV_CHECK(ev_formants_sweep(&w, 5) == 1, "case %d: a finished search asks for more", c);
    const int n_steps = ev_formants_end(&w, steps, NULL);
    cases++;
    differ += n_whole != n_steps || memcmp(whole, steps, sizeof whole) != 0;
    roots_differ += memcmp(zp, w.z, sizeof zp) != 0;
    searched += w.it > 0;
    int ok = n_whole >= 0 && n_whole <= 3;
    for (int i = 0; i < n_whole; i++)
      ok = ok && whole[2 * i] >= 50.0 && whole[2 * i] <= 5450.0 && whole[2 * i + 1] > 0.0 &&
           (i == 0 || whole[2 * i] >= whole[2 * i - 2]);
    bad += !ok;
    three += n_whole == 3;
  }
  printf("%d spectra: %d searched, steps differ from one call in %d, the warm start in %d; %d "
         "with three formants, %d malformed\n",
         cases, searched, differ, warm_differ, three, bad);
  printf("roots differ from the plain complex loop's in %d\n", roots_differ);
  EV_CHECK(differ == 0 && roots_differ == 0, "%d / %d of %d differ", differ, roots_differ, cases);
  EV_CHECK(warm_differ == 0, "the warm start finds other formants in %d of %d", warm_differ, cases);
  EV_CHECK(searched == cases, "only %d of %d spectra reached the root search", searched, cases);
  EV_CHECK(bad == 0 && three >= cases / 2, "%d malformed, %d with three formants", bad, three);
  EV_TEST_END();
}
