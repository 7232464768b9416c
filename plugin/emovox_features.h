/* Looking up a host feature by URI. lv2_features_query (lv2/core/lv2_util.h) compares every
 * entry's URI with strcmp, so a host that passes an entry with a NULL URI crashes it; and
 * lv2file (Debian 12) passes, after its map, unmap and options features, an entry it never
 * filled in: its URI is whatever its stack held, NULL on some machines and an address that is
 * not mapped on others (seen on an AMD EPYC: 0x41564952, a segfault in 6 of 8 runs). A NULL
 * URI is not any feature we want, so it is skipped; in instantiate the URI's bytes are also
 * checked readable before they are compared (emovox_feature_checked). */
#ifndef EMOVOX_FEATURES_H
#define EMOVOX_FEATURES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <lv2/core/lv2.h>

/* The data of the first feature with this URI, or NULL (also when the host did not pass it).
 * For the arrays of state save and restore, which a host fills for the call. */
static inline void *emovox_feature(const LV2_Feature *const *features, const char *uri) {
  for (size_t i = 0; features && features[i]; i++)
    if (features[i]->URI && !strcmp(features[i]->URI, uri))
      return features[i]->data;
  return NULL;
}

/* Whether the n bytes at p can be read. write() to a pipe copies them in the kernel, which
 * fails with EFAULT where reading them here would fault: one byte of every page they span.
 * System calls, so for instantiate only, never the audio thread. */
static inline int emovox_readable(int fd_in, int fd_out, const void *p, size_t n) {
  const uintptr_t page = 4096, first = (uintptr_t)p, last = first + (n ? n - 1 : 0);
  char sink;
  for (uintptr_t a = first; a <= last; a = (a | (page - 1)) + 1) {
    if (write(fd_out, (const void *)a, 1) != 1)
      return 0;
    if (read(fd_in, &sink, 1) != 1)
      return 0;
    if (a > UINTPTR_MAX - page) /* the last page of the address space */
      break;
  }
  return 1;
}

/* emovox_feature for instantiate's array: an entry whose URI cannot be read (a host's
 * uninitialised entry) is skipped instead of crashing the lookup; only the bytes strncmp can
 * read (the URI's length plus its NUL) are checked. Without a pipe (no file descriptors left)
 * it looks up as emovox_feature does. */
static inline void *emovox_feature_checked(const LV2_Feature *const *features, const char *uri) {
  int fds[2];
  if (pipe(fds) != 0)
    return emovox_feature(features, uri);
  const size_t len = strlen(uri) + 1;
  void *found = NULL;
  for (size_t i = 0; features && features[i]; i++) {
    if (!emovox_readable(fds[0], fds[1], features[i], sizeof *features[i]))
      continue;
    const char *u = features[i]->URI;
    if (u && emovox_readable(fds[0], fds[1], u, len) && !strncmp(u, uri, len)) {
      found = features[i]->data;
      break;
    }
  }
  close(fds[0]);
  close(fds[1]);
  return found;
}

#endif
