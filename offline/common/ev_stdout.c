#include "ev_stdout.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int ev_stdout_status(const char *tool, int rc) {
  if (rc || (fflush(stdout) == 0 && !ferror(stdout)))
    return rc;
  fprintf(stderr, "%s: cannot write to standard output: %s\n", tool, strerror(errno));
  return 1;
}
