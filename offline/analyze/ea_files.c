#include "ea_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Extensions of the formats libsndfile reads (directories only: named files are always tried). */
static const char *const audio_ext[] = {
    "wav", "wave", "flac",  "ogg",  "oga", "opus", "mp3",  "aif", "aiff", "aifc", "au",
    "snd", "caf",  "w64",   "rf64", "voc", "sd2",  "nist", "sph", "wve",  "htk",  "pvf",
    "paf", "sf",   "ircam", "avr",  "mat", "mpc",  "iff",  "svx", "xi",   NULL};

static int is_audio_name(const char *name) {
  const char *dot = strrchr(name, '.');
  if (!dot)
    return 0;
  for (int i = 0; audio_ext[i]; i++)
    if (!strcasecmp(dot + 1, audio_ext[i]))
      return 1;
  return 0;
}

static char *strip_ext(const char *name) {
  char *s = strdup(name);
  if (!s)
    return NULL;
  char *slash = strrchr(s, '/');
  char *dot = strrchr(s, '.');
  if (dot && (!slash || dot > slash) && dot != s && dot[-1] != '/')
    *dot = '\0';
  return s;
}

static int push(ea_file_list *l, const char *path, const char *rel) {
  if (l->count == l->capacity) {
    size_t cap = l->capacity ? 2 * l->capacity : 256;
    ea_file *grown = realloc(l->files, cap * sizeof *grown);
    if (!grown)
      return -1;
    l->files = grown;
    l->capacity = cap;
  }
  ea_file *f = &l->files[l->count];
  f->path = strdup(path);
  f->rel = strip_ext(rel);
  if (!f->path || !f->rel) {
    free(f->path);
    free(f->rel);
    return -1;
  }
  l->count++;
  return 0;
}

static char *join(const char *a, const char *b) {
  size_t na = strlen(a), n = na + strlen(b) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s%s%s", a, na && a[na - 1] == '/' ? "" : "/", b);
  return p;
}

/* The directories a walk has entered, by device and inode: a symbolic link back to one of
 * them (a loop, or a second way into the same tree) is not followed again. Two self-links used
 * to make the walk branch at every level and never end; one made every file appear 41 times. */
typedef struct dir_set {
  size_t n, cap;
  dev_t *dev;
  ino_t *ino;
} dir_set;

/* 1 if (dev, ino) was seen (else it is added), -1 if out of memory. */
static int seen_before(dir_set *s, dev_t dev, ino_t ino) {
  for (size_t i = 0; i < s->n; i++)
    if (s->dev[i] == dev && s->ino[i] == ino)
      return 1;
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 64;
    dev_t *d = realloc(s->dev, cap * sizeof *d);
    if (d)
      s->dev = d;
    ino_t *i = realloc(s->ino, cap * sizeof *i);
    if (i)
      s->ino = i;
    if (!d || !i)
      return -1;
    s->cap = cap;
  }
  s->dev[s->n] = dev;
  s->ino[s->n] = ino;
  s->n++;
  return 0;
}

/* root_len: length of the directory argument, so that rel is the path below it. */
static int walk(ea_file_list *l, const char *dir, size_t root_len, int depth, dir_set *seen,
                char *err, size_t errlen) {
  if (depth > 64) { /* deeper than any real collection */
    snprintf(err, errlen, "%s: directories nested too deeply", dir);
    return -1;
  }
  struct stat self;
  if (stat(dir, &self) == 0) {
    const int r = seen_before(seen, self.st_dev, self.st_ino);
    if (r < 0) {
      snprintf(err, errlen, "out of memory");
      return -1;
    }
    if (r > 0)
      return 0; /* already walked: a symbolic link loop or a second way in */
  }
  DIR *d = opendir(dir);
  if (!d) {
    snprintf(err, errlen, "cannot read directory %s: %s", dir, strerror(errno));
    return -1;
  }
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue; /* ., .., hidden files and partial outputs of other tools */
    char *path = join(dir, e->d_name);
    if (!path) {
      rc = -1;
      break;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
      const char *rel = path + root_len;
      while (*rel == '/')
        rel++;
      if (S_ISDIR(st.st_mode))
        rc = walk(l, path, root_len, depth + 1, seen, err, errlen);
      else if (S_ISREG(st.st_mode) && is_audio_name(e->d_name))
        rc = push(l, path, rel);
    }
    free(path);
  }
  closedir(d);
  if (rc && !err[0])
    snprintf(err, errlen, "out of memory");
  return rc;
}

int ea_files_add_input(ea_file_list *l, const char *input, char *err, size_t errlen) {
  struct stat st;
  err[0] = '\0';
  if (stat(input, &st) == 0 && S_ISDIR(st.st_mode)) {
    dir_set seen = {0, 0, NULL, NULL};
    int rc = walk(l, input, strlen(input), 0, &seen, err, errlen);
    free(seen.dev);
    free(seen.ino);
    return rc;
  }
  /* A file, or a path that cannot be looked at (missing, no permission): kept as a file, so
   * that its analysis fails with the reason and the other inputs are still analysed, as with
   * any bad file. Its output name is its last component, trailing slashes aside. */
  size_t len = strlen(input);
  while (len > 1 && input[len - 1] == '/')
    len--;
  char *name = strndup(input, len);
  if (!name) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  const char *base = strrchr(name, '/');
  int rc = push(l, input, base && base[1] ? base + 1 : name);
  free(name);
  if (rc) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  return 0;
}

int ea_files_add_list(ea_file_list *l, const char *list_path, char *err, size_t errlen) {
  FILE *f = strcmp(list_path, "-") ? fopen(list_path, "r") : stdin;
  if (!f) {
    snprintf(err, errlen, "--list %s: %s", list_path, strerror(errno));
    return -1;
  }
  char *line = NULL;
  size_t cap = 0;
  int rc = 0;
  while (rc == 0 && getline(&line, &cap, f) >= 0) {
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0] || line[0] == '#')
      continue;
    /* Listed entries are files even if missing: the analysis then reports them as failed. */
    const char *base = strrchr(line, '/');
    struct stat st;
    if (stat(line, &st) == 0 && S_ISDIR(st.st_mode))
      rc = ea_files_add_input(l, line, err, errlen);
    else if (push(l, line, base ? base + 1 : line)) {
      snprintf(err, errlen, "out of memory");
      rc = -1;
    }
  }
  free(line);
  if (f != stdin)
    fclose(f);
  return rc;
}

static int by_path(const void *a, const void *b) {
  return strcmp(((const ea_file *)a)->path, ((const ea_file *)b)->path);
}

/* For de-duplication: the file's real path (./x.wav, x.wav, a symbolic link to it and
 * dir/../x.wav are one file), or its path as given if it cannot be resolved (missing). */
typedef struct keyed {
  char *key;
  size_t index; /* in path order */
  int owned;    /* key is a realpath() result to free */
} keyed;

static int by_key(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : (x->index > y->index) - (x->index < y->index);
}

void ea_files_sort_unique(ea_file_list *l) {
  if (l->count < 2)
    return;
  qsort(l->files, l->count, sizeof *l->files, by_path);
  keyed *k = malloc(l->count * sizeof *k);
  unsigned char *drop = calloc(l->count, 1);
  if (!k || !drop) {
    free(k);
    free(drop); /* out of memory: fall back on the literal paths */
    size_t out = 1;
    for (size_t i = 1; i < l->count; i++) {
      if (!strcmp(l->files[i].path, l->files[out - 1].path)) {
        free(l->files[i].path);
        free(l->files[i].rel);
      } else {
        l->files[out++] = l->files[i];
      }
    }
    l->count = out;
    return;
  }
  for (size_t i = 0; i < l->count; i++) {
    char *real = realpath(l->files[i].path, NULL);
    k[i].key = real ? real : l->files[i].path;
    k[i].owned = real != NULL;
    k[i].index = i;
  }
  qsort(k, l->count, sizeof *k, by_key);
  /* Of the names of one file, the first in path order stays; the others are dropped. */
  for (size_t i = 1; i < l->count; i++)
    if (!strcmp(k[i].key, k[i - 1].key))
      drop[k[i].index] = 1;
  for (size_t i = 0; i < l->count; i++)
    if (k[i].owned)
      free(k[i].key);
  free(k);
  size_t out = 0;
  for (size_t i = 0; i < l->count; i++) {
    if (!drop[i]) {
      l->files[out++] = l->files[i];
    } else {
      free(l->files[i].path);
      free(l->files[i].rel);
    }
  }
  l->count = out;
  free(drop);
}

void ea_files_shard(ea_file_list *l, size_t index, size_t count) {
  size_t out = 0;
  for (size_t i = 0; i < l->count; i++) {
    if (i % count == index) {
      l->files[out++] = l->files[i];
    } else {
      free(l->files[i].path);
      free(l->files[i].rel);
    }
  }
  l->count = out;
}

static int by_rel(const void *a, const void *b) {
  const ea_file *const *x = a, *const *y = b;
  return strcmp((*x)->rel, (*y)->rel);
}

int ea_files_check_names(const ea_file_list *l, char *err, size_t errlen) {
  const ea_file **v = malloc((l->count + 1) * sizeof *v);
  if (!v) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < l->count; i++)
    v[i] = &l->files[i];
  qsort(v, l->count, sizeof *v, by_rel);
  int rc = 0;
  for (size_t i = 1; i < l->count && rc == 0; i++)
    if (!strcmp(v[i]->rel, v[i - 1]->rel)) {
      snprintf(err, errlen,
               "%s and %s would write the same outputs (%s.*); pass their common parent "
               "directory instead, or rename one",
               v[i - 1]->path, v[i]->path, v[i]->rel);
      rc = -1;
    }
  free(v);
  return rc;
}

/* ext of path's last component, with its dot ("" if none). */
static const char *path_ext(const char *path) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  const char *dot = strrchr(base, '.');
  return dot && dot != base ? dot : "";
}

static int append(char **s, const char *tail) {
  size_t n = strlen(*s) + strlen(tail) + 1;
  char *grown = realloc(*s, n);
  if (!grown)
    return -1;
  strcat(grown, tail);
  *s = grown;
  return 0;
}

typedef struct ranked {
  ea_file *f;
  size_t index;
} ranked;

static int by_rel_index(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  int c = strcmp(x->f->rel, y->f->rel);
  return c ? c : (x->index > y->index) - (x->index < y->index);
}

long ea_files_disambiguate(ea_file_list *l, char *err, size_t errlen) {
  ranked *v = malloc((l->count + 1) * sizeof *v);
  if (!v) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  long renamed = 0;
  /* Pass 0 adds the audio extension to every name of a clash (x.flac + x.mp3 -> x.flac.csv,
   * x.mp3.csv); later passes number what still clashes (the same name in two folders). */
  for (int pass = 0; pass < 8; pass++) {
    for (size_t i = 0; i < l->count; i++)
      v[i] = (ranked){&l->files[i], i};
    qsort(v, l->count, sizeof *v, by_rel_index);
    int clashes = 0;
    for (size_t i = 0; i < l->count;) {
      size_t j = i + 1;
      while (j < l->count && !strcmp(v[j].f->rel, v[i].f->rel))
        j++;
      for (size_t k = i; j - i > 1 && k < j; k++) {
        char tail[32];
        if (pass == 0)
          snprintf(tail, sizeof tail, "%s", path_ext(v[k].f->path));
        else if (k > i)
          snprintf(tail, sizeof tail, "~%zu", k - i + 1);
        else
          continue;
        if (append(&v[k].f->rel, tail)) {
          free(v);
          snprintf(err, errlen, "out of memory");
          return -1;
        }
        renamed += pass == 0;
        clashes = 1;
      }
      i = j;
    }
    if (!clashes)
      break;
  }
  free(v);
  return renamed;
}

void ea_files_free(ea_file_list *l) {
  for (size_t i = 0; i < l->count; i++) {
    free(l->files[i].path);
    free(l->files[i].rel);
  }
  free(l->files);
  memset(l, 0, sizeof *l);
}
