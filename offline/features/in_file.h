/* emovox-features' input file, for both of its commands (--feature and --functionals): opened
 * with libsndfile, or refused with a reason that says what to do, where libsndfile's or the
 * extractor's own would not. */
#ifndef IN_FILE_H
#define IN_FILE_H

#include <sndfile.h>

/* Opens AUDIO for reading (info filled in); NULL after printing why to stderr. */
SNDFILE *in_file_open(const char *audio, SF_INFO *info);

#endif
