/* Layer chain and weight arena, shared by the model container and the trainer's network. */
#include "ev_layer_stack.h"
#include "ev_error.h"

#include <stdlib.h>
#include <string.h>

int ev_layer_stack_init(ev_layer_stack *s, const ev_layer_config *cfgs, int n, int in_dim,
                        int n_classes, ev_layer_width_fn width, void *ctx, char *err,
                        size_t errlen) {
  memset(s, 0, sizeof *s);
  if (n < 1 || n > EV_LAYER_STACK_MAX)
    return ev_fail(err, errlen, "a model needs 1..%d layers", EV_LAYER_STACK_MAX);
  s->in_dim = in_dim;
  s->n_classes = n_classes;
  int dim = in_dim;
  for (int i = 0; i < n; i++) {
    ev_layer_config *c = &s->configs[i];
    *c = cfgs[i];
    c->in_dim = dim;
    const ev_layer_kind_info *info = ev_layer_kind_info_of(c->kind);
    if (width && info && (info->attrs & EV_ATTR_OUT) && width(ctx, i, c, err, errlen))
      return -1;
    char why[200];
    if (ev_layer_init(&s->layers[i], c, why, sizeof why))
      return ev_fail(err, errlen, "layer %d (%s, input width %d): %s", i,
                     ev_layer_kind_name(c->kind), dim, why);
    dim = s->layers[i].out_dim;
  }
  s->n_layers = n;
  if (dim != n_classes)
    return ev_fail(err, errlen,
                   "the last layer gives %d outputs but the model has %d labels; the architecture "
                   "and the labels do not match",
                   dim, n_classes);
  if (s->layers[n - 1].kind != EV_LAYER_SOFTMAX) {
    /* A saved model holds the appended softmax: with 64 layers it would hold 65, which no
     * loader accepts, so such a stack is refused here rather than failing when saved. */
    if (n >= EV_LAYER_STACK_MAX)
      return ev_fail(err, errlen,
                     "the model has %d layers and the last is not a softmax; with the softmax "
                     "that is appended it would have %d, more than the %d allowed: end with a "
                     "softmax layer or use at most %d layers",
                     n, n + 1, EV_LAYER_STACK_MAX, EV_LAYER_STACK_MAX - 1);
    ev_layer_config *sm = &s->configs[n];
    ev_layer_config_default(sm, EV_LAYER_SOFTMAX);
    sm->in_dim = dim;
    char why[200];
    if (ev_layer_init(&s->layers[n], sm, why, sizeof why))
      return ev_fail(err, errlen, "cannot append a softmax: %s", why);
    s->n_layers = n + 1;
    s->softmax_appended = 1;
  }
  for (int i = 0; i < s->n_layers; i++) {
    s->offset[i] = s->n_params;
    s->n_params += ev_layer_n_weights(&s->layers[i]);
  }
  return 0;
}

int ev_layer_stack_alloc(ev_layer_stack *s, char *err, size_t errlen) {
  s->w = calloc(s->n_params ? s->n_params : 1, sizeof *s->w);
  if (!s->w)
    return ev_fail(err, errlen, "out of memory for %zu weights", s->n_params);
  for (int i = 0; i < s->n_layers; i++)
    ev_layer_bind(&s->layers[i], s->w + s->offset[i]);
  return 0;
}

void ev_layer_stack_free(ev_layer_stack *s) {
  free(s->w);
  s->w = NULL;
}

double ev_layer_stack_step_flops(const ev_layer_stack *s) {
  double f = 0;
  for (int i = 0; i < s->n_layers; i++)
    f += ev_layer_step_flops(&s->layers[i]);
  return f;
}
