#include "ev_progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double ev_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ev_progress_start(ev_progress *p, const char *label, size_t total) {
  memset(p, 0, sizeof *p);
  snprintf(p->label, sizeof p->label, "%s", label);
  p->total = total;
  p->t0 = p->last = ev_now();
  p->tty = isatty(2);
  p->last_decile = 0;
}

static void fmt_time(double s, char *buf, size_t len) {
  long t = (long)(s + 0.5);
  if (t >= 3600)
    snprintf(buf, len, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else
    snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
}

void ev_progress_update(ev_progress *p, size_t done) {
  double now = ev_now();
  int decile = p->total ? (int)(10 * done / p->total) : 10;
  if (p->tty ? (now - p->last < 0.25 && done < p->total) : decile <= p->last_decile)
    return;
  p->last = now;
  p->last_decile = decile;
  double el = now - p->t0;
  double eta = done ? el * (double)(p->total - done) / (double)done : 0.0;
  char e[32], r[32];
  fmt_time(eta, e, sizeof e);
  fmt_time(el, r, sizeof r);
  fprintf(stderr, "%s%s %zu/%zu (%3.0f%%) elapsed %s ETA %s%s", p->tty ? "\r" : "", p->label, done,
          p->total, p->total ? 100.0 * (double)done / (double)p->total : 100.0, r, e,
          p->tty ? "   " : "\n");
  fflush(stderr);
}

void ev_progress_end(ev_progress *p) {
  if (p->tty)
    fprintf(stderr, "\n");
}
