/* The streaming analyser: block-size invariance of every per-frame output, probabilities,
 * the speech gate, NaN input, model swaps and the no-model case. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../ev_test.h"
#include "analyzer_signal.h"
#include "ev_analyzer.h"
#include "ev_model.h"
#include "model_fixture.h"

typedef struct log {
  ev_outputs *v;
  size_t n, cap;
} log_t;

static void log_frame(void *user, const ev_outputs *o) {
  log_t *l = user;
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 1024;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
  }
  l->v[l->n++] = *o;
}

static int same_output(const ev_outputs *a, const ev_outputs *b) {
  return !memcmp(a->prob, b->prob, sizeof a->prob) && a->dominant == b->dominant &&
         !memcmp(&a->confidence, &b->confidence, sizeof(float)) &&
         !memcmp(&a->arousal, &b->arousal, sizeof(float)) &&
         !memcmp(&a->valence, &b->valence, sizeof(float)) &&
         !memcmp(&a->voice_activity, &b->voice_activity, sizeof(float)) && a->frames == b->frames;
}

static uint32_t block_rng = 777;
static uint32_t next_block(int mode) {
  if (mode > 0)
    return (uint32_t)mode;
  block_rng = block_rng * 1103515245u + 12345u;
  return 1 + (block_rng >> 8) % 1500; /* random mix of sizes, including > max_block */
}

/* The response every run() starts with (0: the analyser's default). */
static float run_response_ms = 0.0f;

/* Runs the whole signal with a block size (0: random mix) and returns the per-frame log. */
static log_t run(const ev_model *model, double rate, const float *x, size_t n, int block,
                 size_t nan_at) {
  log_t l = {0};
  char err[512];
  ev_analyzer *an = ev_analyzer_new(rate, 1024, err, sizeof err);
  EV_CHECK(an != NULL, "analyser: %s", err);
  if (!an)
    return l;
  ev_model_runtime *rt = NULL;
  if (model) {
    rt = ev_analyzer_prepare_model(an, model, err, sizeof err);
    EV_CHECK(rt != NULL, "prepare: %s", err);
    EV_CHECK(ev_analyzer_swap_model(an, rt) == NULL, "no previous model");
  }
  if (run_response_ms > 0.0f) {
    ev_analyzer_params p;
    ev_analyzer_params_default(&p);
    p.response_ms = run_response_ms;
    ev_analyzer_set_params(an, &p);
  }
  ev_analyzer_set_frame_callback(an, log_frame, &l);
  float nanblock[512];
  for (int i = 0; i < 512; i++)
    nanblock[i] = i % 2 ? NAN : INFINITY;
  size_t pos = 0;
  while (pos < n) {
    uint32_t b = next_block(block);
    if (b > n - pos)
      b = (uint32_t)(n - pos);
    if (nan_at && pos <= nan_at && nan_at < pos + b) /* replace a stretch by NaN/Inf */
      ev_analyzer_process(an, nanblock, 512);
    else
      ev_analyzer_process(an, x + pos, b);
    pos += b;
  }
  ev_analyzer_flush(an);
  ev_model_runtime_free(ev_analyzer_swap_model(an, NULL));
  ev_analyzer_free(an);
  return l;
}

static size_t frame_at(double seconds) {
  return (size_t)(seconds * 100.0);
}

/* The dominant's hold, frame by frame against its rule (ev_analyzer.h): a stretch of speech
 * starts on the most probable emotion; afterwards the dominant changes only to the most
 * probable one, and only when that leads the one shown by more than EV_ANALYZER_DOMINANT_HOLD;
 * what it shows is never further than that below the most probable. Counts the frames where it
 * shows another than the most probable (*held) and the changes of the dominant and of the
 * argmax within speech. */
static int hold_rule_ok(const log_t *l, size_t *held, size_t *changes, size_t *argmax_changes) {
  int ok = 1, prev = -1, prev_best = -1;
  *held = *changes = *argmax_changes = 0;
  for (size_t i = 0; i < l->n; i++) {
    const ev_outputs *o = &l->v[i];
    const int d = o->dominant;
    if (d < 0) {
      prev = prev_best = -1;
      continue;
    }
    int best = 0;
    for (int k = 1; k < EV_N_EMOTIONS; k++)
      best = o->prob[k] > o->prob[best] ? k : best;
    ok &= o->prob[d] >= o->prob[best] - EV_ANALYZER_DOMINANT_HOLD;
    if (prev < 0)
      ok &= d == best;
    else if (d != prev)
      ok &= d == best && o->prob[best] > o->prob[prev] + EV_ANALYZER_DOMINANT_HOLD;
    *held += d != best;
    *changes += prev >= 0 && d != prev;
    *argmax_changes += prev_best >= 0 && best != prev_best;
    prev = d;
    prev_best = best;
  }
  return ok;
}

/* The hold where it has work to do: at the shortest response (10 ms) the probabilities follow
 * every model step, and the argmax changes often between close emotions. The dominant must
 * change less often than the argmax, show another than the most probable on some frames (the
 * hold acted) and do so by its rule, bit for bit the same with blocks of 1 and a random mix. */
static void check_hold(const ev_model *model) {
  size_t n;
  float *x = make_signal(16000.0, &n);
  run_response_ms = 10.0f;
  log_t a = run(model, 16000.0, x, n, 1, 0), b = run(model, 16000.0, x, n, 0, 0);
  run_response_ms = 0.0f;
  size_t held, changes, argmax_changes, same = a.n == b.n;
  for (size_t i = 0; same && i < a.n; i++)
    same = same_output(&a.v[i], &b.v[i]);
  const int ok = hold_rule_ok(&a, &held, &changes, &argmax_changes);
  printf("hold at 10 ms: %zu frames held, the dominant changes %zu times, the argmax %zu\n", held,
         changes, argmax_changes);
  EV_CHECK(ok && held > 0 && changes < argmax_changes,
           "hold at 10 ms: rule %d, %zu frames held, %zu changes against the argmax's %zu", ok,
           held, changes, argmax_changes);
  EV_CHECK(same, "hold at 10 ms: blocks of 1 and a random mix give the same outputs");
  free(a.v);
  free(b.v);
  free(x);
}

static void check_semantics(const log_t *l, int with_model, const char *what) {
  size_t speech_frames = 0, sum_ok = 0, finite = 1;
  for (size_t i = 0; i < l->n; i++) {
    const ev_outputs *o = &l->v[i];
    double s = 0;
    for (int k = 0; k < EV_N_EMOTIONS; k++) {
      s += o->prob[k];
      finite &= isfinite(o->prob[k]) && o->prob[k] >= 0.0f && o->prob[k] <= 1.0f;
    }
    finite &= isfinite(o->arousal) && isfinite(o->valence) && isfinite(o->voice_activity);
    finite &= o->arousal >= -1.0f && o->arousal <= 1.0f && o->valence >= -1.0f &&
              o->valence <= 1.0f && o->voice_activity >= 0.0f && o->voice_activity <= 1.0f;
    if (o->dominant >= 0) {
      speech_frames++;
      sum_ok += fabs(s - 1.0) < 1e-4;
      finite &= o->confidence == o->prob[o->dominant];
      for (int k = 0; k < EV_N_EMOTIONS; k++) /* the most probable, or held (below) */
        finite &= o->prob[k] <= o->confidence + EV_ANALYZER_DOMINANT_HOLD;
      /* arousal is the probability-weighted circumplex coordinate */
      double ar = 0;
      for (int k = 0; k < EV_N_EMOTIONS; k++)
        ar += o->prob[k] * ev_emotion_arousal[k];
      finite &= fabs(ar - o->arousal) < 1e-5;
    } else {
      finite &= o->confidence == 0.0f;
    }
    if (!with_model)
      finite &= s == 0.0 && o->dominant == -1;
    finite &= o->frames == (int64_t)(i + 1);
  }
  EV_CHECK(finite, "%s: every output finite and in range, confidence = dominant probability", what);
  size_t held, changes, argmax_changes;
  EV_CHECK(hold_rule_ok(l, &held, &changes, &argmax_changes),
           "%s: the dominant follows its hold rule (%zu frames held, %zu changes, %zu of the "
           "argmax)",
           what, held, changes, argmax_changes);
  if (with_model) {
    EV_CHECK(speech_frames > 100, "%s: speech frames with a dominant emotion: %zu", what,
             speech_frames);
    EV_CHECK(sum_ok == speech_frames, "%s: probabilities sum to 1 on %zu of %zu frames", what,
             sum_ok, speech_frames);
  }
  /* the gate: inside the voiced parts, voice activity is high; in the trailing silence it has
   * decayed and there is no dominant emotion */
  const ev_outputs *mid = &l->v[frame_at(1.0)];
  const ev_outputs *end = &l->v[l->n - 5];
  const ev_outputs *lead = &l->v[frame_at(0.3)];
  EV_CHECK(mid->voice_activity > 0.9f, "%s: voice activity mid-speech %g", what,
           (double)mid->voice_activity);
  EV_CHECK(with_model ? mid->dominant >= 0 : mid->dominant == -1, "%s: dominant mid-speech %d",
           what, mid->dominant);
  EV_CHECK(end->voice_activity < 0.05f && end->dominant == -1 && end->confidence == 0.0f,
           "%s: silence at the end: vad %g dominant %d", what, (double)end->voice_activity,
           end->dominant);
  EV_CHECK(lead->voice_activity == 0.0f && lead->dominant == -1,
           "%s: leading silence: vad %g dominant %d", what, (double)lead->voice_activity,
           lead->dominant);
}

/* The signal's two sentences, then `pause_s` of a white noise floor of peak amplitude `floor`
 * (1e-5: the signal's own faint floor, -105 dBFS RMS), then the signal again, at 16 kHz;
 * *second: the sample where the second copy starts. */
static float *two_takes(double pause_s, float floor, size_t *n_out, size_t *second) {
  size_t n1;
  float *one = make_signal(16000.0, &n1);
  const size_t tail = (size_t)((SIG_SECONDS - SIG_VOICED_B1) * 16000.0); /* silence at its end */
  const size_t head = (size_t)(SIG_VOICED_A0 * 16000.0);
  const size_t pause = (size_t)(pause_s * 16000.0);
  const size_t speech1 = n1 - tail; /* first copy up to the end of its speech */
  const size_t n = speech1 + pause + (n1 - head);
  float *x = calloc(n, sizeof *x);
  memcpy(x, one, speech1 * sizeof *x);
  /* the floor, as in the signal's own silences, drawn backwards from the second take so that
   * the last part of every pause is the same */
  uint32_t r = 999;
  for (size_t i = 0; i < pause; i++) {
    r = r * 1664525u + 1013904223u;
    x[speech1 + pause - 1 - i] = floor * ((float)(r >> 8) / 8388608.0f - 1.0f);
  }
  memcpy(x + speech1 + pause, one + head, (n1 - head) * sizeof *x);
  *second = speech1 + pause;
  *n_out = n;
  free(one);
  return x;
}

/* Largest difference of the probabilities on the second take's speech rows between two runs
 * (rows aligned at the second take's start). */
static double second_take_diff(const log_t *a, size_t a_start, const log_t *b, size_t b_start) {
  double worst = 0.0;
  const size_t fa = a_start / 160, fb = b_start / 160;
  for (size_t i = 0; fa + i < a->n && fb + i < b->n; i++) {
    const ev_outputs *x = &a->v[fa + i], *y = &b->v[fb + i];
    if (x->dominant < 0 || y->dominant < 0)
      continue;
    for (int k = 0; k < EV_N_EMOTIONS; k++)
      worst = fmax(worst, fabs((double)x->prob[k] - y->prob[k]));
  }
  return worst;
}

/* Utterances: after a pause of 0.5 s or more the eGeMAPS statistics start afresh at the next
 * speech and its first reading replaces the held one, so a take is read the same after any
 * long pause (0.6 s or 3 s) and nearly as a fresh instance reads it; after a short pause
 * (0.3 s) it is one utterance with the first take. The same when the pause holds a room's
 * noise floor above the gate's level (white noise at -45 dBFS RMS): a pause is 0.5 s without a
 * frame that opens the gate, not 0.5 s below its level (which such a floor never was, so one
 * utterance ran on across every pause). */
static void check_utterances(void) {
  ev_model *m = fixture_model("[{\"type\":\"dense\",\"out\":16,\"activation\":\"tanh\"},"
                              "{\"type\":\"dense\"}]",
                              "[\"egemaps_func\"]", 10, EV_NORM_GLOBAL);
  EV_CHECK(m != NULL, "egemaps fixture");
  if (!m)
    return;
  fixture_randomize(m, 0.5f);
  size_t n_short, n_mid, n_long, s_short, s_mid, s_long, n_one;
  /* pauses in whole model steps (100 ms) so that the steps fall alike in every take */
  float *x_short = two_takes(0.3, 1e-5f, &n_short, &s_short);
  float *x_mid = two_takes(0.6, 1e-5f, &n_mid, &s_mid);
  float *x_long = two_takes(3.0, 1e-5f, &n_long, &s_long);
  float *one = make_signal(16000.0, &n_one);
  log_t l_short = run(m, 16000.0, x_short, n_short, 64, 0);
  log_t l_mid = run(m, 16000.0, x_mid, n_mid, 64, 0);
  log_t l_long = run(m, 16000.0, x_long, n_long, 64, 0);
  log_t l_one = run(m, 16000.0, one, n_one, 64, 0);
  const size_t head = (size_t)(SIG_VOICED_A0 * 16000.0);
  const double mid_long = second_take_diff(&l_mid, s_mid, &l_long, s_long);
  const double long_fresh = second_take_diff(&l_long, s_long, &l_one, head);
  const double short_mid = second_take_diff(&l_short, s_short, &l_mid, s_mid);
  printf("utterances: second take after 0.6 s vs 3 s: %.2g; after 0.3 s (one utterance with the "
         "first) vs 0.6 s: %.3f; after 3 s vs a fresh instance: %.3f\n",
         mid_long, short_mid, long_fresh);
  EV_CHECK(mid_long <= 1e-6, "a take reads %.3g apart after pauses of 0.6 and 3 s", mid_long);
  EV_CHECK(short_mid >= 0.05, "a 0.3 s pause keeps one utterance: %.3f from the 0.6 s reading",
           short_mid);
  /* what is left: a fresh instance keeps the 0.5 s of floor before the take in its statistics
   * (ev_analyzer.c, reset_outputs), and the descriptors' own short memory: measured 0.092 */
  EV_CHECK(long_fresh <= 0.12, "after a long pause a take reads %.3f from a fresh instance",
           long_fresh);
  /* the floor at -45 dBFS RMS: uniform noise of peak 0.0097 (RMS = peak / sqrt(3)) */
  const float noisy = 0.0097f;
  size_t nn_short, nn_mid, nn_long, sn_short, sn_mid, sn_long;
  float *y_short = two_takes(0.3, noisy, &nn_short, &sn_short);
  float *y_mid = two_takes(0.6, noisy, &nn_mid, &sn_mid);
  float *y_long = two_takes(3.0, noisy, &nn_long, &sn_long);
  log_t n_short_l = run(m, 16000.0, y_short, nn_short, 64, 0);
  log_t n_mid_l = run(m, 16000.0, y_mid, nn_mid, 64, 0);
  log_t n_long_l = run(m, 16000.0, y_long, nn_long, 64, 0);
  const double noisy_mid_long = second_take_diff(&n_mid_l, sn_mid, &n_long_l, sn_long);
  const double noisy_short_mid = second_take_diff(&n_short_l, sn_short, &n_mid_l, sn_mid);
  printf("utterances across a -45 dBFS noise floor: second take after 0.6 s vs 3 s: %.2g; after "
         "0.3 s vs 0.6 s: %.3f\n",
         noisy_mid_long, noisy_short_mid);
  EV_CHECK(noisy_mid_long <= 1e-6, "across a noise floor a take reads %.3g apart after 0.6 and 3 s",
           noisy_mid_long);
  EV_CHECK(noisy_short_mid >= 0.05,
           "across a noise floor a 0.3 s pause keeps one utterance: %.3f from the 0.6 s reading",
           noisy_short_mid);
  free(n_short_l.v);
  free(n_mid_l.v);
  free(n_long_l.v);
  free(y_short);
  free(y_mid);
  free(y_long);
  free(l_short.v);
  free(l_mid.v);
  free(l_long.v);
  free(l_one.v);
  free(x_short);
  free(x_mid);
  free(x_long);
  free(one);
  ev_model_free(m);
}

/* What a host rate's band means for a model's (ev_analyzer_band_note), case by case: half the
 * rate against the band the model heard (8000 Hz for a 16 kHz model, 4000 for the narrowband
 * one), with its resampler's 5 % edge; the note names the rate and the bands. */
static void check_band_notes(void) {
  static const struct {
    double rate;
    int band, kind;
  } cases[] = {
      {16000, 8000, EV_BAND_FULL},   {48000, 8000, EV_BAND_FULL},    {192000, 8000, EV_BAND_FULL},
      {8000, 8000, EV_BAND_MISSING}, {11025, 8000, EV_BAND_MISSING}, {8000, 4000, EV_BAND_NARROW},
      {8300, 4000, EV_BAND_NARROW},  {8500, 4000, EV_BAND_EXCESS},   {11025, 4000, EV_BAND_EXCESS},
      {48000, 4000, EV_BAND_EXCESS},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char note[512], rate_text[32];
    const int kind = ev_analyzer_band_note(cases[i].rate, cases[i].band, note, sizeof note);
    snprintf(rate_text, sizeof rate_text, "at %g Hz", cases[i].rate);
    EV_CHECK(kind == cases[i].kind, "%g Hz, a model of 0-%d Hz: case %d, expected %d",
             cases[i].rate, cases[i].band, kind, cases[i].kind);
    EV_CHECK(kind == EV_BAND_FULL ? note[0] == 0 : strstr(note, rate_text) != NULL,
             "%g Hz, 0-%d Hz: the note \"%s\"", cases[i].rate, cases[i].band, note);
  }
  char note[512];
  ev_analyzer_band_note(11025, 4000, note, sizeof note);
  EV_CHECK(strstr(note, "up to 5.5125 kHz") && strstr(note, "only up to 4 kHz"),
           "the excess note names both bands: %s", note);
  ev_analyzer_band_note(8000, 8000, note, sizeof note);
  EV_CHECK(strstr(note, "nothing above 4 kHz") && strstr(note, "up to 8 kHz"),
           "the missing-band note names both bands: %s", note);
}

int main(int argc, char **argv) {
  check_band_notes();
  if (argc != 2)
    EV_SKIP("usage: test_analyzer MODEL (the build's emovox-test-model.safetensors)");
  char err[1024];
  ev_model *model = ev_model_load_file(argv[1], err, sizeof err);
  EV_CHECK(model != NULL, "test model: %s", err);
  if (!model)
    EV_TEST_END();

  /* Stationary noise well above the gate is not speech: 2 s of white noise at about -20 dBFS
   * RMS (flatness ~0.56) must keep voice activity low and the dominant at "no speech", while
   * the speech-like signal at the same level opens the gate (check_semantics below). */
  {
    const size_t nn = 2 * 48000;
    float *noise = malloc(nn * sizeof *noise);
    uint32_t r = 4242;
    for (size_t i = 0; noise && i < nn; i++) {
      r = r * 1664525u + 1013904223u;
      noise[i] = 0.17f * ((float)(r >> 8) / 8388608.0f - 1.0f); /* uniform: RMS 0.1 */
    }
    log_t l = noise ? run(model, 48000.0, noise, nn, 256, 0) : (log_t){0};
    size_t speechy = 0;
    float vmax = 0.0f;
    for (size_t i = 0; i < l.n; i++) {
      speechy += l.v[i].dominant >= 0;
      vmax = l.v[i].voice_activity > vmax ? l.v[i].voice_activity : vmax;
    }
    EV_CHECK(l.n > 150 && speechy == 0 && vmax < 0.05f,
             "white noise at -20 dBFS: %zu of %zu frames called speech, max voice %.3f", speechy,
             l.n, vmax);
    printf("white noise at -20 dBFS: %zu frames, none called speech (max voice %.3f)\n", l.n, vmax);
    free(l.v);
    free(noise);
  }

  /* A quietly recorded voice is speech with the default gate: the speech-like signal scaled so
   * that its loudest 10 ms frame is at -53 dBFS (RAVDESS's actor 20 peaks at -51 to -54 dBFS;
   * the gate was -50 dBFS and heard none of it), while the white noise above at the same level
   * stays "no speech" (the gate's flatness test, not its level, keeps noise out). */
  for (int kind = 0; kind < 2; kind++) {
    const double rate = 16000.0, peak_db = -53.0;
    size_t n;
    float *x = make_signal(rate, &n);
    if (kind) { /* uniform white noise in place of the signal */
      uint32_t r = 99;
      for (size_t i = 0; i < n; i++) {
        r = r * 1664525u + 1013904223u;
        x[i] = (float)(r >> 8) / 8388608.0f - 1.0f;
      }
    }
    double top = 0.0; /* the loudest 10 ms frame's mean square */
    for (size_t f = 0; f + 160 <= n; f += 160) {
      double e = 0.0;
      for (size_t i = f; i < f + 160; i++)
        e += (double)x[i] * x[i];
      top = e / 160 > top ? e / 160 : top;
    }
    const float g = (float)(pow(10.0, peak_db / 20.0) / sqrt(top));
    for (size_t i = 0; i < n; i++)
      x[i] *= g;
    log_t l = run(model, rate, x, n, 256, 0);
    size_t speechy = 0;
    for (size_t i = 0; i < l.n; i++)
      speechy += l.v[i].dominant >= 0;
    if (kind)
      EV_CHECK(speechy == 0, "white noise peaking at %.0f dBFS: %zu of %zu frames called speech",
               peak_db, speechy, l.n);
    else
      EV_CHECK(speechy > l.n / 4, "voice peaking at %.0f dBFS: %zu of %zu frames called speech",
               peak_db, speechy, l.n);
    printf("%s peaking at %.0f dBFS: %zu of %zu frames speech\n", kind ? "white noise" : "voice",
           peak_db, speechy, l.n);
    free(l.v);
    free(x);
  }

  /* A steady tone is not speech either, although it is loud and perfectly tonal: 3 s of
   * 220 Hz at -13 dBFS RMS, and the same with a 5 Hz tremolo of +-30 %, each alone (with and
   * without a model) must not open the gate after the first 300 ms. (Before the spectral
   * movement criterion the plain tone read as 98 % voice.) */
  for (int kind = 0; kind < 2; kind++)
    for (int with_model = 0; with_model < 2; with_model++) {
      const double rate = 48000.0;
      const size_t nt = (size_t)(3.0 * rate);
      float *tone = malloc(nt * sizeof *tone);
      for (size_t i = 0; tone && i < nt; i++) {
        const double t = (double)i / rate;
        const double am = kind ? 1.0 + 0.3 * sin(2.0 * M_PI * 5.0 * t) : 1.0;
        tone[i] = (float)(0.3 * am * sin(2.0 * M_PI * 220.0 * t));
      }
      log_t l = tone ? run(with_model ? model : NULL, rate, tone, nt, 256, 0) : (log_t){0};
      size_t speechy = 0;
      float vmax = 0.0f;
      for (size_t i = frame_at(0.3); i < l.n; i++) {
        speechy += l.v[i].dominant >= 0;
        vmax = l.v[i].voice_activity > vmax ? l.v[i].voice_activity : vmax;
      }
      EV_CHECK(l.n > 250 && speechy == 0 && vmax < 0.05f,
               "%s tone, %s: %zu of %zu frames called speech after 0.3 s, max voice %.3f",
               kind ? "tremolo" : "steady", with_model ? "model" : "no model", speechy, l.n, vmax);
      printf("%s 220 Hz tone (%s): none called speech after 0.3 s (max voice %.3f)\n",
             kind ? "tremolo" : "steady", with_model ? "model" : "no model", vmax);
      free(l.v);
      free(tone);
    }

  const double rates[] = {44100.0, 48000.0, 96000.0};
  const int blocks[] = {1, 64, 1024, 0};
  for (int r = 0; r < 3; r++) {
    size_t n;
    float *x = make_signal(rates[r], &n);
    log_t ref = run(model, rates[r], x, n, 1, 0);
    char what[64];
    snprintf(what, sizeof what, "%.0f Hz", rates[r]);
    check_semantics(&ref, 1, what);
    for (int b = 1; b < 4; b++) {
      log_t other = run(model, rates[r], x, n, blocks[b], 0);
      int same = other.n == ref.n;
      size_t first_diff = 0;
      for (size_t i = 0; same && i < ref.n; i++)
        if (!same_output(&ref.v[i], &other.v[i])) {
          same = 0;
          first_diff = i;
        }
      EV_CHECK(same, "%s: block %d vs 1: %zu vs %zu frames, first difference at frame %zu", what,
               blocks[b], other.n, ref.n, first_diff);
      free(other.v);
    }
    printf("%s: %zu frames, bit-identical for blocks 1, 64, 1024 and a random mix\n", what, ref.n);

    /* No model: probabilities 0, no dominant, but the gate and VAD work, also block-size
     * independent. */
    log_t none = run(NULL, rates[r], x, n, 64, 0);
    check_semantics(&none, 0, "no model");
    log_t none2 = run(NULL, rates[r], x, n, 0, 0);
    int same = none.n == none2.n;
    for (size_t i = 0; same && i < none.n; i++)
      same = same_output(&none.v[i], &none2.v[i]);
    EV_CHECK(same, "no model: block-size independent");
    free(none.v);
    free(none2.v);

    /* NaN/Inf in the middle of speech: outputs stay finite and sensible afterwards. */
    log_t bad = run(model, rates[r], x, n, 256, (size_t)(1.0 * rates[r]));
    check_semantics(&bad, 1, "NaN block");
    free(bad.v);
    free(ref.v);
    free(x);
  }

  /* Model swaps mid-stream: frames keep counting, the no-model state works in between, the
   * same runtime can be installed again. */
  {
    size_t n;
    float *x = make_signal(48000.0, &n);
    ev_analyzer *an = ev_analyzer_new(48000.0, 256, err, sizeof err);
    ev_model_runtime *rt = ev_analyzer_prepare_model(an, model, err, sizeof err);
    log_t l = {0};
    ev_analyzer_set_frame_callback(an, log_frame, &l);
    size_t third = n / 3;
    ev_analyzer_process(an, x, (uint32_t)third);
    EV_CHECK(ev_analyzer_outputs(an)->dominant == -1, "no model yet: dominant -1");
    ev_analyzer_swap_model(an, rt);
    ev_analyzer_process(an, x + third, (uint32_t)third);
    EV_CHECK(ev_analyzer_swap_model(an, NULL) == rt, "swap returns the installed runtime");
    ev_analyzer_swap_model(an, rt);
    ev_analyzer_process(an, x + 2 * third, (uint32_t)(n - 2 * third));
    for (size_t i = 0; i < l.n; i++)
      EV_CHECK(l.v[i].frames == (int64_t)(i + 1), "frame counter continues across swaps");
    EV_CHECK(l.n > 300, "frames analysed across swaps: %zu", l.n);
    /* huge block and zero-length block */
    float *big = calloc(200000, sizeof(float));
    ev_analyzer_process(an, big, 200000);
    ev_analyzer_process(an, big, 0);
    EV_CHECK(ev_analyzer_outputs(an)->dominant == -1, "silence after a huge block");
    free(big);
    /* params */
    ev_analyzer_params p = {.response_ms = NAN, .gate_db = -1e9f, .adapt = 0};
    ev_analyzer_set_params(an, &p);
    ev_analyzer_reset(an);
    EV_CHECK(ev_analyzer_outputs(an)->frames == 0, "reset clears the frame count");
    ev_model_runtime_free(ev_analyzer_swap_model(an, NULL));
    ev_analyzer_free(an);
    free(l.v);
    free(x);
  }
  /* A heavier model whose bilstm the layer API cuts into parts: still block-size invariant. */
  ev_model *heavy = fixture_model("[{\"type\":\"dense\",\"out\":24,\"activation\":\"tanh\"},"
                                  "{\"type\":\"bilstm\",\"hidden\":24,\"window\":30},"
                                  "{\"type\":\"dense\"}]",
                                  "[\"mfcc\",\"rms\"]", 1, EV_NORM_ADAPTIVE);
  EV_CHECK(heavy != NULL, "heavy fixture");
  if (heavy) {
    fixture_randomize(heavy, 0.3f);
    printf("heavy model: %d layers, %d units per step\n", ev_model_n_layers(heavy),
           ev_model_step_units(heavy));
    EV_CHECK(ev_model_step_units(heavy) > ev_model_n_layers(heavy), "the bilstm is cut into parts");
    size_t n;
    float *x = make_signal(48000.0, &n);
    log_t a = run(heavy, 48000.0, x, n, 1, 0);
    log_t b = run(heavy, 48000.0, x, n, 0, 0);
    int same = a.n == b.n && a.n > 300;
    for (size_t i = 0; same && i < a.n; i++)
      same = same_output(&a.v[i], &b.v[i]);
    EV_CHECK(same, "heavy model: block 1 and a random mix give identical outputs");
    check_semantics(&a, 1, "heavy model");
    free(a.v);
    free(b.v);
    free(x);
  }

  /* Work spreading: with blocks shorter than a hop no call runs a whole model step (the units
   * of a step run one per extractor tick, spread over the following hop). */
  for (int which = 0; which < 2; which++) {
    const ev_model *mdl = which ? heavy : model;
    if (!mdl)
      continue;
    size_t n;
    float *x = make_signal(48000.0, &n);
    const int blocks2[] = {32, 64, 128, 1024};
    for (int b = 0; b < 4; b++) {
      ev_analyzer *an = ev_analyzer_new(48000.0, 1024, err, sizeof err);
      ev_analyzer_swap_model(an, ev_analyzer_prepare_model(an, mdl, err, sizeof err));
      for (size_t pos = 0; pos + (size_t)blocks2[b] <= n; pos += (size_t)blocks2[b])
        ev_analyzer_process(an, x + pos, (uint32_t)blocks2[b]);
      ev_analyzer_stats st;
      ev_analyzer_get_stats(an, &st);
      const int layers = ev_model_step_units(mdl);
      const int64_t frames = ev_analyzer_outputs(an)->frames;
      printf("48000 Hz block %4d: at most %d of %d units per call; %lld units for %lld "
             "frames\n",
             blocks2[b], st.max_layers_per_call, layers, (long long)st.layers_run,
             (long long)frames);
      /* ticks are evenly spaced in the 16 kHz stream: a block spans at most
       * ceil(block_16k * ticks / hop) + 1 of them (one unit each while units <= hop) */
      const double block16 = blocks2[b] * 16000.0 / 48000.0;
      const int bound = (int)ceil(block16 * layers / 160.0) + 1;
      if (blocks2[b] <= 128)
        EV_CHECK(st.max_layers_per_call <= bound && st.max_layers_per_call < layers,
                 "block %d: a call ran %d units (bound %d, step %d)", blocks2[b],
                 st.max_layers_per_call, bound, layers);
      EV_CHECK(st.layers_run >= (frames - 1) * layers && st.layers_run <= (frames + 1) * layers,
               "every frame's step runs all %d layers: %lld steps for %lld frames", layers,
               (long long)st.layers_run, (long long)frames);
      ev_model_runtime_free(ev_analyzer_swap_model(an, NULL));
      ev_analyzer_free(an);
    }
    free(x);
  }
  ev_model_free(heavy);
  check_utterances();
  check_hold(model);
  ev_analyzer *bad = ev_analyzer_new(7000.0, 64, err, sizeof err);
  EV_CHECK(bad == NULL && strstr(err, "8000"), "7 kHz refused: %s", err);
  ev_model_free(model);
  EV_TEST_END();
}
