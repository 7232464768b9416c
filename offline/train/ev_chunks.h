/* What training (ev_trainer.c) and prediction (ev_predict.c) share: a tiny fork/join over the
 * EV_TRAIN_CHUNKS fixed chunks of a batch, one network workspace per chunk, and prediction on
 * workspaces the caller already holds (validation reuses the training ones). Results never
 * depend on the thread count: chunks are fixed, and their results are combined in chunk order. */
#ifndef EV_CHUNKS_H
#define EV_CHUNKS_H

#include <stddef.h>

#include "ev_net.h"
#include "ev_trainer.h"

typedef void (*ev_chunk_fn)(void *arg, int chunk);
/* Calls fn(arg, c) for every chunk c, on up to `threads` threads (thread t takes chunks t,
 * t + threads, ...; a thread that cannot start has its share done by the caller). */
void ev_run_chunks(int threads, ev_chunk_fn fn, void *arg);

/* EV_TRAIN_CHUNKS workspaces for crops of up to Tmax steps. 0, or -1 (nothing held then). */
int ev_works_init(ev_work *w, const ev_net *net, int Tmax);
void ev_works_free(ev_work *w, const ev_net *net);

/* ev_predict_crops on the caller's memory: workspaces (from ev_works_init with Tmax >= window)
 * and item_loss, n doubles for each clip's cross-entropy (validation allocates nothing per
 * epoch). */
void ev_predict_with(const ev_net *net, ev_work *work, const ev_item *items, size_t n, int window,
                     int threads, int *pred, float *probs, double *item_loss, double *loss,
                     float *crop_logits, int *n_crops);

#endif
