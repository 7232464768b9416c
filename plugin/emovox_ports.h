/* Port indices and URIs of the Emovox LV2 plugins, shared by the plugin, the UI and the
 * offline analyser. Control ports come first so the mono and stereo variants share them;
 * audio ports follow. Changing an index breaks saved sessions: only append. */
#ifndef EMOVOX_PORTS_H
#define EMOVOX_PORTS_H

#define EMOVOX_URI        "https://emovox.org/plugins/emovox"
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
  EMOVOX_ADAPT = 6,        /* in toggle: adaptive speaker normalisation, default on */
  EMOVOX_MIDI_CHANNEL = 7, /* in 1..16, default 1 */
  EMOVOX_MIDI_CC_BASE = 8, /* in 0..112, default 20: emotion i sends CC base+i */
  EMOVOX_PROB_FIRST = 9,   /* out 0..1, 8 ports in ev_emotion order (9..16) */
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
  EMOVOX_N_PORTS_MONO = 25,
  EMOVOX_N_PORTS_STEREO = 27
} emovox_port;

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
 * The running model's path is also sent as patch:Set (property EMOVOX_URI_MODEL). */
#define EMOVOX_URI_STATUS_CODE  EMOVOX_URI "#statusCode"
#define EMOVOX_URI_STATUS_TEXT  EMOVOX_URI "#statusText"
#define EMOVOX_URI_MODEL_NAME   EMOVOX_URI "#modelName"
#define EMOVOX_URI_MODEL_PATH   EMOVOX_URI "#modelPath"
#define EMOVOX_URI_MODEL_LABELS EMOVOX_URI "#modelLabels"
/* The default model's file name inside the bundle. */
#define EMOVOX_DEFAULT_MODEL_FILE "emovox-default.safetensors"
/* Minimum buffer size (bytes) of the control and notify atom ports. */
#define EMOVOX_ATOM_BUFFER_SIZE 16384

#endif
