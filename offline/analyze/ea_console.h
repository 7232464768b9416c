/* Messages and the progress bar of emovox-analyze, both on stderr. The bar is drawn only on
 * a terminal; messages clear it first so lines never interleave (callable from any thread). */
#ifndef EA_CONSOLE_H
#define EA_CONSOLE_H

#include <stddef.h>

void ea_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Starts a thread that redraws the bar (if enabled) until ea_progress_stop(). */
void ea_progress_start(int enabled, size_t n_files);
/* A job reports how far it is in its current file (0..1) or that it finished one. */
void ea_progress_file_fraction(int job, double fraction);
void ea_progress_file_done(int job);
void ea_progress_stop(void);

#endif
