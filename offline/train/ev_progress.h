/* Progress with ETA on stderr: a live line on a terminal, a line every 10% otherwise. */
#ifndef EV_PROGRESS_H
#define EV_PROGRESS_H

#include <stddef.h>

typedef struct ev_progress {
  char label[48];
  size_t total;
  double t0, last;
  int tty, last_decile;
} ev_progress;

double ev_now(void); /* monotonic seconds */
void ev_progress_start(ev_progress *p, const char *label, size_t total);
void ev_progress_update(ev_progress *p, size_t done);
void ev_progress_end(ev_progress *p);

#endif
