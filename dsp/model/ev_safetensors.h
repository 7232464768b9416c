/* safetensors reading and writing (https://github.com/huggingface/safetensors format):
 * 8-byte little-endian header length N, N bytes of JSON header, then the raw little-endian
 * tensor bytes. Everything is validated, every tensor is converted to F32 on load, and a
 * refusal says what is wrong and what to do. Never crashes on any input.
 *
 * Not realtime: everything here allocates. */
#ifndef EV_SAFETENSORS_H
#define EV_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EV_ST_MAX_DIMS   8
#define EV_ST_MAX_HEADER (100u * 1000u * 1000u) /* the reference loader's limit */
#define EV_ST_MAX_FILE   ((size_t)1 << 31)      /* 2 GiB: far above any emotion model */

typedef struct ev_st_tensor {
  char *name;
  int ndim;
  int64_t shape[EV_ST_MAX_DIMS];
  size_t count;  /* product of shape (1 for a scalar) */
  float *data;   /* count values, converted to F32 (NULL when count == 0) */
  char dtype[8]; /* the dtype stored in the file: "F32", "F16", "BF16" or "F64" */
} ev_st_tensor;

typedef struct ev_st_file {
  size_t n_tensors;
  ev_st_tensor *tensors; /* in the order of their data offsets */
  size_t n_meta;
  char **meta_keys; /* __metadata__ entries, in file order */
  char **meta_values;
  size_t header_len; /* N */
  size_t data_len;   /* bytes after the header */
} ev_st_file;

/* Parse a whole safetensors file held in memory. 0 on success (*out set), else -1, *out NULL
 * and a message in err. */
int ev_st_parse(const uint8_t *buf, size_t len, ev_st_file **out, char *err, size_t errlen);
/* The same, refusing a header that lists more than max_tensors tensors before it is parsed
 * (counted by a scan that allocates nothing), so a huge header costs a scan, not gigabytes. */
int ev_st_parse_limited(const uint8_t *buf, size_t len, size_t max_tensors, ev_st_file **out,
                        char *err, size_t errlen);
void ev_st_free(ev_st_file *f);
const ev_st_tensor *ev_st_find(const ev_st_file *f, const char *name);
const char *ev_st_meta(const ev_st_file *f, const char *key); /* NULL if absent */

/* Read a whole regular file into a malloc'ed buffer (at most EV_ST_MAX_FILE bytes). Anything
 * else (FIFO, device, directory) is refused without blocking. */
int ev_st_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen);

/* One tensor to write (always stored as F32). */
typedef struct ev_st_out_tensor {
  const char *name;
  int ndim;
  const int64_t *shape;
  const float *data;
} ev_st_out_tensor;

/* Serialise to a malloc'ed buffer. Tensors are written in name order, contiguous, after a
 * header padded with spaces so the data section starts at a multiple of 8 bytes (as the
 * reference writer does); every F32 tensor is therefore 4-byte aligned in the file.
 * meta_keys/meta_values: n_meta strings for __metadata__ (may be 0). */
int ev_st_serialize(const ev_st_out_tensor *tensors, size_t n, const char *const *meta_keys,
                    const char *const *meta_values, size_t n_meta, uint8_t **buf, size_t *len,
                    char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
