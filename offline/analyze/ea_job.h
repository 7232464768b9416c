/* Analysis of one file with one host: read, run the plugin block by block, sample its outputs
 * every 10 ms, write the time series (and the plot), compute the summary row. */
#ifndef EA_JOB_H
#define EA_JOB_H

#include "ea_files.h"
#include "ea_host.h"
#include "ea_series.h"

#define EA_HOPS_PER_S 100 /* output hop: 10 ms */
/* The rates the plugin takes (dsp/features: 8..192 kHz); files at others are resampled to
 * EA_RESAMPLE_RATE, the rate its features are computed at. */
#define EA_MIN_RATE      8000
#define EA_MAX_RATE      192000
#define EA_RESAMPLE_RATE 16000

typedef struct ea_options {
  ea_host_config host;
  const char *outdir; /* NULL: no time series */
  ea_format format;
  const char *summary; /* NULL: stdout if there is no outdir either */
  int plot;
  const char *plot_format; /* png, svg, pdf */
  int skip_existing;
  unsigned labels; /* --labels: the summary's allowed emotions (ev_summary.h); 0: all eight */
  int jobs;
  int quiet;
} ea_options;

typedef struct ea_result {
  int failed;         /* reported already */
  int skipped;        /* outputs existed: row recomputed from them */
  int plot_failed;    /* analysed, but the plot could not be drawn (reported already) */
  int resampled_from; /* the file's rate, if it was resampled to EA_RESAMPLE_RATE; else 0 */
  int band_kind;      /* what its band means for its model: EV_BAND_* (ev_analyzer_band_note) */
  int telephone;      /* heard as telephone audio: read (in part) by the narrowband companion */
  char *row;          /* summary row (malloc'd), NULL if failed */
  double duration_s;
} ea_result;

/* Column indices the summary needs, from the host's outputs; -1 + err if it lacks them. */
typedef struct ea_columns {
  int prob[EV_N_EMOTIONS];
  int dominant, voice;
  int status;               /* -1 if the plugin has no status output */
  long summary_window_rows; /* the summary's reading window (ea_host_summary_window_rows) */
} ea_columns;
int ea_columns_find(const ea_host *h, ea_columns *c, char *err, size_t errlen);

/* Analyses the files member[0..n) of `files` through one instance, one after another, exactly
 * as one recording (a file that cannot be opened is left out; one that fails part-way leaves
 * what was fed of it in the instance's state); each file gets its own series, plot and row
 * (results[member[k]]). A single file is a session of one. Rows are taken every 10 ms of the
 * session's audio; a row's time is counted from the start of the file it falls in. With
 * --skip-existing a session is skipped only if all its files' outputs exist. */
void ea_analyze_session(ea_host *h, const ea_columns *cols, const ea_options *opt,
                        const ea_file_list *files, const size_t *member, size_t n, int job,
                        ea_result *results);

#endif
