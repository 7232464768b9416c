/* Ardour's inline display (the meter in the mixer strip): run() publishes a snapshot of the
 * outputs, render() (host GUI thread) draws the latest one with ui/emovox_inline.
 *
 * Publishing is lock-free and tear-free with the two slots of self->inline_data and the bits of
 * self->inline_index:
 *   PUB   (bit 0) the slot last published;
 *   BUSY  (bit 1) render() is copying a slot;
 *   SLOT  (bit 2) which slot render() is copying.
 * render() claims the published slot with one compare-and-swap (setting BUSY and SLOT), copies
 * it and clears BUSY. run() writes only the slot that is not published, and skips publishing
 * (it retries on its next run(), the values still differing) when that slot is the one render()
 * still copies, which happens only if run() published twice during one copy. So the writer
 * never waits, the reader never sees a half-written slot, and the slots are never accessed by
 * both threads at once with a write (no data race in the C11 sense). */
#include "emovox_inline_glue.h"

#include <math.h>
#include <string.h>

#define PUB  1
#define BUSY 2
#define SLOT 4

/* Redraw only when something visible changed: 1/200 of a bar, or the dominant/status/set (a
 * change of set alone changes no value while the left-out emotions already read 0). */
static bool visibly_different(const emovox_inline_data *a, const emovox_inline_data *b) {
  if (a->dominant != b->dominant || a->status != b->status || a->emotions != b->emotions)
    return true;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    if (fabsf(a->prob[i] - b->prob[i]) > 0.005f)
      return true;
  /* the adaptation line: a change of 1/200 of it, or leaving or reaching cold (0) */
  if ((a->adapted > 0.0f) != (b->adapted > 0.0f) || fabsf(a->adapted - b->adapted) > 0.005f)
    return true;
  return fabsf(a->confidence - b->confidence) > 0.005f || fabsf(a->voice - b->voice) > 0.005f;
}

void emovox_inline_publish(emovox *self, const float *prob, int dominant, float confidence,
                           float voice, float adapted) {
  emovox_inline_data d;
  memcpy(d.prob, prob, sizeof d.prob);
  d.dominant = dominant;
  d.confidence = confidence;
  d.voice = voice;
  d.status = emovox_shown_status(self);
  d.emotions = self->params.labels; /* the set read_controls() gave the analyser */
  d.adapted = adapted;
  /* every member is 4 bytes (no padding), all assigned above: memcmp compares the values */
  _Static_assert(sizeof d == sizeof d.prob + 6 * 4, "emovox_inline_data has no padding");
  if (self->inline_settled && memcmp(&d, &self->inline_last, sizeof d) == 0)
    return; /* settled before (see inline_last): the same outcome as the code below */
  self->inline_last = d;
  self->inline_settled = true;
  /* Acquire: if render() has finished copying the free slot, its reads happen before our
   * writes below. */
  const int v = atomic_load_explicit(&self->inline_index, memory_order_acquire);
  const int current = v & PUB, next = 1 - current;
  /* Reading the published slot is safe: only this thread ever writes a slot. */
  if (!visibly_different(&d, &self->inline_data[current]))
    return;
  if ((v & BUSY) && ((v & SLOT) != 0) == (next == 1)) {
    self->inline_settled = false; /* not settled: the next call tries again */
    return; /* render() is still copying the slot we would write: publish on the next run() */
  }
  self->inline_data[next] = d;
  /* Only this thread changes PUB, so a toggle publishes `next` whatever render() does to the
   * other bits meanwhile; release: the slot's contents come with it. */
  atomic_fetch_xor_explicit(&self->inline_index, PUB, memory_order_release);
  if (self->queue_draw)
    self->queue_draw->queue_draw(self->queue_draw->handle);
}

void emovox_inline_snapshot(emovox *self, emovox_inline_data *out) {
  int v = atomic_load_explicit(&self->inline_index, memory_order_relaxed);
  int claimed;
  do { /* claim the slot published at this instant; a publish in between makes us retry */
    claimed = (v & PUB) | BUSY | ((v & PUB) ? SLOT : 0);
  } while (!atomic_compare_exchange_weak_explicit(&self->inline_index, &v, claimed,
                                                  memory_order_acquire, memory_order_relaxed));
  *out = self->inline_data[claimed & PUB];
  atomic_fetch_and_explicit(&self->inline_index, ~(BUSY | SLOT), memory_order_release);
}

bool emovox_inline_glue_init(emovox *self) {
  if (!self->queue_draw || self->inline_display)
    return true;
  self->inline_display = emovox_inline_new();
  return self->inline_display != NULL;
}

static LV2_Inline_Display_Image_Surface *render(void *instance, uint32_t w, uint32_t max_h) {
  emovox *self = instance;
  /* Made in instantiate() when the host offered queue_draw (emovox_inline_glue_init); a host
   * that calls render() without having offered it gets it made here, on first use. */
  if (!self->inline_display)
    self->inline_display = emovox_inline_new();
  if (!self->inline_display)
    return NULL;
  emovox_inline_data d;
  emovox_inline_snapshot(self, &d);
  return emovox_inline_render(self->inline_display, &d, w, max_h);
}

const LV2_Inline_Display_Interface emovox_inline_interface = {render};
