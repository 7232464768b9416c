/* DC is not speech (issue 17 item 6). A constant offset of 0.01 (-40 dBFS) has an RMS above the
 * gate and a "tonal" spectrum (all energy in bin 0), so without the analyser's DC blocker it
 * opens the speech gate; a slow drift does the same. Checked, at 48 kHz with the shipped model:
 * DC alone and a 0.2 Hz drift give no speech (and did without the blocker: the premise is
 * checked with the blocker off); speech with a DC offset gives the answers of the same speech
 * without it; and on real speech (RAVDESS sentences, 6 actors) the blocker barely moves the
 * shipped model's answers: per sentence, the mean probabilities over the frames both runs call
 * speech move by 0.010 on average and 0.030 at most with the 0.2 model; the 0.3 model reads
 * cycle-to-cycle voice quality (shimmer, jitter, HNR), which the filter's phase below 100 Hz
 * touches, and was trained without the filter: 0.048 on average, 0.13 at most; 0.4 learnt
 * through the filter (its training inputs come from the analyser), so it is the run without
 * the blocker that is unfamiliar: 0.050 on average, 0.20 at most (asserted: 0.07, 0.22), the
 * dominant emotion stays on 21 of 24; the gate opens on no new frame and closes on 2.2 % of
 * them, subsonic thumps. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_analyzer.h"
#include "ev_model.h"
#include "ev_ref.h"
#include "ev_test.h"
#include "test_resample.h"

#define MAX_FRAMES 4000

typedef struct record {
  long frames;
  unsigned char speech[MAX_FRAMES];
  float prob[MAX_FRAMES][EV_N_EMOTIONS];
} record;

static void on_frame(void *user, const ev_outputs *o) {
  record *r = user;
  if (r->frames < MAX_FRAMES) {
    r->speech[r->frames] = o->dominant >= 0;
    memcpy(r->prob[r->frames], o->prob, sizeof o->prob);
  }
  r->frames++;
}

static long count_speech(const record *r) {
  long n = 0;
  for (long i = 0; i < r->frames && i < MAX_FRAMES; i++)
    n += r->speech[i];
  return n;
}

static void analyse(const ev_model *model, double rate, double dc_hz, const float *x, size_t n,
                    record *r) {
  char err[256];
  ev_analyzer *an = ev_analyzer_new(rate, 512, err, sizeof err);
  ev_model_runtime *rt = an ? ev_analyzer_prepare_model(an, model, err, sizeof err) : NULL;
  if (!rt) {
    fprintf(stderr, "analyser: %s\n", err);
    exit(1);
  }
  ev_analyzer_swap_model(an, rt);
  ev_analyzer_set_dc_cutoff(an, dc_hz);
  memset(r, 0, sizeof *r);
  ev_analyzer_set_frame_callback(an, on_frame, r);
  for (size_t i = 0; i < n; i += 512)
    ev_analyzer_process(an, x + i, (uint32_t)(n - i < 512 ? n - i : 512));
  ev_analyzer_flush(an);
  ev_analyzer_free(an);
  ev_model_runtime_free(rt);
}

/* Mean probabilities over the frames both runs call speech; the dominant of the means (-1:
 * none). *common: how many frames. */
static int common_means(const record *a, const record *b, double *ma, double *mb, long *common) {
  memset(ma, 0, sizeof(double) * EV_N_EMOTIONS);
  memset(mb, 0, sizeof(double) * EV_N_EMOTIONS);
  long c = 0;
  for (long i = 0; i < a->frames && i < b->frames && i < MAX_FRAMES; i++)
    if (a->speech[i] && b->speech[i]) {
      for (int k = 0; k < EV_N_EMOTIONS; k++) {
        ma[k] += a->prob[i][k];
        mb[k] += b->prob[i][k];
      }
      c++;
    }
  int best = -1;
  for (int k = 0; k < EV_N_EMOTIONS; k++) {
    ma[k] = c ? ma[k] / (double)c : 0;
    mb[k] = c ? mb[k] / (double)c : 0;
    if (c && (best < 0 || ma[k] > ma[best]))
      best = k;
  }
  *common = c;
  return best;
}

/* The level above 20 Hz of each 10 ms output row, in dBFS, from a filter of the test's own
 * (an RBJ Butterworth high-pass biquad at 20 Hz, not the analyser's one-pole blocker): the
 * loudest of the row and the two before it, which the analysis frame ending at the row
 * overlaps. out[] holds rows frames. */
static void level_above_20hz(const float *x, size_t n, double rate, long rows, double *out) {
  const double w = 2.0 * M_PI * 20.0 / rate, al = sin(w) / (2.0 * M_SQRT1_2), c = cos(w);
  const double a0 = 1.0 + al, b0 = (1.0 + c) / 2.0 / a0, b1 = -(1.0 + c) / a0, b2 = b0;
  const double a1 = -2.0 * c / a0, a2 = (1.0 - al) / a0;
  const size_t hop = (size_t)(rate / 100.0);
  double x1 = 0, x2 = 0, y1 = 0, y2 = 0, prev[2] = {-200.0, -200.0};
  for (long r = 0; r < rows; r++) {
    double e = 0.0;
    for (size_t i = (size_t)r * hop; i < (size_t)(r + 1) * hop; i++) {
      const double v = i < n ? x[i] : 0.0;
      const double y = b0 * v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1, x1 = v, y2 = y1, y1 = y;
      e += y * y;
    }
    const double db = 10.0 * log10(e / (double)hop + 1e-20);
    out[r] = fmax(db, fmax(prev[0], prev[1]));
    prev[1] = prev[0], prev[0] = db;
  }
}

static int dominant_of(const double *m) {
  int best = 0;
  for (int k = 1; k < EV_N_EMOTIONS; k++)
    if (m[k] > m[best])
      best = k;
  return best;
}

static double max_diff(const double *a, const double *b) {
  double d = 0;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    d = fmax(d, fabs(a[i] - b[i]));
  return d;
}

int main(void) {
  const char *corpora = getenv("EMOVOX_CORPORA"), *root = getenv("EMOVOX_SOURCE_ROOT");
  if (!corpora || !root)
    EV_SKIP("EMOVOX_CORPORA or EMOVOX_SOURCE_ROOT not set");
  char path[4096], err[512];
  snprintf(path, sizeof path, "%s/models/emovox-default.safetensors", root);
  ev_model *model = ev_model_load_file(path, err, sizeof err);
  if (!model) {
    fprintf(stderr, "%s: %s\n", path, err);
    return 1;
  }
  const double rate = 48000;
  const size_t n = (size_t)(4 * rate);
  float *x = malloc(n * sizeof *x);
  static record on, off, dc;
  long sp, sp_ref;

  /* DC alone: no speech with the blocker; the gate took it for speech without it */
  for (size_t i = 0; i < n; i++)
    x[i] = 0.01f;
  analyse(model, rate, 20.0, x, n, &on);
  analyse(model, rate, 0, x, n, &off);
  sp = count_speech(&on);
  sp_ref = count_speech(&off);
  printf("DC 0.01 alone: %ld speech frames with the blocker, %ld without\n", sp, sp_ref);
  EV_CHECK(sp == 0, "DC alone is not speech (%ld speech frames)", sp);
  /* (the gate's spectral-movement criterion also refuses a constant spectrum, so without the
   * blocker DC no longer opens it either: both defences are checked, each on its own) */
  printf("  (without the blocker the gate's movement criterion refuses it: %ld frames)\n", sp_ref);
  EV_CHECK(sp_ref == 0, "the movement criterion alone refuses DC (%ld frames)", sp_ref);

  /* a slow drift: 0.2 Hz, amplitude 0.05 (-26 dBFS) */
  for (size_t i = 0; i < n; i++)
    x[i] = 0.05f * (float)sin(2.0 * M_PI * 0.2 * (double)i / rate);
  analyse(model, rate, 20.0, x, n, &on);
  analyse(model, rate, 0, x, n, &off);
  sp = count_speech(&on);
  sp_ref = count_speech(&off);
  printf("0.2 Hz drift: %ld speech frames with the blocker, %ld without\n", sp, sp_ref);
  EV_CHECK(sp == 0, "a slow drift is not speech (%ld speech frames)", sp);
  printf("  (without the blocker: %ld speech frames)\n", sp_ref);
  free(x);

  /* real speech: six actors (three male, three female), four emotions each */
  const int actors[] = {3, 8, 11, 12, 15, 20};
  const char *takes[] = {"03-01-05-02-01-01", "03-01-04-01-02-02", "03-01-03-02-01-02",
                         "03-01-01-01-02-01"};
  double worst = 0, worst_dc = 0, sum = 0;
  long removed_total = 0, removed_loud_total = 0, speech_total = 0;
  int tested = 0, same_dom = 0;
  for (size_t a = 0; a < sizeof actors / sizeof *actors; a++)
    for (size_t t = 0; t < sizeof takes / sizeof *takes; t++) {
      snprintf(path, sizeof path, "%s/RAVDESS/Audio_Speech_Actors_01-24/Actor_%02d/%s-%02d.flac",
               corpora, actors[a], takes[t], actors[a]);
      size_t m16;
      double r16;
      float *s16 = ev_ref_read_audio(path, &m16, &r16);
      if (!s16)
        EV_SKIP("%s not readable", path);
      size_t m = 0;
      float *y = test_resample_from_16k(s16, m16, (int)rate, &m);
      free(s16);
      if (!y)
        return 1;
      analyse(model, rate, 0, y, m, &off);
      analyse(model, rate, 20.0, y, m, &on);
      double mean[EV_N_EMOTIONS], ref[EV_N_EMOTIONS], with_dc[EV_N_EMOTIONS], base[EV_N_EMOTIONS];
      long common, common_dc, added = 0, removed = 0, removed_loud = 0;
      const int dom_on = common_means(&on, &off, mean, ref, &common);
      const int dom_off = common ? dominant_of(ref) : -1;
      const double d = max_diff(mean, ref);
      static double hp_db[MAX_FRAMES];
      level_above_20hz(y, m, rate, MAX_FRAMES, hp_db);
      for (long i = 0; i < on.frames && i < off.frames && i < MAX_FRAMES; i++) {
        added += on.speech[i] && !off.speech[i];
        removed += !on.speech[i] && off.speech[i];
        removed_loud += !on.speech[i] && off.speech[i] && hp_db[i] > -50.0;
      }
      sp = count_speech(&on);
      sp_ref = count_speech(&off);
      /* the same sentence under a DC offset of 0.01, with the blocker */
      for (size_t i = 0; i < m; i++)
        y[i] += 0.01f;
      analyse(model, rate, 20.0, y, m, &dc);
      const int dom_dc = common_means(&dc, &on, with_dc, base, &common_dc);
      const double d_dc = max_diff(with_dc, base);
      const long sp_dc = count_speech(&dc);
      printf("Actor_%02d %s: blocker moves the means by %.4f over %ld common speech frames "
             "(dominant %s / %s); gate %ld -> %ld frames (+%ld -%ld); +DC 0.01: %.4f, %ld "
             "frames\n",
             actors[a], takes[t], d, common, dom_on >= 0 ? ev_emotion_names[dom_on] : "none",
             dom_off >= 0 ? ev_emotion_names[dom_off] : "none", sp_ref, sp, added, removed, d_dc,
             sp_dc);
      /* The shipped model reads log-mel from 0 Hz: its lowest band holds the frame's DC bin,
       * which the blocker empties; measured 0.010 on average, 0.030 at most (0.025 even at a
       * 5 Hz cutoff: it is the DC bin, not the cutoff) */
      /* model 0.4 learnt through the blocker, so "off" is now the unfamiliar path: 0.050 on
       * average, 0.201 at most (Actor_08 happy, two emotions close); 0.054 / 0.273 since HNR,
       * H1-H2, H1-A3 and the formant amplitudes follow cHarmonics, 0.053 / 0.156 with eGeMAPS'
       * formant resynthesis too (issue 12; model 0.4 was trained on the previous descriptors);
       * model 0.5, trained on them: 0.031 on average, 0.111 at most */
      EV_CHECK(d <= 0.2, "Actor_%02d %s: the blocker moves the means by %.4f", actors[a], takes[t],
               d);
      if (dom_on != dom_off)
        printf("  Actor_%02d %s: the blocker changes the dominant\n", actors[a], takes[t]);
      /* The blocker opens the gate on no new frame; the frames it closes it on are subsonic
       * (e.g. Actor_03 sad, 2.88-2.98 s: -44 dBFS, but -62 dBFS above 20 Hz (sox highpass 20):
       * a breath or handling thump, not speech). Since the gate's default is -60 dBFS (was
       * -50) the run without the blocker also calls the rumble of RAVDESS's quieter takes,
       * -60 to -50 dBFS below 20 Hz, speech (95 of 363 frames of Actor_03's angry take), so
       * what is asserted is that few frames the blocker closes are loud above 20 Hz (above
       * -50 dBFS by the test's own high-pass; 48 of 4884 speech frames over the 24 sentences,
       * at most 15 in one, the edges of words): the voice itself stays speech. */
      EV_CHECK(added <= 2 + sp_ref / 100, "Actor_%02d %s: the blocker adds %ld speech frames",
               actors[a], takes[t], added);
      EV_CHECK(removed_loud <= 2 + sp_ref / 10,
               "Actor_%02d %s: the blocker removes %ld of %ld frames, %ld of them above -50 dBFS "
               "over 20 Hz",
               actors[a], takes[t], removed, sp_ref, removed_loud);
      removed_loud_total += removed_loud;
      EV_CHECK(d_dc <= 0.02 && dom_dc == dom_on && labs(sp_dc - sp) <= 2 + sp / 100,
               "Actor_%02d %s: under DC the answers move by %.4f, speech %ld vs %ld", actors[a],
               takes[t], d_dc, sp_dc, sp);
      removed_total += removed;
      speech_total += sp_ref;
      worst = fmax(worst, d);
      worst_dc = fmax(worst_dc, d_dc);
      sum += d;
      same_dom += dom_on == dom_off;
      tested++;
      free(y);
    }
  printf("%d sentences: the blocker moves the mean probabilities (over common speech frames) by "
         "%.4f on average, %.4f at most; dominant unchanged in %d; it closes the gate on %ld of "
         "%ld speech frames (%.1f %%; %ld above -50 dBFS over 20 Hz); a DC offset of 0.01 under "
         "speech moves them by %.4f at most\n",
         tested, sum / tested, worst, same_dom, removed_total, speech_total,
         100.0 * (double)removed_total / (double)(speech_total ? speech_total : 1),
         removed_loud_total, worst_dc);
  EV_CHECK(removed_loud_total * 50 <= speech_total,
           "the blocker closes the gate on %ld frames loud above 20 Hz of %ld speech frames",
           removed_loud_total, speech_total);
  EV_CHECK(sum / tested <= 0.07, "the blocker moves the means by %.4f on average", sum / tested);
  /* 0.2 model: 24 of 24; 0.3 (trained without the blocker): 23 of 24; 0.4 (trained through
   * it, so the sentences without it are the unfamiliar case): 21 of 24, each a close call
   * between two emotions; 20 of 24 with the eGeMAPS formants and harmonics of issue 12, which
   * model 0.4 was not trained on; 0.5 (trained on them): 19 of 24, every change a close call
   * (the means move by 0.031 on average, less than 0.4's 0.050) */
  EV_CHECK(same_dom >= tested - 5, "the blocker changes the dominant on %d of %d sentences",
           tested - same_dom, tested);
  ev_model_free(model);
  EV_TEST_END();
}
