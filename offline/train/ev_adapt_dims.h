/* Which model inputs the adaptive normaliser should let follow the voice it hears.
 *
 * A running normaliser removes whatever a voice keeps doing: its pitch level and formants (who
 * speaks), but also the emotion of a speaker who keeps to one. So a dimension adapts only when,
 * in the training clips, who speaks moves it more than what they feel:
 *   speaker spread = the variance, across the speakers of a corpus showing the same label, of
 *                    their mean for that label (pooled over every (corpus, label) cell with two
 *                    or more speakers); with across_corpora, across the speakers of every
 *                    corpus showing it, so that recording conditions and language count as
 *                    "who speaks" too (what adaptation also takes away on an unseen corpus);
 *   emotion spread = the variance, across the labels one speaker shows, of their mean for each
 *                    (pooled over every speaker with two or more labels);
 *   adapt[d] = 1 when speaker spread > ratio * emotion spread, else 0.
 * A clip's value is the mean of its speech steps (as the prior counts them, ev_prior_stats);
 * only originals count (copy 0), so pitch-shifted copies do not fake speakers. Both spreads
 * carry the same sampling noise of a cell mean, so the comparison is fair to either side. */
#ifndef EV_ADAPT_DIMS_H
#define EV_ADAPT_DIMS_H

#include <stddef.h>

#include "ev_arch.h"
#include "ev_dataset.h"
#include "ev_run.h"

typedef struct ev_adapt_spread {
  double speaker, emotion; /* the two pooled variances of one dimension */
} ev_adapt_spread;

/* adapt[D] (0 or 1) and, when spread is non-NULL, spread[D]; over the clips idx[0..n). 0, or
 * -1 when out of memory. Dimensions with no cell to compare keep adapting (1). */
int ev_adapt_dims(const ev_arch *a, const ev_dataset *ds, const ev_labelset *ls, const size_t *idx,
                  size_t n, double ratio, int across_corpora, float *adapt,
                  ev_adapt_spread *spread);

#endif
