/* Layer descriptions (names, validation, parameter shapes) and the dispatch of step / forward
 * to the per-family files. */
#include <stdio.h>
#include <string.h>

#include "ev_nn_internal.h"

static const ev_layer_kind_info kinds[EV_LAYER_KIND_COUNT] = {
    [EV_LAYER_DENSE] = {"dense", EV_ATTR_OUT | EV_ATTR_ACTIVATION, 0, 0, 0},
    [EV_LAYER_CONV1D] = {"conv1d",
                         EV_ATTR_OUT | EV_ATTR_KERNEL | EV_ATTR_DILATION | EV_ATTR_ACTIVATION, 0, 0,
                         0},
    [EV_LAYER_GRU] = {"gru", EV_ATTR_HIDDEN, 0, 3, 1},
    [EV_LAYER_LSTM] = {"lstm", EV_ATTR_HIDDEN, 0, 4, 1},
    [EV_LAYER_BILSTM] = {"bilstm", EV_ATTR_HIDDEN | EV_ATTR_WINDOW, 1, 4, 2},
    [EV_LAYER_LAYERNORM] = {"layernorm", EV_ATTR_EPS, 0, 0, 0},
    [EV_LAYER_ACTIVATION] = {"activation", EV_ATTR_ACTIVATION, 0, 0, 0},
    [EV_LAYER_MEANPOOL] = {"meanpool", EV_ATTR_WINDOW, 0, 0, 0},
    [EV_LAYER_ATTNPOOL] = {"attnpool", EV_ATTR_WINDOW, 1, 0, 0},
    [EV_LAYER_SOFTMAX] = {"softmax", 0, 0, 0, 0},
    [EV_LAYER_BIGRU] = {"bigru", EV_ATTR_HIDDEN | EV_ATTR_WINDOW, 1, 3, 2},
};
static const char *const attr_names[] = {"out",    "kernel", "dilation", "activation",
                                         "hidden", "window", "eps"};
static const char *const act_names[EV_ACT_COUNT] = {"linear", "relu", "gelu", "tanh", "sigmoid"};

const ev_layer_kind_info *ev_layer_kind_info_of(ev_layer_kind kind) {
  return ((int)kind >= 0 && kind < EV_LAYER_KIND_COUNT) ? &kinds[kind] : NULL;
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
  return ((int)kind >= 0 && kind < EV_LAYER_KIND_COUNT) ? kinds[kind].name : "?";
}
int ev_layer_kind_from_name(const char *name) {
  for (int k = 0; name && k < EV_LAYER_KIND_COUNT; k++)
    if (!strcmp(name, kinds[k].name))
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
  const ev_layer_kind_info *info = &kinds[cfg->kind];
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

static int conv_span(const ev_layer *l) {
  return (l->kernel - 1) * l->dilation + 1;
}

size_t ev_layer_state_floats(const ev_layer *l) {
  size_t H = (size_t)l->hidden, D = (size_t)l->in_dim, W = (size_t)l->window;
  switch (l->kind) {
  case EV_LAYER_CONV1D:
    return 2 + (size_t)conv_span(l) * D; /* write slot, frames seen, input history */
  case EV_LAYER_GRU:
    return 4 * H; /* h, and the input projection of a step in parts */
  case EV_LAYER_LSTM:
    return 2 * H;
  case EV_LAYER_BILSTM:
    /* projected inputs of both directions + the (h, c) pairs of a step in parts */
    return EV_RING_HEADER + W * 8 * H + 4 * H;
  case EV_LAYER_BIGRU:
    /* input projections of both directions + the two hidden states of a step in parts */
    return EV_RING_HEADER + W * 6 * H + 2 * H;
  case EV_LAYER_MEANPOOL:
    /* ring of fixed-point frames and their sums (int64 = 2 floats), or (count, running mean) */
    return W ? EV_RING_HEADER + 2 * W * D + 2 * D : 1 + D;
  case EV_LAYER_ATTNPOOL:
    return EV_RING_HEADER + W * (D + 1); /* inputs and their scores */
  default:
    return 0;
  }
}

size_t ev_layer_scratch_floats(const ev_layer *l) {
  size_t H = (size_t)l->hidden;
  switch (l->kind) {
  case EV_LAYER_GRU:
    return 6 * H;
  case EV_LAYER_LSTM:
    return 4 * H;
  case EV_LAYER_BILSTM:
    return 6 * H; /* gates + the two cell states */
  case EV_LAYER_BIGRU:
    return 3 * H; /* the recurrent projection W_hh h + b_hh */
  case EV_LAYER_ATTNPOOL:
    return (size_t)l->window;
  default:
    return 0;
  }
}

void ev_layer_state_reset(const ev_layer *l, float *state) {
  size_t n = ev_layer_state_floats(l);
  if (n)
    memset(state, 0, sizeof(float) * n);
}

void ev_layer_step(const ev_layer *l, float *state, const float *in, float *out, float *scratch) {
  int H = l->hidden;
  switch (l->kind) {
  case EV_LAYER_DENSE:
    ev_dense_step(l, in, out);
    break;
  case EV_LAYER_CONV1D:
    ev_conv1d_step(l, state, in, out);
    break;
  case EV_LAYER_GRU:
    ev_gru_cell(l, in, state, out, scratch, NULL);
    memcpy(state, out, sizeof(float) * (size_t)H);
    break;
  case EV_LAYER_LSTM:
    ev_lstm_project(l, 0, in, scratch);
    ev_lstm_cell(l, 0, scratch, state, state + H, state, state + H, scratch);
    memcpy(out, state, sizeof(float) * (size_t)H);
    break;
  case EV_LAYER_BILSTM: {
    float *slot = ev_ring_push(state, l->window, 8 * H, NULL);
    ev_lstm_project(l, 0, in, slot);
    ev_lstm_project(l, 1, in, slot + 4 * H);
    int W = l->window, L = (int)state[1];
    int start = L < W ? 0 : (int)state[0];
    ev_bilstm_window(l, state + EV_RING_HEADER, start, W, L, out, scratch);
    break;
  }
  case EV_LAYER_BIGRU: {
    float *slot = ev_ring_push(state, l->window, 6 * H, NULL);
    ev_gru_project(l, 0, in, slot);
    ev_gru_project(l, 1, in, slot + 3 * H);
    int W = l->window, L = (int)state[1];
    int start = L < W ? 0 : (int)state[0];
    ev_bigru_window(l, state + EV_RING_HEADER, start, W, L, out, scratch);
    break;
  }
  case EV_LAYER_LAYERNORM:
    ev_layernorm_frame(l, in, out, NULL);
    break;
  case EV_LAYER_ACTIVATION:
    memcpy(out, in, sizeof(float) * (size_t)l->in_dim);
    ev_activation_apply(l->activation, out, l->in_dim);
    break;
  case EV_LAYER_MEANPOOL:
    ev_meanpool_step(l, state, in, out);
    break;
  case EV_LAYER_ATTNPOOL:
    ev_attnpool_step(l, state, in, out, scratch);
    break;
  case EV_LAYER_SOFTMAX:
    ev_softmax_frame(l->in_dim, in, out);
    break;
  default:
    break;
  }
}

/* Layers heavier than this are cut in two parts (the analyser runs one part per tick, so a
 * host block never carries a whole large matrix-vector product). */
#define EV_SPLIT_MACS 16384

int ev_layer_step_parts(const ev_layer *l) {
  switch (l->kind) {
  case EV_LAYER_BILSTM: {
    int cpp = ev_bilstm_cells_per_part(l);
    return (2 * l->window + cpp - 1) / cpp;
  }
  case EV_LAYER_BIGRU: {
    int cpp = ev_bigru_cells_per_part(l);
    return (2 * l->window + cpp - 1) / cpp;
  }
  case EV_LAYER_DENSE:
  case EV_LAYER_CONV1D:
    return l->out_dim >= 2 && ev_layer_step_flops(l) > EV_SPLIT_MACS ? 2 : 1;
  case EV_LAYER_GRU: /* input projection, then recurrent projection and gates */
    return ev_layer_step_flops(l) > EV_SPLIT_MACS ? 2 : 1;
  default:
    return 1;
  }
}

void ev_layer_step_part(const ev_layer *l, float *state, const float *in, float *out,
                        float *scratch, int part) {
  if (l->kind == EV_LAYER_BILSTM)
    ev_bilstm_step_part(l, state, in, out, scratch, part);
  else if (l->kind == EV_LAYER_BIGRU)
    ev_bigru_step_part(l, state, in, out, scratch, part);
  else if (ev_layer_step_parts(l) == 1) {
    if (part == 0)
      ev_layer_step(l, state, in, out, scratch);
  } else if (part == 0 || part == 1) {
    if (l->kind == EV_LAYER_DENSE)
      ev_dense_step_part(l, in, out, part);
    else if (l->kind == EV_LAYER_CONV1D)
      ev_conv1d_step_part(l, state, in, out, part);
    else
      ev_gru_step_part(l, state, in, out, scratch, part);
  }
}

double ev_layer_step_flops(const ev_layer *l) {
  double D = l->in_dim, O = l->out_dim, H = l->hidden, W = l->window;
  switch (l->kind) {
  case EV_LAYER_DENSE:
    return D * O;
  case EV_LAYER_CONV1D:
    return D * O * l->kernel;
  case EV_LAYER_GRU:
    return 3 * H * (D + H);
  case EV_LAYER_LSTM:
    return 4 * H * (D + H);
  case EV_LAYER_BILSTM:
    return 2 * 4 * H * D + W * 2 * 4 * H * H;
  case EV_LAYER_BIGRU:
    return 2 * 3 * H * D + W * 2 * 3 * H * H;
  case EV_LAYER_LAYERNORM:
  case EV_LAYER_ACTIVATION:
  case EV_LAYER_SOFTMAX:
    return 4 * D;
  case EV_LAYER_MEANPOOL:
    return D; /* one add (and one subtract) per input: the window sum slides */
  case EV_LAYER_ATTNPOOL:
    return D + 2 * W * D;
  default:
    return 0;
  }
}

size_t ev_layer_cache_floats(const ev_layer *l, int T) {
  size_t t = T > 0 ? (size_t)T : 0, H = (size_t)l->hidden;
  switch (l->kind) {
  case EV_LAYER_DENSE:
  case EV_LAYER_CONV1D:
    return l->activation == EV_ACT_LINEAR ? 0 : t * (size_t)l->out_dim; /* pre-activations */
  case EV_LAYER_GRU:
    return t * 5 * H + 6 * H; /* r, z, n, hn, h per frame + step scratch */
  case EV_LAYER_LSTM:
    return t * 6 * H + 4 * H; /* i, f, g, o, c, h per frame + projection */
  case EV_LAYER_BILSTM:
    return t * 8 * H + 6 * H; /* projections of both directions per frame + window scratch */
  case EV_LAYER_BIGRU:
    return t * 6 * H + 3 * H; /* input projections of both directions per frame + scratch */
  case EV_LAYER_LAYERNORM:
    return 2 * t; /* mean, 1/std per frame */
  case EV_LAYER_ATTNPOOL:
    return t + (size_t)l->window; /* scores per frame + attention weights */
  case EV_LAYER_MEANPOOL:
    return l->window ? 2 * (size_t)l->in_dim : 0; /* the window's fixed-point sums */
  default:
    return 0;
  }
}

void ev_layer_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache) {
  if (T <= 0)
    return;
  size_t D = (size_t)l->in_dim;
  switch (l->kind) {
  case EV_LAYER_DENSE:
    ev_dense_forward_seq(l, T, in, out, cache);
    break;
  case EV_LAYER_CONV1D:
    ev_conv1d_forward_seq(l, T, in, out, cache);
    break;
  case EV_LAYER_GRU:
    ev_gru_forward_seq(l, T, in, out, cache);
    break;
  case EV_LAYER_LSTM:
    ev_lstm_forward_seq(l, T, in, out, cache);
    break;
  case EV_LAYER_BILSTM:
    ev_bilstm_forward_seq(l, T, in, out, cache);
    break;
  case EV_LAYER_BIGRU:
    ev_bigru_forward_seq(l, T, in, out, cache);
    break;
  case EV_LAYER_LAYERNORM:
    for (int t = 0; t < T; t++)
      ev_layernorm_frame(l, in + t * D, out + t * D, cache + 2 * (size_t)t);
    break;
  case EV_LAYER_ACTIVATION:
    memcpy(out, in, sizeof(float) * D * (size_t)T);
    ev_activation_apply(l->activation, out, (int)(D * (size_t)T));
    break;
  case EV_LAYER_MEANPOOL:
    ev_meanpool_forward_seq(l, T, in, out, cache);
    break;
  case EV_LAYER_ATTNPOOL:
    ev_attnpool_forward_seq(l, T, in, out, cache);
    break;
  case EV_LAYER_SOFTMAX:
    for (int t = 0; t < T; t++)
      ev_softmax_frame(l->in_dim, in + t * D, out + t * D);
    break;
  default:
    break;
  }
}
