/* ev_yin (dsp/features/ev_yin.c) against aubio 0.4.9's "yin" itself, the implementation it
 * replaces: F0 and confidence must be the same bits on every window, for the window the
 * pitch tracker uses (320 at 8 kHz) and others (the last vectorised pass starts early there),
 * on harmonic tones with noise, glottal-like pulse trains, white noise, tiny signals and
 * speech (the openSMILE reference recordings, argv[1]). The AVX clone the loader picked and
 * the x86-64 baseline (this source compiled in under another name) must agree too, and on
 * clean tones the F0 must be the tone's (so both are right, not merely alike). */
#include <aubio/aubio.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ev_ref.h"
#include "ev_test.h"

#ifndef EV_NO_CLONES /* -Dclones=false defines it for the whole build */
#define EV_NO_CLONES
#endif
#define ev_yin base_yin
#include "../../dsp/features/ev_yin.c"
#undef ev_yin
float ev_yin(const float *x, int win, float tol, unsigned sr, float *d, float *conf);

static uint32_t rng = 24681357u;
static double uniform(void) { /* xorshift32 in [-1, 1) */
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return (double)(rng >> 8) / 8388608.0 - 1.0;
}

typedef struct cmp {
  aubio_pitch_t *ref;
  fvec_t *in, *out;
  int win;
  unsigned sr;
  int windows, differ, base_differ, voiced;
} cmp;

static int cmp_init(cmp *c, int win, unsigned sr) {
  memset(c, 0, sizeof *c);
  c->win = win;
  c->sr = sr;
  /* the settings of ev_pitch.c */
  c->ref = new_aubio_pitch("yin", (uint_t)win, (uint_t)win, sr);
  c->in = new_fvec((uint_t)win);
  c->out = new_fvec(1);
  if (!c->ref || !c->in || !c->out)
    return -1;
  aubio_pitch_set_unit(c->ref, "Hz");
  aubio_pitch_set_silence(c->ref, -200.0f);
  aubio_pitch_set_tolerance(c->ref, 0.1f);
  return 0;
}

static void cmp_free(cmp *c) {
  del_aubio_pitch(c->ref);
  del_fvec(c->in);
  del_fvec(c->out);
}

/* one window through both; returns ours F0 */
static float cmp_window(cmp *c, const float *x, const char *what) {
  float d[EV_YIN_MAX_WIN / 2], db[EV_YIN_MAX_WIN / 2], conf = 0, conf_b = 0;
  memcpy(c->in->data, x, (size_t)c->win * sizeof *x);
  aubio_pitch_do(c->ref, c->in, c->out);
  const float f_ref = c->out->data[0], conf_ref = aubio_pitch_get_confidence(c->ref);
  const float f = ev_yin(x, c->win, 0.1f, c->sr, d, &conf);
  const float f_b = base_yin(x, c->win, 0.1f, c->sr, db, &conf_b);
  const int same = !memcmp(&f, &f_ref, sizeof f) && !memcmp(&conf, &conf_ref, sizeof conf);
  const int same_b = !memcmp(&f, &f_b, sizeof f) && !memcmp(&conf, &conf_b, sizeof conf);
  if (!same && c->differ < 5)
    fprintf(stderr, "%s (win %d): ours %.9g Hz conf %.9g, aubio %.9g Hz conf %.9g\n", what, c->win,
            f, conf, f_ref, conf_ref);
  c->windows++;
  c->differ += !same;
  c->base_differ += !same_b;
  c->voiced += conf >= 0.7f;
  return f;
}

/* a harmonic tone (1/k amplitudes, random phases) at f0 plus white noise */
static void tone(float *x, int n, double sr, double f0, double noise) {
  double ph[12];
  for (int k = 0; k < 12; k++)
    ph[k] = M_PI * uniform();
  for (int i = 0; i < n; i++) {
    double v = 0.0;
    for (int k = 1; k <= 12 && k * f0 < sr / 2; k++)
      v += sin(2.0 * M_PI * k * f0 * i / sr + ph[k - 1]) / k;
    x[i] = (float)(0.3 * v + noise * uniform());
  }
}

int main(int argc, char **argv) {
  static float x[EV_YIN_MAX_WIN];
  const int wins[] = {320, 32, 100, 256, 1024};
  int tone_wrong = 0, tones = 0;
  for (size_t w = 0; w < sizeof wins / sizeof wins[0]; w++) {
    cmp c;
    EV_REQUIRE(cmp_init(&c, wins[w], 8000u) == 0, "aubio pitch object (win %d)", wins[w]);
    for (double f0 = 55.0; f0 <= 1000.0; f0 *= 1.07) {
      for (int k = 0; k < 4; k++) {
        const double noise = k == 0 ? 0.0 : 0.02 * k * k;
        tone(x, c.win, 8000.0, f0, noise);
        const float f = cmp_window(&c, x, "tone");
        /* a clean tone whose period is 12 samples or more and fits twice in the window: YIN
         * finds it (shorter periods fall between integer lags, and YIN, aubio's too, then
         * prefers the deeper dip at twice the period: 943 Hz read as 472 Hz) */
        if (k == 0 && 8000.0 / f0 >= 12.0 && 8000.0 / f0 < c.win / 2 - 3) {
          tones++;
          const int off = !(fabs(f - f0) <= 0.01 * f0);
          if (off)
            fprintf(stderr, "tone %.1f Hz (win %d): %.2f Hz\n", f0, c.win, f);
          tone_wrong += off;
        }
      }
    }
    for (double f0 = 60.0; f0 <= 400.0; f0 *= 1.13) { /* pulse trains: sharp dips, many lags */
      const double period = 8000.0 / f0;
      for (int i = 0; i < c.win; i++) {
        const double ph = fmod(i, period) / period;
        x[i] = (float)(exp(-12.0 * ph) * sin(2.0 * M_PI * 3.0 * ph) + 0.01 * uniform());
      }
      cmp_window(&c, x, "pulses");
    }
    /* white noise at many levels (down to -110 dB, far below the tracker's gate; aubio's own
     * silence gate at -200 dB, which ev_yin leaves to its caller, stays out of reach) */
    for (int r = 0; r < 200; r++) {
      const double g = pow(10.0, -(r % 12) / 2.0);
      for (int i = 0; i < c.win; i++)
        x[i] = (float)(g * uniform());
      cmp_window(&c, x, "noise");
    }
    for (int r = 0; r < 20; r++) { /* a lone impulse: the difference function is flat */
      memset(x, 0, sizeof x);
      x[(r * 37) % c.win] = 0.5f;
      cmp_window(&c, x, "impulse");
    }
    printf("win %4d: %d synthetic windows, %d differ from aubio, %d between clones\n", c.win,
           c.windows, c.differ, c.base_differ);
    EV_CHECK(c.differ == 0 && c.base_differ == 0, "win %d: %d / %d windows differ", c.win, c.differ,
             c.base_differ);
    cmp_free(&c);
  }
  printf("clean tones: %d of %d off by more than 1 %%\n", tone_wrong, tones);
  EV_CHECK(tone_wrong == 0, "%d clean tones off", tone_wrong);

  /* speech: the reference recordings, 2:1 averaged to 8 kHz as a stand-in for the tracker's
   * low-pass (the comparison needs real speech windows, not the tracker's exact ones) */
  const char *files[] = {"speech_ravdess_a01_angry.wav", "speech_ravdess_a02_sad.wav",
                         "speech_tess_yaf_happy.wav", "speech_turev_1984_calm.wav",
                         "speech_urdu_sm4_angry.wav"};
  if (argc < 2)
    EV_SKIP("no openSMILE reference directory given");
  cmp c;
  EV_REQUIRE(cmp_init(&c, 320, 8000u) == 0, "aubio pitch object");
  for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
    char p[2048];
    snprintf(p, sizeof p, "%s/%s", argv[1], files[k]);
    size_t n = 0;
    double rate = 0;
    float *a = ev_ref_read_audio(p, &n, &rate);
    EV_REQUIRE(a != NULL, "cannot read %s", p);
    const size_t m = n / 2;
    float *y = malloc(m * sizeof *y);
    EV_REQUIRE(y != NULL, "out of memory");
    for (size_t i = 0; i < m; i++)
      y[i] = 0.5f * (a[2 * i] + a[2 * i + 1]);
    for (size_t s = 0; s + 320 <= m; s += 80) { /* every 10 ms at 8 kHz */
      double e = 0.0;
      for (int i = 0; i < 320; i++)
        e += (double)y[s + i] * y[s + i];
      if (e > 0.0) /* aubio calls an all-zero window silent; the tracker gates those itself */
        cmp_window(&c, y + s, files[k]);
    }
    free(y);
    free(a);
  }
  printf("speech: %d windows (%d voiced), %d differ from aubio, %d between clones\n", c.windows,
         c.voiced, c.differ, c.base_differ);
  EV_CHECK(c.windows > 1000 && c.voiced > 200, "too few speech windows: %d (%d voiced)", c.windows,
           c.voiced);
  EV_CHECK(c.differ == 0 && c.base_differ == 0, "speech: %d / %d windows differ", c.differ,
           c.base_differ);
  cmp_free(&c);
  EV_TEST_END();
}
