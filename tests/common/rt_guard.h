/* rt_guard: proves that a code path is realtime-safe. Linked into a test executable (no
 * LD_PRELOAD), it defines malloc/calloc/realloc/free/posix_memalign/aligned_alloc/memalign,
 * pthread_mutex_lock/trylock, read/write/open/openat/fopen and nanosleep/usleep/sleep as
 * counting wrappers around the C library's own. Executables export them (-rdynamic), so calls
 * from shared libraries (FFTW, speexdsp, a dlopen'ed plugin) are counted too.
 *
 *   rt_guard_arm();   ...realtime code...   rt_guard_disarm();
 *   if (rt_guard_total()) { rt_guard_print(stderr); fail; }
 *
 * Only calls made by the arming thread while armed count. In sanitized builds the wrappers
 * are compiled out (they would fight ASan's own): rt_guard_available() is then 0 and the test
 * should skip (exit 77), as it should when EMOVOX_SANITIZED=1. */
#ifndef RT_GUARD_H
#define RT_GUARD_H

#include <stddef.h>
#include <stdio.h>

typedef enum rt_guard_kind {
  RT_GUARD_MALLOC,
  RT_GUARD_CALLOC,
  RT_GUARD_REALLOC,
  RT_GUARD_FREE,
  RT_GUARD_MEMALIGN, /* posix_memalign, aligned_alloc, memalign */
  RT_GUARD_MUTEX,    /* pthread_mutex_lock, pthread_mutex_trylock */
  RT_GUARD_READ,
  RT_GUARD_WRITE,
  RT_GUARD_OPEN,  /* open, openat, fopen */
  RT_GUARD_SLEEP, /* nanosleep, usleep, sleep */
  RT_GUARD_KINDS
} rt_guard_kind;

int rt_guard_available(void);
void rt_guard_arm(void);    /* start counting on this thread */
void rt_guard_disarm(void); /* stop counting on this thread */
void rt_guard_reset(void);  /* zero all counters */
unsigned long rt_guard_count(rt_guard_kind kind);
unsigned long rt_guard_total(void);
const char *rt_guard_name(rt_guard_kind kind);
void rt_guard_print(FILE *f); /* nonzero counters, one per line (call while disarmed) */

/* Memory accounting: bytes requested through the malloc family by this thread between
 * begin and end (frees are not subtracted). For "memory per instance" figures. */
void rt_guard_measure_begin(void);
size_t rt_guard_measure_end(void);
/* Net bytes still allocated (usable sizes of blocks allocated minus those freed) by this
 * thread since measure_begin: the memory an instance keeps. Valid after measure_end too. */
long long rt_guard_measure_live(void);

#endif
