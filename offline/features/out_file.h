/* emovox-features' output file: whole or not at all. A regular file (or a new one) is written
 * as PATH.part and renamed to PATH once complete, and removed if anything fails, so a full disk
 * or an unreadable input never leaves a shortened file that reads like a result, nor destroys
 * the previous one. Standard output (path NULL) and other files (/dev/null, a FIFO) are
 * written in place. */
#ifndef OUT_FILE_H
#define OUT_FILE_H

#include <stdio.h>

typedef struct out_file {
  FILE *f;
  const char *path; /* NULL: standard output */
  char *tmp;        /* PATH.part, or NULL when writing in place */
} out_file;

/* Opens the output (mode "w" or "wb"); 0, or -1 with errno set. */
int out_file_open(out_file *o, const char *path, const char *mode);
/* Flushes and closes it and puts it in place; 0, or -1 with errno set (nothing left behind). */
int out_file_commit(out_file *o);
/* Closes it and removes what was written; for a failure. */
void out_file_abort(out_file *o);

#endif
