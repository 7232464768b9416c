/* The classic baseline: an RBF support vector machine (libsvm) on fixed-length per-clip feature
 * vectors (the 88 eGeMAPS statistics), standardised with statistics of the training rows only,
 * class-balanced, with C and gamma chosen by a grouped (speaker) cross-validation inside the
 * training rows only, and probability outputs (libsvm's pairwise coupling) for calibration
 * figures. Nothing here knows about audio: it is tested on synthetic problems. */
#ifndef EV_SVM_H
#define EV_SVM_H

#include <stddef.h>

/* z-scoring: mean and standard deviation per dimension over the chosen rows. A dimension that
 * is constant over them (std < 1e-12) is scaled by 1, so it stays constant instead of dividing
 * by zero. */
typedef struct ev_standardizer {
  int d;
  double *mean, *std;
} ev_standardizer;

/* Fits on rows[0..n) of X[.][d] (rows NULL: the first n rows). 0 or -1 (out of memory, n 0). */
int ev_standardizer_fit(ev_standardizer *s, const float *X, int d, const size_t *rows, size_t n);
void ev_standardizer_apply(const ev_standardizer *s, const float *x, float *out);
void ev_standardizer_free(ev_standardizer *s);

typedef struct ev_svm_opts {
  double C, gamma; /* RBF kernel exp(-gamma |x - y|^2) */
  int balance;     /* class weights n / (classes_present * count) on C */
  int probability; /* fit libsvm's probability model (5 internal folds: ~6x the time) */
  unsigned seed;   /* libsvm's probability folds draw from rand(): seeded with this */
  double cache_mb; /* kernel cache; 0 = 200 MB */
} ev_svm_opts;

typedef struct ev_svm ev_svm;

/* Trains on n rows of X[n][d] (already standardised) with labels y in 0..n_classes-1. Classes
 * without rows are never predicted (probability 0). NULL + err on failure. Not thread-safe
 * when o->probability is set (libsvm's rand()); without it any number may run at once. */
ev_svm *ev_svm_train(const float *X, const int *y, size_t n, int d, int n_classes,
                     const ev_svm_opts *o, char *err, size_t errlen);
/* The predicted class of x[d]; with prob != NULL also the class probabilities (n_classes, 0
 * for classes not trained; only if trained with probability, else prob gets a one-hot). */
int ev_svm_predict(const ev_svm *m, const float *x, float *prob);
int ev_svm_n_support(const ev_svm *m);
/* Probabilities from held-out decision values instead of libsvm's internal fit: dec[n][P]
 * holds, for each of n rows (labels y) and each pair (a, b) of classes a < b (P = K (K - 1) / 2,
 * pairs in the order (0,1), (0,2), ..., (1,2), ...), a decision value positive for a (NAN if
 * none), from models that did not see the row. One Platt sigmoid per pair is fitted on the
 * rows of its two classes; ev_svm_predict then couples them as libsvm does. 0 or -1. */
int ev_svm_set_platt(ev_svm *m, const float *dec, const int *y, size_t n);
void ev_svm_free(ev_svm *m);

/* C and gamma by grouped cross-validation: rows with group g (0..n_groups-1) are held out in
 * turn, the others standardised on their own statistics and trained (balanced, no
 * probability) for every (C, gamma) of the grid; the score is the UAR over all held-out rows.
 * The first best in grid order wins (C-major). scores: n_c * n_gamma (may be NULL); best_dec
 * (n * K (K - 1) / 2, may be NULL): the held-out pairwise decision values at the chosen point,
 * for ev_svm_set_platt. Runs on `threads` threads; the result does not depend on them. 0 or
 * -1 + err. */
typedef struct ev_svm_grid {
  int n_c, n_gamma;
  double C[8], gamma[8];
  size_t max_search_rows; /* ev_svm_baseline_split: search on at most this many rows (0: all) */
} ev_svm_grid;
int ev_svm_select(const float *X, const int *y, const int *group, size_t n, int d, int n_classes,
                  int n_groups, const ev_svm_grid *grid, int threads, double *best_c,
                  double *best_gamma, double *scores, float *best_dec, char *err, size_t errlen);

/* The whole baseline on one split: standardiser fitted on the train rows, (C, gamma) by
 * ev_svm_select over the train rows' groups (inner_group[i] for train row i; n_groups < 2
 * skips the search and uses the grid's first point; grid->max_search_rows caps the rows it
 * uses, every k-th in order), a final balanced model on all train
 * rows with Platt sigmoids fitted on the search's held-out decision values (ev_svm_set_platt;
 * libsvm's own probability fit without a search), and the test rows' probabilities
 * (prob[n_test][n_classes]). */
typedef struct ev_svm_split_result {
  double C, gamma;
  double scores[64];  /* inner-CV UAR per grid point */
  size_t search_rows; /* training rows the search (and the Platt fit) used */
  int n_support;
} ev_svm_split_result;
int ev_svm_baseline_split(const float *X, const int *y, int d, int n_classes, const size_t *train,
                          size_t n_train, const int *inner_group, int n_groups, const size_t *test,
                          size_t n_test, const ev_svm_grid *grid, int threads, unsigned seed,
                          float *prob, ev_svm_split_result *res, char *err, size_t errlen);

#endif
