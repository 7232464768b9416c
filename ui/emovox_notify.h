/* Reading the plugin's notify messages (model status, name, labels, error text; see
 * plugin/emovox_ports.h) into the view state, and writing the patch:Get the UI sends when it
 * opens. Only LV2 atoms: no X11, so it is testable on its own. */
#ifndef EMOVOX_NOTIFY_H
#define EMOVOX_NOTIFY_H

#include <lv2/atom/atom.h>
#include <lv2/urid/urid.h>

#include "emovox_view.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct emovox_notify_urids {
  LV2_URID atom_Object, atom_Int, atom_String, atom_Path, atom_Tuple, atom_URID;
  LV2_URID atom_eventTransfer;
  LV2_URID patch_Get, patch_Set, patch_property, patch_value;
  LV2_URID status, status_code, status_text, model, model_name, model_path, model_labels;
} emovox_notify_urids;

void emovox_notify_map(emovox_notify_urids *u, LV2_URID_Map *map);

/* Applies one atom from the notify port. Returns 1 if the view changed. Unknown or malformed
 * atoms are ignored (the size fields are checked before anything is read). */
int emovox_notify_apply(emovox_view_state *s, const emovox_notify_urids *u, const LV2_Atom *atom);

/* Forges a patch:Get (no property: "send me everything") into buf; returns its total size in
 * bytes (0 if buf is too small). */
uint32_t emovox_notify_forge_get(const emovox_notify_urids *u, LV2_URID_Map *map, uint8_t *buf,
                                 uint32_t size);

#ifdef __cplusplus
}
#endif

#endif
