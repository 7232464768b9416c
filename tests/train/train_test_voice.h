/* The trainer tests' synthetic voice: syllables (a half-wave sine envelope) of a harmonic tone
 * whose pitch glides, with a pause every 1.7 s and a little noise, at 16 kHz, so the plugin's
 * speech gate opens and closes and a model's outputs move. f0 and amp set the voice; syll_hz the
 * syllable rate; phase the glide's phase; seed the noise. malloc'd, n samples. */
#ifndef TRAIN_TEST_VOICE_H
#define TRAIN_TEST_VOICE_H

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static inline float *train_test_voice(double f0, double amp, double syll_hz, double phase,
                                      unsigned seed, size_t n) {
  float *x = calloc(n + 1, sizeof *x);
  if (!x)
    return NULL;
  unsigned st = seed;
  double ph = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double t = (double)i / 16000.0;
    const double f = f0 * (1.0 + 0.15 * sin(2 * M_PI * 0.7 * t + phase));
    ph += 2 * M_PI * f / 16000.0;
    double env = sin(2 * M_PI * syll_hz * t);
    env = env > 0 ? env : 0.0;
    if (fmod(t, 1.7) > 1.3) /* a pause every 1.7 s */
      env = 0.0;
    double v = 0.0;
    for (int h = 1; h <= 20; h++)
      v += sin(h * ph) / h;
    st = st * 1664525u + 1013904223u;
    const double noise = ((double)(st >> 8) / 16777216.0 - 0.5) * 0.002;
    x[i] = (float)(amp * env * v + noise);
  }
  return x;
}

#endif
