/* An analyser's per-frame outputs, collected through ev_analyzer_set_frame_callback for the
 * analyser tests to compare run against run. Define MAX_FRAMES (how many frames a record keeps;
 * n still counts every frame) before including. */
#ifndef FRAME_RECORD_H
#define FRAME_RECORD_H

#include "ev_analyzer.h"

typedef struct record {
  int n;
  ev_outputs out[MAX_FRAMES];
} record;

static void on_frame(void *user, const ev_outputs *o) {
  record *r = user;
  if (r->n < MAX_FRAMES)
    r->out[r->n] = *o;
  r->n++;
}

#endif
