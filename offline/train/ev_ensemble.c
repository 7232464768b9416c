/* Seed ensembles as one wider dense network (ev_ensemble.h). */
#include "ev_ensemble.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The arch's layer list with every dense layer's "out" multiplied by K (the last dense layer,
 * which has no "out", stays the class count). malloc'd JSON text, or NULL + err. */
static char *widened_layers(const char *layers_json, int K, char *err, size_t errlen) {
  json_error_t je;
  json_t *arr = json_loads(layers_json, 0, &je);
  if (!json_is_array(arr)) {
    snprintf(err, errlen, "ensemble: cannot read the layer list (%s)", je.text);
    json_decref(arr);
    return NULL;
  }
  size_t i;
  json_t *l;
  json_array_foreach(arr, i, l) {
    const char *type = json_string_value(json_object_get(l, "type"));
    if (!type || (strcmp(type, "dense") && strcmp(type, "softmax"))) {
      snprintf(err, errlen,
               "ensemble: only architectures of dense layers can be merged into one network "
               "(layer %zu is %s)",
               i + 1, type ? type : "?");
      json_decref(arr);
      return NULL;
    }
    json_t *out = json_object_get(l, "out");
    if (json_is_integer(out))
      json_object_set_new(l, "out", json_integer(json_integer_value(out) * K));
  }
  char *s = json_dumps(arr, JSON_COMPACT);
  json_decref(arr);
  if (!s)
    snprintf(err, errlen, "out of memory");
  return s;
}

int ev_ensemble_merge(ev_net *out, const ev_arch *arch, const ev_net *members, int K, char *err,
                      size_t errlen) {
  memset(out, 0, sizeof *out);
  if (K < 1 || K > EV_ENSEMBLE_MAX) {
    snprintf(err, errlen, "ensemble: 1 to %d members, not %d", EV_ENSEMBLE_MAX, K);
    return -1;
  }
  char *wide = widened_layers(arch->layers_json, K, err, errlen);
  if (!wide)
    return -1;
  ev_arch a = *arch;
  a.layers_json = wide;
  int rc = ev_net_build(out, &a, members[0].in_dim, members[0].n_classes, err, errlen);
  free(wide);
  if (rc != 0)
    return -1;
  memset(out->w, 0, out->n_params * sizeof *out->w); /* the off-diagonal blocks stay 0 */
  const int last = out->n_layers - 2; /* the last dense layer; the softmax follows it */
  for (int i = 0; i <= last; i++) {
    ev_layer *L = &out->layers[i];
    ev_param *W = ev_layer_param(L, "weight"), *b = ev_layer_param(L, "bias");
    for (int k = 0; k < K; k++) {
      const ev_layer *m = &members[k].layers[i];
      const ev_param *mW = ev_layer_param_const(m, "weight"), *mb = ev_layer_param_const(m, "bias");
      const int mo = m->out_dim, mi = m->in_dim;
      /* rows: member k's block (the last layer: all rows, shared); columns: member k's block
       * (the first layer: all columns, shared inputs) */
      const int r0 = i == last ? 0 : k * mo, c0 = i == 0 ? 0 : k * mi;
      const float scale = i == last ? 1.0f / (float)K : 1.0f;
      for (int r = 0; r < mo; r++) {
        for (int c = 0; c < mi; c++)
          W->data[(size_t)(r0 + r) * (size_t)L->in_dim + (size_t)(c0 + c)] =
              scale * mW->data[(size_t)r * (size_t)mi + (size_t)c];
        b->data[r0 + r] += scale * mb->data[r];
      }
    }
  }
  return 0;
}

int ev_ensemble_train(ev_net *out, const ev_arch *arch, int in_dim, int n_classes,
                      const ev_item *train, size_t n_train, const ev_item *val, size_t n_val,
                      const ev_train_opts *o, ev_train_result *res, char *err, size_t errlen) {
  const int K = o->ensemble;
  ev_net members[EV_ENSEMBLE_MAX];
  memset(members, 0, sizeof members);
  unsigned char *keep = malloc((size_t)(in_dim > 0 ? in_dim : 1));
  int rc = K >= 1 && K <= EV_ENSEMBLE_MAX && keep ? 0 : -1;
  if (rc)
    snprintf(err, errlen, "ensemble: 1 to %d members, not %d (or out of memory)", EV_ENSEMBLE_MAX,
             K);
  for (int k = 0; rc == 0 && k < K; k++) {
    rc = ev_net_build(&members[k], arch, in_dim, n_classes, err, errlen);
    if (rc)
      break;
    ev_net_init(&members[k], o->seed + (uint64_t)k * EV_ENSEMBLE_SEED_STEP);
    ev_train_opts ok = *o;
    ok.seed = o->seed + (uint64_t)k * EV_ENSEMBLE_SEED_STEP;
    if (o->ensemble_inputs > 0.0f && o->ensemble_inputs < 1.0f) {
      /* a random subspace (Ho 1998): member k reads a share of the inputs drawn from its
       * seed, so the members err on different evidence and their mean errs less */
      ev_rng r;
      ev_rng_seed(&r, ev_hash_u64(ok.seed, 0x7375627370616365ull /* "subspace" */));
      for (int i = 0; i < in_dim; i++)
        keep[i] = ev_rng_uniform(&r) < o->ensemble_inputs;
      ok.input_keep = keep;
    }
    ev_train_result rk = {0};
    rc = ev_train(&members[k], train, n_train, val, n_val, &ok, k == 0 ? res : &rk, err, errlen);
    if (k > 0)
      ev_train_result_free(&rk);
  }
  if (rc == 0)
    rc = ev_ensemble_merge(out, arch, members, K, err, errlen);
  for (int k = 0; k < K; k++)
    ev_net_free(&members[k]);
  free(keep);
  return rc;
}
