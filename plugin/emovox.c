/* Emovox LV2 plugin: descriptor, instantiate and run(). The audio passes through untouched;
 * the (L+R)/2 downmix feeds the streaming analyser whose results go to the control outputs
 * and, as CCs, to the MIDI output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emovox_features.h"
#include "emovox_inline_glue.h"
#include "emovox_plugin.h"
#include "ev_model.h"
#include "ev_input.h"

enum { IN_ENABLE, IN_RESPONSE, IN_GATE, IN_ADAPT, IN_CHANNEL, IN_CC_BASE, IN_EMOTIONS };
_Static_assert(EMOVOX_EMOTIONS_ALL == EV_EMOTION_MASK_ALL,
               "the port's default allows every emotion");
enum {
  OUT_DOMINANT = EV_N_EMOTIONS,
  OUT_CONFIDENCE,
  OUT_AROUSAL,
  OUT_VALENCE,
  OUT_VOICE,
  OUT_STATUS
};

static LV2_Handle instantiate(const LV2_Descriptor *descriptor, double rate,
                              const char *bundle_path, const LV2_Feature *const *features) {
  emovox *self = calloc(1, sizeof *self);
  if (!self)
    return NULL;
  self->stereo = strcmp(descriptor->URI, EMOVOX_URI_STEREO) == 0;
  self->rate = rate;
  snprintf(self->bundle_path, sizeof self->bundle_path, "%s", bundle_path ? bundle_path : "");

  /* Looked up one by one (emovox_features.h): a host may pass an entry with a NULL URI, or one
   * it never filled in (lv2file), whose URI is checked readable before it is compared. */
  LV2_Log_Log *log = emovox_feature_checked(features, LV2_LOG__log);
  self->map = emovox_feature_checked(features, LV2_URID__map);
  self->schedule = emovox_feature_checked(features, LV2_WORKER__schedule);
  self->queue_draw = emovox_feature_checked(features, LV2_INLINEDISPLAY__queue_draw);
  /* Without worker:schedule (lv2file) the plugin runs with its default model; only changing
   * the model while running needs the worker, and says so in its status. */
  const char *missing = !self->map ? LV2_URID__map : NULL;
  lv2_log_logger_init(&self->logger, self->map, log);
  if (missing) {
    lv2_log_error(&self->logger, "emovox: the host lacks the required feature <%s>\n", missing);
    free(self);
    return NULL;
  }
  emovox_map_uris(self->map, &self->uris);
  lv2_atom_forge_init(&self->forge, self->map);
  lv2_atom_forge_init(&self->midi_forge, self->map);
  pthread_mutex_init(&self->state_lock, NULL);

  char err[EMOVOX_TEXT_MAX] = "";
  /* run() feeds the analyser in chunks of EMOVOX_SCRATCH samples, whatever the host's block
   * size, so that is the largest block it ever sees. */
  self->analyzer = ev_analyzer_new(rate, EMOVOX_SCRATCH, err, sizeof err);
  if (!self->analyzer) {
    lv2_log_error(&self->logger, "emovox: cannot run at %.0f Hz: %s\n", rate, err);
    pthread_mutex_destroy(&self->state_lock);
    free(self);
    return NULL;
  }
  ev_analyzer_params_default(&self->params);
  ev_analyzer_set_params(self->analyzer, &self->params);

  /* The default model ships in the bundle. Loading it here (not realtime) means the plugin
   * is analysing from its first block. */
  char path[EMOVOX_PATH_MAX];
  emovox_default_model_path(self, path, sizeof path);
  emovox_loaded *m = emovox_load_model(path, true, self->analyzer, err, sizeof err);
  if (m) {
    ev_analyzer_swap_model(self->analyzer, m->runtime);
    self->current_rt = m;
    atomic_store(&self->current, m);
    emovox_set_status(self, EMOVOX_STATUS_OK, "ok");
    emovox_log_band(
        self, ev_model_audio_band(m->model)); /* here, where a host shows what a plugin logs */
    if (m->narrow_model)
      lv2_log_note(&self->logger,
                   "emovox: telephone audio (speech with nothing above 4 kHz) is read by %s\n",
                   m->narrow_name);
  } else if (access(path, F_OK) != 0) {
    lv2_log_warning(&self->logger,
                    "emovox: no default model at %s; load a weight file through the model "
                    "parameter\n",
                    path);
    emovox_set_status(self, EMOVOX_STATUS_NO_MODEL,
                      "no default model in the bundle; choose a weight file");
  } else {
    lv2_log_error(&self->logger, "emovox: %s\n", err);
    emovox_set_status(self, EMOVOX_STATUS_LOAD_ERROR, err);
  }
  emovox_inline_glue_init(self);      /* the display is made here, never in render() */
  self->inline_data[0].dominant = -1; /* "no speech" until run() publishes */
  self->inline_data[0].status = self->status;
  /* the analyser's starting set (all eight), not calloc's 0: 0 is no set at all, drawn as all
   * eight only by ev_emotion_mask_allowed's convention, and would differ from the first publish */
  self->inline_data[0].emotions = self->params.labels;
  self->midi_channel = -1;                /* forces the CC state to reset on the first run() */
  self->adapt_mode = EMOVOX_ADAPT_FOLLOW; /* the port's default, what the analyser starts with */
  return (LV2_Handle)self;
}

static void connect_port(LV2_Handle instance, uint32_t port, void *data) {
  emovox *self = (emovox *)instance;
  if (port == EMOVOX_CONTROL)
    self->control = data;
  else if (port == EMOVOX_NOTIFY)
    self->notify = data;
  else if (port == EMOVOX_MIDI_OUT)
    self->midi_out = data;
  else if (port >= EMOVOX_ENABLE && port <= EMOVOX_MIDI_CC_BASE)
    self->in_ctl[port - EMOVOX_ENABLE] = data;
  else if (port >= EMOVOX_PROB_FIRST && port <= EMOVOX_STATUS)
    self->out_ctl[port - EMOVOX_PROB_FIRST] = data;
  else if (port == emovox_emotions_port(self->stereo)) /* after the variant's audio ports */
    self->in_ctl[IN_EMOTIONS] = data;
  else if (port == emovox_adapted_port(self->stereo))
    self->out_adapted = data;
  else if (port == EMOVOX_AUDIO_IN_L)
    self->audio_in[0] = data;
  else if (port == EMOVOX_AUDIO_OUT_L)
    self->audio_out[0] = data;
  else if (self->stereo && port == EMOVOX_AUDIO_IN_R)
    self->audio_in[1] = data;
  else if (self->stereo && port == EMOVOX_AUDIO_OUT_R)
    self->audio_out[1] = data;
}

static void activate(LV2_Handle instance) {
  emovox *self = (emovox *)instance;
  ev_analyzer_reset(self->analyzer);
  if (self->adapt_mode == EMOVOX_ADAPT_USE)
    emovox_voice_apply(self);
  self->was_enabled = true;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    self->midi_last[i] = -1;
  self->midi_synced = false;
}

/* A control input's value, clamped to its range; the default when missing or not finite. */
static float control(const emovox *self, int which, float lo, float hi, float def) {
  const float *p = self->in_ctl[which];
  if (!p || !isfinite(*p))
    return def;
  const float v = *p; /* finite: the comparisons are fminf(fmaxf(v, lo), hi), without calls */
  return v < lo ? lo : v > hi ? hi : v;
}

/* The adapt control moved (after the analyser's params took the new adapt). Leaving Learn keeps
 * what it learned as the voice; entering Use starts the reading from it at once (the voice is
 * known: no warmup), and every restart after that does too (process_span). Entering Learn goes
 * on from the statistics as they are (from the learned voice when coming from Use, so that a
 * profile can be refined). Each is O(dims), once per change. */
static void set_adapt_mode(emovox *self, int mode) {
  if (self->adapt_mode == EMOVOX_ADAPT_LEARN) {
    emovox_voice_snapshot(self);
    self->notify_pending = true; /* the UI shows whether a voice is learned */
  }
  self->adapt_mode = mode;
  if (mode == EMOVOX_ADAPT_USE)
    emovox_voice_apply(self); /* nothing learned: as Follow (the UI says so) */
}

static void read_controls(emovox *self, bool *enabled) {
  /* The inputs as bits (a missing port as its own flag): the same as at the last call, the
   * results are the same and were applied then (only this function changes params and the
   * MIDI channel and base after instantiate()), so the clamping and comparisons are skipped;
   * the controls rarely move between two 64-sample blocks. */
  uint32_t raw[7], missing = 0;
  for (int i = 0; i < 7; i++) {
    raw[i] = 0;
    if (self->in_ctl[i])
      memcpy(&raw[i], self->in_ctl[i], sizeof raw[i]);
    else
      missing |= 1u << i;
  }
  if (self->ctl_seen && missing == self->ctl_missing &&
      memcmp(raw, self->ctl_raw, sizeof raw) == 0) {
    *enabled = self->ctl_enabled;
    return;
  }
  memcpy(self->ctl_raw, raw, sizeof raw);
  self->ctl_missing = missing;
  self->ctl_seen = true;
  *enabled = control(self, IN_ENABLE, 0.0f, 1.0f, 1.0f) > 0.5f;
  self->ctl_enabled = *enabled;
  ev_analyzer_params p = self->params;
  p.response_ms = control(self, IN_RESPONSE, 10.0f, 5000.0f, EV_ANALYZER_RESPONSE_DEFAULT_MS);
  p.gate_db = control(self, IN_GATE, -90.0f, 0.0f, EV_INPUT_GATE_DEFAULT_DB);
  /* an enumeration whose 0 and 1 are the old toggle's off and on, so old sessions and
   * presets read the same (a value between them rounds as the toggle's > 0.5 did) */
  const int mode = (int)lrintf(control(self, IN_ADAPT, 0.0f, 3.0f, 1.0f));
  p.adapt = mode != EMOVOX_ADAPT_OFF;
  /* a set of emotions as a bitmask (bit i: emotion i); the UI reads it through the same helper */
  const float *emotions = self->in_ctl[IN_EMOTIONS];
  p.labels = emotions ? emovox_emotions_mask(*emotions) : EMOVOX_EMOTIONS_ALL;
  if (p.response_ms != self->params.response_ms || p.gate_db != self->params.gate_db ||
      p.adapt != self->params.adapt || p.labels != self->params.labels) {
    self->params = p;
    ev_analyzer_set_params(self->analyzer, &p);
  }
  if (mode != self->adapt_mode)
    set_adapt_mode(self, mode);
  int channel = (int)lrintf(control(self, IN_CHANNEL, 1.0f, 16.0f, 1.0f)) - 1;
  int base = (int)lrintf(control(self, IN_CC_BASE, 0.0f, 112.0f, 20.0f));
  if (channel != self->midi_channel || base != self->midi_cc_base) {
    self->midi_channel = channel;
    self->midi_cc_base = base;
    for (int i = 0; i < EV_N_EMOTIONS; i++)
      self->midi_last[i] = -1; /* resend everything on the new controllers */
    self->midi_synced = false;
  }
}

/* Mono with an input whose samples [from, from + n) are the output's own (in place) or do not
 * overlap them (compared as integers: the host's buffers may be different objects, which
 * pointer comparisons may not order). */
static bool mono_in_place_or_apart(const emovox *self, uint32_t from, uint32_t n) {
  if (self->stereo || !self->audio_in[0])
    return false;
  if (!self->audio_out[0])
    return true;
  const uintptr_t in = (uintptr_t)(self->audio_in[0] + from),
                  out = (uintptr_t)(self->audio_out[0] + from),
                  bytes = (uintptr_t)n * sizeof(float);
  return out == in || out + bytes <= in || in + bytes <= out;
}

/* Pass samples [from, from + n) of the block through and feed them to the analyser, chunk by
 * chunk. All inputs of a chunk are copied before any output is written, and the samples go in
 * order, so any aliasing of the host's buffers is harmless. A mono span whose output is its
 * input or apart from it needs no copy: the analyser reads the host's input (the copy through
 * copy_l cost a 256-byte copy per 64-sample block, ~50k instructions per second of audio). */
static void process_audio(emovox *self, uint32_t from, uint32_t n, bool analyse) {
  const int channels = self->stereo ? 2 : 1;
  float *copy[2] = {self->copy_l, self->copy_r};
  if (mono_in_place_or_apart(self, from, n)) {
    /* mono, the output the input itself (in place) or apart from it: the analyser reads the
     * input where it is (it only reads it, chunk by chunk, as from the copy below) and the
     * pass-through is one copy instead of two, or none in place */
    const float *in = self->audio_in[0] + from;
    if (analyse)
      for (uint32_t done = 0; done < n;) {
        const uint32_t len = (n - done < EMOVOX_SCRATCH) ? n - done : EMOVOX_SCRATCH;
        ev_analyzer_process(self->analyzer, in + done, len);
        done += len;
      }
    if (self->audio_out[0] && self->audio_out[0] != self->audio_in[0])
      memcpy(self->audio_out[0] + from, in, n * sizeof(float));
    return;
  }
  for (uint32_t done = from, stop = from + n; done < stop;) {
    const uint32_t len = (stop - done < EMOVOX_SCRATCH) ? stop - done : EMOVOX_SCRATCH;
    for (int c = 0; c < channels; c++) {
      if (self->audio_in[c])
        memcpy(copy[c], self->audio_in[c] + done, len * sizeof(float));
      else
        memset(copy[c], 0, len * sizeof(float));
    }
    if (analyse) {
      const float *mono = self->copy_l;
      if (self->stereo) {
        /* each channel sanitised before the mix: a NaN on one side must not hide the other;
         * denormals go too (the analyser reads them as 0 anyway), as arithmetic on them runs
         * outside the analyser's flush-to-zero and cost 2.5 times the block's analysis */
        for (uint32_t i = 0; i < len; i++) {
          const float l = self->copy_l[i], r = self->copy_r[i];
          self->mix[i] = 0.5f * ((isnormal(l) ? l : 0.0f) + (isnormal(r) ? r : 0.0f));
        }
        mono = self->mix;
      }
      ev_analyzer_process(self->analyzer, mono, len);
    }
    for (int c = 0; c < channels; c++)
      if (self->audio_out[c])
        memcpy(self->audio_out[c] + done, copy[c], len * sizeof(float));
    done += len;
  }
}

/* What the outputs show while analysis is off: no speech. */
static const ev_outputs idle_outputs = {.dominant = -1};

static void write_outputs(emovox *self, bool enabled) {
  const ev_outputs *out = enabled ? ev_analyzer_outputs(self->analyzer) : &idle_outputs;
  float values[EV_N_EMOTIONS + 6];
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    values[i] = out->prob[i];
  values[OUT_DOMINANT] = (float)(out->dominant + 1);
  values[OUT_CONFIDENCE] = out->confidence;
  values[OUT_AROUSAL] = out->arousal;
  values[OUT_VALENCE] = out->valence;
  values[OUT_VOICE] = out->voice_activity;
  if (self->narrowband != (out->narrowband != 0)) { /* the status text says which model reads */
    self->narrowband = out->narrowband != 0;
    self->notify_pending = true;
  }
  values[OUT_STATUS] = (float)emovox_shown_status(self);
  for (int i = 0; i < EV_N_EMOTIONS + 6; i++)
    if (self->out_ctl[i])
      *self->out_ctl[i] = values[i];
  if (self->out_adapted) /* 0 while analysis is off: the next reading starts cold */
    *self->out_adapted = out->adapted;
  emovox_inline_publish(self, out->prob, out->dominant, out->confidence, out->voice_activity,
                        out->adapted);
}

/* Samples [from, to) of the block: a restart due before them first, then the audio, and the
 * transport moves on with it. */
static void process_span(emovox *self, uint32_t from, uint32_t to, bool enabled) {
  if (self->restart_pending && enabled) {
    if (self->adapt_mode == EMOVOX_ADAPT_LEARN) {
      /* learning goes on across playbacks; what was learned so far is kept as the voice, so
       * that a session saved while learning keeps it (O(dims), once per relocate) */
      ev_analyzer_restart_keep_voice(self->analyzer);
      emovox_voice_snapshot(self);
      self->notify_pending = true;
    } else {
      ev_analyzer_restart(self->analyzer); /* start clean, as after activate(), bounded time */
      if (self->adapt_mode == EMOVOX_ADAPT_USE)
        emovox_voice_apply(self); /* from the learned voice: a replay reads the same */
    }
  }
  self->restart_pending = false; /* while analysis is off: switching it on restarts */
  if (self->transport_rolling)
    self->transport_frame += to - from; /* where the host's transport is at sample `to` */
  process_audio(self, from, to - from, enabled);
}

/* The sample of the block at which a control event takes effect: its time stamp, kept between
 * the samples already processed and the block's end, so that a host's stamp out of order or
 * out of range can never move run() backwards or past its buffers. A sequence stamped in beats
 * (the tempo that would convert them is not known here) is not split: its events act at the
 * block's start. */
static uint32_t event_sample(const emovox *self, const LV2_Atom_Event *ev, uint32_t done,
                             uint32_t n_samples) {
  const uint32_t unit = self->control->body.unit;
  if (unit != 0 && unit != self->uris.atom_frameTime)
    return done;
  const int64_t t = ev->time.frames;
  return t <= (int64_t)done ? done : t >= (int64_t)n_samples ? n_samples : (uint32_t)t;
}

/* The worker's refusals that restore() and work() could not show (run() owns the status). */
static void show_refusals(emovox *self) {
  if (atomic_exchange_explicit(&self->restore_refused, false, memory_order_acquire))
    emovox_set_status(self, EMOVOX_STATUS_LOAD_ERROR,
                      "the host's worker refused to load the session's model file; the "
                      "previous model runs");
  if (atomic_exchange_explicit(&self->reply_refused, false, memory_order_acquire))
    emovox_set_status(self, EMOVOX_STATUS_LOAD_ERROR,
                      "the host refused the loaded model (its worker queue was full); the "
                      "previous model runs: load the file again");
}

static void run(LV2_Handle instance, uint32_t n_samples) {
  emovox *self = (emovox *)instance;
  bool enabled;
  read_controls(self, &enabled);
  if (enabled && !self->was_enabled)
    self->restart_pending = true; /* at the block's first sample */
  self->was_enabled = enabled;
  /* The control events in time order, the block split at each time:Position (as the LV2
   * examples eg-metro and eg-sampler split theirs): the audio before its sample is processed
   * first, so a relocate restarts the analysis at its own sample and a replayed passage reads
   * the same wherever the host's block boundaries fall. The other messages do not touch the
   * analysis and are applied as they come, without a split. At most one split per position:
   * the host bounds the events, so the cost stays bounded. */
  uint32_t done = 0;
  for (const LV2_Atom_Event *ev = emovox_control_next(self, NULL); ev;
       ev = emovox_control_next(self, ev)) {
    const LV2_Atom_Object *obj = (const LV2_Atom_Object *)&ev->body;
    if (obj->body.otype == self->uris.time_Position) {
      const uint32_t at = event_sample(self, ev, done, n_samples);
      if (at > done) { /* several positions at one sample: one split, one restart */
        process_span(self, done, at, enabled);
        done = at;
      }
    }
    emovox_handle_message(self, obj);
  }
  /* After the messages: a synchronous worker refuses inside this run's patch:Set, and its
   * reason is clearer than the request's "worker queue full". */
  show_refusals(self);
  process_span(self, done, n_samples, enabled); /* also a restart due at the block's end */
  emovox_flush_retired(self);
  const bool fault = enabled && ev_analyzer_outputs(self->analyzer)->model_fault;
  if (fault != self->model_fault) { /* overflow began or ended: status 3 and the UI say it */
    self->model_fault = fault;
    self->notify_pending = true;
  }
  write_outputs(self, enabled);
  emovox_write_notify(self);
  /* The CCs mirror the outputs: when analysis is switched off they fall to 0 (once). */
  emovox_write_midi(self, enabled ? ev_analyzer_outputs(self->analyzer) : &idle_outputs, n_samples);
}

static void deactivate(LV2_Handle instance) {
  (void)instance;
}

static void cleanup(LV2_Handle instance) {
  emovox *self = (emovox *)instance;
  ev_analyzer_swap_model(self->analyzer, NULL);
  emovox_loaded_free(self->current_rt);
  while (self->retired) {
    emovox_loaded *next = self->retired->next_retired;
    emovox_loaded_free(self->retired);
    self->retired = next;
  }
  ev_analyzer_free(self->analyzer);
  emovox_voice_blob_free(self->pending_voice);
  emovox_inline_free(self->inline_display);
  pthread_mutex_destroy(&self->state_lock);
  free(self);
}

static const void *extension_data(const char *uri) {
  if (!strcmp(uri, LV2_WORKER__interface))
    return &emovox_worker_interface;
  if (!strcmp(uri, LV2_STATE__interface))
    return &emovox_state_interface;
  if (!strcmp(uri, LV2_INLINEDISPLAY__interface))
    return &emovox_inline_interface;
  return NULL;
}

static const LV2_Descriptor descriptors[] = {
    {EMOVOX_URI_MONO, instantiate, connect_port, activate, run, deactivate, cleanup,
     extension_data},
    {EMOVOX_URI_STEREO, instantiate, connect_port, activate, run, deactivate, cleanup,
     extension_data},
};

LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index) {
  return index < sizeof descriptors / sizeof descriptors[0] ? &descriptors[index] : NULL;
}
