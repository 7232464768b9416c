/* The per-file time series (one row per 10 ms output hop: time and every control output) and
 * the per-file summary computed from it. Values are rounded to the 6 decimals that are written,
 * so a summary computed from a series in memory and one recomputed from the written file
 * (--skip-existing) are identical to the last digit. */
#ifndef EA_SERIES_H
#define EA_SERIES_H

#include <stddef.h>
#include <stdio.h>

#include "ev_emotions.h"

typedef enum { EA_FORMAT_CSV, EA_FORMAT_JSONL } ea_format;

typedef struct ea_series {
  int n_cols;
  const char *const *names; /* column names (port symbols), borrowed */
  const int *is_integer;    /* borrowed */
  size_t n_rows, capacity;
  double *time;   /* seconds */
  double *values; /* n_rows * n_cols, rounded */
} ea_series;

void ea_series_init(ea_series *s, int n_cols, const char *const *names, const int *is_integer);
void ea_series_clear(ea_series *s);
void ea_series_free(ea_series *s);
int ea_series_add(ea_series *s, double time, const float *values); /* -1: out of memory */
/* Writes to path (through a temporary file renamed at the end: never a partial file). */
int ea_series_write(const ea_series *s, ea_format format, const char *path, char *err,
                    size_t errlen);
/* Reads a series written by ea_series_write with the same columns. */
int ea_series_read(ea_series *s, ea_format format, const char *path, char *err, size_t errlen);

typedef struct ea_summary {
  double duration_s;
  double speech_ratio; /* rows judged speech / rows */
  int dominant;        /* label index with the highest mean, -1 if no speech row */
  double prob[EV_N_EMOTIONS];
} ea_summary;

/* prob_col: the EV_N_EMOTIONS probability columns (canonical order); speech rows: dominant_col !=
 * 0. */
void ea_summary_compute(const ea_series *s, const int *prob_col, int dominant_col,
                        double duration_s, ea_summary *out);
/* Writes the summary's header line "file,duration_s,speech_ratio,dominant,neutral,...". */
void ea_summary_write_header(FILE *f);
/* One CSV row, newline included (malloc'd). The file name is quoted if it needs to be. */
char *ea_summary_row(const char *file, const ea_summary *sum);

#endif
