/* Input assembly and normalisation against sequences computed by hand (formulas in
 * dsp/include/ev_input.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../ev_test.h"
#include "ev_functionals.h"
#include "ev_input.h"

/* One input (`feature`), stride frames a step, the normalisation's mode and time constant. */
static ev_input_config spec1(ev_norm_mode mode, float tau, int stride, const char *feature) {
  ev_input_config spec;
  memset(&spec, 0, sizeof spec);
  ev_feature_config_default(&spec.features);
  spec.n_inputs = 1;
  spec.inputs[0] = ev_feature_from_name(feature);
  spec.frame_stride = stride;
  spec.norm.mode = mode;
  spec.norm.tau_s = tau;
  return spec;
}

static ev_input *make(ev_norm_mode mode, float tau, float prior_frames, int stride, float mean,
                      float std, const char *feature) {
  static float m[1], s[1];
  m[0] = mean;
  s[0] = std;
  ev_input_config spec = spec1(mode, tau, stride, feature);
  spec.norm.prior_frames = prior_frames;
  char err[256];
  ev_input *in = ev_input_new(&spec, m, s, err, sizeof err);
  EV_CHECK(in != NULL, "ev_input_new: %s", err);
  return in;
}

static float push1(ev_input *in, float x, float rms) {
  const float *y = ev_input_push_vector(in, &x, rms);
  EV_CHECK(y != NULL, "a vector per frame at stride 1");
  return y ? y[0] : NAN;
}

/* ev_input_adapted against closed forms from the documented constants alone (those of the
 * shipped model: prior 50 steps, warmup 30, tau 300 s, steps of 10 frames of 10 ms). While
 * the mean is cumulative (a = 1/n, n = 50 + k) the prior's weight telescopes to 50 / (50 + k),
 * so the share is k / (50 + k); from n = 3000 on (1/n falls below a_min = 1 - exp(-0.1/300),
 * whose inverse is 3000.5) it decays by exp(-0.1/300) per step: after 3000 more steps (300 s)
 * the prior keeps exp(-1) / 60. */
static void adapted_share(void) {
  const float loud = 0.1f, quiet = 1e-4f;
  ev_input_config spec;
  memset(&spec, 0, sizeof spec);
  ev_feature_config_default(&spec.features);
  spec.n_inputs = 1;
  spec.inputs[0] = EV_FEAT_ZCR;
  spec.frame_stride = 10;
  spec.norm = (ev_norm_config){EV_NORM_ADAPTIVE, 300.0f, 50.0f, 30.0f, 0, EV_INPUT_CLAMP, 0.0f};
  const float m0 = 0.0f, s0 = 1.0f;
  char err[256];
  ev_input *in = ev_input_new(&spec, &m0, &s0, err, sizeof err);
  EV_REQUIRE(in, "adapted input: %s", err);
  EV_CHECK(ev_input_adapted(in) == 0.0f, "fresh: cold");
  int k = 0, bad_warm = 0, bad_cum = 0;
  double worst = 0.0;
  float x = 0.25f;
  for (; k < 2950;) {
    for (int f = 0; f < 10; f++, x = -x) /* values do not matter: only the weights */
      ev_input_push_vector(in, &x, loud);
    k++;
    const double got = ev_input_adapted(in);
    if (k <= 30)
      bad_warm += got != 0.0;
    else {
      const double want = (double)k / (50.0 + k), e = fabs(got - want);
      worst = e > worst ? e : worst;
      bad_cum += e > 2e-6;
    }
    if (k == 30 || k == 31 || k == 50)
      printf("adapted after %d speech steps: %.6f\n", k, got);
  }
  EV_CHECK(bad_warm == 0, "%d of the 30 warmup steps read other than 0", bad_warm);
  EV_CHECK(bad_cum == 0, "%d steps differ from k/(50+k) (worst %.3g)", bad_cum, worst);
  EV_CHECK_NEAR(ev_input_speech_steps(in), 2950.0, 0.0, "speech steps");
  /* quiet steps (below the gate) and adaptation off leave the statistics alone */
  const float before = ev_input_adapted(in);
  for (int f = 0; f < 200; f++)
    ev_input_push_vector(in, &x, quiet);
  EV_CHECK(ev_input_adapted(in) == before, "quiet steps do not move it");
  ev_input_set_adapt(in, 0);
  EV_CHECK(ev_input_adapted(in) == 0.0f, "adaptation off reads cold");
  for (int f = 0; f < 200; f++)
    ev_input_push_vector(in, &x, loud);
  ev_input_set_adapt(in, 1);
  EV_CHECK(ev_input_adapted(in) == before, "on again: where it was (%g vs %g)",
           (double)ev_input_adapted(in), (double)before);
  /* the exponential regime: 300 s more */
  for (int s = 0; s < 3000; s++)
    for (int f = 0; f < 10; f++)
      ev_input_push_vector(in, &x, loud);
  EV_CHECK_NEAR(ev_input_adapted(in), 1.0 - exp(-1.0) / 60.0, 2e-6, "after 295 s + 300 s");
  ev_input_reset(in);
  EV_CHECK(ev_input_adapted(in) == 0.0f, "reset: cold");
  /* warm start: the statistics are a voice's; the warmup still counts speech steps */
  const float m1 = 1.0f, v1 = 2.0f;
  ev_input_set_state(in, &m1, &v1, 1000.0);
  EV_CHECK(ev_input_adapted(in) == 0.0f, "warm start inside the warmup: cold");
  for (int f = 0; f < 310; f++)
    ev_input_push_vector(in, &x, loud);
  EV_CHECK(ev_input_adapted(in) == 1.0f, "warm start after the warmup: all the voice's (%g)",
           (double)ev_input_adapted(in));
  /* a model that keeps every dimension on the prior never adapts */
  ev_input_reset(in);
  const float keep = 0.0f, follow = 1.0f;
  ev_input_set_adapt_dims(in, &keep);
  for (int f = 0; f < 1000; f++)
    ev_input_push_vector(in, &x, loud);
  EV_CHECK(ev_input_adapted(in) == 0.0f, "no dimension adapts: cold");
  ev_input_set_adapt_dims(in, &follow);
  EV_CHECK_NEAR(ev_input_adapted(in), 100.0 / 150.0, 2e-6, "the statistics moved meanwhile");
  ev_input_free(in);
  /* global mode: always cold */
  spec.norm.mode = EV_NORM_GLOBAL;
  in = ev_input_new(&spec, &m0, &s0, err, sizeof err);
  EV_REQUIRE(in, "global input: %s", err);
  for (int f = 0; f < 1000; f++)
    ev_input_push_vector(in, &x, loud);
  EV_CHECK(ev_input_adapted(in) == 0.0f, "global: cold");
  ev_input_free(in);
  /* no prior weight, no warmup: the first speech step is all the voice */
  spec.norm = (ev_norm_config){EV_NORM_ADAPTIVE, 300.0f, 0.0f, 0.0f, 0, EV_INPUT_CLAMP, 0.0f};
  in = ev_input_new(&spec, &m0, &s0, err, sizeof err);
  EV_REQUIRE(in, "prior-less input: %s", err);
  for (int f = 0; f < 10; f++)
    ev_input_push_vector(in, &x, loud);
  EV_CHECK(ev_input_adapted(in) == 1.0f, "prior 0: adapted after one step");
  ev_input_free(in);
}

/* Class centres (ev_input.h), by hand. a_min 0.5 (tau = 0.01 s / ln 2), prior mean 0, std 1
 * weighing one step, centres C = {-1, 3}:
 *  no reading yet, x=4: n=2, a=.5, e=0 (the prior), o=.5*4=2, mu=2, d=4, v=.5*(1+.5*16)=4.5
 *  reading (.25,.75): e=2; x=4: n=3, a=.5, o=2+.5*((4-2)-2)=2, mu=2, d=2, v=.5*(4.5+2)=3.25
 *  reading (0,1): e=3; x=5: o=2+.5*((5-3)-2)=2, mu=2, d=3, v=.5*(3.25+4.5)=3.875
 * and the same first step with no centres gives the same mu and v (the prior is the centre). */
static void class_centres(void) {
  const float loud = 0.1f;
  const float centres[2] = {-1.0f, 3.0f};
  ev_input *in = make(EV_NORM_ADAPTIVE, (float)(0.01 / log(2.0)), 1.0f, 1, 0.0f, 1.0f, "zcr");
  ev_input *plain = make(EV_NORM_ADAPTIVE, (float)(0.01 / log(2.0)), 1.0f, 1, 0.0f, 1.0f, "zcr");
  EV_REQUIRE(in && plain, "inputs");
  char err[256];
  EV_CHECK(ev_input_n_centres(in) == 0, "no centres by default");
  const float nan_c[2] = {0.0f, NAN};
  EV_CHECK(ev_input_set_centres(in, nan_c, 2, err, sizeof err) != 0 && strstr(err, "finite"),
           "a NaN centre refused: %s", err);
  EV_CHECK(ev_input_set_centres(in, centres, 0, err, sizeof err) != 0 &&
               ev_input_set_centres(in, centres, EV_INPUT_MAX_CLASSES + 1, err, sizeof err) != 0,
           "0 or too many classes refused: %s", err);
  EV_REQUIRE(ev_input_set_centres(in, centres, 2, err, sizeof err) == 0, "set: %s", err);
  EV_CHECK(ev_input_n_centres(in) == 2, "two centres");
  EV_CHECK_NEAR(push1(in, 4.0f, loud), 2.0 / sqrt(4.5), 1e-6, "no reading yet: y");
  EV_CHECK_NEAR(push1(plain, 4.0f, loud), 2.0 / sqrt(4.5), 1e-6, "no centres: the same y");
  EV_CHECK_NEAR(ev_input_mean(in)[0], 2.0, 1e-6, "no reading yet: mu");
  const float r1[2] = {0.25f, 0.75f};
  ev_input_set_posterior(in, r1, 2);
  EV_CHECK_NEAR(push1(in, 4.0f, loud), 2.0 / sqrt(3.25), 1e-6, "reading (.25, .75): y");
  EV_CHECK_NEAR(ev_input_mean(in)[0], 2.0, 1e-6, "reading (.25, .75): mu");
  EV_CHECK_NEAR(ev_input_var(in)[0], 3.25, 1e-5, "reading (.25, .75): v");
  /* readings that are no probabilities change nothing; the wrong count is ignored */
  const float junk[2] = {NAN, -1.0f}, three[3] = {1.0f, 0.0f, 0.0f}, r2[2] = {0.0f, 2.0f};
  ev_input_set_posterior(in, junk, 2);
  ev_input_set_posterior(in, three, 3);
  ev_input_set_posterior(in, r2, 2); /* 2 is no probability: counts 0, so all zero: ignored */
  const float r3[2] = {0.0f, 1.0f};
  ev_input_set_posterior(in, r3, 2);
  EV_CHECK_NEAR(push1(in, 5.0f, loud), 3.0 / sqrt(3.875), 1e-6, "reading (0, 1): y");
  EV_CHECK_NEAR(ev_input_mean(in)[0], 2.0, 1e-6, "reading (0, 1): mu");
  /* a warm start sets the offset from the same centre (o = mu - prior = 1) and keeps the
   * reading (0, 1): x=5: n=4, a=.5, o=1+.5*((5-3)-1)=1.5 */
  const float m1 = 1.0f, v1 = 9.0f;
  ev_input_set_state(in, &m1, &v1, 3.0);
  push1(in, 5.0f, loud);
  EV_CHECK_NEAR(ev_input_mean(in)[0], 1.5, 1e-6, "warm start: the offset from mu");
  /* a reset forgets the reading: the next step is the plain one again */
  ev_input_reset(in);
  ev_input_reset(plain);
  for (int k = 0; k < 5; k++) {
    const float x = (float)(k * 3 % 7) - 2.0f;
    const float a = push1(in, x, loud), b = push1(plain, x, loud);
    EV_CHECK(fabsf(a - b) <= 1e-6f, "after a reset, no reading: as without centres (step %d)", k);
  }
  ev_input_free(plain);
  ev_input_free(in);

  /* What they are for: a voice 0.5 above the training's, heard for 10 minutes in the emotion
   * whose centre is 2 (prior 0, std 1, the shipped model's prior 50 steps, warmup 30 and tau
   * 300 s; steps of 10 frames). Without centres the normaliser learns the emotion as the
   * voice's usual and reads it at 0; with them, and the model hearing that emotion, mu learns
   * the voice's offset 0.5 and the emotion stays (x - mu = 2 against the voice's spread). */
  ev_input_config spec = spec1(EV_NORM_ADAPTIVE, 300.0f, 10, "zcr");
  spec.norm.prior_frames = 50.0f;
  spec.norm.warmup_frames = 30.0f;
  const float m0 = 0.0f, s0 = 1.0f, two[2] = {0.0f, 2.0f}, heard[2] = {0.0f, 1.0f};
  ev_input *with = ev_input_new(&spec, &m0, &s0, err, sizeof err);
  ev_input *without = ev_input_new(&spec, &m0, &s0, err, sizeof err);
  EV_REQUIRE(with && without, "10-minute inputs: %s", err);
  EV_REQUIRE(ev_input_set_centres(with, two, 2, err, sizeof err) == 0, "centres: %s", err);
  float yw = 0.0f, yo = 0.0f;
  for (int step = 0; step < 6000; step++) {
    ev_input_set_posterior(with, heard, 2);
    for (int f = 0; f < 10; f++) {
      const float x = 2.5f + 0.1f * (float)((f + step) % 3 - 1); /* a little movement */
      const float *a = ev_input_push_vector(with, &x, loud);
      const float *b = ev_input_push_vector(without, &x, loud);
      if (a && b) {
        yw = a[0];
        yo = b[0];
      }
    }
  }
  printf("one emotion for 10 min: mu %.3f (centres) / %.3f (none), y %.3f / %.3f\n",
         (double)ev_input_mean(with)[0], (double)ev_input_mean(without)[0], (double)yw, (double)yo);
  EV_CHECK_NEAR(ev_input_mean(with)[0], 0.5, 0.02, "with centres mu learns the voice's offset");
  EV_CHECK_NEAR(ev_input_mean(without)[0], 2.5, 0.02, "without, the emotion as its usual");
  EV_CHECK(yw > 0.9f && fabsf(yo) < 0.5f, "the emotion kept (%g) / normalised away (%g)",
           (double)yw, (double)yo);
  ev_input_free(with);
  ev_input_free(without);
}

/* norm.centre_confidence c = 0.5 on class_centres' setting (a_min = .5, prior 1 step, prior
 * mean 0 and std 1, centres {-1, 3}); w = clamp((p_max - c) / (1 - c), 0, 1) weighs the
 * offset's step, v moves as before:
 *  no reading yet, x=4: w=1 (the prior is the centre): o=2, mu=2, v=4.5
 *  reading (.25,.75): w=.5, e=2; x=6: o=2+.5*.5*((6-2)-2)=2.5, mu=2.5, d=4, v=.5*(4.5+8)=6.25
 *  reading (.5,.5), at c: w=0; x=0: o and mu stay 2.5, d=-2.5, v=.5*(6.25+.5*6.25)=4.6875
 *  reading (0,1): w=1, e=3; x=5: o=2.5+.5*((5-3)-2.5)=2.25
 * and with c = 0 the second step moves o fully (to 3), as class_centres' formulas say. */
static void centre_confidence(void) {
  const float loud = 0.1f, centres[2] = {-1.0f, 3.0f}, m0 = 0.0f, s1 = 1.0f;
  char err[256];
  ev_input_config spec = spec1(EV_NORM_ADAPTIVE, (float)(0.01 / log(2.0)), 1, "zcr");
  spec.norm.prior_frames = 1.0f;
  ev_input *off = ev_input_new(&spec, &m0, &s1, err, sizeof err);
  spec.norm.centre_confidence = 0.5f;
  ev_input *in = ev_input_new(&spec, &m0, &s1, err, sizeof err);
  EV_REQUIRE(in && off, "inputs: %s", err);
  EV_REQUIRE(ev_input_set_centres(in, centres, 2, err, sizeof err) == 0 &&
                 ev_input_set_centres(off, centres, 2, err, sizeof err) == 0,
             "centres: %s", err);
  push1(in, 4.0f, loud);
  push1(off, 4.0f, loud);
  EV_CHECK_NEAR(ev_input_mean(in)[0], 2.0, 1e-6, "no reading yet: the full step");
  const float r1[2] = {0.25f, 0.75f}, r2[2] = {0.5f, 0.5f}, r3[2] = {0.0f, 1.0f};
  ev_input_set_posterior(in, r1, 2);
  ev_input_set_posterior(off, r1, 2);
  EV_CHECK_NEAR(push1(in, 6.0f, loud), 3.5 / 2.5, 1e-6, "reading (.25, .75): y");
  EV_CHECK_NEAR(ev_input_mean(in)[0], 2.5, 1e-6, "reading (.25, .75): half a step");
  EV_CHECK_NEAR(ev_input_var(in)[0], 6.25, 1e-5, "reading (.25, .75): v as before");
  push1(off, 6.0f, loud);
  EV_CHECK_NEAR(ev_input_mean(off)[0], 3.0, 1e-6, "c = 0: the full step");
  ev_input_set_posterior(in, r2, 2);
  EV_CHECK_NEAR(push1(in, 0.0f, loud), -2.5 / sqrt(4.6875), 1e-6, "a reading at c: y");
  EV_CHECK_NEAR(ev_input_mean(in)[0], 2.5, 1e-6, "a reading at c teaches the offset nothing");
  EV_CHECK_NEAR(ev_input_var(in)[0], 4.6875, 1e-5, "a reading at c: v still moves");
  ev_input_set_posterior(in, r3, 2);
  push1(in, 5.0f, loud);
  EV_CHECK_NEAR(ev_input_mean(in)[0], 2.25, 1e-6, "a certain reading: the full step");
  ev_input_free(in);
  ev_input_free(off);
  const float bad[] = {-0.1f, 1.0f, NAN};
  for (int k = 0; k < 3; k++) {
    spec.norm.centre_confidence = bad[k];
    EV_CHECK(ev_input_new(&spec, &m0, &s1, err, sizeof err) == NULL &&
                 strstr(err, "centre_confidence"),
             "centre_confidence %g refused: %s", (double)bad[k], err);
  }
}

int main(void) {
  const float loud = 0.1f, quiet = 1e-4f; /* -20 dBFS and -80 dBFS vs the -50 dB gate */
  class_centres();
  centre_confidence();

  /* Sequence 1: tau chosen so a_min = 1 - exp(-ln 2) = 0.5 (step 10 ms); prior mean 0,
   * std 2 (var 4), prior_frames 1.
   *  x=4 speech: n=2, a=max(1/2,.5)=.5, d=4, mu=2, v=.5*(4+.5*16)=6, y=2/sqrt(6)
   *  x=4 quiet:  no update,           y=2/sqrt(6)
   *  x=-2 speech: n=3, a=max(1/3,.5)=.5, d=-4, mu=0, v=.5*(6+.5*16)=7, y=-2/sqrt(7) */
  ev_input *in = make(EV_NORM_ADAPTIVE, (float)(0.01 / log(2.0)), 1.0f, 1, 0.0f, 2.0f, "zcr");
  if (!in)
    EV_TEST_END();
  EV_CHECK_NEAR(push1(in, 4.0f, loud), 2.0 / sqrt(6.0), 1e-6, "seq1 step1");
  EV_CHECK(ev_input_last_speech(in) == 1, "loud step is speech");
  EV_CHECK_NEAR(ev_input_mean(in)[0], 2.0, 1e-6, "seq1 mu1");
  EV_CHECK_NEAR(ev_input_var(in)[0], 6.0, 1e-5, "seq1 v1");
  EV_CHECK_NEAR(push1(in, 4.0f, quiet), 2.0 / sqrt(6.0), 1e-6, "seq1 step2 (not speech)");
  EV_CHECK(ev_input_last_speech(in) == 0, "quiet step is not speech");
  EV_CHECK_NEAR(push1(in, -2.0f, loud), -2.0 / sqrt(7.0), 1e-6, "seq1 step3");
  /* NaN: output 0 and no update */
  EV_CHECK_NEAR(push1(in, NAN, loud), 0.0, 0.0, "NaN gives 0");
  EV_CHECK_NEAR(ev_input_mean(in)[0], 0.0, 1e-6, "NaN does not move mu");
  EV_CHECK_NEAR(ev_input_var(in)[0], 7.0, 1e-5, "NaN does not move v");
  EV_CHECK_NEAR(push1(in, INFINITY, loud), 0.0, 0.0, "Inf gives 0");

  /* Warm start (per-speaker statistics): set mu=1, v=9 as if 3 steps were seen (n=3), then
   *  x=5 speech: n=4, a=max(1/4,.5)=.5, d=4, mu=3, v=.5*(9+.5*16)=8.5, y=2/sqrt(8.5)
   * and a NaN mean falls back to the prior for that dimension. */
  {
    const float m1 = 1.0f, v1 = 9.0f;
    ev_input_set_state(in, &m1, &v1, 3.0);
    EV_CHECK_NEAR(ev_input_mean(in)[0], 1.0, 0.0, "warm start mu");
    EV_CHECK_NEAR(push1(in, 5.0f, loud), 2.0 / sqrt(8.5), 1e-6, "warm start step");
    EV_CHECK_NEAR(ev_input_var(in)[0], 8.5, 1e-5, "warm start v");
    const float bad = NAN;
    ev_input_set_state(in, &bad, &v1, 3.0);
    EV_CHECK_NEAR(ev_input_mean(in)[0], 0.0, 0.0, "NaN warm start falls back to the prior mean");
    EV_CHECK_NEAR(ev_input_var(in)[0], 4.0, 0.0, "and the prior variance");
  }
  /* adapt off: the prior (mean 0, std 2) */
  ev_input_set_adapt(in, 0);
  EV_CHECK_NEAR(push1(in, 3.0f, loud), 1.5, 1e-6, "adapt off uses the prior");
  ev_input_set_adapt(in, 1);
  /* reset: back to the prior */
  ev_input_reset(in);
  EV_CHECK_NEAR(ev_input_mean(in)[0], 0.0, 0.0, "reset mu");
  EV_CHECK_NEAR(ev_input_var(in)[0], 4.0, 1e-6, "reset v");
  ev_input_free(in);

  /* Sequence 2: tau huge (a_min ~ 1e-6), prior mean 1, std 1, prior_frames 0: cumulative.
   *  x=3: n=1, a=1, mu=3, v=0 -> sigma floor 0.1*1: y=0
   *  x=5: n=2, a=.5, d=2, mu=4, v=.5*(0+.5*4)=1, y=1
   *  x=1: n=3, a=1/3, d=-3, mu=3, v=2/3*(1+9/3)=8/3, y=-2/sqrt(8/3) */
  in = make(EV_NORM_ADAPTIVE, 10000.0f, 0.0f, 1, 1.0f, 1.0f, "zcr");
  EV_CHECK_NEAR(push1(in, 3.0f, loud), 0.0, 1e-6, "seq2 step1");
  EV_CHECK_NEAR(push1(in, 5.0f, loud), 1.0, 1e-5, "seq2 step2");
  EV_CHECK_NEAR(push1(in, 1.0f, loud), -2.0 / sqrt(8.0 / 3.0), 1e-5, "seq2 step3");
  /* a constant feature: v decays toward 0, sigma stays at the floor, y stays finite */
  float y = 0;
  for (int i = 0; i < 2000; i++)
    y = push1(in, 2.0f, loud);
  EV_CHECK(isfinite(y) && fabsf(y) <= 1000.0f, "constant input stays finite: %g", (double)y);
  ev_input_free(in);

  /* Warmup (warmup_frames 2): prior mean 0, std 1 weighing one step, no forgetting. The first
   * two speech steps read the prior, y = x; the statistics still take them in, so the third
   * reads the pooled statistics of the prior's pseudo-step and the three values (closed form:
   * mu = 9 / 4, var = (1 + 27) / 4 - mu^2). A quiet step does not count toward the warmup. */
  {
    ev_input_config spec;
    memset(&spec, 0, sizeof spec);
    ev_feature_config_default(&spec.features);
    spec.n_inputs = 1;
    spec.inputs[0] = EV_FEAT_ZCR;
    spec.frame_stride = 1;
    spec.norm = (ev_norm_config){EV_NORM_ADAPTIVE, 10000.0f, 1.0f, 2.0f, 0, EV_INPUT_CLAMP, 0.0f};
    const float m0 = 0.0f, s0 = 1.0f;
    char err[256];
    in = ev_input_new(&spec, &m0, &s0, err, sizeof err);
    EV_REQUIRE(in, "warmup input: %s", err);
    EV_CHECK_NEAR(push1(in, 3.0f, loud), 3.0, 1e-6, "warmup step 1 reads the prior");
    EV_CHECK_NEAR(push1(in, 3.0f, quiet), 3.0, 1e-6, "a quiet step reads the prior");
    EV_CHECK_NEAR(push1(in, 3.0f, loud), 3.0, 1e-6, "warmup step 2 reads the prior");
    const double mu = 9.0 / 4.0, var = 28.0 / 4.0 - mu * mu;
    EV_CHECK_NEAR(push1(in, 3.0f, loud), (3.0 - mu) / sqrt(var), 1e-5, "adapted after warmup");
    ev_input_reset(in);
    EV_CHECK_NEAR(push1(in, 3.0f, loud), 3.0, 1e-6, "a reset starts the warmup again");
    ev_input_free(in);
  }

  /* Global mode ignores speech and adaptation: y = (x - mean) / std */
  in = make(EV_NORM_GLOBAL, 1.0f, 10.0f, 1, 0.5f, 0.25f, "zcr");
  EV_CHECK_NEAR(push1(in, 1.0f, loud), 2.0, 1e-6, "global");
  EV_CHECK_NEAR(push1(in, 1.0f, loud), 2.0, 1e-6, "global does not adapt");
  ev_input_free(in);

  /* Stride 3: averages three frames (x and rms), one vector per three frames. */
  in = make(EV_NORM_GLOBAL, 1.0f, 10.0f, 3, 0.0f, 1.0f, "zcr");
  float v1 = 1.0f, v2 = 2.0f, v3 = 6.0f;
  EV_CHECK(ev_input_push_vector(in, &v1, loud) == NULL, "stride 3: no vector after 1 frame");
  EV_CHECK(ev_input_push_vector(in, &v2, loud) == NULL, "stride 3: no vector after 2 frames");
  const float *o = ev_input_push_vector(in, &v3, loud);
  EV_CHECK(o && fabsf(o[0] - 3.0f) < 1e-6f, "stride 3 average = 3");
  ev_input_free(in);

  /* Assembly from an ev_frame: features in the model's order, prior floor on std 0. */
  ev_input_config spec;
  memset(&spec, 0, sizeof spec);
  ev_feature_config_default(&spec.features);
  spec.n_inputs = 2;
  spec.inputs[0] = EV_FEAT_RMS;
  spec.inputs[1] = EV_FEAT_CHROMA;
  spec.frame_stride = 1;
  spec.norm.mode = EV_NORM_GLOBAL;
  spec.norm.tau_s = 1.0f;
  float mean[13] = {0}, std[13];
  for (int i = 0; i < 13; i++)
    std[i] = 1.0f;
  std[0] = 0.0f; /* floored to 1e-6 */
  char err[256];
  in = ev_input_new(&spec, mean, std, err, sizeof err);
  EV_CHECK(in && ev_input_dims(in) == 13, "rms + chroma = 13 dims");
  if (in) {
    float rms = 1e-6f, chroma[12];
    for (int i = 0; i < 12; i++)
      chroma[i] = (float)i;
    ev_frame fr;
    memset(&fr, 0, sizeof fr);
    fr.feat[EV_FEAT_RMS] = &rms;
    fr.feat[EV_FEAT_CHROMA] = chroma;
    o = ev_input_push(in, &fr);
    EV_CHECK(o != NULL, "vector");
    if (o) {
      EV_CHECK_NEAR(o[0], 1.0, 1e-5, "rms first, std floored at 1e-6");
      for (int i = 0; i < 12; i++)
        EV_CHECK_NEAR(o[1 + i], i, 1e-6, "chroma in order");
    }
  }
  ev_input_free(in);

  /* Dimensions kept off adaptation (a model's norm.adapt): sequence 1 again through two
   * instances, one whose only dimension follows the voice (mask 1: the adaptive values worked
   * out above) and one that keeps it on the prior (mask 0: (x - 0) / 2 at every step, however
   * much speech was heard); NULL restores adaptation. */
  ev_input *on = make(EV_NORM_ADAPTIVE, (float)(0.01 / log(2.0)), 1.0f, 1, 0.0f, 2.0f, "zcr");
  ev_input *off = make(EV_NORM_ADAPTIVE, (float)(0.01 / log(2.0)), 1.0f, 1, 0.0f, 2.0f, "zcr");
  if (on && off) {
    const float follow = 1.0f, keep = 0.0f;
    ev_input_set_adapt_dims(on, &follow);
    ev_input_set_adapt_dims(off, &keep);
    EV_CHECK_NEAR(push1(on, 4.0f, loud), 2.0 / sqrt(6.0), 1e-6, "mask 1 adapts (step 1)");
    EV_CHECK_NEAR(push1(on, -2.0f, loud), -2.0 / sqrt(7.0), 1e-6, "mask 1 adapts (step 2)");
    EV_CHECK_NEAR(push1(off, 4.0f, loud), 2.0, 1e-6, "mask 0 reads the prior (step 1)");
    EV_CHECK_NEAR(push1(off, -2.0f, loud), -1.0, 1e-6, "mask 0 reads the prior (step 2)");
    for (int k = 0; k < 50; k++)
      push1(off, 3.0f, loud);
    EV_CHECK_NEAR(push1(off, 3.0f, loud), 1.5, 1e-6, "mask 0 after 51 speech steps of 3");
    ev_input_set_adapt_dims(off, NULL);
    EV_CHECK(fabs(push1(off, 3.0f, loud)) < 0.05, "mask NULL: the voice's own level reads ~0");
  }
  ev_input_free(on);
  ev_input_free(off);

  /* "level": "relative": each frame's egemaps_func statistics go through ev_func_level_apply
   * before the stride average (its effect on real audio: test_functionals_level); the raw
   * frame (what the trainer caches) stays as given, and the inputs after it are untouched. */
  {
    ev_input_config lc;
    memset(&lc, 0, sizeof lc);
    ev_feature_config_default(&lc.features);
    lc.n_inputs = 2;
    lc.inputs[0] = EV_FEAT_RMS;
    lc.inputs[1] = EV_FEAT_EGEMAPS_FUNC;
    lc.frame_stride = 2;
    lc.norm.mode = EV_NORM_GLOBAL;
    lc.norm.tau_s = 1.0f;
    lc.norm.level_relative = 1;
    float zero[1 + EV_FUNC_N] = {0}, one[1 + EV_FUNC_N], f1[1 + EV_FUNC_N], f2[1 + EV_FUNC_N];
    for (int i = 0; i <= EV_FUNC_N; i++) {
      one[i] = 1.0f;
      f1[i] = 0.5f + 0.01f * (float)i; /* loudness 0.6, Leq 1.37: every reference usable */
      f2[i] = 2.0f * f1[i];
    }
    in = ev_input_new(&lc, zero, one, err, sizeof err);
    EV_REQUIRE(in, "relative level: %s", err);
    EV_CHECK(ev_input_push_vector(in, f1, loud) == NULL, "stride 2: first frame");
    o = ev_input_push_vector(in, f2, loud);
    EV_REQUIRE(o, "relative level: a vector after two frames");
    ev_func_level lv;
    EV_REQUIRE(ev_func_level_init(&lv, lc.features.sample_rate) == 0, "level init");
    float r1[EV_FUNC_N], r2[EV_FUNC_N];
    memcpy(r1, f1 + 1, sizeof r1);
    memcpy(r2, f2 + 1, sizeof r2);
    ev_func_level_apply(&lv, r1);
    ev_func_level_apply(&lv, r2);
    EV_CHECK_NEAR(o[0], 0.5 * (f1[0] + f2[0]), 1e-6, "rms is not an eGeMAPS statistic");
    int same = 1, moved = 0;
    for (int i = 0; i < EV_FUNC_N; i++) {
      same &= fabsf(o[1 + i] - 0.5f * (r1[i] + r2[i])) <= 1e-5f * (1.0f + fabsf(o[1 + i]));
      moved += fabsf(o[1 + i] - 0.5f * (f1[1 + i] + f2[1 + i])) > 1e-4f;
    }
    EV_CHECK(same, "each frame made relative, then averaged");
    EV_CHECK(moved == 19, "the 19 level statistics rewritten (%d)", moved);
    ev_frame fr;
    memset(&fr, 0, sizeof fr);
    fr.feat[EV_FEAT_RMS] = f1;
    fr.feat[EV_FEAT_EGEMAPS_FUNC] = f1 + 1;
    ev_input_push(in, &fr);
    EV_CHECK(!memcmp(ev_input_raw(in), f1, sizeof f1),
             "the raw frame stays as the extractor gave it");
    ev_input_free(in);
    lc.inputs[1] = EV_FEAT_MFCC;
    EV_CHECK(ev_input_new(&lc, zero, one, err, sizeof err) == NULL && strstr(err, "egemaps_func"),
             "relative level without egemaps_func: %s", err);
  }
  adapted_share();
  /* The clamp: |y| at most norm.clamp (a robust-norm model's 10; 0, a zeroed config, and the
   * default mean 1000); values inside pass unchanged; a clamp above 1000 or negative is refused. */
  {
    ev_input_config cc = spec1(EV_NORM_GLOBAL, 1.0f, 1, "zcr");
    const float m0 = 0.0f, s1 = 1.0f;
    char err2[256];
    const float clamps[] = {10.0f, 0.0f, EV_INPUT_CLAMP};
    const double want_hi[] = {10.0, 1000.0, 1000.0};
    for (int k = 0; k < 3; k++) {
      cc.norm.clamp = clamps[k];
      ev_input *ci = ev_input_new(&cc, &m0, &s1, err2, sizeof err2);
      EV_CHECK(ci != NULL, "clamp %g: %s", clamps[k], err2);
      if (!ci)
        continue;
      EV_CHECK_NEAR(push1(ci, 3.5f, loud), 3.5, 0.0, "inside the clamp: unchanged");
      EV_CHECK_NEAR(push1(ci, 5000.0f, loud), want_hi[k], 0.0, "clamped above");
      EV_CHECK_NEAR(push1(ci, -5000.0f, loud), -want_hi[k], 0.0, "clamped below");
      ev_input_free(ci);
    }
    /* adaptive, a_min 0.5 (as sequence 1), prior mean 0, std 1 weighing one step: a step at
     * 1e6 moves the statistics as a step 10 deviations out would with clamp 10 (d = 10:
     * mu = 5, v = 0.5 * (1 + 0.5 * 100) = 25.5), and all the way with the default (d = 1e6) */
    for (int k = 0; k < 2; k++) {
      ev_input_config ac = spec1(EV_NORM_ADAPTIVE, (float)(0.01 / log(2.0)), 1, "zcr");
      ac.norm.prior_frames = 1.0f;
      ac.norm.clamp = k ? EV_INPUT_CLAMP : 10.0f;
      ev_input *ai = ev_input_new(&ac, &m0, &s1, err2, sizeof err2);
      EV_REQUIRE(ai != NULL, "adaptive clamp: %s", err2);
      const double y = push1(ai, 1e6f, loud);
      if (!k) {
        EV_CHECK_NEAR(ev_input_mean(ai)[0], 5.0, 1e-6, "clamp 10: mu moves by a * 10 sd");
        EV_CHECK_NEAR(ev_input_var(ai)[0], 25.5, 1e-5, "clamp 10: v as for d = 10");
        EV_CHECK_NEAR(y, 10.0, 0.0, "clamp 10: the output clamped");
      } else {
        EV_CHECK_NEAR(ev_input_mean(ai)[0], 5e5, 1e-1, "default clamp: mu moves all the way");
        EV_CHECK_NEAR(y, (1e6 - 5e5) / sqrt(0.5 * (1.0 + 0.5 * 1e12)), 1e-4,
                      "default clamp: the plain update");
      }
      ev_input_free(ai);
    }
    const float bad[] = {-1.0f, 1001.0f, NAN};
    for (int k = 0; k < 3; k++) {
      cc.norm.clamp = bad[k];
      EV_CHECK(ev_input_new(&cc, &m0, &s1, err2, sizeof err2) == NULL && strstr(err2, "clamp"),
               "clamp %g refused: %s", bad[k], err2);
    }
  }

  EV_TEST_END();
}
