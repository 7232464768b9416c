/* An ensemble of K networks trained from different seeds, shipped as ONE network of the same
 * kind, so the model file, the loader and the plugin need nothing new: for a stack of dense
 * layers, the members side by side are a dense stack K times as wide, whose first layer stacks
 * the members' rows (they all read the same inputs), whose hidden layers are block-diagonal
 * (member k only reads member k), and whose last layer averages the members' logits. Its
 * output equals the mean of the members' logits exactly (up to float rounding). */
#ifndef EV_ENSEMBLE_H
#define EV_ENSEMBLE_H

#include <stddef.h>

#include "ev_arch.h"
#include "ev_net.h"
#include "ev_trainer.h"

#define EV_ENSEMBLE_MAX 8

/* Merges members[0..K) (built from arch, all dense layers + softmax) into out (built here).
 * 0, or -1 and err (e.g. an architecture with other layer kinds). */
int ev_ensemble_merge(ev_net *out, const ev_arch *arch, const ev_net *members, int K, char *err,
                      size_t errlen);

/* Trains o->ensemble members (member k from seed o->seed + k * EV_ENSEMBLE_SEED_STEP; member 0
 * is the single model of the same seed) on the same items and merges them into out. res: the
 * first member's history. */
#define EV_ENSEMBLE_SEED_STEP 7919
int ev_ensemble_train(ev_net *out, const ev_arch *arch, int in_dim, int n_classes,
                      const ev_item *train, size_t n_train, const ev_item *val, size_t n_val,
                      const ev_train_opts *o, ev_train_result *res, char *err, size_t errlen);

#endif
