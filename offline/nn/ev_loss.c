/* Cross-entropy losses with label smoothing (training only). */
#include <math.h>

#include "ev_layers_backward.h"

static float target_of(int k, int n, int label, float smoothing) {
  return (k == label ? 1.0f - smoothing : 0.0f) + smoothing / (float)n;
}

float ev_loss_softmax_xent(const float *logits, int n, int label, float smoothing, float *dlogits) {
  /* log softmax_k = logits_k - m - log(sum exp(logits - m)), accumulated in double */
  float m = logits[0];
  for (int k = 1; k < n; k++)
    if (logits[k] > m)
      m = logits[k];
  double sum = 0.0;
  for (int k = 0; k < n; k++)
    sum += exp((double)logits[k] - m);
  double log_z = (double)m + log(sum);
  double loss = 0.0;
  for (int k = 0; k < n; k++) {
    double logp = (double)logits[k] - log_z;
    float tk = target_of(k, n, label, smoothing);
    loss -= tk * logp;
    if (dlogits)
      dlogits[k] = (float)exp(logp) - tk;
  }
  return (float)loss;
}

float ev_loss_softmax_xent_masked(const float *logits, int n, unsigned classes, int label,
                                  float smoothing, float *dlogits) {
  if (!classes || n > 32)
    return ev_loss_softmax_xent(logits, n, label, smoothing, dlogits);
  classes |= 1u << label;
  int m_n = 0;
  float m = 0.0f;
  for (int k = 0; k < n; k++)
    if (classes & (1u << k)) {
      if (!m_n || logits[k] > m)
        m = logits[k];
      m_n++;
    }
  double sum = 0.0;
  for (int k = 0; k < n; k++)
    if (classes & (1u << k))
      sum += exp((double)logits[k] - m);
  double log_z = (double)m + log(sum);
  double loss = 0.0;
  for (int k = 0; k < n; k++) {
    if (!(classes & (1u << k))) {
      if (dlogits)
        dlogits[k] = 0.0f;
      continue;
    }
    double logp = (double)logits[k] - log_z;
    float tk = target_of(k, m_n, label, smoothing);
    loss -= tk * logp;
    if (dlogits)
      dlogits[k] = (float)exp(logp) - tk;
  }
  return (float)loss;
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
