/* Overflow is not silent (issue 17 item 4): a model whose finite weights overflow on loud input
 * (overflow_model.h) gives its real answer (neutral) on a quiet tone; on a loud tone its output
 * is NaN, and the analyser reports model_fault with the outputs of "no model" (probabilities 0,
 * no dominant) instead of a dominant emotion with confidence 0; when the tone is quiet again the
 * fault clears and the answer comes back. The same per-frame outputs for blocks of 64 and 1000
 * samples. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ev_test.h"
#include "overflow_model.h"

#define MAX_FRAMES 600

#include "frame_record.h"

static void run(const ev_model *m, const float *x, size_t n, uint32_t block, record *r) {
  char err[256];
  ev_analyzer *an = ev_analyzer_new(48000, 1024, err, sizeof err);
  ev_model_runtime *rt = ev_analyzer_prepare_model(an, m, err, sizeof err);
  ev_analyzer_swap_model(an, rt);
  memset(r, 0, sizeof *r);
  ev_analyzer_set_frame_callback(an, on_frame, r);
  for (size_t i = 0; i < n; i += block)
    ev_analyzer_process(an, x + i, (uint32_t)(n - i < block ? n - i : block));
  ev_analyzer_free(an);
  ev_model_runtime_free(rt);
}

int main(void) {
  ev_model *m = overflow_model();
  EV_CHECK(m != NULL, "model");
  if (!m)
    EV_TEST_END();
  /* the file loads: its weights are within the loader's limit */
  uint8_t *buf;
  size_t len;
  char err[512];
  EV_CHECK(ev_model_serialize(m, &buf, &len, err, sizeof err) == 0, "serialise: %s", err);
  ev_model *loaded = ev_model_load_memory(buf, len, err, sizeof err);
  EV_CHECK(loaded != NULL, "the overflow model loads: %s", loaded ? "" : err);
  free(buf);

  const double rate = 48000;
  const size_t seg = (size_t)(1.5 * rate), n = 3 * seg;
  float *x = malloc(n * sizeof *x);
  overflow_tone(x, seg, rate, 0.01f, 0);
  overflow_tone(x + seg, seg, rate, 0.5f, seg);
  overflow_tone(x + 2 * seg, seg, rate, 0.01f, 2 * seg);
  static record a, b;
  run(loaded ? loaded : m, x, n, 64, &a);
  run(loaded ? loaded : m, x, n, 1000, &b);
  EV_CHECK(a.n == b.n && !memcmp(a.out, b.out, sizeof a.out), "block sizes 64 and 1000 agree");
  int quiet_ok = 0, loud_fault = 0, back_ok = 0, loud_frames = 0, quiet_frames = 0;
  for (int f = 0; f < a.n && f < MAX_FRAMES; f++) {
    const ev_outputs *o = &a.out[f];
    const double t = f * 0.01;
    float sum = 0;
    for (int k = 0; k < EV_N_EMOTIONS; k++)
      sum += o->prob[k];
    if ((t > 0.5 && t < 1.4) || (t > 3.6 && t < 4.4)) { /* quiet, after the onset */
      quiet_frames++;
      int ok = !o->model_fault && o->dominant == EV_NEUTRAL && o->confidence > 0.9f;
      if (t < 2)
        quiet_ok += ok;
      else
        back_ok += ok;
      if (!ok && quiet_frames < 5)
        printf("t %.2f: fault %d dominant %d confidence %.3f\n", t, o->model_fault, o->dominant,
               (double)o->confidence);
    }
    if (t > 1.6 && t < 2.9) { /* loud */
      loud_frames++;
      int ok = o->model_fault && o->dominant == -1 && o->confidence == 0.0f && sum == 0.0f &&
               o->voice_activity > 0.5f;
      loud_fault += ok;
      if (!ok && loud_frames < 5)
        printf("t %.2f: fault %d dominant %d confidence %.3f sum %.3f\n", t, o->model_fault,
               o->dominant, (double)o->confidence, (double)sum);
    }
  }
  printf("quiet: %d + %d frames with the model's answer; loud: %d of %d frames report the fault\n",
         quiet_ok, back_ok, loud_fault, loud_frames);
  EV_CHECK(quiet_ok >= 85, "quiet tone: the model's answer (%d frames)", quiet_ok);
  EV_CHECK(loud_fault == loud_frames && loud_frames > 100,
           "loud tone: every frame reports the fault and no emotion (%d of %d)", loud_fault,
           loud_frames);
  EV_CHECK(back_ok >= 75, "quiet again: the fault clears and the answer returns (%d frames)",
           back_ok);
  free(x);
  ev_model_free(loaded);
  ev_model_free(m);
  EV_TEST_END();
}
