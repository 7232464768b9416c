/* Ardour's inline display in the plugin (emovox_inline_glue.c). emovox_plugin.h declares the
 * extension data (emovox_inline_interface) and the audio thread's emovox_inline_publish(); this
 * header adds what instantiate() and the tests need. */
#ifndef EMOVOX_INLINE_GLUE_H
#define EMOVOX_INLINE_GLUE_H

#include "emovox_plugin.h"

/* Call in instantiate() once self->queue_draw is set (and self->status, inline_data[0] are).
 * When the host offers LV2_INLINEDISPLAY__queue_draw (Ardour does) the display is made here, so
 * render() never allocates; other hosts (the batch analyser, jalv) pay nothing unless they call
 * render(), which then makes it on first use. Returns false only if it was wanted and could not
 * be made (out of memory); the plugin works without it (render() returns NULL). */
bool emovox_inline_glue_init(emovox *self);

/* The latest published outputs, copied without a lock and never torn (see the .c file). Only
 * one thread may read at a time: the host's GUI thread, which calls render(). */
void emovox_inline_snapshot(emovox *self, emovox_inline_data *out);

#endif
