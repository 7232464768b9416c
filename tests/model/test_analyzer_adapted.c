/* The analyser's `adapted` output (ev_outputs.adapted) through the whole stream, against
 * expectations from the documented constants alone: a model normalised as the shipped one is
 * (prior 50 steps, warmup 30 speech steps, tau 300 s, steps of 10 frames of 10 ms) reads 0 for
 * the first 3 s of speech, then k / (50 + k) after k speech steps (the cumulative regime, up to
 * 295 s), rising monotonically; silence does not move it; 0 with adaptation off, without a
 * model, with a global model and after a restart; the same per frame for every block size. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ev_test.h"
#include "analyzer_signal.h"
#include "model_fixture.h"

#define RATE      16000
#define MAX_FRAME 8000 /* 80 s of frames */
#define PRIOR     50.0
#define WARMUP    30

typedef struct record {
  int n;
  float adapted[MAX_FRAME];
} record;

static void on_frame(void *user, const ev_outputs *o) {
  record *r = user;
  if (r->n < MAX_FRAME)
    r->adapted[r->n] = o->adapted;
  r->n++;
}

/* Speech-like: harmonics with a moving pitch and a syllable-rate envelope (-25 dBFS or so, far
 * above the -60 dBFS gate) where speech(t), digital silence elsewhere. */
static float *make_audio(double seconds, int (*speech)(double t), size_t *n_out) {
  return make_moving_voice(seconds, RATE, speech, n_out);
}

static int always(double t) {
  (void)t;
  return 1;
}
/* 10 s of speech, 5 s of silence, 10 s of speech */
static int with_pause(double t) {
  return t < 10.0 || t >= 15.0;
}

static void run(const ev_model *m, const float *x, size_t n, uint32_t block, int adapt, record *r) {
  char err[256];
  ev_analyzer *an = ev_analyzer_new(RATE, 8192, err, sizeof err);
  EV_REQUIRE(an, "analyser: %s", err);
  ev_model_runtime *rt = m ? ev_analyzer_prepare_model(an, m, err, sizeof err) : NULL;
  EV_REQUIRE(!m || rt, "runtime: %s", err);
  ev_analyzer_swap_model(an, rt);
  EV_CHECK(ev_analyzer_outputs(an)->adapted == 0.0f, "fresh instance: cold");
  ev_analyzer_params p;
  ev_analyzer_params_default(&p);
  p.adapt = adapt;
  ev_analyzer_set_params(an, &p);
  memset(r, 0, sizeof *r);
  ev_analyzer_set_frame_callback(an, on_frame, r);
  for (size_t i = 0; i < n; i += block)
    ev_analyzer_process(an, x + i, (uint32_t)(n - i < block ? n - i : block));
  ev_analyzer_swap_model(an, NULL);
  ev_model_runtime_free(rt);
  ev_analyzer_free(an);
}

/* The number of speech steps k whose share k / (PRIOR + k) the value is (-1 if none is). */
static int steps_of(float v) {
  if (v <= 0.0f || v >= 1.0f)
    return -1;
  const int k = (int)lround(PRIOR * v / (1.0 - v));
  return fabs(v - k / (PRIOR + k)) <= 2e-6 ? k : -1;
}

int main(void) {
  const ev_norm_config shipped = {EV_NORM_ADAPTIVE, 300.0f, 50.0f, 30.0f, 0, EV_INPUT_CLAMP, 0.0f};
  const char *arch = "[{\"type\":\"dense\",\"out\":8,\"activation\":\"linear\"},"
                     "{\"type\":\"softmax\"}]";
  ev_model *m = fixture_model_norm(arch, "[\"mfcc\",\"rms\"]", 10, EV_NORM_ADAPTIVE, &shipped);
  ev_model *global = fixture_model(arch, "[\"mfcc\",\"rms\"]", 10, EV_NORM_GLOBAL);
  EV_REQUIRE(m && global, "fixture models");
  fixture_randomize(m, 0.3f);
  fixture_randomize(global, 0.3f);
  static record r, r2;

  /* 40 s of continuous speech: frame f (1-based) closes step floor(f / 10) */
  size_t n;
  float *x = make_audio(40.0, always, &n);
  run(m, x, n, 4096, 1, &r);
  /* the extractor holds back the frames its window has not seen the end of yet */
  EV_CHECK(r.n >= 3980 && r.n <= 4000, "%d frames for 40 s", r.n);
  int warm_bad = 0, off_formula = 0, off_time = 0, falls = 0, first = -1;
  for (int f = 0; f < r.n && f < MAX_FRAME; f++) {
    const float v = r.adapted[f];
    const int k = steps_of(v);
    if (f < WARMUP * 10) /* the first 3 s of speech */
      warm_bad += v != 0.0f;
    if (v > 0.0f && first < 0) {
      first = f;
      EV_CHECK(k == WARMUP + 1, "the first adapted value is 31/81: %.6f (k %d)", v, k);
    }
    if (v > 0.0f && k < 0)
      off_formula++;
    if (k > 0 && abs(k - (f + 1) / 10) > 1) /* a step per 10 frames of speech */
      off_time++;
    if (f > 0 && v < r.adapted[f - 1])
      falls++;
  }
  printf("continuous speech: first adapted at frame %d (%.2f s), %.4f at 10 s, %.4f at 40 s\n",
         first, (first + 1) * 0.01, (double)r.adapted[999], (double)r.adapted[r.n - 1]);
  EV_CHECK(warm_bad == 0, "%d frames of the first 3 s of speech read other than 0", warm_bad);
  EV_CHECK(first >= 300 && first <= 320, "adaptation starts after 3.1 s (frame %d)", first);
  EV_CHECK(off_formula == 0, "%d frames are no k/(50+k)", off_formula);
  EV_CHECK(off_time == 0, "%d frames read other than one step per 0.1 s", off_time);
  EV_CHECK(falls == 0, "%d frames fall during continuous speech", falls);
  /* the steps the frames closed, and 40 s = 400 steps: 400/450 within the frames held back */
  EV_CHECK_NEAR(r.adapted[r.n - 1], (r.n / 10) / (PRIOR + r.n / 10), 2e-6, "the last frame");
  EV_CHECK_NEAR(r.adapted[r.n - 1], 400.0 / 450.0, 0.001, "after 40 s of speech");

  /* identical per frame for every block size (the 40 s above at 4096 is a sixth) */
  const uint32_t blocks[] = {1, 7, 64, 1000, 8192};
  free(x);
  x = make_audio(25.0, with_pause, &n);
  run(m, x, n, 4096, 1, &r);
  for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
    run(m, x, n, blocks[b], 1, &r2);
    EV_CHECK(r2.n == r.n && !memcmp(r.adapted, r2.adapted, sizeof(float) * (size_t)r.n),
             "block %u: the per-frame values differ from block 4096's", blocks[b]);
  }
  /* the pause: 10 s of speech (100 steps: 100/150) held through 5 s of silence, then 10 s
   * more (200 steps: 200/250) */
  const float at_pause = r.adapted[1040]; /* the last step with speech in it is done */
  EV_CHECK_NEAR(at_pause, 100.0 / 150.0, 0.0015, "after 10 s of speech");
  int moved = 0;
  for (int f = 1040; f < 1490; f++)
    moved += r.adapted[f] != at_pause;
  EV_CHECK(moved == 0, "%d frames of silence move it", moved);
  EV_CHECK_NEAR(r.adapted[r.n - 1], 200.0 / 250.0, 0.001, "after 20 s of speech in 25 s");
  printf("with a pause: %.4f at 10.4 s, held to 14.9 s, %.4f at 25 s\n", (double)at_pause,
         (double)r.adapted[r.n - 1]);

  /* adaptation off, no model, a global model: always cold */
  run(m, x, n, 4096, 0, &r);
  int nonzero = 0;
  for (int f = 0; f < r.n; f++)
    nonzero += r.adapted[f] != 0.0f;
  EV_CHECK(nonzero == 0, "adapt off: %d frames read other than 0", nonzero);
  run(NULL, x, n, 4096, 1, &r);
  nonzero = 0;
  for (int f = 0; f < r.n; f++)
    nonzero += r.adapted[f] != 0.0f;
  EV_CHECK(r.n > 0 && nonzero == 0, "no model: %d frames read other than 0", nonzero);
  run(global, x, n, 4096, 1, &r);
  nonzero = 0;
  for (int f = 0; f < r.n; f++)
    nonzero += r.adapted[f] != 0.0f;
  EV_CHECK(nonzero == 0, "global model: %d frames read other than 0", nonzero);

  /* restart and reset (transport relocate, analysis switched back on, activate): cold at once,
   * then the warmup again; adaptation switched off mid-stream: cold at once */
  {
    char err[256];
    ev_analyzer *an = ev_analyzer_new(RATE, 8192, err, sizeof err);
    ev_model_runtime *rt = ev_analyzer_prepare_model(an, m, err, sizeof err);
    EV_REQUIRE(an && rt, "analyser: %s", err);
    ev_analyzer_swap_model(an, rt);
    ev_analyzer_process(an, x, 8 * RATE);
    const float before = ev_analyzer_outputs(an)->adapted;
    EV_CHECK(before > 0.5f, "8 s of speech: %.4f", (double)before);
    ev_analyzer_restart(an);
    EV_CHECK(ev_analyzer_outputs(an)->adapted == 0.0f, "restart: cold at once");
    ev_analyzer_process(an, x, 3 * RATE);
    EV_CHECK(ev_analyzer_outputs(an)->adapted == 0.0f, "then 3 s of warmup again");
    ev_analyzer_process(an, x + 3 * RATE, 3 * RATE);
    EV_CHECK(ev_analyzer_outputs(an)->adapted > 0.0f, "and adapting after");
    ev_analyzer_params p;
    ev_analyzer_params_default(&p);
    p.adapt = 0;
    ev_analyzer_set_params(an, &p);
    EV_CHECK(ev_analyzer_outputs(an)->adapted == 0.0f, "adapt switched off: cold at once");
    ev_analyzer_process(an, x, RATE);
    EV_CHECK(ev_analyzer_outputs(an)->adapted == 0.0f, "and stays cold");
    p.adapt = 1;
    ev_analyzer_set_params(an, &p);
    ev_analyzer_process(an, x, RATE / 10);
    EV_CHECK(ev_analyzer_outputs(an)->adapted > 0.0f, "on again: the statistics kept");
    ev_analyzer_reset(an);
    EV_CHECK(ev_analyzer_outputs(an)->adapted == 0.0f, "reset: cold");
    ev_analyzer_swap_model(an, NULL);
    ev_model_runtime_free(rt);
    ev_analyzer_free(an);
  }
  free(x);
  ev_model_free(m);
  ev_model_free(global);
  EV_TEST_END();
}
