/* Model container: metadata parsing and validation, weights, building and saving. */
#include "ev_model.h"
#include "ev_error.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ev_emotions.h"
#include "ev_layer_stack.h"
#include "ev_model_cost.h"
#include "ev_safetensors.h"

/* Every layer's parameters plus norm.mean and norm.std. */
#define MAX_TENSORS ((size_t)(EV_MODEL_MAX_LAYERS + 1) * EV_LAYER_MAX_PARAMS + 2)
/* Weights beyond this magnitude are refused: the product of two of them (any path through two
 * layers) overflows single precision for inputs of order 1, so such a network can only output
 * Inf/NaN. Trained weights are orders of magnitude below (the shipped model's largest is < 10). */
#define MAX_WEIGHT_MAGNITUDE 1e19f

struct ev_model {
  char *name;
  ev_input_config input;
  int input_dims;
  ev_layer_stack stack; /* the layers (a softmax appended if the file has none), the weights */
  int n_labels;
  char *labels[EV_MODEL_MAX_LABELS];
  int canonical[EV_MODEL_MAX_LABELS];
  float *norm_mean, *norm_std;
  float *norm_adapt;   /* per dimension 1 = adapts, 0 = stays on the prior; NULL: all adapt */
  float *norm_centres; /* n_labels x input_dims class centres (ev_input.h); NULL: none */
  char *provenance;
  char *version; /* the release, NULL when the file names none */
  int band_hz;   /* the highest audio frequency its training audio held; 0: sample_rate / 2 */
  char *architecture;
  int *spans; /* the dense layers' column spans (find_spans), NULL if none pays */
};

void ev_model_free(ev_model *m) {
  if (!m)
    return;
  free(m->name);
  for (int i = 0; i < m->n_labels; i++)
    free(m->labels[i]);
  free(m->norm_mean);
  free(m->norm_std);
  free(m->norm_adapt);
  free(m->norm_centres);
  free(m->provenance);
  free(m->version);
  free(m->architecture);
  free(m->spans);
  ev_layer_stack_free(&m->stack);
  free(m);
}

/* ---------------------------------------------------------------- JSON helpers */

/* An integer attribute in [lo, hi]; absent: *out = dflt. */
static int get_int(json_t *obj, const char *key, int dflt, int lo, int hi, int *out,
                   const char *where, char *err, size_t errlen) {
  json_t *v = json_object_get(obj, key);
  if (!v) {
    *out = dflt;
    return 0;
  }
  if (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v) &&
      fabs(json_real_value(v)) < 1e9)
    *out = (int)json_real_value(v);
  else if (json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi)
    *out = (int)json_integer_value(v);
  else
    return ev_fail(err, errlen, "%s: \"%s\" must be an integer in %d..%d", where, key, lo, hi);
  if (*out < lo || *out > hi)
    return ev_fail(err, errlen, "%s: \"%s\" must be an integer in %d..%d", where, key, lo, hi);
  return 0;
}

static int get_num(json_t *obj, const char *key, double dflt, double lo, double hi, float *out,
                   const char *where, char *err, size_t errlen) {
  json_t *v = json_object_get(obj, key);
  if (!v) {
    *out = (float)dflt;
    return 0;
  }
  if (!json_is_number(v) || !(json_number_value(v) >= lo && json_number_value(v) <= hi))
    return ev_fail(err, errlen, "%s: \"%s\" must be a number in %g..%g", where, key, lo, hi);
  *out = (float)json_number_value(v);
  return 0;
}

/* Refuses keys that are not in allowed (catches typos such as "hiden"). */
static int check_keys(json_t *obj, const char *const *allowed, const char *where, char *err,
                      size_t errlen) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    int ok = 0;
    for (int i = 0; allowed[i]; i++)
      if (!strcmp(key, allowed[i]))
        ok = 1;
    if (!ok)
      return ev_fail(err, errlen, "%s: unknown attribute \"%.40s\"", where, key);
  }
  return 0;
}

static json_t *parse_json_text(const char *text, const char *what, char *err, size_t errlen) {
  json_error_t jerr;
  json_t *j = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
  if (!j)
    ev_fail(err, errlen, "%s is not valid JSON (%.100s)", what, jerr.text);
  return j;
}

/* A float as the shortest decimal that reads back to the same float (1e-5, not
 * 9.9999997473787516e-06). */
static json_t *json_float(float v) {
  char text[32];
  for (int prec = 6; prec <= 9; prec++) {
    snprintf(text, sizeof text, "%.*g", prec, (double)v);
    if ((float)strtod(text, NULL) == v)
      break;
  }
  return json_real(strtod(text, NULL));
}

/* ---------------------------------------------------------------- architecture */

static int parse_layer(json_t *o, int idx, int is_last_weighted, int out_default,
                       ev_layer_config *c, char *err, size_t errlen) {
  static const char *const allowed[] = {"type",   "activation", "kernel", "dilation", "hidden",
                                        "window", "eps",        "out",    NULL};
  char where[48];
  snprintf(where, sizeof where, "architecture layer %d", idx);
  if (!json_is_object(o))
    return ev_fail(err, errlen, "%s is not a JSON object", where);
  json_t *type = json_object_get(o, "type");
  if (!json_is_string(type))
    return ev_fail(err, errlen, "%s has no \"type\" string", where);
  int kind = ev_layer_kind_from_name(json_string_value(type));
  if (kind < 0) {
    char known[160] = "";
    for (int k = 0; k < EV_LAYER_KIND_COUNT; k++)
      snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", k ? ", " : "",
               ev_layer_kind_name((ev_layer_kind)k));
    return ev_fail(err, errlen,
                   "%s: unknown layer type \"%.40s\" (known: %s); this model needs a newer Emovox",
                   where, json_string_value(type), known);
  }
  if (check_keys(o, allowed, where, err, errlen))
    return -1;
  ev_layer_config_default(c, (ev_layer_kind)kind);
  json_t *act = json_object_get(o, "activation");
  if (act) {
    int a = json_is_string(act) ? ev_activation_from_name(json_string_value(act)) : -1;
    if (a < 0)
      return ev_fail(err, errlen,
                     "%s: unknown activation (known: linear, relu, gelu, tanh, sigmoid)", where);
    c->activation = (ev_activation)a;
  }
  int dflt_out = is_last_weighted ? out_default : 0;
  if (get_int(o, "kernel", c->kernel, 1, 4096, &c->kernel, where, err, errlen) ||
      get_int(o, "dilation", c->dilation, 1, 4096, &c->dilation, where, err, errlen) ||
      get_int(o, "hidden", c->hidden, 0, 65536, &c->hidden, where, err, errlen) ||
      get_int(o, "window", c->window, 0, EV_LAYER_MAX_WINDOW, &c->window, where, err, errlen) ||
      get_int(o, "out", dflt_out, 0, 65536, &c->out_dim, where, err, errlen) ||
      get_num(o, "eps", c->eps, 1e-30, 1.0, &c->eps, where, err, errlen))
    return -1;
  return 0;
}

int ev_model_parse_architecture(const char *json, ev_layer_config *layers, int max_layers,
                                int out_default, char *err, size_t errlen) {
  json_t *a = parse_json_text(json, "architecture", err, errlen);
  if (!a)
    return -1;
  int n = -1;
  if (!json_is_array(a) || json_array_size(a) < 1) {
    ev_fail(err, errlen, "architecture must be a non-empty JSON list of layer objects");
    goto done;
  }
  if (json_array_size(a) > (size_t)max_layers) {
    ev_fail(err, errlen, "architecture has %zu layers; at most %d are supported",
            json_array_size(a), max_layers);
    goto done;
  }
  int count = (int)json_array_size(a);
  int last_weighted = -1; /* the last layer with an "out" may take its width from the labels */
  for (int i = 0; i < count; i++) {
    json_t *t = json_object_get(json_array_get(a, i), "type");
    int kind = ev_layer_kind_from_name(json_is_string(t) ? json_string_value(t) : "");
    if (kind >= 0 && ev_layer_kind_info_of((ev_layer_kind)kind)->attrs & EV_ATTR_OUT)
      last_weighted = i;
  }
  for (int i = 0; i < count; i++)
    if (parse_layer(json_array_get(a, i), i, i == last_weighted, out_default, &layers[i], err,
                    errlen))
      goto done;
  n = count;
done:
  json_decref(a);
  return n;
}

int ev_model_parse_inputs(const char *json, int *ids, int max, char *err, size_t errlen) {
  json_t *a = parse_json_text(json, "inputs", err, errlen);
  if (!a)
    return -1;
  int n = -1;
  if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > (size_t)max) {
    ev_fail(err, errlen, "inputs must be a JSON list of 1..%d feature names", max);
    goto done;
  }
  for (size_t i = 0; i < json_array_size(a); i++) {
    json_t *s = json_array_get(a, i);
    int id = json_is_string(s) ? ev_feature_from_name(json_string_value(s)) : -1;
    if (id < 0) {
      ev_fail(err, errlen,
              "inputs[%zu] is not a feature name (known: power, mel, logmel, mfcc, mfcc_delta, "
              "mfcc_delta2, zcr, rms, chroma, centroid, bandwidth, rolloff, flatness)",
              i);
      goto done;
    }
    ids[i] = id;
  }
  n = (int)json_array_size(a);
done:
  json_decref(a);
  return n;
}

/* One attribute's value as the metadata writes it. */
static json_t *attr_json(const ev_layer *l, ev_layer_attr attr) {
  if (attr == EV_ATTR_ACTIVATION)
    return json_string(ev_activation_name(l->activation));
  if (attr == EV_ATTR_EPS)
    return json_float(l->eps);
  return json_integer(ev_layer_attr_int(l, attr));
}

/* Each layer's type and the attributes its kind reads, in the attributes' order. */
static char *architecture_text(const ev_model *m) {
  json_t *a = json_array();
  for (int i = 0; i < m->stack.n_layers; i++) {
    const ev_layer *l = &m->stack.layers[i];
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(ev_layer_kind_name(l->kind)));
    const unsigned attrs = ev_layer_kind_info_of(l->kind)->attrs;
    for (unsigned bit = 1; bit & EV_ATTR_ALL; bit <<= 1)
      if (attrs & bit)
        json_object_set_new(o, ev_layer_attr_name((ev_layer_attr)bit),
                            attr_json(l, (ev_layer_attr)bit));
    json_array_append_new(a, o);
  }
  char *s = json_dumps(a, JSON_COMPACT | JSON_REAL_PRECISION(9));
  json_decref(a);
  return s;
}

/* The tensor exists with exactly this shape. */
static int check_tensor(const ev_st_file *f, const char *name, int ndim, const int *shape,
                        char *err, size_t errlen) {
  const ev_st_tensor *t = ev_st_find(f, name);
  if (!t)
    return ev_fail(err, errlen, "tensor %s is missing", name);
  int same = t->ndim == ndim;
  for (int d = 0; same && d < ndim; d++)
    same = t->shape[d] == shape[d];
  if (!same) {
    char want[64] = "", got[64] = "";
    for (int d = 0; d < ndim; d++)
      snprintf(want + strlen(want), sizeof want - strlen(want), "%s%d", d ? "," : "", shape[d]);
    for (int d = 0; d < t->ndim && d < EV_ST_MAX_DIMS; d++)
      snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", d ? "," : "",
               (long long)t->shape[d]);
    return ev_fail(err, errlen,
                   "tensor %s has shape [%s] but the architecture needs [%s]; the weights do not "
                   "belong to this architecture",
                   name, got, want);
  }
  return 0;
}

/* ---------------------------------------------------------------- shared construction */

/* At load, a dense or conv1d layer's width is its weight tensor's first dimension. */
static int tensor_width(void *ctx, int i, ev_layer_config *c, char *err, size_t errlen) {
  const ev_st_file *f = ctx;
  char name[64];
  snprintf(name, sizeof name, "layers.%d.weight", i);
  const ev_st_tensor *w = ev_st_find(f, name);
  if (!w || w->ndim < 1)
    return ev_fail(err, errlen, "tensor %s is missing (layer %d is %s)", name, i,
                   ev_layer_kind_name(c->kind));
  if (w->shape[0] > 65536 || w->shape[0] < 1)
    return ev_fail(err, errlen, "tensor %s: output width %lld is outside 1..65536", name,
                   (long long)w->shape[0]);
  if (c->out_dim && c->out_dim != (int)w->shape[0])
    return ev_fail(err, errlen, "layer %d: \"out\" is %d but %s has %lld rows", i, c->out_dim, name,
                   (long long)w->shape[0]);
  c->out_dim = (int)w->shape[0];
  return 0;
}

/* The layer stack from the inputs to the labels, then its arena. f (a file being loaded, or
 * NULL): widths come from its tensors, which are checked before anything is allocated. */
static int build_layers(ev_model *m, const ev_layer_config *cfg, int n, const ev_st_file *f,
                        char *err, size_t errlen) {
  if (ev_layer_stack_init(&m->stack, cfg, n, m->input_dims, m->n_labels, f ? tensor_width : NULL,
                          (void *)f, err, errlen))
    return -1;
  if (f) {
    /* A file is untrusted: every tensor must be there with its shape, and the model must fit
     * the resource limits, before anything is allocated for it (a 3 KB file could otherwise
     * claim gigabytes of weights; docs/model.md). */
    for (int i = 0; i < m->stack.n_layers; i++)
      for (int p = 0; p < m->stack.layers[i].n_params; p++) {
        char tname[96];
        snprintf(tname, sizeof tname, "layers.%d.%s", i, m->stack.layers[i].params[p].name);
        if (check_tensor(f, tname, m->stack.layers[i].params[p].ndim,
                         m->stack.layers[i].params[p].shape, err, errlen))
          return -1;
      }
    ev_model_cost cost;
    ev_model_cost_compute(&m->input, m->input_dims, m->stack.layers, m->stack.n_layers, &cost);
    if (ev_model_cost_check(&cost, err, errlen))
      return -1;
  }
  return ev_layer_stack_alloc(&m->stack, err, errlen);
}

static int set_labels(ev_model *m, const char *const *labels, int n, char *err, size_t errlen) {
  if (n < 1 || n > EV_MODEL_MAX_LABELS)
    return ev_fail(err, errlen, "a model needs 1..%d labels, got %d", EV_MODEL_MAX_LABELS, n);
  for (int i = 0; i < n; i++) {
    if (!labels[i] || !*labels[i] || strlen(labels[i]) > 64)
      return ev_fail(err, errlen, "label %d is empty or longer than 64 characters", i);
    m->labels[i] = strdup(labels[i]);
    if (!m->labels[i])
      return ev_fail(err, errlen, "out of memory");
    m->n_labels = i + 1;
    m->canonical[i] = ev_emotion_from_name(labels[i]);
    for (int j = 0; j < i; j++) {
      if (!strcasecmp(labels[i], labels[j]))
        return ev_fail(err, errlen, "label \"%s\" appears twice", labels[i]);
      if (m->canonical[i] >= 0 && m->canonical[i] == m->canonical[j])
        return ev_fail(err, errlen, "labels \"%s\" and \"%s\" both stand for the same emotion",
                       labels[j], labels[i]);
    }
  }
  return 0;
}

/* Checks m->input and allocates the prior for its dimensions. */
static int set_inputs(ev_model *m, char *err, size_t errlen) {
  int dims = ev_input_config_dims(&m->input, err, errlen);
  if (dims < 0)
    return -1;
  m->input_dims = dims;
  m->norm_mean = calloc((size_t)dims, sizeof(float));
  m->norm_std = calloc((size_t)dims, sizeof(float));
  if (!m->norm_mean || !m->norm_std)
    return ev_fail(err, errlen, "out of memory");
  return 0;
}

int ev_model_set_provenance(ev_model *m, const char *json, char *err, size_t errlen) {
  json_t *p = parse_json_text(json ? json : "{}", "provenance", err, errlen);
  if (!p)
    return -1;
  int ok = json_is_object(p);
  json_decref(p);
  if (!ok)
    return ev_fail(err, errlen, "provenance must be a JSON object");
  char *copy = strdup(json ? json : "{}");
  if (!copy)
    return ev_fail(err, errlen, "out of memory");
  free(m->provenance);
  m->provenance = copy;
  return 0;
}

int ev_model_check_version(const char *v, char *err, size_t errlen) {
  size_t n = v ? strlen(v) : 0;
  int ok = n >= 1 && n <= EV_MODEL_VERSION_MAX;
  for (size_t i = 0; ok && i < n; i++)
    ok = v[i] > ' ' && v[i] < 0x7f;
  if (!ok)
    return ev_fail(err, errlen,
                   "the model version must be 1..%d printable characters without spaces, such "
                   "as \"0.17\"",
                   EV_MODEL_VERSION_MAX);
  return 0;
}

int ev_model_set_audio_band(ev_model *m, int hz, char *err, size_t errlen) {
  const int nyquist = m->input.features.sample_rate / 2;
  if (hz != 0 && (hz < EV_MODEL_BAND_MIN_HZ || hz > nyquist))
    return ev_fail(err, errlen,
                   "the audio band must be %d..%d Hz (half the model's %d Hz rate), not %d Hz",
                   EV_MODEL_BAND_MIN_HZ, nyquist, m->input.features.sample_rate, hz);
  m->band_hz = hz == nyquist ? 0 : hz;
  return 0;
}

int ev_model_set_version(ev_model *m, const char *v, char *err, size_t errlen) {
  char *copy = NULL;
  if (v && v[0]) {
    if (ev_model_check_version(v, err, errlen))
      return -1;
    if (!(copy = strdup(v)))
      return ev_fail(err, errlen, "out of memory");
  }
  free(m->version);
  m->version = copy;
  return 0;
}

ev_model *ev_model_create(const ev_model_desc *d, char *err, size_t errlen) {
  ev_model *m = calloc(1, sizeof *m);
  if (!m) {
    ev_fail(err, errlen, "out of memory");
    return NULL;
  }
  m->input = d->input;
  m->name = strdup(d->name ? d->name : "unnamed");
  if (!m->name || d->n_layers < 1 || d->n_layers > EV_MODEL_MAX_LAYERS || !d->layers) {
    ev_fail(err, errlen, "a model needs 1..%d layers", EV_MODEL_MAX_LAYERS);
    goto bad;
  }
  if (d->input.n_inputs < 1 || d->input.n_inputs > EV_FEAT_COUNT) {
    ev_fail(err, errlen, "a model needs 1..%d input features", EV_FEAT_COUNT);
    goto bad;
  }
  if (set_labels(m, d->labels, d->n_labels, err, errlen) || set_inputs(m, err, errlen) ||
      build_layers(m, d->layers, d->n_layers, NULL, err, errlen) ||
      ev_model_set_provenance(m, d->provenance, err, errlen))
    goto bad;
  if (d->weights) /* the same stack, so the same layout */
    memcpy(m->stack.w, d->weights, m->stack.n_params * sizeof *m->stack.w);
  for (int i = 0; i < m->input_dims; i++)
    m->norm_std[i] = 1.0f;
  m->architecture = architecture_text(m);
  if (!m->architecture) {
    ev_fail(err, errlen, "out of memory");
    goto bad;
  }
  return m;
bad:
  ev_model_free(m);
  return NULL;
}

/* ---------------------------------------------------------------- loading */

static int parse_features(ev_model *m, const char *text, char *err, size_t errlen) {
  static const char *const allowed[] = {
      "sample_rate", "n_fft",  "win_length", "hop_length",   "n_mels",        "fmin",
      "fmax",        "n_mfcc", "inputs",     "frame_stride", "func_window_s", NULL};
  json_t *o = parse_json_text(text, "metadata \"features\"", err, errlen);
  if (!o)
    return -1;
  int rc = -1;
  ev_feature_config c;
  ev_feature_config_default(&c);
  const char *w = "features";
  int stride;
  if (!json_is_object(o)) {
    ev_fail(err, errlen, "metadata \"features\" must be a JSON object");
    goto done;
  }
  if (check_keys(o, allowed, w, err, errlen) ||
      get_int(o, "sample_rate", c.sample_rate, 1, 1000000, &c.sample_rate, w, err, errlen) ||
      get_int(o, "n_fft", c.n_fft, 1, 1 << 20, &c.n_fft, w, err, errlen) ||
      get_int(o, "win_length", c.win_length, 1, 1 << 20, &c.win_length, w, err, errlen) ||
      get_int(o, "hop_length", c.hop_length, 1, 1 << 20, &c.hop_length, w, err, errlen) ||
      get_int(o, "n_mels", c.n_mels, 1, 4096, &c.n_mels, w, err, errlen) ||
      get_num(o, "fmin", c.fmin, 0, 1e6, &c.fmin, w, err, errlen) ||
      get_num(o, "fmax", c.fmax, 0, 1e6, &c.fmax, w, err, errlen) ||
      get_int(o, "n_mfcc", c.n_mfcc, 1, 4096, &c.n_mfcc, w, err, errlen) ||
      get_int(o, "frame_stride", 1, 1, 1000, &stride, w, err, errlen) ||
      get_num(o, "func_window_s", c.func_window_s, 0.1, 60, &c.func_window_s, w, err, errlen))
    goto done;
  char why[256];
  if (ev_feature_config_check(&c, why, sizeof why)) {
    ev_fail(err, errlen,
            "the feature configuration cannot be produced by this build's extractor: %s", why);
    goto done;
  }
  m->input.features = c;
  json_t *inputs = json_object_get(o, "inputs");
  if (!json_is_array(inputs)) {
    ev_fail(err, errlen, "features: \"inputs\" (list of feature names) is missing");
    goto done;
  }
  char *itext = json_dumps(inputs, JSON_COMPACT);
  m->input.n_inputs =
      itext ? ev_model_parse_inputs(itext, m->input.inputs, EV_FEAT_COUNT, err, errlen) : -1;
  m->input.frame_stride = stride;
  free(itext);
  if (m->input.n_inputs < 0 || set_inputs(m, err, errlen))
    goto done;
  rc = 0;
done:
  json_decref(o);
  return rc;
}

/* A model none of whose labels is an emotion Emovox reports would show nothing during speech
 * (and look as if it ran): refused, naming what was not understood. Some unmapped labels next
 * to mapped ones (e.g. "boredom") are fine: their probability is simply not reported. */
static int check_labels_mapped(const ev_model *m, char *err, size_t errlen) {
  for (int i = 0; i < m->n_labels; i++)
    if (m->canonical[i] >= 0)
      return 0;
  char list[160] = "";
  for (int i = 0; i < m->n_labels && strlen(list) < sizeof list - 40; i++) {
    char one[40];
    /* printable ASCII only: a label may hold anything */
    int k = 0;
    for (const char *c = m->labels[i]; *c && k < 24; c++)
      one[k++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
    one[k] = 0;
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", i ? ", " : "", one);
  }
  return ev_fail(err, errlen,
                 "none of the labels names an emotion Emovox reports (not understood: %s%s); use "
                 "neutral, calm, happy, sad, angry, fearful, disgust, surprised or an alias "
                 "(docs/model.md)",
                 list, strlen(list) >= sizeof list - 40 ? ", ..." : "");
}

static int parse_labels(ev_model *m, const char *text, char *err, size_t errlen) {
  json_t *a = parse_json_text(text, "metadata \"labels\"", err, errlen);
  if (!a)
    return -1;
  int rc = -1;
  const char *names[EV_MODEL_MAX_LABELS];
  if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > EV_MODEL_MAX_LABELS) {
    ev_fail(err, errlen, "metadata \"labels\" must be a JSON list of 1..%d names",
            EV_MODEL_MAX_LABELS);
    goto done;
  }
  for (size_t i = 0; i < json_array_size(a); i++) {
    json_t *s = json_array_get(a, i);
    if (!json_is_string(s)) {
      ev_fail(err, errlen, "labels[%zu] is not a string", i);
      goto done;
    }
    names[i] = json_string_value(s);
  }
  rc = set_labels(m, names, (int)json_array_size(a), err, errlen);
  if (!rc)
    rc = check_labels_mapped(m, err, errlen);
done:
  json_decref(a);
  return rc;
}

static int parse_normalization(ev_model *m, const char *text, char *err, size_t errlen) {
  static const char *const allowed[] = {"mode",  "tau_s", "prior_frames",      "warmup_frames",
                                        "level", "clamp", "centre_confidence", NULL};
  json_t *o = parse_json_text(text, "metadata \"normalization\"", err, errlen);
  if (!o)
    return -1;
  int rc = -1;
  ev_norm_config_default(&m->input.norm);
  const char *w = "normalization";
  if (!json_is_object(o)) {
    ev_fail(err, errlen, "metadata \"normalization\" must be a JSON object");
    goto done;
  }
  json_t *mode = json_object_get(o, "mode");
  if (!json_is_string(mode) ||
      (strcmp(json_string_value(mode), "global") && strcmp(json_string_value(mode), "adaptive"))) {
    ev_fail(err, errlen, "normalization: \"mode\" must be \"global\" or \"adaptive\"");
    goto done;
  }
  m->input.norm.mode =
      strcmp(json_string_value(mode), "global") ? EV_NORM_ADAPTIVE : EV_NORM_GLOBAL;
  if (check_keys(o, allowed, w, err, errlen) ||
      get_num(o, "tau_s", m->input.norm.tau_s, 1e-3, 1e6, &m->input.norm.tau_s, w, err, errlen) ||
      get_num(o, "prior_frames", m->input.norm.prior_frames, 0, 1e9, &m->input.norm.prior_frames, w,
              err, errlen) ||
      get_num(o, "warmup_frames", m->input.norm.warmup_frames, 0, 1e9, &m->input.norm.warmup_frames,
              w, err, errlen) ||
      get_num(o, "clamp", m->input.norm.clamp, 1e-3, EV_INPUT_CLAMP, &m->input.norm.clamp, w, err,
              errlen) ||
      get_num(o, "centre_confidence", 0, 0, 0.999, &m->input.norm.centre_confidence, w, err,
              errlen))
    goto done;
  json_t *level = json_object_get(o, "level");
  if (level && (!json_is_string(level) || (strcmp(json_string_value(level), "relative") &&
                                           strcmp(json_string_value(level), "absolute")))) {
    ev_fail(err, errlen, "normalization: \"level\" must be \"relative\" or \"absolute\"");
    goto done;
  }
  m->input.norm.level_relative = level && !strcmp(json_string_value(level), "relative");
  rc = 0;
done:
  json_decref(o);
  return rc;
}

static const char *need_meta(const ev_st_file *f, const char *key, char *err, size_t errlen) {
  const char *v = ev_st_meta(f, key);
  if (!v)
    ev_fail(err, errlen, "metadata \"%s\" is missing; the file is not a complete Emovox model",
            key);
  return v;
}

/* The index of the first value that is not finite, n when all are. */
static size_t first_non_finite(const float *v, size_t n) {
  size_t i = 0;
  while (i < n && isfinite(v[i]))
    i++;
  return i;
}

static int copy_tensor(const ev_st_file *f, const char *name, int ndim, const int *shape,
                       float *dst, unsigned char *used, char *err, size_t errlen) {
  if (check_tensor(f, name, ndim, shape, err, errlen))
    return -1;
  const ev_st_tensor *t = ev_st_find(f, name);
  if (t->count)
    memcpy(dst, t->data, t->count * sizeof(float));
  used[t - f->tensors] = 1;
  return 0;
}

/* Dense layers whose zero weights fill whole 16-column blocks of a row (issue 16: model 0.5
 * merges three networks, so two thirds of its hidden layer are zeros) skip them in the step,
 * with the same bits (ev_dense_find_spans). Only for a loaded model, whose weights nobody
 * writes; a layer keeps its spans when they save at least a quarter of its multiply-adds.
 * Out of memory only loses the saving. */
static void find_spans(ev_model *m) {
  size_t n = 0;
  for (int i = 0; i < m->stack.n_layers; i++)
    if (m->stack.layers[i].kind == EV_LAYER_DENSE)
      n += 2 * (size_t)m->stack.layers[i].out_dim;
  if (!n || !(m->spans = malloc(n * sizeof *m->spans)))
    return;
  int *sp = m->spans;
  for (int i = 0; i < m->stack.n_layers; i++) {
    ev_layer *l = &m->stack.layers[i];
    if (l->kind != EV_LAYER_DENSE)
      continue;
    size_t all = (size_t)l->out_dim * (size_t)l->in_dim;
    if (ev_dense_find_spans(l, sp) <= all - all / 4)
      l->col_span = sp;
    sp += 2 * (size_t)l->out_dim;
  }
}

/* The weights may be written through what the caller gets: every layer goes back to its
 * whole rows. */
static void drop_spans(ev_model *m) {
  for (int i = 0; i < m->stack.n_layers; i++)
    m->stack.layers[i].col_span = NULL;
}

static int load_parsed(ev_model *m, const ev_st_file *f, char *err, size_t errlen) {
  const char *format = ev_st_meta(f, "format");
  if (!format)
    return ev_fail(err, errlen,
                   "no \"format\" metadata: this is a safetensors file but not an Emovox model "
                   "(export it with emovox-train or see docs/model.md)");
  if (strcmp(format, EV_MODEL_FORMAT))
    return ev_fail(err, errlen, "metadata format is \"%.40s\", not \"%s\": not an Emovox model",
                   format, EV_MODEL_FORMAT);
  if (f->n_tensors > MAX_TENSORS)
    return ev_fail(err, errlen, "the file holds %zu tensors; an Emovox model has at most %zu",
                   f->n_tensors, (size_t)MAX_TENSORS);
  const char *version = need_meta(f, "format_version", err, errlen);
  if (!version)
    return -1;
  if (strcmp(version, "1"))
    return ev_fail(err, errlen,
                   "format_version \"%.20s\" is not supported (this build reads version %d); use a "
                   "newer Emovox or re-export the model",
                   version, EV_MODEL_FORMAT_VERSION);
  const char *name = ev_st_meta(f, "name");
  m->name = strdup(name ? name : "unnamed");
  const char *features = need_meta(f, "features", err, errlen);
  const char *arch = features ? need_meta(f, "architecture", err, errlen) : NULL;
  const char *labels = arch ? need_meta(f, "labels", err, errlen) : NULL;
  const char *norm = labels ? need_meta(f, "normalization", err, errlen) : NULL;
  if (!m->name || !norm)
    return -1;
  if (parse_normalization(m, norm, err, errlen) || parse_features(m, features, err, errlen) ||
      parse_labels(m, labels, err, errlen) ||
      ev_model_set_provenance(m, ev_st_meta(f, "provenance"), err, errlen))
    return -1;
  const char *release = ev_st_meta(f, "version"); /* optional: files before 0.17 have none */
  if (release && ev_model_check_version(release, NULL, 0))
    return ev_fail(err, errlen,
                   "metadata \"version\" is not a release name (1..%d printable characters "
                   "without spaces); fix or remove it",
                   EV_MODEL_VERSION_MAX);
  if (release && ev_model_set_version(m, release, err, errlen))
    return -1;
  const char *band = ev_st_meta(f, "audio_band_hz"); /* optional: a wide-band model has none */
  if (band) {
    char *end;
    long hz = strtol(band, &end, 10);
    if (end == band || *end || hz < EV_MODEL_BAND_MIN_HZ || hz > m->input.features.sample_rate / 2)
      return ev_fail(err, errlen,
                     "metadata \"audio_band_hz\" (\"%.16s\") is not a frequency in Hz between "
                     "%d and half the model's rate; fix or remove it",
                     band, EV_MODEL_BAND_MIN_HZ);
    m->band_hz = (int)hz == m->input.features.sample_rate / 2 ? 0 : (int)hz;
  }
  ev_layer_config cfg[EV_MODEL_MAX_LAYERS];
  int n = ev_model_parse_architecture(arch, cfg, EV_MODEL_MAX_LAYERS, 0, err, errlen);
  if (n < 0 || build_layers(m, cfg, n, f, err, errlen))
    return -1;
  unsigned char *used = calloc(f->n_tensors ? f->n_tensors : 1, 1);
  if (!used)
    return ev_fail(err, errlen, "out of memory");
  int rc = -1;
  for (int i = 0; i < m->stack.n_layers; i++) {
    ev_layer *l = &m->stack.layers[i];
    for (int p = 0; p < l->n_params; p++) {
      char tname[96];
      snprintf(tname, sizeof tname, "layers.%d.%s", i, l->params[p].name);
      if (copy_tensor(f, tname, l->params[p].ndim, l->params[p].shape, l->params[p].data, used, err,
                      errlen))
        goto done;
      for (size_t k = 0; k < l->params[p].size; k++)
        if (!(fabsf(l->params[p].data[k]) <= MAX_WEIGHT_MAGNITUDE)) {
          ev_fail(err, errlen,
                  "tensor %s: value %g at index %zu is beyond the %g limit; products of such "
                  "weights overflow single precision, so the model could only output NaN "
                  "(retrain or rescale it)",
                  tname, (double)l->params[p].data[k], k, (double)MAX_WEIGHT_MAGNITUDE);
          goto done;
        }
    }
  }
  int dshape[1] = {m->input_dims};
  if (copy_tensor(f, "norm.mean", 1, dshape, m->norm_mean, used, err, errlen) ||
      copy_tensor(f, "norm.std", 1, dshape, m->norm_std, used, err, errlen))
    goto done;
  for (int i = 0; i < m->input_dims; i++)
    if (m->norm_std[i] < 0.0f) {
      ev_fail(err, errlen, "norm.std[%d] is negative (%g); the prior is corrupt", i,
              (double)m->norm_std[i]);
      goto done;
    }
  if (ev_st_find(f, "norm.adapt")) { /* optional: which dimensions adapt to the voice */
    m->norm_adapt = malloc((size_t)m->input_dims * sizeof *m->norm_adapt);
    if (!m->norm_adapt) {
      ev_fail(err, errlen, "out of memory");
      goto done;
    }
    if (copy_tensor(f, "norm.adapt", 1, dshape, m->norm_adapt, used, err, errlen))
      goto done;
    for (int i = 0; i < m->input_dims; i++)
      if (m->norm_adapt[i] != 0.0f && m->norm_adapt[i] != 1.0f) {
        ev_fail(err, errlen,
                "norm.adapt[%d] is %g; it must be 0 (stays on the prior) or 1 "
                "(adapts to the voice): the file is corrupt",
                i, (double)m->norm_adapt[i]);
        goto done;
      }
  }
  if (ev_st_find(f, "norm.centres")) { /* optional: the classes' centres (ev_input.h) */
    int cshape[2] = {m->n_labels, m->input_dims};
    if (m->n_labels > EV_INPUT_MAX_CLASSES) {
      ev_fail(err, errlen,
              "norm.centres: the normaliser takes centres for at most %d labels, "
              "the model has %d",
              EV_INPUT_MAX_CLASSES, m->n_labels);
      goto done;
    }
    m->norm_centres = malloc((size_t)m->n_labels * (size_t)m->input_dims * sizeof(float));
    if (!m->norm_centres) {
      ev_fail(err, errlen, "out of memory");
      goto done;
    }
    if (copy_tensor(f, "norm.centres", 2, cshape, m->norm_centres, used, err, errlen))
      goto done;
    const size_t bad = first_non_finite(m->norm_centres, (size_t)m->n_labels * m->input_dims);
    if (bad < (size_t)m->n_labels * (size_t)m->input_dims) {
      ev_fail(err, errlen,
              "norm.centres holds a value that is not finite (label %zu, dimension %zu): "
              "the file is corrupt",
              bad / (size_t)m->input_dims, bad % (size_t)m->input_dims);
      goto done;
    }
  }
  for (size_t i = 0; i < f->n_tensors; i++)
    if (!used[i]) {
      ev_fail(err, errlen,
              "tensor %.64s is not used by the architecture (wrong layer index or parameter "
              "name?)",
              f->tensors[i].name);
      goto done;
    }
  m->architecture = architecture_text(m);
  rc = m->architecture ? 0 : ev_fail(err, errlen, "out of memory");
  if (!rc)
    find_spans(m);
done:
  free(used);
  return rc;
}

ev_model *ev_model_load_memory(const uint8_t *buf, size_t len, char *err, size_t errlen) {
  ev_st_file *f;
  if (ev_st_parse_limited(buf, len, MAX_TENSORS, &f, err, errlen))
    return NULL;
  ev_model *m = calloc(1, sizeof *m);
  if (!m) {
    ev_st_free(f);
    ev_fail(err, errlen, "out of memory");
    return NULL;
  }
  int rc = load_parsed(m, f, err, errlen);
  ev_st_free(f);
  if (rc) {
    ev_model_free(m);
    return NULL;
  }
  return m;
}

ev_model *ev_model_load_file(const char *path, char *err, size_t errlen) {
  uint8_t *buf;
  size_t len;
  char why[512];
  if (ev_st_read_file(path, &buf, &len, why, sizeof why)) {
    ev_fail(err, errlen, "%s", why);
    return NULL;
  }
  ev_model *m = ev_model_load_memory(buf, len, why, sizeof why);
  free(buf);
  if (!m)
    ev_fail(err, errlen, "%s: %s", path, why);
  return m;
}

/* ---------------------------------------------------------------- saving */

static char *features_text(const ev_model *m) {
  json_t *o = json_object();
  json_object_set_new(o, "sample_rate", json_integer(m->input.features.sample_rate));
  json_object_set_new(o, "n_fft", json_integer(m->input.features.n_fft));
  json_object_set_new(o, "win_length", json_integer(m->input.features.win_length));
  json_object_set_new(o, "hop_length", json_integer(m->input.features.hop_length));
  json_object_set_new(o, "n_mels", json_integer(m->input.features.n_mels));
  json_object_set_new(o, "fmin", json_float(m->input.features.fmin));
  json_object_set_new(o, "fmax", json_float(m->input.features.fmax));
  json_object_set_new(o, "n_mfcc", json_integer(m->input.features.n_mfcc));
  json_t *in = json_array();
  for (int i = 0; i < m->input.n_inputs; i++) {
    json_array_append_new(in, json_string(ev_feature_name((ev_feature_id)m->input.inputs[i])));
    if (ev_feature_windowed(m->input.inputs[i])) /* only models that read one carry the window */
      json_object_set_new(o, "func_window_s", json_real(m->input.features.func_window_s));
  }
  json_object_set_new(o, "inputs", in);
  json_object_set_new(o, "frame_stride", json_integer(m->input.frame_stride));
  char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(9));
  json_decref(o);
  return s;
}

static char *labels_text(const ev_model *m) {
  json_t *a = json_array();
  for (int i = 0; i < m->n_labels; i++)
    json_array_append_new(a, json_string(m->labels[i]));
  char *s = json_dumps(a, JSON_COMPACT | JSON_REAL_PRECISION(9));
  json_decref(a);
  return s;
}

static char *norm_text(const ev_model *m) {
  json_t *o = json_object();
  json_object_set_new(o, "mode", json_string(ev_norm_mode_name(m->input.norm.mode)));
  json_object_set_new(o, "tau_s", json_float(m->input.norm.tau_s));
  json_object_set_new(o, "prior_frames", json_float(m->input.norm.prior_frames));
  if (m->input.norm.warmup_frames > 0.0f) /* files without warmup stay as they were */
    json_object_set_new(o, "warmup_frames", json_float(m->input.norm.warmup_frames));
  if (m->input.norm.level_relative) /* absolute is the default: older files stay as they were */
    json_object_set_new(o, "level", json_string("relative"));
  if (m->input.norm.clamp > 0.0f && m->input.norm.clamp < EV_INPUT_CLAMP) /* likewise */
    json_object_set_new(o, "clamp", json_float(m->input.norm.clamp));
  if (m->input.norm.centre_confidence > 0.0f) /* likewise */
    json_object_set_new(o, "centre_confidence", json_float(m->input.norm.centre_confidence));
  char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(9));
  json_decref(o);
  return s;
}

int ev_model_serialize(const ev_model *m, uint8_t **buf, size_t *len, char *err, size_t errlen) {
  enum { MAXT = (EV_MODEL_MAX_LAYERS + 1) * EV_LAYER_MAX_PARAMS + 4 };
  ev_st_out_tensor *t = calloc(MAXT, sizeof *t);
  int64_t(*shapes)[3] = calloc(MAXT, sizeof *shapes);
  char(*names)[96] = calloc(MAXT, sizeof *names);
  char *feat = features_text(m), *lab = labels_text(m), *nrm = norm_text(m);
  int rc = -1;
  if (!t || !shapes || !names || !feat || !lab || !nrm) {
    ev_fail(err, errlen, "out of memory");
    goto done;
  }
  size_t n = 0;
  for (int i = 0; i < m->stack.n_layers; i++) {
    const ev_layer *l = &m->stack.layers[i];
    for (int p = 0; p < l->n_params; p++, n++) {
      snprintf(names[n], sizeof names[n], "layers.%d.%s", i, l->params[p].name);
      for (int d = 0; d < l->params[p].ndim; d++)
        shapes[n][d] = l->params[p].shape[d];
      t[n] = (ev_st_out_tensor){names[n], l->params[p].ndim, shapes[n], l->params[p].data};
    }
  }
  shapes[n][0] = m->input_dims;
  t[n] = (ev_st_out_tensor){"norm.mean", 1, shapes[n], m->norm_mean};
  n++;
  shapes[n][0] = m->input_dims;
  t[n] = (ev_st_out_tensor){"norm.std", 1, shapes[n], m->norm_std};
  n++;
  if (m->norm_adapt) {
    shapes[n][0] = m->input_dims;
    t[n] = (ev_st_out_tensor){"norm.adapt", 1, shapes[n], m->norm_adapt};
    n++;
  }
  if (m->norm_centres) {
    shapes[n][0] = m->n_labels;
    shapes[n][1] = m->input_dims;
    t[n] = (ev_st_out_tensor){"norm.centres", 2, shapes[n], m->norm_centres};
    n++;
  }
  const char *keys[10] = {"format",   "format_version", "name",          "architecture",
                          "features", "labels",         "normalization", "provenance"};
  const char *vals[10] = {EV_MODEL_FORMAT, "1", m->name, m->architecture, feat, lab, nrm,
                          m->provenance};
  int n_meta = 8;
  char band[16];
  if (m->version) {
    keys[n_meta] = "version";
    vals[n_meta++] = m->version;
  }
  if (m->band_hz) { /* only a model that heard less than the full band says so */
    snprintf(band, sizeof band, "%d", m->band_hz);
    keys[n_meta] = "audio_band_hz";
    vals[n_meta++] = band;
  }
  rc = ev_st_serialize(t, n, keys, vals, n_meta, buf, len, err, errlen);
done:
  free(t);
  free(shapes);
  free(names);
  free(feat);
  free(lab);
  free(nrm);
  return rc;
}

int ev_model_save(const ev_model *m, const char *path, char *err, size_t errlen) {
  uint8_t *buf;
  size_t len;
  if (ev_model_serialize(m, &buf, &len, err, errlen))
    return -1;
  /* Round-trip check before anything is written: a saved model always loads. */
  char why[512];
  ev_model *check = ev_model_load_memory(buf, len, why, sizeof why);
  if (!check) {
    free(buf);
    return ev_fail(err, errlen, "internal error, the serialised model does not load: %s", why);
  }
  ev_model_free(check);
  size_t plen = strlen(path);
  char *tmp = malloc(plen + 8);
  FILE *fp = NULL;
  int rc = -1;
  if (!tmp) {
    ev_fail(err, errlen, "out of memory");
    goto done;
  }
  snprintf(tmp, plen + 8, "%s.tmp", path);
  fp = fopen(tmp, "wb");
  if (!fp) {
    ev_fail(err, errlen, "cannot create %s", tmp);
    goto done;
  }
  int bad = fwrite(buf, 1, len, fp) != len;
  bad |= fclose(fp) != 0;
  if (bad || rename(tmp, path)) {
    remove(tmp);
    ev_fail(err, errlen, "cannot write %s (disk full or no permission?)", path);
    goto done;
  }
  rc = 0;
done:
  free(tmp);
  free(buf);
  return rc;
}

/* ---------------------------------------------------------------- accessors */

const char *ev_model_name(const ev_model *m) {
  return m->name;
}
const char *ev_model_version(const ev_model *m) {
  return m->version ? m->version : "";
}
int ev_model_audio_band(const ev_model *m) {
  return m->band_hz ? m->band_hz : m->input.features.sample_rate / 2;
}
void ev_model_display_name(const ev_model *m, char *buf, size_t len) {
  if (len)
    snprintf(buf, len, "%s%s%s", m->name, m->version ? " " : "", m->version ? m->version : "");
}
int ev_model_n_labels(const ev_model *m) {
  return m->n_labels;
}
const char *ev_model_label(const ev_model *m, int i) {
  return i >= 0 && i < m->n_labels ? m->labels[i] : NULL;
}
int ev_model_label_canonical(const ev_model *m, int i) {
  return i >= 0 && i < m->n_labels ? m->canonical[i] : -1;
}
size_t ev_model_n_params(const ev_model *m) {
  return m->stack.n_params;
}
const ev_input_config *ev_model_input_config(const ev_model *m) {
  return &m->input;
}
const char *ev_model_provenance(const ev_model *m) {
  return m->provenance;
}
const char *ev_model_architecture(const ev_model *m) {
  return m->architecture;
}
int ev_model_n_layers(const ev_model *m) {
  return m->stack.n_layers;
}
const ev_layer *ev_model_layer(const ev_model *m, int i) {
  return i >= 0 && i < m->stack.n_layers ? &m->stack.layers[i] : NULL;
}
ev_layer *ev_model_layer_mut(ev_model *m, int i) {
  drop_spans(m);
  return i >= 0 && i < m->stack.n_layers ? &m->stack.layers[i] : NULL;
}
int ev_model_softmax_appended(const ev_model *m) {
  return m->stack.softmax_appended;
}
int ev_model_input_dims(const ev_model *m) {
  return m->input_dims;
}
float *ev_model_norm_mean(ev_model *m) {
  return m->norm_mean;
}
float *ev_model_norm_std(ev_model *m) {
  return m->norm_std;
}
float *ev_model_params(ev_model *m) {
  drop_spans(m);
  return m->stack.w;
}

int ev_model_set_norm_adapt(ev_model *m, const float *mask, char *err, size_t errlen) {
  int all = 1;
  for (int i = 0; mask && i < m->input_dims; i++) {
    if (mask[i] != 0.0f && mask[i] != 1.0f)
      return ev_fail(err, errlen, "adapt mask[%d] is %g, not 0 or 1", i, (double)mask[i]);
    all &= mask[i] == 1.0f;
  }
  free(m->norm_adapt);
  m->norm_adapt = NULL;
  if (!mask || all) /* every dimension adapts: no tensor, files as before */
    return 0;
  m->norm_adapt = malloc((size_t)m->input_dims * sizeof *m->norm_adapt);
  if (!m->norm_adapt)
    return ev_fail(err, errlen, "out of memory");
  memcpy(m->norm_adapt, mask, (size_t)m->input_dims * sizeof *m->norm_adapt);
  return 0;
}

const float *ev_model_norm_adapt(const ev_model *m) {
  return m->norm_adapt;
}

int ev_model_set_norm_centres(ev_model *m, const float *centres, char *err, size_t errlen) {
  const size_t n = (size_t)m->n_labels * (size_t)m->input_dims;
  if (centres && m->n_labels > EV_INPUT_MAX_CLASSES)
    return ev_fail(err, errlen, "class centres for at most %d labels, the model has %d",
                   EV_INPUT_MAX_CLASSES, m->n_labels);
  const size_t bad = centres ? first_non_finite(centres, n) : n;
  if (bad < n)
    return ev_fail(err, errlen, "class centre %zu of dimension %zu is not finite",
                   bad / (size_t)m->input_dims, bad % (size_t)m->input_dims);
  free(m->norm_centres);
  m->norm_centres = NULL;
  if (!centres)
    return 0;
  m->norm_centres = malloc(n * sizeof *m->norm_centres);
  if (!m->norm_centres)
    return ev_fail(err, errlen, "out of memory");
  memcpy(m->norm_centres, centres, n * sizeof *m->norm_centres);
  return 0;
}

const float *ev_model_norm_centres(const ev_model *m) {
  return m->norm_centres;
}

ev_input *ev_model_input_new(const ev_model *m, char *err, size_t errlen) {
  ev_input *in = ev_input_new(&m->input, m->norm_mean, m->norm_std, err, errlen);
  if (in)
    ev_input_set_adapt_dims(in, m->norm_adapt);
  if (in && m->norm_centres &&
      ev_input_set_centres(in, m->norm_centres, m->n_labels, err, errlen) != 0) {
    ev_input_free(in);
    return NULL;
  }
  return in;
}

double ev_model_step_flops(const ev_model *m) {
  return ev_layer_stack_step_flops(&m->stack);
}

void ev_model_get_cost(const ev_model *m, ev_model_cost *cost) {
  ev_model_cost_compute(&m->input, m->input_dims, m->stack.layers, m->stack.n_layers, cost);
}
