/* Test signals: a speech-like mixture (chirp, AM noise, silent gaps) at any rate. */
#ifndef TEST_SIGNAL_H
#define TEST_SIGNAL_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static inline float *test_signal(double rate, double seconds, size_t *n_out) {
  size_t n = (size_t)(rate * seconds);
  float *x = malloc(n * sizeof(float) + 1);
  uint32_t s = 12345u;
  for (size_t i = 0; i < n; i++) {
    double t = i / rate;
    s = s * 1664525u + 1013904223u;
    double noise = ((s >> 8) / 16777216.0 - 0.5) * 0.2;
    double am = 0.5 + 0.5 * sin(2 * M_PI * 3.0 * t);
    double chirp = 0.3 * sin(2 * M_PI * (100.0 * t + 600.0 * t * t));
    double v = am * (chirp + noise);
    if (fmod(t, 1.0) > 0.8) /* 200 ms of digital silence every second */
      v = 0.0;
    x[i] = (float)v;
  }
  *n_out = n;
  return x;
}

#endif
