/* Architectures by configuration: a JSON file or a named preset gives the features, the input
 * list, frame_stride, the training crop length (`window`, in model steps), the normalisation
 * and the layer list (the `architecture` metadata format of docs/ARCHITECTURE.md). */
#ifndef EV_ARCH_H
#define EV_ARCH_H

#include <stddef.h>

#include "ev_features.h"
#include "ev_input.h"

typedef struct ev_arch {
  char name[64];
  char description[256];
  ev_input_config input; /* features, inputs, frame_stride, normalisation: as the model's */
  int window;            /* training crop, model steps (= the model's pooling window) */
  int functionals;       /* 1: utterance statistics + softmax regression (evaluation baseline) */
  /* 1 ("analyzer_inputs": true): the training inputs are taken from ev_analyzer itself (its DC
   * blocker, utterance restarts and speech gate), and only the steps the plugin reports (speech)
   * are learnt from and scored, so training sees exactly what the plugin computes. */
  int analyzer_inputs;
  /* Share of the training clips also taken as heard in a session of their speaker (ev_run.c,
   * ev_sessions.h; adaptive normalisation): "session_items": true is 1, a number in [0, 1]
   * that share (spread evenly along each session), absent 0. The network then learns the
   * normaliser's states after minutes of one voice as well as a fresh instance's. */
  float session_items;
  /* "normalization": {"speaker_dims": R}: only the dimensions whose spread across speakers
   * exceeds R times their spread across emotions adapt to the voice (ev_adapt_dims.h; the mask
   * ships in the model as norm.adapt); 0 (absent): every dimension adapts */
  float speaker_dims;
  int speaker_dims_across; /* "speaker_dims_across": true: speakers compared across corpora */
  char *layers_json;       /* the layer list, JSON text (malloc'ed) */
} ev_arch;

/* Preset name ("emovox", "seed-bilstm", "seed-lstm", "seed-cnn-mel", "seed-cnn-mfcc",
 * "functionals") or path to a JSON file. 0 or -1 with a reason. */
int ev_arch_load(const char *name_or_path, ev_arch *a, char *err, size_t errlen);
/* Parses an architecture JSON text. */
int ev_arch_parse(const char *json, ev_arch *a, char *err, size_t errlen);
void ev_arch_free(ev_arch *a);
/* Input dimension (sum of the inputs' dims; ev_arch_parse checked the input config). */
int ev_arch_input_dims(const ev_arch *a);

int ev_arch_n_presets(void);
const char *ev_arch_preset_name(int i);
const char *ev_arch_preset_json(int i);

#endif
