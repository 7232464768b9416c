/* Ardour's inline display (the meter in the mixer strip): run() publishes a snapshot of the
 * outputs, render() (host GUI thread) draws the latest one with ui/emovox_inline. */
#include <math.h>
#include <string.h>

#include "emovox_plugin.h"

/* Redraw only when something visible changed: 1/200 of a bar, or the dominant/status. */
static bool visibly_different(const emovox_inline_data *a, const emovox_inline_data *b) {
  if (a->dominant != b->dominant || a->status != b->status)
    return true;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    if (fabsf(a->prob[i] - b->prob[i]) > 0.005f)
      return true;
  return fabsf(a->confidence - b->confidence) > 0.005f || fabsf(a->voice - b->voice) > 0.005f;
}

void emovox_inline_publish(emovox *self, const float *prob, int dominant, float confidence,
                           float voice) {
  emovox_inline_data d;
  memcpy(d.prob, prob, sizeof d.prob);
  d.dominant = dominant;
  d.confidence = confidence;
  d.voice = voice;
  d.status = self->status;
  const int current = atomic_load_explicit(&self->inline_index, memory_order_relaxed);
  if (!visibly_different(&d, &self->inline_data[current]))
    return;
  self->inline_data[1 - current] = d;
  atomic_store_explicit(&self->inline_index, 1 - current, memory_order_release);
  if (self->queue_draw)
    self->queue_draw->queue_draw(self->queue_draw->handle);
}

static LV2_Inline_Display_Image_Surface *render(void *instance, uint32_t w, uint32_t max_h) {
  emovox *self = instance;
  /* Made on first use, in the GUI thread: hosts without inline displays never pay for it. */
  if (!self->inline_display)
    self->inline_display = emovox_inline_new();
  if (!self->inline_display)
    return NULL;
  const int i = atomic_load_explicit(&self->inline_index, memory_order_acquire);
  emovox_inline_data d = self->inline_data[i];
  return emovox_inline_render(self->inline_display, &d, w, max_h);
}

const LV2_Inline_Display_Interface emovox_inline_interface = {render};
