/* Mini-batch training with AdamW on fixed-length random crops (loss on each crop's last frame),
 * label-smoothed cross-entropy, class balancing, reduce-on-plateau or a cosine schedule, early
 * stopping on the validation loss and a best checkpoint. Deterministic for a seed whatever the
 * thread count: every batch is cut into EV_TRAIN_CHUNKS fixed parts whose gradients are summed in
 * order. */
#ifndef EV_TRAINER_H
#define EV_TRAINER_H

#include <stddef.h>
#include <stdint.h>

#include "ev_augment.h" /* ev_rng */
#include "ev_mask.h"
#include "ev_net.h"

#define EV_TRAIN_CHUNKS     4
#define EV_TRAIN_MAX_GROUPS 16

typedef enum ev_balance {
  EV_BALANCE_NONE = 0,
  EV_BALANCE_WEIGHTS,
  EV_BALANCE_OVERSAMPLE,
  EV_BALANCE_CORPUS /* loss weights that give every (corpus, label) cell the same total */
} ev_balance;

typedef struct ev_train_opts {
  int epochs, batch;
  float lr, weight_decay, smoothing;
  int threads;
  uint64_t seed;
  int patience;         /* epochs without validation improvement before stopping */
  int plateau;          /* epochs without improvement before the LR is reduced */
  float plateau_factor; /* LR multiplier on a plateau */
  float min_lr;
  float clip_norm; /* global gradient norm clip (0: off) */
  ev_balance balance;
  float balance_power; /* balance corpus: the cell weights' exponent (1: every cell the same) */
  int window;          /* crop length in model steps */
  int progress;
  int speaker_norm;    /* normalise each clip from its speaker's statistics (ev_speaker_norm.h) */
  ev_mask_config mask; /* feature masking of training crops (masks = 0: off) */
  int corpus_classes;  /* softmax of the loss over the clip's corpus labels only */
  float all_share;     /* with corpus_classes: this share of the loss over every label, the rest
                          over the corpus's (0: corpus labels only) */
  int late_crops;      /* crop starts drawn with density rising linearly to the clip's end */
  int ensemble;        /* > 1: that many seeds merged into one network (ev_ensemble.h) */
  int cosine;          /* LR from lr down to min_lr along a half cosine over all the steps */
  float mixup;         /* > 0: mixup (Zhang et al. 2018) with lambda ~ Beta(mixup, mixup) */
  float adversary;     /* > 0: the corpus adversary's confusion weight (ev_adversary.h) */
  float arousal_loss;  /* > 0: weight of the squared error of the expected arousal, sum_k p_k
                          class_arousal[k], against the label's (what the arousal port reads) */
  float class_arousal[32]; /* per class, its circumplex arousal (ev_run_train fills it) */
  float voice_swap;        /* > 0: each cold training item's inputs moved by this share of the
                              difference between another training speaker's offset from the
                              class centres and its own (--voice-swap; needs the centres) */
  float gain_jitter;       /* > 0: each cold training item heard this many dB louder or quieter
                              at most (uniform, seeded; ev_feat_seq_gained) */
  float dropout;           /* > 0: dropout on the hidden dense layers' outputs while training
                              (ev_work.dropout); the exported network has none */
  int robust_norm;         /* the prior from the training steps' median and interquartile range
                              (ev_prior_stats_robust); the arch clamps the inputs */
  int class_centres;       /* store each label's centre of the training steps (the median with
                              robust_norm, else the mean) for the adaptive normaliser
                              (norm.centres, ev_input.h) */
  float read_warmup;       /* >= 0: the exported model's warmup_frames (speech steps read with
                              the prior after a reset), where it should differ from the arch's,
                              with which the training items are still made; < 0: the arch's */
  const unsigned char *input_keep; /* NULL: the network reads every input; else per input 1 =
                                      read, 0 = its first-layer weights held at 0 (an ensemble
                                      member's random subspace, ev_ensemble.h) */
  float ensemble_inputs;   /* < 1: each ensemble member reads this share of the inputs, drawn
                              from its seed (ev_ensemble_train); 1: all */
  float centre_confidence; /* > 0: the exported model's norm.centre_confidence (with
                              class_centres: the voice's offset learns in proportion to the
                              reading's confidence above it, ev_input.h); 0: every step fully */
} ev_train_opts;

/* The cosine schedule's learning rate at step k (0-based) of n_steps: lr at step 0, min_lr
 * after the last (ev_train uses it when opts.cosine is set). */
double ev_cosine_lr(double lr, double min_lr, long k, long n_steps);

void ev_train_opts_default(ev_train_opts *o);

/* One AdamW step (bias-corrected moments, betas 0.9 / 0.999, eps 1e-8; decay decoupled and
 * applied where decay[k] is set, none when decay is NULL) on n weights w with moments m, v from
 * the gradient g times scale; step counts from 1. The trainer's optimiser, and the corpus
 * adversary's head's. */
void ev_adamw_step(float *w, float *m, float *v, const float *g, const int *decay, size_t n,
                   long step, float scale, double lr, float weight_decay);

/* A draw of max(l, 1 - l) with l ~ Beta(alpha, alpha), alpha > 0: mixup's weight of the crop
 * whose label leads (exposed for its test). */
double ev_mixup_lambda(ev_rng *r, double alpha);

/* One training/evaluation example: a clip's normalised model steps. */
typedef struct ev_item {
  const float *x; /* [S, in_dim] */
  int S;
  int label;
  unsigned classes; /* labels its corpus has (bit k = label k), for --loss-classes corpus; 0: all */
  int group;        /* its corpus (0..EV_TRAIN_MAX_GROUPS-1), for --balance corpus */
} ev_item;

typedef struct ev_epoch_stats {
  int epoch;
  double train_loss, train_acc, val_loss, val_acc, val_uar, lr, seconds;
  double adv_loss; /* the corpus adversary's mean loss (NAN when off) */
} ev_epoch_stats;

typedef struct ev_train_result {
  ev_epoch_stats *hist;
  int n_hist;
  int best_epoch;
  double best_val_loss;
  double clips_per_second;
} ev_train_result;
void ev_train_result_free(ev_train_result *r);

/* Trains net in place; when val is non-empty the best-validation weights are restored at the
 * end, else the last. 0 or -1 with a reason. */
int ev_train(ev_net *net, const ev_item *train, size_t n_train, const ev_item *val, size_t n_val,
             const ev_train_opts *o, ev_train_result *res, char *err, size_t errlen);

/* Clip-level prediction (ev_predict.c): mean of the softmax outputs of crops (length window) ending
 * at the clip's end and every window/2 steps before it. pred[n]; probs [n, n_classes] (may be
 * NULL); *loss (may be NULL) = mean cross-entropy of the averaged probabilities. */
int ev_predict(const ev_net *net, const ev_item *items, size_t n, int window, int threads,
               int *pred, float *probs, double *loss);
/* The same, and the logits of every crop: clip i's crop k at crop_logits[(i *
 * EV_PRED_MAX_CROPS + k) * n_classes], n_crops[i] of them (for temperature fitting). */
#define EV_PRED_MAX_CROPS 16
int ev_predict_crops(const ev_net *net, const ev_item *items, size_t n, int window, int threads,
                     int *pred, float *probs, double *loss, float *crop_logits, int *n_crops);

#endif
