/* Test helpers shared by the test suites: librosa reference files and audio input. */
#ifndef EV_REF_H
#define EV_REF_H

#include <stddef.h>

/* Path of a file in $EMOVOX_REFERENCE (static buffer; NULL if the variable is unset). */
const char *ev_ref_path(const char *name);
/* Reads a raw little-endian float32 file; malloc'd, count in *n. NULL if unreadable. */
float *ev_ref_read_f32(const char *path, size_t *n);
/* Reads any libsndfile format, downmixed to mono; malloc'd. NULL if unreadable. */
float *ev_ref_read_audio(const char *path, size_t *n, double *rate);

#endif
