/* Which model inputs adapt to the voice (see ev_adapt_dims.h). */
#include "ev_adapt_dims.h"

#include <stdlib.h>
#include <string.h>

typedef struct cells {
  int D, L, n_spk;
  const char **speaker; /* [n_spk] */
  int *corpus;          /* [n_spk] */
  double *sum;          /* [n_spk][L][D] */
  int *count;           /* [n_spk][L]: clips */
} cells;

static int speaker_index(cells *c, const char *name, int corpus) {
  for (int s = 0; s < c->n_spk; s++)
    if (!strcmp(c->speaker[s], name))
      return s;
  c->speaker[c->n_spk] = name;
  c->corpus[c->n_spk] = corpus;
  return c->n_spk++;
}

static double *cell(const cells *c, int s, int l) {
  return c->sum + ((size_t)s * (size_t)c->L + (size_t)l) * (size_t)c->D;
}

/* Pooled variance of cell means over groups: adds sum of squares and degrees of freedom of
 * one group (the cells listed in s[], l[], k of them) to ss[D], *df. */
static void add_group(const cells *c, const int *s, const int *l, int k, double *ss, double *df) {
  if (k < 2)
    return;
  for (int d = 0; d < c->D; d++) {
    double mean = 0;
    for (int i = 0; i < k; i++)
      mean += cell(c, s[i], l[i])[d] / c->count[s[i] * c->L + l[i]];
    mean /= k;
    for (int i = 0; i < k; i++) {
      const double e = cell(c, s[i], l[i])[d] / c->count[s[i] * c->L + l[i]] - mean;
      ss[d] += e * e;
    }
  }
  *df += k - 1;
}

/* Whether speakers s and s0 are compared: of one corpus, or of any when across_corpora. */
static int same_group(const cells *c, int s, int s0, int across_corpora) {
  return across_corpora || c->corpus[s] == c->corpus[s0];
}

/* Whether a speaker before s0 of its group shows label l. */
static int earlier_speaker(const cells *c, int s0, int l, int across) {
  for (int s = 0; s < s0; s++)
    if (same_group(c, s, s0, across) && c->count[s * c->L + l] > 0)
      return 1;
  return 0;
}

int ev_adapt_dims(const ev_arch *a, const ev_dataset *ds, const ev_labelset *ls, const size_t *idx,
                  size_t n, double ratio, int across_corpora, float *adapt,
                  ev_adapt_spread *spread) {
  const int D = ev_arch_input_dims(a), L = ls->n;
  cells c = {.D = D, .L = L};
  c.speaker = malloc((n + 1) * sizeof *c.speaker);
  c.corpus = malloc((n + 1) * sizeof *c.corpus);
  c.sum = calloc((n + 1) * (size_t)L * (size_t)D, sizeof *c.sum);
  c.count = calloc((n + 1) * (size_t)L, sizeof *c.count);
  float *mean = malloc((size_t)D * sizeof *mean), *sd = malloc((size_t)D * sizeof *sd);
  double *ss_spk = calloc((size_t)D, sizeof *ss_spk), *ss_emo = calloc((size_t)D, sizeof *ss_emo);
  int *gs = malloc((n + 1 + (size_t)L) * sizeof *gs),
      *gl = malloc((n + 1 + (size_t)L) * sizeof *gl);
  int rc = -1;
  if (!c.speaker || !c.corpus || !c.sum || !c.count || !mean || !sd || !ss_spk || !ss_emo || !gs ||
      !gl)
    goto done;
  for (size_t i = 0; i < n; i++) { /* each clip's mean over its speech steps, into its cell */
    const size_t k = idx[i];
    const ev_clip *clip = &ds->clips->v[k];
    const int l = ls->index_of[clip->label];
    ev_feat_seq *seq = ev_dataset_seq(ds, k, 0);
    if (!ds->ok[k] || l < 0 || ev_prior_stats(a, &seq, 1, mean, sd) < 1)
      continue;
    const int s = speaker_index(&c, clip->speaker, clip->corpus);
    double *sum = cell(&c, s, l);
    for (int d = 0; d < D; d++)
      sum[d] += mean[d];
    c.count[s * L + l]++;
  }
  double df_spk = 0, df_emo = 0;
  for (int s0 = 0; s0 < c.n_spk; s0++) /* the speakers of a corpus showing one label */
    for (int l = 0; l < L; l++) {
      if (!c.count[s0 * L + l] || earlier_speaker(&c, s0, l, across_corpora))
        continue; /* each (corpus, label) group once, from its first speaker */
      int k = 0;
      for (int s = s0; s < c.n_spk; s++)
        if (same_group(&c, s, s0, across_corpora) && c.count[s * L + l] > 0) {
          gs[k] = s;
          gl[k++] = l;
        }
      add_group(&c, gs, gl, k, ss_spk, &df_spk);
    }
  for (int s = 0; s < c.n_spk; s++) { /* labels of one speaker */
    int k = 0;
    for (int l = 0; l < L; l++)
      if (c.count[s * L + l] > 0) {
        gs[k] = s;
        gl[k++] = l;
      }
    add_group(&c, gs, gl, k, ss_emo, &df_emo);
  }
  for (int d = 0; d < D; d++) {
    const double vs = df_spk > 0 ? ss_spk[d] / df_spk : 0, ve = df_emo > 0 ? ss_emo[d] / df_emo : 0;
    adapt[d] = df_spk > 0 && df_emo > 0 ? (vs > ratio * ve ? 1.0f : 0.0f) : 1.0f;
    if (spread)
      spread[d] = (ev_adapt_spread){vs, ve};
  }
  rc = 0;
done:
  free(c.speaker);
  free(c.corpus);
  free(c.sum);
  free(c.count);
  free(mean);
  free(sd);
  free(ss_spk);
  free(ss_emo);
  free(gs);
  free(gl);
  return rc;
}
