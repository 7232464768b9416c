/* ev_polyphase (the extractor's FIR resampler) against its design statement, from 8, 11.025,
 * 22.05, 32, 44.1 and 48 kHz to 16 kHz:
 *   - pass band: pure tones from 100 Hz to 0.9 x the lower Nyquist (7.2 kHz from 16 kHz up)
 *     come out within 0.01 dB;
 *   - stop band, downsampling: tones from 1.1 x the output Nyquist (8.8 kHz) to the input's
 *     Nyquist come out (as their aliases) at least 100 dB down; upsampling: the image of a
 *     tone in the pass band at least 100 dB below the tone;
 *   - time alignment: an impulse at input sample p peaks at output p * 16000 / rate (+-0.5),
 *     and no output comes later than ev_polyphase_latency() after its time;
 *   - the output does not depend on how the input is split into calls (sizes 1..64, random),
 *     and after ev_polyphase_reset() equals a fresh instance's, bit for bit.
 * Odd ratios (more than EV_POLY_MAX_PHASES phases) and high rates are refused (NULL). */
#include "ev_polyphase.h"
#include "ev_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OUT 16000

/* Streams x through p in calls of `block` samples (0: random 1..64); returns the outputs. */
static size_t run(ev_polyphase *p, const float *x, size_t n, int block, float *y) {
  uint32_t s = 12345u;
  size_t i = 0, m = 0;
  while (i < n) {
    int b = block;
    if (!b) {
      s = s * 1664525u + 1013904223u;
      b = 1 + (int)((s >> 8) % EV_POLY_MAX_IN);
    }
    if ((size_t)b > n - i)
      b = (int)(n - i);
    m += (size_t)ev_polyphase_process(p, x + i, b, y + m);
    i += (size_t)b;
  }
  return m;
}

/* RMS of y[a .. a + len) against a sine of amplitude 0.5, in dB */
static double rms_db(const float *y, size_t a, size_t len) {
  double s = 0;
  for (size_t i = a; i < a + len; i++)
    s += (double)y[i] * y[i];
  const double rms = sqrt(s / (double)len);
  return rms > 0 ? 20 * log10(rms / (0.5 / sqrt(2.0))) : -400;
}

/* amplitude of the component at f Hz in y[a .. a + len) (16 kHz), relative to 0.5, in dB */
static double component_db(const float *y, size_t a, size_t len, double f) {
  double c = 0, s = 0;
  for (size_t i = a; i < a + len; i++) {
    c += y[i] * cos(2 * M_PI * f * (double)i / OUT);
    s += y[i] * sin(2 * M_PI * f * (double)i / OUT);
  }
  const double amp = 2.0 * sqrt(c * c + s * s) / (double)len;
  return amp > 0 ? 20 * log10(amp / 0.5) : -400;
}

/* The output of a tone at f Hz (amplitude 0.5, 1.5 s); its length in *m */
static float *tone_out(ev_polyphase *p, double rate, double f, size_t *m) {
  const size_t n = (size_t)(1.5 * rate);
  float *x = malloc(n * sizeof(float)), *y = malloc((2 * OUT + 256) * sizeof(float));
  /* (2 s of output room for 1.5 s of input) */
  for (size_t i = 0; i < n; i++)
    x[i] = (float)(0.5 * sin(2 * M_PI * f * (double)i / rate));
  ev_polyphase_reset(p);
  *m = run(p, x, n, 64, y);
  free(x);
  return y;
}

int main(void) {
  const double rates[6] = {8000, 11025, 22050, 32000, 44100, 48000};
  for (int ri = 0; ri < 6; ri++) {
    const double rate = rates[ri];
    ev_polyphase *p = ev_polyphase_new((uint32_t)rate, OUT);
    EV_CHECK(p != NULL, "%.0f Hz refused", rate);
    if (!p)
      continue;
    const double ny = 0.5 * (rate < OUT ? rate : OUT);
    /* 0.5 s from 0.25 s on: whole periods of every tone and alias at even Hz */
    const size_t a = OUT / 4, len = OUT / 2;
    double pmin = 1e9, pmax = -1e9, stop = -400;
    const double edge = floor(0.9 * ny / 2) * 2; /* even Hz */
    for (double f = 100; f <= edge; f = f + 100 < edge || f == edge ? f + 100 : edge) {
      size_t m;
      float *y = tone_out(p, rate, f, &m);
      EV_CHECK(m >= a + len, "%.0f Hz: %zu outputs for 1 s", rate, m);
      const double g = m >= a + len ? rms_db(y, a, len) : NAN;
      pmin = fmin(pmin, g);
      pmax = fmax(pmax, g);
      if (rate < OUT && m >= a + 2 * len) /* the image at rate - f: 1 s, whole periods */
        stop = fmax(stop, component_db(y, a, 2 * len, rate - f));
      free(y);
    }
    if (rate > OUT)
      for (double f = 1.1 * 0.5 * OUT; f < 0.5 * rate; f += 100) {
        size_t m;
        float *y = tone_out(p, rate, floor(f / 2) * 2, &m);
        stop = fmax(stop, m >= a + len ? rms_db(y, a, len) : 0);
        free(y);
      }
    EV_CHECK(pmin >= -0.01 && pmax <= 0.01, "%.0f Hz: pass band %+.4f .. %+.4f dB", rate, pmin,
             pmax);
    EV_CHECK(stop <= -100, "%.0f Hz: stop band (aliases or images) up to %.1f dB", rate, stop);

    /* impulse: alignment and latency */
    const size_t n = (size_t)(2 * rate), pos = (size_t)rate + 7;
    float *x = calloc(n, sizeof(float)), *y = calloc(2 * OUT + 256, sizeof(float));
    x[pos] = 1.0f;
    ev_polyphase_reset(p);
    size_t made = 0, late = 0;
    const double lat = ev_polyphase_latency(p);
    for (size_t i = 0; i + 64 <= n; i += 64) {
      made += (size_t)ev_polyphase_process(p, x + i, 64, y + made);
      /* outputs whose time is at least the latency before the end of the input given */
      const double due = floor(((double)(i + 64) - lat) * OUT / rate);
      if ((double)made + 1 < due)
        late++;
    }
    size_t k = 0;
    for (size_t i = 1; i < made; i++)
      if (fabsf(y[i]) > fabsf(y[k]))
        k = i;
    const double want = (double)pos * OUT / rate;
    EV_CHECK(fabs((double)k - want) <= 0.5 + 1e-9, "%.0f Hz: impulse peak at %zu, ideal %.2f", rate,
             k, want);
    EV_CHECK(late == 0, "%.0f Hz: %zu calls behind the latency %.1f", rate, late, lat);

    /* any split, reset = fresh */
    for (size_t i = 0; i < n; i++)
      x[i] = (float)(0.3 * sin(2 * M_PI * 440.0 * i / rate) * sin(2 * M_PI * 3.0 * i / rate) +
                     0.1 * sin(2 * M_PI * 0.4 * ny * i / rate) +
                     0.05 * sin(2 * M_PI * 9000.0 * i / rate));
    float *z = calloc(2 * OUT + 256, sizeof(float)), *w = calloc(2 * OUT + 256, sizeof(float));
    ev_polyphase_reset(p);
    const size_t m64 = run(p, x, n, 64, y);
    ev_polyphase_reset(p);
    const size_t m1 = run(p, x, n, 1, z);
    ev_polyphase *fresh = ev_polyphase_new((uint32_t)rate, OUT);
    const size_t mr = run(fresh, x, n, 0, w);
    EV_CHECK(m64 == m1 && m64 == mr && !memcmp(y, z, m64 * sizeof(float)) &&
                 !memcmp(y, w, m64 * sizeof(float)),
             "%.0f Hz: blocks of 64 / 1 / random after reset or fresh: %zu / %zu / %zu outputs, "
             "not bit-identical",
             rate, m64, m1, mr);
    printf("%6.0f Hz: %d phases x %d taps, pass band %+.4f .. %+.4f dB, stop band <= %.1f dB, "
           "latency %.1f input samples (%.2f ms), impulse peak %zu (ideal %.2f)\n",
           rate, ev_polyphase_phases(p), ev_polyphase_taps(p), pmin, pmax, stop, lat,
           1000 * lat / rate, k, want);
    ev_polyphase_free(fresh);
    ev_polyphase_free(p);
    free(x);
    free(y);
    free(z);
    free(w);
  }
  EV_CHECK(ev_polyphase_new(44099, OUT) == NULL, "44099 Hz (16000 phases) refused");
  EV_CHECK(ev_polyphase_new(192000, OUT) == NULL, "192 kHz (over the taps limit) refused");
  EV_TEST_END();
}
