/* openSMILE's Viterbi pitch smoothing (cPitchSmootherViterbi with eGeMAPS' weights) over SHS
 * candidates (ev_shs.h), decided with a fixed lag of one frame (the extractor's look-ahead has
 * room for one, see ev_prosody.c) over a window of the last EV_PVIT_WIN frames, so that a
 * frame's decision depends on those frames only (bounded work, and a bad input block is
 * forgotten after the window like everywhere else). Internal to dsp/features; no allocation. */
#ifndef EV_PITCH_VITERBI_H
#define EV_PITCH_VITERBI_H

#include "ev_shs.h"

#define EV_PVIT_STATES (EV_SHS_NCAND + 1) /* the candidate slots, then unvoiced */
#define EV_PVIT_WIN    4 /* frames the decision looks back over, the lag's frame included */

typedef struct ev_pvit {
  int64_t n; /* frames pushed */
  /* per frame of the window (ring, index n & (EV_PVIT_WIN - 1)): each state's F0 (Hz, 0 for
   * an empty slot and unvoiced), ln F0, SHS voicing and local cost */
  double f0[EV_PVIT_WIN][EV_PVIT_STATES], lf0[EV_PVIT_WIN][EV_PVIT_STATES];
  double pv[EV_PVIT_WIN][EV_PVIT_STATES], local[EV_PVIT_WIN][EV_PVIT_STATES];
} ev_pvit;

void ev_pvit_reset(ev_pvit *v);
/* the next frame's candidates (r NULL: none, e.g. a frame under eGeMAPS' F0 gate) */
void ev_pvit_push(ev_pvit *v, const ev_shs_result *r);
/* The state of the frame before the last pushed one on the best path over the window to the
 * last (needs 2 frames), or with `last` the last pushed frame's best state. F0 in Hz (0
 * unvoiced) and the state's SHS voicing (the best candidate's when unvoiced). */
void ev_pvit_decide(const ev_pvit *v, int last, double *f0, double *pv);
#endif
