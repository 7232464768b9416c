/* Jitter (local) and shimmer (local, dB) per 10 ms frame, the eGeMAPS way (openSMILE 3.0's
 * cPitchJitter as eGeMAPSv02 configures it: searchRangeRel 0.1, minNumPeriods 2, minCC 0.5).
 * The periods are walked through the signal once, frame after frame: frame t reads from where
 * frame t-1's last complete period ended (hop * t - mis) and finds periods as long as two of the
 * longest searched fit before the read's end, each by the normalised cross-correlation of one
 * candidate period with the next over lags within +-10 % of the F0 period. So a frame holds
 * one to three periods, and the period differences continue across frames while voiced: that
 * is what makes openSMILE's per-frame jitter as spiky as it is. HNR, H1-H2, H1-A3 and the
 * formant amplitudes are ev_harmonics.h's. Internal to dsp/features; bounded work, no
 * allocation. */
#ifndef EV_VOICE_H
#define EV_VOICE_H

#include <stdint.h>

#include "ev_features.h"

#define EV_JIT_MAX_MIS 640 /* samples a frame may reach back (the extractor's ring holds them) */
#define EV_JIT_FRAME   960 /* the 60 ms pitch frame at 16 kHz: a frame reads at most this past */
#define EV_JIT_BUF     (EV_JIT_MAX_MIS + EV_JIT_FRAME)

/* A walk carried through a long voiced stretch never forgets: after a bad input block its
 * periods stay shifted against a clean run's until the next unvoiced frame, so no output taken
 * from one walk can agree with the clean run's within the extractor's recovery bound
 * (EV_RECOVERY_FRAMES) and still be openSMILE's walk. So each walk re-anchors its read position
 * at a frame's start every EV_JIT_PERIOD frames (the period length carries on), EV_JIT_WALKS
 * walks run side by side staggered over that period, and frame t's jitter and shimmer come
 * from the walk whose anchor is oldest (3-5 frames before with 2 walks over 6): every value is
 * measured mid-walk, as openSMILE's are, while it depends on nothing older than the period.
 * (One walk re-anchored every 4th frame, as before, read its anchor frames' values too: jitter
 * 0.64-1.36x of openSMILE's on the reference files.) 6 is the longest period that still
 * recovers within the bound at every host rate (features_bad_input). Six walks (values always
 * 5 frames from their anchor) agree with openSMILE no better on the reference files (jitter
 * worst 0.71x against 0.67x, shimmer 0.97-1.04x against 0.97-1.02x) for three times the cost
 * (docs/features.md "Jitter: the re-anchoring trade"). */
#define EV_JIT_PERIOD 6
#define EV_JIT_WALKS  2
_Static_assert(EV_JIT_PERIOD % EV_JIT_WALKS == 0, "the walks' anchors split the period evenly");
typedef struct ev_jitter {
  int phase;        /* this walk re-anchors at the frames t with t % EV_JIT_PERIOD == phase */
  int64_t next_t;   /* the frame expected next; another one restarts the walk */
  int mis;          /* samples between the last period's end and this frame's start */
  double last_t0;   /* the last accepted period (samples), 0 after an unvoiced frame */
  double last_f0;   /* the last frame's F0 (Hz), 0 when unvoiced */
  double last_jit;  /* the last frame's jitter and shimmer ratio, held where a voiced */
  double last_shim; /* frame finds no period, as openSMILE holds them */
  /* prefix sums of the frame's samples and their squares (the correlations' means and
   * energies in O(1) per lag): scratch, here rather than on the caller's stack */
  double ps[EV_JIT_BUF + 1], ps2[EV_JIT_BUF + 1];
} ev_jitter;

void ev_jitter_reset(ev_jitter *j);

/* The samples frame t reads: [*start, *start + *len), *len <= EV_JIT_BUF (none when f0 <= 0). */
void ev_jitter_span(ev_jitter *j, int64_t t, int hop, double sr, double f0, int64_t *start,
                    int *len);

/* Frame t (f0 in Hz, 0 when unvoiced; x: the span ev_jitter_span gave, just before): writes
 * jitter (ratio) and shimmer (dB) into vq, 0 when unvoiced, and advances the walk. */
void ev_jitter_frame(ev_jitter *j, int64_t t, int hop, double sr, double f0, const float *x,
                     int len, float vq[EV_VQ_DIMS]);
#endif
