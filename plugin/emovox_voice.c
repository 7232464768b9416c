/* The learned voice: the model's input normaliser state taken when "Learn voice" ends, started
 * from by "Use learned voice", and stored in the session with the identity of the model it was
 * learned for (docs/plugin.md, "Remembering a voice").
 *
 * Stored as an atom:Chunk in a fixed little-endian layout, so that a session moves between
 * machines:
 *   0  "EVV1"          magic and format version
 *   4  u32 dims        the model's input dimensions
 *   8  u64 id          emovox_voice_id of the model
 *   16 f64 n_seen      the statistics' step count, prior included
 *   24 f64 prior_w     the prior's remaining weight in them (0..1)
 *   32 char[64] name   the model's display name (for the log), NUL-padded
 *   96 f32 mean[dims], f32 var[dims] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emovox_plugin.h"
#include "ev_model.h"

#define VOICE_MAGIC    "EVV1"
#define VOICE_NAME     64
#define VOICE_HEAD     (32 + VOICE_NAME)
#define VOICE_MAX_DIMS (1 << 20) /* far above any model; bounds what a damaged blob asks for */

struct emovox_voice_blob {
  int dims;
  uint64_t id;
  double n_seen, prior_w;
  char name[VOICE_NAME + 1];
  float *mean, *var;
};

static uint64_t fnv(uint64_t h, const void *data, size_t n) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

uint64_t emovox_voice_id(struct ev_model *model) {
  /* What decides what a normaliser state means: the features read, in which order and stride,
   * the normalisation and its prior. The weights do not: a model retrained on the same inputs
   * and prior reads the same statistics the same way. Field by field, not the structs' bytes
   * (their padding is not defined). */
  const ev_input_config *c = ev_model_input_config(model);
  const int32_t dims = ev_model_input_dims(model);
  uint64_t h = fnv(1469598103934665603ull, &dims, sizeof dims);
  for (int i = 0; i < c->n_inputs; i++) {
    const int32_t id = c->inputs[i];
    h = fnv(h, &id, sizeof id);
  }
  const int32_t ints[3] = {c->frame_stride, (int32_t)c->norm.mode, c->norm.level_relative};
  const float floats[3] = {c->norm.tau_s, c->norm.prior_frames, c->norm.warmup_frames};
  h = fnv(h, ints, sizeof ints);
  h = fnv(h, floats, sizeof floats);
  h = fnv(h, ev_model_norm_mean(model), (size_t)dims * sizeof(float));
  return fnv(h, ev_model_norm_std(model), (size_t)dims * sizeof(float));
}

void emovox_voice_snapshot(emovox *self) {
  emovox_loaded *m = self->current_rt;
  if (!m || !m->voice_mean)
    return;
  const int dims = m->input_dims;
  if (ev_analyzer_input_dims(self->analyzer) != dims)
    return;
  double n_seen, prior_w;
  ev_analyzer_get_voice(self->analyzer, dims, NULL, NULL, &n_seen, &prior_w);
  if (!(prior_w < 1.0)) /* heard no speech: nothing learned, the previous profile stays */
    return;
  atomic_fetch_add_explicit(&m->voice_seq, 1, memory_order_relaxed); /* odd: writing */
  atomic_thread_fence(memory_order_release);
  /* into the profile's own buffers (allocated with the model): a bounded copy, no allocation */
  ev_analyzer_get_voice(self->analyzer, dims, m->voice_mean, m->voice_var, &n_seen, &prior_w);
  m->voice_n_seen = n_seen;
  m->voice_prior_w = prior_w;
  m->has_voice = true;
  atomic_thread_fence(memory_order_release);
  atomic_fetch_add_explicit(&m->voice_seq, 1, memory_order_release); /* even: done */
}

bool emovox_voice_apply(emovox *self) {
  const emovox_loaded *m = self->current_rt;
  if (!m || !m->has_voice)
    return false;
  return ev_analyzer_set_voice(self->analyzer, m->input_dims, m->voice_mean, m->voice_var,
                               m->voice_n_seen, m->voice_prior_w) != 0;
}

static void put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get_u32(const unsigned char *p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++)
    v |= (uint32_t)p[i] << (8 * i);
  return v;
}
static uint64_t get_u64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v |= (uint64_t)p[i] << (8 * i);
  return v;
}
static void put_f64(unsigned char *p, double d) {
  uint64_t v;
  memcpy(&v, &d, sizeof v);
  put_u64(p, v);
}
static double get_f64(const unsigned char *p) {
  const uint64_t v = get_u64(p);
  double d;
  memcpy(&d, &v, sizeof d);
  return d;
}
static void put_f32(unsigned char *p, float f) {
  uint32_t v;
  memcpy(&v, &f, sizeof v);
  put_u32(p, v);
}
static float get_f32(const unsigned char *p) {
  const uint32_t v = get_u32(p);
  float f;
  memcpy(&f, &v, sizeof f);
  return f;
}

void *emovox_voice_serialise(const emovox_loaded *m, size_t *size) {
  if (!m || !m->voice_mean)
    return NULL;
  const int dims = m->input_dims;
  const size_t n = VOICE_HEAD + (size_t)dims * 8;
  unsigned char *buf = malloc(n);
  if (!buf)
    return NULL;
  emovox_loaded *w = (emovox_loaded *)m; /* only the sequence counter is read atomically */
  for (;;) {
    const unsigned seq = atomic_load_explicit(&w->voice_seq, memory_order_acquire);
    if (seq & 1u) /* run() is copying a snapshot (O(dims), microseconds): read again */
      continue;
    const bool has = m->has_voice;
    if (has) {
      memcpy(buf, VOICE_MAGIC, 4);
      put_u32(buf + 4, (uint32_t)dims);
      put_u64(buf + 8, m->voice_id);
      put_f64(buf + 16, m->voice_n_seen);
      put_f64(buf + 24, m->voice_prior_w);
      memset(buf + 32, 0, VOICE_NAME);
      memcpy(buf + 32, m->name, strnlen(m->name, VOICE_NAME - 1));
      for (int i = 0; i < dims; i++) {
        put_f32(buf + VOICE_HEAD + 4 * (size_t)i, m->voice_mean[i]);
        put_f32(buf + VOICE_HEAD + 4 * ((size_t)dims + (size_t)i), m->voice_var[i]);
      }
    }
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&w->voice_seq, memory_order_relaxed) != seq)
      continue; /* a snapshot came in meanwhile: the copy may mix two, take it again */
    if (!has) {
      free(buf);
      return NULL;
    }
    *size = n;
    return buf;
  }
}

emovox_voice_blob *emovox_voice_parse(const void *data, size_t size, char *err, size_t errlen) {
  const unsigned char *p = data;
  if (!p || size < VOICE_HEAD || memcmp(p, VOICE_MAGIC, 4) != 0) {
    snprintf(err, errlen, "it is not a voice profile of this plugin version (%zu bytes)", size);
    return NULL;
  }
  const uint32_t dims = get_u32(p + 4);
  if (dims < 1 || dims > VOICE_MAX_DIMS || size != VOICE_HEAD + (size_t)dims * 8) {
    snprintf(err, errlen, "its size (%zu bytes) does not match its %u dimensions", size,
             (unsigned)dims);
    return NULL;
  }
  const double n_seen = get_f64(p + 16), prior_w = get_f64(p + 24);
  if (!(n_seen >= 0.0 && n_seen <= 1e15) || !(prior_w >= 0.0 && prior_w < 1.0)) {
    snprintf(err, errlen, "its step count or prior weight is out of range");
    return NULL;
  }
  emovox_voice_blob *b = calloc(1, sizeof *b);
  float *data_f = b ? malloc((size_t)dims * 2 * sizeof(float)) : NULL;
  if (!data_f) {
    free(b);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  b->dims = (int)dims;
  b->id = get_u64(p + 8);
  b->n_seen = n_seen;
  b->prior_w = prior_w;
  memcpy(b->name, p + 32, VOICE_NAME);
  b->name[VOICE_NAME] = '\0';
  b->mean = data_f;
  b->var = data_f + dims;
  /* values ev_input_set_state would not take (non-finite, negative variances) fall back to the
   * prior dimension by dimension there */
  for (uint32_t i = 0; i < dims; i++) {
    b->mean[i] = get_f32(p + VOICE_HEAD + 4 * (size_t)i);
    b->var[i] = get_f32(p + VOICE_HEAD + 4 * ((size_t)dims + i));
  }
  return b;
}

void emovox_voice_blob_free(emovox_voice_blob *b) {
  if (!b)
    return;
  free(b->mean);
  free(b);
}

void emovox_voice_attach(emovox *self, emovox_loaded *m, emovox_voice_blob *b) {
  if (!b)
    return;
  if (!m || !m->voice_mean || b->dims != m->input_dims || b->id != m->voice_id) {
    lv2_log_warning(&self->logger,
                    "emovox: the session's learned voice belongs to model '%s' (%d inputs), not "
                    "to '%s' (%d inputs); it is dropped: learn the voice again with this model "
                    "(Adapt to Speaker: Learn voice)\n",
                    b->name, b->dims, m ? m->name : "none", m ? m->input_dims : 0);
  } else {
    memcpy(m->voice_mean, b->mean, (size_t)b->dims * sizeof(float));
    memcpy(m->voice_var, b->var, (size_t)b->dims * sizeof(float));
    m->voice_n_seen = b->n_seen;
    m->voice_prior_w = b->prior_w;
    m->has_voice = true;
  }
  emovox_voice_blob_free(b);
}

emovox_voice_blob *emovox_take_pending_voice(emovox *self, unsigned gen) {
  pthread_mutex_lock(&self->state_lock);
  emovox_voice_blob *b = NULL;
  if (self->pending_gen == gen) { /* else a later restore's: its own load takes it */
    b = self->pending_voice;
    self->pending_voice = NULL;
  }
  pthread_mutex_unlock(&self->state_lock);
  return b;
}

void emovox_voice_carry(emovox_loaded *m, const emovox_loaded *old) {
  /* The identity says the old voice means the same to m (emovox_voice_id: the same inputs and
   * prior); another model's voice would not, and is dropped with the old model. */
  if (!m || !old || !m->carry_voice || m->has_voice || !old->has_voice || !m->voice_mean ||
      m->voice_id != old->voice_id || m->input_dims != old->input_dims)
    return;
  memcpy(m->voice_mean, old->voice_mean, (size_t)m->input_dims * sizeof(float));
  memcpy(m->voice_var, old->voice_var, (size_t)m->input_dims * sizeof(float));
  m->voice_n_seen = old->voice_n_seen;
  m->voice_prior_w = old->voice_prior_w;
  m->has_voice = true;
}

void emovox_voice_forget(emovox *self) {
  emovox_loaded *m = self->current_rt;
  if (m && m->has_voice) {
    /* under the seqlock, as a snapshot: save() then stores no voice */
    atomic_fetch_add_explicit(&m->voice_seq, 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    m->has_voice = false;
    atomic_thread_fence(memory_order_release);
    atomic_fetch_add_explicit(&m->voice_seq, 1, memory_order_release);
  }
  /* What Learn had gathered and what Use started from came from the voice: they restart cold
   * (as a relocate in Follow), so learning starts over and Use reads as Follow. Bounded time. */
  if (self->adapt_mode == EMOVOX_ADAPT_LEARN || self->adapt_mode == EMOVOX_ADAPT_USE)
    ev_analyzer_restart(self->analyzer);
  self->notify_pending = true; /* the UI's caption says "no voice learned" */
}
