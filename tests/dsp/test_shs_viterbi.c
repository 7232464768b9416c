/* eGeMAPS' pitch parts on their own, with answers known in advance:
 * - ev_shs (subharmonic summation): a 60 ms Gaussian-windowed frame of harmonics at 80, 150,
 *   220 and 450 Hz (spectrum by a plain DFT written here) gives its F0 as the best candidate,
 *   within 1 %, with a voicing above eGeMAPS' cutoff 0.7;
 * - ev_pvit (the Viterbi with openSMILE's costs, one frame of lag): hand-made candidate
 *   sequences where the costs decide clearly: a one-frame octave pick is not followed, a lone
 *   voiced frame among unvoiced ones is unvoiced, a three-frame voiced run is kept, and of two
 *   equally voiced candidates the first slot is kept (openSMILE's slope term, see below).
 * Agreement with openSMILE on real speech: features_egemaps. */
#include "ev_test.h"
#include "ev_pitch_viterbi.h"
#include "ev_shs.h"

#include <math.h>
#include <string.h>

static float mag[EV_SHS_NBINS];

static void harmonic_frame(double f0) {
  static double x[1024];
  memset(x, 0, sizeof x);
  for (int i = 0; i < 960; i++) {
    const double u = (i - 479.5) / (0.4 * 479.5), t = i / 16000.0;
    double v = 0.0;
    for (int k = 1; k * f0 < 4000.0; k++)
      v += sin(2.0 * M_PI * k * f0 * t + 0.3 * k) / k;
    x[i] = v * exp(-0.5 * u * u);
  }
  for (int b = 0; b < EV_SHS_NBINS; b++) {
    double re = 0.0, im = 0.0;
    for (int i = 0; i < 1024; i++) {
      re += x[i] * cos(2.0 * M_PI * b * i / 1024.0);
      im -= x[i] * sin(2.0 * M_PI * b * i / 1024.0);
    }
    mag[b] = (float)sqrt(re * re + im * im);
  }
}

/* one candidate per frame (0 Hz: no candidate), or two where f2 > 0 */
static void push(ev_pvit *v, double f1, double p1, double f2, double p2) {
  ev_shs_result r = {0};
  if (f1 > 0.0) {
    r.f0[r.n] = f1;
    r.voicing[r.n++] = p1;
  }
  if (f2 > 0.0) {
    r.f0[r.n] = f2;
    r.voicing[r.n++] = p2;
  }
  ev_pvit_push(v, r.n ? &r : NULL);
}

/* the F0 decided for every frame of a sequence as the extractor decides it: frame t once frame
 * t + lag is pushed, the last frames with what look-ahead there is */
static void decide_lag(const double (*seq)[4], int n, int lag, double *out) {
  ev_pvit v;
  ev_pvit_reset(&v);
  double pv;
  for (int t = 0; t < n; t++) {
    push(&v, seq[t][0], seq[t][1], seq[t][2], seq[t][3]);
    if (t >= lag)
      ev_pvit_decide(&v, lag, &out[t - lag], &pv);
  }
  for (int t = n - lag > 0 ? n - lag : 0; t < n; t++)
    ev_pvit_decide(&v, n - 1 - t, &out[t], &pv);
}

static void decide_all(const double (*seq)[4], int n, double *out) {
  decide_lag(seq, n, EV_PVIT_LAG, out);
}

int main(void) {
  static ev_shs s;
  ev_shs_init(&s, 16000.0);
  static const double f0s[] = {80.0, 150.0, 220.0, 450.0};
  for (int i = 0; i < 4; i++) {
    harmonic_frame(f0s[i]);
    ev_shs_result r;
    ev_shs_frame(&s, mag, &r);
    printf("SHS, harmonics of %.0f Hz: %d candidates, best %.2f Hz, voicing %.3f\n", f0s[i], r.n,
           r.n ? r.f0[0] : 0.0, r.n ? r.voicing[0] : 0.0);
    EV_CHECK(r.n > 0 && fabs(r.f0[0] / f0s[i] - 1.0) <= 0.01 &&
                 r.voicing[0] > EV_SHS_VOICING_CUTOFF,
             "SHS at %.0f Hz: best %.2f Hz, voicing %.3f", f0s[i], r.n ? r.f0[0] : 0.0,
             r.n ? r.voicing[0] : 0.0);
  }

  { /* a one-frame octave pick (the better-voiced candidate at frame 5) is not followed */
    double seq[10][4], out[10];
    for (int t = 0; t < 10; t++) {
      seq[t][0] = 200.0, seq[t][1] = 0.9, seq[t][2] = 0.0, seq[t][3] = 0.0;
    }
    seq[5][0] = 400.0, seq[5][1] = 0.95, seq[5][2] = 200.0, seq[5][3] = 0.85;
    decide_all((const double(*)[4])seq, 10, out);
    int ok = 1;
    for (int t = 0; t < 10; t++)
      ok &= out[t] == 200.0;
    printf("Viterbi, one-frame octave pick: frame 5 -> %.0f Hz\n", out[5]);
    EV_CHECK(ok, "octave pick followed: frame 5 at %.0f Hz", out[5]);
  }
  { /* a lone voiced frame among frames without candidates: unvoiced */
    double seq[10][4] = {{0}}, out[10];
    seq[5][0] = 200.0, seq[5][1] = 0.9;
    decide_all((const double(*)[4])seq, 10, out);
    printf("Viterbi, lone voiced frame: %.0f Hz\n", out[5]);
    EV_CHECK(out[5] == 0.0, "lone voiced frame kept at %.0f Hz", out[5]);
  }
  { /* three voiced frames among frames without candidates: kept */
    double seq[10][4] = {{0}}, out[10];
    for (int t = 4; t < 7; t++)
      seq[t][0] = 200.0, seq[t][1] = 0.9;
    decide_all((const double(*)[4])seq, 10, out);
    printf("Viterbi, three voiced frames: %.0f %.0f %.0f Hz\n", out[4], out[5], out[6]);
    EV_CHECK(
        out[3] == 0.0 && out[4] == 200.0 && out[5] == 200.0 && out[6] == 200.0 && out[7] == 0.0,
        "three voiced frames: %.0f %.0f %.0f %.0f %.0f", out[3], out[4], out[5], out[6], out[7]);
  }
  { /* openSMILE's slope term compares a step with the step evaluated just before it, and every
     * row of its trellis starts from 0 (after a voiced/unvoiced evaluation): staying on the
     * first slot (the best score) costs nothing, staying on the second costs 10 |ln(f1/f2)|
     * more. So two equally voiced candidates, 700 Hz first and 180 Hz second, keep the path on
     * 700 Hz despite the 100-350 Hz preference (a frequency weight of 1.2 against 0); with the
     * slots swapped it stays on 180 Hz. docs/features.md: reproducing this is what made the
     * Viterbi's choices openSMILE's. */
    double seq[8][4], out[8];
    for (int t = 0; t < 8; t++)
      seq[t][0] = 700.0, seq[t][1] = 0.9, seq[t][2] = 180.0, seq[t][3] = 0.9;
    decide_all((const double(*)[4])seq, 8, out);
    int ok = 1;
    for (int t = 0; t < 8; t++)
      ok &= out[t] == 700.0;
    for (int t = 0; t < 8; t++)
      seq[t][0] = 180.0, seq[t][2] = 700.0;
    decide_all((const double(*)[4])seq, 8, out);
    for (int t = 0; t < 8; t++)
      ok &= out[t] == 180.0;
    printf("Viterbi, 700 and 180 Hz equally voiced: the first slot kept (%s)\n", ok ? "yes" : "no");
    EV_CHECK(ok, "equally voiced candidates: the first slot not kept");
  }
  { /* a weakly voiced onset (frames 2-3) whose best candidate is 733 Hz, ahead of a voice at
     * 271 Hz with a weaker 696 Hz candidate: the onset's 733 Hz is an error of 17 semitones
     * (TurEV's reference file has one, docs/features.md). Decided with one frame of look-ahead
     * the path takes it and steps to 696 Hz; with EV_PVIT_LAG frames it sees the voice first and
     * leaves the onset unvoiced. */
    double seq[14][4] = {{0}}, out1[14], out[14];
    for (int t = 2; t < 4; t++)
      seq[t][0] = 733.0, seq[t][1] = 0.75, seq[t][2] = 285.0, seq[t][3] = 0.7;
    for (int t = 4; t < 14; t++)
      seq[t][0] = 271.0, seq[t][1] = 0.95, seq[t][2] = 696.0, seq[t][3] = 0.8;
    decide_lag((const double(*)[4])seq, 14, 1, out1);
    decide_all((const double(*)[4])seq, 14, out);
    printf("Viterbi, octave-high onset: lag 1 %.0f %.0f %.0f Hz, lag %d %.0f %.0f %.0f Hz\n",
           out1[2], out1[3], out1[4], EV_PVIT_LAG, out[2], out[3], out[4]);
    EV_CHECK(out1[2] == 733.0 && out1[4] == 696.0, "lag 1 no longer errs: %.0f, %.0f", out1[2],
             out1[4]);
    int ok = 1;
    for (int t = 2; t < 14; t++)
      ok &= out[t] == 0.0 || out[t] == 271.0;
    EV_CHECK(ok && out[4] == 271.0, "octave-high onset followed at lag %d: %.0f %.0f %.0f",
             EV_PVIT_LAG, out[2], out[3], out[4]);
  }
  EV_TEST_END();
}
