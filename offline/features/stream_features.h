/* emovox-features' streaming path: one feature of an audio file, read, resampled and extracted
 * block by block with bounded memory, rows written as soon as they are final. The rows are
 * those of ev_extract_buffer() (librosa's frame counts and delta edges), bit for bit. */
#ifndef STREAM_FEATURES_H
#define STREAM_FEATURES_H

#include "ev_features.h"

#include <stddef.h>

/* id: the feature, column: one column of it (-1: all). The output (out_path, or standard
 * output when NULL) is opened at the first row, so a file too short for one row creates none.
 * Returns 0 and *rows (0: too short, nothing written), or 1 after printing why to stderr. */
int stream_features(const ev_feature_config *cfg, int id, int column, const char *audio,
                    const char *out_path, int csv, size_t *rows);

#endif
