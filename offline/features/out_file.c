#include "out_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int out_file_open(out_file *o, const char *path, const char *mode) {
  memset(o, 0, sizeof *o);
  o->path = path;
  if (!path) {
    o->f = stdout;
    return 0;
  }
  struct stat st;
  if (stat(path, &st) != 0 || S_ISREG(st.st_mode)) { /* renaming over a device would replace it */
    size_t n = strlen(path) + sizeof ".part";
    if (!(o->tmp = malloc(n)))
      return -1;
    snprintf(o->tmp, n, "%s.part", path);
  }
  o->f = fopen(o->tmp ? o->tmp : path, mode);
  if (!o->f) {
    int e = errno;
    free(o->tmp);
    o->tmp = NULL;
    errno = e;
    return -1;
  }
  return 0;
}

int out_file_commit(out_file *o) {
  int bad = ferror(o->f);
  if (o->f == stdout)
    bad |= fflush(o->f) != 0;
  else
    bad |= fclose(o->f) != 0;
  o->f = NULL;
  if (!bad && o->tmp && rename(o->tmp, o->path) != 0)
    bad = 1;
  if (bad) {
    int e = errno;
    out_file_abort(o);
    errno = e;
    return -1;
  }
  free(o->tmp);
  o->tmp = NULL;
  return 0;
}

void out_file_abort(out_file *o) {
  if (o->f && o->f != stdout)
    fclose(o->f);
  o->f = NULL;
  if (o->tmp)
    remove(o->tmp);
  free(o->tmp);
  o->tmp = NULL;
}
