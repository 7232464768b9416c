/* Input sanitising, one home for the DC blocker and the extractor: a sample that is NaN or
 * infinite becomes 0, one beyond +-EV_SAMPLE_CLAMP is clamped, one below EV_SAMPLE_FLUSH in
 * magnitude is flushed to 0 (no denormals reach a recursion). Realtime-safe. */
#ifndef EV_SANITIZE_H
#define EV_SANITIZE_H

#include <stdint.h>

float ev_sanitize_sample(float v);
/* n samples, four at a time where SSE2 is there (exactly the values of ev_sanitize_sample);
 * in may be out (element by element). */
void ev_sanitize_block(float *out, const float *in, uint32_t n);

#endif
