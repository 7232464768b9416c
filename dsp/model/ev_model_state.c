/* Streaming state of one model: per-layer states, one scratch area and two ping-pong frame
 * buffers, so that a step can be run one unit at a time (a layer, or one part of a layer the
 * layer API cuts into parts); the analyser spreads the units of a step over the next hop. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_model.h"

struct ev_model_state {
  const ev_model *m;
  int n_layers, n_out;
  float *state[EV_MODEL_MAX_LAYERS + 1];
  /* Each layer's state right after ev_layer_state_reset: a reset in bounded pieces copies
   * from here (ev_model_state_reset_some), on the audio thread, without calling the layer. */
  float *pristine[EV_MODEL_MAX_LAYERS + 1];
  size_t floats[EV_MODEL_MAX_LAYERS + 1], total_floats;
  int clear_layer; /* reset in pieces: the layer and offset copied next */
  size_t clear_pos;
  float *scratch;
  float *buf[2];
  float *out;
  int next;      /* next layer to run; n_layers when idle */
  int next_part; /* next part of that layer (heavy layers are cut into parts) */
  int parts[EV_MODEL_MAX_LAYERS + 1];
  int fault;      /* a layer's output was not finite in the last complete step */
  int step_fault; /* ... in the step in progress */
};

void ev_model_state_free(ev_model_state *s) {
  if (!s)
    return;
  for (int i = 0; i < s->n_layers; i++) {
    free(s->state[i]);
    free(s->pristine[i]);
  }
  free(s->scratch);
  free(s->buf[0]);
  free(s->buf[1]);
  free(s->out);
  free(s);
}

ev_model_state *ev_model_state_new(const ev_model *m, char *err, size_t errlen) {
  ev_model_state *s = calloc(1, sizeof *s);
  if (!s)
    goto oom;
  s->m = m;
  s->n_layers = ev_model_n_layers(m);
  s->n_out = ev_model_n_labels(m);
  size_t width = (size_t)ev_model_input_dims(m), scratch = 1;
  for (int i = 0; i < s->n_layers; i++) {
    const ev_layer *l = ev_model_layer(m, i);
    if ((size_t)l->out_dim > width)
      width = (size_t)l->out_dim;
    if (ev_layer_scratch_floats(l) > scratch)
      scratch = ev_layer_scratch_floats(l);
    s->parts[i] = ev_layer_step_parts(l);
    if (s->parts[i] < 1)
      s->parts[i] = 1;
    size_t st = ev_layer_state_floats(l);
    s->state[i] = calloc(st ? st : 1, sizeof(float));
    s->pristine[i] = calloc(st ? st : 1, sizeof(float));
    if (!s->state[i] || !s->pristine[i])
      goto oom;
    s->floats[i] = st;
    s->total_floats += st;
    ev_layer_state_reset(l, s->pristine[i]);
  }
  s->clear_layer = s->n_layers;
  s->scratch = calloc(scratch, sizeof(float));
  s->buf[0] = calloc(width, sizeof(float));
  s->buf[1] = calloc(width, sizeof(float));
  s->out = calloc((size_t)s->n_out, sizeof(float));
  if (!s->scratch || !s->buf[0] || !s->buf[1] || !s->out)
    goto oom;
  ev_model_state_reset(s);
  return s;
oom:
  ev_model_state_free(s);
  if (err && errlen)
    snprintf(err, errlen, "out of memory for the model's streaming state");
  return NULL;
}

void ev_model_state_reset(ev_model_state *s) {
  for (int i = 0; i < s->n_layers; i++)
    ev_layer_state_reset(ev_model_layer(s->m, i), s->state[i]);
  memset(s->out, 0, (size_t)s->n_out * sizeof(float));
  s->fault = 0;
  s->next = s->n_layers;
  s->next_part = 0;
  s->clear_layer = s->n_layers;
}

size_t ev_model_state_floats(const ev_model_state *s) {
  return s->total_floats;
}

void ev_model_state_reset_begin(ev_model_state *s) {
  memset(s->out, 0, (size_t)s->n_out * sizeof(float));
  s->fault = 0;
  s->next = s->n_layers;
  s->next_part = 0;
  s->clear_layer = 0;
  s->clear_pos = 0;
}

int ev_model_state_reset_some(ev_model_state *s, size_t budget) {
  while (s->clear_layer < s->n_layers) {
    const int i = s->clear_layer;
    size_t n = s->floats[i] - s->clear_pos;
    if (n > budget)
      n = budget;
    memcpy(s->state[i] + s->clear_pos, s->pristine[i] + s->clear_pos, n * sizeof(float));
    s->clear_pos += n;
    budget -= n;
    if (s->clear_pos < s->floats[i])
      return 0; /* budget spent */
    s->clear_layer++;
    s->clear_pos = 0;
  }
  return 1;
}

void ev_model_state_begin(ev_model_state *s, const float *input) {
  memcpy(s->buf[0], input, (size_t)ev_model_input_dims(s->m) * sizeof(float));
  s->step_fault = 0;
  s->next = 0;
  s->next_part = 0;
}

int ev_model_state_step_layer(ev_model_state *s) {
  if (s->next >= s->n_layers)
    return 1;
  const int i = s->next;
  ev_layer_step_part(ev_model_layer(s->m, i), s->state[i], s->buf[i & 1], s->buf[(i + 1) & 1],
                     s->scratch, s->next_part);
  if (++s->next_part < s->parts[i])
    return 0;
  s->next_part = 0;
  /* Finite weights can overflow to Inf/NaN inside the network, and later layers may hide it
   * (the softmax turns Inf logits into a uniform 0.125): every layer's output is checked. */
  const float *y = s->buf[(i + 1) & 1];
  const int width = ev_model_layer(s->m, i)->out_dim;
  for (int k = 0; k < width; k++)
    if (!isfinite(y[k]))
      s->step_fault = 1;
  if (++s->next < s->n_layers)
    return 0;
  memcpy(s->out, s->buf[s->n_layers & 1], (size_t)s->n_out * sizeof(float));
  /* flagged so that callers show "no model" instead of numbers that mean nothing */
  s->fault = s->step_fault;
  return 1;
}

int ev_model_state_fault(const ev_model_state *s) {
  return s->fault;
}

int ev_model_state_busy(const ev_model_state *s) {
  return s->next < s->n_layers;
}

void ev_model_state_run(ev_model_state *s, const float *input, float *out) {
  ev_model_state_begin(s, input);
  while (!ev_model_state_step_layer(s)) {
  }
  if (out)
    memcpy(out, s->out, (size_t)s->n_out * sizeof(float));
}

const float *ev_model_state_output(const ev_model_state *s) {
  return s->out;
}

int ev_model_step_units(const ev_model *m) {
  int units = 0;
  for (int i = 0; i < ev_model_n_layers(m); i++) {
    int p = ev_layer_step_parts(ev_model_layer(m, i));
    units += p > 1 ? p : 1;
  }
  return units;
}
