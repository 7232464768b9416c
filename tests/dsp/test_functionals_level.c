/* Level-relative eGeMAPS statistics (ev_func_level_apply, ev_functionals.h): a recording's gain
 * must not reach a model that asks for them. Real speech from ../shared/reference/opensmile
 * (two files spoken well above eGeMAPS' voicing gate), scaled by -12, -6 and +6 dB and run
 * through the real extractor (ev_functionals_of_file):
 *  - as they are, the level-dependent statistics move (the loudness statistics by the same
 *    factor each, the flux by the amplitude ratio, equivalentSoundLevel_dBp by the gain in dB);
 *  - after ev_func_level_apply, every one of the 88 statistics agrees with the unscaled file's;
 *  - ev_func_level_gain (the trainer's gain augmentation) turns the unscaled file's statistics
 *    into the scaled file's, all 88 of them.
 * Quieter material also moves the voiced statistics, because eGeMAPS' pitch is gated on the
 * 60 ms frame's RMS (openSMILE's threshold): that is printed, not asserted. */
#include "ev_functionals.h"
#include "ev_ref.h"
#include "ev_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const k_loud[] = {"speech_ravdess_a01_angry", "speech_urdu_sm4_angry"};
static const char *const k_quiet[] = {"speech_ravdess_a02_sad", "speech_turev_1984_calm"};
static const double k_gain_db[] = {-12.0, -6.0, 6.0};

static int differs(double a, double b, double rel) {
  return fabs(a - b) > rel * fabs(b) + 1e-6;
}

/* The 88 statistics of reference file `name` played gain_db louder. */
static int file_stats(const char *dir, const char *name, double gain_db, float out[EV_FUNC_N]) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.wav", dir, name);
  size_t n;
  double rate;
  float *x = ev_ref_read_audio(path, &n, &rate);
  EV_CHECK(x != NULL, "%s", path);
  if (!x)
    return -1;
  const float g = (float)pow(10.0, gain_db / 20.0);
  for (size_t i = 0; i < n; i++)
    x[i] *= g;
  char err[256];
  const int rc = ev_functionals_of_file(x, n, rate, out, err, sizeof err);
  EV_CHECK(rc == 0, "%s %+g dB: %s", name, gain_db, err);
  free(x);
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 2)
    EV_SKIP("usage: test_functionals_level OPENSMILE_REFERENCE_DIR");
  ev_func_level lv;
  EV_REQUIRE(ev_func_level_init(&lv, 16000) == 0, "every rewritten statistic has a name");
  const int loud = ev_functionals_index("loudness_sma3_amean"),
            p50 = ev_functionals_index("loudness_sma3_percentile50.0"),
            flux = ev_functionals_index("spectralFlux_sma3_amean"),
            leq = ev_functionals_index("equivalentSoundLevel_dBp");
  for (int fi = 0; fi < 2; fi++) {
    float base[EV_FUNC_N], base_rel[EV_FUNC_N];
    if (file_stats(argv[1], k_loud[fi], 0.0, base) != 0)
      continue;
    for (int i = 0; i < EV_FUNC_N; i++)
      base_rel[i] = base[i];
    ev_func_level_apply(&lv, base_rel);
    for (int gi = 0; gi < 3; gi++) {
      const double gdb = k_gain_db[gi];
      float s[EV_FUNC_N];
      if (file_stats(argv[1], k_loud[fi], gdb, s) != 0)
        continue;
      int moved = 0;
      for (int i = 0; i < EV_FUNC_N; i++)
        moved += differs(s[i], base[i], 0.02);
      printf("%s %+5.1f dB: %d of 88 statistics move by more than 2 %%", k_loud[fi], gdb, moved);
      /* what a gain does to them, from the definitions: the loudness statistics scale together,
       * the flux with the amplitude, Leq by the gain in dB */
      const double k = s[loud] / base[loud];
      EV_CHECK(gdb > 0 ? k > 1.2 : k < 0.85, "%s %+g dB: mean loudness x%.3f", k_loud[fi], gdb, k);
      EV_CHECK_NEAR(s[p50] / base[p50], k, 0.02 * k, "median loudness scales with the mean");
      EV_CHECK_NEAR(s[flux] / base[flux], pow(10.0, gdb / 20.0), 0.02 * pow(10.0, gdb / 20.0),
                    "spectral flux scales with the amplitude");
      EV_CHECK_NEAR(s[leq] - base[leq], gdb, 0.05, "equivalentSoundLevel_dBp moves by the gain");
      EV_CHECK(moved >= 15, "%s %+g dB: only %d statistics move", k_loud[fi], gdb, moved);
      float synth[EV_FUNC_N];
      for (int i = 0; i < EV_FUNC_N; i++)
        synth[i] = base[i];
      ev_func_level_gain(&lv, synth, (float)gdb);
      int off = 0;
      for (int i = 0; i < EV_FUNC_N; i++)
        if (differs(synth[i], s[i], 0.01)) {
          off++;
          printf("\n    gain model %s: %g against %g", ev_functionals_name(i), synth[i], s[i]);
        }
      EV_CHECK(off == 0, "%s %+g dB: %d statistics not as the gain model says", k_loud[fi], gdb,
               off);
      ev_func_level_apply(&lv, s);
      int still = 0;
      for (int i = 0; i < EV_FUNC_N; i++)
        if (differs(s[i], base_rel[i], 0.005)) {
          still++;
          printf("\n    %s: %g against %g", ev_functionals_name(i), s[i], base_rel[i]);
        }
      printf("; level-relative: %d\n", still);
      EV_CHECK(still == 0, "%s %+g dB: %d level-relative statistics still move", k_loud[fi], gdb,
               still);
    }
  }
  for (int fi = 0; fi < 2; fi++) { /* the gap that stays: printed */
    float base[EV_FUNC_N], s[EV_FUNC_N];
    if (file_stats(argv[1], k_quiet[fi], 0.0, base) != 0 ||
        file_stats(argv[1], k_quiet[fi], -6.0, s) != 0)
      continue;
    ev_func_level_apply(&lv, base);
    ev_func_level_apply(&lv, s);
    int still = 0;
    for (int i = 0; i < EV_FUNC_N; i++)
      still += differs(s[i], base[i], 0.02);
    printf("%s -6 dB (quiet: the voicing gate moves): %d level-relative statistics move by more "
           "than 2 %%\n",
           k_quiet[fi], still);
  }
  EV_TEST_END();
}
