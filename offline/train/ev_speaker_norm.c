/* Per-speaker statistics: see ev_speaker_norm.h. */
#include "ev_speaker_norm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static long find(const ev_speaker_stats *st, const char *speaker) {
  for (size_t i = 0; i < st->n; i++)
    if (strcmp(st->name[i], speaker) == 0)
      return (long)i;
  return -1;
}

/* Mean and variance of the clip vectors of one speaker. */
static int vector_stats(const ev_dataset *ds, const size_t *clips, size_t n, int D,
                        ev_clip_vector_fn vectors, float *mean, float *var) {
  double *s1 = calloc((size_t)D, sizeof *s1), *s2 = calloc((size_t)D, sizeof *s2);
  float *f = malloc((size_t)D * sizeof *f);
  int rc = (s1 && s2 && f) ? 0 : -1;
  size_t count = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    if (vectors(ev_dataset_seq(ds, clips[i], 0), f) != 0) {
      rc = -1;
      break;
    }
    for (int d = 0; d < D; d++) {
      s1[d] += f[d];
      s2[d] += (double)f[d] * f[d];
    }
    count++;
  }
  for (int d = 0; rc == 0 && d < D; d++) {
    double m = count ? s1[d] / (double)count : 0.0;
    double v = count ? s2[d] / (double)count - m * m : 1.0;
    mean[d] = (float)m;
    var[d] = (float)(v > 1e-8 ? v : 1e-8);
  }
  free(s1);
  free(s2);
  free(f);
  return rc;
}

int ev_speaker_stats_compute(ev_speaker_stats *st, const ev_arch *a, const ev_dataset *ds,
                             const size_t *idx, size_t n, int D, ev_clip_vector_fn vectors) {
  memset(st, 0, sizeof *st);
  st->D = D;
  st->name = calloc(n + 1, sizeof *st->name);
  size_t *members = malloc((n + 1) * sizeof *members);
  ev_feat_seq **seqs = malloc((n + 1) * sizeof *seqs);
  if (!st->name || !members || !seqs)
    goto fail;
  for (size_t i = 0; i < n; i++) { /* distinct speakers, in order of first appearance */
    if (!ds->ok[idx[i]])
      continue;
    const char *spk = ds->clips->v[idx[i]].speaker;
    if (find(st, spk) < 0)
      memcpy(st->name[st->n++], spk, sizeof st->name[0]);
  }
  st->mean = malloc((st->n * (size_t)D + 1) * sizeof *st->mean);
  st->var = malloc((st->n * (size_t)D + 1) * sizeof *st->var);
  if (!st->mean || !st->var)
    goto fail;
  for (size_t s = 0; s < st->n; s++) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if (ds->ok[idx[i]] && strcmp(ds->clips->v[idx[i]].speaker, st->name[s]) == 0)
        members[m++] = idx[i];
    float *mean = st->mean + s * (size_t)D, *var = st->var + s * (size_t)D;
    if (vectors) {
      if (vector_stats(ds, members, m, D, vectors, mean, var) != 0)
        goto fail;
    } else {
      for (size_t i = 0; i < m; i++)
        seqs[i] = ev_dataset_seq(ds, members[i], 0);
      ev_prior_stats(a, seqs, m, mean, var); /* gives the standard deviation */
      for (int d = 0; d < D; d++)
        var[d] = var[d] * var[d];
    }
  }
  free(members);
  free(seqs);
  return 0;
fail:
  free(members);
  free(seqs);
  ev_speaker_stats_free(st);
  return -1;
}

const float *ev_speaker_stats_mean(const ev_speaker_stats *st, const char *speaker) {
  long i = find(st, speaker);
  return i < 0 ? NULL : st->mean + (size_t)i * (size_t)st->D;
}

const float *ev_speaker_stats_var(const ev_speaker_stats *st, const char *speaker) {
  long i = find(st, speaker);
  return i < 0 ? NULL : st->var + (size_t)i * (size_t)st->D;
}

void ev_speaker_stats_free(ev_speaker_stats *st) {
  free(st->name);
  free(st->mean);
  free(st->var);
  memset(st, 0, sizeof *st);
}
