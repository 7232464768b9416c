/* The list of files to analyse: command-line files, directories walked recursively (audio
 * extensions only), --list files; sorted and de-duplicated so that --shard I/N is a
 * deterministic slice (index % N == I) whatever the machine. */
#ifndef EA_FILES_H
#define EA_FILES_H

#include <stddef.h>

typedef struct ea_file {
  char *path; /* as found: the summary's file column */
  char *rel;  /* name of its outputs below --outdir, without extension */
} ea_file;

typedef struct ea_file_list {
  ea_file *files;
  size_t count, capacity;
} ea_file_list;

/* A directory (walked; -1 + err if it or a directory below it cannot be read), or anything
 * else as a file, even a missing one: its analysis then reports why it failed. */
int ea_files_add_input(ea_file_list *l, const char *input, char *err, size_t errlen);
/* One path per line ("-" reads stdin); blank lines and lines starting with # are skipped. */
int ea_files_add_list(ea_file_list *l, const char *list_path, char *err, size_t errlen);
/* Sorted by path; one entry per real file (./x.wav and x.wav are analysed once). */
void ea_files_sort_unique(ea_file_list *l);
void ea_files_shard(ea_file_list *l, size_t index, size_t count);
/* Gives inputs that would write the same outputs distinct names: the audio extension is kept
 * (x.flac and x.mp3 -> x.flac.csv and x.mp3.csv), and what still clashes is numbered (x.wav~2).
 * Run on the whole sorted list, before --shard, so that names do not depend on the shard.
 * Returns how many names got their extension, or -1 + err (out of memory). */
long ea_files_disambiguate(ea_file_list *l, char *err, size_t errlen);
/* -1 + err naming two inputs whose outputs would have the same name. */
int ea_files_check_names(const ea_file_list *l, char *err, size_t errlen);
void ea_files_free(ea_file_list *l);

#endif
