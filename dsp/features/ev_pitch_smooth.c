/* The one-frame form of openSMILE's pitch smoothing (see ev_pitch.h).
 *
 * eGeMAPS smooths its SHS pitch with cPitchSmootherViterbi over 40 frames. With its weights
 * (GeMAPSv01b_core.lld.conf.inc: wLocal 2, wThr 4, wTvuv 10, wTvv 10, wRange 1) a change between
 * voiced and unvoiced costs 10, calling a frame unvoiced while one of its candidates passes the
 * voicing cutoff costs 2 x 4 = 8, and a voiced-voiced step costs 10 |ln(f1 / f0)| plus a
 * change-of-slope term. So its path neither keeps a voiced run of a frame or two between
 * unvoiced ones (two transitions, 20, against 8 per frame) nor leaves the contour for one frame
 * (an octave out and back costs ~14 twice). The extractor's look-ahead leaves one frame for the
 * smoothing (ev_prosody.c: frame t + 1's raw pitch is known at frame t's pitch stage), which
 * allows the one-frame form of both rules:
 * - a voiced frame between two unvoiced ones is called unvoiced (a lone 10 ms voiced pick);
 * - a voiced frame between two voiced ones that lies more than EV_PITCH_OUTLIER_ST from the
 *   median of the three takes that median (a one-frame octave or stray pick that the causal
 *   octave guard in ev_pitch.c let through); smaller moves are the contour and are kept.
 * The Viterbi also fills a one- or two-frame unvoiced gap inside a voiced stretch; that was
 * measured and left out (docs/features.md): the filled frame's F0 would be a guess (YIN gives
 * none there), and on the README's jittered vowel a guessed frame at the onset moved the whole
 * period walk of the jitter. */
#include "ev_pitch.h"

#include <math.h>

void ev_pitch_smooth(double a, double b, double v, double c, double *f0_out, double *voicing_out) {
  double f0 = b;
  if (b > 0.0 && !(a > 0.0) && !(c > 0.0)) {
    f0 = 0.0;
    v = v < 0.49 ? v : 0.49; /* voiced means >= 0.5 (ev_features.h) */
  } else if (b > 0.0 && a > 0.0 && c > 0.0) {
    const double m = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
    if (fabs(12.0 * log2(b / m)) > EV_PITCH_OUTLIER_ST)
      f0 = m;
  }
  *f0_out = f0;
  *voicing_out = v;
}
