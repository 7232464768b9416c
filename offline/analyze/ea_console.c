#include "ea_console.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_JOBS 256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static int running, enabled, bar_shown;
static size_t total, done;
static double fraction[MAX_JOBS];
static struct timespec started;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void clear_bar(void) {
  if (bar_shown) {
    fputs("\r\033[K", stderr);
    bar_shown = 0;
  }
}

static void format_duration(char *out, size_t n, double s) {
  long t = (long)(s + 0.5);
  if (t >= 3600)
    snprintf(out, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else
    snprintf(out, n, "%ld:%02ld", t / 60, t % 60);
}

static void draw_bar(void) {
  double f = (double)done;
  for (int j = 0; j < MAX_JOBS; j++)
    f += fraction[j];
  f = total ? f / (double)total : 1.0;
  if (f > 1.0)
    f = 1.0;
  double elapsed = now() - ((double)started.tv_sec + 1e-9 * (double)started.tv_nsec);
  char eta[32] = "--:--", el[32];
  if (f > 0.002)
    format_duration(eta, sizeof eta, elapsed * (1.0 - f) / f);
  format_duration(el, sizeof el, elapsed);
  enum { WIDTH = 30 };
  char bar[WIDTH + 1];
  int filled = (int)(f * WIDTH);
  for (int i = 0; i < WIDTH; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[WIDTH] = '\0';
  fprintf(stderr, "\r\033[K[%s] %5.1f%%  %zu/%zu files  %s elapsed  ETA %s", bar, 100.0 * f, done,
          total, el, eta);
  fflush(stderr);
  bar_shown = 1;
}

void ea_msg(const char *fmt, ...) {
  pthread_mutex_lock(&lock);
  clear_bar();
  fputs("emovox-analyze: ", stderr);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  if (running && enabled)
    draw_bar();
  pthread_mutex_unlock(&lock);
}

static void *progress_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  while (running) {
    draw_bar();
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 250000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&wake, &lock, &until);
  }
  draw_bar(); /* the final state stays on screen */
  fputc('\n', stderr);
  bar_shown = 0;
  pthread_mutex_unlock(&lock);
  return NULL;
}

void ea_progress_start(int on, size_t n_files) {
  pthread_mutex_lock(&lock);
  enabled = on;
  total = n_files;
  done = 0;
  memset(fraction, 0, sizeof fraction);
  clock_gettime(CLOCK_MONOTONIC, &started);
  running = 1;
  pthread_mutex_unlock(&lock);
  if (on && pthread_create(&thread, NULL, progress_thread, NULL) != 0)
    enabled = 0;
}

void ea_progress_file_fraction(int job, double f) {
  if (job < 0 || job >= MAX_JOBS)
    return;
  pthread_mutex_lock(&lock);
  fraction[job] = f;
  pthread_mutex_unlock(&lock);
}

void ea_progress_file_done(int job) {
  pthread_mutex_lock(&lock);
  if (job >= 0 && job < MAX_JOBS)
    fraction[job] = 0.0;
  done++;
  pthread_mutex_unlock(&lock);
}

void ea_progress_stop(void) {
  pthread_mutex_lock(&lock);
  int was = running && enabled;
  running = 0;
  pthread_cond_signal(&wake);
  pthread_mutex_unlock(&lock);
  if (was)
    pthread_join(thread, NULL);
}
