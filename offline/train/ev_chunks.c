/* The chunk pool and the chunk workspaces shared by training and prediction. */
#include "ev_chunks.h"

#include <pthread.h>

typedef struct pool_arg {
  ev_chunk_fn fn;
  void *arg;
  int thread, threads;
} pool_arg;

static void *pool_main(void *p) {
  pool_arg *a = p;
  for (int c = a->thread; c < EV_TRAIN_CHUNKS; c += a->threads)
    a->fn(a->arg, c);
  return NULL;
}

void ev_run_chunks(int threads, ev_chunk_fn fn, void *arg) {
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

int ev_works_init(ev_work *w, const ev_net *net, int Tmax) {
  for (int c = 0; c < EV_TRAIN_CHUNKS; c++)
    if (ev_work_init(&w[c], net, Tmax) != 0) {
      for (int k = 0; k < c; k++)
        ev_work_free(&w[k], net);
      return -1;
    }
  return 0;
}

void ev_works_free(ev_work *w, const ev_net *net) {
  for (int c = 0; c < EV_TRAIN_CHUNKS; c++)
    ev_work_free(&w[c], net);
}
