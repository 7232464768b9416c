/* The eGeMAPS descriptors at 44.1 and 48 kHz host rates against the same speech analysed at
 * 16 kHz (the five openSMILE reference utterances, taken up by the tests' own speexdsp
 * quality-10 resampler): what a DAW user gets vs what a 16 kHz training file gives. The
 * agreement figures are printed and asserted (bounds just outside what was measured). */
#include "ev_features.h"
#include "ev_ref.h"
#include "ev_test.h"
#include "test_resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXR 4096

typedef struct run {
  size_t n;
  float (*lld)[EV_EGEMAPS_N_LLD];
} run;

static void collect(void *user, const ev_frame *fr) {
  run *r = user;
  if ((size_t)fr->index < MAXR) {
    ev_egemaps_lld(fr, r->lld[fr->index]);
    r->n = (size_t)fr->index + 1;
  }
}

static void analyse(const float *x, size_t n, double rate, run *r) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  ev_extractor *ex = ev_extractor_new(&cfg, rate, 4096, NULL, 0);
  ev_extractor_set_features(ex, EV_FEATURE_MASK_EGEMAPS);
  r->n = 0;
  for (size_t i = 0; i < n; i += 4096)
    ev_extractor_process(ex, x + i, (uint32_t)(n - i < 4096 ? n - i : 4096), collect, r);
  ev_extractor_flush(ex, collect, r);
  ev_extractor_free(ex);
}

static double pearson(const double *a, const double *b, int n) {
  double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
  for (int i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  for (int i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : 1.0;
}

static float l16[MAXR][EV_EGEMAPS_N_LLD], lhi[MAXR][EV_EGEMAPS_N_LLD];

static const char *const kNames[EV_EGEMAPS_N_LLD] = {
    "loudness", "alpha_ratio", "hammarberg", "slope_0_500", "slope_500_1500", "flux",    "mfcc1",
    "mfcc2",    "mfcc3",       "mfcc4",      "f0",          "jitter",         "shimmer", "hnr",
    "h1_h2",    "h1_a3",       "f1",         "f1_bw",       "f1_amp",         "f2",      "f2_bw",
    "f2_amp",   "f3",          "f3_bw",      "f3_amp"};

int main(void) {
  const char *lib = getenv("EMOVOX_REFERENCE");
  if (!lib)
    EV_SKIP("EMOVOX_REFERENCE not set");
  static const char *const files[] = {"speech_ravdess_a01_angry", "speech_ravdess_a02_sad",
                                      "speech_tess_yaf_happy", "speech_turev_1984_calm",
                                      "speech_urdu_sm4_angry"};
  const int rates[] = {44100, 48000};
  for (int ri = 0; ri < 2; ri++) {
    /* pooled over the files: frames where both runs are voiced, and every frame */
    int frames = 0, voice_agree = 0, both = 0, f0_close = 0, nspec = 0, nv = 0;
    static double spec16[6][8 * MAXR], spechi[6][8 * MAXR];
    double vq16[5] = {0}, vqhi[5] = {0}, f16[3] = {0}, fhi[3] = {0};
    for (int f = 0; f < 5; f++) {
      char p[1024];
      snprintf(p, sizeof p, "%s/../opensmile/%s.wav", lib, files[f]);
      size_t n = 0, m = 0;
      double rate = 0;
      float *x = ev_ref_read_audio(p, &n, &rate);
      EV_CHECK(x && rate == 16000, "cannot read %s", p);
      if (!x)
        continue;
      float *y = test_resample_from_16k(x, n, rates[ri], &m);
      run r16 = {0, l16}, rhi = {0, lhi};
      analyse(x, n, 16000, &r16);
      analyse(y, m, rates[ri], &rhi);
      size_t t_n = r16.n < rhi.n ? r16.n : rhi.n;
      double loud_max = 0;
      for (size_t t = 0; t < t_n; t++)
        loud_max = fmax(loud_max, l16[t][0]);
      for (size_t t = 0; t < t_n; t++) {
        int v16 = l16[t][10] > 0, vhi = lhi[t][10] > 0;
        frames++;
        voice_agree += v16 == vhi;
        if (l16[t][0] > 0.1 * loud_max && nspec < 8 * MAXR) {
          for (int c = 0; c < 6; c++) {
            spec16[c][nspec] = l16[t][c];
            spechi[c][nspec] = lhi[t][c];
          }
          nspec++;
        }
        if (v16 && vhi) {
          both++;
          f0_close += fabs(l16[t][10] - lhi[t][10]) <= 0.25;
          for (int c = 0; c < 5; c++) {
            vq16[c] += l16[t][11 + c];
            vqhi[c] += lhi[t][11 + c];
          }
          if (l16[t][16] > 0 && lhi[t][16] > 0) {
            for (int k = 0; k < 3; k++) {
              f16[k] += l16[t][16 + 3 * k];
              fhi[k] += lhi[t][16 + 3 * k];
            }
            nv++;
          }
        }
      }
      free(x);
      free(y);
    }
    double va = (double)voice_agree / frames, fc = both ? (double)f0_close / both : 0;
    printf("%d Hz vs 16 kHz, 5 utterances, %d frames:\n", rates[ri], frames);
    printf("  voicing agrees on %.4f of frames; F0 within 0.25 st on %.4f of %d frames both "
           "voiced\n",
           va, fc, both);
    EV_CHECK(va >= 0.99, "%d Hz: voicing agreement %.4f", rates[ri], va);
    EV_CHECK(fc >= 0.99, "%d Hz: F0 within 0.25 st %.4f", rates[ri], fc);
    for (int c = 0; c < 6; c++) {
      double r = pearson(spec16[c], spechi[c], nspec);
      printf("  %-15s r %.5f over %d active frames\n", kNames[c], r, nspec);
      EV_CHECK(r >= 0.999, "%d Hz: %s r %.5f", rates[ri], kNames[c], r);
    }
    for (int c = 0; c < 5; c++) {
      double m16 = vq16[c] / both, mhi = vqhi[c] / both;
      printf("  %-15s mean %.4f vs %.4f (16 kHz)\n", kNames[11 + c], mhi, m16);
    }
    EV_CHECK(fabs(vqhi[0] / vq16[0] - 1) <= 0.05, "jitter means differ by %.3f",
             vqhi[0] / vq16[0] - 1);
    EV_CHECK(fabs(vqhi[1] / vq16[1] - 1) <= 0.05, "shimmer means differ by %.3f",
             vqhi[1] / vq16[1] - 1);
    EV_CHECK(fabs(vqhi[2] - vq16[2]) / both <= 0.1, "HNR means differ by %.3f dB",
             (vqhi[2] - vq16[2]) / both);
    for (int k = 0; k < 3; k++) {
      printf("  F%d mean %.1f vs %.1f Hz over %d frames\n", k + 1, fhi[k] / nv, f16[k] / nv, nv);
      EV_CHECK(fabs(fhi[k] / f16[k] - 1) <= 0.005, "F%d means differ by %.4f", k + 1,
               fhi[k] / f16[k] - 1);
    }
  }
  EV_TEST_END();
}
