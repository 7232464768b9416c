/* Augmentation properties: gain exact, SNR as requested, shift exact, stretch changes the
 * duration by the factor and keeps the pitch, pitch shift keeps the duration and moves the
 * frequency by 2^(st/12); everything reproducible from the seed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_augment.h"
#include "ev_test.h"

/* Frequency from the rate of upward zero crossings over the middle of the signal (the edges
 * of a stretched signal are windowed). */
static double zc_freq(const float *x, size_t n, int rate) {
  size_t a = n / 10, b = n - n / 10, first = 0, last = 0;
  int count = 0;
  for (size_t i = a + 1; i < b; i++)
    if (x[i - 1] < 0 && x[i] >= 0) {
      if (!count)
        first = i;
      last = i;
      count++;
    }
  return count > 1 ? (double)(count - 1) * rate / (double)(last - first) : 0.0;
}

static float *tone(size_t n, double f, int rate, float amp) {
  float *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++)
    x[i] = amp * (float)sin(2 * M_PI * f * (double)i / rate);
  return x;
}

/* The room's impulse response against its definitions: the reverberation time from Schroeder's
 * backward integration of the tail's energy (T20: the -5 to -25 dB span of the decay curve, times
 * 3), with the loop's low-pass off so that every frequency decays at the RT60 asked; the
 * direct-to-reverberant ratio as the impulse's energy over the tail's. */
static void room_checks(int rate) {
  const size_t n = (size_t)rate * 3;
  float *h = calloc(n, sizeof *h);
  const double rts[] = {0.2, 0.4, 0.7}, drrs[] = {0.0, 6.0, 12.0};
  for (int k = 0; k < 3; k++) {
    memset(h, 0, n * sizeof *h);
    h[0] = 1.0f;
    EV_CHECK(ev_aug_room(h, n, rts[k], drrs[k], 1.0, 0.0, rate) == 0, "room ran");
    double e_tail = 0.0, e_all = 0.0;
    for (size_t i = 1; i < n; i++)
      e_tail += (double)h[i] * h[i];
    e_all = e_tail + (double)h[0] * h[0];
    EV_CHECK(fabs(e_all - 1.0) < 1e-4, "the impulse keeps its energy: %g", e_all);
    const double drr = 10.0 * log10((double)h[0] * h[0] / e_tail);
    EV_CHECK(fabs(drr - drrs[k]) < 0.05, "DRR %.2f dB, asked %.2f", drr, drrs[k]);
    /* the decay curve: energy left after i, in dB of the tail's total */
    double left = e_tail, t5 = -1.0, t25 = -1.0;
    for (size_t i = 1; i < n && t25 < 0.0; i++) {
      left -= (double)h[i] * h[i];
      const double db = 10.0 * log10(left / e_tail);
      if (t5 < 0.0 && db <= -5.0)
        t5 = (double)i / rate;
      if (db <= -25.0)
        t25 = (double)i / rate;
    }
    const double t20 = 3.0 * (t25 - t5);
    EV_CHECK(t5 > 0.0 && t25 > 0.0 && fabs(t20 / rts[k] - 1.0) < 0.2,
             "RT60 from T20 %.3f s, asked %.3f s", t20, rts[k]);
  }
  /* the loop's low-pass makes the highs die first: a 4 kHz tone's tail is shorter than a
   * 200 Hz tone's with damping on (read from 100 ms after the tone, when every echo has been
   * round its loop at least once) */
  const size_t m = (size_t)rate; /* 1 s: 0.5 s of tone, then its tail */
  double tails[2];
  const double fs[2] = {200.0, 4000.0};
  for (int k = 0; k < 2; k++) {
    float *t = calloc(m, sizeof *t);
    for (size_t i = 0; i < m / 2; i++)
      t[i] = 0.3f * (float)sin(2 * M_PI * fs[k] * (double)i / rate);
    ev_aug_room(t, m, 0.6, 0.0, 1.0, 0.5, rate);
    double e_tone = 0.0, e_after = 0.0;
    for (size_t i = 0; i < m; i++)
      if (i < m / 2)
        e_tone += (double)t[i] * t[i];
      else if (i >= m / 2 + (size_t)rate / 10)
        e_after += (double)t[i] * t[i];
    tails[k] = 10.0 * log10(e_after / e_tone);
    free(t);
  }
  EV_CHECK(tails[1] < tails[0] - 6.0, "damped highs: tail %.1f dB at 4 kHz, %.1f dB at 200 Hz",
           tails[1], tails[0]);
  /* silence stays silence, nothing is produced from nothing */
  memset(h, 0, n * sizeof *h);
  EV_CHECK(ev_aug_room(h, n, 0.5, 3.0, 1.0, 0.3, rate) == 0 && h[n / 2] == 0.0f && h[0] == 0.0f,
           "silence in a room is silence");
  free(h);
}

int main(void) {
  const int rate = 16000;
  const size_t n = 32000;
  float *x = tone(n, 200.0, rate, 0.3f);
  float *y = malloc(n * sizeof *y);

  /* gain: exactly x * 10^(db/20) in float */
  memcpy(y, x, n * sizeof *y);
  ev_aug_gain(y, n, 6.0f);
  float g = powf(10.0f, 6.0f / 20.0f);
  int exact = 1;
  for (size_t i = 0; i < n; i++)
    exact &= y[i] == x[i] * g;
  EV_CHECK(exact, "gain is an exact multiplication");
  EV_CHECK_NEAR(g, 1.99526231, 1e-6, "6 dB factor");

  /* noise: the SNR measured from (y - x) equals the request */
  for (float snr = 0.0f; snr <= 30.0f; snr += 10.0f) {
    memcpy(y, x, n * sizeof *y);
    ev_rng r;
    ev_rng_seed(&r, 42);
    ev_aug_noise(y, n, snr, &r);
    double ps = 0, pn = 0, mean = 0;
    for (size_t i = 0; i < n; i++) {
      double d = (double)y[i] - x[i];
      ps += (double)x[i] * x[i];
      pn += d * d;
      mean += d;
    }
    double measured = 10 * log10(ps / pn);
    EV_CHECK_NEAR(measured, snr, 0.01, "measured SNR (dB)");
    EV_CHECK(fabs(mean / n) < 0.05 * sqrt(pn / n), "noise has zero mean");
  }
  /* silent input stays silent */
  float z[100] = {0};
  ev_rng r0;
  ev_rng_seed(&r0, 1);
  ev_aug_noise(z, 100, 10.0f, &r0);
  EV_CHECK(z[0] == 0 && z[99] == 0, "silence untouched");

  /* shift: exact delay/advance, zeros fill */
  memcpy(y, x, n * sizeof *y);
  ev_aug_shift(y, n, 123);
  int ok = 1;
  for (size_t i = 0; i < 123; i++)
    ok &= y[i] == 0.0f;
  for (size_t i = 123; i < n; i++)
    ok &= y[i] == x[i - 123];
  EV_CHECK(ok, "delay by 123 samples");
  memcpy(y, x, n * sizeof *y);
  ev_aug_shift(y, n, -50);
  ok = 1;
  for (size_t i = 0; i + 50 < n; i++)
    ok &= y[i] == x[i + 50];
  for (size_t i = n - 50; i < n; i++)
    ok &= y[i] == 0.0f;
  EV_CHECK(ok, "advance by 50 samples");

  /* stretch: duration x factor, frequency kept, level kept */
  const double factors[] = {0.8, 0.9, 1.1, 1.25};
  for (int k = 0; k < 4; k++) {
    size_t on = 0;
    float *s = ev_aug_stretch(x, n, factors[k], rate, &on);
    EV_CHECK(s != NULL, "stretch %g", factors[k]);
    if (!s)
      continue;
    EV_CHECK(on == (size_t)llround(n * factors[k]), "stretched length %zu for %g", on, factors[k]);
    EV_CHECK_NEAR(zc_freq(s, on, rate), 200.0, 200.0 * 0.02, "stretched tone frequency (Hz)");
    double rms = 0;
    for (size_t i = on / 10; i < on - on / 10; i++)
      rms += (double)s[i] * s[i];
    rms = sqrt(rms / (double)(on - on / 5));
    EV_CHECK_NEAR(rms, 0.3 / sqrt(2.0), 0.3 / sqrt(2.0) * 0.1, "stretched tone RMS");
    free(s);
  }

  /* pitch: duration kept, frequency x 2^(st/12) */
  const double steps[] = {-3.0, 2.0, 12.0};
  for (int k = 0; k < 3; k++) {
    float *p = ev_aug_pitch(x, n, steps[k], rate);
    EV_CHECK(p != NULL, "pitch %g", steps[k]);
    if (!p)
      continue;
    double want = 200.0 * pow(2.0, steps[k] / 12.0);
    EV_CHECK_NEAR(zc_freq(p, n, rate), want, want * 0.02, "pitch-shifted frequency (Hz)");
    free(p);
  }

  /* tilt: the gain of a tone at f is |1 - a e^{-jw}| / |1 - a e^{-jw1k}|, worked out here */
  {
    const double freqs[3] = {200.0, 1000.0, 6000.0}, as[2] = {0.5, -0.5};
    for (int ai = 0; ai < 2; ai++)
      for (int k = 0; k < 3; k++) {
        float *t = tone(n, freqs[k], rate, 0.3f);
        ev_aug_tilt(t, n, as[ai], rate);
        double e = 0;
        for (size_t i = n / 2; i < n; i++) /* past the first sample's transient */
          e += (double)t[i] * t[i];
        const double got_db = 10 * log10(e / (n - n / 2) / (0.3 * 0.3 / 2));
        const double w = 2 * M_PI * freqs[k] / rate, w1 = 2 * M_PI * 1000.0 / rate, a = as[ai];
        const double want_db =
            10 * log10((1 - 2 * a * cos(w) + a * a) / (1 - 2 * a * cos(w1) + a * a));
        EV_CHECK(fabs(got_db - want_db) < 0.05, "tilt a=%g at %g Hz: %.3f dB, want %.3f", a,
                 freqs[k], got_db, want_db);
        free(t);
      }
  }

  /* band: a telephone-like channel keeps a 1 kHz tone's level and removes a 6 kHz one (8 kHz
   * audio holds nothing above 4 kHz); the length stays the clip's */
  {
    const double freqs[2] = {1000.0, 6000.0}, want_max_db[2] = {0.3, -60.0};
    for (int k = 0; k < 2; k++) {
      float *t = tone(n, freqs[k], rate, 0.3f);
      float *b = ev_aug_band(t, n, rate);
      EV_CHECK(b != NULL, "band copy at %g Hz", freqs[k]);
      if (b) {
        double e = 0;
        for (size_t i = n / 4; i < n - n / 4; i++) /* away from the filters' edges */
          e += (double)b[i] * b[i];
        const double got_db = 10 * log10(e / (double)(n - n / 2) / (0.3 * 0.3 / 2) + 1e-30);
        if (k == 0)
          EV_CHECK(fabs(got_db) < want_max_db[0], "band keeps 1 kHz: %.3f dB", got_db);
        else
          EV_CHECK(got_db < want_max_db[1], "band removes 6 kHz: %.1f dB", got_db);
      }
      free(b);
      free(t);
    }
  }

  /* noise floor (--channel narrow-floor): over 400 seeds about half the clips get one, each at
   * an RMS level inside [-110, -80] dBFS spread over that range, white (as much power above
   * 4 kHz as in any other quarter of the band); the same seed gives the same samples */
  {
    const size_t m = 16000;
    float *z = calloc(m, sizeof *z), *z2 = calloc(m, sizeof *z2);
    int with = 0, in_range = 1;
    double lo = 0.0, hi = -200.0, high_share = 0.0;
    for (uint64_t seed = 1; seed <= 400; seed++) {
      memset(z, 0, m * sizeof *z);
      ev_aug_noise_floor(z, m, seed);
      double e = 0.0, eh = 0.0;
      for (size_t i = 0; i < m; i++)
        e += (double)z[i] * z[i];
      if (e == 0.0)
        continue;
      with++;
      const double db = 10.0 * log10(e / (double)m);
      in_range &= db > EV_AUG_FLOOR_LO_DB - 0.5 && db < EV_AUG_FLOOR_HI_DB + 0.5;
      lo = fmin(lo, db);
      hi = fmax(hi, db);
      /* white: its lag-1 autocorrelation is ~0 (a floor shaped toward low or high frequencies
       * would show it), so the band above 4 kHz gets its share, half of a 16 kHz signal's */
      for (size_t i = 1; i < m; i++)
        eh += (double)z[i] * z[i - 1];
      high_share += fabs(eh / e);
    }
    EV_CHECK(with > 170 && with < 230, "a noise floor in %d of 400 clips (about half)", with);
    EV_CHECK(in_range, "every floor within [%g, %g] dBFS", EV_AUG_FLOOR_LO_DB, EV_AUG_FLOOR_HI_DB);
    EV_CHECK(lo < -105.0 && hi > -85.0, "the levels spread over the range (%.1f .. %.1f dBFS)", lo,
             hi);
    EV_CHECK(high_share / with < 0.03, "white: lag-1 correlation %.4f", high_share / with);
    memset(z, 0, m * sizeof *z);
    ev_aug_noise_floor(z, m, 3);
    ev_aug_noise_floor(z2, m, 3);
    EV_CHECK(memcmp(z, z2, m * sizeof *z) == 0, "the same seed, the same floor");
    free(z);
    free(z2);
  }

  /* the whole chain is a function of the seed */
  ev_augment_config c;
  ev_augment_config_default(&c);
  char err[128];
  EV_CHECK(ev_augment_config_parse(&c,
                                   "copies=2,noise=5:20,p=1,gain=6,shift=50,stretch=0.1,"
                                   "pitch=2",
                                   err, sizeof err) == 0,
           "parse: %s", err);
  EV_CHECK(ev_augment_config_parse(&c, "bogus=1", err, sizeof err) != 0, "bad key refused");
  EV_CHECK(ev_augment_config_parse(&c, "tilt=0.99", err, sizeof err) != 0, "tilt 0.99 refused");
  {
    /* off by default, and then not in the description (the cache keys of older recipes) */
    ev_augment_config t;
    ev_augment_config_default(&t);
    char d[256];
    EV_CHECK(ev_augment_config_parse(&t, "copies=1,pitch=2", err, sizeof err) == 0 && t.tilt == 0,
             "tilt off unless asked");
    ev_augment_config_describe(&t, d, sizeof d);
    EV_CHECK(!strstr(d, "tilt"), "no tilt in '%s'", d);
    EV_CHECK(ev_augment_config_parse(&t, "tilt=0.5", err, sizeof err) == 0 && t.tilt == 0.5f,
             "tilt=0.5 parsed");
    ev_augment_config_describe(&t, d, sizeof d);
    EV_CHECK(strstr(d, ",tilt=0.5") != NULL, "tilt in '%s'", d);
    EV_CHECK(!strstr(d, "band") && t.band_p == 0, "band off unless asked: '%s'", d);
    EV_CHECK(ev_augment_config_parse(&t, "band=0.5", err, sizeof err) == 0 && t.band_p == 0.5f,
             "band=0.5 parsed");
    ev_augment_config_describe(&t, d, sizeof d);
    EV_CHECK(strstr(d, ",tilt=0.5,band=0.5") != NULL, "band in '%s'", d);
    EV_CHECK(!strstr(d, "room") && t.room_p == 0, "room off unless asked: '%s'", d);
    EV_CHECK(ev_augment_config_parse(&t, "room=0.5", err, sizeof err) == 0 && t.room_p == 0.5f,
             "room=0.5 parsed");
    ev_augment_config_describe(&t, d, sizeof d);
    EV_CHECK(strstr(d, ",band=0.5,room=0.5") != NULL, "room in '%s'", d);
    EV_CHECK(ev_augment_config_parse(&t, "room=2", err, sizeof err) != 0, "room 2 refused");
    EV_CHECK(ev_augment_config_parse(&t, "band=1.5", err, sizeof err) != 0, "band 1.5 refused");
  }
  room_checks(rate);
  size_t n1, n2, n3;
  float *a1 = ev_augment_apply(&c, x, n, rate, 7, &n1);
  float *a2 = ev_augment_apply(&c, x, n, rate, 7, &n2);
  float *a3 = ev_augment_apply(&c, x, n, rate, 8, &n3);
  EV_CHECK(a1 && a2 && a3 && n1 == n2, "augment apply");
  if (a1 && a2 && a3 && n1 == n2) {
    EV_CHECK(memcmp(a1, a2, n1 * sizeof *a1) == 0, "same seed, same audio");
    EV_CHECK(n1 != n3 || memcmp(a1, a3, n1 * sizeof *a1) != 0, "other seed, other audio");
  }
  free(a1);
  free(a2);
  free(a3);
  free(x);
  free(y);
  EV_TEST_END();
}
