/* Emovox classifier layers: the backward half (training only).
 * Library: emovox_train_nn, meson dependency emovox_nn_train_dep (offline/nn/meson.build).
 *
 * Usage per layer (see docs/layers.md):
 *   ev_layer_forward_seq(l, T, in, out, cache);          // cache: ev_layer_cache_floats(l, T)
 *   ... dout = dLoss/dout ...
 *   ev_layer_backward_seq(l, T, in, cache, dout, din, dparams);
 * The cache must be the one filled by the forward call on the same `in`. A training loop sizes
 * the scratch once (ev_layer_backward_scratch_floats) and calls ev_layer_backward_seq_scratch,
 * which neither allocates nor fails. */
#ifndef EV_LAYERS_BACKWARD_H
#define EV_LAYERS_BACKWARD_H

#include "ev_layers.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Backpropagates through one layer over a whole sequence.
 * dout: [T, out_dim] gradient of the loss w.r.t. the layer's outputs.
 * din:  [T, in_dim]  written (not accumulated) with the gradient w.r.t. the inputs; may be
 *       NULL (first layer).
 * dparams: NULL, or an array of l->n_params pointers, dparams[i] parallel to l->params[i]
 *       (same size/layout, e.g. a gradient arena bound with ev_layer_bind()); gradients are
 *       ACCUMULATED (+=) so a batch sums naturally. Individual entries may be NULL (skipped).
 * Returns 0, or -1 if temporary memory could not be allocated (nothing written then). */
int ev_layer_backward_seq(const ev_layer *l, int T, const float *in, const float *cache,
                          const float *dout, float *din, float *const *dparams);

/* Floats of scratch the backward pass of l over T frames needs; enough for any T' <= T. */
size_t ev_layer_backward_scratch_floats(const ev_layer *l, int T);
/* ev_layer_backward_seq with the caller's scratch (ev_layer_backward_scratch_floats(l, T)
 * floats, contents irrelevant): the same arithmetic, no allocation, no failure. */
void ev_layer_backward_seq_scratch(const ev_layer *l, int T, const float *in, const float *cache,
                                   const float *dout, float *din, float *const *dparams,
                                   float *scratch);

/* Cross-entropy of softmax(logits) against a label-smoothed one-hot target:
 *   target_k = (1 - smoothing) * [k == label] + smoothing / n
 *   loss = -sum_k target_k * log softmax(logits)_k
 * Computed in a numerically stable way (log-sum-exp). If dlogits is not NULL it receives
 * dloss/dlogits = softmax(logits) - target (written, not accumulated). label in [0, n),
 * smoothing in [0, 1). Use it on the input of a final `softmax` layer (skip that layer's
 * backward) rather than taking the log of probabilities. */
float ev_loss_softmax_xent(const float *logits, int n, int label, float smoothing, float *dlogits);
/* The same over the classes in `classes` (bit k = class k; 0 = all): the others take no part
 * in the softmax and get no gradient, and smoothing spreads over the allowed classes only.
 * Training on corpora with different label sets this way asks of the network what the
 * evaluation asks (the argmax over the file's corpus classes). */
float ev_loss_softmax_xent_masked(const float *logits, int n, unsigned classes, int label,
                                  float smoothing, float *dlogits);

/* The same loss from probabilities p (e.g. the output of a final `softmax` layer):
 * -sum target_k * log(max(p_k, 1e-12)); dprobs (optional) = -target_k / max(p_k, 1e-12). */
float ev_loss_xent_probs(const float *probs, int n, int label, float smoothing, float *dprobs);

#ifdef __cplusplus
}
#endif

#endif
