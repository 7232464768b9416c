/* safetensors reader/writer. The reader trusts nothing: every length, offset and number is
 * checked before it is used, so a hostile file yields a message, never a crash. */
#include "ev_safetensors.h"
#include "ev_error.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t read_le64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

static float half_to_float(uint16_t h) {
  const int sign = (h >> 15) & 1;
  const int exp = (h >> 10) & 0x1f;
  const int mant = h & 0x3ff;
  float v;
  if (exp == 0)
    v = ldexpf((float)mant, -24); /* zero or subnormal */
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = ldexpf((float)(mant | 0x400), exp - 25);
  return sign ? -v : v;
}

static float bf16_to_float(uint16_t b) {
  uint32_t bits = (uint32_t)b << 16;
  float v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

static float le_f32(const uint8_t *p) {
  uint32_t bits =
      (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  float v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

static double le_f64(const uint8_t *p) {
  uint64_t bits = read_le64(p);
  double v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

/* Bytes per element of a supported dtype, 0 if the dtype is not supported. */
static size_t dtype_size(const char *dtype) {
  if (!strcmp(dtype, "F32"))
    return 4;
  if (!strcmp(dtype, "F16") || !strcmp(dtype, "BF16"))
    return 2;
  if (!strcmp(dtype, "F64"))
    return 8;
  return 0;
}

static int is_known_dtype(const char *dtype) {
  static const char *const known[] = {"BOOL", "U8",      "I8",      "I16",     "U16",     "I32",
                                      "U32",  "I64",     "U64",     "F8_E5M2", "F8_E4M3", "F8_E8M0",
                                      "F4",   "F6_E2M3", "F6_E3M2", "C64"};
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (!strcmp(dtype, known[i]))
      return 1;
  return 0;
}

void ev_st_free(ev_st_file *f) {
  if (!f)
    return;
  for (size_t i = 0; i < f->n_tensors; i++) {
    free(f->tensors[i].name);
    free(f->tensors[i].data);
  }
  free(f->tensors);
  for (size_t i = 0; i < f->n_meta; i++) {
    free(f->meta_keys[i]);
    free(f->meta_values[i]);
  }
  free(f->meta_keys);
  free(f->meta_values);
  free(f);
}

const ev_st_tensor *ev_st_find(const ev_st_file *f, const char *name) {
  if (!f || !name)
    return NULL;
  for (size_t i = 0; i < f->n_tensors; i++)
    if (!strcmp(f->tensors[i].name, name))
      return &f->tensors[i];
  return NULL;
}

const char *ev_st_meta(const ev_st_file *f, const char *key) {
  if (!f || !key)
    return NULL;
  for (size_t i = 0; i < f->n_meta; i++)
    if (!strcmp(f->meta_keys[i], key))
      return f->meta_values[i];
  return NULL;
}

/* A tensor entry while parsing: offsets relative to the data section. */
typedef struct pending {
  const char *name; /* borrowed from the JSON object until copied */
  const char *dtype;
  int ndim;
  int64_t shape[EV_ST_MAX_DIMS];
  size_t count, begin, end;
} pending;

static int cmp_pending(const void *a, const void *b) {
  const pending *x = a, *y = b;
  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return strcmp(x->name, y->name);
}

static int parse_metadata(json_t *meta, ev_st_file *f, char *err, size_t errlen) {
  if (!json_is_object(meta))
    return ev_fail(err, errlen,
                   "__metadata__ must be a JSON object of strings; rewrite the file with string "
                   "metadata values");
  size_t n = json_object_size(meta);
  f->meta_keys = calloc(n ? n : 1, sizeof(char *));
  f->meta_values = calloc(n ? n : 1, sizeof(char *));
  if (!f->meta_keys || !f->meta_values)
    return ev_fail(err, errlen, "out of memory reading __metadata__");
  const char *key;
  json_t *value;
  json_object_foreach(meta, key, value) {
    if (!json_is_string(value))
      return ev_fail(err, errlen,
                     "__metadata__ value of \"%.64s\" is not a string (the safetensors format "
                     "allows only strings there; encode JSON inside a string)",
                     key);
    f->meta_keys[f->n_meta] = strdup(key);
    f->meta_values[f->n_meta] = strdup(json_string_value(value));
    f->n_meta++;
    if (!f->meta_keys[f->n_meta - 1] || !f->meta_values[f->n_meta - 1])
      return ev_fail(err, errlen, "out of memory reading __metadata__");
  }
  return 0;
}

static int parse_entry(const char *name, json_t *entry, size_t data_len, pending *p, char *err,
                       size_t errlen) {
  const char *fix = "the file is corrupt or was not written by a safetensors writer";
  memset(p, 0, sizeof *p);
  p->name = name;
  if (!*name)
    return ev_fail(err, errlen, "a tensor has an empty name; %s", fix);
  if (!json_is_object(entry))
    return ev_fail(err, errlen, "tensor \"%.64s\": entry is not a JSON object; %s", name, fix);
  json_t *dtype = json_object_get(entry, "dtype");
  json_t *shape = json_object_get(entry, "shape");
  json_t *offs = json_object_get(entry, "data_offsets");
  if (!json_is_string(dtype))
    return ev_fail(err, errlen, "tensor \"%.64s\": missing or non-string \"dtype\"; %s", name, fix);
  if (!json_is_array(shape))
    return ev_fail(err, errlen, "tensor \"%.64s\": missing or non-array \"shape\"; %s", name, fix);
  if (!json_is_array(offs) || json_array_size(offs) != 2)
    return ev_fail(err, errlen,
                   "tensor \"%.64s\": \"data_offsets\" must be an array [begin, end]; %s", name,
                   fix);
  p->dtype = json_string_value(dtype);
  size_t esize = dtype_size(p->dtype);
  if (!esize) {
    if (is_known_dtype(p->dtype))
      return ev_fail(err, errlen,
                     "tensor \"%.64s\": dtype %s is not supported; weights must be floating point "
                     "(F32, F16, BF16 or F64): convert the tensor before saving",
                     name, p->dtype);
    return ev_fail(err, errlen, "tensor \"%.64s\": unknown dtype \"%.16s\"; %s", name, p->dtype,
                   fix);
  }
  size_t nd = json_array_size(shape);
  if (nd > EV_ST_MAX_DIMS)
    return ev_fail(err, errlen, "tensor \"%.64s\": %zu dimensions, at most %d are supported", name,
                   nd, EV_ST_MAX_DIMS);
  p->ndim = (int)nd;
  size_t count = 1;
  for (size_t d = 0; d < nd; d++) {
    json_t *v = json_array_get(shape, d);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
      return ev_fail(err, errlen, "tensor \"%.64s\": shape[%zu] is not a non-negative integer; %s",
                     name, d, fix);
    json_int_t dim = json_integer_value(v);
    p->shape[d] = (int64_t)dim;
    if ((uint64_t)dim > SIZE_MAX || (dim && count > SIZE_MAX / (size_t)dim))
      return ev_fail(err, errlen, "tensor \"%.64s\": the shape's element count overflows; %s", name,
                     fix);
    count *= (size_t)dim;
  }
  if (count > SIZE_MAX / esize)
    return ev_fail(err, errlen, "tensor \"%.64s\": the shape's byte size overflows; %s", name, fix);
  p->count = count;
  json_t *b = json_array_get(offs, 0), *e = json_array_get(offs, 1);
  if (!json_is_integer(b) || !json_is_integer(e) || json_integer_value(b) < 0 ||
      json_integer_value(e) < 0)
    return ev_fail(err, errlen, "tensor \"%.64s\": data_offsets must be non-negative integers; %s",
                   name, fix);
  uint64_t bb = (uint64_t)json_integer_value(b), ee = (uint64_t)json_integer_value(e);
  if (bb > ee)
    return ev_fail(err, errlen,
                   "tensor \"%.64s\": data_offsets [%llu, %llu] end before they begin; %s", name,
                   (unsigned long long)bb, (unsigned long long)ee, fix);
  if (ee > data_len)
    return ev_fail(err, errlen,
                   "tensor \"%.64s\": data_offsets end at byte %llu but the data section has only "
                   "%zu bytes (file truncated?)",
                   name, (unsigned long long)ee, data_len);
  p->begin = (size_t)bb;
  p->end = (size_t)ee;
  if (p->end - p->begin != count * esize)
    return ev_fail(
        err, errlen,
        "tensor \"%.64s\": shape and dtype %s need %zu bytes but data_offsets give %zu; %s", name,
        p->dtype, count * esize, p->end - p->begin, fix);
  return 0;
}

static int convert(const pending *p, const uint8_t *data, ev_st_tensor *t, char *err,
                   size_t errlen) {
  t->name = strdup(p->name);
  if (!t->name)
    return ev_fail(err, errlen, "out of memory");
  t->ndim = p->ndim;
  memcpy(t->shape, p->shape, sizeof t->shape);
  t->count = p->count;
  snprintf(t->dtype, sizeof t->dtype, "%s", p->dtype);
  if (!p->count)
    return 0;
  t->data = malloc(p->count * sizeof(float));
  if (!t->data)
    return ev_fail(err, errlen, "tensor \"%.64s\": out of memory for %zu values", p->name,
                   p->count);
  const uint8_t *src = data + p->begin;
  const size_t esize = dtype_size(p->dtype);
  for (size_t i = 0; i < p->count; i++) {
    const uint8_t *q = src + i * esize;
    float v;
    if (esize == 4) {
      v = le_f32(q);
    } else if (esize == 8) {
      double d = le_f64(q);
      if (isfinite(d) && fabs(d) > 3.4028234663852886e38)
        return ev_fail(err, errlen,
                       "tensor \"%.64s\": value %g at index %zu is outside the F32 range; the "
                       "weights are unusable (retrain or clip them)",
                       p->name, d, i);
      v = (float)d;
    } else {
      uint16_t h = (uint16_t)(q[0] | q[1] << 8);
      v = strcmp(p->dtype, "BF16") ? half_to_float(h) : bf16_to_float(h);
    }
    if (!isfinite(v))
      return ev_fail(err, errlen,
                     "tensor \"%.64s\": non-finite value (NaN or Inf) at index %zu; the training "
                     "diverged or the file is corrupt: retrain or use another file",
                     p->name, i);
    t->data[i] = v;
  }
  return 0;
}

/* Counts the top-level entries of the header object (its ':' at nesting depth 1, outside
 * strings) without building anything, and stops at limit + 1: a header listing millions of
 * tensors is refused after a cheap scan instead of after jansson has built all of them
 * (a 99 MB header took 2.1 GB and 35 s). Malformed text is left for jansson to report. */
static size_t count_entries(const uint8_t *p, size_t n, size_t limit) {
  size_t count = 0;
  int depth = 0, in_string = 0, escape = 0;
  for (size_t i = 0; i < n && count <= limit; i++) {
    const uint8_t c = p[i];
    if (in_string) {
      if (escape)
        escape = 0;
      else if (c == '\\')
        escape = 1;
      else if (c == '"')
        in_string = 0;
    } else if (c == '"') {
      in_string = 1;
    } else if (c == '{' || c == '[') {
      depth++;
    } else if (c == '}' || c == ']') {
      depth--;
    } else if (c == ':' && depth == 1) {
      count++;
    }
  }
  return count;
}

int ev_st_parse(const uint8_t *buf, size_t len, ev_st_file **out, char *err, size_t errlen) {
  return ev_st_parse_limited(buf, len, SIZE_MAX, out, err, errlen);
}

int ev_st_parse_limited(const uint8_t *buf, size_t len, size_t max_tensors, ev_st_file **out,
                        char *err, size_t errlen) {
  if (out)
    *out = NULL;
  if (!buf || !out)
    return ev_fail(err, errlen, "no data");
  if (len < 8)
    return ev_fail(err, errlen,
                   "file is %zu bytes, too short for safetensors (an 8-byte header length comes "
                   "first); the file is truncated or not a safetensors file",
                   len);
  const uint64_t n = read_le64(buf);
  if (n == 0)
    return ev_fail(err, errlen, "header length is 0; not a safetensors file");
  if (n > EV_ST_MAX_HEADER)
    return ev_fail(err, errlen,
                   "header length %llu exceeds the %u-byte limit; not a safetensors file (or a "
                   "hostile one)",
                   (unsigned long long)n, EV_ST_MAX_HEADER);
  if (n > len - 8)
    return ev_fail(err, errlen,
                   "header length %llu is larger than the %zu bytes that follow it; the file is "
                   "truncated: copy or download it again",
                   (unsigned long long)n, len - 8);
  const uint8_t *hdr = buf + 8;
  const uint8_t *data = hdr + n;
  const size_t data_len = len - 8 - (size_t)n;
  if (hdr[0] != '{')
    return ev_fail(err, errlen, "header does not start with '{'; not a safetensors file");
  if (max_tensors < SIZE_MAX) {
    /* + 1: the __metadata__ entry */
    const size_t entries = count_entries(hdr, (size_t)n, max_tensors + 1);
    if (entries > max_tensors + 1)
      return ev_fail(err, errlen,
                     "the header lists more than %zu tensors; at most %zu are allowed here (a "
                     "hostile or foreign file; refused before parsing it)",
                     max_tensors, max_tensors);
  }

  json_error_t jerr;
  json_t *root = json_loadb((const char *)hdr, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
  if (!root)
    return ev_fail(err, errlen,
                   "header is not valid JSON (%.120s, at byte %d); the file is corrupt or not "
                   "safetensors",
                   jerr.text, jerr.position);
  ev_st_file *f = calloc(1, sizeof *f);
  pending *ps = NULL;
  int rc = -1;
  if (!f) {
    ev_fail(err, errlen, "out of memory");
    goto done;
  }
  f->header_len = (size_t)n;
  f->data_len = data_len;
  if (!json_is_object(root)) {
    ev_fail(err, errlen, "header JSON is not an object; not a safetensors file");
    goto done;
  }
  const size_t n_entries = json_object_size(root);
  ps = calloc(n_entries ? n_entries : 1, sizeof *ps);
  if (!ps) {
    ev_fail(err, errlen, "out of memory");
    goto done;
  }
  size_t np = 0;
  const char *key;
  json_t *value;
  json_object_foreach(root, key, value) {
    if (!strcmp(key, "__metadata__")) {
      if (parse_metadata(value, f, err, errlen))
        goto done;
      continue;
    }
    if (parse_entry(key, value, data_len, &ps[np], err, errlen))
      goto done;
    np++;
  }
  qsort(ps, np, sizeof *ps, cmp_pending);
  size_t expect = 0;
  for (size_t i = 0; i < np; i++) {
    if (ps[i].begin < expect) {
      ev_fail(err, errlen,
              "tensor \"%.64s\" (bytes %zu..%zu) overlaps tensor \"%.64s\" (ends at %zu); the file "
              "is corrupt",
              ps[i].name, ps[i].begin, ps[i].end, ps[i - 1].name, expect);
      goto done;
    }
    if (ps[i].begin > expect) {
      ev_fail(err, errlen,
              "tensor \"%.64s\" starts at byte %zu but the previous data ends at %zu: safetensors "
              "data must be contiguous; the file is corrupt",
              ps[i].name, ps[i].begin, expect);
      goto done;
    }
    expect = ps[i].end;
  }
  if (expect != data_len) {
    ev_fail(err, errlen,
            "the tensors cover %zu bytes but the data section has %zu (%zu unexplained bytes); the "
            "file is corrupt or has trailing garbage",
            expect, data_len, data_len - expect);
    goto done;
  }
  f->tensors = calloc(np ? np : 1, sizeof *f->tensors);
  if (!f->tensors) {
    ev_fail(err, errlen, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < np; i++) {
    f->n_tensors = i + 1;
    if (convert(&ps[i], data, &f->tensors[i], err, errlen))
      goto done;
  }
  rc = 0;
done:
  free(ps);
  json_decref(root);
  if (rc) {
    ev_st_free(f);
    return -1;
  }
  *out = f;
  return 0;
}

int ev_st_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen) {
  *buf = NULL;
  *len = 0;
  /* O_NONBLOCK: opening a FIFO for reading would otherwise wait forever for a writer (a host
   * restoring a session hangs); the type is checked on the descriptor, then reads block
   * normally. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return ev_fail(err, errlen, "cannot open %s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
    close(fd);
    return ev_fail(err, errlen, "%s is not a regular file; give the path of a .safetensors file",
                   path);
  }
  if ((unsigned long long)st.st_size > EV_ST_MAX_FILE) {
    close(fd);
    return ev_fail(err, errlen, "%s is %lld bytes, larger than the %zu-byte limit for a model",
                   path, (long long)st.st_size, (size_t)EV_ST_MAX_FILE);
  }
  const int fl = fcntl(fd, F_GETFL);
  if (fl >= 0)
    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  size_t size = (size_t)st.st_size;
  uint8_t *b = malloc(size ? size : 1);
  if (!b) {
    close(fd);
    return ev_fail(err, errlen, "out of memory reading %s", path);
  }
  size_t got = 0;
  int bad = 0;
  while (got < size) {
    ssize_t r = read(fd, b + got, size - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      bad = r < 0;
      break;
    }
    got += (size_t)r;
  }
  close(fd);
  if (bad || got != size) {
    free(b);
    return ev_fail(err, errlen, "cannot read %s (%zu of %zu bytes)", path, got, size);
  }
  *buf = b;
  *len = size;
  return 0;
}

static int cmp_index_by_name(const void *a, const void *b, const ev_st_out_tensor *t) {
  return strcmp(t[*(const size_t *)a].name, t[*(const size_t *)b].name);
}

/* qsort has no context argument in C11: a small insertion sort is enough for model sizes. */
static void sort_by_name(size_t *idx, size_t n, const ev_st_out_tensor *t) {
  for (size_t i = 1; i < n; i++) {
    size_t v = idx[i], j = i;
    while (j > 0 && cmp_index_by_name(&idx[j - 1], &v, t) > 0) {
      idx[j] = idx[j - 1];
      j--;
    }
    idx[j] = v;
  }
}

int ev_st_serialize(const ev_st_out_tensor *tensors, size_t n, const char *const *meta_keys,
                    const char *const *meta_values, size_t n_meta, uint8_t **buf, size_t *len,
                    char *err, size_t errlen) {
  *buf = NULL;
  *len = 0;
  size_t *idx = calloc(n ? n : 1, sizeof *idx);
  json_t *root = json_object();
  json_t *meta = n_meta ? json_object() : NULL;
  char *text = NULL;
  int rc = -1;
  if (!idx || !root || (n_meta && !meta)) {
    ev_fail(err, errlen, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < n_meta; i++)
    if (json_object_set_new(meta, meta_keys[i], json_string(meta_values[i]))) {
      ev_fail(err, errlen, "metadata \"%s\" is not valid UTF-8", meta_keys[i]);
      goto done;
    }
  if (meta && json_object_set(root, "__metadata__", meta)) {
    ev_fail(err, errlen, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++)
    idx[i] = i;
  sort_by_name(idx, n, tensors);
  size_t offset = 0;
  for (size_t k = 0; k < n; k++) {
    const ev_st_out_tensor *t = &tensors[idx[k]];
    if (t->ndim < 0 || t->ndim > EV_ST_MAX_DIMS || !strcmp(t->name, "__metadata__")) {
      ev_fail(err, errlen, "tensor \"%s\": bad name or rank", t->name);
      goto done;
    }
    size_t count = 1;
    json_t *shape = json_array();
    for (int d = 0; d < t->ndim; d++) {
      count *= (size_t)t->shape[d];
      json_array_append_new(shape, json_integer(t->shape[d]));
    }
    for (size_t i = 0; i < count; i++)
      if (!isfinite(t->data[i])) {
        json_decref(shape);
        ev_fail(err, errlen, "tensor \"%s\" holds a non-finite value at index %zu; not saving",
                t->name, i);
        goto done;
      }
    json_t *entry = json_object();
    json_object_set_new(entry, "dtype", json_string("F32"));
    json_object_set_new(entry, "shape", shape);
    json_t *offs = json_array();
    json_array_append_new(offs, json_integer((json_int_t)offset));
    json_array_append_new(offs, json_integer((json_int_t)(offset + count * 4)));
    json_object_set_new(entry, "data_offsets", offs);
    if (json_object_set_new(root, t->name, entry)) {
      ev_fail(err, errlen, "tensor name \"%s\" is duplicated or not valid UTF-8", t->name);
      goto done;
    }
    offset += count * 4;
  }
  text = json_dumps(root, JSON_COMPACT);
  if (!text) {
    ev_fail(err, errlen, "cannot encode the header");
    goto done;
  }
  size_t hlen = strlen(text);
  size_t padded = (hlen + 7) / 8 * 8; /* 8 + padded is a multiple of 8 */
  size_t total = 8 + padded + offset;
  uint8_t *b = malloc(total);
  if (!b) {
    ev_fail(err, errlen, "out of memory");
    goto done;
  }
  for (int i = 0; i < 8; i++)
    b[i] = (uint8_t)((uint64_t)padded >> (8 * i));
  memcpy(b + 8, text, hlen);
  memset(b + 8 + hlen, ' ', padded - hlen);
  uint8_t *p = b + 8 + padded;
  for (size_t k = 0; k < n; k++) {
    const ev_st_out_tensor *t = &tensors[idx[k]];
    size_t count = 1;
    for (int d = 0; d < t->ndim; d++)
      count *= (size_t)t->shape[d];
    for (size_t i = 0; i < count; i++) {
      uint32_t bits;
      memcpy(&bits, &t->data[i], 4);
      p[0] = (uint8_t)bits;
      p[1] = (uint8_t)(bits >> 8);
      p[2] = (uint8_t)(bits >> 16);
      p[3] = (uint8_t)(bits >> 24);
      p += 4;
    }
  }
  *buf = b;
  *len = total;
  rc = 0;
done:
  free(text);
  free(idx);
  json_decref(meta);
  json_decref(root);
  return rc;
}
