#include "ea_audio.h"

#include <errno.h>
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
    if ((!strncmp(line, "data", 4) || !strncmp(line, "SSND", 4)) && strstr(line, "(should be")) {
      snprintf(err, errlen,
               "truncated: the header announces more audio data than the file holds (%s)", line);
      ea_audio_close(a);
      return -1;
    }
  }
  /* Normalised floats; clipping of integer formats is impossible, float files keep their
   * values (the plugin sanitises). */
  sf_command(a->sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
  return 0;
}

long ea_audio_read(ea_audio *a, float *const *out, int n_out, size_t n, char *err, size_t errlen) {
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
  int64_t left = a->info.frames - a->position;
  if ((int64_t)n > left)
    n = (size_t)left;
  sf_count_t got = n ? sf_readf_float(a->sf, a->interleaved, (sf_count_t)n) : 0;
  int e = sf_error(a->sf);
  if (e != SF_ERR_NO_ERROR) {
    snprintf(err, errlen, "decoding error after %lld of %lld frames: %s", (long long)a->position,
             (long long)a->info.frames, sf_error_number(e));
    return -1;
  }
  if (got < (sf_count_t)n) {
    snprintf(err, errlen, "truncated: %lld of %lld frames announced by the header",
             (long long)(a->position + got), (long long)a->info.frames);
    return -1;
  }
  const float *in = a->interleaved;
  for (sf_count_t i = 0; i < got; i++, in += ch) {
    if (n_out == 1) {
      double sum = 0.0;
      for (int c = 0; c < ch; c++)
        sum += in[c];
      out[0][i] = (float)(sum / ch);
    } else {
      out[0][i] = in[0];
      out[1][i] = in[ch > 1 ? 1 : 0];
    }
  }
  a->position += got;
  return (long)got;
}

void ea_audio_close(ea_audio *a) {
  if (a->sf)
    sf_close(a->sf);
  free(a->interleaved);
  memset(a, 0, sizeof *a);
}
