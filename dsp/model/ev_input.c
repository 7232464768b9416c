/* Model input assembly and normalisation (formulas in ev_input.h). */
#include "ev_input.h"
#include "ev_error.h"
#include "ev_functionals.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

struct ev_input {
  int dims, stride, n_inputs;
  int inputs[EV_FEAT_COUNT];
  int input_dims[EV_FEAT_COUNT];
  ev_norm_config norm;
  float a_min;    /* 1 - exp(-step / tau) */
  float gate_rms; /* linear RMS threshold */
  int adapt;
  int last_speech;
  int in_stride; /* frames accumulated in the current stride */
  double rms_sum;
  double n_seen;   /* steps of statistics seen, prior included */
  double n_speech; /* speech steps since the last reset (for warmup_frames) */
  /* The prior's weight in mu and var: 1 after a reset, times (1 - a) at each adaptive speech
   * step (both updates keep (1 - a) of what was there), so 1 - prior_w is the share of the
   * voice's own steps in the statistics (ev_input_adapted). */
  double prior_w;
  int any_follow; /* some dimension adapts (ev_input_set_adapt_dims) */
  /* Started from a voice heard before (ev_input_set_voice): no warmup, the statistics are
   * already this voice's; cleared by ev_input_reset. */
  int known_voice;
  float *prior_mean, *prior_std, *floor;
  float *mu, *var;
  unsigned char *follow; /* per dimension: 1 = adapts to the voice, 0 = always the prior */
  float *raw;            /* one frame, assembled */
  float *rel;            /* the frame with its level made relative (level_relative) */
  int func_at;           /* offset of egemaps_func in the vector, -1 if not read */
  ev_func_level level;
  double *acc; /* stride sum */
  float *out;
  /* Class centres (ev_input_set_centres): n_centres x dims, NULL when the model has none. The
   * running mean is then prior_mean + offset, offset the voice's distance from the centre of
   * what the model last heard it say (post, its reading; post_valid 0 before the first). */
  float *centres;
  int n_centres;
  float *offset;
  float post[EV_INPUT_MAX_CLASSES];
  int post_valid;
  float post_weight; /* w of the offset's update from post (norm.centre_confidence), 0..1 */
};

void ev_norm_config_default(ev_norm_config *c) {
  c->mode = EV_NORM_ADAPTIVE;
  c->tau_s = 10.0f;
  c->prior_frames = 100.0f;
  c->warmup_frames = 0.0f;
  c->level_relative = 0;
  c->clamp = EV_INPUT_CLAMP;
  c->centre_confidence = 0.0f;
}

const char *ev_norm_mode_name(ev_norm_mode mode) {
  return mode == EV_NORM_GLOBAL ? "global" : mode == EV_NORM_ADAPTIVE ? "adaptive" : "?";
}

int ev_input_config_dims(const ev_input_config *s, char *err, size_t errlen) {
  char why[256];
  if (ev_feature_config_check(&s->features, why, sizeof why))
    return ev_fail(err, errlen, "feature configuration cannot be produced: %s", why);
  if (s->n_inputs < 1 || s->n_inputs > EV_FEAT_COUNT)
    return ev_fail(err, errlen, "the model needs 1..%d input features, got %d", EV_FEAT_COUNT,
                   s->n_inputs);
  if (s->frame_stride < 1 || s->frame_stride > 1000)
    return ev_fail(err, errlen, "frame_stride %d is outside 1..1000", s->frame_stride);
  if (s->norm.mode != EV_NORM_GLOBAL && s->norm.mode != EV_NORM_ADAPTIVE)
    return ev_fail(err, errlen, "unknown normalisation mode %d", (int)s->norm.mode);
  if (!(s->norm.tau_s > 0.0f && s->norm.tau_s <= 1e6f))
    return ev_fail(err, errlen, "normalisation tau_s must be in (0, 1e6] seconds");
  if (!(s->norm.prior_frames >= 0.0f && s->norm.prior_frames <= 1e9f))
    return ev_fail(err, errlen, "normalisation prior_frames must be in [0, 1e9]");
  if (!(s->norm.warmup_frames >= 0.0f && s->norm.warmup_frames <= 1e9f))
    return ev_fail(err, errlen, "normalisation warmup_frames must be in [0, 1e9]");
  if (!(s->norm.centre_confidence >= 0.0f && s->norm.centre_confidence < 1.0f))
    return ev_fail(err, errlen, "normalisation centre_confidence must be in [0, 1)");
  if (!(s->norm.clamp >= 0.0f && s->norm.clamp <= EV_INPUT_CLAMP))
    return ev_fail(err, errlen, "normalisation clamp must be in (0, %g] (0: %g)",
                   (double)EV_INPUT_CLAMP, (double)EV_INPUT_CLAMP);
  int dims = 0;
  unsigned seen = 0;
  for (int i = 0; i < s->n_inputs; i++) {
    int id = s->inputs[i];
    if (id < 0 || id >= EV_FEAT_COUNT)
      return ev_fail(err, errlen, "input %d: unknown feature id %d", i, id);
    if (seen & (1u << id))
      return ev_fail(err, errlen, "input feature \"%s\" is listed twice", ev_feature_name(id));
    seen |= 1u << id;
    int d = ev_feature_dims(&s->features, (ev_feature_id)id);
    if (d < 1)
      return ev_fail(err, errlen, "input feature \"%s\" has no dimensions", ev_feature_name(id));
    dims += d;
  }
  if (s->norm.level_relative && !(seen & (1u << EV_FEAT_EGEMAPS_FUNC)))
    return ev_fail(err, errlen,
                   "normalisation \"level\": \"relative\" needs egemaps_func among the inputs");
  return dims;
}

int ev_input_config_offset(const ev_input_config *c, int id) {
  for (int i = 0, k = 0; i < c->n_inputs; k += ev_feature_dims(&c->features, c->inputs[i++]))
    if (c->inputs[i] == id)
      return k;
  return -1;
}

uint32_t ev_input_config_features(const ev_input_config *c) {
  uint32_t mask = 0;
  for (int i = 0; i < c->n_inputs; i++)
    mask |= EV_FEATURE_BIT(c->inputs[i]);
  return mask;
}

void ev_input_free(ev_input *in) {
  if (!in)
    return;
  free(in->prior_mean);
  free(in->prior_std);
  free(in->floor);
  free(in->mu);
  free(in->var);
  free(in->raw);
  free(in->rel);
  free(in->follow);
  free(in->acc);
  free(in->out);
  free(in->centres);
  free(in->offset);
  free(in);
}

ev_input *ev_input_new(const ev_input_config *s, const float *prior_mean, const float *prior_std,
                       char *err, size_t errlen) {
  int dims = ev_input_config_dims(s, err, errlen);
  if (dims < 0)
    return NULL;
  if (!prior_mean || !prior_std) {
    ev_fail(err, errlen, "the normalisation prior (norm.mean, norm.std) is missing");
    return NULL;
  }
  ev_input *in = calloc(1, sizeof *in);
  if (!in) {
    ev_fail(err, errlen, "out of memory");
    return NULL;
  }
  in->dims = dims;
  in->stride = s->frame_stride;
  in->n_inputs = s->n_inputs;
  for (int i = 0; i < s->n_inputs; i++) {
    in->inputs[i] = s->inputs[i];
    in->input_dims[i] = ev_feature_dims(&s->features, (ev_feature_id)s->inputs[i]);
  }
  in->norm = s->norm;
  if (in->norm.clamp == 0.0f) /* a zeroed config: the default */
    in->norm.clamp = EV_INPUT_CLAMP;
  in->func_at = ev_input_config_offset(s, EV_FEAT_EGEMAPS_FUNC);
  if (s->norm.level_relative && ev_func_level_init(&in->level, s->features.sample_rate)) {
    ev_fail(err, errlen, "level-relative statistics: an eGeMAPS name is unknown");
    free(in);
    return NULL;
  }
  double step_s = (double)s->frame_stride * s->features.hop_length / s->features.sample_rate;
  in->a_min = (float)(1.0 - exp(-step_s / s->norm.tau_s));
  in->adapt = 1;
  ev_input_set_gate(in, EV_INPUT_GATE_DEFAULT_DB);
  size_t n = (size_t)dims;
  in->prior_mean = malloc(n * sizeof(float));
  in->prior_std = malloc(n * sizeof(float));
  in->floor = malloc(n * sizeof(float));
  in->mu = malloc(n * sizeof(float));
  in->var = malloc(n * sizeof(float));
  in->raw = malloc(n * sizeof(float));
  in->rel = malloc(n * sizeof(float));
  in->follow = malloc(n);
  in->acc = malloc(n * sizeof(double));
  in->out = malloc(n * sizeof(float));
  if (!in->prior_mean || !in->prior_std || !in->floor || !in->mu || !in->var || !in->raw ||
      !in->rel || !in->follow || !in->acc || !in->out) {
    ev_input_free(in);
    ev_fail(err, errlen, "out of memory");
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    float m = prior_mean[i], sd = prior_std[i];
    if (!isfinite(m) || !isfinite(sd) || sd < 0.0f) {
      ev_input_free(in);
      ev_fail(err, errlen, "normalisation prior of dimension %zu is invalid (mean %g, std %g)", i,
              (double)m, (double)sd);
      return NULL;
    }
    in->prior_mean[i] = m;
    in->prior_std[i] = sd > EV_INPUT_STD_MIN ? sd : EV_INPUT_STD_MIN;
    in->floor[i] = EV_INPUT_SIGMA_FLOOR * in->prior_std[i];
    in->follow[i] = 1;
  }
  in->any_follow = 1;
  ev_input_reset(in);
  return in;
}

void ev_input_reset(ev_input *in) {
  for (int i = 0; i < in->dims; i++) {
    in->mu[i] = in->prior_mean[i];
    in->var[i] = in->prior_std[i] * in->prior_std[i];
    in->acc[i] = 0.0;
    if (in->offset)
      in->offset[i] = 0.0f;
  }
  in->post_valid = 0;
  in->n_seen = in->norm.prior_frames;
  in->n_speech = 0.0;
  in->prior_w = 1.0;
  in->known_voice = 0;
  in->in_stride = 0;
  in->rms_sum = 0.0;
  in->last_speech = 0;
}

void ev_input_restart_stride(ev_input *in) {
  in->post_valid = 0; /* a new stream: nothing heard in it yet */
  for (int i = 0; i < in->dims; i++)
    in->acc[i] = 0.0;
  in->in_stride = 0;
  in->rms_sum = 0.0;
  in->last_speech = 0;
}

void ev_input_set_state(ev_input *in, const float *mean, const float *var, double n_seen) {
  for (int i = 0; i < in->dims; i++) {
    const int ok = isfinite(mean[i]) && isfinite(var[i]) && var[i] >= 0.0f;
    in->mu[i] = ok ? mean[i] : in->prior_mean[i];
    in->var[i] = ok ? var[i] : in->prior_std[i] * in->prior_std[i];
    if (in->offset) /* the same centre: the voice's distance from the prior */
      in->offset[i] = in->mu[i] - in->prior_mean[i];
  }
  in->n_seen = n_seen >= 0.0 ? n_seen : 0.0;
  in->prior_w = 0.0; /* statistics of a voice heard before, not the prior's */
}

void ev_input_set_voice(ev_input *in, const float *mean, const float *var, double n_seen,
                        double prior_w) {
  ev_input_set_state(in, mean, var, n_seen);
  /* the share of the prior the statistics still held when they were taken: the adapted output
   * then says how much of this voice they hold, not that they are all of it */
  in->prior_w = prior_w >= 0.0 && prior_w <= 1.0 ? prior_w : 1.0;
  in->known_voice = 1;
}

double ev_input_n_seen(const ev_input *in) {
  return in->n_seen;
}
double ev_input_prior_weight(const ev_input *in) {
  return in->prior_w;
}

int ev_input_dims(const ev_input *in) {
  return in->dims;
}
int ev_input_stride(const ev_input *in) {
  return in->stride;
}
const float *ev_input_raw(const ev_input *in) {
  return in->raw;
}
int ev_input_last_speech(const ev_input *in) {
  return in->last_speech;
}
float ev_input_adapted(const ev_input *in) {
  /* cold: what the output reads is the prior (global mode, adaptation off, every dimension kept
   * on the prior, or still in the warmup), whatever the statistics hold meanwhile */
  if (in->norm.mode != EV_NORM_ADAPTIVE || !in->adapt || !in->any_follow ||
      !(in->known_voice || in->n_speech > (double)in->norm.warmup_frames))
    return 0.0f;
  const double share = 1.0 - in->prior_w;
  return (float)(share < 0.0 ? 0.0 : share > 1.0 ? 1.0 : share);
}
double ev_input_speech_steps(const ev_input *in) {
  return in->n_speech;
}
const float *ev_input_mean(const ev_input *in) {
  return in->mu;
}
const float *ev_input_var(const ev_input *in) {
  return in->var;
}

void ev_input_set_gate(ev_input *in, float gate_db) {
  if (!isfinite(gate_db))
    gate_db = EV_INPUT_GATE_DEFAULT_DB;
  in->gate_rms = powf(10.0f, gate_db / 20.0f);
}

void ev_input_set_adapt_dims(ev_input *in, const float *mask) {
  in->any_follow = 0;
  for (int i = 0; i < in->dims; i++) {
    in->follow[i] = !mask || mask[i] != 0.0f;
    in->any_follow |= in->follow[i];
  }
}

void ev_input_set_adapt(ev_input *in, int adapt) {
  in->adapt = adapt != 0;
}

int ev_input_set_centres(ev_input *in, const float *centres, int n_classes, char *err,
                         size_t errlen) {
  if (!centres) {
    free(in->centres);
    free(in->offset);
    in->centres = NULL;
    in->offset = NULL;
    in->n_centres = 0;
    in->post_valid = 0;
    return 0;
  }
  if (n_classes < 1 || n_classes > EV_INPUT_MAX_CLASSES)
    return ev_fail(err, errlen, "class centres: %d classes, 1..%d expected", n_classes,
                   EV_INPUT_MAX_CLASSES);
  const size_t n = (size_t)n_classes * (size_t)in->dims;
  for (size_t i = 0; i < n; i++)
    if (!isfinite(centres[i]))
      return ev_fail(err, errlen, "class centre %zu of dimension %zu is not finite",
                     i / (size_t)in->dims, i % (size_t)in->dims);
  float *c = malloc(n * sizeof *c), *o = malloc((size_t)in->dims * sizeof *o);
  if (!c || !o) {
    free(c);
    free(o);
    return ev_fail(err, errlen, "out of memory");
  }
  memcpy(c, centres, n * sizeof *c);
  free(in->centres);
  free(in->offset);
  in->centres = c;
  in->offset = o;
  in->n_centres = n_classes;
  for (int i = 0; i < in->dims; i++) /* where the statistics are now, from the same centre */
    o[i] = in->mu[i] - in->prior_mean[i];
  in->post_valid = 0;
  return 0;
}

int ev_input_n_centres(const ev_input *in) {
  return in->n_centres;
}

void ev_input_set_posterior(ev_input *in, const float *p, int n_classes) {
  if (!in->centres || !p || n_classes != in->n_centres)
    return;
  double sum = 0.0;
  for (int c = 0; c < n_classes; c++)
    sum += p[c] > 0.0f && p[c] <= 1.0f ? p[c] : 0.0f; /* NaN, Inf, negatives: 0 */
  if (!(sum > 0.0))
    return; /* nothing to go by: the last reading stays */
  for (int c = 0; c < n_classes; c++)
    in->post[c] = (float)((p[c] > 0.0f && p[c] <= 1.0f ? p[c] : 0.0f) / sum);
  in->post_valid = 1;
  in->post_weight = 1.0f;
  const float c0 = in->norm.centre_confidence;
  if (c0 > 0.0f) { /* how far the reading is above c, as a share of what lies above it */
    float top = 0.0f;
    for (int c = 0; c < n_classes; c++)
      top = in->post[c] > top ? in->post[c] : top;
    const float w = (top - c0) / (1.0f - c0);
    in->post_weight = w > 0.0f ? (w < 1.0f ? w : 1.0f) : 0.0f;
  }
}

static float clampf(float v, float lim) {
  return v > lim ? lim : v < -lim ? -lim : v;
}

/* One completed stride: in->acc holds the sum of stride raw vectors. */
static const float *finish_step(ev_input *in) {
  const double inv = 1.0 / in->stride;
  const double rms = in->rms_sum * inv;
  const int speech = rms > in->gate_rms; /* false for NaN */
  in->last_speech = speech;
  const int adaptive = in->norm.mode == EV_NORM_ADAPTIVE && in->adapt;
  float a = 0.0f;
  if (adaptive && speech) {
    in->n_seen += 1.0;
    in->n_speech += 1.0;
    a = (float)(1.0 / in->n_seen);
    if (a < in->a_min)
      a = in->a_min;
    /* in double, with the float a the statistics use; floored so that it never turns
     * denormal (after days of speech) */
    in->prior_w *= 1.0 - (double)a;
    if (in->prior_w < 1e-30)
      in->prior_w = 0.0;
  }
  /* warmup: the statistics update, the output still reads the prior */
  const int warm = adaptive && (in->known_voice || in->n_speech > (double)in->norm.warmup_frames);
  for (int i = 0; i < in->dims; i++) {
    const float x = (float)(in->acc[i] * inv);
    in->acc[i] = 0.0;
    if (!isfinite(x)) {
      in->out[i] = 0.0f;
      continue;
    }
    float y;
    if (adaptive) {
      if (a > 0.0f) {
        float d = x - in->mu[i];
        float lim = INFINITY;
        if (in->norm.clamp < EV_INPUT_CLAMP) {
          /* a robust model's statistics move at most as far as a step K deviations out would
           * move them: one coefficient of variation that divided by a mean near zero must not
           * blow a voice's variance up for minutes */
          float sd0 = sqrtf(in->var[i]);
          if (!(sd0 >= in->floor[i]))
            sd0 = in->floor[i];
          lim = in->norm.clamp * sd0;
          d = d > lim ? lim : d < -lim ? -lim : d;
        }
        if (in->offset) {
          /* the voice's offset from the centre of what the model heard it say: a voice that
           * keeps to one emotion moves the centre by who speaks, not by how they feel */
          float e = in->prior_mean[i], ae = a;
          if (in->post_valid) {
            ae = a * in->post_weight;
            e = 0.0f;
            for (int c = 0; c < in->n_centres; c++)
              e += in->post[c] * in->centres[(size_t)c * (size_t)in->dims + (size_t)i];
          }
          float db = (x - e) - in->offset[i];
          db = db > lim ? lim : db < -lim ? -lim : db; /* winsorised as d is */
          in->offset[i] += ae * db;
          if (!isfinite(in->offset[i]))
            in->offset[i] = 0.0f;
          in->mu[i] = in->prior_mean[i] + in->offset[i];
        } else {
          in->mu[i] += a * d;
        }
        float v = (1.0f - a) * (in->var[i] + a * d * d);
        in->var[i] = (v > 1e-30f && isfinite(v)) ? v : 0.0f; /* no denormals, no Inf */
        if (!isfinite(in->mu[i]))
          in->mu[i] = in->prior_mean[i];
      }
      float sd = sqrtf(in->var[i]);
      if (!(sd >= in->floor[i]))
        sd = in->floor[i];
      y = warm && in->follow[i] ? (x - in->mu[i]) / sd : (x - in->prior_mean[i]) / in->prior_std[i];
    } else {
      y = (x - in->prior_mean[i]) / in->prior_std[i];
    }
    in->out[i] = isfinite(y) ? clampf(y, in->norm.clamp) : 0.0f;
  }
  in->in_stride = 0;
  in->rms_sum = 0.0;
  return in->out;
}

static const float *accumulate(ev_input *in, const float *raw, float rms) {
  if (in->norm.level_relative) { /* the raw frame stays as it is: the trainer caches it */
    memcpy(in->rel, raw, (size_t)in->dims * sizeof(float));
    ev_func_level_apply(&in->level, in->rel + in->func_at);
    raw = in->rel;
  }
  /* non-finite values propagate to x and are caught there */
  double *restrict acc = in->acc;
  const int dims = in->dims;
  int i = 0;
#if defined(__SSE2__)
  /* four at a time (gcc -O2 leaves the loop scalar): each element's own conversion and sum,
   * so the same bits (the converted input first, as the scalar addsd has it: a NaN meeting a
   * NaN keeps the same payload) */
  for (; i + 4 <= dims; i += 4) {
    const __m128 r = _mm_loadu_ps(raw + i);
    _mm_storeu_pd(acc + i, _mm_add_pd(_mm_cvtps_pd(r), _mm_loadu_pd(acc + i)));
    _mm_storeu_pd(acc + i + 2,
                  _mm_add_pd(_mm_cvtps_pd(_mm_movehl_ps(r, r)), _mm_loadu_pd(acc + i + 2)));
  }
#endif
  for (; i < dims; i++)
    acc[i] += raw[i];
  in->rms_sum += isfinite(rms) ? rms : 0.0f;
  if (++in->in_stride < in->stride)
    return NULL;
  return finish_step(in);
}

const float *ev_input_push_vector(ev_input *in, const float *raw, float rms) {
  return accumulate(in, raw, rms);
}

const float *ev_input_push(ev_input *in, const ev_frame *frame) {
  int k = 0;
  for (int j = 0; j < in->n_inputs; j++) {
    const float *src = frame->feat[in->inputs[j]];
    const int d = in->input_dims[j];
    if (src)
      memcpy(in->raw + k, src, (size_t)d * sizeof(float));
    else
      for (int i = 0; i < d; i++)
        in->raw[k + i] = NAN; /* a missing feature behaves as a non-finite value */
    k += d;
  }
  const float *rms = frame->feat[EV_FEAT_RMS];
  return accumulate(in, in->raw, rms ? rms[0] : 0.0f);
}
