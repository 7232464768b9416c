/* run() over 10^6 samples of speech, while model swaps complete, makes no allocation, takes
 * no lock, does no I/O and makes no system call.
 *
 * 1. Counted, in this process, for both variants: malloc & co., the pthread lock functions
 *    and the C library's file, stream and sleep functions are interposed in this executable
 *    (export_dynamic: the plugin and its libraries bind here first) and counted when the
 *    audio thread calls them (a thread-local guard: the worker thread loads models at the
 *    same time and may do all of these).
 * 2. Forbidden, in a child process: a seccomp-bpf filter on the audio thread traps every
 *    system call except exit, so even a write() to stderr is caught, and the SIGSYS handler
 *    records which one. The worker thread, started before the filter, is not filtered.
 * The host's worker is the polling one (lv2_host.h): its queues take no lock, so everything
 * counted or trapped on the audio thread is the plugin's doing. In both parts the guarded
 * region holds swaps between two different models (the bundle's default and the tests'
 * GRU model): the patch:Set, the worker's response through work_response, the install and
 * the retired model's hand-back to the worker all happen inside it, and the test checks
 * that the analysis really ran: voice activity on the speech, outputs changing, the notify
 * message naming each newly installed model. Skipped under sanitizers (they interpose
 * malloc). */
#define _GNU_SOURCE
/* Both open() and open64() (and the like) are interposed under their own names: with 64-bit
 * file offsets the headers would turn open into another declaration of open64. */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ev_test.h"
#include "lv2_host.h"
#include "test_audio.h"

/* ---- interposers ---- */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

/* Only the thread that sets it counts: the audio thread, around host_run(). */
static _Thread_local int guard_on = 0;
static long n_alloc = 0, n_free = 0, n_lock = 0, n_io = 0;
static const char *first_io = NULL; /* the first I/O function called under the guard */

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

/* The real functions, looked up on first use (dlsym before the guard is ever set: main()
 * calls every one of them once through touch_interposers()). */
#define REAL(name)                                                                                 \
  static __typeof__(&name) real_##name;                                                            \
  if (!real_##name)                                                                                \
  real_##name = (__typeof__(&name))(uintptr_t)dlsym(RTLD_NEXT, #name)

static void count_io(const char *name) {
  if (guard_on) {
    if (!first_io)
      first_io = name;
    n_io++;
  }
}

int pthread_mutex_lock(pthread_mutex_t *m) {
  REAL(pthread_mutex_lock);
  if (guard_on)
    n_lock++;
  return real_pthread_mutex_lock(m);
}
int pthread_mutex_trylock(pthread_mutex_t *m) {
  REAL(pthread_mutex_trylock);
  if (guard_on)
    n_lock++;
  return real_pthread_mutex_trylock(m);
}

ssize_t write(int fd, const void *buf, size_t n) {
  REAL(write);
  count_io("write");
  return real_write(fd, buf, n);
}
ssize_t read(int fd, void *buf, size_t n) {
  REAL(read);
  count_io("read");
  return real_read(fd, buf, n);
}
static mode_t open_mode(int flags, va_list ap) {
  return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}
int open(const char *path, int flags, ...) {
  REAL(open);
  va_list ap;
  va_start(ap, flags);
  mode_t mode = open_mode(flags, ap);
  va_end(ap);
  count_io("open");
  return real_open(path, flags, mode);
}
int open64(const char *path, int flags, ...) {
  REAL(open64);
  va_list ap;
  va_start(ap, flags);
  mode_t mode = open_mode(flags, ap);
  va_end(ap);
  count_io("open64");
  return real_open64(path, flags, mode);
}
int openat(int dir, const char *path, int flags, ...) {
  REAL(openat);
  va_list ap;
  va_start(ap, flags);
  mode_t mode = open_mode(flags, ap);
  va_end(ap);
  count_io("openat");
  return real_openat(dir, path, flags, mode);
}
int close(int fd) {
  REAL(close);
  count_io("close");
  return real_close(fd);
}
int access(const char *path, int how) {
  REAL(access);
  count_io("access");
  return real_access(path, how);
}
int fstat64(int fd, struct stat64 *st) {
  REAL(fstat64);
  count_io("fstat64");
  return real_fstat64(fd, st);
}
FILE *fopen(const char *path, const char *mode) {
  REAL(fopen);
  count_io("fopen");
  return real_fopen(path, mode);
}
FILE *fopen64(const char *path, const char *mode) {
  REAL(fopen64);
  count_io("fopen64");
  return real_fopen64(path, mode);
}
int fclose(FILE *f) {
  REAL(fclose);
  count_io("fclose");
  return real_fclose(f);
}
size_t fread(void *p, size_t size, size_t n, FILE *f) {
  REAL(fread);
  count_io("fread");
  return real_fread(p, size, n, f);
}
size_t fwrite(const void *p, size_t size, size_t n, FILE *f) {
  REAL(fwrite);
  count_io("fwrite");
  return real_fwrite(p, size, n, f);
}
int fputs(const char *s, FILE *f) {
  REAL(fputs);
  count_io("fputs");
  return real_fputs(s, f);
}
int puts(const char *s) {
  REAL(puts);
  count_io("puts");
  return real_puts(s);
}
int fflush(FILE *f) {
  REAL(fflush);
  count_io("fflush");
  return real_fflush(f);
}
int vfprintf(FILE *f, const char *fmt, va_list ap) {
  REAL(vfprintf);
  count_io("vfprintf");
  return real_vfprintf(f, fmt, ap);
}
int fprintf(FILE *f, const char *fmt, ...) {
  REAL(vfprintf);
  count_io("fprintf");
  va_list ap;
  va_start(ap, fmt);
  int r = real_vfprintf(f, fmt, ap);
  va_end(ap);
  return r;
}
int printf(const char *fmt, ...) {
  REAL(vfprintf);
  count_io("printf");
  va_list ap;
  va_start(ap, fmt);
  int r = real_vfprintf(stdout, fmt, ap);
  va_end(ap);
  return r;
}
int remove(const char *path) {
  REAL(remove);
  count_io("remove");
  return real_remove(path);
}
int rename(const char *from, const char *to) {
  REAL(rename);
  count_io("rename");
  return real_rename(from, to);
}
int nanosleep(const struct timespec *t, struct timespec *rem) {
  REAL(nanosleep);
  count_io("nanosleep");
  return real_nanosleep(t, rem);
}
int usleep(useconds_t us) {
  REAL(usleep);
  count_io("usleep");
  return real_usleep(us);
}

/* Resolves every real function before any guard (dlsym is not realtime-safe itself). */
static void touch_interposers(void) {
  char tmp[] = "/tmp/emovox-rt-XXXXXX";
  int fd = mkstemp(tmp);
  if (fd >= 0) {
    if (write(fd, "x", 1) != 1 || lseek(fd, 0, SEEK_SET) != 0)
      perror("touch");
    char c;
    if (read(fd, &c, 1) != 1)
      perror("touch");
    struct stat64 st;
    fstat64(fd, &st);
    close(fd);
    FILE *f = fopen(tmp, "rb");
    if (f) {
      if (fread(&c, 1, 1, f) != 1)
        perror("touch");
      fclose(f);
    }
    f = fopen64(tmp, "ab");
    if (f) {
      fwrite(&c, 1, 1, f);
      fputs("", f);
      fprintf(f, "%s", "");
      fflush(f);
      fclose(f);
    }
    close(open(tmp, O_RDONLY));
    close(open64(tmp, O_RDONLY));
    close(openat(AT_FDCWD, tmp, O_RDONLY));
    (void)access(tmp, R_OK);
    char other[sizeof tmp + 2];
    snprintf(other, sizeof other, "%s.2", tmp);
    rename(tmp, other);
    remove(other);
  }
  struct timespec t = {0, 1000};
  nanosleep(&t, NULL);
  usleep(1);
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  if (pthread_mutex_trylock(&m) == 0)
    pthread_mutex_unlock(&m);
}

/* ---- the guarded run ---- */

#define SWAP_EVERY 100000 /* samples between a completed swap and the next request */
#define MIN_SWAPS  4
#define MAX_EXTRA  200000000L /* samples to wait at most for the last swaps to complete */
#define NAME_BYTES 128

/* What the guarded region saw; in shared memory for the seccomp child. */
typedef struct {
  long samples, blocks, changes;
  int voiced_blocks, dominant_blocks, sum_errors;
  float voice_max;
  int requested, completed, wrong_name;
  int relocates;    /* time:Position relocates sent inside blocks */
  long bad_syscall; /* -1: none */
  char last_name[NAME_BYTES];
} rt_result;

typedef struct {
  const char *path, *name;
} model_file;

/* At least `samples` samples in blocks of varying size, with control changes and patch:Get
 * messages (so the notify and MIDI paths run too), a rolling transport's time:Position inside
 * every block, now and then a relocate (so run() splits its blocks at the event and restarts
 * the analysis there), and a swap between the two models after
 * every SWAP_EVERY samples once the previous one completed; it goes on until min_swaps have
 * completed (the worker loads at its own pace). Nothing here but host_run() may allocate,
 * lock or make a system call. */
static void run_guarded(lv2_host *h, const float *audio, size_t n, float *out, long samples,
                        int min_swaps, const model_file models[2], rt_result *r) {
  uint32_t seed = 99;
  size_t pos = 0;
  const host_status *st = host_last_status(h);
  int awaiting = -1, next = 0, seen = st->seen;
  long since_swap = 0;
  int64_t transport = 0; /* the host's frame at the block's start */
  float last[EMOVOX_STATUS - EMOVOX_PROB_FIRST + 1] = {0};
  for (long done = 0; done < samples || (r->completed < min_swaps && done < samples + MAX_EXTRA);) {
    seed = seed * 1664525u + 1013904223u;
    uint32_t len = 1 + (seed >> 9) % 2048;
    if (pos + len > n)
      pos = 0;
    if ((seed >> 4) % 50 == 0)
      host_send_get(h);
    if (awaiting < 0 && since_swap >= SWAP_EVERY) {
      host_send_set_model(h, models[next].path);
      awaiting = next;
      next ^= 1;
      r->requested++;
    }
    host_set_control(h, EMOVOX_RESPONSE_MS, (seed >> 3) % 2 ? 300.0f : 500.0f);
    host_set_control(h, EMOVOX_MIDI_CC_BASE, (seed >> 5) % 7 == 0 ? 40.0f : 20.0f);
    /* the emotions that can occur: all eight, neutral/happy/sad/angry or calm alone */
    host_set_control(h, emovox_emotions_port(host_stereo(h)),
                     (seed >> 7) % 5 == 0   ? 29.0f
                     : (seed >> 7) % 5 == 1 ? 2.0f
                                            : 255.0f);
    /* the adapt modes, Learn and Use learned voice among them: leaving Learn takes the voice,
     * entering Use and its relocates start from it (bounded copies on the audio thread) */
    static int adapt_mode = 1;
    if ((seed >> 17) % 150 == 0) /* every second or so, a mode for a while */
      adapt_mode = (int)((seed >> 19) % 4);
    host_set_control(h, EMOVOX_ADAPT, (float)adapt_mode);
    /* the transport at a sample inside the block; about one block in 200 (every few seconds,
     * so that the analysis gets to read emotions between) a relocate back to the start */
    const uint32_t at = (seed >> 11) % len;
    const bool relocate = (seed >> 13) % 200 == 0;
    host_send_position_at(h, at, relocate ? 0 : transport + at, 1.0f);
    transport = relocate ? (int64_t)(len - at) : transport + len;
    r->relocates += relocate;
    const float *ins[2] = {audio + pos, audio + (n - pos - len)}; /* stereo: R from elsewhere */
    float *outs[2] = {out, out + 2048};
    guard_on = 1;
    host_run(h, ins, outs, len);
    guard_on = 0;
    pos += len;
    done += len;
    since_swap += len;
    r->samples += len;
    r->blocks++;

    /* Is the analysis really running? */
    float now[EMOVOX_STATUS - EMOVOX_PROB_FIRST + 1], sum = 0.0f;
    for (uint32_t i = 0; i <= EMOVOX_STATUS - EMOVOX_PROB_FIRST; i++)
      now[i] = host_output(h, EMOVOX_PROB_FIRST + i);
    r->changes += memcmp(now, last, sizeof now) != 0;
    memcpy(last, now, sizeof now);
    float voice = host_output(h, EMOVOX_VOICE);
    r->voice_max = fmaxf(r->voice_max, voice);
    r->voiced_blocks += voice > 0.5f;
    if (host_output(h, EMOVOX_DOMINANT) != 0.0f) {
      r->dominant_blocks++;
      for (int i = 0; i < 8; i++)
        sum += now[i];
      r->sum_errors += fabsf(sum - 1.0f) > 1e-3f;
    }
    /* A swap is complete when the notify message names the requested file: its response
     * went through work_response and the model was installed in this run(). */
    if (awaiting >= 0 && st->seen != seen && !strcmp(st->path, models[awaiting].path)) {
      r->completed++;
      /* the file's name, then its release when the file records one ("emovox-default 0.17") */
      const size_t len = strlen(models[awaiting].name);
      r->wrong_name += strncmp(st->name, models[awaiting].name, len) != 0 ||
                       (st->name[len] != '\0' && st->name[len] != ' ');
      snprintf(r->last_name, sizeof r->last_name, "%s", st->name);
      awaiting = -1;
      since_swap = 0;
    }
    seen = st->seen;
  }
}

static void report(const char *what, const rt_result *r) {
  printf("rt: %s: %ld samples in %ld blocks, outputs changed in %ld, voice > 0.5 in %d (max "
         "%.3f), an emotion dominant in %d (%d sums off 1); swaps %d requested, %d completed, "
         "last model '%s'; %d relocates\n",
         what, r->samples, r->blocks, r->changes, r->voiced_blocks, r->voice_max,
         r->dominant_blocks, r->sum_errors, r->requested, r->completed, r->last_name, r->relocates);
}

static void check_analysis(const char *what, const rt_result *r) {
  EV_CHECK(r->samples >= 1000000, "%s: 10^6 samples (%ld)", what, r->samples);
  EV_CHECK(r->voice_max > 0.5f && r->voiced_blocks > r->blocks / 10,
           "%s: speech detected in the guarded region (max %.3f, %d blocks)", what, r->voice_max,
           r->voiced_blocks);
  EV_CHECK(r->changes > r->blocks / 4, "%s: outputs change (%ld of %ld blocks)", what, r->changes,
           r->blocks);
  EV_CHECK(r->dominant_blocks > 0 && r->sum_errors == 0,
           "%s: probabilities sum to 1 when an emotion is dominant (%d of %d off)", what,
           r->sum_errors, r->dominant_blocks);
  EV_CHECK(r->completed >= MIN_SWAPS, "%s: %d model swaps completed in the guarded region", what,
           r->completed);
  EV_CHECK(r->wrong_name == 0, "%s: notify named the installed model (%d wrong)", what,
           r->wrong_name);
  EV_CHECK(r->relocates >= 2, "%s: relocates inside blocks in the guarded region (%d)", what,
           r->relocates);
}

/* ---- seccomp child ---- */

#if defined(__x86_64__)
#define RT_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define RT_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

static rt_result *shared;

static void on_sigsys(int sig, siginfo_t *si, void *ctx) {
  (void)sig;
  (void)ctx;
  shared->bad_syscall = si->si_syscall;
  syscall(SYS_exit_group, 5); /* the one system call the filter lets through */
}

/* Every system call but exit and exit_group raises SIGSYS on the calling thread. */
static int forbid_syscalls(void) {
#ifdef RT_AUDIT_ARCH
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RT_AUDIT_ARCH, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {(unsigned short)(sizeof filter / sizeof filter[0]), filter};
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  if (sigaction(SIGSYS, &sa, NULL) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return -1;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
#else
  return -1;
#endif
}

int main(void) {
  if (getenv("EMOVOX_SANITIZED") && !strcmp(getenv("EMOVOX_SANITIZED"), "1"))
    EV_SKIP("sanitizers interpose malloc");
  if (access(test_default_model_path(), R_OK) != 0)
    EV_SKIP("no model in the built bundle");
  const char *test_model = getenv("EMOVOX_TEST_MODEL");
  EV_CHECK(test_model && access(test_model, R_OK) == 0, "EMOVOX_TEST_MODEL names the tests' model");
  if (!test_model || access(test_model, R_OK) != 0)
    EV_TEST_END();
  touch_interposers();
  /* The bundle's default and the tests' random GRU model: different designs and inputs. */
  const model_file models[2] = {{test_model, "emovox-test-model"},
                                {test_default_model_path(), "emovox-default"}};
  size_t n, s0, s1;
  float *audio = test_speech(48000, 0.3, 0.3, &n, &s0, &s1);
  EV_CHECK(audio != NULL, "speech");
  if (!audio)
    EV_TEST_END();
  float *out = malloc(4096 * sizeof(float));

  /* 1. Counted in this process, for both variants. */
  const char *uris[] = {EMOVOX_URI_MONO, EMOVOX_URI_STEREO};
  for (int v = 0; v < 2; v++) {
    n_alloc = n_free = n_lock = n_io = 0;
    first_io = NULL;
    lv2_host *h = host_new(uris[v], 48000, 4096);
    EV_CHECK(h != NULL, "instantiate %s", uris[v]);
    if (!h)
      continue;
    host_use_polling_worker(h);
    rt_result r = {0};
    run_guarded(h, audio, n, out, 1000000, MIN_SWAPS, models, &r);
    report(uris[v], &r);
    printf("rt: %s: %ld allocations, %ld frees, %ld locks, %ld I/O calls%s%s in run()\n", uris[v],
           n_alloc, n_free, n_lock, n_io, first_io ? ", first: " : "", first_io ? first_io : "");
    EV_CHECK(n_alloc == 0 && n_free == 0, "no allocation in run()");
    EV_CHECK(n_lock == 0, "no lock in run()");
    EV_CHECK(n_io == 0, "no I/O or sleep in run() (first: %s)", first_io ? first_io : "-");
    check_analysis(uris[v], &r);
    host_free(h);
  }

  /* 2. System calls: a child runs the same with every system call trapped. */
  shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED)
    EV_SKIP("mmap failed");
  memset(shared, 0, sizeof *shared);
  shared->bad_syscall = -1;
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    lv2_host *c = host_new(EMOVOX_URI_MONO, 48000, 4096);
    if (!c)
      _exit(6);
    host_use_polling_worker(c); /* started before the filter: the worker is not filtered */
    /* Warm up outside the sandbox, including one swap, so that the first use of each code
     * path (lazy symbol binding, first-touch page faults: neither is a system call) is not
     * what the test measures. */
    rt_result warm = {0};
    run_guarded(c, audio, n, out, 4096, 2, models, &warm);
    if (forbid_syscalls() != 0)
      _exit(3);
    run_guarded(c, audio, n, out, 1000000, MIN_SWAPS, models, shared);
    _exit(0); /* exit_group: allowed */
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
    EV_SKIP("seccomp filters are not available here");
  if (shared->bad_syscall >= 0)
    printf("rt: seccomp child trapped system call %ld in run()\n", shared->bad_syscall);
  else
    printf("rt: seccomp child %s with status %d, no system call trapped\n",
           WIFEXITED(status) ? "exited" : "was killed",
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  report("seccomp child (mono)", shared);
  EV_CHECK(shared->bad_syscall < 0, "no system call in run() (trapped %ld)", shared->bad_syscall);
  EV_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child finished (status %d)", status);
  check_analysis("seccomp child", shared);
  munmap(shared, sizeof *shared);
  free(out);
  free(audio);
  EV_TEST_END();
}
