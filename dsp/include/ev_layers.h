/* Emovox classifier layers: the forward half (streaming step and whole-sequence forward).
 * The backward half (training only) is in offline/nn/ev_layers_backward.h.
 *
 * Kinds, parameter names/shapes and attribute semantics are the ones of docs/ARCHITECTURE.md
 * (PyTorch names and gate orders, so a file exported from PyTorch loads). Every layer maps a
 * sequence [T, in_dim] to [T, out_dim], one output per input frame; docs/layers.md gives the
 * exact formula of every kind.
 *
 * Memory: a layer owns nothing. ev_layer_init() fills the expected parameter names and shapes
 * (data = NULL); the model container owns one arena and points params[i].data into it, e.g.
 * with ev_layer_bind(). Streaming state and scratch are caller-provided float arrays.
 *
 * Realtime contract: ev_layer_state_reset() and ev_layer_step() never allocate, lock or do
 * I/O; ev_layer_step() costs a bounded, input-independent amount of work (see
 * ev_layer_step_flops()). Non-finite values never stay in a recurrent or pooled state longer
 * than the layer's window (recurrent states are sanitised every step: NaN/Inf -> 0, denormals
 * -> 0, see docs/layers.md). */
#ifndef EV_LAYERS_H
#define EV_LAYERS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EV_LAYER_MAX_PARAMS 8    /* bilstm, bigru: 4 forward + 4 reverse */
#define EV_LAYER_MAX_WINDOW 4096 /* frames; larger windows are refused by ev_layer_init() */

typedef enum ev_layer_kind {
  EV_LAYER_DENSE = 0,  /* "dense"      */
  EV_LAYER_CONV1D,     /* "conv1d"     causal, dilated */
  EV_LAYER_GRU,        /* "gru"        */
  EV_LAYER_LSTM,       /* "lstm"       */
  EV_LAYER_BILSTM,     /* "bilstm"     both directions over the sliding window */
  EV_LAYER_LAYERNORM,  /* "layernorm"  */
  EV_LAYER_ACTIVATION, /* "activation" */
  EV_LAYER_MEANPOOL,   /* "meanpool"   window 0 = everything since reset */
  EV_LAYER_ATTNPOOL,   /* "attnpool"   window >= 1 */
  EV_LAYER_SOFTMAX,    /* "softmax"    */
  EV_LAYER_BIGRU,      /* "bigru"      as bilstm, GRU cells (added last: numbers stay) */
  EV_LAYER_KIND_COUNT
} ev_layer_kind;

typedef enum ev_activation {
  EV_ACT_LINEAR = 0, /* "linear" (identity; the default) */
  EV_ACT_RELU,       /* "relu" */
  EV_ACT_GELU,       /* "gelu": exact erf form, PyTorch's default nn.GELU() */
  EV_ACT_TANH,       /* "tanh" */
  EV_ACT_SIGMOID,    /* "sigmoid" */
  EV_ACT_COUNT
} ev_activation;

/* The attributes of the `architecture` metadata, in the order it writes them. */
typedef enum ev_layer_attr {
  EV_ATTR_OUT = 1u << 0,        /* "out": output width */
  EV_ATTR_KERNEL = 1u << 1,     /* "kernel" */
  EV_ATTR_DILATION = 1u << 2,   /* "dilation" */
  EV_ATTR_ACTIVATION = 1u << 3, /* "activation" */
  EV_ATTR_HIDDEN = 1u << 4,     /* "hidden" */
  EV_ATTR_WINDOW = 1u << 5,     /* "window" */
  EV_ATTR_EPS = 1u << 6,        /* "eps" */
  EV_ATTR_ALL = (1u << 7) - 1
} ev_layer_attr;
const char *ev_layer_attr_name(ev_layer_attr attr); /* "out", ...; "?" if not one attribute */

/* What the code around the layers knows about a kind, in one table (ev_layer_kinds.c): the model's
 * reader and writer, the trainer's initialisation and the tools ask it instead of listing
 * kinds, so a new kind is a row there plus its functions. */
typedef struct ev_layer_kind_info {
  const char *name; /* as in the architecture metadata */
  unsigned attrs;   /* the ev_layer_attr it reads; EV_ATTR_OUT: weight [out, in(, kernel)] */
  int min_window;   /* with EV_ATTR_WINDOW: the smallest window (meanpool: 0 = since reset) */
  int gates;        /* recurrent kinds: gates per direction (GRU 3, LSTM 4); others 0 */
  int directions;   /* recurrent kinds: 1, or 2 (a forward and a reverse pass per window) */
  const struct ev_layer_ops *ops; /* its functions (dsp/nn's own: ev_nn_internal.h) */
} ev_layer_kind_info;
/* The kind's row, or NULL if kind is out of range. */
const ev_layer_kind_info *ev_layer_kind_info_of(ev_layer_kind kind);

const char *ev_layer_kind_name(ev_layer_kind kind); /* "dense", ...; "?" if out of range */
int ev_layer_kind_from_name(const char *name);      /* ev_layer_kind, or -1 if unknown */
const char *ev_activation_name(ev_activation act);  /* "relu", ...; "?" if out of range */
int ev_activation_from_name(const char *name);      /* ev_activation, or -1 if unknown */

/* One parameter tensor, row-major, PyTorch layout. */
typedef struct ev_param {
  const char *name; /* "weight", "bias", "weight_ih", ..., "bias_hh_reverse" (static string) */
  int ndim;         /* 1..3 */
  int shape[3];     /* unused trailing dims are 1 */
  size_t size;      /* product of the shape */
  float *data;      /* not owned; NULL until bound */
} ev_param;

/* Attributes of one layer, as in the `architecture` metadata. Unused fields are ignored. */
typedef struct ev_layer_config {
  ev_layer_kind kind;
  int in_dim;               /* features per input frame (>= 1) */
  int out_dim;              /* dense, conv1d: output channels (the weight's first dim) */
  ev_activation activation; /* dense, conv1d, activation */
  int kernel;               /* conv1d (>= 1) */
  int dilation;             /* conv1d (>= 1) */
  int hidden;               /* gru, lstm, bilstm, bigru: H (>= 1) */
  int window;               /* bilstm, bigru, attnpool (>= 1), meanpool (>= 0; 0 = since reset) */
  float eps;                /* layernorm (> 0) */
} ev_layer_config;

/* Defaults: activation linear, kernel 1, dilation 1, window 0, eps 1e-5, dims 0. */
void ev_layer_config_default(ev_layer_config *cfg, ev_layer_kind kind);

typedef struct ev_layer {
  ev_layer_kind kind;
  int in_dim, out_dim;
  ev_activation activation;
  int kernel, dilation, hidden, window;
  float eps;
  int n_params;
  ev_param params[EV_LAYER_MAX_PARAMS]; /* in the order of docs/ARCHITECTURE.md */
  /* dense only, NULL = every column: per output row, [lo, hi) of the input columns outside of
   * which the row's weights are zero (col_span[2 o], col_span[2 o + 1]; ev_dense_find_spans).
   * Not owned. The step then skips the zero blocks (e.g. the merged networks of a
   * block-diagonal layer) with the same bits. Whoever writes the weights must clear it. */
  const int *col_span;
} ev_layer;

/* An integer attribute's value (out, kernel, dilation, hidden, window; activation: its
 * ev_activation); 0 for eps, which is not an integer. */
int ev_layer_attr_int(const ev_layer *l, ev_layer_attr attr);

/* Checks cfg and fills l (out_dim, expected params with data = NULL). 0 on success; -1 and a
 * message in err (may be NULL) if the configuration is invalid. */
int ev_layer_init(ev_layer *l, const ev_layer_config *cfg, char *err, size_t errlen);

/* Total parameter floats (sum of params[i].size). */
size_t ev_layer_n_weights(const ev_layer *l);
/* Points params[i].data at consecutive slices of arena (which holds ev_layer_n_weights floats)
 * in parameter order; returns the number of floats used. A gradient arena bound the same way
 * has the same layout. */
size_t ev_layer_bind(ev_layer *l, float *arena);
/* The parameter called name, or NULL. */
ev_param *ev_layer_param(ev_layer *l, const char *name);
const ev_param *ev_layer_param_const(const ev_layer *l, const char *name);

/* ---- Streaming: one frame in, one frame out. ---- */
size_t ev_layer_state_floats(const ev_layer *l);   /* persistent state (may be 0) */
size_t ev_layer_scratch_floats(const ev_layer *l); /* temporary, per step (may be 0) */
/* Puts state into the "nothing seen since reset" condition. */
void ev_layer_state_reset(const ev_layer *l, float *state);
/* in: in_dim floats, out: out_dim floats (must not alias in). state: ev_layer_state_floats,
 * scratch: ev_layer_scratch_floats floats (NULL allowed when 0). Realtime-safe. */
void ev_layer_step(const ev_layer *l, float *state, const float *in, float *out, float *scratch);
/* Approximate multiply-adds of one ev_layer_step (independent of input and of time): for cost
 * budgets and benchmarks. */
double ev_layer_step_flops(const ev_layer *l);

/* A step cut into ev_layer_step_parts(l) parts of bounded cost, for callers that spread one
 * frame's work over time (docs/ARCHITECTURE.md, "Work spreading"). Calling
 * ev_layer_step_part(..., part) for part = 0, 1, ..., parts-1 in order (same in, out, state;
 * nothing else may step this state in between; scratch need not be preserved) gives exactly
 * ev_layer_step's result; out is complete after the last part. bilstm and bigru have several
 * parts (their window recomputation, ~16k multiply-adds per part); large dense, conv1d and gru
 * steps have two; every other kind does all its work in part 0. The number of parts is fixed for a
 * layer (it does not depend on the time since reset). Realtime-safe. */
int ev_layer_step_parts(const ev_layer *l);
void ev_layer_step_part(const ev_layer *l, float *state, const float *in, float *out,
                        float *scratch, int part);

/* ---- Whole sequence (training, reference). ----
 * in: [T, in_dim], out: [T, out_dim], both row-major, starting from the reset state.
 * cache: ev_layer_cache_floats(l, T) floats (NULL allowed when 0): what backward needs plus
 * the forward's own workspace. The result equals T calls of ev_layer_step() after
 * ev_layer_state_reset(), up to float rounding. Not realtime-safe only in that its cost grows
 * with T; it does not allocate. */
size_t ev_layer_cache_floats(const ev_layer *l, int T);
void ev_layer_forward_seq(const ev_layer *l, int T, const float *in, float *out, float *cache);

/* Dense layer: fills span (2 * out_dim ints) with each row's [lo, hi) of possibly nonzero
 * weight columns, lo a multiple of 16 and hi a multiple of 16 or in_dim (the lanes of
 * ev_rows_dot_acc, so the sums over [lo, hi) are those over every column to the bit), and
 * returns how many weights the spans hold (out_dim * in_dim when nothing is skipped). Set
 * l->col_span = span only while the weights stay as they were. Not realtime. */
size_t ev_dense_find_spans(const ev_layer *l, int *span);

/* Elementwise activation in place (shared with the backward code). */
void ev_activation_apply(ev_activation act, float *x, int n);

#ifdef __cplusplus
}
#endif

#endif
