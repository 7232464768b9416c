#include "ea_urid.h"

#include <stdlib.h>
#include <string.h>

static LV2_URID map_cb(LV2_URID_Map_Handle h, const char *uri) {
  return ea_urid_map(h, uri);
}
static const char *unmap_cb(LV2_URID_Unmap_Handle h, LV2_URID id) {
  return ea_urid_unmap(h, id);
}

void ea_urid_init(ea_urid_table *t) {
  memset(t, 0, sizeof *t);
  pthread_mutex_init(&t->lock, NULL);
  t->map.handle = t;
  t->map.map = map_cb;
  t->unmap.handle = t;
  t->unmap.unmap = unmap_cb;
}

void ea_urid_destroy(ea_urid_table *t) {
  for (unsigned i = 0; i < t->count; i++)
    free(t->uris[i]);
  free(t->uris);
  pthread_mutex_destroy(&t->lock);
}

/* A linear table is enough: a plugin maps a few dozen URIs, at instantiation. */
LV2_URID ea_urid_map(ea_urid_table *t, const char *uri) {
  if (!uri)
    return 0;
  LV2_URID id = 0;
  pthread_mutex_lock(&t->lock);
  for (unsigned i = 0; i < t->count; i++)
    if (!strcmp(t->uris[i], uri)) {
      id = i + 1;
      break;
    }
  if (!id) {
    if (t->count == t->capacity) {
      unsigned cap = t->capacity ? 2 * t->capacity : 64;
      char **grown = realloc(t->uris, cap * sizeof *grown);
      if (!grown)
        goto out;
      t->uris = grown;
      t->capacity = cap;
    }
    char *copy = strdup(uri);
    if (!copy)
      goto out;
    t->uris[t->count++] = copy;
    id = t->count;
  }
out:
  pthread_mutex_unlock(&t->lock);
  return id;
}

const char *ea_urid_unmap(ea_urid_table *t, LV2_URID id) {
  const char *uri = NULL;
  pthread_mutex_lock(&t->lock);
  if (id >= 1 && id <= t->count)
    uri = t->uris[id - 1];
  pthread_mutex_unlock(&t->lock);
  return uri;
}
