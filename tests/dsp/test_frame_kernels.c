/* The feature pipeline's sums (dsp/features/ev_frame_kernels.c) return the same bits in every
 * clone: the one the loader picked on this CPU (AVX where present) against the x86-64
 * baseline build of the same source, compiled into this test under other names. Each result
 * is also checked against a long-double sum, so both are right and not merely alike. */
#include "../common/test_rng.h"
#include <stdint.h>
#include <string.h>

#include "ev_test.h"

#ifndef EV_NO_CLONES /* -Dclones=false defines it for the whole build */
#define EV_NO_CLONES
#endif
#define ev_dot    base_dot
#define ev_delta9 base_delta9
#define ev_rms    base_rms
#include "../../dsp/features/ev_frame_kernels.c"
#undef ev_dot
#undef ev_delta9
#undef ev_rms
/* the library's, as loaded (ev_frame_math.h was read above under the baseline names) */
double ev_dot(const double *a, const double *b, int n);
void ev_delta9(const double *const c[9], int dims, float *d1, float *d2);
double ev_rms(const float *x, int n);

static uint32_t rng = 987654321u;
static double uniform(void) {
  return test_uniform_pm1(&rng);
}

static int same_bits(const void *a, const void *b, size_t n) {
  return memcmp(a, b, n) == 0;
}

int main(void) {
  enum { N = 600 };
  static double da[N], db[N];
  static float fa[N];
  int cases = 0, differ = 0, wrong = 0;
  for (int n = 1; n <= N; n += (n < 100 ? 1 : 53)) {
    for (int i = 0; i < n; i++) {
      da[i] = uniform() * 100.0;
      db[i] = uniform();
      fa[i] = (float)da[i];
    }
    long double exact_d = 0, bound_d = 0, sq = 0;
    for (int i = 0; i < n; i++) {
      exact_d += (long double)da[i] * db[i];
      bound_d += fabsl((long double)da[i] * db[i]);
      sq += (long double)fa[i] * fa[i];
    }
    double d_lib = ev_dot(da, db, n), d_base = base_dot(da, db, n);
    double r_lib = ev_rms(fa, n), r_base = base_rms(fa, n);
    cases += 2;
    differ += !same_bits(&d_lib, &d_base, sizeof d_lib) + !same_bits(&r_lib, &r_base, sizeof r_lib);
    wrong += fabsl(d_lib - exact_d) > 1e-15L * n * bound_d + 1e-300L;
    wrong += fabsl(r_lib - sqrtl(sq / n)) > 1e-14L * sqrtl(sq / n);
  }
  /* Savitzky-Golay deltas of 9 frames, dims 1..130 (more than one 64-wide pass) */
  static double frames[9][130];
  for (int dims = 1; dims <= 130; dims += 3) {
    const double *c[9];
    for (int t = 0; t < 9; t++) {
      for (int j = 0; j < dims; j++)
        frames[t][j] = uniform() * 50.0;
      c[t] = frames[t];
    }
    float d1_lib[130], d2_lib[130], d1_base[130], d2_base[130];
    ev_delta9(c, dims, d1_lib, d2_lib);
    base_delta9(c, dims, d1_base, d2_base);
    cases++;
    differ += !same_bits(d1_lib, d1_base, sizeof(float) * dims) ||
              !same_bits(d2_lib, d2_base, sizeof(float) * dims);
    for (int j = 0; j < dims; j++) {
      long double e1 = 0, e2 = 0;
      for (int n = -4; n <= 4; n++) {
        e1 += (long double)n * frames[n + 4][j];
        e2 += ((long double)n * n - 20.0L / 3.0L) * frames[n + 4][j];
      }
      e1 /= 60.0L;
      e2 /= 154.0L;
      wrong += fabsl(d1_lib[j] - e1) > 1e-6L * (fabsl(e1) + 1.0L);
      wrong += fabsl(d2_lib[j] - e2) > 1e-6L * (fabsl(e2) + 1.0L);
    }
  }
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  printf("clone in use: %s\n", __builtin_cpu_supports("avx") ? "avx" : "default (SSE)");
#endif
  printf("%d results compared: %d differ between clones, %d off the long-double sums\n", cases,
         differ, wrong);
  EV_CHECK(cases > 250, "%d cases", cases);
  EV_CHECK(differ == 0, "%d results differ between the loaded clone and the baseline", differ);
  EV_CHECK(wrong == 0, "%d results off the exact sums", wrong);
  EV_TEST_END();
}
