/* What a model costs to hold and to run, computed from its architecture and feature
 * configuration alone (before any weight is allocated), and the ceilings a loaded file must
 * stay under (docs/model.md, "Resource limits"). A weight file is untrusted input: a valid
 * 1 MB file can ask for gigabytes of streaming state or for an FFT per sample. */
#ifndef EV_MODEL_COST_H
#define EV_MODEL_COST_H

#include <stddef.h>

#include "ev_input.h"
#include "ev_layers.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Memory: weights + prior + one analyser runtime (layer states and their reset image, scratch,
 * frame buffers, input assembler, feature extractor). 128 MiB: ~90x the largest design the
 * trainer has (offline/train/ev_arch.c: 1.4 MiB), 40x a 250k-parameter model pooling over 3 s,
 * and far below a host's memory even for a dozen instances. */
#define EV_MODEL_MAX_BYTES (128.0 * 1024.0 * 1024.0)
/* Compute: multiply-adds per second of audio, features and layers. 1e9 is ~9x the heaviest
 * design the trainer has (seed-bilstm: two bilstm layers over a 32-frame window, 0.11e9) and
 * leaves most of a core to the host; far beyond it a model stalls the host's audio thread. */
#define EV_MODEL_MAX_MACS_PER_S 1e9

typedef struct ev_model_cost {
  double weight_bytes;  /* weights and the normalisation prior */
  double runtime_bytes; /* one analyser runtime (estimate; the extractor's is an upper bound) */
  double feature_macs_per_s; /* feature extraction, per second of audio (approximate) */
  double model_macs_per_s;   /* the layers, per second of audio */
  double step_macs;          /* the layers, per model step */
} ev_model_cost;

/* layers: n initialised layers (ev_layer_init; data not needed). */
void ev_model_cost_compute(const ev_input_config *input, int input_dims, const ev_layer *layers,
                           int n, ev_model_cost *cost);
/* 0 if within the ceilings, else -1 and a message that says the limit. */
int ev_model_cost_check(const ev_model_cost *cost, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
