/* Fixed-lag Viterbi over SHS candidates (see ev_pitch_viterbi.h). The costs are those of
 * openSMILE's cSmileViterbiPitchSmooth with eGeMAPS' weights (wLocal 2, wTvv 10, wTvvd 10 --
 * its setWeights() passes wTvv for both --, wTvuv 10, wThr 4, wRange 1), including two
 * behaviours of that code that shape its output: an unvoiced-to-unvoiced step costs 1 (its
 * test `i == j == n - 1` is never true, so the step falls through to the fallback cost), and
 * the slope term compares each voiced step with the step evaluated just before it (one
 * variable, set to 0 by every voiced/unvoiced evaluation), not with the path's own previous
 * step. Reproducing them is what makes its choices ours (measured: docs/features.md). Over the
 * reference utterances, deciding with four frames of look-ahead, a window of 8 frames decides as
 * one of 16 does (with one frame of look-ahead a window of 4 did as the unbounded trellis; 2 not;
 * with two frames of look-ahead 4 was too short). */
#include "ev_pitch_viterbi.h"

#include <math.h>
#include <string.h>

#define W_LOCAL 2.0
#define W_TVV   10.0
#define W_TVVD  10.0
#define W_TVUV  10.0
#define W_THR   4.0
#define W_RANGE 1.0
#define UV      (EV_PVIT_STATES - 1)
#define RING(i) ((int)((i) & (EV_PVIT_WIN - 1)))

#if (EV_PVIT_WIN & (EV_PVIT_WIN - 1)) != 0
#error "EV_PVIT_WIN must be a power of two"
#endif

/* openSMILE's built-in preference for 100-350 Hz */
static double fweight(double f) {
  if (f > 0.0 && f < 100.0)
    return 1.0 - f / 100.0;
  if (f >= 100.0 && f < 350.0)
    return 0.0;
  if (f >= 350.0 && f < 600.0)
    return (f - 350.0) / 250.0;
  if (f >= 600.0)
    return 1.2;
  return 2.0; /* an empty candidate slot */
}

void ev_pvit_reset(ev_pvit *v) {
  memset(v, 0, sizeof *v);
}

void ev_pvit_push(ev_pvit *v, const ev_shs_result *r) {
  const int s = RING(v->n);
  int any_voiced = 0;
  for (int k = 0; k < UV; k++) {
    const int have = r && k < r->n;
    const double f = have ? r->f0[k] : 0.0, p = have ? r->voicing[k] : 0.0;
    v->f0[s][k] = f;
    v->lf0[s][k] = f > 0.0 ? log(f) : 0.0;
    v->pv[s][k] = p;
    any_voiced |= p >= EV_SHS_VOICING_CUTOFF;
    const double pc = p < 0.01 ? 0.01 : p > 1.0 ? 1.0 : p;
    v->local[s][k] =
        (-log(pc) + (pc < EV_SHS_VOICING_CUTOFF ? W_THR : 0.0)) * W_LOCAL + fweight(f) * W_RANGE;
  }
  v->f0[s][UV] = v->lf0[s][UV] = 0.0;
  v->pv[s][UV] = r && r->n > 0 ? r->voicing[0] : 0.0;
  /* unvoiced costs the threshold's bias where a candidate passes the cutoff */
  v->local[s][UV] = any_voiced ? W_LOCAL * W_THR : 0.0;
  /* openSMILE's slope term reads one variable, last_change, across every evaluation in order:
   * a voiced-to-voiced step sets it to its log step, a voiced/unvoiced one to 0. Every row of
   * a voiced state ends with the step from the unvoiced state and every evaluation of the
   * unvoiced row is voiced/unvoiced or unvoiced/unvoiced, so each row starts from 0 and only a
   * voiced row's own voiced steps chain it: each row below keeps it, with the same costs in
   * the same order (bit for bit the evaluation of every (i, j) in turn). An empty slot on
   * either side costs 999. */
  const int sp = RING(v->n - 1);
  for (int i = 0; i < UV; i++) {
    double last_change = 0.0;
    for (int j = 0; j < UV; j++) {
      double tc = 999.0;
      if (v->n > 0 && v->f0[s][i] != 0.0 && v->f0[sp][j] != 0.0) {
        const double rr = v->lf0[s][i] - v->lf0[sp][j];
        tc = W_TVV * fabs(rr) + W_TVVD * fabs(rr - last_change);
        last_change = rr;
      }
      v->step[s][i][j] = tc;
    }
  }
  v->n++;
}

void ev_pvit_decide(const ev_pvit *v, int lag, double *f0, double *pv) {
  const int64_t e = v->n - 1, b = v->n > EV_PVIT_WIN ? v->n - EV_PVIT_WIN : 0;
  double cost[EV_PVIT_STATES], nc[EV_PVIT_STATES];
  /* each step's back pointers (slot RING(u) for the step into frame u): the lag traces back */
  unsigned char bp[EV_PVIT_WIN][EV_PVIT_STATES];
  memcpy(cost, v->local[RING(b)], sizeof cost);
  for (int64_t u = b + 1; u <= e; u++) {
    const int sc = RING(u);
    unsigned char *bpu = bp[sc];
    /* An empty slot's row (no candidate in frame u: f0 0; the whole frame under the gate)
     * holds 999 for every j (ev_pvit_push; u > 0, so it was pushed after a frame), so its best
     * predecessor and cost are the same in every such row of frame u: the first one's are kept
     * for the others (the same operations on the same values). */
    int empty_best = -1;
    double empty_bc = 0.0;
    for (int i = 0; i < UV; i++) { /* voiced state i of frame u, from state j of frame u - 1 */
      const double *tc = v->step[sc][i];
      const int empty = v->f0[sc][i] == 0.0;
      int best = 0;
      double bc = 0.0;
      if (empty && empty_best >= 0) {
        best = empty_best;
        bc = empty_bc;
      } else {
        for (int j = 0; j < UV; j++) {
          const double c = tc[j] + cost[j];
          if (j == 0 || c < bc) {
            bc = c;
            best = j;
          }
        }
        const double cu = W_TVUV + cost[UV]; /* from unvoiced */
        if (cu < bc) {
          bc = cu;
          best = UV;
        }
        if (empty) {
          empty_best = best;
          empty_bc = bc;
        }
      }
      nc[i] = bc + v->local[sc][i];
      bpu[i] = (unsigned char)best;
    }
    int best = 0; /* the unvoiced state: from a voiced one, or staying unvoiced */
    double bc = 0.0;
    for (int j = 0; j < UV; j++) {
      const double c = W_TVUV + cost[j];
      if (j == 0 || c < bc) {
        bc = c;
        best = j;
      }
    }
    const double cu = 1.0 + cost[UV];
    if (cu < bc) {
      bc = cu;
      best = UV;
    }
    nc[UV] = bc + v->local[sc][UV];
    bpu[UV] = (unsigned char)best;
    memcpy(cost, nc, sizeof cost);
  }
  int st = 0;
  for (int i = 1; i < EV_PVIT_STATES; i++)
    if (cost[i] < cost[st])
      st = i;
  /* back along the best path to the decided frame (never before the window's first) */
  int64_t u = e;
  for (int k = 0; k < lag && u > b; k++, u--)
    st = bp[RING(u)][st];
  const int s = RING(u);
  *f0 = st < UV ? v->f0[s][st] : 0.0;
  *pv = st < UV ? v->pv[s][st] : v->pv[s][UV];
}
