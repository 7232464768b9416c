/* ev_formants_lpc in steps (ev_formants_begin, any split of the Durand-Kerner sweeps,
 * ev_formants_end), as the streaming extractor spreads it over stages, must give the same
 * bits as in one call, and the roots must be the bits of the plain complex Durand-Kerner loop
 * written out here (the library computes the polynomial for all roots at once as vectors), on
 * vowel-like spectra (three resonances, harmonic combs, noise); what
 * is found must be formants at all: ascending, within cFormantLpc's 50-5450 Hz, positive
 * bandwidths, three on most of these spectra. (How near they are to the resonances is
 * test_egemaps' business against openSMILE: eGeMAPS' polynomial is not the physical one.) */
#include <complex.h>
#include <stdint.h>
#include <string.h>

#include "ev_formants.h"
#include "ev_test.h"

enum { NB = 257 }; /* 512-point spectrum at 16 kHz */

/* the predictor the library's begin must find: the autocorrelation (cosine transform of the
 * half spectrum below 5.5 kHz, DC doubled) one lag at a time, then Levinson-Durbin */
static int plain_lpc(const double *p, int top, double bin_hz, double a[EV_LPC_ORDER + 1]) {
  double r[EV_LPC_ORDER + 1];
  for (int m = 0; m <= EV_LPC_ORDER; m++) {
    double s = 2.0 * p[0] * cos(M_PI * 0.0 * m / top);
    for (int j = 1; j < top; j++)
      s += p[j] * cos(M_PI * (double)j * m / top);
    r[m] = s;
  }
  (void)bin_hz;
  r[0] *= 1.0 + 1e-9;
  double tmp[EV_LPC_ORDER + 1], err = r[0];
  a[0] = 1.0;
  for (int i = 1; i <= EV_LPC_ORDER; i++)
    a[i] = 0.0;
  for (int i = 1; i <= EV_LPC_ORDER; i++) {
    double acc = r[i];
    for (int j = 1; j < i; j++)
      acc += a[j] * r[i - j];
    double k = -acc / err;
    for (int j = 0; j < i; j++)
      tmp[j] = a[j];
    for (int j = 1; j < i; j++)
      a[j] = tmp[j] + k * tmp[i - j];
    a[i] = k;
    err *= 1.0 - k * k;
  }
  return err > 0.0;
}

/* the textbook sweeps from the same start: the polynomial z^11 - a1 z^10 - ... - a11, each root
 * moved in turn by num / den, until no step reaches 1e-10 or EV_DK_ITERS sweeps */
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
        double complex step = num / den;
        z[i] -= step;
        moved = moved || cabs(step) >= 1e-10;
      }
    }
    if (!moved)
      break;
  }
}

static uint32_t rng = 11235u;
static double uniform(void) { /* xorshift32 in [0, 1) */
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return (double)(rng >> 8) / 16777216.0;
}

int main(void) {
  static ev_formant_tables t;
  const double bin_hz = 16000.0 / 512.0;
  ev_formants_init(&t, (int)(EV_LPC_FS / 2.0 / bin_hz));
  double p[NB];
  int cases = 0, differ = 0, roots_differ = 0, lpc_differ = 0, bad = 0, three = 0, searched = 0;
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
    double whole[6], steps[6];
    const int n_whole = ev_formants_lpc(&t, p, NB, bin_hz, whole);
    ev_formant_work w;
    ev_formants_begin(&t, p, NB, bin_hz, &w);
    double a_plain[EV_LPC_ORDER + 1];
    EV_CHECK(plain_lpc(p, (int)(EV_LPC_FS / 2.0 / bin_hz), bin_hz, a_plain), "case %d: LPC", c);
    lpc_differ += memcmp(a_plain, w.a, sizeof a_plain) != 0;
    double complex zp[EV_LPC_ORDER];
    memcpy(zp, w.z, sizeof zp);
    plain_dk(w.a, zp);
    int done = 0;
    for (int s = 0; !done; s++)
      done = ev_formants_sweep(&w, s == 0 ? (int)(uniform() * 7) : 1 + (int)(uniform() * 9));
    EV_CHECK(ev_formants_sweep(&w, 5) == 1, "case %d: a finished search asks for more", c);
    const int n_steps = ev_formants_end(&w, steps);
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
  printf("%d spectra: %d searched, steps differ from one call in %d; %d with three formants, "
         "%d malformed\n",
         cases, searched, differ, three, bad);
  printf("predictors differ from the plain lag-by-lag LPC in %d, roots from the plain complex "
         "loop's in %d\n",
         lpc_differ, roots_differ);
  EV_CHECK(differ == 0 && roots_differ == 0 && lpc_differ == 0, "%d / %d / %d of %d differ", differ,
           roots_differ, lpc_differ, cases);
  EV_CHECK(searched == cases, "only %d of %d spectra reached the root search", searched, cases);
  EV_CHECK(bad == 0 && three >= cases / 2, "%d malformed, %d with three formants", bad, three);
  EV_TEST_END();
}
