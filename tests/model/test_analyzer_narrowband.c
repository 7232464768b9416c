/* Telephone audio in a wide-band session is read by the narrowband companion
 * (ev_analyzer_attach_narrowband), and nothing else is. Real speech (RAVDESS sentences and the
 * openSMILE reference recordings, 16 kHz) is played at 48 kHz as recorded and after an 8 kHz
 * channel (the tests' own speexdsp resampler, independent of the analyser's libsoxr), each
 * through a fresh analyser running the shipped default model with the shipped narrowband model
 * attached:
 *   - wide-band speech never reaches the companion, and every frame's outputs are bit for bit
 *     those of the default model alone;
 *   - telephone speech is heard as such within a second of speech and stays so, and from then
 *     on the readings are those of the narrowband model alone on the same audio (the same
 *     inputs, a normaliser that heard the same frames; only the smoothing carries the first
 *     readings for a few hundred ms);
 *   - the outputs do not depend on the block size (bit for bit), and a restart replays the
 *     same reading (the switch on the same frame);
 *   - a companion is refused where it cannot help (a narrowband primary, a full-band companion,
 *     an 8 kHz host) with a reason.
 * The same as 16-bit files (dither): the wide-band one still never reaches the companion, the
 * telephone one is heard as such by its noise floor, within a second of speech.
 * Also prints what the file summaries name with and without the companion (a diagnostic: both
 * models heard these corpora in training). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_analyzer.h"
#include "ev_model.h"
#include "ev_ref.h"
#include "ev_test.h"
#include "test_resample.h"
#include "test_rng.h"

#define RATE 48000

typedef struct series {
  ev_outputs *rows;
  size_t n, cap;
} series;

static void on_frame(void *user, const ev_outputs *o) {
  series *s = user;
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 1024;
    s->rows = realloc(s->rows, s->cap * sizeof *s->rows);
    if (!s->rows) {
      fprintf(stderr, "out of memory\n");
      exit(1);
    }
  }
  s->rows[s->n++] = *o;
}

/* A fresh analyser at RATE running `model`, with `narrow` attached when not NULL, fed in
 * blocks of `block` samples (0: random sizes 1..2048); with `replay`, the audio once more after
 * a restart, and only the second pass recorded. */
/* 0: the analyses below run with the adaptive normaliser off (params.adapt) */
static int g_adapt = 1;

static series analyse(const ev_model *model, const ev_model *narrow, const float *x, size_t n,
                      uint32_t block, int replay) {
  char err[256];
  ev_analyzer *an = ev_analyzer_new(RATE, 2048, err, sizeof err);
  ev_model_runtime *rt = an ? ev_analyzer_prepare_model(an, model, err, sizeof err) : NULL;
  if (!rt || (narrow && ev_analyzer_attach_narrowband(an, rt, narrow, err, sizeof err) != 0)) {
    fprintf(stderr, "analyser: %s\n", err);
    exit(1);
  }
  ev_analyzer_swap_model(an, rt);
  if (!g_adapt) {
    ev_analyzer_params p;
    ev_analyzer_params_default(&p);
    p.adapt = 0;
    ev_analyzer_set_params(an, &p);
  }
  series s = {0};
  for (int pass = replay ? 0 : 1; pass < 2; pass++) {
    uint32_t rng = 7;
    if (pass == 1) {
      if (replay)
        ev_analyzer_restart(an);
      ev_analyzer_set_frame_callback(an, on_frame, &s);
    }
    for (size_t i = 0; i < n;) {
      uint32_t b = block ? block : 1 + test_xorshift32(&rng) % 2048;
      if (b > n - i)
        b = (uint32_t)(n - i);
      ev_analyzer_process(an, x + i, b);
      i += b;
    }
  }
  ev_analyzer_flush(an);
  ev_analyzer_free(an);
  ev_model_runtime_free(rt);
  return s;
}

/* The summary's dominant: the most probable emotion over the mean of the speech rows. */
static int summary_dominant(const series *s) {
  double sum[EV_N_EMOTIONS] = {0};
  int best = -1;
  for (size_t r = 0; r < s->n; r++)
    if (s->rows[r].dominant >= 0)
      for (int i = 0; i < EV_N_EMOTIONS; i++)
        sum[i] += s->rows[r].prob[i];
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    if (sum[i] > 0 && (best < 0 || sum[i] > sum[best]))
      best = i;
  return best;
}

/* Every output of every frame but the narrowband flag, bit for bit. */
static int same_outputs(const series *a, const series *b) {
  if (a->n != b->n)
    return 0;
  for (size_t r = 0; r < a->n; r++) {
    ev_outputs x = a->rows[r], y = b->rows[r];
    x.narrowband = y.narrowband = 0;
    if (memcmp(&x, &y, sizeof x) != 0)
      return 0;
  }
  return 1;
}

/* As stored in a 16-bit file: TPDF dither of one LSB and rounding (a deterministic generator),
 * the noise floor that fills a telephone channel's empty band. In place. */
static void store_16bit(float *x, size_t n) {
  uint32_t rng = 99;
  for (size_t i = 0; i < n; i++) {
    const double d = test_uniform01(&rng) - test_uniform01(&rng);
    x[i] = (float)(floor(x[i] * 32768.0 + d + 0.5) / 32768.0);
  }
}

/* The first frame the companion answered on (-1: never), the speech frames before it, and
 * whether it ever let go after. */
static long onset_of(const series *s, long *speech_before, int *flips) {
  long onset = -1;
  *speech_before = 0;
  *flips = 0;
  for (size_t r = 0; r < s->n; r++) {
    const ev_outputs *o = &s->rows[r];
    if (onset < 0 && o->narrowband)
      onset = (long)r;
    if (onset < 0 && o->dominant >= 0)
      (*speech_before)++;
    if (onset >= 0 && !o->narrowband)
      (*flips)++;
  }
  return onset;
}

static int same_series(const series *a, const series *b) {
  return a->n == b->n && memcmp(a->rows, b->rows, a->n * sizeof *a->rows) == 0;
}

static ev_model *load(const char *root, const char *file) {
  char path[4096], err[512];
  snprintf(path, sizeof path, "%s/models/%s", root, file);
  ev_model *m = ev_model_load_file(path, err, sizeof err);
  if (!m) {
    fprintf(stderr, "%s: %s\n", path, err);
    exit(1);
  }
  return m;
}

int main(void) {
  const char *corpora = getenv("EMOVOX_CORPORA"), *root = getenv("EMOVOX_SOURCE_ROOT");
  const char *reference = getenv("EMOVOX_REFERENCE"); /* reference/librosa */
  if (!corpora || !root || !reference)
    EV_SKIP("EMOVOX_CORPORA, EMOVOX_REFERENCE or EMOVOX_SOURCE_ROOT not set");
  ev_model *wide = load(root, "emovox-default.safetensors");
  ev_model *narrow = load(root, "emovox-narrowband.safetensors");

  /* Refused where a companion cannot help, with a reason. */
  char err[256];
  ev_analyzer *an = ev_analyzer_new(RATE, 512, err, sizeof err);
  ev_analyzer *an8 = ev_analyzer_new(8000, 512, err, sizeof err);
  EV_CHECK(an && an8, "analysers made");
  ev_model_runtime *rt_n = ev_analyzer_prepare_model(an, narrow, err, sizeof err);
  ev_model_runtime *rt_w = ev_analyzer_prepare_model(an, wide, err, sizeof err);
  ev_model_runtime *rt_8 = ev_analyzer_prepare_model(an8, wide, err, sizeof err);
  EV_CHECK(rt_n && rt_w && rt_8, "runtimes prepared");
  err[0] = '\0';
  EV_CHECK(ev_analyzer_attach_narrowband(an, rt_n, narrow, err, sizeof err) != 0 && err[0],
           "a narrowband primary takes no companion (%s)", err);
  err[0] = '\0';
  EV_CHECK(ev_analyzer_attach_narrowband(an, rt_w, wide, err, sizeof err) != 0 && err[0],
           "a full-band companion is refused (%s)", err);
  err[0] = '\0';
  EV_CHECK(ev_analyzer_attach_narrowband(an8, rt_8, narrow, err, sizeof err) != 0 && err[0],
           "at 8 kHz the companion is refused (%s)", err);
  EV_CHECK(ev_analyzer_attach_narrowband(an, rt_w, narrow, err, sizeof err) == 0, "attached: %s",
           err);
  EV_CHECK(ev_analyzer_attach_narrowband(an, rt_w, narrow, err, sizeof err) != 0,
           "a second companion is refused");
  ev_model_runtime_free(rt_n);
  ev_model_runtime_free(rt_w);
  ev_model_runtime_free(rt_8);
  ev_analyzer_free(an);
  ev_analyzer_free(an8);

  /* four actors, two sentences each, and the reference recordings of the other corpora */
  const char *clips[] = {
      "RAVDESS/Audio_Speech_Actors_01-24/Actor_03/03-01-05-02-01-01-03.flac",
      "RAVDESS/Audio_Speech_Actors_01-24/Actor_03/03-01-04-01-02-02-03.flac",
      "RAVDESS/Audio_Speech_Actors_01-24/Actor_08/03-01-06-02-02-02-08.flac",
      "RAVDESS/Audio_Speech_Actors_01-24/Actor_08/03-01-03-01-01-01-08.flac",
      "RAVDESS/Audio_Speech_Actors_01-24/Actor_11/03-01-02-02-01-02-11.flac",
      "RAVDESS/Audio_Speech_Actors_01-24/Actor_11/03-01-07-01-02-01-11.flac",
      "RAVDESS/Audio_Speech_Actors_01-24/Actor_16/03-01-08-02-02-01-16.flac",
      "RAVDESS/Audio_Speech_Actors_01-24/Actor_16/03-01-01-01-01-02-16.flac",
      "@speech_tess_yaf_happy.wav",
      "@speech_turev_1984_calm.wav",
      "@speech_urdu_sm4_angry.wav",
      "@speech_ravdess_a02_sad.wav",
  };
  const size_t n_clips = sizeof clips / sizeof *clips;
  int tested = 0, agree_narrow = 0, agree_wide = 0;
  long worst_onset = 0;
  double worst_diff = 0.0;
  for (size_t c = 0; c < n_clips; c++) {
    char path[4096];
    if (clips[c][0] == '@')
      snprintf(path, sizeof path, "%s/../opensmile/%s", reference, clips[c] + 1);
    else
      snprintf(path, sizeof path, "%s/%s", corpora, clips[c]);
    size_t n16, n_w, n_t;
    double rate;
    float *x = ev_ref_read_audio(path, &n16, &rate);
    if (!x)
      EV_SKIP("%s not readable", path);
    EV_CHECK(rate == 16000, "%s is 16 kHz", path);
    float *xw = test_resample_from_16k(x, n16, RATE, &n_w);
    float *xt = test_telephone_from_16k(x, n16, RATE, &n_t);
    if (!xw || !xt) {
      fprintf(stderr, "out of memory\n");
      return 1;
    }
    const char *name = strrchr(path, '/') + 1;

    /* wide-band: the companion never answers, and nothing changes */
    series w_with = analyse(wide, narrow, xw, n_w, 512, 0);
    series w_alone = analyse(wide, NULL, xw, n_w, 512, 0);
    int on = 0;
    for (size_t r = 0; r < w_with.n; r++)
      on |= w_with.rows[r].narrowband;
    EV_CHECK(!on, "%s wide-band at %d Hz: read as telephone audio", name, RATE);
    EV_CHECK(same_outputs(&w_with, &w_alone),
             "%s wide-band: outputs differ from the default "
             "model alone",
             name);

    /* both as 16-bit files: the wide-band one is still not telephone audio, the telephone one
     * (its empty band now holding the dither) is, by the noise floor */
    {
      float *w16 = malloc(n_w * sizeof *w16), *t16 = malloc(n_t * sizeof *t16);
      if (!w16 || !t16) {
        fprintf(stderr, "out of memory\n");
        return 1;
      }
      memcpy(w16, xw, n_w * sizeof *w16);
      memcpy(t16, xt, n_t * sizeof *t16);
      store_16bit(w16, n_w);
      store_16bit(t16, n_t);
      series w_d = analyse(wide, narrow, w16, n_w, 512, 0);
      series t_d = analyse(wide, narrow, t16, n_t, 512, 0);
      long before_w, before_t;
      int flips_w, flips_t;
      EV_CHECK(onset_of(&w_d, &before_w, &flips_w) < 0,
               "%s wide-band, 16-bit: read as telephone audio", name);
      const long on_t = onset_of(&t_d, &before_t, &flips_t);
      EV_CHECK(on_t >= 0 && before_t <= 100 && flips_t == 0,
               "%s telephone, 16-bit: the companion answered at frame %ld after %ld speech frames, "
               "let go in %d",
               name, on_t, before_t, flips_t);
      printf("%-28s 16-bit telephone copy: %ld speech frames before the switch\n", name, before_t);
      free(w_d.rows);
      free(t_d.rows);
      free(w16);
      free(t16);
    }

    /* telephone: heard as such within a second of speech, for good, and then the narrowband
     * model's reading */
    series t_with = analyse(wide, narrow, xt, n_t, 512, 0);
    series t_narrow = analyse(narrow, NULL, xt, n_t, 512, 0);
    series t_wide = analyse(wide, NULL, xt, n_t, 512, 0);
    long first_speech = -1, onset = -1, speech_before = 0;
    int flips = 0;
    for (size_t r = 0; r < t_with.n; r++) {
      const ev_outputs *o = &t_with.rows[r];
      if (first_speech < 0 && o->voice_activity > 0.5f)
        first_speech = (long)r;
      if (onset < 0 && o->narrowband)
        onset = (long)r;
      if (onset < 0 && o->dominant >= 0)
        speech_before++;
      if (r > 0 && onset >= 0 && !o->narrowband)
        flips++;
    }
    EV_CHECK(onset >= 0, "%s telephone: never read as telephone audio", name);
    EV_CHECK(speech_before <= 100, "%s telephone: %ld speech frames before the companion answered",
             name, speech_before);
    EV_CHECK(flips == 0, "%s telephone: the companion let go in %d frames", name, flips);
    if (speech_before > worst_onset)
      worst_onset = speech_before;
    EV_CHECK(t_with.n == t_narrow.n, "same frames");
    double diff = 0.0;
    for (size_t r = (size_t)(onset >= 0 ? onset : 0) + 200; r < t_with.n; r++) {
      for (int i = 0; i < EV_N_EMOTIONS; i++)
        diff = fmax(diff, fabs(t_with.rows[r].prob[i] - t_narrow.rows[r].prob[i]));
      EV_CHECK(t_with.rows[r].adapted == t_narrow.rows[r].adapted,
               "%s row %zu: the companion's normaliser heard other frames", name, r);
    }
    /* Not to the bit: the companion's normaliser heard every speech step from the start, but
     * before the switch its voice offset was measured from the centres of the reading the meters
     * showed (the default model's), where the model alone used its own. Those few steps weigh
     * in once it adapts (after 1 s of speech since narrowband 0.23, within this window; after 3
     * s before, beyond it, when this held to 2e-3): 0.005 at most measured. A companion whose
     * normaliser heard other frames fails the `adapted` check above. */
    EV_CHECK(diff < 1e-2,
             "%s telephone: 2 s after the switch the readings differ from the "
             "narrowband model alone by %.5f",
             name, diff);
    /* With the normaliser off nothing before the switch carries over: as strict as before. */
    g_adapt = 0;
    series off_with = analyse(wide, narrow, xt, n_t, 512, 0);
    series off_narrow = analyse(narrow, NULL, xt, n_t, 512, 0);
    g_adapt = 1;
    double diff_off = 0.0;
    for (size_t r = (size_t)(onset >= 0 ? onset : 0) + 200; r < off_with.n && r < off_narrow.n; r++)
      for (int i = 0; i < EV_N_EMOTIONS; i++)
        diff_off = fmax(diff_off, fabs(off_with.rows[r].prob[i] - off_narrow.rows[r].prob[i]));
    EV_CHECK(off_with.n == off_narrow.n && diff_off < 2e-3,
             "%s telephone, adaptation off: 2 s after the switch the readings differ from the "
             "narrowband model alone by %.5f",
             name, diff_off);
    free(off_with.rows);
    free(off_narrow.rows);
    worst_diff = fmax(worst_diff, diff);
    const int d16 = summary_dominant(&w_alone), dt = summary_dominant(&t_with),
              dw = summary_dominant(&t_wide);
    agree_narrow += dt == d16;
    agree_wide += dw == d16;
    printf("%-28s speech frames before the switch %3ld, wide-band reads %-9s telephone with "
           "the companion %-9s, default model alone %s\n",
           name, speech_before, d16 >= 0 ? ev_emotion_names[d16] : "-",
           dt >= 0 ? ev_emotion_names[dt] : "-", dw >= 0 ? ev_emotion_names[dw] : "-");

    /* block sizes and replay, on the first clip (where the switch happens mid-stream) */
    if (c == 0) {
      const uint32_t blocks[] = {1, 64, 1000, 0};
      for (size_t k = 0; k < sizeof blocks / sizeof *blocks; k++) {
        series b = analyse(wide, narrow, xt, n_t, blocks[k], 0);
        EV_CHECK(same_series(&b, &t_with), "block %u: outputs differ from block 512", blocks[k]);
        free(b.rows);
      }
      /* at 48 kHz a restart leaves the resampler's rounding (~3e-7) to the audio before
       * (ev_analyzer_reset): the switch on the same frame and the readings within 1e-4 */
      series again = analyse(wide, narrow, xt, n_t, 512, 1);
      EV_CHECK(again.n == t_with.n, "a restart replays as many frames");
      double replay_diff = 0.0;
      int same_switch = 1;
      for (size_t r = 0; r < again.n && r < t_with.n; r++) {
        same_switch &= again.rows[r].narrowband == t_with.rows[r].narrowband;
        for (int i = 0; i < EV_N_EMOTIONS; i++)
          replay_diff = fmax(replay_diff, fabs(again.rows[r].prob[i] - t_with.rows[r].prob[i]));
      }
      EV_CHECK(same_switch, "a restart replays the switch on the same frame");
      EV_CHECK(replay_diff < 1e-4, "a restart replays the same reading (within %.2g)", replay_diff);
      free(again.rows);
    }
    free(w_with.rows);
    free(w_alone.rows);
    free(t_with.rows);
    free(t_narrow.rows);
    free(t_wide.rows);
    free(x);
    free(xw);
    free(xt);
    tested++;
  }
  printf("%d clips: at most %ld speech frames before the companion answered, readings within "
         "%.5f of the narrowband model alone 2 s later; the file's emotion as at 16 kHz: %d with "
         "the companion, %d with the default model alone (diagnostic)\n",
         tested, worst_onset, worst_diff, agree_narrow, agree_wide);
  ev_model_free(wide);
  ev_model_free(narrow);
  EV_TEST_END();
}
