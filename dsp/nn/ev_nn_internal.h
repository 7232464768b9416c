/* Internal to the layers (dsp/nn and offline/nn): activations and state helpers, parameter
 * indices and the per-family entry points the dispatcher in ev_layers.c calls. The dot
 * products and vector helpers are the kernels' (dsp/kernels/ev_dot.h). Not a public API. */
#ifndef EV_NN_INTERNAL_H
#define EV_NN_INTERNAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ev_dot.h" /* dsp/kernels: the dot products and vector helpers */
#include "ev_layers.h"

/* Parameter indices (the order of ev_layer.params). */
enum { EV_P_WEIGHT = 0, EV_P_BIAS = 1 };
enum { EV_P_W_IH = 0, EV_P_W_HH = 1, EV_P_B_IH = 2, EV_P_B_HH = 3, EV_P_REVERSE = 4 };

#define EV_EXP_CLAMP 80.0f /* expf(80) ~ 5.5e34: no overflow, and sigmoid is 1 - 1.8e-35 */
#define EV_TINY      1e-30f
#define EV_HUGE      1e30f

/* fmaxf/fminf return the non-NaN operand, so a NaN argument becomes a bound, not a NaN. */
static inline float ev_sigmoidf(float x) {
  x = fminf(fmaxf(x, -EV_EXP_CLAMP), EV_EXP_CLAMP);
  return 1.0f / (1.0f + expf(-x));
}
/* tanh to float accuracy (max relative error 2.4e-7 against double tanh, tested; glibc's
 * tanhf: 1.6e-7) at a third of tanhf's cost, which dominated the recurrent cells: an odd
 * Taylor polynomial below |x| = 1/8 (truncation < 1e-10), (1 - e) / (1 + e) with
 * e = exp(-2|x|) above, where the cancellation in 1 - e costs at most ~2 ulp. |x| is capped at
 * 20 (tanh = 1 - 8e-18 there) so expf never returns a denormal. NaN stays NaN. */
static inline float ev_tanhf(float x) {
  float a = fabsf(x);
  if (a < 0.125f) {
    float x2 = x * x;
    return x + x * x2 *
                   (-0.333333333f + x2 * (0.133333333f + x2 * (-0.053968254f + x2 * 0.021869488f)));
  }
  float e = expf(-2.0f * (a > 20.0f ? 20.0f : a)); /* not fminf: it would turn NaN into 20 */
  float t = (1.0f - e) / (1.0f + e);
  return x < 0.0f ? -t : t;
}

/* State sanitiser: NaN, +-Inf and anything beyond 1e30 -> 0; denormals and |v| < 1e-30 -> 0.
 * Applied to every recurrent/pooled state value after each step (in step and forward_seq
 * alike, so both stay equal). Identity for all values training ever sees. */
static inline float ev_sanitizef(float v) {
  float a = fabsf(v);
  return (a >= EV_TINY && a <= EV_HUGE) ? v : 0.0f;
}

static inline float ev_act_value(ev_activation act, float z) {
  switch (act) {
  case EV_ACT_RELU:
    return z > 0.0f ? z : 0.0f;
  case EV_ACT_GELU: /* exact: z * Phi(z) */
    return 0.5f * z * (1.0f + erff(z * 0.70710678118654752f));
  case EV_ACT_TANH:
    return ev_tanhf(z);
  case EV_ACT_SIGMOID:
    return ev_sigmoidf(z);
  default:
    return z;
  }
}
/* d act(z) / dz. */
static inline float ev_act_deriv(ev_activation act, float z) {
  switch (act) {
  case EV_ACT_RELU:
    return z > 0.0f ? 1.0f : 0.0f;
  case EV_ACT_GELU: {
    float cdf = 0.5f * (1.0f + erff(z * 0.70710678118654752f));
    float pdf = 0.39894228040143268f * expf(-0.5f * fminf(z * z, 2.0f * EV_EXP_CLAMP));
    return cdf + z * pdf;
  }
  case EV_ACT_TANH: {
    float t = ev_tanhf(z);
    return 1.0f - t * t;
  }
  case EV_ACT_SIGMOID: {
    float s = ev_sigmoidf(z);
    return s * (1.0f - s);
  }
  default:
    return 1.0f;
  }
}

/* Ring buffer of the last W frames of D floats, kept in a float state array:
 * state[0] = next write slot, state[1] = frames held (<= W), then W * D floats.
 * Counters are small integers, exact in float. */
#define EV_RING_HEADER 2
static inline float *ev_ring_push(float *state, int W, int D, const float *x) {
  int pos = (int)state[0], count = (int)state[1];
  float *slot = state + EV_RING_HEADER + (size_t)pos * D;
  if (x)
    memcpy(slot, x, sizeof(float) * (size_t)D);
  state[0] = (float)((pos + 1) % W);
  state[1] = (float)(count < W ? count + 1 : W);
  return slot;
}

/* ---- A kind's functions: its row of ev_layer_kinds (ev_layer_kinds.c), which the
 * dispatcher (ev_layers.c) calls. NULL: the kind needs no state / scratch / cache (0 floats),
 * runs its step in one part, or (step_part) does part 0 as the whole step. ---- */
typedef struct ev_layer_ops {
  size_t (*state_floats)(const ev_layer *l);
  size_t (*scratch_floats)(const ev_layer *l);
  size_t (*cache_floats)(const ev_layer *l, size_t T);
  double (*step_flops)(const ev_layer *l);
  void (*step)(const ev_layer *l, float *state, const float *in, float *out, float *scratch);
  int (*step_parts)(const ev_layer *l);
  void (*step_part)(const ev_layer *l, float *state, const float *in, float *out, float *scratch,
                    int part);
  void (*forward_seq)(const ev_layer *l, int T, const float *in, float *out, float *cache);
} ev_layer_ops;
extern const ev_layer_kind_info ev_layer_kinds[EV_LAYER_KIND_COUNT];

/* ---- Per-family forward entry points (dsp/nn/ev_layer_*.c). ---- */
void ev_dense_step(const ev_layer *l, const float *in, float *out);
void ev_dense_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache);
void ev_conv1d_step(const ev_layer *l, float *state, const float *in, float *out);
void ev_conv1d_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache);
/* The step in two parts (ev_layer_step_parts == 2), bit-identical to the step. */
void ev_dense_step_part(const ev_layer *l, const float *in, float *out, int part);
void ev_conv1d_step_part(const ev_layer *l, float *state, const float *in, float *out, int part);
void ev_gru_step_part(const ev_layer *l, float *state, const float *in, float *out, float *scratch,
                      int part);

/* GRU: scratch 6H. cache per frame (may be NULL): r, z, n, hn (= W_hn h + b_hn), h. */
void ev_gru_cell(const ev_layer *l, const float *x, const float *h_prev, float *h, float *scratch,
                 float *cache_t);
/* GRU pieces, shared by gru and bigru (ev_gru_cell is project then recur). gi = W_ih x + b_ih
 * (3H, gate order r,z,n). The recurrent half computes gh = W_hh h_prev + b_hh into gh (3H) and
 * the gates from gi and gh, writes h (may alias h_prev) and, if cache_t is not NULL, the cache
 * record above. dir: 0 forward params, 1 the _reverse params. */
void ev_gru_project(const ev_layer *l, int dir, const float *x, float *gi);
void ev_gru_recur(const ev_layer *l, int dir, const float *gi, const float *h_prev, float *h,
                  float *gh, float *cache_t);
void ev_gru_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache);
/* LSTM pieces, shared by lstm and bilstm. P = W_ih x + b_ih + b_hh (4H, gate order i,f,g,o).
 * The cell writes the activated gates i,f,g,o into gates (4H) and h, c (aliasing h_prev/c_prev
 * is allowed). dir: 0 forward params, 1 the _reverse params. */
void ev_lstm_project(const ev_layer *l, int dir, const float *x, float *P);
void ev_lstm_cell(const ev_layer *l, int dir, const float *P, const float *h_prev,
                  const float *c_prev, float *h, float *c, float *gates);
void ev_lstm_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache);
/* BiLSTM over a window of L frames held ring-like: frame k (0 = oldest) has its projections
 * Pf (4H) then Pb (4H) at P + ((start + k) % cap) * 8H. Writes [h_fwd, h_bwd] (2H) to out.
 * scratch: 6H. */
void ev_bilstm_window(const ev_layer *l, const float *P, int start, int cap, int L, float *out,
                      float *scratch);
/* Cells (one LSTM step of one direction) per ev_layer_step_part, and one part's work. The
 * streaming state is [ring header, W * 8H projections, h_fwd, c_fwd, h_bwd, c_bwd]. */
int ev_bilstm_cells_per_part(const ev_layer *l);
void ev_bilstm_step_part(const ev_layer *l, float *state, const float *in, float *out,
                         float *scratch, int part);
void ev_bilstm_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache);
/* BiGRU, the same design: frame k (0 = oldest) of the window has its input projections Gf (3H)
 * then Gb (3H) at G + ((start + k) % cap) * 6H. Writes [h_fwd, h_bwd] (2H) to out. scratch: 3H.
 * The streaming state is [ring header, W * 6H projections, h_fwd, h_bwd]. */
void ev_bigru_window(const ev_layer *l, const float *G, int start, int cap, int L, float *out,
                     float *scratch);
int ev_bigru_cells_per_part(const ev_layer *l);
void ev_bigru_step_part(const ev_layer *l, float *state, const float *in, float *out,
                        float *scratch, int part);
void ev_bigru_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache);

void ev_layernorm_frame(const ev_layer *l, const float *x, float *y, float *mean_rstd);
void ev_softmax_frame(int n, const float *x, float *y);
void ev_meanpool_step(const ev_layer *l, float *state, const float *in, float *out);
void ev_meanpool_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache);
/* meanpool's fixed-point representation (exact sliding sums): x -> round(x 2^30), clamped to
 * +-2^20, NaN -> 0; and a sum of n such values back to their mean. */
int64_t ev_mean_fix(float x);
float ev_mean_unfix(int64_t sum, int n);
float ev_attn_score(const ev_layer *l, const float *x);
/* Attention pooling over L frames held ring-like: frame k (0 = oldest) is
 * x + ((start + k) % cap) * x_stride, its score s + ((start + k) % cap) * s_stride.
 * Writes the attention weights to a (L floats) and the pooled D floats to out. */
void ev_attn_pool(int D, int L, int start, int cap, const float *x, size_t x_stride, const float *s,
                  size_t s_stride, float *a, float *out);
void ev_attnpool_step(const ev_layer *l, float *state, const float *in, float *out, float *scratch);
void ev_attnpool_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache);

#endif
