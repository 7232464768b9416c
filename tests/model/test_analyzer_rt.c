/* Realtime contract of the analyser: ev_analyzer_process(), swap_model(), set_params() and
 * reset() make no heap call, take no lock, do no I/O and never sleep (tests/common/rt_guard
 * counts the C library calls, also those made from FFTW and speexdsp), also with the narrowband
 * companion attached and switching. Skipped in sanitized builds (the sanitizers own malloc). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ev_test.h"
#include "analyzer_signal.h"
#include "ev_analyzer.h"
#include "ev_model.h"
#include "rt_guard.h"

static void *volatile probe;

static void on_frame(void *user, const ev_outputs *o) {
  (void)o;
  ++*(long *)user;
}

int main(int argc, char **argv) {
  const char *san = getenv("EMOVOX_SANITIZED");
  if (san && !strcmp(san, "1"))
    EV_SKIP("malloc interposition is not possible under the sanitizers");
  if (!rt_guard_available())
    EV_SKIP("rt_guard is compiled out in this build");
  if (argc != 2 && argc != 3)
    EV_SKIP("usage: test_analyzer_rt MODEL [NARROWBAND_MODEL]");
  /* self-check: the guard really counts */
  rt_guard_reset();
  rt_guard_arm();
  probe = malloc(16); /* a volatile global: the compiler may not elide the pair */
  rt_guard_disarm();
  free(probe);
  EV_CHECK(rt_guard_count(RT_GUARD_MALLOC) == 1, "the malloc counter works");
  rt_guard_reset();

  char err[512];
  ev_model *model = ev_model_load_file(argv[1], err, sizeof err);
  EV_CHECK(model != NULL, "model: %s", err);
  if (!model)
    EV_TEST_END();
  /* the narrowband companion where it can be attached: its band detector and switch run on the
   * audio path too (the telephone-band signal follows the wide-band one) */
  ev_model *narrow = argc == 3 ? ev_model_load_file(argv[2], err, sizeof err) : NULL;
  EV_CHECK(argc < 3 || narrow != NULL, "narrowband model: %s", err);
  const double rates[] = {44100.0, 48000.0, 96000.0, 8000.0, 192000.0};
  for (int r = 0; r < 5; r++) {
    size_t n1, n2;
    float *wide = make_signal(rates[r], &n1), *tel = make_signal_band(rates[r], 1, &n2);
    /* a call of three times the signal: the detector's averages forget over a second of speech */
    const size_t n = n1 + 3 * n2;
    float *x = malloc(n * sizeof *x);
    EV_CHECK(wide && tel && x, "signals made");
    memcpy(x, wide, n1 * sizeof *x);
    for (int k = 0; k < 3; k++)
      memcpy(x + n1 + (size_t)k * n2, tel, n2 * sizeof *x);
    free(wide);
    free(tel);
    ev_analyzer *an = ev_analyzer_new(rates[r], 512, err, sizeof err);
    ev_model_runtime *rt = ev_analyzer_prepare_model(an, model, err, sizeof err);
    const int companion = narrow && rates[r] > 8400.0;
    if (companion)
      EV_CHECK(ev_analyzer_attach_narrowband(an, rt, narrow, err, sizeof err) == 0,
               "%.0f Hz: companion attached: %s", rates[r], err);
    long frames = 0, narrow_frames = 0;
    ev_analyzer_set_frame_callback(an, on_frame, &frames);
    ev_analyzer_params p;
    ev_analyzer_params_default(&p);
    rt_guard_reset();
    rt_guard_arm();
    size_t pos = 0;
    uint32_t sizes[] = {1, 17, 64, 512, 1000, 4096};
    for (int k = 0; pos < n; k++) {
      uint32_t b = sizes[k % 6];
      if (b > n - pos)
        b = (uint32_t)(n - pos);
      if (k == 50)
        ev_analyzer_swap_model(an, rt);
      if (k == 300) {
        p.response_ms = 100.0f;
        ev_analyzer_set_params(an, &p);
      }
      if (k == 400 || k == 500) { /* allowed emotions: neutral, happy, sad, angry; then calm */
        p.labels = k == 400 ? 0x1du : 0x2u;
        ev_analyzer_set_params(an, &p);
      }
      if (k == 600) {
        ev_analyzer_swap_model(an, NULL);
        ev_analyzer_swap_model(an, rt);
      }
      if (k == 900)
        ev_analyzer_reset(an);
      ev_analyzer_process(an, x + pos, b);
      narrow_frames += ev_analyzer_outputs(an)->narrowband;
      pos += b;
    }
    rt_guard_disarm();
    const unsigned long calls = rt_guard_total();
    if (calls)
      rt_guard_print(stderr);
    EV_CHECK(calls == 0, "%.0f Hz: %lu forbidden calls on the audio path", rates[r], calls);
    EV_CHECK(frames > 100, "%.0f Hz: frames analysed %ld", rates[r], frames);
    if (companion) /* the switch happened on the audio path */
      EV_CHECK(narrow_frames > 0, "%.0f Hz: the telephone-band signal never reached the companion",
               rates[r]);
    printf("%.0f Hz: %ld frames, %lu heap/lock/I-O/sleep calls in process/swap/params/reset\n",
           rates[r], frames, calls);
    ev_model_runtime_free(ev_analyzer_swap_model(an, NULL));
    ev_analyzer_free(an);
    free(x);
  }
  ev_model_free(model);
  ev_model_free(narrow);
  EV_TEST_END();
}
