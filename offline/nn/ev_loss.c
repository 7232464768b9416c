/* Cross-entropy losses with label smoothing (training only). */
#include <math.h>

#include "ev_layers_backward.h"

static float target_of(int k, int n, int label, float smoothing) {
  return (k == label ? 1.0f - smoothing : 0.0f) + smoothing / (float)n;
}

/* Whether class k takes part: every class when the mask is 0 (or too narrow for n). */
static int in_mask(unsigned classes, int n, int k) {
  return !classes || n > 32 || (classes & (1u << k));
}

/* The softmax cross-entropy over the classes in the mask; the others get no gradient. */
static float xent(const float *logits, int n, unsigned classes, int label, float smoothing,
                  float *dlogits) {
  if (classes && n <= 32)
    classes |= 1u << label;
  /* log softmax_k = logits_k - m - log(sum exp(logits - m)), accumulated in double */
  int n_in = 0;
  float m = 0.0f;
  for (int k = 0; k < n; k++)
    if (in_mask(classes, n, k)) {
      if (!n_in || logits[k] > m)
        m = logits[k];
      n_in++;
    }
  double sum = 0.0;
  for (int k = 0; k < n; k++)
    if (in_mask(classes, n, k))
      sum += exp((double)logits[k] - m);
  double log_z = (double)m + log(sum);
  double loss = 0.0;
  for (int k = 0; k < n; k++) {
    if (!in_mask(classes, n, k)) {
      if (dlogits)
        dlogits[k] = 0.0f;
      continue;
    }
    double logp = (double)logits[k] - log_z;
    float tk = target_of(k, n_in, label, smoothing);
    loss -= tk * logp;
    if (dlogits)
      dlogits[k] = (float)exp(logp) - tk;
  }
  return (float)loss;
}

float ev_loss_softmax_xent(const float *logits, int n, int label, float smoothing, float *dlogits) {
  return xent(logits, n, 0u, label, smoothing, dlogits);
}

float ev_loss_softmax_xent_masked(const float *logits, int n, unsigned classes, int label,
                                  float smoothing, float *dlogits) {
  return xent(logits, n, classes, label, smoothing, dlogits);
}

#define EV_PROB_FLOOR 1e-12f

float ev_loss_xent_probs(const float *probs, int n, int label, float smoothing, float *dprobs) {
  double loss = 0.0;
  for (int k = 0; k < n; k++) {
    float p = probs[k] > EV_PROB_FLOOR ? probs[k] : EV_PROB_FLOOR;
    float tk = target_of(k, n, label, smoothing);
    loss -= tk * log((double)p);
    if (dprobs)
      dprobs[k] = -tk / p;
  }
  return (float)loss;
}
