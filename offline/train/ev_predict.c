/* Clip-level prediction (ev_trainer.h): crops ending at the clip's end, their softmax outputs
 * averaged; chunks of clips on the threads, each with its own workspace. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_calibration.h"
#include "ev_chunks.h"
#include "ev_metrics.h"

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

void ev_predict_with(const ev_net *net, ev_work *work, const ev_item *items, size_t n, int window,
                     int threads, int *pred, float *probs, double *item_loss, double *loss,
                     float *crop_logits, int *n_crops) {
  pred_ctx q = {net, work, items, n, window, pred, probs, item_loss, crop_logits, n_crops};
  ev_run_chunks(threads, pred_chunk, &q);
  double s = 0;
  for (size_t i = 0; i < n; i++) /* in clip order: the same sum whatever the threads */
    s += item_loss[i];
  if (loss)
    *loss = n ? s / (double)n : 0.0;
}

int ev_predict_crops(const ev_net *net, const ev_item *items, size_t n, int window, int threads,
                     int *pred, float *probs, double *loss, float *crop_logits, int *n_crops) {
  ev_work work[EV_TRAIN_CHUNKS];
  if (net->n_classes > EV_METRICS_MAX_CLASSES * 4)
    return -1;
  double *item_loss = malloc((n + 1) * sizeof *item_loss);
  if (!item_loss || ev_works_init(work, net, window) != 0) {
    free(item_loss);
    return -1;
  }
  ev_predict_with(net, work, items, n, window, threads, pred, probs, item_loss, loss, crop_logits,
                  n_crops);
  ev_works_free(work, net);
  free(item_loss);
  return 0;
}

int ev_predict(const ev_net *net, const ev_item *items, size_t n, int window, int threads,
               int *pred, float *probs, double *loss) {
  return ev_predict_crops(net, items, n, window, threads, pred, probs, loss, NULL, NULL);
}
