/* emovox-features' streaming path (see stream_features.h).
 *
 * Why a hold-back: librosa's rows depend on the file's length only at the two ends. Deltas
 * repeat row 4 in rows 0-3 and row T-5 in the last 4 rows, and the extractor emits a frame or
 * so past the last row (it is fed the zeros ev_extract_buffer pads with). So the last HOLD rows
 * stay in a ring until the next rows or the end of the file decide them; memory is the
 * extractor, one read block and the ring, whatever the file's length. */
#include "stream_features.h"

#include "in_file.h"
#include "out_file.h"

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 4096 /* frames per read and per extractor call */
#define HOLD  12   /* rows kept back: > 4 delta edge rows + the frames emitted past the end */
#define RING  (HOLD + 1)

typedef struct writer {
  const ev_feature_config *cfg;
  int id, column, dims, delta, csv;
  float *ring; /* RING rows of dims floats: frames e - HOLD .. e */
  int64_t emitted, written;
  const char *out_path;
  out_file out; /* out.f: NULL until the first row */
  int failed;   /* write error or cannot open */
  char *line;   /* CSV formatting buffer */
} writer;

static const float *row(const writer *w, int64_t t) {
  return w->ring + (size_t)(t % RING) * (size_t)w->dims;
}

static int put_row(writer *w, const float *v) {
  if (w->failed)
    return -1;
  if (!w->out.f && out_file_open(&w->out, w->out_path, w->csv ? "w" : "wb")) {
    fprintf(stderr, "emovox-features: cannot write '%s': %s\n", w->out_path, strerror(errno));
    w->failed = 1;
    return -1;
  }
  int c0 = w->column >= 0 ? w->column : 0, c1 = w->column >= 0 ? w->column + 1 : w->dims;
  if (!w->csv) {
    if (fwrite(v + c0, sizeof(float), (size_t)(c1 - c0), w->out.f) != (size_t)(c1 - c0))
      w->failed = 1;
  } else {
    size_t len = 0;
    for (int d = c0; d < c1; d++)
      len += (size_t)snprintf(w->line + len, 24, "%.9g%c", v[d], d + 1 < c1 ? ',' : '\n');
    if (fwrite(w->line, 1, len, w->out.f) != len)
      w->failed = 1;
  }
  w->written++;
  return w->failed ? -1 : 0;
}

/* Row r when the file has `rows` rows in all (rows < 0: not known yet, r is not at the end). */
static int write_row(writer *w, int64_t r, int64_t rows) {
  int64_t src = r;
  if (w->delta && r < EV_DELTA_HALF)
    src = EV_DELTA_HALF;
  if (w->delta && rows >= 0 && r >= rows - EV_DELTA_HALF)
    src = rows - 1 - EV_DELTA_HALF;
  return put_row(w, row(w, src));
}

static void on_frame(void *user, const ev_frame *fr) {
  writer *w = user;
  if (!fr->feat[w->id] || fr->index != w->emitted)
    return;
  memcpy(w->ring + (size_t)(fr->index % RING) * (size_t)w->dims, fr->feat[w->id],
         sizeof(float) * (size_t)w->dims);
  w->emitted = fr->index + 1;
  if (fr->index >= HOLD) /* row index - HOLD is final: the end is at least HOLD - 1 rows on */
    write_row(w, fr->index - HOLD, -1);
}

int stream_features(const ev_feature_config *cfg, int id, int column, const char *audio,
                    const char *out_path, int csv, size_t *rows_out) {
  *rows_out = 0;
  SF_INFO info;
  SNDFILE *sf = in_file_open(audio, &info);
  if (!sf)
    return 1;
  double rate = info.samplerate;
  size_t ch = (size_t)info.channels;
  char err[256];
  ev_extractor *ex = ev_extractor_new_offline(cfg, rate, BLOCK, err, sizeof err);
  if (!ex) {
    fprintf(stderr, "emovox-features: %s: %s\n", audio, err);
    sf_close(sf);
    return 1;
  }
  ev_extractor_set_features(ex, EV_FEATURE_BIT(id));
  writer w = {.cfg = cfg, .id = id, .column = column, .csv = csv, .out_path = out_path};
  w.dims = ev_feature_dims(cfg, (ev_feature_id)id);
  w.delta = id == EV_FEAT_MFCC_DELTA || id == EV_FEAT_MFCC_DELTA2;
  w.ring = malloc(sizeof(float) * RING * (size_t)w.dims);
  w.line = malloc((size_t)w.dims * 24 + 2);
  float *inter = malloc(sizeof(float) * BLOCK * ch), *mono = malloc(sizeof(float) * BLOCK);
  if (!w.ring || !w.line || !inter || !mono) {
    fprintf(stderr, "emovox-features: out of memory\n");
    w.failed = 1;
  }
  if (info.frames > (sf_count_t)(600 * rate))
    fprintf(stderr, "emovox-features: %s: %.0f s of audio, extracting...\n", audio,
            (double)info.frames / rate);
  /* the same samples (the mean of the channels in double), in the same order, as ev_extract_buffer
   * got */
  size_t n = 0;
  sf_count_t got;
  while (!w.failed && (got = sf_readf_float(sf, ch == 1 ? mono : inter, BLOCK)) > 0) {
    for (sf_count_t i = 0; ch > 1 && i < got; i++) { /* mono needs no mix: (float)(x/1.0) == x */
      double s = 0.0;
      for (size_t c = 0; c < ch; c++)
        s += inter[(size_t)i * ch + c];
      mono[i] = (float)(s / (double)ch);
    }
    ev_extractor_process(ex, mono, (uint32_t)got, on_frame, &w);
    n += (size_t)got;
  }
  sf_close(sf);
  /* a failed write stops the reading too: that is no fault of the file */
  if (!w.failed && info.frames > 0 && n < (size_t)info.frames)
    fprintf(stderr, "emovox-features: warning: '%s' is truncated, read %zu of %lld frames\n", audio,
            n, (long long)info.frames);
  /* the end, as ev_extract_buffer: zeros so that ZCR/RMS get their last frames, then flush */
  int resampling = lrint(rate) != cfg->sample_rate;
  size_t pad16 = (size_t)(cfg->n_fft - cfg->win_length);
  size_t pad = resampling ? (size_t)ceil(pad16 * rate / cfg->sample_rate) + 1 : pad16;
  static const float zeros[1024];
  for (size_t i = 0; i < pad && !w.failed; i += 1024)
    ev_extractor_process(ex, zeros, (uint32_t)(pad - i < 1024 ? pad - i : 1024), on_frame, &w);
  if (!w.failed)
    ev_extractor_flush(ex, on_frame, &w);
  ev_extractor_free(ex);
  size_t n16 = resampling ? (size_t)ceil((double)n * cfg->sample_rate / rate) : n;
  size_t need = (size_t)(id == EV_FEAT_ZCR || id == EV_FEAT_RMS ? cfg->win_length : cfg->n_fft);
  int64_t rows = n16 >= need ? 1 + (int64_t)((n16 - need) / (size_t)cfg->hop_length) : 0;
  if (w.delta && rows < EV_DELTA_WIDTH)
    rows = 0; /* librosa refuses deltas of fewer than 9 frames */
  int rc = 0;
  if (!w.failed && w.emitted < rows) {
    fprintf(stderr, "emovox-features: internal error: %lld frames produced, %lld expected\n",
            (long long)w.emitted, (long long)rows);
    rc = 1;
  }
  for (int64_t r = w.written; !rc && !w.failed && r < rows; r++)
    write_row(&w, r, rows);
  if (w.written > rows && !w.failed) { /* cannot happen: HOLD covers the frames past the end */
    fprintf(stderr, "emovox-features: internal error: row %lld written past the end (%lld)\n",
            (long long)w.written, (long long)rows);
    rc = 1;
  }
  const int opened = w.out.f != NULL;
  if (opened && (rc || w.failed))
    out_file_abort(&w.out); /* no partial file that reads like a result */
  else if (opened && out_file_commit(&w.out))
    w.failed = 1;
  if (w.failed && !rc) {
    if (opened || !out_path)
      fprintf(stderr, "emovox-features: write error on '%s'\n", out_path ? out_path : "stdout");
    rc = 1;
  }
  free(w.ring);
  free(w.line);
  free(inter);
  free(mono);
  *rows_out = rc ? 0 : (size_t)rows;
  return rc;
}
