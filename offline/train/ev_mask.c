/* Feature masking for training crops (see ev_mask.h). */
#include "ev_mask.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ev_mask_config_parse(ev_mask_config *c, const char *spec, char *err, size_t errlen) {
  memset(c, 0, sizeof *c);
  if (!spec || !strcmp(spec, "off"))
    return 0;
  if (!strcmp(spec, "on")) {
    *c = (ev_mask_config){2, 10, 10};
    return 0;
  }
  *c = (ev_mask_config){2, 10, 10};
  char buf[256];
  snprintf(buf, sizeof buf, "%s", spec);
  for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(kv, '=');
    char *end = NULL;
    long v = eq ? strtol(eq + 1, &end, 10) : -1;
    if (!eq || end == eq + 1 || *end || v < 0) {
      snprintf(err, errlen, "--mask: \"%s\" is not key=non-negative integer", kv);
      return -1;
    }
    *eq = 0;
    if (!strcmp(kv, "masks") && v <= EV_MASK_MAX)
      c->masks = (int)v;
    else if (!strcmp(kv, "dims") && v <= 4096)
      c->max_dims = (int)v;
    else if (!strcmp(kv, "steps") && v <= 4096)
      c->max_steps = (int)v;
    else {
      snprintf(err, errlen,
               "--mask: unknown key or value out of range \"%s\" (masks 0..%d, dims, steps)", kv,
               EV_MASK_MAX);
      return -1;
    }
  }
  return 0;
}

void ev_mask_config_describe(const ev_mask_config *c, char *out, size_t len) {
  if (c->masks == 0)
    snprintf(out, len, "off");
  else
    snprintf(out, len, "masks=%d,dims=%d,steps=%d", c->masks, c->max_dims, c->max_steps);
}

static int draw_width(ev_rng *rng, int max, int extent) {
  int w = (int)(ev_rng_next(rng) % (uint64_t)(max + 1));
  return w < extent ? w : extent;
}

void ev_mask_draw(const ev_mask_config *c, int T, int D, ev_rng *rng, ev_mask *m) {
  memset(m, 0, sizeof *m);
  m->n = c->masks;
  for (int k = 0; k < m->n; k++) {
    m->dim_w[k] = draw_width(rng, c->max_dims, D);
    m->dim_lo[k] = (int)(ev_rng_next(rng) % (uint64_t)(D - m->dim_w[k] + 1));
    m->step_w[k] = draw_width(rng, c->max_steps, T);
    m->step_lo[k] = (int)(ev_rng_next(rng) % (uint64_t)(T - m->step_w[k] + 1));
  }
}

void ev_mask_apply(const ev_mask *m, const float *x, int T, int D, float *out) {
  memcpy(out, x, (size_t)T * (size_t)D * sizeof *out);
  for (int k = 0; k < m->n; k++) {
    for (int t = 0; t < T; t++)
      memset(out + (size_t)t * (size_t)D + m->dim_lo[k], 0, (size_t)m->dim_w[k] * sizeof *out);
    memset(out + (size_t)m->step_lo[k] * (size_t)D, 0,
           (size_t)m->step_w[k] * (size_t)D * sizeof *out);
  }
}
