/* Pitch and voicing per 10 ms frame with aubio's YIN ("yin", the time-domain difference function,
 * computed by ev_yin.c to aubio's bits, a vectorised copy; aubio's FFT-based "yinfast" gives
 * slightly different values and FFTW allocates inside its execute) on the signal low-passed at
 * 1 kHz and decimated to 8 kHz. Internal to dsp/features; see docs/features.md for the choice
 * and the measurements. */
#ifndef EV_PITCH_H
#define EV_PITCH_H

#include <stdint.h>

#define EV_PITCH_DEC     2   /* 16 kHz -> 8 kHz (4 kHz: cheaper, but an octave jump on the glide) */
#define EV_PITCH_TAPS    31  /* low-pass FIR (Hamming-windowed sinc, 1 kHz) */
#define EV_PITCH_WIN     320 /* YIN window at 8 kHz (40 ms; periods up to 20 ms = 50 Hz) */
#define EV_PITCH_WIN_OFF 290 /* window of frame t starts at 16 kHz sample 160 t + 290 */
#define EV_PITCH_DRING   1024
/* octave guard (ev_pitch.c): reference = median of the last EV_PITCH_HIST voiced frames */
#define EV_PITCH_HIST      31
#define EV_PITCH_GUARD_ST  9.0  /* semitones from the reference that trigger the guard */
#define EV_PITCH_GUARD_TOL 3.0  /* a corrected pick must land this close to the reference */
#define EV_PITCH_GUARD_FAR 18.0 /* farther than this after correction: unvoiced */
#define EV_PITCH_GUARD_GAP 100  /* frames (1 s) after the last voiced one the reference holds */
#define EV_PITCH_MIN_HZ    55.0 /* openSMILE eGeMAPS' SHS range */
#define EV_PITCH_MAX_HZ    1000.0
#define EV_PITCH_SILENCE                                                                           \
  1e-3 /* window RMS below this: unvoiced without running YIN (openSMILE                           \
          zeroes F0 below the same 60 ms RMS) */

typedef struct ev_pitch ev_pitch;

/* sr: the model rate (the decimated rate is sr / EV_PITCH_DEC). Allocates (one block, no
 * plans). NULL on failure. */
ev_pitch *ev_pitch_new(int sr);
void ev_pitch_free(ev_pitch *p);
void ev_pitch_reset(ev_pitch *p);
/* Decimate every model-rate sample below `avail` (read(src, i0, n, dst) copies samples
 * [i0, i0 + n) of the stream, 0 where it holds none, i0 + n <= avail; samples at or after
 * `avail` are taken as 0 when `final`). */
typedef void (*ev_read_fn)(const void *src, int64_t i0, int n, float *dst);
void ev_pitch_feed(ev_pitch *p, const void *src, ev_read_fn read, int64_t avail, int final);
/* Highest 16 kHz sample index (exclusive) the window of frame t reads. */
int64_t ev_pitch_window_end(const ev_pitch *p, int64_t t, int hop);
/* F0 (Hz, 0 unvoiced) and voicing probability of frame t (its window must be decimated). */
void ev_pitch_frame(ev_pitch *p, int64_t t, int hop, double *f0_hz, double *voicing);
#endif
