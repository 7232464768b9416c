/* libsvm wrapper, standardisation and the grouped (C, gamma) search of the SVM baseline. */
#include "ev_svm.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsvm/svm.h>

#include "ev_metrics.h"

int ev_standardizer_fit(ev_standardizer *s, const float *X, int d, const size_t *rows, size_t n) {
  memset(s, 0, sizeof *s);
  if (n == 0 || d < 1)
    return -1;
  s->d = d;
  s->mean = calloc((size_t)d, sizeof *s->mean);
  s->std = calloc((size_t)d, sizeof *s->std);
  if (!s->mean || !s->std) {
    ev_standardizer_free(s);
    return -1;
  }
  /* two passes in double: the features span many orders of magnitude (Hz, dB, ratios) */
  for (size_t i = 0; i < n; i++) {
    const float *x = X + (rows ? rows[i] : i) * (size_t)d;
    for (int j = 0; j < d; j++)
      s->mean[j] += x[j];
  }
  for (int j = 0; j < d; j++)
    s->mean[j] /= (double)n;
  for (size_t i = 0; i < n; i++) {
    const float *x = X + (rows ? rows[i] : i) * (size_t)d;
    for (int j = 0; j < d; j++) {
      const double e = x[j] - s->mean[j];
      s->std[j] += e * e;
    }
  }
  for (int j = 0; j < d; j++) {
    s->std[j] = sqrt(s->std[j] / (double)n);
    if (!(s->std[j] >= 1e-12))
      s->std[j] = 1.0;
  }
  return 0;
}

void ev_standardizer_apply(const ev_standardizer *s, const float *x, float *out) {
  for (int j = 0; j < s->d; j++)
    out[j] = (float)((x[j] - s->mean[j]) / s->std[j]);
}

void ev_standardizer_free(ev_standardizer *s) {
  free(s->mean);
  free(s->std);
  memset(s, 0, sizeof *s);
}

struct ev_svm {
  struct svm_model *model;
  struct svm_node *nodes; /* the training vectors: the model's support vectors point into them */
  int d, n_classes, probability;
  int *label_of; /* libsvm's class order -> our class */
};

static void quiet(const char *s) {
  (void)s;
}

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static void make_quiet(void) {
  svm_set_print_string_function(quiet);
}

/* Dense rows as libsvm's sparse nodes: index j+1 for every dimension, then the -1 sentinel. */
static struct svm_node *to_nodes(const float *X, size_t n, int d) {
  struct svm_node *v = malloc(n * (size_t)(d + 1) * sizeof *v);
  if (!v)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    struct svm_node *r = v + i * (size_t)(d + 1);
    for (int j = 0; j < d; j++) {
      r[j].index = j + 1;
      r[j].value = X[i * (size_t)d + (size_t)j];
    }
    r[d].index = -1;
    r[d].value = 0;
  }
  return v;
}

ev_svm *ev_svm_train(const float *X, const int *y, size_t n, int d, int n_classes,
                     const ev_svm_opts *o, char *err, size_t errlen) {
  pthread_once(&quiet_once, make_quiet);
  if (n < 2 || d < 1 || n_classes < 2 || n_classes > EV_METRICS_MAX_CLASSES) {
    snprintf(err, errlen, "SVM: needs at least 2 rows, 1 dimension and 2..%d classes",
             EV_METRICS_MAX_CLASSES);
    return NULL;
  }
  ev_svm *m = calloc(1, sizeof *m);
  struct svm_node **rows = malloc(n * sizeof *rows);
  double *labels = malloc(n * sizeof *labels);
  if (!m || !rows || !labels || !(m->nodes = to_nodes(X, n, d)) ||
      !(m->label_of = calloc((size_t)n_classes, sizeof *m->label_of))) {
    snprintf(err, errlen, "SVM: out of memory");
    goto fail;
  }
  m->d = d;
  m->n_classes = n_classes;
  m->probability = o->probability;
  long count[EV_METRICS_MAX_CLASSES] = {0};
  for (size_t i = 0; i < n; i++) {
    if (y[i] < 0 || y[i] >= n_classes) {
      snprintf(err, errlen, "SVM: label %d of row %zu out of range", y[i], i);
      goto fail;
    }
    rows[i] = m->nodes + i * (size_t)(d + 1);
    labels[i] = y[i];
    count[y[i]]++;
  }
  int present = 0;
  for (int c = 0; c < n_classes; c++)
    present += count[c] > 0;
  if (present < 2) {
    snprintf(err, errlen, "SVM: the training rows hold fewer than 2 classes");
    goto fail;
  }
  int weight_label[EV_METRICS_MAX_CLASSES];
  double weight[EV_METRICS_MAX_CLASSES];
  int n_weight = 0;
  for (int c = 0; c < n_classes && o->balance; c++)
    if (count[c]) { /* the same balancing as the networks' loss weights: n / (K * count) */
      weight_label[n_weight] = c;
      weight[n_weight++] = (double)n / ((double)present * (double)count[c]);
    }
  struct svm_parameter p;
  memset(&p, 0, sizeof p);
  p.svm_type = C_SVC;
  p.kernel_type = RBF;
  p.gamma = o->gamma;
  p.C = o->C;
  p.cache_size = o->cache_mb > 0 ? o->cache_mb : 200;
  p.eps = 1e-3;
  p.shrinking = 1;
  p.probability = o->probability ? 1 : 0;
  p.nr_weight = n_weight;
  p.weight_label = weight_label;
  p.weight = weight;
  struct svm_problem prob = {(int)n, labels, rows};
  const char *bad = svm_check_parameter(&prob, &p);
  if (bad) {
    snprintf(err, errlen, "SVM: %s", bad);
    goto fail;
  }
  if (o->probability)
    srand(o->seed); /* libsvm's internal probability folds */
  m->model = svm_train(&prob, &p);
  if (!m->model) {
    snprintf(err, errlen, "SVM: training failed");
    goto fail;
  }
  /* svm_train copied the parameter struct: its weight arrays are ours and go out of scope, so
   * they must not be used (or freed) through the model afterwards */
  m->model->param.weight_label = NULL;
  m->model->param.weight = NULL;
  m->model->param.nr_weight = 0;
  int lab[EV_METRICS_MAX_CLASSES];
  svm_get_labels(m->model, lab);
  for (int k = 0; k < svm_get_nr_class(m->model); k++)
    m->label_of[k] = lab[k];
  free(rows);
  free(labels);
  return m;
fail:
  free(rows);
  free(labels);
  ev_svm_free(m);
  return NULL;
}

int ev_svm_predict(const ev_svm *m, const float *x, float *prob) {
  struct svm_node node[m->d + 1];
  for (int j = 0; j < m->d; j++) {
    node[j].index = j + 1;
    node[j].value = x[j];
  }
  node[m->d].index = -1;
  node[m->d].value = 0;
  const int k = svm_get_nr_class(m->model);
  double p[EV_METRICS_MAX_CLASSES];
  int cls;
  if (prob && m->probability) {
    cls = (int)svm_predict_probability(m->model, node, p);
    for (int c = 0; c < m->n_classes; c++)
      prob[c] = 0.0f;
    for (int i = 0; i < k; i++)
      prob[m->label_of[i]] = (float)p[i];
  } else {
    cls = (int)svm_predict(m->model, node);
    if (prob)
      for (int c = 0; c < m->n_classes; c++)
        prob[c] = c == cls ? 1.0f : 0.0f;
  }
  return cls;
}

int ev_svm_n_support(const ev_svm *m) {
  return m && m->model ? m->model->l : 0;
}

void ev_svm_free(ev_svm *m) {
  if (!m)
    return;
  if (m->model)
    svm_free_and_destroy_model(&m->model);
  free(m->nodes);
  free(m->label_of);
  free(m);
}

/* ---- pairwise decision values and Platt sigmoids ---- */

/* Index of the class pair (a, b), a < b, among the K (K - 1) / 2 pairs of our classes. */
static int pair_index(int a, int b, int K) {
  return a * K - a * (a + 1) / 2 + (b - a - 1);
}

/* The decision value of every pair of our classes (a, b), a < b, positive for a, as the
 * model's one-vs-one machines give them; NAN for pairs the model was not trained on. */
static void pair_values(const ev_svm *m, const float *x, float *out) {
  const int K = m->n_classes, k = svm_get_nr_class(m->model);
  struct svm_node node[m->d + 1];
  for (int j = 0; j < m->d; j++) {
    node[j].index = j + 1;
    node[j].value = x[j];
  }
  node[m->d].index = -1;
  node[m->d].value = 0;
  double dec[EV_METRICS_MAX_CLASSES * (EV_METRICS_MAX_CLASSES - 1) / 2];
  svm_predict_values(m->model, node, dec);
  for (int p = 0; p < K * (K - 1) / 2; p++)
    out[p] = NAN;
  int p = 0;
  for (int i = 0; i < k; i++) /* libsvm's order: label i against label j > i, positive for i */
    for (int j = i + 1; j < k; j++, p++) {
      const int a = m->label_of[i], b = m->label_of[j];
      if (a < b)
        out[pair_index(a, b, K)] = (float)dec[p];
      else
        out[pair_index(b, a, K)] = (float)-dec[p];
    }
}

/* Platt's sigmoid P(first class | f) = 1 / (1 + exp(A f + B)) by the Newton method of Lin, Lin
 * and Weng (2007), as libsvm's sigmoid_train (targets smoothed by the class priors). */
static void platt(const double *f, const int *positive, size_t n, double *A_out, double *B_out) {
  double prior1 = 0, prior0 = 0;
  for (size_t i = 0; i < n; i++)
    positive[i] ? prior1++ : prior0++;
  const double hi = (prior1 + 1.0) / (prior1 + 2.0), lo = 1.0 / (prior0 + 2.0);
  double A = 0.0, B = log((prior0 + 1.0) / (prior1 + 1.0)), fval = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double t = positive[i] ? hi : lo, fApB = f[i] * A + B;
    fval += fApB >= 0 ? t * fApB + log1p(exp(-fApB)) : (t - 1) * fApB + log1p(exp(fApB));
  }
  for (int iter = 0; iter < 100; iter++) {
    double h11 = 1e-12, h22 = 1e-12, h21 = 0, g1 = 0, g2 = 0;
    for (size_t i = 0; i < n; i++) {
      const double t = positive[i] ? hi : lo, fApB = f[i] * A + B;
      double p, q;
      if (fApB >= 0) {
        p = exp(-fApB) / (1.0 + exp(-fApB));
        q = 1.0 / (1.0 + exp(-fApB));
      } else {
        p = 1.0 / (1.0 + exp(fApB));
        q = exp(fApB) / (1.0 + exp(fApB));
      }
      const double d2 = p * q, d1 = t - p;
      h11 += f[i] * f[i] * d2;
      h22 += d2;
      h21 += f[i] * d2;
      g1 += f[i] * d1;
      g2 += d1;
    }
    if (fabs(g1) < 1e-5 && fabs(g2) < 1e-5)
      break;
    const double det = h11 * h22 - h21 * h21;
    const double dA = -(h22 * g1 - h21 * g2) / det, dB = -(-h21 * g1 + h11 * g2) / det;
    const double gd = g1 * dA + g2 * dB;
    double step = 1;
    while (step >= 1e-10) {
      const double nA = A + step * dA, nB = B + step * dB;
      double nf = 0;
      for (size_t i = 0; i < n; i++) {
        const double t = positive[i] ? hi : lo, fApB = f[i] * nA + nB;
        nf += fApB >= 0 ? t * fApB + log1p(exp(-fApB)) : (t - 1) * fApB + log1p(exp(fApB));
      }
      if (nf < fval + 1e-4 * step * gd) {
        A = nA;
        B = nB;
        fval = nf;
        break;
      }
      step /= 2;
    }
    if (step < 1e-10)
      break;
  }
  *A_out = A;
  *B_out = B;
}

int ev_svm_set_platt(ev_svm *m, const float *dec, const int *y, size_t n) {
  const int K = m->n_classes, k = svm_get_nr_class(m->model), P = K * (K - 1) / 2;
  double *A = malloc((size_t)(k * (k - 1) / 2 + 1) * sizeof *A);
  double *B = malloc((size_t)(k * (k - 1) / 2 + 1) * sizeof *B);
  double *f = malloc((n + 1) * sizeof *f);
  int *pos = malloc((n + 1) * sizeof *pos);
  if (!A || !B || !f || !pos) {
    free(A);
    free(B);
    free(f);
    free(pos);
    return -1;
  }
  int p = 0;
  for (int i = 0; i < k; i++)
    for (int j = i + 1; j < k; j++, p++) {
      const int a = m->label_of[i], b = m->label_of[j];
      const int lo = a < b ? a : b, hi = a < b ? b : a;
      const double sign = a < b ? 1.0 : -1.0; /* our values are positive for the smaller id */
      size_t used = 0;
      for (size_t r = 0; r < n; r++) {
        const float v = dec[r * (size_t)P + (size_t)pair_index(lo, hi, K)];
        if ((y[r] == a || y[r] == b) && isfinite(v)) {
          f[used] = sign * v;
          pos[used++] = y[r] == a;
        }
      }
      if (used) {
        platt(f, pos, used, &A[p], &B[p]);
      } else { /* no held-out decision for this pair: a plain logistic of the decision */
        A[p] = -1.0;
        B[p] = 0.0;
      }
    }
  free(f);
  free(pos);
  free(m->model->probA);
  free(m->model->probB);
  m->model->probA = A; /* libsvm frees them with the model */
  m->model->probB = B;
  m->model->param.probability = 1;
  m->probability = 1;
  return 0;
}

/* ---- grouped search of (C, gamma) ---- */

typedef struct search {
  const float *X;
  const int *y, *group;
  size_t n;
  int d, n_classes, n_groups;
  const ev_svm_grid *grid;
  int *pred;  /* [grid point][row]: the held-out prediction */
  float *dec; /* [grid point][row][pair]: held-out pairwise decision values, or NULL */
  atomic_int next, failed;
  char err[256];
  pthread_mutex_t err_lock;
} search;

/* One job = one (grid point, held-out group): train on the other groups, standardised on
 * their own statistics, and predict the held-out rows. */
static int search_job(search *s, int job) {
  const int point = job / s->n_groups, g = job % s->n_groups;
  const int ci = point / s->grid->n_gamma, gi = point % s->grid->n_gamma;
  size_t n_tr = 0;
  size_t *tr = malloc(s->n * sizeof *tr);
  float *Xs = malloc(s->n * (size_t)s->d * sizeof *Xs);
  int *ys = malloc(s->n * sizeof *ys);
  char err[256] = "";
  int rc = -1;
  ev_standardizer st = {0};
  ev_svm *m = NULL;
  if (!tr || !Xs || !ys)
    goto done;
  for (size_t i = 0; i < s->n; i++)
    if (s->group[i] != g)
      tr[n_tr++] = i;
  if (n_tr == s->n) { /* an empty group holds nothing out */
    rc = 0;
    goto done;
  }
  if (ev_standardizer_fit(&st, s->X, s->d, tr, n_tr) != 0)
    goto done;
  for (size_t i = 0; i < n_tr; i++) {
    ev_standardizer_apply(&st, s->X + tr[i] * (size_t)s->d, Xs + i * (size_t)s->d);
    ys[i] = s->y[tr[i]];
  }
  ev_svm_opts o = {s->grid->C[ci], s->grid->gamma[gi], 1, 0, 0, 100};
  m = ev_svm_train(Xs, ys, n_tr, s->d, s->n_classes, &o, err, sizeof err);
  if (!m)
    goto done;
  {
    float x[s->d];
    for (size_t i = 0; i < s->n; i++)
      if (s->group[i] == g) {
        ev_standardizer_apply(&st, s->X + i * (size_t)s->d, x);
        s->pred[(size_t)point * s->n + i] = ev_svm_predict(m, x, NULL);
        if (s->dec) {
          const size_t P = (size_t)(s->n_classes * (s->n_classes - 1) / 2);
          pair_values(m, x, s->dec + ((size_t)point * s->n + i) * P);
        }
      }
  }
  rc = 0;
done:
  if (rc != 0) {
    pthread_mutex_lock(&s->err_lock);
    snprintf(s->err, sizeof s->err, "%s", err[0] ? err : "out of memory");
    pthread_mutex_unlock(&s->err_lock);
  }
  ev_svm_free(m);
  ev_standardizer_free(&st);
  free(tr);
  free(Xs);
  free(ys);
  return rc;
}

static void *search_worker(void *arg) {
  search *s = arg;
  const int n_jobs = s->grid->n_c * s->grid->n_gamma * s->n_groups;
  for (;;) {
    int j = atomic_fetch_add(&s->next, 1);
    if (j >= n_jobs || atomic_load(&s->failed))
      break;
    if (search_job(s, j) != 0)
      atomic_store(&s->failed, 1);
  }
  return NULL;
}

int ev_svm_select(const float *X, const int *y, const int *group, size_t n, int d, int n_classes,
                  int n_groups, const ev_svm_grid *grid, int threads, double *best_c,
                  double *best_gamma, double *scores, float *best_dec, char *err, size_t errlen) {
  const int n_points = grid->n_c * grid->n_gamma;
  if (n_groups < 2 || n_points < 1 || grid->n_c > 8 || grid->n_gamma > 8) {
    snprintf(err, errlen, "SVM search: needs 2 or more groups and a grid of at most 8 x 8");
    return -1;
  }
  search s;
  memset(&s, 0, sizeof s);
  s.X = X;
  s.y = y;
  s.group = group;
  s.n = n;
  s.d = d;
  s.n_classes = n_classes;
  s.n_groups = n_groups;
  s.grid = grid;
  const size_t P = (size_t)(n_classes * (n_classes - 1) / 2);
  s.pred = malloc((size_t)n_points * n * sizeof *s.pred);
  if (best_dec)
    s.dec = malloc((size_t)n_points * n * P * sizeof *s.dec);
  if (!s.pred || (best_dec && !s.dec)) {
    free(s.pred);
    free(s.dec);
    snprintf(err, errlen, "SVM search: out of memory");
    return -1;
  }
  for (size_t i = 0; i < (size_t)n_points * n; i++)
    s.pred[i] = -1;
  for (size_t i = 0; s.dec && i < (size_t)n_points * n * P; i++)
    s.dec[i] = NAN;
  pthread_mutex_init(&s.err_lock, NULL);
  if (threads < 1)
    threads = 1;
  if (threads > 16)
    threads = 16;
  pthread_t th[16];
  int started = 0;
  for (int t = 1; t < threads; t++, started++)
    if (pthread_create(&th[t], NULL, search_worker, &s) != 0)
      break;
  search_worker(&s);
  for (int t = 1; t <= started; t++)
    pthread_join(th[t], NULL);
  pthread_mutex_destroy(&s.err_lock);
  int rc = 0, best_p = 0;
  if (atomic_load(&s.failed)) {
    snprintf(err, errlen, "SVM search: %s", s.err);
    rc = -1;
  } else {
    double best = -1;
    for (int p = 0; p < n_points; p++) {
      ev_confusion cm;
      ev_confusion_init(&cm, n_classes);
      for (size_t i = 0; i < n; i++)
        if (s.pred[(size_t)p * n + i] >= 0)
          ev_confusion_add(&cm, y[i], s.pred[(size_t)p * n + i]);
      ev_metrics m;
      ev_metrics_compute(&cm, &m);
      if (scores)
        scores[p] = m.uar;
      if (m.uar > best) { /* strictly better: the first best in grid order wins */
        best = m.uar;
        best_p = p;
        *best_c = grid->C[p / grid->n_gamma];
        *best_gamma = grid->gamma[p % grid->n_gamma];
      }
    }
  }
  if (rc == 0 && best_dec)
    memcpy(best_dec, s.dec + (size_t)best_p * n * P, n * P * sizeof *best_dec);
  free(s.pred);
  free(s.dec);
  return rc;
}

int ev_svm_baseline_split(const float *X, const int *y, int d, int n_classes, const size_t *train,
                          size_t n_train, const int *inner_group, int n_groups, const size_t *test,
                          size_t n_test, const ev_svm_grid *grid, int threads, unsigned seed,
                          float *prob, ev_svm_split_result *res, char *err, size_t errlen) {
  memset(res, 0, sizeof *res);
  res->C = grid->C[0];
  res->gamma = grid->gamma[0];
  const int search = n_groups >= 2 && grid->n_c * grid->n_gamma > 1;
  float *Xt = malloc(n_train * (size_t)d * sizeof *Xt);
  int *yt = malloc(n_train * sizeof *yt);
  float *dec = search
                   ? malloc((n_train * (size_t)(n_classes * (n_classes - 1) / 2) + 1) * sizeof *dec)
                   : NULL;
  float *Xsub = NULL;
  int *ysub = NULL, *gsub = NULL;
  ev_standardizer st = {0};
  ev_svm *m = NULL;
  int rc = -1;
  if (!Xt || !yt || (search && !dec)) {
    snprintf(err, errlen, "SVM: out of memory");
    goto done;
  }
  for (size_t i = 0; i < n_train; i++) { /* raw rows: the search standardises per inner fold */
    memcpy(Xt + i * (size_t)d, X + train[i] * (size_t)d, (size_t)d * sizeof *Xt);
    yt[i] = y[train[i]];
  }
  /* The search on at most max_search_rows of the training rows: every k-th row in their order
   * (files come speaker by speaker), so every speaker and class keeps its share. Its cost grows
   * with the square of the rows, the final model's does not depend on it. */
  size_t ns = n_train;
  const float *Xs = Xt;
  const int *ys = yt, *gs = inner_group;
  if (search && grid->max_search_rows && n_train > grid->max_search_rows) {
    const size_t cap = grid->max_search_rows;
    Xsub = malloc(cap * (size_t)d * sizeof *Xsub);
    ysub = malloc(cap * sizeof *ysub);
    gsub = malloc(cap * sizeof *gsub);
    if (!Xsub || !ysub || !gsub) {
      snprintf(err, errlen, "SVM: out of memory");
      goto done;
    }
    ns = 0;
    for (size_t t = 0; t < n_train; t++)
      if ((t + 1) * cap / n_train > t * cap / n_train) {
        memcpy(Xsub + ns * (size_t)d, Xt + t * (size_t)d, (size_t)d * sizeof *Xsub);
        ysub[ns] = yt[t];
        gsub[ns++] = inner_group[t];
      }
    Xs = Xsub;
    ys = ysub;
    gs = gsub;
  }
  res->search_rows = search ? ns : 0;
  if (search && ev_svm_select(Xs, ys, gs, ns, d, n_classes, n_groups, grid, threads, &res->C,
                              &res->gamma, res->scores, dec, err, errlen) != 0)
    goto done;
  if (ev_standardizer_fit(&st, X, d, train, n_train) != 0) {
    snprintf(err, errlen, "SVM: no training rows");
    goto done;
  }
  for (size_t i = 0; i < n_train; i++)
    ev_standardizer_apply(&st, X + train[i] * (size_t)d, Xt + i * (size_t)d);
  /* The probabilities: Platt sigmoids fitted on the search's held-out decision values at the
   * chosen point (speaker-grouped, so calibrated for unseen speakers) instead of libsvm's own
   * 5-fold probability fit, which would cost five more trainings of every pair. Without a
   * search, libsvm's. */
  ev_svm_opts o = {res->C, res->gamma, 1, !search, seed, 0};
  if (!(m = ev_svm_train(Xt, yt, n_train, d, n_classes, &o, err, errlen)))
    goto done;
  if (search && ev_svm_set_platt(m, dec, ys, ns) != 0) {
    snprintf(err, errlen, "SVM: out of memory");
    goto done;
  }
  res->n_support = ev_svm_n_support(m);
  {
    float x[d];
    for (size_t i = 0; i < n_test; i++) {
      ev_standardizer_apply(&st, X + test[i] * (size_t)d, x);
      ev_svm_predict(m, x, prob + i * (size_t)n_classes);
    }
  }
  rc = 0;
done:
  ev_svm_free(m);
  ev_standardizer_free(&st);
  free(Xt);
  free(yt);
  free(dec);
  free(Xsub);
  free(ysub);
  free(gsub);
  return rc;
}
