/* Network assembly, initialisation, and forward/backward over a crop with the layers' API. */
#include "ev_net.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_augment.h"
#include "ev_layers_backward.h"
#include "ev_model.h"

int ev_net_build(ev_net *net, const ev_arch *arch, int in_dim, int n_classes, char *err,
                 size_t errlen) {
  ev_layer_config cfg[EV_NET_MAX_LAYERS];
  int n = ev_model_parse_architecture(arch->layers_json, cfg, EV_NET_MAX_LAYERS, n_classes, err,
                                      errlen);
  if (n < 1 || ev_layer_stack_init(net, cfg, n, in_dim, n_classes, NULL, NULL, err, errlen) ||
      ev_layer_stack_alloc(net, err, errlen))
    return -1;
  return 0;
}

void ev_net_free(ev_net *net) {
  ev_layer_stack_free(net);
}

void ev_net_init(ev_net *net, uint64_t seed) {
  ev_rng r;
  ev_rng_seed(&r, seed);
  for (int i = 0; i < net->n_layers; i++) {
    ev_layer *l = &net->layers[i];
    const int gates = ev_layer_kind_info_of(l->kind)->gates;
    for (int p = 0; p < l->n_params; p++) {
      ev_param *pr = &l->params[p];
      const char *nm = pr->name;
      int is_bias = strncmp(nm, "bias", 4) == 0;
      double bound = 0.0;
      if (gates) { /* recurrent */
        bound = 1.0 / sqrt((double)l->hidden);
      } else if (l->kind == EV_LAYER_LAYERNORM) {
        for (size_t k = 0; k < pr->size; k++)
          pr->data[k] = is_bias ? 0.0f : 1.0f;
        continue;
      } else if (!is_bias) {
        /* Glorot uniform: fan_in = in * kernel, fan_out = out * kernel */
        double fan_in = (double)pr->size / pr->shape[0];
        double fan_out = (double)pr->shape[0] * (pr->ndim == 3 ? pr->shape[2] : 1);
        bound = sqrt(6.0 / (fan_in + fan_out));
      }
      for (size_t k = 0; k < pr->size; k++)
        pr->data[k] = (float)ev_rng_range(&r, -bound, bound);
      /* LSTM cells (4 gates i, f, g, o): the forget gate (second quarter) starts open */
      if (is_bias && gates == 4 && strncmp(nm, "bias_ih", 7) == 0)
        for (int k = l->hidden; k < 2 * l->hidden; k++)
          pr->data[k] = 1.0f;
    }
  }
}

int ev_work_init(ev_work *w, const ev_net *net, int Tmax) {
  memset(w, 0, sizeof *w);
  w->Tmax = Tmax;
  int maxd = net->in_dim;
  for (int i = 0; i < net->n_layers; i++)
    if (net->layers[i].out_dim > maxd)
      maxd = net->layers[i].out_dim;
  int ok = 1;
  for (int i = 1; i <= net->n_layers; i++) {
    w->act[i] = malloc((size_t)Tmax * (size_t)net->layers[i - 1].out_dim * sizeof(float));
    w->drop[i] = malloc((size_t)Tmax * (size_t)net->layers[i - 1].out_dim * sizeof(float));
    ok &= w->act[i] != NULL && w->drop[i] != NULL;
  }
  for (int i = 0; i < net->n_layers; i++) {
    size_t c = ev_layer_cache_floats(&net->layers[i], Tmax);
    w->cache[i] = malloc((c ? c : 1) * sizeof(float));
    ok &= w->cache[i] != NULL;
  }
  w->ga = malloc((size_t)Tmax * (size_t)maxd * sizeof(float));
  w->gb = malloc((size_t)Tmax * (size_t)maxd * sizeof(float));
  w->grad = calloc(net->n_params + 1, sizeof(float));
  size_t scratch = 1;
  for (int i = 0; i < net->n_layers; i++) {
    size_t s = ev_layer_backward_scratch_floats(&net->layers[i], Tmax);
    scratch = s > scratch ? s : scratch;
  }
  w->scratch = malloc(scratch * sizeof(float));
  ok &= w->ga && w->gb && w->grad && w->scratch;
  if (!ok) {
    ev_work_free(w, net);
    return -1;
  }
  for (int i = 0; i < net->n_layers; i++) {
    const ev_layer *l = &net->layers[i];
    for (int p = 0; p < l->n_params; p++)
      w->dparams[i][p] = w->grad + net->offset[i] + (size_t)(l->params[p].data - l->params[0].data);
  }
  return 0;
}

void ev_work_free(ev_work *w, const ev_net *net) {
  for (int i = 1; i <= net->n_layers; i++) {
    free(w->act[i]);
    free(w->drop[i]);
  }
  for (int i = 0; i < net->n_layers; i++)
    free(w->cache[i]);
  free(w->ga);
  free(w->gb);
  free(w->grad);
  free(w->scratch);
  memset(w, 0, sizeof *w);
}

/* Whether dropout applies to the output of layer i (act[i + 1]): a dense layer's, when another
 * layer reads it (not the logits). Dense layers take their activation's derivative from the
 * cached pre-activation, so zeroing their output in place leaves their backward pass right. */
static int drops_after(const ev_net *net, const ev_work *w, int i) {
  return w->dropout > 0.0f && i + 1 < net->n_layers - 1 && net->layers[i].kind == EV_LAYER_DENSE;
}

/* Draws and applies layer i's mask to y [T, O] (inverted dropout). */
static void apply_dropout(const ev_work *w, int i, int T, int O, float *y, float *scale) {
  const float keep = 1.0f - w->dropout, s = 1.0f / keep;
  /* one splitmix64 stream per (seed, layer), unit k its k-th value: seeds that differ in a
   * few bits (or a seed and a unit index) never share draws */
  uint64_t st = w->dropout_seed ^ ((uint64_t)(i + 1) << 56);
  const uint64_t base = ev_splitmix64(&st); /* a hash of (seed, layer): where its stream starts */
  for (size_t k = 0; k < (size_t)T * (size_t)O; k++) {
    uint64_t h = base + k * 0x9e3779b97f4a7c15ull; /* splitmix64's own step: its k-th draw */
    const double u = (double)(ev_splitmix64(&h) >> 11) / 9007199254740992.0; /* [0, 1) */
    scale[k] = u < w->dropout ? 0.0f : s;
    y[k] *= scale[k];
  }
}

const float *ev_net_forward(const ev_net *net, ev_work *w, const float *x, int T) {
  if (T > w->Tmax)
    T = w->Tmax;
  w->act[0] = (float *)x;
  int L = net->n_layers - 1; /* the softmax is folded into the loss */
  for (int i = 0; i < L; i++) {
    ev_layer_forward_seq(&net->layers[i], T, w->act[i], w->act[i + 1], w->cache[i]);
    w->dropped[i + 1] = drops_after(net, w, i);
    if (w->dropped[i + 1])
      apply_dropout(w, i, T, net->layers[i].out_dim, w->act[i + 1], w->drop[i + 1]);
  }
  return w->act[L] + (size_t)(T - 1) * (size_t)net->n_classes;
}

float ev_net_train_crop(const ev_net *net, ev_work *w, const float *x, int T, int label,
                        unsigned classes, float weight, float smoothing, int *correct) {
  return ev_net_train_crop_aux(net, w, x, T, label, classes, weight, smoothing, NULL, 0.0f,
                               correct);
}

#define EV_NET_MAX_COORD_CLASSES 64

/* The squared error of the expected coordinate under the softmax over every class: with
 * m = sum_k p_k c_k and t = c_label, d (m - t)^2 / d z_k = 2 (m - t) p_k (c_k - m). */
static void add_coord_loss(const float *logits, int C, const float *coord, int label, float w,
                           float *dlast) {
  double p[EV_NET_MAX_COORD_CLASSES], zmax = logits[0], sum = 0.0, m = 0.0;
  for (int k = 1; k < C; k++)
    zmax = logits[k] > zmax ? logits[k] : zmax;
  for (int k = 0; k < C; k++)
    sum += p[k] = exp((double)logits[k] - zmax);
  for (int k = 0; k < C; k++) {
    p[k] /= sum;
    m += p[k] * coord[k];
  }
  const double e = m - coord[label];
  for (int k = 0; k < C; k++)
    dlast[k] += (float)(w * 2.0 * e * p[k] * (coord[k] - m));
}

float ev_net_train_crop_aux(const ev_net *net, ev_work *w, const float *x, int T, int label,
                            unsigned classes, float weight, float smoothing, const float *coord,
                            float coord_weight, int *correct) {
  if (T > w->Tmax)
    T = w->Tmax;
  const float *logits = ev_net_forward(net, w, x, T);
  int C = net->n_classes, L = net->n_layers - 1;
  int best = -1;
  for (int k = 0; k < C; k++)
    if ((!classes || (classes & (1u << k)) || k == label) && (best < 0 || logits[k] > logits[best]))
      best = k;
  if (correct)
    *correct = best == label;
  /* dLoss/dout of the last trained layer: zero except at the last frame. */
  float *dout = w->ga;
  memset(dout, 0, (size_t)T * (size_t)C * sizeof *dout);
  float *dlast = dout + (size_t)(T - 1) * (size_t)C;
  float loss = ev_loss_softmax_xent_masked(logits, C, classes, label, smoothing, dlast);
  for (int k = 0; k < C; k++)
    dlast[k] *= weight;
  if (coord && coord_weight > 0.0f && C <= EV_NET_MAX_COORD_CLASSES)
    add_coord_loss(logits, C, coord, label, coord_weight, dlast);
  ev_net_backward(net, w, T, L);
  return loss;
}

void ev_net_backward(const ev_net *net, ev_work *w, int T, int top) {
  float *dout = w->ga, *din = w->gb;
  for (int i = top - 1; i >= 0; i--) {
    if (w->dropped[i + 1]) { /* d act / d (layer i's output) is the mask's scale */
      const size_t n = (size_t)T * (size_t)net->layers[i].out_dim;
      for (size_t k = 0; k < n; k++)
        dout[k] *= w->drop[i + 1][k];
    }
    ev_layer_backward_seq_scratch(&net->layers[i], T, w->act[i], w->cache[i], dout,
                                  i > 0 ? din : NULL, w->dparams[i], w->scratch);
    float *t = dout;
    dout = din;
    din = t;
  }
}
