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
  /* egemaps_func: the eGeMAPS functionals are taken over the last func_window_s seconds of
   * frames (0.1..60; 0 or default: EV_FUNC_WINDOW_DEFAULT_S). */
  float func_window_s;
} ev_feature_config;
#define EV_FUNC_WINDOW_DEFAULT_S 4.0f

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
  /* Prosody and voice quality (issue 12; openSMILE eGeMAPS v02 descriptors, see
   * docs/features.md). Groups: every single value is addressable by name, see
   * ev_descriptor_from_name(). Not in librosa; 0 where openSMILE writes 0 (unvoiced). */
  EV_FEAT_PITCH,            /* 3: f0 (semitones from 27.5 Hz), f0_hz, voicing (0..1) */
  EV_FEAT_VOICE_QUALITY,    /* 5: jitter (ratio), shimmer (dB), hnr, h1_h2, h1_a3 (dB) */
  EV_FEAT_FORMANTS,         /* 9: f1, f1_bw, f1_amp, f2, f2_bw, f2_amp, f3, f3_bw, f3_amp */
  EV_FEAT_LOUDNESS,         /* 1: openSMILE's auditory loudness */
  EV_FEAT_SPECTRAL_BALANCE, /* 5: alpha_ratio, hammarberg, slope_0_500, slope_500_1500, flux */
  EV_FEAT_MFCC_EGEMAPS,     /* 4: openSMILE-style mfcc1-4 (eGeMAPS) */
  /* 88: the eGeMAPS functionals (ev_functionals.h, openSMILE's func.csv order) of the frames of
   * the last func_window_s seconds (since reset while fewer), recomputed on every
   * EV_FUNC_EVERY-th frame (index % EV_FUNC_EVERY == 0) and held in between: a model reads
   * utterance statistics as the plugin can have them (the walk over the window is spread over
   * the frames before each update: a few microseconds per frame, no spike every 100 ms). */
  EV_FEAT_EGEMAPS_FUNC,
  /* EV_MFCC_FUNC_COEFS: the standard deviation of MFCC 1..19 (the `mfcc` feature without c0,
   * the level) over the same window as egemaps_func, restarted with it and updated on the same
   * frames: how the spectral shape moves, which eGeMAPS follows only to MFCC 4. Not the means: a
   * recording channel adds a constant to every cepstral coefficient, so the means tell the
   * microphone and room as much as the voice, the deviations do not (docs/features.md). */
  EV_FEAT_MFCC_FUNC,
  /* The same count: the standard deviation of how MFCC 1..19 change over 20 ms (c[t] - c[t-2]),
   * over the same window and frames: the articulation's pace and sharpness. A difference of
   * cepstra cancels a recording channel exactly, as the deviations above do. */
  EV_FEAT_MFCC_DELTA_FUNC,
  /* n_mels / 2 (rounded up): the standard deviation of the log-mel bands taken in pairs (the
   * mean of bands 2j and 2j+1 in dB) over the same window and frames: how much each region of
   * the spectrum moves, which the cepstral deviations mix across the whole band; a channel's
   * fixed response adds a constant per band, which a deviation does not see. */
  EV_FEAT_LOGMEL_FUNC,
  EV_FEAT_COUNT
} ev_feature_id;

/* Columns of the groups above. */
enum { EV_PITCH_F0 = 0, EV_PITCH_F0_HZ, EV_PITCH_VOICING, EV_PITCH_DIMS };
enum { EV_VQ_JITTER = 0, EV_VQ_SHIMMER, EV_VQ_HNR, EV_VQ_H1_H2, EV_VQ_H1_A3, EV_VQ_DIMS };
enum {
  EV_FMT_F1 = 0, /* then bandwidth, amplitude; F2 at 3, F3 at 6 */
  EV_FMT_DIMS = 9
};
enum {
  EV_SB_ALPHA_RATIO = 0,
  EV_SB_HAMMARBERG,
  EV_SB_SLOPE_0_500,
  EV_SB_SLOPE_500_1500,
  EV_SB_FLUX,
  EV_SB_DIMS
};
#define EV_MFCC_EGEMAPS_DIMS 4
#define EV_EGEMAPS_FUNC_DIMS 88
/* mfcc_func: MFCC 1..EV_MFCC_FUNC_COEFS, or 1..n_mfcc-1 when n_mfcc is smaller */
#define EV_MFCC_FUNC_COEFS 19
#define EV_FUNC_EVERY      10

const char *ev_feature_name(ev_feature_id id); /* the reference file names: "logmel", ... */
int ev_feature_from_name(const char *name);    /* -1 if unknown */
int ev_feature_dims(const ev_feature_config *cfg, ev_feature_id id);
/* 1 for the features taken over the func_window_s window (egemaps_func, mfcc_func,
 * mfcc_delta_func, logmel_func). */
int ev_feature_windowed(int id);
/* How many MFCCs (from c1) mfcc_func takes statistics of: min(EV_MFCC_FUNC_COEFS, n_mfcc - 1). */
int ev_mfcc_func_coefs(const ev_feature_config *cfg);
/* How many band pairs logmel_func reads: (n_mels + 1) / 2 (an odd last band stands alone). */
int ev_logmel_func_bands(const ev_feature_config *cfg);
/* One descriptor by its name in ../shared/reference/opensmile/README.md (`f0`, `f0_hz`,
 * `voicing`, `loudness`, `jitter`, `shimmer`, `hnr`, `h1_h2`, `h1_a3`, `f1`, `f1_bw`,
 * `f1_amp`, ... `f3_amp`, `alpha_ratio`, `hammarberg`, `slope_0_500`, `slope_500_1500`,
 * `flux`, `mfcc1_egemaps`..`mfcc4_egemaps`): sets its feature group and column. 0, or -1 if
 * unknown. ev_descriptor_name(i) enumerates them (NULL past the end). */
int ev_descriptor_from_name(const char *name, int *feature_id, int *column);
const char *ev_descriptor_name(int i);

/* One analysis frame. Frame t is the STFT frame over model-rate samples [hop*t, hop*t+n_fft)
 * (librosa center=False); ZCR and RMS use [hop*t, hop*t+win_length) as librosa does. */
typedef struct ev_frame {
  int64_t index;                    /* frame number since creation/reset */
  const float *feat[EV_FEAT_COUNT]; /* feat[id] has ev_feature_dims(cfg, id) values */
} ev_frame;

typedef void (*ev_frame_fn)(void *user, const ev_frame *frame);

/* The 25 eGeMAPS v02 frame descriptors in the column order of openSMILE's *.lld.csv:
 * Loudness, alphaRatio, hammarbergIndex, slope0-500, slope500-1500, spectralFlux, mfcc1-4,
 * F0semitoneFrom27.5Hz, jitterLocal, shimmerLocaldB, HNRdBACF, logRelF0-H1-H2,
 * logRelF0-H1-A3, F1 frequency/bandwidth/amplitude, F2 ..., F3 ... . The frame must carry
 * EV_FEAT_LOUDNESS, _SPECTRAL_BALANCE, _MFCC_EGEMAPS, _PITCH, _VOICE_QUALITY and _FORMANTS
 * (EV_FEATURE_MASK_EGEMAPS); a group that is missing gives 0 in its columns. */
#define EV_EGEMAPS_N_LLD 25
void ev_egemaps_lld(const ev_frame *f, float out[EV_EGEMAPS_N_LLD]);

typedef struct ev_extractor ev_extractor;

/* host_rate: 8000..192000 Hz; max_block: the largest block process() will be given
 * (larger blocks are split internally, never refused). NULL + err on failure. */
ev_extractor *ev_extractor_new(const ev_feature_config *cfg, double host_rate, uint32_t max_block,
                               char *err, size_t errlen);
/* The same for offline use (ev_extract_buffer, emovox-features): the resampler works in
 * larger blocks (ev_resample_new_offline: ~30 % less of its work, more latency); the frames
 * differ from ev_extractor_new()'s by float rounding at 8-192 kHz, not at 16 kHz. */
ev_extractor *ev_extractor_new_offline(const ev_feature_config *cfg, double host_rate,
                                       uint32_t max_block, char *err, size_t errlen);
void ev_extractor_free(ev_extractor *ex);
void ev_extractor_reset(ev_extractor *ex);
/* Offline only (the resampler is made anew: allocation, never on the audio thread): exactly the
 * state of a new extractor with the same settings, so the frames after it are bit for bit a
 * fresh extractor's at every host rate (after ev_extractor_reset only at 16 kHz, elsewhere to
 * float rounding: ev_resample_reset_exact). 0, or -1 out of memory (then reset as
 * ev_extractor_reset does). */
int ev_extractor_reset_exact(ev_extractor *ex);
const ev_feature_config *ev_extractor_config(const ev_extractor *ex);

/* Feed host-rate mono audio. Calls on_frame for every completed frame, in order.
 * Non-finite samples are replaced by 0 and magnitudes clamped, so state is never poisoned.
 * Frame t is emitted once frame t+5 exists (the deltas' look-ahead of 4 frames and the eGeMAPS
 * pitch's of 2, whose 60 ms frames end a frame later); deltas of frames 0..3 are
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

/* ---- Additions (feature helper) ---------------------------------------------------------- */

/* Resampling: libsoxr HQ through ev_resample.h from round(host_rate) to cfg->sample_rate,
 * bypassed when they are equal; it is always fed fixed chunks of 64 host samples and releases
 * its output at a steady rate after a fixed delay (both part of the latency), so the work per
 * call and every buffer are bounded and the output does not depend on the host's blocks. flush()
 * drains it with zeros up to ceil(N * sr / host_rate) model-rate samples. After flush(), call
 * reset() before feeding a new stream. */

/* Input sanitising: samples that are NaN/Inf become 0, magnitudes are clamped to
 * EV_SAMPLE_CLAMP (so a full-scale or absurd block cannot overflow the float power spectrum),
 * and |x| < EV_SAMPLE_FLUSH becomes 0 (denormal guard; the resampler and FFT also run with
 * flush-to-zero + denormals-are-zero enabled during process() and flush() on x86, restored on
 * return, so on_frame and tick callbacks run with FTZ/DAZ set too). A non-finite block
 * therefore acts as a block of zeros: the frames whose samples (plus the resampler's reach
 * and the 4-frame delta context) overlap it differ from a clean run. Recovery is bounded: if
 * t0 is the first frame starting (model-rate sample hop*t0) after the bad block's last sample,
 * every frame from t0 + EV_RECOVERY_FRAMES on is bit-identical to a clean run (tested at
 * 8, 16, 44.1, 48 and 192 kHz; 90 ms at the default hop: 6 frames suffice from 16 kHz up, the
 * resampler's filter at 8 kHz input reaches 3 frames further). */
#define EV_SAMPLE_CLAMP    1.0e4f
#define EV_SAMPLE_FLUSH    1.0e-30f
#define EV_RECOVERY_FRAMES 9

/* Consumer work spreading. After each on_frame call the extractor calls tick(user, i) for
 * i = 0..ticks_per_hop-1, each at a fixed position of the resampled stream in the following
 * hop, between the extractor's own stages (so the analyser can step one classifier layer per
 * tick with flat per-block cost): the last at (2n - 1) / (2n) of the hop after the emission
 * (n = ticks_per_hop), the others, when n <= EV_EXTRACTOR_STAGES, at the midpoints between
 * stages, (2(i + s) + 1) / (2 EV_EXTRACTOR_STAGES) of the hop, leaving the first
 * s = min(2, EV_EXTRACTOR_STAGES - n) free (they lie next to the dearest stages), and for
 * larger n at the midpoints of n equal parts. Exactly ticks_per_hop ticks happen
 * between two consecutive on_frame calls; flush() completes the ticks of every frame it emits.
 * ticks_per_hop: 0 (off) .. hop_length. Realtime-safe (may be called from the audio thread). */
typedef void (*ev_tick_fn)(void *user, int tick);
void ev_extractor_set_ticks(ev_extractor *ex, int ticks_per_hop, ev_tick_fn tick, void *user);

/* Stages the extractor splits one frame's work into (run during the hop after the frame). */
#define EV_EXTRACTOR_STAGES 8

/* Feature selection (addition, perf helper). By default an extractor computes every feature.
 * ev_extractor_set_features() restricts the work to the features in mask (bit 1u << id, see
 * EV_FEATURE_BIT) plus what they need internally (mfcc needs logmel, the deltas need the mfcc
 * history, every spectral feature needs the FFT; none of those extra features is exposed).
 * Frames then carry feat[id] == NULL for every feature not in mask. The selected features are
 * bit-identical to the ones of an extractor computing everything, and the stage and tick
 * schedule is unchanged (only the skipped work disappears). Call it before the first
 * process() or right after reset(): history of features that were off is not valid. O(1),
 * no allocation. ev_extractor_features() returns the current mask. */
#define EV_FEATURE_BIT(id)  (1u << (unsigned)(id))
#define EV_FEATURE_MASK_ALL ((1u << EV_FEAT_COUNT) - 1u)
/* What ev_egemaps_lld() needs. */
#define EV_FEATURE_MASK_EGEMAPS                                                                    \
  (EV_FEATURE_BIT(EV_FEAT_PITCH) | EV_FEATURE_BIT(EV_FEAT_VOICE_QUALITY) |                         \
   EV_FEATURE_BIT(EV_FEAT_FORMANTS) | EV_FEATURE_BIT(EV_FEAT_LOUDNESS) |                           \
   EV_FEATURE_BIT(EV_FEAT_SPECTRAL_BALANCE) | EV_FEATURE_BIT(EV_FEAT_MFCC_EGEMAPS))
void ev_extractor_set_features(ev_extractor *ex, uint32_t mask);
/* Spectral flatness over the bins from 0 to max_hz only (<= 0: every bin, librosa's
 * definition and the default). The speech gate uses the model's mel range, so that a host
 * rate's resampler, which shapes the band above ~7.4 kHz, cannot change what counts as
 * speech. Not on the processing path (no allocation, but call it between blocks). */
void ev_extractor_set_flatness_band(ev_extractor *ex, double max_hz);
/* A one-pole DC-blocking high-pass (dsp/kernels/ev_dc_block.h) on the model-rate stream, after
 * the resampler and before framing; cutoff_hz <= 0 (the default) turns it off, bit for bit. At
 * the model rate whatever the host rate: a third of the work of filtering at 48 kHz, and the
 * same filter for every host rate. Resets with the extractor. Not on the processing path. */
void ev_extractor_set_dc_block(ev_extractor *ex, double cutoff_hz);
/* egemaps_func and mfcc_func: forget the frames in the functionals' window, so that the next frames
 * start a new utterance (the analyser calls it after a pause). O(window), no allocation:
 * realtime-safe. The vector frames carry is recomputed at the next update. */
void ev_extractor_restart_functionals(ev_extractor *ex);
uint32_t ev_extractor_features(const ev_extractor *ex);

/* Offline whole-signal extraction through the same streaming extractor (+ flush), with
 * librosa's frame counts and edges: STFT features have T = 1 + floor((N16 - n_fft)/hop)
 * frames, ZCR/RMS Tz = 1 + floor((N16 - win_length)/hop), deltas use librosa's edge rule
 * (first 4 frames = d[4], last 4 = d[T-5]; no deltas when T < 9). N16 is the length after
 * resampling to cfg->sample_rate: N when rates are equal, else ceil(N * sr / rate).
 * On success out[id] is a malloc'd row-major [frames[id], dims] array (NULL, 0 frames if not
 * available; want[id] == 0 skips a feature, and its work, want == NULL means all); free with
 * free().
 * Returns 0, or -1 with a reason in err. */
int ev_extract_buffer(const ev_feature_config *cfg, double rate, const float *x, size_t n,
                      const int *want, float *out[EV_FEAT_COUNT], size_t frames[EV_FEAT_COUNT],
                      char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
