/* ea_format_decimal (emovox-analyze's series writer) against the C library's printf, which it
 * must reproduce byte for byte ("%.6f" and "%.0f"): values rounded to 6 decimals as the series
 * holds them (ea_series_round_row, including its large, tiny, negative and carry cases),
 * integers, and values that take the fallback (raw doubles, half-way points, huge, -0, NaN and
 * infinities). */
#include "ea_series.h"
#include "ev_test.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int failures;

static void check(double v, int decimals) {
  char want[EA_DECIMAL_MAX], got[EA_DECIMAL_MAX];
  snprintf(want, sizeof want, "%.*f", decimals, v);
  const size_t n = ea_format_decimal(got, v, decimals);
  if (strcmp(want, got) != 0 || n != strlen(want)) {
    if (failures++ < 10)
      fprintf(stderr, "%.17g with %d decimals: printf \"%s\", ea_format_decimal \"%s\" (%zu)\n", v,
              decimals, want, got, n);
  }
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}
static double uniform(void) {
  return (double)(next() >> 11) / 9007199254740992.0;
}

int main(void) {
  /* what the series holds: float outputs rounded to 6 decimals (round6), over many scales */
  ea_series s;
  const char *names[2] = {"p", "n"};
  const int is_int[2] = {0, 1};
  ea_series_init(&s, 2, names, is_int);
  for (int i = 0; i < 2000000; i++) {
    const double scale = pow(10.0, (double)(i % 12) - 6.0);
    float vals[2] = {(float)((uniform() * 2.0 - 1.0) * scale), (float)((uniform() - 0.3) * 300)};
    double row[2];
    const double t = ea_series_round_row(&s, i * 0.01 + uniform() * 1e-3, vals, row);
    check(row[0], 6);
    check(row[1], 0);
    check(t, 6);
  }
  /* exact k / 1e6 near the limit of the fast path and around carries */
  for (long long k = 999999000000LL - 5000; k < 999999000000LL + 5000; k++) {
    check((double)k / 1e6, 6);
    check(-(double)k / 1e6, 6);
  }
  for (long long k = 0; k < 3000000; k += 7)
    check((double)k / 1e6, 6);
  /* the fallback: raw doubles, half-way points, huge values, signed zeros, non-finite */
  for (int i = 0; i < 200000; i++) {
    const double v = (uniform() * 2.0 - 1.0) * pow(10.0, (double)(i % 30) - 10.0);
    check(v, 6);
    check(v, 0);
    const long long k = (long long)(uniform() * 1e9);
    check(((double)k + 0.5) / 1e6, 6);
    check((double)k + 0.5, 0);
  }
  const double odd[] = {0.0,
                        -0.0,
                        1e6,
                        -1e6,
                        999999.9999995,
                        1e300,
                        -1e300,
                        5e-324,
                        -5e-324,
                        0.0000005,
                        -0.0000005,
                        0.0000015,
                        2.5,
                        -2.5,
                        3.5,
                        INFINITY,
                        -INFINITY,
                        NAN,
                        -NAN,
                        1.7976931348623157e308,
                        -1.7976931348623157e308};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    check(odd[i], 6);
    check(odd[i], 0);
  }
  EV_CHECK(failures == 0, "%d values formatted unlike printf", failures);
  printf("ea_format_decimal: %s over ~15 million values (series rows, exact k/1e6, fallback "
         "cases)\n",
         failures ? "DIFFERS" : "identical to printf");
  ea_series_free(&s);
  EV_TEST_END();
}
