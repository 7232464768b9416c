/* Architecture presets and the JSON configuration reader. The presets are JSON text in the
 * same format a user file has, so there is one parser and one place to read what they are. */
#include "ev_arch.h"

#include "ev_model.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct preset {
  const char *name;
  const char *json;
} preset;

/* Windows are in model steps; with frame_stride 2 one step is 20 ms, so 100 steps = 2 s. */
static const preset presets[] = {
    {"emovox-egemaps",
     "{\"name\":\"emovox-egemaps\",\"description\":\"the 0.3 default: the 88 eGeMAPS "
     "functionals (pitch, loudness, voice quality, formants, spectral balance) over the last 4 s, "
     "updated every 100 ms -> dense 128 -> dense 64 -> softmax, normalised with the training "
     "statistics only (no per-speaker adaptation: it removed what tells angry from calm)\","
     "\"features\":{\"n_mels\":64,\"fmax\":7000,\"n_mfcc\":40,\"inputs\":[\"egemaps_func\"],"
     "\"frame_stride\":10,\"func_window_s\":4},\"window\":1,\"analyzer_inputs\":true,"
     "\"normalization\":{\"mode\":\"global\"},"
     "\"architecture\":["
     "{\"type\":\"dense\",\"out\":128,\"activation\":\"relu\"},"
     "{\"type\":\"dense\",\"out\":64,\"activation\":\"relu\"},"
     "{\"type\":\"dense\"},{\"type\":\"softmax\"}]}"},
    {"emovox-egemaps-adapt",
     "{\"name\":\"emovox-egemaps-adapt\",\"description\":\"emovox-egemaps that adapts to "
     "the voice it hears: the same 88 eGeMAPS functionals (over the last 2 s since 0.9) and "
     "network, normalised from the "
     "training prior for the first 3 s of speech, then by running statistics of the voice "
     "(prior weight 5 s of speech, time constant 5 min); trained on every clip cold and as "
     "heard in a session of its speaker (session_items)\","
     "\"features\":{\"n_mels\":64,\"fmax\":7000,\"n_mfcc\":40,\"inputs\":[\"egemaps_func\"],"
     "\"frame_stride\":10,\"func_window_s\":2},\"window\":1,\"analyzer_inputs\":true,"
     "\"session_items\":true,\"normalization\":{\"mode\":\"adaptive\",\"tau_s\":300,"
     "\"prior_frames\":50,\"warmup_frames\":30},"
     "\"architecture\":["
     "{\"type\":\"dense\",\"out\":128,\"activation\":\"relu\"},"
     "{\"type\":\"dense\",\"out\":64,\"activation\":\"relu\"},"
     "{\"type\":\"dense\"},{\"type\":\"softmax\"}]}"},
    {"emovox-egemaps-mfcc",
     "{\"name\":\"emovox-egemaps-mfcc\",\"description\":\"the 0.11 default: "
     "emovox-egemaps-adapt reading also how the spectral shape moves: the 88 eGeMAPS "
     "functionals and the standard deviation of MFCC 1-19 (mfcc_func) over the last 2 s, "
     "updated every 100 ms -> dense 128 -> dense 64 -> softmax, adaptive normalisation after 3 s "
     "of speech, session items\","
     "\"features\":{\"n_mels\":64,\"fmax\":7000,\"n_mfcc\":20,\"inputs\":[\"egemaps_func\","
     "\"mfcc_func\"],\"frame_stride\":10,\"func_window_s\":2},\"window\":1,"
     "\"analyzer_inputs\":true,\"session_items\":true,\"normalization\":{\"mode\":"
     "\"adaptive\",\"tau_s\":300,\"prior_frames\":50,\"warmup_frames\":30},"
     "\"architecture\":["
     "{\"type\":\"dense\",\"out\":128,\"activation\":\"relu\"},"
     "{\"type\":\"dense\",\"out\":64,\"activation\":\"relu\"},"
     "{\"type\":\"dense\"},{\"type\":\"softmax\"}]}"},
    {"emovox-egemaps-spread",
     "{\"name\":\"emovox-egemaps-spread\",\"description\":\"emovox-egemaps-mfcc reading "
     "also how fast the spectrum moves and where: the deviations of the MFCCs' change over 20 ms "
     "(mfcc_delta_func, 19) and of the log-mel bands in pairs (logmel_func, 32) over the same 2 "
     "s; 158 inputs, the same network and normalisation\","
     "\"features\":{\"n_mels\":64,\"fmax\":7000,\"n_mfcc\":20,\"inputs\":[\"egemaps_func\","
     "\"mfcc_func\",\"mfcc_delta_func\",\"logmel_func\"],\"frame_stride\":10,"
     "\"func_window_s\":2},\"window\":1,"
     "\"analyzer_inputs\":true,\"session_items\":true,\"normalization\":{\"mode\":"
     "\"adaptive\",\"tau_s\":300,\"prior_frames\":50,\"warmup_frames\":30},"
     "\"architecture\":["
     "{\"type\":\"dense\",\"out\":128,\"activation\":\"relu\"},"
     "{\"type\":\"dense\",\"out\":64,\"activation\":\"relu\"},"
     "{\"type\":\"dense\"},{\"type\":\"softmax\"}]}"},
    {"emovox-egemaps-level",
     "{\"name\":\"emovox-egemaps-level\",\"description\":\"emovox-egemaps-mfcc that does not "
     "read the recording's gain: the 19 eGeMAPS statistics a gain moves (loudness, flux, "
     "equivalent sound level, the slopes' level term) made relative to the window's own level "
     "before normalisation\","
     "\"features\":{\"n_mels\":64,\"fmax\":7000,\"n_mfcc\":20,\"inputs\":[\"egemaps_func\","
     "\"mfcc_func\"],\"frame_stride\":10,\"func_window_s\":2},\"window\":1,"
     "\"analyzer_inputs\":true,\"session_items\":true,\"normalization\":{\"mode\":"
     "\"adaptive\",\"tau_s\":300,\"prior_frames\":50,\"warmup_frames\":30,\"level\":"
     "\"relative\"},"
     "\"architecture\":["
     "{\"type\":\"dense\",\"out\":128,\"activation\":\"relu\"},"
     "{\"type\":\"dense\",\"out\":64,\"activation\":\"relu\"},"
     "{\"type\":\"dense\"},{\"type\":\"softmax\"}]}"},
    {"emovox",
     "{\"name\":\"emovox\",\"description\":\"streaming conv-recurrent model: logmel+MFCC deltas"
     "+ZCR+RMS at 50 steps/s -> 2 dilated causal conv1d -> GRU 128 -> attention pool over 2 s -> "
     "dense 64 -> softmax\","
     "\"features\":{\"n_mels\":64,\"n_mfcc\":40,\"inputs\":[\"logmel\",\"mfcc_delta\",\"zcr\","
     "\"rms\"],\"frame_stride\":2},\"window\":100,"
     "\"normalization\":{\"mode\":\"adaptive\",\"tau_s\":10,\"prior_frames\":100},"
     "\"architecture\":["
     "{\"type\":\"conv1d\",\"out\":96,\"kernel\":3,\"dilation\":1,\"activation\":\"relu\"},"
     "{\"type\":\"conv1d\",\"out\":96,\"kernel\":3,\"dilation\":2,\"activation\":\"relu\"},"
     "{\"type\":\"gru\",\"hidden\":128},"
     "{\"type\":\"attnpool\",\"window\":100},"
     "{\"type\":\"dense\",\"out\":64,\"activation\":\"relu\"},"
     "{\"type\":\"dense\"},{\"type\":\"softmax\"}]}"},
    {"emovox-conv",
     "{\"name\":\"emovox-conv\",\"description\":\"the 0.2 default: conv1d 64 over 3 steps"
     " -> mean over 2 s -> dense 64 -> softmax (25k multiply-adds a step, 50 steps/s) on log-mel "
     "up to 7 kHz, MFCC deltas and RMS, inputs that host-rate resampling leaves intact\","
     "\"features\":{\"n_mels\":64,\"fmax\":7000,\"n_mfcc\":40,\"inputs\":[\"logmel\","
     "\"mfcc_delta\",\"rms\"],\"frame_stride\":2},\"window\":100,"
     "\"normalization\":{\"mode\":\"adaptive\",\"tau_s\":10,\"prior_frames\":100},"
     "\"architecture\":["
     "{\"type\":\"conv1d\",\"out\":64,\"kernel\":3,\"dilation\":1,\"activation\":\"relu\"},"
     "{\"type\":\"meanpool\",\"window\":100},"
     "{\"type\":\"dense\",\"out\":64,\"activation\":\"relu\"},"
     "{\"type\":\"dense\"},{\"type\":\"softmax\"}]}"},
    {"emovox-small",
     "{\"name\":\"emovox-small\",\"description\":\"the conv-recurrent design at 40% of the cost: "
     "conv1d 64 -> conv1d 64 d2 -> GRU 64 -> attention pool over 2 s -> dense 32 -> softmax\","
     "\"features\":{\"n_mels\":64,\"n_mfcc\":40,\"inputs\":[\"logmel\",\"mfcc_delta\",\"zcr\","
     "\"rms\"],\"frame_stride\":2},\"window\":100,"
     "\"normalization\":{\"mode\":\"adaptive\",\"tau_s\":10,\"prior_frames\":100},"
     "\"architecture\":["
     "{\"type\":\"conv1d\",\"out\":64,\"kernel\":3,\"dilation\":1,\"activation\":\"relu\"},"
     "{\"type\":\"conv1d\",\"out\":64,\"kernel\":3,\"dilation\":2,\"activation\":\"relu\"},"
     "{\"type\":\"gru\",\"hidden\":64},"
     "{\"type\":\"attnpool\",\"window\":100},"
     "{\"type\":\"dense\",\"out\":32,\"activation\":\"relu\"},"
     "{\"type\":\"dense\"},{\"type\":\"softmax\"}]}"},
    {"seed-bilstm",
     "{\"name\":\"seed-bilstm\",\"description\":\"seed (a): 2-layer BiLSTM on MFCC frames (each "
     "direction over a sliding 0.64 s window), mean over 2 s, dense -> softmax\","
     "\"features\":{\"n_mels\":64,\"n_mfcc\":40,\"inputs\":[\"mfcc\"],\"frame_stride\":2},"
     "\"window\":100,"
     "\"architecture\":["
     "{\"type\":\"bilstm\",\"hidden\":64,\"window\":32},"
     "{\"type\":\"bilstm\",\"hidden\":64,\"window\":32},"
     "{\"type\":\"meanpool\",\"window\":100},"
     "{\"type\":\"dense\"},{\"type\":\"softmax\"}]}"},
    {"seed-lstm",
     "{\"name\":\"seed-lstm\",\"description\":\"seed (b): time-averaged 40 MFCCs (running mean "
     "over 2 s) -> LSTM 123 -> dense 64 -> dense 32 -> softmax\","
     "\"features\":{\"n_mels\":64,\"n_mfcc\":40,\"inputs\":[\"mfcc\"],\"frame_stride\":2},"
     "\"window\":100,"
     "\"architecture\":["
     "{\"type\":\"meanpool\",\"window\":100},"
     "{\"type\":\"lstm\",\"hidden\":123},"
     "{\"type\":\"dense\",\"out\":64,\"activation\":\"relu\"},"
     "{\"type\":\"dense\",\"out\":32,\"activation\":\"relu\"},"
     "{\"type\":\"dense\"},{\"type\":\"softmax\"}]}"},
    {"seed-cnn-mel",
     "{\"name\":\"seed-cnn-mel\",\"description\":\"seed (c): 1-D CNN over time on 128-band "
     "log-mel frames, mean over 2 s, dense -> softmax\","
     "\"features\":{\"n_mels\":128,\"n_mfcc\":40,\"inputs\":[\"logmel\"],\"frame_stride\":2},"
     "\"window\":100,"
     "\"architecture\":["
     "{\"type\":\"conv1d\",\"out\":64,\"kernel\":5,\"dilation\":1,\"activation\":\"relu\"},"
     "{\"type\":\"conv1d\",\"out\":64,\"kernel\":5,\"dilation\":2,\"activation\":\"relu\"},"
     "{\"type\":\"meanpool\",\"window\":100},"
     "{\"type\":\"dense\"},{\"type\":\"softmax\"}]}"},
    {"seed-cnn-mfcc",
     "{\"name\":\"seed-cnn-mfcc\",\"description\":\"seed (d): 1-D CNN over time on MFCC+ZCR+RMS "
     "frames, mean over 2 s, dense -> softmax\","
     "\"features\":{\"n_mels\":64,\"n_mfcc\":40,\"inputs\":[\"mfcc\",\"zcr\",\"rms\"],"
     "\"frame_stride\":2},\"window\":100,"
     "\"architecture\":["
     "{\"type\":\"conv1d\",\"out\":64,\"kernel\":5,\"dilation\":1,\"activation\":\"relu\"},"
     "{\"type\":\"conv1d\",\"out\":64,\"kernel\":5,\"dilation\":2,\"activation\":\"relu\"},"
     "{\"type\":\"meanpool\",\"window\":100},"
     "{\"type\":\"dense\"},{\"type\":\"softmax\"}]}"},
    {"functionals",
     "{\"name\":\"functionals\",\"description\":\"baseline: mean, std, 10/50/90th percentiles of "
     "MFCC+ZCR+RMS+spectral shape over the utterance -> softmax regression\","
     "\"features\":{\"n_mels\":64,\"n_mfcc\":40,\"inputs\":[\"mfcc\",\"zcr\",\"rms\",\"centroid\","
     "\"bandwidth\",\"rolloff\",\"flatness\"],\"frame_stride\":1},\"window\":1,"
     "\"functionals\":true,"
     "\"architecture\":[{\"type\":\"dense\"},{\"type\":\"softmax\"}]}"},
};

int ev_arch_n_presets(void) {
  return (int)(sizeof presets / sizeof presets[0]);
}
const char *ev_arch_preset_name(int i) {
  return presets[i].name;
}
const char *ev_arch_preset_json(int i) {
  return presets[i].json;
}

void ev_arch_free(ev_arch *a) {
  free(a->layers_json);
  a->layers_json = NULL;
}

static int get_int(json_t *o, const char *key, int dflt, int lo, int hi, int *out, char *err,
                   size_t errlen) {
  json_t *v = json_object_get(o, key);
  if (!v) {
    *out = dflt;
    return 0;
  }
  if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
    snprintf(err, errlen, "architecture config: \"%s\" must be an integer in %d..%d", key, lo, hi);
    return -1;
  }
  *out = (int)json_integer_value(v);
  return 0;
}

int ev_arch_parse(const char *json, ev_arch *a, char *err, size_t errlen) {
  memset(a, 0, sizeof *a);
  json_error_t je;
  json_t *root = json_loads(json, 0, &je);
  if (!root || !json_is_object(root)) {
    snprintf(err, errlen, "architecture config is not a JSON object (line %d: %s)", je.line,
             je.text);
    json_decref(root);
    return -1;
  }
  int rc = -1;
  json_t *v;
  snprintf(a->name, sizeof a->name, "%s",
           json_is_string(v = json_object_get(root, "name")) ? json_string_value(v) : "custom");
  snprintf(a->description, sizeof a->description, "%s",
           json_is_string(v = json_object_get(root, "description")) ? json_string_value(v) : "");
  ev_feature_config_default(&a->input.features);
  ev_norm_config_default(&a->input.norm);
  json_t *feat = json_object_get(root, "features");
  if (!json_is_object(feat)) {
    snprintf(err, errlen, "architecture config needs a \"features\" object with \"inputs\"");
    goto done;
  }
  if (get_int(feat, "n_mels", a->input.features.n_mels, 1, 1024, &a->input.features.n_mels, err,
              errlen) ||
      get_int(feat, "n_mfcc", a->input.features.n_mfcc, 1, 1024, &a->input.features.n_mfcc, err,
              errlen) ||
      get_int(feat, "n_fft", a->input.features.n_fft, 16, 8192, &a->input.features.n_fft, err,
              errlen) ||
      get_int(feat, "win_length", a->input.features.win_length, 2, 8192,
              &a->input.features.win_length, err, errlen) ||
      get_int(feat, "hop_length", a->input.features.hop_length, 1, 8192,
              &a->input.features.hop_length, err, errlen) ||
      get_int(feat, "frame_stride", 1, 1, 64, &a->input.frame_stride, err, errlen) ||
      get_int(root, "window", 100, 1, 4096, &a->window, err, errlen))
    goto done;
  /* the mel range: a model can stay below the band that resamplers shape (docs/features.md) */
  if (json_is_number(v = json_object_get(feat, "fmin")))
    a->input.features.fmin = (float)json_number_value(v);
  if (json_is_number(v = json_object_get(feat, "fmax")))
    a->input.features.fmax = (float)json_number_value(v);
  if (json_is_number(v = json_object_get(feat, "func_window_s")))
    a->input.features.func_window_s = (float)json_number_value(v);
  if (ev_feature_config_check(&a->input.features, err, errlen))
    goto done;
  json_t *inputs = json_object_get(feat, "inputs");
  char *inputs_text = inputs ? json_dumps(inputs, JSON_COMPACT) : NULL;
  if (!inputs_text) {
    snprintf(err, errlen, "architecture config: features.inputs must be a list of names");
    goto done;
  }
  a->input.n_inputs =
      ev_model_parse_inputs(inputs_text, a->input.inputs, EV_FEAT_COUNT, err, errlen);
  free(inputs_text);
  if (a->input.n_inputs < 1)
    goto done;
  a->functionals = json_is_true(json_object_get(root, "functionals"));
  a->analyzer_inputs = json_is_true(json_object_get(root, "analyzer_inputs"));
  json_t *sessions = json_object_get(root, "session_items");
  a->session_items = json_is_true(sessions) ? 1.0f : 0.0f;
  if (json_is_number(sessions)) {
    double share = json_number_value(sessions);
    if (!(share >= 0.0 && share <= 1.0)) {
      snprintf(err, errlen, "architecture config: session_items must be true, false or 0..1");
      goto done;
    }
    a->session_items = (float)share;
  }
  json_t *norm = json_object_get(root, "normalization");
  if (json_is_object(norm)) {
    json_t *mode = json_object_get(norm, "mode");
    if (json_is_string(mode))
      a->input.norm.mode =
          strcmp(json_string_value(mode), "global") == 0 ? EV_NORM_GLOBAL : EV_NORM_ADAPTIVE;
    if (json_is_number(v = json_object_get(norm, "tau_s")))
      a->input.norm.tau_s = (float)json_number_value(v);
    if (json_is_number(v = json_object_get(norm, "prior_frames")))
      a->input.norm.prior_frames = (float)json_number_value(v);
    if (json_is_number(v = json_object_get(norm, "warmup_frames")))
      a->input.norm.warmup_frames = (float)json_number_value(v);
    json_t *level = json_object_get(norm, "level");
    if (level && (!json_is_string(level) || (strcmp(json_string_value(level), "relative") &&
                                             strcmp(json_string_value(level), "absolute")))) {
      snprintf(err, errlen,
               "architecture config: normalization.level must be \"relative\" or \"absolute\"");
      goto done;
    }
    a->input.norm.level_relative = level && !strcmp(json_string_value(level), "relative");
    a->speaker_dims_across = json_is_true(json_object_get(norm, "speaker_dims_across"));
    if (json_is_number(v = json_object_get(norm, "speaker_dims"))) {
      a->speaker_dims = (float)json_number_value(v);
      if (!(a->speaker_dims >= 0.0f && a->speaker_dims <= 1e6f)) {
        snprintf(err, errlen, "architecture config: speaker_dims must be a ratio >= 0");
        goto done;
      }
    }
  }
  /* the model loader's check, now rather than when the trained model is exported */
  if (ev_input_config_dims(&a->input, err, errlen) < 0)
    goto done;
  json_t *layers = json_object_get(root, "architecture");
  if (!json_is_array(layers)) {
    snprintf(err, errlen, "architecture config needs an \"architecture\" list of layers");
    goto done;
  }
  a->layers_json = json_dumps(layers, JSON_COMPACT);
  /* validate the layer list now (with a placeholder label count) */
  ev_layer_config tmp[EV_MODEL_MAX_LAYERS];
  if (!a->layers_json ||
      ev_model_parse_architecture(a->layers_json, tmp, EV_MODEL_MAX_LAYERS, 8, err, errlen) < 1)
    goto done;
  rc = 0;
done:
  json_decref(root);
  if (rc)
    ev_arch_free(a);
  return rc;
}

int ev_arch_load(const char *name_or_path, ev_arch *a, char *err, size_t errlen) {
  for (int i = 0; i < ev_arch_n_presets(); i++)
    if (!strcmp(name_or_path, presets[i].name))
      return ev_arch_parse(presets[i].json, a, err, errlen);
  FILE *f = fopen(name_or_path, "rb");
  if (!f) {
    char names[256] = "";
    for (int i = 0; i < ev_arch_n_presets(); i++) {
      strncat(names, presets[i].name, sizeof names - strlen(names) - 3);
      strncat(names, i + 1 < ev_arch_n_presets() ? ", " : "", sizeof names - strlen(names) - 1);
    }
    snprintf(err, errlen, "--arch %s: neither a preset (%s) nor a readable JSON file", name_or_path,
             names);
    return -1;
  }
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  if (len < 0 || len > (1 << 20)) {
    fclose(f);
    snprintf(err, errlen, "%s: not a plausible architecture file", name_or_path);
    return -1;
  }
  char *text = malloc((size_t)len + 1);
  size_t got = text ? fread(text, 1, (size_t)len, f) : 0;
  fclose(f);
  if (!text) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  text[got] = 0;
  int rc = ev_arch_parse(text, a, err, errlen);
  free(text);
  return rc;
}

int ev_arch_input_dims(const ev_arch *a) {
  return ev_input_config_dims(&a->input, NULL, 0);
}
