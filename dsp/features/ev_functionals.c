/* eGeMAPS v02 functionals (see ev_functionals.h). The definitions follow openSMILE 3.0's
 * eGeMAPSv02.conf (GeMAPSv01b_core.func.conf.inc + eGeMAPSv02_core.func.conf.inc) and the
 * semantics of its functional components, re-implemented here for a sliding window:
 *
 *   amean, stddevNorm   cFunctionalMoments: population variance; stddevNorm = 2 in the config
 *                       means the signed coefficient of variation stddev / mean (not |mean|;
 *                       a zero mean divides by 1), 0 when the variance is 0.
 *   percentileP         cFunctionalPercentiles, interp = 1: linear interpolation between the
 *                       sorted values at floor and ceil of P * (N - 1).
 *   pctlrange0-2        |percentile80 - percentile20|.
 *   rising / falling    cFunctionalPeaks2 with relThresh 0.1 and norm = seconds: local extrema
 *   slopes, peaks       of the contour are thinned by three passes that depend on the window's
 *                       range (max - min), then slopes (value change per second) are taken
 *                       between consecutive surviving extrema, from the first value and to the
 *                       last value. The quirks are kept because they are the definition:
 *                       extrema are searched at positions 2..N-3 only, the slope to the last
 *                       value enters the mean but not the standard deviation, and a contour
 *                       without extrema gives (last - first) / N (per frame, not per second).
 *   nz / V / UV         cFunctionals nonZeroFuncts = 1: statistics over the non-zero values
 *                       only, the input being compressed first (so the F0 slopes run over the
 *                       voiced frames joined end to end, as openSMILE does).
 *   segments            cFunctionalSegments nonX / eqX with X = 0, segMinLng 3, pauseMinLng 2,
 *                       maxNumSeg 1000, norm = second: a voiced segment is a group of voiced runs
 *                       separated by single unvoiced frames holding at least 3 voiced frames; its
 *                       length is (last voiced frame - first voiced frame) frames, one less than
 *                       the frame count, as openSMILE counts it. Unvoiced segments alike with the
 *                       roles swapped. Rates divide by the window's frame count.
 *   equivalentSound-    10 log10 of the mean frame energy, floored at 1e-7 (cVectorOperation
 *   Level_dBp           dBp's default logfloor).
 *
 * Streaming design. A ring holds the window's frames. The F0 (voiced) and loudness values are
 * kept in sorted arrays (binary search + memmove, O(window) bytes moved per frame), and a
 * frame's local-extremum flag (loudness over all frames, F0 over the voiced frames) is decided
 * once its successor arrives and stored with it. compute() walks the window once: the moment
 * sums (taken afresh, not as running sums that would keep the rounding residue of a huge value
 * after it left), the flagged extrema and the voicing runs. The peak thinning depends on the
 * range of the whole window, so no exact form updates it frame by frame anyway. Cost O(window)
 * per compute(), O(window) bytes moved per push(). When the next compute() is announced
 * (ev_functionals_schedule(), as the extractor does every EV_FUNC_EVERY frames), the pushes
 * before it do that walk in equal shares, oldest frame first, over the frames whose flags are
 * final (a deferred voiced frame waits for its successor), so compute() only finishes: the same
 * sums in the same order (same bits), without the O(window) spike every 100 ms. Everything is
 * allocated in _new().
 *
 * The whole-file function is this object with a window of the file's length, filled without
 * the incremental sorting (the arrays are sorted once at the end; same content, same result). */
#include "ev_functionals.h"

#include "ev_features.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names (openSMILE func.csv order) ------------------------------------------------- */

static const char *const k_names[EV_FUNC_N] = {
    "F0semitoneFrom27.5Hz_sma3nz_amean",
    "F0semitoneFrom27.5Hz_sma3nz_stddevNorm",
    "F0semitoneFrom27.5Hz_sma3nz_percentile20.0",
    "F0semitoneFrom27.5Hz_sma3nz_percentile50.0",
    "F0semitoneFrom27.5Hz_sma3nz_percentile80.0",
    "F0semitoneFrom27.5Hz_sma3nz_pctlrange0-2",
    "F0semitoneFrom27.5Hz_sma3nz_meanRisingSlope",
    "F0semitoneFrom27.5Hz_sma3nz_stddevRisingSlope",
    "F0semitoneFrom27.5Hz_sma3nz_meanFallingSlope",
    "F0semitoneFrom27.5Hz_sma3nz_stddevFallingSlope",
    "loudness_sma3_amean",
    "loudness_sma3_stddevNorm",
    "loudness_sma3_percentile20.0",
    "loudness_sma3_percentile50.0",
    "loudness_sma3_percentile80.0",
    "loudness_sma3_pctlrange0-2",
    "loudness_sma3_meanRisingSlope",
    "loudness_sma3_stddevRisingSlope",
    "loudness_sma3_meanFallingSlope",
    "loudness_sma3_stddevFallingSlope",
    "spectralFlux_sma3_amean",
    "spectralFlux_sma3_stddevNorm",
    "mfcc1_sma3_amean",
    "mfcc1_sma3_stddevNorm",
    "mfcc2_sma3_amean",
    "mfcc2_sma3_stddevNorm",
    "mfcc3_sma3_amean",
    "mfcc3_sma3_stddevNorm",
    "mfcc4_sma3_amean",
    "mfcc4_sma3_stddevNorm",
    "jitterLocal_sma3nz_amean",
    "jitterLocal_sma3nz_stddevNorm",
    "shimmerLocaldB_sma3nz_amean",
    "shimmerLocaldB_sma3nz_stddevNorm",
    "HNRdBACF_sma3nz_amean",
    "HNRdBACF_sma3nz_stddevNorm",
    "logRelF0-H1-H2_sma3nz_amean",
    "logRelF0-H1-H2_sma3nz_stddevNorm",
    "logRelF0-H1-A3_sma3nz_amean",
    "logRelF0-H1-A3_sma3nz_stddevNorm",
    "F1frequency_sma3nz_amean",
    "F1frequency_sma3nz_stddevNorm",
    "F1bandwidth_sma3nz_amean",
    "F1bandwidth_sma3nz_stddevNorm",
    "F1amplitudeLogRelF0_sma3nz_amean",
    "F1amplitudeLogRelF0_sma3nz_stddevNorm",
    "F2frequency_sma3nz_amean",
    "F2frequency_sma3nz_stddevNorm",
    "F2bandwidth_sma3nz_amean",
    "F2bandwidth_sma3nz_stddevNorm",
    "F2amplitudeLogRelF0_sma3nz_amean",
    "F2amplitudeLogRelF0_sma3nz_stddevNorm",
    "F3frequency_sma3nz_amean",
    "F3frequency_sma3nz_stddevNorm",
    "F3bandwidth_sma3nz_amean",
    "F3bandwidth_sma3nz_stddevNorm",
    "F3amplitudeLogRelF0_sma3nz_amean",
    "F3amplitudeLogRelF0_sma3nz_stddevNorm",
    "alphaRatioV_sma3nz_amean",
    "alphaRatioV_sma3nz_stddevNorm",
    "hammarbergIndexV_sma3nz_amean",
    "hammarbergIndexV_sma3nz_stddevNorm",
    "slopeV0-500_sma3nz_amean",
    "slopeV0-500_sma3nz_stddevNorm",
    "slopeV500-1500_sma3nz_amean",
    "slopeV500-1500_sma3nz_stddevNorm",
    "spectralFluxV_sma3nz_amean",
    "spectralFluxV_sma3nz_stddevNorm",
    "mfcc1V_sma3nz_amean",
    "mfcc1V_sma3nz_stddevNorm",
    "mfcc2V_sma3nz_amean",
    "mfcc2V_sma3nz_stddevNorm",
    "mfcc3V_sma3nz_amean",
    "mfcc3V_sma3nz_stddevNorm",
    "mfcc4V_sma3nz_amean",
    "mfcc4V_sma3nz_stddevNorm",
    "alphaRatioUV_sma3nz_amean",
    "hammarbergIndexUV_sma3nz_amean",
    "slopeUV0-500_sma3nz_amean",
    "slopeUV500-1500_sma3nz_amean",
    "spectralFluxUV_sma3nz_amean",
    "loudnessPeaksPerSec",
    "VoicedSegmentsPerSec",
    "MeanVoicedSegmentLengthSec",
    "StddevVoicedSegmentLengthSec",
    "MeanUnvoicedSegmentLength",
    "StddevUnvoicedSegmentLength",
    "equivalentSoundLevel_dBp",
};

const char *ev_functionals_name(int i) {
  return i >= 0 && i < EV_FUNC_N ? k_names[i] : NULL;
}

int ev_functionals_index(const char *name) {
  for (int i = 0; name && i < EV_FUNC_N; i++)
    if (!strcmp(name, k_names[i]))
      return i;
  return -1;
}

/* ---- moment columns ---------------------------------------------------------------------- */

/* Which frames a column's mean and coefficient of variation are taken over. */
enum { M_ALL, M_NZ, M_VNZ, M_UVNZ };

typedef struct mcol {
  unsigned char lld, mask;
} mcol;

/* In output order: F0, loudness, then the 33 amean/stddevNorm (or amean only) columns. */
static const mcol k_cols[] = {
    {EV_LLD_F0, M_NZ},
    {EV_LLD_LOUDNESS, M_ALL},
    /* egemapsv02_functionalsMVR: all frames */
    {EV_LLD_FLUX, M_ALL},
    {EV_LLD_MFCC1, M_ALL},
    {EV_LLD_MFCC2, M_ALL},
    {EV_LLD_MFCC3, M_ALL},
    {EV_LLD_MFCC4, M_ALL},
    /* egemapsv02_functionalsMVRVoiced, voice part: openSMILE zeroes these on unvoiced frames
     * (formantsNz) and takes the non-zero values. lld.csv prints formant frequencies and
     * bandwidths on unvoiced frames too, so they are gated by F0 here; the amplitudes are
     * -201 (not 0) on unvoiced frames in openSMILE's functional input as well, so those frames
     * count (openSMILE's F1amplitude mean of pure noise is -201). */
    {EV_LLD_JITTER, M_VNZ},
    {EV_LLD_SHIMMER, M_VNZ},
    {EV_LLD_HNR, M_VNZ},
    {EV_LLD_H1_H2, M_VNZ},
    {EV_LLD_H1_A3, M_VNZ},
    {EV_LLD_F1_FREQ, M_VNZ},
    {EV_LLD_F1_BW, M_VNZ},
    {EV_LLD_F1_AMP, M_NZ},
    {EV_LLD_F2_FREQ, M_VNZ},
    {EV_LLD_F2_BW, M_VNZ},
    {EV_LLD_F2_AMP, M_NZ},
    {EV_LLD_F3_FREQ, M_VNZ},
    {EV_LLD_F3_BW, M_VNZ},
    {EV_LLD_F3_AMP, M_NZ},
    /* spectral part, voiced frames (cValbasedSelector on F0 > 0) */
    {EV_LLD_ALPHA_RATIO, M_VNZ},
    {EV_LLD_HAMMARBERG, M_VNZ},
    {EV_LLD_SLOPE_0_500, M_VNZ},
    {EV_LLD_SLOPE_500_1500, M_VNZ},
    {EV_LLD_FLUX, M_VNZ},
    {EV_LLD_MFCC1, M_VNZ},
    {EV_LLD_MFCC2, M_VNZ},
    {EV_LLD_MFCC3, M_VNZ},
    {EV_LLD_MFCC4, M_VNZ},
    /* egemapsv02_functionalsMeanUV: unvoiced frames, mean only */
    {EV_LLD_ALPHA_RATIO, M_UVNZ},
    {EV_LLD_HAMMARBERG, M_UVNZ},
    {EV_LLD_SLOPE_0_500, M_UVNZ},
    {EV_LLD_SLOPE_500_1500, M_UVNZ},
    {EV_LLD_FLUX, M_UVNZ},
};
#define N_COLS       ((int)(sizeof k_cols / sizeof k_cols[0]))
#define COL_F0       0
#define COL_LOUD     1
#define COL_MVR      2  /* first of the amean + stddevNorm columns after F0 and loudness */
#define COL_UV       30 /* first of the mean-only columns */
#define OUT_MVR      20 /* output index of spectralFlux_sma3_amean */
#define OUT_UV       76
#define OUT_PEAKS    81
#define OUT_SEG      82
#define OUT_LEQ      87
#define MAX_SEGMENTS 1000 /* openSMILE's maxNumSeg: later segments are not counted */
#define PEAK_REL     0.1f /* Peaks2.relThresh */
#define LEQ_FLOOR    1e-7 /* cVectorOperation logfloor default */

/* ---- the object ---------------------------------------------------------------------------- */

/* Segments of frames where a class holds (see the header comment): the state of the walk. */
typedef struct seg_acc {
  long first, last; /* current group: first frame, last member frame */
  long members, gap;
  int open;
  int n;
  double sum, sq;
} seg_acc;

typedef struct cand {
  float y;
  int32_t x;    /* position in the contour */
  int8_t type;  /* 1 max, 0 min */
  int8_t alive; /* survives the thinning so far */
} cand;

/* compute()'s single walk over the window, oldest frame first: its moment sums live in the
 * object (sum, sq, cnt, esum), the rest here. Frames are absolute indices (since reset). */
typedef struct walk {
  uint64_t start, next; /* the window's first frame; the next frame to walk */
  size_t n;             /* the window's length */
  size_t kv;            /* voiced frames walked */
  int nlc, nfc;         /* loudness / F0 extremum candidates so far */
  float lfirst, llast, ffirst, flast;
  seg_acc sv, su;
  /* the last voiced frame walked, while its F0 extremum flag is not known (it is decided when
   * the next voiced frame arrives) */
  int def;
  uint64_t def_abs;
  size_t def_slot, def_kv;
} walk;

struct ev_functionals {
  size_t cap, n, head; /* ring: frames head .. head+n-1 (mod cap), oldest first */
  int lazy;            /* whole-file fill: sorted arrays are appended and sorted in compute() */
  float *lld;          /* [cap][25] */
  float *energy;       /* [cap] */
  int8_t *lext, *fext; /* extremum flag of loudness / F0 contour: 1 max, -1 min, 0 none */
  /* last two values of each contour, to flag the previous one when a new one arrives */
  float lprev[2], fprev[2];
  size_t lprev_slot, fprev_slot;
  uint64_t pushed, fprev_abs; /* frames pushed since reset; absolute index of fprev_slot */
  int lhave, fhave;
  double sum[N_COLS], sq[N_COLS];
  size_t cnt[N_COLS];
  /* the columns of each mask (M_ALL, M_NZ, M_VNZ, M_UVNZ), in table order: account() tests the
   * voicing once per frame and skips the other class's columns */
  unsigned char by_mask[4][N_COLS];
  int n_mask[4];
  double esum;
  float *sf0, *sloud; /* sorted voiced F0 / loudness of the window */
  size_t nf0, nloud;
  /* push_unsmoothed(): the last two adapted raw frames (older, newer) and their energies */
  float raw[2][EV_EGEMAPS_N_LLD];
  float raw_e[2];
  int nraw;
  cand *cands;   /* [2 cap] scratch for compute(): loudness / F0 extremum candidates */
  float *gather; /* [cap] scratch: the compressed contour's first/last values */
  walk w;        /* compute()'s walk over the window, done ahead by push() when scheduled */
  int w_on;      /* ev_functionals_schedule(): a compute() is due when `pushed` reaches w_at */
  uint64_t w_at;
};

static void sorted_insert(float *a, size_t *n, float v) {
  size_t lo = 0, hi = *n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (a[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  memmove(a + lo + 1, a + lo, (*n - lo) * sizeof *a);
  a[lo] = v;
  (*n)++;
}

static void sorted_remove(float *a, size_t *n, float v) {
  size_t lo = 0, hi = *n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (a[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < *n && a[lo] == v) {
    memmove(a + lo, a + lo + 1, (*n - lo - 1) * sizeof *a);
    (*n)--;
  }
}

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

static ev_functionals *functionals_alloc(size_t cap) {
  ev_functionals *f = calloc(1, sizeof *f);
  if (!f)
    return NULL;
  f->cap = cap;
  for (int c = 0; c < N_COLS; c++) {
    const int m = k_cols[c].mask;
    f->by_mask[m][f->n_mask[m]++] = (unsigned char)c;
  }
  f->lld = malloc(cap * EV_EGEMAPS_N_LLD * sizeof(float));
  f->energy = malloc(cap * sizeof(float));
  f->lext = calloc(cap, 1);
  f->fext = calloc(cap, 1);
  f->sf0 = malloc(cap * sizeof(float));
  f->sloud = malloc(cap * sizeof(float));
  f->cands = malloc(2 * cap * sizeof(cand)); /* loudness extrema, then F0 extrema */
  f->gather = malloc(cap * sizeof(float));
  if (!f->lld || !f->energy || !f->lext || !f->fext || !f->sf0 || !f->sloud || !f->cands ||
      !f->gather) {
    ev_functionals_free(f);
    return NULL;
  }
  ev_functionals_reset(f);
  return f;
}

ev_functionals *ev_functionals_new(double window_s, char *err, size_t errlen) {
  if (!(window_s >= 0.1 && window_s <= 600.0)) {
    if (err && errlen)
      snprintf(err, errlen, "functionals window %g s is outside 0.1..600 s", window_s);
    return NULL;
  }
  size_t cap = (size_t)lround(window_s / EV_FUNC_FRAME_S);
  ev_functionals *f = functionals_alloc(cap);
  if (!f && err && errlen)
    snprintf(err, errlen, "out of memory for a %g s functionals window", window_s);
  return f;
}

void ev_functionals_free(ev_functionals *f) {
  if (!f)
    return;
  free(f->lld);
  free(f->energy);
  free(f->lext);
  free(f->fext);
  free(f->sf0);
  free(f->sloud);
  free(f->cands);
  free(f->gather);
  free(f);
}

void ev_functionals_reset(ev_functionals *f) {
  f->n = f->head = 0;
  f->lhave = f->fhave = 0;
  f->pushed = 0;
  f->nraw = 0;
  f->nf0 = f->nloud = 0;
  f->w_on = 0;
  f->esum = 0.0;
  for (int c = 0; c < N_COLS; c++) {
    f->sum[c] = f->sq[c] = 0.0;
    f->cnt[c] = 0;
  }
  memset(f->lext, 0, f->cap);
  memset(f->fext, 0, f->cap);
}

size_t ev_functionals_frames(const ev_functionals *f) {
  return f->n;
}
size_t ev_functionals_capacity(const ev_functionals *f) {
  return f->cap;
}

static void add_col(ev_functionals *f, int c, float xf) {
  const double x = xf;
  f->sum[c] += x;
  f->sq[c] += x * x;
  f->cnt[c]++;
}

/* A column counts the frame: M_ALL always; M_NZ when its value is not 0; M_VNZ / M_UVNZ when it
 * is not 0 and the frame is voiced / unvoiced. Each column's sums are its own, so visiting the
 * columns mask by mask gives the same bits as in table order. */
static void account(ev_functionals *f, const float *v) {
  const unsigned char *cols = f->by_mask[M_ALL];
  for (int i = 0; i < f->n_mask[M_ALL]; i++)
    add_col(f, cols[i], v[k_cols[cols[i]].lld]);
  const int m[2] = {M_NZ, v[EV_LLD_F0] > 0.0f ? M_VNZ : M_UVNZ};
  for (int g = 0; g < 2; g++) {
    cols = f->by_mask[m[g]];
    for (int i = 0; i < f->n_mask[m[g]]; i++) {
      const float x = v[k_cols[cols[i]].lld];
      if (x != 0.0f)
        add_col(f, cols[i], x);
    }
  }
}

/* A value at the middle of (a, b, c) is a local max / min when strictly above / below both
 * neighbours, as cFunctionalPeaks2 step 1. */
static int8_t extremum(float a, float b, float c) {
  if (b > a && b > c)
    return 1;
  if (b < a && b < c)
    return -1;
  return 0;
}

static void walk_ahead(ev_functionals *f);

void ev_functionals_push(ev_functionals *f, const float lld[EV_EGEMAPS_N_LLD], float energy) {
  size_t slot;
  if (f->n == f->cap) { /* the oldest frame leaves */
    slot = f->head;
    const float *old = f->lld + slot * EV_EGEMAPS_N_LLD;
    if (!f->lazy) {
      if (old[EV_LLD_F0] > 0.0f)
        sorted_remove(f->sf0, &f->nf0, old[EV_LLD_F0]);
      sorted_remove(f->sloud, &f->nloud, old[EV_LLD_LOUDNESS]);
    }
    f->head = (f->head + 1) % f->cap;
    f->n--;
  } else {
    slot = (f->head + f->n) % f->cap;
  }
  float *v = f->lld + slot * EV_EGEMAPS_N_LLD;
  for (int i = 0; i < EV_EGEMAPS_N_LLD; i++)
    v[i] = isfinite(lld[i]) ? lld[i] : 0.0f;
  f->energy[slot] = isfinite(energy) && energy > 0.0f ? energy : 0.0f;
  f->n++;
  f->lext[slot] = f->fext[slot] = 0;

  /* loudness contour: the previous frame's extremum status is now known. Its own
   * predecessor may have left the window; then it sits at position 0 or 1, where openSMILE
   * does not look for extrema, so the flag is never read. */
  float l = v[EV_LLD_LOUDNESS];
  if (f->lhave == 2)
    f->lext[f->lprev_slot] = extremum(f->lprev[0], f->lprev[1], l);
  f->lprev[0] = f->lprev[1];
  f->lprev[1] = l;
  f->lprev_slot = slot;
  f->lhave = f->lhave < 2 ? f->lhave + 1 : 2;

  float f0 = v[EV_LLD_F0];
  if (f0 > 0.0f) { /* F0 contour: voiced frames only, joined end to end */
    /* the previous voiced frame may have left the window (its slot reused): then it is not
     * part of the contour any more and has no flag to set */
    if (f->fhave == 2 && f->pushed - f->fprev_abs < f->n)
      f->fext[f->fprev_slot] = extremum(f->fprev[0], f->fprev[1], f0);
    f->fprev[0] = f->fprev[1];
    f->fprev[1] = f0;
    f->fprev_slot = slot;
    f->fprev_abs = f->pushed;
    f->fhave = f->fhave < 2 ? f->fhave + 1 : 2;
  }
  f->pushed++;
  if (f->lazy) {
    if (f0 > 0.0f)
      f->sf0[f->nf0++] = f0;
    f->sloud[f->nloud++] = l;
  } else {
    if (f0 > 0.0f)
      sorted_insert(f->sf0, &f->nf0, f0);
    sorted_insert(f->sloud, &f->nloud, l);
  }
  if (f->w_on)
    walk_ahead(f);
}

/* ---- statistics ------------------------------------------------------------------------- */

static void moments(const ev_functionals *f, int c, float *mean_out, float *cv_out) {
  if (!f->cnt[c]) {
    *mean_out = 0.0f;
    if (cv_out)
      *cv_out = 0.0f;
    return;
  }
  double n = (double)f->cnt[c];
  double mean = f->sum[c] / n;
  /* openSMILE passes the mean on as a float and takes the variance around it */
  double meanf = (double)(float)mean;
  double var = f->sq[c] / n - 2.0 * meanf * mean + meanf * meanf;
  *mean_out = (float)mean;
  if (cv_out) {
    /* a variance within rounding of 0 (constant contour) is 0, as the two-pass sum gives */
    if (!(var > 1e-12 * meanf * meanf))
      *cv_out = 0.0f;
    else
      *cv_out = (float)(sqrt(var) / (meanf != 0.0 ? meanf : 1.0));
  }
}

static float percentile(const float *s, size_t n, double p) {
  if (!n)
    return 0.0f;
  double idx = p * (double)(n - 1);
  size_t i1 = (size_t)floor(idx), i2 = (size_t)ceil(idx);
  if (i2 >= n)
    i2 = n - 1;
  if (i1 >= n)
    i1 = n - 1;
  if (i1 == i2)
    return s[i1];
  return s[i1] * (float)((double)i2 - idx) + s[i2] * (float)(idx - (double)i1);
}

/* cFunctionalPeaks2 on a contour of N values whose local extrema (positions 2..N-3) are
 * c[0..nc-1]; first/last: the contour's end values; range: max - min. Writes the number of
 * peaks and the rising/falling slope statistics (per second). */
typedef struct peak_stats {
  int n_peaks;
  float mean_rise, sd_rise, mean_fall, sd_fall;
} peak_stats;

static peak_stats peaks2(cand *c, int nc, size_t N, float first, float last, float range) {
  peak_stats r = {0, 0.0f, 0.0f, 0.0f, 0.0f};
  const float th = PEAK_REL * range; /* absolute threshold: below it a change is "small" */
  const float T = (float)EV_FUNC_FRAME_S;

  /* pass 1: drop small maxima (rise or fall to the previous extremum below th, and not
   * above the last kept minimum by th); among close maxima keep the clearly higher one */
  float last_val = first, last_min = first, last_max = first;
  int min_flag = 0, last_max_i = -1;
  for (int i = 0; i < nc; i++) {
    cand *e = &c[i];
    if (e->type == 1) {
      if (fabsf(e->y - last_val) < th) {
        if (e->y - last_min < th) {
          e->alive = 0;
        } else {
          if ((double)e->y > (double)last_max * 1.05) {
            if (last_max_i >= 0)
              c[last_max_i].alive = 0;
            last_max = e->y;
            last_max_i = i;
          } else if (min_flag) {
            last_max = e->y;
            last_max_i = i;
          } else {
            e->alive = 0;
          }
          min_flag = 0;
        }
      } else {
        min_flag = 0;
        last_max = e->y;
        last_max_i = i;
      }
    } else if (!(fabsf(e->y - last_val) < th)) {
      min_flag = 1;
      last_min = e->y;
    }
    last_val = e->y; /* even for a dropped extremum, as openSMILE */
  }
  /* pass 2: drop minima less than th below the preceding surviving maximum */
  last_max = first;
  for (int i = 0; i < nc; i++) {
    if (!c[i].alive)
      continue;
    if (c[i].type == 0) {
      if (last_max - c[i].y < th)
        c[i].alive = 0;
    } else {
      last_max = c[i].y;
    }
  }
  /* pass 3: extrema must alternate; of two maxima (minima) in a row keep the higher (lower) */
  int init = 1, prev_min = 0, kept_min = -1, kept_max = -1;
  for (int i = 0; i < nc; i++) {
    cand *e = &c[i];
    if (!e->alive)
      continue;
    if (e->type == 0) {
      if (!prev_min || init) {
        kept_min = i;
        prev_min = 1;
        init = 0;
      } else if (e->y >= c[kept_min].y) {
        e->alive = 0;
      } else {
        c[kept_min].alive = 0;
        kept_min = i;
      }
    } else {
      if (prev_min || init) {
        kept_max = i;
        prev_min = 0;
        init = 0;
      } else if (e->y <= c[kept_max].y) {
        e->alive = 0;
      } else {
        c[kept_max].alive = 0;
        kept_max = i;
      }
    }
  }

  /* slopes between consecutive survivors, starting from the first value at position 0 */
  float sum_r = 0.0f, sum_f = 0.0f;
  int nr = 0, nf = 0, last_is_max = -1;
  float lmax = first, lmin = first;
  long pmax = 0, pmin = 0;
  for (int i = 0; i < nc; i++) {
    if (!c[i].alive)
      continue;
    if (c[i].type == 0) {
      lmin = c[i].y;
      pmin = c[i].x;
      if (pmin - pmax > 0) {
        sum_f += (lmax - lmin) / ((float)(pmin - pmax) * T);
        nf++;
        last_is_max = 0;
      }
    } else {
      r.n_peaks++;
      lmax = c[i].y;
      pmax = c[i].x;
      if (pmax - pmin > 0) {
        sum_r += (lmax - lmin) / ((float)(pmax - pmin) * T);
        nr++;
        last_is_max = 1;
      }
    }
  }
  int end_r = 0, end_f = 0; /* the slope to the last value: in the mean, not in the sd */
  if (last_is_max == 1) {
    if ((long)N - 1 - pmax > 0) {
      sum_f += (last - lmax) / ((float)((long)N - 1 - pmax) * T);
      nf++;
      end_f = 1;
    }
  } else if (last_is_max == 0) {
    if ((long)N - 1 - pmin > 0) {
      sum_r += (last - lmin) / ((float)((long)N - 1 - pmin) * T);
      nr++;
      end_r = 1;
    }
  } else {
    float s = (last - first) / (float)N; /* per frame: openSMILE's no-extremum case */
    if (s > 0.0f) {
      r.mean_rise = s;
      return r;
    }
    if (s < 0.0f)
      r.mean_fall = s;
    return r;
  }
  r.mean_rise = nr > 1 ? sum_r / (float)nr : sum_r;
  r.mean_fall = nf > 1 ? sum_f / (float)nf : sum_f;
  float ss_r = 0.0f, ss_f = 0.0f;
  lmax = lmin = first;
  pmax = pmin = 0;
  for (int i = 0; i < nc; i++) {
    if (!c[i].alive)
      continue;
    if (c[i].type == 0) {
      lmin = c[i].y;
      pmin = c[i].x;
      if (pmin - pmax > 0) {
        float s = (lmax - lmin) / ((float)(pmin - pmax) * T);
        ss_f += (s - r.mean_fall) * (s - r.mean_fall);
      }
    } else {
      lmax = c[i].y;
      pmax = c[i].x;
      if (pmax - pmin != 0) {
        float s = (lmax - lmin) / ((float)(pmax - pmin) * T);
        ss_r += (s - r.mean_rise) * (s - r.mean_rise);
      }
    }
  }
  (void)end_r;
  (void)end_f;
  if (nr > 1)
    ss_r /= (float)nr;
  if (nf > 1)
    ss_f /= (float)nf;
  r.sd_rise = ss_r > 0.0f ? sqrtf(ss_r) : 0.0f;
  r.sd_fall = ss_f > 0.0f ? sqrtf(ss_f) : 0.0f;
  return r;
}

/* Segments of frames where in_class holds (see the header comment): count, mean and
 * population sd of their lengths in frames (length = last member - first member). */
typedef struct seg_stats {
  int n;
  double mean, sd;
} seg_stats;

static void seg_close(seg_acc *a) {
  if (a->open && a->members >= 3 && a->n < MAX_SEGMENTS) {
    double len = (double)(a->last - a->first);
    a->sum += len;
    a->sq += len * len;
    a->n++;
  }
  a->open = 0;
}

static void seg_step(seg_acc *a, long i, int member) {
  if (member) {
    if (!a->open) {
      a->open = 1;
      a->first = i;
      a->members = 0;
    }
    a->members++;
    a->last = i;
    a->gap = 0;
  } else if (a->open) {
    /* openSMILE's state machine bridges a single non-member frame (pauseMinLng 2) */
    if (++a->gap >= 2)
      seg_close(a);
  }
}

static seg_stats seg_finish(seg_acc *a) {
  seg_close(a);
  seg_stats s = {a->n, 0.0, 0.0};
  if (a->n > 0) {
    s.mean = a->sum / a->n;
    if (a->n > 1) {
      double v = a->sq / a->n - s.mean * s.mean;
      s.sd = v > 0.0 ? sqrt(v) : 0.0;
    }
  }
  return s;
}

/* Slot of absolute frame a, which must be in the window. */
static size_t slot_of(const ev_functionals *f, uint64_t a) {
  return (f->head + (size_t)(a - (f->pushed - f->n))) % f->cap;
}

/* Starts the walk of the window [start, start + n); the moment sums are taken afresh (see
 * compute()). */
static void walk_begin(ev_functionals *f, uint64_t start, size_t n) {
  walk *w = &f->w;
  memset(w, 0, sizeof *w);
  w->start = w->next = start;
  w->n = n;
  f->esum = 0.0;
  for (int c = 0; c < N_COLS; c++) {
    f->sum[c] = f->sq[c] = 0.0;
    f->cnt[c] = 0;
  }
}

static void f0_candidate(ev_functionals *f, size_t slot, size_t kv) {
  if (!f->fext[slot])
    return;
  cand *e = &f->cands[f->cap + (size_t)f->w.nfc++];
  e->y = f->lld[slot * EV_EGEMAPS_N_LLD + EV_LLD_F0];
  e->x = (int32_t)kv;
  e->type = f->fext[slot] > 0;
  e->alive = 1;
}

/* The next frame of the walk: its moments, its extremum candidates, its voicing. A voiced
 * frame's F0 flag is read once a later voiced frame has been pushed (it is final then); the
 * candidates that compute() would not take (the contour's last two positions) are dropped by
 * walk_finish(), which knows the contour's length. The loudness flag of a frame is final once
 * its successor is pushed, so push() walks only frames that have one. */
static void walk_frame(ev_functionals *f) {
  walk *w = &f->w;
  const uint64_t a = w->next++;
  const size_t k = (size_t)(a - w->start), slot = slot_of(f, a);
  const float *v = f->lld + slot * EV_EGEMAPS_N_LLD;
  account(f, v);
  f->esum += f->energy[slot];
  float l = v[EV_LLD_LOUDNESS];
  if (k == 0)
    w->lfirst = l;
  w->llast = l;
  if (k >= 2 && k + 2 < w->n && f->lext[slot]) {
    cand *e = &f->cands[w->nlc++];
    e->y = l;
    e->x = (int32_t)k;
    e->type = f->lext[slot] > 0;
    e->alive = 1;
  }
  int voiced = v[EV_LLD_F0] > 0.0f;
  if (voiced) {
    if (w->def) { /* this frame follows it: its flag is final */
      f0_candidate(f, w->def_slot, w->def_kv);
      w->def = 0;
    }
    if (w->kv == 0)
      w->ffirst = v[EV_LLD_F0];
    w->flast = v[EV_LLD_F0];
    if (w->kv >= 2) {
      if (f->fprev_abs > a) { /* a later voiced frame is in: the flag is final */
        f0_candidate(f, slot, w->kv);
      } else {
        w->def = 1;
        w->def_abs = a;
        w->def_slot = slot;
        w->def_kv = w->kv;
      }
    }
    w->kv++;
  }
  seg_step(&w->sv, (long)k, voiced);
  seg_step(&w->su, (long)k, !voiced);
}

/* After the last frame: compute()'s rule for F0 candidates, kv + 2 < nv (a frame still
 * deferred is the contour's last, never a candidate). */
static void walk_finish(ev_functionals *f, size_t nv) {
  walk *w = &f->w;
  w->def = 0;
  while (w->nfc > 0 && (size_t)f->cands[f->cap + (size_t)w->nfc - 1].x + 2 >= nv)
    w->nfc--;
}

void ev_functionals_schedule(ev_functionals *f, unsigned ahead) {
  f->w_on = 0;
  if (f->lazy || ahead == 0)
    return;
  /* the window compute() will see: the newest min(cap, n + ahead) frames then */
  size_t n = f->n + ahead < f->cap ? f->n + ahead : f->cap;
  f->w_at = f->pushed + ahead;
  walk_begin(f, f->w_at - n, n);
  f->w_on = 1;
}

/* push()'s share of a scheduled walk: the frames left, spread evenly over the pushes left and
 * compute() itself; only frames whose successor is in (their loudness flag is final). */
static void walk_ahead(ev_functionals *f) {
  walk *w = &f->w;
  if (f->pushed > f->w_at) { /* compute() was not called when announced */
    f->w_on = 0;
    return;
  }
  const uint64_t end = w->start + w->n, pushes_left = f->w_at - f->pushed;
  const uint64_t todo = end - w->next, budget = (todo + pushes_left) / (pushes_left + 1);
  const uint64_t ready = f->pushed - 1; /* frames before the newest */
  for (uint64_t i = 0; i < budget && w->next < ready && w->next < end; i++)
    walk_frame(f);
}

void ev_functionals_compute(ev_functionals *f, float out[EV_FUNC_N]) {
  for (int i = 0; i < EV_FUNC_N; i++)
    out[i] = 0.0f;
  if (f->lazy) { /* whole-file fill: sort once */
    qsort(f->sf0, f->nf0, sizeof(float), cmp_float);
    qsort(f->sloud, f->nloud, sizeof(float), cmp_float);
    f->lazy = 0; /* the arrays are now what incremental insertion would have built */
  }
  const size_t n = f->n;

  /* The moment sums are taken afresh from the window's frames, in window order, during one
   * walk (not kept as running sums): a running sum that once held a huge value (a clipped or
   * absurd input) keeps its rounding residue after the value has left, so the statistics
   * would depend on history the window no longer holds. Summed afresh they are a function of
   * the window alone: replaying a passage reads the same, and the whole-file and sliding uses
   * give the same bits. The walk (moment sums, extremum candidates of both contours, voicing
   * segments) is done here, or, after ev_functionals_schedule(), mostly by the pushes before:
   * the same frames in the same order, so the same bits. */
  if (!(f->w_on && f->pushed == f->w_at && f->w.n == n && f->w.start == f->pushed - n))
    walk_begin(f, f->pushed - n, n);
  f->w_on = 0;
  while (f->w.next < f->pushed)
    walk_frame(f);
  size_t nv = f->nf0; /* voiced frames in the window */
  walk_finish(f, nv);
  const walk *w = &f->w;
  const int nlc = w->nlc, nfc = w->nfc;
  const float lfirst = w->lfirst, llast = w->llast, ffirst = w->ffirst, flast = w->flast;
  seg_acc sv = w->sv, su = w->su;
  cand *fc = f->cands + f->cap;

  /* F0 (voiced frames) */
  if (nv) {
    moments(f, COL_F0, &out[0], &out[1]);
    out[2] = percentile(f->sf0, nv, 0.2);
    out[3] = percentile(f->sf0, nv, 0.5);
    out[4] = percentile(f->sf0, nv, 0.8);
    out[5] = fabsf(out[4] - out[2]);
    peak_stats p = peaks2(fc, nfc, nv, ffirst, flast, f->sf0[nv - 1] - f->sf0[0]);
    out[6] = p.mean_rise;
    out[7] = p.sd_rise;
    out[8] = p.mean_fall;
    out[9] = p.sd_fall;
  }
  /* loudness (all frames) */
  if (n) {
    moments(f, COL_LOUD, &out[10], &out[11]);
    out[12] = percentile(f->sloud, n, 0.2);
    out[13] = percentile(f->sloud, n, 0.5);
    out[14] = percentile(f->sloud, n, 0.8);
    out[15] = fabsf(out[14] - out[12]);
    peak_stats p = peaks2(f->cands, nlc, n, lfirst, llast, f->sloud[n - 1] - f->sloud[0]);
    out[16] = p.mean_rise;
    out[17] = p.sd_rise;
    out[18] = p.mean_fall;
    out[19] = p.sd_fall;
    out[OUT_PEAKS] = (float)p.n_peaks / ((float)n * (float)EV_FUNC_FRAME_S);
  }
  for (int c = COL_MVR; c < COL_UV; c++)
    moments(f, c, &out[OUT_MVR + 2 * (c - COL_MVR)], &out[OUT_MVR + 2 * (c - COL_MVR) + 1]);
  for (int c = COL_UV; c < N_COLS; c++)
    moments(f, c, &out[OUT_UV + (c - COL_UV)], NULL);

  if (n) {
    seg_stats a = seg_finish(&sv), b = seg_finish(&su);
    out[OUT_SEG + 0] = (float)(a.n / ((double)n * EV_FUNC_FRAME_S));
    out[OUT_SEG + 1] = (float)(a.mean * EV_FUNC_FRAME_S);
    out[OUT_SEG + 2] = (float)(a.sd * EV_FUNC_FRAME_S);
    out[OUT_SEG + 3] = (float)(b.mean * EV_FUNC_FRAME_S);
    out[OUT_SEG + 4] = (float)(b.sd * EV_FUNC_FRAME_S);
    double e = f->esum / (double)n;
    out[OUT_LEQ] = (float)(10.0 * log10(e > LEQ_FLOOR ? e : LEQ_FLOOR));
  }
}

/* ---- frames whose F0-level columns are not smoothed yet ---------------------------------- */

/* openSMILE's functional input for the F0-level columns (F0 .. F3 amplitude): 0 on unvoiced
 * frames, except the formant amplitudes, which are -201 there (non-zero, so they count and are
 * smoothed in, as openSMILE's F1amplitude mean of pure noise, -201, shows); the formant
 * frequencies and bandwidths are zeroed there (openSMILE's formantsNz). */
static void adapt_raw(const float *in, float *out) {
  int voiced = isfinite(in[EV_LLD_F0]) && in[EV_LLD_F0] > 0.0f;
  for (int c = 0; c < EV_EGEMAPS_N_LLD; c++) {
    float x = isfinite(in[c]) ? in[c] : 0.0f;
    if (c >= EV_LLD_F0 && !voiced)
      x = (c == EV_LLD_F1_AMP || c == EV_LLD_F2_AMP || c == EV_LLD_F3_AMP) ? -201.0f : 0.0f;
    out[c] = x;
  }
}

/* _sma3nz of frame cur: mean of the non-zero values among prev, cur, next (NULL = absent),
 * 0 where cur is 0; the spectral group (already _sma3) passes through. */
static void smooth_nz(const float *prev, const float *cur, const float *next, float *out) {
  for (int c = 0; c < EV_EGEMAPS_N_LLD; c++) {
    if (c < EV_LLD_F0 || cur[c] == 0.0f) {
      out[c] = cur[c];
      continue;
    }
    float s = cur[c];
    int k = 1;
    if (prev && prev[c] != 0.0f) {
      s += prev[c];
      k++;
    }
    if (next && next[c] != 0.0f) {
      s += next[c];
      k++;
    }
    out[c] = s / (float)k;
  }
}

void ev_functionals_push_unsmoothed(ev_functionals *f, const float lld[EV_EGEMAPS_N_LLD],
                                    float energy) {
  float x[EV_EGEMAPS_N_LLD], y[EV_EGEMAPS_N_LLD];
  adapt_raw(lld, x);
  if (f->nraw == 2) {
    smooth_nz(f->raw[0], f->raw[1], x, y);
    ev_functionals_push(f, y, f->raw_e[1]);
  } else if (f->nraw == 1) {
    smooth_nz(NULL, f->raw[1], x, y);
    ev_functionals_push(f, y, f->raw_e[1]);
  }
  memcpy(f->raw[0], f->raw[1], sizeof f->raw[0]);
  f->raw_e[0] = f->raw_e[1];
  memcpy(f->raw[1], x, sizeof x);
  f->raw_e[1] = energy;
  f->nraw = f->nraw < 2 ? f->nraw + 1 : 2;
}

void ev_functionals_flush_unsmoothed(ev_functionals *f) {
  float y[EV_EGEMAPS_N_LLD];
  if (f->nraw) {
    smooth_nz(f->nraw == 2 ? f->raw[0] : NULL, f->raw[1], NULL, y);
    ev_functionals_push(f, y, f->raw_e[1]);
  }
  f->nraw = 0;
}

void ev_functionals_push_frame(ev_functionals *f, const ev_frame *frame) {
  float v[EV_EGEMAPS_N_LLD];
  ev_egemaps_lld(frame, v);
  /* openSMILE's energy2 of the 25 ms frame = librosa's RMS (win 400 at 16 kHz) squared */
  const float *rms = frame->feat[EV_FEAT_RMS];
  ev_functionals_push_unsmoothed(f, v, rms ? rms[0] * rms[0] : 0.0f);
}

static int whole_file(const float *lld, const float *energy, size_t T, int unsmoothed,
                      float out[EV_FUNC_N]) {
  ev_functionals *f = functionals_alloc(T ? T : 1);
  if (!f)
    return -1;
  f->lazy = 1;
  for (size_t t = 0; t < T; t++) {
    const float *v = lld + t * EV_EGEMAPS_N_LLD;
    float e = energy ? energy[t] : 0.0f;
    if (unsmoothed)
      ev_functionals_push_unsmoothed(f, v, e);
    else
      ev_functionals_push(f, v, e);
  }
  if (unsmoothed)
    ev_functionals_flush_unsmoothed(f);
  ev_functionals_compute(f, out);
  if (!energy)
    out[OUT_LEQ] = NAN;
  ev_functionals_free(f);
  return 0;
}

int ev_functionals_of_unsmoothed(const float *lld, const float *energy, size_t T,
                                 float out[EV_FUNC_N]) {
  return whole_file(lld, energy, T, 1, out);
}

int ev_functionals_of_lld(const float *lld, const float *energy, size_t T, float out[EV_FUNC_N]) {
  return whole_file(lld, energy, T, 0, out);
}
