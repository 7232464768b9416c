/* The plugin's inline-display publishing (plugin/emovox_inline_glue.c) under contention: one
 * thread publishes as fast as it can, as run() would, values whose fields all encode the same
 * counter; another takes snapshots, as render() does, and requires every snapshot to be one
 * published value, whole (a torn copy mixes fields of two counters; the former two-slot flip
 * failed this within a few million publishes). Then, single-threaded: the latest value is what
 * a snapshot returns, queue_draw is called once per publication and not for unchanged values,
 * a publish that finds the reader on the slot it would write waits for the next one, and the
 * Emotions set is published (a change of set alone is drawn). */
#define _GNU_SOURCE /* pthread_setaffinity_np */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emovox_inline_glue.h"
#include "ev_test.h"

static atomic_long draws;
static void queue_draw(LV2_Inline_Display_Handle h) {
  (void)h;
  atomic_fetch_add_explicit(&draws, 1, memory_order_relaxed);
}

/* Value k: every probability, the confidence and the voice are k / 1000 (k < 1000, distinct by
 * more than the 0.005 the glue needs to see a change), the dominant is k % 8. */
static void value(long k, float prob[8], int *dominant, float *x) {
  *x = (float)(k % 1000) / 1000.0f;
  for (int i = 0; i < 8; i++)
    prob[i] = *x;
  *dominant = (int)(k % 1000) % 8;
}

typedef struct shared {
  emovox *self;
  long publishes;
  atomic_int stop;
  /* With one CPU the threads only take turns, so how many values the reader sees depends on
   * the scheduler; there the writer waits after each publish until the reader has taken a
   * snapshot (acked counts them), which makes the count of values seen exact. */
  int lockstep;
  atomic_long published, acked;
} shared;

/* Each thread on its own CPU: on a busy machine the scheduler could otherwise run both on one
 * core in turns, and a reader that never runs during a publish cannot catch a tear. cpus[] are
 * two CPUs this process may use (found before any pinning), -1 if there are not two. */
static int cpus[2] = {-1, -1};
static void find_cpus(void) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2)
    return;
  for (int cpu = 0, n = 0; cpu < CPU_SETSIZE && n < 2; cpu++)
    if (CPU_ISSET(cpu, &allowed))
      cpus[n++] = cpu;
}
static int pin_to_cpu(int nth) {
  if (cpus[nth] < 0)
    return 0;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpus[nth], &one);
  return pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
}

static void *writer(void *arg) {
  shared *s = arg;
  pin_to_cpu(1);
  float prob[8], x;
  int dom;
  for (long k = 0; !atomic_load_explicit(&s->stop, memory_order_relaxed); k++) {
    value(k * 7, prob, &dom, &x); /* steps of 7/1000: always visibly different */
    emovox_inline_publish(s->self, prob, dom, x, x, x);
    s->publishes = k + 1;
    atomic_store(&s->published, k + 1);
    while (s->lockstep && atomic_load(&s->acked) < k + 1 &&
           !atomic_load_explicit(&s->stop, memory_order_relaxed))
      sched_yield();
  }
  return NULL;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int whole(const emovox_inline_data *d) {
  long k = lrintf(d->confidence * 1000.0f);
  for (int i = 0; i < 8; i++)
    if (d->prob[i] != d->confidence)
      return 0;
  return d->voice == d->confidence && d->adapted == d->confidence && d->dominant == (int)(k % 8) &&
         d->status == 0;
}

int main(void) {
  emovox *self = calloc(1, sizeof *self);
  LV2_Inline_Display qd = {NULL, queue_draw};
  self->queue_draw = &qd;
  self->status = 0;
  float prob[8], x;
  int dom;
  value(0, prob, &dom, &x);
  memcpy(self->inline_data[0].prob, prob, sizeof prob);
  self->inline_data[0].dominant = dom;

  /* Until the reader has seen many different values (or 5 s on a very busy machine). */
  shared s = {self, 0, 0, 0, 0, 0};
  find_cpus();
  if (!pin_to_cpu(0)) {
    printf("note: fewer than two CPUs to run on; the threads take turns, in lock step\n");
    s.lockstep = 1;
  }
  pthread_t t;
  pthread_create(&t, NULL, writer, &s);
  long snaps = 0, torn = 0, changes = 0;
  float last = -1;
  const double t0 = now_s();
  /* In lock step every round shows a new value, so 1000 changes take 1000 rounds however the
   * single CPU is shared (60 s is only a guard against a hang). */
  const long target = s.lockstep ? 1000 : 50000;
  const double limit_s = s.lockstep ? 60.0 : 5.0;
  while (changes < target && now_s() - t0 < limit_s) {
    /* in lock step, value `published` is the one the snapshot sees: the writer waits */
    const long published = atomic_load(&s.published);
    emovox_inline_data d;
    emovox_inline_snapshot(self, &d);
    snaps++;
    if (!whole(&d) && torn++ < 5)
      fprintf(stderr, "torn snapshot: conf %g prob0 %g prob7 %g voice %g dominant %d\n",
              d.confidence, d.prob[0], d.prob[7], d.voice, d.dominant);
    changes += d.confidence != last;
    last = d.confidence;
    if (s.lockstep) { /* let the writer publish the next value */
      atomic_store(&s.acked, published);
      sched_yield();
    }
  }
  atomic_store(&s.stop, 1);
  pthread_join(t, NULL);
  printf("%ld snapshots (%ld changes seen) during %ld publishes (%ld published), %ld torn\n", snaps,
         changes, s.publishes, atomic_load(&draws), torn);
  EV_CHECK(torn == 0, "%ld of %ld snapshots were torn", torn, snaps);
  EV_CHECK(changes >= 1000, "the threads ran side by side (%ld changes seen)", changes);

  /* Single-threaded from here: the latest value is read at once. The writer stopped on any of
   * its 1000 values, and one within the glue's 0.005 of the next value would be no change to
   * draw (a loaded machine hit it): value 500 first, so that what was last published is far
   * from value 3 whatever the writer's last one was. */
  value(500, prob, &dom, &x);
  emovox_inline_publish(self, prob, dom, x, x, x);
  value(3, prob, &dom, &x);
  long before = atomic_load(&draws);
  emovox_inline_publish(self, prob, dom, x, x, x);
  emovox_inline_data d;
  emovox_inline_snapshot(self, &d);
  EV_CHECK(whole(&d) && d.confidence == x, "the latest value is read (%g vs %g)", d.confidence, x);
  EV_CHECK(atomic_load(&draws) == before + 1, "queue_draw once per publication");
  emovox_inline_publish(self, prob, dom, x, x, x);
  EV_CHECK(atomic_load(&draws) == before + 1, "no queue_draw for the same values");

  /* A reader in the middle of copying the slot the writer would use next (bits 1 and 2 of
   * inline_index, see the glue): the publish waits, the next one after the copy goes through. */
  const int pub = atomic_load(&self->inline_index) & 1;
  atomic_store(&self->inline_index, pub | 2 | (pub ? 0 : 4));
  value(5, prob, &dom, &x);
  emovox_inline_publish(self, prob, dom, x, x, x);
  EV_CHECK(atomic_load(&draws) == before + 1 && (atomic_load(&self->inline_index) & 1) == pub,
           "no publish into the slot being copied");
  atomic_store(&self->inline_index, pub | 2 | (pub ? 4 : 0)); /* copying the published one */
  emovox_inline_publish(self, prob, dom, x, x, x);
  EV_CHECK(atomic_load(&draws) == before + 2 && (atomic_load(&self->inline_index) & 1) != pub,
           "publishing while the other slot is copied");
  atomic_fetch_and(&self->inline_index, 1); /* the copy ends */
  emovox_inline_snapshot(self, &d);
  EV_CHECK(whole(&d) && d.confidence == x, "the new value is read (%g vs %g)", d.confidence, x);

  /* The set read_controls() put in params.labels is published, and a change of set alone (the
   * same values) is a change to draw; the same set again is not. */
  before = atomic_load(&draws);
  self->params.labels = 0x0fu;
  emovox_inline_publish(self, prob, dom, x, x, x);
  emovox_inline_snapshot(self, &d);
  EV_CHECK(d.emotions == 0x0fu && atomic_load(&draws) == before + 1,
           "the set is published and drawn (set %#x, %ld draws)", d.emotions,
           atomic_load(&draws) - before);
  emovox_inline_publish(self, prob, dom, x, x, x);
  EV_CHECK(atomic_load(&draws) == before + 1, "no queue_draw for the same set");

  /* The adaptation is published and drawn when it leaves cold, even by less than 1/200. */
  emovox_inline_publish(self, prob, dom, x, x, 0.0f);
  before = atomic_load(&draws);
  emovox_inline_publish(self, prob, dom, x, x, 0.001f);
  emovox_inline_snapshot(self, &d);
  EV_CHECK(d.adapted == 0.001f && atomic_load(&draws) == before + 1,
           "leaving cold is drawn (%g, %ld draws)", d.adapted, atomic_load(&draws) - before);
  emovox_inline_publish(self, prob, dom, x, x, 0.003f);
  EV_CHECK(atomic_load(&draws) == before + 1, "a change of less than 1/200 is not");
  free(self);
  EV_TEST_END();
}
