#include "emovox_notify.h"

#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/patch/patch.h>
#include <stdio.h>
#include <string.h>

#include "emovox_ports.h"

void emovox_notify_map(emovox_notify_urids *u, LV2_URID_Map *map) {
  LV2_URID_Map_Handle h = map->handle;
  u->atom_Object = map->map(h, LV2_ATOM__Object);
  u->atom_Int = map->map(h, LV2_ATOM__Int);
  u->atom_String = map->map(h, LV2_ATOM__String);
  u->atom_Path = map->map(h, LV2_ATOM__Path);
  u->atom_Tuple = map->map(h, LV2_ATOM__Tuple);
  u->atom_URID = map->map(h, LV2_ATOM__URID);
  u->atom_eventTransfer = map->map(h, LV2_ATOM__eventTransfer);
  u->patch_Get = map->map(h, LV2_PATCH__Get);
  u->patch_Set = map->map(h, LV2_PATCH__Set);
  u->patch_property = map->map(h, LV2_PATCH__property);
  u->patch_value = map->map(h, LV2_PATCH__value);
  u->status = map->map(h, EMOVOX_URI_STATUS);
  u->status_code = map->map(h, EMOVOX_URI_STATUS_CODE);
  u->status_text = map->map(h, EMOVOX_URI_STATUS_TEXT);
  u->model = map->map(h, EMOVOX_URI_MODEL);
  u->model_name = map->map(h, EMOVOX_URI_MODEL_NAME);
  u->model_path = map->map(h, EMOVOX_URI_MODEL_PATH);
  u->model_labels = map->map(h, EMOVOX_URI_MODEL_LABELS);
}

/* Copies an atom:String/Path body into dst if it is one; the body need not be terminated. */
static int atom_text(const emovox_notify_urids *u, const LV2_Atom *a, char *dst, size_t cap) {
  if (!a || (a->type != u->atom_String && a->type != u->atom_Path))
    return 0;
  size_t n = strnlen((const char *)LV2_ATOM_BODY_CONST(a), a->size);
  if (n >= cap)
    n = cap - 1;
  memcpy(dst, LV2_ATOM_BODY_CONST(a), n);
  dst[n] = 0;
  return 1;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

int emovox_notify_apply(emovox_view_state *s, const emovox_notify_urids *u, const LV2_Atom *atom) {
  if (!atom || atom->type != u->atom_Object || atom->size < sizeof(LV2_Atom_Object_Body))
    return 0;
  const LV2_Atom_Object *obj = (const LV2_Atom_Object *)atom;
  if (obj->body.otype != u->status)
    return 0; /* the patch:Set of the path is repeated inside the status object */

  const LV2_Atom *code = NULL, *text = NULL, *name = NULL, *path = NULL, *labels = NULL;
  lv2_atom_object_get(obj, u->status_code, &code, u->status_text, &text, u->model_name, &name,
                      u->model_path, &path, u->model_labels, &labels, 0);
  int status = -1;
  if (code && code->type == u->atom_Int && code->size >= sizeof(int32_t))
    status = ((const LV2_Atom_Int *)code)->body;

  char text_buf[EMOVOX_ERROR_MAX] = "", name_buf[EMOVOX_NAME_MAX] = "";
  char path_buf[EMOVOX_NAME_MAX] = "", labels_buf[EMOVOX_LABELS_MAX] = "";
  atom_text(u, text, text_buf, sizeof text_buf);
  atom_text(u, name, name_buf, sizeof name_buf);
  atom_text(u, path, path_buf, sizeof path_buf);
  if (!name_buf[0] && path_buf[0]) /* an unnamed model is shown by its file name */
    snprintf(name_buf, sizeof name_buf, "%s", base_name(path_buf));
  if (labels && labels->type == u->atom_Tuple) {
    size_t used = 0;
    LV2_ATOM_TUPLE_FOREACH((const LV2_Atom_Tuple *)labels, it) {
      char one[64];
      if (!atom_text(u, it, one, sizeof one))
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
  return 1;
}

uint32_t emovox_notify_forge_get(const emovox_notify_urids *u, LV2_URID_Map *map, uint8_t *buf,
                                 uint32_t size) {
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, map);
  lv2_atom_forge_set_buffer(&forge, buf, size);
  LV2_Atom_Forge_Frame frame;
  LV2_Atom_Forge_Ref ref = lv2_atom_forge_object(&forge, &frame, 0, u->patch_Get);
  if (!ref)
    return 0;
  lv2_atom_forge_pop(&forge, &frame);
  const LV2_Atom *atom = (const LV2_Atom *)buf;
  return (uint32_t)sizeof(LV2_Atom) + atom->size;
}
