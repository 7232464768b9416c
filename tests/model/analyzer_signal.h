/* A deterministic speech-like test signal: silence, voiced harmonics with a moving pitch and
 * syllable-rate amplitude modulation, a noisy (fricative-like) voiced part, silence. */
#ifndef ANALYZER_SIGNAL_H
#define ANALYZER_SIGNAL_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define SIG_SECONDS 3.5
/* segment boundaries in seconds */
#define SIG_VOICED_A0 0.5
#define SIG_VOICED_A1 1.5
#define SIG_VOICED_B0 1.8
#define SIG_VOICED_B1 2.8

/* tel: as heard through a telephone channel: the harmonics up to 3.4 kHz, no noise but the
 * floor (ev_analyzer_attach_narrowband's detector hears it as telephone audio). */
static float *make_signal_band(double rate, int tel, size_t *n_out) {
  const size_t n = (size_t)(SIG_SECONDS * rate);
  float *x = calloc(n, sizeof(float));
  uint32_t noise = 22222;
  double phase = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double t = (double)i / rate;
    noise = noise * 1664525u + 1013904223u;
    const double white = (double)(noise >> 8) / 8388608.0 - 1.0;
    const int a = t >= SIG_VOICED_A0 && t < SIG_VOICED_A1;
    const int b = t >= SIG_VOICED_B0 && t < SIG_VOICED_B1;
    double v = 1e-5 * white; /* a faint noise floor, far below the gate */
    if (a || b) {
      const double f0 = 150.0 + 50.0 * sin(2.0 * M_PI * 1.3 * t) + (b ? 60.0 : 0.0);
      phase += 2.0 * M_PI * f0 / rate;
      double voiced = 0.0;
      for (int h = 1; h <= (tel ? 40 : 12); h++) {
        /* the channel's edge as a smooth taper over 3-3.4 kHz: a harmonic that stopped at once
         * when the moving pitch took it past the edge would click across the whole band */
        const double hf = h * f0;
        const double g = !tel || hf < 3000.0 ? 1.0
                         : hf < 3400.0       ? 0.5 * (1.0 + cos(M_PI * (hf - 3000.0) / 400.0))
                                             : 0.0;
        voiced += g * sin(h * phase) / h;
      }
      const double env = 0.55 + 0.45 * sin(2.0 * M_PI * 4.0 * t);
      v += 0.15 * env * voiced + (b && !tel ? 0.05 * white : 0.0);
    }
    x[i] = (float)v;
  }
  *n_out = n;
  return x;
}

/* A voiced sound whose pitch (150 +- 50 Hz at 1.3 Hz) and loudness (4 Hz) move as speech does,
 * eight harmonics falling as 1/h, sounding where speech(t) is nonzero (NULL: throughout) and
 * silent elsewhere. NULL when out of memory. */
static inline float *make_moving_voice(double seconds, double rate, int (*speech)(double t),
                                       size_t *n_out) {
  const size_t n = (size_t)(seconds * rate);
  float *x = calloc(n, sizeof *x);
  double phase = 0.0;
  for (size_t i = 0; x && i < n; i++) {
    const double t = (double)i / rate;
    if (speech && !speech(t))
      continue;
    const double f0 = 150.0 + 50.0 * sin(2.0 * M_PI * 1.3 * t);
    phase += 2.0 * M_PI * f0 / rate;
    double v = 0.0;
    for (int h = 1; h <= 8; h++)
      v += sin(h * phase) / h;
    x[i] = (float)(0.1 * (0.55 + 0.45 * sin(2.0 * M_PI * 4.0 * t)) * v);
  }
  *n_out = n;
  return x;
}

static inline float *make_signal(double rate, size_t *n_out) {
  return make_signal_band(rate, 0, n_out);
}

#endif
