/* A chain of layers over one weight arena, ending with a softmax: the layers of a model
 * (ev_model) and the network the trainer updates (offline/train/ev_net.h) are this one
 * structure, so the weights a trainer writes are laid out as the model that saves them.
 *
 * Building allocates (not realtime); the layers themselves are ev_layers.h. */
#ifndef EV_LAYER_STACK_H
#define EV_LAYER_STACK_H

#include <stddef.h>

#include "ev_layers.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EV_LAYER_STACK_MAX 64 /* layers, the softmax included */

typedef struct ev_layer_stack {
  int n_layers; /* the last one is the softmax (appended if the configs lack it) */
  ev_layer layers[EV_LAYER_STACK_MAX];
  ev_layer_config configs[EV_LAYER_STACK_MAX]; /* as initialised (in_dim chained) */
  size_t offset[EV_LAYER_STACK_MAX];           /* of each layer's parameters in the arena */
  size_t n_params;
  float *w; /* the arena: n_params floats, layer by layer, each in ev_layer_bind's order */
  int in_dim, n_classes;
  int softmax_appended; /* the configs did not end with a softmax */
} ev_layer_stack;

/* Where the width of a layer with an "out" attribute (dense, conv1d) comes from when the
 * config leaves it open: a model file's weight tensor. Sets cfg->out_dim; 0 or -1 with err. */
typedef int (*ev_layer_width_fn)(void *ctx, int index, ev_layer_config *cfg, char *err,
                                 size_t errlen);

/* Chains the widths from in_dim through n configs (width: NULL, or asked for every layer with
 * an "out" attribute before it is initialised), checks the last width is n_classes and appends a
 * softmax if the last layer is not one. Allocates nothing; 0 or -1 with err. */
int ev_layer_stack_init(ev_layer_stack *s, const ev_layer_config *cfgs, int n, int in_dim,
                        int n_classes, ev_layer_width_fn width, void *ctx, char *err,
                        size_t errlen);
/* Allocates the arena (zeros) and binds every layer's parameters into it. 0 or -1 with err. */
int ev_layer_stack_alloc(ev_layer_stack *s, char *err, size_t errlen);
void ev_layer_stack_free(ev_layer_stack *s);
/* Multiply-adds of one streaming step through every layer (ev_layer_step_flops). */
double ev_layer_stack_step_flops(const ev_layer_stack *s);

#ifdef __cplusplus
}
#endif
#endif
