/* emovox-train compare: the per-corpus UAR of several `evaluate` reports (plugin_figures.csv)
 * or SVM baselines (baseline_figures.csv) side by side, as a table on stdout and grouped bars
 * in a PNG, so that a reader sees at a glance where a model stands against the baseline. */
#ifndef EV_COMPARE_H
#define EV_COMPARE_H

/* argv[0] is "compare"; returns the exit status (0, 1 a file could not be read or written,
 * 2 a usage error). */
int ev_compare_main(int argc, char **argv);

#endif
