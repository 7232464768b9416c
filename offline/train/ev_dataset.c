/* Feature extraction for training, with an on-disk cache and a pool of worker threads. */
#include "ev_dataset.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ev_analyzer.h"
#include "ev_functionals.h"
#include "ev_input.h"
#include "ev_model.h"
#include "ev_progress.h"

#define CACHE_MAGIC   0x31465645u /* "EVF1" */
#define CACHE_VERSION 4 /* bump when the extractor's output changes (3: libsoxr; 4: pauses) */

void ev_feat_seq_free(ev_feat_seq *s) {
  free(s->x);
  free(s->rms);
  free(s->speech);
  memset(s, 0, sizeof *s);
}

int ev_feat_seq_gained(const ev_input_config *c, const ev_feat_seq *raw, float gain_db,
                       ev_feat_seq *out) {
  memset(out, 0, sizeof *out);
  const size_t T = raw->T > 0 ? (size_t)raw->T : 0, D = (size_t)raw->D;
  out->T = raw->T;
  out->D = raw->D;
  out->x = malloc((T * D + 1) * sizeof *out->x);
  out->rms = malloc((T + 1) * sizeof *out->rms);
  out->speech = raw->speech ? malloc(T + 1) : NULL;
  if (!out->x || !out->rms || (raw->speech && !out->speech)) {
    ev_feat_seq_free(out);
    return -1;
  }
  memcpy(out->x, raw->x, T * D * sizeof *out->x);
  if (raw->speech)
    memcpy(out->speech, raw->speech, T);
  ev_func_level lv;
  const int at = ev_input_config_offset(c, EV_FEAT_EGEMAPS_FUNC);
  const int ok = at >= 0 && !ev_func_level_init(&lv, c->features.sample_rate);
  const float amp = powf(10.0f, gain_db / 20.0f);
  for (size_t t = 0; t < T; t++) {
    out->rms[t] = raw->rms[t] * amp;
    if (ok)
      ev_func_level_gain(&lv, out->x + t * D + (size_t)at, gain_db);
  }
  return 0;
}

void ev_steps_free(ev_steps *s) {
  free(s->x);
  memset(s, 0, sizeof *s);
}

int ev_load_audio(const char *path, float **x, size_t *n, int *rate, char *err, size_t errlen) {
  SF_INFO info;
  memset(&info, 0, sizeof info);
  SNDFILE *f = sf_open(path, SFM_READ, &info);
  if (!f) {
    snprintf(err, errlen, "cannot read %s: %s", path, sf_strerror(NULL));
    return -1;
  }
  if (info.channels < 1 || info.frames <= 0 || info.samplerate < 1000 ||
      info.frames > (sf_count_t)info.samplerate * 3600) {
    snprintf(err, errlen, "%s: empty or implausible audio (%d ch, %d Hz, %lld frames)", path,
             info.channels, info.samplerate, (long long)info.frames);
    sf_close(f);
    return -1;
  }
  size_t frames = (size_t)info.frames;
  float *inter = malloc(frames * (size_t)info.channels * sizeof *inter);
  float *mono = malloc(frames * sizeof *mono);
  if (!inter || !mono) {
    free(inter);
    free(mono);
    sf_close(f);
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  sf_count_t got = sf_readf_float(f, inter, info.frames);
  sf_close(f);
  if (got <= 0) {
    free(inter);
    free(mono);
    snprintf(err, errlen, "%s: no audio could be decoded", path);
    return -1;
  }
  /* A compressed file cut short (a FLAC whose header promises more than its frames hold)
   * decodes only its first part without an error: training on that part would give the clip's
   * label to audio that may not carry the emotion, so the clip is refused like any bad file. */
  if (got < info.frames) {
    free(inter);
    free(mono);
    snprintf(err, errlen, "%s: truncated or corrupt: only %lld of its %lld frames could be decoded",
             path, (long long)got, (long long)info.frames);
    return -1;
  }
  for (sf_count_t i = 0; i < got; i++) {
    float s = 0.0f;
    for (int c = 0; c < info.channels; c++)
      s += inter[(size_t)i * (size_t)info.channels + (size_t)c];
    mono[i] = s / (float)info.channels;
  }
  free(inter);
  *x = mono;
  *n = (size_t)got;
  *rate = info.samplerate;
  return 0;
}

typedef struct collect {
  const ev_arch *a;
  int D;
  float *x, *rms;
  int with_speech;       /* collected from the analyser: keep its speech gate per frame */
  unsigned char *speech; /* [cap] when with_speech */
  int T, cap;
  int oom;
} collect;

/* Room for one more frame; 0 or -1 (out of memory, remembered). */
static int grow(collect *c) {
  if (c->oom)
    return -1;
  if (c->T < c->cap)
    return 0;
  int cap = c->cap ? c->cap * 2 : 512;
  float *x = realloc(c->x, (size_t)cap * (size_t)c->D * sizeof *x);
  if (x)
    c->x = x;
  float *r = realloc(c->rms, (size_t)cap * sizeof *r);
  if (r)
    c->rms = r;
  unsigned char *sp = c->with_speech ? realloc(c->speech, (size_t)cap) : NULL;
  if (sp)
    c->speech = sp;
  if (!x || !r || (c->with_speech && !sp)) {
    c->oom = 1;
    return -1;
  }
  c->cap = cap;
  return 0;
}

static void on_frame(void *user, const ev_frame *fr) {
  collect *c = user;
  if (grow(c) != 0)
    return;
  /* The model's input vector: its features concatenated in the model's order (ev_input.h). */
  float *dst = c->x + (size_t)c->T * (size_t)c->D;
  for (int j = 0; j < c->a->input.n_inputs; j++) {
    int id = c->a->input.inputs[j];
    int d = ev_feature_dims(&c->a->input.features, (ev_feature_id)id);
    if (fr->feat[id])
      memcpy(dst, fr->feat[id], (size_t)d * sizeof *dst);
    else
      for (int i = 0; i < d; i++)
        dst[i] = NAN;
    dst += d;
  }
  c->rms[c->T] = fr->feat[EV_FEAT_RMS] ? fr->feat[EV_FEAT_RMS][0] : 0.0f;
  c->T++;
}

static void on_tap(void *user, const float *raw, int dims, float rms, int speech) {
  collect *c = user;
  if (grow(c) != 0)
    return;
  float *dst = c->x + (size_t)c->T * (size_t)c->D;
  for (int i = 0; i < c->D; i++)
    dst[i] = raw && dims == c->D ? raw[i] : NAN;
  c->rms[c->T] = rms;
  c->speech[c->T] = (unsigned char)(speech != 0);
  c->T++;
}

/* The arch as an (untrained) model, for the analyser to compute its inputs and gate. */
static ev_model *input_model(const ev_arch *a, char *err, size_t errlen) {
  ev_layer_config layers[EV_MODEL_MAX_LAYERS];
  int nl = ev_model_parse_architecture(a->layers_json, layers, EV_MODEL_MAX_LAYERS - 1,
                                       EV_N_EMOTIONS, err, errlen);
  if (nl < 1)
    return NULL;
  ev_model_desc d = {.name = a->name, .input = a->input};
  d.n_layers = nl;
  d.layers = layers;
  d.n_labels = EV_N_EMOTIONS;
  d.labels = ev_emotion_names;
  return ev_model_create(&d, err, errlen);
}

/* What the plugin computes: the analyser at the file's rate with its default controls, no
 * flush at the end (the plugin never sees one), every frame's raw input and speech gate. */
static int features_from_analyzer(const ev_arch *a, const float *x, size_t n, int rate,
                                  ev_feat_seq *out, char *err, size_t errlen) {
  const uint32_t block = 4096;
  ev_model *m = input_model(a, err, errlen);
  ev_analyzer *an = m ? ev_analyzer_new(rate, block, err, errlen) : NULL;
  ev_model_runtime *rt = an ? ev_analyzer_prepare_model(an, m, err, errlen) : NULL;
  collect c = {a, ev_arch_input_dims(a), NULL, NULL, 1, NULL, 0, 0, 0};
  int rc = -1;
  if (rt) {
    ev_analyzer_swap_model(an, rt);
    ev_analyzer_set_input_tap(an, on_tap, &c);
    for (size_t i = 0; i < n; i += block)
      ev_analyzer_process(an, x + i, (uint32_t)(n - i < block ? n - i : block));
    rc = c.oom ? -1 : 0;
    if (c.oom)
      snprintf(err, errlen, "out of memory");
  }
  if (an && rt) {
    ev_analyzer_set_input_tap(an, NULL, NULL);
    ev_analyzer_swap_model(an, NULL);
  }
  ev_model_runtime_free(rt);
  ev_analyzer_free(an);
  ev_model_free(m);
  if (rc != 0) {
    free(c.x);
    free(c.rms);
    free(c.speech);
    return -1;
  }
  out->T = c.T;
  out->D = c.D;
  out->x = c.x;
  out->rms = c.rms;
  out->speech = c.speech;
  return 0;
}

int ev_features_from_audio(const ev_arch *a, const float *x, size_t n, int rate, ev_feat_seq *out,
                           char *err, size_t errlen) {
  if (a->analyzer_inputs)
    return features_from_analyzer(a, x, n, rate, out, err, errlen);
  const uint32_t block = 4096;
  ev_extractor *ex = ev_extractor_new(&a->input.features, rate, block, err, errlen);
  if (!ex)
    return -1;
  collect c = {a, ev_arch_input_dims(a), NULL, NULL, 0, NULL, 0, 0, 0};
  for (size_t i = 0; i < n; i += block) {
    uint32_t len = (uint32_t)(n - i < block ? n - i : block);
    ev_extractor_process(ex, x + i, len, on_frame, &c);
  }
  ev_extractor_flush(ex, on_frame, &c);
  ev_extractor_free(ex);
  if (c.oom) {
    free(c.x);
    free(c.rms);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  out->T = c.T;
  out->D = c.D;
  out->x = c.x;
  out->rms = c.rms;
  out->speech = NULL;
  return 0;
}

uint64_t ev_clip_content(const char *path) {
  return ev_hash_file(0, path);
}

uint64_t ev_clip_copy_seed(uint64_t seed, uint64_t content, int copy) {
  return ev_hash_u64(ev_hash_u64(seed, content), (uint64_t)copy);
}

uint64_t ev_cache_key(uint64_t content, const ev_arch *a, const ev_augment_config *aug, int copy,
                      uint64_t seed) {
  uint64_t h = ev_hash_u64(0, CACHE_VERSION);
  h = ev_hash_u64(h, content); /* what the file holds: where it lies does not matter */
  const ev_feature_config *c = &a->input.features;
  int ints[] = {c->sample_rate, c->n_fft, c->win_length, c->hop_length, c->n_mels, c->n_mfcc};
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
    h = ev_hash_u64(h, (uint64_t)(int64_t)ints[i]);
  h = ev_hash_u64(h, (uint64_t)llround(c->fmin * 1000.0));
  h = ev_hash_u64(h, (uint64_t)llround(c->fmax * 1000.0));
  if (a->analyzer_inputs) { /* other inputs (DC blocker, restarts) and the gate in the file */
    h = ev_hash_u64(h, 0x616e616c797a6572ull);
    /* the gate's level: the fingerprint's voice (extraction_fingerprint) has its floor near
     * -61 dBFS and its speech far above, so it cannot tell -50 from -60 dBFS by itself */
    h = ev_hash_u64(h, (uint64_t)llround(EV_INPUT_GATE_DEFAULT_DB * -1000.0));
  }
  for (int i = 0; i < a->input.n_inputs; i++) {
    h = ev_hash_u64(h, (uint64_t)a->input.inputs[i] + 1000);
    if (ev_feature_windowed(a->input.inputs[i]))
      h = ev_hash_u64(h, (uint64_t)llround(c->func_window_s * 1000.0));
  }
  if (copy > 0 && aug) {
    h = ev_hash_u64(h, ev_augment_config_hash(aug));
    h = ev_hash_u64(h, (uint64_t)copy);
    h = ev_hash_u64(h, seed);
  }
  return h;
}

static void cache_path(const char *dir, uint64_t key, char *buf, size_t len) {
  snprintf(buf, len, "%s/%016llx.evf", dir, (unsigned long long)key);
}

/* speech: whether the file carries the analyser's speech gate after the RMS (T bytes). */
static int cache_read(const char *file, uint64_t key, int D, int speech, ev_feat_seq *out) {
  FILE *f = fopen(file, "rb");
  if (!f)
    return -1;
  uint32_t hdr[2];
  uint64_t k;
  int32_t td[2];
  int rc = -1;
  if (fread(hdr, sizeof hdr, 1, f) == 1 && hdr[0] == CACHE_MAGIC && hdr[1] == CACHE_VERSION &&
      fread(&k, sizeof k, 1, f) == 1 && k == key && fread(td, sizeof td, 1, f) == 1 && td[0] >= 0 &&
      td[0] < 10000000 && td[1] == D) {
    size_t T = (size_t)td[0];
    out->x = malloc((T ? T : 1) * (size_t)D * sizeof(float));
    out->rms = malloc((T ? T : 1) * sizeof(float));
    out->speech = speech ? malloc(T ? T : 1) : NULL;
    if (out->x && out->rms && (!speech || out->speech) &&
        fread(out->x, sizeof(float), T * (size_t)D, f) == T * (size_t)D &&
        fread(out->rms, sizeof(float), T, f) == T &&
        (!speech || fread(out->speech, 1, T, f) == T)) {
      out->T = (int)T;
      out->D = D;
      rc = 0;
    } else {
      ev_feat_seq_free(out);
    }
  }
  fclose(f);
  return rc;
}

static void cache_write(const char *file, uint64_t key, const ev_feat_seq *s) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.%ld.tmp", file, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  if (!f)
    return;
  uint32_t hdr[2] = {CACHE_MAGIC, CACHE_VERSION};
  int32_t td[2] = {s->T, s->D};
  int ok =
      fwrite(hdr, sizeof hdr, 1, f) == 1 && fwrite(&key, sizeof key, 1, f) == 1 &&
      fwrite(td, sizeof td, 1, f) == 1 &&
      fwrite(s->x, sizeof(float), (size_t)s->T * (size_t)s->D, f) == (size_t)s->T * (size_t)s->D &&
      fwrite(s->rms, sizeof(float), (size_t)s->T, f) == (size_t)s->T &&
      (!s->speech || fwrite(s->speech, 1, (size_t)s->T, f) == (size_t)s->T);
  ok &= fclose(f) == 0;
  if (ok)
    rename(tmp, file);
  else
    remove(tmp);
}

typedef struct job {
  ev_dataset *ds;
  const ev_extract_opts *o;
  uint64_t fingerprint; /* of the extraction path (extraction_fingerprint) */
  pthread_mutex_t lock;
  size_t next, done, total;
  ev_progress *progress;
} job;

/* One clip: the original (copy 0) and its augmented copies. Results depend only on the clip,
 * never on which thread did it. */
static void do_clip(job *j, size_t ci, size_t *hits, size_t *misses) {
  ev_dataset *ds = j->ds;
  const ev_extract_opts *o = j->o;
  const ev_clip *clip = &ds->clips->v[ci];
  float *audio = NULL;
  size_t n = 0;
  int rate = 0, loaded = 0;
  char err[512];
  ds->ok[ci] = 1;
  /* The cache key and the copies' draws come from the file's bytes, not its path: the same
   * corpus under another folder (or another spelling of it) gives the same weights. */
  const uint64_t content = ev_clip_content(clip->path);
  for (int copy = 0; copy <= ds->copies; copy++) {
    ev_feat_seq *s = ev_dataset_seq(ds, ci, copy);
    uint64_t key =
        ev_hash_u64(ev_cache_key(content, o->arch, o->aug, copy, o->seed), j->fingerprint);
    if (o->narrowband) /* the wide-band keys stay as they were */
      key = ev_hash_u64(key, 0x6e6172726f77ull);
    if (o->narrowband == 2) /* and the narrow ones without the floor */
      key = ev_hash_u64(key, 0x666c6f6f72ull);
    char file[4200] = "";
    if (o->cache_dir) {
      cache_path(o->cache_dir, key, file, sizeof file);
      if (cache_read(file, key, ds->D, o->arch->analyzer_inputs, s) == 0) {
        (*hits)++;
        continue;
      }
    }
    (*misses)++;
    if (!loaded) {
      if (ev_load_audio(clip->path, &audio, &n, &rate, err, sizeof err) != 0) {
        fprintf(stderr, "\nemovox-train: %s (skipped)\n", err);
        ds->ok[ci] = 0;
        break;
      }
      loaded = 1;
    }
    float *x = audio;
    size_t xn = n;
    if (copy > 0) {
      x = ev_augment_apply(o->aug, audio, n, rate, ev_clip_copy_seed(o->seed, content, copy), &xn);
      if (!x) {
        ds->ok[ci] = 0;
        break;
      }
    }
    if (o->narrowband) { /* last, as the channel a recording went through */
      float *b = ev_aug_band(x, xn, rate);
      if (x != audio)
        free(x);
      x = b;
      if (!x) {
        ds->ok[ci] = 0;
        break;
      }
      if (o->narrowband == 2) /* and the file it was stored in */
        ev_aug_noise_floor(x, xn, ev_hash_u64(ev_clip_copy_seed(o->seed, content, copy), 0xf1));
    }
    int rc = ev_features_from_audio(o->arch, x, xn, rate, s, err, sizeof err);
    if (x != audio)
      free(x);
    if (rc != 0) {
      fprintf(stderr, "\nemovox-train: %s: %s (skipped)\n", clip->path, err);
      ds->ok[ci] = 0;
      break;
    }
    if (file[0])
      cache_write(file, key, s);
  }
  free(audio);
  if (!ds->ok[ci])
    for (int copy = 0; copy <= ds->copies; copy++)
      ev_feat_seq_free(ev_dataset_seq(ds, ci, copy));
}

static void *worker(void *arg) {
  job *j = arg;
  size_t hits = 0, misses = 0;
  for (;;) {
    pthread_mutex_lock(&j->lock);
    size_t ci = j->next++;
    pthread_mutex_unlock(&j->lock);
    if (ci >= j->total)
      break;
    do_clip(j, ci, &hits, &misses);
    pthread_mutex_lock(&j->lock);
    j->done++;
    if (j->progress)
      ev_progress_update(j->progress, j->done);
    pthread_mutex_unlock(&j->lock);
  }
  pthread_mutex_lock(&j->lock);
  j->ds->cache_hits += hits;
  j->ds->cache_misses += misses;
  pthread_mutex_unlock(&j->lock);
  return NULL;
}

/* The arch's inputs (and speech flags) for a fixed synthetic voice (a harmonic tone with vibrato
 * in syllables, in seeded noise) with the situations the analyser treats apart: 0.6 s of floor
 * before the first speech, a 0.3 s pause inside an utterance, a 0.8 s pause between two, hashed
 * into h. */
static uint64_t fingerprint_at(const ev_arch *a, int rate, uint64_t h) {
  const int N = rate * 4;
  /* speech from..to, in seconds */
  static const double spans[][2] = {{0.6, 1.6}, {1.9, 2.4}, {3.2, 3.9}};
  float *x = malloc((size_t)N * sizeof *x);
  if (!x)
    return 0;
  uint64_t r = 12345;
  double phase = 0;
  for (int i = 0; i < N; i++) {
    const double t = i / (double)rate;
    phase += 2 * M_PI * 150.0 * (1.0 + 0.05 * sin(2 * M_PI * 4.0 * t)) / rate;
    double v = 0;
    for (int k = 1; k <= 8; k++)
      v += sin(k * phase) / k;
    double env = 0.0;
    for (size_t k = 0; k < sizeof spans / sizeof spans[0]; k++)
      if (t >= spans[k][0] && t < spans[k][1])
        env = 0.3 + 0.7 * fabs(sin(2 * M_PI * 2.5 * (t - spans[k][0])));
    r = r * 6364136223846793005ull + 1442695040888963407ull;
    x[i] = (float)(0.2 * env * v + 0.003 * ((double)(r >> 11) / 9007199254740992.0 - 0.5));
  }
  ev_feat_seq s;
  memset(&s, 0, sizeof s);
  char err[256];
  if (ev_features_from_audio(a, x, (size_t)N, rate, &s, err, sizeof err) == 0) {
    for (size_t i = 0; i < (size_t)s.T * (size_t)s.D; i++) {
      uint32_t bits;
      memcpy(&bits, &s.x[i], sizeof bits);
      h = ev_hash_u64(h, bits);
    }
    for (int t = 0; s.speech && t < s.T; t++)
      h = ev_hash_u64(h, s.speech[t]);
    h = ev_hash_u64(h, (uint64_t)s.T);
  }
  ev_feat_seq_free(&s);
  free(x);
  return h;
}

/* The fingerprint of the whole extraction path: any change of the extractor, the descriptors,
 * the functionals or the analyser's path changes it, and so every cache key, so a cache never
 * serves the inputs of an older implementation (no version to remember to bump). Taken at the
 * model rate and at 24 kHz, so that the resampler, which corpora at other rates go through
 * (nEMO is 24 kHz), is part of it too. */
static uint64_t extraction_fingerprint(const ev_arch *a) {
  return fingerprint_at(a, 24000, fingerprint_at(a, 16000, 0x9e3779b97f4a7c15ull));
}

int ev_dataset_extract(ev_dataset *ds, const ev_clip_list *clips, const ev_extract_opts *o,
                       char *err, size_t errlen) {
  memset(ds, 0, sizeof *ds);
  ds->clips = clips;
  ds->copies = (o->aug && o->aug->copies > 0) ? o->aug->copies : 0;
  ds->D = ev_arch_input_dims(o->arch);
  ds->seq = calloc(clips->n * (size_t)(ds->copies + 1) + 1, sizeof *ds->seq);
  ds->ok = calloc(clips->n + 1, 1);
  if (!ds->seq || !ds->ok) {
    snprintf(err, errlen, "out of memory");
    ev_dataset_free(ds);
    return -1;
  }
  if (o->cache_dir && mkdir(o->cache_dir, 0777) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "cannot create cache folder %s: %s (choose another with --cache DIR)",
             o->cache_dir, strerror(errno));
    ev_dataset_free(ds);
    return -1;
  }
  job j;
  memset(&j, 0, sizeof j);
  j.fingerprint = extraction_fingerprint(o->arch);
  j.ds = ds;
  j.o = o;
  j.total = clips->n;
  pthread_mutex_init(&j.lock, NULL);
  ev_progress prog;
  if (o->progress) {
    ev_progress_start(&prog, "features", clips->n);
    j.progress = &prog;
  }
  int nt = o->threads < 1 ? 1 : o->threads > 16 ? 16 : o->threads;
  pthread_t th[16];
  int started = 0;
  for (int t = 1; t < nt; t++)
    if (pthread_create(&th[started], NULL, worker, &j) == 0)
      started++;
  worker(&j);
  for (int t = 0; t < started; t++)
    pthread_join(th[t], NULL);
  pthread_mutex_destroy(&j.lock);
  if (o->progress)
    ev_progress_end(&prog);
  for (size_t i = 0; i < clips->n; i++)
    if (!ds->ok[i])
      ds->failed++;
  if (ds->failed)
    fprintf(stderr, "emovox-train: %zu of %zu file(s) could not be read and were skipped\n",
            ds->failed, clips->n);
  return 0;
}

void ev_dataset_free(ev_dataset *ds) {
  if (ds->seq && ds->clips)
    for (size_t i = 0; i < ds->clips->n * (size_t)(ds->copies + 1); i++)
      ev_feat_seq_free(&ds->seq[i]);
  free(ds->seq);
  free(ds->ok);
  memset(ds, 0, sizeof *ds);
}

/* The steps the prior is taken over, one at a time: the model's input vector of the stride
 * starting at t0 (with a relative level, as ev_input makes it) in v, if the plugin would read it
 * as speech (mean RMS above the default gate, the extractor's speech flag) and it is finite. */
typedef struct prior_steps {
  int D, stride, relative, func_at;
  double gate;
  ev_func_level level;
  double *v;
  float *rel;
} prior_steps;

static int prior_steps_init(prior_steps *p, const ev_arch *a) {
  memset(p, 0, sizeof *p);
  p->D = ev_arch_input_dims(a);
  p->stride = a->input.frame_stride;
  p->gate = pow(10.0, EV_INPUT_GATE_DEFAULT_DB / 20.0);
  p->func_at = ev_input_config_offset(&a->input, EV_FEAT_EGEMAPS_FUNC);
  p->relative = a->input.norm.level_relative && p->func_at >= 0 &&
                !ev_func_level_init(&p->level, a->input.features.sample_rate);
  p->v = calloc((size_t)p->D, sizeof *p->v);
  p->rel = calloc((size_t)p->D, sizeof *p->rel);
  return p->v && p->rel ? 0 : -1;
}

static void prior_steps_free(prior_steps *p) {
  free(p->v);
  free(p->rel);
}

static int prior_step(prior_steps *p, const ev_feat_seq *s, int t0) {
  const int D = p->D;
  double r = 0;
  for (int d = 0; d < D; d++)
    p->v[d] = 0;
  for (int t = t0; t < t0 + p->stride; t++) {
    r += s->rms[t];
    const float *x = s->x + (size_t)t * (size_t)D;
    if (p->relative) {
      memcpy(p->rel, x, (size_t)D * sizeof *p->rel);
      ev_func_level_apply(&p->level, p->rel + p->func_at);
      x = p->rel;
    }
    for (int d = 0; d < D; d++)
      p->v[d] += x[d];
  }
  if (r / p->stride <= p->gate)
    return 0;
  if (s->speech && !s->speech[t0 + p->stride - 1]) /* a step the plugin does not report */
    return 0;
  int finite = 1;
  for (int d = 0; d < D; d++) {
    p->v[d] /= p->stride;
    finite &= isfinite(p->v[d]);
  }
  return finite;
}

double ev_prior_stats(const ev_arch *a, ev_feat_seq *const *seqs, size_t n, float *mean,
                      float *std) {
  prior_steps p;
  const int D = ev_arch_input_dims(a);
  double *s1 = calloc((size_t)D, sizeof *s1), *s2 = calloc((size_t)D, sizeof *s2);
  double count = 0;
  const int ok = prior_steps_init(&p, a) == 0 && s1 && s2;
  for (size_t k = 0; ok && k < n; k++)
    for (int t0 = 0; t0 + p.stride <= seqs[k]->T; t0 += p.stride) {
      if (!prior_step(&p, seqs[k], t0))
        continue;
      for (int d = 0; d < D; d++) {
        s1[d] += p.v[d];
        s2[d] += p.v[d] * p.v[d];
      }
      count++;
    }
  for (int d = 0; d < D; d++) {
    double m = count > 0 && s1 ? s1[d] / count : 0.0;
    double var = count > 0 && s2 ? s2[d] / count - m * m : 1.0;
    mean[d] = (float)m;
    std[d] = (float)(var > 1e-6 ? sqrt(var) : 1e-3);
  }
  prior_steps_free(&p);
  free(s1);
  free(s2);
  return count;
}

static int cmp_float(const void *a, const void *b) {
  const float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

double ev_prior_stats_robust(const ev_arch *a, ev_feat_seq *const *seqs, size_t n, float *mean,
                             float *std) {
  const double count = ev_prior_stats(a, seqs, n, mean, std); /* the fallback, and the count */
  if (count < 4)
    return count;
  /* every step, or an even spread of them: the quantiles of 2^18 steps are those of all of
   * them to well within what training could tell apart, in 166 MB at most */
  const size_t every = (size_t)ceil(count / (double)EV_PRIOR_ROBUST_STEPS);
  const size_t cap = (size_t)count / every + 1;
  const int D = ev_arch_input_dims(a);
  float *col = malloc(cap * (size_t)D * sizeof *col);
  prior_steps p;
  if (!col || prior_steps_init(&p, a) != 0) { /* out of memory: the mean and deviation stay */
    if (col)
      prior_steps_free(&p); /* whichever of its buffers it got */
    free(col);
    return count;
  }
  size_t seen = 0, c = 0;
  for (size_t k = 0; k < n; k++)
    for (int t0 = 0; t0 + p.stride <= seqs[k]->T && c < cap; t0 += p.stride) {
      if (!prior_step(&p, seqs[k], t0) || seen++ % every)
        continue;
      for (int d = 0; d < D; d++)
        col[(size_t)d * cap + c] = (float)p.v[d];
      c++;
    }
  for (int d = 0; d < D && c >= 4; d++) {
    float *x = col + (size_t)d * cap;
    qsort(x, c, sizeof *x, cmp_float);
    const float q1 = x[(c - 1) / 4], med = x[(c - 1) / 2], q3 = x[(3 * (c - 1)) / 4];
    mean[d] = med;
    /* IQR / 1.349 is the standard deviation of a normal distribution; a dimension whose middle
     * half is one value keeps its standard deviation */
    if (q3 - q1 > 1e-6f)
      std[d] = (q3 - q1) / 1.349f;
  }
  prior_steps_free(&p);
  free(col);
  return count;
}

int ev_normalise_seq(ev_input *in, const ev_feat_seq *raw, ev_steps *out) {
  return ev_normalise_seq_from(in, raw, NULL, NULL, 0.0, out);
}

int ev_normalise_seq_from(ev_input *in, const ev_feat_seq *raw, const float *mean, const float *var,
                          double n_seen, ev_steps *out) {
  ev_input_reset(in);
  if (mean && var)
    ev_input_set_state(in, mean, var, n_seen);
  return ev_normalise_seq_continue(in, raw, out);
}

int ev_normalise_seq_continue(ev_input *in, const ev_feat_seq *raw, ev_steps *out) {
  const int D = ev_input_dims(in), stride = ev_input_stride(in);
  int S = raw->T / stride;
  out->S = 0;
  out->D = D;
  out->x = malloc(((size_t)S + 1) * (size_t)D * sizeof *out->x);
  if (!out->x)
    return -1;
  for (int t = 0; t < raw->T; t++) {
    const float *y = ev_input_push_vector(in, raw->x + (size_t)t * (size_t)D, raw->rms[t]);
    /* With the analyser's gate (analyzer_inputs) only the steps the plugin reports are kept:
     * a step ends on frame t, the frame whose output row carries it. */
    if (y && raw->speech && !raw->speech[t])
      continue;
    if (y && out->S < S + 1)
      memcpy(out->x + (size_t)out->S++ * (size_t)D, y, (size_t)D * sizeof *y);
  }
  return 0;
}
