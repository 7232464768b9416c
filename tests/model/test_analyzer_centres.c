/* Class centres through the analyser (ev_input.h, "Class centres"): the model's reading of each
 * step reaches its normaliser before the next speech step.
 *
 * A model whose output does not depend on its input (zero weights, the softmax of fixed biases
 * p*) lets the normaliser's mean be worked out by hand: with centres C it tracks the offset of
 * the voice from e = sum_c p*_c C_c, without them the voice itself, and both follow the same
 * recursion (u += a ((x - centre) - u)), so after a stream whose first speech step has no
 * reading yet (its centre is the prior mean m) and whose later ones all have p*,
 *     mu_centres - mu_plain = (m - e) * (1 - prod_{k >= 2} (1 - a_k))
 *                           = (m - e) * (1 - prior_w * (P + 1) / P)
 * with prior_w = prod_k (1 - a_k) the prior's remaining weight (ev_analyzer_get_voice) and
 * a_1 = 1 / (P + 1), P = 50 the shipped prior's weight. Then, with random weights, the stream
 * is the same for every block size and a reset replays it to the bit.
 *
 * The narrowband companion (ev_analyzer_attach_narrowband) hears the same readings: after 30 s
 * of a wide-band voice (the primary answers) and then telephone audio (the companion answers),
 * a companion whose centres all sit at its prior mean reads as one without centres (the
 * offset from e = m is the plain running mean), and one with other centres reads otherwise,
 * which it could not if the primary's readings did not reach its normaliser (e would stay m). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ev_test.h"
#include "ev_layers.h"
#include "analyzer_signal.h"
#include "model_fixture.h"

#define RATE      16000
#define MAX_FRAME 4000
#define PRIOR     50.0

typedef struct record {
  int n;
  float prob[MAX_FRAME][EV_N_EMOTIONS];
} record;

static void on_frame(void *user, const ev_outputs *o) {
  record *r = user;
  if (r->n < MAX_FRAME)
    memcpy(r->prob[r->n], o->prob, sizeof o->prob);
  r->n++;
}

typedef struct voice {
  float mean[64];
  double n_seen, prior_w;
} voice;

/* Streams x through a fresh analyser with model m in blocks of `block` (0: random sizes);
 * the frames' probabilities into r, the normaliser's state at the end into v. With replay the
 * analyser is reset and the stream played again (r and v then hold the second playback). */
static void run(const ev_model *m, const float *x, size_t n, uint32_t block, int replay, record *r,
                voice *v) {
  char err[256];
  ev_analyzer *an = ev_analyzer_new(RATE, 8192, err, sizeof err);
  EV_REQUIRE(an, "analyser: %s", err);
  ev_model_runtime *rt = ev_analyzer_prepare_model(an, m, err, sizeof err);
  EV_REQUIRE(rt, "runtime: %s", err);
  ev_analyzer_swap_model(an, rt);
  ev_analyzer_set_frame_callback(an, on_frame, r);
  uint64_t seed = 99;
  for (int pass = 0; pass <= replay; pass++) {
    if (pass)
      ev_analyzer_reset(an);
    r->n = 0;
    for (size_t i = 0; i < n;) {
      uint32_t b = block;
      if (!b) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        b = 1 + (uint32_t)((seed >> 33) % 3000);
      }
      if (b > n - i)
        b = (uint32_t)(n - i);
      ev_analyzer_process(an, x + i, b);
      i += b;
    }
  }
  const int dims = ev_analyzer_input_dims(an);
  float var[64];
  EV_REQUIRE(dims > 0 && dims <= 64, "%d input dimensions", dims);
  EV_CHECK(ev_analyzer_get_voice(an, dims, v->mean, var, &v->n_seen, &v->prior_w) == 1,
           "the voice's statistics");
  ev_analyzer_swap_model(an, NULL);
  ev_model_runtime_free(rt);
  ev_analyzer_free(an);
}

/* 30 s of a wide-band voice, then three telephone-band passages; the rows' probabilities while
 * the companion answers (a row index into r from where it first did) and their count. */
static long run_companion(const ev_model *primary, const ev_model *companion, record *r) {
  char err[256];
  size_t n1, n2;
  float *wide = make_moving_voice(30.0, RATE, NULL, &n1), *tel = make_signal_band(RATE, 1, &n2);
  float *x = malloc((n1 + 3 * n2) * sizeof *x);
  EV_REQUIRE(wide && tel && x, "signals");
  memcpy(x, wide, n1 * sizeof *x);
  for (int k = 0; k < 3; k++)
    memcpy(x + n1 + (size_t)k * n2, tel, n2 * sizeof *x);
  ev_analyzer *an = ev_analyzer_new(RATE, 8192, err, sizeof err);
  EV_REQUIRE(an, "analyser: %s", err);
  ev_model_runtime *rt = ev_analyzer_prepare_model(an, primary, err, sizeof err);
  EV_REQUIRE(rt && ev_analyzer_attach_narrowband(an, rt, companion, err, sizeof err) == 0,
             "companion: %s", err);
  ev_analyzer_swap_model(an, rt);
  long onset = -1;
  r->n = 0;
  for (size_t i = 0; i < n1 + 3 * n2; i += 64) {
    const uint32_t b = (uint32_t)(n1 + 3 * n2 - i < 64 ? n1 + 3 * n2 - i : 64);
    ev_analyzer_process(an, x + i, b);
    const ev_outputs *o = ev_analyzer_outputs(an);
    if (o->narrowband && onset < 0)
      onset = r->n;
    if (onset >= 0 && r->n < MAX_FRAME)
      memcpy(r->prob[r->n++], o->prob, sizeof o->prob);
  }
  ev_analyzer_swap_model(an, NULL);
  ev_model_runtime_free(rt);
  ev_analyzer_free(an);
  free(wide);
  free(tel);
  free(x);
  return onset >= 0 ? r->n : 0;
}

static double max_diff(const record *a, const record *b) {
  double d = 0.0;
  for (int i = 0; i < a->n && i < b->n; i++)
    for (int k = 0; k < EV_N_EMOTIONS; k++)
      d = fmax(d, fabs((double)a->prob[i][k] - b->prob[i][k]));
  return d;
}

int main(void) {
  (void)fixture_model; /* the header's other builder */
  const ev_norm_config shipped = {EV_NORM_ADAPTIVE, 300.0f, (float)PRIOR, 30.0f, 0,
                                  EV_INPUT_CLAMP,   0.0f};
  const char *arch = "[{\"type\":\"dense\",\"out\":8,\"activation\":\"linear\"},"
                     "{\"type\":\"softmax\"}]";
  ev_model *fixed = fixture_model_norm(arch, "[\"mfcc\",\"rms\"]", 10, EV_NORM_ADAPTIVE, &shipped);
  ev_model *plain = fixture_model_norm(arch, "[\"mfcc\",\"rms\"]", 10, EV_NORM_ADAPTIVE, &shipped);
  EV_REQUIRE(fixed && plain, "fixture models");
  const int D = ev_model_input_dims(fixed), L = ev_model_n_labels(fixed);
  EV_REQUIRE(D <= 64 && L == EV_N_EMOTIONS, "%d dims, %d labels", D, L);
  fixture_randomize(fixed, 0.3f);
  /* zero weights, biases 0.1 k: p*_k = exp(0.1 k) / sum_j exp(0.1 j) whatever the input */
  ev_layer *dense = ev_model_layer_mut(fixed, 0);
  EV_REQUIRE(dense && dense->n_params == 2, "a dense layer with weight and bias");
  memset(dense->params[0].data, 0, dense->params[0].size * sizeof(float));
  double pstar[EV_N_EMOTIONS], z = 0.0;
  for (int k = 0; k < L; k++)
    z += exp(0.1 * k);
  for (int k = 0; k < L; k++) {
    dense->params[1].data[k] = 0.1f * (float)k;
    pstar[k] = exp(0.1 * k) / z;
  }
  memcpy(ev_model_norm_mean(plain), ev_model_norm_mean(fixed), (size_t)D * sizeof(float));
  memcpy(ev_model_norm_std(plain), ev_model_norm_std(fixed), (size_t)D * sizeof(float));
  memcpy(ev_model_params(plain), ev_model_params(fixed), ev_model_n_params(fixed) * sizeof(float));
  float centres[EV_N_EMOTIONS * 64];
  for (int i = 0; i < L * D; i++)
    centres[i] = 2.0f * fixture_uniform();
  char err[256];
  EV_REQUIRE(ev_model_set_norm_centres(fixed, centres, err, sizeof err) == 0, "centres: %s", err);

  size_t n;
  float *x = make_moving_voice(30.0, RATE, NULL, &n);
  EV_REQUIRE(x, "audio");
  static record r, r2;
  voice vc, vp;
  run(fixed, x, n, 64, 0, &r, &vc);
  run(plain, x, n, 64, 0, &r2, &vp);
  EV_CHECK(r.n > 2900, "%d frames", r.n);
  EV_CHECK(fabs(vc.prior_w - vp.prior_w) < 1e-12 && vc.prior_w < 0.2,
           "the same speech steps heard (prior weight %g / %g)", vc.prior_w, vp.prior_w);
  const double share = 1.0 - vc.prior_w * (PRIOR + 1.0) / PRIOR;
  double worst = 0.0, moved = 0.0;
  for (int d = 0; d < D; d++) {
    double e = 0.0;
    for (int k = 0; k < L; k++)
      e += pstar[k] * centres[k * D + d];
    const double m = ev_model_norm_mean(fixed)[d];
    const double want = (m - e) * share, got = (double)vc.mean[d] - vp.mean[d];
    /* float rounding of statistics as large as the raw MFCCs (hundreds) over 300 steps */
    const double err_d = fabs(got - want) / (1.0 + fabs((double)vp.mean[d]));
    worst = err_d > worst ? err_d : worst;
    moved = fabs(got) > moved ? fabs(got) : moved;
  }
  printf("after 30 s: %.0f steps seen, the centres move the mean by up to %.3f; worst error "
         "against the closed form %.2e of the mean's magnitude\n",
         vc.n_seen - PRIOR, moved, worst);
  EV_CHECK(moved > 0.1, "the centres moved the normaliser (%g)", moved);
  /* a reading already at the first step would give (m - e) (1 - prior_w): 2.9e-3 of m - e */
  EV_CHECK(worst < 1e-5, "the normaliser's mean as worked out by hand (worst %.3g)", worst);

  /* a model that listens: random weights, the same centres. Every block size, and a replay
   * after a reset, give the same stream to the bit. */
  ev_model *live = fixture_model_norm(arch, "[\"mfcc\",\"rms\"]", 10, EV_NORM_ADAPTIVE, &shipped);
  EV_REQUIRE(live, "live model");
  fixture_randomize(live, 0.3f);
  EV_REQUIRE(ev_model_set_norm_centres(live, centres, err, sizeof err) == 0, "centres: %s", err);
  run(live, x, n, 64, 0, &r, &vc);
  const uint32_t blocks[] = {1, 7, 1000, 8192, 0};
  for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
    voice vb;
    run(live, x, n, blocks[b], 0, &r2, &vb);
    EV_CHECK(r2.n == r.n && !memcmp(r2.prob, r.prob, sizeof r.prob) &&
                 !memcmp(vb.mean, vc.mean, (size_t)D * sizeof(float)),
             "block %u: the same frames and statistics as block 64", blocks[b]);
  }
  voice vr;
  run(live, x, n, 64, 1, &r2, &vr);
  EV_CHECK(r2.n == r.n && !memcmp(r2.prob, r.prob, sizeof r.prob) &&
               !memcmp(vr.mean, vc.mean, (size_t)D * sizeof(float)),
           "a replay after a reset reads the same");
  free(x);

  /* the companion: a narrowband model with the same inputs, three ways */
  ev_model *comp[3];
  for (int c = 0; c < 3; c++) {
    comp[c] = fixture_model_norm(arch, "[\"mfcc\",\"rms\"]", 10, EV_NORM_ADAPTIVE, &shipped);
    EV_REQUIRE(comp[c], "companion model");
    memcpy(ev_model_norm_mean(comp[c]), ev_model_norm_mean(live), (size_t)D * sizeof(float));
    memcpy(ev_model_norm_std(comp[c]), ev_model_norm_std(live), (size_t)D * sizeof(float));
    memcpy(ev_model_params(comp[c]), ev_model_params(live),
           ev_model_n_params(live) * sizeof(float));
    EV_REQUIRE(ev_model_set_audio_band(comp[c], 4000, err, sizeof err) == 0, "band: %s", err);
  }
  float at_prior[EV_N_EMOTIONS * 64];
  for (int k = 0; k < L; k++)
    memcpy(at_prior + k * D, ev_model_norm_mean(live), (size_t)D * sizeof(float));
  EV_REQUIRE(ev_model_set_norm_centres(comp[1], at_prior, err, sizeof err) == 0 &&
                 ev_model_set_norm_centres(comp[2], centres, err, sizeof err) == 0,
             "companion centres: %s", err);
  static record rc[3];
  long rows[3];
  for (int c = 0; c < 3; c++)
    rows[c] = run_companion(live, comp[c], &rc[c]);
  EV_CHECK(rows[0] > 100 && rows[0] == rows[1] && rows[0] == rows[2],
           "the companion answered the telephone audio (%ld / %ld / %ld rows)", rows[0], rows[1],
           rows[2]);
  const double d_prior = max_diff(&rc[0], &rc[1]), d_centres = max_diff(&rc[0], &rc[2]);
  printf("companion: centres at its prior mean read within %.2e of none; other centres move its "
         "reading by up to %.3f\n",
         d_prior, d_centres);
  EV_CHECK(d_prior < 1e-4, "centres at the prior mean read as none (%.3g)", d_prior);
  EV_CHECK(d_centres > 1e-2, "the primary's readings reached the companion's normaliser (%.3g)",
           d_centres);
  for (int c = 0; c < 3; c++)
    ev_model_free(comp[c]);
  ev_model_free(fixed);
  ev_model_free(plain);
  ev_model_free(live);
  EV_TEST_END();
}
