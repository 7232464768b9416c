/* Level-relative eGeMAPS statistics (ev_functionals.h, "Level"). */
#include "ev_egemaps_spectral.h"
#include "ev_functionals.h"

#include <math.h>

/* Statistics that scale with the loudness (openSMILE's loudness is a sum of band powers raised
 * to EV_EG_LOUD_POW = 0.33, so a gain multiplies every frame's by the same factor). */
static const char *const k_loudness_scaled[] = {
    "loudness_sma3_percentile20.0",   "loudness_sma3_percentile50.0",
    "loudness_sma3_percentile80.0",   "loudness_sma3_pctlrange0-2",
    "loudness_sma3_meanRisingSlope",  "loudness_sma3_stddevRisingSlope",
    "loudness_sma3_meanFallingSlope", "loudness_sma3_stddevFallingSlope",
};
/* Spectral flux: the RMS change of the magnitude spectrum, proportional to the amplitude. */
static const char *const k_flux[] = {
    "spectralFlux_sma3_amean",
    "spectralFluxV_sma3nz_amean",
    "spectralFluxUV_sma3nz_amean",
};
/* The slope means, their band (0: 0-500 Hz, 1: 500-1500 Hz) and the coefficient of variation
 * that goes with each (none for the unvoiced ones). */
static const struct {
  const char *mean, *cv;
  int band;
} k_slopes[] = {
    {"slopeV0-500_sma3nz_amean", "slopeV0-500_sma3nz_stddevNorm", 0},
    {"slopeV500-1500_sma3nz_amean", "slopeV500-1500_sma3nz_stddevNorm", 1},
    {"slopeUV0-500_sma3nz_amean", NULL, 0},
    {"slopeUV500-1500_sma3nz_amean", NULL, 1},
};

#define N_OF(a) ((int)(sizeof(a) / sizeof(a)[0]))

int ev_func_level_init(ev_func_level *l, int sample_rate) {
  l->loudness = ev_functionals_index("loudness_sma3_amean");
  l->level = ev_functionals_index("equivalentSoundLevel_dBp");
  int ok = l->loudness >= 0 && l->level >= 0;
  for (int i = 0; i < N_OF(k_loudness_scaled); i++)
    ok &= (l->scaled[i] = ev_functionals_index(k_loudness_scaled[i])) >= 0;
  for (int i = 0; i < N_OF(k_flux); i++)
    ok &= (l->flux[i] = ev_functionals_index(k_flux[i])) >= 0;
  for (int i = 0; i < N_OF(k_slopes); i++) {
    ok &= (l->slope[i] = ev_functionals_index(k_slopes[i].mean)) >= 0;
    l->slope_cv[i] = k_slopes[i].cv ? ev_functionals_index(k_slopes[i].cv) : -1;
    ok &= !k_slopes[i].cv || l->slope_cv[i] >= 0;
    l->slope_coef[i] = (float)ev_eg_slope_gain_coef(sample_rate, k_slopes[i].band);
  }
  return ok ? 0 : -1;
}

void ev_func_level_gain(const ev_func_level *l, float f[EV_FUNC_N], float gain_db) {
  const float loud = powf(10.0f, (float)EV_EG_LOUD_POW * gain_db / 10.0f),
              amp = powf(10.0f, gain_db / 20.0f);
  f[l->loudness] *= loud;
  for (int i = 0; i < EV_FUNC_LEVEL_SCALED; i++)
    f[l->scaled[i]] *= loud;
  for (int i = 0; i < EV_FUNC_LEVEL_FLUX; i++)
    f[l->flux[i]] *= amp;
  for (int i = 0; i < EV_FUNC_LEVEL_SLOPES; i++) {
    const float mean = f[l->slope[i]], moved = mean - l->slope_coef[i] * gain_db;
    if (l->slope_cv[i] >= 0) /* the spread stays, its ratio to the mean moves */
      f[l->slope_cv[i]] = moved != 0.0f ? f[l->slope_cv[i]] * mean / moved : 0.0f;
    f[l->slope[i]] = moved;
  }
  f[l->level] += gain_db;
}

void ev_func_level_apply(const ev_func_level *l, float f[EV_FUNC_N]) {
  const float loud = f[l->loudness], db = f[l->level];
  const int have_loud = isfinite(loud) && loud > 1e-12f, have_db = isfinite(db);
  for (int i = 0; i < EV_FUNC_LEVEL_SCALED; i++)
    f[l->scaled[i]] = have_loud ? f[l->scaled[i]] / loud : 0.0f;
  const float amp = have_db ? powf(10.0f, db / 20.0f) : 0.0f;
  for (int i = 0; i < EV_FUNC_LEVEL_FLUX; i++)
    f[l->flux[i]] = amp > 1e-30f ? f[l->flux[i]] / amp : 0.0f;
  for (int i = 0; i < EV_FUNC_LEVEL_SLOPES; i++) {
    const float mean = f[l->slope[i]], rel = have_db ? mean + l->slope_coef[i] * db : 0.0f;
    /* the spread does not move with the level, its ratio to the mean does: keep the spread */
    if (l->slope_cv[i] >= 0)
      f[l->slope_cv[i]] = have_db ? f[l->slope_cv[i]] * mean : 0.0f;
    f[l->slope[i]] = rel;
  }
  f[l->loudness] = 0.0f; /* the level itself is what a fader sets */
  f[l->level] = 0.0f;
}
