/* The trainer tests' one way to make a network: an architecture given as JSON, built for in_dim
 * inputs and `classes` outputs, initialised from seed. Fails the test with the reason. */
#ifndef TRAIN_TEST_NET_H
#define TRAIN_TEST_NET_H

#include "ev_arch.h"
#include "ev_net.h"
#include "ev_test.h"
#include "ev_trainer.h"

static inline void train_test_build_net(ev_net *net, const char *json, int in_dim, int classes,
                                        uint64_t seed) {
  char err[256];
  ev_arch arch;
  EV_REQUIRE(ev_arch_parse(json, &arch, err, sizeof err) == 0, "arch: %s", err);
  EV_REQUIRE(ev_net_build(net, &arch, in_dim, classes, err, sizeof err) == 0, "build: %s", err);
  ev_net_init(net, seed);
  ev_arch_free(&arch);
}

/* Options for a small synthetic problem: one step a crop, no progress, no class weights. */
static inline void train_test_opts(ev_train_opts *o, int threads) {
  ev_train_opts_default(o);
  o->window = 1;
  o->progress = 0;
  o->threads = threads;
  o->balance = EV_BALANCE_NONE;
}

/* Trains net on items[0..n) with o, no validation set. */
static inline void train_test_fit(ev_net *net, const ev_item *items, size_t n,
                                  const ev_train_opts *o) {
  ev_train_result res;
  char err[256];
  EV_REQUIRE(ev_train(net, items, n, NULL, 0, o, &res, err, sizeof err) == 0, "train: %s", err);
  ev_train_result_free(&res);
}

#endif
