/* The plugin's own figure: trained nets through ev_analyzer, summarised as emovox-analyze does
 * (ev_stream_eval.h). */
#include "ev_stream_eval.h"

#include <math.h>
#include <pthread.h>
#include <speex/speex_resampler.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ev_calibration.h"
#include "ev_dataset.h"
#include "ev_metrics.h"
#include "ev_model.h"
#include "ev_progress.h"

const char *const ev_stream_mode_names[EV_STREAM_MODES] = {"cold-16",  "cold-48",        "session",
                                                           "cold-6dB", "session-pauses", "learned",
                                                           "cold-8",   "session-8"};

/* emovox-analyze rounds every output to the 6 decimals it writes before it averages; doing the
 * same makes the two summaries agree to the last digit, not just to 1e-6. */
static double round6(double v) {
  if (!isfinite(v))
    return 0.0;
  double r = round(v * 1e6) / 1e6;
  return r == 0.0 ? 0.0 : r;
}

static void add_row(const ev_outputs *o, ev_summary_acc *acc) {
  double prob[EV_N_EMOTIONS];
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    prob[i] = round6(o->prob[i]);
  /* the plugin's dominant port is dominant + 1: 0 means no speech */
  ev_summary_add(acc, o->dominant >= 0, prob);
}

void ev_stream_feed(ev_analyzer *an, const float *x, size_t n, int rate, long window_rows,
                    ev_stream_summary *out) {
  ev_summary_acc acc;
  ev_summary_init(&acc, window_rows);
  /* as ea_job.c's run_file: rows at sample hop * rate / 100 in integers, blocks cut there */
  int64_t pos = 0, hop = 1, next_row = (int64_t)rate / EV_STREAM_ROWS_PER_S;
  const int64_t total = (int64_t)n;
  while (pos < total) {
    int64_t k = total - pos;
    if (k > EV_STREAM_BLOCK)
      k = EV_STREAM_BLOCK;
    if (pos + k > next_row)
      k = next_row - pos;
    if (k > 0)
      ev_analyzer_process(an, x + pos, (uint32_t)k);
    pos += k;
    if (pos == next_row) {
      add_row(ev_analyzer_outputs(an), &acc);
      hop++;
      next_row = hop * (int64_t)rate / EV_STREAM_ROWS_PER_S;
    }
  }
  ev_summary_finish(&acc, out);
}

float *ev_stream_resample(const float *x, size_t n, int from, int to, size_t *n_out) {
  if (from <= 0 || to <= 0)
    return NULL;
  const size_t want = (size_t)((double)n * to / from);
  if (from == to) {
    float *y = malloc((n + 1) * sizeof *y);
    if (y && n)
      memcpy(y, x, n * sizeof *x);
    *n_out = n;
    return y;
  }
  int err = 0;
  SpeexResamplerState *rs = speex_resampler_init(1, (spx_uint32_t)from, (spx_uint32_t)to, 10, &err);
  /* zeros after the end push the filter's tail out; skip_zeros removes its delay */
  const size_t pad_n = n + 4096;
  const size_t cap = (size_t)((double)pad_n * to / from) + 4096;
  float *y = calloc(cap, sizeof *y), *pad = calloc(pad_n, sizeof *pad);
  if (!rs || !y || !pad) {
    if (rs)
      speex_resampler_destroy(rs);
    free(y);
    free(pad);
    return NULL;
  }
  if (n)
    memcpy(pad, x, n * sizeof *x);
  speex_resampler_skip_zeros(rs);
  spx_uint32_t in_len = (spx_uint32_t)pad_n, out_len = (spx_uint32_t)cap;
  speex_resampler_process_float(rs, 0, pad, &in_len, y, &out_len);
  speex_resampler_destroy(rs);
  free(pad);
  *n_out = want < out_len ? want : out_len;
  return y;
}

/* ---------------------------------------------------------------- setup */

int ev_stream_eval_init(ev_stream_eval *e, const ev_clip_list *clips, const ev_speakers *spk,
                        const ev_labelset *ls, int threads, uint64_t seed) {
  memset(e, 0, sizeof *e);
  e->clips = clips;
  e->spk = spk;
  e->ls = ls;
  e->threads = threads < 1 ? 1 : threads;
  e->folded_temperature = 1.0;
  e->seed = seed;
  e->fold = malloc((clips->n + 1) * sizeof *e->fold);
  e->failed = calloc(clips->n + 1, 1);
  e->sum = calloc((clips->n + 1) * EV_STREAM_MODES, sizeof *e->sum);
  e->learned_from = calloc(clips->n + 1, 1);
  if (!e->fold || !e->failed || !e->sum || !e->learned_from) {
    ev_stream_eval_free(e);
    return -1;
  }
  for (size_t i = 0; i < clips->n; i++) {
    e->fold[i] = -1;
    e->corpus_labels[clips->v[i].corpus] |= 1u << clips->v[i].label;
  }
  return 0;
}

void ev_stream_eval_free(ev_stream_eval *e) {
  free(e->fold);
  free(e->failed);
  free(e->sum);
  free(e->learned_from);
  for (int f = 0; f < EV_FOLDS_MAX; f++)
    free(e->model_buf[f]);
  memset(e, 0, sizeof *e);
}

/* ---------------------------------------------------------------- workers */

typedef struct worker {
  ev_analyzer *an[3]; /* 16 kHz, 48 kHz, 8 kHz */
  ev_model_runtime *rt[3];
  long window_rows; /* the summary's reading window: the model's (ev_summary_window_rows) */
} worker;

typedef struct job {
  ev_stream_eval *e;
  const size_t *test;
  size_t n_test;
  int *spk_list; /* session: test speakers */
  int n_spk;
  int cold48;  /* run the 48 kHz pass too */
  int session; /* run the session pass */
  atomic_size_t next;
  worker *w;
  /* progress on stderr (e->progress): files done in the phase, under the lock */
  pthread_mutex_t lock;
  ev_progress prog;
  size_t done;
} job;

static void worker_free(worker *w) {
  for (int r = 0; r < 3; r++) {
    if (w->an[r]) {
      ev_analyzer_swap_model(w->an[r], NULL);
      ev_analyzer_free(w->an[r]);
    }
    ev_model_runtime_free(w->rt[r]);
  }
  memset(w, 0, sizeof *w);
}

/* Made on the calling thread: runtime preparation plans FFTs, which is not thread-safe. */
static int worker_new(worker *w, const ev_model *m, char *err, size_t errlen) {
  static const double rates[3] = {16000.0, 48000.0, 8000.0};
  memset(w, 0, sizeof *w);
  ev_analyzer_params p;
  ev_analyzer_params_default(&p); /* the plugin's defaults (its TTL's control defaults) */
  for (int r = 0; r < 3; r++) {
    w->an[r] = ev_analyzer_new(rates[r], EV_STREAM_BLOCK, err, errlen);
    if (!w->an[r])
      goto bad;
    ev_analyzer_set_params(w->an[r], &p);
    w->rt[r] = ev_analyzer_prepare_model(w->an[r], m, err, errlen);
    if (!w->rt[r])
      goto bad;
    ev_analyzer_swap_model(w->an[r], w->rt[r]);
  }
  w->window_rows = ev_summary_window_rows(ev_model_input_config(m));
  return 0;
bad:
  worker_free(w);
  return -1;
}

/* The clip's audio at 16 kHz (the corpora are stored so; other rates are resampled). */
static float *load16(const char *path, size_t *n16) {
  float *x = NULL;
  size_t n = 0;
  int rate = 0;
  char err[256];
  if (ev_load_audio(path, &x, &n, &rate, err, sizeof err) != 0)
    return NULL;
  if (rate == 16000) {
    *n16 = n;
    return x;
  }
  float *y = ev_stream_resample(x, n, rate, 16000, n16);
  free(x);
  return y;
}

/* Every reading "from a fresh state" starts from exactly a new analyser's state
 * (ev_analyzer_reset_exact): with ev_analyzer_reset the 48 kHz resampler's rounding would
 * depend on the files this worker read before, and the report on --threads. Its allocation is
 * no concern here (it is not the audio thread). 1, or 0 with the clip marked failed (out of
 * memory). */
static int fresh_state(ev_analyzer *an, ev_stream_eval *e, size_t clip) {
  if (ev_analyzer_reset_exact(an) == 0)
    return 1;
  e->failed[clip] = 1;
  return 0;
}

/* One clip's 16 kHz audio resampled to `rate` and read from a fresh state by `an` (made for that
 * rate) into *out; out of memory marks the clip failed. */
static void cold_at_rate(ev_stream_eval *e, ev_analyzer *an, size_t clip, const float *x16,
                         size_t n16, int rate, long window_rows, ev_stream_summary *out) {
  size_t n = 0;
  float *x = ev_stream_resample(x16, n16, 16000, rate, &n);
  if (x) {
    if (fresh_state(an, e, clip))
      ev_stream_feed(an, x, n, rate, window_rows, out);
  } else {
    e->failed[clip] = 1;
  }
  free(x);
}

static void cold_one(job *j, worker *w, size_t clip) {
  ev_stream_eval *e = j->e;
  ev_stream_summary *s = e->sum + clip * EV_STREAM_MODES;
  size_t n16 = 0;
  float *x16 = load16(e->clips->v[clip].path, &n16);
  if (!x16) {
    e->failed[clip] = 1;
    return;
  }
  if (fresh_state(w->an[0], e, clip))
    ev_stream_feed(w->an[0], x16, n16, 16000, w->window_rows, &s[EV_STREAM_COLD16]);
  float *quiet = malloc((n16 + 1) * sizeof *quiet);
  if (quiet) {
    const float g = (float)pow(10.0, EV_STREAM_QUIET_DB / 20.0);
    for (size_t i = 0; i < n16; i++)
      quiet[i] = x16[i] * g;
    if (fresh_state(w->an[0], e, clip))
      ev_stream_feed(w->an[0], quiet, n16, 16000, w->window_rows, &s[EV_STREAM_QUIET]);
    free(quiet);
  } else {
    e->failed[clip] = 1;
  }
  /* the telephone band (downsampling's low-pass keeps 0-4 kHz), then 48 kHz */
  cold_at_rate(e, w->an[2], clip, x16, n16, 8000, w->window_rows, &s[EV_STREAM_COLD8]);
  if (j->cold48)
    cold_at_rate(e, w->an[1], clip, x16, n16, 48000, w->window_rows, &s[EV_STREAM_COLD48]);
  free(x16);
}

/* A shuffle seeded by e->seed, the speaker's name and salt (0: the session order's), so that
 * it depends neither on the threads nor on the fold. */
static void speaker_shuffle(const ev_stream_eval *e, int speaker, uint64_t salt, size_t *clips,
                            size_t n) {
  uint64_t st = (e->seed ^ salt) * 0x100000001b3ull;
  for (const char *p = e->spk->name[speaker]; *p; p++)
    st = (st ^ (uint8_t)*p) * 0x100000001b3ull;
  for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
    size_t k = (size_t)(ev_splitmix64(&st) % i);
    size_t t = clips[i - 1];
    clips[i - 1] = clips[k];
    clips[k] = t;
  }
}

void ev_stream_session_order(const ev_stream_eval *e, int speaker, size_t *clips, size_t n) {
  speaker_shuffle(e, speaker, 0, clips, n);
}

size_t ev_stream_learned_halves(const ev_stream_eval *e, int speaker, size_t *clips, size_t n) {
  /* a salt of its own: with the session order's shuffle, half A would be the files the session
   * hears first, a coupling between two figures that are meant to be read side by side */
  speaker_shuffle(e, speaker, 0x6c6561726e6564ull /* "learned" */, clips, n);
  return n / 2;
}

/* One speaker's files (mine, in the session order) through one state into the summaries of
 * `mode` (mode < 0: none kept, the learned mode's learning pass, which only wants the state it
 * ends in); n_gap samples of silence before every file but the first are heard, not
 * summarised. */
static void session_pass(job *j, worker *w, const size_t *mine, size_t n, int mode,
                         const float *gap, size_t n_gap) {
  ev_stream_eval *e = j->e;
  /* session-8: the files taken to 8 kHz (as cold-8) through the 8 kHz analyser */
  const int at8 = mode == EV_STREAM_SESSION8, rate = at8 ? 8000 : 16000;
  ev_analyzer *an = w->an[at8 ? 2 : 0];
  if (ev_analyzer_reset_exact(an)) { /* the speaker starts fresh: fresh_state */
    for (size_t i = 0; i < n; i++)
      e->failed[mine[i]] = 1;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    size_t n16 = 0, nx = 0;
    float *x16 = load16(e->clips->v[mine[i]].path, &n16), *x = x16;
    nx = n16;
    if (x16 && at8) {
      x = ev_stream_resample(x16, n16, 16000, 8000, &nx);
      free(x16);
    }
    if (!x) {
      e->failed[mine[i]] = 1;
      continue;
    }
    if (i > 0 && n_gap > 0) {
      ev_stream_summary silence;
      ev_stream_feed(an, gap, n_gap, rate, w->window_rows, &silence);
    }
    ev_stream_summary discard;
    ev_stream_feed(an, x, nx, rate, w->window_rows,
                   mode >= 0 ? &e->sum[mine[i] * EV_STREAM_MODES + mode] : &discard);
    free(x);
  }
}

/* The learned mode for one half: `learn` (in its order) is played as "Learn voice" hears it, one
 * state with the pauses of session-pauses, and the voice taken at its end; then every file of
 * `score` alone from a fresh state started from that voice. A fresh state (fresh_state; at
 * 16 kHz the same as ev_analyzer_reset) then ev_analyzer_set_voice is the plugin's activate() in
 * "Use learned voice"; a relocate there is
 * ev_analyzer_restart then the same set_voice, which for a model state of up to 64k floats
 * resets exactly as ev_analyzer_reset does (larger states are cleared during the first audio
 * and the outputs wait: as for cold-16 against a relocate in Follow). No speech in `learn`: the
 * plugin takes no voice (emovox_voice_snapshot keeps none while the prior's share is whole) and
 * reads as Follow, i.e. cold. */
static void learned_half(job *j, worker *w, const size_t *learn, size_t n_learn,
                         const size_t *score, size_t n_score, const float *gap, size_t n_gap,
                         float *mean, float *var, int dims) {
  ev_stream_eval *e = j->e;
  session_pass(j, w, learn, n_learn, -1, gap, n_gap);
  double n_seen = 0.0, prior_w = 1.0;
  const int got = ev_analyzer_get_voice(w->an[0], dims, mean, var, &n_seen, &prior_w);
  const int has_voice = got && prior_w < 1.0; /* emovox_voice_snapshot's condition */
  for (size_t i = 0; i < n_score; i++) {
    size_t n16 = 0;
    float *x16 = load16(e->clips->v[score[i]].path, &n16);
    if (!x16) {
      e->failed[score[i]] = 1;
      continue;
    }
    if (!fresh_state(w->an[0], e, score[i])) {
      free(x16);
      continue;
    }
    if (has_voice)
      ev_analyzer_set_voice(w->an[0], dims, mean, var, n_seen, prior_w);
    ev_stream_feed(w->an[0], x16, n16, 16000, w->window_rows,
                   &e->sum[score[i] * EV_STREAM_MODES + EV_STREAM_LEARNED]);
    e->learned_from[score[i]] = has_voice ? EV_LEARNED_VOICE : EV_LEARNED_COLD_NO_VOICE;
    free(x16);
  }
}

/* One speaker's learned figure: learn on half A and read half B, then the other way round. A
 * single file has no other file of its speaker to learn from and is read cold. */
static void learned_one(job *j, worker *w, int speaker, size_t *mine, size_t n, const float *gap,
                        size_t n_gap) {
  ev_stream_eval *e = j->e;
  if (n == 1) {
    size_t n16 = 0;
    float *x16 = load16(e->clips->v[mine[0]].path, &n16);
    if (!x16) {
      e->failed[mine[0]] = 1;
      return;
    }
    if (fresh_state(w->an[0], e, mine[0]))
      ev_stream_feed(w->an[0], x16, n16, 16000, w->window_rows,
                     &e->sum[mine[0] * EV_STREAM_MODES + EV_STREAM_LEARNED]);
    e->learned_from[mine[0]] = EV_LEARNED_COLD_SINGLE;
    free(x16);
    return;
  }
  const int dims = ev_analyzer_input_dims(w->an[0]);
  float *buf = malloc(((size_t)(dims > 0 ? dims : 0) * 2 + 1) * sizeof *buf);
  if (!buf) {
    for (size_t i = 0; i < n; i++)
      e->failed[mine[i]] = 1;
    return;
  }
  const size_t h = ev_stream_learned_halves(e, speaker, mine, n);
  learned_half(j, w, mine, h, mine + h, n - h, gap, n_gap, buf, buf + dims, dims);
  learned_half(j, w, mine + h, n - h, mine, h, gap, n_gap, buf, buf + dims, dims);
  free(buf);
}

/* One speaker's test files, in the session order: back to back (session), then with a pause
 * between them (session-pauses); then the learned figure (its own halves and order). */
static size_t session_one(job *j, worker *w, int speaker) {
  ev_stream_eval *e = j->e;
  size_t *mine = malloc((j->n_test + 1) * sizeof *mine), n = 0;
  const size_t n_gap = (size_t)lround(EV_STREAM_SESSION_GAP_S * 16000.0);
  float *gap = calloc(n_gap, sizeof *gap);
  if (mine && gap) {
    for (size_t i = 0; i < j->n_test; i++)
      if (e->spk->of_clip[j->test[i]] == speaker)
        mine[n++] = j->test[i];
    ev_stream_session_order(e, speaker, mine, n);
    session_pass(j, w, mine, n, EV_STREAM_SESSION, NULL, 0);
    session_pass(j, w, mine, n, EV_STREAM_SESSION_PAUSED, gap, n_gap);
    session_pass(j, w, mine, n, EV_STREAM_SESSION8, NULL, 0);
    /* the halves are shuffled from the test order (ev_stream_learned_halves), not from the
     * session order, so that each order is what its own function says */
    n = 0;
    for (size_t i = 0; i < j->n_test; i++)
      if (e->spk->of_clip[j->test[i]] == speaker)
        mine[n++] = j->test[i];
    if (n > 0)
      learned_one(j, w, speaker, mine, n, gap, n_gap);
  }
  free(gap);
  free(mine);
  return n;
}

typedef struct thread_arg {
  job *j;
  worker *w;
  int phase; /* 0 cold, 1 session */
} thread_arg;

static void *thread_main(void *arg) {
  thread_arg *a = arg;
  job *j = a->j;
  const size_t n = a->phase == 0 ? j->n_test : (size_t)j->n_spk;
  for (;;) {
    size_t i = atomic_fetch_add(&j->next, 1);
    if (i >= n)
      break;
    size_t files = 1;
    if (a->phase == 0)
      cold_one(j, a->w, j->test[i]);
    else
      files = session_one(j, a->w, j->spk_list[i]);
    if (j->e->progress) {
      pthread_mutex_lock(&j->lock);
      j->done += files;
      ev_progress_update(&j->prog, j->done);
      pthread_mutex_unlock(&j->lock);
    }
  }
  return NULL;
}

static int run_phase(job *j, worker *w, int n_threads, int phase) {
  pthread_t th[64];
  thread_arg args[64];
  atomic_store(&j->next, 0);
  j->done = 0;
  if (j->e->progress) /* in files: a session phase's speakers differ in size */
    ev_progress_start(&j->prog,
                      phase        ? "plugin figure, sessions and learned voices"
                      : j->session ? "plugin figure, each file cold"
                                   : "plugin figure, temperature check (cold-16 at T)",
                      j->n_test);
  int started = 0;
  for (int t = 1; t < n_threads; t++) {
    args[t] = (thread_arg){j, &w[t], phase};
    if (pthread_create(&th[t], NULL, thread_main, &args[t]) != 0)
      break;
    started = t;
  }
  args[0] = (thread_arg){j, &w[0], phase};
  thread_main(&args[0]);
  for (int t = 1; t <= started; t++)
    pthread_join(th[t], NULL);
  if (j->e->progress)
    ev_progress_end(&j->prog);
  return 0;
}

static int run_model(ev_stream_eval *e, const ev_model *m, const size_t *test, size_t n_test,
                     int cold48, int session, char *err, size_t errlen) {
  const double t0 = ev_now();
  int n_threads = e->threads > 64 ? 64 : e->threads;
  if ((size_t)n_threads > n_test)
    n_threads = n_test ? (int)n_test : 1;
  worker w[64];
  memset(w, 0, sizeof w);
  for (int t = 0; t < n_threads; t++)
    if (worker_new(&w[t], m, err, errlen) != 0) {
      for (int k = 0; k < t; k++)
        worker_free(&w[k]);
      return -1;
    }
  job j = {.e = e, .test = test, .n_test = n_test, .cold48 = cold48, .session = session};
  pthread_mutex_init(&j.lock, NULL);
  int rc = 0;
  run_phase(&j, w, n_threads, 0);
  if (session) {
    char *seen = calloc((size_t)e->spk->n + 1, 1);
    j.spk_list = malloc(((size_t)e->spk->n + 1) * sizeof *j.spk_list);
    if (!seen || !j.spk_list) {
      snprintf(err, errlen, "out of memory");
      rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < n_test; i++) {
      int k = e->spk->of_clip[test[i]];
      if (!seen[k]) {
        seen[k] = 1;
        j.spk_list[j.n_spk++] = k;
      }
    }
    if (rc == 0)
      run_phase(&j, w, n_threads, 1);
    free(seen);
    free(j.spk_list);
  }
  for (int t = 0; t < n_threads; t++)
    worker_free(&w[t]);
  pthread_mutex_destroy(&j.lock);
  e->seconds += ev_now() - t0;
  return rc;
}

/* The one path of both entry points: `loaded` is what the loader made of buf (len bytes, owned
 * from here on), kept for the temperature check of the report. */
static int eval_loaded(ev_stream_eval *e, const ev_model *loaded, uint8_t *buf, size_t len,
                       int fold, const size_t *test, size_t n_test, char *err, size_t errlen) {
  if (fold < 0 || fold >= EV_FOLDS_MAX) {
    free(buf);
    snprintf(err, errlen, "fold %d out of range", fold);
    return -1;
  }
  free(e->model_buf[fold]);
  e->model_buf[fold] = buf;
  e->model_len[fold] = len;
  for (size_t i = 0; i < n_test; i++)
    e->fold[test[i]] = fold;
  return run_model(e, loaded, test, n_test, !e->skip48, 1, err, errlen);
}

int ev_stream_eval_model(ev_stream_eval *e, const ev_model *model, int fold, const size_t *test,
                         size_t n_test, char *err, size_t errlen) {
  uint8_t *buf = NULL;
  size_t len = 0;
  if (ev_model_serialize(model, &buf, &len, err, errlen) != 0)
    return -1;
  return eval_loaded(e, model, buf, len, fold, test, n_test, err, errlen);
}

int ev_stream_eval_run(ev_stream_eval *e, const ev_run *run, const ev_arch *arch, int fold,
                       const size_t *test, size_t n_test, char *err, size_t errlen) {
  ev_model *m = ev_run_model(run, arch, e->ls, arch->name, NULL, err, errlen);
  if (!m)
    return -1;
  /* through the real serialiser and loader: what the plugin loads from the file */
  uint8_t *buf = NULL;
  size_t len = 0;
  int rc = ev_model_serialize(m, &buf, &len, err, errlen);
  ev_model_free(m);
  if (rc != 0)
    return -1;
  ev_model *loaded = ev_model_load_memory(buf, len, err, errlen);
  if (!loaded) {
    free(buf);
    return -1;
  }
  rc = eval_loaded(e, loaded, buf, len, fold, test, n_test, err, errlen);
  ev_model_free(loaded);
  return rc;
}

/* ---------------------------------------------------------------- scoring */

/* The scored label (model label index) of a summary: argmax over the corpus's classes; -1 when
 * the file had no speech row. conf: that probability renormalised over the corpus's classes. */
static int score(const ev_stream_eval *e, size_t clip, const ev_stream_summary *s, float *conf) {
  const unsigned mask = e->corpus_labels[e->clips->v[clip].corpus];
  *conf = 0.0f;
  if (!s->speech_rows)
    return -1;
  int best = -1;
  double total = 0.0;
  for (int k = 0; k < e->ls->n; k++) {
    const int c = e->ls->canon[k];
    if (!(mask & (1u << c)))
      continue;
    total += s->prob[c];
    if (best < 0 || s->prob[c] > s->prob[e->ls->canon[best]])
      best = k;
  }
  if (best >= 0 && total > 0.0)
    *conf = (float)(s->prob[e->ls->canon[best]] / total);
  return best;
}

typedef struct figure {
  ev_confusion cm; /* n = labels + 1: the last column is "no speech" */
  ev_metrics m;
  long no_speech;
  double ece;
} figure;

/* Figures of one mode over the tested clips of one corpus (corpus < 0: all) and one fold
 * (fold < 0: all). */
static void compute_figure_in(const ev_stream_eval *e, int mode, int corpus, int fold, figure *f) {
  const int L = e->ls->n;
  memset(f, 0, sizeof *f);
  ev_confusion_init(&f->cm, L + 1);
  size_t cap = e->clips->n + 1, n = 0;
  float *conf = malloc(cap * sizeof *conf);
  int *ok = malloc(cap * sizeof *ok);
  for (size_t i = 0; i < e->clips->n; i++) {
    if (e->fold[i] < 0 || e->failed[i] || (corpus >= 0 && e->clips->v[i].corpus != corpus) ||
        (fold >= 0 && e->fold[i] != fold))
      continue;
    const int truth = e->ls->index_of[e->clips->v[i].label];
    float c;
    int pred = score(e, i, &e->sum[i * EV_STREAM_MODES + mode], &c);
    if (pred < 0) {
      f->no_speech++;
      pred = L;
    }
    ev_confusion_add(&f->cm, truth, pred);
    if (conf && ok) {
      conf[n] = c;
      ok[n++] = pred == truth;
    }
  }
  ev_metrics_compute(&f->cm, &f->m); /* UAR and macro-F1 over the true classes only */
  f->ece = conf && ok ? ev_ece(conf, ok, n, 10) : NAN;
  free(conf);
  free(ok);
}

static void compute_figure(const ev_stream_eval *e, int mode, int corpus, figure *f) {
  compute_figure_in(e, mode, corpus, -1, f);
}

void ev_stream_eval_fold_line(const ev_stream_eval *e, int fold, const char *name, FILE *out) {
  fprintf(out, "%s as the plugin reports:", name);
  for (int m = 0; m < EV_STREAM_MODES; m++) {
    if (m == EV_STREAM_COLD48 && e->skip48)
      continue;
    figure f;
    compute_figure_in(e, m, -1, fold, &f);
    fprintf(out, "  %s UAR %.2f%%", ev_stream_mode_names[m], 100 * f.m.uar);
  }
  fprintf(out, "\n");
}

/* Summary-level temperature: the renormalised summaries' logs as logits (one crop each). */
static float fit_summary_temperature(const ev_stream_eval *e, int mode, double *nll_t,
                                     double *nll_1, size_t *used) {
  const int L = e->ls->n;
  float *lg = malloc((e->clips->n + 1) * (size_t)L * sizeof *lg);
  int *nc = malloc((e->clips->n + 1) * sizeof *nc);
  int *lab = malloc((e->clips->n + 1) * sizeof *lab);
  size_t n = 0;
  float T = 1.0f;
  if (lg && nc && lab) {
    for (size_t i = 0; i < e->clips->n; i++) {
      const ev_stream_summary *s = &e->sum[i * EV_STREAM_MODES + mode];
      if (e->fold[i] < 0 || e->failed[i] || !s->speech_rows)
        continue;
      const unsigned mask = e->corpus_labels[e->clips->v[i].corpus];
      double total = 0.0;
      for (int k = 0; k < L; k++)
        if (mask & (1u << e->ls->canon[k]))
          total += s->prob[e->ls->canon[k]];
      if (!(total > 0.0))
        continue;
      for (int k = 0; k < L; k++) {
        const double q = mask & (1u << e->ls->canon[k]) ? s->prob[e->ls->canon[k]] / total : 0.0;
        lg[n * (size_t)L + (size_t)k] = (float)log(q > 1e-12 ? q : 1e-12);
      }
      nc[n] = 1;
      lab[n++] = e->ls->index_of[e->clips->v[i].label];
    }
    T = ev_temperature_fit(lg, nc, lab, n, L, 1, nll_t, nll_1);
  }
  free(lg);
  free(nc);
  free(lab);
  *used = n;
  return T;
}

/* Divides the last linear layer (before the softmax) of a serialised model by T and loads the
 * result; NULL if that layer is not linear. */
static ev_model *tempered_model(const uint8_t *buf, size_t len, float T, char *err, size_t errlen) {
  ev_model *m = ev_model_load_memory(buf, len, err, errlen);
  if (!m)
    return NULL;
  const int nl = ev_model_n_layers(m);
  ev_layer *l = nl >= 2 ? ev_model_layer_mut(m, nl - 2) : NULL;
  if (!l || (l->kind != EV_LAYER_DENSE && l->kind != EV_LAYER_CONV1D) ||
      l->activation != EV_ACT_LINEAR) {
    snprintf(err, errlen, "the last layer before the softmax is not linear");
    ev_model_free(m);
    return NULL;
  }
  for (int p = 0; p < l->n_params; p++)
    for (size_t k = 0; k < l->params[p].size; k++)
      l->params[p].data[k] /= T;
  /* and through the serialiser again, so nothing the loader derived from the old weights stays */
  uint8_t *b2 = NULL;
  size_t n2 = 0;
  int rc = ev_model_serialize(m, &b2, &n2, err, errlen);
  ev_model_free(m);
  if (rc != 0)
    return NULL;
  m = ev_model_load_memory(b2, n2, err, errlen);
  free(b2);
  return m;
}

static json_t *figure_json(const figure *f, const ev_labelset *ls) {
  json_t *o = json_object();
  json_object_set_new(o, "files", json_integer(f->m.total));
  json_object_set_new(o, "no_speech", json_integer(f->no_speech));
  json_object_set_new(o, "accuracy", json_real(f->m.accuracy));
  json_object_set_new(o, "uar", json_real(f->m.uar));
  json_object_set_new(o, "macro_f1", json_real(f->m.macro_f1));
  json_object_set_new(o, "ece_10_bins", json_real(isfinite(f->ece) ? f->ece : 0.0));
  json_t *pc = json_object();
  for (int k = 0; k < ls->n; k++) {
    if (!f->m.support[k])
      continue;
    json_t *c = json_object();
    json_object_set_new(c, "recall", json_real(f->m.recall[k]));
    json_object_set_new(c, "f1", json_real(f->m.f1[k]));
    json_object_set_new(c, "support", json_integer(f->m.support[k]));
    json_object_set_new(pc, ls->names[k], c);
  }
  json_object_set_new(o, "per_class", pc);
  json_t *cm = json_array();
  for (int t = 0; t < ls->n; t++) {
    json_t *row = json_array();
    for (int p = 0; p <= ls->n; p++)
      json_array_append_new(row, json_integer(f->cm.m[t][p]));
    json_array_append_new(cm, row);
  }
  json_object_set_new(o, "confusion_true_by_pred_then_no_speech", cm);
  return o;
}

static const char *learned_from_name(int how) {
  return how == EV_LEARNED_VOICE         ? "voice"
         : how == EV_LEARNED_COLD_SINGLE ? "cold-single-file"
                                         : "cold-no-voice";
}

static void write_files_csv(const ev_stream_eval *e, const char *path) {
  FILE *f = fopen(path, "w");
  if (!f)
    return;
  fprintf(f, "file,corpus,speaker,fold,label");
  for (int m = 0; m < EV_STREAM_MODES; m++) {
    fprintf(f, ",%s_pred,%s_confidence,%s_rows,%s_speech_rows", ev_stream_mode_names[m],
            ev_stream_mode_names[m], ev_stream_mode_names[m], ev_stream_mode_names[m]);
    for (int c = 0; c < EV_N_EMOTIONS; c++)
      fprintf(f, ",%s_%s", ev_stream_mode_names[m], ev_emotion_names[c]);
  }
  fprintf(f, ",learned_from\n"); /* where the learned mode's reading started */
  for (size_t i = 0; i < e->clips->n; i++) {
    if (e->fold[i] < 0)
      continue;
    const ev_clip *c = &e->clips->v[i];
    /* RFC 4180 quoting: paths may hold commas */
    fputc('"', f);
    for (const char *p = c->path; *p; p++) {
      if (*p == '"')
        fputc('"', f);
      fputc(*p, f);
    }
    fprintf(f, "\",%s,%s,%d,%s", ev_corpus_kind_name((ev_corpus_kind)c->corpus), c->speaker,
            e->fold[i], ev_emotion_names[c->label]);
    for (int m = 0; m < EV_STREAM_MODES; m++) {
      const ev_stream_summary *s = &e->sum[i * EV_STREAM_MODES + m];
      float conf = 0.0f;
      const int pred = e->failed[i] ? -2 : score(e, i, s, &conf);
      fprintf(f, ",%s,%.6f,%ld,%ld",
              pred >= 0    ? e->ls->names[pred]
              : pred == -1 ? "none"
                           : "failed",
              (double)conf, s->rows, s->speech_rows);
      for (int k = 0; k < EV_N_EMOTIONS; k++)
        fprintf(f, ",%.6f", s->prob[k]);
    }
    fprintf(f, ",%s\n", learned_from_name(e->learned_from[i]));
  }
  fclose(f);
}

/* ------------------------------------------------- arousal and valence */

/* A summary's arousal and valence as the plugin's ports read them: sum_i p_i coord_i over the
 * allowed emotions, p conditioned on them (all eight: the default Emotions set). 0 when there
 * is nothing to condition on. */
static void summary_dims(const ev_stream_summary *s, unsigned allowed, double *arousal,
                         double *valence) {
  double p[EV_N_EMOTIONS];
  for (int c = 0; c < EV_N_EMOTIONS; c++)
    p[c] = s->prob[c];
  *arousal = *valence = 0.0;
  if (ev_emotion_condition(p, allowed))
    ev_emotion_coords(p, arousal, valence);
}

typedef struct dims_figure {
  size_t n;                                  /* files with speech */
  double a_ccc, a_r, v_ccc, v_r;             /* all eight emotions (the default set) */
  double a_ccc_set, v_ccc_set;               /* the corpus's emotions (the Emotions control) */
  int cells;                                 /* speaker x emotion cells with both intensities */
  double strong_minus_normal, strong_higher; /* their mean arousal difference, share > 0 */
} dims_figure;

/* Arousal and valence of one mode over the tested files of one corpus (corpus < 0: all) against
 * the circumplex coordinates of the files' labels (a categorical stand-in for rated arousal),
 * and where the names give the acted intensity (RAVDESS), strong against normal within each
 * speaker's emotion. */
static int compute_dims(const ev_stream_eval *e, int mode, int corpus, dims_figure *f) {
  memset(f, 0, sizeof *f);
  const size_t N = e->clips->n;
  double *buf = malloc((8 * N + 1) * sizeof *buf);
  const int cells = e->spk->n * EV_N_EMOTIONS;
  double *cell = calloc((size_t)cells * 4 + 1, sizeof *cell); /* sum, count per intensity */
  if (!buf || !cell) {
    free(buf);
    free(cell);
    return -1;
  }
  double *pa = buf, *ta = buf + N, *pv = buf + 2 * N, *tv = buf + 3 * N, *pas = buf + 4 * N,
         *pvs = buf + 5 * N;
  for (size_t i = 0; i < N; i++) {
    const ev_clip *c = &e->clips->v[i];
    const ev_stream_summary *s = &e->sum[i * EV_STREAM_MODES + mode];
    if (e->fold[i] < 0 || e->failed[i] || (corpus >= 0 && c->corpus != corpus) || !s->speech_rows ||
        c->label < 0 || c->label >= EV_N_EMOTIONS)
      continue;
    summary_dims(s, EV_EMOTION_MASK_ALL, &pa[f->n], &pv[f->n]);
    summary_dims(s, e->corpus_labels[c->corpus], &pas[f->n], &pvs[f->n]);
    ta[f->n] = ev_emotion_arousal[c->label];
    tv[f->n] = ev_emotion_valence[c->label];
    if (c->intensity == 1 || c->intensity == 2) {
      double *k = cell + 4 * ((size_t)e->spk->of_clip[i] * EV_N_EMOTIONS + (size_t)c->label);
      k[2 * (c->intensity - 1)] += pa[f->n];
      k[2 * (c->intensity - 1) + 1] += 1.0;
    }
    f->n++;
  }
  f->a_ccc = ev_ccc(pa, ta, f->n, &f->a_r);
  f->v_ccc = ev_ccc(pv, tv, f->n, &f->v_r);
  f->a_ccc_set = ev_ccc(pas, ta, f->n, NULL);
  f->v_ccc_set = ev_ccc(pvs, tv, f->n, NULL);
  double diff = 0.0, higher = 0.0;
  for (int k = 0; k < cells; k++) {
    const double *q = cell + 4 * (size_t)k;
    if (q[1] > 0.0 && q[3] > 0.0) {
      const double d = q[2] / q[3] - q[0] / q[1];
      diff += d;
      higher += d > 0.0;
      f->cells++;
    }
  }
  f->strong_minus_normal = f->cells ? diff / f->cells : NAN;
  f->strong_higher = f->cells ? higher / f->cells : NAN;
  free(buf);
  free(cell);
  return 0;
}

static double finite_or_0(double v) {
  return isfinite(v) ? v : 0.0;
}

/* The arousal / valence table (plugin_dimensions.csv and the report's "dimensions"). */
static void report_dims(const ev_stream_eval *e, const int *used, const char *outdir, json_t *root,
                        FILE *out) {
  char path[4300];
  snprintf(path, sizeof path, "%s/plugin_dimensions.csv", outdir);
  FILE *fc = fopen(path, "w");
  if (fc)
    fprintf(fc, "mode,corpus,files,arousal_ccc,arousal_r,valence_ccc,valence_r,arousal_ccc_set,"
                "valence_ccc_set,intensity_cells,arousal_strong_minus_normal,strong_higher\n");
  fprintf(out, "== arousal and valence as the plugin's ports read them (sum of p_i coord_i over "
               "all eight; \"set\": over the corpus's emotions), against the labels' circumplex "
               "coordinates; intensity: strong - normal arousal within a speaker's emotion\n");
  fprintf(out, "%-8s %-10s %6s %8s %8s %8s %8s %9s %9s %6s %9s %7s\n", "mode", "corpus", "files",
          "A ccc", "A r", "V ccc", "V r", "A ccc set", "V ccc set", "cells", "strong-nrm",
          "higher");
  json_t *jd = json_object();
  for (int m = 0; m < EV_STREAM_MODES; m++) {
    if (m == EV_STREAM_COLD48 && e->skip48)
      continue;
    json_t *jm = json_object();
    for (int k = -1; k < EV_CORPUS_KIND_COUNT; k++) {
      if (k >= 0 && !used[k])
        continue;
      dims_figure f;
      if (compute_dims(e, m, k, &f) != 0)
        continue;
      const char *cn = k < 0 ? "all" : ev_corpus_kind_name((ev_corpus_kind)k);
      fprintf(out, "%-8s %-10s %6zu %8.3f %8.3f %8.3f %8.3f %9.3f %9.3f", ev_stream_mode_names[m],
              cn, f.n, f.a_ccc, f.a_r, f.v_ccc, f.v_r, f.a_ccc_set, f.v_ccc_set);
      if (f.cells)
        fprintf(out, " %6d %+9.3f %6.0f%%\n", f.cells, f.strong_minus_normal,
                100 * f.strong_higher);
      else
        fprintf(out, " %6s %9s %7s\n", "-", "-", "-");
      if (fc)
        fprintf(fc, "%s,%s,%zu,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%d,%.6f,%.6f\n",
                ev_stream_mode_names[m], cn, f.n, f.a_ccc, f.a_r, f.v_ccc, f.v_r, f.a_ccc_set,
                f.v_ccc_set, f.cells, f.strong_minus_normal, f.strong_higher);
      json_t *o = json_object();
      json_object_set_new(o, "files", json_integer((json_int_t)f.n));
      json_object_set_new(o, "arousal_ccc", json_real(finite_or_0(f.a_ccc)));
      json_object_set_new(o, "arousal_r", json_real(finite_or_0(f.a_r)));
      json_object_set_new(o, "valence_ccc", json_real(finite_or_0(f.v_ccc)));
      json_object_set_new(o, "valence_r", json_real(finite_or_0(f.v_r)));
      json_object_set_new(o, "arousal_ccc_set", json_real(finite_or_0(f.a_ccc_set)));
      json_object_set_new(o, "valence_ccc_set", json_real(finite_or_0(f.v_ccc_set)));
      if (f.cells) {
        json_object_set_new(o, "intensity_cells", json_integer(f.cells));
        json_object_set_new(o, "arousal_strong_minus_normal", json_real(f.strong_minus_normal));
        json_object_set_new(o, "strong_higher", json_real(f.strong_higher));
      }
      json_object_set_new(jm, cn, o);
    }
    json_object_set_new(jd, ev_stream_mode_names[m], jm);
  }
  json_object_set_new(root, "dimensions", jd);
  if (fc)
    fclose(fc);
}

int ev_stream_eval_report(ev_stream_eval *e, const char *outdir, const char *title, FILE *out) {
  char path[4300], err[512];
  int used[EV_CORPUS_KIND_COUNT] = {0};
  size_t tested = 0, failed = 0, cold_single = 0, cold_no_voice = 0;
  for (size_t i = 0; i < e->clips->n; i++)
    if (e->fold[i] >= 0) {
      used[e->clips->v[i].corpus] = 1;
      tested++;
      failed += e->failed[i] != 0;
      /* the learned figure's files that had no voice to start from (read cold) */
      if (!e->failed[i]) {
        cold_single += e->learned_from[i] == EV_LEARNED_COLD_SINGLE;
        cold_no_voice += e->learned_from[i] == EV_LEARNED_COLD_NO_VOICE;
      }
    }
  json_t *root = json_object();
  json_object_set_new(root, "title", json_string(title));
  json_object_set_new(root, "what",
                      json_string("what the plugin reports: ev_analyzer with default controls, "
                                  "summary = mean over speech rows (emovox-analyze), argmax over "
                                  "the corpus's classes; no-speech files count as wrong"));
  json_object_set_new(root, "files_tested", json_integer((json_int_t)tested));
  json_object_set_new(root, "files_unreadable", json_integer((json_int_t)failed));
  if (e->given_model)
    json_object_set_new(root, "files_skipped_label_not_in_model",
                        json_integer((json_int_t)e->label_skipped));
  snprintf(path, sizeof path, "%s/plugin_figures.csv", outdir);
  FILE *fc = fopen(path, "w");
  if (fc)
    fprintf(fc, "mode,corpus,files,no_speech,accuracy,uar,macro_f1,ece_10_bins\n");
  fprintf(out,
          "== what the plugin reports (%s): ev_analyzer, default controls, summary over "
          "speech rows as emovox-analyze\n",
          title);
  fprintf(out, "%-8s %-10s %6s %6s %8s %8s %8s %8s\n", "mode", "corpus", "files", "nospch", "acc%",
          "UAR%", "mF1%", "ECE%");
  json_t *modes = json_object();
  for (int m = 0; m < EV_STREAM_MODES; m++) {
    if (m == EV_STREAM_COLD48 && e->skip48) /* not run (`--plugin-figure quick`) */
      continue;
    json_t *jm = json_object();
    for (int k = -1; k < EV_CORPUS_KIND_COUNT; k++) {
      if (k >= 0 && !used[k])
        continue;
      figure f;
      compute_figure(e, m, k, &f);
      const char *cn = k < 0 ? "all" : ev_corpus_kind_name((ev_corpus_kind)k);
      fprintf(out, "%-8s %-10s %6ld %6ld %8.2f %8.2f %8.2f %8.2f\n", ev_stream_mode_names[m], cn,
              f.m.total, f.no_speech, 100 * f.m.accuracy, 100 * f.m.uar, 100 * f.m.macro_f1,
              100 * f.ece);
      if (fc)
        fprintf(fc, "%s,%s,%ld,%ld,%.6f,%.6f,%.6f,%.6f\n", ev_stream_mode_names[m], cn, f.m.total,
                f.no_speech, f.m.accuracy, f.m.uar, f.m.macro_f1, f.ece);
      json_object_set_new(jm, cn, figure_json(&f, e->ls));
    }
    json_object_set_new(modes, ev_stream_mode_names[m], jm);
  }
  json_object_set_new(root, "figures", modes);
  json_object_set_new(root, "learned_fallback_cold", json_integer((json_int_t)cold_single));
  json_object_set_new(root, "learned_no_voice_cold", json_integer((json_int_t)cold_no_voice));
  fprintf(out,
          "learned: each file read from the voice learned on the other half of its speaker's "
          "files; %zu file(s) read cold (their speaker has one test file), %zu (the other half "
          "heard no speech)\n",
          cold_single, cold_no_voice);
  if (failed)
    fprintf(out, "%zu file(s) could not be read and are left out of these figures\n", failed);
  if (e->label_skipped)
    fprintf(out, "%zu file(s) left out: their label is not one of the model's\n", e->label_skipped);
  report_dims(e, used, outdir, root, out);

  /* Temperature on the cold-16 figure: fitted on the summaries, then checked through the
   * plugin path with T folded into every fold's last layer (what `train --temperature` does). */
  double nll_t = 0, nll_1 = 0;
  size_t n_fit = 0;
  const float T = fit_summary_temperature(e, EV_STREAM_COLD16, &nll_t, &nll_1, &n_fit);
  figure before;
  compute_figure(e, EV_STREAM_COLD16, -1, &before);
  json_t *jt = json_object();
  /* a given model's summaries are not out of fold for T: T is fitted on the files it reports */
  json_object_set_new(jt, "fitted_on",
                      json_string(e->given_model ? "cold-16 summaries of the scored files "
                                                   "(in-sample for T)"
                                                 : "cold-16 summaries (out of fold)"));
  json_object_set_new(jt, "files", json_integer((json_int_t)n_fit));
  json_object_set_new(jt, "temperature", json_real(T));
  json_object_set_new(jt, "on_top_of_folded", json_real(e->folded_temperature));
  json_object_set_new(jt, "nll_at_1", json_real(nll_1));
  json_object_set_new(jt, "nll_at_t", json_real(nll_t));
  json_object_set_new(jt, "ece_before", json_real(before.ece));
  /* the check: every fold's model at T, cold-16 again (the summaries are kept aside) */
  ev_stream_summary *saved = malloc((e->clips->n + 1) * EV_STREAM_MODES * sizeof *saved);
  size_t *test = malloc((e->clips->n + 1) * sizeof *test);
  int rc = saved && test ? 0 : -1;
  double ece_t = NAN, uar_t = NAN;
  if (rc == 0 && fabsf(T - 1.0f) > 1e-6f) {
    memcpy(saved, e->sum, e->clips->n * EV_STREAM_MODES * sizeof *saved);
    for (int fold = 0; fold < EV_FOLDS_MAX && rc == 0; fold++) {
      if (!e->model_buf[fold])
        continue;
      size_t n = 0;
      for (size_t i = 0; i < e->clips->n; i++)
        if (e->fold[i] == fold)
          test[n++] = i;
      ev_model *m = tempered_model(e->model_buf[fold], e->model_len[fold], T, err, sizeof err);
      if (!m) {
        fprintf(out, "temperature check skipped: %s\n", err);
        break;
      }
      rc = run_model(e, m, test, n, 0, 0, err, sizeof err);
      ev_model_free(m);
    }
    figure after;
    compute_figure(e, EV_STREAM_COLD16, -1, &after);
    ece_t = after.ece;
    uar_t = after.m.uar;
    memcpy(e->sum, saved, e->clips->n * EV_STREAM_MODES * sizeof *saved);
  } else if (rc == 0) {
    ece_t = before.ece;
    uar_t = before.m.uar;
  }
  free(saved);
  free(test);
  json_object_set_new(jt, "ece_at_t_through_plugin", json_real(isfinite(ece_t) ? ece_t : 0.0));
  json_object_set_new(jt, "uar_at_t_through_plugin", json_real(isfinite(uar_t) ? uar_t : 0.0));
  json_object_set_new(root, "temperature_cold16", jt);
  char on_top[96] = "";
  if (e->folded_temperature != 1.0)
    snprintf(on_top, sizeof on_top,
             " on top of the --temperature %.3g already in (about %.3f in all)",
             e->folded_temperature, e->folded_temperature * (double)T);
  fprintf(out,
          "cold-16 temperature fitted on the %s: T = %.3f%s (NLL %.4f -> %.4f); ECE %.2f%% -> "
          "%.2f%% with T folded into %s and cold-16 run again (UAR %.2f%% -> %.2f%%)\n",
          e->given_model ? "scored files' summaries (in-sample)" : "out-of-fold summaries",
          (double)T, on_top, nll_1, nll_t, 100 * before.ece, 100 * ece_t,
          e->given_model ? "the model" : "each fold's model", 100 * before.m.uar, 100 * uar_t);
  if (fc)
    fclose(fc);
  snprintf(path, sizeof path, "%s/plugin_calibration.csv", outdir);
  if ((fc = fopen(path, "w"))) {
    fprintf(fc,
            "temperature,files,nll_at_1,nll_at_t,ece_10_bins,ece_10_bins_at_t,uar,uar_at_t\n"
            "%.4f,%zu,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n",
            (double)T, n_fit, nll_1, nll_t, before.ece, ece_t, before.m.uar, uar_t);
    fclose(fc);
  }
  json_object_set_new(root, "seconds", json_real(e->seconds));
  snprintf(path, sizeof path, "%s/plugin_figures.json", outdir);
  json_dump_file(root, path, JSON_INDENT(1));
  json_decref(root);
  snprintf(path, sizeof path, "%s/plugin_files.csv", outdir);
  write_files_csv(e, path);
  fprintf(out,
          "plugin figures: %.0f s of streaming on %d thread(s); plugin_figures.csv/.json, "
          "plugin_calibration.csv, plugin_files.csv\n",
          e->seconds, e->threads);
  return rc;
}
