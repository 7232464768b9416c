#include "emovox_notify.h"

#include <stdio.h>
#include <string.h>

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

int emovox_notify_apply(emovox_view_state *s, const emovox_uris *u, const LV2_Atom *atom) {
  emovox_status_msg m;
  if (!emovox_read_status(u, atom, &m))
    return 0; /* the patch:Set of the path is repeated inside the status object */
  int status = m.code;

  char text_buf[EMOVOX_ERROR_MAX] = "", name_buf[EMOVOX_NAME_MAX] = "";
  char path_buf[EMOVOX_NAME_MAX] = "", labels_buf[EMOVOX_LABELS_MAX] = "";
  emovox_atom_text(u, m.text, text_buf, sizeof text_buf);
  emovox_atom_text(u, m.name, name_buf, sizeof name_buf);
  emovox_atom_text(u, m.path, path_buf, sizeof path_buf);
  if (!name_buf[0] && path_buf[0]) /* an unnamed model is shown by its file name */
    snprintf(name_buf, sizeof name_buf, "%s", base_name(path_buf));
  if (m.labels) {
    size_t used = 0;
    LV2_ATOM_TUPLE_FOREACH(m.labels, it) {
      char one[64];
      if (!emovox_atom_text(u, it, one, sizeof one))
        continue;
      int n = snprintf(labels_buf + used, sizeof labels_buf - used, "%s%s", used ? ", " : "", one);
      if (n < 0 || (size_t)n >= sizeof labels_buf - used)
        break;
      used += (size_t)n;
    }
  }
  /* The status text is "ok" on success: only a failure's text is an error to show. */
  const char *error =
      status == EMOVOX_VIEW_LOAD_ERROR || status == EMOVOX_VIEW_MODEL_FAULT ? text_buf : "";
  emovox_view_set_model(s, status, name_buf, labels_buf, error);
  /* the plugin's status text while its default model hands telephone audio to the narrowband
   * one (emovox_shown_text) */
  s->telephone = status == EMOVOX_VIEW_OK &&
                 !strncmp(text_buf, EMOVOX_STATUS_TELEPHONE, strlen(EMOVOX_STATUS_TELEPHONE));
  if (m.voice_learned >= 0) /* an older plugin does not say */
    s->voice_learned = m.voice_learned;
  return 1;
}

uint32_t emovox_notify_forge_get(const emovox_uris *u, LV2_URID_Map *map, uint8_t *buf,
                                 uint32_t size) {
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, map);
  lv2_atom_forge_set_buffer(&forge, buf, size);
  if (!emovox_write_get(&forge, u))
    return 0;
  const LV2_Atom *atom = (const LV2_Atom *)buf;
  return (uint32_t)sizeof(LV2_Atom) + atom->size;
}
