/* ev_analyzer_reset_exact (offline: emovox-train's cold figures): after other audio (and a
 * flush, as an offline stream ends), an analyser reset exactly reads a signal bit for bit as a
 * fresh analyser with the same model and params does, at 16, 44.1 and 48 kHz: every frame's
 * outputs, compared field by field with ==. The plugin's ev_analyzer_reset stays as it is
 * (allocation-free); at 44.1 and 48 kHz its resampler flushes soxr with zeros instead of
 * clearing it, so after it the same signal reads only to float rounding: checked within 1e-4
 * and printed (the difference is why the exact reset exists). A second exact reset in a row
 * changes nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ev_test.h"
#include "analyzer_signal.h"
#include "ev_analyzer.h"
#include "ev_model.h"

#define MAX_FRAMES 1000
#define BLOCK      333 /* cuts the stream off the resampler's 64-sample chunk grid */

#include "frame_record.h"

static void feed(ev_analyzer *an, const float *x, size_t n) {
  for (size_t i = 0; i < n; i += BLOCK)
    ev_analyzer_process(an, x + i, (uint32_t)(n - i < BLOCK ? n - i : BLOCK));
}

/* Frames that differ in any field (==, so -0/+0 would pass and a NaN would not), and the
 * largest difference of the float fields. */
static int differing(const record *a, const record *b, double *worst) {
  int bad = a->n != b->n;
  *worst = 0.0;
  for (int i = 0; i < a->n && i < b->n && i < MAX_FRAMES; i++) {
    const ev_outputs *p = &a->out[i], *q = &b->out[i];
    int same =
        p->dominant == q->dominant && p->frames == q->frames && p->model_fault == q->model_fault;
    const float fp[] = {p->confidence, p->arousal, p->valence, p->voice_activity, p->adapted};
    const float fq[] = {q->confidence, q->arousal, q->valence, q->voice_activity, q->adapted};
    for (int k = 0; k < 5; k++) {
      same = same && fp[k] == fq[k];
      *worst = fmax(*worst, fabs((double)fp[k] - fq[k]));
    }
    for (int c = 0; c < EV_N_EMOTIONS; c++) {
      same = same && p->prob[c] == q->prob[c];
      *worst = fmax(*worst, fabs((double)p->prob[c] - q->prob[c]));
    }
    bad += !same;
  }
  return bad;
}

typedef struct rig {
  ev_analyzer *an;
  ev_model_runtime *rt;
  record rec;
} rig;

/* A new analyser as emovox-train makes one: params, then the model prepared and installed. */
static int rig_new(rig *g, const ev_model *m, double rate) {
  char err[256];
  g->an = ev_analyzer_new(rate, BLOCK, err, sizeof err);
  EV_REQUIRE(g->an != NULL, "analyser at %.0f Hz: %s", rate, err);
  ev_analyzer_params p;
  ev_analyzer_params_default(&p);
  ev_analyzer_set_params(g->an, &p);
  g->rt = ev_analyzer_prepare_model(g->an, m, err, sizeof err);
  EV_REQUIRE(g->rt != NULL, "runtime at %.0f Hz: %s", rate, err);
  ev_analyzer_swap_model(g->an, g->rt);
  g->rec.n = 0;
  ev_analyzer_set_frame_callback(g->an, on_frame, &g->rec);
  return 0;
}

static void rig_free(rig *g) {
  ev_analyzer_swap_model(g->an, NULL);
  ev_analyzer_free(g->an);
  ev_model_runtime_free(g->rt);
}

int main(int argc, char **argv) {
  if (argc != 2)
    EV_SKIP("usage: test_analyzer_exact_reset MODEL (the build's emovox-test-model.safetensors)");
  char err[512];
  ev_model *m = ev_model_load_file(argv[1], err, sizeof err);
  EV_REQUIRE(m != NULL, "test model: %s", err);
  static const double rates[] = {16000.0, 44100.0, 48000.0};
  for (int ri = 0; ri < 3; ri++) {
    const double rate = rates[ri];
    size_t n = 0;
    float *x = make_signal(rate, &n);
    /* the audio before: another signal of another length (the resampler's chunk grid and
     * soxr's blocks then stand elsewhere when the reset comes), louder and reversed */
    const size_t n_other = n * 5 / 7 + 17;
    float *other = malloc(n_other * sizeof *other);
    EV_REQUIRE(x && other, "out of memory");
    for (size_t i = 0; i < n_other; i++)
      other[i] = 1.7f * x[n - 1 - i];

    static rig fresh, used;
    rig_new(&fresh, m, rate);
    feed(fresh.an, x, n);
    EV_CHECK(fresh.rec.n > 100, "%.0f Hz: %d frames", rate, fresh.rec.n);

    rig_new(&used, m, rate);
    feed(used.an, other, n_other);
    ev_analyzer_flush(used.an);
    EV_CHECK(ev_analyzer_reset_exact(used.an) == 0, "%.0f Hz: exact reset", rate);
    used.rec.n = 0;
    feed(used.an, x, n);
    double worst = 0.0;
    int bad = differing(&fresh.rec, &used.rec, &worst);
    EV_CHECK(bad == 0,
             "%.0f Hz: after other audio and the exact reset %d of %d frames differ "
             "from a fresh analyser's (by up to %.3g)",
             rate, bad, fresh.rec.n, worst);

    /* twice in a row, the second on a state that is already fresh: the same again */
    EV_CHECK(ev_analyzer_reset_exact(used.an) == 0 && ev_analyzer_reset_exact(used.an) == 0,
             "%.0f Hz: exact reset twice", rate);
    used.rec.n = 0;
    feed(used.an, x, n);
    const int bad2 = differing(&fresh.rec, &used.rec, &worst);
    EV_CHECK(bad2 == 0, "%.0f Hz: after two exact resets %d frames differ", rate, bad2);

    /* the plugin's reset, unchanged: the same reading to float rounding, exact at 16 kHz */
    feed(used.an, other, n_other);
    ev_analyzer_reset(used.an);
    used.rec.n = 0;
    feed(used.an, x, n);
    const int near = differing(&fresh.rec, &used.rec, &worst);
    EV_CHECK(fresh.rec.n == used.rec.n && worst <= 1e-4 && (rate != 16000.0 || near == 0),
             "%.0f Hz: after ev_analyzer_reset %d frames differ by up to %.3g", rate, near, worst);
    printf("%5.0f Hz: %d frames; exact reset: all bit for bit a fresh analyser's; "
           "ev_analyzer_reset: %d differ, by up to %.2g\n",
           rate, fresh.rec.n, near, worst);

    rig_free(&fresh);
    rig_free(&used);
    free(x);
    free(other);
  }
  ev_model_free(m);
  EV_TEST_END();
}
