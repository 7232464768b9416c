/* The analyser's DC blocker (dsp/kernels/ev_dc_block.c) against the rules its header states,
 * written out here sample by sample: non-finite -> 0, clamped to +-EV_SAMPLE_CLAMP, magnitudes
 * below EV_SAMPLE_FLUSH -> 0, then y = x - x1 + r*y1 in double (x1 primed with the first
 * sample, |y| < 1e-30 -> 0), rounded to float. Input: speech-like noise with NaN, +-Inf, huge,
 * tiny, -0 and denormal samples mixed in; fed in blocks of 1..37 samples, out of place and in
 * place; the filter on (20 Hz at 48 kHz) and off. Every output must be the same bits. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ev_dc_block.h"
#include "ev_features.h"
#include "ev_test.h"

#define N 20000

static float rule(float v) {
  if (isnan(v) || isinf(v))
    return 0.0f;
  if (v > EV_SAMPLE_CLAMP)
    return EV_SAMPLE_CLAMP;
  if (v < -EV_SAMPLE_CLAMP)
    return -EV_SAMPLE_CLAMP;
  return fabsf(v) < EV_SAMPLE_FLUSH ? 0.0f : v;
}

int main(void) {
  static float in[N], want[N], got[N], inplace[N];
  uint32_t s = 99u;
  const float odd[] = {
      NAN,   -NAN,   INFINITY,        -INFINITY,        1e5f,           -3e38f, 1e-31f, -1e-31f,
      -0.0f, 1e-40f, EV_SAMPLE_CLAMP, -EV_SAMPLE_CLAMP, EV_SAMPLE_FLUSH};
  for (int i = 0; i < N; i++) {
    s = s * 1664525u + 1013904223u;
    in[i] = (float)(0.3 * sin(i * 0.01) + ((s >> 8) / 16777216.0 - 0.5) * 0.1 + 0.02);
    if ((s >> 3) % 17 == 0)
      in[i] = odd[(s >> 9) % (sizeof odd / sizeof *odd)];
  }
  for (int on = 0; on < 2; on++) {
    const double r = on ? exp(-2.0 * M_PI * EV_DC_BLOCK_HZ / 48000.0) : 1.0;
    double x1 = rule(in[0]), y1 = 0.0;
    for (int i = 0; i < N; i++) {
      const float x = rule(in[i]);
      if (!on) {
        want[i] = x;
        continue;
      }
      double y = (double)x - x1 + r * y1;
      if (fabs(y) < 1e-30)
        y = 0.0;
      want[i] = (float)y;
      x1 = x;
      y1 = y;
    }
    ev_dc_block a, b;
    ev_dc_block_init(&a, 48000.0, on ? EV_DC_BLOCK_HZ : 0.0);
    ev_dc_block_init(&b, 48000.0, on ? EV_DC_BLOCK_HZ : 0.0);
    memcpy(inplace, in, sizeof in);
    for (int i = 0, k = 0; i < N; k++) {
      int len = 1 + (k * 7) % 37;
      if (len > N - i)
        len = N - i;
      ev_dc_block_process(&a, in + i, got + i, (uint32_t)len);
      ev_dc_block_process(&b, inplace + i, inplace + i, (uint32_t)len);
      i += len;
    }
    int bad = 0, bad_in = 0;
    for (int i = 0; i < N; i++) {
      bad += memcmp(&got[i], &want[i], sizeof(float)) != 0;
      bad_in += memcmp(&inplace[i], &want[i], sizeof(float)) != 0;
    }
    printf("filter %s: %d of %d samples differ (out of place), %d (in place)\n", on ? "on" : "off",
           bad, N, bad_in);
    EV_CHECK(bad == 0 && bad_in == 0, "filter %s: %d / %d samples differ from the rules",
             on ? "on" : "off", bad, bad_in);
  }
  EV_TEST_END();
}
