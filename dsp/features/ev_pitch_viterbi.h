/* openSMILE's Viterbi pitch smoothing (cPitchSmootherViterbi with eGeMAPS' weights) over SHS
 * candidates (ev_shs.h), decided with a fixed lag of EV_PVIT_LAG frames (the extractor's
 * look-ahead has room for them, see ev_prosody.c) over a window of the last EV_PVIT_WIN frames, so
 * that a frame's decision depends on those frames only (bounded work, and a bad input block is
 * forgotten after the window like everywhere else). Internal to dsp/features; no allocation. */
#ifndef EV_PITCH_VITERBI_H
#define EV_PITCH_VITERBI_H

#include "ev_shs.h"

#define EV_PVIT_STATES (EV_SHS_NCAND + 1) /* the candidate slots, then unvoiced */
#define EV_PVIT_WIN    8 /* frames the decision looks back over, the lag's frames included */
/* Frames of look-ahead a decision waits for. Measured on the reference utterances (F0 within
 * 1 st of openSMILE's 40-frame trellis on the worst file, ours smoothed as its output is): 1
 * frame 0.893, 2 frames 0.930 (0.925 over a 4-frame window), 3 frames 0.947, 4 frames 0.965,
 * the first to improve every file, unsmoothed too: docs/features.md */
#define EV_PVIT_LAG 4

typedef struct ev_pvit {
  int64_t n; /* frames pushed */
  /* per frame of the window (ring, index n & (EV_PVIT_WIN - 1)): each state's F0 (Hz, 0 for
   * an empty slot and unvoiced), ln F0, SHS voicing and local cost */
  double f0[EV_PVIT_WIN][EV_PVIT_STATES], lf0[EV_PVIT_WIN][EV_PVIT_STATES];
  double pv[EV_PVIT_WIN][EV_PVIT_STATES], local[EV_PVIT_WIN][EV_PVIT_STATES];
  /* the cost of the step from voiced state j of the frame before into voiced state i of this
   * one (they depend on the two frames alone): computed once at the push, read by every
   * decision whose window holds the step */
  double step[EV_PVIT_WIN][EV_PVIT_STATES - 1][EV_PVIT_STATES - 1];
} ev_pvit;

void ev_pvit_reset(ev_pvit *v);
/* the next frame's candidates (r NULL: none, e.g. a frame under eGeMAPS' F0 gate) */
void ev_pvit_push(ev_pvit *v, const ev_shs_result *r);
/* The state of the frame `lag` frames before the last pushed one (0: the last) on the best path
 * over the window to the last pushed frame (the window's first frame if lag reaches past it).
 * F0 in Hz (0 unvoiced) and the state's SHS voicing (the best candidate's when unvoiced). */
void ev_pvit_decide(const ev_pvit *v, int lag, double *f0, double *pv);
#endif
