/* Temperature scaling (Guo et al. 2017): one scalar T divides the logits so that the
 * probabilities mean what they say. T is fitted on out-of-fold predictions (never on the clips a
 * model trained on) by minimising the negative log-likelihood over a fine grid, and is folded
 * into the last linear layer at export, so the plugin pays nothing for it. */
#ifndef EV_CALIBRATION_H
#define EV_CALIBRATION_H

#include <stddef.h>

#include "ev_net.h"

/* Clip probabilities at temperature T: the mean over the clip's crops of softmax(logits / T),
 * the same arithmetic as the evaluation's (T = 1 gives its numbers exactly). */
void ev_crop_probs(const float *logits, int n_crops, int n_classes, float T, float *p);

/* Fits T in [0.25, 4] on n clips (crop logits as ev_predict_crops gives them; labels). Returns
 * T and writes the mean NLL at T and at 1 (either may be NULL). */
float ev_temperature_fit(const float *crop_logits, const int *n_crops, const int *labels, size_t n,
                         int n_classes, int max_crops, double *nll_at_t, double *nll_at_1);

/* Divides the last linear layer's weights and bias (the one before the softmax) by T.
 * 0, or -1 if that layer is not a linear dense/conv1d (then T cannot be folded). */
int ev_net_fold_temperature(ev_net *net, float T);

#endif
