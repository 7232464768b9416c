/* The per-file time series (one row per 10 ms output hop: time and every control output) and
 * the per-file summary computed from it. Values are rounded to the 6 decimals that are written,
 * so a summary computed from a series in memory and one recomputed from the written file
 * (--skip-existing) are identical to the last digit. A series can be written row by row as it
 * is made (ea_series_writer) and summarised row by row (ea_summary_acc), so that analysing a
 * file takes memory independent of its length. */
#ifndef EA_SERIES_H
#define EA_SERIES_H

#include <stddef.h>
#include <stdio.h>

#include "ev_emotions.h"
#include "ev_summary.h"

typedef enum { EA_FORMAT_CSV, EA_FORMAT_JSONL } ea_format;

/* v as printf("%.*f", decimals, v) writes it, into buf (EA_DECIMAL_MAX bytes), without the
 * formatted-print machinery for the values a series holds (integers, 6 decimals); returns the
 * length. */
#define EA_DECIMAL_MAX 352 /* the longest "%.6f" of a double, with its terminator */
size_t ea_format_decimal(char *buf, double v, int decimals);

typedef struct ea_series {
  int n_cols;
  /* Reading: a file may stop after this many columns (the rest read NaN): a series written
   * before an output was appended (adapted, 0.4.2) still gives its summary. n_cols unless set
   * after ea_series_init. */
  int n_required;
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
/* One row of outputs rounded as it is written (into row[n_cols]); returns the rounded time. */
double ea_series_round_row(const ea_series *s, double time, const float *values, double *row);
int ea_series_append(ea_series *s, double time, const double *row); /* rounded; -1: no memory */
/* Writes to path (through a temporary file renamed at the end: never a partial file). */
int ea_series_write(const ea_series *s, ea_format format, const char *path, char *err,
                    size_t errlen);
/* Reads a series written by ea_series_write with the same columns. */
int ea_series_read(ea_series *s, ea_format format, const char *path, char *err, size_t errlen);
/* The same, one row at a time to on_row (non-zero stops with "out of memory"); only the
 * columns (n_cols, names) of `cols` are used. */
typedef int (*ea_series_row_fn)(void *user, double time, const double *row);
int ea_series_read_rows(const ea_series *cols, ea_format format, const char *path,
                        ea_series_row_fn on_row, void *user, char *err, size_t errlen);

/* Rows written as they come, to path.part, renamed to path by commit (never a partial file);
 * abort removes the part. The columns are those of `cols` (borrowed, its rows unused). Write
 * errors (a full disk) are found by commit. */
typedef struct ea_series_writer {
  const ea_series *cols;
  ea_format format;
  FILE *f;
  char *tmp, *path;
} ea_series_writer;
int ea_series_writer_open(ea_series_writer *w, const ea_series *cols, ea_format format,
                          const char *path, char *err, size_t errlen);
void ea_series_writer_row(ea_series_writer *w, double time, const double *row); /* rounded */
int ea_series_writer_commit(ea_series_writer *w, char *err, size_t errlen);
void ea_series_writer_abort(ea_series_writer *w); /* also after a failed open or a commit */

typedef struct ea_summary {
  double duration_s;
  double speech_ratio; /* rows judged speech / rows */
  int dominant;        /* the emotion (of the allowed ones) read highest, -1 if no speech row */
  double prob[EV_N_EMOTIONS];
  double arousal, valence; /* of prob, as the ports read them (ev_summary) */
} ea_summary;

/* The summary's sums, row by row in the series' order (so the same figures to the last bit as
 * ea_summary_compute over the stored rows). Zero-initialise (the default reading window, all
 * eight emotions) or ea_summary_acc_init with the model's window and the allowed emotions
 * (labels: ev_summary_set_labels' mask, --labels; 0: all eight). */
typedef struct ea_summary_acc {
  ev_summary_acc phrases; /* the phrase readings (ev_summary.h) */
} ea_summary_acc;
void ea_summary_acc_init(ea_summary_acc *acc, long window_rows, unsigned labels);
void ea_summary_acc_add(ea_summary_acc *acc, const double *row, const int *prob_col,
                        int dominant_col);
void ea_summary_acc_finish(const ea_summary_acc *acc, double duration_s, ea_summary *out);

/* prob_col: the EV_N_EMOTIONS probability columns (canonical order); speech rows: dominant_col !=
 * 0. */
void ea_summary_compute(const ea_series *s, const int *prob_col, int dominant_col, long window_rows,
                        unsigned labels, double duration_s, ea_summary *out);
/* Writes the summary's header line "file,duration_s,speech_ratio,dominant,neutral,...,
 * surprised,arousal,valence". */
void ea_summary_write_header(FILE *f);
/* One CSV row, newline included (malloc'd). The file name is quoted if it needs to be. */
char *ea_summary_row(const char *file, const ea_summary *sum);

#endif
