/* URID map/unmap for the analyser's LV2 host: one table per host (one host per job thread),
 * guarded by a mutex because the LV2 spec allows a plugin to map from any thread. */
#ifndef EA_URID_H
#define EA_URID_H

#include <lv2/urid/urid.h>
#include <pthread.h>

typedef struct ea_urid_table {
  pthread_mutex_t lock;
  char **uris; /* uris[id - 1] */
  unsigned count, capacity;
  LV2_URID_Map map;
  LV2_URID_Unmap unmap;
} ea_urid_table;

void ea_urid_init(ea_urid_table *t);
void ea_urid_destroy(ea_urid_table *t);
LV2_URID ea_urid_map(ea_urid_table *t, const char *uri);
const char *ea_urid_unmap(ea_urid_table *t, LV2_URID id);

#endif
