/* Training clips as heard in a session of their speaker (see ev_sessions.h). */
#include "ev_sessions.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ev_input.h"

typedef struct session_key {
  const char *speaker;
  uint64_t order;
  size_t clip;
} session_key;

static int cmp_session_key(const void *pa, const void *pb) {
  const session_key *a = pa, *b = pb;
  int c = strcmp(a->speaker, b->speaker);
  return c ? c : (a->order > b->order) - (a->order < b->order);
}

static uint64_t mix64(uint64_t z) { /* splitmix64's finaliser: a fixed shuffle key per clip */
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void ev_session_order(const ev_dataset *ds, const size_t *idx, size_t n, size_t *order) {
  session_key *keys = malloc((n + 1) * sizeof *keys);
  if (!keys) { /* out of memory: the given order (sessions restart at every change of voice) */
    memcpy(order, idx, n * sizeof *order);
    return;
  }
  for (size_t i = 0; i < n; i++)
    keys[i] = (session_key){ds->clips->v[idx[i]].speaker, mix64(idx[i]), idx[i]};
  qsort(keys, n, sizeof *keys, cmp_session_key);
  for (size_t i = 0; i < n; i++)
    order[i] = keys[i].clip;
  free(keys);
}

int ev_session_steps(const ev_dataset *ds, ev_input *in, const size_t *order, size_t n,
                     ev_steps *out) {
  memset(out, 0, n * sizeof *out);
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || strcmp(ds->clips->v[order[i]].speaker, ds->clips->v[order[i - 1]].speaker))
      ev_input_reset(in);
    if (ev_normalise_seq_continue(in, ev_dataset_seq(ds, order[i], 0), &out[i]) != 0)
      return -1;
  }
  return 0;
}
