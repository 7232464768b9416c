/* Bad input: NaN, Inf and absurd (1e30) samples and a full-scale square wave. Outputs stay
 * finite, and from EV_RECOVERY_FRAMES frames after the bad block on, every frame is
 * bit-identical to the clean run (8 to 192 kHz); the sliding-window functionals (egemaps_func,
 * mfcc_func, mfcc_delta_func, logmel_func) once the bad frames have left their window and the
 * next update came. Digital
 * silence gives exactly -100 dB log-mel. */
#include "ev_features.h"
#include "ev_test.h"
#include "frame_log.h"
#include "test_signal.h"

static void run(const ev_feature_config *cfg, double rate, const float *x, size_t n,
                frame_log *log) {
  char err[256];
  ev_extractor *ex = ev_extractor_new(cfg, rate, 256, err, sizeof err);
  EV_CHECK(ex != NULL, "%s", err);
  frame_log_init(log, cfg);
  for (size_t i = 0; ex && i < n; i += 256)
    ev_extractor_process(ex, x + i, (uint32_t)(n - i < 256 ? n - i : 256), frame_log_on_frame, log);
  if (ex)
    ev_extractor_flush(ex, frame_log_on_frame, log);
  ev_extractor_free(ex);
}

/* Whether column i belongs to a sliding-window feature (ev_feature_windowed). */
static int windowed_column(const frame_log *l, int i) {
  for (int id = 0; id < EV_FEAT_COUNT; id++) {
    const int o = frame_log_offset(l, (ev_feature_id)id);
    if (ev_feature_windowed(id) && i >= o && i < o + ev_feature_dims(l->cfg, (ev_feature_id)id))
      return 1;
  }
  return 0;
}

/* Whether frame t differs, in the sliding-window functionals' columns (func = 1) or in all the
 * others. */
static int frame_differs(const frame_log *a, const frame_log *b, size_t t, int func) {
  const float *x = a->v + t * (size_t)a->width, *y = b->v + t * (size_t)a->width;
  for (int i = 0; i < a->width; i++)
    if (windowed_column(a, i) == func && memcmp(x + i, y + i, sizeof *x))
      return 1;
  return 0;
}

int main(void) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  cfg.func_window_s = 0.5f; /* short, so that the 4 s signal shows the functionals recover */
  const size_t func_frames = 50;
  const double rates[5] = {44100, 48000, 16000, 8000, 192000};
  for (int r = 0; r < 5; r++) {
    double rate = rates[r];
    size_t n;
    float *clean = test_signal(rate, 4.0, &n);
    frame_log ref;
    run(&cfg, rate, clean, n, &ref);
    for (int kind = 0; kind < 4; kind++) {
      static const char *const names[4] = {"NaN", "+/-Inf", "1e30", "full-scale square"};
      float *bad = malloc(n * sizeof(float));
      memcpy(bad, clean, n * sizeof(float));
      size_t a = (size_t)(1.3 * rate), b = a + 300 + 700 * (size_t)kind;
      for (size_t i = a; i < b; i++)
        bad[i] = kind == 0   ? NAN
                 : kind == 1 ? (i % 2 ? INFINITY : -INFINITY)
                 : kind == 2 ? (i % 3 ? 1e30f : -1e30f)
                             : ((i / 20) % 2 ? 1.0f : -1.0f);
      frame_log got;
      run(&cfg, rate, bad, n, &got);
      EV_CHECK(got.frames == ref.frames, "%s at %.0f Hz: %zu frames vs %zu", names[kind], rate,
               got.frames, ref.frames);
      size_t cnt = got.frames * (size_t)got.width, nonfinite = 0;
      for (size_t i = 0; i < cnt; i++)
        nonfinite += !isfinite(got.v[i]);
      EV_CHECK(nonfinite == 0, "%s at %.0f Hz: %zu non-finite outputs", names[kind], rate,
               nonfinite);
      /* first frame starting after the bad block (model-rate samples), plus the bound */
      double b16 = b * 16000.0 / rate;
      size_t t0 = (size_t)ceil(b16 / 160.0), t_ok = t0 + EV_RECOVERY_FRAMES;
      size_t first_diff = SIZE_MAX, last_diff = 0, func_last = 0;
      for (size_t t = 0; t < got.frames && t < ref.frames; t++) {
        if (frame_differs(&got, &ref, t, 0)) {
          if (first_diff == SIZE_MAX)
            first_diff = t;
          last_diff = t;
        }
        if (frame_differs(&got, &ref, t, 1))
          func_last = t;
      }
      /* the last bad frame leaves the window func_frames later; the next update shows it */
      const size_t func_ok = t_ok + func_frames + EV_FUNC_EVERY;
      EV_CHECK(func_last < func_ok,
               "%s at %.0f Hz: functionals still differ at frame %zu (bound %zu)", names[kind],
               rate, func_last, func_ok);
      EV_CHECK(first_diff != SIZE_MAX, "%s at %.0f Hz: the bad block changed nothing?", names[kind],
               rate);
      EV_CHECK(last_diff < t_ok, "%s at %.0f Hz: frame %zu still differs (bound: from %zu on)",
               names[kind], rate, last_diff, t_ok);
      printf("%-18s at %6.0f Hz: frames %zu..%zu differ, identical again from %zu (bound %zu)\n",
             names[kind], rate, first_diff, last_diff, last_diff + 1, t_ok);
      frame_log_free(&got);
      free(bad);
    }
    /* silence: log-mel exactly at the -100 dB floor, MFCC c0 exactly -800 */
    float *zero = calloc(n, sizeof(float));
    frame_log sil;
    run(&cfg, rate, zero, n, &sil);
    int lm = frame_log_offset(&sil, EV_FEAT_LOGMEL), mf = frame_log_offset(&sil, EV_FEAT_MFCC);
    int off_floor = 0;
    for (size_t t = 0; t < sil.frames; t++) {
      for (int i = 0; i < 64; i++)
        off_floor += sil.v[t * (size_t)sil.width + (size_t)(lm + i)] != -100.0f;
      off_floor += sil.v[t * (size_t)sil.width + (size_t)mf] != -800.0f;
    }
    EV_CHECK(sil.frames > 0 && off_floor == 0, "silence at %.0f Hz: %d values off the floor", rate,
             off_floor);
    frame_log_free(&sil);
    free(zero);
    frame_log_free(&ref);
    free(clean);
  }
  EV_TEST_END();
}
