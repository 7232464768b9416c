/* The deviations over the functionals' window beside eGeMAPS: mfcc_func (MFCC 1-19),
 * mfcc_delta_func (their change over 2 frames, 20 ms), logmel_func (the log-mel bands in pairs).
 *   1. ev_window_stats against a two-pass mean and deviation in double over the same frames,
 *      on random frames through a window that slides, within the 1/4096 grid it sums on;
 *   2. its sums are exact: after a burst of huge and non-finite values has left the window,
 *      the result is bit-identical to a fresh window fed the same last frames;
 *   3. the extractor's three on a speech-like signal equal a two-pass deviation of its own
 *      `mfcc` and `logmel` rows (c[t]; c[t] - c[t-2], from frame 0 at the stream's start; the
 *      mean of bands 2j and 2j+1) over the last func_window_s of frames (updated every
 *      EV_FUNC_EVERY frames, held in between), also across a restart of the window;
 *   4. what they are for: a recording channel moves every cepstral coefficient, and every log
 *      band, by a constant, so a level change (-6 dB) leaves them as they are (to float
 *      rounding) and a fixed spectral tilt (a first-order FIR) changes them far less than it
 *      moves the means. */
#include "ev_features.h"
#include "ev_test.h"
#include "ev_window_stats.h"
#include "frame_log.h"
#include "test_signal.h"

#include <math.h>

enum { DIMS = 5, CAP = 7 };

static double rnd(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return ((*s >> 8) / 16777216.0 - 0.5) * 400.0; /* -200 .. 200, MFCC-like magnitudes */
}

static void two_pass(const float *frames, size_t first, size_t last, int d, double *mean,
                     double *sd) {
  double m = 0, v = 0;
  for (size_t t = first; t <= last; t++)
    m += frames[t * DIMS + (size_t)d];
  m /= (double)(last - first + 1);
  for (size_t t = first; t <= last; t++) {
    double e = frames[t * DIMS + (size_t)d] - m;
    v += e * e;
  }
  *mean = m;
  *sd = sqrt(v / (double)(last - first + 1));
}

static void unit_tests(void) {
  ev_window_stats *w = ev_window_stats_new(CAP, DIMS);
  EV_CHECK(w != NULL, "window of %d frames", CAP);
  EV_CHECK(ev_window_stats_new(0, DIMS) == NULL && ev_window_stats_new(CAP, 0) == NULL,
           "empty windows are refused");
  if (!w)
    return;
  float out[2 * DIMS];
  ev_window_stats_compute(w, out, out + DIMS);
  EV_CHECK(out[0] == 0.0f && out[DIMS] == 0.0f, "an empty window reads 0");
  enum { T = 40 };
  float frames[T * DIMS];
  uint32_t s = 7u;
  for (int i = 0; i < T * DIMS; i++)
    frames[i] = (float)rnd(&s);
  double worst = 0;
  for (size_t t = 0; t < T; t++) {
    ev_window_stats_push(w, frames + t * DIMS);
    ev_window_stats_compute(w, out, out + DIMS);
    size_t first = t + 1 >= CAP ? t + 1 - CAP : 0;
    EV_CHECK(ev_window_stats_frames(w) == t - first + 1, "frame %zu: %zu frames in the window", t,
             ev_window_stats_frames(w));
    for (int d = 0; d < DIMS; d++) {
      double m, sd;
      two_pass(frames, first, t, d, &m, &sd);
      worst = fmax(worst, fmax(fabs(out[d] - m), fabs(out[DIMS + d] - sd)));
    }
  }
  /* each value is rounded to 1/4096: the mean moves by at most half a step, the deviation by
   * about as much */
  EV_CHECK(worst < 2.5e-4, "sliding mean/std within the 1/4096 grid of two-pass: worst %.2g",
           worst);
  printf("window stats: worst difference to two-pass over %d frames: %.2g\n", T, worst);

  /* a burst of absurd values, then CAP clean frames: the same bits as a fresh window */
  ev_window_stats_reset(w);
  float bad[DIMS] = {1e30f, -1e30f, NAN, INFINITY, 2047.9f};
  for (int k = 0; k < 20; k++)
    ev_window_stats_push(w, k % 2 ? bad : frames + (size_t)k * DIMS);
  ev_window_stats *fresh = ev_window_stats_new(CAP, DIMS);
  for (size_t t = T - CAP; t < T; t++) {
    ev_window_stats_push(w, frames + t * DIMS);
    ev_window_stats_push(fresh, frames + t * DIMS);
  }
  float a[2 * DIMS], b[2 * DIMS];
  ev_window_stats_compute(w, a, a + DIMS);
  ev_window_stats_compute(fresh, b, b + DIMS);
  EV_CHECK(!memcmp(a, b, sizeof a), "after bad values left the window: bit-identical to fresh");
  ev_window_stats_reset(w);
  ev_window_stats_compute(w, a, NULL);
  EV_CHECK(ev_window_stats_frames(w) == 0 && a[0] == 0.0f, "reset empties the window");
  ev_window_stats_free(fresh);
  ev_window_stats_free(w);
}

/* Frame t's input to feature id, from the logged rows (the expectation, independent of the
 * extractor's own buffers). */
static double row_input(const frame_log *log, ev_feature_id id, size_t t, int k) {
  const int co = frame_log_offset(log, EV_FEAT_MFCC), lo = frame_log_offset(log, EV_FEAT_LOGMEL);
  const float *r = log->v + t * (size_t)log->width;
  if (id == EV_FEAT_MFCC_FUNC)
    return r[co + 1 + k];
  if (id == EV_FEAT_MFCC_DELTA_FUNC) {
    const float *b = log->v + (t >= 2 ? t - 2 : 0) * (size_t)log->width;
    return (double)r[co + 1 + k] - b[co + 1 + k];
  }
  const int bands = log->cfg->n_mels;
  return 2 * k + 1 < bands ? 0.5 * ((double)r[lo + 2 * k] + r[lo + 2 * k + 1]) : r[lo + 2 * k];
}

static const ev_feature_id kIds[3] = {EV_FEAT_MFCC_FUNC, EV_FEAT_MFCC_DELTA_FUNC,
                                      EV_FEAT_LOGMEL_FUNC};

static void extractor_test(void) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  cfg.func_window_s = 0.5f; /* 50 frames: the 3 s signal slides it many times */
  const size_t win = 50;
  size_t n;
  float *x = test_signal(16000, 3.0, &n);
  frame_log log;
  frame_log_init(&log, &cfg);
  char err[256];
  ev_extractor *ex = ev_extractor_new(&cfg, 16000, 256, err, sizeof err);
  EV_CHECK(ex != NULL, "%s", err);
  if (!ex)
    return;
  /* the signal, a restart of the window at frame R (as the analyser does after a pause), the
   * signal again */
  size_t R = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < n; i += 256)
      ev_extractor_process(ex, x + i, (uint32_t)(n - i < 256 ? n - i : 256), frame_log_on_frame,
                           &log);
    if (!pass) {
      R = log.frames; /* the next frame emitted is the first of the new window */
      ev_extractor_restart_functionals(ex);
    }
  }
  EV_CHECK(ev_feature_dims(&cfg, EV_FEAT_MFCC_FUNC) == EV_MFCC_FUNC_COEFS &&
               ev_feature_dims(&cfg, EV_FEAT_MFCC_DELTA_FUNC) == EV_MFCC_FUNC_COEFS &&
               ev_feature_dims(&cfg, EV_FEAT_LOGMEL_FUNC) == cfg.n_mels / 2,
           "dimensions %d, %d, %d", ev_feature_dims(&cfg, EV_FEAT_MFCC_FUNC),
           ev_feature_dims(&cfg, EV_FEAT_MFCC_DELTA_FUNC),
           ev_feature_dims(&cfg, EV_FEAT_LOGMEL_FUNC));
  for (int f = 0; f < 3; f++) {
    const ev_feature_id id = kIds[f];
    const int mo = frame_log_offset(&log, id), K = ev_feature_dims(&cfg, id);
    double worst = 0, spread = 0;
    int held_ok = 1;
    size_t checked = 0;
    for (size_t t = 1; t < log.frames; t++) {
      const float *row = log.v + t * (size_t)log.width;
      if (t % EV_FUNC_EVERY) { /* held between updates */
        const float *prev = row - log.width;
        held_ok &= !memcmp(row + mo, prev + mo, sizeof(float) * (size_t)K);
        continue;
      }
      size_t first = t + 1 >= win ? t + 1 - win : 0;
      if (t >= R && first < R)
        first = R;
      for (int k = 0; k < K; k++) {
        double m = 0, v = 0;
        for (size_t u = first; u <= t; u++)
          m += row_input(&log, id, u, k);
        m /= (double)(t - first + 1);
        for (size_t u = first; u <= t; u++) {
          double e = row_input(&log, id, u, k) - m;
          v += e * e;
        }
        double sd = sqrt(v / (double)(t - first + 1));
        worst = fmax(worst, fabs(row[mo + k] - sd));
        spread = fmax(spread, sd);
      }
      checked++;
    }
    /* values here reach a few hundred; the 1/4096 grid and float rounding stay far below 1e-3 */
    EV_CHECK(checked > 40 && worst < 1e-3 && spread > 1.0,
             "extractor %s vs its own rows (window restarted at frame %zu): worst %.2g, largest "
             "deviation %.3g (%zu updates)",
             ev_feature_name(id), R, worst, spread, checked);
    EV_CHECK(held_ok, "%s is held between updates", ev_feature_name(id));
    printf("extractor: %s at %zu updates (restart at frame %zu), worst difference to the "
           "statistics of its rows %.2g (largest deviation %.3g)\n",
           ev_feature_name(id), checked, R, worst, spread);
  }
  frame_log_free(&log);
  ev_extractor_free(ex);
  free(x);
}

enum { MAXD = 32 };

/* The three deviations and the means of their inputs at the last update of a 3 s voice-like
 * signal (no digital silence: a channel cannot move the -100 dB floor) after
 * y = g (x - a x[n-1]). */
static void channel_run(double g, double a, float sd[3][MAXD], float mean[3][MAXD]) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  cfg.func_window_s = 2.0f;
  const size_t n = 48000;
  float *x = malloc(n * sizeof(float));
  uint32_t s = 99u;
  double prev = 0;
  for (size_t i = 0; i < n; i++) {
    double t = i / 16000.0, v = 0;
    for (int h = 1; h <= 12; h++) /* a 140 Hz voice with a 4 Hz vibrato and a moving vowel */
      v += sin(2 * M_PI * h * (140.0 * t + 2.0 * sin(2 * M_PI * 4.0 * t))) / h *
           (1.0 + 0.8 * sin(2 * M_PI * 1.5 * t + h));
    v = 0.1 * v + 0.02 * rnd(&s) / 200.0;
    x[i] = (float)(g * (v - a * prev));
    prev = v;
  }
  frame_log log;
  frame_log_init(&log, &cfg);
  char err[256];
  ev_extractor *ex = ev_extractor_new(&cfg, 16000, 256, err, sizeof err);
  for (size_t i = 0; ex && i < n; i += 256)
    ev_extractor_process(ex, x + i, (uint32_t)(n - i < 256 ? n - i : 256), frame_log_on_frame,
                         &log);
  size_t last = (log.frames - 1) / EV_FUNC_EVERY * EV_FUNC_EVERY;
  for (int f = 0; f < 3; f++) {
    const int K = ev_feature_dims(&cfg, kIds[f]), mo = frame_log_offset(&log, kIds[f]);
    for (int k = 0; k < K && k < MAXD; k++) {
      sd[f][k] = log.v[last * (size_t)log.width + (size_t)(mo + k)];
      double m = 0;
      for (size_t u = last + 1 - 200; u <= last; u++)
        m += row_input(&log, kIds[f], u, k);
      mean[f][k] = (float)(m / 200.0);
    }
  }
  frame_log_free(&log);
  ev_extractor_free(ex);
  free(x);
}

static void channel_test(void) {
  static float sd0[3][MAXD], m0[3][MAXD], sd1[3][MAXD], m1[3][MAXD], sd2[3][MAXD], m2[3][MAXD];
  channel_run(1.0, 0.0, sd0, m0);
  channel_run(0.5, 0.0, sd1, m1);
  channel_run(1.0, 0.7, sd2, m2);
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  for (int f = 0; f < 3; f++) {
    const int K = ev_feature_dims(&cfg, kIds[f]);
    double gain_sd = 0, tilt_sd = 0, tilt_mean = 0, level = 0;
    for (int k = 0; k < K && k < MAXD; k++) {
      gain_sd = fmax(gain_sd, fabs(sd1[f][k] - sd0[f][k]));
      tilt_sd += fabs(sd2[f][k] - sd0[f][k]);
      tilt_mean += fabs(m2[f][k] - m0[f][k]);
      level += sd0[f][k];
    }
    const char *name = ev_feature_name(kIds[f]);
    EV_CHECK(level > 1.0, "%s: the test voice moves its spectrum (sum of deviations %.2f)", name,
             level);
    EV_CHECK(gain_sd < 1e-2, "%s: -6 dB leaves it unchanged: worst change %.2g", name, gain_sd);
    /* the change of the cepstra has no fixed part for a channel to move: its mean stays near 0
     * either way, so only the deviations themselves are bounded for it */
    if (kIds[f] == EV_FEAT_MFCC_DELTA_FUNC)
      EV_CHECK(tilt_sd < 0.2 * level, "%s: a fixed tilt moves it by %.2f of %.2f in all", name,
               tilt_sd, level);
    else
      EV_CHECK(tilt_sd < 0.2 * tilt_mean,
               "%s: a fixed tilt moves it by %.2f in all, the means of its inputs by %.2f", name,
               tilt_sd, tilt_mean);
    printf("channel: -6 dB changes %s by at most %.2g; a first-order tilt moves it by %.2f in "
           "all (sum of deviations %.2f), the means of its inputs by %.2f\n",
           name, gain_sd, tilt_sd, level, tilt_mean);
  }
}

int main(void) {
  unit_tests();
  extractor_test();
  channel_test();
  EV_TEST_END();
}
