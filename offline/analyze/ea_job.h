/* Analysis of one file with one host: read, run the plugin block by block, sample its outputs
 * every 10 ms, write the time series (and the plot), compute the summary row. */
#ifndef EA_JOB_H
#define EA_JOB_H

#include "ea_files.h"
#include "ea_host.h"
#include "ea_series.h"

#define EA_HOPS_PER_S 100 /* output hop: 10 ms */

typedef struct ea_options {
  ea_host_config host;
  const char *outdir; /* NULL: no time series */
  ea_format format;
  const char *summary; /* NULL: stdout if there is no outdir either */
  int plot;
  const char *plot_format; /* png, svg, pdf */
  int skip_existing;
  int jobs;
  int quiet;
} ea_options;

typedef struct ea_result {
  int failed;  /* reported already */
  int skipped; /* outputs existed: row recomputed from them */
  char *row;   /* summary row (malloc'd), NULL if failed */
  double duration_s;
} ea_result;

/* Column indices the summary needs, from the host's outputs; -1 + err if it lacks them. */
typedef struct ea_columns {
  int prob[EA_N_LABELS];
  int dominant, voice;
  int status; /* -1 if the plugin has no status output */
} ea_columns;
int ea_columns_find(const ea_host *h, ea_columns *c, char *err, size_t errlen);

void ea_analyze_file(ea_host *h, const ea_columns *cols, const ea_options *opt, const ea_file *f,
                     int job, ea_result *res);

#endif
