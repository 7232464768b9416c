/* Training loop. Thread use: each batch is cut into EV_TRAIN_CHUNKS contiguous chunks, each
 * with its own workspace and gradient; threads take chunks c, c + threads, ...; the gradients
 * are then summed in chunk order, so the result never depends on scheduling or thread count. */
#include "ev_trainer.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev_augment.h"
#include "ev_calibration.h"
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
  o->window = 100;
  o->progress = 1;
}

void ev_train_result_free(ev_train_result *r) {
  free(r->hist);
  memset(r, 0, sizeof *r);
}

/* ---- a tiny fork/join over chunks ---- */
typedef void (*chunk_fn)(void *arg, int chunk);
typedef struct pool_arg {
  chunk_fn fn;
  void *arg;
  int thread, threads;
} pool_arg;

static void *pool_main(void *p) {
  pool_arg *a = p;
  for (int c = a->thread; c < EV_TRAIN_CHUNKS; c += a->threads)
    a->fn(a->arg, c);
  return NULL;
}

static void run_chunks(int threads, chunk_fn fn, void *arg) {
  if (threads < 1)
    threads = 1;
  if (threads > EV_TRAIN_CHUNKS)
    threads = EV_TRAIN_CHUNKS;
  pthread_t th[EV_TRAIN_CHUNKS];
  pool_arg pa[EV_TRAIN_CHUNKS];
  int started[EV_TRAIN_CHUNKS] = {0};
  for (int t = 0; t < threads; t++)
    pa[t] = (pool_arg){fn, arg, t, threads};
  for (int t = 1; t < threads; t++)
    started[t] = pthread_create(&th[t], NULL, pool_main, &pa[t]) == 0;
  pool_main(&pa[0]);
  for (int t = 1; t < threads; t++) {
    if (started[t])
      pthread_join(th[t], NULL);
    else
      pool_main(&pa[t]); /* could not start a thread: do its share here */
  }
}

/* ---- training batches ---- */
typedef struct crop {
  const float *x;
  int T, label;
  float weight;
  ev_mask mask; /* n = 0: train on x as it is */
} crop;

typedef struct batch_ctx {
  const ev_net *net;
  ev_work *work; /* [EV_TRAIN_CHUNKS] */
  const crop *crops;
  int n;
  float smoothing;
  float *masked[EV_TRAIN_CHUNKS]; /* per chunk: a masked copy of one crop [window, in_dim] */
  double loss[EV_TRAIN_CHUNKS];
  int correct[EV_TRAIN_CHUNKS];
  int failed[EV_TRAIN_CHUNKS];
} batch_ctx;

static void batch_chunk(void *arg, int c) {
  batch_ctx *b = arg;
  ev_work *w = &b->work[c];
  memset(w->grad, 0, b->net->n_params * sizeof *w->grad);
  int lo = b->n * c / EV_TRAIN_CHUNKS, hi = b->n * (c + 1) / EV_TRAIN_CHUNKS;
  b->loss[c] = 0;
  b->correct[c] = 0;
  b->failed[c] = 0;
  for (int i = lo; i < hi; i++) {
    int ok = 0;
    const crop *cr = &b->crops[i];
    const float *x = cr->x;
    if (cr->mask.n > 0) {
      ev_mask_apply(&cr->mask, cr->x, cr->T, b->net->in_dim, b->masked[c]);
      x = b->masked[c];
    }
    float l = ev_net_train_crop(b->net, w, x, cr->T, cr->label, cr->weight, b->smoothing, &ok);
    if (l < 0)
      b->failed[c] = 1;
    b->loss[c] += l;
    b->correct[c] += ok;
  }
}

/* ---- prediction ---- */
typedef struct pred_ctx {
  const ev_net *net;
  ev_work *work;
  const ev_item *items;
  size_t n;
  int window;
  int *pred;
  float *probs;
  double *loss;       /* per item */
  float *crop_logits; /* NULL, or [n, EV_PRED_MAX_CROPS, n_classes] */
  int *n_crops;       /* NULL, or [n] */
} pred_ctx;

static void predict_item(const ev_net *net, ev_work *w, const ev_item *it, int window, float *p,
                         int *pred, double *loss, float *crop_logits, int *n_crops) {
  int C = net->n_classes;
  float own[EV_PRED_MAX_CROPS * EV_METRICS_MAX_CLASSES * 4];
  float *lgs = crop_logits ? crop_logits : own;
  int len = it->S < window ? it->S : window;
  int step = window / 2 > 0 ? window / 2 : 1, count = 0;
  for (int end = it->S - 1; end >= len - 1 && count < EV_PRED_MAX_CROPS && len > 0;
       end -= step, count++) {
    const float *lg =
        ev_net_forward(net, w, it->x + (size_t)(end - len + 1) * (size_t)net->in_dim, len);
    memcpy(lgs + (size_t)count * (size_t)C, lg, (size_t)C * sizeof *lg);
  }
  if (n_crops)
    *n_crops = count;
  ev_crop_probs(lgs, count, C, 1.0f, p); /* the calibration code's arithmetic, at T = 1 */
  int best = 0;
  for (int k = 1; k < C; k++)
    if (p[k] > p[best])
      best = k;
  *pred = best;
  *loss = -log(p[it->label] > 1e-12f ? p[it->label] : 1e-12f);
}

static void pred_chunk(void *arg, int c) {
  pred_ctx *q = arg;
  size_t lo = q->n * (size_t)c / EV_TRAIN_CHUNKS, hi = q->n * (size_t)(c + 1) / EV_TRAIN_CHUNKS;
  float p[EV_METRICS_MAX_CLASSES * 4];
  for (size_t i = lo; i < hi; i++) {
    predict_item(q->net, &q->work[c], &q->items[i], q->window, p, &q->pred[i], &q->loss[i],
                 q->crop_logits ? q->crop_logits + i * EV_PRED_MAX_CROPS * (size_t)q->net->n_classes
                                : NULL,
                 q->n_crops ? &q->n_crops[i] : NULL);
    if (q->probs)
      memcpy(q->probs + i * (size_t)q->net->n_classes, p, (size_t)q->net->n_classes * sizeof *p);
  }
}

static int works_init(ev_work *w, const ev_net *net, int Tmax) {
  for (int c = 0; c < EV_TRAIN_CHUNKS; c++)
    if (ev_work_init(&w[c], net, Tmax) != 0) {
      for (int k = 0; k < c; k++)
        ev_work_free(&w[k], net);
      return -1;
    }
  return 0;
}

static void works_free(ev_work *w, const ev_net *net) {
  for (int c = 0; c < EV_TRAIN_CHUNKS; c++)
    ev_work_free(&w[c], net);
}

static int predict_with(const ev_net *net, ev_work *work, const ev_item *items, size_t n,
                        int window, int threads, int *pred, float *probs, double *loss,
                        float *crop_logits, int *n_crops) {
  double *l = malloc((n + 1) * sizeof *l);
  if (!l)
    return -1;
  pred_ctx q = {net, work, items, n, window, pred, probs, l, crop_logits, n_crops};
  run_chunks(threads, pred_chunk, &q);
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += l[i];
  if (loss)
    *loss = n ? s / (double)n : 0.0;
  free(l);
  return 0;
}

int ev_predict_crops(const ev_net *net, const ev_item *items, size_t n, int window, int threads,
                     int *pred, float *probs, double *loss, float *crop_logits, int *n_crops) {
  ev_work work[EV_TRAIN_CHUNKS];
  if (net->n_classes > EV_METRICS_MAX_CLASSES * 4 || works_init(work, net, window) != 0)
    return -1;
  int rc =
      predict_with(net, work, items, n, window, threads, pred, probs, loss, crop_logits, n_crops);
  works_free(work, net);
  return rc;
}

int ev_predict(const ev_net *net, const ev_item *items, size_t n, int window, int threads,
               int *pred, float *probs, double *loss) {
  return ev_predict_crops(net, items, n, window, threads, pred, probs, loss, NULL, NULL);
}

/* ---- the loop ---- */
int ev_train(ev_net *net, const ev_item *train, size_t n_train, const ev_item *val, size_t n_val,
             const ev_train_opts *o, ev_train_result *res, char *err, size_t errlen) {
  memset(res, 0, sizeof *res);
  const int C = net->n_classes, W = o->window;
  if (n_train == 0) {
    snprintf(err, errlen, "no training clips");
    return -1;
  }
  ev_work work[EV_TRAIN_CHUNKS];
  if (works_init(work, net, W) != 0) {
    snprintf(err, errlen, "out of memory for the training workspace");
    return -1;
  }
  size_t P = net->n_params;
  float *m = calloc(P + 1, sizeof *m), *v = calloc(P + 1, sizeof *v);
  float *g = calloc(P + 1, sizeof *g), *best = malloc((P + 1) * sizeof *best);
  int *decay = calloc(P + 1, sizeof *decay);
  size_t cap = n_train * (size_t)C + 16;
  size_t *order = malloc(cap * sizeof *order);
  crop *crops = malloc((size_t)o->batch * sizeof *crops);
  float *masked =
      o->mask.masks > 0
          ? malloc((size_t)EV_TRAIN_CHUNKS * (size_t)W * (size_t)net->in_dim * sizeof(float))
          : NULL;
  int *pred = malloc((n_val + 1) * sizeof *pred);
  res->hist = calloc((size_t)o->epochs + 1, sizeof *res->hist);
  int rc = -1;
  if (!m || !v || !g || !best || !decay || !order || !crops || !pred || !res->hist ||
      (o->mask.masks > 0 && !masked)) {
    snprintf(err, errlen, "out of memory");
    goto done;
  }
  /* decoupled weight decay on matrices only (not biases, norms or attention bias) */
  for (int i = 0; i < net->n_layers; i++) {
    const ev_layer *l = &net->layers[i];
    for (int p = 0; p < l->n_params; p++)
      if (l->params[p].ndim >= 2) {
        size_t off = net->offset[i] + (size_t)(l->params[p].data - l->params[0].data);
        for (size_t k = 0; k < l->params[p].size; k++)
          decay[off + k] = 1;
      }
  }
  /* class counts -> loss weights or oversampling */
  size_t count[EV_METRICS_MAX_CLASSES * 4] = {0};
  for (size_t i = 0; i < n_train; i++)
    count[train[i].label]++;
  float cw[EV_METRICS_MAX_CLASSES * 4];
  int present = 0;
  size_t maxc = 0;
  for (int k = 0; k < C; k++) {
    present += count[k] > 0;
    maxc = count[k] > maxc ? count[k] : maxc;
  }
  for (int k = 0; k < C; k++)
    cw[k] = (o->balance == EV_BALANCE_WEIGHTS && count[k])
                ? (float)((double)n_train / ((double)present * (double)count[k]))
                : 1.0f;

  memcpy(best, net->w, P * sizeof *best);
  double lr = o->lr, best_loss = INFINITY;
  int since_best = 0, since_plateau = 0;
  long step = 0;
  double t_train = 0, clips_trained = 0;
  ev_rng rng, mask_rng; /* masks draw from their own stream: crops are the same with or without */
  ev_rng_seed(&rng, ev_hash_u64(o->seed, 0x7261696eULL));
  ev_rng_seed(&mask_rng, ev_hash_u64(o->seed, 0x6d61736bULL));
  for (int epoch = 1; epoch <= o->epochs; epoch++) {
    double t0 = ev_now();
    /* epoch order: all clips, or each class drawn up to the largest class (oversampling) */
    size_t n_epoch = 0;
    if (o->balance == EV_BALANCE_OVERSAMPLE) {
      for (int k = 0; k < C; k++) {
        if (!count[k])
          continue;
        size_t got = 0;
        while (got < maxc)
          for (size_t i = 0; i < n_train && got < maxc; i++)
            if (train[i].label == k) {
              order[n_epoch++] = i;
              got++;
            }
      }
    } else {
      for (size_t i = 0; i < n_train; i++)
        order[n_epoch++] = i;
    }
    for (size_t i = n_epoch; i > 1; i--) {
      size_t j = (size_t)(ev_rng_next(&rng) % i);
      size_t t = order[i - 1];
      order[i - 1] = order[j];
      order[j] = t;
    }
    double loss_sum = 0;
    long correct = 0, seen = 0;
    ev_progress prog;
    int live = o->progress && isatty(2); /* per-batch progress only on a terminal */
    if (live) {
      char label[48];
      snprintf(label, sizeof label, "epoch %d/%d", epoch, o->epochs);
      ev_progress_start(&prog, label, n_epoch);
    }
    for (size_t b0 = 0; b0 < n_epoch; b0 += (size_t)o->batch) {
      int nb = (int)(n_epoch - b0 < (size_t)o->batch ? n_epoch - b0 : (size_t)o->batch);
      for (int i = 0; i < nb; i++) {
        const ev_item *it = &train[order[b0 + (size_t)i]];
        int T = it->S < W ? it->S : W;
        int start = it->S > T ? (int)(ev_rng_next(&rng) % (uint64_t)(it->S - T + 1)) : 0;
        crops[i] = (crop){it->x + (size_t)start * (size_t)net->in_dim,
                          T,
                          it->label,
                          o->balance == EV_BALANCE_WEIGHTS ? cw[it->label] : 1.0f,
                          {0}};
        if (o->mask.masks > 0)
          ev_mask_draw(&o->mask, T, net->in_dim, &mask_rng, &crops[i].mask);
      }
      batch_ctx bc;
      memset(&bc, 0, sizeof bc);
      bc.net = net;
      bc.work = work;
      bc.crops = crops;
      for (int c = 0; c < EV_TRAIN_CHUNKS; c++)
        bc.masked[c] = masked ? masked + (size_t)c * (size_t)W * (size_t)net->in_dim : NULL;
      bc.n = nb;
      bc.smoothing = o->smoothing;
      run_chunks(o->threads, batch_chunk, &bc);
      for (int c = 0; c < EV_TRAIN_CHUNKS; c++) {
        if (bc.failed[c]) {
          snprintf(err, errlen, "out of memory in backward");
          goto done;
        }
        loss_sum += bc.loss[c];
        correct += bc.correct[c];
      }
      seen += nb;
      /* sum the chunk gradients in fixed order, mean over the batch */
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
      float scale = 1.0f;
      if (o->clip_norm > 0 && sqrt(norm2) > o->clip_norm)
        scale = (float)(o->clip_norm / sqrt(norm2));
      /* AdamW (Loshchilov & Hutter): decoupled decay, bias-corrected moments */
      step++;
      const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
      double c1 = 1.0 - pow(b1, (double)step), c2 = 1.0 - pow(b2, (double)step);
      for (size_t k = 0; k < P; k++) {
        float gk = g[k] * scale;
        m[k] = (float)(b1 * m[k] + (1 - b1) * gk);
        v[k] = (float)(b2 * v[k] + (1 - b2) * (double)gk * gk);
        double upd = (m[k] / c1) / (sqrt(v[k] / c2) + eps);
        if (decay[k])
          upd += o->weight_decay * net->w[k];
        net->w[k] -= (float)(lr * upd);
      }
      if (live)
        ev_progress_update(&prog, b0 + (size_t)nb);
    }
    if (live)
      ev_progress_end(&prog);
    double dt = ev_now() - t0;
    t_train += dt;
    clips_trained += (double)seen;
    ev_epoch_stats *h = &res->hist[res->n_hist++];
    h->epoch = epoch;
    h->train_loss = seen ? loss_sum / (double)seen : 0;
    h->train_acc = seen ? (double)correct / (double)seen : 0;
    h->lr = lr;
    h->val_loss = h->val_acc = h->val_uar = NAN;
    if (n_val) {
      double vl;
      if (predict_with(net, work, val, n_val, W, o->threads, pred, NULL, &vl, NULL, NULL) != 0) {
        snprintf(err, errlen, "out of memory in validation");
        goto done;
      }
      ev_confusion cm;
      ev_metrics mt;
      ev_confusion_init(&cm, C);
      for (size_t i = 0; i < n_val; i++)
        ev_confusion_add(&cm, val[i].label, pred[i]);
      ev_metrics_compute(&cm, &mt);
      h->val_loss = vl;
      h->val_acc = mt.accuracy;
      h->val_uar = mt.uar;
      if (vl < best_loss - 1e-4) {
        best_loss = vl;
        res->best_epoch = epoch;
        memcpy(best, net->w, P * sizeof *best);
        since_best = since_plateau = 0;
      } else {
        since_best++;
        since_plateau++;
      }
    }
    h->seconds = ev_now() - t0;
    if (o->progress)
      fprintf(stderr,
              "epoch %3d  loss %.4f  acc %5.1f%%  | val loss %.4f  acc %5.1f%%  UAR %5.1f%%  | "
              "lr %.2g  %.1f s\n",
              epoch, h->train_loss, 100 * h->train_acc, h->val_loss, 100 * h->val_acc,
              100 * h->val_uar, lr, h->seconds);
    if (n_val && since_best >= o->patience) {
      if (o->progress)
        fprintf(stderr, "early stop: no validation improvement for %d epochs\n", o->patience);
      break;
    }
    if (n_val && since_plateau >= o->plateau && lr > o->min_lr) {
      lr = lr * o->plateau_factor < o->min_lr ? o->min_lr : lr * o->plateau_factor;
      since_plateau = 0;
    }
  }
  if (n_val)
    memcpy(net->w, best, P * sizeof *best);
  else
    res->best_epoch = res->n_hist;
  res->best_val_loss = best_loss;
  res->clips_per_second = t_train > 0 ? clips_trained / t_train : 0;
  rc = 0;
done:
  works_free(work, net);
  free(m);
  free(v);
  free(g);
  free(best);
  free(decay);
  free(order);
  free(crops);
  free(masked);
  free(pred);
  return rc;
}
