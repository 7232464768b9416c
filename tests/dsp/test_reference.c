/* Parity with librosa 0.10: every INPUT.FEATURE.f32 reference file of the 5 inputs, and the
 * filterbanks, within the README's float32-C tolerances (our FFT is single precision). The
 * worst error of each feature is printed next to the README's double-precision tolerance. */
#include "ev_features.h"
#include "ev_filters.h"
#include "ev_ref.h"
#include "ev_test.h"

#include <string.h>

static const char *const kInputs[] = {"chirp", "noise", "speech", "silence", "sine1k"};
/* librosa's features are the ids before EV_FEAT_PITCH (the eGeMAPS descriptors after it have
 * their own test against openSMILE: test_egemaps.c) */
#define N_LIBROSA EV_FEAT_PITCH
#define N_SLOTS   (N_LIBROSA + 1) /* + chroma at n_fft 2048 */
static double worst[N_SLOTS];
static const double kF32Tol[N_SLOTS] = {2e-6, 2e-6, 0.2,  0.1,  1e-2, 1e-2, 0,
                                        1,    1e-5, 1e-2, 5e-2, 0,    1e-2, 1e-5};
static const double kF64Tol[N_SLOTS] = {1e-6, 1e-6, 1e-4, 1e-3, 1e-4, 1e-4, 0,
                                        1,    1e-5, 1e-2, 1e-3, 0,    1e-5, 1e-5};

static void compare(const char *input, int id, int slot, const float *got, size_t rows, int dims,
                    const char *ref_name) {
  char name[128];
  snprintf(name, sizeof name, "%s.%s.f32", input, ref_name);
  size_t n = 0;
  float *ref = ev_ref_read_f32(ev_ref_path(name), &n);
  EV_CHECK(ref != NULL, "cannot read %s", name);
  if (!ref)
    return;
  EV_CHECK(got && n == rows * (size_t)dims, "%s: %zu values, we have %zu x %d", name, n, rows,
           dims);
  if (!got || n != rows * (size_t)dims) {
    free(ref);
    return;
  }
  int failures = 0;
  for (size_t t = 0; t < rows; t++) {
    const float *r = ref + t * (size_t)dims, *g = got + t * (size_t)dims;
    double rmax = 0.0, dbmax = -1e9;
    for (int d = 0; d < dims; d++) {
      rmax = fmax(rmax, fabs(r[d]));
      dbmax = fmax(dbmax, r[d]);
    }
    for (int d = 0; d < dims; d++) {
      double err = fabs((double)g[d] - r[d]), metric = err, tol = kF32Tol[slot];
      switch (id) {
      case EV_FEAT_POWER:
      case EV_FEAT_MEL:
        metric = rmax > 0 ? err / rmax : err;
        break;
      case EV_FEAT_LOGMEL:
        if (r[d] >= dbmax - 60.0)
          tol = 1e-3;
        break;
      case EV_FEAT_ZCR:
        metric = fabs(round(g[d] * 400.0) - round(r[d] * 400.0));
        break;
      case EV_FEAT_RMS: /* 1e-7 + 1e-6 ref, expressed as a fraction of that */
        metric = err / (1e-7 + 1e-6 * fabs(r[d]));
        break;
      case EV_FEAT_FLATNESS:
        metric = err / fabs(r[d]);
        break;
      default:
        break;
      }
      worst[slot] = fmax(worst[slot], metric);
      if (!(metric <= tol) && failures++ < 5)
        EV_CHECK(metric <= tol,
                 "%s frame %zu dim %d: ours %.9g, librosa %.9g (metric %.3g, tol %g)", name, t, d,
                 g[d], r[d], metric, tol);
    }
  }
  if (failures > 5)
    EV_CHECK(0, "%s: %d values outside tolerance in total", name, failures);
  free(ref);
}

static void check_filters(void) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  size_t n;
  /* mel */
  float *ref = ev_ref_read_f32(ev_ref_path("filters.mel.f32"), &n);
  EV_CHECK(ref && n == 64 * 257, "filters.mel.f32 unreadable or wrong size");
  ev_mel_bank mb;
  EV_CHECK(ev_mel_bank_init(&mb, &cfg) == 0, "mel bank init");
  double e = 0.0;
  for (int i = 0; ref && i < 64; i++)
    for (int k = 0; k < 257; k++)
      e = fmax(e, fabs(ev_mel_bank_weight(&mb, i, k) - ref[i * 257 + k]));
  printf("filters.mel: max |diff| %.3g\n", e);
  EV_CHECK(e <= 1.1e-9, "mel weights differ by %g", e);
  ev_mel_bank_free(&mb);
  free(ref);
  /* chroma at 512 and 2048 */
  const int nffts[2] = {512, 2048};
  const char *names[2] = {"filters.chroma.f32", "filters.chroma_nfft2048.f32"};
  for (int v = 0; v < 2; v++) {
    int bins = nffts[v] / 2 + 1;
    ref = ev_ref_read_f32(ev_ref_path(names[v]), &n);
    EV_CHECK(ref && n == (size_t)(12 * bins), "%s unreadable or wrong size", names[v]);
    float *ours = malloc(sizeof(float) * 12 * (size_t)bins);
    ev_chroma_fill(ours, 16000, nffts[v], 12);
    e = 0.0;
    for (int i = 0; ref && i < 12 * bins; i++)
      e = fmax(e, fabs((double)ours[i] - ref[i]));
    printf("%s: max |diff| %.3g\n", names[v], e);
    EV_CHECK(e <= 1e-7, "%s differs by %g", names[v], e);
    free(ours);
    free(ref);
  }
  /* window */
  ref = ev_ref_read_f32(ev_ref_path("filters.window.f32"), &n);
  EV_CHECK(ref && n == 512, "filters.window.f32 unreadable");
  float win[512];
  ev_window_fill(win, 512, 400);
  e = 0.0;
  for (int i = 0; ref && i < 512; i++)
    e = fmax(e, fabs((double)win[i] - ref[i]));
  printf("filters.window: max |diff| %.3g\n", e);
  EV_CHECK(e == 0.0, "window differs by %g", e);
  free(ref);
  /* dct */
  ref = ev_ref_read_f32(ev_ref_path("filters.dct.f32"), &n);
  EV_CHECK(ref && n == 40 * 64, "filters.dct.f32 unreadable");
  double dct[40 * 64];
  ev_dct_fill(dct, 40, 64);
  e = 0.0;
  for (int i = 0; ref && i < 40 * 64; i++)
    e = fmax(e, fabs(dct[i] - ref[i]));
  printf("filters.dct: max |diff| %.3g\n", e);
  EV_CHECK(e <= 6e-8, "dct differs by %g", e);
  free(ref);
}

int main(void) {
  if (!ev_ref_path("x"))
    EV_SKIP("EMOVOX_REFERENCE not set");
  check_filters();
  ev_feature_config cfg, cfg2048;
  ev_feature_config_default(&cfg);
  cfg2048 = cfg;
  cfg2048.n_fft = cfg2048.win_length = 2048;
  for (size_t in = 0; in < sizeof kInputs / sizeof *kInputs; in++) {
    char name[64];
    snprintf(name, sizeof name, "%s.wav", kInputs[in]);
    size_t n = 0;
    double rate = 0;
    float *x = ev_ref_read_audio(ev_ref_path(name), &n, &rate);
    EV_CHECK(x && rate == 16000, "cannot read %s at 16 kHz", name);
    if (!x)
      continue;
    float *out[EV_FEAT_COUNT];
    size_t rows[EV_FEAT_COUNT];
    char err[256];
    int librosa[EV_FEAT_COUNT] = {0};
    for (int id = 0; id < N_LIBROSA; id++)
      librosa[id] = 1;
    int rc = ev_extract_buffer(&cfg, rate, x, n, librosa, out, rows, err, sizeof err);
    EV_CHECK(rc == 0, "%s: %s", name, err);
    for (int id = 0; rc == 0 && id < N_LIBROSA; id++)
      compare(kInputs[in], id, id, out[id], rows[id], ev_feature_dims(&cfg, (ev_feature_id)id),
              ev_feature_name((ev_feature_id)id));
    if (rc == 0 && !strcmp(kInputs[in], "silence")) { /* the README's exact silence values */
      for (size_t t = 0; t < rows[EV_FEAT_LOGMEL]; t++) {
        for (int i = 0; i < 64; i++)
          EV_CHECK(out[EV_FEAT_LOGMEL][t * 64 + i] == -100.0f, "silence logmel not -100");
        EV_CHECK(out[EV_FEAT_MFCC][t * 40] == -800.0f, "silence mfcc c0 %g",
                 out[EV_FEAT_MFCC][t * 40]);
        EV_CHECK(out[EV_FEAT_FLATNESS][t] == 1.0f, "silence flatness %g", out[EV_FEAT_FLATNESS][t]);
      }
    }
    for (int id = 0; rc == 0 && id < EV_FEAT_COUNT; id++)
      free(out[id]);
    int want[EV_FEAT_COUNT] = {0};
    want[EV_FEAT_CHROMA] = 1;
    rc = ev_extract_buffer(&cfg2048, rate, x, n, want, out, rows, err, sizeof err);
    EV_CHECK(rc == 0, "%s n_fft 2048: %s", name, err);
    if (rc == 0) {
      compare(kInputs[in], EV_FEAT_CHROMA, N_LIBROSA, out[EV_FEAT_CHROMA], rows[EV_FEAT_CHROMA], 12,
              "chroma_nfft2048");
      free(out[EV_FEAT_CHROMA]);
    }
    free(x);
  }
  printf("%-16s %12s %10s %10s\n", "feature", "worst", "tol f32", "tol f64");
  for (int s = 0; s < N_SLOTS; s++)
    printf("%-16s %12.4g %10g %10g%s\n",
           s < N_LIBROSA ? ev_feature_name((ev_feature_id)s) : "chroma_nfft2048", worst[s],
           kF32Tol[s], kF64Tol[s], worst[s] <= kF64Tol[s] ? "  (within double-precision tol)" : "");
  EV_TEST_END();
}
