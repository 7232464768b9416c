/* Layer outputs against hand-computed values and against an independent double-precision
 * re-implementation of PyTorch's GRU/LSTM equations (which also pins the gate orders and the
 * bilstm/bigru window semantics); plus configuration checking, names and parameter shapes. */
#include "ev_nn_internal.h"
#include "nn_test_util.h"

static void set(ev_layer *l, const char *name, const float *v) {
  ev_param *p = ev_layer_param(l, name);
  EV_CHECK(p != NULL, "%s has %s", ev_layer_kind_name(l->kind), name);
  if (p)
    memcpy(p->data, v, sizeof(float) * p->size);
}

/* Runs seq and step and checks both against want (T x O). */
static void expect(const ev_layer *l, int T, const float *in, const double *want, double tol,
                   const char *what) {
  int O = l->out_dim;
  float *a = nn_xcalloc((size_t)T * O, sizeof(float)), *b = nn_xcalloc((size_t)T * O, 4);
  free(nn_forward(l, T, in, a));
  nn_step_seq(l, T, in, b);
  for (int i = 0; i < T * O; i++) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s seq [t=%d,%d]", what, i / O, i % O);
    EV_CHECK_NEAR(a[i], want[i], tol, msg);
    snprintf(msg, sizeof msg, "%s step [t=%d,%d]", what, i / O, i % O);
    EV_CHECK_NEAR(b[i], want[i], tol, msg);
  }
  free(a);
  free(b);
}

static void make(nn_layer *nl, ev_layer_config c) {
  nn_layer_make(nl, &c, 0.0f);
}

static void hand_values(void) {
  nn_layer nl;
  /* dense 2x2: W = [[1, 2], [3, 4]], b = [0.5, -1] */
  ev_layer_config c = nn_cfg(EV_LAYER_DENSE, 2);
  c.out_dim = 2;
  make(&nl, c);
  set(&nl.l, "weight", (float[]){1, 2, 3, 4});
  set(&nl.l, "bias", (float[]){0.5f, -1});
  expect(&nl.l, 2, (float[]){1, -1, 2, 1}, (double[]){-0.5, -2, 4.5, 9}, 1e-6, "dense");
  nl.l.activation = EV_ACT_RELU;
  expect(&nl.l, 2, (float[]){1, -1, 2, 1}, (double[]){0, 0, 4.5, 9}, 1e-6, "dense relu");
  nn_layer_free(&nl);

  /* conv1d in 1 out 1, kernel 2, dilation 2, weight [2, 3] (tap 1 = current frame), bias 1:
   * y_t = 1 + 3 x_t + 2 x_{t-2} on x = 1..5 */
  c = nn_cfg(EV_LAYER_CONV1D, 1);
  c.out_dim = 1, c.kernel = 2, c.dilation = 2;
  make(&nl, c);
  set(&nl.l, "weight", (float[]){2, 3});
  set(&nl.l, "bias", (float[]){1});
  expect(&nl.l, 5, (float[]){1, 2, 3, 4, 5}, (double[]){4, 7, 12, 17, 22}, 1e-6, "conv1d d2");
  nn_layer_free(&nl);
  /* conv1d weight layout [out, in, kernel]: W[0,0,:] = [1, 2], W[0,1,:] = [10, 20] */
  c = nn_cfg(EV_LAYER_CONV1D, 2);
  c.out_dim = 1, c.kernel = 2;
  make(&nl, c);
  set(&nl.l, "weight", (float[]){1, 2, 10, 20});
  set(&nl.l, "bias", (float[]){0});
  expect(&nl.l, 2, (float[]){1, 0, 0, 1}, (double[]){2, 21}, 1e-6, "conv1d layout");
  nn_layer_free(&nl);

  /* layernorm on [1, 2, 3]: mean 2, var 2/3 */
  c = nn_cfg(EV_LAYER_LAYERNORM, 3);
  make(&nl, c);
  set(&nl.l, "weight", (float[]){2, 1, 1});
  set(&nl.l, "bias", (float[]){0, 0, 1});
  double s = 1.0 / sqrt(2.0 / 3.0 + 1e-5);
  expect(&nl.l, 1, (float[]){1, 2, 3}, (double[]){-2 * s, 0, 1 + s}, 1e-6, "layernorm");
  nn_layer_free(&nl);

  /* softmax of [0, ln 2, ln 3] = [1, 2, 3] / 6; huge inputs stay finite */
  make(&nl, nn_cfg(EV_LAYER_SOFTMAX, 3));
  expect(&nl.l, 2, (float[]){0, (float)log(2.0), (float)log(3.0), 1000, 0, -1000},
         (double[]){1 / 6.0, 2 / 6.0, 3 / 6.0, 1, 0, 0}, 1e-6, "softmax");
  nn_layer_free(&nl);

  /* activations */
  c = nn_cfg(EV_LAYER_ACTIVATION, 4);
  float xs[4] = {1.0f, -0.5f, 0.0f, -1000.0f};
  c.activation = EV_ACT_GELU; /* x * Phi(x), Phi the normal CDF */
  make(&nl, c);
  expect(&nl.l, 1, xs, (double[]){0.8413447460685429, -0.15426876936299347, 0, 0}, 1e-6, "gelu");
  nn_layer_free(&nl);
  c.activation = EV_ACT_SIGMOID;
  make(&nl, c);
  expect(&nl.l, 1, xs, (double[]){0.7310585786300049, 0.3775406687981454, 0.5, 0}, 1e-6, "sigmoid");
  nn_layer_free(&nl);
  c.activation = EV_ACT_TANH;
  make(&nl, c);
  expect(&nl.l, 1, xs, (double[]){0.7615941559557649, -0.46211715726000974, 0, -1}, 1e-6, "tanh");
  nn_layer_free(&nl);

  /* meanpool: window 2 and since reset, on 1, 3, 5, 7 */
  c = nn_cfg(EV_LAYER_MEANPOOL, 1);
  c.window = 2;
  make(&nl, c);
  expect(&nl.l, 4, (float[]){1, 3, 5, 7}, (double[]){1, 2, 4, 6}, 1e-6, "meanpool w2");
  nn_layer_free(&nl);
  c.window = 0;
  make(&nl, c);
  expect(&nl.l, 4, (float[]){1, 3, 5, 7}, (double[]){1, 2, 3, 4}, 1e-6, "meanpool w0");
  nn_layer_free(&nl);

  /* attnpool D 1, window 2, weight ln 3: scores of x = [0, 1, 1] are [0, ln3, ln3] ->
   * y_1 = 3/4 * 1, y_2 = 1 (both frames 1) */
  c = nn_cfg(EV_LAYER_ATTNPOOL, 1);
  c.window = 2;
  make(&nl, c);
  set(&nl.l, "weight", (float[]){(float)log(3.0)});
  set(&nl.l, "bias", (float[]){5});
  expect(&nl.l, 3, (float[]){0, 1, 1}, (double[]){0, 0.75, 1}, 1e-6, "attnpool");
  nn_layer_free(&nl);
}

/* ---- independent double-precision references (PyTorch's equations) ---- */
static double sig(double x) {
  return 1.0 / (1.0 + exp(-x));
}

/* W rows x cols (float) times x (double) plus b1 + b2, row range [r0, r0 + n) */
static double affine(const float *W, int cols, int r, const double *x, const float *b1,
                     const float *b2) {
  double s = b1[r] + (b2 ? b2[r] : 0.0);
  for (int c = 0; c < cols; c++)
    s += (double)W[(size_t)r * cols + c] * x[c];
  return s;
}

/* One GRU direction (params from index base) over frames order[0..L), from zero state. */
static void ref_gru_run(const ev_layer *l, int base, const float *in, const int *order, int L,
                        double *h_out, double *all_h) {
  int H = l->hidden, D = l->in_dim;
  const float *Wih = l->params[base].data, *Whh = l->params[base + 1].data;
  const float *bih = l->params[base + 2].data, *bhh = l->params[base + 3].data;
  double h[16] = {0}, x[16], hn[16];
  for (int k = 0; k < L; k++) {
    for (int i = 0; i < D; i++)
      x[i] = in[order[k] * D + i];
    for (int j = 0; j < H; j++) {
      double r = sig(affine(Wih, D, j, x, bih, NULL) + affine(Whh, H, j, h, bhh, NULL));
      double z = sig(affine(Wih, D, H + j, x, bih, NULL) + affine(Whh, H, H + j, h, bhh, NULL));
      double n = tanh(affine(Wih, D, 2 * H + j, x, bih, NULL) +
                      r * affine(Whh, H, 2 * H + j, h, bhh, NULL));
      hn[j] = (1 - z) * n + z * h[j];
    }
    memcpy(h, hn, sizeof h);
    if (all_h)
      for (int j = 0; j < H; j++)
        all_h[k * H + j] = h[j];
  }
  memcpy(h_out, h, sizeof(double) * H);
}

/* One LSTM direction (params from index base) over frames order[0..L), from zero state. */
static void ref_lstm_run(const ev_layer *l, int base, const float *in, const int *order, int L,
                         double *h_out, double *all_h) {
  int H = l->hidden, D = l->in_dim;
  const float *Wih = l->params[base].data, *Whh = l->params[base + 1].data;
  const float *bih = l->params[base + 2].data, *bhh = l->params[base + 3].data;
  double h[16] = {0}, c[16] = {0}, x[16], hn[16];
  for (int k = 0; k < L; k++) {
    for (int i = 0; i < D; i++)
      x[i] = in[order[k] * D + i];
    for (int j = 0; j < H; j++) {
      double g4[4];
      for (int q = 0; q < 4; q++)
        g4[q] = affine(Wih, D, q * H + j, x, bih, bhh) + affine(Whh, H, q * H + j, h, bhh, NULL) -
                bhh[q * H + j]; /* bhh counted once */
      double i = sig(g4[0]), f = sig(g4[1]), g = tanh(g4[2]), o = sig(g4[3]);
      c[j] = f * c[j] + i * g;
      hn[j] = o * tanh(c[j]);
    }
    memcpy(h, hn, sizeof h);
    if (all_h)
      for (int j = 0; j < H; j++)
        all_h[k * H + j] = h[j];
  }
  memcpy(h_out, h, sizeof(double) * H);
}

static void reference_checks(void) {
  const int T = 9, D = 3;
  float in[9 * 3];
  nn_seed(42);
  nn_fill(in, (size_t)T * D, 1.5f);
  double want[9 * 8], got_h[8];

  ev_layer_config c = nn_cfg(EV_LAYER_GRU, D);
  c.hidden = 4;
  nn_layer nl;
  nn_layer_make(&nl, &c, 0.8f);
  int order[16];
  for (int k = 0; k < T; k++)
    order[k] = k;
  ref_gru_run(&nl.l, 0, in, order, T, got_h, want);
  expect(&nl.l, T, in, want, 2e-6, "gru vs double reference");
  nn_layer_free(&nl);

  c = nn_cfg(EV_LAYER_LSTM, D);
  c.hidden = 4;
  nn_layer_make(&nl, &c, 0.8f);
  ref_lstm_run(&nl.l, 0, in, order, T, got_h, want);
  expect(&nl.l, T, in, want, 2e-6, "lstm vs double reference");
  nn_layer_free(&nl);

  /* bilstm window 4: at t, forward over s..t and reverse over t..s, s = max(0, t - 3) */
  c = nn_cfg(EV_LAYER_BILSTM, D);
  c.hidden = 3, c.window = 4;
  nn_layer_make(&nl, &c, 0.8f);
  for (int t = 0; t < T; t++) {
    int s = t - 3 < 0 ? 0 : t - 3, L = t - s + 1;
    for (int k = 0; k < L; k++)
      order[k] = s + k;
    ref_lstm_run(&nl.l, 0, in, order, L, want + t * 6, NULL);
    for (int k = 0; k < L; k++)
      order[k] = t - k;
    ref_lstm_run(&nl.l, 4, in, order, L, want + t * 6 + 3, NULL);
  }
  expect(&nl.l, T, in, want, 2e-6, "bilstm vs double reference");
  nn_layer_free(&nl);

  /* bigru window 4, the same window semantics with GRU cells */
  c = nn_cfg(EV_LAYER_BIGRU, D);
  c.hidden = 3, c.window = 4;
  nn_layer_make(&nl, &c, 0.8f);
  for (int t = 0; t < T; t++) {
    int s = t - 3 < 0 ? 0 : t - 3, L = t - s + 1;
    for (int k = 0; k < L; k++)
      order[k] = s + k;
    ref_gru_run(&nl.l, 0, in, order, L, want + t * 6, NULL);
    for (int k = 0; k < L; k++)
      order[k] = t - k;
    ref_gru_run(&nl.l, 4, in, order, L, want + t * 6 + 3, NULL);
  }
  expect(&nl.l, T, in, want, 2e-6, "bigru vs double reference");
  nn_layer_free(&nl);
}

static void config_checks(void) {
  char err[160];
  ev_layer l;
  ev_layer_config c = nn_cfg(EV_LAYER_DENSE, 0);
  c.out_dim = 3;
  EV_CHECK(ev_layer_init(&l, &c, err, sizeof err) == -1 && strstr(err, "input"),
           "in_dim 0 refused: %s", err);
  c = nn_cfg(EV_LAYER_DENSE, 3);
  EV_CHECK(ev_layer_init(&l, &c, err, sizeof err) == -1 && strstr(err, "output"),
           "dense out_dim 0 refused: %s", err);
  c = nn_cfg(EV_LAYER_BILSTM, 3);
  c.hidden = 2;
  EV_CHECK(ev_layer_init(&l, &c, err, sizeof err) == -1 && strstr(err, "window"),
           "bilstm window 0 refused: %s", err);
  c = nn_cfg(EV_LAYER_BIGRU, 3);
  c.hidden = 2;
  EV_CHECK(ev_layer_init(&l, &c, err, sizeof err) == -1 && strstr(err, "window"),
           "bigru window 0 refused: %s", err);
  c.window = 4, c.hidden = 0;
  EV_CHECK(ev_layer_init(&l, &c, err, sizeof err) == -1 && strstr(err, "hidden"),
           "bigru hidden 0 refused: %s", err);
  c = nn_cfg(EV_LAYER_MEANPOOL, 3);
  c.window = -1;
  EV_CHECK(ev_layer_init(&l, &c, err, sizeof err) == -1, "meanpool window -1 refused");
  c.window = EV_LAYER_MAX_WINDOW + 1;
  EV_CHECK(ev_layer_init(&l, &c, NULL, 0) == -1, "huge window refused (err NULL is fine)");
  c = nn_cfg(EV_LAYER_CONV1D, 3);
  c.out_dim = 2, c.kernel = 0;
  EV_CHECK(ev_layer_init(&l, &c, err, sizeof err) == -1, "kernel 0 refused");
  c.kernel = 3, c.dilation = 5000;
  EV_CHECK(ev_layer_init(&l, &c, err, sizeof err) == -1, "receptive field too large refused");
  c = nn_cfg(EV_LAYER_LAYERNORM, 3);
  c.eps = 0;
  EV_CHECK(ev_layer_init(&l, &c, err, sizeof err) == -1, "eps 0 refused");
  c = nn_cfg(EV_LAYER_ACTIVATION, 3);
  c.activation = (ev_activation)17;
  EV_CHECK(ev_layer_init(&l, &c, err, sizeof err) == -1, "unknown activation refused");
  c = nn_cfg((ev_layer_kind)99, 3);
  EV_CHECK(ev_layer_init(&l, &c, err, sizeof err) == -1, "unknown kind refused");

  /* names */
  for (int k = 0; k < EV_LAYER_KIND_COUNT; k++)
    EV_CHECK(ev_layer_kind_from_name(ev_layer_kind_name((ev_layer_kind)k)) == k, "kind %d", k);
  for (int a = 0; a < EV_ACT_COUNT; a++)
    EV_CHECK(ev_activation_from_name(ev_activation_name((ev_activation)a)) == a, "act %d", a);
  EV_CHECK(ev_layer_kind_from_name("bilstm") == EV_LAYER_BILSTM, "bilstm");
  EV_CHECK(ev_layer_kind_from_name("bigru") == EV_LAYER_BIGRU, "bigru");
  EV_CHECK(ev_activation_from_name("gelu") == EV_ACT_GELU, "gelu");
  EV_CHECK(ev_layer_kind_from_name("Dense") == -1 && ev_layer_kind_from_name(NULL) == -1,
           "unknown names");

  /* parameter names and shapes of docs/ARCHITECTURE.md */
  c = nn_cfg(EV_LAYER_BILSTM, 5);
  c.hidden = 3, c.window = 8;
  EV_CHECK(ev_layer_init(&l, &c, err, sizeof err) == 0, "bilstm: %s", err);
  EV_CHECK(l.out_dim == 6 && l.n_params == 8, "bilstm out %d params %d", l.out_dim, l.n_params);
  const ev_param *p = ev_layer_param_const(&l, "weight_ih_reverse");
  EV_CHECK(p && p->ndim == 2 && p->shape[0] == 12 && p->shape[1] == 5, "weight_ih_reverse");
  p = ev_layer_param_const(&l, "bias_hh");
  EV_CHECK(p && p->ndim == 1 && p->size == 12, "bias_hh [4H]");
  EV_CHECK(ev_layer_n_weights(&l) == 2 * (12 * 5 + 12 * 3 + 12 + 12), "bilstm weights");
  c = nn_cfg(EV_LAYER_BIGRU, 5);
  c.hidden = 3, c.window = 8;
  EV_CHECK(ev_layer_init(&l, &c, err, sizeof err) == 0, "bigru: %s", err);
  EV_CHECK(l.out_dim == 6 && l.n_params == 8, "bigru out %d params %d", l.out_dim, l.n_params);
  static const char *const gru_names[8] = {
      "weight_ih",         "weight_hh",         "bias_ih",         "bias_hh",
      "weight_ih_reverse", "weight_hh_reverse", "bias_ih_reverse", "bias_hh_reverse"};
  const int cols[4] = {5, 3, 1, 1}, ndims[4] = {2, 2, 1, 1}; /* [3H,in], [3H,H], [3H], [3H] */
  for (int i = 0; i < 8; i++) {
    const ev_param *q = &l.params[i];
    EV_CHECK(!strcmp(q->name, gru_names[i]) && q->ndim == ndims[i % 4] && q->shape[0] == 9 &&
                 q->shape[1] == cols[i % 4],
             "bigru parameter %d is %s of PyTorch's shape", i, gru_names[i]);
  }
  EV_CHECK(ev_layer_n_weights(&l) == 2 * (9 * 5 + 9 * 3 + 9 + 9), "bigru weights");
  EV_CHECK(ev_layer_state_floats(&l) == 2 + 8 * 6 * 3 + 2 * 3, "bigru state floats");
  EV_CHECK(ev_layer_step_flops(&l) == 2 * 9 * 5 + 8 * 2 * 9 * 3, "bigru multiply-adds");
  c = nn_cfg(EV_LAYER_GRU, 5);
  c.hidden = 3;
  ev_layer_init(&l, &c, err, sizeof err);
  p = ev_layer_param_const(&l, "weight_hh");
  EV_CHECK(l.out_dim == 3 && p && p->shape[0] == 9 && p->shape[1] == 3, "gru weight_hh [3H,H]");
  c = nn_cfg(EV_LAYER_CONV1D, 5);
  c.out_dim = 4, c.kernel = 3;
  ev_layer_init(&l, &c, err, sizeof err);
  p = ev_layer_param_const(&l, "weight");
  EV_CHECK(p && p->ndim == 3 && p->shape[0] == 4 && p->shape[1] == 5 && p->shape[2] == 3,
           "conv1d weight [out,in,kernel]");
  c = nn_cfg(EV_LAYER_ATTNPOOL, 5);
  c.window = 4;
  ev_layer_init(&l, &c, err, sizeof err);
  p = ev_layer_param_const(&l, "weight");
  EV_CHECK(p && p->ndim == 2 && p->shape[0] == 1 && p->shape[1] == 5, "attnpool weight [1,D]");
  EV_CHECK(l.out_dim == 5, "attnpool keeps the dimension");
  float arena[64];
  EV_CHECK(ev_layer_bind(&l, arena) == 6 && l.params[1].data == arena + 5, "bind layout");
  c = nn_cfg(EV_LAYER_SOFTMAX, 5);
  ev_layer_init(&l, &c, err, sizeof err);
  EV_CHECK(l.n_params == 0 && ev_layer_state_floats(&l) == 0 && ev_layer_cache_floats(&l, 9) == 0,
           "softmax has no params, state or cache");
}

/* The numeric helpers against libm in double. */
static void helper_checks(void) {
  double worst = 0, at = 0;
  for (long i = -12000000; i <= 12000000; i++) {
    float x = (float)i * 2.5e-6f; /* -30 .. 30, dense around the polynomial/exp switch */
    double ref = tanh((double)x);
    double rel = fabs((double)ev_tanhf(x) - ref) / fmax(fabs(ref), 1e-30);
    if (rel > worst)
      worst = rel, at = x;
  }
  printf("ev_tanhf: max relative error %.3g (at %g)\n", worst, at);
  EV_CHECK(worst < 5e-7, "ev_tanhf relative error %.3g at %g", worst, at);
  EV_CHECK(ev_tanhf(INFINITY) == 1.0f && ev_tanhf(-INFINITY) == -1.0f, "tanh(+-inf)");
  EV_CHECK(isnan(ev_tanhf(NAN)), "tanh(NaN) stays NaN (the state sanitiser handles it)");
  EV_CHECK(ev_tanhf(1e-40f) == 1e-40f && ev_tanhf(0.0f) == 0.0f, "tiny arguments");
  EV_CHECK_NEAR(ev_sigmoidf(-1e30f), 0.0, 1e-30, "sigmoid(-huge)");
  EV_CHECK(ev_sigmoidf(1e30f) == 1.0f, "sigmoid(huge)");
  EV_CHECK(ev_sanitizef(NAN) == 0.0f && ev_sanitizef(INFINITY) == 0.0f &&
               ev_sanitizef(1e-35f) == 0.0f && ev_sanitizef(-0.5f) == -0.5f,
           "sanitiser");
}

/* meanpool's sliding sum is exact: a long run of values, with a huge one and a NaN in it, gives
 * at every frame the mean of the window's last W values computed afresh in double (to the
 * 2^-30 quantisation and float rounding), and once the huge value has left the window the
 * output is bit-identical to a run that never saw it: nothing accumulates. */
static void meanpool_sliding_checks(void) {
  enum { T = 20000, W = 7 };
  ev_layer_config c = nn_cfg(EV_LAYER_MEANPOOL, 1);
  c.window = W;
  nn_layer nl;
  make(&nl, c);
  float *x = nn_xcalloc(T, sizeof(float)), *y = nn_xcalloc(T, sizeof(float));
  float *clean = nn_xcalloc(T, sizeof(float)), *yc = nn_xcalloc(T, sizeof(float));
  for (int t = 0; t < T; t++)
    x[t] = clean[t] = (float)sin(0.01 * t) * 0.37f + (float)(t % 13) * 1e-3f;
  x[100] = 3e30f; /* clamped to 2^20 inside the sum */
  x[200] = NAN;   /* counts as 0 */
  nn_step_seq(&nl.l, T, x, y);
  nn_step_seq(&nl.l, T, clean, yc);
  double worst = 0;
  int identical_after = 1;
  for (int t = 0; t < T; t++) {
    if (t >= 100 && t < 100 + W)
      continue; /* the clamped value is in the window */
    double ref = 0;
    int s = t - W + 1 < 0 ? 0 : t - W + 1;
    for (int k = s; k <= t; k++)
      ref += isfinite(x[k]) ? (double)x[k] : 0.0;
    ref /= (double)(t - s + 1);
    worst = fmax(worst, fabs((double)y[t] - ref));
    if (t >= 200 + W)
      identical_after &= y[t] == yc[t];
  }
  printf("meanpool window %d over %d frames: max error vs double %.3g\n", W, T, worst);
  EV_CHECK(worst < 1e-7, "meanpool sliding mean error %.3g", worst);
  EV_CHECK(identical_after, "meanpool: after the window has passed, bit-identical to a clean run");
  float *seq = nn_xcalloc(T, sizeof(float));
  free(nn_forward(&nl.l, T, x, seq));
  EV_CHECK(memcmp(seq, y, T * sizeof(float)) == 0, "meanpool: forward_seq == step, bit for bit");
  free(seq);
  free(x);
  free(y);
  free(clean);
  free(yc);
  nn_layer_free(&nl);
}

int main(void) {
  helper_checks();
  meanpool_sliding_checks();
  hand_values();
  reference_checks();
  config_checks();
  EV_TEST_END();
}
