/* Loading a weight file into something run() can install, and freeing it again. Runs in the
 * LV2 worker, at instantiate or in state restore: never on the audio thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emovox_plugin.h"
#include "ev_model.h"

static void copy_string(char *dst, size_t cap, const char *src) {
  snprintf(dst, cap, "%s", src ? src : "");
}

void emovox_default_model_path(const emovox *self, char *out, size_t outlen) {
  emovox_bundle_model_path(self->bundle_path, self->rate, out, outlen);
}

void emovox_log_band(emovox *self, int band_hz) {
  char note[512];
  int kind = ev_analyzer_band_note(self->rate, band_hz, note, sizeof note);
  if (kind == EV_BAND_MISSING || kind == EV_BAND_EXCESS)
    lv2_log_warning(&self->logger, "emovox: %s\n", note);
  else if (kind == EV_BAND_NARROW)
    lv2_log_note(&self->logger, "emovox: %s\n", note);
}

/* The default model reads telephone audio through the bundle's narrowband model, its companion
 * (ev_analyzer_attach_narrowband), found next to it: at every rate whose audio can hold more than
 * 4 kHz (at 8 kHz the narrowband model is the default itself). Without that file, or where it
 * cannot be attached, the default model reads everything, as before. */
static void attach_narrowband(emovox_loaded *m, const char *path, ev_analyzer *an) {
  char narrow[EMOVOX_PATH_MAX], why[EMOVOX_TEXT_MAX];
  const char *slash = strrchr(path, '/');
  const int dir = slash ? (int)(slash - path + 1) : 0;
  if (snprintf(narrow, sizeof narrow, "%.*s%s", dir, path, EMOVOX_NARROWBAND_MODEL_FILE) >=
          (int)sizeof narrow ||
      strcmp(narrow, path) == 0 || access(narrow, F_OK) != 0)
    return;
  m->narrow_model = ev_model_load_file(narrow, why, sizeof why);
  if (m->narrow_model &&
      ev_analyzer_attach_narrowband(an, m->runtime, m->narrow_model, why, sizeof why) == 0) {
    ev_model_display_name(m->narrow_model, m->narrow_name, sizeof m->narrow_name);
    return;
  }
  ev_model_free(m->narrow_model);
  m->narrow_model = NULL;
}

emovox_loaded *emovox_load_model(const char *path, bool is_default, ev_analyzer *an, char *err,
                                 size_t errlen) {
  if (!path || !path[0]) {
    snprintf(err, errlen, "no model file given");
    return NULL;
  }
  if (strlen(path) >= EMOVOX_PATH_MAX) {
    snprintf(err, errlen, "model path longer than %d bytes", EMOVOX_PATH_MAX - 1);
    return NULL;
  }
  emovox_loaded *m = calloc(1, sizeof *m);
  if (!m) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  char why[EMOVOX_TEXT_MAX] = "";
  m->model = ev_model_load_file(path, why, sizeof why);
  if (!m->model) {
    /* The loader's reason usually names the file already. */
    if (strstr(why, path))
      snprintf(err, errlen, "cannot load model: %s", why);
    else
      snprintf(err, errlen, "cannot load model '%s': %s", path, why);
    free(m);
    return NULL;
  }
  m->runtime = ev_analyzer_prepare_model(an, m->model, why, sizeof why);
  if (!m->runtime) {
    snprintf(err, errlen, "model '%s' cannot run here: %s", path, why);
    ev_model_free(m->model);
    free(m);
    return NULL;
  }
  if (is_default)
    attach_narrowband(m, path, an);
  /* the voice profile's room, so that learning a voice never allocates on the audio thread */
  m->input_dims = ev_model_input_dims(m->model);
  m->voice_id = emovox_voice_id(m->model);
  m->voice_mean = calloc((size_t)m->input_dims * 2, sizeof(float));
  if (!m->voice_mean) {
    snprintf(err, errlen, "out of memory");
    ev_model_runtime_free(m->runtime);
    ev_model_free(m->model);
    ev_model_free(m->narrow_model);
    free(m);
    return NULL;
  }
  m->voice_var = m->voice_mean + m->input_dims;
  m->is_default = is_default;
  copy_string(m->path, sizeof m->path, path);
  ev_model_display_name(m->model, m->name, sizeof m->name);
  int n = ev_model_n_labels(m->model);
  m->n_labels = n < EMOVOX_MAX_LABELS ? n : EMOVOX_MAX_LABELS;
  for (int i = 0; i < m->n_labels; i++)
    copy_string(m->labels[i], EMOVOX_LABEL_MAX, ev_model_label(m->model, i));
  return m;
}

void emovox_loaded_free(emovox_loaded *m) {
  if (!m)
    return;
  /* The runtime refers to the models' weights (its companion's too): free it first. */
  ev_model_runtime_free(m->runtime);
  ev_model_free(m->model);
  ev_model_free(m->narrow_model);
  free(m->voice_mean);
  free(m);
}
