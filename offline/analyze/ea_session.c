#include "ea_session.h"

#include "ea_console.h"

#include <stdlib.h>
#include <string.h>

/* The key a file is grouped by (malloc'd): its directory, the regex's first capture group of
 * its base name, or (no session, or no match) its whole path, which no other file shares. */
static char *group_key(const ea_file *f, ea_session_mode mode, const regex_t *re, int report) {
  const char *slash = strrchr(f->path, '/');
  if (mode == EA_SESSION_DIR)
    return slash ? strndup(f->path, (size_t)(slash - f->path)) : strdup(".");
  if (mode == EA_SESSION_REGEX) {
    const char *name = slash ? slash + 1 : f->path;
    regmatch_t m[2];
    if (regexec(re, name, 2, m, 0) == 0 && m[1].rm_so >= 0) {
      size_t n = (size_t)(m[1].rm_eo - m[1].rm_so);
      char *k = malloc(n + 2);
      if (k) { /* a leading byte no path starts with keeps captures and paths apart */
        k[0] = '\x01';
        memcpy(k + 1, name + m[1].rm_so, n);
        k[n + 1] = '\0';
      }
      return k;
    }
    if (report)
      ea_msg("%s: its name does not match --session-regex: analysed as a session of its own",
             f->path);
  }
  return strdup(f->path);
}

typedef struct keyed {
  char *key;
  size_t file;
} keyed;

static int by_key(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : (x->file > y->file) - (x->file < y->file);
}

typedef struct run {
  size_t first, begin, end; /* first file; its range in the sorted keys */
} run;

static int by_first(const void *a, const void *b) {
  const run *x = a, *y = b;
  return (x->first > y->first) - (x->first < y->first);
}

int ea_groups_make(const ea_file_list *l, ea_session_mode mode, const regex_t *re, int report,
                   ea_groups *g) {
  memset(g, 0, sizeof *g);
  const size_t n = l->count;
  g->start = calloc(n + 2, sizeof *g->start);
  g->member = calloc(n + 1, sizeof *g->member);
  if (!g->start || !g->member) {
    ea_groups_free(g);
    return -1;
  }
  if (mode == EA_SESSION_NONE) { /* every file alone */
    for (size_t i = 0; i < n; i++) {
      g->member[i] = i;
      g->start[i + 1] = i + 1;
    }
    g->n = n;
    return 0;
  }
  /* sort by (key, file) so each group is a run in file order, then order the runs by their
   * first file: O(n log n) for any number of groups */
  keyed *k = calloc(n + 1, sizeof *k);
  run *runs = calloc(n + 1, sizeof *runs);
  int rc = -1;
  if (!k || !runs)
    goto done;
  for (size_t i = 0; i < n; i++) {
    k[i].file = i;
    if (!(k[i].key = group_key(&l->files[i], mode, re, report)))
      goto done;
  }
  qsort(k, n, sizeof *k, by_key);
  size_t n_runs = 0;
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || strcmp(k[i].key, k[i - 1].key)) {
      runs[n_runs].first = k[i].file;
      runs[n_runs++].begin = i;
    }
    runs[n_runs - 1].end = i + 1;
  }
  qsort(runs, n_runs, sizeof *runs, by_first);
  size_t m = 0;
  for (size_t r = 0; r < n_runs; r++) {
    for (size_t i = runs[r].begin; i < runs[r].end; i++)
      g->member[m++] = k[i].file;
    g->start[r + 1] = m;
  }
  g->n = n_runs;
  rc = 0;
done:
  for (size_t i = 0; k && i < n; i++)
    free(k[i].key);
  free(k);
  free(runs);
  if (rc)
    ea_groups_free(g);
  return rc;
}

void ea_groups_free(ea_groups *g) {
  free(g->start);
  free(g->member);
  memset(g, 0, sizeof *g);
}

void ea_groups_shard(ea_file_list *l, const ea_groups *g, size_t index, size_t count) {
  char *keep = calloc(l->count + 1, 1);
  if (!keep)
    return;
  for (size_t k = index; k < g->n; k += count)
    for (size_t m = g->start[k]; m < g->start[k + 1]; m++)
      keep[g->member[m]] = 1;
  size_t out = 0;
  for (size_t i = 0; i < l->count; i++) {
    if (keep[i]) {
      l->files[out++] = l->files[i];
    } else {
      free(l->files[i].path);
      free(l->files[i].rel);
    }
  }
  l->count = out;
  free(keep);
}
