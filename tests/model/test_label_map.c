/* A model with fewer labels than the 8 canonical ones, through a weight file and the streaming
 * analyser: its labels land on their canonical slots by name, whatever their order in the
 * file, and the emotions it lacks read exactly 0.
 *  - constant model: 4 labels in the file order angry, neutral, sad, happy; zero weights and
 *    biases log 4, log 1, log 3, log 2, so its softmax is 0.4, 0.1, 0.3, 0.2 whatever it hears.
 *    During speech the analyser must give neutral 0.1, happy 0.2, sad 0.3, angry 0.4, the other
 *    four 0, dominant angry with confidence 0.4, and arousal/valence the circumplex sums;
 *  - random model with the same labels: its outputs move with the signal, yet in every speech
 *    frame calm, fearful, disgust and surprised are exactly 0 and the four present ones sum to
 *    1; before the first speech every probability is 0;
 *  - the constant model again with the labels spelt as other corpora spell them (anger,
 *    neutrality, sadness, joy): the same canonical outputs, so a weight file made elsewhere
 *    loses none of its outputs. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ev_test.h"
#include "analyzer_signal.h"
#include "ev_analyzer.h"
#include "ev_model.h"

/* Deterministic weights in [-scale, scale) and a prior that keeps the inputs in range. */
static void randomize(ev_model *m, float scale) {
  uint64_t r = 12345;
  float *w = ev_model_params(m);
  for (size_t i = 0; i < ev_model_n_params(m); i++) {
    r = r * 6364136223846793005ULL + 1442695040888963407ULL;
    w[i] = scale * (float)((double)(r >> 11) / 4503599627370496.0 - 1.0);
  }
  for (int i = 0; i < ev_model_input_dims(m); i++) {
    ev_model_norm_mean(m)[i] = 0.0f;
    ev_model_norm_std(m)[i] = 1.0f;
  }
}

static const char *const labels[4] = {"angry", "neutral", "sad", "happy"};
static const char *const alias_labels[4] = {"anger", "neutrality", "sadness", "joy"};
static const int file_order[4] = {EV_ANGRY, EV_NEUTRAL, EV_SAD, EV_HAPPY};
static const int absent[4] = {EV_CALM, EV_FEARFUL, EV_DISGUST, EV_SURPRISED};
static const int present[4] = {EV_NEUTRAL, EV_HAPPY, EV_SAD, EV_ANGRY};

/* A 4-label model, written to a safetensors buffer and loaded back (labels from the file);
 * names[i] must land on the canonical slot expect[i]. */
static ev_model *four_label_model(const char *arch, int constant, const char *const names[4],
                                  const int expect[4]) {
  char err[512];
  ev_layer_config layers[EV_MODEL_MAX_LAYERS];
  int n = ev_model_parse_architecture(arch, layers, EV_MODEL_MAX_LAYERS, 4, err, sizeof err);
  EV_CHECK(n > 0, "architecture: %s", err);
  ev_model_desc d;
  memset(&d, 0, sizeof d);
  d.name = "four";
  ev_feature_config_default(&d.input.features);
  d.input.n_inputs =
      ev_model_parse_inputs("[\"mfcc\",\"rms\"]", d.input.inputs, EV_FEAT_COUNT, err, sizeof err);
  d.input.frame_stride = 2;
  d.n_layers = n;
  d.layers = layers;
  d.n_labels = 4;
  d.labels = names;
  ev_norm_config_default(&d.input.norm);
  ev_model *m = n > 0 ? ev_model_create(&d, err, sizeof err) : NULL;
  EV_CHECK(m != NULL, "create: %s", err);
  if (!m)
    return NULL;
  randomize(m, 0.5f);
  if (constant) {
    ev_layer *l = ev_model_layer_mut(m, 0);
    for (int p = 0; p < l->n_params; p++) {
      ev_param *pr = &l->params[p];
      for (size_t k = 0; k < pr->size; k++)
        pr->data[k] = 0.0f;
      if (!strcmp(pr->name, "bias")) {
        pr->data[0] = logf(4.0f); /* angry */
        pr->data[1] = logf(1.0f); /* neutral */
        pr->data[2] = logf(3.0f); /* sad */
        pr->data[3] = logf(2.0f); /* happy */
      }
    }
  }
  uint8_t *buf = NULL;
  size_t len = 0;
  EV_CHECK(ev_model_serialize(m, &buf, &len, err, sizeof err) == 0, "serialize: %s", err);
  ev_model_free(m);
  ev_model *back = buf ? ev_model_load_memory(buf, len, err, sizeof err) : NULL;
  free(buf);
  EV_CHECK(back != NULL, "load: %s", err);
  if (back) {
    EV_CHECK(ev_model_n_labels(back) == 4 && ev_model_label_canonical(back, 0) == expect[0] &&
                 ev_model_label_canonical(back, 1) == expect[1] &&
                 ev_model_label_canonical(back, 2) == expect[2] &&
                 ev_model_label_canonical(back, 3) == expect[3],
             "labels from the file (%s, %s, %s, %s) map onto their canonical slots", names[0],
             names[1], names[2], names[3]);
  }
  return back;
}

typedef struct tally {
  int constant;
  long speech, before_speech, bad_absent, bad_sum, bad_value, bad_dominant, bad_silence;
  float lo[EV_N_EMOTIONS], hi[EV_N_EMOTIONS];
  double worst_sum, worst_value;
} tally;

static void on_frame(void *user, const ev_outputs *o) {
  tally *t = user;
  if (o->dominant < 0) {
    if (!t->speech) { /* nothing heard yet: nothing to report */
      t->before_speech++;
      for (int i = 0; i < EV_N_EMOTIONS; i++)
        t->bad_silence += o->prob[i] != 0.0f;
    }
    return;
  }
  t->speech++;
  double sum = 0;
  for (int i = 0; i < 4; i++) {
    t->bad_absent += o->prob[absent[i]] != 0.0f; /* exactly 0, not merely small */
    sum += o->prob[present[i]];
  }
  t->worst_sum = fmax(t->worst_sum, fabs(sum - 1.0));
  t->bad_sum += fabs(sum - 1.0) > 1e-5;
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    t->lo[i] = t->speech == 1 || o->prob[i] < t->lo[i] ? o->prob[i] : t->lo[i];
    t->hi[i] = t->speech == 1 || o->prob[i] > t->hi[i] ? o->prob[i] : t->hi[i];
  }
  if (t->constant) {
    static const float want[EV_N_EMOTIONS] = {0.1f, 0, 0.2f, 0.3f, 0.4f, 0, 0, 0};
    double ar = 0, va = 0;
    for (int i = 0; i < EV_N_EMOTIONS; i++) {
      t->worst_value = fmax(t->worst_value, fabs(o->prob[i] - want[i]));
      t->bad_value += fabs(o->prob[i] - want[i]) > 1e-6;
      ar += want[i] * ev_emotion_arousal[i];
      va += want[i] * ev_emotion_valence[i];
    }
    t->bad_value += fabs(o->arousal - ar) > 1e-5 || fabs(o->valence - va) > 1e-5;
    t->bad_dominant += o->dominant != EV_ANGRY || fabs(o->confidence - 0.4f) > 1e-6;
  }
}

static void run(const ev_model *m, tally *t, double rate) {
  char err[512];
  ev_analyzer *an = ev_analyzer_new(rate, 512, err, sizeof err);
  EV_CHECK(an != NULL, "analyser: %s", err);
  if (!an)
    return;
  ev_model_runtime *rt = ev_analyzer_prepare_model(an, m, err, sizeof err);
  EV_CHECK(rt != NULL, "prepare: %s", err);
  ev_analyzer_swap_model(an, rt);
  ev_analyzer_set_frame_callback(an, on_frame, t);
  size_t n;
  float *x = make_signal(rate, &n);
  for (size_t pos = 0; pos < n; pos += 256)
    ev_analyzer_process(an, x + pos, (uint32_t)(n - pos < 256 ? n - pos : 256));
  ev_analyzer_flush(an);
  free(x);
  ev_model_runtime_free(ev_analyzer_swap_model(an, NULL));
  ev_analyzer_free(an);
}

int main(void) {
  /* the constant model */
  ev_model *c =
      four_label_model("[{\"type\":\"dense\"},{\"type\":\"softmax\"}]", 1, labels, file_order);
  if (c) {
    tally t = {.constant = 1};
    run(c, &t, 48000);
    printf("constant model: %ld speech frames (%ld before), worst |p - expected| %.3g, worst "
           "|sum - 1| %.3g\n",
           t.speech, t.before_speech, t.worst_value, t.worst_sum);
    EV_CHECK(t.speech > 100, "speech frames %ld", t.speech);
    EV_CHECK(t.before_speech > 20 && t.bad_silence == 0, "before speech all 0 (%ld frames bad)",
             t.bad_silence);
    EV_CHECK(t.bad_absent == 0, "absent emotions exactly 0 (%ld frames not)", t.bad_absent);
    EV_CHECK(t.bad_value == 0, "neutral .1 happy .2 sad .3 angry .4 (%ld frames off, worst %.3g)",
             t.bad_value, t.worst_value);
    EV_CHECK(t.bad_dominant == 0, "dominant angry at 0.4 (%ld frames not)", t.bad_dominant);
    ev_model_free(c);
  }
  /* a random two-layer model: outputs that move */
  ev_model *r = four_label_model(
      "[{\"type\":\"dense\",\"out\":16,\"activation\":\"tanh\"},{\"type\":\"dense\"}]", 0, labels,
      file_order);
  if (r) {
    tally t = {0};
    run(r, &t, 44100);
    printf("random model: %ld speech frames, worst |sum - 1| %.3g, ranges", t.speech, t.worst_sum);
    for (int i = 0; i < 4; i++)
      printf(" %s %.3f..%.3f", ev_emotion_names[present[i]], t.lo[present[i]], t.hi[present[i]]);
    printf("\n");
    EV_CHECK(t.speech > 100, "speech frames %ld", t.speech);
    EV_CHECK(t.bad_absent == 0, "absent emotions exactly 0 (%ld frames not)", t.bad_absent);
    EV_CHECK(t.bad_sum == 0, "present emotions sum to 1 (%ld frames not, worst %.3g)", t.bad_sum,
             t.worst_sum);
    int moving = 1;
    for (int i = 0; i < 4; i++)
      moving &= t.lo[present[i]] > 0.0f && t.hi[present[i]] - t.lo[present[i]] > 1e-3f;
    EV_CHECK(moving, "every present emotion is > 0 and moves with the signal");
    ev_model_free(r);
  }
  /* the constant model with aliases for labels: the outputs of the canonical names */
  ev_model *a = four_label_model("[{\"type\":\"dense\"},{\"type\":\"softmax\"}]", 1, alias_labels,
                                 file_order);
  if (a) {
    tally t = {.constant = 1};
    run(a, &t, 48000);
    printf("alias-labelled model: %ld speech frames, worst |p - expected| %.3g\n", t.speech,
           t.worst_value);
    EV_CHECK(t.speech > 100, "speech frames %ld", t.speech);
    EV_CHECK(t.bad_absent == 0 && t.bad_value == 0 && t.bad_dominant == 0,
             "anger/neutrality/sadness/joy read as angry .4 neutral .1 sad .3 happy .2 (%ld "
             "frames off)",
             t.bad_absent + t.bad_value + t.bad_dominant);
    ev_model_free(a);
  }
  EV_TEST_END();
}
