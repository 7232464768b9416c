/* The eGeMAPS + SVM baseline on the same folds and figures as every other design. */
#include "ev_svm_eval.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "ev_augment.h"
#include "ev_dataset.h"
#include "ev_functionals.h"
#include "ev_metrics.h"
#include "ev_progress.h"
#include "ev_stream_eval.h"
#include "ev_svm.h"

#define NF          EV_FUNC_N
#define CACHE_MAGIC 0x31535645u /* "EVS1" */
#define INNER_FOLDS 3
#define SEARCH_ROWS 3000

/* the figures of ev_stream_eval.h; the SVM has no state, so its session figure is cold-16 */
enum { N_MODES = 5 };
static const char *const mode_names[N_MODES] = {"cold-16", "cold-48", "session", "cold-6dB",
                                                "cold-8"};
/* the feature sets per clip, rows [set * n + i] */
enum { SET_16, SET_48, SET_QUIET, SET_8, N_SETS };

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) {
    h ^= b[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

/* The statistics of a fixed synthetic voice-like signal (a 150 Hz harmonic tone with vibrato in
 * seeded noise): any change of the extractor or of the statistics changes them, and so the
 * cache key, so a cache never serves the numbers of an older implementation. */
static uint64_t extractor_fingerprint(void) {
  enum { N = 24000 };
  static float x[N];
  uint64_t r = 12345;
  double phase = 0;
  for (int i = 0; i < N; i++) {
    const double f0 = 150.0 * (1.0 + 0.05 * sin(2 * M_PI * 4.0 * i / 16000.0));
    phase += 2 * M_PI * f0 / 16000.0;
    double v = 0;
    for (int h = 1; h <= 8; h++)
      v += sin(h * phase) / h;
    r = r * 6364136223846793005ull + 1442695040888963407ull;
    x[i] = (float)(0.2 * v + 0.01 * ((double)(r >> 11) / 9007199254740992.0 - 0.5));
  }
  float out[NF];
  char err[256];
  if (ev_functionals_of_file(x, N, 16000, out, err, sizeof err) != 0)
    return 0;
  return fnv(0xcbf29ce484222325ull, out, sizeof out);
}

/* A clip's 16 kHz audio (nEMO is 24 kHz: the "16 kHz" figure is of its 16 kHz version). */
static float *clip_audio16(const char *path, size_t *n16, char *err, size_t errlen) {
  float *x = NULL;
  size_t n = 0;
  int rate = 0;
  if (ev_load_audio(path, &x, &n, &rate, err, errlen) != 0)
    return NULL;
  if (rate == 16000) {
    *n16 = n;
    return x;
  }
  float *y = ev_stream_resample(x, n, rate, 16000, n16);
  free(x);
  if (!y)
    snprintf(err, errlen, "%s: out of memory", path);
  return y;
}

/* The cold-6dB figure's statistics: the clip's 16 kHz audio 6 dB quieter. */
static int quiet_features(const char *path, float fq[NF], char *err, size_t errlen) {
  size_t n16 = 0;
  float *x16 = clip_audio16(path, &n16, err, errlen);
  if (!x16)
    return -1;
  const float g = (float)pow(10.0, EV_STREAM_QUIET_DB / 20.0);
  for (size_t i = 0; i < n16; i++)
    x16[i] *= g;
  const int rc = ev_functionals_of_file(x16, n16, 16000, fq, err, errlen);
  free(x16);
  return rc;
}

/* The cold-8 figure's statistics: the clip's 16 kHz audio taken to 8 kHz (ev_stream_resample,
 * as the plugin figure's cold-8), read at 8 kHz. */
static int band8_features(const char *path, float f8[NF], char *err, size_t errlen) {
  size_t n16 = 0, n8 = 0;
  float *x16 = clip_audio16(path, &n16, err, errlen);
  if (!x16)
    return -1;
  float *x8 = ev_stream_resample(x16, n16, 16000, 8000, &n8);
  free(x16);
  if (!x8) {
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  const int rc = ev_functionals_of_file(x8, n8, 8000, f8, err, errlen);
  free(x8);
  return rc;
}

/* A clip's statistics at 16 kHz and at 48 kHz (its 16 kHz audio upsampled). */
static int clip_features(const char *path, float f16[NF], float f48[NF], char *err, size_t errlen) {
  float *x = NULL, *x16 = NULL, *x48 = NULL;
  size_t n = 0, n16 = 0, n48 = 0;
  int rate = 0, rc = -1;
  if (ev_load_audio(path, &x, &n, &rate, err, errlen) != 0)
    return -1;
  if (rate != 16000) { /* nEMO is 24 kHz: the "16 kHz" figure is of its 16 kHz version */
    x16 = ev_stream_resample(x, n, rate, 16000, &n16);
  } else {
    x16 = x;
    n16 = n;
    x = NULL;
  }
  if (!x16 || !(x48 = ev_stream_resample(x16, n16, 16000, 48000, &n48))) {
    snprintf(err, errlen, "%s: out of memory", path);
    goto done;
  }
  if (ev_functionals_of_file(x16, n16, 16000, f16, err, errlen) != 0 ||
      ev_functionals_of_file(x48, n48, 48000, f48, err, errlen) != 0)
    goto done;
  rc = 0;
done:
  free(x);
  free(x16);
  free(x48);
  return rc;
}

typedef struct extraction {
  const ev_clip_list *clips;
  const char *cache_dir;
  uint64_t fingerprint;
  float *X; /* [4 n][NF]: rows 0..n-1 at 16 kHz, n..2n-1 at 48 kHz, 2n..3n-1 6 dB quieter,
               3n..4n-1 at 8 kHz */
  char *ok; /* [n] */
  atomic_size_t next, done, hits, failed;
  int progress;
  double t0;
  pthread_mutex_t lock; /* messages */
} extraction;

static void cache_path(const extraction *e, size_t i, char *out, size_t len) {
  /* what the file holds, not where it lies or when it was last touched */
  uint64_t h = ev_hash_file(0xcbf29ce484222325ull, e->clips->v[i].path);
  h = fnv(h, &e->fingerprint, sizeof e->fingerprint);
  snprintf(out, len, "%s/%016" PRIx64 ".egemaps", e->cache_dir, h);
}

/* A cache file: the magic, then k vectors of the 88 statistics. The quiet statistics (cold-6dB)
 * live in a file of their own next to the clip's 16 and 48 kHz ones, so that the caches made
 * before that figure stay good. */
static int cache_read(const char *path, float *const *v, int k) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  uint32_t magic = 0;
  int ok = fread(&magic, sizeof magic, 1, f) == 1 && magic == CACHE_MAGIC;
  for (int i = 0; ok && i < k; i++)
    ok = fread(v[i], sizeof *v[i], NF, f) == NF;
  fclose(f);
  return ok ? 0 : -1;
}

static void cache_write(const char *path, const float *const *v, int k) {
  char tmp[4400];
  snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)pthread_self() % 100000);
  FILE *f = fopen(tmp, "wb");
  if (!f)
    return;
  const uint32_t magic = CACHE_MAGIC;
  int ok = fwrite(&magic, sizeof magic, 1, f) == 1;
  for (int i = 0; ok && i < k; i++)
    ok = fwrite(v[i], sizeof *v[i], NF, f) == NF;
  ok &= fclose(f) == 0;
  if (ok)
    rename(tmp, path); /* atomic: a reader never sees half a file */
  else
    remove(tmp);
}

/* One set of a clip's statistics from its cache file (cache "" : none), else computed by
 * `features` and cached; 1, or 0 with err set. */
static int cached_set(const char *cache, const char *clip_path,
                      int (*features)(const char *, float *, char *, size_t), float *f, char *err,
                      size_t errlen) {
  if (cache[0] && cache_read(cache, &f, 1) == 0)
    return 1;
  if (features(clip_path, f, err, errlen) != 0)
    return 0;
  if (cache[0])
    cache_write(cache, (const float *const *)&f, 1);
  return 1;
}

static void *extract_worker(void *arg) {
  extraction *e = arg;
  const size_t n = e->clips->n;
  for (;;) {
    const size_t i = atomic_fetch_add(&e->next, 1);
    if (i >= n)
      break;
    float *f16 = e->X + i * NF, *f48 = e->X + (n + i) * NF, *fq = e->X + (2 * n + i) * NF,
          *f8 = e->X + (3 * n + i) * NF;
    char path[4300] = "", qpath[4400] = "", path8[4400] = "", err[512] = "";
    if (e->cache_dir) {
      cache_path(e, i, path, sizeof path);
      snprintf(qpath, sizeof qpath, "%s-quiet", path);
      snprintf(path8, sizeof path8, "%s-8k", path);
    }
    float *const both[2] = {f16, f48};
    if (path[0] && cache_read(path, both, 2) == 0) {
      e->ok[i] = 1;
      atomic_fetch_add(&e->hits, 1);
    } else if (clip_features(e->clips->v[i].path, f16, f48, err, sizeof err) == 0) {
      e->ok[i] = 1;
      if (path[0])
        cache_write(path, (const float *const *)both, 2);
    }
    if (e->ok[i])
      e->ok[i] = cached_set(qpath, e->clips->v[i].path, quiet_features, fq, err, sizeof err) &&
                 cached_set(path8, e->clips->v[i].path, band8_features, f8, err, sizeof err);
    if (!e->ok[i]) {
      atomic_fetch_add(&e->failed, 1);
      pthread_mutex_lock(&e->lock);
      fprintf(stderr, "emovox-train: %s: %s (left out)\n", e->clips->v[i].path, err);
      pthread_mutex_unlock(&e->lock);
    }
    const size_t d = atomic_fetch_add(&e->done, 1) + 1;
    if (e->progress && (d * 10 / n != (d - 1) * 10 / n)) {
      pthread_mutex_lock(&e->lock);
      fprintf(stderr, "eGeMAPS statistics: %zu/%zu clips (%.0f s)\n", d, n, ev_now() - e->t0);
      pthread_mutex_unlock(&e->lock);
    }
  }
  return NULL;
}

/* The argmax over the corpus's classes and its renormalised probability; -1 if none. */
static int score(const float *p, int L, const ev_labelset *ls, unsigned mask, float *conf) {
  double total = 0;
  int best = -1;
  for (int k = 0; k < L; k++)
    if (mask & (1u << ls->canon[k])) {
      total += p[k];
      if (best < 0 || p[k] > p[best])
        best = k;
    }
  *conf = best >= 0 && total > 0 ? (float)(p[best] / total) : 0.0f;
  return best;
}

typedef struct figure {
  ev_confusion cm;
  ev_metrics m;
  double ece;
} figure;

static void compute_figure(const ev_clip_list *clips, const ev_labelset *ls, const int *fold,
                           const float *P, const unsigned *corpus_labels, int corpus, figure *f) {
  const int L = ls->n;
  memset(f, 0, sizeof *f);
  ev_confusion_init(&f->cm, L);
  float *conf = malloc((clips->n + 1) * sizeof *conf);
  int *ok = malloc((clips->n + 1) * sizeof *ok);
  size_t n = 0;
  for (size_t i = 0; i < clips->n; i++) {
    if (fold[i] < 0 || (corpus >= 0 && clips->v[i].corpus != corpus))
      continue;
    const int truth = ls->index_of[clips->v[i].label];
    float c;
    const int pred = score(P + i * (size_t)L, L, ls, corpus_labels[clips->v[i].corpus], &c);
    ev_confusion_add(&f->cm, truth, pred);
    if (conf && ok) {
      conf[n] = c;
      ok[n++] = pred == truth;
    }
  }
  ev_metrics_compute(&f->cm, &f->m);
  f->ece = conf && ok ? ev_ece(conf, ok, n, 10) : NAN;
  free(conf);
  free(ok);
}

static json_t *figure_json(const figure *f) {
  json_t *o = json_object();
  json_object_set_new(o, "files", json_integer(f->m.total));
  json_object_set_new(o, "accuracy", json_real(f->m.accuracy));
  json_object_set_new(o, "uar", json_real(f->m.uar));
  json_object_set_new(o, "macro_f1", json_real(f->m.macro_f1));
  json_object_set_new(o, "ece_10_bins", json_real(isfinite(f->ece) ? f->ece : 0.0));
  return o;
}

static int report(const ev_clip_list *clips, const ev_labelset *ls, const int *fold,
                  float *const P[N_SETS], const unsigned *corpus_labels, const ev_svm_eval_opts *o,
                  json_t *root, FILE *out) {
  static const int set_of_mode[N_MODES] = {SET_16, SET_48, SET_16, SET_QUIET, SET_8};
  char path[4300];
  int used[EV_CORPUS_KIND_COUNT] = {0};
  for (size_t i = 0; i < clips->n; i++)
    if (fold[i] >= 0)
      used[clips->v[i].corpus] = 1;
  snprintf(path, sizeof path, "%s/baseline_figures.csv", o->outdir);
  FILE *fc = fopen(path, "w");
  if (fc)
    fprintf(fc, "mode,corpus,files,no_speech,accuracy,uar,macro_f1,ece_10_bins\n");
  fprintf(out,
          "== the eGeMAPS + SVM baseline (%s): 88 statistics per file, RBF SVM trained on the "
          "%s; session = cold-16 (the SVM has no state)\n",
          o->title, o->narrowband ? "files' 8 kHz statistics" : "files' 16 kHz statistics");
  fprintf(out, "%-8s %-10s %6s %8s %8s %8s %8s\n", "mode", "corpus", "files", "acc%", "UAR%",
          "mF1%", "ECE%");
  json_t *modes = json_object();
  for (int m = 0; m < N_MODES; m++) {
    json_t *jm = json_object();
    for (int k = -1; k < EV_CORPUS_KIND_COUNT; k++) {
      if (k >= 0 && !used[k])
        continue;
      figure f;
      compute_figure(clips, ls, fold, P[set_of_mode[m]], corpus_labels, k, &f);
      const char *cn = k < 0 ? "all" : ev_corpus_kind_name((ev_corpus_kind)k);
      fprintf(out, "%-8s %-10s %6ld %8.2f %8.2f %8.2f %8.2f\n", mode_names[m], cn, f.m.total,
              100 * f.m.accuracy, 100 * f.m.uar, 100 * f.m.macro_f1, 100 * f.ece);
      if (fc)
        fprintf(fc, "%s,%s,%ld,0,%.6f,%.6f,%.6f,%.6f\n", mode_names[m], cn, f.m.total, f.m.accuracy,
                f.m.uar, f.m.macro_f1, f.ece);
      json_object_set_new(jm, cn, figure_json(&f));
    }
    json_object_set_new(modes, mode_names[m], jm);
  }
  json_object_set_new(root, "figures", modes);
  int bad = 0;
  if (fc)
    bad |= fclose(fc) != 0;
  else
    bad = 1;
  /* every file's out-of-fold probabilities */
  snprintf(path, sizeof path, "%s/baseline_files.csv", o->outdir);
  if ((fc = fopen(path, "w"))) {
    fprintf(fc, "file,corpus,speaker,label,fold,mode");
    for (int k = 0; k < ls->n; k++)
      fprintf(fc, ",%s", ls->names[k]);
    fprintf(fc, "\n");
    for (size_t i = 0; i < clips->n; i++)
      for (int m = 0; m < N_MODES && fold[i] >= 0; m++) {
        if (m == 2) /* session = cold-16 */
          continue;
        const float *p = P[set_of_mode[m]] + i * (size_t)ls->n;
        fprintf(fc, "\"%s\",%s,%s,%s,%d,%s", clips->v[i].path,
                ev_corpus_kind_name((ev_corpus_kind)clips->v[i].corpus), clips->v[i].speaker,
                ls->names[ls->index_of[clips->v[i].label]], fold[i], mode_names[m]);
        for (int k = 0; k < ls->n; k++)
          fprintf(fc, ",%.6f", (double)p[k]);
        fprintf(fc, "\n");
      }
    bad |= fclose(fc) != 0;
  } else {
    bad = 1;
  }
  snprintf(path, sizeof path, "%s/baseline_figures.json", o->outdir);
  bad |= json_dump_file(root, path, JSON_INDENT(1)) != 0;
  return bad ? -1 : 0;
}

int ev_svm_eval(const ev_clip_list *clips, const ev_speakers *spk, const ev_labelset *ls,
                const ev_folds *folds, const ev_svm_eval_opts *o, FILE *out, char *err,
                size_t errlen) {
  const size_t n = clips->n;
  const int L = ls->n;
  int rc = -1;
  extraction ex;
  memset(&ex, 0, sizeof ex);
  ex.clips = clips;
  ex.progress = o->progress;
  ex.X = calloc(N_SETS * n * NF + 1, sizeof *ex.X);
  ex.ok = calloc(n + 1, 1);
  int *fold = malloc((n + 1) * sizeof *fold), *y = malloc((N_SETS * n + 1) * sizeof *y);
  int *inner = malloc((n + 1) * sizeof *inner);
  size_t *train = malloc((n + 1) * sizeof *train), *test = malloc((N_SETS * n + 1) * sizeof *test);
  float *P[N_SETS];
  for (int s = 0; s < N_SETS; s++)
    P[s] = calloc(n * (size_t)L + 1, sizeof *P[s]);
  float *prob = malloc((N_SETS * n * (size_t)L + 1) * sizeof *prob);
  json_t *root = json_object(), *jfolds = json_array();
  FILE *ff = NULL;
  char cache[4200] = "";
  int all_sets = 1;
  for (int s = 0; s < N_SETS; s++)
    all_sets &= P[s] != NULL;
  if (!ex.X || !ex.ok || !fold || !y || !inner || !train || !test || !all_sets || !prob) {
    snprintf(err, errlen, "out of memory");
    goto done;
  }
  /* ---- the statistics of every clip, once ---- */
  const double t0 = ev_now();
  ex.fingerprint = extractor_fingerprint();
  if (ex.fingerprint == 0) {
    char why[256] = "";
    float tmp[NF], x[1600] = {0};
    ev_functionals_of_file(x, 1600, 16000, tmp, why, sizeof why);
    snprintf(err, errlen, "the eGeMAPS statistics are not available: %s", why);
    goto done;
  }
  if (o->cache_dir) {
    snprintf(cache, sizeof cache, "%s/egemaps", o->cache_dir);
    if (mkdir(cache, 0777) != 0 && errno != EEXIST)
      cache[0] = 0;
  }
  ex.cache_dir = cache[0] ? cache : NULL;
  ex.t0 = t0;
  pthread_mutex_init(&ex.lock, NULL);
  int threads = o->threads < 1 ? 1 : o->threads > 16 ? 16 : o->threads;
  pthread_t th[16];
  int started = 0;
  for (int t = 1; t < threads; t++, started++)
    if (pthread_create(&th[t], NULL, extract_worker, &ex) != 0)
      break;
  extract_worker(&ex);
  for (int t = 1; t <= started; t++)
    pthread_join(th[t], NULL);
  pthread_mutex_destroy(&ex.lock);
  const double t_features = ev_now() - t0;
  /* a statistic that is not finite (a silent file has no loudness to take the log of) becomes
   * 0 and is counted; it must not poison the standardisation */
  size_t non_finite = 0;
  for (size_t i = 0; i < N_SETS * n * NF; i++)
    if (!isfinite(ex.X[i])) {
      ex.X[i] = 0.0f;
      non_finite++;
    }
  fprintf(
      out,
      "eGeMAPS statistics of %zu clips at 16, 48 and 8 kHz and 6 dB quieter in %.1f s (%zu from "
      "the cache, %zu "
      "unreadable, %zu non-finite values set to 0)\n",
      n, t_features, (size_t)ex.hits, (size_t)ex.failed, non_finite);

  unsigned corpus_labels[EV_CORPUS_KIND_COUNT] = {0};
  for (size_t i = 0; i < n; i++) {
    corpus_labels[clips->v[i].corpus] |= 1u << clips->v[i].label;
    for (int s = 0; s < N_SETS; s++)
      y[s * n + i] = ls->index_of[clips->v[i].label];
    fold[i] = -1;
  }
  /* the search on at most 3000 training files: a fit on 7000 files took 16 s of one core, on
   * 3000 about a fifth of that, and there are 27 fits per fold */
  /* The grid brackets what the search picks: on the six corpora a 3 x 3 grid from C 1 and
   * gamma 0.3/88 picked its lowest corner in 4 of 5 folds; the 4 x 4 grid that followed (C 0.3-10,
   * gamma 0.1-3/88) picked C 10 in 3 of 5 folds on 0.8's descriptors and never C 0.3 or gamma
   * 3/88 (inner UAR 5-13 points below the best), so it moved up a step in C and down in gamma. */
  ev_svm_grid grid = {
      5, 4, {1, 3, 10, 30, 100}, {0.03 / NF, 0.1 / NF, 0.3 / NF, 1.0 / NF}, SEARCH_ROWS};
  char path[4300];
  snprintf(path, sizeof path, "%s/baseline_folds.csv", o->outdir);
  ff = fopen(path, "w");
  if (ff) {
    fprintf(ff, "fold,test_files,train_files,search_files,C,gamma,support_vectors,seconds");
    for (int c = 0; c < grid.n_c; c++)
      for (int g = 0; g < grid.n_gamma; g++)
        fprintf(ff, ",inner_uar_C%g_gamma%.4g", grid.C[c], grid.gamma[g]);
    fprintf(ff, "\n");
  }
  double t_svm = 0;
  for (int f = 0; f < folds->n; f++) {
    const double tf = ev_now();
    size_t n_tr = 0, n_te = 0;
    int per[EV_CORPUS_KIND_COUNT] = {0};
    int *group_of_spk = malloc(((size_t)spk->n + 1) * sizeof *group_of_spk);
    if (!group_of_spk) {
      snprintf(err, errlen, "out of memory");
      goto done;
    }
    /* inner groups: the training speakers of each corpus dealt round-robin, as the outer folds */
    for (int k = 0; k < spk->n; k++)
      group_of_spk[k] = folds->of_speaker[k] == f ? -1 : per[spk->corpus[k]]++ % INNER_FOLDS;
    for (size_t i = 0; i < n; i++) {
      if (!ex.ok[i])
        continue;
      const int k = spk->of_clip[i];
      if (folds->of_speaker[k] == f) {
        test[n_te++] = i;
      } else { /* --channel narrow: trained on what an 8 kHz recording holds */
        inner[n_tr] = group_of_spk[k];
        train[n_tr++] = o->narrowband ? SET_8 * n + i : i;
      }
    }
    free(group_of_spk);
    for (size_t t = 0; t < n_te; t++) /* the same files at 48 kHz, 6 dB quieter and 8 kHz */
      for (int s = 1; s < N_SETS; s++)
        test[s * n_te + t] = s * n + test[t];
    ev_svm_split_result res;
    fprintf(out, "== %s: test %zu files, train %zu\n", folds->name[f], n_te, n_tr);
    fflush(out);
    if (n_te == 0)
      continue;
    if (ev_svm_baseline_split(ex.X, y, NF, L, train, n_tr, inner, INNER_FOLDS, test, N_SETS * n_te,
                              &grid, threads, (unsigned)o->seed, prob, &res, err, errlen) != 0)
      goto done;
    for (size_t t = 0; t < n_te; t++) {
      for (int s = 0; s < N_SETS; s++)
        memcpy(P[s] + test[t] * (size_t)L, prob + (s * n_te + t) * (size_t)L,
               (size_t)L * sizeof *prob);
      fold[test[t]] = f;
    }
    const double secs = ev_now() - tf;
    t_svm += secs;
    fprintf(out,
            "%s: C %g, gamma %.4g (1/88 x %.1f), %d support vectors, %.1f s; inner UAR (search "
            "on %zu files)",
            folds->name[f], res.C, res.gamma, res.gamma * NF, res.n_support, secs, res.search_rows);
    for (int p = 0; p < grid.n_c * grid.n_gamma; p++)
      fprintf(out, " %.1f", 100 * res.scores[p]);
    fprintf(out, "\n");
    if (ff) {
      fprintf(ff, "%s,%zu,%zu,%zu,%g,%.6g,%d,%.2f", folds->name[f], n_te, n_tr, res.search_rows,
              res.C, res.gamma, res.n_support, secs);
      for (int p = 0; p < grid.n_c * grid.n_gamma; p++)
        fprintf(ff, ",%.6f", res.scores[p]);
      fprintf(ff, "\n");
    }
    json_t *jf = json_object();
    json_object_set_new(jf, "fold", json_string(folds->name[f]));
    json_object_set_new(jf, "test_files", json_integer((json_int_t)n_te));
    json_object_set_new(jf, "train_files", json_integer((json_int_t)n_tr));
    json_object_set_new(jf, "search_files", json_integer((json_int_t)res.search_rows));
    json_object_set_new(jf, "C", json_real(res.C));
    json_object_set_new(jf, "gamma", json_real(res.gamma));
    json_object_set_new(jf, "support_vectors", json_integer(res.n_support));
    json_object_set_new(jf, "seconds", json_real(secs));
    json_array_append_new(jfolds, jf);
  }
  json_object_set_new(root, "title", json_string(o->title));
  json_object_set_new(root, "what",
                      json_string("eGeMAPS v02 88 statistics per file (ev_functionals_of_file) -> "
                                  "RBF SVM (libsvm), standardised on the training files, "
                                  "class-balanced C, C and gamma by a 3-fold speaker-grouped "
                                  "search on the training speakers, probabilities by pairwise "
                                  "coupling; argmax over the corpus's classes; session = cold-16"));
  json_t *gc = json_array(), *gg = json_array();
  for (int c = 0; c < grid.n_c; c++)
    json_array_append_new(gc, json_real(grid.C[c]));
  for (int g = 0; g < grid.n_gamma; g++)
    json_array_append_new(gg, json_real(grid.gamma[g]));
  json_object_set_new(root, "grid_C", gc);
  json_object_set_new(root, "grid_gamma", gg);
  json_object_set_new(root, "files_unreadable", json_integer((json_int_t)ex.failed));
  json_object_set_new(root, "non_finite_values", json_integer((json_int_t)non_finite));
  json_object_set_new(root, "seconds_features", json_real(t_features));
  json_object_set_new(root, "seconds_svm", json_real(t_svm));
  json_object_set_new(root, "threads", json_integer(threads));
  json_object_set_new(root, "folds", jfolds);
  jfolds = NULL;
  if (report(clips, ls, fold, P, corpus_labels, o, root, out) != 0) {
    snprintf(err, errlen, "cannot write the reports into %s", o->outdir);
    goto done;
  }
  fprintf(out,
          "baseline: %.0f s of feature extraction, %.0f s of SVM search and training on %d "
          "thread(s); baseline_figures.csv/.json, baseline_folds.csv, baseline_files.csv in %s/\n",
          t_features, t_svm, threads, o->outdir);
  rc = 0;
done:
  if (ff)
    fclose(ff);
  json_decref(jfolds);
  json_decref(root);
  free(ex.X);
  free(ex.ok);
  free(fold);
  free(y);
  free(inner);
  free(train);
  free(test);
  for (int s = 0; s < N_SETS; s++)
    free(P[s]);
  free(prob);
  return rc;
}
