/* State: the chosen weight file, stored as an abstract path (state:mapPath) so sessions can
 * be moved, and the voice learned for the running model (emovox_voice.c). The bundle's default
 * model is not stored: a session without a stored file uses whatever default model the installed
 * bundle ships. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emovox_features.h"

#include "emovox_plugin.h"

static LV2_State_Status save(LV2_Handle instance, LV2_State_Store_Function store,
                             LV2_State_Handle handle, uint32_t flags,
                             const LV2_Feature *const *features) {
  (void)flags;
  emovox *self = (emovox *)instance;
  LV2_State_Map_Path *map_path = emovox_feature(features, LV2_STATE__mapPath);
  LV2_State_Free_Path *free_path = emovox_feature(features, LV2_STATE__freePath);
  LV2_State_Status status = LV2_STATE_SUCCESS;
  /* save() may run concurrently with run(); the worker frees retired models under this lock. */
  pthread_mutex_lock(&self->state_lock);
  const emovox_loaded *m = atomic_load_explicit(&self->current, memory_order_acquire);
  /* the running file; or, while the default stands in for a session file that was not
   * found, that file, so that the session keeps the user's choice */
  const char *file = m && !m->is_default     ? m->path
                     : self->missing_path[0] ? self->missing_path
                                             : NULL;
  if (file) {
    char *apath = map_path ? map_path->abstract_path(map_path->handle, file) : NULL;
    const char *value = apath ? apath : file;
    status = store(handle, self->uris.model, value, strlen(value) + 1, self->uris.atom_Path,
                   LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
    if (apath) {
      if (free_path)
        free_path->free_path(free_path->handle, apath);
      else
        free(apath);
    }
  }
  /* The learned voice, with the identity of the model it belongs to (emovox_voice.c). */
  size_t voice_size = 0;
  void *voice = status == LV2_STATE_SUCCESS ? emovox_voice_serialise(m, &voice_size) : NULL;
  if (voice) {
    status = store(handle, self->uris.voice, voice, voice_size, self->uris.atom_Chunk,
                   LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
    free(voice);
  }
  pthread_mutex_unlock(&self->state_lock);
  return status;
}

void emovox_fallback_note(char *note, size_t cap, const char *path, const char *what) {
  /* A path too long for the message keeps its end, where the file name is. */
  static const char before[] = "the session's model file ", after[] = "; using the default model";
  const size_t fixed = sizeof before + sizeof after + strlen(what) + 4, len = strlen(path);
  const size_t room = cap > fixed + 16 ? cap - fixed : 16;
  snprintf(note, cap, "%s%s%.*s %s%s", before, len > room ? "..." : "", (int)room,
           len > room ? path + len - room : path, what, after);
}

emovox_loaded *emovox_load_session_model(emovox *self, const char *path, char *err, size_t errlen) {
  emovox_loaded *m = emovox_load_model(path, false, self->analyzer, err, errlen);
  if (m)
    return m;
  /* err says why ("cannot load model ...", "model ... cannot run here: ..."); the line opens
   * as the notify text does ("the session's model file ... could not be loaded"), so users
   * sent to the log by that text find it */
  lv2_log_warning(&self->logger,
                  "emovox: the session's model file could not be loaded (%s); falling back to "
                  "the default model\n",
                  err);
  char def[EMOVOX_PATH_MAX], why[EMOVOX_TEXT_MAX];
  emovox_default_model_path(self, def, sizeof def);
  m = emovox_load_model(def, true, self->analyzer, why, sizeof why);
  if (m)
    emovox_fallback_note(m->note, sizeof m->note, path, "could not be loaded (the log says why)");
  return m;
}

/* Restore without a worker: not concurrent with run(), so install directly. */
static void restore_now(emovox *self, const char *path, bool is_default, const char *note,
                        unsigned gen) {
  char err[EMOVOX_TEXT_MAX];
  emovox_loaded *m = is_default
                         ? emovox_load_model(path, is_default, self->analyzer, err, sizeof err)
                         : emovox_load_session_model(self, path, err, sizeof err);
  if (!m) {
    lv2_log_error(&self->logger, "emovox: %s; keeping the previous model\n", err);
    emovox_set_status(self, EMOVOX_STATUS_LOAD_ERROR, err);
    emovox_voice_attach(self, NULL, emovox_take_pending_voice(self, gen)); /* says it is dropped */
    return;
  }
  if (note)
    snprintf(m->note, sizeof m->note, "%s", note);
  emovox_voice_attach(self, m, emovox_take_pending_voice(self, gen));
  if (!m->is_default)
    emovox_forget_missing(self, gen);
  emovox_loaded *old = self->current_rt;
  ev_analyzer_swap_model(self->analyzer, m->runtime);
  self->current_rt = m;
  atomic_store_explicit(&self->current, m, memory_order_release);
  if (self->adapt_mode == EMOVOX_ADAPT_USE)
    emovox_voice_apply(self);
  emovox_status_for(self, m);
  if (old)
    emovox_retire(self, old);
}

static LV2_State_Status restore(LV2_Handle instance, LV2_State_Retrieve_Function retrieve,
                                LV2_State_Handle handle, uint32_t flags,
                                const LV2_Feature *const *features) {
  (void)flags;
  emovox *self = (emovox *)instance;
  LV2_State_Map_Path *map_path = emovox_feature(features, LV2_STATE__mapPath);
  LV2_State_Free_Path *free_path = emovox_feature(features, LV2_STATE__freePath);
  LV2_Worker_Schedule *schedule = emovox_feature(features, LV2_WORKER__schedule);

  char path[EMOVOX_PATH_MAX];
  char note[EMOVOX_TEXT_MAX] = "";         /* shown to the user when the default stands in */
  char session_file[EMOVOX_PATH_MAX] = ""; /* the session's own file ("": the default) */
  bool is_default = true;
  size_t size = 0;
  uint32_t type = 0, vflags = 0;
  const char *value = retrieve(handle, self->uris.model, &size, &type, &vflags);
  if (value && type == self->uris.atom_Path && size > 0 && memchr(value, '\0', size)) {
    char *apath = map_path ? map_path->absolute_path(map_path->handle, value) : NULL;
    snprintf(path, sizeof path, "%s", apath ? apath : value);
    if (apath) {
      if (free_path)
        free_path->free_path(free_path->handle, apath);
      else
        free(apath);
    }
    is_default = false;
    if (access(path, R_OK) != 0) {
      lv2_log_warning(&self->logger,
                      "emovox: the session's model file %s is gone; falling back to the "
                      "default model\n",
                      path);
      /* The log is easy to miss: the status output and the UI say it too. */
      emovox_fallback_note(note, sizeof note, path, "was not found");
      is_default = true;
    }
    /* The session's choice is kept (saved again) until a file loads: while the default
     * stands in for a missing file, and also if this file turns out to be corrupt or a
     * directory (the worker then falls back to the default, as for a missing file). */
    snprintf(session_file, sizeof session_file, "%s", path);
  } else if (value) {
    lv2_log_warning(&self->logger, "emovox: ignoring a stored model that is not an atom:Path\n");
  }
  if (is_default)
    emovox_default_model_path(self, path, sizeof path);

  /* The learned voice waits for the session's model: the load attaches it if it is that
   * model's (a session without one leaves none, as the session had none). */
  emovox_voice_blob *voice = NULL;
  value = retrieve(handle, self->uris.voice, &size, &type, &vflags);
  if (value) {
    char why[EMOVOX_TEXT_MAX] = "it is not an atom:Chunk";
    if (type == self->uris.atom_Chunk)
      voice = emovox_voice_parse(value, size, why, sizeof why);
    if (!voice)
      lv2_log_warning(&self->logger,
                      "emovox: the session's learned voice cannot be read (%s); it is dropped: "
                      "learn the voice again (Adapt to Speaker: Learn voice)\n",
                      why);
  }
  /* The session replaces everything an earlier request left: its file choice (a session with
   * the default has none), its voice, and, through the new generation, any load still on its
   * way. Taken together under the lock the worker checks generations under, so that a load
   * finishing meanwhile can neither take this voice nor clear this choice. */
  pthread_mutex_lock(&self->state_lock);
  const unsigned gen = emovox_next_generation(self);
  snprintf(self->missing_path, sizeof self->missing_path, "%s", session_file);
  emovox_voice_blob_free(self->pending_voice);
  self->pending_voice = voice;
  self->pending_gen = gen;
  pthread_mutex_unlock(&self->state_lock);

  if (schedule) { /* state:threadSafeRestore: finish in the worker, swap in the audio thread */
    if (!emovox_request_load(schedule, path, (uint32_t)strlen(path), is_default, note, true, gen)) {
      lv2_log_error(&self->logger, "emovox: could not schedule loading %s\n", path);
      /* The log is easy to miss, and the status would still read ok: run() says it. */
      atomic_store_explicit(&self->restore_refused, true, memory_order_release);
      emovox_voice_blob_free(emovox_take_pending_voice(self, gen));
      return LV2_STATE_ERR_UNKNOWN;
    }
    return LV2_STATE_SUCCESS;
  }
  restore_now(self, path, is_default, note[0] ? note : NULL, gen);
  return LV2_STATE_SUCCESS;
}

const LV2_State_Interface emovox_state_interface = {save, restore};
