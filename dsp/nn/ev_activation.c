/* The activation functions over a vector: what dense, conv1d and activation layers apply after
 * their affine map. A file of its own below the layer families, so that they (ev_layer_*.c)
 * and the dispatcher (ev_layers.c) both call down to it and never into each other. */
#include "ev_nn_internal.h"

void ev_activation_apply(ev_activation act, float *x, int n) {
  if (act == EV_ACT_LINEAR)
    return;
  for (int i = 0; i < n; i++)
    x[i] = ev_act_value(act, x[i]);
}
