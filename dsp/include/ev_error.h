/* Error reporting shared by the dsp core and the tools: functions that can fail take a
 * caller-owned (err, errlen) buffer and return -1 with a sentence that says what is wrong. */
#ifndef EV_ERROR_H
#define EV_ERROR_H

#include <stddef.h>

#if defined(__GNUC__)
#define EV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define EV_PRINTF(f, a)
#endif

/* Formats the message into err (if err and errlen) and returns -1. */
int ev_fail(char *err, size_t errlen, const char *fmt, ...) EV_PRINTF(3, 4);

#endif
