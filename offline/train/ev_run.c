/* A training run: from cached raw features to a trained network and its predictions. */
#include "ev_run.h"

#include "ev_adapt_dims.h"

#include "ev_ensemble.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_emotions.h"
#include "ev_functionals.h"
#include "ev_input.h"
#include "ev_model.h"
#include "ev_sessions.h"
#include "ev_speaker_norm.h"

#define N_FUNCTIONALS 5 /* mean, std, 10th, 50th, 90th percentile */

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* Utterance statistics of the raw frames (speech frames if there are any). */
static int functionals(const ev_feat_seq *s, float *out) {
  int D = s->D;
  const double gate = pow(10.0, EV_INPUT_GATE_DEFAULT_DB / 20.0);
  int n = 0;
  for (int t = 0; t < s->T; t++)
    n += s->rms[t] > gate;
  int use_all = n < 3;
  if (use_all)
    n = s->T;
  float *col = malloc(((size_t)n + 1) * sizeof *col);
  if (!col)
    return -1;
  for (int d = 0; d < D; d++) {
    int k = 0;
    for (int t = 0; t < s->T; t++) {
      float v = s->x[(size_t)t * (size_t)D + (size_t)d];
      if ((use_all || s->rms[t] > gate) && isfinite(v))
        col[k++] = v;
    }
    float *o = out + (size_t)d * N_FUNCTIONALS;
    if (k == 0) {
      memset(o, 0, N_FUNCTIONALS * sizeof *o);
      continue;
    }
    double m = 0, v2 = 0;
    for (int i = 0; i < k; i++)
      m += col[i];
    m /= k;
    for (int i = 0; i < k; i++)
      v2 += (col[i] - m) * (col[i] - m);
    qsort(col, (size_t)k, sizeof *col, cmp_float);
    o[0] = (float)m;
    o[1] = (float)sqrt(v2 / k);
    o[2] = col[(k - 1) / 10];
    o[3] = col[(k - 1) / 2];
    o[4] = col[(k - 1) * 9 / 10];
  }
  free(col);
  return 0;
}

static int model_dims(const ev_arch *a, const ev_dataset *ds) {
  return a->functionals ? ds->D * N_FUNCTIONALS : ds->D;
}

/* Model steps of one (clip, copy). */
/* How many model steps of statistics a speaker's warm start stands for: one time constant. */
static double warm_steps(const ev_arch *a) {
  double step_s =
      (double)a->input.frame_stride * a->input.features.hop_length / a->input.features.sample_rate;
  return a->input.norm.tau_s / step_s;
}

/* Model steps of one (clip, copy). spk (may be NULL): per-speaker statistics of the set. */
static int make_steps(const ev_arch *a, const ev_dataset *ds, ev_input *in, const float *fmean,
                      const float *fstd, const ev_speaker_stats *spk, size_t clip, int copy,
                      float gain_db, const float *delta, ev_steps *out) {
  const ev_feat_seq *s = ev_dataset_seq(ds, clip, copy);
  const char *speaker = ds->clips->v[clip].speaker;
  const float *smean = spk ? ev_speaker_stats_mean(spk, speaker) : NULL;
  const float *svar = spk ? ev_speaker_stats_var(spk, speaker) : NULL;
  if (!a->functionals && (gain_db != 0.0f || delta)) { /* as if recorded louder, or by another */
    ev_feat_seq g;
    if (ev_feat_seq_gained(&a->input, s, gain_db, &g) != 0)
      return -1;
    for (size_t t = 0; delta && t < (size_t)g.T; t++)
      for (int d = 0; d < g.D; d++)
        g.x[t * (size_t)g.D + (size_t)d] += delta[d];
    const int rc = ev_normalise_seq_from(in, &g, smean, svar, warm_steps(a), out);
    ev_feat_seq_free(&g);
    return rc;
  }
  if (!a->functionals)
    return ev_normalise_seq_from(in, s, smean, svar, warm_steps(a), out);
  int D = model_dims(a, ds);
  out->S = 1;
  out->D = D;
  out->x = malloc((size_t)D * sizeof *out->x);
  if (!out->x || functionals(s, out->x) != 0)
    return -1;
  if (smean && svar) /* per-speaker z-scores of the functionals */
    for (int d = 0; d < D; d++)
      out->x[d] = (out->x[d] - smean[d]) / sqrtf(svar[d] > 1e-8f ? svar[d] : 1e-8f);
  else if (fmean)
    for (int d = 0; d < D; d++)
      out->x[d] = (out->x[d] - fmean[d]) / fstd[d];
  return 0;
}

typedef struct item_set {
  ev_item *items;
  ev_steps *steps;
  size_t n;
} item_set;

static void item_set_free(item_set *s) {
  for (size_t i = 0; i < s->n; i++)
    ev_steps_free(&s->steps[i]);
  free(s->steps);
  free(s->items);
  memset(s, 0, sizeof *s);
}

/* session_items, training: a share of the clips once more as the plugin reads them in a
 * session of their speaker (ev_sessions.h); every clip of a session is heard, every
 * (1/share)-th becomes an item. out has room for n more items. */
static int add_session_items(const ev_dataset *ds, const ev_labelset *ls, ev_input *in,
                             const unsigned *corpus_classes, const size_t *idx, size_t n,
                             double share, item_set *out) {
  size_t *clips = malloc((n + 1) * sizeof *clips), *order = malloc((n + 1) * sizeof *order);
  ev_steps *steps = malloc((n + 1) * sizeof *steps);
  size_t m = 0;
  int rc = -1;
  if (!clips || !order || !steps)
    goto done;
  for (size_t i = 0; i < n; i++)
    if (ds->ok[idx[i]] && ls->index_of[ds->clips->v[idx[i]].label] >= 0)
      clips[m++] = idx[i];
  m = ev_session_order(ds, clips, m, EV_SESSION_MIN_LABELS, order);
  rc = ev_session_steps(ds, in, order, m, steps);
  for (size_t i = 0; i < m; i++) {
    const ev_clip *c = &ds->clips->v[order[i]];
    const int keep = floor((double)(i + 1) * share) > floor((double)i * share);
    if (rc != 0 || steps[i].S < 1 || !keep) {
      ev_steps_free(&steps[i]);
      continue;
    }
    out->steps[out->n] = steps[i];
    out->items[out->n++] = (ev_item){steps[i].x, steps[i].S, ls->index_of[c->label],
                                     corpus_classes[c->corpus], c->corpus};
  }
done:
  free(clips);
  free(order);
  free(steps);
  return rc;
}

static int build_items(ev_run *run, const ev_arch *a, const ev_dataset *ds, const ev_labelset *ls,
                       const size_t *idx, size_t n, int with_copies, item_set *out, char *err,
                       size_t errlen) {
  memset(out, 0, sizeof *out);
  int copies = with_copies ? ds->copies : 0;
  /* session_items: each training clip once more, as heard in a session */
  const int sessions =
      with_copies && a->session_items > 0.0f && a->input.norm.mode == EV_NORM_ADAPTIVE;
  size_t cap = n * (size_t)(copies + 1 + sessions) + 1;
  /* --voice-swap: room for a training item's move (ev_voices_delta) */
  float *delta_buf = malloc(((size_t)model_dims(a, ds) + 1) * sizeof *delta_buf);
  if (!delta_buf) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  out->items = calloc(cap, sizeof *out->items);
  out->steps = calloc(cap, sizeof *out->steps);
  ev_input *in = NULL;
  if (!a->functionals &&
      (in = ev_input_new(&a->input, run->prior_mean, run->prior_std, err, errlen)) != NULL)
    ev_input_set_adapt_dims(in, run->adapt);
  ev_speaker_stats spk_stats, *spk = NULL;
  if (run->speaker_norm) {
    if (ev_speaker_stats_compute(&spk_stats, a, ds, idx, n, model_dims(a, ds),
                                 a->functionals ? functionals : NULL) == 0)
      spk = &spk_stats;
    else
      snprintf(err, errlen, "out of memory (speaker statistics)");
  }
  if (!out->items || !out->steps || (!a->functionals && !in) || (run->speaker_norm && !spk)) {
    free(delta_buf);
    if (spk)
      ev_speaker_stats_free(spk);
    ev_input_free(in);
    if (!err[0])
      snprintf(err, errlen, "out of memory");
    return -1;
  }
  /* the labels each corpus has, over all its clips (what the evaluation's argmax ranges over) */
  unsigned corpus_classes[EV_CORPUS_KIND_COUNT] = {0};
  for (size_t c = 0; c < ds->clips->n; c++) {
    int l = ls->index_of[ds->clips->v[c].label];
    if (l >= 0 && l < 32)
      corpus_classes[ds->clips->v[c].corpus] |= 1u << l;
  }
  for (size_t i = 0; i < n; i++) {
    size_t c = idx[i];
    if (!ds->ok[c])
      continue;
    int label = ls->index_of[ds->clips->v[c].label];
    if (label < 0)
      continue;
    for (int k = 0; k <= copies; k++) {
      ev_steps *st = &out->steps[out->n];
      float gain_db = 0.0f; /* training items only, a draw per (seed, clip, copy) */
      if (with_copies && run->gain_jitter > 0.0f) {
        uint64_t h = run->seed * 0x9e3779b97f4a7c15ull ^ (uint64_t)c * 0x100000001b3ull ^
                     (uint64_t)k * 0xbf58476d1ce4e5b9ull;
        const double u = (double)(ev_splitmix64(&h) >> 11) / 9007199254740992.0;
        gain_db = (float)((2.0 * u - 1.0) * run->gain_jitter);
      }
      const float *delta = with_copies && run->voice_swap > 0.0f
                               ? ev_voices_delta(&run->voices, ds->clips->v[c].speaker, run->seed,
                                                 c, k, run->voice_swap, delta_buf)
                               : NULL;
      if (make_steps(a, ds, in, run->prior_mean, run->prior_std, spk, c, k, gain_db, delta, st) !=
          0) {
        free(delta_buf);
        if (spk)
          ev_speaker_stats_free(spk);
        ev_input_free(in);
        snprintf(err, errlen, "out of memory");
        return -1;
      }
      if (st->S < 1) { /* shorter than one model step: nothing to classify */
        ev_steps_free(st);
        continue;
      }
      const int corpus = ds->clips->v[c].corpus;
      out->items[out->n] = (ev_item){st->x, st->S, label, corpus_classes[corpus], corpus};
      out->n++;
    }
  }
  free(delta_buf);
  if (spk)
    ev_speaker_stats_free(spk);
  int rc = 0;
  if (sessions && in)
    rc = add_session_items(ds, ls, in, corpus_classes, idx, n, a->session_items, out);
  ev_input_free(in);
  if (rc)
    snprintf(err, errlen, "out of memory (session items)");
  return rc;
}

/* run->centres: per label, the centre of the steps of its training clips (originals and copies),
 * as the prior is the centre of them all: the median with a robust prior, else the mean. A label
 * without a training clip takes the prior's. */
static int set_centres(ev_run *run, const ev_arch *a, const ev_dataset *ds, const ev_labelset *ls,
                       const size_t *idx, size_t n, int robust, char *err, size_t errlen) {
  const int D = model_dims(a, ds);
  const size_t cap = n * (size_t)(ds->copies + 1) + 1;
  run->centres = malloc((size_t)ls->n * (size_t)D * sizeof *run->centres);
  float *spread = malloc((size_t)D * sizeof *spread);
  ev_feat_seq **seqs = malloc(cap * sizeof *seqs);
  if (!run->centres || !spread || !seqs) {
    free(spread);
    free(seqs);
    snprintf(err, errlen, "out of memory (class centres)");
    return -1;
  }
  for (int k = 0; k < ls->n; k++) {
    float *c = run->centres + (size_t)k * (size_t)D;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if (ds->ok[idx[i]] && ls->index_of[ds->clips->v[idx[i]].label] == k)
        for (int q = 0; q <= ds->copies; q++)
          seqs[m++] = ev_dataset_seq(ds, idx[i], q);
    memcpy(c, run->prior_mean, (size_t)D * sizeof *c);
    if (m && (robust ? ev_prior_stats_robust(a, seqs, m, c, spread)
                     : ev_prior_stats(a, seqs, m, c, spread)) < 1.0)
      memcpy(c, run->prior_mean, (size_t)D * sizeof *c); /* no speech step: the prior's */
  }
  free(spread);
  free(seqs);
  return 0;
}

/* run->adapt from the training clips; prints the dimensions that adapt when verbose. */
static int set_adapt_dims(ev_run *run, const ev_arch *a, const ev_dataset *ds,
                          const ev_labelset *ls, const size_t *idx, size_t n, int verbose,
                          char *err, size_t errlen) {
  const int D = model_dims(a, ds);
  run->adapt = malloc((size_t)D * sizeof *run->adapt);
  if (!run->adapt || ev_adapt_dims(a, ds, ls, idx, n, a->speaker_dims, a->speaker_dims_across,
                                   run->adapt, NULL) != 0) {
    snprintf(err, errlen, "out of memory (adapting dimensions)");
    return -1;
  }
  if (verbose) {
    int k = 0;
    for (int d = 0; d < D; d++)
      k += run->adapt[d] != 0.0f;
    fprintf(stderr,
            "normaliser: %d of %d dimensions follow the voice (speaker spread > %g x "
            "emotion spread)",
            k, D, (double)a->speaker_dims);
    /* by name when the input is the eGeMAPS statistics alone */
    const int named = a->input.n_inputs == 1 && a->input.inputs[0] == EV_FEAT_EGEMAPS_FUNC;
    for (int d = 0; named && d < D; d++)
      if (run->adapt[d] != 0.0f)
        fprintf(stderr, " %s", ev_functionals_name(d));
    fputc('\n', stderr);
  }
  return 0;
}

int ev_run_train(ev_run *run, const ev_arch *a, const ev_dataset *ds, const ev_labelset *ls,
                 const size_t *train_idx, size_t n_train, const size_t *val_idx, size_t n_val,
                 const ev_train_opts *opts, char *err, size_t errlen) {
  memset(run, 0, sizeof *run);
  run->speaker_norm = opts->speaker_norm;
  run->gain_jitter = opts->gain_jitter;
  run->voice_swap = opts->voice_swap;
  run->has_read_warmup = opts->read_warmup >= 0.0f;
  run->read_warmup = opts->read_warmup;
  run->centre_confidence = opts->centre_confidence;
  run->seed = opts->seed;
  err[0] = 0;
  int D = model_dims(a, ds);
  run->prior_mean = calloc((size_t)D, sizeof(float));
  run->prior_std = calloc((size_t)D, sizeof(float));
  if (!run->prior_mean || !run->prior_std) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  /* prior statistics from the training clips (originals and copies) */
  size_t cap = n_train * (size_t)(ds->copies + 1) + 1, ns = 0;
  ev_feat_seq **seqs = malloc(cap * sizeof *seqs);
  if (!seqs) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < n_train; i++)
    if (ds->ok[train_idx[i]])
      for (int k = 0; k <= ds->copies; k++)
        seqs[ns++] = ev_dataset_seq(ds, train_idx[i], k);
  if (a->functionals) {
    /* z-score statistics of the functionals themselves */
    double *s1 = calloc((size_t)D, sizeof *s1), *s2 = calloc((size_t)D, sizeof *s2);
    float *f = malloc((size_t)D * sizeof *f);
    for (size_t i = 0; s1 && s2 && f && i < ns; i++) {
      functionals(seqs[i], f);
      for (int d = 0; d < D; d++) {
        s1[d] += f[d];
        s2[d] += (double)f[d] * f[d];
      }
    }
    for (int d = 0; d < D && s1 && s2; d++) {
      double m = ns ? s1[d] / (double)ns : 0, v = ns ? s2[d] / (double)ns - m * m : 1;
      run->prior_mean[d] = (float)m;
      run->prior_std[d] = (float)(v > 1e-8 ? sqrt(v) : 1e-4);
    }
    free(s1);
    free(s2);
    free(f);
  } else if (opts->robust_norm) {
    ev_prior_stats_robust(a, seqs, ns, run->prior_mean, run->prior_std);
  } else {
    ev_prior_stats(a, seqs, ns, run->prior_mean, run->prior_std);
  }
  free(seqs);
  if (opts->class_centres && a->input.norm.mode == EV_NORM_ADAPTIVE && !a->functionals &&
      set_centres(run, a, ds, ls, train_idx, n_train, opts->robust_norm, err, errlen) != 0)
    return -1;
  if (opts->voice_swap > 0.0f && run->centres) {
    int *label_of = malloc((ds->clips->n + 1) * sizeof *label_of);
    for (size_t c = 0; label_of && c < ds->clips->n; c++)
      label_of[c] = ls->index_of[ds->clips->v[c].label];
    const int rc = label_of
                       ? ev_voices_compute(&run->voices, ds, label_of, train_idx, n_train,
                                           run->centres, run->prior_std, D, EV_SESSION_MIN_LABELS)
                       : -1;
    free(label_of);
    if (rc != 0) {
      snprintf(err, errlen, "out of memory (voice offsets)");
      return -1;
    }
  }
  if (a->speaker_dims > 0.0f && a->input.norm.mode == EV_NORM_ADAPTIVE && !a->functionals &&
      set_adapt_dims(run, a, ds, ls, train_idx, n_train, opts->progress, err, errlen) != 0)
    return -1;

  item_set tr, va;
  if (build_items(run, a, ds, ls, train_idx, n_train, 1, &tr, err, errlen) != 0)
    return -1;
  if (build_items(run, a, ds, ls, val_idx, n_val, 0, &va, err, errlen) != 0) {
    item_set_free(&tr);
    return -1;
  }
  int rc = -1;
  ev_train_opts o = *opts;
  for (int k = 0; k < ls->n && k < 32; k++) /* --arousal-loss: the port's coordinate per class */
    o.class_arousal[k] = ev_emotion_arousal[ls->canon[k]];
  o.window = a->window;
  if (opts->ensemble > 1) {
    rc = ev_ensemble_train(&run->net, a, D, ls->n, tr.items, tr.n, va.items, va.n, &o, &run->result,
                           err, errlen);
  } else if (ev_net_build(&run->net, a, D, ls->n, err, errlen) == 0) {
    ev_net_init(&run->net, opts->seed);
    rc = ev_train(&run->net, tr.items, tr.n, va.items, va.n, &o, &run->result, err, errlen);
  }
  run->trained = rc == 0;
  item_set_free(&tr);
  item_set_free(&va);
  return rc;
}

int ev_run_evaluate(ev_run *run, const ev_arch *a, const ev_dataset *ds, const ev_labelset *ls,
                    const size_t *idx, size_t n, int threads, ev_confusion *cm, int *pred,
                    float *conf, float *crop_logits, int *n_crops, char *err, size_t errlen) {
  item_set te;
  err[0] = 0;
  if (build_items(run, a, ds, ls, idx, n, 0, &te, err, errlen) != 0)
    return -1;
  int *p = malloc((te.n + 1) * sizeof *p);
  const int C = run->net.n_classes;
  const size_t crop_floats = (size_t)EV_PRED_MAX_CROPS * (size_t)C;
  float *probs = malloc((te.n * (size_t)C + 1) * sizeof *probs);
  float *lg = crop_logits ? malloc((te.n * crop_floats + 1) * sizeof *lg) : NULL;
  int *nc = crop_logits ? malloc((te.n + 1) * sizeof *nc) : NULL;
  int rc = -1;
  if (p && probs && (!crop_logits || (lg && nc)) &&
      ev_predict_crops(&run->net, te.items, te.n, a->window, threads, p, probs, NULL, lg, nc) ==
          0) {
    for (size_t i = 0; i < te.n; i++)
      ev_confusion_add(cm, te.items[i].label, p[i]);
    rc = 0;
  } else {
    snprintf(err, errlen, "out of memory in prediction");
  }
  /* per clip predictions (clips without steps get -1) */
  if (pred && rc == 0) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
      size_t c = idx[i];
      int ok = ds->ok[c] && ls->index_of[ds->clips->v[c].label] >= 0;
      pred[i] = -1;
      if (conf)
        conf[i] = 0.0f;
      if (n_crops)
        n_crops[i] = 0;
      if (ok && k < te.n) {
        if (conf)
          conf[i] = probs[k * (size_t)C + (size_t)p[k]];
        if (crop_logits) {
          memcpy(crop_logits + i * crop_floats, lg + k * crop_floats, crop_floats * sizeof *lg);
          n_crops[i] = nc[k];
        }
        pred[i] = p[k++];
      }
    }
  }
  free(lg);
  free(nc);
  free(probs);
  free(p);
  item_set_free(&te);
  return rc;
}

void ev_run_free(ev_run *run) {
  ev_net_free(&run->net);
  free(run->prior_mean);
  free(run->prior_std);
  free(run->adapt);
  free(run->centres);
  ev_voices_free(&run->voices);
  ev_train_result_free(&run->result);
  memset(run, 0, sizeof *run);
}

ev_model *ev_run_model(const ev_run *run, const ev_arch *a, const ev_labelset *ls, const char *name,
                       const char *provenance_json, char *err, size_t errlen) {
  if (a->functionals) {
    snprintf(err, errlen,
             "the functionals baseline works on whole utterances and cannot run "
             "in the streaming plugin; it is an evaluation mode only");
    return NULL;
  }
  ev_input_config input = a->input;
  if (run->has_read_warmup) /* how the plugin reads, not how the training items were made */
    input.norm.warmup_frames = run->read_warmup;
  input.norm.centre_confidence = run->centre_confidence; /* read-time too: no item uses it */
  ev_model_desc d = {.name = name,
                     .input = input,
                     .n_layers = run->net.n_layers,
                     .layers = run->net.configs,
                     .weights = run->net.w,
                     .n_labels = ls->n,
                     .labels = ls->names,
                     .provenance = provenance_json};
  ev_model *m = ev_model_create(&d, err, errlen);
  if (!m)
    return NULL;
  int D = ev_model_input_dims(m);
  memcpy(ev_model_norm_mean(m), run->prior_mean, (size_t)D * sizeof(float));
  memcpy(ev_model_norm_std(m), run->prior_std, (size_t)D * sizeof(float));
  if (ev_model_set_norm_adapt(m, run->adapt, err, errlen) != 0 ||
      ev_model_set_norm_centres(m, run->centres, err, errlen) != 0) {
    ev_model_free(m);
    return NULL;
  }
  return m;
}

int ev_run_export(const ev_run *run, const ev_arch *a, const ev_labelset *ls, const char *name,
                  const char *version, int band_hz, const char *provenance_json, const char *path,
                  char *err, size_t errlen) {
  ev_model *m = ev_run_model(run, a, ls, name, provenance_json, err, errlen);
  if (!m)
    return -1;
  int rc = ev_model_set_version(m, version, err, errlen);
  if (rc == 0)
    rc = ev_model_set_audio_band(m, band_hz, err, errlen);
  if (rc == 0)
    rc = ev_model_save(m, path, err, errlen);
  ev_model_free(m);
  return rc;
}
