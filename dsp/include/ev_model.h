/* Emovox model: feature configuration + input list + frame_stride + layers + labels +
 * normalisation prior + provenance, stored as safetensors (docs/ARCHITECTURE.md, docs/model.md).
 *
 * An ev_model is immutable once loaded and may be shared by several analysers. Loading,
 * creating and saving allocate (not realtime). ev_model_state_* stepping is realtime-safe
 * after ev_model_state_new(). */
#ifndef EV_MODEL_H
#define EV_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "ev_features.h"
#include "ev_input.h"
#include "ev_layers.h"
#include "ev_model_cost.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EV_MODEL_FORMAT         "emovox-model"
#define EV_MODEL_FORMAT_VERSION 1
#define EV_MODEL_MAX_LAYERS     64
#define EV_MODEL_MAX_LABELS     64

typedef struct ev_model ev_model;

/* ---- Loading ---- */
ev_model *ev_model_load_file(const char *path, char *err, size_t errlen);
ev_model *ev_model_load_memory(const uint8_t *buf, size_t len, char *err, size_t errlen);
void ev_model_free(ev_model *m);

/* ---- Accessors ---- */
const char *ev_model_name(const ev_model *m);
/* The model's release (metadata "version", e.g. "0.17"): "" when the file names none. */
const char *ev_model_version(const ev_model *m);
/* The name as people see it (UI, log, emovox-analyze): "emovox-default 0.17", or the name alone
 * when the file records no release; cut to len - 1 bytes. */
void ev_model_display_name(const ev_model *m, char *buf, size_t len);
/* The highest audio frequency (Hz) the model's training audio held: metadata "audio_band_hz"
 * (4000 for a model trained on speech heard through an 8 kHz channel), else half its feature
 * rate (8000: a model of 16 kHz recordings). Audio that holds less is read out of its depth
 * (ev_analyzer_band_note). */
int ev_model_audio_band(const ev_model *m);
int ev_model_n_labels(const ev_model *m);
const char *ev_model_label(const ev_model *m, int i);
int ev_model_label_canonical(const ev_model *m, int i); /* ev_emotion, or -1: no slot */
size_t ev_model_n_params(const ev_model *m);            /* floats in all layers */
/* What the model reads: features, inputs, frame_stride, normalisation. */
const ev_input_config *ev_model_input_config(const ev_model *m);
const char *ev_model_provenance(const ev_model *m);   /* JSON object text ("{}" if none) */
const char *ev_model_architecture(const ev_model *m); /* JSON list text, as saved */
int ev_model_n_layers(const ev_model *m);
const ev_layer *ev_model_layer(const ev_model *m, int i);
ev_layer *ev_model_layer_mut(ev_model *m, int i); /* trainer: write weights */
int ev_model_softmax_appended(const ev_model *m); /* the file's last layer was not softmax */
int ev_model_input_dims(const ev_model *m);
float *ev_model_norm_mean(ev_model *m); /* input_dims floats (trainer writes the prior) */
float *ev_model_norm_std(ev_model *m);
/* Which input dimensions follow the voice in adaptive normalisation (tensor norm.adapt, 0 or
 * 1 each; absent: all): NULL when all do. The trainer sets it; a mask of all ones stores none. */
int ev_model_set_norm_adapt(ev_model *m, const float *mask, char *err, size_t errlen);
const float *ev_model_norm_adapt(const ev_model *m);
/* The classes' centres for the adaptive normaliser (tensor norm.centres, [n_labels, input_dims]:
 * per label the training steps' median; ev_input.h): NULL when the model has none. The
 * trainer sets them (emovox-train --class-centres); all finite, else -1 with err. */
int ev_model_set_norm_centres(ev_model *m, const float *centres, char *err, size_t errlen);
const float *ev_model_norm_centres(const ev_model *m);
float *ev_model_params(ev_model *m); /* the weight arena: n_params floats, layer by layer */
/* An input assembler for this model: its input configuration and prior (ev_input_new). */
ev_input *ev_model_input_new(const ev_model *m, char *err, size_t errlen);

/* ---- Building (trainer, emovox-model random) ---- */
typedef struct ev_model_desc {
  const char *name;
  ev_input_config input;
  int n_layers;
  const ev_layer_config *layers; /* in_dim is ignored: chained from the inputs */
  /* NULL (zeros), or the weights of these layers laid out as an ev_layer_stack's arena (the
   * trainer's network is one: ev_layer_stack.h) */
  const float *weights;
  int n_labels;
  const char *const *labels;
  const char *provenance; /* JSON object text or NULL */
} ev_model_desc;

/* Creates a model with the given or zero weights, prior mean 0 and std 1. A softmax is appended if
 * the last layer is not one. The last layer's out_dim must equal n_labels. */
ev_model *ev_model_create(const ev_model_desc *desc, char *err, size_t errlen);

/* Parses an `architecture` JSON list into layer configs (in_dim left 0; dense/conv1d take
 * their width from the "out" attribute, which may be omitted on the last dense/conv1d layer:
 * it then defaults to out_default). Returns the number of layers, or -1 and err. */
int ev_model_parse_architecture(const char *json, ev_layer_config *layers, int max_layers,
                                int out_default, char *err, size_t errlen);
/* Parses a JSON list of feature names ("mfcc", "rms", ...) into ids; count or -1 and err. */
int ev_model_parse_inputs(const char *json, int *ids, int max, char *err, size_t errlen);

/* A release name is 1..EV_MODEL_VERSION_MAX printable ASCII characters without spaces: it is
 * shown next to the model's name (UI, log, emovox-model info). 0, or -1 + err. */
#define EV_MODEL_VERSION_MAX 32
int ev_model_check_version(const char *version, char *err, size_t errlen);
/* Sets the release (NULL or "": none, and the file then stores no "version"). 0 or -1 + err. */
int ev_model_set_version(ev_model *m, const char *version, char *err, size_t errlen);
/* Records the audio band its training audio held (EV_MODEL_BAND_MIN_HZ..sample_rate / 2; 0 or
 * half the rate: the full band, stored as no "audio_band_hz"). 0, or -1 + err. */
#define EV_MODEL_BAND_MIN_HZ 1000
int ev_model_set_audio_band(ev_model *m, int hz, char *err, size_t errlen);
/* Replaces the provenance (JSON object text). 0 or -1 + err if it is not a JSON object. */
int ev_model_set_provenance(ev_model *m, const char *json, char *err, size_t errlen);
/* Checks weights and prior are finite, then writes the safetensors file. */
int ev_model_save(const ev_model *m, const char *path, char *err, size_t errlen);
/* The same into a malloc'ed buffer. */
int ev_model_serialize(const ev_model *m, uint8_t **buf, size_t *len, char *err, size_t errlen);

/* ---- Stepping the layers (streaming) ---- */
typedef struct ev_model_state ev_model_state;
ev_model_state *ev_model_state_new(const ev_model *m, char *err, size_t errlen);
void ev_model_state_free(ev_model_state *s);
void ev_model_state_reset(ev_model_state *s);
/* A reset in bounded pieces, for the audio thread when the state is large (clearing 100 MB in
 * one go would take tens of milliseconds): reset_begin makes the state idle, then each
 * reset_some copies at most `budget` floats of the initial state and returns 1 once the whole
 * state is reset. No step may begin before that. */
size_t ev_model_state_floats(const ev_model_state *s); /* the layers' state, in floats */
void ev_model_state_reset_begin(ev_model_state *s);
int ev_model_state_reset_some(ev_model_state *s, size_t budget);
/* Starts a step with a normalised input vector (ev_model_input_dims floats, copied). */
void ev_model_state_begin(ev_model_state *s, const float *input);
/* Runs the next unit of the current step: a layer, or one part of a layer that the layer API
 * cuts into parts (ev_layer_step_parts); returns 1 when the step is complete (also when no
 * step is in progress). The result equals ev_model_state_run bit for bit. */
int ev_model_state_step_layer(ev_model_state *s);
/* Units of one step (layers, counting each part of a multi-part layer). */
int ev_model_step_units(const ev_model *m);
int ev_model_state_busy(const ev_model_state *s); /* a step has layers left to run */
/* Runs a whole step: begin + every layer. out: n_labels probabilities (may be NULL). */
void ev_model_state_run(ev_model_state *s, const float *input, float *out);
const float *ev_model_state_output(const ev_model_state *s); /* n_labels, last complete step */
/* 1 if a layer's output held NaN or Inf during the last complete step (activations
 * overflowed; later layers may hide it, e.g. a softmax of Inf logits is uniform); recurrent and
 * pooled states recover once finite inputs have filled their windows. */
int ev_model_state_fault(const ev_model_state *s);
double ev_model_step_flops(const ev_model *m);
/* Memory and multiply-adds per second of audio (ev_model_cost.h); a loaded model is within
 * EV_MODEL_MAX_BYTES and EV_MODEL_MAX_MACS_PER_S. */
void ev_model_get_cost(const ev_model *m, ev_model_cost *cost);

#ifdef __cplusplus
}
#endif
#endif
