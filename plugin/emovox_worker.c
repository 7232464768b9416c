/* The LV2 worker: model files are read, validated and prepared here, off the audio thread;
 * run() (through work_response) only swaps a pointer. Retired models come back here to be
 * freed. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "emovox_plugin.h"
#include "ev_model.h"

enum { JOB_LOAD = 1, JOB_FREE = 2, REPLY_LOADED = 3, REPLY_FAILED = 4 };

typedef struct {
  uint32_t type;
  uint32_t is_default;   /* the bundle's default model (not stored in state) */
  uint32_t len;          /* bytes of path that follow, including the terminating NUL */
  uint32_t note_len;     /* bytes of note after the path, including its NUL (0: no note) */
  uint32_t from_session; /* restored from a session: a file that fails gives way to the default */
  uint32_t gen;          /* the request's generation (emovox.load_gen) */
} load_job;

typedef struct {
  uint32_t type;
  uint32_t gen; /* REPLY_LOADED: the request's generation; run() drops a stale one */
  emovox_loaded *model;
} model_msg; /* JOB_FREE and REPLY_LOADED */

typedef struct {
  uint32_t type;
  uint32_t gen;
  char text[EMOVOX_TEXT_MAX];
} failed_msg;

bool emovox_request_load(const LV2_Worker_Schedule *schedule, const char *path, uint32_t len,
                         bool is_default, const char *note, bool from_session, unsigned gen) {
  struct {
    load_job head;
    char text[EMOVOX_PATH_MAX + EMOVOX_TEXT_MAX]; /* path, then the note */
  } msg;
  if (len == 0 || len >= EMOVOX_PATH_MAX)
    return false;
  /* Only the bytes used are sent: hosts' worker queues can be small. */
  const uint32_t note_len = note && note[0] ? (uint32_t)strnlen(note, EMOVOX_TEXT_MAX - 1) : 0;
  msg.head.type = JOB_LOAD;
  msg.head.is_default = is_default;
  msg.head.from_session = from_session;
  msg.head.gen = gen;
  msg.head.len = len + 1;
  msg.head.note_len = note_len ? note_len + 1 : 0;
  memcpy(msg.text, path, len);
  msg.text[len] = '\0';
  if (note_len) {
    memcpy(msg.text + len + 1, note, note_len);
    msg.text[len + 1 + note_len] = '\0';
  }
  const uint32_t size = (uint32_t)sizeof msg.head + msg.head.len + msg.head.note_len;
  return schedule->schedule_work(schedule->handle, size, &msg) == LV2_WORKER_SUCCESS;
}

void emovox_status_for(emovox *self, const emovox_loaded *m) {
  if (m && m->note[0])
    emovox_set_status(self, EMOVOX_STATUS_LOAD_ERROR, m->note);
  else
    emovox_set_status(self, m ? EMOVOX_STATUS_OK : EMOVOX_STATUS_NO_MODEL,
                      m ? "ok" : "no model loaded");
}

void emovox_forget_missing(emovox *self, unsigned gen) {
  /* Checked under the lock restore() sets missing_path and takes its generation under: a
   * restore either comes after this clear or makes gen stale first. */
  pthread_mutex_lock(&self->state_lock);
  if (emovox_generation_current(self, gen))
    self->missing_path[0] = '\0';
  pthread_mutex_unlock(&self->state_lock);
}

void emovox_retire(emovox *self, emovox_loaded *m) {
  pthread_mutex_lock(&self->state_lock);
  emovox_loaded_free(m);
  pthread_mutex_unlock(&self->state_lock);
}

void emovox_install(emovox *self, emovox_loaded *m) {
  emovox_loaded *old = self->current_rt;
  /* Learning: what was learned since the last relocate belongs to the old model's normaliser,
   * which the swap leaves behind; keep it as the old model's voice (so that it carries over). */
  if (old && self->adapt_mode == EMOVOX_ADAPT_LEARN)
    emovox_voice_snapshot(self);
  emovox_voice_carry(m, old); /* the same model loaded again keeps its voice */
  ev_analyzer_swap_model(self->analyzer, m ? m->runtime : NULL);
  self->current_rt = m;
  atomic_store_explicit(&self->current, m, memory_order_release);
  /* a new model starts from its own learned voice in Use (the old one's meant nothing to it);
   * learning goes on from a carried voice, as across a relocate */
  if (self->adapt_mode == EMOVOX_ADAPT_USE ||
      (self->adapt_mode == EMOVOX_ADAPT_LEARN && m && m->carry_voice))
    emovox_voice_apply(self);
  self->notify_pending = true; /* whether a voice is learned may have changed */
  emovox_status_for(self, m);
  if (old)
    emovox_retire_later(self, old);
}

void emovox_retire_later(emovox *self, emovox_loaded *m) {
  /* Freed by the worker. If its queue is full the model waits in the list, and run() tries
   * again each cycle: nothing is dropped and nothing waits. */
  m->next_retired = self->retired;
  self->retired = m;
  emovox_flush_retired(self);
}

void emovox_flush_retired(emovox *self) {
  while (self->retired && self->schedule) { /* without a worker, cleanup() frees them */
    /* Read before scheduling: a synchronous worker frees the model inside schedule_work. */
    emovox_loaded *m = self->retired, *next = m->next_retired;
    model_msg msg = {JOB_FREE, 0, m};
    if (self->schedule->schedule_work(self->schedule->handle, sizeof msg, &msg) !=
        LV2_WORKER_SUCCESS)
      return; /* the queue is full: the rest go on a later run() */
    self->retired = next;
  }
}

/* The type word every worker message and reply starts with; false if the message is shorter. */
static bool message_type(uint32_t size, const void *data, uint32_t *type) {
  if (size < sizeof *type)
    return false;
  memcpy(type, data, sizeof *type);
  return true;
}

static LV2_Worker_Status work(LV2_Handle instance, LV2_Worker_Respond_Function respond,
                              LV2_Worker_Respond_Handle handle, uint32_t size, const void *data) {
  emovox *self = (emovox *)instance;
  uint32_t type;
  if (!message_type(size, data, &type))
    return LV2_WORKER_ERR_UNKNOWN;
  if (type == JOB_FREE && size == sizeof(model_msg)) {
    model_msg msg;
    memcpy(&msg, data, sizeof msg);
    emovox_retire(self, msg.model);
    return LV2_WORKER_SUCCESS;
  }
  if (type == JOB_LOAD && size > sizeof(load_job)) {
    load_job head;
    memcpy(&head, data, sizeof head);
    const char *path = (const char *)data + sizeof head;
    const char *note = path + head.len;
    if (head.len == 0 || head.len > size - sizeof head ||
        head.note_len != size - sizeof head - head.len || path[head.len - 1] != '\0' ||
        (head.note_len && note[head.note_len - 1] != '\0'))
      return LV2_WORKER_ERR_UNKNOWN;
    if (!emovox_generation_current(self, head.gen)) {
      /* a later request (restore or patch:Set) replaced this one before it ran: its own job
       * follows, so this file is not even read (its session voice went with it) */
      lv2_log_note(&self->logger, "emovox: skipped loading %s: a later model request replaced it\n",
                   path);
      emovox_voice_blob_free(emovox_take_pending_voice(self, head.gen)); /* if still its own */
      return LV2_WORKER_SUCCESS;
    }
    char err[EMOVOX_TEXT_MAX];
    emovox_loaded *m =
        head.from_session && !head.is_default
            ? emovox_load_session_model(self, path, err, sizeof err)
            : emovox_load_model(path, head.is_default != 0, self->analyzer, err, sizeof err);
    if (m && head.note_len)
      snprintf(m->note, sizeof m->note, "%s", note);
    if (head.from_session) /* the session's learned voice goes with its model, if it is its */
      emovox_voice_attach(self, m, emovox_take_pending_voice(self, head.gen));
    else if (m)
      m->carry_voice = true;
    if (m && !emovox_generation_current(self, head.gen)) {
      /* replaced while it loaded: run() would drop the reply; nothing of it is kept */
      lv2_log_note(&self->logger, "emovox: dropped model %s: a later model request replaced it\n",
                   m->path);
      emovox_loaded_free(m);
      return LV2_WORKER_SUCCESS;
    }
    if (m) {
      /* Copied before respond(): once the reply is out, run() owns the model. */
      const bool chosen = !m->is_default;
      char name[EMOVOX_NAME_MAX], from[EMOVOX_PATH_MAX];
      snprintf(name, sizeof name, "%s", m->name);
      snprintf(from, sizeof from, "%s", m->path);
      const int band_hz = ev_model_audio_band(m->model);
      model_msg reply = {REPLY_LOADED, head.gen, m};
      if (respond(handle, sizeof reply, &reply) != LV2_WORKER_SUCCESS) {
        /* The model never reaches run(): the previous one keeps running, so the session's
         * choice (missing_path) stays too, and the next save stores what runs, or that
         * choice while the default stands in. run() shows the status (it owns it). */
        emovox_loaded_free(m);
        lv2_log_error(&self->logger,
                      "emovox: the host refused the worker's reply that hands over model '%s' "
                      "from %s (its queue is full); keeping the previous model: load the file "
                      "again\n",
                      name, from);
        atomic_store_explicit(&self->reply_refused, true, memory_order_release);
        return LV2_WORKER_ERR_NO_SPACE;
      }
      /* Only now: a refused reply must not drop the session's choice. */
      if (chosen) /* the user (or a session) chose a file that loads, unless replaced since */
        emovox_forget_missing(self, head.gen);
      lv2_log_note(&self->logger, "emovox: loaded model '%s' from %s\n", name, from);
      emovox_log_band(self, band_hz);
    } else {
      lv2_log_error(&self->logger, "emovox: %s; keeping the previous model\n", err);
      failed_msg reply = {REPLY_FAILED, head.gen, {0}};
      snprintf(reply.text, sizeof reply.text, "%s", err);
      respond(handle, sizeof reply, &reply);
    }
    return LV2_WORKER_SUCCESS;
  }
  return LV2_WORKER_ERR_UNKNOWN;
}

/* Audio thread, between runs. */
static LV2_Worker_Status work_response(LV2_Handle instance, uint32_t size, const void *data) {
  emovox *self = (emovox *)instance;
  uint32_t type;
  if (!message_type(size, data, &type))
    return LV2_WORKER_ERR_UNKNOWN;
  if (type == REPLY_LOADED && size == sizeof(model_msg)) {
    model_msg msg;
    memcpy(&msg, data, sizeof msg);
    if (emovox_generation_current(self, msg.gen))
      emovox_install(self, msg.model);
    else /* a later request was made after this one loaded: its reply follows */
      emovox_retire_later(self, msg.model);
  } else if (type == REPLY_FAILED && size == sizeof(failed_msg)) {
    uint32_t gen;
    memcpy(&gen, (const char *)data + offsetof(failed_msg, gen), sizeof gen);
    if (emovox_generation_current(self, gen)) /* a stale failure says nothing about what runs */
      emovox_set_status(self, EMOVOX_STATUS_LOAD_ERROR,
                        (const char *)data + offsetof(failed_msg, text));
  } else {
    return LV2_WORKER_ERR_UNKNOWN;
  }
  return LV2_WORKER_SUCCESS;
}

const LV2_Worker_Interface emovox_worker_interface = {work, work_response, NULL};
