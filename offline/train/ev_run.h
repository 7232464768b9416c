/* One training run on a set of clips: prior statistics, normalisation through ev_input (or
 * utterance functionals for the baseline), training, prediction, and export of the result as
 * an Emovox model file. */
#ifndef EV_RUN_H
#define EV_RUN_H

#include <stddef.h>

#include "ev_arch.h"
#include "ev_dataset.h"
#include "ev_metrics.h"
#include "ev_net.h"
#include "ev_trainer.h"
#include "ev_voice_swap.h"

typedef struct ev_labelset {
  int n;
  int canon[EV_METRICS_MAX_CLASSES]; /* ev_emotion of each model label */
  const char *names[EV_METRICS_MAX_CLASSES];
  int index_of[EV_METRICS_MAX_CLASSES]; /* ev_emotion -> model label, or -1 */
} ev_labelset;

typedef struct ev_run {
  ev_net net;
  float *prior_mean, *prior_std; /* model input statistics (dims floats) */
  float *adapt;   /* which dimensions adapt (arch speaker_dims; ev_adapt_dims.h); NULL: all */
  float *centres; /* per label, the centre of its training steps (labels x dims; --class-centres);
                     NULL: none */
  ev_train_result result;
  int trained;
  int speaker_norm;    /* from ev_train_opts: per-speaker normalisation in train and evaluate */
  float gain_jitter;   /* from ev_train_opts: the training items' random gain range, dB */
  float voice_swap;    /* from ev_train_opts: the share of another voice's offset (--voice-swap) */
  ev_voices voices;    /* --voice-swap: the training speakers' offsets from the class centres */
  int has_read_warmup; /* from ev_train_opts: the exported model's warmup_frames is read_warmup */
  float read_warmup;
  float centre_confidence; /* from ev_train_opts: the exported model's norm.centre_confidence */
  uint64_t seed;
} ev_run;

/* Trains on train_idx (clip indices, with their augmented copies), early-stopping on val_idx
 * (may be empty). 0 or -1 and err. */
int ev_run_train(ev_run *run, const ev_arch *arch, const ev_dataset *ds, const ev_labelset *ls,
                 const size_t *train_idx, size_t n_train, const size_t *val_idx, size_t n_val,
                 const ev_train_opts *opts, char *err, size_t errlen);
/* Predicts clips (copy 0) into the confusion matrix (adds). pred, conf (may be NULL): per
 * clip, the predicted label (-1: no prediction) and its probability. crop_logits, n_crops
 * (both NULL, or both given with pred): per clip, the logits of its crops
 * ([n, EV_PRED_MAX_CROPS, n_classes]) and their count, for temperature fitting. */
int ev_run_evaluate(ev_run *run, const ev_arch *arch, const ev_dataset *ds, const ev_labelset *ls,
                    const size_t *idx, size_t n, int threads, ev_confusion *cm, int *pred,
                    float *conf, float *crop_logits, int *n_crops, char *err, size_t errlen);
void ev_run_free(ev_run *run);

/* The trained network as an Emovox model in memory (what ev_run_export writes); NULL + err
 * (the functionals baseline has none). Free with ev_model_free. */
typedef struct ev_model ev_model;
ev_model *ev_run_model(const ev_run *run, const ev_arch *arch, const ev_labelset *ls,
                       const char *name, const char *provenance_json, char *err, size_t errlen);
/* Writes the trained network as an Emovox model (safetensors, with metadata; version: its
 * release, NULL for none; band_hz: the audio band its training audio held, 0 for the full band:
 * ev_model_set_audio_band). */
int ev_run_export(const ev_run *run, const ev_arch *arch, const ev_labelset *ls, const char *name,
                  const char *version, int band_hz, const char *provenance_json, const char *path,
                  char *err, size_t errlen);

#endif
