/* ev_functionals_of_file(): the 88 eGeMAPS statistics of an audio buffer through the real
 * extractor. Kept apart from ev_functionals.c because it needs the LLD provider
 * (ev_egemaps_lld), which another part of the pipeline builds; until it is on this branch the
 * function reports that the LLDs are not available. */
#include "ev_functionals.h"

#include <stdio.h>

int ev_functionals_of_file(const float *x, size_t n, double rate, float out[EV_FUNC_N], char *err,
                           size_t errlen) {
  (void)x;
  (void)n;
  (void)rate;
  for (int i = 0; i < EV_FUNC_N; i++)
    out[i] = 0.0f;
  if (err && errlen)
    snprintf(err, errlen, "the eGeMAPS frame descriptors (ev_egemaps_lld) are not built in yet");
  return -1;
}
