/* Training clips heard as if another training speaker had said them (ev_voice_swap.h). */
#include "ev_voice_swap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ev_augment.h"

static long voice_index(const ev_voices *v, const char *speaker) {
  for (size_t i = 0; i < v->n; i++)
    if (!strcmp(v->speaker[i], speaker))
      return (long)i;
  return -1;
}

int ev_voices_compute(ev_voices *v, const ev_dataset *ds, const int *label_of, const size_t *idx,
                      size_t n, const float *centres, const float *spread, int D, int min_labels) {
  memset(v, 0, sizeof *v);
  v->D = D;
  v->speaker = calloc(n + 1, sizeof *v->speaker);
  double *sum = calloc((n + 1) * (size_t)D, sizeof *sum), *cnt = calloc(n + 1, sizeof *cnt);
  unsigned *labels = calloc(n + 1, sizeof *labels);
  if (!v->speaker || !sum || !cnt || !labels)
    goto fail;
  for (size_t i = 0; i < n; i++) {
    const size_t c = idx[i];
    const int label = label_of[c];
    if (!ds->ok[c] || label < 0 || label > 31)
      continue;
    long k = voice_index(v, ds->clips->v[c].speaker);
    if (k < 0) {
      k = (long)v->n++;
      v->speaker[k] = ds->clips->v[c].speaker;
    }
    labels[k] |= 1u << label;
    const ev_feat_seq *s = ev_dataset_seq(ds, c, 0);
    const float *centre = centres + (size_t)label * (size_t)D;
    for (int t = 0; t < s->T; t++) {
      const float *x = s->x + (size_t)t * (size_t)D;
      int finite = !s->speech || s->speech[t];
      for (int d = 0; d < D && finite; d++)
        finite = isfinite(x[d]);
      if (!finite)
        continue;
      for (int d = 0; d < D; d++)
        sum[(size_t)k * (size_t)D + (size_t)d] += (double)x[d] - centre[d];
      cnt[k] += 1.0;
    }
  }
  v->offset = calloc(v->n * (size_t)D + 1, sizeof *v->offset);
  if (!v->offset)
    goto fail;
  size_t kept = 0;
  for (size_t k = 0; k < v->n; k++) {
    if (cnt[k] <= 0.0 || __builtin_popcount(labels[k]) < min_labels)
      continue;
    for (int d = 0; d < D; d++) {
      const double lim = 3.0 * spread[d], o = sum[k * (size_t)D + (size_t)d] / cnt[k];
      v->offset[kept * (size_t)D + (size_t)d] = (float)(o > lim ? lim : o < -lim ? -lim : o);
    }
    v->speaker[kept++] = v->speaker[k];
  }
  v->n = kept;
  free(sum);
  free(cnt);
  free(labels);
  return 0;
fail:
  free(sum);
  free(cnt);
  free(labels);
  ev_voices_free(v);
  return -1;
}

const float *ev_voices_delta(const ev_voices *v, const char *speaker, uint64_t seed, size_t clip,
                             int copy, float share, float *buf) {
  const long own = v->n >= 2 ? voice_index(v, speaker) : -1;
  if (own < 0)
    return NULL;
  uint64_t h = seed * 0xd1b54a32d192ed03ull ^ (uint64_t)clip * 0x9e3779b97f4a7c15ull ^
               (uint64_t)copy * 0x94d049bb133111ebull ^ 0x5bd1e995ull;
  const size_t other = (size_t)(ev_splitmix64(&h) % (uint64_t)v->n);
  const float *oa = v->offset + (size_t)own * (size_t)v->D, *ob = v->offset + other * (size_t)v->D;
  for (int d = 0; d < v->D; d++)
    buf[d] = share * (ob[d] - oa[d]);
  return buf;
}

void ev_voices_free(ev_voices *v) {
  free(v->speaker);
  free(v->offset);
  memset(v, 0, sizeof *v);
}
