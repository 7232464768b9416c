/* From audio files to model inputs: read (libsndfile, any rate, downmixed), augment, run the
 * streaming feature extractor as the plugin does, keep the model's raw input vectors per frame
 * (cached on disk), then normalise each clip through the shared ev_input. */
#ifndef EV_DATASET_H
#define EV_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "ev_arch.h"
#include "ev_augment.h"
#include "ev_corpus.h"

/* Raw (un-normalised) input vectors of one clip, one per extractor frame. */
typedef struct ev_feat_seq {
  int T, D;
  float *x;              /* [T, D] */
  float *rms;            /* [T] */
  unsigned char *speech; /* [T] the analyser's speech gate per frame, or NULL: every frame */
} ev_feat_seq;

void ev_feat_seq_free(ev_feat_seq *s);
/* A copy of raw as if its audio had been gain_db louder: the egemaps_func statistics through
 * ev_func_level_gain (ev_functionals.h), the RMS scaled; the other inputs as they are (the
 * MFCC deviations do not move with a gain). The trainer's gain augmentation. 0 or -1 (out of
 * memory). */
int ev_feat_seq_gained(const ev_input_config *c, const ev_feat_seq *raw, float gain_db,
                       ev_feat_seq *out);

/* Reads a sound file as mono float (channels averaged). 0 or -1 with a reason. */
int ev_load_audio(const char *path, float **x, size_t *n, int *rate, char *err, size_t errlen);
/* Runs the streaming extractor over x (at `rate`) and collects the arch's inputs per frame;
 * with a->analyzer_inputs, runs ev_analyzer itself (as the plugin does) and also keeps its
 * speech gate per frame. */
int ev_features_from_audio(const ev_arch *a, const float *x, size_t n, int rate, ev_feat_seq *out,
                           char *err, size_t errlen);

typedef struct ev_extract_opts {
  const ev_arch *arch;
  const ev_augment_config *aug; /* NULL or copies 0: no augmented copies */
  uint64_t seed;
  const char *cache_dir; /* NULL: no cache */
  int threads;
  int progress;   /* print progress with ETA on stderr */
  int narrowband; /* 1: every version of a clip heard through ev_aug_band last (--channel);
                   * 2: and then half of them with a noise floor (ev_aug_noise_floor) */
} ev_extract_opts;

typedef struct ev_dataset {
  const ev_clip_list *clips;
  int copies;       /* augmented copies per clip */
  ev_feat_seq *seq; /* [n_clips * (copies + 1)]: index clip * (copies + 1) + copy */
  char *ok;         /* [n_clips]: 1 if the clip was read */
  int D;
  size_t failed; /* unreadable clips (each reported) */
  size_t cache_hits, cache_misses;
} ev_dataset;

int ev_dataset_extract(ev_dataset *ds, const ev_clip_list *clips, const ev_extract_opts *o,
                       char *err, size_t errlen);
void ev_dataset_free(ev_dataset *ds);
static inline ev_feat_seq *ev_dataset_seq(const ev_dataset *ds, size_t clip, int copy) {
  return &ds->seq[clip * (size_t)(ds->copies + 1) + (size_t)copy];
}

/* A clip's identity for the cache and the augmentation: a hash of the file's bytes, so that
 * a corpus moved, copied or reached by another spelling of its folder is the same corpus. */
uint64_t ev_clip_content(const char *path);
/* The seed of augmented copy `copy` (1...) of the clip whose content hash is `content`. */
uint64_t ev_clip_copy_seed(uint64_t seed, uint64_t content, int copy);
/* Cache file of one (clip, copy): the key covers the clip's content (ev_clip_content), feature
 * configuration, inputs, augmentation and seed (ev_dataset_extract adds a fingerprint of the
 * extraction code's output). Exposed for tests. */
uint64_t ev_cache_key(uint64_t content, const ev_arch *a, const ev_augment_config *aug, int copy,
                      uint64_t seed);

/* Prior statistics of the model input over the speech steps (stride-averaged, RMS above the
 * default gate) of the given sequences; std floored at 1e-3. Returns how many steps it read. */
double ev_prior_stats(const ev_arch *a, ev_feat_seq *const *seqs, size_t n, float *mean,
                      float *std);
/* The same steps' median and interquartile range / 1.349 (the standard deviation, were they
 * normal), from at most EV_PRIOR_ROBUST_STEPS of them spread evenly (emovox-train
 * --robust-norm). Some eGeMAPS statistics are coefficients of variation of a quantity whose
 * mean can be near zero (MFCC 1-4, the spectral slopes, H1-H2, the alpha ratio of voiced
 * frames): over the steps of the six corpora their standard deviation is 10 to 80 times what
 * their middle half spans, so a z-score leaves nearly every step near 0 and a few far out. A
 * dimension whose middle half is one value keeps ev_prior_stats' figures. */
#define EV_PRIOR_ROBUST_STEPS 262144
double ev_prior_stats_robust(const ev_arch *a, ev_feat_seq *const *seqs, size_t n, float *mean,
                             float *std);

/* Model input steps of one clip: ev_input over the whole clip, as the plugin would. */
typedef struct ev_steps {
  int S, D;
  float *x; /* [S, D] */
} ev_steps;
void ev_steps_free(ev_steps *s);

typedef struct ev_input ev_input;
/* in: an ev_input made from the arch's input config and prior (ev_input_new); it is reset
 * first. */
int ev_normalise_seq(ev_input *in, const ev_feat_seq *raw, ev_steps *out);
/* The same, starting from given running statistics (ev_input_set_state) instead of the prior:
 * mean/var NULL behaves as ev_normalise_seq. */
int ev_normalise_seq_from(ev_input *in, const ev_feat_seq *raw, const float *mean, const float *var,
                          double n_seen, ev_steps *out);
/* The same without resetting `in` first: the next clip of a session (speaker mode). */
int ev_normalise_seq_continue(ev_input *in, const ev_feat_seq *raw, ev_steps *out);

#endif
