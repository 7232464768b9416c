/* An independent reference for ev_summary.h's file reading, computed the other way round:
 * from the whole row sequence at once. Phrases are the runs of speech rows split by gaps of at
 * least `pause` rows without speech; a phrase's speech rows are numbered 1..m, and the rows
 * numbered window, 2 window, ... and m give the readings, each weighted by the speech rows since
 * the previous one. The result is the weighted mean of the readings. */
#ifndef PHRASE_REF_H
#define PHRASE_REF_H

#include <stdlib.h>

/* The specification's numbers (README: a phrase ends after 0.5 s without speech; one reading
 * per 2 s of speech, the shipped model's statistics window), in 10 ms rows. */
#define PHRASE_REF_PAUSE  50
#define PHRASE_REF_WINDOW 200

/* speech[n]; prob[n][n_cls] (row-major). out[n_cls]; returns the speech row count. */
static inline size_t phrase_ref_summary(const int *speech, const double *prob, size_t n, int n_cls,
                                        int pause, int window, double *out) {
  double weight = 0.0;
  size_t speech_rows = 0;
  for (int c = 0; c < n_cls; c++)
    out[c] = 0.0;
  size_t i = 0;
  while (i < n) {
    if (!speech[i]) {
      i++;
      continue;
    }
    /* a phrase from row i: its last speech row is followed by >= pause rows without speech,
     * or by the end of the rows */
    size_t end = i, gap = 0, j = i;
    for (; j < n; j++) {
      if (speech[j]) {
        end = j;
        gap = 0;
      } else if (++gap >= (size_t)pause) {
        break;
      }
    }
    size_t m = 0, since = 0;
    for (size_t r = i; r <= end; r++) {
      if (!speech[r])
        continue;
      m++;
      since++;
      speech_rows++;
      if (m % (size_t)window == 0 || r == end) {
        for (int c = 0; c < n_cls; c++)
          out[c] += (double)since * prob[r * (size_t)n_cls + (size_t)c];
        weight += (double)since;
        since = 0;
      }
    }
    i = end + 1;
  }
  for (int c = 0; c < n_cls && weight > 0; c++)
    out[c] /= weight;
  return speech_rows;
}

/* Rows collected one by one (speech flag, n_cls probabilities), for tests that read a series. */
typedef struct phrase_rows {
  size_t n, cap;
  int n_cls;
  int *speech;
  double *prob;
} phrase_rows;

static inline int phrase_rows_add(phrase_rows *p, int speech, const double *prob, int n_cls) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 1024;
    int *s = realloc(p->speech, cap * sizeof *s);
    if (s)
      p->speech = s;
    double *q = s ? realloc(p->prob, cap * (size_t)n_cls * sizeof *q) : NULL;
    if (!s || !q)
      return -1;
    p->prob = q;
    p->cap = cap;
  }
  p->n_cls = n_cls;
  p->speech[p->n] = speech;
  for (int c = 0; c < n_cls; c++)
    p->prob[p->n * (size_t)n_cls + (size_t)c] = prob[c];
  p->n++;
  return 0;
}

/* The reading of the collected rows (out[n_cls]); returns the speech row count. */
static inline size_t phrase_rows_summary(const phrase_rows *p, double *out) {
  return phrase_ref_summary(p->speech, p->prob, p->n, p->n_cls, PHRASE_REF_PAUSE, PHRASE_REF_WINDOW,
                            out);
}

static inline void phrase_rows_free(phrase_rows *p) {
  free(p->speech);
  free(p->prob);
  p->speech = NULL;
  p->prob = NULL;
  p->n = p->cap = 0;
}

#endif
