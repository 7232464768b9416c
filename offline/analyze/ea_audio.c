#include "ea_audio.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int ea_audio_open(ea_audio *a, const char *path, char *err, size_t errlen) {
  memset(a, 0, sizeof *a);
  struct stat st;
  if (stat(path, &st) != 0) {
    snprintf(err, errlen, "cannot open: %s", strerror(errno));
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "not a regular file");
    return -1;
  }
  if (st.st_size == 0) {
    snprintf(err, errlen, "empty file (0 bytes)");
    return -1;
  }
  a->sf = sf_open(path, SFM_READ, &a->info);
  if (!a->sf) {
    snprintf(err, errlen, "not readable as audio: %s", sf_strerror(NULL));
    return -1;
  }
  if (a->info.channels < 1 || a->info.samplerate < 1) {
    snprintf(err, errlen, "invalid header (%d channels, %d Hz)", a->info.channels,
             a->info.samplerate);
    ea_audio_close(a);
    return -1;
  }
  if (a->info.frames <= 0) {
    snprintf(err, errlen, "no audio frames (header only or empty data)");
    ea_audio_close(a);
    return -1;
  }
  /* libsndfile shortens a PCM file whose data chunk is cut off (and notes it in its log as
   * "data : N (should be M)"), so a truncated WAV/AIFF would otherwise pass as a shorter file. */
  char log[4096] = "";
  sf_command(a->sf, SFC_GET_LOG_INFO, log, sizeof log);
  char *save = NULL;
  for (char *line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    /* Streaming writers (a recorder that never went back to fill in the size) announce
     * 0xFFFFFFFF: libsndfile then reads what the file holds, which is all there is. */
    const char *colon = strchr(line, ':');
    const int placeholder = colon && strtoull(colon + 1, NULL, 10) == 0xFFFFFFFFull;
    if ((!strncmp(line, "data", 4) || !strncmp(line, "SSND", 4)) && strstr(line, "(should be") &&
        !placeholder) {
      snprintf(err, errlen,
               "truncated: the header announces more audio data than the file holds (%s)", line);
      ea_audio_close(a);
      return -1;
    }
  }
  int type = a->info.format & SF_FORMAT_TYPEMASK, sub = a->info.format & SF_FORMAT_SUBMASK;
  a->compressed = type == SF_FORMAT_MPEG || type == SF_FORMAT_OGG ||
                  sub == SF_FORMAT_MPEG_LAYER_I || sub == SF_FORMAT_MPEG_LAYER_II ||
                  sub == SF_FORMAT_MPEG_LAYER_III || sub == SF_FORMAT_VORBIS ||
                  sub == SF_FORMAT_OPUS;
  a->file_rate = a->info.samplerate;
  a->file_frames = a->info.frames;
  /* Normalised floats; clipping of integer formats is impossible, float files keep their
   * values (the plugin sanitises). */
  sf_command(a->sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
  return 0;
}

/* Reads up to n frames at the file's rate, without resampling. */
static long read_direct(ea_audio *a, float *const *out, int n_out, size_t n, char *err,
                        size_t errlen) {
  int ch = a->info.channels;
  if (a->capacity < n) {
    float *grown = realloc(a->interleaved, n * (size_t)ch * sizeof *grown);
    if (!grown) {
      snprintf(err, errlen, "out of memory");
      return -1;
    }
    a->interleaved = grown;
    a->capacity = n;
  }
  int64_t left = a->file_frames - a->file_position;
  if ((int64_t)n > left)
    n = (size_t)left;
  sf_count_t got = n ? sf_readf_float(a->sf, a->interleaved, (sf_count_t)n) : 0;
  int e = sf_error(a->sf);
  if (e != SF_ERR_NO_ERROR) {
    snprintf(err, errlen, "decoding error after %lld of %lld frames: %s",
             (long long)a->file_position, (long long)a->file_frames, sf_error_number(e));
    return -1;
  }
  if (got < (sf_count_t)n) {
    if (!a->compressed) {
      snprintf(err, errlen, "truncated: %lld of %lld frames announced by the header",
               (long long)(a->file_position + got), (long long)a->file_frames);
      return -1;
    }
    /* the estimate was long: the stream ends here */
    a->file_frames = a->file_position + got;
    if (a->rs)
      a->info.frames = (int64_t)((double)a->file_frames * a->info.samplerate / a->file_rate);
    else
      a->info.frames = a->file_frames;
  }
  const float *in = a->interleaved;
  int64_t nonfinite = 0;
  if (n_out == 1 && ch == 1) {
    /* a mono file: the loop below with one channel, the same bits (the double sum of one float
     * is exact, and 0.0 + -0.0 is +0.0, hence the + 0.0f) at a tenth of the work */
    for (sf_count_t i = 0; i < got; i++) {
      nonfinite += !isfinite(in[i]);
      out[0][i] = (isfinite(in[i]) ? in[i] : 0.0f) + 0.0f;
    }
    a->nonfinite += nonfinite;
    a->file_position += got;
    return (long)got;
  }
  for (sf_count_t i = 0; i < got; i++, in += ch) {
    for (int c = 0; c < ch; c++)
      nonfinite += !isfinite(in[c]);
    if (n_out == 1) {
      /* Each channel sanitised before the mean: one all-NaN channel (a broken float file)
       * would otherwise turn the downmix into NaN and lose the speech of the others. */
      double sum = 0.0;
      for (int c = 0; c < ch; c++)
        sum += isfinite(in[c]) ? in[c] : 0.0f;
      out[0][i] = (float)(sum / ch);
    } else {
      out[0][i] = in[0];
      out[1][i] = in[ch > 1 ? 1 : 0];
    }
  }
  a->nonfinite += nonfinite;
  a->file_position += got;
  return (long)got;
}

#define RS_CHUNK 4096 /* input frames per resampler call */

int ea_audio_resample(ea_audio *a, int rate, int n_out, char *err, size_t errlen) {
  soxr_error_t e = NULL;
  soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0); /* as dsp/features/ev_resample.c */
  soxr_runtime_spec_t rt = soxr_runtime_spec(1);
  a->rs = soxr_create((double)a->file_rate, (double)rate, (unsigned)n_out, &e, &io, &q, &rt);
  a->rs_in = malloc((size_t)RS_CHUNK * (size_t)n_out * sizeof(float));
  a->rs_out = malloc((size_t)RS_CHUNK * (size_t)n_out * sizeof(float));
  for (int c = 0; c < n_out; c++)
    a->rs_planar[c] = malloc(RS_CHUNK * sizeof(float));
  if (!a->rs || !a->rs_in || !a->rs_out || !a->rs_planar[0] || (n_out == 2 && !a->rs_planar[1])) {
    snprintf(err, errlen, "cannot resample from %d to %d Hz: %s", a->file_rate, rate,
             e ? e : "out of memory");
    return -1;
  }
  a->rs_channels = n_out;
  a->info.samplerate = rate;
  a->info.frames = (int64_t)((double)a->file_frames * rate / a->file_rate);
  return 0;
}

long ea_audio_read(ea_audio *a, float *const *out, int n_out, size_t n, char *err, size_t errlen) {
  if (!a->rs) {
    long got = read_direct(a, out, n_out, n, err, errlen);
    if (got > 0)
      a->position += got;
    return got;
  }
  /* soxr delivers the output aligned with the input (its filter delay removed); after the
   * file's last frame a NULL input flushes what its filter still holds. */
  size_t done = 0;
  int stalled = 0;
  while (done < n && a->position < a->info.frames && stalled < 2) {
    if (a->rs_in_off == a->rs_in_len && !a->rs_flushing) {
      long got = read_direct(a, a->rs_planar, n_out, RS_CHUNK, err, errlen);
      if (got < 0)
        return -1;
      if (got == 0)
        a->rs_flushing = 1;
      for (long i = 0; i < got; i++)
        for (int c = 0; c < n_out; c++)
          a->rs_in[i * n_out + c] = a->rs_planar[c][i];
      a->rs_in_len = (uint32_t)got;
      a->rs_in_off = 0;
    }
    size_t want = n - done;
    int64_t left = a->info.frames - a->position;
    if (left <= 0) /* a compressed file turned out shorter */
      break;
    if ((int64_t)want > left)
      want = (size_t)left;
    if (want > RS_CHUNK)
      want = RS_CHUNK;
    size_t in_done = 0, out_done = 0;
    const float *in = a->rs_flushing ? NULL : a->rs_in + (size_t)a->rs_in_off * n_out;
    soxr_error_t e = soxr_process(a->rs, in, a->rs_flushing ? 0 : a->rs_in_len - a->rs_in_off,
                                  &in_done, a->rs_out, want, &out_done);
    if (e) {
      snprintf(err, errlen, "resampling: %s", e);
      return -1;
    }
    a->rs_in_off += (uint32_t)in_done;
    for (size_t i = 0; i < out_done; i++)
      for (int c = 0; c < n_out; c++)
        out[c][done + i] = a->rs_out[i * (size_t)n_out + c];
    done += out_done;
    a->position += (int64_t)out_done;
    /* flushing and nothing more comes: the filter is empty (a frame short at most) */
    stalled = a->rs_flushing && out_done == 0 ? stalled + 1 : 0;
  }
  if (a->rs_flushing && stalled >= 2 && a->position < a->info.frames)
    a->info.frames = a->position; /* what the resampler made of the whole file */
  return (long)done;
}

double ea_audio_duration(const ea_audio *a) {
  return a->file_rate > 0 ? (double)a->file_frames / a->file_rate : 0.0;
}

int ea_audio_measure(ea_audio *a, char *err, size_t errlen) {
  if (!a->compressed)
    return 0;
  float *buf = malloc(RS_CHUNK * sizeof(float));
  if (!buf) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  float *const out[1] = {buf};
  long got;
  while ((got = read_direct(a, out, 1, RS_CHUNK, err, errlen)) > 0) {
  }
  free(buf);
  return got < 0 ? -1 : 0;
}

void ea_audio_close(ea_audio *a) {
  if (a->sf)
    sf_close(a->sf);
  free(a->interleaved);
  if (a->rs)
    soxr_delete(a->rs);
  free(a->rs_in);
  free(a->rs_out);
  free(a->rs_planar[0]);
  free(a->rs_planar[1]);
  memset(a, 0, sizeof *a);
}
