/* Weight files that pass every format check but would hurt a host (issue 17): they claim huge
 * layers with hardly any data, need gigabytes of streaming state, cost far more than realtime,
 * overflow, name no emotion, or have more layers than a save can hold. Built in memory by the
 * limit test and written into the fuzzer's seed corpus, so both reach these paths. */
#ifndef HOSTILE_MODELS_H
#define HOSTILE_MODELS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_safetensors.h"

#define HOSTILE_LABELS8                                                                            \
  "[\"neutral\",\"calm\",\"happy\",\"sad\",\"angry\",\"fearful\",\"disgust\",\"surprised\"]"

typedef struct hostile_tensor {
  const char *name;
  int ndim;
  int64_t shape[3];
  float fill; /* every value */
} hostile_tensor;

/* A model file from its metadata texts and tensors (each filled with one value). 0 or -1. */
static inline int hostile_file(const char *arch, const char *features, const char *labels,
                               const hostile_tensor *t, int n, uint8_t **buf, size_t *len) {
  ev_st_out_tensor out[16];
  float *data[16];
  if (n > 16)
    return -1;
  for (int i = 0; i < n; i++) {
    size_t count = 1;
    for (int d = 0; d < t[i].ndim; d++)
      count *= (size_t)t[i].shape[d];
    data[i] = malloc((count ? count : 1) * sizeof(float));
    for (size_t k = 0; k < count; k++)
      data[i][k] = t[i].fill;
    out[i] = (ev_st_out_tensor){t[i].name, t[i].ndim, t[i].shape, data[i]};
  }
  const char *keys[] = {"format",   "format_version", "name",         "architecture",
                        "features", "labels",         "normalization"};
  const char *vals[] = {"emovox-model",         "1", "hostile", arch, features, labels,
                        "{\"mode\":\"global\"}"};
  char err[256];
  int rc = ev_st_serialize(out, (size_t)n, keys, vals, 7, buf, len, err, sizeof err);
  if (rc)
    fprintf(stderr, "hostile_file: %s\n", err);
  for (int i = 0; i < n; i++)
    free(data[i]);
  return rc;
}

/* A header listing n empty tensors (and no metadata): a scan must refuse it, not a parse. */
static inline uint8_t *hostile_many_tensors(size_t n, size_t *len) {
  const size_t each = 64;
  uint8_t *b = malloc(8 + 2 + n * each);
  if (!b)
    return NULL;
  char *h = (char *)b + 8;
  size_t k = 0;
  h[k++] = '{';
  for (size_t i = 0; i < n; i++)
    k += (size_t)snprintf(h + k, each,
                          "%s\"t%zu\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}",
                          i ? "," : "", i);
  h[k++] = '}';
  for (int i = 0; i < 8; i++)
    b[i] = (uint8_t)((uint64_t)k >> (8 * i));
  *len = 8 + k;
  return b;
}

typedef struct hostile_case {
  const char *name;
  const char *fragment; /* what the refusal must say */
} hostile_case;

enum {
  HOSTILE_HUGE_GRU,     /* gru 16384 with one tiny tensor: refused before allocating 3 GB */
  HOSTILE_STATE,        /* power n_fft 65536 + meanpool 4096: 1 GiB of streaming state */
  HOSTILE_DEEP_STATE,   /* 62 meanpools of 4096 frames over 1024 mels, a 5 KB file */
  HOSTILE_BILSTM_4096,  /* a bilstm over 4096 frames: far beyond realtime */
  HOSTILE_HOP1,         /* an FFT of 65536 points per sample */
  HOSTILE_HUGE_WEIGHTS, /* 3e38: overflows for any input */
  HOSTILE_NO_EMOTION,   /* labels lab0..lab63 */
  HOSTILE_65_LAYERS,    /* 64 layers, not ending in softmax: one more when saved */
  HOSTILE_COUNT
};

static const hostile_case hostile_cases[HOSTILE_COUNT] = {
    {"huge gru, one tensor", "tensor layers.0.weight_ih is missing"},
    {"1 GiB of streaming state", "MiB (docs/model.md)"},
    {"62 meanpools of 4096 frames", "MiB (docs/model.md)"},
    {"bilstm over 4096 frames", "multiply-adds per second"},
    {"features at hop 1, n_fft 65536", "multiply-adds per second"},
    {"weights of 3e38", "overflow single precision"},
    {"labels lab0..lab63", "not understood: \"lab0\""},
    {"64 layers without softmax", "at most 63 layers"},
};

static inline int hostile_build(int which, uint8_t **buf, size_t *len) {
  switch (which) {
  case HOSTILE_HUGE_GRU: {
    hostile_tensor t[] = {{"norm.mean", 1, {1}, 0}, {"norm.std", 1, {1}, 1}};
    return hostile_file("[{\"type\":\"gru\",\"hidden\":16384},{\"type\":\"gru\",\"hidden\":8}]",
                        "{\"inputs\":[\"rms\"]}", HOSTILE_LABELS8, t, 2, buf, len);
  }
  case HOSTILE_STATE: {
    hostile_tensor t[] = {{"layers.1.weight", 2, {8, 32769}, 0.001f},
                          {"layers.1.bias", 1, {8}, 0},
                          {"norm.mean", 1, {32769}, 0},
                          {"norm.std", 1, {32769}, 1}};
    return hostile_file("[{\"type\":\"meanpool\",\"window\":4096},{\"type\":\"dense\"}]",
                        "{\"n_fft\":65536,\"inputs\":[\"power\"]}", HOSTILE_LABELS8, t, 4, buf,
                        len);
  }
  case HOSTILE_DEEP_STATE: {
    char arch[4096] = "[";
    for (int i = 0; i < 62; i++)
      strcat(arch, "{\"type\":\"meanpool\",\"window\":4096},");
    strcat(arch, "{\"type\":\"dense\"}]");
    hostile_tensor t[] = {{"layers.62.weight", 2, {1, 1024}, 0.001f},
                          {"layers.62.bias", 1, {1}, 0},
                          {"norm.mean", 1, {1024}, 0},
                          {"norm.std", 1, {1024}, 1}};
    return hostile_file(arch, "{\"n_mels\":1024,\"n_mfcc\":40,\"inputs\":[\"mel\"]}",
                        "[\"neutral\"]", t, 4, buf, len);
  }
  case HOSTILE_BILSTM_4096: {
    hostile_tensor t[] = {
        {"layers.0.weight_ih", 2, {128, 40}, 0.01f},
        {"layers.0.weight_hh", 2, {128, 32}, 0.01f},
        {"layers.0.bias_ih", 1, {128}, 0},
        {"layers.0.bias_hh", 1, {128}, 0},
        {"layers.0.weight_ih_reverse", 2, {128, 40}, 0.01f},
        {"layers.0.weight_hh_reverse", 2, {128, 32}, 0.01f},
        {"layers.0.bias_ih_reverse", 1, {128}, 0},
        {"layers.0.bias_hh_reverse", 1, {128}, 0},
        {"layers.1.weight", 2, {8, 64}, 0.01f},
        {"layers.1.bias", 1, {8}, 0},
        {"norm.mean", 1, {40}, 0},
        {"norm.std", 1, {40}, 1},
    };
    return hostile_file(
        "[{\"type\":\"bilstm\",\"hidden\":32,\"window\":4096},{\"type\":\"dense\"}]",
        "{\"inputs\":[\"mfcc\"]}", HOSTILE_LABELS8, t, 12, buf, len);
  }
  case HOSTILE_HOP1: {
    hostile_tensor t[] = {{"layers.0.weight", 2, {8, 1}, 0.1f},
                          {"layers.0.bias", 1, {8}, 0},
                          {"norm.mean", 1, {1}, 0},
                          {"norm.std", 1, {1}, 1}};
    return hostile_file("[{\"type\":\"dense\"}]",
                        "{\"n_fft\":65536,\"hop_length\":1,\"inputs\":[\"rms\"]}", HOSTILE_LABELS8,
                        t, 4, buf, len);
  }
  case HOSTILE_HUGE_WEIGHTS: {
    hostile_tensor t[] = {{"layers.0.weight", 2, {16, 1}, 3e38f},
                          {"layers.0.bias", 1, {16}, 3e38f},
                          {"layers.1.weight", 2, {8, 16}, 3e38f},
                          {"layers.1.bias", 1, {8}, 3e38f},
                          {"norm.mean", 1, {1}, 0},
                          {"norm.std", 1, {1}, 1}};
    return hostile_file("[{\"type\":\"dense\",\"out\":16},{\"type\":\"dense\"}]",
                        "{\"inputs\":[\"rms\"]}", HOSTILE_LABELS8, t, 6, buf, len);
  }
  case HOSTILE_NO_EMOTION: {
    char labels[1024] = "[";
    for (int i = 0; i < 64; i++)
      snprintf(labels + strlen(labels), sizeof labels - strlen(labels), "%s\"lab%d\"", i ? "," : "",
               i);
    strcat(labels, "]");
    hostile_tensor t[] = {{"layers.0.weight", 2, {64, 1}, 0.1f},
                          {"layers.0.bias", 1, {64}, 0},
                          {"norm.mean", 1, {1}, 0},
                          {"norm.std", 1, {1}, 1}};
    return hostile_file("[{\"type\":\"dense\"}]", "{\"inputs\":[\"rms\"]}", labels, t, 4, buf, len);
  }
  case HOSTILE_65_LAYERS: {
    char arch[4096] = "[";
    for (int i = 0; i < 63; i++)
      strcat(arch, "{\"type\":\"activation\",\"activation\":\"tanh\"},");
    strcat(arch, "{\"type\":\"dense\"}]");
    hostile_tensor t[] = {{"layers.63.weight", 2, {8, 1}, 0.1f},
                          {"layers.63.bias", 1, {8}, 0},
                          {"norm.mean", 1, {1}, 0},
                          {"norm.std", 1, {1}, 1}};
    return hostile_file(arch, "{\"inputs\":[\"rms\"]}", HOSTILE_LABELS8, t, 4, buf, len);
  }
  default:
    return -1;
  }
}

#endif
