#include "ta_util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int ta_run(char *const *argv, const char *stdout_path, const char *stderr_path) {
  return ta_run_rss(argv, stdout_path, stderr_path, NULL);
}

int ta_run_rss(char *const *argv, const char *stdout_path, const char *stderr_path,
               long *peak_rss_kib) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    if (stdout_path) {
      int fd = open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0)
        dup2(fd, 1);
    }
    if (stderr_path) {
      int fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0)
        dup2(fd, 2);
    }
    execv(argv[0], argv);
    _exit(127);
  }
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status))
    return -1;
  if (peak_rss_kib)
    *peak_rss_kib = ru.ru_maxrss;
  return WEXITSTATUS(status);
}

char *ta_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (buf) {
    buf[n] = '\0';
    if (len)
      *len = (size_t)n;
  }
  return buf;
}

char *ta_mkdtemp(void) {
  const char *tmp = getenv("TMPDIR");
  char *p = malloc(4096);
  snprintf(p, 4096, "%s/emovox-analyze-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(p)) {
    free(p);
    return NULL;
  }
  return p;
}

void ta_rm_rf(const char *path) {
  char *argv[] = {"/bin/rm", "-rf", (char *)path, NULL};
  ta_run(argv, NULL, NULL);
}

/* Splits one CSV line (quotes honoured) into malloc'd cells. */
static int split(char *line, char ***out) {
  int n = 0, cap = 16;
  char **cells = malloc((size_t)cap * sizeof *cells);
  char *p = line;
  for (;;) {
    char *cell = malloc(strlen(p) + 1), *q = cell;
    if (*p == '"') {
      p++;
      while (*p && !(*p == '"' && p[1] != '"')) {
        if (*p == '"')
          p++;
        *q++ = *p++;
      }
      if (*p == '"')
        p++;
    } else {
      while (*p && *p != ',' && *p != '\n' && *p != '\r')
        *q++ = *p++;
    }
    *q = '\0';
    if (n == cap)
      cells = realloc(cells, (size_t)(cap *= 2) * sizeof *cells);
    cells[n++] = cell;
    if (*p != ',')
      break;
    p++;
  }
  *out = cells;
  return n;
}

int ta_csv_read(ta_csv *c, const char *path) {
  memset(c, 0, sizeof *c);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  char *line = NULL;
  size_t cap = 0, rows_cap = 0;
  if (getline(&line, &cap, f) < 0) {
    fclose(f);
    free(line);
    return -1;
  }
  c->n_cols = split(line, &c->names);
  while (getline(&line, &cap, f) >= 0) {
    if (c->n_rows == rows_cap) {
      rows_cap = rows_cap ? 2 * rows_cap : 256;
      c->cells = realloc(c->cells, rows_cap * sizeof *c->cells);
    }
    char **cells;
    int n = split(line, &cells);
    if (n != c->n_cols) {
      for (int i = 0; i < n; i++)
        free(cells[i]);
      free(cells);
      fprintf(stderr, "%s: row %zu has %d cells, header %d\n", path, c->n_rows + 2, n, c->n_cols);
      free(line);
      fclose(f);
      return -1;
    }
    c->cells[c->n_rows++] = cells;
  }
  free(line);
  fclose(f);
  return 0;
}

int ta_csv_col(const ta_csv *c, const char *name) {
  for (int i = 0; i < c->n_cols; i++)
    if (!strcmp(c->names[i], name))
      return i;
  return -1;
}

double ta_csv_num(const ta_csv *c, size_t row, int col) {
  return atof(c->cells[row][col]);
}

void ta_csv_free(ta_csv *c) {
  for (size_t r = 0; r < c->n_rows; r++) {
    for (int i = 0; i < c->n_cols; i++)
      free(c->cells[r][i]);
    free(c->cells[r]);
  }
  for (int i = 0; i < c->n_cols; i++)
    free(c->names[i]);
  free(c->names);
  free(c->cells);
  memset(c, 0, sizeof *c);
}
