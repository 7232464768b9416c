/* The layers' matrix-vector kernel (dsp/kernels/ev_dot.c) in every clone gives ev_dotf's values to
 * the bit: the clone the loader picked on this CPU (AVX where present), the x86-64 baseline
 * build of the same source (compiled into this test), and ev_dotf itself, the order the
 * trainer and the docs define. Independently, each row is checked against a double-precision
 * dot product (relative to sum |w x|, which bounds float rounding). */
#include "../common/test_rng.h"
#include <stdint.h>
#include <string.h>

#include "ev_test.h"

/* The baseline build: the same source without target_clones, under another name. */
#ifndef EV_NO_CLONES /* -Dclones=false defines it for the whole build */
#define EV_NO_CLONES
#endif
#define ev_rows_dot_acc baseline_rows_dot_acc
#include "../../dsp/kernels/ev_dot.c"
#undef ev_rows_dot_acc
void ev_rows_dot_acc(float *y, const float *W, size_t stride, int rows, const float *x, int n);

static uint32_t rng = 12345u;
static float uniform(void) {
  return (float)test_uniform_pm1(&rng); /* exact: 24 significant bits */
}

int main(void) {
  enum { MAX_ROWS = 9, MAX_N = 700 };
  static float W[MAX_ROWS * (MAX_N + 3)], x[MAX_N];
  int cases = 0, mismatches = 0, inaccurate = 0;
  for (int n = 0; n <= MAX_N; n += (n < 40 ? 1 : 37)) {
    for (int rows = 1; rows <= MAX_ROWS; rows += 2) {
      const size_t stride = (size_t)n + (size_t)(rows % 3); /* padded rows too */
      const float scale = (n % 3 == 0) ? 1e-3f : (n % 3 == 1 ? 1.0f : 1e3f);
      for (size_t i = 0; i < (size_t)rows * stride; i++)
        W[i] = uniform() * scale;
      for (int i = 0; i < n; i++)
        x[i] = uniform();
      float y_lib[MAX_ROWS], y_base[MAX_ROWS], y_ref[MAX_ROWS];
      for (int r = 0; r < rows; r++) {
        y_lib[r] = y_base[r] = 0.25f * (float)r; /* accumulates onto what is there */
        y_ref[r] = y_lib[r] + ev_dotf(W + (size_t)r * stride, x, n);
      }
      ev_rows_dot_acc(y_lib, W, stride, rows, x, n);
      baseline_rows_dot_acc(y_base, W, stride, rows, x, n);
      for (int r = 0; r < rows; r++) {
        cases++;
        if (memcmp(&y_lib[r], &y_ref[r], sizeof(float)) ||
            memcmp(&y_base[r], &y_ref[r], sizeof(float))) {
          if (mismatches++ < 5)
            fprintf(stderr, "n %d rows %d row %d: loaded %.9g baseline %.9g ev_dotf %.9g\n", n,
                    rows, r, y_lib[r], y_base[r], y_ref[r]);
        }
        double exact = 0.25 * r, bound = 0.25 * r;
        for (int c = 0; c < n; c++) {
          exact += (double)W[(size_t)r * stride + c] * (double)x[c];
          bound += fabs((double)W[(size_t)r * stride + c] * (double)x[c]);
        }
        if (fabs((double)y_lib[r] - exact) > 1e-6 * (n + 1) * bound + 1e-30)
          inaccurate++;
      }
    }
  }
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  printf("clone in use: %s\n", __builtin_cpu_supports("avx") ? "avx" : "default (SSE)");
#endif
  printf("%d rows compared: %d differ from ev_dotf, %d beyond the rounding bound\n", cases,
         mismatches, inaccurate);
  EV_CHECK(cases > 500, "%d cases", cases);
  EV_CHECK(mismatches == 0, "%d rows not bit-identical to ev_dotf", mismatches);
  EV_CHECK(inaccurate == 0, "%d rows off the double-precision dot product", inaccurate);
  EV_TEST_END();
}
