/* emovox-features: librosa-compatible frame features of an audio file, through the same
 * streaming extractor the plugin runs, block by block (stream_features.c gives the rows of
 * ev_extract_buffer = extractor + flush, bit for bit, with bounded memory). */
#include "ev_features.h"
#include "ev_stdout.h"
#include "stream_features.h"
#include "functionals_cmd.h"

#include <errno.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
  fprintf(f, "Usage: emovox-features [options] --feature NAME AUDIO\n"
             "Compute one frame feature of AUDIO (any format libsndfile reads, at 8-192 kHz;\n"
             "channels are averaged, the rate is converted to --sr) with librosa 0.10 semantics\n"
             "(center=False, periodic Hann, Slaney mel, top_db=None, deltas width 9 with\n"
             "librosa's edge rule).\n"
             "\n"
             "Options:\n"
             "  --feature NAME  power mel logmel mfcc mfcc_delta mfcc_delta2 zcr rms chroma\n"
             "                  centroid bandwidth rolloff flatness (required); prosody and\n"
             "                  voice quality (openSMILE eGeMAPS v02 descriptors): the groups\n"
             "                  pitch voice_quality formants loudness spectral_balance\n"
             "                  mfcc_egemaps, or one descriptor: f0 f0_hz voicing loudness\n"
             "                  jitter shimmer hnr h1_h2 h1_a3 f1 f1_bw f1_amp f2 f2_bw f2_amp\n"
             "                  f3 f3_bw f3_amp alpha_ratio hammarberg slope_0_500\n"
             "                  slope_500_1500 flux mfcc1_egemaps..mfcc4_egemaps; the\n"
             "                  plugin's sliding-window statistics (the last 4 s, every\n"
             "                  10th frame): egemaps_func (88), mfcc_func (the standard\n"
             "                  deviation of MFCC 1-19), mfcc_delta_func (of their change\n"
             "                  over 20 ms), logmel_func (of the log-mel bands in pairs)\n"
             "  --sr HZ         analysis sample rate (default 16000)\n"
             "  --n-fft N       FFT size (default 512)\n"
             "  --win N         window length, also the ZCR/RMS frame length (default 400)\n"
             "  --hop N         hop length (default 160)\n"
             "  --n-mels N      mel bands (default 64)\n"
             "  --fmin HZ       lowest mel frequency (default 0)\n"
             "  --fmax HZ       highest mel frequency (default sr/2, 8000)\n"
             "  --n-mfcc N      MFCC coefficients (default 40)\n"
             "  --functionals egemaps  instead of --feature: the 88 eGeMAPS v02 statistics of the\n"
             "                  whole file with openSMILE's names (CSV: header row, value row)\n"
             "  --format F      csv (one row per frame, default) or f32 (raw little-endian\n"
             "                  float32, row-major [frames, dims], like the librosa references)\n"
             "  -o FILE         output file (default: standard output)\n"
             "  -h, --help      this help;  -V, --version  the version\n"
             "\n"
             "Frames: 1 + floor((N - n_fft)/hop) for STFT features, 1 + floor((N - win)/hop) for\n"
             "zcr and rms, where N is the length at --sr. Example, chroma as librosa computes it\n"
             "at n_fft 2048:  emovox-features --n-fft 2048 --win 2048 --feature chroma in.wav\n");
}

static int parse_int(const char *opt, const char *s, int *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || end == s || v < -2147483647L || v > 2147483647L) {
    fprintf(stderr, "emovox-features: %s needs an integer, got '%s'\n", opt, s);
    return -1;
  }
  *out = (int)v;
  return 0;
}

static int parse_float(const char *opt, const char *s, float *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || *end || end == s) {
    fprintf(stderr, "emovox-features: %s needs a number, got '%s'\n", opt, s);
    return -1;
  }
  *out = (float)v;
  return 0;
}

int main(int argc, char **argv) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  const char *feature = NULL, *format = "csv", *out_path = NULL, *audio = NULL;
  const char *functionals = NULL;
  int fmax_given = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return ev_stdout_status("emovox-features", 0);
    }
    if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
      printf("emovox-features " EMOVOX_VERSION "\n");
      return ev_stdout_status("emovox-features", 0);
    }
    int takes_value = a[0] == '-' && a[1] != '\0';
    if (takes_value && i + 1 >= argc) {
      fprintf(stderr, "emovox-features: %s needs a value (see --help)\n", a);
      return 2;
    }
    int rc = 0;
    if (!strcmp(a, "--sr"))
      rc = parse_int(a, argv[++i], &cfg.sample_rate);
    else if (!strcmp(a, "--n-fft"))
      rc = parse_int(a, argv[++i], &cfg.n_fft);
    else if (!strcmp(a, "--win"))
      rc = parse_int(a, argv[++i], &cfg.win_length);
    else if (!strcmp(a, "--hop"))
      rc = parse_int(a, argv[++i], &cfg.hop_length);
    else if (!strcmp(a, "--n-mels"))
      rc = parse_int(a, argv[++i], &cfg.n_mels);
    else if (!strcmp(a, "--fmin"))
      rc = parse_float(a, argv[++i], &cfg.fmin);
    else if (!strcmp(a, "--fmax")) {
      rc = parse_float(a, argv[++i], &cfg.fmax);
      fmax_given = 1;
    } else if (!strcmp(a, "--n-mfcc"))
      rc = parse_int(a, argv[++i], &cfg.n_mfcc);
    else if (!strcmp(a, "--feature"))
      feature = argv[++i];
    else if (!strcmp(a, "--functionals"))
      functionals = argv[++i];
    else if (!strcmp(a, "--format"))
      format = argv[++i];
    else if (!strcmp(a, "-o"))
      out_path = argv[++i];
    else if (takes_value) {
      fprintf(stderr, "emovox-features: unknown option '%s' (see --help)\n", a);
      return 2;
    } else if (audio) {
      fprintf(stderr, "emovox-features: only one AUDIO file, got '%s' and '%s'\n", audio, a);
      return 2;
    } else
      audio = a;
    if (rc)
      return 2;
  }
  if (functionals && audio) /* functionals_cmd.c */
    return functionals_cmd(functionals, audio, out_path);
  if (!feature || !audio) {
    fprintf(stderr, "emovox-features: %s\n",
            !feature ? "--feature NAME is required (see --help)"
                     : "no AUDIO file given (see --help)");
    return 2;
  }
  int id = ev_feature_from_name(feature), column = -1; /* column: one descriptor of a group */
  if (id < 0 && ev_descriptor_from_name(feature, &id, &column)) {
    fprintf(stderr,
            "emovox-features: unknown feature '%s'; use one of power mel logmel mfcc "
            "mfcc_delta mfcc_delta2 zcr rms chroma centroid bandwidth rolloff flatness pitch "
            "voice_quality formants loudness spectral_balance mfcc_egemaps egemaps_func mfcc_func "
            "mfcc_delta_func logmel_func, "
            "or one descriptor:",
            feature);
    for (int i = 0; ev_descriptor_name(i); i++)
      fprintf(stderr, " %s", ev_descriptor_name(i));
    fprintf(stderr, "\n");
    return 2;
  }
  int csv = !strcmp(format, "csv");
  if (!csv && strcmp(format, "f32")) {
    fprintf(stderr, "emovox-features: --format must be csv or f32, got '%s'\n", format);
    return 2;
  }
  if (!fmax_given) /* librosa's default: fmax = sr / 2 */
    cfg.fmax = cfg.sample_rate / 2.0f;
  char err[256];
  if (ev_feature_config_check(&cfg, err, sizeof err)) {
    fprintf(stderr, "emovox-features: %s\n", err);
    return 2;
  }
  size_t rows = 0; /* stream_features.c: block by block, rows written as they are final */
  if (stream_features(&cfg, id, column, audio, out_path, csv, &rows))
    return 1;
  if (!rows) {
    int need = id == EV_FEAT_ZCR || id == EV_FEAT_RMS ? cfg.win_length : cfg.n_fft;
    if (id == EV_FEAT_MFCC_DELTA || id == EV_FEAT_MFCC_DELTA2)
      fprintf(stderr,
              "emovox-features: %s: deltas need at least %d frames (%d samples at %d Hz); the "
              "file is too short\n",
              audio, EV_DELTA_WIDTH, cfg.n_fft + (EV_DELTA_WIDTH - 1) * cfg.hop_length,
              cfg.sample_rate);
    else
      fprintf(stderr,
              "emovox-features: %s: shorter than one frame (%d samples at %d Hz); use a longer "
              "file or a smaller --n-fft/--win\n",
              audio, need, cfg.sample_rate);
    return 1;
  }
  return 0;
}
