/* Reading any file libsndfile reads, in chunks, as mono (the mean of the channels) or as a
 * left/right pair for a two-input plugin, optionally resampled to a rate the plugin takes.
 * Truncated and corrupt files are detected: a PCM file must deliver as many frames as its
 * header announces, without a decoder error. Compressed streams (MP3, Ogg Vorbis, Opus) only
 * estimate their length (an MP3 without a Xing header from its size, ID3 tags and cover art
 * included), so there a short read is the end of the audio. */
#ifndef EA_AUDIO_H
#define EA_AUDIO_H

#include <sndfile.h>
#include <soxr.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ea_audio {
  SNDFILE *sf;
  SF_INFO info;     /* samplerate and frames as delivered (after resampling, the output's) */
  int64_t position; /* frames delivered so far */
  float *interleaved;
  size_t capacity; /* frames */
  int compressed;  /* the length in the header is an estimate */
  int file_rate;   /* the file's own rate and length (exact once the end was read) */
  int64_t file_frames, file_position;
  /* samples read so far (all channels) that were NaN or infinite: the analysis hears them as
   * silence (sanitised here or by the plugin), so an all-NaN file would read "none" unexplained */
  int64_t nonfinite;
  /* resampling (ea_audio_resample): interleaved n_out-channel input and output buffers */
  soxr_t rs;
  int rs_channels, rs_flushing;
  float *rs_in, *rs_out, *rs_planar[2];
  uint32_t rs_in_len, rs_in_off;
} ea_audio;

/* 0, or -1 and why the file cannot be analysed (not audio, empty, unsupported). */
int ea_audio_open(ea_audio *a, const char *path, char *err, size_t errlen);
/* From now on deliver the audio at `rate` (libsoxr HQ, the plugin's own resampler, which takes
 * only 8-192 kHz itself), as n_out channels (the n_out every ea_audio_read must then pass). */
int ea_audio_resample(ea_audio *a, int rate, int n_out, char *err, size_t errlen);
/* Reads up to n frames into out[0..n_out-1]: with n_out == 1 the mean of all channels, with
 * n_out == 2 the first two channels (a mono file is copied to both; the analysis asks for two
 * only from 2-channel files). Returns the number of frames (0 at the end), or -1 and a reason
 * if the file is truncated or corrupt. info.frames may shrink at the end of a compressed file. */
long ea_audio_read(ea_audio *a, float *const *out, int n_out, size_t n, char *err, size_t errlen);
/* The file's duration in seconds (at its own rate; exact for compressed files once read). */
double ea_audio_duration(const ea_audio *a);
/* Reads a compressed file to its end to learn its exact length (PCM: nothing to do). */
int ea_audio_measure(ea_audio *a, char *err, size_t errlen);
void ea_audio_close(ea_audio *a);

#endif
