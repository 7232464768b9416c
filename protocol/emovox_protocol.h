/* The Emovox plugin's protocol, shared by the plugin, the UI and the offline analyser (the LV2
 * "uris.h" of the examples): port indices, URIs, the URIDs all three use and the one place
 * each message is written and read. The plugin URI and the atom buffer size come from
 * protocol/meson.build (emovox_config.h), which also writes them into the TTL and the presets.
 * Control ports come first so the mono and stereo variants share them; audio ports follow.
 * Changing an index breaks saved sessions: only append. A port added since is appended to each
 * variant after its audio ports, so its index differs between them (emovox_emotions_port,
 * emovox_adapted_port). The
 * TTL takes those indices from this file (ttl/meson.build). Everything here is header-only and
 * realtime-safe (the writers and readers only forge or walk atoms in caller-owned buffers). */
#ifndef EMOVOX_PROTOCOL_H
#define EMOVOX_PROTOCOL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/midi/midi.h>
#include <lv2/patch/patch.h>
#include <lv2/time/time.h>
#include <lv2/urid/urid.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "emovox_config.h" /* EMOVOX_URI, EMOVOX_ATOM_BUFFER_SIZE, EMOVOX_*_MODEL_FILE */

/* The bundle's model for a host rate: at 8 kHz (the lowest rate the plugin takes: telephone
 * audio, whose band ends at 4 kHz) the narrowband model, which heard speech up to 4 kHz, when
 * the bundle has it; at every other rate the default. Not at 11.025 kHz: there the audio holds
 * up to 5.5 kHz, a band the narrowband model never heard (unseen RAVDESS read 18.8 % with it
 * there, angry for 86 % of the angry clips and most others; models/README.md). The plugin and
 * emovox-analyze both choose by this. */
#define EMOVOX_NARROWBAND_MAX_RATE 8000.0
static inline const char *emovox_bundle_model_file(double rate) {
  return rate <= EMOVOX_NARROWBAND_MAX_RATE ? EMOVOX_NARROWBAND_MODEL_FILE
                                            : EMOVOX_DEFAULT_MODEL_FILE;
}
/* That file's path in the bundle folder dir, into out; the default model's when the bundle
 * lacks the narrowband one (a bundle built before it, or one a packager trimmed). */
static inline void emovox_bundle_model_path(const char *dir, double rate, char *out,
                                            size_t outlen) {
  size_t n = strlen(dir);
  const char *sep = (n > 0 && dir[n - 1] == '/') ? "" : "/";
  snprintf(out, outlen, "%s%s%s", dir, sep, emovox_bundle_model_file(rate));
  if (access(out, F_OK) != 0)
    snprintf(out, outlen, "%s%s%s", dir, sep, EMOVOX_DEFAULT_MODEL_FILE);
}

/* How the status text begins while the default model's narrowband companion reads a call
 * (ev_analyzer_attach_narrowband): the plugin writes it, the UI and emovox-analyze look for it. */
#define EMOVOX_STATUS_TELEPHONE "telephone audio"

#define EMOVOX_URI_MONO   EMOVOX_URI "#mono"
#define EMOVOX_URI_STEREO EMOVOX_URI "#stereo"
#define EMOVOX_URI_UI     EMOVOX_URI "#ui"
#define EMOVOX_URI_MODEL  EMOVOX_URI "#model"       /* patch:writable atom:Path parameter */
#define EMOVOX_URI_STATUS EMOVOX_URI "#modelStatus" /* notify message: status + text */

typedef enum {
  EMOVOX_CONTROL = 0,      /* atom in: patch:Set/Get */
  EMOVOX_NOTIFY = 1,       /* atom out: patch messages to the UI */
  EMOVOX_MIDI_OUT = 2,     /* atom out: one CC per emotion */
  EMOVOX_ENABLE = 3,       /* in toggle */
  EMOVOX_RESPONSE_MS = 4,  /* in 10..5000 ms, default 500 */
  EMOVOX_GATE_DB = 5,      /* in -90..0 dBFS, default -50 */
  EMOVOX_ADAPT = 6,        /* in enum EMOVOX_ADAPT_*: speaker normalisation, default 1 */
  EMOVOX_MIDI_CHANNEL = 7, /* in 1..16, default 1 */
  EMOVOX_MIDI_CC_BASE = 8, /* in 0..112, default 20: emotion i sends CC base+i */
  EMOVOX_PROB_FIRST = 9,   /* out 0..1, EV_N_EMOTIONS ports in ev_emotion order (9..16) */
  EMOVOX_DOMINANT = 17,    /* out enum: 0 no speech, 1 + ev_emotion */
  EMOVOX_CONFIDENCE = 18,  /* out 0..1 */
  EMOVOX_AROUSAL = 19,     /* out -1..1 */
  EMOVOX_VALENCE = 20,     /* out -1..1 */
  EMOVOX_VOICE = 21,       /* out 0..1 */
  EMOVOX_STATUS = 22,      /* out enum: 0 ok, 1 no model, 2 load error, 3 model fault */
  EMOVOX_AUDIO_IN_L = 23,
  EMOVOX_AUDIO_OUT_L = 24,
  EMOVOX_AUDIO_IN_R = 25,  /* stereo variant only */
  EMOVOX_AUDIO_OUT_R = 26, /* stereo variant only */
  /* in enum 1..255, default 255 (all eight): the emotions that can occur, bit i = the emotion of
   * probability port EMOVOX_PROB_FIRST + i; after the audio ports, so one index per variant */
  EMOVOX_EMOTIONS_MONO = 25,
  EMOVOX_EMOTIONS_STEREO = 27,
  /* out 0..1: how far the analysis has adapted to the voice (ev_outputs.adapted: 0 a cold
   * reading against the training prior, 1 normalised by this voice's statistics alone) */
  EMOVOX_ADAPTED_MONO = 26,
  EMOVOX_ADAPTED_STEREO = 28,
  EMOVOX_N_PORTS_MONO = 27,
  EMOVOX_N_PORTS_STEREO = 29
} emovox_port;

/* The adapt port's values. 0 and 1 were its toggle's off and on: sessions and presets keep them. */
enum {
  EMOVOX_ADAPT_OFF = 0,    /* the training prior only */
  EMOVOX_ADAPT_FOLLOW = 1, /* adapt to the voice; a relocate starts afresh */
  EMOVOX_ADAPT_LEARN = 2,  /* adapt, and keep adapting across relocates: learning a voice */
  EMOVOX_ADAPT_USE = 3     /* start every reading from the voice learned (as 1 without one) */
};

/* The emotions port's index in the stereo or the mono variant. */
static inline uint32_t emovox_emotions_port(bool stereo) {
  return stereo ? EMOVOX_EMOTIONS_STEREO : EMOVOX_EMOTIONS_MONO;
}

/* The adapted port's index in the stereo or the mono variant. */
static inline uint32_t emovox_adapted_port(bool stereo) {
  return stereo ? EMOVOX_ADAPTED_STEREO : EMOVOX_ADAPTED_MONO;
}

/* The emotions port's value when it allows all eight (its default). */
#define EMOVOX_EMOTIONS_ALL 255u

/* The set of emotions an emotions port value stands for, as the plugin reads it: rounded and
 * clamped to 1..255 (0 would allow none); NaN or Inf is all eight, as is a port the host left
 * unconnected (the caller's case). One function, so that the UI shows the set the plugin uses. */
static inline uint32_t emovox_emotions_mask(float value) {
  if (!isfinite(value))
    return EMOVOX_EMOTIONS_ALL;
  const float all = (float)EMOVOX_EMOTIONS_ALL;
  return (uint32_t)lrintf(value < 1.0f ? 1.0f : value > all ? all : value);
}

/* EMOVOX_STATUS_MODEL_FAULT: the running model's output is not finite (its activations
 * overflowed on this input); the outputs show "no model" until it is finite again. */
enum {
  EMOVOX_STATUS_OK = 0,
  EMOVOX_STATUS_NO_MODEL = 1,
  EMOVOX_STATUS_LOAD_ERROR = 2,
  EMOVOX_STATUS_MODEL_FAULT = 3
};

/* Keys of the notify message (an atom:Object of type EMOVOX_URI_STATUS) that the plugin sends
 * on its notify port after every model load attempt, on patch:Get and when instantiated:
 *   EMOVOX_URI_STATUS_CODE   atom:Int    EMOVOX_STATUS_* (the status port's value)
 *   EMOVOX_URI_STATUS_TEXT   atom:String "ok", or why the last load failed
 *   EMOVOX_URI_MODEL_NAME    atom:String the running model's metadata name ("" if none)
 *   EMOVOX_URI_MODEL_PATH    atom:Path   the running model's file ("" if none)
 *   EMOVOX_URI_MODEL_LABELS  atom:Tuple  of atom:String, the model's labels in output order
 *   EMOVOX_URI_VOICE_LEARNED atom:Int    1: a voice is learned for the running model (adapt 3 uses
 *                                        it), 0: none (3 behaves as 1)
 * The running model's path is also sent as patch:Set (property EMOVOX_URI_MODEL). */
#define EMOVOX_URI_STATUS_CODE   EMOVOX_URI "#statusCode"
#define EMOVOX_URI_STATUS_TEXT   EMOVOX_URI "#statusText"
#define EMOVOX_URI_MODEL_NAME    EMOVOX_URI "#modelName"
#define EMOVOX_URI_MODEL_PATH    EMOVOX_URI "#modelPath"
#define EMOVOX_URI_MODEL_LABELS  EMOVOX_URI "#modelLabels"
#define EMOVOX_URI_VOICE_LEARNED EMOVOX_URI "#voiceLearned"
/* The state key of the learned voice (an atom:Chunk, plugin/emovox_voice.c). */
#define EMOVOX_URI_VOICE EMOVOX_URI "#voiceProfile"

/* Every URID the plugin, the UI and the analyser use, mapped once per instance. */
typedef struct emovox_uris {
  LV2_URID atom_Chunk, atom_Double, atom_Float, atom_Int, atom_Long, atom_Object, atom_Path;
  LV2_URID atom_Sequence, atom_String, atom_Tuple, atom_URID, atom_eventTransfer, atom_frameTime;
  LV2_URID midi_Event;
  LV2_URID patch_Get, patch_Set, patch_property, patch_subject, patch_value;
  LV2_URID time_Position, time_frame, time_speed;
  LV2_URID model, status, status_code, status_text, model_name, model_path, model_labels;
  LV2_URID voice, voice_learned;
} emovox_uris;

static inline void emovox_map_uris(LV2_URID_Map *map, emovox_uris *u) {
  LV2_URID_Map_Handle h = map->handle;
  u->atom_Chunk = map->map(h, LV2_ATOM__Chunk);
  u->atom_Double = map->map(h, LV2_ATOM__Double);
  u->atom_Float = map->map(h, LV2_ATOM__Float);
  u->atom_Int = map->map(h, LV2_ATOM__Int);
  u->atom_Long = map->map(h, LV2_ATOM__Long);
  u->atom_Object = map->map(h, LV2_ATOM__Object);
  u->atom_Path = map->map(h, LV2_ATOM__Path);
  u->atom_Sequence = map->map(h, LV2_ATOM__Sequence);
  u->atom_String = map->map(h, LV2_ATOM__String);
  u->atom_Tuple = map->map(h, LV2_ATOM__Tuple);
  u->atom_URID = map->map(h, LV2_ATOM__URID);
  u->atom_eventTransfer = map->map(h, LV2_ATOM__eventTransfer);
  u->atom_frameTime = map->map(h, LV2_ATOM__frameTime);
  u->midi_Event = map->map(h, LV2_MIDI__MidiEvent);
  u->patch_Get = map->map(h, LV2_PATCH__Get);
  u->patch_Set = map->map(h, LV2_PATCH__Set);
  u->patch_property = map->map(h, LV2_PATCH__property);
  u->patch_subject = map->map(h, LV2_PATCH__subject);
  u->patch_value = map->map(h, LV2_PATCH__value);
  u->time_Position = map->map(h, LV2_TIME__Position);
  u->time_frame = map->map(h, LV2_TIME__frame);
  u->time_speed = map->map(h, LV2_TIME__speed);
  u->model = map->map(h, EMOVOX_URI_MODEL);
  u->status = map->map(h, EMOVOX_URI_STATUS);
  u->voice = map->map(h, EMOVOX_URI_VOICE);
  u->voice_learned = map->map(h, EMOVOX_URI_VOICE_LEARNED);
  u->status_code = map->map(h, EMOVOX_URI_STATUS_CODE);
  u->status_text = map->map(h, EMOVOX_URI_STATUS_TEXT);
  u->model_name = map->map(h, EMOVOX_URI_MODEL_NAME);
  u->model_path = map->map(h, EMOVOX_URI_MODEL_PATH);
  u->model_labels = map->map(h, EMOVOX_URI_MODEL_LABELS);
}

/* ---- patch:Get: "send me everything" (the UI when it opens) ---- */

static inline LV2_Atom_Forge_Ref emovox_write_get(LV2_Atom_Forge *f, const emovox_uris *u) {
  LV2_Atom_Forge_Frame frame;
  LV2_Atom_Forge_Ref ref = lv2_atom_forge_object(f, &frame, 0, u->patch_Get);
  if (ref)
    lv2_atom_forge_pop(f, &frame);
  return ref;
}

/* ---- patch:Set of the model: which file runs (plugin -> host/UI), which to load (-> plugin) */

static inline LV2_Atom_Forge_Ref emovox_write_set_model(LV2_Atom_Forge *f, const emovox_uris *u,
                                                        const char *path) {
  LV2_Atom_Forge_Frame frame;
  LV2_Atom_Forge_Ref ref = lv2_atom_forge_object(f, &frame, 0, u->patch_Set);
  lv2_atom_forge_key(f, u->patch_property);
  lv2_atom_forge_urid(f, u->model);
  lv2_atom_forge_key(f, u->patch_value);
  lv2_atom_forge_typed_string(f, u->atom_Path, path, (uint32_t)strlen(path));
  lv2_atom_forge_pop(f, &frame);
  return ref;
}

/* true if obj is a patch:Set of the model; *value is then its value atom (NULL if missing;
 * the caller checks that it is a non-empty atom:Path). */
/* true if obj is a patch:Set of `key`; *value is then its value atom (NULL if missing). */
static inline bool emovox_read_set_of(const emovox_uris *u, const LV2_Atom_Object *obj,
                                      LV2_URID key, const LV2_Atom **value) {
  const LV2_Atom *property = NULL;
  *value = NULL;
  if (obj->body.otype != u->patch_Set)
    return false;
  lv2_atom_object_get(obj, u->patch_property, &property, u->patch_value, value, 0);
  return property && property->type == u->atom_URID && property->size >= sizeof(LV2_URID) &&
         ((const LV2_Atom_URID *)property)->body == key;
}

static inline bool emovox_read_set_model(const emovox_uris *u, const LV2_Atom_Object *obj,
                                         const LV2_Atom **value) {
  return emovox_read_set_of(u, obj, u->model, value);
}

/* ---- patch:Set of the learned voice to an empty value: forget it (UI -> plugin) ---- */

/* The learned voice is only learned (Adapt to Speaker: Learn voice) or restored with a session;
 * what a client can set is "none": a patch:Set of EMOVOX_URI_VOICE whose value is an empty
 * atom (an atom:Chunk of size 0 here; any empty value is read as the same). */
static inline LV2_Atom_Forge_Ref emovox_write_forget_voice(LV2_Atom_Forge *f,
                                                           const emovox_uris *u) {
  LV2_Atom_Forge_Frame frame;
  LV2_Atom_Forge_Ref ref = lv2_atom_forge_object(f, &frame, 0, u->patch_Set);
  lv2_atom_forge_key(f, u->patch_property);
  lv2_atom_forge_urid(f, u->voice);
  lv2_atom_forge_key(f, u->patch_value);
  lv2_atom_forge_atom(f, 0, u->atom_Chunk);
  lv2_atom_forge_pop(f, &frame);
  return ref;
}

/* true if obj is a patch:Set of the learned voice; *value is then its value atom (NULL if
 * missing; the caller checks that it is empty). */
static inline bool emovox_read_set_voice(const emovox_uris *u, const LV2_Atom_Object *obj,
                                         const LV2_Atom **value) {
  return emovox_read_set_of(u, obj, u->voice, value);
}

/* ---- the status message (see the keys above) ---- */

/* labels: n_labels terminated strings, label_stride bytes apart (a char[n][stride] array). */
static inline LV2_Atom_Forge_Ref emovox_write_status(LV2_Atom_Forge *f, const emovox_uris *u,
                                                     int32_t code, const char *text,
                                                     const char *name, const char *path,
                                                     const char *labels, size_t label_stride,
                                                     int n_labels, bool voice_learned) {
  LV2_Atom_Forge_Frame obj, tuple;
  LV2_Atom_Forge_Ref ref = lv2_atom_forge_object(f, &obj, 0, u->status);
  lv2_atom_forge_key(f, u->status_code);
  lv2_atom_forge_int(f, code);
  lv2_atom_forge_key(f, u->status_text);
  lv2_atom_forge_typed_string(f, u->atom_String, text, (uint32_t)strlen(text));
  lv2_atom_forge_key(f, u->model_name);
  lv2_atom_forge_typed_string(f, u->atom_String, name, (uint32_t)strlen(name));
  lv2_atom_forge_key(f, u->model_path);
  lv2_atom_forge_typed_string(f, u->atom_Path, path, (uint32_t)strlen(path));
  lv2_atom_forge_key(f, u->model_labels);
  lv2_atom_forge_tuple(f, &tuple);
  for (int i = 0; i < n_labels; i++) {
    const char *label = labels + (size_t)i * label_stride;
    lv2_atom_forge_typed_string(f, u->atom_String, label, (uint32_t)strlen(label));
  }
  lv2_atom_forge_pop(f, &tuple);
  lv2_atom_forge_key(f, u->voice_learned);
  lv2_atom_forge_int(f, voice_learned ? 1 : 0);
  lv2_atom_forge_pop(f, &obj);
  return ref;
}

/* A status message as read: the atoms are those of the message (borrowed); a text atom's body
 * need not be terminated (copy it with emovox_atom_text). */
typedef struct emovox_status_msg {
  int32_t code;                       /* EMOVOX_STATUS_*, -1 when missing */
  const LV2_Atom *text, *name, *path; /* atom:String or atom:Path, else NULL */
  const LV2_Atom_Tuple *labels;       /* NULL when missing */
  int32_t voice_learned;              /* 0 or 1, -1 when missing (an older plugin) */
} emovox_status_msg;

/* true if atom is a status message (anything else, or a malformed one, is not: the size
 * fields are checked before anything is read). */
static inline bool emovox_read_status(const emovox_uris *u, const LV2_Atom *atom,
                                      emovox_status_msg *m) {
  memset(m, 0, sizeof *m);
  m->code = -1;
  m->voice_learned = -1;
  if (!atom || atom->type != u->atom_Object || atom->size < sizeof(LV2_Atom_Object_Body))
    return false;
  const LV2_Atom_Object *obj = (const LV2_Atom_Object *)atom;
  if (obj->body.otype != u->status)
    return false;
  const LV2_Atom *code = NULL, *text = NULL, *name = NULL, *path = NULL, *labels = NULL;
  const LV2_Atom *learned = NULL;
  lv2_atom_object_get(obj, u->status_code, &code, u->status_text, &text, u->model_name, &name,
                      u->model_path, &path, u->model_labels, &labels, u->voice_learned, &learned,
                      0);
  if (learned && learned->type == u->atom_Int && learned->size >= sizeof(int32_t))
    m->voice_learned = ((const LV2_Atom_Int *)learned)->body != 0;
  if (code && code->type == u->atom_Int && code->size >= sizeof(int32_t))
    m->code = ((const LV2_Atom_Int *)code)->body;
  const LV2_Atom *texts[3] = {text, name, path};
  const LV2_Atom **out[3] = {&m->text, &m->name, &m->path};
  for (int i = 0; i < 3; i++)
    if (texts[i] && (texts[i]->type == u->atom_String || texts[i]->type == u->atom_Path))
      *out[i] = texts[i];
  if (labels && labels->type == u->atom_Tuple)
    m->labels = (const LV2_Atom_Tuple *)labels;
  return true;
}

/* Copies an atom:String/Path body (up to its first NUL or its size, cut to cap - 1) into dst
 * and terminates it; false (dst untouched) if a is no text atom. */
static inline bool emovox_atom_text(const emovox_uris *u, const LV2_Atom *a, char *dst,
                                    size_t cap) {
  if (!a || (a->type != u->atom_String && a->type != u->atom_Path) || cap == 0)
    return false;
  size_t n = strnlen((const char *)LV2_ATOM_BODY_CONST(a), a->size);
  if (n >= cap)
    n = cap - 1;
  memcpy(dst, LV2_ATOM_BODY_CONST(a), n);
  dst[n] = 0;
  return true;
}

#endif
