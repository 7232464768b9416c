/* Atom traffic on the audio thread: patch:Set/Get on the control port, model status on the
 * notify port, MIDI CCs on the MIDI port. All bounded, nothing allocates. */
#include <math.h>
#include <string.h>

#include "emovox_plugin.h" /* and emovox_protocol.h: the URIDs, the messages' writers/readers */

/* A number atom as a double; 0 and false when it is missing or not a number type. */
static bool atom_number(const emovox_uris *u, const LV2_Atom *a, double *v) {
  if (!a)
    return false;
  if (a->type == u->atom_Long && a->size >= sizeof(int64_t))
    *v = (double)((const LV2_Atom_Long *)a)->body;
  else if (a->type == u->atom_Int && a->size >= sizeof(int32_t))
    *v = (double)((const LV2_Atom_Int *)a)->body;
  else if (a->type == u->atom_Float && a->size >= sizeof(float))
    *v = (double)((const LV2_Atom_Float *)a)->body;
  else if (a->type == u->atom_Double && a->size >= sizeof(double))
    *v = ((const LV2_Atom_Double *)a)->body;
  else
    return false;
  return isfinite(*v);
}

/* time:Position: a jump of the host's transport while it rolls (or a start from another place
 * than where it stopped) is a relocate; the analysis restarts so that a replayed passage reads
 * the same. A position that continues what we heard (the host repeats it every cycle, or the
 * transport resumes where it paused) changes nothing. run() calls this at the event's sample,
 * with the audio before it processed and transport_frame moved on by it, so the comparison
 * holds wherever in a block the host stamps the position, and the restart (restart_pending)
 * comes before the event's own sample. */
static void handle_position(emovox *self, const LV2_Atom_Object *obj) {
  const emovox_uris *u = &self->uris;
  const LV2_Atom *frame_atom = NULL, *speed_atom = NULL;
  lv2_atom_object_get(obj, u->time_frame, &frame_atom, u->time_speed, &speed_atom, 0);
  double frame = 0.0, speed = 0.0;
  const bool has_frame = atom_number(u, frame_atom, &frame);
  const bool has_speed = atom_number(u, speed_atom, &speed);
  const bool rolling = has_speed ? speed != 0.0 : self->transport_rolling;
  if (has_frame) {
    const int64_t f = (int64_t)frame;
    if (rolling && self->transport_known && f != self->transport_frame)
      self->restart_pending = true;
    self->transport_frame = f;
    self->transport_known = true;
  }
  self->transport_rolling = rolling;
}

static void handle_set(emovox *self, const LV2_Atom_Object *obj) {
  const emovox_uris *u = &self->uris;
  const LV2_Atom *value = NULL;
  if (emovox_read_set_voice(u, obj, &value)) {
    /* only "none" can be set (a voice is learned, not sent): a value that is not empty is
     * ignored, so a client that echoes state back cannot install a profile unchecked */
    if (value && value->size == 0)
      emovox_voice_forget(self);
    return;
  }
  if (!emovox_read_set_model(u, obj, &value))
    return;
  if (!value || value->type != u->atom_Path || value->size == 0) {
    emovox_set_status(self, EMOVOX_STATUS_LOAD_ERROR,
                      "patch:Set of the model needs an atom:Path value");
    return;
  }
  const char *path = LV2_ATOM_BODY_CONST(value);
  uint32_t len = (uint32_t)strnlen(path, value->size);
  if (len == 0) { /* a cleared file chooser: say so, not "too long or queue full" below */
    emovox_set_status(self, EMOVOX_STATUS_LOAD_ERROR,
                      "patch:Set of the model has an empty path; the previous model runs");
    return;
  }
  if (!self->schedule) { /* loading a file in run() is not realtime-safe: refuse it */
    emovox_set_status(self, EMOVOX_STATUS_LOAD_ERROR,
                      "the host has no LV2 worker: the model cannot be changed");
    return;
  }
  /* A new request: once the worker has it, loads asked for before it (a restore's, say) are
   * dropped when they finish. A refused one replaces nothing: an earlier load still on its way
   * installs as it would have. */
  const unsigned ticket = emovox_take_ticket(self);
  if (emovox_request_load(self->schedule, path, len, false, NULL, false, ticket))
    emovox_publish_generation(self, ticket);
  else
    emovox_set_status(self, EMOVOX_STATUS_LOAD_ERROR, "model path too long or worker queue full");
}

/* Whether an event's header and body end by `end`, the end of the host's sequence. */
static bool event_fits(const LV2_Atom_Event *ev, const uint8_t *end) {
  const size_t room = (size_t)(end - (const uint8_t *)ev);
  return room >= sizeof *ev && ev->body.size <= room - sizeof *ev;
}

/* Whether every property of an object (key, value header and value body) lies inside it:
 * lv2_atom_object_get only checks where a property starts, so a property cut short by the
 * object's end would be read beyond it. The walk is bounded by the object's size. */
static bool object_whole(const LV2_Atom_Object *obj) {
  if (obj->atom.size < sizeof obj->body)
    return false;
  const uint8_t *body = (const uint8_t *)&obj->body;
  for (size_t off = sizeof obj->body; off < obj->atom.size;) {
    const size_t left = obj->atom.size - off;
    const LV2_Atom_Property_Body *prop = (const LV2_Atom_Property_Body *)(body + off);
    if (left < sizeof *prop || prop->value.size > left - sizeof *prop)
      return false;
    off += (sizeof *prop + prop->value.size + 7) & ~(size_t)7; /* padded, in size_t: no wrap */
  }
  return true;
}

const LV2_Atom_Event *emovox_control_next(const emovox *self, const LV2_Atom_Event *ev) {
  const LV2_Atom_Sequence *seq = self->control;
  if (!seq)
    return NULL;
  /* A malformed sequence from the host (an event or a property whose size runs past its
   * container) must not make run() read beyond the buffer: such events are skipped. */
  const uint8_t *end = (const uint8_t *)&seq->body + seq->atom.size;
  for (ev = ev ? lv2_atom_sequence_next(ev) : lv2_atom_sequence_begin(&seq->body);
       !lv2_atom_sequence_is_end(&seq->body, seq->atom.size, ev); ev = lv2_atom_sequence_next(ev)) {
    if (!event_fits(ev, end))
      return NULL; /* where the next event would start is not known either */
    if (ev->body.type == self->uris.atom_Object && object_whole((const LV2_Atom_Object *)&ev->body))
      return ev;
  }
  return NULL;
}

void emovox_handle_message(emovox *self, const LV2_Atom_Object *obj) {
  const emovox_uris *u = &self->uris;
  if (obj->body.otype == u->patch_Set) {
    handle_set(self, obj);
  } else if (obj->body.otype == u->time_Position) {
    handle_position(self, obj);
  } else if (obj->body.otype == u->patch_Get) {
    const LV2_Atom *property = NULL;
    lv2_atom_object_get(obj, u->patch_property, &property, 0);
    if (!property || (property->type == u->atom_URID && property->size >= sizeof(LV2_URID) &&
                      ((const LV2_Atom_URID *)property)->body == u->model))
      self->notify_pending = true;
  }
}

/* An upper bound of the bytes the notify messages take (atoms are padded to 8 bytes). */
static uint32_t notify_bytes(const emovox *self, const emovox_loaded *m, const char *path) {
  size_t n = 512 + 32 + 2 * (strlen(path) + 8) + strlen(emovox_shown_text(self)) + 8;
  if (m) {
    n += strlen(m->name) + 8;
    for (int i = 0; i < m->n_labels; i++)
      n += strlen(m->labels[i]) + 24;
  }
  return (uint32_t)n;
}

/* What lv2_atom_forge_set_buffer, _sequence_head (unit 0) and _pop write when no event goes
 * in between: the 16-byte header, body size 8, if the host's buffer holds it (else the head
 * fails and nothing is written). run() writes an empty sequence on both atom outputs in
 * nearly every block; written directly it costs a few stores instead of ~60 instructions. */
static void write_empty_sequence(LV2_Atom_Sequence *seq, LV2_URID sequence) {
  if (seq->atom.size < sizeof(LV2_Atom_Sequence))
    return;
  seq->atom.size = (uint32_t)sizeof(LV2_Atom_Sequence_Body);
  seq->atom.type = sequence;
  seq->body.unit = 0;
  seq->body.pad = 0;
}

void emovox_write_notify(emovox *self) {
  LV2_Atom_Forge *f = &self->forge;
  const emovox_uris *u = &self->uris;
  if (!self->notify)
    return;
  if (!self->notify_pending) {
    write_empty_sequence(self->notify, f->Sequence);
    return;
  }
  const uint32_t capacity = self->notify->atom.size;
  lv2_atom_forge_set_buffer(f, (uint8_t *)self->notify, capacity);
  LV2_Atom_Forge_Frame seq;
  if (!lv2_atom_forge_sequence_head(f, &seq, 0)) {
    return;
  }
  const emovox_loaded *m = self->current_rt;
  const char *path = m ? m->path : "";
  if (self->notify_pending && capacity >= notify_bytes(self, m, path)) {
    /* patch:Set of the model path, for generic hosts and UIs. */
    lv2_atom_forge_frame_time(f, 0);
    emovox_write_set_model(f, u, path);
    /* The status object for the Emovox UI. */
    lv2_atom_forge_frame_time(f, 0);
    emovox_write_status(f, u, emovox_shown_status(self), emovox_shown_text(self), m ? m->name : "",
                        path, m ? m->labels[0] : "", sizeof m->labels[0], m ? m->n_labels : 0,
                        m && m->has_voice);
    self->notify_pending = false;
  }
  lv2_atom_forge_pop(f, &seq);
}

void emovox_write_midi(emovox *self, const ev_outputs *out, uint32_t n_samples) {
  LV2_Atom_Forge *f = &self->midi_forge;
  if (!self->midi_out)
    return;
  /* The same probabilities as the last complete pass (bit for bit): every value below would
   * equal midi_last, so no event; only the empty sequence is written. */
  if (self->midi_synced && memcmp(out->prob, self->midi_prob, sizeof self->midi_prob) == 0) {
    write_empty_sequence(self->midi_out, f->Sequence);
    return;
  }
  lv2_atom_forge_set_buffer(f, (uint8_t *)self->midi_out, self->midi_out->atom.size);
  LV2_Atom_Forge_Frame seq;
  if (!lv2_atom_forge_sequence_head(f, &seq, 0))
    return;
  const int64_t when = n_samples ? n_samples - 1 : 0;
  bool complete = true;
  /* At most one CC per emotion per block. */
  for (int i = 0; i < EV_N_EMOTIONS; i++) {
    float p = out->prob[i];
    /* p > 0 and finite: p < 1 ? p : 1 is fminf(p, 1), without the call */
    int value = (isfinite(p) && p > 0.0f) ? (int)lrintf((p < 1.0f ? p : 1.0f) * 127.0f) : 0;
    if (value == self->midi_last[i])
      continue;
    const uint8_t msg[3] = {(uint8_t)(LV2_MIDI_MSG_CONTROLLER | (self->midi_channel & 0x0F)),
                            (uint8_t)((self->midi_cc_base + i) & 0x7F), (uint8_t)value};
    if (f->size - f->offset < 32) { /* room for time, atom header and padded body */
      complete = false;
      break;
    }
    lv2_atom_forge_frame_time(f, when);
    lv2_atom_forge_atom(f, sizeof msg, self->uris.midi_Event);
    lv2_atom_forge_write(f, msg, sizeof msg);
    self->midi_last[i] = value;
  }
  self->midi_synced = complete;
  memcpy(self->midi_prob, out->prob, sizeof self->midi_prob);
  lv2_atom_forge_pop(f, &seq);
}
