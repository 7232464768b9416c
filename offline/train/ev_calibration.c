/* Temperature scaling: fit on out-of-fold crop logits, fold into the last layer. */
#include "ev_calibration.h"

#include <math.h>

void ev_crop_probs(const float *logits, int n_crops, int n_classes, float T, float *p) {
  for (int k = 0; k < n_classes; k++)
    p[k] = 0.0f;
  for (int c = 0; c < n_crops; c++) {
    const float *lg = logits + (size_t)c * (size_t)n_classes;
    float mx = lg[0];
    for (int k = 1; k < n_classes; k++)
      mx = lg[k] > mx ? lg[k] : mx;
    double s = 0;
    for (int k = 0; k < n_classes; k++)
      s += exp(((double)lg[k] - mx) / T);
    for (int k = 0; k < n_classes; k++)
      p[k] += (float)(exp(((double)lg[k] - mx) / T) / s);
  }
  for (int k = 0; k < n_classes; k++)
    p[k] = n_crops ? p[k] / (float)n_crops : 1.0f / (float)n_classes;
}

static double mean_nll(const float *crop_logits, const int *n_crops, const int *labels, size_t n,
                       int C, int max_crops, float T) {
  float p[256];
  double s = 0;
  size_t used = 0;
  for (size_t i = 0; i < n; i++) {
    if (labels[i] < 0 || n_crops[i] < 1)
      continue;
    ev_crop_probs(crop_logits + i * (size_t)max_crops * (size_t)C, n_crops[i], C, T, p);
    float q = p[labels[i]];
    s -= log(q > 1e-12f ? q : 1e-12f);
    used++;
  }
  return used ? s / (double)used : 0.0;
}

float ev_temperature_fit(const float *crop_logits, const int *n_crops, const int *labels, size_t n,
                         int n_classes, int max_crops, double *nll_at_t, double *nll_at_1) {
  /* 97 log-spaced points from 0.25 to 4 (steps of 2.9 %): fine enough that the NLL at the
   * grid's best point is within a hair of the true minimum, and no optimiser to diverge */
  const int steps = 96;
  float best_t = 1.0f;
  double best = INFINITY;
  for (int i = 0; i <= steps; i++) {
    float T = (float)(0.25 * pow(16.0, (double)i / steps));
    double l = mean_nll(crop_logits, n_crops, labels, n, n_classes, max_crops, T);
    if (l < best) {
      best = l;
      best_t = T;
    }
  }
  if (nll_at_t)
    *nll_at_t = best;
  if (nll_at_1)
    *nll_at_1 = mean_nll(crop_logits, n_crops, labels, n, n_classes, max_crops, 1.0f);
  return best_t;
}

int ev_net_fold_temperature(ev_net *net, float T) {
  if (!(T > 0.0f) || net->n_layers < 2)
    return -1;
  ev_layer *l = &net->layers[net->n_layers - 2]; /* the layer before the appended softmax */
  if (!(ev_layer_kind_info_of(l->kind)->attrs & EV_ATTR_OUT) || l->activation != EV_ACT_LINEAR)
    return -1;
  for (int p = 0; p < l->n_params; p++)
    for (size_t k = 0; k < l->params[p].size; k++)
      l->params[p].data[k] /= T;
  return 0;
}
