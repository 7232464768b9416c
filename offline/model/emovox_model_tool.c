/* emovox-model: inspect Emovox model files and make random-weight models for tests. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "ev_analyzer.h"
#include "ev_model.h"
#include "ev_stdout.h"

static void usage_main(FILE *to) {
  fprintf(to, "usage: emovox-model <command> [options]\n"
              "\n"
              "commands:\n"
              "  info FILE      print a model's metadata, layers and parameters and validate it\n"
              "  random ...     write a model with random weights (for tests)\n"
              "\n"
              "Run 'emovox-model <command> --help' for the options of a command;\n"
              "'emovox-model --version' prints the version.\n");
}

static void usage_info(FILE *to) {
  fprintf(to, "usage: emovox-model info FILE\n"
              "\n"
              "Loads FILE with the same loader the plugin uses and prints its metadata, layers,\n"
              "parameter counts and size. Exit status 0 if the model is valid, 1 (with the\n"
              "reason) if it is not.\n");
}

static const struct {
  const char *name, *json, *what;
} presets[] = {
    {"tiny", "[{\"type\":\"dense\",\"out\":8,\"activation\":\"tanh\"},{\"type\":\"dense\"}]",
     "dense 8 tanh -> dense"},
    {"mlp",
     "[{\"type\":\"dense\",\"out\":64,\"activation\":\"relu\"},{\"type\":\"meanpool\","
     "\"window\":50},{\"type\":\"dense\",\"out\":32,\"activation\":\"relu\"},{\"type\":\"dense\"}]",
     "dense 64 relu -> meanpool 50 -> dense 32 relu -> dense"},
    {"gru", "[{\"type\":\"layernorm\"},{\"type\":\"gru\",\"hidden\":32},{\"type\":\"dense\"}]",
     "layernorm -> gru 32 -> dense"},
    {"conv",
     "[{\"type\":\"conv1d\",\"out\":32,\"kernel\":3,\"dilation\":1,\"activation\":\"relu\"},"
     "{\"type\":\"conv1d\",\"out\":32,\"kernel\":3,\"dilation\":2,\"activation\":\"relu\"},"
     "{\"type\":\"attnpool\",\"window\":100},{\"type\":\"dense\"}]",
     "conv1d 32 k3 -> conv1d 32 k3 d2 -> attnpool 100 -> dense"},
};

static void usage_random(FILE *to) {
  fprintf(to,
          "usage: emovox-model random --arch PRESET|JSON -o FILE [options]\n"
          "\n"
          "Writes a valid model with random weights (uniform, +-1/sqrt(fan-in)), for tests of\n"
          "the plugin and the analyser before a trained model exists. Its outputs mean nothing.\n"
          "\n"
          "  --arch A        a preset name or an architecture JSON list (docs/model.md);\n"
          "                  the last dense/conv1d layer may omit \"out\" (= number of labels)\n"
          "  -o, --output F  the file to write\n"
          "  --inputs LIST   feature names, comma-separated or a JSON list (default mfcc,rms)\n"
          "  --labels LIST   label names, comma-separated (default: the 8 canonical emotions)\n"
          "  --stride N      frame_stride (default 1)\n"
          "  --norm MODE     adaptive or global (default adaptive)\n"
          "  --n-mels N      mel bands (default 64)   --n-mfcc N  MFCC count (default 40)\n"
          "  --seed N        random seed (default 1)\n"
          "  --name NAME     model name (default random-<preset>)\n"
          "\n"
          "presets:\n");
  for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
    fprintf(to, "  %-6s %s\n", presets[i].name, presets[i].what);
}

static void print_feature_config(const ev_feature_config *c) {
  printf("features:     sample_rate %d, n_fft %d, win_length %d, hop_length %d, n_mels %d, "
         "fmin %g, fmax %g, n_mfcc %d\n",
         c->sample_rate, c->n_fft, c->win_length, c->hop_length, c->n_mels, (double)c->fmin,
         (double)c->fmax, c->n_mfcc);
}

static void print_layer(int i, const ev_layer *l, int appended) {
  printf("  %2d %-10s %5d -> %-5d", i, ev_layer_kind_name(l->kind), l->in_dim, l->out_dim);
  /* the attributes the kind reads, as the metadata orders them (out is shown above) */
  const unsigned attrs = ev_layer_kind_info_of(l->kind)->attrs & ~(unsigned)EV_ATTR_OUT;
  for (unsigned bit = 1; bit & EV_ATTR_ALL; bit <<= 1) {
    if (!(attrs & bit))
      continue;
    printf(" %s ", ev_layer_attr_name((ev_layer_attr)bit));
    if (bit == EV_ATTR_ACTIVATION)
      printf("%s", ev_activation_name(l->activation));
    else if (bit == EV_ATTR_EPS)
      printf("%g", (double)l->eps);
    else
      printf("%d", ev_layer_attr_int(l, (ev_layer_attr)bit));
  }
  printf("  params %zu%s\n", ev_layer_n_weights(l), appended ? "  (appended: not in file)" : "");
  for (int p = 0; p < l->n_params; p++) {
    printf("       %-18s [", l->params[p].name);
    for (int d = 0; d < l->params[p].ndim; d++)
      printf("%s%d", d ? "," : "", l->params[p].shape[d]);
    printf("]\n");
  }
}

/* Where the weights came from (the trainer's provenance): when, from which revision, by what
 * command. Files without provenance print nothing. */
static void print_provenance(const ev_model *m) {
  json_t *p = json_loads(ev_model_provenance(m), 0, NULL);
  const char *date = json_string_value(json_object_get(p, "date"));
  const char *rev = json_string_value(json_object_get(p, "revision"));
  const char *trainer = json_string_value(json_object_get(p, "trainer"));
  const char *command = json_string_value(json_object_get(p, "command"));
  if (date || rev || trainer)
    printf("trained:      %s%s%.12s%s%s\n", date ? date : "(date unknown)",
           rev ? ", revision " : "", rev ? rev : "", trainer ? ", " : "", trainer ? trainer : "");
  if (command)
    printf("command:      %s\n", command);
  json_decref(p);
}

static int cmd_info(int argc, char **argv) {
  if (argc != 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    usage_info(argc == 2 ? stdout : stderr);
    return argc == 2 ? 0 : 2;
  }
  const char *path = argv[1];
  char err[1024];
  ev_model *m = ev_model_load_file(path, err, sizeof err);
  if (!m) {
    fprintf(stderr, "emovox-model: invalid model: %s\n", err);
    printf("valid:        no (%s)\n", err);
    return 1;
  }
  struct stat st;
  long long size = stat(path, &st) ? -1 : (long long)st.st_size;
  printf("file:         %s (%lld bytes)\n", path, size);
  printf("name:         %s\n", ev_model_name(m));
  printf("version:      %s\n", ev_model_version(m)[0] ? ev_model_version(m) : "(none recorded)");
  const int band = ev_model_audio_band(m);
  printf("audio band:   0-%d Hz%s\n", band,
         band < ev_model_input_config(m)->features.sample_rate / 2
             ? " (trained on narrowband audio: the plugin's model at 8 kHz and for telephone audio "
               "at other rates)"
             : "");
  print_provenance(m);
  printf("format:       %s version %d\n", EV_MODEL_FORMAT, EV_MODEL_FORMAT_VERSION);
  const ev_input_config *in = ev_model_input_config(m);
  print_feature_config(&in->features);
  printf("inputs:      ");
  for (int i = 0; i < in->n_inputs; i++)
    printf(" %s(%d)", ev_feature_name((ev_feature_id)in->inputs[i]),
           ev_feature_dims(&in->features, (ev_feature_id)in->inputs[i]));
  printf(" = %d dims, frame_stride %d\n", ev_model_input_dims(m), in->frame_stride);
  const ev_norm_config *nc = &in->norm;
  printf("normalization: %s, tau_s %g, prior_frames %g, warmup_frames %g, level %s, clamp %g\n",
         ev_norm_mode_name(nc->mode), (double)nc->tau_s, (double)nc->prior_frames,
         (double)nc->warmup_frames, nc->level_relative ? "relative" : "absolute",
         (double)nc->clamp);
  if (nc->mode == EV_NORM_ADAPTIVE)
    printf("voice centre: %s\n",
           ev_model_norm_centres(m)
               ? "the offset from the centre of the emotion it hears (class centres, norm.centres)"
               : "the voice's running mean (no class centres)");
  if (nc->mode == EV_NORM_ADAPTIVE && ev_model_norm_centres(m) && nc->centre_confidence > 0.0f)
    printf("offset learns: in proportion to the reading's confidence above %g "
           "(norm.centre_confidence)\n",
           (double)nc->centre_confidence);
  printf("labels:       %d\n", ev_model_n_labels(m));
  for (int i = 0; i < ev_model_n_labels(m); i++) {
    int c = ev_model_label_canonical(m, i);
    if (c >= 0)
      printf("  %2d %-18s -> %s\n", i, ev_model_label(m, i), ev_emotion_names[c]);
    else
      printf("  %2d %-18s -> (no canonical slot: its probability is not reported)\n", i,
             ev_model_label(m, i));
  }
  printf("layers:       %d\n", ev_model_n_layers(m));
  for (int i = 0; i < ev_model_n_layers(m); i++)
    print_layer(i, ev_model_layer(m, i),
                ev_model_softmax_appended(m) && i == ev_model_n_layers(m) - 1);
  const double steps_per_s =
      1.0 / ((double)in->features.hop_length / in->features.sample_rate * in->frame_stride);
  printf("parameters:   %zu (%.1f KiB as F32)\n", ev_model_n_params(m),
         (double)ev_model_n_params(m) * 4.0 / 1024.0);
  printf("cost:         %.0f multiply-adds per step, %.2f M/s\n", ev_model_step_flops(m),
         ev_model_step_flops(m) * steps_per_s / 1e6);
  /* what the loader checked against its limits (docs/model.md, "Resource limits") */
  ev_model_cost cost;
  ev_model_get_cost(m, &cost);
  printf("compute:      %.2f M multiply-adds per second of audio (features %.2f M + layers "
         "%.2f M); limit %.0f M\n",
         (cost.feature_macs_per_s + cost.model_macs_per_s) / 1e6, cost.feature_macs_per_s / 1e6,
         cost.model_macs_per_s / 1e6, EV_MODEL_MAX_MACS_PER_S / 1e6);
  printf("memory:       %.2f MiB (weights %.2f MiB + streaming state and buffers %.2f MiB); "
         "limit %.0f MiB\n",
         (cost.weight_bytes + cost.runtime_bytes) / 1048576.0, cost.weight_bytes / 1048576.0,
         cost.runtime_bytes / 1048576.0, EV_MODEL_MAX_BYTES / 1048576.0);
  printf("provenance:   %s\n", ev_model_provenance(m));
  printf("valid:        yes\n");
  ev_model_free(m);
  /* the report is the command's result: one lost on a full disk (or > /dev/full) is a failure,
   * which exit() would flush without a word */
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "emovox-model: cannot write the report to standard output: %s\n",
            strerror(errno));
    return 1;
  }
  return 0;
}

static uint64_t rng_state = 1;
static double rng_uniform(void) { /* xorshift64*: reproducible across platforms */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* Splits "a,b,c" into a JSON list text. */
static char *csv_to_json(const char *s) {
  if (s[0] == '[')
    return strdup(s);
  size_t n = strlen(s);
  char *out = malloc(n * 3 + 8);
  if (!out)
    return NULL;
  char *p = out;
  *p++ = '[';
  *p++ = '"';
  for (const char *c = s; *c; c++) {
    if (*c == ',') {
      *p++ = '"';
      *p++ = ',';
      *p++ = '"';
    } else if (*c != '"' && *c != '\\' && *c != ' ') {
      *p++ = *c;
    }
  }
  *p++ = '"';
  *p++ = ']';
  *p = 0;
  return out;
}

static int cmd_random(int argc, char **argv) {
  const char *arch = NULL, *out = NULL, *inputs = "mfcc,rms", *labels = NULL, *name = NULL;
  const char *norm = "adaptive";
  int stride = 1, n_mels = 64, n_mfcc = 40;
  unsigned long long seed = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage_random(stdout);
      return 0;
    }
    if (!v) {
      fprintf(stderr, "emovox-model random: %s needs a value (see --help)\n", a);
      return 2;
    }
    i++;
    if (!strcmp(a, "--arch"))
      arch = v;
    else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
      out = v;
    else if (!strcmp(a, "--inputs"))
      inputs = v;
    else if (!strcmp(a, "--labels"))
      labels = v;
    else if (!strcmp(a, "--name"))
      name = v;
    else if (!strcmp(a, "--norm"))
      norm = v;
    else if (!strcmp(a, "--stride"))
      stride = atoi(v);
    else if (!strcmp(a, "--n-mels"))
      n_mels = atoi(v);
    else if (!strcmp(a, "--n-mfcc"))
      n_mfcc = atoi(v);
    else if (!strcmp(a, "--seed"))
      seed = strtoull(v, NULL, 10);
    else {
      fprintf(stderr, "emovox-model random: unknown option %s (see --help)\n", a);
      return 2;
    }
  }
  if (!arch || !out) {
    fprintf(stderr, "emovox-model random: --arch and -o are required (see --help)\n");
    return 2;
  }
  const char *arch_json = arch;
  char default_name[64];
  snprintf(default_name, sizeof default_name, "random-custom");
  for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
    if (!strcmp(arch, presets[i].name)) {
      arch_json = presets[i].json;
      snprintf(default_name, sizeof default_name, "random-%s", presets[i].name);
    }
  char err[1024];
  const char *label_names[EV_MODEL_MAX_LABELS];
  int n_labels = 0;
  char *label_buf = NULL;
  if (labels) {
    label_buf = strdup(labels);
    for (char *tok = strtok(label_buf, ","); tok && n_labels < EV_MODEL_MAX_LABELS;
         tok = strtok(NULL, ","))
      label_names[n_labels++] = tok;
  } else {
    for (int i = 0; i < EV_N_EMOTIONS; i++)
      label_names[n_labels++] = ev_emotion_names[i];
  }
  ev_layer_config layers[EV_MODEL_MAX_LAYERS];
  int n_layers = ev_model_parse_architecture(arch_json, layers, EV_MODEL_MAX_LAYERS, n_labels, err,
                                             sizeof err);
  int rc = 1;
  ev_model *m = NULL;
  char *inputs_json = csv_to_json(inputs);
  if (n_layers < 0) {
    fprintf(stderr, "emovox-model random: --arch: %s\n", err);
    goto done;
  }
  ev_model_desc d;
  memset(&d, 0, sizeof d);
  d.name = name ? name : default_name;
  ev_feature_config_default(&d.input.features);
  d.input.features.n_mels = n_mels;
  d.input.features.n_mfcc = n_mfcc;
  d.input.n_inputs = inputs_json ? ev_model_parse_inputs(inputs_json, d.input.inputs, EV_FEAT_COUNT,
                                                         err, sizeof err)
                                 : -1;
  if (d.input.n_inputs < 0) {
    fprintf(stderr, "emovox-model random: --inputs: %s\n", err);
    goto done;
  }
  d.input.frame_stride = stride;
  d.n_layers = n_layers;
  d.layers = layers;
  d.n_labels = n_labels;
  d.labels = label_names;
  ev_norm_config_default(&d.input.norm);
  if (!strcmp(norm, "global"))
    d.input.norm.mode = EV_NORM_GLOBAL;
  else if (strcmp(norm, "adaptive")) {
    fprintf(stderr, "emovox-model random: --norm must be adaptive or global\n");
    goto done;
  }
  char prov[256];
  snprintf(prov, sizeof prov,
           "{\"command\":\"emovox-model random\",\"seed\":%llu,\"note\":\"random weights, "
           "for tests only\"}",
           seed);
  d.provenance = prov;
  m = ev_model_create(&d, err, sizeof err);
  if (!m) {
    fprintf(stderr, "emovox-model random: %s\n", err);
    goto done;
  }
  rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (int i = 0; i < ev_model_n_layers(m); i++) {
    ev_layer *l = ev_model_layer_mut(m, i);
    for (int p = 0; p < l->n_params; p++) {
      ev_param *pr = &l->params[p];
      const int fan_in = pr->ndim >= 2 ? pr->shape[1] * (pr->ndim == 3 ? pr->shape[2] : 1)
                                       : (l->in_dim > 0 ? l->in_dim : 1);
      const double scale = 1.0 / sqrt((double)fan_in);
      const int is_norm_weight = l->kind == EV_LAYER_LAYERNORM && !strcmp(pr->name, "weight");
      for (size_t k = 0; k < pr->size; k++)
        pr->data[k] = is_norm_weight ? 1.0f : (float)((rng_uniform() * 2.0 - 1.0) * scale);
    }
  }
  if (ev_model_save(m, out, err, sizeof err)) {
    fprintf(stderr, "emovox-model random: %s\n", err);
    goto done;
  }
  printf("wrote %s: %s, %d layers, %zu parameters, %d inputs dims, %d labels\n", out,
         ev_model_name(m), ev_model_n_layers(m), ev_model_n_params(m), ev_model_input_dims(m),
         ev_model_n_labels(m));
  rc = 0;
done:
  free(inputs_json);
  free(label_buf);
  ev_model_free(m);
  return rc;
}

static int run(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    usage_main(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
    printf("emovox-model " EMOVOX_VERSION "\n");
    return 0;
  }
  if (!strcmp(argv[1], "info"))
    return cmd_info(argc - 1, argv + 1);
  if (!strcmp(argv[1], "random"))
    return cmd_random(argc - 1, argv + 1);
  fprintf(stderr, "emovox-model: unknown command \"%s\"\n", argv[1]);
  usage_main(stderr);
  return 2;
}

int main(int argc, char **argv) {
  return ev_stdout_status("emovox-model", run(argc, argv));
}
