/* ev_summary: a file's reading from its phrase readings, and the reading restricted to allowed
 * emotions (--labels), on rows with a known answer. */
#include <math.h>
#include <string.h>

#include "ev_summary.h"
#include "../ev_test.h"

/* n rows of speech whose probabilities are all `p` on emotion e (the rest spread evenly). */
static void speech(ev_summary_acc *a, int n, int e, double p) {
  double prob[EV_N_EMOTIONS];
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    prob[i] = i == e ? p : (1.0 - p) / (EV_N_EMOTIONS - 1);
  for (int r = 0; r < n; r++)
    ev_summary_add(a, 1, prob);
}

static void pause_rows(ev_summary_acc *a, int n) {
  double zero[EV_N_EMOTIONS] = {0};
  for (int r = 0; r < n; r++)
    ev_summary_add(a, 0, zero);
}

/* n rows of speech, each with the probabilities p. */
static void rows_of(ev_summary_acc *a, int n, const double *p) {
  for (int r = 0; r < n; r++)
    ev_summary_add(a, 1, p);
}

/* Two phrases (100 rows ending in p, a pause, 300 rows of q) into a fresh accumulator. */
static void two_phrases(ev_summary_acc *a, const double *p, const double *q) {
  ev_summary_init(a, 0);
  rows_of(a, 100, p);
  pause_rows(a, EV_SUMMARY_PAUSE_ROWS);
  rows_of(a, 300, q);
}

/* --labels (ev_summary_set_labels): the reading conditioned on the allowed emotions. */
static void test_labels(void) {
  /* calm leads; of happy and sad, sad */
  static const double p[EV_N_EMOTIONS] = {0.10, 0.40, 0.15, 0.25, 0.05, 0.02, 0.02, 0.01};
  ev_summary_acc a;
  ev_summary s, all;
  ev_summary_init(&a, 0);
  rows_of(&a, 120, p);
  pause_rows(&a, 60);
  ev_summary_finish(&a, &all);
  EV_CHECK(all.dominant == EV_CALM, "unrestricted: calm (%d)", all.dominant);
  ev_summary_set_labels(&a, 1u << EV_HAPPY | 1u << EV_SAD);
  ev_summary_finish(&a, &s);
  EV_CHECK(s.dominant == EV_SAD, "{happy, sad}: sad (%d)", s.dominant);
  EV_CHECK_NEAR(s.prob[EV_SAD], 0.25 / 0.40, 1e-12, "{happy, sad}: sad renormalised");
  EV_CHECK_NEAR(s.prob[EV_HAPPY], 0.15 / 0.40, 1e-12, "{happy, sad}: happy renormalised");
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    if (i != EV_HAPPY && i != EV_SAD)
      EV_CHECK(s.prob[i] == 0.0, "{happy, sad}: %s reads 0", ev_emotion_names[i]);
  EV_CHECK(s.rows == all.rows && s.speech_rows == all.speech_rows, "the counts stay");

  /* weighted phrase readings first, then the renormalisation: 1/4 of p, 3/4 of q */
  static const double q[EV_N_EMOTIONS] = {0.05, 0.30, 0.35, 0.10, 0.08, 0.04, 0.04, 0.04};
  two_phrases(&a, p, q);
  ev_summary_set_labels(&a, 1u << EV_HAPPY | 1u << EV_SAD);
  ev_summary_finish(&a, &s);
  const double happy = 0.25 * 0.15 + 0.75 * 0.35, sad = 0.25 * 0.25 + 0.75 * 0.10;
  EV_CHECK(s.dominant == EV_HAPPY, "two phrases, {happy, sad}: happy (%d)", s.dominant);
  EV_CHECK_NEAR(s.prob[EV_HAPPY], happy / (happy + sad), 1e-12, "two phrases: happy");
  EV_CHECK_NEAR(s.prob[EV_SAD], sad / (happy + sad), 1e-12, "two phrases: sad");

  /* mask 0 and all eight: the unrestricted reading, bit for bit; init clears the mask */
  ev_summary ref, got;
  two_phrases(&a, p, q);
  ev_summary_finish(&a, &ref);
  const unsigned masks[] = {0u, EV_EMOTION_MASK_ALL, ~0u};
  for (size_t k = 0; k < sizeof masks / sizeof masks[0]; k++) {
    two_phrases(&a, p, q);
    ev_summary_set_labels(&a, masks[k]);
    ev_summary_finish(&a, &got);
    EV_CHECK(!memcmp(&got, &ref, sizeof got), "mask %#x: the unrestricted reading", masks[k]);
  }
  ev_summary_set_labels(&a, 1u << EV_SAD);
  two_phrases(&a, p, q);
  ev_summary_finish(&a, &got);
  EV_CHECK(!memcmp(&got, &ref, sizeof got), "ev_summary_init clears the mask");

  /* one allowed emotion: it is the dominant at probability 1 */
  ev_summary_set_labels(&a, 1u << EV_FEARFUL);
  ev_summary_finish(&a, &s);
  EV_CHECK(s.dominant == EV_FEARFUL && s.prob[EV_FEARFUL] == 1.0, "{fearful}: 1");

  /* every allowed emotion reads 0: the probabilities stay 0, the first allowed one leads */
  static const double z[EV_N_EMOTIONS] = {0.5, 0.5, 0, 0, 0, 0, 0, 0};
  ev_summary_init(&a, 0);
  rows_of(&a, 50, z);
  ev_summary_set_labels(&a, 1u << EV_DISGUST | 1u << EV_ANGRY);
  ev_summary_finish(&a, &s);
  double total = 0;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    total += s.prob[i];
  EV_CHECK(s.dominant == EV_ANGRY && total == 0.0, "allowed all 0: angry, zeros (%d, %g)",
           s.dominant, total);

  /* no speech: no reading, restricted or not */
  ev_summary_init(&a, 0);
  pause_rows(&a, 100);
  ev_summary_set_labels(&a, 1u << EV_SAD);
  ev_summary_finish(&a, &s);
  EV_CHECK(s.dominant == -1 && s.prob[EV_SAD] == 0.0, "silence, {sad}: none");
}

int main(void) {
  ev_summary_acc a;
  ev_summary s;

  /* nothing heard: no reading */
  ev_summary_init(&a, 0);
  pause_rows(&a, 300);
  ev_summary_finish(&a, &s);
  EV_CHECK(s.dominant == -1 && s.rows == 300 && s.speech_rows == 0, "silence: no speech reading");

  /* one phrase: its last row is the reading, whatever came before in it */
  ev_summary_init(&a, 0);
  speech(&a, 150, 0, 0.9); /* early rows say neutral */
  speech(&a, 1, 4, 0.6);   /* the phrase's last row says angry */
  pause_rows(&a, 20);
  ev_summary_finish(&a, &s);
  EV_CHECK(s.dominant == 4, "one phrase: the reading at its end");
  EV_CHECK_NEAR(s.prob[4], 0.6, 1e-12, "one phrase: its last row's probabilities");
  EV_CHECK(s.speech_rows == 151 && s.rows == 171, "row counts");

  /* two phrases split by a 0.5 s pause, weighted by their speech rows: 100 rows of sad (0.8)
   * and 300 rows ending in happy (0.5) -> sad 0.25 * 0.8 + 0.75 * (0.5 / 7), happy likewise */
  ev_summary_init(&a, 0);
  speech(&a, 100, 3, 0.8);
  pause_rows(&a, EV_SUMMARY_PAUSE_ROWS);
  speech(&a, 300, 2, 0.5);
  ev_summary_finish(&a, &s);
  EV_CHECK_NEAR(s.prob[3], 0.25 * 0.8 + 0.75 * (0.5 / 7), 1e-12, "two phrases: sad weighted 1/4");
  EV_CHECK_NEAR(s.prob[2], 0.25 * (0.2 / 7) + 0.75 * 0.5, 1e-12, "two phrases: happy weighted 3/4");

  /* a pause shorter than EV_SUMMARY_PAUSE_ROWS does not split a phrase */
  ev_summary_init(&a, 0);
  speech(&a, 100, 3, 0.8);
  pause_rows(&a, EV_SUMMARY_PAUSE_ROWS - 1);
  speech(&a, 100, 2, 0.5);
  ev_summary_finish(&a, &s);
  EV_CHECK_NEAR(s.prob[2], 0.5, 1e-12, "a short pause: one phrase, its last reading");

  /* a phrase of two windows and 1 s: one reading per window of speech and the last 1 s,
   * weighted W : W : 100 rows */
  ev_summary_init(&a, 0);
  speech(&a, EV_SUMMARY_WINDOW_ROWS, 0, 0.7);
  speech(&a, EV_SUMMARY_WINDOW_ROWS, 1, 0.7);
  speech(&a, 100, 5, 0.7);
  ev_summary_finish(&a, &s);
  const double w = EV_SUMMARY_WINDOW_ROWS, all = 2 * w + 100;
  EV_CHECK_NEAR(s.prob[0], (w * 0.7 + w * 0.3 / 7 + 100 * 0.3 / 7) / all, 1e-12,
                "long phrase: window 1");
  EV_CHECK_NEAR(s.prob[5], (2 * w * 0.3 / 7 + 100 * 0.7) / all, 1e-12,
                "long phrase: the last second");
  double total = 0;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    total += s.prob[i];
  EV_CHECK_NEAR(total, 1.0, 1e-12, "the reading is a distribution");

  /* finishing does not consume: more rows continue the same summary */
  ev_summary_init(&a, 0);
  speech(&a, 50, 0, 0.9);
  ev_summary_finish(&a, &s);
  speech(&a, 50, 1, 0.9);
  ev_summary_finish(&a, &s);
  EV_CHECK(s.dominant == 1 && s.speech_rows == 100, "finish then continue");

  /* a model with 4 s statistics: a 5 s phrase gives one reading at 4 s and its last one at 5 s
   * (weights 4:1), where the default window would have read at 2 and 4 s as well */
  ev_summary_init(&a, 400);
  speech(&a, 200, 0, 0.7);
  speech(&a, 200, 1, 0.7);
  speech(&a, 100, 2, 0.7);
  ev_summary_finish(&a, &s);
  EV_CHECK_NEAR(s.prob[1], (400 * 0.7 + 100 * 0.3 / 7) / 500, 1e-12, "4 s window: its reading");
  EV_CHECK_NEAR(s.prob[0], (400 * 0.3 / 7 + 100 * 0.3 / 7) / 500, 1e-12,
                "4 s window: no reading at 2 s");

  /* the window a model's readings rest on */
  ev_input_config c;
  memset(&c, 0, sizeof c);
  c.n_inputs = 1;
  c.inputs[0] = EV_FEAT_EGEMAPS_FUNC;
  c.features.func_window_s = 2.0f;
  EV_CHECK(ev_summary_window_rows(&c) == 200, "egemaps_func over 2 s: 200 rows");
  c.features.func_window_s = 4.0f;
  EV_CHECK(ev_summary_window_rows(&c) == 400, "egemaps_func over 4 s: 400 rows");
  c.features.func_window_s = 0.0f;
  EV_CHECK(ev_summary_window_rows(&c) == (long)lround(EV_FUNC_WINDOW_DEFAULT_S * 100),
           "egemaps_func with the features' default window");
  c.inputs[0] = EV_FEAT_LOGMEL;
  EV_CHECK(ev_summary_window_rows(&c) == EV_SUMMARY_WINDOW_ROWS, "other inputs: the default");

  test_labels();
  EV_TEST_END();
}
