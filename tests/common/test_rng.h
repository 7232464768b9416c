/* The tests' one small deterministic generator (xorshift32): each test keeps its own state and
 * seed, so its sequence, and what it asserts on, does not depend on other tests. */
#ifndef TEST_RNG_H
#define TEST_RNG_H

#include <stdint.h>

static inline uint32_t test_xorshift32(uint32_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}
/* uniform in [-1, 1) */
static inline double test_uniform_pm1(uint32_t *s) {
  return (double)(test_xorshift32(s) >> 8) / 8388608.0 - 1.0;
}
/* uniform in [0, 1) */
static inline double test_uniform01(uint32_t *s) {
  return (double)(test_xorshift32(s) >> 8) / 16777216.0;
}

#endif
