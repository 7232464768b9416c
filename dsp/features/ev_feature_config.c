/* Feature configuration, names and dimensions. */
#include "ev_features.h"

#include <stdio.h>
#include <string.h>

static const char *const kNames[EV_FEAT_COUNT] = {"power",         "mel",
                                                  "logmel",        "mfcc",
                                                  "mfcc_delta",    "mfcc_delta2",
                                                  "zcr",           "rms",
                                                  "chroma",        "centroid",
                                                  "bandwidth",     "rolloff",
                                                  "flatness",      "pitch",
                                                  "voice_quality", "formants",
                                                  "loudness",      "spectral_balance",
                                                  "mfcc_egemaps",  "egemaps_func",
                                                  "mfcc_func",     "mfcc_delta_func",
                                                  "logmel_func"};

void ev_feature_config_default(ev_feature_config *cfg) {
  cfg->sample_rate = EV_MODEL_RATE;
  cfg->n_fft = 512;
  cfg->win_length = 400;
  cfg->hop_length = 160;
  cfg->n_mels = 64;
  cfg->fmin = 0.0f;
  cfg->fmax = 8000.0f;
  cfg->n_mfcc = 40;
  cfg->func_window_s = EV_FUNC_WINDOW_DEFAULT_S;
}

int ev_feature_config_check(const ev_feature_config *cfg, char *err, size_t errlen) {
  const char *why = NULL;
  char buf[160];
  if (cfg->sample_rate < 8000 || cfg->sample_rate > 192000)
    why = "sample_rate must be 8000..192000 Hz";
  else if (cfg->n_fft < 16 || cfg->n_fft > 65536 || cfg->n_fft % 2)
    why = "n_fft must be even and 16..65536";
  else if (cfg->win_length < 2 || cfg->win_length > cfg->n_fft)
    why = "win_length must be 2..n_fft";
  else if (cfg->hop_length < 1 || cfg->hop_length > cfg->n_fft)
    why = "hop_length must be 1..n_fft";
  else if (cfg->n_mels < 1 || cfg->n_mels > 1024)
    why = "n_mels must be 1..1024";
  else if (!(cfg->fmin >= 0.0f) || !(cfg->fmax > cfg->fmin) ||
           cfg->fmax > cfg->sample_rate / 2.0f + 1e-3f)
    why = "need 0 <= fmin < fmax <= sample_rate/2";
  else if (cfg->n_mfcc < 1 || cfg->n_mfcc > cfg->n_mels)
    why = "n_mfcc must be 1..n_mels";
  else if (!(cfg->func_window_s == 0.0f ||
             (cfg->func_window_s >= 0.1f && cfg->func_window_s <= 60.0f)))
    why = "func_window_s must be 0.1..60 s (0: the default)";
  if (!why)
    return 0;
  snprintf(buf, sizeof buf, "invalid feature configuration: %s", why);
  if (err && errlen)
    snprintf(err, errlen, "%s", buf);
  return -1;
}

const char *ev_feature_name(ev_feature_id id) {
  return (id >= 0 && id < EV_FEAT_COUNT) ? kNames[id] : "unknown";
}

int ev_feature_from_name(const char *name) {
  for (int i = 0; name && i < EV_FEAT_COUNT; i++)
    if (!strcmp(name, kNames[i]))
      return i;
  return -1;
}

int ev_feature_windowed(int id) {
  return id == EV_FEAT_EGEMAPS_FUNC || id == EV_FEAT_MFCC_FUNC || id == EV_FEAT_MFCC_DELTA_FUNC ||
         id == EV_FEAT_LOGMEL_FUNC;
}

int ev_logmel_func_bands(const ev_feature_config *cfg) {
  return (cfg->n_mels + 1) / 2;
}

int ev_mfcc_func_coefs(const ev_feature_config *cfg) {
  return cfg->n_mfcc - 1 < EV_MFCC_FUNC_COEFS ? cfg->n_mfcc - 1 : EV_MFCC_FUNC_COEFS;
}

int ev_feature_dims(const ev_feature_config *cfg, ev_feature_id id) {
  switch (id) {
  case EV_FEAT_POWER:
    return cfg->n_fft / 2 + 1;
  case EV_FEAT_MEL:
  case EV_FEAT_LOGMEL:
    return cfg->n_mels;
  case EV_FEAT_MFCC:
  case EV_FEAT_MFCC_DELTA:
  case EV_FEAT_MFCC_DELTA2:
    return cfg->n_mfcc;
  case EV_FEAT_CHROMA:
    return EV_N_CHROMA;
  case EV_FEAT_ZCR:
  case EV_FEAT_RMS:
  case EV_FEAT_CENTROID:
  case EV_FEAT_BANDWIDTH:
  case EV_FEAT_ROLLOFF:
  case EV_FEAT_FLATNESS:
  case EV_FEAT_LOUDNESS:
    return 1;
  case EV_FEAT_PITCH:
    return EV_PITCH_DIMS;
  case EV_FEAT_VOICE_QUALITY:
    return EV_VQ_DIMS;
  case EV_FEAT_FORMANTS:
    return EV_FMT_DIMS;
  case EV_FEAT_SPECTRAL_BALANCE:
    return EV_SB_DIMS;
  case EV_FEAT_MFCC_EGEMAPS:
    return EV_MFCC_EGEMAPS_DIMS;
  case EV_FEAT_EGEMAPS_FUNC:
    return EV_EGEMAPS_FUNC_DIMS;
  case EV_FEAT_MFCC_FUNC:
  case EV_FEAT_MFCC_DELTA_FUNC:
    return ev_mfcc_func_coefs(cfg);
  case EV_FEAT_LOGMEL_FUNC:
    return ev_logmel_func_bands(cfg);
  default:
    return 0;
  }
}
