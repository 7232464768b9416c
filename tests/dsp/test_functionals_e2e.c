/* eGeMAPS functionals end to end: audio -> our extractor -> ev_egemaps_lld() -> functionals
 * (ev_functionals_of_file) against openSMILE's func.csv on the five real speech files of
 * ../shared/reference/opensmile, with the README's item-7 bound: a statistic is within it when
 * within 25 % of openSMILE's value, or within 0.5 when its quantity is in semitones or dB.
 * The goal (README item 7): every F0 and loudness statistic within the bound, and >= 70 of 88.
 * The >= 70 is met on every file since the SHS pitch; "every F0 and loudness statistic" is
 * not: what is asserted is what the pipeline reaches (K_MIN_WITHIN, K_F0_LOUD_MAX_MISSES),
 * printed per statistic so the gap is visible; tighten these as the descriptors improve.
 *
 * Also: the streaming path (extractor in odd blocks -> ev_functionals_push_frame()) equals
 * ev_functionals_of_file(), and `emovox-features --functionals egemaps AUDIO` prints the 88 names
 * and the same values as ev_functionals_of_file(). */
#include "ev_features.h"
#include "ev_functionals.h"
#include "ev_ref.h"
#include "ev_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reached with the first real LLD provider (issue12 branch at 2363e88 + this code): 38 of 88
 * on the worst file (TurEV), 25 F0/loudness statistics outside the bound over the 5 files
 * (mostly F0 slopes and F0 percentiles of TurEV, see the table the test prints). While
 * ev_egemaps_lld() is the zero stub (no voiced frame anywhere) only Leq is checked. Asserted
 * with a margin of 3 so that small changes of the descriptors do not trip it. The history (the
 * YIN files named here are removed): with the octave guard in ev_pitch.c, the jitter peak-flip
 * repair and openSMILE's slope formula (issue 12): 62/70/66/40/68 of 88 and 21 F0/loudness misses;
 * with eGeMAPS' formant polynomial (ev_formants.c) 64/72/66/43/73 and 20; with cHarmonics' HNR and
 * harmonics (ev_harmonics.c) 68/76/71/43/77 and 20; with eGeMAPS' formant resynthesis
 * (cSpecResample's 3.4 kHz band and 220 kept samples, ev_prosody.c) 76/81/78/46/80 and 20; with
 * openSMILE's frame-to-frame period walk for jitter and shimmer (cPitchJitter, ev_voice.c)
 * 78/81/78/48/80 and 20; with eGeMAPS' F0 gate on the 60 ms frame's RMS 79/79/78/47/80 and 20
 * (statistics near the bound flip both ways: F0 stddevNorm out and its rising-slope spread in on
 * a01, two V slopes out on a02, the V flux spread out on turev); with the one-frame pitch smoothing
 * (ev_pitch_smooth.c: lone voiced frames unvoiced, one-frame F0 outliers to the median)
 * 76/79/78/47/81 and 23 (a01: the F0 rising slopes' mean and spread, 98 -> 87 and 60 -> 40 against
 * openSMILE's 118 and 57, and the jitter mean leave the bound; urdu: the F0 falling-slope spread
 * leaves it, 105 -> 31 against 112, HNR stddevNorm and slopeUV0-500 enter it). The F0/loudness
 * bound has no margin left since. With eGeMAPS' own pitch (SHS candidates and openSMILE's Viterbi
 * costs, one frame of look-ahead: ev_shs.c, ev_pitch_viterbi.c) 84/81/85/75/83 and 15: TurEV's
 * fricative frames are voiced as openSMILE calls them, which brings its F0, V/UV spectral,
 * voice-quality and segment statistics in. With four frames of the Viterbi's look-ahead
 * (EV_PVIT_LAG; the F0 within 1 st of openSMILE on every frame but TurEV's onset and a fricative)
 * 88/85/86/86/87 and 1: the F0 slopes, TurEV's voice quality and segment statistics enter (the
 * F0 falling-slope spread of one file is the miss left). Asserted with the margin of 3 again. */
#define K_MIN_WITHIN         82
#define K_F0_LOUD_MAX_MISSES 4

static const char *const k_files[] = {"speech_ravdess_a01_angry", "speech_ravdess_a02_sad",
                                      "speech_tess_yaf_happy", "speech_turev_1984_calm",
                                      "speech_urdu_sm4_angry"};
#define N_FILES 5

/* Statistics whose quantity is in semitones or dB (the absolute 0.5 alternative applies). */
static int in_st_or_db(int i) {
  const char *n = ev_functionals_name(i);
  if (strstr(n, "stddevNorm") || strstr(n, "Slope"))
    return 0;                           /* ratios and slopes per second */
  return (i >= 0 && i <= 5) ||          /* F0 mean, percentiles, range: semitones */
         strstr(n, "shimmerLocaldB") || /* dB */
         strstr(n, "HNRdBACF") || strstr(n, "logRelF0") || strstr(n, "amplitudeLogRelF0") ||
         strstr(n, "alphaRatio") || strstr(n, "hammarbergIndex") || strstr(n, "dBp");
}

static int within(int i, double ours, double ref) {
  double d = fabs(ours - ref);
  if (in_st_or_db(i) && d <= 0.5)
    return 1;
  return d <= 0.25 * fabs(ref) || (ref == 0.0 && d == 0.0);
}

static int read_func(const char *path, float *v) {
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  static char line[1 << 16];
  int ok = 0;
  if (fgets(line, sizeof line, f) && fgets(line, sizeof line, f)) {
    int c = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, ";\r\n", &save); t; t = strtok_r(NULL, ";\r\n", &save), c++)
      if (c >= 2 && c - 2 < EV_FUNC_N)
        v[c - 2] = strtof(t, NULL);
    ok = c == EV_FUNC_N + 2;
  }
  fclose(f);
  return ok ? 0 : -1;
}

static void check_cli(const char *exe, const char *wav, const float *want) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "'%s' --functionals egemaps '%s'", exe, wav);
  FILE *p = popen(cmd, "r");
  EV_CHECK(p != NULL, "%s", cmd);
  if (!p)
    return;
  static char head[1 << 14], vals[1 << 14];
  int got = fgets(head, sizeof head, p) && fgets(vals, sizeof vals, p);
  int rc = pclose(p);
  EV_CHECK(got && rc == 0, "%s: exit %d", cmd, rc);
  if (!got)
    return;
  char *s1 = NULL, *s2 = NULL;
  char *n = strtok_r(head, ",\n", &s1);
  char *v = strtok_r(vals, ",\n", &s2);
  int i = 0;
  for (; n && v && i < EV_FUNC_N; i++) {
    EV_CHECK(!strcmp(n, ev_functionals_name(i)), "CLI column %d: %s", i, n);
    double x = strtod(v, NULL);
    EV_CHECK(fabs(x - want[i]) <= 1e-6 * fabs(want[i]) + 1e-9 || (isnan(x) && isnan(want[i])),
             "CLI %s: %g vs %g", n, x, (double)want[i]);
    n = strtok_r(NULL, ",\n", &s1);
    v = strtok_r(NULL, ",\n", &s2);
  }
  EV_CHECK(i == EV_FUNC_N && !n && !v, "CLI printed %d columns", i);
}

/* The plugin's path: the streaming extractor in odd blocks, ev_functionals_push_frame() per
 * frame into a window longer than the file, must give exactly ev_functionals_of_file(). */
typedef struct stream_ctx {
  ev_functionals *f;
} stream_ctx;
static void on_frame(void *user, const ev_frame *fr) {
  ev_functionals_push_frame(((stream_ctx *)user)->f, fr);
}

static void check_streaming(const float *x, size_t n, double rate, const float *want) {
  char err[256];
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  ev_extractor *ex = ev_extractor_new(&cfg, rate, 1000, err, sizeof err);
  stream_ctx c = {ev_functionals_new(60.0, err, sizeof err)};
  EV_CHECK(ex && c.f, "%s", err);
  if (!ex || !c.f)
    return;
  ev_extractor_set_features(ex, EV_FEATURE_MASK_EGEMAPS | EV_FEATURE_BIT(EV_FEAT_RMS));
  for (size_t i = 0; i < n;) {
    uint32_t b = (uint32_t)(i % 7 == 0 ? 61 : 1000);
    if (b > n - i)
      b = (uint32_t)(n - i);
    ev_extractor_process(ex, x + i, b, on_frame, &c);
    i += b;
  }
  ev_extractor_flush(ex, on_frame, &c);
  ev_functionals_flush_unsmoothed(c.f);
  float got[EV_FUNC_N];
  ev_functionals_compute(c.f, got);
  int same = 0;
  for (int i = 0; i < EV_FUNC_N; i++)
    same += fabs((double)got[i] - want[i]) <= 1e-5 * fabs((double)want[i]) + 1e-6;
  EV_CHECK(same == EV_FUNC_N, "streaming extractor + push_frame: %d of 88 equal to of_file", same);
  ev_extractor_free(ex);
  ev_functionals_free(c.f);
}

int main(int argc, char **argv) {
  if (argc < 3)
    EV_SKIP("usage: test_functionals_e2e EMOVOX_FEATURES OPENSMILE_REFERENCE_DIR");
  const char *exe = argv[1], *dir = argv[2];
  int miss_count[EV_FUNC_N] = {0};
  double worst[EV_FUNC_N] = {0};
  int min_within = EV_FUNC_N, f0_loud_misses = 0, any_voiced = 0;
  for (int fi = 0; fi < N_FILES; fi++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/egemaps/%s.func.csv", dir, k_files[fi]);
    float ref[EV_FUNC_N];
    EV_CHECK(read_func(path, ref) == 0, "%s", path);
    snprintf(path, sizeof path, "%s/%s.wav", dir, k_files[fi]);
    size_t n;
    double rate;
    float *x = ev_ref_read_audio(path, &n, &rate);
    EV_CHECK(x != NULL, "%s", path);
    if (!x)
      continue;
    float out[EV_FUNC_N];
    char err[256];
    int rc = ev_functionals_of_file(x, n, rate, out, err, sizeof err);
    if (!rc)
      check_streaming(x, n, rate, out);
    free(x);
    EV_CHECK(rc == 0, "%s: %s", k_files[fi], err);
    if (rc)
      continue;
    int nw = 0;
    any_voiced |= out[0] > 0.0f; /* F0 mean: 0 when no frame is voiced */
    for (int i = 0; i < EV_FUNC_N; i++) {
      EV_CHECK(isfinite(out[i]), "%s: %s not finite", k_files[fi], ev_functionals_name(i));
      int w = within(i, out[i], ref[i]);
      nw += w;
      if (!w) {
        miss_count[i]++;
        if (i < 20)
          f0_loud_misses++;
      }
      double d = fabs((double)out[i] - ref[i]);
      double e = in_st_or_db(i) ? d : d / (fabs(ref[i]) > 1e-9 ? fabs(ref[i]) : 1.0);
      if (e > worst[i])
        worst[i] = e;
    }
    /* the frame energy comes from the extractor's rms, independent of the LLD provider */
    int leq = ev_functionals_index("equivalentSoundLevel_dBp");
    EV_CHECK(fabs(out[leq] - ref[leq]) <= 0.5, "%s: Leq %.3f dB, openSMILE %.3f dB", k_files[fi],
             out[leq], ref[leq]);
    printf("%-26s %d of 88 within the item-7 bound (Leq %.2f dB, openSMILE %.2f dB)\n", k_files[fi],
           nw, out[leq], ref[leq]);
    if (nw < min_within)
      min_within = nw;
    if (fi == 0)
      check_cli(exe, path, out);
  }
  printf("per statistic: files outside the bound, worst error (st/dB absolute where that unit "
         "applies, else relative):\n");
  for (int i = 0; i < EV_FUNC_N; i++)
    if (miss_count[i])
      printf("  %-44s %d/5  %.3g%s\n", ev_functionals_name(i), miss_count[i], worst[i],
             in_st_or_db(i) ? " (st or dB)" : "");
  printf("fewest within the bound on a file: %d of 88 (goal >= 70); F0/loudness misses: %d (goal "
         "0)\n",
         min_within, f0_loud_misses);
  if (!any_voiced) {
    printf("the LLD provider gives no voiced frame (stub): item 7 not measured\n");
  } else {
    EV_CHECK(min_within >= K_MIN_WITHIN, "only %d of 88 within the bound (reached: %d)", min_within,
             K_MIN_WITHIN);
    EV_CHECK(f0_loud_misses <= K_F0_LOUD_MAX_MISSES,
             "%d F0/loudness statistics outside the bound (reached: %d)", f0_loud_misses,
             K_F0_LOUD_MAX_MISSES);
  }
  EV_TEST_END();
}
