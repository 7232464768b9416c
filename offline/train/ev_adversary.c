/* The corpus adversary (see ev_adversary.h). */
#include "ev_adversary.h"

#include "ev_trainer.h" /* ev_adamw_step */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ev_adversary_init(ev_adversary *a, const ev_net *net, const unsigned *has, int chunks,
                      char *err, size_t errlen) {
  memset(a, 0, sizeof *a);
  const int top = net->n_layers - 2; /* the last dense layer; the softmax follows it */
  if (top < 1 || net->layers[top].kind != EV_LAYER_DENSE) {
    snprintf(err, errlen,
             "--adversary needs a network whose last layers are a hidden layer and a dense "
             "output layer");
    return -1;
  }
  if (net->n_classes > EV_ADV_MAX_CLASSES || chunks < 1 || chunks > EV_ADV_MAX_CHUNKS) {
    snprintf(err, errlen, "--adversary: at most %d labels", EV_ADV_MAX_CLASSES);
    return -1;
  }
  a->C = net->n_classes;
  a->H = net->layers[top].in_dim;
  a->top = top;
  a->chunks = chunks;
  for (int c = 0; c < a->C; c++) {
    a->has[c] = has[c];
    for (int g = 0; g < EV_ADV_MAX_GROUPS; g++)
      if (has[c] & (1u << g) && g + 1 > a->G)
        a->G = g + 1;
  }
  a->n = (size_t)a->C * (size_t)a->G * (size_t)(a->H + 1);
  a->w = calloc(a->n + 1, sizeof *a->w);
  a->g = calloc((size_t)chunks * a->n + 1, sizeof *a->g);
  a->m = calloc(a->n + 1, sizeof *a->m);
  a->v = calloc(a->n + 1, sizeof *a->v);
  if (!a->w || !a->g || !a->m || !a->v) {
    ev_adversary_free(a);
    snprintf(err, errlen, "out of memory for the corpus adversary");
    return -1;
  }
  return 0;
}

void ev_adversary_free(ev_adversary *a) {
  free(a->w);
  free(a->g);
  free(a->m);
  free(a->v);
  memset(a, 0, sizeof *a);
}

static int popcount(unsigned u) {
  int n = 0;
  for (; u; u &= u - 1)
    n++;
  return n;
}

float ev_adversary_crop(const ev_adversary *a, int chunk, const ev_net *net, ev_work *w,
                        const float *x, int T, int label, int group, float weight, float lambda) {
  if (label < 0 || label >= a->C || group < 0 || group >= a->G)
    return 0.0f;
  const unsigned has = a->has[label];
  if (popcount(has) < 2 || !(has & (1u << group)))
    return 0.0f;
  if (T > w->Tmax)
    T = w->Tmax;
  ev_net_forward(net, w, x, T);
  const int H = a->H, G = a->G;
  const float *h = w->act[a->top] + (size_t)(T - 1) * (size_t)H;
  const float *W = a->w + (size_t)label * (size_t)G * (size_t)(H + 1);
  double z[EV_ADV_MAX_GROUPS] = {0}, zmax = -INFINITY;
  for (int g = 0; g < G; g++) {
    if (!(has & (1u << g)))
      continue;
    const float *wg = W + (size_t)g * (size_t)(H + 1);
    double s = wg[H];
    for (int k = 0; k < H; k++)
      s += (double)wg[k] * h[k];
    z[g] = s;
    zmax = s > zmax ? s : zmax;
  }
  double sum = 0.0;
  for (int g = 0; g < G; g++)
    if (has & (1u << g))
      sum += exp(z[g] - zmax);
  const double loss = log(sum) + zmax - z[group];
  /* The head descends its cross-entropy: d / d z_g = p_g - [g == group]. The layers below
   * descend the confusion loss, the cross-entropy against every corpus alike: d / d z_g =
   * p_g - 1 / n (why not the reversed gradient: see the header). */
  float *dW = a->g + (size_t)chunk * a->n + (size_t)label * (size_t)G * (size_t)(H + 1);
  float *dh = w->ga + (size_t)(T - 1) * (size_t)H;
  memset(w->ga, 0, (size_t)T * (size_t)H * sizeof *w->ga);
  const double uniform = 1.0 / popcount(has);
  for (int g = 0; g < G; g++) {
    if (!(has & (1u << g)))
      continue;
    const double p = exp(z[g] - zmax) / sum;
    const float dz = (float)((p - (g == group)) * weight);
    const float dc = (float)((p - uniform) * weight * lambda);
    const float *wg = W + (size_t)g * (size_t)(H + 1);
    float *dwg = dW + (size_t)g * (size_t)(H + 1);
    for (int k = 0; k < H; k++) {
      dwg[k] += dz * h[k];
      dh[k] += dc * wg[k];
    }
    dwg[H] += dz;
  }
  ev_net_backward(net, w, T, a->top);
  return (float)loss;
}

void ev_adversary_update(ev_adversary *a, int nb, double lr) {
  for (size_t k = 0; k < a->n; k++) { /* the chunks' sum, in order, into slice 0 */
    float s = 0.0f;
    for (int c = 0; c < a->chunks; c++) {
      s += a->g[(size_t)c * a->n + k];
      a->g[(size_t)c * a->n + k] = 0.0f;
    }
    a->g[k] = nb > 0 && isfinite(s) ? s / (float)nb : 0.0f;
  }
  ev_adamw_step(a->w, a->m, a->v, a->g, NULL, a->n, ++a->step, 1.0f, lr, 0.0f);
  memset(a->g, 0, a->n * sizeof *a->g);
}

double ev_adversary_ramp(double lambda, double p) {
  p = p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
  return lambda * (2.0 / (1.0 + exp(-10.0 * p)) - 1.0);
}
