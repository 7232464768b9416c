/* Tests of emovox-analyze on what users feed it (issue 14). Usage:
 * test_analyze_inputs MODE EMOVOX_ANALYZE BUNDLE, MODE one of
 *   longplot  --plot of a 400 s file (wider than a cairo image at 100 columns per second) is
 *             drawn, the spectrogram's columns follow the audio to the end (dark 4 s before
 *             a tone, bright on it); a silent file's
 *             spectrogram is dark (dB scale); a plot that cannot be written is reported and
 *             the analysis is kept
 *   compressed  MP3 (no Xing header, cover-art-sized ID3v2 tag: libsndfile only estimates its
 *             length) and Opus files made here from speech are analysed like the WAV
 *   names     x.wav and x.flac in one run both analysed (outputs keep the extension), ./x.wav
 *             and x.wav analysed once
 *   rates     4 kHz and 384 kHz files are resampled and agree with the same signal at 16 kHz
 *   early     a --model typo or a corrupt model stops the run before any work (exit 2); -o and
 *             --summary folders are created as mkdir -p would */
#include "ev_test.h"
#include "emovox_protocol.h" /* the bundle's model files */
#include "ta_util.h"

#include <cairo.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *exe, *bundle;
static char ravdess[4096];

static void need_corpus(void) {
  const char *c = getenv("EMOVOX_CORPORA");
  if (!c)
    EV_SKIP("EMOVOX_CORPORA not set");
  snprintf(ravdess, sizeof ravdess, "%s/RAVDESS/Audio_Speech_Actors_01-24", c);
  struct stat st;
  if (stat(ravdess, &st) != 0)
    EV_SKIP("no RAVDESS in %s", c);
}

static float *read_mono(const char *path, int64_t *frames, int *rate) {
  SF_INFO info = {0};
  SNDFILE *sf = sf_open(path, SFM_READ, &info);
  if (!sf)
    return NULL;
  float *x = malloc((size_t)info.frames * (size_t)info.channels * sizeof *x);
  sf_count_t got = sf_readf_float(sf, x, info.frames);
  sf_close(sf);
  for (sf_count_t i = 0; i < got; i++) {
    double sum = 0;
    for (int c = 0; c < info.channels; c++)
      sum += x[i * info.channels + c];
    x[i] = (float)(sum / info.channels);
  }
  *frames = got;
  *rate = info.samplerate;
  return x;
}

static int write_format(const char *path, int rate, int format, const float *x, int64_t frames) {
  SF_INFO info = {0};
  info.samplerate = rate;
  info.channels = 1;
  info.format = format;
  SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
  if (!sf) {
    printf("libsndfile cannot write %s: %s\n", path, sf_strerror(NULL));
    return -1;
  }
  if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG) { /* constant bit rate, as most MP3s */
    int mode = SF_BITRATE_MODE_CONSTANT;
    double level = 0.0; /* the highest bit rate: what is compared is decoding, not coding */
    sf_command(sf, SFC_SET_BITRATE_MODE, &mode, sizeof mode);
    sf_command(sf, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
  }
  sf_writef_float(sf, x, frames);
  sf_close(sf);
  return 0;
}

static void write_wav(const char *path, int rate, int channels, const float *x, int64_t frames) {
  SF_INFO info = {0};
  info.samplerate = rate;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
  EV_CHECK(sf != NULL, "write %s: %s", path, sf_strerror(NULL));
  if (!sf)
    return;
  sf_writef_float(sf, x, frames);
  sf_close(sf);
}

static int run(const char *err_path, char *const *args) {
  char *argv[32];
  int n = 0;
  argv[n++] = (char *)exe;
  argv[n++] = "--bundle";
  argv[n++] = (char *)bundle;
  for (int i = 0; args[i] && n < 31; i++)
    argv[n++] = args[i];
  argv[n] = NULL;
  return ta_run(argv, NULL, err_path);
}

/* ---- plots --------------------------------------------------------------------------------- */

/* The spectrogram panel of the 1600x1000 plot (ea_plot.c's layout, as in test_analyze.c). */
enum { PLOT_LEFT = 90, PLOT_PANEL_W = 1310 };
static const double spec_y = 220.16, spec_h = 279.84;

/* Mean luminance of the spectrogram panel's column x (inside its frame). */
static double spec_luminance(cairo_surface_t *s, int x) {
  const unsigned char *d = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  double sum = 0;
  int n = 0;
  for (int y = (int)spec_y + 3; y < (int)(spec_y + spec_h) - 3; y++, n++) {
    uint32_t v = *(const uint32_t *)(d + (size_t)y * (size_t)stride + 4 * (size_t)x);
    sum += 0.2126 * (v >> 16 & 255) + 0.7152 * (v >> 8 & 255) + 0.0722 * (v & 255);
  }
  return sum / n;
}

static void test_longplot(const char *tmp) {
  /* 400 s at 8 kHz: digital silence, then a loud harmonic tone from 380 s to the end. Before,
   * the spectrogram was an image of one column per 10 ms (40000 px), which cairo cannot make:
   * the tool crashed (exit 139). */
  const int rate = 8000;
  const int64_t n = (int64_t)400 * rate, tone_at = (int64_t)380 * rate;
  float *x = calloc((size_t)n, sizeof *x);
  for (int64_t i = tone_at; i < n; i++)
    for (int h = 1; h <= 8; h++)
      x[i] += 0.05f * (float)sin(2 * M_PI * 180.0 * h * (double)i / rate);
  char wav[4096], sil[4096], outdir[2048], log[4096], png[4096], silpng[4096], csv[4096];
  snprintf(wav, sizeof wav, "%s/long.wav", tmp);
  snprintf(sil, sizeof sil, "%s/silent.wav", tmp);
  snprintf(outdir, sizeof outdir, "%s/out", tmp);
  snprintf(log, sizeof log, "%s/long.log", tmp);
  write_wav(wav, rate, 1, x, n);
  write_wav(sil, rate, 1, x, (int64_t)3 * rate); /* the first 3 s: silence */
  free(x);
  char *args[] = {"-q", "-o", outdir, "--plot", wav, sil, NULL};
  int rc = run(log, args);
  EV_CHECK(rc == 0, "--plot of a 400 s file and a silent one: exit %d (139: the crash)", rc);

  snprintf(png, sizeof png, "%s/long.png", outdir);
  cairo_surface_t *s = cairo_image_surface_create_from_png(png);
  EV_CHECK(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, "cairo reads %s", png);
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
    EV_CHECK(cairo_image_surface_get_width(s) == 1600 && cairo_image_surface_get_height(s) == 1000,
             "1600x1000");
    /* the tone's last 20 s are bright, the silence before it dark, across the whole width */
    int x_silence = PLOT_LEFT + (int)(200.0 / 400 * PLOT_PANEL_W);
    int x_tone = PLOT_LEFT + (int)(390.0 / 400 * PLOT_PANEL_W);
    double l_sil = spec_luminance(s, x_silence), l_tone = spec_luminance(s, x_tone);
    /* 4 s before the tone: the spectrogram's columns (merged in pairs past 82 s, ea_plot.h)
     * keep their place in time */
    int x_before = PLOT_LEFT + (int)(376.0 / 400 * PLOT_PANEL_W);
    double l_before = spec_luminance(s, x_before);
    printf("long file: spectrogram luminance %.1f at 200 s (silence), %.1f at 376 s, %.1f at "
           "390 s (tone)\n",
           l_sil, l_before, l_tone);
    EV_CHECK(l_sil < 15, "silence dark: %.1f", l_sil);
    EV_CHECK(l_before < 15, "still dark 4 s before the tone: %.1f", l_before);
    EV_CHECK(l_tone > l_sil + 20, "the tone at 390 s shows: %.1f vs %.1f", l_tone, l_sil);
  }
  cairo_surface_destroy(s);

  /* A file of digital silence alone: before, its spectrogram was scaled to its own maximum
   * and drawn in the brightest colour. */
  snprintf(silpng, sizeof silpng, "%s/silent.png", outdir);
  s = cairo_image_surface_create_from_png(silpng);
  EV_CHECK(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, "cairo reads %s", silpng);
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
    double l = spec_luminance(s, PLOT_LEFT + PLOT_PANEL_W / 2);
    printf("silent file: spectrogram luminance %.1f\n", l);
    EV_CHECK(l < 15, "a silent file's spectrogram is dark: %.1f", l);
  }
  cairo_surface_destroy(s);

  /* A plot that cannot be written (a directory stands where the PNG goes): reported, the
   * time series and summary row kept, exit status 1. */
  char outdir2[2048], summary[4096], blocker[4096];
  snprintf(outdir2, sizeof outdir2, "%s/out2", tmp);
  snprintf(summary, sizeof summary, "%s/s2.csv", tmp);
  snprintf(blocker, sizeof blocker, "%s/silent.png", outdir2);
  mkdir(outdir2, 0777);
  mkdir(blocker, 0777);
  char *args2[] = {"-q", "-o", outdir2, "--summary", summary, "--plot", sil, NULL};
  rc = run(log, args2);
  char *text = ta_read_file(log, NULL);
  EV_CHECK(rc == 1, "unwritable plot: exit %d", rc);
  EV_CHECK(text && strstr(text, "silent.wav: plot not drawn"), "reported: %s", text ? text : "");
  snprintf(csv, sizeof csv, "%s/silent.csv", outdir2);
  EV_CHECK(access(csv, F_OK) == 0, "the time series is written all the same");
  ta_csv sum;
  EV_CHECK(ta_csv_read(&sum, summary) == 0 && sum.n_rows == 1, "the summary has the file's row");
  if (sum.n_rows)
    ta_csv_free(&sum);
  free(text);
  cairo_debug_reset_static_data();
}

/* ---- inputs ------------------------------------------------------------------------------- */

/* The summary row of `file` (its path as given) in the CSV, or -1. */
static int row_of(const ta_csv *c, const char *file) {
  int col = ta_csv_col(c, "file");
  for (size_t r = 0; col >= 0 && r < c->n_rows; r++)
    if (!strcmp(c->cells[r][col], file))
      return (int)r;
  return -1;
}

/* Largest difference of the eight mean probabilities of two summary rows. */
static double prob_distance(const ta_csv *c, int a, int b) {
  static const char *const names[] = {"neutral", "calm",    "happy",   "sad",
                                      "angry",   "fearful", "disgust", "surprised"};
  double d = 0;
  for (int e = 0; e < 8; e++) {
    int col = ta_csv_col(c, names[e]);
    d = fmax(d, fabs(ta_csv_num(c, (size_t)a, col) - ta_csv_num(c, (size_t)b, col)));
  }
  return d;
}

/* A constant-bit-rate MP3 without its Xing/Info frame (which carries the exact length) and
 * with an ID3v2 tag of 20 kB of padding (a cover picture's size): libsndfile (mpg123) then
 * estimates the length from the file size, tag included, and the stream ends earlier than
 * announced. (A variable-bit-rate MP3 without a Xing frame can be under-estimated instead;
 * libsndfile then stops reading at its estimate, which no reader on top of it can undo.) */
static int make_plain_mp3(const char *path, const float *x, int64_t n, int rate) {
  if (write_format(path, rate, SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, x, n))
    return -1;
  size_t len = 0;
  char *d = ta_read_file(path, &len);
  if (!d)
    return -1;
  for (size_t i = 0; i + 4 < len && i < 2048; i++)
    if (!memcmp(d + i, "Xing", 4) || !memcmp(d + i, "Info", 4))
      memcpy(d + i, "XXXX", 4); /* the frame stays, as a frame of silence */
  enum { PAD = 20000 };
  unsigned char id3[10] = {
      'I', 'D', '3', 3, 0, 0, (PAD >> 21) & 127, (PAD >> 14) & 127, (PAD >> 7) & 127, PAD & 127};
  FILE *f = fopen(path, "wb");
  if (!f) {
    free(d);
    return -1;
  }
  fwrite(id3, 1, sizeof id3, f);
  for (int i = 0; i < PAD; i++)
    fputc(0, f);
  fwrite(d, 1, len, f);
  fclose(f);
  free(d);
  return 0;
}

static void test_compressed(const char *tmp) {
  need_corpus();
  char src[8192];
  snprintf(src, sizeof src, "%s/Actor_02/03-01-05-01-02-01-02.flac", ravdess);
  int64_t n = 0;
  int rate = 0;
  float *x = read_mono(src, &n, &rate);
  EV_CHECK(x != NULL, "read %s", src);
  if (!x)
    return;
  /* 3 copies: longer than one MP3 frame's worth of estimate error, and the same speech */
  float *y = malloc((size_t)(3 * n) * sizeof *y);
  for (int k = 0; k < 3; k++)
    memcpy(y + k * n, x, (size_t)n * sizeof *y);
  n *= 3;
  free(x);
  char wav[4096], mp3[4096], opus[4096], summary[4096], log[4096];
  snprintf(wav, sizeof wav, "%s/speech.wav", tmp);
  snprintf(mp3, sizeof mp3, "%s/speech.mp3", tmp);
  snprintf(opus, sizeof opus, "%s/speech.opus", tmp);
  snprintf(summary, sizeof summary, "%s/summary.csv", tmp);
  snprintf(log, sizeof log, "%s/log", tmp);
  write_wav(wav, rate, 1, y, n);
  int have_mp3 = make_plain_mp3(mp3, y, n, rate) == 0;
  int have_opus = write_format(opus, rate, SF_FORMAT_OGG | SF_FORMAT_OPUS, y, n) == 0;
  free(y);
  if (!have_mp3 || !have_opus)
    EV_SKIP("this libsndfile writes no MP3 or no Opus (Debian 12's 1.2 writes both)");
  SF_INFO info = {0};
  SNDFILE *sf = sf_open(mp3, SFM_READ, &info);
  int64_t announced = sf ? info.frames : 0;
  if (sf)
    sf_close(sf);
  printf("MP3: libsndfile announces %lld frames for %lld samples of audio\n", (long long)announced,
         (long long)n);
  EV_CHECK(announced > n + 4096, "the test MP3 over-announces its length (%lld vs %lld)",
           (long long)announced, (long long)n);

  char *args[] = {"-q", "--summary", summary, wav, mp3, opus, NULL};
  int rc = run(log, args);
  char *text = ta_read_file(log, NULL);
  EV_CHECK(rc == 0, "WAV, MP3 and Opus analysed: exit %d; %s", rc, text ? text : "");
  free(text);
  ta_csv c;
  if (ta_csv_read(&c, summary)) {
    EV_CHECK(0, "read %s", summary);
    return;
  }
  int rw = row_of(&c, wav), rm = row_of(&c, mp3), ro = row_of(&c, opus);
  EV_CHECK(rw >= 0 && rm >= 0 && ro >= 0, "three rows (%d %d %d)", rw, rm, ro);
  if (rw >= 0 && rm >= 0 && ro >= 0) {
    int dur = ta_csv_col(&c, "duration_s"), sp = ta_csv_col(&c, "speech_ratio"),
        dom = ta_csv_col(&c, "dominant");
    double dw = ta_csv_num(&c, (size_t)rw, dur);
    for (int k = 0; k < 2; k++) {
      int r = k ? ro : rm;
      const char *what = k ? "Opus" : "MP3";
      double d = ta_csv_num(&c, (size_t)r, dur), pd = prob_distance(&c, rw, r);
      double sd = fabs(ta_csv_num(&c, (size_t)r, sp) - ta_csv_num(&c, (size_t)rw, sp));
      printf("%s: duration %.3f s (WAV %.3f), speech ratio differs by %.4f, means by %.4f, "
             "dominant %s (WAV %s)\n",
             what, d, dw, sd, pd, c.cells[r][dom], c.cells[rw][dom]);
      /* Opus trims its pre-skip exactly; an MP3 without its LAME tag keeps the encoder's and
       * decoder's delay, the padding of its last frame and the disabled Xing frame (measured
       * +0.137 s) */
      EV_CHECK(fabs(d - dw) < (k ? 0.02 : 0.2), "%s duration %.3f vs %.3f", what, d, dw);
      EV_CHECK(sd < 0.03, "%s speech ratio within 0.03 of the WAV's (%.4f)", what, sd);
      /* the codec changes the voice-quality statistics (jitter, shimmer, HNR) the 0.3 model
       * reads: 0.12 measured for the MP3 (0.2 model: < 0.06) */
      EV_CHECK(pd < 0.2, "%s mean probabilities within 0.2 of the WAV's (%.4f)", what, pd);
    }
  }
  ta_csv_free(&c);
}

static void test_names(const char *tmp) {
  /* x.wav and x.flac with the same audio, and the same x.wav named twice */
  const int rate = 16000;
  int64_t n = 2 * rate;
  float *x = malloc((size_t)n * sizeof *x);
  for (int64_t i = 0; i < n; i++)
    x[i] = 0.2f * (float)sin(2 * M_PI * 220.0 * (double)i / rate);
  char dir[2048], wav[4096], flac[4096], wav2[4096], outdir[4096], summary[4096], log[4096];
  snprintf(dir, sizeof dir, "%s/in", tmp);
  mkdir(dir, 0777);
  snprintf(wav, sizeof wav, "%s/x.wav", dir);
  snprintf(wav2, sizeof wav2, "%s/./x.wav", dir);
  snprintf(flac, sizeof flac, "%s/x.flac", dir);
  snprintf(outdir, sizeof outdir, "%s/out", tmp);
  snprintf(summary, sizeof summary, "%s/summary.csv", tmp);
  snprintf(log, sizeof log, "%s/log", tmp);
  write_wav(wav, rate, 1, x, n);
  write_format(flac, rate, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, x, n);
  free(x);
  char *args[] = {"-q", "-o", outdir, "--summary", summary, wav, wav2, flac, NULL};
  int rc = run(log, args);
  char *text = ta_read_file(log, NULL);
  EV_CHECK(rc == 0, "x.wav, ./x.wav and x.flac: exit %d (2: refused); %s", rc, text ? text : "");
  free(text);
  char p1[8192], p2[8192];
  snprintf(p1, sizeof p1, "%s/x.wav.csv", outdir);
  snprintf(p2, sizeof p2, "%s/x.flac.csv", outdir);
  EV_CHECK(access(p1, F_OK) == 0 && access(p2, F_OK) == 0, "outputs %s and %s", p1, p2);
  ta_csv c;
  if (ta_csv_read(&c, summary) == 0) {
    printf("summary rows: %zu\n", c.n_rows);
    EV_CHECK(c.n_rows == 2, "two rows (x.wav once, x.flac): %zu", c.n_rows);
    int a = row_of(&c, flac), b = row_of(&c, wav) >= 0 ? row_of(&c, wav) : row_of(&c, wav2);
    EV_CHECK(a >= 0 && b >= 0, "rows for both files");
    if (a >= 0 && b >= 0)
      EV_CHECK(prob_distance(&c, a, b) == 0, "the same audio gives the same row");
    ta_csv_free(&c);
  } else {
    EV_CHECK(0, "read %s", summary);
  }
}

/* A voice-like signal (a 140-200 Hz harmonic series, 1.6 kHz wide, in 4 Hz syllables) at any
 * rate: the same audio at 4, 16 and 384 kHz, nothing above 2 kHz. */
static float *voice_like(int rate, double seconds, int64_t *n) {
  *n = (int64_t)(seconds * rate);
  float *x = malloc((size_t)*n * sizeof *x);
  double phase = 0;
  for (int64_t i = 0; i < *n; i++) {
    double t = (double)i / rate;
    double f0 = 170 + 30 * sin(2 * M_PI * 0.7 * t);
    phase += 2 * M_PI * f0 / rate;
    double v = 0;
    for (int h = 1; h * 200 < 1600; h++)
      v += sin(h * phase) / h;
    double env = fmax(0.0, sin(2 * M_PI * 2.0 * t));
    x[i] = (float)(0.25 * env * v);
  }
  return x;
}

/* voice_like as a mono float WAV file at path. */
static void write_voice_like(const char *path, int rate, double seconds) {
  int64_t n;
  float *x = voice_like(rate, seconds, &n);
  SF_INFO info = {.samplerate = rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
  SNDFILE *sf = x ? sf_open(path, SFM_WRITE, &info) : NULL;
  EV_CHECK(sf != NULL, "write %s", path);
  if (sf) {
    sf_writef_float(sf, x, n);
    sf_close(sf);
  }
  free(x);
}

static void test_rates(const char *tmp) {
  const int rates[] = {16000, 4000, 384000};
  char paths[3][4096], summary[4096], log[4096];
  snprintf(summary, sizeof summary, "%s/summary.csv", tmp);
  snprintf(log, sizeof log, "%s/log", tmp);
  for (int k = 0; k < 3; k++) {
    snprintf(paths[k], sizeof paths[k], "%s/voice-%d.wav", tmp, rates[k]);
    write_voice_like(paths[k], rates[k], 4.0);
  }
  char *args[] = {"--summary", summary, paths[0], paths[1], paths[2], NULL};
  int rc = run(log, args);
  char *text = ta_read_file(log, NULL);
  EV_CHECK(rc == 0, "4, 16 and 384 kHz analysed: exit %d; %s", rc, text ? text : "");
  EV_CHECK(text && strstr(text, "voice-4000.wav: resampled from 4000 Hz to 16000 Hz") &&
               strstr(text, "voice-384000.wav: resampled from 384000 Hz to 16000 Hz") &&
               strstr(text, "3 analysed, 2 of them resampled to 16000 Hz"),
           "the resampling is reported: %s", text ? text : "");
  /* The 4 kHz file reaches the plugin at 16 kHz, so the analyser itself says that its band
   * (nothing above 2 kHz) is not what the model reads; the 16 and 384 kHz files hear no such
   * note (the plugin says it for rates from 8 to 16 kHz: plugin_robust). */
  const char *band = text ? strstr(text, "holds nothing above") : NULL;
  EV_CHECK(text && strstr(text, "voice-4000.wav: at 4000 Hz the audio holds nothing above 2 kHz") &&
               band && !strstr(band + 1, "holds nothing above") &&
               strstr(text, ", 1 of them below 16 kHz (unreliable)"),
           "one band note, for the 4 kHz file, and the tally: %s", text ? text : "");
  free(text);
  /* Two files at 8 kHz, which the plugin takes as they are: the note in full once (not the
   * plugin's own from each instance), then one line for the other file. With the bundle's
   * narrowband model (models/ ships one) they are read by it and the note says what to expect;
   * the default model, given with --model (or a bundle without the narrowband one), reads more
   * than they hold, and the note says the readings are unreliable; so does the narrowband
   * model given for two 11.025 kHz files, which may hold more than it heard. */
  char narrow[2][4096], wider[2][4096], nb_model[4200], wide_model[4200];
  for (int k = 0; k < 2; k++) {
    snprintf(narrow[k], sizeof narrow[k], "%s/narrow-%d.wav", tmp, k);
    write_voice_like(narrow[k], 8000, 2.0);
    snprintf(wider[k], sizeof wider[k], "%s/wider-%d.wav", tmp, k);
    write_voice_like(wider[k], 11025, 2.0);
  }
  snprintf(nb_model, sizeof nb_model, "%s/%s", bundle, EMOVOX_NARROWBAND_MODEL_FILE);
  snprintf(wide_model, sizeof wide_model, "%s/%s", bundle, EMOVOX_DEFAULT_MODEL_FILE);
  const int narrow_bundle = access(nb_model, F_OK) == 0;
  printf("narrowband model in the bundle: %s\n", narrow_bundle ? "yes" : "no");
  static const struct {
    int narrow_files, model; /* model: 0 the bundle's, 1 the default, 2 the narrowband one */
    const char *head, *kind, *line, *tally;
  } passes[] = {
      {1, 0, "at 8000 Hz the audio holds nothing above 4 kHz",
       "trained on speech heard through a 4 kHz band", "8000 Hz: read by the narrowband model",
       "2 analysed, 2 of them at 8 kHz (read by the narrowband model)"},
      {1, 1, "at 8000 Hz the audio holds nothing above 4 kHz", "reads speech up to 8 kHz",
       "8000 Hz, below 16 kHz: its reading is unreliable (see above)",
       "2 analysed, 2 of them below 16 kHz (unreliable)"},
      {0, 2, "at 11025 Hz the audio may hold speech up to 5.5125 kHz",
       "but the model heard only up to 4 kHz",
       "11025 Hz, more band than the model heard: its reading is unreliable (see above)",
       "2 analysed, 2 of them wider than the model's band (unreliable)"},
      {0, 0, "at 11025 Hz the audio holds nothing above 5.5125 kHz", "reads speech up to 8 kHz",
       "11025 Hz, below 16 kHz: its reading is unreliable (see above)",
       "2 analysed, 2 of them below 16 kHz (unreliable)"}};
  for (size_t p = 0; p < sizeof passes / sizeof passes[0]; p++) {
    /* without the narrowband model in the bundle: only what the default model reads */
    if (!narrow_bundle && (passes[p].model == 2 || (passes[p].narrow_files && !passes[p].model)))
      continue;
    char(*files)[4096] = passes[p].narrow_files ? narrow : wider;
    char *nargs[] = {"-j", "1", files[0], files[1], NULL, NULL, NULL};
    if (passes[p].model) {
      nargs[4] = "--model";
      nargs[5] = passes[p].model == 1 ? wide_model : nb_model;
    }
    rc = run(log, nargs);
    text = ta_read_file(log, NULL);
    band = text ? strstr(text, passes[p].head) : NULL;
    /* the run names both models when the bundle's differ (not with --model) */
    EV_CHECK(!text || (strstr(text, "for files at 8 kHz)") != NULL) == (passes[p].model == 0),
             "pass %zu: the opening line names the 8 kHz model only without --model: %s", p,
             text ? text : "");
    EV_CHECK(rc == 0 && band && !strstr(strstr(band, "Hz the audio") + 1, "Hz the audio") &&
                 strstr(band, passes[p].kind) && !strstr(text, "plugin warning") &&
                 strstr(text, passes[p].line) && strstr(text, passes[p].tally),
             "pass %zu: the note once (\"%s\"), a line for the second file, the tally: %s", p,
             passes[p].kind, text ? text : "");
    free(text);
  }
  ta_csv c;
  if (ta_csv_read(&c, summary)) {
    EV_CHECK(0, "read %s", summary);
    return;
  }
  int r16 = row_of(&c, paths[0]), dur = ta_csv_col(&c, "duration_s"),
      sp = ta_csv_col(&c, "speech_ratio");
  EV_CHECK(r16 >= 0 && c.n_rows == 3, "three rows");
  for (int k = 1; k < 3 && r16 >= 0; k++) {
    int r = row_of(&c, paths[k]);
    EV_CHECK(r >= 0, "a row for %s", paths[k]);
    if (r < 0)
      continue;
    double pd = prob_distance(&c, r16, r);
    double sd = fabs(ta_csv_num(&c, (size_t)r, sp) - ta_csv_num(&c, (size_t)r16, sp));
    printf("%d Hz vs 16 kHz: duration %.3f s, speech ratio %.4f vs %.4f, means differ by %.5f\n",
           rates[k], ta_csv_num(&c, (size_t)r, dur), ta_csv_num(&c, (size_t)r, sp),
           ta_csv_num(&c, (size_t)r16, sp), pd);
    EV_CHECK(fabs(ta_csv_num(&c, (size_t)r, dur) - 4.0) < 1e-9, "duration of the file: 4 s");
    EV_CHECK(ta_csv_num(&c, (size_t)r16, sp) > 0.3, "the 16 kHz reference has speech");
    EV_CHECK(sd <= 0.02, "speech ratio within 0.02 (%.4f)", sd);
    /* 384 kHz: the same band, only the resamplers' transition bands differ (0.009 measured
     * with the 0.2 model, 0.046 with 0.3, whose pitch statistics amplify small differences;
     * 0.079 with 0.5, 0.111 with 0.5 fed the frame-to-frame jitter walk it was not trained on:
     * on this jitter-free voice one onset frame's jitter flips between 0.003 and 0.05 with the
     * resampler, and the jitter spread follows; 0.091 with 0.6, trained on that walk). A 4
     * kHz file has nothing above 2 kHz, where the eGeMAPS model reads the voice's spectral balance
     * (alpha ratio 1-5 kHz, Hammarberg 2-5 kHz), so its answer is allowed to differ: analysed and
     * reported, not the same. */
    if (rates[k] > 16000)
      EV_CHECK(pd <= 0.12, "mean probabilities within 0.12 (%.5f)", pd);
  }
  ta_csv_free(&c);
}

static void test_early(const char *tmp) {
  const int rate = 16000;
  float x[16000] = {0};
  char wav[4096], log[4096], outdir[4096], summary[4096], probe[8192];
  snprintf(wav, sizeof wav, "%s/x.wav", tmp);
  snprintf(log, sizeof log, "%s/log", tmp);
  write_wav(wav, rate, 1, x, rate);

  /* a --model typo: exit 2, one message, nothing written */
  snprintf(outdir, sizeof outdir, "%s/o1", tmp);
  char *a1[] = {"-o", outdir, "--model", "emovox-defualt.safetensors", wav, NULL};
  int rc = run(log, a1);
  char *text = ta_read_file(log, NULL);
  printf("--model typo: exit %d: %s", rc, text ? text : "");
  EV_CHECK(rc == 2, "--model typo: exit %d", rc);
  EV_CHECK(text && strstr(text, "--model emovox-defualt.safetensors: No such file"),
           "one clear message");
  EV_CHECK(text && !strstr(text, "x.wav"), "no file was tried");
  free(text);

  /* a corrupt model (cut off in its header) in front of three files: one setup error, exit 2,
   * before any file is tried (each file used to be "skipped" with the reason, twice, exit 1) */
  char bad_model[4096];
  snprintf(bad_model, sizeof bad_model, "%s/cut.safetensors", tmp);
  FILE *mf = fopen(bad_model, "wb");
  if (mf) {
    fwrite("\x40\0\0\0\0\0\0\0{\"__metadata__\":{", 1, 24, mf);
    fclose(mf);
  }
  char *a0[] = {"-q", "--model", bad_model, wav, wav, wav, NULL};
  rc = run(log, a0);
  text = ta_read_file(log, NULL);
  printf("corrupt --model: exit %d: %s", rc, text ? text : "");
  EV_CHECK(rc == 2, "corrupt --model: exit %d", rc);
  EV_CHECK(text && strstr(text, "--model") && strstr(text, "truncated"), "the loader's reason");
  EV_CHECK(text && !strstr(text, "x.wav"), "no file was tried");
  free(text);

  /* -o a/b/c and --summary in missing folders: made, the run succeeds */
  snprintf(outdir, sizeof outdir, "%s/a/b/c", tmp);
  snprintf(summary, sizeof summary, "%s/s/t/summary.csv", tmp);
  char *a2[] = {"-q", "-o", outdir, "--summary", summary, wav, NULL};
  rc = run(log, a2);
  text = ta_read_file(log, NULL);
  EV_CHECK(rc == 0, "-o a/b/c --summary s/t/summary.csv: exit %d; %s", rc, text ? text : "");
  free(text);
  snprintf(probe, sizeof probe, "%s/x.csv", outdir);
  EV_CHECK(access(probe, F_OK) == 0, "%s written", probe);
  EV_CHECK(access(summary, F_OK) == 0, "%s written", summary);

  /* a --summary whose folder cannot be made (a file stands in its way): exit 2 before work */
  snprintf(summary, sizeof summary, "%s/x.wav/summary.csv", tmp);
  char *a3[] = {"-q", "--summary", summary, wav, NULL};
  rc = run(log, a3);
  text = ta_read_file(log, NULL);
  EV_CHECK(rc == 2, "--summary below a file: exit %d; %s", rc, text ? text : "");
  EV_CHECK(text && strstr(text, "--summary"), "named in the message");
  free(text);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s longplot|compressed|names|rates|early EMOVOX_ANALYZE BUNDLE\n",
            argv[0]);
    return 2;
  }
  exe = argv[2];
  bundle = argv[3];
  char *tmp = ta_mkdtemp();
  if (!tmp)
    EV_SKIP("no temporary directory");
  if (!strcmp(argv[1], "longplot"))
    test_longplot(tmp);
  else if (!strcmp(argv[1], "compressed"))
    test_compressed(tmp);
  else if (!strcmp(argv[1], "names"))
    test_names(tmp);
  else if (!strcmp(argv[1], "rates"))
    test_rates(tmp);
  else if (!strcmp(argv[1], "early"))
    test_early(tmp);
  else {
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
  }
  if (!ev_test_failures)
    ta_rm_rf(tmp);
  else
    fprintf(stderr, "outputs kept in %s\n", tmp);
  free(tmp);
  EV_TEST_END();
}
