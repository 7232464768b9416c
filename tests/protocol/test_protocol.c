/* protocol/emovox_protocol.h: every message its writer makes, its reader gives back (status
 * with labels from a char[n][stride] array, patch:Set of the model, patch:Get), byte for byte
 * the atoms an independent forge (LV2's own calls, written out here) makes; the readers refuse
 * other objects and malformed atoms. URIDs are mapped once, all distinct and non-zero. */
#include <stdio.h>
#include <string.h>

#include "../ev_test.h"
#include "emovox_protocol.h"

static char uri_table[64][160];
static int n_uris;

static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri) {
  (void)h;
  for (int i = 0; i < n_uris; i++)
    if (!strcmp(uri_table[i], uri))
      return (LV2_URID)(i + 1);
  snprintf(uri_table[n_uris], sizeof uri_table[0], "%s", uri);
  return (LV2_URID)(++n_uris);
}

static LV2_Atom_Forge forge_on(LV2_URID_Map *map, uint8_t *buf, uint32_t cap) {
  LV2_Atom_Forge f;
  lv2_atom_forge_init(&f, map);
  memset(buf, 0, cap);
  lv2_atom_forge_set_buffer(&f, buf, cap);
  return f;
}

static void text_is(const emovox_uris *u, const LV2_Atom *a, const char *want, const char *what) {
  char got[256] = "?";
  EV_CHECK(emovox_atom_text(u, a, got, sizeof got) && !strcmp(got, want), "%s: '%s' vs '%s'", what,
           got, want);
}

int main(void) {
  LV2_URID_Map map = {NULL, map_uri};
  emovox_uris u;
  emovox_map_uris(&map, &u);
  const LV2_URID *ids = (const LV2_URID *)&u;
  const size_t n_ids = sizeof u / sizeof(LV2_URID);
  int distinct = 1;
  for (size_t i = 0; i < n_ids; i++)
    for (size_t j = 0; j < i; j++)
      distinct &= ids[i] != 0 && ids[i] != ids[j];
  EV_CHECK(distinct && n_uris == (int)n_ids, "%zu URIDs, distinct and non-zero (%d mapped)", n_ids,
           n_uris);

  /* status: the writer against LV2's own forge calls */
  static const char labels[3][32] = {"neutral", "joy", "anger"};
  uint8_t a[1024], b[1024];
  LV2_Atom_Forge f = forge_on(&map, a, sizeof a);
  EV_CHECK(emovox_write_status(&f, &u, EMOVOX_STATUS_OK, "ok", "tiny", "/m/x.safetensors",
                               labels[0], sizeof labels[0], 3, true),
           "status written");
  LV2_Atom_Forge g = forge_on(&map, b, sizeof b);
  LV2_Atom_Forge_Frame obj, tup;
  lv2_atom_forge_object(&g, &obj, 0, u.status);
  lv2_atom_forge_key(&g, u.status_code);
  lv2_atom_forge_int(&g, 0);
  lv2_atom_forge_key(&g, u.status_text);
  lv2_atom_forge_string(&g, "ok", 2);
  lv2_atom_forge_key(&g, u.model_name);
  lv2_atom_forge_string(&g, "tiny", 4);
  lv2_atom_forge_key(&g, u.model_path);
  lv2_atom_forge_path(&g, "/m/x.safetensors", 16);
  lv2_atom_forge_key(&g, u.model_labels);
  lv2_atom_forge_tuple(&g, &tup);
  lv2_atom_forge_string(&g, "neutral", 7);
  lv2_atom_forge_string(&g, "joy", 3);
  lv2_atom_forge_string(&g, "anger", 5);
  lv2_atom_forge_pop(&g, &tup);
  lv2_atom_forge_key(&g, u.voice_learned);
  lv2_atom_forge_int(&g, 1);
  lv2_atom_forge_pop(&g, &obj);
  uint32_t len = lv2_atom_total_size((const LV2_Atom *)a);
  EV_CHECK(len == lv2_atom_total_size((const LV2_Atom *)b) && !memcmp(a, b, len),
           "status: the same %u bytes as LV2's forge", len);

  emovox_status_msg m;
  printf("%zu URIDs mapped; status message %u bytes, as LV2's forge writes it\n", n_ids, len);
  EV_CHECK(emovox_read_status(&u, (const LV2_Atom *)a, &m) && m.code == EMOVOX_STATUS_OK,
           "status read back, code %d", m.code);
  text_is(&u, m.text, "ok", "text");
  text_is(&u, m.name, "tiny", "name");
  text_is(&u, m.path, "/m/x.safetensors", "path");
  EV_CHECK(m.voice_learned == 1, "a voice learned, read back (%d)", m.voice_learned);
  int k = 0;
  if (m.labels) {
    LV2_ATOM_TUPLE_FOREACH(m.labels, it) {
      if (k < 3)
        text_is(&u, it, labels[k], "label");
      k++;
    }
  }
  EV_CHECK(k == 3, "3 labels read back (%d)", k);
  char small[4];
  EV_CHECK(emovox_atom_text(&u, m.path, small, sizeof small) && !strcmp(small, "/m/"),
           "a text cut to the buffer ('%s')", small);
  EV_CHECK(!emovox_atom_text(&u, (const LV2_Atom *)a, small, sizeof small), "an object is no text");

  /* patch:Set of the model: writer against LV2's calls, reader */
  f = forge_on(&map, a, sizeof a);
  emovox_write_set_model(&f, &u, "/m/y.safetensors");
  g = forge_on(&map, b, sizeof b);
  lv2_atom_forge_object(&g, &obj, 0, u.patch_Set);
  lv2_atom_forge_key(&g, u.patch_property);
  lv2_atom_forge_urid(&g, u.model);
  lv2_atom_forge_key(&g, u.patch_value);
  lv2_atom_forge_path(&g, "/m/y.safetensors", 16);
  lv2_atom_forge_pop(&g, &obj);
  len = lv2_atom_total_size((const LV2_Atom *)a);
  EV_CHECK(len == lv2_atom_total_size((const LV2_Atom *)b) && !memcmp(a, b, len),
           "patch:Set: the same %u bytes as LV2's forge", len);
  const LV2_Atom *value = NULL;
  EV_CHECK(emovox_read_set_model(&u, (const LV2_Atom_Object *)a, &value) && value &&
               value->type == u.atom_Path,
           "patch:Set of the model read back");
  text_is(&u, value, "/m/y.safetensors", "model path");
  EV_CHECK(!emovox_read_status(&u, (const LV2_Atom *)a, &m), "a patch:Set is no status message");

  /* a patch:Set of another property is not the model's */
  g = forge_on(&map, b, sizeof b);
  lv2_atom_forge_object(&g, &obj, 0, u.patch_Set);
  lv2_atom_forge_key(&g, u.patch_property);
  lv2_atom_forge_urid(&g, u.status_text);
  lv2_atom_forge_pop(&g, &obj);
  EV_CHECK(!emovox_read_set_model(&u, (const LV2_Atom_Object *)b, &value),
           "patch:Set of another property ignored");

  /* patch:Get: a bare object */
  f = forge_on(&map, a, sizeof a);
  EV_CHECK(emovox_write_get(&f, &u), "patch:Get written");
  const LV2_Atom_Object *get = (const LV2_Atom_Object *)a;
  EV_CHECK(get->atom.type == u.atom_Object && get->body.otype == u.patch_Get &&
               lv2_atom_total_size(&get->atom) == sizeof(LV2_Atom_Object),
           "patch:Get is a bare object");
  f = forge_on(&map, a, 8);
  EV_CHECK(!emovox_write_get(&f, &u), "patch:Get refused by a buffer too small");

  /* malformed atoms */
  LV2_Atom short_obj = {2, u.atom_Object};
  EV_CHECK(!emovox_read_status(&u, &short_obj, &m) && m.code == -1, "a truncated object");
  EV_CHECK(!emovox_read_status(&u, NULL, &m), "NULL");
  EV_TEST_END();
}
