/* Counting wrappers for the calls a realtime path must not make; see rt_guard.h. */
#undef _FORTIFY_SOURCE
#define _GNU_SOURCE
#include "rt_guard.h"

#ifndef RT_GUARD_DISABLED
#include <dlfcn.h>
#include <malloc.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#endif

static const char *const kNames[RT_GUARD_KINDS] = {"malloc",   "calloc",     "realloc", "free",
                                                   "memalign", "mutex_lock", "read",    "write",
                                                   "open",     "sleep"};

const char *rt_guard_name(rt_guard_kind kind) {
  return kind >= 0 && kind < RT_GUARD_KINDS ? kNames[kind] : "?";
}

#ifdef RT_GUARD_DISABLED

int rt_guard_available(void) {
  return 0;
}
void rt_guard_arm(void) {}
void rt_guard_disarm(void) {}
void rt_guard_reset(void) {}
unsigned long rt_guard_count(rt_guard_kind kind) {
  (void)kind;
  return 0;
}
unsigned long rt_guard_total(void) {
  return 0;
}
void rt_guard_print(FILE *f) {
  fprintf(f, "rt_guard: not available in this build\n");
}
void rt_guard_measure_begin(void) {}
size_t rt_guard_measure_end(void) {
  return 0;
}
long long rt_guard_measure_live(void) {
  return 0;
}

#else

static _Thread_local int armed, measuring;
static _Thread_local size_t measured;
static _Thread_local long long live; /* net usable bytes allocated minus freed while measuring */
static unsigned long counts[RT_GUARD_KINDS];

static inline void note(rt_guard_kind k, size_t bytes) {
  if (armed)
    __atomic_add_fetch(&counts[k], 1, __ATOMIC_RELAXED);
  if (measuring)
    measured += bytes;
}

int rt_guard_available(void) {
  return 1;
}
void rt_guard_arm(void) {
  armed = 1;
}
void rt_guard_disarm(void) {
  armed = 0;
}
void rt_guard_reset(void) {
  for (int k = 0; k < RT_GUARD_KINDS; k++)
    __atomic_store_n(&counts[k], 0, __ATOMIC_RELAXED);
}
unsigned long rt_guard_count(rt_guard_kind kind) {
  return __atomic_load_n(&counts[kind], __ATOMIC_RELAXED);
}
unsigned long rt_guard_total(void) {
  unsigned long s = 0;
  for (int k = 0; k < RT_GUARD_KINDS; k++)
    s += rt_guard_count((rt_guard_kind)k);
  return s;
}
void rt_guard_print(FILE *f) {
  for (int k = 0; k < RT_GUARD_KINDS; k++)
    if (rt_guard_count((rt_guard_kind)k))
      fprintf(f, "rt_guard: %s called %lu time(s) while armed\n", kNames[k],
              rt_guard_count((rt_guard_kind)k));
}
void rt_guard_measure_begin(void) {
  measured = 0;
  live = 0;
  measuring = 1;
}
long long rt_guard_measure_live(void) {
  return live;
}
size_t rt_guard_measure_end(void) {
  measuring = 0;
  return measured;
}

/* ---- the malloc family: glibc's own entry points, no dlsym needed (dlsym allocates) ---- */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static inline void *track(void *p) {
  if (measuring && p)
    live += (long long)malloc_usable_size(p);
  return p;
}
static inline void untrack(void *p) {
  if (measuring && p)
    live -= (long long)malloc_usable_size(p);
}

void *malloc(size_t n) {
  note(RT_GUARD_MALLOC, n);
  return track(__libc_malloc(n));
}
void *calloc(size_t n, size_t m) {
  note(RT_GUARD_CALLOC, n * m);
  return track(__libc_calloc(n, m));
}
void *realloc(void *p, size_t n) {
  note(RT_GUARD_REALLOC, n);
  untrack(p);
  return track(__libc_realloc(p, n));
}
void free(void *p) {
  if (p)
    note(RT_GUARD_FREE, 0);
  untrack(p);
  __libc_free(p);
}
int posix_memalign(void **out, size_t align, size_t n) {
  note(RT_GUARD_MEMALIGN, n);
  if (align < sizeof(void *) || (align & (align - 1)))
    return EINVAL;
  void *p = track(__libc_memalign(align, n));
  if (!p)
    return ENOMEM;
  *out = p;
  return 0;
}
void *aligned_alloc(size_t align, size_t n) {
  note(RT_GUARD_MEMALIGN, n);
  return track(__libc_memalign(align, n));
}
void *memalign(size_t align, size_t n) {
  note(RT_GUARD_MEMALIGN, n);
  return track(__libc_memalign(align, n));
}

/* ---- locks, I/O, sleeping: forwarded to the next definition (the C library) ---- */
#define REAL(name)                                                                                 \
  static __typeof__(&name) real_##name;                                                            \
  if (!real_##name)                                                                                \
    real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name);

int pthread_mutex_lock(pthread_mutex_t *m) {
  REAL(pthread_mutex_lock)
  note(RT_GUARD_MUTEX, 0);
  return real_pthread_mutex_lock(m);
}
int pthread_mutex_trylock(pthread_mutex_t *m) {
  REAL(pthread_mutex_trylock)
  note(RT_GUARD_MUTEX, 0);
  return real_pthread_mutex_trylock(m);
}
ssize_t read(int fd, void *buf, size_t n) {
  REAL(read)
  note(RT_GUARD_READ, 0);
  return real_read(fd, buf, n);
}
ssize_t write(int fd, const void *buf, size_t n) {
  REAL(write)
  note(RT_GUARD_WRITE, 0);
  return real_write(fd, buf, n);
}
int open(const char *path, int flags, ...) {
  REAL(open)
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = (mode_t)va_arg(ap, int);
    va_end(ap);
  }
  note(RT_GUARD_OPEN, 0);
  return real_open(path, flags, mode);
}
int openat(int dir, const char *path, int flags, ...) {
  REAL(openat)
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = (mode_t)va_arg(ap, int);
    va_end(ap);
  }
  note(RT_GUARD_OPEN, 0);
  return real_openat(dir, path, flags, mode);
}
FILE *fopen(const char *path, const char *mode) {
  REAL(fopen)
  note(RT_GUARD_OPEN, 0);
  return real_fopen(path, mode);
}
int nanosleep(const struct timespec *req, struct timespec *rem) {
  REAL(nanosleep)
  note(RT_GUARD_SLEEP, 0);
  return real_nanosleep(req, rem);
}
int usleep(useconds_t us) {
  REAL(usleep)
  note(RT_GUARD_SLEEP, 0);
  return real_usleep(us);
}
unsigned int sleep(unsigned int s) {
  REAL(sleep)
  note(RT_GUARD_SLEEP, 0);
  return real_sleep(s);
}

#endif
