/* The training loop's schedule and bookkeeping (ev_train), each on constructed data whose right
 * answer is known without running the trainer:
 *  - decoupled weight decay: with all-zero inputs a dense layer's weight gradient is exactly 0,
 *    so its matrix must shrink by exactly (1 - lr * wd) per step; its biases, whose gradient is
 *    also exactly 0 (equal logits, balanced labels), must not move at all;
 *  - class balancing: with all-zero inputs only the biases learn, and the optimum of the
 *    (weighted) cross-entropy is the (weighted) class frequency: 30/10/20 clips give
 *    1/2, 1/6, 1/3 without balancing, 1/3 each with loss weights, oversampling or corpus
 *    cells, and shares proportional to sqrt(count) with corpus cells at power 1/2;
 *  - the cosine schedule: the same all-zero inputs, 8 clips in batches of 3 (three steps an
 *    epoch, the last one short) for 5 epochs, so the matrix must shrink by the product of
 *    (1 - lr_k * wd) over the 15 steps, lr_k = min_lr + (lr - min_lr) (1 + cos(pi k / 14)) / 2,
 *    and the last epoch must end at min_lr;
 *  - the loss over the corpus's labels (--loss-classes corpus:S): with all-zero inputs and two
 *    corpora, A = {0: 30 clips, 1: 10} and B = {1: 10, 2: 30}, the loss over every label is
 *    least at the pooled shares 3/8, 2/8, 3/8 and the loss over each corpus's own labels at
 *    3 : 1 within each, i.e. 3/7, 1/7, 3/7; a share S of the first is least where
 *    S (80 q - 60) + (1 - S) (80 sigma(a) - 60) = 0, q = 2 e^a / (2 e^a + 1), for the logits
 *    (a, 0, a) (solved by bisection below);
 *  - early stopping and reduce-on-plateau: a validation set with the labels swapped gets worse
 *    every epoch while the net learns the training set, so epoch 1 stays the best, training
 *    stops after exactly `patience` more epochs and the LR is halved every `plateau` epochs
 *    down to min_lr (the sequence is written out by hand below);
 *  - best checkpoint: a validation set with a quarter of its labels swapped is best at some
 *    middle epoch (the net's confidence passes the level that suits a 3:1 label mix); the
 *    weights at the end must be bit-identical to those of a run stopped at that epoch, and
 *    differ from those of the last epoch run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_arch.h"
#include "ev_augment.h"
#include "ev_net.h"
#include "ev_test.h"
#include "ev_trainer.h"

/* A linear softmax classifier per frame: the crop's prediction is the last frame's output. */
static const char *arch_json = "{\"name\":\"lin\",\"features\":{\"inputs\":[\"mfcc\"]},"
                               "\"window\":4,\"architecture\":[{\"type\":\"dense\"}]}";
#define S 4 /* steps per item (= the window, so every crop is the whole item) */

static ev_arch arch;

static int build(ev_net *net, int D, int C) {
  char err[256];
  if (ev_net_build(net, &arch, D, C, err, sizeof err) != 0) {
    fprintf(stderr, "build: %s\n", err);
    return -1;
  }
  ev_net_init(net, 5);
  return 0;
}

static ev_param *param(ev_net *net, const char *name) {
  ev_layer *l = &net->layers[0];
  for (int p = 0; p < l->n_params; p++)
    if (!strcmp(l->params[p].name, name))
      return &l->params[p];
  return NULL;
}

static void opts_base(ev_train_opts *o) {
  ev_train_opts_default(o);
  o->window = S;
  o->progress = 0;
  o->threads = 2;
  o->smoothing = 0;
  o->weight_decay = 0;
  o->balance = EV_BALANCE_NONE;
}

static int train(ev_net *net, const ev_item *tr, size_t ntr, const ev_item *va, size_t nva,
                 const ev_train_opts *o, ev_train_result *res) {
  char err[256];
  if (ev_train(net, tr, ntr, va, nva, o, res, err, sizeof err) != 0) {
    fprintf(stderr, "train: %s\n", err);
    return -1;
  }
  return 0;
}

/* n items of all-zero inputs with alternating labels: a dense layer's weight gradient is 0. */
static void zero_items(ev_item *items, int n, const float *zeros) {
  for (int i = 0; i < n; i++)
    items[i] = (ev_item){zeros, S, i % 2, 0u, 0};
}

/* The largest relative distance of a weight matrix from w0 * shrink. */
static double worst_shrink_error(const ev_param *w, const float *w0, double shrink) {
  double worst = 0;
  for (size_t k = 0; k < w->size; k++)
    worst = fmax(worst, fabs(w->data[k] - w0[k] * shrink) / fabs(w0[k]));
  return worst;
}

/* ---- decoupled weight decay: matrices only ---- */
static void test_weight_decay(void) {
  enum { N = 8, D = 3, C = 2, EPOCHS = 5 };
  static float zeros[S * D];
  ev_item items[N];
  zero_items(items, N, zeros);
  ev_net net;
  if (build(&net, D, C) != 0)
    return;
  ev_param *w = param(&net, "weight"), *b = param(&net, "bias");
  EV_CHECK(w && b && w->ndim == 2 && b->ndim == 1, "dense weight and bias");
  if (!w || !b)
    return;
  for (size_t k = 0; k < b->size; k++)
    b->data[k] = 0.7f; /* equal logits: p = 1/2 each, and the labels are balanced */
  float w0[C * D];
  memcpy(w0, w->data, sizeof w0);
  ev_train_opts o;
  opts_base(&o);
  o.epochs = EPOCHS;
  o.batch = N; /* one step per epoch, over all items: the bias gradient sums to exactly 0 */
  o.lr = 0.01f;
  o.weight_decay = 0.1f;
  ev_train_result res;
  if (train(&net, items, N, NULL, 0, &o, &res) == 0) {
    const double shrink = pow(1.0 - 0.01 * 0.1, EPOCHS);
    const double worst = worst_shrink_error(w, w0, shrink);
    EV_CHECK(worst < 1e-6, "weight matrix = w0 * (1 - lr wd)^%d (worst relative error %.3g)",
             EPOCHS, worst);
    int kept = 1;
    for (size_t k = 0; k < b->size; k++)
      kept &= b->data[k] == 0.7f;
    EV_CHECK(kept, "biases are not decayed: %.9g %.9g (set 0.7)", b->data[0], b->data[1]);
    ev_train_result_free(&res);
  }
  ev_net_free(&net);
}

/* ---- the cosine schedule: the decay follows the LR of every step ---- */
static void test_cosine_schedule(void) {
  enum { N = 8, D = 3, C = 2, EPOCHS = 5, BATCH = 3, STEPS = EPOCHS * 3 };
  static float zeros[S * D];
  ev_item items[N];
  zero_items(items, N, zeros);
  ev_net net;
  if (build(&net, D, C) != 0)
    return;
  ev_param *w = param(&net, "weight");
  if (!w)
    return;
  float w0[C * D];
  memcpy(w0, w->data, sizeof w0);
  ev_train_opts o;
  opts_base(&o);
  o.epochs = EPOCHS;
  o.batch = BATCH;
  o.lr = 0.2f;
  o.min_lr = 0.01f;
  o.weight_decay = 0.5f;
  o.cosine = 1;
  ev_train_result res;
  if (train(&net, items, N, NULL, 0, &o, &res) == 0) {
    double shrink = 1, lr_epoch1 = 0; /* the LR of step 2, the first epoch's last */
    for (int k = 0; k < STEPS; k++) {
      const double lr = 0.01 + 0.5 * (0.2 - 0.01) * (1.0 + cos(M_PI * k / (STEPS - 1)));
      shrink *= 1.0 - lr * 0.5;
      if (k == 2)
        lr_epoch1 = lr;
    }
    const double worst = worst_shrink_error(w, w0, shrink);
    EV_CHECK(worst < 1e-5,
             "cosine: matrix = w0 * prod (1 - lr_k wd) = w0 * %.6f (worst relative "
             "error %.3g)",
             shrink, worst);
    EV_CHECK(res.n_hist == EPOCHS && fabs(res.hist[0].lr - lr_epoch1) < 1e-6 * lr_epoch1 &&
                 fabs(res.hist[EPOCHS - 1].lr - 0.01) < 1e-9,
             "cosine: epoch 1 ends at lr %.6g (expected %.6g), the last at min_lr 0.01 (%.6g)",
             res.n_hist ? res.hist[0].lr : -1.0, lr_epoch1,
             res.n_hist ? res.hist[res.n_hist - 1].lr : -1.0);
    ev_train_result_free(&res);
  }
  ev_net_free(&net);
}

/* Trains on n all-zero items and reads the three class probabilities the net learnt. */
static int learn_shares(ev_net *net, const ev_item *items, int n, const ev_train_opts *o,
                        float *p) {
  ev_train_result res;
  if (train(net, items, (size_t)n, NULL, 0, o, &res) != 0)
    return -1;
  int pred;
  ev_predict(net, items, 1, S, 1, &pred, p, NULL);
  ev_train_result_free(&res);
  return 0;
}

static void check_shares(const float *p, const double *want, const char *what) {
  EV_CHECK(fabs(p[0] - want[0]) < 0.01 && fabs(p[1] - want[1]) < 0.01 &&
               fabs(p[2] - want[2]) < 0.01,
           "%s: learnt class probabilities %.4f %.4f %.4f, expected %.4f %.4f %.4f", what, p[0],
           p[1], p[2], want[0], want[1], want[2]);
  printf("%s: %.4f %.4f %.4f (expected %.4f %.4f %.4f)\n", what, p[0], p[1], p[2], want[0], want[1],
         want[2]);
}

/* ---- the loss over each corpus's own labels, and a share over every label ---- */
static double corpus_loss_logit(double share) {
  double lo = -10, hi = 10; /* the derivative in a rises from -60 to +20 */
  for (int i = 0; i < 200; i++) {
    const double a = 0.5 * (lo + hi), q = 2 * exp(a) / (2 * exp(a) + 1), sg = 1 / (1 + exp(-a));
    if (share * (80 * q - 60) + (1 - share) * (80 * sg - 60) < 0)
      lo = a;
    else
      hi = a;
  }
  return 0.5 * (lo + hi);
}

static void test_corpus_loss(float share) {
  enum { D = 2, C = 3 };
  static float zeros[S * D];
  ev_item items[80];
  int n = 0;
  for (int i = 0; i < 30; i++)
    items[n++] = (ev_item){zeros, S, 0, 0x3u, 0};
  for (int i = 0; i < 10; i++)
    items[n++] = (ev_item){zeros, S, 1, 0x3u, 0};
  for (int i = 0; i < 10; i++)
    items[n++] = (ev_item){zeros, S, 1, 0x6u, 1};
  for (int i = 0; i < 30; i++)
    items[n++] = (ev_item){zeros, S, 2, 0x6u, 1};
  ev_net net;
  if (build(&net, D, C) != 0)
    return;
  ev_train_opts o;
  opts_base(&o);
  o.corpus_classes = 1;
  o.all_share = share;
  o.epochs = 400;
  o.batch = 80;
  o.lr = 0.05f;
  const double a = corpus_loss_logit(share), e = exp(a),
               want[3] = {e / (2 * e + 1), 1 / (2 * e + 1), e / (2 * e + 1)};
  char what[48];
  snprintf(what, sizeof what, "loss-classes corpus:%g", share);
  float p[C];
  if (learn_shares(&net, items, n, &o, p) == 0)
    check_shares(p, want, what);
  ev_net_free(&net);
}

/* ---- class balancing ---- */
static void test_balance(ev_balance mode, float power, const double *want, const char *what) {
  enum { D = 2, C = 3 };
  static const int count[C] = {30, 10, 20};
  static float zeros[S * D];
  ev_item items[60];
  int n = 0;
  for (int k = 0; k < C; k++)
    for (int i = 0; i < count[k]; i++)
      items[n++] = (ev_item){zeros, S, k, 0u, 0};
  ev_net net;
  if (build(&net, D, C) != 0)
    return;
  ev_train_opts o;
  opts_base(&o);
  o.balance = mode;
  o.balance_power = power;
  o.epochs = 300;
  o.batch = 90; /* the whole epoch in one batch (60 clips, or 3 x 30 when oversampling) */
  o.lr = 0.05f;
  float p[C];
  if (learn_shares(&net, items, n, &o, p) == 0)
    check_shares(p, want, what);
  ev_net_free(&net);
}

/* ---- a learnable task: class 0 has x0 = +1, class 1 has x0 = -1, plus N(0, 0.5) noise ---- */
#define TD 2
static void make_task(ev_item *items, float *store, int n, uint64_t seed, int swap_every) {
  ev_rng r;
  ev_rng_seed(&r, seed);
  for (int i = 0; i < n; i++) {
    int label = i % 2;
    float *x = store + (size_t)i * S * TD;
    for (int t = 0; t < S; t++) {
      x[t * TD] = (label ? -1.0f : 1.0f) + 0.5f * (float)ev_rng_gauss(&r);
      x[t * TD + 1] = 0.5f * (float)ev_rng_gauss(&r);
    }
    /* swap_every k: every k-th item (by pairs, so both classes alike) gets the other label */
    if (swap_every && (i / 2) % swap_every == 0)
      label = !label;
    items[i] = (ev_item){x, S, label, 0u, 0};
  }
}

static float *weights_after(const ev_item *tr, size_t ntr, const ev_train_opts *base, int epochs,
                            size_t *P) {
  ev_net net;
  if (build(&net, TD, 2) != 0)
    return NULL;
  ev_train_opts o = *base;
  o.epochs = epochs;
  ev_train_result res;
  float *w = NULL;
  if (train(&net, tr, ntr, NULL, 0, &o, &res) == 0) { /* no validation: the last weights */
    w = malloc(net.n_params * sizeof *w);
    memcpy(w, net.w, net.n_params * sizeof *w);
    *P = net.n_params;
    ev_train_result_free(&res);
  }
  ev_net_free(&net);
  return w;
}

static void test_early_stop_and_plateau(void) {
  enum { NTR = 64, NVA = 32 };
  static float str[NTR * S * TD], sva[NVA * S * TD];
  ev_item tr[NTR], va[NVA];
  make_task(tr, str, NTR, 1, 0);
  make_task(va, sva, NVA, 2, 1); /* every label swapped */
  ev_net net;
  if (build(&net, TD, 2) != 0)
    return;
  ev_train_opts o;
  opts_base(&o);
  o.epochs = 40;
  o.batch = 16;
  o.lr = 0.01f;
  o.patience = 12;
  o.plateau = 2;
  o.plateau_factor = 0.5f;
  o.min_lr = 0.001f;
  ev_train_result res;
  if (train(&net, tr, NTR, va, NVA, &o, &res) != 0) {
    ev_net_free(&net);
    return;
  }
  int worse = 1;
  for (int e = 1; e < res.n_hist; e++)
    worse &= res.hist[e].val_loss > res.hist[0].val_loss;
  EV_CHECK(worse, "construction: the swapped validation set is worse after every epoch than "
                  "after the first");
  EV_CHECK(res.best_epoch == 1, "best epoch %d (expected 1)", res.best_epoch);
  EV_CHECK(res.n_hist == 1 + 12, "stopped after %d epochs (expected 1 + patience 12)", res.n_hist);
  /* by hand: no improvement from epoch 2 on; every 2nd such epoch halves the LR (applied from
   * the next epoch), and 0.00125 / 2 is floored at min_lr 0.001 */
  static const double lr[13] = {0.01,    0.01,    0.01,  0.005, 0.005, 0.0025, 0.0025,
                                0.00125, 0.00125, 0.001, 0.001, 0.001, 0.001};
  int lr_ok = res.n_hist == 13;
  for (int e = 0; e < res.n_hist && e < 13; e++) {
    int ok = fabs(res.hist[e].lr - lr[e]) <= 1e-6 * lr[e];
    if (!ok)
      fprintf(stderr, "epoch %d: lr %.6g, expected %.6g\n", e + 1, res.hist[e].lr, lr[e]);
    lr_ok &= ok;
  }
  EV_CHECK(lr_ok, "reduce-on-plateau LR sequence");
  /* the restored weights are epoch 1's: a run of one epoch (same seed, same LR) without
   * validation ends there */
  size_t P = 0;
  float *w1 = weights_after(tr, NTR, &o, 1, &P);
  EV_CHECK(w1 && P == net.n_params && !memcmp(w1, net.w, P * sizeof *w1),
           "weights at the end are those of epoch 1");
  free(w1);
  ev_train_result_free(&res);
  ev_net_free(&net);
}

static void test_best_checkpoint(void) {
  enum { NTR = 64, NVA = 64 };
  static float str[NTR * S * TD], sva[NVA * S * TD];
  ev_item tr[NTR], va[NVA];
  make_task(tr, str, NTR, 3, 0);
  make_task(va, sva, NVA, 4, 4); /* a quarter of the labels swapped */
  ev_net net;
  if (build(&net, TD, 2) != 0)
    return;
  ev_train_opts o;
  opts_base(&o);
  o.epochs = 60;
  o.batch = 16;
  o.lr = 0.02f;
  o.patience = 5;
  o.plateau = 1000; /* constant LR, so a run without validation follows the same path */
  ev_train_result res;
  if (train(&net, tr, NTR, va, NVA, &o, &res) != 0) {
    ev_net_free(&net);
    return;
  }
  /* the best epoch by the documented rule: the last one that improved on the best so far by
   * more than 1e-4 */
  double best = INFINITY;
  int b = 0;
  for (int e = 0; e < res.n_hist; e++) {
    printf("epoch %2d  val loss %.5f  lr %.3g\n", e + 1, res.hist[e].val_loss, res.hist[e].lr);
    if (res.hist[e].val_loss < best - 1e-4) {
      best = res.hist[e].val_loss;
      b = e + 1;
    }
  }
  EV_CHECK(res.best_epoch == b, "best epoch %d, from the history %d", res.best_epoch, b);
  EV_CHECK(b > 2 && res.n_hist > b, "construction: the best epoch (%d) is a middle one (of %d)", b,
           res.n_hist);
  EV_CHECK(res.n_hist == b + 5 && res.n_hist < o.epochs,
           "early stop %d epochs after the best: %d epochs run", o.patience, res.n_hist);
  size_t P = 0, P2 = 0;
  float *wb = weights_after(tr, NTR, &o, b, &P), *wl = weights_after(tr, NTR, &o, res.n_hist, &P2);
  EV_CHECK(wb && P == net.n_params && !memcmp(wb, net.w, P * sizeof *wb),
           "weights at the end = those after the best epoch %d", b);
  EV_CHECK(wl && P2 == net.n_params && memcmp(wl, net.w, P2 * sizeof *wl) != 0,
           "and not those of the last epoch %d (the restore did something)", res.n_hist);
  free(wb);
  free(wl);
  ev_train_result_free(&res);
  ev_net_free(&net);
}

int main(void) {
  char err[256];
  if (ev_arch_parse(arch_json, &arch, err, sizeof err) != 0) {
    fprintf(stderr, "arch: %s\n", err);
    return 1;
  }
  test_weight_decay();
  test_cosine_schedule();
  static const double freq[3] = {0.5, 1.0 / 6, 1.0 / 3}, equal[3] = {1.0 / 3, 1.0 / 3, 1.0 / 3};
  test_balance(EV_BALANCE_NONE, 1.0f, freq, "balance none");
  test_balance(EV_BALANCE_WEIGHTS, 1.0f, equal, "balance weights");
  test_balance(EV_BALANCE_OVERSAMPLE, 1.0f, equal, "balance oversample");
  /* one corpus: its cells are the classes. Weights count^-P make the optimum proportional to
   * count^(1-P): equal at P = 1, sqrt(30) : sqrt(10) : sqrt(20) at P = 1/2 */
  const double r = sqrt(30.0) + sqrt(10.0) + sqrt(20.0);
  const double half[3] = {sqrt(30.0) / r, sqrt(10.0) / r, sqrt(20.0) / r};
  test_balance(EV_BALANCE_CORPUS, 1.0f, equal, "balance corpus");
  test_balance(EV_BALANCE_CORPUS, 0.5f, half, "balance corpus:0.5");
  test_corpus_loss(0.0f); /* 3/7, 1/7, 3/7 */
  test_corpus_loss(0.5f);
  test_corpus_loss(1.0f); /* the pooled shares 3/8, 1/4, 3/8 */
  test_early_stop_and_plateau();
  test_best_checkpoint();
  ev_arch_free(&arch);
  EV_TEST_END();
}
