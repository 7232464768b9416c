/* Layer names, validation, parameter shapes, and the dispatch of step / forward through the
 * kind table (ev_layer_kinds.c) to the per-family files. */
#include <stdio.h>
#include <string.h>

#include "ev_nn_internal.h"

static const char *const attr_names[] = {"out",    "kernel", "dilation", "activation",
                                         "hidden", "window", "eps"};
static const char *const act_names[EV_ACT_COUNT] = {"linear", "relu", "gelu", "tanh", "sigmoid"};

const ev_layer_kind_info *ev_layer_kind_info_of(ev_layer_kind kind) {
  return ((int)kind >= 0 && kind < EV_LAYER_KIND_COUNT) ? &ev_layer_kinds[kind] : NULL;
}
const char *ev_layer_attr_name(ev_layer_attr attr) {
  for (int i = 0; i < (int)(sizeof attr_names / sizeof attr_names[0]); i++)
    if (attr == 1u << i)
      return attr_names[i];
  return "?";
}
int ev_layer_attr_int(const ev_layer *l, ev_layer_attr attr) {
  switch (attr) {
  case EV_ATTR_OUT:
    return l->out_dim;
  case EV_ATTR_KERNEL:
    return l->kernel;
  case EV_ATTR_DILATION:
    return l->dilation;
  case EV_ATTR_ACTIVATION:
    return (int)l->activation;
  case EV_ATTR_HIDDEN:
    return l->hidden;
  case EV_ATTR_WINDOW:
    return l->window;
  default:
    return 0;
  }
}
const char *ev_layer_kind_name(ev_layer_kind kind) {
  return ((int)kind >= 0 && kind < EV_LAYER_KIND_COUNT) ? ev_layer_kinds[kind].name : "?";
}
int ev_layer_kind_from_name(const char *name) {
  for (int k = 0; name && k < EV_LAYER_KIND_COUNT; k++)
    if (!strcmp(name, ev_layer_kinds[k].name))
      return k;
  return -1;
}
const char *ev_activation_name(ev_activation act) {
  return ((int)act >= 0 && act < EV_ACT_COUNT) ? act_names[act] : "?";
}
int ev_activation_from_name(const char *name) {
  for (int a = 0; name && a < EV_ACT_COUNT; a++)
    if (!strcmp(name, act_names[a]))
      return a;
  return -1;
}

void ev_layer_config_default(ev_layer_config *cfg, ev_layer_kind kind) {
  memset(cfg, 0, sizeof *cfg);
  cfg->kind = kind;
  cfg->activation = EV_ACT_LINEAR;
  cfg->kernel = 1;
  cfg->dilation = 1;
  cfg->window = 0;
  cfg->eps = 1e-5f;
}

#define EV_MAX_DIM 65536 /* generous bound that keeps every size computation far from overflow */

static int fail(char *err, size_t errlen, const char *msg, int value) {
  if (err && errlen)
    snprintf(err, errlen, "%s (got %d)", msg, value);
  return -1;
}

static void add_param(ev_layer *l, const char *name, int ndim, int d0, int d1, int d2) {
  ev_param *p = &l->params[l->n_params++];
  p->name = name;
  p->ndim = ndim;
  p->shape[0] = d0;
  p->shape[1] = ndim > 1 ? d1 : 1;
  p->shape[2] = ndim > 2 ? d2 : 1;
  p->size = (size_t)p->shape[0] * (size_t)p->shape[1] * (size_t)p->shape[2];
  p->data = NULL;
}

static void add_recurrent_params(ev_layer *l, int gates, int reverse) {
  int G = gates * l->hidden;
  if (!reverse) {
    add_param(l, "weight_ih", 2, G, l->in_dim, 1);
    add_param(l, "weight_hh", 2, G, l->hidden, 1);
    add_param(l, "bias_ih", 1, G, 1, 1);
    add_param(l, "bias_hh", 1, G, 1, 1);
  } else {
    add_param(l, "weight_ih_reverse", 2, G, l->in_dim, 1);
    add_param(l, "weight_hh_reverse", 2, G, l->hidden, 1);
    add_param(l, "bias_ih_reverse", 1, G, 1, 1);
    add_param(l, "bias_hh_reverse", 1, G, 1, 1);
  }
}

int ev_layer_init(ev_layer *l, const ev_layer_config *cfg, char *err, size_t errlen) {
  memset(l, 0, sizeof *l);
  if ((int)cfg->kind < 0 || cfg->kind >= EV_LAYER_KIND_COUNT)
    return fail(err, errlen, "unknown layer kind", (int)cfg->kind);
  const ev_layer_kind_info *info = &ev_layer_kinds[cfg->kind];
  const char *kn = info->name;
  char msg[128];
  if (cfg->in_dim < 1 || cfg->in_dim > EV_MAX_DIM) {
    snprintf(msg, sizeof msg, "%s: input size must be 1..%d", kn, EV_MAX_DIM);
    return fail(err, errlen, msg, cfg->in_dim);
  }
  l->kind = cfg->kind;
  l->in_dim = cfg->in_dim;
  l->out_dim = cfg->in_dim;
  l->activation = EV_ACT_LINEAR;
  l->kernel = 1;
  l->dilation = 1;
  l->eps = cfg->eps;

  if (info->attrs & EV_ATTR_ACTIVATION) {
    if ((int)cfg->activation < 0 || cfg->activation >= EV_ACT_COUNT) {
      snprintf(msg, sizeof msg, "%s: unknown activation", kn);
      return fail(err, errlen, msg, (int)cfg->activation);
    }
    l->activation = cfg->activation;
  }
  if (info->attrs & EV_ATTR_OUT) {
    if (cfg->out_dim < 1 || cfg->out_dim > EV_MAX_DIM) {
      snprintf(msg, sizeof msg, "%s: output size must be 1..%d", kn, EV_MAX_DIM);
      return fail(err, errlen, msg, cfg->out_dim);
    }
    l->out_dim = cfg->out_dim;
  }
  if (info->gates) {
    if (cfg->hidden < 1 || cfg->hidden > EV_MAX_DIM / 4) {
      snprintf(msg, sizeof msg, "%s: hidden must be 1..%d", kn, EV_MAX_DIM / 4);
      return fail(err, errlen, msg, cfg->hidden);
    }
    l->hidden = cfg->hidden;
    l->out_dim = info->directions * cfg->hidden;
    for (int dir = 0; dir < info->directions; dir++)
      add_recurrent_params(l, info->gates, dir);
  }
  if (info->attrs & EV_ATTR_WINDOW) {
    int lo = info->min_window;
    if (cfg->window < lo || cfg->window > EV_LAYER_MAX_WINDOW) {
      snprintf(msg, sizeof msg, "%s: window must be %d..%d frames", kn, lo, EV_LAYER_MAX_WINDOW);
      return fail(err, errlen, msg, cfg->window);
    }
    l->window = cfg->window;
  }

  switch (cfg->kind) {
  case EV_LAYER_DENSE:
    add_param(l, "weight", 2, l->out_dim, l->in_dim, 1);
    add_param(l, "bias", 1, l->out_dim, 1, 1);
    break;
  case EV_LAYER_CONV1D:
    if (cfg->kernel < 1 || cfg->dilation < 1)
      return fail(err, errlen, "conv1d: kernel and dilation must be >= 1",
                  cfg->kernel < 1 ? cfg->kernel : cfg->dilation);
    if ((long)(cfg->kernel - 1) * cfg->dilation + 1 > EV_LAYER_MAX_WINDOW)
      return fail(err, errlen, "conv1d: receptive field (kernel-1)*dilation+1 exceeds 4096",
                  (cfg->kernel - 1) * cfg->dilation + 1);
    l->kernel = cfg->kernel;
    l->dilation = cfg->dilation;
    add_param(l, "weight", 3, l->out_dim, l->in_dim, l->kernel);
    add_param(l, "bias", 1, l->out_dim, 1, 1);
    break;
  case EV_LAYER_LAYERNORM:
    if (!(cfg->eps > 0.0f && cfg->eps < 1.0f))
      return fail(err, errlen, "layernorm: eps must be in (0, 1)", (int)cfg->eps);
    add_param(l, "weight", 1, l->in_dim, 1, 1);
    add_param(l, "bias", 1, l->in_dim, 1, 1);
    break;
  case EV_LAYER_ATTNPOOL:
    add_param(l, "weight", 2, 1, l->in_dim, 1);
    add_param(l, "bias", 1, 1, 1, 1);
    break;
  default:
    break;
  }
  if (err && errlen)
    err[0] = '\0';
  return 0;
}

size_t ev_layer_n_weights(const ev_layer *l) {
  size_t n = 0;
  for (int i = 0; i < l->n_params; i++)
    n += l->params[i].size;
  return n;
}

size_t ev_layer_bind(ev_layer *l, float *arena) {
  size_t off = 0;
  for (int i = 0; i < l->n_params; i++) {
    l->params[i].data = arena ? arena + off : NULL;
    off += l->params[i].size;
  }
  return off;
}

static int param_index(const ev_layer *l, const char *name) {
  for (int i = 0; i < l->n_params; i++)
    if (!strcmp(l->params[i].name, name))
      return i;
  return -1;
}
ev_param *ev_layer_param(ev_layer *l, const char *name) {
  int i = param_index(l, name);
  return i < 0 ? NULL : &l->params[i];
}
const ev_param *ev_layer_param_const(const ev_layer *l, const char *name) {
  int i = param_index(l, name);
  return i < 0 ? NULL : &l->params[i];
}

/* The layer's functions; NULL only for a layer ev_layer_init never accepted. */
static const ev_layer_ops *ops_of(const ev_layer *l) {
  return ((int)l->kind >= 0 && l->kind < EV_LAYER_KIND_COUNT) ? ev_layer_kinds[l->kind].ops : NULL;
}

size_t ev_layer_state_floats(const ev_layer *l) {
  const ev_layer_ops *o = ops_of(l);
  return o && o->state_floats ? o->state_floats(l) : 0;
}

size_t ev_layer_scratch_floats(const ev_layer *l) {
  const ev_layer_ops *o = ops_of(l);
  return o && o->scratch_floats ? o->scratch_floats(l) : 0;
}

void ev_layer_state_reset(const ev_layer *l, float *state) {
  size_t n = ev_layer_state_floats(l);
  if (n)
    memset(state, 0, sizeof(float) * n);
}

void ev_layer_step(const ev_layer *l, float *state, const float *in, float *out, float *scratch) {
  const ev_layer_ops *o = ops_of(l);
  if (o)
    o->step(l, state, in, out, scratch);
}

int ev_layer_step_parts(const ev_layer *l) {
  const ev_layer_ops *o = ops_of(l);
  return o && o->step_parts ? o->step_parts(l) : 1;
}

void ev_layer_step_part(const ev_layer *l, float *state, const float *in, float *out,
                        float *scratch, int part) {
  const ev_layer_ops *o = ops_of(l);
  if (o && o->step_part)
    o->step_part(l, state, in, out, scratch, part);
  else if (o && part == 0)
    o->step(l, state, in, out, scratch);
}

double ev_layer_step_flops(const ev_layer *l) {
  const ev_layer_ops *o = ops_of(l);
  return o ? o->step_flops(l) : 0;
}

size_t ev_layer_cache_floats(const ev_layer *l, int T) {
  const ev_layer_ops *o = ops_of(l);
  return o && o->cache_floats ? o->cache_floats(l, T > 0 ? (size_t)T : 0) : 0;
}

void ev_layer_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache) {
  const ev_layer_ops *o = ops_of(l);
  if (T > 0 && o)
    o->forward_seq(l, T, in, out, cache);
}
