/* Feature masking (SpecAugment, Park et al. 2019, on the model's input steps): a training crop
 * gets a few bands of input dimensions and a few spans of steps set to 0, the normalised mean,
 * so that the network cannot lean on any one band or moment. Training only: a crop's masks are
 * drawn in the training loop's own order, so results stay deterministic for a seed. */
#ifndef EV_MASK_H
#define EV_MASK_H

#include <stddef.h>

#include "ev_augment.h"

#define EV_MASK_MAX 4 /* masks of each kind per crop */

typedef struct ev_mask_config {
  int masks;     /* masks of each kind per crop, 0..EV_MASK_MAX; 0 = off */
  int max_dims;  /* widest band of input dimensions */
  int max_steps; /* longest span of steps */
} ev_mask_config;

/* One crop's masks: bands [dim_lo, dim_lo + dim_w) and spans [step_lo, step_lo + step_w). */
typedef struct ev_mask {
  int n;
  int dim_lo[EV_MASK_MAX], dim_w[EV_MASK_MAX];
  int step_lo[EV_MASK_MAX], step_w[EV_MASK_MAX];
} ev_mask;

/* "off", "on" (2 masks, 10 dims, 10 steps) or "masks=2,dims=10,steps=10". 0, or -1 and err. */
int ev_mask_config_parse(ev_mask_config *c, const char *spec, char *err, size_t errlen);
void ev_mask_config_describe(const ev_mask_config *c, char *out, size_t len);

/* Draws masks for a crop of T steps of D dims (widths uniform in 0..max, clipped to the crop). */
void ev_mask_draw(const ev_mask_config *c, int T, int D, ev_rng *rng, ev_mask *m);
/* Copies x [T, D] into out with the masked entries set to 0. */
void ev_mask_apply(const ev_mask *m, const float *x, int T, int D, float *out);

#endif
