/* Emovox feature pipeline: the one implementation of every frame feature, shared by the
 * plugin, the trainer and the analyser. Semantics follow librosa 0.10 exactly
 * (see ../shared/reference/librosa/README.md); parameters are librosa's.
 *
 * Realtime contract: ev_extractor_new() allocates everything and makes the FFTW plans
 * (under a process-wide mutex, since plan creation is not thread-safe). process(),
 * reset() and flush() never allocate, lock, or make system calls. */
#ifndef EV_FEATURES_H
#define EV_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EV_MODEL_RATE  16000 /* the rate every model works at */
#define EV_N_CHROMA    12
#define EV_DELTA_WIDTH 9 /* librosa delta width: 4 frames of look-ahead (40 ms) */
#define EV_DELTA_HALF  4

typedef struct ev_feature_config {
  int sample_rate; /* 16000 */
  int n_fft;       /* 512 */
  int win_length;  /* 400 */
  int hop_length;  /* 160 */
  int n_mels;      /* 64 */
  float fmin;      /* 0 */
  float fmax;      /* 8000 (<= sample_rate/2) */
  int n_mfcc;      /* 40 */
} ev_feature_config;

void ev_feature_config_default(ev_feature_config *cfg);
/* 0 if the configuration can be produced; else -1 and a reason in err. */
int ev_feature_config_check(const ev_feature_config *cfg, char *err, size_t errlen);

typedef enum ev_feature_id {
  EV_FEAT_POWER = 0, /* n_fft/2+1 */
  EV_FEAT_MEL,       /* n_mels */
  EV_FEAT_LOGMEL,    /* n_mels, dB, floor -100 */
  EV_FEAT_MFCC,      /* n_mfcc */
  EV_FEAT_MFCC_DELTA,
  EV_FEAT_MFCC_DELTA2,
  EV_FEAT_ZCR,       /* 1 */
  EV_FEAT_RMS,       /* 1 */
  EV_FEAT_CHROMA,    /* 12 */
  EV_FEAT_CENTROID,  /* 1, Hz */
  EV_FEAT_BANDWIDTH, /* 1, Hz */
  EV_FEAT_ROLLOFF,   /* 1, Hz */
  EV_FEAT_FLATNESS,  /* 1 */
  EV_FEAT_COUNT
} ev_feature_id;

const char *ev_feature_name(ev_feature_id id); /* the reference file names: "logmel", ... */
int ev_feature_from_name(const char *name);    /* -1 if unknown */
int ev_feature_dims(const ev_feature_config *cfg, ev_feature_id id);

/* One analysis frame. Frame t is the STFT frame over model-rate samples [hop*t, hop*t+n_fft)
 * (librosa center=False); ZCR and RMS use [hop*t, hop*t+win_length) as librosa does. */
typedef struct ev_frame {
  int64_t index;                    /* frame number since creation/reset */
  const float *feat[EV_FEAT_COUNT]; /* feat[id] has ev_feature_dims(cfg, id) values */
} ev_frame;

typedef void (*ev_frame_fn)(void *user, const ev_frame *frame);

typedef struct ev_extractor ev_extractor;

/* host_rate: 8000..192000 Hz; max_block: the largest block process() will be given
 * (larger blocks are split internally, never refused). NULL + err on failure. */
ev_extractor *ev_extractor_new(const ev_feature_config *cfg, double host_rate, uint32_t max_block,
                               char *err, size_t errlen);
void ev_extractor_free(ev_extractor *ex);
void ev_extractor_reset(ev_extractor *ex);
const ev_feature_config *ev_extractor_config(const ev_extractor *ex);

/* Feed host-rate mono audio. Calls on_frame for every completed frame, in order.
 * Non-finite samples are replaced by 0 and magnitudes clamped, so state is never poisoned.
 * Frame t is emitted once frame t+4 exists (delta look-ahead); deltas of frames 0..3 are
 * computed with the first frame replicated to the left. The work of each frame is spread
 * over the following hop at fixed positions of the resampled stream, so per-block cost is
 * bounded and the output does not depend on how the audio is cut into blocks. */
void ev_extractor_process(ev_extractor *ex, const float *in, uint32_t n, ev_frame_fn on_frame,
                          void *user);
/* End of stream (offline use): emits the frames still held back for the delta look-ahead,
 * with the last frame replicated to the right. */
void ev_extractor_flush(ev_extractor *ex, ev_frame_fn on_frame, void *user);
/* Delay in host samples between an input sample and the frame that ends with it being emitted. */
uint32_t ev_extractor_latency(const ev_extractor *ex);

#ifdef __cplusplus
}
#endif
#endif
