/* The network being trained: a model's layer stack (ev_layer_stack.h: the layers, their
 * weight arena laid out as the exported model's), a per-thread workspace for forward +
 * backward over one crop. The prediction for a crop is the output at its last frame
 * (docs/ARCHITECTURE.md), so training and streaming agree by construction. */
#ifndef EV_NET_H
#define EV_NET_H

#include <stddef.h>
#include <stdint.h>

#include "ev_arch.h"
#include "ev_layer_stack.h"
#include "ev_layers.h"

#define EV_NET_MAX_LAYERS EV_LAYER_STACK_MAX

/* Not a copy of the model's layers but the same structure: what is trained is what is saved
 * (ev_model_desc.weights takes the arena as it is). */
typedef ev_layer_stack ev_net;

/* Builds the layers of arch for in_dim inputs and n_classes outputs, with the model's rules.
 * 0 or -1 and err. */
int ev_net_build(ev_net *net, const ev_arch *arch, int in_dim, int n_classes, char *err,
                 size_t errlen);
void ev_net_free(ev_net *net);
/* Deterministic initialisation from seed (Glorot for dense/conv, U(+-1/sqrt(H)) for recurrent
 * layers as PyTorch does, forget-gate bias 1, layernorm 1/0, biases 0). */
void ev_net_init(ev_net *net, uint64_t seed);

typedef struct ev_work {
  int Tmax;
  float *act[EV_NET_MAX_LAYERS + 1]; /* act[i]: input of layer i ([Tmax, dim]) */
  float *cache[EV_NET_MAX_LAYERS];
  float *ga, *gb; /* gradient ping-pong [Tmax, max dim] */
  float *grad;    /* n_params, same layout as the arena */
  float *scratch; /* the backward pass's temporaries, sized for the largest layer at Tmax */
  float *dparams[EV_NET_MAX_LAYERS][EV_LAYER_MAX_PARAMS];
  /* Dropout (Srivastava et al. 2014), training only: with dropout > 0 each forward pass zeroes
   * every output of a hidden dense layer with probability dropout and scales the others by
   * 1 / (1 - dropout), so the exported network (which has no dropout) sees the same expected
   * activations. The masks are a function of dropout_seed, the layer, the frame and the unit
   * alone: two passes over one crop with one seed (the loss over every label, then over the
   * corpus's) see the same network, and a run does not depend on its threads. 0: off (what
   * ev_work_init sets; prediction never turns it on). */
  float dropout;
  uint64_t dropout_seed;
  float *drop[EV_NET_MAX_LAYERS + 1]; /* drop[i]: act[i]'s scales [Tmax, dim] (0 or 1/(1-p)) */
  int dropped[EV_NET_MAX_LAYERS + 1]; /* whether the last forward pass applied drop[i] */
} ev_work;

int ev_work_init(ev_work *w, const ev_net *net, int Tmax);
void ev_work_free(ev_work *w, const ev_net *net);

/* Forward over x [T, in_dim]; returns the class logits at the last frame (n_classes floats,
 * the input of the final softmax; valid until the next call). */
const float *ev_net_forward(const ev_net *net, ev_work *w, const float *x, int T);
/* Forward + backward of one crop (T <= w->Tmax); gradients are accumulated into w->grad,
 * scaled by weight. Returns the (unweighted) loss; *correct = whether argmax matched. Uses only
 * the workspace's memory: it cannot fail. */
float ev_net_train_crop(const ev_net *net, ev_work *w, const float *x, int T, int label,
                        unsigned classes, float weight, float smoothing, int *correct);
/* The same with an auxiliary loss: coord_weight times the squared error between the expected
 * coordinate under the softmax over every class, sum_k p_k coord[k], and coord[label] (e.g. the
 * circumplex arousal the plugin's port reads, --arousal-loss). coord NULL or weight 0: none. */
float ev_net_train_crop_aux(const ev_net *net, ev_work *w, const float *x, int T, int label,
                            unsigned classes, float weight, float smoothing, const float *coord,
                            float coord_weight, int *correct);
/* Backward from w->ga, which holds dLoss/d act[top] ([T, dim of act[top]]), through layers
 * top - 1 .. 0 as last run forward; gradients are accumulated into w->grad. */
void ev_net_backward(const ev_net *net, ev_work *w, int T, int top);

#endif
