/* run() over 10^6 samples of speech makes no allocation, takes no lock and makes no system
 * call. Allocations and locks are counted by interposing malloc & co. and the pthread lock
 * functions in this executable (the plugin's calls resolve here first); system calls are
 * forbidden outright with seccomp strict mode in a child process, where any system call but
 * read/write/_exit kills the process. Skipped under sanitizers (they interpose malloc). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ev_test.h"
#include "lv2_host.h"
#include "test_audio.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static volatile int guard_on = 0;
static volatile long n_alloc = 0, n_free = 0, n_lock = 0;

void *malloc(size_t n) {
  if (guard_on)
    n_alloc++;
  return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
  if (guard_on)
    n_alloc++;
  return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
  if (guard_on)
    n_alloc++;
  return __libc_realloc(p, n);
}
void free(void *p) {
  if (guard_on && p)
    n_free++;
  __libc_free(p);
}
int posix_memalign(void **out, size_t align, size_t n) {
  if (guard_on)
    n_alloc++;
  *out = __libc_memalign(align, n);
  return *out ? 0 : ENOMEM;
}
void *aligned_alloc(size_t align, size_t n) {
  if (guard_on)
    n_alloc++;
  return __libc_memalign(align, n);
}

typedef int (*lock_fn)(pthread_mutex_t *);
static int count_lock(const char *name, pthread_mutex_t *m) {
  lock_fn real = (lock_fn)(uintptr_t)dlsym(RTLD_NEXT, name);
  if (guard_on)
    n_lock++;
  return real(m);
}
int pthread_mutex_lock(pthread_mutex_t *m) {
  return count_lock("pthread_mutex_lock", m);
}
int pthread_mutex_trylock(pthread_mutex_t *m) {
  return count_lock("pthread_mutex_trylock", m);
}

/* The measured part: 10^6 samples in blocks of varying size, with control changes and
 * patch:Get messages (so the notify and MIDI paths run too). */
static void run_guarded(lv2_host *h, const float *audio, size_t n, float *out, long samples) {
  uint32_t seed = 99;
  size_t pos = 0;
  for (long done = 0; done < samples;) {
    seed = seed * 1664525u + 1013904223u;
    uint32_t len = 1 + (seed >> 9) % 2048;
    if (pos + len > n)
      pos = 0;
    if ((seed >> 4) % 50 == 0)
      host_send_get(h);
    host_set_control(h, EMOVOX_RESPONSE_MS, (seed >> 3) % 2 ? 300.0f : 500.0f);
    host_set_control(h, EMOVOX_MIDI_CC_BASE, (seed >> 5) % 7 == 0 ? 40.0f : 20.0f);
    const float *ins[2] = {audio + pos, audio + (n - pos - len)}; /* stereo: R from elsewhere */
    float *outs[2] = {out, out + 2048};
    guard_on = 1;
    host_run(h, ins, outs, len);
    guard_on = 0;
    pos += len;
    done += len;
  }
}

int main(void) {
  if (getenv("EMOVOX_SANITIZED") && !strcmp(getenv("EMOVOX_SANITIZED"), "1"))
    EV_SKIP("sanitizers interpose malloc");
  if (access(test_default_model_path(), R_OK) != 0)
    EV_SKIP("no model in the built bundle");
  size_t n, s0, s1;
  float *audio = test_speech(48000, 0.3, 0.3, &n, &s0, &s1);
  EV_CHECK(audio != NULL, "speech");
  if (!audio)
    EV_TEST_END();
  float *out = malloc(4096 * sizeof(float));

  /* 1. Allocations and locks, counted in this process, for both variants. */
  const char *uris[] = {EMOVOX_URI_MONO, EMOVOX_URI_STEREO};
  for (int v = 0; v < 2; v++) {
    n_alloc = n_free = n_lock = 0;
    lv2_host *h = host_new(uris[v], 48000, 4096);
    host_clear_log(h);
    run_guarded(h, audio, n, out, 1000000);
    printf("rt: %s: %ld allocations, %ld frees, %ld locks in run() over 10^6 samples\n", uris[v],
           n_alloc, n_free, n_lock);
    EV_CHECK(n_alloc == 0 && n_free == 0, "no allocation in run()");
    EV_CHECK(n_lock == 0, "no lock in run()");
    EV_CHECK(host_log(h)[0] == '\0', "nothing logged from run(): %s", host_log(h));
    host_free(h);
  }

  /* 2. System calls: a child runs the same under seccomp strict mode. */
  int fds[2];
  if (pipe(fds) != 0)
    EV_SKIP("pipe failed");
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    lv2_host *c = host_new(EMOVOX_URI_MONO, 48000, 4096);
    /* Warm up outside the sandbox: first-touch page faults are not system calls, but the
     * lazy binding of symbols is not either; this just makes the child's run typical. */
    run_guarded(c, audio, n, out, 4096);
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) != 0)
      syscall(SYS_exit, 3);
    run_guarded(c, audio, n, out, 1000000);
    const char ok[] = "done";
    if (write(fds[1], ok, sizeof ok) != (ssize_t)sizeof ok)
      syscall(SYS_exit, 4);
    syscall(SYS_exit, 0);
  }
  close(fds[1]);
  char buf[8] = {0};
  ssize_t got = read(fds[0], buf, sizeof buf);
  int status = 0;
  waitpid(pid, &status, 0);
  printf("rt: seccomp child %s (%s)\n", got > 0 ? buf : "sent nothing",
         WIFSIGNALED(status) ? "killed: a system call in run()" : "exited");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
    EV_SKIP("seccomp strict mode is not available here");
  EV_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && got > 0,
           "no system call in run() (status %d)", status);
  free(out);
  free(audio);
  EV_TEST_END();
}
