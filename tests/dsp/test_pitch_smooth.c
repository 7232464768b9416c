/* The one-frame pitch smoothing (ev_pitch_smooth, dsp/features/ev_pitch_smooth.c) on hand-made
 * triples with the answers its two rules give: a lone voiced frame becomes unvoiced (voicing
 * below 0.5), a voiced frame more than 2 semitones from the median of itself and two voiced
 * neighbours takes the median, everything else is left as it is (a contour that moves, a frame
 * next to only one voiced neighbour, an unvoiced gap). Its effect on real speech against
 * openSMILE is measured by features_egemaps and functionals_e2e. */
#include "ev_test.h"
#include "ev_pitch.h"

#include <math.h>

static double st(double hz, double semitones) {
  return hz * exp2(semitones / 12.0);
}

static void expect(double a, double b, double v, double c, double want_f0, double want_v,
                   const char *what) {
  double f0 = -1.0, vo = -1.0;
  ev_pitch_smooth(a, b, v, c, &f0, &vo);
  EV_CHECK(f0 == want_f0 && vo == want_v, "%s: (%g, %g, %g) v %g -> F0 %g v %g, want %g, %g", what,
           a, b, c, v, f0, vo, want_f0, want_v);
}

int main(void) {
  /* lone voiced frames: unvoiced, the voicing capped just under the 0.5 of a voiced frame */
  expect(0.0, 150.0, 0.8, 0.0, 0.0, 0.49, "lone voiced frame");
  expect(0.0, 150.0, 0.5, 0.0, 0.0, 0.49, "lone voiced frame at the threshold");
  /* one voiced neighbour is enough to keep it, as it is */
  expect(150.0, 300.0, 0.8, 0.0, 300.0, 0.8, "voiced run end");
  expect(0.0, 75.0, 0.7, 150.0, 75.0, 0.7, "voiced run start");
  /* one-frame octave and stray picks between voiced neighbours: the median */
  expect(150.0, 300.0, 0.9, 152.0, 152.0, 0.9, "octave up for one frame");
  expect(150.0, 75.0, 0.9, 148.0, 148.0, 0.9, "octave down for one frame");
  expect(200.0, st(200.0, 2.5), 0.6, 200.0, 200.0, 0.6, "2.5 st excursion");
  /* the contour is kept: a glide, a step, small excursions */
  expect(100.0, 130.0, 0.9, 170.0, 130.0, 0.9, "rising glide");
  expect(170.0, 130.0, 0.9, 100.0, 130.0, 0.9, "falling glide");
  expect(150.0, 300.0, 0.9, 300.0, 300.0, 0.9, "octave step (two frames at the new pitch)");
  expect(200.0, st(200.0, 1.9), 0.6, 200.0, st(200.0, 1.9), 0.6, "1.9 st excursion");
  expect(200.0, st(200.0, -1.9), 0.6, 201.0, st(200.0, -1.9), 0.6, "-1.9 st excursion");
  /* unvoiced frames stay unvoiced, gaps are not filled */
  expect(150.0, 0.0, 0.45, 150.0, 0.0, 0.45, "one-frame gap");
  expect(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "silence");
  EV_TEST_END();
}
