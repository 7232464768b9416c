/* ev_resample (the extractor's soxr wrapper), at 8, 44.1, 48, 96 and 192 kHz:
 *   - steady release: after the start-up delay every 64-sample chunk releases
 *     floor or ceil(64 * 16000 / rate) samples (soxr itself gives bursts of hundreds);
 *   - time alignment: an impulse at input sample p peaks at output p * 16000 / rate (+-0.5);
 *   - the release never comes later than ev_resample_latency() after the chunk is complete;
 *   - gain: a 1 kHz tone within 0.01 dB, a tone above the output's Nyquist (where the input
 *     has one) at least 100 dB down;
 *   - reset: the stream after ev_resample_reset() equals a fresh instance's (within 1e-5 of
 *     full scale: soxr's block phase differs, so the last bits may), with the same counts;
 *     after ev_resample_reset_exact() (offline only: it allocates) bit for bit the same, for
 *     both kinds;
 *   - ev_resample_new_offline (soxr's default blocks): the same samples within 1e-5, and at
 *     least the same latency. */
#include "ev_resample.h"
#include "ev_test.h"

#include <math.h>
#include <string.h>

/* Streams x through r; out gets every released sample; rel[c] = samples released by chunk c. */
static size_t stream(ev_resample *r, const float *x, size_t n, float *out, int *rel) {
  size_t made = 0;
  for (size_t c = 0; (c + 1) * EV_RESAMPLE_CHUNK <= n; c++) {
    int k = ev_resample_chunk(r, x + c * EV_RESAMPLE_CHUNK, out + made);
    if (rel)
      rel[c] = k;
    made += (size_t)k;
  }
  return made;
}

static double tone_db(ev_resample *r, double rate, double f, float *x, size_t n, float *y) {
  for (size_t i = 0; i < n; i++)
    x[i] = (float)(0.5 * sin(2 * M_PI * f * (double)i / rate));
  size_t m = stream(r, x, n, y, NULL);
  double s = 0;
  size_t a = m / 4, b = a + 8000; /* 0.5 s: whole periods of tones and aliases at even Hz */
  if (b > m)
    return NAN;
  for (size_t i = a; i < b; i++)
    s += (double)y[i] * y[i];
  double rms = sqrt(s / 8000.0);
  return rms > 0 ? 20 * log10(rms / (0.5 / sqrt(2.0))) : -400;
}

int main(void) {
  const double rates[5] = {48000, 44100, 8000, 96000, 192000};
  for (int ri = 0; ri < 5; ri++) {
    double rate = rates[ri];
    char err[256] = "";
    ev_resample *r = ev_resample_new(rate, 16000, err, sizeof err);
    EV_CHECK(r != NULL, "%s", err);
    if (!r)
      continue;
    size_t n = (size_t)(2.0 * rate), chunks = n / EV_RESAMPLE_CHUNK;
    size_t cap = (size_t)(2.0 * 16000) + 4096;
    float *x = calloc(n, sizeof(float)), *y = calloc(cap, sizeof(float));
    int *rel = calloc(chunks, sizeof(int));
    double per = EV_RESAMPLE_CHUNK * 16000.0 / rate, lat = ev_resample_latency(r);

    /* impulse: alignment, steadiness, latency */
    size_t p = (size_t)rate; /* 1 s in */
    x[p] = 1.0f;
    size_t m = stream(r, x, n, y, rel);
    size_t k = 0;
    for (size_t i = 1; i < m; i++)
      if (fabsf(y[i]) > fabsf(y[k]))
        k = i;
    double want = (double)p * 16000.0 / rate;
    EV_CHECK(fabs((double)k - want) <= 0.5 + 1e-9, "%.0f Hz: impulse peak at %zu, ideal %.2f", rate,
             k, want);
    int lo = (int)floor(per), hi = (int)ceil(per), bad = 0;
    size_t first = 0, released = 0, late = 0;
    while (first < chunks && rel[first] == 0)
      first++;
    for (size_t c = 0; c < chunks; c++) {
      if (c > first && (rel[c] < lo || rel[c] > hi))
        bad++;
      /* every output up to `released` is out after chunk c: output j belongs to input time
       * j * rate / 16000, which must be no more than the latency before the chunk's end */
      released += (size_t)rel[c];
      double in_end = (double)(c + 1) * EV_RESAMPLE_CHUNK;
      double due = floor((in_end - lat) * 16000.0 / rate); /* outputs that must be out */
      if ((double)released + 1 < due)
        late++;
    }
    EV_CHECK(bad == 0, "%.0f Hz: %d chunks released other than %d..%d samples", rate, bad, lo, hi);
    EV_CHECK(late == 0, "%.0f Hz: %zu chunks behind the stated latency %.1f samples", rate, late,
             lat);
    printf("%6.0f Hz: latency %.1f input samples (%.1f ms), %d..%d samples per chunk, impulse "
           "peak %zu (ideal %.2f)\n",
           rate, lat, 1000.0 * lat / rate, lo, hi, k, want);

    /* gain */
    ev_resample_reset(r);
    double g1 = tone_db(r, rate, 1000, x, n, y);
    EV_CHECK(fabs(g1) <= 0.01, "%.0f Hz: 1 kHz gain %.4f dB", rate, g1);
    if (rate > 24000) {
      ev_resample_reset(r);
      double g12 = tone_db(r, rate, 12000, x, n, y);
      EV_CHECK(g12 <= -100, "%.0f Hz: 12 kHz tone comes out at %.1f dB", rate, g12);
      printf("         1 kHz %+.4f dB, 12 kHz %.1f dB\n", g1, g12);
    }

    /* reset = fresh stream */
    for (size_t i = 0; i < n; i++)
      x[i] = (float)(0.4 * sin(2 * M_PI * 440.0 * i / rate) * sin(2 * M_PI * 3.0 * i / rate) +
                     0.1 * sin(2 * M_PI * 5100.0 * i / rate));
    ev_resample *fresh = ev_resample_new(rate, 16000, err, sizeof err);
    float *z = calloc(cap, sizeof(float));
    ev_resample_reset(r);
    size_t m1 = stream(r, x, n, y, NULL), m2 = stream(fresh, x, n, z, NULL);
    double dmax = 0;
    for (size_t i = 0; i < m1 && i < m2; i++)
      dmax = fmax(dmax, fabs((double)y[i] - z[i]));
    EV_CHECK(m1 == m2 && dmax <= 1e-5, "%.0f Hz: after reset %zu samples, fresh %zu, max diff %g",
             rate, m1, m2, dmax);
    printf("         reset vs fresh: %zu samples each, max difference %.2g\n", m1, dmax);
    /* the exact reset (offline): bit for bit the fresh instance's stream, after other audio */
    EV_CHECK(ev_resample_reset_exact(r) == 0, "%.0f Hz: exact reset", rate);
    size_t m4 = stream(r, x, n, y, NULL);
    EV_CHECK(m4 == m2 && !memcmp(y, z, m2 * sizeof(float)),
             "%.0f Hz: after the exact reset %zu samples, fresh %zu, not bit for bit the same",
             rate, m4, m2);
    ev_resample_free(fresh);
    /* the offline variant: soxr's default blocks, the same samples to float rounding */
    ev_resample *off = ev_resample_new_offline(rate, 16000, err, sizeof err);
    EV_CHECK(off != NULL, "offline: %s", err);
    if (off) {
      size_t m3 = stream(off, x, n, z, NULL);
      double omax = 0;
      for (size_t i = 0; i < m1 && i < m3; i++)
        omax = fmax(omax, fabs((double)y[i] - z[i]));
      EV_CHECK(m3 > m1 / 2 && omax <= 1e-5 && ev_resample_latency(off) >= lat,
               "%.0f Hz: offline %zu samples, max difference %g, latency %.1f", rate, m3, omax,
               ev_resample_latency(off));
      printf("         offline variant: latency %.1f samples, max difference %.2g\n",
             ev_resample_latency(off), omax);
      /* its exact reset makes the offline kind again (soxr's default blocks), bit for bit */
      stream(off, x, n / 3, y, NULL);
      EV_CHECK(ev_resample_reset_exact(off) == 0, "%.0f Hz: offline exact reset", rate);
      size_t m5 = stream(off, x, n, y, NULL);
      EV_CHECK(m5 == m3 && !memcmp(y, z, m3 * sizeof(float)),
               "%.0f Hz: offline after the exact reset %zu samples, fresh %zu, not the same", rate,
               m5, m3);
      ev_resample_free(off);
    }
    ev_resample_free(r);
    free(x);
    free(y);
    free(z);
    free(rel);
  }
  char err[128];
  EV_CHECK(ev_resample_new(4000, 16000, err, sizeof err) == NULL, "4 kHz refused");
  EV_TEST_END();
}
