/* The plugin's notify messages (model status, name, labels, error text; read by
 * protocol/emovox_protocol.h) into the view state, and the patch:Get the UI sends when it
 * opens. Only LV2 atoms: no X11, so it is testable on its own. */
#ifndef EMOVOX_NOTIFY_H
#define EMOVOX_NOTIFY_H

#include "emovox_protocol.h"
#include "emovox_view.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Applies one atom from the notify port. Returns 1 if the view changed. Unknown or malformed
 * atoms are ignored (the size fields are checked before anything is read). */
int emovox_notify_apply(emovox_view_state *s, const emovox_uris *u, const LV2_Atom *atom);

/* Forges a patch:Get (no property: "send me everything") into buf; returns its total size in
 * bytes (0 if buf is too small). */
uint32_t emovox_notify_forge_get(const emovox_uris *u, LV2_URID_Map *map, uint8_t *buf,
                                 uint32_t size);

#ifdef __cplusplus
}
#endif

#endif
