/* Report figures drawn with Cairo as PNG: learning curves, confusion matrix, label
 * distribution per corpus. Each returns 0 or -1. */
#ifndef EV_PLOTS_H
#define EV_PLOTS_H

#include "ev_metrics.h"
#include "ev_trainer.h"

int ev_plot_learning_curves(const char *path, const ev_epoch_stats *h, int n, const char *title);
int ev_plot_confusion(const char *path, const ev_confusion *c, const char *const *names,
                      const char *title);
/* counts[corpus * n_labels + label] */
int ev_plot_label_distribution(const char *path, const long *counts, int n_corpora,
                               const char *const *corpus_names, int n_labels,
                               const char *const *label_names);

/* UAR in percent as grouped bars, each labelled with its value: uar[series * n_groups + group],
 * NAN for a bar that is missing (emovox-train compare). */
int ev_plot_uar_bars(const char *path, const char *title, const double *uar, int n_series,
                     const char *const *series_names, int n_groups, const char *const *group_names);

/* Releases Cairo's and fontconfig's process-wide caches (at exit, so leak checkers see a
 * clean heap). */
void ev_plots_shutdown(void);

#endif
