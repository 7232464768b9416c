/* Helpers of the emovox-analyze tests: run the tool, read CSV files, make temp dirs. */
#ifndef TA_UTIL_H
#define TA_UTIL_H

#include <stddef.h>

/* Runs argv (NULL-terminated) with stdout/stderr to the given files (NULL: inherit);
 * returns the exit status, or -1 if it did not exit normally. */
int ta_run(char *const *argv, const char *stdout_path, const char *stderr_path);
/* The same, with the child's peak resident set size (KiB) if peak_rss_kib is not NULL. */
int ta_run_rss(char *const *argv, const char *stdout_path, const char *stderr_path,
               long *peak_rss_kib);
char *ta_read_file(const char *path, size_t *len); /* malloc'd, NUL-terminated; NULL if absent */
char *ta_mkdtemp(void);                            /* malloc'd path */
void ta_rm_rf(const char *path);

/* A CSV file of numbers with a header (the file column, if any, kept as text). */
typedef struct ta_csv {
  int n_cols;
  char **names;
  size_t n_rows;
  char ***cells; /* cells[row][col] */
} ta_csv;
int ta_csv_read(ta_csv *c, const char *path);
int ta_csv_col(const ta_csv *c, const char *name); /* -1 if absent */
double ta_csv_num(const ta_csv *c, size_t row, int col);
void ta_csv_free(ta_csv *c);

#endif
