/* Reading any file libsndfile reads, in chunks, as mono (the mean of the channels) or as a
 * left/right pair for a two-input plugin. Truncated and corrupt files are detected: a file
 * must deliver as many frames as its header announces, without a decoder error. */
#ifndef EA_AUDIO_H
#define EA_AUDIO_H

#include <sndfile.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ea_audio {
  SNDFILE *sf;
  SF_INFO info;
  int64_t position; /* frames read so far */
  float *interleaved;
  size_t capacity; /* frames */
} ea_audio;

/* 0, or -1 and why the file cannot be analysed (not audio, empty, unsupported). */
int ea_audio_open(ea_audio *a, const char *path, char *err, size_t errlen);
/* Reads up to n frames into out[0..n_out-1]: with n_out == 1 the mean of all channels, with
 * n_out == 2 the first two channels (a mono file is copied to both; the analysis asks for two
 * only from 2-channel files). Returns the number of
 * frames (0 at the end), or -1 and a reason if the file is truncated or corrupt. */
long ea_audio_read(ea_audio *a, float *const *out, int n_out, size_t n, char *err, size_t errlen);
void ea_audio_close(ea_audio *a);

#endif
