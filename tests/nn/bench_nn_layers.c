/* Benchmark (prints figures, asserts nothing): the cost of one ev_layer_step for layers of a
 * realistic size, median and worst over many frames, and how it compares with a 10 ms frame
 * hop. EMOVOX_BENCH_QUICK=1 runs a few hundred frames only. */
#include <time.h>

#include "ev_layers_backward.h"
#include "nn_test_util.h"
#include "../common/bench_clock.h"

int main(void) {
  (void)ev_test_failures; /* shared test header; nothing is checked here */
  const char *quick = getenv("EMOVOX_BENCH_QUICK");
  int frames = (quick && *quick == '1') ? 300 : 5000;
  ev_layer_config c[9];
  int n = 0;
  c[n] = nn_cfg(EV_LAYER_CONV1D, 40);
  c[n].out_dim = 64, c[n].kernel = 3, c[n].dilation = 2, c[n++].activation = EV_ACT_GELU;
  c[n++] = nn_cfg(EV_LAYER_LAYERNORM, 64);
  c[n] = nn_cfg(EV_LAYER_GRU, 64);
  c[n++].hidden = 64;
  c[n] = nn_cfg(EV_LAYER_LSTM, 64);
  c[n++].hidden = 64;
  c[n] = nn_cfg(EV_LAYER_BILSTM, 64);
  c[n].hidden = 32, c[n++].window = 25;
  c[n] = nn_cfg(EV_LAYER_BIGRU, 64);
  c[n].hidden = 32, c[n++].window = 25;
  c[n] = nn_cfg(EV_LAYER_ATTNPOOL, 64);
  c[n++].window = 100;
  c[n] = nn_cfg(EV_LAYER_MEANPOOL, 64);
  c[n++].window = 100;
  c[n] = nn_cfg(EV_LAYER_DENSE, 64);
  c[n++].out_dim = 8;
  double *t = nn_xcalloc((size_t)frames, sizeof(double));
  printf("%-34s %10s %10s %10s %10s %12s %10s\n", "layer (one step)", "median us", "p99 us",
         "worst us", "worst/med", "MACs/step", "weights");
  for (int i = 0; i < n; i++) {
    nn_layer nl;
    nn_seed(i + 1);
    nn_layer_make(&nl, &c[i], 0.2f);
    float *state = nn_xcalloc(ev_layer_state_floats(&nl.l), sizeof(float));
    float *scratch = nn_xcalloc(ev_layer_scratch_floats(&nl.l), sizeof(float));
    float *in = nn_xcalloc((size_t)nl.l.in_dim, sizeof(float));
    float *out = nn_xcalloc((size_t)nl.l.out_dim, sizeof(float));
    ev_layer_state_reset(&nl.l, state);
    for (int f = 0; f < frames; f++) {
      nn_fill(in, (size_t)nl.l.in_dim, 1.0f);
      double t0 = bench_wall_s();
      ev_layer_step(&nl.l, state, in, out, scratch);
      t[f] = bench_wall_s() - t0;
    }
    qsort(t, (size_t)frames, sizeof(double), bench_cmp_double);
    char what[64];
    snprintf(what, sizeof what, "%s %d->%d H%d W%d", ev_layer_kind_name(nl.l.kind), nl.l.in_dim,
             nl.l.out_dim, nl.l.hidden, nl.l.window);
    printf("%-34s %10.2f %10.2f %10.2f %10.1f %12.0f %10zu\n", what, 1e6 * t[frames / 2],
           1e6 * t[frames * 99 / 100], 1e6 * t[frames - 1], t[frames - 1] / t[frames / 2],
           ev_layer_step_flops(&nl.l), ev_layer_n_weights(&nl.l));
    free(state);
    free(scratch);
    free(in);
    free(out);
    nn_layer_free(&nl);
  }
  printf("(a frame hop is 10000 us; worst includes scheduler noise on a shared machine)\n\n");

  /* the bilstm and bigru steps cut into parts: the cost of a part */
  for (int i = 0; i < n; i++) {
    if (c[i].kind != EV_LAYER_BILSTM && c[i].kind != EV_LAYER_BIGRU)
      continue;
    nn_layer nl;
    nn_layer_make(&nl, &c[i], 0.2f);
    int parts = ev_layer_step_parts(&nl.l);
    float *state = nn_xcalloc(ev_layer_state_floats(&nl.l), sizeof(float));
    float *scratch = nn_xcalloc(ev_layer_scratch_floats(&nl.l), sizeof(float));
    float *in = nn_xcalloc((size_t)nl.l.in_dim, sizeof(float));
    float *out = nn_xcalloc((size_t)nl.l.out_dim, sizeof(float));
    double *pt = nn_xcalloc((size_t)frames * parts, sizeof(double));
    ev_layer_state_reset(&nl.l, state);
    for (int f = 0; f < frames; f++) {
      nn_fill(in, (size_t)nl.l.in_dim, 1.0f);
      for (int p = 0; p < parts; p++) {
        double t0 = bench_wall_s();
        ev_layer_step_part(&nl.l, state, in, out, scratch, p);
        pt[(size_t)f * parts + p] = bench_wall_s() - t0;
      }
    }
    qsort(pt, (size_t)frames * parts, sizeof(double), bench_cmp_double);
    size_t np = (size_t)frames * parts;
    printf("%s step in %d parts: part median %.2f us, p99 %.2f us\n\n",
           ev_layer_kind_name(nl.l.kind), parts, 1e6 * pt[np / 2], 1e6 * pt[np * 99 / 100]);
    free(pt);
    free(state);
    free(scratch);
    free(in);
    free(out);
    nn_layer_free(&nl);
  }

  /* training cost: forward_seq + backward_seq over one crop */
  const int T = 300;
  int reps = (quick && *quick == '1') ? 1 : 5;
  printf("%-34s %12s %12s   (crop of %d frames)\n", "layer (training)", "forward ms", "backward ms",
         T);
  for (int i = 0; i < n; i++) {
    nn_layer nl;
    nn_seed(i + 1);
    nn_layer_make(&nl, &c[i], 0.2f);
    const ev_layer *l = &nl.l;
    float *in = nn_xcalloc((size_t)T * l->in_dim, sizeof(float));
    float *out = nn_xcalloc((size_t)T * l->out_dim, sizeof(float));
    float *dout = nn_xcalloc((size_t)T * l->out_dim, sizeof(float));
    float *din = nn_xcalloc((size_t)T * l->in_dim, sizeof(float));
    float *cache = nn_xcalloc(ev_layer_cache_floats(l, T), sizeof(float));
    float *grad = nn_xcalloc(ev_layer_n_weights(l), sizeof(float));
    float *dp[EV_LAYER_MAX_PARAMS] = {0};
    for (int p = 0, off = 0; p < l->n_params; off += (int)l->params[p].size, p++)
      dp[p] = grad + off;
    nn_fill(in, (size_t)T * l->in_dim, 1.0f);
    nn_fill(dout, (size_t)T * l->out_dim, 1.0f);
    double tf = 1e30, tb = 1e30;
    for (int r = 0; r < reps; r++) {
      double t0 = bench_wall_s();
      ev_layer_forward_seq(l, T, in, out, cache);
      double t1 = bench_wall_s();
      ev_layer_backward_seq(l, T, in, cache, dout, din, dp);
      double t2 = bench_wall_s();
      tf = fmin(tf, t1 - t0);
      tb = fmin(tb, t2 - t1);
    }
    char what[64];
    snprintf(what, sizeof what, "%s %d->%d H%d W%d", ev_layer_kind_name(l->kind), l->in_dim,
             l->out_dim, l->hidden, l->window);
    printf("%-34s %12.3f %12.3f\n", what, 1e3 * tf, 1e3 * tb);
    free(in);
    free(out);
    free(dout);
    free(din);
    free(cache);
    free(grad);
    nn_layer_free(&nl);
  }
  free(t);
  return 0;
}
