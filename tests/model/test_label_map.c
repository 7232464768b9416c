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
 *    loses none of its outputs.
 * Allowed emotions (ev_analyzer_params.labels):
 *  - labels 0, all eight and all eight with higher bits set: every frame bit for bit the
 *    default's (random model);
 *  - the constant model allowed neutral and sad: neutral 0.1 / 0.4 = 0.25, sad 0.75, the others
 *    exactly 0, dominant sad at 0.75, arousal/valence the circumplex sums of those;
 *  - allowed only emotions the model lacks (calm, fearful): all 0, and the dominant is calm,
 *    never neutral, whose 0 comes first among all eight;
 *  - the random model with the smoothing off (response 0): every frame's probabilities are the
 *    unrestricted frame's renormalised over happy and angry (within 1e-5), the dominant the more
 *    probable of the two unless the one shown on the frame before is within the hold of it;
 *  - changed mid-stream: the outputs read the new set right after ev_analyzer_set_params, before
 *    any more audio, and in every frame after it; a set the smoothing state holds nothing of
 *    starts the smoothing afresh (no dominant until the next model output). */
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

/* ---- allowed emotions ---- */

typedef struct frames {
  ev_outputs *v;
  size_t n, cap;
} frames;

static void keep_frame(void *user, const ev_outputs *o) {
  frames *f = user;
  if (f->n == f->cap) {
    f->cap = f->cap ? 2 * f->cap : 1024;
    f->v = realloc(f->v, f->cap * sizeof *f->v);
  }
  f->v[f->n++] = *o;
}

/* Field by field (the struct has padding): bit for bit the same output. */
static int same_frame(const ev_outputs *a, const ev_outputs *b) {
  return !memcmp(a->prob, b->prob, sizeof a->prob) && a->dominant == b->dominant &&
         !memcmp(&a->confidence, &b->confidence, sizeof(float)) &&
         !memcmp(&a->arousal, &b->arousal, sizeof(float)) &&
         !memcmp(&a->valence, &b->valence, sizeof(float)) &&
         !memcmp(&a->voice_activity, &b->voice_activity, sizeof(float)) && a->frames == b->frames &&
         a->model_fault == b->model_fault;
}

static unsigned mask_of(int a, int b) {
  return (1u << a) | (1u << b);
}

/* Every frame of the signal at 48 kHz in 256-sample blocks with the given labels and response.
 * At change_s seconds (if > 0) labels become `after[0]`, at change2_s `after[1]`; *at_change[k]
 * gets the outputs right after each change, before any more audio. */
static frames run_labels(const ev_model *m, unsigned labels, float response_ms, double change_s,
                         double change2_s, const unsigned after[2], ev_outputs at_change[2]) {
  frames f = {0};
  char err[512];
  ev_analyzer *an = ev_analyzer_new(48000, 512, err, sizeof err);
  ev_model_runtime *rt = an ? ev_analyzer_prepare_model(an, m, err, sizeof err) : NULL;
  EV_CHECK(rt != NULL, "analyser: %s", err);
  if (!rt) {
    ev_analyzer_free(an);
    return f;
  }
  ev_analyzer_swap_model(an, rt);
  ev_analyzer_params p;
  ev_analyzer_params_default(&p);
  p.labels = labels;
  p.response_ms = response_ms;
  ev_analyzer_set_params(an, &p);
  ev_analyzer_set_frame_callback(an, keep_frame, &f);
  size_t n;
  float *x = make_signal(48000, &n);
  const size_t at[2] = {(size_t)(change_s * 48000), (size_t)(change2_s * 48000)};
  for (size_t pos = 0; pos < n; pos += 256) {
    for (int k = 0; k < 2; k++)
      if (at[k] && pos == at[k] / 256 * 256) {
        p.labels = after[k];
        ev_analyzer_set_params(an, &p);
        at_change[k] = *ev_analyzer_outputs(an);
      }
    ev_analyzer_process(an, x + pos, (uint32_t)(n - pos < 256 ? n - pos : 256));
  }
  ev_analyzer_flush(an);
  free(x);
  ev_model_runtime_free(ev_analyzer_swap_model(an, NULL));
  ev_analyzer_free(an);
  return f;
}

/* Outputs v[from..to) in which an emotion outside `allowed` reads anything but 0. */
static long outside(const ev_outputs *v, size_t from, size_t to, unsigned allowed) {
  long bad = 0;
  for (size_t i = from; i < to; i++)
    for (int e = 0; e < EV_N_EMOTIONS; e++)
      bad += !(allowed & (1u << e)) && v[i].prob[e] != 0.0f;
  return bad;
}

static void check_allowed(const ev_model *constant, const ev_model *random) {
  const unsigned none[2] = {0, 0};
  ev_outputs unused[2];
  /* no restriction, however it is said: the default bit for bit */
  frames ref = run_labels(random, EV_EMOTION_MASK_ALL, 500.0f, 0, 0, none, unused);
  const unsigned same_as_all[3] = {0u, EV_EMOTION_MASK_ALL, ~0u};
  for (int k = 0; k < 3; k++) {
    frames f = run_labels(random, same_as_all[k], 500.0f, 0, 0, none, unused);
    int same = f.n == ref.n && ref.n > 300;
    for (size_t i = 0; same && i < f.n; i++)
      same = same_frame(&f.v[i], &ref.v[i]);
    EV_CHECK(same, "labels 0x%x: every frame bit for bit the unrestricted one", same_as_all[k]);
    free(f.v);
  }

  /* the constant model over neutral and sad: 0.1 and 0.3 conditioned on the pair */
  frames c = run_labels(constant, mask_of(EV_NEUTRAL, EV_SAD), 500.0f, 0, 0, none, unused);
  long speech = 0, bad = 0;
  const double ar = 0.25 * ev_emotion_arousal[EV_NEUTRAL] + 0.75 * ev_emotion_arousal[EV_SAD];
  const double va = 0.25 * ev_emotion_valence[EV_NEUTRAL] + 0.75 * ev_emotion_valence[EV_SAD];
  for (size_t i = 0; i < c.n; i++) {
    const ev_outputs *o = &c.v[i];
    if (o->dominant < 0)
      continue;
    speech++;
    bad += fabsf(o->prob[EV_NEUTRAL] - 0.25f) > 1e-6f || fabsf(o->prob[EV_SAD] - 0.75f) > 1e-6f ||
           o->dominant != EV_SAD || o->confidence != o->prob[EV_SAD] ||
           fabs(o->arousal - ar) > 1e-5 || fabs(o->valence - va) > 1e-5;
  }
  printf("allowed neutral, sad: %ld speech frames, %ld off\n", speech, bad);
  EV_CHECK(speech > 100 && bad == 0,
           "neutral 0.25, sad 0.75, dominant sad, circumplex of those (%ld of %ld frames off)", bad,
           speech);
  EV_CHECK(outside(c.v, 0, c.n, mask_of(EV_NEUTRAL, EV_SAD)) == 0, "the other six exactly 0");
  free(c.v);

  /* only emotions the model lacks: nothing to condition on */
  frames z = run_labels(constant, mask_of(EV_CALM, EV_FEARFUL), 500.0f, 0, 0, none, unused);
  long zs = 0, zbad = 0;
  for (size_t i = 0; i < z.n; i++) {
    zs += z.v[i].dominant >= 0;
    zbad += z.v[i].dominant >= 0 && (z.v[i].dominant != EV_CALM || z.v[i].confidence != 0.0f);
  }
  EV_CHECK(zs > 100 && zbad == 0 && outside(z.v, 0, z.n, 0u) == 0,
           "calm and fearful, which the model lacks: all 0, dominant calm at 0 (%ld of %ld off)",
           zbad, zs);
  free(z.v);

  /* the random model with the smoothing off: each frame the unrestricted one conditioned */
  const unsigned pair = mask_of(EV_HAPPY, EV_ANGRY);
  frames u = run_labels(random, EV_EMOTION_MASK_ALL, 0.0f, 0, 0, none, unused);
  frames r = run_labels(random, pair, 0.0f, 0, 0, none, unused);
  EV_CHECK(u.n == r.n && u.n > 300, "same frames (%zu, %zu)", u.n, r.n);
  long compared = 0, off = 0;
  double worst = 0.0;
  int shown = -1; /* the dominant the hold keeps (ev_analyzer.h), -1 outside speech */
  for (size_t i = 0; i < u.n && i < r.n; i++) {
    if (u.v[i].dominant < 0) {
      off += r.v[i].dominant >= 0; /* the gate is the same */
      shown = -1;
      continue;
    }
    const double s = (double)u.v[i].prob[EV_HAPPY] + u.v[i].prob[EV_ANGRY];
    const double h = u.v[i].prob[EV_HAPPY] / s, a = u.v[i].prob[EV_ANGRY] / s;
    worst = fmax(worst, fmax(fabs(r.v[i].prob[EV_HAPPY] - h), fabs(r.v[i].prob[EV_ANGRY] - a)));
    int want = a > h ? EV_ANGRY : EV_HAPPY; /* the more probable, unless the shown one is held */
    if (shown >= 0 && r.v[i].prob[shown] >= r.v[i].prob[want] - EV_ANALYZER_DOMINANT_HOLD)
      want = shown;
    off += r.v[i].dominant != want;
    shown = want;
    compared++;
  }
  printf("random model, smoothing off, happy and angry: %ld speech frames, worst |p - "
         "conditioned| %.3g\n",
         compared, worst);
  EV_CHECK(compared > 100 && worst <= 1e-5 && off == 0,
           "each frame the unrestricted one renormalised over happy, angry (worst %.3g, %ld "
           "dominant or gate differences)",
           worst, off);
  EV_CHECK(outside(r.v, 0, r.n, pair) == 0, "the other six exactly 0");
  free(u.v);
  free(r.v);

  /* changed mid-speech (1.0 s: first voiced part; 2.0 s: second): all -> neutral, sad -> calm */
  const unsigned after[2] = {mask_of(EV_NEUTRAL, EV_SAD), 1u << EV_CALM};
  ev_outputs now[2];
  frames m = run_labels(constant, EV_EMOTION_MASK_ALL, 500.0f, 1.0, 2.0, after, now);
  EV_CHECK(now[0].dominant == EV_SAD && fabsf(now[0].prob[EV_NEUTRAL] - 0.25f) < 1e-6f &&
               fabsf(now[0].prob[EV_SAD] - 0.75f) < 1e-6f,
           "right after the change to neutral, sad: %g, %g, dominant %d", now[0].prob[EV_NEUTRAL],
           now[0].prob[EV_SAD], now[0].dominant);
  EV_CHECK(outside(now, 0, 1, after[0]) == 0, "and the other six 0 at once");
  EV_CHECK(now[1].dominant == -1 && outside(now, 1, 2, 0u) == 0,
           "right after the change to calm, which the state holds nothing of: all 0, no dominant "
           "(%d)",
           now[1].dominant);
  /* the frames finalised after each change: from the count each change saw on */
  const size_t f1 = (size_t)now[0].frames, f2 = (size_t)now[1].frames;
  long calm_frames = 0;
  for (size_t i = f2; i < m.n; i++)
    calm_frames += m.v[i].dominant == EV_CALM;
  EV_CHECK(f1 > 50 && f2 > f1 && m.n > f2 && outside(m.v, f1, f2, after[0]) == 0 &&
               outside(m.v, f2, m.n, after[1]) == 0,
           "no frame after a change shows an emotion left out (changes at frames %zu, %zu)", f1,
           f2);
  EV_CHECK(calm_frames > 50, "then calm is the dominant at 0 (%ld frames)", calm_frames);
  free(m.v);
  free(ref.v);
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
  if (c && r)
    check_allowed(c, r);
  ev_model_free(c);
  ev_model_free(r);
  EV_TEST_END();
}
