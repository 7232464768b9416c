/* eGeMAPS v02 functionals: the 88 utterance statistics of openSMILE 3.0's eGeMAPSv02.conf
 * (Eyben et al. 2016), computed from the 25 eGeMAPS frame descriptors (LLDs), with
 * openSMILE's names and in the order of its func.csv. One implementation, two uses:
 *
 *   - whole file: ev_functionals_of_lld() over a sequence [T][25] (the trainer,
 *     `emovox-features --functionals egemaps`), or ev_functionals_of_file() from audio;
 *   - streaming: ev_functionals_new() with a sliding window of the last N seconds,
 *     ev_functionals_push() once per 10 ms frame and ev_functionals_compute() whenever the
 *     plugin wants the statistics. push() and compute() never allocate, lock or call the
 *     system; their cost is bounded by the window length (see docs/features.md).
 *
 * The whole-file function is the streaming object with a window as long as the file, so the
 * two agree by construction (tested against each other on windows that have slid).
 *
 * Input contract (one frame = one 10 ms hop):
 *   lld[25]  the eGeMAPS LLDs exactly as openSMILE's *.lld.csv columns, in that order
 *            (EV_LLD_* below), i.e. ALREADY SMOOTHED: `_sma3` = 3-frame moving average,
 *            `_sma3nz` = moving average over the non-zero frames only. (ev_egemaps_lld()
 *            smooths the spectral group but not the F0-level columns: for its frames use
 *            ev_functionals_push_unsmoothed() below, which does the rest.) A frame is voiced
 *            when F0 (lld[EV_LLD_F0]) > 0, as in openSMILE (F0 is 0 when unvoiced).
 *            F*amplitudeLogRelF0 is -201 on unvoiced frames (openSMILE's floor), the other
 *            voice descriptors are 0 there.
 *   energy   mean of the squared samples of the frame's 25 ms (full scale = 1.0), i.e. the
 *            square of librosa's RMS at win 400 / hop 160 at 16 kHz; only used for
 *            equivalentSoundLevel_dBp (openSMILE's cEnergy energy2 + amean + dBp).
 *
 * What differs from openSMILE, and why (sizes measured in tests/dsp/test_functionals.c):
 *   openSMILE re-smooths the spectral descriptors separately over the voiced frames (the
 *   `V` statistics) and over the unvoiced frames (`UV`), and the formant frequencies and
 *   bandwidths over voiced frames only; from already smoothed LLDs we use the smoothed values
 *   of the voiced (unvoiced) frames. The two are identical except on frames next to a
 *   voicing change. */
#ifndef EV_FUNCTIONALS_H
#define EV_FUNCTIONALS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef EV_EGEMAPS_N_LLD
#define EV_EGEMAPS_N_LLD 25
#endif
#define EV_FUNC_N       88
#define EV_FUNC_FRAME_S 0.01 /* one LLD frame per 10 ms, as openSMILE and our extractor */

/* LLD columns (openSMILE lld.csv order). */
enum {
  EV_LLD_LOUDNESS = 0,
  EV_LLD_ALPHA_RATIO,
  EV_LLD_HAMMARBERG,
  EV_LLD_SLOPE_0_500,
  EV_LLD_SLOPE_500_1500,
  EV_LLD_FLUX,
  EV_LLD_MFCC1,
  EV_LLD_MFCC2,
  EV_LLD_MFCC3,
  EV_LLD_MFCC4,
  EV_LLD_F0, /* semitones from 27.5 Hz, 0 when unvoiced */
  EV_LLD_JITTER,
  EV_LLD_SHIMMER,
  EV_LLD_HNR,
  EV_LLD_H1_H2,
  EV_LLD_H1_A3,
  EV_LLD_F1_FREQ,
  EV_LLD_F1_BW,
  EV_LLD_F1_AMP,
  EV_LLD_F2_FREQ,
  EV_LLD_F2_BW,
  EV_LLD_F2_AMP,
  EV_LLD_F3_FREQ,
  EV_LLD_F3_BW,
  EV_LLD_F3_AMP
};

/* openSMILE's name of statistic i (0..87), e.g. "F0semitoneFrom27.5Hz_sma3nz_amean";
 * NULL out of range. */
const char *ev_functionals_name(int i);
/* Index of a name, -1 if unknown. */
int ev_functionals_index(const char *name);

/* Whole file: statistics of frames lld[T][25] (row-major) with energy[T] (may be NULL: then
 * equivalentSoundLevel_dBp is NAN). T may be 0 (every statistic 0, as openSMILE gives for an
 * empty input). Allocates temporarily; returns 0, or -1 if out of memory. */
int ev_functionals_of_lld(const float *lld, const float *energy, size_t T, float out[EV_FUNC_N]);

/* Streaming over the last window_s seconds (0.1 .. 600 s; the window holds
 * round(window_s / 0.01) frames). NULL + reason in err on bad arguments or no memory. */
typedef struct ev_functionals ev_functionals;
ev_functionals *ev_functionals_new(double window_s, char *err, size_t errlen);
void ev_functionals_free(ev_functionals *f);
/* Forget every frame (O(window), realtime-safe). */
void ev_functionals_reset(ev_functionals *f);
/* Append one frame; the oldest leaves once the window is full. Realtime-safe. Non-finite
 * inputs are replaced by 0 so they cannot poison the running sums. */
void ev_functionals_push(ev_functionals *f, const float lld[EV_EGEMAPS_N_LLD], float energy);
/* Frames currently in the window (0 .. capacity). */
size_t ev_functionals_frames(const ev_functionals *f);
size_t ev_functionals_capacity(const ev_functionals *f);
/* The 88 statistics of the frames in the window, bit-identical to ev_functionals_of_lld() over
 * the same frames (the sums are taken afresh in window order; O(window) per call). Realtime-safe;
 * uses the object's preallocated scratch, so not concurrently with push() on the same object. */
void ev_functionals_compute(ev_functionals *f, float out[EV_FUNC_N]);
/* Announces that the next compute() comes after exactly `ahead` more pushes (the plugin computes
 * every EV_FUNC_EVERY frames): the pushes in between then do compute()'s walk over the window
 * ahead of it, each an equal share, so that compute() only finishes. The cost per push is
 * O(window / ahead), with no periodic O(window) spike, and the result is the same bits. A
 * compute() at another moment, or none, simply walks the whole window (the schedule lapses);
 * reset() cancels it. Realtime-safe. */
void ev_functionals_schedule(ev_functionals *f, unsigned ahead);

/* Frames whose F0-level columns (F0 .. F3amplitude, EV_LLD_F0..EV_LLD_F3_AMP) are per-frame
 * measurements, not yet smoothed, as ev_egemaps_lld() delivers them today (its spectral group
 * is already _sma3): these build openSMILE's functional input from them (0 on unvoiced frames,
 * formant amplitudes -201 there, then _sma3nz = mean of the non-zero values of frames t-1, t,
 * t+1) and push it. Costs one frame of delay: frame t enters the window when frame t+1 is
 * pushed; flush_unsmoothed() pushes the last one (end of input). Realtime-safe. Use these,
 * not push(), for ev_egemaps_lld() frames; if the provider ever smooths those columns itself,
 * switch back to push(). */
void ev_functionals_push_unsmoothed(ev_functionals *f, const float lld[EV_EGEMAPS_N_LLD],
                                    float energy);
void ev_functionals_flush_unsmoothed(ev_functionals *f);
/* The plugin's one call per extractor frame: ev_egemaps_lld(frame) and the frame energy
 * (rms^2, so the extractor must compute EV_FEAT_RMS as well as EV_FEATURE_MASK_EGEMAPS)
 * through push_unsmoothed(). Realtime-safe. */
struct ev_frame;
void ev_functionals_push_frame(ev_functionals *f, const struct ev_frame *frame);
/* Whole-file counterpart: smoothing as above, then ev_functionals_of_lld(). */
int ev_functionals_of_unsmoothed(const float *lld, const float *energy, size_t T,
                                 float out[EV_FUNC_N]);

/* For the trainer and the CLI: the 88 statistics of mono audio x[n] at any rate (8..192 kHz),
 * through the real streaming extractor (resampled to 16 kHz) and ev_egemaps_lld(). Returns 0,
 * or -1 with a reason in err. */
int ev_functionals_of_file(const float *x, size_t n, double rate, float out[EV_FUNC_N], char *err,
                           size_t errlen);
/* The same fed block by block, for files that should not be held in memory: new() at the
 * file's rate (NULL + err if refused), feed() any number of samples at a time (the result does
 * not depend on how the audio is cut), end() the 88 statistics (0, or -1 + err if out of
 * memory). Memory: not the audio, but the frame descriptors (26 floats per 10 ms), and in end()
 * about as much again for the whole-file ev_functionals over them (exact percentiles need every
 * frame): it grows with the file, about 1.3 MB per minute of audio at its peak. Offline only. */
typedef struct ev_functionals_stream ev_functionals_stream;
ev_functionals_stream *ev_functionals_stream_new(double rate, char *err, size_t errlen);
void ev_functionals_stream_feed(ev_functionals_stream *s, const float *x, size_t n);
int ev_functionals_stream_end(ev_functionals_stream *s, float out[EV_FUNC_N], char *err,
                              size_t errlen);
void ev_functionals_stream_free(ev_functionals_stream *s);

/* Level: a recording's gain (a fader, a microphone, a corpus's level) of G dB moves 19 of the
 * 88 statistics, so a model that reads them as they are reads the fader along with the voice
 * (6 dB turned 25 % of the shipped 0.13 model's readings on RAVDESS). ev_func_level_apply
 * rewrites them so that G cancels, from the window's own level, and leaves the other 69:
 *  - loudness (a power law of the band powers): percentiles, range and slope statistics divided
 *    by the mean loudness; the mean becomes 0;
 *  - spectral flux (proportional to the amplitude): the three means divided by 10^(L / 20), L =
 *    equivalentSoundLevel_dBp;
 *  - the four spectral slope means: openSMILE's regression adds -G times a band constant
 *    (ev_eg_slope_gain_coef), so the constant times L is added back; the two voiced slopes'
 *    coefficients of variation become their standard deviations (which G does not move);
 *  - equivalentSoundLevel_dBp becomes 0.
 * A reference that is not finite (or a loudness of 0) zeroes what it scales. Models ask for it
 * with "level": "relative" in their normalisation (ev_input.h). Realtime-safe. */
#define EV_FUNC_LEVEL_SCALED 8
#define EV_FUNC_LEVEL_FLUX   3
#define EV_FUNC_LEVEL_SLOPES 4
typedef struct ev_func_level {
  int loudness, level;
  int scaled[EV_FUNC_LEVEL_SCALED], flux[EV_FUNC_LEVEL_FLUX];
  int slope[EV_FUNC_LEVEL_SLOPES], slope_cv[EV_FUNC_LEVEL_SLOPES];
  float slope_coef[EV_FUNC_LEVEL_SLOPES];
} ev_func_level;
/* sample_rate: the descriptors' (16000). 0, or -1 if a statistic's name is unknown. */
int ev_func_level_init(ev_func_level *l, int sample_rate);
void ev_func_level_apply(const ev_func_level *l, float f[EV_FUNC_N]);
/* What a gain of gain_db does to the same 19 statistics, from their definitions (the trainer's
 * gain augmentation, `--gain-jitter`): the loudness ones times 10^(0.033 gain_db), the flux
 * times 10^(gain_db / 20), the slope means minus the band constant times gain_db (their
 * coefficients of variation follow), equivalentSoundLevel_dBp plus gain_db. Which frames pass
 * the voicing gate is not modelled. */
void ev_func_level_gain(const ev_func_level *l, float f[EV_FUNC_N], float gain_db);

#ifdef __cplusplus
}
#endif
#endif
