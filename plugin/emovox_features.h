/* Looking up a host feature by URI. lv2_features_query (lv2/core/lv2_util.h) compares every
 * entry's URI with strcmp, so a host that passes an entry with a NULL URI (lv2file does)
 * crashes it; a NULL URI is not any feature we want, so it is skipped here. */
#ifndef EMOVOX_FEATURES_H
#define EMOVOX_FEATURES_H

#include <stddef.h>
#include <string.h>

#include <lv2/core/lv2.h>

/* The data of the first feature with this URI, or NULL (also when the host did not pass it). */
static inline void *emovox_feature(const LV2_Feature *const *features, const char *uri) {
  for (size_t i = 0; features && features[i]; i++)
    if (features[i]->URI && !strcmp(features[i]->URI, uri))
      return features[i]->data;
  return NULL;
}

#endif
