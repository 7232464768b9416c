/* `emovox-features --functionals egemaps AUDIO`: kept out of emovox_features.c so that the
 * command's own structure can change without touching this. */
#ifndef EMOVOX_FUNCTIONALS_CMD_H
#define EMOVOX_FUNCTIONALS_CMD_H

#include <stddef.h>

/* Prints one CSV header row of the 88 openSMILE names and one row of values for AUDIO to
 * out_path (NULL: standard output). set must be "egemaps". AUDIO is read block by block.
 * Returns the exit status. */
int functionals_cmd(const char *set, const char *audio, const char *out_path);

#endif
