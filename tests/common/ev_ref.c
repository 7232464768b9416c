#include "ev_ref.h"

#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ev_ref_path(const char *name) {
  static char buf[4096];
  const char *dir = getenv("EMOVOX_REFERENCE");
  if (!dir)
    return NULL;
  snprintf(buf, sizeof buf, "%s/%s", dir, name);
  return buf;
}

float *ev_ref_read_f32(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  float *v = malloc(bytes > 0 ? (size_t)bytes : 1);
  if (!v || fread(v, 1, (size_t)bytes, f) != (size_t)bytes) {
    free(v);
    fclose(f);
    return NULL;
  }
  fclose(f);
  *n = (size_t)bytes / sizeof(float); /* the test machines are little-endian */
  return v;
}

float *ev_ref_read_audio(const char *path, size_t *n, double *rate) {
  SF_INFO info;
  memset(&info, 0, sizeof info);
  SNDFILE *sf = sf_open(path, SFM_READ, &info);
  if (!sf)
    return NULL;
  size_t frames = (size_t)info.frames, ch = (size_t)info.channels;
  float *inter = malloc(frames * ch * sizeof(float) + 1);
  float *mono = malloc(frames * sizeof(float) + 1);
  if (!inter || !mono || sf_readf_float(sf, inter, (sf_count_t)frames) != (sf_count_t)frames) {
    free(inter);
    free(mono);
    sf_close(sf);
    return NULL;
  }
  for (size_t i = 0; i < frames; i++) {
    double s = 0.0;
    for (size_t c = 0; c < ch; c++)
      s += inter[i * ch + c];
    mono[i] = (float)(s / (double)ch);
  }
  free(inter);
  sf_close(sf);
  *n = frames;
  *rate = info.samplerate;
  return mono;
}
