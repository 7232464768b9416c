/* The timeline plot of one file (Cairo; PNG, SVG or PDF by extension): waveform, log-mel
 * spectrogram (the dsp feature extractor), voice activity and the stacked emotion
 * probabilities over time, with a legend and a time axis. */
#ifndef EA_PLOT_H
#define EA_PLOT_H

#include "ea_series.h"
#include "ev_features.h"

#include <stddef.h>
#include <stdint.h>

#define EA_PLOT_MEL_COLS 8192 /* 82 s at one frame a column; the panel draws at most 3200 */
#define EA_PLOT_POINTS   8192 /* 82 s at one row a point; the panels are 1310 px wide */

/* Where a row of outputs holds what the plot draws (output indices). */
typedef struct ea_plot_columns {
  int voice, dominant;
  int prob[EV_N_EMOTIONS];
  long summary_window_rows; /* the summary's reading window (ea_columns) */
  unsigned summary_labels;  /* the summary's allowed emotions (--labels); 0: all eight */
} ea_plot_columns;

/* A point's sums: voice activity, then the eight probabilities (canonical order). */
enum { EA_PLOT_SUM_VOICE, EA_PLOT_SUM_PROB, EA_PLOT_N_SUMS = EA_PLOT_SUM_PROB + EV_N_EMOTIONS };

typedef struct ea_plot_data {
  double rate;
  int64_t frames, fed;
  int64_t per_bucket; /* samples per waveform bucket */
  size_t n_buckets;
  float *env_min, *env_max;
  ev_extractor *ex;
  int n_mels;
  /* The spectrogram in at most EA_PLOT_MEL_COLS columns, each the sum of `span` frames (the
   * last may hold fewer: its count), so that its memory does not grow with the file: when the
   * columns are full, neighbours merge in pairs and span doubles. */
  double *mel_sum; /* EA_PLOT_MEL_COLS * n_mels */
  int *mel_count;  /* frames in each column */
  size_t n_mel_cols, mel_span, n_mel_frames;
  float mel_top; /* the loudest mel cell of any frame, dB (-inf before the first) */
  float *mono;   /* downmix scratch */
  uint32_t max_block;
  ea_plot_columns cols;
  /* The rows the voice and emotion panels draw, bounded as the spectrogram: at most
   * EA_PLOT_POINTS points, each the sums of `pt_span` rows (the last may hold fewer: its count),
   * neighbours merging in pairs when they are full. The panels draw each point's mean at its
   * rows' mean time (their areas cover the mean height of the rows a pixel spans) and fade the
   * share of its span that had no speech; a point of one row is that row, so a file under 82 s
   * draws as when every row was kept, byte for byte. */
  double *pt_time; /* the sum of each point's row times */
  double *pt_end;  /* the time of each point's last row */
  double *pt_sum;  /* EA_PLOT_POINTS * EA_PLOT_N_SUMS */
  int *pt_rows;    /* rows in each point */
  int *pt_silent;  /* of them, rows without speech (dominant 0) */
  size_t n_pts, pt_span;
} ea_plot_data;

int ea_plot_begin(ea_plot_data *p, double rate, int64_t frames, uint32_t max_block,
                  const ea_plot_columns *cols, char *err, size_t errlen);
/* b may be NULL (mono); with two channels the plot shows their mean. */
void ea_plot_feed(ea_plot_data *p, const float *a, const float *b, uint32_t n);
/* One row of outputs (rounded, as written) at `time` seconds, in order; never fails. */
void ea_plot_row(ea_plot_data *p, double time, const double *row);
/* sum: the file's summary (the legend's percentages, speech and dominant in the title). */
int ea_plot_render(ea_plot_data *p, const ea_summary *sum, const char *title, const char *path,
                   char *err, size_t errlen);
void ea_plot_free(ea_plot_data *p);
/* At exit, after all plots: frees cairo's and fontconfig's static caches. */
void ea_plot_release_fonts(void);

#endif
