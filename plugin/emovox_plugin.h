/* Internal state of one Emovox plugin instance, shared by the plugin's source files.
 * Threading: fields marked [audio] are only touched by run()/work_response() (the audio
 * thread); [worker] by work(); [any] are set at instantiate and read-only afterwards. */
#ifndef EMOVOX_PLUGIN_H
#define EMOVOX_PLUGIN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <lv2/atom/forge.h>
#include <lv2/core/lv2.h>
#include <lv2/log/logger.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include "emovox_inline.h"
#include "emovox_protocol.h"
#include "ev_analyzer.h"

#define EMOVOX_PATH_MAX   4096
#define EMOVOX_TEXT_MAX   256
#define EMOVOX_NAME_MAX   128
#define EMOVOX_LABEL_MAX  32
#define EMOVOX_MAX_LABELS 16
#define EMOVOX_SCRATCH    256 /* samples per analysis chunk (stack-free downmix buffers) */

/* A model ready to run: the weights, this instance's runtime for them, and copies of the
 * strings the audio thread needs (so run() never looks into the model). Built and freed
 * in the worker (or at instantiate/restore). */
typedef struct emovox_loaded {
  struct ev_model *model;
  ev_model_runtime *runtime;
  /* The bundle's narrowband model, the default model's companion for telephone audio
   * (ev_analyzer_attach_narrowband; NULL: none), and its display name. */
  struct ev_model *narrow_model;
  char narrow_name[EMOVOX_NAME_MAX];
  bool is_default;
  char path[EMOVOX_PATH_MAX];
  char name[EMOVOX_NAME_MAX];
  int n_labels;
  char labels[EMOVOX_MAX_LABELS][EMOVOX_LABEL_MAX];
  /* Why this model runs instead of the one asked for ("" normally): set when a restored
   * session's file is gone and the default stands in; installing it then shows this as a
   * load error, so the UI and the status output tell the user. */
  char note[EMOVOX_TEXT_MAX];
  /* The voice learned for this model (adapt = 3, "Use learned voice"): the model's input
   * normaliser state when Learn ended (ev_analyzer_get_voice), kept with the model because it
   * means nothing to another one. voice_id identifies the model's inputs and prior
   * (emovox_voice_id), for sessions. voice_mean/var hold input_dims floats each, allocated at
   * load so that run() only copies. Written by run() (a snapshot) or, before the model reaches
   * run(), by the worker or restore(); save() reads it concurrently under the seqlock
   * voice_seq (odd while run() writes; save() copies again when it changed meanwhile), so run()
   * never waits. */
  uint64_t voice_id;
  int input_dims;
  float *voice_mean, *voice_var;
  double voice_n_seen, voice_prior_w;
  bool has_voice;
  atomic_uint voice_seq;
  /* Loaded by hand (a patch:Set), not from a session: installing it keeps the running model's
   * learned voice when both read their inputs alike (the same voice_id), as the same file
   * loaded again does; a session's model takes the session's voice, or none. */
  bool carry_voice;
  /* [audio] the next model in emovox.retired: the list is threaded through the models
   * themselves, so retiring any number of them needs no room and never fails. */
  struct emovox_loaded *next_retired;
} emovox_loaded;

typedef struct emovox {
  /* [any] host features and constants */
  LV2_URID_Map *map;
  LV2_Log_Logger logger;
  LV2_Worker_Schedule *schedule;
  emovox_uris uris;
  bool stereo;
  double rate;
  char bundle_path[EMOVOX_PATH_MAX];

  /* ports, connected by the host */
  const LV2_Atom_Sequence *control;
  LV2_Atom_Sequence *notify;
  LV2_Atom_Sequence *midi_out;
  /* enable, response_ms, gate_db, adapt, midi channel, cc base, emotions (NULL: the default) */
  const float *in_ctl[7];
  float *out_ctl[14]; /* 8 probabilities, dominant, confidence, arousal, valence, voice, status */
  float *out_adapted; /* after the variant's audio ports (emovox_adapted_port) */
  const float *audio_in[2];
  float *audio_out[2];

  /* [audio] */
  ev_analyzer *analyzer;
  LV2_Atom_Forge forge, midi_forge;
  emovox_loaded *current_rt; /* the model run() uses (NULL: none) */
  emovox_loaded *retired;    /* replaced models waiting for room in the worker queue (a list) */
  /* Transport (time:Position from the host). A relocate while rolling (the host's frame is not
   * where the audio we heard would have brought it) restarts the analysis, so playing the same
   * passage again gives the same reading; pausing and resuming in place does not. */
  bool transport_known, transport_rolling;
  /* The analysis restarts before the next sample it hears (a relocate at that sample, or the
   * analysis switched back on); run() clears it at the next audio or at the block's end. */
  bool restart_pending;
  int64_t transport_frame; /* the host frame of the next sample we will hear */
  int status;              /* of the last load: EMOVOX_STATUS_OK, _NO_MODEL or _LOAD_ERROR */
  bool model_fault;        /* the analyser reports a non-finite model output (shown as status 3) */
  bool narrowband;         /* the analyser hears telephone audio: the companion answers */
  bool notify_pending;
  bool was_enabled;
  ev_analyzer_params params;
  int midi_last[EV_N_EMOTIONS]; /* last CC value sent per emotion, -1: none yet */
  /* The probabilities of the last emovox_write_midi() pass that sent every changed CC, and
   * whether midi_last still holds their values (cleared wherever midi_last is reset): while
   * the analyser's probabilities stay the same bits, no CC can differ, and the outputs change
   * only once per 10 ms frame, so most 64-sample blocks skip the eight conversions. */
  float midi_prob[EV_N_EMOTIONS];
  bool midi_synced;
  int midi_channel, midi_cc_base;
  /* The adapt control's mode (EMOVOX_ADAPT_*) as run() last applied it. */
  int adapt_mode;
  /* read_controls()' last inputs (bits; bit i of ctl_missing: port i not connected) and the
   * enable it read from them; ctl_seen: they are set */
  uint32_t ctl_raw[7], ctl_missing;
  bool ctl_seen, ctl_enabled;
  char status_text[EMOVOX_TEXT_MAX];
  float mix[EMOVOX_SCRATCH], copy_l[EMOVOX_SCRATCH], copy_r[EMOVOX_SCRATCH];

  /* The model state:save() reads. run() publishes it; the worker frees retired models while
   * holding state_lock, which save() also takes (run() never does). */
  _Atomic(emovox_loaded *) current;
  pthread_mutex_t state_lock;
  /* A session's model file that was not found at restore: saved again in its place while the
   * default stands in, so that saving does not lose the user's choice (an unmounted drive
   * comes back); cleared when another file loads. Under state_lock. */
  char missing_path[EMOVOX_PATH_MAX];
  /* [any] A thread-safe restore() could not queue the session's model (the host's worker
   * refused the job): set there, shown by the next run(), which owns the status. */
  atomic_bool restore_refused;
  /* A session's voice profile, parsed by restore() and waiting for the session's model to load
   * (the worker, or restore itself, attaches it to that model if it belongs to it). Under
   * state_lock; NULL: the session had none. */
  struct emovox_voice_blob *pending_voice;
  /* [any] Model requests and their generations. Each restore() and each patch:Set of a model
   * takes the next ticket (load_ticket) and its load job carries it. load_gen is the ticket of
   * the latest request that is on its way: a restore() publishes its ticket at once (under
   * state_lock: the session replaces whatever came before, even if its job is then refused),
   * a patch:Set only once the host's worker accepted its job, so that a refused request leaves
   * an earlier load in flight alone. Jobs run, and replies arrive, after later requests were
   * made (a second restore while the first one's file loads, a patch:Set racing a restore); one
   * older than load_gen is freed and ignored, so the last request wins and its path and voice
   * are the ones saved. pending_gen: the ticket pending_voice came with (under state_lock). */
  atomic_uint load_ticket;
  atomic_uint load_gen;
  unsigned pending_gen;
  /* [any] The host refused the worker's reply carrying a loaded model (its queue was full):
   * set by work(), which freed the model, shown by the next run(). */
  atomic_bool reply_refused;

  /* Ardour's inline display: run() fills the slot not in use and flips the index; render()
   * (GUI thread) copies the published slot. */
  LV2_Inline_Display *queue_draw; /* host feature, optional */
  emovox_inline_data inline_data[2];
  atomic_int inline_index;
  /* emovox_inline_publish's last input, and whether that call settled it (published it, or
   * found it not visibly different from the published slot): the same input then settles the
   * same way, so it returns at once (only render()'s copy in progress leaves it unsettled). */
  emovox_inline_data inline_last;
  bool inline_settled;
  emovox_inline *inline_display; /* made by the first render() */
} emovox;

/* emovox_model_job.c: loading and freeing models (never on the audio thread). */
emovox_loaded *emovox_load_model(const char *path, bool is_default, ev_analyzer *an, char *err,
                                 size_t errlen);
void emovox_loaded_free(emovox_loaded *m);
/* The default model's path inside the bundle, for the instance's rate: the narrowband model
 * at 8 kHz when the bundle has it (emovox_bundle_model_file), else emovox-default. */
void emovox_default_model_path(const emovox *self, char *out, size_t outlen);
/* Logs what the instance's rate means for a model whose training audio held band_hz
 * (ev_analyzer_band_note): a warning when it reads a band the audio lacks or may hear more than
 * it was trained on, a note for narrowband audio read by the narrowband model. At instantiate and
 * in the worker, never in run(). */
void emovox_log_band(emovox *self, int band_hz);

/* emovox_worker.c */
extern const LV2_Worker_Interface emovox_worker_interface;
/* Ask the worker to load `path` (audio thread, or restore). `note` (NULL: none) becomes the
 * loaded model's note. false if the request could not be queued. */
bool emovox_request_load(const LV2_Worker_Schedule *schedule, const char *path, uint32_t len,
                         bool is_default, const char *note, bool from_session, unsigned gen);
/* The ticket of a new model request (any thread, lock-free: run() calls it too). */
static inline unsigned emovox_take_ticket(emovox *self) {
  return atomic_fetch_add_explicit(&self->load_ticket, 1u, memory_order_acq_rel) + 1u;
}
/* Makes ticket the latest request's generation unless a later one is already published. The
 * compare-exchange only fails when another request published meanwhile (a restore on its
 * thread), so it ends after at most as many rounds as there are concurrent requests. */
static inline void emovox_publish_generation(emovox *self, unsigned ticket) {
  unsigned cur = atomic_load_explicit(&self->load_gen, memory_order_acquire);
  while ((int)(ticket - cur) > 0 &&
         !atomic_compare_exchange_strong_explicit(&self->load_gen, &cur, ticket,
                                                  memory_order_acq_rel, memory_order_acquire)) {
  }
}
/* A new request that replaces every earlier one at once (restore()). */
static inline unsigned emovox_next_generation(emovox *self) {
  const unsigned ticket = emovox_take_ticket(self);
  emovox_publish_generation(self, ticket);
  return ticket;
}
/* Whether request gen is still the latest on its way: no later one was published (a request
 * whose job was accepted but not yet published counts as current). Tickets wrap: compared by
 * their signed difference. */
static inline bool emovox_generation_current(emovox *self, unsigned gen) {
  return (int)(gen - atomic_load_explicit(&self->load_gen, memory_order_acquire)) >= 0;
}
/* Status and text for a model being installed: ok, or its note as a load error. */
void emovox_status_for(emovox *self, const emovox_loaded *m);
/* Install a model on the audio thread and retire the previous one to the worker. */
void emovox_install(emovox *self, emovox_loaded *m);
/* Hand retired models to the worker (audio thread). */
void emovox_flush_retired(emovox *self);
/* Retire a model: free it while holding state_lock. */
void emovox_retire(emovox *self, emovox_loaded *m);
/* Off the audio thread: the file of request gen loaded, so no session file is missing any more
 * (unless a later request, a restore that has just set it, replaced gen). */
void emovox_forget_missing(emovox *self, unsigned gen);
/* Audio thread: hand a model that will not run (replaced, or a stale reply) to the worker. */
void emovox_retire_later(emovox *self, emovox_loaded *m);

/* Sets the load status and its text (cut to EMOVOX_TEXT_MAX - 1 bytes; text need not be
 * terminated beyond that) and asks for a notify message. Realtime-safe: a bounded copy, no
 * formatting, so run() and work_response() use it too. */
static inline void emovox_set_status(emovox *self, int status, const char *text) {
  size_t n = strnlen(text, sizeof self->status_text - 1);
  memcpy(self->status_text, text, n);
  self->status_text[n] = '\0';
  self->status = status;
  self->notify_pending = true;
}

/* What the status port, the notify message and the inline display show: a model fault while
 * it lasts, else the load status (emovox_worker.c). */
static inline int emovox_shown_status(const emovox *self) {
  return self->model_fault ? EMOVOX_STATUS_MODEL_FAULT : self->status;
}
static inline const char *emovox_shown_text(const emovox *self) {
  if (self->model_fault)
    return "the model's output is not finite (its activations overflow on this input): no "
           "emotions are shown until it is finite again";
  if (self->narrowband && self->status == EMOVOX_STATUS_OK)
    return EMOVOX_STATUS_TELEPHONE " (nothing above 4 kHz): read by the narrowband model";
  return self->status_text;
}

/* emovox_voice.c: the learned voice (adapt modes Learn and Use learned voice). */
/* The identity of a model's inputs (configuration and prior), which a profile must match. */
uint64_t emovox_voice_id(struct ev_model *model);
/* Audio thread: copy the analyser's normaliser state into the running model's profile, if it
 * has heard any speech (else the previous profile stays). O(dims), no allocation. */
void emovox_voice_snapshot(emovox *self);
/* Audio thread: start the normaliser from the running model's profile; false if it has none. */
bool emovox_voice_apply(emovox *self);
/* A profile as stored in a session (emovox_state.c): parsed, checked, not yet attached. */
typedef struct emovox_voice_blob emovox_voice_blob;
/* Parses a stored profile; NULL and why in err if it is damaged. Allocates. */
emovox_voice_blob *emovox_voice_parse(const void *data, size_t size, char *err, size_t errlen);
void emovox_voice_blob_free(emovox_voice_blob *b);
/* The running model's profile as a blob to store (malloc'd, *size bytes); NULL if it has none.
 * Called under state_lock (the model stays alive), concurrently with run(). */
void *emovox_voice_serialise(const emovox_loaded *m, size_t *size);
/* Off the audio thread, before m reaches run(): attach b to m if it was learned for m's model,
 * else log why it is dropped. Frees b. */
void emovox_voice_attach(emovox *self, emovox_loaded *m, emovox_voice_blob *b);
/* Takes the session's pending profile if it came with request gen (NULL if none, or if a later
 * restore replaced it: that one's load takes it): restore() leaves it for the load. */
emovox_voice_blob *emovox_take_pending_voice(emovox *self, unsigned gen);
/* Audio thread, at install: m (loaded by hand) takes old's learned voice if both have the same
 * voice identity. O(dims), no allocation; m is not yet visible to save(). */
void emovox_voice_carry(emovox_loaded *m, const emovox_loaded *old);
/* Audio thread: forget the running model's learned voice (a patch:Set of an empty
 * emovox:voiceProfile). */
void emovox_voice_forget(emovox *self);

/* emovox_inline_glue.c */
extern const LV2_Inline_Display_Interface emovox_inline_interface;
void emovox_inline_publish(emovox *self, const float *prob, int dominant, float confidence,
                           float voice, float adapted);

/* emovox_state.c */
/* "the session's model file PATH WHAT; using the default model", fitted into cap. */
void emovox_fallback_note(char *note, size_t cap, const char *path, const char *what);
/* Loads a session's file; if that fails (corrupt, a directory, ...), the default model with a
 * note saying so, as for a missing file (the session keeps its choice: missing_path). */
emovox_loaded *emovox_load_session_model(emovox *self, const char *path, char *err, size_t errlen);
#include <lv2/state/state.h>
extern const LV2_State_Interface emovox_state_interface;

/* emovox_messages.c: atom input/output on the audio thread. */
/* The control port's event after `ev` (NULL: its first) that carries an object lying whole
 * inside the sequence; NULL at the end, or at an event that runs past the sequence's end. */
const LV2_Atom_Event *emovox_control_next(const emovox *self, const LV2_Atom_Event *ev);
/* Applies one control message: patch:Set, patch:Get or time:Position (whose relocate sets
 * restart_pending). For a position, the caller first processes the audio before its sample. */
void emovox_handle_message(emovox *self, const LV2_Atom_Object *obj);
void emovox_write_notify(emovox *self);
/* One CC per emotion whose quantised probability in `out` changed since it was last sent. */
void emovox_write_midi(emovox *self, const ev_outputs *out, uint32_t n_samples);

#endif
