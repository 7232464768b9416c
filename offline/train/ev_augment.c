/* Augmentation: gain, noise at an exact SNR, shift, WSOLA stretch and stretch+resample pitch
 * shift (speexdsp). */
#include "ev_augment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <speex/speex_resampler.h>

#include "ev_stream_eval.h"

uint64_t ev_splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void ev_rng_seed(ev_rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++)
    r->s[i] = ev_splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

uint64_t ev_rng_next(ev_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double ev_rng_uniform(ev_rng *r) {
  return (double)(ev_rng_next(r) >> 11) * 0x1.0p-53;
}

double ev_rng_range(ev_rng *r, double lo, double hi) {
  return lo + (hi - lo) * ev_rng_uniform(r);
}

double ev_rng_gauss(ev_rng *r) {
  double u1 = ev_rng_uniform(r), u2 = ev_rng_uniform(r);
  if (u1 < 1e-300)
    u1 = 1e-300;
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

uint64_t ev_hash_str(uint64_t h, const char *s) {
  if (!h)
    h = 1469598103934665603ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ULL;
  }
  return h;
}

uint64_t ev_hash_u64(uint64_t h, uint64_t v) {
  if (!h)
    h = 1469598103934665603ULL;
  for (int i = 0; i < 8; i++) {
    h ^= (v >> (8 * i)) & 0xff;
    h *= 1099511628211ULL;
  }
  return h;
}

uint64_t ev_hash_file(uint64_t h, const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return ev_hash_u64(h, 0x756e7265616461ull); /* "unread" */
  uint64_t buf[8192], total = 0;
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
    if (got % 8) /* the tail: zero-padded to a whole word, the length below tells them apart */
      memset((char *)buf + got, 0, 8 - got % 8);
    for (size_t i = 0; i < (got + 7) / 8; i++) {
      h ^= buf[i];
      h *= 1099511628211ULL;
    }
    total += got;
  }
  const int failed = ferror(f);
  fclose(f);
  h = ev_hash_u64(h, total);
  return failed ? ev_hash_u64(h, 0x756e7265616461ull) : h;
}

void ev_aug_gain(float *x, size_t n, float db) {
  float g = powf(10.0f, db / 20.0f);
  for (size_t i = 0; i < n; i++)
    x[i] *= g;
}

void ev_aug_noise(float *x, size_t n, float snr_db, ev_rng *rng) {
  if (!n)
    return;
  double ps = 0.0;
  for (size_t i = 0; i < n; i++)
    ps += (double)x[i] * x[i];
  ps /= (double)n;
  if (ps <= 0.0)
    return;
  float *noise = malloc(n * sizeof *noise);
  if (!noise)
    return;
  double pn = 0.0;
  for (size_t i = 0; i < n; i++) {
    noise[i] = (float)ev_rng_gauss(rng);
    pn += (double)noise[i] * noise[i];
  }
  pn /= (double)n;
  double scale = sqrt(ps / (pn * pow(10.0, snr_db / 10.0)));
  for (size_t i = 0; i < n; i++)
    x[i] += (float)(scale * noise[i]);
  free(noise);
}

void ev_aug_tilt(float *x, size_t n, double a, int rate) {
  if (a == 0.0 || n == 0)
    return;
  const double w = 2.0 * M_PI * 1000.0 / rate;
  const double g = sqrt(1.0 - 2.0 * a * cos(w) + a * a); /* |1 - a e^{-jw}| */
  double prev = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double v = x[i];
    x[i] = (float)((v - a * prev) / g);
    prev = v;
  }
}

void ev_aug_shift(float *x, size_t n, long shift) {
  if (shift == 0 || n == 0)
    return;
  size_t s = (size_t)labs(shift);
  if (s >= n) {
    memset(x, 0, n * sizeof *x);
    return;
  }
  if (shift > 0) {
    memmove(x + s, x, (n - s) * sizeof *x);
    memset(x, 0, s * sizeof *x);
  } else {
    memmove(x, x + s, (n - s) * sizeof *x);
    memset(x + n - s, 0, s * sizeof *x);
  }
}

/* WSOLA: output frames of length N at hop H = N/2 with a periodic Hann window (which sums to
 * a constant at 50% overlap); each frame's input position is the nominal k*H/factor moved by up
 * to `tol` samples to best match the natural continuation of the previous frame, so periods
 * line up and the pitch is kept. */
float *ev_aug_stretch(const float *x, size_t n, double factor, int rate, size_t *out_n) {
  if (factor <= 0.0 || rate <= 0)
    return NULL;
  size_t on = (size_t)llround((double)n * factor);
  float *y = calloc(on ? on : 1, sizeof *y);
  if (!y)
    return NULL;
  *out_n = on;
  if (n == 0 || on == 0)
    return y;
  int N = 2 * (int)lround(0.02 * rate); /* 40 ms frames */
  if (N < 16)
    N = 16;
  int H = N / 2, tol = H / 2;
  float *w = malloc((size_t)N * sizeof *w);
  float *wsum = calloc(on, sizeof *wsum);
  if (!w || !wsum) {
    free(w);
    free(wsum);
    free(y);
    return NULL;
  }
  for (int i = 0; i < N; i++)
    w[i] = 0.5f - 0.5f * cosf(2.0f * (float)M_PI * (float)i / (float)N);
  long prev = 0; /* input position chosen for the previous frame */
  for (size_t k = 0; k * (size_t)H < on; k++) {
    long nominal = (long)llround((double)(k * (size_t)H) / factor);
    long pos = nominal;
    if (k > 0) {
      long target = prev + H; /* natural continuation of the previous frame */
      double best = -INFINITY;
      for (long d = -tol; d <= tol; d++) {
        long p = nominal + d;
        if (p < 0 || p + N > (long)n)
          continue;
        double c = 0.0;
        for (int i = 0; i < N; i += 2) {
          long t = target + i;
          float a = (t >= 0 && t < (long)n) ? x[t] : 0.0f;
          c += (double)a * x[p + i];
        }
        if (c > best) {
          best = c;
          pos = p;
        }
      }
    }
    size_t o = k * (size_t)H;
    for (int i = 0; i < N && o + (size_t)i < on; i++) {
      long p = pos + i;
      float v = (p >= 0 && p < (long)n) ? x[p] : 0.0f;
      y[o + (size_t)i] += w[i] * v;
      wsum[o + (size_t)i] += w[i];
    }
    prev = pos;
  }
  for (size_t i = 0; i < on; i++)
    if (wsum[i] > 1e-3f)
      y[i] /= wsum[i];
  free(w);
  free(wsum);
  return y;
}

float *ev_aug_pitch(const float *x, size_t n, double semitones, int rate) {
  double f = pow(2.0, semitones / 12.0);
  size_t sn;
  float *s = ev_aug_stretch(x, n, f, rate, &sn);
  if (!s)
    return NULL;
  float *y = calloc(n ? n : 1, sizeof *y);
  if (!y || sn == 0 || n == 0) {
    free(s);
    return y;
  }
  int e = 0;
  /* Rates sn -> n make the output exactly as long as the input: a resampling by 1/f. */
  SpeexResamplerState *rs = speex_resampler_init(1, (spx_uint32_t)sn, (spx_uint32_t)n, 5, &e);
  if (!rs) {
    free(s);
    free(y);
    return NULL;
  }
  speex_resampler_skip_zeros(rs);
  int lat = speex_resampler_get_input_latency(rs);
  size_t padded_n = sn + (size_t)lat * 2 + 16;
  float *in = calloc(padded_n, sizeof *in);
  if (!in) {
    speex_resampler_destroy(rs);
    free(s);
    free(y);
    return NULL;
  }
  memcpy(in, s, sn * sizeof *in);
  size_t done_in = 0, done_out = 0;
  while (done_out < n && done_in < padded_n) {
    spx_uint32_t il = (spx_uint32_t)(padded_n - done_in), ol = (spx_uint32_t)(n - done_out);
    speex_resampler_process_float(rs, 0, in + done_in, &il, y + done_out, &ol);
    if (il == 0 && ol == 0)
      break;
    done_in += il;
    done_out += ol;
  }
  speex_resampler_destroy(rs);
  free(in);
  free(s);
  return y;
}

float *ev_aug_band(const float *x, size_t n, int rate) {
  size_t n8 = 0, nb = 0;
  float *x8 = ev_stream_resample(x, n, rate, EV_AUG_BAND_RATE, &n8);
  float *y = x8 ? ev_stream_resample(x8, n8, EV_AUG_BAND_RATE, rate, &nb) : NULL;
  free(x8);
  if (!y)
    return NULL;
  float *out = calloc(n ? n : 1, sizeof *out); /* the clip's own length, as every copy keeps */
  if (out)
    memcpy(out, y, (nb < n ? nb : n) * sizeof *out);
  free(y);
  return out;
}

void ev_aug_noise_floor(float *x, size_t n, uint64_t seed) {
  ev_rng r;
  ev_rng_seed(&r, seed);
  if (ev_rng_uniform(&r) >= EV_AUG_FLOOR_P)
    return;
  const double rms = pow(10.0, ev_rng_range(&r, EV_AUG_FLOOR_LO_DB, EV_AUG_FLOOR_HI_DB) / 20.0);
  for (size_t i = 0; i < n; i++)
    x[i] += (float)(rms * ev_rng_gauss(&r));
}

int ev_aug_room(float *x, size_t n, double rt60_s, double drr_db, double size, double damp,
                int rate) {
  enum { COMBS = 6, ALLPASSES = 2 };
  /* mutually prime-ish delays, as Schroeder chose them, so that the echoes do not pile up */
  static const double comb_ms[COMBS] = {29.7, 33.7, 37.1, 41.1, 47.3, 53.9};
  static const double allpass_ms[ALLPASSES] = {5.0, 1.7};
  if (n == 0 || !(rt60_s > 0.0) || !(size > 0.0) || !(damp >= 0.0 && damp < 0.9) || rate <= 0)
    return 0;
  size_t len[COMBS + ALLPASSES], total = 0;
  for (int k = 0; k < COMBS + ALLPASSES; k++) {
    const double ms = k < COMBS ? comb_ms[k] * size : allpass_ms[k - COMBS];
    len[k] = (size_t)lround(ms * 0.001 * rate);
    if (len[k] < 1)
      len[k] = 1;
    total += len[k];
  }
  float *wet = malloc(n * sizeof *wet), *line = calloc(total, sizeof *line);
  if (!wet || !line) {
    free(wet);
    free(line);
    return -1;
  }
  double g[COMBS], lp[COMBS] = {0};
  for (int k = 0; k < COMBS; k++) /* 60 dB down after rt60_s: g^(rt60 / delay) = 10^-3 */
    g[k] = pow(10.0, -3.0 * (double)len[k] / ((double)rate * rt60_s));
  size_t pos[COMBS + ALLPASSES] = {0};
  for (size_t i = 0; i < n; i++) {
    double acc = 0.0;
    float *d = line;
    for (int k = 0; k < COMBS; d += len[k], k++) {
      const double out = d[pos[k]];
      lp[k] = (1.0 - damp) * out + damp * lp[k]; /* the loop's low-pass: DC gain 1 */
      d[pos[k]] = (float)(x[i] + g[k] * lp[k]);
      acc += out;
      pos[k] = pos[k] + 1 == len[k] ? 0 : pos[k] + 1;
    }
    for (int k = COMBS; k < COMBS + ALLPASSES; d += len[k], k++) {
      const double a = 0.7, v = d[pos[k]], w = acc + a * v; /* w[n] = x[n] + a w[n - D] */
      acc = v - a * w;                                      /* y[n] = w[n - D] - a w[n] */
      d[pos[k]] = (float)w;
      pos[k] = pos[k] + 1 == len[k] ? 0 : pos[k] + 1;
    }
    wet[i] = (float)acc;
  }
  double e_dry = 0.0, e_wet = 0.0;
  for (size_t i = 0; i < n; i++) {
    e_dry += (double)x[i] * x[i];
    e_wet += (double)wet[i] * wet[i];
  }
  if (e_dry > 0.0 && e_wet > 0.0) {
    const double s = sqrt(e_dry / e_wet * pow(10.0, -drr_db / 10.0));
    double e_out = 0.0;
    for (size_t i = 0; i < n; i++) {
      wet[i] = (float)(x[i] + s * wet[i]);
      e_out += (double)wet[i] * wet[i];
    }
    const double keep = e_out > 0.0 ? sqrt(e_dry / e_out) : 1.0; /* the clip's energy */
    for (size_t i = 0; i < n; i++)
      x[i] = (float)(keep * wet[i]);
  }
  free(wet);
  free(line);
  return 0;
}

void ev_augment_config_default(ev_augment_config *c) {
  c->copies = 0;
  c->noise_p = 0.5f;
  c->snr_lo = 10.0f;
  c->snr_hi = 30.0f;
  c->gain_db = 6.0f;
  c->shift_ms = 100.0f;
  c->stretch = 0.1f;
  c->pitch_st = 2.0f;
  c->tilt = 0.0f;
  c->band_p = 0.0f;
  c->room_p = 0.0f;
}

int ev_augment_config_parse(ev_augment_config *c, const char *spec, char *err, size_t errlen) {
  if (!strcasecmp(spec, "off") || !strcasecmp(spec, "none")) {
    c->copies = 0;
    return 0;
  }
  if (!strcasecmp(spec, "on") || !strcasecmp(spec, "default")) {
    c->copies = 2;
    return 0;
  }
  char buf[512];
  snprintf(buf, sizeof buf, "%s", spec);
  if (c->copies == 0)
    c->copies = 2;
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    char *eq = strchr(tok, '=');
    if (!eq) {
      snprintf(err, errlen, "augment: '%s' is not key=value", tok);
      return -1;
    }
    *eq = 0;
    const char *k = tok, *v = eq + 1;
    char *end;
    double a = strtod(v, &end);
    if (end == v) {
      snprintf(err, errlen, "augment: value of '%s' is not a number", k);
      return -1;
    }
    if (!strcmp(k, "copies"))
      c->copies = (int)a;
    else if (!strcmp(k, "noise")) {
      c->snr_lo = c->snr_hi = (float)a;
      if (*end == ':')
        c->snr_hi = (float)strtod(end + 1, NULL);
    } else if (!strcmp(k, "p"))
      c->noise_p = (float)a;
    else if (!strcmp(k, "gain"))
      c->gain_db = (float)a;
    else if (!strcmp(k, "shift"))
      c->shift_ms = (float)a;
    else if (!strcmp(k, "stretch"))
      c->stretch = (float)a;
    else if (!strcmp(k, "pitch"))
      c->pitch_st = (float)a;
    else if (!strcmp(k, "tilt"))
      c->tilt = (float)a;
    else if (!strcmp(k, "band"))
      c->band_p = (float)a;
    else if (!strcmp(k, "room"))
      c->room_p = (float)a;
    else {
      snprintf(err, errlen,
               "augment: unknown key '%s' (copies, noise=LO:HI, p, gain, shift, stretch, pitch, "
               "tilt, band, room)",
               k);
      return -1;
    }
  }
  if (c->copies < 0 || c->copies > 16 || c->stretch < 0 || c->stretch >= 0.5f || c->pitch_st < 0 ||
      c->pitch_st > 12 || c->noise_p < 0 || c->noise_p > 1 || !(c->tilt >= 0 && c->tilt < 0.95f) ||
      !(c->band_p >= 0 && c->band_p <= 1) || !(c->room_p >= 0 && c->room_p <= 1)) {
    snprintf(err, errlen,
             "augment: out of range (copies 0-16, stretch < 0.5, pitch <= 12, p 0-1, "
             "tilt 0-0.95, band 0-1, room 0-1)");
    return -1;
  }
  return 0;
}

uint64_t ev_augment_config_hash(const ev_augment_config *c) {
  char d[256];
  ev_augment_config_describe(c, d, sizeof d);
  return ev_hash_str(0, d);
}

void ev_augment_config_describe(const ev_augment_config *c, char *buf, size_t len) {
  if (c->copies == 0)
    snprintf(buf, len, "off");
  else { /* the tilt only when on: the cache keys of the recipes before it stay as they were */
    int k = snprintf(buf, len, "copies=%d,noise=%g:%g,p=%g,gain=%g,shift=%g,stretch=%g,pitch=%g",
                     c->copies, c->snr_lo, c->snr_hi, c->noise_p, c->gain_db, c->shift_ms,
                     c->stretch, c->pitch_st);
    if (c->tilt > 0 && k > 0 && (size_t)k < len)
      k += snprintf(buf + k, len - (size_t)k, ",tilt=%g", c->tilt);
    if (c->band_p > 0 && k > 0 && (size_t)k < len)
      k += snprintf(buf + k, len - (size_t)k, ",band=%g", c->band_p);
    if (c->room_p > 0 && k > 0 && (size_t)k < len)
      snprintf(buf + k, len - (size_t)k, ",room=%g", c->room_p);
  }
}

float *ev_augment_apply(const ev_augment_config *c, const float *x, size_t n, int rate,
                        uint64_t seed, size_t *out_n) {
  ev_rng r;
  ev_rng_seed(&r, seed);
  /* Draw every parameter first, in a fixed order, so each is reproducible on its own. */
  double stretch = c->stretch > 0 ? ev_rng_range(&r, 1.0 - c->stretch, 1.0 + c->stretch) : 1.0;
  double pitch = c->pitch_st > 0 ? ev_rng_range(&r, -c->pitch_st, c->pitch_st) : 0.0;
  double shift_ms = c->shift_ms > 0 ? ev_rng_range(&r, -c->shift_ms, c->shift_ms) : 0.0;
  double gain = c->gain_db > 0 ? ev_rng_range(&r, -c->gain_db, c->gain_db) : 0.0;
  int noisy = ev_rng_uniform(&r) < c->noise_p;
  double snr = ev_rng_range(&r, c->snr_lo, c->snr_hi);
  double tilt = c->tilt > 0 ? ev_rng_range(&r, -c->tilt, c->tilt) : 0.0;
  int narrow = c->band_p > 0 && ev_rng_uniform(&r) < c->band_p;
  const int room = c->room_p > 0 && ev_rng_uniform(&r) < c->room_p;
  double rt60 = 0.0, drr = 0.0, size = 1.0, damp = 0.0;
  if (room) {
    rt60 = ev_rng_range(&r, EV_AUG_ROOM_RT60_LO, EV_AUG_ROOM_RT60_HI);
    drr = ev_rng_range(&r, EV_AUG_ROOM_DRR_LO, EV_AUG_ROOM_DRR_HI);
    size = ev_rng_range(&r, 0.7, 1.3);
    damp = ev_rng_range(&r, 0.1, 0.5);
  }
  float *y;
  size_t yn = n;
  if (stretch != 1.0)
    y = ev_aug_stretch(x, n, stretch, rate, &yn);
  else {
    y = malloc((n ? n : 1) * sizeof *y);
    if (y)
      memcpy(y, x, n * sizeof *y);
  }
  if (!y)
    return NULL;
  if (pitch != 0.0) {
    float *p = ev_aug_pitch(y, yn, pitch, rate);
    free(y);
    if (!p)
      return NULL;
    y = p;
  }
  ev_aug_shift(y, yn, lround(shift_ms * 0.001 * rate));
  ev_aug_gain(y, yn, (float)gain);
  if (room && ev_aug_room(y, yn, rt60, drr, size, damp, rate) != 0) {
    free(y);
    return NULL;
  }
  ev_aug_tilt(y, yn, tilt, rate); /* the microphone after the room */
  if (noisy)
    ev_aug_noise(y, yn, (float)snr, &r);
  if (narrow) { /* last: the channel the recording went through */
    float *b = ev_aug_band(y, yn, rate);
    free(y);
    if (!b)
      return NULL;
    y = b;
  }
  *out_n = yn;
  return y;
}
