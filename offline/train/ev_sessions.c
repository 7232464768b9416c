/* Training clips as heard in a session of their speaker (see ev_sessions.h). */
#include "ev_sessions.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ev_augment.h"
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

/* a fixed shuffle key per clip: splitmix64 of its index */
static uint64_t shuffle_key(uint64_t clip) {
  return ev_splitmix64(&clip);
}

size_t ev_session_order(const ev_dataset *ds, const size_t *idx, size_t n, int min_labels,
                        size_t *order) {
  session_key *keys = malloc((n + 1) * sizeof *keys);
  if (!keys)
    return 0; /* out of memory: no sessions, the clips are still trained cold */
  for (size_t i = 0; i < n; i++)
    keys[i] = (session_key){ds->clips->v[idx[i]].speaker, shuffle_key(idx[i]), idx[i]};
  qsort(keys, n, sizeof *keys, cmp_session_key);
  size_t m = 0;
  for (size_t i = 0, end; i < n; i = end) {
    uint64_t labels = 0; /* the speaker's labels, as a set */
    for (end = i; end < n && !strcmp(keys[end].speaker, keys[i].speaker); end++)
      labels |= 1ull << (ds->clips->v[keys[end].clip].label & 63);
    if (__builtin_popcountll(labels) < min_labels)
      continue;
    for (size_t k = i; k < end; k++)
      order[m++] = keys[k].clip;
  }
  free(keys);
  return m;
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
