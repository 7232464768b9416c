/* Training loop, in the style of llm.c's train_gpt2.c: one trainer struct allocated up front,
 * and per batch a step of a few calls (draw the crops, forward + backward, reduce the gradients,
 * AdamW). Thread use: each batch is cut into EV_TRAIN_CHUNKS contiguous chunks, each with its
 * own workspace and gradient; threads take chunks c, c + threads, ...; the gradients are then
 * summed in chunk order, so the result never depends on scheduling or thread count. */
#include "ev_trainer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev_adversary.h"
#include "ev_augment.h"
#include "ev_chunks.h"
#include "ev_metrics.h"
#include "ev_progress.h"

void ev_train_opts_default(ev_train_opts *o) {
  memset(o, 0, sizeof *o);
  o->epochs = 30;
  o->batch = 32;
  o->lr = 1e-3f;
  o->weight_decay = 1e-4f;
  o->smoothing = 0.1f;
  o->threads = 2;
  o->seed = 1;
  o->patience = 8;
  o->plateau = 3;
  o->plateau_factor = 0.5f;
  o->min_lr = 1e-5f;
  o->clip_norm = 5.0f;
  o->balance = EV_BALANCE_WEIGHTS;
  o->balance_power = 1.0f;
  o->window = 100;
  o->progress = 1;
  o->read_warmup = -1.0f;
}

void ev_train_result_free(ev_train_result *r) {
  free(r->hist);
  memset(r, 0, sizeof *r);
}

/* ---- training batches ---- */
typedef struct crop {
  const float *x;
  int T, label, group;
  unsigned classes;
  float weight;
  ev_mask mask; /* n = 0: train on x as it is */
  /* mixup: the input is lam * x + (1 - lam) * x2 and the loss lam * CE(label) + (1 - lam) *
   * CE(label2); x2 = NULL: no partner */
  const float *x2;
  int label2;
  unsigned classes2;
  float weight2, lam;
  uint64_t drop_seed; /* its dropout masks' seed (ev_work.dropout_seed) */
} crop;

typedef struct batch_ctx {
  const ev_net *net;
  ev_work *work; /* [EV_TRAIN_CHUNKS] */
  const crop *crops;
  int n;
  float smoothing;
  float all_share;         /* ev_train_opts.all_share */
  const ev_adversary *adv; /* the corpus adversary, or NULL */
  const float *coord;      /* --arousal-loss: each class's arousal, else NULL */
  float coord_weight;      /* its weight */
  float dropout;           /* ev_train_opts.dropout */
  float adv_lambda;        /* its confusion loss's weight at this step */
  double adv_loss[EV_TRAIN_CHUNKS];
  float *masked[EV_TRAIN_CHUNKS]; /* per chunk: a masked copy of one crop [window, in_dim] */
  float *mixed[EV_TRAIN_CHUNKS];  /* per chunk: one crop mixed with its partner [window, in_dim] */
  double loss[EV_TRAIN_CHUNKS];
  int correct[EV_TRAIN_CHUNKS];
} batch_ctx;

/* One crop's loss (added gradient) for label: over every label, over its corpus's labels, or a
 * share of each (all_share; the gradient is linear in the loss, so two passes add up). */
static float crop_loss(const batch_ctx *b, ev_work *w, const float *x, int T, int label,
                       unsigned classes, float weight, int *ok) {
  const float s = b->all_share, cw = weight * b->coord_weight; /* the arousal term: once a crop */
  if (!classes || s <= 0.0f || s >= 1.0f) /* one pass: over the corpus's labels, or every one */
    return ev_net_train_crop_aux(b->net, w, x, T, label, s >= 1.0f ? 0u : classes, weight,
                                 b->smoothing, b->coord, cw, ok);
  int ok2 = 0;
  const float all =
      ev_net_train_crop_aux(b->net, w, x, T, label, 0u, weight * s, b->smoothing, b->coord, cw, ok);
  const float own =
      ev_net_train_crop(b->net, w, x, T, label, classes, weight * (1.0f - s), b->smoothing, &ok2);
  return s * all + (1.0f - s) * own;
}

static void batch_chunk(void *arg, int c) {
  batch_ctx *b = arg;
  ev_work *w = &b->work[c];
  memset(w->grad, 0, b->net->n_params * sizeof *w->grad);
  int lo = b->n * c / EV_TRAIN_CHUNKS, hi = b->n * (c + 1) / EV_TRAIN_CHUNKS;
  b->loss[c] = 0;
  b->correct[c] = 0;
  b->adv_loss[c] = 0;
  for (int i = lo; i < hi; i++) {
    int ok = 0;
    const crop *cr = &b->crops[i];
    const float *x = cr->x;
    w->dropout = b->dropout; /* every pass over this crop (and the adversary's) sees one mask */
    w->dropout_seed = cr->drop_seed;
    if (cr->x2) {
      const size_t n = (size_t)cr->T * (size_t)b->net->in_dim;
      for (size_t k = 0; k < n; k++)
        b->mixed[c][k] = cr->lam * cr->x[k] + (1.0f - cr->lam) * cr->x2[k];
      x = b->mixed[c];
    }
    if (cr->mask.n > 0) {
      ev_mask_apply(&cr->mask, x, cr->T, b->net->in_dim, b->masked[c]);
      x = b->masked[c];
    }
    if (!cr->x2) {
      b->loss[c] += crop_loss(b, w, x, cr->T, cr->label, cr->classes, cr->weight, &ok);
    } else {
      /* the gradient is linear in the loss: two backward passes through the same input add up
       * to the gradient of the mixed loss */
      int ok2 = 0;
      b->loss[c] +=
          cr->lam * crop_loss(b, w, x, cr->T, cr->label, cr->classes, cr->weight * cr->lam, &ok);
      b->loss[c] += (1.0f - cr->lam) * crop_loss(b, w, x, cr->T, cr->label2, cr->classes2,
                                                 cr->weight2 * (1.0f - cr->lam), &ok2);
    }
    b->correct[c] += ok;
    if (b->adv)
      b->adv_loss[c] += ev_adversary_crop(b->adv, c, b->net, w, x, cr->T, cr->label, cr->group,
                                          cr->weight, b->adv_lambda);
  }
  w->dropout = 0.0f; /* validation and prediction use the whole network */
}

/* ---- the optimiser ---- */
/* AdamW (Loshchilov & Hutter): bias-corrected moments, weight decay decoupled from the
 * gradient and applied to matrices only (not biases, norms or the attention bias). */
typedef struct adamw {
  float *m, *v;
  int *decay; /* per parameter: 1 when it is decayed */
  long step;
} adamw;

static int adamw_init(adamw *a, const ev_net *net) {
  size_t P = net->n_params;
  *a = (adamw){calloc(P + 1, sizeof *a->m), calloc(P + 1, sizeof *a->v),
               calloc(P + 1, sizeof *a->decay), 0};
  if (!a->m || !a->v || !a->decay)
    return -1;
  for (int i = 0; i < net->n_layers; i++) {
    const ev_layer *l = &net->layers[i];
    for (int p = 0; p < l->n_params; p++)
      if (l->params[p].ndim >= 2) {
        size_t off = net->offset[i] + (size_t)(l->params[p].data - l->params[0].data);
        for (size_t k = 0; k < l->params[p].size; k++)
          a->decay[off + k] = 1;
      }
  }
  return 0;
}

static void adamw_free(adamw *a) {
  free(a->m);
  free(a->v);
  free(a->decay);
}

void ev_adamw_step(float *w, float *m, float *v, const float *g, const int *decay, size_t n,
                   long step, float scale, double lr, float weight_decay) {
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  double c1 = 1.0 - pow(b1, (double)step), c2 = 1.0 - pow(b2, (double)step);
  for (size_t k = 0; k < n; k++) {
    float gk = g[k] * scale;
    m[k] = (float)(b1 * m[k] + (1 - b1) * gk);
    v[k] = (float)(b2 * v[k] + (1 - b2) * (double)gk * gk);
    double upd = (m[k] / c1) / (sqrt(v[k] / c2) + eps);
    if (decay && decay[k])
      upd += weight_decay * w[k];
    w[k] -= (float)(lr * upd);
  }
}

/* One step on net->w from the gradient g times scale (the clip factor). */
static void adamw_update(adamw *a, ev_net *net, const float *g, float scale, double lr,
                         float weight_decay) {
  a->step++;
  ev_adamw_step(net->w, a->m, a->v, g, a->decay, net->n_params, a->step, scale, lr, weight_decay);
}

/* Sums the chunks' gradients in chunk order (so the thread count cannot change a bit) into g,
 * as the mean over the batch's nb crops, non-finite values zeroed. Returns the factor that
 * clips the global norm to clip_norm (1 when clip_norm is 0 or not reached). */
static float reduce_gradients(const ev_work *work, size_t P, int nb, float clip_norm, float *g) {
  double norm2 = 0;
  for (size_t k = 0; k < P; k++) {
    float s = 0;
    for (int c = 0; c < EV_TRAIN_CHUNKS; c++)
      s += work[c].grad[k];
    s /= (float)nb;
    if (!isfinite(s))
      s = 0;
    g[k] = s;
    norm2 += (double)s * s;
  }
  if (clip_norm > 0 && sqrt(norm2) > clip_norm)
    return (float)(clip_norm / sqrt(norm2));
  return 1.0f;
}

/* ---- the trainer: everything a run owns, allocated once ---- */
typedef struct trainer {
  ev_net *net;
  const ev_train_opts *o;
  const ev_item *train, *val;
  size_t n_train, n_val;
  ev_work work[EV_TRAIN_CHUNKS];
  int have_work;
  adamw opt;
  float *g;        /* the reduced gradient [n_params] */
  float *best;     /* the best-validation weights [n_params] */
  size_t *order;   /* the epoch's clip order */
  crop *crops;     /* the batch [o->batch] */
  float *masked;   /* [EV_TRAIN_CHUNKS, window, in_dim] when masking, else NULL */
  int *pred;       /* validation predictions [n_val] */
  double *vloss;   /* validation cross-entropy per clip [n_val] */
  batch_ctx batch; /* what the chunks of a batch share */
  size_t count[EV_METRICS_MAX_CLASSES * 4], maxc;           /* clips per class, the largest count */
  float cw[EV_METRICS_MAX_CLASSES * 4];                     /* class loss weights */
  size_t cell[EV_TRAIN_MAX_GROUPS][EV_METRICS_MAX_CLASSES]; /* clips per (corpus, label) */
  int n_cells;                                              /* cells with clips */
  ev_rng rng, mask_rng; /* masks draw from their own stream: crops are the same with or without */
  ev_rng mix_rng;       /* and so do mixup's partners and weights */
  ev_rng drop_rng;      /* and the dropout masks' seeds */
  ev_adversary adv;     /* --adversary: the corpus head (adv.n = 0: off) */
  long adv_step;        /* batches taken, for the adversary's ramp */
  float *mixed;         /* [EV_TRAIN_CHUNKS][window * in_dim] when mixup is on */
  double lr, best_loss;
  long step, n_steps; /* the cosine schedule: steps taken, and all the run's steps */
  int since_best, since_plateau;
  double t_train, clips_trained;
} trainer;

static void trainer_free(trainer *t) {
  if (t->have_work)
    ev_works_free(t->work, t->net);
  adamw_free(&t->opt);
  free(t->g);
  free(t->best);
  free(t->order);
  free(t->crops);
  free(t->masked);
  free(t->mixed);
  free(t->pred);
  free(t->vloss);
  ev_adversary_free(&t->adv);
}

/* Class counts -> loss weights (balance = weights) or the size oversampling fills up to. */
static void class_weights(trainer *t) {
  const int C = t->net->n_classes;
  for (size_t i = 0; i < t->n_train; i++)
    t->count[t->train[i].label]++;
  int present = 0;
  for (int k = 0; k < C; k++) {
    present += t->count[k] > 0;
    t->maxc = t->count[k] > t->maxc ? t->count[k] : t->maxc;
  }
  for (int k = 0; k < C; k++)
    t->cw[k] = (t->o->balance == EV_BALANCE_WEIGHTS && t->count[k])
                   ? (float)((double)t->n_train / ((double)present * (double)t->count[k]))
                   : 1.0f;
  for (size_t i = 0; i < t->n_train; i++) {
    const ev_item *it = &t->train[i];
    int g = it->group >= 0 && it->group < EV_TRAIN_MAX_GROUPS ? it->group : 0;
    if (!t->cell[g][it->label]++)
      t->n_cells++;
  }
}

/* A clip's loss weight: its class's (balance weights) or its (corpus, label) cell's (balance
 * corpus: every cell weighs n_train / n_cells in total, so a small corpus counts as much as a
 * large one and each of its labels equally; with balance_power P < 1 a clip weighs that
 * weight to the power P, part of the way from every clip alike to every cell alike). */
static float item_weight(const trainer *t, const ev_item *it) {
  if (t->o->balance == EV_BALANCE_WEIGHTS)
    return t->cw[it->label];
  if (t->o->balance == EV_BALANCE_CORPUS) {
    int g = it->group >= 0 && it->group < EV_TRAIN_MAX_GROUPS ? it->group : 0;
    const double w = (double)t->n_train / ((double)t->n_cells * (double)t->cell[g][it->label]);
    return (float)(t->o->balance_power == 1.0f ? w : pow(w, (double)t->o->balance_power));
  }
  return 1.0f;
}

/* How many crops an epoch draws: every clip, or with oversampling each class up to the
 * largest (what epoch_order returns, without drawing from the RNG). */
static size_t epoch_length(const trainer *t) {
  if (t->o->balance != EV_BALANCE_OVERSAMPLE)
    return t->n_train;
  size_t n = 0;
  for (int k = 0; k < t->net->n_classes; k++)
    if (t->count[k])
      n += t->maxc;
  return n;
}

double ev_cosine_lr(double lr, double min_lr, long k, long n_steps) {
  if (n_steps <= 1)
    return lr;
  return min_lr + 0.5 * (lr - min_lr) * (1.0 + cos(M_PI * (double)k / (double)(n_steps - 1)));
}

static int trainer_init(trainer *t, ev_net *net, const ev_item *train, size_t n_train,
                        const ev_item *val, size_t n_val, const ev_train_opts *o,
                        ev_train_result *res, char *err, size_t errlen) {
  *t =
      (trainer){.net = net, .o = o, .train = train, .val = val, .n_train = n_train, .n_val = n_val};
  const int W = o->window;
  if (ev_works_init(t->work, net, W) != 0) {
    snprintf(err, errlen, "out of memory for the training workspace");
    return -1;
  }
  t->have_work = 1;
  size_t P = net->n_params;
  int opt_ok = adamw_init(&t->opt, net) == 0;
  t->g = calloc(P + 1, sizeof *t->g);
  t->best = malloc((P + 1) * sizeof *t->best);
  t->order = malloc((n_train * (size_t)net->n_classes + 16) * sizeof *t->order);
  t->crops = malloc((size_t)o->batch * sizeof *t->crops);
  if (o->mask.masks > 0)
    t->masked = malloc((size_t)EV_TRAIN_CHUNKS * (size_t)W * (size_t)net->in_dim * sizeof(float));
  if (o->mixup > 0.0f)
    t->mixed = malloc((size_t)EV_TRAIN_CHUNKS * (size_t)W * (size_t)net->in_dim * sizeof(float));
  t->pred = malloc((n_val + 1) * sizeof *t->pred);
  t->vloss = malloc((n_val + 1) * sizeof *t->vloss);
  res->hist = calloc((size_t)o->epochs + 1, sizeof *res->hist);
  if (!opt_ok || !t->g || !t->best || !t->order || !t->crops || !t->pred || !t->vloss ||
      !res->hist || (o->mask.masks > 0 && !t->masked) || (o->mixup > 0.0f && !t->mixed)) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  class_weights(t);
  if (o->adversary > 0.0f) {
    unsigned has[EV_ADV_MAX_CLASSES] = {0};
    for (int g = 0; g < EV_TRAIN_MAX_GROUPS && g < EV_ADV_MAX_GROUPS; g++)
      for (int k = 0; k < net->n_classes && k < EV_ADV_MAX_CLASSES; k++)
        if (t->cell[g][k])
          has[k] |= 1u << g;
    if (ev_adversary_init(&t->adv, net, has, EV_TRAIN_CHUNKS, err, errlen) != 0)
      return -1;
  }
  t->batch = (batch_ctx){.net = net,
                         .work = t->work,
                         .crops = t->crops,
                         .smoothing = o->smoothing,
                         .all_share = o->all_share,
                         .adv = o->adversary > 0.0f ? &t->adv : NULL,
                         .coord = o->arousal_loss > 0.0f ? o->class_arousal : NULL,
                         .coord_weight = o->arousal_loss,
                         .dropout = o->dropout};
  for (int c = 0; c < EV_TRAIN_CHUNKS; c++)
    t->batch.masked[c] = t->masked ? t->masked + (size_t)c * (size_t)W * (size_t)net->in_dim : NULL;
  for (int c = 0; c < EV_TRAIN_CHUNKS; c++)
    t->batch.mixed[c] = t->mixed ? t->mixed + (size_t)c * (size_t)W * (size_t)net->in_dim : NULL;
  memcpy(t->best, net->w, P * sizeof *t->best);
  t->lr = o->lr;
  t->n_steps =
      (long)o->epochs * (long)((epoch_length(t) + (size_t)o->batch - 1) / (size_t)o->batch);
  t->best_loss = INFINITY;
  ev_rng_seed(&t->rng, ev_hash_u64(o->seed, 0x7261696eULL));
  ev_rng_seed(&t->mask_rng, ev_hash_u64(o->seed, 0x6d61736bULL));
  ev_rng_seed(&t->mix_rng, ev_hash_u64(o->seed, 0x6d697875ULL));
  ev_rng_seed(&t->drop_rng, ev_hash_u64(o->seed, 0x64726f70ULL));
  return 0;
}

/* The epoch's order into t->order: all clips, or each class drawn up to the largest class
 * (oversampling), then shuffled. Returns its length. */
static size_t epoch_order(trainer *t) {
  size_t n = 0, *order = t->order;
  if (t->o->balance == EV_BALANCE_OVERSAMPLE) {
    for (int k = 0; k < t->net->n_classes; k++) {
      if (!t->count[k])
        continue;
      size_t got = 0;
      while (got < t->maxc)
        for (size_t i = 0; i < t->n_train && got < t->maxc; i++)
          if (t->train[i].label == k) {
            order[n++] = i;
            got++;
          }
    }
  } else {
    for (size_t i = 0; i < t->n_train; i++)
      order[n++] = i;
  }
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)(ev_rng_next(&t->rng) % i);
    size_t tmp = order[i - 1];
    order[i - 1] = order[j];
    order[j] = tmp;
  }
  return n;
}

/* A Gamma(shape, 1) draw (Marsaglia & Tsang 2000; shape < 1 through Gamma(shape + 1) *
 * U^(1/shape)). */
static double gamma_draw(ev_rng *r, double shape) {
  if (shape < 1.0) {
    double u = ev_rng_uniform(r);
    return gamma_draw(r, shape + 1.0) * pow(u > 0.0 ? u : 1e-300, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
  for (;;) { /* accepts about 95 % of the time or more */
    double z = ev_rng_gauss(r), v = 1.0 + c * z;
    if (v <= 0.0)
      continue;
    v = v * v * v;
    double u = ev_rng_uniform(r);
    if (u < 1.0 - 0.0331 * z * z * z * z ||
        log(u > 0.0 ? u : 1e-300) < 0.5 * z * z + d * (1.0 - v + log(v)))
      return d * v;
  }
}

double ev_mixup_lambda(ev_rng *r, double alpha) {
  const double a = gamma_draw(r, alpha), b = gamma_draw(r, alpha);
  const double l = a + b > 0.0 ? a / (a + b) : 0.5;
  return l > 0.5 ? l : 1.0 - l;
}

/* mixup: every crop takes a partner from the batch, drawn at random (itself: no mixing), and
 * a weight lam >= 0.5 of its own, so that its label still leads. Partners of another length
 * (a clip shorter than the window) are not mixed. */
static void pair_crops(trainer *t, int nb) {
  for (int i = 0; i < nb; i++) {
    const int j = (int)(ev_rng_next(&t->mix_rng) % (uint64_t)nb);
    const float lam = (float)ev_mixup_lambda(&t->mix_rng, t->o->mixup);
    crop *a = &t->crops[i];
    const crop *b = &t->crops[j];
    a->x2 = NULL;
    if (j == i || b->T != a->T)
      continue;
    a->x2 = b->x;
    a->label2 = b->label;
    a->classes2 = b->classes;
    a->weight2 = b->weight;
    a->lam = lam;
  }
}

/* The crops of clips idx[0..nb): a random window of each (the whole clip when shorter), its
 * class weight, and its feature masks when masking is on. */
static void draw_batch(trainer *t, const size_t *idx, int nb) {
  const ev_train_opts *o = t->o;
  const int D = t->net->in_dim;
  for (int i = 0; i < nb; i++) {
    const ev_item *it = &t->train[idx[i]];
    int T = it->S < o->window ? it->S : o->window;
    int start = 0;
    if (it->S > T && o->late_crops) {
      /* density of start s proportional to s + 1: the crops that end late in a phrase, whose
       * readings the file summary is made of (ev_summary.h), are drawn most */
      const uint64_t n = (uint64_t)(it->S - T + 1), total = n * (n + 1) / 2;
      uint64_t r = ev_rng_next(&t->rng) % total, acc = 0;
      int s = 0;
      while (acc + (uint64_t)s + 1 <= r) {
        acc += (uint64_t)s + 1;
        s++;
      }
      start = s;
    } else if (it->S > T) {
      start = (int)(ev_rng_next(&t->rng) % (uint64_t)(it->S - T + 1));
    }
    t->crops[i] = (crop){it->x + (size_t)start * (size_t)D,
                         T,
                         it->label,
                         it->group,
                         o->corpus_classes ? it->classes : 0u,
                         item_weight(t, it),
                         {0},
                         NULL,
                         0,
                         0u,
                         0.0f,
                         1.0f,
                         0};
    if (o->dropout > 0.0f)
      t->crops[i].drop_seed = ev_rng_next(&t->drop_rng);
    if (o->mask.masks > 0)
      ev_mask_draw(&o->mask, T, D, &t->mask_rng, &t->crops[i].mask);
  }
  if (o->mixup > 0.0f)
    pair_crops(t, nb);
}

/* Forward and backward of the batch's nb crops, chunk by chunk on the threads; adds their loss
 * and correct count to the epoch's sums (in chunk order). */
static void forward_backward(trainer *t, int nb, double *loss_sum, long *correct, double *adv_sum) {
  t->batch.n = nb;
  if (t->batch.adv)
    t->batch.adv_lambda = (float)ev_adversary_ramp(
        t->o->adversary, t->n_steps > 1 ? (double)t->adv_step / (double)(t->n_steps - 1) : 1.0);
  ev_run_chunks(t->o->threads, batch_chunk, &t->batch);
  for (int c = 0; c < EV_TRAIN_CHUNKS; c++) {
    *loss_sum += t->batch.loss[c];
    *correct += t->batch.correct[c];
    *adv_sum += t->batch.adv_loss[c];
  }
}

/* The first layer's weights of the inputs a member does not read, back to 0 after every step
 * (and before the first): the network then ignores them exactly, whatever they hold. */
static void hold_dropped_inputs(ev_net *net, const unsigned char *keep) {
  if (!keep || net->n_layers < 1)
    return;
  ev_layer *L = &net->layers[0];
  ev_param *W = L->kind == EV_LAYER_DENSE ? ev_layer_param(L, "weight") : NULL;
  if (!W) /* ev_ensemble_train refuses a subspace for such networks */
    return;
  for (int r = 0; r < L->out_dim; r++)
    for (int c = 0; c < L->in_dim; c++)
      if (!keep[c])
        W->data[(size_t)r * (size_t)L->in_dim + (size_t)c] = 0.0f;
}

/* One pass over the training clips, a step per batch; training loss and accuracy into h. */
static void train_epoch(trainer *t, int epoch, ev_epoch_stats *h) {
  const ev_train_opts *o = t->o;
  double t0 = ev_now(), loss_sum = 0, adv_sum = 0;
  long correct = 0, seen = 0;
  size_t n = epoch_order(t);
  ev_progress prog;
  int live = o->progress && isatty(2); /* per-batch progress only on a terminal */
  if (live) {
    char label[48];
    snprintf(label, sizeof label, "epoch %d/%d", epoch, o->epochs);
    ev_progress_start(&prog, label, n);
  }
  for (size_t b0 = 0; b0 < n; b0 += (size_t)o->batch) {
    int nb = (int)(n - b0 < (size_t)o->batch ? n - b0 : (size_t)o->batch);
    draw_batch(t, t->order + b0, nb);
    forward_backward(t, nb, &loss_sum, &correct, &adv_sum);
    float scale = reduce_gradients(t->work, t->net->n_params, nb, o->clip_norm, t->g);
    if (o->cosine) /* why: with fixed epochs the last weights ship; a decayed LR settles them */
      t->lr = ev_cosine_lr(o->lr, o->min_lr, t->step++, t->n_steps);
    adamw_update(&t->opt, t->net, t->g, scale, t->lr, o->weight_decay);
    hold_dropped_inputs(t->net, o->input_keep);
    if (t->batch.adv) {
      ev_adversary_update(&t->adv, nb, t->lr);
      t->adv_step++;
    }
    seen += nb;
    if (live)
      ev_progress_update(&prog, b0 + (size_t)nb);
  }
  if (live)
    ev_progress_end(&prog);
  t->t_train += ev_now() - t0;
  t->clips_trained += (double)seen;
  h->epoch = epoch;
  h->train_loss = seen ? loss_sum / (double)seen : 0;
  h->train_acc = seen ? (double)correct / (double)seen : 0;
  h->adv_loss = seen && t->batch.adv ? adv_sum / (double)seen : NAN;
  h->lr = t->lr;
  h->val_loss = h->val_acc = h->val_uar = NAN;
}

/* Validation loss, accuracy and UAR into h; keeps the weights when the loss improved. */
static void validate(trainer *t, ev_epoch_stats *h, ev_train_result *res) {
  double vl;
  ev_predict_with(t->net, t->work, t->val, t->n_val, t->o->window, t->o->threads, t->pred, NULL,
                  t->vloss, &vl, NULL, NULL);
  ev_confusion cm;
  ev_metrics mt;
  ev_confusion_init(&cm, t->net->n_classes);
  for (size_t i = 0; i < t->n_val; i++)
    ev_confusion_add(&cm, t->val[i].label, t->pred[i]);
  ev_metrics_compute(&cm, &mt);
  h->val_loss = vl;
  h->val_acc = mt.accuracy;
  h->val_uar = mt.uar;
  if (vl < t->best_loss - 1e-4) {
    t->best_loss = vl;
    res->best_epoch = h->epoch;
    memcpy(t->best, t->net->w, t->net->n_params * sizeof *t->best);
    t->since_best = t->since_plateau = 0;
  } else {
    t->since_best++;
    t->since_plateau++;
  }
}

/* After a validated epoch: 1 to stop early, else reduces the learning rate on a plateau. */
static int early_stop_or_plateau(trainer *t) {
  const ev_train_opts *o = t->o;
  if (t->since_best >= o->patience) {
    if (o->progress)
      fprintf(stderr, "early stop: no validation improvement for %d epochs\n", o->patience);
    return 1;
  }
  if (!o->cosine && t->since_plateau >= o->plateau && t->lr > o->min_lr) {
    t->lr = t->lr * o->plateau_factor < o->min_lr ? o->min_lr : t->lr * o->plateau_factor;
    t->since_plateau = 0;
  }
  return 0;
}

static void print_epoch(const ev_epoch_stats *h) {
  fprintf(stderr,
          "epoch %3d  loss %.4f  acc %5.1f%%  | val loss %.4f  acc %5.1f%%  UAR %5.1f%%  | "
          "lr %.2g  %.1f s\n",
          h->epoch, h->train_loss, 100 * h->train_acc, h->val_loss, 100 * h->val_acc,
          100 * h->val_uar, h->lr, h->seconds);
  if (isfinite(h->adv_loss)) /* how well the corpus head still tells the corpora apart */
    fprintf(stderr, "          corpus adversary loss %.4f\n", h->adv_loss);
}

/* ---- the loop ---- */
int ev_train(ev_net *net, const ev_item *train, size_t n_train, const ev_item *val, size_t n_val,
             const ev_train_opts *o, ev_train_result *res, char *err, size_t errlen) {
  memset(res, 0, sizeof *res);
  if (n_train == 0) {
    snprintf(err, errlen, "no training clips");
    return -1;
  }
  trainer t;
  int rc = trainer_init(&t, net, train, n_train, val, n_val, o, res, err, errlen);
  if (rc == 0)
    hold_dropped_inputs(net, o->input_keep);
  for (int epoch = 1; rc == 0 && epoch <= o->epochs; epoch++) {
    ev_epoch_stats *h = &res->hist[res->n_hist++];
    double t0 = ev_now();
    train_epoch(&t, epoch, h);
    if (n_val)
      validate(&t, h, res);
    h->seconds = ev_now() - t0;
    if (o->progress)
      print_epoch(h);
    if (n_val && early_stop_or_plateau(&t))
      break;
  }
  if (rc == 0) { /* the best-validation weights, or the last ones without validation */
    if (n_val)
      memcpy(net->w, t.best, net->n_params * sizeof *t.best);
    else
      res->best_epoch = res->n_hist;
    res->best_val_loss = t.best_loss;
    res->clips_per_second = t.t_train > 0 ? t.clips_trained / t.t_train : 0;
  }
  trainer_free(&t);
  return rc;
}
