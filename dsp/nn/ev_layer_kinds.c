/* The layer kinds, one row each: name, the metadata attributes it reads, its traits, and its
 * functions (memory it needs, cost, streaming step, step in parts, whole-sequence forward). The
 * families' files (ev_layer_dense.c, ...) hold the arithmetic; a row says which of it a kind
 * runs, so everything the dispatcher (ev_layers.c) knows about a kind is here. A new kind is a
 * row and its functions. */
#include "ev_nn_internal.h"

/* Layers heavier than this are cut in two parts (the analyser runs one part per tick, so a
 * host block never carries a whole large matrix-vector product). */
#define EV_SPLIT_MACS 16384

/* ---- dense, conv1d: an affine map (over kernel taps for conv1d), then the activation ---- */

static size_t affine_cache(const ev_layer *l, size_t t) {
  return l->activation == EV_ACT_LINEAR ? 0 : t * (size_t)l->out_dim; /* pre-activations */
}
static int affine_parts(const ev_layer *l) {
  return l->out_dim >= 2 && ev_layer_step_flops(l) > EV_SPLIT_MACS ? 2 : 1;
}

static double dense_flops(const ev_layer *l) {
  return (double)l->in_dim * l->out_dim;
}
static void dense_step(const ev_layer *l, float *state, const float *in, float *out,
                       float *scratch) {
  (void)state;
  (void)scratch;
  ev_dense_step(l, in, out);
}
static void dense_step_part(const ev_layer *l, float *state, const float *in, float *out,
                            float *scratch, int part) {
  if (affine_parts(l) == 1) {
    if (part == 0)
      dense_step(l, state, in, out, scratch);
  } else if (part == 0 || part == 1) {
    ev_dense_step_part(l, in, out, part);
  }
}

static int conv_span(const ev_layer *l) {
  return (l->kernel - 1) * l->dilation + 1;
}
static size_t conv1d_state(const ev_layer *l) {
  /* write slot, frames seen, input history */
  return 2 + (size_t)conv_span(l) * (size_t)l->in_dim;
}
static double conv1d_flops(const ev_layer *l) {
  return (double)l->in_dim * l->out_dim * l->kernel;
}
static void conv1d_step(const ev_layer *l, float *state, const float *in, float *out,
                        float *scratch) {
  (void)scratch;
  ev_conv1d_step(l, state, in, out);
}
static void conv1d_step_part(const ev_layer *l, float *state, const float *in, float *out,
                             float *scratch, int part) {
  if (affine_parts(l) == 1) {
    if (part == 0)
      conv1d_step(l, state, in, out, scratch);
  } else if (part == 0 || part == 1) {
    ev_conv1d_step_part(l, state, in, out, part);
  }
}

/* ---- gru, lstm ---- */

static size_t gru_state(const ev_layer *l) {
  return 4 * (size_t)l->hidden; /* h, and the input projection of a step in parts */
}
static size_t gru_scratch(const ev_layer *l) {
  return 6 * (size_t)l->hidden;
}
static size_t gru_cache(const ev_layer *l, size_t t) {
  size_t H = (size_t)l->hidden;
  return t * 5 * H + 6 * H; /* r, z, n, hn, h per frame + step scratch */
}
static double gru_flops(const ev_layer *l) {
  double D = l->in_dim, H = l->hidden;
  return 3 * H * (D + H);
}
static void gru_step(const ev_layer *l, float *state, const float *in, float *out, float *scratch) {
  ev_gru_cell(l, in, state, out, scratch, NULL);
  memcpy(state, out, sizeof(float) * (size_t)l->hidden);
}
static int gru_parts(const ev_layer *l) { /* input projection, then recurrent projection, gates */
  return ev_layer_step_flops(l) > EV_SPLIT_MACS ? 2 : 1;
}
static void gru_step_part(const ev_layer *l, float *state, const float *in, float *out,
                          float *scratch, int part) {
  if (gru_parts(l) == 1) {
    if (part == 0)
      gru_step(l, state, in, out, scratch);
  } else if (part == 0 || part == 1) {
    ev_gru_step_part(l, state, in, out, scratch, part);
  }
}

static size_t lstm_state(const ev_layer *l) {
  return 2 * (size_t)l->hidden;
}
static size_t lstm_scratch(const ev_layer *l) {
  return 4 * (size_t)l->hidden;
}
static size_t lstm_cache(const ev_layer *l, size_t t) {
  size_t H = (size_t)l->hidden;
  return t * 6 * H + 4 * H; /* i, f, g, o, c, h per frame + projection */
}
static double lstm_flops(const ev_layer *l) {
  double D = l->in_dim, H = l->hidden;
  return 4 * H * (D + H);
}
static void lstm_step(const ev_layer *l, float *state, const float *in, float *out,
                      float *scratch) {
  int H = l->hidden;
  ev_lstm_project(l, 0, in, scratch);
  ev_lstm_cell(l, 0, scratch, state, state + H, state, state + H, scratch);
  memcpy(out, state, sizeof(float) * (size_t)H);
}

/* ---- bilstm, bigru: both directions over the sliding window ---- */

/* A step of either: the frame's input projections of both directions (G floats each) go into
 * the ring, then both directions run over the window. */
static void
window_step(const ev_layer *l, float *state, const float *in, float *out, float *scratch, int G,
            void (*project)(const ev_layer *, int, const float *, float *),
            void (*run)(const ev_layer *, const float *, int, int, int, float *, float *)) {
  float *slot = ev_ring_push(state, l->window, 2 * G, NULL);
  project(l, 0, in, slot);
  project(l, 1, in, slot + G);
  int W = l->window, L = (int)state[1];
  int start = L < W ? 0 : (int)state[0];
  run(l, state + EV_RING_HEADER, start, W, L, out, scratch);
}

static size_t bilstm_state(const ev_layer *l) {
  size_t H = (size_t)l->hidden, W = (size_t)l->window;
  /* projected inputs of both directions + the (h, c) pairs of a step in parts */
  return EV_RING_HEADER + W * 8 * H + 4 * H;
}
static size_t bilstm_scratch(const ev_layer *l) {
  return 6 * (size_t)l->hidden; /* gates + the two cell states */
}
static size_t bilstm_cache(const ev_layer *l, size_t t) {
  size_t H = (size_t)l->hidden;
  return t * 8 * H + 6 * H; /* projections of both directions per frame + window scratch */
}
static double bilstm_flops(const ev_layer *l) {
  double D = l->in_dim, H = l->hidden, W = l->window;
  return 2 * 4 * H * D + W * 2 * 4 * H * H;
}
static void bilstm_step(const ev_layer *l, float *state, const float *in, float *out,
                        float *scratch) {
  window_step(l, state, in, out, scratch, 4 * l->hidden, ev_lstm_project, ev_bilstm_window);
}
static int bilstm_parts(const ev_layer *l) {
  int cpp = ev_bilstm_cells_per_part(l);
  return (2 * l->window + cpp - 1) / cpp;
}

static size_t bigru_state(const ev_layer *l) {
  size_t H = (size_t)l->hidden, W = (size_t)l->window;
  /* input projections of both directions + the two hidden states of a step in parts */
  return EV_RING_HEADER + W * 6 * H + 2 * H;
}
static size_t bigru_scratch(const ev_layer *l) {
  return 3 * (size_t)l->hidden; /* the recurrent projection W_hh h + b_hh */
}
static size_t bigru_cache(const ev_layer *l, size_t t) {
  size_t H = (size_t)l->hidden;
  return t * 6 * H + 3 * H; /* input projections of both directions per frame + scratch */
}
static double bigru_flops(const ev_layer *l) {
  double D = l->in_dim, H = l->hidden, W = l->window;
  return 2 * 3 * H * D + W * 2 * 3 * H * H;
}
static void bigru_step(const ev_layer *l, float *state, const float *in, float *out,
                       float *scratch) {
  window_step(l, state, in, out, scratch, 3 * l->hidden, ev_gru_project, ev_bigru_window);
}
static int bigru_parts(const ev_layer *l) {
  int cpp = ev_bigru_cells_per_part(l);
  return (2 * l->window + cpp - 1) / cpp;
}

/* ---- layernorm, activation, softmax: frame by frame ---- */

static double per_value_flops(const ev_layer *l) {
  return 4 * (double)l->in_dim;
}

static size_t layernorm_cache(const ev_layer *l, size_t t) {
  (void)l;
  return 2 * t; /* mean, 1/std per frame */
}
static void layernorm_step(const ev_layer *l, float *state, const float *in, float *out,
                           float *scratch) {
  (void)state;
  (void)scratch;
  ev_layernorm_frame(l, in, out, NULL);
}
static void layernorm_forward(const ev_layer *l, int T, const float *in, float *out, float *cache) {
  size_t D = (size_t)l->in_dim;
  for (int t = 0; t < T; t++)
    ev_layernorm_frame(l, in + t * D, out + t * D, cache + 2 * (size_t)t);
}

static void activation_step(const ev_layer *l, float *state, const float *in, float *out,
                            float *scratch) {
  (void)state;
  (void)scratch;
  memcpy(out, in, sizeof(float) * (size_t)l->in_dim);
  ev_activation_apply(l->activation, out, l->in_dim);
}
static void activation_forward(const ev_layer *l, int T, const float *in, float *out,
                               float *cache) {
  (void)cache;
  size_t D = (size_t)l->in_dim;
  memcpy(out, in, sizeof(float) * D * (size_t)T);
  ev_activation_apply(l->activation, out, (int)(D * (size_t)T));
}

static void softmax_step(const ev_layer *l, float *state, const float *in, float *out,
                         float *scratch) {
  (void)state;
  (void)scratch;
  ev_softmax_frame(l->in_dim, in, out);
}
static void softmax_forward(const ev_layer *l, int T, const float *in, float *out, float *cache) {
  (void)cache;
  size_t D = (size_t)l->in_dim;
  for (int t = 0; t < T; t++)
    ev_softmax_frame(l->in_dim, in + t * D, out + t * D);
}

/* ---- meanpool, attnpool ---- */

static size_t meanpool_state(const ev_layer *l) {
  size_t D = (size_t)l->in_dim, W = (size_t)l->window;
  /* ring of fixed-point frames and their sums (int64 = 2 floats), or (count, running mean) */
  return W ? EV_RING_HEADER + 2 * W * D + 2 * D : 1 + D;
}
static size_t meanpool_cache(const ev_layer *l, size_t t) {
  (void)t;
  return l->window ? 2 * (size_t)l->in_dim : 0; /* the window's fixed-point sums */
}
static double meanpool_flops(const ev_layer *l) {
  return l->in_dim; /* one add (and one subtract) per input: the window sum slides */
}
static void meanpool_step(const ev_layer *l, float *state, const float *in, float *out,
                          float *scratch) {
  (void)scratch;
  ev_meanpool_step(l, state, in, out);
}

static size_t attnpool_state(const ev_layer *l) {
  size_t D = (size_t)l->in_dim, W = (size_t)l->window;
  return EV_RING_HEADER + W * (D + 1); /* inputs and their scores */
}
static size_t attnpool_scratch(const ev_layer *l) {
  return (size_t)l->window;
}
static size_t attnpool_cache(const ev_layer *l, size_t t) {
  return t + (size_t)l->window; /* scores per frame + attention weights */
}
static double attnpool_flops(const ev_layer *l) {
  double D = l->in_dim, W = l->window;
  return D + 2 * W * D;
}

/* ---- the table ---- */

#define ATTR(x) EV_ATTR_##x
static const ev_layer_ops ops[EV_LAYER_KIND_COUNT] = {
    [EV_LAYER_DENSE] = {NULL, NULL, affine_cache, dense_flops, dense_step, affine_parts,
                        dense_step_part, ev_dense_forward_seq},
    [EV_LAYER_CONV1D] = {conv1d_state, NULL, affine_cache, conv1d_flops, conv1d_step, affine_parts,
                         conv1d_step_part, ev_conv1d_forward_seq},
    [EV_LAYER_GRU] = {gru_state, gru_scratch, gru_cache, gru_flops, gru_step, gru_parts,
                      gru_step_part, ev_gru_forward_seq},
    [EV_LAYER_LSTM] = {lstm_state, lstm_scratch, lstm_cache, lstm_flops, lstm_step, NULL, NULL,
                       ev_lstm_forward_seq},
    [EV_LAYER_BILSTM] = {bilstm_state, bilstm_scratch, bilstm_cache, bilstm_flops, bilstm_step,
                         bilstm_parts, ev_bilstm_step_part, ev_bilstm_forward_seq},
    [EV_LAYER_LAYERNORM] = {NULL, NULL, layernorm_cache, per_value_flops, layernorm_step, NULL,
                            NULL, layernorm_forward},
    [EV_LAYER_ACTIVATION] = {NULL, NULL, NULL, per_value_flops, activation_step, NULL, NULL,
                             activation_forward},
    [EV_LAYER_MEANPOOL] = {meanpool_state, NULL, meanpool_cache, meanpool_flops, meanpool_step,
                           NULL, NULL, ev_meanpool_forward_seq},
    [EV_LAYER_ATTNPOOL] = {attnpool_state, attnpool_scratch, attnpool_cache, attnpool_flops,
                           ev_attnpool_step, NULL, NULL, ev_attnpool_forward_seq},
    [EV_LAYER_SOFTMAX] = {NULL, NULL, NULL, per_value_flops, softmax_step, NULL, NULL,
                          softmax_forward},
    [EV_LAYER_BIGRU] = {bigru_state, bigru_scratch, bigru_cache, bigru_flops, bigru_step,
                        bigru_parts, ev_bigru_step_part, ev_bigru_forward_seq},
};

const ev_layer_kind_info ev_layer_kinds[EV_LAYER_KIND_COUNT] = {
    [EV_LAYER_DENSE] = {"dense", ATTR(OUT) | ATTR(ACTIVATION), 0, 0, 0, &ops[EV_LAYER_DENSE]},
    [EV_LAYER_CONV1D] = {"conv1d", ATTR(OUT) | ATTR(KERNEL) | ATTR(DILATION) | ATTR(ACTIVATION), 0,
                         0, 0, &ops[EV_LAYER_CONV1D]},
    [EV_LAYER_GRU] = {"gru", ATTR(HIDDEN), 0, 3, 1, &ops[EV_LAYER_GRU]},
    [EV_LAYER_LSTM] = {"lstm", ATTR(HIDDEN), 0, 4, 1, &ops[EV_LAYER_LSTM]},
    [EV_LAYER_BILSTM] = {"bilstm", ATTR(HIDDEN) | ATTR(WINDOW), 1, 4, 2, &ops[EV_LAYER_BILSTM]},
    [EV_LAYER_LAYERNORM] = {"layernorm", ATTR(EPS), 0, 0, 0, &ops[EV_LAYER_LAYERNORM]},
    [EV_LAYER_ACTIVATION] = {"activation", ATTR(ACTIVATION), 0, 0, 0, &ops[EV_LAYER_ACTIVATION]},
    [EV_LAYER_MEANPOOL] = {"meanpool", ATTR(WINDOW), 0, 0, 0, &ops[EV_LAYER_MEANPOOL]},
    [EV_LAYER_ATTNPOOL] = {"attnpool", ATTR(WINDOW), 1, 0, 0, &ops[EV_LAYER_ATTNPOOL]},
    [EV_LAYER_SOFTMAX] = {"softmax", 0, 0, 0, 0, &ops[EV_LAYER_SOFTMAX]},
    [EV_LAYER_BIGRU] = {"bigru", ATTR(HIDDEN) | ATTR(WINDOW), 1, 3, 2, &ops[EV_LAYER_BIGRU]},
};
