/* Streaming equals training: for every layer kind (several attribute sets, windows shorter
 * and longer than the sequence), T calls of ev_layer_step after a reset give the outputs of
 * ev_layer_forward_seq; the same for a stack of layers. Also: reset restores the initial
 * behaviour exactly, NaN/Inf/huge inputs never poison a state for longer than the layer's
 * window, and recurrent states (also those recomputed over a window) never hold denormals. */
#include <float.h>

#include "nn_test_util.h"

#define TOL 1e-6 /* |step - seq| <= TOL * (1 + |seq|) */

static double compare(const float *a, const float *b, size_t n) {
  double worst = 0.0;
  for (size_t i = 0; i < n; i++) {
    double e = fabs((double)a[i] - (double)b[i]) / (1.0 + fabs((double)b[i]));
    if (!(e <= worst))
      worst = isnan(e) ? INFINITY : e;
  }
  return worst;
}

static void check_stream_equals_seq(const nn_case *c, int T) {
  nn_layer nl;
  nn_layer_make(&nl, &c->cfg, 0.5f);
  const ev_layer *l = &nl.l;
  size_t ni = (size_t)T * l->in_dim, no = (size_t)T * l->out_dim;
  float *in = nn_xcalloc(ni, sizeof(float)), *seq = nn_xcalloc(no, sizeof(float));
  float *stp = nn_xcalloc(no, sizeof(float));
  nn_fill(in, ni, 1.5f);
  free(nn_forward(l, T, in, seq));
  nn_step_seq(l, T, in, stp);
  double e = compare(stp, seq, no);
  printf("%-44s T=%2d step vs seq %.2e\n", c->what, T, e);
  EV_CHECK(e <= TOL, "%s T=%d: streaming differs from forward_seq by %.3g", c->what, T, e);
  /* the step cut into parts (scratch clobbered between parts) is bit-identical to the step */
  int parts = ev_layer_step_parts(l);
  EV_CHECK(parts >= 1 && parts <= 2 * (l->window > 0 ? l->window : 1), "%s: %d parts", c->what,
           parts);
  float *state = nn_xcalloc(ev_layer_state_floats(l), sizeof(float));
  size_t nsc = ev_layer_scratch_floats(l);
  float *scratch = nn_xcalloc(nsc, sizeof(float));
  float *part_out = nn_xcalloc(l->out_dim, sizeof(float));
  ev_layer_state_reset(l, state);
  int differ = 0;
  for (int t = 0; t < T; t++) {
    for (int p = 0; p < parts; p++) {
      ev_layer_step_part(l, state, in + (size_t)t * l->in_dim, part_out, scratch, p);
      for (size_t k = 0; k < nsc; k++)
        scratch[k] = NAN; /* parts must not rely on scratch */
    }
    differ += memcmp(part_out, stp + (size_t)t * l->out_dim, sizeof(float) * l->out_dim) != 0;
  }
  EV_CHECK(differ == 0, "%s T=%d: step in %d parts differs at %d frames", c->what, T, parts,
           differ);
  free(state);
  free(scratch);
  free(part_out);
  for (size_t i = 0; i < no; i++)
    EV_CHECK(isfinite(seq[i]), "%s: non-finite output", c->what);
  free(in);
  free(seq);
  free(stp);
  nn_layer_free(&nl);
}

/* Frames after the last bad one during which a layer may still output non-finite values. */
static int recovery_frames(const ev_layer *l) {
  switch (l->kind) {
  case EV_LAYER_CONV1D:
    return (l->kernel - 1) * l->dilation + 1;
  case EV_LAYER_BILSTM:
  case EV_LAYER_BIGRU:
  case EV_LAYER_ATTNPOOL:
  case EV_LAYER_MEANPOOL:
    return l->window ? l->window : 1;
  default:
    return 1; /* recurrent states are sanitised at once; stateless layers forget at once */
  }
}

static void check_bad_input(const nn_case *c) {
  nn_layer nl;
  nn_layer_make(&nl, &c->cfg, 0.5f);
  const ev_layer *l = &nl.l;
  const int T = 80, bad0 = 10, bad1 = 13;
  int D = l->in_dim, O = l->out_dim;
  float *in = nn_xcalloc((size_t)T * D, sizeof(float)), *out = nn_xcalloc(O, sizeof(float));
  float *ref = nn_xcalloc((size_t)T * O, sizeof(float));
  nn_fill(in, (size_t)T * D, 1.0f);
  free(nn_forward(l, T, in, ref)); /* clean reference */
  float *state = nn_xcalloc(ev_layer_state_floats(l), sizeof(float));
  float *scratch = nn_xcalloc(ev_layer_scratch_floats(l), sizeof(float));
  const float bad[4] = {NAN, INFINITY, -INFINITY, 1e30f};
  ev_layer_state_reset(l, state);
  int late_bad = 0;
  for (int t = 0; t < T; t++) {
    float x[16];
    memcpy(x, in + (size_t)t * D, sizeof(float) * D);
    if (t >= bad0 && t <= bad1)
      for (int i = 0; i < D; i++)
        x[i] = bad[(t + i) % 4];
    ev_layer_step(l, state, x, out, scratch);
    if (t >= bad1 + recovery_frames(l))
      for (int o = 0; o < O; o++)
        late_bad += !isfinite(out[o]);
  }
  EV_CHECK(late_bad == 0, "%s: %d non-finite outputs after recovery", c->what, late_bad);
  /* reset gives exactly the clean run again */
  ev_layer_state_reset(l, state);
  double worst = 0;
  for (int t = 0; t < T; t++) {
    ev_layer_step(l, state, in + (size_t)t * D, out, scratch);
    worst = fmax(worst, compare(out, ref + (size_t)t * O, O));
  }
  EV_CHECK(worst <= TOL, "%s: after reset, outputs differ from a clean run by %.3g", c->what,
           worst);
  free(in);
  free(out);
  free(ref);
  free(state);
  free(scratch);
  nn_layer_free(&nl);
}

/* A recurrent state decaying towards 0 must go to exactly 0, never through denormals. */
static void check_no_denormals(ev_layer_kind kind) {
  ev_layer_config cfg = nn_cfg(kind, 2);
  cfg.hidden = 3;
  nn_layer nl;
  nn_layer_make(&nl, &cfg, 0.1f);
  ev_layer *l = &nl.l;
  /* no biases, forget/update gates around sigmoid(0) = 0.5: geometric decay by ~1/2 a frame */
  for (int p = 0; p < l->n_params; p++)
    if (!strncmp(l->params[p].name, "bias", 4))
      memset(l->params[p].data, 0, sizeof(float) * l->params[p].size);
  size_t ns = ev_layer_state_floats(l);
  float *state = nn_xcalloc(ns, sizeof(float)), *scratch = nn_xcalloc(4 * 3 * 2, sizeof(float));
  float out[3], one[2] = {5.0f, -5.0f}, zero[2] = {0, 0};
  ev_layer_state_reset(l, state);
  ev_layer_step(l, state, one, out, scratch);
  int denormal = 0, nonzero_early = 0;
  for (int t = 0; t < 400; t++) {
    ev_layer_step(l, state, zero, out, scratch);
    for (size_t i = 0; i < ns; i++) {
      float a = fabsf(state[i]);
      denormal += a > 0.0f && a < FLT_MIN;
      if (t == 5)
        nonzero_early += a > 0.0f;
    }
  }
  EV_CHECK(nonzero_early > 0, "%s: the state should still be alive after 5 frames",
           ev_layer_kind_name(kind));
  EV_CHECK(denormal == 0, "%s: %d denormal state values", ev_layer_kind_name(kind), denormal);
  for (size_t i = 0; i < ns; i++)
    EV_CHECK(state[i] == 0.0f, "%s: state[%zu] = %g did not decay to 0", ev_layer_kind_name(kind),
             i, state[i]);
  printf("%s: decaying state reaches exactly 0 without denormals\n", ev_layer_kind_name(kind));
  free(state);
  free(scratch);
  nn_layer_free(&nl);
}

/* The windowed recurrent layers recompute their hidden states every frame: a state decaying
 * along the window must reach exactly 0 without passing through denormals, in the outputs and
 * in the hidden states a step in parts keeps in the layer state. One loud frame, then silence,
 * all inside the window: the forward direction decays along the window, the reverse one reads
 * the loud frame last and stays alive. */
static void check_window_no_denormals(ev_layer_kind kind) {
  ev_layer_config cfg = nn_cfg(kind, 2);
  cfg.hidden = 3, cfg.window = 400;
  nn_layer nl;
  nn_layer_make(&nl, &cfg, 0.1f);
  ev_layer *l = &nl.l;
  for (int p = 0; p < l->n_params; p++)
    if (!strncmp(l->params[p].name, "bias", 4))
      memset(l->params[p].data, 0, sizeof(float) * l->params[p].size);
  size_t ns = ev_layer_state_floats(l);
  float *state = nn_xcalloc(ns, sizeof(float));
  float *scratch = nn_xcalloc(ev_layer_scratch_floats(l), sizeof(float));
  float out[6], one[2] = {5.0f, -5.0f}, zero[2] = {0, 0};
  ev_layer_state_reset(l, state);
  int denormal = 0, fwd_alive_early = 0, fwd_nonzero_late = 0, bwd_alive = 0;
  for (int t = 0; t < 350; t++) {
    for (int p = 0; p < ev_layer_step_parts(l); p++)
      ev_layer_step_part(l, state, t ? zero : one, out, scratch, p);
    for (size_t i = 0; i < ns; i++)
      denormal += fabsf(state[i]) > 0.0f && fabsf(state[i]) < FLT_MIN;
    for (int j = 0; j < 6; j++)
      denormal += fabsf(out[j]) > 0.0f && fabsf(out[j]) < FLT_MIN;
    for (int j = 0; j < 3; j++) {
      fwd_alive_early += t == 5 && out[j] != 0.0f;
      fwd_nonzero_late += t == 349 && out[j] != 0.0f;
      bwd_alive += t == 349 && out[3 + j] != 0.0f;
    }
  }
  const char *kn = ev_layer_kind_name(kind);
  EV_CHECK(fwd_alive_early > 0 && bwd_alive > 0, "%s: the decay test is not vacuous", kn);
  EV_CHECK(denormal == 0, "%s: %d denormal values", kn, denormal);
  EV_CHECK(fwd_nonzero_late == 0, "%s: the forward state did not decay to exactly 0", kn);
  printf("%s: state decaying along the window reaches exactly 0 without denormals\n", kn);
  free(state);
  free(scratch);
  nn_layer_free(&nl);
}

/* A stack of every kind: stepping the whole stack frame by frame equals running each layer's
 * forward_seq over the sequence. */
static void check_stack(int T) {
  ev_layer_config cfgs[13];
  int n = 0;
  cfgs[n] = nn_cfg(EV_LAYER_CONV1D, 4);
  cfgs[n].out_dim = 6, cfgs[n].kernel = 3, cfgs[n].dilation = 2;
  cfgs[n++].activation = EV_ACT_RELU;
  cfgs[n++] = nn_cfg(EV_LAYER_LAYERNORM, 6);
  cfgs[n] = nn_cfg(EV_LAYER_ACTIVATION, 6);
  cfgs[n++].activation = EV_ACT_GELU;
  cfgs[n] = nn_cfg(EV_LAYER_GRU, 6);
  cfgs[n++].hidden = 5;
  cfgs[n] = nn_cfg(EV_LAYER_BILSTM, 5);
  cfgs[n].hidden = 4, cfgs[n++].window = 5;
  cfgs[n] = nn_cfg(EV_LAYER_BIGRU, 8);
  cfgs[n].hidden = 3, cfgs[n++].window = 4;
  cfgs[n] = nn_cfg(EV_LAYER_LSTM, 6);
  cfgs[n++].hidden = 4;
  cfgs[n] = nn_cfg(EV_LAYER_ATTNPOOL, 4);
  cfgs[n++].window = 7;
  cfgs[n] = nn_cfg(EV_LAYER_MEANPOOL, 4);
  cfgs[n++].window = 0;
  cfgs[n] = nn_cfg(EV_LAYER_MEANPOOL, 4);
  cfgs[n++].window = 3;
  cfgs[n] = nn_cfg(EV_LAYER_DENSE, 4);
  cfgs[n].out_dim = 3, cfgs[n++].activation = EV_ACT_TANH;
  cfgs[n++] = nn_cfg(EV_LAYER_SOFTMAX, 3);
  nn_layer layers[13];
  float *act[14], *state[13], *scratch[13], *frame[14];
  for (int i = 0; i < n; i++) {
    nn_layer_make(&layers[i], &cfgs[i], 0.7f);
    state[i] = nn_xcalloc(ev_layer_state_floats(&layers[i].l), sizeof(float));
    scratch[i] = nn_xcalloc(ev_layer_scratch_floats(&layers[i].l), sizeof(float));
    ev_layer_state_reset(&layers[i].l, state[i]);
  }
  for (int i = 0; i <= n; i++) {
    int dim = i < n ? layers[i].l.in_dim : layers[n - 1].l.out_dim;
    act[i] = nn_xcalloc((size_t)T * dim, sizeof(float));
    frame[i] = nn_xcalloc(dim, sizeof(float));
  }
  nn_fill(act[0], (size_t)T * 4, 2.0f);
  for (int i = 0; i < n; i++)
    free(nn_forward(&layers[i].l, T, act[i], act[i + 1]));
  double worst = 0;
  int C = layers[n - 1].l.out_dim;
  for (int t = 0; t < T; t++) {
    memcpy(frame[0], act[0] + (size_t)t * 4, sizeof(float) * 4);
    for (int i = 0; i < n; i++)
      ev_layer_step(&layers[i].l, state[i], frame[i], frame[i + 1], scratch[i]);
    worst = fmax(worst, compare(frame[n], act[n] + (size_t)t * C, C));
    double sum = 0;
    for (int k = 0; k < C; k++)
      sum += frame[n][k];
    EV_CHECK_NEAR(sum, 1.0, 1e-5, "stack output is a distribution");
  }
  printf("stack of %d layers, T=%d: step vs seq %.2e\n", n, T, worst);
  EV_CHECK(worst <= TOL, "stack T=%d: streaming differs by %.3g", T, worst);
  for (int i = 0; i < n; i++) {
    nn_layer_free(&layers[i]);
    free(state[i]);
    free(scratch[i]);
  }
  for (int i = 0; i <= n; i++) {
    free(act[i]);
    free(frame[i]);
  }
}

int main(void) {
  nn_case cases[NN_MAX_CASES];
  int n = nn_cases(cases, 3);
  for (int i = 0; i < n; i++) {
    nn_seed(2000 + i);
    check_stream_equals_seq(&cases[i], 1);
    check_stream_equals_seq(&cases[i], 2);
    check_stream_equals_seq(&cases[i], 37);
    check_bad_input(&cases[i]);
  }
  /* bilstm sizes whose step really is cut into several parts (1 and 2 cells per part, and an
   * odd number of cells so the last part is partial) */
  nn_case big[3];
  int hs[3] = {64, 40, 40}, ws[3] = {4, 5, 1};
  for (int i = 0; i < 3; i++) {
    big[i].cfg = nn_cfg(EV_LAYER_BILSTM, 3);
    big[i].cfg.hidden = hs[i], big[i].cfg.window = ws[i];
    snprintf(big[i].what, sizeof big[i].what, "bilstm H%d W%d (in parts)", hs[i], ws[i]);
    nn_seed(3000 + i);
    check_stream_equals_seq(&big[i], 3);
    check_stream_equals_seq(&big[i], 11);
  }
  /* bigru likewise: H 74 is one cell per part (3H^2 > 16k), H 52 two, W 1 a single part */
  nn_case bigg[3];
  int gh[3] = {74, 52, 52}, gw[3] = {4, 5, 1};
  for (int i = 0; i < 3; i++) {
    bigg[i].cfg = nn_cfg(EV_LAYER_BIGRU, 3);
    bigg[i].cfg.hidden = gh[i], bigg[i].cfg.window = gw[i];
    snprintf(bigg[i].what, sizeof bigg[i].what, "bigru H%d W%d (in parts)", gh[i], gw[i]);
    nn_seed(3100 + i);
    check_stream_equals_seq(&bigg[i], 3);
    check_stream_equals_seq(&bigg[i], 11);
  }
  ev_layer probe;
  const int want_parts[3] = {8, 5, 1};
  for (int i = 0; i < 3; i++) {
    ev_layer_init(&probe, &bigg[i].cfg, NULL, 0);
    EV_CHECK(ev_layer_step_parts(&probe) == want_parts[i], "bigru H%d W%d: %d parts (got %d)",
             gh[i], gw[i], want_parts[i], ev_layer_step_parts(&probe));
    double per_part = (ev_layer_step_flops(&probe) - 6.0 * gh[i] * 3) / ev_layer_step_parts(&probe);
    EV_CHECK(per_part <= 2 * 16384.0, "bigru H%d W%d: %.0f recurrent multiply-adds per part", gh[i],
             gw[i], per_part);
  }
  ev_layer_init(&probe, &big[0].cfg, NULL, 0);
  EV_CHECK(ev_layer_step_parts(&probe) == 8, "H64 W4: one cell per part, 8 parts (got %d)",
           ev_layer_step_parts(&probe));
  ev_layer_init(&probe, &big[1].cfg, NULL, 0);
  EV_CHECK(ev_layer_step_parts(&probe) == 5, "H40 W5: two cells per part, 5 parts (got %d)",
           ev_layer_step_parts(&probe));
  check_no_denormals(EV_LAYER_GRU);
  check_no_denormals(EV_LAYER_LSTM);
  check_window_no_denormals(EV_LAYER_BIGRU);
  check_window_no_denormals(EV_LAYER_BILSTM);
  nn_seed(5);
  check_stack(3);
  check_stack(60);
  EV_TEST_END();
}
