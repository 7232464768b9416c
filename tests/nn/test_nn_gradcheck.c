/* Finite-difference checks of every backward pass: for every layer kind (several attribute
 * sets), every parameter element and every input element, the analytic gradient of
 * L = sum_t dout_t . out_t must match the central difference (L(w+e) - L(w-e)) / 2e.
 * Then the same for a whole stacked model under the label-smoothed cross-entropy loss.
 * Forward runs in float; the loss is summed in double; e = 1e-3 with weights in [-0.5, 0.5]. */
#include "ev_layers_backward.h"
#include "nn_test_util.h"

#define T_LEN 7
#define EPS   1e-3f
#define ATOL  5e-4
#define RTOL  1e-2

/* Parameters whose gradient is identically zero by the mathematics, not by a bug: the
 * attention bias (softmax is shift invariant), the attention weight over a 1-frame window, and
 * the recurrent weights of a bilstm or bigru over a 1-frame window (it starts from h = 0 each
 * window; a bigru's b_hh still acts there). */
static int gradient_is_zero_by_design(const ev_layer *l, const char *param) {
  if (l->kind == EV_LAYER_ATTNPOOL)
    return !strcmp(param, "bias") || l->window == 1;
  if ((l->kind == EV_LAYER_BILSTM || l->kind == EV_LAYER_BIGRU) && l->window == 1)
    return !strncmp(param, "weight_hh", 9);
  return 0;
}

static double probe_loss(const ev_layer *l, int T, const float *in, const float *dout, float *out) {
  float *cache = nn_forward(l, T, in, out);
  free(cache);
  double s = 0.0;
  for (size_t i = 0; i < (size_t)T * l->out_dim; i++)
    s += (double)dout[i] * out[i];
  return s;
}

typedef struct fd_stats {
  double worst;   /* max |analytic - numeric| - RTOL * |numeric| */
  double largest; /* max |numeric|: the check is not vacuous */
  int count;
} fd_stats;

/* Compares the analytic gradient g (n values) with central differences of x (n values). */
static void fd_compare(const ev_layer *l, int T, float *in, const float *dout, float *out, float *x,
                       const float *g, size_t n, fd_stats *st) {
  for (size_t i = 0; i < n; i++) {
    float keep = x[i];
    x[i] = keep + EPS;
    double lp = probe_loss(l, T, in, dout, out);
    x[i] = keep - EPS;
    double lm = probe_loss(l, T, in, dout, out);
    x[i] = keep;
    double num = (lp - lm) / (2.0 * (double)EPS);
    double e = fabs(num - g[i]) - RTOL * fabs(num);
    if (!(e <= st->worst))
      st->worst = isnan(e) ? INFINITY : e;
    if (fabs(num) > st->largest)
      st->largest = fabs(num);
    st->count++;
  }
}

static void check_layer(const nn_case *c) {
  nn_layer nl;
  nn_layer_make(&nl, &c->cfg, 0.5f);
  const ev_layer *l = &nl.l;
  int T = T_LEN, D = l->in_dim, O = l->out_dim;
  float *in = nn_xcalloc((size_t)T * D, sizeof(float));
  float *out = nn_xcalloc((size_t)T * O, sizeof(float));
  float *dout = nn_xcalloc((size_t)T * O, sizeof(float));
  float *din = nn_xcalloc((size_t)T * D, sizeof(float));
  nn_fill(in, (size_t)T * D, 1.0f);
  /* keep inputs away from relu's kink so central differences stay valid */
  for (int i = 0; i < T * D; i++)
    if (fabsf(in[i]) < 0.05f)
      in[i] += in[i] < 0 ? -0.05f : 0.05f;
  nn_fill(dout, (size_t)T * O, 1.0f);
  size_t nw = ev_layer_n_weights(l);
  float *grad = nn_xcalloc(nw, sizeof(float));
  float *dp[EV_LAYER_MAX_PARAMS] = {0};
  for (int p = 0, off = 0; p < l->n_params; off += (int)l->params[p].size, p++)
    dp[p] = grad + off;

  float *cache = nn_forward(l, T, in, out);
  int rc = ev_layer_backward_seq(l, T, in, cache, dout, din, dp);
  EV_CHECK(rc == 0, "%s: backward failed", c->what);
  free(cache);

  fd_stats st = {0, 0, 0};
  fd_compare(l, T, in, dout, out, in, din, (size_t)T * D, &st);
  printf("%-44s input      n=%3d worst %.2e largest %.2e\n", c->what, st.count, st.worst,
         st.largest);
  EV_CHECK(st.worst <= ATOL, "%s: input gradient off by %.3g", c->what, st.worst);
  /* meanpool/softmax sums are exact, every other kind must carry a real gradient */
  EV_CHECK(st.largest > 1e-2, "%s: input gradient is vacuous (%.3g)", c->what, st.largest);
  for (int p = 0; p < l->n_params; p++) {
    fd_stats sp = {0, 0, 0};
    fd_compare(l, T, in, dout, out, l->params[p].data, dp[p], l->params[p].size, &sp);
    printf("%-44s %-17s n=%3d worst %.2e largest %.2e\n", c->what, l->params[p].name, sp.count,
           sp.worst, sp.largest);
    EV_CHECK(sp.worst <= ATOL, "%s: %s gradient off by %.3g", c->what, l->params[p].name, sp.worst);
    if (gradient_is_zero_by_design(l, l->params[p].name))
      EV_CHECK(sp.largest < 1e-3, "%s: %s gradient should vanish", c->what, l->params[p].name);
    else
      EV_CHECK(sp.largest > 1e-2, "%s: %s gradient is vacuous", c->what, l->params[p].name);
  }
  /* din may be NULL and dparams may be NULL: same parameter gradients, no crash */
  float *grad2 = nn_xcalloc(nw, sizeof(float));
  float *dp2[EV_LAYER_MAX_PARAMS] = {0};
  for (int p = 0, off = 0; p < l->n_params; off += (int)l->params[p].size, p++)
    dp2[p] = grad2 + off;
  cache = nn_forward(l, T, in, out);
  EV_CHECK(ev_layer_backward_seq(l, T, in, cache, dout, NULL, dp2) == 0, "%s", c->what);
  EV_CHECK(ev_layer_backward_seq(l, T, in, cache, dout, din, NULL) == 0, "%s", c->what);
  free(cache);
  size_t where = 0;
  EV_CHECK(nn_max_err(grad2, grad, nw, 0.0, &where) <= 1e-6,
           "%s: parameter gradients depend on din being given (at %zu)", c->what, where);
  free(grad2);
  free(grad);
  free(in);
  free(out);
  free(dout);
  free(din);
  nn_layer_free(&nl);
}

#define STACK_EPS 5e-3f
#define STACK_TOL 2e-2

/* ---- A stacked model with a cross-entropy loss on the last frame's output. ---- */
#define N_STACK 10
static nn_layer stack[N_STACK];
static int n_stack;

static void stack_build(int in_dim, int n_classes, int final_softmax) {
  ev_layer_config cfgs[N_STACK];
  int d = in_dim;
  n_stack = 0;
  cfgs[n_stack] = nn_cfg(EV_LAYER_CONV1D, d);
  cfgs[n_stack].out_dim = 5, cfgs[n_stack].kernel = 2, cfgs[n_stack].dilation = 2;
  cfgs[n_stack++].activation = EV_ACT_GELU;
  cfgs[n_stack++] = nn_cfg(EV_LAYER_LAYERNORM, 5);
  cfgs[n_stack] = nn_cfg(EV_LAYER_ATTNPOOL, 5);
  cfgs[n_stack++].window = 4;
  cfgs[n_stack] = nn_cfg(EV_LAYER_GRU, 5);
  cfgs[n_stack++].hidden = 4;
  cfgs[n_stack] = nn_cfg(EV_LAYER_BILSTM, 4);
  cfgs[n_stack].hidden = 3, cfgs[n_stack++].window = 3;
  cfgs[n_stack] = nn_cfg(EV_LAYER_BIGRU, 6);
  cfgs[n_stack].hidden = 3, cfgs[n_stack++].window = 3;
  cfgs[n_stack] = nn_cfg(EV_LAYER_LSTM, 6);
  cfgs[n_stack++].hidden = 4;
  cfgs[n_stack] = nn_cfg(EV_LAYER_MEANPOOL, 4);
  cfgs[n_stack++].window = 2;
  cfgs[n_stack] = nn_cfg(EV_LAYER_DENSE, 4);
  cfgs[n_stack++].out_dim = n_classes;
  if (final_softmax)
    cfgs[n_stack++] = nn_cfg(EV_LAYER_SOFTMAX, n_classes);
  for (int i = 0; i < n_stack; i++)
    nn_layer_make(&stack[i], &cfgs[i], 0.8f);
}

/* Forward through the stack; acts[i] is layer i's input, acts[n] the output. */
static float *acts[N_STACK + 1], *caches[N_STACK];

/* Runs the stack; returns the loss of the last frame, computed here in double (independently
 * of ev_loss_*, and without its float rounding, which would swamp the differences). With dlast
 * the library's loss gradient is also taken, and its loss value checked against ours. */
static double stack_loss(int T, int label, float smoothing, int final_softmax, float *dlast) {
  for (int i = 0; i < n_stack; i++) {
    free(caches[i]);
    caches[i] = nn_forward(&stack[i].l, T, acts[i], acts[i + 1]);
  }
  int C = stack[n_stack - 1].l.out_dim;
  const float *last = acts[n_stack] + (size_t)(T - 1) * C;
  double lse = 0.0, loss = 0.0;
  for (int k = 0; k < C; k++)
    lse += exp((double)last[k]);
  lse = log(lse);
  for (int k = 0; k < C; k++) {
    double tk = (k == label ? 1.0 - smoothing : 0.0) + smoothing / C;
    loss -= tk * (final_softmax ? log((double)last[k]) : (double)last[k] - lse);
  }
  if (dlast) {
    float lib = final_softmax ? ev_loss_xent_probs(last, C, label, smoothing, dlast)
                              : ev_loss_softmax_xent(last, C, label, smoothing, dlast);
    EV_CHECK_NEAR(lib, loss, 1e-5 * (1 + loss), "library loss vs double loss");
  }
  return loss;
}

static void check_stack(int final_softmax) {
  const int T = 9, D = 3, C = 4, label = 2;
  const float smoothing = 0.1f;
  nn_seed(77); /* same weights in both variants */
  stack_build(D, C, final_softmax);
  for (int i = 0; i <= n_stack; i++) {
    int dim = i < n_stack ? stack[i].l.in_dim : stack[n_stack - 1].l.out_dim;
    acts[i] = nn_xcalloc((size_t)T * dim, sizeof(float));
  }
  nn_fill(acts[0], (size_t)T * D, 1.0f);
  float *dnext = nn_xcalloc((size_t)T * C, sizeof(float));
  double loss = stack_loss(T, label, smoothing, final_softmax, dnext + (size_t)(T - 1) * C);
  EV_CHECK(isfinite(loss) && loss > 0, "stack loss %g", loss);
  /* backward through the stack */
  float *grads[N_STACK];
  for (int i = n_stack - 1; i >= 0; i--) {
    const ev_layer *l = &stack[i].l;
    grads[i] = nn_xcalloc(ev_layer_n_weights(l), sizeof(float));
    float *dp[EV_LAYER_MAX_PARAMS] = {0};
    for (int p = 0, off = 0; p < l->n_params; off += (int)l->params[p].size, p++)
      dp[p] = grads[i] + off;
    float *din = nn_xcalloc((size_t)T * l->in_dim, sizeof(float));
    EV_CHECK(ev_layer_backward_seq(l, T, acts[i], caches[i], dnext, din, dp) == 0, "layer %d", i);
    free(dnext);
    dnext = din;
  }
  /* finite differences on every parameter tensor of every layer and on the input; the
   * tolerance is relative to the tensor's largest gradient (these are small and mixed) */
  for (int i = -1; i < n_stack; i++) {
    int np = i < 0 ? 1 : stack[i].l.n_params;
    for (int p = 0; p < np; p++) {
      float *x = i < 0 ? acts[0] : stack[i].l.params[p].data;
      const float *g = i < 0 ? dnext : grads[i] + (x - stack[i].weights);
      size_t n = i < 0 ? (size_t)T * D : stack[i].l.params[p].size;
      double worst = 0, largest = 0, *num = nn_xcalloc(n, sizeof(double));
      for (size_t k = 0; k < n; k++) {
        float keep = x[k];
        x[k] = keep + STACK_EPS;
        double lp = stack_loss(T, label, smoothing, final_softmax, NULL);
        x[k] = keep - STACK_EPS;
        double lm = stack_loss(T, label, smoothing, final_softmax, NULL);
        x[k] = keep;
        num[k] = (lp - lm) / (2.0 * (double)STACK_EPS);
        largest = fmax(largest, fabs(num[k]));
      }
      for (size_t k = 0; k < n; k++) {
        double e = fabs(num[k] - g[k]) / (largest + 1e-12);
        worst = isnan(e) ? INFINITY : fmax(worst, e);
      }
      free(num);
      const char *kind = i < 0 ? "input" : ev_layer_kind_name(stack[i].l.kind);
      const char *pname = i < 0 ? "" : stack[i].l.params[p].name;
      printf("stack%-8s %-10s %-10s n=%4zu worst/largest %.2e largest %.2e\n",
             final_softmax ? "+softmax" : "", kind, pname, n, worst, largest);
      if (i >= 0 && gradient_is_zero_by_design(&stack[i].l, pname)) {
        EV_CHECK(largest < 1e-6, "stack: %s %s should vanish", kind, pname);
        continue;
      }
      EV_CHECK(worst <= STACK_TOL, "stack: %s %s gradient off by %.3g of its scale", kind, pname,
               worst);
      EV_CHECK(largest > 1e-4, "stack: %s %s gradient vacuous", kind, pname);
    }
  }
  free(dnext);
  for (int i = 0; i < n_stack; i++) {
    free(grads[i]);
    free(caches[i]);
    caches[i] = NULL;
    nn_layer_free(&stack[i]);
  }
  for (int i = 0; i <= n_stack; i++)
    free(acts[i]);
}

/* The losses themselves against hand-computed values. */
static void check_losses(void) {
  float logits[3] = {1.0f, 2.0f, 0.5f}, d[3], p[3], dp[3];
  /* log-sum-exp = 2 + log(1 + e^-1 + e^-1.5) */
  double lse = 2.0 + log(1.0 + exp(-1.0) + exp(-1.5));
  double want = -(0.9 + 0.1 / 3) * (2.0 - lse) - (0.1 / 3) * (1.0 - lse) - (0.1 / 3) * (0.5 - lse);
  float got = ev_loss_softmax_xent(logits, 3, 1, 0.1f, d);
  EV_CHECK_NEAR(got, want, 1e-5, "smoothed cross-entropy");
  EV_CHECK_NEAR(d[0], exp(1.0 - lse) - 0.1 / 3, 1e-6, "dlogits[0]");
  EV_CHECK_NEAR(d[1], exp(2.0 - lse) - (0.9 + 0.1 / 3), 1e-6, "dlogits[1]");
  EV_CHECK_NEAR(d[0] + d[1] + d[2], 0.0, 1e-6, "dlogits sum to 0");
  /* huge logits stay finite */
  float big[2] = {1e30f, -1e30f};
  EV_CHECK(isfinite(ev_loss_softmax_xent(big, 2, 1, 0.0f, d)), "huge logits: finite loss");
  for (int k = 0; k < 3; k++)
    p[k] = (float)exp(logits[k] - lse);
  EV_CHECK_NEAR(ev_loss_xent_probs(p, 3, 1, 0.1f, dp), want, 1e-5, "xent from probabilities");
  EV_CHECK_NEAR(dp[1], -(0.9 + 0.1 / 3) / p[1], 1e-4, "dprobs[1]");

  /* Masked to classes {0, 1} of 3: the same as the unmasked loss over the first two logits. */
  float d2[2], dm[3];
  float two = ev_loss_softmax_xent(logits, 2, 1, 0.1f, d2);
  float masked = ev_loss_softmax_xent_masked(logits, 3, 0x3u, 1, 0.1f, dm);
  EV_CHECK_NEAR(masked, two, 1e-6, "masked loss = loss over the allowed classes");
  EV_CHECK_NEAR(dm[0], d2[0], 1e-6, "masked dlogits[0]");
  EV_CHECK_NEAR(dm[1], d2[1], 1e-6, "masked dlogits[1]");
  EV_CHECK(dm[2] == 0.0f, "a class outside the mask gets no gradient");
  EV_CHECK_NEAR(ev_loss_softmax_xent_masked(logits, 3, 0u, 1, 0.1f, dm), want, 1e-6,
                "mask 0 = every class");
  /* finite differences of the masked loss (the label outside the mask still counts) */
  float dfd[3];
  ev_loss_softmax_xent_masked(logits, 3, 0x4u, 0, 0.2f, dfd);
  for (int k = 0; k < 3; k++) {
    float lp[3] = {logits[0], logits[1], logits[2]}, lm[3] = {logits[0], logits[1], logits[2]};
    lp[k] += 1e-3f;
    lm[k] -= 1e-3f;
    double fd = (ev_loss_softmax_xent_masked(lp, 3, 0x4u, 0, 0.2f, NULL) -
                 ev_loss_softmax_xent_masked(lm, 3, 0x4u, 0, 0.2f, NULL)) /
                2e-3;
    EV_CHECK_NEAR(dfd[k], fd, 2e-3, "masked loss: analytic vs finite-difference gradient");
  }
}

int main(void) {
  nn_case cases[NN_MAX_CASES];
  int n = nn_cases(cases, 3);
  for (int i = 0; i < n; i++) {
    nn_seed(1000 + i);
    check_layer(&cases[i]);
  }
  check_stack(0);
  check_stack(1);
  check_losses();
  EV_TEST_END();
}
