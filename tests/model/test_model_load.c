/* The loader refuses corrupt, truncated and hostile files with a message saying what is
 * wrong, and never crashes (run under ASan+UBSan in CI). */
#include <stdio.h>
#include <string.h>

#include "../ev_test.h"
#include "ev_safetensors.h"
#include "model_fixture.h"

static uint8_t file_buf[1 << 16];

/* header JSON with a declared length (or strlen when declared == UINT64_MAX) + data. */
static size_t raw_declared(uint64_t declared, const char *header, const void *data,
                           size_t data_len) {
  size_t h = strlen(header);
  if (declared == UINT64_MAX)
    declared = h;
  for (int i = 0; i < 8; i++)
    file_buf[i] = (uint8_t)(declared >> (8 * i));
  memcpy(file_buf + 8, header, h);
  if (data_len)
    memcpy(file_buf + 8 + h, data, data_len);
  return 8 + h + data_len;
}
static size_t raw(const char *header, const void *data, size_t data_len) {
  return raw_declared(UINT64_MAX, header, data, data_len);
}

static void expect_fail(const char *what, const uint8_t *buf, size_t len, const char *fragment) {
  char err[1024] = "";
  ev_model *m = ev_model_load_memory(buf, len, err, sizeof err);
  EV_CHECK(m == NULL, "%s: loaded but should be refused", what);
  ev_model_free(m);
  EV_CHECK(strstr(err, fragment) != NULL, "%s: message \"%s\" lacks \"%s\"", what, err, fragment);
  printf("refused %-34s: %s\n", what, err);
}

static void expect_st_fail(const char *what, size_t len, const char *fragment) {
  char err[1024] = "";
  ev_st_file *f = NULL;
  int rc = ev_st_parse(file_buf, len, &f, err, sizeof err);
  EV_CHECK(rc == -1 && f == NULL, "%s: safetensors parse accepted it", what);
  ev_st_free(f);
  expect_fail(what, file_buf, len, fragment);
}

static const float four[4] = {1, 2, 3, 4};

static void raw_cases(void) {
  expect_st_fail("empty file", 0, "too short");
  expect_st_fail("5-byte file", raw_declared(0, "", NULL, 0) - 3, "too short");
  expect_st_fail("header length 0", raw_declared(0, "", NULL, 0), "header length is 0");
  expect_st_fail("huge header length", raw_declared(0xffffffffffffffffULL - 1, "{}", NULL, 0),
                 "exceeds");
  expect_st_fail("header beyond file", raw_declared(500, "{}", NULL, 0), "truncated");
  expect_st_fail("header not an object", raw("[1,2]", NULL, 0), "does not start with");
  expect_st_fail("invalid JSON", raw("{\"a\":", NULL, 0), "not valid JSON");
  expect_st_fail("JSON with trailing garbage", raw("{} x", NULL, 0), "not valid JSON");
  expect_st_fail("duplicate tensor names",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                     "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                     four, 8),
                 "duplicate");
  expect_st_fail("NUL inside a string", raw("{\"a\\u0000b\":1}", NULL, 0), "not valid JSON");
  expect_st_fail("entry not an object", raw("{\"a\":5}", NULL, 0), "not a JSON object");
  expect_st_fail("empty tensor name",
                 raw("{\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", four, 4),
                 "empty name");
  expect_st_fail("missing dtype", raw("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", four, 4),
                 "dtype");
  expect_st_fail("integer dtype",
                 raw("{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", four, 8),
                 "not supported");
  expect_st_fail("unknown dtype",
                 raw("{\"a\":{\"dtype\":\"Q3\",\"shape\":[1],\"data_offsets\":[0,4]}}", four, 4),
                 "unknown dtype");
  expect_st_fail("missing shape",
                 raw("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", four, 4), "shape");
  expect_st_fail("negative shape",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", four, 4),
                 "non-negative");
  expect_st_fail("fractional shape",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", four, 4),
                 "non-negative integer");
  expect_st_fail("shape overflow",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],"
                     "\"data_offsets\":[0,4]}}",
                     four, 4),
                 "overflows");
  expect_st_fail("byte-size overflow",
                 raw("{\"a\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904],"
                     "\"data_offsets\":[0,4]}}",
                     four, 4),
                 "overflows");
  expect_st_fail("too many dimensions",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],"
                     "\"data_offsets\":[0,4]}}",
                     four, 4),
                 "dimensions");
  expect_st_fail("integer too big for JSON parser",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999999],"
                     "\"data_offsets\":[0,4]}}",
                     four, 4),
                 "not valid JSON");
  expect_st_fail("one data offset",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", four, 4),
                 "data_offsets");
  expect_st_fail("negative data offset",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", four, 4),
                 "non-negative");
  expect_st_fail("offsets reversed",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", four, 4),
                 "end before");
  expect_st_fail("offsets past the data",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", four, 4),
                 "truncated");
  expect_st_fail("size does not match shape",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", four, 4),
                 "need 8 bytes");
  expect_st_fail("overlapping tensors",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                     "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                     four, 12),
                 "overlaps");
  expect_st_fail("gap between tensors",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                     "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                     four, 12),
                 "contiguous");
  expect_st_fail("trailing bytes",
                 raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", four, 8),
                 "unexplained");
  const float nan_data[1] = {NAN};
  expect_st_fail(
      "NaN weight",
      raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", nan_data, 4),
      "non-finite");
  const uint8_t half_inf[2] = {0x00, 0x7c};
  expect_st_fail(
      "Inf F16 weight",
      raw("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", half_inf, 2),
      "non-finite");
  const uint8_t bf16_nan[2] = {0xc0, 0x7f};
  expect_st_fail(
      "NaN BF16 weight",
      raw("{\"a\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]}}", bf16_nan, 2),
      "non-finite");
  const double big[1] = {1e300};
  expect_st_fail("F64 beyond F32 range",
                 raw("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", big, 8),
                 "outside the F32 range");
  expect_st_fail("metadata not an object", raw("{\"__metadata__\":[1]}", NULL, 0), "__metadata__");
  expect_st_fail("metadata value not a string", raw("{\"__metadata__\":{\"format\":1}}", NULL, 0),
                 "not a string");

  /* Hostile nesting: far beyond the JSON parser's depth limit, must not blow the stack. */
  static char deep[300000];
  size_t k = 0;
  k += (size_t)sprintf(deep, "{\"a\":");
  for (int i = 0; i < 100000; i++)
    deep[k++] = '[';
  deep[k] = 0;
  size_t len = strlen(deep);
  uint8_t *big_buf = malloc(len + 8);
  for (int i = 0; i < 8; i++)
    big_buf[i] = (uint8_t)((uint64_t)len >> (8 * i));
  memcpy(big_buf + 8, deep, len);
  expect_fail("100000 nested lists", big_buf, len + 8, "not valid JSON");
  free(big_buf);

  /* A valid safetensors file that is not an Emovox model. */
  expect_fail("no metadata", file_buf,
              raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", four, 4),
              "not an Emovox model");
}

/* ---- model-level cases: re-serialise a valid model with one thing changed ---- */

typedef struct change {
  const char *meta_key, *meta_value; /* replace (NULL value: delete) */
  const char *drop;                  /* drop this tensor */
  const char *add;                   /* add an extra tensor */
  const char *reshape;               /* give this tensor a wrong shape */
  const char *negate;                /* negate the values of this tensor */
} change;

static ev_st_file *base_file;

static uint8_t *rebuild(const change *c, size_t *len) {
  const ev_st_file *f = base_file;
  ev_st_out_tensor t[64];
  int64_t shapes[64][EV_ST_MAX_DIMS];
  float *copies[64] = {0};
  size_t n = 0;
  static const float extra[1] = {0.5f};
  static const int64_t one[1] = {1};
  for (size_t i = 0; i < f->n_tensors; i++) {
    const ev_st_tensor *s = &f->tensors[i];
    if (c->drop && !strcmp(s->name, c->drop))
      continue;
    memcpy(shapes[n], s->shape, sizeof shapes[n]);
    t[n] = (ev_st_out_tensor){s->name, s->ndim, shapes[n], s->data};
    if (c->reshape && !strcmp(s->name, c->reshape)) { /* same bytes, other shape: [count] */
      shapes[n][0] = (int64_t)s->count;
      t[n].ndim = 1;
    }
    if (c->negate && !strcmp(s->name, c->negate)) {
      copies[n] = malloc(s->count * sizeof(float));
      for (size_t j = 0; j < s->count; j++)
        copies[n][j] = -1.0f - s->data[j] * s->data[j];
      t[n].data = copies[n];
    }
    n++;
  }
  if (c->add)
    t[n++] = (ev_st_out_tensor){c->add, 1, one, extra};
  const char *keys[32], *vals[32];
  size_t nm = 0;
  int replaced = 0;
  for (size_t i = 0; i < f->n_meta; i++) {
    if (c->meta_key && !strcmp(f->meta_keys[i], c->meta_key)) {
      replaced = 1;
      if (!c->meta_value)
        continue;
      keys[nm] = f->meta_keys[i];
      vals[nm++] = c->meta_value;
      continue;
    }
    keys[nm] = f->meta_keys[i];
    vals[nm++] = f->meta_values[i];
  }
  if (c->meta_key && c->meta_value && !replaced) {
    keys[nm] = c->meta_key;
    vals[nm++] = c->meta_value;
  }
  uint8_t *buf = NULL;
  char err[256];
  if (ev_st_serialize(t, n, keys, vals, nm, &buf, len, err, sizeof err))
    fprintf(stderr, "rebuild: %s\n", err);
  for (size_t i = 0; i < n; i++)
    free(copies[i]);
  return buf;
}

static void expect_model_fail(const char *what, change c, const char *fragment) {
  size_t len = 0;
  uint8_t *buf = rebuild(&c, &len);
  EV_CHECK(buf != NULL, "%s: rebuild failed", what);
  if (buf)
    expect_fail(what, buf, len, fragment);
  free(buf);
}

static size_t base_len_hint(const uint8_t *buf) { /* the header length of a valid file */
  uint64_t n = 0;
  for (int i = 7; i >= 0; i--)
    n = (n << 8) | buf[i];
  return (size_t)n;
}

static void model_cases(void) {
  ev_model *m = fixture_model("[{\"type\":\"dense\",\"out\":6,\"activation\":\"relu\"},"
                              "{\"type\":\"gru\",\"hidden\":5},{\"type\":\"dense\"}]",
                              "[\"mfcc\",\"rms\"]", 1, EV_NORM_ADAPTIVE);
  EV_CHECK(m != NULL, "fixture");
  if (!m)
    return;
  fixture_randomize(m, 0.3f);
  uint8_t *buf;
  size_t len;
  char err[1024];
  EV_CHECK(ev_model_serialize(m, &buf, &len, err, sizeof err) == 0, "serialize: %s", err);
  EV_CHECK(ev_st_parse(buf, len, &base_file, err, sizeof err) == 0, "parse: %s", err);
  ev_model *ok = ev_model_load_memory(buf, len, err, sizeof err);
  EV_CHECK(ok != NULL, "the unmodified model loads: %s", err);
  ev_model_free(ok);

  /* The unchanged rebuild must load, or the cases below prove nothing. */
  size_t rlen;
  uint8_t *rbuf = rebuild(&(change){0}, &rlen);
  ok = ev_model_load_memory(rbuf, rlen, err, sizeof err);
  EV_CHECK(ok != NULL, "the unchanged rebuild loads: %s", err);
  ev_model_free(ok);
  free(rbuf);

  expect_model_fail("format missing", (change){.meta_key = "format"}, "not an Emovox model");
  expect_model_fail("other format", (change){.meta_key = "format", .meta_value = "pytorch"},
                    "not an Emovox model");
  expect_model_fail("format_version 2", (change){.meta_key = "format_version", .meta_value = "2"},
                    "not supported");
  expect_model_fail("format_version missing", (change){.meta_key = "format_version"},
                    "format_version");
  expect_model_fail("features missing", (change){.meta_key = "features"},
                    "\"features\" is missing");
  expect_model_fail("features not JSON", (change){.meta_key = "features", .meta_value = "{"},
                    "not valid JSON");
  expect_model_fail("features not an object", (change){.meta_key = "features", .meta_value = "[1]"},
                    "JSON object");
  expect_model_fail("features typo",
                    (change){.meta_key = "features",
                             .meta_value = "{\"n_mel\":64,\"inputs\":[\"mfcc\",\"rms\"]}"},
                    "unknown attribute");
  expect_model_fail(
      "impossible feature config",
      (change){.meta_key = "features",
               .meta_value = "{\"n_fft\":256,\"win_length\":400,\"inputs\":[\"mfcc\",\"rms\"]}"},
      "cannot be produced");
  expect_model_fail("fmax above Nyquist",
                    (change){.meta_key = "features",
                             .meta_value = "{\"fmax\":12000,\"inputs\":[\"mfcc\",\"rms\"]}"},
                    "cannot be produced");
  expect_model_fail("inputs missing",
                    (change){.meta_key = "features", .meta_value = "{\"n_mfcc\":40}"},
                    "\"inputs\"");
  expect_model_fail(
      "unknown input feature",
      (change){.meta_key = "features", .meta_value = "{\"inputs\":[\"mfcc\",\"no_such_feature\"]}"},
      "not a feature name");
  expect_model_fail(
      "input listed twice",
      (change){.meta_key = "features", .meta_value = "{\"inputs\":[\"rms\",\"rms\"]}"}, "twice");
  expect_model_fail("frame_stride 0",
                    (change){.meta_key = "features",
                             .meta_value = "{\"inputs\":[\"mfcc\",\"rms\"],\"frame_stride\":0}"},
                    "frame_stride");
  expect_model_fail("other inputs than the weights",
                    (change){.meta_key = "features", .meta_value = "{\"inputs\":[\"mfcc\"]}"},
                    "has shape");
  expect_model_fail("labels missing", (change){.meta_key = "labels"}, "\"labels\" is missing");
  expect_model_fail("labels not a list", (change){.meta_key = "labels", .meta_value = "\"sad\""},
                    "JSON list");
  expect_model_fail("label not a string",
                    (change){.meta_key = "labels", .meta_value = "[1,2,3,4,5,6,7,8]"},
                    "not a string");
  expect_model_fail("duplicate label",
                    (change){.meta_key = "labels",
                             .meta_value = "[\"neutral\",\"calm\",\"happy\",\"sad\",\"angry\","
                                           "\"fearful\",\"disgust\",\"sad\"]"},
                    "appears twice");
  expect_model_fail("two aliases of one emotion",
                    (change){.meta_key = "labels",
                             .meta_value = "[\"neutral\",\"calm\",\"happy\",\"sad\",\"angry\","
                                           "\"fearful\",\"disgust\",\"fear\"]"},
                    "same emotion");
  expect_model_fail("fewer labels than outputs",
                    (change){.meta_key = "labels", .meta_value = "[\"neutral\",\"calm\"]"},
                    "do not match");
  expect_model_fail("normalization missing", (change){.meta_key = "normalization"},
                    "\"normalization\" is missing");
  expect_model_fail("normalization mode",
                    (change){.meta_key = "normalization", .meta_value = "{\"mode\":\"perfect\"}"},
                    "\"mode\"");
  expect_model_fail(
      "normalization tau",
      (change){.meta_key = "normalization", .meta_value = "{\"mode\":\"adaptive\",\"tau_s\":-1}"},
      "tau_s");
  expect_model_fail("normalization level",
                    (change){.meta_key = "normalization",
                             .meta_value = "{\"mode\":\"adaptive\",\"level\":\"loud\"}"},
                    "\"level\"");
  expect_model_fail(
      "normalization clamp 0",
      (change){.meta_key = "normalization", .meta_value = "{\"mode\":\"adaptive\",\"clamp\":0}"},
      "\"clamp\"");
  expect_model_fail(
      "normalization clamp above 1000",
      (change){.meta_key = "normalization", .meta_value = "{\"mode\":\"adaptive\",\"clamp\":1e4}"},
      "\"clamp\"");
  { /* a clamp is read (and a file without one reads the default, 1000: the fixture's) */
    size_t len = 0;
    change c = {.meta_key = "normalization", .meta_value = "{\"mode\":\"adaptive\",\"clamp\":10}"};
    uint8_t *buf = rebuild(&c, &len);
    char lerr[256];
    ev_model *cm = buf ? ev_model_load_memory(buf, len, lerr, sizeof lerr) : NULL;
    EV_CHECK(cm && ev_model_input_config(cm)->norm.clamp == 10.0f, "clamp 10 read");
    EV_CHECK(ev_model_input_config(m)->norm.clamp == EV_INPUT_CLAMP, "no clamp: %g",
             (double)ev_model_input_config(m)->norm.clamp);
    ev_model_free(cm);
    free(buf);
  }
  expect_model_fail("relative level without the eGeMAPS statistics",
                    (change){.meta_key = "normalization",
                             .meta_value = "{\"mode\":\"adaptive\",\"level\":\"relative\"}"},
                    "needs egemaps_func");
  expect_model_fail("provenance not JSON", (change){.meta_key = "provenance", .meta_value = "x"},
                    "provenance");
  /* The release: optional (files before 0.17 have none), a short name when present. */
  EV_CHECK(!strcmp(ev_model_version(m), ""), "a model without a release reads \"\"");
  expect_model_fail("version empty", (change){.meta_key = "version", .meta_value = ""},
                    "\"version\" is not a release name");
  expect_model_fail("version with a space", (change){.meta_key = "version", .meta_value = "0 17"},
                    "\"version\" is not a release name");
  expect_model_fail(
      "version too long",
      (change){.meta_key = "version", .meta_value = "0.17-built-on-a-machine-with-a-long-name"},
      "\"version\" is not a release name");
  {
    size_t vlen;
    uint8_t *vbuf = rebuild(&(change){.meta_key = "version", .meta_value = "0.17"}, &vlen);
    ev_model *v = vbuf ? ev_model_load_memory(vbuf, vlen, err, sizeof err) : NULL;
    EV_CHECK(v && !strcmp(ev_model_version(v), "0.17"), "version 0.17 read back: %s",
             v ? ev_model_version(v) : err);
    char shown[128], expect[128];
    if (v) {
      ev_model_display_name(v, shown, sizeof shown);
      snprintf(expect, sizeof expect, "%s 0.17", ev_model_name(v));
      EV_CHECK(!strcmp(shown, expect), "shown as '%s', not '%s'", shown, expect);
      ev_model_display_name(m, shown, sizeof shown);
      EV_CHECK(!strcmp(shown, ev_model_name(m)), "without a release, the name alone: '%s'", shown);
    }
    /* and saved again with it: the serialiser writes what was read */
    uint8_t *again = NULL;
    size_t alen = 0;
    ev_st_file *af = NULL;
    EV_CHECK(v && ev_model_serialize(v, &again, &alen, err, sizeof err) == 0 &&
                 ev_st_parse(again, alen, &af, err, sizeof err) == 0 && ev_st_meta(af, "version") &&
                 !strcmp(ev_st_meta(af, "version"), "0.17"),
             "the release survives a save");
    ev_st_free(af);
    free(again);
    EV_CHECK(v && ev_model_set_version(v, "two words", err, sizeof err) != 0 &&
                 strstr(err, "without spaces") && !strcmp(ev_model_version(v), "0.17"),
             "a bad release is refused and the old one kept");
    ev_model_free(v);
    free(vbuf);
  }
  /* The audio band: optional (a wide-band model stores none and reads half its 16 kHz rate), a
   * whole number of Hz from 1 kHz to that when present. */
  EV_CHECK(ev_model_audio_band(m) == 8000, "no \"audio_band_hz\": %d Hz, not 8000",
           ev_model_audio_band(m));
  expect_model_fail("audio band not a number",
                    (change){.meta_key = "audio_band_hz", .meta_value = "4 kHz"},
                    "\"audio_band_hz\"");
  expect_model_fail("audio band above half the rate",
                    (change){.meta_key = "audio_band_hz", .meta_value = "8001"},
                    "\"audio_band_hz\"");
  expect_model_fail("audio band below 1 kHz",
                    (change){.meta_key = "audio_band_hz", .meta_value = "999"},
                    "\"audio_band_hz\"");
  {
    size_t blen;
    uint8_t *bbuf = rebuild(&(change){.meta_key = "audio_band_hz", .meta_value = "4000"}, &blen);
    ev_model *b = bbuf ? ev_model_load_memory(bbuf, blen, err, sizeof err) : NULL;
    EV_CHECK(b && ev_model_audio_band(b) == 4000, "audio band 4000 read back: %d",
             b ? ev_model_audio_band(b) : -1);
    uint8_t *again = NULL;
    size_t alen = 0;
    ev_st_file *af = NULL;
    EV_CHECK(b && ev_model_serialize(b, &again, &alen, err, sizeof err) == 0 &&
                 ev_st_parse(again, alen, &af, err, sizeof err) == 0 &&
                 ev_st_meta(af, "audio_band_hz") &&
                 !strcmp(ev_st_meta(af, "audio_band_hz"), "4000"),
             "the band survives a save");
    ev_st_free(af);
    free(again);
    EV_CHECK(b && ev_model_set_audio_band(b, 9000, err, sizeof err) != 0 &&
                 ev_model_audio_band(b) == 4000,
             "a band above half the rate is refused and the old one kept");
    EV_CHECK(b && ev_model_set_audio_band(b, 8000, err, sizeof err) == 0 &&
                 ev_model_audio_band(b) == 8000 &&
                 ev_model_serialize(b, &again, &alen, err, sizeof err) == 0 &&
                 ev_st_parse(again, alen, &af, err, sizeof err) == 0 &&
                 !ev_st_meta(af, "audio_band_hz"),
             "the full band is stored as no \"audio_band_hz\"");
    ev_st_free(af);
    free(again);
    ev_model_free(b);
    free(bbuf);
  }
  expect_model_fail("architecture missing", (change){.meta_key = "architecture"},
                    "\"architecture\" is missing");
  expect_model_fail("architecture empty", (change){.meta_key = "architecture", .meta_value = "[]"},
                    "non-empty");
  expect_model_fail(
      "unknown layer type",
      (change){.meta_key = "architecture", .meta_value = "[{\"type\":\"transformer\"}]"},
      "unknown layer type");
  expect_model_fail("layer attribute typo",
                    (change){.meta_key = "architecture",
                             .meta_value = "[{\"type\":\"dense\",\"activation\":\"relu\"},"
                                           "{\"type\":\"gru\",\"hiden\":5},{\"type\":\"dense\"}]"},
                    "unknown attribute");
  expect_model_fail("unknown activation",
                    (change){.meta_key = "architecture",
                             .meta_value = "[{\"type\":\"dense\",\"activation\":\"swish\"},"
                                           "{\"type\":\"gru\",\"hidden\":5},{\"type\":\"dense\"}]"},
                    "unknown activation");
  expect_model_fail("hidden size differs from weights",
                    (change){.meta_key = "architecture",
                             .meta_value = "[{\"type\":\"dense\",\"activation\":\"relu\"},"
                                           "{\"type\":\"gru\",\"hidden\":7},{\"type\":\"dense\"}]"},
                    "has shape");
  expect_model_fail("out attribute differs from weights",
                    (change){.meta_key = "architecture",
                             .meta_value =
                                 "[{\"type\":\"dense\",\"out\":9,\"activation\":\"relu\"},"
                                 "{\"type\":\"gru\",\"hidden\":5},{\"type\":\"dense\"}]"},
                    "\"out\" is 9");
  expect_model_fail("extra layer without weights",
                    (change){.meta_key = "architecture",
                             .meta_value = "[{\"type\":\"dense\",\"activation\":\"relu\"},"
                                           "{\"type\":\"gru\",\"hidden\":5},{\"type\":\"dense\"},"
                                           "{\"type\":\"dense\"}]"},
                    "missing");
  expect_model_fail("weight tensor missing", (change){.drop = "layers.1.weight_hh"}, "missing");
  expect_model_fail("prior missing", (change){.drop = "norm.std"}, "norm.std is missing");
  expect_model_fail("unused tensor", (change){.add = "layers.7.weight"}, "not used");
  expect_model_fail("weight with a wrong shape", (change){.reshape = "layers.1.weight_ih"},
                    "has shape");
  expect_model_fail("negative prior std", (change){.negate = "norm.std"}, "negative");

  ev_st_free(base_file);

  /* Thousands of (empty) tensors: refused quickly, not searched one by one. */
  {
    size_t cap = 2000 * 80 + 200, k = 0;
    char *h = malloc(cap);
    k += (size_t)snprintf(h + k, cap - k, "{\"__metadata__\":{\"format\":\"emovox-model\"}");
    for (int i = 0; i < 2000; i++)
      k += (size_t)snprintf(h + k, cap - k,
                            ",\"t%d\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}", i);
    k += (size_t)snprintf(h + k, cap - k, "}");
    uint8_t *b = malloc(k + 8);
    for (int i = 0; i < 8; i++)
      b[i] = (uint8_t)((uint64_t)k >> (8 * i));
    memcpy(b + 8, h, k);
    expect_fail("2000 tensors", b, k + 8, "at most");
    free(b);
    free(h);
  }

  /* Truncation at every length: each must be refused with a message, none may crash. */
  int refused = 0;
  for (size_t cut = 0; cut < len; cut++) {
    char e[512] = "";
    ev_model *t = ev_model_load_memory(buf, cut, e, sizeof e);
    if (!t && e[0])
      refused++;
    ev_model_free(t);
  }
  EV_CHECK(refused == (int)len, "every truncation refused with a message: %d of %zu", refused, len);
  printf("refused all %zu truncations of a %zu-byte model\n", len, len);

  /* Random byte corruption: anything may happen except a crash or an unexplained refusal. */
  uint8_t *mut = malloc(len);
  int loaded = 0, bad_msg = 0;
  for (int trial = 0; trial < 3000; trial++) {
    memcpy(mut, buf, len);
    int flips = 1 + trial % 4;
    for (int k = 0; k < flips; k++) {
      size_t pos = (size_t)((fixture_uniform() + 1.0f) * 0.5f * (float)(len - 1));
      /* bias half of the mutations into the header, where the parser works */
      if (trial & 1)
        pos = pos % (8 + base_len_hint(buf));
      mut[pos] ^= (uint8_t)(1u << (trial % 8));
    }
    char e[512] = "";
    ev_model *t = ev_model_load_memory(mut, len, e, sizeof e);
    if (t)
      loaded++;
    else if (!e[0])
      bad_msg++;
    ev_model_free(t);
  }
  EV_CHECK(bad_msg == 0, "every refusal has a message (%d without)", bad_msg);
  printf("3000 corrupted copies: %d still loaded (data bytes flipped), the rest refused\n", loaded);
  free(mut);
  free(buf);
  ev_model_free(m);
}

int main(void) {
  raw_cases();
  model_cases();
  EV_TEST_END();
}
